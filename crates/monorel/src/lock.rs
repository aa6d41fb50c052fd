//! `.git/monorel.lock`: one monorel at a time changes a repository.
//!
//! The lock is created atomically (`O_CREAT | O_EXCL`, as git creates `index.lock`) and holds the
//! holder's process id. It is held by `bump --execute` and by a release's `--execute`,
//! `--resume` and `--abort`, and removed when the [`Lock`] is dropped. A lock left by a process
//! that no longer runs (it was killed) is taken over, so that a crash never blocks the way out.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

/// The file name of the lock, in the git directory.
pub const FILE_NAME: &str = "monorel.lock";

/// A held lock; dropping it removes the file.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

/// The lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "another monorel is running in this repository (`{path}` is held by process {pid})\nhelp: wait for it to finish; if none is running, remove `{path}`"
    )]
    Held {
        /// The lock file.
        path: PathBuf,
        /// The holder, as the file says (`?` when unreadable).
        pid: String,
    },
    /// The file system refused.
    #[error("cannot create `{path}`: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Takes the lock of the repository whose git directory is `git_dir`.
pub fn acquire(git_dir: &Path) -> Result<Lock, LockError> {
    let path = git_dir.join(FILE_NAME);
    for _ in 0..2 {
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let written = file
                    .write_all(format!("{}\n", std::process::id()).as_bytes())
                    .and_then(|()| file.sync_all());
                if let Err(source) = written {
                    let _ = fs::remove_file(&path);
                    return Err(LockError::Io { path, source });
                }
                return Ok(Lock { path });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let text = fs::read_to_string(&path).unwrap_or_default();
                let pid = text.trim().to_string();
                match pid.parse::<u32>() {
                    Ok(n) if !is_running(n) => {
                        // Left by a process that was killed: take it over.
                        let _ = fs::remove_file(&path);
                    }
                    _ => {
                        let pid = if pid.is_empty() { "?".into() } else { pid };
                        return Err(LockError::Held { path, pid });
                    }
                }
            }
            Err(source) => return Err(LockError::Io { path, source }),
        }
    }
    Err(LockError::Held { path, pid: "?".into() })
}

impl Lock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether process `pid` runs (on a system without `/proc`, it is assumed to).
fn is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    pid == std::process::id() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_a_dead_holder_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let lock = acquire(dir.path()).unwrap();
        let err = acquire(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("another monorel is running") && err.contains("monorel.lock"),
            "{err}"
        );
        drop(lock);
        assert!(!dir.path().join(FILE_NAME).exists());
        // A process id that no process has.
        fs::write(dir.path().join(FILE_NAME), "4294967295\n").unwrap();
        let lock = acquire(dir.path()).unwrap();
        assert_eq!(fs::read_to_string(lock.path()).unwrap(), format!("{}\n", std::process::id()));
    }
}
