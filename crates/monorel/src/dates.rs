//! Release dates as changelogs write them: ISO `2026-03-04`, and the long form `March 4, 2026`
//! (or `March 4th, 2026`) that tokio writes. Shared by the changelog's headings and
//! verify-artifacts, which finds a release's dated section.

/// The English month names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Whether `date` is exactly `YYYY-MM-DD` in shape.
pub(crate) fn is_iso(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b.iter()
            .enumerate()
            .all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

/// The first `YYYY-MM-DD` in `line` not preceded by a digit.
pub(crate) fn find_iso(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|i| {
        let bounded = i == 0 || !bytes[i - 1].is_ascii_digit();
        (bounded && line.is_char_boundary(i) && line.is_char_boundary(i + 10))
            .then(|| &line[i..i + 10])
            .filter(|d| is_iso(d))
    })
}

/// The first `May 1, 2024` or `May 1st, 2024` in `line`.
pub(crate) fn find_long(line: &str) -> Option<&str> {
    MONTHS.iter().find_map(|month| {
        let start = line.find(&format!("{month} "))?;
        let rest = &line[start + month.len() + 1..];
        let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after_day = rest[day_len..].trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let year = after_day.strip_prefix(", ")?;
        let year_len = year.bytes().take_while(u8::is_ascii_digit).count();
        let end = line.len() - year.len() + year_len;
        (day_len > 0 && year_len == 4).then(|| &line[start..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_found_in_both_forms() {
        assert_eq!(find_iso("## [1.2.0] - 2026-03-04"), Some("2026-03-04"));
        assert_eq!(find_iso("12026-03-04"), None);
        assert_eq!(find_iso("é 2026-03-04"), Some("2026-03-04"));
        assert_eq!(find_long("# 1.2.0 (March 4th, 2026)"), Some("March 4th, 2026"));
        assert_eq!(find_long("# 1.2.0 (May 1, 2024)"), Some("May 1, 2024"));
        assert_eq!(find_long("# 1.2.0 (May, 2024)"), None);
        assert!(is_iso("2026-12-01") && !is_iso("2026-12-1") && !is_iso("2026/12/01"));
    }
}
