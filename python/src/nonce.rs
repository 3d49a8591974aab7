//! Nonce stores: where single-use values are remembered until they expire.

use std::sync::Arc;

use countermark::{MemoryNonceStore, NonceStore};
use pyo3::prelude::*;

use crate::common::{clock_or_system, PyClock};
use crate::errors::IntoPy;

/// A store of used nonces (and remembered signatures), shared by policies. Thread-safe.
///
/// `NonceStore.memory(capacity)` keeps them in this process (full: new values are refused, fail closed);
/// `NonceStore.redis(url, prefix=...)` keeps them in Redis for a fleet (unreachable: `Unavailable`).
#[pyclass(name = "NonceStore", module = "countermark", frozen)]
pub(crate) struct PyNonceStore {
    pub(crate) inner: Arc<dyn NonceStore>,
    kind: &'static str,
}

#[pymethods]
impl PyNonceStore {
    /// An in-memory store of at most `capacity` live values.
    #[staticmethod]
    #[pyo3(signature = (capacity = 1_000_000))]
    fn memory(capacity: usize) -> Self {
        PyNonceStore {
            inner: Arc::new(MemoryNonceStore::new(capacity)),
            kind: "memory",
        }
    }

    /// A Redis store at `url` (`redis://host:port/db`), keys prefixed by `prefix`.
    #[staticmethod]
    #[pyo3(signature = (url, *, prefix = None))]
    fn redis(url: &str, prefix: Option<&str>) -> PyResult<Self> {
        Self::open_redis(url, prefix)
    }

    /// Records `value` as used for `ttl` seconds; raises `Replayed` if it already is.
    #[pyo3(signature = (value, ttl, *, clock = None))]
    fn check_and_insert(
        &self,
        py: Python<'_>,
        value: &[u8],
        ttl: u64,
        clock: Option<&PyClock>,
    ) -> PyResult<()> {
        let clock = clock_or_system(clock);
        let now = clock.now();
        let store = Arc::clone(&self.inner);
        // A Redis round trip can take a while: let other Python threads run meanwhile.
        py.detach(|| store.check_and_insert(value, now.saturating_add_secs(ttl), now))
            .py()
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
        })
    }

    #[cfg(not(feature = "redis"))]
    fn open_redis(_url: &str, _prefix: Option<&str>) -> PyResult<Self> {
        Err(pyo3::exceptions::PyRuntimeError::new_err(
            "this build of countermark has no Redis support",
        ))
    }
}
