//! Cargo packages from their manifests: workspaces, members, inherited versions, path
//! dependency pins and Cargo.lock members.
//!
//! Manifests are read directly (toml_edit) rather than through `cargo metadata`, which costs more
//! than the whole of `versions` on a large tree; after a bump, `cargo metadata --locked
//! --offline` checks that Cargo agrees (see `crate::cargo`).

use std::collections::BTreeMap;

use super::{
    Ecosystem, Package, PackageId, Release, Snapshot,
    discover::Found,
    load::{name_of, under},
};
use crate::{
    config::wildcard,
    editors::{FileKind, Role, Site, cargo_toml},
};

struct Manifest {
    path: String,
    dir: String,
    manifest: cargo_toml::Manifest,
}

pub(super) fn discover(snapshot: &Snapshot, found: &mut Found) {
    let mut manifests = Vec::new();
    for path in snapshot.manifests.iter().filter(|f| name_of(f) == "Cargo.toml") {
        let Some(bytes) = snapshot.contents.get(path) else { continue };
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        match cargo_toml::manifest(text) {
            Ok(manifest) => manifests.push(Manifest {
                dir: dir_of(path).to_string(),
                path: path.clone(),
                manifest,
            }),
            Err(refusal) => found.problem(path, &refusal),
        }
    }
    // Sites were found in text without a BOM: shift them to byte ranges in the file.
    let sites_of = |m: &Manifest| -> Vec<Site> {
        snapshot.contents.get(&m.path).map(|b| bom_offset(b)).map_or_else(Vec::new, |offset| {
            m.manifest
                .sites
                .iter()
                .cloned()
                .map(|mut s| {
                    s.range = s.range.start + offset..s.range.end + offset;
                    s
                })
                .collect()
        })
    };

    let workspaces: Vec<&Manifest> =
        manifests.iter().filter(|m| m.manifest.members.is_some()).collect();
    // The workspace each package belongs to (by the root's directory).
    let workspace_of = |package: &Manifest| -> Option<&Manifest> {
        workspaces
            .iter()
            .copied()
            .filter(|w| {
                package.dir == w.dir
                    || w.manifest.members.as_ref().is_some_and(|members| {
                        lists_member(&w.dir, members, &w.manifest.exclude, &package.dir)
                    })
            })
            .max_by_key(|w| w.dir.len())
    };

    // Packages.
    let mut inheritors: BTreeMap<&str, Vec<PackageId>> = BTreeMap::new();
    for m in &manifests {
        let Some(name) = &m.manifest.package else { continue };
        let id = PackageId::new(Ecosystem::Cargo, name.clone(), m.path.clone());
        let declares = m.manifest.sites.iter().any(
            |s| matches!(&s.role, Role::Declaration { subject } if subject == "[package].version"),
        );
        let release = if m.manifest.unpublished || (!declares && !m.manifest.inherits_version) {
            // No version means `publish = false` to Cargo.
            Release::Unpublished
        } else {
            Release::Files
        };
        if m.manifest.inherits_version && release == Release::Files {
            match workspace_of(m) {
                Some(w) if w.manifest.sites.iter().any(is_workspace_version) => {
                    inheritors.entry(w.path.as_str()).or_default().push(id.clone());
                }
                _ => found.problems.push(super::Problem {
                    path: m.path.clone(),
                    line: None,
                    group: None,
                    message: format!("`{name}` inherits its version (`version.workspace = true`), but its workspace root declares no `[workspace.package].version`"),
                    help: "add `version` to `[workspace.package]` in the workspace root's `Cargo.toml`".into(),
                }),
            }
        }
        found.packages.push(Package { id, dir: m.dir.clone(), manifest: m.path.clone(), release });
    }

    // The workspace of each package (its root manifest; a package outside any workspace is
    // its own).
    let root_of = |m: &Manifest| workspace_of(m).map_or(m.path.clone(), |w| w.path.clone());
    let mut by_name: BTreeMap<&str, Vec<(PackageId, String)>> = BTreeMap::new();
    for m in &manifests {
        if let Some(name) = &m.manifest.package {
            let id = PackageId::new(Ecosystem::Cargo, name.clone(), m.path.clone());
            found.cargo_workspaces.insert(id.clone(), root_of(m));
            by_name.entry(name).or_default().push((id, root_of(m)));
        }
    }
    // The package a name refers to from a workspace: the one of that workspace, else the only
    // one of that name.
    let resolve = |name: &str, workspace: &str| -> Option<PackageId> {
        let candidates = by_name.get(name)?;
        candidates
            .iter()
            .find(|(_, root)| root == workspace)
            .or_else(|| candidates.first())
            .map(|(id, _)| id.clone())
    };

    // Sites.
    for m in &manifests {
        let bytes = snapshot.contents.get(&m.path).map_or(&[][..], Vec::as_slice);
        let root = root_of(m);
        for site in sites_of(m) {
            let mut pin = None;
            let owners = match &site.role {
                Role::Declaration { subject } if subject == "[workspace.package].version" => {
                    inheritors.get(m.path.as_str()).cloned().unwrap_or_default()
                }
                Role::Declaration { .. } => m
                    .manifest
                    .package
                    .iter()
                    .map(|n| PackageId::new(Ecosystem::Cargo, n.clone(), m.path.clone()))
                    .collect(),
                Role::Follower { target: Some(target), .. } => {
                    // A pin on a package the repository does not have is no site of it.
                    let Some(target) = resolve(target, &root) else { continue };
                    let requirement = requirement_at(bytes, &site);
                    if is_exact(&requirement) {
                        if let Some(name) = &m.manifest.package {
                            let own =
                                PackageId::new(Ecosystem::Cargo, name.clone(), m.path.clone());
                            found.ties.push((own, target.clone()));
                        }
                    }
                    pin = Some(super::Pin { requirement });
                    vec![target]
                }
                _ => continue,
            };
            found.site(&m.path, FileKind::CargoToml, site, owners);
            found.sites.last_mut().expect("just pushed").pin = pin;
        }
    }

    // Lockfiles: the one at each workspace root, or next to a standalone package.
    for path in snapshot.manifests.iter().filter(|f| name_of(f) == "Cargo.lock") {
        let Some(result) = Found::scan(snapshot, path, FileKind::CargoLock) else { continue };
        match result {
            Ok(sites) => {
                let workspace = super::python::join(dir_of(path), "Cargo.toml");
                for site in sites {
                    let owner = match &site.role {
                        Role::LockMember { name } | Role::LockReference { name } => {
                            resolve(name, &workspace)
                        }
                        _ => continue,
                    };
                    let Some(owner) = owner else { continue };
                    found.site(path, FileKind::CargoLock, site, vec![owner]);
                }
            }
            Err(refusal) => found.problem(path, &refusal),
        }
    }
}

/// The `candidates` (set-aside `Cargo.toml`s) that a workspace read into the snapshot lists
/// as a member: a crate of the repository's own workspace is a package wherever it lives
/// (tokio's `examples/`, a workspace's `tests-integration/`).
pub(super) fn claimed_members(snapshot: &Snapshot, candidates: &[String]) -> Vec<String> {
    let candidates: Vec<&String> =
        candidates.iter().filter(|f| name_of(f) == "Cargo.toml").collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut workspaces = Vec::new();
    for path in snapshot.manifests.iter().filter(|f| name_of(f) == "Cargo.toml") {
        let Some(bytes) = snapshot.contents.get(path) else { continue };
        let text = String::from_utf8_lossy(bytes);
        // Only a workspace root names members: a cheap test before a parse.
        if !text.contains("[workspace") {
            continue;
        }
        if let Ok(manifest) = cargo_toml::manifest(text.trim_start_matches('\u{feff}')) {
            if let Some(members) = manifest.members {
                workspaces.push((dir_of(path).to_string(), members, manifest.exclude));
            }
        }
    }
    candidates
        .into_iter()
        .filter(|path| {
            let dir = dir_of(path);
            workspaces.iter().any(|(root, members, exclude)| {
                dir != root && lists_member(root, members, exclude, dir)
            })
        })
        .cloned()
        .collect()
}

/// Whether the workspace rooted at `root` lists the package in `dir` among its `members` (and
/// not in its `exclude`), as Cargo reads them.
fn lists_member(root: &str, members: &[String], exclude: &[String], dir: &str) -> bool {
    under(dir, root) && {
        let rel = relative(dir, root);
        members.iter().any(|m| glob(m.trim_end_matches('/'), rel))
            && !exclude.iter().any(|e| under(rel, e))
    }
}

/// The whole requirement a pin's version token stands in (`^0.7.0`, `=1.2.0`, `0.7`): the
/// operator before the token, up to the opening quote.
fn requirement_at(bytes: &[u8], site: &Site) -> String {
    let start = site.range.start.min(bytes.len());
    let before = &bytes[..start];
    let op_start =
        before.iter().rposition(|b| matches!(b, b'"' | b'\'')).map_or(start, |quote| quote + 1);
    let operator = String::from_utf8_lossy(&before[op_start..]).replace(' ', "");
    format!("{operator}{}", site.text)
}

/// Whether a requirement allows one version only (`=1.2.0`).
fn is_exact(requirement: &str) -> bool {
    requirement.starts_with('=')
}

fn is_workspace_version(site: &Site) -> bool {
    matches!(&site.role, Role::Declaration { subject } if subject == "[workspace.package].version")
}

pub(super) fn bom_offset(bytes: &[u8]) -> usize {
    if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 }
}

pub(super) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn relative<'a>(path: &'a str, dir: &str) -> &'a str {
    if dir.is_empty() {
        path
    } else {
        path.strip_prefix(dir).map_or(path, |r| r.trim_start_matches('/'))
    }
}

/// Cargo's `members` globs: `*` within one path segment, `**` for any number of segments.
fn glob(pattern: &str, path: &str) -> bool {
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.first(), path.first()) {
            (None, None) => true,
            (Some(&"**"), _) => {
                go(&pattern[1..], path) || (!path.is_empty() && go(pattern, &path[1..]))
            }
            (Some(p), Some(s)) => wildcard(p, s) && go(&pattern[1..], &path[1..]),
            _ => false,
        }
    }
    let pattern: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    go(&pattern, &path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn member_globs() {
        assert!(super::glob("crates/*", "crates/core"));
        assert!(!super::glob("crates/*", "crates/core/sub"));
        assert!(super::glob("crates/**", "crates/core/sub"));
        assert!(super::glob("./tools/cli", "tools/cli"));
        assert!(super::glob("lib-*", "lib-a"));
        assert!(!super::glob("lib-*", "bin-a"));
    }
}
