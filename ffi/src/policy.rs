//! What a policy is set to, as text: `countermark_*_policy_describe` and the core's defaults,
//! `countermark_policy_defaults`. Every default lives in the core; these let a C (or Go) caller, and the tests of
//! every binding, check that a policy built with the documented defaults is the core's default policy.

use crate::boundary::{guard, out_ptr, write};
use crate::bytes::countermark_bytes;
use crate::fost::countermark_fost_policy;
use crate::handle::ArcHandle;
use crate::hmac_header::countermark_hmac_header_policy;
use crate::jwt::countermark_jwt_policy;
use crate::message_signatures::countermark_message_policy;
use crate::result::countermark_result;

/// Writes `describe(policy)` to `*out`.
///
/// # Safety
/// `policy` is NULL or a live handle of type `H`; `out` is NULL or valid for a write.
unsafe fn describe_into<H: ArcHandle>(
    policy: *const H,
    out: *mut countermark_bytes,
    describe: impl FnOnce(&H::Rust) -> String,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let text = describe(unsafe { H::get(policy) }?);
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(text)) };
        Ok(())
    })
}

/// Writes the policy's settings as one line of text to `*out` (free with `countermark_bytes_free`), e.g.
/// `fost clock_skew=300s nonce_store=off`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_policy_describe(
    policy: *const countermark_fost_policy,
    out: *mut countermark_bytes,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { describe_into(policy, out, |p| p.describe()) }
}

/// Writes the policy's settings as one line of text to `*out` (free with `countermark_bytes_free`), e.g.
/// `hmac_header max_age=5s nonce_store=off`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_policy_describe(
    policy: *const countermark_hmac_header_policy,
    out: *mut countermark_bytes,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { describe_into(policy, out, |p| p.describe()) }
}

/// Writes the policy's settings as one line of text to `*out` (free with `countermark_bytes_free`), e.g.
/// `jwt clock_skew=20s nonce_store=on`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_policy_describe(
    policy: *const countermark_jwt_policy,
    out: *mut countermark_bytes,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { describe_into(policy, out, |p| p.describe()) }
}

/// Writes the policy's settings as one line of text to `*out` (free with `countermark_bytes_free`), e.g.
/// `rfc9421 clock_skew=5s max_age=300s require_created=on require_key_id=on ...`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_describe(
    policy: *const countermark_message_policy,
    out: *mut countermark_bytes,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { describe_into(policy, out, |p| p.describe()) }
}

/// Writes the core's default policy of every request scheme to `*out` (free with `countermark_bytes_free`): one
/// line each, in the form of the `_describe` functions, `\n`-separated (`fost`, `hmac_header`, `rfc9421`,
/// `jwt`). A policy built with the header's `*_DEFAULT_*` values (or, for RFC 9421, with nothing set on its
/// builder) describes itself as exactly its scheme's line. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_policy_defaults(
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let text = cm::policy_defaults().join("\n");
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(text)) };
        Ok(())
    })
}
