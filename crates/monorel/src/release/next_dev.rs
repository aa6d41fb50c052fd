//! The next development version, committed after a release (`[release] next-dev`): which
//! version, and every file's bytes, planned with the release so the dry run shows its diff.
//!
//! After `1.3.0` it is `1.4.0-dev`; on a maintenance line ([`super::line`]) the next patch,
//! `1.0.4-dev` after `1.0.3`. The files are planned as a bump of the tree the release commit
//! leaves, so a site that names the released version (`next-dev = false`) stays as it is.

use super::line::Line;
use crate::{
    repo::{self, BumpRequest, PlanError, PlannedFile, Snapshot},
    version::{self, Level, PreKind, Version},
};

/// The development version after releasing `released` from `branch`.
pub fn version(released: &Version, branch: &str) -> Version {
    let level = if Line::of_branch(branch).is_some() { Level::Patch } else { Level::Minor };
    version::bump(released, &level, Some(PreKind::Dev)).expect("a bump of a release")
}

/// Every file the next development version writes, on top of the release's `files`.
pub fn plan_files(
    snapshot: &Snapshot,
    release: &[PlannedFile],
    group: &str,
    version: &Version,
) -> Result<Vec<PlannedFile>, PlanError> {
    let after = snapshot.with_files(release);
    let model = repo::discover(&after);
    let request = BumpRequest {
        level: Level::Exact(version.clone()),
        pre: None,
        group: Some(group.to_string()),
    };
    Ok(repo::plan_bump(&after, &model, &request)?.files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_minor_or_on_a_maintenance_line_the_next_patch() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(version(&v("1.3.0"), "main").to_string(), "1.4.0-dev");
        assert_eq!(version(&v("1.0.3"), "stable/1.0").to_string(), "1.0.4-dev");
        assert_eq!(version(&v("1.5.0"), "1.x").to_string(), "1.5.1-dev");
    }
}
