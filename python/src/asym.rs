//! Asymmetric keys, asymmetric-jwt-auth JWTs, and RFC 9421 HTTP Message Signatures with RFC 9530 digests.

use std::sync::Arc;
use std::time::Duration;

use countermark::http::message_signatures::{
    sign_with_content_digest, sign_with_default_coverage, Component, DefaultSigned, HttpMessage,
};
use countermark::jwt::{self, Token};
use countermark::{
    content_digest as core_content_digest, verify_content_digest as core_verify_content_digest,
    Claims, DigestAlgorithm, HttpSignatureAlgorithm, MessagePolicy, MessageSigner,
    MessageVerifyingKey, SigningKey, UnverifiedJwt, UnverifiedMessageSignature, VerifyingKey,
};
use pyo3::prelude::*;

use crate::common::{clock_or_system, explanation_dict, opt_seconds, refused_explanation, PyClock};
use crate::errors::IntoPy;
use crate::http::{PyCredentials, PyRequest, PyResponse, PySigned, PyVerified};
use crate::keys::PyHmacKey;
use crate::nonce::PyNonceStore;

pyo3::import_exception!(countermark.exceptions, Malformed);
pyo3::import_exception!(countermark.exceptions, TooLarge);

/// A private key (Ed25519, RSA or ECDSA P-256) that signs. Its bytes never appear in `repr` or errors.
#[pyclass(name = "SigningKey", module = "countermark", frozen)]
pub(crate) struct PySigningKey {
    pub(crate) inner: Arc<SigningKey>,
}

#[pymethods]
impl PySigningKey {
    /// A key from PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`, or PKCS#1 `RSA PRIVATE KEY`).
    #[staticmethod]
    fn from_pem(pem: &str) -> PyResult<Self> {
        Ok(PySigningKey {
            inner: Arc::new(SigningKey::from_pem(pem).py()?),
        })
    }

    /// A key from PKCS#8 DER bytes.
    #[staticmethod]
    fn from_der(der: &[u8]) -> PyResult<Self> {
        Ok(PySigningKey {
            inner: Arc::new(SigningKey::from_pkcs8_der(der).py()?),
        })
    }

    /// The matching public key.
    #[getter]
    fn verifying_key(&self) -> PyVerifyingKey {
        PyVerifyingKey {
            inner: self.inner.verifying_key().clone(),
        }
    }

    /// The key id (asymmetric-jwt-auth's fingerprint of the public key unless set otherwise).
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(key_id={:?})", self.inner.key_id())
    }
}

/// A public key that verifies, with the algorithms allowed for it and its key id.
#[pyclass(name = "VerifyingKey", module = "countermark", frozen)]
#[derive(Clone)]
pub(crate) struct PyVerifyingKey {
    pub(crate) inner: VerifyingKey,
}

#[pymethods]
impl PyVerifyingKey {
    /// A key from SPKI PEM text (`-----BEGIN PUBLIC KEY-----`), or an OpenSSH `ssh-ed25519`/`ssh-rsa` line.
    #[staticmethod]
    fn from_pem(pem: &str) -> PyResult<Self> {
        Ok(PyVerifyingKey {
            inner: VerifyingKey::from_pem(pem).py()?,
        })
    }

    /// A key from SPKI DER bytes.
    #[staticmethod]
    fn from_der(der: &[u8]) -> PyResult<Self> {
        Ok(PyVerifyingKey {
            inner: VerifyingKey::from_spki_der(der).py()?,
        })
    }

    /// A key from a JWK (JSON text).
    #[staticmethod]
    fn from_jwk(jwk: &str) -> PyResult<Self> {
        Ok(PyVerifyingKey {
            inner: VerifyingKey::from_jwk(jwk).py()?,
        })
    }

    /// A key from an OpenSSH public key line (`ssh-ed25519 AAAA… comment`, `ssh-rsa …`,
    /// `ecdsa-sha2-nistp256 …`). `from_pem` reads these lines too.
    #[staticmethod]
    fn from_openssh(line: &str) -> PyResult<Self> {
        Ok(PyVerifyingKey {
            inner: VerifyingKey::from_openssh(line).py()?,
        })
    }

    /// The key as JWK text, with its `kid`, `"use": "sig"` and, when one algorithm is allowed, `alg`.
    fn to_jwk(&self) -> String {
        self.inner.to_jwk()
    }

    /// The key family: `ed25519`, `rsa` or `ecdsa-p256`.
    #[getter]
    fn key_type(&self) -> String {
        self.inner.key_type().to_string()
    }

    /// A fresh public key of `key_type` (`ed25519` or `ecdsa-p256`) whose private half was thrown away: verify
    /// against it when a credential names an unknown key id or user, so the refusal costs what a known key's
    /// does. `UnsupportedAlgorithm` for `rsa`, `InvalidValue` for an unknown type.
    #[staticmethod]
    fn decoy(key_type: &str) -> PyResult<Self> {
        let key_type: countermark::KeyType = key_type.parse().py()?;
        Ok(PyVerifyingKey {
            inner: VerifyingKey::decoy(key_type).py()?,
        })
    }

    /// A copy with another key id.
    fn with_key_id(&self, key_id: &str) -> PyResult<Self> {
        Ok(PyVerifyingKey {
            inner: self.inner.clone().with_key_id(key_id).py()?,
        })
    }

    /// The key id (asymmetric-jwt-auth's fingerprint unless set otherwise).
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// asymmetric-jwt-auth's fingerprint: hex SHA-256 of the PEM text.
    #[getter]
    fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// The SPKI PEM text.
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    fn __repr__(&self) -> String {
        format!("VerifyingKey(key_id={:?})", self.inner.key_id())
    }
}

/// A checked JWK set (`{"keys": [...]}`): its usable signature keys by `kid`. The core's rules: at most
/// `Jwks.MAX_LEN` bytes and `Jwks.MAX_KEYS` keys; keys for other uses, families or algorithms, or without `kid`,
/// are skipped; a weak or private key, or two keys with one `kid`, refuse the whole document.
#[pyclass(name = "Jwks", module = "countermark", frozen)]
pub(crate) struct PyJwks {
    inner: countermark::key::Jwks,
}

#[pymethods]
impl PyJwks {
    /// Largest document accepted, in bytes.
    #[classattr]
    const MAX_LEN: usize = countermark::key::Jwks::MAX_LEN;
    /// Most entries in `keys`.
    #[classattr]
    const MAX_KEYS: usize = countermark::key::Jwks::MAX_KEYS;

    /// Parses and checks a document (bytes or text).
    #[staticmethod]
    fn parse(document: &Bound<'_, PyAny>) -> PyResult<Self> {
        let inner = if let Ok(text) = document.cast::<pyo3::types::PyString>() {
            countermark::key::Jwks::parse(text.to_cow()?.as_bytes())
        } else if let Ok(bytes) = document.cast::<pyo3::types::PyBytes>() {
            countermark::key::Jwks::parse(bytes.as_bytes())
        } else {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "a JWKS document is str or bytes",
            ));
        }
        .py()?;
        Ok(PyJwks { inner })
    }

    /// A set of `keys` to publish, each under its key id.
    #[staticmethod]
    fn from_keys(keys: Vec<PyRef<'_, PyVerifyingKey>>) -> PyResult<Self> {
        let inner = countermark::key::Jwks::from_keys(keys.iter().map(|k| k.inner.clone())).py()?;
        Ok(PyJwks { inner })
    }

    /// The usable keys, in document order.
    #[getter]
    fn keys(&self) -> Vec<PyVerifyingKey> {
        self.inner
            .keys()
            .iter()
            .map(|k| PyVerifyingKey { inner: k.clone() })
            .collect()
    }

    /// The key whose `kid` is `kid`, or None.
    fn get(&self, kid: &str) -> Option<PyVerifyingKey> {
        self.inner
            .get(kid)
            .map(|k| PyVerifyingKey { inner: k.clone() })
    }

    /// How many entries of the parsed document were skipped.
    #[getter]
    fn skipped(&self) -> usize {
        self.inner.skipped()
    }

    /// The document, `{"keys": [...]}`.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __len__(&self) -> usize {
        self.inner.keys().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Jwks(keys={}, skipped={})",
            self.inner.keys().len(),
            self.inner.skipped()
        )
    }
}

// ------------------------------------------------------------------------------------------------------ JWT

/// A JWT for `Authorization: JWT <token>` signed by `key` (EdDSA for Ed25519, RS512 for RSA), claiming
/// `username`, the time and a random nonce. `time`/`nonce` given: a reproducible token (tests only).
#[pyfunction]
#[pyo3(signature = (key, username, *, clock = None, time = None, nonce = None))]
pub(crate) fn sign_jwt(
    key: &PySigningKey,
    username: &str,
    clock: Option<&PyClock>,
    time: Option<i64>,
    nonce: Option<&str>,
) -> PyResult<String> {
    let token = match (time, nonce) {
        (Some(t), Some(n)) => Token::from_parts(username, t, n).py()?,
        (None, None) => Token::new(username, clock_or_system(clock).as_ref()).py()?,
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "give both time and nonce, or neither",
            ))
        }
    };
    token.sign(&key.inner).py()
}

/// How JWTs are checked: the clock, `clock_skew` (seconds the token's time may be ahead of or behind the clock;
/// default: the core's JWT default clock skew), and `nonce_store`, the store of used nonces (default: a memory
/// store of the policy's own).
#[pyclass(name = "JwtPolicy", module = "countermark", frozen)]
pub(crate) struct PyJwtPolicy {
    inner: jwt::Policy,
}

#[pymethods]
impl PyJwtPolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, clock_skew = None, nonce_store = None))]
    fn new(
        clock: Option<&PyClock>,
        clock_skew: Option<&Bound<'_, PyAny>>,
        nonce_store: Option<&PyNonceStore>,
    ) -> PyResult<Self> {
        let mut p = jwt::Policy::new().with_clock(clock_or_system(clock));
        if let Some(skew) = opt_seconds("clock_skew", clock_skew)? {
            p = p.with_clock_skew(skew).py()?;
        }
        if let Some(s) = nonce_store {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(PyJwtPolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("<JwtPolicy {}>", self.inner.describe())
    }
}

fn check_jwt_len(token: &str) -> PyResult<()> {
    if token.len() > jwt::MAX_JWT_LEN {
        return Err(TooLarge::new_err(format!(
            "a JWT is at most {} bytes",
            jwt::MAX_JWT_LEN
        )));
    }
    Ok(())
}

fn jwt_credentials(p: &UnverifiedJwt) -> PyCredentials {
    Claims::from(p).into()
}

/// Phase one: the claims of a compact JWT (`username`, `time`, `nonce`, `kid`, `alg`) without trusting
/// them. Raises `Malformed`, `TooLarge` or `UnsupportedAlgorithm` (`none`, HS*, ...).
#[pyfunction]
pub(crate) fn parse_jwt(token: &str) -> PyResult<PyCredentials> {
    check_jwt_len(token)?;
    Ok(jwt_credentials(&UnverifiedJwt::parse(token).py()?))
}

/// The JWT of a request's `Authorization: JWT <token>` header and its claims, or None without one.
#[pyfunction]
pub(crate) fn parse_jwt_request(request: &PyRequest) -> PyResult<Option<(String, PyCredentials)>> {
    let view = request.view()?;
    let Some(value) = view.headers().get("authorization") else {
        return Ok(None);
    };
    let Some(token) = jwt::token_from_authorization(&value) else {
        return Ok(None);
    };
    check_jwt_len(token)?;
    let parsed = UnverifiedJwt::parse(token).py()?;
    Ok(Some((token.to_string(), jwt_credentials(&parsed))))
}

/// Phase two: verifies `token` with the first of `keys` that works (the one whose kid matches the header's is
/// tried first) under `policy`, and records its nonce. The algorithm must be allowed for the key.
#[pyfunction]
#[pyo3(signature = (token, keys, policy))]
pub(crate) fn verify_jwt(
    py: Python<'_>,
    token: &str,
    keys: Vec<PyRef<'_, PyVerifyingKey>>,
    policy: &PyJwtPolicy,
) -> PyResult<PyVerified> {
    check_jwt_len(token)?;
    let keys: Vec<VerifyingKey> = keys.iter().map(|k| k.inner.clone()).collect();
    let parsed = UnverifiedJwt::parse(token).py()?;
    // RSA verification and a Redis nonce store take a while: let other Python threads run.
    let v = py.detach(|| parsed.verify_any(&keys, &policy.inner)).py()?;
    Ok(Claims::from(&v).into())
}

// -------------------------------------------------------------------------------------------------- RFC 9421

/// Signs HTTP messages with RFC 9421. Keyword options: `label` (default `sig1`), `components` (e.g.
/// `["@method", "@authority", "@path", "content-digest"]`), `created` (Unix seconds; default now; False to
/// omit), `expires` / `expires_in` (seconds), `key_id` (default the key's id; False to omit), `nonce` (fixed) or
/// `random_nonces=True`, `tag`, `include_alg`, `clock`.
#[pyclass(name = "MessageSigner", module = "countermark", frozen)]
pub(crate) struct PyMessageSigner {
    /// Built once by `__new__` (the core signer owns its key) and used for every message.
    inner: MessageSigner,
}

fn parse_components(items: &[String]) -> PyResult<Vec<Component>> {
    items.iter().map(|c| Component::parse(c).py()).collect()
}

/// `created=` / `key_id=`: absent (None) keeps the default, False omits, a value sets it.
fn optional_setting<T: for<'a, 'py> FromPyObject<'a, 'py>>(
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Option<T>>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_instance_of::<pyo3::types::PyBool>() => {
            if o.extract::<bool>()? {
                Err(pyo3::exceptions::PyValueError::new_err(
                    "True is not a value here: give one, or False to omit",
                ))
            } else {
                Ok(Some(None))
            }
        }
        Some(o) => Ok(Some(Some(o.extract::<T>().map_err(Into::into)?))),
    }
}

impl PyMessageSigner {
    fn sign_message(&self, message: HttpMessage<'_>) -> PyResult<PySigned> {
        let h = self.inner.sign(message).py()?;
        Ok(PySigned::new(
            vec![
                (
                    "Signature-Input".to_string(),
                    h.signature_input().to_string(),
                ),
                ("Signature".to_string(), h.signature().to_string()),
            ],
            h.signature().to_string(),
            h.signature_base().to_string(),
        ))
    }
}

#[pymethods]
impl PyMessageSigner {
    /// `key`: an `HmacKey` (hmac-sha256) or a `SigningKey` with `algorithm` (`ed25519`, `rsa-v1_5-sha256`,
    /// `rsa-pss-sha512`, `ecdsa-p256-sha256`).
    #[new]
    #[pyo3(signature = (key, *, algorithm = None, label = None, components = Vec::new(), created = None,
        expires = None, expires_in = None, key_id = None, nonce = None, random_nonces = false, tag = None,
        include_alg = false, clock = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        key: &Bound<'_, PyAny>,
        algorithm: Option<&str>,
        label: Option<String>,
        components: Vec<String>,
        created: Option<&Bound<'_, PyAny>>,
        expires: Option<i64>,
        expires_in: Option<&Bound<'_, PyAny>>,
        key_id: Option<&Bound<'_, PyAny>>,
        nonce: Option<String>,
        random_nonces: bool,
        tag: Option<String>,
        include_alg: bool,
        clock: Option<&PyClock>,
    ) -> PyResult<Self> {
        let mut s = if let Ok(k) = key.cast::<PyHmacKey>() {
            if let Some(a) = algorithm {
                let alg: HttpSignatureAlgorithm = a.parse().py()?;
                if alg != HttpSignatureAlgorithm::HmacSha256 {
                    return Err(crate::errors::raise(
                        countermark::ErrorKind::UnsupportedAlgorithm,
                        format!("an HmacKey signs with hmac-sha256, not {a}"),
                    ));
                }
            }
            MessageSigner::hmac(k.get().inner.clone()).py()?
        } else if let Ok(k) = key.cast::<PySigningKey>() {
            let a = algorithm.ok_or_else(|| {
                pyo3::exceptions::PyValueError::new_err(
                    "a SigningKey needs algorithm= (e.g. 'ed25519')",
                )
            })?;
            MessageSigner::asymmetric(SigningKey::clone(&k.get().inner), a.parse().py()?).py()?
        } else {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "key must be an HmacKey or a SigningKey",
            ));
        };
        if let Some(l) = &label {
            s = s.with_label(l).py()?;
        }
        if !components.is_empty() {
            s = s.with_components(parse_components(&components)?).py()?;
        }
        match optional_setting::<i64>(created)? {
            Some(Some(t)) => s = s.with_created(t),
            Some(None) => s = s.without_created(),
            None => {}
        }
        if let Some(t) = expires {
            s = s.with_expires(t);
        }
        if let Some(d) = opt_seconds("expires_in", expires_in)? {
            s = s.with_expires_in(d);
        }
        match optional_setting::<String>(key_id)? {
            Some(Some(k)) => s = s.with_key_id(&k).py()?,
            Some(None) => s = s.without_key_id(),
            None => {}
        }
        if let Some(n) = &nonce {
            s = s.with_nonce(n).py()?;
        }
        if random_nonces {
            s = s.with_random_nonces();
        }
        if let Some(t) = &tag {
            s = s.with_tag(t).py()?;
        }
        s = s.with_alg_param(include_alg);
        if let Some(c) = clock {
            s = s.with_clock(Arc::clone(&c.inner));
        }
        Ok(PyMessageSigner { inner: s })
    }

    /// Signs `request`; returns the `Signature-Input` and `Signature` lines to add.
    fn sign(&self, request: &PyRequest) -> PyResult<PySigned> {
        let view = request.view()?;
        self.sign_message(HttpMessage::from(&view))
    }

    /// Signs `request` over the core's default coverage (`countermark.default_coverage`), whatever components
    /// the signer was built with: `@method @authority @path`, `@query` when the target has one, and
    /// `content-digest` for a non-empty body. The lines to set come back in order: the RFC 9530 `Content-Digest`
    /// (sha-256) of the body when it is not empty (replacing any the request has: the core's rule, see
    /// `sign_with_content_digest`), then `Signature-Input` and `Signature`.
    fn sign_with_default_coverage(&self, request: &PyRequest) -> PyResult<PySigned> {
        let view = request.view()?;
        let signed = sign_with_default_coverage(&self.inner, &view).py()?;
        Ok(default_signed(&signed))
    }

    /// Signs `request` over the signer's own components with the core's `Content-Digest` rule: when the body is
    /// not empty or `content-digest` is covered, the request is signed with the RFC 9530 `Content-Digest` of its
    /// body (`digest_algorithms`), replacing any the caller set. The lines to set come back in order:
    /// `Content-Digest` (when set), `Signature-Input`, `Signature`.
    #[pyo3(signature = (request, digest_algorithms = vec!["sha-256".to_string()]))]
    fn sign_with_content_digest(
        &self,
        request: &PyRequest,
        digest_algorithms: Vec<String>,
    ) -> PyResult<PySigned> {
        let algs: Vec<DigestAlgorithm> = digest_algorithms
            .iter()
            .map(|a| a.parse().py())
            .collect::<PyResult<_>>()?;
        let view = request.view()?;
        let signed = sign_with_content_digest(&self.inner, &view, &algs).py()?;
        Ok(default_signed(&signed))
    }

    /// Signs `response` (components with `;req` read its request).
    fn sign_response(&self, response: &PyResponse) -> PyResult<PySigned> {
        response.with_view(|r| self.sign_message(HttpMessage::from(r)))
    }
}

/// The lines of a request signed with its `Content-Digest`, in order.
fn default_signed(signed: &DefaultSigned) -> PySigned {
    {
        let lines = signed
            .header_lines()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let headers = signed.headers();
        PySigned::new(
            lines,
            headers.signature().to_string(),
            headers.signature_base().to_string(),
        )
    }
}

/// A key that verifies RFC 9421 signatures: `MessageVerifyingKey.hmac(key)` or
/// `MessageVerifyingKey.public(key, algorithm)`.
#[pyclass(name = "MessageVerifyingKey", module = "countermark", frozen)]
pub(crate) struct PyMessageVerifyingKey {
    inner: MessageVerifyingKey,
}

#[pymethods]
impl PyMessageVerifyingKey {
    #[staticmethod]
    fn hmac(key: &PyHmacKey) -> PyResult<Self> {
        Ok(PyMessageVerifyingKey {
            inner: MessageVerifyingKey::hmac(key.inner.clone()).py()?,
        })
    }

    /// `key` under `algorithm`; without one, under the key's default RFC 9421 algorithm (`ed25519` for Ed25519,
    /// `rsa-pss-sha512` for RSA, `ecdsa-p256-sha256` for P-256: the first the key allows).
    #[staticmethod]
    #[pyo3(signature = (key, algorithm = None))]
    fn public(key: &PyVerifyingKey, algorithm: Option<&str>) -> PyResult<Self> {
        let inner = match algorithm {
            Some(a) => {
                let alg: HttpSignatureAlgorithm = a.parse().py()?;
                MessageVerifyingKey::public(key.inner.clone(), alg)
            }
            None => MessageVerifyingKey::for_public_key(key.inner.clone()),
        }
        .py()?;
        Ok(PyMessageVerifyingKey { inner })
    }

    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }
}

/// How RFC 9421 signatures are checked. Every argument left out keeps the core's default (`MessagePolicy`'s
/// default clock skew and max age, `created` and the key id required, `nonce` optional, no required
/// components, unknown parameters refused, the first signature, `Content-Digest` not checked, nonces single-use
/// in a memory store of its own); `describe()` shows them.
#[pyclass(name = "MessagePolicy", module = "countermark", frozen)]
pub(crate) struct PyMessagePolicy {
    inner: MessagePolicy,
}

#[pymethods]
impl PyMessagePolicy {
    #[new]
    #[pyo3(signature = (*, clock = None, clock_skew = None, max_age = MaxAge::Default, require_created = None,
        require_key_id = None, require_nonce = None, required_components = Vec::new(),
        allow_unknown_params = None, label = None, check_content_digest = None, require_body_digest = None,
        nonce_store = None, remember_signatures = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        clock: Option<&PyClock>,
        clock_skew: Option<&Bound<'_, PyAny>>,
        max_age: MaxAge,
        require_created: Option<bool>,
        require_key_id: Option<bool>,
        require_nonce: Option<bool>,
        required_components: Vec<String>,
        allow_unknown_params: Option<bool>,
        label: Option<String>,
        check_content_digest: Option<bool>,
        require_body_digest: Option<bool>,
        nonce_store: Option<&PyNonceStore>,
        remember_signatures: Option<bool>,
    ) -> PyResult<Self> {
        // Only what the caller gave reaches the core: every default is the core's.
        let mut p = MessagePolicy::new()
            .with_clock(clock_or_system(clock))
            .with_required_components(parse_components(&required_components)?);
        if let MaxAge::Given(age) = max_age {
            p = p.with_max_age(age);
        }
        if let Some(skew) = opt_seconds("clock_skew", clock_skew)? {
            p = p.with_clock_skew(skew);
        }
        type Setter = fn(MessagePolicy, bool) -> MessagePolicy;
        let flags: [(Option<bool>, Setter); 7] = [
            (require_created, MessagePolicy::require_created),
            (require_key_id, MessagePolicy::require_key_id),
            (require_nonce, MessagePolicy::require_nonce),
            (allow_unknown_params, MessagePolicy::allow_unknown_params),
            (check_content_digest, MessagePolicy::check_content_digest),
            (require_body_digest, MessagePolicy::require_body_digest),
            (remember_signatures, MessagePolicy::remember_signatures),
        ];
        for (value, set) in flags {
            if let Some(v) = value {
                p = set(p, v);
            }
        }
        if let Some(l) = label {
            p = p.with_label(l);
        }
        if let Some(s) = nonce_store {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(PyMessagePolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn __repr__(&self) -> String {
        format!("<MessagePolicy {}>", self.inner.describe())
    }
}

/// `max_age` as given: left out (the core's default), `None` (no age limit) or a number of seconds.
#[derive(Clone, Copy)]
enum MaxAge {
    Default,
    Given(Option<Duration>),
}

impl<'py> FromPyObject<'_, 'py> for MaxAge {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        Ok(MaxAge::Given(opt_seconds(
            "max_age",
            Some(&obj.to_owned()),
        )?))
    }
}

fn parse_message(message: HttpMessage<'_>, label: Option<&str>) -> PyResult<Option<PyCredentials>> {
    Ok(UnverifiedMessageSignature::parse(message, label)
        .py()?
        .map(|u| Claims::from(&u).into()))
}

fn verify_message(
    message: HttpMessage<'_>,
    key: &PyMessageVerifyingKey,
    policy: &PyMessagePolicy,
) -> PyResult<PyVerified> {
    let parsed = UnverifiedMessageSignature::parse_for(message, &policy.inner)
        .py()?
        .ok_or_else(|| {
            Malformed::new_err("the message has no Signature-Input or Signature header")
        })?;
    let v = parsed.verify(&key.inner, &policy.inner).py()?;
    Ok(Claims::from(&v).into())
}

/// Phase one: the parameters of the request's signature `label` (default: the first), or None when it has
/// no `Signature-Input`/`Signature`. Raises `Malformed` for broken ones.
#[pyfunction]
#[pyo3(signature = (request, label = None))]
pub(crate) fn parse_message_signature(
    request: &PyRequest,
    label: Option<&str>,
) -> PyResult<Option<PyCredentials>> {
    let view = request.view()?;
    parse_message(HttpMessage::from(&view), label)
}

/// Phase two: verifies the request's signature with `key` under `policy`, then records its nonce.
#[pyfunction]
pub(crate) fn verify_message_signature(
    request: &PyRequest,
    key: &PyMessageVerifyingKey,
    policy: &PyMessagePolicy,
) -> PyResult<PyVerified> {
    let view = request.view()?;
    verify_message(HttpMessage::from(&view), key, policy)
}

/// As `parse_message_signature`, for a response.
#[pyfunction]
#[pyo3(signature = (response, label = None))]
pub(crate) fn parse_response_signature(
    response: &PyResponse,
    label: Option<&str>,
) -> PyResult<Option<PyCredentials>> {
    response.with_view(|r| parse_message(HttpMessage::from(r), label))
}

/// As `verify_message_signature`, for a response.
#[pyfunction]
pub(crate) fn verify_response_signature(
    response: &PyResponse,
    key: &PyMessageVerifyingKey,
    policy: &PyMessagePolicy,
) -> PyResult<PyVerified> {
    response.with_view(|r| verify_message(HttpMessage::from(r), key, policy))
}

/// The RFC 9530 `Content-Digest` value of `body` (`algorithms`: `sha-256` and/or `sha-512`).
#[pyfunction]
#[pyo3(signature = (body, algorithms = vec!["sha-256".to_string()]))]
pub(crate) fn content_digest(
    py: Python<'_>,
    body: &[u8],
    algorithms: Vec<String>,
) -> PyResult<String> {
    let algs: Vec<DigestAlgorithm> = algorithms
        .iter()
        .map(|a| a.parse().py())
        .collect::<PyResult<_>>()?;
    if body.len() >= 2048 {
        py.detach(|| core_content_digest(body, &algs)).py()
    } else {
        core_content_digest(body, &algs).py()
    }
}

/// Checks a `Content-Digest` value against `body`; raises `BadSignature` on a mismatch, `Malformed` for a bad
/// value or one with no supported algorithm.
#[pyfunction]
pub(crate) fn verify_content_digest(py: Python<'_>, value: &str, body: &[u8]) -> PyResult<()> {
    if body.len() >= 2048 {
        py.detach(|| core_verify_content_digest(value, body))
            .py()
            .map(|_| ())
    } else {
        core_verify_content_digest(value, body).py().map(|_| ())
    }
}

// ---------------------------------------------------------------------------------------------- explanations

/// Explains what `verify_message_signature` would answer, as a dict (the core's `Explanation`: `scheme`,
/// `verdict`, `string_to_sign` (the signature base), `expected_signature` (hmac-sha256 keys only),
/// `received_signature`, ...). Without `key` the verdict is `unknown_key`; without `policy`, the core's default.
/// Never raises for the request's own faults (they are the verdict) and never touches a nonce store.
#[pyfunction]
#[pyo3(signature = (request, key = None, policy = None))]
pub(crate) fn explain_message_signature<'py>(
    py: Python<'py>,
    request: &PyRequest,
    key: Option<&PyMessageVerifyingKey>,
    policy: Option<&PyMessagePolicy>,
) -> PyResult<Bound<'py, PyAny>> {
    let view = request.view()?;
    let message = HttpMessage::from(&view);
    let default;
    let policy = match policy {
        Some(p) => &p.inner,
        None => {
            default = countermark::MessagePolicy::new();
            &default
        }
    };
    let explanation = match UnverifiedMessageSignature::parse_for(message, policy) {
        Ok(Some(parsed)) => parsed.explain(key.map(|k| &k.inner), policy),
        Ok(None) => refused_explanation("rfc9421", Ok(())),
        Err(e) => refused_explanation("rfc9421", Err(e)),
    };
    explanation_dict(py, &explanation)
}

/// Explains what `verify_jwt` would answer for `token` with the one public `key` (None: verdict
/// `unknown_key`), as a dict. A JWT is signed with a private key: there is no expected signature, only
/// `signature_matches`. Never records the token's nonce.
#[pyfunction]
#[pyo3(signature = (token, key = None, policy = None))]
pub(crate) fn explain_jwt<'py>(
    py: Python<'py>,
    token: &str,
    key: Option<&PyVerifyingKey>,
    policy: Option<&PyJwtPolicy>,
) -> PyResult<Bound<'py, PyAny>> {
    let default;
    let policy = match policy {
        Some(p) => &p.inner,
        None => {
            default = jwt::Policy::new();
            &default
        }
    };
    let parsed = if token.len() > jwt::MAX_JWT_LEN {
        Err(countermark::Error::new(
            countermark::ErrorKind::TooLarge,
            format!("a JWT is at most {} bytes", jwt::MAX_JWT_LEN),
        ))
    } else {
        UnverifiedJwt::parse(token)
    };
    let explanation = match parsed {
        Ok(parsed) => parsed.explain(key.map(|k| &k.inner), policy),
        Err(e) => refused_explanation("jwt", Err(e)),
    };
    explanation_dict(py, &explanation)
}
