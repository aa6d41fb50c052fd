//! `cargo xtask <command>`: monorel run on this repository.
//!
//! A thin main over `monorel-cli`, so that `cargo xtask <cmd>` and `monorel <cmd>` accept the same
//! commands. It always works on this repository's root, wherever cargo was started.

mod bench_artifacts;
mod bench_changelog;
mod bench_repo;
mod dist;
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
        // The changelog (and the release, which promotes it) needs git-cliff-core, which every
        // other task must not build: the task runs again with the `changelog` feature (built
        // once, then reused by cargo).
        #[cfg(not(feature = "changelog"))]
        ["changelog" | "release", ..] => with_changelog_feature(root, &args[1..]),
        ["dist", rest @ ..] => dist::run(root, rest),
        _ => monorel_cli::run_in(root, args),
    }
}

/// `cargo run -p xtask --features changelog -- <args>`; its exit status becomes ours (a failure
/// is 1: xshell reports no code).
#[cfg(not(feature = "changelog"))]
fn with_changelog_feature(root: &Path, args: &[OsString]) -> ExitCode {
    let run = || -> xshell::Result<()> {
        let sh = xshell::Shell::new()?;
        sh.change_dir(root);
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let features = ["run", "--quiet", "--package", "xtask", "--features", "changelog", "--"];
        sh.cmd(cargo).args(features).args(args).quiet().run()
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
