//! Test-only fault injection at the points where a crash can leave work half done: just before
//! `apply.rs` renames a temporary file into place, and just after a process `git.rs` (or a
//! release hook) ran has exited.
//!
//! Off unless an environment variable asks for it:
//! - `MONOREL_TEST_KILL_AT=<n>`: the process kills itself with SIGKILL at its n-th point, so a
//!   test can crash the real binary at every point of a real run;
//! - `MONOREL_TEST_FAIL_RENAMES_FROM=<n>`: the n-th rename and every later one fail with an I/O
//!   error, as a full or failing disk would.

use std::{
    io,
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
};

static POINTS: AtomicU64 = AtomicU64::new(0);
static RENAMES: AtomicU64 = AtomicU64::new(0);

fn setting(name: &str, cell: &'static OnceLock<Option<u64>>) -> Option<u64> {
    *cell.get_or_init(|| std::env::var(name).ok().and_then(|v| v.parse().ok()))
}

fn kill_at() -> Option<u64> {
    static CELL: OnceLock<Option<u64>> = OnceLock::new();
    setting("MONOREL_TEST_KILL_AT", &CELL)
}

fn fail_renames_from() -> Option<u64> {
    static CELL: OnceLock<Option<u64>> = OnceLock::new();
    setting("MONOREL_TEST_FAIL_RENAMES_FROM", &CELL)
}

/// A point where a crash may happen (after a process exited, ...).
pub fn point() {
    let Some(at) = kill_at() else { return };
    if POINTS.fetch_add(1, Ordering::SeqCst) + 1 == at {
        kill_self();
    }
}

/// The point just before a rename: a crash point, and where a rename can be made to fail.
pub fn before_rename() -> io::Result<()> {
    point();
    let n = RENAMES.fetch_add(1, Ordering::SeqCst) + 1;
    match fail_renames_from() {
        Some(from) if n >= from => {
            Err(io::Error::other("injected I/O error (MONOREL_TEST_FAIL_RENAMES_FROM)"))
        }
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn kill_self() {
    let _ = rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
    // SIGKILL cannot be caught; should it not arrive at once, do not go on.
    loop {
        std::thread::park();
    }
}

#[cfg(not(unix))]
fn kill_self() {
    std::process::abort()
}
