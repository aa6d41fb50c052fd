//! `release auto`: the level from the Conventional Commits since the last release.
//!
//! A breaking change (`!` or a `BREAKING CHANGE:` footer) is major, or minor while the version
//! is 0.x; `feat` is minor; `fix` and `perf` are patch. Anything else releases nothing. When a
//! `cliff.toml` puts commits into groups, its groups decide as the changelog lists them: Added is
//! minor, Fixed and Security are patch.

use crate::{
    changelog::{
        CLIFF_TOML, ChangelogError, Rules, Section, grouped_sections, message_text,
        parse_cliff_toml, parse_log,
    },
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

/// Decides the level from `log` (the unreleased commits, in `git::LOG_FORMAT`) and the
/// repository's `cliff.toml`; `None` when nothing in it is releasable.
pub fn decide(
    log: &str,
    cliff_toml: Option<&str>,
    current: &Version,
) -> Result<Option<Decision>, ChangelogError> {
    let rules = match cliff_toml {
        Some(text) => parse_cliff_toml(CLIFF_TOML, text)?,
        None => Rules::default(),
    };
    let mut best: Option<(u8, Vec<(String, String)>)> = None;
    for raw in parse_log(log)? {
        // As the changelog reads it (`commits::message_text`): a CR does not hide a `feat`.
        let message = message_text(raw.message);
        let conv = git_conventional::Commit::parse(&message).ok();
        let conv = conv.as_ref();
        let breaking = conv.is_some_and(|c| c.breaking());
        let rank = match grouped_sections(&raw, &rules) {
            Some(sections) if sections.is_empty() => continue,
            _ if breaking => 3,
            Some(sections) if sections.contains(&Section::Added) => 2,
            Some(sections)
                if sections.iter().any(|s| matches!(s, Section::Fixed | Section::Security)) =>
            {
                1
            }
            Some(_) => continue,
            None => match conv.map(|c| c.type_().as_str().to_ascii_lowercase()).as_deref() {
                Some("feat" | "feature") => 2,
                Some("fix" | "bugfix" | "hotfix" | "perf") => 1,
                _ => continue,
            },
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
        decide(&log(messages), None, &Version::parse(current).unwrap())
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

    #[test]
    fn cliff_toml_groups_decide_when_it_has_them() {
        let cliff = r#"[git]
filter_unconventional = false
commit_parsers = [
  { message = "^Add", group = "<!-- 0 -->Added" },
  { message = "^Fixed", group = "Fixed" },
  { message = "^feat\\(internal\\)", skip = true },
  { message = "^docs", group = "Documentation" },
]
"#;
        let level = |messages: &[&str]| {
            decide(&log(messages), Some(cliff), &Version::parse("1.2.3").unwrap())
                .unwrap()
                .map(|d| d.level)
        };
        assert_eq!(level(&["Add streaming output (#42)", "docs: a"]), Some(Level::Minor));
        assert_eq!(level(&["Fixed crash when empty", "docs: b"]), Some(Level::Patch));
        assert_eq!(level(&["feat(internal): helper", "docs: c"]), None);
        assert_eq!(level(&["docs!: drop the old page"]), Some(Level::Major));
    }
}
