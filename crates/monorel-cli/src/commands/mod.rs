//! One module per command; each loads, plans with the engine, renders, then applies.

mod bump_file;

use std::{path::Path, process::ExitCode};

use crate::args::Command;

/// Runs one command in `dir`.
pub(crate) fn dispatch(dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::BumpFile(args) => bump_file::run(dir, &args),
    }
}
