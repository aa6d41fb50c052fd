//! Warnings that save a release: a plan that is possible but probably not what was meant.
//! They never stop a release (the preflight's problems do); the dry run and `--execute` print
//! them first.
//!
//! - A level below what the commits say: `release minor` over a breaking commit (shown), where
//!   `auto` would release a major.
//! - A branch that names another version: `release patch` on `release/v1.2.0`.
//! - A release of this group that this branch does not contain: a hotfix tagged on another
//!   branch and never merged here. The release is then planned from an older version.

use super::{auto::Decision, line};
use crate::version::{self, Version};

/// One warning, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What looks wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// The commits it is about: short id and subject.
    pub commits: Vec<(String, String)>,
}

/// What the warnings are computed from.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    /// The version now and the version planned.
    pub from: &'a Version,
    /// The version planned.
    pub to: &'a Version,
    /// The branch released from.
    pub branch: Option<&'a str>,
    /// What `auto` makes of the commits since the last release; `None` when the level was
    /// `auto` (it is then the level) or nothing is releasable.
    pub commits: Option<&'a Decision>,
    /// Release tags of this group, newer than `from`, on commits `HEAD` does not contain.
    pub unmerged: &'a [(String, Version)],
}

/// Every warning for `facts`.
pub fn check(facts: &Facts<'_>) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let core = |v: &Version| (v.major, v.minor, v.patch);
    if let Some(decision) = facts.commits.filter(|d| d.breaking) {
        let wanted = version::bump(facts.from, &decision.level, None).ok();
        if let Some(wanted) = wanted.filter(|w| core(facts.to) < core(w)) {
            let n = decision.commits.len();
            warnings.push(Warning {
                message: format!(
                    "this releases {}, but {n} commit{} since {} {} breaking: `monorel release auto` would release {wanted}",
                    facts.to,
                    if n == 1 { "" } else { "s" },
                    facts.from,
                    if n == 1 { "is" } else { "are" },
                ),
                help: format!(
                    "release {} (`monorel release {}`), or go on if the change breaks nothing a user relies on",
                    wanted, decision.level
                ),
                commits: decision.commits.clone(),
            });
        }
    }
    if let Some(branch) = facts.branch {
        if let Some(named) = line::named_version(branch).filter(|n| core(n) != core(facts.to)) {
            warnings.push(Warning {
                message: format!(
                    "the branch `{branch}` names {named}, and this release is {}",
                    facts.to
                ),
                help: format!(
                    "release the version the branch is for (`monorel release {named}`), or check out the branch of {}",
                    facts.to
                ),
                commits: Vec::new(),
            });
        }
    }
    for (tag, version) in facts.unmerged {
        warnings.push(Warning {
            message: format!(
                "`{tag}` ({version}) was released from a commit this branch does not contain (a hotfix not merged here?), so this release is planned from {} to {}",
                facts.from, facts.to
            ),
            help: format!(
                "merge it first (`git merge {tag}`), so its fix and its changelog section are here too, then plan again"
            ),
            commits: Vec::new(),
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::Level;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn messages(
        from: &str,
        to: &str,
        branch: Option<&str>,
        decision: Option<&Decision>,
    ) -> Vec<String> {
        let (from, to) = (v(from), v(to));
        let facts = Facts { from: &from, to: &to, branch, commits: decision, unmerged: &[] };
        check(&facts).into_iter().map(|w| w.message).collect()
    }

    #[test]
    fn a_level_below_a_breaking_commit_warns() {
        let breaking = Decision {
            level: Level::Major,
            commits: vec![("abc1234".into(), "feat!: drop v1 API".into())],
            breaking: true,
        };
        assert_eq!(
            messages("1.3.0", "1.4.0", Some("main"), Some(&breaking)),
            [
                "this releases 1.4.0, but 1 commit since 1.3.0 is breaking: `monorel release auto` would release 2.0.0"
            ]
        );
        assert!(messages("1.3.0", "2.0.0", Some("main"), Some(&breaking)).is_empty());
        let zero = Decision { level: Level::Minor, ..breaking.clone() };
        assert!(messages("0.4.0", "0.5.0", None, Some(&zero)).is_empty());
        assert_eq!(messages("0.4.0", "0.4.1", None, Some(&zero)).len(), 1);
        let feat = Decision { level: Level::Minor, breaking: false, ..breaking };
        assert!(messages("1.3.0", "1.3.1", None, Some(&feat)).is_empty());
    }

    #[test]
    fn a_branch_that_names_another_version_warns() {
        assert_eq!(
            messages("1.1.0", "1.1.1", Some("release/v1.2.0"), None),
            ["the branch `release/v1.2.0` names 1.2.0, and this release is 1.1.1"]
        );
        assert!(messages("1.1.0", "1.2.0", Some("release/v1.2.0"), None).is_empty());
        assert!(messages("1.1.0", "1.2.0-rc.1", Some("release/v1.2.0"), None).is_empty());
        assert!(messages("1.0.3", "1.0.4", Some("stable/1.0"), None).is_empty());
    }
}
