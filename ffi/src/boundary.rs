//! The boundary: panic catching, pointer and length checks, output writing. Every export goes through these.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::result::countermark_result;

/// The largest single input the library reads (256 MiB). A larger length is refused before any byte is read, so a
/// wrong length cannot make the library read far past the caller's buffer: with `COUNTERMARK_RESULT_TOO_LARGE`
/// up to `SSIZE_MAX` bytes, and with `COUNTERMARK_RESULT_INVALID_PARAMETER` over it (no buffer is that long: the
/// length is wrong). Every format has a smaller limit of its own.
pub const COUNTERMARK_MAX_INPUT_LEN: usize = 256 * 1024 * 1024;

pub(crate) type FfiResult<T> = Result<T, countermark_result>;

/// Runs an export body: `Ok(())` becomes `COUNTERMARK_RESULT_OK`, an error its code, a panic
/// `COUNTERMARK_RESULT_PANIC`.
pub(crate) fn guard(f: impl FnOnce() -> FfiResult<()>) -> countermark_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => countermark_result::Ok,
        Ok(Err(code)) => code,
        Err(_) => countermark_result::Panic,
    }
}

/// Runs an infallible export body, returning `default` if it panics.
pub(crate) fn guard_value<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// An input byte string: `(NULL, 0)` is empty, `(NULL, n > 0)` is a NULL parameter.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay valid and unmodified for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(countermark_result::NullParameter)
        };
    }
    check_len(len, 1)?;
    // SAFETY: non-NULL, len bounded (so <= isize::MAX), validity guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The size check of every input of `n` items of `size` bytes: over `SSIZE_MAX` bytes no buffer can have, so the
/// caller passed a wrong length (`INVALID_PARAMETER`, a usage error); over [`COUNTERMARK_MAX_INPUT_LEN`] bytes it
/// is more than the library reads (`TOO_LARGE`).
pub(crate) fn check_len(n: usize, size: usize) -> FfiResult<()> {
    let size = size.max(1);
    if n > isize::MAX as usize / size {
        return Err(countermark_result::InvalidParameter);
    }
    if n > COUNTERMARK_MAX_INPUT_LEN / size {
        return Err(countermark_result::TooLarge);
    }
    Ok(())
}

/// An input text: as [`bytes`], then UTF-8.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize) -> FfiResult<&'a str> {
    // SAFETY: forwarded to the caller.
    let b = unsafe { bytes(ptr, len) }?;
    std::str::from_utf8(b).map_err(|_| countermark_result::InvalidUtf8)
}

/// An optional input text: `(NULL, 0)` and `(ptr, 0)` are `None`.
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_text<'a>(ptr: *const u8, len: usize) -> FfiResult<Option<&'a str>> {
    // SAFETY: forwarded to the caller.
    let t = unsafe { text(ptr, len) }?;
    Ok(if t.is_empty() { None } else { Some(t) })
}

/// An array of `n` items: `(NULL, 0)` is empty.
///
/// # Safety
/// A non-NULL `ptr` must point to `n` initialised items valid for `'a`.
pub(crate) unsafe fn array<'a, T>(ptr: *const T, n: usize) -> FfiResult<&'a [T]> {
    if ptr.is_null() {
        return if n == 0 {
            Ok(&[])
        } else {
            Err(countermark_result::NullParameter)
        };
    }
    check_len(n, std::mem::size_of::<T>())?;
    // SAFETY: non-NULL, bounded, validity guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// Checks an output pointer. Writing through it happens only once the whole call has succeeded.
pub(crate) fn out_ptr<T>(out: *mut T) -> FfiResult<*mut T> {
    if out.is_null() {
        Err(countermark_result::NullParameter)
    } else {
        Ok(out)
    }
}

/// Writes a value through a checked output pointer.
///
/// # Safety
/// `out` came from [`out_ptr`] and points to writable memory for one `T` (any previous value is overwritten,
/// not dropped).
pub(crate) unsafe fn write<T>(out: *mut T, value: T) {
    // SAFETY: guaranteed by the caller.
    unsafe { out.write(value) }
}

/// Copies `src` into a caller buffer of capacity `cap`, reporting the length through `out_n`; on a short buffer
/// nothing is copied and `*out_n` is the size needed.
///
/// # Safety
/// `buf` points to `cap` writable bytes (or is NULL with `cap == 0`); `out_n` was checked by [`out_ptr`].
pub(crate) unsafe fn copy_out(
    src: &[u8],
    buf: *mut u8,
    cap: usize,
    out_n: *mut usize,
) -> FfiResult<()> {
    if src.len() > cap {
        // SAFETY: out_n is valid per the caller.
        unsafe { out_n.write(src.len()) };
        return Err(countermark_result::InsufficientSize);
    }
    if !src.is_empty() {
        if buf.is_null() {
            return Err(countermark_result::NullParameter);
        }
        // SAFETY: buf holds cap >= src.len() writable bytes that cannot overlap our own data.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), buf, src.len()) };
    }
    // SAFETY: out_n is valid per the caller.
    unsafe { out_n.write(src.len()) };
    Ok(())
}

/// Maps a core error to its result code.
pub(crate) fn core<T>(r: cm::Result<T>) -> FfiResult<T> {
    r.map_err(countermark_result::from)
}
