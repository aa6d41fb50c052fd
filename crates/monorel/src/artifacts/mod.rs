//! `verify-artifacts`: proving that every built artifact carries the released version.
//!
//! Three phases, as everywhere in monorel:
//! 1. **Load** ([`load`]): find the artifacts in the locations, read each one once, streaming,
//!    within [`Limits`] (`archive`), into a [`Listing`]: members with their sizes and SHA-256,
//!    the small texts the checks need, and the problems found. Checksum files and the changelog
//!    are read too. Artifacts are read in parallel; nothing is extracted or written.
//! 2. **Check** ([`check`], no IO): `loaded + release version -> Report`. One module per
//!    kind (`wheel`, `sdist`, `cargo_crate`, `chart`) turns a listing into checks; `evidence`
//!    compares versions and names; `checksums` and `release` do the cross-checks.
//! 3. **Apply**: only `--write-checksums` writes, and the CLI does it from
//!    [`checksums::plan_sums`] through [`crate::apply`].
//!
//! The report is plain data: the CLI renders it as text, JSON or GitHub annotations, and may
//! add the results of its `--install-check` to it (see [`wheel::InstallPlan`]).

mod archive;
mod cargo_crate;
mod chart;
pub mod checksums;
mod evidence;
pub mod release;
mod sdist;
pub mod wheel;

use std::{
    fmt, fs, io,
    path::{Path, PathBuf},
};

pub use archive::{Limits, Listing, Member, Problem, ProblemKind};

use crate::version::Version;

/// The kinds of artifact monorel reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A Python wheel (`.whl`, a zip).
    Wheel,
    /// A Python source distribution (`.tar.gz`).
    Sdist,
    /// A packaged Rust crate (`.crate`, a `.tar.gz`).
    Crate,
    /// A packaged Helm chart (`.tgz`).
    Chart,
    /// A `SHA256SUMS` file or a `*.sha256` file.
    Checksums,
}

impl Kind {
    /// Every kind, in the order they are documented.
    pub const ALL: [Kind; 5] =
        [Kind::Wheel, Kind::Sdist, Kind::Crate, Kind::Chart, Kind::Checksums];

    /// The kind's name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Wheel => "wheel",
            Kind::Sdist => "sdist",
            Kind::Crate => "crate",
            Kind::Chart => "chart",
            Kind::Checksums => "checksums",
        }
    }

    /// Tells the kind from a file name: `.whl`, `.tar.gz`, `.crate`, `.tgz`, `SHA256SUMS`,
    /// `.sha256`. Other files are not artifacts.
    pub fn from_file_name(name: &str) -> Option<Kind> {
        if name.starts_with('.') {
            return None;
        }
        Some(if name.ends_with(".whl") {
            Kind::Wheel
        } else if name.ends_with(".tar.gz") {
            Kind::Sdist
        } else if name.ends_with(".crate") {
            Kind::Crate
        } else if name.ends_with(".tgz") {
            Kind::Chart
        } else if name == checksums::SUMS || name.ends_with(".sha256") {
            Kind::Checksums
        } else {
            return None;
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.into_iter().filter(|k| *k != Kind::Checksums).find(|k| k.name() == s).ok_or_else(
            || format!("unknown artifact kind `{s}`; expected one of: wheel, sdist, crate, chart"),
        )
    }
}

/// An artifact the release must have: a kind and the project's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The kind.
    pub kind: Kind,
    /// The project (Python distribution, crate or chart) name.
    pub name: String,
}

/// Whether a chart's `appVersion` is the release's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppVersion {
    /// `appVersion` names the image built in this release: when it is a version, it must be
    /// the release's.
    #[default]
    Tracks,
    /// `appVersion` names something released apart (a third-party image): not checked.
    Independent,
}

/// What to verify.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Files and directories holding the artifacts (directories are not searched recursively).
    pub locations: Vec<PathBuf>,
    /// Artifacts that must be present, by kind and name.
    pub expected: Vec<Expected>,
    /// Who says what the release version is (`--version`, the tag at HEAD, the version sites).
    pub claims: Vec<release::Claim>,
    /// The changelog, when the repository has one: its path, and its name in messages (relative
    /// to the repository's root).
    pub changelog: Option<(PathBuf, String)>,
    /// Whether `SHA256SUMS` is to be (re)written rather than verified.
    pub write_checksums: bool,
    /// The chart `appVersion` policy.
    pub app_version: AppVersion,
    /// The bounds archives are read within.
    pub limits: Limits,
}

/// Why verification could not start (a failing artifact is a [`Report`] entry, not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No location held an artifact.
    #[error("no artifacts found in {}", looked_in(.0))]
    NoArtifacts(Vec<PathBuf>),
    /// A location given could not be read.
    #[error("cannot read `{}`: {source}", .path.display())]
    Io {
        /// The location.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file given is not of a kind monorel reads.
    #[error(
        "cannot tell the kind of `{}` from its name: expected `.whl`, `.tar.gz`, `.crate`, `.tgz`, `SHA256SUMS` or `.sha256`",
        .0.display()
    )]
    UnknownKind(PathBuf),
    /// Nobody says what the release version is.
    #[error("cannot tell which version is being released")]
    NoVersion,
}

fn looked_in(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    shown.join(", ")
}

/// One artifact or checksum file found in a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its path (the location joined with the file name).
    pub path: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// Its size in bytes.
    pub size: u64,
}

/// What [`load`] read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The artifacts, in path order, each with what was read from it (or why it could not be).
    pub artifacts: Vec<(Found, Result<Listing, String>)>,
    /// The checksum files and their text (or why they could not be read).
    pub checksum_files: Vec<(Found, Result<String, String>)>,
    /// The changelog's name in messages and its text, when there is one.
    pub changelog: Option<(String, String)>,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; what was found.
    Pass(String),
    /// Not a failure, but worth reading (a check that does not apply, and why).
    Note(String),
    /// Failed.
    Fail(Failure),
}

/// Why a check failed, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The archive member concerned, when there is one.
    pub entry: Option<String>,
    /// What is wrong: lowercase, no trailing period, values in backticks.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Failure {
    /// A failure about `entry` (when given).
    pub fn new(
        entry: Option<&str>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Failure {
        Failure { entry: entry.map(str::to_string), message: message.into(), help: help.into() }
    }
}

/// One line of the report: a named check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked (`METADATA`, `RECORD`, `checksum`, `install`...).
    pub check: String,
    /// How it went.
    pub outcome: Outcome,
}

impl Check {
    /// A passing check.
    pub fn pass(check: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { check: check.into(), outcome: Outcome::Pass(detail.into()) }
    }

    /// A note.
    pub fn note(check: impl Into<String>, detail: impl Into<String>) -> Check {
        Check { check: check.into(), outcome: Outcome::Note(detail.into()) }
    }

    /// A failing check.
    pub fn fail(check: impl Into<String>, failure: Failure) -> Check {
        Check { check: check.into(), outcome: Outcome::Fail(failure) }
    }

    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Fail(_))
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Pass(detail) => write!(f, "ok {}: {detail}", self.check),
            Outcome::Note(detail) => write!(f, "note {}: {detail}", self.check),
            Outcome::Fail(failure) => {
                write!(f, "FAIL {}: ", self.check)?;
                if let Some(entry) = &failure.entry {
                    write!(f, "`{entry}`: ")?;
                }
                write!(f, "{} (help: {})", failure.message, failure.help)
            }
        }
    }
}

/// The checks of one artifact or checksum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactReport {
    /// The file.
    pub path: PathBuf,
    /// Its kind.
    pub kind: Kind,
    /// The project it is of, as read from inside it (or its file name).
    pub name: Option<String>,
    /// The checks, in the order they were made.
    pub checks: Vec<Check>,
    /// What `--install-check` runs for it (wheels that could be read).
    pub install: Option<wheel::InstallPlan>,
}

impl ArtifactReport {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }
}

/// The whole verification: the release checks, then one entry per artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The release version the artifacts were checked against.
    pub version: Version,
    /// Checks about the release as a whole: who says which version, the changelog, expected
    /// and unexpected artifacts.
    pub release: Vec<Check>,
    /// One entry per artifact and per checksum file, in path order.
    pub artifacts: Vec<ArtifactReport>,
    /// With `write_checksums`: the `SHA256SUMS` to write, per directory (the path and text).
    pub sums_to_write: Vec<(PathBuf, String)>,
}

impl Report {
    /// Whether everything passed.
    pub fn passed(&self) -> bool {
        !self.release.iter().any(Check::failed) && self.artifacts.iter().all(ArtifactReport::passed)
    }
}

/// Finds the artifacts and checksum files in `locations` (files, or directories searched one
/// level deep), sorted by path. Hidden files and other files are left out.
pub fn discover(locations: &[PathBuf]) -> Result<Vec<Found>, Error> {
    let mut found = Vec::new();
    for location in locations {
        let io = |source| Error::Io { path: location.clone(), source };
        let metadata = fs::metadata(location).map_err(io)?;
        if metadata.is_file() {
            let name = location.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let kind =
                Kind::from_file_name(name).ok_or_else(|| Error::UnknownKind(location.clone()))?;
            found.push(Found { path: location.clone(), kind, size: metadata.len() });
            continue;
        }
        for entry in fs::read_dir(location).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
            let Some(kind) = Kind::from_file_name(&name) else { continue };
            // Follows a symlink to its file; anything but a regular file is left out.
            let Ok(metadata) = fs::metadata(entry.path()) else { continue };
            if metadata.is_file() {
                found.push(Found { path: entry.path(), kind, size: metadata.len() });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    if !found.iter().any(|f| f.kind != Kind::Checksums) {
        return Err(Error::NoArtifacts(locations.to_vec()));
    }
    Ok(found)
}

/// Loads everything the checks need (the load phase): reads every artifact once, in parallel,
/// hashing whole files only where a checksum covers them or checksums are to be written.
pub fn load(request: &Request) -> Result<Loaded, Error> {
    let found = discover(&request.locations)?;
    let (sums, artifacts): (Vec<Found>, Vec<Found>) =
        found.into_iter().partition(|f| f.kind == Kind::Checksums);
    let checksum_files: Vec<(Found, Result<String, String>)> = sums
        .into_iter()
        .map(|f| {
            let text = checksums::read_text(&f.path, request.limits.max_text_bytes);
            (f, text)
        })
        .collect();
    let covered = checksums::covered(&checksum_files);
    let hash = |path: &Path| request.write_checksums || covered.iter().any(|c| c == path);
    let listings = read_all(&artifacts, &request.limits, &hash);
    let changelog = match &request.changelog {
        Some((path, shown)) => match fs::read_to_string(path) {
            Ok(text) => Some((shown.clone(), text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => return Err(Error::Io { path: path.clone(), source }),
        },
        None => None,
    };
    Ok(Loaded {
        artifacts: artifacts.into_iter().zip(listings).collect(),
        checksum_files,
        changelog,
    })
}

/// Reads each artifact, largest first, on as many threads as there are cores.
fn read_all(
    artifacts: &[Found],
    limits: &Limits,
    hash: &(dyn Fn(&Path) -> bool + Sync),
) -> Vec<Result<Listing, String>> {
    let mut order: Vec<usize> = (0..artifacts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(artifacts[i].size));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(vec![None; artifacts.len()]);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(artifacts.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&index) = order.get(at) else { break };
                    let found = &artifacts[index];
                    let listing = read_one(found, limits, hash(&found.path));
                    if let Ok(mut results) = results.lock() {
                        results[index] = Some(listing);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("the artifact was not read".into())))
        .collect()
}

fn read_one(found: &Found, limits: &Limits, hash_file: bool) -> Result<Listing, String> {
    let read = match found.kind {
        Kind::Wheel => archive::read_zip(&found.path, limits, hash_file, &wheel::want),
        Kind::Sdist => archive::read_tar_gz(&found.path, limits, hash_file, &sdist::want),
        Kind::Crate => archive::read_tar_gz(&found.path, limits, hash_file, &cargo_crate::want),
        Kind::Chart => archive::read_tar_gz(&found.path, limits, hash_file, &chart::want),
        Kind::Checksums => return Err("a checksum file is not an archive".into()),
    };
    read.map_err(|e| format!("cannot read the file: {e}"))
}

/// The check phase: everything [`load`] read, against the release version. Pure.
pub fn check(loaded: &Loaded, request: &Request) -> Result<Report, Error> {
    let (version, mut release) = release::decide(&request.claims).ok_or(Error::NoVersion)?;
    let mut artifacts: Vec<ArtifactReport> = loaded
        .artifacts
        .iter()
        .map(|(found, listing)| check_artifact(found, listing, &version, request))
        .collect();
    if let Some((shown, text)) = &loaded.changelog {
        release.push(release::changelog_check(
            shown,
            text,
            &version,
            release::is_tagged(&request.claims),
        ));
    }
    release.extend(release::wrong_flag(&mut artifacts, &request.claims, &version));
    release.extend(release::presence_checks(&artifacts, &request.expected, &version));
    if request.write_checksums {
        for (found, _) in &loaded.checksum_files {
            let note = match found.path.file_name().and_then(|n| n.to_str()) {
                Some(checksums::SUMS) => "rewritten by `--write-checksums`, not verified",
                _ => "not verified: `--write-checksums` writes `SHA256SUMS`",
            };
            artifacts.push(ArtifactReport {
                path: found.path.clone(),
                kind: Kind::Checksums,
                name: None,
                checks: vec![Check::note("checksum", note)],
                install: None,
            });
        }
    } else {
        let hashes: Vec<(&Path, Option<[u8; 32]>)> = loaded
            .artifacts
            .iter()
            .map(|(f, l)| (f.path.as_path(), l.as_ref().ok().and_then(|l| l.file_sha256)))
            .collect();
        let sums = checksums::check(&loaded.checksum_files, &hashes);
        for (path, check) in sums.per_artifact {
            if let Some(report) = artifacts.iter_mut().find(|a| a.path == path) {
                report.checks.push(check);
            }
        }
        artifacts.extend(sums.files);
    }
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    let sums_to_write = if request.write_checksums { plan_sums(loaded) } else { Vec::new() };
    Ok(Report { version, release, artifacts, sums_to_write })
}

/// The `SHA256SUMS` of each directory holding artifacts, from the digests the load computed.
fn plan_sums(loaded: &Loaded) -> Vec<(PathBuf, String)> {
    let mut by_dir: std::collections::BTreeMap<PathBuf, Vec<(String, [u8; 32])>> =
        std::collections::BTreeMap::new();
    for (found, listing) in &loaded.artifacts {
        let (Some(dir), Some(name)) = (found.path.parent(), found.path.file_name()) else {
            continue;
        };
        if let Some(digest) = listing.as_ref().ok().and_then(|l| l.file_sha256) {
            let files = by_dir.entry(dir.join(checksums::SUMS)).or_default();
            files.push((name.to_string_lossy().into_owned(), digest));
        }
    }
    by_dir.into_iter().map(|(path, files)| (path, checksums::sums_text(&files))).collect()
}

/// Loads and checks: the whole verification but `--install-check` and writing.
pub fn verify(request: &Request) -> Result<Report, Error> {
    let loaded = load(request)?;
    check(&loaded, request)
}

fn check_artifact(
    found: &Found,
    listing: &Result<Listing, String>,
    version: &Version,
    request: &Request,
) -> ArtifactReport {
    let file_name = found.path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    let mut report = ArtifactReport {
        path: found.path.clone(),
        kind: found.kind,
        name: None,
        checks: Vec::new(),
        install: None,
    };
    let listing = match listing {
        Ok(listing) => listing,
        Err(message) => {
            report.checks.push(Check::fail(
                "archive",
                Failure::new(None, message.clone(), "check the file's permissions, or rebuild it"),
            ));
            return report;
        }
    };
    report.checks.extend(problem_checks(listing));
    if listing.incomplete {
        return report;
    }
    match found.kind {
        Kind::Wheel => wheel::check(&file_name, listing, version, &mut report),
        Kind::Sdist => sdist::check(&file_name, listing, version, &mut report),
        Kind::Crate => cargo_crate::check(&file_name, listing, version, &mut report),
        Kind::Chart => chart::check(&file_name, listing, version, request.app_version, &mut report),
        Kind::Checksums => {}
    }
    report
}

/// One failing `archive` check per problem, or one passing check.
fn problem_checks(listing: &Listing) -> Vec<Check> {
    if listing.problems.is_empty() {
        let files = listing.members.iter().filter(|m| !m.dir).count();
        return vec![Check::pass("archive", format!("{files} files, no unsafe entries"))];
    }
    listing
        .problems
        .iter()
        .map(|p| {
            let help = match p.kind {
                ProblemKind::Corrupt => "rebuild the artifact; if it was downloaded, download it again",
                ProblemKind::Traversal
                | ProblemKind::BadName
                | ProblemKind::Link
                | ProblemKind::Special
                | ProblemKind::Overlap => {
                    "do not publish it: a build tool does not write such entries; rebuild it from a clean tree"
                }
                ProblemKind::Duplicate => "rebuild the artifact: a clean build writes each name once",
                ProblemKind::Oversized | ProblemKind::Bomb | ProblemKind::TooManyEntries => {
                    "do not publish it; if it is genuine, it is larger than monorel reads: split it"
                }
                ProblemKind::Unsupported => "rebuild it with a standard build tool",
            };
            Check::fail("archive", Failure::new(p.entry.as_deref(), p.message.clone(), help))
        })
        .collect()
}

/// Finds the top directory `prefix/` every member of a tar-based artifact lives under, or says
/// which member does not.
pub(crate) fn single_top_directory(
    listing: &Listing,
    layout: &str,
    help: &str,
) -> Result<String, Check> {
    top_directory(listing).map_err(|message| {
        Check::fail("top directory", Failure::new(None, format!("{layout}: {message}"), help))
    })
}

fn top_directory(listing: &Listing) -> Result<String, String> {
    let mut top: Option<&str> = None;
    for member in &listing.members {
        let first = member.name.split('/').next().unwrap_or("");
        let nested = member.dir || member.name.contains('/');
        match top {
            _ if !nested => {
                return Err(format!("`{}` is not inside a top directory", member.name));
            }
            None => top = Some(first),
            Some(t) if t != first => {
                return Err(format!("`{}` and `{}` are two top directories", t, first));
            }
            Some(_) => {}
        }
    }
    top.map(str::to_string).ok_or_else(|| "the archive is empty".to_string())
}

/// Splits `name-version` at the last `-` followed by something that parses as a version.
pub(crate) fn split_name_version(stem: &str, parses: fn(&str) -> bool) -> Option<(&str, &str)> {
    stem.rmatch_indices('-')
        .map(|(i, _)| (&stem[..i], &stem[i + 1..]))
        .find(|(name, version)| !name.is_empty() && parses(version))
}

/// The string at `path` in a TOML document (`["package", "name"]`), when it is one.
pub(crate) fn toml_string(text: &str, path: &[&str]) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let (last, tables) = path.split_last()?;
    let mut table = doc.as_table() as &dyn toml_edit::TableLike;
    for key in tables {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last)?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_top_directory_or_a_check_that_says_why_not() {
        let listing = |names: &[&str]| Listing {
            members: names
                .iter()
                .map(|n| Member {
                    name: n.to_string(),
                    dir: false,
                    size: 0,
                    sha256: None,
                    text: None,
                })
                .collect(),
            ..Listing::default()
        };
        let top = |names: &[&str]| {
            single_top_directory(
                &listing(names),
                "a crate holds one `{name}-{version}/` directory",
                "h",
            )
            .map_err(|check| check.to_string())
        };
        assert_eq!(top(&["a-1.0/Cargo.toml", "a-1.0/src/lib.rs"]), Ok("a-1.0".to_string()));
        assert_eq!(
            top(&["a-1.0/Cargo.toml", "b-1.0/Cargo.toml"]),
            Err("FAIL top directory: a crate holds one `{name}-{version}/` directory: `a-1.0` and `b-1.0` are two top directories (help: h)".to_string())
        );
        assert_eq!(
            top(&["Cargo.toml"]),
            Err("FAIL top directory: a crate holds one `{name}-{version}/` directory: `Cargo.toml` is not inside a top directory (help: h)".to_string())
        );
        assert!(top(&[]).unwrap_err().contains(": the archive is empty (help: h)"));
    }
}
