//! `release auto`: the level from the Conventional Commits since the last release.
//!
//! A breaking change (`!` or a `BREAKING CHANGE:` footer) is major, or minor while the version
//! is 0.x; `feat` is minor; `fix` and `perf` are patch. Anything else releases nothing.

use git_cliff_core::commit::Commit;

use crate::{
    changelog::{ChangelogError, message_text, parse_log},
    version::{Level, Version},
};

/// The level `auto` chose, and the commits that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Major, minor or patch.
    pub level: Level,
    /// The deciding commits: short id and subject, newest first.
    pub commits: Vec<(String, String)>,
    /// Whether they are breaking changes (a major, or a minor while the version is 0.x).
    pub breaking: bool,
}

/// Decides the level from `log` (the unreleased commits, in `git::LOG_FORMAT`); `None` when
/// nothing in it is releasable.
pub fn decide(log: &str, current: &Version) -> Result<Option<Decision>, ChangelogError> {
    let mut best: Option<(u8, Vec<(String, String)>)> = None;
    for raw in parse_log(log)? {
        // As the changelog reads it (`commits::message_text`): a CR does not hide a `feat`.
        let message = message_text(raw.message).into_owned();
        let Ok(commit) = Commit::new(raw.id.to_string(), message).into_conventional() else {
            continue;
        };
        let Some(conv) = commit.conv.as_ref() else { continue };
        let kind = conv.type_().as_str().to_ascii_lowercase();
        let rank = if conv.breaking() {
            3
        } else {
            match kind.as_str() {
                "feat" | "feature" => 2,
                "fix" | "bugfix" | "hotfix" | "perf" => 1,
                _ => continue,
            }
        };
        let entry = (raw.id.chars().take(7).collect(), raw.subject().to_string());
        match &mut best {
            Some((r, commits)) if *r == rank => commits.push(entry),
            Some((r, _)) if *r > rank => {}
            _ => best = Some((rank, vec![entry])),
        }
    }
    Ok(best.map(|(rank, commits)| {
        let level = match rank {
            3 if current.major == 0 => Level::Minor,
            3 => Level::Major,
            2 => Level::Minor,
            _ => Level::Patch,
        };
        Decision { level, commits, breaking: rank == 3 }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(messages: &[&str]) -> String {
        messages
            .iter()
            .enumerate()
            .map(|(i, m)| format!("{:040}\0\0A\0a@x\01\0A\0a@x\01\0{m}\n\0", i))
            .collect()
    }

    fn level(messages: &[&str], current: &str) -> Option<(Level, usize)> {
        decide(&log(messages), &Version::parse(current).unwrap())
            .unwrap()
            .map(|d| (d.level, d.commits.len()))
    }

    #[test]
    fn levels_from_conventional_commits() {
        assert_eq!(level(&["fix: a", "docs: b"], "1.2.3"), Some((Level::Patch, 1)));
        assert_eq!(level(&["perf: a"], "1.2.3"), Some((Level::Patch, 1)));
        assert_eq!(level(&["fix: a", "feat: b", "feat(x): c"], "1.2.3"), Some((Level::Minor, 2)));
        assert_eq!(level(&["feat!: a", "fix: b"], "1.2.3"), Some((Level::Major, 1)));
        assert_eq!(level(&["fix: a\n\nBREAKING CHANGE: gone"], "1.2.3"), Some((Level::Major, 1)));
        assert_eq!(level(&["feat!: a"], "0.9.0"), Some((Level::Minor, 1)));
        assert_eq!(level(&["docs: a", "chore: b", "not conventional"], "1.2.3"), None);
    }
}
