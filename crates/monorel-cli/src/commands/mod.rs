//! One module per command; each loads, plans with the engine, renders, then applies.

mod bump;
mod bump_file;
mod changelog;
mod init;
mod merge_driver;
mod release;
mod verify_artifacts;
mod versions;

use std::{path::Path, process::ExitCode};

use crate::args::Command;

/// Runs one command in `dir`.
pub(crate) fn dispatch(dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::BumpFile(args) => bump_file::run(dir, &args),
        Command::Versions(args) => versions::run(dir, &args),
        Command::Bump(args) => bump::run(dir, &args),
        Command::Init(args) => init::run(dir, &args),
        Command::Release(args) => release::run(dir, &args),
        Command::VerifyArtifacts(args) => verify_artifacts::run(dir, &args),
        Command::Changelog(args) => changelog::run(dir, &args),
        Command::MergeDriver(args) => merge_driver::run(dir, &args),
    }
}

/// Loads the repository at `dir`, rendering a configuration error with its file, line and fix.
pub(crate) fn load(dir: &Path) -> anyhow::Result<monorel::repo::Snapshot> {
    monorel::repo::load(dir).map_err(load_error)
}

fn load_error(e: monorel::repo::LoadError) -> anyhow::Error {
    match e {
        monorel::repo::LoadError::Config(e) => {
            let location = match e.line {
                Some(line) => format!("{}:{line}", e.path),
                None => e.path.clone(),
            };
            let escape = crate::render::escape;
            anyhow::anyhow!(
                "`{}`: {}\nhelp: {}",
                escape(&location),
                escape(&e.message),
                escape(&e.help)
            )
        }
        monorel::repo::LoadError::File(e @ monorel::confine::FileError::TooLarge { .. }) => {
            anyhow::anyhow!(
                "{}, more than any manifest or version file holds\nhelp: list the file in `exclude` in `monorel.toml`, or make it smaller",
                crate::render::escape(&e.to_string())
            )
        }
        monorel::repo::LoadError::File(e) => anyhow::anyhow!(
            "{}\nhelp: monorel reads only regular files inside the repository; replace it with one",
            crate::render::escape(&e.to_string())
        ),
        // Each message of the chain is one line that may name a tracked path: a newline in
        // the name must not start a line of its own.
        e => {
            let mut messages = Vec::new();
            let mut next: Option<&dyn std::error::Error> = Some(&e);
            while let Some(error) = next {
                messages.push(crate::render::escape(&error.to_string()).into_owned());
                next = error.source();
            }
            let innermost = anyhow::anyhow!("{}", messages.pop().unwrap_or_default());
            messages.into_iter().rev().fold(innermost, |error, message| error.context(message))
        }
    }
}
