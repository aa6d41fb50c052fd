//! The command line, as clap types. `monorel` and `cargo xtask` share it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Release automation for polyglot monorepos: one version across Cargo, Python and Helm.
#[derive(Debug, Parser)]
#[command(name = "monorel", version, about, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in <DIR>
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub directory: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Change the version in one file, and nothing else
    ///
    /// Plumbing for scripts and tests: the file must hold <OLD>; only the characters of version
    /// tokens change. Refuses, writing nothing, when the file's version is not <OLD>, is
    /// inherited, dynamic, generated or computed, or when <NEW> cannot be spelled in the file.
    BumpFile(BumpFileArgs),
}

/// `monorel bump-file`.
#[derive(Debug, clap::Args)]
pub struct BumpFileArgs {
    /// The file to edit
    pub file: PathBuf,
    /// The version the file holds now (SemVer; Python files may spell it in PEP 440)
    #[arg(long = "from", value_name = "OLD")]
    pub from: String,
    /// The version to write (SemVer; written in PEP 440 form in Python files)
    #[arg(long = "to", value_name = "NEW")]
    pub to: String,
    /// The file kind; told from the file name when absent
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<monorel::editors::FileKind>,
    /// Print the change as a unified diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

fn parse_kind(s: &str) -> Result<monorel::editors::FileKind, String> {
    s.parse()
}
