//! Branch flows end to end (release branches, finishing into `main`, hotfixes, tagging a
//! release that is already bumped) and the changelog merge driver: real git, a bare remote.

use crate::support::{TestRepo, transcript};

const DATE: (&str, &str) = ("MONOREL_DATE", "2024-05-01");

const CHANGELOG: &str =
    "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-01-01\n\n### Added\n\n- The engine\n";

/// `merge-driver --install` shows, then writes, `.gitattributes` and the git config; a plain
/// `git merge` of a release branch back into `develop` then resolves the changelog with both
/// sides' entries and the released section.
#[test]
fn the_merge_driver_resolves_a_back_merge_of_the_changelog() {
    let repo = TestRepo::new();
    repo.write("CHANGELOG.md", CHANGELOG).write("a.txt", "a\n").commit("chore: start");
    let dry = transcript(&repo.monorel(&["merge-driver", "--install"]));
    expect_test::expect![[r#"
        exit: 0
        --- stdout
        would add to `.gitattributes`: CHANGELOG.md merge=monorel
        would set: git config merge.monorel.name "monorel changelog merge"
        would set: git config merge.monorel.driver "monorel merge-driver %O %A %B %P"

        dry run: nothing was changed; run again with `--execute` to install (commit `.gitattributes` to share it; each clone sets the `git config` once)
    "#]]
    .assert_eq(&dry);
    assert!(!repo.path().join(".gitattributes").exists());
    let output = repo.monorel(&["merge-driver", "--install", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(repo.read(".gitattributes"), "CHANGELOG.md merge=monorel\n");
    assert_eq!(
        repo.git(&["config", "merge.monorel.driver"]).trim(),
        "monorel merge-driver %O %A %B %P"
    );
    // Once more changes nothing.
    let again = transcript(&repo.monorel(&["merge-driver", "--install", "--execute"]));
    assert!(again.contains("already in `.gitattributes`"), "{again}");
    assert_eq!(repo.read(".gitattributes"), "CHANGELOG.md merge=monorel\n");
    // The tests' `monorel` is not on `PATH`: name the binary itself.
    let driver = format!("{} merge-driver %O %A %B %P", env!("CARGO_BIN_EXE_monorel"));
    repo.git(&["config", "merge.monorel.driver", &driver]);
    repo.commit("chore: merge driver");

    repo.git(&["switch", "-q", "-c", "develop"]);
    repo.write(
        "CHANGELOG.md",
        &CHANGELOG.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Queues\n"),
    )
    .commit("feat: queues");
    repo.git(&["switch", "-q", "main"]);
    repo.write(
        "CHANGELOG.md",
        &CHANGELOG.replace(
            "## [Unreleased]\n",
            "## [Unreleased]\n\n## [1.2.1] - 2024-03-01\n\n### Fixed\n\n- Retry on timeout\n",
        ),
    )
    .commit("chore(release): v1.2.1");
    repo.git(&["switch", "-q", "develop"]);
    repo.git(&["merge", "-q", "--no-edit", "main"]);
    expect_test::expect![[r#"
        # Changelog

        ## [Unreleased]

        ### Added

        - Queues

        ## [1.2.1] - 2024-03-01

        ### Fixed

        - Retry on timeout

        ## [1.2.0] - 2024-01-01

        ### Added

        - The engine
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

fn run(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    repo.monorel_with(&[DATE], args)
}

fn ok(repo: &TestRepo, args: &[&str]) -> String {
    let output = run(repo, args);
    let text = transcript(&output);
    assert!(output.status.success(), "{args:?}: {text}");
    text
}

/// Every ref here and on the remote, the branch checked out, the work tree and the index.
fn fingerprint(repo: &TestRepo) -> String {
    format!(
        "HEAD {}{}refs:\n{}remote:\n{}status:\n{}",
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["symbolic-ref", "--short", "-q", "HEAD"]),
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"]),
        repo.remote_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.git(&["status", "--porcelain=v1", "-uall"]),
    )
}

/// A project released as 1.2.0 on `main`, with `develop` (named `develop`) holding a `feat` and
/// a `fix` since, both branches on the remote.
fn gitflow(develop: &str, config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.2.0\"\n")
        .write("contd/__init__.py", "__version__ = \"1.2.0\"\n")
        .write("CHANGELOG.md", CHANGELOG)
        .write("contd/engine.py", "x = 0\n")
        .write("monorel.toml", config)
        .commit("chore: release 1.2.0")
        .tag("v1.2.0");
    repo.with_remote();
    if develop != "main" {
        repo.git(&["switch", "-q", "-c", develop]);
    }
    repo.write("contd/timers.py", "t = 1\n").commit("feat: durable timers (#12)");
    repo.write("contd/engine.py", "x = 1\n").commit("fix: retry on timeout");
    if develop != "main" {
        repo.git(&["push", "-q", "-u", "origin", develop]);
    }
    repo.git(&["fetch", "-q", "origin"]);
    repo
}

const MINOR_PROCESS: &str = "[release.flow]\ndevelop = \"develop\"\nmain = \"main\"\nrelease-branch = \"release-v{version}\"\ndelete-branch = true\n";

/// The graph and the refs, for people.
fn graph(repo: &TestRepo) -> String {
    repo.git(&["log", "--graph", "--format=%s%d", "--all", "-12"])
}

/// The minor-release process: `release-v1.3.0` from `develop` with the bump and the dated
/// changelog, pushed with its upstream; meanwhile `develop` moves on (a changelog entry of its
/// own); then `--no-ff` into `main`, the tag on the merge commit, `main` back into `develop`
/// (the changelog conflict resolved), the branch deleted here and there, one atomic push.
#[test]
fn the_minor_release_process_from_develop_through_a_release_branch() {
    let repo = gitflow("develop", MINOR_PROCESS);
    let before = fingerprint(&repo);
    let dry = ok(&repo, &["release", "start", "minor", "--push"]);
    assert_eq!(fingerprint(&repo), before, "the dry run changes nothing");
    let steps = &dry[dry.find("steps:").unwrap()..];
    expect_test::expect![[r#"
        steps:
          1. create branch `release-v1.3.0` from `develop` (c77f34c476) and switch to it
          2. write 3 files (all or none): `CHANGELOG.md`, `contd/__init__.py`, `pyproject.toml`
          3. commit exactly those files: "chore(release): v1.3.0"
          4. push `release-v1.3.0` to `origin` together (`git push --atomic --set-upstream`)

        dry run: nothing was changed, not a file and not a ref; run again with `--execute` to release
    "#]].assert_eq(steps);
    ok(&repo, &["release", "start", "minor", "--push", "--execute"]);
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "release-v1.3.0");
    assert_eq!(repo.git(&["rev-parse", "@{upstream}"]), repo.git(&["rev-parse", "HEAD"]));
    assert!(repo.read("CHANGELOG.md").contains("## [1.3.0] - 2024-05-01"));

    repo.git(&["switch", "-q", "develop"]);
    repo.write(
        "CHANGELOG.md",
        &repo
            .read("CHANGELOG.md")
            .replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Queues, by hand\n"),
    )
    .write("contd/queues.py", "q = 1\n")
    .commit("feat: queues");
    repo.git(&["push", "-q", "origin", "develop"]);
    repo.git(&["switch", "-q", "release-v1.3.0"]);

    let dry = ok(&repo, &["release", "finish", "--push"]);
    let steps = &dry[dry.find("steps:").unwrap()..];
    expect_test::expect![[r#"
        steps:
          1. merge `release-v1.3.0` into `main` with `--no-ff`: "Merge branch 'release-v1.3.0' into main" (a conflict in `CHANGELOG.md` is resolved by monorel; any other stops the release, resumable)
          2. create the annotated tag `v1.3.0` at the merge commit, its message the release notes
          3. merge `main` into `develop`: "Merge branch 'main' into develop" (a conflict in `CHANGELOG.md` is resolved by monorel; any other stops the release, resumable)
          4. delete branch `release-v1.3.0` here and, with the push, on the remote
          5. push `main`, `develop`, `v1.3.0`, the deletion of `release-v1.3.0` to `origin` together (`git push --atomic`)

        dry run: nothing was changed, not a file and not a ref; run again with `--execute` to release
    "#]].assert_eq(steps);
    let finish = ok(&repo, &["release", "finish", "--push", "--execute"]);
    assert!(finish.contains("resolved the conflict in `CHANGELOG.md`"), "{finish}");
    expect_test::expect![[r#"
        *   Merge branch 'main' into develop (HEAD -> develop, origin/develop)
        |\  
        | *   Merge branch 'release-v1.3.0' into main (tag: v1.3.0, origin/main, origin/HEAD, main)
        | |\  
        | | * chore(release): v1.3.0
        * | | feat: queues
        | |/  
        |/|   
        * | fix: retry on timeout
        * | feat: durable timers (#12)
        |/  
        * chore: release 1.2.0 (tag: v1.2.0)
    "#]]
    .assert_eq(&graph(&repo));
    expect_test::expect![[r#"
        # Changelog

        ## [Unreleased]

        ### Added

        - Queues, by hand

        ## [1.3.0] - 2024-05-01

        ### Added

        - Durable timers (#12)

        ### Fixed

        - Retry on timeout

        ## [1.2.0] - 2024-01-01

        ### Added

        - The engine
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    assert_eq!(
        repo.remote_git(&["rev-parse", "v1.3.0^{commit}"]),
        repo.git(&["rev-parse", "main"])
    );
    assert_eq!(repo.remote_git(&["rev-parse", "develop"]), repo.git(&["rev-parse", "develop"]));
    assert!(repo.remote_git(&["branch", "--list", "release-v1.3.0"]).is_empty());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

/// The minor-release process up to `finish`: the release branch started and `develop` moved on.
fn started(config: &str) -> TestRepo {
    let repo = gitflow("develop", config);
    ok(&repo, &["release", "start", "minor", "--push", "--execute"]);
    repo.git(&["switch", "-q", "develop"]);
    repo.write("CHANGELOG.md", &repo.read("CHANGELOG.md").replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Queues, by hand\n"))
        .commit("feat: queues");
    repo.git(&["push", "-q", "origin", "develop"]);
    repo.git(&["switch", "-q", "release-v1.3.0"]);
    repo
}

/// Stopped after each step of `start` and of `finish`, `--resume` reaches exactly what an
/// uninterrupted run reaches (refs, remote refs, tree); `--abort` gives back exactly the start,
/// but after the push, which it refuses.
#[test]
fn each_flow_interrupted_after_every_step_resumes_or_aborts() {
    type Setup = fn() -> TestRepo;
    let flows: [(Setup, &[&str], &[&str]); 2] = [
        (|| gitflow("develop", MINOR_PROCESS), &["release", "start", "minor", "--push", "--execute"], &["branch", "write", "commit", "push"]),
        (|| started(MINOR_PROCESS), &["release", "finish", "--push", "--execute"], &["merge", "tag", "back-merge", "delete-branch", "push"]),
    ];
    for (setup, args, steps) in flows {
        let reference = setup();
        ok(&reference, args);
        let done = fingerprint(&reference);
        for step in steps {
            let what = format!("{} after `{step}`", args[1]);
            let repo = setup();
            let start = fingerprint(&repo);
            let output = repo.monorel_with(&[DATE, ("MONOREL_FAIL_AFTER", step)], args);
            assert_eq!(output.status.code(), Some(3), "{what}: {}", transcript(&output));
            ok(&repo, &["release", "--resume"]);
            assert_eq!(fingerprint(&repo), done, "{what}, resume");

            let twin = setup();
            let output = twin.monorel_with(&[DATE, ("MONOREL_FAIL_AFTER", step)], args);
            assert_eq!(output.status.code(), Some(3), "{what}: {}", transcript(&output));
            let output = run(&twin, &["release", "--abort"]);
            if *step == "push" {
                assert!(!output.status.success(), "{what}: abort after the push must refuse");
                assert!(transcript(&output).contains("already on `origin`"), "{}", transcript(&output));
            } else {
                assert!(output.status.success(), "{what}: {}", transcript(&output));
                assert_eq!(fingerprint(&twin), start, "{what}, abort");
            }
        }
    }
}
