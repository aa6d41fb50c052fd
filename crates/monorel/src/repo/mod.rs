//! The repository model: every version site of a polyglot repository, which package it belongs
//! to, which packages release together (groups), and the bump of a group as one plan.
//!
//! [`load`] is the only IO: it lists the source tree (`git ls-files`, or a directory walk outside
//! git) and reads the manifests and version modules. [`discover`] turns that [`Snapshot`] into a
//! [`Model`] without IO, and [`plan_bump`] turns a model and a request into a [`BumpPlan`]: plain
//! data, every file's bytes before and after, which `apply::write_all` writes all or nothing.

mod cargo;
mod discover;
mod groups;
mod helm;
pub mod init;
mod load;
mod places;
mod plan;
mod python;
mod tags;

use std::{collections::BTreeMap, fmt, path::PathBuf};

pub use discover::discover;
pub use load::{Listing, LoadError, load, load_config};
pub use plan::{BumpPlan, BumpRequest, PlanError, PlannedFile, is_development, plan_bump};

use crate::{
    config::Config,
    editors::{FileKind, Site},
    version::Version,
};

/// The tag format the repository tags its plain releases with (`v{version}`, `{version}`), read
/// from its tag names: the style of a changelog that no group is the main one of.
pub fn plain_tag_format(tag_names: &[String]) -> Option<String> {
    tags::Tags::new(tag_names).style(&[], None, true, &[], &[]).map(|s| s.format)
}

/// What [`load`] read: the file listing and the bytes of every file discovery looks at.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The repository root (the directory monorel works on).
    pub root: PathBuf,
    /// Every file of the source tree (inside git, the tracked files), relative to the root,
    /// `/`-separated, sorted. A tracked file deleted from the work tree is left out once
    /// discovery has tried to read it; one it never reads may stay listed.
    pub files: Listing,
    /// The listed files whose names say they are manifests (`Cargo.toml`, `Cargo.lock`,
    /// `uv.lock`, `pyproject.toml`, `setup.py`, `setup.cfg`, `Chart.yaml`, `Chart.yml`), sorted: the files
    /// discovery starts from, each read into `contents`.
    pub manifests: Vec<String>,
    /// The listed manifests set aside as test data, examples or vendored code
    /// ([`places`]), sorted; never read.
    pub set_aside: Vec<String>,
    /// The names of the repository's tags (none outside git).
    pub tags: Vec<String>,
    /// The bytes of the files discovery reads, by path.
    pub contents: BTreeMap<String, Vec<u8>>,
    /// The configuration (the default when there is none).
    pub config: Config,
    /// How the files were listed: `git` or `walk`.
    pub listed_by: &'static str,
    /// The Python projects, made from the manifests once while loading (they say which version
    /// modules to read) and kept for discovery.
    python: Vec<python::Project>,
}

impl Snapshot {
    /// This snapshot as it would be with `files` written: their `after` bytes in place of the
    /// ones read (what the release commit holds, for planning the step after it). A file
    /// discovery did not read (a changelog) stays unread.
    pub fn with_files(&self, files: &[PlannedFile]) -> Snapshot {
        let mut next = self.clone();
        for file in files {
            if let Some(bytes) = next.contents.get_mut(&file.path) {
                bytes.clone_from(&file.after);
            }
        }
        next.python = python::projects(&next);
        next
    }
}

/// The ecosystems monorel knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Cargo packages.
    Cargo,
    /// Python distributions.
    Python,
    /// Helm charts.
    Helm,
}

impl Ecosystem {
    /// `cargo`, `python` or `helm`.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Python => "python",
            Ecosystem::Helm => "helm",
        }
    }
}

/// A package, named as in its ecosystem: `cargo:monorel`, `python:monorel`, `helm:monorel`.
///
/// Identity is the ecosystem and the manifest: two packages of one name (a fixture
/// `pyproject.toml` named like the real project, two helper projects both called `scripts`)
/// are two packages. Displayed as `ecosystem:name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageId {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Its name there.
    pub name: String,
    /// Its manifest, relative to the root.
    pub manifest: String,
}

impl PackageId {
    /// The package `name` of `ecosystem` defined by `manifest`.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, manifest: impl Into<String>) -> Self {
        PackageId { ecosystem, name: name.into(), manifest: manifest.into() }
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ecosystem.name(), self.name)
    }
}

/// A package found in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Its name.
    pub id: PackageId,
    /// Its directory, relative to the root (`""` for the root).
    pub dir: String,
    /// The manifest that defines it.
    pub manifest: String,
    /// How it is released.
    pub release: Release,
}

/// How a package's version is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    /// By editing its version sites.
    Files,
    /// By tagging: the version comes from git tags (`how`: setuptools-scm, hatch-vcs, ...).
    Tags { how: String },
    /// It takes another package's version (maturin builds the Python package of a crate).
    Follows { package: PackageId },
    /// Never: `publish = false`.
    Unpublished,
    /// Never by editing files: its version is a placeholder (`0.0.0`) its build fills in.
    Placeholder,
}

/// Where a version site is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteSource {
    /// A manifest or version module, read by its editor.
    File(FileKind),
    /// A configured pattern in any text file (`groups.<name>.files`).
    Pattern {
        /// The regular expression.
        pattern: String,
        /// The site names the released version (`next-dev = false`): it follows every bump
        /// but one to a development version, and takes no part in the group's agreement.
        released: bool,
    },
}

impl fmt::Display for SiteSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteSource::File(kind) => kind.fmt(f),
            SiteSource::Pattern { .. } => f.write_str("pattern"),
        }
    }
}

/// One version site of the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    /// The file, relative to the root.
    pub path: String,
    /// How it was found.
    pub source: SiteSource,
    /// The site (its range is in the file's bytes).
    pub site: Site,
    /// The packages whose version this is (several when members inherit a workspace version).
    pub owners: Vec<PackageId>,
    /// The group the site is released with, when its owners are in one.
    pub group: Option<String>,
    /// When the site is a dependency's requirement on a package of the repository.
    pub pin: Option<Pin>,
}

/// A dependency's requirement on a package of the repository (a path dependency's `version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The whole requirement, operator and all: `^0.7.0`, `=1.2.0`, `0.7`. It follows the
    /// release when it names the old version, and moves when the new one leaves it.
    pub requirement: String,
}

impl SiteRecord {
    /// The SemVer version the site's text denotes, when it is one.
    pub fn version(&self) -> Option<Version> {
        use crate::version::Spelling;
        let text = self.site.text.trim();
        match self.site.spelling {
            Spelling::Semver => Version::parse(text).ok(),
            Spelling::Helm => Version::parse(text.strip_prefix('v').unwrap_or(text)).ok(),
            Spelling::Pep440 => crate::version::from_pep440(text).ok(),
            Spelling::IntTuple => None,
            Spelling::ReleaseTuple => crate::version::from_release_tuple(text),
        }
    }
}

/// Packages that release together, at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Its name (`default` without configuration).
    pub name: String,
    /// Its tag format, with `{version}`.
    pub tag: String,
    /// Where the format came from without configuration: `Some(Some(tag))` read from a tag,
    /// `Some(None)` when no tag matched (the default was taken); `None` when configured.
    pub tag_from: Option<Option<String>>,
    /// Its packages.
    pub packages: Vec<PackageId>,
    /// Its version, when all its declarations agree.
    pub version: Option<Version>,
    /// When its charts' `appVersion` moves.
    pub app_version: crate::config::AppVersion,
}

impl Group {
    /// The tag for `version`.
    pub fn tag_for(&self, version: &Version) -> String {
        self.tag.replace("{version}", &version.to_string())
    }
}

/// What belongs to one group in the tree ([`Model::scope_of`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Its packages' directories, relative to the root; empty when it covers the whole tree.
    pub dirs: Vec<String>,
    /// Its changelog, relative to the root.
    pub changelog: String,
}

/// The longest directory every one of `dirs` is in (`""` for the root).
fn common_dir(dirs: &[&str]) -> String {
    let Some(first) = dirs.first() else { return String::new() };
    let mut common: Vec<&str> = first.split('/').collect();
    for dir in &dirs[1..] {
        let n = common.iter().zip(dir.split('/')).take_while(|(a, b)| **a == *b).count();
        common.truncate(n);
    }
    common.join("/")
}

/// Something in the repository that stops a bump, or that `versions --check` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file it is about.
    pub path: String,
    /// The 1-based line.
    pub line: Option<usize>,
    /// The group it concerns, when it concerns one.
    pub group: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The repository as monorel understands it.
#[derive(Debug, Clone)]
pub struct Model {
    /// Every package found, sorted by name.
    pub packages: Vec<Package>,
    /// Every version site, sorted by path and line.
    pub sites: Vec<SiteRecord>,
    /// The groups.
    pub groups: Vec<Group>,
    /// Everything that is wrong and stops a bump (of its group, or of every group).
    pub problems: Vec<Problem>,
    /// What is wrong in packages no group releases: reported, blocking nothing.
    pub warnings: Vec<Problem>,
}

impl Model {
    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// What belongs to `group` in the tree: its packages' directories, and its changelog (in the
    /// directory they share; `CHANGELOG-{name}.md` at the root when they share none). A group
    /// with a package at the root, or the only group, covers the whole tree and has
    /// `root_changelog`.
    pub fn scope_of(&self, group: &Group, root_changelog: &str) -> Scope {
        let mut dirs: Vec<&str> = self
            .packages
            .iter()
            .filter(|p| group.packages.contains(&p.id))
            .map(|p| p.dir.trim_end_matches('/'))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        if self.groups.len() <= 1 || dirs.iter().any(|d| d.is_empty()) {
            return Scope { dirs: Vec::new(), changelog: root_changelog.to_string() };
        }
        let common = common_dir(&dirs);
        let changelog = if common.is_empty() {
            format!("CHANGELOG-{}.md", group.name)
        } else {
            format!("{common}/CHANGELOG.md")
        };
        Scope { dirs: dirs.iter().map(|d| d.to_string()).collect(), changelog }
    }

    /// The problems that stop group `name`: its own, and those of no group in particular.
    pub fn problems_of(&self, name: &str) -> Vec<Problem> {
        self.problems
            .iter()
            .filter(|p| p.group.as_deref().is_none_or(|g| g == name))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_directories() {
        let check = |dirs: &[&str], expected: &str| {
            assert_eq!(common_dir(dirs), expected, "{dirs:?}");
        };
        check(&["sdk"], "sdk");
        check(&["sdk/python", "sdk/rust"], "sdk");
        check(&["sdk", "sdkx"], "");
        check(&["crates/a", "charts/a"], "");
        check(&[], "");
    }
}
