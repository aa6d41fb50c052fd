//! Placeholder: being written.

use super::{Refusal, Site};

/// Finds the version sites.
pub fn scan(_text: &str) -> Result<Vec<Site>, Refusal> {
    Err(Refusal::new(super::Reason::Parse, "not implemented yet"))
}
