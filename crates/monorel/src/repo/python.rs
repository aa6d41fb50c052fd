//! Python projects: `pyproject.toml`, `setup.py` and `setup.cfg`, and the module that really
//! holds the version (a static `[project].version` and an `__init__.py` that repeats it are both
//! sites; a dynamic version is followed to the file the backend reads; a version from git tags
//! has no file at all).

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::LazyLock,
};

use regex::Regex;

use super::{
    Ecosystem, Package, PackageId, Problem, Release, Snapshot, cargo::dir_of, discover::Found,
    load::name_of,
};
use crate::editors::{FileKind, Reason, Role, pyproject};

/// File names that hold a Python package's version.
const VERSION_MODULES: [&str; 5] =
    ["__init__.py", "_version.py", "version.py", "__about__.py", "__version__.py"];

/// One Python project: the directory of its packaging files.
#[derive(Debug, Clone)]
pub(super) struct Project {
    dir: String,
    pyproject: Option<pyproject::Project>,
    name: String,
    manifest: String,
    /// The files that may hold its version (see [`candidates`]).
    candidates: Vec<String>,
}

/// The module files to read for every project, found in the listing.
pub(super) fn module_candidates(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .python
        .iter()
        .flat_map(|project| &project.candidates)
        .filter(|path| snapshot.files.contains(path))
        .cloned()
        .collect()
}

pub(super) fn discover(snapshot: &Snapshot, found: &mut Found) {
    // The projects of each normalized name, as lock files and PEP 508 requirements name them.
    let mut by_name: BTreeMap<String, Vec<&Project>> = BTreeMap::new();
    for project in &snapshot.python {
        by_name.entry(crate::editors::uv_lock::normalize(&project.name)).or_default().push(project);
    }
    uv_locks(snapshot, &by_name, found);
    for project in &snapshot.python {
        let id = PackageId::new(Ecosystem::Python, project.name.clone(), project.manifest.clone());
        let release = match project.pyproject.as_ref().map(|p| &p.source) {
            Some(pyproject::VersionSource::Vcs { how }) => Release::Tags { how: how.clone() },
            Some(pyproject::VersionSource::Cargo) => {
                Release::Follows { package: maturin_crate(snapshot, project) }
            }
            _ => Release::Files,
        };
        // Exact PEP 508 pins on a project of the repository: sites of that project, which the
        // pinning project shares a version with.
        for pin in project.pyproject.iter().flat_map(|p| &p.exact_pins) {
            let Role::Follower { target: Some(target), .. } = &pin.role else { continue };
            // The first project of that name (names are unique in practice).
            let Some(&pinned) = by_name.get(target).and_then(|ps| ps.first()) else { continue };
            let owner =
                PackageId::new(Ecosystem::Python, pinned.name.clone(), pinned.manifest.clone());
            if owner == id {
                continue;
            }
            found.ties.push((id.clone(), owner.clone()));
            let pyproject = join(&project.dir, "pyproject.toml");
            let offset =
                snapshot.contents.get(&pyproject).map_or(0, |b| super::cargo::bom_offset(b));
            let mut site = pin.clone();
            site.range = site.range.start + offset..site.range.end + offset;
            found.site(&pyproject, FileKind::Pyproject, site, vec![owner]);
            let requirement = format!("=={}", pin.text);
            found.sites.last_mut().expect("just pushed").pin = Some(super::Pin { requirement });
        }
        // A static version of a project maturin builds must be its crate's.
        if release == Release::Files
            && project.pyproject.as_ref().is_some_and(|p| p.maturin.is_some())
        {
            found.ties.push((id.clone(), maturin_crate(snapshot, project)));
        }
        let mut declared = false;
        let mut refusals = Vec::new();
        if release == Release::Files {
            let mut files: Vec<(String, FileKind)> = Vec::new();
            for name in ["pyproject.toml", "setup.cfg", "setup.py"] {
                let path = join(&project.dir, name);
                if snapshot.contents.contains_key(&path) {
                    files.push((path, FileKind::from_path(name.as_ref()).expect("a known name")));
                }
            }
            files.extend(project.candidates.iter().map(|p| (p.clone(), FileKind::Python)));
            let mut seen = BTreeSet::new();
            for (path, kind) in files {
                if !seen.insert(path.clone()) {
                    continue;
                }
                let scanned = match kind {
                    // A version module reached from its project: a release tuple is its version.
                    FileKind::Python if !path.ends_with("setup.py") => snapshot
                        .contents
                        .get(&path)
                        .map(|bytes| crate::editors::scan_project_module(bytes)),
                    _ => Found::scan(snapshot, &path, kind),
                };
                match scanned {
                    None => {}
                    Some(Ok(sites)) => {
                        for site in sites {
                            declared |= site.role.is_declaration();
                            found.site(&path, kind, site, vec![id.clone()]);
                        }
                    }
                    Some(Err(refusal)) => refusals.push((path, refusal)),
                }
            }
        }
        // A file that cannot be read is a problem even when another file holds the version:
        // the bump would leave it behind.
        for (path, refusal) in refusals.iter().filter(|(_, r)| r.reason == Reason::Parse) {
            found.problem(path, refusal);
        }
        let generated =
            refusals.iter().find(|(_, r)| matches!(r.reason, Reason::Generated | Reason::FromVcs));
        let release = match (release, generated) {
            (Release::Files, Some((path, _))) if !declared => {
                Release::Tags { how: format!("generated `{path}`") }
            }
            (release, _) => release,
        };
        if release == Release::Files && !declared {
            // Nothing holds the version: say why, from the most telling refusal.
            let telling = refusals
                .iter()
                .find(|(p, _)| p.ends_with("pyproject.toml"))
                .or_else(|| refusals.iter().find(|(_, r)| r.reason != Reason::NoVersion))
                .or_else(|| refusals.first());
            // The file a dynamic version points at, when it exists but holds no literal.
            let pointed = refusals.iter().find(|(p, r)| {
                !p.ends_with("pyproject.toml")
                    && r.reason != Reason::Parse
                    && pointers(project).contains(p)
            });
            if let Some((path, refusal)) = pointed {
                found.problem(path, refusal);
            }
            match telling {
                Some((path, refusal)) => found.problem(path, refusal),
                None => found.problems.push(Problem {
                    path: project.manifest.clone(),
                    line: None,
                    group: None,
                    message: format!("the Python project `{}` has no version site", project.name),
                    help:
                        "set `[project].version`, or `__version__` in the package's `__init__.py`"
                            .into(),
                }),
            }
        }
        found.packages.push(Package {
            id,
            dir: project.dir.clone(),
            manifest: project.manifest.clone(),
            release,
        });
    }
}

/// The project's own packages in every `uv.lock`: each entry is a site of the Python package
/// of that (normalized) name.
fn uv_locks(snapshot: &Snapshot, by_name: &BTreeMap<String, Vec<&Project>>, found: &mut Found) {
    for path in snapshot.manifests.iter().filter(|f| name_of(f) == "uv.lock") {
        let Some(result) = Found::scan(snapshot, path, FileKind::UvLock) else { continue };
        match result {
            Ok(sites) => {
                for site in sites {
                    let Role::LockMember { name } = &site.role else { continue };
                    // The project of that name the lock's directory holds, nearest first.
                    let lock_dir = dir_of(path);
                    let Some(project) = by_name.get(name).and_then(|ps| {
                        ps.iter()
                            .filter(|p| super::load::under(&p.dir, lock_dir))
                            .min_by_key(|p| p.dir.len())
                            .or_else(|| ps.first())
                    }) else {
                        continue;
                    };
                    let owner = PackageId::new(
                        Ecosystem::Python,
                        project.name.clone(),
                        project.manifest.clone(),
                    );
                    found.site(path, FileKind::UvLock, site, vec![owner]);
                }
            }
            // A lock of registry packages only has nothing to bump.
            Err(refusal) if refusal.reason == Reason::NoVersion => {}
            Err(refusal) => found.problem(path, &refusal),
        }
    }
}

/// The Python projects of the snapshot's manifests (which must have been read).
pub(super) fn projects(snapshot: &Snapshot) -> Vec<Project> {
    let mut by_dir: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for path in &snapshot.manifests {
        if matches!(name_of(path), "pyproject.toml" | "setup.py" | "setup.cfg") {
            by_dir.entry(dir_of(path)).or_default().push(path);
        }
    }
    let text =
        |path: &str| snapshot.contents.get(path).map(|b| String::from_utf8_lossy(b).into_owned());
    // Each project parses its own files: on every core.
    let by_dir: Vec<(&str, Vec<&str>)> = by_dir.into_iter().collect();
    let projects = crate::parallel::map_in_parallel(&by_dir, 64, |&(dir, ref files)| {
        let pyproject_path = join(dir, "pyproject.toml");
        let parsed =
            text(&pyproject_path).map(|t| pyproject::project(t.trim_start_matches('\u{feff}')));
        // A pyproject.toml with only tool settings (ruff, black) next to no packaging is no
        // project. One that cannot be parsed stays a project, so that its error is reported.
        if files.len() == 1
            && files[0].ends_with("pyproject.toml")
            && matches!(&parsed, Some(Ok(p)) if p.name.is_none() && p.source == pyproject::VersionSource::Missing)
        {
            return None;
        }
        let pyproject = parsed.and_then(Result::ok);
        let name = pyproject
            .as_ref()
            .and_then(|p| p.name.clone())
            // A pyproject.toml that does not parse still names its project, most often.
            .or_else(|| text(&pyproject_path).and_then(|t| assigned_name(&t, &PYPROJECT_NAME)))
            .or_else(|| {
                text(&join(dir, "setup.cfg")).and_then(|t| assigned_name(&t, &SETUP_CFG_NAME))
            })
            .or_else(|| {
                text(&join(dir, "setup.py")).and_then(|t| assigned_name(&t, &SETUP_PY_NAME))
            })
            .unwrap_or_else(|| {
                let root = snapshot.root.file_name().map(|n| n.to_string_lossy().into_owned());
                if dir.is_empty() {
                    root.unwrap_or_else(|| "root".into())
                } else {
                    name_of(dir).to_string()
                }
            });
        let manifest =
            files.iter().find(|f| f.ends_with("pyproject.toml")).unwrap_or(&files[0]).to_string();
        let mut project =
            Project { dir: dir.to_string(), pyproject, name, manifest, candidates: Vec::new() };
        project.candidates = candidates(&project);
        Some(project)
    });
    projects.into_iter().flatten().collect()
}

// Compiled once rather than once per project: a compilation takes about 0.15 ms, so 300 `setup.py`
// projects spent 50 ms on them.
static SETUP_CFG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*name\s*[=:]\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$").expect("a valid pattern")
});
static PYPROJECT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*name\s*=\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)["']"#)
        .expect("a valid pattern")
});
static SETUP_PY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bname\s*=\s*["']([A-Za-z0-9][A-Za-z0-9._-]*)["']"#).expect("a valid pattern")
});

fn assigned_name(text: &str, pattern: &Regex) -> Option<String> {
    pattern.captures(text).map(|c| c[1].to_string())
}

/// The files that may hold a project's version: what the backend points at, and the version
/// modules of its import package.
fn candidates(project: &Project) -> Vec<String> {
    let mut out = Vec::new();
    let mut roots = vec!["src".to_string(), String::new()];
    let mut names = vec![import_name(&project.name)];
    if let Some(p) = &project.pyproject {
        if let pyproject::VersionSource::File { paths, .. } = &p.source {
            out.extend(paths.iter().map(|path| join(&project.dir, path)));
        }
        roots = p.package_roots.clone();
        names.extend(p.import_names.iter().cloned());
    }
    for root in &roots {
        for name in &names {
            let package = join(&project.dir, &join(root, name));
            out.extend(VERSION_MODULES.iter().map(|module| join(&package, module)));
        }
    }
    out.dedup();
    out
}

/// The files the backend's configuration points at for the version.
fn pointers(project: &Project) -> Vec<String> {
    match project.pyproject.as_ref().map(|p| &p.source) {
        Some(pyproject::VersionSource::File { paths, .. }) => {
            paths.iter().map(|p| join(&project.dir, p)).collect()
        }
        _ => Vec::new(),
    }
}

/// The import name of a distribution: lowercase, `-` and `.` as `_`.
fn import_name(name: &str) -> String {
    name.to_lowercase().replace(['-', '.'], "_")
}

pub(super) fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (false, true) => dir.to_string(),
        (false, false) => format!("{dir}/{name}"),
    }
}

/// The Cargo package maturin builds for `project`: the crate of `[tool.maturin]
/// manifest-path`, or of the `Cargo.toml` beside the pyproject.
fn maturin_crate(snapshot: &Snapshot, project: &Project) -> PackageId {
    let relative = project.pyproject.as_ref().and_then(|p| p.maturin.clone());
    let manifest = normalize(&join(&project.dir, relative.as_deref().unwrap_or("Cargo.toml")));
    let name = snapshot
        .contents
        .get(&manifest)
        .and_then(|b| crate::editors::cargo_toml::manifest(&String::from_utf8_lossy(b)).ok())
        .and_then(|m| m.package)
        .unwrap_or_else(|| name_of(dir_of(&manifest)).to_string());
    PackageId::new(Ecosystem::Cargo, name, manifest)
}

/// A relative path with its `.` and `..` segments resolved (`..` past the root is dropped).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}
