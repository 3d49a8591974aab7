//! The `HMAC-SHA256|384|512 key;signature;utc8601` header scheme (django-hmac-authentication).

use std::time::Duration;

use cm::http::hmac_header::{self, ApiSecret, Body, HmacHeaderSigner, LegacyCipher, Policy};
use cm::Algorithm;

use crate::boundary::{bytes, core, guard, guard_value, opt_text, out_ptr, text, write, FfiResult};
use crate::bytes::{countermark_bytes, countermark_claims, Claims};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::{ArcHandle, BoxHandle};
use crate::nonce::{countermark_nonce_store, opt_store};
use crate::request::countermark_request;
use crate::result::countermark_result;
use crate::verified::{
    countermark_request_parts, countermark_scheme, countermark_verified, request_view, Out,
    Verified,
};

/// How old an HMAC-header request may be by default, in seconds (the core's default max age, the reference's
/// `HMAC_AUTH_REQUEST_TIMEOUT`; a test keeps them equal).
pub const COUNTERMARK_HMAC_HEADER_DEFAULT_MAX_AGE_SECS: u64 = 5;

/// The secret of one API key of the HMAC header scheme (the MAC key is its raw bytes; clients receive it as
/// base64). Wiped from memory when the last reference goes. Immutable, reference counted: thread-safe.
pub struct countermark_api_secret {
    _private: [u8; 0],
}

impl ArcHandle for countermark_api_secret {
    type Rust = ApiSecret;
}

/// Reads the base64 text handed to clients (standard alphabet, padded) and writes the secret to `*out`.
/// `INVALID_KEY` when it is not base64 or decodes to fewer than 16 or more than 1024 bytes.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_new_base64(
    b64: *const u8,
    b64_len: usize,
    out: *mut *const countermark_api_secret,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { read_secret(b64, b64_len, out, ApiSecret::from_base64) }
}

/// Reads base64 secret text with `read` and writes the secret to `*out`.
///
/// # Safety
/// As the exported readers: `(b64, b64_len)` is a valid input, `out` NULL or writable.
pub(crate) unsafe fn read_secret(
    b64: *const u8,
    b64_len: usize,
    out: *mut *const countermark_api_secret,
    read: fn(&str) -> cm::Result<ApiSecret>,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let b64 = unsafe { text(b64, b64_len) }?;
        let secret = core(read(b64))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_api_secret::into_ptr(secret)) };
        Ok(())
    })
}

/// Writes a fresh 32-byte secret from the operating system to `*out` (as the reference server makes them).
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_generate(
    out: *mut *const countermark_api_secret,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let secret = core(ApiSecret::generate())?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_api_secret::into_ptr(secret)) };
        Ok(())
    })
}

/// Decrypts a secret stored by django-hmac-authentication (its `ApiHMACKey` row: PBKDF2-HMAC-SHA256 of the
/// key-derivation password and the 24-byte salt gives the key and IV of AES-256-CBC or Camellia-256-CBC) and
/// writes it to `*out`. `cipher` is the row's column value, `AES-256` or `CAMELLIA-256`
/// (`UNSUPPORTED_ALGORITHM` otherwise); `INVALID_KEY` for a wrong salt length, a bad ciphertext, or a wrong
/// password. For migrating key stores, not for data an attacker can submit.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_decrypt_legacy(
    cipher: *const u8,
    cipher_len: usize,
    password: *const u8,
    password_len: usize,
    salt: *const u8,
    salt_len: usize,
    ciphertext: *const u8,
    ciphertext_len: usize,
    out: *mut *const countermark_api_secret,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (cipher, password, salt, ciphertext) = unsafe {
            (
                text(cipher, cipher_len)?,
                bytes(password, password_len)?,
                bytes(salt, salt_len)?,
                bytes(ciphertext, ciphertext_len)?,
            )
        };
        let cipher: LegacyCipher = core(cipher.parse())?;
        let secret = core(hmac_header::decrypt_legacy_secret(
            cipher, password, salt, ciphertext,
        ))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_api_secret::into_ptr(secret)) };
        Ok(())
    })
}

/// Writes the base64 text of the secret (what clients are given) to `*out`; free it with
/// `countermark_bytes_free`, which wipes it. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_to_base64(
    secret: *const countermark_api_secret,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let secret = unsafe { countermark_api_secret::get(secret) }?;
        let b64 = secret.to_base64();
        let mut v = Vec::with_capacity(b64.len() + 1);
        v.extend_from_slice(b64.as_bytes());
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_vec(v)) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_free(secret: *const countermark_api_secret) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_api_secret::free(secret) })
}

/// Signs requests for one API key (client side). Immutable, reference counted: thread-safe.
pub struct countermark_hmac_header_signer {
    _private: [u8; 0],
}

impl ArcHandle for countermark_hmac_header_signer {
    type Rust = HmacHeaderSigner;
}

/// Writes to `*out` a signer for `key_id` (the API key: non-empty, no whitespace or `;`) with `secret` and
/// `algorithm`: `hmac-sha256`, `hmac-sha384` or `hmac-sha512` (`UNSUPPORTED_ALGORITHM` otherwise). `clock` NULL
/// for the system clock.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_signer_new(
    key_id: *const u8,
    key_id_len: usize,
    secret: *const countermark_api_secret,
    algorithm: *const u8,
    algorithm_len: usize,
    clock: *const countermark_clock,
    out: *mut *const countermark_hmac_header_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key_id, secret, alg, clock) = unsafe {
            (
                text(key_id, key_id_len)?,
                countermark_api_secret::get(secret)?,
                text(algorithm, algorithm_len)?,
                clock_or_system(clock)?,
            )
        };
        let alg: Algorithm = core(alg.parse())?;
        let signer = core(HmacHeaderSigner::new(key_id, core(secret.key(alg))?))?.with_clock(clock);
        // SAFETY: checked above.
        unsafe { write(out, countermark_hmac_header_signer::into_ptr(signer)) };
        Ok(())
    })
}

/// Signs the body of `request` (typed by its `Content-Type`: JSON and form bodies are hashed after the
/// reference's canonicalisation; no or an empty body signs no hash) and writes to `*out` the claims
/// `Authorization` (the header value to send), `signature` and `string_to_sign`. `timestamp` is signed verbatim
/// when given (any ISO 8601 text Python's `datetime.fromisoformat` reads with a zone, without `;` or whitespace);
/// `(NULL, 0)` stamps the clock's now.
/// `MALFORMED` for a body of another type or invalid JSON; `INVALID_VALUE` for a bad timestamp. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_signer_sign(
    signer: *const countermark_hmac_header_signer,
    request: *const countermark_request,
    timestamp: *const u8,
    timestamp_len: usize,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, request, timestamp) = unsafe {
            (
                countermark_hmac_header_signer::get(signer)?,
                countermark_request::get(request)?,
                opt_text(timestamp, timestamp_len)?,
            )
        };
        let view = request.view()?;
        let body = core(Body::from_request(&view))?;
        let signed = core(match timestamp {
            Some(ts) => signer.sign_at(&body, ts),
            None => signer.sign(&body),
        })?;
        let claims = Claims::default()
            .with("Authorization", signed.authorization())
            .with("signature", signed.signature())
            .with("string_to_sign", signed.string_to_sign());
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_signer_free(
    signer: *const countermark_hmac_header_signer,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_hmac_header_signer::free(signer)
    })
}

/// What an HMAC-header verifier accepts: the clock, how old a request may be (requests stamped in the future are
/// refused), and optionally a nonce store that remembers verified signatures so each is accepted once (the
/// format has no nonce). Immutable, reference counted: thread-safe.
pub struct countermark_hmac_header_policy {
    _private: [u8; 0],
}

impl ArcHandle for countermark_hmac_header_policy {
    type Rust = Policy;
}

/// Writes a policy to `*out`: `clock` NULL for the system clock; requests older than `*max_age_secs` are
/// `EXPIRED` (NULL: the core's default, `COUNTERMARK_HMAC_HEADER_DEFAULT_MAX_AGE_SECS`); `nonce_store` NULL to
/// accept a valid request as often as it comes within the window (the reference's behaviour), or a store to
/// accept each once.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_policy_new(
    clock: *const countermark_clock,
    max_age_secs: *const u64,
    nonce_store: *const countermark_nonce_store,
    out: *mut *const countermark_hmac_header_policy,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (clock, store, max_age) = unsafe {
            (
                clock_or_system(clock)?,
                opt_store(nonce_store)?,
                max_age_secs.as_ref().copied(),
            )
        };
        let mut policy = Policy::new(clock);
        if let Some(max_age) = max_age {
            policy = policy.with_max_age(Duration::from_secs(max_age));
        }
        if let Some(store) = store {
            policy = policy.with_nonce_store(store);
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_hmac_header_policy::into_ptr(policy)) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_policy_free(
    policy: *const countermark_hmac_header_policy,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_hmac_header_policy::free(policy)
    })
}

fn parse_request(view: &cm::Request<'_>) -> FfiResult<Verified> {
    let parsed = core(hmac_header::parse(view))?.ok_or(countermark_result::NoCredentials)?;
    Ok(Verified::new(countermark_scheme::HmacHeader, false)
        .key_id(Some(parsed.claimed_key_id()))
        .algorithm(Some(parsed.claimed_algorithm().name()))
        .created(Some(parsed.claimed_created().secs())))
}

fn verify_request(
    view: &cm::Request<'_>,
    secret: &ApiSecret,
    policy: &Policy,
) -> FfiResult<Verified> {
    let parsed = core(hmac_header::parse(view))?.ok_or(countermark_result::NoCredentials)?;
    let verified = core(parsed.verify(secret, policy))?;
    Ok(Verified::new(countermark_scheme::HmacHeader, true)
        .key_id(Some(verified.key_id()))
        .algorithm(Some(verified.algorithm().name()))
        .created(Some(verified.created().secs())))
}

/// Phase one: reads the request's `Authorization: HMAC-SHA…` header without trusting it and writes to `*out`
/// (scheme `COUNTERMARK_SCHEME_HMAC_HEADER`, `verified` false) `key_id` (the API key: look its secret up),
/// `algorithm` (`hmac-sha256`…) and `created` (the stamped time, Unix seconds). Text goes into `buf` as for
/// `countermark_tokens_verify`. `NO_CREDENTIALS` without such a header; `MALFORMED` for a broken one.
/// Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_parse(
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

/// Phase two: checks the time window, then the signature with `secret` (of the claimed key id), then the nonce
/// store, and writes the result to `*out` (`verified` true, fields as `countermark_hmac_header_parse`). Errors:
/// `NO_CREDENTIALS`, `MALFORMED` (also a timestamp without a zone), `EXPIRED`, `NOT_YET_VALID`,
/// `BAD_SIGNATURE`, `REPLAYED` / `UNAVAILABLE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_verify(
    request: *const countermark_request,
    secret: *const countermark_api_secret,
    policy: *const countermark_hmac_header_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (request, secret, policy) = unsafe {
            (
                countermark_request::get(request)?,
                countermark_api_secret::get(secret)?,
                countermark_hmac_header_policy::get(policy)?,
            )
        };
        let v = verify_request(&request.view()?, secret, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_hmac_header_verify`, for a request given as parts.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_verify_parts(
    request: *const countermark_request_parts,
    secret: *const countermark_api_secret,
    policy: *const countermark_hmac_header_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (view, secret, policy) = unsafe {
            (
                request_view(request)?,
                countermark_api_secret::get(secret)?,
                countermark_hmac_header_policy::get(policy)?,
            )
        };
        let v = verify_request(&view, secret, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}
