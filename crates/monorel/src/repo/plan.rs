//! Planning a group's bump: every file edit, before and after, as plain data. No IO.

use std::collections::BTreeMap;

use super::{Model, Problem, SiteRecord, Snapshot, cargo::dir_of, load::name_of, python::join};
use crate::{
    config::AppVersion,
    editors::{self, Change, FileKind, Refusal, Role},
    version::{self, Level, PreKind, Version, VersionError},
};

/// What to bump.
#[derive(Debug, Clone)]
pub struct BumpRequest {
    /// The level or the exact version.
    pub level: Level,
    /// Make it the first pre-release of that version.
    pub pre: Option<PreKind>,
    /// The group; may be left out when there is one.
    pub group: Option<String>,
}

/// A planned bump of one group.
#[derive(Debug, Clone)]
pub struct BumpPlan {
    /// The group.
    pub group: String,
    /// Its version now.
    pub from: Version,
    /// Its version after the bump.
    pub to: Version,
    /// The tag the release of `to` gets.
    pub tag: String,
    /// Every file that changes, in path order.
    pub files: Vec<PlannedFile>,
    /// Why edits beyond the group's own versions are made (pins the new version leaves).
    pub notes: Vec<String>,
}

/// One file of a plan.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// The file, relative to the root.
    pub path: String,
    /// Its bytes now.
    pub before: Vec<u8>,
    /// Its bytes after the bump.
    pub after: Vec<u8>,
    /// The version tokens that change.
    pub changes: Vec<Change>,
}

impl BumpPlan {
    /// How many version tokens change, in how many files.
    pub fn counts(&self) -> (usize, usize) {
        (self.files.iter().map(|f| f.changes.len()).sum(), self.files.len())
    }
}

/// Why there is no plan. Nothing is written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// The repository has no releasable package.
    #[error(
        "no version sites found: this repository has no Cargo package, Python project or Helm chart with a version"
    )]
    Nothing,
    /// Several groups, and none was chosen.
    #[error("this repository has {} groups ({}); choose one with `--group`", .0.len(), .0.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "))]
    WhichGroup(Vec<String>),
    /// No group of that name.
    #[error("there is no group `{name}`; the groups are: {}", .known.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", "))]
    UnknownGroup {
        /// The name asked for.
        name: String,
        /// The groups there are.
        known: Vec<String>,
    },
    /// The repository has problems that stop the bump.
    #[error("{} problem{} must be fixed before bumping group `{group}`", .problems.len(), if .problems.len() == 1 { "" } else { "s" })]
    Problems {
        /// The group.
        group: String,
        /// The problems, each with its file and line.
        problems: Vec<Problem>,
    },
    /// The new version cannot be computed.
    #[error("cannot bump group `{group}` from {from}: {error}")]
    Version {
        /// The group.
        group: String,
        /// Its version.
        from: Version,
        /// Why.
        error: VersionError,
    },
    /// A file cannot take the new version.
    #[error("cannot bump `{path}`: {refusal}")]
    File {
        /// The file.
        path: String,
        /// Why.
        refusal: Refusal,
    },
}

/// Plans the bump of one group.
pub fn plan_bump(
    snapshot: &Snapshot,
    model: &Model,
    request: &BumpRequest,
) -> Result<BumpPlan, PlanError> {
    let names: Vec<String> = model.groups.iter().map(|g| g.name.clone()).collect();
    let group = match &request.group {
        Some(name) => model
            .group(name)
            .ok_or_else(|| PlanError::UnknownGroup { name: name.clone(), known: names.clone() })?,
        None => match model.groups.as_slice() {
            [] => return Err(PlanError::Nothing),
            [only] => only,
            _ => return Err(PlanError::WhichGroup(names)),
        },
    };
    let problems = model.problems_of(&group.name);
    if !problems.is_empty() {
        return Err(PlanError::Problems { group: group.name.clone(), problems });
    }
    let Some(from) = group.version.clone() else { return Err(PlanError::Nothing) };
    let to = version::bump(&from, &request.level, request.pre).map_err(|error| {
        PlanError::Version { group: group.name.clone(), from: from.clone(), error }
    })?;

    let mut by_file: BTreeMap<&str, Vec<&SiteRecord>> = BTreeMap::new();
    for record in model.sites.iter().filter(|s| s.group.as_deref() == Some(group.name.as_str())) {
        by_file.entry(&record.path).or_default().push(record);
    }
    let mut files = Vec::new();
    let mut notes = Vec::new();
    for (path, records) in by_file {
        let mut changes = Vec::new();
        for record in records {
            let site = &record.site;
            // Declarations all hold `from` (the group agrees); followers move when they name it,
            // and a chart's `appVersion` as the group's policy says.
            let is_app_version = matches!(
                &record.source,
                super::SiteSource::File(FileKind::HelmChart)
            ) && matches!(&site.role, Role::Follower { subject, target: None } if subject == "appVersion");
            let released =
                matches!(&record.source, super::SiteSource::Pattern { released: true, .. });
            let moves = match (&record.pin, group.app_version) {
                _ if released => !is_development(&to),
                (_, AppVersion::Always) if is_app_version => true,
                (_, AppVersion::Never) if is_app_version => false,
                (Some(pin), _) => match pin_moves(pin, site, &from, &to) {
                    PinMove::Stays => false,
                    PinMove::Follows => true,
                    PinMove::Left => {
                        notes.push(format!(
                            "`{path}:{}`: {} requires `{}`, which {to} does not satisfy: the pin moves to {to}",
                            site.line,
                            site.role.subject(),
                            pin.requirement
                        ));
                        true
                    }
                },
                _ => site.role.is_declaration() || site.spelling.matches(&site.text, &from),
            };
            if moves && !changes.iter().any(|c: &Change| c.site.range == site.range) {
                let change = editors::change(site, &to)
                    .map_err(|refusal| PlanError::File { path: path.to_string(), refusal })?;
                changes.push(change);
            }
        }
        if changes.is_empty() {
            continue;
        }
        changes.sort_by_key(|c| c.site.range.start);
        let before = snapshot.contents.get(path).cloned().unwrap_or_default();
        let after = editors::apply_changes(&before, &changes);
        files.push(PlannedFile { path: path.to_string(), before, after, changes });
    }
    refresh_chart_lock_digests(snapshot, &mut files, &mut notes)?;
    Ok(BumpPlan { group: group.name.clone(), tag: group.tag_for(&to), from, to, files, notes })
}

/// Recomputes the `digest` of every `Chart.lock` whose chart's or own dependencies the plan
/// changes, as helm computes it (`editors::chart_lock`). A digest that was already not the one
/// helm would write is left as it is, with a note.
fn refresh_chart_lock_digests(
    snapshot: &Snapshot,
    files: &mut Vec<PlannedFile>,
    notes: &mut Vec<String>,
) -> Result<(), PlanError> {
    let mut dirs: Vec<&str> = files
        .iter()
        .filter(|f| matches!(name_of(&f.path), "Chart.lock" | "Chart.yaml"))
        .map(|f| dir_of(&f.path))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let dirs: Vec<String> = dirs.into_iter().map(str::to_string).collect();
    for dir in dirs {
        let (chart, lock) = (join(&dir, "Chart.yaml"), join(&dir, "Chart.lock"));
        let Some(lock_before) = snapshot.contents.get(&lock) else { continue };
        let Some(chart_before) = snapshot.contents.get(&chart) else { continue };
        let after = |path: &str, before: &Vec<u8>| {
            files
                .iter()
                .find(|f| f.path == path)
                .map_or_else(|| before.clone(), |f| f.after.clone())
        };
        let (chart_after, lock_after) = (after(&chart, chart_before), after(&lock, lock_before));
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let lock_text = text(&lock_after);
        let refusal = |refusal| PlanError::File { path: lock.clone(), refusal };
        let Ok((_, Some(range))) = editors::chart_lock::scan(&lock_text) else { continue };
        let written = &lock_text[range.clone()];
        let before = editors::chart_lock::digest(&text(chart_before), &text(lock_before));
        let now = editors::chart_lock::digest(&text(&chart_after), &lock_text).map_err(refusal)?;
        if before.ok().as_deref() != Some(written) {
            notes.push(format!(
                "`{lock}`: its digest was not helm's for the files before the bump; it is left for `helm dependency update`"
            ));
            continue;
        }
        if now == written {
            continue;
        }
        let mut bytes = lock_after.clone();
        bytes.splice(range.clone(), now.bytes());
        notes.push(format!("`{lock}`: the digest is recomputed as helm computes it"));
        match files.iter_mut().find(|f| f.path == lock) {
            Some(file) => file.after = bytes,
            None => files.push(PlannedFile {
                path: lock.clone(),
                before: lock_before.clone(),
                after: bytes,
                changes: Vec::new(),
            }),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(())
}

/// What a pin does in a bump from `from` to `to`.
enum PinMove {
    /// It stays: it still admits `to`, and does not name `from`.
    Stays,
    /// It names `from`: it follows the release.
    Follows,
    /// `to` no longer satisfies it: it moves, or the dependent would not build.
    Left,
}

/// Whether `version` is a development version (`1.4.0-dev`, `1.4.0-dev.2`), which
/// `[release] next-dev` commits after a release.
pub fn is_development(version: &Version) -> bool {
    version.pre.as_str().split('.').next() == Some("dev")
}

fn pin_moves(pin: &super::Pin, site: &editors::Site, from: &Version, to: &Version) -> PinMove {
    // A pin that names the old version follows the release (cargo-release's `upgrade`).
    if site.spelling.matches(&site.text, from) {
        return PinMove::Follows;
    }
    // Cargo's reading of a requirement: a bare version is a caret requirement.
    match semver::VersionReq::parse(&pin.requirement) {
        Ok(req) if !req.matches(to) && req.matches(from) => PinMove::Left,
        _ => PinMove::Stays,
    }
}
