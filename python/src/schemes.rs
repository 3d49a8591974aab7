//! The request-signing schemes: FOST (requests and URLs), the `HMAC-SHA* key;sig;utc` header and its secrets.
//! Each has a signer, a policy, and two-phase verification: `parse_*` reads the claims (look the key up by
//! `key_id`), `verify_*` checks the request with that key.

use std::sync::Arc;
use std::time::Duration;

use countermark::http::fost::{self, FostSigner, FostUrlSigner};
use countermark::http::hmac_header::{self, ApiSecret, Body, HmacHeaderSigner, LegacyCipher};
use countermark::Algorithm;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::common::{clock_or_system, secret_bytes, PyClock};
use crate::errors::IntoPy;
use crate::http::{PyCredentials, PyRequest, PySigned, PyVerified};
use crate::keys::PyHmacKey;
use crate::nonce::PyNonceStore;

pyo3::import_exception!(countermark.exceptions, Malformed);

/// `Malformed` for a request that carries no credentials of the scheme at all: callers that try several
/// schemes check `parse_*` returning None instead.
fn none_of(scheme: &str) -> PyErr {
    Malformed::new_err(format!("the request carries no {scheme} credentials"))
}

// ---------------------------------------------------------------------------------------------------- FOST

/// Signs requests with the FOST scheme (HMAC-SHA1, the format's only algorithm) as key `key_id`.
#[pyclass(name = "FostSigner", module = "countermark", frozen)]
pub(crate) struct PyFostSigner {
    inner: FostSigner,
}

#[pymethods]
impl PyFostSigner {
    #[new]
    #[pyo3(signature = (key_id, key, *, clock = None))]
    fn new(key_id: &str, key: &PyHmacKey, clock: Option<&PyClock>) -> PyResult<Self> {
        let inner = FostSigner::new(key_id, key.inner.clone())
            .py()?
            .with_clock(clock_or_system(clock));
        Ok(PyFostSigner { inner })
    }

    /// Signs `request` covering the named `headers` (their values, in order); `timestamp` (the
    /// `X-FOST-Timestamp` text) defaults to now. Returns the header lines to add.
    #[pyo3(signature = (request, headers = Vec::new(), *, timestamp = None))]
    fn sign(
        &self,
        request: &PyRequest,
        headers: Vec<String>,
        timestamp: Option<&str>,
    ) -> PyResult<PySigned> {
        let view = request.view()?;
        let names: Vec<&str> = headers.iter().map(String::as_str).collect();
        let s = match timestamp {
            Some(ts) => self.inner.sign_at(&view, &names, ts),
            None => self.inner.sign(&view, &names),
        }
        .py()?;
        let lines = s
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Ok(PySigned::new(
            lines,
            s.signature().to_string(),
            String::from_utf8_lossy(s.document()).into_owned(),
        ))
    }
}

/// How FOST requests and URLs are checked: the clock, the allowed skew (default: the core's
/// `fost::DEFAULT_CLOCK_SKEW`, the reference's 300 s), and optionally a store that makes each signature single-use.
#[pyclass(name = "FostPolicy", module = "countermark", frozen)]
pub(crate) struct PyFostPolicy {
    inner: fost::Policy,
}

#[pymethods]
impl PyFostPolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, max_skew = None, seen_signatures = None))]
    fn new(
        clock: Option<&PyClock>,
        max_skew: Option<u64>,
        seen_signatures: Option<&PyNonceStore>,
    ) -> Self {
        let mut p = fost::Policy::new(clock_or_system(clock));
        if let Some(secs) = max_skew {
            p = p.with_clock_skew(Duration::from_secs(secs));
        }
        if let Some(s) = seen_signatures {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        PyFostPolicy { inner: p }
    }

    /// The settings as one line of text (the core's `describe`).
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("<FostPolicy {}>", self.inner.describe())
    }
}

/// Phase one: the claims of the request's `Authorization: FOST key:signature` header, or None when it has
/// no FOST header. Raises `Malformed` for a broken one.
#[pyfunction]
pub(crate) fn parse_fost(request: &PyRequest) -> PyResult<Option<PyCredentials>> {
    let view = request.view()?;
    Ok(fost::parse(&view).py()?.map(|p| {
        PyCredentials::new("fost")
            .key_id(p.claimed_key_id())
            .user(p.claimed_user())
            .created(Some(p.claimed_created().as_secs_f64()))
            .algorithm("hmac-sha1")
            .detail("timestamp", p.claimed_timestamp())
    }))
}

/// Phase two: verifies the request's FOST signature with `key` (the secret of the claimed key id).
#[pyfunction]
#[pyo3(signature = (request, key, policy = None))]
pub(crate) fn verify_fost(
    request: &PyRequest,
    key: &PyHmacKey,
    policy: Option<&PyFostPolicy>,
) -> PyResult<PyVerified> {
    let view = request.view()?;
    let parsed = fost::parse(&view).py()?.ok_or_else(|| none_of("FOST"))?;
    let default;
    let policy = match policy {
        Some(p) => &p.inner,
        None => {
            default = fost::Policy::new(clock_or_system(None));
            &default
        }
    };
    let v = parsed.verify(&key.inner, policy).py()?;
    let mut out = PyVerified::new("fost", "hmac-sha1")
        .key_id(Some(v.key_id().to_string()))
        .user(v.user())
        .created(Some(v.created().as_secs_f64()))
        .covered(v.signed_headers().iter().map(|(n, _)| n.clone()).collect());
    for (n, val) in v.signed_headers() {
        out = out.detail(&format!("header.{n}"), val.as_str());
    }
    Ok(out)
}

/// Signs URLs with FOST's `_k`/`_e`/`_s` query parameters.
#[pyclass(name = "FostUrlSigner", module = "countermark", frozen)]
pub(crate) struct PyFostUrlSigner {
    inner: FostUrlSigner,
}

#[pymethods]
impl PyFostUrlSigner {
    #[new]
    fn new(key_id: &str, key: &PyHmacKey) -> PyResult<Self> {
        Ok(PyFostUrlSigner {
            inner: FostUrlSigner::new(key_id, key.inner.clone()).py()?,
        })
    }

    /// `url` with `_k`, `_e` (when `expires`, Unix seconds, is given) and `_s` added.
    #[pyo3(signature = (url, *, expires = None))]
    fn sign(&self, url: &str, expires: Option<i64>) -> PyResult<String> {
        Ok(self.inner.sign(url, expires).py()?.url().to_string())
    }
}

/// Phase one for a FOST-signed URL: the claimed key id (and expiry), or None without `_k`/`_s`.
#[pyfunction]
pub(crate) fn parse_fost_url(request: &PyRequest) -> PyResult<Option<PyCredentials>> {
    let view = request.view()?;
    Ok(fost::parse_url(&view).py()?.map(|p| {
        let mut c = PyCredentials::new("fost-url")
            .key_id(p.claimed_key_id())
            .algorithm("hmac-sha1");
        if let Some(e) = p.claimed_expires() {
            c = c.detail("expires", e.to_string());
        }
        c
    }))
}

/// Phase two for a FOST-signed URL (the request's authority and target are what was signed).
#[pyfunction]
#[pyo3(signature = (request, key, policy = None))]
pub(crate) fn verify_fost_url(
    request: &PyRequest,
    key: &PyHmacKey,
    policy: Option<&PyFostPolicy>,
) -> PyResult<PyVerified> {
    let view = request.view()?;
    let parsed = fost::parse_url(&view)
        .py()?
        .ok_or_else(|| none_of("FOST URL"))?;
    let default;
    let policy = match policy {
        Some(p) => &p.inner,
        None => {
            default = fost::Policy::new(clock_or_system(None));
            &default
        }
    };
    let v = parsed.verify(&key.inner, policy).py()?;
    let mut out = PyVerified::new("fost-url", "hmac-sha1").key_id(Some(v.key_id().to_string()));
    if let Some(e) = v.expires() {
        out = out.detail("expires", e.to_string());
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------- HMAC header

/// The secret of an HMAC-header API key: random bytes handed to clients as base64. Its value never appears in
/// `repr` or errors; `to_base64()` is the one way out (to show it once to its owner).
#[pyclass(name = "ApiSecret", module = "countermark", frozen)]
pub(crate) struct PyApiSecret {
    pub(crate) inner: ApiSecret,
}

#[pymethods]
impl PyApiSecret {
    /// A secret from its base64 text (as django-hmac-authentication hands it out).
    #[new]
    fn new(b64: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = secret_bytes(b64)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            pyo3::exceptions::PyValueError::new_err("a base64 secret must be ASCII")
        })?;
        Ok(PyApiSecret {
            inner: ApiSecret::from_base64(text).py()?,
        })
    }

    /// A fresh random secret.
    #[staticmethod]
    fn generate() -> PyResult<Self> {
        Ok(PyApiSecret {
            inner: ApiSecret::generate().py()?,
        })
    }

    /// Decrypts a secret stored at rest by django-hmac-authentication (`cipher`: its cipher name, e.g.
    /// `AES-256`; `password`, `salt`, `ciphertext` as stored).
    #[staticmethod]
    fn decrypt_legacy(
        cipher: &str,
        password: &Bound<'_, PyAny>,
        salt: &[u8],
        ciphertext: &[u8],
    ) -> PyResult<Self> {
        let cipher: LegacyCipher = cipher.parse().py()?;
        let password = secret_bytes(password)?;
        Ok(PyApiSecret {
            inner: hmac_header::decrypt_legacy_secret(cipher, &password, salt, ciphertext).py()?,
        })
    }

    /// The secret as base64 text.
    fn to_base64(&self) -> String {
        self.inner.to_base64().to_string()
    }

    /// The raw secret bytes.
    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.secret().expose())
    }

    fn __repr__(&self) -> String {
        "ApiSecret(<hidden>)".to_string()
    }
}

/// Signs requests with the `HMAC-SHA256 api_key;signature;utc` header (`algorithm`: sha256, sha384, sha512).
#[pyclass(name = "HmacHeaderSigner", module = "countermark", frozen)]
pub(crate) struct PyHmacHeaderSigner {
    inner: HmacHeaderSigner,
}

#[pymethods]
impl PyHmacHeaderSigner {
    #[new]
    #[pyo3(signature = (api_key, secret, algorithm = "hmac-sha256", *, clock = None))]
    fn new(
        api_key: &str,
        secret: &PyApiSecret,
        algorithm: &str,
        clock: Option<&PyClock>,
    ) -> PyResult<Self> {
        let alg: Algorithm = algorithm.parse().py()?;
        let inner = HmacHeaderSigner::new(api_key, secret.inner.key(alg).py()?)
            .py()?
            .with_clock(clock_or_system(clock));
        Ok(PyHmacHeaderSigner { inner })
    }

    /// Signs `request` (its JSON or form body); `timestamp` (ISO 8601 UTC text) defaults to now.
    #[pyo3(signature = (request, *, timestamp = None))]
    fn sign(&self, request: &PyRequest, timestamp: Option<&str>) -> PyResult<PySigned> {
        let view = request.view()?;
        let body = Body::from_request(&view).py()?;
        let s = match timestamp {
            Some(ts) => self.inner.sign_at(&body, ts),
            None => self.inner.sign(&body),
        }
        .py()?;
        Ok(PySigned::new(
            vec![("Authorization".to_string(), s.authorization().to_string())],
            s.signature().to_string(),
            s.string_to_sign().to_string(),
        ))
    }
}

/// How HMAC-header requests are checked: the clock, the timeout (default: the core's
/// `hmac_header::DEFAULT_MAX_AGE`, the reference's `HMAC_AUTH_REQUEST_TIMEOUT` of 5 s), and optionally a store
/// that makes each signature single-use.
#[pyclass(name = "HmacHeaderPolicy", module = "countermark", frozen)]
pub(crate) struct PyHmacHeaderPolicy {
    inner: hmac_header::Policy,
}

#[pymethods]
impl PyHmacHeaderPolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, timeout = None, seen_signatures = None))]
    fn new(
        clock: Option<&PyClock>,
        timeout: Option<u64>,
        seen_signatures: Option<&PyNonceStore>,
    ) -> Self {
        let mut p = hmac_header::Policy::new(clock_or_system(clock));
        if let Some(secs) = timeout {
            p = p.with_max_age(Duration::from_secs(secs));
        }
        if let Some(s) = seen_signatures {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        PyHmacHeaderPolicy { inner: p }
    }

    /// The settings as one line of text (the core's `describe`).
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("<HmacHeaderPolicy {}>", self.inner.describe())
    }
}

/// Phase one: the claims of the request's HMAC header (API key, algorithm, timestamp), or None without one.
#[pyfunction]
pub(crate) fn parse_hmac_header(request: &PyRequest) -> PyResult<Option<PyCredentials>> {
    let view = request.view()?;
    Ok(hmac_header::parse(&view).py()?.map(|p| {
        PyCredentials::new("hmac-header")
            .key_id(p.claimed_key_id())
            .algorithm(p.claimed_algorithm().name())
            .created(Some(p.claimed_created().as_secs_f64()))
            .detail("timestamp", p.claimed_timestamp())
    }))
}

/// Phase two: verifies the request's HMAC header with `secret` (the claimed API key's).
#[pyfunction]
#[pyo3(signature = (request, secret, policy = None))]
pub(crate) fn verify_hmac_header(
    request: &PyRequest,
    secret: &PyApiSecret,
    policy: Option<&PyHmacHeaderPolicy>,
) -> PyResult<PyVerified> {
    let view = request.view()?;
    let parsed = hmac_header::parse(&view)
        .py()?
        .ok_or_else(|| none_of("HMAC header"))?;
    let default;
    let policy = match policy {
        Some(p) => &p.inner,
        None => {
            default = hmac_header::Policy::new(clock_or_system(None));
            &default
        }
    };
    let v = parsed.verify(&secret.inner, policy).py()?;
    Ok(PyVerified::new("hmac-header", v.algorithm().name())
        .key_id(Some(v.key_id().to_string()))
        .created(Some(v.created().as_secs_f64())))
}
