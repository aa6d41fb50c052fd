//! monorel's engine: the version model, exact version edits for every manifest kind, and the
//! plans that commands show before they apply them.
//!
//! The engine prints nothing and spawns no process: it computes. `monorel-cli` renders and runs.

pub mod apply;
pub mod artifacts;
pub mod cargo;
#[cfg(feature = "changelog")]
pub mod changelog;
pub mod config;
pub mod confine;
mod dates;
pub mod editors;
pub mod fault;
pub mod git;
pub mod journal;
pub mod lock;
mod parallel;
#[cfg(feature = "changelog")]
pub mod release;
pub mod repo;
pub mod version;
