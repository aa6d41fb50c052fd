//! Asking Cargo itself: `cargo metadata --locked --offline` after a bump, to prove that
//! Cargo.lock is in step with the manifests. Runs `$CARGO` when set (inside `cargo xtask`), else
//! `cargo`, through xshell.

use std::path::Path;

use xshell::{Shell, cmd};

/// Cargo disagreed with the files.
#[derive(Debug, thiserror::Error)]
#[error("`cargo metadata --locked --offline` failed in `{dir}`: {message}")]
pub struct CargoError {
    /// Where it ran.
    pub dir: String,
    /// What cargo said.
    pub message: String,
}

/// Checks that Cargo reads the workspace at `dir` and needs no change to its Cargo.lock.
pub fn check_lockfile(dir: &Path) -> Result<(), CargoError> {
    let error = |message: String| CargoError { dir: dir.display().to_string(), message };
    let sh = Shell::new().map_err(|e| error(e.to_string()))?;
    sh.change_dir(dir);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = cmd!(sh, "{cargo} metadata --locked --offline --format-version 1")
        .quiet()
        .ignore_status()
        .ignore_stdout()
        .output()
        .map_err(|e| error(e.to_string()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(error(String::from_utf8_lossy(&output.stderr).trim().to_string()))
    }
}
