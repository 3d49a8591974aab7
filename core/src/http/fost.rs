//! Request and URL signatures in the format of django-fost-authn (0.3.8). **Legacy**: HMAC-SHA1 only; prefer
//! RFC 9421 signatures (`http::message_signatures`) for anything new.
//!
//! # Request signatures
//! The client picks the headers to sign, in order, and sends:
//!
//! ```text
//! Authorization: FOST <key>:<signature>
//! X-FOST-Timestamp: 2011-04-27 03:26:37.625618
//! X-FOST-Headers: X-FOST-Headers X-FOST-User Content-Type
//! ```
//!
//! `signature = base64(HMAC-SHA1(secret, document))` (28 characters) over
//!
//! ```text
//! METHOD + " " + decoded path + "\n" + timestamp + "\n"
//!   + value of each header named in X-FOST-Headers, joined by "\n" + "\n" + (body, or the raw query if no body)
//! ```
//!
//! `X-FOST-Headers` names itself first, so its own value is the first signed line. The method and timestamp are
//! signed verbatim, the path percent-decoded (Django's `request.path`), the query raw.
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{ErrorKind, FixedClock, Secret};
//! use countermark::http::Request;
//! use countermark::http::fost::{self, FostSigner, Policy};
//!
//! let key = fost::hmac_key(&Secret::legacy(*b"secret-value")?);
//! let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
//!
//! // Client: the headers to sign are on the request already.
//! let request = Request::new("GET", "/")?.with_header("X-FOST-User", "admin")?;
//! let signer = FostSigner::new("key-value", key.clone())?.with_clock(clock.clone());
//! let signed = signer.sign_at(&request, &["X-FOST-User"], "2011-04-27 03:26:37.625618")?;
//! assert_eq!(signed.authorization(), "FOST key-value:ptU9LlwTy9srXJ/Orv2EzN0XBq0=");
//!
//! // Server: parse, look the secret up by the claimed key, verify.
//! let mut request = request;
//! for (name, value) in signed.headers() {
//!     request = request.with_header(name, value)?;
//! }
//! let unverified = fost::parse(&request)?.expect("a FOST request");
//! assert_eq!(unverified.claimed_key_id(), "key-value");
//! let verified = unverified.verify(&key, &Policy::new(clock))?;
//! assert_eq!(verified.user(), "admin");
//!
//! // Five minutes later the signature is refused.
//! let late = Policy::new(Arc::new(FixedClock::at_secs(1_303_875_098)));
//! assert_eq!(unverified.verify(&key, &late).unwrap_err().kind(), ErrorKind::Expired);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Server rules
//! * [`parse`] returns `Ok(None)` — not this scheme — unless `Authorization` splits on whitespace into exactly
//!   `FOST` and `key:signature`, with exactly one `:` and both sides non-empty.
//! * A missing `X-FOST-Timestamp` or `X-FOST-Headers`, a header named in `X-FOST-Headers` that is missing, a
//!   repeated one (or repeated `Authorization`, `X-FOST-Timestamp`, `X-FOST-Headers` lines: see
//!   [`crate::http`]), or a timestamp that is not `YYYY-MM-DD HH:MM:SS[.ffffff]` or
//!   `YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00|-00:00]` is [`ErrorKind::Malformed`]. A timestamp without a zone is
//!   UTC; one with another offset is refused (the reference ignores zones, so it would read another instant).
//! * The signing time is the **whole second** written in the timestamp: the fraction is signed but ignored for
//!   the time check, as the reference reads the first 19 characters (`strptime(ts[:19], '%Y-%m-%d %H:%M:%S')`).
//!   It must be *strictly* within [`DEFAULT_CLOCK_SKEW`] (300 s, configurable in [`Policy`]) of the clock (read to
//!   the microsecond), either way — `abs(now - signed) < skew`, exactly 300 s is refused —: older is
//!   [`ErrorKind::Expired`], newer [`ErrorKind::NotYetValid`]. So `10:20:30.9` is read as `10:20:30`, accepted
//!   until the clock reaches `10:25:30` (exclusive) and from `10:15:30` (exclusive).
//! * The signature is compared in constant time ([`HmacKey::verify_parts`]).
//! * The user is the UTF-7-decoded value of `X-FOST-User` (Python's `utf-7` codec, so `J+APw-rgen` is `Jürgen`)
//!   when `X-FOST-Headers` names it (exactly so spelled, as the reference checks), else the percent-decoded key.
//!   The signature covers the UTF-7 text as sent. A value that is not UTF-7 (a non-ASCII byte, `+` followed by
//!   neither `-` nor base64, a broken base64 run, a lone surrogate) is [`ErrorKind::Malformed`].
//!
//! # User names beyond ASCII
//! The client puts the user *name* on the request as `X-FOST-User` (any Unicode text); [`FostSigner`] signs its
//! UTF-7 text and, when that differs from the name (non-ASCII, `+`, `\`, `~`, controls), returns an
//! `X-FOST-User` line among [`FostSignature::headers`] that replaces the request's:
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{FixedClock, Secret};
//! use countermark::http::Request;
//! use countermark::http::fost::{self, FostSigner, Policy};
//!
//! let key = fost::hmac_key(&Secret::legacy(*b"secret-value")?);
//! let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
//! let request = Request::new("GET", "/")?.with_header("X-FOST-User", "Jürgen")?;
//! let signed = FostSigner::new("key-value", key.clone())?.with_clock(clock.clone())
//!     .sign(&request, &["X-FOST-User"])?;
//! assert_eq!(signed.x_fost_user(), Some("J+APw-rgen"));
//!
//! // As sent: the signer's lines, X-FOST-User replaced.
//! let mut sent = Request::new("GET", "/")?;
//! for (name, value) in signed.headers() {
//!     sent = sent.with_header(name, value)?;
//! }
//! let verified = fost::parse(&sent)?.expect("a FOST request").verify(&key, &Policy::new(clock))?;
//! assert_eq!(verified.user(), "Jürgen");
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # URL signatures
//! `GET`/`HEAD` URLs carrying `_k` (key), optional `_e` (expiry, Unix seconds) and `_s` (signature) query
//! parameters, with `_s = base64(HMAC-SHA1(secret, host + path + ["?" + query] + "\n" + expires))`, where the
//! query is the raw query without its `_k=`, `_e=` and `_s…` items and `expires` is the `_e` value (empty
//! without `_e`). See [`FostUrlSigner`] and [`parse_url`]. The URL is valid up to and including the instant
//! `_e` (one microsecond later it has expired, as in the reference, whose clock has microseconds).
//!
//! # Weaknesses of the format (kept for compatibility)
//! * **HMAC-SHA1**, with secrets of any length the deployment chose.
//! * **No replay protection**: a signed request can be sent again, unchanged, for as long as its timestamp is
//!   within the skew window (up to 10 minutes end to end); a signed URL for as long as it has not expired.
//! * **Not signed**: headers the client did not list, the query string whenever the request has a body, the
//!   scheme and host of requests; for URLs, the key (`_k`) and every query item starting with `_s` (so
//!   `_sort=…` can be changed freely).
//! * **A URL without `_e` never expires.** [`FostUrlSigner::sign`] takes the expiry explicitly; prefer one.
//!
//! # Differences from the reference
//! What the reference accepts and countermark accepts mean the same: the same signed document, the same signing
//! second, the same window, the same user. The differences all refuse what the reference would accept,
//! mishandle or crash on:
//! * The whole timestamp must match the grammar above (the reference reads the first 19 characters and ignores
//!   the rest), and a zone other than UTC is refused (the reference ignores it and reads another instant).
//! * Keys containing `+` are refused as [`ErrorKind::Malformed`] (the reference's middleware UTF-7-decodes a key
//!   when it can, which could name another key).
//! * `X-FOST-User` is decoded as Python 3's `utf-7` codec does, which refuses `+` followed by a character that
//!   is neither `-` nor base64 (`a+.b`); Python 2.7, the reference's runtime, drops that `+` and reads `a.b`.
//!   Non-ASCII header bytes and lone surrogates are refused (the reference crashes or yields a broken name).
//! * Repeated signed headers, an `_e` that is not an integer, repeated `_k`/`_e`/`_s` parameters and empty
//!   `_k`/`_s` values are [`ErrorKind::Malformed`] (the reference crashes or takes the last one).
//!
//! # Limits
//! `X-FOST-Headers` may name at most [`MAX_SIGNED_HEADERS`] headers; header and target sizes are bounded by
//! [`crate::http`].

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

use crate::alg::Algorithm;
use crate::clock::{Clock, SystemClock, UnixTime};
use crate::encoding::{clip, py_parse_qsl, py_quote};
use crate::error::{Error, ErrorKind, Result};
use crate::http::hmac_header::{
    format_datetime, micros_of, parse_datetime, single_header, unix_time,
};
use crate::http::{percent_decode, utf7, Request};
use crate::key::{HmacKey, Secret};
use crate::replay::remember_signature;

/// The default maximum clock skew (`FOST_AUTHN_MAXIMUM_CLOCK_SKEW`): 300 seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);
/// Most header names `X-FOST-Headers` may list (itself included).
pub const MAX_SIGNED_HEADERS: usize = 32;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The HMAC-SHA1 key for a FOST secret.
///
/// ```
/// use countermark::{Algorithm, Secret};
/// use countermark::http::fost;
///
/// let key = fost::hmac_key(&Secret::legacy(*b"secret-value")?);
/// assert_eq!(key.algorithm(), Algorithm::HmacSha1);
/// # Ok::<(), countermark::Error>(())
/// ```
pub fn hmac_key(secret: &Secret) -> HmacKey {
    HmacKey::new(Algorithm::HmacSha1, secret)
}

fn require_sha1(key: &HmacKey) -> Result<()> {
    if key.algorithm() == Algorithm::HmacSha1 {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedAlgorithm,
            format!("FOST signatures are HMAC-SHA1, not {}", key.algorithm()),
        ))
    }
}

/// The whitespace of Python 2's `str.split()`.
fn py2_words(s: &str) -> impl Iterator<Item = &str> {
    s.split([' ', '\t', '\n', '\r', '\u{b}', '\u{c}'])
        .filter(|w| !w.is_empty())
}

fn check_key_id(key_id: &str) -> Result<()> {
    if key_id.is_empty()
        || !key_id
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b':' && b != b'+')
    {
        return Err(Error::invalid_value(
            "a FOST key must be visible ASCII without ':' or '+'",
        ));
    }
    Ok(())
}

/// The signed document, in parts: `METHOD path\ntimestamp\n` + lines joined by `\n` + `\n` + body.
fn document<'x>(
    method: &'x str,
    path: &'x str,
    timestamp: &'x str,
    lines: &[&'x str],
    body: &'x [u8],
) -> Vec<&'x [u8]> {
    let mut parts: Vec<&[u8]> = vec![
        method.as_bytes(),
        b" ",
        path.as_bytes(),
        b"\n",
        timestamp.as_bytes(),
        b"\n",
    ];
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            parts.push(b"\n");
        }
        parts.push(line.as_bytes());
    }
    parts.push(b"\n");
    parts.push(body);
    parts
}

/// The signed body: the body, or the raw query string when there is none.
fn body_or_query<'a>(request: &Request<'a>) -> &'a [u8] {
    match request.body() {
        Some(body) if !body.is_empty() => body,
        _ => request.query().unwrap_or("").as_bytes(),
    }
}

/// The signing time of a timestamp text, in microseconds, as the reference reads it: the whole second written in
/// the first 19 characters (`YYYY-MM-DD?HH:MM:SS`, naive UTC), the fraction ignored. The text must still match the
/// strict grammar as a whole, and a zone, when there is one, must be UTC (`Z`, `+00:00`, `-00:00`): the reference
/// ignores the zone, so any other offset would name another instant here than there.
fn timestamp_micros(timestamp: &str) -> Option<i64> {
    parse_datetime(timestamp)
        .filter(|dt| (dt.separator == b'T' || !dt.has_zone) && dt.offset_secs == 0)
        .map(|dt| dt.micros.div_euclid(1_000_000) * 1_000_000)
}

/// What the server accepts: the clock, the maximum clock skew ([`DEFAULT_CLOCK_SKEW`]) and, optionally, a nonce
/// store for seen-signature mode. The type is shared with [`super::hmac_header::Policy`]; FOST's knob is
/// [`clock_skew`](super::TimePolicy::clock_skew).
pub type Policy = super::TimePolicy<super::FostWindow>;

/// Signs requests for one key (client side).
#[derive(Clone)]
pub struct FostSigner {
    key_id: String,
    key: HmacKey,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for FostSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FostSigner")
            .field("key_id", &self.key_id)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl FostSigner {
    /// A signer for `key_id` with the HMAC-SHA1 `key` ([`hmac_key`]), using the system clock.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] unless the key is HMAC-SHA1; [`ErrorKind::InvalidValue`] unless
    /// `key_id` is non-empty visible ASCII without `:` or `+`.
    pub fn new(key_id: impl Into<String>, key: HmacKey) -> Result<Self> {
        require_sha1(&key)?;
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        Ok(FostSigner {
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

    /// Signs `request` now, with the headers named in `headers` (in that order), stamped as the reference client
    /// stamps (`2011-04-27 03:26:37.625618`, Python's `str(datetime.utcnow())`).
    ///
    /// # Errors
    /// As [`FostSigner::sign_at`]; [`ErrorKind::InvalidValue`] when the clock is outside the years 1..=9999.
    pub fn sign(&self, request: &Request<'_>, headers: &[&str]) -> Result<FostSignature> {
        let timestamp = format_datetime(micros_of(self.clock.now()), ' ')
            .ok_or_else(|| Error::invalid_value("the clock is outside the years 1..=9999"))?;
        self.sign_at(request, headers, &timestamp)
    }

    /// Signs `request` with the timestamp text `timestamp` (signed verbatim).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when the timestamp is not in a form the server reads, more than
    /// [`MAX_SIGNED_HEADERS`] - 1 headers are named, a name is not a header token or is `Authorization`,
    /// `X-FOST-Headers` or `X-FOST-Timestamp`, or a named header is missing from the request or repeated. The
    /// request's `X-FOST-User` is the user name: its UTF-7 text is signed and, when different, sent in its place
    /// ([`FostSignature::headers`]).
    pub fn sign_at(
        &self,
        request: &Request<'_>,
        headers: &[&str],
        timestamp: &str,
    ) -> Result<FostSignature> {
        if timestamp_micros(timestamp).is_none() {
            return Err(Error::invalid_value(
                "the timestamp must be YYYY-MM-DD HH:MM:SS[.ffffff] or YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+00:00]",
            ));
        }
        if headers.len() >= MAX_SIGNED_HEADERS {
            return Err(Error::invalid_value(format!(
                "at most {} headers can be signed",
                MAX_SIGNED_HEADERS - 1
            )));
        }
        let mut x_fost_headers = String::from("X-FOST-Headers");
        let mut values: Vec<Cow<'_, str>> = Vec::with_capacity(headers.len());
        let mut user_line: Option<String> = None;
        for &name in headers {
            let reserved = ["authorization", "x-fost-headers", "x-fost-timestamp"]
                .iter()
                .any(|r| name.eq_ignore_ascii_case(r));
            if reserved
                || name.is_empty()
                || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
            {
                return Err(Error::invalid_value(format!(
                    "{:?} cannot be a signed header name",
                    clip(name, 64)
                )));
            }
            let value = single_header(request, name).ok().flatten().ok_or_else(|| {
                Error::invalid_value(format!(
                    "the request must carry the {} header exactly once",
                    clip(name, 64)
                ))
            })?;
            let value = if name == "X-FOST-User" {
                // The request carries the user name; what is sent and signed is its UTF-7 text.
                let encoded = utf7::encode(value);
                if encoded == value {
                    Cow::Borrowed(value)
                } else {
                    user_line = Some(encoded.clone());
                    Cow::Owned(encoded)
                }
            } else {
                Cow::Borrowed(value)
            };
            x_fost_headers.push(' ');
            x_fost_headers.push_str(name);
            values.push(value);
        }
        let path = request.decoded_path();
        let mut lines = Vec::with_capacity(values.len() + 1);
        lines.push(x_fost_headers.as_str());
        lines.extend(values.iter().map(|v| &**v));
        let document = document(
            request.method(),
            &path,
            timestamp,
            &lines,
            body_or_query(request),
        )
        .concat();
        let signature = self.key.sign(&document).to_base64();
        Ok(FostSignature {
            authorization: format!("FOST {}:{signature}", self.key_id),
            signature,
            timestamp: timestamp.to_string(),
            x_fost_headers,
            user_line,
            document,
        })
    }
}

/// A request signature made by [`FostSigner`]: the headers to add to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FostSignature {
    authorization: String,
    signature: String,
    timestamp: String,
    x_fost_headers: String,
    user_line: Option<String>,
    document: Vec<u8>,
}

impl FostSignature {
    /// The header lines to set on the request as sent, each *replacing* any line of the same name:
    /// `Authorization`, `X-FOST-Timestamp` and `X-FOST-Headers`, then `X-FOST-User` when the signed user name is
    /// not sent as itself in UTF-7 (`Jürgen` is sent as `J+APw-rgen`, `a+b` as `a+-b`; an ASCII name without
    /// `+`, `\` or `~` is sent unchanged and has no line here).
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut lines = vec![
            ("Authorization", self.authorization.as_str()),
            ("X-FOST-Timestamp", self.timestamp.as_str()),
            ("X-FOST-Headers", self.x_fost_headers.as_str()),
        ];
        if let Some(user) = &self.user_line {
            lines.push(("X-FOST-User", user.as_str()));
        }
        lines
    }

    /// The `X-FOST-User` value to send in place of the request's, when it differs (the user's UTF-7 text).
    pub fn x_fost_user(&self) -> Option<&str> {
        self.user_line.as_deref()
    }

    /// The `Authorization` value: `FOST <key>:<signature>`.
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The base64 signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The `X-FOST-Timestamp` value.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The `X-FOST-Headers` value.
    pub fn x_fost_headers(&self) -> &str {
        &self.x_fost_headers
    }

    /// The exact bytes that were MACed.
    pub fn document(&self) -> &[u8] {
        &self.document
    }
}

/// The `key` and `signature` of a FOST `Authorization` header, if the request has one.
fn authorization<'a>(request: &Request<'a>) -> Result<Option<(&'a str, &'a str)>> {
    let Some(header) = single_header(request, "authorization")? else {
        return Ok(None);
    };
    let mut words = py2_words(header);
    let (Some("FOST"), Some(credentials), None) = (words.next(), words.next(), words.next()) else {
        return Ok(None);
    };
    let mut parts = credentials.split(':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(key), Some(signature), None) if !key.is_empty() && !signature.is_empty() => {
            Ok(Some((key, signature)))
        }
        _ => Ok(None),
    }
}

fn refuse_utf7(what: &str, value: &str) -> Result<()> {
    if value.contains('+') {
        return Err(Error::malformed(format!(
            "{what} contains '+', which the reference may read as UTF-7; refused"
        )));
    }
    Ok(())
}

/// Reads a FOST request signature (see the [module documentation](self) for the rules).
///
/// # Errors
/// `Ok(None)` when the request has no FOST `Authorization` header; [`ErrorKind::Malformed`] for a missing or
/// unreadable `X-FOST-Timestamp`, a missing `X-FOST-Headers`, a missing or repeated signed header, repeated
/// `Authorization` lines, `+` in the key, or a signed `X-FOST-User` that is not UTF-7; [`ErrorKind::TooLarge`] over
/// [`MAX_SIGNED_HEADERS`] names.
pub fn parse<'a>(request: &Request<'a>) -> Result<Option<UnverifiedFost<'a>>> {
    let Some((key, signature)) = authorization(request)? else {
        return Ok(None);
    };
    refuse_utf7("the key", key)?;
    let timestamp = single_header(request, "x-fost-timestamp")?
        .ok_or_else(|| Error::malformed("no X-FOST-Timestamp header"))?;
    let signed_at = timestamp_micros(timestamp).ok_or_else(|| {
        Error::malformed(format!(
            "X-FOST-Timestamp is not a date-time: {:?}",
            clip(timestamp, 40)
        ))
    })?;
    let names = single_header(request, "x-fost-headers")?
        .ok_or_else(|| Error::malformed("no X-FOST-Headers header"))?;
    let mut signed = Vec::new();
    let mut user = None;
    for name in py2_words(names) {
        if signed.len() == MAX_SIGNED_HEADERS {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("X-FOST-Headers names more than {MAX_SIGNED_HEADERS} headers"),
            ));
        }
        let value = single_header(request, name)?.ok_or_else(|| {
            Error::malformed(format!("the signed header {} is missing", clip(name, 64)))
        })?;
        if name == "X-FOST-User" {
            user = Some(utf7::decode(value).ok_or_else(|| {
                Error::malformed(format!(
                    "X-FOST-User is not UTF-7 text: {:?}",
                    clip(value, 64)
                ))
            })?);
        }
        signed.push((name, value));
    }
    Ok(Some(UnverifiedFost {
        key,
        signature,
        method: request.method(),
        path: request.decoded_path(),
        timestamp,
        signed_at,
        signed,
        user,
        body: body_or_query(request),
    }))
}

/// A parsed FOST request signature that has not been checked. Everything it returns is *claimed*.
#[derive(Debug, Clone)]
pub struct UnverifiedFost<'a> {
    key: &'a str,
    signature: &'a str,
    method: &'a str,
    path: Cow<'a, str>,
    timestamp: &'a str,
    signed_at: i64,
    signed: Vec<(&'a str, &'a str)>,
    /// The UTF-7-decoded `X-FOST-User`, when signed.
    user: Option<String>,
    body: &'a [u8],
}

impl<'a> UnverifiedFost<'a> {
    /// The claimed key id: look its secret up with this.
    pub fn claimed_key_id(&self) -> &'a str {
        self.key
    }

    /// The user the request would authenticate as: the UTF-7-decoded `X-FOST-User` value if signed (`J+APw-rgen`
    /// is `Jürgen`), else the percent-decoded key.
    pub fn claimed_user(&self) -> Cow<'a, str> {
        match &self.user {
            Some(user) => Cow::Owned(user.clone()),
            None => percent_decode(self.key),
        }
    }

    /// The claimed `X-FOST-Timestamp`, as sent.
    pub fn claimed_timestamp(&self) -> &'a str {
        self.timestamp
    }

    /// The claimed signing time: the whole second the timestamp names (its fraction is ignored, as the reference
    /// ignores it).
    pub fn claimed_created(&self) -> UnixTime {
        unix_time(self.signed_at)
    }

    /// The headers named in `X-FOST-Headers` with their values, in order.
    pub fn claimed_signed_headers(&self) -> &[(&'a str, &'a str)] {
        &self.signed
    }

    /// The document the signature is checked against (for [`crate::explain`]).
    pub(crate) fn signed_document(&self) -> Vec<u8> {
        let values: Vec<&str> = self.signed.iter().map(|(_, v)| *v).collect();
        document(self.method, &self.path, self.timestamp, &values, self.body).concat()
    }

    /// The claimed signature, as sent (for [`crate::explain`]).
    pub(crate) fn claimed_signature(&self) -> &'a str {
        self.signature
    }

    /// Checks the clock skew, then the signature with `key`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] unless `key` is HMAC-SHA1; [`ErrorKind::Expired`] or
    /// [`ErrorKind::NotYetValid`] when the timestamp's whole second is not strictly within the policy's skew of
    /// the clock;
    /// [`ErrorKind::BadSignature`] when the signature does not match; in seen-signature mode
    /// ([`Policy::with_nonce_store`]) [`ErrorKind::Replayed`] for a second presentation, and the store's own
    /// errors ([`ErrorKind::Unavailable`]), which refuse the request.
    pub fn verify(&self, key: &HmacKey, policy: &Policy) -> Result<VerifiedFost> {
        require_sha1(key)?;
        let now = i128::from(micros_of(policy.clock.now()));
        let signed = i128::from(self.signed_at);
        let skew = i128::try_from(policy.window.as_micros()).unwrap_or(i128::MAX);
        if (now - signed).abs() >= skew {
            let kind = if signed < now {
                ErrorKind::Expired
            } else {
                ErrorKind::NotYetValid
            };
            return Err(Error::new(
                kind,
                format!(
                    "clock skew too high: {} s, the maximum is {} s",
                    (now - signed).abs() / 1_000_000,
                    policy.window.as_secs()
                ),
            ));
        }
        let tag = B64
            .decode(self.signature)
            .map_err(|_| Error::bad_signature())?;
        let values: Vec<&str> = self.signed.iter().map(|(_, v)| *v).collect();
        key.verify_parts(
            &document(self.method, &self.path, self.timestamp, &values, self.body),
            &tag,
        )?;
        if let Some(store) = &policy.nonce_store {
            let window = i64::try_from(policy.window.as_secs()).unwrap_or(i64::MAX);
            let until = UnixTime::from_secs(
                self.claimed_created()
                    .secs()
                    .saturating_add(window)
                    .saturating_add(1),
            );
            remember_signature(
                store.as_ref(),
                "fost",
                self.key,
                self.signature,
                until,
                policy.clock.now(),
            )?;
        }
        Ok(VerifiedFost {
            key: self.key.to_string(),
            user: self.claimed_user().into_owned(),
            signed_at: self.claimed_created(),
            signed_headers: self
                .signed
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        })
    }
}

/// A FOST request whose signature and timestamp were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFost {
    key: String,
    user: String,
    signed_at: UnixTime,
    signed_headers: Vec<(String, String)>,
}

impl VerifiedFost {
    /// The key id the request was signed with.
    pub fn key_id(&self) -> &str {
        &self.key
    }

    /// The authenticated user: the signed `X-FOST-User`, else the percent-decoded key.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The signing time (`X-FOST-Timestamp`, whole seconds).
    pub fn created(&self) -> UnixTime {
        self.signed_at
    }

    /// The signed headers and their values, in signed order (`X-FOST-Headers` first).
    pub fn signed_headers(&self) -> &[(String, String)] {
        &self.signed_headers
    }
}

/// Whether a raw query item is left out of a URL signature.
fn is_unsigned_item(item: &str) -> bool {
    item.starts_with("_k=") || item.starts_with("_e=") || item.starts_with("_s")
}

/// The URL document: `host + path + ["?" + filtered query] + "\n" + expires`.
fn url_document(host: &str, path: &str, query: &str, expires: &str) -> String {
    let filtered: Vec<&str> = query.split('&').filter(|i| !is_unsigned_item(i)).collect();
    let filtered = filtered.join("&");
    if filtered.is_empty() {
        format!("{host}{path}\n{expires}")
    } else {
        format!("{host}{path}?{filtered}\n{expires}")
    }
}

/// Signs URLs for one key (`_k`, `_e`, `_s` query parameters).
///
/// ```
/// use std::sync::Arc;
/// use countermark::{ErrorKind, FixedClock, Secret};
/// use countermark::http::Request;
/// use countermark::http::fost::{self, FostUrlSigner, Policy};
///
/// let key = fost::hmac_key(&Secret::new(*b"9f2c1e7a-secret-for-vectors")?);
/// let signed = FostUrlSigner::new("api-key-1", key.clone())?
///     .sign("http://www.example.com/path/to/file.html?q=v&t=c", Some(1_385_460_030))?;
/// assert_eq!(
///     signed.url(),
///     "http://www.example.com/path/to/file.html?q=v&t=c&_k=api-key-1&_e=1385460030&_s=WQhBAEMMs9OecdDApCKLCbBn1pk%3D"
/// );
///
/// // The server sees the request and checks it.
/// let request = Request::new("GET", signed.url())?;
/// let unverified = fost::parse_url(&request)?.expect("a signed URL");
/// assert_eq!(unverified.claimed_key_id(), "api-key-1");
/// let at_expiry = Policy::new(Arc::new(FixedClock::at_secs(1_385_460_030)));
/// assert_eq!(unverified.verify(&key, &at_expiry)?.key_id(), "api-key-1");
/// let after = Policy::new(Arc::new(FixedClock::at_secs(1_385_460_031)));
/// assert_eq!(unverified.verify(&key, &after).unwrap_err().kind(), ErrorKind::Expired);
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FostUrlSigner {
    key_id: String,
    key: HmacKey,
}

impl FostUrlSigner {
    /// A URL signer for `key_id` with the HMAC-SHA1 `key`.
    ///
    /// # Errors
    /// As [`FostSigner::new`].
    pub fn new(key_id: impl Into<String>, key: HmacKey) -> Result<Self> {
        require_sha1(&key)?;
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        Ok(FostUrlSigner { key_id, key })
    }

    /// Signs the absolute `url` (`http(s)://host/path?query`, signed as clients will send it: the host exactly as
    /// in their `Host` header), valid up to and including the instant `expires` (Unix seconds); `None` makes a URL that
    /// **never expires**.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for a URL that is not absolute, has a fragment, or has query items that would
    /// clash with or escape the signature (`_k…`, `_e…`, `_s…`).
    pub fn sign(&self, url: &str, expires: Option<i64>) -> Result<SignedFostUrl> {
        let invalid = |m: &'static str| Error::invalid_value(m);
        let request = Request::new("GET", url).map_err(|_| invalid("not a URL"))?;
        if request.scheme().is_empty() || request.authority().is_empty() || url.contains('#') {
            return Err(invalid(
                "the URL must be absolute (scheme://host/path) without a fragment",
            ));
        }
        let query = request.query().unwrap_or("");
        let clash = query.split('&').any(|item| {
            let name = py_parse_qsl(item)
                .into_iter()
                .next()
                .map(|(n, _)| n)
                .unwrap_or_default();
            ["_k", "_e", "_s"]
                .iter()
                .any(|p| item.starts_with(p) || name.starts_with(p))
        });
        if clash {
            return Err(invalid(
                "query items starting with _k, _e or _s would not be signed or would clash with the signature",
            ));
        }
        let expires = expires.map(|e| e.to_string()).unwrap_or_default();
        let document = url_document(
            request.authority(),
            &request.decoded_path(),
            query,
            &expires,
        );
        let signature = self.key.sign(document.as_bytes()).to_base64();
        let separator = match request.query() {
            None => "?",
            Some("") => "",
            Some(_) => "&",
        };
        let mut signed = format!("{url}{separator}_k={}", py_quote(&self.key_id, b"/"));
        if !expires.is_empty() {
            signed.push_str("&_e=");
            signed.push_str(&expires);
        }
        signed.push_str("&_s=");
        signed.push_str(&py_quote(&signature, b""));
        Ok(SignedFostUrl {
            url: signed,
            document,
            signature,
        })
    }
}

/// A URL signed by [`FostUrlSigner`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFostUrl {
    url: String,
    document: String,
    signature: String,
}

impl SignedFostUrl {
    /// The signed URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The exact text that was MACed.
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The base64 signature (percent-encoded in the URL).
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

/// Reads a FOST URL signature from a request (see [URL signatures](self#url-signatures)). The host is
/// [`Request::authority`]: the target URI's authority or the `Host` header.
///
/// # Errors
/// `Ok(None)` unless the method is `GET` or `HEAD`, the query has `_k` and `_s`, and the request has no FOST
/// `Authorization` header (which takes precedence); [`ErrorKind::Malformed`] for repeated or empty `_k`/`_s`,
/// a repeated or non-integer `_e`, or no host.
pub fn parse_url(request: &Request<'_>) -> Result<Option<UnverifiedFostUrl>> {
    if !matches!(request.method(), "GET" | "HEAD") || authorization(request)?.is_some() {
        return Ok(None);
    }
    let query = request.query().unwrap_or("");
    let (mut k, mut e, mut s) = (None, None, None);
    for (name, value) in py_parse_qsl(query) {
        let slot = match name.as_str() {
            "_k" => &mut k,
            "_e" => &mut e,
            "_s" => &mut s,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(Error::malformed(format!(
                "the {name} parameter appears more than once"
            )));
        }
    }
    let (Some(key), Some(signature)) = (k, s) else {
        return Ok(None);
    };
    if key.is_empty() || signature.is_empty() {
        return Err(Error::malformed("empty _k or _s parameter"));
    }
    let expires = match &e {
        None => None,
        Some(text) => Some(parse_expiry(text).ok_or_else(|| {
            Error::malformed(format!("_e is not an integer: {:?}", clip(text, 24)))
        })?),
    };
    let host = request.authority();
    if host.is_empty() {
        return Err(Error::malformed("the request has no host"));
    }
    let document = url_document(
        host,
        &request.decoded_path(),
        query,
        e.as_deref().unwrap_or(""),
    );
    Ok(Some(UnverifiedFostUrl {
        key,
        signature,
        expires,
        document,
    }))
}

/// `-?[0-9]{1,19}` as an `i64`.
fn parse_expiry(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A parsed URL signature that has not been checked. Everything it returns is *claimed*.
#[derive(Debug, Clone)]
pub struct UnverifiedFostUrl {
    key: String,
    signature: String,
    expires: Option<i64>,
    document: String,
}

impl UnverifiedFostUrl {
    /// The claimed key id (`_k`, decoded): look its secret up with this. It is not itself signed.
    pub fn claimed_key_id(&self) -> &str {
        &self.key
    }

    /// The claimed expiry (`_e`), Unix seconds; `None` when the URL never expires.
    pub fn claimed_expires(&self) -> Option<i64> {
        self.expires
    }

    /// The document the signature is checked against (for [`crate::explain`]).
    pub(crate) fn signed_document(&self) -> &str {
        &self.document
    }

    /// The claimed signature (`_s`, decoded) (for [`crate::explain`]).
    pub(crate) fn claimed_signature(&self) -> &str {
        &self.signature
    }

    /// Checks the expiry, then the signature with `key`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] unless `key` is HMAC-SHA1; [`ErrorKind::Expired`] after the `_e`
    /// second; [`ErrorKind::BadSignature`] when the signature does not match.
    pub fn verify(&self, key: &HmacKey, policy: &Policy) -> Result<VerifiedFostUrl> {
        require_sha1(key)?;
        if let Some(expires) = self.expires {
            let now = i128::from(micros_of(policy.clock.now()));
            if now > i128::from(expires) * 1_000_000 {
                return Err(Error::new(
                    ErrorKind::Expired,
                    "this URL has already expired",
                ));
            }
        }
        let tag = B64
            .decode(&self.signature)
            .map_err(|_| Error::bad_signature())?;
        key.verify(self.document.as_bytes(), &tag)?;
        Ok(VerifiedFostUrl {
            key: self.key.clone(),
            expires: self.expires,
        })
    }
}

/// A URL whose signature and expiry were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFostUrl {
    key: String,
    expires: Option<i64>,
}

impl VerifiedFostUrl {
    /// The key id (the reference authenticates the user named by it).
    pub fn key_id(&self) -> &str {
        &self.key
    }

    /// The expiry, Unix seconds; `None` for a URL that never expires.
    pub fn expires(&self) -> Option<i64> {
        self.expires
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_words() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("FOST k:s", Some(("k", "s"))),
            ("  FOST\tk:s \u{b}", Some(("k", "s"))),
            ("FOST k", None),
            ("FOST k:", None),
            ("FOST :s", None),
            ("FOST k:s:x", None),
            ("FOST k:s extra", None),
            ("fost k:s", None),
            ("Basic a2V5OnNlY3JldA==", None),
            ("FOST\u{a0}k:s", None),
        ];
        for (header, want) in cases {
            let req = Request::new("GET", "/")
                .unwrap()
                .with_header("Authorization", header)
                .unwrap();
            assert_eq!(authorization(&req).unwrap(), *want, "{header:?}");
        }
    }

    #[test]
    fn url_filter_quirk() {
        assert_eq!(
            url_document("h", "/p", "a=1&_sort=x&_s&_k=1&_e=2&_kx=3&b", "9"),
            "h/p?a=1&_kx=3&b\n9"
        );
        assert_eq!(url_document("h", "/p", "", ""), "h/p\n");
        assert_eq!(url_document("h", "/p", "_s=1", ""), "h/p\n");
    }

    #[test]
    fn expiry_text() {
        assert_eq!(parse_expiry("1385460030"), Some(1_385_460_030));
        assert_eq!(parse_expiry("-5"), Some(-5));
        for bad in [
            "",
            "-",
            "+5",
            " 5",
            "5 ",
            "1e9",
            "99999999999999999999",
            "٣",
        ] {
            assert_eq!(parse_expiry(bad), None, "{bad:?}");
        }
    }
}
