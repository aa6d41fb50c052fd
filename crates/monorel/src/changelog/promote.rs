//! What a release does to the changelog: [`promote`] moves `[Unreleased]` under the new version,
//! in the heading style the file uses, and sets the comparison links; [`notes`] gives one section's body, for the tag and forges.

use super::{
    ChangelogError,
    document::{Doc, Heading, assemble, decode, encode, set_links},
    fold::fold_pre_releases,
    links::Forge,
    rules::TagPattern,
    section::NO_CHANGES,
};
use crate::version::Version;

/// A request to move `[Unreleased]` under a version: what the release command asks for.
#[derive(Debug, Clone)]
pub struct Promotion<'a> {
    /// The version being released.
    pub version: &'a Version,
    /// Its date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// How the version's tag is spelled.
    pub tag_pattern: &'a TagPattern,
    /// The forge, for the comparison links; when `None`, the one the existing links point at.
    pub forge: Option<&'a Forge>,
}

/// Moves the `[Unreleased]` entries under `## [version] - date` (or the file's own heading style;
/// [`NO_CHANGES`] when there are none), leaves an empty
/// `[Unreleased]` above it, and updates the comparison links (`[unreleased]` compares the new
/// tag with `HEAD`; `[version]` compares the previous release's tag with the new one). A final
/// release first folds its pre-releases' sections into `[Unreleased]` (`fold.rs`), so the
/// comparison is with the previous final release.
pub fn promote(path: &str, changelog: &[u8], p: &Promotion<'_>) -> Result<Vec<u8>, ChangelogError> {
    let (text, encoding) = decode(path, changelog)?;
    // A final release's notes are those of its pre-releases too (`fold.rs`).
    let text = fold_pre_releases(&text, p.version).map_or(text, |(folded, _)| folded);
    let doc = Doc::parse(&text);
    let version = p.version.to_string();
    if doc.parts.iter().any(|part| part.heading == Heading::Release(version.clone())) {
        return Err(ChangelogError::Document {
            message: format!("`{path}` already has a section for {version}"),
            help: "choose another version, or remove that section first".into(),
        });
    }
    let Some(u) = doc.unreleased() else {
        return Err(ChangelogError::Document {
            message: format!("`{path}` has no `## [Unreleased]` section to promote"),
            help: "run `monorel changelog` first: it writes one".into(),
        });
    };
    let previous = doc.parts.iter().find_map(|part| match &part.heading {
        Heading::Release(v) => Some(v.clone()),
        _ => None,
    });
    let style = doc.style();
    let mut parts: Vec<String> = Vec::new();
    for (i, part) in doc.parts.iter().enumerate() {
        if i == u {
            parts.push(format!("{}\n", part.line.trim_end_matches('\n')));
            let body = part.body.trim_start_matches('\n');
            // A release with nothing under `[Unreleased]` says so, as `changelog --all` does.
            let body = if body.trim().is_empty() { format!("{NO_CHANGES}\n") } else { body.into() };
            parts.push(format!("{}\n{body}", style.release(&version, p.date)));
        } else {
            parts.push(format!("{}{}", part.line, part.body));
        }
    }
    let inferred = doc.forge();
    let forge = p.forge.or(inferred.as_ref());
    let mut links = doc.links_text.to_string();
    // Link definitions serve `[1.2.0]` labels: a file whose headings have none gets none.
    if let Some(forge) = forge.filter(|_| style.brackets) {
        let tag = p.tag_pattern.tag_for(p.version);
        let mut wanted = vec![("unreleased".to_string(), forge.compare_url(&tag, "HEAD"))];
        let release_url = match previous.as_deref().and_then(|v| Version::parse(v).ok()) {
            Some(prev) => forge.compare_url(&p.tag_pattern.tag_for(&prev), &tag),
            None => forge.tag_url(&tag),
        };
        wanted.push((version.clone(), release_url));
        if let Some(new) = set_links(&doc, &wanted) {
            links = new;
        }
    }
    Ok(encode(&assemble(doc.header, &parts, &links), encoding))
}

/// The body of the section for `version` (a leading `v` is ignored), without surrounding blank
/// lines: the release notes a forge release takes.
/// The heading line of `version`'s section as written (the first line of a setext heading),
/// whatever the file's heading style; `None` when there is no such section.
pub fn heading_line(changelog: &[u8], version: &Version) -> Option<String> {
    let text = String::from_utf8_lossy(changelog);
    let doc = Doc::parse(&text);
    doc.parts.iter().find_map(|p| match &p.heading {
        Heading::Release(v) if Version::parse(v).is_ok_and(|v| &v == version) => {
            Some(p.line.lines().next().unwrap_or("").trim_end_matches('\r').to_string())
        }
        _ => None,
    })
}

pub fn notes(path: &str, changelog: &[u8], version: &str) -> Result<String, ChangelogError> {
    let (text, _) = decode(path, changelog)?;
    let doc = Doc::parse(&text);
    let wanted = version.trim().trim_start_matches('v');
    let same = |v: &str| match (Version::parse(v), Version::parse(wanted)) {
        (Ok(a), Ok(b)) => a == b,
        _ => v == wanted,
    };
    let at = doc.parts.iter().position(|p| matches!(&p.heading, Heading::Release(v) if same(v)));
    match at {
        Some(at) => {
            // With the blocks that belong to the release (`## New Contributors`).
            let owners = doc.owners();
            let mut body = doc.parts[at].body.to_string();
            for part in doc.parts.iter().zip(&owners).skip(at + 1) {
                match part {
                    (p, Some(owner)) if *owner == at && p.heading == Heading::Other => {
                        body.push_str(&p.text())
                    }
                    _ => break,
                }
            }
            Ok(format!("{}\n", body.trim_matches('\n').trim_end()))
        }
        None => {
            let known: Vec<&str> = doc
                .parts
                .iter()
                .filter_map(|p| match &p.heading {
                    Heading::Release(v) => Some(v.as_str()),
                    _ => None,
                })
                .collect();
            Err(ChangelogError::Document {
                message: format!("`{path}` has no section for {wanted}"),
                help: if known.is_empty() {
                    "it has no released section yet".into()
                } else {
                    format!("it has: {}", known.join(", "))
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::changelog::document::tests::DOC;

    #[test]
    fn heading_line_is_the_section_heading_as_the_file_writes_it() {
        let v = Version::parse("0.7.20").unwrap();
        let tokio = "# Changelog\n\n# 0.7.20 (December 1st, 2026)\n\n### Security\n\n- x\n";
        assert_eq!(
            heading_line(tokio.as_bytes(), &v).as_deref(),
            Some("# 0.7.20 (December 1st, 2026)")
        );
        let setext = "0.7.20 (2026-12-01)\n-------------------\n\n- x\n";
        assert_eq!(heading_line(setext.as_bytes(), &v).as_deref(), Some("0.7.20 (2026-12-01)"));
        let kac = "## [0.7.20] - 2026-12-01\r\n\r\n- x\r\n";
        assert_eq!(heading_line(kac.as_bytes(), &v).as_deref(), Some("## [0.7.20] - 2026-12-01"));
        assert_eq!(heading_line(b"## [0.7.19] - 2026-01-01\n", &v), None);
    }

    fn check_promote(text: &str, version: &str, expect: Expect) {
        let pattern = TagPattern::default();
        let v = Version::parse(version).unwrap();
        let p = Promotion { version: &v, date: "2024-03-01", tag_pattern: &pattern, forge: None };
        let out = match promote("CHANGELOG.md", text.as_bytes(), &p) {
            Ok(bytes) => String::from_utf8(bytes).unwrap(),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn promotion_moves_unreleased_and_keeps_the_links_right() {
        check_promote(
            DOC,
            "1.2.0",
            expect![[r#"
                # Changelog

                Intro.

                ## [Unreleased]

                ## [1.2.0] - 2024-03-01

                ### Added

                - New

                ## [1.1.0] - 2024-02-01

                ### Fixed

                - Old fix

                ## [1.0.0] - 2024-01-01

                - First

                [unreleased]: https://github.com/acme/widget/compare/v1.2.0...HEAD
                [1.2.0]: https://github.com/acme/widget/compare/v1.1.0...v1.2.0
                [1.1.0]: https://github.com/acme/widget/compare/v1.0.0...v1.1.0
                [1.0.0]: https://github.com/acme/widget/releases/tag/v1.0.0
            "#]],
        );
        check_promote(
            "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- First\n\n[unreleased]: https://github.com/acme/widget/commits/main\n",
            "0.1.0",
            expect![[r#"
                # Changelog

                ## [Unreleased]

                ## [0.1.0] - 2024-03-01

                ### Added

                - First

                [unreleased]: https://github.com/acme/widget/compare/v0.1.0...HEAD
                [0.1.0]: https://github.com/acme/widget/releases/tag/v0.1.0
            "#]],
        );
        check_promote(
            DOC,
            "1.1.0",
            expect![
                "error: `CHANGELOG.md` already has a section for 1.1.0\nhelp: choose another version, or remove that section first"
            ],
        );
        check_promote(
            "# Changelog\n",
            "1.0.0",
            expect![
                "error: `CHANGELOG.md` has no `## [Unreleased]` section to promote\nhelp: run `monorel changelog` first: it writes one"
            ],
        );
    }

    #[test]
    fn promotion_writes_the_heading_style_the_file_uses() {
        // tokio's: level 1, a long date with an ordinal; no link definitions to keep.
        check_promote(
            "# Unreleased\n\n### Fixed\n\n- A fix\n\n# 0.7.19 (July 21st, 2026)\n\n- Old\n",
            "0.7.20",
            expect![[r#"
                # Unreleased

                # 0.7.20 (March 1st, 2024)

                ### Fixed

                - A fix

                # 0.7.19 (July 21st, 2026)

                - Old
            "#]],
        );
        // Setext (and reStructuredText), with a `v`; an empty `[Unreleased]` says so.
        check_promote(
            "Changes\n=======\n\nUnreleased\n----------\n\nv1.2.0 (2024-01-02)\n-------------------\n\n- Old\n",
            "1.3.0",
            expect![[r#"
                Changes
                =======

                Unreleased
                ----------

                v1.3.0 (2024-03-01)
                -------------------

                No user-facing changes.

                v1.2.0 (2024-01-02)
                -------------------

                - Old
            "#]],
        );
    }

    #[test]
    fn promotion_keeps_crlf_and_bom() {
        let text = format!("\u{feff}{}", DOC.replace('\n', "\r\n"));
        let pattern = TagPattern::default();
        let v = Version::new(1, 2, 0);
        let p = Promotion { version: &v, date: "2024-03-01", tag_pattern: &pattern, forge: None };
        let out = promote("CHANGELOG.md", text.as_bytes(), &p).unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF# Changelog\r\n"));
        assert!(!String::from_utf8(out).unwrap().replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn notes_print_one_section() {
        let check = |version: &str, expect: Expect| {
            let out = match notes("CHANGELOG.md", DOC.as_bytes(), version) {
                Ok(text) => text,
                Err(e) => format!("error: {e}"),
            };
            expect.assert_eq(&out);
        };
        check(
            "1.1.0",
            expect![[r#"
            ### Fixed

            - Old fix
        "#]],
        );
        check(
            "v1.0.0",
            expect![[r#"
            - First
        "#]],
        );
        let with_block = "## [1.1.0] - 2024-02-01\n\n- Fix\n\n## New Contributors\n\n* @a\n\n## [1.0.0] - 2024-01-01\n\n- First\n";
        let out = notes("CHANGELOG.md", with_block.as_bytes(), "1.1.0").unwrap();
        assert_eq!(out, "- Fix\n\n## New Contributors\n\n* @a\n");
        check(
            "2.0.0",
            expect!["error: `CHANGELOG.md` has no section for 2.0.0\nhelp: it has: 1.1.0, 1.0.0"],
        );
    }
}
