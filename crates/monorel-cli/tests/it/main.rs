//! Integration tests: the real `monorel` binary on real files.

mod bump_file;
mod cases;
mod repo;
mod support;
