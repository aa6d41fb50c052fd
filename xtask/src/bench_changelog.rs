//! `cargo xtask bench changelog`: how fast `monorel changelog` is on a long history (issues 4
//! and 13).
//!
//! Generates, with `git fast-import`, a history of 100,000 Conventional Commits three times:
//! untagged; with an annotated release tag every 300 commits; and with a tag every 10 commits
//! (10,000 tags) and one commit after the newest tag. Then, in the same run and taking turns,
//! times each history's floor (one `git log` of the whole history printing the fields monorel
//! reads) and `monorel changelog`: the Unreleased section over the whole untagged history,
//! `--all` over both tagged ones, and the one-commit `[Unreleased]` range after the newest of
//! 10,000 tags; and `git cliff` once when it is installed. Each mode's ratio is to the floor of
//! its own history. Peak memory comes from `/usr/bin/time -f %M`. The release build of `monorel`
//! is used; generating the histories is not timed. Prints a Markdown table for
//! `docs/benchmarks.md`.

use std::{
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::ExitCode,
    time::{Duration, Instant},
};

// The floor asks `git log` for the fields monorel asks for.
use monorel::git::{LOG_FORMAT, LOG_Z};
use xshell::{Shell, cmd};

use crate::task::Result;

const USAGE: &str =
    "usage: cargo xtask bench changelog [--commits N] [--every N] [--runs N] [--keep DIR]

  --commits N   commits in the generated histories (default 100000)
  --every N     a release tag every N commits in the tagged history (default 300)
  --many N      a release tag every N commits in the many-tag history (default 10)
  --runs N      timed runs of each command, after one warm-up run (default 5)
  --keep DIR    generate the histories in DIR and keep them (reused when already there)

`git cliff` is timed too when `git-cliff` is on PATH or `GIT_CLIFF` names it.";

/// Runs `cargo xtask bench changelog <args>` for the repository at `root`.
pub(crate) fn run(root: &Path, args: &[&str]) -> ExitCode {
    crate::task::run(args, USAGE, parse, |options| bench(root, options))
}

#[derive(Debug)]
struct Options {
    commits: usize,
    every: usize,
    many: usize,
    runs: usize,
    keep: Option<PathBuf>,
}

fn parse(args: &[&str]) -> Result<Option<Options>> {
    let mut options = Options { commits: 100_000, every: 300, many: 10, runs: 5, keep: None };
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        let mut value = || args.next().copied().ok_or_else(|| format!("`{arg}` needs a value"));
        match arg {
            "--commits" => options.commits = value()?.parse()?,
            "--every" => options.every = value()?.parse()?,
            "--many" => options.many = value()?.parse()?,
            "--runs" => options.runs = value()?.parse()?,
            "--keep" => options.keep = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unexpected argument `{other}`").into()),
        }
    }
    if options.commits < 10 || options.every == 0 || options.many == 0 || options.runs == 0 {
        return Err(
            "`--commits` must be at least 10, `--every`, `--many` and `--runs` at least 1".into()
        );
    }
    Ok(Some(options))
}

fn bench(root: &Path, options: &Options) -> Result<()> {
    let sh = Shell::new()?;
    sh.change_dir(root);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    cmd!(sh, "{cargo} build --release -p monorel-cli").run()?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let monorel =
        target_dir.join("release").join(format!("monorel{}", std::env::consts::EXE_SUFFIX));
    if !monorel.is_file() {
        return Err(format!("the release build left no `{}`", monorel.display()).into());
    }
    let monorel = monorel.display().to_string();

    let (dir, _cleanup) = match &options.keep {
        Some(dir) => (dir.clone(), None),
        None => {
            let dir = std::env::temp_dir()
                .join(format!("monorel-bench-changelog-{}", std::process::id()));
            (dir.clone(), Some(Cleanup(dir)))
        }
    };
    let untagged = dir.join("untagged");
    let tagged = dir.join("tagged");
    let many = dir.join("many-tags");
    let gsh = Shell::new()?;
    gsh.set_var("GIT_CONFIG_GLOBAL", "/dev/null");
    gsh.set_var("GIT_CONFIG_NOSYSTEM", "1");
    let n = options.commits;
    // The many-tag history ends with one commit after its newest tag.
    let histories = [
        (&untagged, n, None),
        (&tagged, n, Some(options.every)),
        (&many, n + 1, Some(options.many)),
    ];
    for (repo, commits, every) in histories {
        let marker = repo.join(".git/monorel-bench-changelog");
        let wanted = format!("{commits} {every:?}");
        if fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
            eprintln!("reusing `{}`", repo.display());
            continue;
        }
        if repo.exists() {
            fs::remove_dir_all(repo)?;
        }
        fs::create_dir_all(repo)?;
        eprintln!("generating {commits} commits in `{}`...", repo.display());
        let started = Instant::now();
        gsh.change_dir(repo);
        cmd!(gsh, "git init -q -b main").run()?;
        cmd!(gsh, "git fast-import --quiet").stdin(stream(commits, every)).run()?;
        // As in a clone: the tags in `packed-refs`, with their peeled commits.
        cmd!(gsh, "git pack-refs --all").run()?;
        fs::write(&marker, wanted)?;
        eprintln!("generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    gsh.change_dir(&tagged);
    let tags = cmd!(gsh, "git tag").quiet().read()?.lines().count();
    gsh.change_dir(&many);
    let many_tags = cmd!(gsh, "git tag").quiet().read()?.lines().count();

    let git_cliff = std::env::var("GIT_CLIFF").ok().or_else(|| {
        cmd!(gsh, "git-cliff --version")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()
            .map(|_| "git-cliff".into())
    });
    let format = format!("--format={LOG_FORMAT}");
    let mut commands: Vec<Command> = vec![
        Command::new(
            "floor: `git log` (same fields), untagged",
            &untagged,
            "git",
            &["log", LOG_Z, &format, "HEAD"],
        ),
        Command::new(
            "`monorel changelog --stdout`, untagged",
            &untagged,
            &monorel,
            &["changelog", "--stdout"],
        ),
        Command::new(
            "floor: `git log` (same fields), tagged",
            &tagged,
            "git",
            &["log", LOG_Z, &format, "HEAD"],
        ),
        Command::new(
            "`monorel changelog --all --stdout`, tagged",
            &tagged,
            &monorel,
            &["changelog", "--all", "--stdout"],
        ),
        Command::new(
            "floor: `git log` (same fields), many tags",
            &many,
            "git",
            &["log", LOG_Z, &format, "HEAD"],
        ),
        Command::new(
            "`monorel changelog --all --stdout`, many tags",
            &many,
            &monorel,
            &["changelog", "--all", "--stdout"],
        ),
        Command::new(
            "`monorel changelog --stdout`, many tags (1 commit after the newest)",
            &many,
            &monorel,
            &["changelog", "--stdout"],
        ),
    ];
    let timed = commands.len();
    if let Some(cliff) = &git_cliff {
        // Once each (it is much slower), with a time limit.
        commands.push(Command::new(
            "`git cliff`, untagged",
            &untagged,
            "timeout",
            &["1800", cliff],
        ));
        commands.push(Command::new("`git cliff`, tagged", &tagged, "timeout", &["1800", cliff]));
    } else {
        eprintln!("`git-cliff` not found: set GIT_CLIFF or put it on PATH to time it");
    }

    eprintln!("timing {} runs of {timed} commands...", options.runs);
    for round in 0..=options.runs {
        for command in commands.iter_mut().take(timed) {
            let elapsed = command.time(&gsh)?;
            if round > 0 {
                command.times.push(elapsed);
            }
        }
    }
    let has_time = Path::new("/usr/bin/time").is_file();
    for (i, command) in commands.iter_mut().enumerate() {
        if i >= timed {
            eprintln!("timing {} (once)...", command.label);
        }
        if has_time {
            // The slow ones run once: that run gives both the time and the peak.
            let started = Instant::now();
            command.peak_kib = command.peak(&gsh)?;
            if i >= timed {
                command.times.push(started.elapsed());
            }
        } else if i >= timed {
            let elapsed = command.time(&gsh)?;
            command.times.push(elapsed);
        }
    }

    let mut table = String::from(
        "| command | runs | median | min | vs floor | peak memory |\n|---|---:|---:|---:|---:|---:|\n",
    );
    // Each command's floor: the `git log` of its own history.
    let floor_of = |c: &Command| {
        commands.iter().position(|f| f.dir == c.dir && f.label.starts_with("floor")).unwrap_or(0)
    };
    let ratio = |i: usize| {
        commands[i].median().as_secs_f64() / commands[floor_of(&commands[i])].median().as_secs_f64()
    };
    for (i, c) in commands.iter().enumerate() {
        writeln!(
            table,
            "| {} | {} | {:.3} s | {:.3} s | {:.2}x | {} |",
            c.label,
            c.times.len(),
            c.median().as_secs_f64(),
            c.times.iter().min().copied().unwrap_or_default().as_secs_f64(),
            ratio(i),
            c.peak_kib.map_or("-".to_string(), |k| format!("{:.0} MB", k as f64 / 1024.0)),
        )?;
    }
    println!(
        "\n{} commits; the tagged history has {tags} annotated tags (one every {} commits), the \
         many-tag one {many_tags} (one every {}) and one commit after the newest.\n\n{table}",
        options.commits, options.every, options.many
    );
    let monorel_modes: Vec<usize> =
        (0..timed).filter(|&i| !commands[i].label.starts_with("floor")).collect();
    let worst = monorel_modes.iter().map(|&i| ratio(i)).fold(0.0, f64::max);
    let whole = ratio(1);
    println!(
        "targets (issue 13): every mode at most 2x its floor (worst {worst:.2}x): {}; the whole \
         untagged history at most 1.6x ({whole:.2}x): {}",
        if worst <= 2.0 { "met" } else { "missed" },
        if whole <= 1.6 { "met" } else { "missed" },
    );
    Ok(())
}

/// A `git fast-import` stream of `n` Conventional Commits (deterministic), with an annotated
/// tag `v0.<k>.0` every `every` commits when given.
fn stream(n: usize, every: Option<usize>) -> Vec<u8> {
    const TYPES: [&str; 12] = [
        "feat", "fix", "fix", "perf", "refactor", "docs", "chore", "ci", "test", "feat", "fix",
        "build",
    ];
    const SCOPES: [&str; 6] = ["cli", "core", "api", "", "", "docs"];
    const WORDS: [&str; 16] = [
        "parser", "cache", "index", "tag", "release", "config", "group", "lock", "chart", "wheel",
        "header", "timeout", "retry", "output", "link", "path",
    ];
    let mut out = Vec::with_capacity(n * 300);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let start = 1_500_000_000u64;
    for i in 1..=n {
        let r = next();
        let kind = TYPES[(r % 12) as usize];
        let scope = SCOPES[((r >> 8) % 6) as usize];
        let (a, b) = (WORDS[((r >> 16) % 16) as usize], WORDS[((r >> 24) % 16) as usize]);
        let bang = if (r >> 32) % 97 == 0 { "!" } else { "" };
        let scope = if scope.is_empty() { String::new() } else { format!("({scope})") };
        let mut message = format!("{kind}{scope}{bang}: handle the {a} when the {b} changes");
        if (r >> 40) % 5 == 0 {
            message.push_str(&format!(" (#{})", i % 5000 + 1));
        }
        if (r >> 44) % 3 == 0 {
            message.push_str(&format!(
                "\n\nThe {a} used to ignore the {b}; it now reads it once and keeps it.\n\nRefs: #{}",
                i % 700 + 1
            ));
        }
        if (r >> 48) % 211 == 0 {
            message.push_str("\n\nBREAKING CHANGE: the old behaviour is gone");
        }
        message.push('\n');
        let when = start + i as u64 * 60;
        let file = format!("src/{}/{}.rs", a, i % 50);
        let content = format!("// {i}\n");
        let _ = write!(
            Bytes(&mut out),
            "commit refs/heads/main\nmark :{i}\nauthor Ada <ada@example.invalid> {when} +0000\ncommitter Ada <ada@example.invalid> {when} +0000\ndata {}\n{message}\nM 100644 inline {file}\ndata {}\n{content}\n",
            message.len(),
            content.len()
        );
        if let Some(every) = every {
            if i % every == 0 {
                let _ = write!(
                    Bytes(&mut out),
                    "tag v0.{}.0\nfrom :{i}\ntagger Ada <ada@example.invalid> {when} +0000\ndata 0\n\n",
                    i / every
                );
            }
        }
    }
    out
}

/// `fmt::Write` into bytes.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

struct Command {
    label: String,
    dir: PathBuf,
    program: String,
    args: Vec<String>,
    times: Vec<Duration>,
    peak_kib: Option<u64>,
}

impl Command {
    fn new(label: &str, dir: &Path, program: &str, args: &[&str]) -> Command {
        Command {
            label: label.into(),
            dir: dir.to_path_buf(),
            program: program.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            times: Vec::new(),
            peak_kib: None,
        }
    }

    fn time(&self, sh: &Shell) -> Result<Duration> {
        sh.change_dir(&self.dir);
        let cmd = sh.cmd(&self.program).args(&self.args).quiet().ignore_stdout().ignore_stderr();
        let started = Instant::now();
        cmd.run().map_err(|e| format!("{}: {e}", self.label))?;
        Ok(started.elapsed())
    }

    /// Peak resident memory, in KiB, from `/usr/bin/time -f %M`.
    fn peak(&self, sh: &Shell) -> Result<Option<u64>> {
        sh.change_dir(&self.dir);
        let output = sh
            .cmd("/usr/bin/time")
            .args(["-f", "%M", &self.program])
            .args(&self.args)
            .quiet()
            .ignore_stdout()
            .output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        Ok(stderr.lines().last().and_then(|l| l.trim().parse().ok()))
    }

    fn median(&self) -> Duration {
        let mut times = self.times.clone();
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    }
}

/// Removes the generated histories when the benchmark ends, whichever way.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_deterministic_and_tags_every_n_commits() {
        let a = stream(20, Some(10));
        assert_eq!(a, stream(20, Some(10)));
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.matches("\ncommit refs/heads/main\n").count() + 1, 20);
        assert_eq!(text.matches("tag v0.").count(), 2);
        assert!(text.contains("tag v0.2.0\nfrom :20\n"));
    }
}
