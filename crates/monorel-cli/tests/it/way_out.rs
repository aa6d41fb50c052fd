//! Issue 12, item 1: every command works on the repository's root from any directory inside
//! it, as git does, and a release in progress always has a way out, whatever its state file
//! holds.

use expect_test::expect;

use crate::release::{DATE, EVERY_STEP, fingerprint, project};
use crate::support::transcript;

fn text(output: &std::process::Output) -> String {
    transcript(output).lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

#[test]
fn a_release_from_a_subdirectory_is_the_release_from_the_root() {
    let from_root = project(EVERY_STEP);
    let out = from_root.monorel_in("", &[DATE], &["release", "minor", "--execute"]);
    assert!(out.status.success(), "{}", transcript(&out));

    let from_sub = project(EVERY_STEP);
    let out = from_sub.monorel_in("helm", &[DATE], &["release", "minor", "--execute"]);
    assert!(out.status.success(), "{}", transcript(&out));
    // The same files, hooks, next-dev and push: the same commits, tags and remote, id for id.
    assert_eq!(fingerprint(&from_sub), fingerprint(&from_root));

    let with_c = project(EVERY_STEP);
    let out =
        with_c.monorel_in("", &[DATE], &["-C", "helm/contd", "release", "minor", "--execute"]);
    assert!(out.status.success(), "{}", transcript(&out));
    assert_eq!(fingerprint(&with_c), fingerprint(&from_root));
}

#[test]
fn bump_and_versions_from_a_subdirectory_see_the_whole_repository() {
    let repo = project("");
    let at_root = repo.monorel(&["versions"]);
    let in_sub = repo.monorel_in("helm/contd", &[], &["versions"]);
    assert_eq!(text(&in_sub), text(&at_root));

    let out = repo.monorel_in("helm", &[], &["bump", "minor", "--execute"]);
    assert!(out.status.success(), "{}", transcript(&out));
    expect![[r#"
        contd/__init__.py
        helm/contd/Chart.yaml
        pyproject.toml
    "#]]
    .assert_eq(&repo.git(&["diff", "--name-only"]));
}

#[test]
fn a_missing_directory_for_c_is_an_error_that_says_so() {
    let repo = project("");
    expect![[r#"
        exit: 2
        --- stderr
        error: cannot run in `no/such/dir`: there is no such directory
        help: `-C` names a directory inside the repository
    "#]]
    .assert_eq(&text(&repo.monorel(&["-C", "no/such/dir", "versions", "--check"])));
    expect![[r#"
        exit: 2
        --- stderr
        error: cannot run in `pyproject.toml`: it is not a directory
        help: `-C` names a directory inside the repository
    "#]]
    .assert_eq(&text(&repo.monorel(&["-C", "pyproject.toml", "versions"])));
}

#[test]
fn a_state_whose_plan_no_longer_matches_the_tree_still_has_a_way_out() {
    let repo = project("");
    let stopped = repo.monorel_in(
        "helm",
        &[DATE, ("MONOREL_FAIL_AFTER", "write")],
        &["release", "patch", "--execute"],
    );
    assert_eq!(stopped.status.code(), Some(3), "{}", transcript(&stopped));
    // Meanwhile the files are put back by hand, one is edited, and that is committed.
    repo.git(&["checkout", "--", "."]);
    repo.write("contd/__init__.py", "__version__ = \"1.2.0\"\nx = 9\n").commit("chore: meanwhile");
    let meanwhile = fingerprint(&repo);

    let resume = text(&repo.monorel_with(&[DATE], &["release", "--resume"]));
    assert!(resume.starts_with("exit: 1\n"), "{resume}");
    expect![[r#"
        exit: 1
        --- stderr
        error: the repository no longer matches the release of v1.2.1 in progress: `HEAD` is at f741813073, which is neither where the release started (baaa526866) nor a commit it made; `CHANGELOG.md` is no longer what the release wrote; `contd/__init__.py` holds bytes the release neither started from nor wrote; `helm/contd/Chart.yaml` is no longer what the release wrote; `pyproject.toml` is no longer what the release wrote
        help: put it back as the release left it and resume, undo the release with `monorel release --abort`, or forget it with `monorel release --quit`, which leaves every file, commit and tag as it is
    "#]]
    .assert_eq(&resume);
    expect![[r#"
        exit: 1
        --- stderr
        error: `HEAD` moved past the release (f7418130735b181db0c9a5e34e49adf5873e7c5c); abort would lose those commits
        help: undo them first, or finish with `monorel release --resume`; or forget it with `monorel release --quit`, which leaves every file, commit and tag as it is
    "#]]
    .assert_eq(&text(&repo.monorel_with(&[DATE], &["release", "--abort"])));
    assert_eq!(fingerprint(&repo), meanwhile, "a refused resume or abort changes nothing");

    let quit = text(&repo.monorel_with(&[DATE], &["release", "--quit"]));
    assert!(
        quit.starts_with("exit: 0\n") && quit.contains("forgot the release of v1.2.1"),
        "{quit}"
    );
    assert_eq!(fingerprint(&repo), meanwhile, "`--quit` changes no file, commit or tag");
    assert!(!repo.path().join(".git/monorel-release").exists());
    let again = repo.monorel_with(&[DATE], &["release", "patch"]);
    assert!(again.status.success(), "{}", transcript(&again));
}

#[test]
fn a_plan_made_for_another_directory_is_not_written_there_by_abort() {
    let repo = project("");
    let stopped = repo
        .monorel_with(&[DATE, ("MONOREL_FAIL_AFTER", "write")], &["release", "patch", "--execute"]);
    assert_eq!(stopped.status.code(), Some(3), "{}", transcript(&stopped));
    repo.git(&["checkout", "--", "."]);
    // A state written by a monorel that planned from `helm/`: paths relative to it.
    let state = repo.path().join(".git/monorel-release/state.json");
    let json = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, json.replace("\"helm/contd/Chart.yaml\"", "\"contd/Chart.yaml\""))
        .unwrap();
    let before = fingerprint(&repo);

    let abort = text(&repo.monorel_with(&[DATE], &["release", "--abort"]));
    assert!(abort.contains("no longer matches the tree: `contd/Chart.yaml`"), "{abort}");
    let resume = text(&repo.monorel_with(&[DATE], &["release", "--resume"]));
    assert!(resume.contains("`contd/Chart.yaml` is missing"), "{resume}");
    assert_eq!(fingerprint(&repo), before);
    assert!(!repo.path().join("contd/Chart.yaml").exists());
    assert!(repo.monorel_with(&[DATE], &["release", "--quit"]).status.success());
    assert_eq!(fingerprint(&repo), before);
}

#[test]
fn a_damaged_state_file_has_a_way_out() {
    let repo = project("");
    std::fs::create_dir_all(repo.path().join(".git/monorel-release")).unwrap();
    std::fs::write(repo.path().join(".git/monorel-release/state.json"), "{ not json").unwrap();
    for flag in ["--resume", "--abort"] {
        let out = text(&repo.monorel_with(&[DATE], &["release", flag]));
        assert!(out.contains("is damaged") && out.contains("`monorel release --quit`"), "{out}");
    }
    expect![[r#"
        exit: 0
        --- stdout
        removed the state of the release in progress, which could not be read; no file, commit or tag was changed
    "#]]
    .assert_eq(&text(&repo.monorel_with(&[DATE], &["release", "--quit"])));
    expect![[r#"
        exit: 1
        --- stderr
        error: no release is in progress, so there is nothing to forget
    "#]]
    .assert_eq(&text(&repo.monorel_with(&[DATE], &["release", "--quit"])));
}
