//! Integration tests: the real `monorel` binary on real files.

mod bump_file;
mod cases;
#[cfg(feature = "changelog")]
mod changelog;
#[cfg(feature = "changelog")]
mod changelog_real;
mod discovery;
#[cfg(feature = "changelog")]
mod first_hour;
#[cfg(feature = "changelog")]
mod flow;
mod hostile;
mod release;
mod release_lines;
mod release_notes;
mod release_remote;
mod release_warnings;
mod repo;
mod support;
mod verify_artifacts;
#[cfg(feature = "changelog")]
mod way_out;
