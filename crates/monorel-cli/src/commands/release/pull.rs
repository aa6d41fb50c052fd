//! `release --pull`: the branch fast-forwarded to its upstream before the release is planned,
//! as a release script's `git pull` does, but never a merge or a rebase: a branch that has
//! diverged, or tracked changes, stop it with the fix.

use anyhow::bail;
use monorel::git::Repo;

/// Fetches the branch's remote and fast-forwards the branch to `<remote>/<branch>`; says what
/// moved (`None`: it was up to date).
pub(crate) fn fast_forward(repo: &Repo) -> anyhow::Result<Option<String>> {
    let Some(branch) = repo.current_branch() else {
        bail!(
            "`--pull` needs a branch, and `HEAD` is detached\nhelp: check out the release branch, e.g. `git switch main`"
        );
    };
    let Some(remote) = repo.remote_for(&branch) else {
        bail!(
            "`--pull` needs a remote, and `{branch}` has none\nhelp: add one (`git remote add origin <url>`), or release without `--pull`"
        );
    };
    repo.fetch(&remote)
        .map_err(|e| anyhow::anyhow!("{e}\nhelp: fix the remote, or release without `--pull`"))?;
    let upstream = format!("{remote}/{branch}");
    if !repo.rev_exists(&format!("refs/remotes/{upstream}")) {
        return Ok(None); // nothing there yet: the release pushes it first
    }
    let (behind, ahead) = repo.behind_ahead(&upstream)?;
    if behind == 0 {
        return Ok(None);
    }
    if ahead > 0 {
        bail!(
            "`{branch}` and `{upstream}` have diverged ({ahead} and {behind} commits of their own), so `--pull` cannot fast-forward\nhelp: merge or rebase by hand (`git pull --rebase`), then release"
        );
    }
    let changed = repo.changed_tracked_files()?;
    if !changed.is_empty() {
        bail!(
            "`--pull` would move the files under changes: {}\nhelp: commit or stash them first",
            changed.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        );
    }
    repo.fast_forward(&upstream)?;
    Ok(Some(format!(
        "fast-forwarded `{branch}` by {behind} commit{} to `{upstream}`",
        if behind == 1 { "" } else { "s" }
    )))
}
