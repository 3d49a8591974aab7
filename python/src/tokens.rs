//! handshake-format tokens: `field:…:timestamp:random:hmac`.

use countermark::{FixedRandom, Tokens};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple};
use std::time::Duration;

use crate::common::{clock_or_system, key_ring, opt_seconds, PyClock};
use crate::errors::IntoPy;

/// What a valid token carried.
#[pyclass(name = "VerifiedToken", module = "countermark", frozen)]
pub(crate) struct PyVerifiedToken {
    /// The fields as in the token, `:`-separated (one copy; the list is built when `fields` is read).
    joined_fields: String,
    /// When the token was created (Unix seconds).
    #[pyo3(get)]
    timestamp: i64,
}

impl PyVerifiedToken {
    fn field_list(&self) -> Vec<&str> {
        if self.joined_fields.is_empty() {
            Vec::new()
        } else {
            self.joined_fields.split(':').collect()
        }
    }
}

#[pymethods]
impl PyVerifiedToken {
    /// The metadata fields, in order.
    #[getter]
    fn fields(&self) -> Vec<&str> {
        self.field_list()
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifiedToken(fields={:?}, timestamp={})",
            self.field_list(),
            self.timestamp
        )
    }
}

/// Creates and verifies handshake tokens with the primary key of `keys` (any key of the ring verifies).
/// `random_len`: the random bytes hashed into each token (handshake's default 256). Thread-safe.
#[pyclass(name = "Tokens", module = "countermark", frozen)]
pub(crate) struct PyTokens {
    inner: Tokens,
}

#[pymethods]
impl PyTokens {
    #[new]
    #[pyo3(signature = (keys, *, clock = None, random_len = None))]
    fn new(
        keys: &Bound<'_, PyAny>,
        clock: Option<&PyClock>,
        random_len: Option<usize>,
    ) -> PyResult<Self> {
        let mut tokens = Tokens::new(key_ring(keys)?).with_clock(clock_or_system(clock));
        if let Some(len) = random_len {
            tokens = tokens.with_random_len(len).py()?;
        }
        Ok(PyTokens { inner: tokens })
    }

    /// A token carrying `fields` (each of `a-z A-Z 0-9 _ -`).
    #[pyo3(signature = (*fields))]
    fn create(&self, fields: Vec<String>) -> PyResult<String> {
        self.inner.create(&fields).py()
    }

    /// As `create`, with the random bytes given: for reproducing recorded tokens only.
    fn create_with_random(&self, fields: Vec<String>, random: &[u8]) -> PyResult<String> {
        self.inner
            .create_with_random(&fields, &mut FixedRandom::new(random))
            .py()
    }

    /// Verifies `token` and returns its fields and timestamp, or raises `Malformed`, `TooLarge`,
    /// `BadSignature`, `Expired` or `NotYetValid`. `max_age` (seconds, int or float) accepts only tokens created
    /// within that many seconds of now, either side (handshake's `time_range`); None accepts any age.
    #[pyo3(signature = (token, max_age = None))]
    fn verify(&self, token: &str, max_age: Option<&Bound<'_, PyAny>>) -> PyResult<PyVerifiedToken> {
        let max_age = opt_seconds("max_age", max_age)?;
        let v = self.inner.verify(token, max_age).py()?;
        Ok(PyVerifiedToken {
            joined_fields: v.joined_fields().to_owned(),
            timestamp: v.timestamp(),
        })
    }

    /// For `countermark.compat.handshake`: `verify`, returning the fields as a tuple (handshake's result)
    /// without building a `VerifiedToken`.
    fn _verify_fields<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        max_age: Option<u64>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let v = self
            .inner
            .verify(token, max_age.map(Duration::from_secs))
            .py()?;
        PyTuple::new(py, v.fields())
    }

    /// For `countermark.compat.handshake`'s `verify`: `_verify_fields` for a `str` token and an `int` `time_range`
    /// from 0 (any age) to 2**64-1; the token's shape is the core's to check (as `_check_token_shape`). `None`
    /// when an argument is of another type or range: the caller then checks them itself, to raise handshake's
    /// exceptions.
    fn _verify_handshake<'py>(
        &self,
        py: Python<'py>,
        token: &Bound<'py, PyAny>,
        time_range: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let (Ok(token), true) = (
            token.cast::<PyString>(),
            time_range.is_exact_instance_of::<PyInt>(),
        ) else {
            return Ok(None);
        };
        let Ok(time_range) = time_range.extract::<u64>() else {
            return Ok(None);
        };
        // Lone surrogates: the caller's path raises as it always did.
        let Ok(utf8) = token.encode_utf8() else {
            return Ok(None);
        };
        // `PyUnicode_AsUTF8String` made these bytes: valid UTF-8.
        let token = std::str::from_utf8(utf8.as_bytes()).unwrap_or_default();
        let max_age = (time_range > 0).then_some(time_range);
        let v = self
            .inner
            .verify(token, max_age.map(Duration::from_secs))
            .py()?;
        PyTuple::new(py, v.fields()).map(Some)
    }

    /// Raises the core's refusal of a badly shaped token (`TooLarge` over 2048 characters, `Malformed` with fewer
    /// than four `:`-separated parts), the check handshake makes before any other.
    #[staticmethod]
    fn _check_token_shape(token: &Bound<'_, PyString>) -> PyResult<()> {
        // A lone surrogate counts as one character, as in Python: replacing it keeps the shape.
        countermark::token::check_token_shape(&token.to_string_lossy()).py()
    }

    fn __repr__(&self) -> String {
        "Tokens(...)".to_string()
    }
}
