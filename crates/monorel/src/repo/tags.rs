//! Tag styles, read from the tags a repository has: `v1.2.3`, `1.2.3`, `name-v1.2.3`,
//! `name-1.2.3`, `name/1.2.3`, `name@1.2.3`, `rs-0.55.2`, `argo-cd-10.1.1`.
//!
//! A tag is a prefix and a version (SemVer or PEP 440). A group's style is the prefix of its
//! own tags: those whose prefix names one of its packages, else those at its current version,
//! else, for the repository's main group, the prefix the repository tags plain releases with.

use std::collections::BTreeMap;

use crate::version::{self, Version};

/// The prefixes of a repository's tags, each with the versions tagged with it.
#[derive(Debug, Default)]
pub(super) struct Tags {
    by_prefix: BTreeMap<String, Vec<Version>>,
}

/// A group's tag format and the tag it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Style {
    /// The format, with `{version}`.
    pub(super) format: String,
    /// A tag of that style, when one exists.
    pub(super) example: Option<String>,
    /// What comes before the version.
    pub(super) prefix: String,
}

impl Tags {
    /// Reads the names of every tag.
    pub(super) fn new(names: &[String]) -> Tags {
        let mut tags = Tags::default();
        for name in names {
            if let Some((prefix, version)) = split(name) {
                tags.by_prefix.entry(prefix.to_string()).or_default().push(version);
            }
        }
        tags
    }

    /// Whether a prefix names the package `name`: `name-`, `name-v`, `name/`, `name@v`, ...
    fn names(prefix: &str, name: &str) -> bool {
        let Some(rest) = prefix.strip_prefix(name) else { return false };
        matches!(rest, "-" | "-v" | "/" | "/v" | "@" | "@v" | "_" | "_v" | "-V" | "/V")
    }

    /// Whether the package `name` has tags of its own (`name-1.2.3`, `name/v1.2.3`, ...): it is
    /// released on its own.
    pub(super) fn tagged_apart(&self, name: &str) -> bool {
        self.by_prefix.keys().any(|p| Tags::names(p, name))
    }

    /// The style of a group with `names` (its main package first) at `version`; `main` for the repository's main group
    /// (the one at the root, or the only one), which may use plain tags (`v1.2.3`, `1.2.3`).
    /// `others` are the names of every other package, whose tags are not this group's;
    /// `claimed`, the prefixes other groups at higher versions took already.
    pub(super) fn style(
        &self,
        names: &[&str],
        version: Option<&Version>,
        main: bool,
        others: &[&str],
        claimed: &[String],
    ) -> Option<Style> {
        let style = |prefix: &str| {
            let versions = &self.by_prefix[prefix];
            let example = versions.iter().max().map(|v| format!("{prefix}{v}"));
            Some(Style { format: format!("{prefix}{{version}}"), example, prefix: prefix.into() })
        };
        let most_used = |keep: &dyn Fn(&str) -> bool| {
            self.by_prefix
                .iter()
                .filter(|(p, _)| keep(p))
                .max_by_key(|(p, versions)| (versions.len(), p.as_str() == "v"))
                .map(|(p, _)| p.clone())
        };
        let primary = names.first().copied().unwrap_or_default();
        if let Some(prefix) = most_used(&|p| Tags::names(p, primary)) {
            return style(&prefix);
        }
        let foreign = |p: &str| others.iter().any(|n| Tags::names(p, n));
        if let Some(version) = version {
            // Plain tags (`v1.2.3`) are the main group's: another group at the same number
            // is no release of theirs.
            let plain = |p: &str| matches!(p, "" | "v" | "V");
            let at_version = |p: &str| {
                !foreign(p)
                    && (main || !plain(p))
                    && !claimed.iter().any(|c| c == p)
                    && self.by_prefix[p].contains(version)
            };
            if let Some(prefix) = most_used(&at_version) {
                return style(&prefix);
            }
        }
        if main {
            if let Some(prefix) = most_used(&|p| matches!(p, "" | "v" | "V")) {
                return style(&prefix);
            }
        }
        most_used(&|p| names.iter().any(|n| Tags::names(p, n))).and_then(|p| style(&p))
    }
}

/// A tag's prefix and version: `argo-cd-10.1.1` is `argo-cd-` and 10.1.1, `v0.23.1rc0` is `v`
/// and 0.23.1-rc.0. The version starts at a digit that follows no letter or digit (or a `v`
/// that does), and runs to the end of the tag.
pub(super) fn split(tag: &str) -> Option<(&str, Version)> {
    let bytes = tag.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_digit() {
            continue;
        }
        let before = |k: usize| k.checked_sub(1).map(|k| bytes[k]);
        let starts = match before(i) {
            None => true,
            Some(c) if !c.is_ascii_alphanumeric() => true,
            Some(b'v' | b'V') => before(i - 1).is_none_or(|c| !c.is_ascii_alphanumeric()),
            _ => false,
        };
        if !starts {
            continue;
        }
        let rest = &tag[i..];
        let version = Version::parse(rest).ok().or_else(|| version::from_pep440(rest).ok());
        if let Some(version) = version {
            return Some((&tag[..i], version));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Tags, split};
    use crate::version::Version;

    #[test]
    fn tags_split_into_prefix_and_version() {
        let check = |tag: &str, expected: Option<(&str, &str)>| {
            let got = split(tag).map(|(p, v)| (p.to_string(), v.to_string()));
            let expected = expected.map(|(p, v)| (p.to_string(), v.to_string()));
            assert_eq!(got, expected, "{tag}");
        };
        check("v1.2.3", Some(("v", "1.2.3")));
        check("1.2.3", Some(("", "1.2.3")));
        check("name-v1.2.3", Some(("name-v", "1.2.3")));
        check("name-1.2.3", Some(("name-", "1.2.3")));
        check("name/1.2.3", Some(("name/", "1.2.3")));
        check("@scope/name@1.2.3", Some(("@scope/name@", "1.2.3")));
        check("rs-0.55.2", Some(("rs-", "0.55.2")));
        check("argo-cd-10.1.1", Some(("argo-cd-", "10.1.1")));
        check("py-polars-v1.0.0", Some(("py-polars-v", "1.0.0")));
        check("v2.34.0.dev1", Some(("v", "2.34.0-dev.1")));
        check("v0.23.1rc0", Some(("v", "0.23.1-rc.0")));
        check("k8s-monitoring-4.4.0", Some(("k8s-monitoring-", "4.4.0")));
        check("backup-batch-facet-postings-47207f6b2", None);
        check("2.3.x", None);
        check("release", None);
    }

    fn tags(names: &[&str]) -> Tags {
        Tags::new(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn styles() {
        let v = |s: &str| Version::parse(s).unwrap();
        let format = |s: Option<super::Style>| s.map(|s| s.format);
        let t = tags(&["15.1.0", "15.0.0", "ignore-0.4.32", "globset-0.4.19", "grep-cli-0.1.12"]);
        assert!(t.tagged_apart("ignore"));
        assert!(!t.tagged_apart("ripgrep"));
        assert!(!t.tagged_apart("grep"), "grep-cli's tags are not grep's");
        let others = ["ignore", "globset", "grep-cli"];
        assert_eq!(
            format(t.style(&["ripgrep"], Some(&v("15.1.0")), true, &others, &[])),
            Some("{version}".into())
        );
        assert_eq!(
            format(t.style(&["ignore"], Some(&v("0.4.32")), false, &["ripgrep"], &[])),
            Some("ignore-{version}".into())
        );
        let t = tags(&["rs-0.55.1", "rs-0.55.0", "py-1.43.0", "py-1.42.0"]);
        assert_eq!(
            format(t.style(&["polars-core", "polars"], Some(&v("0.55.1")), false, &[], &[])),
            Some("rs-{version}".into())
        );
        assert_eq!(
            format(t.style(&["polars"], Some(&v("1.43.0")), false, &[], &[])),
            Some("py-{version}".into())
        );
        assert_eq!(format(t.style(&["other"], Some(&v("9.9.9")), false, &[], &[])), None);
        // An old plain release at the same number is the main group's, not a helper's.
        let t = tags(&["v0.1.0", "v0.16.3"]);
        assert_eq!(format(t.style(&["helper"], Some(&v("0.1.0")), false, &[], &[])), None);
        assert_eq!(
            format(t.style(&["ruff"], Some(&v("0.16.3")), true, &[], &[])),
            Some("v{version}".into())
        );
        let t = tags(&["v0.22.2", "v0.22.1", "node-v0.23.1"]);
        assert_eq!(
            format(t.style(&["tokenizers", "node"], Some(&v("0.22.3-dev.0")), true, &[], &[])),
            Some("v{version}".into())
        );
        assert_eq!(
            format(t.style(&["tokenizers", "node"], Some(&v("0.22.3-dev.0")), false, &[], &[])),
            Some("node-v{version}".into())
        );
        assert_eq!(format(tags(&[]).style(&["a"], None, true, &[], &[])), None);
        // A prefix another group took already (at a higher version) is not this group's.
        let t = tags(&["rs-0.55.1", "rs-0.27.0"]);
        let claimed = ["rs-".to_string()];
        assert_eq!(
            format(t.style(&["pyo3-polars"], Some(&v("0.27.0")), false, &[], &claimed)),
            None
        );
    }
}
