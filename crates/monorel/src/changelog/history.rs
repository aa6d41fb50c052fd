//! Which release each commit belongs to, for `--all`: one pass over the commit graph.
//!
//! A commit belongs to the lowest release (by version) whose tag reaches it, which is what
//! `git log <previous tags>..<tag>` lists. Tags are visited from the lowest version up, and a
//! walk from each tag stops at commits already taken, so every commit and every parent edge is
//! visited once in all: the work does not grow with the number of tags.

use std::collections::HashMap;

use super::commits::RawCommit;
use crate::{git::TagRef, version::Version};

/// A release tag, with the version it names.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseTag<'a> {
    pub(crate) version: Version,
    pub(crate) tag: &'a TagRef,
}

/// The commits of each release (lowest version first, same order as `tags`), then the
/// unreleased ones; each list keeps `commits`' order (newest first).
pub(crate) fn split<'c, 'a>(
    commits: &'c [RawCommit<'a>],
    tags: &[ReleaseTag<'_>],
) -> (Vec<Vec<&'c RawCommit<'a>>>, Vec<&'c RawCommit<'a>>) {
    const NONE: u32 = u32::MAX;
    let index: HashMap<&str, usize> = commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut label = vec![NONE; commits.len()];
    let mut stack = Vec::new();
    for (n, tag) in tags.iter().enumerate() {
        let Some(&start) = index.get(tag.tag.commit.as_str()) else { continue };
        stack.push(start);
        while let Some(i) = stack.pop() {
            if label[i] != NONE {
                continue;
            }
            label[i] = n as u32;
            stack.extend(
                commits[i].parents.split_whitespace().filter_map(|p| index.get(p).copied()),
            );
        }
    }
    let mut releases = vec![Vec::new(); tags.len()];
    let mut unreleased = Vec::new();
    for (commit, &l) in commits.iter().zip(&label) {
        match l {
            NONE => unreleased.push(commit),
            l => releases[l as usize].push(commit),
        }
    }
    (releases, unreleased)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit<'a>(id: &'a str, parents: &'a str) -> RawCommit<'a> {
        RawCommit { id, parents, author: ("", "", 0), committer: ("", "", 0), message: id }
    }

    fn tag(name: &str, commit: &str) -> TagRef {
        TagRef { name: name.into(), commit: commit.into(), date: "2024-01-01".into() }
    }

    #[test]
    fn each_commit_goes_to_the_lowest_release_that_reaches_it() {
        // a - b (v1.0.0) - c - m (v1.1.0) - e
        //       \- s ----/
        // s was branched before v1.0.0 and merged after it: it is in 1.1.0.
        let commits = [
            commit("e", "m"),
            commit("m", "c s"),
            commit("s", "b"),
            commit("c", "b"),
            commit("b", "a"),
            commit("a", ""),
        ];
        let tags = [tag("v1.0.0", "b"), tag("v1.1.0", "m"), tag("v0.9.0-untaken", "zz")];
        let release_tags: Vec<ReleaseTag<'_>> =
            tags.iter().map(|t| ReleaseTag { version: Version::new(0, 0, 0), tag: t }).collect();
        let (releases, unreleased) = split(&commits, &release_tags);
        let ids = |list: &[&RawCommit<'_>]| list.iter().map(|c| c.id).collect::<Vec<_>>().join(" ");
        assert_eq!(ids(&releases[0]), "b a");
        assert_eq!(ids(&releases[1]), "m s c");
        assert_eq!(ids(&releases[2]), "");
        assert_eq!(ids(&unreleased), "e");
    }
}
