//! Helpers shared by the TOML editors: parse with spans, find string tokens.
