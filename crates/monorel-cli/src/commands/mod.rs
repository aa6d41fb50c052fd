//! One module per command; each loads, plans with the engine, renders, then applies.

mod bump;
mod bump_file;
mod changelog;
mod init;
mod merge_driver;
mod release;
mod verify_artifacts;
mod versions;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use crate::args::Command;

/// Runs one command started in `dir`: on the root of the git work tree holding `dir`, found as
/// git finds it (else on `dir` itself). Only `bump-file`'s file and `verify-artifacts`' paths
/// are relative to `dir`.
pub(crate) fn dispatch(dir: &Path, command: Command) -> anyhow::Result<ExitCode> {
    let root = || root_of(dir);
    match command {
        Command::BumpFile(args) => bump_file::run(dir, &args),
        Command::Versions(args) => versions::run(&root(), &args),
        Command::Bump(args) => bump::run(&root(), &args),
        Command::Init(args) => init::run(&root(), &args),
        Command::Release(args) => release::run(&root(), &args),
        Command::VerifyArtifacts(args) => verify_artifacts::run(dir, &root(), &args),
        Command::Changelog(args) => changelog::run(&root(), &args),
        Command::MergeDriver(args) => merge_driver::run(dir, &args),
    }
}

/// The root of the git work tree holding `dir`, or `dir` outside git.
fn root_of(dir: &Path) -> PathBuf {
    match monorel::git::Repo::discover(dir) {
        Some(repo) => repo.root().to_path_buf(),
        None => dir.to_path_buf(),
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
