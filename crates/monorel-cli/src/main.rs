//! The `monorel` binary.

use std::process::ExitCode;

fn main() -> ExitCode {
    monorel_cli::run(std::env::args_os())
}
