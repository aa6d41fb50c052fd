//! Carrying out a release plan one step at a time, recording each step in the state file, and
//! the two ways out of an interrupted release: `--resume` finishes it, `--abort` undoes it.
//!
//! Every step can run again after a crash and reach the same result: files are written only if
//! they are not already what the plan says, an existing release commit or tag made by this
//! release is recognised, a push that already reached the remote is not repeated. A test-only
//! switch, `MONOREL_FAIL_AFTER=<step>`, stops the process right after a step is recorded.

use std::{fs, path::Path, process::ExitCode};

use anyhow::{Context, bail};
use monorel::{
    apply,
    git::Repo,
    release::{
        ReleasePlan, Step,
        state::{self, State},
    },
    repo::{self, BumpRequest},
    version::Level,
};
use xshell::{Shell, cmd};

use crate::{args::Format, render::outln};

/// Records the plan, then runs every step.
pub(crate) fn start(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    plan: ReleasePlan,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let state = State {
        start_head: repo.head()?,
        plan,
        done: Vec::new(),
        release_commit: None,
        dev_commit: None,
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
    let state = state::load(git_dir)?;
    let plan = &state.plan;
    if repo.current_branch().as_deref() != Some(plan.branch.as_str()) {
        bail!(
            "the release of {} was started on `{}`, and `{}` is checked out\nhelp: `git switch {}`, then `monorel release --resume`",
            plan.tag,
            plan.branch,
            repo.current_branch().unwrap_or_else(|| "a detached HEAD".into()),
            plan.branch
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

fn run_steps(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    mut state: State,
    format: Format,
) -> anyhow::Result<ExitCode> {
    for step in state.remaining() {
        if format == Format::Text {
            outln!("\n==> {}: {}", step, state.plan.describe(step));
        }
        match step {
            Step::Write => write_files(dir, &state.plan)?,
            Step::PreCommit => {
                if let Err(e) = hooks(dir, "pre-commit", &state.plan.pre_commit) {
                    restore_files(dir, &state.plan)?;
                    state::remove(git_dir)?;
                    bail!(
                        "{e}\nhelp: every file was restored and there is no commit and no tag; fix the failure, then release again"
                    );
                }
            }
            Step::Commit => {
                let head = repo.head()?;
                let made_here = head != state.start_head
                    && repo.parent(&head).ok().as_deref() == Some(state.start_head.as_str())
                    && repo.commit_message(&head)?.trim_end()
                        == state.plan.commit_message.trim_end();
                let commit = if made_here {
                    head
                } else {
                    repo.commit_paths(&state.plan.commit_message, &state.plan.paths())?
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
                        repo.tag_annotated(&state.plan.tag, &state.plan.notes, state.plan.sign)?
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
                let dev =
                    state.plan.next_dev.clone().context("no next development version planned")?;
                let head = repo.head()?;
                let already = state.release_commit.as_deref() != Some(head.as_str())
                    && repo.commit_message(&head)?.trim_end() == dev.message.trim_end();
                if already {
                    state.dev_commit = Some(head);
                } else {
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
                    let paths: Vec<std::path::PathBuf> =
                        bump.files.iter().map(|f| dir.join(&f.path)).collect();
                    apply::write_all(
                        bump.files
                            .iter()
                            .zip(&paths)
                            .map(|(f, p)| (p.as_path(), f.before.as_slice(), f.after.as_slice())),
                    )?;
                    let files: Vec<String> = bump.files.iter().map(|f| f.path.clone()).collect();
                    state.dev_commit = Some(repo.commit_paths(&dev.message, &files)?);
                }
            }
            Step::Push => {
                let push = state.plan.push.clone().context("no push planned")?;
                let tag_ref = format!("refs/tags/{}", push.tag);
                let local_tag = repo.tag_commit(&push.tag);
                let remote_has = repo.remote_ref(&push.remote, &tag_ref)?.is_some()
                    && repo.remote_ref(&push.remote, &format!("refs/heads/{}", push.branch))?
                        == Some(repo.head()?);
                if !remote_has {
                    repo.push_atomic(&push.remote, &push.refs()).map_err(|e| {
                        anyhow::anyhow!("{e}\nhelp: nothing was pushed (`--atomic`); fix the remote and run `monorel release --resume`")
                    })?;
                }
                let _ = local_tag;
            }
        }
        state.done.push(step);
        state::save(git_dir, &state)?;
        if std::env::var("MONOREL_FAIL_AFTER").is_ok_and(|s| s == step.name()) {
            eprintln!("MONOREL_FAIL_AFTER: stopping after `{step}`");
            return Ok(ExitCode::from(3));
        }
    }
    state::remove(git_dir)?;
    let plan = &state.plan;
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

fn short(id: Option<&str>) -> &str {
    id.map_or("?", |id| &id[..id.len().min(10)])
}

/// Writes every file that is not already what the plan says (all or none).
fn write_files(dir: &Path, plan: &ReleasePlan) -> anyhow::Result<()> {
    let mut writes = Vec::new();
    for file in &plan.files {
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

/// Puts every planned file back as it was (those the release wrote).
fn restore_files(dir: &Path, plan: &ReleasePlan) -> anyhow::Result<()> {
    let paths: Vec<std::path::PathBuf> = plan.files.iter().map(|f| dir.join(&f.path)).collect();
    let writes = plan
        .files
        .iter()
        .zip(&paths)
        .filter(|(f, p)| fs::read(p).ok().as_deref() == Some(&f.after[..]));
    apply::write_all(writes.map(|(f, p)| (p.as_path(), f.after.as_slice(), f.before.as_slice())))?;
    Ok(())
}

/// Runs each hook with `sh -c`, its output streaming under a header; the first failure stops.
fn hooks(dir: &Path, kind: &str, commands: &[String]) -> anyhow::Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(dir);
    for command in commands {
        eprintln!("---- {kind} hook: {command}");
        cmd!(sh, "sh -c {command}")
            .quiet()
            .run()
            .map_err(|_| anyhow::anyhow!("the {kind} hook `{command}` failed"))?;
    }
    Ok(())
}

/// `--abort`: back to exactly the state before the release; never rewrites what was pushed.
pub(crate) fn abort(repo: &Repo, dir: &Path, git_dir: &Path) -> anyhow::Result<ExitCode> {
    if !state::exists(git_dir) {
        bail!("no release is in progress, so there is nothing to abort");
    }
    let state = state::load(git_dir)?;
    let plan = &state.plan;
    // What already reached the remote stays: report it instead of rewriting it.
    if let Some(push) = &plan.push {
        if let Ok(Some(remote_tag)) =
            repo.remote_ref(&push.remote, &format!("refs/tags/{}", push.tag))
        {
            bail!(
                "tag `{}` is already on `{}` ({remote_tag}), so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`; to withdraw it, release a new version",
                push.tag,
                push.remote
            );
        }
    }
    let ours: Vec<String> =
        [state.release_commit.clone(), state.dev_commit.clone()].into_iter().flatten().collect();
    let head = repo.head()?;
    if head != state.start_head && !ours.contains(&head) {
        bail!(
            "`HEAD` moved past the release ({head}); abort would lose those commits\nhelp: undo them first, or finish with `monorel release --resume`"
        );
    }
    let planned = plan.paths();
    let foreign: Vec<String> =
        repo.changed_tracked_files()?.into_iter().filter(|f| !planned.contains(f)).collect();
    if !foreign.is_empty() {
        bail!(
            "tracked files changed outside the release: {}\nhelp: commit or stash them, then `monorel release --abort`",
            foreign.join(", ")
        );
    }
    for file in &plan.files {
        let now = fs::read(dir.join(&file.path)).unwrap_or_default();
        let dev_written = state.done.contains(&Step::NextDev) || head != state.start_head;
        if now != file.before && now != file.after && !dev_written {
            bail!(
                "`{}` was changed by hand since the release wrote it; abort would lose that\nhelp: save your change elsewhere, then abort",
                file.path
            );
        }
    }
    if let Some(commit) = repo.tag_commit(&plan.tag) {
        if state.release_commit.as_deref() == Some(commit.as_str()) {
            repo.delete_tag(&plan.tag)?;
        }
    }
    if head != state.start_head {
        repo.reset_hard(&state.start_head)?;
    } else {
        restore_files(dir, plan)?;
    }
    state::remove(git_dir)?;
    outln!(
        "aborted the release of {}: back at {} with the files as they were",
        plan.tag,
        short(Some(&state.start_head))
    );
    Ok(ExitCode::SUCCESS)
}

/// `--edit`: opens `$VISUAL` or `$EDITOR` on the release notes; the edited text goes into the
/// changelog and the tag message.
pub(crate) fn edit_notes(dir: &Path, git_dir: &Path, plan: &mut ReleasePlan) -> anyhow::Result<()> {
    let editor = std::env::var("VISUAL").or_else(|_| std::env::var("EDITOR")).map_err(|_| {
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
