//! Packaged crates (`.crate`, as `cargo package` writes them), read from inside: the top
//! directory `{name}-{version}/`, the normalised `Cargo.toml`'s `[package]` name and version,
//! and the `Cargo.toml.orig` the crate was packaged from (its version may be inherited from
//! the workspace; a literal one must agree).

use super::{
    ArtifactReport, Check, Failure, Listing,
    archive::Want,
    evidence::{self, Evidence, Fixes, Found, Naming},
    single_top_directory, toml_string,
};
use crate::{
    editors::{self, FileKind, Reason, Role},
    version::{Spelling, Version},
};

const FIXES: Fixes = Fixes {
    stale: "remove it: it is left from another `cargo package` (`target/package/` keeps old crates)",
    rebuild: "package the crate again from the release commit (`cargo package`): it was packaged from a stale manifest",
};

/// Which members a crate check reads: the two manifests at the top.
pub(crate) fn want(name: &str) -> Want {
    match name.split('/').collect::<Vec<_>>().as_slice() {
        [_, "Cargo.toml" | "Cargo.toml.orig"] => Want::Text,
        _ => Want::Skip,
    }
}

fn parses(version: &str) -> bool {
    Version::parse(version).is_ok()
}

/// The checks of one crate (pure).
pub(crate) fn check(
    file_name: &str,
    listing: &Listing,
    release: &Version,
    report: &mut ArtifactReport,
) {
    let mut found = Found::new(parses, Spelling::Semver);
    let checks = &mut report.checks;

    let stem = file_name.strip_suffix(".crate").unwrap_or(file_name);
    checks.extend(found.name_and_version(
        "file name",
        "the file name",
        stem,
        (&format!("`{file_name}`"), "{name}-{version}.crate"),
        "keep the name `cargo package` gives",
    ));
    let top = match single_top_directory(
        listing,
        "a crate holds one `{name}-{version}/` directory",
        "package it with `cargo package`",
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
        "package it with `cargo package`",
    ));

    for (file, required) in [("Cargo.toml", true), ("Cargo.toml.orig", false)] {
        let path = format!("{top}/{file}");
        let Some(bytes) = listing.text(&path) else {
            if required {
                checks.push(Check::fail(
                    file,
                    Failure::new(None, format!("no `{path}`"), "package it with `cargo package`"),
                ));
            } else {
                checks.push(Check::note(
                    file,
                    format!("no `{path}`: the crate was not packaged by cargo"),
                ));
            }
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        match toml_string(&text, &["package", "name"]) {
            Some(name) => found.names.push(Naming::new(
                file_check(file),
                format!("`[package].name` in `{path}`"),
                Some(&path),
                &name,
            )),
            None if required => checks.push(Check::fail(
                file,
                Failure::new(Some(&path), "no `[package].name`", "package it with `cargo package`"),
            )),
            None => {}
        }
        match editors::scan_file(FileKind::CargoToml, bytes) {
            Ok(sites) => {
                let declared = sites.iter().find(|s| matches!(&s.role, Role::Declaration { subject } if subject == "[package].version"));
                if let Some(site) = declared {
                    found.evidence.push(Evidence::new(
                        file_check(file),
                        format!("`[package].version` in `{path}:{}`", site.line),
                        Some(&path),
                        site.text.clone(),
                        Spelling::Semver,
                    ));
                }
            }
            Err(refusal) if !required && matches!(refusal.reason, Reason::Inherited) => {
                checks.push(Check::pass(
                    file,
                    format!("`{path}` inherits the version from its workspace"),
                ));
            }
            Err(refusal) => checks.push(Check::fail(
                file,
                Failure::new(
                    Some(&path),
                    refusal.message,
                    "package the crate again with `cargo package`",
                ),
            )),
        }
    }

    report.name = found
        .names
        .iter()
        .find(|n| n.check == "Cargo.toml")
        .or(found.names.first())
        .map(|n| n.name.clone());
    checks.extend(evidence::name_checks(
        &found.names,
        evidence::exact,
        "the file name, the top directory and the manifests must name one crate: package it again",
    ));
    checks.extend(evidence::version_checks(&found.evidence, release, FIXES));
}

fn file_check(file: &str) -> &'static str {
    if file == "Cargo.toml" { "Cargo.toml" } else { "Cargo.toml.orig" }
}
