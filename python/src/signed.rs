//! ska signatures and signed URLs.

use countermark::signed::{
    Expiry, Extra, ParamNames, Quoter, Rejection, Signature, SignedData, UrlSigner, ValidUntil,
    ValueDumper,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use std::time::Duration;

use crate::common::{clock_or_system, key_ring, opt_seconds, whole_secs, PyClock};
use crate::errors::{py_err, IntoPy};

/// What a valid signature carried. Kept as the core's data; the Python objects are made when read (the
/// `extra` dict once, then the same dict on every access).
#[pyclass(name = "SignedData", module = "countermark", frozen)]
pub(crate) struct PySignedData {
    data: SignedData,
    extra: PyOnceLock<Py<PyDict>>,
}

impl PySignedData {
    fn new(data: SignedData) -> Self {
        PySignedData {
            data,
            extra: PyOnceLock::new(),
        }
    }

    fn extra_dict<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyDict>> {
        self.extra
            .get_or_try_init(py, || {
                let extra = PyDict::new(py);
                for (k, v) in self.data.extra() {
                    extra.set_item(k, v)?;
                }
                Ok::<_, PyErr>(extra.unbind())
            })
            .map(|d| d.bind(py))
    }
}

#[pymethods]
impl PySignedData {
    /// The user the signature was made for.
    #[getter]
    fn auth_user(&self) -> &str {
        self.data.auth_user()
    }

    /// The expiry as sent (Unix seconds, as text).
    #[getter]
    fn valid_until(&self) -> &str {
        self.data.valid_until()
    }

    /// The signed extra fields, as sent.
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.extra_dict(py).cloned()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "SignedData(auth_user={:?}, valid_until={:?}, extra={})",
            self.data.auth_user(),
            self.data.valid_until(),
            self.extra_dict(py)?.repr()?
        ))
    }
}

/// Signs and validates ska signatures (URLs and parameter dicts) with the primary key of `keys`.
/// `param_names` renames the four parameters (keys `signature`, `auth_user`, `valid_until`, `extra`).
/// `value_dumper` and `quoter` pick ska's helpers: `"python"` (ska's defaults) or `"javascript"` (what ska's
/// JavaScript port signs with); `None` keeps the core's default. Thread-safe.
#[pyclass(name = "UrlSigner", module = "countermark", frozen)]
pub(crate) struct PyUrlSigner {
    inner: UrlSigner,
    /// The four parameter names as Python strings (signature, auth_user, valid_until, extra), for dict lookups.
    keys: [Py<PyString>; 4],
}

/// What `_validate_report` returns: the data, or every failure as (ska code, ska message).
type Report = (Option<PySignedData>, Vec<(u8, &'static str)>);

fn expiry_extra(
    py: Python<'_>,
    lifetime: Option<u64>,
    valid_until: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Expiry, Extra)> {
    // Only what the caller gave reaches the core: no lifetime means the core's default expiry.
    let expiry = match (valid_until, lifetime) {
        (Some(v), _) => Expiry::At(ValidUntil::Text(v.str()?.to_cow()?.into_owned())),
        (None, Some(secs)) => Expiry::Lifetime(Duration::from_secs(secs)),
        (None, None) => Expiry::default(),
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

/// The UTF-8 bytes of a Python `str` (as `bytes`: the only borrowable form under the abi3-py39 API).
fn utf8<'py>(v: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    // A checked cast: callers have already made sure `v` is a `str`.
    v.cast::<PyString>()?.encode_utf8()
}

fn as_str<'a>(b: &'a Bound<'_, PyBytes>) -> &'a str {
    // `PyUnicode_AsUTF8String` produced these bytes: valid UTF-8.
    std::str::from_utf8(b.as_bytes()).unwrap_or_default()
}

impl PyUrlSigner {
    /// Validates a dict of `str` without copying it into Rust strings: only the four parameters and the extra
    /// items they name are read (as UTF-8 `bytes`, borrowed). `None` when some key or value is not a `str`: the
    /// caller then takes the general path, which raises as it always did. With `ska_request`, also `None` for
    /// the request data `compat.ska` handles itself (an empty `valid_until`, an extra item named `""` or like a
    /// parameter).
    fn validate_dict(
        &self,
        d: &Bound<'_, PyDict>,
        ska_request: bool,
    ) -> PyResult<Option<Result<SignedData, Rejection>>> {
        let py = d.py();
        for (k, v) in d.iter() {
            if !k.is_instance_of::<PyString>() || !v.is_instance_of::<PyString>() {
                return Ok(None);
            }
        }
        let mut found: [Option<Bound<'_, PyBytes>>; 4] = [None, None, None, None];
        for (slot, key) in found.iter_mut().zip(&self.keys) {
            if let Some(v) = d.get_item(key.bind(py))? {
                *slot = Some(utf8(&v)?);
            }
        }
        let names = self.inner.param_names();
        let roles = [
            names.signature.as_str(),
            names.auth_user.as_str(),
            names.valid_until.as_str(),
            names.extra.as_str(),
        ];
        if ska_request && found[2].as_ref().is_some_and(|v| v.as_bytes().is_empty()) {
            return Ok(None);
        }
        let extra_list = found[3].as_ref().map_or("", as_str);
        let mut extra: Vec<(&str, Bound<'_, PyBytes>)> = Vec::new();
        for name in extra_list.split(',') {
            if extra.iter().any(|(k, _)| *k == name) {
                continue;
            }
            if let Some(v) = d.get_item(name)? {
                if ska_request && (name.is_empty() || roles.contains(&name)) {
                    return Ok(None);
                }
                extra.push((name, utf8(&v)?));
            }
        }
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(4 + extra.len());
        for (name, v) in roles.iter().zip(&found) {
            if let Some(v) = v {
                pairs.push((name, as_str(v)));
            }
        }
        for (name, v) in &extra {
            pairs.push((name, as_str(v)));
        }
        Ok(Some(self.inner.validate(&pairs)))
    }

    fn validate_any(&self, params: &Bound<'_, PyAny>) -> PyResult<Result<SignedData, Rejection>> {
        if let Ok(d) = params.cast::<PyDict>() {
            if let Some(r) = self.validate_dict(d, false)? {
                return Ok(r);
            }
        }
        Ok(self.inner.validate(&pairs_of(params)?))
    }

    fn signature(
        &self,
        py: Python<'_>,
        user: &str,
        lifetime: Option<u64>,
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
    #[pyo3(signature = (keys, *, clock = None, param_names = None, value_dumper = None, quoter = None))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        clock: Option<&PyClock>,
        param_names: Option<&Bound<'_, PyDict>>,
        value_dumper: Option<&str>,
        quoter: Option<&str>,
    ) -> PyResult<Self> {
        let mut signer = UrlSigner::new(key_ring(keys)?).with_clock(clock_or_system(clock));
        if let Some(d) = value_dumper {
            signer = signer.with_value_dumper(d.parse::<ValueDumper>().py()?);
        }
        if let Some(q) = quoter {
            signer = signer.with_quoter(q.parse::<Quoter>().py()?);
        }
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
            signer = signer.with_param_names(names).py()?;
        }
        let n = signer.param_names();
        let keys = [&n.signature, &n.auth_user, &n.valid_until, &n.extra]
            .map(|name| PyString::intern(py, name).unbind());
        Ok(PyUrlSigner {
            inner: signer,
            keys,
        })
    }

    /// `url` with the signature parameters added (after `suffix`, by default `?` or `&` as the URL needs).
    /// The signature is valid for `lifetime` seconds (int or float; default: the core's `UrlSigner::DEFAULT_LIFETIME`, ska's), or
    /// until `valid_until` (Unix seconds) when given;
    /// `extra` (a dict of str, int, float, bool or None values) is signed and sent along.
    #[pyo3(signature = (url, user, *, lifetime = None, valid_until = None, extra = None, suffix = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_url(
        &self,
        py: Python<'_>,
        url: &str,
        user: &str,
        lifetime: Option<&Bound<'_, PyAny>>,
        valid_until: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
        suffix: Option<&str>,
    ) -> PyResult<String> {
        let lifetime = opt_seconds("lifetime", lifetime)?.map(whole_secs);
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
    #[pyo3(signature = (user, *, lifetime = None, valid_until = None, extra = None))]
    fn sign_params<'py>(
        &self,
        py: Python<'py>,
        user: &str,
        lifetime: Option<&Bound<'_, PyAny>>,
        valid_until: Option<&Bound<'_, PyAny>>,
        extra: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let lifetime = opt_seconds("lifetime", lifetime)?.map(whole_secs);
        let sig = self.signature(py, user, lifetime, valid_until, extra)?;
        let out = PyDict::new(py);
        for (k, v) in sig.to_dict(self.inner.param_names()) {
            out.set_item(k, v)?;
        }
        Ok(out)
    }

    /// The value dumper in use: `"python"` or `"javascript"`.
    #[getter]
    fn value_dumper(&self) -> &'static str {
        self.inner.value_dumper().name()
    }

    /// The quoter in use: `"python"` or `"javascript"`.
    #[getter]
    fn quoter(&self) -> &'static str {
        self.inner.quoter().name()
    }

    /// Validates a signed URL and returns what it carried, or raises (`BadSignature`, `Expired`, ...).
    fn validate_url(&self, url: &str) -> PyResult<PySignedData> {
        let data = self.inner.validate_url(url).map_err(|r| py_err(r.into()))?;
        Ok(PySignedData::new(data))
    }

    /// Validates signature parameters (a dict, or a list of (name, value) pairs as a query string has them).
    fn validate(&self, params: &Bound<'_, PyAny>) -> PyResult<PySignedData> {
        let data = self.validate_any(params)?.map_err(|r| py_err(r.into()))?;
        Ok(PySignedData::new(data))
    }

    /// For `countermark.compat.ska`: every failure as (ska code, ska message) instead of one exception, as
    /// ska's `SignatureValidationResult` reports them; the data when there is none.
    fn _validate_report(&self, params: &Bound<'_, PyAny>) -> PyResult<Report> {
        match self.validate_any(params)? {
            Ok(data) => Ok((Some(PySignedData::new(data)), Vec::new())),
            Err(r) => Ok((
                None,
                r.failures()
                    .iter()
                    .map(|f| (f.code(), f.message()))
                    .collect(),
            )),
        }
    }

    /// For `countermark.compat.ska`'s request validation: the failures (ska code, ska message) of request data
    /// given as a dict of `str` (empty when valid), or `None` when `compat.ska` must take its general path (see
    /// `validate_dict`).
    fn _validate_request(
        &self,
        data: &Bound<'_, PyDict>,
    ) -> PyResult<Option<Vec<(u8, &'static str)>>> {
        Ok(self.validate_dict(data, true)?.map(|r| match r {
            Ok(_) => Vec::new(),
            Err(r) => r
                .failures()
                .iter()
                .map(|f| (f.code(), f.message()))
                .collect(),
        }))
    }
}
