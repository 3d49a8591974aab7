//! HTTP messages as the request-signing schemes see them: owned copies that lend a core `Request` view.

use cm::{Request, Response};

use crate::boundary::{bytes, core, guard, guard_value, out_ptr, text, write, FfiResult};
use crate::handle::BoxHandle;
use crate::result::countermark_result;

/// An HTTP request to sign or verify: method, target, scheme and authority, header lines in order, and an
/// optional body, all copied in. Mutable: one thread at a time (a signed or verified request is only read, so
/// several threads may sign or verify the same request once it is complete). Free with
/// `countermark_request_free`.
///
/// Canonicalisation (shared by every scheme): header names compare case-insensitively; repeated header lines
/// are kept in order; the query is kept exactly as given (order and percent-encoding); "no body" (never set) and
/// "empty body" (set with length 0) differ where a scheme distinguishes them.
pub struct countermark_request {
    _private: [u8; 0],
}

/// The Rust side of `countermark_request`.
#[derive(Debug, Default, Clone)]
pub(crate) struct OwnedRequest {
    method: String,
    target: String,
    origin: Option<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl OwnedRequest {
    /// The core view of this request.
    pub(crate) fn view(&self) -> FfiResult<Request<'_>> {
        let mut r = core(Request::new(&self.method, &self.target))?;
        if let Some((scheme, authority)) = &self.origin {
            r = r.with_authority(scheme, authority);
        }
        for (name, value) in &self.headers {
            r = core(r.with_header(name, value))?;
        }
        if let Some(body) = &self.body {
            r = r.with_body(body);
        }
        Ok(r)
    }
}

impl BoxHandle for countermark_request {
    type Rust = OwnedRequest;
}

/// The most header lines a request or response holds (the core's `http::MAX_HEADERS`; a test keeps them equal).
pub const COUNTERMARK_MAX_HEADERS: usize = 256;

/// The longest header name or value, in bytes (the core's `http::MAX_HEADER_LEN`; a test keeps them equal).
pub const COUNTERMARK_MAX_HEADER_LEN: usize = 16 * 1024;

/// The longest request target, in bytes (the core's `http::MAX_TARGET_LEN`; a test keeps them equal).
pub const COUNTERMARK_MAX_TARGET_LEN: usize = 16 * 1024;

/// Starts a request with `method` (`GET`) to `target`: an absolute URI (`https://example.com/a?x=1`) or an
/// origin-form target (`/a?x=1`, whose scheme and authority come from `countermark_request_set_authority` or
/// the `Host` header). Writes it to `*out`. `MALFORMED` for an empty method or a target of neither form;
/// `TOO_LARGE` for a target over `COUNTERMARK_MAX_TARGET_LEN` bytes.
#[no_mangle]
pub unsafe extern "C" fn countermark_request_new(
    method: *const u8,
    method_len: usize,
    target: *const u8,
    target_len: usize,
    out: *mut *mut countermark_request,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (method, target) = unsafe { (text(method, method_len)?, text(target, target_len)?) };
        let owned = OwnedRequest {
            method: method.to_string(),
            target: target.to_string(),
            ..OwnedRequest::default()
        };
        owned.view()?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_request::into_ptr(owned)) };
        Ok(())
    })
}

/// Sets the scheme (`https`) and authority (`example.com:8443`) the request was sent to, for an origin-form
/// target (a server knows them from its own configuration; prefer that over the client's `Host` header).
#[no_mangle]
pub unsafe extern "C" fn countermark_request_set_authority(
    request: *mut countermark_request,
    scheme: *const u8,
    scheme_len: usize,
    authority: *const u8,
    authority_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, scheme, authority) = unsafe {
            (
                countermark_request::get_mut(request)?,
                text(scheme, scheme_len)?,
                text(authority, authority_len)?,
            )
        };
        r.origin = Some((scheme.to_string(), authority.to_string()));
        Ok(())
    })
}

/// Appends a header line. `MALFORMED` for a name that is not visible ASCII or a value holding CR, LF or NUL;
/// `TOO_LARGE` past `COUNTERMARK_MAX_HEADERS` lines or for a name or value over `COUNTERMARK_MAX_HEADER_LEN`
/// bytes. On error the request is unchanged.
#[no_mangle]
pub unsafe extern "C" fn countermark_request_add_header(
    request: *mut countermark_request,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, name, value) = unsafe {
            (
                countermark_request::get_mut(request)?,
                text(name, name_len)?,
                text(value, value_len)?,
            )
        };
        r.headers.push((name.to_string(), value.to_string()));
        if let Err(e) = r.view() {
            r.headers.pop();
            return Err(e);
        }
        Ok(())
    })
}

/// Sets the body: exactly the bytes sent (`(NULL, 0)` sets an empty body; a request whose body is never set has
/// none).
#[no_mangle]
pub unsafe extern "C" fn countermark_request_set_body(
    request: *mut countermark_request,
    body: *const u8,
    body_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, body) = unsafe {
            (
                countermark_request::get_mut(request)?,
                bytes(body, body_len)?,
            )
        };
        r.body = Some(body.to_vec());
        Ok(())
    })
}

/// Frees a request; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_request_free(request: *mut countermark_request) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_request::free(request) })
}

/// An HTTP response to sign or verify with RFC 9421 (status, header lines, optional body, and optionally the
/// request it answers, for components marked `;req`). Mutable: one thread at a time. Free with
/// `countermark_response_free`.
pub struct countermark_response {
    _private: [u8; 0],
}

/// The Rust side of `countermark_response`.
#[derive(Debug, Default)]
pub(crate) struct OwnedResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    request: Option<OwnedRequest>,
}

impl OwnedResponse {
    /// The core view of this response.
    pub(crate) fn view(&self) -> FfiResult<Response<'_>> {
        let mut r = core(Response::new(self.status))?;
        for (name, value) in &self.headers {
            r = core(r.with_header(name, value))?;
        }
        if let Some(body) = &self.body {
            r = r.with_body(body);
        }
        if let Some(request) = &self.request {
            r = r.for_request(request.view()?);
        }
        Ok(r)
    }
}

impl BoxHandle for countermark_response {
    type Rust = OwnedResponse;
}

/// Starts a response with `status` (100 to 999; `MALFORMED` otherwise) and writes it to `*out`.
#[no_mangle]
pub unsafe extern "C" fn countermark_response_new(
    status: u16,
    out: *mut *mut countermark_response,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let owned = OwnedResponse {
            status,
            ..OwnedResponse::default()
        };
        owned.view()?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_response::into_ptr(owned)) };
        Ok(())
    })
}

/// Appends a header line to a response; limits as `countermark_request_add_header`.
#[no_mangle]
pub unsafe extern "C" fn countermark_response_add_header(
    response: *mut countermark_response,
    name: *const u8,
    name_len: usize,
    value: *const u8,
    value_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, name, value) = unsafe {
            (
                countermark_response::get_mut(response)?,
                text(name, name_len)?,
                text(value, value_len)?,
            )
        };
        r.headers.push((name.to_string(), value.to_string()));
        if let Err(e) = r.view() {
            r.headers.pop();
            return Err(e);
        }
        Ok(())
    })
}

/// Sets a response's body (exactly the bytes sent).
#[no_mangle]
pub unsafe extern "C" fn countermark_response_set_body(
    response: *mut countermark_response,
    body: *const u8,
    body_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, body) = unsafe {
            (
                countermark_response::get_mut(response)?,
                bytes(body, body_len)?,
            )
        };
        r.body = Some(body.to_vec());
        Ok(())
    })
}

/// Attaches a copy of the request this response answers (for components marked `;req`). `request` is not
/// consumed and may be freed afterwards.
#[no_mangle]
pub unsafe extern "C" fn countermark_response_set_request(
    response: *mut countermark_response,
    request: *const countermark_request,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (r, req) = unsafe {
            (
                countermark_response::get_mut(response)?,
                countermark_request::get(request)?,
            )
        };
        r.request = Some(req.clone());
        Ok(())
    })
}

/// Frees a response; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_response_free(response: *mut countermark_response) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_response::free(response) })
}

#[cfg(test)]
mod tests {
    /// The header states the core's limits once, as macros: they must be the core's.
    #[test]
    fn limit_macros_are_the_cores() {
        assert_eq!(super::COUNTERMARK_MAX_HEADERS, cm::http::MAX_HEADERS);
        assert_eq!(super::COUNTERMARK_MAX_HEADER_LEN, cm::http::MAX_HEADER_LEN);
        assert_eq!(super::COUNTERMARK_MAX_TARGET_LEN, cm::http::MAX_TARGET_LEN);
        assert_eq!(crate::jwt::COUNTERMARK_MAX_JWT_LEN, cm::jwt::MAX_JWT_LEN);
    }

    /// The default macros are the core's defaults.
    #[test]
    fn default_macros_are_the_cores() {
        assert_eq!(
            crate::fost::COUNTERMARK_FOST_DEFAULT_CLOCK_SKEW_SECS,
            cm::http::fost::DEFAULT_CLOCK_SKEW.as_secs()
        );
        assert_eq!(
            crate::message_signatures::COUNTERMARK_MESSAGE_DEFAULT_CLOCK_SKEW_SECS,
            cm::http::message_signatures::DEFAULT_CLOCK_SKEW.as_secs()
        );
        assert_eq!(
            crate::message_signatures::COUNTERMARK_MESSAGE_DEFAULT_MAX_AGE_SECS,
            cm::http::message_signatures::DEFAULT_MAX_AGE.as_secs()
        );
        assert_eq!(
            crate::hmac_header::COUNTERMARK_HMAC_HEADER_DEFAULT_MAX_AGE_SECS,
            cm::http::hmac_header::DEFAULT_MAX_AGE.as_secs()
        );
        assert_eq!(
            crate::jwt::COUNTERMARK_JWT_DEFAULT_CLOCK_SKEW_SECS,
            cm::jwt::DEFAULT_CLOCK_SKEW.as_secs()
        );
        assert_eq!(
            crate::signed_url::COUNTERMARK_SKA_DEFAULT_LIFETIME_SECS,
            cm::signed::DEFAULT_LIFETIME.as_secs()
        );
    }
}
