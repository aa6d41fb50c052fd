//! Every git invocation, in one place.
//!
//! Commands use plumbing with explicit separators (`-z`, `%x00`), never output meant for people,
//! and run through xshell, which passes each argument as one argument: there is no shell to
//! inject into. Functions here do IO; planning code never calls them. After each process exits
//! comes a `fault::point` (test-only crash injection).

use std::path::{Component, Path, PathBuf};

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
        // A directory holding `.git` is its work tree's root, as git itself decides, unless the
        // environment names another repository: no process is needed (each command asks once or
        // more, from the CLI, the loader and the changelog).
        let env_names_repo =
            ["GIT_DIR", "GIT_WORK_TREE"].iter().any(|v| std::env::var_os(v).is_some());
        let plain = dir.is_absolute()
            && dir.components().all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        if !env_names_repo && plain && dir.join(".git").exists() {
            sh.change_dir(dir);
            return Some(Repo { sh, root: dir.to_path_buf() });
        }
        sh.change_dir(dir);
        let top = cmd!(sh, "git rev-parse --show-toplevel").quiet().ignore_stderr().read().ok()?;
        let root = PathBuf::from(top.trim());
        sh.change_dir(&root);
        Some(Repo { sh, root })
    }

    /// Another handle on the same work tree, for another thread (a `Shell` is not `Sync`); no
    /// process is run to make it.
    pub fn handle(&self) -> Option<Repo> {
        let sh = Shell::new().ok()?;
        sh.change_dir(&self.root);
        Some(Repo { sh, root: self.root.clone() })
    }

    /// The work tree's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The tracked files (the index), relative to the root with `/` separators, sorted as the
    /// index is, NUL-separated in one string: the caller splits it (`repo::Listing`), so that a
    /// listing of 100,000 files is not 100,000 allocations. An unmerged path is listed once.
    ///
    /// Tracked files only: the index is what a release commits, `release`'s preflight already
    /// requires a clean tracked tree, and listing untracked files costs a walk of every directory
    /// of the work tree (7.8x `git ls-files` on its own on the benchmark tree of
    /// `docs/benchmarks.md`). A new manifest is seen once it is `git add`ed. A tracked file
    /// deleted from the work tree is still listed: leaving it out (`--deleted`) costs a `stat` of
    /// every tracked file, so callers drop the listed files they fail to read instead.
    pub fn ls_files(&self) -> Result<String, GitError> {
        let sh = &self.sh;
        self.run(
            "ls-files -z --cached --deduplicate",
            cmd!(sh, "git ls-files -z --cached --deduplicate"),
        )
    }

    /// The tags that point at `HEAD`.
    pub fn tags_at_head(&self) -> Result<Vec<String>, GitError> {
        self.tags_at("HEAD")
    }

    /// The tags that point at `rev` (`HEAD^`).
    pub fn tags_at(&self, rev: &str) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out =
            self.run(&format!("tag --points-at {rev}"), cmd!(sh, "git tag --points-at {rev}"))?;
        Ok(out.lines().map(str::to_string).filter(|t| !t.is_empty()).collect())
    }

    fn run(&self, what: &str, cmd: xshell::Cmd<'_>) -> Result<String, GitError> {
        let output =
            cmd.quiet().ignore_status().output().map_err(|e| self.error(what, e.to_string()))?;
        crate::fault::point();
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

/// A tag, as `git for-each-ref` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    /// The tag's name, without `refs/tags/`.
    pub name: String,
    /// The commit the tag points at (peeled through annotated tags).
    pub commit: String,
    /// The day the tag was made (`YYYY-MM-DD`, in the tagger's time zone; the commit's date for a
    /// lightweight tag).
    pub date: String,
}

/// The fields of one commit in [`Repo::log`]'s output, in order, separated by NUL; with
/// [`LOG_Z`] each record ends with NUL too. So every record is exactly nine NUL-terminated
/// fields: no text can break the framing, because git itself cuts a message at its first NUL
/// (a message may hold any other byte, RS included), and names, emails, ids and dates hold none.
pub const LOG_FORMAT: &str = "%H%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B";

/// The `git log` option that ends each record in [`LOG_FORMAT`] with NUL.
pub const LOG_Z: &str = "-z";

/// What [`Repo::log`] reads.
#[derive(Debug, Clone, Default)]
pub struct LogRequest<'a> {
    /// Commits reachable from `HEAD` and not from these commits (full ids: the release tags'
    /// peeled commits; an id costs git less than a tag name, which it would resolve and peel).
    pub exclude: &'a [String],
    /// Only commits that touch one of these paths (relative to the root); all when empty.
    pub paths: &'a [String],
}

// The changelog's reads: one `git log` process for the commits, and a few small queries.
impl Repo {
    /// Whether `HEAD` names a commit (it does not in a repository with no commit yet).
    pub fn has_head(&self) -> bool {
        let sh = &self.sh;
        let rev = "HEAD^{commit}";
        cmd!(sh, "git rev-parse --verify --quiet {rev}")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
    }

    /// Every tag, in no particular order. (Not `--merged HEAD`: on a long history that walk
    /// costs as much as the `git log` itself; whether a tag is reachable is told otherwise.)
    pub fn tags(&self) -> Result<Vec<TagRef>, GitError> {
        let sh = &self.sh;
        let format = "%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:short)";
        let what = "for-each-ref refs/tags";
        let out = self.run_lossy(what, cmd!(sh, "git for-each-ref --format={format} refs/tags"))?;
        let mut tags = Vec::new();
        for line in out.lines().filter(|l| !l.is_empty()) {
            let fields: Vec<&str> = line.split('\0').collect();
            let [name, object, peeled, date] = fields[..] else {
                return Err(self.error(what, format!("unexpected output line `{line}`")));
            };
            let commit = if peeled.is_empty() { object } else { peeled };
            tags.push(TagRef { name: name.into(), commit: commit.into(), date: date.into() });
        }
        Ok(tags)
    }

    /// The name of every tag, sorted: what discovery reads a tag style from. (`for-each-ref`
    /// with no peeling answers from the refs alone: 30,000 tags in a few milliseconds.)
    pub fn tag_names(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let what = "for-each-ref refs/tags";
        let out = self.run_lossy(
            what,
            cmd!(sh, "git for-each-ref --format=%(refname:strip=2) --sort=refname refs/tags"),
        )?;
        Ok(out.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }

    /// Whether commit `commit` is `HEAD` or one of its ancestors.
    pub fn is_ancestor_of_head(&self, commit: &str) -> Result<bool, GitError> {
        self.is_ancestor(commit, "HEAD")
    }

    /// The names of the tags whose commit is `HEAD` or one of its ancestors, in one process
    /// (`for-each-ref --merged`), however many tags there are.
    pub fn tags_merged_into_head(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let what = "for-each-ref --merged HEAD refs/tags";
        let out = self.run_lossy(
            what,
            cmd!(sh, "git for-each-ref --merged HEAD --format=%(refname:strip=2) refs/tags"),
        )?;
        Ok(out.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }

    /// The URL of remote `name`, or `None` when there is no such remote.
    pub fn remote_url(&self, name: &str) -> Result<Option<String>, GitError> {
        let sh = &self.sh;
        let key = format!("remote.{name}.url");
        let output = cmd!(sh, "git config --get {key}")
            .quiet()
            .ignore_status()
            .output()
            .map_err(|e| self.error("config --get", e.to_string()))?;
        match output.status.code() {
            Some(0) => Ok(Some(String::from_utf8_lossy(&output.stdout).trim().to_string())),
            Some(1) => Ok(None),
            _ => Err(self.error("config --get", String::from_utf8_lossy(&output.stderr).into())),
        }
    }

    /// One `git log` over `request`, in [`LOG_FORMAT`], newest first. The revisions go through
    /// standard input, so thousands of tags do not meet the command line's length limit. git
    /// writes into a file of a fresh private temporary directory (`--output`) rather than a pipe:
    /// on a long history a pipe's small buffer costs git about half as much again in system time.
    pub fn log(&self, request: &LogRequest<'_>) -> Result<String, GitError> {
        let sh = &self.sh;
        let mut revs = String::from("HEAD\n");
        for commit in request.exclude {
            revs.push('^');
            revs.push_str(commit);
            revs.push('\n');
        }
        let format = format!("--format={LOG_FORMAT}");
        let paths = request.paths;
        let what = "log --stdin";
        let dir =
            TempDir::new().map_err(|e| self.error(what, format!("temporary directory: {e}")))?;
        let output = dir.0.join("log");
        let output_arg = format!("--output={}", output.display());
        let cmd = cmd!(
            sh,
            "git -c log.showSignature=false log --no-color {LOG_Z} {format} {output_arg} --stdin --"
        )
        .args(paths)
        .stdin(revs);
        self.run_lossy(what, cmd)?;
        let bytes = std::fs::read(&output).map_err(|e| self.error(what, e.to_string()))?;
        Ok(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// The ids of the commits reachable from `HEAD` that touch one of `paths`, one per line.
    pub fn log_ids_touching(&self, paths: &[String]) -> Result<String, GitError> {
        let sh = &self.sh;
        self.run_lossy("log -- <paths>", cmd!(sh, "git log --format=%H HEAD --").args(paths))
    }

    /// Like `run`, but a non-UTF-8 byte (a commit message in another encoding) becomes U+FFFD
    /// instead of failing the whole read.
    fn run_lossy(&self, what: &str, cmd: xshell::Cmd<'_>) -> Result<String, GitError> {
        let output =
            cmd.quiet().ignore_status().output().map_err(|e| self.error(what, e.to_string()))?;
        crate::fault::point();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
            return Err(self.error(what, stderr));
        }
        Ok(match String::from_utf8(output.stdout) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }
}

// The release's reads and writes: preflight facts, the commit, the tag, the push, and undoing
// them. Everything a release changes in the repository goes through here.
impl Repo {
    /// The commit `HEAD` names.
    pub fn head(&self) -> Result<String, GitError> {
        let sh = &self.sh;
        Ok(self.run("rev-parse HEAD", cmd!(sh, "git rev-parse --verify HEAD"))?.trim().to_string())
    }

    /// The branch checked out, or `None` when `HEAD` is detached.
    pub fn current_branch(&self) -> Option<String> {
        let sh = &self.sh;
        let out = cmd!(sh, "git symbolic-ref --quiet --short HEAD")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()?;
        Some(out.trim().to_string()).filter(|b| !b.is_empty())
    }

    /// The `.git` directory (absolute), where the release keeps its state.
    pub fn git_dir(&self) -> Result<PathBuf, GitError> {
        let sh = &self.sh;
        let out =
            self.run("rev-parse --absolute-git-dir", cmd!(sh, "git rev-parse --absolute-git-dir"))?;
        Ok(PathBuf::from(out.trim()))
    }

    /// Tracked files with changes (staged or not), relative to the root.
    pub fn changed_tracked_files(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out = self.run(
            "status --porcelain -z --untracked-files=no",
            cmd!(sh, "git status --porcelain=v1 -z --untracked-files=no"),
        )?;
        // Entries are `XY path`; a rename is followed by its source path as a separate entry.
        let mut files = Vec::new();
        let mut entries = out.split('\0').filter(|e| !e.is_empty());
        while let Some(entry) = entries.next() {
            if entry.len() > 3 {
                files.push(entry[3..].to_string());
            }
            if entry.starts_with('R') || entry.starts_with('C') {
                entries.next();
            }
        }
        Ok(files)
    }

    /// A `git config` value.
    pub fn config(&self, key: &str) -> Option<String> {
        let sh = &self.sh;
        let out = cmd!(sh, "git config --get {key}").quiet().ignore_stderr().read().ok()?;
        Some(out.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// The remote `branch` pushes to: its configured remote, else `origin` when it exists.
    pub fn remote_for(&self, branch: &str) -> Option<String> {
        self.config(&format!("branch.{branch}.remote"))
            .or_else(|| self.config("remote.origin.url").map(|_| "origin".to_string()))
    }

    /// The remote's default branch, as the last fetch recorded it (`refs/remotes/<remote>/HEAD`).
    pub fn remote_default_branch(&self, remote: &str) -> Option<String> {
        let sh = &self.sh;
        let head = format!("refs/remotes/{remote}/HEAD");
        let out = cmd!(sh, "git symbolic-ref --quiet --short {head}")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()?;
        out.trim().strip_prefix(&format!("{remote}/")).map(str::to_string)
    }

    /// `git fetch --quiet <remote>`.
    pub fn fetch(&self, remote: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("fetch {remote}"), cmd!(sh, "git fetch --quiet {remote}")).map(drop)
    }

    /// How many commits `HEAD` is behind and ahead of `upstream` (`origin/main`).
    pub fn behind_ahead(&self, upstream: &str) -> Result<(usize, usize), GitError> {
        let sh = &self.sh;
        let range = format!("{upstream}...HEAD");
        let out = self.run(
            "rev-list --left-right --count",
            cmd!(sh, "git rev-list --left-right --count {range}"),
        )?;
        let mut counts = out.split_whitespace().map(|n| n.parse().unwrap_or(0));
        Ok((counts.next().unwrap_or(0), counts.next().unwrap_or(0)))
    }

    /// Whether `rev` names an object (`refs/remotes/origin/main`, `refs/tags/v1.0.0`).
    pub fn rev_exists(&self, rev: &str) -> bool {
        let sh = &self.sh;
        cmd!(sh, "git rev-parse --verify --quiet {rev}")
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .is_ok()
    }

    /// The commit a local tag points at, peeled.
    pub fn tag_commit(&self, tag: &str) -> Option<String> {
        let sh = &self.sh;
        let rev = format!("refs/tags/{tag}^{{commit}}");
        let out =
            cmd!(sh, "git rev-parse --verify --quiet {rev}").quiet().ignore_stderr().read().ok()?;
        Some(out.trim().to_string())
    }

    /// The object `refs` points at on `remote` (`refs/tags/v1.0.0`, `refs/heads/main`), asking
    /// the remote itself.
    pub fn remote_ref(&self, remote: &str, refname: &str) -> Result<Option<String>, GitError> {
        let sh = &self.sh;
        let out = self.run(
            &format!("ls-remote {remote} {refname}"),
            cmd!(sh, "git ls-remote {remote} {refname}"),
        )?;
        Ok(out.lines().find_map(|l| {
            let (sha, name) = l.split_once('\t')?;
            (name == refname).then(|| sha.to_string())
        }))
    }

    /// Commits exactly `paths` with `message` (other staged changes stay out of it).
    pub fn commit_paths(&self, message: &str, paths: &[String]) -> Result<String, GitError> {
        let sh = &self.sh;
        self.run("add", cmd!(sh, "git add -- {paths...}"))?;
        self.run(
            "commit",
            cmd!(sh, "git commit --quiet --cleanup=verbatim --file=- -- {paths...}").stdin(message),
        )?;
        self.head()
    }

    /// Creates the annotated tag `tag` at `HEAD` with `message`, verbatim (release notes start
    /// lines with `#`, which git would strip as comments); `sign` asks for `--sign` (git also
    /// signs when `tag.gpgSign` is set).
    pub fn tag_annotated(&self, tag: &str, message: &str, sign: bool) -> Result<(), GitError> {
        let sh = &self.sh;
        let sign = if sign { vec!["--sign"] } else { vec![] };
        self.run(
            &format!("tag {tag}"),
            cmd!(sh, "git tag --annotate --cleanup=verbatim {sign...} --file=- {tag}")
                .stdin(message),
        )
        .map(drop)
    }

    /// The message of an annotated tag.
    pub fn tag_message(&self, tag: &str) -> Result<String, GitError> {
        let sh = &self.sh;
        let rev = format!("refs/tags/{tag}");
        self.run("for-each-ref", cmd!(sh, "git for-each-ref --format=%(contents) {rev}"))
    }

    /// `git merge --ff-only <upstream>`: moves the branch and the work tree forward, or fails.
    pub fn fast_forward(&self, upstream: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(
            &format!("merge --ff-only {upstream}"),
            cmd!(sh, "git merge --quiet --ff-only {upstream}"),
        )
        .map(drop)
    }

    /// Whether `branch` has an upstream (`branch.<name>.merge`).
    pub fn has_upstream(&self, branch: &str) -> bool {
        self.config(&format!("branch.{branch}.merge")).is_some()
    }

    /// Makes `<remote>/<branch>` the upstream of `branch`, as `git push --set-upstream` does.
    pub fn set_upstream(&self, branch: &str, remote: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        let upstream = format!("{remote}/{branch}");
        self.run(
            &format!("branch --set-upstream-to={upstream}"),
            cmd!(sh, "git branch --quiet --set-upstream-to={upstream} {branch}"),
        )
        .map(drop)
    }

    /// Deletes the local tag `tag`.
    pub fn delete_tag(&self, tag: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("tag -d {tag}"), cmd!(sh, "git tag -d {tag}")).map(drop)
    }

    /// Moves the branch and the work tree back to `commit` (`git reset --hard`). Callers check
    /// first that nothing but the release's own changes would be lost.
    pub fn reset_hard(&self, commit: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("reset --hard {commit}"), cmd!(sh, "git reset --quiet --hard {commit}"))
            .map(drop)
    }

    /// Moves the branch and the index back to `commit`, leaving the work tree as it is
    /// (`git reset --mixed`); the caller puts the files back from the bytes it recorded.
    pub fn reset_mixed(&self, commit: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("reset --mixed {commit}"), cmd!(sh, "git reset --quiet --mixed {commit}"))
            .map(drop)
    }

    /// The object a local tag names (the tag object of an annotated tag), as `ls-remote` shows it.
    pub fn tag_object(&self, tag: &str) -> Option<String> {
        let sh = &self.sh;
        let rev = format!("refs/tags/{tag}");
        let out =
            cmd!(sh, "git rev-parse --verify --quiet {rev}").quiet().ignore_stderr().read().ok()?;
        Some(out.trim().to_string())
    }

    /// The full message of `rev`.
    pub fn commit_message(&self, rev: &str) -> Result<String, GitError> {
        let sh = &self.sh;
        self.run("log -1 --format=%B", cmd!(sh, "git log -1 --format=%B {rev}"))
    }

    /// The parent of `rev` (its first).
    pub fn parent(&self, rev: &str) -> Result<String, GitError> {
        let sh = &self.sh;
        let spec = format!("{rev}^");
        Ok(self
            .run("rev-parse parent", cmd!(sh, "git rev-parse --verify {spec}"))?
            .trim()
            .to_string())
    }
}

// The branch flows' git: branches, merges and their conflicts, the merge driver's setup.
impl Repo {
    /// The commit branch `name` points at, or `None` when there is no such local branch.
    pub fn branch_commit(&self, name: &str) -> Option<String> {
        let sh = &self.sh;
        let rev = format!("refs/heads/{name}^{{commit}}");
        let out =
            cmd!(sh, "git rev-parse --verify --quiet {rev}").quiet().ignore_stderr().read().ok()?;
        Some(out.trim().to_string())
    }

    /// The commit `rev` names, or `None` when it names none.
    pub fn resolve(&self, rev: &str) -> Option<String> {
        let sh = &self.sh;
        let rev = format!("{rev}^{{commit}}");
        let out =
            cmd!(sh, "git rev-parse --verify --quiet {rev}").quiet().ignore_stderr().read().ok()?;
        Some(out.trim().to_string())
    }

    /// The local branches and the remote-tracking branches of `remote`, short names (`main`,
    /// `origin/release/v1.3.0`).
    pub fn branch_names(&self, remote: Option<&str>) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let mut refs = vec!["refs/heads".to_string()];
        if let Some(remote) = remote {
            refs.push(format!("refs/remotes/{remote}"));
        }
        let out = self.run(
            "for-each-ref refs/heads",
            cmd!(sh, "git for-each-ref --format=%(refname:short) {refs...}"),
        )?;
        Ok(out.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }

    /// `git switch <branch>`: the work tree follows (refused by git when a change would be lost).
    pub fn switch(&self, branch: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("switch {branch}"), cmd!(sh, "git switch --quiet {branch}")).map(drop)
    }

    /// `git switch --discard-changes <branch>`: callers check first that nothing would be lost.
    pub fn switch_discarding(&self, branch: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(
            &format!("switch --discard-changes {branch}"),
            cmd!(sh, "git switch --quiet --discard-changes {branch}"),
        )
        .map(drop)
    }

    /// Creates branch `name` at `commit` and switches to it.
    pub fn switch_new(&self, name: &str, commit: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("switch -c {name}"), cmd!(sh, "git switch --quiet -c {name} {commit}"))
            .map(drop)
    }

    /// Points branch `name` at `commit` (creating it), when it is not checked out.
    pub fn set_branch(&self, name: &str, commit: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        let refname = format!("refs/heads/{name}");
        self.run(&format!("update-ref {refname}"), cmd!(sh, "git update-ref {refname} {commit}"))
            .map(drop)
    }

    /// Deletes the local branch `name` (not checked out), merged or not.
    pub fn delete_branch(&self, name: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("branch -D {name}"), cmd!(sh, "git branch --quiet -D {name}")).map(drop)
    }

    /// Merges `from` into the branch checked out with `message`; `no_ff` always makes a merge
    /// commit. `Ok(false)` when git stopped on conflicts (the merge is left in progress).
    pub fn merge(&self, from: &str, message: &str, no_ff: bool) -> Result<bool, GitError> {
        let sh = &self.sh;
        let ff = if no_ff { "--no-ff" } else { "--ff" };
        let output = cmd!(sh, "git merge --quiet --no-edit {ff} -m {message} {from}")
            .quiet()
            .ignore_status()
            .output()
            .map_err(|e| self.error("merge", e.to_string()))?;
        crate::fault::point();
        if output.status.success() {
            return Ok(true);
        }
        if self.merge_in_progress() {
            return Ok(false);
        }
        Err(self.error(
            &format!("merge {from}"),
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ))
    }

    /// Whether a merge is in progress (`MERGE_HEAD` exists).
    pub fn merge_in_progress(&self) -> bool {
        self.rev_exists("MERGE_HEAD")
    }

    /// The commit being merged in (`MERGE_HEAD`), during a merge.
    pub fn merge_head(&self) -> Option<String> {
        self.resolve("MERGE_HEAD")
    }

    /// The paths with unresolved conflicts.
    pub fn unmerged_paths(&self) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out = self.run(
            "diff --name-only --diff-filter=U",
            cmd!(sh, "git diff --name-only --diff-filter=U -z"),
        )?;
        Ok(out.split('\0').filter(|p| !p.is_empty()).map(str::to_string).collect())
    }

    /// The bytes of `path` at conflict stage `stage` (1 base, 2 ours, 3 theirs); `None` when
    /// that side has no such file.
    pub fn stage_bytes(&self, stage: u8, path: &str) -> Option<Vec<u8>> {
        let sh = &self.sh;
        let spec = format!(":{stage}:{path}");
        let output = cmd!(sh, "git cat-file blob {spec}").quiet().ignore_status().output().ok()?;
        crate::fault::point();
        output.status.success().then_some(output.stdout)
    }

    /// `git add -- <paths>`.
    pub fn add(&self, paths: &[String]) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run("add", cmd!(sh, "git add -- {paths...}")).map(drop)
    }

    /// Commits the merge in progress with its prepared message.
    pub fn commit_merge(&self) -> Result<String, GitError> {
        let sh = &self.sh;
        self.run("commit (merge)", cmd!(sh, "git commit --quiet --no-edit --cleanup=strip"))?;
        self.head()
    }

    /// `git merge --abort`.
    pub fn merge_abort(&self) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run("merge --abort", cmd!(sh, "git merge --abort")).map(drop)
    }

    /// The parents of `rev`, in order.
    pub fn parents(&self, rev: &str) -> Result<Vec<String>, GitError> {
        let sh = &self.sh;
        let out = self.run("rev-list --parents", cmd!(sh, "git rev-list --parents -n 1 {rev}"))?;
        Ok(out.split_whitespace().skip(1).map(str::to_string).collect())
    }

    /// Whether `ancestor` is `commit` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, commit: &str) -> Result<bool, GitError> {
        let sh = &self.sh;
        let output = cmd!(sh, "git merge-base --is-ancestor {ancestor} {commit}")
            .quiet()
            .ignore_status()
            .output()
            .map_err(|e| self.error("merge-base --is-ancestor", e.to_string()))?;
        match output.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(self.error(
                "merge-base --is-ancestor",
                String::from_utf8_lossy(&output.stderr).trim().into(),
            )),
        }
    }

    /// `git push --atomic [--set-upstream] <remote> <refs>`: all refs or none.
    pub fn push_atomic_upstream(
        &self,
        remote: &str,
        refs: &[String],
        set_upstream: bool,
    ) -> Result<(), GitError> {
        let sh = &self.sh;
        let upstream = if set_upstream { vec!["--set-upstream"] } else { vec![] };
        self.run(
            &format!("push --atomic {remote}"),
            cmd!(sh, "git push --quiet --atomic {upstream...} {remote} {refs...}"),
        )
        .map(drop)
    }

    /// The commits reachable from `tip` and from none of `excluded`, with their messages.
    pub fn commits_not_in(
        &self,
        tip: &str,
        excluded: &[String],
    ) -> Result<Vec<(String, String)>, GitError> {
        let sh = &self.sh;
        let out = self.run_lossy(
            "log --not",
            cmd!(sh, "git log -z --format=%H%x00%B {tip} --not {excluded...} --"),
        )?;
        let fields: Vec<&str> = out.split('\0').collect();
        Ok(fields
            .chunks(2)
            .filter(|c| c.len() == 2 && !c[0].trim().is_empty())
            .map(|c| (c[0].trim().to_string(), c[1].to_string()))
            .collect())
    }

    /// Sets `key` to `value` in the repository's own configuration (`.git/config`).
    pub fn set_local_config(&self, key: &str, value: &str) -> Result<(), GitError> {
        let sh = &self.sh;
        self.run(&format!("config {key}"), cmd!(sh, "git config --local {key} {value}")).map(drop)
    }
}

/// A directory this process created (so no one else's file or link is in it), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let base = std::env::temp_dir();
        let mut attempt = 0u32;
        loop {
            let dir = base.join(format!("monorel-git-{}-{attempt}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(TempDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
