//! Rendering for people: diffs, summaries, errors; and writing to stdout.

/// `print!` that ends the program quietly when stdout is closed (`monorel versions | head`).
macro_rules! out {
    ($($arg:tt)*) => { $crate::render::stdout(&format!($($arg)*)) };
}

/// `println!` that ends the program quietly when stdout is closed.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::render::stdout(&format!("{}\n", format!($($arg)*))) };
}

pub(crate) use {out, outln};

/// Writes to stdout; a closed pipe ends the program with success, as `git log | head` does.
pub(crate) fn stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to stdout: {e}");
        std::process::exit(1);
    }
}

use std::borrow::Cow;

use monorel::editors::{FileEdit, Refusal};

/// A name or value from a repository or an archive, made safe to print on one line: control
/// characters become visible escapes (`\n`, `\r`, `\t`, `\0`, `\u{1b}`), so that a name
/// holding a newline cannot start a line of its own (a fake `::error::` annotation, a fake
/// `ok` row) and a NUL or an escape sequence cannot hide the rest of it.
pub(crate) fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the Unicode line and paragraph separators.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// [`escape`] for text that may hold the lines monorel itself wrote (`message\nhelp: ...`):
/// each line is escaped on its own, so only the newlines between them stay.
pub(crate) fn escape_lines(s: &str) -> String {
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// Escapes a GitHub workflow command's message (after [`escape`] for names).
pub(crate) fn annotation_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a GitHub workflow command's property value.
pub(crate) fn annotation_property(s: &str) -> String {
    annotation_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Prints an error that stopped a command, with its causes.
pub(crate) fn error(e: &anyhow::Error) {
    let mut said = e.to_string();
    eprintln!("error: {}", escape_lines(&said));
    for cause in e.chain().skip(1) {
        // A message that already says its cause (`cannot read `x`: No such file...`) is not
        // followed by the cause again.
        let cause = cause.to_string();
        if !said.contains(&cause) {
            eprintln!("  caused by: {}", escape_lines(&cause));
        }
        said = cause;
    }
}

/// Prints why `path` was not edited: the file, the line, the reason and the fix.
pub(crate) fn refusal(path: &str, refusal: &Refusal) {
    eprint!("{}", refusal_text(path, refusal));
}

pub(crate) fn refusal_text(path: &str, refusal: &Refusal) -> String {
    let path = escape(path);
    let location = match refusal.line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    };
    let mut out = format!("error: cannot bump `{location}`: {}\n", escape(&refusal.message));
    if let Some(help) = &refusal.help {
        out.push_str(&format!("help: {}\n", escape(help)));
    }
    out
}

/// A unified diff of one planned file edit, `a/` and `b/` headers as git writes them.
pub(crate) fn file_diff(path: &str, edit: &FileEdit) -> String {
    diff(path, &edit.before, &edit.after)
}

/// A unified diff of a file's bytes before and after.
pub(crate) fn diff(path: &str, before: &[u8], after: &[u8]) -> String {
    let before = String::from_utf8_lossy(before);
    let after = String::from_utf8_lossy(after);
    similar::TextDiff::from_lines(before.as_ref(), after.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", escape(path)), &format!("b/{}", escape(path)))
        .missing_newline_hint(true)
        .to_string()
}

/// What changed (or would change) in a file: a heading, then one aligned line per token.
pub(crate) fn file_summary(path: &str, edit: &FileEdit, dry_run: bool) -> String {
    let n = edit.changes.len();
    let versions = if n == 1 { "version" } else { "versions" };
    let verb = if dry_run { "would change" } else { "changed" };
    let mut out = format!("`{}` ({}): {n} {versions} {verb}\n", escape(path), edit.kind);
    let width = edit.changes.iter().map(|c| c.site.role.subject().len()).max().unwrap_or(0);
    for c in &edit.changes {
        let subject = c.site.role.subject();
        out.push_str(&format!(
            "  line {:<4} {subject:<width$}  {} -> {}\n",
            c.site.line,
            escape(&c.site.text),
            escape(&c.to)
        ));
    }
    if dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    out
}

/// Problems found in a repository, each with its file, line and fix.
pub(crate) fn problems(problems: &[monorel::repo::Problem]) -> String {
    let mut out = String::new();
    for p in problems {
        let location = match p.line {
            Some(line) => format!("{}:{line}", escape(&p.path)),
            None => escape(&p.path).into_owned(),
        };
        out.push_str(&format!("error: `{location}`: {}\n", escape(&p.message)));
        if !p.help.is_empty() {
            out.push_str(&format!("help: {}\n", escape(&p.help)));
        }
    }
    out
}

/// Warnings: problems of packages no group releases, one line each.
pub(crate) fn warnings(warnings: &[monorel::repo::Problem]) -> String {
    let mut out = String::new();
    for p in warnings {
        let location = match p.line {
            Some(line) => format!("{}:{line}", p.path),
            None => p.path.clone(),
        };
        out.push_str(&format!("warning: `{location}`: {} (no group releases it)\n", p.message));
    }
    out
}

/// GitHub Actions annotations for problems, so that CI points at the line.
pub(crate) fn github_annotations(problems: &[monorel::repo::Problem]) -> String {
    problems
        .iter()
        .map(|p| {
            let line = p.line.map(|l| format!(",line={l}")).unwrap_or_default();
            let help = if p.help.is_empty() {
                String::new()
            } else {
                format!(" (help: {})", escape(&p.help))
            };
            format!(
                "::error file={}{line}::{}\n",
                annotation_property(&escape(&p.path)),
                annotation_data(&format!("{}{help}", escape(&p.message)))
            )
        })
        .collect()
}

/// Rows laid out in columns, two spaces apart, the last column unpadded; every cell escaped.
pub(crate) fn columns(rows: &[[String; 5]]) -> String {
    let rows: Vec<[String; 5]> =
        rows.iter().map(|row| row.clone().map(|cell| escape(&cell).into_owned())).collect();
    let mut widths = [0; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_every_name_one_visible_line() {
        let cases = [
            ("pkg/__init__.py", "pkg/__init__.py"),
            ("café/日本語.py", "café/日本語.py"),
            ("a\n::error::x", r"a\n::error::x"),
            ("a\r\tb\0c", r"a\r\tb\0c"),
            ("\u{1b}[2Kx\u{7f}\u{85}", r"\u{1b}[2Kx\u{7f}\u{85}"),
            ("a\u{2028}b", r"a\u{2028}b"),
        ];
        for (name, shown) in cases {
            assert_eq!(escape(name), shown);
        }
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_lines("`a\rb`: bad\nhelp: fix"), "`a\\rb`: bad\nhelp: fix");
        assert_eq!(annotation_property(&escape("a\n:b,%")), "a\\n%3Ab%2C%25");
    }
}
