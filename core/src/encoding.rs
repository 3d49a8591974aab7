//! Small encoders shared by the wire formats: hex, constant-time comparison, and the few pieces of Python's
//! standard library whose exact output the legacy formats sign (`urllib.parse.quote`, `quote_plus`,
//! `parse_qsl`, `int()`, `repr(float)`).

use std::borrow::Cow;

use subtle::ConstantTimeEq;

/// Lower-case hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Decodes lower-case hex only (upper case, odd length or other characters give `None`), into `out`.
/// Returns the number of bytes written; `None` also when `out` is too small.
pub(crate) fn decode_hex_lower(s: &str, out: &mut [u8]) -> Option<usize> {
    let s = s.as_bytes();
    if s.len() % 2 != 0 || s.len() / 2 > out.len() {
        return None;
    }
    // No branch per byte (the compiler vectorises this): each digit's value, and a flag for any non-digit.
    let mut invalid = false;
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let (hi, hi_ok) = hex_lower_digit(pair[0]);
        let (lo, lo_ok) = hex_lower_digit(pair[1]);
        invalid |= !(hi_ok & lo_ok);
        *o = (hi << 4) | lo;
    }
    (!invalid).then_some(s.len() / 2)
}

/// The value of a lower-case hex digit (garbage for other bytes) and whether `c` is one.
#[inline(always)]
fn hex_lower_digit(c: u8) -> (u8, bool) {
    let digit = c.wrapping_sub(b'0');
    let letter = c.wrapping_sub(b'a');
    let is_digit = digit < 10;
    let value = if is_digit {
        digit
    } else {
        letter.wrapping_add(10) & 0x0f
    };
    (value, is_digit | (letter < 6))
}

/// Constant-time equality of two byte strings. Lengths are not secret: different lengths return false at once.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// The first `max` characters of untrusted text, for error messages (with `…` when cut).
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn always_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~')
}

fn push_escaped(out: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(DIGITS[usize::from(b >> 4)]));
    out.push(char::from(DIGITS[usize::from(b & 15)]));
}

/// Python's `urllib.parse.quote(s, safe)`: UTF-8, unreserved characters and those in `safe` kept, the rest
/// `%XX` (upper-case hex).
pub(crate) fn py_quote(s: &str, safe: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    py_quote_into(&mut out, s, safe);
    out
}

/// [`py_quote`], appended to `out`.
pub(crate) fn py_quote_into(out: &mut String, s: &str, safe: &[u8]) {
    // Runs of kept bytes are copied whole. Kept bytes are ASCII, so a run starts and ends on char boundaries.
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if !(always_safe(b) || safe.contains(&b)) {
            if i > start {
                out.push_str(s.get(start..i).unwrap_or_default());
            }
            push_escaped(out, b);
            start = i + 1;
        }
    }
    if start < s.len() {
        out.push_str(s.get(start..).unwrap_or_default());
    }
}

/// Python's `urllib.parse.quote_plus(s)` (safe = ''): like `quote`, but a space becomes `+` and `/` is escaped.
pub(crate) fn py_quote_plus(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    for &b in s.as_bytes() {
        if always_safe(b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// Python's `urllib.parse.unquote_plus(s)`: `+` is a space, valid `%XX` escapes are decoded, invalid ones kept as
/// they are, and the bytes are read as UTF-8 with U+FFFD for invalid sequences. Borrows `s` when there is nothing
/// to decode.
pub(crate) fn py_unquote_plus(s: &str) -> Cow<'_, str> {
    let src = s.as_bytes();
    if !src.iter().any(|&b| b == b'+' || b == b'%') {
        return Cow::Borrowed(s);
    }
    let mut bytes = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'+' => {
                bytes.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < src.len() => {
                let hi = (src[i + 1] as char).to_digit(16);
                let lo = (src[i + 2] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        bytes.push((h * 16 + l) as u8);
                        i += 3;
                    }
                    _ => {
                        bytes.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Cow::Owned(text),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Python's `urllib.parse.parse_qsl(qs, keep_blank_values=True)`: split on `&`, skip empty pieces, a piece
/// without `=` is a name with an empty value, names and values are `unquote_plus`ed. Order is kept.
pub(crate) fn py_parse_qsl(qs: &str) -> Vec<(String, String)> {
    py_parse_qsl_borrowed(qs)
        .into_iter()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// [`py_parse_qsl`], borrowing every name and value that has nothing to decode.
pub(crate) fn py_parse_qsl_borrowed(qs: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    let mut out = Vec::with_capacity(qs.bytes().filter(|&b| b == b'&').count() + 1);
    for piece in qs.split('&').filter(|piece| !piece.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        out.push((py_unquote_plus(name), py_unquote_plus(value)));
    }
    out
}

/// Python's `int(s)` for base-10 text, limited to `i64`: surrounding whitespace, one leading `+`/`-`, leading
/// zeros and single `_` between digits are accepted, as Python accepts them. Only ASCII digits are accepted
/// (Python also takes other Unicode decimal digits; countermark refuses them).
pub(crate) fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first()? {
        b'+' => (false, &t[1..]),
        b'-' => (true, &t[1..]),
        _ => (false, t),
    };
    let bytes = digits.as_bytes();
    if bytes.is_empty() || bytes[0] == b'_' || bytes[bytes.len() - 1] == b'_' {
        return None;
    }
    let mut value: i64 = 0;
    let mut prev_underscore = false;
    for &b in bytes {
        match b {
            b'0'..=b'9' => {
                let d = i64::from(b - b'0');
                value = value.checked_mul(10)?;
                value = if neg {
                    value.checked_sub(d)?
                } else {
                    value.checked_add(d)?
                };
                prev_underscore = false;
            }
            b'_' if !prev_underscore => prev_underscore = true,
            _ => return None,
        }
    }
    Some(value)
}

/// Appends one UTF-16 code unit as Python's `json.dumps` (default `ensure_ascii=True`) writes it inside a string:
/// `"` and `\` escaped, `\b \f \n \r \t` as short escapes, printable ASCII (`0x20..=0x7e`) as is, every other
/// unit (a surrogate half included) as `\uXXXX` in lower-case hex.
fn push_py_json_unit(out: &mut String, u: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match u {
        0x22 => out.push_str("\\\""),
        0x5c => out.push_str("\\\\"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        0x0a => out.push_str("\\n"),
        0x0d => out.push_str("\\r"),
        0x09 => out.push_str("\\t"),
        0x20..=0x7e => out.push(char::from(u as u8)),
        _ => {
            out.push_str("\\u");
            for shift in [12, 8, 4, 0] {
                out.push(char::from(HEX[usize::from((u >> shift) & 15)]));
            }
        }
    }
}

/// Appends `s` as a JSON string exactly as Python's `json.dumps(s)` writes it (see [`push_py_json_unit`];
/// characters beyond the Basic Multilingual Plane become a UTF-16 surrogate pair). The one JSON string writer of
/// the crate: JWT claims, ska's extra data and the HMAC header scheme's canonical body all use it.
pub(crate) fn push_py_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while !rest.is_empty() {
        // The longest run written as is (printable ASCII other than `"` and `\`), copied in one go.
        let plain = rest
            .bytes()
            .position(|b| !matches!(b, 0x20..=0x7e) || b == b'"' || b == b'\\')
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(plain);
        out.push_str(run);
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            let mut buf = [0u16; 2];
            for &u in c.encode_utf16(&mut buf).iter() {
                push_py_json_unit(out, u);
            }
        }
        rest = chars.as_str();
    }
    out.push('"');
}

/// As [`push_py_json_str`], for text already held as UTF-16 code units (which may hold lone surrogates, as a
/// Python `str` may).
pub(crate) fn push_py_json_units(out: &mut String, units: &[u16]) {
    out.push('"');
    for &u in units {
        push_py_json_unit(out, u);
    }
    out.push('"');
}

/// Python's `repr(float)` / `str(float)`: the shortest text that reads back to the same float, in fixed notation
/// with at least one decimal (`1378045287.0`, `0.5`) while the decimal exponent is in -4..16, otherwise in
/// exponent notation (`1e+16`, `1.5e-05`); `inf`, `-inf`, `nan`. Ties between two shortest candidates go to the
/// even last digit, as Python's `dtoa` does.
pub(crate) fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    py_repr(x)
}

/// Whether the finite, non-zero `x` lies exactly halfway between two decimals of `n` significant digits whose
/// first digit is at decimal exponent `exp`, i.e. whether `2 * |x| * 10^(n-1-exp)` is an odd integer. Exact, in
/// integer arithmetic on the binary representation `x = m * 2^q`.
fn is_decimal_tie(x: f64, n: usize, exp: i32) -> bool {
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1 << 52) - 1);
    let (m, q) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), exp_bits - 1075)
    };
    if m == 0 {
        return false;
    }
    let t = i64::from(m.trailing_zeros());
    let odd = m >> t;
    let k = i64::try_from(n).unwrap_or(i64::MAX) - 1 - i64::from(exp);
    // 2 * odd * 2^(t+q) * 10^k = odd * 5^k * 2^(t+q+1+k): odd integer iff the power of two vanishes and, for a
    // negative k, 5^-k divides `odd`.
    t + q + 1 + k == 0
        && (k >= 0
            || u32::try_from(-k)
                .ok()
                .and_then(|e| 5u64.checked_pow(e))
                .is_some_and(|p| odd % p == 0))
}

/// Python's `repr(float)` of a finite, non-zero float: the shortest digits that read back to `x`, and when two
/// candidates of that length are equally close (`2124248109033314.25` between `…314.2` and `…314.3`), the one
/// with the even last digit, as Python's `dtoa` picks (Rust's shortest formatting may pick the other).
fn py_repr(x: f64) -> String {
    let shortest = format!("{:e}", x.abs());
    let (mantissa, exp) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let n = digits.len();
    if digits.last().is_some_and(|d| d % 2 == 1) && is_decimal_tie(x, n, exp) {
        // On a tie, n+1 significant digits hold |x| exactly: the n-digit candidate below, then a 5.
        let exact = format!("{:.*e}", n, x.abs());
        let (exact_mantissa, _) = exact.split_once('e').unwrap_or((&exact, ""));
        let below: Vec<u8> = exact_mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .take(n)
            .collect();
        let mut other = digits.clone();
        if let Some(last) = other.last_mut() {
            *last = if below == digits {
                *last + 1
            } else {
                *last - 1
            };
        }
        let text = format!("0.{}e{}", String::from_utf8_lossy(&other), exp + 1);
        if other.iter().all(u8::is_ascii_digit) && text.parse::<f64>() == Ok(x.abs()) {
            digits = other;
        }
    }
    let digits = String::from_utf8_lossy(&digits).into_owned();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let point = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!(
            "{sign}{first}{point}{rest}e{esign}{:02}",
            exp.unsigned_abs()
        );
    }
    let point = exp + 1; // digits before the decimal point
    let n = digits.len() as i32;
    if point <= 0 {
        format!(
            "{sign}0.{}{digits}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point >= n {
        format!("{sign}{digits}{}.0", "0".repeat((point - n) as usize))
    } else {
        let (int_part, frac) = digits.split_at(point as usize);
        format!("{sign}{int_part}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn py_quote_into_copies_runs_as_the_byte_loop_did() {
        fn byte_by_byte(s: &str, safe: &[u8]) -> String {
            let mut out = String::new();
            for &b in s.as_bytes() {
                if always_safe(b) || safe.contains(&b) {
                    out.push(char::from(b));
                } else {
                    push_escaped(&mut out, b);
                }
            }
            out
        }
        let pieces = [
            "a", "Z9", "_.-~", "/", " ", "&=", "é", "€", "😀", "%", "+", "\u{0}", "ab/cd",
        ];
        let mut state: u64 = 1;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(state % 7) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                s.push_str(pieces[((state >> 33) % pieces.len() as u64) as usize]);
            }
            state = state.wrapping_add(3);
            for safe in [&b""[..], b"/", b"/&="] {
                let mut out = String::from("x");
                py_quote_into(&mut out, &s, safe);
                assert_eq!(out, format!("x{}", byte_by_byte(&s, safe)), "{s:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn hex_round_trip_lower_only() {
        let mut out = [0u8; 4];
        assert_eq!(hex_lower(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(decode_hex_lower("00abff", &mut out), Some(3));
        assert_eq!(&out[..3], &[0, 0xab, 0xff]);
        assert_eq!(decode_hex_lower("00ABFF", &mut out), None);
        assert_eq!(decode_hex_lower("0", &mut out), None);
        assert_eq!(decode_hex_lower("0000000000", &mut out), None);
        assert_eq!(decode_hex_lower("zz", &mut out), None);
    }

    #[test]
    fn quote_matches_python() {
        // urllib.parse.quote("path=/x/y?z=1&plus=1+1&q=a b&c=d")
        assert_eq!(
            py_quote("path=/x/y?z=1&plus=1+1&q=a b&c=d", b"/"),
            "path%3D/x/y%3Fz%3D1%26plus%3D1%2B1%26q%3Da%20b%26c%3Dd"
        );
        assert_eq!(py_quote("J\u{f6}hn ~._-", b"/"), "J%C3%B6hn%20~._-");
        // urllib.parse.quote_plus("2mqmLfwl+qDJBfAF7OvnmNWvxAY= a/b~")
        assert_eq!(
            py_quote_plus("2mqmLfwl+qDJBfAF7OvnmNWvxAY= a/b~"),
            "2mqmLfwl%2BqDJBfAF7OvnmNWvxAY%3D+a%2Fb~"
        );
    }

    #[test]
    fn unquote_and_parse_qsl_match_python() {
        assert_eq!(py_unquote_plus("a+b%2B%3d%zz%4"), "a b+=%zz%4");
        assert_eq!(py_unquote_plus("%C3%B6%FF"), "\u{f6}\u{fffd}");
        assert_eq!(
            py_parse_qsl("a=1&&b&c=&d=x%3Dy=z"),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), String::new()),
                ("c".to_string(), String::new()),
                ("d".to_string(), "x=y=z".to_string())
            ]
        );
    }

    #[test]
    fn python_int() {
        assert_eq!(py_int("1700000000"), Some(1_700_000_000));
        assert_eq!(py_int("01700000000"), Some(1_700_000_000));
        assert_eq!(py_int(" +17_00 "), Some(1700));
        assert_eq!(py_int("-5"), Some(-5));
        for bad in [
            "",
            "+",
            "_1",
            "1_",
            "1__0",
            "17000000x0",
            "1.0",
            "0x10",
            "99999999999999999999",
        ] {
            assert_eq!(py_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn python_float_repr() {
        let cases: [(f64, &str); 14] = [
            (1378045287.0, "1378045287.0"),
            (0.5, "0.5"),
            (1700000004.75, "1700000004.75"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000015, "1.5e-05"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100.0"),
            (123456789012345.6, "123456789012345.6"),
            (-0.0, "-0.0"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want, "{x}");
        }
        // A tie between two shortest candidates (…314.2 and …314.3): Python keeps the even digit.
        let tie: f64 = "2124248109033314.25".parse().unwrap();
        assert_eq!(py_float_repr(tie), "2124248109033314.2");
        assert_eq!(py_float_repr(f64::INFINITY), "inf");
        assert_eq!(py_float_repr(f64::NAN), "nan");
    }

    #[test]
    fn clip_cuts_on_char_boundaries() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hi", 5), "hi");
    }
}
