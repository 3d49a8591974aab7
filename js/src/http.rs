//! HTTP messages as the verifiers see them, and the plain objects every request scheme returns.

use countermark::{Claims, Request, Response};
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::convert::{
    bytes, header_lines, pairs_array, string_array, JsonObject, ObjectBuilder, Opts,
};
use crate::{type_error, IntoJs};

/// An HTTP request: method, request target (path and query, as sent), optional scheme and authority, header
/// lines in order, body bytes. Immutable.
///
/// `new Request(method, target, {headers, body, scheme, authority})`: `headers` as `[name, value]` pairs, a
/// `Headers`, a `Map` or an object; `body` a string (UTF-8) or a `Uint8Array`.
#[wasm_bindgen(js_name = Request)]
#[derive(Clone)]
pub struct JsRequest {
    method: String,
    target: String,
    origin: Option<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl JsRequest {
    /// The core's view of this request (borrows it).
    pub(crate) fn view(&self) -> Result<Request<'_>, JsValue> {
        let mut r = Request::new(&self.method, &self.target).js()?;
        if let Some((scheme, authority)) = &self.origin {
            r = r.with_authority(scheme, authority);
        }
        for (name, value) in &self.headers {
            r = r.with_header(name, value).js()?;
        }
        if let Some(body) = &self.body {
            r = r.with_body(body);
        }
        Ok(r)
    }
}

fn body_of(o: &Opts) -> Result<Option<Vec<u8>>, JsValue> {
    o.get("body").map(|b| bytes(&b, "body")).transpose()
}

#[wasm_bindgen(js_class = Request)]
impl JsRequest {
    #[wasm_bindgen(constructor)]
    pub fn new(method: String, target: String, options: &JsValue) -> Result<JsRequest, JsValue> {
        let o = Opts::new(
            options,
            "Request",
            &["headers", "body", "scheme", "authority"],
        )?;
        let origin = match (o.string("scheme")?, o.string("authority")?) {
            (Some(s), Some(a)) => Some((s, a)),
            (None, Some(a)) => Some(("https".to_string(), a)),
            (Some(_), None) => return Err(type_error("a scheme needs an authority")),
            (None, None) => None,
        };
        let r = JsRequest {
            method,
            target,
            origin,
            headers: header_lines(&o.raw("headers"))?,
            body: body_of(&o)?,
        };
        r.view()?;
        Ok(r)
    }

    /// A request for an absolute URL (`https://host:port/path?query`): scheme, authority and target from it.
    /// Options: `headers`, `body`.
    #[wasm_bindgen(js_name = fromUrl)]
    pub fn from_url(method: String, url: &str, options: &JsValue) -> Result<JsRequest, JsValue> {
        let o = Opts::new(options, "Request.fromUrl", &["headers", "body"])?;
        // The core's one URL splitter (userinfo and fragment dropped, `/` for an empty path).
        let u = countermark::http::split_url(url).js()?;
        let r = JsRequest {
            method,
            target: u.target(),
            origin: Some((u.scheme().to_string(), u.authority().to_string())),
            headers: header_lines(&o.raw("headers"))?,
            body: body_of(&o)?,
        };
        r.view()?;
        Ok(r)
    }

    /// A copy with more header lines (e.g. the ones a signer returned) appended.
    #[wasm_bindgen(js_name = withHeaders)]
    pub fn with_headers(&self, headers: &JsValue) -> Result<JsRequest, JsValue> {
        let mut r = self.clone();
        r.headers.extend(header_lines(headers)?);
        r.view()?;
        Ok(r)
    }

    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.method.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.target.clone()
    }

    /// The header lines, `[[name, value], ...]`.
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> Array {
        pairs_array(&self.headers)
    }

    /// The body bytes, or `null`.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Option<Vec<u8>> {
        self.body.clone()
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsRequest {
        self.clone()
    }
}

/// An HTTP response (RFC 9421 can sign responses), optionally tied to the request it answers.
/// `new Response(status, {headers, body, request})`.
#[wasm_bindgen(js_name = Response)]
#[derive(Clone)]
pub struct JsResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    request: Option<JsRequest>,
}

impl JsResponse {
    /// Calls `f` with the core's view of this response.
    pub(crate) fn with_view<T>(
        &self,
        f: impl FnOnce(&Response<'_>) -> Result<T, JsValue>,
    ) -> Result<T, JsValue> {
        let mut r = Response::new(self.status).js()?;
        for (name, value) in &self.headers {
            r = r.with_header(name, value).js()?;
        }
        if let Some(body) = &self.body {
            r = r.with_body(body);
        }
        match &self.request {
            Some(req) => f(&r.for_request(req.view()?)),
            None => f(&r),
        }
    }
}

#[wasm_bindgen(js_class = Response)]
impl JsResponse {
    #[wasm_bindgen(constructor)]
    pub fn new(status: u16, options: &JsValue) -> Result<JsResponse, JsValue> {
        let o = Opts::new(options, "Response", &["headers", "body", "request"])?;
        let r = JsResponse {
            status,
            headers: header_lines(&o.raw("headers"))?,
            body: body_of(&o)?,
            request: o.class::<JsRequest>("request", "a Request")?,
        };
        r.with_view(|_| Ok(()))?;
        Ok(r)
    }

    /// A copy with more header lines appended.
    #[wasm_bindgen(js_name = withHeaders)]
    pub fn with_headers(&self, headers: &JsValue) -> Result<JsResponse, JsValue> {
        let mut r = self.clone();
        r.headers.extend(header_lines(headers)?);
        r.with_view(|_| Ok(()))?;
        Ok(r)
    }

    #[wasm_bindgen(getter)]
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// What a request signer produced: `{headers, signature, signedString}`: the header lines to add to the
/// request (`[[name, value], ...]`, in order), the signature, and the exact string that was signed (for
/// debugging a mismatch with the other side).
pub(crate) fn signed(
    headers: &[(impl AsRef<str>, impl AsRef<str>)],
    signature: &str,
    signed_string: &str,
) -> JsValue {
    JsonObject::new()
        .pairs("headers", headers)
        .str("signature", signature)
        .str("signedString", signed_string)
        .build()
        .unwrap_or_else(|| {
            ObjectBuilder::new()
                .set("headers", pairs_array(headers))
                .set("signature", signature)
                .set("signedString", signed_string)
                .build()
        })
}

/// What a credential claims before it is verified (phase one): `{scheme, keyId, user, created, algorithm,
/// details}`, `null` for what it does not claim; `details` as `[name, value]` pairs.
pub(crate) fn credentials(c: &Claims) -> JsValue {
    record(c, false)
}

/// A verified request: `{scheme, keyId, user, created, algorithm, covered, details}`.
pub(crate) fn verified(c: &Claims) -> JsValue {
    record(c, true)
}

/// The object of [`credentials`] or (with `covered`) [`verified`]: the same keys in the same order, `covered`
/// between `algorithm` and `details`.
fn record(c: &Claims, covered: bool) -> JsValue {
    let mut json = JsonObject::new()
        .str("scheme", c.scheme)
        .opt_str("keyId", c.key_id.as_deref())
        .opt_str("user", c.user.as_deref())
        .opt_f64("created", c.created)
        .opt_str("algorithm", c.algorithm.as_deref());
    if covered {
        json = json.strings("covered", &c.covered);
    }
    json.pairs("details", &c.details)
        .build()
        .unwrap_or_else(|| {
            let mut object = ObjectBuilder::new()
                .set("scheme", c.scheme)
                .opt_str("keyId", c.key_id.as_deref())
                .opt_str("user", c.user.as_deref())
                .opt_f64("created", c.created)
                .opt_str("algorithm", c.algorithm.as_deref());
            if covered {
                object = object.set("covered", string_array(&c.covered));
            }
            object.set("details", pairs_array(&c.details)).build()
        })
}
