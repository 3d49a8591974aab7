//! Tokens in the format of the `handshake` library (0.2.1): `field1:field2:…:timestamp:random:signature`.
//!
//! * `fields` are zero or more metadata strings of `a-z A-Z 0-9 _ -` (the empty string is allowed);
//! * `timestamp` is the creation time in whole Unix seconds;
//! * `random` is the hex digest (of the key's hash function) of [`Tokens::DEFAULT_RANDOM_LEN`] bytes from the OS;
//! * `signature` is the lower-case hex HMAC, under the key's algorithm, of everything before the last `:`.
//!
//! A token with no fields starts with `:` and verifies to no fields (one empty field is indistinguishable from
//! none, as in handshake).
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use countermark::{Algorithm, FixedClock, HmacKey, Secret, Tokens};
//!
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"0123456789abcdef")?);
//! let tokens = Tokens::new(key).with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
//! let token = tokens.create(&["user", "42"])?;
//! let verified = tokens.verify(&token, Some(Duration::from_secs(300)))?;
//! assert_eq!(verified.fields(), ["user", "42"]);
//!
//! // Any change is caught:
//! let tampered = token.replacen("user", "usr", 1);
//! assert_eq!(tokens.verify(&tampered, Some(Duration::from_secs(300))).unwrap_err().kind(), countermark::ErrorKind::BadSignature);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Limits and time window
//! * A token longer than [`MAX_TOKEN_LEN`] (2048) characters is refused by `verify` before it is parsed
//!   ([`ErrorKind::TooLarge`]), and `create` refuses to make one (handshake itself only limits the part before the
//!   signature, so it can create tokens of up to 2048 + 65 characters that it then refuses to verify; countermark
//!   refuses at creation instead).
//! * `verify(token, Some(max_age))` accepts timestamps in `[now - max_age, now + max_age]` (inclusive, whole seconds): older is
//!   [`ErrorKind::Expired`], newer is [`ErrorKind::NotYetValid`]. `None` disables the check (handshake's
//!   `time_range=0`): such tokens never expire, so prefer a window.
//! * The time check runs before the signature check, as in handshake; both errors are final.
//! * Tokens carry no nonce and are not single-use: anyone holding one can replay it inside the window.
//!
//! # Compatibility notes
//! * The timestamp is read as Python's `int()` reads it (leading zeros, `+`, `_` between digits, surrounding
//!   whitespace) and the signature is checked over its normalised decimal form, exactly as handshake does, so
//!   such variants of a valid token verify too. Only ASCII digits are accepted.
//! * The signature must be lower-case hex of the right length; anything else is [`ErrorKind::BadSignature`].

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::encoding::{decode_hex_lower, py_int};
use crate::error::{Error, ErrorKind, Result};
use crate::key::{KeyRing, Tag};
use crate::random::{OsRandom, RandomSource};

/// Longest token, in characters, that `verify` accepts and `create` produces.
pub const MAX_TOKEN_LEN: usize = 2048;

/// Creates and verifies handshake-format tokens with one key (or a [`KeyRing`]: the primary key signs, every key
/// verifies).
#[derive(Clone)]
pub struct Tokens {
    keys: KeyRing,
    clock: Arc<dyn Clock>,
    random_len: usize,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("keys", &self.keys)
            .field("random_len", &self.random_len)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Random bytes hashed into each token, as in handshake.
    pub const DEFAULT_RANDOM_LEN: usize = 256;

    /// Tokens signed by `keys` (an [`crate::HmacKey`] or a [`KeyRing`]), using the system clock.
    pub fn new(keys: impl Into<KeyRing>) -> Self {
        Tokens {
            keys: keys.into(),
            clock: Arc::new(SystemClock),
            random_len: Self::DEFAULT_RANDOM_LEN,
        }
    }

    /// Uses `clock` for creation times and window checks.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Number of OS random bytes hashed into each token (16..=1024, default 256; handshake's `random_len`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] outside 16..=1024.
    pub fn with_random_len(mut self, len: usize) -> Result<Self> {
        if !(16..=1024).contains(&len) {
            return Err(Error::invalid_value(format!(
                "random_len must be between 16 and 1024, got {len}"
            )));
        }
        self.random_len = len;
        Ok(self)
    }

    /// The keys.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// Creates a token carrying `fields`, with randomness from the operating system.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when a field holds a character outside `a-z A-Z 0-9 _ -` or the token would be
    /// longer than [`MAX_TOKEN_LEN`].
    pub fn create<S: AsRef<str>>(&self, fields: &[S]) -> Result<String> {
        self.create_with_random(fields, &mut OsRandom)
    }

    /// [`Tokens::create`] with an explicit random source (tests, recorded vectors).
    ///
    /// # Errors
    /// As [`Tokens::create`], plus the random source's own error.
    pub fn create_with_random<S: AsRef<str>>(
        &self,
        fields: &[S],
        random: &mut dyn RandomSource,
    ) -> Result<String> {
        for (i, field) in fields.iter().enumerate() {
            let field = field.as_ref();
            if !field.bytes().all(is_field_byte) {
                return Err(Error::invalid_value(format!(
                    "field {i} contains invalid characters; only a-z A-Z 0-9 '_' and '-' are allowed, got {:?}",
                    crate::encoding::clip(field, 64)
                )));
            }
        }
        let key = self.keys.primary();
        let mut noise = zeroize::Zeroizing::new(vec![0u8; self.random_len]);
        random.fill(&mut noise)?;
        let random_hex = key.algorithm().hash_hex(&noise);

        let mut msg = String::with_capacity(MAX_TOKEN_LEN);
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                msg.push(':');
            }
            msg.push_str(field.as_ref());
        }
        msg.push(':');
        msg.push_str(&self.clock.now().secs().to_string());
        msg.push(':');
        msg.push_str(&random_hex);

        let token_len = msg.len() + 1 + 2 * key.algorithm().output_len();
        if token_len > MAX_TOKEN_LEN {
            return Err(Error::invalid_value(format!(
                "the token would be {token_len} characters long, over the limit of {MAX_TOKEN_LEN}; use shorter fields"
            )));
        }
        let tag = key.sign(msg.as_bytes());
        msg.push(':');
        msg.push_str(&tag.to_hex());
        Ok(msg)
    }

    /// Verifies `token` and returns its fields.
    ///
    /// `max_age`: `Some(age)` accepts creation times within `age` of now, either side (inclusive, whole seconds: a
    /// fraction is dropped); `None` skips the time check (the token never expires).
    ///
    /// The result borrows the fields from `token`: verification allocates nothing.
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`], [`ErrorKind::Malformed`], [`ErrorKind::Expired`], [`ErrorKind::NotYetValid`],
    /// [`ErrorKind::BadSignature`].
    pub fn verify<'a>(
        &self,
        token: &'a str,
        max_age: Option<Duration>,
    ) -> Result<VerifiedToken<'a>> {
        UnverifiedToken::parse(token)?.verify(&self.keys, max_age, self.clock.as_ref())
    }
}

/// The positions of the last three `:` of a token, after its length check: the shape handshake checks before
/// anything else.
fn last_three_colons(token: &str) -> Result<[usize; 3]> {
    // Count characters (as handshake does) but never walk more than a bounded number of bytes.
    if token.len() > MAX_TOKEN_LEN
        && (token.len() > 4 * MAX_TOKEN_LEN || token.chars().count() > MAX_TOKEN_LEN)
    {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("token must be {MAX_TOKEN_LEN} characters or less"),
        ));
    }
    // The last three `:` (as `rsplitn(4, ':')` finds them), scanning backwards eight bytes at a time.
    let bytes = token.as_bytes();
    rfind_colon(bytes)
        .and_then(|c0| {
            let c1 = rfind_colon(&bytes[..c0])?;
            Some([c0, c1, rfind_colon(&bytes[..c1])?])
        })
        .ok_or_else(|| {
            Error::malformed(
                "a token has at least 4 parts separated by ':' (fields, timestamp, random, signature)",
            )
        })
}

/// Checks a token's shape, the first thing handshake checks (before its time window argument and the
/// timestamp): at most [`MAX_TOKEN_LEN`] characters and at least four `:`-separated parts.
/// [`UnverifiedToken::parse`] makes the same check; compatibility layers that must refuse a badly shaped token
/// before looking at their other arguments call this.
///
/// ```
/// use countermark::token::check_token_shape;
/// use countermark::ErrorKind;
///
/// assert!(check_token_shape("user:1700000000:r:s").is_ok());
/// assert_eq!(check_token_shape("a:b:c").unwrap_err().kind(), ErrorKind::Malformed);
/// assert_eq!(check_token_shape(&"a".repeat(2049)).unwrap_err().kind(), ErrorKind::TooLarge);
/// ```
///
/// # Errors
/// [`ErrorKind::TooLarge`] over [`MAX_TOKEN_LEN`] characters, [`ErrorKind::Malformed`] with fewer than four parts.
pub fn check_token_shape(token: &str) -> Result<()> {
    last_three_colons(token).map(|_| ())
}

fn is_field_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A parsed token whose signature has not been checked yet. Everything it returns is *claimed*.
///
/// Use it when the key depends on the token's contents (a field names the tenant, say): parse, look the key up,
/// then [`UnverifiedToken::verify`].
#[derive(Debug, Clone)]
pub struct UnverifiedToken<'a> {
    /// Everything before the timestamp, including the `:` that ends it (`"user:42:"`, or `":"` without fields).
    prefix: &'a str,
    timestamp: i64,
    random: &'a str,
    signature: &'a str,
}

impl<'a> UnverifiedToken<'a> {
    /// Splits a token into its parts.
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] over [`MAX_TOKEN_LEN`] characters; [`ErrorKind::Malformed`] with fewer than four
    /// `:`-separated parts or a timestamp that is not an integer.
    pub fn parse(token: &'a str) -> Result<Self> {
        let colons = last_three_colons(token)?;
        // `:` is ASCII, so every cut is on a character boundary.
        let signature = &token[colons[0] + 1..];
        let random = &token[colons[1] + 1..colons[0]];
        let ts = &token[colons[2] + 1..colons[1]];
        let fields = &token[..colons[2]];
        let timestamp = py_int(ts).ok_or_else(|| {
            Error::malformed(format!(
                "token timestamp is not an integer: {:?}",
                crate::encoding::clip(ts, 32)
            ))
        })?;
        Ok(UnverifiedToken {
            prefix: &token[..fields.len() + 1],
            timestamp,
            random,
            signature,
        })
    }

    /// The claimed fields (empty for a token without fields).
    pub fn claimed_fields(&self) -> Vec<&'a str> {
        split_fields(self.joined_fields()).collect()
    }

    /// The fields as they are in the token, `:`-separated, without the `:` that ends them.
    fn joined_fields(&self) -> &'a str {
        &self.prefix[..self.prefix.len() - 1]
    }

    /// The claimed creation time (Unix seconds).
    pub fn claimed_timestamp(&self) -> i64 {
        self.timestamp
    }

    /// Checks the time window and then the signature against every key of `keys` (primary first).
    ///
    /// # Errors
    /// [`ErrorKind::Expired`], [`ErrorKind::NotYetValid`], [`ErrorKind::BadSignature`].
    pub fn verify(
        &self,
        keys: &KeyRing,
        max_age: Option<Duration>,
        clock: &dyn Clock,
    ) -> Result<VerifiedToken<'a>> {
        if let Some(age) = max_age {
            let now = i128::from(clock.now().secs());
            let ts = i128::from(self.timestamp);
            let w = i128::from(age.as_secs());
            if ts < now - w {
                return Err(Error::new(
                    ErrorKind::Expired,
                    format!(
                        "token expired: created {} s ago, the maximum age is {w} s",
                        now - ts
                    ),
                ));
            }
            if ts > now + w {
                return Err(Error::new(
                    ErrorKind::NotYetValid,
                    format!(
                        "token not yet valid: created {} s in the future, the maximum age is {w} s",
                        ts - now
                    ),
                ));
            }
        }
        // The MAC covers the normalised decimal timestamp (as handshake computes it), not the text as sent.
        let mut ts_buf = [0u8; 20];
        let parts: [&[u8]; 4] = [
            self.prefix.as_bytes(),
            decimal(self.timestamp, &mut ts_buf),
            b":",
            self.random.as_bytes(),
        ];
        let mut tag = [0u8; Tag::MAX_LEN];
        let tag_len =
            decode_hex_lower(self.signature, &mut tag).ok_or_else(Error::bad_signature)?;
        for key in keys.keys() {
            if key.verify_parts(&parts, &tag[..tag_len]).is_ok() {
                return Ok(VerifiedToken {
                    fields: self.joined_fields(),
                    timestamp: self.timestamp,
                });
            }
        }
        Err(Error::bad_signature())
    }
}

/// The index of the last `:` in `bytes`. Eight bytes at a time: in `x = word ^ ":::::::::"`, the bytes that are
/// zero are exactly the colons, and `!(((x & 0x7f..) + 0x7f..) | x | 0x7f..)` has the high bit of those bytes
/// set and no other bit (no carry crosses a byte).
fn rfind_colon(bytes: &[u8]) -> Option<usize> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COLONS: u64 = 0x3a3a_3a3a_3a3a_3a3a;
    let mut end = bytes.len();
    while end >= 8 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[end - 8..end]);
        let x = u64::from_le_bytes(word) ^ COLONS;
        let zero_bytes = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        if zero_bytes != 0 {
            // The most significant flagged byte is the last colon (little-endian: byte k holds bits 8k..8k+7).
            let k = 7 - (zero_bytes.leading_zeros() / 8) as usize;
            return Some(end - 8 + k);
        }
        end -= 8;
    }
    bytes[..end].iter().rposition(|&b| b == b':')
}

/// The decimal text of `v`, written at the end of `buf` (20 bytes hold any `i64`, sign included).
fn decimal(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        // `n % 10` < 10: the cast cannot truncate.
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

fn split_fields(joined: &str) -> std::str::Split<'_, char> {
    // An empty string splits into one empty piece: skip it, so that no fields read back as none.
    let mut split = joined.split(':');
    if joined.is_empty() {
        split.next();
    }
    split
}

/// The fields of a verified token, in order, borrowed from the token text.
#[derive(Debug, Clone)]
pub struct TokenFields<'a>(std::str::Split<'a, char>);

impl<'a> Iterator for TokenFields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.next()
    }
}

/// The fields and creation time of a token whose signature and time window were checked. The fields are borrowed
/// from the token text (verification allocates nothing); [`VerifiedToken::into_fields`] copies them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken<'a> {
    /// The fields as in the token, `:`-separated (empty: no fields).
    fields: &'a str,
    timestamp: i64,
}

impl<'a> VerifiedToken<'a> {
    /// The verified fields, in order.
    pub fn fields(&self) -> Vec<&'a str> {
        self.iter_fields().collect()
    }

    /// The verified fields, in order, without collecting them.
    pub fn iter_fields(&self) -> TokenFields<'a> {
        TokenFields(split_fields(self.fields))
    }

    /// The fields as they are in the token, `:`-separated (empty when there are none).
    pub fn joined_fields(&self) -> &'a str {
        self.fields
    }

    /// The verified creation time (Unix seconds).
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The fields, copied out of the token.
    pub fn into_fields(self) -> Vec<String> {
        self.iter_fields().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, FixedClock, FixedRandom, HmacKey, Secret};

    fn tokens(now: i64) -> Tokens {
        let key = HmacKey::new(
            Algorithm::HmacSha256,
            &Secret::new(*b"0123456789abcdef").unwrap(),
        );
        Tokens::new(key).with_clock(Arc::new(FixedClock::at_secs(now)))
    }

    #[test]
    fn no_fields_round_trip() {
        let t = tokens(1_700_000_000);
        let token = t.create::<&str>(&[]).unwrap();
        assert!(token.starts_with(":1700000000:"));
        assert!(t
            .verify(&token, Some(Duration::from_secs(0)))
            .unwrap()
            .fields()
            .is_empty());
    }

    #[test]
    fn one_empty_field_reads_back_as_none() {
        let t = tokens(1_700_000_000);
        let token = t.create(&[""]).unwrap();
        assert!(t.verify(&token, None).unwrap().fields().is_empty());
        let token = t.create(&["", "a", ""]).unwrap();
        assert_eq!(t.verify(&token, None).unwrap().fields(), ["", "a", ""]);
    }

    #[test]
    fn refuses_bad_fields_and_long_tokens() {
        let t = tokens(1);
        assert_eq!(
            t.create(&["a:b"]).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            t.create(&["é"]).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        let long = "a".repeat(2048 - 1 - 1 - 1 - 64 - 1 - 64);
        let ok = t.create(&[long.as_str()]).unwrap();
        assert_eq!(ok.len(), MAX_TOKEN_LEN);
        assert!(t.verify(&ok, None).is_ok());
        let too_long = format!("{long}a");
        assert_eq!(
            t.create(&[too_long.as_str()]).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn window_edges() {
        let token = tokens(1000).create(&["x"]).unwrap();
        assert!(tokens(1300)
            .verify(&token, Some(Duration::from_secs(300)))
            .is_ok());
        assert!(tokens(700)
            .verify(&token, Some(Duration::from_secs(300)))
            .is_ok());
        assert_eq!(
            tokens(1301)
                .verify(&token, Some(Duration::from_secs(300)))
                .unwrap_err()
                .kind(),
            ErrorKind::Expired
        );
        assert_eq!(
            tokens(699)
                .verify(&token, Some(Duration::from_secs(300)))
                .unwrap_err()
                .kind(),
            ErrorKind::NotYetValid
        );
        assert!(tokens(i64::MAX).verify(&token, None).is_ok());
        assert_eq!(
            tokens(i64::MAX)
                .verify(&token, Some(Duration::MAX))
                .map(|v| v.timestamp()),
            Ok(1000)
        );
    }

    #[test]
    fn fixed_random_is_used_and_exhaustion_is_an_error() {
        let t = tokens(5).with_random_len(16).unwrap();
        let a = t
            .create_with_random(&["a"], &mut FixedRandom::new([7u8; 16]))
            .unwrap();
        let b = t
            .create_with_random(&["a"], &mut FixedRandom::new([7u8; 16]))
            .unwrap();
        assert_eq!(a, b);
        assert!(t
            .create_with_random(&["a"], &mut FixedRandom::new([7u8; 15]))
            .is_err());
        assert!(tokens(5).with_random_len(15).is_err());
    }

    #[test]
    fn rfind_colon_matches_rfind() {
        let mut text = String::new();
        for i in 0..40 {
            text.push(if i % 7 == 3 || i % 11 == 0 { ':' } else { 'x' });
            for end in 0..=text.len() {
                assert_eq!(rfind_colon(&text.as_bytes()[..end]), text[..end].rfind(':'));
            }
        }
        assert_eq!(rfind_colon("é:ü\u{3a}".as_bytes()), "é:ü\u{3a}".rfind(':'));
        assert_eq!(rfind_colon(&[0xba; 20]), None);
    }

    #[test]
    fn decimal_matches_to_string() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            1_700_000_000,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut buf = [0u8; 20];
            assert_eq!(decimal(v, &mut buf), v.to_string().as_bytes());
        }
    }

    #[test]
    fn normalised_timestamps_verify_and_fields_borrow() {
        let t = tokens(1_700_000_000);
        let token = t.create(&["a", "b"]).unwrap();
        let padded = token.replacen(":1700000000:", ": +1_700_000_000 :", 1);
        let v = t.verify(&padded, Some(Duration::from_secs(0))).unwrap();
        assert_eq!(v.fields(), ["a", "b"]);
        assert_eq!(v.iter_fields().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(v.joined_fields(), "a:b");
        assert_eq!(v.into_fields(), ["a", "b"]);
        let none = t.create::<&str>(&[]).unwrap();
        let v = t.verify(&none, None).unwrap();
        assert_eq!(v.iter_fields().count(), 0);
        assert_eq!(v.joined_fields(), "");
    }

    #[test]
    fn garbage_never_panics() {
        let t = tokens(5);
        for s in [
            "",
            ":",
            ":::",
            "a:b:c",
            "::::",
            "x:1:r:",
            "x:1:r:zz",
            "x:-:r:00",
            "\u{0}:1:2:3",
            "é:é:é:é",
        ] {
            assert!(t.verify(s, Some(Duration::from_secs(10))).is_err(), "{s:?}");
        }
        let huge = "a".repeat(10_000);
        assert_eq!(
            t.verify(&huge, None).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn shape_is_length_then_parts() {
        assert!(check_token_shape(":1:r:s").is_ok());
        // 2048 characters of four parts: accepted; one more: too large, even with the parts.
        let ok = format!("{}:1:r:s", "a".repeat(MAX_TOKEN_LEN - 6));
        assert!(check_token_shape(&ok).is_ok());
        let long = format!("a{ok}");
        assert_eq!(
            check_token_shape(&long).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        // Multi-byte characters count once (2048 of them pass).
        let wide = format!("{}:1:r:s", "é".repeat(MAX_TOKEN_LEN - 6));
        assert!(check_token_shape(&wide).is_ok());
        for bad in ["", "a:b:c", "abc", "::"] {
            assert_eq!(
                check_token_shape(bad).unwrap_err().kind(),
                ErrorKind::Malformed,
                "{bad:?}"
            );
        }
        // The timestamp is not part of the shape.
        assert!(check_token_shape("a:notanumber:r:s").is_ok());
        assert_eq!(
            UnverifiedToken::parse("a:notanumber:r:s")
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
    }
}
