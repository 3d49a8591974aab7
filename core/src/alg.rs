//! Algorithms.
//!
//! [`Algorithm`] names every MAC and signature algorithm countermark knows. Keys are bound to one algorithm when
//! they are built, so a verifier never takes the algorithm from the message it is checking.
//!
//! | algorithm | name | use |
//! |---|---|---|
//! | HMAC-MD5 | `hmac-md5` | **legacy**: ska's `HMACMD5Signature` only, to validate links made with it. Never a default: a key is HMAC-MD5 only when its caller names `md5`. MD5 is broken for collisions; do not sign new links with it |
//! | HMAC-SHA1 | `hmac-sha1` | **legacy**: ska's default and FOST only. SHA-1 is broken for collisions; HMAC-SHA1 is still unforged, but new deployments should not pick it |
//! | HMAC-SHA224 | `hmac-sha224` | ska's `HMACSHA224Signature` |
//! | HMAC-SHA256 | `hmac-sha256` | **the default** everywhere |
//! | HMAC-SHA384 | `hmac-sha384` | |
//! | HMAC-SHA512 | `hmac-sha512` | |
//! | HMAC-BLAKE2s-256 | `hmac-blake2s` | handshake tokens made with `hashfunc=hashlib.blake2s` (RFC 2104 HMAC, 64-byte block) |
//! | HMAC-BLAKE2b-512 | `hmac-blake2b` | handshake tokens made with `hashfunc=hashlib.blake2b` (RFC 2104 HMAC, 128-byte block) |

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// A MAC or signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-MD5. Legacy: kept only to validate (and, when named explicitly, sign) ska `HMACMD5Signature` links.
    HmacMd5,
    /// HMAC-SHA1. Legacy: kept only for byte compatibility with ska and FOST.
    HmacSha1,
    /// HMAC-SHA224.
    HmacSha224,
    /// HMAC-SHA256, the default.
    #[default]
    HmacSha256,
    /// HMAC-SHA384.
    HmacSha384,
    /// HMAC-SHA512.
    HmacSha512,
    /// HMAC over BLAKE2s-256 (Python's `hmac.new(key, msg, hashlib.blake2s)`).
    HmacBlake2s,
    /// HMAC over BLAKE2b-512 (Python's `hmac.new(key, msg, hashlib.blake2b)`).
    HmacBlake2b,
}

impl Algorithm {
    /// Every HMAC algorithm, in declaration order.
    pub const HMAC: [Algorithm; 8] = [
        Algorithm::HmacMd5,
        Algorithm::HmacSha1,
        Algorithm::HmacSha224,
        Algorithm::HmacSha256,
        Algorithm::HmacSha384,
        Algorithm::HmacSha512,
        Algorithm::HmacBlake2s,
        Algorithm::HmacBlake2b,
    ];

    /// The canonical lower-case name (`"hmac-sha256"`).
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "hmac-md5",
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha224 => "hmac-sha224",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha384 => "hmac-sha384",
            Algorithm::HmacSha512 => "hmac-sha512",
            Algorithm::HmacBlake2s => "hmac-blake2s",
            Algorithm::HmacBlake2b => "hmac-blake2b",
        }
    }

    /// The name of the underlying hash as Python's `hashlib` spells it (`"sha256"`, `"blake2s"`).
    pub const fn hash_name(self) -> &'static str {
        match self {
            Algorithm::HmacMd5 => "md5",
            Algorithm::HmacSha1 => "sha1",
            Algorithm::HmacSha224 => "sha224",
            Algorithm::HmacSha256 => "sha256",
            Algorithm::HmacSha384 => "sha384",
            Algorithm::HmacSha512 => "sha512",
            Algorithm::HmacBlake2s => "blake2s",
            Algorithm::HmacBlake2b => "blake2b",
        }
    }

    /// Whether the algorithm exists only for compatibility with a legacy wire format.
    pub const fn is_legacy(self) -> bool {
        matches!(self, Algorithm::HmacMd5 | Algorithm::HmacSha1)
    }

    /// Lower-case hex of the plain hash (no key) of `data`, as Python's `hashlib.<name>(data).hexdigest()`.
    pub(crate) fn hash_hex(self, data: &[u8]) -> String {
        use sha2::Digest as _;
        let hex = crate::encoding::hex_lower;
        match self {
            Algorithm::HmacMd5 => hex(&md5::Md5::digest(data)),
            Algorithm::HmacSha1 => hex(&sha1::Sha1::digest(data)),
            Algorithm::HmacSha224 => hex(&sha2::Sha224::digest(data)),
            Algorithm::HmacSha256 => hex(&sha2::Sha256::digest(data)),
            Algorithm::HmacSha384 => hex(&sha2::Sha384::digest(data)),
            Algorithm::HmacSha512 => hex(&sha2::Sha512::digest(data)),
            Algorithm::HmacBlake2s => hex(&blake2::Blake2s256::digest(data)),
            Algorithm::HmacBlake2b => hex(&blake2::Blake2b512::digest(data)),
        }
    }

    /// Length in bytes of the MAC (the digest size of the hash).
    pub const fn output_len(self) -> usize {
        match self {
            Algorithm::HmacMd5 => 16,
            Algorithm::HmacSha1 => 20,
            Algorithm::HmacSha224 => 28,
            Algorithm::HmacSha256 | Algorithm::HmacBlake2s => 32,
            Algorithm::HmacSha384 => 48,
            Algorithm::HmacSha512 | Algorithm::HmacBlake2b => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Algorithm {
    /// The algorithm whose underlying hash Python's `hashlib` names `name` (`md5`, `sha1`, `sha224`, `sha256`,
    /// `sha384`, `sha512`, `blake2s`, `blake2b`; exact, lower case).
    ///
    /// Only for the compatibility layers that honour a reference library's own argument (handshake's
    /// `hashfunc=hashlib.sha256`, ska's `HMACSHA256Signature`); every other API takes the one spelling,
    /// [`Algorithm::name`], through [`FromStr`].
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for any other name.
    pub fn from_hash_name(name: &str) -> Result<Self> {
        Self::HMAC
            .into_iter()
            .find(|a| a.hash_name() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "unknown hash {:?}; expected one of md5 (legacy), sha1, sha224, sha256, sha384, sha512, \
                         blake2s, blake2b",
                        crate::encoding::clip(name, 40)
                    ),
                )
            })
    }
}

/// The accepted spellings of [`Algorithm`], for error messages.
const ALGORITHM_NAMES: &str =
    "hmac-md5 (legacy), hmac-sha1 (legacy), hmac-sha224, hmac-sha256, hmac-sha384, \
                               hmac-sha512, hmac-blake2s, hmac-blake2b";

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses the one spelling, [`Algorithm::name`], exactly (`hmac-sha256`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for another spelling of a known algorithm (`sha256`, `HMAC-SHA256`,
    /// `hmac-sha-256`), naming the accepted one; [`ErrorKind::UnsupportedAlgorithm`] for an unknown algorithm,
    /// naming every accepted spelling.
    fn from_str(s: &str) -> Result<Self> {
        if let Some(alg) = Self::HMAC.into_iter().find(|a| a.name() == s) {
            return Ok(alg);
        }
        let lower = s.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("hmac-").unwrap_or(&lower);
        let bare = bare.replace("sha-", "sha");
        let bare = match bare.as_str() {
            "blake2s256" | "blake2s-256" => "blake2s",
            "blake2b512" | "blake2b-512" => "blake2b",
            other => other,
        };
        let shown = crate::encoding::clip(s, 40);
        match Self::HMAC.into_iter().find(|a| a.hash_name() == bare) {
            Some(alg) => Err(Error::invalid_value(format!(
                "algorithm {shown:?} is spelled {:?}",
                alg.name()
            ))),
            None => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("unknown algorithm {shown:?}; expected one of {ALGORITHM_NAMES}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Algorithm::HMAC {
            assert_eq!(alg.name().parse::<Algorithm>().unwrap(), alg);
            assert_eq!(Algorithm::from_hash_name(alg.hash_name()).unwrap(), alg);
            assert_eq!(alg.to_string(), alg.name());
        }
    }

    /// One spelling: every other spelling of a known algorithm is refused, naming the accepted one.
    #[test]
    fn other_spellings_are_refused_naming_the_one_spelling() {
        for (other, alg) in [
            ("sha256", Algorithm::HmacSha256),
            ("HMAC-SHA256", Algorithm::HmacSha256),
            ("hmac-sha-512", Algorithm::HmacSha512),
            ("HMAC-SHA-512", Algorithm::HmacSha512),
            (" hmac-sha1", Algorithm::HmacSha1),
            ("blake2b512", Algorithm::HmacBlake2b),
            ("md5", Algorithm::HmacMd5),
        ] {
            let err = other.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{other}");
            assert!(err.message().contains(alg.name()), "{other}: {err}");
        }
        // The hashlib names are accepted only through the compat constructor, and exactly.
        assert_eq!(
            Algorithm::from_hash_name("sha256").unwrap(),
            Algorithm::HmacSha256
        );
        for bad in ["hmac-sha256", "SHA256", "sha-256", "md4"] {
            assert_eq!(
                Algorithm::from_hash_name(bad).unwrap_err().kind(),
                ErrorKind::UnsupportedAlgorithm,
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_names_are_typed_errors() {
        for bad in ["md4", "none", "", "hs256", "sha3-256"] {
            let err = bad.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm, "{bad}");
        }
    }
}

/// The family of an asymmetric key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// RSA, 2048 to 8192 bits.
    Rsa,
    /// ECDSA over NIST P-256.
    EcdsaP256,
}

impl KeyType {
    /// Lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::Rsa => "rsa",
            KeyType::EcdsaP256 => "ecdsa-p256",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KeyType {
    type Err = Error;

    /// Reads a [`KeyType::name`] exactly (`ed25519`, `rsa`, `ecdsa-p256`).
    fn from_str(s: &str) -> Result<Self> {
        [KeyType::Ed25519, KeyType::Rsa, KeyType::EcdsaP256]
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                Error::invalid_value(format!(
                    "unknown key type {:?}; expected ed25519, rsa or ecdsa-p256",
                    crate::encoding::clip(s, 40)
                ))
            })
    }
}

/// An asymmetric signature algorithm. Each is bound to one [`KeyType`]: a key never signs or verifies under an
/// algorithm of another family.
///
/// | algorithm | RFC 9421 name | JWS name |
/// |---|---|---|
/// | Ed25519 | `ed25519` | `EdDSA` |
/// | RSASSA-PKCS1-v1_5 SHA-256 / 384 / 512 | `rsa-v1_5-sha256` (and `-sha384`, `-sha512`) | `RS256`, `RS384`, `RS512` |
/// | RSASSA-PSS SHA-512, MGF1-SHA-512, 64-byte salt | `rsa-pss-sha512` | `PS512` |
/// | ECDSA P-256 SHA-256, `r‖s` (64 bytes) | `ecdsa-p256-sha256` | `ES256` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// Ed25519.
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-512.
    RsaPssSha512,
    /// ECDSA P-256 with SHA-256, fixed-length `r‖s` signatures.
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// Every asymmetric algorithm.
    pub const ALL: [SignatureAlgorithm; 6] = [
        SignatureAlgorithm::Ed25519,
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPkcs1Sha384,
        SignatureAlgorithm::RsaPkcs1Sha512,
        SignatureAlgorithm::RsaPssSha512,
        SignatureAlgorithm::EcdsaP256Sha256,
    ];

    /// The RFC 9421 / HTTP Signature Algorithms registry name (`"rsa-v1_5-sha256"`).
    pub const fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ed25519 => "ed25519",
            SignatureAlgorithm::RsaPkcs1Sha256 => "rsa-v1_5-sha256",
            SignatureAlgorithm::RsaPkcs1Sha384 => "rsa-v1_5-sha384",
            SignatureAlgorithm::RsaPkcs1Sha512 => "rsa-v1_5-sha512",
            SignatureAlgorithm::RsaPssSha512 => "rsa-pss-sha512",
            SignatureAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        }
    }

    /// The JWS (RFC 7518 / 8037) name (`"RS512"`).
    pub const fn jws_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ed25519 => "EdDSA",
            SignatureAlgorithm::RsaPkcs1Sha256 => "RS256",
            SignatureAlgorithm::RsaPkcs1Sha384 => "RS384",
            SignatureAlgorithm::RsaPkcs1Sha512 => "RS512",
            SignatureAlgorithm::RsaPssSha512 => "PS512",
            SignatureAlgorithm::EcdsaP256Sha256 => "ES256",
        }
    }

    /// The algorithm with this JWS name (exact, case-sensitive as RFC 7515 requires).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// The key family this algorithm needs.
    pub const fn key_type(self) -> KeyType {
        match self {
            SignatureAlgorithm::Ed25519 => KeyType::Ed25519,
            SignatureAlgorithm::RsaPkcs1Sha256
            | SignatureAlgorithm::RsaPkcs1Sha384
            | SignatureAlgorithm::RsaPkcs1Sha512
            | SignatureAlgorithm::RsaPssSha512 => KeyType::Rsa,
            SignatureAlgorithm::EcdsaP256Sha256 => KeyType::EcdsaP256,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SignatureAlgorithm {
    type Err = Error;

    /// Parses the one spelling, [`SignatureAlgorithm::name`] (the RFC 9421 name: `ed25519`, `rsa-pss-sha512`, …),
    /// exactly.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for another spelling of a known algorithm (`ED25519`, the
    /// JWS name `EdDSA`), [`ErrorKind::UnsupportedAlgorithm`] for an unknown one.
    fn from_str(s: &str) -> Result<Self> {
        parse_name(
            s,
            "signature algorithm",
            &Self::ALL,
            |a| a.name(),
            |a| a.jws_name(),
        )
    }
}

/// Parses `s` as exactly one of `all`'s names (`name`). Another spelling of one of them (case aside, or its
/// `alias`, such as a JWS name) is [`ErrorKind::InvalidValue`] naming the one spelling; anything else is
/// [`ErrorKind::UnsupportedAlgorithm`] naming every accepted spelling. Shared by the algorithm enums' `FromStr`.
pub(crate) fn parse_name<T: Copy>(
    s: &str,
    what: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    alias: impl Fn(T) -> &'static str,
) -> Result<T> {
    if let Some(found) = all.iter().copied().find(|a| name(*a) == s) {
        return Ok(found);
    }
    let shown = crate::encoding::clip(s, 40);
    let trimmed = s.trim();
    if let Some(found) = all
        .iter()
        .copied()
        .find(|a| name(*a).eq_ignore_ascii_case(trimmed) || alias(*a).eq_ignore_ascii_case(trimmed))
    {
        return Err(Error::invalid_value(format!(
            "{what} {shown:?} is spelled {:?}",
            name(found)
        )));
    }
    let names: Vec<&str> = all.iter().map(|a| name(*a)).collect();
    Err(Error::new(
        ErrorKind::UnsupportedAlgorithm,
        format!(
            "unknown {what} {shown:?}; expected one of {}",
            names.join(", ")
        ),
    ))
}
