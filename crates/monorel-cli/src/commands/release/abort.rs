//! `monorel release --abort`: back to exactly the state before the release. It never rewrites
//! what was pushed (when the remote cannot be asked, the state file decides) and never loses an
//! edit made meanwhile: the branch and the index are reset, the files are put back from the
//! bytes the state recorded, and a planned file holding any other bytes makes it refuse,
//! naming the file, whatever `HEAD` is.

use std::{fs, path::Path, process::ExitCode};

use anyhow::bail;
use monorel::{
    git::Repo,
    release::{
        Step,
        state::{self, State},
    },
};

use super::execute::{
    dev_commit, local_tag_object, not_restored_message, release_commit, remove_stale_temporaries,
    restore_files, short, starting_bytes,
};
use crate::render::outln;

/// The last way out, which every refusal of `--resume` and `--abort` offers.
pub(super) const QUIT: &str =
    "or forget it with `monorel release --quit`, which leaves every file, commit and tag as it is";

/// The state of the release in progress; a state that cannot be read still has a way out.
pub(super) fn load_state(git_dir: &Path) -> anyhow::Result<State> {
    state::load(git_dir).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nhelp: `monorel release --quit` forgets the release and removes its state, leaving every file, commit and tag as it is"
        )
    })
}

/// `--quit`: forgets the release in progress, as `git rebase --quit` does: the state goes,
/// every file, commit and tag stays as it is. It works on any state, even one that cannot be
/// read or whose plan no longer matches the tree.
pub(crate) fn quit(git_dir: &Path) -> anyhow::Result<ExitCode> {
    if !state::dir(git_dir).exists() {
        bail!("no release is in progress, so there is nothing to forget");
    }
    let state = state::load(git_dir).ok();
    state::remove(git_dir)?;
    let Some(state) = state else {
        outln!(
            "removed the state of the release in progress, which could not be read; no file, commit or tag was changed"
        );
        return Ok(ExitCode::SUCCESS);
    };
    let done: Vec<&str> = state.done.iter().map(|s| s.name()).collect();
    outln!(
        "forgot the release of {} (steps done: {}); no file, commit or tag was changed",
        state.plan.tag,
        if done.is_empty() { "none".to_string() } else { done.join(", ") }
    );
    outln!(
        "help: it started at {}: `git status`, `git log` and `git tag` show what it left",
        short(Some(&state.start_head))
    );
    Ok(ExitCode::SUCCESS)
}

/// `--abort`: back to exactly the state before the release; never rewrites what was pushed, and
/// never loses an edit made meanwhile (it refuses instead, naming the files).
pub(crate) fn abort(repo: &Repo, dir: &Path, git_dir: &Path) -> anyhow::Result<ExitCode> {
    if !state::exists(git_dir) {
        bail!("no release is in progress, so there is nothing to abort");
    }
    let state = load_state(git_dir)?;
    let plan = &state.plan;
    // What already reached the remote stays: report it instead of rewriting it. When the remote
    // cannot be asked, the state file says whether a push was made or may have been.
    if let Some(push) = &plan.push {
        let remote_tag = repo.remote_ref(&push.remote, &format!("refs/tags/{}", push.tag));
        match remote_tag {
            Ok(Some(remote_tag)) if remote_tag == local_tag_object(repo, &push.tag) => bail!(
                "tag `{}` is already on `{}` ({remote_tag}), so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`; to withdraw it, release a new version; {QUIT}",
                push.tag,
                push.remote
            ),
            Ok(Some(remote_tag))
                if state.intent == Some(Step::Push) && repo.tag_object(&push.tag).is_none() =>
            {
                bail!(
                    "tag `{}` is on `{}` ({remote_tag}) and the local tag is gone, so abort cannot tell whether the push of this release reached it\nhelp: fetch it (`git fetch {} tag {}`) and run `monorel release --abort` or `monorel release --resume` again; {QUIT}",
                    push.tag,
                    push.remote,
                    push.remote,
                    push.tag
                )
            }
            _ if state.is_done(Step::Push) => bail!(
                "the release recorded its push: `{}` and `{}` are already on `{}`, so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`; to withdraw it, release a new version; {QUIT}",
                push.branch,
                push.tag,
                push.remote
            ),
            Err(e) if state.intent == Some(Step::Push) => bail!(
                "cannot ask `{}` whether the push of `{}` reached it, so abort will not undo it: {e}\nhelp: when `{}` answers again, run `monorel release --abort` or `monorel release --resume`; {QUIT}",
                push.remote,
                push.tag,
                push.remote
            ),
            // No push was started, or the tag there is someone else's: nothing of this
            // release is public.
            _ => {}
        }
    }
    if let Some(flow) = &plan.flow {
        return super::flow_steps::abort(repo, dir, git_dir, &state, flow);
    }
    remove_stale_temporaries(dir, git_dir, &state)?;
    let release = release_commit(repo, &state)?;
    let dev = match (&state.dev_commit, &release) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(r)) => {
            let with_release = State { release_commit: Some(r.clone()), ..state.clone() };
            dev_commit(repo, &with_release)?
        }
        (None, None) => None,
    };
    let head = repo.head()?;
    let ours = [release.as_deref(), dev.as_deref()];
    if head != state.start_head && !ours.contains(&Some(head.as_str())) {
        bail!(
            "`HEAD` moved past the release ({head}); abort would lose those commits\nhelp: undo them first, or finish with `monorel release --resume`; {QUIT}"
        );
    }
    let files = starting_bytes(&state);
    let foreign: Vec<String> = repo
        .changed_tracked_files()?
        .into_iter()
        .filter(|f| !files.iter().any(|(p, _)| p == f))
        .collect();
    if !foreign.is_empty() {
        bail!(
            "tracked files changed outside the release: {}\nhelp: commit or stash them, then `monorel release --abort`; {QUIT}",
            foreign.join(", ")
        );
    }
    // Whatever `HEAD` is: a planned file holding bytes the release did not write was edited.
    let edited: Vec<String> = files
        .iter()
        .filter(|(p, _)| !known_bytes(&state, p, fs::read(dir.join(p)).ok().as_deref()))
        .map(|(p, _)| format!("`{p}`"))
        .collect();
    if !edited.is_empty() {
        bail!(
            "{} changed by hand since the release wrote {}; abort would lose that\nhelp: save your changes elsewhere (`git diff > my.patch`), put the files back with `git checkout -- <file>`, then `monorel release --abort`; {QUIT}",
            edited.join(", "),
            if edited.len() == 1 { "it" } else { "them" }
        );
    }
    // A planned file that is not there, was not created by the release and is not in the
    // starting commit: the plan was made for another tree, and putting it back would create it.
    let strays = unknown_files(repo, dir, &state);
    if !strays.is_empty() {
        bail!(
            "the release plan of {} no longer matches the tree: {} {} not in the repository and never {}\nhelp: {QUIT}",
            plan.tag,
            strays.join(", "),
            if strays.len() == 1 { "is" } else { "are" },
            if strays.len() == 1 { "was" } else { "were" },
        );
    }
    if let (Some(commit), Some(release)) = (repo.tag_commit(&plan.tag), &release) {
        if commit == *release {
            repo.delete_tag(&plan.tag)?;
        }
    }
    // The branch and the index go back; the files are put back from the recorded bytes (a
    // hard reset would delete a file that was untracked at the start, like a changelog draft).
    repo.reset_mixed(&state.start_head)?;
    let not_restored = restore_files(dir, &state);
    if !not_restored.is_empty() {
        bail!(
            "the branch is back at {}, but {}\nhelp: fix the cause, then `monorel release --abort` again; {QUIT}",
            short(Some(&state.start_head)),
            not_restored_message(&not_restored)
        );
    }
    state::remove(git_dir)?;
    outln!(
        "aborted the release of {}: back at {} with the files as they were",
        plan.tag,
        short(Some(&state.start_head))
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether `bytes` (`None`: no file) are bytes the release knows for `path`, so that putting
/// the file back loses nothing: its bytes at the start, after the release, after the next
/// development version.
pub(super) fn known_bytes(state: &State, path: &str, bytes: Option<&[u8]>) -> bool {
    let Some(bytes) = bytes else { return true };
    let planned = state.plan.files.iter().chain(&state.dev_files).filter(|f| f.path == path);
    planned.into_iter().any(|f| f.before == bytes || f.after == bytes)
}

/// The planned files that are missing now and were neither created by the release nor in its
/// starting commit: a plan made for another tree (another directory) names them.
pub(super) fn unknown_files(repo: &Repo, dir: &Path, state: &State) -> Vec<String> {
    starting_bytes(state)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !state.absent_at_start.iter().any(|a| a == p))
        .filter(|p| !dir.join(p).exists())
        .filter(|p| !repo.rev_exists(&format!("{}:{p}", state.start_head)))
        .map(|p| format!("`{p}`"))
        .collect()
}
