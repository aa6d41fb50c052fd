//! CHANGELOG.md as Keep a Changelog 1.1.0 lays it out: a header, `## [Unreleased]`, one
//! `## [1.2.0] - 2024-05-01` section per release with `### Added`-style subsections, and link
//! definitions at the bottom (`[unreleased]: .../compare/v1.2.0...HEAD`); release headings in
//! the other common styles too (`heading.rs`).
//!
//! The document is split on its headings (every `##`, and release headings of any style) into
//! slices of the original text, and written back by concatenating them: a part that does not
//! change keeps every byte. A `##` block that is not a release (`## New Contributors`) belongs
//! to the release above it ([`Doc::owners`]).

pub(crate) use super::heading::Heading;
use super::{
    ChangelogError,
    heading::{Style, recognise},
    links::Forge,
};

/// The header of a new changelog.
pub const HEADER: &str = "# Changelog\n\n\
All notable changes to this project will be documented in this file.\n\n\
The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),\n\
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).\n\n";

/// How the file was encoded, restored on the way out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Encoding {
    bom: bool,
    crlf: bool,
}

/// The text of a changelog file with a BOM and CRLF line endings taken off.
pub(crate) fn decode(path: &str, bytes: &[u8]) -> Result<(String, Encoding), ChangelogError> {
    let (bom, bytes) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| ChangelogError::Document {
        message: format!("`{path}` is not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        help: "save the file as UTF-8".into(),
    })?;
    let crlf = text.contains("\r\n");
    let text = if crlf { text.replace("\r\n", "\n") } else { text.to_string() };
    Ok((text, Encoding { bom, crlf }))
}

/// `text` encoded the way the file was.
pub(crate) fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if encoding.bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    if encoding.crlf {
        out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    } else {
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// A section: its heading (one line, or two for a setext heading, with the newline) and
/// everything up to the next one.
#[derive(Debug, Clone)]
pub(crate) struct Part<'a> {
    pub(crate) heading: Heading,
    pub(crate) line: &'a str,
    pub(crate) body: &'a str,
}

impl Part<'_> {
    /// The whole part, as written.
    pub(crate) fn text(&self) -> String {
        format!("{}{}", self.line, self.body)
    }
}

/// A link reference definition at the bottom: `[label]: url`.
#[derive(Debug, Clone)]
pub(crate) struct LinkDef<'a> {
    pub(crate) label: &'a str,
    pub(crate) url: &'a str,
    pub(crate) line: &'a str,
}

/// A changelog split into slices of its text.
#[derive(Debug, Clone)]
pub(crate) struct Doc<'a> {
    pub(crate) header: &'a str,
    pub(crate) parts: Vec<Part<'a>>,
    /// The trailing block of link definitions (and the blank lines among and after them).
    pub(crate) links_text: &'a str,
    pub(crate) links: Vec<LinkDef<'a>>,
}

impl<'a> Doc<'a> {
    /// Splits `text` (LF line endings).
    pub(crate) fn parse(text: &'a str) -> Doc<'a> {
        let lines: Vec<(usize, &str)> = text
            .split_inclusive('\n')
            .scan(0, |at, line| {
                let start = *at;
                *at += line.len();
                Some((start, line))
            })
            .collect();
        // The trailing link definitions: from the end, blank lines and definitions.
        let mut links_start = text.len();
        let mut links = Vec::new();
        for &(start, line) in lines.iter().rev() {
            if line.trim().is_empty() {
                continue;
            }
            match link_def(line) {
                Some(def) => {
                    links_start = start;
                    links.push(def);
                }
                None => break,
            }
        }
        links.reverse();
        // Leading blank lines of that block stay with the section above it.
        let body_lines = lines.iter().take_while(|(start, _)| *start < links_start).count();
        let mut parts: Vec<Part<'a>> = Vec::new();
        let mut header_end = links_start;
        let mut fence: Option<&str> = None;
        let mut i = 0;
        while i < body_lines {
            let (start, line) = lines[i];
            i += 1;
            let trimmed = line.trim_start();
            if let Some(open) = fence {
                if trimmed.starts_with(open) {
                    fence = None;
                }
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(&trimmed[..3]);
                continue;
            }
            let next = (i < body_lines).then(|| lines[i].1);
            let after_blank = i < 2 || lines[i - 2].1.trim().is_empty();
            let Some((heading, n)) = recognise(line, next, after_blank) else { continue };
            if parts.is_empty() {
                header_end = start;
            }
            if let Some(last) = parts.last_mut() {
                let body_start = offset_in(text, last.body);
                last.body = &text[body_start..start];
            }
            let end = lines[i + n - 2].0 + lines[i + n - 2].1.len();
            i += n - 1;
            parts.push(Part { heading, line: &text[start..end], body: &text[end..links_start] });
        }
        Doc { header: &text[..header_end], parts, links_text: &text[links_start..], links }
    }

    /// The `## [Unreleased]` part, if there is one.
    pub(crate) fn unreleased(&self) -> Option<usize> {
        self.parts.iter().position(|p| p.heading == Heading::Unreleased)
    }

    /// How this file writes a release heading: as its newest release does, else as its
    /// `[Unreleased]` heading does, else as Keep a Changelog.
    pub(crate) fn style(&self) -> Style {
        let first = |want: fn(&Heading) -> bool| self.parts.iter().find(|p| want(&p.heading));
        first(|h| matches!(h, Heading::Release(_)))
            .or_else(|| first(|h| *h == Heading::Unreleased))
            .map_or_else(Style::default, |p| Style::of(p.line))
    }

    /// The part each part belongs to: a release or `[Unreleased]` itself, and a block that is
    /// neither (`## New Contributors`) the one above it; `None` for blocks above them all.
    pub(crate) fn owners(&self) -> Vec<Option<usize>> {
        let mut owner = None;
        self.parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.heading != Heading::Other {
                    owner = Some(i);
                }
                owner
            })
            .collect()
    }

    /// The forge the link definitions point at.
    pub(crate) fn forge(&self) -> Option<Forge> {
        Forge::from_link_definitions(self.links.iter().map(|l| l.url))
    }
}

fn offset_in(text: &str, slice: &str) -> usize {
    slice.as_ptr() as usize - text.as_ptr() as usize
}

fn link_def(line: &str) -> Option<LinkDef<'_>> {
    let rest = line.strip_prefix('[')?;
    let (label, after) = rest.split_once("]:")?;
    let url = after.split_whitespace().next()?;
    (!label.is_empty() && !label.contains('[')).then_some(LinkDef { label, url, line })
}

/// Sets link definitions: each `(label, url)` of `wanted` replaces the definition with that label
/// (case-insensitively) or is added; the block is rewritten only when something changes, with
/// `wanted` first and the other definitions after, in their order.
pub(crate) fn set_links(doc: &Doc<'_>, wanted: &[(String, String)]) -> Option<String> {
    // By lower-cased label: with `--all`, 10,000 releases have 10,000 links.
    let have: std::collections::HashMap<String, Vec<&str>> =
        doc.links.iter().fold(Default::default(), |mut have, l| {
            have.entry(l.label.to_ascii_lowercase()).or_default().push(l.url);
            have
        });
    let same = wanted.iter().all(|(label, url)| {
        have.get(&label.to_ascii_lowercase()).is_some_and(|urls| urls.contains(&url.as_str()))
    });
    if same {
        return None;
    }
    let mut out = String::new();
    for (label, url) in wanted {
        out.push_str(&format!("[{label}]: {url}\n"));
    }
    let wanted_labels: std::collections::HashSet<String> =
        wanted.iter().map(|(label, _)| label.to_ascii_lowercase()).collect();
    for l in &doc.links {
        if !wanted_labels.contains(&l.label.to_ascii_lowercase()) {
            out.push_str(l.line.trim_end_matches('\n'));
            out.push('\n');
        }
    }
    Some(out)
}

/// Reassembles a document from its parts, making sure each part is followed by a blank line.
pub(crate) fn assemble(header: &str, parts: &[String], links: &str) -> String {
    let mut out = String::with_capacity(
        header.len() + links.len() + parts.iter().map(String::len).sum::<usize>(),
    );
    out.push_str(header);
    if !out.is_empty() && !out.ends_with("\n\n") && !parts.is_empty() {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
    let n = parts.len();
    for (i, part) in parts.iter().enumerate() {
        out.push_str(part);
        let more = i + 1 < n || !links.is_empty();
        if more && !part.ends_with("\n\n") {
            out.push_str(if part.ends_with('\n') { "\n" } else { "\n\n" });
        }
    }
    out.push_str(links);
    out
}

#[cfg(test)]
pub(in crate::changelog) mod tests {
    use expect_test::expect;

    use super::*;

    pub(in crate::changelog) const DOC: &str = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- New\n\n## [1.1.0] - 2024-02-01\n\n### Fixed\n\n- Old fix\n\n## [1.0.0] - 2024-01-01\n\n- First\n\n[unreleased]: https://github.com/acme/widget/compare/v1.1.0...HEAD\n[1.1.0]: https://github.com/acme/widget/compare/v1.0.0...v1.1.0\n[1.0.0]: https://github.com/acme/widget/releases/tag/v1.0.0\n";

    #[test]
    fn parse_splits_and_reassembles_every_byte() {
        for text in [
            DOC,
            "",
            "# Changelog\n",
            "## [Unreleased]",
            "```\n## not a heading\n```\n",
            "[x]: y\n",
        ] {
            let doc = Doc::parse(text);
            let mut back = doc.header.to_string();
            for p in &doc.parts {
                back.push_str(p.line);
                back.push_str(p.body);
            }
            back.push_str(doc.links_text);
            assert_eq!(back, text);
        }
        let doc = Doc::parse(DOC);
        let headings: Vec<_> = doc.parts.iter().map(|p| p.heading.clone()).collect();
        assert_eq!(
            headings,
            [
                Heading::Unreleased,
                Heading::Release("1.1.0".into()),
                Heading::Release("1.0.0".into())
            ]
        );
        assert_eq!(doc.links.len(), 3);
        assert_eq!(doc.forge().unwrap().base, "https://github.com/acme/widget");
        assert_eq!(Doc::parse("```\n## x\n```\n").parts.len(), 0);
    }

    #[test]
    fn release_headings_of_every_style_split_the_document_and_blocks_have_owners() {
        let text = "# Changelog\n\n## About\n\nWords.\n\n# 0.7.19 (July 21st, 2026)\n\n### Added\n\n- a\n\n## New Contributors\n\n* @x\n\n1.2.0 (2026-01-02)\n------------------\n\n- b\n\n```\n# 9.9.9\n```\n\n## v1.1.0\n";
        let doc = Doc::parse(text);
        let owners = doc.owners();
        let shown: String = doc
            .parts
            .iter()
            .zip(&owners)
            .map(|(p, o)| format!("{:?} `{}` owner {o:?}\n", p.heading, p.line.replace('\n', "/")))
            .collect();
        expect![[r#"
            Other `## About/` owner None
            Release("0.7.19") `# 0.7.19 (July 21st, 2026)/` owner Some(1)
            Other `## New Contributors/` owner Some(1)
            Release("1.2.0") `1.2.0 (2026-01-02)/------------------/` owner Some(3)
            Release("1.1.0") `## v1.1.0/` owner Some(4)
        "#]]
        .assert_eq(&shown);
        assert_eq!(doc.header, "# Changelog\n\n");
        assert_eq!(doc.style().release("0.8.0", "2026-08-01"), "# 0.8.0 (August 1st, 2026)\n");
        let back: String = doc.parts.iter().map(Part::text).collect();
        assert_eq!(format!("{}{back}", doc.header), text);
    }
}
