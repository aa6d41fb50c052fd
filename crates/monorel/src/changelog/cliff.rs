//! The commit rules of a `cliff.toml` with git-cliff's meaning: `commit_preprocessors`,
//! `commit_parsers` (`message`, `body`, `footer`, `field` + `pattern`, `sha`; `group`, `scope`,
//! `default_scope`, `skip`), `filter_unconventional`, `filter_commits` and
//! `protect_breaking_commits`.
//!
//! A port of what git-cliff-core 2.9's `Commit::process` decides for a commit (the conventional
//! parse, the group and scopes, whether the commit is left out), in the same order and with the
//! same regex semantics, so that a `cliff.toml` written for git-cliff sorts commits the same way
//! here. The rest of git-cliff-core (Tera templates, the `config` crate, its cache, about 180
//! crates) renders changelogs monorel does not write, so it is not a dependency
//! (docs/benchmarks.md, "First run of the xtask"); `docs/cliff-differential` checks the port
//! against git-cliff-core itself.

use std::borrow::Cow;

use regex::Regex;
use serde_json::{Value, json};

use super::commits::RawCommit;

/// The `[git]` table of a `cliff.toml`, as far as it describes commits.
#[derive(Debug, Clone, Default)]
pub(crate) struct GitConfig {
    /// Leave out commits that are not Conventional Commits.
    pub(crate) filter_unconventional: bool,
    /// Rewrite each message before it is parsed (regex replacements).
    pub(crate) commit_preprocessors: Vec<TextProcessor>,
    /// Give commits a group and scope, or skip them; the first parser that matches decides.
    pub(crate) commit_parsers: Vec<CommitParser>,
    /// A `skip` parser does not skip a breaking commit.
    pub(crate) protect_breaking_commits: bool,
    /// Leave out commits no parser matches.
    pub(crate) filter_commits: bool,
    /// Turn references in entries into links (applied by `links::Linker`).
    pub(crate) link_parsers: Vec<LinkParser>,
}

/// One `commit_parsers` rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommitParser {
    /// A full commit id this rule is for.
    pub(crate) sha: Option<String>,
    /// Matched against the whole (preprocessed) message.
    pub(crate) message: Option<Regex>,
    /// Matched against the conventional body.
    pub(crate) body: Option<Regex>,
    /// Matched against each conventional footer, `token: value`.
    pub(crate) footer: Option<Regex>,
    pub(crate) group: Option<String>,
    pub(crate) default_scope: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) skip: Option<bool>,
    /// A field of git-cliff's commit context (`author.name`, `footers[0].token`, ...),
    /// matched against `pattern`.
    pub(crate) field: Option<String>,
    pub(crate) pattern: Option<Regex>,
}

/// One `commit_preprocessors` rule: every match of `pattern` replaced by `replace` (`$1`...).
#[derive(Debug, Clone)]
pub(crate) struct TextProcessor {
    pub(crate) pattern: Regex,
    pub(crate) replace: String,
}

/// One `link_parsers` rule.
#[derive(Debug, Clone)]
pub(crate) struct LinkParser {
    pub(crate) pattern: Regex,
    /// The URL, with `$1`... from `pattern`.
    pub(crate) href: String,
    /// The link text, with `$1`... (the match itself when unset).
    pub(crate) text: Option<String>,
}

/// What the rules made of a commit.
#[derive(Debug)]
pub(crate) struct Classified<'m> {
    pub(crate) conv: Option<git_conventional::Commit<'m>>,
    pub(crate) group: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) default_scope: Option<String>,
}

impl GitConfig {
    /// `message` after the `commit_preprocessors`, in order; borrowed while none changed it.
    pub(crate) fn preprocess<'m>(&self, message: &'m str) -> Cow<'m, str> {
        let mut message = Cow::Borrowed(message);
        for p in &self.commit_preprocessors {
            let replaced = match p.pattern.replace_all(&message, p.replace.as_str()) {
                Cow::Owned(text) => Some(text),
                Cow::Borrowed(_) => None,
            };
            if let Some(text) = replaced {
                message = Cow::Owned(text);
            }
        }
        message
    }

    /// The commit `raw` with its preprocessed `message`, or `None` when the rules leave it
    /// out: not conventional under `filter_unconventional`, matched by a `skip` parser,
    /// matched by no parser under `filter_commits`, or without the `field` a parser reads (as
    /// git-cliff, which fails on such a commit and so leaves it out).
    pub(crate) fn classify<'m>(
        &self,
        raw: &RawCommit<'_>,
        message: &'m str,
    ) -> Option<Classified<'m>> {
        let conv = match git_conventional::Commit::parse(message) {
            Ok(conv) => Some(conv),
            Err(_) if self.filter_unconventional => return None,
            Err(_) => None,
        };
        let mut commit = Classified { conv, group: None, scope: None, default_scope: None };
        commit.apply(self, raw, message).then_some(commit)
    }
}

impl Classified<'_> {
    /// git-cliff's `Commit::parse`: the first parser with a match sets the group and scopes
    /// (or skips); `false` when the commit is left out.
    fn apply(&mut self, config: &GitConfig, raw: &RawCommit<'_>, message: &str) -> bool {
        let mut context: Option<Value> = None;
        let body = self.conv.as_ref().and_then(|c| c.body()).map(str::to_string);
        for parser in &config.commit_parsers {
            let mut checks: Vec<(&Regex, Cow<'_, str>)> = Vec::new();
            if let Some(re) = &parser.message {
                checks.push((re, Cow::Borrowed(message)));
            }
            if let Some(re) = &parser.body {
                checks.push((re, Cow::Owned(body.clone().unwrap_or_default())));
            }
            if let (Some(re), Some(conv)) = (&parser.footer, &self.conv) {
                checks.extend(conv.footers().iter().map(|f| (re, Cow::Owned(f.to_string()))));
            }
            if let (Some(field), Some(re)) = (&parser.field, &parser.pattern) {
                let value = if field == "body" {
                    body.clone()
                } else {
                    let context = context.get_or_insert_with(|| self.context(raw, message));
                    dotted_pointer(context, field).and_then(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(_) | Value::Bool(_) | Value::Null => Some(v.to_string()),
                        _ => None,
                    })
                };
                match value {
                    Some(value) => checks.push((re, Cow::Owned(value))),
                    None => return false,
                }
            }
            let skip = parser.skip.unwrap_or(false)
                && !(config.protect_breaking_commits
                    && self.conv.as_ref().is_some_and(|c| c.breaking()));
            if parser.sha.as_ref().map(|s| s.to_lowercase()).as_deref() == Some(raw.id) {
                if skip {
                    return false;
                }
                self.group = parser.group.clone().or(self.group.take());
                self.scope = parser.scope.clone().or(self.scope.take());
                self.default_scope = parser.default_scope.clone().or(self.default_scope.take());
                return true;
            }
            for (re, text) in &checks {
                if re.is_match(text.trim()) {
                    if skip {
                        return false;
                    }
                    // `$1` in a group or scope: git-cliff replaces within each match in turn.
                    let expand = |mut value: String| {
                        for m in re.find_iter(text) {
                            value = re.replace(m.as_str(), value.as_str()).into_owned();
                        }
                        value
                    };
                    self.group = parser.group.clone().map(expand);
                    self.scope = parser.scope.clone().map(expand);
                    self.default_scope.clone_from(&parser.default_scope);
                    return true;
                }
            }
        }
        !config.filter_commits
    }

    /// The commit as git-cliff serialises it for `field` lookups (before any parser ran).
    fn context(&self, raw: &RawCommit<'_>, message: &str) -> Value {
        let signature = |(name, email, timestamp): (&str, &str, i64)| json!({ "name": name, "email": email, "timestamp": timestamp });
        let mut context = match &self.conv {
            Some(conv) => json!({
                "message": conv.description(),
                "body": conv.body(),
                "footers": conv.footers().iter().map(|f| json!({
                    "token": f.token().as_str(),
                    "separator": f.separator().as_str(),
                    "value": f.value(),
                    "breaking": f.breaking(),
                })).collect::<Vec<_>>(),
                "group": self.group.as_deref().unwrap_or(conv.type_().as_str()),
                "breaking_description": conv.breaking_description(),
                "breaking": conv.breaking(),
                "scope": self.scope.as_deref()
                    .or(conv.scope().map(|s| s.as_str()))
                    .or(self.default_scope.as_deref()),
            }),
            None => json!({
                "message": message,
                "group": self.group,
                "scope": self.scope.as_deref().or(self.default_scope.as_deref()),
            }),
        };
        let common = json!({
            "id": raw.id,
            "links": [],
            "author": signature(raw.author),
            "committer": signature(raw.committer),
            "conventional": self.conv.is_some(),
            "merge_commit": raw.is_merge(),
            "extra": null,
            "raw_message": message,
        });
        if let (Value::Object(context), Value::Object(common)) = (&mut context, common) {
            context.extend(common);
        }
        context
    }
}

/// Tera's `dotted_pointer`, which git-cliff uses for `field`: `author.name`,
/// `footers.0.token` (crate-visible for `docs/cliff-differential`, which checks it against
/// Tera's).
pub(crate) fn dotted_pointer<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    path_tokens(pointer).into_iter().try_fold(value, |target, token| {
        let token = token.replace("~1", "/").replace("~0", "~");
        match target {
            Value::Object(map) => map.get(&token),
            Value::Array(list) => {
                let index = (!token.starts_with('+') && (token == "0" || !token.starts_with('0')))
                    .then(|| token.parse::<usize>().ok())
                    .flatten();
                index.and_then(|i| list.get(i))
            }
            _ => None,
        }
    })
}

/// The keys of a dotted path, split as Tera's `PointerMachina` splits them (a line-for-line
/// port): on `.` and `[` outside quotes and not after a backslash; quotes and `]` are dropped.
fn path_tokens(pointer: &str) -> Vec<&str> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    let mut last = 0;
    let mut tokens = Vec::new();
    'next: loop {
        let forwarded = pointer.get(last..).unwrap_or_default();
        let mut offset = 0;
        for (i, c) in forwarded.char_indices() {
            let outside = !single && !double && !escaped;
            match c {
                '"' | '\'' if !escaped => {
                    if c == '"' {
                        double = !double;
                    } else {
                        single = !single;
                    }
                    if i == offset {
                        offset += 1;
                    } else {
                        let token = pointer.get(last + offset..last + i).unwrap_or_default();
                        last += i + 1;
                        if !token.is_empty() {
                            tokens.push(token);
                            continue 'next;
                        }
                    }
                }
                '\\' => {
                    escaped = true;
                    continue;
                }
                '[' if outside => {
                    let token = pointer.get(last + offset..last + i).unwrap_or_default();
                    last += i + 1;
                    if !token.is_empty() {
                        tokens.push(token);
                        continue 'next;
                    }
                }
                ']' if outside => offset += 1,
                '.' if outside => {
                    if i == offset {
                        offset += 1;
                    } else {
                        let token = pointer.get(last + offset..last + i).unwrap_or_default();
                        last += i + 1;
                        if !token.is_empty() {
                            tokens.push(token);
                            continue 'next;
                        }
                    }
                }
                _ => {}
            }
            escaped = false;
        }
        if let Some(token) = pointer.get(last + offset..).filter(|t| !t.is_empty()) {
            tokens.push(token);
        }
        return tokens;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "8f55e69eba6e6ce811ace32bd84cc82215673cb6";

    fn raw(message: &str) -> RawCommit<'_> {
        RawCommit {
            id: ID,
            parents: "a0",
            author: ("John Doe", "john@example.com", 7),
            committer: ("Ada", "ada@example.com", 8),
            message,
        }
    }

    fn parser(f: impl FnOnce(&mut CommitParser)) -> CommitParser {
        let mut p = CommitParser::default();
        f(&mut p);
        p
    }

    fn re(pattern: &str) -> Option<Regex> {
        Some(Regex::new(pattern).unwrap())
    }

    /// `group / scope / default_scope` of `message`, or `left out`.
    fn classify(config: &GitConfig, message: &str) -> String {
        let preprocessed = config.preprocess(message);
        match config.classify(&raw(message), &preprocessed) {
            None => "left out".into(),
            Some(c) => format!(
                "{} {:?} / {:?} / {:?}",
                c.conv.map_or("-".into(), |c| c.description().to_string()),
                c.group,
                c.scope,
                c.default_scope
            ),
        }
    }

    fn config(parsers: Vec<CommitParser>) -> GitConfig {
        GitConfig { filter_unconventional: true, commit_parsers: parsers, ..GitConfig::default() }
    }

    #[test]
    fn the_first_matching_parser_sets_group_and_scopes() {
        let c = config(vec![
            parser(|p| {
                p.message = re("^test*");
                p.group = Some("test_group".into());
                p.default_scope = Some("test_scope".into());
            }),
            parser(|p| {
                p.message = re(".*");
                p.group = Some("Other".into());
            }),
        ]);
        assert_eq!(
            classify(&c, "test(commit): add test"),
            r#"add test Some("test_group") / None / Some("test_scope")"#
        );
        assert_eq!(classify(&c, "fix: y"), r#"y Some("Other") / None / None"#);
        assert_eq!(classify(&c, "xyz"), "left out", "not conventional");
        let all = GitConfig { filter_unconventional: false, ..c };
        assert_eq!(classify(&all, "xyz"), r#"- Some("Other") / None / None"#);
    }

    #[test]
    fn groups_and_scopes_take_captures() {
        let c = config(vec![parser(|p| {
            p.message = re(r"^(\w+)\((\w+)\)");
            p.group = Some("$1 work".into());
            p.scope = Some("in $2".into());
        })]);
        assert_eq!(
            classify(&c, "feat(cli): add x"),
            r#"add x Some("feat work") / Some("in cli") / None"#
        );
    }

    #[test]
    fn body_footer_and_sha_rules() {
        let c = config(vec![
            parser(|p| {
                p.sha = Some(ID.to_uppercase());
                p.group = Some("By id".into());
            }),
            parser(|p| {
                p.body = re("(?i)security");
                p.group = Some("Security".into());
            }),
        ]);
        assert_eq!(classify(&c, "fix: x\n\nA security fix."), r#"x Some("By id") / None / None"#);
        let c = config(vec![
            parser(|p| {
                p.body = re("(?i)security");
                p.group = Some("Security".into());
            }),
            parser(|p| {
                p.footer = re("^Refs:#[0-9]+$"); // `token`, separator, value
                p.group = Some("Tracked".into());
            }),
        ]);
        assert_eq!(
            classify(&c, "fix: x\n\nA security fix."),
            r#"x Some("Security") / None / None"#
        );
        assert_eq!(classify(&c, "fix: x\n\nRefs: #12"), r#"x Some("Tracked") / None / None"#);
        assert_eq!(classify(&c, "fix: x"), "x None / None / None");
        let skip = config(vec![parser(|p| {
            p.sha = Some(ID.into());
            p.skip = Some(true);
        })]);
        assert_eq!(classify(&skip, "fix: x"), "left out");
    }

    #[test]
    fn skipping_filtering_and_protected_breaking_commits() {
        let skip_chores = vec![parser(|p| {
            p.message = re("^chore");
            p.skip = Some(true);
        })];
        let c = config(skip_chores.clone());
        assert_eq!(classify(&c, "chore: tidy"), "left out");
        assert_eq!(classify(&c, "chore!: drop 1.70"), "left out");
        let protect = GitConfig { protect_breaking_commits: true, ..config(skip_chores) };
        assert_eq!(classify(&protect, "chore!: drop 1.70"), "drop 1.70 None / None / None");
        let filter = GitConfig { filter_commits: true, ..protect };
        assert_eq!(classify(&filter, "fix: x"), "left out", "no parser matched");
        assert_eq!(classify(&filter, "chore!: drop 1.70"), "drop 1.70 None / None / None");
    }

    #[test]
    fn fields_of_the_commit_context() {
        let field = |name: &str, pattern: &str| {
            config(vec![parser(|p| {
                p.field = Some(name.into());
                p.pattern = re(pattern);
                p.group = Some(format!("{name} matched"));
            })])
        };
        let matched = |name: &str, pattern: &str, message: &str| {
            classify(&field(name, pattern), message).contains(&format!("Some(\"{name} matched\")"))
        };
        assert!(matched("author.name", "^John Doe$", "feat: x"));
        assert!(!matched("author.name", "Something else", "feat: x"));
        assert!(matched("committer.email", "^ada@", "feat: x"));
        assert!(matched("author.timestamp", "^7$", "feat: x"));
        assert!(matched("id", "^8f55e69e", "feat: x"));
        assert!(matched("message", "^x$", "feat: x"), "the description");
        assert!(matched("raw_message", "^feat: x$", "feat: x"));
        assert!(matched("group", "^feat$", "feat: x"), "the type before any parser");
        assert!(matched("scope", "^cli$", "feat(cli): x"));
        assert!(matched("body", "^Long text$", "feat: x\n\nLong text"));
        assert!(matched("breaking", "^true$", "feat!: x"));
        assert!(matched("breaking_description", "^gone$", "feat: x\n\nBREAKING CHANGE: gone"));
        assert!(matched("footers.0.token", "^Refs$", "feat: x\n\nRefs: #1"));
        assert!(matched("footers.0.separator", "^:$", "feat: x\n\nRefs: #1"));
        assert!(matched("footers.0.value", "^#1$", "feat: x\n\nRefs: #1"));
        assert!(matched("merge_commit", "^false$", "feat: x"));
        assert!(matched("extra", "^null$", "feat: x"));
        // A field that is missing or not a plain value: git-cliff fails the commit, so it is
        // left out.
        let all = |c: GitConfig| GitConfig { filter_unconventional: false, ..c };
        assert_eq!(classify(&field("remote.pr_title", ".*"), "feat: x"), "left out");
        assert_eq!(classify(&field("footers", ".*"), "feat: x"), "left out");
        assert_eq!(classify(&all(field("body", ".*")), "WIP"), "left out");
        let wip = classify(&all(field("conventional", "^false$")), "WIP");
        assert_eq!(wip, r#"- Some("conventional matched") / None / None"#);
    }

    #[test]
    fn preprocessors_rewrite_the_message_first() {
        let c = GitConfig {
            commit_preprocessors: vec![
                TextProcessor { pattern: Regex::new(r"^(\w+) ").unwrap(), replace: "$1: ".into() },
                TextProcessor {
                    pattern: Regex::new(r" \(#\d+\)").unwrap(),
                    replace: String::new(),
                },
            ],
            ..config(vec![parser(|p| {
                p.message = re("^fix: crash$");
                p.group = Some("Crashes".into());
            })])
        };
        assert_eq!(c.preprocess("fix crash (#12)"), "fix: crash");
        assert!(matches!(c.preprocess("x"), Cow::Borrowed("x")));
        assert_eq!(classify(&c, "fix crash (#12)"), r#"crash Some("Crashes") / None / None"#);
    }

    #[test]
    fn dotted_paths_split_as_tera_splits_them() {
        assert_eq!(path_tokens("author.name"), ["author", "name"]);
        assert_eq!(path_tokens(r#"foo["bar"].baz"#), ["foo", "bar", "baz"]);
        assert_eq!(path_tokens(r#"foo["bar.baz"]"#), ["foo", "bar.baz"]);
        assert_eq!(path_tokens("foo['bar'].baz['qux'].blub"), ["foo", "bar", "baz", "qux", "blub"]);
        assert_eq!(path_tokens("a.0.b"), ["a", "0", "b"]);
        // Tera's own quirk: an index in brackets keeps the `]` (git-cliff documents `a.0.b`).
        assert_eq!(path_tokens("a[0].b"), ["a", "]", "b"]);
        assert!(path_tokens("").is_empty());
        let value = json!({ "a": [{ "b": 1 }], "c.d": "e" });
        assert_eq!(dotted_pointer(&value, "a.0.b"), Some(&json!(1)));
        assert_eq!(dotted_pointer(&value, "a.01"), None);
        assert_eq!(dotted_pointer(&value, ""), Some(&value));
    }
}
