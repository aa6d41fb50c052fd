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
    /// Show every version site: file, line, kind, group and value
    ///
    /// Finds the Cargo packages, Python projects and Helm charts of the repository (zero
    /// configuration; `monorel.toml` for groups and extra files) and reports drift.
    Versions(VersionsArgs),
    /// Bump a group's version in every file at once: a dry run unless `--execute`
    ///
    /// Prints every file's change as a unified diff. With `--execute` all files change or none
    /// do, and Cargo.lock is checked with `cargo metadata --locked --offline`.
    Bump(BumpArgs),
    /// Write a `monorel.toml` that reproduces what discovery found, commented
    ///
    /// One group when every package agrees; one group per ecosystem (or package) when they
    /// drift, so that `versions --check` passes with the file as written.
    Init(InitArgs),
}

/// Output formats of commands that report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people
    Text,
    /// JSON for scripts
    Json,
    /// GitHub Actions workflow annotations (`::error file=...`), then the table
    Github,
}

/// `monorel versions`.
#[derive(Debug, clap::Args)]
pub struct VersionsArgs {
    /// Exit non-zero when versions drift or a version site has a problem
    #[arg(long)]
    pub check: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `monorel init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Print the file instead of writing it
    #[arg(long)]
    pub stdout: bool,
    /// Replace an existing `monorel.toml`
    #[arg(long)]
    pub force: bool,
}

/// `monorel bump`.
#[derive(Debug, clap::Args)]
pub struct BumpArgs {
    /// major, minor, patch, release, alpha, beta, rc, dev, or an exact version such as 1.4.0
    #[arg(value_name = "LEVEL")]
    pub level: String,
    /// Make it the first pre-release of the new version (`minor --pre rc`: 1.2.3 -> 1.3.0-rc.1)
    #[arg(long, value_name = "KIND", value_parser = ["alpha", "beta", "rc", "dev"])]
    pub pre: Option<String>,
    /// The group to bump (needed when there are several)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Write the files (without it, print the plan and write nothing)
    #[arg(long)]
    pub execute: bool,
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
