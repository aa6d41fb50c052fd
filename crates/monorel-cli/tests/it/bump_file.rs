//! `monorel bump-file`: dry runs on this repository's own files, writes, and bad input.

use std::fs;

use expect_test::expect;

use crate::support::{monorel, repo_root, transcript};

/// This repository's version, read from the workspace manifest.
fn current_version() -> String {
    let manifest = fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let after = manifest.split("[workspace.package]").nth(1).unwrap();
    let line = after.lines().find(|l| l.starts_with("version")).unwrap();
    line.split('"').nth(1).unwrap().to_string()
}

fn next_minor(version: &str) -> String {
    let v = semver::Version::parse(version).unwrap();
    format!("{}.{}.0", v.major, v.minor + 1)
}

/// The dry run of each of this repository's own version files, with the versions replaced by
/// `{current}` and `{next}` so that the snapshot outlives releases.
#[test]
fn dry_run_on_this_repository_prints_the_exact_diffs_and_writes_nothing() {
    let root = repo_root();
    let current = current_version();
    let next = next_minor(&current);
    let files = [
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "python/monorel/__init__.py",
        "charts/monorel/Chart.yaml",
    ];
    let mut out = String::new();
    for file in files {
        let before = fs::read(root.join(file)).unwrap();
        let output =
            monorel(&root, &["bump-file", file, "--from", &current, "--to", &next, "--dry-run"]);
        assert_eq!(fs::read(root.join(file)).unwrap(), before, "{file} changed in a dry run");
        assert!(output.status.success(), "{file}: {}", transcript(&output));
        let text = transcript(&output).replace(&current, "{current}").replace(&next, "{next}");
        // Inline snapshots cannot hold whitespace-only lines (a diff's blank context lines).
        let text: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
        out.push_str(&text);
    }
    expect![[r#"
        exit: 0
        --- stdout
        --- a/Cargo.toml
        +++ b/Cargo.toml
        @@ -3,7 +3,7 @@
         members = ["crates/*", "xtask"]
 
         [workspace.package]
        -version = "{current}"
        +version = "{next}"
         edition = "2024"
         rust-version = "1.85"
         license = "MIT OR Apache-2.0"
        @@ -11,8 +11,8 @@
         authors = ["The monorel developers"]
 
         [workspace.dependencies]
        -monorel = { path = "crates/monorel", version = "={current}" }
        -monorel-cli = { path = "crates/monorel-cli", version = "={current}" }
        +monorel = { path = "crates/monorel", version = "={next}" }
        +monorel-cli = { path = "crates/monorel-cli", version = "={next}" }
 
         anyhow = "1.0.100"
         clap = { version = "4.5", features = ["derive"] }
        `Cargo.toml` (cargo-toml): 3 versions would change
          line 6    [workspace.package].version           {current} -> {next}
          line 14   [workspace.dependencies] monorel      {current} -> {next}
          line 15   [workspace.dependencies] monorel-cli  {current} -> {next}
        dry run: nothing was written
    "#]]
    .assert_eq(&out[..out.find("exit: 0\n--- stdout\n--- a/Cargo.lock").unwrap_or(out.len())]);
    for (file, changed) in [
        ("Cargo.lock", "2 versions would change"),
        ("pyproject.toml", "1 version would change"),
        ("python/monorel/__init__.py", "1 version would change"),
        ("charts/monorel/Chart.yaml", "2 versions would change"),
    ] {
        let heading = format!(
            "`{file}` ({}): {changed}",
            monorel::editors::FileKind::from_path(file.as_ref()).unwrap()
        );
        assert!(out.contains(&heading), "expected `{heading}` in:\n{out}");
    }
}

#[test]
fn writes_the_file_and_says_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: \"v1.0.0\"\n",
    )
    .unwrap();
    let output =
        monorel(tmp.path(), &["bump-file", "Chart.yaml", "--from", "1.0.0", "--to", "1.1.0"]);
    expect![[r#"
        exit: 0
        --- stdout
        `Chart.yaml` (helm-chart): 2 versions changed
          line 3    version     1.0.0 -> 1.1.0
          line 4    appVersion  v1.0.0 -> v1.1.0
    "#]]
    .assert_eq(&transcript(&output));
    assert_eq!(
        fs::read_to_string(tmp.path().join("Chart.yaml")).unwrap(),
        "apiVersion: v2\nname: c\nversion: 1.1.0\nappVersion: \"v1.1.0\"\n"
    );
}

#[test]
fn bad_input_is_refused_with_the_file_the_line_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("Cargo.toml"), "[package]\nname = \"x\"\nversion = \"1.0.0\"\n").unwrap();
    fs::write(dir.join("notes.txt"), "1.0.0\n").unwrap();
    let run = |args: &[&str]| transcript(&monorel(dir, args));
    let mut out = String::new();
    out += &run(&["bump-file", "Cargo.toml", "--from", "1.0.1", "--to", "1.1.0"]);
    out += &run(&["bump-file", "Cargo.toml", "--from", "1.0.0", "--to", "v1.1.0"]);
    out += &run(&["bump-file", "Cargo.toml", "--from", "1.0.0", "--to", "1.1.0rc1"]);
    out += &run(&["bump-file", "notes.txt", "--from", "1.0.0", "--to", "1.1.0"]);
    out += &run(&[
        "bump-file",
        "missing.toml",
        "--kind",
        "cargo-toml",
        "--from",
        "1.0.0",
        "--to",
        "1.1.0",
    ]);
    out +=
        &run(&["bump-file", "Cargo.toml", "--kind", "cargo", "--from", "1.0.0", "--to", "1.1.0"]);
    expect![[r#"
        exit: 1
        --- stderr
        error: cannot bump `Cargo.toml:3`: expected version 1.0.1, found `1.0.0` at line 3 (`[package].version`)
        help: the file is not at 1.0.1: check `--from`, or bring the file back in step with the release
        exit: 1
        --- stderr
        error: cannot bump `Cargo.toml`: --to `v1.1.0` is not a SemVer 2.0.0 version
        help: write `1.1.0`: a leading `v` belongs to tags (a Helm field that has one keeps it)
        exit: 1
        --- stderr
        error: cannot bump `Cargo.toml`: --to `1.1.0rc1` is not a SemVer 2.0.0 version
        help: this is a PEP 440 spelling: write `1.1.0-rc.1`, and Python files get `1.1.0rc1`
        exit: 1
        --- stderr
        error: cannot tell the kind of `notes.txt` from its name
        help: pass `--kind <KIND>`, one of: cargo-toml, cargo-lock, uv-lock, pyproject, python, setup-cfg, helm-chart
        exit: 1
        --- stderr
        error: cannot read `missing.toml`
          caused by: No such file or directory (os error 2)
        exit: 2
        --- stderr
        error: invalid value 'cargo' for '--kind <KIND>': unknown file kind `cargo`; expected one of: cargo-toml, cargo-lock, uv-lock, pyproject, python, setup-cfg, helm-chart

        For more information, try '--help'.
    "#]]
    .assert_eq(&out);
    assert_eq!(
        fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        "[package]\nname = \"x\"\nversion = \"1.0.0\"\n"
    );
}

/// A `Chart.yaml` whose merge keys merge the level below 16 times, 16 levels deep (864 bytes
/// in issue 11): exponential work if merges are followed without a bound.
fn merge_bomb() -> String {
    let mut chart = String::from("apiVersion: v2\nname: c\nversion: 1.0.0\na0: &a0 {x: 1}\n");
    for level in 1..=16 {
        let merges = vec![format!("*a{}", level - 1); 16].join(", ");
        chart.push_str(&format!("a{level}: &a{level} {{<<: [{merges}]}}\n"));
    }
    chart + "dependencies:\n- <<: *a16\n  repository: file://x\n"
}

#[test]
fn a_merge_key_bomb_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("Chart.yaml"), merge_bomb()).unwrap();
    let started = std::time::Instant::now();
    let output =
        monorel(tmp.path(), &["bump-file", "Chart.yaml", "--from", "1.0.0", "--to", "1.1.0"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let text = transcript(&output);
    assert!(text.contains("exit: 1"), "{text}");
    assert!(text.contains("error: cannot bump `Chart.yaml:"), "{text}");
    assert!(text.contains("the chart's merge keys (`<<`) expand past "), "{text}");
    assert!(text.contains("an alias bomb"), "{text}");
    assert!(text.contains("help: write the chart's fields out"), "{text}");
}

#[test]
fn quoted_helm_values_followed_by_a_comment_or_a_space_are_edited() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = "apiVersion: v2\nname: c\nversion: '1.2.3' \nappVersion: \"1.2.3\" # renovate: datasource=docker\ndependencies:\n- {name: d, repository: file://d, version: \"1.2.3\" }\n";
    fs::write(tmp.path().join("Chart.yaml"), chart).unwrap();
    let output =
        monorel(tmp.path(), &["bump-file", "Chart.yaml", "--from", "1.2.3", "--to", "1.3.0"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(
        fs::read_to_string(tmp.path().join("Chart.yaml")).unwrap(),
        chart.replace("1.2.3", "1.3.0")
    );
}
