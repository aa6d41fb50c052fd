//! Paths a repository names, kept inside it; files read the way git sees them.
//!
//! A repository is input: its configuration names files (`release.changelog`,
//! `groups.*.files.path`, `groups.*.artifacts`), and its listing names manifests. Every such
//! path is checked twice: when the configuration is parsed ([`lexical_problem`]: relative, no
//! `..` that climbs out, no NUL), and when the file is opened ([`Tree`]): the directories on the
//! way must resolve inside the repository after symlinks, and the file itself must be a regular
//! file, never a symbolic link (git tracks a link as a link, not as what it points to), read
//! within a size bound so that a device or a huge file cannot exhaust memory or hang a run.

use std::{
    collections::HashSet,
    fs, io,
    io::Read,
    path::{Path, PathBuf},
    sync::Mutex,
};

/// The most bytes monorel reads from one repository file (a manifest, a version module, a
/// changelog): far beyond any real one, small enough for memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Why `path`, as a repository's configuration writes it, is not a path inside the repository:
/// `None` when it is one.
pub fn lexical_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("is empty");
    }
    if path.contains('\0') {
        return Some("contains a NUL byte");
    }
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with(['/', '\\']) || drive {
        return Some("is absolute");
    }
    let mut depth = 0usize;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Some("leaves the repository (`..`)"),
            },
            _ => depth += 1,
        }
    }
    None
}

/// A file of the repository that monorel will not read or write.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file is a symbolic link.
    #[error("`{path}` is a symbolic link; monorel reads and writes only regular files")]
    Symlink {
        /// The path, relative to the root.
        path: String,
    },
    /// The file is a directory, a device, a FIFO or a socket.
    #[error("`{path}` is not a regular file")]
    NotRegular {
        /// The path, relative to the root.
        path: String,
    },
    /// A directory on the way resolves outside the repository.
    #[error("`{path}` resolves outside the repository, to `{resolved}`")]
    Outside {
        /// The path, relative to the root.
        path: String,
        /// Where it leads.
        resolved: String,
    },
    /// The path itself is not a relative path inside the repository.
    #[error("`{path}` {problem}")]
    NotInside {
        /// The path, relative to the root.
        path: String,
        /// What [`lexical_problem`] said.
        problem: &'static str,
    },
    /// The file is larger than the bound.
    #[error("`{path}` is larger than {}", size(*limit))]
    TooLarge {
        /// The path, relative to the root.
        path: String,
        /// The bound.
        limit: u64,
    },
    /// Reading failed.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path, relative to the root.
        path: String,
        /// Why.
        #[source]
        source: io::Error,
    },
}

impl FileError {
    /// Whether git would not call this a regular file of the tree (a link, a device...):
    /// discovery skips such files without a word, as it skips any file that is no manifest.
    pub fn is_not_a_file(&self) -> bool {
        matches!(self, FileError::Symlink { .. } | FileError::NotRegular { .. })
    }
}

/// A repository root, resolved once, under which paths are opened.
#[derive(Debug)]
pub struct Tree {
    root: PathBuf,
    real: PathBuf,
    /// Directories already known to resolve inside: discovery opens thousands of files in a
    /// few hundred directories, and each directory is looked at once.
    inside: Mutex<HashSet<PathBuf>>,
}

impl Tree {
    /// The tree at `root` (resolved through symlinks once, here).
    pub fn new(root: &Path) -> Tree {
        let real = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Tree { root: root.to_path_buf(), real, inside: Mutex::default() }
    }

    /// The root as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The full path of `rel` once it is known to stay inside: no `..` climbing out, every
    /// existing directory on the way resolving inside the root, and the file itself, when it
    /// exists, not a symbolic link and not a special file.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, FileError> {
        let path = self.resolve_dirs(rel)?;
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                Err(FileError::Symlink { path: rel.to_string() })
            }
            Ok(meta) if !meta.is_file() => Err(FileError::NotRegular { path: rel.to_string() }),
            _ => Ok(path),
        }
    }

    /// The bytes of the regular file `rel`, at most `limit` of them; `None` when it does not
    /// exist. A symbolic link is refused, never followed (`O_NOFOLLOW`), a FIFO or device is
    /// never waited on (`O_NONBLOCK`, then the opened file's own metadata).
    pub fn read(&self, rel: &str, limit: u64) -> Result<Option<Vec<u8>>, FileError> {
        let path = self.resolve_dirs(rel)?;
        let io = |source: io::Error| FileError::Io { path: rel.to_string(), source };
        let file = match open_no_follow(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) if is_link_error(&e) => return Err(FileError::Symlink { path: rel.into() }),
            Err(e) => {
                // A directory (EISDIR) or a name that is no file: say what it is.
                return match fs::symlink_metadata(&path) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        Err(FileError::Symlink { path: rel.into() })
                    }
                    Ok(meta) if !meta.is_file() => Err(FileError::NotRegular { path: rel.into() }),
                    _ => Err(io(e)),
                };
            }
        };
        let meta = file.metadata().map_err(io)?;
        if !meta.is_file() {
            return Err(FileError::NotRegular { path: rel.into() });
        }
        if meta.len() > limit {
            return Err(FileError::TooLarge { path: rel.into(), limit });
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(FileError::TooLarge { path: rel.into(), limit });
        }
        Ok(Some(bytes))
    }

    /// The full path of the directory `rel` (configured artifacts, say) once it is known to
    /// resolve inside the root, symbolic links and all; a directory that does not exist yet is
    /// judged by the nearest one on its way that does.
    pub fn resolve_dir(&self, rel: &str) -> Result<PathBuf, FileError> {
        if rel.trim_end_matches('/').is_empty() {
            return Ok(self.root.clone());
        }
        let path = self.checked(rel)?;
        self.nearest_inside(rel, Some(&path))?;
        Ok(path)
    }

    /// `root/rel` after checking `rel` and the directories on its way.
    fn resolve_dirs(&self, rel: &str) -> Result<PathBuf, FileError> {
        let path = self.checked(rel)?;
        self.nearest_inside(rel, path.parent())?;
        Ok(path)
    }

    /// `root/rel` once `rel` passes [`lexical_problem`].
    fn checked(&self, rel: &str) -> Result<PathBuf, FileError> {
        match lexical_problem(rel) {
            Some(problem) => Err(FileError::NotInside { path: rel.to_string(), problem }),
            None => Ok(self.root.join(rel)),
        }
    }

    /// Whether the nearest existing directory from `dir` up resolves inside the root: a
    /// directory that is a link to elsewhere would carry the file out of the repository.
    fn nearest_inside(&self, rel: &str, dir: Option<&Path>) -> Result<(), FileError> {
        let Some(dir) = dir else { return Ok(()) };
        self.dir_inside(dir).map_err(|(d, real)| {
            let full = self.root.join(rel);
            let rest = full.strip_prefix(&d).unwrap_or(Path::new(""));
            let real = if rest.as_os_str().is_empty() { real } else { real.join(rest) };
            FileError::Outside { path: rel.to_string(), resolved: real.display().to_string() }
        })
    }

    /// Whether directory `d` resolves inside the root, or which directory on its way leads
    /// where. From the root down, each directory is looked at (`lstat`) once; only a link is
    /// resolved. A directory that does not exist is judged by its parent.
    fn dir_inside(&self, d: &Path) -> Result<(), (PathBuf, PathBuf)> {
        if d == self.root || self.known().contains(d) {
            return Ok(());
        }
        let below_root = d.starts_with(&self.root);
        match (fs::symlink_metadata(d), d.parent()) {
            (Ok(meta), Some(parent)) if below_root && !meta.file_type().is_symlink() => {
                self.dir_inside(parent)?;
            }
            (Err(_), Some(parent)) => return self.dir_inside(parent),
            (Err(_), None) => return Ok(()),
            // A link, or a path not below the root as given: where it really is.
            _ => match fs::canonicalize(d) {
                Ok(real) if real.starts_with(&self.real) => {}
                Ok(real) => return Err((d.to_path_buf(), real)),
                Err(_) => return Ok(()),
            },
        }
        self.known().insert(d.to_path_buf());
        Ok(())
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        self.inside.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `16 MiB`, or `10 bytes`.
fn size(bytes: u64) -> String {
    match bytes % (1 << 20) {
        0 if bytes > 0 => format!("{} MiB", bytes >> 20),
        _ => format!("{bytes} bytes"),
    }
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("a symbolic link"));
    }
    fs::File::open(path)
}

/// Whether opening failed because the last component is a symbolic link (`ELOOP` with
/// `O_NOFOLLOW`; `EMLINK` on some BSDs).
fn is_link_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::EMLINK))
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_problems() {
        for ok in ["CHANGELOG.md", "docs/x.md", "./a", "a/../b", "a/b/../../c", "a//b"] {
            assert_eq!(lexical_problem(ok), None, "{ok}");
        }
        let cases = [
            ("", "is empty"),
            ("/etc/passwd", "is absolute"),
            ("/proc/self/environ", "is absolute"),
            ("\\x", "is absolute"),
            ("C:x", "is absolute"),
            ("../x", "leaves the repository (`..`)"),
            ("../../x", "leaves the repository (`..`)"),
            ("a/../../x", "leaves the repository (`..`)"),
            ("a\\..\\..\\x", "leaves the repository (`..`)"),
            ("a\0b", "contains a NUL byte"),
        ];
        for (path, problem) in cases {
            assert_eq!(lexical_problem(path), Some(problem), "{path:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_devices_and_large_files_are_not_read() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.toml"), "a").unwrap();
        fs::write(outside.path().join("secret"), "s").unwrap();
        symlink("a.toml", root.join("link.toml")).unwrap();
        symlink("/dev/zero", root.join("zero")).unwrap();
        symlink(outside.path(), root.join("out")).unwrap();
        fs::create_dir(root.join("dir")).unwrap();
        fs::write(root.join("big"), vec![b'x'; 11]).unwrap();
        let tree = Tree::new(root);
        assert_eq!(tree.read("a.toml", 10).unwrap().unwrap(), b"a");
        assert!(tree.read("missing", 10).unwrap().is_none());
        let err = |rel: &str| tree.read(rel, 10).unwrap_err().to_string();
        assert_eq!(
            err("link.toml"),
            "`link.toml` is a symbolic link; monorel reads and writes only regular files"
        );
        assert_eq!(
            err("zero"),
            "`zero` is a symbolic link; monorel reads and writes only regular files"
        );
        assert!(
            err("out/secret").starts_with("`out/secret` resolves outside the repository, to `")
        );
        assert!(tree.resolve("out/new").is_err());
        assert_eq!(err("dir"), "`dir` is not a regular file");
        assert_eq!(err("big"), "`big` is larger than 10 bytes");
        assert_eq!(err("../x"), "`../x` leaves the repository (`..`)");
        assert!(tree.resolve("dir/new.md").is_ok());
        assert!(tree.resolve_dir("dir/").is_ok() && tree.resolve_dir("").is_ok());
        assert!(tree.resolve_dir("dir/not/yet").is_ok());
        assert!(
            tree.resolve_dir("out").unwrap_err().to_string().starts_with("`out` resolves outside")
        );
        assert!(tree.resolve_dir("out/sub/").is_err());
        assert!(tree.resolve("link.toml").unwrap_err().is_not_a_file());
    }
}
