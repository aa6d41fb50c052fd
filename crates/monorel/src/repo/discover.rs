//! From a snapshot to a model, without IO: packages, version sites and their owners, groups,
//! and every problem found on the way.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Ecosystem, Group, Model, Package, PackageId, Problem, Release, SiteRecord, SiteSource,
    Snapshot, cargo, groups, helm, load::under, python,
};
use crate::{
    config,
    editors::{self, FileKind, Refusal, Role, Site},
};

/// What the ecosystem modules collect.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub(super) packages: Vec<Package>,
    pub(super) sites: Vec<SiteRecord>,
    pub(super) problems: Vec<Problem>,
    /// Packages that must share a version (maturin, exact pins): see [`groups`].
    pub(super) ties: Vec<(PackageId, PackageId)>,
    /// The workspace of each Cargo package: its root manifest (its own outside a workspace).
    pub(super) cargo_workspaces: BTreeMap<PackageId, String>,
}

impl Found {
    /// Adds what `other` found after what this found.
    fn extend(&mut self, other: Found) {
        self.packages.extend(other.packages);
        self.sites.extend(other.sites);
        self.problems.extend(other.problems);
        self.ties.extend(other.ties);
        self.cargo_workspaces.extend(other.cargo_workspaces);
    }

    /// Scans `path` with its editor; a refusal becomes `None` (the caller decides if it matters).
    pub(super) fn scan(
        snapshot: &Snapshot,
        path: &str,
        kind: FileKind,
    ) -> Option<Result<Vec<Site>, Refusal>> {
        let bytes = snapshot.contents.get(path)?;
        Some(editors::scan_file(kind, bytes))
    }

    pub(super) fn problem(&mut self, path: &str, refusal: &Refusal) {
        self.problems.push(Problem {
            path: path.to_string(),
            line: refusal.line,
            group: None,
            message: refusal.message.clone(),
            help: refusal.help.clone().unwrap_or_default(),
        });
    }

    pub(super) fn site(&mut self, path: &str, kind: FileKind, site: Site, owners: Vec<PackageId>) {
        self.sites.push(SiteRecord {
            path: path.to_string(),
            source: SiteSource::File(kind),
            site,
            owners,
            group: None,
            pin: None,
        });
    }
}

/// The files discovery reads second: Python version modules, and configured extra files.
pub(super) fn followed_files(snapshot: &Snapshot) -> Vec<String> {
    let mut files = python::module_candidates(snapshot);
    for group in &snapshot.config.groups {
        files.extend(group.files.iter().map(|f| f.path.clone()));
    }
    files
}

/// Builds the model of a snapshot.
pub fn discover(snapshot: &Snapshot) -> Model {
    // The ecosystems do not look at each other's findings: Cargo's (the most parsing) on a
    // thread of its own, Python's and Helm's on this one, joined in the same order as one after
    // the other.
    let found = std::thread::scope(|scope| {
        let cargo = scope.spawn(|| {
            let mut found = Found::default();
            cargo::discover(snapshot, &mut found);
            found
        });
        let mut rest = Found::default();
        python::discover(snapshot, &mut rest);
        helm::discover(snapshot, &mut rest);
        let mut found = cargo.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        found.extend(rest);
        found
    });

    let Found { mut packages, mut sites, mut problems, ties, cargo_workspaces } = found;
    packages.sort_by(|a, b| a.id.cmp(&b.id));
    let known: BTreeSet<&PackageId> = packages.iter().map(|p| &p.id).collect();
    // A pin to a package the repository does not have is not a version site of it.
    sites.retain(|s| s.owners.iter().all(|o| known.contains(o)));
    release_built_crates(snapshot, &mut packages, &sites);
    set_placeholders(&mut packages, &sites);
    let mut warnings = stale_lock_entries(&packages, &mut sites);

    let mut groups =
        assign_groups(snapshot, &packages, &mut sites, &mut problems, &ties, &cargo_workspaces);
    for group in &mut groups {
        group.version = group_version(group, &sites, &mut problems);
    }
    warnings.extend(attribute_problems(&packages, &groups, &mut problems));
    sites.sort_by(|a, b| {
        (a.path.as_str(), a.site.line, a.site.range.start).cmp(&(
            b.path.as_str(),
            b.site.line,
            b.site.range.start,
        ))
    });
    problems.sort_by(|a, b| (a.path.as_str(), a.line).cmp(&(b.path.as_str(), b.line)));
    problems.dedup();
    Model { packages, sites, groups, problems, warnings }
}

/// A crate with `publish = false` that another ecosystem's package is built from is released
/// all the same, at the version it declares: maturin's Python package of a crate (lancedb's
/// `python/`), an npm package built by napi-rs or neon (a `package.json` beside the crate).
fn release_built_crates(snapshot: &Snapshot, packages: &mut [Package], sites: &[SiteRecord]) {
    let followed: BTreeSet<PackageId> = packages
        .iter()
        .filter_map(|p| match &p.release {
            Release::Follows { package } => Some(package.clone()),
            _ => None,
        })
        .collect();
    let declarations = groups::Declarations::of(sites);
    for package in packages.iter_mut() {
        if package.release != Release::Unpublished || package.id.ecosystem != Ecosystem::Cargo {
            continue;
        }
        // Cargo discovery recorded the manifest's own version, when it declares one.
        let declares =
            declarations.of_package(&package.id).iter().any(|s| s.path == package.manifest);
        let npm = python::join(&package.dir, "package.json");
        if declares && (followed.contains(&package.id) || snapshot.files.contains(&npm)) {
            package.release = Release::Files;
        }
    }
}

/// Lockfile entries that disagree with what their package's manifest declares were stale before
/// any bump (Cargo and uv rewrite them on the next build or lock): they are no drift, a bump
/// leaves them as they are, and each is a warning.
fn stale_lock_entries(packages: &[Package], sites: &mut Vec<SiteRecord>) -> Vec<Problem> {
    let declarations = groups::Declarations::of(sites);
    let declared: BTreeMap<&PackageId, crate::version::Version> =
        packages.iter().filter_map(|p| Some((&p.id, declarations.in_manifest(p)?))).collect();
    let mut warnings = Vec::new();
    let mut stale = vec![false; sites.len()];
    for (i, record) in sites.iter().enumerate() {
        let Role::LockMember { name } = &record.site.role else { continue };
        let [owner] = record.owners.as_slice() else { continue };
        let (Some(manifest), Some(locked)) = (declared.get(owner), record.version()) else {
            continue;
        };
        if *manifest != locked {
            stale[i] = true;
            warnings.push(Problem {
                path: record.path.clone(),
                line: Some(record.site.line),
                group: None,
                message: format!(
                    "the lockfile is stale: it locks `{name}` at {locked}, its manifest declares {manifest}; a bump leaves the entry as it is"
                ),
                help: "`cargo update --workspace` (or `uv lock`) brings the lockfile in step".into(),
            });
        }
    }
    let mut i = 0;
    sites.retain(|_| {
        i += 1;
        !stale[i - 1]
    });
    warnings
}

/// A package whose every declaration is `0.0.0` (or `v0.0.0`) has a placeholder that its build
/// fills in (cert-manager's chart, fixtures): it is never bumped.
fn set_placeholders(packages: &mut [Package], sites: &[SiteRecord]) {
    let all = groups::Declarations::of(sites);
    for package in packages.iter_mut().filter(|p| p.release == Release::Files) {
        let mut declarations = all
            .of_package(&package.id)
            .iter()
            .filter(|s| s.owners.len() == 1 && !matches!(s.site.role, Role::LockMember { .. }))
            .peekable();
        if declarations.peek().is_some()
            && declarations.all(|s| matches!(s.site.text.trim(), "0.0.0" | "v0.0.0"))
        {
            package.release = Release::Placeholder;
        }
    }
}

/// Gives each problem of no group the group of the package its file belongs to (the package
/// whose directory holds it, the deepest). A problem of a package that no group releases is a
/// warning: it blocks nothing. What belongs to no package stays a problem of every group.
fn attribute_problems(
    packages: &[Package],
    groups: &[Group],
    problems: &mut Vec<Problem>,
) -> Vec<Problem> {
    let group_of = |id: &PackageId| groups.iter().find(|g| g.packages.contains(id));
    let mut warnings = Vec::new();
    let mut kept = Vec::new();
    for mut problem in problems.drain(..) {
        if problem.group.is_some() {
            kept.push(problem);
            continue;
        }
        let owner = packages
            .iter()
            .filter(|p| p.manifest == problem.path || under(&problem.path, &p.dir))
            .max_by_key(|p| (p.manifest == problem.path, p.dir.len()));
        match owner {
            Some(p) if !p.dir.is_empty() || p.manifest == problem.path => match group_of(&p.id) {
                Some(g) => {
                    problem.group = Some(g.name.clone());
                    kept.push(problem);
                }
                None => warnings.push(problem),
            },
            _ => kept.push(problem),
        }
    }
    *problems = kept;
    warnings
}

fn assign_groups(
    snapshot: &Snapshot,
    packages: &[Package],
    sites: &mut Vec<SiteRecord>,
    problems: &mut Vec<Problem>,
    ties: &[(PackageId, PackageId)],
    cargo_workspaces: &BTreeMap<PackageId, String>,
) -> Vec<Group> {
    let config = &snapshot.config;
    let mut group_of: BTreeMap<PackageId, String> = BTreeMap::new();
    let mut groups: Vec<Group> = if config.groups.is_empty() {
        let inferred = groups::infer(packages, sites, ties, cargo_workspaces, &snapshot.tags);
        group_of = inferred.group_of;
        inferred.groups
    } else {
        let mut groups: Vec<Group> = config
            .groups
            .iter()
            .map(|g| Group {
                app_version: g.app_version,
                name: g.name.clone(),
                tag: g.tag.clone(),
                tag_from: None,
                packages: Vec::new(),
                version: None,
            })
            .collect();
        // An unpublished crate is released with a group that names it exactly (a benchmark
        // kept at its workspace's version); patterns and paths take releasable packages only.
        let named = |p: &Package| {
            let id = p.id.to_string();
            config.groups.iter().position(|g| g.packages.contains(&id))
        };
        for package in packages {
            let eco = package.id.ecosystem.name();
            let matched = match package.release {
                Release::Files => config.groups.iter().position(|g| {
                    g.packages.iter().any(|pat| config::package_matches(pat, eco, &package.id.name))
                        || g.paths.iter().any(|prefix| {
                            under(&package.dir, prefix) || under(&package.manifest, prefix)
                        })
                }),
                Release::Unpublished => named(package),
                _ => None,
            };
            if let Some(i) = matched {
                groups[i].packages.push(package.id.clone());
                group_of.insert(package.id.clone(), groups[i].name.clone());
            }
        }
        // The packages that take a member's version are released with it.
        for package in packages {
            if let Release::Follows { package: followed } = &package.release {
                if let Some(name) = group_of.get(followed).cloned() {
                    if let Some(g) = groups.iter_mut().find(|g| g.name == name) {
                        g.packages.push(package.id.clone());
                    }
                    group_of.insert(package.id.clone(), name);
                }
            }
        }
        groups
    };

    for record in sites.iter_mut() {
        let names: BTreeSet<&String> =
            record.owners.iter().filter_map(|o| group_of.get(o)).collect();
        match names.len() {
            0 => {}
            1 => record.group = names.into_iter().next().cloned(),
            _ => problems.push(Problem {
                path: record.path.clone(),
                line: Some(record.site.line),
                group: None,
                message: format!(
                    "`{}` is one version shared by {}, which are in different groups ({})",
                    record.site.role.subject(),
                    record.owners.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", "),
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
                help: "put the packages that share a version in one group in `monorel.toml`".into(),
            }),
        }
    }

    for settings in &config.groups {
        for extra in &settings.files {
            extra_sites(snapshot, extra, &settings.name, sites, problems);
        }
    }
    groups.retain(|g| {
        !g.packages.is_empty() || sites.iter().any(|s| s.group.as_deref() == Some(&g.name))
    });
    groups
}

/// The sites a configured pattern finds in a text file; the count must be exact.
fn extra_sites(
    snapshot: &Snapshot,
    extra: &config::ExtraFile,
    group: &str,
    sites: &mut Vec<SiteRecord>,
    problems: &mut Vec<Problem>,
) {
    let config_path = snapshot.config.source.clone().unwrap_or_else(|| config::FILE_NAME.into());
    let mut problem = |message: String, help: &str| {
        problems.push(Problem {
            path: config_path.clone(),
            line: Some(extra.line),
            group: Some(group.to_string()),
            message,
            help: help.to_string(),
        })
    };
    let Some(bytes) = snapshot.contents.get(&extra.path) else {
        return problem(
            format!("`{}`, a version file of group `{group}`, does not exist", extra.path),
            "fix the path in `groups.<name>.files`, or remove the entry",
        );
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return problem(format!("`{}` is not UTF-8 text", extra.path), "save the file as UTF-8");
    };
    let Ok(re) = regex::Regex::new(&extra.pattern) else { return };
    let found: Vec<regex::Match<'_>> =
        re.captures_iter(text).filter_map(|c| c.name("version")).collect();
    if found.len() != extra.count {
        return problem(
            format!(
                "the pattern `{}` matches {} time{} in `{}`, expected {}",
                extra.pattern,
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                extra.path,
                extra.count
            ),
            "fix the pattern or `count`, so that a bump edits exactly the places you mean",
        );
    }
    for (i, m) in found.iter().enumerate() {
        let site = Site {
            range: m.range(),
            line: editors::line_at(text, m.start()),
            role: if extra.next_dev {
                Role::Declaration { subject: format!("pattern match {}", i + 1) }
            } else {
                Role::Follower {
                    subject: format!("pattern match {} (the released version)", i + 1),
                    target: None,
                }
            },
            spelling: extra.spelling,
            text: m.as_str().to_string(),
        };
        sites.push(SiteRecord {
            path: extra.path.clone(),
            source: SiteSource::Pattern {
                pattern: extra.pattern.clone(),
                released: !extra.next_dev,
            },
            site,
            owners: Vec::new(),
            group: Some(group.to_string()),
            pin: None,
        });
    }
}

/// The group's version: what all its declarations say, or a drift problem.
fn group_version(
    group: &Group,
    sites: &[SiteRecord],
    problems: &mut Vec<Problem>,
) -> Option<crate::version::Version> {
    let declarations: Vec<&SiteRecord> = sites
        .iter()
        .filter(|s| s.group.as_deref() == Some(&group.name) && s.site.role.is_declaration())
        .collect();
    let mut values: BTreeMap<String, Vec<&SiteRecord>> = BTreeMap::new();
    for record in &declarations {
        match record.version() {
            Some(v) => values.entry(v.to_string()).or_default().push(record),
            None => problems.push(Problem {
                path: record.path.clone(),
                line: Some(record.site.line),
                group: Some(group.name.clone()),
                message: format!(
                    "`{}` is not a version monorel can read (`{}`)",
                    record.site.text,
                    record.site.role.subject()
                ),
                help: "write a SemVer version (PEP 440 in Python files), e.g. `1.2.3`".into(),
            }),
        }
    }
    if values.len() > 1 {
        // A handful of sites, then how many more: a message is read, not searched.
        const SHOWN: usize = 6;
        let mut parts = Vec::new();
        let total: usize = values.values().map(Vec::len).sum();
        for (value, records) in &values {
            for r in records.iter().take(SHOWN.div_ceil(values.len()).max(1)) {
                parts.push(format!(
                    "`{}:{}` has {value} ({})",
                    r.path,
                    r.site.line,
                    r.site.role.subject()
                ));
            }
        }
        if parts.len() < total {
            parts.push(format!("and {} more", total - parts.len()));
        }
        let first = declarations[0];
        let group_hint = if group.name == "default" { "" } else { " of group `" };
        problems.push(Problem {
            path: first.path.clone(),
            line: Some(first.site.line),
            group: Some(group.name.clone()),
            message: format!(
                "version files disagree{group_hint}{}{}: {}",
                if group_hint.is_empty() { "" } else { &group.name },
                if group_hint.is_empty() { "" } else { "`" },
                parts.join(", ")
            ),
            help: format!(
                "bring them to one version (`monorel bump-file <file> --from <old> --to <new>`), or give packages that are versioned apart their own groups in `{}` (`[groups.<name>]`, see `monorel init`)",
                config::FILE_NAME
            ),
        });
        return None;
    }
    values.into_keys().next().and_then(|v| crate::version::Version::parse(&v).ok())
}
