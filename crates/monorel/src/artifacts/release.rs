//! Checks about the release as a whole. Pure.
//!
//! - Which version is released: `--version`, the release tag at HEAD, the repository's version
//!   sites. Each source that exists is a [`Claim`]; they must agree, so a tag that disagrees with
//!   the files is itself a failure.
//! - The changelog has a dated section for the version.
//! - Every expected artifact is there, and nothing else is (a stale wheel of another version).

use super::{ArtifactReport, Check, Expected, Failure, Kind, Outcome, evidence};
use crate::{dates, version::Version};

/// The name of the check a stale artifact fails (see `evidence::version_checks`).
pub(crate) const STALE: &str = "version";

/// Where a claimed release version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--version` on the command line.
    Flag,
    /// A release tag pointing at HEAD (its name).
    Tag(String),
    /// The repository's version sites (a description of them, for people).
    Sites(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("`--version`"),
            Source::Tag(tag) => write!(f, "tag `{tag}` at HEAD"),
            Source::Sites(what) => f.write_str(what),
        }
    }
}

/// One source's word on the release version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Who says it.
    pub source: Source,
    /// What it says.
    pub version: Version,
}

/// The release tags among `tags` (`v` and a SemVer version), as claims.
pub fn tag_claims(tags: &[String]) -> Vec<Claim> {
    tags.iter()
        .filter_map(|tag| {
            let version = Version::parse(tag.strip_prefix('v')?).ok()?;
            Some(Claim { source: Source::Tag(tag.clone()), version })
        })
        .collect()
}

/// Whether a release tag is among the claims: HEAD is a release, not a build between releases.
pub fn is_tagged(claims: &[Claim]) -> bool {
    claims.iter().any(|c| matches!(c.source, Source::Tag(_)))
}

/// The release version (the first claim's: `--version` first) and the check that all claims
/// agree; `None` when there is no claim.
pub fn decide(claims: &[Claim]) -> Option<(Version, Vec<Check>)> {
    let first = claims.first()?;
    let version = first.version.clone();
    let disagree: Vec<&Claim> = claims.iter().filter(|c| c.version != version).collect();
    let sources: Vec<String> = claims.iter().map(|c| c.source.to_string()).collect();
    let check = if disagree.is_empty() {
        Check::pass("release version", format!("`{version}` from {}", sources.join(", ")))
    } else {
        let said: Vec<String> =
            claims.iter().map(|c| format!("{} says `{}`", c.source, c.version)).collect();
        let help = if claims.iter().any(|c| matches!(c.source, Source::Tag(_))) {
            "a release tag that disagrees with the files is a release of the wrong commit: fix the tag or the version files before publishing"
        } else {
            "make them agree: pass the version the files hold, or bump the files first"
        };
        Check::fail(
            "release version",
            Failure::new(None, format!("the sources disagree: {}", said.join(", ")), help),
        )
    };
    Some((version, vec![check]))
}

/// The changelog has a dated section for `version`: a heading such as
/// `## [1.2.0] - 2024-05-01`, `## v1.2.0 (2024-05-01)`, `# 1.2.0 (May 1st, 2024)`, or
/// `1.2.0 (2024-05-01)` over a `---` underline.
///
/// A build between releases (no release tag at HEAD) need not have one yet: then a missing
/// section is a note.
pub fn changelog_check(shown: &str, text: &str, version: &Version, tagged: bool) -> Check {
    let version_text = version.to_string();
    let mut undated = None;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        // An ATX heading, or a setext (reStructuredText) one: a line over `---` or `===`.
        let underlined = lines.get(index + 1).is_some_and(|next| {
            let next = next.trim_end();
            next.len() >= 3 && (next.bytes().all(|b| b == b'-') || next.bytes().all(|b| b == b'='))
        });
        let heading = trimmed.starts_with('#') || (underlined && !trimmed.is_empty());
        if !heading || !names_version(trimmed, &version_text) {
            continue;
        }
        if let Some(date) = find_date(trimmed) {
            return Check::pass(
                "changelog",
                format!("`{shown}:{}` has the section for `{version}` dated {date}", index + 1),
            );
        }
        undated.get_or_insert(index + 1);
    }
    let (message, help) = match undated {
        Some(line) => (
            format!("`{shown}:{line}` has a section for `{version}`, without a date"),
            format!("date it as released: `## [{version}] - YYYY-MM-DD`"),
        ),
        None => (
            format!("`{shown}` has no section for `{version}`"),
            format!(
                "move the `[Unreleased]` entries under `## [{version}] - YYYY-MM-DD` before releasing"
            ),
        ),
    };
    if tagged {
        Check::fail("changelog", Failure::new(None, message, help))
    } else {
        Check::note(
            "changelog",
            format!("{message}: not required for a build without a release tag at HEAD"),
        )
    }
}

/// Whether a heading names `version` as a whole token (`[1.2.0]`, `v1.2.0`), not a part of
/// `11.2.0` or `1.2.0-rc.1`.
fn names_version(line: &str, version: &str) -> bool {
    line.match_indices(version).any(|(at, _)| {
        let mut before = line[..at].chars().rev();
        let after = line[at + version.len()..].chars().next();
        let before_ok = match before.next() {
            None => true,
            // `v1.2.0`, `pkg-v1.2.0`, but not `dev1.2.0`
            Some('v') => before.next().is_none_or(|c| !c.is_ascii_alphanumeric()),
            Some(c) => !(c.is_ascii_alphanumeric() || c == '.'),
        };
        let after_ok =
            after.is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')));
        before_ok && after_ok
    })
}

/// The first date in `line`, ISO or long (`crate::dates`).
fn find_date(line: &str) -> Option<&str> {
    dates::find_iso(line).or_else(|| dates::find_long(line))
}

/// When the release version is only `--version`'s word and every artifact carries one other
/// version, the flag is the mistake rather than every artifact: one failure says so, and the
/// artifacts' own failures point at it instead of asking to remove each of them.
pub fn wrong_flag(
    artifacts: &mut [ArtifactReport],
    claims: &[Claim],
    version: &Version,
) -> Option<Check> {
    if claims.is_empty() || claims.iter().any(|c| c.source != Source::Flag) {
        return None;
    }
    let carried: Vec<String> = artifacts
        .iter()
        .filter(|a| a.kind != Kind::Checksums)
        .map(|a| a.checks.iter().find_map(evidence::stale_version).map(str::to_string))
        .collect::<Option<_>>()?;
    let first = carried.first()?.clone();
    if carried.iter().any(|v| *v != first) {
        return None;
    }
    let count = carried.len();
    for artifact in artifacts.iter_mut() {
        for check in &mut artifact.checks {
            if let Outcome::Fail(failure) = &mut check.outcome {
                if check.check == STALE {
                    // Not stale: of another version than the flag's.
                    failure.message = failure
                        .message
                        .replacen("a stale artifact: it carries", "it carries", 1)
                        .replacen("the release is", "not `--version`", 1);
                    failure.help =
                        format!("see `release` above: `--version {version}` is likely wrong");
                }
            }
        }
    }
    Some(Check::fail(
        "release",
        Failure::new(
            None,
            format!(
                "`--version {version}` matches none of the {count} artifact{}: {} `{first}`",
                if count == 1 { "" } else { "s" },
                if count == 1 { "it carries" } else { "every one carries" }
            ),
            format!(
                "if {first} is the release, pass `--version {first}`; else build the artifacts of {version}"
            ),
        ),
    ))
}

/// Every expected artifact present (and of the release); when expectations are given, every
/// artifact expected.
pub fn presence_checks(
    artifacts: &[ArtifactReport],
    expected: &[Expected],
    version: &Version,
) -> Vec<Check> {
    if expected.is_empty() {
        return Vec::new();
    }
    let same = |kind: Kind, a: &str, b: &str| match kind {
        Kind::Wheel | Kind::Sdist => evidence::normalize_python(a) == evidence::normalize_python(b),
        _ => a == b,
    };
    let current = |a: &ArtifactReport| !a.checks.iter().any(|c| c.check == STALE && c.failed());
    let mut checks = Vec::new();
    for want in expected {
        let present = artifacts.iter().any(|a| {
            a.kind == want.kind
                && current(a)
                && a.name.as_deref().is_some_and(|n| same(a.kind, n, &want.name))
        });
        if !present {
            checks.push(Check::fail(
                "expected",
                Failure::new(
                    None,
                    format!(
                        "no {} of `{}` at `{version}` among the artifacts",
                        want.kind, want.name
                    ),
                    "build it before verifying, or check the locations given",
                ),
            ));
        }
    }
    for artifact in artifacts.iter().filter(|a| a.kind != Kind::Checksums) {
        let wanted = expected.iter().any(|w| {
            w.kind == artifact.kind
                && artifact.name.as_deref().is_some_and(|n| same(w.kind, n, &w.name))
        });
        if !wanted {
            checks.push(Check::fail(
                "unexpected",
                Failure::new(
                    None,
                    format!(
                        "`{}` is a {} of `{}`, which the release does not expect",
                        artifact.path.file_name().map_or_else(
                            || artifact.path.display().to_string(),
                            |n| n.to_string_lossy().into_owned()
                        ),
                        artifact.kind,
                        artifact.name.as_deref().unwrap_or("?")
                    ),
                    "remove it from the artifact directory, or add it to the expected artifacts",
                ),
            ));
        }
    }
    if checks.is_empty() {
        checks.push(Check::pass(
            "expected",
            format!("all {} expected artifacts present, nothing unexpected", expected.len()),
        ));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn claims_must_agree() {
        let flag = Claim { source: Source::Flag, version: v("1.2.0") };
        let tags = tag_claims(&["nightly".into(), "v1.2.0".into(), "v1.2".into()]);
        assert_eq!(tags.len(), 1);
        let (version, checks) = decide(&[flag.clone(), tags[0].clone()]).unwrap();
        assert_eq!(version, v("1.2.0"));
        assert_eq!(
            checks[0].to_string(),
            "ok release version: `1.2.0` from `--version`, tag `v1.2.0` at HEAD"
        );
        let old_tag = tag_claims(&["v1.1.0".into()]);
        let (_, checks) = decide(&[flag, old_tag[0].clone()]).unwrap();
        assert!(checks[0].to_string().starts_with(
            "FAIL release version: the sources disagree: `--version` says `1.2.0`, tag `v1.1.0` at HEAD says `1.1.0` (help: a release tag"
        ));
        assert!(decide(&[]).is_none());
    }

    #[test]
    fn changelog() {
        let check = |text: &str, version: &str, tagged: bool| {
            changelog_check("CHANGELOG.md", text, &v(version), tagged).to_string()
        };
        let text = "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2024-05-01\n\n## 1.1.0\n\n## v11.0.0 (2023-01-02)\n";
        assert_eq!(
            check(text, "1.2.0", true),
            "ok changelog: `CHANGELOG.md:5` has the section for `1.2.0` dated 2024-05-01"
        );
        assert!(check(text, "1.1.0", true).starts_with(
            "FAIL changelog: `CHANGELOG.md:7` has a section for `1.1.0`, without a date"
        ));
        assert!(
            check(text, "1.0.0", true)
                .starts_with("FAIL changelog: `CHANGELOG.md` has no section for `1.0.0`")
        );
        assert!(check(text, "1.0.0", false).starts_with("note changelog:"));
        assert!(check("## v1.0.0 (2023-01-02)\n", "1.0.0", true).starts_with("ok"));
        assert!(check("## [1.0.0-rc.1] - 2023-01-02\n", "1.0.0", true).starts_with("FAIL"));
        assert!(check("## [11.0.0] - 2023-01-02\n", "1.0.0", true).starts_with("FAIL"));
        assert!(check("## [1.0.0] - 2023-01-02\n", "1.0.0-rc.1", true).starts_with("FAIL"));
        assert!(check("## pkg-v1.0.0 - 2023-01-02\n", "1.0.0", true).starts_with("ok"));
        // The other common styles: tokio's long dates, setext and reStructuredText underlines.
        assert_eq!(
            check("# 1.0.0 (May 1st, 2024)\n", "1.0.0", true),
            "ok changelog: `CHANGELOG.md:1` has the section for `1.0.0` dated May 1st, 2024"
        );
        assert!(check("# 1.0.0 (March 4, 2026)\n", "1.0.0", true).starts_with("ok"));
        assert!(check("# 1.0.0 (May 1st)\n", "1.0.0", true).starts_with("FAIL"));
        assert!(check("x\n\n1.0.0 (2024-05-01)\n---\n", "1.0.0", true).starts_with("ok"));
        assert!(check("1.0.0 (2024-05-01)\n", "1.0.0", true).starts_with("FAIL"));
    }
}
