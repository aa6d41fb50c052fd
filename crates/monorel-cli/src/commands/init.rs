//! `monorel init [--stdout] [--force]`: write the `monorel.toml` that reproduces discovery.

use std::{path::Path, process::ExitCode};

use anyhow::{Context, bail};
use monorel::{apply, config, repo};

use crate::render::out;

pub(crate) fn run(dir: &Path, args: &crate::args::InitArgs) -> anyhow::Result<ExitCode> {
    let snapshot = super::load(dir)?;
    let model = repo::discover(&snapshot);
    if model.groups.is_empty() {
        bail!(
            "nothing to release here: no Cargo package, Python project or Helm chart with a version{}; nothing was written\nhelp: inside git only tracked files are read (`git add` a new manifest first); `monorel versions --all` lists what discovery found and set aside",
            set_aside(&snapshot)
        );
    }
    let path = dir.join(config::FILE_NAME);
    let existing = std::fs::read_to_string(&path).ok();
    let text = repo::init::config_text(&model, existing.as_deref());
    // The file must reproduce what was found and pass `versions --check`: discover again with
    // it before writing anything.
    let mut proposed = snapshot.clone();
    proposed.config = config::Config::parse_file(config::FILE_NAME, &text).map_err(|e| {
        anyhow::anyhow!("`monorel init` wrote an invalid file ({}): please report this", e.message)
    })?;
    let check = repo::discover(&proposed);
    if !check.problems.is_empty() {
        eprint!("{}", crate::render::problems(&check.problems));
        bail!(
            "the repository has {} problem{} that no configuration fixes; nothing was written\nhelp: fix them, then run `monorel init` again (`--stdout` prints the proposal)",
            check.problems.len(),
            if check.problems.len() == 1 { "" } else { "s" }
        );
    }
    if args.stdout {
        out!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if existing.is_some() && !args.force {
        bail!(
            "`{}` already exists; nothing was written\nhelp: `monorel init --stdout` prints the proposal, `--force` replaces the file (keeping every key that `init` does not write itself)",
            config::FILE_NAME
        );
    }
    apply::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("cannot write `{}`", config::FILE_NAME))?;
    out!(
        "wrote `{}`: {} group{}",
        config::FILE_NAME,
        check.groups.len(),
        if check.groups.len() == 1 { "" } else { "s" }
    );
    for group in &check.groups {
        let version = group.version.as_ref().map_or("(drift)".into(), ToString::to_string);
        out!(
            "\n  {} at {version}: {} package{}, tag `{}`",
            group.name,
            group.packages.len(),
            if group.packages.len() == 1 { "" } else { "s" },
            group.tag
        );
    }
    out!("\n");
    Ok(ExitCode::SUCCESS)
}

/// ` (N manifests under test data and examples set aside)`, when there are any.
fn set_aside(snapshot: &repo::Snapshot) -> String {
    super::versions::set_aside_count(snapshot).map(|c| format!(" ({c})")).unwrap_or_default()
}
