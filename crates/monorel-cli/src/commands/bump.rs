//! `monorel bump <LEVEL> [--pre KIND] [--group NAME] [--execute]`: one group, every file, at once.
//!
//! `--execute` holds `.git/monorel.lock` and keeps a journal (`monorel::journal`) while it
//! writes: a run killed in the middle leaves files that the next `bump --execute` puts back
//! first, so a bump is never left half done.

use std::{path::Path, process::ExitCode};

use anyhow::Context;
use monorel::{
    apply, cargo, journal,
    repo::{self, BumpRequest, PlanError},
    version::{Level, PreKind},
};

use crate::{
    args::BumpArgs,
    render,
    render::{out, outln},
};

pub(crate) fn run(dir: &Path, args: &BumpArgs) -> anyhow::Result<ExitCode> {
    let level = Level::parse(&args.level)
        .map_err(|e| anyhow::anyhow!("{}\nhelp: {}", e.message, e.help))?;
    let pre = args.pre.as_deref().and_then(PreKind::parse);
    // One monorel at a time, from before the files are read (outside git there is no `.git/` to
    // hold the lock).
    let git_dir = match monorel::git::Repo::discover(dir) {
        Some(repo) => Some(repo.git_dir()?),
        None => None,
    };
    let _lock = match git_dir.as_deref().filter(|_| args.execute) {
        Some(git_dir) => Some(monorel::lock::acquire(git_dir)?),
        None => None,
    };
    if let Some(git_dir) = &git_dir {
        if args.execute {
            let put_back = journal::recover(git_dir).map_err(|e| {
                anyhow::anyhow!(
                    "{e}\nhelp: make those files what you want them to be, remove `{}`, then bump again",
                    journal::dir(git_dir).display()
                )
            })?;
            if !put_back.is_empty() {
                eprintln!(
                    "note: an interrupted `bump --execute` had left {} file{} half bumped; {} put back first",
                    put_back.len(),
                    plural(put_back.len()),
                    if put_back.len() == 1 { "it was" } else { "they were" }
                );
            }
        } else if journal::exists(git_dir) {
            eprintln!(
                "note: an interrupted `bump --execute` left files half bumped; the next `bump --execute` puts them back first"
            );
        }
    }
    let snapshot = super::load(dir)?;
    let model = repo::discover(&snapshot);
    let request = BumpRequest { level, pre, group: args.group.clone() };
    let plan = match repo::plan_bump(&snapshot, &model, &request) {
        Ok(plan) => plan,
        Err(PlanError::Problems { group, problems }) => {
            eprint!("{}", render::problems(&problems));
            eprintln!(
                "error: cannot bump group `{group}`: fix the problems above first; no file was changed"
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(PlanError::File { path, refusal }) => {
            eprint!("{}", render::refusal_text(&path, &refusal));
            return Ok(ExitCode::FAILURE);
        }
        // A package whose version cannot be read is a group apart: its problem is why there
        // are several groups, so say it before asking which one.
        Err(e @ PlanError::WhichGroup(_)) if !model.problems.is_empty() => {
            eprint!("{}", render::problems(&model.problems));
            anyhow::bail!(
                "{e}\nhelp: fix the problems above, which may be why there are several groups"
            );
        }
        Err(e @ PlanError::Version { .. }) => {
            let PlanError::Version { error, .. } = &e else { unreachable!() };
            anyhow::bail!("{e}\nhelp: {}", error.help)
        }
        Err(e) => return Err(e.into()),
    };

    let (group, tag) = (render::escape(&plan.group), render::escape(&plan.tag));
    outln!("bump group `{group}`: {} -> {} (tag `{tag}`)\n", plan.from, plan.to);
    for file in &plan.files {
        out!("{}", render::diff(&file.path, &file.before, &file.after));
    }
    for note in &plan.notes {
        outln!("note: {note}");
    }
    let (tokens, files) = plan.counts();
    let summary = format!("{tokens} version{} in {files} file{}", plural(tokens), plural(files));
    if !args.execute {
        outln!(
            "\n{summary} would change; dry run: nothing was written (run with `--execute` to apply)"
        );
        return Ok(ExitCode::SUCCESS);
    }

    let paths: Vec<std::path::PathBuf> = plan.files.iter().map(|f| dir.join(&f.path)).collect();
    let writes = plan
        .files
        .iter()
        .zip(&paths)
        .map(|(f, p)| (p.as_path(), f.before.as_slice(), f.after.as_slice()));
    if let Some(git_dir) = &git_dir {
        journal::begin(git_dir, writes.clone())?;
    }
    let end_journal = || -> anyhow::Result<()> {
        if let Some(git_dir) = &git_dir {
            journal::end(git_dir)?;
        }
        Ok(())
    };
    if let Err(e) = apply::write_all(writes) {
        if e.not_restored.is_empty() {
            end_journal()?;
            anyhow::bail!("{e}\nhelp: no file was left changed");
        }
        // The journal stays: the next `bump --execute` puts those files back.
        anyhow::bail!(
            "{e}\nhelp: the next `bump --execute` puts them back first (or `git checkout -- <file>`)"
        );
    }
    // Cargo must agree that every lockfile still matches its manifests. Where Cargo cannot
    // check a lockfile even without the bump (crates not cached, a pinned toolchain missing),
    // that is not the bump's failure: monorel's own check stands in.
    let restore = |from: fn(&repo::PlannedFile) -> &[u8], to: fn(&repo::PlannedFile) -> &[u8]| {
        apply::write_all(plan.files.iter().zip(&paths).map(|(f, p)| (p.as_path(), from(f), to(f))))
    };
    let mut unchecked = Vec::new();
    for file in plan.files.iter().filter(|f| f.path.ends_with("Cargo.lock")) {
        let lock_dir = dir.join(file.path.rsplit_once('/').map_or("", |(d, _)| d));
        if let Err(e) = cargo::check_lockfile(&lock_dir) {
            restore(|f| &f.after, |f| &f.before)
                .context("restoring the files after Cargo refused the bump")?;
            if cargo::check_lockfile(&lock_dir).is_ok() {
                end_journal()?;
                anyhow::bail!(
                    "{e}\nhelp: every file was restored; run `cargo update --workspace` if Cargo.lock was already out of step, then bump again"
                );
            }
            restore(|f| &f.before, |f| &f.after).context("writing the bump again")?;
            unchecked.push((file.path.clone(), e));
        }
    }
    if !unchecked.is_empty() {
        // monorel's own check: discovery of the written tree finds the group at the new
        // version, every lock entry included, with no problem.
        let after = repo::discover(&super::load(dir)?);
        let found = after.group(&plan.group);
        let problems = after.problems_of(&plan.group);
        if found.and_then(|g| g.version.as_ref()) != Some(&plan.to) || !problems.is_empty() {
            eprint!("{}", render::problems(&problems));
            restore(|f| &f.after, |f| &f.before)
                .context("restoring the files after the check of the bump failed")?;
            end_journal()?;
            anyhow::bail!(
                "after the bump, group `{}` would not be at {} everywhere; every file was restored",
                group,
                plan.to
            );
        }
        for (path, e) in &unchecked {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or_default().to_string();
            outln!(
                "warning: Cargo could not check `{path}`, without the bump either ({first}); monorel checked that every entry of group `{}` in it is at {}",
                group,
                plan.to
            );
        }
    }
    end_journal()?;
    outln!("\n{summary} changed: {group} is now at {}", plan.to);
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
