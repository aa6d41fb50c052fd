//! Loading a snapshot: the file listing and the bytes discovery needs. The only IO of the
//! repository model.
//!
//! Inside git the listing is `git ls-files`: the tracked files only, answered from the index far
//! faster than any walk. The index is what a release commits, and `release`'s preflight already
//! requires a clean tracked tree; listing untracked files would cost a walk of every directory
//! (7.8x `git ls-files` on its own on the benchmark tree of `docs/benchmarks.md`). A new manifest
//! is seen once it is `git add`ed. Outside git, a walk that never descends into `.git`,
//! `target/`, `node_modules/` or virtual environments.
//!
//! The listing stays one string ([`Listing`]); the manifests are picked from it once, by file
//! name, and read; then the files they lead to (Python version modules, configured extra files).
//! Files are read, and Python projects parsed, on every core: after git, that is most of a load.

use std::{
    collections::HashSet,
    io,
    ops::Range,
    path::{Path, PathBuf},
};

use super::{Snapshot, cargo, discover, places, python};
use crate::{
    config::{self, Config, ConfigError},
    confine::{self, FileError, Tree},
    git,
};

/// A snapshot that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Listing the files with git failed.
    #[error(transparent)]
    Git(#[from] git::GitError),
    /// A file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file that must not be read: outside the repository, a link, a device, too large.
    #[error(transparent)]
    File(#[from] FileError),
}

/// The file names of manifests: the files discovery reads first.
const MANIFESTS: [&str; 9] = [
    "Cargo.toml",
    "Cargo.lock",
    "uv.lock",
    "Chart.lock",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Chart.yaml",
    "Chart.yml",
];

/// The files of a source tree, relative to its root, `/`-separated, sorted, without repeats.
///
/// One string of NUL-separated paths and the byte range of each: a listing of 100,000 files is
/// a few allocations rather than 100,000.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    text: String,
    paths: Vec<Range<usize>>,
}

impl Listing {
    /// The listing of `text`, paths separated by NUL (empty pieces are skipped), sorted and
    /// without repeats here unless they already are (git's are).
    pub fn from_nul_separated(text: String) -> Listing {
        let paths = nul_separated(text.as_bytes());
        let mut listing = Listing { text, paths };
        let text = &listing.text;
        if !listing.paths.is_sorted_by(|a, b| text[a.clone()] < text[b.clone()]) {
            listing.paths.sort_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
            listing.paths.dedup_by(|a, b| text[a.clone()] == text[b.clone()]);
        }
        listing
    }

    /// Every path, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.paths.iter().map(|range| &self.text[range.clone()])
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether there is no file at all.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether `path` is listed.
    pub fn contains(&self, path: &str) -> bool {
        self.paths.binary_search_by(|range| self.text[range.clone()].cmp(path)).is_ok()
    }

    /// Keeps the paths for which `keep` is true.
    fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        let text = &self.text;
        self.paths.retain(|range| keep(&text[range.clone()]));
    }
}

impl<'a> FromIterator<&'a str> for Listing {
    fn from_iter<I: IntoIterator<Item = &'a str>>(paths: I) -> Listing {
        let mut text = String::new();
        for path in paths {
            text.push_str(path);
            text.push('\0');
        }
        Listing::from_nul_separated(text)
    }
}

/// The ranges of the non-empty runs of bytes between NULs.
///
/// Eight bytes at a time: a listing is megabytes of short paths, where `split('\0')` spends
/// more time starting each search than searching.
fn nul_separated(bytes: &[u8]) -> Vec<Range<usize>> {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut ranges = Vec::with_capacity(bytes.len() / 32);
    let mut start = 0;
    let mut end_at = |end: usize| {
        if end > start {
            ranges.push(start..end);
        }
        start = end + 1;
    };
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // The high bit of each byte that is zero: no carry crosses bytes, so this is exact.
        let mut zeros = !(((word & LOW) + LOW) | word | LOW);
        while zeros != 0 {
            end_at(at + zeros.trailing_zeros() as usize / 8);
            zeros &= zeros - 1;
        }
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == 0 {
            end_at(at + i);
        }
    }
    end_at(bytes.len());
    ranges
}

/// Reads the snapshot of the repository at `dir`: inside git, of the whole work tree from its
/// root, as git finds it (a subdirectory never narrows what is planned); outside git, of `dir`.
pub fn load(dir: &Path) -> Result<Snapshot, LoadError> {
    let repo = git::Repo::discover(dir);
    let root = repo.as_ref().map_or(dir, |r| r.root());
    // The tag names (for each group's tag style) are asked while the files are listed: two git
    // processes at once rather than one after the other.
    let tags_repo = repo.as_ref().and_then(git::Repo::handle);
    let (listed, tags) = std::thread::scope(|scope| {
        let tags = scope.spawn(move || tags_repo.map_or(Ok(Vec::new()), |r| r.tag_names()));
        let listed = match &repo {
            Some(repo) => repo.ls_files().map(|text| (Listing::from_nul_separated(text), "git")),
            None => Ok((walk(root), "walk")),
        };
        (listed, tags.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (mut files, listed_by) = listed?;
    let tags = tags?;
    let config = load_config(root)?;
    let tree = Tree::new(root);
    if !config.exclude.is_empty() {
        files.retain(|f| !config.exclude.iter().any(|prefix| under(f, prefix)));
    }
    // Manifests in places of test data, examples and vendored code are set aside, unless the
    // configuration takes them in.
    let (manifests, set_aside): (Vec<String>, Vec<String>) = files
        .iter()
        .filter(|f| MANIFESTS.contains(&name_of(f)))
        .map(String::from)
        .partition(|f| !places::is_set_aside(f) || places::included(f, &config.include));

    let mut snapshot = Snapshot {
        root: root.to_path_buf(),
        files,
        manifests,
        set_aside,
        tags,
        contents: Default::default(),
        config,
        listed_by,
        python: Vec::new(),
    };
    // Configured extra files first: a link or a path outside is the configuration's mistake,
    // refused with its line, where a linked manifest is only a file that is no manifest. Then
    // the manifests, the Python projects they make, and the modules those point at.
    // A crate that a workspace of the repository lists as a member is a package wherever it
    // lives: taken back from the set-aside ones once the workspaces are read.
    read_extra_files(&tree, &mut snapshot)?;
    let manifests = snapshot.manifests.clone();
    read_into(&tree, &mut snapshot, manifests)?;
    let claimed = cargo::claimed_members(&snapshot, &snapshot.set_aside);
    if !claimed.is_empty() {
        snapshot.set_aside.retain(|f| !claimed.contains(f));
        snapshot.manifests.extend(claimed.iter().cloned());
        snapshot.manifests.sort();
        read_into(&tree, &mut snapshot, claimed)?;
    }
    snapshot.python = python::projects(&snapshot);
    let followed = discover::followed_files(&snapshot);
    read_into(&tree, &mut snapshot, followed)?;
    Ok(snapshot)
}

/// The configuration of the repository at `root`: `monorel.toml`, else the root `Cargo.toml`'s
/// `[workspace.metadata.monorel]`, else the defaults.
pub fn load_config(root: &Path) -> Result<Config, LoadError> {
    let tree = Tree::new(root);
    let read = |path: &str| match read(&tree, path) {
        // A linked root `Cargo.toml` is no manifest (see `read_into`), so it configures nothing.
        Err(e) if path != config::FILE_NAME && e.is_not_a_file() => Ok(None),
        read => read.map_err(LoadError::from),
    };
    Ok(match read(config::FILE_NAME)? {
        Some(bytes) => Config::parse_file(config::FILE_NAME, &String::from_utf8_lossy(&bytes))?,
        None => match read("Cargo.toml")? {
            Some(bytes) => {
                Config::from_cargo_manifest("Cargo.toml", &String::from_utf8_lossy(&bytes))?
                    .unwrap_or_default()
            }
            None => Config::default(),
        },
    })
}

/// The bytes of the regular file `path` below the root, or `None` when there is no such file
/// (see [`Tree::read`]: never through a link, never more than [`confine::MAX_FILE_BYTES`]).
fn read(tree: &Tree, path: &str) -> Result<Option<Vec<u8>>, FileError> {
    tree.read(path, confine::MAX_FILE_BYTES)
}

/// Reads the configured extra files (`groups.*.files`): one that is a link, a special file, or
/// leads outside the repository is refused with the entry's line.
fn read_extra_files(tree: &Tree, snapshot: &mut Snapshot) -> Result<(), LoadError> {
    let source = snapshot.config.source.clone().unwrap_or_else(|| config::FILE_NAME.into());
    let source = source.split(' ').next().unwrap_or_default().to_string();
    for group in &snapshot.config.groups {
        for extra in &group.files {
            if snapshot.contents.contains_key(&extra.path) {
                continue;
            }
            match read(tree, &extra.path) {
                Ok(Some(bytes)) => {
                    snapshot.contents.insert(extra.path.clone(), bytes);
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(LoadError::Config(ConfigError {
                        path: source,
                        line: Some(extra.line),
                        message: format!("`groups.{}.files.path`: {e}", group.name),
                        help: "name a regular file inside the repository, or remove the entry"
                            .into(),
                    }));
                }
            }
        }
    }
    Ok(())
}

/// Reads the `wanted` files not read yet into the snapshot, on every core (after git, opening
/// and reading two thousand manifests is most of a load). A listed file that is a symbolic link
/// (git tracks the link, not what it points to) or no regular file is skipped, as if it were not
/// listed.
fn read_into(tree: &Tree, snapshot: &mut Snapshot, wanted: Vec<String>) -> Result<(), LoadError> {
    let mut seen = HashSet::new();
    let todo: Vec<&String> = wanted
        .iter()
        .filter(|path| !snapshot.contents.contains_key(*path) && seen.insert(path.as_str()))
        .collect();
    let read = crate::parallel::map_in_parallel(&todo, 64, |path| read(tree, path));
    let mut missing = HashSet::new();
    for (path, bytes) in todo.into_iter().zip(read) {
        let bytes = match bytes {
            Err(e) if e.is_not_a_file() => None,
            bytes => bytes?,
        };
        match bytes {
            Some(bytes) => {
                snapshot.contents.insert(path.clone(), bytes);
            }
            None => {
                missing.insert(path.clone());
            }
        }
    }
    // A listed file that is gone was deleted from the work tree (git still lists it, see
    // `git::Repo::ls_files`): it is no file of the tree.
    if !missing.is_empty() {
        snapshot.files.retain(|f| !missing.contains(f));
        snapshot.manifests.retain(|f| !missing.contains(f));
    }
    Ok(())
}

/// Whether `path` is `prefix` or below it (`prefix` is a directory or file, `/` optional).
pub(super) fn under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty()
        || path == prefix
        || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

/// The file name of `path` (what follows the last `/`).
pub(super) fn name_of(path: &str) -> &str {
    // Backwards by hand: a file name is a few bytes, shorter than a search takes to start.
    match path.bytes().rposition(|b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

/// Directories a walk never enters: build output, dependencies, VCS data, virtual environments.
fn skipped(dir: &Path) -> bool {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    matches!(
        name,
        ".git"
            | "target"
            | "node_modules"
            | "__pycache__"
            | ".tox"
            | ".nox"
            | ".mypy_cache"
            | ".venv"
            | "venv"
    ) || dir.join("pyvenv.cfg").is_file()
}

fn walk(root: &Path) -> Listing {
    let files: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && skipped(e.path())))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel: PathBuf = e.path().strip_prefix(root).ok()?.to_path_buf();
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    files.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::{Listing, name_of};

    fn paths(listing: &Listing) -> Vec<&str> {
        listing.iter().collect()
    }

    #[test]
    fn listing_splits_sorts_and_finds() {
        // Pieces of every length around the eight-byte words, empty pieces, bytes next to NUL
        // that the word trick must not take for NUL (0x01, 0x80, 0xff in UTF-8), no final NUL.
        let text = "b/Cargo.toml\0\0a\0abcdefg\0abcdefgh\0\u{1}\0é\u{1}\0ÿ\0a/b/c/__init__.py";
        let listing = Listing::from_nul_separated(text.to_string());
        let expected = [
            "\u{1}",
            "a",
            "a/b/c/__init__.py",
            "abcdefg",
            "abcdefgh",
            "b/Cargo.toml",
            "é\u{1}",
            "ÿ",
        ];
        assert_eq!(paths(&listing), expected);
        assert_eq!(listing.len(), expected.len());
        for path in expected {
            assert!(listing.contains(path), "{path}");
        }
        for path in ["", "b", "a/b", "abcdef", "Cargo.toml", "zzz"] {
            assert!(!listing.contains(path), "{path}");
        }
        assert_eq!(paths(&Listing::from_nul_separated("x\0x\0".into())), ["x"]);
        assert!(Listing::from_nul_separated("\0\0".into()).is_empty());
        let collected: Listing = ["c", "a", "b"].into_iter().collect();
        assert_eq!(paths(&collected), ["a", "b", "c"]);
    }

    proptest::proptest! {
        #[test]
        fn nul_separated_is_split(bytes in proptest::collection::vec(
            proptest::sample::select(vec![0u8, 1, b'a', 0x7f, 0x80, 0xfe, 0xff]), 0..64,
        )) {
            let mut expected = Vec::new();
            let mut start = 0;
            for piece in bytes.split(|&b| b == 0) {
                if !piece.is_empty() {
                    expected.push(start..start + piece.len());
                }
                start += piece.len() + 1;
            }
            proptest::prop_assert_eq!(super::nul_separated(&bytes), expected);
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(name_of("a/b/Cargo.toml"), "Cargo.toml");
        assert_eq!(name_of("Cargo.toml"), "Cargo.toml");
        assert_eq!(name_of("a/"), "");
    }
}
