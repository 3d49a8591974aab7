//! handshake-format tokens: `field:…:timestamp:random:signature`.

use cm::{FixedRandom, Tokens};
use std::time::Duration;

use crate::boundary::{bytes, core, guard, guard_value, out_ptr, text, write};
use crate::bytes::{countermark_bytes, countermark_str, texts};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::ArcHandle;
use crate::hmac::countermark_key_ring;
use crate::result::countermark_result;
use crate::verified::{countermark_verified, Out};

/// Creates and verifies handshake-format tokens with a key ring (the primary key signs; every key verifies).
/// Immutable and reference counted: thread-safe.
pub struct countermark_tokens {
    _private: [u8; 0],
}

impl ArcHandle for countermark_tokens {
    type Rust = Tokens;
}

/// Builds a token maker/verifier over `keys` and writes it to `*out` (free with `countermark_tokens_free`).
/// `clock` is NULL for the system clock. `random_len` is the number of random bytes hashed into each token
/// (handshake's `random_len`), 0 for its default of 256 (`INVALID_VALUE` outside 16 to 1024). The object keeps its own references to the
/// ring and clock.
#[no_mangle]
pub unsafe extern "C" fn countermark_tokens_new(
    keys: *const countermark_key_ring,
    clock: *const countermark_clock,
    random_len: usize,
    out: *mut *const countermark_tokens,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (ring, clock) = unsafe { (countermark_key_ring::get(keys)?, clock_or_system(clock)?) };
        let mut tokens = Tokens::new(ring.clone()).with_clock(clock);
        if random_len != 0 {
            tokens = core(tokens.with_random_len(random_len))?;
        }
        // SAFETY: checked above.
        unsafe { write(out, countermark_tokens::into_ptr(tokens)) };
        Ok(())
    })
}

/// Creates a token carrying the `n_fields` texts of `fields` (each of `a-z A-Z 0-9 _ -`) and writes it to
/// `*out` (free with `countermark_bytes_free`). `INVALID_VALUE` for a forbidden character or a token over 2048
/// bytes. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_tokens_create(
    tokens: *const countermark_tokens,
    fields: *const countermark_str,
    n_fields: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (tokens, fields) =
            unsafe { (countermark_tokens::get(tokens)?, texts(fields, n_fields)?) };
        let token = core(tokens.create(&fields))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(token)) };
        Ok(())
    })
}

/// As `countermark_tokens_create`, with the random bytes taken from `random` instead of the operating system:
/// for reproducing recorded tokens and test vectors only. `INVALID_VALUE` when `random` is shorter than the
/// random length.
#[no_mangle]
pub unsafe extern "C" fn countermark_tokens_create_with_random(
    tokens: *const countermark_tokens,
    fields: *const countermark_str,
    n_fields: usize,
    random: *const u8,
    random_len: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (tokens, fields, random) = unsafe {
            (
                countermark_tokens::get(tokens)?,
                texts(fields, n_fields)?,
                bytes(random, random_len)?,
            )
        };
        let token = core(tokens.create_with_random(&fields, &mut FixedRandom::new(random)))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(token)) };
        Ok(())
    })
}

/// Verifies `token` and writes the result to `*out` (scheme `COUNTERMARK_SCHEME_TOKEN`): `created` is the
/// token's timestamp (Unix seconds) and `items` its fields, in order (each in `value`). Its text lives in `buf`
/// (`buf_len` bytes; `COUNTERMARK_VERIFIED_BUF_LEN` is ample); `*out_n` is the number of bytes used, or on
/// `INSUFFICIENT_SIZE` the number needed.
///
/// `max_age_secs` NULL accepts any age; otherwise only tokens created within `*max_age_secs` seconds of now,
/// either side (handshake's `time_range`). Errors: `MALFORMED`, `TOO_LARGE` (over 2048 bytes),
/// `BAD_SIGNATURE` (no key of the ring matches), `EXPIRED`, `NOT_YET_VALID`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_tokens_verify(
    tokens: *const countermark_tokens,
    token: *const u8,
    token_len: usize,
    max_age_secs: *const u64,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let tokens = unsafe { countermark_tokens::get(tokens) }?;
        crate::boundary::check_len(token_len, 1)?;
        if token_len > cm::MAX_TOKEN_LEN {
            return Err(countermark_result::TooLarge);
        }
        // SAFETY: per the contract.
        let token = unsafe { text(token, token_len) }?;
        // SAFETY: NULL or a readable u64 per the contract.
        let max_age = unsafe { max_age_secs.as_ref() }
            .copied()
            .map(Duration::from_secs);
        let verified = core(tokens.verify(token, max_age))?;
        // SAFETY: per the contract.
        unsafe { out.put_token(&verified) }
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_tokens_free(tokens: *const countermark_tokens) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_tokens::free(tokens) })
}
