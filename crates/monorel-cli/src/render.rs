//! Rendering for people: diffs, summaries, errors.

use monorel::editors::{FileEdit, Refusal};

/// Prints an error that stopped a command, with its causes.
pub(crate) fn error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

/// Prints why `path` was not edited: the file, the line, the reason and the fix.
pub(crate) fn refusal(path: &str, refusal: &Refusal) {
    eprint!("{}", refusal_text(path, refusal));
}

pub(crate) fn refusal_text(path: &str, refusal: &Refusal) -> String {
    let location = match refusal.line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    };
    let mut out = format!("error: cannot bump `{location}`: {}\n", refusal.message);
    if let Some(help) = &refusal.help {
        out.push_str(&format!("help: {help}\n"));
    }
    out
}

/// A unified diff of one planned file edit, `a/` and `b/` headers as git writes them.
pub(crate) fn file_diff(path: &str, edit: &FileEdit) -> String {
    let before = String::from_utf8_lossy(&edit.before);
    let after = String::from_utf8_lossy(&edit.after);
    similar::TextDiff::from_lines(before.as_ref(), after.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .missing_newline_hint(true)
        .to_string()
}

/// What changed (or would change) in a file: a heading, then one aligned line per token.
pub(crate) fn file_summary(path: &str, edit: &FileEdit, dry_run: bool) -> String {
    let n = edit.changes.len();
    let versions = if n == 1 { "version" } else { "versions" };
    let verb = if dry_run { "would change" } else { "changed" };
    let mut out = format!("`{path}` ({}): {n} {versions} {verb}\n", edit.kind);
    let width = edit.changes.iter().map(|c| c.site.role.subject().len()).max().unwrap_or(0);
    for c in &edit.changes {
        let subject = c.site.role.subject();
        out.push_str(&format!(
            "  line {:<4} {subject:<width$}  {} -> {}\n",
            c.site.line, c.site.text, c.to
        ));
    }
    if dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    out
}
