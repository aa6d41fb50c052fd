//! Running the real binary, and finding the repository's test data.

use std::{
    path::{Path, PathBuf},
    process::Output,
};

/// The repository root (two levels above this crate).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

/// Runs `monorel` with `args` in `dir`.
pub(crate) fn monorel(dir: &Path, args: &[&str]) -> Output {
    #[allow(clippy::disallowed_methods)] // tests run the real binary, as a user does
    std::process::Command::new(env!("CARGO_BIN_EXE_monorel"))
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO")
        .output()
        .expect("the monorel binary runs")
}

/// Everything a run printed, labelled, for snapshots.
pub(crate) fn transcript(output: &Output) -> String {
    let mut out = format!("exit: {}\n", output.status.code().unwrap_or(-1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stdout.is_empty() {
        out.push_str(&format!("--- stdout\n{stdout}"));
    }
    if !stderr.is_empty() {
        out.push_str(&format!("--- stderr\n{stderr}"));
    }
    out
}
