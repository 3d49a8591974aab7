//! The canonical body of the HMAC header scheme: Python 3.11's
//! `json.dumps(json.loads(body), separators=(',', ':'))`, byte for byte.
//!
//! django-hmac-authentication hashes the body the server *parsed and re-serialised*, not the bytes that were
//! sent, so both sides must agree on this text:
//!
//! * **Parsing** is Python's `json.loads`: RFC 8259 JSON plus the constants `NaN`, `Infinity` and `-Infinity`;
//!   whitespace is space, tab, CR and LF; control characters inside strings and a leading BOM are refused;
//!   `\uXXXX` escapes may leave lone surrogates (they are kept and written back as escapes).
//! * **Objects** keep the order of their keys as sent; a repeated key keeps its *first* position and takes its
//!   *last* value (Python `dict` assignment).
//! * **Numbers**: an integer is written as it was sent (any length up to [`MAX_INT_DIGITS`] digits, as Python
//!   3.11 limits `int()`), except that `-0` becomes `0`. A number with a fraction or exponent is a float and is
//!   written as Python's `repr(float)` (`10.5`, `100.0`, `1e+100`, `5e-324`; of two equally close shortest
//!   forms the one ending in an even digit, `2124248109033314.2`); out-of-range floats become
//!   `Infinity`/`-Infinity`, and the constants are written `NaN`, `Infinity`, `-Infinity`.
//! * **Strings** are written with `ensure_ascii`: `"` `\` and `\b \f \n \r \t` as short escapes, other control
//!   characters, DEL and every non-ASCII character as lower-case `\uXXXX` (characters outside the BMP as a
//!   surrogate pair); `/` is not escaped.
//! * **Separators** are `,` and `:` with no whitespace.
//!
//! ```
//! use countermark::http::hmac_header::json;
//!
//! let body = br#"{ "b" : [1, 2.50, -0], "a": "Zo\u00eb", "b": "last wins" }"#;
//! assert_eq!(json::canonicalize(body)?, r#"{"b":"last wins","a":"Zo\u00eb"}"#);
//! assert_eq!(json::canonicalize(b"[1e2, NaN, 1E400]")?, "[100.0,NaN,Infinity]");
//! assert!(json::canonicalize(b"{\"a\":1,}").is_err());
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Limits
//! Inputs over [`MAX_LEN`] bytes and nesting deeper than [`MAX_DEPTH`] are refused with
//! [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) (Python's own limit is its recursion limit, about 1000 levels, where it crashes);
//! anything that is not JSON is [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) with the byte offset. Nothing here panics.
//!
//! Note: Django REST framework's `JSONParser` runs with `STRICT_JSON = True` by default and refuses `NaN` and
//! `Infinity` before authentication; this module accepts them, as Python's `json` does.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::encoding::py_parse_qsl;
use crate::error::{Error, Result};

/// Longest input accepted, in bytes (4 MiB).
pub const MAX_LEN: usize = 4 * 1024 * 1024;
/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 256;
/// Most digits of an integer (Python 3.11's default `int` conversion limit).
pub const MAX_INT_DIGITS: usize = 4300;
/// Most fields of a form body (Django's default `DATA_UPLOAD_MAX_NUMBER_FIELDS`).
pub const MAX_FORM_FIELDS: usize = 1000;

/// A parsed string: text (borrowed from the input when it holds no escape, the common case), or UTF-16 code
/// units when `\u` escapes left a lone surrogate (which a Python `str` may hold and a Rust `str` cannot). Two
/// strings are equal when their UTF-16 code units are: a `Text` never equals a `Units` (only `Units` hold a lone
/// surrogate), and `Text`s compare by content, borrowed or owned.
#[derive(Clone, PartialEq, Eq, Hash)]
enum JsonStr<'a> {
    Text(Cow<'a, str>),
    Units(Vec<u16>),
}

impl JsonStr<'_> {
    /// Text when the code units are valid UTF-16, the units otherwise.
    fn from_units(units: Vec<u16>) -> Self {
        match String::from_utf16(&units) {
            Ok(text) => JsonStr::Text(Cow::Owned(text)),
            Err(_) => JsonStr::Units(units),
        }
    }

    /// As Python's `json.dumps` writes it (`ensure_ascii`).
    fn write(&self, out: &mut String) {
        match self {
            JsonStr::Text(text) => crate::encoding::push_py_json_str(out, text),
            JsonStr::Units(units) => crate::encoding::push_py_json_units(out, units),
        }
    }
}

/// A parsed value. Strings are as Python sees them after `\u` escapes (see [`JsonStr`]).
enum Value<'a> {
    Null,
    Bool(bool),
    /// An integer, as written.
    Int(&'a str),
    Float(f64),
    /// A float written as Python's `repr` of its value prints it (see [`is_float_repr`]): copied as written.
    FloatRepr(&'a str),
    Str(JsonStr<'a>),
    Array(Vec<Value<'a>>),
    Object(Vec<(JsonStr<'a>, Value<'a>)>),
}

/// Builds an object with Python `dict` semantics: first position, last value. Small objects are searched
/// linearly; past [`ObjectBuilder::LINEAR`] keys a hash index keeps repeated keys cheap.
#[derive(Default)]
struct ObjectBuilder<'a> {
    members: Vec<(JsonStr<'a>, Value<'a>)>,
    index: HashMap<JsonStr<'a>, usize>,
}

impl<'a> ObjectBuilder<'a> {
    const LINEAR: usize = 8;

    fn insert(&mut self, key: JsonStr<'a>, value: Value<'a>) {
        if self.members.len() >= Self::LINEAR && self.index.is_empty() {
            self.index = self
                .members
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect();
        }
        let found = if self.index.is_empty() {
            self.members.iter().position(|(k, _)| *k == key)
        } else {
            self.index.get(&key).copied()
        };
        match found.and_then(|i| self.members.get_mut(i)) {
            Some(slot) => slot.1 = value,
            None => {
                if !self.index.is_empty() {
                    self.index.insert(key.clone(), self.members.len());
                }
                self.members.push((key, value));
            }
        }
    }

    fn build(self) -> Value<'a> {
        Value::Object(self.members)
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> Error {
        Error::malformed(format!("JSON body: {what} at byte {}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8, what: &str) -> Result<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>> {
        if self
            .text
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(word))
        {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expecting a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'N') => self.literal("NaN", Value::Float(f64::NAN)),
            Some(b'I') => self.literal("Infinity", Value::Float(f64::INFINITY)),
            Some(b'-') if self.text.as_bytes().get(self.pos + 1) == Some(&b'I') => {
                self.literal("-Infinity", Value::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expecting a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>> {
        if depth > MAX_DEPTH {
            return Err(Error::too_large("JSON body: the nesting depth", MAX_DEPTH));
        }
        self.pos += 1;
        let mut object = ObjectBuilder::default();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(object.build());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expecting a property name in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':', "expecting ':'")?;
            self.skip_ws();
            let value = self.value(depth)?;
            object.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(object.build());
                }
                _ => return Err(self.error("expecting ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>> {
        if depth > MAX_DEPTH {
            return Err(Error::too_large("JSON body: the nesting depth", MAX_DEPTH));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expecting ',' or ']'")),
            }
        }
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<JsonStr<'a>> {
        self.pos += 1;
        let text: &'a str = self.text;
        let rest = text.get(self.pos..).unwrap_or("");
        // Most strings hold no escape: up to the closing quote in one go, borrowed.
        let special = rest
            .bytes()
            .position(|b| b == b'"' || b == b'\\' || b < 0x20);
        if let Some(end) = special {
            if let (Some(b'"'), Some(plain)) = (rest.as_bytes().get(end), rest.get(..end)) {
                self.pos += end + 1;
                return Ok(JsonStr::Text(Cow::Borrowed(plain)));
            }
        }
        let mut units = Vec::with_capacity(special.unwrap_or(0) + 8);
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(JsonStr::from_units(units));
                }
                '\\' => {
                    let unit = match chars.next().map(|(_, e)| e) {
                        Some('"') => 0x22,
                        Some('\\') => 0x5c,
                        Some('/') => 0x2f,
                        Some('b') => 0x08,
                        Some('f') => 0x0c,
                        Some('n') => 0x0a,
                        Some('r') => 0x0d,
                        Some('t') => 0x09,
                        Some('u') => {
                            let mut unit = 0u16;
                            for _ in 0..4 {
                                let digit = chars.next().and_then(|(_, h)| h.to_digit(16));
                                let Some(d) = digit else {
                                    self.pos += i;
                                    return Err(self.error("invalid \\uXXXX escape"));
                                };
                                unit = (unit << 4) | d as u16;
                            }
                            unit
                        }
                        _ => {
                            self.pos += i;
                            return Err(self.error("invalid escape"));
                        }
                    };
                    units.push(unit);
                }
                c if u32::from(c) < 0x20 => {
                    self.pos += i;
                    return Err(self.error("invalid control character in a string"));
                }
                c => {
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(c.encode_utf16(&mut buf));
                }
            }
        }
        self.pos += rest.len();
        Err(self.error("unterminated string"))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number per Python's scanner: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`; an incomplete fraction or exponent
    /// is left unread (and then refused by the caller, as Python refuses it).
    fn number(&mut self) -> Result<Value<'a>> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expecting a value")),
        }
        let int_end = self.pos;
        let bytes = self.text.as_bytes();
        let mut is_float = false;
        if self.peek() == Some(b'.') && bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() > 0 {
                is_float = true;
            } else {
                self.pos = save;
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("0");
        if is_float {
            if is_float_repr(text) {
                return Ok(Value::FloatRepr(text));
            }
            let x = text.parse::<f64>().map_err(|_| self.error("bad number"))?;
            Ok(Value::Float(x))
        } else {
            let digits = int_end - start - usize::from(text.starts_with('-'));
            if digits > MAX_INT_DIGITS {
                return Err(self.error("integer with more than 4300 digits"));
            }
            Ok(Value::Int(text))
        }
    }
}

/// Whether the JSON number `text` is exactly Python's `repr` of its float value, so that it needs no formatting:
/// `[-]int.frac` without exponent, no leading zero in `int` (other than a lone `0`), `frac` not ending in `0`, at
/// most 15 significant digits, and a decimal exponent within -4..16 (where `repr` writes no exponent). A decimal of
/// at most 15 significant digits survives the trip through a double (DBL_DIG), so no other decimal of as few
/// digits reads as the same double and `repr`'s shortest round-tripping digits are these.
fn is_float_repr(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let Some((int, frac)) = unsigned.split_once('.') else {
        return false;
    };
    if frac.is_empty() || frac.ends_with('0') || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let significant = if int == "0" {
        let leading_zeros = frac.len() - frac.trim_start_matches('0').len();
        if leading_zeros > 3 {
            return false; // below 1e-4: repr switches to exponent notation
        }
        frac.len() - leading_zeros
    } else {
        if int.is_empty() || int.starts_with('0') || !int.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        int.len() + frac.len()
    };
    significant <= 15
}

fn write_value(value: &Value<'_>, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(text) => out.push_str(if *text == "-0" { "0" } else { text }),
        Value::Float(x) if x.is_nan() => out.push_str("NaN"),
        Value::Float(x) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Float(x) if *x == 0.0 => {
            out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" })
        }
        Value::Float(x) => out.push_str(&crate::encoding::py_float_repr(*x)),
        Value::FloatRepr(text) => out.push_str(text),
        Value::Str(text) => text.write(out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                key.write(out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// `json.dumps(json.loads(input), separators=(',', ':'))` (see the [module documentation](self)).
///
/// # Errors
/// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) over [`MAX_LEN`] bytes or [`MAX_DEPTH`] levels; [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) for input
/// that is not UTF-8 or not JSON (the message gives the byte offset, never the content).
pub fn canonicalize(input: &[u8]) -> Result<String> {
    if input.len() > MAX_LEN {
        return Err(Error::too_large("JSON body: the length in bytes", MAX_LEN));
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        Error::malformed(format!(
            "JSON body: invalid UTF-8 at byte {}",
            e.valid_up_to()
        ))
    })?;
    let mut parser = Parser { text, pos: 0 };
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.pos != text.len() {
        return Err(parser.error("extra data"));
    }
    let mut out = String::with_capacity(input.len());
    write_value(&value, &mut out);
    Ok(out)
}

/// The canonical JSON of a form body (`application/x-www-form-urlencoded`) as the server sees it: Django's
/// `QueryDict` (fields split on `&`, `+` and `%XX` decoded, UTF-8 with a Latin-1 fallback as Django does, blank
/// values kept), serialised as an object of the *last* value of each field, in order of first appearance.
///
/// ```
/// use countermark::http::hmac_header::json;
///
/// assert_eq!(json::canonicalize_form(b"a=1&b=x+y&a=2")?, r#"{"a":"2","b":"x y"}"#);
/// assert_eq!(json::canonicalize_form(b"")?, "{}");
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) over [`MAX_LEN`] bytes or [`MAX_FORM_FIELDS`] fields.
pub fn canonicalize_form(body: &[u8]) -> Result<String> {
    if body.len() > MAX_LEN {
        return Err(Error::too_large("JSON body: the length in bytes", MAX_LEN));
    }
    let text = match std::str::from_utf8(body) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(body.iter().map(|&b| char::from(b)).collect()),
    };
    if text.matches('&').count() >= MAX_FORM_FIELDS {
        return Err(Error::too_large(
            "JSON body: the number of form fields",
            MAX_FORM_FIELDS,
        ));
    }
    let mut object = ObjectBuilder::default();
    for (name, value) in py_parse_qsl(&text) {
        object.insert(
            JsonStr::Text(Cow::Owned(name)),
            Value::Str(JsonStr::Text(Cow::Owned(value))),
        );
    }
    let mut out = String::with_capacity(text.len() + 8);
    write_value(&object.build(), &mut out);
    Ok(out)
}

/// Whether a canonical text is a value Python treats as false (`None`, `False`, `0`, `0.0`, `-0.0`, `""`,
/// `[]`, `{}`): the scheme then signs no body hash at all.
pub fn is_falsy(canonical: &str) -> bool {
    matches!(
        canonical,
        "null" | "false" | "0" | "0.0" | "-0.0" | "\"\"" | "[]" | "{}"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn float_literals_taken_as_written_agree_with_the_formatted_repr() {
        // Many decimals of 1..17 digits with the point anywhere: whenever one is taken as written, formatting
        // its value gives the same text.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut taken = 0;
        for _ in 0..200_000 {
            let len = 1 + next(17) as usize;
            let mut digits: String = (0..len)
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            let point = next(len as u64 + 1) as usize;
            let int = if point == 0 { "0" } else { &digits[..point] };
            let frac = &digits[point..];
            let text = format!(
                "{}{}.{}",
                if next(2) == 0 { "-" } else { "" },
                int,
                if frac.is_empty() { "5" } else { frac }
            );
            digits.clear();
            if is_float_repr(&text) {
                taken += 1;
                let x: f64 = text.parse().unwrap();
                assert_eq!(crate::encoding::py_float_repr(x), text);
            }
        }
        assert!(taken > 10_000, "{taken}");
    }

    #[test]
    fn floats_written_as_their_repr_are_copied_and_equal_the_formatted_repr() {
        for text in [
            "10.5",
            "-10.5",
            "0.1",
            "0.0001",
            "-0.0001",
            "123456789012.345",
            "0.123456789012345",
            "1.5",
            "99999999999999.9",
            "3.14159",
        ] {
            assert!(is_float_repr(text), "{text}");
            let x: f64 = text.parse().unwrap();
            assert_eq!(crate::encoding::py_float_repr(x), text);
            assert_eq!(canonicalize(text.as_bytes()).unwrap(), text);
        }
        for (text, repr) in [
            ("10.50", "10.5"),
            ("0.00001", "1e-05"),
            ("1e5", "100000.0"),
            ("0.1234567890123456", "0.1234567890123456"),
            ("00.5", ""),
            ("1.0", "1.0"),
            ("-0.0", "-0.0"),
            ("1234567890123456.5", "1234567890123456.5"),
            ("12345678901234567.5", "1.2345678901234568e+16"),
        ] {
            assert!(!is_float_repr(text), "{text}");
            if !repr.is_empty() {
                assert_eq!(canonicalize(text.as_bytes()).unwrap(), repr, "{text}");
            }
        }
    }

    use super::*;
    use crate::error::ErrorKind;

    // Every expected output below was produced by Python 3.11.7's json module.
    #[test]
    fn matches_python() {
        let cases: &[(&str, &str)] = &[
            ("-0", "0"),
            ("0.0", "0.0"),
            ("-0.0", "-0.0"),
            ("1E5", "100000.0"),
            ("1e400", "Infinity"),
            ("-1e400", "-Infinity"),
            (" NaN ", "NaN"),
            ("-Infinity", "-Infinity"),
            (r#"[1,2,{"a":1,"a":2,"b":3}]"#, r#"[1,2,{"a":2,"b":3}]"#),
            (r#""\ud83d\ude00""#, r#""\ud83d\ude00""#),
            (r#""\ud800x""#, r#""\ud800x""#),
            ("\"\u{7f}\u{e9}\u{1f600}\"", r#""\u007f\u00e9\ud83d\ude00""#),
            ("1.5e-7", "1.5e-07"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            (r#"{"k":"\u0041\/"}"#, r#"{"k":"A/"}"#),
            ("2.5e-324", "5e-324"),
            ("1e22", "1e+22"),
            ("12345678901234567.0", "1.2345678901234568e+16"),
            // Ties between two shortest forms go to the even digit.
            ("2124248109033314.33118", "2124248109033314.2"),
            ("-99102360099476.63090", "-99102360099476.62"),
            ("26960006554762698.57141", "2.69600065547627e+16"),
            ("0.5", "0.5"),
            ("1e-5", "1e-05"),
            ("123.456e-310", "1.23456e-308"),
            (
                "\"\\b\\f\\n\\r\\t\\\"\\\\\\u0001\\u001F\"",
                r#""\b\f\n\r\t\"\\\u0001\u001f""#,
            ),
            ("\r\n\t[ ]\n", "[]"),
            (r#"{"":{"":[]}}"#, r#"{"":{"":[]}}"#),
        ];
        for (input, want) in cases {
            assert_eq!(canonicalize(input.as_bytes()).unwrap(), *want, "{input}");
        }
    }

    // A key written with escapes and the same key written plainly are one key (Python compares the decoded
    // text), also past the linear search (more than `ObjectBuilder::LINEAR` keys); a lone surrogate is never
    // equal to text. Expected outputs from Python 3.11.7.
    #[test]
    fn escaped_and_plain_keys_are_one_key() {
        let many: String = (0..10).map(|i| format!("\"k{i}\":{i},")).collect();
        let many = format!(r#"{{{many}"\u006b3":"\u00e9x","k9":"\ud800"}}"#);
        let cases: &[(&str, &str)] = &[
            (
                "{\"\u{e9}\":1,\"\\u00e9\":2,\"a\":3,\"\\u0061\":4}",
                r#"{"\u00e9":2,"a":4}"#,
            ),
            (
                "{\"\\ud800\":1,\"x\":2,\"\\ud800\":3,\"\\ud800\\udc00\":4,\"\u{10000}\":5}",
                r#"{"\ud800":3,"x":2,"\ud800\udc00":5}"#,
            ),
            (
                &many,
                r#"{"k0":0,"k1":1,"k2":2,"k3":"\u00e9x","k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":"\ud800"}"#,
            ),
            (
                "[\"plain ascii\",\"tab\\tquote\\\" \u{e9}\",\"\\u007f~ /\",\"\\ud83d\"]",
                r#"["plain ascii","tab\tquote\" \u00e9","\u007f~ /","\ud83d"]"#,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(canonicalize(input.as_bytes()).unwrap(), *want, "{input}");
        }
    }

    #[test]
    fn refuses_what_python_refuses() {
        for bad in [
            "",
            " ",
            "\u{feff}{}",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
            "-",
            "--1",
            "[1,]",
            "{\"a\":1,}",
            "{'a':1}",
            "[1 2]",
            "\"a\u{1}\"",
            "\"\\x41\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"abc",
            "nul",
            "-NaN",
            "infinity",
            "{} {}",
            "[1]]",
            "{\"a\" 1}",
            "\u{a0}1",
        ] {
            let err = canonicalize(bad.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Malformed, "{bad:?}");
        }
        assert_eq!(
            canonicalize(b"\"\xff\"").unwrap_err().kind(),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn limits() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(canonicalize(deep.as_bytes()).unwrap(), deep);
        let deeper = format!("[{deep}]");
        assert_eq!(
            canonicalize(deeper.as_bytes()).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        let big = "1".repeat(MAX_INT_DIGITS);
        assert_eq!(canonicalize(big.as_bytes()).unwrap(), big);
        let neg = format!("-{big}");
        assert_eq!(canonicalize(neg.as_bytes()).unwrap(), neg);
        assert_eq!(
            canonicalize(format!("{big}1").as_bytes())
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
        assert_eq!(
            canonicalize(&vec![b' '; MAX_LEN + 1]).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn forms() {
        assert_eq!(
            canonicalize_form(b"a=1&&b&c=%C3%A9&a=%FF").unwrap(),
            r#"{"a":"\ufffd","b":"","c":"\u00e9"}"#
        );
        // Not UTF-8: Django falls back to Latin-1.
        assert_eq!(canonicalize_form(b"n=\xe9").unwrap(), r#"{"n":"\u00e9"}"#);
        let many = "a&".repeat(MAX_FORM_FIELDS);
        assert_eq!(
            canonicalize_form(many.as_bytes()).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn duplicate_keys_small_and_large() {
        let keys: Vec<String> = (0..20).map(|i| format!("\"k{i}\":{i}")).collect();
        let input = format!(
            "{{{},\"k3\":\"x\",\"k15\":\"y\",\"k3\":\"z\"}}",
            keys.join(",")
        );
        let want = format!(
            "{{{}}}",
            (0..20)
                .map(|i| match i {
                    3 => "\"k3\":\"z\"".to_string(),
                    15 => "\"k15\":\"y\"".to_string(),
                    _ => format!("\"k{i}\":{i}"),
                })
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(canonicalize(input.as_bytes()).unwrap(), want);
        assert_eq!(std::mem::size_of::<Value<'_>>(), 32);
    }

    #[test]
    fn falsy_values() {
        for (input, falsy) in [
            ("{}", true),
            ("[]", true),
            ("\"\"", true),
            ("0", true),
            ("-0", true),
            ("0e5", true),
            ("-0.0", true),
            ("null", true),
            ("false", true),
            ("NaN", false),
            ("[0]", false),
            ("\" \"", false),
            ("1", false),
        ] {
            assert_eq!(
                is_falsy(&canonicalize(input.as_bytes()).unwrap()),
                falsy,
                "{input}"
            );
        }
    }
}
