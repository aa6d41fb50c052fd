//! `monorel changelog` on histories shaped like real ones (issues 12, 13 and 15): tag styles,
//! cliff.toml as git-cliff users write it, many tags, release commits, commits left out.

use expect_test::expect;

use crate::support::{TestRepo, repo_root, transcript};

/// The part of a changelog below the standard header.
fn body(text: &str) -> &str {
    text.find("## ").map_or(text, |i| &text[i..])
}

#[test]
fn without_a_main_group_the_repository_s_plain_tag_style_is_used() {
    // No manifest, so no group: the tags say `1.2.3`, not `v1.2.3`.
    let repo = TestRepo::new();
    repo.write("a.txt", "1").commit("feat: one").tag("1.0.0");
    repo.commit("fix: two").tag("1.1.0");
    repo.commit("feat: three");
    let output = repo.monorel(&["changelog", "--stdout"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        ## [Unreleased]

        ### Added

        - Three
    "#]]
    .assert_eq(body(&String::from_utf8_lossy(&output.stdout)));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn when_no_tag_matches_it_says_so_and_names_the_newest_tags() {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[package]\nname = \"widget\"\nversion = \"0.3.0\"\n");
    repo.commit("feat: one").tag("nightly-2024.01.01");
    repo.commit("fix: two").tag("nightly-2024.01.02");
    repo.commit("feat: three").tag("nightly-2024.01.03").tag("nightly-2024.01.04");
    for args in [&["changelog", "--stdout"][..], &["changelog", "--all", "--stdout"]] {
        let output = repo.monorel(args);
        expect![[r#"
            warning: no tag matches `v{version}` (the newest tags are `nightly-2024.01.04`, `nightly-2024.01.03`, `nightly-2024.01.02`): [Unreleased] takes all 3 commits
            help: set the group's `tag` in `monorel.toml` to the style of its tags, or pass `--group`
        "#]]
        .assert_eq(&String::from_utf8_lossy(&output.stderr));
    }
}

#[test]
fn a_cliff_toml_with_a_replace_command_and_postprocessors_works_as_git_cliff_users_expect() {
    let repo = TestRepo::new();
    let cliff =
        std::fs::read_to_string(repo_root().join("testdata/changelog/cliff-with-command.toml"))
            .unwrap();
    repo.write("cliff.toml", &cliff).commit("chore: add cliff.toml");
    repo.commit("feat: add the index (#12)");
    repo.commit("fix(cli): handle an empty tag (#3)");
    repo.commit("chore(release): prepare for 1.0.0");
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 3 entries added, 0 kept (4 commits)
        --- stderr
        warning: `cliff.toml:15`: `git.commit_preprocessors[1].replace_command` (`typos --write-changes -`) is skipped: monorel runs a repository's commands only as release hooks
        help: use `replace` with a regex replacement, or run the command as a `[release] pre-commit` hook
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        ## [Unreleased]

        ### Added

        - Add the index ([#12](https://github.com/acme/widget/issues/12))

        ### Fixed

        - **cli**: Handle an empty tag ([#3](https://github.com/acme/widget/issues/3))

        ### Miscellaneous Tasks

        - Add cliff.toml
    "#]]
    .assert_eq(body(&repo.read("CHANGELOG.md")));
    // The postprocessed entries are recognised as generated on the next run.
    let again = repo.monorel(&["changelog", "--check"]);
    assert!(again.status.success(), "{}", transcript(&again));
}

/// The git processes a `monorel` run started, from `GIT_TRACE`.
fn git_processes(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let trace = repo.path().join("../git-trace.txt");
    let output = repo.monorel_with(&[("GIT_TRACE", trace.to_str().unwrap())], args);
    assert!(output.status.success(), "{}", transcript(&output));
    let text = std::fs::read_to_string(&trace).unwrap();
    std::fs::remove_file(&trace).unwrap();
    text.lines()
        .filter_map(|l| l.split_once("trace: built-in: git ").map(|(_, c)| c.to_string()))
        .collect()
}

#[test]
fn reachability_of_many_tags_takes_no_process_per_tag() {
    // Release tags on a branch `main` never merged (as on release branches), newer than the
    // release `main` has, and one commit on `main` after its release.
    let repo = TestRepo::new();
    repo.write("a.txt", "1").commit("feat: one").tag("v1.0.0");
    repo.git(&["checkout", "-q", "-b", "release"]);
    for i in 0..30 {
        repo.commit(&format!("fix: backport {i}")).tag(&format!("v1.0.{}", i + 1));
    }
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("fix: on main");
    let processes = git_processes(&repo, &["changelog", "--stdout"]);
    let per_tag = processes.iter().filter(|c| c.starts_with("merge-base")).count();
    assert_eq!(per_tag, 0, "{processes:#?}");
    assert!(processes.len() <= 10, "{processes:#?}");
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 1 entry added, 0 kept (1 commit since `v1.0.0`)
    "#]]
    .assert_eq(&transcript(&output));
    // A release right after the newest tag: answered from the log, no extra process.
    repo.git(&["tag", "-a", "v2.0.0", "-m", "v2.0.0"]);
    repo.commit("feat: after the newest");
    let processes = git_processes(&repo, &["changelog", "--stdout"]);
    assert!(!processes.iter().any(|c| c.starts_with("for-each-ref --merged")), "{processes:#?}");
    let output = repo.monorel(&["changelog"]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("(1 commit since `v2.0.0`)"),
        "{}",
        transcript(&output)
    );
}

#[test]
fn pre_releases_whose_final_release_is_tagged_need_no_walk_of_the_history() {
    // As on a long history with `next` pre-releases: each has its final release, so which tags
    // `HEAD` contains is never asked (`for-each-ref --merged` walks the whole history).
    let repo = TestRepo::new();
    repo.write("a.txt", "1").commit("feat: one").tag("v1.0.0-rc.1");
    repo.commit("fix: two").tag("v1.0.0");
    repo.commit("feat: three").tag("v1.1.0-next.1");
    repo.commit("fix: four").tag("v1.1.0");
    repo.commit("fix: after the release");
    let processes = git_processes(&repo, &["changelog", "--stdout"]);
    assert!(!processes.iter().any(|c| c.starts_with("for-each-ref --merged")), "{processes:#?}");
    let output = repo.monorel(&["changelog"]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("(1 commit since `v1.1.0`)"),
        "{}",
        transcript(&output)
    );
    // A pre-release with no final release yet is still asked about, once.
    repo.commit("feat: five").tag("v1.2.0-rc.1");
    repo.commit("fix: six");
    let processes = git_processes(&repo, &["changelog", "--stdout"]);
    let walks = processes.iter().filter(|c| c.starts_with("for-each-ref --merged")).count();
    assert_eq!(walks, 1, "{processes:#?}");
}

#[test]
fn release_commits_are_no_entries() {
    let repo = TestRepo::new();
    repo.write("a.txt", "1").commit("feat: one").tag("v8.2.1");
    repo.commit("fix: keep the lock file");
    repo.commit("release: v8.2.2").tag("v8.2.2");
    repo.commit("release: plugin-legacy@8.1.0-beta.0");
    repo.commit("chore(release): v8.3.0");
    repo.commit("chore(release): start 8.4.0-dev");
    repo.commit("feat: add the index");
    let output = repo.monorel(&["changelog", "--all", "--stdout"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    expect![[r#"
        ## [Unreleased]

        ### Added

        - Add the index

        ## [8.2.2] - 2024-01-01

        ### Fixed

        - Keep the lock file

        ## [8.2.1] - 2024-01-01

        ### Added

        - One
    "#]]
    .assert_eq(body(&text));
}

#[test]
fn commits_left_out_are_counted_and_listed_with_verbose() {
    let repo = TestRepo::new();
    repo.write("a.txt", "1").commit("feat: one").tag("v1.0.0");
    repo.commit("Add streaming output (#42)");
    repo.commit("fix: www");
    repo.commit("Fixed crash when the index is empty");
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 1 entry added, 0 kept (3 commits since `v1.0.0`)
        --- stderr
        note: 2 commits of the range are no Conventional Commit and left out (`-v` lists them)
    "#]]
    .assert_eq(&transcript(&output));
    let output = repo.monorel(&["changelog", "--check", "-v"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md` is up to date (3 commits since `v1.0.0`)
        --- stderr
        2 commits left out: no Conventional Commit, and no `cliff.toml` rule lists them:
          915f8dd Add streaming output (#42)
          7d1463f Fixed crash when the index is empty
    "#]]
    .assert_eq(&transcript(&output));
    assert!(repo.read("CHANGELOG.md").contains("- www\n"));
}

#[test]
fn release_auto_counts_cliff_toml_groups_and_the_dry_run_counts_what_is_left_out() {
    let cliff = "[git]\nfilter_unconventional = false\ncommit_parsers = [\n  { message = \"^Add\", group = \"<!-- 0 -->Added\" },\n  { message = \"^Fixed\", group = \"Fixed\" },\n  { message = \"^Update\", skip = true },\n]\n";
    for (message, expected) in [("Add streaming output (#42)", "1.3.0"), ("Fixed crash", "1.2.1")] {
        let repo = TestRepo::new();
        repo.write("pyproject.toml", "[project]\nname = \"p\"\nversion = \"1.2.0\"\n")
            .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
            .write("cliff.toml", cliff)
            .commit("chore: start")
            .tag("v1.2.0");
        repo.write("a.txt", message).commit(message);
        repo.write("b.txt", "x").commit("Update the README");
        let output =
            repo.monorel_with(&[("MONOREL_DATE", "2024-02-01")], &["release", "auto", "--offline"]);
        let text = transcript(&output);
        assert!(output.status.success(), "{text}");
        assert!(text.contains(&format!("-> {expected} (tag `v{expected}`")), "{message}: {text}");
        assert!(
            text.contains("note: 1 commit of the range is no Conventional Commit and left out"),
            "{text}"
        );
        let verbose = repo.monorel_with(
            &[("MONOREL_DATE", "2024-02-01")],
            &["release", "auto", "--offline", "-v"],
        );
        assert!(transcript(&verbose).contains(" Update the README\n"), "{}", transcript(&verbose));
    }
}
