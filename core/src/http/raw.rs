//! A raw HTTP/1.1 request — request line, header lines, blank line, body — read into a [`Request`] view.
//!
//! Pure: no I/O, nothing allocated but the view's header list. For tools that replay a captured request
//! (`countermark request explain`), not for a server's hot path (servers hand their framework's parsed request to
//! [`Request`] directly).
//!
//! ```
//! use countermark::http::raw::parse_request;
//!
//! let raw = b"POST /items?page=2 HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 2\r\n\r\n{}";
//! let request = parse_request(raw)?;
//! assert_eq!((request.method(), request.authority(), request.path()), ("POST", "api.example.com", "/items"));
//! assert_eq!(request.query(), Some("page=2"));
//! assert_eq!(request.body(), Some(&b"{}"[..]));
//! # Ok::<(), countermark::Error>(())
//! ```
//!
//! # Rules
//! * Lines end with CRLF or LF. The request line is `METHOD SP target SP HTTP/1.1` (or `HTTP/1.0`), each part
//!   separated by exactly one space; the target is origin-form (`/path?query`, the authority from `Host`) or
//!   absolute-form. The scheme of an origin-form target is unknown: set it with [`Request::with_authority`].
//! * A header line is `name: value` with no space before the colon (RFC 9112 5.1); surrounding spaces and tabs of
//!   the value are dropped. Obsolete line folding (a line starting with a space or tab) is refused, and so is
//!   every rule [`Request::with_header`] enforces (control characters, a second `Host`, more than
//!   [`MAX_HEADERS`] lines or a line over [`MAX_HEADER_LEN`] bytes).
//! * The body is every byte after the blank line. `Transfer-Encoding` is refused (chunked bodies are not
//!   decoded); a `Content-Length` must be one decimal number equal to the body's length. Without a body and
//!   without `Content-Length` the request has no body ([`Request::body`] is `None`).
//! * The head (request line and header lines) must be UTF-8 text.

use super::{Request, MAX_HEADERS, MAX_HEADER_LEN, MAX_TARGET_LEN};
use crate::error::{Error, ErrorKind, Result};

/// The longest head (request line and header lines with their line ends) read: every header at its maximum.
pub const MAX_HEAD_LEN: usize = MAX_TARGET_LEN + 64 + MAX_HEADERS * (MAX_HEADER_LEN + 4);

/// Reads `raw` (see the [module documentation](self) for the rules).
///
/// # Errors
/// [`ErrorKind::Malformed`] for a head that is not UTF-8, a missing blank line, a request line that is not
/// `METHOD SP target SP HTTP/1.x`, a header line without `:` or with a space before it, a folded line, a
/// `Transfer-Encoding` header, a `Content-Length` that is not the body's length, or what
/// [`Request::new`] / [`Request::with_header`] refuse; [`ErrorKind::TooLarge`] over [`MAX_HEAD_LEN`] or the
/// request's own limits.
pub fn parse_request(raw: &[u8]) -> Result<Request<'_>> {
    let (head, body) = split_head(raw)?;
    let head = std::str::from_utf8(head)
        .map_err(|_| Error::malformed("the request line and headers are not UTF-8 text"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::malformed(
            "the request line must be METHOD SP target SP HTTP/1.1",
        ));
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(Error::malformed(format!(
            "unsupported HTTP version {:?} (HTTP/1.1 or HTTP/1.0)",
            crate::encoding::clip(version, 16)
        )));
    }
    let mut request = Request::new(method, target)?;
    for line in lines {
        if line.starts_with([' ', '\t']) {
            return Err(Error::malformed(
                "obsolete line folding (a header line starting with a space or tab) is refused",
            ));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Error::malformed("a header line has no ':'"))?;
        if name.ends_with([' ', '\t']) {
            return Err(Error::malformed(
                "a header name is followed by whitespace before ':' (RFC 9112 5.1)",
            ));
        }
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(Error::malformed(
                "Transfer-Encoding is not supported: send the body as is, with Content-Length",
            ));
        }
        request = request.with_header(name, value.trim_matches([' ', '\t']))?;
    }
    let content_length = request.headers().single("content-length")?;
    if let Some(text) = content_length {
        let declared: usize = text
            .parse()
            .ok()
            .filter(|_| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Error::malformed("Content-Length is not a decimal number"))?;
        if declared != body.len() {
            return Err(Error::malformed(format!(
                "Content-Length says {declared} bytes, the body has {}",
                body.len()
            )));
        }
    }
    if body.is_empty() && content_length.is_none() {
        return Ok(request);
    }
    Ok(request.with_body(body))
}

/// The head (without the blank line) and the body.
fn split_head(raw: &[u8]) -> Result<(&[u8], &[u8])> {
    let mut start = 0;
    while start < raw.len() {
        let Some(end) = raw[start..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let line_end = start + end;
        let line = &raw[start..line_end];
        if line.is_empty() || line == b"\r" {
            if start == 0 {
                return Err(Error::malformed("the request has no request line"));
            }
            // The head ends before this empty line: drop the previous line's ending.
            let head_end = if start >= 2 && raw[start - 2] == b'\r' {
                start - 2
            } else {
                start - 1
            };
            return Ok((&raw[..head_end], &raw[line_end + 1..]));
        }
        start = line_end + 1;
        if start > MAX_HEAD_LEN {
            break;
        }
    }
    if raw.len() > MAX_HEAD_LEN {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("the request head is over {MAX_HEAD_LEN} bytes"),
        ));
    }
    Err(Error::malformed(
        "the request has no blank line after its headers",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(raw: &[u8]) -> ErrorKind {
        parse_request(raw).unwrap_err().kind()
    }

    #[test]
    fn crlf_and_lf_read_the_same() {
        let crlf = b"GET /a%20b?x=1 HTTP/1.1\r\nHost: e.com\r\nX-A:  1 \r\nx-a: 2\r\n\r\n";
        let lf = b"GET /a%20b?x=1 HTTP/1.1\nHost: e.com\nX-A:  1 \nx-a: 2\n\n";
        for raw in [&crlf[..], &lf[..]] {
            let r = parse_request(raw).unwrap();
            assert_eq!(r.method(), "GET");
            assert_eq!(r.authority(), "e.com");
            assert_eq!(r.path(), "/a%20b");
            assert_eq!(r.query(), Some("x=1"));
            assert_eq!(r.headers().get("x-a").as_deref(), Some("1, 2"));
            assert_eq!(r.body(), None);
        }
    }

    #[test]
    fn body_is_every_byte_after_the_blank_line() {
        let r = parse_request(b"POST / HTTP/1.1\r\nHost: e\r\n\r\n\r\nbody\n").unwrap();
        assert_eq!(r.body(), Some(&b"\r\nbody\n"[..]));
        let r = parse_request(b"POST / HTTP/1.0\nContent-Length: 0\n\n").unwrap();
        assert_eq!(r.body(), Some(&b""[..]));
        let r = parse_request(b"POST https://e.com:8443/p HTTP/1.1\n\n\xff\x00").unwrap();
        assert_eq!(r.authority(), "e.com:8443");
        assert_eq!(r.body(), Some(&b"\xff\x00"[..]));
    }

    #[test]
    fn refusals() {
        let ok = b"POST / HTTP/1.1\r\nHost: e\r\nContent-Length: 2\r\n\r\n{}";
        assert!(parse_request(ok).is_ok());
        let malformed: [&[u8]; 16] = [
            b"",
            b"\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: e\r\n",
            b"POST / HTTP/1.1",
            b"POST  / HTTP/1.1\r\n\r\n",
            b"POST / HTTP/2\r\n\r\n",
            b"POST / HTTP/1.1 x\r\n\r\n",
            b"POST e.com HTTP/1.1\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost e\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost : e\r\n\r\n",
            b"POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n{}",
            b"POST / HTTP/1.1\r\nContent-Length: +2\r\n\r\n{}",
            b"POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            b"POST / HTTP/1.1\r\nX: \xff\r\n\r\n",
        ];
        for raw in malformed {
            assert_eq!(
                kind(raw),
                ErrorKind::Malformed,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
        assert_eq!(
            kind(b"POST / HTTP/1.1\r\nX: a\rb\r\n\r\n"),
            ErrorKind::Malformed
        );
        assert_eq!(
            kind(b"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn limits_are_the_requests() {
        let mut raw = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            raw.extend_from_slice(b"X: y\r\n");
        }
        raw.extend_from_slice(b"\r\n");
        assert_eq!(kind(&raw), ErrorKind::TooLarge);

        let long = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "v".repeat(MAX_HEADER_LEN + 1)
        );
        assert_eq!(kind(long.as_bytes()), ErrorKind::TooLarge);

        let mut endless = b"GET / HTTP/1.1\r\n".to_vec();
        while endless.len() <= MAX_HEAD_LEN + 8 {
            endless.extend_from_slice(b"X-Long-Header-Line: value value value\r\n");
        }
        assert_eq!(kind(&endless), ErrorKind::TooLarge);
    }

    /// The head limit is the documented sum (a 16 KiB target, a request line's words, every header line at its
    /// longest), and it is inclusive: a head of exactly `MAX_HEAD_LEN` bytes is read, one byte more is TooLarge;
    /// text that long with no line end at all is Malformed (no blank line), one byte more TooLarge.
    #[test]
    fn head_limit_is_inclusive_and_its_documented_value() {
        assert_eq!(MAX_HEAD_LEN, 16 * 1024 + 64 + 256 * (16 * 1024 + 4));
        let head_of = |len: usize| {
            let mut raw = vec![b'a'; len - 2];
            raw.extend_from_slice(b"\r\n\r\nbody");
            raw
        };
        let raw = head_of(MAX_HEAD_LEN);
        let (head, body) = split_head(&raw).unwrap();
        assert_eq!((head.len(), body), (MAX_HEAD_LEN - 2, &b"body"[..]));
        let raw = head_of(MAX_HEAD_LEN + 1);
        assert_eq!(split_head(&raw).unwrap_err().kind(), ErrorKind::TooLarge);

        let no_line_end = vec![b'a'; MAX_HEAD_LEN];
        assert_eq!(
            split_head(&no_line_end).unwrap_err().kind(),
            ErrorKind::Malformed
        );
        let no_line_end = vec![b'a'; MAX_HEAD_LEN + 1];
        assert_eq!(
            split_head(&no_line_end).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}
