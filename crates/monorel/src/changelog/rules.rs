//! The rules that turn commits into entries: Keep a Changelog sections, tag patterns, and the
//! parts of a `cliff.toml` that still make sense for a Keep a Changelog document.
//!
//! A `cliff.toml` is git-cliff's configuration. Its `[git]` table is honoured where it describes
//! commits (`commit_parsers`, `commit_preprocessors`, `link_parsers`, `filter_unconventional`,
//! `filter_commits`, `protect_breaking_commits`, `ignore_tags`, `skip_tags`); of `[changelog]`,
//! `postprocessors` are applied to each entry monorel writes (`<REPO>` placeholders become the
//! URL), and the templates are not, because the output is always Keep a Changelog 1.1.0.
//!
//! A preprocessor's or postprocessor's `replace_command` is skipped with a warning, and every
//! other rule still applies. git-cliff runs it through a shell once per commit; monorel runs a
//! repository's commands only where its hooks run, at `release --execute` and never in a dry run,
//! a `changelog` or a `changelog --check` in CI; and a process per commit would cost more than
//! the whole changelog (the `replace_command`s git-cliff's users write fix typos or reformat).

use std::{fmt, str::FromStr};

use regex::Regex;
use toml_edit::{Document, Item, TableLike, Value};

use super::{
    ChangelogError,
    cliff::{CommitParser, GitConfig, LinkParser, TextProcessor},
};
use crate::{editors::line_at, version::Version};

/// A Keep a Changelog 1.1.0 section of a release, or a heading a configuration names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// `### Added`: new features (`feat`).
    Added,
    /// `### Changed`: changes in existing behaviour (`perf`, `refactor`, unknown types).
    Changed,
    /// `### Deprecated`: soon-to-be removed features (`deprecate` type or footer).
    Deprecated,
    /// `### Removed`: removed features (`remove` type or footer).
    Removed,
    /// `### Fixed`: bug fixes (`fix`).
    Fixed,
    /// `### Security`: vulnerabilities (`fix(security)`, a `Security:` footer).
    Security,
    /// Any other heading (a `cliff.toml` group, or where non-conventional commits go). The
    /// string is the heading as written; these sort after the standard ones, by this string.
    Other(String),
}

impl Section {
    /// The standard sections, in the order Keep a Changelog lists them.
    pub const STANDARD: [Section; 6] = [
        Section::Added,
        Section::Changed,
        Section::Deprecated,
        Section::Removed,
        Section::Fixed,
        Section::Security,
    ];

    /// The section a heading (`Added`, `fixed`, or a `cliff.toml` group such as
    /// `<!-- 0 -->Added`) stands for.
    pub fn from_heading(heading: &str) -> Section {
        let shown = display_heading(heading);
        let letters: String = shown.chars().filter(|c| c.is_alphanumeric()).collect();
        Section::STANDARD
            .into_iter()
            .find(|s| s.heading().eq_ignore_ascii_case(&letters))
            .unwrap_or_else(|| Section::Other(heading.trim().to_string()))
    }

    /// The heading text, as written after `### `.
    pub fn heading(&self) -> &str {
        match self {
            Section::Added => "Added",
            Section::Changed => "Changed",
            Section::Deprecated => "Deprecated",
            Section::Removed => "Removed",
            Section::Fixed => "Fixed",
            Section::Security => "Security",
            Section::Other(heading) => display_heading(heading),
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.heading())
    }
}

/// A heading without the `<!-- 0 -->` ordering comments git-cliff configurations use.
fn display_heading(heading: &str) -> &str {
    let mut rest = heading.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => break,
        }
    }
    rest
}

/// A tag format with one `{version}`: `v{version}`, `sdk-v{version}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPattern {
    prefix: String,
    suffix: String,
}

impl TagPattern {
    /// The version a tag names, or `None` when the tag does not follow the pattern or what is
    /// in place of `{version}` is not SemVer.
    pub fn version_of(&self, tag: &str) -> Option<Version> {
        let middle = tag.strip_prefix(&self.prefix)?.strip_suffix(&self.suffix)?;
        Version::parse(middle).ok()
    }

    /// The tag for `version`.
    pub fn tag_for(&self, version: &Version) -> String {
        format!("{}{version}{}", self.prefix, self.suffix)
    }
}

impl Default for TagPattern {
    fn default() -> Self {
        TagPattern { prefix: "v".into(), suffix: String::new() }
    }
}

impl FromStr for TagPattern {
    type Err = ChangelogError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once("{version}") {
            Some((prefix, suffix)) if !suffix.contains("{version}") => {
                Ok(TagPattern { prefix: prefix.into(), suffix: suffix.into() })
            }
            _ => Err(ChangelogError::Request {
                message: format!("tag pattern `{s}` must contain `{{version}}` exactly once"),
                help: "write e.g. `v{version}` or `sdk-v{version}`".into(),
            }),
        }
    }
}

impl fmt::Display for TagPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{{version}}{}", self.prefix, self.suffix)
    }
}

/// How commits become entries: monorel's defaults, refined by a `cliff.toml`.
#[derive(Debug, Clone)]
pub(crate) struct Rules {
    /// git-cliff's own commit configuration, as read from `cliff.toml` (empty without one).
    pub(crate) git: GitConfig,
    /// Whether git-cliff must process each commit (parsers or preprocessors are configured);
    /// otherwise only its conventional parse runs, which is much cheaper.
    pub(crate) process: bool,
    /// The heading non-conventional commits go under, or `None` to leave them out.
    pub(crate) unconventional: Option<String>,
    /// Tags that are not releases (`ignore_tags` and `skip_tags`).
    pub(crate) ignore_tags: Option<Regex>,
    /// `[changelog] postprocessors`, applied to each entry's text.
    pub(crate) postprocessors: Vec<TextProcessor>,
    /// What was skipped (`replace_command`), with the file and line, for people.
    pub(crate) warnings: Vec<String>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            git: default_git_config(),
            process: false,
            unconventional: None,
            ignore_tags: None,
            postprocessors: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Rules {
    /// `text` after the `[changelog] postprocessors`, in order.
    pub(crate) fn postprocess(&self, text: String) -> String {
        self.postprocessors.iter().fold(text, |text, p| {
            match p.pattern.replace_all(&text, p.replace.as_str()) {
                std::borrow::Cow::Borrowed(_) => text,
                std::borrow::Cow::Owned(changed) => changed,
            }
        })
    }
}

fn default_git_config() -> GitConfig {
    GitConfig { filter_unconventional: true, ..GitConfig::default() }
}

/// The heading non-conventional commits get when `filter_unconventional = false` and no commit
/// parser names a group for them.
pub(crate) const OTHER_HEADING: &str = "Other";

/// Reads the rules from `cliff.toml`'s text; `path` is for messages.
pub(crate) fn parse_cliff_toml(path: &str, text: &str) -> Result<Rules, ChangelogError> {
    let doc = Document::parse(text).map_err(|e| ChangelogError::Config {
        path: path.into(),
        line: e.span().map(|s| line_at(text, s.start)),
        message: format!("invalid TOML: {}", e.message().trim_end().trim_end_matches('.')),
        help: "fix the syntax error".into(),
    })?;
    let mut rules = Rules::default();
    let r = Reader { path, text };
    let changelog = doc.as_table().get("changelog").and_then(Item::as_table_like);
    if let Some(item) = changelog.and_then(|c| c.get("postprocessors")) {
        rules.postprocessors =
            r.processors(item, "changelog.postprocessors", &mut rules.warnings)?;
    }
    let Some(git) = doc.as_table().get("git").and_then(Item::as_table_like) else {
        return Ok(rules);
    };
    if let Some(item) = git.get("commit_parsers") {
        rules.git.commit_parsers = r.tables(item, "git.commit_parsers", |t, at| {
            Ok(CommitParser {
                sha: r.string(t, "sha", at)?,
                message: r.regex(t, "message", at)?,
                body: r.regex(t, "body", at)?,
                footer: r.regex(t, "footer", at)?,
                group: r.string(t, "group", at)?,
                default_scope: r.string(t, "default_scope", at)?,
                scope: r.string(t, "scope", at)?,
                skip: r.bool(t, "skip", at)?,
                field: r.string(t, "field", at)?,
                pattern: r.regex(t, "pattern", at)?,
            })
        })?;
    }
    if let Some(item) = git.get("commit_preprocessors") {
        rules.git.commit_preprocessors =
            r.processors(item, "git.commit_preprocessors", &mut rules.warnings)?;
    }
    if let Some(item) = git.get("link_parsers") {
        rules.git.link_parsers = r.tables(item, "git.link_parsers", |t, at| {
            let href = r.string(t, "href", at)?;
            let Some(href) = href else {
                return Err(r.error(
                    Some(item),
                    format!("`{at}` has no `href`"),
                    "add the URL template, e.g. `href = \"https://example.com/browse/$0\"`",
                ));
            };
            Ok(LinkParser {
                pattern: r.required_regex(t, "pattern", at)?,
                href,
                text: r.string(t, "text", at)?,
            })
        })?;
    }
    let flag = |key: &str| r.bool(git, key, "git");
    if let Some(filter) = flag("filter_unconventional")? {
        rules.git.filter_unconventional = filter;
    }
    if let Some(filter) = flag("filter_commits")? {
        rules.git.filter_commits = filter;
    }
    if let Some(protect) = flag("protect_breaking_commits")? {
        rules.git.protect_breaking_commits = protect;
    }
    let ignore = [r.regex(git, "ignore_tags", "git")?, r.regex(git, "skip_tags", "git")?];
    let ignore: Vec<String> = ignore.iter().flatten().map(|re| format!("(?:{re})")).collect();
    if !ignore.is_empty() {
        rules.ignore_tags = Some(Regex::new(&ignore.join("|")).expect("valid regexes joined"));
    }
    rules.process = !rules.git.commit_parsers.is_empty()
        || !rules.git.commit_preprocessors.is_empty()
        || rules.git.filter_commits;
    if !rules.git.filter_unconventional {
        rules.unconventional = Some(OTHER_HEADING.into());
    }
    Ok(rules)
}

/// Reads typed values out of `cliff.toml`, with the file and line in every error.
struct Reader<'a> {
    path: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    fn error(&self, item: Option<&Item>, message: String, help: &str) -> ChangelogError {
        let line = item.and_then(Item::span).map(|s| line_at(self.text, s.start));
        ChangelogError::Config { path: self.path.into(), line, message, help: help.into() }
    }

    fn value<'t>(&self, t: &'t dyn TableLike, key: &str) -> Option<(&'t Item, &'t Value)> {
        let item = t.get(key)?;
        Some((item, item.as_value()?))
    }

    fn string(
        &self,
        t: &dyn TableLike,
        key: &str,
        at: &str,
    ) -> Result<Option<String>, ChangelogError> {
        match self.value(t, key) {
            None if t.get(key).is_none() => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.value().clone())),
            _ => Err(self.error(
                t.get(key),
                format!("`{at}.{key}` must be a string"),
                "quote the value",
            )),
        }
    }

    fn bool(&self, t: &dyn TableLike, key: &str, at: &str) -> Result<Option<bool>, ChangelogError> {
        match self.value(t, key) {
            None if t.get(key).is_none() => Ok(None),
            Some((_, Value::Boolean(b))) => Ok(Some(*b.value())),
            _ => Err(self.error(
                t.get(key),
                format!("`{at}.{key}` must be `true` or `false`"),
                "write `true` or `false`",
            )),
        }
    }

    fn regex(
        &self,
        t: &dyn TableLike,
        key: &str,
        at: &str,
    ) -> Result<Option<Regex>, ChangelogError> {
        let Some(pattern) = self.string(t, key, at)? else { return Ok(None) };
        Regex::new(&pattern).map(Some).map_err(|e| {
            let first = e.to_string().lines().last().unwrap_or_default().trim().to_string();
            self.error(
                t.get(key),
                format!("`{at}.{key}` is not a valid regex (`{pattern}`): {first}"),
                "fix the pattern (Rust `regex` syntax, as git-cliff uses)",
            )
        })
    }

    fn required_regex(
        &self,
        t: &dyn TableLike,
        key: &str,
        at: &str,
    ) -> Result<Regex, ChangelogError> {
        self.regex(t, key, at)?.ok_or_else(|| {
            self.error(
                None,
                format!("`{at}` has no `{key}`"),
                "add the regex, e.g. `pattern = \"#(\\\\d+)\"`",
            )
        })
    }

    /// `commit_preprocessors` or `postprocessors`: `{ pattern, replace }` rules; one with a
    /// `replace_command` is left out, with a warning (the module's documentation says why).
    fn processors(
        &self,
        item: &Item,
        at: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<TextProcessor>, ChangelogError> {
        let read = self.tables(item, at, |t, at| {
            if let Some(command) = t.get("replace_command") {
                let line = command.span().map(|s| line_at(self.text, s.start));
                let shown = command.as_str().unwrap_or_default().escape_debug();
                warnings.push(format!(
                    "`{}`: `{at}.replace_command` (`{shown}`) is skipped: monorel runs a repository's commands only as release hooks\nhelp: use `replace` with a regex replacement, or run the command as a `[release] pre-commit` hook",
                    super::at(self.path, line)
                ));
                return Ok(None);
            }
            Ok(Some(TextProcessor {
                pattern: self.required_regex(t, "pattern", at)?,
                replace: self.string(t, "replace", at)?.unwrap_or_default(),
            }))
        })?;
        Ok(read.into_iter().flatten().collect())
    }

    /// An array of inline tables (or an array of tables), each read by `read`.
    fn tables<T>(
        &self,
        item: &Item,
        at: &str,
        mut read: impl FnMut(&dyn TableLike, &str) -> Result<T, ChangelogError>,
    ) -> Result<Vec<T>, ChangelogError> {
        let tables: Vec<&dyn TableLike> = if let Some(array) = item.as_array() {
            let mut tables = Vec::new();
            for value in array.iter() {
                match value.as_inline_table() {
                    Some(t) => tables.push(t as &dyn TableLike),
                    None => {
                        return Err(self.error(
                            Some(item),
                            format!("`{at}` must hold tables, e.g. `{{ message = \"^feat\", group = \"Added\" }}`"),
                            "write each rule as an inline table",
                        ));
                    }
                }
            }
            tables
        } else if let Some(array) = item.as_array_of_tables() {
            array.iter().map(|t| t as &dyn TableLike).collect()
        } else {
            return Err(self.error(
                Some(item),
                format!("`{at}` must be an array"),
                "write `[...]`",
            ));
        };
        tables.into_iter().enumerate().map(|(i, t)| read(t, &format!("{at}[{i}]"))).collect()
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    #[test]
    fn tag_patterns() {
        let check = |pattern: &str, tag: &str, expected: Option<&str>| {
            let p: TagPattern = pattern.parse().unwrap();
            assert_eq!(p.version_of(tag).map(|v| v.to_string()).as_deref(), expected, "{tag}");
            if let Some(v) = expected {
                assert_eq!(p.tag_for(&Version::parse(v).unwrap()), tag);
            }
        };
        check("v{version}", "v1.2.3", Some("1.2.3"));
        check("v{version}", "v1.2.3-rc.1", Some("1.2.3-rc.1"));
        check("v{version}", "1.2.3", None);
        check("v{version}", "sdk-v1.2.3", None);
        check("v{version}", "v1.2", None);
        check("sdk-v{version}", "sdk-v0.4.0", Some("0.4.0"));
        check("{version}", "2.0.0", Some("2.0.0"));
        check("release/{version}/final", "release/2.0.0/final", Some("2.0.0"));
        assert!("v".parse::<TagPattern>().is_err());
        assert!("{version}-{version}".parse::<TagPattern>().is_err());
    }

    #[test]
    fn headings() {
        let check = |heading: &str, expected: Section| {
            assert_eq!(Section::from_heading(heading), expected, "{heading}");
        };
        check("Added", Section::Added);
        check("fixed", Section::Fixed);
        check("<!-- 0 -->Added", Section::Added);
        check("<!-- 1 -->🐛 Fixed", Section::Fixed);
        check("Security", Section::Security);
        check("<!-- 9 -->Documentation", Section::Other("<!-- 9 -->Documentation".into()));
        assert_eq!(Section::Other("<!-- 9 -->Documentation".into()).heading(), "Documentation");
    }

    fn check_error(text: &str, expect: Expect) {
        let e = parse_cliff_toml("cliff.toml", text).unwrap_err();
        expect.assert_eq(&e.to_string());
    }

    #[test]
    fn cliff_toml_errors_name_the_file_the_line_and_the_fix() {
        check_error(
            "[git]\ncommit_parsers = [\n  { message = \"^feat(\", group = \"Added\" },\n]\n",
            expect![[r#"
                `cliff.toml:3`: `git.commit_parsers[0].message` is not a valid regex (`^feat(`): error: unclosed group
                help: fix the pattern (Rust `regex` syntax, as git-cliff uses)"#]],
        );
        check_error(
            "[git]\nfilter_unconventional = \"yes\"\n",
            expect![[r#"
                `cliff.toml:2`: `git.filter_unconventional` must be `true` or `false`
                help: write `true` or `false`"#]],
        );
        check_error(
            "[git\n",
            expect![[r#"
                `cliff.toml:1`: invalid TOML: unclosed table, expected `]`
                help: fix the syntax error"#]],
        );
    }

    #[test]
    fn a_replace_command_is_skipped_with_a_warning_and_postprocessors_are_read() {
        // As git-cliff's own cliff.toml writes them.
        let rules = parse_cliff_toml(
            "cliff.toml",
            r#"[changelog]
postprocessors = [
  { pattern = '<REPO>', replace = "https://github.com/orhun/git-cliff" },
]
[git]
commit_preprocessors = [
  { pattern = '\((\w+\s)?#([0-9]+)\)', replace = "([#${2}](<REPO>/issues/${2}))" },
  { pattern = '.*', replace_command = 'typos --write-changes -' },
]
"#,
        )
        .unwrap();
        assert_eq!(rules.git.commit_preprocessors.len(), 1);
        assert!(rules.process);
        expect![[r#"
            [
                "`cliff.toml:8`: `git.commit_preprocessors[1].replace_command` (`typos --write-changes -`) is skipped: monorel runs a repository's commands only as release hooks\nhelp: use `replace` with a regex replacement, or run the command as a `[release] pre-commit` hook",
            ]
        "#]]
        .assert_debug_eq(&rules.warnings);
        assert_eq!(
            rules.postprocess("Fix ([#1](<REPO>/issues/1))".into()),
            "Fix ([#1](https://github.com/orhun/git-cliff/issues/1))"
        );
    }

    #[test]
    fn cliff_toml_rules_are_read() {
        let rules = parse_cliff_toml(
            "cliff.toml",
            r#"
[changelog]
body = "ignored: the output is Keep a Changelog"
[git]
filter_unconventional = false
commit_parsers = [
  { message = "^feat", group = "<!-- 0 -->Added" },
  { message = "^docs", skip = true },
  { body = ".*security", group = "Security" },
]
link_parsers = [{ pattern = "JIRA-(\\d+)", href = "https://jira.example/browse/JIRA-$1" }]
ignore_tags = "rc"
"#,
        )
        .unwrap();
        assert_eq!(rules.git.commit_parsers.len(), 3);
        assert_eq!(rules.git.commit_parsers[1].skip, Some(true));
        assert_eq!(rules.git.link_parsers.len(), 1);
        assert!(rules.process);
        assert_eq!(rules.unconventional.as_deref(), Some(OTHER_HEADING));
        assert!(rules.ignore_tags.unwrap().is_match("v1.0.0-rc.1"));
        let none = parse_cliff_toml("cliff.toml", "[changelog]\nbody = \"x\"\n").unwrap();
        assert!(!none.process);
        assert!(none.unconventional.is_none());
    }
}
