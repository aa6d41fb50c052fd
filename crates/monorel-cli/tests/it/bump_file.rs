//! `monorel bump-file`: dry runs, messages, and what is left on disk.
