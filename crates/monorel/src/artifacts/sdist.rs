//! Python source distributions (`.tar.gz`), read from inside: the top directory
//! `{name}-{version}/`, `PKG-INFO` `Name` and `Version`, and the static `[project].version` of
//! `pyproject.toml` (a dynamic version leaves `PKG-INFO` as the evidence).

use super::{
    ArtifactReport, Check, Failure, Listing,
    archive::Want,
    evidence::{self, Evidence, Fixes, Found, Naming},
    single_top_directory,
};
use crate::{
    editors::{self, FileKind, Reason, Role},
    version::{Spelling, Version},
};

const FIXES: Fixes = Fixes {
    stale: "remove it from the artifact directory: it is left from another build",
    rebuild: "rebuild the sdist from the release commit: it was built before the version was bumped, or by hand",
};

/// Which members an sdist check reads: `PKG-INFO` and `pyproject.toml` at the top.
pub(crate) fn want(name: &str) -> Want {
    match name.split('/').collect::<Vec<_>>().as_slice() {
        [_, "PKG-INFO" | "pyproject.toml"] => Want::Text,
        _ => Want::Skip,
    }
}

fn parses(version: &str) -> bool {
    version.parse::<pep440_rs::Version>().is_ok()
}

/// The checks of one sdist (pure).
pub(crate) fn check(
    file_name: &str,
    listing: &Listing,
    release: &Version,
    report: &mut ArtifactReport,
) {
    let mut found = Found::new(parses, Spelling::Pep440);
    let checks = &mut report.checks;

    let stem = file_name.strip_suffix(".tar.gz").unwrap_or(file_name);
    checks.extend(found.name_and_version(
        "file name",
        "the file name",
        stem,
        (&format!("`{file_name}`"), "{name}-{version}.tar.gz"),
        "name sdists as the build tool does (PEP 625)",
    ));

    let top = match single_top_directory(
        listing,
        "an sdist holds one `{name}-{version}/` directory",
        "rebuild it with a standard build backend",
    ) {
        Ok(top) => top,
        Err(check) => {
            checks.push(check);
            return;
        }
    };
    let place = format!("the top directory `{top}/`");
    checks.extend(found.name_and_version(
        "top directory",
        &place,
        &top,
        (&place, "{name}-{version}/"),
        "rebuild it with a standard build backend",
    ));

    let pkg_info = format!("{top}/PKG-INFO");
    match listing.text(&pkg_info) {
        None => checks.push(Check::fail(
            "PKG-INFO",
            Failure::new(
                None,
                format!("no `{pkg_info}`"),
                "rebuild it with a standard build backend",
            ),
        )),
        Some(text) => {
            let text = String::from_utf8_lossy(text);
            let fields = evidence::metadata_fields(&text);
            match evidence::single_field(&fields, "Name") {
                Ok((name, line)) => {
                    report.name = Some(name.to_string());
                    found.names.push(Naming::new(
                        "PKG-INFO",
                        format!("`Name` in `{pkg_info}:{line}`"),
                        Some(&pkg_info),
                        name,
                    ));
                }
                Err(message) => checks.push(Check::fail(
                    "PKG-INFO",
                    Failure::new(
                        Some(&pkg_info),
                        format!("`PKG-INFO` {message}"),
                        "rebuild it with a standard build backend",
                    ),
                )),
            }
            match evidence::single_field(&fields, "Version") {
                Ok((version, line)) => found.evidence.push(Evidence::new(
                    "PKG-INFO",
                    format!("`Version` in `{pkg_info}:{line}`"),
                    Some(&pkg_info),
                    version,
                    Spelling::Pep440,
                )),
                Err(message) => checks.push(Check::fail(
                    "PKG-INFO",
                    Failure::new(
                        Some(&pkg_info),
                        format!("`PKG-INFO` {message}"),
                        "rebuild it with a standard build backend",
                    ),
                )),
            }
        }
    }

    let pyproject = format!("{top}/pyproject.toml");
    if let Some(text) = listing.text(&pyproject) {
        match editors::scan_file(FileKind::Pyproject, text) {
            Ok(sites) => {
                for site in sites {
                    if let Role::Declaration { subject } = &site.role {
                        found.evidence.push(Evidence::new(
                            "pyproject.toml",
                            format!("`{subject}` in `{pyproject}:{}`", site.line),
                            Some(&pyproject),
                            site.text.clone(),
                            Spelling::Pep440,
                        ));
                    }
                }
            }
            Err(refusal) if matches!(refusal.reason, Reason::Parse) => checks.push(Check::fail(
                "pyproject.toml",
                Failure::new(
                    Some(&pyproject),
                    refusal.message,
                    "rebuild the sdist from a tree whose pyproject.toml is valid",
                ),
            )),
            Err(refusal) => checks.push(Check::note(
                "pyproject.toml",
                format!("no static version ({}): `PKG-INFO` is the evidence", refusal.message),
            )),
        }
    }

    if report.name.is_none() {
        report.name = found.names.first().map(|n| n.name.clone());
    }
    checks.extend(evidence::name_checks(&found.names, evidence::normalize_python, "the file name, the top directory and PKG-INFO must name one project: rebuild the sdist, and do not rename it"));
    checks.extend(evidence::version_checks(&found.evidence, release, FIXES));
}
