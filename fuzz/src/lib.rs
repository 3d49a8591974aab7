//! Fuzz target bodies (see `targets.rs`), shared with the corpus replay test of the core crate.
#[path = "targets.rs"]
pub mod targets;
