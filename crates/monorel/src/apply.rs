//! Applying plans: the only code that writes files.
//!
//! Every write is atomic (a temporary file in the same directory, created with the original's
//! owner and permissions before it holds a byte, then a rename), and a set of writes is all-or-nothing: when one fails, every file
//! already written is put back, byte for byte.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

/// A file write that failed, after the files already written were restored (its message names
/// every file that could not be restored).
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{}`: {source}{}", path.display(), not_restored_text(not_restored))]
pub struct WriteError {
    /// The file that could not be written.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
    /// Files that could not be restored afterwards (empty when all went back).
    pub not_restored: Vec<(PathBuf, io::Error)>,
}

/// What a message says of the files left changed: nothing when there are none.
pub fn not_restored_text(not_restored: &[(PathBuf, io::Error)]) -> String {
    if not_restored.is_empty() {
        return String::new();
    }
    let list: Vec<String> =
        not_restored.iter().map(|(p, e)| format!("`{}` ({e})", p.display())).collect();
    format!(
        "; {} file{} could not be put back and {} left changed: {}",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if list.len() == 1 { "is" } else { "are" },
        list.join(", ")
    )
}

/// Writes `bytes` to `path` atomically, keeping the permissions `path` has, and its owner and
/// group when the process may set them (as root; the group alone for one of the user's groups).
///
/// A symbolic link or a special file at `path` is refused: writing through a link would change
/// a file elsewhere, and renaming over it would turn the link git tracks into a copy.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| io::Error::other("not a file path"))?;
    let original = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::other(
                "it is a symbolic link; monorel never writes through one",
            ));
        }
        Ok(meta) if !meta.is_file() => return Err(io::Error::other("it is not a regular file")),
        Ok(meta) => Some(meta),
        Err(_) => None,
    };
    let (tmp, mut file) = create_temporary(dir, name, original.as_ref())?;
    let written = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        crate::fault::before_rename()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Creates the temporary file for `name` in `dir`, empty, already with the owner and mode of
/// `original` (when there is one): the bytes written into it are never readable by more
/// people than the file they replace.
fn create_temporary(
    dir: &Path,
    name: &std::ffi::OsStr,
    original: Option<&fs::Metadata>,
) -> io::Result<(PathBuf, fs::File)> {
    let mut attempt = 0u32;
    loop {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".monorel-{}-{attempt}.tmp", std::process::id()));
        let tmp = dir.join(tmp_name);
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(original) = original {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // The umask can only take permissions away; the exact mode is set below.
            options.mode(original.permissions().mode() & 0o777);
        }
        match options.open(&tmp) {
            Ok(file) => {
                if let Some(original) = original {
                    if let Err(e) = keep_owner_and_mode(&file, original) {
                        let _ = fs::remove_file(&tmp);
                        return Err(e);
                    }
                }
                return Ok((tmp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// Gives the new, empty `file` the owner, group and mode of `original`. Owner first: changing
/// it clears the set-user-ID and set-group-ID bits, which the mode then restores.
fn keep_owner_and_mode(file: &fs::File, original: &fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let created = file.metadata()?;
        if created.uid() == 0 {
            // Root: the file keeps whoever owned it, not root.
            if (created.uid(), created.gid()) != (original.uid(), original.gid()) {
                std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid()))?;
            }
        } else if created.gid() != original.gid() {
            // A user may give a file any of their groups; another one stays as it was before.
            let _ = std::os::unix::fs::fchown(file, None, Some(original.gid()));
        }
    }
    file.set_permissions(original.permissions())
}

/// Writes every `(path, before, after)` or none: on the first failure, the files already
/// written get their `before` bytes back. Just before writing a file, its bytes on disk are
/// compared with `before` (a missing file reads as empty): a file that changed since it was
/// planned is not overwritten, and the write fails naming it.
pub fn write_all<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8], &'a [u8])>,
) -> Result<(), WriteError> {
    let mut done: Vec<(&Path, &[u8])> = Vec::new();
    for (path, before, after) in files {
        let unchanged = match fs::read(path) {
            Ok(now) => now == before,
            Err(e) if e.kind() == io::ErrorKind::NotFound => before.is_empty(),
            Err(_) => true, // the write itself reports what is wrong with the file
        };
        let written = if unchanged {
            write_atomic(path, after)
        } else {
            Err(io::Error::other("it changed since it was planned, so it was not overwritten"))
        };
        if let Err(source) = written {
            let not_restored = done
                .iter()
                .rev()
                .filter_map(|(p, b)| write_atomic(p, b).err().map(|e| (p.to_path_buf(), e)))
                .collect();
            return Err(WriteError { path: path.to_path_buf(), source, not_restored });
        }
        done.push((path, before));
    }
    Ok(())
}

/// Removes the temporary files a killed monorel left beside `path` (`.NAME.monorel-*.tmp`); call
/// it only while holding the repository's lock, so that no running write owns them.
pub fn remove_stale_temporaries(path: &Path) -> io::Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return Ok(()) };
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let prefix = format!(".{}.monorel-", name.to_string_lossy());
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_permissions_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        }
        let names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("Cargo.toml")]);
    }

    #[cfg(unix)]
    #[test]
    fn the_temporary_file_has_the_final_mode_before_it_holds_a_byte() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.toml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let original = fs::metadata(&path).unwrap();
        let (tmp, file) =
            create_temporary(dir.path(), path.file_name().unwrap(), Some(&original)).unwrap();
        assert_eq!(file.metadata().unwrap().len(), 0);
        assert_eq!(fs::metadata(&tmp).unwrap().permissions().mode() & 0o7777, 0o600);
        // Bits the umask would take away are set too.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o2777)).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o2777);
    }

    #[cfg(unix)]
    #[test]
    fn a_write_as_root_keeps_the_owner_and_group() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        fs::write(&path, "old").unwrap();
        if fs::metadata(&path).unwrap().uid() != 0 {
            eprintln!("skipped: only root can give a file to another user");
            return;
        }
        std::os::unix::fs::chown(&path, Some(4242), Some(4343)).unwrap();
        write_atomic(&path, b"new").unwrap();
        let written = fs::metadata(&path).unwrap();
        assert_eq!((written.uid(), written.gid()), (4242, 4343));
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.toml");
        let link = dir.path().join("Cargo.toml");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = write_atomic(&link, b"new").unwrap_err();
        assert_eq!(err.to_string(), "it is a symbolic link; monorel never writes through one");
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }

    #[test]
    fn a_failed_write_restores_the_files_already_written() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("a.toml");
        fs::write(&first, "a-before").unwrap();
        let missing = dir.path().join("no-such-dir").join("b.toml");
        let err = write_all([
            (first.as_path(), &b"a-before"[..], &b"a-after"[..]),
            (missing.as_path(), &b""[..], &b"b-after"[..]),
        ])
        .unwrap_err();
        assert_eq!(err.path, missing);
        assert!(err.not_restored.is_empty());
        assert_eq!(fs::read(&first).unwrap(), b"a-before");
    }

    #[test]
    fn a_file_changed_since_it_was_planned_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("a.toml");
        let second = dir.path().join("b.toml");
        fs::write(&first, "a-before").unwrap();
        fs::write(&second, "b-edited meanwhile").unwrap();
        let err = write_all([
            (first.as_path(), &b"a-before"[..], &b"a-after"[..]),
            (second.as_path(), &b"b-before"[..], &b"b-after"[..]),
        ])
        .unwrap_err();
        assert_eq!(err.path, second);
        assert!(err.to_string().contains("changed since it was planned"), "{err}");
        assert_eq!(fs::read(&first).unwrap(), b"a-before");
        assert_eq!(fs::read(&second).unwrap(), b"b-edited meanwhile");
    }

    #[test]
    fn files_left_changed_are_named_in_the_message() {
        let err = WriteError {
            path: "a".into(),
            source: io::Error::other("disk full"),
            not_restored: vec![("b".into(), io::Error::other("EIO"))],
        };
        assert_eq!(
            err.to_string(),
            "cannot write `a`: disk full; 1 file could not be put back and is left changed: `b` (EIO)"
        );
    }

    #[test]
    fn stale_temporaries_of_a_file_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        fs::write(&path, "x").unwrap();
        fs::write(dir.path().join(".Cargo.toml.monorel-123-0.tmp"), "partial").unwrap();
        fs::write(dir.path().join(".other.monorel-123-0.tmp"), "someone else's").unwrap();
        remove_stale_temporaries(&path).unwrap();
        let mut names: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, vec![".other.monorel-123-0.tmp", "Cargo.toml"]);
    }
}
