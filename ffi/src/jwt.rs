//! Asymmetric keys (Ed25519, RSA, ECDSA P-256 from PEM, DER or JWK) and the asymmetric JWT request tokens
//! (asymmetric-jwt-auth).

use std::sync::Arc;
use std::time::Duration;

use cm::jwt::{self, Policy, Token};
use cm::{SigningKey, UnverifiedJwt, VerifyingKey};

use crate::boundary::{array, bytes, core, guard, guard_value, out_ptr, text, write, FfiResult};
use crate::bytes::countermark_bytes;
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::{ArcHandle, BoxHandle};
use crate::nonce::{countermark_nonce_store, opt_store};
use crate::request::countermark_request;
use crate::result::countermark_result;
use crate::verified::{countermark_scheme, countermark_verified, Out, Verified};

/// The default clock skew of JWT verification, either side, in seconds (the core's, asymmetric-jwt-auth's 20; a
/// test keeps them equal).
pub const COUNTERMARK_JWT_DEFAULT_CLOCK_SKEW_SECS: u64 = 20;

/// The longest JWT read, in bytes (the core's `jwt::MAX_JWT_LEN`; a test keeps them equal).
pub const COUNTERMARK_MAX_JWT_LEN: usize = 8 * 1024;

/// A private key that signs (Ed25519, RSA, ECDSA P-256), with its public half and key id. Immutable, reference
/// counted: thread-safe.
pub struct countermark_signing_key {
    _private: [u8; 0],
}

impl ArcHandle for countermark_signing_key {
    type Rust = SigningKey;
}

/// A public key that verifies, with the algorithms allowed for it and its key id (by default the
/// asymmetric-jwt-auth fingerprint). Immutable, reference counted: thread-safe.
pub struct countermark_verifying_key {
    _private: [u8; 0],
}

impl ArcHandle for countermark_verifying_key {
    type Rust = VerifyingKey;
}

/// Reads a private key from PEM (`PRIVATE KEY` PKCS#8, `RSA PRIVATE KEY` PKCS#1, `EC PRIVATE KEY` SEC1) and writes
/// it to `*out`. `INVALID_KEY` for anything else, an encrypted key, or a weak RSA key (under 2048 bits).
#[no_mangle]
pub unsafe extern "C" fn countermark_signing_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    out: *mut *const countermark_signing_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let pem = unsafe { text(pem, pem_len) }?;
        let key = core(SigningKey::from_pem(pem))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_signing_key::into_ptr(key)) };
        Ok(())
    })
}

/// Reads a private key from PKCS#8 DER and writes it to `*out`. `INVALID_KEY` as `countermark_signing_key_from_pem`.
#[no_mangle]
pub unsafe extern "C" fn countermark_signing_key_from_pkcs8_der(
    der: *const u8,
    der_len: usize,
    out: *mut *const countermark_signing_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let der = unsafe { bytes(der, der_len) }?;
        let key = core(SigningKey::from_pkcs8_der(der))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_signing_key::into_ptr(key)) };
        Ok(())
    })
}

/// Writes the public half of `key` to `*out` (free with `countermark_verifying_key_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_signing_key_verifying_key(
    key: *const countermark_signing_key,
    out: *mut *const countermark_verifying_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_signing_key::get(key) }?;
        // SAFETY: checked above.
        unsafe {
            write(
                out,
                countermark_verifying_key::into_ptr(key.verifying_key().clone()),
            )
        };
        Ok(())
    })
}

/// Writes the key id of `key` (the JWT header `kid`) to `*out`; free with `countermark_bytes_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_signing_key_key_id(
    key: *const countermark_signing_key,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_signing_key::get(key) }?;
        // SAFETY: checked above.
        unsafe {
            write(
                out,
                countermark_bytes::from_string(key.key_id().to_string()),
            )
        };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored. (The key material lives in `ring`, which does not wipe it on drop.)
#[no_mangle]
pub unsafe extern "C" fn countermark_signing_key_free(key: *const countermark_signing_key) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_signing_key::free(key) })
}

unsafe fn new_verifying_key(
    input: *const u8,
    len: usize,
    out: *mut *const countermark_verifying_key,
    read: impl FnOnce(&[u8]) -> FfiResult<VerifyingKey>,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let input = unsafe { bytes(input, len) }?;
        let key = read(input)?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_verifying_key::into_ptr(key)) };
        Ok(())
    })
}

fn utf8(b: &[u8]) -> FfiResult<&str> {
    std::str::from_utf8(b).map_err(|_| countermark_result::InvalidUtf8)
}

/// Reads a public key from PEM (`PUBLIC KEY` SPKI, `RSA PUBLIC KEY` PKCS#1) or an OpenSSH public key line
/// (`ssh-ed25519 AAAA… comment`, `ssh-rsa …`, `ecdsa-sha2-nistp256 …`) and writes it to `*out`. `INVALID_KEY`
/// for anything else or a weak key (small-order Ed25519, RSA exponent below 3 or even, modulus under 2048 bits).
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    out: *mut *const countermark_verifying_key,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe {
        new_verifying_key(pem, pem_len, out, |b| {
            core(VerifyingKey::from_pem(utf8(b)?))
        })
    }
}

/// Reads a public key from SPKI DER and writes it to `*out`. `INVALID_KEY` as `countermark_verifying_key_from_pem`.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_from_spki_der(
    der: *const u8,
    der_len: usize,
    out: *mut *const countermark_verifying_key,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { new_verifying_key(der, der_len, out, |b| core(VerifyingKey::from_spki_der(b))) }
}

/// Reads a public key from a JWK (JSON object: `OKP`/`Ed25519`, `RSA`, `EC`/`P-256`; its `alg` and `kid` are
/// kept) and writes it to `*out`. `INVALID_KEY` or `MALFORMED` for anything else; a JWK holding private
/// members is refused.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_from_jwk(
    jwk: *const u8,
    jwk_len: usize,
    out: *mut *const countermark_verifying_key,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe {
        new_verifying_key(jwk, jwk_len, out, |b| {
            core(VerifyingKey::from_jwk(utf8(b)?))
        })
    }
}

/// Writes the key id of `key` to `*out` (free with `countermark_bytes_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_key_id(
    key: *const countermark_verifying_key,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_verifying_key::get(key) }?;
        // SAFETY: checked above.
        unsafe {
            write(
                out,
                countermark_bytes::from_string(key.key_id().to_string()),
            )
        };
        Ok(())
    })
}

/// Writes the asymmetric-jwt-auth fingerprint of `key` (SHA-256 of its PEM text, hex) to `*out` (free with
/// `countermark_bytes_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_fingerprint(
    key: *const countermark_verifying_key,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_verifying_key::get(key) }?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(key.fingerprint())) };
        Ok(())
    })
}

/// Writes the key as SPKI PEM text to `*out` (free with `countermark_bytes_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_to_pem(
    key: *const countermark_verifying_key,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_verifying_key::get(key) }?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(key.to_pem())) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_free(key: *const countermark_verifying_key) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_verifying_key::free(key) })
}

fn sign_token(key: &SigningKey, token: &Token) -> FfiResult<countermark_bytes> {
    Ok(countermark_bytes::from_string(core(token.sign(key))?))
}

/// Makes a JWT for `username` (claims `username`, `time` = the clock's now, `nonce` = 8 random bytes) signed by
/// `key` (EdDSA for Ed25519, RS512 for RSA keys, as the reference signs; header `kid` = the key id), and writes
/// the compact token to `*out` (free with `countermark_bytes_free`). Send it as `Authorization: JWT <token>`.
/// `clock` NULL for the system clock. `INVALID_VALUE` for an empty username; `UNSUPPORTED_ALGORITHM` for a key
/// type JWT does not use (ECDSA). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_sign(
    key: *const countermark_signing_key,
    username: *const u8,
    username_len: usize,
    clock: *const countermark_clock,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key, username, clock) = unsafe {
            (
                countermark_signing_key::get(key)?,
                text(username, username_len)?,
                clock_or_system(clock)?,
            )
        };
        let token = core(Token::new(username, clock.as_ref()))?;
        let signed = sign_token(key, &token)?;
        // SAFETY: checked above.
        unsafe { write(out, signed) };
        Ok(())
    })
}

/// As `countermark_jwt_sign` with every claim given: `time` (Unix seconds, not 0) and `nonce` (not empty). For
/// reproducing recorded tokens and tests; real clients should let `countermark_jwt_sign` pick a fresh nonce.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_sign_with(
    key: *const countermark_signing_key,
    username: *const u8,
    username_len: usize,
    time: i64,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key, username, nonce) = unsafe {
            (
                countermark_signing_key::get(key)?,
                text(username, username_len)?,
                text(nonce, nonce_len)?,
            )
        };
        let token = core(Token::from_parts(username, time, nonce))?;
        let signed = sign_token(key, &token)?;
        // SAFETY: checked above.
        unsafe { write(out, signed) };
        Ok(())
    })
}

/// What a JWT verifier accepts: the clock, the clock skew either side, and the nonce store that makes each token
/// single-use. Immutable, reference counted: thread-safe.
pub struct countermark_jwt_policy {
    _private: [u8; 0],
}

impl ArcHandle for countermark_jwt_policy {
    type Rust = Policy;
}

/// Writes a policy to `*out`: `clock` NULL for the system clock; tokens whose `time` is more than
/// `*clock_skew_secs` from now either side are refused (NULL: the core's default,
/// `COUNTERMARK_JWT_DEFAULT_CLOCK_SKEW_SECS`; `INVALID_VALUE` above the core's maximum); `nonce_store` is the
/// store of used nonces, or NULL for a memory store of the policy's own (use one shared store, e.g. Redis,
/// across processes).
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_policy_new(
    clock: *const countermark_clock,
    clock_skew_secs: *const u64,
    nonce_store: *const countermark_nonce_store,
    out: *mut *const countermark_jwt_policy,
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
        let mut policy = Policy::new().with_clock(clock);
        if let Some(skew) = skew {
            policy = core(policy.with_clock_skew(Duration::from_secs(skew)))?;
        }
        if let Some(store) = store {
            policy = policy.with_nonce_store(store);
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_jwt_policy::into_ptr(policy)) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_policy_free(policy: *const countermark_jwt_policy) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_jwt_policy::free(policy) })
}

fn unverified_result(jwt: &UnverifiedJwt) -> Verified {
    let time = jwt.claimed_time();
    Verified::new(countermark_scheme::Jwt, false)
        .user(jwt.claimed_username())
        .nonce(Some(jwt.claimed_nonce()))
        .key_id(jwt.claimed_key_id())
        .algorithm(Some(jwt.claimed_algorithm().name()))
        .time(time)
        .created(whole_secs(time))
}

/// A JWT time as whole Unix seconds (rounded down), when it is a representable number.
fn whole_secs(t: f64) -> Option<i64> {
    (t.is_finite() && t.abs() < 9.0e15).then(|| t.floor() as i64)
}

/// Phase one: reads a compact JWT without trusting it and writes to `*out` (scheme `COUNTERMARK_SCHEME_JWT`,
/// `verified` false) `user` (the `username` claim), `created` and `time` (the `time` claim), `nonce`,
/// `key_id` (the header `kid`, when present: look the public key up by it, or by the user) and `algorithm`
/// (`ed25519`, `rsa-v1_5-sha256`, ...). Text goes into `buf` as for `countermark_tokens_verify`. `MALFORMED`,
/// `TOO_LARGE` (over `COUNTERMARK_MAX_JWT_LEN` bytes), `UNSUPPORTED_ALGORITHM` (`none`, HS*, PS*, anything
/// but EdDSA and RS256/384/512). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_parse(
    token: *const u8,
    token_len: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        crate::boundary::check_len(token_len, 1)?;
        if token_len > jwt::MAX_JWT_LEN {
            return Err(countermark_result::TooLarge);
        }
        // SAFETY: per the contract.
        let token = unsafe { text(token, token_len) }?;
        let parsed = core(UnverifiedJwt::parse(token))?;
        // SAFETY: per the contract.
        unsafe { out.put(unverified_result(&parsed)) }
    })
}

/// As `countermark_jwt_parse` for the token of the request's `Authorization: JWT <token>` header (scheme word
/// case-insensitive), also writing `token` (the compact token, for `countermark_jwt_verify`).
/// `NO_CREDENTIALS` when the request has no such header. Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_parse_request(
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
        let view = request.view()?;
        let value = view
            .headers()
            .get("authorization")
            .ok_or(countermark_result::NoCredentials)?;
        let token =
            jwt::token_from_authorization(&value).ok_or(countermark_result::NoCredentials)?;
        let parsed = core(UnverifiedJwt::parse(token))?;
        let v = unverified_result(&parsed).token(token);
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// Phase two: verifies `token` against the `n_keys` public keys of `keys` (the claimed user's keys; the one
/// whose key id equals the header `kid` is tried first, as the reference does) under `policy`, then records its
/// nonce, and writes the result to `*out` (`verified` true; fields as `countermark_jwt_parse`, and
/// `key_index`: the index in `keys` of the key that verified). The algorithm must be allowed for the key that
/// verifies: a token claiming HS256 with a public key, `none`, or RS* with an Ed25519 key is refused. Errors:
/// `MALFORMED`, `TOO_LARGE`, `UNSUPPORTED_ALGORITHM`, `EXPIRED`, `NOT_YET_VALID`, `BAD_SIGNATURE`,
/// `UNKNOWN_KEY` (no keys), `REPLAYED`, `UNAVAILABLE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_jwt_verify(
    token: *const u8,
    token_len: usize,
    keys: *const *const countermark_verifying_key,
    n_keys: usize,
    policy: *const countermark_jwt_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        crate::boundary::check_len(token_len, 1)?;
        if token_len > jwt::MAX_JWT_LEN {
            return Err(countermark_result::TooLarge);
        }
        // SAFETY: per the contract.
        let (token, key_ptrs, policy) = unsafe {
            (
                text(token, token_len)?,
                array(keys, n_keys)?,
                countermark_jwt_policy::get(policy)?,
            )
        };
        let keys: Vec<Arc<VerifyingKey>> = key_ptrs
            .iter()
            // SAFETY: each pointer is NULL (refused) or a live handle per the contract.
            .map(|&k| unsafe { countermark_verifying_key::clone_arc(k) })
            .collect::<FfiResult<_>>()?;
        let keys: Vec<VerifyingKey> = keys.iter().map(|k| VerifyingKey::clone(k)).collect();
        let parsed = core(UnverifiedJwt::parse(token))?;
        let verified = core(parsed.verify_any(&keys, policy))?;
        let v = Verified::new(countermark_scheme::Jwt, true)
            .user(verified.username())
            .nonce(Some(verified.nonce()))
            .key_id(Some(verified.key_id()))
            .algorithm(Some(verified.algorithm().name()))
            .time(verified.time())
            .created(whole_secs(verified.time()))
            .key_index(verified.key_index());
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}
