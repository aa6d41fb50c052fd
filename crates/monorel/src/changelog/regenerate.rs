//! `--all`: every tagged release's section written again from its commits, keeping what the
//! document already says.
//!
//! A release section that is there keeps its heading line and the items a person wrote, where
//! they stood; its generated entries are merged in as `[Unreleased]`'s are. A block that is not
//! a release (`## New Contributors`) moves with the release above it, byte for byte. A tag
//! with no section gets one, in the heading style the file uses; a release with no listed
//! commit says [`NO_CHANGES`](super::section::NO_CHANGES). Sections of releases with no tag stay.

use std::collections::HashMap;

use super::{
    commits::Entries,
    document::{Doc, Heading},
    section::{merge_release, render_release},
};
use crate::version::Version;

/// One tagged release and the entries of its commits.
pub(crate) struct Release<'r> {
    pub(crate) version: &'r Version,
    /// `YYYY-MM-DD`, for a section that is not there yet.
    pub(crate) date: &'r str,
    pub(crate) entries: Entries,
}

/// The parts of the document: the blocks above every release, `unreleased` (already merged)
/// with its blocks, then the releases, newest first, each with its blocks.
pub(crate) fn parts(doc: &Doc<'_>, unreleased: String, releases: &[Release<'_>]) -> Vec<String> {
    let owners = doc.owners();
    let style = doc.style();
    // The blocks owned by part `i`, each as written.
    let blocks = |i: usize| -> Vec<String> {
        (i + 1..doc.parts.len())
            .take_while(|&j| owners[j] == Some(i) && doc.parts[j].heading == Heading::Other)
            .map(|j| doc.parts[j].text())
            .collect()
    };
    let mut out: Vec<String> = (0..doc.parts.len())
        .filter(|&j| owners[j].is_none())
        .map(|j| doc.parts[j].text())
        .collect();
    out.push(unreleased);
    if let Some(u) = doc.unreleased() {
        out.extend(blocks(u));
    }

    // Each version's releases, the first to be taken last: one lookup a section.
    let mut by_version: HashMap<&Version, Vec<usize>> = HashMap::with_capacity(releases.len());
    for (r, release) in releases.iter().enumerate().rev() {
        by_version.entry(release.version).or_default().push(r);
    }
    let mut used = vec![false; releases.len()];
    let mut units: Vec<(Option<Version>, Vec<String>)> = Vec::new();
    for (i, part) in doc.parts.iter().enumerate() {
        let Heading::Release(v) = &part.heading else { continue };
        let version = Version::parse(v).ok();
        let found = version.as_ref().and_then(|v| by_version.get_mut(v)?.pop());
        let mut unit = vec![match found.map(|r| (r, &releases[r])) {
            Some((r, release)) => {
                used[r] = true;
                let e = &release.entries;
                format!("{}{}", part.line, merge_release(part.body, &e.listed, &e.cancelled))
            }
            None => part.text(),
        }];
        unit.extend(blocks(i));
        units.push((version, unit));
    }
    for (release, _) in releases.iter().zip(&used).filter(|(_, used)| !**used) {
        let text = render_release(
            &style,
            &release.version.to_string(),
            release.date,
            &release.entries.listed,
        );
        units.push((Some(release.version.clone()), vec![text]));
    }
    // Newest first; a stable sort keeps sections with the same (or no) version in their order.
    units.sort_by(|a, b| b.0.cmp(&a.0));
    out.extend(units.into_iter().flat_map(|(_, unit)| unit));
    out
}
