//! HTTP messages as the request-signing schemes see them.
//!
//! [`Request`] is one borrowed view of a request — method, target URI (scheme, authority, path, query), header
//! field lines and body — built once by the server framework or client and shared by every scheme
//! ([`fost`], [`hmac_header`], [`message_signatures`]). [`Response`] is the same for responses (RFC 9421 `@status`).
//! No scheme re-parses the raw request; each reads what it signs from this view.
//!
//! # Canonicalisation rules
//! * **Method**: kept as given; schemes that sign it decide its case (FOST signs it verbatim, RFC 9421 upper-cases
//!   `@method`).
//! * **Target URI**: [`Request::new`] splits an absolute URI (`https://example.com:8443/a%20b?x=1#frag`) or an
//!   origin-form target (`/a%20b?x=1`, with the authority taken from [`Request::with_authority`] or the `Host`
//!   header) into scheme, authority, path and query. Nothing is decoded or re-encoded: [`Request::path`] and
//!   [`Request::query`] are the raw, still percent-encoded text; [`Request::decoded_path`] gives the
//!   percent-decoded path that FOST signs. A fragment is dropped. An empty path is `/`.
//! * **Authority**: kept as given; [`Request::authority_normalized`] lower-cases it and removes the scheme's
//!   default port (`:80` for http, `:443` for https), as RFC 9421 `@authority` requires.
//! * **Query**: `None` when the target has no `?`, `Some("")` for a bare `?`. Parameter order and encoding are
//!   kept as sent.
//! * **Header names** compare case-insensitively (ASCII). **Repeated headers** are kept as separate field lines in
//!   wire order; [`Headers::get`] combines them as RFC 9110 does: each value trimmed of surrounding spaces and
//!   tabs, joined with `", "` (how RFC 9421 covers a field and how the structured dictionaries `Signature-Input`,
//!   `Signature` and `Content-Digest` are read, RFC 8941 3.2).
//! * **Single-valued headers are never combined.** A second `Host` line is refused when the view is built
//!   ([`Request::with_header`], [`crate::ErrorKind::Malformed`]; RFC 9112 3.2 answers such a request 400), so
//!   `@authority`, FOST URL signatures and [`Request::authority`] cannot read a host a front end did not route
//!   by. Every other single-valued header a scheme reads — `Authorization`, FOST's `X-FOST-Timestamp`,
//!   `X-FOST-Headers` and each header it signs (`X-FOST-User` included), the HMAC header scheme's
//!   `Content-Type` — is read with [`Headers::single`], which refuses two lines as malformed. Servers that merge
//!   repeated lines before the view is built (WSGI joins them with `,` in one `HTTP_*` variable) hand over one
//!   line; the merged value then fails the scheme's own parsing or signature check. Names and values holding CR, LF or NUL are refused when the view is built
//!   ([`crate::ErrorKind::Malformed`]), so no scheme can be fed a header line that smuggles another.
//! * **Body**: `None` means the message has no body; `Some(b"")` an empty one. The schemes that sign a body treat
//!   both the same way (FOST then signs the query string; the HMAC header scheme signs no body hash), and
//!   RFC 9530 digests are computed over the raw bytes, which for `None` are the empty string.
//!
//! # Limits
//! A view holds at most [`MAX_HEADERS`] field lines, each name and value at most [`MAX_HEADER_LEN`] bytes; the
//! target URI is at most [`MAX_TARGET_LEN`] bytes. Bodies are not limited here: the server framework bounds them.

use std::borrow::Cow;

use crate::error::{Error, Result};

pub mod fost;
pub mod hmac_header;
pub mod message_signatures;
pub mod raw;
mod time_policy;
pub mod token_header;
pub(crate) mod utf7;

pub use time_policy::{FostWindow, HmacHeaderWindow, TimePolicy, TimeWindow};

/// Most header field lines a [`Request`] or [`Response`] holds.
pub const MAX_HEADERS: usize = 256;
/// Longest header name or value, in bytes.
pub const MAX_HEADER_LEN: usize = 16 * 1024;
/// Longest target URI, in bytes.
pub const MAX_TARGET_LEN: usize = 16 * 1024;

fn check_field(name: &str, value: &str) -> Result<()> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(Error::malformed(
            "a header name must be visible ASCII without ':'",
        ));
    }
    if name.len() > MAX_HEADER_LEN || value.len() > MAX_HEADER_LEN {
        return Err(Error::too_large("a header name or value", MAX_HEADER_LEN));
    }
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(Error::malformed(
            "a header value must not contain CR, LF or NUL",
        ));
    }
    Ok(())
}

/// Header field lines in wire order, with case-insensitive lookup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers<'a> {
    lines: Vec<(&'a str, &'a str)>,
}

impl<'a> Headers<'a> {
    fn push(&mut self, name: &'a str, value: &'a str) -> Result<()> {
        if self.lines.len() >= MAX_HEADERS {
            return Err(Error::too_large("the number of header lines", MAX_HEADERS));
        }
        check_field(name, value)?;
        self.lines.push((name, value));
        Ok(())
    }

    /// Every field line, in wire order, as given.
    pub fn lines(&self) -> &[(&'a str, &'a str)] {
        &self.lines
    }

    /// The values of every line named `name` (case-insensitive), in wire order, untrimmed.
    pub fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.lines
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The combined value of `name`: each line's value trimmed of spaces and tabs, joined with `", "`; `None`
    /// when no line has this name.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        let mut values = self.values(name).map(|v| v.trim_matches([' ', '\t']));
        let first = values.next()?;
        match values.next() {
            None => Some(Cow::Borrowed(first)),
            Some(second) => {
                let mut joined = format!("{first}, {second}");
                for v in values {
                    joined.push_str(", ");
                    joined.push_str(v);
                }
                Some(Cow::Owned(joined))
            }
        }
    }

    /// Whether any line is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    /// The value of a single-valued header (RFC 9110 5.3: one that cannot be combined from several lines), trimmed
    /// of spaces and tabs; `None` when no line has this name. Every scheme reads the single-valued headers it
    /// relies on (`Authorization`, `X-FOST-*`, the headers FOST signs, `Content-Type`) through this method.
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) when two or more lines have this name: which one a front end or framework would
    /// use is not defined, so the request is refused rather than read one way here and another way there.
    pub fn single(&self, name: &str) -> Result<Option<&'a str>> {
        let mut values = self.values(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::malformed(format!(
                "the {} header appears more than once",
                crate::encoding::clip(name, 64)
            )));
        }
        Ok(first.map(|v| v.trim_matches([' ', '\t'])))
    }
}

/// A borrowed view of an HTTP request. See the [module documentation](self) for the canonicalisation rules.
///
/// ```
/// use countermark::http::Request;
///
/// let req = Request::new("POST", "https://Example.com:443/foo%20bar?param=Value&Pet=dog")?
///     .with_header("Content-Type", "application/json")?
///     .with_header("X-Tag", " a ")?
///     .with_header("x-tag", "b")?
///     .with_body(b"{}");
/// assert_eq!(req.scheme(), "https");
/// assert_eq!(req.authority(), "Example.com:443");
/// assert_eq!(req.authority_normalized(), "example.com");
/// assert_eq!(req.path(), "/foo%20bar");
/// assert_eq!(req.decoded_path(), "/foo bar");
/// assert_eq!(req.query(), Some("param=Value&Pet=dog"));
/// assert_eq!(req.headers().get("X-TAG").as_deref(), Some("a, b"));
/// assert_eq!(req.body(), Some(&b"{}"[..]));
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    method: &'a str,
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    headers: Headers<'a>,
    body: Option<&'a [u8]>,
}

/// The parts of a request target.
struct Target<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

fn split_target(target: &str) -> Result<Target<'_>> {
    if target.len() > MAX_TARGET_LEN {
        return Err(Error::too_large("the target URI", MAX_TARGET_LEN));
    }
    if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::malformed(
            "the target URI must not contain spaces or control characters",
        ));
    }
    if let Some(url) = split_absolute(target) {
        return Ok(Target {
            scheme: url.scheme,
            authority: url.authority,
            path: url.path,
            query: url.query,
        });
    }
    // RFC 9112 3.2.1: origin-form is an absolute path, then the query (`?x` alone would name the same
    // resource as `/?x`, so one signed request would have two spellings).
    let target = target.split_once('#').map_or(target, |(t, _)| t);
    if !target.starts_with('/') {
        return Err(Error::malformed(
            "the target must be an absolute URI or start with '/'",
        ));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    Ok(Target {
        scheme: "",
        authority: "",
        path,
        query,
    })
}

/// The parts of an absolute URL, as [`split_url`] splits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// The scheme, as written (`https`).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The authority (`host[:port]`) as written, without any userinfo (`user:pass@`, which a client never
    /// sends: RFC 9110 4.2.4).
    pub fn authority(&self) -> &'a str {
        self.authority
    }

    /// The raw path; `/` when the URL has none.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The raw query without the `?`: `None` without a `?`, `Some("")` for a bare `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The origin-form request target: the path, then `?` and the query when there is one (`/a?b=c`).
    pub fn target(&self) -> String {
        match self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.to_string(),
        }
    }

    /// The scheme lower-cased (`https`), as RFC 9421's `@scheme` and an HTTP client's request use it.
    pub fn scheme_normalized(&self) -> String {
        self.scheme.to_ascii_lowercase()
    }

    /// The authority as an HTTP client sends it in `Host` and RFC 9421's `@authority` covers it: lower-cased,
    /// without the scheme's default port (`:80` for `http`, `:443` for `https`): `Example.COM:443` ->
    /// `example.com` under `https`. The rule of [`Request::authority_normalized`].
    ///
    /// ```
    /// let url = countermark::http::split_url("HTTPS://User@Example.COM:443/a")?;
    /// assert_eq!((url.scheme_normalized(), url.authority_normalized()), ("https".into(), "example.com".into()));
    /// assert_eq!(countermark::http::split_url("http://e.com:8080")?.authority_normalized(), "e.com:8080");
    /// # Ok::<(), countermark::Error>(())
    /// ```
    pub fn authority_normalized(&self) -> String {
        normalized_authority(self.scheme, self.authority)
    }
}

/// `authority` lower-cased, without `scheme`'s default port or an empty port.
fn normalized_authority(scheme: &str, authority: &str) -> String {
    let lower = authority.to_ascii_lowercase();
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "http" => Some(":80"),
        "https" => Some(":443"),
        _ => None,
    };
    match default_port {
        Some(port) if lower.ends_with(port) => lower[..lower.len() - port.len()].to_string(),
        _ => lower,
    }
}

fn split_absolute(url: &str) -> Option<UrlParts<'_>> {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return None;
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Some(UrlParts {
        scheme,
        authority,
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

/// Splits an absolute URL (`https://user@Example.com:8443/a%20b?x=1#frag`) into scheme, authority (without
/// userinfo), path (`/` when empty) and query; the fragment is dropped (it is never sent). The one URL splitter:
/// [`Request::new`] uses it for absolute targets, and every binding's "request from a URL" calls it.
///
/// ```
/// use countermark::http::split_url;
///
/// let url = split_url("https://user@Example.com:8443?x=1#frag")?;
/// assert_eq!((url.scheme(), url.authority(), url.path(), url.query()), ("https", "Example.com:8443", "/", Some("x=1")));
/// assert_eq!(url.target(), "/?x=1");
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidValue`] unless `url` is `scheme://...` with a scheme of letters, digits and `+-.`, or when
/// it holds spaces or control characters (a URL is the caller's argument, not a received credential);
/// [`ErrorKind::TooLarge`] over [`MAX_TARGET_LEN`].
pub fn split_url(url: &str) -> Result<UrlParts<'_>> {
    if url.len() > MAX_TARGET_LEN {
        return Err(Error::too_large("the URL", MAX_TARGET_LEN));
    }
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::invalid_value(
            "the URL must not contain spaces or control characters",
        ));
    }
    split_absolute(url)
        .ok_or_else(|| Error::invalid_value("an absolute URL (scheme://authority/path) is needed"))
}

impl<'a> Request<'a> {
    /// A request with `method` to `target`: an absolute URI (`https://example.com/foo?x=1`) or an origin-form
    /// target (`/foo?x=1`, whose scheme and authority come from [`Request::with_authority`] or the `Host` header).
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) for an empty or non-token method or a target that is neither form;
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) over [`MAX_TARGET_LEN`].
    pub fn new(method: &'a str, target: &'a str) -> Result<Self> {
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::malformed("the method must be a non-empty token"));
        }
        let t = split_target(target)?;
        Ok(Request {
            method,
            scheme: t.scheme,
            authority: t.authority,
            path: t.path,
            query: t.query,
            headers: Headers::default(),
            body: None,
        })
    }

    /// Sets the scheme and authority of an origin-form request (what the server knows it was reached at).
    pub fn with_authority(mut self, scheme: &'a str, authority: &'a str) -> Self {
        self.scheme = scheme;
        self.authority = authority;
        self
    }

    /// Adds a header field line (kept in order; repeated names are kept as separate lines, except `Host`).
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) for a name that is not visible ASCII, a value holding CR, LF or NUL, or a second
    /// `Host` line;
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge) past [`MAX_HEADERS`] lines or [`MAX_HEADER_LEN`] bytes.
    pub fn with_header(mut self, name: &'a str, value: &'a str) -> Result<Self> {
        if name.eq_ignore_ascii_case("host") && self.headers.contains("host") {
            return Err(Error::malformed(
                "the request has more than one Host header line (RFC 9112 3.2: answered 400)",
            ));
        }
        self.headers.push(name, value)?;
        Ok(self)
    }

    /// Sets the body (the exact bytes sent).
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// The method, as given.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The scheme (`https`), as given; empty for an origin-form target without [`Request::with_authority`].
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// The authority from the target URI or [`Request::with_authority`], else the `Host` header, as given.
    pub fn authority(&self) -> &'a str {
        if self.authority.is_empty() {
            // One Host line at most: `with_header` refuses a second.
            self.headers
                .values("host")
                .next()
                .map_or("", |h| h.trim_matches([' ', '\t']))
        } else {
            self.authority
        }
    }

    /// The authority lower-cased, without the scheme's default port (RFC 9421 `@authority`).
    pub fn authority_normalized(&self) -> String {
        normalized_authority(self.scheme, self.authority())
    }

    /// The raw (percent-encoded) path; `/` when the target has none.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The percent-decoded path (invalid UTF-8 after decoding becomes U+FFFD), as Django's `request.path`.
    pub fn decoded_path(&self) -> Cow<'a, str> {
        percent_decode(self.path)
    }

    /// The raw query without the `?`: `None` without a `?`, `Some("")` for a bare `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The header field lines.
    pub fn headers(&self) -> &Headers<'a> {
        &self.headers
    }

    /// The body: `None` without one.
    pub fn body(&self) -> Option<&'a [u8]> {
        self.body
    }
}

/// A borrowed view of an HTTP response, with the request it answers when a signature covers `;req` components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    status: u16,
    headers: Headers<'a>,
    body: Option<&'a [u8]>,
    request: Option<Request<'a>>,
}

impl<'a> Response<'a> {
    /// A response with `status` (100..=999).
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`](crate::ErrorKind::Malformed) for a status outside 100..=999.
    pub fn new(status: u16) -> Result<Self> {
        if !(100..=999).contains(&status) {
            return Err(Error::malformed("the status code must be three digits"));
        }
        Ok(Response {
            status,
            headers: Headers::default(),
            body: None,
            request: None,
        })
    }

    /// Adds a header field line. Same rules as [`Request::with_header`].
    ///
    /// # Errors
    /// As [`Request::with_header`].
    pub fn with_header(mut self, name: &'a str, value: &'a str) -> Result<Self> {
        self.headers.push(name, value)?;
        Ok(self)
    }

    /// Sets the body.
    pub fn with_body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// Attaches the request this response answers.
    pub fn for_request(mut self, request: Request<'a>) -> Self {
        self.request = Some(request);
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The header field lines.
    pub fn headers(&self) -> &Headers<'a> {
        &self.headers
    }

    /// The body: `None` without one.
    pub fn body(&self) -> Option<&'a [u8]> {
        self.body
    }

    /// The request this response answers, if attached.
    pub fn request(&self) -> Option<&Request<'a>> {
        self.request.as_ref()
    }
}

/// Percent-decodes `s` (no `+` handling); invalid escapes are kept; invalid UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let src = s.as_bytes();
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        if src[i] == b'%' && i + 2 < src.len() {
            let h = (src[i + 1] as char).to_digit(16);
            let l = (src[i + 2] as char).to_digit(16);
            if let (Some(h), Some(l)) = (h, l) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(src[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn targets() {
        let r = Request::new("GET", "http://h.example:80").unwrap();
        assert_eq!(
            (r.scheme(), r.authority(), r.path(), r.query()),
            ("http", "h.example:80", "/", None)
        );
        assert_eq!(r.authority_normalized(), "h.example");
        let r = Request::new("GET", "/a/b?")
            .unwrap()
            .with_header("Host", "H.example:8080")
            .unwrap();
        assert_eq!(
            (r.authority(), r.path(), r.query()),
            ("H.example:8080", "/a/b", Some(""))
        );
        let r = Request::new("GET", "https://e.com/p?q=1#frag").unwrap();
        assert_eq!(r.query(), Some("q=1"));
        // "?x" is not origin-form: it would be a second spelling of "/?x".
        for bad in ["", "e.com/p", "/a b", "/a\r\nX: y", "?", "?q=1"] {
            assert_eq!(
                Request::new("GET", bad).unwrap_err().kind(),
                ErrorKind::Malformed,
                "{bad:?}"
            );
        }
        assert_eq!(
            Request::new("", "/").unwrap_err().kind(),
            ErrorKind::Malformed
        );
        assert_eq!(
            Request::new("GET", &"/".repeat(MAX_TARGET_LEN + 1))
                .unwrap_err()
                .kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn header_injection_is_refused() {
        let r = Request::new("GET", "/").unwrap();
        assert!(r.clone().with_header("X", "a\r\nInjected: 1").is_err());
        assert!(r.clone().with_header("X", "a\0").is_err());
        assert!(r.clone().with_header("X Y", "a").is_err());
        assert!(r.clone().with_header("", "a").is_err());
        assert!(r
            .with_header("X-Ok", "\tvalue with obs-text \u{e9}")
            .is_ok());
    }

    #[test]
    fn repeated_headers_combine() {
        let r = Request::new("GET", "/")
            .unwrap()
            .with_header("A", "1")
            .unwrap()
            .with_header("a", " 2\t")
            .unwrap()
            .with_header("A", "")
            .unwrap();
        assert_eq!(r.headers().get("a").as_deref(), Some("1, 2, "));
        assert_eq!(
            r.headers().values("A").collect::<Vec<_>>(),
            ["1", " 2\t", ""]
        );
        assert_eq!(r.headers().get("b"), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("/a%20b%zz%4"), "/a b%zz%4");
        assert_eq!(percent_decode("/%C3%A9%FF"), "/\u{e9}\u{fffd}");
        assert_eq!(percent_decode("/plain"), "/plain");
    }

    #[test]
    fn too_many_headers() {
        let mut r = Request::new("GET", "/").unwrap();
        for _ in 0..MAX_HEADERS {
            r = r.with_header("x", "y").unwrap();
        }
        assert_eq!(
            r.with_header("x", "y").unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}

#[cfg(test)]
mod split_url_tests {
    use super::*;
    use crate::error::ErrorKind;

    fn parts(url: &str) -> (&str, &str, &str, Option<&str>) {
        let u = split_url(url).unwrap();
        (u.scheme(), u.authority(), u.path(), u.query())
    }

    #[test]
    fn splits_like_the_three_copies_did() {
        assert_eq!(parts("https://e.com"), ("https", "e.com", "/", None));
        assert_eq!(parts("https://e.com?x"), ("https", "e.com", "/", Some("x")));
        assert_eq!(
            parts("https://e.com/a?"),
            ("https", "e.com", "/a", Some(""))
        );
        assert_eq!(
            parts("http://E.com:80/a/b?c=d&e"),
            ("http", "E.com:80", "/a/b", Some("c=d&e"))
        );
        // The fragment is dropped before anything else: `#` ends the authority and the query.
        assert_eq!(parts("https://e.com#f?x"), ("https", "e.com", "/", None));
        assert_eq!(
            parts("https://e.com/a?q#f"),
            ("https", "e.com", "/a", Some("q"))
        );
        // Userinfo is never sent.
        assert_eq!(
            parts("https://u:p@e.com:8443/a"),
            ("https", "e.com:8443", "/a", None)
        );
        assert_eq!(split_url("https://e.com/a?b").unwrap().target(), "/a?b");
        assert_eq!(split_url("https://e.com").unwrap().target(), "/");
    }

    #[test]
    fn request_new_uses_it() {
        let r = Request::new("GET", "https://u@e.com:443/a?b#c").unwrap();
        assert_eq!(
            (r.scheme(), r.authority(), r.path(), r.query()),
            ("https", "e.com:443", "/a", Some("b"))
        );
        assert_eq!(r.authority_normalized(), "e.com");
    }

    #[test]
    fn refuses_what_is_not_an_absolute_url() {
        for url in [
            "/a?b",
            "e.com/a",
            "://e.com/",
            "ht tp://e.com/",
            "h_t://e.com/",
            "https://e.com/a b",
            "https://e.com/\n",
        ] {
            let err = split_url(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{url:?}");
        }
        let long = format!("https://e.com/{}", "a".repeat(MAX_TARGET_LEN));
        assert_eq!(split_url(&long).unwrap_err().kind(), ErrorKind::TooLarge);
        assert!(split_url("https://e.com/").is_ok());
    }
}
