//! The C ABI of countermark: `libcountermark.so` / `libcountermark.a`, described by `include/countermark.h`
//! (generated from this crate by cbindgen).
//!
//! Conventions (the header repeats them at the top):
//! - Every symbol starts with `countermark_`. Fallible functions return a [`result::countermark_result`];
//!   `countermark_error` turns a code into a message and `countermark_result_name` into its stable name.
//! - Inputs are `(const uint8_t *ptr, size_t len)` pairs; `(NULL, 0)` is the empty input and `(NULL, n > 0)` is
//!   `COUNTERMARK_RESULT_NULL_PARAMETER`. Text inputs must be UTF-8 (`COUNTERMARK_RESULT_INVALID_UTF8`).
//! - Outputs are written only when the function returns `COUNTERMARK_RESULT_OK`.
//! - Handles are opaque. Immutable handles (keys, signers, verifiers, policies, stores, clocks) are reference
//!   counted and safe to share between threads; mutable handles (requests, builders) belong to one thread at a
//!   time. Every `_free` accepts NULL.
//! - No Rust panic crosses the boundary: every export catches it and returns `COUNTERMARK_RESULT_PANIC`.
//!
//! All `unsafe` code of the project lives in this crate; the core crate forbids it.

#![deny(unsafe_op_in_unsafe_fn)]
#![allow(non_camel_case_types)]
// Every export has the same safety contract, stated once at the top of the header: pointers are NULL or valid for
// the documented length, handles are live and of the named type, and mutable handles are used by one thread at a
// time. Repeating it under `# Safety` on ~100 functions would add nothing.
#![allow(clippy::missing_safety_doc)]
// Inputs are (pointer, length) pairs, so C signatures run past clippy's seven arguments.
#![allow(clippy::too_many_arguments)]

mod boundary;
pub mod bytes;
pub mod clock;
pub mod fost;
mod handle;
pub mod hmac;
pub mod hmac_header;
pub mod jwt;
pub mod message_signatures;
pub mod nonce;
pub mod policy;
pub mod protocol;
pub mod request;
pub mod result;
pub mod signed_url;
pub mod tokens;
pub mod verified;

/// Major version of the library this header belongs to (the Cargo workspace version).
pub const COUNTERMARK_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const COUNTERMARK_VERSION_MINOR: u32 = 2;
/// Patch version of the library this header belongs to.
pub const COUNTERMARK_VERSION_PATCH: u32 = 0;

static VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("the version string has an interior NUL"),
};

/// The library's version, `"MAJOR.MINOR.PATCH"`, as a NUL-terminated static string (never NULL, never freed).
/// Compare it with `COUNTERMARK_VERSION_*` to detect a header/library mismatch at run time. Thread-safe.
#[no_mangle]
pub extern "C" fn countermark_version() -> *const std::ffi::c_char {
    VERSION.as_ptr()
}

/// A symbol whose name carries the ABI version. Bindings (the Go package does) reference it so that linking
/// against a library of another ABI version fails at link time instead of misbehaving at run time. Returns 1.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn countermark_abi_0_2() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_cargo() {
        assert_eq!(
            COUNTERMARK_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            COUNTERMARK_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            COUNTERMARK_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(VERSION.to_str().unwrap(), cm::VERSION);
        // The ABI symbol's name follows the version while it is 0.x.
        assert_eq!(
            format!("countermark_abi_{COUNTERMARK_VERSION_MAJOR}_{COUNTERMARK_VERSION_MINOR}"),
            "countermark_abi_0_2"
        );
    }
}
