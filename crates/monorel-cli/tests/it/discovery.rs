//! Discovery on real repositories' shapes, one fixture per rule: `testdata/repos/<rule>/`, a small
//! tree of our own that carries one fact found in public repositories. Each test copies its
//! fixture into a real git repository and runs the real binary.

use std::path::Path;

use expect_test::{Expect, expect};

use crate::support::{TestRepo, repo_root, transcript};

/// A git repository holding `testdata/repos/<name>/`, committed, with `tags` at `HEAD`.
fn fixture(name: &str, tags: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    let source = repo_root().join("testdata/repos").join(name);
    copy(&source, &source, &repo);
    repo.commit("feat: the fixture");
    for tag in tags {
        repo.tag(tag);
    }
    repo
}

fn copy(root: &Path, dir: &Path, repo: &TestRepo) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            copy(root, &path, repo);
        } else if path.file_name().is_some_and(|n| n != "README.md") {
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            repo.write(&rel, &std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn check(repo: &TestRepo, args: &[&str], expected: Expect) {
    let text = transcript(&repo.monorel(args));
    let text: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    expected.assert_eq(&text);
}

#[test]
fn test_data_examples_fuzz_and_vendored_code_are_set_aside() {
    let repo = fixture("set-aside", &[]);
    check(
        &repo,
        &["versions", "--check"],
        expect![[r#"
            exit: 0
            --- stdout
            group default: 1.2.0, tag `v{version}`: cargo:app

            FILE:LINE                   KIND        GROUP    VALUE  WHAT
            Cargo.lock:5                cargo-lock  default  1.2.0  package app
            Cargo.lock:9                cargo-lock  -        0.3.0  package demo
            Cargo.toml:6                cargo-toml  default  1.2.0  [package].version
            examples/demo/Cargo.toml:3  cargo-toml  -        0.3.0  [package].version

            not bumped by editing files: cargo:demo (not published)

            6 manifests under test data and examples set aside; `--all` lists them, `include = [...]` takes them in
        "#]],
    );
    check(
        &repo,
        &["versions", "--all"],
        expect![[r#"
            exit: 0
            --- stdout
            group default: 1.2.0, tag `v{version}`: cargo:app

            FILE:LINE                   KIND        GROUP    VALUE  WHAT
            Cargo.lock:5                cargo-lock  default  1.2.0  package app
            Cargo.lock:9                cargo-lock  -        0.3.0  package demo
            Cargo.toml:6                cargo-toml  default  1.2.0  [package].version
            examples/demo/Cargo.toml:3  cargo-toml  -        0.3.0  [package].version

            not bumped by editing files: cargo:demo (not published)

            6 manifests under test data and examples set aside (`include = [...]` takes them in):
              .github/fixtures/configure/Cargo.toml
              fuzz/Cargo.lock
              fuzz/Cargo.toml
              tests/data/broken/pyproject.toml
              tests/fixtures/app/pyproject.toml
              vendor/lib/setup.py
        "#]],
    );
}

#[test]
fn crates_at_different_versions_are_released_apart_with_their_tag_styles() {
    let repo = fixture("independent", &["15.1.0", "lib-a-0.4.3", "lib-b-0.7.0"]);
    check(
        &repo,
        &["versions"],
        expect![[r#"
            exit: 0
            --- stdout
            group tool: 15.1.0, tag `{version}`: cargo:tool
            group lib-a: 0.4.3, tag `lib-a-{version}`: cargo:lib-a
            group lib-b: 0.7.0, tag `lib-b-{version}`: cargo:lib-b

            FILE:LINE              KIND        GROUP  VALUE   WHAT
            Cargo.lock:5           cargo-lock  lib-a  0.4.3   package lib-a
            Cargo.lock:12          cargo-lock  lib-b  0.7.0   package lib-b
            Cargo.lock:16          cargo-lock  tool   15.1.0  package tool
            Cargo.toml:6           cargo-toml  tool   15.1.0  [package].version
            Cargo.toml:10          cargo-toml  lib-a  0.4.1   [dependencies] lib-a
            crates/a/Cargo.toml:3  cargo-toml  lib-a  0.4.3   [package].version
            crates/a/Cargo.toml:7  cargo-toml  lib-b  0.7.0   [dependencies] lib-b
            crates/b/Cargo.toml:3  cargo-toml  lib-b  0.7.0   [package].version
        "#]],
    );
    check(
        &repo,
        &["bump", "minor"],
        expect![[r#"
            exit: 1
            --- stderr
            error: this repository has 3 groups (`tool`, `lib-a`, `lib-b`); choose one with `--group`
        "#]],
    );
    // 0.8.0 leaves lib-a's `0.7.0` pin (a 0.x minor): the pin moves, and the plan says why.
    check(
        &repo,
        &["bump", "minor", "--group", "lib-b"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `lib-b`: 0.7.0 -> 0.8.0 (tag `lib-b-0.8.0`)

            --- a/Cargo.lock
            +++ b/Cargo.lock
            @@ -9,7 +9,7 @@

             [[package]]
             name = "lib-b"
            -version = "0.7.0"
            +version = "0.8.0"

             [[package]]
             name = "tool"
            --- a/crates/a/Cargo.toml
            +++ b/crates/a/Cargo.toml
            @@ -4,4 +4,4 @@
             edition = "2021"

             [dependencies]
            -lib-b = { version = "0.7.0", path = "../b" }
            +lib-b = { version = "0.8.0", path = "../b" }
            --- a/crates/b/Cargo.toml
            +++ b/crates/b/Cargo.toml
            @@ -1,4 +1,4 @@
             [package]
             name = "lib-b"
            -version = "0.7.0"
            +version = "0.8.0"
             edition = "2021"

            3 versions in 3 files would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
    // 0.4.4 still satisfies the tool's `0.4.1`: that pin stays.
    check(
        &repo,
        &["bump", "patch", "--group", "lib-a"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `lib-a`: 0.4.3 -> 0.4.4 (tag `lib-a-0.4.4`)

            --- a/Cargo.lock
            +++ b/Cargo.lock
            @@ -2,7 +2,7 @@

             [[package]]
             name = "lib-a"
            -version = "0.4.3"
            +version = "0.4.4"
             dependencies = [
              "lib-b",
             ]
            --- a/crates/a/Cargo.toml
            +++ b/crates/a/Cargo.toml
            @@ -1,6 +1,6 @@
             [package]
             name = "lib-a"
            -version = "0.4.3"
            +version = "0.4.4"
             edition = "2021"

             [dependencies]

            2 versions in 2 files would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn a_maturin_project_takes_the_version_of_its_unpublished_crate() {
    let repo = fixture("maturin", &[]);
    check(
        &repo,
        &["bump", "patch"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 0.5.0 -> 0.5.1 (tag `v0.5.1`)

            --- a/rust/Cargo.toml
            +++ b/rust/Cargo.toml
            @@ -1,5 +1,5 @@
             [package]
             name = "fast"
            -version = "0.5.0"
            +version = "0.5.1"
             edition = "2021"
             publish = false

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn exact_pep508_pins_on_a_sibling_move_with_it() {
    let repo = fixture("python-pins", &[]);
    check(
        &repo,
        &["bump", "minor"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 1.0.0 -> 1.1.0 (tag `v1.1.0`)

            --- a/app/pyproject.toml
            +++ b/app/pyproject.toml
            @@ -1,7 +1,7 @@
             [project]
             name = "app"
            -version = "1.0.0"
            -dependencies = ["app-core == 1.0.0", "requests == 1.0.0"]
            +version = "1.1.0"
            +dependencies = ["app-core == 1.1.0", "requests == 1.0.0"]

             [project.optional-dependencies]
            -fast = ["App_Core[speed] == 1.0.0 ; python_version >= '3.9'"]
            +fast = ["App_Core[speed] == 1.1.0 ; python_version >= '3.9'"]
            --- a/core/pyproject.toml
            +++ b/core/pyproject.toml
            @@ -1,3 +1,3 @@
             [project]
             name = "app_core"
            -version = "1.0.0"
            +version = "1.1.0"

            4 versions in 2 files would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn tied_packages_that_disagree_are_drift() {
    let repo = fixture("ties", &[]);
    check(
        &repo,
        &["versions", "--check"],
        expect![[r#"
            exit: 1
            --- stdout
            group default: (drift), tag `v{version}`: cargo:core, python:core, cargo:plugin

            FILE:LINE            KIND        GROUP    VALUE  WHAT
            Cargo.toml:3         cargo-toml  default  2.0.1  [package].version
            plugin/Cargo.toml:3  cargo-toml  default  2.0.1  [package].version
            plugin/Cargo.toml:7  cargo-toml  default  2.0.1  [dependencies] core
            pyproject.toml:7     pyproject   default  2.0.0  [project].version
            --- stderr
            error: `Cargo.toml:3`: version files disagree: `pyproject.toml:7` has 2.0.0 ([project].version), `Cargo.toml:3` has 2.0.1 ([package].version), `plugin/Cargo.toml:3` has 2.0.1 ([package].version)
            help: bring them to one version (`monorel bump-file <file> --from <old> --to <new>`), or give packages that are versioned apart their own groups in `monorel.toml` (`[groups.<name>]`, see `monorel init`)
        "#]],
    );
}

#[test]
fn a_placeholder_version_is_never_bumped() {
    let repo = fixture("placeholder", &[]);
    check(
        &repo,
        &["bump", "minor"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 1.4.0 -> 1.5.0 (tag `v1.5.0`)

            --- a/pyproject.toml
            +++ b/pyproject.toml
            @@ -1,3 +1,3 @@
             [project]
             name = "svc"
            -version = "1.4.0"
            +version = "1.5.0"

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn uv_lock_moves_with_its_editable_package() {
    let repo = fixture("uv-lock", &["3.1.2"]);
    check(
        &repo,
        &["bump", "release"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 3.1.3-dev -> 3.1.3 (tag `3.1.3`)

            --- a/pyproject.toml
            +++ b/pyproject.toml
            @@ -1,3 +1,3 @@
             [project]
             name = "Flask"
            -version = "3.1.3.dev0"
            +version = "3.1.3"
            --- a/uv.lock
            +++ b/uv.lock
            @@ -9,7 +9,7 @@

             [[package]]
             name = "flask"
            -version = "3.1.3.dev0"
            +version = "3.1.3"
             source = { editable = "." }
             dependencies = [
                 { name = "click" },

            2 versions in 2 files would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn python_versions_keep_two_numbers_and_an_earlier_series_may_be_fixed() {
    let repo = fixture("python-two-numbers", &[]);
    check(
        &repo,
        &["bump", "26.3"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 26.3.0-dev -> 26.3.0 (tag `v26.3.0`)

            --- a/src/pkg/__init__.py
            +++ b/src/pkg/__init__.py
            @@ -1 +1 @@
            -__version__ = "26.3.dev0"
            +__version__ = "26.3"

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
    check(
        &repo,
        &["bump", "26.2.1"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 26.3.0-dev -> 26.2.1 (tag `v26.2.1`)

            --- a/src/pkg/__init__.py
            +++ b/src/pkg/__init__.py
            @@ -1 +1 @@
            -__version__ = "26.3.dev0"
            +__version__ = "26.2.1"

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn a_release_tuple_is_the_version_of_its_project() {
    let repo = fixture("django-tuple", &[]);
    check(
        &repo,
        &["bump", "release"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 6.1.0-dev -> 6.1.0 (tag `v6.1.0`)

            --- a/framework/__init__.py
            +++ b/framework/__init__.py
            @@ -1,5 +1,5 @@
             from framework.utils.version import get_version

            -VERSION = (6, 1, 0, "alpha", 0)
            +VERSION = (6, 1, 0, "final", 0)

             __version__ = get_version(VERSION)

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn a_stale_lock_entry_is_a_warning_and_stays() {
    let repo = fixture("stale-lock", &[]);
    check(
        &repo,
        &["bump", "patch"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `default`: 1.0.1 -> 1.0.2 (tag `v1.0.2`)

            --- a/Cargo.toml
            +++ b/Cargo.toml
            @@ -1,4 +1,4 @@
             [package]
             name = "solo"
            -version = "1.0.1"
            +version = "1.0.2"
             edition = "2021"

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn two_projects_of_one_name_are_two_packages() {
    let repo = fixture("same-name", &[]);
    check(
        &repo,
        &["versions", "--check"],
        expect![[r#"
            exit: 0
            --- stdout
            group scripts: 0.3.0, tag `scripts-v{version}`: python:scripts
            group scripts-python: 2.4.0, tag `scripts-python-v{version}`: python:scripts

            FILE:LINE                     KIND       GROUP           VALUE  WHAT
            scripts/pyproject.toml:3      pyproject  scripts         0.3.0  [project].version
            tools/bench/pyproject.toml:3  pyproject  scripts-python  2.4.0  [project].version
        "#]],
    );
    check(
        &repo,
        &["init", "--stdout"],
        expect![[r#"
            exit: 0
            --- stdout
            # monorel's configuration, written by `monorel init` from what discovery found.
            # Everything here is optional: without this file, discovery finds these groups itself.
            # Manifests under test data, examples and vendored code are set aside; `include`
            # takes a path prefix in, `exclude` leaves one out.
            # exclude = ["tools/legacy/"]

            # Released on its own, now at 0.3.0. No tag of this group exists yet.
            [groups.scripts]
            paths = [
                "scripts/pyproject.toml", # python:scripts
            ]
            tag = "scripts-v{version}"

            # Released on its own, now at 2.4.0. No tag of this group exists yet.
            [groups.scripts-python]
            paths = [
                "tools/bench/pyproject.toml", # python:scripts
            ]
            tag = "scripts-python-v{version}"

            # A version in any other text file, found by a regular expression:
            # [[groups.<name>.files]]
            # path = "docs/install.md"
            # pattern = 'mypkg==(?<version>[0-9][^\s]*)'
            # count = 1
            # spelling = "pep440"
        "#]],
    );
}

#[test]
fn charts_tagged_on_their_own_are_released_apart_even_at_one_version() {
    let repo = fixture("charts", &["alpha-1.0.3", "beta-1.0.3"]);
    check(
        &repo,
        &["versions"],
        expect![[r#"
            exit: 0
            --- stdout
            group alpha: 1.0.3, tag `alpha-{version}`: helm:alpha
            group beta: 1.0.3, tag `beta-{version}`: helm:beta

            FILE:LINE                  KIND        GROUP  VALUE  WHAT
            charts/alpha/Chart.yaml:3  helm-chart  alpha  1.0.3  version
            charts/alpha/Chart.yaml:4  helm-chart  alpha  2.9.0  appVersion
            charts/beta/Chart.yaml:3   helm-chart  beta   1.0.3  version
            charts/beta/Chart.yaml:4   helm-chart  beta   1.0.3  appVersion
        "#]],
    );
    check(
        &repo,
        &["bump", "patch", "--group", "beta"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `beta`: 1.0.3 -> 1.0.4 (tag `beta-1.0.4`)

            --- a/charts/beta/Chart.yaml
            +++ b/charts/beta/Chart.yaml
            @@ -1,4 +1,4 @@
             apiVersion: v2
             name: beta
            -version: 1.0.3
            -appVersion: "1.0.3"
            +version: 1.0.4
            +appVersion: "1.0.4"

            2 versions in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn a_subchart_pin_without_repository_follows_the_subchart() {
    let repo = fixture("subchart", &[]);
    check(
        &repo,
        &["bump", "minor", "--group", "crds"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `crds`: 0.2.0 -> 0.3.0 (tag `crds-v0.3.0`)

            --- a/charts/app/Chart.lock
            +++ b/charts/app/Chart.lock
            @@ -1,6 +1,6 @@
             dependencies:
             - name: crds
               repository: ""
            -  version: 0.2.0
            -digest: sha256:343e4ebbedebe594b9a09694c08c93dc0b6a6a7b069b6dbc64a1326df0f7e450
            +  version: 0.3.0
            +digest: sha256:bbbe67c5aac981669e04c0881a0a24b5f85bf2361138c8379f24b115054af189
             generated: "2026-11-30T10:00:00.000000000Z"
            --- a/charts/app/Chart.yaml
            +++ b/charts/app/Chart.yaml
            @@ -4,5 +4,5 @@
             appVersion: "3.0.0"
             dependencies:
               - name: crds
            -    version: 0.2.0
            +    version: 0.3.0
                 condition: crds.enabled
            --- a/charts/app/charts/crds/Chart.yaml
            +++ b/charts/app/charts/crds/Chart.yaml
            @@ -1,3 +1,3 @@
             apiVersion: v2
             name: crds
            -version: 0.2.0
            +version: 0.3.0
            note: `charts/app/Chart.lock`: the digest is recomputed as helm computes it

            3 versions in 3 files would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
}

#[test]
fn a_problem_blocks_only_the_group_of_its_package() {
    let repo = fixture("problems", &[]);
    // Asked for no group, the problem that may be why there are several is said first.
    check(
        &repo,
        &["bump", "minor"],
        expect![[r#"
            exit: 1
            --- stderr
            error: `python/b/pyproject.toml:3`: invalid TOML: invalid basic string, expected `"`
            help: fix the syntax error; no file was changed
            error: this repository has 2 groups (`a`, `b`); choose one with `--group`
            help: fix the problems above, which may be why there are several groups
        "#]],
    );
    check(
        &repo,
        &["bump", "minor", "--group", "a"],
        expect![[r#"
            exit: 0
            --- stdout
            bump group `a`: 1.0.0 -> 1.1.0 (tag `a-v1.1.0`)

            --- a/crates/a/Cargo.toml
            +++ b/crates/a/Cargo.toml
            @@ -1,4 +1,4 @@
             [package]
             name = "a"
            -version = "1.0.0"
            +version = "1.1.0"
             edition = "2021"

            1 version in 1 file would change; dry run: nothing was written (run with `--execute` to apply)
        "#]],
    );
    check(
        &repo,
        &["bump", "minor", "--group", "b"],
        expect![[r#"
            exit: 1
            --- stderr
            error: `python/b/pyproject.toml:3`: invalid TOML: invalid basic string, expected `"`
            help: fix the syntax error; no file was changed
            error: cannot bump group `b`: fix the problems above first; no file was changed
        "#]],
    );
}

#[test]
fn versions_check_with_no_version_sites_is_an_error() {
    let repo = TestRepo::new();
    repo.write("README.md", "nothing to release\n").commit("docs: readme");
    check(
        &repo,
        &["versions", "--check"],
        expect![[r#"
            exit: 1
            --- stderr
            error: no version sites found: no Cargo package, Python project or Helm chart with a version
            help: inside git only tracked files are read (`git add` a new manifest first); `monorel versions --all` lists what was set aside
        "#]],
    );
    check(
        &repo,
        &["init"],
        expect![[r#"
            exit: 1
            --- stderr
            error: nothing to release here: no Cargo package, Python project or Helm chart with a version; nothing was written
            help: inside git only tracked files are read (`git add` a new manifest first); `monorel versions --all` lists what discovery found and set aside
        "#]],
    );
}

#[test]
fn set_aside_paths_are_printed_escaped() {
    let repo = fixture("set-aside", &[]);
    repo.write("tests/evil\n::error::pwned/Cargo.toml", "[package]\nname = \"x\"\n")
        .commit("test: x");
    let all = transcript(&repo.monorel(&["versions", "--all"]));
    assert!(all.contains(r"  tests/evil\n::error::pwned/Cargo.toml"), "{all}");
    assert!(!all.lines().any(|l| l.starts_with("::error::pwned")), "an injected line in\n{all}");
}
