//! Applying plans: the only code that writes files.
//!
//! Every write is atomic (a temporary file in the same directory, then a rename, keeping the
//! original's permissions), and a set of writes is all-or-nothing: when one fails, every file
//! already written is put back, byte for byte.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
};

/// A file write that failed, after the files already written were restored.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{path}`: {source}")]
pub struct WriteError {
    /// The file that could not be written.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
    /// Files that could not be restored afterwards (empty when all went back).
    pub not_restored: Vec<(PathBuf, io::Error)>,
}

/// Writes `bytes` to `path` atomically, keeping the permissions `path` has.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| io::Error::other("not a file path"))?;
    let permissions = fs::metadata(path).ok().map(|m| m.permissions());
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".monorel-{}-{attempt}.tmp", std::process::id()));
        let tmp = dir.join(tmp_name);
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let written = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Some(permissions) = permissions {
            fs::set_permissions(&tmp, permissions)?;
        }
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Writes every `(path, before, after)` or none: on the first failure, the files already
/// written get their `before` bytes back.
pub fn write_all<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8], &'a [u8])>,
) -> Result<(), WriteError> {
    let mut done: Vec<(&Path, &[u8])> = Vec::new();
    for (path, before, after) in files {
        if let Err(source) = write_atomic(path, after) {
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
}
