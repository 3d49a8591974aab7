//! Decisions the core makes once for every front door: the key each scheme derives from one API secret, strict
//! reading of a client's secret, the default RFC 9421 coverage and algorithm, decoy keys.

use cm::http::hmac_header::ApiSecret;
use cm::http::message_signatures::sign_with_default_coverage;
use cm::{HmacKey, KeyType, MessageVerifyingKey, VerifyingKey};

use crate::boundary::{core, guard, out_ptr, text, write};
use crate::bytes::{countermark_claims, Claims};
use crate::handle::{ArcHandle, BoxHandle};
use crate::hmac::countermark_hmac_key;
use crate::hmac_header::{countermark_api_secret, read_secret};
use crate::jwt::countermark_verifying_key;
use crate::message_signatures::{
    countermark_message_signer, countermark_message_verifying_key, signature_claims,
};
use crate::request::countermark_request;
use crate::result::countermark_result;

/// Reads a client's copy of an API secret strictly and writes it to `*out`: standard base64, padded, canonical,
/// nothing around it (no whitespace or line break), 16 to 1024 bytes once decoded. `INVALID_KEY` otherwise.
/// (`countermark_api_secret_new_base64` is the server's lenient reader, which trims surrounding whitespace.)
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_new_base64_strict(
    b64: *const u8,
    b64_len: usize,
    out: *mut *const countermark_api_secret,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { read_secret(b64, b64_len, out, ApiSecret::from_base64_strict) }
}

/// Writes the key `derive` makes from `secret` to `*out`.
///
/// # Safety
/// `secret` NULL or a live handle, `out` NULL or writable.
unsafe fn derived_key(
    secret: *const countermark_api_secret,
    out: *mut *const countermark_hmac_key,
    derive: fn(&ApiSecret) -> cm::Result<HmacKey>,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let secret = unsafe { countermark_api_secret::get(secret) }?;
        let key = core(derive(secret))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_hmac_key::into_ptr(key)) };
        Ok(())
    })
}

/// Writes to `*out` the HMAC-SHA1 key FOST signs and verifies with for `secret`: keyed with its base64 text, as
/// django-fost-authn deployments store it (free with `countermark_hmac_key_free`). `INVALID_KEY` for a secret
/// over 768 bytes (its text would be over the 1024-byte key limit). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_fost_key(
    secret: *const countermark_api_secret,
    out: *mut *const countermark_hmac_key,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { derived_key(secret, out, ApiSecret::fost_key) }
}

/// Writes to `*out` the `hmac-sha256` key RFC 9421 message signatures use for `secret`: its decoded bytes (free
/// with `countermark_hmac_key_free`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_api_secret_message_signature_key(
    secret: *const countermark_api_secret,
    out: *mut *const countermark_hmac_key,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { derived_key(secret, out, |s| Ok(s.message_signature_key())) }
}

/// Signs `request` with `signer`'s key and settings over the request's default coverage, replacing the
/// signer's components: `@method @authority @path`, `@query` when the target has a `?`, and `content-digest`
/// when the body is not empty, with the `Content-Digest` (`sha-256`) of the body, replacing any the request has
/// (the core's rule: only a digest of the body signed is sure to match it). Writes the claims of
/// `countermark_message_signer_sign_request` to `*out`, after a `Content-Digest` claim when the body is not empty
/// (send the request with that header line in place of any it had). The request itself is not changed.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_sign_request_default_coverage(
    signer: *const countermark_message_signer,
    request: *const countermark_request,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, request) = unsafe {
            (
                countermark_message_signer::get(signer)?,
                countermark_request::get(request)?,
            )
        };
        let view = request.view()?;
        let signed = core(sign_with_default_coverage(signer, &view))?;
        let mut claims = Claims::default();
        if let Some(digest) = signed.content_digest() {
            claims.push("Content-Digest", digest);
        }
        let claims = signature_claims(claims, signed.headers());
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// Writes to `*out` a verifying key for the public `key` under its default RFC 9421 algorithm: `ed25519` for
/// Ed25519, `rsa-pss-sha512` for RSA, `ecdsa-p256-sha256` for P-256 (the first of these the key allows).
/// `UNSUPPORTED_ALGORITHM` when it allows none (an RSA key restricted to PKCS#1 v1.5: name `rsa-v1_5-sha256`
/// with `countermark_message_verifying_key_new_public`). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_verifying_key_new_public_default(
    key: *const countermark_verifying_key,
    out: *mut *const countermark_message_verifying_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_verifying_key::get(key) }?;
        let vk = core(MessageVerifyingKey::for_public_key(key.clone()))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_message_verifying_key::into_ptr(vk)) };
        Ok(())
    })
}

/// Writes to `*out` a decoy public key of `key_type` (`ed25519` or `ecdsa-p256`): fresh, its private half thrown
/// away, to verify against when a credential names an unknown key id or user, so the refusal costs what a known
/// key's does (free with `countermark_verifying_key_free`). `INVALID_VALUE` for an unknown type,
/// `UNSUPPORTED_ALGORITHM` for `rsa` (RSA keys are not generated). Make one per process and type. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_verifying_key_decoy(
    key_type: *const u8,
    key_type_len: usize,
    out: *mut *const countermark_verifying_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key_type: KeyType = core(unsafe { text(key_type, key_type_len) }?.parse())?;
        let key = core(VerifyingKey::decoy(key_type))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_verifying_key::into_ptr(key)) };
        Ok(())
    })
}
