//! `monorel bump <LEVEL> [--pre KIND] [--group NAME] [--execute]`: one group, every file, at once.

use std::{path::Path, process::ExitCode};

use anyhow::Context;
use monorel::{
    apply, cargo,
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
        Err(e @ PlanError::Version { .. }) => {
            let PlanError::Version { error, .. } = &e else { unreachable!() };
            anyhow::bail!("{e}\nhelp: {}", error.help)
        }
        Err(e) => return Err(e.into()),
    };

    outln!("bump group `{}`: {} -> {} (tag `{}`)\n", plan.group, plan.from, plan.to, plan.tag);
    for file in &plan.files {
        out!("{}", render::diff(&file.path, &file.before, &file.after));
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
    apply::write_all(writes).context("no file was left changed")?;
    // Cargo must agree that every lockfile still matches its manifests.
    for file in plan.files.iter().filter(|f| f.path.ends_with("Cargo.lock")) {
        let lock_dir = dir.join(file.path.rsplit_once('/').map_or("", |(d, _)| d));
        if let Err(e) = cargo::check_lockfile(&lock_dir) {
            let restore = plan
                .files
                .iter()
                .zip(&paths)
                .map(|(f, p)| (p.as_path(), f.after.as_slice(), f.before.as_slice()));
            apply::write_all(restore)
                .context("restoring the files after Cargo refused the bump")?;
            anyhow::bail!(
                "{e}\nhelp: every file was restored; run `cargo update --workspace` if Cargo.lock was already out of step, then bump again"
            );
        }
    }
    outln!("\n{summary} changed: {} is now at {}", plan.group, plan.to);
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
