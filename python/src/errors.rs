//! The one conversion from core errors to the Python classes of `countermark/exceptions.py`.

use countermark::{Error, ErrorKind};
use pyo3::prelude::*;

pyo3::import_exception!(countermark.exceptions, CountermarkError);
pyo3::import_exception!(countermark.exceptions, Malformed);
pyo3::import_exception!(countermark.exceptions, TooLarge);
pyo3::import_exception!(countermark.exceptions, Expired);
pyo3::import_exception!(countermark.exceptions, NotYetValid);
pyo3::import_exception!(countermark.exceptions, BadSignature);
pyo3::import_exception!(countermark.exceptions, UnknownKey);
pyo3::import_exception!(countermark.exceptions, Replayed);
pyo3::import_exception!(countermark.exceptions, UnsupportedAlgorithm);
pyo3::import_exception!(countermark.exceptions, InvalidKey);
pyo3::import_exception!(countermark.exceptions, InvalidValue);
pyo3::import_exception!(countermark.exceptions, Unavailable);

/// Raises the Python class of `kind` with `message` (core messages never contain secrets).
pub(crate) fn raise(kind: ErrorKind, message: String) -> PyErr {
    match kind {
        ErrorKind::Malformed => Malformed::new_err(message),
        ErrorKind::TooLarge => TooLarge::new_err(message),
        ErrorKind::Expired => Expired::new_err(message),
        ErrorKind::NotYetValid => NotYetValid::new_err(message),
        ErrorKind::BadSignature => BadSignature::new_err(message),
        ErrorKind::UnknownKey => UnknownKey::new_err(message),
        ErrorKind::Replayed => Replayed::new_err(message),
        ErrorKind::UnsupportedAlgorithm => UnsupportedAlgorithm::new_err(message),
        ErrorKind::InvalidKey => InvalidKey::new_err(message),
        ErrorKind::InvalidValue => InvalidValue::new_err(message),
        ErrorKind::Unavailable => Unavailable::new_err(message),
        _ => CountermarkError::new_err(message),
    }
}

/// `?` on a core result inside a `#[pymethods]` body: `.map_err(py_err)?`.
pub(crate) fn py_err(e: Error) -> PyErr {
    raise(e.kind(), e.message().to_string())
}

/// Shorthand for core results.
pub(crate) trait IntoPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for countermark::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// Every error kind with its Python class name, for the test that checks the mapping.
#[pyfunction]
pub(crate) fn _raise_kind(kind: &str) -> PyResult<()> {
    let kind = ErrorKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == kind)
        .ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("no error kind {kind:?}"))
        })?;
    Err(raise(kind, format!("test error of kind {}", kind.as_str())))
}

/// The error kinds the core has, by name: the core's own list (`ErrorKind::ALL`), so the test that every kind has
/// a Python class compares the core with `exceptions.py`, not a copy with a copy.
#[pyfunction]
pub(crate) fn _error_kinds() -> Vec<&'static str> {
    ErrorKind::ALL.iter().map(|k| k.as_str()).collect()
}
