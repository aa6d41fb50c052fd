//! Commits to entries: the records of one `git log`, parsed as Conventional Commits 1.0.0 by
//! git-conventional (and a `cliff.toml`'s rules, `cliff.rs`), sorted into Keep a Changelog
//! sections, reverts cancelled, merges skipped.

use std::collections::HashMap;

use super::{
    ChangelogError,
    links::Linker,
    rules::{Rules, Section},
};

/// One commit as `git log` printed it in [`crate::git::LOG_FORMAT`]; every string borrows the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawCommit<'a> {
    pub(crate) id: &'a str,
    /// Parent ids, separated by spaces.
    pub(crate) parents: &'a str,
    pub(crate) author: (&'a str, &'a str, i64),
    pub(crate) committer: (&'a str, &'a str, i64),
    pub(crate) message: &'a str,
}

impl RawCommit<'_> {
    pub(crate) fn is_merge(&self) -> bool {
        self.parents.split_whitespace().nth(1).is_some()
    }

    pub(crate) fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or_default().trim()
    }
}

/// Splits `git log -z` output in [`crate::git::LOG_FORMAT`] into commits, newest first as git
/// printed them: nine NUL-terminated fields a record, so a count, never a separator byte a
/// message could hold, frames each one.
pub(crate) fn parse_log(text: &str) -> Result<Vec<RawCommit<'_>>, ChangelogError> {
    let mut commits = Vec::with_capacity(text.len() / 256);
    let mut rest = text;
    while !rest.is_empty() {
        let mut fields = rest.splitn(10, '\0');
        let mut next = || fields.next();
        let parsed = (|| {
            let id = next()?;
            let parents = next()?;
            let author = (next()?, next()?, next()?.parse().ok()?);
            let committer = (next()?, next()?, next()?.parse().ok()?);
            let message = next()?.trim_end();
            // The record's own final NUL, then the records after it.
            let after = next()?;
            let hex = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
            hex.then_some((RawCommit { id, parents, author, committer, message }, after))
        })();
        match parsed {
            Some((commit, after)) => {
                commits.push(commit);
                rest = after;
            }
            None => {
                let start: String = rest.chars().take(60).collect();
                return Err(ChangelogError::Log {
                    message: format!(
                        "unexpected `git log` record starting `{}`",
                        start.escape_debug()
                    ),
                });
            }
        }
    }
    Ok(commits)
}

/// A line of a changelog section, without its `- ` bullet; later lines start with two spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) section: Section,
    pub(crate) text: String,
}

/// What a range of commits gives: the entries to list, and the entries of commits that a
/// revert in the same range cancelled (a previous run may have written them).
#[derive(Debug, Default)]
pub(crate) struct Entries {
    /// Oldest commit first.
    pub(crate) listed: Vec<Entry>,
    pub(crate) cancelled: Vec<Entry>,
    /// Commits that gave at least one listed entry.
    pub(crate) commits: usize,
    /// The non-conventional commits left out (no `cliff.toml` rule lists them): short id and
    /// subject, oldest first.
    pub(crate) left_out: Vec<(String, String)>,
}

/// What one commit gives, whatever range it is in.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) entries: Vec<Entry>,
    /// A commit that is no Conventional Commit and that no rule lists.
    pub(crate) unconventional: bool,
}

/// Every commit of a log classified once, on every core, before the ranges are cut from it
/// (with `--all`, thousands of short ranges would each run on one core).
pub(crate) struct Classified<'c, 'a> {
    commits: &'c [RawCommit<'a>],
    outcomes: Vec<Outcome>,
}

impl<'c, 'a> Classified<'c, 'a> {
    /// What `commit`, an element of the classified slice, gives: found by its place in the
    /// slice, not by a hash of its id (100,000 lookups with `--all`).
    fn outcome(&self, commit: &RawCommit<'_>) -> Option<&Outcome> {
        let size = std::mem::size_of::<RawCommit<'_>>();
        let offset =
            (commit as *const RawCommit<'_> as usize).checked_sub(self.commits.as_ptr() as usize)?;
        let i = offset / size;
        let same = self.commits.get(i).is_some_and(|c| std::ptr::eq(c.id, commit.id));
        same.then(|| &self.outcomes[i])
    }
}

/// Classifies `commits` (merges give nothing).
pub(crate) fn classify<'c, 'a>(
    commits: &'c [RawCommit<'a>],
    rules: &Rules,
    linker: &Linker<'_>,
) -> Classified<'c, 'a> {
    let outcomes = crate::parallel::map_in_parallel(commits, 4096, |c| {
        if c.is_merge() {
            return Outcome::default();
        }
        let mut outcome = commit_entries(c, rules, linker);
        if !rules.postprocessors.is_empty() {
            for e in &mut outcome.entries {
                e.text = rules.postprocess(std::mem::take(&mut e.text));
            }
        }
        outcome
    });
    Classified { commits, outcomes }
}

/// The entries of a range of commits (given newest first, as git prints them), all of them in
/// `classified`.
pub(crate) fn entries(commits: &[&RawCommit<'_>], classified: &Classified<'_, '_>) -> Entries {
    let reverted: Vec<Option<&str>> = commits.iter().map(|c| reverted_id(c.message)).collect();
    // The range's own index only when it has a revert: most ranges have none.
    let index: HashMap<&str, usize> = match reverted.iter().any(Option::is_some) {
        true => commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect(),
        false => HashMap::new(),
    };
    let target: Vec<Option<usize>> =
        reverted.iter().map(|id| id.and_then(|id| index.get(id).copied())).collect();
    // Oldest first, each in-range revert toggles what it reverts (and, through a revert of a
    // revert, what that one reverted).
    let mut effective = vec![true; commits.len()];
    for i in (0..commits.len()).rev() {
        if effective[i] {
            let mut on = false;
            let mut at = target[i];
            let mut steps = 0;
            while let Some(t) = at {
                effective[t] = on;
                on = !on;
                at = target[t];
                steps += 1;
                if steps > commits.len() {
                    break;
                }
            }
        }
    }
    let mut out = Entries::default();
    for i in (0..commits.len()).rev() {
        let c = commits[i];
        if c.is_merge() || target[i].is_some() {
            continue;
        }
        let Some(outcome) = classified.outcome(c) else { continue };
        if outcome.unconventional {
            out.left_out.push((c.id.chars().take(7).collect(), c.subject().to_string()));
        }
        if effective[i] {
            out.commits += usize::from(!outcome.entries.is_empty());
            out.listed.extend(outcome.entries.iter().cloned());
        } else {
            out.cancelled.extend(outcome.entries.iter().cloned());
        }
    }
    out
}

/// For `release auto` under a `cliff.toml` whose parsers put commits into groups: the sections
/// the changelog lists `raw` under (none when a parser skips it); `None` without such groups,
/// where the Conventional Commit type decides.
pub(crate) fn grouped_sections(raw: &RawCommit<'_>, rules: &Rules) -> Option<Vec<Section>> {
    if !rules.git.commit_parsers.iter().any(|p| p.group.is_some()) {
        return None;
    }
    let linker = Linker { forge: None, parsers: &[] };
    Some(commit_entries(raw, rules, &linker).entries.into_iter().map(|e| e.section).collect())
}

/// The id in a revert's "This reverts commit <id>." line.
fn reverted_id(message: &str) -> Option<&str> {
    // Only reverts say so (`Revert "..."` from git, or a `revert:` type): skip the search in
    // every other message.
    if !message.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("revert")) {
        return None;
    }
    let at = message.find("This reverts commit ")? + "This reverts commit ".len();
    let id = &message[at..];
    let end = id.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(id.len());
    (end >= 7).then_some(&id[..end])
}

/// The entries of one commit: usually one, none for excluded types, more with `Deprecated:` or
/// `Removed:` footers.
fn commit_entries(raw: &RawCommit<'_>, rules: &Rules, linker: &Linker<'_>) -> Outcome {
    let listed = |entries: Vec<Entry>| Outcome { entries, unconventional: false };
    // A CR is no part of a message's text: CRLF is a line end, a lone CR a space (the
    // Conventional Commits parser would take it for a line end, then fail on the missing blank
    // line, and the commit would vanish from the changelog). Nor is `git cherry-pick -x`'s
    // note: right after a footer, it would read as that footer's text.
    let message = message_text(raw.message);
    let raw = &RawCommit { message: &message, ..raw.clone() };
    if let Some(inner) = revert_subject(raw.subject()) {
        // A revert of a released commit: say what came back out.
        let parsed = git_conventional::Commit::parse(inner).ok();
        let section = match &parsed {
            Some(c) if c.type_().as_str() == "feat" => Section::Removed,
            _ => Section::Changed,
        };
        let shown = parsed.as_ref().map_or(inner, |c| c.description());
        let text = format!("Revert \"{}\"", linker.link(&upper_first(shown)));
        return listed(vec![Entry { section, text }]);
    }

    let preprocessed;
    let view = if rules.process {
        // A `cliff.toml` with parsers: git-cliff's meaning of them (`cliff.rs`).
        preprocessed = rules.git.preprocess(raw.message);
        match rules.git.classify(raw, &preprocessed) {
            Some(c) => View {
                conv: c.conv,
                group: c.group,
                scope: c.scope,
                default_scope: c.default_scope,
            },
            // Skipped by a parser, or filtered out: counted when it is no Conventional Commit.
            None => {
                let unconventional = git_conventional::Commit::parse(raw.message).is_err();
                return Outcome { entries: Vec::new(), unconventional };
            }
        }
    } else {
        // The same parser git-cliff-core calls, on the borrowed message (no copy, no leak).
        let conv = git_conventional::Commit::parse(raw.message).ok();
        View { conv, group: None, scope: None, default_scope: None }
    };

    let Some(conv) = view.conv.as_ref() else {
        let section = match (&view.group, &rules.unconventional) {
            (Some(group), _) => Section::from_heading(group),
            (None, Some(heading)) => Section::Other(heading.clone()),
            (None, None) => return Outcome { entries: Vec::new(), unconventional: true },
        };
        let text = linker.link(&upper_first(raw.subject()));
        return listed(vec![Entry { section, text }]);
    };

    let kind = conv.type_().as_str().to_ascii_lowercase();
    let scope = view
        .scope
        .as_deref()
        .or(conv.scope().map(|s| s.as_str()))
        .or(view.default_scope.as_deref());
    let breaking = conv.breaking();
    let footer = |names: &[&str]| {
        conv.footers()
            .iter()
            .filter(|f| names.iter().any(|n| f.token().as_str().eq_ignore_ascii_case(n)))
            .map(|f| f.value().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<String>>()
    };
    let security = footer(&["Security"]);
    let mut section = match &view.group {
        Some(group) => Some(Section::from_heading(group)),
        None => match kind.as_str() {
            "feat" | "feature" => Some(Section::Added),
            "fix" | "bugfix" if scope.is_some_and(|s| s.eq_ignore_ascii_case("security")) => {
                Some(Section::Security)
            }
            "fix" | "bugfix" | "hotfix" => Some(Section::Fixed),
            "perf" | "refactor" => Some(Section::Changed),
            "deprecate" | "deprecated" | "deprecation" => Some(Section::Deprecated),
            "remove" | "removed" | "removal" => Some(Section::Removed),
            "security" | "sec" => Some(Section::Security),
            // A release tool's commits (`release: v8.2.2`, `chore(release): ...`, monorel's
            // own) are no change either.
            "docs" | "doc" | "chore" | "ci" | "test" | "tests" | "style" | "build" | "release" => {
                breaking.then_some(Section::Changed)
            }
            _ => Some(Section::Changed),
        },
    };
    if !security.is_empty() && section.is_some() {
        section = Some(Section::Security);
    }

    let mut out = Vec::new();
    if let Some(section) = section {
        let mut text = String::new();
        if breaking {
            text.push_str("**BREAKING** ");
        }
        let redundant = section == Section::Security
            && scope.is_some_and(|s| s.eq_ignore_ascii_case("security"));
        if let Some(scope) = scope.filter(|_| !redundant) {
            text.push_str(&format!("**{scope}**: "));
        }
        let description = conv.description().trim();
        text.push_str(&linker.link(&upper_first(description)));
        for value in security.iter().filter(|v| !v.is_empty()) {
            text.push_str(&format!(" ({})", linker.link(value)));
        }
        if let Some(why) =
            conv.breaking_description().filter(|d| breaking && d.trim() != description)
        {
            let why = why.split_whitespace().collect::<Vec<_>>().join(" ");
            text.push_str(&format!("\n  {}", linker.link(&upper_first(&why))));
        }
        out.push(Entry { section, text });
    }
    for (names, section) in [
        (&["Deprecated", "Deprecates", "Deprecate"][..], Section::Deprecated),
        (&["Removed", "Removes", "Remove"][..], Section::Removed),
    ] {
        for value in footer(names).into_iter().filter(|v| !v.is_empty()) {
            out.push(Entry { section: section.clone(), text: linker.link(&upper_first(&value)) });
        }
    }
    listed(out)
}

/// `message` with CRLF as LF and any other CR as a space; borrowed when it has no CR.
pub(crate) fn without_cr(message: &str) -> std::borrow::Cow<'_, str> {
    if !message.contains('\r') {
        return message.into();
    }
    message.replace("\r\n", "\n").replace('\r', " ").into()
}

/// `message` as the changelog reads it: [`without_cr`], and without the `(cherry picked from
/// commit <id>)` lines `git cherry-pick -x` adds; borrowed when there is nothing to take out.
pub(crate) fn message_text(message: &str) -> std::borrow::Cow<'_, str> {
    let message = without_cr(message);
    let cherry = |line: &str| {
        line.trim()
            .strip_prefix("(cherry picked from commit ")
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(|id| id.len() >= 7 && id.chars().all(|c| c.is_ascii_hexdigit()))
    };
    if !message.lines().any(cherry) {
        return message;
    }
    let kept: Vec<&str> = message.lines().filter(|line| !cherry(line)).collect();
    format!("{}\n", kept.join("\n").trim_end()).into()
}

/// What parsing a commit told: the conventional parse, and what `cliff.toml` parsers set.
struct View<'m> {
    conv: Option<git_conventional::Commit<'m>>,
    group: Option<String>,
    scope: Option<String>,
    default_scope: Option<String>,
}

/// `feat: x` from git's `Revert "feat: x"` subject.
fn revert_subject(subject: &str) -> Option<&str> {
    subject.strip_prefix("Revert \"")?.strip_suffix('"')
}

/// `text` with its first letter upper-cased when its first word is plainly prose: lower-case
/// ASCII letters with a vowel, maybe followed by `,` `;` `:` `!` `?`. Code, paths, flags,
/// backticked words, words with `_`, `-`, `.`, `::`, digits or capitals in them, and words
/// without a vowel (`www`, `npm`, `ssh`: names) are left as written.
fn upper_first(text: &str) -> String {
    let word = text.split(char::is_whitespace).next().unwrap_or_default();
    let letters = word.trim_end_matches([',', ';', ':', '!', '?']);
    let prose = !letters.is_empty()
        && letters.bytes().all(|b| b.is_ascii_lowercase())
        && letters.bytes().any(|b| b"aeiouy".contains(&b));
    match prose {
        true => text[..1].to_ascii_uppercase() + &text[1..],
        false => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use expect_test::{Expect, expect};

    use super::*;
    use crate::changelog::{links::Forge, rules::parse_cliff_toml};

    /// A `git log` output of `messages` (oldest first), ids `c1`, `c2`, ... padded to hex.
    fn log(messages: &[&str]) -> String {
        let mut out = String::new();
        for (i, m) in messages.iter().enumerate().rev() {
            let parents = if m.starts_with("Merge ") { "a1 b2" } else { "a0" };
            let id = i + 1;
            write!(out, "{id:07x}\0{parents}\0Ada\0a@x\01\0Ada\0a@x\01\0{m}\n\0").unwrap();
        }
        out
    }

    fn render(messages: &[&str], rules: &Rules) -> String {
        let text = log(messages);
        let commits = parse_log(&text).unwrap();
        let forge = Forge::from_remote_url("https://github.com/acme/widget").unwrap();
        let linker = Linker { forge: Some(&forge), parsers: &rules.git.link_parsers };
        let classified = classify(&commits, rules, &linker);
        let commits: Vec<&RawCommit<'_>> = commits.iter().collect();
        let entries = entries(&commits, &classified);
        let mut out = String::new();
        for e in &entries.listed {
            writeln!(out, "{}: {}", e.section, e.text).unwrap();
        }
        for e in &entries.cancelled {
            writeln!(out, "(cancelled) {}: {}", e.section, e.text).unwrap();
        }
        for (id, subject) in &entries.left_out {
            writeln!(out, "(left out) {id} {subject}").unwrap();
        }
        out
    }

    fn check(messages: &[&str], expect: Expect) {
        expect.assert_eq(&render(messages, &Rules::default()));
    }

    #[test]
    fn carriage_returns_are_line_ends_or_spaces() {
        check(
            &["feat: split\rthe parser", "fix: windows line ends\r\n\r\nbody\r\n", "feat: a\r"],
            expect![[r#"
                Added: Split the parser
                Fixed: Windows line ends
                Added: A
            "#]],
        );
    }

    #[test]
    fn each_type_goes_to_its_section() {
        check(
            &[
                "feat: add the thing",
                "fix: stop crashing on empty input",
                "perf: parse in one pass",
                "refactor: split the parser",
                "deprecate: the `--old` flag",
                "remove: the `--older` flag",
                "fix(security): escape tag names",
                "security: pin the checksum",
                "docs: explain",
                "chore: tidy",
                "ci: cache",
                "test: more",
                "style: format",
                "build: bump deps",
                "i18n: add French",
            ],
            expect![[r#"
                Added: Add the thing
                Fixed: Stop crashing on empty input
                Changed: Parse in one pass
                Changed: Split the parser
                Deprecated: The `--old` flag
                Removed: The `--older` flag
                Security: Escape tag names
                Security: Pin the checksum
                Changed: Add French
            "#]],
        );
    }

    #[test]
    fn scopes_breaking_changes_and_footers() {
        check(
            &[
                "feat(cli): add `--check`",
                "feat(api)!: rename `run` to `execute`",
                "fix: handle lock files\n\nBREAKING CHANGE: the lock file is now required",
                "chore!: drop Rust 1.70",
                "feat: add `--output`\n\nDeprecated: `--out`, use `--output`\nRemoved: `--legacy`",
                "fix: reject bad tags\n\nSecurity: CVE-2024-0001",
            ],
            expect![[r#"
                Added: **cli**: Add `--check`
                Added: **BREAKING** **api**: Rename `run` to `execute`
                Fixed: **BREAKING** Handle lock files
                  The lock file is now required
                Changed: **BREAKING** Drop Rust 1.70
                Added: Add `--output`
                Deprecated: `--out`, use `--output`
                Removed: `--legacy`
                Security: Reject bad tags (CVE-2024-0001)
            "#]],
        );
    }

    #[test]
    fn non_conventional_commits_are_dropped_or_listed_by_configuration() {
        let messages = ["Update README", "feat: add x", "WIP"];
        expect![[r#"
            Added: Add x
            (left out) 0000001 Update README
            (left out) 0000003 WIP
        "#]]
        .assert_eq(&render(&messages, &Rules::default()));
        let listed =
            parse_cliff_toml("cliff.toml", "[git]\nfilter_unconventional = false\n").unwrap();
        expect![[r#"
            Other: Update README
            Added: Add x
            Other: WIP
        "#]]
        .assert_eq(&render(&messages, &listed));
        let named = parse_cliff_toml(
            "cliff.toml",
            "[git]\nfilter_unconventional = false\ncommit_parsers = [\n  { message = \"^feat\", group = \"<!-- 0 -->Added\" },\n  { message = \".*\", group = \"<!-- 9 -->Miscellaneous\" },\n]\n",
        )
        .unwrap();
        expect![[r#"
            Miscellaneous: Update README
            Added: Add x
            Miscellaneous: WIP
        "#]]
        .assert_eq(&render(&messages, &named));
    }

    #[test]
    fn cliff_toml_parsers_skip_regroup_and_link() {
        let rules = parse_cliff_toml(
            "cliff.toml",
            r#"[git]
commit_parsers = [
  { message = "^feat\\(internal\\)", skip = true },
  { message = "^perf", group = "Performance" },
  { body = "(?i)cve", group = "Security" },
]
link_parsers = [{ pattern = "JIRA-(\\d+)", href = "https://jira.example/browse/JIRA-$1" }]
"#,
        )
        .unwrap();
        expect![[r#"
            Performance: Cache the index
            Security: Bound the header size
            Added: Add x for [JIRA-12](https://jira.example/browse/JIRA-12) ([#4](https://github.com/acme/widget/issues/4))
        "#]]
        .assert_eq(&render(
            &[
                "feat(internal): refactor helper",
                "perf: cache the index",
                "fix: bound the header size\n\nFixes CVE-2024-1.",
                "feat: add x for JIRA-12 (#4)",
            ],
            &rules,
        ));
    }

    #[test]
    fn only_plain_prose_is_capitalised() {
        check(
            &[
                "fix: www",
                "fix: single_top_directory is read once",
                "feat: verify-artifacts checks the chart",
                "fix: `--check` exits non-zero",
                "fix: src/lib.rs keeps its BOM",
                "feat: --pull fast-forwards first",
                "fix: repo::load skips set-aside paths",
                "fix: pyproject.toml with a BOM",
                "feat: npm packages",
                "fix: iOS builds",
                "fix: v2 tags",
                "fix: handle the lock",
                "feat: also, read the index",
                "feat(cli)!: www moves\n\nBREAKING CHANGE: www_root is gone",
            ],
            expect![[r#"
                Fixed: www
                Fixed: single_top_directory is read once
                Added: verify-artifacts checks the chart
                Fixed: `--check` exits non-zero
                Fixed: src/lib.rs keeps its BOM
                Added: --pull fast-forwards first
                Fixed: repo::load skips set-aside paths
                Fixed: pyproject.toml with a BOM
                Added: npm packages
                Fixed: iOS builds
                Fixed: v2 tags
                Fixed: Handle the lock
                Added: Also, read the index
                Added: **BREAKING** **cli**: www moves
                  www_root is gone
            "#]],
        );
    }

    #[test]
    fn release_commits_are_no_entries_unless_a_parser_says_so() {
        let messages = [
            "release: v8.2.2",
            "release: plugin-legacy@8.1.0-beta.0",
            "chore(release): v1.2.0",
            "chore(release): start 1.3.0-dev",
            "fix: keep the lock",
        ];
        check(
            &messages,
            expect![[r#"
                Fixed: Keep the lock
            "#]],
        );
        let listed = parse_cliff_toml(
            "cliff.toml",
            "[git]\ncommit_parsers = [\n  { message = \"^release\", group = \"Releases\" },\n]\n",
        )
        .unwrap();
        expect![[r#"
            Releases: v8.2.2
            Releases: plugin-legacy@8.1.0-beta.0
            Fixed: Keep the lock
        "#]]
        .assert_eq(&render(&messages, &listed));
    }

    #[test]
    fn issue_links() {
        check(
            &["feat: add x (#12)", "fix: y, closes #3"],
            expect![[r#"
                Added: Add x ([#12](https://github.com/acme/widget/issues/12))
                Fixed: Y, closes [#3](https://github.com/acme/widget/issues/3)
            "#]],
        );
    }

    #[test]
    fn merges_are_skipped_and_reverts_cancel_in_range() {
        check(
            &[
                "feat: add x",
                "Merge branch 'topic'",
                "feat: add y",
                "Revert \"feat: add y\"\n\nThis reverts commit 0000003.",
                "fix: z",
                "Revert \"fix: z\"\n\nThis reverts commit 0000005.",
                "Revert \"Revert \"fix: z\"\"\n\nThis reverts commit 0000006.",
                "Revert \"feat: released thing\"\n\nThis reverts commit 1234567abcdef.",
            ],
            expect![[r#"
                Added: Add x
                Fixed: z
                Removed: Revert "Released thing"
                (cancelled) Added: Add y
            "#]],
        );
    }

    #[test]
    fn unexpected_log_output_is_an_error() {
        let e = parse_log("not hex\0\0").unwrap_err();
        assert_eq!(e.to_string(), "unexpected `git log` record starting `not hex\\0\\0`");
        let e = parse_log("00ff\0\0A\0a@x\x001\0A\0a@x\x001\0ok\n\0\0").unwrap_err();
        assert_eq!(e.to_string(), "unexpected `git log` record starting `\\0`");
        assert!(parse_log("").unwrap().is_empty());
    }

    #[test]
    fn no_message_byte_breaks_the_framing() {
        let text = "00ff\0\0A\0a@x\x001\0A\0a@x\x001\0fix: a\u{1e}b\x01\n\nbody\u{1e}\n\0\
                    0a\0b1 c2\0B\0b@x\x002\0B\0b@x\x003\0feat: \u{1e}\n\0";
        let commits = parse_log(text).unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].message, "fix: a\u{1e}b\x01\n\nbody\u{1e}");
        assert_eq!((commits[1].id, commits[1].parents), ("0a", "b1 c2"));
        assert_eq!(commits[1].committer, ("B", "b@x", 3));
        assert_eq!(commits[1].message, "feat: \u{1e}");
    }
}
