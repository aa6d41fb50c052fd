//! `monorel release` end to end: real git, a bare repository as the remote, fixed dates.

use expect_test::{Expect, expect};

use crate::support::{TestRepo, transcript};

pub(crate) const DATE: (&str, &str) = ("MONOREL_DATE", "2024-05-01");

/// A released project (v1.2.0 on the remote) with a `feat` and a `fix` since, and a release
/// configuration that has every step.
pub(crate) fn project(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.2.0\"\n")
        .write("contd/__init__.py", "__version__ = \"1.2.0\"\n")
        .write("helm/contd/Chart.yaml", "apiVersion: v2\nname: contd\nversion: 1.2.0\nappVersion: \"1.2.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-01-01\n\n### Added\n\n- The engine\n")
        .write("monorel.toml", config)
        .commit("chore: release 1.2.0")
        .tag("v1.2.0");
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers (#12)");
    repo.write("contd/engine.py", "x = 2\n").commit("fix: retry on timeout");
    repo.with_remote();
    repo
}

pub(crate) const EVERY_STEP: &str = "[release]\npre-commit = [\"test -f CHANGELOG.md\"]\npost-tag = [\"true\"]\nnext-dev = true\npush = true\n";

/// Everything a release can change: refs here and on the remote, the work tree, the index.
pub(crate) fn fingerprint(repo: &TestRepo) -> String {
    format!(
        "HEAD {}refs:\n{}remote:\n{}status:\n{}",
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"]),
        repo.remote_git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
        repo.git(&["status", "--porcelain=v1", "-uall"]),
    )
}

fn run(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    repo.monorel_with(&[DATE], args)
}

fn check(repo: &TestRepo, args: &[&str], expected: Expect) {
    let text = transcript(&run(repo, args));
    let text: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    expected.assert_eq(&text);
}

#[test]
fn the_dry_run_prints_the_plan_and_changes_nothing() {
    let repo = project(EVERY_STEP);
    let before = fingerprint(&repo);
    check(
        &repo,
        &["release", "minor"],
        expect![[r#"
        exit: 0
        --- stdout
        release 1.3.0 of group `default`: 1.2.0 -> 1.3.0 (tag `v1.3.0`, 2024-05-01)

        --- a/CHANGELOG.md
        +++ b/CHANGELOG.md
        @@ -2,6 +2,16 @@

         ## [Unreleased]

        +## [1.3.0] - 2024-05-01
        +
        +### Added
        +
        +- Durable timers (#12)
        +
        +### Fixed
        +
        +- Retry on timeout
        +
         ## [1.2.0] - 2024-01-01

         ### Added
        --- a/contd/__init__.py
        +++ b/contd/__init__.py
        @@ -1 +1 @@
        -__version__ = "1.2.0"
        +__version__ = "1.3.0"
        --- a/helm/contd/Chart.yaml
        +++ b/helm/contd/Chart.yaml
        @@ -1,4 +1,4 @@
         apiVersion: v2
         name: contd
        -version: 1.2.0
        -appVersion: "1.2.0"
        +version: 1.3.0
        +appVersion: "1.3.0"
        --- a/pyproject.toml
        +++ b/pyproject.toml
        @@ -1,3 +1,3 @@
         [project]
         name = "contd"
        -version = "1.2.0"
        +version = "1.3.0"

        then, for the next development version 1.4.0-dev:

        --- a/contd/__init__.py
        +++ b/contd/__init__.py
        @@ -1 +1 @@
        -__version__ = "1.3.0"
        +__version__ = "1.4.0.dev0"
        --- a/helm/contd/Chart.yaml
        +++ b/helm/contd/Chart.yaml
        @@ -1,4 +1,4 @@
         apiVersion: v2
         name: contd
        -version: 1.3.0
        -appVersion: "1.3.0"
        +version: 1.4.0-dev
        +appVersion: "1.4.0-dev"
        --- a/pyproject.toml
        +++ b/pyproject.toml
        @@ -1,3 +1,3 @@
         [project]
         name = "contd"
        -version = "1.3.0"
        +version = "1.4.0.dev0"

        release notes (the tag's message):

            ### Added

            - Durable timers (#12)

            ### Fixed

            - Retry on timeout

        steps:
          1. write 4 files (all or none): `CHANGELOG.md`, `contd/__init__.py`, `helm/contd/Chart.yaml`, `pyproject.toml`
          2. run `test -f CHANGELOG.md`
          3. commit exactly those files: "chore(release): v1.3.0"
          4. create the annotated tag `v1.3.0` at that commit, its message the release notes
          5. run `true`
          6. bump to the next development version 1.4.0-dev and commit it: "chore(release): start 1.4.0-dev"
          7. push `main` and `v1.3.0` to `origin` together (`git push --atomic`)

        dry run: nothing was changed, not a file and not a ref; run again with `--execute` to release
    "#]],
    );
    assert_eq!(fingerprint(&repo), before);
}

#[test]
fn execute_makes_one_commit_of_the_planned_files_and_an_annotated_tag_of_the_notes() {
    let repo = project("");
    let output = run(&repo, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        chore(release): v1.3.0


         CHANGELOG.md          | 10 ++++++++++
         contd/__init__.py     |  2 +-
         helm/contd/Chart.yaml |  4 ++--
         pyproject.toml        |  2 +-
         4 files changed, 14 insertions(+), 4 deletions(-)
    "#]]
    .assert_eq(&repo.git(&["show", "--stat", "--format=%s%n", "HEAD"]));
    expect![[r#"
        tag ### Added

        - Durable timers (#12)

        ### Fixed

        - Retry on timeout

    "#]]
    .assert_eq(&repo.git(&[
        "for-each-ref",
        "--format=%(objecttype) %(contents)",
        "refs/tags/v1.3.0",
    ]));
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    // Nothing was pushed without `--push`.
    assert!(repo.remote_git(&["tag"]).trim() == "v1.2.0");
}

#[test]
fn push_and_next_development_version() {
    let repo = project(EVERY_STEP);
    let output = run(&repo, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        chore(release): start 1.4.0-dev (HEAD -> main, origin/main, origin/HEAD)
        chore(release): v1.3.0 (tag: v1.3.0)
        fix: retry on timeout
    "#]]
    .assert_eq(&repo.git(&["log", "--format=%s%d", "-3"]));
    assert_eq!(repo.remote_git(&["rev-parse", "main"]), repo.git(&["rev-parse", "HEAD"]));
    assert_eq!(
        repo.remote_git(&["rev-parse", "v1.3.0^{commit}"]),
        repo.git(&["rev-parse", "HEAD~1"])
    );
    assert_eq!(
        repo.read("pyproject.toml"),
        "[project]\nname = \"contd\"\nversion = \"1.4.0.dev0\"\n"
    );
    assert_eq!(
        repo.read("helm/contd/Chart.yaml"),
        "apiVersion: v2\nname: contd\nversion: 1.4.0-dev\nappVersion: \"1.4.0-dev\"\n"
    );
}

#[test]
fn auto_picks_the_level_from_the_commits() {
    for (commit, expected) in
        [("fix: a", "1.2.1"), ("feat: b", "1.3.0"), ("feat!: c", "2.0.0"), ("perf: d", "1.2.1")]
    {
        let repo = TestRepo::new();
        repo.write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.0\"\n")
            .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
            .commit("chore: start")
            .tag("v1.2.0");
        repo.write("a.txt", commit).commit(commit);
        let output = run(&repo, &["release", "auto", "--offline"]);
        let text = transcript(&output);
        assert!(output.status.success(), "{text}");
        assert!(text.contains(&format!("-> {expected} (tag `v{expected}`")), "{commit}: {text}");
        assert!(text.contains("` chose") && text.contains(commit), "{text}");
    }
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.0\"\n")
        .commit("chore: start")
        .tag("v1.2.0");
    repo.write("a.txt", "x").commit("docs: only docs");
    check(
        &repo,
        &["release", "auto", "--offline"],
        expect![[r#"
        exit: 1
        --- stderr
        error: nothing to release: no `feat`, `fix`, `perf` or breaking commit since `v1.2.0`
        help: land a releasable commit, or name the level (`monorel release patch`)
    "#]],
    );
}

#[test]
fn preflight_reports_every_problem_with_its_fix() {
    let repo = project("");
    repo.git(&["tag", "-a", "v1.3.0", "-m", "early"]);
    repo.git(&["switch", "-q", "-c", "feature/x"]);
    repo.write("contd/engine.py", "x = 3\n");
    check(
        &repo,
        &["release", "minor"],
        expect![[r#"
        exit: 1
        --- stderr
        error: releases are cut from `main`, and this is `feature/x`
        help: switch to the release branch, or allow this one in `monorel.toml` (`[release] branches`)
        error: tracked files have changes: `contd/engine.py`
        help: commit or stash them first: the release commit must hold only the release
        error: tag `v1.3.0` already exists
        help: choose another version, or delete the tag if it was a mistake (`git tag -d`)
        error: nothing to release: `CHANGELOG.md` has no entries under `[Unreleased]` and there are no releasable commits since `v1.2.0`
        help: land a `feat:` or `fix:` commit, write entries by hand, or pass `--allow-empty`
        no release: 4 problems to fix first; nothing was changed
    "#]],
    );
}

#[test]
fn preflight_behind_remote_tag_detached_and_empty() {
    let repo = project("");
    // Another clone pushed a commit and the tag.
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("other.txt", "x").commit("fix: elsewhere");
    repo.git(&["tag", "-a", "v1.3.0", "-m", "v1.3.0"]);
    repo.git(&["push", "-q", "origin", "main", "v1.3.0"]);
    repo.git(&["tag", "-d", "v1.3.0"]);
    repo.git(&["reset", "-q", "--hard", &head]);
    check(
        &repo,
        &["release", "minor"],
        expect![[r#"
            exit: 1
            --- stdout
            release 1.3.0 of group `default`: 1.2.0 -> 1.3.0 (tag `v1.3.0`, 2024-05-01)

            --- a/CHANGELOG.md
            +++ b/CHANGELOG.md
            @@ -2,6 +2,16 @@

             ## [Unreleased]

            +## [1.3.0] - 2024-05-01
            +
            +### Added
            +
            +- Durable timers (#12)
            +
            +### Fixed
            +
            +- Retry on timeout
            +
             ## [1.2.0] - 2024-01-01

             ### Added
            --- a/contd/__init__.py
            +++ b/contd/__init__.py
            @@ -1 +1 @@
            -__version__ = "1.2.0"
            +__version__ = "1.3.0"
            --- a/helm/contd/Chart.yaml
            +++ b/helm/contd/Chart.yaml
            @@ -1,4 +1,4 @@
             apiVersion: v2
             name: contd
            -version: 1.2.0
            -appVersion: "1.2.0"
            +version: 1.3.0
            +appVersion: "1.3.0"
            --- a/pyproject.toml
            +++ b/pyproject.toml
            @@ -1,3 +1,3 @@
             [project]
             name = "contd"
            -version = "1.2.0"
            +version = "1.3.0"

            release notes (the tag's message):

                ### Added

                - Durable timers (#12)

                ### Fixed

                - Retry on timeout

            steps:
              1. write 4 files (all or none): `CHANGELOG.md`, `contd/__init__.py`, `helm/contd/Chart.yaml`, `pyproject.toml`
              2. commit exactly those files: "chore(release): v1.3.0"
              3. create the annotated tag `v1.3.0` at that commit, its message the release notes

            dry run: nothing was changed, not a file and not a ref; the problems above stop this release

            --- stderr
            error: the branch is 1 commit behind `origin/main`
            help: pull first (`git pull --rebase`), or release with `--pull` to fast-forward
            error: tag `v1.3.0` already exists on `origin`
            help: choose another version, or run `monorel release --abort` if a release was interrupted
            no release: 2 problems to fix first; nothing was changed
        "#]],
    );
    repo.git(&["switch", "-q", "--detach"]);
    check(
        &repo,
        &["release", "minor", "--offline"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `HEAD` is detached: a release is cut from a branch
        help: check out the release branch, e.g. `git switch main`
        error: tag `v1.3.0` already exists, on a commit this branch does not contain: it was released elsewhere (a hotfix not merged here, or a release from another clone)
        help: merge or pull that release first (`git merge v1.3.0`), then release the next version
        error: nothing to release: `CHANGELOG.md` has no entries under `[Unreleased]` and there are no releasable commits since `v1.2.0`
        help: land a `feat:` or `fix:` commit, write entries by hand, or pass `--allow-empty`
        no release: 3 problems to fix first; nothing was changed
    "#]],
    );
    let empty = TestRepo::new();
    empty
        .write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
        .commit("chore: start")
        .tag("v1.2.0");
    empty.write("a.txt", "x").commit("chore: nothing to see");
    check(
        &empty,
        &["release", "patch", "--offline"],
        expect![[r#"
        exit: 1
        --- stderr
        error: nothing to release: `CHANGELOG.md` has no entries under `[Unreleased]` and there are no releasable commits since `v1.2.0`
        help: land a `feat:` or `fix:` commit, write entries by hand, or pass `--allow-empty`
        no release: 1 problem to fix first; nothing was changed
    "#]],
    );
}

#[test]
fn a_failing_hook_restores_everything() {
    let repo = project("[release]\npre-commit = [\"echo checking; exit 7\"]\n");
    let before = fingerprint(&repo);
    let output = run(&repo, &["release", "minor", "--execute"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the pre-commit hook `echo checking; exit 7` failed"), "{stderr}");
    assert!(
        stderr.contains("every file was restored and there is no commit and no tag"),
        "{stderr}"
    );
    assert_eq!(fingerprint(&repo), before);
    assert!(!repo.path().join(".git/monorel-release").exists());
}

/// Stopping after each step, then `--resume`, reaches exactly what an uninterrupted release
/// reaches; `--abort` gives back exactly the start (except after the push, which it refuses).
#[test]
fn interrupted_after_each_step_resume_finishes_and_abort_undoes() {
    let reference = project(EVERY_STEP);
    let output = run(&reference, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let released = fingerprint(&reference);

    for step in ["write", "pre-commit", "commit", "tag", "post-tag", "next-dev", "push"] {
        let repo = project(EVERY_STEP);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", step)],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{step}: {}", transcript(&output));

        // A second release is refused with the way out.
        let again = transcript(&run(&repo, &["release", "minor"]));
        assert!(
            again.contains("a release is already in progress") && again.contains("--resume"),
            "{step}: {again}"
        );

        let twin = project(EVERY_STEP);
        let output = twin.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", step)],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3));

        let output = run(&repo, &["release", "--resume"]);
        assert!(output.status.success(), "{step}: {}", transcript(&output));
        assert_eq!(fingerprint(&repo), released, "resume after `{step}`");

        let output = run(&twin, &["release", "--abort"]);
        if step == "push" {
            assert!(!output.status.success(), "abort after the push must refuse");
            assert!(transcript(&output).contains("already on `origin`"), "{}", transcript(&output));
        } else {
            assert!(output.status.success(), "{step}: {}", transcript(&output));
            assert_eq!(fingerprint(&twin), start, "abort after `{step}`");
        }
    }
}

/// `--edit` opens `$EDITOR` on the notes; the edited text goes into the changelog and the tag.
#[test]
fn edited_release_notes_go_into_the_changelog_and_the_tag() {
    let repo = project("");
    let editor = ("EDITOR", "sed -i -e s/Durable/Lasting/");
    let output = repo.monorel_with(&[DATE, editor], &["release", "minor", "--execute", "--edit"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let tag = repo.git(&["for-each-ref", "--format=%(contents)", "refs/tags/v1.3.0"]);
    assert!(tag.contains("- Lasting timers (#12)") && !tag.contains("Durable"), "{tag}");
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.contains("## [1.3.0] - 2024-05-01\n\n### Added\n\n- Lasting timers (#12)"),
        "{changelog}"
    );
    assert!(!changelog.contains("Durable"), "{changelog}");

    // An editor that fails changes nothing.
    let repo = project("");
    let before = fingerprint(&repo);
    let output = repo
        .monorel_with(&[DATE, ("EDITOR", "false")], &["release", "minor", "--execute", "--edit"]);
    assert!(!output.status.success());
    assert!(
        transcript(&output).contains("the editor `false` failed; nothing was changed"),
        "{}",
        transcript(&output)
    );
    assert_eq!(fingerprint(&repo), before);
}

#[test]
fn releasing_one_group_of_several_promotes_its_own_changelog_from_its_own_commits() {
    let repo = TestRepo::new();
    repo.write("monorel.toml", "[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\n\n[groups.app]\npaths = [\"app/\"]\n")
        .write("sdk/pyproject.toml", "[project]\nname = \"acme-sdk\"\nversion = \"0.1.0\"\n")
        .write("app/pyproject.toml", "[project]\nname = \"acme-app\"\nversion = \"2.0.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
        .commit("chore: set up")
        .tag("sdk-v0.1.0");
    repo.write("app/main.py", "1").commit("feat(app): add a window");
    repo.write("sdk/b.py", "1").commit("fix(sdk): retry on timeouts");
    repo.with_remote();
    // `auto` sees only the sdk's commits: a fix, so a patch release (the app's feat is not it).
    let output = run(&repo, &["release", "auto", "--group", "sdk", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        chore(release): sdk-v0.1.1


         sdk/CHANGELOG.md   | 14 ++++++++++++++
         sdk/pyproject.toml |  2 +-
         2 files changed, 15 insertions(+), 1 deletion(-)
    "#]]
    .assert_eq(&repo.git(&["show", "--stat", "--format=%s%n", "HEAD"]));
    let changelog = repo.read("sdk/CHANGELOG.md");
    let body = &changelog[changelog.find("## [Unreleased]").unwrap()..];
    let body: String =
        body.lines().take_while(|l| !l.starts_with('[')).map(|l| format!("{l}\n")).collect();
    expect![[r#"
        ## [Unreleased]

        ## [0.1.1] - 2024-05-01

        ### Fixed

        - **sdk**: Retry on timeouts
    "#]]
    .assert_eq(&body);
    expect![[r#"
        tag ### Fixed

        - **sdk**: Retry on timeouts

    "#]]
    .assert_eq(&repo.git(&[
        "for-each-ref",
        "--format=%(objecttype) %(contents)",
        "refs/tags/sdk-v0.1.1",
    ]));
    // The root changelog and the other group are untouched.
    assert_eq!(repo.read("CHANGELOG.md"), "# Changelog\n\n## [Unreleased]\n");
    assert!(repo.read("app/pyproject.toml").contains("version = \"2.0.0\""));
}

/// Another monorel holds `.git/monorel.lock`: `release --execute` and `bump --execute` refuse,
/// naming the file, and change nothing.
#[test]
fn a_held_lock_stops_release_and_bump() {
    let repo = project(EVERY_STEP);
    let before = fingerprint(&repo);
    let lock = repo.path().join(".git/monorel.lock");
    // This test's own process id: a live process.
    std::fs::write(&lock, format!("{}\n", std::process::id())).unwrap();
    for args in [&["release", "minor", "--execute"][..], &["bump", "minor", "--execute"]] {
        let output = run(&repo, args);
        let text = transcript(&output);
        assert!(!output.status.success(), "{text}");
        assert!(
            text.contains("another monorel is running") && text.contains(".git/monorel.lock"),
            "{text}"
        );
        assert_eq!(fingerprint(&repo), before, "{args:?}");
    }
    assert!(run(&repo, &["release", "--abort"]).status.code() == Some(1));
    std::fs::remove_file(&lock).unwrap();
    let output = run(&repo, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(!lock.exists(), "the lock is removed on exit");
}

/// A write that fails and whose undo fails too says which files are left changed.
#[test]
fn a_failed_restore_names_the_files_left_changed() {
    let repo = project("");
    // The journal's rename, then three files: the third file's rename fails, and so do the two
    // renames that would undo the first two.
    let output = repo
        .monorel_with(&[("MONOREL_TEST_FAIL_RENAMES_FROM", "4")], &["bump", "minor", "--execute"]);
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains("no file was left changed"), "{text}");
    assert!(text.contains("2 files could not be put back and are left changed"), "{text}");
    assert!(text.contains("contd/__init__.py"), "{text}");
    // The next run puts them back first, then bumps.
    let output = run(&repo, &["bump", "minor", "--execute"]);
    let text = transcript(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("had left 2 files half bumped"), "{text}");
    let reference = project("");
    assert!(run(&reference, &["bump", "minor", "--execute"]).status.success());
    assert_eq!(work_tree(&repo), work_tree(&reference));
}

/// The work tree's changes against `HEAD`, every untracked and ignored file included.
fn work_tree(repo: &TestRepo) -> String {
    format!(
        "{}{}",
        repo.git(&["status", "--porcelain=v1", "-uall", "--ignored"]),
        repo.git(&["diff", "HEAD"])
    )
}

/// The kill points a crash test visits: every one with `MONOREL_SLOW_TESTS=1` (CI sets it),
/// else every third, which keeps `cargo test` quick and still reaches every step.
fn kill_points() -> impl Iterator<Item = usize> {
    let every = std::env::var("MONOREL_SLOW_TESTS").is_ok_and(|v| v == "1");
    if !every {
        eprintln!("every third kill point: set MONOREL_SLOW_TESTS=1 to visit each one");
    }
    (1..).step_by(if every { 1 } else { 3 })
}

/// What monorel keeps in `.git/` while it works: gone once it is done.
fn assert_no_leftovers(repo: &TestRepo, what: &str) {
    for name in ["monorel.lock", "monorel-release", "monorel-bump"] {
        assert!(!repo.path().join(".git").join(name).exists(), "{what}: `.git/{name}` is left");
    }
}

/// Killed (SIGKILL) at every rename and after every process of a real `bump --execute`, the
/// next `bump --execute` puts back what the killed one left, then bumps: the result is an
/// uninterrupted bump's, with no stray file.
#[test]
fn a_bump_killed_at_any_point_is_completed_by_the_next_bump() {
    let reference = project("");
    assert!(run(&reference, &["bump", "minor", "--execute"]).status.success());
    let bumped = work_tree(&reference);
    for n in 1.. {
        let repo = project("");
        let at = n.to_string();
        let output =
            repo.monorel_with(&[("MONOREL_TEST_KILL_AT", &at)], &["bump", "minor", "--execute"]);
        if output.status.code().is_some() {
            assert!(output.status.success(), "{n}: {}", transcript(&output));
            assert!(n > 4, "only {n} points: the injection does not reach the writes");
            break;
        }
        let output = run(&repo, &["bump", "minor", "--execute"]);
        assert!(output.status.success(), "killed at {n}: {}", transcript(&output));
        assert_eq!(work_tree(&repo), bumped, "killed at {n}");
        assert_no_leftovers(&repo, &format!("killed at {n}"));
    }
}

/// Killed (SIGKILL) at every rename and after every process of a real release with every step,
/// `--resume` reaches what an uninterrupted release reaches and `--abort` gives back the start
/// (or refuses once the push reached the remote), with no stray file; a run killed before it
/// recorded anything changed nothing.
#[test]
fn a_release_killed_at_any_point_is_resumed_or_aborted() {
    let reference = project(EVERY_STEP);
    let output = run(&reference, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let released = fingerprint(&reference);
    for n in kill_points() {
        let at = n.to_string();
        let kill = [DATE, ("MONOREL_TEST_KILL_AT", at.as_str())];
        let repo = project(EVERY_STEP);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(&kill, &["release", "minor", "--execute"]);
        if output.status.code().is_some() {
            assert!(output.status.success(), "{n}: {}", transcript(&output));
            assert!(n > 20, "only {n} points: the injection does not reach the steps");
            break;
        }
        let what = format!("killed at {n}");
        if !repo.path().join(".git/monorel-release/state.json").exists() {
            // Killed before the plan was recorded: nothing changed, and a release goes through.
            assert_eq!(fingerprint(&repo), start, "{what}");
            let output = run(&repo, &["release", "minor", "--execute"]);
            assert!(output.status.success(), "{what}: {}", transcript(&output));
            assert_eq!(fingerprint(&repo), released, "{what}");
            assert_no_leftovers(&repo, &what);
            continue;
        }
        let output = run(&repo, &["release", "--resume"]);
        assert!(output.status.success(), "{what}, resume: {}", transcript(&output));
        assert_eq!(fingerprint(&repo), released, "{what}, resume");
        assert_no_leftovers(&repo, &what);

        let twin = project(EVERY_STEP);
        let output = twin.monorel_with(&kill, &["release", "minor", "--execute"]);
        assert_eq!(output.status.code(), None, "{what}: the twin is killed at the same point");
        let output = run(&twin, &["release", "--abort"]);
        let text = transcript(&output);
        if output.status.success() {
            assert_eq!(fingerprint(&twin), start, "{what}, abort");
        } else {
            // Only a release whose push reached the remote is not undone; it can be finished.
            assert!(text.contains("already on `origin`"), "{what}, abort: {text}");
            let output = run(&twin, &["release", "--resume"]);
            assert!(output.status.success(), "{what}, resume after abort: {}", transcript(&output));
            assert_eq!(fingerprint(&twin), released, "{what}, resume after abort");
        }
        assert_no_leftovers(&twin, &what);
    }
}

/// After the commit, a hand edit of one of the release's own files is not lost by `--abort`:
/// abort refuses, naming the file, whatever `HEAD` is; once the file is put back it undoes all.
#[test]
fn abort_refuses_to_lose_a_hand_edit_of_a_release_file_after_the_commit() {
    for step in ["write", "commit", "tag", "post-tag", "next-dev"] {
        let repo = project(EVERY_STEP);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", step)],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{step}: {}", transcript(&output));
        let mine = "[project]\nname = \"contd\"\nversion = \"1.3.0\"\n# my note\n";
        repo.write("pyproject.toml", mine);
        let output = run(&repo, &["release", "--abort"]);
        let text = transcript(&output);
        assert!(!output.status.success(), "{step}: {text}");
        assert!(text.contains("`pyproject.toml` changed by hand"), "{step}: {text}");
        assert!(text.contains("git checkout -- <file>"), "{step}: {text}");
        assert_eq!(repo.read("pyproject.toml"), mine, "{step}: the edit is kept");
        // Put back as the release left it, the abort goes through.
        repo.git(&["checkout", "--", "pyproject.toml"]);
        if step == "write" {
            repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.3.0\"\n");
        }
        let output = run(&repo, &["release", "--abort"]);
        assert!(output.status.success(), "{step}: {}", transcript(&output));
        assert_eq!(fingerprint(&repo), start, "{step}");
    }
}

/// An untracked changelog draft, taken into the release commit, is given back by `--abort`
/// untracked and byte for byte.
#[test]
fn abort_gives_back_an_untracked_changelog_draft() {
    for step in ["write", "commit", "tag", "next-dev"] {
        let repo = TestRepo::new();
        repo.write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.0\"\n")
            .write("monorel.toml", "[release]\nnext-dev = true\n")
            .commit("chore: start")
            .tag("v1.2.0");
        repo.write("a.txt", "x").commit("feat: a thing");
        repo.with_remote();
        let draft = "# Changelog\n\n## [Unreleased]\n\n- my draft, not committed yet\n";
        repo.write("CHANGELOG.md", draft);
        let start = fingerprint(&repo);
        assert!(start.contains("?? CHANGELOG.md"), "{start}");
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", step)],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{step}: {}", transcript(&output));
        let output = run(&repo, &["release", "--abort"]);
        assert!(output.status.success(), "{step}: {}", transcript(&output));
        assert_eq!(repo.read("CHANGELOG.md"), draft, "{step}");
        assert_eq!(fingerprint(&repo), start, "{step}");
    }
}

/// With the remote unreachable, a recorded push is not undone.
#[test]
fn abort_trusts_a_recorded_push_when_the_remote_cannot_be_asked() {
    let repo = project(EVERY_STEP);
    let output = repo
        .monorel_with(&[DATE, ("MONOREL_FAIL_AFTER", "push")], &["release", "minor", "--execute"]);
    assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
    let pushed = fingerprint(&repo);
    let remote = repo.path().parent().unwrap().join("remote.git");
    let away = repo.path().parent().unwrap().join("remote.git.away");
    std::fs::rename(&remote, &away).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let output = run(&repo, &["release", "--abort"]);
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("recorded its push") && text.contains("already on `origin`"), "{text}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert!(repo.git(&["tag"]).contains("v1.3.0"), "the local tag stays");
    std::fs::rename(&away, &remote).unwrap();
    assert_eq!(fingerprint(&repo), pushed);
}

/// A pre-commit hook that edits a planned file and then fails: every file gets its bytes from
/// before the release back, not only those still as the release wrote them.
#[test]
fn a_hook_that_edits_a_planned_file_then_fails_is_undone() {
    let repo = project(
        "[release]\npre-commit = [\"sed -i -e s/1.3.0/1.3.0-hooked/ pyproject.toml && exit 1\"]\n",
    );
    let before = fingerprint(&repo);
    let output = run(&repo, &["release", "minor", "--execute"]);
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("every file was restored"), "{text}");
    assert_eq!(repo.read("pyproject.toml"), "[project]\nname = \"contd\"\nversion = \"1.2.0\"\n");
    assert_eq!(fingerprint(&repo), before);
    assert!(!repo.path().join(".git/monorel-release").exists());
}

/// When the restore after a failing hook fails too, the message says which files are left
/// changed (not "every file was restored"), and `--abort` can finish the job.
#[test]
fn a_failed_restore_after_a_hook_is_reported_and_abort_finishes_it() {
    let repo = project("[release]\npre-commit = [\"exit 1\"]\n");
    let before = fingerprint(&repo);
    // Renames: the state, 4 files, the state again; then the restore's 4 renames fail.
    let output = repo.monorel_with(
        &[DATE, ("MONOREL_TEST_FAIL_RENAMES_FROM", "7")],
        &["release", "minor", "--execute"],
    );
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains("every file was restored"), "{text}");
    assert!(text.contains("could not be put back and are left changed"), "{text}");
    assert!(text.contains("`pyproject.toml`"), "{text}");
    let output = run(&repo, &["release", "--abort"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(fingerprint(&repo), before);
}

/// Someone else pushes the release's tag mid-release: `--resume` says so, `--abort` undoes the
/// release (nothing of it was public).
#[test]
fn someone_elses_tag_on_the_remote_mid_release_leaves_abort_usable() {
    let repo = project(EVERY_STEP);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let output = repo.monorel_with(
        &[DATE, ("MONOREL_FAIL_AFTER", "next-dev")],
        &["release", "minor", "--execute"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
    repo.remote_git(&["tag", "v1.3.0", "main"]);
    let output = run(&repo, &["release", "--resume"]);
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("is not this release's tag") && text.contains("--abort"), "{text}");
    let output = run(&repo, &["release", "--abort"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(repo.git(&["tag"]), "v1.2.0\n");
    assert_eq!(repo.git(&["status", "--porcelain", "-uall"]), "");
}

/// With the remote unreachable, a push that may have started (recorded as the step under way)
/// is not undone either; a release that never started its push is undone.
#[test]
fn abort_with_the_remote_unreachable_undoes_only_a_release_that_never_pushed() {
    for started in [true, false] {
        let repo = project(EVERY_STEP);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", "next-dev")],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
        let state = repo.path().join(".git/monorel-release/state.json");
        if started {
            // As a run killed during `git push` leaves it.
            let text = std::fs::read_to_string(&state).unwrap();
            assert!(text.contains("\"intent\": null"), "{text}");
            std::fs::write(&state, text.replace("\"intent\": null", "\"intent\": \"push\""))
                .unwrap();
        }
        let remote = repo.path().parent().unwrap().join("remote.git");
        let away = repo.path().parent().unwrap().join("remote.git.away");
        std::fs::rename(&remote, &away).unwrap();
        let output = run(&repo, &["release", "--abort"]);
        let text = transcript(&output);
        std::fs::rename(&away, &remote).unwrap();
        if started {
            assert!(!output.status.success(), "{text}");
            assert!(text.contains("cannot ask `origin` whether the push"), "{text}");
            assert!(repo.git(&["tag"]).contains("v1.3.0"), "the local tag stays");
        } else {
            assert!(output.status.success(), "{text}");
            assert_eq!(fingerprint(&repo), start);
        }
    }
}

/// Two releases at once: one holds the lock, the other is refused (or, run after it, finds the
/// release done); the result is one release.
#[test]
fn two_concurrent_releases_make_one_release() {
    let reference = project(EVERY_STEP);
    assert!(run(&reference, &["release", "minor", "--execute"]).status.success());
    let released = fingerprint(&reference);
    let repo = project(EVERY_STEP);
    let spawn = || {
        #[allow(clippy::disallowed_methods)] // two real binaries at once
        std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
            .args(["release", "minor", "--execute"])
            .current_dir(repo.path())
            .envs(repo.env())
            .env(DATE.0, DATE.1)
            .env_remove("CARGO")
            .env_remove("GITHUB_ACTIONS")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let succeeded = outputs.iter().filter(|o| o.status.success()).count();
    let texts: Vec<String> = outputs.iter().map(transcript).collect();
    assert_eq!(succeeded, 1, "{texts:#?}");
    assert_eq!(fingerprint(&repo), released, "{texts:#?}");
    assert!(!repo.path().join(".git/monorel.lock").exists());
}

/// A run that made the release commit and died before recording it: `--abort` and `--resume`
/// both recognise the commit as the release's (the one the plan describes, on the start).
#[test]
fn a_release_commit_made_but_not_recorded_is_recognised() {
    for way_out in ["--abort", "--resume"] {
        let repo = project(EVERY_STEP);
        let start = fingerprint(&repo);
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", "pre-commit")],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
        // What the killed run's `git commit` did.
        repo.commit("chore(release): v1.3.0");
        let output = run(&repo, &["release", way_out]);
        assert!(output.status.success(), "{way_out}: {}", transcript(&output));
        if way_out == "--abort" {
            assert_eq!(fingerprint(&repo), start);
        } else {
            expect![[r#"
                chore(release): start 1.4.0-dev
                chore(release): v1.3.0 (tag: v1.3.0)
                fix: retry on timeout
            "#]]
            .assert_eq(&repo.git(&["log", "--format=%s%d", "-3", "--decorate-refs=refs/tags"]));
        }
    }
}

/// The temporary files a killed run left beside the planned files are removed by `--resume`
/// and by `--abort`; anyone else's files stay.
#[test]
fn resume_and_abort_remove_the_temporary_files_a_killed_run_left() {
    for way_out in ["--abort", "--resume"] {
        let repo = project(EVERY_STEP);
        let output = repo.monorel_with(
            &[DATE, ("MONOREL_FAIL_AFTER", "write")],
            &["release", "minor", "--execute"],
        );
        assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
        repo.write(".pyproject.toml.monorel-4000000-0.tmp", "[project]\nname = \"con");
        repo.write("contd/.__init__.py.monorel-4000000-0.tmp", "__vers");
        repo.write("contd/.notes.monorel-4000000-0.tmp", "someone else's");
        let output = run(&repo, &["release", way_out]);
        assert!(output.status.success(), "{way_out}: {}", transcript(&output));
        expect![[r#"
            ?? contd/.notes.monorel-4000000-0.tmp
        "#]]
        .assert_eq(&repo.git(&["status", "--porcelain", "-uall"]));
    }
}

/// `--resume` and `--abort` killed at any point of their own can be run again to the end.
#[test]
fn resume_and_abort_killed_at_any_point_can_run_again() {
    let reference = project(EVERY_STEP);
    assert!(run(&reference, &["release", "minor", "--execute"]).status.success());
    let released = fingerprint(&reference);
    for (way_out, stopped_after) in [("--resume", "commit"), ("--abort", "next-dev")] {
        for n in kill_points() {
            let repo = project(EVERY_STEP);
            let start = fingerprint(&repo);
            let stop = [DATE, ("MONOREL_FAIL_AFTER", stopped_after)];
            let output = repo.monorel_with(&stop, &["release", "minor", "--execute"]);
            assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
            let at = n.to_string();
            let kill = [DATE, ("MONOREL_TEST_KILL_AT", at.as_str())];
            let output = repo.monorel_with(&kill, &["release", way_out]);
            let what = format!("{way_out} killed at {n}");
            let finished = output.status.code().is_some();
            if !finished {
                let output = run(&repo, &["release", way_out]);
                // Killed after the last step was recorded, a second resume finds nothing to do.
                let nothing_left = transcript(&output).contains("no release is in progress");
                assert!(output.status.success() || nothing_left, "{what}: {}", transcript(&output));
            }
            let expected = if way_out == "--resume" { &released } else { &start };
            assert_eq!(&fingerprint(&repo), expected, "{what}");
            assert_no_leftovers(&repo, &what);
            if finished {
                break;
            }
        }
    }
}

/// Killed during `git push`, with the local tag deleted since: the tag on the remote may be
/// this release's, so abort does not undo the release.
#[test]
fn abort_after_a_push_that_may_have_happened_without_the_local_tag_refuses() {
    let repo = project(EVERY_STEP);
    let output = repo.monorel_with(
        &[DATE, ("MONOREL_FAIL_AFTER", "next-dev")],
        &["release", "minor", "--execute"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", transcript(&output));
    let state = repo.path().join(".git/monorel-release/state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, text.replace("\"intent\": null", "\"intent\": \"push\"")).unwrap();
    repo.git(&["push", "-q", "--atomic", "origin", "main", "v1.3.0"]);
    repo.git(&["tag", "-d", "v1.3.0"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let output = run(&repo, &["release", "--abort"]);
    let text = transcript(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("the local tag is gone"), "{text}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn a_release_takes_the_heading_style_of_the_file_and_an_empty_one_says_so() {
    let repo = project("");
    // tokio's style: level-1 headings with long dates, no `[Unreleased]` yet.
    repo.write("CHANGELOG.md", "# 1.2.0 (January 1st, 2024)\n\n### Added\n\n- The engine\n")
        .commit("docs: write the changelog as we like it");
    let output = run(&repo, &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        # Unreleased

        # 1.3.0 (May 1st, 2024)

        ### Added

        - Durable timers (#12)

        ### Fixed

        - Retry on timeout

        # 1.2.0 (January 1st, 2024)

        ### Added

        - The engine
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    // Nothing since: refused, then with `--allow-empty` the section says so, as `--all` does.
    let refused = run(&repo, &["release", "patch"]);
    assert_eq!(refused.status.code(), Some(1), "{}", transcript(&refused));
    let output = run(&repo, &["release", "patch", "--allow-empty", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(repo.read("CHANGELOG.md").starts_with(
        "# Unreleased\n\n# 1.3.1 (May 1st, 2024)\n\nNo user-facing changes.\n\n# 1.3.0"
    ));
    expect![[r#"
        No user-facing changes.

    "#]]
    .assert_eq(&repo.git(&["for-each-ref", "--format=%(contents)", "refs/tags/v1.3.1"]));
}
