//! What every xtask-only task shares: parse its words, print the usage when asked, run, and
//! turn an error into a message (with the usage, for a usage error) and exit status 1.

use std::process::ExitCode;

/// The result type of the tasks: any error, shown to the person who ran the task.
pub(crate) type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// Runs a task whose options `parse` reads from `args` (`Ok(None)`: print `usage`).
pub(crate) fn run<O>(
    args: &[&str],
    usage: &str,
    parse: impl FnOnce(&[&str]) -> Result<Option<O>>,
    task: impl FnOnce(&O) -> Result<()>,
) -> ExitCode {
    let result = match parse(args) {
        Ok(Some(options)) => task(&options),
        Ok(None) => {
            println!("{usage}");
            Ok(())
        }
        Err(e) => Err(format!("{e}\n{usage}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
