//! Issue 12: what a new user hits in the first hour. Each test fails without its fix.

use std::process::{Command, Output, Stdio};

use expect_test::expect;

use crate::release::{DATE, fingerprint, project};
use crate::support::{TestRepo, transcript};

fn text(output: &Output) -> String {
    transcript(output).lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

/// The real binary in the work tree, as `run` spawns it, for tests that need the process.
fn command(repo: &TestRepo, args: &[&str]) -> Command {
    #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
    let mut command = Command::new(env!("CARGO_BIN_EXE_monorel"));
    command
        .args(args)
        .current_dir(repo.path())
        .envs(repo.env())
        .env(DATE.0, DATE.1)
        .env_remove("CARGO")
        .env_remove("GITHUB_ACTIONS");
    command
}

/// stdout and stderr in the order a terminal shows them (one pipe for both, through `sh`).
fn interleaved(repo: &TestRepo, args: &[&str]) -> String {
    #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
    let out = Command::new("sh")
        .args(["-c", "\"$0\" \"$@\" 2>&1", env!("CARGO_BIN_EXE_monorel")])
        .args(args)
        .current_dir(repo.path())
        .envs(repo.env())
        .env(DATE.0, DATE.1)
        .env_remove("CARGO")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    format!("exit: {}\n{}", out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout))
}

#[test]
fn a_dry_run_that_will_fail_says_its_problems_first_and_never_suggests_execute() {
    let repo = project("");
    repo.write("contd/engine.py", "x = 3\n");
    let out = interleaved(&repo, &["release", "minor", "--offline"]);
    assert!(
        out.starts_with("exit: 1\nerror: tracked files have changes"),
        "the problem comes first:\n{out}"
    );
    assert!(!out.contains("--execute"), "no `--execute` for a release that would fail:\n{out}");
    let tail: Vec<&str> = out.lines().rev().take(2).collect();
    expect![[r#"
        [
            "no release: 1 problem to fix first; nothing was changed",
            "",
        ]
    "#]]
    .assert_debug_eq(&tail);
    // And a dry run that would succeed still says how to go on.
    repo.git(&["checkout", "--", "."]);
    let ok = interleaved(&repo, &["release", "minor", "--offline"]);
    assert!(ok.starts_with("exit: 0\n") && ok.contains("run again with `--execute`"), "{ok}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_execute_says_where_the_release_stopped_and_how_to_go_on() {
    use std::os::unix::process::CommandExt;
    // The hook waits the first time, so Ctrl-C reaches it; run again, it passes at once.
    let hook = "[release]\npre-commit = [\"if [ ! -e .git/hooked ]; then touch .git/hooked; sleep 30; fi\"]\n";
    let uninterrupted = project(hook);
    std::fs::write(uninterrupted.path().join(".git/hooked"), "").unwrap();
    let out = uninterrupted.monorel_with(&[DATE], &["release", "minor", "--execute", "--offline"]);
    assert!(out.status.success(), "{}", transcript(&out));

    let repo = project(hook);
    // Its own process group, as a terminal's foreground job: Ctrl-C reaches monorel and the hook.
    let child = command(&repo, &["release", "minor", "--execute", "--offline"])
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let marker = repo.path().join(".git/hooked");
    let started = std::time::Instant::now();
    while !marker.exists() {
        assert!(started.elapsed().as_secs() < 60, "the hook never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    #[allow(clippy::disallowed_methods)] // the test is the terminal: Ctrl-C to the job
    let kill = Command::new("kill").args(["-INT", "--", &format!("-{}", child.id())]).status();
    assert!(kill.unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let said = stderr.lines().skip_while(|l| !l.starts_with("interrupted")).collect::<Vec<_>>();
    expect![[r#"
        [
            "interrupted: the release of v1.3.0 (group `default`) stopped; steps done: write; to do: pre-commit, commit, tag",
            "help: `monorel release --resume` finishes it, `monorel release --abort` undoes it",
        ]
    "#]]
    .assert_debug_eq(&said);
    assert!(repo.path().join(".git/monorel-release/state.json").exists());
    let resumed = repo.monorel_with(&[DATE], &["release", "--resume"]);
    assert!(resumed.status.success(), "{}", transcript(&resumed));
    assert_eq!(fingerprint(&repo), fingerprint(&uninterrupted));
}

#[test]
fn edit_needs_execute_and_an_empty_visual_counts_as_unset() {
    let repo = project("");
    let before = fingerprint(&repo);
    let out = repo.monorel_with(&[DATE], &["release", "minor", "--edit"]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--execute"), "{stderr}");
    assert_eq!(fingerprint(&repo), before);

    let editor = [DATE, ("VISUAL", ""), ("EDITOR", "sed -i -e s/Durable/Lasting/")];
    let out = repo.monorel_with(&editor, &["release", "minor", "--execute", "--edit"]);
    assert!(out.status.success(), "{}", transcript(&out));
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]);
    assert!(message.contains("Lasting timers"), "{message}");
}

#[test]
fn levels_help_and_errors_agree_and_a_dev_version_is_never_tagged() {
    let repo = project("");
    let before = fingerprint(&repo);
    let run = |args: &[&str]| text(&repo.monorel_with(&[DATE], args));
    expect![[r#"
        exit: 1
        --- stderr
        error: `01.2.0` is not a SemVer 2.0.0 version
        help: SemVer numbers have no leading zeros: write `1.2.0`
    "#]]
    .assert_eq(&run(&["bump", "01.2.0"]));
    expect![[r#"
        exit: 1
        --- stderr
        error: `1.3.0RC1` is not a SemVer 2.0.0 version
        help: this is a PEP 440 spelling: write `1.3.0-rc.1`, and Python files get `1.3.0rc1`
    "#]]
    .assert_eq(&run(&["bump", "1.3.0RC1"]));
    expect![[r#"
        exit: 1
        --- stderr
        error: `next` is not a bump level
        help: use major, minor, patch, release, alpha, beta, rc, auto, or a version such as `1.4.0`
    "#]]
    .assert_eq(&run(&["release", "next"]));
    expect![[r#"
        exit: 1
        --- stderr
        error: `next` is not a bump level
        help: use major, minor, patch, release, alpha, beta, rc, dev, or a version such as `1.4.0`
    "#]]
    .assert_eq(&run(&["bump", "next"]));
    for dev in ["dev", "1.3.0-dev", "1.3.0-dev.2"] {
        let out = run(&["release", dev]);
        assert!(
            out.starts_with("exit: 1\n")
                && out.contains("development versions are not released or tagged"),
            "{out}"
        );
    }
    assert_eq!(fingerprint(&repo), before);
    // The help says the same levels as the errors.
    let help = text(&repo.monorel(&["release", "--help"]));
    assert!(help.contains("rc, auto (from the Conventional Commits"), "{help}");
}

#[test]
fn init_force_keeps_every_key_it_does_not_generate() {
    let repo = TestRepo::new();
    let config = "exclude = [\"old/\"]\n\n[groups.app]\npackages = [\"python:app\", \"helm:app\"]\ntag = \"v{version}\"\napp-version = \"never\" # the chart's own\nartifacts = [\"dist/\"]\n\n[[groups.app.files]]\npath = \"docs/install.md\"\npattern = 'app==(?<version>[0-9.]+)'\ncount = 1\n\n[release]\nbranches = [\"main\", \"release/*\"]\npre-commit = [\"true\"]\nnext-dev = true\n";
    repo.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"1.2.0\"\n")
        .write(
            "charts/app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 1.2.0\nappVersion: \"0.9\"\n",
        )
        .write("docs/install.md", "pip install app==1.2.0\n")
        .write("monorel.toml", config)
        .commit("feat: app");
    let before = text(&repo.monorel(&["versions", "--format", "json"]));
    let out = repo.monorel(&["init", "--force"]);
    assert!(out.status.success(), "{}", transcript(&out));
    let written = repo.read("monorel.toml");
    for line in config.lines().filter(|l| !l.is_empty() && !l.starts_with("packages")) {
        assert!(written.lines().any(|w| w == line), "`{line}` was dropped:\n{written}");
    }
    // The same configuration: discovery finds the same sites, and a second run changes nothing.
    assert_eq!(text(&repo.monorel(&["versions", "--format", "json"])), before);
    assert!(repo.monorel(&["init", "--force"]).status.success());
    assert_eq!(repo.read("monorel.toml"), written);
}

#[test]
fn init_writes_nothing_where_it_cannot_and_writes_at_the_root() {
    // An empty repository, without a commit.
    let empty = TestRepo::new();
    let out = text(&empty.monorel(&["init"]));
    assert!(out.starts_with("exit: 1\n") && out.contains("nothing to release here"), "{out}");
    assert!(!empty.path().join("monorel.toml").exists());
    // A manifest that does not parse: an error, and no file with split groups.
    let broken = TestRepo::new();
    broken
        .write("pyproject.toml", "[project]\nname = \"a\"\nversion = \"1.0.0\"\n")
        .write("sub/pyproject.toml", "[project\nname = \"b\"\nversion = \"1.0.0\"\n")
        .commit("feat: a and b");
    let out = text(&broken.monorel(&["init"]));
    assert!(out.starts_with("exit: 1\n") && out.contains("`sub/pyproject.toml:1`"), "{out}");
    assert!(!broken.path().join("monorel.toml").exists());
    // From a subdirectory, the file goes to the root.
    broken
        .write("sub/pyproject.toml", "[project]\nname = \"b\"\nversion = \"1.0.0\"\n")
        .commit("fix: b");
    let out = broken.monorel_in("sub", &[], &["init"]);
    assert!(out.status.success(), "{}", transcript(&out));
    assert!(
        broken.path().join("monorel.toml").exists()
            && !broken.path().join("sub/monorel.toml").exists()
    );
}

#[test]
fn versions_check_fails_where_there_is_nothing_to_check() {
    let repo = TestRepo::new();
    repo.write("README.md", "hello\n").commit("docs: readme");
    expect![[r#"
        exit: 1
        --- stderr
        error: no version sites found: no Cargo package, Python project or Helm chart with a version
        help: inside git only tracked files are read (`git add` a new manifest first); `monorel versions --all` lists what was set aside
    "#]]
    .assert_eq(&text(&repo.monorel(&["versions", "--check"])));
    let out = text(&repo.monorel(&["-C", "missing", "versions", "--check"]));
    assert!(out.starts_with("exit: 2\n") && out.contains("there is no such directory"), "{out}");
}

/// A `dist/` with a wheel and an sdist of `tiny-pkg` at 1.2.0, written by `make.py`.
fn dist_at_1_2_0(dir: &std::path::Path) {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/verify_artifacts");
    let script = format!(
        "import sys, os\nsys.path.insert(0, {:?})\nimport make as m\nos.makedirs('dist')\nm.wheel('dist', 'tiny-pkg', '1.2.0')\nm.sdist('dist', 'tiny-pkg', '1.2.0')\n",
        here.display().to_string()
    );
    #[allow(clippy::disallowed_methods)] // tests drive python3 directly
    let out = Command::new("python3").arg("-c").arg(&script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn verify_artifacts_blames_a_wrong_version_flag_once_and_says_an_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    dist_at_1_2_0(dir.path());
    let out = crate::support::monorel(dir.path(), &["verify-artifacts", "--version", "1.3.0"]);
    let report = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = report.lines().filter(|l| !l.starts_with("ok ")).collect();
    expect![[r#"
        [
            "FAIL  release                               release: `--version 1.3.0` matches none of the 2 artifacts: every one carries `1.2.0`",
            "                                            help: if 1.2.0 is the release, pass `--version 1.2.0`; else build the artifacts of 1.3.0",
            "FAIL  dist/tiny_pkg-1.2.0-py3-none-any.whl  version: it carries `1.2.0` (the file name, `tiny_pkg-1.2.0.dist-info/`, `Version` in `tiny_pkg-1.2.0.dist-info/METADATA:3`, `__version__` in `tiny_pkg/__init__.py:3`), not `--version` `1.3.0`",
            "                                            help: see `release` above: `--version 1.3.0` is likely wrong",
            "FAIL  dist/tiny_pkg-1.2.0.tar.gz            version: it carries `1.2.0` (the file name, the top directory `tiny_pkg-1.2.0/`, `Version` in `tiny_pkg-1.2.0/PKG-INFO:3`, `[project].version` in `tiny_pkg-1.2.0/pyproject.toml:3`), not `--version` `1.3.0`",
            "                                            help: see `release` above: `--version 1.3.0` is likely wrong",
            "failed: 2 artifacts against `1.3.0`, 3 checks of 9 failed",
        ]
    "#]]
    .assert_debug_eq(&failures);
    assert!(!report.contains("remove it"), "{report}");

    // A wheel that is expected and missing: the fix names no task of monorel's own repository.
    let out = crate::support::monorel(
        dir.path(),
        &["verify-artifacts", "--version", "1.2.0", "--expect", "wheel:other"],
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("no wheel of `other`") && !report.contains("xtask"), "{report}");

    let out =
        crate::support::monorel(dir.path(), &["verify-artifacts", "nothere", "--version", "1.2.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file or directory").count(), 1, "{stderr}");
}

/// The test switches (`MONOREL_FAIL_AFTER`, `MONOREL_TEST_KILL_AT`, ...) are compiled into the
/// binary the tests run, and into no build a user makes (`cargo build`, `cargo install`).
#[test]
fn test_switches_are_in_the_tests_build_only() {
    let features = |edges: &str| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        #[allow(clippy::disallowed_methods)] // tests drive cargo directly
        let out = Command::new(cargo)
            .args(["tree", "-p", "monorel-cli", "-e", edges, "-f", "{p} [{f}]", "--offline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let tree = String::from_utf8_lossy(&out.stdout).into_owned();
        let engine = tree.lines().find(|l| l.contains(" monorel v")).map(str::to_string);
        engine.unwrap_or_else(|| panic!("no engine in\n{tree}"))
    };
    let users = features("no-dev");
    assert!(!users.contains("fault-injection"), "a user's build has the test switches: {users}");
    let tests = features("all");
    assert!(tests.contains("fault-injection"), "the tests' build lacks them: {tests}");
    let help = String::from_utf8_lossy(
        &crate::support::monorel(std::path::Path::new("."), &["release", "--help"]).stdout,
    )
    .into_owned();
    assert!(!help.contains("MONOREL_"), "{help}");
}

/// The README's install commands are ones that work from a clone: every `cargo install` is
/// `--locked` (else Cargo ignores `Cargo.lock`), and each `--path` names the crate of the binary.
#[test]
fn the_readme_installs_with_the_lockfile() {
    let root = crate::support::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let commands: Vec<&str> = readme
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|code| code.starts_with("cargo install "))
        .collect();
    assert!(!commands.is_empty(), "the README says how to install");
    for command in &commands {
        assert!(command.contains("--locked"), "`{command}` resolves the dependencies anew");
        if let Some(path) = command.split("--path ").nth(1) {
            let manifest = std::fs::read_to_string(root.join(path.trim()).join("Cargo.toml"));
            assert!(
                manifest.is_ok_and(|m| m.contains("name = \"monorel\"")),
                "`{command}` does not name the crate of the `monorel` binary"
            );
        }
    }
    let install = readme.split("## Install").nth(1).unwrap_or_default();
    let install = install.split("\n## ").next().unwrap_or_default();
    assert!(install.contains("cargo xtask dist"), "the wheel from a clone:\n{install}");
}
