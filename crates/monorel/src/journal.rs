//! `.git/monorel-bump/`: the journal of a `bump --execute` in progress, so that a crash in the
//! middle of writing several files never leaves a partial bump behind.
//!
//! Before the first file is written, every file's bytes before and after go into the journal,
//! and then its list of paths (renamed into place last: a journal without its list was never
//! started). Once every file is written, the journal is removed. The next `bump --execute` finds
//! a journal left by a killed run and puts every file back as it was ([`recover`]), refusing if
//! a file holds bytes that are neither, so that nothing anyone wrote since is lost.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::apply;

/// A journal that cannot be written, read or carried out.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("cannot use the bump journal `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Files changed since the interrupted bump wrote them.
    #[error(
        "an interrupted `bump --execute` left a journal in `{journal}`, and {} changed since: neither as they were nor as the bump wrote them",
        list(files)
    )]
    Changed {
        /// The journal's directory.
        journal: PathBuf,
        /// The files.
        files: Vec<PathBuf>,
    },
}

/// The journal's directory.
pub fn dir(git_dir: &Path) -> PathBuf {
    git_dir.join("monorel-bump")
}

/// Whether a bump was interrupted (its journal is complete and still there).
pub fn exists(git_dir: &Path) -> bool {
    dir(git_dir).join("paths").is_file()
}

/// Records `(path, before, after)` for every file about to be written.
pub fn begin<'a>(
    git_dir: &Path,
    files: impl IntoIterator<Item = (&'a Path, &'a [u8], &'a [u8])>,
) -> Result<(), JournalError> {
    let dir = dir(git_dir);
    remove_dir(&dir)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| JournalError::Io { path, source }
    };
    fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut paths = String::new();
    for (i, (path, before, after)) in files.into_iter().enumerate() {
        let b = dir.join(format!("{i}.before"));
        let a = dir.join(format!("{i}.after"));
        fs::write(&b, before).map_err(io(&b))?;
        fs::write(&a, after).map_err(io(&a))?;
        let text = path.to_str().ok_or_else(|| JournalError::Io {
            path: path.to_path_buf(),
            source: io::Error::other("the path is not UTF-8"),
        })?;
        paths.push_str(text);
        paths.push('\0');
    }
    let list = dir.join("paths");
    apply::write_atomic(&list, paths.as_bytes()).map_err(io(&list))
}

/// Removes the journal: the bump is complete (or was fully undone).
pub fn end(git_dir: &Path) -> Result<(), JournalError> {
    let dir = dir(git_dir);
    // The list first: a crash in the middle leaves no journal rather than a damaged one.
    match fs::remove_file(dir.join("paths")) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => return Err(JournalError::Io { path: dir.join("paths"), source }),
    }
    remove_dir(&dir)
}

/// Puts back every file of an interrupted bump and removes its journal; returns the files put
/// back (none when there was no journal). Refuses, writing nothing, if a file holds bytes that
/// are neither its `before` nor its `after`. Call it holding the repository's lock.
pub fn recover(git_dir: &Path) -> Result<Vec<PathBuf>, JournalError> {
    let dir = dir(git_dir);
    if !exists(git_dir) {
        remove_dir(&dir)?; // a journal whose list was never written: no file was touched
        return Ok(Vec::new());
    }
    let read = |path: PathBuf| fs::read(&path).map_err(|source| JournalError::Io { path, source });
    let list = read(dir.join("paths"))?;
    let list = String::from_utf8_lossy(&list).into_owned();
    let mut files = Vec::new();
    for (i, path) in list.split('\0').filter(|p| !p.is_empty()).enumerate() {
        let before = read(dir.join(format!("{i}.before")))?;
        let after = read(dir.join(format!("{i}.after")))?;
        files.push((PathBuf::from(path), before, after));
    }
    let mut changed = Vec::new();
    let mut to_write = Vec::new();
    for (path, before, after) in &files {
        apply::remove_stale_temporaries(path)
            .map_err(|source| JournalError::Io { path: path.clone(), source })?;
        match fs::read(path) {
            Ok(now) if now == *before => {}
            Ok(now) if now == *after => to_write.push((path, before)),
            _ => changed.push(path.clone()),
        }
    }
    if !changed.is_empty() {
        return Err(JournalError::Changed { journal: dir, files: changed });
    }
    for (path, before) in &to_write {
        apply::write_atomic(path, before)
            .map_err(|source| JournalError::Io { path: path.to_path_buf(), source })?;
    }
    end(git_dir)?;
    Ok(to_write.into_iter().map(|(p, _)| p.clone()).collect())
}

fn remove_dir(dir: &Path) -> Result<(), JournalError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(JournalError::Io { path: dir.to_path_buf(), source }),
    }
}

fn list(files: &[PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|p| format!("`{}`", p.display())).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_bump_is_put_back_and_an_edit_since_is_refused() {
        let git = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let a = work.path().join("a.toml");
        let b = work.path().join("b.toml");
        fs::write(&a, "a-after").unwrap(); // written before the crash
        fs::write(&b, "b-before").unwrap(); // not yet
        fs::write(work.path().join(".b.toml.monorel-9-0.tmp"), "b-af").unwrap();
        let files = [
            (a.as_path(), &b"a-before"[..], &b"a-after"[..]),
            (b.as_path(), &b"b-before"[..], &b"b-after"[..]),
        ];
        begin(git.path(), files).unwrap();
        assert_eq!(recover(git.path()).unwrap(), vec![a.clone()]);
        assert_eq!(fs::read(&a).unwrap(), b"a-before");
        assert!(!work.path().join(".b.toml.monorel-9-0.tmp").exists());
        assert!(!dir(git.path()).exists());
        assert!(recover(git.path()).unwrap().is_empty());

        begin(git.path(), files).unwrap();
        fs::write(&b, "b edited by hand").unwrap();
        let err = recover(git.path()).unwrap_err().to_string();
        assert!(err.contains("b.toml") && err.contains("changed since"), "{err}");
        assert_eq!(fs::read(&b).unwrap(), b"b edited by hand");
        assert!(exists(git.path()));
    }
}
