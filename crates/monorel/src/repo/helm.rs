//! Helm charts: `version`, `appVersion` when it tracks the release, and `file://` subchart pins.

use super::{
    Ecosystem, Package, PackageId, Release, Snapshot,
    cargo::dir_of,
    discover::Found,
    load::{name_of, under},
};
use crate::editors::{self, FileKind, Refusal, Role, Site, helm};

/// A chart's manifest, its package and its scanned sites.
type Chart<'a> = (&'a String, PackageId, Result<Vec<Site>, Refusal>);

pub(super) fn discover(snapshot: &Snapshot, found: &mut Found) {
    let charts: Vec<Chart<'_>> = snapshot
        .manifests
        .iter()
        .filter(|f| matches!(name_of(f), "Chart.yaml" | "Chart.yml"))
        .filter_map(|path| {
            let bytes = snapshot.contents.get(path)?;
            let (name, scanned) = scan_named(bytes);
            let name = name.unwrap_or_else(|| name_of(dir_of(path)).to_string());
            Some((path, PackageId::new(Ecosystem::Helm, name, path.clone()), scanned))
        })
        .collect();
    // The chart a dependency names: a subchart below the parent first (`charts/crds`), else
    // the nearest chart of that name.
    let resolve = |name: &str, parent: &str| -> Option<PackageId> {
        let parent_dir = dir_of(parent);
        charts
            .iter()
            .filter(|(_, id, _)| id.name == name && id.manifest != parent)
            .min_by_key(|(path, _, _)| (!under(dir_of(path), parent_dir), path.len()))
            .map(|(_, id, _)| id.clone())
    };
    for (path, id, scanned) in &charts {
        let dir = dir_of(path);
        let id = id.clone();
        match scanned {
            Ok(sites) => {
                for site in sites {
                    let owner = match &site.role {
                        Role::Follower { target: Some(dep), .. } => match resolve(dep, path) {
                            Some(owner) => owner,
                            None => continue,
                        },
                        _ => id.clone(),
                    };
                    found.site(path, FileKind::HelmChart, site.clone(), vec![owner]);
                }
            }
            Err(refusal) => found.problem(path, refusal),
        }
        // Its Chart.lock: the versions locked for local dependencies follow those charts.
        let lock = super::python::join(dir, "Chart.lock");
        if let Some(bytes) = snapshot.contents.get(&lock) {
            match editors::chart_lock::scan(&String::from_utf8_lossy(bytes)) {
                Ok((sites, _)) => {
                    for site in sites {
                        let Role::Follower { target: Some(dep), .. } = &site.role else { continue };
                        let Some(owner) = resolve(dep, path) else { continue };
                        found.site(&lock, FileKind::HelmChart, site, vec![owner]);
                    }
                }
                Err(refusal) => found.problem(&lock, &refusal),
            }
        }
        found.packages.push(Package {
            id,
            dir: dir.to_string(),
            manifest: path.to_string(),
            release: Release::Files,
        });
    }
}

/// The chart's `name` and its sites (ranges in `bytes`), from one parse: `editors::scan_file`
/// with the name of the same document. Bytes that `scan_file` refuses (not UTF-8), or text that
/// still starts with a BOM after one is taken off, are read the long way: the name from the text
/// with every BOM trimmed (invalid UTF-8 replaced), the sites by `scan_file`.
fn scan_named(bytes: &[u8]) -> (Option<String>, Result<Vec<Site>, Refusal>) {
    const BOM: &str = "\u{feff}";
    if let Ok(text) = std::str::from_utf8(bytes) {
        let (offset, text) = text.strip_prefix(BOM).map_or((0, text), |rest| (BOM.len(), rest));
        if !text.starts_with(BOM) {
            let (name, sites) = helm::scan_named(text);
            let sites = sites.map(|mut sites| {
                for site in &mut sites {
                    site.range = site.range.start + offset..site.range.end + offset;
                }
                sites
            });
            return (name, sites);
        }
    }
    let text = String::from_utf8_lossy(bytes);
    let (name, _) = helm::scan_named(text.trim_start_matches(BOM));
    (name, editors::scan_file(FileKind::HelmChart, bytes))
}
