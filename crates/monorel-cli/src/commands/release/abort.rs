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

/// `--abort`: back to exactly the state before the release; never rewrites what was pushed, and
/// never loses an edit made meanwhile (it refuses instead, naming the files).
pub(crate) fn abort(repo: &Repo, dir: &Path, git_dir: &Path) -> anyhow::Result<ExitCode> {
    if !state::exists(git_dir) {
        bail!("no release is in progress, so there is nothing to abort");
    }
    let state = state::load(git_dir)?;
    let plan = &state.plan;
    // What already reached the remote stays: report it instead of rewriting it. When the remote
    // cannot be asked, the state file says whether a push was made or may have been.
    if let Some(push) = &plan.push {
        let remote_tag = repo.remote_ref(&push.remote, &format!("refs/tags/{}", push.tag));
        match remote_tag {
            Ok(Some(remote_tag)) if remote_tag == local_tag_object(repo, &push.tag) => bail!(
                "tag `{}` is already on `{}` ({remote_tag}), so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`; to withdraw it, release a new version",
                push.tag,
                push.remote
            ),
            Ok(Some(remote_tag))
                if state.intent == Some(Step::Push) && repo.tag_object(&push.tag).is_none() =>
            {
                bail!(
                    "tag `{}` is on `{}` ({remote_tag}) and the local tag is gone, so abort cannot tell whether the push of this release reached it\nhelp: fetch it (`git fetch {} tag {}`) and run `monorel release --abort` or `monorel release --resume` again",
                    push.tag,
                    push.remote,
                    push.remote,
                    push.tag
                )
            }
            _ if state.is_done(Step::Push) => bail!(
                "the release recorded its push: `{}` and `{}` are already on `{}`, so the release is public and will not be rewritten\nhelp: finish it with `monorel release --resume`; to withdraw it, release a new version",
                push.branch,
                push.tag,
                push.remote
            ),
            Err(e) if state.intent == Some(Step::Push) => bail!(
                "cannot ask `{}` whether the push of `{}` reached it, so abort will not undo it: {e}\nhelp: when `{}` answers again, run `monorel release --abort` or `monorel release --resume`",
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
            "`HEAD` moved past the release ({head}); abort would lose those commits\nhelp: undo them first, or finish with `monorel release --resume`"
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
            "tracked files changed outside the release: {}\nhelp: commit or stash them, then `monorel release --abort`",
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
            "{} changed by hand since the release wrote {}; abort would lose that\nhelp: save your changes elsewhere (`git diff > my.patch`), put the files back with `git checkout -- <file>`, then `monorel release --abort`",
            edited.join(", "),
            if edited.len() == 1 { "it" } else { "them" }
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
            "the branch is back at {}, but {}\nhelp: fix the cause, then `monorel release --abort` again",
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
