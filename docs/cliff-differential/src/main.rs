//! Differential check: monorel's `changelog/cliff.rs` against git-cliff-core 2.9.1's
//! `Commit::process` (group, scope, default scope, conventional parse, left out) on random
//! `cliff.toml` rules and messages, and against Tera's `dotted_pointer` on random paths.
//! Outside the workspace, so that git-cliff-core stays out of monorel's build:
//!
//! ```sh
//! cd docs/cliff-differential && CARGO_TARGET_DIR=/tmp/cliff-differential cargo run --release -- 300000
//! ```
#![allow(dead_code)]
mod commits {
    #[derive(Debug, Clone)]
    pub(crate) struct RawCommit<'a> {
        pub(crate) id: &'a str,
        pub(crate) parents: &'a str,
        pub(crate) author: (&'a str, &'a str, i64),
        pub(crate) committer: (&'a str, &'a str, i64),
        pub(crate) message: &'a str,
    }
    impl RawCommit<'_> {
        pub(crate) fn is_merge(&self) -> bool {
            self.parents.split_whitespace().nth(1).is_some()
        }
    }
}
// The engine's module itself; its `super::commits` is the one above.
#[path = "../../../crates/monorel/src/changelog/cliff.rs"]
mod cliff;
use cliff::*;
use commits::RawCommit;
use git_cliff_core::{commit as gc, config as gcfg};
use regex::Regex;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
    fn coin(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

const ID: &str = "8f55e69eba6e6ce811ace32bd84cc82215673cb6";
const MESSAGES: &[&str] = &[
    "feat: add x",
    "feat(cli): add `--check` (#12)",
    "fix!: drop y",
    "fix(security): escape",
    "chore: tidy",
    "chore!: drop Rust 1.70",
    "docs(readme): explain\n\nLong body here.\nSecond line.",
    "fix: handle lock files\n\nBREAKING CHANGE: the lock file is now required",
    "feat: a\n\nRefs: #1\nSigned-off-by: Ada <a@x>",
    "fix: b\n\nbody\n\nSecurity: CVE-2024-1",
    "Update README",
    "WIP",
    "Merge branch 'x'",
    "fix crash (#3)",
    "perf: faster\n\nFixes #9",
    "refactor(core)!: rename\n\nBREAKING CHANGE: `run` is `execute`\nRefs #4",
    "feat(api): JIRA-12 thing",
    "test: more tests",
    "ci: cache",
    "revert: feat: x",
    "feat:no space",
    "Feat(Scope): Upper",
];
const REGEXES: &[&str] = &[
    "^feat",
    "^fix",
    "^chore",
    "^(\\w+)\\((\\w+)\\)",
    "(?i)security",
    ".*",
    "^docs",
    "#(\\d+)",
    "^Refs",
    "Refs:#1",
    "^Signed-off-by",
    "BREAKING",
    "^$",
    "x$",
    "(\\w+)",
    "^WIP$",
    "README",
    "^perf",
    "CVE",
    "Ada",
    "^8f55",
    "^true$",
    "^false$",
    "^null$",
    "^7$",
];
const FIELDS: &[&str] = &[
    "author.name",
    "author.email",
    "author.timestamp",
    "committer.name",
    "id",
    "message",
    "body",
    "group",
    "scope",
    "breaking",
    "breaking_description",
    "footers",
    "footers.0.token",
    "footers.0.value",
    "footers.1.separator",
    "footers.0.breaking",
    "conventional",
    "merge_commit",
    "extra",
    "raw_message",
    "links",
    "remote.pr_title",
    "author",
    "footers[0].token",
    "nope",
];
const GROUPS: &[&str] = &["Added", "$1 stuff", "<!-- 0 -->Fixed", "in $2", "Other", "$0"];

fn opt<'a>(r: &mut Rng, xs: &'a [&'a str], n: u64) -> Option<&'a str> {
    if r.coin(n) { Some(*r.pick(xs)) } else { None }
}

fn main() {
    let mut r = Rng(0x9e3779b97f4a7c15);
    let mut counts = [0usize; 3];
    let cases: usize = std::env::args().nth(1).map_or(200_000, |s| s.parse().unwrap());
    for case in 0..cases {
        let n_parsers = (r.next() % 4) as usize;
        let mut mine = GitConfig {
            filter_unconventional: r.coin(2),
            protect_breaking_commits: r.coin(2),
            filter_commits: r.coin(3),
            ..GitConfig::default()
        };
        let mut theirs = gcfg::GitConfig {
            conventional_commits: true,
            filter_unconventional: mine.filter_unconventional,
            protect_breaking_commits: mine.protect_breaking_commits,
            filter_commits: mine.filter_commits,
            ..gcfg::GitConfig::default()
        };
        if r.coin(3) {
            let (pattern, replace) =
                *r.pick(&[("^(\\w+) ", "$1: "), (" \\(#\\d+\\)", ""), ("x", "y"), ("^", "feat: ")]);
            mine.commit_preprocessors.push(TextProcessor {
                pattern: Regex::new(pattern).unwrap(),
                replace: replace.into(),
            });
            theirs.commit_preprocessors.push(gcfg::TextProcessor {
                pattern: Regex::new(pattern).unwrap(),
                replace: Some(replace.into()),
                replace_command: None,
            });
        }
        for _ in 0..n_parsers {
            let re = |r: &mut Rng, n| opt(r, REGEXES, n).map(|s| Regex::new(s).unwrap());
            let (message, body, footer) = (re(&mut r, 2), re(&mut r, 4), re(&mut r, 4));
            let field = opt(&mut r, FIELDS, 4).map(String::from);
            let pattern = re(&mut r, 1);
            let sha = if r.coin(8) {
                Some(if r.coin(2) { ID.to_uppercase() } else { "abc".into() })
            } else {
                None
            };
            let group = opt(&mut r, GROUPS, 2).map(String::from);
            let scope = opt(&mut r, GROUPS, 4).map(String::from);
            let default_scope = opt(&mut r, &["ds", "$1"], 4).map(String::from);
            let skip = if r.coin(4) { Some(r.coin(2)) } else { None };
            mine.commit_parsers.push(CommitParser {
                sha: sha.clone(),
                message: message.clone(),
                body: body.clone(),
                footer: footer.clone(),
                group: group.clone(),
                default_scope: default_scope.clone(),
                scope: scope.clone(),
                skip,
                field: field.clone(),
                pattern: pattern.clone(),
            });
            theirs.commit_parsers.push(gcfg::CommitParser {
                sha,
                message,
                body,
                footer,
                group,
                default_scope,
                scope,
                skip,
                field,
                pattern,
            });
        }
        let message = *r.pick(MESSAGES);
        let raw = RawCommit {
            id: ID,
            parents: "a0",
            author: ("John Doe", "john@example.com", 7),
            committer: ("Ada", "ada@example.com", 8),
            message,
        };
        let pre = mine.preprocess(message);
        let got = mine.classify(&raw, &pre).map(|c| {
            (
                c.conv.map(|c| {
                    (
                        c.type_().to_string(),
                        c.scope().map(|s| s.to_string()),
                        c.description().to_string(),
                        c.breaking(),
                    )
                }),
                c.group,
                c.scope,
                c.default_scope,
            )
        });
        let mut commit = gc::Commit::new(ID.into(), message.into());
        commit.author = gc::Signature {
            name: Some("John Doe".into()),
            email: Some("john@example.com".into()),
            timestamp: 7,
        };
        commit.committer = gc::Signature {
            name: Some("Ada".into()),
            email: Some("ada@example.com".into()),
            timestamp: 8,
        };
        let want = commit.process(&theirs).ok().map(|c| {
            (
                c.conv.map(|c| {
                    (
                        c.type_().to_string(),
                        c.scope().map(|s| s.to_string()),
                        c.description().to_string(),
                        c.breaking(),
                    )
                }),
                c.group,
                c.scope,
                c.default_scope,
            )
        });
        counts[match &want {
            None => 0,
            Some((_, None, ..)) => 1,
            Some(_) => 2,
        }] += 1;
        if got != want {
            eprintln!(
                "case {case}: message {message:?}\nconfig {:#?}\nmine   {got:?}\ntheirs {want:?}",
                theirs.commit_parsers
            );
            std::process::exit(1);
        }
    }
    println!(
        "{cases} commit cases agree (left out {}, no group {}, grouped {})",
        counts[0], counts[1], counts[2]
    );

    let value = serde_json::json!({ "a": [{ "b": 1 }, [2, 3]], "c.d": "e", "f": { "g": { "h": true } }, "'q'": 4, "[": 5, "x\"y": 6 });
    let alphabet = [
        'a', 'b', 'c', 'f', 'g', 'h', '0', '1', '.', '[', ']', '"', '\'', '\\', 'd', 'q', 'x', 'y',
    ];
    let mut n = 0;
    std::panic::set_hook(Box::new(|_| {})); // Tera panics on some paths: counted, not shown
    for _ in 0..500_000 {
        let len = (r.next() % 9) as usize;
        let pointer: String = (0..len).map(|_| *r.pick(&alphabet)).collect();
        let theirs = std::panic::catch_unwind(|| tera::dotted_pointer(&value, &pointer).cloned());
        let Ok(theirs) = theirs else { continue }; // Tera panics: monorel does not
        n += 1;
        let mine = cliff::dotted_pointer(&value, &pointer).cloned();
        if mine != theirs {
            eprintln!("pointer {pointer:?}: mine {mine:?}, tera {theirs:?}");
            std::process::exit(1);
        }
    }
    println!("{n} dotted paths agree with tera::dotted_pointer");
}
