//! HMAC keys, key rings and random secrets.

use cm::{Algorithm, HmacKey, KeyId, KeyRing, Secret};

use crate::boundary::{bytes, copy_out, core, guard, guard_value, opt_text, out_ptr, text, write};
use crate::bytes::countermark_bytes;
use crate::handle::{builder, take_builder, ArcHandle, BoxHandle};
use crate::result::countermark_result;

/// The longest MAC any algorithm produces (HMAC-SHA512, HMAC-BLAKE2b): a buffer of this size always fits the
/// output of `countermark_hmac_key_sign`.
pub const COUNTERMARK_MAX_TAG_LEN: usize = 64;

/// An HMAC key: an algorithm, a secret (wiped from memory when the last reference is freed) and an optional key
/// id. Immutable and reference counted: thread-safe. The secret can never be read back.
pub struct countermark_hmac_key {
    _private: [u8; 0],
}

impl ArcHandle for countermark_hmac_key {
    type Rust = HmacKey;
}

unsafe fn new_key(
    alg: *const u8,
    alg_len: usize,
    secret: *const u8,
    secret_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *const countermark_hmac_key,
    legacy: bool,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: inputs per the contract of the exported functions.
        let (alg, secret, kid) = unsafe {
            (
                text(alg, alg_len)?,
                bytes(secret, secret_len)?,
                opt_text(kid, kid_len)?,
            )
        };
        let alg: Algorithm = core(alg.parse())?;
        let secret = core(if legacy {
            Secret::legacy(secret)
        } else {
            Secret::new(secret)
        })?;
        let mut key = HmacKey::new(alg, &secret);
        if let Some(kid) = kid {
            key = key.with_key_id(core(KeyId::new(kid))?);
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_hmac_key::into_ptr(key)) };
        Ok(())
    })
}

/// Builds an HMAC key and writes it to `*out`.
///
/// - `alg`: the algorithm name: `sha256` (or `hmac-sha256`), `sha384`, `sha512`, `sha224`, `sha1` (legacy
///   formats only), `blake2s`, `blake2b`, `md5` (legacy: only for links of ska's `HMACMD5Signature`, never a
///   default); case-insensitive.
/// - `secret`: 16 to 1024 bytes, copied (the caller may wipe its copy right after).
/// - `kid`: an optional key id (`(NULL, 0)` for none), at most 256 bytes of visible ASCII; key rings look
///   keys up by it.
///
/// Errors: `UNSUPPORTED_ALGORITHM`, `INVALID_KEY` (secret length), `MALFORMED` (key id), `INVALID_UTF8`,
/// `NULL_PARAMETER`. Free the key with `countermark_hmac_key_free`.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_key_new(
    alg: *const u8,
    alg_len: usize,
    secret: *const u8,
    secret_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *const countermark_hmac_key,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { new_key(alg, alg_len, secret, secret_len, kid, kid_len, out, false) }
}

/// As `countermark_hmac_key_new`, but accepts the short secrets (1 to 15 bytes) that existing ska, FOST and
/// handshake deployments use. For compatibility only: new keys should come from `countermark_secret_generate`.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_key_new_legacy(
    alg: *const u8,
    alg_len: usize,
    secret: *const u8,
    secret_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *const countermark_hmac_key,
) -> countermark_result {
    // SAFETY: forwarded.
    unsafe { new_key(alg, alg_len, secret, secret_len, kid, kid_len, out, true) }
}

/// Computes the MAC of `msg` into the caller's buffer `out_tag` of capacity `cap` and writes its length to
/// `*out_n`. `COUNTERMARK_MAX_TAG_LEN` bytes always suffice; a smaller buffer that cannot hold the MAC gives
/// `INSUFFICIENT_SIZE` with the length needed in `*out_n`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_key_sign(
    key: *const countermark_hmac_key,
    msg: *const u8,
    msg_len: usize,
    out_tag: *mut u8,
    cap: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out_n = out_ptr(out_n)?;
        // SAFETY: per the contract.
        let (key, msg) = unsafe { (countermark_hmac_key::get(key)?, bytes(msg, msg_len)?) };
        let tag = key.sign(msg);
        // SAFETY: out_tag holds cap bytes per the contract; out_n checked.
        unsafe { copy_out(tag.as_bytes(), out_tag, cap, out_n) }
    })
}

/// Checks in constant time that `tag` is the MAC of `msg`: `OK` or `BAD_SIGNATURE` (a wrong length included).
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_key_verify(
    key: *const countermark_hmac_key,
    msg: *const u8,
    msg_len: usize,
    tag: *const u8,
    tag_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (key, msg, tag) = unsafe {
            (
                countermark_hmac_key::get(key)?,
                bytes(msg, msg_len)?,
                bytes(tag, tag_len)?,
            )
        };
        core(key.verify(msg, tag))
    })
}

/// Releases a key reference; NULL is ignored. The secret is wiped when the last reference (a ring, signer or
/// verifier may hold one) goes.
#[no_mangle]
pub unsafe extern "C" fn countermark_hmac_key_free(key: *const countermark_hmac_key) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_hmac_key::free(key) })
}

/// Writes `len` (16 to 1024) random bytes from the operating system to `*out`: a fresh secret for
/// `countermark_hmac_key_new`. Free it with `countermark_bytes_free`, which wipes it. `INVALID_KEY` for a
/// length out of range; `UNAVAILABLE` if the operating system has no randomness to give.
#[no_mangle]
pub unsafe extern "C" fn countermark_secret_generate(
    len: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let secret = core(Secret::generate(len))?;
        // Sized for the trailing NUL so the secret is never reallocated (and left unwiped) on the way out.
        let mut v = Vec::with_capacity(secret.len() + 1);
        v.extend_from_slice(secret.expose());
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_vec(v)) };
        Ok(())
    })
}

/// A set of HMAC keys: one primary key that signs, older keys that still verify (rotation). Immutable and
/// reference counted: thread-safe. Built with `countermark_key_ring_builder`.
pub struct countermark_key_ring {
    _private: [u8; 0],
}

impl ArcHandle for countermark_key_ring {
    type Rust = KeyRing;
}

/// Assembles a key ring. Mutable: one thread at a time. Consumed by `countermark_key_ring_builder_build`,
/// after which every call on it answers `BUILDER_CONSUMED`; it must still be freed with
/// `countermark_key_ring_builder_free`.
pub struct countermark_key_ring_builder {
    _private: [u8; 0],
}

impl BoxHandle for countermark_key_ring_builder {
    type Rust = Option<KeyRing>;
}

/// Starts a key ring whose primary key is `primary` and writes the builder to `*out`. The ring keeps its own
/// copy of the key: `primary` may be freed afterwards.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_new(
    primary: *const countermark_hmac_key,
    out: *mut *mut countermark_key_ring_builder,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_hmac_key::get(primary) }?.clone();
        // SAFETY: checked above.
        unsafe {
            write(
                out,
                countermark_key_ring_builder::into_ptr(Some(KeyRing::new(key))),
            )
        };
        Ok(())
    })
}

/// Makes `key` the primary key; the previous primary keeps verifying. `INVALID_VALUE` when a key with the same
/// key id is already in the ring.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_rotate(
    builder_: *mut countermark_key_ring_builder,
    key: *const countermark_hmac_key,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (ring, key) = unsafe {
            (
                builder(countermark_key_ring_builder::get_mut(builder_)?)?,
                countermark_hmac_key::get(key)?,
            )
        };
        core(ring.rotate(key.clone()))
    })
}

/// Adds an older key that verifies but does not sign. `INVALID_VALUE` when its key id is already in the ring.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_add_verify_only(
    builder_: *mut countermark_key_ring_builder,
    key: *const countermark_hmac_key,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (ring, key) = unsafe {
            (
                builder(countermark_key_ring_builder::get_mut(builder_)?)?,
                countermark_hmac_key::get(key)?,
            )
        };
        core(ring.add_verify_only(key.clone()))
    })
}

/// Removes the older key with key id `kid`. `UNKNOWN_KEY` when there is none; `INVALID_VALUE` for the primary
/// (rotate first).
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_retire(
    builder_: *mut countermark_key_ring_builder,
    kid: *const u8,
    kid_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (ring, kid) = unsafe {
            (
                builder(countermark_key_ring_builder::get_mut(builder_)?)?,
                text(kid, kid_len)?,
            )
        };
        core(ring.retire(kid))
    })
}

/// Consumes the builder and writes the finished ring to `*out` (free it with `countermark_key_ring_free`).
/// `BUILDER_CONSUMED` if it was already built. The builder itself must still be freed.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_build(
    builder_: *mut countermark_key_ring_builder,
    out: *mut *const countermark_key_ring,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let ring = take_builder(unsafe { countermark_key_ring_builder::get_mut(builder_) }?)?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_key_ring::into_ptr(ring)) };
        Ok(())
    })
}

/// Frees a builder, consumed or not; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_builder_free(
    builder_: *mut countermark_key_ring_builder,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_key_ring_builder::free(builder_)
    })
}

/// Looks up the key with key id `kid` (primary or older) and writes a new reference to it to `*out` (free it
/// with `countermark_hmac_key_free`). `NOT_FOUND` when no key has this id. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_get(
    ring: *const countermark_key_ring,
    kid: *const u8,
    kid_len: usize,
    out: *mut *const countermark_hmac_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (ring, kid) = unsafe { (countermark_key_ring::get(ring)?, text(kid, kid_len)?) };
        let key = ring.get(kid).ok_or(countermark_result::NotFound)?.clone();
        // SAFETY: checked above.
        unsafe { write(out, countermark_hmac_key::into_ptr(key)) };
        Ok(())
    })
}

/// Releases a ring reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_key_ring_free(ring: *const countermark_key_ring) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_key_ring::free(ring) })
}
