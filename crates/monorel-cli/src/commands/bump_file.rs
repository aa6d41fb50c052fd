//! `monorel bump-file FILE --from OLD --to NEW`: the exact edit of one file.

use std::{fs, path::Path, process::ExitCode};

use anyhow::{Context, bail};
use monorel::{
    apply,
    editors::{self, FileKind},
    version,
};

use crate::{
    args::BumpFileArgs,
    render::{self, out},
};

pub(crate) fn run(dir: &Path, args: &BumpFileArgs) -> anyhow::Result<ExitCode> {
    let path = dir.join(&args.file);
    let shown = args.file.display().to_string();
    let kind = match args.kind.or_else(|| FileKind::from_path(&args.file)) {
        Some(kind) => kind,
        None => {
            let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.name()).collect();
            bail!(
                "cannot tell the kind of `{shown}` from its name\nhelp: pass `--kind <KIND>`, one of: {}",
                names.join(", ")
            )
        }
    };
    let parse = |which: &str, text: &str| {
        version::parse(text).map_err(|e| {
            anyhow::anyhow!("cannot bump `{shown}`: {which} {}\nhelp: {}", e.message, e.help)
        })
    };
    let old = parse("--from", &args.from)?;
    let new = parse("--to", &args.to)?;
    let bytes = fs::read(&path).with_context(|| format!("cannot read `{shown}`"))?;
    let edit = match editors::plan_file(kind, &bytes, &old, &new) {
        Ok(edit) => edit,
        Err(refusal) => {
            render::refusal(&shown, &refusal);
            return Ok(ExitCode::FAILURE);
        }
    };
    if args.dry_run {
        out!("{}", render::file_diff(&shown, &edit));
        out!("{}", render::file_summary(&shown, &edit, true));
        return Ok(ExitCode::SUCCESS);
    }
    if edit.after != edit.before {
        apply::write_atomic(&path, &edit.after)
            .with_context(|| format!("cannot write `{shown}`"))?;
    }
    out!("{}", render::file_summary(&shown, &edit, false));
    Ok(ExitCode::SUCCESS)
}
