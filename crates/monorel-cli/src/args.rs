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
    /// Release: bump, changelog, hooks, commit, tag, push; a dry run unless `--execute`
    ///
    /// Preflight first (branch, clean tree, up to date, tag free, versions agree, something to
    /// release), every problem at once. Then the plan: each file's diff and the numbered steps.
    /// With `--execute` each step is recorded in `.git/monorel-release/`, so an interrupted
    /// release can be finished with `--resume` or undone with `--abort`.
    Release(ReleaseArgs),
    /// Prove that every built artifact carries the release version
    ///
    /// Opens each wheel, sdist, crate and Helm chart in <PATH>... (else `dist/` and
    /// `target/package/`), reads the versions written inside, checks RECORD, SHA256SUMS and
    /// the changelog, and exits non-zero on any disagreement. Nothing is extracted and nothing
    /// is written, except `SHA256SUMS` with `--write-checksums`.
    VerifyArtifacts(VerifyArtifactsArgs),
    /// Write CHANGELOG.md's [Unreleased] section from Conventional Commits
    ///
    /// Reads the commits since the last release tag, sorts them into Keep a Changelog sections
    /// (Added, Changed, Deprecated, Removed, Fixed, Security; docs, chore, ci, test, style and
    /// build are left out) and merges them into [Unreleased], keeping the entries people wrote.
    /// Honours the commit rules of a `cliff.toml` ([git] commit_parsers, link_parsers, ...).
    Changelog(ChangelogArgs),
    /// Merge two sides of a changelog, as a git merge driver (`merge=monorel`)
    ///
    /// Keeps both sides' [Unreleased] entries (less what either side released or removed) and
    /// takes released sections from the side that changed them, the branch merged in when both
    /// did. Writes the result over <OURS> and exits 0; exits 1, writing nothing, when a file is
    /// not a changelog it can read. `--install` shows, and with `--execute` writes, the
    /// `.gitattributes` line and the `git config` that make every `git merge` use it.
    MergeDriver(MergeDriverArgs),
}

/// `monorel merge-driver`.
#[derive(Debug, clap::Args)]
pub struct MergeDriverArgs {
    /// The common ancestor's version (git's `%O`)
    #[arg(value_name = "BASE", required_unless_present = "install")]
    pub base: Option<PathBuf>,
    /// Ours (git's `%A`): the result is written here
    #[arg(value_name = "OURS", required_unless_present = "install")]
    pub ours: Option<PathBuf>,
    /// Theirs (git's `%B`)
    #[arg(value_name = "THEIRS", required_unless_present = "install")]
    pub theirs: Option<PathBuf>,
    /// The path in the repository, for messages (git's `%P`)
    #[arg(value_name = "PATH")]
    pub path: Option<String>,
    /// Set up the driver in this repository: `.gitattributes` and `git config merge.monorel.*`
    #[arg(long, conflicts_with_all = ["base", "ours", "theirs", "path"])]
    pub install: bool,
    /// With `--install`: write them (without it, print what would be written)
    #[arg(long, requires = "install")]
    pub execute: bool,
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
    /// Also list the manifests set aside as test data, examples or vendored code
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `monorel release`.
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// major, minor, patch, release, alpha, beta, rc, auto (from the Conventional Commits since
    /// the last release), or an exact version such as 1.4.0; never a development version
    ///
    /// Branch flows (`[release.flow]`): `start <LEVEL>` (a release branch with the bump and
    /// the dated changelog), `finish [LEVEL]` (merge into `main`, tag, merge back), `hotfix`
    /// (a hotfix branch, `--from <TAG>`), `tag` (tag a release that is already bumped)
    #[arg(value_name = "LEVEL", required_unless_present_any = ["resume", "abort", "quit"])]
    pub level: Option<String>,
    /// The level of `start` and `finish` (`release start minor`)
    #[arg(value_name = "FLOW_LEVEL", conflicts_with_all = ["resume", "abort", "quit"])]
    pub flow_level: Option<String>,
    /// Where `release hotfix` branches from: a release tag or a branch (default: `main`)
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// Delete the finished branch (`release finish`), here and on the remote with `--push`
    #[arg(long)]
    pub delete_branch: bool,
    /// Make it the first pre-release of the new version (`minor --pre rc`)
    #[arg(long, value_name = "KIND", value_parser = ["alpha", "beta", "rc"])]
    pub pre: Option<String>,
    /// The group to release (needed when there are several)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Carry out the release (without it, print the plan and change nothing)
    #[arg(long)]
    pub execute: bool,
    /// Push the branch and the tag together (`git push --atomic`)
    #[arg(long)]
    pub push: bool,
    /// Edit the release notes in `$VISUAL`/`$EDITOR` first (needs `--execute`)
    #[arg(long, requires = "execute")]
    pub edit: bool,
    /// Skip the configured pre-commit and post-tag hooks
    #[arg(long)]
    pub no_hooks: bool,
    /// Do not fetch or ask the remote (the branch's freshness and the remote tag go unchecked)
    #[arg(long)]
    pub offline: bool,
    /// Fast-forward the branch to its upstream first (`git merge --ff-only`), then plan
    #[arg(long, conflicts_with = "offline")]
    pub pull: bool,
    /// Release even when `[Unreleased]` is empty
    #[arg(long)]
    pub allow_empty: bool,
    /// Output format (`github` is text plus annotations)
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Finish the release in progress from its recorded step
    #[arg(long, conflicts_with_all = ["level", "abort", "execute"])]
    pub resume: bool,
    /// Undo the release in progress: files, commits, local tags (never what was pushed)
    #[arg(long, conflicts_with_all = ["level", "resume", "execute"])]
    pub abort: bool,
    /// List the commits the changelog leaves out because they are no Conventional Commits
    #[arg(short, long)]
    pub verbose: bool,
    /// Forget the release in progress: remove its state in `.git/monorel-release/`, leaving
    /// every file, commit and tag as it is (the way out when neither `--resume` nor `--abort`
    /// can go on)
    #[arg(long, conflicts_with_all = ["level", "resume", "abort", "execute"])]
    pub quit: bool,
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

/// `monorel verify-artifacts`.
#[derive(Debug, clap::Args)]
pub struct VerifyArtifactsArgs {
    /// Artifact files or directories (default: `dist/` and `target/package/`)
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The release version (default: the release tag `v<VERSION>` at HEAD); all sources must agree
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// The group whose artifacts to verify (its configured locations)
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Also install each wheel in a temporary virtual environment, import it, compare the
    /// versions it reports and run its console scripts with `--help`
    #[arg(long)]
    pub install_check: bool,
    /// Write `SHA256SUMS` for the artifacts of each directory (sorted) instead of verifying it
    #[arg(long)]
    pub write_checksums: bool,
    /// An artifact the release must have, as KIND:NAME (kinds: wheel, sdist, crate, chart);
    /// with any given, other artifacts are reported as unexpected
    #[arg(long = "expect", value_name = "KIND:NAME", value_parser = parse_expected)]
    pub expect: Vec<monorel::artifacts::Expected>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_expected(s: &str) -> Result<monorel::artifacts::Expected, String> {
    let (kind, name) =
        s.split_once(':').ok_or_else(|| format!("expected KIND:NAME, such as `wheel:{s}`"))?;
    if name.is_empty() {
        return Err("the name after `:` is empty".into());
    }
    Ok(monorel::artifacts::Expected { kind: kind.parse()?, name: name.to_string() })
}

/// `monorel changelog`.
#[derive(Debug, clap::Args)]
pub struct ChangelogArgs {
    /// Write nothing; exit non-zero with a diff when the changelog is not what this would write
    #[arg(long, conflicts_with_all = ["stdout", "notes"])]
    pub check: bool,
    /// Print the changelog that would be written, and write nothing
    #[arg(long, conflicts_with = "notes")]
    pub stdout: bool,
    /// Write every release section from the release tags, not only [Unreleased] (the header,
    /// hand-written [Unreleased] entries and sections of untagged releases are kept)
    #[arg(long, conflicts_with = "notes")]
    pub all: bool,
    /// The group's own changelog (in its directory): its tag format, and only the commits that
    /// touch its packages
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Print the body of the section for <VERSION> (release notes for a forge), write nothing
    #[arg(long, value_name = "VERSION")]
    pub notes: Option<String>,
    /// List the commits left out because they are no Conventional Commits
    #[arg(short, long)]
    pub verbose: bool,
}
