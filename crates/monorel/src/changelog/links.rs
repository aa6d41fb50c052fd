//! Links: the forge a repository lives on (from its remote URL, or from the changelog's own
//! comparison links), issue references in entries, and `cliff.toml` `link_parsers`.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::cliff::LinkParser;

/// Where a repository is browsed: `https://github.com/acme/widget`, and how its URLs look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forge {
    /// The repository's web address, without a trailing slash.
    pub base: String,
    gitlab: bool,
}

impl Forge {
    /// The forge of a remote URL (`https://`, `ssh://`, or scp-like `git@host:owner/repo.git`);
    /// `None` for local paths and other schemes.
    pub fn from_remote_url(url: &str) -> Option<Forge> {
        let url = url.trim();
        let (host, path) = if let Some(rest) =
            url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))
        {
            rest.split_once('/')?
        } else if let Some(rest) = url.strip_prefix("ssh://") {
            let (host, path) = rest.split_once('/')?;
            (host.split_once(':').map_or(host, |(h, _port)| h), path)
        } else if !url.contains("://") && !url.starts_with('/') && !url.starts_with('.') {
            url.split_once(':')?
        } else {
            return None;
        };
        let host = host.rsplit_once('@').map_or(host, |(_user, h)| h);
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        if host.is_empty() || path.is_empty() || !host.contains('.') && host != "localhost" {
            return None;
        }
        Some(Forge::new(format!("https://{host}/{path}")))
    }

    /// The forge a changelog's link definitions point at: the part of a `[unreleased]` (or
    /// version) link before `/compare/`, `/-/compare/`, `/commits/` or `/releases/tag/`.
    pub fn from_link_definitions<'a>(urls: impl IntoIterator<Item = &'a str>) -> Option<Forge> {
        urls.into_iter().find_map(|url| {
            ["/-/compare/", "/compare/", "/commits/", "/-/tags/", "/releases/tag/"]
                .iter()
                .find_map(|marker| url.find(marker).map(|i| &url[..i]))
                .filter(|base| base.starts_with("http"))
                .map(|base| Forge::new(base.to_string()))
        })
    }

    fn new(base: String) -> Forge {
        let gitlab = base.contains("gitlab");
        Forge { base: base.trim_end_matches('/').to_string(), gitlab }
    }

    fn section(&self) -> &str {
        if self.gitlab { "/-" } else { "" }
    }

    /// The page of issue (or pull request) `number`.
    pub fn issue_url(&self, number: &str) -> String {
        format!("{}{}/issues/{number}", self.base, self.section())
    }

    /// The comparison of two revisions.
    pub fn compare_url(&self, from: &str, to: &str) -> String {
        format!("{}{}/compare/{from}...{to}", self.base, self.section())
    }

    /// The page of a tag, for a first release with nothing to compare with.
    pub fn tag_url(&self, tag: &str) -> String {
        if self.gitlab {
            format!("{}/-/tags/{tag}", self.base)
        } else {
            format!("{}/releases/tag/{tag}", self.base)
        }
    }
}

/// Turns references in an entry's text into Markdown links.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linker<'a> {
    pub(crate) forge: Option<&'a Forge>,
    pub(crate) parsers: &'a [LinkParser],
}

static ISSUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s(\[,;])#([0-9]+)\b").expect("valid regex"));

impl Linker<'_> {
    /// `text` with `cliff.toml` link parsers applied, then `#123` linked to the forge. Code
    /// spans and existing links are left alone.
    pub(crate) fn link(&self, text: &str) -> String {
        let mut text = text.to_string();
        for parser in self.parsers {
            text = map_plain(&text, |plain| {
                parser
                    .pattern
                    .replace_all(plain, |caps: &Captures<'_>| {
                        let mut href = String::new();
                        caps.expand(&parser.href, &mut href);
                        let mut shown = String::new();
                        match &parser.text {
                            Some(template) => caps.expand(template, &mut shown),
                            None => shown.push_str(&caps[0]),
                        }
                        format!("[{shown}]({href})")
                    })
                    .into_owned()
            });
        }
        if let Some(forge) = self.forge {
            if text.contains('#') {
                text = map_plain(&text, |plain| {
                    ISSUE
                        .replace_all(plain, |caps: &Captures<'_>| {
                            let number = &caps[2];
                            format!("{}[#{number}]({})", &caps[1], forge.issue_url(number))
                        })
                        .into_owned()
                });
            }
        }
        text
    }
}

/// Applies `f` to the parts of `text` outside code spans and Markdown links.
fn map_plain(text: &str, mut f: impl FnMut(&str) -> String) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 32);
    let (mut plain_start, mut i) = (0, 0);
    while i < bytes.len() {
        let skip_to = match bytes[i] {
            b'`' => text[i + 1..].find('`').map(|end| i + 1 + end + 1),
            b'[' => link_end(text, i),
            _ => None,
        };
        match skip_to {
            Some(end) => {
                out.push_str(&f(&text[plain_start..i]));
                out.push_str(&text[i..end]);
                plain_start = end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&f(&text[plain_start..]));
    out
}

/// The end of a `[text](url)` link starting at `start`, if one does.
fn link_end(text: &str, start: usize) -> Option<usize> {
    let close = start + text[start..].find("](")?;
    if text[start + 1..close].contains('[') {
        return None;
    }
    let end = close + 2 + text[close + 2..].find(')')?;
    Some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forges_from_remote_urls() {
        let check = |url: &str, expected: Option<&str>| {
            assert_eq!(Forge::from_remote_url(url).map(|f| f.base).as_deref(), expected, "{url}");
        };
        check("https://github.com/acme/widget.git", Some("https://github.com/acme/widget"));
        check("https://github.com/acme/widget", Some("https://github.com/acme/widget"));
        check("https://token@github.com/acme/widget/", Some("https://github.com/acme/widget"));
        check("git@github.com:acme/widget.git", Some("https://github.com/acme/widget"));
        check(
            "ssh://git@gitlab.com:22/acme/sub/widget.git",
            Some("https://gitlab.com/acme/sub/widget"),
        );
        check("/srv/git/widget.git", None);
        check("../widget", None);
        check("file:///srv/git/widget.git", None);
        check("origin", None);
    }

    #[test]
    fn urls_per_forge() {
        let gh = Forge::from_remote_url("git@github.com:acme/widget.git").unwrap();
        assert_eq!(gh.issue_url("12"), "https://github.com/acme/widget/issues/12");
        assert_eq!(
            gh.compare_url("v1.0.0", "HEAD"),
            "https://github.com/acme/widget/compare/v1.0.0...HEAD"
        );
        assert_eq!(gh.tag_url("v1.0.0"), "https://github.com/acme/widget/releases/tag/v1.0.0");
        let gl = Forge::from_remote_url("https://gitlab.com/acme/widget.git").unwrap();
        assert_eq!(gl.issue_url("12"), "https://gitlab.com/acme/widget/-/issues/12");
        assert_eq!(
            gl.compare_url("v1.0.0", "v1.1.0"),
            "https://gitlab.com/acme/widget/-/compare/v1.0.0...v1.1.0"
        );
        assert_eq!(gl.tag_url("v1.0.0"), "https://gitlab.com/acme/widget/-/tags/v1.0.0");
    }

    #[test]
    fn forges_from_link_definitions() {
        let check = |url: &str, expected: Option<&str>| {
            assert_eq!(
                Forge::from_link_definitions([url]).map(|f| f.base).as_deref(),
                expected,
                "{url}"
            );
        };
        check(
            "https://github.com/monorel/monorel/commits/main",
            Some("https://github.com/monorel/monorel"),
        );
        check("https://github.com/a/b/compare/v1.0.0...HEAD", Some("https://github.com/a/b"));
        check("https://gitlab.com/a/b/-/compare/v1.0.0...HEAD", Some("https://gitlab.com/a/b"));
        check("https://example.com/changes", None);
    }

    #[test]
    fn issue_references_and_link_parsers() {
        let forge = Forge::from_remote_url("https://github.com/acme/widget").unwrap();
        let jira = LinkParser {
            pattern: Regex::new(r"\b(JIRA-[0-9]+)\b").unwrap(),
            href: "https://jira.example/browse/$1".into(),
            text: None,
        };
        let parsers = [jira];
        let linker = Linker { forge: Some(&forge), parsers: &parsers };
        let check = |text: &str, expected: &str| assert_eq!(linker.link(text), expected, "{text}");
        check("Add x (#12)", "Add x ([#12](https://github.com/acme/widget/issues/12))");
        check(
            "Fix #7 and #8",
            "Fix [#7](https://github.com/acme/widget/issues/7) and [#8](https://github.com/acme/widget/issues/8)",
        );
        check("Keep `#12` and C#1 and a#2", "Keep `#12` and C#1 and a#2");
        check(
            "Fix JIRA-1234 crash",
            "Fix [JIRA-1234](https://jira.example/browse/JIRA-1234) crash",
        );
        check("See [#3](https://x/3)", "See [#3](https://x/3)");
        let plain = Linker { forge: None, parsers: &[] };
        assert_eq!(plain.link("Add x (#12)"), "Add x (#12)");
    }
}
