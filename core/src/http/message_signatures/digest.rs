//! RFC 9530 `Content-Digest`: a Structured Field Dictionary of `algorithm=:base64(hash(content)):` members over
//! the raw body bytes as sent (no body is the same as an empty one).
//!
//! * [`content_digest`] writes the header value for one or more [`DigestAlgorithm`]s.
//! * [`verify_content_digest`] checks a received value: every member whose algorithm is known (`sha-256`,
//!   `sha-512`) must match the body; members of other algorithms (including the deprecated `md5`, `sha`, …) are
//!   ignored; at least one known member is required.
//!
//! | failure | [`ErrorKind`] |
//! |---|---|
//! | value over [`MAX_CONTENT_DIGEST_LEN`] bytes | [`ErrorKind::TooLarge`] |
//! | not a Structured Field Dictionary, or a known member that is not a Byte Sequence | [`ErrorKind::Malformed`] |
//! | no member of a known algorithm | [`ErrorKind::UnsupportedAlgorithm`] |
//! | a known member that does not match the body | [`ErrorKind::BadSignature`] (the body was altered) |
//!
//! ```
//! use countermark::http::message_signatures::{content_digest, verify_content_digest, DigestAlgorithm};
//! use countermark::ErrorKind;
//!
//! let body = br#"{"hello": "world"}"#;
//! let value = content_digest(body, &[DigestAlgorithm::Sha256])?;
//! assert_eq!(value, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
//! assert_eq!(verify_content_digest(&value, body)?, [DigestAlgorithm::Sha256]);
//! let err = verify_content_digest(&value, br#"{"hello": "World"}"#).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::BadSignature);
//! # Ok::<(), countermark::Error>(())
//! ```

use std::fmt;
use std::str::FromStr;

use std::convert::Infallible;

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
};
use sfv::{BareItemFromInput, DictSerializer, KeyRef, Parser};
use sha2::Digest as _;

use crate::error::{Error, ErrorKind, Result};

/// Longest `Content-Digest` value [`verify_content_digest`] reads, in bytes.
pub const MAX_CONTENT_DIGEST_LEN: usize = 4096;

/// A `Content-Digest` algorithm (RFC 9530's "standard" ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (`sha-256`).
    Sha256,
    /// SHA-512 (`sha-512`).
    Sha512,
}

impl DigestAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [DigestAlgorithm; 2] = [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512];

    /// The registry name (`"sha-256"`).
    pub const fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha-256",
            DigestAlgorithm::Sha512 => "sha-512",
        }
    }

    fn key(self) -> &'static KeyRef {
        const SHA256: &KeyRef = KeyRef::constant("sha-256");
        const SHA512: &KeyRef = KeyRef::constant("sha-512");
        match self {
            DigestAlgorithm::Sha256 => SHA256,
            DigestAlgorithm::Sha512 => SHA512,
        }
    }

    /// Whether `received` is the digest of `content` (compared in constant time; computed on the stack).
    fn matches(self, content: &[u8], received: &[u8]) -> bool {
        match self {
            DigestAlgorithm::Sha256 => {
                crate::encoding::ct_eq(&sha2::Sha256::digest(content), received)
            }
            DigestAlgorithm::Sha512 => {
                crate::encoding::ct_eq(&sha2::Sha512::digest(content), received)
            }
        }
    }

    /// The digest of `content`.
    pub fn digest(self, content: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(content).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(content).to_vec(),
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DigestAlgorithm {
    type Err = Error;

    /// Parses a registry name exactly (`sha-256`, `sha-512`).
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "unsupported digest algorithm {:?}; expected sha-256 or sha-512",
                        crate::encoding::clip(s, 32)
                    ),
                )
            })
    }
}

/// The `Content-Digest` value of `content` with one member per algorithm, in the order given
/// (`sha-256=:…:, sha-512=:…:`).
///
/// # Errors
/// [`ErrorKind::InvalidValue`] when `algs` is empty or names an algorithm twice.
pub fn content_digest(content: &[u8], algs: &[DigestAlgorithm]) -> Result<String> {
    let mut ser = DictSerializer::new();
    for (i, alg) in algs.iter().enumerate() {
        if algs[..i].contains(alg) {
            return Err(Error::invalid_value(format!(
                "digest algorithm {alg} is listed twice"
            )));
        }
        let digest = alg.digest(content);
        let _ = ser.bare_item(alg.key(), &digest[..]);
    }
    ser.finish()
        .ok_or_else(|| Error::invalid_value("at least one digest algorithm is needed"))
}

/// Checks a received `Content-Digest` value against `content` (the raw body bytes) and returns the algorithms
/// that were checked, in the order of the header. Every member of a known algorithm must match; members of other
/// algorithms (including the deprecated `md5` and `sha`) are ignored; at least one known member is required.
///
/// # Errors
/// | failure | kind |
/// |---|---|
/// | value over [`MAX_CONTENT_DIGEST_LEN`] bytes | [`ErrorKind::TooLarge`] |
/// | not a Structured Field Dictionary, or a known member that is not a Byte Sequence | [`ErrorKind::Malformed`] |
/// | no member of a known algorithm | [`ErrorKind::UnsupportedAlgorithm`] |
/// | a known member that does not match the body (the body was altered) | [`ErrorKind::BadSignature`] |
pub fn verify_content_digest(value: &str, content: &[u8]) -> Result<Vec<DigestAlgorithm>> {
    Ok(checked_members(value, content)?.collect())
}

/// [`verify_content_digest`] without the list of algorithms (what a verification needs; nothing allocated but
/// the decoded digests sfv hands over).
pub(crate) fn check_content_digest(value: &str, content: &[u8]) -> Result<()> {
    checked_members(value, content).map(|_| ())
}

/// The known members of a `Content-Digest` value as RFC 9651 reads a dictionary (a repeated key keeps its first
/// position and its last value): for each algorithm, its position and whether its value was a byte sequence.
#[derive(Default)]
struct KnownMembers {
    // Indexed like `DigestAlgorithm::ALL`.
    members: [Option<(usize, Option<Vec<u8>>)>; 2],
    seen: usize,
}

impl<'de> DictionaryVisitor<'de> for &mut KnownMembers {
    type Out = ();
    type Error = Infallible;

    fn entry(
        &mut self,
        key: &'de KeyRef,
    ) -> std::result::Result<impl EntryVisitor<'de>, Self::Error> {
        let index = DigestAlgorithm::ALL.iter().position(|a| a.key() == key);
        let slot = index.map(|i| {
            let position = self.seen;
            self.seen += 1;
            let slot = &mut self.members[i];
            // A repeated key keeps its first position; its value is replaced below.
            let first = slot.as_ref().map_or(position, |(p, _)| *p);
            *slot = Some((first, None));
            slot
        });
        Ok(slot.map(MemberSlot))
    }

    fn finish(self) -> std::result::Result<(), Self::Error> {
        Ok(())
    }
}

struct MemberSlot<'a>(&'a mut Option<(usize, Option<Vec<u8>>)>);

impl<'de> EntryVisitor<'de> for MemberSlot<'_> {
    type Error = Infallible;

    fn item(self) -> std::result::Result<impl ItemVisitor<'de>, Self::Error> {
        Ok(self)
    }

    fn inner_list(self) -> std::result::Result<impl InnerListVisitor<'de>, Self::Error> {
        // Left as "not a byte sequence".
        Ok(Ignored)
    }
}

impl<'de> ItemVisitor<'de> for MemberSlot<'_> {
    type Out = ();
    type Error = Infallible;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> std::result::Result<impl ParameterVisitor<'de, Out = ()>, Self::Error> {
        if let (Some((_, value)), BareItemFromInput::ByteSequence(bytes)) = (self.0, bare_item) {
            *value = Some(bytes);
        }
        Ok(Ignored)
    }
}

/// Checks every known member of `value` against `content`, in the header's order, and returns the algorithms
/// checked.
fn checked_members(value: &str, content: &[u8]) -> Result<impl Iterator<Item = DigestAlgorithm>> {
    if value.len() > MAX_CONTENT_DIGEST_LEN {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("Content-Digest is over the limit of {MAX_CONTENT_DIGEST_LEN} bytes"),
        ));
    }
    let mut known = KnownMembers::default();
    Parser::new(value)
        .parse_dictionary_with_visitor(&mut known)
        .map_err(|_| Error::malformed("Content-Digest is not a structured field dictionary"))?;
    let mut order: [(usize, DigestAlgorithm); 2] = [
        (usize::MAX, DigestAlgorithm::Sha256),
        (usize::MAX, DigestAlgorithm::Sha512),
    ];
    for (i, member) in known.members.iter().enumerate() {
        if let Some((position, _)) = member {
            order[i].0 = *position;
        }
    }
    order.sort_by_key(|(position, _)| *position);
    let mut checked = [None; 2];
    for (n, (position, alg)) in order.into_iter().enumerate() {
        if position == usize::MAX {
            break;
        }
        let i = DigestAlgorithm::ALL
            .iter()
            .position(|a| *a == alg)
            .unwrap_or_default();
        let received = known.members[i]
            .as_ref()
            .and_then(|(_, v)| v.as_deref())
            .ok_or_else(|| {
                Error::malformed(format!(
                    "the Content-Digest member {alg} is not a byte sequence"
                ))
            })?;
        if !alg.matches(content, received) {
            return Err(Error::new(
                ErrorKind::BadSignature,
                format!("the body does not match its Content-Digest ({alg})"),
            ));
        }
        checked[n] = Some(alg);
    }
    if checked[0].is_none() {
        return Err(Error::new(
            ErrorKind::UnsupportedAlgorithm,
            "Content-Digest has no member of a supported algorithm (sha-256, sha-512)",
        ));
    }
    Ok(checked.into_iter().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_algorithms_and_order() {
        let v = content_digest(b"", &[DigestAlgorithm::Sha512, DigestAlgorithm::Sha256]).unwrap();
        assert!(v.starts_with("sha-512=:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==:, sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"));
        assert_eq!(
            verify_content_digest(&v, b"").unwrap(),
            [DigestAlgorithm::Sha512, DigestAlgorithm::Sha256]
        );
        assert_eq!(
            verify_content_digest(&v, b"x").unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        assert_eq!(
            content_digest(b"", &[]).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            content_digest(b"", &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha256])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn every_known_member_must_match_and_unknown_ones_are_ignored() {
        let good = content_digest(b"x", &[DigestAlgorithm::Sha256]).unwrap();
        let bad512 = content_digest(b"y", &[DigestAlgorithm::Sha512]).unwrap();
        let both = format!("{good}, {bad512}");
        assert_eq!(
            verify_content_digest(&both, b"x").unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        let with_unknown = format!("md5=:AAAA:, unixsum=1, {good}, sha-999=(a b)");
        assert_eq!(
            verify_content_digest(&with_unknown, b"x").unwrap(),
            [DigestAlgorithm::Sha256]
        );
        for (value, kind) in [
            ("", ErrorKind::UnsupportedAlgorithm),
            ("md5=:AAAA:", ErrorKind::UnsupportedAlgorithm),
            ("SHA-256=:AAAA:", ErrorKind::Malformed),
            ("sha-256=AAAA", ErrorKind::Malformed),
            ("sha-256=\"AAAA\"", ErrorKind::Malformed),
            ("sha-256=(:AAAA:)", ErrorKind::Malformed),
            ("sha-256=:AAAA:", ErrorKind::BadSignature),
            ("sha-256=:!!:", ErrorKind::Malformed),
            (",", ErrorKind::Malformed),
        ] {
            assert_eq!(
                verify_content_digest(value, b"x").unwrap_err().kind(),
                kind,
                "{value:?}"
            );
        }
        let huge = "a".repeat(MAX_CONTENT_DIGEST_LEN + 1);
        assert_eq!(
            verify_content_digest(&huge, b"x").unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}
