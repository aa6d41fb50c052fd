//! What a release says about itself: the tag's message from `[release] tag-message` (`{tag}`,
//! `{version}`, `{group}`, `{notes}`; the notes by default), and the mark of a security release.
//!
//! A release whose notes have a `### Security` subsection is a security release: its section in
//! the changelog opens with [`SECURITY_NOTE`] (unless a person already wrote it there), so the
//! notes, the tag's message and a forge's release all carry it; a tag message without the
//! notes gets it as a paragraph of its own.

use crate::changelog::Section;

/// The sentence that marks a security release.
pub const SECURITY_NOTE: &str = "This release fixes security issues.";

/// Whether `notes` (a section's body) have a `### Security` subsection.
pub fn is_security(notes: &str) -> bool {
    notes
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .any(|heading| Section::from_heading(heading) == Section::Security)
}

/// The changelog with [`SECURITY_NOTE`] as the first paragraph of the section whose heading is
/// `heading` (as `promote` wrote it); unchanged when the note is already in that section or
/// the heading is not found. CRLF files get CRLF.
pub fn mark_security(changelog: &[u8], heading: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(changelog);
    let Some(at) = text.find(heading) else { return changelog.to_vec() };
    let rest = &text[at + heading.len()..];
    let end = rest.find("\n## ").map_or(rest.len(), |n| n + 1);
    if rest[..end].contains(SECURITY_NOTE) {
        return changelog.to_vec();
    }
    let newline = if rest.starts_with("\r\n") { "\r\n" } else { "\n" };
    // After the heading's line end and the blank line under it.
    let mut insert = at + heading.len();
    for _ in 0..2 {
        if text[insert..].starts_with(newline) {
            insert += newline.len();
        }
    }
    let mut out = Vec::with_capacity(changelog.len() + SECURITY_NOTE.len() + 4);
    out.extend_from_slice(&changelog[..insert]);
    out.extend_from_slice(format!("{SECURITY_NOTE}{newline}{newline}").as_bytes());
    out.extend_from_slice(&changelog[insert..]);
    out
}

/// The tag's message: `template` (its `{tag}`, `{version}` and `{group}` filled already) with
/// `{notes}`; a security release's message names it even when the template leaves the notes out.
pub fn tag_message(template: &str, notes: &str) -> String {
    let mut message = template.replace("{notes}", notes);
    if is_security(notes) && !message.contains(SECURITY_NOTE) {
        message = format!("{}\n\n{SECURITY_NOTE}\n", message.trim_end());
    }
    if !message.ends_with('\n') {
        message.push('\n');
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTES: &str = "### Security\n\n- Escape names (CVE-2024-1)\n";

    #[test]
    fn the_tag_message_fills_the_template_and_marks_a_security_release() {
        assert_eq!(tag_message("{notes}", "### Fixed\n\n- A\n"), "### Fixed\n\n- A\n");
        assert_eq!(tag_message("Release {notes}", "- A\n"), "Release - A\n");
        assert_eq!(
            tag_message("Hotfix v1.2.1", NOTES),
            format!("Hotfix v1.2.1\n\n{SECURITY_NOTE}\n")
        );
        let marked = format!("{SECURITY_NOTE}\n\n{NOTES}");
        assert_eq!(tag_message("{notes}", &marked), marked);
        assert!(!is_security("### Fixed\n\n- Security of x\n"));
    }

    #[test]
    fn the_security_note_opens_the_section_once() {
        let doc = "# C\n\n## [Unreleased]\n\n## [1.2.1] - 2024-05-01\n\n### Security\n\n- X\n\n## [1.2.0] - 2024-01-01\n\n- Y\n";
        let marked =
            String::from_utf8(mark_security(doc.as_bytes(), "## [1.2.1] - 2024-05-01")).unwrap();
        assert_eq!(
            marked,
            format!(
                "# C\n\n## [Unreleased]\n\n## [1.2.1] - 2024-05-01\n\n{SECURITY_NOTE}\n\n### Security\n\n- X\n\n## [1.2.0] - 2024-01-01\n\n- Y\n"
            )
        );
        assert_eq!(mark_security(marked.as_bytes(), "## [1.2.1] - 2024-05-01"), marked.as_bytes());
        let crlf = doc.replace('\n', "\r\n");
        let out =
            String::from_utf8(mark_security(crlf.as_bytes(), "## [1.2.1] - 2024-05-01")).unwrap();
        assert!(out.contains(&format!("2024-05-01\r\n\r\n{SECURITY_NOTE}\r\n\r\n### Security")));
    }
}
