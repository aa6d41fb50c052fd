//! The notes a release carries: a final release takes in its release candidates, the tag's
//! message follows `[release] tag-message`, and a security release says so.

use expect_test::expect;

use crate::support::{TestRepo, transcript};

use crate::release::DATE;

/// v1.3.0 released, then a `feat` and a `fix`; `config` is `monorel.toml`.
fn project(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.3.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2024-01-01\n\n### Added\n\n- The engine\n")
        .write("monorel.toml", config)
        .commit("chore: release 1.3.0")
        .tag("v1.3.0");
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers");
    repo.write("contd/engine.py", "x = 2\n").commit("fix: retry on timeout");
    repo
}

fn run(repo: &TestRepo, args: &[&str]) -> String {
    let output = repo.monorel_with(&[DATE], args);
    let text = transcript(&output);
    assert!(output.status.success(), "{args:?}: {text}");
    text
}

fn tag_message(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["for-each-ref", "--format=%(contents)", &format!("refs/tags/{tag}")])
}

#[test]
fn the_final_release_folds_the_release_candidates_notes_into_its_own() {
    let repo = project("");
    run(&repo, &["release", "minor", "--pre", "rc", "--execute", "--offline"]);
    repo.write("contd/engine.py", "x = 3\n").commit("fix: crash on start");
    run(&repo, &["release", "rc", "--execute", "--offline"]);
    // Without `--allow-empty`: the candidates' entries are the final release's.
    run(&repo, &["release", "release", "--execute", "--offline"]);
    expect![[r#"
        # Changelog

        ## [Unreleased]

        ## [1.4.0] - 2024-05-01

        ### Added

        - Durable timers

        ### Fixed

        - Crash on start
        - Retry on timeout

        ## [1.3.0] - 2024-01-01

        ### Added

        - The engine
    "#]]
    .assert_eq(&repo.read("CHANGELOG.md"));
    expect![[r#"
        ### Added

        - Durable timers

        ### Fixed

        - Crash on start
        - Retry on timeout

    "#]]
    .assert_eq(&tag_message(&repo, "v1.4.0"));
    // Each candidate's tag keeps its own notes.
    expect![[r#"
        ### Fixed

        - Crash on start

    "#]]
    .assert_eq(&tag_message(&repo, "v1.4.0-rc.2"));
}

#[test]
fn the_tag_message_follows_the_configured_template() {
    let repo = project("[release]\ntag-message = \"Release {tag} ({version})\\n\\n{notes}\"\n");
    let dry = run(&repo, &["release", "minor", "--offline"]);
    assert!(dry.contains("its message from `[release] tag-message`"), "{dry}");
    assert!(
        dry.contains(
            "the tag's message (`[release] tag-message`):\n\n    Release v1.4.0 (1.4.0)\n"
        ),
        "{dry}"
    );
    run(&repo, &["release", "minor", "--execute", "--offline"]);
    expect![[r#"
        Release v1.4.0 (1.4.0)

        ### Added

        - Durable timers

        ### Fixed

        - Retry on timeout

    "#]]
    .assert_eq(&tag_message(&repo, "v1.4.0"));
    // Without `{notes}`, the message is the template alone.
    let repo = project("[release]\ntag-message = \"Hotfix {tag}\"\n");
    run(&repo, &["release", "patch", "--execute", "--offline"]);
    assert_eq!(tag_message(&repo, "v1.3.1"), "Hotfix v1.3.1\n\n");
}

#[test]
fn a_security_release_says_so_and_a_cherry_picked_fix_keeps_its_footer_clean() {
    let repo = project("[release]\ntag-message = \"Hotfix {tag}\"\n");
    repo.git(&["switch", "-q", "-c", "dev"]);
    repo.write("contd/names.py", "escape = True\n")
        .commit("fix: escape names in the log\n\nSecurity: CVE-2024-0001");
    repo.git(&["switch", "-q", "main"]);
    repo.git(&["cherry-pick", "-x", "dev"]);
    assert!(
        repo.git(&["log", "-1", "--format=%B"])
            .contains("CVE-2024-0001\n(cherry picked from commit ")
    );
    run(&repo, &["release", "patch", "--execute", "--offline"]);
    let changelog = repo.read("CHANGELOG.md");
    expect![[r#"
        ## [1.3.1] - 2024-05-01

        This release fixes security issues.

        ### Added

        - Durable timers

        ### Fixed

        - Retry on timeout

        ### Security

        - Escape names in the log (CVE-2024-0001)

    "#]]
    .assert_eq(
        &changelog[changelog.find("## [1.3.1]").unwrap()..changelog.find("## [1.3.0]").unwrap()],
    );
    assert_eq!(
        tag_message(&repo, "v1.3.1"),
        "Hotfix v1.3.1\n\nThis release fixes security issues.\n\n"
    );
}

#[test]
fn a_branch_that_never_merged_the_release_candidate_keeps_its_commits_unreleased() {
    let repo = project("[release]\nbranches = [\"main\", \"release/*\"]\n");
    repo.write("contd/stream.py", "on = True\n").commit("feat: streaming output");
    run(&repo, &["changelog"]);
    repo.commit("docs: changelog");
    repo.git(&["switch", "-q", "-c", "release/v1.4.0"]);
    run(&repo, &["release", "minor", "--pre", "rc", "--execute", "--offline"]);
    repo.git(&["switch", "-q", "main"]);
    // On `main` the candidate's commits are still unreleased: a revert there cancels its entry,
    // as it would have before the candidate was cut on another branch.
    let feat = repo.git(&["log", "--format=%H", "--grep=streaming output", "-1"]);
    repo.git(&["revert", "--no-edit", feat.trim()]);
    let changelog = run(&repo, &["changelog", "--stdout"]);
    let unreleased = &changelog
        [changelog.find("## [Unreleased]").unwrap()..changelog.find("## [1.3.0]").unwrap()];
    expect![[r#"
        ## [Unreleased]

        ### Added

        - Durable timers

        ### Fixed

        - Retry on timeout

    "#]]
    .assert_eq(unreleased);
}
