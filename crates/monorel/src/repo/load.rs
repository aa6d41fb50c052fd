//! Loading a snapshot: the file listing and the bytes discovery needs. The only IO of the
//! repository model.
//!
//! Inside git the listing is `git ls-files` (tracked, plus untracked files that are not
//! ignored), which answers from the index far faster than any walk; outside git, a walk that
//! never descends into `.git`, `target/`, `node_modules/` or virtual environments.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use super::{Snapshot, discover};
use crate::{
    config::{self, Config, ConfigError},
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
}

/// Reads the snapshot of the repository at `root`.
pub fn load(root: &Path) -> Result<Snapshot, LoadError> {
    let (files, listed_by) = match git::Repo::discover(root) {
        Some(repo) => (git_files(&repo, root)?, "git"),
        None => (walk(root), "walk"),
    };
    let read = |path: &str| -> Result<Option<Vec<u8>>, LoadError> {
        match fs::read(root.join(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(LoadError::Io { path: path.to_string(), source }),
        }
    };

    let config = match read(config::FILE_NAME)? {
        Some(bytes) => Config::parse_file(config::FILE_NAME, &String::from_utf8_lossy(&bytes))?,
        None => match read("Cargo.toml")? {
            Some(bytes) => {
                Config::from_cargo_manifest("Cargo.toml", &String::from_utf8_lossy(&bytes))?
                    .unwrap_or_default()
            }
            None => Config::default(),
        },
    };
    let files: Vec<String> = files
        .into_iter()
        .filter(|f| !config.exclude.iter().any(|prefix| under(f, prefix)))
        .collect();

    let mut snapshot = Snapshot {
        root: root.to_path_buf(),
        files,
        contents: Default::default(),
        config,
        listed_by,
    };
    // Two rounds: the manifests, then the modules and extra files they point at.
    for round in 0..2 {
        let wanted: Vec<String> = if round == 0 {
            discover::manifests(&snapshot.files).map(str::to_string).collect()
        } else {
            discover::followed_files(&snapshot)
        };
        for path in wanted {
            if let std::collections::btree_map::Entry::Vacant(entry) = snapshot.contents.entry(path)
            {
                if let Some(bytes) = read(entry.key())? {
                    entry.insert(bytes);
                }
            }
        }
    }
    Ok(snapshot)
}

/// Whether `path` is `prefix` or below it (`prefix` is a directory or file, `/` optional).
pub(super) fn under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty()
        || path == prefix
        || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

fn git_files(repo: &git::Repo, root: &Path) -> Result<Vec<String>, LoadError> {
    let mut files = repo.ls_files()?;
    let top = fs::canonicalize(repo.root()).unwrap_or_else(|_| repo.root().to_path_buf());
    let here = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if let Ok(rel) = here.strip_prefix(&top) {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !rel.is_empty() {
            let prefix = format!("{rel}/");
            files = files
                .into_iter()
                .filter_map(|f| f.strip_prefix(&prefix).map(str::to_string))
                .collect();
        }
    }
    files.sort();
    Ok(files)
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

fn walk(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && skipped(e.path())))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel: PathBuf = e.path().strip_prefix(root).ok()?.to_path_buf();
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    files.sort();
    files
}
