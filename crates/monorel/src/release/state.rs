//! The state of a release in progress, in `.git/monorel-release/`: the whole plan (every file's
//! bytes before and after), where the release started, and each step done. Written before the
//! first step and after every step, atomically, and ahead of a step that cannot be told from
//! the repository alone (`intent`; the next development version's files before they are
//! written), so that a crash at any point leaves a state that `--resume` finishes and `--abort`
//! undoes.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use serde_json::{Value, json};

use super::{NextDev, Push, ReleasePlan, Step};
use crate::{apply, repo::PlannedFile, version::Version};

/// A release in progress.
#[derive(Debug, Clone)]
pub struct State {
    /// The plan being carried out.
    pub plan: ReleasePlan,
    /// `HEAD` before the release.
    pub start_head: String,
    /// The steps done, in order.
    pub done: Vec<Step>,
    /// The release commit, once made.
    pub release_commit: Option<String>,
    /// The next-development-version commit, once made.
    pub dev_commit: Option<String>,
    /// The planned files that did not exist when the release started (a changelog it creates).
    pub absent_at_start: Vec<String>,
    /// The step started and not yet recorded as done (written before it runs).
    pub intent: Option<Step>,
    /// The next development version's files, recorded before any of them is written.
    pub dev_files: Vec<PlannedFile>,
}

impl State {
    /// Whether `step` is done.
    pub fn is_done(&self, step: Step) -> bool {
        self.done.contains(&step)
    }

    /// The steps still to do.
    pub fn remaining(&self) -> Vec<Step> {
        self.plan.steps().into_iter().filter(|s| !self.is_done(*s)).collect()
    }
}

/// A state that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading or writing failed.
    #[error("cannot use the release state in `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The state is not what monorel wrote.
    #[error("the release state in `{path}` is damaged: {message}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The directory of the state, inside the git directory.
pub fn dir(git_dir: &Path) -> PathBuf {
    git_dir.join("monorel-release")
}

/// Whether a release is in progress.
pub fn exists(git_dir: &Path) -> bool {
    dir(git_dir).join("state.json").is_file()
}

/// Starts the state: the files' bytes (the next development version's too, when planned with
/// the release), then the plan (what a crash left of an earlier start,
/// with no plan recorded, is removed first).
pub fn create(git_dir: &Path, state: &State) -> Result<(), StateError> {
    if !exists(git_dir) {
        remove(git_dir)?;
    }
    write_files(git_dir, "", &state.plan.files)?;
    write_files(git_dir, "dev-", &state.dev_files)?;
    save(git_dir, state)
}

/// Records the next development version's files (their bytes, then the state naming them).
pub fn save_dev_files(git_dir: &Path, state: &State) -> Result<(), StateError> {
    write_files(git_dir, "dev-", &state.dev_files)?;
    save(git_dir, state)
}

fn write_files(git_dir: &Path, prefix: &str, files: &[PlannedFile]) -> Result<(), StateError> {
    let dir = dir(git_dir);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StateError::Io { path, source }
    };
    fs::create_dir_all(dir.join("files")).map_err(io(&dir))?;
    for (i, file) in files.iter().enumerate() {
        let before = dir.join(format!("files/{prefix}{i}.before"));
        let after = dir.join(format!("files/{prefix}{i}.after"));
        fs::write(&before, &file.before).map_err(io(&before))?;
        fs::write(&after, &file.after).map_err(io(&after))?;
    }
    Ok(())
}

/// Records the state (atomically).
pub fn save(git_dir: &Path, state: &State) -> Result<(), StateError> {
    let path = dir(git_dir).join("state.json");
    let text = serde_json::to_string_pretty(&to_json(state)).expect("JSON of plain data");
    apply::write_atomic(&path, text.as_bytes()).map_err(|source| StateError::Io { path, source })
}

/// Reads the state of the release in progress.
pub fn load(git_dir: &Path) -> Result<State, StateError> {
    let dir = dir(git_dir);
    let path = dir.join("state.json");
    let text = fs::read_to_string(&path)
        .map_err(|source| StateError::Io { path: path.clone(), source })?;
    let damaged =
        |message: &str| StateError::Damaged { path: path.clone(), message: message.to_string() };
    let v: Value = serde_json::from_str(&text).map_err(|e| damaged(&e.to_string()))?;
    let s = |key: &str| {
        v[key].as_str().map(str::to_string).ok_or_else(|| damaged(&format!("`{key}` is missing")))
    };
    let opt = |key: &str| v[key].as_str().map(str::to_string);
    let strings = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let version = |key: &str| -> Result<Version, StateError> {
        Version::parse(&s(key)?).map_err(|_| damaged(&format!("`{key}` is not a version")))
    };
    let read_files = |key: &str, prefix: &str| -> Result<Vec<PlannedFile>, StateError> {
        let mut files = Vec::new();
        for (i, file) in strings(key).into_iter().enumerate() {
            let read = |ext: &str| {
                let p = dir.join(format!("files/{prefix}{i}.{ext}"));
                fs::read(&p).map_err(|source| StateError::Io { path: p, source })
            };
            files.push(PlannedFile {
                path: file,
                before: read("before")?,
                after: read("after")?,
                changes: Vec::new(),
            });
        }
        Ok(files)
    };
    let files = read_files("files", "")?;
    let dev_files = read_files("dev_files", "dev-")?;
    let next_dev = match (opt("next_dev"), opt("next_dev_message")) {
        (Some(v), Some(message)) => Some(NextDev {
            version: Version::parse(&v).map_err(|_| damaged("`next_dev` is not a version"))?,
            message,
            // Recorded once, before the first is written, as `dev_files`.
            files: dev_files.clone(),
        }),
        _ => None,
    };
    let push = match (opt("push_remote"), opt("push_branch")) {
        (Some(remote), Some(branch)) => Some(Push {
            remote,
            branch,
            tag: s("tag")?,
            set_upstream: v["push_set_upstream"].as_bool().unwrap_or(false),
        }),
        _ => None,
    };
    let plan = ReleasePlan {
        group: s("group")?,
        from: version("from")?,
        to: version("to")?,
        tag: s("tag")?,
        date: s("date")?,
        branch: s("branch")?,
        files,
        commit_message: s("commit_message")?,
        notes: s("notes")?,
        // A state written before `tag-message` existed tagged with the notes.
        tag_template: opt("tag_template").unwrap_or_else(|| "{notes}".into()),
        sign: v["sign"].as_bool().unwrap_or(false),
        pre_commit: strings("pre_commit"),
        post_tag: strings("post_tag"),
        next_dev,
        push,
        flow: super::flow::from_json(&v["flow"]).map_err(|m| damaged(&m))?,
    };
    let mut done = Vec::new();
    for name in strings("done") {
        done.push(
            Step::from_name(&name).ok_or_else(|| damaged(&format!("unknown step `{name}`")))?,
        );
    }
    Ok(State {
        plan,
        start_head: s("start_head")?,
        done,
        release_commit: opt("release_commit"),
        dev_commit: opt("dev_commit"),
        absent_at_start: strings("absent_at_start"),
        intent: match opt("intent") {
            Some(name) => Some(
                Step::from_name(&name).ok_or_else(|| damaged(&format!("unknown step `{name}`")))?,
            ),
            None => None,
        },
        dev_files,
    })
}

/// Ends the release: removes the state.
pub fn remove(git_dir: &Path) -> Result<(), StateError> {
    let dir = dir(git_dir);
    // The plan first: a crash in the middle leaves no state, rather than a damaged one.
    match fs::remove_file(dir.join("state.json")) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(StateError::Io { path: dir.join("state.json"), source }),
    }
    match fs::remove_dir_all(&dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StateError::Io { path: dir, source }),
    }
}

fn to_json(state: &State) -> Value {
    let p = &state.plan;
    json!({
        "format": 1,
        "group": p.group,
        "from": p.from.to_string(),
        "to": p.to.to_string(),
        "tag": p.tag,
        "date": p.date,
        "branch": p.branch,
        "files": p.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "commit_message": p.commit_message,
        "notes": p.notes,
        "tag_template": p.tag_template,
        "sign": p.sign,
        "pre_commit": p.pre_commit,
        "post_tag": p.post_tag,
        "next_dev": p.next_dev.as_ref().map(|d| d.version.to_string()),
        "next_dev_message": p.next_dev.as_ref().map(|d| d.message.clone()),
        "push_remote": p.push.as_ref().map(|x| x.remote.clone()),
        "push_branch": p.push.as_ref().map(|x| x.branch.clone()),
        "push_set_upstream": p.push.as_ref().is_some_and(|x| x.set_upstream),
        "start_head": state.start_head,
        "done": state.done.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "release_commit": state.release_commit,
        "dev_commit": state.dev_commit,
        "absent_at_start": state.absent_at_start,
        "intent": state.intent.map(|s| s.name()),
        "dev_files": state.dev_files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "flow": p.flow.as_ref().map(super::flow::to_json),
    })
}
