//! Exact version edits, one editor per file kind.
//!
//! Every editor is a pure function from a file's text to the [`Site`]s that carry versions: the
//! byte range of each version token, what it is (the file's own version, or a reference that
//! follows the release), and how it is spelled. Editors parse to *locate* (toml_edit spans,
//! saphyr marks, a Python tokenizer) and never re-serialise a document: [`plan_file`] splices the
//! new text into the original bytes, so quotes, comments, alignment, CRLF, a BOM and a missing
//! final newline all survive by construction.
//!
//! The rules that turn "bump from `old` to `new`" into edits are the same for every kind and live
//! here, in [`plan_sites`]:
//! - the file must declare its own version, and some declaration must equal `old`;
//! - where a kind says its declarations describe one thing (pyproject's `[project]` and
//!   `[tool.poetry]`), they must agree;
//! - followers (path dependency pins, `appVersion`, `file://` chart pins) move only when they
//!   name `old` exactly;
//! - `new` must have a faithful spelling at every site that moves.

pub mod cargo_lock;
pub mod cargo_toml;
pub mod chart_lock;
pub mod helm;
pub mod pyproject;
pub mod python;
pub mod setup_cfg;
mod toml_spans;
pub mod uv_lock;

use std::{collections::HashSet, fmt, ops::Range, path::Path, str::FromStr};

use crate::version::{Spelling, Version};

/// The kinds of file monorel edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `Cargo.toml`: `[package]`, `[workspace.package]`, path dependency pins.
    CargoToml,
    /// `Cargo.lock`: workspace members (entries with no `source`) and references to them.
    CargoLock,
    /// `uv.lock`: the project's own packages (`editable` and `directory` sources).
    UvLock,
    /// `pyproject.toml`: PEP 621 `[project]` and Poetry `[tool.poetry]`.
    Pyproject,
    /// Python modules: `__init__.py`, `_version.py`, `version.py`, `__about__.py`,
    /// `__version__.py`, `setup.py`.
    Python,
    /// `setup.cfg`: `[metadata] version`.
    SetupCfg,
    /// Helm `Chart.yaml`: `version`, `appVersion`, `file://` dependency pins.
    HelmChart,
}

impl FileKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [FileKind; 7] = [
        FileKind::CargoToml,
        FileKind::CargoLock,
        FileKind::UvLock,
        FileKind::Pyproject,
        FileKind::Python,
        FileKind::SetupCfg,
        FileKind::HelmChart,
    ];

    /// The kind's name on the command line and in messages (`cargo-toml`, `helm-chart`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FileKind::CargoToml => "cargo-toml",
            FileKind::CargoLock => "cargo-lock",
            FileKind::UvLock => "uv-lock",
            FileKind::Pyproject => "pyproject",
            FileKind::Python => "python",
            FileKind::SetupCfg => "setup-cfg",
            FileKind::HelmChart => "helm-chart",
        }
    }

    /// Tells the kind from a file name, the way the file is named in real repositories.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        Some(match name {
            "Cargo.toml" => FileKind::CargoToml,
            "Cargo.lock" => FileKind::CargoLock,
            "uv.lock" => FileKind::UvLock,
            "pyproject.toml" => FileKind::Pyproject,
            "setup.cfg" => FileKind::SetupCfg,
            "Chart.yaml" | "Chart.yml" => FileKind::HelmChart,
            "__init__.py" | "_version.py" | "version.py" | "__about__.py" | "__version__.py"
            | "setup.py" => FileKind::Python,
            _ => return None,
        })
    }

    /// Finds the version sites in `text` (a file's contents, BOM already removed).
    pub fn scan(self, text: &str) -> Result<Vec<Site>, Refusal> {
        match self {
            FileKind::CargoToml => cargo_toml::scan(text),
            FileKind::CargoLock => cargo_lock::scan(text),
            FileKind::UvLock => uv_lock::scan(text),
            FileKind::Pyproject => pyproject::scan(text),
            FileKind::Python => python::scan(text),
            FileKind::SetupCfg => setup_cfg::scan(text),
            FileKind::HelmChart => helm::scan(text),
        }
    }

    /// How to get out of a file that is not at the version a bump starts from.
    fn mismatch_help(self, old: &Version) -> String {
        match self {
            FileKind::CargoLock => format!(
                "check `--from`; if the manifests are at {old}, `cargo update --workspace` brings Cargo.lock back in step"
            ),
            FileKind::UvLock => format!(
                "check `--from`; if the projects are at {old}, `uv lock` brings uv.lock back in step"
            ),
            _ => format!(
                "the file is not at {old}: check `--from`, or bring the file back in step with the release"
            ),
        }
    }

    /// Whether all of a file's declarations describe one thing and so must agree.
    ///
    /// A Cargo.toml's `[package]` and `[workspace.package]` are two things that may be versioned
    /// apart; so are the members of a Cargo.lock.
    fn declarations_must_agree(self) -> bool {
        !matches!(self, FileKind::CargoToml | FileKind::CargoLock | FileKind::UvLock)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FileKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FileKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.name()).collect();
            format!("unknown file kind `{s}`; expected one of: {}", names.join(", "))
        })
    }
}

/// One place in a file that carries a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Byte range of the version token in the scanned text: the characters of the version only
    /// (inside the quotes; after a requirement operator; including a Helm field's `v`).
    pub range: Range<usize>,
    /// 1-based line of the token.
    pub line: usize,
    /// What the version at this site is.
    pub role: Role,
    /// How the version is written here.
    pub spelling: Spelling,
    /// The token as it is written now.
    pub text: String,
}

/// What the version at a [`Site`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The version the file declares, e.g. `[package] version`, `__version__`, Chart `version`.
    /// `subject` names it for people, as plain text: `[package].version`, `__version__`.
    Declaration { subject: String },
    /// A value that follows the release when it names the old version exactly: a path
    /// dependency pin, `appVersion`, a `file://` chart dependency, a version tuple.
    /// `target` names the package a pin refers to (`None`: the file's own package).
    Follower { subject: String, target: Option<String> },
    /// Cargo.lock: the version of workspace member `name` (an entry with no `source`).
    LockMember { name: String },
    /// Cargo.lock: a `"name version"` reference to workspace member `name`; it moves when that
    /// member moves.
    LockReference { name: String },
}

impl Role {
    /// A short name for people, as used in plans and tables.
    pub fn subject(&self) -> String {
        match self {
            Role::Declaration { subject } | Role::Follower { subject, .. } => subject.clone(),
            Role::LockMember { name } => format!("package {name}"),
            Role::LockReference { name } => format!("reference to {name}"),
        }
    }

    /// Whether this is the file's own version (a declaration or a lockfile member).
    pub fn is_declaration(&self) -> bool {
        matches!(self, Role::Declaration { .. } | Role::LockMember { .. })
    }
}

/// Why a file was not edited. Nothing is written when an editor refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The kind of reason, for scripts and tests.
    pub reason: Reason,
    /// 1-based line the reason points at, when there is one.
    pub line: Option<usize>,
    /// What is wrong: lowercase, no trailing period, values in backticks.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The kinds of [`Refusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The file cannot be read as its kind (bad syntax, not UTF-8).
    Parse,
    /// The file declares no version of its own.
    NoVersion,
    /// The version is inherited from elsewhere (`version.workspace = true`).
    Inherited,
    /// The version is dynamic: a build backend reads it from another file.
    Dynamic,
    /// The version comes from version control tags (setuptools-scm, hatch-vcs, versioneer).
    FromVcs,
    /// The file is generated; editing it does nothing.
    Generated,
    /// The version is computed by code that no editor can update (a configured pattern can).
    Computed,
    /// The file's version is not `old`.
    Mismatch,
    /// Two declarations of one thing disagree.
    Disagree,
    /// `new` cannot be written in this file's spelling.
    InvalidNew,
}

impl Refusal {
    /// A refusal with a reason and a message; add the line and help with the builder methods.
    pub fn new(reason: Reason, message: impl Into<String>) -> Refusal {
        Refusal { reason, line: None, message: message.into(), help: None }
    }

    /// Points the refusal at a line.
    pub fn at_line(mut self, line: usize) -> Refusal {
        self.line = Some(line);
        self
    }

    /// Says how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Refusal {
        self.help = Some(help.into());
        self
    }
}

/// One replacement in a file: a version token and what it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The site being changed (its range is in the file's bytes, BOM included).
    pub site: Site,
    /// The new text of the token.
    pub to: String,
}

/// A planned edit of one file: its bytes before and after, and the changes between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    /// The file's kind.
    pub kind: FileKind,
    /// The bytes as read.
    pub before: Vec<u8>,
    /// The bytes to write.
    pub after: Vec<u8>,
    /// Each token replaced, in file order.
    pub changes: Vec<Change>,
}

/// The UTF-8 byte order mark.
const BOM: &str = "\u{feff}";

/// Plans the edit of one file from `old` to `new`. Pure: reads nothing, writes nothing.
pub fn plan_file(
    kind: FileKind,
    bytes: &[u8],
    old: &Version,
    new: &Version,
) -> Result<FileEdit, Refusal> {
    let (offset, text) = decode(bytes)?;
    let sites = kind.scan(text)?;
    let mut changes = plan_sites(kind, &sites, old, new)?;
    for change in &mut changes {
        change.site.range = change.site.range.start + offset..change.site.range.end + offset;
    }
    let after = splice(bytes, &changes);
    Ok(FileEdit { kind, before: bytes.to_vec(), after, changes })
}

/// Reads the version sites of a file (for tables and discovery). Pure.
pub fn scan_file(kind: FileKind, bytes: &[u8]) -> Result<Vec<Site>, Refusal> {
    let (offset, text) = decode(bytes)?;
    let mut sites = kind.scan(text)?;
    for site in &mut sites {
        site.range = site.range.start + offset..site.range.end + offset;
    }
    Ok(sites)
}

/// [`scan_file`] for a version module of a Python project found by discovery: there, a
/// release tuple (`VERSION = (6, 1, 0, "alpha", 0)`, Django's) is the project's version, where
/// `bump-file` alone cannot know what the tuple means and refuses it.
pub fn scan_project_module(bytes: &[u8]) -> Result<Vec<Site>, Refusal> {
    let (offset, text) = decode(bytes)?;
    let mut sites = python::scan_project_module(text)?;
    for site in &mut sites {
        site.range = site.range.start + offset..site.range.end + offset;
    }
    Ok(sites)
}

/// Applies the lockstep rules (see the module docs) to the sites of one file.
pub fn plan_sites(
    kind: FileKind,
    sites: &[Site],
    old: &Version,
    new: &Version,
) -> Result<Vec<Change>, Refusal> {
    let declarations: Vec<&Site> = sites.iter().filter(|s| s.role.is_declaration()).collect();
    if declarations.is_empty() {
        return Err(Refusal::new(Reason::NoVersion, "the file declares no version"));
    }
    let (matching, other): (Vec<&Site>, Vec<&Site>) =
        declarations.iter().partition(|s| s.spelling.matches(&s.text, old));
    if matching.is_empty() {
        let found: Vec<String> = other
            .iter()
            .map(|s| format!("`{}` at line {} (`{}`)", s.text, s.line, s.role.subject()))
            .collect();
        return Err(Refusal::new(
            Reason::Mismatch,
            format!("expected version {old}, found {}", found.join(", ")),
        )
        .at_line(other[0].line)
        .help(kind.mismatch_help(old)));
    }
    if kind.declarations_must_agree() && !other.is_empty() {
        let all: Vec<String> = declarations
            .iter()
            .map(|s| format!("`{}` is `{}` (line {})", s.role.subject(), s.text, s.line))
            .collect();
        return Err(Refusal::new(
            Reason::Disagree,
            format!("the declarations in this file disagree: {}", all.join(", ")),
        )
        .at_line(other[0].line)
        .help("make them equal by hand first; bumping one would leave the file inconsistent"));
    }
    // Sets, not searches: a file may hold hundreds of thousands of sites (a Cargo.lock's
    // references, a workspace's path pins), and every check here is per site.
    let moved_members: HashSet<&str> = matching
        .iter()
        .filter_map(|s| match &s.role {
            Role::LockMember { name } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let matching: HashSet<(usize, usize)> =
        matching.iter().map(|m| (m.range.start, m.range.end)).collect();
    let mut changed = HashSet::with_capacity(sites.len());
    let mut changes = Vec::new();
    for site in sites {
        let moves = match &site.role {
            Role::Declaration { .. } | Role::LockMember { .. } => {
                matching.contains(&(site.range.start, site.range.end))
            }
            Role::Follower { .. } => site.spelling.matches(&site.text, old),
            Role::LockReference { name } => {
                moved_members.contains(name.as_str()) && site.spelling.matches(&site.text, old)
            }
        };
        if !moves || !changed.insert((site.range.start, site.range.end)) {
            continue;
        }
        changes.push(change(site, new)?);
    }
    changes.sort_by_key(|c| c.site.range.start);
    Ok(changes)
}

/// The change that writes `new` at `site`, or why `new` cannot be written there.
pub fn change(site: &Site, new: &Version) -> Result<Change, Refusal> {
    if site.spelling == Spelling::IntTuple
        && site.role.is_declaration()
        && (!new.pre.is_empty() || !new.build.is_empty())
    {
        return Err(Refusal::new(
            Reason::InvalidNew,
            format!(
                "`{new}` cannot be written as the integer tuple `{}` at line {}: it would drop the pre-release and claim a final release",
                site.role.subject(),
                site.line
            ),
        )
        .at_line(site.line)
        .help("write the version as a string literal (`__version__ = \"X.Y.Z\"`), or release a final version"));
    }
    // Whitespace around the version inside its token (`" 1.2.3 "`) is the file's, and stays.
    let version = site.text.trim();
    let lead = &site.text[..site.text.len() - site.text.trim_start().len()];
    let trail = &site.text[lead.len() + version.len()..];
    let to =
        site.spelling.render(version, new).map(|to| format!("{lead}{to}{trail}")).map_err(|e| {
            Refusal::new(
                Reason::InvalidNew,
                format!("{} (needed at `{}`)", e.message, site.role.subject()),
            )
            .at_line(site.line)
            .help(e.help)
        })?;
    Ok(Change { site: site.clone(), to })
}

/// The bytes of a file with `changes` applied (ranges in the file's bytes, sorted, disjoint).
pub fn apply_changes(bytes: &[u8], changes: &[Change]) -> Vec<u8> {
    splice(bytes, changes)
}

/// Splits off a UTF-8 BOM and checks the encoding. Returns the BOM's length and the text.
fn decode(bytes: &[u8]) -> Result<(usize, &str), Refusal> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        Refusal::new(Reason::Parse, "the file is not valid UTF-8")
            .at_line(line)
            .help("save the file as UTF-8")
    })?;
    Ok(match text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, text),
    })
}

/// Replaces each change's range in `bytes` (ranges sorted, disjoint).
fn splice(bytes: &[u8], changes: &[Change]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 16);
    let mut at = 0;
    for change in changes {
        out.extend_from_slice(&bytes[at..change.site.range.start]);
        out.extend_from_slice(change.to.as_bytes());
        at = change.site.range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// The 1-based lines of one text, for an editor that asks the line of every site: the
/// newlines are found once, on the first question, then each line is a binary search. (Counting
/// from the start for each site, as [`line_at`] does, is quadratic on a large file: a Cargo.lock
/// of 30,000 packages asks 60,000 times.)
#[derive(Debug)]
pub struct Lines<'t> {
    text: &'t str,
    newlines: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> Lines<'t> {
    /// The lines of `text` (nothing is computed yet).
    pub fn new(text: &'t str) -> Lines<'t> {
        Lines { text, newlines: std::cell::OnceCell::new() }
    }

    /// The 1-based line of byte `offset`, as [`line_at`] counts it.
    pub fn at(&self, offset: usize) -> usize {
        let newlines = self.newlines.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut at = Vec::with_capacity(newlines(bytes));
            at.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i));
            at
        });
        newlines.partition_point(|&n| n < offset) + 1
    }
}

/// The 1-based line of byte `offset` in `text`: for one question; ask [`Lines`] for many.
pub fn line_at(text: &str, offset: usize) -> usize {
    newlines(&text.as_bytes()[..offset.min(text.len())]) + 1
}

/// The number of `\n` in `bytes`.
///
/// Counted in blocks whose count fits a byte, which the compiler turns into vector
/// instructions: several times faster than counting into a `usize` byte by byte.
fn newlines(bytes: &[u8]) -> usize {
    const BLOCK: usize = 255;
    let blocks = bytes.chunks_exact(BLOCK);
    let rest = blocks.remainder();
    let in_blocks: usize = blocks
        .map(|block| usize::from(block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>()))
        .sum();
    in_blocks + rest.iter().filter(|&&b| b == b'\n').count()
}

/// Test helper: bump `input` from `old` to `new` and render the outcome as text, so tests read
/// as a table of inputs and outputs.
#[cfg(test)]
pub(crate) fn check(kind: FileKind, input: &str, old: &str, new: &str) -> String {
    let old = Version::parse(old).unwrap();
    let new = Version::parse(new).unwrap();
    match plan_file(kind, input.as_bytes(), &old, &new) {
        Ok(edit) => String::from_utf8(edit.after).unwrap(),
        Err(r) => format!("refused ({:?}) at line {:?}: {}", r.reason, r.line, r.message),
    }
}

#[cfg(test)]
mod tests {
    use super::{Lines, line_at};

    #[test]
    fn lines_answer_as_line_at_does() {
        for text in ["", "a", "\n", "a\nb\n\nc", "\n\nx\r\ny\n"] {
            let lines = Lines::new(text);
            for offset in (0..=text.len() + 1).rev() {
                assert_eq!(lines.at(offset), line_at(text, offset), "{text:?} at {offset}");
            }
        }
    }
}
