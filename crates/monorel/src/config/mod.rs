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

use toml_edit::{Document, TableLike};

use crate::{editors::line_at, version::Spelling};

mod parse;

use parse::Parser;

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
mod tests;
