//! FOST request and URL signatures (django-fost-authn).

use std::time::Duration;

use cm::http::fost::{self, FostSigner, FostUrlSigner, Policy};

use crate::boundary::{core, guard, guard_value, opt_text, out_ptr, text, write, FfiResult};
use crate::bytes::{countermark_claims, countermark_str, texts, Claims};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::{ArcHandle, BoxHandle};
use crate::hmac::countermark_hmac_key;
use crate::nonce::{countermark_nonce_store, opt_store};
use crate::request::countermark_request;
use crate::result::countermark_result;
use crate::verified::{
    countermark_request_parts, countermark_scheme, countermark_verified, request_view, Out,
    Verified,
};

/// How far a FOST timestamp may be from the verifier's clock by default, either side, in seconds (the core's
/// `fost` default clock skew; a test keeps them equal).
pub const COUNTERMARK_FOST_DEFAULT_CLOCK_SKEW_SECS: u64 = 300;

/// Signs requests as one FOST key (client side). Immutable, reference counted: thread-safe.
pub struct countermark_fost_signer {
    _private: [u8; 0],
}

impl ArcHandle for countermark_fost_signer {
    type Rust = FostSigner;
}

/// Writes to `*out` a request signer for key id `key_id` (visible ASCII without `:` or `+`) with `key`, which
/// must be an HMAC-SHA1 key (the format's only algorithm; short legacy secrets come through
/// `countermark_hmac_key_new_legacy`). `clock` is NULL for the system clock. Errors: `UNSUPPORTED_ALGORITHM`,
/// `INVALID_VALUE`.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_signer_new(
    key_id: *const u8,
    key_id_len: usize,
    key: *const countermark_hmac_key,
    clock: *const countermark_clock,
    out: *mut *const countermark_fost_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key_id, key, clock) = unsafe {
            (
                text(key_id, key_id_len)?,
                countermark_hmac_key::get(key)?,
                clock_or_system(clock)?,
            )
        };
        let signer = core(FostSigner::new(key_id, key.clone()))?.with_clock(clock);
        // SAFETY: checked above.
        unsafe { write(out, countermark_fost_signer::into_ptr(signer)) };
        Ok(())
    })
}

/// Signs `request` with the `n_headers` headers named in `headers` (in that order; each must be on the request
/// once) and writes to `*out` the claims `Authorization`, `X-FOST-Timestamp`, `X-FOST-Headers` and, when the
/// request's `X-FOST-User` (the user name, any Unicode) is not sent as itself in UTF-7, `X-FOST-User` with its
/// UTF-7 text (the header lines to set on the request as sent, each replacing any line of that name), then
/// `signature` (base64) and `document` (the MACed text; a non-UTF-8 body shows as U+FFFD). `timestamp` is signed
/// verbatim when given (`2011-04-27 03:26:37.625618`, or ISO 8601 with `Z` or `+00:00`); `(NULL, 0)` stamps the
/// signer clock's now. The body, when the request has one, is the signed document; otherwise the raw query
/// string. `INVALID_VALUE` for a bad timestamp or a missing, repeated or reserved header. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_signer_sign(
    signer: *const countermark_fost_signer,
    request: *const countermark_request,
    headers: *const countermark_str,
    n_headers: usize,
    timestamp: *const u8,
    timestamp_len: usize,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, request, headers, timestamp) = unsafe {
            (
                countermark_fost_signer::get(signer)?,
                countermark_request::get(request)?,
                texts(headers, n_headers)?,
                opt_text(timestamp, timestamp_len)?,
            )
        };
        let view = request.view()?;
        let signed = core(match timestamp {
            Some(ts) => signer.sign_at(&view, &headers, ts),
            None => signer.sign(&view, &headers),
        })?;
        let mut claims = Claims::default();
        for (name, value) in signed.headers() {
            claims.push(name, value);
        }
        claims.push("signature", signed.signature());
        claims.push("document", String::from_utf8_lossy(signed.document()));
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_signer_free(signer: *const countermark_fost_signer) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_fost_signer::free(signer) })
}

/// What a FOST verifier accepts: the clock, the clock skew, and optionally a nonce store that remembers verified
/// signatures so each signed request is accepted once (FOST has no nonce). Immutable, reference counted:
/// thread-safe. Used for request and URL signatures.
pub struct countermark_fost_policy {
    _private: [u8; 0],
}

impl ArcHandle for countermark_fost_policy {
    type Rust = Policy;
}

/// Writes a policy to `*out`: `clock` NULL for the system clock; request timestamps may be up to
/// `*clock_skew_secs` away from it either side (NULL: the core's default,
/// `COUNTERMARK_FOST_DEFAULT_CLOCK_SKEW_SECS`); `nonce_store` NULL to accept a valid request as often as it
/// comes within the window (the reference's behaviour), or a store to accept each signature once.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_policy_new(
    clock: *const countermark_clock,
    clock_skew_secs: *const u64,
    nonce_store: *const countermark_nonce_store,
    out: *mut *const countermark_fost_policy,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (clock, store, skew) = unsafe {
            (
                clock_or_system(clock)?,
                opt_store(nonce_store)?,
                clock_skew_secs.as_ref().copied(),
            )
        };
        let mut policy = Policy::new(clock);
        if let Some(skew) = skew {
            policy = policy.with_clock_skew(Duration::from_secs(skew));
        }
        if let Some(store) = store {
            policy = policy.with_nonce_store(store);
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_fost_policy::into_ptr(policy)) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_policy_free(policy: *const countermark_fost_policy) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_fost_policy::free(policy) })
}

fn parse_request(view: &cm::Request<'_>) -> FfiResult<Verified> {
    let parsed = core(fost::parse(view))?.ok_or(countermark_result::NoCredentials)?;
    let mut v = Verified::new(countermark_scheme::Fost, false)
        .key_id(Some(parsed.claimed_key_id()))
        .user(&parsed.claimed_user())
        .algorithm(Some(cm::Algorithm::HmacSha1.name()))
        .created(Some(parsed.claimed_created().secs()));
    for (name, value) in parsed.claimed_signed_headers() {
        v.item(name, value);
    }
    Ok(v)
}

fn verify_request(
    view: &cm::Request<'_>,
    key: &cm::HmacKey,
    policy: &Policy,
) -> FfiResult<Verified> {
    let parsed = core(fost::parse(view))?.ok_or(countermark_result::NoCredentials)?;
    let verified = core(parsed.verify(key, policy))?;
    let mut v = Verified::new(countermark_scheme::Fost, true)
        .key_id(Some(verified.key_id()))
        .user(verified.user())
        .algorithm(Some(cm::Algorithm::HmacSha1.name()))
        .created(Some(verified.created().secs()));
    for (name, value) in verified.signed_headers() {
        v.item(name, value);
    }
    Ok(v)
}

/// Phase one of verifying a FOST request signature: reads the claims without trusting them and writes them to
/// `*out` (scheme `COUNTERMARK_SCHEME_FOST`, `verified` false): `key_id` (look its secret up), `user` (the
/// UTF-7-decoded `X-FOST-User` when signed, else the percent-decoded key id), `algorithm` (`hmac-sha1`),
/// `created` (the `X-FOST-Timestamp`, Unix seconds) and the signed headers as `items`. Text goes into `buf` as
/// for `countermark_tokens_verify`. `NO_CREDENTIALS` when the request has no `Authorization: FOST` header;
/// `MALFORMED` when it has a broken one. Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_parse(
    request: *const countermark_request,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let request = unsafe { countermark_request::get(request) }?;
        let v = parse_request(&request.view()?)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// Phase two: verifies the request's FOST signature with `key` (the secret of the claimed key id) under `policy`
/// and writes the result to `*out` (`verified` true; fields as `countermark_fost_parse`, `created` now
/// trusted). Errors: `NO_CREDENTIALS`, `MALFORMED`, `BAD_SIGNATURE`, `EXPIRED`, `NOT_YET_VALID`, `REPLAYED` /
/// `UNAVAILABLE` (nonce-store mode). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_verify(
    request: *const countermark_request,
    key: *const countermark_hmac_key,
    policy: *const countermark_fost_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (request, key, policy) = unsafe {
            (
                countermark_request::get(request)?,
                countermark_hmac_key::get(key)?,
                countermark_fost_policy::get(policy)?,
            )
        };
        let v = verify_request(&request.view()?, key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_fost_verify`, for a request given as parts (one call, nothing to build or free).
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_verify_parts(
    request: *const countermark_request_parts,
    key: *const countermark_hmac_key,
    policy: *const countermark_fost_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (view, key, policy) = unsafe {
            (
                request_view(request)?,
                countermark_hmac_key::get(key)?,
                countermark_fost_policy::get(policy)?,
            )
        };
        let v = verify_request(&view, key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// Signs URLs as one FOST key. Immutable, reference counted: thread-safe.
pub struct countermark_fost_url_signer {
    _private: [u8; 0],
}

impl ArcHandle for countermark_fost_url_signer {
    type Rust = FostUrlSigner;
}

/// Writes to `*out` a URL signer for `key_id` with the HMAC-SHA1 `key`. Errors as `countermark_fost_signer_new`.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_signer_new(
    key_id: *const u8,
    key_id_len: usize,
    key: *const countermark_hmac_key,
    out: *mut *const countermark_fost_url_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key_id, key) = unsafe { (text(key_id, key_id_len)?, countermark_hmac_key::get(key)?) };
        let signer = core(FostUrlSigner::new(key_id, key.clone()))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_fost_url_signer::into_ptr(signer)) };
        Ok(())
    })
}

/// Signs the absolute `url` (`http(s)://host/path?query`, host exactly as clients send it in `Host`) and writes
/// to `*out` the claims `url` (the signed URL, with `_k`, `_e` and `_s` appended), `document` (the MACed text)
/// and `signature`. With `has_expiry`, the URL is valid up to and including Unix second `expires`; without, it
/// **never expires** (the format allows it; avoid it). `INVALID_VALUE` for a relative URL, a fragment, or query
/// items starting `_k`, `_e` or `_s`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_signer_sign(
    signer: *const countermark_fost_url_signer,
    url: *const u8,
    url_len: usize,
    has_expiry: bool,
    expires: i64,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, url) = unsafe {
            (
                countermark_fost_url_signer::get(signer)?,
                text(url, url_len)?,
            )
        };
        let signed = core(signer.sign(url, has_expiry.then_some(expires)))?;
        let claims = Claims::default()
            .with("url", signed.url())
            .with("document", signed.document())
            .with("signature", signed.signature());
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_signer_free(
    signer: *const countermark_fost_url_signer,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_fost_url_signer::free(signer) })
}

fn parse_url(view: &cm::Request<'_>) -> FfiResult<Verified> {
    let parsed = core(fost::parse_url(view))?.ok_or(countermark_result::NoCredentials)?;
    Ok(Verified::new(countermark_scheme::FostUrl, false)
        .key_id(Some(parsed.claimed_key_id()))
        .algorithm(Some(cm::Algorithm::HmacSha1.name()))
        .expires(parsed.claimed_expires()))
}

fn verify_url(view: &cm::Request<'_>, key: &cm::HmacKey, policy: &Policy) -> FfiResult<Verified> {
    let parsed = core(fost::parse_url(view))?.ok_or(countermark_result::NoCredentials)?;
    let verified = core(parsed.verify(key, policy))?;
    Ok(Verified::new(countermark_scheme::FostUrl, true)
        .key_id(Some(verified.key_id()))
        .algorithm(Some(cm::Algorithm::HmacSha1.name()))
        .expires(verified.expires()))
}

/// Phase one of verifying a FOST-signed URL (a `GET` or `HEAD` request whose query has `_k` and `_s`): writes
/// to `*out` (scheme `COUNTERMARK_SCHEME_FOST_URL`, `verified` false) `key_id`, `algorithm` (`hmac-sha1`) and,
/// when the URL expires, `expires` (`has_expires`). `NO_CREDENTIALS` when the URL is not FOST-signed;
/// `MALFORMED` for a broken one. Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_parse(
    request: *const countermark_request,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let request = unsafe { countermark_request::get(request) }?;
        let v = parse_url(&request.view()?)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// Phase two: verifies the signed URL with `key` under `policy` and writes the result to `*out` (`verified`
/// true, fields as `countermark_fost_url_parse`). Errors: `NO_CREDENTIALS`, `MALFORMED`, `BAD_SIGNATURE`,
/// `EXPIRED`, `REPLAYED` / `UNAVAILABLE` (nonce-store mode). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_verify(
    request: *const countermark_request,
    key: *const countermark_hmac_key,
    policy: *const countermark_fost_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (request, key, policy) = unsafe {
            (
                countermark_request::get(request)?,
                countermark_hmac_key::get(key)?,
                countermark_fost_policy::get(policy)?,
            )
        };
        let v = verify_url(&request.view()?, key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_fost_url_verify`, for a request given as parts.
#[no_mangle]
pub unsafe extern "C" fn countermark_fost_url_verify_parts(
    request: *const countermark_request_parts,
    key: *const countermark_hmac_key,
    policy: *const countermark_fost_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (view, key, policy) = unsafe {
            (
                request_view(request)?,
                countermark_hmac_key::get(key)?,
                countermark_fost_policy::get(policy)?,
            )
        };
        let v = verify_url(&view, key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}
