//! Result codes and their messages.

use std::ffi::{c_char, CStr};

use cm::ErrorKind;

use crate::boundary::{guard, guard_value, out_ptr};

/// The outcome of every fallible function. Codes are grouped in stable blocks and never renumbered:
/// 0 success; 1-99 misuse of the API (glue); 100-199 keys and algorithms; 200-299 input format; 300-399
/// verification; 400-499 shared state. Numbers outside the list are treated as
/// `COUNTERMARK_RESULT_INVALID_PARAMETER` by every function that takes a code.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum countermark_result {
    /// Success: the outputs were written.
    Ok = 0,
    /// A required pointer argument was NULL (or an input was `(NULL, n > 0)`).
    NullParameter = 1,
    /// An argument is out of its documented range (an unknown code, an index past the end, a length over
    /// `SSIZE_MAX`).
    InvalidParameter = 2,
    /// The caller's output buffer is too small; `*out_n` holds the size needed.
    InsufficientSize = 3,
    /// A text input is not valid UTF-8.
    InvalidUtf8 = 4,
    /// The builder was already consumed by its `_build` function (it must still be freed).
    BuilderConsumed = 5,
    /// The library hit an internal bug (a Rust panic was caught at the boundary). Please report it.
    Panic = 6,
    /// The looked-up item (a claim name, a key id) does not exist.
    NotFound = 7,
    /// The request carries no credential of this scheme: leave it to another authentication method.
    NoCredentials = 8,
    /// A key or secret was refused when it was built (length, encoding, type).
    InvalidKey = 100,
    /// The algorithm is unknown or not allowed for this key or operation.
    UnsupportedAlgorithm = 101,
    /// No key is known under the claimed key id (or the key was revoked or retired).
    UnknownKey = 102,
    /// The input cannot be parsed.
    Malformed = 200,
    /// The input is over a documented size limit.
    TooLarge = 201,
    /// An argument was refused when creating a credential (forbidden characters, a bad limit).
    InvalidValue = 202,
    /// The MAC or signature does not match.
    BadSignature = 300,
    /// The credential's time window lies in the past.
    Expired = 301,
    /// The credential's time window lies in the future (beyond the allowed clock skew).
    NotYetValid = 302,
    /// A single-use credential (nonce or signature) was presented again.
    Replayed = 303,
    /// A shared store (nonce store) could not answer; the credential was refused (fail closed).
    Unavailable = 400,
}

use countermark_result as R;

/// Every code, for tests and for the name/message tables.
pub(crate) const ALL: [R; 20] = [
    R::Ok,
    R::NullParameter,
    R::InvalidParameter,
    R::InsufficientSize,
    R::InvalidUtf8,
    R::BuilderConsumed,
    R::Panic,
    R::NotFound,
    R::NoCredentials,
    R::InvalidKey,
    R::UnsupportedAlgorithm,
    R::UnknownKey,
    R::Malformed,
    R::TooLarge,
    R::InvalidValue,
    R::BadSignature,
    R::Expired,
    R::NotYetValid,
    R::Replayed,
    R::Unavailable,
];

impl countermark_result {
    /// The code for a number, `None` for numbers that are not codes.
    pub(crate) fn from_u32(code: u32) -> Option<Self> {
        ALL.iter().copied().find(|r| *r as u32 == code)
    }

    /// The stable snake_case name: the core's `ErrorKind` names for the codes that mirror them.
    fn name(self) -> &'static CStr {
        match self {
            R::Ok => c"ok",
            R::NullParameter => c"null_parameter",
            R::InvalidParameter => c"invalid_parameter",
            R::InsufficientSize => c"insufficient_size",
            R::InvalidUtf8 => c"invalid_utf8",
            R::BuilderConsumed => c"builder_consumed",
            R::Panic => c"panic",
            R::NotFound => c"not_found",
            R::NoCredentials => c"no_credentials",
            R::InvalidKey => c"invalid_key",
            R::UnsupportedAlgorithm => c"unsupported_algorithm",
            R::UnknownKey => c"unknown_key",
            R::Malformed => c"malformed",
            R::TooLarge => c"too_large",
            R::InvalidValue => c"invalid_value",
            R::BadSignature => c"bad_signature",
            R::Expired => c"expired",
            R::NotYetValid => c"not_yet_valid",
            R::Replayed => c"replayed",
            R::Unavailable => c"unavailable",
        }
    }

    fn message(self) -> &'static str {
        match self {
            R::Ok => "success",
            R::NullParameter => "a required pointer argument was NULL",
            R::InvalidParameter => "an argument is out of its documented range",
            R::InsufficientSize => "the output buffer is too small",
            R::InvalidUtf8 => "a text argument is not valid UTF-8",
            R::BuilderConsumed => "the builder was already consumed by _build",
            R::Panic => "internal error in countermark (a caught panic); please report it",
            R::NotFound => "not found",
            R::NoCredentials => "the request carries no credential of this scheme",
            R::InvalidKey => "the key or secret was refused (length, encoding or type)",
            R::UnsupportedAlgorithm => "the algorithm is unknown or not allowed for this key",
            R::UnknownKey => "no key is known under the claimed key id",
            R::Malformed => "the input cannot be parsed",
            R::TooLarge => "the input is over a documented size limit",
            R::InvalidValue => "an argument was refused (forbidden characters or a bad limit)",
            R::BadSignature => "bad signature",
            R::Expired => "the credential has expired",
            R::NotYetValid => "the credential is not valid yet (its time lies in the future)",
            R::Replayed => "the credential was already used (replay)",
            R::Unavailable => "the nonce store could not answer; the credential was refused",
        }
    }
}

impl From<ErrorKind> for countermark_result {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Malformed => R::Malformed,
            ErrorKind::TooLarge => R::TooLarge,
            ErrorKind::Expired => R::Expired,
            ErrorKind::NotYetValid => R::NotYetValid,
            ErrorKind::BadSignature => R::BadSignature,
            ErrorKind::UnknownKey => R::UnknownKey,
            ErrorKind::Replayed => R::Replayed,
            ErrorKind::UnsupportedAlgorithm => R::UnsupportedAlgorithm,
            ErrorKind::InvalidKey => R::InvalidKey,
            ErrorKind::InvalidValue => R::InvalidValue,
            ErrorKind::Unavailable => R::Unavailable,
            // ErrorKind is non-exhaustive; a kind added to the core without a code here is caught by the test
            // `every_error_kind_has_its_own_code`.
            _ => R::InvalidValue,
        }
    }
}

impl From<cm::Error> for countermark_result {
    fn from(e: cm::Error) -> Self {
        e.kind().into()
    }
}

/// Writes the message of result `code` into `buf` as a NUL-terminated string.
///
/// `code` may be any number: one that is not a `countermark_result` gets the message of
/// `COUNTERMARK_RESULT_INVALID_PARAMETER` prefixed with "unknown result code: ". Messages are static English
/// text and never contain secrets.
///
/// On `COUNTERMARK_RESULT_OK`, `*out_n` is the message length without the NUL. When `len` is too small,
/// nothing is written to `buf`, `*out_n` is the size needed including the NUL, and the result is
/// `COUNTERMARK_RESULT_INSUFFICIENT_SIZE` (256 bytes is always enough). `buf` and `out_n` must not be NULL.
/// No allocation, no thread-local state: thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_error(
    code: u32,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out_n = out_ptr(out_n)?;
        if buf.is_null() {
            return Err(R::NullParameter);
        }
        let (prefix, msg) = match countermark_result::from_u32(code) {
            Some(r) => ("", r.message()),
            None => ("unknown result code: ", R::InvalidParameter.message()),
        };
        let needed = prefix.len() + msg.len() + 1;
        if len < needed {
            // SAFETY: out_n was checked non-NULL and the caller guarantees it points to a size_t.
            unsafe { out_n.write(needed) };
            return Err(R::InsufficientSize);
        }
        // SAFETY: buf is non-NULL and the caller guarantees it holds `len >= needed` writable bytes.
        let out = unsafe { std::slice::from_raw_parts_mut(buf, needed) };
        out[..prefix.len()].copy_from_slice(prefix.as_bytes());
        out[prefix.len()..needed - 1].copy_from_slice(msg.as_bytes());
        out[needed - 1] = 0;
        // SAFETY: as above.
        unsafe { out_n.write(needed - 1) };
        Ok(())
    })
}

/// The stable name of result `code` (`"bad_signature"`, the string the test vectors use), as a static
/// NUL-terminated string; `"unknown"` for a number that is not a code. Never NULL, never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn countermark_result_name(code: u32) -> *const c_char {
    guard_value(c"unknown".as_ptr(), || {
        countermark_result::from_u32(code).map_or(c"unknown".as_ptr(), |r| r.name().as_ptr())
    })
}

/// Whether `code` says a credential was refused (codes 100-499 except `COUNTERMARK_RESULT_INVALID_KEY` and
/// `COUNTERMARK_RESULT_INVALID_VALUE`, which describe the caller's own arguments): answer such requests with 401.
/// False for success, misuse codes and unknown numbers. Thread-safe.
#[no_mangle]
pub extern "C" fn countermark_result_is_verification_error(code: u32) -> bool {
    guard_value(false, || {
        matches!(
            countermark_result::from_u32(code),
            Some(
                R::UnsupportedAlgorithm
                    | R::UnknownKey
                    | R::Malformed
                    | R::TooLarge
                    | R::BadSignature
                    | R::Expired
                    | R::NotYetValid
                    | R::Replayed
                    | R::Unavailable
            )
        )
    })
}

/// Whether `code` says the API was misused: `NULL_PARAMETER`, `INVALID_PARAMETER`, `INSUFFICIENT_SIZE`,
/// `INVALID_UTF8`, `BUILDER_CONSUMED` and `PANIC` (codes 1-6), a bug in the caller or the library, not a bad
/// credential. `NOT_FOUND` and `NO_CREDENTIALS` (7 and 8) are in the glue block but are answers, not misuse: false
/// for them, for `OK` and for unknown codes. Thread-safe.
#[no_mangle]
pub extern "C" fn countermark_result_is_usage_error(code: u32) -> bool {
    guard_value(false, || {
        countermark_result::from_u32(code).is_some_and(|r| {
            matches!(
                r,
                R::NullParameter
                    | R::InvalidParameter
                    | R::InsufficientSize
                    | R::InvalidUtf8
                    | R::BuilderConsumed
                    | R::Panic
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_kind_has_its_own_code() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = countermark_result::from(kind);
            assert!(code as u32 >= 100, "{kind} maps to a glue code");
            assert_eq!(code.name().to_str().unwrap(), kind.as_str());
            assert!(seen.insert(code as u32), "{kind} shares a code");
        }
    }

    #[test]
    fn codes_round_trip_and_have_messages() {
        for r in ALL {
            assert_eq!(countermark_result::from_u32(r as u32), Some(r));
            assert!(!r.message().is_empty());
        }
        assert_eq!(countermark_result::from_u32(99), None);
    }
}
