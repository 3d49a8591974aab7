//! The request-signing schemes: FOST (requests and URLs), the `HMAC-SHA* key;sig;utc` header and its secrets.
//! Each has a signer, a policy, and two-phase verification: `parse_*` reads the claims (look the key up by
//! `key_id`), `verify_*` checks the request with that key.

use std::sync::Arc;

use countermark::http::fost::{self, FostSigner, FostUrlSigner};
use countermark::http::hmac_header::{self, ApiSecret, Body, HmacHeaderSigner, LegacyCipher};
use countermark::Claims;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::common::{
    clock_or_system, explanation_dict, hmac_algorithm, opt_seconds, refused_explanation,
    secret_bytes, PyClock,
};
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

/// How FOST requests and URLs are checked: the clock, `clock_skew` (seconds a signed time may be ahead of or
/// behind the clock; default: the core's FOST default clock skew), and optionally `nonce_store`, a store that makes
/// each signature single-use.
#[pyclass(name = "FostPolicy", module = "countermark", frozen)]
pub(crate) struct PyFostPolicy {
    inner: fost::Policy,
}

#[pymethods]
impl PyFostPolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, clock_skew = None, nonce_store = None))]
    fn new(
        clock: Option<&PyClock>,
        clock_skew: Option<&Bound<'_, PyAny>>,
        nonce_store: Option<&PyNonceStore>,
    ) -> PyResult<Self> {
        let mut p = fost::Policy::new(clock_or_system(clock));
        if let Some(skew) = opt_seconds("clock_skew", clock_skew)? {
            p = p.with_clock_skew(skew);
        }
        if let Some(s) = nonce_store {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(PyFostPolicy { inner: p })
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
    Ok(fost::parse(&view)
        .py()?
        .map(|p| PyCredentials::from(Claims::from(&p))))
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
    Ok(Claims::from(&v).into())
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
    Ok(fost::parse_url(&view)
        .py()?
        .map(|p| PyCredentials::from(Claims::from(&p))))
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
    Ok(Claims::from(&v).into())
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

    /// A client's copy of a secret, read strictly: standard base64, padded, canonical, nothing around it (no
    /// whitespace), 16 to 1024 bytes once decoded; `InvalidKey` otherwise. (`ApiSecret(text)` is the server's
    /// lenient reader, which trims surrounding whitespace.)
    #[staticmethod]
    fn from_base64_strict(text: &str) -> PyResult<Self> {
        Ok(PyApiSecret {
            inner: ApiSecret::from_base64_strict(text).py()?,
        })
    }

    /// The HMAC-SHA1 key FOST signs and verifies with for this secret: keyed with its base64 text, as
    /// django-fost-authn deployments store it.
    fn fost_key(&self) -> PyResult<crate::keys::PyHmacKey> {
        Ok(crate::keys::PyHmacKey {
            inner: self.inner.fost_key().py()?,
        })
    }

    /// The `hmac-sha256` key RFC 9421 message signatures use for this secret: its decoded bytes.
    fn message_signature_key(&self) -> crate::keys::PyHmacKey {
        crate::keys::PyHmacKey {
            inner: self.inner.message_signature_key(),
        }
    }

    /// The raw secret bytes.
    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.secret().expose())
    }

    fn __repr__(&self) -> String {
        "ApiSecret(<hidden>)".to_string()
    }
}

/// Signs requests with the `HMAC-SHA256 key_id;signature;utc` header as key `key_id` (`algorithm`:
/// `hmac-sha256`, `hmac-sha384` or `hmac-sha512`).
#[pyclass(name = "HmacHeaderSigner", module = "countermark", frozen)]
pub(crate) struct PyHmacHeaderSigner {
    inner: HmacHeaderSigner,
}

#[pymethods]
impl PyHmacHeaderSigner {
    #[new]
    #[pyo3(signature = (key_id, secret, algorithm = "hmac-sha256", *, clock = None))]
    fn new(
        key_id: &str,
        secret: &PyApiSecret,
        algorithm: &str,
        clock: Option<&PyClock>,
    ) -> PyResult<Self> {
        let alg = hmac_algorithm(algorithm)?;
        let inner = HmacHeaderSigner::new(key_id, secret.inner.key(alg).py()?)
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

/// How HMAC-header requests are checked: the clock, `max_age` (seconds a signed time may be old; default: the
/// core's HMAC-header default max age), and optionally `nonce_store`, a store that makes each signature
/// single-use.
#[pyclass(name = "HmacHeaderPolicy", module = "countermark", frozen)]
pub(crate) struct PyHmacHeaderPolicy {
    inner: hmac_header::Policy,
}

#[pymethods]
impl PyHmacHeaderPolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, max_age = None, nonce_store = None))]
    fn new(
        clock: Option<&PyClock>,
        max_age: Option<&Bound<'_, PyAny>>,
        nonce_store: Option<&PyNonceStore>,
    ) -> PyResult<Self> {
        let mut p = hmac_header::Policy::new(clock_or_system(clock));
        if let Some(age) = opt_seconds("max_age", max_age)? {
            p = p.with_max_age(age);
        }
        if let Some(s) = nonce_store {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(PyHmacHeaderPolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("<HmacHeaderPolicy {}>", self.inner.describe())
    }
}

/// Phase one: the claims of the request's HMAC header (key id, algorithm, timestamp), or None without one.
#[pyfunction]
pub(crate) fn parse_hmac_header(request: &PyRequest) -> PyResult<Option<PyCredentials>> {
    let view = request.view()?;
    Ok(hmac_header::parse(&view)
        .py()?
        .map(|p| PyCredentials::from(Claims::from(&p))))
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
    Ok(Claims::from(&v).into())
}

// ---------------------------------------------------------------------------------------------- explanations

fn fost_policy_or_default(policy: Option<&PyFostPolicy>) -> fost::Policy {
    policy.map_or_else(
        || fost::Policy::new(clock_or_system(None)),
        |p| p.inner.clone(),
    )
}

/// Explains what `verify_fost` would answer, as a dict (`scheme`, `verdict`, `string_to_sign`,
/// `expected_signature`, `received_signature`, ...: the core's `Explanation`). Without `key`, the verdict is
/// `unknown_key` and no expected signature is computed. Never raises for the request's own faults (they are
/// the verdict) and never touches the policy's seen-signature store.
#[pyfunction]
#[pyo3(signature = (request, key = None, policy = None))]
pub(crate) fn explain_fost<'py>(
    py: Python<'py>,
    request: &PyRequest,
    key: Option<&PyHmacKey>,
    policy: Option<&PyFostPolicy>,
) -> PyResult<Bound<'py, PyAny>> {
    let view = request.view()?;
    let explanation = match fost::parse(&view) {
        Ok(Some(parsed)) => parsed.explain(key.map(|k| &k.inner), &fost_policy_or_default(policy)),
        Ok(None) => refused_explanation("fost", Ok(())),
        Err(e) => refused_explanation("fost", Err(e)),
    };
    explanation_dict(py, &explanation)
}

/// As `explain_fost`, for a FOST-signed URL (`verify_fost_url`).
#[pyfunction]
#[pyo3(signature = (request, key = None, policy = None))]
pub(crate) fn explain_fost_url<'py>(
    py: Python<'py>,
    request: &PyRequest,
    key: Option<&PyHmacKey>,
    policy: Option<&PyFostPolicy>,
) -> PyResult<Bound<'py, PyAny>> {
    let view = request.view()?;
    let explanation = match fost::parse_url(&view) {
        Ok(Some(parsed)) => parsed.explain(key.map(|k| &k.inner), &fost_policy_or_default(policy)),
        Ok(None) => refused_explanation("fost-url", Ok(())),
        Err(e) => refused_explanation("fost-url", Err(e)),
    };
    explanation_dict(py, &explanation)
}

/// As `explain_fost`, for the HMAC header (`verify_hmac_header`): the string to sign is built from the body
/// received.
#[pyfunction]
#[pyo3(signature = (request, secret = None, policy = None))]
pub(crate) fn explain_hmac_header<'py>(
    py: Python<'py>,
    request: &PyRequest,
    secret: Option<&PyApiSecret>,
    policy: Option<&PyHmacHeaderPolicy>,
) -> PyResult<Bound<'py, PyAny>> {
    let view = request.view()?;
    let explanation = match hmac_header::parse(&view) {
        Ok(Some(parsed)) => {
            let policy = policy.map_or_else(
                || hmac_header::Policy::new(clock_or_system(None)),
                |p| p.inner.clone(),
            );
            parsed.explain(secret.map(|s| &s.inner), &policy)
        }
        Ok(None) => refused_explanation("hmac", Ok(())),
        Err(e) => refused_explanation("hmac", Err(e)),
    };
    explanation_dict(py, &explanation)
}
