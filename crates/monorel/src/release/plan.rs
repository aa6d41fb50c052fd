//! The release plan: plain data, computed without IO from what was loaded.

use std::fmt;

use super::{flow::FlowPlan, next_dev, notes};
use crate::{
    changelog::{self, Promotion, TagPattern},
    config::ReleaseConfig,
    repo::{BumpPlan, PlanError as BumpPlanError, PlannedFile, Snapshot},
    version::Version,
};

/// What the user asked for, beyond the level.
#[derive(Debug, Clone, Default)]
pub struct ReleaseRequest {
    /// Push branch and tag (`--push`, or `release.push`).
    pub push: bool,
    /// Skip the configured hooks (`--no-hooks`).
    pub no_hooks: bool,
    /// Release even with nothing in `[Unreleased]`.
    pub allow_empty: bool,
    /// The branch has no upstream yet: the push sets it.
    pub set_upstream: bool,
}

/// The refs a release pushes, together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// The remote.
    pub remote: String,
    /// The branch.
    pub branch: String,
    /// The tag.
    pub tag: String,
    /// Make `<remote>/<branch>` the branch's upstream once pushed (it had none).
    pub set_upstream: bool,
}

impl Push {
    /// The refspecs for `git push --atomic`.
    pub fn refs(&self) -> Vec<String> {
        vec![
            format!("refs/heads/{0}:refs/heads/{0}", self.branch),
            format!("refs/tags/{0}:refs/tags/{0}", self.tag),
        ]
    }
}

/// The next development version, committed after the release.
#[derive(Debug, Clone)]
pub struct NextDev {
    /// `1.4.0-dev` after `1.3.0` (`1.4.0.dev0` in Python files).
    pub version: Version,
    /// Its commit message (`[release] next-dev-message`).
    pub message: String,
    /// Every file it writes, bytes after the release to bytes after it
    /// ([`ReleasePlan::plan_next_dev_files`]; empty until planned).
    pub files: Vec<PlannedFile>,
}

/// One step of a release, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Create the flow's branch and switch to it.
    Branch,
    /// Write every planned file (all or none).
    Write,
    /// Run the pre-commit hooks; a failure restores the files.
    PreCommit,
    /// Commit exactly the planned files.
    Commit,
    /// Merge the flow's branch into `main` (`--no-ff`): the commit the tag names.
    Merge,
    /// Create the annotated tag.
    Tag,
    /// Run the post-tag hooks.
    PostTag,
    /// Merge back into `develop` (or the open release branch).
    BackMerge,
    /// Commit the next development version.
    NextDev,
    /// Delete the finished branch.
    DeleteBranch,
    /// Push the branch and the tag together.
    Push,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 11] = [
        Step::Branch,
        Step::Write,
        Step::PreCommit,
        Step::Commit,
        Step::Merge,
        Step::Tag,
        Step::PostTag,
        Step::BackMerge,
        Step::NextDev,
        Step::DeleteBranch,
        Step::Push,
    ];

    /// The step's name in the state file and in `MONOREL_FAIL_AFTER`.
    pub fn name(self) -> &'static str {
        match self {
            Step::Branch => "branch",
            Step::Write => "write",
            Step::PreCommit => "pre-commit",
            Step::Commit => "commit",
            Step::Merge => "merge",
            Step::Tag => "tag",
            Step::PostTag => "post-tag",
            Step::BackMerge => "back-merge",
            Step::NextDev => "next-dev",
            Step::DeleteBranch => "delete-branch",
            Step::Push => "push",
        }
    }

    /// The step named `name`.
    pub fn from_name(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A release, planned.
#[derive(Debug, Clone)]
pub struct ReleasePlan {
    /// The group released.
    pub group: String,
    /// Its version now.
    pub from: Version,
    /// The version released.
    pub to: Version,
    /// The tag.
    pub tag: String,
    /// The release date (`YYYY-MM-DD`).
    pub date: String,
    /// The branch released from.
    pub branch: String,
    /// Every file written: the version sites and the changelog.
    pub files: Vec<PlannedFile>,
    /// The release commit's message.
    pub commit_message: String,
    /// The release notes: the body of the release's changelog section.
    pub notes: String,
    /// `[release] tag-message` with `{tag}`, `{version}` and `{group}` filled; `{notes}` is
    /// filled when the tag is made ([`ReleasePlan::tag_message`]), so edited notes count.
    pub tag_template: String,
    /// Sign the tag.
    pub sign: bool,
    /// Shell commands before the commit.
    pub pre_commit: Vec<String>,
    /// Shell commands after the tag.
    pub post_tag: Vec<String>,
    /// The next development version, when configured.
    pub next_dev: Option<NextDev>,
    /// What to push, when pushing.
    pub push: Option<Push>,
    /// The branch flow (`release start`, `finish`, `hotfix`, `tag`); `None`: a trunk release.
    pub flow: Option<FlowPlan>,
}

impl ReleasePlan {
    /// The steps this plan takes, in order.
    pub fn steps(&self) -> Vec<Step> {
        let flow = self.flow.as_ref();
        let commits = !self.files.is_empty();
        let tags = flow.is_none_or(|f| f.tag);
        Step::ALL
            .into_iter()
            .filter(|step| match step {
                Step::Branch => flow.is_some_and(|f| f.new_branch.is_some()),
                Step::Write | Step::Commit => commits,
                Step::PreCommit => commits && !self.pre_commit.is_empty(),
                Step::Merge => flow.is_some_and(|f| f.release_merge.is_some()),
                Step::Tag => tags,
                Step::PostTag => tags && !self.post_tag.is_empty(),
                Step::BackMerge => flow.is_some_and(|f| !f.back_merges.is_empty()),
                Step::NextDev => self.next_dev.is_some(),
                Step::DeleteBranch => flow.is_some_and(|f| f.delete_branch.is_some()),
                Step::Push => self.push.is_some(),
            })
            .collect()
    }

    /// Plans the next development version's files on top of this release's
    /// (`next_dev::plan_files`), so the dry run shows them and `--execute` writes exactly them.
    pub fn plan_next_dev_files(&mut self, snapshot: &Snapshot) -> Result<(), BumpPlanError> {
        if let Some(dev) = &mut self.next_dev {
            dev.files = next_dev::plan_files(snapshot, &self.files, &self.group, &dev.version)?;
        }
        Ok(())
    }

    /// The annotated tag's message (`notes::tag_message`).
    pub fn tag_message(&self) -> String {
        super::notes::tag_message(&self.tag_template, &self.notes)
    }

    /// Whether this release fixes security issues (its notes have a `### Security` section).
    pub fn is_security(&self) -> bool {
        super::notes::is_security(&self.notes)
    }

    /// The paths the release commit contains.
    pub fn paths(&self) -> Vec<String> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// What each step does, for the dry run.
    pub fn describe(&self, step: Step) -> String {
        let flow = self.flow.as_ref();
        let merge = |m: &super::flow::Merge| {
            format!(
                "merge `{}` into `{}`{}: \"{}\" (a conflict in `CHANGELOG.md` is resolved by monorel; any other stops the release, resumable)",
                m.from,
                m.into,
                if m.no_ff { " with `--no-ff`" } else { "" },
                m.message
            )
        };
        match step {
            Step::Branch => match flow.and_then(|f| f.new_branch.as_ref()) {
                Some(b) => format!(
                    "create branch `{}` from `{}` ({}) and switch to it",
                    b.name,
                    b.from,
                    &b.commit[..b.commit.len().min(10)]
                ),
                None => String::new(),
            },
            Step::Merge => {
                flow.and_then(|f| f.release_merge.as_ref()).map(merge).unwrap_or_default()
            }
            Step::BackMerge => flow
                .map(|f| f.back_merges.iter().map(merge).collect::<Vec<_>>().join("; then "))
                .unwrap_or_default(),
            Step::DeleteBranch => match flow.and_then(|f| f.delete_branch.as_ref().map(|b| (f, b)))
            {
                Some((f, b)) => format!(
                    "delete branch `{b}`{}",
                    if f.delete_remote { " here and, with the push, on the remote" } else { "" }
                ),
                None => String::new(),
            },
            Step::Write => {
                let paths: Vec<String> =
                    self.files.iter().map(|f| format!("`{}`", f.path)).collect();
                format!(
                    "write {} file{} (all or none): {}",
                    paths.len(),
                    plural(paths.len()),
                    paths.join(", ")
                )
            }
            Step::PreCommit => format!(
                "run {}",
                self.pre_commit
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", then ")
            ),
            Step::Commit => format!(
                "commit exactly those files: \"{}\"",
                self.commit_message.lines().next().unwrap_or("")
            ),
            Step::Tag => format!(
                "create the annotated{} tag `{}` at {}, its message {}",
                if self.sign { ", signed," } else { "" },
                self.tag,
                match flow {
                    Some(f) if f.release_merge.is_some() => "the merge commit",
                    Some(_) if self.files.is_empty() => "`HEAD`",
                    _ => "that commit",
                },
                if self.tag_template.trim() == "{notes}" {
                    "the release notes".to_string()
                } else {
                    format!("from `[release] tag-message` (`{}`)", self.tag_template.escape_debug())
                }
            ),
            Step::PostTag => format!(
                "run {}",
                self.post_tag.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", then ")
            ),
            Step::NextDev => match &self.next_dev {
                Some(dev) => format!(
                    "bump to the next development version {} and commit it: \"{}\"",
                    dev.version, dev.message
                ),
                None => String::new(),
            },
            Step::Push => match (&self.push, flow) {
                (Some(p), Some(f)) => {
                    let mut refs: Vec<String> =
                        f.push_branches.iter().map(|b| format!("`{b}`")).collect();
                    if f.tag {
                        refs.push(format!("`{}`", p.tag));
                    }
                    if let (Some(b), true) = (&f.delete_branch, f.delete_remote) {
                        refs.push(format!("the deletion of `{b}`"));
                    }
                    format!(
                        "push {} to `{}` together (`git push --atomic{}`)",
                        refs.join(", "),
                        p.remote,
                        if f.set_upstream { " --set-upstream" } else { "" }
                    )
                }
                (Some(p), None) => format!(
                    "push `{}` and `{}` to `{}` together (`git push --atomic`){}",
                    p.branch,
                    p.tag,
                    p.remote,
                    if p.set_upstream {
                        format!(", and make `{}/{}` the branch's upstream", p.remote, p.branch)
                    } else {
                        String::new()
                    }
                ),
                (None, _) => String::new(),
            },
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why there is no release plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The changelog cannot be promoted.
    #[error(transparent)]
    Changelog(#[from] changelog::ChangelogError),
    /// There is nothing to release.
    #[error(
        "nothing to release: `{changelog}` has no entries under `[Unreleased]` and no releasable commits since `{since}`\nhelp: land a `feat:` or `fix:` commit, write entries by hand, or pass `--allow-empty`"
    )]
    Empty {
        /// The changelog.
        changelog: String,
        /// The last release.
        since: String,
    },
}

/// Builds the release plan from the bump, the changelog as `monorel changelog` would write it,
/// and the configuration.
#[allow(clippy::too_many_arguments)] // each is one loaded fact; a struct would only rename them
pub fn plan_release(
    bump: BumpPlan,
    changelog_path: &str,
    changelog_before: Option<Vec<u8>>,
    changelog_generated: &[u8],
    date: &str,
    branch: &str,
    remote: Option<&str>,
    config: &ReleaseConfig,
    tag_pattern: &TagPattern,
    request: &ReleaseRequest,
) -> Result<ReleasePlan, PlanError> {
    let mut promoted = changelog::promote(
        changelog_path,
        changelog_generated,
        &Promotion { version: &bump.to, date, tag_pattern, forge: None },
    )?;
    let mut notes = changelog::notes(changelog_path, &promoted, &bump.to.to_string())?;
    if notes::is_security(&notes) {
        let heading = changelog::heading_line(&promoted, &bump.to)
            .unwrap_or_else(|| format!("## [{}] - {date}", bump.to));
        promoted = notes::mark_security(&promoted, &heading);
        notes = changelog::notes(changelog_path, &promoted, &bump.to.to_string())?;
    }
    // An empty `[Unreleased]` is promoted as `changelog --all` writes an empty release.
    let empty = notes.trim().is_empty() || notes.trim() == changelog::NO_CHANGES;
    if empty && !request.allow_empty {
        let since = bump.tag.replace(&bump.to.to_string(), &bump.from.to_string());
        return Err(PlanError::Empty { changelog: changelog_path.to_string(), since });
    }
    let mut files = bump.files;
    files.push(PlannedFile {
        path: changelog_path.to_string(),
        before: changelog_before.unwrap_or_default(),
        after: promoted,
        changes: Vec::new(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let fill = |template: &str, version: &Version, tag: &str| {
        template
            .replace("{version}", &version.to_string())
            .replace("{tag}", tag)
            .replace("{group}", &bump.group)
    };
    let next_dev = config.next_dev.then(|| {
        let version = next_dev::version(&bump.to, branch);
        let message = fill(&config.next_dev_message, &version, &bump.tag);
        NextDev { version, message, files: Vec::new() }
    });
    let push = (request.push || config.push).then(|| {
        remote.map(|remote| Push {
            remote: remote.to_string(),
            branch: branch.to_string(),
            tag: bump.tag.clone(),
            set_upstream: request.set_upstream,
        })
    });
    let (pre_commit, post_tag) = if request.no_hooks {
        (Vec::new(), Vec::new())
    } else {
        (config.pre_commit.clone(), config.post_tag.clone())
    };
    Ok(ReleasePlan {
        commit_message: fill(&config.commit_message, &bump.to, &bump.tag),
        tag_template: fill(&config.tag_message, &bump.to, &bump.tag),
        group: bump.group,
        from: bump.from,
        to: bump.to,
        tag: bump.tag,
        date: date.to_string(),
        branch: branch.to_string(),
        files,
        notes,
        sign: config.sign,
        pre_commit,
        post_tag,
        next_dev,
        push: push.flatten(),
        flow: None,
    })
}
