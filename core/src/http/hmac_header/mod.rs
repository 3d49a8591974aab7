//! Request signatures in the format of django-hmac-authentication (5.0.3):
//! `Authorization: HMAC-SHA256 <api_key>;<signature>;<utc_8601>`.
//!
//! # Format
//! * The client holds an `api_key` (a key id) and an API secret, handed out as base64 text; the HMAC key is the
//!   **decoded** secret ([`ApiSecret`]).
//! * `string_to_sign = [base64(HASH(canonical body))] + ";" + utc_8601`, where HASH is the SHA-2 of the scheme
//!   word (SHA-256, -384 or -512), the canonical body is Python's `json.dumps(json.loads(body),
//!   separators=(',', ':'))` ([`json`]), and the body hash is left out entirely (the text starts with `;`) when
//!   there is no body or the parsed body is false in Python (`{}`, `[]`, `""`, `0`, `null`, `false`, an empty
//!   form). `utc_8601` is signed exactly as sent.
//! * `signature = base64(HMAC-HASH(secret, string_to_sign))`; the header is
//!   `<HMAC-SHA256|HMAC-SHA384|HMAC-SHA512> <api_key>;<signature>;<utc_8601>`.
//! * Bodies are read by their `Content-Type` as Django REST framework reads them: `application/json` as JSON,
//!   `application/x-www-form-urlencoded` as a form ([`json::canonicalize_form`]); other body types are refused
//!   ([`Body::from_request`]).
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{ErrorKind, FixedClock};
//! use countermark::http::Request;
//! use countermark::http::hmac_header::{self, ApiSecret, HmacHeaderSigner, Policy};
//!
//! let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=")?;
//! let key = secret.key(countermark::Algorithm::HmacSha256)?;
//! let body = br#"{"a": 1, "b": 2}"#;
//!
//! // Client: sign at a given time (production code keeps the system clock).
//! let signer = HmacHeaderSigner::new("aff80c45-ca58-455f-a815-b051d470c7ba", key)?
//!     .with_clock(Arc::new(FixedClock::at_secs_f64(1_683_468_937.86256)));
//! let request = Request::new("POST", "/api/v1/resource/")?
//!     .with_header("Content-Type", "application/json")?
//!     .with_body(body);
//! let signed = signer.sign_request(&request)?;
//! assert_eq!(signed.string_to_sign(), "QyWM/3g/5wNtikMDP4MK38YOwDc4JHNUisdCuIgpJ3c=;2023-05-07T14:15:37.862560+00:00");
//!
//! // Server: parse, look the key up by the claimed id, verify.
//! let request = request.with_header("Authorization", signed.authorization())?;
//! let unverified = hmac_header::parse(&request)?.expect("an HMAC header");
//! assert_eq!(unverified.claimed_key_id(), "aff80c45-ca58-455f-a815-b051d470c7ba");
//! let policy = Policy::new(Arc::new(FixedClock::at_secs_f64(1_683_468_938.86256)));
//! let verified = unverified.verify(&secret, &policy)?;
//! assert_eq!(verified.key_id(), "aff80c45-ca58-455f-a815-b051d470c7ba");
//!
//! // Six seconds later the same header has expired.
//! let late = Policy::new(Arc::new(FixedClock::at_secs_f64(1_683_468_943.86256)));
//! assert_eq!(unverified.verify(&secret, &late).unwrap_err().kind(), ErrorKind::Expired);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Server rules
//! * [`parse`] returns `Ok(None)` — not this scheme — when there is no `Authorization` header, or it does not
//!   split on whitespace into exactly two words whose second splits on `;` into exactly three non-empty parts.
//!   A scheme word other than the three is [`ErrorKind::UnsupportedAlgorithm`]; a timestamp that Python's
//!   `datetime.fromisoformat` refuses ([Timestamps](#timestamps)) is [`ErrorKind::Malformed`], and so is one it
//!   reads without a zone, on which the reference server crashes. Repeated `Authorization` (or `Content-Type`)
//!   lines are malformed.
//! * Time, at microsecond precision through the [`Policy`] clock: a request stamped at or after *now* is
//!   [`ErrorKind::NotYetValid`] (the reference's `FutureRequestException`, so clocks must not run ahead of the
//!   server's); one more than [`DEFAULT_MAX_AGE`] (5 s, configurable) old is [`ErrorKind::Expired`]; exactly 5 s
//!   old is accepted.
//! * The signature is checked in constant time ([`HmacKey::verify`]).
//! * Key lookup is the caller's: a missing key is [`ErrorKind::UnknownKey`] in the caller's store, and so are
//!   revoked and expired keys (the reference's `RevokedKeyException` and `ExpiredKeyException`).
//!   [`UnverifiedHmacHeader::check_time`] lets the caller refuse stale requests before the lookup, in the
//!   reference's order.
//!
//! # Timestamps
//! The reference reads `utc_8601` with Python's `datetime.fromisoformat` and compares it with an aware "now", so
//! countermark accepts exactly the texts that function reads as an *aware* date-time on CPython 3.11, 3.12 and
//! 3.13 (which agree; checked against all three, 3.10 and older accepted far less), at the same instant, and
//! refuses the rest. The grammar, as the C implementation reads it:
//!
//! ```text
//! timestamp = date sep time zone
//! date      = YYYY "-" MM "-" DD / YYYYMMDD                  ; a real calendar date, years 0001-9999
//!           / YYYY "-W" ww [ "-" d ] / YYYY "W" ww [ d ]      ; ISO week date, d = 1-7 (default 1); week 53
//!                                                             ; only in years that have one
//! sep       = any one character                              ; "T", "t", " ", "x", "é", …
//! time      = HH [ [":"] MM [ [":"] SS ] ] [ ("." / ",") 1*DIGIT ]
//!                                                             ; HH 00-23, MM and SS 00-59; ":" all or none
//! zone      = "Z" / ("+" / "-") HH [ [":"] MM [ [":"] SS [ ("." / ",") 1*DIGIT ] ] ]
//! ```
//!
//! so `2023-05-07T14:15:37+0000`, `20230507T141537Z`, `2023-05-07t14:15:37Z`, `2023-05-07 14:15:37,5+00:00`,
//! `2023-W18-7T14Z` and `2023-05-07T14:15:37+05:30:15.5` are accepted. The parser's quirks are kept, since the
//! reference signs and accepts these texts:
//! * Fractions keep their first six digits (truncated, not rounded); further digits are skipped, and so is
//!   anything after seven or more digits up to the zone (`…37.1234567x+00:00`); `…37.+00:00` (an empty fraction
//!   before the zone) is accepted.
//! * Without separators, a digit after the seconds starts a fraction (`T1415375Z` is `14:15:37.5`); with them, a
//!   fourth `:` part is a fraction (`T14:15:37:5Z`). A fraction may follow the hour or minutes (`T14.5Z`).
//! * The zone's minutes and seconds are not range-checked (`+05:99` is `+06:39`); its magnitude must be below
//!   24 hours. A zone of zero whole seconds is UTC, its fraction dropped (`+00:00:00.5` is `Z`).
//! * `Z` must end the text; nothing may follow the zone.
//!
//! Refused: a date alone or a time without a zone (naive: the reference crashes), `24:00`, leap seconds,
//! non-ASCII digits, and anything else `fromisoformat` refuses. The signer ([`HmacHeaderSigner`]) stamps
//! `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`; [`HmacHeaderSigner::sign_at`] takes any accepted text without `;` or
//! whitespace.
//!
//! # Weaknesses of the format (kept for compatibility)
//! * **Only the body and the timestamp are signed**: not the method, the path, the query string or any other
//!   header. A captured header authenticates *any* request with the same body (or none) while it is fresh —
//!   a signed `GET` of one URL is also a valid `DELETE` of another.
//! * **No replay protection** inside the 5-second window: there is no nonce. Use RFC 9421 signatures
//!   (`http::message_signatures`) for new designs.
//! * The body is hashed after re-serialisation, so formatting is not covered (harmless), but a server must
//!   act on the *parsed* body it verified, never on another reading of the raw bytes.
//!
//! # Limits
//! JSON and form bodies: see [`json`] ([`json::MAX_LEN`] = 4 MiB, [`json::MAX_DEPTH`] = 256,
//! [`json::MAX_FORM_FIELDS`] = 1000). Header sizes: see [`crate::http`].

mod datetime;
pub mod json;
mod secret;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

pub(crate) use datetime::{
    format as format_datetime, micros_of, parse as parse_datetime, parse_isoformat, unix_time,
};
pub use secret::{
    decrypt_legacy_secret, encrypt_legacy_secret, ApiSecret, LegacyCipher, LEGACY_KDF_ITERATIONS,
    LEGACY_SALT_LEN,
};

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock, UnixTime};
use crate::error::{Error, ErrorKind, Result};
use crate::http::Request;
use crate::key::HmacKey;
use crate::replay::remember_signature;

/// How old a request may be by default (`HMAC_AUTH_REQUEST_TIMEOUT`): 5 seconds.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The whitespace of Python 3's `str.split()`.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The words of `s` split as Python's `str.split()` splits, when there are exactly two.
fn two_words(s: &str) -> Option<(&str, &str)> {
    fn two<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<(&'a str, &'a str)> {
        match (words.next(), words.next(), words.next()) {
            (Some(a), Some(b), None) => Some((a, b)),
            _ => None,
        }
    }
    if s.is_ascii() {
        // The same split, byte by byte: the ASCII characters `is_py_space` accepts.
        let space = |b: &u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x1c..=0x1f);
        two(s
            .as_bytes()
            .split(space)
            .filter(|w| !w.is_empty())
            .filter_map(|w| std::str::from_utf8(w).ok()))
    } else {
        two(s.split(is_py_space).filter(|w| !w.is_empty()))
    }
}

/// The value of a header that must appear at most once (trimmed of spaces and tabs): [`crate::http::Headers::single`].
pub(crate) fn single_header<'a>(request: &Request<'a>, name: &str) -> Result<Option<&'a str>> {
    request.headers().single(name)
}

/// A request body as the server reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body<'a> {
    /// No body, or an empty one: no body hash is signed.
    Empty,
    /// A JSON body (`application/json`), canonicalised by [`json::canonicalize`].
    Json(&'a [u8]),
    /// A form body (`application/x-www-form-urlencoded`), canonicalised by [`json::canonicalize_form`].
    Form(&'a [u8]),
}

impl<'a> Body<'a> {
    /// The body of `request`, typed by its `Content-Type` (media type compared case-insensitively, parameters
    /// ignored). A missing or empty body is [`Body::Empty`] whatever the type.
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] for a non-empty body of any other type (or without a type): the reference server
    /// cannot parse those (Django REST framework answers 415) and multipart bodies are not supported.
    pub fn from_request(request: &Request<'a>) -> Result<Self> {
        let body = match request.body() {
            Some(b) if !b.is_empty() => b,
            _ => return Ok(Body::Empty),
        };
        let content_type = single_header(request, "content-type")?.unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if media_type.eq_ignore_ascii_case("application/json") {
            Ok(Body::Json(body))
        } else if media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            Ok(Body::Form(body))
        } else {
            Err(Error::malformed(format!(
                "the HMAC header scheme signs JSON and form bodies only, not {:?}",
                crate::encoding::clip(media_type, 64)
            )))
        }
    }

    /// The canonical text whose hash is signed; `None` when no hash is signed (empty, or false in Python).
    ///
    /// # Errors
    /// As [`json::canonicalize`] and [`json::canonicalize_form`].
    pub fn canonical(&self) -> Result<Option<String>> {
        let text = match self {
            Body::Empty => return Ok(None),
            Body::Json(b) => json::canonicalize(b)?,
            Body::Form(b) => json::canonicalize_form(b)?,
        };
        Ok((!json::is_falsy(&text)).then_some(text))
    }
}

fn hash_b64(alg: Algorithm, data: &[u8]) -> String {
    use sha2::Digest as _;
    match alg {
        Algorithm::HmacSha384 => B64.encode(sha2::Sha384::digest(data)),
        Algorithm::HmacSha512 => B64.encode(sha2::Sha512::digest(data)),
        _ => B64.encode(sha2::Sha256::digest(data)),
    }
}

/// The canonical body (if any), its base64 hash, and the string to sign.
fn string_to_sign(
    alg: Algorithm,
    body: &Body<'_>,
    utc_8601: &str,
) -> Result<(Option<String>, Option<String>, String)> {
    let canonical = body.canonical()?;
    let hash = canonical.as_deref().map(|c| hash_b64(alg, c.as_bytes()));
    let sts = format!("{};{utc_8601}", hash.as_deref().unwrap_or(""));
    Ok((canonical, hash, sts))
}

/// Signs requests for one API key (client side).
#[derive(Clone)]
pub struct HmacHeaderSigner {
    key_id: String,
    key: HmacKey,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for HmacHeaderSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacHeaderSigner")
            .field("key_id", &self.key_id)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl HmacHeaderSigner {
    /// A signer for `key_id` (the reference's API key) with `key` (from [`ApiSecret::key`]; its algorithm picks the scheme word), using the
    /// system clock.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] unless the key is HMAC-SHA256, -SHA384 or -SHA512;
    /// [`ErrorKind::InvalidValue`] for an empty `key_id` or one holding whitespace or `;`.
    pub fn new(key_id: impl Into<String>, key: HmacKey) -> Result<Self> {
        secret::word_of(key.algorithm()).ok_or_else(|| secret::unsupported(key.algorithm()))?;
        let key_id = key_id.into();
        if key_id.is_empty() || key_id.chars().any(|c| c == ';' || is_py_space(c)) {
            return Err(Error::invalid_value(
                "the key id (API key) must be non-empty, without whitespace or ';'",
            ));
        }
        Ok(HmacHeaderSigner {
            key_id,
            key,
            clock: Arc::new(SystemClock),
        })
    }

    /// Uses `clock` for the timestamps.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Signs `body` now, stamped as the reference client stamps (`2023-05-07T14:15:37.862560+00:00`, without the
    /// fraction when it is zero).
    ///
    /// # Errors
    /// As [`HmacHeaderSigner::sign_at`]; [`ErrorKind::InvalidValue`] when the clock is outside the years 1..=9999.
    pub fn sign(&self, body: &Body<'_>) -> Result<SignedHmacHeader> {
        let now = micros_of(self.clock.now());
        let stamp = format_datetime(now, 'T')
            .ok_or_else(|| Error::invalid_value("the clock is outside the years 1..=9999"))?;
        self.sign_at(body, &format!("{stamp}+00:00"))
    }

    /// Signs the body of `request` now (see [`Body::from_request`] and [`HmacHeaderSigner::sign`]).
    ///
    /// # Errors
    /// As [`Body::from_request`] and [`HmacHeaderSigner::sign`].
    pub fn sign_request(&self, request: &Request<'_>) -> Result<SignedHmacHeader> {
        self.sign(&Body::from_request(request)?)
    }

    /// Signs `body` with the timestamp text `utc_8601`, signed verbatim.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when the server would refuse `utc_8601`: not a [timestamp](self#timestamps)
    /// with a zone, or holding `;` or whitespace (which would split the header); the body's errors as
    /// [`Body::canonical`].
    pub fn sign_at(&self, body: &Body<'_>, utc_8601: &str) -> Result<SignedHmacHeader> {
        let aware = parse_isoformat(utc_8601).is_some_and(|dt| dt.offset_micros.is_some());
        if !aware || utc_8601.contains(';') || utc_8601.chars().any(is_py_space) {
            return Err(Error::invalid_value(
                "the timestamp must be an ISO 8601 date-time with Z or an offset, as datetime.fromisoformat reads it, without ';' or whitespace",
            ));
        }
        let alg = self.key.algorithm();
        let (canonical_body, body_hash, string_to_sign) = string_to_sign(alg, body, utc_8601)?;
        let signature = self.key.sign(string_to_sign.as_bytes()).to_base64();
        let authorization = format!(
            "{} {};{signature};{utc_8601}",
            secret::word_of(alg).unwrap_or("HMAC-SHA256"),
            self.key_id
        );
        Ok(SignedHmacHeader {
            canonical_body,
            body_hash,
            string_to_sign,
            signature,
            authorization,
        })
    }
}

/// A signature made by [`HmacHeaderSigner`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHmacHeader {
    canonical_body: Option<String>,
    body_hash: Option<String>,
    string_to_sign: String,
    signature: String,
    authorization: String,
}

impl SignedHmacHeader {
    /// The value of the `Authorization` header to send.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The base64 signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The exact text that was MACed.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The canonical body that was hashed, if any.
    pub fn canonical_body(&self) -> Option<&str> {
        self.canonical_body.as_deref()
    }

    /// The base64 body hash, if any.
    pub fn body_hash(&self) -> Option<&str> {
        self.body_hash.as_deref()
    }
}

/// What the server accepts: the clock, how old a request may be ([`DEFAULT_MAX_AGE`]) and, optionally, a nonce
/// store for seen-signature mode. The type is shared with [`super::fost::Policy`]; this scheme's knob is
/// [`max_age`](super::TimePolicy::max_age).
pub type Policy = super::TimePolicy<super::HmacHeaderWindow>;

/// Reads the `Authorization` header of `request` (see the [module documentation](self) for the rules).
///
/// # Errors
/// `Ok(None)` when the header is absent or not of this scheme; [`ErrorKind::UnsupportedAlgorithm`] for another
/// `HMAC-…` method word; [`ErrorKind::Malformed`] for a bad timestamp or repeated `Authorization` lines.
pub fn parse<'a>(request: &Request<'a>) -> Result<Option<UnverifiedHmacHeader<'a>>> {
    let Some(header) = single_header(request, "authorization")? else {
        return Ok(None);
    };
    let Some((method, credentials)) = two_words(header) else {
        return Ok(None);
    };
    let mut parts = credentials.split(';');
    let (Some(api_key), Some(signature), Some(utc_8601), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    if api_key.is_empty() || signature.is_empty() || utc_8601.is_empty() {
        return Ok(None);
    }
    let algorithm = secret::algorithm_of(method).ok_or_else(|| {
        Error::new(
            ErrorKind::UnsupportedAlgorithm,
            format!(
                "unsupported HMAC method {:?}",
                crate::encoding::clip(method, 32)
            ),
        )
    })?;
    let signed_at = match parse_isoformat(utc_8601) {
        Some(dt) if dt.offset_micros.is_some() => dt.micros,
        Some(_) => {
            return Err(Error::malformed(
                "the timestamp has no UTC offset (Z or ±HH[:MM])",
            ))
        }
        None => {
            return Err(Error::malformed(
                "invalid date format in the Authorization header",
            ))
        }
    };
    Ok(Some(UnverifiedHmacHeader {
        algorithm,
        api_key,
        signature,
        utc_8601,
        signed_at,
        request: request.clone(),
    }))
}

/// A parsed header whose signature has not been checked. Everything it returns is *claimed*.
#[derive(Debug, Clone)]
pub struct UnverifiedHmacHeader<'a> {
    algorithm: Algorithm,
    api_key: &'a str,
    signature: &'a str,
    utc_8601: &'a str,
    signed_at: i64,
    request: Request<'a>,
}

impl<'a> UnverifiedHmacHeader<'a> {
    /// The claimed key id (the reference's API key): look its secret up with this.
    pub fn claimed_key_id(&self) -> &'a str {
        self.api_key
    }

    /// The algorithm of the scheme word.
    pub fn claimed_algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The claimed timestamp, as sent.
    pub fn claimed_timestamp(&self) -> &'a str {
        self.utc_8601
    }

    /// The claimed signing time.
    pub fn claimed_created(&self) -> UnixTime {
        unix_time(self.signed_at)
    }

    /// The string the signature is checked against, built from the body received (for [`crate::explain`]).
    pub(crate) fn expected_string_to_sign(&self) -> Result<String> {
        let body = Body::from_request(&self.request)?;
        Ok(string_to_sign(self.algorithm, &body, self.utc_8601)?.2)
    }

    /// The claimed signature, as sent (for [`crate::explain`]).
    pub(crate) fn claimed_signature(&self) -> &'a str {
        self.signature
    }

    /// Checks the time window only (before a key lookup, as the reference server does).
    ///
    /// # Errors
    /// [`ErrorKind::NotYetValid`] when stamped at or after now; [`ErrorKind::Expired`] when older than the
    /// policy's maximum age.
    pub fn check_time(&self, policy: &Policy) -> Result<()> {
        let now = i128::from(micros_of(policy.clock.now()));
        let signed = i128::from(self.signed_at);
        if signed >= now {
            return Err(Error::new(
                ErrorKind::NotYetValid,
                "the request is stamped in the future",
            ));
        }
        let timeout = i128::try_from(policy.window.as_micros()).unwrap_or(i128::MAX);
        if now - signed > timeout {
            return Err(Error::new(
                ErrorKind::Expired,
                format!(
                    "the request has expired: stamped {} ms ago, the maximum age is {} ms",
                    (now - signed) / 1000,
                    policy.window.as_millis()
                ),
            ));
        }
        Ok(())
    }

    /// Checks the time window, then the signature over the request's body with `secret`.
    ///
    /// # Errors
    /// As [`UnverifiedHmacHeader::check_time`]; the body's errors as [`Body::from_request`] and
    /// [`Body::canonical`]; [`ErrorKind::BadSignature`] when the signature does not match; in seen-signature
    /// mode ([`Policy::with_nonce_store`]) [`ErrorKind::Replayed`] for a second presentation, and the store's
    /// own errors ([`ErrorKind::Unavailable`]), which refuse the request.
    pub fn verify(&self, secret: &ApiSecret, policy: &Policy) -> Result<VerifiedHmacHeader> {
        self.check_time(policy)?;
        let key = secret.key_ref(self.algorithm)?;
        let (_, _, string_to_sign) = string_to_sign(
            self.algorithm,
            &Body::from_request(&self.request)?,
            self.utc_8601,
        )?;
        let tag = B64
            .decode(self.signature)
            .map_err(|_| Error::bad_signature())?;
        key.verify(string_to_sign.as_bytes(), &tag)?;
        if let Some(store) = &policy.nonce_store {
            let window = i64::try_from(policy.window.as_secs()).unwrap_or(i64::MAX);
            let until = UnixTime::from_secs(
                self.claimed_created()
                    .secs()
                    .saturating_add(window)
                    .saturating_add(2),
            );
            remember_signature(
                store.as_ref(),
                "hmac-header",
                self.api_key,
                self.signature,
                until,
                policy.clock.now(),
            )?;
        }
        Ok(VerifiedHmacHeader {
            api_key: self.api_key.to_string(),
            algorithm: self.algorithm,
            signed_at: self.claimed_created(),
        })
    }
}

/// A request whose signature and time window were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedHmacHeader {
    api_key: String,
    algorithm: Algorithm,
    signed_at: UnixTime,
}

impl VerifiedHmacHeader {
    /// The key id (the reference's API key) the request was signed with.
    pub fn key_id(&self) -> &str {
        &self.api_key
    }

    /// The algorithm it was signed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The signing time.
    pub fn created(&self) -> UnixTime {
        self.signed_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_words_of_ascii_split_as_the_char_predicate_does() {
        fn by_chars(s: &str) -> Option<(&str, &str)> {
            let mut words = s.split(is_py_space).filter(|w| !w.is_empty());
            match (words.next(), words.next(), words.next()) {
                (Some(a), Some(b), None) => Some((a, b)),
                _ => None,
            }
        }
        for b in 0u8..0x80 {
            let c = char::from(b);
            for s in [
                format!("HMAC-SHA256{c}k;s;t"),
                format!("{c}HMAC-SHA256 {c}k;s;t{c}"),
                format!("a{c}{c}b{c}c"),
                format!("a{c}"),
            ] {
                assert_eq!(two_words(&s), by_chars(&s), "{s:?}");
            }
        }
        for s in [
            "HMAC-SHA256\u{a0}k;s;t",
            "HMAC-SHA256\u{2003}k;s;t",
            "é x",
            "a\u{85}b c",
        ] {
            assert_eq!(two_words(s), by_chars(s), "{s:?}");
        }
    }
}
