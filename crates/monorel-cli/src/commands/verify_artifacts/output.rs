//! The verification report for people (one line per artifact and check), for scripts (JSON),
//! and for GitHub Actions (`::error` annotations, then the lines).

use std::path::Path;

use monorel::artifacts::{ArtifactReport, Check, Outcome, Report};
use serde_json::{Value, json};

use super::shown;
use crate::{
    args::Format,
    render::{annotation_data as data, annotation_property as property, escape},
};

/// Prints `report` in `format`; paths are shown relative to `dir`.
pub(crate) fn print(report: &Report, format: Format, dir: &Path) {
    match format {
        Format::Text => print!("{}", text(report, dir)),
        Format::Json => println!("{:#}", to_json(report, dir)),
        Format::Github => {
            print!("{}", annotations(report, dir));
            print!("{}", text(report, dir));
        }
    }
}

/// `ok`/`note`/`FAIL`, the artifact, the check and what was found; a failure's help below it.
pub(crate) fn text(report: &Report, dir: &Path) -> String {
    let mut rows: Vec<(String, &Check)> =
        report.release.iter().map(|c| ("release".to_string(), c)).collect();
    for artifact in &report.artifacts {
        let path = escape(&shown(dir, &artifact.path)).into_owned();
        rows.extend(artifact.checks.iter().map(|c| (path.clone(), c)));
    }
    let width = rows.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (path, check) in &rows {
        let (status, detail, help) = match &check.outcome {
            Outcome::Pass(detail) => ("ok", escape(detail).into_owned(), None),
            Outcome::Note(detail) => ("note", escape(detail).into_owned(), None),
            Outcome::Fail(f) => {
                let entry =
                    f.entry.as_ref().map(|e| format!("`{}`: ", escape(e))).unwrap_or_default();
                ("FAIL", format!("{entry}{}", escape(&f.message)), Some(escape(&f.help)))
            }
        };
        out.push_str(&format!("{status:<4}  {path:<width$}  {}: {detail}\n", check.check));
        if let Some(help) = help {
            out.push_str(&format!("{:<4}  {:<width$}  help: {help}\n", "", ""));
        }
    }
    let checks = rows.len();
    let failed = rows.iter().filter(|(_, c)| c.failed()).count();
    let artifacts =
        report.artifacts.iter().filter(|a| a.kind != monorel::artifacts::Kind::Checksums).count();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out.push_str(&format!(
        "{}: {} against `{}`, {}\n",
        if failed == 0 { "passed" } else { "failed" },
        plural(artifacts, "artifact", "artifacts"),
        report.version,
        if failed == 0 {
            format!("all {} passed", plural(checks, "check", "checks"))
        } else {
            format!("{} of {checks} failed", plural(failed, "check", "checks"))
        },
    ));
    out
}

/// The report as JSON: the version, whether it passed, the release checks and the artifacts.
pub(crate) fn to_json(report: &Report, dir: &Path) -> Value {
    let artifacts: Vec<Value> = report
        .artifacts
        .iter()
        .map(|a: &ArtifactReport| {
            json!({
                "path": shown(dir, &a.path),
                "kind": a.kind.name(),
                "name": a.name,
                "passed": a.passed(),
                "checks": a.checks.iter().map(check_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "version": report.version.to_string(),
        "passed": report.passed(),
        "release": report.release.iter().map(check_json).collect::<Vec<_>>(),
        "artifacts": artifacts,
    })
}

fn check_json(check: &Check) -> Value {
    match &check.outcome {
        Outcome::Pass(detail) => json!({"check": check.check, "status": "pass", "detail": detail}),
        Outcome::Note(detail) => json!({"check": check.check, "status": "note", "detail": detail}),
        Outcome::Fail(f) => json!({
            "check": check.check,
            "status": "fail",
            "entry": f.entry,
            "message": f.message,
            "help": f.help,
        }),
    }
}

/// One `::error` workflow command per failure.
pub(crate) fn annotations(report: &Report, dir: &Path) -> String {
    let mut out = String::new();
    let mut annotate = |file: Option<String>, check: &Check| {
        let Outcome::Fail(f) = &check.outcome else { return };
        let entry = f.entry.as_ref().map(|e| format!("`{}`: ", escape(e))).unwrap_or_default();
        let message = format!("{entry}{}\nhelp: {}", escape(&f.message), escape(&f.help));
        let title = format!("verify-artifacts: {}", check.check);
        let file = file.map(|f| format!("file={},", property(&escape(&f)))).unwrap_or_default();
        out.push_str(&format!("::error {file}title={}::{}\n", property(&title), data(&message)));
    };
    for check in &report.release {
        annotate(None, check);
    }
    for artifact in &report.artifacts {
        for check in &artifact.checks {
            annotate(Some(shown(dir, &artifact.path)), check);
        }
    }
    out
}
