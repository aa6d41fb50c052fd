//! Helm charts: `version`, `appVersion` when it tracks the release, and `file://` subchart pins.

use super::{
    Ecosystem, Package, PackageId, Release, Snapshot, cargo::dir_of, discover::Found, load::name_of,
};
use crate::editors::{FileKind, Role, helm};

pub(super) fn discover(snapshot: &Snapshot, found: &mut Found) {
    for path in
        snapshot.manifests.iter().filter(|f| matches!(name_of(f), "Chart.yaml" | "Chart.yml"))
    {
        let Some(bytes) = snapshot.contents.get(path) else { continue };
        let dir = dir_of(path);
        let text = String::from_utf8_lossy(bytes);
        let name = helm::chart_name(text.trim_start_matches('\u{feff}'))
            .unwrap_or_else(|| name_of(dir).to_string());
        let id = PackageId { ecosystem: Ecosystem::Helm, name };
        match Found::scan(snapshot, path, FileKind::HelmChart) {
            Some(Ok(sites)) => {
                for site in sites {
                    let owner = match &site.role {
                        Role::Follower { target: Some(dep), .. } => {
                            PackageId { ecosystem: Ecosystem::Helm, name: dep.clone() }
                        }
                        _ => id.clone(),
                    };
                    found.site(path, FileKind::HelmChart, site, vec![owner]);
                }
            }
            Some(Err(refusal)) => found.problem(path, &refusal),
            None => continue,
        }
        found.packages.push(Package {
            id,
            dir: dir.to_string(),
            manifest: path.clone(),
            release: Release::Files,
        });
    }
}
