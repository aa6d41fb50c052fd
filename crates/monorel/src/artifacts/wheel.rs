//! Wheels (`.whl`): the binary distribution format, read from inside.
//!
//! - the file name `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`: the normalised
//!   project name and the PEP 440 version;
//! - the one `{name}-{version}.dist-info/` directory, and its `METADATA` `Name` and `Version`;
//! - `RECORD`: every entry's sha256 and size against the member, and no member missing from it;
//! - the `__version__` literal of each top-level package, when it has one (found by the same
//!   Python scanner `bump-file` edits with).
//!
//! `--install-check` then installs the wheel for real: [`InstallPlan`] says what to import and
//! which console scripts to run; the CLI runs it.

use std::{collections::HashMap, path::PathBuf};

use super::{
    ArtifactReport, Check, Failure, Listing,
    archive::Want,
    evidence::{self, Evidence, Fixes, Naming},
    split_name_version,
};
use crate::{
    editors::{self, FileKind, Role},
    version::{self, Spelling, Version},
};

/// What `--install-check` does with a wheel: install it in a fresh virtual environment, import
/// each module, compare versions, run each console script with `--help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallPlan {
    /// The wheel.
    pub wheel: PathBuf,
    /// The distribution name, for `importlib.metadata.version`.
    pub distribution: String,
    /// The release version in PEP 440 form.
    pub version: String,
    /// The top-level modules to import.
    pub imports: Vec<String>,
    /// The console scripts (entry points and `.data/scripts`) to run with `--help`.
    pub scripts: Vec<String>,
}

const FIXES: Fixes = Fixes {
    stale: "remove it from the artifact directory: it is left from another build",
    rebuild: "rebuild the wheel from the release commit: it was built before the version was bumped, or by hand",
};

/// Which members a wheel check reads: all are hashed (for RECORD); the metadata files and the
/// packages' version modules are kept.
pub(crate) fn want(name: &str) -> Want {
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        [dir, "METADATA" | "RECORD" | "entry_points.txt" | "top_level.txt" | "WHEEL"]
            if dir.ends_with(".dist-info") =>
        {
            Want::Text
        }
        [dir, file]
            if !dir.ends_with(".data")
                && !dir.ends_with(".dist-info")
                && is_version_module(file) =>
        {
            Want::Text
        }
        _ => Want::Hash,
    }
}

fn is_version_module(file: &str) -> bool {
    FileKind::from_path(file.as_ref()) == Some(FileKind::Python) && file != "setup.py"
}

/// The checks of one wheel (pure).
pub(crate) fn check(
    file_name: &str,
    listing: &Listing,
    release: &Version,
    report: &mut ArtifactReport,
) {
    let mut evidence = Vec::new();
    let mut names = Vec::new();
    let checks = &mut report.checks;

    match parse_file_name(file_name) {
        Ok((name, version)) => {
            names.push(naming("file name", "the file name", None, name));
            evidence.push(Evidence::new("file name", "the file name", None, version, Spelling::Pep440));
        }
        Err(message) => checks.push(Check::fail(
            "file name",
            Failure::new(None, message, "name wheels as the build tool does: `{name}-{version}-{python}-{abi}-{platform}.whl`"),
        )),
    }

    let dist_infos = top_directories(listing, ".dist-info");
    let dist_info = match dist_infos.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            checks.push(Check::fail(
                "dist-info",
                Failure::new(
                    None,
                    "no `*.dist-info/` directory: this is not a wheel",
                    "rebuild it with a standard build backend",
                ),
            ));
            None
        }
        many => {
            checks.push(Check::fail(
                "dist-info",
                Failure::new(
                    None,
                    format!("{} `*.dist-info/` directories: `{}`", many.len(), many.join("`, `")),
                    "rebuild the wheel from a clean tree: a stale build directory was packed with it",
                ),
            ));
            None
        }
    };
    let Some(dist_info) = dist_info else { return };
    let stem = dist_info.trim_end_matches(".dist-info");
    let place = format!("`{dist_info}/`");
    match split_name_version(stem, |v| v.parse::<pep440_rs::Version>().is_ok()) {
        Some((name, version)) => {
            names.push(naming("dist-info", &place, None, name));
            evidence.push(Evidence::new("dist-info", place, None, version, Spelling::Pep440));
        }
        None => checks.push(Check::fail(
            "dist-info",
            Failure::new(
                None,
                format!("{place} is not `{{name}}-{{version}}.dist-info`"),
                "rebuild it with a standard build backend",
            ),
        )),
    }

    let metadata_path = format!("{dist_info}/METADATA");
    let metadata = listing.text(&metadata_path).map(String::from_utf8_lossy);
    let mut distribution = None;
    match &metadata {
        None => checks.push(Check::fail(
            "METADATA",
            Failure::new(
                None,
                format!("no `{metadata_path}`"),
                "rebuild it with a standard build backend",
            ),
        )),
        Some(text) => {
            let fields = evidence::metadata_fields(text);
            for key in ["Name", "Version"] {
                match evidence::single_field(&fields, key) {
                    Ok((value, line)) if key == "Name" => {
                        distribution = Some(value.to_string());
                        names.push(naming(
                            "METADATA",
                            &format!("`Name` in `{metadata_path}:{line}`"),
                            Some(&metadata_path),
                            value,
                        ));
                    }
                    Ok((value, line)) => evidence.push(Evidence::new(
                        "METADATA",
                        format!("`Version` in `{metadata_path}:{line}`"),
                        Some(&metadata_path),
                        value,
                        Spelling::Pep440,
                    )),
                    Err(message) => checks.push(Check::fail(
                        "METADATA",
                        Failure::new(
                            Some(&metadata_path),
                            format!("`METADATA` {message}"),
                            "rebuild it with a standard build backend",
                        ),
                    )),
                }
            }
        }
    }

    evidence.extend(version_literals(listing));
    checks.extend(evidence::name_checks(&names, evidence::normalize_python, "the file name, the dist-info directory and METADATA must name one project: rebuild the wheel, and do not rename it"));
    checks.extend(evidence::version_checks(&evidence, release, FIXES));
    checks.extend(record_checks(listing, &dist_info));

    report.name = distribution.clone().or_else(|| names.first().map(|n| n.name.clone()));
    if let (Some(distribution), Ok(version)) = (distribution, version::to_pep440(release)) {
        report.install = Some(InstallPlan {
            wheel: report.path.clone(),
            distribution,
            version,
            imports: imports(listing, &dist_info),
            scripts: scripts(listing, &dist_info),
        });
    }
}

fn naming(check: &'static str, place: &str, entry: Option<&str>, name: &str) -> Naming {
    Naming {
        check,
        place: place.to_string(),
        entry: entry.map(str::to_string),
        name: name.to_string(),
    }
}

/// `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` -> (name, version).
fn parse_file_name(file_name: &str) -> Result<(&str, &str), String> {
    let not_a_wheel = || {
        format!(
            "`{file_name}` is not a wheel file name: expected `{{name}}-{{version}}(-{{build}})-{{python}}-{{abi}}-{{platform}}.whl`"
        )
    };
    let stem = file_name.strip_suffix(".whl").ok_or_else(not_a_wheel)?;
    let parts: Vec<&str> = stem.split('-').collect();
    if !(parts.len() == 5 || parts.len() == 6) || parts.iter().any(|p| p.is_empty()) {
        return Err(not_a_wheel());
    }
    if parts[1].parse::<pep440_rs::Version>().is_err() {
        return Err(format!("`{}` in the file name is not a PEP 440 version", parts[1]));
    }
    Ok((parts[0], parts[1]))
}

/// The top-level directories whose name ends with `suffix`, sorted.
fn top_directories(listing: &Listing, suffix: &str) -> Vec<String> {
    let mut dirs: Vec<String> = listing
        .members
        .iter()
        .filter_map(|m| {
            let (first, _) = m.name.split_once('/').unwrap_or((&m.name, ""));
            let is_dir = m.dir || m.name.contains('/');
            (is_dir && first.ends_with(suffix)).then(|| first.to_string())
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// The version literals of the wheel's top-level packages (`pkg/__init__.py`,
/// `pkg/_version.py`...), found by the Python editor's scanner.
fn version_literals(listing: &Listing) -> Vec<Evidence> {
    let mut found = Vec::new();
    for member in &listing.members {
        let Some(text) = &member.text else { continue };
        let Some((dir, file)) = member.name.split_once('/') else { continue };
        if dir.ends_with(".dist-info") || dir.ends_with(".data") || !is_version_module(file) {
            continue;
        }
        // A module with no literal (computed, imported, generated) is not evidence.
        let Ok(sites) = editors::scan_file(FileKind::Python, text) else { continue };
        for site in sites {
            if let Role::Declaration { subject } = &site.role {
                found.push(Evidence::new(
                    "__version__",
                    format!("`{subject}` in `{}:{}`", member.name, site.line),
                    Some(&member.name),
                    site.text.clone(),
                    site.spelling,
                ));
            }
        }
    }
    found
}

/// RECORD against the members: every listed file is there with its sha256 and size, and every
/// member is listed.
fn record_checks(listing: &Listing, dist_info: &str) -> Vec<Check> {
    const SHOWN: usize = 10;
    let record_path = format!("{dist_info}/RECORD");
    let help_tampered = "the wheel was changed after it was built: rebuild it, and never edit a built wheel in place";
    let Some(text) = listing.text(&record_path) else {
        return vec![Check::fail(
            "RECORD",
            Failure::new(
                None,
                format!("no `{record_path}`"),
                "rebuild it with a standard build backend",
            ),
        )];
    };
    let text = String::from_utf8_lossy(text);
    let mut failures: Vec<Failure> = Vec::new();
    let mut listed: HashMap<String, usize> = HashMap::new();
    let files: HashMap<&str, &super::Member> =
        listing.members.iter().filter(|m| !m.dir).map(|m| (m.name.as_str(), m)).collect();
    let exempt = |path: &str| {
        path == record_path
            || path == format!("{record_path}.jws")
            || path == format!("{record_path}.p7s")
    };
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("`RECORD` line {number}");
        let Some(fields) = csv_fields(line) else {
            failures.push(Failure::new(
                Some(&record_path),
                format!("{at} is not a CSV row `path,hash,size`"),
                help_tampered,
            ));
            continue;
        };
        let [path, hash, size] = fields.as_slice() else {
            failures.push(Failure::new(
                Some(&record_path),
                format!("{at} has {} fields, expected `path,hash,size`", fields.len()),
                help_tampered,
            ));
            continue;
        };
        if let Some(first) = listed.insert(path.clone(), number) {
            failures.push(Failure::new(
                Some(path),
                format!("{at} lists `{path}` again (first at line {first})"),
                help_tampered,
            ));
            continue;
        }
        let Some(member) = files.get(path.as_str()) else {
            failures.push(Failure::new(
                Some(path),
                format!("{at} lists `{path}`, which is not in the wheel"),
                help_tampered,
            ));
            continue;
        };
        if exempt(path) && hash.is_empty() {
            continue;
        }
        let Some(digest) = hash.strip_prefix("sha256=") else {
            let message = if hash.is_empty() {
                format!("{at} has no hash for `{path}`")
            } else {
                format!(
                    "{at} hashes `{path}` with `{}`, not sha256",
                    hash.split('=').next().unwrap_or("")
                )
            };
            failures.push(Failure::new(
                Some(path),
                message,
                "rebuild it with a standard build backend (they write sha256)",
            ));
            continue;
        };
        let actual = member.sha256.map(|h| urlsafe_base64(&h)).unwrap_or_default();
        if digest.trim_end_matches('=') != actual {
            failures.push(Failure::new(
                Some(path),
                format!("the file does not match its RECORD hash ({at} says `sha256={digest}`, the file's is `sha256={actual}`)"),
                help_tampered,
            ));
        } else if size.parse::<u64>().ok() != Some(member.size) {
            failures.push(Failure::new(
                Some(path),
                format!("{at} says {size} bytes, the file has {}", member.size),
                help_tampered,
            ));
        }
    }
    for member in listing.members.iter().filter(|m| !m.dir) {
        if !listed.contains_key(&member.name) && !exempt(&member.name) {
            failures.push(Failure::new(
                Some(&member.name),
                "the file is in the wheel but not in RECORD: it was added after the wheel was built",
                help_tampered,
            ));
        }
    }
    if failures.is_empty() {
        return vec![Check::pass(
            "RECORD",
            format!("{} files, every sha256 and size matches", listed.len()),
        )];
    }
    let more = failures.len().saturating_sub(SHOWN);
    let mut checks: Vec<Check> =
        failures.into_iter().take(SHOWN).map(|f| Check::fail("RECORD", f)).collect();
    if more > 0 {
        checks.push(Check::fail(
            "RECORD",
            Failure::new(None, format!("and {more} more RECORD mismatches"), help_tampered),
        ));
    }
    checks
}

/// The fields of one CSV row (RECORD's dialect: `,` separated, `"` quoted, `""` escapes).
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => break,
                    c => field.push(c),
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Some(fields);
                }
                Some(',') => {}
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Some(fields);
                    }
                    Some(',') => break,
                    Some(c) => field.push(c),
                }
            }
        }
        fields.push(field);
    }
}

/// URL-safe base64 without padding, as RECORD writes digests.
fn urlsafe_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The top-level modules: `top_level.txt` when the wheel has one, else the packages (with an
/// `__init__.py`) and modules at the top of the archive.
fn imports(listing: &Listing, dist_info: &str) -> Vec<String> {
    let identifier = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    let mut names: Vec<String> = match listing.text(&format!("{dist_info}/top_level.txt")) {
        Some(text) => String::from_utf8_lossy(text).lines().map(|l| l.trim().to_string()).collect(),
        None => listing
            .members
            .iter()
            .filter(|m| !m.dir)
            .filter_map(|m| match m.name.split_once('/') {
                Some((package, "__init__.py")) => Some(package.to_string()),
                Some(_) => None,
                None => {
                    let (module, extension) = m.name.split_once('.')?;
                    matches!(extension.rsplit('.').next(), Some("py" | "so" | "pyd"))
                        .then(|| module.to_string())
                }
            })
            .collect(),
    };
    names.retain(|n| identifier(n) && !n.ends_with("dist_info"));
    names.sort();
    names.dedup();
    names
}

/// Console scripts: `[console_scripts]` in `entry_points.txt`, and `.data/scripts/` files.
fn scripts(listing: &Listing, dist_info: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    if let Some(text) = listing.text(&format!("{dist_info}/entry_points.txt")) {
        let mut in_section = false;
        for line in String::from_utf8_lossy(text).lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_section = line == "[console_scripts]";
            } else if in_section {
                if let Some((name, _)) = line.split_once('=') {
                    scripts.push(name.trim().to_string());
                }
            }
        }
    }
    let data = format!("{}.data/scripts/", dist_info.trim_end_matches(".dist-info"));
    for member in listing.members.iter().filter(|m| !m.dir) {
        if let Some(script) = member.name.strip_prefix(&data) {
            if !script.contains('/') {
                scripts.push(script.to_string());
            }
        }
    }
    scripts.sort();
    scripts.dedup();
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(parse_file_name("my_pkg-1.0rc1-py3-none-any.whl"), Ok(("my_pkg", "1.0rc1")));
        assert_eq!(parse_file_name("a-1.0-1-cp311-cp311-linux_x86_64.whl"), Ok(("a", "1.0")));
        assert!(parse_file_name("a-1.0-py3-none.whl").is_err());
        assert!(parse_file_name("a-one-py3-none-any.whl").unwrap_err().contains("PEP 440"));
    }

    #[test]
    fn csv() {
        assert_eq!(
            csv_fields("a/b.py,sha256=x,12"),
            Some(vec!["a/b.py".into(), "sha256=x".into(), "12".into()])
        );
        assert_eq!(
            csv_fields("\"a,\"\"b\"\".py\",,"),
            Some(vec!["a,\"b\".py".into(), String::new(), String::new()])
        );
        assert_eq!(csv_fields("\"unterminated"), None);
    }

    #[test]
    fn base64() {
        // `printf '' | sha256sum` as RECORD writes it.
        use sha2::Digest;
        let empty: [u8; 32] = sha2::Sha256::digest(b"").into();
        assert_eq!(urlsafe_base64(&empty), "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
        assert_eq!(urlsafe_base64(b"ab"), "YWI");
    }
}
