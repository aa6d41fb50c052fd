//! `cargo xtask <command>`: monorel run on this repository.
//!
//! A thin main over `monorel-cli`, so that `cargo xtask <cmd>` and `monorel <cmd>` accept the same
//! commands. It always works on this repository's root, wherever cargo was started.

mod bench_artifacts;
mod bench_changelog;
mod bench_editors;
mod bench_repo;
mod dist;
mod fuzz;
mod task;

use std::{ffi::OsString, path::Path, process::ExitCode};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the root");
    let args: Vec<OsString> = std::env::args_os().collect();
    let words: Vec<&str> = args.iter().skip(1).map(|a| a.to_str().unwrap_or("")).collect();
    match words.as_slice() {
        ["bench", "repo", rest @ ..] => bench_repo::run(root, rest),
        ["bench", "artifacts", rest @ ..] => bench_artifacts::run(root, rest),
        ["bench", "changelog", rest @ ..] => bench_changelog::run(root, rest),
        ["bench", "editors", rest @ ..] => bench_editors::run(root, rest),
        // The changelog (and the release, which promotes it) needs git-cliff-core, which every
        // other task must not build: the task runs again with the `changelog` feature (built
        // once, then reused by cargo).
        #[cfg(not(feature = "changelog"))]
        ["changelog" | "release", ..] => with_changelog_feature(root, &args[1..]),
        ["dist", rest @ ..] => dist::run(root, rest),
        ["fuzz", rest @ ..] => fuzz::run(root, rest),
        _ => monorel_cli::run_in(root, args),
    }
}

/// `cargo run -p xtask --features changelog -- <args>`, built by xshell and run with the
/// terminal's streams (stdin too: `release --edit` opens an editor); its exit code becomes ours,
/// so that a refusal (2) stays a refusal.
#[cfg(not(feature = "changelog"))]
fn with_changelog_feature(root: &Path, args: &[OsString]) -> ExitCode {
    let sh = match xshell::Shell::new() {
        Ok(sh) => sh,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    sh.change_dir(root);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let features = ["run", "--quiet", "--package", "xtask", "--features", "changelog", "--"];
    let mut command: std::process::Command = sh.cmd(cargo).args(features).args(args).into();
    match command.status() {
        Ok(status) => match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            // Killed by a signal.
            None => ExitCode::FAILURE,
        },
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
