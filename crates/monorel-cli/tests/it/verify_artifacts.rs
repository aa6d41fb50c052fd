//! `monorel verify-artifacts` on real artifacts: wheels, sdists and charts written by
//! `verify_artifacts/make.py` with Python's own `zipfile` and `tarfile`, crates by
//! `cargo package`, and a tampered or hostile copy of each.
//!
//! Tests that build with setuptools or install wheels into virtual environments are slow: they
//! run when `MONOREL_SLOW_TESTS=1` (CI sets it) and say so otherwise.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
    process::Output,
};

use expect_test::expect;

use crate::support::{TestRepo, monorel, transcript};

/// Runs `recipe` (Python) in `dir` with `make.py`'s functions imported as `m`.
pub(crate) fn python(dir: &Path, recipe: &str) {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/verify_artifacts");
    let script = format!(
        "import sys\nsys.path.insert(0, {:?})\nimport make as m, tarfile\n{recipe}",
        here.display().to_string()
    );
    #[allow(clippy::disallowed_methods)] // tests drive python3 directly
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// `cargo package` of a tiny crate whose version is inherited from its workspace; returns the
/// `.crate` file.
fn package_crate(work: &Path, version: &str) -> PathBuf {
    let root = work.join(format!("crate-src-{version}"));
    fs::create_dir_all(root.join("tiny/src")).unwrap();
    fs::write(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nmembers = [\"tiny\"]\nresolver = \"3\"\n\n[workspace.package]\nversion = \"{version}\"\n"
        ),
    )
    .unwrap();
    fs::write(
        root.join("tiny/Cargo.toml"),
        "[package]\nname = \"tiny\"\nversion.workspace = true\nedition = \"2021\"\ndescription = \"tiny\"\nlicense = \"MIT\"\n",
    )
    .unwrap();
    fs::write(root.join("tiny/src/lib.rs"), "//! Tiny.\n").unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    #[allow(clippy::disallowed_methods)] // tests drive cargo directly
    let output = std::process::Command::new(cargo)
        .args(["package", "-p", "tiny", "--no-verify", "--offline", "--allow-dirty", "--quiet"])
        .arg("--target-dir")
        .arg(root.join("target"))
        .current_dir(&root)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo package: {}", String::from_utf8_lossy(&output.stderr));
    root.join(format!("target/package/tiny-{version}.crate"))
}

/// A `dist/` with a clean wheel, sdist, chart and crate at 1.2.0.
fn clean_dist(work: &Path) -> PathBuf {
    let dist = work.join("dist");
    fs::create_dir_all(&dist).unwrap();
    python(
        work,
        "m.wheel('dist', 'tiny-pkg', '1.2.0')\nm.sdist('dist', 'tiny-pkg', '1.2.0')\nm.chart('dist', 'tiny', '1.2.0', '1.2.0')",
    );
    fs::copy(package_crate(work, "1.2.0"), dist.join("tiny-1.2.0.crate")).unwrap();
    dist
}

/// Every file under `dir` with its bytes: to prove that nothing was written.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walk(dir) {
        files.insert(entry.clone(), fs::read(&entry).unwrap());
    }
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

/// The failing lines of a run (and their help), without the passing ones.
fn failures(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut out = String::new();
    let mut keep = false;
    for line in stdout.lines() {
        if line.starts_with("FAIL") {
            keep = true;
        } else if !line.trim_start().starts_with("help:") {
            keep = false;
        }
        if keep {
            // Columns are aligned to the longest path: collapse the padding.
            let collapsed: Vec<&str> = line.split("  ").filter(|p| !p.trim().is_empty()).collect();
            out.push_str(&collapsed.iter().map(|p| p.trim()).collect::<Vec<_>>().join("  "));
            out.push('\n');
        }
    }
    if out.is_empty() {
        out = transcript(output);
    }
    out
}

fn slow_tests() -> bool {
    let on = std::env::var("MONOREL_SLOW_TESTS").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("skipped: set MONOREL_SLOW_TESTS=1 to build and install wheels for real");
    }
    on
}

#[test]
fn clean_artifacts_pass_and_write_checksums_changes_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let dist = clean_dist(work);
    let before = snapshot(&dist);
    let written = monorel(work, &["verify-artifacts", "--version", "1.2.0", "--write-checksums"]);
    assert!(written.status.success(), "{}", transcript(&written));
    let after = snapshot(&dist);
    let sums = dist.join("SHA256SUMS");
    assert_eq!(after.len(), before.len() + 1);
    assert!(before.iter().all(|(path, bytes)| after.get(path) == Some(bytes)));
    let text = fs::read_to_string(&sums).unwrap();
    let names: Vec<&str> = text.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        names,
        [
            "tiny-1.2.0.crate",
            "tiny-1.2.0.tgz",
            "tiny_pkg-1.2.0-py3-none-any.whl",
            "tiny_pkg-1.2.0.tar.gz"
        ]
    );

    let output = monorel(work, &["verify-artifacts", "--version", "1.2.0"]);
    let text = transcript(&output);
    let text = text
        .lines()
        .map(|l| {
            if l.contains("archive: ") {
                l.split("archive: ").next().unwrap().to_string() + "archive: ..."
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    expect![[r#"
        exit: 0
        --- stdout
        ok    release                               release version: `1.2.0` from `--version`, the version sites of group `default`
        ok    dist/SHA256SUMS                       checksum: 4 well-formed lines
        ok    dist/tiny-1.2.0.crate                 archive: ...
        ok    dist/tiny-1.2.0.crate                 Cargo.toml.orig: `tiny-1.2.0/Cargo.toml.orig` inherits the version from its workspace
        ok    dist/tiny-1.2.0.crate                 name: `tiny` in the file name, the top directory `tiny-1.2.0/`, `[package].name` in `tiny-1.2.0/Cargo.toml`, `[package].name` in `tiny-1.2.0/Cargo.toml.orig`
        ok    dist/tiny-1.2.0.crate                 file name: the file name is `1.2.0`
        ok    dist/tiny-1.2.0.crate                 top directory: the top directory `tiny-1.2.0/` is `1.2.0`
        ok    dist/tiny-1.2.0.crate                 Cargo.toml: `[package].version` in `tiny-1.2.0/Cargo.toml:15` is `1.2.0`
        ok    dist/tiny-1.2.0.crate                 checksum: sha256 matches `SHA256SUMS` line 1
        ok    dist/tiny-1.2.0.tgz                   archive: ...
        ok    dist/tiny-1.2.0.tgz                   name: `tiny` in the file name, the top directory `tiny/`, `name` in `tiny/Chart.yaml`
        ok    dist/tiny-1.2.0.tgz                   file name: the file name is `1.2.0`
        ok    dist/tiny-1.2.0.tgz                   Chart.yaml: `version` in `tiny/Chart.yaml:3` is `1.2.0`
        ok    dist/tiny-1.2.0.tgz                   appVersion: `appVersion` in `tiny/Chart.yaml:4` is `1.2.0`
        ok    dist/tiny-1.2.0.tgz                   checksum: sha256 matches `SHA256SUMS` line 2
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  archive: ...
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  name: `tiny_pkg` in the file name, `tiny_pkg-1.2.0.dist-info/`, `Name` in `tiny_pkg-1.2.0.dist-info/METADATA:2`
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  file name: the file name is `1.2.0`
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  dist-info: `tiny_pkg-1.2.0.dist-info/` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  METADATA: `Version` in `tiny_pkg-1.2.0.dist-info/METADATA:3` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  __version__: `__version__` in `tiny_pkg/__init__.py:3` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  RECORD: 7 files, every sha256 and size matches
        ok    dist/tiny_pkg-1.2.0-py3-none-any.whl  checksum: sha256 matches `SHA256SUMS` line 3
        ok    dist/tiny_pkg-1.2.0.tar.gz            archive: ...
        ok    dist/tiny_pkg-1.2.0.tar.gz            name: `tiny_pkg` in the file name, the top directory `tiny_pkg-1.2.0/`, `Name` in `tiny_pkg-1.2.0/PKG-INFO:2`
        ok    dist/tiny_pkg-1.2.0.tar.gz            file name: the file name is `1.2.0`
        ok    dist/tiny_pkg-1.2.0.tar.gz            top directory: the top directory `tiny_pkg-1.2.0/` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0.tar.gz            PKG-INFO: `Version` in `tiny_pkg-1.2.0/PKG-INFO:3` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0.tar.gz            pyproject.toml: `[project].version` in `tiny_pkg-1.2.0/pyproject.toml:3` is `1.2.0`
        ok    dist/tiny_pkg-1.2.0.tar.gz            checksum: sha256 matches `SHA256SUMS` line 4
        passed: 4 artifacts against `1.2.0`, all 30 checks passed"#]]
    .assert_eq(&text);
}

/// One directory per tampering, each verified alone: every one fails with its own message, and
/// nothing in the directory changes.
#[test]
fn every_tampering_and_hostile_archive_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let cases: &[(&str, &str)] = &[
        (
            "wheel: wrong METADATA version",
            "m.wheel(d, 'tiny-pkg', '1.2.0', metadata_version='1.1.0')",
        ),
        (
            "wheel: a file changed after RECORD was written",
            "m.wheel(d, 'tiny-pkg', '1.2.0', after_record={'tiny_pkg/core.py': b'import os\\n'})",
        ),
        (
            "wheel: a file missing from RECORD",
            "m.wheel(d, 'tiny-pkg', '1.2.0', after_record={'tiny_pkg/extra.py': b''})",
        ),
        (
            "wheel: a stale __version__ literal",
            "m.wheel(d, 'tiny-pkg', '1.2.0', init_version='1.1.0')",
        ),
        ("wheel: renamed to the release", "m.wheel(d, 'tiny-pkg', '1.1.0', file_version='1.2.0')"),
        ("stale extra wheel", "m.wheel(d, 'tiny-pkg', '1.2.0'); m.wheel(d, 'tiny-pkg', '1.1.0')"),
        (
            "checksum: a wrong line",
            "m.wheel(d, 'tiny-pkg', '1.2.0'); m.chart(d, 'tiny', '1.2.0', '1.2.0'); m.sums(d, wrong='tiny-1.2.0.tgz')",
        ),
        (
            "checksum: an artifact built after SHA256SUMS",
            "m.wheel(d, 'tiny-pkg', '1.2.0'); m.sums(d); m.chart(d, 'tiny', '1.2.0', '1.2.0')",
        ),
        (
            "checksum: a `.sha256` file",
            "p = m.wheel(d, 'tiny-pkg', '1.2.0'); open(p + '.sha256', 'w').write('0' * 64 + '\\n')",
        ),
        ("chart: appVersion lags", "m.chart(d, 'tiny', '1.2.0', '1.1.0')"),
        (
            "sdist: wrong PKG-INFO version",
            "m.sdist(d, 'tiny-pkg', '1.2.0', pkg_info_version='1.1.0')",
        ),
        (
            "sdist: wrong pyproject version",
            "m.sdist(d, 'tiny-pkg', '1.2.0', pyproject_version='1.1.0')",
        ),
        (
            "crate: packaged from a stale manifest",
            "m.targz(d + '/tiny-1.2.0.crate', [{'name': 'tiny-1.2.0/Cargo.toml', 'data': b'[package]\\nname = \"tiny\"\\nversion = \"1.2.0\"\\n'}, {'name': 'tiny-1.2.0/Cargo.toml.orig', 'data': b'[package]\\nname = \"tiny\"\\nversion = \"1.1.0\"\\n'}])",
        ),
        (
            "zip: path traversal",
            "m.hostile_wheel(d, 'tiny-pkg', '1.2.0', [('../../evil.py', b'x')])",
        ),
        ("zip: absolute name", "m.hostile_wheel(d, 'tiny-pkg', '1.2.0', [('/etc/evil', b'x')])"),
        (
            "zip: symlink",
            "m.hostile_wheel(d, 'tiny-pkg', '1.2.0', [('tiny_pkg/link', b'/etc/passwd', 0o120777)])",
        ),
        (
            "zip: duplicate names",
            "m.hostile_wheel(d, 'tiny-pkg', '1.2.0', [('tiny_pkg/core.py', b'evil')])",
        ),
        (
            "zip: bomb (declared sizes)",
            "p = m.zip_raw(d + '/bomb-1.2.0-py3-none-any.whl', [('a', b'0' * 100), ('b', b'1' * 100)]); m.patch_zip_size(p, 'a', 0x7fff0000); m.patch_zip_size(p, 'b', 0x7fff0000)",
        ),
        (
            "zip: oversized member",
            "p = m.zip_raw(d + '/big-1.2.0-py3-none-any.whl', [('a', b'0' * 100)]); m.patch_zip_size(p, 'a', 0xfffffff0)",
        ),
        (
            "zip: a member inflating past its declared size",
            "p = m.zip_raw(d + '/lie-1.2.0-py3-none-any.whl', [('a', b'0' * 100000)]); m.patch_zip_size(p, 'a', 10)",
        ),
        (
            "zip: overlapping entries",
            "m.overlapping_zip(d + '/overlap-1.2.0-py3-none-any.whl', 50)",
        ),
        ("zip: truncated", "m.truncate(m.wheel(d, 'tiny-pkg', '1.2.0'), 0.6)"),
        ("zip: corrupt data", "m.corrupt(m.wheel(d, 'tiny-pkg', '1.2.0'), 0.1)"),
        (
            "tar: path traversal",
            "m.sdist(d, 'tiny-pkg', '1.2.0', extra=[{'name': 'tiny_pkg-1.2.0/../../evil', 'data': b'x'}])",
        ),
        (
            "tar: symlink",
            "m.sdist(d, 'tiny-pkg', '1.2.0', extra=[{'name': 'tiny_pkg-1.2.0/link', 'type': tarfile.SYMTYPE, 'linkname': '/etc/passwd'}])",
        ),
        (
            "tar: hard link",
            "m.sdist(d, 'tiny-pkg', '1.2.0', extra=[{'name': 'tiny_pkg-1.2.0/hard', 'type': tarfile.LNKTYPE, 'linkname': 'etc/passwd'}])",
        ),
        (
            "tar: duplicate names",
            "m.sdist(d, 'tiny-pkg', '1.2.0', extra=[{'name': 'tiny_pkg-1.2.0/PKG-INFO', 'data': b'Name: evil\\n'}])",
        ),
        (
            "tar: oversized member",
            "m.sdist(d, 'tiny-pkg', '1.2.0', extra=[{'name': 'tiny_pkg-1.2.0/big', 'data': b'', 'size': 3 << 30}])",
        ),
        (
            "tar: bomb (declared sizes)",
            "m.chart(d, 'tiny', '1.2.0', '1.2.0', extra=[{'name': 'tiny/big', 'data': b'', 'size': 1536 << 20}])",
        ),
        ("tar: truncated", "m.truncate(m.chart(d, 'tiny', '1.2.0', '1.2.0'), 0.5)"),
        ("tar: corrupt", "m.corrupt(m.chart(d, 'tiny', '1.2.0', '1.2.0'), 0.5)"),
        ("tar: not gzip", "open(d + '/tiny-1.2.0.tgz', 'wb').write(b'not a gzip stream')"),
        (
            "tar: a second gzip member (sdist)",
            "m.second_gzip_member(m.sdist(d, 'tiny-pkg', '1.2.0'), [{'name': 'tiny_pkg-1.2.0/../../evil', 'data': b'x'}, {'name': 'tiny_pkg-1.2.0/link', 'type': tarfile.SYMTYPE, 'linkname': '/etc/passwd'}, {'name': 'tiny_pkg-1.2.0/PKG-INFO', 'data': b'Metadata-Version: 2.1\\nName: tiny-pkg\\nVersion: 6.6.6\\n'}], end=False)",
        ),
        (
            "tar: a second gzip member (crate)",
            "m.second_gzip_member(m.targz(d + '/tiny-1.2.0.crate', [{'name': 'tiny-1.2.0/Cargo.toml', 'data': b'[package]\\nname = \"tiny\"\\nversion = \"1.2.0\"\\n'}]), [{'name': 'tiny-1.2.0/Cargo.toml.orig', 'data': b'[package]\\nname = \"tiny\"\\nversion = \"6.6.6\"\\n'}], end=False)",
        ),
        (
            "tar: a second gzip member after the end block (chart)",
            "m.second_gzip_member(m.chart(d, 'tiny', '1.2.0', '1.2.0'), [{'name': 'tiny/../evil', 'data': b'x'}], end=True)",
        ),
        (
            "chart: a merge-key bomb in Chart.yaml",
            "a = ''.join('a%d: &a%d {<<: [%s]}\\n' % (i, i, ', '.join(['*a%d' % (i - 1)] * 16)) for i in range(1, 17)); m.targz(d + '/tiny-1.2.0.tgz', [{'name': 'tiny/Chart.yaml', 'data': ('apiVersion: v2\\nname: tiny\\nversion: 1.2.0\\na0: &a0 {x: 1}\\n' + a + '<<: *a16\\n').encode()}])",
        ),
        (
            "zip: a local header naming another file",
            "m.rename_member(m.wheel(d, 'tiny-pkg', '1.2.0'), 'tiny_pkg/core.py', '../../aaaaaa.py_', central=False)",
        ),
        (
            "zip: a NUL in a name",
            "m.rename_member(m.wheel(d, 'tiny-pkg', '1.2.0'), 'tiny_pkg/core.py', 'tiny_pkg/co\\0e.py')",
        ),
    ];
    let mut out = String::new();
    for (index, (name, recipe)) in cases.iter().enumerate() {
        let dir = work.join(format!("case-{index}"));
        fs::create_dir_all(&dir).unwrap();
        python(work, &format!("d = {:?}\n{recipe}", dir.display().to_string()));
        let before = snapshot(&dir);
        let output = monorel(&dir, &["verify-artifacts", ".", "--version", "1.2.0"]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", transcript(&output));
        assert_eq!(snapshot(&dir), before, "{name}: the directory changed");
        out.push_str(&format!("== {name}\n{}", failures(&output)));
    }
    expect_file_or_inline(&out);
}

/// The tampering snapshot lives in a file: it is long, and reviewing it *is* reviewing the
/// messages (`UPDATE_EXPECT=1` refreshes it).
fn expect_file_or_inline(actual: &str) {
    expect_test::expect_file!["verify_artifacts/tampered.txt"].assert_eq(actual);
}

#[test]
fn expected_artifacts_missing_and_unexpected_ones_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fs::create_dir_all(&dist).unwrap();
    python(
        tmp.path(),
        "m.wheel('dist', 'tiny-pkg', '1.2.0'); m.wheel('dist', 'tiny-pkg', '1.1.0'); m.chart('dist', 'other', '1.2.0', '1.2.0')",
    );
    let output = monorel(
        tmp.path(),
        &[
            "verify-artifacts",
            "--version",
            "1.2.0",
            "--expect",
            "wheel:tiny_pkg",
            "--expect",
            "sdist:tiny-pkg",
        ],
    );
    expect![[r#"
        FAIL  release  expected: no sdist of `tiny-pkg` at `1.2.0` among the artifacts
        help: build it before verifying, or check the locations given
        FAIL  release  unexpected: `other-1.2.0.tgz` is a chart of `other`, which the release does not expect
        help: remove it from the artifact directory, or add it to the expected artifacts
        FAIL  dist/tiny_pkg-1.1.0-py3-none-any.whl  version: a stale artifact: it carries `1.1.0` (the file name, `tiny_pkg-1.1.0.dist-info/`, `Version` in `tiny_pkg-1.1.0.dist-info/METADATA:3`, `__version__` in `tiny_pkg/__init__.py:3`), the release is `1.2.0`
        help: remove it from the artifact directory: it is left from another build
    "#]]
    .assert_eq(&failures(&output));
    let bad = monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--expect", "egg:x"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown artifact kind `egg`"));
}

#[test]
fn the_release_version_comes_from_the_tag_and_every_source_must_agree() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "dist/\n")
        .write(
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-05-01\n\n- Tiny.\n",
        )
        .commit("release 1.2.0")
        .tag("v1.2.0");
    fs::create_dir_all(repo.path().join("dist")).unwrap();
    python(&repo.path(), "m.wheel('dist', 'tiny-pkg', '1.2.0')");
    let release_lines = |output: &Output| {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let lines: Vec<&str> = stdout.lines().filter(|l| l.contains(" release ")).collect();
        format!("exit {}\n{}\n", output.status.code().unwrap_or(-1), lines.join("\n"))
    };
    let mut out = release_lines(&repo.monorel(&["verify-artifacts"]));
    out += &release_lines(&repo.monorel(&["verify-artifacts", "--version", "1.3.0"]));
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n- Tiny.\n")
        .commit("undated")
        .tag("v1.2.1");
    out += &release_lines(&repo.monorel(&["verify-artifacts", "--version", "1.2.1", "dist"]));
    repo.commit("after the release");
    out += &transcript(&repo.monorel(&["verify-artifacts"]));
    expect![[r#"
        exit 0
        ok    release                               release version: `1.2.0` from tag `v1.2.0` at HEAD
        ok    release                               changelog: `CHANGELOG.md:5` has the section for `1.2.0` dated 2024-05-01
        exit 1
        FAIL  release                               release version: the sources disagree: `--version` says `1.3.0`, tag `v1.2.0` at HEAD says `1.2.0`
                                                    help: a release tag that disagrees with the files is a release of the wrong commit: fix the tag or the version files before publishing
        FAIL  release                               changelog: `CHANGELOG.md` has no section for `1.3.0`
        FAIL  dist/tiny_pkg-1.2.0-py3-none-any.whl  version: a stale artifact: it carries `1.2.0` (the file name, `tiny_pkg-1.2.0.dist-info/`, `Version` in `tiny_pkg-1.2.0.dist-info/METADATA:3`, `__version__` in `tiny_pkg/__init__.py:3`), the release is `1.3.0`
        exit 1
        ok    release                               release version: `1.2.1` from `--version`, tag `v1.2.1` at HEAD
        FAIL  release                               changelog: `CHANGELOG.md` has no section for `1.2.1`
        FAIL  dist/tiny_pkg-1.2.0-py3-none-any.whl  version: a stale artifact: it carries `1.2.0` (the file name, `tiny_pkg-1.2.0.dist-info/`, `Version` in `tiny_pkg-1.2.0.dist-info/METADATA:3`, `__version__` in `tiny_pkg/__init__.py:3`), the release is `1.2.1`
        exit: 1
        --- stderr
        error: cannot tell which version is being released: no `--version`, and no release tag `v<VERSION>` at HEAD
        help: pass `--version <VERSION>`, or run it on the tagged release commit
    "#]]
    .assert_eq(&out);
}

#[test]
fn json_and_github_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    fs::create_dir_all(&dist).unwrap();
    python(tmp.path(), "m.wheel('dist', 'tiny-pkg', '1.2.0', metadata_version='1.1.0')");
    let json = monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let json = String::from_utf8_lossy(&json.stdout);
    for needle in [
        r#""version": "1.2.0""#,
        r#""passed": false"#,
        r#""path": "dist/tiny_pkg-1.2.0-py3-none-any.whl""#,
        r#""entry": "tiny_pkg-1.2.0.dist-info/METADATA""#,
        r#""status": "fail""#,
    ] {
        assert!(json.contains(needle), "{needle} not in {json}");
    }
    let github =
        monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--format", "github"]);
    let stdout = String::from_utf8_lossy(&github.stdout);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    expect![[r#"
        ::error file=dist/tiny_pkg-1.2.0-py3-none-any.whl,title=verify-artifacts%3A METADATA::`tiny_pkg-1.2.0.dist-info/METADATA`: `Version` in `tiny_pkg-1.2.0.dist-info/METADATA:3` has `1.1.0`, expected `1.2.0` (the file name has `1.2.0`, `tiny_pkg-1.2.0.dist-info/` has `1.2.0`, `__version__` in `tiny_pkg/__init__.py:3` has `1.2.0`)%0Ahelp: rebuild the wheel from the release commit: it was built before the version was bumped, or by hand"#]]
    .assert_eq(&annotations.join("\n"));
}

#[test]
fn missing_locations_and_bad_input_are_errors_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let mut out = transcript(&monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0"]));
    fs::create_dir_all(tmp.path().join("dist")).unwrap();
    out += &transcript(&monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0"]));
    out += &transcript(&monorel(tmp.path(), &["verify-artifacts", "--version", "v1.2.0"]));
    out += &transcript(&monorel(
        tmp.path(),
        &["verify-artifacts", "--version", "1.2.0", "--group", "py"],
    ));
    fs::write(tmp.path().join("notes.txt"), "").unwrap();
    out +=
        &transcript(&monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "notes.txt"]));
    let out = out.replace(&tmp.path().display().to_string(), "<tmp>");
    expect![[r#"
        exit: 1
        --- stderr
        error: no artifacts to verify: neither `dist/` nor `target/package/` exists in `<tmp>`
        help: build the artifacts first, or pass the paths that hold them
        exit: 1
        --- stderr
        error: no artifacts found in `dist`
        help: build them first (wheels, sdists, `.crate` files, chart `.tgz` files), or pass the paths that hold them
        exit: 1
        --- stderr
        error: --version `v1.2.0` is not a SemVer 2.0.0 version
        help: write `1.2.0`: a leading `v` belongs to tags (a Helm field that has one keeps it)
        exit: 1
        --- stderr
        error: there is no group `py`: monorel found no version sites here
        help: pass the artifact directories as paths, and `--version`
        exit: 1
        --- stderr
        error: cannot tell the kind of `notes.txt` from its name: expected `.whl`, `.tar.gz`, `.crate`, `.tgz`, `SHA256SUMS` or `.sha256`
        help: pass artifact files, or the directories that hold them
    "#]]
    .assert_eq(&out);
}

/// `--install-check` installs the wheel for real and catches a `__version__` that is computed
/// (so no literal shows it) and disagrees with METADATA.
#[test]
fn slow_install_check_catches_a_run_time_version_that_disagrees() {
    if !slow_tests() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("dist")).unwrap();
    python(
        tmp.path(),
        "m.wheel('dist', 'tiny-pkg', '1.2.0', init_source='__version__ = \".\".join([\"1\", \"1\", \"0\"])\\n')",
    );
    let output =
        monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--install-check"]);
    expect![[r#"
        FAIL  dist/tiny_pkg-1.2.0-py3-none-any.whl  install: `tiny_pkg.__version__` is `1.1.0` at run time, METADATA and the release say `1.2.0`
        help: the version the code reports was not bumped (or is computed from somewhere stale): fix it, then rebuild the wheel
    "#]]
    .assert_eq(&failures(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("install: `importlib.metadata.version(\"tiny-pkg\")` is `1.2.0`"),
        "{stdout}"
    );
    assert!(stdout.contains("install: `tiny --help` exits 0"), "{stdout}");
}

/// A wheel and an sdist built by setuptools (`pip wheel`, `python -m build --sdist`) in a
/// virtual environment cached under the target directory, then verified and installed.
#[test]
fn slow_setuptools_wheel_and_sdist_pass_and_install() {
    if !slow_tests() {
        return;
    }
    let tools = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-build-venv");
    let python_bin = tools.join("bin/python");
    let run = |program: &Path, args: &[&str], dir: &Path| {
        #[allow(clippy::disallowed_methods)] // tests drive python directly
        let output =
            std::process::Command::new(program).args(args).current_dir(dir).output().unwrap();
        assert!(
            output.status.success(),
            "{program:?} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    if !tools.join("ready").exists() {
        run(Path::new("python3"), &["-m", "venv", &tools.display().to_string()], Path::new("."));
        run(
            &python_bin,
            &["-m", "pip", "install", "--quiet", "setuptools>=70", "build"],
            Path::new("."),
        );
        fs::write(tools.join("ready"), "").unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(src.join("tiny_pkg")).unwrap();
    fs::write(
        src.join("pyproject.toml"),
        "[build-system]\nrequires = [\"setuptools>=70\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"tiny-pkg\"\nversion = \"1.2.0rc1\"\n\n[project.scripts]\ntiny = \"tiny_pkg:main\"\n",
    )
    .unwrap();
    fs::write(
        src.join("tiny_pkg/__init__.py"),
        "__version__ = \"1.2.0rc1\"\n\ndef main():\n    return 0\n",
    )
    .unwrap();
    let dist = tmp.path().join("dist").display().to_string();
    run(
        &python_bin,
        &[
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            &dist,
            ".",
        ],
        &src,
    );
    run(&python_bin, &["-m", "build", "--sdist", "--no-isolation", "--outdir", &dist, "."], &src);
    let output =
        monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0-rc.1", "--install-check"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "RECORD: ",
        "`Version` in `tiny_pkg-1.2.0rc1.dist-info/METADATA",
        "`Version` in `tiny_pkg-1.2.0rc1/PKG-INFO",
        "install: `tiny_pkg.__version__` is `1.2.0rc1` at run time",
        "install: `tiny --help` exits 0",
    ] {
        assert!(stdout.contains(needle), "{needle} not in:\n{stdout}");
    }
}

/// The repository's version sites are a source too: a tag that disagrees with the files fails,
/// and with no tag and no `--version` the files say what the release is.
#[test]
fn the_version_sites_are_a_source_and_a_tag_that_disagrees_with_them_fails() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "dist/\n")
        .write("pyproject.toml", "[project]\nname = \"tiny-pkg\"\nversion = \"1.2.0\"\n")
        .write(
            "CHANGELOG.md",
            "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-05-01\n\n- Tiny.\n",
        )
        .commit("release 1.2.0");
    fs::create_dir_all(repo.path().join("dist")).unwrap();
    python(&repo.path(), "m.wheel('dist', 'tiny-pkg', '1.2.0')");
    let release_line = |output: &Output| {
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let line = stdout.lines().find(|l| l.contains("release version")).unwrap_or("").to_string();
        format!(
            "exit {}: {}\n",
            output.status.code().unwrap_or(-1),
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    let mut out = release_line(&repo.monorel(&["verify-artifacts"]));
    repo.tag("v1.3.0");
    out += &release_line(&repo.monorel(&["verify-artifacts"]));
    expect![[r#"
        exit 0: ok release release version: `1.2.0` from the version sites of group `default`
        exit 1: FAIL release release version: the sources disagree: tag `v1.3.0` at HEAD says `1.3.0`, the version sites of group `default` says `1.2.0`
    "#]]
    .assert_eq(&out);
}

/// One group of several: its configured artifact locations, its tag format, its version sites
/// and its own changelog.
#[test]
fn a_group_is_verified_from_its_locations_tag_sites_and_changelog() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "dist/\n")
        .write(
            "monorel.toml",
            "[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\nartifacts = [\"sdk/dist/\"]\n\n[groups.app]\npaths = [\"app/\"]\n",
        )
        .write("sdk/pyproject.toml", "[project]\nname = \"tiny-pkg\"\nversion = \"1.2.0\"\n")
        .write("app/pyproject.toml", "[project]\nname = \"app\"\nversion = \"7.0.0\"\n")
        .write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [7.0.0] - 2024-01-01\n")
        .write("sdk/CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-05-01\n")
        .commit("chore(release): sdk-v1.2.0")
        .tag("sdk-v1.2.0");
    fs::create_dir_all(repo.path().join("sdk/dist")).unwrap();
    python(&repo.path().join("sdk"), "m.wheel('dist', 'tiny-pkg', '1.2.0')");
    let output = repo.monorel(&["verify-artifacts", "--group", "sdk"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let release: Vec<String> = stdout
        .lines()
        .filter(|l| l.contains("  release  "))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    expect![[r#"
        ok release release version: `1.2.0` from tag `sdk-v1.2.0` at HEAD, the version sites of group `sdk`
        ok release changelog: `sdk/CHANGELOG.md:5` has the section for `1.2.0` dated 2024-05-01"#]]
    .assert_eq(&release.join("\n"));
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stdout.contains("sdk/dist/tiny_pkg-1.2.0-py3-none-any.whl"), "{stdout}");
}

#[test]
fn names_with_control_characters_are_printed_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("dist")).unwrap();
    let evil = "tiny_pkg/\n::error::pwned\r\u{1b}[2K.py";
    python(
        tmp.path(),
        "m.hostile_wheel('dist', 'tiny-pkg', '1.2.0', [('tiny_pkg/\\n::error::pwned\\r\\x1b[2K.py', b'x')])",
    );
    let run = |format: &str| {
        let output =
            monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let shown = r"`tiny_pkg/\n::error::pwned\r\u{1b}[2K.py`";
    for format in ["text", "github"] {
        let stdout = run(format);
        assert!(!stdout.contains(['\r', '\u{1b}']), "{format}: {stdout:?}");
        for line in stdout.lines() {
            let annotation =
                line.starts_with("::error file=") || line.starts_with("::error title=");
            assert!(!line.starts_with("::") || annotation, "{format}: an injected line: {line:?}");
        }
        assert!(stdout.contains(shown), "{format}: {shown} not in {stdout}");
    }
    let annotation = run("github").lines().find(|l| l.contains("pwned")).unwrap().to_string();
    expect![[r#"::error file=dist/tiny_pkg-1.2.0-py3-none-any.whl,title=verify-artifacts%3A RECORD::`tiny_pkg/\n::error::pwned\r\u{1b}[2K.py`: the file is in the wheel but not in RECORD: it was added after the wheel was built%0Ahelp: the wheel was changed after it was built: rebuild it, and never edit a built wheel in place"#]].assert_eq(&annotation);
    // JSON keeps the name as it is, in JSON's own escapes.
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let entries: Vec<&str> = json["artifacts"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["entry"].as_str())
        .collect();
    assert_eq!(entries, [evil]);
}

#[test]
fn install_check_never_installs_a_wheel_that_failed_a_check() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("dist")).unwrap();
    let marker = tmp.path().join("ran");
    // A second `__init__.py` that runs a command when imported.
    python(
        tmp.path(),
        &format!(
            "m.hostile_wheel('dist', 'tiny-pkg', '1.2.0', [('tiny_pkg/__init__.py', b'import os\\nos.system(\"touch {}\")\\n__version__ = \"1.2.0\"\\n')])",
            marker.display()
        ),
    );
    let output =
        monorel(tmp.path(), &["verify-artifacts", "--version", "1.2.0", "--install-check"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(!marker.exists(), "the wheel's code ran:\n{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let install: Vec<&str> = stdout.lines().filter(|l| l.contains(" install: ")).collect();
    expect![[r#"note  dist/tiny_pkg-1.2.0-py3-none-any.whl  install: not installed: the `archive`, `RECORD` checks failed, and an artifact that failed a check is never installed (installing runs its code)"#]]
    .assert_eq(&install.join("\n"));
}
