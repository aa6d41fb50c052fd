//! Warnings that save a release: a level below a breaking commit, a branch that names another
//! version, and a hotfix released from a branch that this one never merged.

use expect_test::expect;

use crate::support::{TestRepo, transcript};

use crate::release::DATE;

/// v1.2.0 on `main`; `config` is `monorel.toml` (also for `release_remote`).
pub(crate) fn project(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.2.0\"\n")
        .write(
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-01-01\n\n- Engine\n",
        )
        .write("monorel.toml", config)
        .commit("chore: release 1.2.0")
        .tag("v1.2.0");
    repo
}

/// The `warning:` and `help:` lines (and the commits under them) of a run's stderr.
fn warnings(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .skip_while(|l| !l.starts_with("warning:"))
        .take_while(|l| l.starts_with("warning:") || l.starts_with("help:") || l.starts_with("  "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_minor_release_over_a_breaking_commit_warns_and_shows_it() {
    let repo = project("");
    repo.write("contd/api.py", "v = 2\n").commit("feat!: drop the v1 API");
    repo.write("contd/engine.py", "x = 1\n").commit("fix: retry on timeout");
    let output = repo.monorel_with(&[DATE], &["release", "minor", "--offline"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let id = repo.git(&["rev-parse", "--short=7", "HEAD~1"]);
    expect![[r#"
        warning: this releases 1.3.0, but 1 commit since 1.2.0 is breaking: `monorel release auto` would release 2.0.0
          ID feat!: drop the v1 API
        help: release 2.0.0 (`monorel release major`), or go on if the change breaks nothing a user relies on
    "#]]
    .assert_eq(&warnings(&output).replace(id.trim(), "ID"));
    let major = repo.monorel_with(&[DATE], &["release", "major", "--offline"]);
    assert_eq!(warnings(&major), "");
}

#[test]
fn a_release_branch_that_names_another_version_warns() {
    let repo = project("[release]\nbranches = [\"main\", \"release/*\"]\n");
    repo.git(&["switch", "-q", "-c", "release/v1.3.0"]);
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers");
    let output = repo.monorel_with(&[DATE], &["release", "patch", "--offline"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        warning: the branch `release/v1.3.0` names 1.3.0, and this release is 1.2.1
        help: release the version the branch is for (`monorel release 1.3.0`), or check out the branch of 1.2.1
    "#]]
    .assert_eq(&warnings(&output));
    let minor = repo.monorel_with(&[DATE], &["release", "minor", "--offline"]);
    assert_eq!(warnings(&minor), "");
}

#[test]
fn a_hotfix_this_branch_never_merged_is_explained() {
    let repo = project("[release]\nbranches = [\"main\", \"develop\", \"hotfix/*\"]\n");
    repo.git(&["switch", "-q", "-c", "develop"]);
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers");
    repo.git(&["switch", "-q", "-c", "hotfix/v1.2.1", "v1.2.0"]);
    repo.write("contd/names.py", "escape = True\n").commit("fix: escape names");
    let hotfix = repo.monorel_with(&[DATE], &["release", "patch", "--execute", "--offline"]);
    assert!(hotfix.status.success(), "{}", transcript(&hotfix));
    repo.git(&["switch", "-q", "develop"]);

    let patch = repo.monorel_with(&[DATE], &["release", "patch", "--offline"]);
    assert!(!patch.status.success());
    assert!(
        transcript(&patch).contains("error: tag `v1.2.1` already exists, on a commit this branch does not contain: it was released elsewhere (a hotfix not merged here, or a release from another clone)\nhelp: merge or pull that release first (`git merge v1.2.1`), then release the next version\n"),
        "{}",
        transcript(&patch)
    );
    let auto = repo.monorel_with(&[DATE], &["release", "auto", "--offline"]);
    assert!(auto.status.success(), "{}", transcript(&auto));
    expect![[r#"
        warning: `v1.2.1` (1.2.1) was released from a commit this branch does not contain (a hotfix not merged here?), so this release is planned from 1.2.0 to 1.3.0
        help: merge it first (`git merge v1.2.1`), so its fix and its changelog section are here too, then plan again
    "#]]
    .assert_eq(&warnings(&auto));
    // Once merged, nothing to warn about.
    repo.git(&["merge", "-q", "--no-edit", "-X", "theirs", "v1.2.1"]);
    let merged = repo.monorel_with(&[DATE], &["release", "auto", "--offline"]);
    assert_eq!(warnings(&merged), "", "{}", transcript(&merged));
}
