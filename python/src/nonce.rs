//! Nonce stores: where single-use values are remembered until they expire.

use std::sync::Arc;

use countermark::{MemoryNonceStore, NonceStore};
use pyo3::prelude::*;

use crate::common::{clock_or_system, seconds, whole_secs, PyClock};
use crate::errors::IntoPy;

/// A store of used nonces (and remembered signatures), shared by policies. Thread-safe.
///
/// `NonceStore.memory(capacity)` keeps them in this process (full: new values are refused, fail closed);
/// `NonceStore.redis(url, prefix=...)` keeps them in Redis for a fleet (unreachable: `Unavailable`).
#[pyclass(name = "NonceStore", module = "countermark", frozen)]
pub(crate) struct PyNonceStore {
    pub(crate) inner: Arc<dyn NonceStore>,
    kind: &'static str,
    capacity: Option<usize>,
}

#[pymethods]
impl PyNonceStore {
    /// An in-memory store of at most `capacity` live values (default: the core's
    /// `MemoryNonceStore::DEFAULT_CAPACITY`).
    #[staticmethod]
    #[pyo3(signature = (capacity = None))]
    fn memory(capacity: Option<usize>) -> Self {
        let store = match capacity {
            Some(n) => MemoryNonceStore::new(n),
            None => MemoryNonceStore::default(),
        };
        PyNonceStore {
            capacity: Some(store.capacity()),
            inner: Arc::new(store),
            kind: "memory",
        }
    }

    /// A Redis store at `url`, keys prefixed by `prefix`: one server (`redis://[user:password@]host:port/db`), a
    /// Redis Cluster (`redis+cluster://host:port,host:port,...`) or the master Sentinels name
    /// (`redis+sentinel://host:port,.../service/db`); `?connect_timeout_ms=&response_timeout_ms=&max_connections=`
    /// change the core's defaults. A failing server refuses (`Unavailable`), never accepts.
    #[staticmethod]
    #[pyo3(signature = (url, *, prefix = None))]
    fn redis(url: &str, prefix: Option<&str>) -> PyResult<Self> {
        Self::open_redis(url, prefix)
    }

    /// A store kept by Python code: `add(key, ttl)` must atomically record `key` (a `str`, at most 192 ASCII
    /// characters, under memcached's 250: a prefix of at most 128 and the hex SHA-256 of the value) for `ttl` seconds (an `int` >= 1) and return `True`,
    /// or return `False` if `key` is already recorded — the contract of Django's `cache.add`. An exception raised
    /// by `add`, or a result that is not a `bool`, refuses the credential with `Unavailable` (fail closed).
    #[staticmethod]
    #[pyo3(signature = (add, *, prefix = "countermark:nonce:"))]
    fn from_callable(add: Bound<'_, PyAny>, prefix: &str) -> PyResult<Self> {
        if !add.is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "NonceStore.from_callable needs a callable add(key, ttl) -> bool",
            ));
        }
        if prefix.len() > 128 || !prefix.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "the prefix must be at most 128 visible ASCII characters",
            ));
        }
        Ok(PyNonceStore {
            inner: Arc::new(CallableStore {
                add: add.unbind(),
                prefix: prefix.to_owned(),
            }),
            kind: "from_callable",
            capacity: None,
        })
    }

    /// Records `value` as used for `ttl` seconds (int or float); raises `Replayed` if it already is.
    #[pyo3(signature = (value, ttl, *, clock = None))]
    fn check_and_insert(
        &self,
        py: Python<'_>,
        value: &[u8],
        ttl: &Bound<'_, PyAny>,
        clock: Option<&PyClock>,
    ) -> PyResult<()> {
        let ttl = whole_secs(seconds("ttl", ttl)?);
        let clock = clock_or_system(clock);
        let now = clock.now();
        let store = Arc::clone(&self.inner);
        // A Redis round trip can take a while: let other Python threads run meanwhile.
        py.detach(|| store.check_and_insert(value, now.saturating_add_secs(ttl), now))
            .py()
    }

    /// How many live values a memory store holds at most; None for the other kinds.
    #[getter]
    fn capacity(&self) -> Option<usize> {
        self.capacity
    }

    fn __repr__(&self) -> String {
        format!("NonceStore.{}(...)", self.kind)
    }
}

impl PyNonceStore {
    #[cfg(feature = "redis")]
    fn open_redis(url: &str, prefix: Option<&str>) -> PyResult<Self> {
        let mut store = countermark::replay::RedisNonceStore::open(url).py()?;
        if let Some(prefix) = prefix {
            store = store.with_prefix(prefix);
        }
        Ok(PyNonceStore {
            inner: Arc::new(store),
            kind: "redis",
            capacity: None,
        })
    }

    #[cfg(not(feature = "redis"))]
    fn open_redis(_url: &str, _prefix: Option<&str>) -> PyResult<Self> {
        Err(pyo3::exceptions::PyRuntimeError::new_err(
            "this build of countermark has no Redis support",
        ))
    }
}

/// A nonce store kept by a Python callable (Django's `cache.add`): see `NonceStore.from_callable`.
const HEX: &[u8; 16] = b"0123456789abcdef";

struct CallableStore {
    add: Py<PyAny>,
    prefix: String,
}

impl NonceStore for CallableStore {
    fn check_and_insert(
        &self,
        value: &[u8],
        expires_at: countermark::UnixTime,
        now: countermark::UnixTime,
    ) -> countermark::Result<()> {
        use countermark::{Error, ErrorKind};
        use sha2::{Digest as _, Sha256};
        if value.len() > countermark::replay::MAX_NONCE_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "nonce store values are at most {} bytes",
                    countermark::replay::MAX_NONCE_LEN
                ),
            ));
        }
        // Hashed: cache keys stay short and printable (memcached allows 250 ASCII bytes) whatever the value.
        let digest = Sha256::digest(value);
        let mut key = String::with_capacity(self.prefix.len() + 64);
        key.push_str(&self.prefix);
        for b in digest {
            key.push(char::from(HEX[usize::from(b >> 4)]));
            key.push(char::from(HEX[usize::from(b & 15)]));
        }
        // Rounded up, so the value is never forgotten before its credential expires.
        let ttl = expires_at
            .secs()
            .saturating_sub(now.secs())
            .saturating_add(i64::from(expires_at.subsec_nanos() > now.subsec_nanos()))
            .max(1);
        let unavailable = |why: &str| {
            Error::new(
                ErrorKind::Unavailable,
                format!("the nonce store could not answer: {why}"),
            )
        };
        Python::attach(|py| {
            // The exception itself is not carried over: its text could hold anything (a cache URL with a password).
            let added = self.add.call1(py, (key, ttl)).map_err(|e| {
                let class = e.get_type(py).name().map(|n| n.to_string());
                unavailable(&format!("add() raised {}", class.unwrap_or_default()))
            })?;
            match added.extract::<bool>(py) {
                Ok(true) => Ok(()),
                Ok(false) => Err(Error::new(
                    ErrorKind::Replayed,
                    "this single-use value was already used",
                )),
                Err(_) => Err(unavailable("add() did not return a bool")),
            }
        })
    }
}
