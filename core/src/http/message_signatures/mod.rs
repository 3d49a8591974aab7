//! RFC 9421 HTTP Message Signatures and RFC 9530 `Content-Digest`.
//!
//! A signature covers an ordered list of [`Component`]s of a request or response: derived components
//! (`@method`, `@authority`, `@path`, `"@query-param";name="…"`, `@status`, …) and HTTP fields (`content-digest`,
//! `"example-dict";key="a"`, …). The signer writes two headers, both Structured Field Dictionaries keyed by a
//! label:
//!
//! ```text
//! Signature-Input: sig1=("@method" "@authority" "@path" "content-digest");created=1700000000;keyid="k1"
//! Signature: sig1=:base64(signature):
//! ```
//!
//! and signs the *signature base*: one line `"<component>": <value>` per component, then
//! `"@signature-params": <the Signature-Input value>`, joined with `\n`, no trailing newline.
//!
//! Algorithms ([`HttpSignatureAlgorithm`]): `hmac-sha256` ([`crate::HmacKey`]), `ed25519`, `rsa-v1_5-sha256`,
//! `rsa-pss-sha512` and `ecdsa-p256-sha256` ([`crate::SigningKey`] / [`crate::VerifyingKey`]). A verification key
//! ([`MessageVerifyingKey`]) is bound to exactly one algorithm: the message never chooses it, and an `alg`
//! parameter that names another algorithm is refused ([`ErrorKind::UnsupportedAlgorithm`]).
//!
//! ```
//! use std::sync::Arc;
//! use countermark::http::Request;
//! use countermark::http::message_signatures::{
//!     content_digest, Component, DigestAlgorithm, MessagePolicy, MessageSigner, MessageVerifyingKey,
//!     UnverifiedMessageSignature,
//! };
//! use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Secret};
//!
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"a shared secret of 32 bytes!!!!!")?);
//! let body = br#"{"id": 42}"#;
//! let digest = content_digest(body, &[DigestAlgorithm::Sha256])?;
//! let request = Request::new("POST", "https://api.example.com/v1/widgets")?
//!     .with_header("Content-Digest", &digest)?
//!     .with_body(body);
//!
//! // Client: sign.
//! let headers = MessageSigner::hmac(key.clone())?
//!     .with_label("sig1")?
//!     .with_key_id("client-1")?
//!     .with_components(["@method", "@authority", "@path", "content-digest"].map(Component::parse)
//!         .into_iter().collect::<Result<Vec<_>, _>>()?)?
//!     .with_created(1_700_000_000)
//!     .with_expires(1_700_000_300)
//!     .sign(&request)?;
//! assert_eq!(
//!     headers.signature_input(),
//!     r#"sig1=("@method" "@authority" "@path" "content-digest");created=1700000000;keyid="client-1";expires=1700000300"#
//! );
//! let signed = request
//!     .clone()
//!     .with_header("Signature-Input", headers.signature_input())?
//!     .with_header("Signature", headers.signature())?;
//!
//! // Server: parse, look the key up by the claimed keyid, verify under a policy.
//! let policy = MessagePolicy::new()
//!     .with_clock(Arc::new(FixedClock::at_secs(1_700_000_010)))
//!     .with_required_components([Component::derived("@method")?, Component::field("content-digest")?])
//!     .check_content_digest(true);
//! let unverified = UnverifiedMessageSignature::parse(&signed, Some("sig1"))?
//!     .expect("the message carries Signature-Input and Signature"); // `None`: not an RFC 9421 request
//! assert_eq!(unverified.claimed_key_id(), Some("client-1"));
//! let verification_key = MessageVerifyingKey::hmac(key.clone())?;
//! let verified = unverified.verify(&verification_key, &policy)?;
//! assert_eq!(verified.key_id(), Some("client-1"));
//! assert!(verified.body_checked());
//!
//! // Any change to a covered component is refused.
//! let tampered = Request::new("PUT", "https://api.example.com/v1/widgets")?
//!     .with_header("Content-Digest", &digest)?
//!     .with_header("Signature-Input", headers.signature_input())?
//!     .with_header("Signature", headers.signature())?
//!     .with_body(body);
//! let err = UnverifiedMessageSignature::parse(&tampered, None)?
//!     .expect("signature headers")
//!     .verify(&verification_key, &policy)
//!     .unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::BadSignature);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Verification, step by step
//! [`UnverifiedMessageSignature::parse`] (or [`UnverifiedMessageSignature::parse_all`]) reads `Signature-Input`
//! and `Signature` and returns what the signature *claims* (label, keyid, alg, created, expires, nonce, tag,
//! covered components). The caller looks the key up by [`UnverifiedMessageSignature::claimed_key_id`], then
//! [`UnverifiedMessageSignature::verify`] checks, in this order, against a [`MessagePolicy`]:
//!
//! 1. the label, if the policy names one; the signature parameters (only `alg`, `created`, `expires`, `keyid`,
//!    `nonce` and `tag` unless [`MessagePolicy::allow_unknown_params`]); `keyid`, `created` and `nonce` when
//!    required; every required component is covered — all [`ErrorKind::Malformed`];
//! 2. `alg`, when present, equals the key's algorithm — else [`ErrorKind::UnsupportedAlgorithm`];
//! 3. time, with the policy's clock and skew `s` (default 5 s): `created > now + s` is
//!    [`ErrorKind::NotYetValid`]; `expires < now - s` and `created + max_age < now - s` are
//!    [`ErrorKind::Expired`];
//! 4. the signature over the rebuilt signature base — [`ErrorKind::BadSignature`] (a covered component missing
//!    from the message is [`ErrorKind::Malformed`]);
//! 5. with [`MessagePolicy::check_content_digest`], the body against the covered `Content-Digest` —
//!    [`ErrorKind::BadSignature`] on a mismatch (see [`verify_content_digest`]);
//! 6. replay: a signature's nonce, when it has one, is recorded in the policy's nonce store (by default an
//!    in-memory store of its own; a shared one such as Redis for a fleet) as `rfc9421:<len(keyid)>:<keyid>:<nonce>`
//!    until the signature could no longer pass the time checks; a second use is [`ErrorKind::Replayed`]. In
//!    seen-signature mode ([`MessagePolicy::remember_signatures`]) signatures without a nonce are remembered as
//!    `rfc9421-sig:<hex SHA-256 of len(keyid):keyid:signature base>`: never by their bytes, which an attacker can
//!    re-encode (ECDSA's `(r, n - s)` verifies as well as `(r, s)`), so the same signed message is accepted once
//!    however its signature is written.
//!
//! # Limits
//! | limit | value | error |
//! |---|---|---|
//! | `Signature-Input`, `Signature` (all lines of one, combined) | [`MAX_SIGNATURE_HEADER_LEN`] = 16 KiB each | [`ErrorKind::TooLarge`] |
//! | signatures (labels) per message | [`MAX_LABELS`] = 16 | [`ErrorKind::TooLarge`] |
//! | covered components per signature | [`MAX_COMPONENTS`] = 64 | [`ErrorKind::TooLarge`] |
//! | `keyid`, `nonce`, `tag`, `alg`, component names and `key`/`name` parameters (and the label, when signing) | [`MAX_PARAM_LEN`] = 256 bytes | [`ErrorKind::TooLarge`] on input, [`ErrorKind::InvalidValue`] when signing |
//! | decoded signature | [`MAX_SIGNATURE_LEN`] = 1024 bytes (RSA-8192) | [`ErrorKind::TooLarge`] |
//! | signature base | [`MAX_SIGNATURE_BASE_LEN`] = 64 KiB | [`ErrorKind::TooLarge`] |
//! | `Content-Digest` value | [`MAX_CONTENT_DIGEST_LEN`] = 4 KiB | [`ErrorKind::TooLarge`] |
//!
//! The [`crate::http`] view limits header lines and sizes before any of this runs.
//!
//! # Notes and deviations
//! * `@method` is upper-cased (as the reference library of the wire-contract vectors does; RFC 9421 signs the
//!   method as sent, which is the same for every standard method).
//! * `@target-uri` is `scheme://authority/path?query` from the request view with the authority as given;
//!   `@request-target` is the origin form (path and query).
//! * `;sf` on a field re-serialises it as a Dictionary if it parses as one, else as a List, else as an Item (a
//!   value that parses as more than one of these serialises identically either way). `;tr` is not supported.
//! * `@query-param` for a name that occurs more than once is refused, as RFC 9421 section 2.2.8 requires.
//! * Duplicate components in one signature are refused.
//! * `@signature-params` is rebuilt by re-serialising the received inner list canonically (RFC 9421 section
//!   2.3), so a sender that wrote non-canonical Structured Field syntax (`;foo=?1` for `;foo`) signed a different
//!   base and is refused. Byte sequences are decoded leniently (padding optional, non-zero trailing bits allowed):
//!   two encodings of the same signature bytes are the same signature.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use sfv::{KeyRef, RefBareItem};

use crate::alg::{Algorithm, SignatureAlgorithm};
use crate::clock::{Clock, SystemClock, UnixTime};
use crate::error::{Error, ErrorKind, Result};
use crate::key::{HmacKey, SigningKey, VerifyingKey};
use crate::random::{OsRandom, RandomSource};
use crate::replay::{MemoryNonceStore, NonceStore};
use parse::Want;

mod components;
mod defaults;
mod digest;
mod parse;
#[cfg(test)]
mod tests;

pub use components::{Component, HttpMessage};
pub use defaults::{
    default_coverage, sign_with_content_digest, sign_with_default_coverage, DefaultCoverage,
    DefaultSigned, DEFAULT_DIGEST_ALGORITHM,
};
pub use digest::{content_digest, verify_content_digest, DigestAlgorithm, MAX_CONTENT_DIGEST_LEN};

/// The default clock skew tolerated either way ([`MessagePolicy::with_clock_skew`]): 5 seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5);
/// The default maximum age after `created` ([`MessagePolicy::with_max_age`]): 300 seconds.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(300);
/// Longest combined `Signature-Input` value, and likewise `Signature` value, that is parsed, in bytes.
pub const MAX_SIGNATURE_HEADER_LEN: usize = 16 * 1024;
/// Most signatures (dictionary members) in one `Signature-Input` or `Signature` header.
pub const MAX_LABELS: usize = 16;
/// Most covered components in one signature.
pub const MAX_COMPONENTS: usize = 64;
/// How long a nonce is remembered when neither the policy's max age nor the signature's `expires` bounds the
/// signature's life (24 hours): replay protection is then complete only within that day.
pub const UNBOUNDED_REPLAY_RETENTION: i64 = 86_400;

/// Longest label, `keyid`, `nonce`, `tag`, `alg`, component name and component `key`/`name` parameter, in bytes.
pub const MAX_PARAM_LEN: usize = 256;
/// Longest decoded signature, in bytes (an RSA-8192 signature is 1024 bytes).
pub const MAX_SIGNATURE_LEN: usize = 1024;
/// Longest signature base, in bytes.
pub const MAX_SIGNATURE_BASE_LEN: usize = 64 * 1024;

const CREATED: &KeyRef = KeyRef::constant("created");
const EXPIRES: &KeyRef = KeyRef::constant("expires");
const KEYID: &KeyRef = KeyRef::constant("keyid");
const ALG: &KeyRef = KeyRef::constant("alg");
const NONCE: &KeyRef = KeyRef::constant("nonce");
const TAG: &KeyRef = KeyRef::constant("tag");

/// An RFC 9421 signature algorithm (HTTP Signature Algorithms registry).
///
/// | algorithm | key | signatures |
/// |---|---|---|
/// | `hmac-sha256` | [`HmacKey`] with [`Algorithm::HmacSha256`] | deterministic |
/// | `ed25519` | Ed25519 | deterministic |
/// | `rsa-v1_5-sha256` | RSA | deterministic |
/// | `rsa-pss-sha512` | RSA | randomised |
/// | `ecdsa-p256-sha256` | P-256 (`r‖s`, 64 bytes) | randomised |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpSignatureAlgorithm {
    /// HMAC-SHA256 with a shared secret.
    HmacSha256,
    /// Ed25519.
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PSS with SHA-512 (MGF1-SHA-512, 64-byte salt).
    RsaPssSha512,
    /// ECDSA over P-256 with SHA-256.
    EcdsaP256Sha256,
}

impl HttpSignatureAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [HttpSignatureAlgorithm; 5] = [
        HttpSignatureAlgorithm::HmacSha256,
        HttpSignatureAlgorithm::Ed25519,
        HttpSignatureAlgorithm::RsaPkcs1Sha256,
        HttpSignatureAlgorithm::RsaPssSha512,
        HttpSignatureAlgorithm::EcdsaP256Sha256,
    ];

    /// The registry name (`"rsa-pss-sha512"`), as in the `alg` parameter.
    pub const fn name(self) -> &'static str {
        match self {
            HttpSignatureAlgorithm::HmacSha256 => "hmac-sha256",
            HttpSignatureAlgorithm::Ed25519 => "ed25519",
            HttpSignatureAlgorithm::RsaPkcs1Sha256 => "rsa-v1_5-sha256",
            HttpSignatureAlgorithm::RsaPssSha512 => "rsa-pss-sha512",
            HttpSignatureAlgorithm::EcdsaP256Sha256 => "ecdsa-p256-sha256",
        }
    }

    /// The asymmetric algorithm behind it (`None` for `hmac-sha256`).
    pub const fn asymmetric(self) -> Option<SignatureAlgorithm> {
        match self {
            HttpSignatureAlgorithm::HmacSha256 => None,
            HttpSignatureAlgorithm::Ed25519 => Some(SignatureAlgorithm::Ed25519),
            HttpSignatureAlgorithm::RsaPkcs1Sha256 => Some(SignatureAlgorithm::RsaPkcs1Sha256),
            HttpSignatureAlgorithm::RsaPssSha512 => Some(SignatureAlgorithm::RsaPssSha512),
            HttpSignatureAlgorithm::EcdsaP256Sha256 => Some(SignatureAlgorithm::EcdsaP256Sha256),
        }
    }

    /// Whether signing the same base twice gives the same signature.
    pub const fn is_deterministic(self) -> bool {
        !matches!(
            self,
            HttpSignatureAlgorithm::RsaPssSha512 | HttpSignatureAlgorithm::EcdsaP256Sha256
        )
    }

    /// The RFC 9421 algorithm for an asymmetric one.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for `rsa-v1_5-sha384` and `rsa-v1_5-sha512`, which RFC 9421 does not
    /// register.
    pub fn from_signature_algorithm(alg: SignatureAlgorithm) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.asymmetric() == Some(alg))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!("{alg} is not an RFC 9421 algorithm"),
                )
            })
    }
}

impl fmt::Display for HttpSignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HttpSignatureAlgorithm {
    type Err = Error;

    /// Parses the one spelling, the registry name [`HttpSignatureAlgorithm::name`], exactly (`hmac-sha256`,
    /// `ed25519`, `rsa-v1_5-sha256`, `rsa-pss-sha512`, `ecdsa-p256-sha256`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for another spelling of one of them (`HMAC-SHA256`), naming the accepted one;
    /// [`ErrorKind::UnsupportedAlgorithm`] for any other algorithm, naming every accepted spelling.
    fn from_str(s: &str) -> Result<Self> {
        crate::alg::parse_name(
            s,
            "RFC 9421 algorithm",
            &Self::ALL,
            |a| a.name(),
            |a| a.name(),
        )
    }
}

#[derive(Clone)]
enum VerifyWith {
    Hmac(Box<HmacKey>),
    Public(VerifyingKey),
}

/// A key that verifies message signatures: an HMAC key or a public key, bound to exactly one
/// [`HttpSignatureAlgorithm`].
///
/// `Debug` shows the algorithm and key id only.
#[derive(Clone)]
pub struct MessageVerifyingKey {
    alg: HttpSignatureAlgorithm,
    key: VerifyWith,
}

impl MessageVerifyingKey {
    /// An `hmac-sha256` key.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `key` is not bound to [`Algorithm::HmacSha256`] (RFC 9421 registers
    /// no other HMAC).
    pub fn hmac(key: HmacKey) -> Result<Self> {
        check_hmac(&key)?;
        Ok(MessageVerifyingKey {
            alg: HttpSignatureAlgorithm::HmacSha256,
            key: VerifyWith::Hmac(Box::new(key)),
        })
    }

    /// A public key for `alg`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `alg` is `hmac-sha256` or is not allowed for `key`.
    pub fn public(key: VerifyingKey, alg: HttpSignatureAlgorithm) -> Result<Self> {
        match alg.asymmetric() {
            Some(a) if key.allows(a) => Ok(MessageVerifyingKey {
                alg,
                key: VerifyWith::Public(key),
            }),
            _ => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("{alg} cannot be used with this {} key", key.key_type()),
            )),
        }
    }

    /// The one algorithm this key verifies.
    pub fn algorithm(&self) -> HttpSignatureAlgorithm {
        self.alg
    }

    /// The HMAC key, for a shared-secret key (for [`crate::explain`]).
    pub(crate) fn hmac_key(&self) -> Option<&HmacKey> {
        match &self.key {
            VerifyWith::Hmac(k) => Some(k),
            VerifyWith::Public(_) => None,
        }
    }

    pub(crate) fn verify(&self, base: &[u8], signature: &[u8]) -> Result<()> {
        match (&self.key, self.alg.asymmetric()) {
            (VerifyWith::Hmac(k), _) => k.verify(base, signature),
            (VerifyWith::Public(k), Some(a)) => k.verify(a, base, signature),
            (VerifyWith::Public(_), None) => Err(Error::bad_signature()),
        }
    }
}

impl fmt::Debug for MessageVerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kid = match &self.key {
            VerifyWith::Hmac(k) => k.key_id().map(|k| k.as_str().to_string()),
            VerifyWith::Public(k) => Some(k.key_id().to_string()),
        };
        write!(
            f,
            "MessageVerifyingKey {{ alg: {}, kid: {kid:?} }}",
            self.alg
        )
    }
}

fn check_hmac(key: &HmacKey) -> Result<()> {
    if key.algorithm() == Algorithm::HmacSha256 {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedAlgorithm,
            format!(
                "RFC 9421 signs with hmac-sha256 only, not {}",
                key.algorithm()
            ),
        ))
    }
}

/// The signature metadata parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SigParams {
    created: Option<i64>,
    expires: Option<i64>,
    keyid: Option<String>,
    alg: Option<String>,
    nonce: Option<String>,
    tag: Option<String>,
    /// Names of parameters other than the six above, in order.
    unknown: Vec<String>,
}

impl SigParams {
    /// From the parameters of a received inner list (each key once, in order). Errors: [`ErrorKind::Malformed`],
    /// [`ErrorKind::TooLarge`].
    fn from_sf<'p>(params: impl Iterator<Item = (&'p KeyRef, RefBareItem<'p>)>) -> Result<Self> {
        let mut out = SigParams::default();
        for (key, value) in params {
            let int = || {
                value.as_integer().map(i64::from).ok_or_else(|| {
                    Error::malformed(format!(
                        "signature parameter {} must be an integer",
                        key.as_str()
                    ))
                })
            };
            let text = || -> Result<String> {
                let s = value.as_string().ok_or_else(|| {
                    Error::malformed(format!(
                        "signature parameter {} must be a string",
                        key.as_str()
                    ))
                })?;
                if s.as_str().len() > MAX_PARAM_LEN {
                    return Err(Error::too_large(
                        &format!("signature parameter {}", key.as_str()),
                        MAX_PARAM_LEN,
                    ));
                }
                Ok(s.as_str().to_string())
            };
            match key.as_str() {
                "created" => out.created = Some(int()?),
                "expires" => out.expires = Some(int()?),
                "keyid" => out.keyid = Some(text()?),
                "alg" => out.alg = Some(text()?),
                "nonce" => out.nonce = Some(text()?),
                "tag" => out.tag = Some(text()?),
                other => out.unknown.push(crate::encoding::clip(other, 32)),
            }
        }
        Ok(out)
    }
}

/// The serialised inner list `("c1" "c2");created=…;keyid=…;alg=…;expires=…;nonce=…;tag=…` (the order the vectors'
/// reference writes).
fn serialize_signature_params(components: &[Component], p: &SigParams) -> Result<String> {
    let int = |t: i64| {
        sfv::Integer::try_from(t)
            .map(RefBareItem::Integer)
            .map_err(|_| Error::invalid_value("a time parameter is out of range"))
    };
    fn text(s: &str) -> Result<RefBareItem<'_>> {
        sfv::StringRef::from_str(s)
            .map(RefBareItem::String)
            .map_err(|_| Error::invalid_value("signature parameters must be printable ASCII"))
    }
    let mut ser = sfv::ListSerializer::new();
    {
        let mut list = ser.inner_list();
        for c in components {
            let _ = c.write_params(list.bare_item(c.sf_name()?))?;
        }
        let mut ps = list.finish();
        if let Some(t) = p.created {
            ps = ps.parameter(CREATED, int(t)?);
        }
        if let Some(s) = &p.keyid {
            ps = ps.parameter(KEYID, text(s)?);
        }
        if let Some(s) = &p.alg {
            ps = ps.parameter(ALG, text(s)?);
        }
        if let Some(t) = p.expires {
            ps = ps.parameter(EXPIRES, int(t)?);
        }
        if let Some(s) = &p.nonce {
            ps = ps.parameter(NONCE, text(s)?);
        }
        if let Some(s) = &p.tag {
            let _ = ps.parameter(TAG, text(s)?);
        }
    }
    ser.finish()
        .ok_or_else(|| Error::invalid_value("empty signature parameters"))
}

/// The canonical serialisation of a received inner list (its components, then its parameters as read): the
/// `@signature-params` value. Parameters of the kinds a signature carries (integers, strings, tokens, booleans)
/// are written here, each the one way RFC 9651 section 4.1 serialises it; a list with any other kind (decimals,
/// byte sequences, dates, display strings: only ever unknown parameters) is serialised by sfv.
fn serialize_received_params(
    components: &[Component],
    params: &[(&KeyRef, sfv::BareItemFromInput<'_>)],
) -> Result<String> {
    let mut text = String::with_capacity(64 + 32 * components.len());
    if write_simple_params(&mut text, components, params) {
        return Ok(text);
    }
    text.clear();
    let mut ser = sfv::ListSerializer::with_buffer(&mut text);
    {
        let mut list = ser.inner_list();
        for c in components {
            let _ = c.write_params(list.bare_item(c.sf_name()?))?;
        }
        let _ = list
            .finish()
            .parameters(params.iter().map(|(k, v)| (*k, RefBareItem::from(v))));
    }
    let _ = ser.finish();
    Ok(text)
}

/// Writes the inner list when every parameter is an integer, a string, a token or a boolean; `false` (with
/// `text` holding part of it) at the first parameter of another kind.
fn write_simple_params(
    text: &mut String,
    components: &[Component],
    params: &[(&KeyRef, sfv::BareItemFromInput<'_>)],
) -> bool {
    use sfv::BareItemFromInput as B;
    text.push('(');
    for (i, c) in components.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        c.push_identifier(text);
    }
    text.push(')');
    for (key, value) in params {
        text.push(';');
        text.push_str(key.as_str());
        match value {
            // sf-boolean: `?1` is written as the bare key.
            B::Boolean(true) => {}
            B::Boolean(false) => text.push_str("=?0"),
            // sf-integer: optional `-`, decimal digits without leading zeros.
            B::Integer(n) => {
                use std::fmt::Write as _;
                let _ = write!(text, "={}", i64::from(*n));
            }
            // sf-string: `"`, the (printable ASCII) text with `"` and `\` escaped, `"`.
            B::String(s) => {
                text.push_str("=\"");
                for ch in s.as_str().chars() {
                    if ch == '"' || ch == '\\' {
                        text.push('\\');
                    }
                    text.push(ch);
                }
                text.push('"');
            }
            // sf-token: as is.
            B::Token(t) => {
                text.push('=');
                text.push_str(t.as_str());
            }
            _ => return false,
        }
    }
    true
}

fn check_components(components: &[Component], kind: ErrorKind) -> Result<()> {
    if components.len() > MAX_COMPONENTS {
        return Err(match kind {
            ErrorKind::InvalidValue => Error::invalid_value(format!(
                "at most {MAX_COMPONENTS} components can be covered"
            )),
            _ => Error::too_large("the number of covered components", MAX_COMPONENTS),
        });
    }
    for (i, c) in components.iter().enumerate() {
        if components[..i].contains(c) {
            return Err(Error::new(kind, format!("component {c} is covered twice")));
        }
    }
    Ok(())
}

fn check_text(what: &str, s: &str) -> Result<()> {
    if s.len() > MAX_PARAM_LEN || sfv::StringRef::from_str(s).is_err() {
        return Err(Error::invalid_value(format!(
            "{what} must be printable ASCII of at most {MAX_PARAM_LEN} bytes"
        )));
    }
    Ok(())
}

/// The signer's own key (an [`HmacKey`] clone shares nothing mutable; a [`SigningKey`] clone shares its private
/// key), so a signer is `Send + Sync + 'static` and can be built once and kept.
#[derive(Clone)]
enum SignWith {
    Hmac(Box<HmacKey>),
    Private(SigningKey),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Created {
    Now,
    At(i64),
    Omit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expires {
    Never,
    At(i64),
    After(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum NonceMode {
    None,
    Fixed(String),
    Random,
}

/// Signs requests and responses: covered components, metadata parameters, label and key, set once, then
/// [`MessageSigner::sign`] per message.
///
/// Defaults: label `sig1`; no covered components (set them with [`MessageSigner::with_components`]); `created`
/// from the clock (the system clock unless [`MessageSigner::with_clock`]); `keyid` from the key's id when it has
/// one that is printable ASCII (else none: set one with [`MessageSigner::with_key_id`]); no `expires`, `nonce`,
/// `tag`; no `alg` parameter (the verifier's key fixes the algorithm; add it with
/// [`MessageSigner::with_alg_param`]). Parameters are written in the order `created`, `keyid`, `alg`, `expires`,
/// `nonce`, `tag`.
#[derive(Clone)]
pub struct MessageSigner {
    key: SignWith,
    alg: HttpSignatureAlgorithm,
    label: String,
    components: Vec<Component>,
    created: Created,
    expires: Expires,
    keyid: Option<String>,
    nonce: NonceMode,
    tag: Option<String>,
    alg_param: bool,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for MessageSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageSigner")
            .field("alg", &self.alg)
            .field("label", &self.label)
            .field("components", &self.components)
            .field("keyid", &self.keyid)
            .finish_non_exhaustive()
    }
}

impl MessageSigner {
    fn build(key: SignWith, alg: HttpSignatureAlgorithm, keyid: Option<String>) -> Self {
        MessageSigner {
            key,
            alg,
            label: "sig1".to_string(),
            components: Vec::new(),
            created: Created::Now,
            expires: Expires::Never,
            keyid: keyid.filter(|k| check_text("keyid", k).is_ok()),
            nonce: NonceMode::None,
            tag: None,
            alg_param: false,
            clock: Arc::new(SystemClock),
        }
    }

    /// Signs with `hmac-sha256`, keeping `key` (clone an [`HmacKey`] to share it: its keyed state is copied, the
    /// secret is never exposed). The `keyid` defaults to the key's id, if set.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `key` is not bound to [`Algorithm::HmacSha256`].
    pub fn hmac(key: HmacKey) -> Result<Self> {
        check_hmac(&key)?;
        let kid = key.key_id().map(|k| k.as_str().to_string());
        Ok(Self::build(
            SignWith::Hmac(Box::new(key)),
            HttpSignatureAlgorithm::HmacSha256,
            kid,
        ))
    }

    /// Signs with a private key under `alg`, keeping `key` (a [`SigningKey`] clone shares the private key). The
    /// `keyid` defaults to the key's id ([`SigningKey::key_id`]).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `alg` is `hmac-sha256` or not allowed for `key`.
    pub fn asymmetric(key: SigningKey, alg: HttpSignatureAlgorithm) -> Result<Self> {
        match alg.asymmetric() {
            Some(a) if key.verifying_key().allows(a) => {
                let key_id = key.key_id().to_string();
                Ok(Self::build(SignWith::Private(key), alg, Some(key_id)))
            }
            _ => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("{alg} cannot be used with this {} key", key.key_type()),
            )),
        }
    }

    /// The label (dictionary key) of the signature, `sig1` by default.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for a label that is not a Structured Field key (`a-z`, digits, `_-.*`, starting
    /// with a letter or `*`) of at most [`MAX_PARAM_LEN`] bytes.
    pub fn with_label(mut self, label: &str) -> Result<Self> {
        if label.len() > MAX_PARAM_LEN || KeyRef::from_str(label).is_err() {
            return Err(Error::invalid_value(format!(
                "a signature label is a lower-case structured field key of at most {MAX_PARAM_LEN} bytes"
            )));
        }
        self.label = label.to_string();
        Ok(self)
    }

    /// The covered components, in order (replacing any set before).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for more than [`MAX_COMPONENTS`] components or a component listed twice.
    pub fn with_components(
        mut self,
        components: impl IntoIterator<Item = Component>,
    ) -> Result<Self> {
        let components: Vec<Component> = components.into_iter().collect();
        check_components(&components, ErrorKind::InvalidValue)?;
        self.components = components;
        Ok(self)
    }

    /// A fixed `created` time (Unix seconds) instead of the clock's.
    pub fn with_created(mut self, created: i64) -> Self {
        self.created = Created::At(created);
        self
    }

    /// No `created` parameter (verifiers with the default policy then refuse the signature).
    pub fn without_created(mut self) -> Self {
        self.created = Created::Omit;
        self
    }

    /// A fixed `expires` time (Unix seconds).
    pub fn with_expires(mut self, expires: i64) -> Self {
        self.expires = Expires::At(expires);
        self
    }

    /// `expires` = the signing time plus `lifetime` (whole seconds; a fraction is dropped).
    pub fn with_expires_in(mut self, lifetime: Duration) -> Self {
        self.expires = Expires::After(lifetime.as_secs());
        self
    }

    /// The `keyid` parameter.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] unless printable ASCII of at most [`MAX_PARAM_LEN`] bytes.
    pub fn with_key_id(mut self, keyid: &str) -> Result<Self> {
        check_text("keyid", keyid)?;
        self.keyid = Some(keyid.to_string());
        Ok(self)
    }

    /// No `keyid` parameter.
    pub fn without_key_id(mut self) -> Self {
        self.keyid = None;
        self
    }

    /// A fixed `nonce` (the caller makes it unique per message).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] unless printable ASCII of 1 to [`MAX_PARAM_LEN`] bytes.
    pub fn with_nonce(mut self, nonce: &str) -> Result<Self> {
        check_text("nonce", nonce)?;
        if nonce.is_empty() {
            return Err(Error::invalid_value("a nonce must not be empty"));
        }
        self.nonce = NonceMode::Fixed(nonce.to_string());
        Ok(self)
    }

    /// A fresh random `nonce` for every signature: 16 bytes from the operating system, base64url without padding.
    pub fn with_random_nonces(mut self) -> Self {
        self.nonce = NonceMode::Random;
        self
    }

    /// The `tag` parameter (an application-specific context, RFC 9421 section 2.3).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] unless printable ASCII of at most [`MAX_PARAM_LEN`] bytes.
    pub fn with_tag(mut self, tag: &str) -> Result<Self> {
        check_text("tag", tag)?;
        self.tag = Some(tag.to_string());
        Ok(self)
    }

    /// Whether to write the `alg` parameter (off by default).
    pub fn with_alg_param(mut self, include: bool) -> Self {
        self.alg_param = include;
        self
    }

    /// The clock for `created` and relative `expires`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The algorithm signatures are made with.
    pub fn algorithm(&self) -> HttpSignatureAlgorithm {
        self.alg
    }

    /// Signs `message` and returns the header values to add.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when a covered component is missing from the message (or, like `@status` in a
    /// request, does not apply to it) or a time is outside the Structured Field integer range;
    /// [`ErrorKind::TooLarge`] for a signature base over [`MAX_SIGNATURE_BASE_LEN`]; the key's own error
    /// otherwise.
    pub fn sign<'m>(&self, message: impl Into<HttpMessage<'m>>) -> Result<SignatureHeaders> {
        let message = message.into();
        let now = self.clock.now().secs();
        let created = match self.created {
            Created::Now => Some(now),
            Created::At(t) => Some(t),
            Created::Omit => None,
        };
        let expires = match self.expires {
            Expires::Never => None,
            Expires::At(t) => Some(t),
            Expires::After(secs) => Some(
                created
                    .unwrap_or(now)
                    .saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)),
            ),
        };
        let nonce = match &self.nonce {
            NonceMode::None => None,
            NonceMode::Fixed(n) => Some(n.clone()),
            NonceMode::Random => {
                let mut bytes = [0u8; 16];
                OsRandom.fill(&mut bytes)?;
                Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
            }
        };
        let params = SigParams {
            created,
            expires,
            keyid: self.keyid.clone(),
            alg: self.alg_param.then(|| self.alg.name().to_string()),
            nonce,
            tag: self.tag.clone(),
            unknown: Vec::new(),
        };
        let signature_params = serialize_signature_params(&self.components, &params)?;
        let base = components::signature_base(message, &self.components, &signature_params)
            .map_err(|e| match e.kind() {
                ErrorKind::Malformed => Error::invalid_value(e.message().to_string()),
                _ => e,
            })?;
        let signature = match &self.key {
            SignWith::Hmac(k) => k.sign(base.as_bytes()).as_bytes().to_vec(),
            SignWith::Private(k) => {
                let alg = self.alg.asymmetric().ok_or_else(|| {
                    Error::new(ErrorKind::UnsupportedAlgorithm, "no asymmetric algorithm")
                })?;
                k.sign(alg, base.as_bytes())?
            }
        };
        let label = KeyRef::from_str(&self.label)
            .map_err(|_| Error::invalid_value("invalid signature label"))?;
        let mut ser = sfv::DictSerializer::new();
        let _ = ser.bare_item(label, &signature[..]);
        let signature_header = ser
            .finish()
            .ok_or_else(|| Error::invalid_value("empty signature"))?;
        Ok(SignatureHeaders {
            signature_input: format!("{}={signature_params}", self.label),
            signature: signature_header,
            label: self.label.clone(),
            base,
        })
    }
}

/// The result of [`MessageSigner::sign`]: the `Signature-Input` and `Signature` dictionary members to add to the
/// message. A message that already carries signatures gets these appended as further members (`", "`-joined
/// or as extra field lines); labels must differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    label: String,
    signature_input: String,
    signature: String,
    base: String,
}

impl SignatureHeaders {
    /// The `Signature-Input` value (`label=(…);created=…`).
    pub fn signature_input(&self) -> &str {
        &self.signature_input
    }

    /// The `Signature` value (`label=:base64:`).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The serialised signature parameters (the `Signature-Input` value without `label=`).
    pub fn signature_params(&self) -> &str {
        self.signature_input
            .get(self.label.len() + 1..)
            .unwrap_or_default()
    }

    /// The exact signature base that was signed (for debugging and tests; it holds message contents, no secret).
    pub fn signature_base(&self) -> &str {
        &self.base
    }
}

/// What [`UnverifiedMessageSignature::verify`] requires. Built once, shared by every verification.
///
/// | setting | default |
/// |---|---|
/// | clock | [`SystemClock`] |
/// | clock skew | 5 s |
/// | max age (`created + max_age` must not be more than the skew in the past) | 300 s |
/// | `created` required | yes |
/// | `keyid` required | yes |
/// | `nonce` required | no |
/// | required covered components | none |
/// | parameters other than `alg`, `created`, `expires`, `keyid`, `nonce`, `tag` | refused |
/// | label | any |
/// | body checked against `Content-Digest` | no |
/// | a non-empty body must be covered and match its `Content-Digest` | no |
/// | nonce store | a [`MemoryNonceStore`] of its own (shared by clones): a nonce, when present, is single-use |
/// | seen-signature mode (replay check of signatures without a nonce) | off |
#[derive(Clone)]
pub struct MessagePolicy {
    clock: Arc<dyn Clock>,
    clock_skew: Duration,
    max_age: Option<Duration>,
    require_created: bool,
    require_key_id: bool,
    require_nonce: bool,
    required: Vec<Component>,
    allow_unknown_params: bool,
    label: Option<String>,
    check_content_digest: bool,
    require_body_digest: bool,
    nonce_store: Option<Arc<dyn NonceStore>>,
    remember_signatures: bool,
}

impl fmt::Debug for MessagePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessagePolicy")
            .field("clock_skew", &self.clock_skew)
            .field("max_age", &self.max_age)
            .field("require_created", &self.require_created)
            .field("require_key_id", &self.require_key_id)
            .field("require_nonce", &self.require_nonce)
            .field("required", &self.required)
            .field("allow_unknown_params", &self.allow_unknown_params)
            .field("label", &self.label)
            .field("check_content_digest", &self.check_content_digest)
            .field("require_body_digest", &self.require_body_digest)
            .field("nonce_store", &self.nonce_store.is_some())
            .field("remember_signatures", &self.remember_signatures)
            .finish_non_exhaustive()
    }
}

impl Default for MessagePolicy {
    fn default() -> Self {
        MessagePolicy {
            clock: Arc::new(SystemClock),
            clock_skew: DEFAULT_CLOCK_SKEW,
            max_age: Some(DEFAULT_MAX_AGE),
            require_created: true,
            require_key_id: true,
            require_nonce: false,
            required: Vec::new(),
            allow_unknown_params: false,
            label: None,
            check_content_digest: false,
            require_body_digest: false,
            nonce_store: Some(Arc::new(MemoryNonceStore::default())),
            remember_signatures: false,
        }
    }
}

impl MessagePolicy {
    /// The default policy (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// The clock every time check uses.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The clock skew tolerated either way. The signature's times are whole seconds, so a fraction is dropped
    /// (the stricter reading).
    pub fn with_clock_skew(mut self, clock_skew: Duration) -> Self {
        self.clock_skew = clock_skew;
        self
    }

    /// The max age after `created`; `None` for no age limit (then only `expires`, if present, bounds the
    /// signature's life). A fraction of a second is dropped (the stricter reading).
    pub fn with_max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// Whether `created` must be present.
    pub fn require_created(mut self, required: bool) -> Self {
        self.require_created = required;
        self
    }

    /// Whether `keyid` must be present.
    pub fn require_key_id(mut self, required: bool) -> Self {
        self.require_key_id = required;
        self
    }

    /// Whether `nonce` must be present.
    pub fn require_nonce(mut self, required: bool) -> Self {
        self.require_nonce = required;
        self
    }

    /// Components every accepted signature must cover (added to those set before).
    pub fn with_required_components(
        mut self,
        components: impl IntoIterator<Item = Component>,
    ) -> Self {
        self.required.extend(components);
        self
    }

    /// Whether signature parameters other than `alg`, `created`, `expires`, `keyid`, `nonce` and `tag` are
    /// accepted (they are signed either way).
    pub fn allow_unknown_params(mut self, allow: bool) -> Self {
        self.allow_unknown_params = allow;
        self
    }

    /// Accepts only the signature with this label. [`UnverifiedMessageSignature::parse_for`] picks it; a label
    /// absent from either header is [`ErrorKind::Malformed`].
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Whether the body is checked against the `Content-Digest` field, which the signature must then cover.
    pub fn check_content_digest(mut self, check: bool) -> Self {
        self.check_content_digest = check;
        self
    }

    /// Whether a message with a non-empty body must have it covered: the signature must then cover
    /// `content-digest` and the body must match the `Content-Digest` field (as with
    /// [`MessagePolicy::check_content_digest`]), while a message without a body needs neither. The rule of a
    /// server that takes GETs and POSTs under one policy (the Django app's, and `countermark request explain`'s).
    pub fn require_body_digest(mut self, required: bool) -> Self {
        self.require_body_digest = required;
        self
    }

    /// Records every accepted `(keyid, nonce)` in `store` (instead of the policy's own in-memory store) and
    /// refuses a second use ([`ErrorKind::Replayed`]). Use a shared store (Redis) when several processes verify.
    /// A nonce is remembered until the signature's life ends (`expires`, or `created` + max age, plus the skew),
    /// or for [`UNBOUNDED_REPLAY_RETENTION`] when neither bounds it.
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonce_store = Some(store);
        self
    }

    /// No replay check at all: nonces are signed but not remembered. Only for verifiers that check replays
    /// elsewhere.
    pub fn without_nonce_store(mut self) -> Self {
        self.nonce_store = None;
        self
    }

    /// Seen-signature mode: a signature *without* a nonce is remembered too for its life (by a hash of its key id
    /// and signature base, not its bytes, which ECDSA lets anyone re-encode), so the same signed message is
    /// accepted once. Messages signed twice with identical content and `created` then collide, even under a
    /// randomised algorithm; give such senders nonces instead.
    pub fn remember_signatures(mut self, remember: bool) -> Self {
        self.remember_signatures = remember;
        self
    }

    /// The label this policy accepts, if it names one.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The max age after `created`; `None` for no age limit.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The clock skew tolerated either way.
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// The components every accepted signature must cover.
    pub fn required_components(&self) -> &[Component] {
        &self.required
    }

    /// Its settings as one line of text, e.g. `rfc9421 clock_skew=5s max_age=300s require_created=on ...`: for
    /// logs, and for the tests that prove a binding's default policy is the core's ([`crate::policy_defaults`]).
    pub fn describe(&self) -> String {
        use crate::on_off;
        let max_age = match self.max_age {
            Some(age) => format!("{}s", age.as_secs()),
            None => "none".to_string(),
        };
        let required: Vec<String> = self.required.iter().map(ToString::to_string).collect();
        format!(
            "rfc9421 clock_skew={}s max_age={max_age} require_created={} require_key_id={} require_nonce={} \
             required_components=({}) allow_unknown_params={} label={} check_content_digest={} \
             require_body_digest={} nonce_store={} remember_signatures={}",
            self.clock_skew.as_secs(),
            on_off(self.require_created),
            on_off(self.require_key_id),
            on_off(self.require_nonce),
            required.join(" "),
            on_off(self.allow_unknown_params),
            self.label.as_deref().unwrap_or("any"),
            on_off(self.check_content_digest),
            on_off(self.require_body_digest),
            on_off(self.nonce_store.is_some()),
            on_off(self.remember_signatures),
        )
    }
}

/// A signature read from a message, not yet checked. Everything it returns is *claimed*.
///
/// It borrows the message: [`UnverifiedMessageSignature::verify`] rebuilds the signature base from it.
#[derive(Debug, Clone)]
pub struct UnverifiedMessageSignature<'m> {
    message: HttpMessage<'m>,
    // Shared with the verified value.
    label: Arc<str>,
    // Shared with the verified value (verifying does not copy them).
    components: Arc<Vec<Component>>,
    params: Arc<SigParams>,
    signature_params: String,
    signature: Vec<u8>,
}

/// The combined value of a header, bounded before it is joined (borrowed when it is one line).
fn bounded_header<'m>(msg: &HttpMessage<'m>, name: &str) -> Result<Cow<'m, str>> {
    let headers = msg.headers();
    let too_large = || {
        Error::too_large(
            &format!("the {name} header (bytes)"),
            MAX_SIGNATURE_HEADER_LEN,
        )
    };
    let mut lines = headers.values(name);
    let first = lines
        .next()
        .ok_or_else(|| Error::malformed(format!("the message has no {name} header")))?;
    if lines.next().is_none() {
        // One line (the common case): borrowed, as `Headers::get` gives it.
        if first.len() > MAX_SIGNATURE_HEADER_LEN {
            return Err(too_large());
        }
        return Ok(Cow::Borrowed(components::trim_ows(first)));
    }
    let total: usize = headers.values(name).map(|v| v.len() + 2).sum();
    if total > MAX_SIGNATURE_HEADER_LEN + 2 {
        return Err(too_large());
    }
    headers
        .get(name)
        .ok_or_else(|| Error::malformed(format!("the message has no {name} header")))
}

impl<'m> UnverifiedMessageSignature<'m> {
    /// Reads the signature labelled `label` (or, with `None`, the first of `Signature-Input`) from `message`.
    ///
    /// `Ok(None)` when the message has neither a `Signature-Input` nor a `Signature` header: it carries no
    /// credentials of this scheme (as every scheme's phase one answers).
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] when only one of the two headers is present, either is not a Structured Field
    /// Dictionary, the label is absent from either header (with `None`: when the two headers do not have the same
    /// labels), or the signature's members are malformed; [`ErrorKind::TooLarge`] over a [limit](self#limits).
    pub fn parse(message: impl Into<HttpMessage<'m>>, label: Option<&str>) -> Result<Option<Self>> {
        let message = message.into();
        if !message.headers().contains("signature-input")
            && !message.headers().contains("signature")
        {
            return Ok(None);
        }
        let want = match label {
            Some(l) => Want::Label(l),
            None => Want::First,
        };
        let mut out = None;
        Self::read_headers(message, want, |label, input, signature| {
            out = Some(Self::from_members(message, label, input, signature)?);
            Ok(())
        })?;
        out.map(Some)
            .ok_or_else(|| Error::malformed("the message carries no signature"))
    }

    /// [`UnverifiedMessageSignature::parse`] with the label the policy names ([`MessagePolicy::with_label`]);
    /// `Ok(None)` when the message carries neither signature header.
    ///
    /// # Errors
    /// As [`UnverifiedMessageSignature::parse`].
    pub fn parse_for(
        message: impl Into<HttpMessage<'m>>,
        policy: &MessagePolicy,
    ) -> Result<Option<Self>> {
        Self::parse(message, policy.label())
    }

    /// Reads every signature of `message`, in `Signature-Input` order.
    ///
    /// # Errors
    /// As [`UnverifiedMessageSignature::parse`]; both headers must have the same labels.
    pub fn parse_all(message: impl Into<HttpMessage<'m>>) -> Result<Vec<Self>> {
        let message = message.into();
        let mut out = Vec::new();
        Self::read_headers(message, Want::All, |label, input, signature| {
            out.push(Self::from_members(message, label, input, signature)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Parses both headers (each once, with sfv's visitor parser) and calls `each` with the members of every
    /// wanted label, in `Signature-Input` order.
    fn read_headers(
        message: HttpMessage<'m>,
        want: Want<'_>,
        mut each: impl FnMut(
            &str,
            Option<parse::InputMember<'_>>,
            Option<parse::SignatureMember>,
        ) -> Result<()>,
    ) -> Result<()> {
        let input_text = bounded_header(&message, "Signature-Input")?;
        let mut inputs = parse::read_inputs(&input_text, "Signature-Input", want)?;
        let signature_text = bounded_header(&message, "Signature")?;
        // The first signature is the first of Signature-Input, wherever Signature has it.
        let signature_want = match (want, inputs.labels.first()) {
            (Want::First, Some(first)) => Want::Label(first.as_str()),
            _ => want,
        };
        let mut signatures = parse::read_signatures(&signature_text, "Signature", signature_want)?;
        if let Want::Label(label) = want {
            return each(label, inputs.kept.take(label), signatures.kept.take(label));
        }
        if !inputs.labels.same(&signatures.labels) {
            return Err(Error::malformed(
                "Signature-Input and Signature have different labels",
            ));
        }
        if inputs.labels.first().is_none() {
            return Err(Error::malformed("the message carries no signature"));
        }
        match (want, inputs.labels.first()) {
            (Want::All, _) => {
                for label in inputs.labels.iter().map(KeyRef::as_str) {
                    each(label, inputs.kept.take(label), signatures.kept.take(label))?;
                }
                Ok(())
            }
            (_, Some(first)) => {
                let label = first.as_str();
                each(label, inputs.kept.take(label), signatures.kept.take(label))
            }
            (_, None) => Err(Error::malformed("the message carries no signature")),
        }
    }

    fn from_members(
        message: HttpMessage<'m>,
        label: &str,
        input: Option<parse::InputMember<'_>>,
        signature: Option<parse::SignatureMember>,
    ) -> Result<Self> {
        let shown = crate::encoding::clip(label, 32);
        let input = input.ok_or_else(|| {
            Error::malformed(format!(
                "Signature-Input has no signature labelled {shown:?}"
            ))
        })?;
        let signature = signature.ok_or_else(|| {
            Error::malformed(format!("Signature has no signature labelled {shown:?}"))
        })?;
        let parse::InputMember::InnerList {
            components,
            items,
            error,
            params,
        } = input
        else {
            return Err(Error::malformed(format!(
                "Signature-Input member {shown:?} is not an inner list"
            )));
        };
        if items > MAX_COMPONENTS {
            return Err(Error::too_large(
                "the number of covered components",
                MAX_COMPONENTS,
            ));
        }
        if let Some(e) = error {
            return Err(e);
        }
        check_components(&components, ErrorKind::Malformed)?;
        let sig_params =
            SigParams::from_sf(params.iter().map(|(k, v)| (*k, RefBareItem::from(v))))?;
        // Re-serialised canonically from what was parsed (RFC 9421 section 2.3), into one buffer.
        let signature_params = serialize_received_params(&components, &params)?;
        let bytes = match signature {
            parse::SignatureMember::Bytes(bytes) => bytes,
            parse::SignatureMember::Other => {
                return Err(Error::malformed(format!(
                    "Signature member {shown:?} is not a byte sequence"
                )))
            }
        };
        if bytes.len() > MAX_SIGNATURE_LEN {
            return Err(Error::too_large("the signature (bytes)", MAX_SIGNATURE_LEN));
        }
        if bytes.is_empty() {
            return Err(Error::malformed(format!(
                "Signature member {shown:?} is empty"
            )));
        }
        Ok(UnverifiedMessageSignature {
            message,
            label: Arc::from(label),
            components: Arc::new(components),
            params: Arc::new(sig_params),
            signature_params,
            signature: bytes,
        })
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The claimed key id (`keyid`).
    pub fn claimed_key_id(&self) -> Option<&str> {
        self.params.keyid.as_deref()
    }

    /// The claimed `alg` (only ever compared with the key's algorithm, never used to choose it).
    pub fn claimed_algorithm(&self) -> Option<&str> {
        self.params.alg.as_deref()
    }

    /// The claimed `created` time (Unix seconds).
    pub fn claimed_created(&self) -> Option<i64> {
        self.params.created
    }

    /// The claimed `expires` time (Unix seconds).
    pub fn claimed_expires(&self) -> Option<i64> {
        self.params.expires
    }

    /// The claimed `nonce`.
    pub fn claimed_nonce(&self) -> Option<&str> {
        self.params.nonce.as_deref()
    }

    /// The claimed `tag`.
    pub fn claimed_tag(&self) -> Option<&str> {
        self.params.tag.as_deref()
    }

    /// The covered components, in signed order.
    pub fn covered_components(&self) -> &[Component] {
        &self.components
    }

    /// The serialised signature parameters (the `@signature-params` value).
    pub fn signature_params(&self) -> &str {
        &self.signature_params
    }

    /// The claimed signature's bytes (for [`crate::explain`]).
    pub(crate) fn claimed_signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signature base this signature should have been made over.
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] when a covered component is missing from the message; [`ErrorKind::TooLarge`].
    pub fn signature_base(&self) -> Result<String> {
        components::signature_base(self.message, &self.components, &self.signature_params)
    }

    /// Looks the key up by the claimed `keyid` with `lookup`, then [`UnverifiedMessageSignature::verify`]. A
    /// missing `keyid` is passed as `""` when the policy does not require one.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownKey`] when `lookup` returns `None`; otherwise as
    /// [`UnverifiedMessageSignature::verify`].
    pub fn verify_with<K: Borrow<MessageVerifyingKey>>(
        &self,
        policy: &MessagePolicy,
        lookup: impl FnOnce(&str) -> Option<K>,
    ) -> Result<VerifiedMessageSignature> {
        if policy.require_key_id && self.params.keyid.is_none() {
            return Err(Error::malformed("the signature has no keyid parameter"));
        }
        let keyid = self.params.keyid.as_deref().unwrap_or("");
        let key = lookup(keyid).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownKey,
                format!(
                    "no key is known under the keyid {:?}",
                    crate::encoding::clip(keyid, 64)
                ),
            )
        })?;
        self.verify(key.borrow(), policy)
    }

    /// Checks the signature with `key` under `policy` (the steps are in the [module documentation](self)).
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] (label, parameters, a required component not covered, a covered component missing
    /// from the message), [`ErrorKind::UnsupportedAlgorithm`] (`alg` differs from the key's algorithm),
    /// [`ErrorKind::NotYetValid`], [`ErrorKind::Expired`], [`ErrorKind::BadSignature`] (signature, or body against
    /// `Content-Digest`), [`ErrorKind::Replayed`]; a nonce store's own errors ([`ErrorKind::Unavailable`]) are
    /// passed on, refusing the signature.
    pub fn verify(
        &self,
        key: &MessageVerifyingKey,
        policy: &MessagePolicy,
    ) -> Result<VerifiedMessageSignature> {
        let p = &self.params;
        if let Some(wanted) = &policy.label {
            if wanted.as_str() != &*self.label {
                return Err(Error::malformed(format!(
                    "the signature labelled {:?} was not the one requested",
                    crate::encoding::clip(&self.label, 32)
                )));
            }
        }
        if !policy.allow_unknown_params {
            if let Some(name) = p.unknown.first() {
                return Err(Error::malformed(format!(
                    "signature parameter {name:?} is not allowed"
                )));
            }
        }
        if policy.require_key_id && p.keyid.is_none() {
            return Err(Error::malformed("the signature has no keyid parameter"));
        }
        if policy.require_created && p.created.is_none() {
            return Err(Error::malformed("the signature has no created parameter"));
        }
        if policy.require_nonce && p.nonce.is_none() {
            return Err(Error::malformed("the signature has no nonce parameter"));
        }
        for required in &policy.required {
            if !self.components.contains(required) {
                return Err(Error::malformed(format!(
                    "the signature does not cover the required component {required}"
                )));
            }
        }
        let digest_component = self.components.iter().find(|c| {
            c.name() == "content-digest" && !c.is_from_request() && c.dictionary_key().is_none()
        });
        let check_digest = policy.check_content_digest
            || (policy.require_body_digest && self.message.body().is_some_and(|b| !b.is_empty()));
        if check_digest && digest_component.is_none() {
            return Err(Error::malformed(
                "the signature does not cover content-digest, which the policy checks",
            ));
        }
        if let Some(alg) = &p.alg {
            if alg != key.algorithm().name() {
                return Err(Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "the signature's alg {:?} is not the key's algorithm {}",
                        crate::encoding::clip(alg, 32),
                        key.algorithm()
                    ),
                ));
            }
        }

        let now = policy.clock.now().secs();
        let skew = i64::try_from(policy.clock_skew.as_secs()).unwrap_or(i64::MAX);
        let max_age = policy
            .max_age
            .map(|a| i64::try_from(a.as_secs()).unwrap_or(i64::MAX));
        if let Some(created) = p.created {
            if created > now.saturating_add(skew) {
                return Err(Error::new(
                    ErrorKind::NotYetValid,
                    "the signature's created time is in the future",
                ));
            }
        }
        if let Some(expires) = p.expires {
            if expires < now.saturating_sub(skew) {
                return Err(Error::new(
                    ErrorKind::Expired,
                    "the signature's expires time has passed",
                ));
            }
        }
        if let (Some(created), Some(age)) = (p.created, max_age) {
            if created.saturating_add(age) < now.saturating_sub(skew) {
                return Err(Error::new(
                    ErrorKind::Expired,
                    format!("the signature is older than the maximum age of {age} s"),
                ));
            }
        }

        // The base is written into this thread's reusable buffer (no allocation per verification).
        let seen = with_base_buffer(|base| -> Result<Option<String>> {
            components::write_signature_base(
                self.message,
                &self.components,
                &self.signature_params,
                base,
            )?;
            key.verify(base.as_bytes(), &self.signature)?;
            Ok((p.nonce.is_none() && policy.remember_signatures)
                .then(|| seen_signature_value(p.keyid.as_deref().unwrap_or(""), base.as_bytes())))
        })?;

        let body_checked = if check_digest {
            let value = self
                .message
                .headers()
                .get("content-digest")
                .ok_or_else(|| Error::malformed("the message has no Content-Digest header"))?;
            digest::check_content_digest(&value, self.message.body().unwrap_or_default())?;
            true
        } else {
            false
        };

        let replay_value = match &p.nonce {
            Some(nonce) => Some(format!(
                "rfc9421:{keyid_len}:{keyid}:{nonce}",
                keyid_len = p.keyid.as_deref().unwrap_or("").len(),
                keyid = p.keyid.as_deref().unwrap_or("")
            )),
            None => seen,
        };
        if let (Some(store), Some(value)) = (&policy.nonce_store, replay_value) {
            let bound_by_age = p.created.zip(max_age).map(|(c, a)| c.saturating_add(a));
            let until = match (p.expires, bound_by_age) {
                (Some(e), Some(a)) => e.min(a),
                (Some(e), None) => e,
                (None, Some(a)) => a,
                // No age limit and no expires: the signature never stops passing the time checks, so no
                // retention is complete; remember the value for a bounded day rather than forever.
                (None, None) => now.saturating_add(UNBOUNDED_REPLAY_RETENTION),
            };
            let until = UnixTime::from_secs(until.saturating_add(skew).saturating_add(1));
            store.check_and_insert(value.as_bytes(), until, UnixTime::from_secs(now))?;
        }

        Ok(VerifiedMessageSignature {
            label: Arc::clone(&self.label),
            algorithm: key.algorithm(),
            components: Arc::clone(&self.components),
            params: Arc::clone(&self.params),
            body_checked,
        })
    }
}

thread_local! {
    /// Each thread's signature base buffer, reused by every verification on it (cleared before each use).
    static BASE_BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` with this thread's signature base buffer, taken out of its slot for the call (so a nested
/// verification, say from a nonce store, finds the slot empty and uses a fresh buffer) and put back after it,
/// cleared. A buffer that grew past twice [`MAX_SIGNATURE_BASE_LEN`] is not kept.
fn with_base_buffer<R>(f: impl FnOnce(&mut String) -> R) -> R {
    let mut buf = BASE_BUFFER
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut b| std::mem::take(&mut *b))
                .ok()
        })
        .ok()
        .flatten()
        .unwrap_or_default();
    buf.clear();
    let out = f(&mut buf);
    buf.clear();
    if buf.capacity() <= 2 * MAX_SIGNATURE_BASE_LEN {
        let _ = BASE_BUFFER.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                if slot.capacity() < buf.capacity() {
                    *slot = buf;
                }
            }
        });
    }
    out
}

/// The value seen-signature mode records for a verified signature without a nonce: `rfc9421-sig:` and the hex
/// SHA-256 of the length-prefixed key id and the signature base. Never the signature's bytes: an ECDSA signature
/// has a second encoding (`(r, n - s)`), so a store keyed on bytes would accept a replay written the other way.
/// The signature base is what the signer vouched for, and it has one encoding.
fn seen_signature_value(keyid: &str, base: &[u8]) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(format!("{}:{keyid}:", keyid.len()));
    h.update(base);
    format!("rfc9421-sig:{}", crate::encoding::hex_lower(&h.finalize()))
}

/// A signature that verified: its label, key id, algorithm, covered components and parameters, now trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedMessageSignature {
    label: Arc<str>,
    algorithm: HttpSignatureAlgorithm,
    components: Arc<Vec<Component>>,
    params: Arc<SigParams>,
    body_checked: bool,
}

impl VerifiedMessageSignature {
    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The key id (`keyid`; present unless the policy did not require one).
    pub fn key_id(&self) -> Option<&str> {
        self.params.keyid.as_deref()
    }

    /// The algorithm of the key that verified it.
    pub fn algorithm(&self) -> HttpSignatureAlgorithm {
        self.algorithm
    }

    /// The covered components, in signed order.
    pub fn covered_components(&self) -> &[Component] {
        &self.components
    }

    /// Whether `component` is covered.
    pub fn covers(&self, component: &Component) -> bool {
        self.components.contains(component)
    }

    /// `created` (Unix seconds).
    pub fn created(&self) -> Option<i64> {
        self.params.created
    }

    /// `expires` (Unix seconds).
    pub fn expires(&self) -> Option<i64> {
        self.params.expires
    }

    /// `nonce`.
    pub fn nonce(&self) -> Option<&str> {
        self.params.nonce.as_deref()
    }

    /// `tag`.
    pub fn tag(&self) -> Option<&str> {
        self.params.tag.as_deref()
    }

    /// `alg`, if the signature carried it (it equals [`VerifiedMessageSignature::algorithm`]).
    pub fn alg_param(&self) -> Option<&str> {
        self.params.alg.as_deref()
    }

    /// Whether the body was checked against the covered `Content-Digest`.
    pub fn body_checked(&self) -> bool {
        self.body_checked
    }
}
