//! HTTP messages as the verifiers see them, and the shapes every request scheme returns.

use countermark::{Claims, Request, Response};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::IntoPy;

/// A Python-looking repr of an optional string: `'text'` or `None`.
pub(crate) fn repr_opt(v: Option<&str>) -> String {
    v.map_or_else(|| "None".to_string(), |s| format!("'{}'", s.escape_debug()))
}

/// Header lines from a dict (`{name: value}`) or any iterable of `(name, value)` pairs (repeated names kept).
pub(crate) fn header_lines(headers: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(headers) = headers else {
        return Ok(Vec::new());
    };
    if let Ok(d) = headers.cast::<PyDict>() {
        return d
            .iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect();
    }
    let items = if headers.hasattr("items")? {
        headers.call_method0("items")?
    } else {
        headers.clone()
    };
    items.try_iter()?.map(|kv| pair(&kv?)).collect()
}

/// One `(name, value)` line: a tuple, or any two-item sequence (a list from JSON).
fn pair(kv: &Bound<'_, PyAny>) -> PyResult<(String, String)> {
    if let Ok(t) = kv.extract::<(String, String)>() {
        return Ok(t);
    }
    match kv.extract::<Vec<String>>() {
        Ok(v) if v.len() == 2 => Ok((v[0].clone(), v[1].clone())),
        _ => Err(pyo3::exceptions::PyTypeError::new_err(
            "a header line is a (name, value) pair of str",
        )),
    }
}

/// An HTTP request: method, request target (path and query, as sent), optional scheme and authority, header
/// lines in order, body bytes. Immutable; build one per request.
#[pyclass(name = "Request", module = "countermark", frozen)]
#[derive(Clone)]
pub(crate) struct PyRequest {
    method: String,
    target: String,
    origin: Option<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl PyRequest {
    /// The core's view of this request (borrows it).
    pub(crate) fn view(&self) -> PyResult<Request<'_>> {
        let mut r = Request::new(&self.method, &self.target).py()?;
        if let Some((scheme, authority)) = &self.origin {
            r = r.with_authority(scheme, authority);
        }
        for (name, value) in &self.headers {
            r = r.with_header(name, value).py()?;
        }
        if let Some(body) = &self.body {
            r = r.with_body(body);
        }
        Ok(r)
    }
}

#[pymethods]
impl PyRequest {
    #[new]
    #[pyo3(signature = (method, target, *, headers = None, body = None, scheme = None, authority = None))]
    fn new(
        method: String,
        target: String,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<Vec<u8>>,
        scheme: Option<String>,
        authority: Option<String>,
    ) -> PyResult<Self> {
        let origin = match (scheme, authority) {
            (Some(s), Some(a)) => Some((s, a)),
            (None, Some(a)) => Some(("https".to_string(), a)),
            (Some(_), None) => return Err(PyValueError::new_err("a scheme needs an authority")),
            (None, None) => None,
        };
        let r = PyRequest {
            method,
            target,
            origin,
            headers: header_lines(headers)?,
            body,
        };
        r.view()?;
        Ok(r)
    }

    /// A request for an absolute URL (`https://host:port/path?query`): scheme, authority and target from it.
    #[staticmethod]
    #[pyo3(signature = (method, url, *, headers = None, body = None))]
    fn from_url(
        method: String,
        url: &str,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        // The core's one URL splitter (userinfo and fragment dropped, `/` for an empty path).
        let u = countermark::http::split_url(url).py()?;
        let (scheme, authority, target) = (u.scheme(), u.authority(), u.target());
        Self::new(
            method,
            target,
            headers,
            body,
            Some(scheme.to_string()),
            Some(authority.to_string()),
        )
    }

    /// A copy with more header lines (e.g. the ones a signer returned) appended.
    fn with_headers(&self, headers: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut r = self.clone();
        r.headers.extend(header_lines(Some(headers))?);
        r.view()?;
        Ok(r)
    }

    #[getter]
    fn method(&self) -> &str {
        &self.method
    }

    #[getter]
    fn target(&self) -> &str {
        &self.target
    }

    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, &self.headers)
    }

    #[getter]
    fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "Request({:?}, {:?}, {} headers)",
            self.method,
            self.target,
            self.headers.len()
        )
    }
}

/// An HTTP response (RFC 9421 can sign responses), optionally tied to the request it answers.
#[pyclass(name = "Response", module = "countermark", frozen)]
#[derive(Clone)]
pub(crate) struct PyResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    request: Option<PyRequest>,
}

impl PyResponse {
    /// Calls `f` with the core's view of this response.
    pub(crate) fn with_view<T>(&self, f: impl FnOnce(&Response<'_>) -> PyResult<T>) -> PyResult<T> {
        let mut r = Response::new(self.status).py()?;
        for (name, value) in &self.headers {
            r = r.with_header(name, value).py()?;
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

#[pymethods]
impl PyResponse {
    #[new]
    #[pyo3(signature = (status, *, headers = None, body = None, request = None))]
    fn new(
        status: u16,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<Vec<u8>>,
        request: Option<&PyRequest>,
    ) -> PyResult<Self> {
        let r = PyResponse {
            status,
            headers: header_lines(headers)?,
            body,
            request: request.cloned(),
        };
        r.with_view(|_| Ok(()))?;
        Ok(r)
    }

    /// A copy with more header lines appended.
    fn with_headers(&self, headers: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut r = self.clone();
        r.headers.extend(header_lines(Some(headers))?);
        r.with_view(|_| Ok(()))?;
        Ok(r)
    }

    #[getter]
    fn status(&self) -> u16 {
        self.status
    }

    fn __repr__(&self) -> String {
        format!("Response({}, {} headers)", self.status, self.headers.len())
    }
}

/// What a request signer produced: the header lines to add to the request, the signature, and the exact
/// bytes that were signed (for debugging a mismatch with the other side).
#[pyclass(name = "SignedRequest", module = "countermark", frozen, get_all)]
pub(crate) struct PySigned {
    /// Header lines to add, in order (`[(name, value), ...]`).
    headers: Vec<(String, String)>,
    /// The signature as sent.
    signature: String,
    /// The string that was signed (the FOST document, the HMAC-header string to sign, the RFC 9421
    /// signature base).
    signed_string: String,
}

impl PySigned {
    pub(crate) fn new(
        headers: Vec<(String, String)>,
        signature: String,
        signed_string: String,
    ) -> Self {
        PySigned {
            headers,
            signature,
            signed_string,
        }
    }
}

#[pymethods]
impl PySigned {
    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        format!("SignedRequest(headers={names:?})")
    }
}

/// What a credential claims before it is verified (phase one of two-phase verification): look the key up by
/// `key_id`, then verify. Nothing here is trusted yet.
#[pyclass(name = "Credentials", module = "countermark", frozen, get_all)]
pub(crate) struct PyCredentials {
    /// `fost`, `fost-url`, `hmac-header`, `rfc9421` or `jwt`.
    scheme: &'static str,
    /// The claimed key id (FOST key, HMAC-header API key, RFC 9421 `keyid`, JWT `kid`), or None.
    key_id: Option<String>,
    /// The claimed user (FOST `X-FOST-User`, JWT `username`), or None.
    user: Option<String>,
    /// The claimed signing time (Unix seconds), or None.
    created: Option<f64>,
    /// The claimed algorithm name, or None.
    algorithm: Option<String>,
    /// Everything else the credential carries, by name (all text).
    details: Vec<(String, String)>,
}

impl From<Claims> for PyCredentials {
    fn from(c: Claims) -> Self {
        PyCredentials {
            scheme: c.scheme,
            key_id: c.key_id,
            user: c.user,
            created: c.created,
            algorithm: c.algorithm,
            details: c.details,
        }
    }
}

#[pymethods]
impl PyCredentials {
    fn __repr__(&self) -> String {
        format!(
            "Credentials(scheme={:?}, key_id={:?}, user={:?})",
            self.scheme, self.key_id, self.user
        )
    }
}

/// A verified request: the scheme, the key that verified it, the user it names, when it was signed and what
/// the signature covered. This is what `request.signed` holds in the Django integration.
#[pyclass(name = "Verified", module = "countermark", frozen, get_all)]
pub(crate) struct PyVerified {
    /// `fost`, `fost-url`, `hmac-header`, `rfc9421` or `jwt`.
    scheme: &'static str,
    /// The key id the request was verified with, or None.
    key_id: Option<String>,
    /// The user the request names (FOST `X-FOST-User`, JWT `username`), or None.
    user: Option<String>,
    /// When it was signed (Unix seconds), or None.
    created: Option<f64>,
    /// The algorithm that verified it.
    algorithm: String,
    /// The covered header names or RFC 9421 components, in signing order.
    covered: Vec<String>,
    /// Scheme-specific data (RFC 9421 `nonce`, `expires`, `tag`; JWT `nonce`, `key_index`; FOST signed header
    /// values as `header.<name>`), all text.
    details: Vec<(String, String)>,
}

impl From<Claims> for PyVerified {
    fn from(c: Claims) -> Self {
        PyVerified {
            scheme: c.scheme,
            key_id: c.key_id,
            user: c.user,
            created: c.created,
            // The core sets the algorithm of every verified result.
            algorithm: c.algorithm.unwrap_or_default(),
            covered: c.covered,
            details: c.details,
        }
    }
}

#[pymethods]
impl PyVerified {
    fn __repr__(&self) -> String {
        format!(
            "Verified(scheme='{}', key_id={}, user={}, algorithm='{}', covered={:?})",
            self.scheme,
            repr_opt(self.key_id.as_deref()),
            repr_opt(self.user.as_deref()),
            self.algorithm,
            self.covered
        )
    }
}
