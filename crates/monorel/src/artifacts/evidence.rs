//! The versions and names an artifact carries, compared with the release. Pure.
//!
//! Each artifact kind collects its *evidence* (the file name, METADATA, the top directory, a
//! `__version__` literal...) and these functions turn it into checks, with one rule for all
//! kinds: evidence that names the release passes; an artifact whose evidence all agrees on
//! another version is one *stale* artifact (one clear failure, not five); evidence that
//! disagrees within one artifact fails item by item, saying what the other items say.

use super::{Check, Failure};
use crate::version::{Spelling, Version};

/// One place in an artifact that says which version it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    /// The check's name (`METADATA`, `file name`, `__version__`).
    pub(crate) check: &'static str,
    /// Where the version was read, for people: ``the file name``, ``Version in `x/METADATA` ``.
    pub(crate) place: String,
    /// The archive member it was read from, when there is one.
    pub(crate) entry: Option<String>,
    /// The version as written.
    pub(crate) text: String,
    /// How it is spelled.
    pub(crate) spelling: Spelling,
}

impl Evidence {
    pub(crate) fn new(
        check: &'static str,
        place: impl Into<String>,
        entry: Option<&str>,
        text: impl Into<String>,
        spelling: Spelling,
    ) -> Evidence {
        Evidence {
            check,
            place: place.into(),
            entry: entry.map(str::to_string),
            text: text.into(),
            spelling,
        }
    }

    fn matches(&self, version: &Version) -> bool {
        self.spelling.matches(&self.text, version)
    }

    /// A form in which two spellings of one version are equal (`1.0rc1` and `1.0.0rc1`).
    fn canonical(&self) -> String {
        let text = self.text.trim();
        match self.spelling {
            Spelling::Pep440 => match crate::version::from_pep440(text) {
                Ok(semver) => semver.to_string(),
                Err(_) => text.to_string(),
            },
            Spelling::Helm => canonical_semver(text.strip_prefix('v').unwrap_or(text)),
            Spelling::Semver => canonical_semver(text),
            Spelling::ReleaseTuple => crate::version::from_release_tuple(text)
                .map_or_else(|| text.to_string(), |v| v.to_string()),
            Spelling::IntTuple => {
                let numbers: Vec<&str> =
                    text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
                canonical_semver(&numbers.join("."))
            }
        }
    }
}

fn canonical_semver(text: &str) -> String {
    Version::parse(text).map(|v| v.to_string()).unwrap_or_else(|_| text.to_string())
}

/// How to fix an artifact's versions, by kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixes {
    /// For an artifact of another version: remove it, say from where.
    pub(crate) stale: &'static str,
    /// For an artifact whose places disagree: how to rebuild it.
    pub(crate) rebuild: &'static str,
}

/// The version a stale artifact carries, from the failure [`version_checks`] made for it.
pub(crate) fn stale_version(check: &Check) -> Option<&str> {
    let super::Outcome::Fail(failure) = &check.outcome else { return None };
    if check.check != super::release::STALE {
        return None;
    }
    let rest = failure.message.strip_prefix(STALE_PREFIX)?;
    rest.split_once('`').map(|(version, _)| version)
}

/// How a stale artifact's failure starts, the version it carries following.
const STALE_PREFIX: &str = "a stale artifact: it carries `";

/// The checks for an artifact's version evidence (see the module docs).
pub(crate) fn version_checks(evidence: &[Evidence], release: &Version, fixes: Fixes) -> Vec<Check> {
    let Some(first) = evidence.first() else { return Vec::new() };
    let agree = evidence.iter().all(|e| e.canonical() == first.canonical());
    if agree && !first.matches(release) {
        let places: Vec<&str> = evidence.iter().map(|e| e.place.as_str()).collect();
        return vec![Check::fail(
            super::release::STALE,
            Failure::new(
                None,
                format!(
                    "{STALE_PREFIX}{}` ({}), the release is `{release}`",
                    first.text,
                    places.join(", ")
                ),
                fixes.stale,
            ),
        )];
    }
    evidence
        .iter()
        .map(|e| {
            if e.matches(release) {
                return Check::pass(e.check, format!("{} is `{}`", e.place, e.text));
            }
            let others: Vec<String> = evidence
                .iter()
                .filter(|o| o.canonical() != e.canonical())
                .map(|o| format!("{} has `{}`", o.place, o.text))
                .collect();
            let expected = match e.spelling {
                Spelling::Pep440 => match crate::version::to_pep440(release) {
                    Ok(p) if p != release.to_string() => format!("`{p}` (the release `{release}`)"),
                    Ok(_) => format!("`{release}`"),
                    Err(why) => format!("`{release}`, which has no PEP 440 form: {}", why.message),
                },
                _ => format!("`{release}`"),
            };
            Check::fail(
                e.check,
                Failure::new(
                    e.entry.as_deref(),
                    format!(
                        "{} has `{}`, expected {expected}{}",
                        e.place,
                        e.text,
                        if others.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", others.join(", "))
                        }
                    ),
                    fixes.rebuild,
                ),
            )
        })
        .collect()
}

/// One place that names the project, with the normalisation its ecosystem compares names in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Naming {
    pub(crate) check: &'static str,
    pub(crate) place: String,
    pub(crate) entry: Option<String>,
    pub(crate) name: String,
}

impl Naming {
    pub(crate) fn new(
        check: &'static str,
        place: impl Into<String>,
        entry: Option<&str>,
        name: impl Into<String>,
    ) -> Naming {
        Naming { check, place: place.into(), entry: entry.map(str::to_string), name: name.into() }
    }
}

/// What the places of one artifact say: the names and versions found, in the artifact's
/// spelling, for [`name_checks`] and [`version_checks`] at the end.
pub(crate) struct Found {
    pub(crate) names: Vec<Naming>,
    pub(crate) evidence: Vec<Evidence>,
    /// Whether a text is a version in this kind of artifact.
    parses: fn(&str) -> bool,
    spelling: Spelling,
}

impl Found {
    pub(crate) fn new(parses: fn(&str) -> bool, spelling: Spelling) -> Found {
        Found { names: Vec::new(), evidence: Vec::new(), parses, spelling }
    }

    /// Reads `text` (a file name's stem, a top directory) as `{name}-{version}`, found at
    /// `place`. When it has not that shape, a failed `check`: "`subject` is not `form`", with
    /// `help`.
    pub(crate) fn name_and_version(
        &mut self,
        check: &'static str,
        place: &str,
        text: &str,
        (subject, form): (&str, &str),
        help: &str,
    ) -> Option<Check> {
        let Some((name, version)) = super::split_name_version(text, self.parses) else {
            let message = format!("{subject} is not `{form}`");
            return Some(Check::fail(check, Failure::new(None, message, help)));
        };
        self.names.push(Naming::new(check, place, None, name));
        self.evidence.push(Evidence::new(check, place, None, version, self.spelling));
        None
    }
}

/// The checks that every place names the same project; `normalize` is the ecosystem's rule.
pub(crate) fn name_checks(
    names: &[Naming],
    normalize: fn(&str) -> String,
    help: &str,
) -> Vec<Check> {
    let Some(first) = names.first() else { return Vec::new() };
    let checks: Vec<Check> = names
        .iter()
        .skip(1)
        .filter(|n| normalize(&n.name) != normalize(&first.name))
        .map(|n| {
            Check::fail(
                n.check,
                Failure::new(
                    n.entry.as_deref(),
                    format!(
                        "{} names `{}`, {} names `{}`",
                        n.place, n.name, first.place, first.name
                    ),
                    help,
                ),
            )
        })
        .collect();
    if !checks.is_empty() {
        return checks;
    }
    let places: Vec<&str> = names.iter().map(|n| n.place.as_str()).collect();
    vec![Check::pass("name", format!("`{}` in {}", first.name, places.join(", ")))]
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_` and `.` become one `-`.
pub(crate) fn normalize_python(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
        } else {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Names compared exactly (crates, charts).
pub(crate) fn exact(name: &str) -> String {
    name.to_string()
}

/// Reads the header fields of a core metadata file (`METADATA`, `PKG-INFO`): `Key: value`
/// lines up to the first blank line, with continuation lines folded in. Returns each field
/// with its 1-based line.
pub(crate) fn metadata_fields(text: &str) -> Vec<(String, String, usize)> {
    let mut fields: Vec<(String, String, usize)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim().to_string(), value.trim().to_string(), index + 1));
        }
    }
    fields
}

/// The one value of `key` in metadata `fields`: an error message when it is missing or
/// repeated.
pub(crate) fn single_field<'a>(
    fields: &'a [(String, String, usize)],
    key: &str,
) -> Result<(&'a str, usize), String> {
    let found: Vec<&(String, String, usize)> =
        fields.iter().filter(|(k, _, _)| k.eq_ignore_ascii_case(key)).collect();
    match found.as_slice() {
        [(_, value, line)] if !value.is_empty() => Ok((value, *line)),
        [] | [_] => Err(format!("has no `{key}` field")),
        [_, second, ..] => Err(format!("has `{key}` twice (again at line {})", second.2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_reads_name_and_version_or_says_what_the_name_should_be() {
        let mut found = Found::new(|t| Version::parse(t).is_ok(), Spelling::Semver);
        let form = ("`acme_web-1.2.0.crate`", "{name}-{version}.crate");
        let read =
            found.name_and_version("file name", "the file name", "acme_web-1.2.0", form, "h");
        assert!(read.is_none());
        assert_eq!(found.names[0].name, "acme_web");
        assert_eq!(found.evidence.len(), 1);
        let form = ("`acme.crate`", "{name}-{version}.crate");
        let fail = found.name_and_version("file name", "the file name", "acme", form, "keep it");
        assert_eq!(
            fail.map(|c| c.to_string()).as_deref(),
            Some("FAIL file name: `acme.crate` is not `{name}-{version}.crate` (help: keep it)")
        );
        assert_eq!((found.names.len(), found.evidence.len()), (1, 1));
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn show(checks: &[Check]) -> String {
        checks.iter().map(|c| format!("{c}\n")).collect()
    }

    const FIXES: Fixes = Fixes { stale: "remove it", rebuild: "rebuild it" };

    #[test]
    fn versions() {
        let e = |check, text: &str| Evidence::new(check, check, None, text, Spelling::Pep440);
        let all_good = [e("file name", "1.2.0rc1"), e("METADATA", "1.2.0-rc.1")];
        expect_test::expect![[r#"
            ok file name: file name is `1.2.0rc1`
            ok METADATA: METADATA is `1.2.0-rc.1`
        "#]]
        .assert_eq(&show(&version_checks(&all_good, &v("1.2.0-rc.1"), FIXES)));
        let stale = [e("file name", "0.9.0"), e("METADATA", "0.9")];
        expect_test::expect![[r#"
            FAIL version: a stale artifact: it carries `0.9.0` (file name, METADATA), the release is `1.0.0` (help: remove it)
        "#]]
        .assert_eq(&show(&version_checks(&stale, &v("1.0.0"), FIXES)));
        let mixed = [e("file name", "1.0.0"), e("METADATA", "0.9.0")];
        expect_test::expect![[r#"
            ok file name: file name is `1.0.0`
            FAIL METADATA: METADATA has `0.9.0`, expected `1.0.0` (file name has `1.0.0`) (help: rebuild it)
        "#]]
        .assert_eq(&show(&version_checks(&mixed, &v("1.0.0"), FIXES)));
        let pre = [e("METADATA", "1.0.0rc2"), e("file name", "1.0.0rc1")];
        expect_test::expect![[r#"
            FAIL METADATA: METADATA has `1.0.0rc2`, expected `1.0.0rc1` (the release `1.0.0-rc.1`) (file name has `1.0.0rc1`) (help: rebuild it)
            ok file name: file name is `1.0.0rc1`
        "#]]
        .assert_eq(&show(&version_checks(&pre, &v("1.0.0-rc.1"), FIXES)));
    }

    #[test]
    fn names() {
        assert_eq!(normalize_python("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize_python("monorel"), "monorel");
        let n = |check, name: &str| Naming {
            check,
            place: check.to_string(),
            entry: None,
            name: name.into(),
        };
        let names = [n("file name", "my_pkg"), n("METADATA", "My.Pkg"), n("dist-info", "other")];
        expect_test::expect![[r#"
            FAIL dist-info: dist-info names `other`, file name names `my_pkg` (help: fix)
        "#]]
        .assert_eq(&show(&name_checks(&names, normalize_python, "fix")));
    }

    #[test]
    fn metadata() {
        let text =
            "Metadata-Version: 2.1\nName: pkg\nSummary: a\n  b\nVersion: 1.0\n\nName: body\n";
        let fields = metadata_fields(text);
        assert_eq!(single_field(&fields, "name"), Ok(("pkg", 2)));
        assert_eq!(single_field(&fields, "Summary"), Ok(("a\nb", 3)));
        assert_eq!(single_field(&fields, "Version"), Ok(("1.0", 5)));
        assert_eq!(single_field(&fields, "License"), Err("has no `License` field".into()));
        let twice = metadata_fields("Version: 1\nVersion: 2\n");
        assert_eq!(
            single_field(&twice, "Version"),
            Err("has `Version` twice (again at line 2)".into())
        );
    }
}
