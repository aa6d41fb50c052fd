//! Helpers shared by the TOML editors: parse keeping spans, find the characters of a string.
//!
//! toml_edit's span-keeping [`Document`] locates values; nothing here re-serialises. A leading
//! BOM never reaches these functions (see `editors::decode`).

use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

use super::{Lines, Reason, Refusal, Role, Site, line_at};
use crate::version::Spelling;

/// Parses `text` as TOML, or refuses with the line of the syntax error.
pub(super) fn parse(text: &str) -> Result<Document<&str>, Refusal> {
    Document::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |span| line_at(text, span.start));
        let message = e.message().trim_end().trim_end_matches('.').to_string();
        Refusal::new(Reason::Parse, format!("invalid TOML: {message}"))
            .at_line(line)
            .help("fix the syntax error; no file was changed")
    })
}

/// The table-like item at `path` below `root` (`["workspace", "package"]`).
pub(super) fn table<'a>(root: &'a dyn TableLike, path: &[&str]) -> Option<&'a dyn TableLike> {
    path.iter().try_fold(root, |t, key| t.get(key)?.as_table_like())
}

/// The byte range of the characters of a one-line basic or literal string (without quotes), or
/// `None` when the value is not such a string.
pub(super) fn string_content(text: &str, value: &Value) -> Option<Range<usize>> {
    let s = value.as_str()?;
    let span = value.span()?;
    let raw = text.get(span.clone())?;
    let quote = raw.chars().next()?;
    if !matches!(quote, '"' | '\'')
        || raw.len() < 2
        || raw.starts_with("\"\"\"")
        || raw.starts_with("'''")
    {
        return None;
    }
    let content = span.start + 1..span.end - 1;
    // Escapes would make the written characters differ from the value: then there is no exact
    // token to replace.
    (text.get(content.clone())? == s).then_some(content)
}

/// A site for the string `item` at `subject`, or a refusal when it is not a plain one-line string.
pub(super) fn string_site(
    text: &str,
    lines: &Lines<'_>,
    item: &Item,
    role: Role,
    spelling: Spelling,
) -> Result<Site, Refusal> {
    let subject = role.subject();
    let value = item.as_value();
    let Some(range) = value.and_then(|v| string_content(text, v)) else {
        let line =
            item.span().or_else(|| value.and_then(Value::span)).map_or(1, |s| lines.at(s.start));
        return Err(Refusal::new(
            Reason::Parse,
            format!(
                "`{subject}` is not a one-line string, so there is no version token to replace"
            ),
        )
        .at_line(line)
        .help("write the version as a plain string, e.g. `version = \"1.2.3\"`"));
    };
    Ok(Site {
        line: lines.at(range.start),
        text: text[range.clone()].to_string(),
        range,
        role,
        spelling,
    })
}

/// Whether the array `item` holds the string `wanted`.
pub(super) fn array_contains(item: Option<&Item>, wanted: &str) -> bool {
    item.and_then(Item::as_array).is_some_and(|a| a.iter().any(|v| v.as_str() == Some(wanted)))
}

/// The line of `item`, or 1.
pub(super) fn line_of(text: &str, item: &Item) -> usize {
    item.span()
        .or_else(|| item.as_value().and_then(Value::span))
        .map_or(1, |s| line_at(text, s.start))
}
