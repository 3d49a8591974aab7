//! Python's `utf-7` codec (RFC 2152 as CPython implements it), byte for byte: how django-fost-authn carries
//! non-ASCII user names in `X-FOST-User` (`Jürgen` is sent as `J+APw-rgen`). Crate private; FOST uses it.
//!
//! * [`encode`] is `str.encode('utf-7')`: the characters of RFC 2152's sets D and O and the whitespace `\t`,
//!   `\n`, `\r` and space are written as themselves; `+` as `+-`; everything else (controls, `\`, `~`, DEL and every
//!   non-ASCII character, as UTF-16 code units, surrogate pairs beyond the BMP) in `+…` base64 runs without
//!   padding. A run is closed with `-` only when the next character is a base64 character or `-`, or at the end.
//! * [`decode`] is `bytes.decode('utf-7')` with `errors='strict'`, except that it also refuses a result holding a
//!   lone surrogate (CPython returns one; a Rust string cannot hold it, and no user name has one). `None` is
//!   every case where Python raises `UnicodeDecodeError`: a non-ASCII byte, `+` followed by neither `-` nor a
//!   base64 character, a run that ends with a partial character or non-zero padding bits, or an unterminated run
//!   holding data.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn is_base64(c: u32) -> bool {
    c < 128 && (B64.contains(&(c as u8)))
}

fn from_base64(c: u8) -> u32 {
    match c {
        b'A'..=b'Z' => u32::from(c - b'A'),
        b'a'..=b'z' => u32::from(c - b'a') + 26,
        b'0'..=b'9' => u32::from(c - b'0') + 52,
        b'+' => 62,
        _ => 63,
    }
}

fn to_base64(n: u32) -> char {
    char::from(B64[(n & 0x3f) as usize])
}

/// Whether CPython's encoder writes `c` as itself (`ENCODE_DIRECT` with sets O and whitespace direct).
fn encode_direct(c: u32) -> bool {
    matches!(c, 0x09 | 0x0a | 0x0d | 0x20..=0x7e) && !matches!(c, 0x2b | 0x5c | 0x7e)
}

/// `s.encode('utf-7')` as Python writes it (always ASCII).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_shift = false;
    let (mut bits, mut buffer) = (0u32, 0u32);
    for c in s.chars() {
        let ch = u32::from(c);
        if in_shift {
            if encode_direct(ch) {
                if bits > 0 {
                    out.push(to_base64(buffer << (6 - bits)));
                    (bits, buffer) = (0, 0);
                }
                in_shift = false;
                // A character outside the base64 set ends the run by itself; '-' and base64 ones need a '-'.
                if is_base64(ch) || c == '-' {
                    out.push('-');
                }
                out.push(c);
                continue;
            }
        } else if c == '+' {
            out.push_str("+-");
            continue;
        } else if encode_direct(ch) {
            out.push(c);
            continue;
        } else {
            out.push('+');
            in_shift = true;
        }
        let mut units = [0u16; 2];
        for &unit in c.encode_utf16(&mut units).iter() {
            bits += 16;
            buffer = (buffer << 16) | u32::from(unit);
            while bits >= 6 {
                out.push(to_base64(buffer >> (bits - 6)));
                bits -= 6;
            }
            buffer &= (1 << bits) - 1;
        }
    }
    if bits > 0 {
        out.push(to_base64(buffer << (6 - bits)));
    }
    if in_shift {
        out.push('-');
    }
    out
}

/// `s.encode('ascii').decode('utf-7')` as Python reads it; `None` where Python raises (see the module
/// documentation) or the result would hold a lone surrogate.
pub(crate) fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut in_shift = false;
    let (mut bits, mut buffer, mut surrogate) = (0u32, 0u32, 0u32);
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if in_shift {
            if is_base64(u32::from(ch)) {
                buffer = (buffer << 6) | from_base64(ch);
                bits += 6;
                i += 1;
                if bits >= 16 {
                    let unit = (buffer >> (bits - 16)) & 0xffff;
                    bits -= 16;
                    buffer &= (1 << bits) - 1;
                    if surrogate != 0 {
                        // Python writes a lone high surrogate when no low one follows: refused.
                        if !(0xdc00..=0xdfff).contains(&unit) {
                            return None;
                        }
                        let joined = 0x10000 + ((surrogate - 0xd800) << 10) + (unit - 0xdc00);
                        out.push(char::from_u32(joined)?);
                        surrogate = 0;
                    } else if (0xd800..=0xdbff).contains(&unit) {
                        surrogate = unit;
                    } else {
                        // A lone low surrogate is not a char: refused.
                        out.push(char::from_u32(unit)?);
                    }
                }
            } else {
                in_shift = false;
                if bits >= 6 || buffer != 0 || surrogate != 0 {
                    // A partial character, non-zero padding bits, or a high surrogate left alone.
                    return None;
                }
                if ch == b'-' {
                    // '-' is absorbed; any other terminating character is kept.
                    i += 1;
                }
            }
        } else if ch == b'+' {
            i += 1;
            match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    out.push('+');
                }
                Some(&next) if !is_base64(u32::from(next)) => return None,
                _ => {
                    in_shift = true;
                    (bits, buffer, surrogate) = (0, 0, 0);
                }
            }
        } else if ch < 128 {
            out.push(char::from(ch));
            i += 1;
        } else {
            return None;
        }
    }
    if in_shift && (surrogate != 0 || bits >= 6 || (bits > 0 && buffer != 0)) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (text, text.encode('utf-7')) pairs, produced with CPython 3.11.7 by printing
    /// `t.encode('utf-7').decode('ascii')` for each text (2.7.18, the reference's Python, and 3.13.0 encode the same).
    const ENCODED: &[(&str, &str)] = &[
        ("J\u{fc}rgen", "J+APw-rgen"),
        ("admin", "admin"),
        ("a+b", "a+-b"),
        ("+", "+-"),
        ("++", "+-+-"),
        ("", ""),
        ("~", "+AH4-"),
        ("\\", "+AFw-"),
        ("a~b", "a+AH4-b"),
        ("\u{e9}", "+AOk-"),
        ("\u{e9}.", "+AOk."),
        ("\u{e9}-", "+AOk--"),
        ("\u{e9}a", "+AOk-a"),
        ("\u{e9} ", "+AOk "),
        ("\u{e9}!", "+AOk!"),
        ("\u{e9}\u{e9}", "+AOkA6Q-"),
        ("\u{e9}\u{e9}\u{e9}", "+AOkA6QDp-"),
        ("Fran\u{e7}ois M\u{fc}ller", "Fran+AOc-ois M+APw-ller"),
        ("\u{65e5}\u{672c}\u{8a9e}", "+ZeVnLIqe-"),
        ("\u{1f600}", "+2D3eAA-"),
        ("a\u{1f600}b", "a+2D3eAA-b"),
        ("\u{10ffff}", "+2//f/w-"),
        ("\u{0}\u{1}\u{7f}", "+AAAAAQB/-"),
        ("\t\n\r ", "\t\n\r "),
        ("!\"#$%&*;<=>@[]^_`{|}", "!\"#$%&*;<=>@[]^_`{|}"),
        ("'(),-./:?", "'(),-./:?"),
        ("\u{e9}+", "+AOkAKw-"),
        ("\u{e9}~\u{e9}", "+AOkAfgDp-"),
        ("user@example.com", "user@example.com"),
        ("\u{c5}sa \u{d8}berg", "+AMU-sa +ANg-berg"),
    ];

    /// (input, Python's `input.encode().decode('utf-7')`, or None where it raises UnicodeDecodeError or returns a
    /// lone surrogate), produced with CPython 3.11.7 (3.13.0 decodes the same).
    const DECODED: &[(&str, Option<&str>)] = &[
        ("J+APw-rgen", Some("J\u{fc}rgen")),
        ("J+APw.rgen", Some("J\u{fc}.rgen")),
        ("J+APwrgen", None),
        ("a+-b", Some("a+b")),
        ("a+", Some("a")),
        ("a+-", Some("a+")),
        ("+", Some("")),
        ("+-", Some("+")),
        ("+!", None),
        ("+ ", None),
        ("+A", None),
        ("+AA", None),
        ("+AAA", Some("\u{0}")),
        ("+AAA-", Some("\u{0}")),
        ("+AB-", None),
        ("+AOk", Some("\u{e9}")),
        ("+AOk-", Some("\u{e9}")),
        ("+AOl-", None),
        ("+AOkA-", None),
        ("+AOkB-", None),
        ("+2D3eAA-", Some("\u{1f600}")),
        ("+2D3eAA", Some("\u{1f600}")),
        ("+2D0-", None), // CPython returns a lone surrogate: '\ud83d'
        ("+2D0", None),
        ("+3gA-", None),    // CPython returns a lone surrogate: '\ude00'
        ("+2D3YPQ-", None), // CPython returns a lone surrogate: '\ud83d\ud83d'
        ("~\\\u{7f}\u{0}", Some("~\\\u{7f}\u{0}")),
        ("\u{e9}", None),
        ("abc+-+-", Some("abc++")),
        ("+AH4-+AFw-", Some("~\\")),
        ("+ZeVnLIqe-", Some("\u{65e5}\u{672c}\u{8a9e}")),
        ("+ZeVnLIqe", Some("\u{65e5}\u{672c}\u{8a9e}")),
        ("+ZeVnLIqf", Some("\u{65e5}\u{672c}\u{8a9f}")),
        ("+/v8-", Some("\u{feff}")),
        ("a+b", None),
        ("a+bc", None),
        ("a+bcd-e", None),
    ];

    #[test]
    fn encodes_as_cpython() {
        for (text, want) in ENCODED {
            assert_eq!(encode(text), *want, "{text:?}");
            assert_eq!(decode(want).as_deref(), Some(*text), "{want:?}");
        }
    }

    #[test]
    fn decodes_as_cpython() {
        for (input, want) in DECODED {
            assert_eq!(decode(input).as_deref(), *want, "{input:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(text in "\\PC{0,40}", ascii in "[ -~]{0,40}") {
            let encoded = encode(&text);
            prop_assert!(encoded.is_ascii());
            prop_assert_eq!(decode(&encoded), Some(text));
            // Decoding arbitrary ASCII never panics, and what decodes re-encodes to something that decodes the same.
            if let Some(d) = decode(&ascii) {
                prop_assert_eq!(decode(&encode(&d)), Some(d));
            }
        }
    }
}
