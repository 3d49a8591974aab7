//! Asymmetric request JWTs in the format of `asymmetric-jwt-auth` 1.3.0 (`Authorization: JWT <token>`).
//!
//! A client proves it holds a private key registered for a user by sending a compact JWS whose claims name the
//! user, the current time and a random nonce. The server reads the claimed user without trusting it, looks up that
//! user's public keys, and checks the token against them:
//!
//! ```
//! use std::sync::Arc;
//! use countermark::jwt::{Policy, Token, UnverifiedJwt};
//! use countermark::{ErrorKind, FixedClock, SigningKey};
//!
//! // The Ed25519 test key of asymmetric-jwt-auth's vectors (never use a published key for real).
//! let key = SigningKey::from_pem(
//!     "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n",
//! )?;
//! let clock = Arc::new(FixedClock::at_secs(1_700_000_000));
//!
//! // Client: a token for "alice" at the clock's time, with a nonce from the OS random generator.
//! let header = Token::new("alice", clock.as_ref())?.authorization(&key)?;
//! assert!(header.starts_with("JWT eyJhbGciOiJFZERTQSIs")); // {"alg":"EdDSA",…
//!
//! // Server: parse without trusting, find the claimed user's keys, verify (time window, signature, nonce).
//! let policy = Policy::new().with_clock(clock.clone());
//! let unverified = UnverifiedJwt::from_authorization(&header)?.expect("a JWT header");
//! assert_eq!(unverified.claimed_username(), "alice");
//! let alice_keys = vec![key.verifying_key().clone()]; // from your user database
//! let verified = unverified.verify_any(&alice_keys, &policy)?;
//! assert_eq!((verified.username(), verified.created()), ("alice", 1_700_000_000));
//!
//! // A token is single-use: the same one again is refused.
//! let again = unverified.verify_any(&alice_keys, &policy).unwrap_err();
//! assert_eq!(again.kind(), ErrorKind::Replayed);
//!
//! // A header of another scheme is not an error; it is simply not ours.
//! assert!(UnverifiedJwt::from_authorization("Bearer abc.def.ghi")?.is_none());
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Wire format
//! * Header JSON: `{"alg":A,"kid":K,"typ":"JWT"}` (keys sorted, no spaces), `A` = `EdDSA` for Ed25519 keys and
//!   `RS512` for RSA keys, `K` = the key's [`VerifyingKey::key_id`] (by default the SHA-256 fingerprint of its public
//!   key PEM, as asymmetric-jwt-auth computes it).
//! * Payload JSON: `{"username":U,"time":T,"nonce":N}` in that order, no spaces, strings escaped as Python's
//!   `json.dumps` does (`\uXXXX` for everything outside printable ASCII, surrogate pairs beyond U+FFFF); `T` is
//!   Unix seconds; `N` is 11 base64url characters of 8 random bytes (`secrets.token_urlsafe(8)`).
//! * Token: `b64url(header) "." b64url(payload) "." b64url(signature)`, unpadded base64url; the signature is
//!   Ed25519 or RSASSA-PKCS1-v1_5-SHA-512 over the ASCII text before the second `.`. Both are deterministic, so a
//!   token is reproducible byte for byte from its inputs ([`Token::from_parts`]).
//! * Header: `Authorization: JWT <token>`. The scheme word is compared case-insensitively (`jwt`, `Jwt`) and is
//!   separated from the token by the first space ([`token_from_authorization`]).
//!
//! # Verification
//! [`UnverifiedJwt::parse`] (or [`UnverifiedJwt::from_authorization`]) checks the size, the structure, the
//! algorithm and the claims' types, and exposes the *claimed* user, time, nonce, key id and algorithm. Then
//! [`UnverifiedJwt::verify`] (one key) or [`UnverifiedJwt::verify_any`] (every key of the user, as the reference
//! does) checks, in this order:
//! 1. **Algorithm, bound to the key**: the header's `alg` must be one the key allows *and* one JWTs use: `EdDSA`
//!    for Ed25519 keys; `RS512`, `RS384`, `RS256` for RSA keys. `none`, `HS*` (the public key used as an HMAC
//!    secret), `PS*`, `ES*` and anything else are [`ErrorKind::UnsupportedAlgorithm`] before any signature work
//!    ([`VerifyingKey::with_allowed`] narrows a key further, e.g. to `RS512` only).
//! 2. **Time**: `time` must lie within `now ± clock_skew` (inclusive; [`DEFAULT_CLOCK_SKEW`] = 20 s),
//!    compared as the reference does with a fractional `now` from the policy's [`Clock`]: older is
//!    [`ErrorKind::Expired`], newer [`ErrorKind::NotYetValid`]. Registered claims are checked as PyJWT does when
//!    they are present (no leeway): `exp` (truncated to an integer) `<= now` is expired, `nbf` (truncated) or
//!    `iat` `> now` is not yet valid.
//! 3. **Signature** over the signing input ([`ErrorKind::BadSignature`]).
//! 4. **Replay**: `jwt:<username>:<time>:<nonce>` is recorded in the policy's [`NonceStore`] until the token can
//!    no longer pass the time check (`time + clock_skew`); a second use is [`ErrorKind::Replayed`]. Any store error
//!    (full, unreachable) is returned as is: the token is refused (fail closed). In the key, `%` and `:` of the
//!    username are written `%25` and `%3A` so it cannot be confused with another user's; a key over
//!    [`crate::replay::MAX_NONCE_LEN`] bytes is replaced by `jwt-sha256:<hex of its SHA-256>`.
//!
//! # Limits and defaults
//! * [`MAX_JWT_LEN`] = 8 KiB: longer tokens are [`ErrorKind::TooLarge`] before they are decoded, and
//!   [`Token::sign`] refuses to make one.
//! * [`Policy`]: clock skew 20 s (at most [`MAX_CLOCK_SKEW`]), the system clock, and a fresh
//!   [`MemoryNonceStore`] (bounded, fails closed when full). Clones of a policy share its store; a fleet of
//!   servers needs one shared store (see [`crate::replay`]).
//! * Claims: `username` a non-empty string; `time` a non-zero number (an integer, or a float as sent by clients
//!   before asymmetric-jwt-auth 1.0); `nonce` a non-empty string (or a non-zero number, as old clients sent).
//!   Anything else, and claims of the wrong type, is [`ErrorKind::Malformed`], never a panic.
//!
//! # Legacy weaknesses (kept for compatibility — prefer RFC 9421 request signatures for new designs)
//! * **The token binds nothing of the request**: not the method, path, query, body or host. Whoever first
//!   presents a token gets the request they choose; an intercepted, unused token is a bearer credential for up
//!   to the clock skew.
//! * **No audience**: a token is valid at every service that holds the user's public key. Each service's nonce
//!   store only knows its own requests, so one token can be used once at *each* such service.
//! * The `kid` header is not checked against the key: the reference tries every key of the claimed user and
//!   ignores `kid`. [`UnverifiedJwt::verify_any`] only uses it to try the matching key first.
//! * Replay protection is only as wide as the nonce store: two processes with separate
//!   [`MemoryNonceStore`]s each accept the token once.
//!
//! # Differences from asymmetric-jwt-auth / PyJWT, all refusing what they would accept or crash on
//! * Base64url must be canonical and unpadded (PyJWT adds padding and skips characters outside the alphabet); the
//!   JSON must be UTF-8 (PyJWT also detects UTF-16 and UTF-32).
//! * Claims of the wrong type (`"time": "1700000000"`, a list as nonce, `true`) are [`ErrorKind::Malformed`];
//!   the reference raises `TypeError` or compares them as Python would.
//! * A `crit` header, `"b64": false`, a non-string `kid`, `sub` or `jti`, and a non-empty `aud` are refused
//!   ([`ErrorKind::Malformed`]): this scheme supports no JOSE extensions and no audiences.
//! * A header parameter that would name a key (`jwk`, `jku`, `x5u`, `x5c`) is ignored: the key always comes from
//!   the caller.
//!
//! [`MemoryNonceStore`]: crate::replay::MemoryNonceStore

mod json;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use self::json::{push_py_json_str, truthy, Num};
use crate::alg::SignatureAlgorithm;
use crate::clock::{Clock, SystemClock, UnixTime};
use crate::encoding::clip;
use crate::error::{Error, ErrorKind, Result};
use crate::http::Request;
use crate::key::{SigningKey, VerifyingKey};
use crate::random::{OsRandom, RandomSource};
use crate::replay::{MemoryNonceStore, NonceStore, MAX_NONCE_LEN};

/// Longest token, in bytes, that [`UnverifiedJwt::parse`] accepts and [`Token::sign`] produces (8 KiB).
pub const MAX_JWT_LEN: usize = 8 * 1024;

/// The default clock skew, either side of now (asymmetric-jwt-auth's `TIMESTAMP_TOLERANCE`): 20 seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(20);

/// The largest clock skew [`Policy::with_clock_skew`] accepts (one hour). Nonces are kept for the clock skew, so
/// it bounds the nonce store's memory too.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(3600);

/// The `Authorization` scheme word (compared case-insensitively).
pub const SCHEME: &str = "JWT";

/// The algorithms a JWT may use, in the order a key picks one to sign with: `EdDSA` (Ed25519), then `RS512`,
/// `RS384`, `RS256` (RSA). A key's own allowed list ([`VerifyingKey::allowed`]) narrows it further.
pub const ALGORITHMS: [SignatureAlgorithm; 4] = [
    SignatureAlgorithm::Ed25519,
    SignatureAlgorithm::RsaPkcs1Sha512,
    SignatureAlgorithm::RsaPkcs1Sha384,
    SignatureAlgorithm::RsaPkcs1Sha256,
];

/// Random bytes in a generated nonce (`secrets.token_urlsafe(8)`: 11 base64url characters).
pub const NONCE_BYTES: usize = 8;

fn unsupported(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::UnsupportedAlgorithm, msg)
}

/// The algorithm `key` signs JWTs with: the first of [`ALGORITHMS`] the key allows (`EdDSA` for Ed25519, `RS512`
/// for an RSA key with its default algorithms), as the reference takes the key's first allowed algorithm.
///
/// # Errors
/// [`ErrorKind::UnsupportedAlgorithm`] for a key that allows none of them (P-256 keys, RSA keys limited to PSS).
pub fn signing_algorithm(key: &VerifyingKey) -> Result<SignatureAlgorithm> {
    ALGORITHMS.into_iter().find(|&a| key.allows(a)).ok_or_else(|| {
        unsupported(format!(
            "a {} key with these allowed algorithms cannot sign JWTs; JWTs use EdDSA (Ed25519) or RS512, RS384, \
             RS256 (RSA)",
            key.key_type()
        ))
    })
}

fn header_json_for(alg: SignatureAlgorithm, kid: &str) -> String {
    let mut out = String::with_capacity(48 + kid.len());
    out.push_str("{\"alg\":");
    push_py_json_str(&mut out, alg.jws_name());
    out.push_str(",\"kid\":");
    push_py_json_str(&mut out, kid);
    out.push_str(",\"typ\":\"JWT\"}");
    out
}

/// The header JSON a token signed by `key` carries: `{"alg":…,"kid":…,"typ":"JWT"}`.
///
/// # Errors
/// As [`signing_algorithm`].
pub fn header_json(key: &SigningKey) -> Result<String> {
    let alg = signing_algorithm(key.verifying_key())?;
    Ok(header_json_for(alg, key.key_id()))
}

/// The token inside an `Authorization` header value of this scheme: the text after the first space when the word
/// before it is `JWT` in any case; `None` for any other header (another scheme, or no space), which is not an error
/// but "not this scheme".
///
/// ```
/// use countermark::jwt::token_from_authorization;
///
/// assert_eq!(token_from_authorization("JWT a.b.c"), Some("a.b.c"));
/// assert_eq!(token_from_authorization("jwt a.b.c"), Some("a.b.c"));
/// assert_eq!(token_from_authorization("Bearer a.b.c"), None);
/// assert_eq!(token_from_authorization("JWT"), None);
/// ```
pub fn token_from_authorization(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case(SCHEME).then_some(token)
}

/// The claims of a token to sign: who, when, and a single-use nonce.
///
/// ```
/// use countermark::jwt::Token;
/// use countermark::SigningKey;
///
/// # let key = SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n")?;
/// // Fixed inputs reproduce a recorded token byte for byte.
/// let token = Token::from_parts("alice", 1_700_000_000, "yVJ0MVWhqPQ")?;
/// assert_eq!(token.payload_json(), r#"{"username":"alice","time":1700000000,"nonce":"yVJ0MVWhqPQ"}"#);
/// assert!(token.sign(&key)?.ends_with(
///     ".cIPeObtLYLXuaPP_fv-nsxQaE6WGwjwrcOhWymwf0eBUij4GdIpsTd_NXLqInRE4Zx5Nc1C3YhUM25Ul7iV8Cw"
/// ));
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    username: String,
    time: i64,
    nonce: String,
}

impl Token {
    /// Claims for `username` at the clock's current time (whole seconds, as `int(time.time())`), with a nonce of
    /// [`NONCE_BYTES`] bytes from the operating system's random generator.
    ///
    /// # Errors
    /// As [`Token::from_parts`]; [`ErrorKind::InvalidValue`] when the random generator fails.
    pub fn new(username: impl Into<String>, clock: &dyn Clock) -> Result<Self> {
        Self::new_with_random(username, clock, &mut OsRandom)
    }

    /// [`Token::new`] with an explicit random source (tests, recorded vectors).
    ///
    /// # Errors
    /// As [`Token::new`], plus the random source's own error.
    pub fn new_with_random(
        username: impl Into<String>,
        clock: &dyn Clock,
        random: &mut dyn RandomSource,
    ) -> Result<Self> {
        let mut bytes = [0u8; NONCE_BYTES];
        random.fill(&mut bytes)?;
        Self::from_parts(username, clock.now().secs(), URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Claims with every part given (to reproduce recorded tokens, or with a nonce from your own generator).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an empty username or nonce or a zero time: the reference's verifier refuses
    /// such tokens, so they are not made.
    pub fn from_parts(
        username: impl Into<String>,
        time: i64,
        nonce: impl Into<String>,
    ) -> Result<Self> {
        let (username, nonce) = (username.into(), nonce.into());
        if username.is_empty() {
            return Err(Error::invalid_value("the username must not be empty"));
        }
        if time == 0 {
            return Err(Error::invalid_value("the time must not be zero"));
        }
        if nonce.is_empty() {
            return Err(Error::invalid_value("the nonce must not be empty"));
        }
        Ok(Token {
            username,
            time,
            nonce,
        })
    }

    /// The username claim.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The time claim (Unix seconds).
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The nonce claim.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The payload JSON: `{"username":…,"time":…,"nonce":…}`, escaped as Python's `json.dumps`.
    pub fn payload_json(&self) -> String {
        let mut out = String::with_capacity(48 + self.username.len() + self.nonce.len());
        out.push_str("{\"username\":");
        push_py_json_str(&mut out, &self.username);
        out.push_str(",\"time\":");
        out.push_str(&self.time.to_string());
        out.push_str(",\"nonce\":");
        push_py_json_str(&mut out, &self.nonce);
        out.push('}');
        out
    }

    /// The signed compact token, under the key's algorithm ([`signing_algorithm`]) and key id.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for a key that cannot sign JWTs; [`ErrorKind::InvalidValue`] when the
    /// token would be longer than [`MAX_JWT_LEN`] (use a shorter username).
    pub fn sign(&self, key: &SigningKey) -> Result<String> {
        let alg = signing_algorithm(key.verifying_key())?;
        let header = header_json_for(alg, key.key_id());
        let payload = self.payload_json();
        let mut token = String::with_capacity(MAX_JWT_LEN.min(
            2 * (header.len() + payload.len()) + 700, // base64 of both + an RSA-4096 signature
        ));
        URL_SAFE_NO_PAD.encode_string(header.as_bytes(), &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload.as_bytes(), &mut token);
        // An Ed25519 signature (the shortest) takes 86 characters.
        let too_long = |len: usize| {
            Error::invalid_value(format!(
                "the token would be {len} bytes long, over the limit of {MAX_JWT_LEN}; use a shorter username"
            ))
        };
        if token.len() + 1 + 86 > MAX_JWT_LEN {
            return Err(too_long(token.len() + 1 + 86));
        }
        let signature = key.sign(alg, token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        if token.len() > MAX_JWT_LEN {
            return Err(too_long(token.len()));
        }
        Ok(token)
    }

    /// The `Authorization` header value: `JWT <token>`.
    ///
    /// # Errors
    /// As [`Token::sign`].
    pub fn authorization(&self, key: &SigningKey) -> Result<String> {
        Ok(format!("{SCHEME} {}", self.sign(key)?))
    }
}

/// How tokens are verified: the clock, the clock skew and the nonce store.
///
/// Build one per service and share it (clones share the nonce store): a policy made per request would have an
/// empty store each time and let every token be replayed.
#[derive(Clone)]
pub struct Policy {
    clock: Arc<dyn Clock>,
    clock_skew: Duration,
    nonce_store: Arc<dyn NonceStore>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("clock_skew", &self.clock_skew)
            .finish_non_exhaustive()
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new()
    }
}

impl Policy {
    /// The defaults: the system clock, [`DEFAULT_CLOCK_SKEW`] (20 s) and a new [`MemoryNonceStore`] of
    /// [`MemoryNonceStore::DEFAULT_CAPACITY`] entries.
    pub fn new() -> Self {
        Policy {
            clock: Arc::new(SystemClock),
            clock_skew: DEFAULT_CLOCK_SKEW,
            nonce_store: Arc::new(MemoryNonceStore::default()),
        }
    }

    /// Uses `clock` for the time checks and the nonce expiry.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accepts tokens whose time is within `clock_skew` of now, either side (inclusive).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] over [`MAX_CLOCK_SKEW`].
    pub fn with_clock_skew(mut self, clock_skew: Duration) -> Result<Self> {
        if clock_skew > MAX_CLOCK_SKEW {
            return Err(Error::invalid_value(format!(
                "the clock skew must be at most {} s, got {} s",
                MAX_CLOCK_SKEW.as_secs(),
                clock_skew.as_secs_f64()
            )));
        }
        self.clock_skew = clock_skew;
        Ok(self)
    }

    /// Records used nonces in `store` (a shared store for a fleet of servers).
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonce_store = store;
        self
    }

    /// The clock skew accepted either side of now.
    pub fn clock_skew(&self) -> Duration {
        self.clock_skew
    }

    /// Its settings as one line of text, e.g. `jwt clock_skew=20s nonce_store=on`: for logs, and for the tests
    /// that prove a binding's default policy is the core's ([`crate::policy_defaults`]).
    pub fn describe(&self) -> String {
        format!(
            "jwt clock_skew={}s nonce_store=on",
            self.clock_skew.as_secs()
        )
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The nonce store.
    pub fn nonce_store(&self) -> &Arc<dyn NonceStore> {
        &self.nonce_store
    }
}

/// Whole seconds of `d`, rounded up.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0))
}

/// PyJWT's registered time claims, when present.
#[derive(Debug, Clone, Copy, Default)]
struct Registered {
    exp: Option<Num>,
    nbf: Option<Num>,
    iat: Option<Num>,
}

/// A parsed token whose signature, time and nonce have not been checked. Everything it returns is *claimed*.
///
/// It owns its data, so it can outlive the header it came from (a handle in a binding).
#[derive(Clone)]
pub struct UnverifiedJwt {
    signing_input: String,
    signature: Vec<u8>,
    alg: SignatureAlgorithm,
    kid: Option<String>,
    username: String,
    time: Num,
    nonce: String,
    registered: Registered,
}

impl fmt::Debug for UnverifiedJwt {
    /// Shows the claims, never the signature (an unused token is a credential).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedJwt")
            .field("alg", &self.alg.jws_name())
            .field("kid", &self.kid)
            .field("claimed_username", &self.username)
            .field("claimed_time", &self.time.py_str())
            .finish_non_exhaustive()
    }
}

fn decode_segment(segment: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Error::malformed(format!("the JWT {what} is not unpadded base64url")))
}

fn decode_object(segment: &str, what: &str) -> Result<Map<String, Value>> {
    let bytes = decode_segment(segment, what)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::malformed(format!(
            "the JWT {what} is not a JSON object"
        ))),
        Err(_) => Err(Error::malformed(format!(
            "the JWT {what} is not valid UTF-8 JSON"
        ))),
    }
}

fn parse_alg(header: &Map<String, Value>) -> Result<SignatureAlgorithm> {
    match header.get("alg") {
        None => Err(unsupported("the JWT header names no algorithm (alg)")),
        Some(Value::String(name)) => ALGORITHMS
            .into_iter()
            .find(|a| a.jws_name() == name)
            .ok_or_else(|| {
                unsupported(format!(
                    "JWT algorithm {:?} is not accepted; expected EdDSA, RS512, RS384 or RS256",
                    clip(name, 20)
                ))
            }),
        Some(_) => Err(unsupported("the JWT alg header is not a string")),
    }
}

fn registered_time(payload: &Map<String, Value>, name: &str) -> Result<Option<Num>> {
    match payload.get(name) {
        None => Ok(None),
        Some(v) => Num::of(v).map(Some).ok_or_else(|| {
            Error::malformed(format!("the {name} claim must be a number of seconds"))
        }),
    }
}

impl UnverifiedJwt {
    /// Decodes a compact token and reads its claims, without checking the signature.
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] over [`MAX_JWT_LEN`] bytes; [`ErrorKind::UnsupportedAlgorithm`] when the header's
    /// `alg` is not one of [`ALGORITHMS`] (`none`, `HS256`, `PS512`, …); [`ErrorKind::Malformed`] for anything
    /// else that is not a well-formed token of this scheme (see the [module documentation](self)).
    pub fn parse(token: &str) -> Result<Self> {
        if token.len() > MAX_JWT_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("a JWT must be {MAX_JWT_LEN} bytes or less"),
            ));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::malformed(
                "a JWT has three parts separated by '.' (header, payload, signature)",
            ));
        };
        let signing_input = &token[..header.len() + 1 + payload.len()];

        let header = decode_object(header, "header")?;
        let alg = parse_alg(&header)?;
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(Error::malformed("the JWT kid header is not a string")),
        };
        if header.contains_key("crit") {
            return Err(Error::malformed(
                "JWT header extensions (crit) are not supported",
            ));
        }
        if header.get("b64") == Some(&Value::Bool(false)) {
            return Err(Error::malformed(
                "JWTs with an unencoded payload (b64: false) are not supported",
            ));
        }

        let payload = decode_object(payload, "payload")?;
        let username = match payload.get("username") {
            Some(Value::String(u)) if !u.is_empty() => u.clone(),
            Some(Value::String(_)) | Some(Value::Null) | None => {
                return Err(Error::malformed(
                    "the JWT username claim is missing or empty",
                ))
            }
            Some(_) => return Err(Error::malformed("the JWT username claim is not a string")),
        };
        let time = match payload.get("time") {
            None | Some(Value::Null) => {
                return Err(Error::malformed("the JWT time claim is missing"))
            }
            Some(v) => match Num::of(v) {
                Some(t) if !t.is_zero() => t,
                Some(_) => return Err(Error::malformed("the JWT time claim is zero")),
                None => return Err(Error::malformed("the JWT time claim is not a number")),
            },
        };
        let nonce = match payload.get("nonce") {
            Some(Value::String(n)) if !n.is_empty() => n.clone(),
            Some(v @ Value::Number(_)) if truthy(v) => {
                Num::of(v).map_or_else(String::new, Num::py_str)
            }
            Some(Value::String(_)) | Some(Value::Null) | None => {
                return Err(Error::malformed("the JWT nonce claim is missing or empty"))
            }
            Some(_) => {
                return Err(Error::malformed(
                    "the JWT nonce claim is not a string or a number",
                ))
            }
        };
        let registered = Registered {
            exp: registered_time(&payload, "exp")?,
            nbf: registered_time(&payload, "nbf")?,
            iat: registered_time(&payload, "iat")?,
        };
        if payload.get("aud").is_some_and(truthy) {
            return Err(Error::malformed(
                "JWT audiences (aud) are not supported by this scheme",
            ));
        }
        for name in ["sub", "jti"] {
            if payload.get(name).is_some_and(|v| !v.is_string()) {
                return Err(Error::malformed(format!(
                    "the JWT {name} claim is not a string"
                )));
            }
        }

        let signature = decode_segment(signature, "signature")?;
        Ok(UnverifiedJwt {
            signing_input: signing_input.to_string(),
            signature,
            alg,
            kid,
            username,
            time,
            nonce,
            registered,
        })
    }

    /// Parses the token of an `Authorization` header value (see [`token_from_authorization`]).
    ///
    /// Returns `Ok(None)` when the header is not of this scheme ("not applicable": leave the request to other
    /// authentication methods), and an error when it is of this scheme but its token is bad.
    ///
    /// # Errors
    /// As [`UnverifiedJwt::parse`].
    pub fn from_authorization(value: &str) -> Result<Option<Self>> {
        token_from_authorization(value).map(Self::parse).transpose()
    }

    /// Parses the `Authorization` header of `request`; `Ok(None)` when it has none or one of another scheme.
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] when the request has more than one `Authorization` line (a single-valued header:
    /// [`crate::http::Headers::single`]); otherwise as [`UnverifiedJwt::parse`].
    pub fn from_request(request: &Request<'_>) -> Result<Option<Self>> {
        match request.headers().single("authorization")? {
            None => Ok(None),
            Some(value) => Self::from_authorization(value),
        }
    }

    /// The claimed username: use it to look up the user's public keys, never as an identity before `verify`.
    pub fn claimed_username(&self) -> &str {
        &self.username
    }

    /// The claimed time in Unix seconds (a float: old clients sent fractional times).
    pub fn claimed_time(&self) -> f64 {
        self.time.as_f64()
    }

    /// The claimed time in whole Unix seconds (a fractional time rounded down).
    pub fn claimed_created(&self) -> i64 {
        self.time.floor_i64()
    }

    /// The claimed nonce (a numeric nonce of an old client as Python prints it).
    pub fn claimed_nonce(&self) -> &str {
        &self.nonce
    }

    /// The claimed key id (`kid` header), if any.
    pub fn claimed_key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The claimed algorithm: one of [`ALGORITHMS`] (anything else was refused by `parse`).
    pub fn claimed_algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }

    /// The JWS signing input, `header.payload` as sent (for [`crate::explain`]).
    pub(crate) fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// The claimed signature's bytes (for [`crate::explain`]).
    pub(crate) fn claimed_signature(&self) -> &[u8] {
        &self.signature
    }

    /// Verifies the token with one public key. See [`UnverifiedJwt::verify_any`].
    ///
    /// # Errors
    /// As [`UnverifiedJwt::verify_any`].
    pub fn verify(&self, key: &VerifyingKey, policy: &Policy) -> Result<VerifiedJwt> {
        self.verify_any(std::slice::from_ref(key), policy)
    }

    /// Verifies the token with any of `keys` (every public key of the claimed user), in the order of the
    /// [module documentation](self): algorithm, time, signature (keys whose kid equals the claimed kid first, then
    /// the others, in order), then the nonce, which is recorded only when everything else passed.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownKey`] when `keys` is empty; [`ErrorKind::UnsupportedAlgorithm`] when no key allows the
    /// token's algorithm; [`ErrorKind::Expired`] / [`ErrorKind::NotYetValid`] outside the time window;
    /// [`ErrorKind::BadSignature`] when no key verifies the signature; [`ErrorKind::Replayed`] for a second use;
    /// the nonce store's own error (such as [`ErrorKind::Unavailable`]) when it cannot answer.
    pub fn verify_any(&self, keys: &[VerifyingKey], policy: &Policy) -> Result<VerifiedJwt> {
        if keys.is_empty() {
            return Err(Error::new(
                ErrorKind::UnknownKey,
                "no public key to verify the JWT with",
            ));
        }
        if !keys.iter().any(|k| k.allows(self.alg)) {
            return Err(unsupported(format!(
                "JWT algorithm {} is not allowed for {}",
                self.alg.jws_name(),
                if keys.len() == 1 {
                    "this key"
                } else {
                    "any of these keys"
                }
            )));
        }
        let now = policy.clock.now();
        self.check_time(now, policy.clock_skew)?;

        let kid = self.kid.as_deref();
        let matching = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| Some(k.key_id()) == kid);
        let others = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| Some(k.key_id()) != kid);
        let (index, key) = matching
            .chain(others)
            .filter(|(_, k)| k.allows(self.alg))
            .find(|(_, k)| {
                k.verify(self.alg, self.signing_input.as_bytes(), &self.signature)
                    .is_ok()
            })
            .ok_or_else(Error::bad_signature)?;

        let expires_at = UnixTime::from_secs(self.time.floor_i64())
            .saturating_add_secs(ceil_secs(policy.clock_skew).saturating_add(1));
        policy
            .nonce_store
            .check_and_insert(&self.replay_key(), expires_at, now)?;

        Ok(VerifiedJwt {
            username: self.username.clone(),
            time: self.time,
            nonce: self.nonce.clone(),
            alg: self.alg,
            kid: self.kid.clone(),
            key_index: index,
            key_kid: key.key_id().to_string(),
        })
    }

    fn check_time(&self, now: UnixTime, clock_skew: Duration) -> Result<()> {
        let now = now.as_secs_f64();
        // PyJWT's checks of registered claims (leeway 0); exp and nbf are truncated as `int()` does.
        if let Some(iat) = self.registered.iat {
            if iat.as_f64() > now {
                return Err(Error::new(
                    ErrorKind::NotYetValid,
                    "the JWT's issued-at time (iat) is in the future",
                ));
            }
        }
        if let Some(nbf) = self.registered.nbf {
            if nbf.as_f64().trunc() > now {
                return Err(Error::new(
                    ErrorKind::NotYetValid,
                    "the JWT is not valid before its nbf time",
                ));
            }
        }
        if let Some(exp) = self.registered.exp {
            if exp.as_f64().trunc() <= now {
                return Err(Error::new(ErrorKind::Expired, "the JWT has expired (exp)"));
            }
        }
        let time = self.time.as_f64();
        let tol = clock_skew.as_secs_f64();
        if time < now - tol {
            return Err(Error::new(
                ErrorKind::Expired,
                format!("the JWT's time is more than {tol} s in the past"),
            ));
        }
        if time > now + tol {
            return Err(Error::new(
                ErrorKind::NotYetValid,
                format!("the JWT's time is more than {tol} s in the future"),
            ));
        }
        Ok(())
    }

    /// `jwt:<username with % and : escaped>:<time>:<nonce>`, hashed when over the store's limit.
    fn replay_key(&self) -> Vec<u8> {
        let mut key = String::with_capacity(16 + self.username.len() + self.nonce.len());
        key.push_str("jwt:");
        for c in self.username.chars() {
            match c {
                '%' => key.push_str("%25"),
                ':' => key.push_str("%3A"),
                _ => key.push(c),
            }
        }
        key.push(':');
        key.push_str(&self.time.py_str());
        key.push(':');
        key.push_str(&self.nonce);
        if key.len() <= MAX_NONCE_LEN {
            return key.into_bytes();
        }
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(key.as_bytes());
        format!("jwt-sha256:{}", crate::encoding::hex_lower(&digest)).into_bytes()
    }
}

/// A token whose algorithm, time, signature and nonce were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    username: String,
    time: Num,
    nonce: String,
    alg: SignatureAlgorithm,
    kid: Option<String>,
    key_index: usize,
    key_kid: String,
}

impl VerifiedJwt {
    /// The authenticated username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The token's time in Unix seconds.
    pub fn time(&self) -> f64 {
        self.time.as_f64()
    }

    /// The token's time in whole Unix seconds (a fractional time rounded down).
    pub fn created(&self) -> i64 {
        self.time.floor_i64()
    }

    /// The nonce, now recorded as used.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The algorithm the signature was made with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }

    /// The `kid` header the signer put in the token, if any: signed, but not checked against the key, so still
    /// a claim (the id of the key that verified the token is [`VerifiedJwt::key_id`]).
    pub fn claimed_key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The position, in the slice given to [`UnverifiedJwt::verify_any`], of the key that verified the token
    /// (to record that key's last use, as the reference does).
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// The key id of the key that verified the token.
    pub fn key_id(&self) -> &str {
        &self.key_kid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::random::FixedRandom;

    const ED25519: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n";
    const T0: i64 = 1_700_000_000;

    fn key() -> SigningKey {
        SigningKey::from_pem(ED25519).unwrap()
    }

    fn policy(now: f64) -> Policy {
        Policy::new().with_clock(Arc::new(FixedClock::at_secs_f64(now)))
    }

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    /// A token with the given header and payload JSON, signed by the Ed25519 test key.
    fn forge(header: &str, payload: &str) -> String {
        let input = format!("{}.{}", b64(header), b64(payload));
        let sig = key()
            .sign(SignatureAlgorithm::Ed25519, input.as_bytes())
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    fn ed_header() -> String {
        header_json(&key()).unwrap()
    }

    fn kind_of(token: &str, now: f64) -> ErrorKind {
        UnverifiedJwt::parse(token)
            .and_then(|u| u.verify(key().verifying_key(), &policy(now)))
            .unwrap_err()
            .kind()
    }

    #[test]
    fn random_nonce_is_eleven_base64url_chars() {
        let clock = FixedClock::at_secs(T0);
        let t = Token::new_with_random("a", &clock, &mut FixedRandom::new([0xffu8; 8])).unwrap();
        assert_eq!(t.nonce(), "__________8");
        assert_eq!(t.time(), T0);
        let t = Token::new("a", &clock).unwrap();
        assert_eq!(t.nonce().len(), 11);
        assert!(Token::new_with_random("a", &clock, &mut FixedRandom::new([0u8; 7])).is_err());
    }

    #[test]
    fn refuses_claims_the_verifier_would_refuse() {
        for (u, t, n) in [("", T0, "n"), ("a", 0, "n"), ("a", T0, "")] {
            assert_eq!(
                Token::from_parts(u, t, n).unwrap_err().kind(),
                ErrorKind::InvalidValue
            );
        }
        let long = "u".repeat(MAX_JWT_LEN);
        let err = Token::from_parts(long, T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
    }

    #[test]
    fn float_times_and_numeric_nonces_of_old_clients_verify() {
        let token = forge(
            &ed_header(),
            r#"{"username":"bob","time":1700000000.25,"nonce":0.123456789}"#,
        );
        let u = UnverifiedJwt::parse(&token).unwrap();
        assert_eq!(u.claimed_time(), 1_700_000_000.25);
        assert_eq!(u.claimed_nonce(), "0.123456789");
        assert_eq!(
            u.replay_key(),
            b"jwt:bob:1700000000.25:0.123456789".to_vec()
        );
        let p = policy(1_700_000_020.25);
        let v = u.verify(key().verifying_key(), &p).unwrap();
        assert_eq!((v.time(), v.created()), (1_700_000_000.25, T0));
        assert_eq!(
            u.verify(key().verifying_key(), &p).unwrap_err().kind(),
            ErrorKind::Replayed
        );
        assert_eq!(kind_of(&token, 1_700_000_020.26), ErrorKind::Expired);
    }

    #[test]
    fn replay_keys_cannot_collide_across_users_and_stay_bounded() {
        let parse = |payload: &str| UnverifiedJwt::parse(&forge(&ed_header(), payload)).unwrap();
        let a = parse(r#"{"username":"a:1700000000","time":5,"nonce":"n"}"#);
        let b = parse(r#"{"username":"a","time":1700000000,"nonce":"5:n"}"#);
        assert_ne!(a.replay_key(), b.replay_key());
        assert_eq!(a.replay_key(), b"jwt:a%3A1700000000:5:n".to_vec());
        let long = parse(&format!(
            r#"{{"username":"{}","time":1,"nonce":"n"}}"#,
            "x".repeat(2000)
        ));
        let key = long.replay_key();
        assert!(key.starts_with(b"jwt-sha256:") && key.len() == 11 + 64);
    }

    #[test]
    fn registered_claims_are_checked_as_pyjwt_does() {
        let h = ed_header();
        let now = 1_700_000_000.5;
        let cases = [
            (r#""exp":1700000001"#, None),
            (r#""exp":1700000000.9"#, Some(ErrorKind::Expired)),
            (r#""exp":1700000000"#, Some(ErrorKind::Expired)),
            (r#""nbf":1700000000.9"#, None),
            (r#""nbf":1700000001"#, Some(ErrorKind::NotYetValid)),
            (r#""iat":1700000000.5"#, None),
            (r#""iat":1700000000.6"#, Some(ErrorKind::NotYetValid)),
            (r#""exp":"1700000001""#, Some(ErrorKind::Malformed)),
            (r#""iat":null"#, Some(ErrorKind::Malformed)),
            (r#""aud":"svc""#, Some(ErrorKind::Malformed)),
            (r#""aud":"""#, None),
            (r#""aud":[]"#, None),
            (r#""sub":"alice""#, None),
            (r#""sub":1"#, Some(ErrorKind::Malformed)),
            (r#""jti":[]"#, Some(ErrorKind::Malformed)),
        ];
        for (i, (extra, want)) in cases.into_iter().enumerate() {
            let payload = format!(r#"{{"username":"a","time":1700000000,"nonce":"n{i}",{extra}}}"#);
            let got = UnverifiedJwt::parse(&forge(&h, &payload))
                .and_then(|u| u.verify(key().verifying_key(), &policy(now)));
            assert_eq!(got.err().map(|e| e.kind()), want, "{extra}");
        }
    }

    #[test]
    fn wrong_claim_types_are_malformed() {
        let h = ed_header();
        for payload in [
            r#"[]"#,
            r#""x""#,
            r#"{"time":1700000000,"nonce":"n"}"#,
            r#"{"username":"","time":1700000000,"nonce":"n"}"#,
            r#"{"username":null,"time":1700000000,"nonce":"n"}"#,
            r#"{"username":7,"time":1700000000,"nonce":"n"}"#,
            r#"{"username":["a"],"time":1700000000,"nonce":"n"}"#,
            r#"{"username":"a","nonce":"n"}"#,
            r#"{"username":"a","time":0,"nonce":"n"}"#,
            r#"{"username":"a","time":0.0,"nonce":"n"}"#,
            r#"{"username":"a","time":"1700000000","nonce":"n"}"#,
            r#"{"username":"a","time":true,"nonce":"n"}"#,
            r#"{"username":"a","time":[1],"nonce":"n"}"#,
            r#"{"username":"a","time":1700000000}"#,
            r#"{"username":"a","time":1700000000,"nonce":""}"#,
            r#"{"username":"a","time":1700000000,"nonce":0}"#,
            r#"{"username":"a","time":1700000000,"nonce":true}"#,
            r#"{"username":"a","time":1700000000,"nonce":["n"]}"#,
            r#"{"username":"a","time":1700000000,"nonce":{"n":1}}"#,
        ] {
            assert_eq!(
                kind_of(&forge(&h, payload), T0 as f64),
                ErrorKind::Malformed,
                "{payload}"
            );
        }
    }

    #[test]
    fn header_rules() {
        let p = r#"{"username":"a","time":1700000000,"nonce":"n"}"#;
        let cases = [
            (r#"{"alg":"EdDSA","typ":"JWT"}"#, None),
            (r#"{"alg":"EdDSA","typ":"anything"}"#, None),
            (r#"{"alg":"EdDSA","jku":"https://evil.example/"}"#, None),
            (r#"{"alg":"EdDSA","b64":true}"#, None),
            (r#"{"typ":"JWT"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":null}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (
                r#"{"alg":["EdDSA"]}"#,
                Some(ErrorKind::UnsupportedAlgorithm),
            ),
            (r#"{"alg":"eddsa"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"none"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"HS512"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"PS512"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"ES256"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"RS512"}"#, Some(ErrorKind::UnsupportedAlgorithm)),
            (r#"{"alg":"EdDSA","kid":1}"#, Some(ErrorKind::Malformed)),
            (
                r#"{"alg":"EdDSA","crit":["exp"]}"#,
                Some(ErrorKind::Malformed),
            ),
            (r#"{"alg":"EdDSA","b64":false}"#, Some(ErrorKind::Malformed)),
            (r#"["EdDSA"]"#, Some(ErrorKind::Malformed)),
        ];
        for (i, (header, want)) in cases.into_iter().enumerate() {
            let payload = p.replace("\"n\"", &format!("\"n{i}\""));
            let got = UnverifiedJwt::parse(&forge(header, &payload))
                .and_then(|u| u.verify(key().verifying_key(), &policy(T0 as f64)));
            assert_eq!(got.err().map(|e| e.kind()), want, "{header}");
        }
    }

    #[test]
    fn structure_and_encoding_are_strict() {
        let good = forge(
            &ed_header(),
            r#"{"username":"a","time":1700000000,"nonce":"n"}"#,
        );
        let (input, sig) = good.rsplit_once('.').unwrap();
        let (h, p) = input.split_once('.').unwrap();
        for bad in [
            String::new(),
            ".".into(),
            "..".into(),
            "...".into(),
            format!("{h}.{p}"),
            format!("{good}."),
            format!("{h}.{p}.{sig}="),
            format!("{h}=.{p}.{sig}"),
            format!("{h}.{p}x.{sig}"),
            format!(" {good}"),
            format!(
                "{h}.{}.{sig}",
                b64("\u{feff}{\"username\":\"a\",\"time\":1700000000,\"nonce\":\"n\"}")
            ),
            format!("{h}.{}.{sig}", URL_SAFE_NO_PAD.encode([0xff, 0xfe])),
            format!("{}.{p}.{sig}", b64("{\"alg\":\"EdDSA\"")),
        ] {
            assert_eq!(
                UnverifiedJwt::parse(&bad).unwrap_err().kind(),
                ErrorKind::Malformed,
                "{bad:?}"
            );
        }
        let huge = "a".repeat(MAX_JWT_LEN + 1);
        assert_eq!(
            UnverifiedJwt::parse(&huge).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn verify_any_reports_the_most_telling_error() {
        let other = SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEII3H3a8IHEVTVwiOlLatc2/nFuNZh3LUvXxikvwOtqsn\n-----END PRIVATE KEY-----\n").unwrap();
        let token = Token::from_parts("a", T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap();
        let u = UnverifiedJwt::parse(&token).unwrap();
        let p = policy(T0 as f64);
        assert_eq!(
            u.verify_any(&[], &p).unwrap_err().kind(),
            ErrorKind::UnknownKey
        );
        let wrong = [other.verifying_key().clone()];
        assert_eq!(
            u.verify_any(&wrong, &p).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // The right key last, under a kid that does not match: found anyway, and reported by position.
        let keys = [
            other.verifying_key().clone(),
            key()
                .verifying_key()
                .clone()
                .with_key_id("renamed")
                .unwrap(),
        ];
        let v = u.verify_any(&keys, &p).unwrap();
        assert_eq!((v.key_index(), v.key_id()), (1, "renamed"));
        assert_eq!(v.claimed_key_id(), Some(key().key_id()));
        assert_eq!(v.algorithm(), SignatureAlgorithm::Ed25519);
        assert_eq!(
            u.verify_any(&keys, &p).unwrap_err().kind(),
            ErrorKind::Replayed
        );
        // Expired is reported even with a wrong key: the time check comes before any signature work.
        assert_eq!(
            u.verify_any(&wrong, &policy(T0 as f64 + 21.0))
                .unwrap_err()
                .kind(),
            ErrorKind::Expired
        );
    }

    #[test]
    fn clock_skew_is_configurable_and_bounded() {
        let token = Token::from_parts("a", T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap();
        let u = UnverifiedJwt::parse(&token).unwrap();
        let p = policy(T0 as f64 + 60.0)
            .with_clock_skew(Duration::from_secs(60))
            .unwrap();
        assert_eq!(p.clock_skew(), Duration::from_secs(60));
        u.verify(key().verifying_key(), &p).unwrap();
        let strict = policy(T0 as f64 + 1.0)
            .with_clock_skew(Duration::ZERO)
            .unwrap();
        assert_eq!(
            u.verify(key().verifying_key(), &strict).unwrap_err().kind(),
            ErrorKind::Expired
        );
        assert_eq!(
            Policy::new()
                .with_clock_skew(MAX_CLOCK_SKEW + Duration::from_nanos(1))
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn replay_entry_outlives_the_window() {
        // Accepted at the last instant of the window, then presented again in the same second.
        let token = Token::from_parts("a", T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap();
        let u = UnverifiedJwt::parse(&token).unwrap();
        let p = policy(T0 as f64 + 20.0);
        u.verify(key().verifying_key(), &p).unwrap();
        let p2 = p
            .clone()
            .with_clock(Arc::new(FixedClock::at_secs_f64(T0 as f64 + 20.0)));
        assert_eq!(
            u.verify(key().verifying_key(), &p2).unwrap_err().kind(),
            ErrorKind::Replayed
        );
    }

    #[test]
    fn store_errors_fail_closed() {
        struct Down;
        impl NonceStore for Down {
            fn check_and_insert(&self, _: &[u8], _: UnixTime, _: UnixTime) -> Result<()> {
                Err(Error::new(ErrorKind::Unavailable, "down"))
            }
        }
        let token = Token::from_parts("a", T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap();
        let p = policy(T0 as f64).with_nonce_store(Arc::new(Down));
        let err = UnverifiedJwt::parse(&token)
            .unwrap()
            .verify(key().verifying_key(), &p)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable);
    }

    #[test]
    fn keys_that_cannot_do_jwt() {
        // A key narrowed to nothing of the JWT set: refused before any signature work, and cannot sign.
        let rsa_pss_only = VerifyingKey::from_jwk(
            r#"{"kty":"RSA","alg":"PS512","e":"AQAB","n":"m3EK2NxbmhHse5HM7imijRGtvfOnT3c1d6TLd0P5CKfRcMoFYs-oHqLM2JjlkuZKpF5_cLC4-3uQas7NhvTfWibCjcJ6dGXeeNsPReMo-Ngm2vll-7HjANIpuf2zeuc1W3gS4xcpxrifhrSiN5PuY3bEu7FMiXDq5c8jMm2Jg3Y6PU_SoauJ8w1C5bmq6972dVdHvwmaUkapk8NCSVycCi7gxVUkY5p_MrG2ajJ7_matMMtEXMlJDGUDon2MPynYsIcwigf1hPtBtQcGh_s7OhiRiPpnzTo_jSAFCb-dUB68jAqxQW_wpjcklCQWtML8dfp86xKVhM_pfAzO6-EVSQ"}"#,
        )
        .unwrap();
        assert_eq!(
            signing_algorithm(&rsa_pss_only).unwrap_err().kind(),
            ErrorKind::UnsupportedAlgorithm
        );
        let forged_rs512 = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS512"}"#),
            b64(r#"{"username":"a","time":1700000000,"nonce":"n"}"#),
            URL_SAFE_NO_PAD.encode([0u8; 256])
        );
        let err = UnverifiedJwt::parse(&forged_rs512)
            .unwrap()
            .verify(&rsa_pss_only, &policy(T0 as f64))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    }

    #[test]
    fn from_request_reads_the_authorization_header() {
        let header = Token::from_parts("a", T0, "n")
            .unwrap()
            .authorization(&key())
            .unwrap();
        let req = Request::new("GET", "/x")
            .unwrap()
            .with_header("Authorization", &header)
            .unwrap();
        let u = UnverifiedJwt::from_request(&req).unwrap().unwrap();
        assert_eq!(u.claimed_username(), "a");
        assert_eq!(u.claimed_key_id(), Some(key().key_id()));
        assert_eq!(u.claimed_algorithm(), SignatureAlgorithm::Ed25519);
        let none = Request::new("GET", "/x").unwrap();
        assert!(UnverifiedJwt::from_request(&none).unwrap().is_none());
        let basic = none
            .clone()
            .with_header("authorization", "Basic YTpi")
            .unwrap();
        assert!(UnverifiedJwt::from_request(&basic).unwrap().is_none());
        let bad = none.with_header("authorization", "JWT x.y.z").unwrap();
        assert_eq!(
            UnverifiedJwt::from_request(&bad).unwrap_err().kind(),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn debug_hides_the_signature() {
        let token = Token::from_parts("a", T0, "n")
            .unwrap()
            .sign(&key())
            .unwrap();
        let u = UnverifiedJwt::parse(&token).unwrap();
        let shown = format!("{u:?}");
        let sig = token.rsplit_once('.').unwrap().1;
        assert!(!shown.contains(sig) && shown.contains("EdDSA"), "{shown}");
        assert!(!format!("{:?}", Policy::new()).is_empty());
    }
}
