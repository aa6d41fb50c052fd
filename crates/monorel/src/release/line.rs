//! Maintenance lines: a branch named for a line of versions (`1.x`, `1.2.x`, `stable/1.0`,
//! `v2.x`) releases only within it, and its next development version is the next patch.
//!
//! The rule reads the branch name's last `/`-separated part (a leading `v` ignored): `N.x` is
//! every `N.*.*`; `N.M.x` and `N.M` are every `N.M.*`. A name with three numbers
//! (`release/v1.2.0`) names one release, not a line: [`named_version`] reads it for the warning
//! that the plan disagrees with it.

use std::fmt;

use super::preflight::Problem;
use crate::version::Version;

/// The versions a maintenance branch releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The major version.
    pub major: u64,
    /// The minor version, for a line of patches.
    pub minor: Option<u64>,
}

impl Line {
    /// The line `branch` names, if it names one.
    pub fn of_branch(branch: &str) -> Option<Line> {
        let last = branch.rsplit('/').next()?;
        let last = last.strip_prefix('v').unwrap_or(last);
        let parts: Vec<&str> = last.split('.').collect();
        let number = |s: &str| {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let wild = |s: &str| s.eq_ignore_ascii_case("x") || s == "*";
        match parts.as_slice() {
            [major, x] if wild(x) => Some(Line { major: number(major)?, minor: None }),
            [major, minor, x] if wild(x) => {
                let minor = if wild(minor) { None } else { Some(number(minor)?) };
                Some(Line { major: number(major)?, minor })
            }
            [major, minor] => Some(Line { major: number(major)?, minor: Some(number(minor)?) }),
            _ => None,
        }
    }

    /// Whether `version` belongs to the line.
    pub fn contains(&self, version: &Version) -> bool {
        version.major == self.major && self.minor.is_none_or(|m| version.minor == m)
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            Some(minor) => write!(f, "{}.{minor}.x", self.major),
            None => write!(f, "{}.x", self.major),
        }
    }
}

/// The problem with releasing `to` from `branch`, when `branch` is a maintenance line that does
/// not hold it.
pub fn check(branch: &str, to: &Version) -> Option<Problem> {
    let line = Line::of_branch(branch)?;
    (!line.contains(to)).then(|| Problem {
        message: format!(
            "`{branch}` is the maintenance line {line}, and {to} is not on it: a release there stays within its line"
        ),
        help: match line.minor {
            Some(_) => format!(
                "release a patch (`monorel release patch`), or release {to} from the branch of the newer line"
            ),
            None => format!(
                "release a minor or a patch, or release {to} from the branch of the newer line"
            ),
        },
    })
}

/// The version a branch name spells in full (`release/v1.2.0`, `hotfix-1.2.1`,
/// `release-v1.3.0-rc.1`): its last `/`-separated part after any text up to the first digit.
pub fn named_version(branch: &str) -> Option<Version> {
    let last = branch.rsplit('/').next()?;
    let at = last.find(|c: char| c.is_ascii_digit())?;
    let version = Version::parse(&last[at..]).ok()?;
    Some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(branch: &str) -> Option<String> {
        Line::of_branch(branch).map(|l| l.to_string())
    }

    #[test]
    fn maintenance_lines_from_branch_names() {
        assert_eq!(line("1.x").as_deref(), Some("1.x"));
        assert_eq!(line("v2.x").as_deref(), Some("2.x"));
        assert_eq!(line("1.x.x").as_deref(), Some("1.x"));
        assert_eq!(line("stable/1.0").as_deref(), Some("1.0.x"));
        assert_eq!(line("maint/1.2.x").as_deref(), Some("1.2.x"));
        for not_a_line in ["main", "release/v1.2.0", "develop", "1.2.3", "feature/x.y", "x"] {
            assert_eq!(line(not_a_line), None, "{not_a_line}");
        }
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(check("stable/1.0", &v("1.0.3")).is_none());
        assert!(check("1.x", &v("1.4.0")).is_none());
        assert!(check("main", &v("9.0.0")).is_none());
        assert_eq!(
            check("stable/1.0", &v("1.1.0")).unwrap().message,
            "`stable/1.0` is the maintenance line 1.0.x, and 1.1.0 is not on it: a release there stays within its line"
        );
        assert!(check("1.x", &v("2.0.0")).is_some());
    }

    #[test]
    fn versions_branch_names_spell() {
        let named = |b: &str| named_version(b).map(|v| v.to_string());
        assert_eq!(named("release/v1.2.0").as_deref(), Some("1.2.0"));
        assert_eq!(named("release-v1.3.0").as_deref(), Some("1.3.0"));
        assert_eq!(named("hotfix/1.2.1").as_deref(), Some("1.2.1"));
        assert_eq!(named("stable/1.0"), None);
        assert_eq!(named("main"), None);
    }
}
