//! `monorel.toml` (or `[workspace.metadata.monorel]` in the root `Cargo.toml`): what discovery
//! cannot know.
//!
//! ```toml
//! exclude = ["testdata/"]            # path prefixes discovery never looks at
//! include = ["examples/app/"]        # test data and examples discovery takes in all the same
//!
//! [groups.sdk]                       # a group of packages released together
//! packages = ["python:acme-sdk"]     # `[ecosystem:]name`, `*` matches any run of characters
//! paths = ["sdk/"]                   # or: every package under these directories
//! tag = "sdk-v{version}"             # the group's tag format (default `v{version}`)
//! app-version = "always"             # Helm `appVersion`: "auto" (default), "always", "never"
//! artifacts = ["sdk/dist/"]          # where `verify-artifacts --group sdk` looks
//!
//! [[groups.sdk.files]]               # extra version sites in any text file
//! path = "docs/install.md"
//! pattern = 'acme-sdk==(?<version>[0-9][^\s]*)'
//! count = 2                          # exactly this many matches, or the bump refuses
//! spelling = "pep440"                # or "semver" (default)
//! next-dev = false                   # it names the released version: the next development
//!                                    # version (`[release] next-dev`) leaves it as it is
//! ```
//!
//! ```toml
//! [release]                          # `monorel release`
//! branches = ["main", "release/*"]   # where a release may be cut (default: the default branch)
//! pre-commit = ["cargo test --workspace", "pytest -q"]   # run before the commit; a failure undoes
//! post-tag = ["cargo xtask dist"]    # run after the tag
//! push = false                       # push branch and tag (`git push --atomic`), as `--push`
//! sign = false                       # sign the tag (git's `tag.gpgSign` also signs)
//! next-dev = false                   # then commit the next development version (1.4.0-dev)
//! commit-message = "chore(release): {tag}"
//! tag-message = "{notes}"            # the annotated tag's message: `{tag}`, `{version}`, `{notes}`
//! next-dev-message = "chore(release): start {version}"
//! changelog = "CHANGELOG.md"
//! ```
//!
//! Unknown keys are errors that name the key, its line, and the nearest known key.

use std::ops::Range;

use toml_edit::{Document, Item, TableLike};

use crate::{editors::line_at, version::Spelling};

/// The configuration file's name at the repository root.
pub const FILE_NAME: &str = "monorel.toml";

/// The whole configuration. The default is zero configuration: one group of everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Where the configuration came from (`monorel.toml`, `Cargo.toml`), for messages.
    pub source: Option<String>,
    /// Path prefixes discovery never looks at.
    pub exclude: Vec<String>,
    /// Path prefixes under test data, examples or vendored code that discovery takes in all the
    /// same (see `repo::places`).
    pub include: Vec<String>,
    /// The configured groups, in file order. Empty: one group of everything, named `default`.
    pub groups: Vec<GroupConfig>,
    /// How `monorel release` runs.
    pub release: ReleaseConfig,
}

/// `[release]`: how `monorel release` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseConfig {
    /// Branch patterns a release may be cut from (`*` for any run of characters); empty: the
    /// remote's default branch (else `main` or `master`).
    pub branches: Vec<String>,
    /// Shell commands run before the commit; a failure restores every file.
    pub pre_commit: Vec<String>,
    /// Shell commands run after the tag.
    pub post_tag: Vec<String>,
    /// Push the branch and the tag together.
    pub push: bool,
    /// Sign the tag.
    pub sign: bool,
    /// After the release, commit the next development version (`1.4.0-dev`).
    pub next_dev: bool,
    /// The release commit's message, with `{version}`, `{tag}` and `{group}`.
    pub commit_message: String,
    /// The tag's message, with `{version}`, `{tag}`, `{group}` and `{notes}` (the default).
    pub tag_message: String,
    /// The next development version's commit message, with `{version}` (the development
    /// version), `{tag}` (the release's) and `{group}`.
    pub next_dev_message: String,
    /// The changelog, relative to the root.
    pub changelog: String,
    /// `[release.flow]`: the branches of a branch flow; `None`: trunk-based.
    pub flow: Option<FlowConfig>,
}

/// `[release.flow]`: where work lands, what is released, how release and hotfix branches are
/// named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowConfig {
    /// Where work lands (`develop`); `main` when not set.
    pub develop: String,
    /// What is released (`main`).
    pub main: String,
    /// The release branch's name with `{version}`; `None`: `develop` is released straight into
    /// `main`.
    pub release_branch: Option<String>,
    /// The hotfix branch's name with `{version}`.
    pub hotfix_branch: String,
    /// Delete the release or hotfix branch once it is finished.
    pub delete_branch: bool,
}

impl Default for ReleaseConfig {
    fn default() -> Self {
        ReleaseConfig {
            branches: Vec::new(),
            pre_commit: Vec::new(),
            post_tag: Vec::new(),
            push: false,
            sign: false,
            next_dev: false,
            commit_message: "chore(release): {tag}".into(),
            tag_message: "{notes}".into(),
            next_dev_message: "chore(release): start {version}".into(),
            changelog: "CHANGELOG.md".into(),
            flow: None,
        }
    }
}

/// One configured group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupConfig {
    /// The group's name (the table's key).
    pub name: String,
    /// Package patterns: `[ecosystem:]name`, with `*` for any run of characters.
    pub packages: Vec<String>,
    /// Directory prefixes: every package whose directory is under one belongs to the group.
    pub paths: Vec<String>,
    /// The tag format, with `{version}`.
    pub tag: String,
    /// Extra version sites.
    pub files: Vec<ExtraFile>,
    /// When a chart's `appVersion` moves with the release.
    pub app_version: AppVersion,
    /// Where the group's built artifacts are, relative to the root (for `verify-artifacts`).
    pub artifacts: Vec<String>,
    /// The 1-based line of the group's table, for messages.
    pub line: usize,
}

/// When a Helm chart's `appVersion` moves with the release.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AppVersion {
    /// When it names the old version (with or without a `v`): it tracks the release.
    #[default]
    Auto,
    /// Always: the chart deploys the application of the same release.
    Always,
    /// Never: the chart deploys an application versioned apart.
    Never,
}

/// A version site in any text file, found by a regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraFile {
    /// The file, relative to the repository root.
    pub path: String,
    /// A regular expression with a named group `version`.
    pub pattern: String,
    /// How many matches there must be.
    pub count: usize,
    /// How the version is written there.
    pub spelling: Spelling,
    /// Whether the next development version is written here too (`next-dev = false`: it names
    /// the released version, as an install line in the docs does).
    pub next_dev: bool,
    /// The 1-based line of this entry in the configuration, for messages.
    pub line: usize,
}

/// The default tag format.
pub const DEFAULT_TAG: &str = "v{version}";

/// A configuration that cannot be used: where, why, and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// The configuration file.
    pub path: String,
    /// The 1-based line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

const TOP_KEYS: &[&str] = &["exclude", "include", "groups", "release"];
const RELEASE_KEYS: &[&str] = &[
    "branches",
    "pre-commit",
    "post-tag",
    "push",
    "sign",
    "next-dev",
    "commit-message",
    "tag-message",
    "next-dev-message",
    "changelog",
    "flow",
];
const FLOW_KEYS: &[&str] = &["develop", "main", "release-branch", "hotfix-branch", "delete-branch"];
const GROUP_KEYS: &[&str] = &["packages", "paths", "tag", "files", "app-version", "artifacts"];
const FILE_KEYS: &[&str] = &["path", "pattern", "count", "spelling", "next-dev"];

impl Config {
    /// Parses `monorel.toml`.
    pub fn parse_file(path: &str, text: &str) -> Result<Config, ConfigError> {
        let doc = Document::parse(text).map_err(|e| ConfigError {
            path: path.to_string(),
            line: e.span().map(|s| line_at(text, s.start)),
            message: format!("invalid TOML: {}", e.message().trim_end().trim_end_matches('.')),
            help: "fix the syntax error".into(),
        })?;
        let mut config = Parser { path, text }.config(doc.as_table())?;
        config.source = Some(path.to_string());
        Ok(config)
    }

    /// Reads `[workspace.metadata.monorel]` from a root `Cargo.toml`, if it has one.
    pub fn from_cargo_manifest(path: &str, text: &str) -> Result<Option<Config>, ConfigError> {
        let Ok(doc) = Document::parse(text) else { return Ok(None) };
        let root = doc.as_table() as &dyn TableLike;
        let Some(table) = ["workspace", "metadata", "monorel"]
            .iter()
            .try_fold(root, |t, k| t.get(k)?.as_table_like())
        else {
            return Ok(None);
        };
        let mut config = Parser { path, text }.config(table)?;
        config.source = Some(format!("{path} [workspace.metadata.monorel]"));
        Ok(Some(config))
    }

    /// The tag format of group `name`.
    pub fn tag_of(&self, name: &str) -> &str {
        self.groups.iter().find(|g| g.name == name).map_or(DEFAULT_TAG, |g| g.tag.as_str())
    }
}

struct Parser<'a> {
    path: &'a str,
    text: &'a str,
}

impl Parser<'_> {
    fn config(&self, root: &dyn TableLike) -> Result<Config, ConfigError> {
        self.known_keys(root, TOP_KEYS, "")?;
        let mut config = Config {
            exclude: self.paths(root, "exclude", "")?,
            include: self.paths(root, "include", "")?,
            ..Config::default()
        };
        if let Some(item) = root.get("release") {
            config.release = self.release(item)?;
        }
        if let Some(groups) = root.get("groups") {
            let Some(groups) = groups.as_table_like() else {
                return Err(self.error(
                    groups.span(),
                    "`groups` must be a table of groups",
                    "write `[groups.<name>]`",
                ));
            };
            for (name, group) in groups.iter() {
                let Some(table) = group.as_table_like() else {
                    return Err(self.error(
                        group.span(),
                        &format!("`groups.{name}` must be a table"),
                        "write `[groups.<name>]` with `packages` or `paths`",
                    ));
                };
                config.groups.push(self.group(name, table, group.span())?);
            }
        }
        Ok(config)
    }

    fn release(&self, item: &Item) -> Result<ReleaseConfig, ConfigError> {
        let Some(table) = item.as_table_like() else {
            return Err(self.error(item.span(), "`release` must be a table", "write `[release]`"));
        };
        self.known_keys(table, RELEASE_KEYS, "release.")?;
        let flag = |key: &str| -> Result<bool, ConfigError> {
            match table.get(key) {
                None => Ok(false),
                Some(item) => item.as_bool().ok_or_else(|| {
                    self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`release.{key}` must be `true` or `false`"),
                        &format!("write `{key} = true`"),
                    )
                }),
            }
        };
        let text = |key: &str, default: String| -> Result<String, ConfigError> {
            match table.get(key) {
                None => Ok(default),
                Some(item) => item.as_str().map(str::to_string).ok_or_else(|| {
                    self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`release.{key}` must be a string"),
                        &format!("write `{key} = \"...\"`"),
                    )
                }),
            }
        };
        let defaults = ReleaseConfig::default();
        let changelog = text("changelog", defaults.changelog)?;
        if let Some(item) = table.get("changelog") {
            self.inside(
                item.span().or_else(|| item.as_value()?.span()),
                "release.changelog",
                &changelog,
            )?;
        }
        Ok(ReleaseConfig {
            branches: self.strings(table, "branches", "release.")?,
            pre_commit: self.strings(table, "pre-commit", "release.")?,
            post_tag: self.strings(table, "post-tag", "release.")?,
            push: flag("push")?,
            sign: flag("sign")?,
            next_dev: flag("next-dev")?,
            commit_message: text("commit-message", defaults.commit_message)?,
            tag_message: text("tag-message", defaults.tag_message)?,
            next_dev_message: text("next-dev-message", defaults.next_dev_message)?,
            changelog,
            flow: table.get("flow").map(|item| self.flow(item)).transpose()?,
        })
    }

    fn flow(&self, item: &Item) -> Result<FlowConfig, ConfigError> {
        let Some(table) = item.as_table_like() else {
            return Err(self.error(
                item.span(),
                "`release.flow` must be a table",
                "write `[release.flow]`",
            ));
        };
        self.known_keys(table, FLOW_KEYS, "release.flow.")?;
        let text = |key: &str| -> Result<Option<String>, ConfigError> {
            match table.get(key) {
                None => Ok(None),
                Some(item) => match item.as_str() {
                    Some(v) if !v.trim().is_empty() => Ok(Some(v.to_string())),
                    _ => Err(self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`release.flow.{key}` must be a branch name"),
                        &format!("write `{key} = \"...\"`"),
                    )),
                },
            }
        };
        let main = text("main")?.unwrap_or_else(|| "main".into());
        for key in ["release-branch", "hotfix-branch"] {
            if let (Some(name), Some(item)) = (text(key)?, table.get(key)) {
                if !name.contains("{version}") {
                    return Err(self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`release.flow.{key}` is `{name}`, which has no `{{version}}`"),
                        &format!("name each branch by its version, e.g. `{key} = \"release/v{{version}}\"`"),
                    ));
                }
            }
        }
        let delete_branch = match table.get("delete-branch") {
            None => false,
            Some(item) => item.as_bool().ok_or_else(|| {
                self.error(
                    item.span().or_else(|| item.as_value()?.span()),
                    "`release.flow.delete-branch` must be `true` or `false`",
                    "write `delete-branch = true`",
                )
            })?,
        };
        Ok(FlowConfig {
            develop: text("develop")?.unwrap_or_else(|| main.clone()),
            main,
            release_branch: text("release-branch")?,
            hotfix_branch: text("hotfix-branch")?.unwrap_or_else(|| "hotfix/v{version}".into()),
            delete_branch,
        })
    }

    fn group(
        &self,
        name: &str,
        table: &dyn TableLike,
        span: Option<Range<usize>>,
    ) -> Result<GroupConfig, ConfigError> {
        let at = format!("groups.{name}.");
        self.known_keys(table, GROUP_KEYS, &at)?;
        let tag = match table.get("tag") {
            None => DEFAULT_TAG.to_string(),
            Some(item) => {
                let tag = item.as_str().unwrap_or_default();
                if !tag.contains("{version}") {
                    return Err(self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`{at}tag` must contain `{{version}}`, found `{tag}`"),
                        "write e.g. `tag = \"v{version}\"`",
                    ));
                }
                tag.to_string()
            }
        };
        let mut files = Vec::new();
        if let Some(item) = table.get("files") {
            let entries: Vec<&dyn TableLike> = match (item.as_array_of_tables(), item.as_array()) {
                (Some(tables), _) => tables.iter().map(|t| t as &dyn TableLike).collect(),
                (None, Some(array)) => array
                    .iter()
                    .filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
                    .collect(),
                _ => {
                    return Err(self.error(
                        item.span(),
                        &format!("`{at}files` must be an array of tables"),
                        "write `[[groups.<name>.files]]` entries",
                    ));
                }
            };
            for entry in entries {
                files.push(self.extra_file(entry, &at)?);
            }
        }
        let app_version = match table.get("app-version") {
            None => AppVersion::Auto,
            Some(item) => match item.as_str() {
                Some("auto") => AppVersion::Auto,
                Some("always") => AppVersion::Always,
                Some("never") => AppVersion::Never,
                _ => {
                    return Err(self.error(
                        item.span().or_else(|| item.as_value()?.span()),
                        &format!("`{at}app-version` must be \"auto\", \"always\" or \"never\""),
                        "\"auto\" moves `appVersion` when it names the old version",
                    ));
                }
            },
        };
        let group = GroupConfig {
            artifacts: self.paths(table, "artifacts", &at)?,
            app_version,
            name: name.to_string(),
            packages: self.strings(table, "packages", &at)?,
            paths: self.paths(table, "paths", &at)?,
            tag,
            files,
            line: span.map_or(1, |s| line_at(self.text, s.start)),
        };
        if group.packages.is_empty() && group.paths.is_empty() {
            return Err(ConfigError {
                path: self.path.into(),
                line: Some(group.line),
                message: format!(
                    "group `{name}` has neither `packages` nor `paths`, so it holds nothing"
                ),
                help: "add `packages = [\"cargo:*\"]` or `paths = [\"crates/\"]`".into(),
            });
        }
        Ok(group)
    }

    fn extra_file(&self, entry: &dyn TableLike, at: &str) -> Result<ExtraFile, ConfigError> {
        let at = format!("{at}files.");
        self.known_keys(entry, FILE_KEYS, &at)?;
        let line = entry
            .iter()
            .next()
            .and_then(|(_, i)| i.span().or_else(|| i.as_value()?.span()))
            .map_or(1, |s| line_at(self.text, s.start));
        let required = |key: &str| -> Result<String, ConfigError> {
            entry.get(key).and_then(Item::as_str).map(str::to_string).ok_or_else(|| ConfigError {
                path: self.path.into(),
                line: Some(line),
                message: format!("`{at}{key}` is missing (a string)"),
                help: "each extra file needs `path`, `pattern` (with a `(?<version>...)` group) and `count`".into(),
            })
        };
        let path = required("path")?;
        let span = entry.get("path").and_then(|i| i.span().or_else(|| i.as_value()?.span()));
        self.inside(span, &format!("{at}path"), &path)
            .map_err(|e| ConfigError { line: e.line.or(Some(line)), ..e })?;
        let pattern = required("pattern")?;
        match regex::Regex::new(&pattern) {
            Ok(re) if re.capture_names().any(|n| n == Some("version")) => {}
            Ok(_) => {
                return Err(ConfigError {
                    path: self.path.into(),
                    line: Some(line),
                    message: format!("`{at}pattern` has no group named `version`: `{pattern}`"),
                    help: "mark the version with `(?<version>...)`".into(),
                });
            }
            Err(e) => {
                return Err(ConfigError {
                    path: self.path.into(),
                    line: Some(line),
                    message: format!("`{at}pattern` is not a valid regular expression: {e}"),
                    help: "fix the pattern (Rust `regex` syntax)".into(),
                });
            }
        }
        let count = match entry.get("count") {
            None => 1,
            Some(item) => match item.as_integer() {
                Some(n) if n >= 1 => n as usize,
                _ => {
                    return Err(ConfigError {
                        path: self.path.into(),
                        line: Some(line),
                        message: format!("`{at}count` must be a whole number of at least 1"),
                        help: "write e.g. `count = 1`".into(),
                    });
                }
            },
        };
        let spelling = match entry.get("spelling").and_then(Item::as_str) {
            None | Some("semver") => Spelling::Semver,
            Some("pep440") => Spelling::Pep440,
            Some(other) => {
                return Err(ConfigError {
                    path: self.path.into(),
                    line: Some(line),
                    message: format!(
                        "`{at}spelling` must be `semver` or `pep440`, found `{other}`"
                    ),
                    help: "write `spelling = \"pep440\"` for Python text".into(),
                });
            }
        };
        let next_dev = match entry.get("next-dev") {
            None => true,
            Some(item) => item.as_bool().ok_or_else(|| ConfigError {
                path: self.path.into(),
                line: Some(line),
                message: format!("`{at}next-dev` must be `true` or `false`"),
                help: "write `next-dev = false` for a version that names the release".into(),
            })?,
        };
        Ok(ExtraFile { path, pattern, count, spelling, next_dev, line })
    }

    fn strings(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: &str,
    ) -> Result<Vec<String>, ConfigError> {
        let Some(item) = table.get(key) else { return Ok(Vec::new()) };
        let values = item
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>());
        values.flatten().ok_or_else(|| {
            self.error(
                item.span().or_else(|| item.as_value()?.span()),
                &format!("`{at}{key}` must be an array of strings"),
                &format!("write e.g. `{key} = [\"...\"]`"),
            )
        })
    }

    /// [`Parser::strings`] that are paths inside the repository (see [`Parser::inside`]).
    fn paths(
        &self,
        table: &dyn TableLike,
        key: &str,
        at: &str,
    ) -> Result<Vec<String>, ConfigError> {
        let values = self.strings(table, key, at)?;
        let spans = table.get(key).and_then(Item::as_array).map(|a| a.iter().map(|v| v.span()));
        // An empty prefix is the whole tree: inside, and meaningful.
        for (value, span) in values.iter().zip(spans.into_iter().flatten()) {
            if !value.is_empty() {
                self.inside(span, &format!("{at}{key}"), value)?;
            }
        }
        Ok(values)
    }

    /// Refuses a path that is not relative to the repository root and inside it: absolute,
    /// climbing out with `..`, or with a NUL (`confine::lexical_problem`). Where it leads after
    /// symlinks is checked again when the file is opened (`confine::Tree`).
    fn inside(&self, span: Option<Range<usize>>, key: &str, path: &str) -> Result<(), ConfigError> {
        match crate::confine::lexical_problem(path) {
            None => Ok(()),
            Some(problem) => Err(self.error(
                span,
                &format!(
                    "`{key}` must be a path inside the repository; `{}` {problem}",
                    path.escape_debug()
                ),
                "write a path relative to the repository root, without `..` that leaves it",
            )),
        }
    }

    fn known_keys(
        &self,
        table: &dyn TableLike,
        known: &[&str],
        at: &str,
    ) -> Result<(), ConfigError> {
        for (key, item) in table.iter() {
            if known.contains(&key) {
                continue;
            }
            let span = table.key(key).and_then(|k| k.span()).or_else(|| item.span());
            let help = match suggest(key, known) {
                Some(near) => {
                    format!("did you mean `{at}{near}`? known keys: {}", known.join(", "))
                }
                None => format!("known keys here: {}", known.join(", ")),
            };
            return Err(self.error(span, &format!("unknown key `{at}{key}`"), &help));
        }
        Ok(())
    }

    fn error(&self, span: Option<Range<usize>>, message: &str, help: &str) -> ConfigError {
        ConfigError {
            path: self.path.into(),
            line: span.map(|s| line_at(self.text, s.start)),
            message: message.into(),
            help: help.into(),
        }
    }
}

/// The known key nearest to `key`, if it is near enough to be a typo.
fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

/// Whether `name` of `ecosystem` matches a package pattern `[ecosystem:]glob`.
pub fn package_matches(pattern: &str, ecosystem: &str, name: &str) -> bool {
    let (eco, glob) = match pattern.split_once(':') {
        Some((eco, glob)) => (Some(eco), glob),
        None => (None, pattern),
    };
    eco.is_none_or(|e| e == ecosystem) && wildcard(glob, name)
}

/// `*` matches any run of characters; everything else matches itself.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        let e = Config::parse_file("monorel.toml", text).unwrap_err();
        format!("{}:{:?}: {} (help: {})", e.path, e.line, e.message, e.help)
    }

    #[test]
    fn a_release_flow() {
        let config = Config::parse_file(
            "monorel.toml",
            "[release.flow]\ndevelop = \"dev\"\nrelease-branch = \"release-v{version}\"\n",
        )
        .unwrap();
        assert_eq!(
            config.release.flow,
            Some(FlowConfig {
                develop: "dev".into(),
                main: "main".into(),
                release_branch: Some("release-v{version}".into()),
                hotfix_branch: "hotfix/v{version}".into(),
                delete_branch: false,
            })
        );
        // `develop` left out is `main`: one trunk.
        let trunk =
            Config::parse_file("monorel.toml", "[release.flow]\nmain = \"trunk\"\n").unwrap();
        assert_eq!(trunk.release.flow.unwrap().develop, "trunk");
        assert_eq!(Config::parse_file("monorel.toml", "").unwrap().release.flow, None);
        assert_eq!(
            error("[release.flow]\nrelease-branch = \"release\"\n"),
            "monorel.toml:Some(2): `release.flow.release-branch` is `release`, which has no `{version}` (help: name each branch by its version, e.g. `release-branch = \"release/v{version}\"`)"
        );
        assert!(error("[release.flow]\ndevlop = \"dev\"\n").contains("develop"));
    }

    #[test]
    fn a_full_configuration() {
        let config = Config::parse_file(
            "monorel.toml",
            "exclude = [\"testdata/\"]\n\n[groups.rust]\npackages = [\"cargo:*\"]\n\n[groups.sdk]\npaths = [\"sdk/\"]\ntag = \"sdk-v{version}\"\n\n[[groups.sdk.files]]\npath = \"README.md\"\npattern = 'sdk==(?<version>\\S+)'\ncount = 2\nspelling = \"pep440\"\n",
        )
        .unwrap();
        assert_eq!(config.exclude, ["testdata/"]);
        assert_eq!(config.groups.len(), 2);
        assert_eq!(config.tag_of("rust"), "v{version}");
        assert_eq!(config.tag_of("sdk"), "sdk-v{version}");
        assert_eq!(config.groups[1].files[0].count, 2);
        assert_eq!(config.groups[1].files[0].spelling, Spelling::Pep440);
    }

    #[test]
    fn mistakes_name_the_key_the_line_and_the_fix() {
        assert_eq!(
            error("[groups.rust]\npackage = [\"cargo:*\"]\n"),
            "monorel.toml:Some(2): unknown key `groups.rust.package` (help: did you mean `groups.rust.packages`? known keys: packages, paths, tag, files, app-version, artifacts)"
        );
        assert_eq!(
            error("exlude = []\n"),
            "monorel.toml:Some(1): unknown key `exlude` (help: did you mean `exclude`? known keys: exclude, include, groups, release)"
        );
        assert_eq!(
            error("[groups.a]\npaths = [\"a/\"]\ntag = \"a-{ver}\"\n"),
            "monorel.toml:Some(3): `groups.a.tag` must contain `{version}`, found `a-{ver}` (help: write e.g. `tag = \"v{version}\"`)"
        );
        assert_eq!(
            error("[groups.a]\ntag = \"v{version}\"\n"),
            "monorel.toml:Some(1): group `a` has neither `packages` nor `paths`, so it holds nothing (help: add `packages = [\"cargo:*\"]` or `paths = [\"crates/\"]`)"
        );
        assert_eq!(
            error(
                "[groups.a]\npaths = [\"a/\"]\n[[groups.a.files]]\npath = \"x\"\npattern = \"v(\\\\d+)\"\n"
            ),
            "monorel.toml:Some(4): `groups.a.files.pattern` has no group named `version`: `v(\\d+)` (help: mark the version with `(?<version>...)`)"
        );
        assert_eq!(
            error("[groups\n"),
            "monorel.toml:Some(1): invalid TOML: unclosed table, expected `]` (help: fix the syntax error)"
        );
    }

    #[test]
    fn paths_must_stay_inside_the_repository() {
        assert_eq!(
            error("[release]\nchangelog = \"../../x\"\n"),
            "monorel.toml:Some(2): `release.changelog` must be a path inside the repository; `../../x` leaves the repository (`..`) (help: write a path relative to the repository root, without `..` that leaves it)"
        );
        assert_eq!(
            error("[release]\nchangelog = \"/home/u/.bashrc\"\n"),
            "monorel.toml:Some(2): `release.changelog` must be a path inside the repository; `/home/u/.bashrc` is absolute (help: write a path relative to the repository root, without `..` that leaves it)"
        );
        assert_eq!(
            error(
                "[groups.a]\npaths = [\"a/\"]\n\n[[groups.a.files]]\npattern = \"(?<version>.*)\"\npath = \"/proc/self/environ\"\n"
            ),
            "monorel.toml:Some(6): `groups.a.files.path` must be a path inside the repository; `/proc/self/environ` is absolute (help: write a path relative to the repository root, without `..` that leaves it)"
        );
        assert_eq!(
            error(
                "[groups.a]\npaths = [\"a/\"]\nartifacts = [\n  \"dist/\",\n  \"a/../../dist\",\n]\n"
            ),
            "monorel.toml:Some(5): `groups.a.artifacts` must be a path inside the repository; `a/../../dist` leaves the repository (`..`) (help: write a path relative to the repository root, without `..` that leaves it)"
        );
        assert_eq!(
            error("exclude = [\"x\\u0000y\"]\n"),
            "monorel.toml:Some(1): `exclude` must be a path inside the repository; `x\\0y` contains a NUL byte (help: write a path relative to the repository root, without `..` that leaves it)"
        );
        let manifest = "[workspace]\n\n[workspace.metadata.monorel.release]\nchangelog = \"../CHANGELOG.md\"\n";
        let e = Config::from_cargo_manifest("Cargo.toml", manifest).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (
                Some(4),
                "`release.changelog` must be a path inside the repository; `../CHANGELOG.md` leaves the repository (`..`)"
            )
        );
        assert!(
            Config::parse_file("monorel.toml", "[release]\nchangelog = \"docs/../CHANGES.md\"\n")
                .is_ok()
        );
    }

    #[test]
    fn release_settings() {
        let config = Config::parse_file(
            "monorel.toml",
            "[release]\nbranches = [\"main\", \"release/*\"]\npre-commit = [\"cargo test\"]\npush = true\nnext-dev = true\n",
        )
        .unwrap();
        assert_eq!(config.release.branches, ["main", "release/*"]);
        assert_eq!(config.release.pre_commit, ["cargo test"]);
        assert!(config.release.push && config.release.next_dev && !config.release.sign);
        assert_eq!(config.release.commit_message, "chore(release): {tag}");
        assert_eq!(config.release.tag_message, "{notes}");
        let messages = Config::parse_file(
            "monorel.toml",
            "[release]\ntag-message = \"Release {tag}\"\nnext-dev-message = \"chore: {version}\"\n",
        )
        .unwrap();
        assert_eq!(messages.release.tag_message, "Release {tag}");
        assert_eq!(messages.release.next_dev_message, "chore: {version}");
        assert!(
            error("[release]\ntag-mesage = \"x\"\n")
                .contains("did you mean `release.tag-message`?")
        );
        assert_eq!(
            error("[release]\npush = \"yes\"\n"),
            "monorel.toml:Some(2): `release.push` must be `true` or `false` (help: write `push = true`)"
        );
        assert_eq!(
            error("[release]\npre_commit = []\n"),
            "monorel.toml:Some(2): unknown key `release.pre_commit` (help: did you mean `release.pre-commit`? known keys: branches, pre-commit, post-tag, push, sign, next-dev, commit-message, tag-message, next-dev-message, changelog, flow)"
        );
    }

    #[test]
    fn package_patterns() {
        assert!(package_matches("cargo:*", "cargo", "monorel"));
        assert!(!package_matches("cargo:*", "python", "monorel"));
        assert!(package_matches("monorel-*", "python", "monorel-sdk"));
        assert!(!package_matches("monorel-*", "python", "monorel"));
        assert!(package_matches("*-sdk", "python", "acme-sdk"));
        assert!(package_matches("a*c*e", "helm", "abcde"));
        assert!(!package_matches("a*c*e", "helm", "abde"));
    }
}
