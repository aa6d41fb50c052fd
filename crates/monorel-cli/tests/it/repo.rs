//! The repository model through the real binary: `versions` and `bump` on real git repositories
//! shaped like the release checklists monorel replaces.

use expect_test::{Expect, expect};

use crate::support::{TestRepo, transcript};

/// Runs monorel and snapshots what it printed, with each line's trailing spaces removed.
fn check(repo: &TestRepo, args: &[&str], expected: Expect) {
    let text = transcript(&repo.monorel(args));
    let text: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    expected.assert_eq(&text);
}

/// `bump ... --execute`, then the exact change as git sees it.
fn bump_and_diff(repo: &TestRepo, args: &[&str]) -> String {
    let head = repo.git(&["rev-parse", "HEAD"]);
    let before = repo.git(&["status", "--porcelain"]);
    let dry: Vec<&str> = args.iter().copied().filter(|a| *a != "--execute").collect();
    let output = repo.monorel(&dry);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(repo.git(&["status", "--porcelain"]), before, "a dry run changed the work tree");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    let output = repo.monorel(args);
    assert!(output.status.success(), "{}", transcript(&output));
    repo.git(&["diff", "--no-color", "--no-ext-diff"])
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

fn assert_unchanged(repo: &TestRepo) {
    assert_eq!(repo.git(&["status", "--porcelain"]), "", "the work tree changed");
}

/// The Contd checklist: pyproject.toml, `contd/__init__.py` and `helm/contd/Chart.yaml`.
fn contd() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools>=68\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"contd\"\nversion = \"1.2.0\"\ndependencies = [\"pydantic>=1.2.0\"]\n",
    )
    .write("contd/__init__.py", "\"\"\"Contd 1.2.0: durable workflows.\"\"\"\n\n__version__ = \"1.2.0\"\n")
    .write("contd/engine.py", "VERSION_NOTE = \"since 1.2.0\"\n")
    .write(
        "helm/contd/Chart.yaml",
        "apiVersion: v2\nname: contd\ndescription: Contd workflow engine\nversion: 1.2.0\nappVersion: \"1.2.0\"\n",
    )
    .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n")
    .commit("feat: contd");
    repo
}

#[test]
fn contd_style_repository() {
    let repo = contd();
    check(
        &repo,
        &["versions"],
        expect![[r#"
            exit: 0
            --- stdout
            group default: 1.2.0, tag `v{version}`: python:contd, helm:contd

            FILE:LINE                KIND        GROUP    VALUE  WHAT
            contd/__init__.py:3      python      default  1.2.0  __version__
            helm/contd/Chart.yaml:4  helm-chart  default  1.2.0  version
            helm/contd/Chart.yaml:5  helm-chart  default  1.2.0  appVersion
            pyproject.toml:7         pyproject   default  1.2.0  [project].version
        "#]],
    );
    expect![[r#"
        diff --git a/contd/__init__.py b/contd/__init__.py
        index 3de6987..5605a95 100644
        --- a/contd/__init__.py
        +++ b/contd/__init__.py
        @@ -1,3 +1,3 @@
         """Contd 1.2.0: durable workflows."""

        -__version__ = "1.2.0"
        +__version__ = "1.3.0"
        diff --git a/helm/contd/Chart.yaml b/helm/contd/Chart.yaml
        index 4e9e28c..2460f8e 100644
        --- a/helm/contd/Chart.yaml
        +++ b/helm/contd/Chart.yaml
        @@ -1,5 +1,5 @@
         apiVersion: v2
         name: contd
         description: Contd workflow engine
        -version: 1.2.0
        -appVersion: "1.2.0"
        +version: 1.3.0
        +appVersion: "1.3.0"
        diff --git a/pyproject.toml b/pyproject.toml
        index 77dc568..70cd6eb 100644
        --- a/pyproject.toml
        +++ b/pyproject.toml
        @@ -4,5 +4,5 @@ build-backend = "setuptools.build_meta"

         [project]
         name = "contd"
        -version = "1.2.0"
        +version = "1.3.0"
         dependencies = ["pydantic>=1.2.0"]
    "#]]
    .assert_eq(&bump_and_diff(&repo, &["bump", "minor", "--execute"]));
}

/// The Octavia checklist: `setup.py` reads the version from `octavia_loxilb_driver/version.py`.
#[test]
fn octavia_style_repository() {
    let repo = TestRepo::new();
    repo.write(
        "setup.py",
        "import os\n\nimport setuptools\n\nabout = {}\nwith open(os.path.join(\"octavia_loxilb_driver\", \"version.py\")) as f:\n    exec(f.read(), about)\n\nsetuptools.setup(\n    name=\"octavia-loxilb-driver\",\n    version=about[\"__version__\"],\n    install_requires=[\"octavia-lib>=1.0.0\"],\n)\n",
    )
    .write("octavia_loxilb_driver/__init__.py", "")
    .write("octavia_loxilb_driver/version.py", "__version__ = \"1.0.0\"\n")
    .commit("feat: driver");
    check(
        &repo,
        &["versions"],
        expect![[r#"
            exit: 0
            --- stdout
            group default: 1.0.0, tag `v{version}`: python:octavia-loxilb-driver

            FILE:LINE                           KIND    GROUP    VALUE  WHAT
            octavia_loxilb_driver/version.py:1  python  default  1.0.0  __version__
        "#]],
    );
    expect![[r#"
        diff --git a/octavia_loxilb_driver/version.py b/octavia_loxilb_driver/version.py
        index 5becc17..5c4105c 100644
        --- a/octavia_loxilb_driver/version.py
        +++ b/octavia_loxilb_driver/version.py
        @@ -1 +1 @@
        -__version__ = "1.0.0"
        +__version__ = "1.0.1"
    "#]]
    .assert_eq(&bump_and_diff(&repo, &["bump", "patch", "--execute"]));
}

/// A Cargo workspace (inherited versions, `=` pins, a real Cargo.lock), a Python SDK and a chart
/// released in lockstep; Cargo must accept the result.
#[test]
fn rust_workspace_with_python_sdk_and_chart() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.package]\nversion = \"0.3.0\"\nedition = \"2021\"\nrust-version = \"1.70\"\n\n[workspace.dependencies]\nacme-core = { path = \"crates/core\", version = \"=0.3.0\" }\n",
    )
    .write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"acme-core\"\nversion.workspace = true\nedition.workspace = true\n",
    )
    .write("crates/core/src/lib.rs", "pub fn answer() -> u32 { 42 }\n")
    .write(
        "crates/cli/Cargo.toml",
        "[package]\nname = \"acme\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\nacme-core.workspace = true\n\n[dev-dependencies]\nacme-core = { path = \"../core\", version = \"0.3.0\" }\n",
    )
    .write("crates/cli/src/main.rs", "fn main() { println!(\"{}\", acme_core::answer()); }\n")
    .write(".gitignore", "/target\n")
    .write(
        "sdk/python/pyproject.toml",
        "[project]\nname = \"acme-sdk\"\nversion = \"0.3.0\"\nrequires-python = \">=3.9\"\n",
    )
    .write("sdk/python/src/acme_sdk/__init__.py", "__version__ = \"0.3.0\"\nversion_info = (0, 3, 0)\n")
    .write(
        "charts/acme/Chart.yaml",
        "apiVersion: v2\nname: acme\nversion: 0.3.0\nappVersion: \"0.3.0\"\ndependencies:\n  - name: acme-crds\n    version: 0.3.0\n    repository: file://../acme-crds\n",
    )
    .write("charts/acme-crds/Chart.yaml", "apiVersion: v2\nname: acme-crds\nversion: 0.3.0\n");
    repo.cargo(&["generate-lockfile", "--offline"]);
    repo.commit("feat: acme");
    expect![[r#"
        diff --git a/Cargo.lock b/Cargo.lock
        index 07377da..87f19c4 100644
        --- a/Cargo.lock
        +++ b/Cargo.lock
        @@ -4,11 +4,11 @@ version = 4

         [[package]]
         name = "acme"
        -version = "0.3.0"
        +version = "0.4.0-rc.1"
         dependencies = [
          "acme-core",
         ]

         [[package]]
         name = "acme-core"
        -version = "0.3.0"
        +version = "0.4.0-rc.1"
        diff --git a/Cargo.toml b/Cargo.toml
        index b74670f..67dcb87 100644
        --- a/Cargo.toml
        +++ b/Cargo.toml
        @@ -3,9 +3,9 @@ resolver = "2"
         members = ["crates/*"]

         [workspace.package]
        -version = "0.3.0"
        +version = "0.4.0-rc.1"
         edition = "2021"
         rust-version = "1.70"

         [workspace.dependencies]
        -acme-core = { path = "crates/core", version = "=0.3.0" }
        +acme-core = { path = "crates/core", version = "=0.4.0-rc.1" }
        diff --git a/charts/acme-crds/Chart.yaml b/charts/acme-crds/Chart.yaml
        index 22f8a1a..4762fd3 100644
        --- a/charts/acme-crds/Chart.yaml
        +++ b/charts/acme-crds/Chart.yaml
        @@ -1,3 +1,3 @@
         apiVersion: v2
         name: acme-crds
        -version: 0.3.0
        +version: 0.4.0-rc.1
        diff --git a/charts/acme/Chart.yaml b/charts/acme/Chart.yaml
        index 190cbd2..a04c1ff 100644
        --- a/charts/acme/Chart.yaml
        +++ b/charts/acme/Chart.yaml
        @@ -1,8 +1,8 @@
         apiVersion: v2
         name: acme
        -version: 0.3.0
        -appVersion: "0.3.0"
        +version: 0.4.0-rc.1
        +appVersion: "0.4.0-rc.1"
         dependencies:
           - name: acme-crds
        -    version: 0.3.0
        +    version: 0.4.0-rc.1
             repository: file://../acme-crds
        diff --git a/crates/cli/Cargo.toml b/crates/cli/Cargo.toml
        index 0f51404..3d14996 100644
        --- a/crates/cli/Cargo.toml
        +++ b/crates/cli/Cargo.toml
        @@ -7,4 +7,4 @@ edition.workspace = true
         acme-core.workspace = true

         [dev-dependencies]
        -acme-core = { path = "../core", version = "0.3.0" }
        +acme-core = { path = "../core", version = "0.4.0-rc.1" }
        diff --git a/sdk/python/pyproject.toml b/sdk/python/pyproject.toml
        index e7a6319..4bfc6dd 100644
        --- a/sdk/python/pyproject.toml
        +++ b/sdk/python/pyproject.toml
        @@ -1,4 +1,4 @@
         [project]
         name = "acme-sdk"
        -version = "0.3.0"
        +version = "0.4.0rc1"
         requires-python = ">=3.9"
        diff --git a/sdk/python/src/acme_sdk/__init__.py b/sdk/python/src/acme_sdk/__init__.py
        index 96d1f7e..fd1b4fd 100644
        --- a/sdk/python/src/acme_sdk/__init__.py
        +++ b/sdk/python/src/acme_sdk/__init__.py
        @@ -1,2 +1,2 @@
        -__version__ = "0.3.0"
        -version_info = (0, 3, 0)
        +__version__ = "0.4.0rc1"
        +version_info = (0, 4, 0)
    "#]]
    .assert_eq(&bump_and_diff(&repo, &["bump", "minor", "--pre", "rc", "--execute"]));
    repo.cargo(&["metadata", "--locked", "--offline", "--format-version", "1"]);
}

/// Two groups versioned apart: bumping one touches only its files and its dependents' pins.
#[test]
fn two_independently_versioned_groups() {
    let repo = TestRepo::new();
    repo.write(
        "monorel.toml",
        "[groups.engine]\npackages = [\"cargo:*\"]\n\n[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\n\n[[groups.sdk.files]]\npath = \"docs/install.md\"\npattern = 'acme-sdk==(?<version>[0-9][^\\s`]*)'\ncount = 1\nspelling = \"pep440\"\n",
    )
    .write("Cargo.toml", "[package]\nname = \"acme-engine\"\nversion = \"1.0.0\"\nedition = \"2021\"\n")
    .write("src/lib.rs", "")
    .write("sdk/pyproject.toml", "[project]\nname = \"acme-sdk\"\nversion = \"2.3.0rc1\"\n")
    .write("docs/install.md", "Install with `pip install acme-sdk==2.3.0rc1` (engine 1.0.0).\n")
    .commit("feat: two groups");
    check(
        &repo,
        &["versions"],
        expect![[r#"
            exit: 0
            --- stdout
            group engine: 1.0.0, tag `v{version}`: cargo:acme-engine
            group sdk: 2.3.0-rc.1, tag `sdk-v{version}`: python:acme-sdk

            FILE:LINE             KIND        GROUP   VALUE     WHAT
            Cargo.toml:3          cargo-toml  engine  1.0.0     [package].version
            docs/install.md:1     pattern     sdk     2.3.0rc1  pattern match 1
            sdk/pyproject.toml:3  pyproject   sdk     2.3.0rc1  [project].version
        "#]],
    );
    check(
        &repo,
        &["bump", "minor"],
        expect![[r#"
            exit: 1
            --- stderr
            error: this repository has 2 groups (`engine`, `sdk`); choose one with `--group`
        "#]],
    );
    expect![[r#"
        diff --git a/docs/install.md b/docs/install.md
        index a3bfb15..0d4e1de 100644
        --- a/docs/install.md
        +++ b/docs/install.md
        @@ -1 +1 @@
        -Install with `pip install acme-sdk==2.3.0rc1` (engine 1.0.0).
        +Install with `pip install acme-sdk==2.3.0` (engine 1.0.0).
        diff --git a/sdk/pyproject.toml b/sdk/pyproject.toml
        index 91e3c06..bd06991 100644
        --- a/sdk/pyproject.toml
        +++ b/sdk/pyproject.toml
        @@ -1,3 +1,3 @@
         [project]
         name = "acme-sdk"
        -version = "2.3.0rc1"
        +version = "2.3.0"
    "#]]
    .assert_eq(&bump_and_diff(&repo, &["bump", "release", "--group", "sdk", "--execute"]));
}

#[test]
fn drift_is_reported_with_every_file_and_refused() {
    let repo = contd();
    repo.write("contd/__init__.py", "__version__ = \"1.1.0\"\n");
    repo.commit("chore: an old module");
    check(
        &repo,
        &["versions", "--check"],
        expect![[r#"
            exit: 1
            --- stdout
            group default: (drift), tag `v{version}`: python:contd, helm:contd

            FILE:LINE                KIND        GROUP    VALUE  WHAT
            contd/__init__.py:1      python      default  1.1.0  __version__
            helm/contd/Chart.yaml:4  helm-chart  default  1.2.0  version
            helm/contd/Chart.yaml:5  helm-chart  default  1.2.0  appVersion
            pyproject.toml:7         pyproject   default  1.2.0  [project].version
            --- stderr
            error: `pyproject.toml:7`: version files disagree: `contd/__init__.py:1` has 1.1.0 (__version__), `pyproject.toml:7` has 1.2.0 ([project].version), `helm/contd/Chart.yaml:4` has 1.2.0 (version)
            help: bring them to one version (`monorel bump-file <file> --from <old> --to <new>`), or give packages that are versioned apart their own groups in `monorel.toml` (`[groups.<name>]`, see `monorel init`)
        "#]],
    );
    check(
        &repo,
        &["versions", "--check", "--format", "github"],
        expect![[r#"
            exit: 1
            --- stdout
            ::error file=pyproject.toml,line=7::version files disagree: `contd/__init__.py:1` has 1.1.0 (__version__), `pyproject.toml:7` has 1.2.0 ([project].version), `helm/contd/Chart.yaml:4` has 1.2.0 (version) (help: bring them to one version (`monorel bump-file <file> --from <old> --to <new>`), or give packages that are versioned apart their own groups in `monorel.toml` (`[groups.<name>]`, see `monorel init`))
            group default: (drift), tag `v{version}`: python:contd, helm:contd

            FILE:LINE                KIND        GROUP    VALUE  WHAT
            contd/__init__.py:1      python      default  1.1.0  __version__
            helm/contd/Chart.yaml:4  helm-chart  default  1.2.0  version
            helm/contd/Chart.yaml:5  helm-chart  default  1.2.0  appVersion
            pyproject.toml:7         pyproject   default  1.2.0  [project].version
        "#]],
    );
    check(
        &repo,
        &["bump", "minor", "--execute"],
        expect![[r#"
            exit: 1
            --- stderr
            error: `pyproject.toml:7`: version files disagree: `contd/__init__.py:1` has 1.1.0 (__version__), `pyproject.toml:7` has 1.2.0 ([project].version), `helm/contd/Chart.yaml:4` has 1.2.0 (version)
            help: bring them to one version (`monorel bump-file <file> --from <old> --to <new>`), or give packages that are versioned apart their own groups in `monorel.toml` (`[groups.<name>]`, see `monorel init`)
            error: cannot bump group `default`: fix the problems above first; no file was changed
        "#]],
    );
    assert_unchanged(&repo);
}

#[test]
fn a_dynamic_version_with_no_file_is_refused() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"ghost\"\ndynamic = [\"version\"]\n\n[tool.setuptools.dynamic]\nversion = { attr = \"ghost.__version__\" }\n",
    )
    .write("ghost/__init__.py", "from importlib.metadata import version\n\n__version__ = version(\"ghost\")\n")
    .commit("feat: ghost");
    check(
        &repo,
        &["bump", "minor", "--execute"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `ghost/__init__.py:3`: `__version__ = version("ghost")` (line 3) reads the version from the installed package's metadata
        help: bump the project's `pyproject.toml`, `setup.cfg` or `setup.py`, which declares the version
        error: `pyproject.toml:3`: `[project].version` is dynamic; the version lives in `ghost/__init__.py` (`__version__`), read by setuptools `attr:`
        help: bump that file instead; pyproject.toml has no version to edit
        error: cannot bump group `default`: fix the problems above first; no file was changed
    "#]],
    );
    assert_unchanged(&repo);
}

#[test]
fn a_configuration_typo_is_refused_with_the_key_and_the_fix() {
    let repo = contd();
    repo.write("monorel.toml", "[groups.app]\npackage = [\"python:*\"]\n").commit("chore: config");
    check(
        &repo,
        &["versions"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:2`: unknown key `groups.app.package`
        help: did you mean `groups.app.packages`? known keys: packages, paths, tag, files, app-version, artifacts
    "#]],
    );
    check(
        &repo,
        &["bump", "minor", "--execute"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:2`: unknown key `groups.app.package`
        help: did you mean `groups.app.packages`? known keys: packages, paths, tag, files, app-version, artifacts
    "#]],
    );
    assert_unchanged(&repo);
}

#[test]
fn a_file_that_cannot_be_parsed_is_refused_with_its_line() {
    let repo = contd();
    repo.write("pyproject.toml", "[project]\nname = \"contd\"\nversion = \"1.2.0\n")
        .commit("chore: broken");
    check(
        &repo,
        &["bump", "minor", "--execute"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `pyproject.toml:3`: invalid TOML: invalid basic string, expected `"`
        help: fix the syntax error; no file was changed
        error: cannot bump group `default`: fix the problems above first; no file was changed
    "#]],
    );
    assert_unchanged(&repo);
}

#[test]
fn outside_git_the_tree_is_walked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("target/debug")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"solo\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("target/debug/Cargo.toml"),
        "[package]\nname = \"stale\"\nversion = \"9.9.9\"\n",
    )
    .unwrap();
    let output = crate::support::monorel(dir.path(), &["versions"]);
    expect![[r#"
        exit: 0
        --- stdout
        group default: 0.1.0, tag `v{version}`: cargo:solo

        FILE:LINE     KIND        GROUP    VALUE  WHAT
        Cargo.toml:3  cargo-toml  default  0.1.0  [package].version
    "#]]
    .assert_eq(&transcript(&output));
}

/// `init` writes a file that reproduces discovery; on drift it proposes groups that agree.
#[test]
fn init_reproduces_what_discovery_found() {
    let repo = contd();
    repo.write(
        "helm/contd/Chart.yaml",
        "apiVersion: v2\nname: contd\nversion: 0.4.0\nappVersion: \"1.2.0\"\n",
    );
    repo.commit("chore: the chart is versioned apart");
    check(
        &repo,
        &["init"],
        expect![[r#"
            exit: 0
            --- stdout
            wrote `monorel.toml`: 2 groups
              contd at 1.2.0: 1 package, tag `v{version}`
              contd-helm at 0.4.0: 1 package, tag `contd-helm-v{version}`
        "#]],
    );
    expect![[r##"
        # monorel's configuration, written by `monorel init` from what discovery found.
        # Everything here is optional: without this file, discovery finds these groups itself.
        # Manifests under test data, examples and vendored code are set aside; `include`
        # takes a path prefix in, `exclude` leaves one out.
        # exclude = ["tools/legacy/"]

        # Released on its own, now at 1.2.0. No tag of this group exists yet.
        [groups.contd]
        packages = [
            "python:contd", # pyproject.toml
        ]
        tag = "v{version}"

        # Released on its own, now at 0.4.0. No tag of this group exists yet.
        [groups.contd-helm]
        packages = [
            "helm:contd", # helm/contd/Chart.yaml
        ]
        tag = "contd-helm-v{version}"

        # A version in any other text file, found by a regular expression:
        # [[groups.<name>.files]]
        # path = "docs/install.md"
        # pattern = 'mypkg==(?<version>[0-9][^\s]*)'
        # count = 1
        # spelling = "pep440"
    "##]]
    .assert_eq(&repo.read("monorel.toml"));
    let output = repo.monorel(&["versions", "--check"]);
    assert!(output.status.success(), "{}", transcript(&output));
    check(
        &repo,
        &["init"],
        expect![[r#"
            exit: 1
            --- stderr
            error: `monorel.toml` already exists; nothing was written
            help: `monorel init --stdout` prints the proposal, `--force` replaces the file (keeping every key that `init` does not write itself)
        "#]],
    );
}

/// `app-version` says when a chart's `appVersion` moves: by default only when it names the old
/// version; `always` and `never` as configured.
#[test]
fn app_version_policy() {
    let repo = TestRepo::new();
    repo.write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.4.0\nappVersion: \"2.1.0\"\n")
        .write("charts/api/Chart.yaml", "apiVersion: v2\nname: api\nversion: 0.4.0\nappVersion: v0.4.0\n")
        .write(
            "monorel.toml",
            "[groups.web]\npackages = [\"helm:web\"]\napp-version = \"always\"\n\n[groups.api]\npackages = [\"helm:api\"]\napp-version = \"never\"\n",
        )
        .commit("feat: charts");
    let web = bump_and_diff(&repo, &["bump", "patch", "--group", "web", "--execute"]);
    assert!(
        web.contains("-appVersion: \"2.1.0\"\n") && web.contains("+appVersion: \"0.4.1\"\n"),
        "{web}"
    );
    repo.commit("chore: web 0.4.1");
    let api = bump_and_diff(&repo, &["bump", "patch", "--group", "api", "--execute"]);
    assert!(api.contains("+version: 0.4.1") && !api.contains("+appVersion"), "{api}");
    repo.commit("chore: api 0.4.1");
    repo.write(
        "monorel.toml",
        "[groups.api]\npackages = [\"helm:api\"]\napp-version = \"sometimes\"\n",
    );
    check(
        &repo,
        &["versions"],
        expect![[r#"
        exit: 1
        --- stderr
        error: `monorel.toml:3`: `groups.api.app-version` must be "auto", "always" or "never"
        help: "auto" moves `appVersion` when it names the old version
    "#]],
    );
}

/// A tracked file deleted from the work tree is no file of the tree, whether discovery reads it
/// first (the chart) or follows it from another (the version module).
#[test]
fn files_deleted_from_the_work_tree_are_not_discovered() {
    let repo = contd();
    std::fs::remove_file(repo.path().join("helm/contd/Chart.yaml")).unwrap();
    std::fs::remove_file(repo.path().join("contd/__init__.py")).unwrap();
    check(
        &repo,
        &["versions"],
        expect![[r#"
        exit: 0
        --- stdout
        group default: 1.2.0, tag `v{version}`: python:contd

        FILE:LINE         KIND       GROUP    VALUE  WHAT
        pyproject.toml:7  pyproject  default  1.2.0  [project].version
    "#]],
    );
}

#[test]
fn a_tracked_path_with_a_newline_is_printed_escaped() {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"*\"]\nresolver = \"2\"\n");
    repo.write(
        "evil\n::error::pwned/Cargo.toml",
        "[package]\nname = \"evil\"\nversion = \"1.0.0\"\n",
    );
    repo.write("good/Cargo.toml", "[package]\nname = \"good\"\nversion = \"2.0.0\"\n");
    repo.commit("feat: two packages that disagree");
    for format in ["text", "github"] {
        let output = repo.monorel(&["versions", "--format", format]);
        let all = transcript(&output);
        for line in all.lines() {
            assert!(!line.starts_with("::error::pwned"), "{format}: an injected line in\n{all}");
        }
        assert!(all.contains(r"evil\n::error::pwned/Cargo.toml"), "{format}:\n{all}");
    }
    // The same name in an error: the tracked file cannot be parsed.
    repo.write("evil\n::error::pwned/Cargo.toml", "[package\n");
    let all = transcript(&repo.monorel(&["versions"]));
    assert!(all.contains(r"`evil\n::error::pwned/Cargo.toml:1`: invalid TOML"), "{all}");
    assert!(!all.lines().any(|l| l.starts_with("::error::pwned")), "an injected line in\n{all}");
}

/// Issue 10: where `cargo metadata --locked --offline` fails on the lockfile without the bump too
/// (a registry crate not cached here), that is not the bump's failure: the bump stays, checked by
/// monorel itself, and says what Cargo could not check.
#[test]
fn a_lockfile_cargo_cannot_check_even_before_the_bump_does_not_stop_it() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\nzzz-not-cached-anywhere = \"1\"\n",
    )
    .write("src/lib.rs", "")
    .write(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"1.0.0\"\ndependencies = [\n \"zzz-not-cached-anywhere\",\n]\n\n[[package]]\nname = \"zzz-not-cached-anywhere\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
    )
    .commit("feat: app");
    let output = repo.monorel(&["bump", "minor", "--execute"]);
    let text = transcript(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("warning: Cargo could not check `Cargo.lock`, without the bump either"),
        "{text}"
    );
    assert!(repo.read("Cargo.toml").contains("version = \"1.1.0\""), "{text}");
    assert!(repo.read("Cargo.lock").contains("name = \"app\"\nversion = \"1.1.0\""), "{text}");
}
