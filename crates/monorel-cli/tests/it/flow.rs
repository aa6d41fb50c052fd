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
