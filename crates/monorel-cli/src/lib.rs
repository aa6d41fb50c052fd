//! The `monorel` command line: clap types, rendering, exit codes.
//!
//! [`run`] is the whole program; [`run_in`] is the same with a fixed working directory, which is
//! all a repository's own `xtask` needs:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
//!     monorel_cli::run_in(root, std::env::args_os())
//! }
//! ```

mod args;
mod commands;
mod render;

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::Parser;

pub use args::Cli;

/// Runs monorel with `args` (the program name first) in the current directory, or the `-C` one.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    run_in(&cwd, args)
}

/// Runs monorel with `args` (the program name first) in `dir`; a `-C` option is taken relative
/// to it.
///
/// As git does, every command works on the repository containing that directory, from its root:
/// a subdirectory never changes what is planned. Only the paths given as arguments (`bump-file`'s
/// file, `verify-artifacts`' paths) are taken relative to the directory itself.
pub fn run_in(dir: &Path, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let dir = match &cli.directory {
        Some(d) => dir.join(d),
        None => dir.to_path_buf(),
    };
    if !dir.is_dir() {
        let shown = cli.directory.as_deref().unwrap_or(&dir).display().to_string();
        let why = if dir.exists() { "it is not a directory" } else { "there is no such directory" };
        eprintln!(
            "error: cannot run in `{}`: {why}\nhelp: `-C` names a directory inside the repository",
            render::escape(&shown)
        );
        return ExitCode::from(2);
    }
    match commands::dispatch(&dir, cli.command) {
        Ok(code) => code,
        Err(e) => {
            render::error(&e);
            ExitCode::FAILURE
        }
    }
}
