//! `SHA256SUMS` and `*.sha256` files: reading, verifying, and the text `--write-checksums`
//! writes. Everything but [`read_text`] and [`plan_sums`] is pure.
//!
//! The format is `sha256sum`'s: a line per file, 64 hex digits, a space, a space or `*`
//! (binary mode), the name relative to the checksum file's directory. A `NAME.sha256` file holds
//! the digest of `NAME`, alone or followed by the name.

use std::{
    collections::BTreeMap,
    fs, io,
    path::{Path, PathBuf},
};

use super::{ArtifactReport, Check, Failure, Kind, archive};

/// The name of the checksum list `--write-checksums` writes.
pub const SUMS: &str = "SHA256SUMS";

/// One well-formed line of a checksum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub line: usize,
    /// The digest.
    pub sha256: [u8; 32],
    /// The file it is for, relative to the checksum file's directory.
    pub name: String,
}

/// Parses a checksum file; malformed lines come back as `(line, message)`.
pub fn parse(text: &str) -> (Vec<Line>, Vec<(usize, String)>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        // sha256sum escapes names holding `\` or a newline and marks the line with a leading `\`.
        let (escaped, body) = match raw.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let digest = body.get(..64).and_then(parse_hex);
        let rest = body.get(64..).unwrap_or("");
        let name = rest.strip_prefix("  ").or_else(|| rest.strip_prefix(" *"));
        match (digest, name) {
            (Some(sha256), Some(name)) if !name.is_empty() => {
                let name = if escaped { unescape(name) } else { name.to_string() };
                lines.push(Line { line: number, sha256, name });
            }
            _ => errors.push((
                number,
                "not a `sha256sum` line: expected 64 hex digits, two spaces (or ` *`) and a file name".to_string(),
            )),
        }
    }
    (lines, errors)
}

/// The `SHA256SUMS` text for `files` (name, digest): sorted by name, `sha256sum` format.
pub fn sums_text(files: &[(String, [u8; 32])]) -> String {
    let sorted: BTreeMap<&str, &[u8; 32]> = files.iter().map(|(n, h)| (n.as_str(), h)).collect();
    sorted.into_iter().map(|(name, hash)| format!("{}  {name}\n", hex(hash))).collect()
}

/// Hashes the artifacts in `dir` (not its checksum files) and returns the `SHA256SUMS` text
/// for them. Reads; writes nothing.
pub fn plan_sums(dir: &Path) -> io::Result<String> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
        let is_artifact = Kind::from_file_name(&name).is_some_and(|k| k != Kind::Checksums);
        if is_artifact && entry.file_type()?.is_file() {
            files.push((name, archive::sha256_file(&entry.path())?));
        }
    }
    Ok(sums_text(&files))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

fn unescape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Reads a checksum file (at most `limit` bytes). Load phase.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    use io::Read;
    let file = fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes: not a checksum file"));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// A digest a checksum file gives: the file it is for, the digest, the line.
type Listed = (PathBuf, [u8; 32], usize);

/// What one checksum file says, and its malformed lines (line, message).
fn entries(path: &Path, text: &str) -> (Vec<Listed>, Vec<(usize, String)>) {
    let dir = path.parent().unwrap_or(Path::new(""));
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(target) = file_name.strip_suffix(".sha256") {
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
        let digest = first.get(..64).and_then(parse_hex);
        let rest = first.get(64..).unwrap_or("").trim_start_matches([' ', '*']);
        return match digest {
            Some(d) if rest.is_empty() || rest == target => {
                (vec![(dir.join(target), d, 1)], Vec::new())
            }
            Some(_) => (
                Vec::new(),
                vec![(1, format!("names `{rest}`, but the file is the checksum of `{target}`"))],
            ),
            None => (Vec::new(), vec![(1, "expected 64 hex digits".to_string())]),
        };
    }
    let (lines, errors) = parse(text);
    (lines.into_iter().map(|l| (dir.join(&l.name), l.sha256, l.line)).collect(), errors)
}

/// The files the checksum files cover (whose whole-file digest the load phase must compute).
pub(crate) fn covered(files: &[(super::Found, Result<String, String>)]) -> Vec<PathBuf> {
    files
        .iter()
        .filter_map(|(f, text)| Some(entries(&f.path, text.as_ref().ok()?).0))
        .flatten()
        .map(|(path, _, _)| path)
        .collect()
}

/// The outcome of verifying the checksum files.
#[derive(Debug, Default)]
pub(crate) struct Sums {
    /// A `checksum` check for an artifact.
    pub(crate) per_artifact: Vec<(PathBuf, Check)>,
    /// One report per checksum file (its own well-formedness, and the files it lists that are
    /// not there).
    pub(crate) files: Vec<ArtifactReport>,
}

/// Verifies every checksum file against the artifacts' digests (`None` when not computed).
pub(crate) fn check(
    files: &[(super::Found, Result<String, String>)],
    artifacts: &[(&Path, Option<[u8; 32]>)],
) -> Sums {
    let mut sums = Sums::default();
    for (found, text) in files {
        let shown = found.path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let mut report = ArtifactReport {
            path: found.path.clone(),
            kind: Kind::Checksums,
            name: None,
            checks: Vec::new(),
            install: None,
        };
        let text = match text {
            Ok(text) => text,
            Err(message) => {
                report.checks.push(Check::fail(
                    "checksum",
                    Failure::new(
                        None,
                        message.clone(),
                        "rewrite it: `monorel verify-artifacts --write-checksums`",
                    ),
                ));
                sums.files.push(report);
                continue;
            }
        };
        let (listed, errors) = entries(&found.path, text);
        for (line, message) in errors {
            report.checks.push(Check::fail(
                "checksum",
                Failure::new(
                    None,
                    format!("`{shown}` line {line}: {message}"),
                    "rewrite it: `monorel verify-artifacts --write-checksums`",
                ),
            ));
        }
        for (target, digest, line) in &listed {
            let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match artifacts.iter().find(|(p, _)| p == target) {
                None => report.checks.push(Check::fail(
                    "checksum",
                    Failure::new(
                        None,
                        format!("`{shown}` line {line} lists `{name}`, which is not an artifact here"),
                        "rewrite the checksums after the build (`--write-checksums`), or restore the file",
                    ),
                )),
                Some((_, None)) => {}
                Some((path, Some(actual))) if actual == digest => sums.per_artifact.push((
                    path.to_path_buf(),
                    Check::pass("checksum", format!("sha256 matches `{shown}` line {line}")),
                )),
                Some((path, Some(actual))) => sums.per_artifact.push((
                    path.to_path_buf(),
                    Check::fail(
                        "checksum",
                        Failure::new(
                            None,
                            format!(
                                "`{shown}` line {line} says sha256 `{}`, the file's is `{}`",
                                hex(digest),
                                hex(actual)
                            ),
                            "the file changed after its checksum was written, or the checksum is wrong: rebuild, then `--write-checksums`",
                        ),
                    ),
                )),
            }
        }
        if shown == SUMS {
            let dir = found.path.parent().unwrap_or(Path::new(""));
            for (path, _) in artifacts.iter().filter(|(p, _)| p.parent() == Some(dir)) {
                if !listed.iter().any(|(t, _, _)| t == path) {
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    sums.per_artifact.push((
                        path.to_path_buf(),
                        Check::fail(
                            "checksum",
                            Failure::new(
                                None,
                                format!("not listed in `{SUMS}` beside it (`{name}` was built after it was written?)"),
                                "rewrite the checksums after the build: `--write-checksums`",
                            ),
                        ),
                    ));
                }
            }
        }
        if report.checks.is_empty() {
            report
                .checks
                .push(Check::pass("checksum", format!("{} well-formed lines", listed.len())));
        }
        sums.files.push(report);
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256sum_format() {
        let d = "a".repeat(64);
        let text = format!("{d}  b.whl\n{d} *a.tgz\nnonsense\n\\{d}  odd\\\\name\n\n");
        let (lines, errors) = parse(&text);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["b.whl", "a.tgz", "odd\\name"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 3);
        let written = sums_text(&[("b.whl".into(), [0xab; 32]), ("a.tgz".into(), [1; 32])]);
        assert_eq!(written, format!("{}  a.tgz\n{}  b.whl\n", "01".repeat(32), "ab".repeat(32)));
        let (again, _) = parse(&written);
        assert_eq!(again[1].sha256, [0xab; 32]);
    }
}
