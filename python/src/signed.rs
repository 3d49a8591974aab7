//! ska signatures and signed URLs.

use countermark::{Expiry, Extra, ParamNames, Signature, SignedData, UrlSigner, ValidUntil};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::common::{clock_or_system, key_ring, PyClock};
use crate::errors::{py_err, IntoPy};

/// What a valid signature carried.
#[pyclass(name = "SignedData", module = "countermark", frozen, get_all)]
pub(crate) struct PySignedData {
    /// The user the signature was made for.
    auth_user: String,
    /// The expiry as sent (Unix seconds, as text).
    valid_until: String,
    /// The signed extra fields, as sent.
    extra: Py<PyDict>,
}

#[pymethods]
impl PySignedData {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "SignedData(auth_user={:?}, valid_until={:?}, extra={})",
            self.auth_user,
            self.valid_until,
            self.extra.bind(py).repr()?
        ))
    }
}

fn signed_data(py: Python<'_>, data: SignedData) -> PyResult<PySignedData> {
    let extra = PyDict::new(py);
    for (k, v) in data.extra() {
        extra.set_item(k, v)?;
    }
    Ok(PySignedData {
        auth_user: data.auth_user().to_string(),
        valid_until: data.valid_until().to_string(),
        extra: extra.unbind(),
    })
}

/// Signs and validates ska signatures (URLs and parameter dicts) with the primary key of `keys`.
/// `param_names` renames the four parameters (keys `signature`, `auth_user`, `valid_until`, `extra`).
/// Thread-safe.
#[pyclass(name = "UrlSigner", module = "countermark", frozen)]
pub(crate) struct PyUrlSigner {
    inner: UrlSigner,
}

/// What `_validate_report` returns: the data, or every failure as (ska code, ska message).
type Report = (Option<PySignedData>, Vec<(u8, &'static str)>);

fn expiry_extra(
    py: Python<'_>,
    lifetime: u64,
    valid_until: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Expiry, Extra)> {
    let expiry = match valid_until {
        None => Expiry::Lifetime(lifetime),
        Some(v) => Expiry::At(ValidUntil::Text(v.str()?.to_cow()?.into_owned())),
    };
    let extra = match extra {
        None => Extra::new(),
        Some(d) => {
            let json = py.import("json")?.call_method1("dumps", (d,))?;
            Extra::from_json(&json.extract::<String>()?).py()?
        }
    };
    Ok((expiry, extra))
}

fn pairs_of(params: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    if let Ok(d) = params.cast::<PyDict>() {
        d.iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect()
    } else if let Ok(l) = params.cast::<PyList>() {
        l.extract()
    } else {
        params.extract()
    }
}

impl PyUrlSigner {
    fn signature(
        &self,
        py: Python<'_>,
        user: &str,
        lifetime: u64,
        valid_until: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Signature> {
        let (expiry, extra) = expiry_extra(py, lifetime, valid_until, extra)?;
        self.inner.generate(user, expiry, &extra).py()
    }
}

#[pymethods]
impl PyUrlSigner {
    #[new]
    #[pyo3(signature = (keys, *, clock = None, param_names = None))]
    fn new(
        keys: &Bound<'_, PyAny>,
        clock: Option<&PyClock>,
        param_names: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let mut signer = UrlSigner::new(key_ring(keys)?).with_clock(clock_or_system(clock));
        if let Some(d) = param_names {
            let mut names = ParamNames::default();
            for (k, v) in d.iter() {
                let (k, v): (String, String) = (k.extract()?, v.extract()?);
                match k.as_str() {
                    "signature" => names.signature = v,
                    "auth_user" => names.auth_user = v,
                    "valid_until" => names.valid_until = v,
                    "extra" => names.extra = v,
                    other => {
                        return Err(PyValueError::new_err(format!(
                            "unknown parameter name {other:?}; expected signature, auth_user, valid_until or extra"
                        )))
                    }
                }
            }
            let all = [
                &names.signature,
                &names.auth_user,
                &names.valid_until,
                &names.extra,
            ];
            if all
                .iter()
                .enumerate()
                .any(|(i, a)| all[i + 1..].contains(a))
            {
                return Err(PyValueError::new_err("parameter names must differ"));
            }
            signer = signer.with_param_names(names);
        }
        Ok(PyUrlSigner { inner: signer })
    }

    /// `url` with the signature parameters added (after `suffix`, by default `?` or `&` as the URL needs).
    /// The signature is valid for `lifetime` seconds, or until `valid_until` (Unix seconds) when given;
    /// `extra` (a dict of str, int, float, bool or None values) is signed and sent along.
    #[pyo3(signature = (url, user, *, lifetime = 600, valid_until = None, extra = None, suffix = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_url(
        &self,
        py: Python<'_>,
        url: &str,
        user: &str,
        lifetime: u64,
        valid_until: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
        suffix: Option<&str>,
    ) -> PyResult<String> {
        match suffix {
            Some(suffix) => {
                let sig = self.signature(py, user, lifetime, valid_until, extra)?;
                Ok(sig.to_url(url, suffix, self.inner.param_names()))
            }
            None => {
                let (expiry, extra) = expiry_extra(py, lifetime, valid_until, extra)?;
                self.inner.sign_url(url, user, expiry, &extra).py()
            }
        }
    }

    /// The signature parameters as a dict (to send as query parameters or form fields).
    #[pyo3(signature = (user, *, lifetime = 600, valid_until = None, extra = None))]
    fn sign_params<'py>(
        &self,
        py: Python<'py>,
        user: &str,
        lifetime: u64,
        valid_until: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sig = self.signature(py, user, lifetime, valid_until, extra)?;
        let out = PyDict::new(py);
        for (k, v) in sig.to_dict(self.inner.param_names()) {
            out.set_item(k, v)?;
        }
        Ok(out)
    }

    /// Validates a signed URL and returns what it carried, or raises (`BadSignature`, `Expired`, ...).
    fn validate_url(&self, py: Python<'_>, url: &str) -> PyResult<PySignedData> {
        let data = self.inner.validate_url(url).map_err(|r| py_err(r.into()))?;
        signed_data(py, data)
    }

    /// Validates signature parameters (a dict, or a list of (name, value) pairs as a query string has them).
    fn validate(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<PySignedData> {
        let data = self
            .inner
            .validate(&pairs_of(params)?)
            .map_err(|r| py_err(r.into()))?;
        signed_data(py, data)
    }

    /// For `countermark.compat.ska`: every failure as (ska code, ska message) instead of one exception, as
    /// ska's `SignatureValidationResult` reports them; the data when there is none.
    fn _validate_report(&self, py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<Report> {
        match self.inner.validate(&pairs_of(params)?) {
            Ok(data) => Ok((Some(signed_data(py, data)?), Vec::new())),
            Err(r) => Ok((
                None,
                r.failures()
                    .iter()
                    .map(|f| (f.code(), f.message()))
                    .collect(),
            )),
        }
    }
}
