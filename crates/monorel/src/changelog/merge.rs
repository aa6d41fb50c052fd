//! A three-way merge of two changelogs, on the document model: what resolves the
//! `CONFLICT (content): Merge conflict in CHANGELOG.md` every back-merge of a release produces,
//! for the release flows and for `monorel merge-driver` (a git merge driver).
//!
//! The rules, from the base (the common ancestor), ours (the branch merged into) and theirs (the
//! branch merged in, the one being released in a flow):
//! - `[Unreleased]`: every entry either side has, under its `###` subsection; an entry of the
//!   base that one side removed stays removed, and an entry that a released section of the
//!   result holds is gone (it was released);
//! - released sections (`## [1.3.0] - ...`): the union, newest version first; a section both
//!   sides changed is theirs' (the released branch's), one side changed is that side's;
//! - the header and the link definitions: the side that changed them (theirs when both did),
//!   link labels of either side kept.

use std::collections::HashSet;

use super::{
    ChangelogError,
    document::{Doc, Heading, Part, decode, encode},
};

/// The merged changelog, encoded as `ours` is (BOM, line endings).
pub fn merge3(
    path: &str,
    base: Option<&[u8]>,
    ours: &[u8],
    theirs: &[u8],
) -> Result<Vec<u8>, ChangelogError> {
    let (ours_text, encoding) = decode(path, ours)?;
    let (theirs_text, _) = decode(path, theirs)?;
    let base_text = match base {
        Some(bytes) => Some(decode(path, bytes)?.0),
        None => None,
    };
    let merged = merge_texts(base_text.as_deref(), &ours_text, &theirs_text);
    Ok(encode(&merged, encoding))
}

fn merge_texts(base: Option<&str>, ours: &str, theirs: &str) -> String {
    if ours == theirs || base == Some(theirs) {
        return ours.to_string();
    }
    if base == Some(ours) {
        return theirs.to_string();
    }
    let (o, t) = (Doc::parse(ours), Doc::parse(theirs));
    let b = base.map(Doc::parse);
    let pick = |base: Option<&str>, ours: &'_ str, theirs: &'_ str| -> String {
        if base == Some(theirs) { ours.to_string() } else { theirs.to_string() }
    };
    let header = pick(b.as_ref().map(|b| b.header), o.header, t.header);

    // Released sections: theirs' in order, ours' own slotted in by version.
    let key = |p: &Part<'_>| match &p.heading {
        Heading::Release(v) => v.clone(),
        _ => p.line.trim().to_string(),
    };
    let base_parts = b.as_ref().map(released).unwrap_or_default();
    let mut sections: Vec<(String, String, String)> = Vec::new(); // key, line, body
    for p in released(&t) {
        let k = key(&p);
        let theirs_part = format!("{}{}", p.line, p.body);
        let text = match o.parts.iter().find(|q| q.heading != Heading::Unreleased && key(q) == k) {
            Some(q) => {
                let ours_part = format!("{}{}", q.line, q.body);
                let base_part = base_parts
                    .iter()
                    .find(|b| key(b) == k)
                    .map(|b| format!("{}{}", b.line, b.body));
                pick(base_part.as_deref(), &ours_part, &theirs_part)
            }
            None => theirs_part,
        };
        sections.push((k, text, String::new()));
    }
    for q in released(&o) {
        let k = key(&q);
        if sections.iter().any(|(s, _, _)| *s == k) {
            continue;
        }
        // A section of the base that theirs removed stays removed.
        if base_parts.iter().any(|b| key(b) == k) {
            continue;
        }
        let at = sections.iter().position(|(s, _, _)| newer(&k, s)).unwrap_or(sections.len());
        sections.insert(at, (k, format!("{}{}", q.line, q.body), String::new()));
    }
    let released_items: HashSet<String> = sections
        .iter()
        .flat_map(|(_, text, _)| items(text).into_iter().map(|(_, item)| norm(&item)))
        .collect();

    // `[Unreleased]`.
    let (ou, tu) = (unreleased(&o), unreleased(&t));
    let bu = b.as_ref().and_then(unreleased);
    let body_of = |p: &Option<Part<'_>>| p.as_ref().map_or(String::new(), |p| p.body.to_string());
    let (ob, tb, bb) = (body_of(&ou), body_of(&tu), bu.as_ref().map(|p| p.body.to_string()));
    let base_items: HashSet<String> =
        bb.as_deref().map(items).unwrap_or_default().into_iter().map(|(_, i)| norm(&i)).collect();
    let ours_items: HashSet<String> = items(&ob).into_iter().map(|(_, i)| norm(&i)).collect();
    let theirs_items: HashSet<String> = items(&tb).into_iter().map(|(_, i)| norm(&i)).collect();
    let mut subsections: Vec<(String, Vec<String>)> = Vec::new();
    let mut seen = HashSet::new();
    for (section, item) in items(&ob).into_iter().chain(items(&tb)) {
        let n = norm(&item);
        let removed =
            base_items.contains(&n) && !(ours_items.contains(&n) && theirs_items.contains(&n));
        if removed || released_items.contains(&n) || !seen.insert(n) {
            continue;
        }
        match subsections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, list)) => list.push(item),
            None => subsections.push((section, vec![item])),
        }
    }
    let mut out = header;
    if ou.is_some() || tu.is_some() {
        let line = ou.as_ref().or(tu.as_ref()).map_or("## [Unreleased]\n", |p| p.line);
        out.push_str(line);
        out.push('\n');
        for (section, list) in &subsections {
            if !section.is_empty() {
                out.push_str(&format!("{section}\n\n"));
            }
            for item in list {
                out.push_str(item);
            }
            out.push('\n');
        }
    }
    let count = sections.len();
    for (i, (_, text, _)) in sections.iter().enumerate() {
        out.push_str(text);
        if i + 1 < count && !text.ends_with("\n\n") {
            out.push('\n');
        }
    }
    // Link definitions: theirs', then ours' other labels.
    let labels: HashSet<String> = t.links.iter().map(|l| l.label.to_lowercase()).collect();
    let extra: Vec<&str> = o
        .links
        .iter()
        .filter(|l| !labels.contains(&l.label.to_lowercase()))
        .map(|l| l.line)
        .collect();
    let links = if b.as_ref().is_some_and(|b| b.links_text == t.links_text) {
        o.links_text.to_string()
    } else if extra.is_empty() {
        t.links_text.to_string()
    } else {
        let mut text = t.links_text.trim_end().to_string();
        if !text.is_empty() {
            text.push('\n');
        }
        for line in extra {
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    };
    if !links.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(&links);
    out
}

fn released<'a>(d: &Doc<'a>) -> Vec<Part<'a>> {
    d.parts.iter().filter(|p| p.heading != Heading::Unreleased).cloned().collect()
}

fn unreleased<'a>(d: &Doc<'a>) -> Option<Part<'a>> {
    d.unreleased().map(|i| d.parts[i].clone())
}

/// Whether version `a` is newer than `b` (both as written in headings; unparsable ones are
/// older than every version).
fn newer(a: &str, b: &str) -> bool {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a > b,
        (Ok(_), Err(_)) => true,
        _ => false,
    }
}

/// The list items of a section's text, each with the `###` subsection it is under (`""` above
/// the first) and its continuation lines, newline included.
fn items(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut section = String::new();
    let mut open = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed.starts_with("### ") {
            section = trimmed.to_string();
            open = false;
        } else if trimmed.starts_with("- ") || trimmed.starts_with("* ") {
            out.push((section.clone(), ensure_newline(line)));
            open = true;
        } else if open && !trimmed.is_empty() && line.starts_with([' ', '\t']) {
            if let Some((_, item)) = out.last_mut() {
                item.push_str(&ensure_newline(line));
            }
        } else {
            open = false;
        }
    }
    out
}

fn ensure_newline(line: &str) -> String {
    if line.ends_with('\n') { line.to_string() } else { format!("{line}\n") }
}

/// An item's text with whitespace collapsed, to tell the same entry on both sides.
fn norm(item: &str) -> String {
    item.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::merge_texts;

    const BASE: &str = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Timers\n\n## [1.2.0] - 2024-01-01\n\n### Added\n\n- The engine\n";

    fn check(base: Option<&str>, ours: &str, theirs: &str, expected: Expect) {
        expected.assert_eq(&merge_texts(base, ours, theirs));
    }

    #[test]
    fn a_back_merge_keeps_new_entries_and_takes_the_released_section() {
        // develop added an entry; the release branch promoted `Timers` into 1.3.0.
        let ours = BASE.replace("- Timers\n", "- Timers\n- Queues\n");
        let theirs = BASE.replace(
            "## [Unreleased]\n\n### Added\n\n- Timers\n\n",
            "## [Unreleased]\n\n### Fixed\n\n- Retry on timeout\n\n## [1.3.0] - 2024-05-01\n\n### Added\n\n- Timers\n\n",
        );
        check(
            Some(BASE),
            &ours,
            &theirs,
            expect![[r#"
                # Changelog

                ## [Unreleased]

                ### Added

                - Queues

                ### Fixed

                - Retry on timeout

                ## [1.3.0] - 2024-05-01

                ### Added

                - Timers

                ## [1.2.0] - 2024-01-01

                ### Added

                - The engine
            "#]],
        );
    }

    #[test]
    fn without_a_base_released_entries_leave_unreleased_and_sections_interleave() {
        let ours = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Timers\n- Queues\n\n## [1.2.1] - 2024-02-01\n\n### Fixed\n\n- Hotfix\n\n## [1.2.0] - 2024-01-01\n\n- The engine\n\n[unreleased]: https://x/compare/v1.2.1...HEAD\n[1.2.1]: https://x/v1.2.1\n";
        let theirs = "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2024-05-01\n\n### Added\n\n- Timers\n\n## [1.2.0] - 2024-01-01\n\n- The engine\n\n[unreleased]: https://x/compare/v1.3.0...HEAD\n[1.3.0]: https://x/v1.3.0\n";
        check(
            None,
            ours,
            theirs,
            expect![[r#"
                # Changelog

                ## [Unreleased]

                ### Added

                - Queues

                ## [1.3.0] - 2024-05-01

                ### Added

                - Timers

                ## [1.2.1] - 2024-02-01

                ### Fixed

                - Hotfix

                ## [1.2.0] - 2024-01-01

                - The engine

                [unreleased]: https://x/compare/v1.3.0...HEAD
                [1.3.0]: https://x/v1.3.0
                [1.2.1]: https://x/v1.2.1
            "#]],
        );
    }

    #[test]
    fn one_side_unchanged_takes_the_other_whole() {
        let theirs = BASE.replace("Timers", "Durable timers");
        assert_eq!(merge_texts(Some(BASE), BASE, &theirs), theirs);
        assert_eq!(merge_texts(Some(BASE), &theirs, BASE), theirs);
        assert_eq!(merge_texts(None, BASE, BASE), BASE);
    }

    #[test]
    fn an_entry_removed_on_one_side_stays_removed() {
        let ours = BASE.replace("- Timers\n", "- Timers\n- Queues\n");
        let theirs = BASE.replace("- Timers\n", "");
        let merged = merge_texts(Some(BASE), &ours, &theirs);
        assert!(merged.contains("- Queues\n") && !merged.contains("Timers"), "{merged}");
    }
}
