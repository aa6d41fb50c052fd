//! `monorel merge-driver <BASE> <OURS> <THEIRS> [PATH]` and `monorel merge-driver --install`:
//! the changelog's git merge driver, the same three-way merge the release flows use
//! (`changelog::merge3`), so that an ordinary `git merge` resolves `CHANGELOG.md` too.
//!
//! git runs it as `monorel merge-driver %O %A %B %P` for the paths `.gitattributes` marks
//! `merge=monorel`; the result replaces `%A` and exit 0 says it is resolved. Exit 1 leaves the
//! file untouched for git's own conflict markers.

#[cfg(not(feature = "changelog"))]
pub(crate) fn run(
    _dir: &std::path::Path,
    _args: &crate::args::MergeDriverArgs,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!(
        "this build of monorel has no changelog support (the `changelog` feature is off)\n\
         help: use a `monorel` built with default features"
    )
}

#[cfg(feature = "changelog")]
pub(crate) use imp::run;

/// The `git config` the driver needs, as `(key, value)`.
pub(crate) const GIT_CONFIG: [(&str, &str); 2] = [
    ("merge.monorel.name", "monorel changelog merge"),
    ("merge.monorel.driver", "monorel merge-driver %O %A %B %P"),
];

#[cfg(feature = "changelog")]
mod imp {
    use std::{fs, path::Path, process::ExitCode};

    use anyhow::Context;
    use monorel::{apply, changelog, git::Repo};

    use super::GIT_CONFIG;
    use crate::{args::MergeDriverArgs, render::outln};

    pub(crate) fn run(dir: &Path, args: &MergeDriverArgs) -> anyhow::Result<ExitCode> {
        if args.install {
            return install(dir, args.execute);
        }
        let (Some(base), Some(ours), Some(theirs)) = (&args.base, &args.ours, &args.theirs) else {
            anyhow::bail!("say the three files: `monorel merge-driver %O %A %B %P`");
        };
        let path = args.path.clone().unwrap_or_else(|| ours.display().to_string());
        let read = |p: &Path| fs::read(p).with_context(|| format!("cannot read `{}`", p.display()));
        let (base, ours_bytes, theirs) = (read(base)?, read(ours)?, read(theirs)?);
        match changelog::merge3(&path, Some(&base), &ours_bytes, &theirs) {
            Ok(merged) => {
                apply::write_atomic(ours, &merged)
                    .with_context(|| format!("cannot write `{}`", ours.display()))?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("monorel merge-driver: cannot merge `{path}`: {e}");
                Ok(ExitCode::FAILURE)
            }
        }
    }

    /// The `.gitattributes` line for each changelog a release promotes, and the driver's
    /// `git config`; printed, and with `execute` written.
    fn install(dir: &Path, execute: bool) -> anyhow::Result<ExitCode> {
        let repo = Repo::discover(dir).with_context(|| {
            format!(
                "`{}` is not inside a git work tree\nhelp: run it in the repository",
                dir.display()
            )
        })?;
        let snapshot = crate::commands::load(repo.root())?;
        let changelog = snapshot.config.release.changelog.clone();
        let attributes = repo.root().join(".gitattributes");
        let before = match fs::read(&attributes) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).context("cannot read `.gitattributes`"),
        };
        let line = format!("{} merge=monorel", changelog.replace(' ', "[[:space:]]"));
        let text = String::from_utf8_lossy(&before);
        let present = text.lines().any(|l| l.trim() == line);
        let mut after = before.clone();
        if !present {
            if !after.is_empty() && !after.ends_with(b"\n") {
                after.push(b'\n');
            }
            after.extend_from_slice(format!("{line}\n").as_bytes());
        }
        let configured: Vec<bool> =
            GIT_CONFIG.iter().map(|(k, v)| repo.config(k).as_deref() == Some(*v)).collect();
        outln!(
            "{} `.gitattributes`: {line}",
            if present {
                "already in"
            } else if execute {
                "added to"
            } else {
                "would add to"
            }
        );
        for ((key, value), done) in GIT_CONFIG.iter().zip(&configured) {
            outln!(
                "{} git config {key} \"{value}\"",
                if *done {
                    "already set:"
                } else if execute {
                    "set:"
                } else {
                    "would set:"
                }
            );
        }
        if !execute {
            outln!(
                "\ndry run: nothing was changed; run again with `--execute` to install (commit `.gitattributes` to share it; each clone sets the `git config` once)"
            );
            return Ok(ExitCode::SUCCESS);
        }
        if !present {
            apply::write_atomic(&attributes, &after).context("cannot write `.gitattributes`")?;
        }
        for ((key, value), done) in GIT_CONFIG.iter().zip(configured) {
            if !done {
                repo.set_local_config(key, value)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
