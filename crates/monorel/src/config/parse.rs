//! The parser of `monorel.toml`'s tables: every key checked against the known ones (with the
//! nearest as a suggestion), every value's type and line in its error.

use std::ops::Range;

use toml_edit::{Item, TableLike};

use super::*;

pub(super) struct Parser<'a> {
    pub(super) path: &'a str,
    pub(super) text: &'a str,
}

impl Parser<'_> {
    pub(super) fn config(&self, root: &dyn TableLike) -> Result<Config, ConfigError> {
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
