//! One module per command; each loads, plans with the engine, renders, then applies.

mod bump;
mod bump_file;
mod versions;

use std::{path::Path, process::ExitCode};

use crate::args::Command;

/// Runs one command in `dir`.
pub(crate) fn dispatch(dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::BumpFile(args) => bump_file::run(dir, &args),
        Command::Versions(args) => versions::run(dir, &args),
        Command::Bump(args) => bump::run(dir, &args),
    }
}
