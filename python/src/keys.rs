//! HMAC keys and key rings.

use countermark::{HmacKey, KeyId, KeyRing, Secret};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::common::{hmac_algorithm, secret_bytes};
use crate::errors::IntoPy;

/// An HMAC key bound to one algorithm. Immutable; the secret is wiped from memory when the key goes.
///
/// `secret` is `bytes` or `str` (UTF-8), 16 to 1024 bytes; `legacy=True` also accepts the 1 to 15 byte
/// secrets of existing ska, FOST and handshake deployments. `algorithm`, in its one spelling: `hmac-sha256`
/// (default), `hmac-sha1`, `hmac-sha224`, `hmac-sha384`, `hmac-sha512`, `hmac-blake2s`, `hmac-blake2b`, or
/// `hmac-md5` (legacy: only for links of ska's `HMACMD5Signature`, never a default); another spelling (`sha256`)
/// raises `InvalidValue`. `key_id`: an optional key id (visible ASCII).
#[pyclass(name = "HmacKey", module = "countermark", frozen)]
pub(crate) struct PyHmacKey {
    pub(crate) inner: HmacKey,
}

#[pymethods]
impl PyHmacKey {
    #[new]
    #[pyo3(signature = (secret, algorithm = "hmac-sha256", *, key_id = None, legacy = false))]
    fn new(
        secret: &Bound<'_, PyAny>,
        algorithm: &str,
        key_id: Option<&str>,
        legacy: bool,
    ) -> PyResult<Self> {
        let alg = hmac_algorithm(algorithm)?;
        let bytes = secret_bytes(secret)?;
        let secret = if legacy {
            Secret::legacy(bytes)
        } else {
            Secret::new(bytes)
        }
        .py()?;
        let mut key = HmacKey::new(alg, &secret);
        if let Some(id) = key_id {
            key = key.with_key_id(KeyId::new(id).py()?);
        }
        Ok(PyHmacKey { inner: key })
    }

    /// A key with a fresh random secret of `length` bytes from the operating system.
    #[staticmethod]
    #[pyo3(signature = (algorithm = "hmac-sha256", *, length = 32, key_id = None))]
    fn generate(algorithm: &str, length: usize, key_id: Option<&str>) -> PyResult<Self> {
        let alg = hmac_algorithm(algorithm)?;
        let secret = Secret::generate(length).py()?;
        let mut key = HmacKey::new(alg, &secret);
        if let Some(id) = key_id {
            key = key.with_key_id(KeyId::new(id).py()?);
        }
        Ok(PyHmacKey { inner: key })
    }

    /// The algorithm's one spelling, e.g. `hmac-sha256`.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }

    /// The key id, or None.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.inner.key_id().map(KeyId::as_str)
    }

    /// The MAC of `message`.
    fn sign<'py>(&self, py: Python<'py>, message: &[u8]) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.sign(message).as_bytes())
    }

    /// Checks in constant time that `tag` is the MAC of `message`; raises `BadSignature` otherwise.
    fn verify(&self, message: &[u8], tag: &[u8]) -> PyResult<()> {
        self.inner.verify(message, tag).py()
    }

    fn __repr__(&self) -> String {
        match self.inner.key_id() {
            Some(kid) => format!(
                "HmacKey(algorithm={:?}, key_id={:?})",
                self.algorithm(),
                kid.as_str()
            ),
            None => format!("HmacKey(algorithm={:?})", self.algorithm()),
        }
    }
}

/// Keys for rotation: one primary key that signs, others that still verify. Objects built from a ring
/// (`Tokens`, `UrlSigner`) take a copy of it at construction; rotate, then build them again.
#[pyclass(name = "KeyRing", module = "countermark")]
pub(crate) struct PyKeyRing {
    pub(crate) inner: KeyRing,
}

#[pymethods]
impl PyKeyRing {
    #[new]
    #[pyo3(signature = (primary, *, verify_only = Vec::new()))]
    fn new(primary: &PyHmacKey, verify_only: Vec<PyRef<'_, PyHmacKey>>) -> PyResult<Self> {
        let mut ring = KeyRing::new(primary.inner.clone());
        for key in verify_only {
            ring.add_verify_only(key.inner.clone()).py()?;
        }
        Ok(PyKeyRing { inner: ring })
    }

    /// Makes `key` the primary; the previous primary keeps verifying.
    fn rotate(&mut self, key: &PyHmacKey) -> PyResult<()> {
        self.inner.rotate(key.inner.clone()).py()
    }

    /// Adds a key that verifies but never signs.
    fn add_verify_only(&mut self, key: &PyHmacKey) -> PyResult<()> {
        self.inner.add_verify_only(key.inner.clone()).py()
    }

    /// Removes the verify-only key `key_id` (the primary cannot be retired).
    fn retire(&mut self, key_id: &str) -> PyResult<()> {
        self.inner.retire(key_id).py()
    }

    /// The key with id `key_id`, or None.
    fn get(&self, key_id: &str) -> Option<PyHmacKey> {
        self.inner
            .get(key_id)
            .map(|k| PyHmacKey { inner: k.clone() })
    }

    /// The key that signs.
    #[getter]
    fn primary(&self) -> PyHmacKey {
        PyHmacKey {
            inner: self.inner.primary().clone(),
        }
    }

    fn __len__(&self) -> usize {
        self.inner.keys().count()
    }

    fn __repr__(&self) -> String {
        format!("KeyRing({} keys)", self.inner.keys().count())
    }
}

/// Encrypts shared secrets for storage and decrypts them: AES-256-GCM under keys derived (HKDF-SHA256) from
/// master secrets given newest first; the first seals, all open (rotation). `aad` binds a sealed value to its
/// record (e.g. its key id): the same bytes must be given to `open`.
#[pyclass(name = "SecretSealer", module = "countermark", frozen)]
pub(crate) struct PySecretSealer {
    inner: countermark::key::SecretSealer,
}

#[pymethods]
impl PySecretSealer {
    #[new]
    fn new(masters: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let masters = masters
            .iter()
            .map(|m| secret_bytes(m).map(zeroize::Zeroizing::new))
            .collect::<PyResult<Vec<_>>>()?;
        let inner =
            countermark::key::SecretSealer::new(masters.iter().map(|m| m.as_slice())).py()?;
        Ok(PySecretSealer { inner })
    }

    /// `cm1$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>`.
    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> PyResult<String> {
        self.inner.seal(plaintext, aad).py()
    }

    /// The plaintext; raises `BadSignature` (altered or other `aad`), `UnknownKey` (master secret not held),
    /// `Malformed`.
    fn open<'py>(
        &self,
        py: Python<'py>,
        sealed: &str,
        aad: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let plain = self.inner.open(sealed, aad).py()?;
        Ok(PyBytes::new(py, &plain))
    }

    /// Whether `sealed` is sealed under the current (first) master secret.
    fn is_current(&self, sealed: &str) -> bool {
        self.inner.is_current(sealed)
    }

    /// Id of the current sealing key (16 hex characters; derived, not secret).
    #[getter]
    fn current_key_id(&self) -> String {
        self.inner.current_key_id()
    }

    fn __repr__(&self) -> String {
        format!(
            "SecretSealer(current_key_id={:?})",
            self.inner.current_key_id()
        )
    }
}
