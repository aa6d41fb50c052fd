//! Preflight: every reason not to release, found before anything changes, reported together.
//!
//! [`load_facts`] asks git (the only IO here); [`check`] compares the facts with the plan.

use crate::{
    config::{ReleaseConfig, wildcard},
    git::{GitError, Repo},
};

/// What preflight needs to know of the repository.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The branch checked out; `None` when `HEAD` is detached.
    pub branch: Option<String>,
    /// Tracked files with changes.
    pub changed: Vec<String>,
    /// The remote the branch pushes to.
    pub remote: Option<String>,
    /// The remote's default branch, as last fetched.
    pub default_branch: Option<String>,
    /// `git fetch` failed (not run with `--offline`).
    pub fetch_error: Option<String>,
    /// Commits `HEAD` is behind its upstream, and the upstream's name.
    pub behind: Option<(usize, String)>,
    /// The new tag exists here.
    pub tag_local: bool,
    /// The new tag exists here on a commit `HEAD` does not contain (released from another
    /// branch: a hotfix not merged here).
    pub tag_elsewhere: bool,
    /// The new tag exists on the remote (`None`: not asked, offline or no remote).
    pub tag_remote: Option<bool>,
    /// A release is in progress (a state file exists).
    pub in_progress: bool,
}

/// One reason not to release, with the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// Reads the facts: branch, changes, remote, upstream (after `git fetch` unless `offline`) and
/// whether `tag` exists here and there.
pub fn load_facts(
    repo: &Repo,
    tag: &str,
    offline: bool,
    in_progress: bool,
) -> Result<Facts, GitError> {
    let branch = repo.current_branch();
    let changed = repo.changed_tracked_files()?;
    let remote = branch.as_deref().and_then(|b| repo.remote_for(b));
    let tag_commit = repo.tag_commit(tag);
    let tag_elsewhere = match &tag_commit {
        Some(commit) => !repo.is_ancestor_of_head(commit)?,
        None => false,
    };
    let mut facts = Facts {
        changed,
        tag_local: tag_commit.is_some(),
        tag_elsewhere,
        in_progress,
        ..Facts::default()
    };
    if let Some(remote) = &remote {
        if !offline {
            if let Err(e) = repo.fetch(remote) {
                facts.fetch_error = Some(e.message);
            }
            facts.tag_remote =
                repo.remote_ref(remote, &format!("refs/tags/{tag}")).ok().map(|r| r.is_some());
        }
        facts.default_branch = repo.remote_default_branch(remote);
        if let Some(branch) = &branch {
            let upstream = format!("{remote}/{branch}");
            if repo.rev_exists(&format!("refs/remotes/{upstream}")) {
                let (behind, _) = repo.behind_ahead(&upstream)?;
                facts.behind = Some((behind, upstream));
            }
        }
    }
    facts.branch = branch;
    facts.remote = remote;
    Ok(facts)
}

/// Every problem with releasing `tag` from this repository, in the order a person fixes them.
pub fn check(
    facts: &Facts,
    config: &ReleaseConfig,
    tag: &str,
    push: bool,
    offline: bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut problem =
        |message: String, help: &str| problems.push(Problem { message, help: help.to_string() });
    if facts.in_progress {
        problem(
            "a release is already in progress".into(),
            "finish it with `monorel release --resume`, undo it with `monorel release --abort`, or forget it with `monorel release --quit`",
        );
    }
    match &facts.branch {
        None => problem(
            "`HEAD` is detached: a release is cut from a branch".into(),
            "check out the release branch, e.g. `git switch main`",
        ),
        Some(branch) => {
            let allowed: Vec<String> = if config.branches.is_empty() {
                match &facts.default_branch {
                    Some(default) => vec![default.clone()],
                    None => vec!["main".into(), "master".into()],
                }
            } else {
                config.branches.clone()
            };
            if !allowed.iter().any(|pattern| wildcard(pattern, branch)) {
                let list: Vec<String> = allowed.iter().map(|b| format!("`{b}`")).collect();
                problem(
                    format!("releases are cut from {}, and this is `{branch}`", list.join(" or ")),
                    "switch to the release branch, or allow this one in `monorel.toml` (`[release] branches`)",
                );
            }
        }
    }
    if !facts.changed.is_empty() {
        let files: Vec<String> = facts.changed.iter().take(5).map(|f| format!("`{f}`")).collect();
        let more = if facts.changed.len() > 5 {
            format!(" and {} more", facts.changed.len() - 5)
        } else {
            String::new()
        };
        problem(
            format!("tracked files have changes: {}{more}", files.join(", ")),
            "commit or stash them first: the release commit must hold only the release",
        );
    }
    if let Some(error) = &facts.fetch_error {
        problem(
            format!(
                "`git fetch` failed, so it is unknown whether the branch is up to date: {error}"
            ),
            "fix the remote, or pass `--offline` to release without checking it",
        );
    }
    if let Some((behind, upstream)) = &facts.behind {
        if *behind > 0 {
            problem(
                format!(
                    "the branch is {behind} commit{} behind `{upstream}`",
                    if *behind == 1 { "" } else { "s" }
                ),
                "pull first (`git pull --rebase`), or release with `--pull` to fast-forward",
            );
        }
    }
    if facts.tag_local && facts.tag_elsewhere {
        problem(
            format!(
                "tag `{tag}` already exists, on a commit this branch does not contain: it was released elsewhere (a hotfix not merged here, or a release from another clone)"
            ),
            &format!(
                "merge or pull that release first (`git merge {tag}`), then release the next version"
            ),
        );
    } else if facts.tag_local {
        problem(
            format!("tag `{tag}` already exists"),
            "choose another version, or delete the tag if it was a mistake (`git tag -d`)",
        );
    } else if facts.tag_remote == Some(true) {
        problem(
            format!(
                "tag `{tag}` already exists on `{}`",
                facts.remote.as_deref().unwrap_or("the remote")
            ),
            "choose another version, or run `monorel release --abort` if a release was interrupted",
        );
    }
    if push && facts.remote.is_none() {
        problem(
            "`--push` was asked for, but the branch has no remote".into(),
            "add one (`git remote add origin <url>`), or release without `--push`",
        );
    }
    if push && offline {
        problem("`--push` and `--offline` contradict each other".into(), "drop one of them");
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> Facts {
        Facts {
            branch: Some("main".into()),
            remote: Some("origin".into()),
            tag_remote: Some(false),
            ..Facts::default()
        }
    }

    fn messages(facts: &Facts, config: &ReleaseConfig) -> Vec<String> {
        check(facts, config, "v1.3.0", false, false).into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_clean_repository_passes() {
        assert!(messages(&clean(), &ReleaseConfig::default()).is_empty());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let facts = Facts {
            branch: Some("feature/x".into()),
            changed: vec!["src/lib.rs".into()],
            behind: Some((2, "origin/feature/x".into())),
            tag_local: true,
            in_progress: true,
            ..clean()
        };
        assert_eq!(
            messages(&facts, &ReleaseConfig::default()),
            [
                "a release is already in progress",
                "releases are cut from `main` or `master`, and this is `feature/x`",
                "tracked files have changes: `src/lib.rs`",
                "the branch is 2 commits behind `origin/feature/x`",
                "tag `v1.3.0` already exists",
            ]
        );
    }

    #[test]
    fn branches_follow_the_configuration_then_the_remote_default() {
        let config =
            ReleaseConfig { branches: vec!["release/*".into()], ..ReleaseConfig::default() };
        let on = |branch: &str, config: &ReleaseConfig, default: Option<&str>| {
            let facts = Facts {
                branch: Some(branch.into()),
                default_branch: default.map(Into::into),
                ..clean()
            };
            messages(&facts, config).is_empty()
        };
        assert!(on("release/1.3", &config, None));
        assert!(!on("main", &config, None));
        assert!(on("trunk", &ReleaseConfig::default(), Some("trunk")));
        assert!(!on("main", &ReleaseConfig::default(), Some("trunk")));
        let detached = Facts { branch: None, ..clean() };
        assert_eq!(
            messages(&detached, &ReleaseConfig::default()),
            ["`HEAD` is detached: a release is cut from a branch"]
        );
    }
}
