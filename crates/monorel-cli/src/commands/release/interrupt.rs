//! Ctrl-C during `release --execute` and `--resume`: SIGINT (and SIGTERM) set a flag instead of
//! ending monorel at once. The step under way runs to its end (a hook or a git process that got
//! the signal too fails, and the release is not undone for it), then the release stops, the state
//! recorded, and says where it stopped and how to go on: `--resume` or `--abort`.

use std::{
    process::ExitCode,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
};

use monorel::release::state::State;

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// From now on SIGINT and SIGTERM only set the flag (a release cannot be stopped in the middle
/// of a step). A signal that cannot be caught leaves the default: the state file still lets
/// `--resume` and `--abort` finish, as after a crash.
pub(super) fn catch() {
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, Arc::clone(flag()));
    }
}

/// Whether Ctrl-C (or SIGTERM) arrived.
pub(super) fn happened() -> bool {
    flag().load(Ordering::SeqCst)
}

/// Says where the interrupted release stopped and how to go on; exit 130, as a shell reports
/// a command ended by SIGINT.
pub(super) fn stopped(state: &State, error: Option<&anyhow::Error>) -> anyhow::Result<ExitCode> {
    if let Some(e) = error {
        eprintln!("error: {}", crate::render::escape_lines(&e.to_string()));
    }
    let names = |steps: &[monorel::release::Step]| -> String {
        let names: Vec<&str> = steps.iter().map(|s| s.name()).collect();
        if names.is_empty() { "none".into() } else { names.join(", ") }
    };
    eprintln!(
        "\ninterrupted: the release of {} (group `{}`) stopped; steps done: {}; to do: {}\nhelp: `monorel release --resume` finishes it, `monorel release --abort` undoes it",
        state.plan.tag,
        state.plan.group,
        names(&state.done),
        names(&state.remaining()),
    );
    Ok(ExitCode::from(130))
}
