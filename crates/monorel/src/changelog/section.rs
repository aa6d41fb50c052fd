//! Merging generated entries into a section body: a list item whose text is what some commit
//! gives is a generated entry; every other item is a person's, and is kept where it is.

use std::collections::{HashMap, HashSet};

use super::{commits::Entry, heading::Style, rules::Section};

/// What merging the generated entries into `[Unreleased]` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeStats {
    /// Generated entries written that were not there.
    pub added: usize,
    /// Generated entries taken out (their commit was reverted, or they were duplicates).
    pub removed: usize,
    /// Generated entries already there (kept where they were).
    pub kept: usize,
    /// Entries a person wrote, kept as they were.
    pub hand: usize,
}

/// A list item or a paragraph inside a subsection, without its trailing newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block<'a> {
    Item(&'a str),
    Text(&'a str),
    New(String),
}

impl Block<'_> {
    pub(super) fn text(&self) -> &str {
        match self {
            Block::Item(t) | Block::Text(t) => t,
            Block::New(t) => t,
        }
    }
}

/// A `### Heading` subsection.
#[derive(Debug, Clone)]
pub(super) struct Sub<'a> {
    pub(super) line: &'a str,
    pub(super) name: &'a str,
    raw: &'a str,
    pub(super) blocks: Vec<Block<'a>>,
}

/// What a release with no listed commit says under its heading.
pub const NO_CHANGES: &str = "No user-facing changes.";

/// The body of `[Unreleased]` with `listed` merged in and the entries of `cancelled` commits
/// taken out; person-written items stay where they are.
pub(crate) fn merge_unreleased(
    body: &str,
    listed: &[Entry],
    cancelled: &[Entry],
) -> (String, MergeStats) {
    merge_section(body, listed, cancelled)
}

/// The body of a release section regenerated from `listed`: as [`merge_unreleased`] (a
/// person's items stay where they stood); a section left with nothing says [`NO_CHANGES`].
pub(crate) fn merge_release(body: &str, listed: &[Entry], cancelled: &[Entry]) -> String {
    // The sentence is the tool's: it goes when there is something to list.
    let (preamble, _) = split_subs(body);
    let (merged, _) = if preamble.trim() == NO_CHANGES {
        merge_section(&format!("\n{}", &body[preamble.len()..]), listed, cancelled)
    } else {
        merge_section(body, listed, cancelled)
    };
    if merged.trim().is_empty() { format!("\n{NO_CHANGES}\n\n") } else { merged }
}

fn merge_section(body: &str, listed: &[Entry], cancelled: &[Entry]) -> (String, MergeStats) {
    let (preamble, subs) = split_subs(body);
    // The preamble's items are matched too (a section may list them with no `###` at all); it
    // is `subs[0]`, with no heading, and new entries never go into it.
    let pre = Sub { line: "", name: "", raw: preamble, blocks: blocks(preamble) };
    let mut subs: Vec<Sub<'_>> = std::iter::once(pre).chain(subs).collect();
    let mut stats = MergeStats::default();
    // Keyed as written (`- text`): the key drops one bullet, and a text that itself starts
    // like one (`- nested bullet`) must keep it, or it would never match itself.
    let keys: Vec<String> = listed.iter().map(|e| key(&item(&e.text))).collect();
    let cancelled_keys: Vec<String> = cancelled.iter().map(|e| key(&item(&e.text))).collect();
    // Each key's first unplaced entry, and for each entry the next one with the same key.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    let mut next_same = vec![usize::MAX; keys.len()];
    for (i, k) in keys.iter().enumerate().rev() {
        if let Some(after) = first.insert(k.as_str(), i) {
            next_same[i] = after;
        }
    }
    let generated: HashSet<&str> = keys.iter().chain(&cancelled_keys).map(String::as_str).collect();
    let mut placed = vec![false; listed.len()];
    let mut changed = vec![false; subs.len()];
    for (s, sub) in subs.iter_mut().enumerate() {
        let mut blocks = Vec::with_capacity(sub.blocks.len());
        for block in std::mem::take(&mut sub.blocks) {
            let Block::Item(text) = block else {
                blocks.push(block);
                continue;
            };
            let k = key(text);
            let slot = first.get_mut(k.as_str()).filter(|i| **i != usize::MAX);
            if let Some(i) = slot.map(|slot| {
                let i = *slot;
                *slot = next_same[i];
                i
            }) {
                placed[i] = true;
                stats.kept += 1;
                let fresh = item(&listed[i].text);
                if fresh != text {
                    changed[s] = true;
                    blocks.push(Block::New(fresh));
                } else {
                    blocks.push(block);
                }
            } else if generated.contains(k.as_str()) {
                stats.removed += 1;
                changed[s] = true;
            } else {
                stats.hand += 1;
                blocks.push(block);
            }
        }
        sub.blocks = blocks;
    }
    // New entries join the subsection of their section, or a new one in Keep a Changelog order.
    let mut new_subs: Vec<(Section, Vec<Block<'_>>)> = Vec::new();
    for (_, entry) in listed.iter().enumerate().filter(|(i, _)| !placed[*i]) {
        stats.added += 1;
        let block = Block::New(item(&entry.text));
        let same = |s: &Sub<'_>| same_section(&Section::from_heading(s.name), &entry.section);
        match subs.iter().skip(1).position(same).map(|s| s + 1) {
            Some(s) => {
                subs[s].blocks.push(block);
                changed[s] = true;
            }
            None => {
                match new_subs.iter_mut().find(|(section, _)| same_section(section, &entry.section))
                {
                    Some((_, blocks)) => blocks.push(block),
                    None => new_subs.push((entry.section.clone(), vec![block])),
                }
            }
        }
    }
    new_subs.sort_by(|a, b| a.0.cmp(&b.0));

    // Existing subsections keep their order; a new one goes before the first that ranks after it.
    let mut out: Vec<String> = Vec::new();
    let mut new_subs = new_subs.into_iter().peekable();
    let mut pre = String::new();
    for (s, sub) in subs.iter().enumerate() {
        if s == 0 {
            pre = match changed[0] {
                true if sub.blocks.is_empty() => String::new(),
                true => render_sub("", &sub.blocks),
                false => sub.raw.to_string(),
            };
            continue;
        }
        let rank = Section::from_heading(sub.name);
        while let Some((section, _)) = new_subs.peek() {
            if rank_of(section) < rank_of(&rank) {
                let (section, blocks) = new_subs.next().expect("peeked");
                out.push(render_sub(&format!("### {}\n", section.heading()), &blocks));
            } else {
                break;
            }
        }
        if !changed[s] {
            out.push(sub.raw.to_string());
        } else if !sub.blocks.is_empty() {
            out.push(render_sub(sub.line, &sub.blocks));
        }
    }
    for (section, blocks) in new_subs {
        out.push(render_sub(&format!("### {}\n", section.heading()), &blocks));
    }
    let mut text = String::with_capacity(body.len() + listed.len() * 48);
    if pre.trim().is_empty() {
        text.push_str(if pre.is_empty() && !out.is_empty() { "\n" } else { &pre });
    } else {
        text.push_str(&pre);
        if !out.is_empty() && !pre.ends_with("\n\n") {
            text.push_str(if pre.ends_with('\n') { "\n" } else { "\n\n" });
        }
    }
    let n = out.len();
    for (i, sub) in out.into_iter().enumerate() {
        text.push_str(&sub);
        if i + 1 < n && !sub.ends_with("\n\n") {
            text.push('\n');
        }
    }
    (text, stats)
}

pub(super) fn rank_of(section: &Section) -> (usize, &str) {
    match section {
        Section::Other(_) => (Section::STANDARD.len(), ""),
        s => (Section::STANDARD.iter().position(|x| x == s).unwrap_or(0), ""),
    }
}

pub(super) fn same_section(a: &Section, b: &Section) -> bool {
    a.heading().eq_ignore_ascii_case(b.heading())
}

/// `- text`, the way an entry is written.
fn item(text: &str) -> String {
    format!("- {text}")
}

pub(super) fn render_sub(line: &str, blocks: &[Block<'_>]) -> String {
    let mut out = String::from(line);
    out.push('\n');
    for (i, block) in blocks.iter().enumerate() {
        let text = |b: &Block<'_>| matches!(b, Block::Text(_));
        // Items follow each other without a blank line; a paragraph has one on each side.
        if i > 0 && (text(block) || text(&blocks[i - 1])) {
            out.push('\n');
        }
        out.push_str(block.text());
        out.push('\n');
    }
    out.push('\n');
    out
}

/// The release section for `version` with its heading in `style`, and `entries` grouped in
/// Keep a Changelog order, or [`NO_CHANGES`] when there are none.
pub(crate) fn render_release(
    style: &Style,
    version: &str,
    date: &str,
    entries: &[Entry],
) -> String {
    let mut out = style.release(version, date);
    out.push('\n');
    if entries.is_empty() {
        out.push_str(NO_CHANGES);
        out.push_str("\n\n");
    }
    out.push_str(&render_entries(entries));
    out
}

/// Subsections for `entries`, in Keep a Changelog order, each entry in the given order.
pub(crate) fn render_entries(entries: &[Entry]) -> String {
    let mut sections: Vec<&Section> = Vec::new();
    for e in entries {
        if !sections.iter().any(|s| same_section(s, &e.section)) {
            sections.push(&e.section);
        }
    }
    sections.sort();
    let mut out = String::new();
    for section in sections {
        out.push_str(&format!("### {}\n\n", section.heading()));
        for e in entries.iter().filter(|e| same_section(&e.section, section)) {
            out.push_str(&item(&e.text));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The preamble of a section body (before its first `###`) and its subsections.
pub(super) fn split_subs(body: &str) -> (&str, Vec<Sub<'_>>) {
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    let mut fence = false;
    for line in body.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
        } else if !fence && line.starts_with("### ") {
            starts.push(at);
        }
        at += line.len();
    }
    let preamble = &body[..starts.first().copied().unwrap_or(body.len())];
    let subs = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).copied().unwrap_or(body.len());
            let raw = &body[start..end];
            let line_end = raw.find('\n').map_or(raw.len(), |n| n + 1);
            let line = &raw[..line_end];
            Sub { line, name: line[4..].trim(), raw, blocks: blocks(&raw[line_end..]) }
        })
        .collect();
    (preamble, subs)
}

fn is_item_start(line: &str) -> bool {
    let t = line.trim_end_matches('\n');
    ["- ", "* ", "+ "].iter().any(|b| t.starts_with(b)) || matches!(t, "-" | "*" | "+")
}

/// The list items and paragraphs of a subsection body.
fn blocks(body: &str) -> Vec<Block<'_>> {
    let lines: Vec<(usize, &str)> = body
        .split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect();
    let blank = |i: usize| lines[i].1.trim().is_empty();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if blank(i) {
            i += 1;
            continue;
        }
        let start = lines[i].0;
        let item = is_item_start(lines[i].1);
        let mut end = i + 1;
        loop {
            if end >= lines.len() {
                break;
            }
            let line = lines[end].1;
            if blank(end) {
                // An item goes on after blank lines when the next text is indented under it.
                let next = (end..lines.len()).find(|&j| !blank(j));
                match next {
                    Some(j) if item && lines[j].1.starts_with([' ', '\t']) => end = j,
                    _ => break,
                }
                continue;
            }
            if is_item_start(line) {
                break;
            }
            end += 1;
        }
        let last = &lines[end - 1];
        let text = body[start..last.0 + last.1.len()].trim_end_matches('\n');
        out.push(if item { Block::Item(text) } else { Block::Text(text) });
        i = end;
    }
    out
}

/// What identifies an entry: its words, links reduced to their text, without the bullet.
pub(crate) fn key(item: &str) -> String {
    let t = item.trim_start();
    let t = ["- ", "* ", "+ "].iter().find_map(|b| t.strip_prefix(b)).unwrap_or(t);
    let mut plain = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(open) = rest.find('[') {
        plain.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find("](")
            .and_then(|close| after[close + 2..].find(')').map(|end| (close, close + 2 + end + 1)))
        {
            Some((close, end)) if !after[..close].contains('[') => {
                plain.push_str(&after[..close]);
                rest = &after[end..];
            }
            _ => {
                plain.push('[');
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    let mut key = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    // The case of the first letter is the capitalisation rule's, not the entry's: an entry
    // written as `Www` by an older rule is the entry `www`, updated in place, not a second one.
    if let Some(first) = key.chars().next().filter(char::is_ascii_uppercase) {
        key.replace_range(..1, &first.to_ascii_lowercase().to_string());
    }
    key
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn entry(section: Section, text: &str) -> Entry {
        Entry { section, text: text.into() }
    }

    fn check_merge(body: &str, listed: &[Entry], cancelled: &[Entry], expect: Expect) {
        let (out, stats) = merge_unreleased(body, listed, cancelled);
        expect.assert_eq(&format!("{stats:?}\n{out}"));
        // Merging again changes nothing.
        let (again, stats2) = merge_unreleased(&out, listed, cancelled);
        assert_eq!(again, out, "not idempotent");
        assert_eq!(stats2.added + stats2.removed, 0);
    }

    #[test]
    fn an_entry_an_older_rule_capitalised_is_updated_not_repeated() {
        check_merge(
            "\n### Fixed\n\n- Www is served again\n- Single_top_directory names the file\n",
            &[
                entry(Section::Fixed, "www is served again"),
                entry(Section::Fixed, "single_top_directory names the file"),
            ],
            &[],
            expect![[r#"
                MergeStats { added: 0, removed: 0, kept: 2, hand: 0 }

                ### Fixed

                - www is served again
                - single_top_directory names the file

            "#]],
        );
    }

    #[test]
    fn merge_into_an_empty_unreleased() {
        check_merge(
            "\n",
            &[
                entry(Section::Fixed, "Fix y"),
                entry(Section::Added, "Add x"),
                entry(Section::Added, "Add z"),
            ],
            &[],
            expect![[r#"
                MergeStats { added: 3, removed: 0, kept: 0, hand: 0 }

                ### Added

                - Add x
                - Add z

                ### Fixed

                - Fix y

            "#]],
        );
        check_merge(
            "",
            &[entry(Section::Other("<!-- 9 -->Other".into()), "Misc")],
            &[],
            expect![[r#"
                MergeStats { added: 1, removed: 0, kept: 0, hand: 0 }

                ### Other

                - Misc

            "#]],
        );
    }

    #[test]
    fn hand_entries_survive_and_generated_ones_are_not_duplicated() {
        let body = "\nSome words a person wrote.\n\n### Added\n\n- A hand entry,\n  on two lines.\n- Add x\n\n### Fixed\n\n* Fix [#3](https://old/3)\n\n### Notes\n\nKeep this.\n\n";
        check_merge(
            body,
            &[
                entry(Section::Added, "Add x"),
                entry(Section::Fixed, "Fix [#3](https://new/3)"),
                entry(Section::Security, "Bound input"),
                entry(Section::Changed, "Speed up"),
            ],
            &[entry(Section::Added, "Add reverted")],
            expect![[r#"
                MergeStats { added: 2, removed: 0, kept: 2, hand: 1 }

                Some words a person wrote.

                ### Added

                - A hand entry,
                  on two lines.
                - Add x

                ### Changed

                - Speed up

                ### Fixed

                - Fix [#3](https://new/3)

                ### Security

                - Bound input

                ### Notes

                Keep this.

            "#]],
        );
    }

    #[test]
    fn entries_of_reverted_commits_and_duplicates_are_removed() {
        check_merge(
            "\n### Added\n\n- Add reverted\n- Add x\n- Add x\n- Mine\n\n### Removed\n\n- Add reverted\n\n",
            &[entry(Section::Added, "Add x")],
            &[entry(Section::Added, "Add reverted")],
            expect![[r#"
                MergeStats { added: 0, removed: 3, kept: 1, hand: 1 }

                ### Added

                - Add x
                - Mine

            "#]],
        );
    }

    #[test]
    fn a_moved_generated_entry_stays_where_a_person_put_it() {
        let body = "\n### Fixed\n\n- Add x\n\n";
        let (out, stats) = merge_unreleased(body, &[entry(Section::Added, "Add x")], &[]);
        assert_eq!(out, body);
        assert_eq!(stats, MergeStats { kept: 1, ..MergeStats::default() });
    }

    #[test]
    fn an_entry_that_starts_like_a_bullet_matches_itself() {
        let listed = [entry(Section::Fixed, "- nested bullet"), entry(Section::Fixed, "* star")];
        let (once, _) = merge_unreleased("\n", &listed, &[]);
        let (twice, stats) = merge_unreleased(&once, &listed, &[]);
        assert_eq!(twice, once);
        assert_eq!(stats, MergeStats { kept: 2, ..MergeStats::default() });
        assert_eq!(once, "\n### Fixed\n\n- - nested bullet\n- * star\n\n");
    }

    #[test]
    fn a_release_section_keeps_its_items_without_subsections_and_its_hand_written_ones() {
        let start = [entry(Section::Added, "Start")];
        // Items above any `###` are matched too: nothing is listed twice.
        assert_eq!(merge_release("\n- Start\n", &start, &[]), "\n- Start\n");
        // A person's entries stay where they stood, even one worded like another release's.
        expect![[r#"

            Words.

            ### Added

            - Initial public release.
            - Later
            - Start

        "#]]
        .assert_eq(&merge_release(
            "\nWords.\n\n### Added\n\n- Initial public release.\n- Later\n",
            &start,
            &[],
        ));
        // Nothing listed: the section says so; something listed later: the sentence goes.
        let empty = merge_release("\n", &[], &[]);
        assert_eq!(empty, "\nNo user-facing changes.\n\n");
        assert_eq!(merge_release(&empty, &[], &[]), empty);
        assert_eq!(merge_release(&empty, &start, &[]), "\n### Added\n\n- Start\n\n");
        assert_eq!(merge_release("\n- Mine\n", &[], &[]), "\n- Mine\n");
    }

    #[test]
    fn keys_ignore_bullets_links_and_wrapping() {
        assert_eq!(key("- Fix [#3](https://x/3)\n  and more"), "fix #3 and more");
        assert_eq!(key("* Fix #3 and   more"), "fix #3 and more");
        assert_eq!(key("- Www is served"), key("- www is served"));
        assert_ne!(key("- a Www"), key("- a www"));
        assert_eq!(key("- [a] b"), "[a] b");
    }
}
