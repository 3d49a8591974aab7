//! Byte views in, owned bytes out, and the header lines a signer produced.

use crate::boundary::{bytes, guard, guard_value, out_ptr, text, write, FfiResult};
use crate::handle::BoxHandle;
use crate::result::countermark_result;

/// A borrowed byte string: `len` bytes at `data`. As an input, `{NULL, 0}` is the empty string. As an output it
/// is not NUL-terminated and points into what it came from: a `countermark_claims` handle (valid until that
/// handle is freed) or, in a `countermark_verified`, the buffer passed to the call (valid while that buffer is).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct countermark_str {
    /// The first byte (may be NULL when `len` is 0).
    pub data: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl countermark_str {
    fn of(s: &str) -> Self {
        countermark_str {
            data: s.as_ptr(),
            len: s.len(),
        }
    }

    /// # Safety
    /// As [`crate::boundary::bytes`].
    pub(crate) unsafe fn text<'a>(self) -> FfiResult<&'a str> {
        // SAFETY: forwarded.
        unsafe { text(self.data, self.len) }
    }
}

/// A name and a value (a header line, a query parameter), both borrowed byte strings.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct countermark_pair {
    /// The name.
    pub name: countermark_str,
    /// The value.
    pub value: countermark_str,
}

/// Reads an array of text views.
///
/// # Safety
/// `items` is NULL with `n == 0`, or points to `n` views whose bytes are valid for the call.
pub(crate) unsafe fn texts<'a>(items: *const countermark_str, n: usize) -> FfiResult<Vec<&'a str>> {
    // SAFETY: forwarded.
    let items = unsafe { crate::boundary::array(items, n) }?;
    // SAFETY: each view is valid per the caller.
    items.iter().map(|s| unsafe { s.text() }).collect()
}

/// Reads an array of text pairs.
///
/// # Safety
/// As [`texts`].
pub(crate) unsafe fn pairs<'a>(
    items: *const countermark_pair,
    n: usize,
) -> FfiResult<Vec<(&'a str, &'a str)>> {
    // SAFETY: forwarded.
    let items = unsafe { crate::boundary::array(items, n) }?;
    items
        .iter()
        // SAFETY: each view is valid per the caller.
        .map(|p| unsafe { Ok((p.name.text()?, p.value.text()?)) })
        .collect()
}

/// Bytes the library allocated and the caller owns: `len` bytes at `data`, followed by a NUL byte that is not
/// counted (so text can be printed directly). Release with `countermark_bytes_free`, never with `free()`.
#[repr(C)]
#[derive(Debug)]
pub struct countermark_bytes {
    /// The first byte; NULL only in an empty or freed value.
    pub data: *mut u8,
    /// The number of bytes, not counting the trailing NUL.
    pub len: usize,
}

impl countermark_bytes {
    pub(crate) fn from_vec(mut v: Vec<u8>) -> Self {
        v.push(0);
        let len = v.len() - 1;
        let boxed: Box<[u8]> = v.into_boxed_slice();
        countermark_bytes {
            data: Box::into_raw(boxed).cast::<u8>(),
            len,
        }
    }

    pub(crate) fn from_string(s: String) -> Self {
        Self::from_vec(s.into_bytes())
    }
}

/// Wipes (overwrites with zeros) and frees bytes returned by the library, then sets `*bytes` to `{NULL, 0}`.
/// NULL, and a value already freed or zero-initialised, are ignored, so freeing twice through the same struct is
/// harmless. Thread-safe for distinct values.
#[no_mangle]
pub unsafe extern "C" fn countermark_bytes_free(bytes: *mut countermark_bytes) {
    guard_value((), || {
        if bytes.is_null() {
            return;
        }
        // SAFETY: the caller passes a countermark_bytes it received from this library (or a zeroed one).
        let b = unsafe { &mut *bytes };
        if !b.data.is_null() {
            let slice = std::ptr::slice_from_raw_parts_mut(b.data, b.len + 1);
            // SAFETY: data/len+1 came from Box<[u8]>::into_raw in from_vec, exactly that length.
            let mut boxed = unsafe { Box::from_raw(slice) };
            zeroize::Zeroize::zeroize(&mut *boxed);
            drop(boxed);
        }
        b.data = std::ptr::null_mut();
        b.len = 0;
    })
}

/// What a signer produced: an ordered list of (name, value) text pairs, mostly the header lines to add to the
/// request as sent (named as on the wire, e.g. `Authorization`, `Signature-Input`), then values such as
/// `signature`. Each signer documents its names. (Parse and verify results are `countermark_verified`.) Owned by
/// the caller, freed with `countermark_claims_free`; never modified after it is returned, so several threads may
/// read it at once.
pub struct countermark_claims {
    _private: [u8; 0],
}

/// The Rust side of `countermark_claims`.
#[derive(Debug, Default)]
pub(crate) struct Claims(Vec<(String, String)>);

impl Claims {
    pub(crate) fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    pub(crate) fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.push(name, value);
        self
    }

    /// Writes the claims to `out` as a new handle.
    ///
    /// # Safety
    /// `out` was checked with [`out_ptr`].
    pub(crate) unsafe fn write_to(self, out: *mut *mut countermark_claims) {
        // SAFETY: per the caller.
        unsafe { write(out, countermark_claims::into_ptr(self)) }
    }
}

impl BoxHandle for countermark_claims {
    type Rust = Claims;
}

/// The number of claims; 0 for NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_claims_count(claims: *const countermark_claims) -> usize {
    guard_value(0, || {
        // SAFETY: NULL or a live handle per the contract.
        unsafe { countermark_claims::get(claims) }.map_or(0, |c| c.0.len())
    })
}

/// The value of the first claim called `name` (`name`, `name_len`), written to `*out_value`: a view into
/// `claims`, valid until it is freed. `COUNTERMARK_RESULT_NOT_FOUND` when there is none. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_claims_get(
    claims: *const countermark_claims,
    name: *const u8,
    name_len: usize,
    out_value: *mut countermark_str,
) -> countermark_result {
    guard(|| {
        let out_value = out_ptr(out_value)?;
        // SAFETY: per the contract.
        let claims = unsafe { countermark_claims::get(claims) }?;
        // SAFETY: per the contract.
        let name = unsafe { bytes(name, name_len) }?;
        let (_, v) = claims
            .0
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .ok_or(countermark_result::NotFound)?;
        // SAFETY: checked above.
        unsafe { write(out_value, countermark_str::of(v)) };
        Ok(())
    })
}

/// The claim at `index` (0-based, below `countermark_claims_count`): its name and value as views into `claims`,
/// valid until it is freed. `COUNTERMARK_RESULT_INVALID_PARAMETER` for an index past the end. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_claims_at(
    claims: *const countermark_claims,
    index: usize,
    out_name: *mut countermark_str,
    out_value: *mut countermark_str,
) -> countermark_result {
    guard(|| {
        let out_name = out_ptr(out_name)?;
        let out_value = out_ptr(out_value)?;
        // SAFETY: per the contract.
        let claims = unsafe { countermark_claims::get(claims) }?;
        let (n, v) = claims
            .0
            .get(index)
            .ok_or(countermark_result::InvalidParameter)?;
        // SAFETY: checked above.
        unsafe {
            write(out_name, countermark_str::of(n));
            write(out_value, countermark_str::of(v));
        }
        Ok(())
    })
}

/// Frees claims; NULL is ignored. The views taken from them become invalid.
#[no_mangle]
pub unsafe extern "C" fn countermark_claims_free(claims: *mut countermark_claims) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_claims::free(claims) })
}
