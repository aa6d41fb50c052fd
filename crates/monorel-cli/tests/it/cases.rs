//! The version-edit cases (`testdata/version-cases`), byte for byte, through `monorel bump-file`.
//!
//! For each case the input file is copied into an empty directory under its own name and bumped
//! with the real binary. An `edit` case must exit 0 and leave exactly `expected`; a `refuse` case
//! must exit non-zero, name the file, and leave it byte-identical. The refusal messages are
//! snapshotted in `snapshots/refusals.txt` (`UPDATE_EXPECT=1` to refresh) so that reviewing them
//! is reviewing what a user reads.

use std::{fs, path::PathBuf};

use crate::support::{monorel, repo_root};

struct Case {
    id: String,
    input: PathBuf,
    expected: Vec<u8>,
    old: String,
    new: String,
    kind: String,
    refuse: bool,
}

fn cases() -> Vec<Case> {
    let dir = repo_root().join("testdata/version-cases/cases");
    let mut cases: Vec<Case> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let dir = entry.unwrap().path();
            let meta = fs::read_to_string(dir.join("meta.toml")).unwrap();
            let field = |key: &str| -> String {
                meta.lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once('=')?;
                        (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
                    })
                    .unwrap_or_else(|| panic!("{}: no `{key}` in meta.toml", dir.display()))
            };
            let input = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    !matches!(p.file_name().unwrap().to_str(), Some("expected" | "meta.toml"))
                })
                .unwrap();
            Case {
                id: dir.file_name().unwrap().to_string_lossy().into_owned(),
                expected: fs::read(dir.join("expected")).unwrap(),
                input,
                old: field("old"),
                new: field("new"),
                kind: field("kind"),
                refuse: field("expect") == "refuse",
            }
        })
        .collect();
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    cases
}

/// Runs one case; returns what went wrong, and the refusal message for refuse cases.
fn run(case: &Case, pass_kind: bool) -> (Option<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let name = case.input.file_name().unwrap().to_str().unwrap();
    let file = tmp.path().join(name);
    let input = fs::read(&case.input).unwrap();
    fs::write(&file, &input).unwrap();
    let mut args = vec!["bump-file", name, "--from", &case.old, "--to", &case.new];
    if pass_kind {
        args.extend(["--kind", &case.kind]);
    }
    let output = monorel(tmp.path(), &args);
    let after = fs::read(&file).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let problem = if case.refuse {
        if output.status.success() {
            Some("expected a refusal, but it succeeded".to_string())
        } else if after != input {
            Some("refused, but changed the file".to_string())
        } else if !stderr.contains(name) {
            Some(format!("the refusal does not name the file: {stderr}"))
        } else {
            None
        }
    } else if !output.status.success() {
        Some(format!("expected an edit, but it failed: {stderr}"))
    } else if after != case.expected {
        Some(format!(
            "wrong bytes:\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&case.expected).escape_debug(),
            String::from_utf8_lossy(&after).escape_debug()
        ))
    } else {
        None
    };
    (problem, stderr)
}

#[test]
fn every_case_passes_byte_for_byte() {
    let cases = cases();
    assert!(cases.len() >= 55, "the cases were not all found: {}", cases.len());
    let mut failures = Vec::new();
    let mut refusals = String::new();
    for case in &cases {
        let (problem, stderr) = run(case, false);
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.id));
        }
        if case.refuse {
            refusals.push_str(&format!("## {}\n{stderr}\n", case.id));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    expect_test::expect_file!["snapshots/refusals.txt"].assert_eq(&refusals);
}

#[test]
fn an_explicit_kind_gives_the_same_result() {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|case| run(case, true).0.map(|p| format!("{}: {p}", case.id)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
