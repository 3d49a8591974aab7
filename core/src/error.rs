//! One error type for the whole crate.
//!
//! Every failure carries a stable [`ErrorKind`] (what bindings map to result codes and exception classes) and a
//! human-readable message. Messages describe *what* was wrong with the input (a length, a part count, a field
//! index) and never contain secret material: no key bytes, no expected signatures.

use std::borrow::Cow;
use std::fmt;

/// The stable category of an [`Error`].
///
/// Bindings map each kind to one C result code, one Go sentinel and one Python exception class, so the set only
/// grows; variants are never renamed or renumbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input cannot be parsed: too few parts, a bad number, a bad encoding.
    Malformed,
    /// The input is over a documented size limit (it is rejected before it is parsed further).
    TooLarge,
    /// The credential's time window lies in the past.
    Expired,
    /// The credential's time window lies in the future (beyond the allowed clock skew).
    NotYetValid,
    /// The MAC or signature does not match (tampering, wrong key, wrong algorithm).
    BadSignature,
    /// No key is known under the claimed key id.
    UnknownKey,
    /// A single-use credential was presented a second time.
    Replayed,
    /// The algorithm is not allowed here (unknown, not allowed for this key, or not usable for this operation).
    UnsupportedAlgorithm,
    /// A key or secret was refused when it was built (length, encoding).
    InvalidKey,
    /// An argument was refused when creating a credential (a field with forbidden characters, a bad limit).
    InvalidValue,
    /// A shared store (nonce store) could not answer: full, unreachable or failing. The credential was refused
    /// (fail closed); retrying later may succeed.
    Unavailable,
}

impl ErrorKind {
    /// A short, stable, snake_case name (`"bad_signature"`), the same string the test vectors use in `expect`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::UnknownKey => "unknown_key",
            ErrorKind::Replayed => "replayed",
            ErrorKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::InvalidValue => "invalid_value",
            ErrorKind::Unavailable => "unavailable",
        }
    }

    /// Every kind, in declaration order (for exhaustive tests in the bindings).
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Malformed,
        ErrorKind::TooLarge,
        ErrorKind::Expired,
        ErrorKind::NotYetValid,
        ErrorKind::BadSignature,
        ErrorKind::UnknownKey,
        ErrorKind::Replayed,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::InvalidKey,
        ErrorKind::InvalidValue,
        ErrorKind::Unavailable,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error: a stable [`ErrorKind`] plus a message that never holds secret material.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: Cow<'static, str>,
}

impl Error {
    /// Builds an error. For implementations of this crate's extension traits (a
    /// [`NonceStore`](crate::replay::NonceStore) kept by a host framework's cache, say): the message must
    /// name sizes, positions and causes, never secret material or credentials.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The stable category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The human-readable message (without the kind prefix that `Display` adds).
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn malformed(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::Malformed, message)
    }

    pub(crate) fn bad_signature() -> Self {
        Error::new(ErrorKind::BadSignature, "bad signature")
    }

    pub(crate) fn invalid_value(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorKind::InvalidValue, message)
    }

    /// [`ErrorKind::TooLarge`]: "`what` is over the limit of `limit`".
    pub(crate) fn too_large(what: &str, limit: usize) -> Self {
        Error::new(
            ErrorKind::TooLarge,
            format!("{what} is over the limit of {limit}"),
        )
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.kind, self.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    /// `ErrorKind::ALL` is what every binding's test of its error mapping reads, so it must hold every kind once.
    /// The match below is exhaustive: a new kind does not compile until it gets a position here, and then this
    /// test fails until `ALL` holds it at that position.
    #[test]
    fn all_holds_every_kind_once_in_declaration_order() {
        fn position(kind: ErrorKind) -> usize {
            match kind {
                ErrorKind::Malformed => 0,
                ErrorKind::TooLarge => 1,
                ErrorKind::Expired => 2,
                ErrorKind::NotYetValid => 3,
                ErrorKind::BadSignature => 4,
                ErrorKind::UnknownKey => 5,
                ErrorKind::Replayed => 6,
                ErrorKind::UnsupportedAlgorithm => 7,
                ErrorKind::InvalidKey => 8,
                ErrorKind::InvalidValue => 9,
                ErrorKind::Unavailable => 10,
            }
        }
        const COUNT: usize = 11;
        assert_eq!(ErrorKind::ALL.len(), COUNT);
        for (i, kind) in ErrorKind::ALL.into_iter().enumerate() {
            assert_eq!(
                position(kind),
                i,
                "{kind} is out of place in ErrorKind::ALL"
            );
        }
        let names: std::collections::HashSet<&str> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), COUNT, "two kinds share a name");
    }
}
