//! Explanations of a verification, for operators: why a request was accepted or refused.
//!
//! Every unverified request credential has an `explain` method ([`UnverifiedFost::explain`],
//! [`UnverifiedFostUrl::explain`], [`UnverifiedHmacHeader::explain`], [`UnverifiedMessageSignature::explain`],
//! [`UnverifiedJwt::explain`]) that runs the same verification as `verify` and reports, as an [`Explanation`]:
//! the verdict (`valid`, or the reason name of the refusal: [`verdict_name`]), the string to sign (signature
//! base) the server built from the request it *received*, the components or headers it covers, the time-window
//! verdict, the signature received and — with a shared-secret key — the signature expected. It never holds the
//! key itself; the expected signature of a refused request is only a MAC over what was received, so show it to
//! the operator, not to the client (the Django app does so only with `DEBUG` on).
//!
//! Explaining consults no replay store: it neither records nor checks nonces and seen signatures, so explaining a
//! request does not make its real verification fail as a replay, and a replayed request explains as it would
//! verify the first time ([`Explanation::replay_checked`] is always `false`).
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{FixedClock, Secret};
//! use countermark::http::Request;
//! use countermark::http::fost::{self, FostSigner, Policy};
//!
//! let key = fost::hmac_key(&Secret::legacy(*b"secret-value")?);
//! let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
//! let signed = FostSigner::new("key-value", key.clone())?.with_clock(clock.clone())
//!     .sign_at(&Request::new("POST", "/")?.with_body(b"sent"), &[], "2011-04-27 03:26:37")?;
//!
//! // The body was changed on the way.
//! let mut received = Request::new("POST", "/")?.with_body(b"changed");
//! for (name, value) in signed.headers() {
//!     received = received.with_header(name, value)?;
//! }
//! let explanation = fost::parse(&received)?.expect("a FOST request").explain(Some(&key), &Policy::new(clock));
//! assert_eq!(explanation.verdict(), "bad_signature");
//! assert!(explanation.string_to_sign().unwrap().ends_with("\nchanged"));
//! assert_ne!(explanation.expected_signature(), Some(explanation.received_signature()));
//! # Ok::<(), countermark::Error>(())
//! ```

use std::fmt::Write as _;
use std::sync::Arc;

use base64::Engine as _;

use crate::error::{Error, ErrorKind, Result};
use crate::http::fost::{self, UnverifiedFost, UnverifiedFostUrl};
use crate::http::hmac_header::{self, ApiSecret, UnverifiedHmacHeader};
use crate::http::message_signatures::{
    MessagePolicy, MessageVerifyingKey, UnverifiedMessageSignature,
};
use crate::jwt::{self, UnverifiedJwt};
use crate::key::{HmacKey, VerifyingKey};
use crate::replay::MemoryNonceStore;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The verdict name of a verification result: `"valid"`, or the refusal's [`ErrorKind::as_str`]
/// (`"bad_signature"`, `"expired"`, …) — the reason names of the test vectors and of the Django app's 401 body.
///
/// ```
/// use countermark::{Error, ErrorKind};
/// use countermark::explain::verdict_name;
///
/// assert_eq!(verdict_name(&Ok::<(), Error>(())), "valid");
/// assert_eq!(verdict_name::<()>(&Err(Error::new(ErrorKind::Expired, "late"))), "expired");
/// ```
pub fn verdict_name<T>(result: &Result<T>) -> &'static str {
    match result {
        Ok(_) => "valid",
        Err(e) => e.kind().as_str(),
    }
}

/// The time-window part of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeWindow {
    /// The credential's times are within the policy's window.
    Ok,
    /// The credential is too old (or past its expiry).
    Expired,
    /// The credential is dated in the future beyond the allowed skew.
    NotYetValid,
    /// Verification stopped before the time check (a malformed credential, an unsupported algorithm, no key).
    NotChecked,
}

impl TimeWindow {
    /// `ok`, `expired`, `not_yet_valid` or `not_checked`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeWindow::Ok => "ok",
            TimeWindow::Expired => "expired",
            TimeWindow::NotYetValid => "not_yet_valid",
            TimeWindow::NotChecked => "not_checked",
        }
    }

    /// What a verification result says about the time window. Every scheme checks the time window before the
    /// signature, so a result past it (valid, a bad signature, a body that does not match its digest) says the
    /// window was fine.
    fn of(result: &Result<()>, checked_after_time: &[ErrorKind]) -> Self {
        match result {
            Ok(()) => TimeWindow::Ok,
            Err(e) => match e.kind() {
                ErrorKind::Expired => TimeWindow::Expired,
                ErrorKind::NotYetValid => TimeWindow::NotYetValid,
                kind if checked_after_time.contains(&kind) => TimeWindow::Ok,
                _ => TimeWindow::NotChecked,
            },
        }
    }
}

/// Why a credential verified or not: see the [module documentation](self). Holds no key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    scheme: &'static str,
    error: Option<Error>,
    algorithm: Option<String>,
    key_id: Option<String>,
    string_to_sign: Option<String>,
    components: Vec<String>,
    time_window: TimeWindow,
    created: Option<i64>,
    expires: Option<i64>,
    received_signature: String,
    expected_signature: Option<String>,
    signature_matches: Option<bool>,
}

impl Explanation {
    fn new(scheme: &'static str, result: Result<()>, time_window: TimeWindow) -> Self {
        Explanation {
            scheme,
            error: result.err(),
            algorithm: None,
            key_id: None,
            string_to_sign: None,
            components: Vec::new(),
            time_window,
            created: None,
            expires: None,
            received_signature: String::new(),
            expected_signature: None,
            signature_matches: None,
        }
    }

    /// The explanation of a request refused before its credential could be read (`error` from the scheme's
    /// `parse`, or from [`crate::http::raw::parse_request`]): only the scheme and the verdict.
    pub fn refused_at_parse(scheme: &'static str, error: Error) -> Self {
        Explanation::new(scheme, Err(error), TimeWindow::NotChecked)
    }

    /// The scheme: `fost`, `fost-url`, `hmac`, `rfc9421` or `jwt` (the names of `countermark request sign` and
    /// of the Django app's `COUNTERMARK["SCHEMES"]`).
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// `"valid"` or the refusal's reason name ([`verdict_name`]).
    pub fn verdict(&self) -> &'static str {
        self.error.as_ref().map_or("valid", |e| e.kind().as_str())
    }

    /// Whether the credential verified (replays aside: [`Explanation::replay_checked`]).
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
    }

    /// The refusal, when there is one (its message never holds secret material).
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// The algorithm, in its one spelling (`hmac-sha256`, `ed25519`, …), when known.
    pub fn algorithm(&self) -> Option<&str> {
        self.algorithm.as_deref()
    }

    /// The claimed key id (FOST key, HMAC-header API key, RFC 9421 `keyid`, JWT `kid`), when there is one.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// What the server MACs or verifies, built from the request as received: FOST's document, the HMAC header's
    /// string to sign, the RFC 9421 signature base, the JWS signing input. `None` when it cannot be built (a
    /// covered component missing from the request, a body of another type). Bytes that are not UTF-8 (in a
    /// signed body) are shown as U+FFFD.
    pub fn string_to_sign(&self) -> Option<&str> {
        self.string_to_sign.as_deref()
    }

    /// The parts of the request the signature covers, in signed order (header names, RFC 9421 components).
    pub fn components(&self) -> &[String] {
        &self.components
    }

    /// The time-window verdict.
    pub fn time_window(&self) -> TimeWindow {
        self.time_window
    }

    /// The claimed signing time (Unix seconds), when the credential has one.
    pub fn created(&self) -> Option<i64> {
        self.created
    }

    /// The claimed expiry (Unix seconds), when the credential has one.
    pub fn expires(&self) -> Option<i64> {
        self.expires
    }

    /// The signature received, in the encoding of the wire format (base64; base64url for JWTs).
    pub fn received_signature(&self) -> &str {
        &self.received_signature
    }

    /// The signature the server expected, in the same encoding: only for shared-secret schemes explained with
    /// their key, and only when the string to sign could be built. Asymmetric schemes have none (the server
    /// holds no private key).
    pub fn expected_signature(&self) -> Option<&str> {
        self.expected_signature.as_deref()
    }

    /// Whether the received signature verifies over [`Explanation::string_to_sign`] with the key (checked in
    /// constant time, whatever the time window says); `None` without a key or a string to sign.
    pub fn signature_matches(&self) -> Option<bool> {
        self.signature_matches
    }

    /// Always `false`: explaining never reads or writes a nonce store (see the [module documentation](self)).
    pub fn replay_checked(&self) -> bool {
        false
    }

    /// The explanation as one JSON object: `scheme`, `verdict`, `message` (the refusal's message, or null),
    /// `algorithm`, `key_id`, `string_to_sign`, `components`, `time_window`, `created`, `expires`,
    /// `received_signature`, `expected_signature`, `signature_matches`, `replay_checked`; absent values are null.
    pub fn to_json(&self) -> String {
        let opt_str = |v: Option<&str>| v.map_or(serde_json::Value::Null, Into::into);
        let value = serde_json::json!({
            "scheme": self.scheme,
            "verdict": self.verdict(),
            "message": opt_str(self.error.as_ref().map(Error::message)),
            "algorithm": opt_str(self.algorithm()),
            "key_id": opt_str(self.key_id()),
            "string_to_sign": opt_str(self.string_to_sign()),
            "components": self.components,
            "time_window": self.time_window.as_str(),
            "created": self.created,
            "expires": self.expires,
            "received_signature": self.received_signature,
            "expected_signature": opt_str(self.expected_signature()),
            "signature_matches": self.signature_matches,
            "replay_checked": self.replay_checked(),
        });
        value.to_string()
    }

    /// The explanation as text, one `name: value` step per line (multi-line values such as the string to sign
    /// are indented by two spaces; control characters such as tabs and carriage returns are shown escaped, `\t`, `\r`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |name: &str, value: &str| {
            let _ = writeln!(out, "{name}: {value}");
        };
        line("scheme", self.scheme);
        line("verdict", self.verdict());
        if let Some(e) = &self.error {
            line("message", e.message());
        }
        if let Some(alg) = self.algorithm() {
            line("algorithm", alg);
        }
        if let Some(key_id) = self.key_id() {
            line("key_id", key_id);
        }
        if !self.components.is_empty() {
            line("components", &self.components.join(" "));
        }
        line("time_window", self.time_window.as_str());
        if let Some(created) = self.created {
            line("created", &created.to_string());
        }
        if let Some(expires) = self.expires {
            line("expires", &expires.to_string());
        }
        match self.string_to_sign() {
            None => line("string_to_sign", "(not built)"),
            Some(text) => {
                let _ = writeln!(out, "string_to_sign:");
                for l in text.split('\n') {
                    let mut escaped = String::with_capacity(l.len());
                    for c in l.chars() {
                        if c.is_control() {
                            escaped.extend(c.escape_debug());
                        } else {
                            escaped.push(c);
                        }
                    }
                    let _ = writeln!(out, "  {escaped}");
                }
            }
        }
        let mut line = |name: &str, value: &str| {
            let _ = writeln!(out, "{name}: {value}");
        };
        line("received_signature", &self.received_signature);
        line(
            "expected_signature",
            self.expected_signature().unwrap_or("(not computed)"),
        );
        line(
            "signature_matches",
            match self.signature_matches {
                Some(true) => "yes",
                Some(false) => "no",
                None => "(not checked)",
            },
        );
        line(
            "replay_checked",
            "no (explaining never touches the nonce store)",
        );
        out
    }

    /// Fills in the string to sign and, given an HMAC key, the expected signature and whether the received one
    /// (already decoded from `received`) matches.
    fn with_hmac(
        mut self,
        document: Option<&[u8]>,
        received: &str,
        decoded: Option<Vec<u8>>,
        key: Option<&HmacKey>,
    ) -> Self {
        self.received_signature = received.to_string();
        self.string_to_sign = document.map(|d| String::from_utf8_lossy(d).into_owned());
        if let (Some(document), Some(key)) = (document, key) {
            self.expected_signature = Some(key.sign(document).to_base64());
            self.signature_matches = Some(
                decoded
                    .as_deref()
                    .is_some_and(|tag| key.verify(document, tag).is_ok()),
            );
        }
        self
    }
}

fn unknown_key(what: &str) -> Error {
    Error::new(
        ErrorKind::UnknownKey,
        format!("no {what} was given to explain the signature with"),
    )
}

impl UnverifiedFost<'_> {
    /// Explains [`UnverifiedFost::verify`] with `key` (`None`: verdict `unknown_key`) under `policy`, without
    /// its seen-signature store.
    pub fn explain(&self, key: Option<&HmacKey>, policy: &fost::Policy) -> Explanation {
        let result = match key {
            Some(key) => self.verify(key, &without_replay_fost(policy)).map(drop),
            None => Err(unknown_key("key")),
        };
        let time = TimeWindow::of(&result, &[ErrorKind::BadSignature]);
        let mut e = Explanation::new("fost", result, time);
        e.algorithm = Some(crate::Algorithm::HmacSha1.name().to_string());
        e.key_id = Some(self.claimed_key_id().to_string());
        e.created = Some(self.claimed_created().secs());
        e.components = self
            .claimed_signed_headers()
            .iter()
            .map(|(name, _)| name.to_string())
            .collect();
        let received = self.claimed_signature();
        let document = self.signed_document();
        e.with_hmac(Some(&document), received, B64.decode(received).ok(), key)
    }
}

impl UnverifiedFostUrl {
    /// Explains [`UnverifiedFostUrl::verify`] with `key` (`None`: verdict `unknown_key`) under `policy`.
    pub fn explain(&self, key: Option<&HmacKey>, policy: &fost::Policy) -> Explanation {
        let result = match key {
            Some(key) => self.verify(key, policy).map(drop),
            None => Err(unknown_key("key")),
        };
        let time = TimeWindow::of(&result, &[ErrorKind::BadSignature]);
        let mut e = Explanation::new("fost-url", result, time);
        e.algorithm = Some(crate::Algorithm::HmacSha1.name().to_string());
        e.key_id = Some(self.claimed_key_id().to_string());
        e.expires = self.claimed_expires();
        e.components = ["host", "path", "query", "_e"].map(String::from).to_vec();
        let received = self.claimed_signature().to_string();
        let decoded = B64.decode(&received).ok();
        e.with_hmac(
            Some(self.signed_document().as_bytes()),
            &received,
            decoded,
            key,
        )
    }
}

fn without_replay_fost(policy: &fost::Policy) -> fost::Policy {
    // A store of its own, dropped afterwards: the caller's store is neither read nor written.
    policy
        .clone()
        .with_nonce_store(Arc::new(MemoryNonceStore::new(16)))
}

impl UnverifiedHmacHeader<'_> {
    /// Explains [`UnverifiedHmacHeader::verify`] with `secret` (`None`: verdict `unknown_key`) under `policy`,
    /// without its seen-signature store. The string to sign is built from the body received.
    pub fn explain(&self, secret: Option<&ApiSecret>, policy: &hmac_header::Policy) -> Explanation {
        let replay_free = policy
            .clone()
            .with_nonce_store(Arc::new(MemoryNonceStore::new(16)));
        let result = match secret {
            Some(secret) => self.verify(secret, &replay_free).map(drop),
            None => Err(unknown_key("API secret")),
        };
        // The body is read after the time check: a body the scheme cannot read says the window was fine too.
        let time = TimeWindow::of(&result, &[ErrorKind::BadSignature, ErrorKind::Malformed]);
        let mut e = Explanation::new("hmac", result, time);
        e.algorithm = Some(self.claimed_algorithm().name().to_string());
        e.key_id = Some(self.claimed_key_id().to_string());
        e.created = Some(self.claimed_created().secs());
        e.components = ["body", "timestamp"].map(String::from).to_vec();
        let document = self.expected_string_to_sign().ok();
        let key = secret.and_then(|s| s.key_ref(self.claimed_algorithm()).ok());
        let received = self.claimed_signature();
        e.with_hmac(
            document.as_deref().map(str::as_bytes),
            received,
            B64.decode(received).ok(),
            key,
        )
    }
}

impl UnverifiedMessageSignature<'_> {
    /// Explains [`UnverifiedMessageSignature::verify`] with `key` (`None`: verdict `unknown_key`) under
    /// `policy`, without its nonce store. With an `hmac-sha256` key the expected signature is given; with a
    /// public key only whether the received one verifies.
    pub fn explain(
        &self,
        key: Option<&MessageVerifyingKey>,
        policy: &MessagePolicy,
    ) -> Explanation {
        let result = match key {
            Some(key) => self
                .verify(key, &policy.clone().without_nonce_store())
                .map(drop),
            None => Err(unknown_key("key")),
        };
        let time = TimeWindow::of(&result, &[ErrorKind::BadSignature]);
        let mut e = Explanation::new("rfc9421", result, time);
        e.algorithm = key
            .map(|k| k.algorithm().name().to_string())
            .or_else(|| self.claimed_algorithm().map(str::to_string));
        e.key_id = self.claimed_key_id().map(str::to_string);
        e.created = self.claimed_created();
        e.expires = self.claimed_expires();
        e.components = self
            .covered_components()
            .iter()
            .map(ToString::to_string)
            .collect();
        e.components.push("@signature-params".to_string());
        let base = self.signature_base().ok();
        e.received_signature = B64.encode(self.claimed_signature());
        e.string_to_sign = base.clone();
        if let (Some(base), Some(key)) = (base, key) {
            let received = self.claimed_signature();
            if let Some(hmac) = key.hmac_key() {
                e.expected_signature = Some(hmac.sign(base.as_bytes()).to_base64());
            }
            e.signature_matches = Some(key.verify(base.as_bytes(), received).is_ok());
        }
        e
    }
}

impl UnverifiedJwt {
    /// Explains [`UnverifiedJwt::verify`] with `key` (`None`: verdict `unknown_key`) under `policy`, without its
    /// nonce store. The string to sign is the JWS signing input (`header.payload`, base64url); a JWT is signed
    /// with a private key, so there is no expected signature, only whether the received one verifies.
    pub fn explain(&self, key: Option<&VerifyingKey>, policy: &jwt::Policy) -> Explanation {
        let result = match key {
            Some(key) => self
                .verify(
                    key,
                    &policy
                        .clone()
                        .with_nonce_store(Arc::new(MemoryNonceStore::new(16))),
                )
                .map(drop),
            None => Err(unknown_key("public key")),
        };
        let time = TimeWindow::of(&result, &[ErrorKind::BadSignature]);
        let mut e = Explanation::new("jwt", result, time);
        e.algorithm = Some(self.claimed_algorithm().name().to_string());
        e.key_id = self.claimed_key_id().map(str::to_string);
        // The claimed time is a float: whole seconds, as everywhere else.
        e.created = Some(self.claimed_time().floor() as i64);
        e.components = ["header", "payload"].map(String::from).to_vec();
        e.string_to_sign = Some(self.signing_input().to_string());
        e.received_signature = B64URL.encode(self.claimed_signature());
        if let Some(key) = key {
            e.signature_matches = Some(
                key.allows(self.claimed_algorithm())
                    && key
                        .verify(
                            self.claimed_algorithm(),
                            self.signing_input().as_bytes(),
                            self.claimed_signature(),
                        )
                        .is_ok(),
            );
        }
        e
    }
}

#[cfg(test)]
mod tests;
