//! Signed URLs and signed data in the format of the `ska` library (1.11.2).
//!
//! A signature covers `str(valid_until) + "_" + auth_user`, plus `"_" + quote(k1=v1&k2=v2…)` over the extra data
//! sorted by key when there is any, and is the standard base64 of the HMAC of that text. A signed URL carries the
//! signature, the user, the expiry and the list of signed extra keys as query parameters, then the extra items.
//!
//! ```
//! use std::sync::Arc;
//! use countermark::{Algorithm, FixedClock, HmacKey, Secret};
//! use countermark::signed::{Expiry, Extra, UrlSigner};
//!
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"a shared secret!")?);
//! let signer = UrlSigner::new(key).with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
//!
//! let extra = Extra::from_pairs([("email", "john.doe@example.com")])?;
//! let url = signer.sign_url("https://e.com/download", "john", Expiry::Lifetime(std::time::Duration::from_secs(120)), &extra)?;
//! assert!(url.starts_with("https://e.com/download?signature="));
//!
//! let data = signer.validate_url(&url).map_err(countermark::Error::from)?;
//! assert_eq!(data.auth_user(), "john");
//! assert_eq!(data.extra(), [("email".to_string(), "john.doe@example.com".to_string())]);
//!
//! // Two minutes later the link has expired; a changed value is caught at any time.
//! let later = signer.clone().with_clock(Arc::new(FixedClock::at_secs(1_700_000_120)));
//! let rejection = later.validate_url(&url.replace("john", "jane")).unwrap_err();
//! assert_eq!(rejection.failures(), [countermark::signed::Failure::InvalidSignature, countermark::signed::Failure::Expired]);
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # ska's legacy helpers
//! ska signs with HMAC-SHA1 by default and offers other hashes; [`crate::Algorithm::HmacMd5`] (`HMACMD5Signature`)
//! is there only to validate links made with it, and signs only when a caller builds an MD5 key by naming it: no
//! default ever picks it. ska's JavaScript port signs with `javascript_value_dumper` and `javascript_quoter`;
//! [`UrlSigner::with_value_dumper`] and [`UrlSigner::with_quoter`] select them ([`ValueDumper::JavaScript`],
//! [`Quoter::JavaScript`]), byte for byte. The quoter matters when validating (it decides which characters of
//! the received extra data are escaped in the signed text); the value dumper only when signing values that are
//! not text (`None`, lists and dicts become compact JSON).
//!
//! ```
//! use countermark::{Algorithm, HmacKey, Secret};
//! use countermark::signed::{Expiry, Extra, Quoter, UrlSigner, ValidUntil, ValueDumper};
//!
//! // As ska 1.11.2 signs with HMACMD5Signature, its JavaScript helpers and its documentation key (15 bytes).
//! let key = HmacKey::new(Algorithm::HmacMd5, &Secret::legacy(*b"your-secret-key")?);
//! let js = UrlSigner::new(key).with_value_dumper(ValueDumper::JavaScript).with_quoter(Quoter::JavaScript);
//! let extra = Extra::from_pairs([("path", "/a (b)")])?;
//! let sig = js.generate("user", Expiry::At(ValidUntil::Text("1378045287.0".into())), &extra)?;
//! assert_eq!(sig.signature(), "dI/kqzyBAojmOOO8wZ2JgQ==");
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # What is and is not covered
//! ska signs only the user, the expiry and the extra items named in the `extra` parameter. **The URL itself
//! (scheme, host, path) and any other query parameter are not signed**: trust only the data
//! [`UrlSigner::validate`] returns. `"_"` is an ambiguous separator: user `bob` with extra `x=1` and user
//! `bob_x%3D1` without extra sign the same text (a weakness of the format, kept for compatibility). Prefer RFC 9421
//! request signatures for new designs.
//!
//! # Time
//! A signature is valid while `valid_until > now` (strictly), `now` from the signer's [`Clock`]. ska compares naive
//! local times; countermark compares Unix times, which is the same when the ska side runs with `TZ=UTC`.
//!
//! # Differences from ska, all refusing what ska would mishandle
//! * `valid_until` must be a finite number at signing time ([`crate::ErrorKind::InvalidValue`]); a received one
//!   that is not a number, or outside the years 1..9999 that Python's `datetime` can hold, is reported as
//!   [`Failure::InvalidValidUntil`] (ska raises `TypeError`).
//! * Extra keys may not be empty, contain `,`, or equal one of the reserved parameter names (ska would overwrite
//!   the reserved parameter in the URL, producing a link that never validates).
//! * A received signature without `valid_until` is reported as [`Failure::InvalidSignature`] without computing a
//!   MAC (ska signs `now + 600` in its place, which can never match).
//! * With [`ValueDumper::JavaScript`], signed URLs and signature dicts carry the JSON that was signed for `None`,
//!   lists and dicts (`null`, `[1,"x"]`); ska writes Python's `str()` of them there, a link that never validates.

mod value;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;

pub use value::{Extra, Quoter, Value, ValueDumper};

use crate::clock::{Clock, SystemClock};
use crate::encoding::{
    ct_eq, py_float_repr, py_parse_qsl_borrowed, py_quote, py_quote_into, py_quote_plus,
};
use crate::error::{Error, ErrorKind, Result};
use crate::key::KeyRing;

/// The expiry time as given to [`UrlSigner::generate`]. Its text form is what is signed, so the type matters:
/// `Float(1378045287.0)` signs `1378045287.0`, `Int(1378045287)` signs `1378045287`.
#[derive(Debug, Clone, PartialEq)]
pub enum ValidUntil {
    /// Unix seconds as text, signed exactly as given (it must read as a finite number).
    Text(String),
    /// Whole Unix seconds, signed in decimal.
    Int(i64),
    /// Unix seconds as a float, signed as Python's `str(float)` (`1378045287.0`).
    Float(f64),
}

impl ValidUntil {
    /// The signed text: Python's `str(valid_until)`.
    pub fn to_text(&self) -> String {
        match self {
            ValidUntil::Text(s) => s.clone(),
            ValidUntil::Int(i) => i.to_string(),
            ValidUntil::Float(f) => py_float_repr(*f),
        }
    }
}

/// ska's default lifetime of a signature: 600 seconds.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

/// When a new signature expires.
#[derive(Debug, Clone, PartialEq)]
pub enum Expiry {
    /// At this time.
    At(ValidUntil),
    /// This long from now: `valid_until` is `floor(now) + whole seconds of the lifetime`, as a float
    /// (`1700000600.0`), as ska computes it (a fraction of a second in the lifetime is dropped).
    Lifetime(Duration),
}

impl Default for Expiry {
    /// ska's default lifetime: 600 seconds.
    fn default() -> Self {
        Expiry::Lifetime(DEFAULT_LIFETIME)
    }
}

/// Names of the query (or form) parameters that carry the signature data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamNames {
    /// Holds the base64 signature. Default `signature`.
    pub signature: String,
    /// Holds the user. Default `auth_user`.
    pub auth_user: String,
    /// Holds the expiry. Default `valid_until`.
    pub valid_until: String,
    /// Holds the comma-separated, sorted list of signed extra keys. Default `extra`.
    pub extra: String,
}

impl Default for ParamNames {
    fn default() -> Self {
        ParamNames {
            signature: "signature".into(),
            auth_user: "auth_user".into(),
            valid_until: "valid_until".into(),
            extra: "extra".into(),
        }
    }
}

impl ParamNames {
    /// Checks that the four names are distinct: with two alike, one parameter would overwrite the other in the
    /// URL.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] naming the first repeated name.
    pub fn check(&self) -> Result<()> {
        let all = [
            &self.signature,
            &self.auth_user,
            &self.valid_until,
            &self.extra,
        ];
        for (i, name) in all.iter().enumerate() {
            if all[i + 1..].contains(name) {
                return Err(Error::invalid_value(format!(
                    "parameter names must differ: {:?} is used twice",
                    crate::encoding::clip(name, 40)
                )));
            }
        }
        Ok(())
    }

    fn is_reserved(&self, key: &str) -> bool {
        key == self.signature
            || key == self.auth_user
            || key == self.valid_until
            || key == self.extra
    }
}

/// A generated signature with the data it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    signature: String,
    auth_user: String,
    valid_until: String,
    extra: Extra,
    value_dumper: ValueDumper,
}

impl Signature {
    /// The base64 signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The signed user.
    pub fn auth_user(&self) -> &str {
        &self.auth_user
    }

    /// The signed expiry text.
    pub fn valid_until(&self) -> &str {
        &self.valid_until
    }

    /// The signed extra data.
    pub fn extra(&self) -> &Extra {
        &self.extra
    }

    /// ska's `signature_to_dict`: signature, user, expiry and the sorted extra key list under `names`, then the
    /// extra items in their order (values as the signer's [`ValueDumper`] wrote them into the signed text). Dicts
    /// nested in a value are written with their keys sorted, the form that was signed, so the data validates; ska
    /// writes them in insertion order, which makes its own URLs fail validation whenever a nested dict was not
    /// already sorted. Likewise, with [`ValueDumper::JavaScript`] `None`, lists and dicts are written as the JSON
    /// that was signed (ska writes Python's `str()` of them, a link that never validates).
    pub fn to_dict(&self, names: &ParamNames) -> Vec<(String, String)> {
        let mut out = vec![
            (names.signature.clone(), self.signature.clone()),
            (names.auth_user.clone(), self.auth_user.clone()),
            (names.valid_until.clone(), self.valid_until.clone()),
            (names.extra.clone(), self.extra.sorted_keys()),
        ];
        out.extend(
            self.extra
                .iter()
                .map(|(k, v)| (k.to_string(), v.dumped(self.value_dumper))),
        );
        out
    }

    /// ska's `signature_to_url`: `url + suffix + urlencode(to_dict)`, each name and value `quote_plus`ed.
    pub fn to_url(&self, url: &str, suffix: &str, names: &ParamNames) -> String {
        let mut out = String::with_capacity(url.len() + suffix.len() + 128);
        out.push_str(url);
        out.push_str(suffix);
        for (i, (k, v)) in self.to_dict(names).iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&py_quote_plus(k));
            out.push('=');
            out.push_str(&py_quote_plus(v));
        }
        out
    }
}

/// One reason a signature was refused. ska reports the first two with codes 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// The signature does not match the data (ska code 1, `Invalid signature!`).
    InvalidSignature,
    /// `valid_until` is not in the future (ska code 2, `Signature timestamp expired!`).
    Expired,
    /// `valid_until` is not a number countermark can compare (ska raises `TypeError` here). Code 3.
    InvalidValidUntil,
}

impl Failure {
    /// The numeric code: ska's 1 and 2, and 3 for [`Failure::InvalidValidUntil`].
    pub const fn code(self) -> u8 {
        match self {
            Failure::InvalidSignature => 1,
            Failure::Expired => 2,
            Failure::InvalidValidUntil => 3,
        }
    }

    /// The message, as ska words it.
    pub const fn message(self) -> &'static str {
        match self {
            Failure::InvalidSignature => "Invalid signature!",
            Failure::Expired => "Signature timestamp expired!",
            Failure::InvalidValidUntil => "Invalid valid_until!",
        }
    }

    /// The matching [`ErrorKind`]: `BadSignature`, `Expired` or `Malformed`.
    pub const fn kind(self) -> ErrorKind {
        match self {
            Failure::InvalidSignature => ErrorKind::BadSignature,
            Failure::Expired => ErrorKind::Expired,
            Failure::InvalidValidUntil => ErrorKind::Malformed,
        }
    }
}

/// Every reason a signature was refused (never empty), like ska's `SignatureValidationResult.errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    failures: Vec<Failure>,
}

impl Rejection {
    /// The reasons, in ska's order (signature first, then time).
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// ska's `message`: the messages joined by spaces.
    pub fn message(&self) -> String {
        self.failures
            .iter()
            .map(|f| f.message())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Rejection {}

impl From<Rejection> for Error {
    /// The kind of the first failure (`BadSignature`, `Expired` or `Malformed`), with every message.
    fn from(r: Rejection) -> Self {
        let kind = r
            .failures
            .first()
            .map_or(ErrorKind::BadSignature, |f| f.kind());
        Error::new(kind, r.message())
    }
}

/// The data of a signature that validated: only these values are covered by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    auth_user: String,
    valid_until: String,
    extra: Vec<(String, String)>,
}

impl SignedData {
    /// The verified user.
    pub fn auth_user(&self) -> &str {
        &self.auth_user
    }

    /// The verified expiry, as it was signed.
    pub fn valid_until(&self) -> &str {
        &self.valid_until
    }

    /// The verified extra items, sorted by key.
    pub fn extra(&self) -> &[(String, String)] {
        &self.extra
    }
}

/// Creates and validates ska-format signatures and signed URLs.
#[derive(Clone)]
pub struct UrlSigner {
    keys: KeyRing,
    clock: Arc<dyn Clock>,
    names: ParamNames,
    value_dumper: ValueDumper,
    quoter: Quoter,
}

impl fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlSigner")
            .field("keys", &self.keys)
            .field("names", &self.names)
            .field("value_dumper", &self.value_dumper)
            .field("quoter", &self.quoter)
            .finish_non_exhaustive()
    }
}

/// Parseable `valid_until` values: those Python's `datetime.fromtimestamp` accepts (years 1 to 9999).
const MIN_VALID_UNTIL: f64 = -62_135_596_800.0;
const MAX_VALID_UNTIL: f64 = 253_402_300_799.0;

fn parse_valid_until(text: &str) -> Option<f64> {
    let x: f64 = text.trim().parse().ok()?;
    (x.is_finite() && (MIN_VALID_UNTIL..=MAX_VALID_UNTIL).contains(&x)).then_some(x)
}

impl UrlSigner {
    /// A signer with the default parameter names and the system clock. With a [`KeyRing`], the primary key
    /// signs and every key validates.
    pub fn new(keys: impl Into<KeyRing>) -> Self {
        UrlSigner {
            keys: keys.into(),
            clock: Arc::new(SystemClock),
            names: ParamNames::default(),
            value_dumper: ValueDumper::Python,
            quoter: Quoter::Python,
        }
    }

    /// Uses `clock` for lifetimes and expiry checks.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses other parameter names.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when two names are the same ([`ParamNames::check`]).
    pub fn with_param_names(mut self, names: ParamNames) -> Result<Self> {
        names.check()?;
        self.names = names;
        Ok(self)
    }

    /// The parameter names in use.
    pub fn param_names(&self) -> &ParamNames {
        &self.names
    }

    /// Renders extra values with `dumper` when signing ([`ValueDumper::Python`] by default, as ska).
    pub fn with_value_dumper(mut self, dumper: ValueDumper) -> Self {
        self.value_dumper = dumper;
        self
    }

    /// Quotes the extra data into the signed text with `quoter`, when signing and validating
    /// ([`Quoter::Python`] by default, as ska).
    pub fn with_quoter(mut self, quoter: Quoter) -> Self {
        self.quoter = quoter;
        self
    }

    /// The value dumper in use.
    pub fn value_dumper(&self) -> ValueDumper {
        self.value_dumper
    }

    /// The quoter in use.
    pub fn quoter(&self) -> Quoter {
        self.quoter
    }

    /// Signs `auth_user` and `extra` until `expiry`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when `valid_until` is not a finite number within years 1..9999 or an extra key
    /// equals a parameter name.
    pub fn generate(&self, auth_user: &str, expiry: Expiry, extra: &Extra) -> Result<Signature> {
        let valid_until = match expiry {
            Expiry::Lifetime(lifetime) => {
                let at = self
                    .clock
                    .now()
                    .saturating_add_secs(lifetime.as_secs())
                    .secs();
                ValidUntil::Float(at as f64).to_text()
            }
            Expiry::At(v) => v.to_text(),
        };
        if parse_valid_until(&valid_until).is_none() {
            return Err(Error::invalid_value(format!(
                "valid_until must be Unix seconds within the years 1..9999, got {:?}",
                crate::encoding::clip(&valid_until, 32)
            )));
        }
        if let Some((k, _)) = extra.iter().find(|(k, _)| self.names.is_reserved(k)) {
            return Err(Error::invalid_value(format!(
                "extra key {k:?} is also the name of a signature parameter"
            )));
        }
        let base = signing_base(
            &valid_until,
            auth_user,
            extra.sorted_urlencoded(self.value_dumper).as_str(),
            self.quoter,
        );
        let signature = self.keys.primary().sign(base.as_bytes()).to_base64();
        Ok(Signature {
            signature,
            auth_user: auth_user.to_string(),
            valid_until,
            extra: extra.clone(),
            value_dumper: self.value_dumper,
        })
    }

    /// Signs and returns `url` with the signature parameters appended: after `?`, or after `&` when `url`
    /// already has a query (nothing is added when it already ends with `?` or `&`). A `#fragment` stays at the end,
    /// after the parameters (ska puts them after the fragment, where no server receives them). Use
    /// [`Signature::to_url`] to choose the separator yourself as ska's `suffix` does.
    ///
    /// # Errors
    /// As [`UrlSigner::generate`].
    pub fn sign_url(
        &self,
        url: &str,
        auth_user: &str,
        expiry: Expiry,
        extra: &Extra,
    ) -> Result<String> {
        // The parameters go before any `#fragment` (ska appends them after it, where no server sees them), and a
        // `?` inside the fragment does not count as a query.
        let (base, fragment) = match url.split_once('#') {
            Some((base, fragment)) => (base, Some(fragment)),
            None => (url, None),
        };
        let suffix = if base.ends_with('?') || base.ends_with('&') {
            ""
        } else if base.contains('?') {
            "&"
        } else {
            "?"
        };
        let mut out = self
            .generate(auth_user, expiry, extra)?
            .to_url(base, suffix, &self.names);
        if let Some(fragment) = fragment {
            out.push('#');
            out.push_str(fragment);
        }
        Ok(out)
    }

    /// Validates request parameters (query or form), as ska's `validate_signed_request_data`. When a name
    /// appears more than once the last value counts (as Django's `QueryDict.get`).
    ///
    /// # Errors
    /// A [`Rejection`] listing every failure.
    pub fn validate<K: AsRef<str>, V: AsRef<str>>(
        &self,
        params: &[(K, V)],
    ) -> Result<SignedData, Rejection> {
        let get = |name: &str| {
            params
                .iter()
                .rev()
                .find(|(k, _)| k.as_ref() == name)
                .map(|(_, v)| v.as_ref())
        };
        let signature = get(&self.names.signature).unwrap_or("");
        let auth_user = get(&self.names.auth_user).unwrap_or("");
        let mut extra: Vec<(String, String)> = Vec::new();
        for name in get(&self.names.extra).unwrap_or("").split(',') {
            if extra.iter().any(|(k, _)| k == name) {
                continue;
            }
            if let Some(v) = get(name) {
                extra.push((name.to_string(), v.to_string()));
            }
        }
        extra.sort();

        let Some(valid_until) = get(&self.names.valid_until) else {
            return Err(Rejection {
                failures: vec![Failure::InvalidSignature],
            });
        };
        // The signing base with the urlencoded extra items quoted straight into it (quoting works byte by byte,
        // so quoting the pieces is quoting their concatenation).
        let extra_len: usize = extra.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut base =
            String::with_capacity(valid_until.len() + auth_user.len() + 2 + 3 * extra_len);
        base.push_str(valid_until);
        base.push('_');
        base.push_str(auth_user);
        // Every item adds at least `=`: the urlencoded text is empty exactly when there are no items.
        if !extra.is_empty() {
            base.push('_');
            let safe = self.quoter.safe();
            for (i, (k, v)) in extra.iter().enumerate() {
                if i > 0 {
                    py_quote_into(&mut base, "&", safe);
                }
                py_quote_into(&mut base, k, safe);
                py_quote_into(&mut base, "=", safe);
                py_quote_into(&mut base, v, safe);
            }
        }
        let mut failures = Vec::new();
        let matched = self.keys.keys().fold(false, |found, key| {
            let expected = key.sign(base.as_bytes());
            let mut buf = [0u8; 88];
            let n = base64::engine::general_purpose::STANDARD
                .encode_slice(expected.as_bytes(), &mut buf)
                .unwrap_or(0);
            found | ct_eq(&buf[..n], signature.as_bytes())
        });
        if !matched {
            failures.push(Failure::InvalidSignature);
        }
        match parse_valid_until(valid_until) {
            None => failures.push(Failure::InvalidValidUntil),
            Some(t) if t <= self.clock.now().as_secs_f64() => failures.push(Failure::Expired),
            Some(_) => {}
        }
        if failures.is_empty() {
            Ok(SignedData {
                auth_user: auth_user.to_string(),
                valid_until: valid_until.to_string(),
                extra,
            })
        } else {
            Err(Rejection { failures })
        }
    }

    /// Validates the query string of a signed URL (everything after the first `?`, up to any `#`).
    ///
    /// # Errors
    /// A [`Rejection`] listing every failure.
    pub fn validate_url(&self, url: &str) -> Result<SignedData, Rejection> {
        let url = url.split_once('#').map_or(url, |(u, _)| u);
        let query = url.split_once('?').map_or("", |(_, q)| q);
        self.validate(&py_parse_qsl_borrowed(query))
    }
}

/// `valid_until + "_" + auth_user [+ "_" + quoter(urlencoded_extra)]`.
fn signing_base(
    valid_until: &str,
    auth_user: &str,
    urlencoded_extra: &str,
    quoter: Quoter,
) -> String {
    let mut base =
        String::with_capacity(valid_until.len() + auth_user.len() + urlencoded_extra.len() * 3 + 2);
    base.push_str(valid_until);
    base.push('_');
    base.push_str(auth_user);
    if !urlencoded_extra.is_empty() {
        base.push('_');
        base.push_str(&py_quote(urlencoded_extra, quoter.safe()));
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, FixedClock, HmacKey, Secret};

    fn signer(now: i64) -> UrlSigner {
        let key = HmacKey::new(
            Algorithm::HmacSha1,
            &Secret::legacy(*b"your-secret-key").unwrap(),
        );
        UrlSigner::new(key).with_clock(Arc::new(FixedClock::at_secs(now)))
    }

    #[test]
    fn lifetime_signs_a_float_with_point_zero() {
        let sig = signer(1_378_044_687)
            .generate("user", Expiry::default(), &Extra::new())
            .unwrap();
        assert_eq!(sig.valid_until(), "1378045287.0");
        assert_eq!(sig.signature(), "BW4Smbg6vkteRnzJcCjVz2u8Z8s=");
    }

    #[test]
    fn refuses_bad_valid_until_and_reserved_extra_keys() {
        let s = signer(0);
        for bad in ["", "tomorrow", "inf", "nan", "1e20"] {
            let e = s.generate("u", Expiry::At(ValidUntil::Text(bad.into())), &Extra::new());
            assert_eq!(e.unwrap_err().kind(), ErrorKind::InvalidValue, "{bad}");
        }
        let extra = Extra::from_pairs([("signature", "x")]).unwrap();
        assert_eq!(
            s.generate("u", Expiry::default(), &extra)
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
    }

    #[test]
    fn sign_url_picks_the_separator() {
        let s = signer(0);
        let e = Extra::new();
        assert!(s
            .sign_url("http://e.com/a", "u", Expiry::default(), &e)
            .unwrap()
            .starts_with("http://e.com/a?signature="));
        assert!(s
            .sign_url("http://e.com/a?p=1", "u", Expiry::default(), &e)
            .unwrap()
            .starts_with("http://e.com/a?p=1&signature="));
        assert!(s
            .sign_url("http://e.com/a?", "u", Expiry::default(), &e)
            .unwrap()
            .starts_with("http://e.com/a?signature="));
    }

    #[test]
    fn sign_url_keeps_the_fragment_last() {
        let s = signer(0);
        let e = Extra::new();
        let signed = s
            .sign_url("http://e.com/a#top?x", "u", Expiry::default(), &e)
            .unwrap();
        assert!(signed.starts_with("http://e.com/a?signature="), "{signed}");
        assert!(
            signed.ends_with("#top?x") && signed.matches('#').count() == 1,
            "{signed}"
        );
        let (url, _) = signed.split_once('#').unwrap();
        let query = url.split_once('?').unwrap().1;
        assert!(s.validate(&py_parse_qsl_borrowed(query)).is_ok());
        let signed = s
            .sign_url("http://e.com/a?p=1#f", "u", Expiry::default(), &e)
            .unwrap();
        assert!(
            signed.starts_with("http://e.com/a?p=1&signature="),
            "{signed}"
        );
        assert!(signed.ends_with("#f"), "{signed}");
    }

    #[test]
    fn rejection_converts_to_error() {
        let r = Rejection {
            failures: vec![Failure::InvalidSignature, Failure::Expired],
        };
        let e = Error::from(r);
        assert_eq!(e.kind(), ErrorKind::BadSignature);
        assert_eq!(
            e.message(),
            "Invalid signature! Signature timestamp expired!"
        );
    }

    #[test]
    fn missing_and_garbage_params_never_panic() {
        let s = signer(0);
        let empty: [(&str, &str); 0] = [];
        assert_eq!(
            s.validate(&empty).unwrap_err().failures(),
            [Failure::InvalidSignature]
        );
        for url in [
            "",
            "?",
            "?&&",
            "?valid_until=%FF&signature=%",
            "x?extra=,,,&valid_until=1e999",
        ] {
            assert!(s.validate_url(url).is_err(), "{url}");
        }
    }
}

#[cfg(test)]
mod param_names_tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::key::{HmacKey, Secret};

    fn signer() -> UrlSigner {
        UrlSigner::new(HmacKey::new(
            Algorithm::HmacSha1,
            &Secret::new(*b"0123456789abcdef").unwrap(),
        ))
    }

    #[test]
    fn distinct_names_are_accepted_and_repeated_ones_refused() {
        let custom = ParamNames {
            signature: "sig".into(),
            auth_user: "user".into(),
            valid_until: "until".into(),
            extra: "more".into(),
        };
        let s = signer().with_param_names(custom.clone()).unwrap();
        assert_eq!(s.param_names(), &custom);
        for twice in [
            ParamNames {
                auth_user: "sig".into(),
                ..custom.clone()
            },
            ParamNames {
                extra: "until".into(),
                ..custom.clone()
            },
            ParamNames {
                extra: "sig".into(),
                ..custom.clone()
            },
        ] {
            assert_eq!(twice.check().unwrap_err().kind(), ErrorKind::InvalidValue);
            let err = signer().with_param_names(twice).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue);
            assert!(err.message().contains("must differ"), "{}", err.message());
        }
    }
}
