//! Groups without configuration: which packages of a repository release together.
//!
//! Some packages must share a version, and their sites that disagree are drift:
//! - the packages that inherit one `[workspace.package].version` (a site with several owners);
//! - a Python package built by maturin from a crate, and the crate;
//! - siblings pinned exactly (`=1.2.0` in Cargo, `== 1.2.0` in PEP 508).
//!
//! Packages that nothing ties together release together when they are at the same version (a
//! service's crate, its Python package and its chart at 1.4.0: one product), and apart when
//! their versions differ (ripgrep's crates, tokio's, a collection of charts): each is then a
//! group of its own, named after its main package. Two exceptions keep packages at one version
//! apart: packages that are each tagged on their own (`alpha-1.0.3`, `beta-1.0.3`), and the
//! versions every new package starts at (0.0.1, 0.1.0, 1.0.0), which say nothing.
//!
//! When every package is at one version, the repository is one group, `default`.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Ecosystem, Group, Package, PackageId, Release, SiteRecord,
    tags::{Style, Tags},
};
use crate::{config, version::Version};

/// What the inference decided: the groups, and the group of every package in one.
pub(super) struct Inferred {
    pub(super) groups: Vec<Group>,
    pub(super) group_of: BTreeMap<PackageId, String>,
}

/// Infers the groups of `packages` (sorted by id) from their sites, their ties and the tags.
pub(super) fn infer(
    packages: &[Package],
    sites: &[SiteRecord],
    ties: &[(PackageId, PackageId)],
    cargo_workspaces: &BTreeMap<PackageId, String>,
    tag_names: &[String],
) -> Inferred {
    let releasable: Vec<&Package> =
        packages.iter().filter(|p| p.release == Release::Files).collect();
    let index: BTreeMap<&PackageId, usize> =
        releasable.iter().enumerate().map(|(i, p)| (&p.id, i)).collect();
    // A package that takes another's version is tied through it.
    let follows: BTreeMap<&PackageId, &PackageId> = packages
        .iter()
        .filter_map(|p| match &p.release {
            Release::Follows { package } => Some((&p.id, package)),
            _ => None,
        })
        .collect();
    let resolve = |id: &PackageId| -> Option<usize> {
        index.get(follows.get(id).copied().unwrap_or(id)).copied()
    };
    let declarations = Declarations::of(sites);
    let mut sets = Sets::new(releasable.len());
    for record in sites.iter().filter(|s| s.site.role.is_declaration() && s.owners.len() > 1) {
        let owners: Vec<usize> = record.owners.iter().filter_map(&resolve).collect();
        for pair in owners.windows(2) {
            sets.union(pair[0], pair[1]);
        }
    }
    for (a, b) in ties {
        if let (Some(a), Some(b)) = (resolve(a), resolve(b)) {
            sets.union(a, b);
        }
    }

    let versions: Vec<Option<Version>> =
        releasable.iter().map(|p| declarations.grouping_version(p)).collect();
    let tags = Tags::new(tag_names);
    let apart: Vec<bool> = releasable.iter().map(|p| tags.tagged_apart(&p.id.name)).collect();
    let all_agree = versions.first().is_some_and(|first| {
        first.is_some()
            && versions.iter().all(|v| v == first)
            && apart.iter().filter(|a| **a).count() <= 1
    });
    let mut by_version: BTreeMap<&Version, Vec<usize>> = BTreeMap::new();
    for (i, version) in versions.iter().enumerate() {
        if let Some(v) = version {
            if all_agree || !is_initial(v) {
                by_version.entry(v).or_default().push(i);
            }
        }
    }
    for members in by_version.values() {
        // Packages tagged on their own stay apart, unless only one of them is.
        let tagged = members.iter().filter(|&&i| apart[i]).count();
        let joining: Vec<usize> =
            members.iter().copied().filter(|&i| tagged <= 1 || !apart[i]).collect();
        for pair in joining.windows(2) {
            sets.union(pair[0], pair[1]);
        }
    }

    // The groups, each named after its main package: the one nearest the root.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..releasable.len() {
        members.entry(sets.find(i)).or_default().push(i);
    }
    let mut components: Vec<Vec<&Package>> = members
        .into_values()
        .map(|m| {
            let mut ps: Vec<&Package> = m.into_iter().map(|i| releasable[i]).collect();
            ps.sort_by_key(|p| main_key(p));
            ps
        })
        .collect();
    components.sort_by_key(|c| main_key(c[0]));
    let single = components.len() == 1;
    let mut names: Vec<String> = Vec::new();
    for component in &components {
        let main = component[0];
        let mut name = if single { "default".to_string() } else { config_name(&main.id.name) };
        if names.contains(&name) {
            name = format!("{name}-{}", main.id.ecosystem.name());
        }
        let mut n = 2;
        let base = name.clone();
        while names.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        names.push(name);
    }

    // Who rides along with a group: the packages that take a member's version, and the
    // unpublished crates by workspace and declared version.
    let mut followers: BTreeMap<&PackageId, Vec<&PackageId>> = BTreeMap::new();
    for (follower, followed) in &follows {
        followers.entry(followed).or_default().push(follower);
    }
    let mut riders: BTreeMap<(&String, Version), Vec<&PackageId>> = BTreeMap::new();
    for p in packages.iter().filter(|p| p.release == Release::Unpublished) {
        if let (Some(w), Some(v)) = (cargo_workspaces.get(&p.id), declarations.agreed(&p.id)) {
            riders.entry((w, v)).or_default().push(&p.id);
        }
    }

    let mut group_of = BTreeMap::new();
    let mut groups = Vec::new();
    let mut pending: Vec<(usize, Option<&Version>, bool)> = Vec::new();
    for (component, name) in components.iter().zip(&names) {
        let mut ids: Vec<PackageId> = component.iter().map(|p| p.id.clone()).collect();
        // The packages that take a member's version are released with it, and so are the
        // unpublished crates of a member's workspace that declare the group's version
        // (benchmarks and test crates that the workspace keeps in step).
        let version = versions[index[&component[0].id]].as_ref();
        let mut joining: BTreeSet<&PackageId> = BTreeSet::new();
        for p in component {
            joining.extend(followers.get(&p.id).into_iter().flatten());
            if let (Some(w), Some(v)) = (cargo_workspaces.get(&p.id), version) {
                joining.extend(riders.get(&(w, v.clone())).into_iter().flatten());
            }
        }
        for id in joining {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        for id in &ids {
            group_of.insert(id.clone(), name.clone());
        }
        pending.push((groups.len(), version, single || component[0].dir.is_empty()));
        groups.push(Group {
            name: name.clone(),
            tag: String::new(),
            tag_from: None,
            packages: ids,
            version: None,
            app_version: Default::default(),
        });
    }
    // Tag styles, the groups at the highest versions first: a prefix tagged at several groups'
    // numbers (`rs-0.55.2`, and an old `rs-0.27.0`) is the style of the group its newest tag is.
    pending.sort_by(|a, b| b.1.cmp(&a.1));
    let mut claimed: Vec<String> = Vec::new();
    for (i, version, main) in pending {
        let own: Vec<&str> = groups[i].packages.iter().map(|id| id.name.as_str()).collect();
        let members: BTreeSet<&PackageId> = groups[i].packages.iter().collect();
        let others: Vec<&str> = releasable
            .iter()
            .filter(|p| !members.contains(&p.id))
            .map(|p| p.id.name.as_str())
            .collect();
        let style = tags.style(&own, version, main, &others, &claimed);
        let format = match &style {
            Some(Style { format, .. }) => format.clone(),
            None if main => config::DEFAULT_TAG.to_string(),
            None => format!("{}-v{{version}}", groups[i].name),
        };
        if let Some(style) = &style {
            claimed.push(style.prefix.clone());
        }
        groups[i].tag = format;
        groups[i].tag_from = Some(style.and_then(|s| s.example));
    }
    Inferred { groups, group_of }
}

/// The declarations of each package (sites of its own version, lock entries included), gathered
/// once: every question about one package's version looks at its own few sites only.
pub(super) struct Declarations<'a> {
    by_owner: BTreeMap<&'a PackageId, Vec<&'a SiteRecord>>,
}

impl<'a> Declarations<'a> {
    pub(super) fn of(sites: &'a [SiteRecord]) -> Declarations<'a> {
        let mut by_owner: BTreeMap<&PackageId, Vec<&SiteRecord>> = BTreeMap::new();
        for record in sites.iter().filter(|s| s.site.role.is_declaration()) {
            for owner in &record.owners {
                by_owner.entry(owner).or_default().push(record);
            }
        }
        Declarations { by_owner }
    }

    /// The declarations of `id`.
    pub(super) fn of_package(&self, id: &PackageId) -> &[&'a SiteRecord] {
        self.by_owner.get(id).map_or(&[], Vec::as_slice)
    }

    /// The version all of a package's declarations agree on.
    pub(super) fn agreed(&self, id: &PackageId) -> Option<Version> {
        let mut found: Option<Version> = None;
        for record in self.of_package(id) {
            let v = record.version()?;
            match &found {
                Some(f) if *f != v => return None,
                _ => found = Some(v),
            }
        }
        found
    }

    /// What the package's own manifest declares.
    pub(super) fn in_manifest(&self, package: &Package) -> Option<Version> {
        self.of_package(&package.id)
            .iter()
            .find(|s| s.path == package.manifest)
            .and_then(|s| s.version())
    }

    /// The version a package is grouped by: what its declarations agree on, else (when they
    /// drift) what its manifest declares, so that a package that drifts stays with its product
    /// and its drift is reported there.
    fn grouping_version(&self, package: &Package) -> Option<Version> {
        self.agreed(&package.id).or_else(|| self.in_manifest(package))
    }
}

/// The versions a new package starts at: two packages there say nothing of releasing together.
fn is_initial(v: &Version) -> bool {
    v.pre.is_empty()
        && v.build.is_empty()
        && matches!((v.major, v.minor, v.patch), (0, 0, 1) | (0, 1, 0) | (1, 0, 0))
}

/// Which package of a group names it: the one nearest the root, then by directory, then Cargo
/// before Python before Helm, then by name.
fn main_key(p: &Package) -> (usize, String, Ecosystem, String) {
    let depth = if p.dir.is_empty() { 0 } else { p.dir.split('/').count() };
    (depth, p.dir.clone(), p.id.ecosystem, p.id.name.clone())
}

/// A group name from a package name: the characters a `monorel.toml` key keeps bare.
pub(super) fn config_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect()
}

/// Disjoint sets over `0..n`.
struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets { parent: (0..n).collect() }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The lower index stays the root: groups come out in a stable order.
            self.parent[a.max(b)] = a.min(b);
        }
    }
}
