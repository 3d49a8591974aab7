//! The `HMAC-SHA256|384|512 key;signature;utc8601` header scheme (django-hmac-authentication).

use std::time::Duration;

use cm::http::hmac_header::{self, ApiSecret, Body, HmacHeaderSigner, LegacyCipher, Policy};
use cm::Algorithm;

use crate::boundary::{bytes, core, guard, guard_value, opt_text, out_ptr, text, write};
use crate::bytes::{countermark_bytes, countermark_claims, Claims};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::{ArcHandle, BoxHandle};
use crate::nonce::{countermark_nonce_store, opt_store};
use crate::request::countermark_request;
use crate::result::countermark_result;

/// How old an HMAC-header request may be by default, in seconds (`HMAC_AUTH_REQUEST_TIMEOUT`).
pub const COUNTERMARK_HMAC_HEADER_DEFAULT_TIMEOUT: u64 = 5;

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

/// Writes to `*out` a signer for `api_key` (non-empty, no whitespace or `;`) with `secret` and algorithm `alg`:
/// `sha256`, `sha384` or `sha512` (`UNSUPPORTED_ALGORITHM` otherwise). `clock` NULL for the system clock.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_signer_new(
    api_key: *const u8,
    api_key_len: usize,
    secret: *const countermark_api_secret,
    alg: *const u8,
    alg_len: usize,
    clock: *const countermark_clock,
    out: *mut *const countermark_hmac_header_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (api_key, secret, alg, clock) = unsafe {
            (
                text(api_key, api_key_len)?,
                countermark_api_secret::get(secret)?,
                text(alg, alg_len)?,
                clock_or_system(clock)?,
            )
        };
        let alg: Algorithm = core(alg.parse())?;
        let signer =
            core(HmacHeaderSigner::new(api_key, core(secret.key(alg))?))?.with_clock(clock);
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

/// What an HMAC-header verifier accepts: the clock, how old a request may be (requests from the future are
/// refused), and optionally a store that remembers verified signatures so each is accepted once (the format has
/// no nonce). Immutable, reference counted: thread-safe.
pub struct countermark_hmac_header_policy {
    _private: [u8; 0],
}

impl ArcHandle for countermark_hmac_header_policy {
    type Rust = Policy;
}

/// Writes a policy to `*out`: `clock` NULL for the system clock; requests older than `timeout_secs`
/// (`COUNTERMARK_HMAC_HEADER_DEFAULT_TIMEOUT` is the reference's 5) are `EXPIRED`; `seen_signatures` NULL to
/// accept a valid request as often as it comes within the timeout (the reference's behaviour), or a store to
/// accept each once.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_policy_new(
    clock: *const countermark_clock,
    timeout_secs: u64,
    seen_signatures: *const countermark_nonce_store,
    out: *mut *const countermark_hmac_header_policy,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (clock, store) = unsafe { (clock_or_system(clock)?, opt_store(seen_signatures)?) };
        let mut policy = Policy::new(clock).with_max_age(Duration::from_secs(timeout_secs));
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

/// Phase one: reads the request's `Authorization: HMAC-SHA…` header without trusting it and writes `api_key`
/// (look its secret up), `algorithm` (`hmac-sha256`…) and `timestamp` to `*out`. `NO_CREDENTIALS` without such
/// a header; `MALFORMED` for a broken one. Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_parse(
    request: *const countermark_request,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let request = unsafe { countermark_request::get(request) }?;
        let view = request.view()?;
        let parsed = core(hmac_header::parse(&view))?.ok_or(countermark_result::NoCredentials)?;
        let claims = Claims::default()
            .with("api_key", parsed.claimed_key_id())
            .with("algorithm", parsed.claimed_algorithm().name())
            .with("timestamp", parsed.claimed_timestamp());
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// Phase two: checks the time window, then the signature with `secret` (of the claimed API key), then the
/// seen-signature store, and writes `api_key`, `algorithm` and `signed_at` (Unix seconds) to `*out`. Errors:
/// `NO_CREDENTIALS`, `MALFORMED` (also a timestamp without a zone), `EXPIRED`, `NOT_YET_VALID`,
/// `BAD_SIGNATURE`, `REPLAYED` / `UNAVAILABLE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_header_verify(
    request: *const countermark_request,
    secret: *const countermark_api_secret,
    policy: *const countermark_hmac_header_policy,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (request, secret, policy) = unsafe {
            (
                countermark_request::get(request)?,
                countermark_api_secret::get(secret)?,
                countermark_hmac_header_policy::get(policy)?,
            )
        };
        let view = request.view()?;
        let parsed = core(hmac_header::parse(&view))?.ok_or(countermark_result::NoCredentials)?;
        let verified = core(parsed.verify(secret, policy))?;
        let claims = Claims::default()
            .with("api_key", verified.key_id())
            .with("algorithm", verified.algorithm().name())
            .with("signed_at", verified.created().secs().to_string());
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}
