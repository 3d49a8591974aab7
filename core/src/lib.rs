//! # countermark
//!
//! Service-to-service API authentication with one audited core, byte-compatible with the Python libraries that
//! made each format, so existing clients and servers keep working while they switch:
//!
//! | module | format | reference |
//! |---|---|---|
//! | [`token`] | `field:…:timestamp:random:hexsig` tokens | handshake 0.2.1 |
//! | [`signed`] | signed URLs and signed data | ska 1.11.2 |
//! | [`http::fost`] | `Authorization: FOST key:sig` request and `_k/_e/_s` URL signatures | django-fost-authn 0.3.8 |
//! | [`http::hmac_header`] | `Authorization: HMAC-SHA256 key;sig;utc` | django-hmac-authentication 5.0.3 |
//! | [`http::message_signatures`] | RFC 9421 HTTP Message Signatures, RFC 9530 Content-Digest | the RFCs |
//! | [`jwt`] | `Authorization: JWT <token>` signed by a client's Ed25519/RSA key | asymmetric-jwt-auth 1.3.0 |
//! | [`replay`] | single-use nonces: in memory, or Redis (feature `redis`) | — |
//!
//! Every verifier is two-phase: `parse` gives an `Unverified…` value whose getters say *claimed*; the caller
//! looks the key up by the claimed key id or user; `verify(&key, &policy)` gives the trusted `Verified…` value.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Secret, Tokens};
//!
//! // Build the key once; it keeps its keyed hash state for every message.
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"a secret of 16+ bytes")?);
//! let tokens = Tokens::new(key).with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
//!
//! let token = tokens.create(&["user", "42"])?;
//! assert_eq!(tokens.verify(&token, Some(Duration::from_secs(300)))?.fields(), ["user", "42"]);
//!
//! let late = tokens.clone().with_clock(Arc::new(FixedClock::at_secs(1_700_000_301)));
//! assert_eq!(late.verify(&token, Some(Duration::from_secs(300))).unwrap_err().kind(), ErrorKind::Expired);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! ## Guarantees
//! * MACs are compared in constant time; tags have no `==`.
//! * Secret bytes live in buffers wiped on drop and never appear in `Debug`, `Display` or error messages
//!   (asymmetric private keys live inside `ring`, which does not wipe them; see [`SigningKey`]).
//! * Untrusted input never panics: every failure is an [`Error`] with a stable [`ErrorKind`].
//! * No function reads the system clock directly: every time check goes through a [`Clock`].
//! * Limits are explicit constants (token length, secret length) documented where they apply.
//!
//! ## One secret per scheme
//! The legacy formats are HMACs over texts that overlap: under one key and hash, a MAC made in one format can be a
//! valid MAC in another (a ska URL signature re-encoded from base64 to hex is a handshake token signature when the
//! signed text also parses as a token). Never share a secret between schemes or purposes; SECURITY.md has the
//! details, and what FOST leaves unsigned is in [`http::fost`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alg;
pub mod claims;
pub mod clock;
mod encoding;
pub mod error;
pub mod explain;
pub mod http;
pub mod jwt;
pub mod key;
pub mod random;
pub mod replay;
pub mod signed;
pub mod token;

pub use alg::{Algorithm, KeyType, SignatureAlgorithm};

/// The default policy of every request scheme, one [`describe`](http::fost::Policy::describe) line each (`fost`,
/// `hmac_header`, `rfc9421`, `jwt`). The core alone holds defaults: every binding's test compares the policy it
/// builds when its caller sets nothing with these lines, so a binding that restates (and so drifts from) a
/// default fails CI.
///
/// ```
/// let defaults = countermark::policy_defaults();
/// assert!(defaults.contains(&countermark::jwt::Policy::new().describe()));
/// assert_eq!(defaults.len(), 4);
/// ```
pub fn policy_defaults() -> Vec<String> {
    vec![
        http::fost::Policy::default().describe(),
        http::hmac_header::Policy::default().describe(),
        http::message_signatures::MessagePolicy::default().describe(),
        jwt::Policy::default().describe(),
    ]
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}
pub use claims::Claims;
pub use clock::{Clock, FixedClock, SystemClock, UnixTime};
pub use error::{Error, ErrorKind, Result};
pub use explain::{Explanation, TimeWindow};
pub use http::fost::{
    FostSigner, FostUrlSigner, UnverifiedFost, UnverifiedFostUrl, VerifiedFost, VerifiedFostUrl,
};
pub use http::hmac_header::{
    ApiSecret, HmacHeaderSigner, UnverifiedHmacHeader, VerifiedHmacHeader,
};
pub use http::message_signatures::{
    content_digest, verify_content_digest, DigestAlgorithm, HttpSignatureAlgorithm, MessagePolicy,
    MessageSigner, MessageVerifyingKey, SignatureHeaders, UnverifiedMessageSignature,
    VerifiedMessageSignature,
};
pub use http::{Request, Response};
pub use jwt::{UnverifiedJwt, VerifiedJwt};
pub use key::{HmacKey, KeyId, KeyRing, Secret, SigningKey, Tag, VerifyingKey};
pub use random::{FixedRandom, OsRandom, RandomSource};
pub use replay::{MemoryNonceStore, NonceStore};
pub use token::{TokenFields, Tokens, UnverifiedToken, VerifiedToken, MAX_TOKEN_LEN};

/// The version of this crate (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's Rust examples, compiled and run as doctests so they cannot drift.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
