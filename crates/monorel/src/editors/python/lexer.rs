//! A small Python tokenizer: just enough of Python's lexical rules to split a module into logical
//! lines and to know the exact byte range of every string literal.
//!
//! It understands comments; string literals with every prefix (`r`, `b`, `u`, `f`, `t` and their
//! combinations, in any case), single, double and triple quotes, escapes and f-string replacement
//! fields (with nested strings); backslash continuations; bracket nesting, inside which a logical
//! line goes on across newlines; and the indentation of each logical line. Token kinds are coarse
//! (name, number, string, operator): the editor needs no more.

use std::ops::Range;

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// An identifier or keyword.
    Name,
    /// A numeric literal.
    Number,
    /// A string literal; see [`Token::string`].
    Str,
    /// An operator or delimiter, including brackets.
    Op,
}

/// The parts of a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StrLit {
    /// The prefix, lowercased (`""`, `"r"`, `"rb"`, `"f"`, ...).
    pub(super) prefix: String,
    /// The characters between the quotes.
    pub(super) content: Range<usize>,
}

/// One token, with its byte range in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// What the token is.
    pub(super) kind: Kind,
    /// Where it is, prefix and quotes included for strings.
    pub(super) range: Range<usize>,
    /// Set for [`Kind::Str`] tokens.
    pub(super) string: Option<StrLit>,
}

/// A logical line: the tokens of one statement line, across bracketed newlines and backslash
/// continuations, without comments.
#[derive(Debug, Clone)]
pub(super) struct LogicalLine {
    /// Width of the leading whitespace of the line's first physical line (0 at module level).
    pub(super) indent: usize,
    /// The tokens, never empty.
    pub(super) tokens: Vec<Token>,
}

/// A tokenized module.
#[derive(Debug, Clone, Default)]
pub(super) struct Module {
    /// The logical lines, in order.
    pub(super) lines: Vec<LogicalLine>,
    /// Byte ranges of comments, `#` included.
    pub(super) comments: Vec<Range<usize>>,
}

/// Text Python could not tokenize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LexError {
    /// Where the problem starts.
    pub(super) offset: usize,
    /// What is wrong, for a person.
    pub(super) message: String,
}

/// Deepest f-string nesting followed before giving up (Python allows far less).
const MAX_NESTING: usize = 64;

/// Deepest bracket nesting accepted: Python's own parser limit.
const MAX_BRACKETS: usize = 200;

/// Operators of three and two characters, longest first.
const LONG_OPS: [&str; 23] = [
    "**=", "//=", ">>=", "<<=", "...", "!=", "==", "<=", ">=", "->", ":=", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "@=", "**", "//", "<<",
];

/// Splits `text` into logical lines of tokens.
pub(super) fn tokenize(text: &str) -> Result<Module, LexError> {
    let src = text.as_bytes();
    let mut module = Module::default();
    let mut tokens: Vec<Token> = Vec::new();
    let mut open: Vec<(u8, usize)> = Vec::new();
    let mut at_line_start = true;
    let mut indent = 0;
    let mut line_indent = 0;
    let mut pos = 0;
    while pos < src.len() {
        if at_line_start {
            at_line_start = false;
            indent = 0;
            while let Some(&c) = src.get(pos) {
                match c {
                    b' ' => indent += 1,
                    b'\t' => indent = indent / 8 * 8 + 8,
                    b'\x0c' => indent = 0,
                    _ => break,
                }
                pos += 1;
            }
            continue;
        }
        let c = src[pos];
        let start = pos;
        let first = tokens.is_empty();
        let kind = match c {
            b' ' | b'\t' | b'\x0c' => {
                pos += 1;
                continue;
            }
            b'\r' | b'\n' => {
                pos += if src[pos..].starts_with(b"\r\n") { 2 } else { 1 };
                if open.is_empty() {
                    if !tokens.is_empty() {
                        let tokens = std::mem::take(&mut tokens);
                        module.lines.push(LogicalLine { indent: line_indent, tokens });
                    }
                    at_line_start = true;
                }
                continue;
            }
            b'#' => {
                pos = line_end(src, pos);
                module.comments.push(start..pos);
                continue;
            }
            b'\\' => {
                let after = pos + 1;
                if src[after..].starts_with(b"\r\n") {
                    pos = after + 2;
                } else if matches!(src.get(after), Some(b'\n' | b'\r')) {
                    pos = after + 1;
                } else if after == src.len() {
                    pos = after;
                } else {
                    return Err(error(pos, "a backslash outside a string must end the line"));
                }
                continue;
            }
            b'\'' | b'"' => {
                let (end, content) = string(src, pos, "", 0)?;
                pos = end;
                push_string(&mut tokens, start..end, String::new(), content);
                None
            }
            c if is_ident_start(c) => {
                pos = ident_end(src, pos);
                let word = &text[start..pos];
                if matches!(src.get(pos), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    let prefix = word.to_ascii_lowercase();
                    let (end, content) = string(src, pos, &prefix, 0)?;
                    pos = end;
                    push_string(&mut tokens, start..end, prefix, content);
                    None
                } else {
                    Some(Kind::Name)
                }
            }
            c if c.is_ascii_digit()
                || (c == b'.' && src.get(pos + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                pos = number_end(src, pos);
                Some(Kind::Number)
            }
            b'(' | b'[' | b'{' => {
                if open.len() == MAX_BRACKETS {
                    return Err(error(pos, "too many nested brackets"));
                }
                open.push((c, pos));
                pos += 1;
                Some(Kind::Op)
            }
            b')' | b']' | b'}' => {
                if open.pop().is_none() {
                    return Err(error(pos, format!("unmatched `{}`", c as char)));
                }
                pos += 1;
                Some(Kind::Op)
            }
            _ => {
                pos += LONG_OPS
                    .iter()
                    .find(|op| src[pos..].starts_with(op.as_bytes()))
                    .map_or(char_len(c), |op| op.len());
                Some(Kind::Op)
            }
        };
        if first {
            line_indent = indent;
        }
        if let Some(kind) = kind {
            tokens.push(Token { kind, range: start..pos, string: None });
        }
    }
    if let Some(&(c, at)) = open.last() {
        return Err(error(at, format!("`{}` is never closed", c as char)));
    }
    if !tokens.is_empty() {
        module.lines.push(LogicalLine { indent: line_indent, tokens });
    }
    Ok(module)
}

fn push_string(
    tokens: &mut Vec<Token>,
    range: Range<usize>,
    prefix: String,
    content: Range<usize>,
) {
    tokens.push(Token { kind: Kind::Str, range, string: Some(StrLit { prefix, content }) });
}

fn error(offset: usize, message: impl Into<String>) -> LexError {
    LexError { offset, message: message.into() }
}

/// Whether `word` is a string prefix: `r`, `u`, `b`, `f`, `t`, `br`, `rb`, `fr`, `rf`, `tr`,
/// `rt`, in any case.
fn is_string_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "t" | "br" | "rb" | "fr" | "rf" | "tr" | "rt"
    )
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn ident_end(src: &[u8], mut pos: usize) -> usize {
    while src.get(pos).is_some_and(|&c| is_ident_start(c) || c.is_ascii_digit()) {
        pos += 1;
    }
    pos
}

fn number_end(src: &[u8], start: usize) -> usize {
    let hex = src[start..].len() > 1 && matches!(&src[start..start + 2], b"0x" | b"0X");
    let mut pos = start;
    while let Some(&c) = src.get(pos) {
        let exponent_sign =
            matches!(c, b'+' | b'-') && !hex && pos > start && matches!(src[pos - 1], b'e' | b'E');
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign) {
            break;
        }
        pos += 1;
    }
    pos
}

/// The length of the UTF-8 character that starts with byte `c`.
fn char_len(c: u8) -> usize {
    match c {
        0xf0.. => 4,
        0xe0.. => 3,
        0xc0.. => 2,
        _ => 1,
    }
}

/// The end of the physical line at `pos` (before its `\r` or `\n`).
fn line_end(src: &[u8], mut pos: usize) -> usize {
    while src.get(pos).is_some_and(|&c| c != b'\n' && c != b'\r') {
        pos += 1;
    }
    pos
}

/// Reads the string literal whose opening quote is at `quote`. Returns the end of the literal
/// and the range of its content.
fn string(
    src: &[u8],
    quote: usize,
    prefix: &str,
    level: usize,
) -> Result<(usize, Range<usize>), LexError> {
    if level > MAX_NESTING {
        return Err(error(quote, "f-strings nested too deeply"));
    }
    let q = src[quote];
    let triple = src[quote..].starts_with(&[q, q, q]);
    let formatted = prefix.contains('f') || prefix.contains('t');
    let start = quote + if triple { 3 } else { 1 };
    let mut pos = start;
    loop {
        let Some(&c) = src.get(pos) else {
            return Err(error(quote, "this string is never closed"));
        };
        match c {
            b'\\' => pos += if src[pos + 1..].starts_with(b"\r\n") { 3 } else { 2 },
            b'\r' | b'\n' if !triple => {
                return Err(error(quote, "this string is never closed on its line"));
            }
            c if c == q && !triple => return Ok((pos + 1, start..pos)),
            c if c == q && src[pos..].starts_with(&[q, q, q]) => return Ok((pos + 3, start..pos)),
            b'{' if formatted && src.get(pos + 1) == Some(&b'{') => pos += 2,
            b'{' if formatted => pos = replacement_field(src, pos + 1, level + 1)?,
            _ => pos += 1,
        }
    }
}

/// Skips an f-string replacement field that starts at `pos` (after its `{`); returns the position
/// after its closing `}`.
fn replacement_field(src: &[u8], mut pos: usize, level: usize) -> Result<usize, LexError> {
    if level > MAX_NESTING {
        return Err(error(pos, "f-strings nested too deeply"));
    }
    let start = pos - 1;
    let mut depth = 0usize;
    while let Some(&c) = src.get(pos) {
        match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                pos += 1;
            }
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                pos += 1;
            }
            b'}' if depth == 0 => return Ok(pos + 1),
            b'}' => {
                depth -= 1;
                pos += 1;
            }
            b':' if depth == 0 => return format_spec(src, pos + 1, level),
            b'\'' | b'"' => pos = string(src, pos, "", level)?.0,
            b'#' => pos = line_end(src, pos),
            c if is_ident_start(c) => {
                let end = ident_end(src, pos);
                let word = std::str::from_utf8(&src[pos..end]).unwrap_or_default();
                if matches!(src.get(end), Some(b'\'' | b'"')) && is_string_prefix(word) {
                    pos = string(src, end, &word.to_ascii_lowercase(), level)?.0;
                } else {
                    pos = end;
                }
            }
            _ => pos += 1,
        }
    }
    Err(error(start, "this f-string replacement field is never closed"))
}

/// Skips the format spec of a replacement field (after its `:`), which may hold nested fields.
fn format_spec(src: &[u8], mut pos: usize, level: usize) -> Result<usize, LexError> {
    let start = pos - 1;
    while let Some(&c) = src.get(pos) {
        match c {
            b'{' => pos = replacement_field(src, pos + 1, level + 1)?,
            b'}' => return Ok(pos + 1),
            _ => pos += 1,
        }
    }
    Err(error(start, "this f-string replacement field is never closed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders each logical line as `indent: token token ...`, strings as `prefix<content>`.
    fn check(text: &str, expected: &str) {
        let module = tokenize(text).unwrap_or_else(|e| panic!("{e:?} in {text:?}"));
        let lines: Vec<String> = module
            .lines
            .iter()
            .map(|line| {
                let tokens: Vec<String> = line
                    .tokens
                    .iter()
                    .map(|t| match &t.string {
                        Some(s) => format!("{}<{}>", s.prefix, &text[s.content.clone()]),
                        None => text[t.range.clone()].to_string(),
                    })
                    .collect();
                format!("{}: {}", line.indent, tokens.join(" "))
            })
            .collect();
        assert_eq!(lines.join("\n"), expected, "{text:?}");
    }

    #[test]
    fn strings() {
        check("a = 'x' \"y\"", "0: a = <x> <y>");
        check(
            "R'a\\'' bR\"b\" Rb'c' F'd' u'e' t'f' rt'g'",
            "0: r<a\\'> br<b> rb<c> f<d> u<e> t<f> rt<g>",
        );
        check("'''a\n'b'\n\"\"\"'''", "0: <a\n'b'\n\"\"\">");
        check("\"\"\"x\\\"\"\"\"", "0: <x\\\">");
        check("f\"{d['k']!r:>{w}} {x:'^9} {{}}\"", "0: f<{d['k']!r:>{w}} {x:'^9} {{}}>");
        check("f\"{d[\"k\"]}\" + f'''{f\"{1}\"}'''", "0: f<{d[\"k\"]}> + f<{f\"{1}\"}>");
        check("x = '\\\ny'", "0: x = <\\\ny>");
        check("rb = 1; fr = b", "0: rb = 1 ; fr = b");
    }

    #[test]
    fn lines() {
        check("a = (1,\n  2)\n\n  # c\nb = [\n]\n", "0: a = ( 1 , 2 )\n0: b = [ ]");
        check("if x:\n    y = 1 \\\n  + 2\n\tz\n", "0: if x :\n4: y = 1 + 2\n8: z");
        check("x = 1\r\ny = 2.5e-3 + 0x1f + .5j\r\n", "0: x = 1\n0: y = 2.5e-3 + 0x1f + .5j");
        check("a **= b // c != d -> e := f ... é", "0: a **= b // c != d -> e := f ... é");
        check("# only\n\n", "");
    }

    #[test]
    fn errors() {
        for (text, offset) in [
            ("x = 'a\n", 4),
            ("x = '''a", 4),
            ("x = (1,\n", 4),
            ("x = 1)", 5),
            ("x = f'{a'", 8),
            ("x = \\ y", 4),
        ] {
            assert_eq!(tokenize(text).map(|_| ()).map_err(|e| e.offset), Err(offset), "{text:?}");
        }
    }
}
