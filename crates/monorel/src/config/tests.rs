use super::*;

fn error(text: &str) -> String {
    let e = Config::parse_file("monorel.toml", text).unwrap_err();
    format!("{}:{:?}: {} (help: {})", e.path, e.line, e.message, e.help)
}

#[test]
fn a_release_flow() {
    let config = Config::parse_file(
        "monorel.toml",
        "[release.flow]\ndevelop = \"dev\"\nrelease-branch = \"release-v{version}\"\n",
    )
    .unwrap();
    assert_eq!(
        config.release.flow,
        Some(FlowConfig {
            develop: "dev".into(),
            main: "main".into(),
            release_branch: Some("release-v{version}".into()),
            hotfix_branch: "hotfix/v{version}".into(),
            delete_branch: false,
        })
    );
    // `develop` left out is `main`: one trunk.
    let trunk = Config::parse_file("monorel.toml", "[release.flow]\nmain = \"trunk\"\n").unwrap();
    assert_eq!(trunk.release.flow.unwrap().develop, "trunk");
    assert_eq!(Config::parse_file("monorel.toml", "").unwrap().release.flow, None);
    assert_eq!(
        error("[release.flow]\nrelease-branch = \"release\"\n"),
        "monorel.toml:Some(2): `release.flow.release-branch` is `release`, which has no `{version}` (help: name each branch by its version, e.g. `release-branch = \"release/v{version}\"`)"
    );
    assert!(error("[release.flow]\ndevlop = \"dev\"\n").contains("develop"));
}

#[test]
fn a_full_configuration() {
    let config = Config::parse_file(
        "monorel.toml",
        "exclude = [\"testdata/\"]\n\n[groups.rust]\npackages = [\"cargo:*\"]\n\n[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\n\n[[groups.sdk.files]]\npath = \"README.md\"\npattern = 'sdk==(?<version>\\S+)'\ncount = 2\nspelling = \"pep440\"\n",
    )
    .unwrap();
    assert_eq!(config.exclude, ["testdata/"]);
    assert_eq!(config.groups.len(), 2);
    assert_eq!(config.tag_of("rust"), "v{version}");
    assert_eq!(config.tag_of("sdk"), "sdk-v{version}");
    assert_eq!(config.groups[1].files[0].count, 2);
    assert_eq!(config.groups[1].files[0].spelling, Spelling::Pep440);
}

#[test]
fn mistakes_name_the_key_the_line_and_the_fix() {
    assert_eq!(
        error("[groups.rust]\npackage = [\"cargo:*\"]\n"),
        "monorel.toml:Some(2): unknown key `groups.rust.package` (help: did you mean `groups.rust.packages`? known keys: packages, paths, tag, files, app-version, artifacts)"
    );
    assert_eq!(
        error("exlude = []\n"),
        "monorel.toml:Some(1): unknown key `exlude` (help: did you mean `exclude`? known keys: exclude, include, groups, release)"
    );
    assert_eq!(
        error("[groups.a]\npaths = [\"a/\"]\ntag = \"a-{ver}\"\n"),
        "monorel.toml:Some(3): `groups.a.tag` must contain `{version}`, found `a-{ver}` (help: write e.g. `tag = \"v{version}\"`)"
    );
    assert_eq!(
        error("[groups.a]\ntag = \"v{version}\"\n"),
        "monorel.toml:Some(1): group `a` has neither `packages` nor `paths`, so it holds nothing (help: add `packages = [\"cargo:*\"]` or `paths = [\"crates/\"]`)"
    );
    assert_eq!(
        error(
            "[groups.a]\npaths = [\"a/\"]\n[[groups.a.files]]\npath = \"x\"\npattern = \"v(\\\\d+)\"\n"
        ),
        "monorel.toml:Some(4): `groups.a.files.pattern` has no group named `version`: `v(\\d+)` (help: mark the version with `(?<version>...)`)"
    );
    assert_eq!(
        error("[groups\n"),
        "monorel.toml:Some(1): invalid TOML: unclosed table, expected `]` (help: fix the syntax error)"
    );
}

#[test]
fn paths_must_stay_inside_the_repository() {
    assert_eq!(
        error("[release]\nchangelog = \"../../x\"\n"),
        "monorel.toml:Some(2): `release.changelog` must be a path inside the repository; `../../x` leaves the repository (`..`) (help: write a path relative to the repository root, without `..` that leaves it)"
    );
    assert_eq!(
        error("[release]\nchangelog = \"/home/u/.bashrc\"\n"),
        "monorel.toml:Some(2): `release.changelog` must be a path inside the repository; `/home/u/.bashrc` is absolute (help: write a path relative to the repository root, without `..` that leaves it)"
    );
    assert_eq!(
        error(
            "[groups.a]\npaths = [\"a/\"]\n\n[[groups.a.files]]\npattern = \"(?<version>.*)\"\npath = \"/proc/self/environ\"\n"
        ),
        "monorel.toml:Some(6): `groups.a.files.path` must be a path inside the repository; `/proc/self/environ` is absolute (help: write a path relative to the repository root, without `..` that leaves it)"
    );
    assert_eq!(
        error(
            "[groups.a]\npaths = [\"a/\"]\nartifacts = [\n  \"dist/\",\n  \"a/../../dist\",\n]\n"
        ),
        "monorel.toml:Some(5): `groups.a.artifacts` must be a path inside the repository; `a/../../dist` leaves the repository (`..`) (help: write a path relative to the repository root, without `..` that leaves it)"
    );
    assert_eq!(
        error("exclude = [\"x\\u0000y\"]\n"),
        "monorel.toml:Some(1): `exclude` must be a path inside the repository; `x\\0y` contains a NUL byte (help: write a path relative to the repository root, without `..` that leaves it)"
    );
    let manifest =
        "[workspace]\n\n[workspace.metadata.monorel.release]\nchangelog = \"../CHANGELOG.md\"\n";
    let e = Config::from_cargo_manifest("Cargo.toml", manifest).unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (
            Some(4),
            "`release.changelog` must be a path inside the repository; `../CHANGELOG.md` leaves the repository (`..`)"
        )
    );
    assert!(
        Config::parse_file("monorel.toml", "[release]\nchangelog = \"docs/../CHANGES.md\"\n")
            .is_ok()
    );
}

#[test]
fn release_settings() {
    let config = Config::parse_file(
        "monorel.toml",
        "[release]\nbranches = [\"main\", \"release/*\"]\npre-commit = [\"cargo test\"]\npush = true\nnext-dev = true\n",
    )
    .unwrap();
    assert_eq!(config.release.branches, ["main", "release/*"]);
    assert_eq!(config.release.pre_commit, ["cargo test"]);
    assert!(config.release.push && config.release.next_dev && !config.release.sign);
    assert_eq!(config.release.commit_message, "chore(release): {tag}");
    assert_eq!(config.release.tag_message, "{notes}");
    let messages = Config::parse_file(
        "monorel.toml",
        "[release]\ntag-message = \"Release {tag}\"\nnext-dev-message = \"chore: {version}\"\n",
    )
    .unwrap();
    assert_eq!(messages.release.tag_message, "Release {tag}");
    assert_eq!(messages.release.next_dev_message, "chore: {version}");
    assert!(
        error("[release]\ntag-mesage = \"x\"\n").contains("did you mean `release.tag-message`?")
    );
    assert_eq!(
        error("[release]\npush = \"yes\"\n"),
        "monorel.toml:Some(2): `release.push` must be `true` or `false` (help: write `push = true`)"
    );
    assert_eq!(
        error("[release]\npre_commit = []\n"),
        "monorel.toml:Some(2): unknown key `release.pre_commit` (help: did you mean `release.pre-commit`? known keys: branches, pre-commit, post-tag, push, sign, next-dev, commit-message, tag-message, next-dev-message, changelog, flow)"
    );
}

#[test]
fn package_patterns() {
    assert!(package_matches("cargo:*", "cargo", "monorel"));
    assert!(!package_matches("cargo:*", "python", "monorel"));
    assert!(package_matches("monorel-*", "python", "monorel-sdk"));
    assert!(!package_matches("monorel-*", "python", "monorel"));
    assert!(package_matches("*-sdk", "python", "acme-sdk"));
    assert!(package_matches("a*c*e", "helm", "abcde"));
    assert!(!package_matches("a*c*e", "helm", "abde"));
}
