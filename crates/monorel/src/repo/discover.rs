//! From a snapshot to a model, without IO: packages, version sites and their owners, groups,
//! and every problem found on the way.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Group, Model, Package, PackageId, Problem, Release, SiteRecord, SiteSource, Snapshot, cargo,
    helm, load::under, python,
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
}

impl Found {
    /// Adds what `other` found after what this found.
    fn extend(&mut self, other: Found) {
        self.packages.extend(other.packages);
        self.sites.extend(other.sites);
        self.problems.extend(other.problems);
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

    let Found { mut packages, mut sites, mut problems } = found;
    packages.sort_by(|a, b| a.id.cmp(&b.id));
    let known: BTreeSet<&PackageId> = packages.iter().map(|p| &p.id).collect();
    // A pin to a package the repository does not have is not a version site of it.
    sites.retain(|s| s.owners.iter().all(|o| known.contains(o)));

    let groups = assign_groups(snapshot, &packages, &mut sites, &mut problems);
    let mut groups = groups;
    for group in &mut groups {
        group.version = group_version(group, &sites, &mut problems);
    }
    sites.sort_by(|a, b| {
        (a.path.as_str(), a.site.line, a.site.range.start).cmp(&(
            b.path.as_str(),
            b.site.line,
            b.site.range.start,
        ))
    });
    problems.sort_by(|a, b| (a.path.as_str(), a.line).cmp(&(b.path.as_str(), b.line)));
    problems.dedup();
    Model { packages, sites, groups, problems }
}

fn assign_groups(
    snapshot: &Snapshot,
    packages: &[Package],
    sites: &mut Vec<SiteRecord>,
    problems: &mut Vec<Problem>,
) -> Vec<Group> {
    let config = &snapshot.config;
    let releasable = packages.iter().filter(|p| p.release == Release::Files);
    let mut group_of: BTreeMap<&PackageId, String> = BTreeMap::new();
    let mut groups: Vec<Group> = if config.groups.is_empty() {
        let releasable: Vec<&Package> = releasable.collect();
        for package in &releasable {
            group_of.insert(&package.id, "default".into());
        }
        let packages: Vec<PackageId> = releasable.iter().map(|p| p.id.clone()).collect();
        vec![Group {
            app_version: Default::default(),
            name: "default".into(),
            tag: config::DEFAULT_TAG.into(),
            packages,
            version: None,
        }]
    } else {
        let mut groups: Vec<Group> = config
            .groups
            .iter()
            .map(|g| Group {
                app_version: g.app_version,
                name: g.name.clone(),
                tag: g.tag.clone(),
                packages: Vec::new(),
                version: None,
            })
            .collect();
        for package in releasable {
            let eco = package.id.ecosystem.name();
            let matched = config.groups.iter().position(|g| {
                g.packages.iter().any(|pat| config::package_matches(pat, eco, &package.id.name))
                    || g.paths.iter().any(|prefix| {
                        under(&package.dir, prefix) || under(&package.manifest, prefix)
                    })
            });
            if let Some(i) = matched {
                groups[i].packages.push(package.id.clone());
                group_of.insert(&package.id, groups[i].name.clone());
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
            role: Role::Declaration { subject: format!("pattern match {}", i + 1) },
            spelling: extra.spelling,
            text: m.as_str().to_string(),
        };
        sites.push(SiteRecord {
            path: extra.path.clone(),
            source: SiteSource::Pattern { pattern: extra.pattern.clone() },
            site,
            owners: Vec::new(),
            group: Some(group.to_string()),
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
        let mut parts = Vec::new();
        for (value, records) in &values {
            for r in records {
                parts.push(format!(
                    "`{}:{}` has {value} ({})",
                    r.path,
                    r.site.line,
                    r.site.role.subject()
                ));
            }
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
