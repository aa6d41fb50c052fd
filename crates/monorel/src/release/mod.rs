//! `monorel release`: the release checklist as one plan, shown in full before anything changes,
//! then applied step by step with every step recorded, so that an interrupted release can always
//! be finished (`--resume`) or undone (`--abort`).
//!
//! - [`plan`] is pure: the version edits (`repo::plan_bump`), the changelog promotion, the commit
//!   message, the tag and its message (the release notes), the hooks and the refs to push.
//! - [`preflight`] is pure too: facts about the repository, read by [`preflight::load_facts`],
//!   against the plan; every problem is reported at once.
//! - [`state`] keeps the plan and the steps done in `.git/monorel-release/`.
//!
//! The steps themselves (writing, hooks, git) are run by the CLI, one [`Step`] at a time.

pub mod auto;
pub mod flow;
pub mod line;
pub mod next_dev;
pub mod notes;
pub mod plan;
pub mod preflight;
pub mod state;
pub mod warnings;

pub use plan::{NextDev, Push, ReleasePlan, ReleaseRequest, Step, plan_release};
