//! ska-format signatures and signed URLs.

use cm::signed::{
    Expiry, Extra, ParamNames, Quoter, SignedData, UrlSigner, ValidUntil, ValueDumper,
};
use std::time::Duration;

use crate::boundary::{core, guard, guard_value, opt_text, out_ptr, text, write, FfiResult};
use crate::bytes::{
    countermark_bytes, countermark_claims, countermark_pair, countermark_str, pairs, Claims,
};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::ArcHandle;
use crate::hmac::countermark_key_ring;
use crate::result::countermark_result;
use crate::verified::{countermark_scheme, countermark_verified, Out, Verified};

/// ska's default lifetime of a signature, in seconds.
pub const COUNTERMARK_SKA_DEFAULT_LIFETIME_SECS: u64 = 600;

/// The names of the four signature parameters. Each `{NULL, 0}` member keeps ska's default: `signature`,
/// `auth_user`, `valid_until`, `extra`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct countermark_ska_param_names {
    /// Holds the base64 signature.
    pub signature: countermark_str,
    /// Holds the user.
    pub auth_user: countermark_str,
    /// Holds the expiry (Unix seconds as text).
    pub valid_until: countermark_str,
    /// Holds the comma-separated list of signed extra keys.
    pub extra: countermark_str,
}

/// Signs and validates ska-format signatures (signed URLs and signed form data) with a key ring: the primary key
/// signs, every key validates. Immutable and reference counted: thread-safe.
pub struct countermark_url_signer {
    _private: [u8; 0],
}

impl ArcHandle for countermark_url_signer {
    type Rust = UrlSigner;
}

/// Builds a signer over `keys` and writes it to `*out` (free with `countermark_url_signer_free`). The algorithm
/// is the keys' own (ska's default is `sha1`, a legacy algorithm: prefer `sha256` for new deployments; `md5`
/// keys, legacy too, validate links of ska's `HMACMD5Signature`). `countermark_url_signer_with_helpers` selects
/// ska's JavaScript helpers.
/// `clock` is NULL for the system clock; `names` is NULL for ska's parameter names. The signer keeps its own
/// references to the ring and clock.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_new(
    keys: *const countermark_key_ring,
    clock: *const countermark_clock,
    names: *const countermark_ska_param_names,
    out: *mut *const countermark_url_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (ring, clock) = unsafe { (countermark_key_ring::get(keys)?, clock_or_system(clock)?) };
        let mut signer = UrlSigner::new(ring.clone()).with_clock(clock);
        if !names.is_null() {
            // SAFETY: non-NULL and valid per the contract.
            let n = unsafe { *names };
            let defaults = ParamNames::default();
            // SAFETY: the views are valid per the contract.
            let pick = |s: countermark_str, d: String| -> FfiResult<String> {
                Ok(unsafe { opt_text(s.data, s.len) }?.map_or(d, str::to_string))
            };
            let names = ParamNames {
                signature: pick(n.signature, defaults.signature)?,
                auth_user: pick(n.auth_user, defaults.auth_user)?,
                valid_until: pick(n.valid_until, defaults.valid_until)?,
                extra: pick(n.extra, defaults.extra)?,
            };
            signer = core(signer.with_param_names(names))?;
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_url_signer::into_ptr(signer)) };
        Ok(())
    })
}

/// Writes to `*out` a new signer like `signer` (same keys, clock and parameter names) that uses ska's helpers named
/// by `value_dumper` and `quoter`: `python` (ska's `default_value_dumper` / `default_quoter`) or `javascript`
/// (`javascript_value_dumper` / `javascript_quoter`, what ska's JavaScript port signs with). `(NULL, 0)` keeps
/// the signer's current helper (a new signer starts with ska's defaults). The quoter matters when validating
/// links; the value dumper when signing extra values that are not text (`null`, lists, objects become compact
/// JSON). Free the new signer with `countermark_url_signer_free`; `signer` is unchanged.
/// Errors: `INVALID_VALUE` for an unknown name. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_with_helpers(
    signer: *const countermark_url_signer,
    value_dumper: *const u8,
    value_dumper_len: usize,
    quoter: *const u8,
    quoter_len: usize,
    out: *mut *const countermark_url_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, value_dumper, quoter) = unsafe {
            (
                countermark_url_signer::get(signer)?,
                opt_text(value_dumper, value_dumper_len)?,
                opt_text(quoter, quoter_len)?,
            )
        };
        let mut signer = signer.clone();
        if let Some(d) = value_dumper {
            signer = signer.with_value_dumper(core(d.parse::<ValueDumper>())?);
        }
        if let Some(q) = quoter {
            signer = signer.with_quoter(core(q.parse::<Quoter>())?);
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_url_signer::into_ptr(signer)) };
        Ok(())
    })
}

/// Reads the expiry and extra data shared by the signing functions.
///
/// # Safety
/// Inputs valid per the contract of the exported functions.
unsafe fn expiry_and_extra(
    lifetime_secs: *const u64,
    valid_until: *const u8,
    valid_until_len: usize,
    extra_json: *const u8,
    extra_json_len: usize,
) -> FfiResult<(Expiry, Extra)> {
    // SAFETY: per the caller.
    let (lifetime, valid_until, extra_json) = unsafe {
        (
            lifetime_secs.as_ref().copied(),
            opt_text(valid_until, valid_until_len)?,
            opt_text(extra_json, extra_json_len)?,
        )
    };
    let expiry = match (valid_until, lifetime) {
        (Some(v), _) => Expiry::At(ValidUntil::Text(v.to_string())),
        (None, Some(secs)) => Expiry::Lifetime(Duration::from_secs(secs)),
        (None, None) => Expiry::default(),
    };
    let extra = match extra_json {
        Some(j) => core(Extra::from_json(j))?,
        None => Extra::new(),
    };
    Ok((expiry, extra))
}

/// Signs for `user` and writes `url` with the signature parameters appended to `*out` (free with
/// `countermark_bytes_free`).
///
/// - Expiry: `valid_until` (Unix seconds as text, signed exactly as written, e.g. `"1700000600.0"`) when not
///   empty; otherwise `*lifetime_secs` from now, or with `lifetime_secs` NULL the core's default lifetime
///   (ska's, `COUNTERMARK_SKA_DEFAULT_LIFETIME_SECS`).
/// - `extra_json`: extra signed data as a JSON object (`{"scope": "read"}`; numbers, booleans, null, lists and
///   objects are signed as Python writes them, or as compact JSON under ska's JavaScript value dumper, see
///   `countermark_url_signer_with_helpers`), or `(NULL, 0)` for none. At most 64 KiB.
/// - `suffix`: the text put between `url` and the parameters, as ska's `suffix`; `(NULL, 0)` picks `?`, or `&`
///   when `url` already has a query, and keeps a `#fragment` last.
///
/// Only the user, the expiry and the extra data are signed, not the URL itself (a property of the ska format).
/// Errors: `INVALID_VALUE` (an extra key that is empty, holds `,` or is a parameter name; a bad expiry),
/// `MALFORMED` / `TOO_LARGE` (extra JSON). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_sign_url(
    signer: *const countermark_url_signer,
    url: *const u8,
    url_len: usize,
    user: *const u8,
    user_len: usize,
    lifetime_secs: *const u64,
    valid_until: *const u8,
    valid_until_len: usize,
    extra_json: *const u8,
    extra_json_len: usize,
    suffix: *const u8,
    suffix_len: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, url, user, suffix, (expiry, extra)) = unsafe {
            (
                countermark_url_signer::get(signer)?,
                text(url, url_len)?,
                text(user, user_len)?,
                opt_text(suffix, suffix_len)?,
                expiry_and_extra(
                    lifetime_secs,
                    valid_until,
                    valid_until_len,
                    extra_json,
                    extra_json_len,
                )?,
            )
        };
        let signed = match suffix {
            Some(suffix) => core(signer.generate(user, expiry, &extra))?.to_url(
                url,
                suffix,
                signer.param_names(),
            ),
            None => core(signer.sign_url(url, user, expiry, &extra))?,
        };
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(signed)) };
        Ok(())
    })
}

/// Signs for `user` and writes the signature parameters to `*out` as claims (free with
/// `countermark_claims_free`), in ska's `signature_to_dict` order: the signature, user and expiry parameters
/// (under the signer's parameter names), the extra-keys parameter when there is extra data, then each extra
/// item as text. Send them as form fields or query parameters. Expiry and extra as in
/// `countermark_url_signer_sign_url`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_sign_params(
    signer: *const countermark_url_signer,
    user: *const u8,
    user_len: usize,
    lifetime_secs: *const u64,
    valid_until: *const u8,
    valid_until_len: usize,
    extra_json: *const u8,
    extra_json_len: usize,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, user, (expiry, extra)) = unsafe {
            (
                countermark_url_signer::get(signer)?,
                text(user, user_len)?,
                expiry_and_extra(
                    lifetime_secs,
                    valid_until,
                    valid_until_len,
                    extra_json,
                    extra_json_len,
                )?,
            )
        };
        let signature = core(signer.generate(user, expiry, &extra))?;
        let mut claims = Claims::default();
        for (k, v) in signature.to_dict(signer.param_names()) {
            claims.push(k, v);
        }
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

fn signed_result(data: SignedData) -> Verified {
    // ska's valid_until is a float in text; the typed field is its whole seconds.
    let expires = data
        .valid_until()
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite())
        .map(|t| t.floor() as i64);
    let mut v = Verified::new(countermark_scheme::Ska, true)
        .user(data.auth_user())
        .expires(expires);
    for (k, val) in data.extra() {
        v.item(k, val);
    }
    v
}

/// Validates the signature parameters in the query of `url` and writes the signed data to `*out` (scheme
/// `COUNTERMARK_SCHEME_SKA`): `user` (ska's `auth_user`), `expires` (`valid_until`, whole Unix seconds) and the
/// signed extra data as `items` (key, text form), sorted by key. Text goes into `buf` as for
/// `countermark_tokens_verify`. Parameters that are not signed are ignored, as ska does. On failure:
/// `BAD_SIGNATURE` (tampered, wrong key, missing parameters: reported first when the URL is also expired),
/// `EXPIRED`, `MALFORMED`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_validate_url(
    signer: *const countermark_url_signer,
    url: *const u8,
    url_len: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (signer, url) = unsafe { (countermark_url_signer::get(signer)?, text(url, url_len)?) };
        let data = signer
            .validate_url(url)
            .map_err(|r| countermark_result::from(cm::Error::from(r)))?;
        // SAFETY: per the contract.
        unsafe { out.put(signed_result(data)) }
    })
}

/// As `countermark_url_signer_validate_url`, for parameters already split into `n_params` (name, value) pairs
/// (decoded query parameters or form fields; for a repeated name the last value counts). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_validate(
    signer: *const countermark_url_signer,
    params: *const countermark_pair,
    n_params: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (signer, params) = unsafe {
            (
                countermark_url_signer::get(signer)?,
                pairs(params, n_params)?,
            )
        };
        let data = signer
            .validate(&params)
            .map_err(|r| countermark_result::from(cm::Error::from(r)))?;
        // SAFETY: per the contract.
        unsafe { out.put(signed_result(data)) }
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_url_signer_free(signer: *const countermark_url_signer) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_url_signer::free(signer) })
}
