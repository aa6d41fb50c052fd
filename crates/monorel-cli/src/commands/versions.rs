//! `monorel versions [--check] [--format text|json|github]`: every version site of the repository.

use std::{path::Path, process::ExitCode};

use monorel::repo::{self, Model, Release};
use serde_json::json;

use crate::{
    args::{Format, VersionsArgs},
    render,
    render::{out, outln},
};

pub(crate) fn run(dir: &Path, args: &VersionsArgs) -> anyhow::Result<ExitCode> {
    let snapshot = super::load(dir)?;
    let model = repo::discover(&snapshot);
    match args.format {
        Format::Json => {
            let mut json = to_json(&model);
            json["set_aside"] = json!(snapshot.set_aside);
            outln!("{}", serde_json::to_string_pretty(&json)?)
        }
        Format::Github => {
            out!("{}", render::github_annotations(&model.problems));
            out!("{}", table(&model));
            out!("{}", set_aside(&snapshot, args.all));
        }
        Format::Text => {
            out!("{}", table(&model));
            out!("{}", set_aside(&snapshot, args.all));
            eprint!("{}", render::warnings(&model.warnings));
            eprint!("{}", render::problems(&model.problems));
        }
    }
    if args.check && model.sites.is_empty() && model.problems.is_empty() {
        anyhow::bail!(
            "no version sites found: no Cargo package, Python project or Helm chart with a version{}\nhelp: inside git only tracked files are read (`git add` a new manifest first); `monorel versions --all` lists what was set aside",
            if snapshot.set_aside.is_empty() { "" } else { " outside test data and examples" }
        );
    }
    Ok(if args.check && !model.problems.is_empty() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The one line about the manifests set aside as test data and examples (all of them with
/// `--all`).
fn set_aside(snapshot: &repo::Snapshot, all: bool) -> String {
    let Some(count) = set_aside_count(snapshot) else { return String::new() };
    if all {
        let mut out = format!("\n{count} (`include = [...]` takes them in):\n");
        for path in &snapshot.set_aside {
            out.push_str(&format!("  {}\n", render::escape(path)));
        }
        out
    } else {
        format!("\n{count}; `--all` lists them, `include = [...]` takes them in\n")
    }
}

/// `N manifests under test data and examples set aside`, when there are any.
pub(crate) fn set_aside_count(snapshot: &repo::Snapshot) -> Option<String> {
    match snapshot.set_aside.len() {
        0 => None,
        n => Some(format!(
            "{n} manifest{} under test data and examples set aside",
            if n == 1 { "" } else { "s" }
        )),
    }
}

/// The groups, then one row per site, then the packages that are not released by editing files.
pub(crate) fn table(model: &Model) -> String {
    let mut out = String::new();
    for group in &model.groups {
        let version = group.version.as_ref().map_or("(drift)".to_string(), ToString::to_string);
        let packages: Vec<String> = group.packages.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "group {}: {version}, tag `{}`: {}\n",
            render::escape(&group.name),
            render::escape(&group.tag),
            render::escape(&packages.join(", "))
        ));
    }
    let mut rows = vec![["FILE:LINE", "KIND", "GROUP", "VALUE", "WHAT"].map(String::from)];
    for record in &model.sites {
        rows.push([
            format!("{}:{}", record.path, record.site.line),
            record.source.to_string(),
            record.group.clone().unwrap_or_else(|| "-".into()),
            record.site.text.clone(),
            record.site.role.subject(),
        ]);
    }
    if !model.sites.is_empty() {
        out.push('\n');
        out.push_str(&render::columns(&rows));
    }
    let others: Vec<String> = model
        .packages
        .iter()
        .filter_map(|p| match &p.release {
            Release::Files => None,
            Release::Tags { how } => Some(format!("{} (version from git tags: {how})", p.id)),
            Release::Follows { package } => {
                Some(format!("{} (takes the version of {package})", p.id))
            }
            Release::Unpublished => Some(format!("{} (not published)", p.id)),
            Release::Placeholder => Some(format!("{} (placeholder version)", p.id)),
        })
        .collect();
    if !others.is_empty() {
        out.push_str(&format!("\nnot bumped by editing files: {}\n", others.join(", ")));
    }
    out
}

fn to_json(model: &Model) -> serde_json::Value {
    json!({
        "groups": model.groups.iter().map(|g| json!({
            "name": g.name,
            "version": g.version.as_ref().map(ToString::to_string),
            "tag": g.tag,
            "packages": g.packages.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "sites": model.sites.iter().map(|s| json!({
            "path": s.path,
            "line": s.site.line,
            "kind": s.source.to_string(),
            "group": s.group,
            "value": s.site.text,
            "what": s.site.role.subject(),
            "declaration": s.site.role.is_declaration(),
            "packages": s.owners.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "packages": model.packages.iter().map(|p| json!({
            "name": p.id.to_string(),
            "dir": p.dir,
            "manifest": p.manifest,
            "release": match &p.release {
                Release::Files => "files".to_string(),
                Release::Tags { .. } => "tags".to_string(),
                Release::Follows { package } => format!("follows {package}"),
                Release::Unpublished => "unpublished".to_string(),
                Release::Placeholder => "placeholder".to_string(),
            },
        })).collect::<Vec<_>>(),
        "problems": model.problems.iter().map(|p| json!({
            "path": p.path, "line": p.line, "group": p.group, "message": p.message, "help": p.help,
        })).collect::<Vec<_>>(),
        "warnings": model.warnings.iter().map(|p| json!({
            "path": p.path, "line": p.line, "message": p.message, "help": p.help,
        })).collect::<Vec<_>>(),
    })
}
