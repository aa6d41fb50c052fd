//! The branch-flow steps of a release (`Step::Branch`, `Merge`, `BackMerge`, `DeleteBranch`,
//! and the flow's push), run by the one executor in `execute.rs`, and `--abort` of a flow.
//!
//! Each step can run again after a crash or a stop and reach the same result: a branch that
//! exists at the planned commit is switched to, a merge whose source the target already holds is
//! done, a merge stopped on conflicts is taken up where it stopped (the changelog is merged by
//! `changelog::merge3`; anything else waits for the person, then `--resume` commits the merge).

use std::{fs, path::Path, process::ExitCode};

use anyhow::{Context, bail};
use monorel::{
    apply, changelog,
    git::Repo,
    release::{
        ReleasePlan, Step,
        flow::{FlowPlan, Merge},
        state::{self, State},
    },
};

use super::execute::{remove_stale_temporaries, restore_files, short, starting_bytes};
use crate::render::outln;

/// `Step::Branch`: creates the flow's branch at its planned commit and switches to it.
pub(super) fn branch(repo: &Repo, flow: &FlowPlan) -> anyhow::Result<()> {
    let Some(new) = &flow.new_branch else { return Ok(()) };
    if repo.current_branch().as_deref() == Some(new.name.as_str()) {
        return Ok(());
    }
    match repo.branch_commit(&new.name) {
        Some(_) => repo.switch(&new.name)?,
        None => repo.switch_new(&new.name, &new.commit)?,
    }
    Ok(())
}

/// `Step::Merge` and `Step::BackMerge`: each merge, unless its target holds its source already.
/// Returns the commit of the last merge's target.
pub(super) fn merges(
    repo: &Repo,
    dir: &Path,
    flow: &FlowPlan,
    merges: &[Merge],
) -> anyhow::Result<Option<String>> {
    let mut last = None;
    for m in merges {
        merge(repo, dir, flow, m)?;
        last = repo.branch_commit(&m.into);
    }
    Ok(last)
}

fn merge(repo: &Repo, dir: &Path, flow: &FlowPlan, m: &Merge) -> anyhow::Result<()> {
    let from = repo
        .branch_commit(&m.from)
        .with_context(|| format!("branch `{}` is gone\nhelp: `monorel release --abort`", m.from))?;
    if repo.merge_in_progress() {
        if repo.current_branch().as_deref() != Some(m.into.as_str())
            || repo.merge_head().as_deref() != Some(from.as_str())
        {
            bail!(
                "a merge other than the release's merge of `{}` into `{}` is in progress\nhelp: finish or abort it (`git merge --abort`), then `monorel release --resume`",
                m.from,
                m.into
            );
        }
    } else {
        let into = repo.branch_commit(&m.into).with_context(|| {
            format!("branch `{}` is gone\nhelp: `monorel release --abort`", m.into)
        })?;
        if repo.is_ancestor(&from, &into)? {
            if repo.current_branch().as_deref() != Some(m.into.as_str()) {
                repo.switch(&m.into)?;
            }
            return Ok(());
        }
        if repo.current_branch().as_deref() != Some(m.into.as_str()) {
            repo.switch(&m.into)?;
        }
        if repo.merge(&m.from, &m.message, m.no_ff)? {
            return Ok(());
        }
    }
    let unmerged = repo.unmerged_paths()?;
    let mut resolved = false;
    if unmerged.contains(&flow.changelog) {
        let path = &flow.changelog;
        if let (Some(ours), Some(theirs)) = (repo.stage_bytes(2, path), repo.stage_bytes(3, path)) {
            let base = repo.stage_bytes(1, path);
            if let Ok(merged) = changelog::merge3(path, base.as_deref(), &ours, &theirs) {
                apply::write_atomic(&dir.join(path), &merged)
                    .with_context(|| format!("cannot write `{path}`"))?;
                repo.add(std::slice::from_ref(path))?;
                resolved = true;
            }
        }
    }
    let left = repo.unmerged_paths()?;
    if left.is_empty() {
        if resolved {
            outln!(
                "    resolved the conflict in `{}`: both sides' [Unreleased] entries, the released sections of `{}` (`monorel merge-driver --install` makes plain `git merge` do the same)",
                flow.changelog,
                m.from
            );
        }
        repo.commit_merge()?;
        return Ok(());
    }
    let list: Vec<String> = left.iter().map(|p| format!("`{p}`")).collect();
    bail!(
        "the merge of `{}` into `{}` stopped on conflicts in {}{}\nhelp: resolve them and `git add {}`, then `monorel release --resume` (it commits the merge and goes on); or `monorel release --abort` to undo the release",
        m.from,
        m.into,
        list.join(", "),
        if resolved { format!(" (monorel resolved `{}`)", flow.changelog) } else { String::new() },
        left.join(" ")
    )
}

/// `Step::DeleteBranch`: deletes the finished branch here (the push deletes it there).
pub(super) fn delete_branch(repo: &Repo, flow: &FlowPlan) -> anyhow::Result<()> {
    let Some(name) = &flow.delete_branch else { return Ok(()) };
    if repo.current_branch().as_deref() == Some(name.as_str()) {
        repo.switch(&flow.end_branch)?;
    }
    if repo.branch_commit(name).is_some() {
        repo.delete_branch(name)?;
    }
    Ok(())
}

/// `Step::Push` of a flow: every branch, the tag and the deletion, in one atomic push, unless
/// the remote has them all already.
pub(super) fn push(repo: &Repo, plan: &ReleasePlan, flow: &FlowPlan) -> anyhow::Result<()> {
    let push = plan.push.clone().context("no push planned")?;
    let remote = &push.remote;
    let mut has_all = true;
    if flow.tag {
        let remote_tag = repo.remote_ref(remote, &format!("refs/tags/{}", plan.tag))?;
        let local = repo.tag_object(&plan.tag).unwrap_or_default();
        match remote_tag {
            Some(theirs) if theirs != local => bail!(
                "tag `{}` on `{remote}` ({theirs}) is not this release's tag: someone else pushed it meanwhile\nhelp: nothing of this release was pushed; undo it with `monorel release --abort`, then release another version",
                plan.tag
            ),
            Some(_) => {}
            None => has_all = false,
        }
    }
    for branch in &flow.push_branches {
        let there = repo.remote_ref(remote, &format!("refs/heads/{branch}"))?;
        has_all &= there.is_some() && there == repo.branch_commit(branch);
    }
    if let (Some(branch), true) = (&flow.delete_branch, flow.delete_remote) {
        has_all &= repo.remote_ref(remote, &format!("refs/heads/{branch}"))?.is_none();
    }
    if !has_all {
        repo.push_atomic_upstream(remote, &flow.refspecs(&plan.tag), flow.set_upstream).map_err(
            |e| anyhow::anyhow!("{e}\nhelp: nothing was pushed (`--atomic`); fix the remote and run `monorel release --resume`"),
        )?;
    }
    Ok(())
}

/// `--abort` of a flow (what was pushed was checked by the caller): the merge in progress
/// aborted, every branch the flow moved put back where it was and every branch it created
/// deleted, the tag deleted, the start branch checked out with the files as they were. Refuses,
/// changing nothing, when a branch holds a commit the release did not make or a file holds an
/// edit.
pub(super) fn abort(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    state: &State,
    flow: &FlowPlan,
) -> anyhow::Result<ExitCode> {
    let plan = &state.plan;
    // A push that may have reached the remote (a branch there at this release's commit) is
    // public: it is finished, not undone.
    if let (Some(push), true) =
        (&plan.push, state.intent == Some(Step::Push) || state.is_done(Step::Push))
    {
        for branch in &flow.push_branches {
            let start =
                flow.refs_at_start.iter().find(|(b, _)| b == branch).and_then(|(_, c)| c.clone());
            let there =
                repo.remote_ref(&push.remote, &format!("refs/heads/{branch}")).ok().flatten();
            if there.is_some() && there == repo.branch_commit(branch) && there != start {
                bail!(
                    "`{branch}` is already on `{}` at this release's commit, so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`",
                    push.remote
                );
            }
        }
    }
    remove_stale_temporaries(dir, git_dir, state)?;
    let starts: Vec<String> = flow
        .refs_at_start
        .iter()
        .filter_map(|(_, c)| c.clone())
        .chain([state.start_head.clone()])
        .collect();
    let ours = |message: &str| {
        let message = message.trim_end();
        message == plan.commit_message.trim_end()
            || flow.release_merge.iter().chain(&flow.back_merges).any(|m| m.message == message)
            || plan.next_dev.as_ref().is_some_and(|d| d.message.trim_end() == message)
    };
    for (branch, _) in &flow.refs_at_start {
        let Some(tip) = repo.branch_commit(branch) else { continue };
        let foreign: Vec<String> = repo
            .commits_not_in(&tip, &starts)?
            .into_iter()
            .filter(|(_, message)| !ours(message))
            .map(|(id, _)| id)
            .collect();
        if let Some(id) = foreign.first() {
            bail!(
                "`{branch}` has commits the release did not make ({}); abort would lose them\nhelp: move them elsewhere first, or finish with `monorel release --resume`",
                short(Some(id))
            );
        }
    }
    let planned = starting_bytes(state);
    if repo.merge_in_progress() {
        repo.merge_abort()?;
    }
    let foreign: Vec<String> = repo
        .changed_tracked_files()?
        .into_iter()
        .filter(|f| !planned.iter().any(|(p, _)| p == f))
        .collect();
    if !foreign.is_empty() {
        bail!(
            "tracked files changed outside the release: {}\nhelp: commit or stash them, then `monorel release --abort`",
            foreign.join(", ")
        );
    }
    let edited: Vec<String> = planned
        .iter()
        .filter(|(p, _)| {
            !super::abort::known_bytes(state, p, fs::read(dir.join(p)).ok().as_deref())
        })
        .map(|(p, _)| format!("`{p}`"))
        .collect();
    if !edited.is_empty() {
        bail!(
            "{} changed by hand since the release wrote {}; abort would lose that\nhelp: save your changes elsewhere (`git diff > my.patch`), put the files back with `git checkout -- <file>`, then `monorel release --abort`",
            edited.join(", "),
            if edited.len() == 1 { "it" } else { "them" }
        );
    }
    // The tag did not exist when the flow started (preflight): at the commit it tags, it is ours.
    if flow.tag
        && repo.tag_commit(&plan.tag).is_some()
        && repo.tag_commit(&plan.tag) == state.release_commit
    {
        repo.delete_tag(&plan.tag)?;
    }
    if repo.current_branch().as_deref() != Some(flow.start_branch.as_str()) {
        repo.switch_discarding(&flow.start_branch)?;
    }
    repo.reset_hard(&state.start_head)?;
    let not_restored = restore_files(dir, state);
    if !not_restored.is_empty() {
        bail!(
            "the branch is back at {}, but {}\nhelp: fix the cause, then `monorel release --abort` again",
            short(Some(&state.start_head)),
            super::execute::not_restored_message(&not_restored)
        );
    }
    for (branch, start) in &flow.refs_at_start {
        if *branch == flow.start_branch {
            continue;
        }
        match (start, repo.branch_commit(branch)) {
            (Some(start), Some(now)) if now != *start => repo.set_branch(branch, start)?,
            (Some(start), None) => repo.set_branch(branch, start)?,
            (None, Some(_)) => repo.delete_branch(branch)?,
            _ => {}
        }
    }
    state::remove(git_dir)?;
    outln!(
        "aborted the release of {}: back on `{}` at {}, every branch where it was",
        plan.tag,
        flow.start_branch,
        short(Some(&state.start_head))
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether the flow's remaining steps can start from the branch checked out: a flow switches
/// branches itself, but a release commit goes on its own branch.
pub(super) fn check_branch(repo: &Repo, state: &State, flow: &FlowPlan) -> anyhow::Result<()> {
    let commit_pending = state.remaining().iter().any(|s| matches!(s, Step::Write | Step::Commit));
    let current = repo.current_branch();
    let expected = if state.is_done(Step::Branch) || flow.new_branch.is_none() {
        flow.commit_branch()
    } else {
        flow.start_branch.as_str()
    };
    if commit_pending && current.as_deref() != Some(expected) {
        bail!(
            "the release of {} makes its commit on `{expected}`, and `{}` is checked out\nhelp: `git switch {expected}`, then `monorel release --resume`",
            state.plan.tag,
            current.unwrap_or_else(|| "a detached HEAD".into())
        );
    }
    Ok(())
}

/// What a finished flow did.
pub(super) fn report(
    state: &State,
    flow: &FlowPlan,
    format: crate::args::Format,
) -> anyhow::Result<ExitCode> {
    let plan = &state.plan;
    if format == crate::args::Format::Json {
        let value = serde_json::json!({
            "outcome": format!("{} done", flow.kind.name()),
            "group": plan.group,
            "version": plan.to.to_string(),
            "tag": flow.tag.then_some(&plan.tag),
            "branch": flow.end_branch,
            "pushed": plan.push.is_some(),
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let what = match (&flow.new_branch, flow.tag) {
        (Some(b), _) => format!("branch `{}` for {}", b.name, plan.to),
        (None, true) => format!("released {}: tag `{}`", plan.to, plan.tag),
        (None, false) => format!("finished {}", plan.to),
    };
    outln!("\n{what}; on `{}` now", flow.end_branch);
    if plan.push.is_none() && !flow.push_branches.is_empty() {
        outln!(
            "next: `git push --atomic origin {}` (or run with `--push`)",
            flow.refspecs(&plan.tag).join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
