//! The `Authorization: Token <token>` header that carries a handshake-format token ([`crate::Tokens`]), with a
//! configurable keyword (Django's `COUNTERMARK["TOKEN_KEYWORD"]`, DRF's `TokenAuthentication.keyword`).

use crate::error::{Error, Result};

/// The keyword of [`token_authorization`] when the caller configures none.
pub const DEFAULT_TOKEN_KEYWORD: &str = "Token";

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Python's `str.strip()` whitespace: Unicode White_Space plus the four separators U+001C..U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The `Authorization` value `"<keyword> <token>"`.
///
/// ```
/// use countermark::http::token_header::{parse_token_authorization, token_authorization};
///
/// let value = token_authorization("Token", "alice:1700000000:abc:def")?;
/// assert_eq!(value, "Token alice:1700000000:abc:def");
/// assert_eq!(parse_token_authorization("Token", &value), Some("alice:1700000000:abc:def"));
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// [`crate::ErrorKind::InvalidValue`] when `keyword` is not an HTTP token (RFC 9110 `tchar`s, at least one) or
/// `token` is empty or holds anything but visible ASCII.
pub fn token_authorization(keyword: &str, token: &str) -> Result<String> {
    if keyword.is_empty() || !keyword.bytes().all(is_tchar) {
        return Err(Error::invalid_value(
            "the keyword must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)",
        ));
    }
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid_value(
            "the token must be visible ASCII without spaces",
        ));
    }
    Ok(format!("{keyword} {token}"))
}

/// The token of an `Authorization` value `"<keyword> <token>"`, or `None` when the value is not one: its first
/// word (up to the first space) is not `keyword` (compared case-insensitively), or what follows holds no `:`
/// (every handshake token has three or more; DRF's own tokens, 40 hex digits, have none, so they are left to
/// DRF). Whitespace around the token is removed, as Django's `TokenScheme` did (`str.strip()`).
///
/// `None` is phase one's "no credentials of this scheme": the token itself is checked by [`crate::Tokens::verify`].
///
/// ```
/// use countermark::http::token_header::parse_token_authorization;
///
/// assert_eq!(parse_token_authorization("Token", "token  a:1:r:s "), Some("a:1:r:s"));
/// assert_eq!(parse_token_authorization("Token", "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"), None);
/// assert_eq!(parse_token_authorization("Token", "Bearer a:1:r:s"), None);
/// ```
pub fn parse_token_authorization<'a>(keyword: &str, value: &'a str) -> Option<&'a str> {
    let (word, token) = value.split_once(' ')?;
    let same = word.eq_ignore_ascii_case(keyword)
        || (!(word.is_ascii() && keyword.is_ascii())
            && word.to_lowercase() == keyword.to_lowercase());
    if !same || !token.contains(':') {
        return None;
    }
    Some(token.trim_matches(is_py_space))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn builds_and_reads_back() {
        for keyword in ["Token", "Bearer", "X-Api.Token"] {
            let value = token_authorization(keyword, "u:1:r:s").unwrap();
            assert_eq!(parse_token_authorization(keyword, &value), Some("u:1:r:s"));
            assert_eq!(
                parse_token_authorization(&keyword.to_uppercase(), &value),
                Some("u:1:r:s")
            );
        }
    }

    #[test]
    fn build_refuses_bad_keywords_and_tokens() {
        for keyword in ["", "To ken", "Tök", "Token:"] {
            let err = token_authorization(keyword, "u:1:r:s").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{keyword:?}");
        }
        for token in ["", "u:1 r:s", "u:1:r:s\n", "ü:1:r:s"] {
            let err = token_authorization("Token", token).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{token:?}");
        }
    }

    #[test]
    fn not_ours() {
        // Accepted as it is...
        assert_eq!(parse_token_authorization("Token", "Token a:b"), Some("a:b"));
        // ...and not with another keyword, without a colon, without a space or empty.
        assert_eq!(parse_token_authorization("Token", "Tokens a:b"), None);
        assert_eq!(parse_token_authorization("Token", "Token ab"), None);
        assert_eq!(parse_token_authorization("Token", "Token"), None);
        assert_eq!(parse_token_authorization("Token", "Token\ta:b"), None);
        assert_eq!(parse_token_authorization("Token", ""), None);
    }

    #[test]
    fn strips_as_python_does() {
        assert_eq!(
            parse_token_authorization("Token", "Token \t a:b \u{1f}\u{a0}"),
            Some("a:b")
        );
        // The keyword compares case-insensitively beyond ASCII too, as Python's str.lower() does.
        assert_eq!(parse_token_authorization("Jetón", "JETÓN a:b"), Some("a:b"));
    }

    /// Beyond ASCII the keyword compares as Python's `str.lower()` does (Django's check): the Kelvin sign
    /// lower-cases to `k`, so `\u{212A}EY` is the keyword `key`; a non-ASCII word that is not the keyword is not.
    #[test]
    fn non_ascii_keywords_compare_as_python_lower() {
        assert_eq!(
            parse_token_authorization("key", "\u{212A}EY a:1:r:s"),
            Some("a:1:r:s")
        );
        assert_eq!(
            parse_token_authorization("Token", "T\u{f6}ken a:1:r:s"),
            None
        );
        assert_eq!(
            parse_token_authorization("T\u{f6}ken", "T\u{d6}KEN a:1:r:s"),
            Some("a:1:r:s")
        );
    }
}
