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
        ["dist", rest @ ..] => dist::run(root, rest),
        ["fuzz", rest @ ..] => fuzz::run(root, rest),
        _ => monorel_cli::run_in(root, args),
    }
}
