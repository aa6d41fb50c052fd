//! `setup.cfg` (kind `setup-cfg`): setuptools' declarative `[metadata] version`.
//!
//! A line scanner that reads the file the way `configparser` does, keeping byte offsets:
//! `[section]` headers, `key = value` and `key: value` (any spacing, first delimiter wins), keys
//! compared case-insensitively, full-line `#` and `;` comments, and indented continuation lines
//! that belong to the option above. CRLF is read as a line break and never enters a range.
//!
//! The only site is `[metadata] version`. Its value is a literal version, or a setuptools
//! directive that makes it dynamic: `attr: pkg.__version__` (the version lives in that module)
//! or `file: VERSION.txt`; those are refused, naming the file that holds the version.

use std::ops::Range;

use super::{Reason, Refusal, Role, Site, line_at};
use crate::version::Spelling;

/// The subject of the one site this kind has.
const SUBJECT: &str = "[metadata] version";

/// Finds `[metadata] version` in a `setup.cfg` (`text` has no BOM).
pub fn scan(text: &str) -> Result<Vec<Site>, Refusal> {
    let options = parse(text);
    let versions: Vec<&Entry> =
        options.iter().filter(|o| o.section == "metadata" && o.key == "version").collect();
    let version = match versions.as_slice() {
        [] => return Err(no_version(text, &options)),
        [one] => *one,
        [first, second, ..] => {
            return Err(Refusal::new(
                Reason::Parse,
                format!(
                    "`{SUBJECT}` is set twice (lines {} and {}); configparser rejects a repeated option",
                    first.line, second.line
                ),
            )
            .at_line(second.line)
            .help("keep one `version` in `[metadata]`"));
        }
    };
    let pieces: Vec<&Range<usize>> = version.pieces.iter().filter(|p| !p.is_empty()).collect();
    let range = match pieces.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(Refusal::new(Reason::NoVersion, format!("`{SUBJECT}` is empty"))
                .at_line(version.line)
                .help("write the version after `version =`, e.g. `version = 1.2.3`"));
        }
        [_, second, ..] => {
            return Err(Refusal::new(
                Reason::Parse,
                format!("`{SUBJECT}` spans several lines; a version is one word"),
            )
            .at_line(line_at(text, second.start))
            .help("write the version on the `version =` line"));
        }
    };
    let value = &text[range.clone()];
    let line = line_at(text, range.start);
    if let Some(path) = value.strip_prefix("attr:") {
        return Err(attr_directive(path.trim(), line, &options, text));
    }
    if let Some(files) = value.strip_prefix("file:") {
        let files: Vec<String> =
            files.split(',').map(|f| format!("`{}`", f.trim())).filter(|f| f != "``").collect();
        let files = files.join(", ");
        return Err(Refusal::new(
            Reason::Dynamic,
            format!("`{SUBJECT}` is read from {files} (setuptools `file:`, line {line})"),
        )
        .at_line(line)
        .help(format!("bump {files} instead: setuptools reads the version from there")));
    }
    let token_len = value.find(char::is_whitespace).unwrap_or(value.len());
    let rest = value[token_len..].trim_start();
    if !rest.is_empty() && !rest.starts_with(['#', ';']) {
        return Err(Refusal::new(
            Reason::Parse,
            format!("`{SUBJECT}` is `{value}` (line {line}), which is not one version"),
        )
        .at_line(line)
        .help("write a single PEP 440 version, e.g. `version = 1.2.3`"));
    }
    let range = range.start..range.start + token_len;
    Ok(vec![Site {
        line,
        text: text[range.clone()].to_string(),
        range,
        role: Role::Declaration { subject: SUBJECT.to_string() },
        spelling: Spelling::Pep440,
    }])
}

/// One option: its section, lowercased key, line, and the ranges of its value: the part on the
/// key's line and then each continuation line, trimmed (a piece may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    section: String,
    key: String,
    line: usize,
    pieces: Vec<Range<usize>>,
}

/// Reads every option of the file with configparser's rules. Lines configparser would reject
/// (an option before any section, a line without a delimiter) are skipped.
fn parse(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut section: Option<String> = None;
    let mut current: Option<usize> = None;
    let mut indent_level = 0;
    let mut start = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let line_start = start;
        start += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let value = line.trim();
        if value.is_empty() || value.starts_with(['#', ';']) {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let value_start = line_start + indent;
        let value_range = value_start..value_start + value.len();
        if let Some(i) = current.filter(|_| indent > indent_level) {
            entries[i].pieces.push(value_range);
            continue;
        }
        indent_level = indent;
        if let (Some(rest), Some(close)) = (value.strip_prefix('['), value.rfind(']')) {
            if close > 1 {
                section = Some(rest[..close - 1].to_string());
                current = None;
                continue;
            }
        }
        current = None;
        let (Some(section), Some(delim)) = (&section, value.find(['=', ':'])) else { continue };
        let key = value[..delim].trim_end();
        let after = &value[delim + 1..];
        let value_offset = value_range.start + delim + 1 + (after.len() - after.trim_start().len());
        let piece = value_offset..value_offset + after.trim().len();
        entries.push(Entry {
            section: section.clone(),
            key: key.to_lowercase(),
            line: n + 1,
            pieces: vec![piece],
        });
        current = Some(entries.len() - 1);
    }
    entries
}

/// The refusal for `version = attr: pkg.module.NAME`, naming the file that holds `NAME`.
fn attr_directive(path: &str, line: usize, options: &[Entry], text: &str) -> Refusal {
    let (module, attr) = path.rsplit_once('.').unwrap_or(("", path));
    let files = if module.is_empty() {
        "the package's `__init__.py`".to_string()
    } else {
        let dir = package_dir(options, text, module);
        if module.contains('.') {
            format!("`{dir}.py` or `{dir}/__init__.py`")
        } else {
            format!("`{dir}/__init__.py` or `{dir}.py`")
        }
    };
    Refusal::new(
        Reason::Dynamic,
        format!(
            "`{SUBJECT}` is read from `{path}` (setuptools `attr:`, line {line}); the version lives in {files} (`{attr}`)"
        ),
    )
    .at_line(line)
    .help(format!("bump {files} instead: setuptools reads the version from there, so this file needs no change"))
}

/// The path of `module` (dotted) under `[options] package_dir` (`=src`, `pkg = lib/pkg`).
fn package_dir(options: &[Entry], text: &str, module: &str) -> String {
    let path = module.replace('.', "/");
    let Some(entry) = options.iter().find(|o| o.section == "options" && o.key == "package_dir")
    else {
        return path;
    };
    let mut root = None;
    let first = module.split('.').next().unwrap_or_default();
    for piece in &entry.pieces {
        let Some((name, dir)) = text[piece.clone()].split_once('=') else { continue };
        let (name, dir) = (name.trim(), dir.trim().trim_end_matches('/'));
        if name == first {
            return format!("{dir}{}", &path[first.len()..]);
        }
        if name.is_empty() && !dir.is_empty() {
            root = Some(dir);
        }
    }
    match root {
        Some(root) => format!("{root}/{path}"),
        None => path,
    }
}

/// The refusal for a file without `[metadata] version`.
fn no_version(text: &str, options: &[Entry]) -> Refusal {
    let has_metadata = options.iter().any(|o| o.section == "metadata")
        || text.lines().any(|l| l.trim() == "[metadata]");
    let message = if has_metadata {
        "`[metadata]` has no `version`, so this file declares no version".to_string()
    } else {
        "there is no `[metadata]` section, so this file declares no version".to_string()
    };
    Refusal::new(Reason::NoVersion, message).help(
        "the version is probably declared in `setup.py` (`setup(version=...)`) or `pyproject.toml` (`[project] version`): bump that file",
    )
}

#[cfg(test)]
mod tests {
    use semver::Version;

    use crate::editors::{FileKind, plan_file};

    /// Plans `old -> new` on `input` and compares with `expected`: the whole output file for an
    /// edit, or `refuse <Reason>: <part of the message>` for a refusal.
    fn check(input: &str, old: &str, new: &str, expected: &str) {
        let (old, new) = (Version::parse(old).unwrap(), Version::parse(new).unwrap());
        let planned = plan_file(FileKind::SetupCfg, input.as_bytes(), &old, &new);
        match (planned, expected.strip_prefix("refuse ")) {
            (Ok(edit), None) => {
                assert_eq!(String::from_utf8(edit.after).unwrap(), expected, "{input}")
            }
            (Err(e), Some(want)) => {
                let (reason, part) = want.split_once(": ").unwrap_or((want, ""));
                let got = format!("{:?}: {} (help: {:?})", e.reason, e.message, e.help);
                assert_eq!(format!("{:?}", e.reason), reason, "{got}\n{input}");
                assert!(got.contains(part), "`{part}` not in {got}\n{input}");
                assert!(e.help.is_some(), "no help in {got}");
            }
            (Ok(edit), Some(_)) => {
                panic!("expected a refusal, got\n{}", String::from_utf8_lossy(&edit.after))
            }
            (Err(e), None) => {
                panic!("expected an edit, got {:?}: {}\n{input}", e.reason, e.message)
            }
        }
    }

    #[test]
    fn edits() {
        let crlf = "[metadata]\r\nname=tightpkg\r\nversion=1.0.0\r\n\r\n[options.extras_require]\r\ntest =\r\n    pytest>=1.0.0\r\n";
        check(crlf, "1.0.0", "1.0.1", &crlf.replacen("version=1.0.0", "version=1.0.1", 1));
        for (line, edited) in [
            ("version = 1.0.0", "version = 2.0.0"),
            ("version: 1.0.0", "version: 2.0.0"),
            ("version\t=\t1.0.0\t", "version\t=\t2.0.0\t"),
            ("Version=1.0.0", "Version=2.0.0"),
            ("VERSION =1.0.0 # bumped by hand", "VERSION =2.0.0 # bumped by hand"),
            ("version = 1.0.0 ; x", "version = 2.0.0 ; x"),
            ("version = 1.0", "version = 2.0"),
            ("version =\n    1.0.0", "version =\n    2.0.0"),
        ] {
            let input = format!(
                "  [metadata]  \nname = x\n{line}\n[bumpversion]\ncurrent_version = 1.0.0\n"
            );
            check(&input, "1.0.0", "2.0.0", &input.replacen(line, edited, 1));
        }
        // Comments, continuation lines and other sections that look like the version stay.
        let input = "[metadata]\n# version = 1.0.0\n; version = 1.0.0\ndescription = a tool\n    version = 1.0.0\nversion = 1.0.0rc1\n[options]\ninstall_requires =\n    a==1.0.0\n[version]\nversion = 1.0.0";
        let expected = input.replacen("version = 1.0.0rc1", "version = 1.0.0", 1);
        check(input, "1.0.0-rc.1", "1.0.0", &expected);
        check(
            "\u{feff}[metadata]\nversion = 0.1.0",
            "0.1.0",
            "0.2.0-beta.1",
            "\u{feff}[metadata]\nversion = 0.2.0b1",
        );
    }

    #[test]
    fn refusals() {
        let attr = "[metadata]\nname = cfgattr\nversion = attr: cfgattr.__version__\n";
        check(attr, "2.0.0", "2.1.0", "refuse Dynamic: the version lives in `cfgattr/__init__.py`");
        check(attr, "2.0.0", "2.1.0", "refuse Dynamic: (`__version__`)");
        let src = "[metadata]\nversion = attr: a.b.VERSION\n[options]\npackage_dir =\n    =src\n";
        check(
            src,
            "1.0.0",
            "1.1.0",
            "refuse Dynamic: `src/a/b.py` or `src/a/b/__init__.py` (`VERSION`)",
        );
        let mapped =
            "[metadata]\nversion = attr: a.VERSION\n[options]\npackage_dir =\n    a = lib/a\n";
        check(mapped, "1.0.0", "1.1.0", "refuse Dynamic: `lib/a/__init__.py`");
        check(
            "[metadata]\nversion = file: VERSION.txt\n",
            "1.0.0",
            "1.1.0",
            "refuse Dynamic: `VERSION.txt` (setuptools `file:`, line 2)",
        );
        check(
            "[metadata]\nname = x\n[options]\nversion = 1.0.0\n",
            "1.0.0",
            "1.1.0",
            "refuse NoVersion: `[metadata]` has no `version`",
        );
        check(
            "[options]\nzip_safe = False\n",
            "1.0.0",
            "1.1.0",
            "refuse NoVersion: no `[metadata]` section",
        );
        check("[metadata]\nname = x\n", "1.0.0", "1.1.0", "refuse NoVersion: `setup.py`");
        check(
            "[metadata]\nversion = 1.0.0\n[metadata]\nversion = 1.0.0\n",
            "1.0.0",
            "1.1.0",
            "refuse Parse: lines 2 and 4",
        );
        check("[metadata]\nversion =\n", "1.0.0", "1.1.0", "refuse NoVersion: is empty");
        check(
            "[metadata]\nversion = 1.0 beta\n",
            "1.0.0",
            "1.1.0",
            "refuse Parse: not one version",
        );
        check("[metadata]\nversion = 1.0.1\n", "1.0.0", "1.1.0", "refuse Mismatch: `1.0.1`");
        check("[metadata]\nversion = 1.0.0\n", "1.0.0", "1.1.0-SNAPSHOT", "refuse InvalidNew: ");
    }
}
