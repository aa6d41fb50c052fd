//! A final release takes in its pre-releases: when `1.4.0` is promoted, the sections of
//! `1.4.0-rc.1`, `1.4.0-beta.2`, ... are folded into it, so that its notes are everything since
//! the previous final release and the changelog lists each change once.
//!
//! Folding moves entries, it never drops one a person wrote: every item and paragraph of a
//! pre-release section joins the subsection of the same name (`### Fixed` with `### Fixed`),
//! after the entries already there; an item whose text is already there (links reduced to their
//! text) is the same entry and is kept once. Text before the first `###` of a pre-release is
//! kept too. The pre-release tags keep their own notes (their annotated messages), and their
//! link definitions go with their sections.

use super::{
    document::{Doc, assemble},
    heading::Heading,
    rules::Section,
    section::{Block, Sub, key, rank_of, render_sub, same_section, split_subs},
};
use crate::version::Version;

/// `text` with the pre-release sections of `version` folded into `[Unreleased]`, and the
/// versions folded (newest first, as they stood); `None` when there is nothing to fold (a
/// pre-release is being promoted, there is no `[Unreleased]`, or no section is a pre-release of
/// `version`).
pub(crate) fn fold_pre_releases(text: &str, version: &Version) -> Option<(String, Vec<String>)> {
    if !version.pre.is_empty() {
        return None;
    }
    let doc = Doc::parse(text);
    let u = doc.unreleased()?;
    let folds = |heading: &Heading| match heading {
        Heading::Release(v) => Version::parse(v).is_ok_and(|v| {
            !v.pre.is_empty()
                && (v.major, v.minor, v.patch) == (version.major, version.minor, version.patch)
        }),
        _ => false,
    };
    let folded: Vec<usize> =
        (0..doc.parts.len()).filter(|&i| folds(&doc.parts[i].heading)).collect();
    if folded.is_empty() {
        return None;
    }
    let (preamble, mut subs) = split_subs(doc.parts[u].body);
    let mut preambles: Vec<&str> = vec![preamble.trim()];
    for &i in &folded {
        let (pre, more) = split_subs(doc.parts[i].body);
        preambles.push(pre.trim());
        for sub in more {
            take_in(&mut subs, sub);
        }
    }
    let mut body = String::from("\n");
    for pre in preambles.into_iter().filter(|p| !p.is_empty()) {
        body.push_str(pre);
        body.push_str("\n\n");
    }
    for sub in &subs {
        body.push_str(&render_sub(sub.line, &sub.blocks));
    }
    let mut parts = Vec::with_capacity(doc.parts.len());
    for (i, part) in doc.parts.iter().enumerate() {
        if i == u {
            parts.push(format!("{}{body}", part.line));
        } else if !folded.contains(&i) {
            parts.push(format!("{}{}", part.line, part.body));
        }
    }
    let versions: Vec<String> = folded
        .iter()
        .filter_map(|&i| match &doc.parts[i].heading {
            Heading::Release(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    let gone = |label: &str| versions.iter().any(|v| label.trim_start_matches('v') == v);
    let links = if doc.links.iter().any(|l| gone(l.label)) {
        doc.links
            .iter()
            .filter(|l| !gone(l.label))
            .map(|l| format!("{}\n", l.line.trim_end_matches('\n')))
            .collect()
    } else {
        doc.links_text.to_string()
    };
    Some((assemble(doc.header, &parts, &links), versions))
}

/// Adds `sub`'s blocks to the subsection of the same name in `subs`, or adds it where Keep a
/// Changelog orders it; an item already there is not repeated.
fn take_in<'a>(subs: &mut Vec<Sub<'a>>, sub: Sub<'a>) {
    let section = Section::from_heading(sub.name);
    match subs.iter_mut().find(|s| same_section(&Section::from_heading(s.name), &section)) {
        Some(into) => {
            for block in sub.blocks {
                let dup = matches!(block, Block::Item(text) if into
                    .blocks
                    .iter()
                    .any(|b| matches!(b, Block::Item(t) if key(t) == key(text))));
                if !dup {
                    into.blocks.push(block);
                }
            }
        }
        None => {
            let at = subs
                .iter()
                .position(|s| rank_of(&Section::from_heading(s.name)) > rank_of(&section))
                .unwrap_or(subs.len());
            subs.insert(at, sub);
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check(text: &str, version: &str, expect: Expect) {
        let out = match fold_pre_releases(text, &Version::parse(version).unwrap()) {
            Some((text, versions)) => format!("folded {}\n{text}", versions.join(", ")),
            None => "nothing to fold".into(),
        };
        expect.assert_eq(&out);
    }

    const RC: &str = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- Late fix\n\n## [1.4.0-rc.2] - 2024-03-02\n\nSecond candidate.\n\n### Fixed\n\n- Crash on start\n- [Timeout](https://x/1) again\n\n## [1.4.0-rc.1] - 2024-03-01\n\n### Added\n\n- Timers\n\n### Fixed\n\n- Timeout again\n\n## [1.3.0] - 2024-01-01\n\n### Added\n\n- Engine\n\n[unreleased]: https://github.com/a/b/compare/v1.4.0-rc.2...HEAD\n[1.4.0-rc.2]: https://github.com/a/b/compare/v1.4.0-rc.1...v1.4.0-rc.2\n[1.4.0-rc.1]: https://github.com/a/b/compare/v1.3.0...v1.4.0-rc.1\n[1.3.0]: https://github.com/a/b/releases/tag/v1.3.0\n";

    #[test]
    fn a_final_release_folds_its_pre_releases_and_keeps_every_entry_once() {
        check(
            RC,
            "1.4.0",
            expect![[r#"
                folded 1.4.0-rc.2, 1.4.0-rc.1
                # Changelog

                ## [Unreleased]

                Second candidate.

                ### Added

                - Timers

                ### Fixed

                - Late fix
                - Crash on start
                - [Timeout](https://x/1) again

                ## [1.3.0] - 2024-01-01

                ### Added

                - Engine

                [unreleased]: https://github.com/a/b/compare/v1.4.0-rc.2...HEAD
                [1.3.0]: https://github.com/a/b/releases/tag/v1.3.0
            "#]],
        );
    }

    #[test]
    fn nothing_folds_into_a_pre_release_or_another_version() {
        check(RC, "1.4.0-rc.3", expect!["nothing to fold"]);
        check(RC, "1.5.0", expect!["nothing to fold"]);
        check("# Changelog\n\n## [1.4.0-rc.1]\n\n- x\n", "1.4.0", expect!["nothing to fold"]);
    }
}
