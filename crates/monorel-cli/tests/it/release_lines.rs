//! What a release leaves behind it: the next development version (its message, its diff in
//! the dry run, sites that keep the released version, `verify-artifacts` right after it), and
//! releases from maintenance lines (`stable/1.0`, `1.x`).

use expect_test::expect;

use crate::{
    support::{TestRepo, transcript},
    verify_artifacts::python,
};

use crate::release::DATE;

const NEXT_DEV: &str = "[release]\nnext-dev = true\nnext-dev-message = \"chore: begin {version} after {tag}\"\n\n[[groups.contd.files]]\npath = \"docs/install.md\"\npattern = 'contd==(?<version>[^\\s]+)'\nspelling = \"pep440\"\nnext-dev = false\n\n[groups.contd]\npackages = [\"*\"]\n";

/// v1.3.0 released with a docs install line, then a `feat`.
fn project(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(".gitignore", "dist/\n")
        .write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.3.0\"\n")
        .write("docs/install.md", "pip install contd==1.3.0\n")
        .write(
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2024-01-01\n\n- Engine\n",
        )
        .write("monorel.toml", config)
        .commit("chore: release 1.3.0")
        .tag("v1.3.0");
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers");
    repo
}

fn run(repo: &TestRepo, args: &[&str]) -> String {
    let output = repo.monorel_with(&[DATE], args);
    let text = transcript(&output);
    assert!(output.status.success(), "{args:?}: {text}");
    text
}

#[test]
fn next_dev_has_its_message_its_diff_and_leaves_the_released_version_where_asked() {
    let repo = project(NEXT_DEV);
    let dry = run(&repo, &["release", "minor", "--offline"]);
    let dev_part = &dry[dry.find("then, for the next development version").unwrap()
        ..dry.find("release notes").unwrap()];
    expect![[r#"
        then, for the next development version 1.5.0-dev:

        --- a/pyproject.toml
        +++ b/pyproject.toml
        @@ -1,3 +1,3 @@
         [project]
         name = "contd"
        -version = "1.4.0"
        +version = "1.5.0.dev0"

    "#]]
    .assert_eq(dev_part);
    assert!(dry.contains("commit it: \"chore: begin 1.5.0-dev after v1.4.0\""), "{dry}");

    run(&repo, &["release", "minor", "--execute", "--offline"]);
    expect![[r#"
        chore: begin 1.5.0-dev after v1.4.0 (HEAD -> main)
        chore(release): v1.4.0 (tag: v1.4.0)
    "#]]
    .assert_eq(&repo.git(&["log", "--format=%s%d", "-2"]));
    assert_eq!(repo.read("docs/install.md"), "pip install contd==1.4.0\n");
    assert!(repo.read("pyproject.toml").contains("version = \"1.5.0.dev0\""));
    // The install line is no drift: the next release moves it with everything else.
    let versions = repo.monorel(&["versions", "--check"]);
    assert!(versions.status.success(), "{}", transcript(&versions));
    repo.write("contd/engine.py", "x = 2\n").commit("feat: more timers");
    run(&repo, &["release", "minor", "--execute", "--offline"]);
    assert_eq!(repo.read("docs/install.md"), "pip install contd==1.5.0\n");
    assert!(repo.read("pyproject.toml").contains("version = \"1.6.0.dev0\""));
}

#[test]
fn verify_artifacts_right_after_a_next_dev_release_checks_the_release() {
    let repo = project(NEXT_DEV);
    run(&repo, &["release", "minor", "--execute", "--offline"]);
    std::fs::create_dir_all(repo.path().join("dist")).unwrap();
    python(&repo.path(), "m.wheel('dist', 'contd', '1.4.0')");
    let output = repo.monorel(&["verify-artifacts"]);
    let text = transcript(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("note: `HEAD` is the development version 1.5.0-dev, committed after the release: verifying the release tagged at `HEAD^` (`v1.4.0`)"), "{text}");
    assert!(text.contains("`1.4.0` from tag `v1.4.0`"), "{text}");
}

/// v1.0.3 on `stable/1.0`, a fix since; `main` has moved on.
fn maintenance(branch: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.0.3\"\n")
        .write(
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.0.3] - 2024-01-01\n\n- Engine\n",
        )
        .write(
            "monorel.toml",
            "[release]\nbranches = [\"main\", \"stable/*\", \"*.x\"]\nnext-dev = true\n",
        )
        .commit("chore: release 1.0.3")
        .tag("v1.0.3");
    repo.git(&["switch", "-q", "-c", branch]);
    repo.write("contd/engine.py", "x = 1\n").commit("fix: retry on timeout");
    repo
}

#[test]
fn a_maintenance_line_releases_within_itself_and_develops_the_next_patch() {
    let repo = maintenance("stable/1.0");
    let output = repo.monorel_with(&[DATE], &["release", "minor", "--offline"]);
    let text = transcript(&output);
    assert!(!output.status.success());
    assert!(text.contains("error: `stable/1.0` is the maintenance line 1.0.x, and 1.1.0 is not on it: a release there stays within its line\nhelp: release a patch (`monorel release patch`), or release 1.1.0 from the branch of the newer line"), "{text}");
    run(&repo, &["release", "patch", "--execute", "--offline"]);
    expect![[r#"
        chore(release): start 1.0.5-dev (HEAD -> stable/1.0)
        chore(release): v1.0.4 (tag: v1.0.4)
    "#]]
    .assert_eq(&repo.git(&["log", "--format=%s%d", "-2"]));
    // `1.x` takes minors, never a major.
    let repo = maintenance("1.x");
    let output = repo.monorel_with(&[DATE], &["release", "major", "--offline"]);
    assert!(
        transcript(&output).contains("`1.x` is the maintenance line 1.x, and 2.0.0 is not on it")
    );
    run(&repo, &["release", "minor", "--execute", "--offline"]);
    assert!(repo.read("pyproject.toml").contains("version = \"1.1.1.dev0\""));
}
