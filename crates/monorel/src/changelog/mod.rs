//! Changelogs from Conventional Commits, in the Keep a Changelog 1.1.0 form.
//!
//! - [`load`] (read-only IO, through `git.rs`): the tags, one `git log`
//!   over the commits, the `origin` URL, CHANGELOG.md and `cliff.toml`, as a [`Snapshot`].
//! - [`plan`] (no IO): parses the commits (`commits.rs`; a `cliff.toml`'s rules in `cliff.rs`),
//!   assigns them to releases for `--all` (`history.rs`), and merges the entries into the
//!   document (`document.rs`, `heading.rs`, `section.rs`, `regenerate.rs`), keeping what people
//!   wrote. The [`Plan`] holds the bytes before and after.
//! - Applying is the caller's: `apply::write_atomic(plan.path, plan.after)`.
//!
//! [`promote`] (for the release command) and [`notes`] work on the document alone.

mod cliff;
mod commits;
mod document;
mod fold;
mod heading;
mod history;
mod links;
mod load;
mod merge;
mod promote;
mod regenerate;
mod rules;
mod section;

use std::{collections::HashSet, io, path::PathBuf};

pub use document::HEADER;
pub use links::Forge;
pub use load::{CLIFF_TOML, Snapshot, load};
pub use merge::merge3;
pub use promote::{Promotion, heading_line, notes, promote};
pub use rules::{Section, TagPattern};
pub use section::{MergeStats, NO_CHANGES};

/// `git log` output in [`crate::git::LOG_FORMAT`], split into commits (also for `release auto`).
pub(crate) use self::commits::{grouped_sections, message_text, parse_log};
pub(crate) use self::rules::{Rules, parse_cliff_toml};

use self::{
    commits::{RawCommit, classify, entries},
    document::{Doc, Encoding, Heading, assemble, decode, encode, set_links},
    links::Linker,
    load::release_tags,
    section::merge_unreleased,
};
use crate::git::GitError;

/// What to write, and from which commits.
#[derive(Debug, Clone)]
pub struct Request {
    /// The changelog, relative to the repository root.
    pub changelog: PathBuf,
    /// How release tags are spelled (the group's tag format).
    pub tag_pattern: TagPattern,
    /// Only commits touching these paths (a group's directories, relative to the root); every
    /// commit when empty.
    pub paths: Vec<String>,
    /// Write every release section from the tags, not only `[Unreleased]`.
    pub all: bool,
    /// The repository's web address, when the `origin` remote does not give it.
    pub repo_url: Option<String>,
}

impl Request {
    /// What a changelog of `group` covers ([`crate::repo::Model::scope_of`]): its tag format,
    /// the commits touching its packages' directories, and its changelog file.
    pub fn for_group(
        model: &crate::repo::Model,
        group: &crate::repo::Group,
        root_changelog: &str,
    ) -> Result<Request, ChangelogError> {
        let scope = model.scope_of(group, root_changelog);
        Ok(Request {
            changelog: scope.changelog.into(),
            tag_pattern: group.tag.parse()?,
            paths: scope.dirs,
            ..Request::default()
        })
    }
}

impl Default for Request {
    fn default() -> Self {
        Request {
            changelog: PathBuf::from("CHANGELOG.md"),
            tag_pattern: TagPattern::default(),
            paths: Vec::new(),
            all: false,
            repo_url: None,
        }
    }
}

/// The changelog as it is and as it would be written.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file, relative to the repository root.
    pub path: PathBuf,
    /// Its bytes now, `None` when it does not exist.
    pub before: Option<Vec<u8>>,
    /// Its bytes after.
    pub after: Vec<u8>,
    /// What happened to the `[Unreleased]` entries.
    pub stats: MergeStats,
    /// Commits read from git.
    pub commits: usize,
    /// Release sections written (`--all`).
    pub releases: usize,
    /// The latest release tag reachable from `HEAD`.
    pub last_tag: Option<String>,
    /// How many tags are releases (follow the tag pattern, not ignored), reachable or not.
    pub release_tags: usize,
    /// The commits of the range that are no Conventional Commits and that no rule lists:
    /// short id and subject, oldest first.
    pub left_out: Vec<(String, String)>,
    /// What the plan could not honour (a `cliff.toml` key it skips), for people.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether applying the plan would change the file.
    pub fn changes(&self) -> bool {
        self.before.as_deref() != Some(&self.after[..])
    }
}

/// Why no changelog plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum ChangelogError {
    /// A git command failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The changelog or `cliff.toml` is a link, a special file, outside the repository or too
    /// large.
    #[error(
        "{0}\nhelp: make it a regular file inside the repository (`[release] changelog` names the changelog)"
    )]
    File(crate::confine::FileError),
    /// `cliff.toml` says something monorel cannot use.
    #[error("`{}`: {message}\nhelp: {help}", at(path, *line))]
    Config {
        /// The file.
        path: String,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// The changelog cannot be read or changed as asked.
    #[error("{message}\nhelp: {help}")]
    Document {
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// The request itself is wrong.
    #[error("{message}\nhelp: {help}")]
    Request {
        /// What is wrong.
        message: String,
        /// How to fix it.
        help: String,
    },
    /// `git log` printed something that is not in the requested format.
    #[error("{message}")]
    Log {
        /// What was found.
        message: String,
    },
}

// By hand, not `#[from]`: the file error is the message itself, not a cause printed after it.
impl From<crate::confine::FileError> for ChangelogError {
    fn from(e: crate::confine::FileError) -> Self {
        ChangelogError::File(e)
    }
}

fn at(path: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

/// Plans the changelog for `request` from what [`load`] read.
pub fn plan(snapshot: &Snapshot, request: &Request) -> Result<Plan, ChangelogError> {
    let path = request.changelog.display().to_string();
    let rules = match &snapshot.cliff_toml {
        Some(text) => parse_cliff_toml(CLIFF_TOML, text)?,
        None => Rules::default(),
    };
    let (text, encoding) = match &snapshot.changelog {
        Some(bytes) => decode(&path, bytes)?,
        None => (HEADER.to_string(), Encoding::default()),
    };
    let doc = Doc::parse(&text);
    let forge = [request.repo_url.as_deref(), snapshot.remote_url.as_deref()]
        .into_iter()
        .flatten()
        .find_map(Forge::from_remote_url)
        .or_else(|| doc.forge());
    let linker = Linker { forge: forge.as_ref(), parsers: &rules.git.link_parsers };
    let commits = parse_log(&snapshot.log)?;
    let mut releases = release_tags(&snapshot.tags, request, &rules);
    let all_release_tags = releases.len();
    if request.all {
        // The releases are the tags whose commit `HEAD` contains: those in the log.
        let ids: HashSet<&str> = commits.iter().map(|c| c.id).collect();
        releases.retain(|r| ids.contains(r.tag.commit.as_str()));
    }
    let touching: Option<HashSet<&str>> =
        snapshot.touching.as_deref().map(|ids| ids.lines().map(str::trim).collect());
    fn only<'c, 'a>(
        list: Vec<&'c RawCommit<'a>>,
        ids: Option<&HashSet<&str>>,
    ) -> Vec<&'c RawCommit<'a>> {
        match ids {
            Some(ids) => list.into_iter().filter(|c| ids.contains(c.id)).collect(),
            None => list,
        }
    }
    let keep = |list| only(list, touching.as_ref());

    let (unreleased, released) = if request.all {
        let (released, unreleased) = history::split(&commits, &releases);
        (unreleased, released)
    } else {
        (commits.iter().collect(), Vec::new())
    };
    let classified = classify(&commits, &rules, &linker);
    let unreleased = entries(&keep(unreleased), &classified);
    let mut left_out = unreleased.left_out.clone();

    // `[Unreleased]`, merged; every other part as it was, or regenerated with `--all`.
    let u = doc.unreleased();
    let (body, stats) = merge_unreleased(
        u.map_or("", |u| doc.parts[u].body),
        &unreleased.listed,
        &unreleased.cancelled,
    );
    let style = doc.style();
    let new_line = style.unreleased();
    let line = u.map_or(new_line.as_str(), |u| doc.parts[u].line).trim_end_matches('\n');
    let unreleased_part = format!("{line}\n{body}");
    let mut parts: Vec<String> = Vec::new();
    let mut written_releases = 0;
    if request.all {
        let generated: Vec<regenerate::Release<'_>> = releases
            .iter()
            .zip(released)
            .map(|(tag, commits)| {
                let entries = entries(&keep(commits), &classified);
                left_out.extend(entries.left_out.iter().cloned());
                regenerate::Release { version: &tag.version, date: &tag.tag.date, entries }
            })
            .collect();
        written_releases = generated.len();
        parts = regenerate::parts(&doc, unreleased_part, &generated);
    } else {
        let first_release = doc.parts.iter().position(|p| p.heading != Heading::Other);
        for (i, p) in doc.parts.iter().enumerate() {
            if u.is_none() && Some(i) == first_release {
                parts.push(unreleased_part.clone());
            }
            if Some(i) == u {
                parts.push(unreleased_part.clone());
            } else {
                parts.push(format!("{}{}", p.line, p.body));
            }
        }
        if u.is_none() && first_release.is_none() {
            parts.push(unreleased_part);
        }
    }

    let last_tag = match request.all {
        true => releases.last().map(|r| r.tag.name.clone()),
        false => snapshot.last_tag.clone(),
    };
    let mut wanted = Vec::new();
    // Link definitions serve `[1.2.0]` labels: a file whose headings have none gets none.
    if let Some(forge) = forge.as_ref().filter(|_| style.brackets) {
        if let Some(last) = &last_tag {
            wanted.push(("unreleased".to_string(), forge.compare_url(last, "HEAD")));
        }
        if request.all {
            for (i, r) in releases.iter().enumerate().rev() {
                let url = match i.checked_sub(1).map(|p| &releases[p]) {
                    Some(prev) => forge.compare_url(&prev.tag.name, &r.tag.name),
                    None => forge.tag_url(&r.tag.name),
                };
                wanted.push((r.version.to_string(), url));
            }
        }
    }
    let links = set_links(&doc, &wanted).unwrap_or_else(|| doc.links_text.to_string());
    let mut out = assemble(doc.header, &parts, &links);
    let after = if out == text && snapshot.changelog.is_some() {
        snapshot.changelog.clone().unwrap_or_default()
    } else {
        let end = out.trim_end_matches('\n').len();
        out.truncate(end);
        out.push('\n');
        encode(&out, encoding)
    };
    Ok(Plan {
        path: request.changelog.clone(),
        before: snapshot.changelog.clone(),
        after,
        stats,
        commits: commits.len(),
        releases: written_releases,
        last_tag,
        release_tags: all_release_tags,
        left_out,
        warnings: rules.warnings.clone(),
    })
}

/// The date a release gets, `YYYY-MM-DD`: `MONOREL_DATE` when set (already in that form), else
/// `SOURCE_DATE_EPOCH` (seconds), else `now` (seconds since 1970), all in UTC. The caller reads
/// the environment and the clock; tests pass fixed values.
pub fn release_date(
    monorel_date: Option<&str>,
    source_date_epoch: Option<&str>,
    now: i64,
) -> Result<String, ChangelogError> {
    if let Some(date) = monorel_date.filter(|d| !d.is_empty()) {
        let ok = date.len() == 10
            && date
                .bytes()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !ok {
            return Err(ChangelogError::Request {
                message: format!("`MONOREL_DATE` is `{date}`, not a `YYYY-MM-DD` date"),
                help: "set it to e.g. `2024-05-01`, or unset it to use today's date".into(),
            });
        }
        return Ok(date.to_string());
    }
    let secs = match source_date_epoch.filter(|s| !s.is_empty()) {
        Some(s) => s.trim().parse::<i64>().map_err(|_| ChangelogError::Request {
            message: format!("`SOURCE_DATE_EPOCH` is `{s}`, not a number of seconds"),
            help: "set it to a Unix time, e.g. `1714521600`, or unset it".into(),
        })?,
        None => now,
    };
    Ok(civil_date(secs))
}

/// `YYYY-MM-DD` (UTC) of a Unix time (Howard Hinnant's `civil_from_days`).
fn civil_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(1_704_067_200), "2024-01-01");
        assert_eq!(civil_date(1_709_164_800), "2024-02-29");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(-86_400), "1969-12-31");
        assert_eq!(release_date(Some("2024-05-01"), Some("0"), 0).unwrap(), "2024-05-01");
        assert_eq!(release_date(None, Some("1704067200"), 0).unwrap(), "2024-01-01");
        assert_eq!(release_date(Some(""), None, 86_400).unwrap(), "1970-01-02");
        assert_eq!(
            release_date(Some("May 1"), None, 0).unwrap_err().to_string(),
            "`MONOREL_DATE` is `May 1`, not a `YYYY-MM-DD` date\nhelp: set it to e.g. `2024-05-01`, or unset it to use today's date"
        );
        assert!(release_date(None, Some("yesterday"), 0).is_err());
    }

    fn snapshot(log: &[(&str, &str)], tags: &[(&str, &str)], changelog: Option<&str>) -> Snapshot {
        let mut text = String::new();
        for (i, (id, message)) in log.iter().enumerate() {
            let parent = log.get(i + 1).map_or("", |(p, _)| p);
            text.push_str(&format!("{id}\0{parent}\0A\0a@x\01\0A\0a@x\01\0{message}\n\0"));
        }
        Snapshot {
            changelog: changelog.map(|c| c.as_bytes().to_vec()),
            tags: tags
                .iter()
                .map(|(name, commit)| crate::git::TagRef {
                    name: name.to_string(),
                    commit: commit.to_string(),
                    date: "2024-01-0".to_string() + &name[name.len() - 1..],
                })
                .collect(),
            log: text,
            remote_url: Some("git@github.com:acme/widget.git".into()),
            ..Snapshot::default()
        }
    }

    #[test]
    fn all_writes_one_section_per_tag_and_the_links() {
        let s = snapshot(
            &[("0c", "feat: three"), ("0b", "fix: two (#2)"), ("0a", "feat: one")],
            &[("v0.1.0", "0a"), ("v0.2.0", "0b"), ("other", "0b")],
            None,
        );
        let plan = plan(&s, &Request { all: true, ..Request::default() }).unwrap();
        expect_test::expect![[r#"
            # Changelog

            All notable changes to this project will be documented in this file.

            The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
            and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

            ## [Unreleased]

            ### Added

            - Three

            ## [0.2.0] - 2024-01-00

            ### Fixed

            - Two ([#2](https://github.com/acme/widget/issues/2))

            ## [0.1.0] - 2024-01-00

            ### Added

            - One

            [unreleased]: https://github.com/acme/widget/compare/v0.2.0...HEAD
            [0.2.0]: https://github.com/acme/widget/compare/v0.1.0...v0.2.0
            [0.1.0]: https://github.com/acme/widget/releases/tag/v0.1.0
        "#]]
        .assert_eq(std::str::from_utf8(&plan.after).unwrap());
        assert_eq!(plan.releases, 2);
        // Planning again over the written file changes nothing.
        let again = Snapshot { changelog: Some(plan.after.clone()), ..s };
        let second = super::plan(&again, &Request { all: true, ..Request::default() }).unwrap();
        assert!(!second.changes());
    }

    #[test]
    fn unreleased_is_inserted_above_the_releases_when_missing() {
        let s = snapshot(
            &[("0b", "feat: two"), ("0a", "feat: one")],
            &[],
            Some("# Changelog\n\n## [0.1.0] - 2024-01-01\n\n- One\n"),
        );
        let plan = plan(&s, &Request::default()).unwrap();
        expect_test::expect![[r#"
            # Changelog

            ## [Unreleased]

            ### Added

            - One
            - Two

            ## [0.1.0] - 2024-01-01

            - One
        "#]]
        .assert_eq(std::str::from_utf8(&plan.after).unwrap());
    }

    #[test]
    fn an_unchanged_changelog_keeps_every_byte() {
        let text = "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Added\r\n\r\n- One\r\n";
        let s = snapshot(&[("0a", "feat: one")], &[], Some(text));
        let plan = plan(&s, &Request::default()).unwrap();
        assert!(!plan.changes(), "{}", String::from_utf8_lossy(&plan.after));
    }
}
