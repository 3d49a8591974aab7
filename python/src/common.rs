//! Conversions shared by every class: secrets given as `str` or `bytes`, clocks, key rings.

use std::sync::Arc;
use std::time::Duration;

use countermark::{
    Algorithm, Clock, ErrorKind, FixedClock, HmacKey, KeyRing, SystemClock, UnixTime,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors::IntoPy;
use crate::keys::{PyHmacKey, PyKeyRing};

/// Bytes of a secret given as `bytes` (as is), `bytearray`/`memoryview` (copied) or `str` (its UTF-8 bytes, as
/// the old libraries did).
pub(crate) fn secret_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    obj.extract::<Vec<u8>>()
        .map_err(|_| PyTypeError::new_err("a secret must be str or bytes"))
}

/// A clock for the core: the system clock, or a fixed instant (Unix seconds, float allowed) for tests and
/// recorded traffic.
#[pyclass(name = "Clock", module = "countermark", frozen)]
#[derive(Clone)]
pub(crate) struct PyClock {
    pub(crate) inner: Arc<dyn Clock>,
    fixed: Option<f64>,
}

#[pymethods]
impl PyClock {
    /// The operating system's clock (what `clock=None` means everywhere).
    #[staticmethod]
    fn system() -> Self {
        PyClock {
            inner: Arc::new(SystemClock),
            fixed: None,
        }
    }

    /// A clock stopped at `secs` seconds after the Unix epoch.
    #[staticmethod]
    fn fixed(secs: f64) -> PyResult<Self> {
        if !secs.is_finite() {
            return Err(PyValueError::new_err("a clock needs a finite time"));
        }
        Ok(PyClock {
            inner: Arc::new(FixedClock::new(UnixTime::from_secs_f64(secs))),
            fixed: Some(secs),
        })
    }

    /// The current time in Unix seconds.
    fn now(&self) -> f64 {
        self.inner.now().as_secs_f64()
    }

    fn __repr__(&self) -> String {
        match self.fixed {
            Some(t) => format!("Clock.fixed({t})"),
            None => "Clock.system()".to_string(),
        }
    }
}

pub(crate) fn clock_or_system(clock: Option<&PyClock>) -> Arc<dyn Clock> {
    clock.map_or_else(
        || Arc::new(SystemClock) as Arc<dyn Clock>,
        |c| Arc::clone(&c.inner),
    )
}

/// A key ring from either an `HmacKey` (a ring of one) or a `KeyRing`.
pub(crate) fn key_ring(obj: &Bound<'_, PyAny>) -> PyResult<KeyRing> {
    if let Ok(k) = obj.cast::<PyHmacKey>() {
        return Ok(KeyRing::from(HmacKey::clone(&k.get().inner)));
    }
    if let Ok(r) = obj.cast::<PyKeyRing>() {
        return Ok(r.borrow().inner.clone());
    }
    Err(PyTypeError::new_err("keys must be an HmacKey or a KeyRing"))
}

/// A duration given in seconds (`int` or `float`, as every Python duration of the API is): finite and not
/// negative, else `InvalidValue`. `bool` is refused (`TypeError`), as `True` seconds is a mistake.
pub(crate) fn seconds(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Duration> {
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{name} is a number of seconds (int or float), not a bool"
        )));
    }
    if let Ok(i) = obj.extract::<u64>() {
        return Ok(Duration::from_secs(i));
    }
    let secs = obj.extract::<f64>().map_err(|_| {
        PyTypeError::new_err(format!("{name} is a number of seconds (int or float)"))
    })?;
    Duration::try_from_secs_f64(secs).map_err(|_| {
        crate::errors::raise(
            ErrorKind::InvalidValue,
            format!("{name} must be a finite, non-negative number of seconds, not {secs}"),
        )
    })
}

/// `seconds` for an optional argument (None: not given, the core's default applies).
pub(crate) fn opt_seconds(
    name: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Duration>> {
    obj.filter(|o| !o.is_none())
        .map(|o| seconds(name, o))
        .transpose()
}

/// Whole seconds, for the two places that count in whole seconds: a nonce's time to live and a ska lifetime (its
/// `valid_until` is whole seconds on the wire). A fraction is dropped, so a window is never wider than asked.
pub(crate) fn whole_secs(d: Duration) -> u64 {
    d.as_secs()
}

/// An HMAC algorithm from its one spelling, as the core parses it (`Algorithm::from_str`: another spelling of a
/// known algorithm, `sha256` or `HMAC-SHA256`, is `InvalidValue` naming the accepted one; an unknown name is
/// `UnsupportedAlgorithm`).
pub(crate) fn hmac_algorithm(name: &str) -> PyResult<Algorithm> {
    name.parse().py()
}

/// An explanation as a Python dict: the core's JSON rendering (`Explanation::to_json`) read by `json.loads`, so
/// the dict holds exactly what the CLI's `--json` and the Django 401 body show.
pub(crate) fn explanation_dict<'py>(
    py: Python<'py>,
    explanation: &countermark::Explanation,
) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .call_method1("loads", (explanation.to_json(),))
}

/// The explanation of a request that carries no credentials of `scheme`, or whose credentials cannot be read.
pub(crate) fn refused_explanation(
    scheme: &'static str,
    parsed: countermark::Result<()>,
) -> countermark::Explanation {
    let error = parsed.err().unwrap_or_else(|| {
        countermark::Error::new(
            countermark::ErrorKind::Malformed,
            format!("the request carries no {scheme} credentials"),
        )
    });
    countermark::Explanation::refused_at_parse(scheme, error)
}
