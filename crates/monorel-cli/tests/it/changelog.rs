//! `monorel changelog`: real git repositories with fixed dates, the real binary.

use expect_test::expect;

use crate::support::{TestRepo, transcript};

/// The part of a changelog below the standard header.
fn body(text: &str) -> &str {
    text.find("## ").map_or(text, |i| &text[i..])
}

/// A repository whose `origin` is on GitHub (never fetched), with one released commit.
fn repo_with_remote() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["remote", "add", "origin", "git@github.com:acme/widget.git"]);
    repo
}

#[test]
fn commits_go_to_their_sections_with_scopes_breaking_changes_and_issue_links() {
    let repo = repo_with_remote();
    repo.write("a.txt", "1").commit("feat(cli): add the `--check` flag (#12)");
    repo.commit("fix: stop crashing on empty input\n\nCloses #3");
    repo.commit("perf: read the history in one pass");
    repo.commit("refactor(core): split the planner");
    repo.commit("deprecate: the `--out` flag");
    repo.commit("remove: the `--legacy` flag");
    repo.commit("fix(security): escape tag names");
    repo.commit("feat(api)!: rename `run` to `execute`\n\nBREAKING CHANGE: scripts calling `run` must change");
    repo.commit("docs: explain the flags");
    repo.commit("chore: tidy");
    repo.commit("ci: cache builds");
    repo.commit("test: more cases");
    repo.commit("style: format");
    repo.commit("build: bump dependencies");
    repo.commit("Update the README the old way");
    // A topic branch merged with a merge commit: its commits are listed, the merge is not.
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("b.txt", "1").commit("feat: add topic work");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit("fix: on main meanwhile");
    repo.git(&["merge", "-q", "--no-ff", "topic", "-m", "Merge branch 'topic'"]);

    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 10 entries added, 0 kept (18 commits)
        --- stderr
        note: 1 commit of the range is no Conventional Commit and left out (`-v` lists them)
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        ## [Unreleased]

        ### Added

        - **cli**: Add the `--check` flag ([#12](https://github.com/acme/widget/issues/12))
        - **BREAKING** **api**: Rename `run` to `execute`
          Scripts calling `run` must change
        - Add topic work

        ### Changed

        - Read the history in one pass
        - **core**: Split the planner

        ### Deprecated

        - The `--out` flag

        ### Removed

        - The `--legacy` flag

        ### Fixed

        - Stop crashing on empty input
        - On main meanwhile

        ### Security

        - Escape tag names
    "#]]
    .assert_eq(body(&repo.read("CHANGELOG.md")));
    assert!(repo.read("CHANGELOG.md").starts_with(monorel::changelog::HEADER));
}

#[test]
fn hand_written_entries_survive_and_a_second_run_changes_nothing() {
    let repo = TestRepo::new();
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\nOur own words.\n\n## [Unreleased]\n\n### Added\n\n- A hand-written entry,\n  over two lines.\n\n### Notes\n\nMigrating? Read the guide.\n",
    );
    repo.commit("feat: add x");
    repo.commit("fix: y");
    let first = repo.monorel(&["changelog"]);
    assert!(first.status.success(), "{}", transcript(&first));
    let written = repo.read("CHANGELOG.md");
    expect![[r#"
        # Changelog

        Our own words.

        ## [Unreleased]

        ### Added

        - A hand-written entry,
          over two lines.
        - Add x

        ### Fixed

        - Y

        ### Notes

        Migrating? Read the guide.
    "#]]
    .assert_eq(&written);
    let second = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md` is up to date (2 commits)
    "#]]
    .assert_eq(&transcript(&second));
    assert_eq!(repo.read("CHANGELOG.md"), written);

    // A person edits around the generated entries: their lines stay, nothing is duplicated.
    repo.write("CHANGELOG.md", &written.replace("- Y\n", "- Y\n- Also fixed by hand.\n"));
    repo.commit("feat: add z");
    repo.monorel(&["changelog"]);
    expect![[r#"
        ## [Unreleased]

        ### Added

        - A hand-written entry,
          over two lines.
        - Add x
        - Add z

        ### Fixed

        - Y
        - Also fixed by hand.

        ### Notes

        Migrating? Read the guide.
    "#]]
    .assert_eq(body(&repo.read("CHANGELOG.md")));
}

#[test]
fn check_fails_with_a_diff_then_passes() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    assert!(repo.monorel(&["changelog"]).status.success());
    repo.commit("fix: second");
    let before = repo.read("CHANGELOG.md");
    let failed = repo.monorel(&["changelog", "--check"]);
    expect![[r#"
        exit: 1
        --- stdout
        --- a/CHANGELOG.md
        +++ b/CHANGELOG.md
        @@ -10,3 +10,7 @@
         ### Added

         - First
        +
        +### Fixed
        +
        +- Second
        --- stderr
        error: `CHANGELOG.md` is not up to date: [Unreleased] 1 entry added, 1 kept
        help: run `monorel changelog` and commit the result
    "#]]
    .assert_eq(&trim_lines(&transcript(&failed)));
    assert_eq!(repo.read("CHANGELOG.md"), before, "--check wrote");
    assert!(repo.monorel(&["changelog"]).status.success());
    let passed = repo.monorel(&["changelog", "--check"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md` is up to date (2 commits)
    "#]]
    .assert_eq(&transcript(&passed));
}

/// Inline snapshots cannot hold whitespace-only lines (a diff's blank context lines).
fn trim_lines(text: &str) -> String {
    text.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

#[test]
fn an_empty_range_leaves_an_empty_unreleased_section() {
    let repo = TestRepo::new();
    repo.commit("feat: released").tag("v1.0.0");
    let output = repo.monorel(&["changelog", "--stdout"]);
    expect![[r#"
        exit: 0
        --- stdout
        # Changelog

        All notable changes to this project will be documented in this file.

        The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
        and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

        ## [Unreleased]
    "#]]
    .assert_eq(&transcript(&output));
    assert!(!repo.path().join("CHANGELOG.md").exists(), "--stdout wrote");
    repo.monorel(&["changelog"]);
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md` is up to date (0 commits since `v1.0.0`)
    "#]]
    .assert_eq(&transcript(&output));
    // A repository with no commit at all.
    let empty = TestRepo::new();
    let output = empty.monorel(&["changelog", "--check"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
}

#[test]
fn reverts_of_unreleased_commits_cancel_out_and_non_conventional_commits_follow_cliff_toml() {
    let repo = TestRepo::new();
    repo.commit("feat: keep me");
    repo.commit("feat: regret me");
    let regret = repo.git(&["rev-parse", "HEAD"]);
    repo.monorel(&["changelog"]);
    assert!(repo.read("CHANGELOG.md").contains("- Regret me\n"));
    repo.commit(&format!("Revert \"feat: regret me\"\n\nThis reverts commit {}.", regret.trim()));
    repo.commit("Tweak the build scripts");
    repo.write(
        "cliff.toml",
        "[git]\nfilter_unconventional = false\ncommit_parsers = [\n  { message = \"^feat\", group = \"Added\" },\n  { message = \".*\", group = \"Miscellaneous\" },\n]\n",
    );
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 1 entry added, 1 removed, 1 kept (4 commits)
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        ## [Unreleased]

        ### Added

        - Keep me

        ### Miscellaneous

        - Tweak the build scripts
    "#]]
    .assert_eq(body(&repo.read("CHANGELOG.md")));
    // A bad rule is refused with the file, the line and the fix; nothing is written.
    repo.write("cliff.toml", "[git]\ncommit_parsers = [{ message = \"(\" }]\n");
    let before = repo.read("CHANGELOG.md");
    expect![[r#"
        exit: 1
        --- stderr
        error: `cliff.toml:2`: `git.commit_parsers[0].message` is not a valid regex (`(`): error: unclosed group
        help: fix the pattern (Rust `regex` syntax, as git-cliff uses)
    "#]]
    .assert_eq(&transcript(&repo.monorel(&["changelog"])));
    assert_eq!(repo.read("CHANGELOG.md"), before);
}

#[test]
fn all_writes_a_dated_section_per_tag_with_comparison_links_and_notes_prints_one() {
    let repo = repo_with_remote();
    repo.write("CHANGELOG.md", "# Changes of widget\n\nKept as it is.\n");
    repo.commit("feat: first feature").tag("v0.1.0");
    repo.commit("fix: a bug (#4)");
    repo.commit("chore: release").tag("v0.2.0");
    repo.commit("feat: next thing");
    let output = repo.monorel(&["changelog", "--all"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 1 entry added, 0 kept, 2 release sections written (4 commits)
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        # Changes of widget

        Kept as it is.

        ## [Unreleased]

        ### Added

        - Next thing

        ## [0.2.0] - 2024-01-01

        ### Fixed

        - A bug ([#4](https://github.com/acme/widget/issues/4))

        ## [0.1.0] - 2024-01-01

        ### Added

        - First feature

        [unreleased]: https://github.com/acme/widget/compare/v0.2.0...HEAD
        [0.2.0]: https://github.com/acme/widget/compare/v0.1.0...v0.2.0
        [0.1.0]: https://github.com/acme/widget/releases/tag/v0.1.0
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    assert!(repo.monorel(&["changelog", "--all", "--check"]).status.success());
    assert!(repo.monorel(&["changelog", "--check"]).status.success());
    let notes = repo.monorel(&["changelog", "--notes", "0.2.0"]);
    expect![[r#"
        exit: 0
        --- stdout
        ### Fixed

        - A bug ([#4](https://github.com/acme/widget/issues/4))
    "#]]
    .assert_eq(&transcript(&notes));
    expect![[r#"
        exit: 1
        --- stderr
        error: `CHANGELOG.md` has no section for 9.9.9
        help: it has: 0.2.0, 0.1.0
    "#]]
    .assert_eq(&transcript(&repo.monorel(&["changelog", "--notes", "9.9.9"])));
}

#[test]
fn promotion_moves_unreleased_under_the_version_and_keeps_the_links_right() {
    let repo = repo_with_remote();
    repo.commit("feat: first").tag("v1.0.0");
    repo.commit("feat: second (#7)");
    repo.monorel(&["changelog", "--all"]);
    let date = monorel::changelog::release_date(Some("2024-01-01"), None, 0).unwrap();
    let version = monorel::version::Version::new(1, 1, 0);
    let pattern = monorel::changelog::TagPattern::default();
    let promoted = monorel::changelog::promote(
        "CHANGELOG.md",
        repo.read("CHANGELOG.md").as_bytes(),
        &monorel::changelog::Promotion {
            version: &version,
            date: &date,
            tag_pattern: &pattern,
            forge: None,
        },
    )
    .unwrap();
    repo.write("CHANGELOG.md", std::str::from_utf8(&promoted).unwrap());
    expect![[r#"
        ## [Unreleased]

        ## [1.1.0] - 2024-01-01

        ### Added

        - Second ([#7](https://github.com/acme/widget/issues/7))

        ## [1.0.0] - 2024-01-01

        ### Added

        - First

        [unreleased]: https://github.com/acme/widget/compare/v1.1.0...HEAD
        [1.1.0]: https://github.com/acme/widget/compare/v1.0.0...v1.1.0
        [1.0.0]: https://github.com/acme/widget/releases/tag/v1.0.0
    "#]]
    .assert_eq(body(&repo.read("CHANGELOG.md")));
    // The release command then commits and tags; the next run agrees with the promoted file.
    repo.commit("chore(release): 1.1.0").tag("v1.1.0");
    let output = repo.monorel(&["changelog", "--check"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let output = repo.monorel(&["changelog", "--all", "--check"]);
    assert!(output.status.success(), "{}", transcript(&output));
}

#[test]
fn a_group_changelog_has_only_the_commits_touching_its_paths() {
    let repo = TestRepo::new();
    repo.write("monorel.toml", "[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\n\n[groups.app]\npaths = [\"app/\"]\n");
    repo.write("sdk/pyproject.toml", "[project]\nname = \"acme-sdk\"\nversion = \"0.1.0\"\n");
    repo.write("app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"2.0.0\"\n");
    repo.commit("chore: set up");
    repo.write("sdk/a.py", "1").commit("feat(sdk): add a client");
    repo.tag("sdk-v0.1.0");
    repo.write("app/main.rs", "1").commit("feat(app): add a window");
    repo.write("sdk/b.py", "1").commit("fix(sdk): retry on timeouts");
    repo.write("app/main.rs", "2").commit("fix(app): redraw");
    let output = repo.monorel(&["changelog", "--group", "sdk"]);
    expect![[r#"
        exit: 0
        --- stdout
        `sdk/CHANGELOG.md`: [Unreleased] 1 entry added, 0 kept (1 commit since `sdk-v0.1.0`)
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        ## [Unreleased]

        ### Fixed

        - **sdk**: Retry on timeouts
    "#]]
    .assert_eq(body(&repo.read("sdk/CHANGELOG.md")));
    let all = repo.monorel(&["changelog", "--group", "sdk", "--all", "--stdout"]);
    expect![[r#"
        ## [Unreleased]

        ### Fixed

        - **sdk**: Retry on timeouts

        ## [0.1.0] - 2024-01-01

        ### Added

        - **sdk**: Add a client
    "#]]
    .assert_eq(body(&String::from_utf8_lossy(&all.stdout)));
    expect![[r#"
        exit: 1
        --- stderr
        error: there is no group `nope`
        help: the groups are: sdk, app (see `monorel versions`)
    "#]]
    .assert_eq(&transcript(&repo.monorel(&["changelog", "--group", "nope"])));
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

#[test]
fn the_changelog_is_the_one_the_release_configuration_names() {
    let repo = TestRepo::new();
    repo.write("monorel.toml", "[release]\nchangelog = \"docs/CHANGES.md\"\n")
        .write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.0.0\"\n")
        .commit("chore: set up");
    repo.write("a.py", "1").commit("feat: add a client");
    let output = repo.monorel(&["changelog"]);
    expect![[r#"
        exit: 0
        --- stdout
        `docs/CHANGES.md`: [Unreleased] 1 entry added, 0 kept (2 commits)
    "#]]
    .assert_eq(&transcript(&output));
    assert!(repo.read("docs/CHANGES.md").contains("- Add a client\n"));
    assert!(!repo.path().join("CHANGELOG.md").exists());
}

/// A fixture of `testdata/changelog/`.
fn fixture(name: &str) -> String {
    let path = format!("{}/../../testdata/changelog/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn unreleased_goes_above_the_newest_release_in_the_heading_style_of_the_file() {
    // tokio's style: level-1 release headings with long dates, no `[Unreleased]`.
    let repo = repo_with_remote();
    repo.write("CHANGELOG.md", &fixture("level-one-headings.md"));
    repo.commit("feat: initial release").tag("v0.1.0");
    repo.commit("feat(io): add a buffered reader").tag("v0.2.0");
    repo.commit("fix(codec): keep the last frame of a closed stream (#12)").tag("v0.2.1");
    repo.commit("feat: add a writer");
    let output = repo.monorel(&["changelog"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let written = repo.read("CHANGELOG.md");
    // No `[unreleased]:` definition either: these headings have no link labels.
    assert_eq!(
        written,
        format!(
            "# Unreleased\n\n### Added\n\n- Add a writer\n\n{}",
            fixture("level-one-headings.md")
        )
    );
    assert!(repo.monorel(&["changelog", "--check"]).status.success());

    // Setext headings: `Unreleased` is underlined, and `--all` writes a missing release the same way.
    let repo = TestRepo::new();
    repo.write("CHANGELOG.md", &fixture("setext-headings.md"));
    repo.commit("feat: initial release").tag("v1.0.0");
    repo.commit("feat: add a buffered reader").tag("v1.1.0");
    repo.commit("fix: flush on drop").tag("v1.2.0");
    repo.commit("feat: add a writer");
    let output = repo.monorel(&["changelog", "--all"]);
    assert!(output.status.success(), "{}", transcript(&output));
    expect![[r#"
        Changes
        =======

        Unreleased
        ----------

        ### Added

        - Add a writer

        1.2.0 (2024-01-01)
        ------------------

        ### Fixed

        - Flush on drop

        1.1.0 (2025-06-01)
        ------------------

        - Add a buffered reader

        1.0.0 (2025-05-01)
        ------------------

        - Initial release
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    assert!(repo.monorel(&["changelog", "--all", "--check"]).status.success());
}

#[test]
fn all_keeps_each_block_under_its_release_and_the_hand_written_entries_of_released_sections() {
    let repo = repo_with_remote();
    repo.write("CHANGELOG.md", &fixture("blocks-under-releases.md"));
    repo.commit("feat: start").tag("v0.1.0");
    repo.commit("feat(cli): add a flag").tag("v0.2.0");
    repo.commit("docs: explain the flag");
    repo.commit("chore: tidy").tag("v0.3.0");
    repo.commit("fix: later");
    let output = repo.monorel(&["changelog", "--all"]);
    expect![[r#"
        exit: 0
        --- stdout
        `CHANGELOG.md`: [Unreleased] 1 entry added, 0 kept, 3 release sections written (5 commits)
    "#]]
    .assert_eq(&transcript(&output));
    expect![[r#"
        # Changelog

        ## [Unreleased]

        ### Fixed

        - Later

        ## [0.3.0] - 2024-01-01

        No user-facing changes.

        ## [0.2.0](https://github.com/acme/widget/compare/v0.1.0..v0.2.0) - 2024-01-01

        ### Added

        - **cli**: Add a flag

        ### ⛰️  Features

        - *(cli)* Add a flag - ([abc1234](https://github.com/acme/widget/commit/abc1234))

        ## New Contributors ❤️

        * @alice made their first contribution in [#2](https://github.com/acme/widget/pull/2)

        ## [0.1.0] - 2024-01-01

        ### Added

        - Initial public release.
        - Start

        ## New Contributors ❤️

        * @bob made their first contribution

        <!-- generated by git-cliff -->

        [unreleased]: https://github.com/acme/widget/compare/v0.3.0...HEAD
        [0.3.0]: https://github.com/acme/widget/compare/v0.2.0...v0.3.0
        [0.2.0]: https://github.com/acme/widget/compare/v0.1.0...v0.2.0
        [0.1.0]: https://github.com/acme/widget/releases/tag/v0.1.0
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    // Running it again changes nothing, and a release that gets an entry loses the sentence.
    assert!(repo.monorel(&["changelog", "--all", "--check"]).status.success());
}
