//! Branch flows end to end (release branches, finishing into `main`, hotfixes, tagging a
//! release that is already bumped) and the changelog merge driver: real git, a bare remote.

use crate::support::{TestRepo, transcript};

use crate::release::DATE;

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

/// A run's transcript, each line's trailing blanks taken off (as rustfmt keeps snapshots).
fn trimmed(output: &std::process::Output) -> String {
    transcript(output).lines().map(|l| format!("{}\n", l.trim_end())).collect()
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

const VMPILOT: &str = "[release.flow]\ndevelop = \"dev\"\nmain = \"main\"\n";
const CONTD: &str = "[release.flow]\nmain = \"main\"\nrelease-branch = \"release/v{version}\"\n";

/// Contd up to `finish`: `release/v1.3.0` started from `main`, which moved on.
fn contd_started() -> TestRepo {
    let repo = gitflow("main", CONTD);
    repo.git(&["push", "-q", "origin", "main"]);
    ok(&repo, &["release", "start", "minor", "--push", "--execute"]);
    repo.git(&["switch", "-q", "main"]);
    repo.write("contd/queues.py", "q = 1\n").commit("feat: queues");
    repo.git(&["push", "-q", "origin", "main"]);
    repo.git(&["switch", "-q", "release/v1.3.0"]);
    repo
}

/// The minor-release process up to `finish`: the release branch started and `develop` moved on.
fn started(config: &str) -> TestRepo {
    let repo = gitflow("develop", config);
    ok(&repo, &["release", "start", "minor", "--push", "--execute"]);
    repo.git(&["switch", "-q", "develop"]);
    repo.write(
        "CHANGELOG.md",
        &repo
            .read("CHANGELOG.md")
            .replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- Queues, by hand\n"),
    )
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
    let flows: [(Setup, &[&str], &[&str]); 4] = [
        (
            || gitflow("dev", VMPILOT),
            &["release", "finish", "minor", "--push", "--execute"],
            &["write", "commit", "merge", "tag", "back-merge", "push"],
        ),
        (
            contd_started,
            &["release", "finish", "--push", "--delete-branch", "--execute"],
            &["tag", "back-merge", "delete-branch", "push"],
        ),
        (
            || gitflow("develop", MINOR_PROCESS),
            &["release", "start", "minor", "--push", "--execute"],
            &["branch", "write", "commit", "push"],
        ),
        (
            || started(MINOR_PROCESS),
            &["release", "finish", "--push", "--execute"],
            &["merge", "tag", "back-merge", "delete-branch", "push"],
        ),
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
                assert!(
                    transcript(&output).contains("already on `origin`"),
                    "{}",
                    transcript(&output)
                );
            } else {
                assert!(output.status.success(), "{what}: {}", transcript(&output));
                assert_eq!(fingerprint(&twin), start, "{what}, abort");
            }
        }
    }
}

/// VMPilot: `dev` finished straight into `main` (bump and changelog on `dev`, `--no-ff` into
/// `main`, the tag there, `main` back into `dev`); then a hotfix from the tip of `main`, whose
/// back-merge into `dev` meets a code conflict: the release stops, resumable, and is finished
/// once the conflict is resolved.
#[test]
fn vmpilot_dev_into_main_then_a_hotfix_from_main_back_into_both() {
    let repo = gitflow("dev", VMPILOT);
    ok(&repo, &["release", "finish", "minor", "--push", "--execute"]);
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "dev");
    assert_eq!(repo.git(&["rev-parse", "v1.3.0^{commit}"]), repo.git(&["rev-parse", "main"]));
    assert_eq!(
        repo.git(&["rev-parse", "dev"]),
        repo.git(&["rev-parse", "main"]),
        "dev fast-forwards to the merge"
    );
    assert_eq!(repo.git(&["rev-list", "--count", "--merges", "main"]).trim(), "1");

    let dry = ok(&repo, &["release", "hotfix", "--push"]);
    assert!(dry.contains("create branch `hotfix/v1.3.1` from `main`"), "{dry}");
    ok(&repo, &["release", "hotfix", "--push", "--execute"]);
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "hotfix/v1.3.1");
    repo.write("contd/engine.py", "x = 'hotfix'\n").commit("fix: engine crash");
    repo.git(&["switch", "-q", "dev"]);
    repo.write("contd/engine.py", "x = 'dev'\n").commit("feat: engine v2");
    repo.git(&["switch", "-q", "hotfix/v1.3.1"]);

    let output =
        run(&repo, &["release", "finish", "patch", "--push", "--delete-branch", "--execute"]);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the merge of `main` into `dev` stopped on conflicts in `contd/engine.py`"),
        "{text}"
    );
    assert!(text.contains("`git add contd/engine.py`, then `monorel release --resume`"), "{text}");
    // Nothing was pushed yet; main has the tagged merge.
    assert!(repo.remote_git(&["tag"]).lines().all(|t| t != "v1.3.1"));
    repo.write("contd/engine.py", "x = 'dev and hotfix'\n");
    repo.git(&["add", "contd/engine.py"]);
    ok(&repo, &["release", "--resume"]);
    assert_eq!(
        repo.remote_git(&["rev-parse", "v1.3.1^{commit}"]),
        repo.git(&["rev-parse", "main"])
    );
    assert_eq!(repo.remote_git(&["rev-parse", "dev"]), repo.git(&["rev-parse", "dev"]));
    assert!(repo.git(&["branch", "--list", "hotfix/v1.3.1"]).is_empty());
    assert!(repo.remote_git(&["branch", "--list", "hotfix/v1.3.1"]).is_empty());
    assert_eq!(repo.read("contd/engine.py"), "x = 'dev and hotfix'\n");
    assert!(repo.read("CHANGELOG.md").contains("## [1.3.1] - 2024-05-01"));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    expect_test::expect![[r#"
        *   Merge branch 'main' into dev (HEAD -> dev, origin/dev)
        |\  
        | *   Merge branch 'hotfix/v1.3.1' into main (tag: v1.3.1, origin/main, origin/HEAD, main)
        | |\  
        | | * chore(release): v1.3.1
        | | * fix: engine crash
        | |/  
        * / feat: engine v2
        |/  
        *   Merge branch 'dev' into main (tag: v1.3.0)
        |\  
        | * chore(release): v1.3.0
        | * fix: retry on timeout
        | * feat: durable timers (#12)
        |/  
        * chore: release 1.2.0 (tag: v1.2.0)
    "#]]
    .assert_eq(&graph(&repo));
}

/// Contd: one trunk (`main`), a release branch tagged on itself and merged back, then a
/// hotfix from the tag, released on its branch with `release patch`, and merged back.
#[test]
fn contd_a_release_branch_a_hotfix_from_a_tag_and_the_merge_back() {
    let repo = gitflow("main", CONTD);
    repo.git(&["push", "-q", "origin", "main"]);
    ok(&repo, &["release", "start", "minor", "--push", "--execute"]);
    let dry = ok(&repo, &["release", "finish", "--push"]);
    let steps = &dry[dry.find("steps:").unwrap()..];
    expect_test::expect![[r#"
        steps:
          1. create the annotated tag `v1.3.0` at `HEAD`, its message the release notes
          2. merge `release/v1.3.0` into `main`: "Merge branch 'release/v1.3.0' into main" (a conflict in `CHANGELOG.md` is resolved by monorel; any other stops the release, resumable)
          3. push `main`, `release/v1.3.0`, `v1.3.0` to `origin` together (`git push --atomic`)

        dry run: nothing was changed, not a file and not a ref; run again with `--execute` to release
    "#]].assert_eq(steps);
    ok(&repo, &["release", "finish", "--push", "--execute"]);
    assert_eq!(
        repo.git(&["rev-parse", "v1.3.0^{commit}"]),
        repo.git(&["rev-parse", "release/v1.3.0"])
    );
    assert_eq!(repo.remote_git(&["rev-parse", "main"]), repo.git(&["rev-parse", "release/v1.3.0"]));

    repo.write("contd/timers.py", "t = 2\n").commit("feat: more timers");
    ok(&repo, &["release", "hotfix", "--from", "v1.3.0", "--push", "--execute"]);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), repo.git(&["rev-parse", "v1.3.0^{commit}"]));
    repo.write("contd/engine.py", "x = 'fixed'\n").commit("fix: engine crash");
    ok(&repo, &["release", "patch", "--push", "--execute"]);
    let output = run(&repo, &["release", "finish", "--push"]);
    let text = transcript(&output);
    assert!(output.status.success() && !text.contains("create the annotated"), "{text}");
    ok(&repo, &["release", "finish", "--push", "--execute"]);
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]).trim(), "main");
    assert!(repo.git(&["merge-base", "--is-ancestor", "v1.3.1", "main"]).is_empty());
    assert_eq!(repo.remote_git(&["rev-parse", "main"]), repo.git(&["rev-parse", "main"]));
    assert_eq!(repo.read("contd/timers.py"), "t = 2\n");
    assert_eq!(repo.read("contd/engine.py"), "x = 'fixed'\n");
    expect_test::expect![[r#"
        *   Merge branch 'hotfix/v1.3.1' into main (HEAD -> main, origin/main, origin/HEAD)
        |\  
        | * chore(release): v1.3.1 (tag: v1.3.1, origin/hotfix/v1.3.1, hotfix/v1.3.1)
        | * fix: engine crash
        * | feat: more timers
        |/  
        * chore(release): v1.3.0 (tag: v1.3.0, origin/release/v1.3.0, release/v1.3.0)
        * fix: retry on timeout
        * feat: durable timers (#12)
        * chore: release 1.2.0 (tag: v1.2.0)
    "#]]
    .assert_eq(&graph(&repo));
}

/// A release already bumped (files at 1.3.0, the changelog's section dated, as after a merged
/// release PR): `release tag` tags `HEAD` with the section as its notes and pushes it; on a
/// tree that is not bumped it says why and how.
#[test]
fn tagging_a_release_that_is_already_bumped() {
    let repo = gitflow("main", "");
    repo.git(&["push", "-q", "origin", "main"]);
    let refused = trimmed(&run(&repo, &["release", "tag"]));
    expect_test::expect![[r#"
        exit: 1
        --- stdout
        release 1.2.0 of group `default`: the files hold 1.2.0 already (tag `v1.2.0`, 2024-05-01)


        release notes (the tag's message):

            ### Added

            - The engine

        steps:
          1. create the annotated tag `v1.2.0` at `HEAD`, its message the release notes

        dry run: nothing was changed, not a file and not a ref; the problems above stop this release

        --- stderr
        error: tag `v1.2.0` already exists
        help: choose another version, or delete the tag if it was a mistake (`git tag -d`)
        no release: 1 problem to fix first; nothing was changed
    "#]]
    .assert_eq(&refused);
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.3.0\"\n")
        .write("contd/__init__.py", "__version__ = \"1.3.0\"\n")
        .write("CHANGELOG.md", &CHANGELOG.replace("## [Unreleased]\n", "## [Unreleased]\n\n## [1.3.0] - 2024-04-30\n\n### Added\n\n- Durable timers (#12)\n"))
        .commit("chore(release): 1.3.0 (#40)");
    repo.git(&["push", "-q", "origin", "main"]);
    let before = fingerprint(&repo);
    let dry = trimmed(&run(&repo, &["release", "tag", "--push"]));
    expect_test::expect![[r#"
        exit: 0
        --- stdout
        release 1.3.0 of group `default`: the files hold 1.3.0 already (tag `v1.3.0`, 2024-05-01)


        release notes (the tag's message):

            ### Added
    
            - Durable timers (#12)

        steps:
          1. create the annotated tag `v1.3.0` at `HEAD`, its message the release notes
          2. push `main`, `v1.3.0` to `origin` together (`git push --atomic`)

        dry run: nothing was changed, not a file and not a ref; run again with `--execute` to release
    "#]].assert_eq(&dry);
    assert_eq!(fingerprint(&repo), before);
    ok(&repo, &["release", "tag", "--push", "--execute"]);
    assert_eq!(
        repo.remote_git(&["rev-parse", "v1.3.0^{commit}"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    assert_eq!(
        repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]),
        "### Added\n\n- Durable timers (#12)\n\n"
    );
}

/// Killed (SIGKILL) at every rename and after every process of `release finish` (every third
/// point unless `MONOREL_SLOW_TESTS=1`), `--resume` reaches what an uninterrupted finish
/// reaches and `--abort` gives back the start, or refuses once the push reached the remote.
#[test]
fn a_finish_killed_at_any_point_is_resumed_or_aborted() {
    let args = ["release", "finish", "--push", "--execute"];
    let reference = started(MINOR_PROCESS);
    ok(&reference, &args);
    let done = fingerprint(&reference);
    let every = std::env::var("MONOREL_SLOW_TESTS").is_ok_and(|v| v == "1");
    for n in (1..).step_by(if every { 1 } else { 3 }) {
        let at = n.to_string();
        let kill = [DATE, ("MONOREL_TEST_KILL_AT", at.as_str())];
        let repo = started(MINOR_PROCESS);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(&kill, &args);
        if output.status.code().is_some() {
            assert!(output.status.success(), "{n}: {}", transcript(&output));
            assert!(n > 20, "only {n} points: the injection does not reach the steps");
            break;
        }
        let what = format!("killed at {n}");
        if !repo.path().join(".git/monorel-release/state.json").exists() {
            assert_eq!(fingerprint(&repo), start, "{what}");
            continue;
        }
        ok(&repo, &["release", "--resume"]);
        assert_eq!(fingerprint(&repo), done, "{what}, resume");

        let twin = started(MINOR_PROCESS);
        assert_eq!(twin.monorel_with(&kill, &args).status.code(), None, "{what}: the twin too");
        let output = run(&twin, &["release", "--abort"]);
        let text = transcript(&output);
        if output.status.success() {
            assert_eq!(fingerprint(&twin), start, "{what}, abort");
        } else {
            assert!(text.contains("already on `origin`"), "{what}, abort: {text}");
            ok(&twin, &["release", "--resume"]);
            assert_eq!(fingerprint(&twin), done, "{what}, resume after abort");
        }
        assert!(!twin.path().join(".git/monorel-release").exists(), "{what}: state left");
    }
}
