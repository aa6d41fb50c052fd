//! Release headings in the styles changelogs write them, and the style a new one takes.
//!
//! - Keep a Changelog: `## [1.2.0] - 2026-01-02` (also with an inline link, as git-cliff writes
//!   `## [1.2.0](https://...) - 2026-01-02`);
//! - level 1 with a long date, as tokio writes: `# 1.2.0 (March 4th, 2026)`;
//! - `## 1.2.0`, `## v1.2.0 (2026-01-02)`;
//! - setext and reStructuredText: `1.2.0 (2026-01-02)` over a `---` or `===` underline.
//!
//! A `##` line is always a heading of the document (a release, `[Unreleased]`, or another block
//! such as `## New Contributors`); a level-1 or setext heading is one only when it names a
//! version or `Unreleased`, so a `# Changelog` title stays in the header.

use crate::dates::{MONTHS, is_iso};

/// What a heading is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Heading {
    Unreleased,
    /// A release, by its version as written (a leading `v` taken off).
    Release(String),
    Other,
}

/// How a heading line is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `#`s and a space, this many.
    Atx(usize),
    /// An underline of this character on the next line.
    Setext(char),
}

/// How the date follows the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateStyle {
    None,
    /// ` - 2026-01-02`
    Dash,
    /// ` (2026-01-02)`
    Paren,
    /// ` (March 4, 2026)`, or ` (March 4th, 2026)` when `ordinal`.
    Long {
        ordinal: bool,
    },
}

/// How a file writes its release headings, read from its newest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    marker: Marker,
    /// `[1.2.0]`, a link label (Keep a Changelog).
    pub(crate) brackets: bool,
    v: bool,
    date: DateStyle,
}

impl Default for Style {
    /// Keep a Changelog's.
    fn default() -> Self {
        Style { marker: Marker::Atx(2), brackets: true, v: false, date: DateStyle::Dash }
    }
}

/// A heading that starts at `line`: what it is and how many lines it takes (2 for setext).
/// `next` is the following line, `after_blank` whether the line before is blank (or there is
/// none): a setext underline under a paragraph's last line would make it all one heading.
pub(crate) fn recognise(
    line: &str,
    next: Option<&str>,
    after_blank: bool,
) -> Option<(Heading, usize)> {
    let text = line.trim_end_matches(['\n', '\r']);
    if let Some((level, title)) = atx(text) {
        return match level {
            2 => Some((classify(title, false), 1)),
            1 => named(title).map(|h| (h, 1)),
            _ => None,
        };
    }
    let underline = next.and_then(setext_char);
    if after_blank && underline.is_some() && !text.starts_with([' ', '\t']) && !text.is_empty() {
        return named(text).map(|h| (h, 2));
    }
    None
}

impl Style {
    /// The style of a heading as [`recognise`] found it (its line or two lines).
    pub(crate) fn of(heading: &str) -> Style {
        let mut lines = heading.lines();
        let first = lines.next().unwrap_or_default();
        let (marker, title) = match atx(first) {
            Some((level, title)) => (Marker::Atx(level), title),
            None => {
                let c = lines.next().and_then(setext_char).unwrap_or('-');
                (Marker::Setext(c), first)
            }
        };
        let title = title.trim();
        let (label, rest, brackets) = match title.strip_prefix('[') {
            Some(inner) => {
                let (label, rest) = inner.split_once(']').unwrap_or((inner, ""));
                // An inline link, `[1.2.0](https://...)`, is part of the label.
                let rest = match rest.strip_prefix('(') {
                    Some(link) => link.split_once(')').map_or("", |(_, after)| after),
                    None => rest,
                };
                (label, rest, true)
            }
            None => {
                let (label, rest) = title.split_once(char::is_whitespace).unwrap_or((title, ""));
                (label, rest, false)
            }
        };
        let v = label.starts_with(['v', 'V']);
        if label.eq_ignore_ascii_case("unreleased") {
            let date = if brackets { DateStyle::Dash } else { DateStyle::Paren };
            return Style { marker, brackets, v: false, date };
        }
        Style { marker, brackets, v, date: date_style(rest.trim()) }
    }

    /// The heading of a release (with its newline).
    pub(crate) fn release(&self, version: &str, date: &str) -> String {
        let v = if self.v { "v" } else { "" };
        let label = if self.brackets { format!("[{v}{version}]") } else { format!("{v}{version}") };
        let date = match self.date {
            DateStyle::None => String::new(),
            DateStyle::Dash => format!(" - {date}"),
            DateStyle::Paren => format!(" ({date})"),
            DateStyle::Long { ordinal } => format!(" ({})", long_date(date, ordinal)),
        };
        self.line(&format!("{label}{date}"))
    }

    /// The heading of `[Unreleased]` (with its newline).
    pub(crate) fn unreleased(&self) -> String {
        self.line(if self.brackets { "[Unreleased]" } else { "Unreleased" })
    }

    fn line(&self, title: &str) -> String {
        match self.marker {
            Marker::Atx(level) => format!("{} {title}\n", "#".repeat(level)),
            Marker::Setext(c) => {
                let underline = c.to_string().repeat(title.chars().count());
                format!("{title}\n{underline}\n")
            }
        }
    }
}

/// `## title` as its level and title.
fn atx(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let title = line[level..].strip_prefix(' ')?;
    (1..=6).contains(&level).then_some((level, title))
}

/// The character of a setext or reStructuredText underline (at least three of them).
fn setext_char(line: &str) -> Option<char> {
    let t = line.trim_end();
    let c = t.chars().next()?;
    (matches!(c, '=' | '-') && t.len() >= 3 && t.chars().all(|x| x == c)).then_some(c)
}

/// A level-2 title: `Unreleased`, a release (its label starts with a digit) or another block.
fn classify(title: &str, strict: bool) -> Heading {
    let title = title.trim();
    let label = match title.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => title.split_whitespace().next().unwrap_or_default(),
    };
    let version = label.trim_start_matches(['v', 'V']);
    if label.eq_ignore_ascii_case("unreleased") {
        Heading::Unreleased
    } else if version.starts_with(|c: char| c.is_ascii_digit())
        && (!strict || version.contains('.'))
    {
        Heading::Release(version.to_string())
    } else {
        Heading::Other
    }
}

/// A level-1 or setext title that names a version (`1.2.0`, with a dot) or `Unreleased`.
fn named(title: &str) -> Option<Heading> {
    Some(classify(title, true)).filter(|h| *h != Heading::Other)
}

fn date_style(rest: &str) -> DateStyle {
    if rest.is_empty() {
        return DateStyle::None;
    }
    let inner = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')'));
    match inner {
        Some(inner) if is_iso(inner) => DateStyle::Paren,
        Some(inner) if MONTHS.iter().any(|m| inner.starts_with(m)) => {
            let day = inner.split_whitespace().nth(1).unwrap_or_default().trim_end_matches(',');
            DateStyle::Long { ordinal: day.ends_with(|c: char| c.is_ascii_alphabetic()) }
        }
        _ => DateStyle::Dash,
    }
}

/// `2026-03-04` as `March 4, 2026` (or `March 4th, 2026`); any other text as it is.
fn long_date(date: &str, ordinal: bool) -> String {
    if !is_iso(date) {
        return date.to_string();
    }
    let month: usize = date[5..7].parse().unwrap_or(0);
    let day: u32 = date[8..10].parse().unwrap_or(0);
    let Some(name) = month.checked_sub(1).and_then(|m| MONTHS.get(m)) else {
        return date.to_string();
    };
    let suffix = match (ordinal, day % 100, day % 10) {
        (false, _, _) => "",
        (true, 11..=13, _) => "th",
        (true, _, 1) => "st",
        (true, _, 2) => "nd",
        (true, _, 3) => "rd",
        (true, _, _) => "th",
    };
    format!("{name} {day}{suffix}, {}", &date[..4])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(h: &str) -> Option<(Heading, usize)> {
        let mut lines = h.split_inclusive('\n');
        let line = lines.next().unwrap();
        recognise(line, lines.next(), true)
    }

    #[test]
    fn the_common_styles_are_release_headings_and_take_their_own_style_again() {
        let r = |v: &str, n| Some((Heading::Release(v.into()), n));
        for (heading, found, next) in [
            ("## [1.2.0] - 2026-01-02\n", r("1.2.0", 1), "## [1.3.0] - 2026-05-06\n"),
            ("# 1.2.0 (March 4, 2026)\n", r("1.2.0", 1), "# 1.3.0 (May 6, 2026)\n"),
            ("# 0.7.19 (July 21st, 2026)\n", r("0.7.19", 1), "# 1.3.0 (May 6th, 2026)\n"),
            ("## 1.2.0\n", r("1.2.0", 1), "## 1.3.0\n"),
            ("## v1.2.0 (2026-01-02)\n", r("1.2.0", 1), "## v1.3.0 (2026-05-06)\n"),
            (
                "1.2.0 (2026-01-02)\n------------------\n",
                r("1.2.0", 2),
                "1.3.0 (2026-05-06)\n------------------\n",
            ),
            ("v1.2.0\n===\n", r("1.2.0", 2), "v1.3.0\n======\n"),
            (
                "## [1.2.0](https://github.com/a/b/compare/v1.1.0..v1.2.0) - 2026-01-02\n",
                r("1.2.0", 1),
                "## [1.3.0] - 2026-05-06\n",
            ),
        ] {
            assert_eq!(release(heading), found, "{heading}");
            assert_eq!(Style::of(heading).release("1.3.0", "2026-05-06"), next, "{heading}");
        }
        assert_eq!(Style::of("# 1.2.0 (March 4, 2026)\n").unreleased(), "# Unreleased\n");
        assert_eq!(Style::of("1.2.0\n=====\n").unreleased(), "Unreleased\n==========\n");
        assert_eq!(Style::default().unreleased(), "## [Unreleased]\n");
        assert_eq!(long_date("2026-01-22", true), "January 22nd, 2026");
        assert_eq!(long_date("2026-12-11", true), "December 11th, 2026");
        assert_eq!(long_date("2026-12-01", true), "December 1st, 2026");
    }

    #[test]
    fn titles_blocks_and_paragraphs_are_not_releases() {
        assert_eq!(release("# Changelog\n"), None);
        assert_eq!(release("# 2024\n"), None);
        assert_eq!(release("## New Contributors ❤️\n"), Some((Heading::Other, 1)));
        assert_eq!(release("Changelog\n=========\n"), None);
        assert_eq!(release("### 1.2.0\n"), None);
        assert_eq!(release("- 1.2.0\n---\n"), None);
        assert_eq!(release("#1.2.0\n"), None);
        assert_eq!(recognise("1.2.0 is out\n", Some("---\n"), false), None);
        assert_eq!(release("# [Unreleased]\n"), Some((Heading::Unreleased, 1)));
        assert_eq!(release("Unreleased\n----\n"), Some((Heading::Unreleased, 2)));
    }
}
