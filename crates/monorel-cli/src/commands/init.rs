//! `monorel init [--stdout] [--force]`: write the `monorel.toml` that reproduces discovery.

use std::{path::Path, process::ExitCode};

use anyhow::{Context, bail};
use monorel::{apply, config, repo};

use crate::render::out;

pub(crate) fn run(dir: &Path, args: &crate::args::InitArgs) -> anyhow::Result<ExitCode> {
    let snapshot = super::load(dir)?;
    let model = repo::discover(&snapshot);
    let text = repo::init::config_text(&model);
    if args.stdout {
        out!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let path = dir.join(config::FILE_NAME);
    if path.exists() && !args.force {
        bail!(
            "`{}` already exists; nothing was written\nhelp: `monorel init --stdout` prints the proposal, `--force` replaces the file",
            config::FILE_NAME
        );
    }
    apply::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("cannot write `{}`", config::FILE_NAME))?;
    // The file must reproduce what was found: read it back and discover again.
    let check = repo::discover(&super::load(dir)?);
    out!(
        "wrote `{}`: {} group{}",
        config::FILE_NAME,
        check.groups.len(),
        if check.groups.len() == 1 { "" } else { "s" }
    );
    for group in &check.groups {
        let version = group.version.as_ref().map_or("(drift)".into(), ToString::to_string);
        out!(
            "\n  {} at {version}: {} package{}",
            group.name,
            group.packages.len(),
            if group.packages.len() == 1 { "" } else { "s" }
        );
    }
    out!("\n");
    Ok(ExitCode::SUCCESS)
}
