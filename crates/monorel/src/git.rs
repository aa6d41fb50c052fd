//! Every git invocation, in one place.
//!
//! Commands use plumbing with explicit separators (`-z`, `%x00`), never output meant for people,
//! and run through xshell, which passes each argument as one argument: there is no shell to
//! inject into. Functions here do IO; planning code never calls them.

use std::path::{Path, PathBuf};

use xshell::{Shell, cmd};

/// A git command that failed, with what git said.
#[derive(Debug, thiserror::Error)]
#[error("`git {command}` failed in `{dir}`: {message}")]
pub struct GitError {
    /// The git subcommand and its arguments, for people.
    pub command: String,
    /// Where it ran.
    pub dir: PathBuf,
    /// What went wrong (git's own message when there is one).
    pub message: String,
}

/// A git work tree.
#[derive(Debug)]
pub struct Repo {
    sh: Shell,
    root: PathBuf,
}

impl Repo {
    /// The work tree containing `dir`, or `None` when `dir` is not inside one (or git is missing).
    pub fn discover(dir: &Path) -> Option<Repo> {
        let sh = Shell::new().ok()?;
        sh.change_dir(dir);
        let top = cmd!(sh, "git rev-parse --show-toplevel").quiet().ignore_stderr().read().ok()?;
        let root = PathBuf::from(top.trim());
        sh.change_dir(&root);
        Some(Repo { sh, root })
    }

    /// The work tree's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files a user would call the source tree, relative to the root with `/` separators:
    /// tracked files, plus untracked files that are not ignored. Files deleted from the work tree
    /// are left out.
    pub fn ls_files(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out = self.run(
            "ls-files -z --cached --others --exclude-standard --deduplicate",
            cmd!(sh, "git ls-files -z --cached --others --exclude-standard --deduplicate"),
        )?;
        let deleted = self.run("ls-files -z --deleted", cmd!(sh, "git ls-files -z --deleted"))?;
        let deleted: std::collections::HashSet<&str> = deleted.split('\0').collect();
        Ok(out.split('\0').filter(|p| !p.is_empty() && !deleted.contains(p)).map(str::to_string).collect())
    }

    /// The tags that point at `HEAD`.
    pub fn tags_at_head(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out = self.run("tag --points-at HEAD", cmd!(sh, "git tag --points-at HEAD"))?;
        Ok(out.lines().map(str::to_string).filter(|t| !t.is_empty()).collect())
    }

    fn run(&self, what: &str, cmd: xshell::Cmd<'_>) -> Result<String, GitError> {
        let output = cmd.quiet().ignore_status().output().map_err(|e| self.error(what, e.to_string()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(self.error(what, stderr));
        }
        String::from_utf8(output.stdout).map_err(|_| self.error(what, "output is not UTF-8".into()))
    }

    fn error(&self, what: &str, message: String) -> GitError {
        GitError { command: what.to_string(), dir: self.root.clone(), message }
    }
}
