//! Loading (read-only IO): the tags, one `git log`, the remote's URL, CHANGELOG.md and
//! `cliff.toml`. Everything after this is planning, on the [`Snapshot`].

use std::{collections::HashSet, path::Path};

use super::{ChangelogError, Request, history::ReleaseTag, rules::Rules};
use crate::{
    confine::{MAX_FILE_BYTES, Tree},
    git::{LogRequest, Repo, TagRef},
};

/// The name of git-cliff's configuration file, read at the repository root.
pub const CLIFF_TOML: &str = "cliff.toml";

/// Everything a changelog plan reads.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The changelog's bytes, `None` when the file does not exist yet.
    pub changelog: Option<Vec<u8>>,
    /// `cliff.toml`'s text, when there is one.
    pub cliff_toml: Option<String>,
    /// Every tag of the repository.
    pub tags: Vec<TagRef>,
    /// Without `all`: the latest release tag that `HEAD` contains (with `all`, the plan tells
    /// it from the log).
    pub last_tag: Option<String>,
    /// `git log` output in [`crate::git::LOG_FORMAT`]: the unreleased commits, or with `all`
    /// every commit reachable from `HEAD`.
    pub log: String,
    /// With `all` and paths: the ids of the commits that touch the paths, one per line.
    pub touching: Option<String>,
    /// The URL of the `origin` remote.
    pub remote_url: Option<String>,
}

/// Reads what [`super::plan`] needs for `request` from the work tree at `root`.
pub fn load(root: &Path, request: &Request) -> Result<Snapshot, ChangelogError> {
    let repo = Repo::discover(root).ok_or_else(|| ChangelogError::Request {
        message: format!("`{}` is not inside a git work tree", root.display()),
        help: "run monorel in a git repository: the changelog is made from its commits".into(),
    })?;
    // Never through a link, never outside the repository, never more than a bound.
    let tree = Tree::new(repo.root());
    let read = |path: &Path| -> Result<Option<Vec<u8>>, ChangelogError> {
        let path = path.to_string_lossy().replace('\\', "/");
        Ok(tree.read(&path, MAX_FILE_BYTES)?)
    };
    let changelog = read(&request.changelog)?;
    let cliff_toml = read(Path::new(CLIFF_TOML))?.map(|b| String::from_utf8_lossy(&b).into_owned());
    let rules = match &cliff_toml {
        Some(text) => super::rules::parse_cliff_toml(CLIFF_TOML, text)?,
        None => Rules::default(),
    };
    let remote_url = repo.remote_url("origin")?;
    if !repo.has_head() {
        return Ok(Snapshot { changelog, cliff_toml, remote_url, ..Snapshot::default() });
    }
    if request.all {
        // The whole history does not depend on the tags: both at once, the tags (and the
        // commits touching the paths) beside the log.
        let side = |repo: &Repo| -> Result<_, ChangelogError> {
            let touching = match request.paths.is_empty() {
                true => None,
                false => Some(repo.log_ids_touching(&request.paths)?),
            };
            Ok((repo.tags()?, touching))
        };
        let (tags, touching, log) = std::thread::scope(|scope| {
            let other = repo.handle().map(|other| scope.spawn(move || side(&other)));
            let log = repo.log(&LogRequest { exclude: &[], paths: &[] });
            let (tags, touching) = match other {
                Some(other) => other.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?,
                None => side(&repo)?,
            };
            Ok::<_, ChangelogError>((tags, touching, log?))
        })?;
        return Ok(Snapshot {
            changelog,
            cliff_toml,
            tags,
            last_tag: None,
            log,
            touching,
            remote_url,
        });
    }
    let tags = repo.tags()?;
    // Every final release's history is released, reachable from `HEAD` or not. A pre-release's
    // only where it is merged: a branch that never merged `v1.4.0-rc.1` keeps those commits
    // unreleased, its entries generated (its final release carries them). Which tags `HEAD`
    // contains is asked once, for all of them, when a pre-release with no final release yet
    // needs it (`for-each-ref --merged` walks the whole history: 1.1 s on 27,000 commits).
    // A pre-release whose final release is tagged is settled: the final carries its commits.
    let releases = release_tags(&tags, request, &rules);
    let finals: HashSet<(u64, u64, u64)> = releases
        .iter()
        .filter(|r| r.version.pre.is_empty())
        .map(|r| (r.version.major, r.version.minor, r.version.patch))
        .collect();
    let open = |r: &ReleaseTag<'_>| {
        !r.version.pre.is_empty()
            && !finals.contains(&(r.version.major, r.version.minor, r.version.patch))
    };
    let merged: Option<HashSet<String>> = match releases.iter().any(open) {
        true => Some(repo.tags_merged_into_head()?.into_iter().collect()),
        false => None,
    };
    let in_head = |name: &str| merged.as_ref().is_some_and(|m| m.contains(name));
    let mut exclude: Vec<String> = releases
        .iter()
        .filter(|r| !open(r) || in_head(&r.tag.name))
        .map(|r| r.tag.commit.clone())
        .collect();
    exclude.sort_unstable();
    exclude.dedup();
    let log = repo.log(&LogRequest { exclude: &exclude, paths: &request.paths })?;
    let last_tag = last_release(&repo, &releases, &log, merged.as_ref())?;
    let touching = None;
    Ok(Snapshot { changelog, cliff_toml, tags, last_tag, log, touching, remote_url })
}

/// The newest release (by version) whose tag `HEAD` contains, without a process per tag: from
/// `merged` when the tags `HEAD` contains were asked already; when the newest release's commit
/// is `HEAD` or the parent of an unreleased commit (a commit in `log`), `HEAD` contains it;
/// otherwise one `git for-each-ref --merged HEAD` answers for every tag at once.
fn last_release(
    repo: &Repo,
    releases: &[ReleaseTag<'_>],
    log: &str,
    merged: Option<&HashSet<String>>,
) -> Result<Option<String>, ChangelogError> {
    let newest_in = |merged: &HashSet<String>| {
        releases.iter().rev().find(|r| merged.contains(&r.tag.name)).map(|r| r.tag.name.clone())
    };
    if let Some(merged) = merged {
        return Ok(newest_in(merged));
    }
    let Some(newest) = releases.last() else { return Ok(None) };
    // Any parent of a commit `HEAD` contains is an ancestor of `HEAD` (with paths too).
    let commits = super::commits::parse_log(log)?;
    let at = newest.tag.commit.as_str();
    let contained = match commits.is_empty() {
        true => repo.head()? == at,
        false => commits.iter().any(|c| c.parents.split_whitespace().any(|p| p == at)),
    };
    if contained {
        return Ok(Some(newest.tag.name.clone()));
    }
    let merged: HashSet<String> = repo.tags_merged_into_head()?.into_iter().collect();
    Ok(newest_in(&merged))
}

/// The tags that are releases: they follow the request's pattern and `cliff.toml` does not
/// ignore them; lowest version first.
pub(crate) fn release_tags<'t>(
    tags: &'t [TagRef],
    request: &Request,
    rules: &Rules,
) -> Vec<ReleaseTag<'t>> {
    let mut releases: Vec<ReleaseTag<'t>> = tags
        .iter()
        .filter(|t| !rules.ignore_tags.as_ref().is_some_and(|re| re.is_match(&t.name)))
        .filter_map(|t| {
            Some(ReleaseTag { version: request.tag_pattern.version_of(&t.name)?, tag: t })
        })
        .collect();
    releases.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.tag.name.cmp(&b.tag.name)));
    releases
}
