//! `cargo xtask changelog` and `cargo xtask release` run in the binary whose build cargo showed:
//! they never start a second cargo (issue 12: the first `release` on a fresh clone was followed
//! by a silent `cargo run --quiet --features changelog` of several minutes).

use xshell::{Shell, cmd};

/// Runs the xtask binary with `CARGO` naming a program that does not exist, so that a task
/// that starts cargo fails; its success, stdout and stderr.
fn xtask_without_cargo(args: &[&str]) -> (bool, String, String) {
    let sh = Shell::new().unwrap();
    let xtask = env!("CARGO_BIN_EXE_xtask");
    let out = cmd!(sh, "{xtask} {args...}")
        .env("CARGO", "/nonexistent/cargo")
        .ignore_status()
        .output()
        .unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

#[test]
fn changelog_and_release_never_start_cargo() {
    for task in ["changelog", "release"] {
        let (ok, stdout, stderr) = xtask_without_cargo(&[task, "--help"]);
        assert!(ok, "`cargo xtask {task} --help` failed:\n{stderr}");
        assert!(stdout.contains("Usage:"), "`cargo xtask {task} --help`:\n{stdout}");
    }
    let (ok, stdout, stderr) = xtask_without_cargo(&["changelog", "--stdout"]);
    assert!(ok, "`cargo xtask changelog --stdout` failed:\n{stderr}");
    assert!(stdout.contains("## [Unreleased]"), "`cargo xtask changelog --stdout`:\n{stdout}");
}
