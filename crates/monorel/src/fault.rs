//! Test-only fault injection at the points where a crash can leave work half done: just before
//! `apply.rs` renames a temporary file into place, just after a process `git.rs` (or a release
//! hook) ran has exited, and after each step of a release.
//!
//! Compiled in only with the `fault-injection` feature, which no build a user gets has on:
//! `monorel-cli`'s tests turn it on through a dev-dependency, so the binary `cargo test` runs has
//! it and the one `cargo build` or `cargo install` makes ignores these variables. With it, off
//! unless an environment variable asks for it:
//! - `MONOREL_TEST_KILL_AT=<n>`: the process kills itself with SIGKILL at its n-th point, so a
//!   test can crash the real binary at every point of a real run;
//! - `MONOREL_TEST_FAIL_RENAMES_FROM=<n>`: the n-th rename and every later one fail with an I/O
//!   error, as a full or failing disk would;
//! - `MONOREL_FAIL_AFTER=<step>`: a release stops (exit 3) right after recording that step.

use std::io;

/// A point where a crash may happen (after a process exited, ...).
pub fn point() {
    #[cfg(feature = "fault-injection")]
    imp::point();
}

/// The point just before a rename: a crash point, and where a rename can be made to fail.
pub fn before_rename() -> io::Result<()> {
    #[cfg(feature = "fault-injection")]
    return imp::before_rename();
    #[cfg(not(feature = "fault-injection"))]
    Ok(())
}

/// Whether a test asked the release to stop right after `step` (`MONOREL_FAIL_AFTER`).
pub fn stop_after(step: &str) -> bool {
    #[cfg(feature = "fault-injection")]
    return std::env::var("MONOREL_FAIL_AFTER").is_ok_and(|s| s == step);
    #[cfg(not(feature = "fault-injection"))]
    {
        let _ = step;
        false
    }
}

#[cfg(feature = "fault-injection")]
mod imp {
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

    pub(super) fn point() {
        let Some(at) = kill_at() else { return };
        if POINTS.fetch_add(1, Ordering::SeqCst) + 1 == at {
            kill_self();
        }
    }

    pub(super) fn before_rename() -> io::Result<()> {
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
        let _ =
            rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::KILL);
        // SIGKILL cannot be caught; should it not arrive at once, do not go on.
        loop {
            std::thread::park();
        }
    }

    #[cfg(not(unix))]
    fn kill_self() {
        std::process::abort()
    }
}
