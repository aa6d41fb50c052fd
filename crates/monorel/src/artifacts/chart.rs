//! Packaged Helm charts (`.tgz`), read from inside: the top directory (the chart's name),
//! `Chart.yaml` `name`, `version`, and `appVersion` when it tracks the release.
//!
//! `version` and `appVersion` are found by the Helm editor's scanner (anchors and aliases
//! resolved); `name` by a walk over saphyr-parser's events of the top-level mapping.

use saphyr_parser::{Event, Parser};

use super::{
    AppVersion, ArtifactReport, Check, Failure, Listing,
    archive::Want,
    evidence::{self, Evidence, Fixes, Found, Naming},
    single_top_directory,
};
use crate::{
    editors::{self, FileKind, Role},
    version::{Spelling, Version},
};

const FIXES: Fixes = Fixes {
    stale: "remove it from the artifact directory: it is left from another `helm package`",
    rebuild: "package the chart again from the release commit: `Chart.yaml` was not bumped with the release",
};

/// Which members a chart check reads: the chart's own `Chart.yaml` (not its subcharts').
pub(crate) fn want(name: &str) -> Want {
    match name.split('/').collect::<Vec<_>>().as_slice() {
        [_, "Chart.yaml"] => Want::Text,
        _ => Want::Skip,
    }
}

fn parses(version: &str) -> bool {
    Version::parse(version.strip_prefix('v').unwrap_or(version)).is_ok()
}

/// The checks of one chart (pure).
pub(crate) fn check(
    file_name: &str,
    listing: &Listing,
    release: &Version,
    app_version: AppVersion,
    report: &mut ArtifactReport,
) {
    let mut found = Found::new(parses, Spelling::Helm);
    let checks = &mut report.checks;

    let stem = file_name.strip_suffix(".tgz").unwrap_or(file_name);
    checks.extend(found.name_and_version(
        "file name",
        "the file name",
        stem,
        (&format!("`{file_name}`"), "{name}-{version}.tgz"),
        "keep the name `helm package` gives",
    ));
    let top = match single_top_directory(
        listing,
        "a chart holds one directory named after the chart",
        "package it with `helm package`",
    ) {
        Ok(top) => top,
        Err(check) => {
            checks.push(check);
            return;
        }
    };
    found.names.push(Naming::new(
        "top directory",
        format!("the top directory `{top}/`"),
        None,
        top.as_str(),
    ));

    let path = format!("{top}/Chart.yaml");
    let Some(bytes) = listing.text(&path) else {
        checks.push(Check::fail(
            "Chart.yaml",
            Failure::new(None, format!("no `{path}`"), "package it with `helm package`"),
        ));
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    match top_level_scalar(&text, "name") {
        Some(name) => {
            report.name = Some(name.clone());
            found.names.push(Naming::new(
                "Chart.yaml",
                format!("`name` in `{path}`"),
                Some(&path),
                &name,
            ));
        }
        None => checks.push(Check::fail(
            "Chart.yaml",
            Failure::new(Some(&path), "no `name` field", "package it with `helm package`"),
        )),
    }
    match editors::scan_file(FileKind::HelmChart, bytes) {
        Ok(sites) => {
            for site in sites {
                match &site.role {
                    Role::Declaration { .. } => found.evidence.push(Evidence::new(
                        "Chart.yaml",
                        format!("`version` in `{path}:{}`", site.line),
                        Some(&path),
                        site.text.clone(),
                        Spelling::Helm,
                    )),
                    Role::Follower { subject, .. } if subject == "appVersion" => {
                        let value = site.text.clone();
                        if app_version == AppVersion::Independent {
                            checks.push(Check::note(
                                "appVersion",
                                format!("`{value}`, released apart: not checked"),
                            ));
                        } else if !parses(&value) {
                            checks.push(Check::note(
                                "appVersion",
                                format!("`{value}` is not a version: not checked"),
                            ));
                        } else {
                            found.evidence.push(Evidence::new(
                                "appVersion",
                                format!("`appVersion` in `{path}:{}`", site.line),
                                Some(&path),
                                value,
                                Spelling::Helm,
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        Err(refusal) => checks.push(Check::fail(
            "Chart.yaml",
            Failure::new(
                Some(&path),
                refusal.message,
                "package the chart again from a valid `Chart.yaml`",
            ),
        )),
    }
    if report.name.is_none() {
        report.name = found.names.first().map(|n| n.name.clone());
    }
    checks.extend(evidence::name_checks(
        &found.names,
        evidence::exact,
        "the file name, the top directory and `Chart.yaml` must name one chart: package it again",
    ));
    checks.extend(evidence::version_checks(&found.evidence, release, FIXES));
}

/// The plain scalar value of `key` in the top-level mapping of the first document.
fn top_level_scalar(text: &str, key: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut at_key = true;
    let mut wanted = false;
    for event in Parser::new_from_str(text) {
        let (event, _) = event.ok()?;
        match event {
            Event::SequenceStart(..) if depth == 0 => return None,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 1 {
                    if wanted {
                        return None;
                    }
                    at_key = true;
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
            }
            Event::Scalar(value, ..) if depth == 1 => {
                if wanted {
                    return Some(value.into_owned());
                }
                if at_key {
                    wanted = value == key;
                }
                at_key = !at_key;
            }
            Event::Alias(_) if depth == 1 => {
                if wanted {
                    return None;
                }
                at_key = !at_key;
            }
            Event::DocumentEnd | Event::StreamEnd => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name() {
        let text = "apiVersion: v2\nmaintainers:\n  - name: someone\nname: app # the chart\nversion: 1.0.0\n";
        assert_eq!(top_level_scalar(text, "name").as_deref(), Some("app"));
        assert_eq!(top_level_scalar("x: {name: a}\n", "name"), None);
        assert_eq!(top_level_scalar("- name: a\n", "name"), None);
        assert_eq!(top_level_scalar(": : :\n\t", "name"), None);
    }
}
