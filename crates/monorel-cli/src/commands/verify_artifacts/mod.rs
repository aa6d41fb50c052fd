//! `monorel verify-artifacts`: load the release version's sources, let the engine read and
//! check every artifact, optionally install the wheels (`install_check`), write `SHA256SUMS`
//! when asked, and render the report (`output`).

mod install_check;
mod output;

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{Context, bail};
use monorel::{
    apply,
    artifacts::{self, Check, release::Claim},
    confine::Tree,
    git, repo, version,
};

use crate::args::VerifyArtifactsArgs;

/// Where artifacts are looked for when no path is given, relative to the repository's root.
const DEFAULT_LOCATIONS: [&str; 2] = ["dist", "target/package"];

/// Verifies the artifacts at the paths given (relative to `cwd`, where monorel was started), else
/// at the group's or the default locations of the repository at `root`.
pub(crate) fn run(cwd: &Path, root: &Path, args: &VerifyArtifactsArgs) -> anyhow::Result<ExitCode> {
    let repo = git::Repo::discover(root);
    // Paths are shown relative to where they were given from.
    let dir = if args.paths.is_empty() { root } else { cwd };
    let (group, root_changelog) = group(root, args)?;
    let changelog = group.as_ref().map_or(root_changelog, |g| g.changelog.clone());
    let claims = claims(args, repo.as_ref(), group.as_ref())?;
    let paths: Vec<PathBuf> = match (&group, args.paths.is_empty()) {
        (Some(g), true) if !g.artifacts.is_empty() => {
            // Configured, so confined: a directory that is a link out of the repository is
            // refused, as every path a configuration names (`confine`).
            let tree = Tree::new(root);
            let inside = g.artifacts.iter().map(|a| {
                tree.resolve_dir(a).map_err(|e| {
                    anyhow::anyhow!(
                        "`groups.{}.artifacts`: {e}\nhelp: name directories inside the repository, or pass the artifacts' paths",
                        g.name
                    )
                })
            });
            inside.collect::<anyhow::Result<_>>()?
        }
        _ => args.paths.clone(),
    };
    let locations = locations(dir, &paths)?;
    let request = artifacts::Request {
        locations,
        expected: args.expect.clone(),
        claims,
        changelog: Some((changelog_path(root, &changelog)?, changelog)),
        write_checksums: args.write_checksums,
        ..artifacts::Request::default()
    };
    let mut report = match artifacts::verify(&request) {
        Ok(report) => report,
        Err(artifacts::Error::NoArtifacts(paths)) => {
            let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", shown(dir, p))).collect();
            bail!(
                "no artifacts found in {}\nhelp: build them first (wheels, sdists, `.crate` files, chart `.tgz` files), or pass the paths that hold them",
                shown.join(", ")
            )
        }
        Err(artifacts::Error::UnknownKind(path)) => bail!(
            "cannot tell the kind of `{}` from its name: expected `.whl`, `.tar.gz`, `.crate`, `.tgz`, `SHA256SUMS` or `.sha256`\nhelp: pass artifact files, or the directories that hold them",
            shown(dir, &path)
        ),
        Err(e) => return Err(e.into()),
    };
    if args.install_check {
        install_check::run(&mut report, args.format == crate::args::Format::Text)?;
    }
    for (path, text) in &report.sums_to_write {
        apply::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write `{}`", shown(dir, path)))?;
        let count = text.lines().count();
        report.release.push(Check::pass(
            "checksums",
            format!("wrote `{}` ({count} artifacts)", shown(dir, path)),
        ));
    }
    output::print(&report, args.format, dir);
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The group being verified, from the repository model: its version and tag format, and its
/// configured artifact locations. `None` outside a repository monorel understands.
struct GroupInfo {
    name: String,
    version: Option<version::Version>,
    tag: String,
    artifacts: Vec<String>,
    /// Its changelog, relative to the root (`Model::scope_of`).
    changelog: String,
}

/// The changelog's full path, when it is a regular file inside the repository (or none yet).
fn changelog_path(root: &Path, changelog: &str) -> anyhow::Result<PathBuf> {
    Tree::new(root).resolve(changelog).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nhelp: make the changelog a regular file inside the repository (`[release] changelog` names it)"
        )
    })
}

/// The group, and the changelog `[release] changelog` names.
fn group(dir: &Path, args: &VerifyArtifactsArgs) -> anyhow::Result<(Option<GroupInfo>, String)> {
    let snapshot = super::load(dir)?;
    let root_changelog = snapshot.config.release.changelog.clone();
    let model = repo::discover(&snapshot);
    let group = match (&args.group, model.groups.as_slice()) {
        (Some(name), groups) => match groups.iter().find(|g| &g.name == name) {
            Some(g) => g,
            None => {
                let known: Vec<String> = groups.iter().map(|g| format!("`{}`", g.name)).collect();
                if known.is_empty() {
                    bail!(
                        "there is no group `{name}`: monorel found no version sites here\nhelp: pass the artifact directories as paths, and `--version`"
                    );
                }
                bail!("there is no group `{name}`; the groups are: {}", known.join(", "));
            }
        },
        (None, [only]) => only,
        _ => return Ok((None, root_changelog)),
    };
    let problems = model.problems_of(&group.name);
    if !problems.is_empty() && args.version.is_none() {
        eprint!("{}", crate::render::problems(&problems));
        bail!(
            "cannot tell the release version of group `{}` from its version sites: fix the problems above, or pass `--version`",
            group.name
        );
    }
    let artifacts = snapshot
        .config
        .groups
        .iter()
        .find(|g| g.name == group.name)
        .map(|g| g.artifacts.clone())
        .unwrap_or_default();
    let changelog = model.scope_of(group, &root_changelog).changelog;
    let info = GroupInfo {
        name: group.name.clone(),
        version: group.version.clone(),
        tag: group.tag.clone(),
        artifacts,
        changelog,
    };
    Ok((Some(info), root_changelog))
}

/// Who says what the release version is: `--version`, the release tags at HEAD, the version
/// sites. The engine decides and checks that they agree, so a tag that disagrees with the files
/// is a failure.
fn claims(
    args: &VerifyArtifactsArgs,
    repo: Option<&git::Repo>,
    group: Option<&GroupInfo>,
) -> anyhow::Result<Vec<Claim>> {
    let mut claims = Vec::new();
    if let Some(text) = &args.version {
        let version = version::parse(text)
            .map_err(|e| anyhow::anyhow!("--version {}\nhelp: {}", e.message, e.help))?;
        claims.push(Claim { source: artifacts::release::Source::Flag, version });
    }
    // Right after a release with `[release] next-dev`, `HEAD` is the development version's
    // commit and the release is its parent: the artifacts were built from that.
    let mut released_at_parent = false;
    if let Some(repo) = repo {
        // A repository without commits has no HEAD, and so no tag at it.
        let mut at_head = repo.tags_at_head();
        let development =
            group.and_then(|g| g.version.as_ref()).filter(|v| repo::is_development(v));
        if let (Some(dev), Ok([])) = (development, at_head.as_deref()) {
            if let Some(tags) = repo.tags_at("HEAD^").ok().filter(|t| !t.is_empty()) {
                eprintln!(
                    "note: `HEAD` is the development version {dev}, committed after the release: verifying the release tagged at `HEAD^` ({})",
                    tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                );
                released_at_parent = true;
                at_head = Ok(tags);
            }
        }
        if let Ok(tags) = at_head {
            match group {
                // The group's own tag format (`sdk-v{version}`).
                Some(g) => {
                    let (prefix, suffix) = g.tag.split_once("{version}").unwrap_or(("v", ""));
                    for tag in tags {
                        let middle = tag.strip_prefix(prefix).and_then(|t| t.strip_suffix(suffix));
                        if let Some(v) = middle.and_then(|m| version::Version::parse(m).ok()) {
                            claims.push(Claim {
                                source: artifacts::release::Source::Tag(tag.clone()),
                                version: v,
                            });
                        }
                    }
                }
                None => claims.extend(artifacts::release::tag_claims(&tags)),
            }
        }
    }
    if let Some(g) = group.filter(|_| !released_at_parent) {
        if let Some(v) = &g.version {
            let what = format!("the version sites of group `{}`", g.name);
            claims.push(Claim {
                source: artifacts::release::Source::Sites(what),
                version: v.clone(),
            });
        }
    }
    if claims.is_empty() {
        bail!(
            "cannot tell which version is being released: no `--version`, and no release tag `v<VERSION>` at HEAD\nhelp: pass `--version <VERSION>`, or run it on the tagged release commit"
        );
    }
    Ok(claims)
}

/// The paths given (relative to `dir`), or the default locations that exist.
fn locations(dir: &Path, paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    if !paths.is_empty() {
        return Ok(paths.iter().map(|p| dir.join(p)).collect());
    }
    let existing: Vec<PathBuf> =
        DEFAULT_LOCATIONS.iter().map(|l| dir.join(l)).filter(|p| p.is_dir()).collect();
    if existing.is_empty() {
        bail!(
            "no artifacts to verify: neither `dist/` nor `target/package/` exists in `{}`\nhelp: build the artifacts first, or pass the paths that hold them",
            dir.display()
        );
    }
    Ok(existing)
}

/// `path` relative to `dir` when it is inside it, for messages.
pub(crate) fn shown(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}
