//! Running the real binary, and finding the repository's test data.

use std::{
    path::{Path, PathBuf},
    process::Output,
};

/// The repository root (two levels above this crate).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// Runs `monorel` with `args` in `dir`.
pub(crate) fn monorel(dir: &Path, args: &[&str]) -> Output {
    #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
    std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO")
        .output()
        .expect("the monorel binary runs")
}

/// Everything a run printed, labelled, for snapshots.
pub(crate) fn transcript(output: &Output) -> String {
    let mut out = format!("exit: {}\n", output.status.code().unwrap_or(-1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stdout.is_empty() {
        out.push_str(&format!("--- stdout\n{stdout}"));
    }
    if !stderr.is_empty() {
        out.push_str(&format!("--- stderr\n{stderr}"));
    }
    out
}

/// A real git repository in a temporary directory, isolated from the user's configuration:
/// `HOME` and `GIT_CONFIG_GLOBAL` inside the directory, no system config, fixed author,
/// committer and dates (each commit one minute after the previous, from 2024-01-01), no signing.
pub(crate) struct TestRepo {
    dir: tempfile::TempDir,
    commits: std::cell::Cell<u64>,
}

#[allow(dead_code)] // each test module uses a part of it
impl TestRepo {
    /// `git init -b main` in a new temporary directory.
    pub(crate) fn new() -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::write(dir.path().join("home/.gitconfig"), "").unwrap();
        let repo = TestRepo { dir, commits: std::cell::Cell::new(0) };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The work tree.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// The environment every process in this repository runs with.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let home = self.dir.path().join("home");
        let n = self.commits.get();
        let date = format!("@{} +0000", 1_704_067_200 + n * 60);
        [
            ("HOME", home.display().to_string()),
            ("GIT_CONFIG_GLOBAL", home.join(".gitconfig").display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_AUTHOR_NAME", "Ada Tester".into()),
            ("GIT_AUTHOR_EMAIL", "ada@example.invalid".into()),
            ("GIT_COMMITTER_NAME", "Ada Tester".into()),
            ("GIT_COMMITTER_EMAIL", "ada@example.invalid".into()),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
            ("GIT_TERMINAL_PROMPT", "0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Runs git with `args` in the work tree; panics with git's message on failure.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        #[allow(clippy::disallowed_methods)] // tests drive real git directly
        let output = std::process::Command::new("git")
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .current_dir(self.path())
            .envs(self.env())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Writes `contents` to `path` (relative to the work tree), creating directories.
    pub(crate) fn write(&self, path: &str, contents: &str) -> &TestRepo {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Reads `path` (relative to the work tree).
    pub(crate) fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    /// `git add -A && git commit -m message`, at the next fixed date.
    pub(crate) fn commit(&self, message: &str) -> &TestRepo {
        self.commits.set(self.commits.get() + 1);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self
    }

    /// An annotated tag at `HEAD`.
    pub(crate) fn tag(&self, name: &str) -> &TestRepo {
        self.git(&["tag", "-a", name, "-m", name]);
        self
    }

    /// Runs the real `monorel` binary in the work tree, with this repository's environment.
    pub(crate) fn monorel(&self, args: &[&str]) -> Output {
        #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
        std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
            .args(args)
            .current_dir(self.path())
            .envs(self.env())
            .env_remove("CARGO")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .expect("the monorel binary runs")
    }
}

impl TestRepo {
    /// Runs cargo with `args` in the work tree; panics with cargo's message on failure.
    pub(crate) fn cargo(&self, args: &[&str]) -> String {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        #[allow(clippy::disallowed_methods)] // tests drive real cargo directly
        let output = std::process::Command::new(cargo)
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", self.dir.path().join("target"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "cargo {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}

impl TestRepo {
    /// A bare repository beside the work tree, as `origin`, with `main` pushed and tracked.
    pub(crate) fn with_remote(&self) -> &TestRepo {
        let bare = self.dir.path().join("remote.git");
        self.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
        self.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
        self.git(&["push", "-q", "-u", "origin", "main", "--tags"]);
        self.git(&["fetch", "-q", "origin"]);
        self.git(&["remote", "set-head", "origin", "main"]);
        self
    }

    /// Runs git in the bare remote.
    pub(crate) fn remote_git(&self, args: &[&str]) -> String {
        let bare = self.dir.path().join("remote.git");
        let mut all = vec!["--git-dir", bare.to_str().unwrap()];
        all.extend_from_slice(args);
        self.git(&all)
    }

    /// Runs `monorel` with extra environment variables.
    pub(crate) fn monorel_with(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        self.monorel_in("", env, args)
    }

    /// Runs `monorel` in `subdir` of the work tree, with extra environment variables.
    pub(crate) fn monorel_in(&self, subdir: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
        #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
        std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
            .args(args)
            .current_dir(self.path().join(subdir))
            .envs(self.env())
            .envs(env.iter().copied())
            .env_remove("CARGO")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .expect("the monorel binary runs")
    }
}
