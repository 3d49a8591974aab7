//! # countermark
//!
//! Service-to-service API authentication with one audited core: tokens in the `handshake` format, signed URLs
//! and signed data in the `ska` format, and (in later releases) HTTP request signatures (FOST, HMAC header,
//! RFC 9421) and asymmetric JWTs — byte-compatible with the Python libraries that made those formats, so
//! existing clients and servers keep working while they switch.
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Secret, Tokens};
//!
//! // Build the key once; it keeps its keyed hash state for every message.
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"a secret of 16+ bytes")?);
//! let tokens = Tokens::new(key).with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
//!
//! let token = tokens.create(&["user", "42"])?;
//! assert_eq!(tokens.verify(&token, Some(300))?.fields(), ["user", "42"]);
//!
//! let late = tokens.clone().with_clock(Arc::new(FixedClock::at_secs(1_700_000_301)));
//! assert_eq!(late.verify(&token, Some(300)).unwrap_err().kind(), ErrorKind::Expired);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! ## Guarantees
//! * MACs are compared in constant time; tags have no `==`.
//! * Secret bytes live in buffers wiped on drop and never appear in `Debug`, `Display` or error messages.
//! * Untrusted input never panics: every failure is an [`Error`] with a stable [`ErrorKind`].
//! * No function reads the system clock directly: every time check goes through a [`Clock`].
//! * Limits are explicit constants (token length, secret length) documented where they apply.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alg;
pub mod clock;
mod encoding;
pub mod error;
pub mod http;
pub mod jwt;
pub mod key;
pub mod random;
pub mod replay;
pub mod signed;
pub mod token;

pub use alg::{Algorithm, KeyType, SignatureAlgorithm};
pub use clock::{Clock, FixedClock, SystemClock, UnixTime};
pub use error::{Error, ErrorKind, Result};
pub use http::fost::{
    FostSigner, FostUrlSigner, UnverifiedFost, UnverifiedFostUrl, VerifiedFost, VerifiedFostUrl,
};
pub use http::hmac_header::{
    ApiSecret, HmacHeaderSigner, UnverifiedHmacHeader, VerifiedHmacHeader,
};
pub use http::{Request, Response};
pub use jwt::{UnverifiedJwt, VerifiedJwt};
pub use key::{HmacKey, KeyId, KeyRing, Secret, SigningKey, Tag, VerifyingKey};
pub use random::{FixedRandom, OsRandom, RandomSource};
pub use replay::{MemoryNonceStore, NonceStore};
pub use signed::{
    Expiry, Extra, Failure, ParamNames, Rejection, Signature, SignedData, UrlSigner, ValidUntil,
    Value,
};
pub use token::{Tokens, UnverifiedToken, VerifiedToken, MAX_TOKEN_LEN};

/// The version of this crate (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's Rust examples, compiled and run as doctests so they cannot drift.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
