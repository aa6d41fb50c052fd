//! `cargo xtask <command>`: monorel run on this repository.
//!
//! A thin main over `monorel-cli`, so that `cargo xtask <cmd>` and `monorel <cmd>` accept the same
//! commands. It always works on this repository's root, wherever cargo was started.

use std::{path::Path, process::ExitCode};

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the root");
    monorel_cli::run_in(root, std::env::args_os())
}
