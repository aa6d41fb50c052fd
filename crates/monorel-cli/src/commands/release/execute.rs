//! Carrying out a release plan one step at a time, recording each step in the state file, and
//! the two ways out of an interrupted release: `--resume` finishes it, `--abort` undoes it.
//!
//! Every step can run again after a crash and reach the same result: files are written only if
//! they are not already what the plan says, an existing release commit or tag made by this
//! release is recognised, a push that already reached the remote is not repeated. What cannot be
//! told from the repository is recorded before it is done (the step's `intent`, the next
//! development version's files). `--resume` and `--abort` first remove the temporary files a
//! killed run left beside the planned files. In the tests' build only
//! (`monorel::fault`), `MONOREL_FAIL_AFTER=<step>` stops the process right after a step is
//! recorded.

use std::{
    fs, io,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, bail};
use monorel::{
    apply,
    git::Repo,
    release::{
        ReleasePlan, Step,
        state::{self, State},
    },
    repo::{self, BumpRequest, PlannedFile},
    version::Level,
};
use xshell::{Shell, cmd};

use super::{flow_steps, interrupt};
use crate::{args::Format, render::outln};

/// Records the plan, then runs every step.
pub(crate) fn start(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    plan: ReleasePlan,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let absent_at_start =
        plan.files.iter().filter(|f| !dir.join(&f.path).exists()).map(|f| f.path.clone()).collect();
    let head = repo.head()?;
    // A flow with nothing to commit tags what is there (the tip of the branch being released).
    let release_commit = plan.files.is_empty().then(|| head.clone());
    // Planned with the release: recorded with it, before anything is written.
    let dev_files = plan.next_dev.as_ref().map(|d| d.files.clone()).unwrap_or_default();
    let state = State {
        start_head: head,
        plan,
        done: Vec::new(),
        release_commit,
        dev_commit: None,
        absent_at_start,
        intent: None,
        dev_files,
    };
    state::create(git_dir, &state)?;
    run_steps(repo, dir, git_dir, state, format)
}

/// `--resume`: checks the repository is where the release left it, then runs the remaining steps.
pub(crate) fn resume(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    format: Format,
) -> anyhow::Result<ExitCode> {
    if !state::exists(git_dir) {
        bail!(
            "no release is in progress\nhelp: start one with `monorel release <level> --execute`"
        );
    }
    let state = super::abort::load_state(git_dir)?;
    let plan = &state.plan;
    if let Some(flow) = &plan.flow {
        flow_steps::check_branch(repo, &state, flow)?;
    } else if repo.current_branch().as_deref() != Some(plan.branch.as_str()) {
        bail!(
            "the release of {} was started on `{}`, and `{}` is checked out\nhelp: `git switch {}`, then `monorel release --resume`",
            plan.tag,
            plan.branch,
            repo.current_branch().unwrap_or_else(|| "a detached HEAD".into()),
            plan.branch
        );
    }
    remove_stale_temporaries(dir, git_dir, &state)?;
    let mismatches = mismatches(repo, dir, &state)?;
    if !mismatches.is_empty() {
        bail!(
            "the repository no longer matches the release of {} in progress: {}\nhelp: put it back as the release left it and resume, undo the release with `monorel release --abort`, {}",
            plan.tag,
            mismatches.join("; "),
            super::abort::QUIT
        );
    }
    let remaining: Vec<&str> = state.remaining().iter().map(|s| s.name()).collect();
    outln!(
        "resuming the release of {} (group `{}`): {} to do",
        plan.tag,
        plan.group,
        remaining.join(", ")
    );
    run_steps(repo, dir, git_dir, state, format)
}

/// What makes the repository differ from what the recorded steps left: a `HEAD` that is no
/// commit of the release, planned files holding bytes the release never had, files the plan
/// names that are not there.
fn mismatches(repo: &Repo, dir: &Path, state: &State) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    // A flow moves between branches (merges, back-merges): its steps check where they are.
    if state.plan.flow.is_some() {
        return Ok(found);
    }
    let head = repo.head()?;
    let release = release_commit(repo, state)?;
    let with_release = State { release_commit: release.clone(), ..state.clone() };
    let dev = dev_commit(repo, &with_release)?;
    if head != state.start_head && ![release, dev].contains(&Some(head.clone())) {
        found.push(format!(
            "`HEAD` is at {}, which is neither where the release started ({}) nor a commit it made",
            short(Some(&head)),
            short(Some(&state.start_head))
        ));
    }
    let written = state.is_done(Step::Write) && !state.is_done(Step::Commit);
    for (path, _) in starting_bytes(state) {
        let planned = state.plan.files.iter().chain(&state.dev_files).filter(|f| f.path == path);
        let now = fs::read(dir.join(path)).ok();
        let what = match &now {
            None if state.absent_at_start.iter().any(|a| a == path) => continue,
            None => "is missing",
            Some(bytes) if !planned.clone().any(|f| f.before == *bytes || f.after == *bytes) => {
                "holds bytes the release neither started from nor wrote"
            }
            Some(bytes)
                if written
                    && state.plan.files.iter().any(|f| f.path == path && f.after != *bytes) =>
            {
                "is no longer what the release wrote"
            }
            Some(_) => continue,
        };
        found.push(format!("`{path}` {what}"));
    }
    Ok(found)
}

fn run_steps(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    mut state: State,
    format: Format,
) -> anyhow::Result<ExitCode> {
    interrupt::catch();
    for step in state.remaining() {
        if interrupt::happened() {
            return interrupt::stopped(&state, None);
        }
        if format == Format::Text {
            outln!("\n==> {}: {}", step, state.plan.describe(step));
        }
        // What a crash inside these steps leaves is told apart with the intent recorded.
        if matches!(step, Step::Commit | Step::NextDev | Step::Push | Step::Merge | Step::BackMerge)
        {
            state.intent = Some(step);
            state::save(git_dir, &state)?;
        }
        if let Err(e) = run_step(repo, dir, git_dir, &mut state, step) {
            if interrupt::happened() {
                return interrupt::stopped(&state, Some(&e));
            }
            return Err(e);
        }
        state.done.push(step);
        state.intent = None;
        state::save(git_dir, &state)?;
        if monorel::fault::stop_after(step.name()) {
            eprintln!("MONOREL_FAIL_AFTER: stopping after `{step}`");
            return Ok(ExitCode::from(3));
        }
    }
    if let Some(flow) = &state.plan.flow {
        if repo.current_branch().as_deref() != Some(flow.end_branch.as_str()) {
            repo.switch(&flow.end_branch)?;
        }
    }
    state::remove(git_dir)?;
    let plan = &state.plan;
    if let Some(flow) = &plan.flow {
        return flow_steps::report(&state, flow, format);
    }
    if format == Format::Json {
        let value = serde_json::json!({
            "outcome": "released",
            "group": plan.group,
            "version": plan.to.to_string(),
            "tag": plan.tag,
            "release_commit": state.release_commit,
            "dev_commit": state.dev_commit,
            "pushed": plan.push.is_some(),
        });
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "\nreleased {} (group `{}`): commit {}, tag `{}`",
        plan.to,
        plan.group,
        short(state.release_commit.as_deref()),
        plan.tag
    );
    if let Some(dev) = &plan.next_dev {
        outln!(
            "then {} for development: commit {}",
            dev.version,
            short(state.dev_commit.as_deref())
        );
    }
    match &plan.push {
        Some(p) => outln!("pushed `{}` and `{}` to `{}`", p.branch, p.tag, p.remote),
        None => outln!(
            "\nnext: `git push --atomic origin {} {}` (or release with `--push`), then let CI build and run `monorel verify-artifacts`",
            plan.branch,
            plan.tag
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs one step of the release; `state` records what it made.
fn run_step(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    state: &mut State,
    step: Step,
) -> anyhow::Result<()> {
    let flow = state.plan.flow.clone();
    match step {
        Step::Branch => flow_steps::branch(repo, flow.as_ref().context("no flow planned")?)?,
        Step::Merge => {
            let flow = flow.as_ref().context("no flow planned")?;
            let merges: Vec<_> = flow.release_merge.iter().cloned().collect();
            // The tag names the merge commit.
            state.release_commit = flow_steps::merges(repo, dir, flow, &merges)?;
        }
        Step::BackMerge => {
            let flow = flow.as_ref().context("no flow planned")?;
            flow_steps::merges(repo, dir, flow, &flow.back_merges)?;
        }
        Step::DeleteBranch => {
            flow_steps::delete_branch(repo, flow.as_ref().context("no flow planned")?)?
        }
        Step::Push if flow.is_some() => {
            flow_steps::push(repo, &state.plan, flow.as_ref().context("no flow planned")?)?
        }
        Step::Write => write_files(dir, &state.plan)?,
        Step::PreCommit => {
            if let Err(e) = hooks(dir, "pre-commit", &state.plan.pre_commit) {
                // Ctrl-C stopped the hook: the release stays, to run the hook again or undo.
                if interrupt::happened() {
                    return Err(e);
                }
                let not_restored = restore_files(dir, state);
                if !not_restored.is_empty() {
                    bail!(
                        "{e}\nerror: {}\nhelp: there is no commit and no tag; put those files back (`monorel release --abort` tries again), then release again",
                        not_restored_message(&not_restored)
                    );
                }
                state::remove(git_dir)?;
                bail!(
                    "{e}\nhelp: every file was restored and there is no commit and no tag; fix the failure, then release again"
                );
            }
        }
        Step::Commit => {
            let commit = match release_commit(repo, state)? {
                Some(made_here) => made_here,
                None => repo.commit_paths(&state.plan.commit_message, &state.plan.paths())?,
            };
            state.release_commit = Some(commit);
        }
        Step::Tag => {
            let commit =
                state.release_commit.clone().context("the release commit is not recorded")?;
            match repo.tag_commit(&state.plan.tag) {
                Some(at) if at == commit => {}
                Some(at) => bail!(
                    "tag `{}` exists and points at {at}, not at the release commit {commit}\nhelp: `monorel release --abort`",
                    state.plan.tag
                ),
                None => {
                    repo.tag_annotated(&state.plan.tag, &state.plan.tag_message(), state.plan.sign)?
                }
            }
        }
        Step::PostTag => {
            if let Err(e) = hooks(dir, "post-tag", &state.plan.post_tag) {
                bail!(
                    "{e}\nhelp: the release commit and tag `{}` exist; fix the failure and run `monorel release --resume` to go on, or `monorel release --abort` to undo the release",
                    state.plan.tag
                );
            }
        }
        Step::NextDev => {
            let dev = state.plan.next_dev.clone().context("no next development version planned")?;
            if let Some(commit) = dev_commit(repo, state)? {
                state.dev_commit = Some(commit);
            } else {
                if state.dev_files.is_empty() {
                    // Planned once, and recorded before the first file is written: a crash
                    // in the middle of the writes must not make it plan from half a bump.
                    let snapshot = crate::commands::load(dir)?;
                    let model = repo::discover(&snapshot);
                    let request = BumpRequest {
                        level: Level::Exact(dev.version.clone()),
                        pre: None,
                        group: Some(state.plan.group.clone()),
                    };
                    let bump = repo::plan_bump(&snapshot, &model, &request).map_err(|e| {
                        anyhow::anyhow!("cannot plan the next development version: {e}")
                    })?;
                    state.dev_files = bump.files;
                    state::save_dev_files(git_dir, state)?;
                }
                write_planned(dir, &state.dev_files)?;
                let files: Vec<String> = state.dev_files.iter().map(|f| f.path.clone()).collect();
                state.dev_commit = Some(repo.commit_paths(&dev.message, &files)?);
            }
        }
        Step::Push => {
            let push = state.plan.push.clone().context("no push planned")?;
            let tag_ref = format!("refs/tags/{}", push.tag);
            let remote_tag = repo.remote_ref(&push.remote, &tag_ref)?;
            if let Some(theirs) =
                remote_tag.as_ref().filter(|t| **t != local_tag_object(repo, &push.tag))
            {
                bail!(
                    "tag `{}` on `{}` ({theirs}) is not this release's tag: someone else pushed it meanwhile\nhelp: nothing of this release was pushed; undo it with `monorel release --abort`, then release another version",
                    push.tag,
                    push.remote
                );
            }
            let remote_has = remote_tag.is_some()
                && repo.remote_ref(&push.remote, &format!("refs/heads/{}", push.branch))?
                    == Some(repo.head()?);
            if !remote_has {
                repo.push_atomic_upstream(&push.remote, &push.refs(), push.set_upstream).map_err(|e| {
                    anyhow::anyhow!("{e}\nhelp: nothing was pushed (`--atomic`); fix the remote and run `monorel release --resume`")
                })?;
            }
            if push.set_upstream && !repo.has_upstream(&push.branch) {
                // A resumed release whose push had reached the remote: set it now. The push
                // recorded `<remote>/<branch>`, unless the remote has no fetch refspec.
                if !repo.rev_exists(&format!("refs/remotes/{}/{}", push.remote, push.branch)) {
                    repo.fetch(&push.remote)?;
                }
                repo.set_upstream(&push.branch, &push.remote)?;
            }
        }
    }
    Ok(())
}

pub(super) fn short(id: Option<&str>) -> &str {
    id.map_or("?", |id| &id[..id.len().min(10)])
}

/// Writes every file that is not already what the plan says (all or none).
fn write_files(dir: &Path, plan: &ReleasePlan) -> anyhow::Result<()> {
    write_planned(dir, &plan.files)
}

/// Writes every file of `files` that is not already its `after` (all or none); a file that is
/// neither its `before` nor its `after` changed since it was planned and is refused.
fn write_planned(dir: &Path, files: &[PlannedFile]) -> anyhow::Result<()> {
    let mut writes = Vec::new();
    for file in files {
        let path = dir.join(&file.path);
        let now = fs::read(&path).unwrap_or_default();
        if now == file.after {
            continue;
        }
        if now != file.before {
            bail!(
                "`{}` changed since the release was planned\nhelp: `monorel release --abort`, then start again",
                file.path
            );
        }
        writes.push((path, file));
    }
    apply::write_all(
        writes.iter().map(|(p, f)| (p.as_path(), f.before.as_slice(), f.after.as_slice())),
    )?;
    Ok(())
}

/// Puts every file the release plans (and the next development version's) back as it was
/// before the release: the recorded `before` bytes, whatever is on disk now; a file that did
/// not exist is removed. Returns the files that could not be put back, with why.
pub(super) fn restore_files(dir: &Path, state: &State) -> Vec<(PathBuf, io::Error)> {
    let mut failed = Vec::new();
    for (path, before) in starting_bytes(state) {
        let full = dir.join(path);
        let now = fs::read(&full).ok();
        let result = if state.absent_at_start.iter().any(|a| a == path) {
            match now {
                Some(_) => fs::remove_file(&full),
                None => Ok(()),
            }
        } else if now.as_deref() == Some(before) {
            Ok(())
        } else {
            apply::write_atomic(&full, before)
        };
        if let Err(e) = result {
            failed.push((PathBuf::from(path), e));
        }
    }
    failed
}

/// Each file the release may change, with its bytes when the release started.
pub(super) fn starting_bytes(state: &State) -> Vec<(&str, &[u8])> {
    let mut files: Vec<(&str, &[u8])> =
        state.plan.files.iter().map(|f| (f.path.as_str(), f.before.as_slice())).collect();
    for dev in &state.dev_files {
        if !files.iter().any(|(p, _)| *p == dev.path) {
            files.push((dev.path.as_str(), dev.before.as_slice()));
        }
    }
    files
}

pub(super) fn not_restored_message(not_restored: &[(PathBuf, io::Error)]) -> String {
    let list: Vec<String> =
        not_restored.iter().map(|(p, e)| format!("`{}` ({e})", p.display())).collect();
    format!(
        "{} file{} could not be put back and {} left changed: {}",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if list.len() == 1 { "is" } else { "are" },
        list.join(", ")
    )
}

/// The release commit: the recorded one, or `HEAD` when it is the commit the plan describes on
/// top of the start (made by a run that crashed before recording it).
pub(super) fn release_commit(repo: &Repo, state: &State) -> anyhow::Result<Option<String>> {
    if let Some(commit) = &state.release_commit {
        return Ok(Some(commit.clone()));
    }
    let head = repo.head()?;
    let made_here = head != state.start_head
        && repo.parent(&head).ok().as_deref() == Some(state.start_head.as_str())
        && repo.commit_message(&head)?.trim_end() == state.plan.commit_message.trim_end();
    Ok(made_here.then_some(head))
}

/// The next development version's commit: the recorded one, or `HEAD` when it is that commit
/// on top of the release commit.
pub(super) fn dev_commit(repo: &Repo, state: &State) -> anyhow::Result<Option<String>> {
    if let Some(commit) = &state.dev_commit {
        return Ok(Some(commit.clone()));
    }
    let (Some(dev), Some(release)) = (&state.plan.next_dev, &state.release_commit) else {
        return Ok(None);
    };
    let head = repo.head()?;
    let made_here = head != *release
        && repo.parent(&head).ok().as_deref() == Some(release.as_str())
        && repo.commit_message(&head)?.trim_end() == dev.message.trim_end();
    Ok(made_here.then_some(head))
}

/// The object the local tag names (empty when there is no local tag).
pub(super) fn local_tag_object(repo: &Repo, tag: &str) -> String {
    repo.tag_object(tag).unwrap_or_default()
}

/// Removes what a killed run left: temporary files beside the planned files and the state's.
pub(super) fn remove_stale_temporaries(
    dir: &Path,
    git_dir: &Path,
    state: &State,
) -> anyhow::Result<()> {
    let state_file = state::dir(git_dir).join("state.json");
    // A flow writes its changelog when it resolves a merge's conflict in it.
    let merged = state.plan.flow.as_ref().map(|f| dir.join(&f.changelog));
    let files = starting_bytes(state).into_iter().map(|(p, _)| dir.join(p));
    for path in files.chain(merged).chain([state_file]) {
        apply::remove_stale_temporaries(&path).with_context(|| {
            format!("cannot remove the temporary files beside `{}`", path.display())
        })?;
    }
    Ok(())
}

/// Runs each hook with `sh -c`, its output streaming under a header; the first failure stops.
fn hooks(dir: &Path, kind: &str, commands: &[String]) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(dir);
    for command in commands {
        eprintln!("---- {kind} hook: {command}");
        let status = cmd!(sh, "sh -c {command}").quiet().run();
        monorel::fault::point();
        status.map_err(|_| anyhow::anyhow!("the {kind} hook `{command}` failed"))?;
    }
    Ok(())
}

/// `--edit`: opens `$VISUAL` or `$EDITOR` on the release notes; the edited text goes into the
/// changelog and the tag message.
pub(crate) fn edit_notes(dir: &Path, git_dir: &Path, plan: &mut ReleasePlan) -> anyhow::Result<()> {
    // An empty variable counts as unset, as git treats it.
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let editor = set("VISUAL").or_else(|| set("EDITOR")).ok_or_else(|| {
        anyhow::anyhow!(
            "`--edit` needs an editor\nhelp: set `VISUAL` or `EDITOR`, e.g. `EDITOR=vi`"
        )
    })?;
    let tmp = tempfile_path(git_dir, &plan.tag);
    fs::write(&tmp, &plan.notes)?;
    let sh = Shell::new()?;
    sh.change_dir(dir);
    let path = tmp.display().to_string();
    // `$EDITOR` may carry arguments (`code --wait`): the shell splits it, the file is `$1`.
    let script = format!("{editor} \"$1\"");
    let status = cmd!(sh, "sh -c {script} sh {path}").quiet().run();
    let edited = fs::read_to_string(&tmp);
    let _ = fs::remove_file(&tmp);
    status.map_err(|_| anyhow::anyhow!("the editor `{editor}` failed; nothing was changed"))?;
    let edited = edited?;
    let edited = format!("{}\n", edited.trim_end());
    if edited.trim().is_empty() {
        bail!(
            "the release notes are empty; nothing was changed\nhelp: keep at least one entry, or release without `--edit`"
        );
    }
    // The changelog is the one planned file with no version tokens in it.
    if let Some(file) = plan.files.iter_mut().find(|f| f.changes.is_empty()) {
        let text = String::from_utf8_lossy(&file.after).into_owned();
        if let Some(replaced) =
            replace_section_body(&text, &plan.to.to_string(), &plan.notes, &edited)
        {
            file.after = replaced.into_bytes();
        }
    }
    plan.notes = edited;
    Ok(())
}

/// Where the notes are edited: `.git/` keeps them out of the work tree.
fn tempfile_path(git_dir: &Path, tag: &str) -> std::path::PathBuf {
    git_dir.join(format!("monorel-notes-{tag}.md"))
}

/// The changelog with the body of `## [version]` replaced (`old` is the body as written).
fn replace_section_body(text: &str, version: &str, old: &str, new: &str) -> Option<String> {
    let heading = format!("## [{version}]");
    let start = text.find(&heading)?;
    let body_at = start + text[start..].find(old.trim_end())?;
    let end = body_at + old.trim_end().len();
    Some(format!("{}{}{}", &text[..body_at], new.trim_end(), &text[end..]))
}
