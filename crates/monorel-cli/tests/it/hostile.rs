//! Hostile repositories (issue 11): configuration paths that reach outside the repository,
//! tracked symbolic links to other files and to devices, oversized files.

use std::{os::unix::fs::symlink, path::Path, time::Duration};

use expect_test::{Expect, expect};

use crate::support::{TestRepo, transcript};

/// Runs monorel and snapshots what it printed, with the temporary directory written `$TMP`.
fn check(repo: &TestRepo, args: &[&str], expected: &Expect) {
    let text = transcript(&repo.monorel(args));
    let tmp = repo.path().parent().unwrap().display().to_string();
    expected.assert_eq(&text.replace(&tmp, "$TMP"));
}

/// A Python project at 1.2.0 with a changelog, committed.
fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"1.2.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
        .commit("feat: app");
    repo
}

/// A file beside the work tree (outside the repository), with `text`.
fn outside(repo: &TestRepo, name: &str, text: &str) -> std::path::PathBuf {
    let path = repo.path().parent().unwrap().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn assert_unchanged(repo: &TestRepo) {
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "the work tree changed");
}

#[cfg(feature = "changelog")]
#[test]
fn a_changelog_outside_the_repository_is_refused() {
    let repo = project();
    let rc = outside(&repo, "rc", "# a shell rc file\n");
    repo.write("monorel.toml", "[release]\nchangelog = \"../rc\"\n").commit("fix: `touch pwned`");
    let refused = expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:2`: `release.changelog` must be a path inside the repository; `../rc` leaves the repository (`..`)
        help: write a path relative to the repository root, without `..` that leaves it
    "#]];
    check(&repo, &["changelog"], &refused);
    check(&repo, &["release", "patch", "--execute"], &refused);
    assert_eq!(std::fs::read_to_string(&rc).unwrap(), "# a shell rc file\n");

    let absolute = format!("[release]\nchangelog = \"{}\"\n", rc.display());
    repo.write("monorel.toml", &absolute).commit("chore: absolute");
    let output = repo.monorel(&["changelog"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(
            "error: `monorel.toml:2`: `release.changelog` must be a path inside the repository; `"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("` is absolute\n"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&rc).unwrap(), "# a shell rc file\n");
    assert_unchanged(&repo);
}

#[cfg(feature = "changelog")]
#[test]
fn a_changelog_that_is_a_link_is_neither_read_nor_written() {
    let repo = project();
    let target = outside(&repo, "notes.md", "# Changelog\n\n## [Unreleased]\n");
    std::fs::remove_file(repo.path().join("CHANGELOG.md")).unwrap();
    symlink(&target, repo.path().join("CHANGELOG.md")).unwrap();
    repo.commit("fix: a fix");
    let refused = expect![[r#"
        exit: 1
        --- stderr
        error: `CHANGELOG.md` is a symbolic link; monorel reads and writes only regular files
        help: make it a regular file inside the repository (`[release] changelog` names the changelog)
    "#]];
    check(&repo, &["changelog"], &refused);
    check(&repo, &["changelog", "--check"], &refused);
    // A directory on the way that leads outside is refused as well.
    std::fs::create_dir(repo.path().parent().unwrap().join("elsewhere")).unwrap();
    symlink(repo.path().parent().unwrap().join("elsewhere"), repo.path().join("docs")).unwrap();
    repo.write("monorel.toml", "[release]\nchangelog = \"docs/CHANGELOG.md\"\n")
        .commit("chore: docs");
    check(
        &repo,
        &["changelog"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `docs/CHANGELOG.md` resolves outside the repository, to `$TMP/elsewhere/CHANGELOG.md`
            help: make it a regular file inside the repository (`[release] changelog` names the changelog)
        "#]],
    );
    assert!(!repo.path().parent().unwrap().join("elsewhere/CHANGELOG.md").exists());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# Changelog\n\n## [Unreleased]\n");
    assert_unchanged(&repo);
}

#[test]
fn extra_files_outside_the_repository_are_refused_with_their_line() {
    let repo = project();
    let secret = outside(&repo, "secret.txt", "TOKEN=1.2.0\n");
    repo.write(
        "monorel.toml",
        "[groups.app]\npaths = [\"\"]\n\n[[groups.app.files]]\npath = \"/proc/self/environ\"\npattern = 'TOKEN=(?<version>[^\\x00]*)'\n",
    )
    .commit("chore: environ");
    let output = repo.monorel_with(&[("TOKEN", "hunter2")], &["versions"]);
    assert_eq!(
        transcript(&output),
        "exit: 1\n--- stderr\nerror: `monorel.toml:5`: `groups.app.files.path` must be a path inside the repository; `/proc/self/environ` is absolute\nhelp: write a path relative to the repository root, without `..` that leaves it\n"
    );
    repo.write(
        "monorel.toml",
        "[groups.app]\npaths = [\"\"]\n\n[[groups.app.files]]\npattern = 'TOKEN=(?<version>.*)'\npath = \"sub/../../secret.txt\"\n",
    )
    .commit("chore: parent");
    let refused = expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:6`: `groups.app.files.path` must be a path inside the repository; `sub/../../secret.txt` leaves the repository (`..`)
        help: write a path relative to the repository root, without `..` that leaves it
    "#]];
    check(&repo, &["versions"], &refused);
    check(&repo, &["bump", "minor", "--execute"], &refused);
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "TOKEN=1.2.0\n");
    assert_unchanged(&repo);
}

#[test]
fn extra_files_that_are_links_out_are_refused_with_their_line() {
    let repo = project();
    let secret = outside(&repo, "secret.txt", "TOKEN=1.2.0\n");
    symlink(&secret, repo.path().join("version.txt")).unwrap();
    symlink(repo.path().parent().unwrap(), repo.path().join("up")).unwrap();
    repo.write(
        "monorel.toml",
        "[groups.app]\npaths = [\"\"]\n\n[[groups.app.files]]\npath = \"version.txt\"\npattern = 'TOKEN=(?<version>.*)'\n",
    )
    .commit("chore: a link");
    let link = expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:5`: `groups.app.files.path`: `version.txt` is a symbolic link; monorel reads and writes only regular files
        help: name a regular file inside the repository, or remove the entry
    "#]];
    check(&repo, &["versions"], &link);
    check(&repo, &["bump", "minor", "--execute"], &link);
    repo.write(
        "monorel.toml",
        "[groups.app]\npaths = [\"\"]\n\n[[groups.app.files]]\npath = \"up/secret.txt\"\npattern = 'TOKEN=(?<version>.*)'\n",
    )
    .commit("chore: a linked directory");
    check(
        &repo,
        &["bump", "minor", "--execute"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `monorel.toml:5`: `groups.app.files.path`: `up/secret.txt` resolves outside the repository, to `$TMP/secret.txt`
            help: name a regular file inside the repository, or remove the entry
        "#]],
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "TOKEN=1.2.0\n");
    assert_unchanged(&repo);
}

#[test]
fn workspace_metadata_paths_are_confined() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"1.2.0\"\nedition = \"2021\"\n\n[workspace]\n\n[[workspace.metadata.monorel.groups.app.files]]\npath = \"../x\"\npattern = '(?<version>.*)'\n\n[workspace.metadata.monorel.groups.app]\npaths = [\"\"]\n",
    )
    .write("src/lib.rs", "")
    .commit("feat: app");
    check(
        &repo,
        &["versions"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `Cargo.toml:9`: `groups.app.files.path` must be a path inside the repository; `../x` leaves the repository (`..`)
            help: write a path relative to the repository root, without `..` that leaves it
        "#]],
    );
}

/// `versions`, in at most 20 s, with a stdin that never ends (a link to `/dev/stdin` would
/// wait on it forever).
fn versions_in_time(repo: &TestRepo) -> std::process::Output {
    #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
        .arg("versions")
        .current_dir(repo.path())
        .envs(repo.env())
        .env_remove("CARGO")
        .env_remove("GITHUB_ACTIONS")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("`monorel versions` still runs after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn tracked_links_are_links_not_the_files_they_point_to() {
    let repo = project();
    let target = outside(&repo, "other.toml", "[project]\nname = \"other\"\nversion = \"1.2.0\"\n");
    for (dir, to) in [
        ("linked", target.as_path()),
        ("zero", Path::new("/dev/zero")),
        ("stdin", Path::new("/dev/stdin")),
        ("inside", Path::new("../pyproject.toml")),
    ] {
        std::fs::create_dir_all(repo.path().join(dir)).unwrap();
        symlink(to, repo.path().join(dir).join("pyproject.toml")).unwrap();
    }
    symlink("/dev/zero", repo.path().join("Cargo.toml")).unwrap();
    repo.commit("chore: links");
    let output = versions_in_time(&repo);
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("app") && !stdout.contains("other"), "{stdout}");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");

    let output = repo.monorel(&["bump", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(repo.git(&["status", "--porcelain"]), " M pyproject.toml\n");
    for dir in ["linked", "zero", "stdin", "inside"] {
        let meta = std::fs::symlink_metadata(repo.path().join(dir).join("pyproject.toml"));
        assert!(meta.unwrap().file_type().is_symlink(), "{dir}");
    }
    assert!(std::fs::read_to_string(&target).unwrap().contains("1.2.0"));
}

#[test]
fn a_manifest_beyond_the_size_bound_is_refused_clearly() {
    let repo = project();
    let mut big = String::from("[project]\nname = \"big\"\nversion = \"1.2.0\"\n");
    big.push_str(
        &"# padding padding padding padding padding padding padding padding\n".repeat(270_000),
    );
    repo.write("big/pyproject.toml", &big).commit("chore: big");
    check(
        &repo,
        &["versions"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `big/pyproject.toml` is larger than 16 MiB, more than any manifest or version file holds
            help: list the file in `exclude` in `monorel.toml`, or make it smaller
        "#]],
    );
}

#[test]
fn a_linked_configuration_is_refused() {
    let repo = project();
    let target = outside(&repo, "monorel.toml", "[groups.app]\npaths = [\"\"]\n");
    symlink(&target, repo.path().join("monorel.toml")).unwrap();
    repo.commit("chore: linked configuration");
    check(
        &repo,
        &["versions"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `monorel.toml` is a symbolic link; monorel reads and writes only regular files
            help: monorel reads only regular files inside the repository; replace it with one
        "#]],
    );
}

/// The changelog, written, then `--check`ed: the second must find nothing to change.
#[cfg(feature = "changelog")]
fn changelog_twice(repo: &TestRepo) -> String {
    let output = repo.monorel(&["changelog"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let first = repo.read("CHANGELOG.md");
    let output = repo.monorel(&["changelog"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(repo.read("CHANGELOG.md"), first, "a second run changed the changelog");
    let output = repo.monorel(&["changelog", "--check"]);
    assert!(output.status.success(), "{}", transcript(&output));
    first
}

#[cfg(feature = "changelog")]
#[test]
fn a_record_separator_in_a_message_breaks_nothing() {
    let repo = project();
    repo.commit("fix: parse \u{1e} in names\n\nThe byte \u{1e} was the separator.\u{1e}")
        .commit("feat: after it");
    let changelog = changelog_twice(&repo);
    assert!(
        changelog.contains("- Parse \u{1e} in names")
            || changelog.contains("- parse \u{1e} in names"),
        "{changelog}"
    );
    assert!(changelog.contains("fter it"), "{changelog}");
    repo.commit("docs: changelog");
    let output = repo.monorel(&["release", "patch"]);
    assert!(output.status.success(), "{}", transcript(&output));
}

#[cfg(feature = "changelog")]
#[test]
fn entries_that_look_like_bullets_or_hold_a_cr_are_written_once() {
    let repo = project();
    repo.commit("fix: - nested bullet")
        .commit("feat: split\rthe parser")
        .commit("fix: crlf\r\n\r\nbody\r\n");
    let changelog = changelog_twice(&repo);
    assert_eq!(
        changelog,
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- App\n- Split the parser\n\n### Fixed\n\n- - nested bullet\n- crlf\n"
    );
}

#[test]
fn verify_artifacts_reads_no_directory_or_changelog_through_a_link_out() {
    let repo = project();
    let elsewhere = repo.path().parent().unwrap().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    symlink(&elsewhere, repo.path().join("dist")).unwrap();
    repo.write("monorel.toml", "[groups.app]\npaths = [\"\"]\nartifacts = [\"dist\"]\n")
        .commit("chore: artifacts");
    check(
        &repo,
        &["verify-artifacts", "--group", "app"],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `groups.app.artifacts`: `dist` resolves outside the repository, to `$TMP/elsewhere`
            help: name directories inside the repository, or pass the artifacts' paths
        "#]],
    );
    let notes = outside(&repo, "notes.md", "# Changelog\n");
    std::fs::remove_file(repo.path().join("CHANGELOG.md")).unwrap();
    symlink(&notes, repo.path().join("CHANGELOG.md")).unwrap();
    repo.write("monorel.toml", "[groups.app]\npaths = [\"\"]\n")
        .commit("chore: a linked changelog");
    check(
        &repo,
        &["verify-artifacts", "--group", "app", "--version", "1.2.0", "."],
        &expect![[r#"
            exit: 1
            --- stderr
            error: `CHANGELOG.md` is a symbolic link; monorel reads and writes only regular files
            help: make the changelog a regular file inside the repository (`[release] changelog` names it)
        "#]],
    );
}
