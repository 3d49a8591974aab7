//! Fuzz target bodies (see `targets.rs`), shared with the corpus replay test of the core crate.
#[path = "targets.rs"]
pub mod targets;

/// The C ABI crate under the name `c_abi.rs` uses (the ffi crate's library is also called `countermark`).
mod ffi {
    pub use countermark_ffi::*;
}

/// The target that drives the `extern "C"` functions.
pub mod c_abi;
