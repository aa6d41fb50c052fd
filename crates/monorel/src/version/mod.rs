//! The version model: one logical version (SemVer 2.0.0), written in each ecosystem's own spelling.
//!
//! Cargo and Helm take SemVer as it is. Python files take the PEP 440 normal form, so a release
//! `1.5.0-rc.1` is written `1.5.0rc1` there. The mapping is only defined where it is faithful: a
//! SemVer pre-release that PEP 440 would read differently (`-1` is a post-release to PEP 440) or
//! cannot spell (`-nightly.5`) is refused, never approximated.

use std::fmt;

mod release_tuple;

pub use release_tuple::from_release_tuple;
use release_tuple::release_tuple_parts;

pub use semver::Version;

/// Why a version cannot be used where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VersionError {
    /// What is wrong, for a person.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl VersionError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        VersionError { message: message.into(), help: help.into() }
    }
}

/// Parses a version the way a user types it on the command line: SemVer 2.0.0, strictly.
///
/// Near misses get a precise hint: a leading `v`, a PEP 440 spelling (`1.5.0rc1`), or a version
/// with fewer or more than three numbers, which Cargo and Helm reject.
pub fn parse(text: &str) -> Result<Version, VersionError> {
    let text = text.trim();
    if let Ok(v) = Version::parse(text) {
        return Ok(v);
    }
    let message = format!("`{text}` is not a SemVer 2.0.0 version");
    if let Some(rest) = text.strip_prefix('v') {
        if Version::parse(rest).is_ok() {
            return Err(VersionError::new(
                message,
                format!(
                    "write `{rest}`: a leading `v` belongs to tags (a Helm field that has one keeps it)"
                ),
            ));
        }
    }
    if let Ok(pep440) = text.parse::<pep440_rs::Version>() {
        if let Ok(semver) = from_pep440(text) {
            // `01.2.0` is no PEP 440 spelling of its own: PEP 440 drops the zero too.
            let leading_zero = text
                .split(|c: char| !c.is_ascii_digit())
                .any(|n| n.len() > 1 && n.starts_with('0'));
            if leading_zero {
                return Err(VersionError::new(
                    message,
                    format!("SemVer numbers have no leading zeros: write `{semver}`"),
                ));
            }
            if pep440.release().len() == 3 {
                // What Python files really get: the normal form (`1.5.0RC1` -> `1.5.0rc1`).
                let python = to_pep440(&semver).unwrap_or_else(|_| text.to_string());
                return Err(VersionError::new(
                    message,
                    format!(
                        "this is a PEP 440 spelling: write `{semver}`, and Python files get `{python}`"
                    ),
                ));
            }
            return Err(VersionError::new(message, format!("write all three numbers: `{semver}`")));
        }
    }
    Err(VersionError::new(
        message,
        "write MAJOR.MINOR.PATCH with an optional pre-release, e.g. `1.4.0` or `1.4.0-rc.1`",
    ))
}

/// Renders `version` in the PEP 440 normal form, or says why it has none.
///
/// `1.5.0-rc.1` -> `1.5.0rc1`, `1.5.0-alpha` -> `1.5.0a0`, `2.1.0-dev` -> `2.1.0.dev0`.
pub fn to_pep440(version: &Version) -> Result<String, VersionError> {
    let release = format!("{}.{}.{}", version.major, version.minor, version.patch);
    if !version.build.is_empty() {
        return Err(VersionError::new(
            format!(
                "`{version}` has build metadata (`+{}`), which has no public PEP 440 form",
                version.build
            ),
            "drop the build metadata for releases that include Python files (PyPI rejects local versions)",
        ));
    }
    if version.pre.is_empty() {
        return Ok(release);
    }
    let ids: Vec<&str> = version.pre.as_str().split('.').collect();
    let (name, number) = match ids.as_slice() {
        [name] => (*name, Some(0)),
        [name, number] => (*name, number.parse::<u64>().ok().filter(|_| is_numeric_id(number))),
        _ => (ids[0], None),
    };
    let refuse = |why: &str| {
        Err(VersionError::new(
            format!("`{version}` has no faithful PEP 440 form: {why}"),
            "use a pre-release Python understands: `-alpha.N`, `-beta.N`, `-rc.N` or `-dev.N`",
        ))
    };
    if ids.len() > 2 {
        return refuse("PEP 440 has no spelling for three or more pre-release identifiers");
    }
    let Some(number) = number else {
        return refuse("the pre-release number must be a plain integer after a dot, as in `-rc.1`");
    };
    match name {
        "alpha" | "a" => Ok(format!("{release}a{number}")),
        "beta" | "b" => Ok(format!("{release}b{number}")),
        "rc" => Ok(format!("{release}rc{number}")),
        "dev" => Ok(format!("{release}.dev{number}")),
        n if is_numeric_id(n) => refuse(
            "PEP 440 reads a number after `-` as a post-release, which sorts after the release, where SemVer sorts it before",
        ),
        "post" | "r" | "rev" => refuse(
            "PEP 440 reads it as a post-release, which sorts after the release, where SemVer sorts it before",
        ),
        "c" | "pre" | "preview" => refuse(
            "PEP 440 maps it to `rc`, so it could not be told apart from the `-rc` pre-release of the same number",
        ),
        _ => refuse(&format!("PEP 440 has no pre-release named `{name}`")),
    }
}

/// Parses any PEP 440 spelling (`0.12.0-alpha.0`, `1.9.0a1`, `2.1.0.dev0`, `1.0`) back into
/// SemVer, when it has a faithful SemVer form.
pub fn from_pep440(text: &str) -> Result<Version, VersionError> {
    let parsed: pep440_rs::Version = text.trim().parse().map_err(|e| {
        VersionError::new(
            format!("`{text}` is not a PEP 440 version: {e}"),
            "write a version such as `1.4.0`, `1.4.0rc1` or `1.4.0.dev0`",
        )
    })?;
    let no_semver = |why: &str| {
        Err(VersionError::new(
            format!("`{text}` has no SemVer form: {why}"),
            "write MAJOR.MINOR.PATCH with an optional a/b/rc/dev pre-release",
        ))
    };
    if parsed.epoch() != 0 {
        return no_semver("it has an epoch");
    }
    if parsed.post().is_some() {
        return no_semver("it is a post-release");
    }
    // A local label (`1.2.3+cpu`, `1.2.3+ubuntu.1`) is SemVer build metadata: read, never
    // written (it has no public PEP 440 form, so a bump leaves it behind).
    let local = text.trim().split_once('+').map(|(_, local)| local.replace(['_', '-'], "."));
    let release = parsed.release();
    if release.len() > 3 {
        return no_semver("it has more than three release numbers");
    }
    let part = |i: usize| release.get(i).copied().unwrap_or(0);
    let mut version = Version::new(part(0), part(1), part(2));
    let pre = match (parsed.pre(), parsed.dev()) {
        (None, None) => None,
        (Some(pre), None) => {
            let name = match pre.kind {
                pep440_rs::PrereleaseKind::Alpha => "alpha",
                pep440_rs::PrereleaseKind::Beta => "beta",
                pep440_rs::PrereleaseKind::Rc => "rc",
            };
            Some(format!("{name}.{}", pre.number))
        }
        (None, Some(0)) => Some("dev".to_string()),
        (None, Some(n)) => Some(format!("dev.{n}")),
        (Some(_), Some(_)) => return no_semver("it is a development release of a pre-release"),
    };
    if let Some(pre) = pre {
        version.pre =
            semver::Prerelease::new(&pre).expect("a/b/rc/dev identifiers are valid SemVer");
    }
    if let Some(local) = local {
        match semver::BuildMetadata::new(&local.to_ascii_lowercase()) {
            Ok(build) => version.build = build,
            Err(_) => return no_semver("its local version label is no SemVer build metadata"),
        }
    }
    Ok(version)
}

/// Whether a PEP 440 spelling found in a file denotes `version` (PEP 440 equality: `1.0` is
/// `1.0.0`, `0.12.0-alpha.0` is `0.12.0a0`).
pub fn pep440_matches(text: &str, version: &Version) -> bool {
    let Ok(expected) = to_pep440(version) else { return false };
    match (text.trim().parse::<pep440_rs::Version>(), expected.parse::<pep440_rs::Version>()) {
        (Ok(found), Ok(expected)) => found == expected,
        _ => false,
    }
}

/// Whether a SemVer spelling found in a file denotes `version` exactly.
pub fn semver_matches(text: &str, version: &Version) -> bool {
    Version::parse(text.trim()).is_ok_and(|found| &found == version)
}

fn is_numeric_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

/// How a version is spelled at one site of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// SemVer exactly (Cargo manifests and lockfiles).
    Semver,
    /// PEP 440 normal form (Python files); any PEP 440 spelling is recognised.
    Pep440,
    /// SemVer, keeping a leading `v` where the field has one (Helm charts).
    Helm,
    /// Integers of a tuple such as `(3, 2, 1)`: the text between the parentheses.
    IntTuple,
    /// A release tuple as Django writes it, `(6, 1, 0, "alpha", 1)`: three integers, a level
    /// (`alpha`, `beta`, `rc`, `final`) and a serial; `("alpha", 0)` is the development version
    /// (`6.1.0-dev`). The text between the parentheses.
    ReleaseTuple,
}

impl Spelling {
    /// Whether `text`, as written at a site of this spelling, denotes `version`.
    pub fn matches(self, text: &str, version: &Version) -> bool {
        match self {
            Spelling::Semver => semver_matches(text, version),
            Spelling::Pep440 => pep440_matches(text, version),
            Spelling::Helm => {
                let text = text.trim();
                semver_matches(text.strip_prefix('v').unwrap_or(text), version)
            }
            Spelling::IntTuple => {
                let numbers: Vec<&str> =
                    text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
                numbers.len() == 3
                    && numbers.iter().zip([version.major, version.minor, version.patch]).all(
                        |(text, want)| {
                            // A number too large for `u64` is no version's, not zero.
                            let digits = text.trim_start_matches('0');
                            (digits.is_empty() && want == 0)
                                || digits.parse::<u64>().is_ok_and(|n| n == want)
                        },
                    )
            }
            Spelling::ReleaseTuple => from_release_tuple(text).as_ref() == Some(version),
        }
    }

    /// Renders `version` for a site of this spelling whose current text is `current`.
    pub fn render(self, current: &str, version: &Version) -> Result<String, VersionError> {
        match self {
            Spelling::Semver => Ok(version.to_string()),
            Spelling::Pep440 => {
                // A site that writes two release numbers (`26.2`, `26.3.dev0`) keeps two while
                // the patch number is 0, as Python projects write their versions.
                let pep = to_pep440(version)?;
                let written = current.trim().trim_start_matches(['v', 'V']);
                let release_numbers = written
                    .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('.')
                    .split('.')
                    .count();
                let three = format!("{}.{}.0", version.major, version.minor);
                Ok(match pep.strip_prefix(&three) {
                    Some(rest) if release_numbers == 2 && version.patch == 0 => {
                        format!("{}.{}{rest}", version.major, version.minor)
                    }
                    _ => pep,
                })
            }
            Spelling::Helm => {
                let prefix = if current.starts_with('v') { "v" } else { "" };
                Ok(format!("{prefix}{version}"))
            }
            Spelling::IntTuple => {
                // Replace the digit runs in order, keeping the separators as written.
                let mut parts = [version.major, version.minor, version.patch].into_iter();
                let mut out = String::with_capacity(current.len());
                let mut in_digits = false;
                for c in current.chars() {
                    if c.is_ascii_digit() {
                        if !in_digits {
                            out.push_str(&parts.next().unwrap_or(0).to_string());
                        }
                        in_digits = true;
                    } else {
                        in_digits = false;
                        out.push(c);
                    }
                }
                Ok(out)
            }
            Spelling::ReleaseTuple => {
                // The numbers and the level in place, separators and quotes as written.
                let (level, serial) = release_tuple_parts(version)?;
                let parts: Vec<&str> = current.split(',').collect();
                if parts.len() < 5 {
                    return Err(VersionError::new(
                        format!("`{current}` is not a release tuple"),
                        "write `(X, Y, Z, \"final\", 0)`",
                    ));
                }
                let numbers = [version.major, version.minor, version.patch];
                let mut out = Vec::with_capacity(parts.len());
                for (i, part) in parts.iter().enumerate() {
                    let word = part.trim();
                    let lead = &part[..part.len() - part.trim_start().len()];
                    let trail = &part[part.trim_end().len()..];
                    let new = match i {
                        0..=2 => numbers[i].to_string(),
                        3 => {
                            let quote = word.chars().next().unwrap_or('"');
                            format!("{quote}{level}{quote}")
                        }
                        4 => serial.to_string(),
                        _ => word.to_string(),
                    };
                    out.push(format!("{lead}{new}{trail}"));
                }
                Ok(out.join(","))
            }
        }
    }
}

impl fmt::Display for Spelling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Spelling::Semver => "SemVer",
            Spelling::Pep440 => "PEP 440",
            Spelling::Helm => "SemVer (Helm)",
            Spelling::IntTuple => "integer tuple",
            Spelling::ReleaseTuple => "release tuple",
        })
    }
}

/// What a bump asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    /// The next major version (`1.4.2` -> `2.0.0`; `2.0.0-rc.1` -> `2.0.0`).
    Major,
    /// The next minor version (`1.4.2` -> `1.5.0`; `1.5.0-rc.1` -> `1.5.0`).
    Minor,
    /// The next patch version (`1.4.2` -> `1.4.3`; `1.4.3-rc.1` -> `1.4.3`).
    Patch,
    /// The next pre-release of this kind (`1.3.0-rc.1` -> `1.3.0-rc.2`; from a release, of the
    /// next patch version: `1.2.3` -> `1.2.4-rc.1`).
    Pre(PreKind),
    /// The release a pre-release leads to (`1.3.0-rc.2` -> `1.3.0`).
    Release,
    /// Exactly this version.
    Exact(Version),
}

/// The kinds of pre-release monorel computes, lowest first. Each has a PEP 440 spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    /// `-dev`, `-dev.N` (PEP 440 `.devN`): the next development version.
    Dev,
    /// `-alpha.N` (PEP 440 `aN`).
    Alpha,
    /// `-beta.N` (PEP 440 `bN`).
    Beta,
    /// `-rc.N` (PEP 440 `rcN`).
    Rc,
}

impl PreKind {
    /// The identifier as written in SemVer.
    pub fn name(self) -> &'static str {
        match self {
            PreKind::Dev => "dev",
            PreKind::Alpha => "alpha",
            PreKind::Beta => "beta",
            PreKind::Rc => "rc",
        }
    }

    /// Reads `alpha`, `beta`, `rc` or `dev` (and the short `a`, `b`).
    pub fn parse(text: &str) -> Option<PreKind> {
        Some(match text {
            "dev" => PreKind::Dev,
            "alpha" | "a" => PreKind::Alpha,
            "beta" | "b" => PreKind::Beta,
            "rc" => PreKind::Rc,
            _ => return None,
        })
    }

    /// The kind and number of `version`'s pre-release, when it is one monorel computes.
    fn of(version: &Version) -> Option<(PreKind, u64)> {
        let mut ids = version.pre.as_str().split('.');
        let kind = PreKind::parse(ids.next()?)?;
        let number = match (ids.next(), ids.next()) {
            (None, _) => 0,
            (Some(n), None) if is_numeric_id(n) => n.parse().ok()?,
            _ => return None,
        };
        Some((kind, number))
    }
}

/// `X.Y` in plain numbers.
fn two_numbers(text: &str) -> Option<(u64, u64)> {
    let (major, minor) = text.split_once('.')?;
    let number = |s: &str| {
        (!s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0')))
        .then(|| s.parse().ok())
        .flatten()
    };
    Some((number(major)?, number(minor)?))
}

impl Level {
    /// Reads a bump level as typed: `major`, `minor`, `patch`, `release`, `alpha`, `beta`,
    /// `rc`, `dev`, or an exact SemVer version.
    pub fn parse(text: &str) -> Result<Level, VersionError> {
        Ok(match text {
            "major" => Level::Major,
            "minor" => Level::Minor,
            "patch" => Level::Patch,
            "release" => Level::Release,
            other => match PreKind::parse(other) {
                Some(kind) => Level::Pre(kind),
                // `26.3`, as Python projects write a version with no patch number.
                None if two_numbers(other).is_some() => {
                    let (major, minor) = two_numbers(other).expect("just checked");
                    Level::Exact(Version::new(major, minor, 0))
                }
                None if other.starts_with(|c: char| c.is_ascii_digit() || c == 'v') => {
                    Level::Exact(parse(other)?)
                }
                None => {
                    return Err(VersionError::new(
                        format!("`{other}` is not a bump level"),
                        "use major, minor, patch, release, alpha, beta, rc, dev, or a version such as `1.4.0`",
                    ));
                }
            },
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Level::Major => f.write_str("major"),
            Level::Minor => f.write_str("minor"),
            Level::Patch => f.write_str("patch"),
            Level::Pre(kind) => f.write_str(kind.name()),
            Level::Release => f.write_str("release"),
            Level::Exact(v) => v.fmt(f),
        }
    }
}

/// Computes the version a bump leads to from `current`. `pre` turns a major, minor or patch
/// bump into the first pre-release of that version (`minor` + `rc` from `1.2.3` is `1.3.0-rc.1`).
pub fn bump(
    current: &Version,
    level: &Level,
    pre: Option<PreKind>,
) -> Result<Version, VersionError> {
    let release_of = |v: &Version| Version::new(v.major, v.minor, v.patch);
    let is_pre = !current.pre.is_empty();
    let target = match level {
        Level::Major if is_pre && current.minor == 0 && current.patch == 0 => release_of(current),
        Level::Major => Version::new(current.major + 1, 0, 0),
        Level::Minor if is_pre && current.patch == 0 => release_of(current),
        Level::Minor => Version::new(current.major, current.minor + 1, 0),
        Level::Patch if is_pre => release_of(current),
        Level::Patch => Version::new(current.major, current.minor, current.patch + 1),
        Level::Release if is_pre => return Ok(release_of(current)),
        Level::Release => {
            return Err(VersionError::new(
                format!("`{current}` is already a release"),
                "`release` finishes a pre-release; for a new version use major, minor or patch",
            ));
        }
        Level::Exact(v) => {
            // A bug-fix release of an earlier series, cut where the version is already the
            // next series' development version (`26.3.dev0` -> `26.2.1`).
            let earlier_fix =
                is_pre && v.pre.is_empty() && (v.major, v.minor) < (current.major, current.minor);
            if v <= current && !earlier_fix {
                return Err(VersionError::new(
                    format!("`{v}` is not greater than the current version `{current}`"),
                    "choose a version that sorts after the current one",
                ));
            }
            return Ok(v.clone());
        }
        Level::Pre(kind) => {
            return match PreKind::of(current) {
                Some((k, n)) if k == *kind => Ok(with_pre(release_of(current), *kind, n + 1)),
                Some((k, _)) if k < *kind => Ok(first(release_of(current), *kind)),
                Some((k, _)) => Err(VersionError::new(
                    format!(
                        "`{current}` is a {} pre-release; a {} would sort before it",
                        k.name(),
                        kind.name()
                    ),
                    format!("continue with `{}`, or `release`", k.name()),
                )),
                None if is_pre => Err(VersionError::new(
                    format!(
                        "`{current}` has a pre-release monorel does not compute (`-{}`)",
                        current.pre
                    ),
                    "give the next version explicitly, e.g. `1.4.0-rc.1`",
                )),
                None => {
                    let next = Version::new(current.major, current.minor, current.patch + 1);
                    Ok(first(next, *kind))
                }
            };
        }
    };
    Ok(match pre {
        Some(kind) => first(target, kind),
        None => target,
    })
}

/// The first pre-release of a kind: `-dev` (PEP 440 `.dev0`), else `-alpha.1`, `-beta.1`, `-rc.1`.
fn first(version: Version, kind: PreKind) -> Version {
    with_pre(version, kind, if kind == PreKind::Dev { 0 } else { 1 })
}

fn with_pre(mut version: Version, kind: PreKind, number: u64) -> Version {
    let pre = match (kind, number) {
        (PreKind::Dev, 0) => "dev".to_string(),
        (kind, n) => format!("{}.{n}", kind.name()),
    };
    version.pre = semver::Prerelease::new(&pre).expect("valid identifiers");
    version
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_pep440(semver: &str, expected: &str) {
        let v = Version::parse(semver).unwrap();
        let actual = match to_pep440(&v) {
            Ok(s) => s,
            Err(e) => format!("refused: {}", e.message),
        };
        assert_eq!(actual, expected, "{semver}");
    }

    #[test]
    fn semver_to_pep440() {
        check_pep440("1.5.0", "1.5.0");
        check_pep440("1.5.0-rc.1", "1.5.0rc1");
        check_pep440("1.5.0-alpha.2", "1.5.0a2");
        check_pep440("1.5.0-a.2", "1.5.0a2");
        check_pep440("1.5.0-alpha", "1.5.0a0");
        check_pep440("1.5.0-beta.1", "1.5.0b1");
        check_pep440("1.5.0-b.1", "1.5.0b1");
        check_pep440("2.1.0-dev", "2.1.0.dev0");
        check_pep440("2.1.0-dev.3", "2.1.0.dev3");
        for refused in [
            "1.0.0-1",
            "1.0.0-post.1",
            "1.0.0-r.1",
            "1.0.0-rev.1",
            "1.0.0-nightly.5",
            "1.0.0-SNAPSHOT",
            "1.0.0-preview.1",
            "1.0.0-pre.1",
            "1.0.0-c.1",
            "1.0.0-alpha.1.2",
            "1.0.0-rc1",
            "1.0.0+build.7",
        ] {
            let v = Version::parse(refused).unwrap();
            assert!(to_pep440(&v).is_err(), "{refused} should be refused");
        }
    }

    #[test]
    fn pep440_round_trips() {
        for (pep, semver) in [
            ("1.5.0", "1.5.0"),
            ("1.5.0rc1", "1.5.0-rc.1"),
            ("1.5.0-rc.1", "1.5.0-rc.1"),
            ("0.12.0-alpha.0", "0.12.0-alpha.0"),
            ("1.9.0a1", "1.9.0-alpha.1"),
            ("2.1.0.dev0", "2.1.0-dev"),
            ("2.1.0.dev4", "2.1.0-dev.4"),
            ("1.0", "1.0.0"),
            ("5.0.0b3", "5.0.0-beta.3"),
        ] {
            assert_eq!(from_pep440(pep).unwrap().to_string(), semver, "{pep}");
            assert!(pep440_matches(pep, &Version::parse(semver).unwrap()), "{pep} = {semver}");
        }
        for refused in ["1!1.0.0", "1.0.0.post1", "1.2.3.4", "1.0a1.dev1", "nope"] {
            assert!(from_pep440(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn user_versions() {
        assert_eq!(parse("1.4.0").unwrap().to_string(), "1.4.0");
        assert!(parse("1.4.0rc2").unwrap_err().help.contains("`1.4.0-rc.2`"));
        assert!(parse("v1.4.0").unwrap_err().help.contains("`1.4.0`"));
        assert!(parse("1.3").unwrap_err().help.contains("`1.3.0`"));
        assert!(parse("1.3.0.1").is_err());
        assert!(parse("01.3.0").is_err());
    }

    #[test]
    fn spellings() {
        let v = Version::parse("3.2.1").unwrap();
        assert!(Spelling::Helm.matches("v3.2.1", &v));
        assert!(Spelling::IntTuple.matches("3, 2, 1", &v));
        assert!(!Spelling::IntTuple.matches("3, 2", &v));
        let next = Version::parse("3.10.0").unwrap();
        assert_eq!(Spelling::IntTuple.render("3,  2, 1", &next).unwrap(), "3,  10, 0");
        assert_eq!(Spelling::Helm.render("v3.2.1", &next).unwrap(), "v3.10.0");
        assert_eq!(Spelling::Helm.render("3.2.1", &next).unwrap(), "3.10.0");
    }

    fn check_bump(current: &str, level: &str, pre: Option<&str>, expected: &str) {
        let current = Version::parse(current).unwrap();
        let level = Level::parse(level).unwrap();
        let pre = pre.map(|p| PreKind::parse(p).unwrap());
        let actual = match bump(&current, &level, pre) {
            Ok(v) => v.to_string(),
            Err(e) => format!("refused: {}", e.message),
        };
        assert_eq!(actual, expected, "{current} {level:?} {pre:?}");
    }

    #[test]
    fn bump_arithmetic() {
        check_bump("1.2.3", "major", None, "2.0.0");
        check_bump("1.2.3", "minor", None, "1.3.0");
        check_bump("1.2.3", "patch", None, "1.2.4");
        check_bump("0.9.9", "minor", None, "0.10.0");
        check_bump("1.2.3", "minor", Some("rc"), "1.3.0-rc.1");
        check_bump("1.2.3", "major", Some("alpha"), "2.0.0-alpha.1");
        check_bump("1.3.0-rc.1", "rc", None, "1.3.0-rc.2");
        check_bump("1.3.0-alpha.4", "beta", None, "1.3.0-beta.1");
        check_bump("1.3.0-rc.2", "release", None, "1.3.0");
        check_bump("1.3.0-rc.2", "minor", None, "1.3.0");
        check_bump("1.3.1-rc.2", "minor", None, "1.4.0");
        check_bump("2.0.0-rc.1", "major", None, "2.0.0");
        check_bump("1.3.0-rc.1", "patch", None, "1.3.0");
        check_bump("1.2.3", "rc", None, "1.2.4-rc.1");
        check_bump("1.3.0", "minor", Some("dev"), "1.4.0-dev");
        check_bump("1.4.0-dev", "dev", None, "1.4.0-dev.1");
        check_bump("1.4.0-dev.1", "dev", None, "1.4.0-dev.2");
        check_bump("1.4.0-dev", "alpha", None, "1.4.0-alpha.1");
        check_bump("1.2.3", "1.5.0", None, "1.5.0");
        check_bump(
            "1.2.3",
            "1.2.3",
            None,
            "refused: `1.2.3` is not greater than the current version `1.2.3`",
        );
        check_bump("1.2.3", "release", None, "refused: `1.2.3` is already a release");
        check_bump(
            "1.3.0-rc.1",
            "alpha",
            None,
            "refused: `1.3.0-rc.1` is a rc pre-release; a alpha would sort before it",
        );
        check_bump(
            "1.3.0-nightly.1",
            "rc",
            None,
            "refused: `1.3.0-nightly.1` has a pre-release monorel does not compute (`-nightly.1`)",
        );
        assert!(Level::parse("minro").unwrap_err().message.contains("`minro`"));
        // Two numbers, as Python projects write them.
        check_bump("26.2.0", "26.3", None, "26.3.0");
        assert!(Level::parse("26.03").is_err());
        assert!(Level::parse("26.3rc1").is_err());
        // A fix of an earlier series, cut where the next series is in development (pip).
        check_bump("26.3.0-dev.0", "26.2.1", None, "26.2.1");
        check_bump(
            "26.3.0",
            "26.2.1",
            None,
            "refused: `26.2.1` is not greater than the current version `26.3.0`",
        );
        check_bump(
            "26.3.0-dev.0",
            "26.2.1-rc.1",
            None,
            "refused: `26.2.1-rc.1` is not greater than the current version `26.3.0-dev.0`",
        );
    }

    #[test]
    fn local_labels_are_read_as_build_metadata() {
        assert_eq!(from_pep440("1.2.3+cpu").unwrap().to_string(), "1.2.3+cpu");
        assert_eq!(from_pep440("2.0+ubuntu-1").unwrap().to_string(), "2.0.0+ubuntu.1");
        assert!(to_pep440(&from_pep440("1.2.3+cpu").unwrap()).is_err(), "never written");
    }

    #[test]
    fn two_release_numbers_stay_two() {
        let render = |current: &str, v: &str| {
            Spelling::Pep440.render(current, &Version::parse(v).unwrap()).unwrap()
        };
        assert_eq!(render("26.2.dev0", "26.2.0"), "26.2");
        assert_eq!(render("26.2", "26.3.0-dev.0"), "26.3.dev0");
        assert_eq!(render("26.2", "26.2.1"), "26.2.1");
        assert_eq!(render("26.2.0", "26.3.0"), "26.3.0");
        assert_eq!(render("v1.2", "1.3.0"), "1.3");
    }
}
