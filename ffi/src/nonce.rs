//! Nonce stores: atomic check-and-insert of single-use values, shared by the verifiers.

use std::sync::Arc;

use cm::{MemoryNonceStore, NonceStore};

use crate::boundary::{bytes, core, guard, guard_value, opt_text, out_ptr, text, write, FfiResult};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::ArcHandle;
use crate::result::countermark_result;

/// The default capacity of a memory nonce store (values remembered at once). A literal so the header can carry it;
/// a test keeps it equal to the core's `MemoryNonceStore::DEFAULT_CAPACITY`.
pub const COUNTERMARK_MEMORY_NONCE_STORE_DEFAULT_CAPACITY: usize = 100_000;

/// A store of single-use values (nonces, seen signatures): in memory (one process) or in Redis (a fleet).
/// Immutable handle over a synchronised store, reference counted: thread-safe. Policies keep their own reference.
/// Every failure of a store refuses the credential (fail closed).
pub struct countermark_nonce_store {
    _private: [u8; 0],
}

impl ArcHandle for countermark_nonce_store {
    type Rust = Arc<dyn NonceStore>;
}

/// The store behind a nullable handle.
///
/// # Safety
/// `store` is NULL or a live handle.
pub(crate) unsafe fn opt_store(
    store: *const countermark_nonce_store,
) -> FfiResult<Option<Arc<dyn NonceStore>>> {
    if store.is_null() {
        return Ok(None);
    }
    // SAFETY: per the contract.
    Ok(Some(Arc::clone(unsafe {
        countermark_nonce_store::get(store)
    }?)))
}

/// Writes to `*out` a new in-process store holding at most `capacity` unexpired values (0 for
/// `COUNTERMARK_MEMORY_NONCE_STORE_DEFAULT_CAPACITY`). The store is split into 16 shards of `capacity / 16`
/// values each (rounded up), chosen by a keyed hash of the value: a shard whose share is full of unexpired values
/// refuses new ones with `UNAVAILABLE` (rather than forget old ones) even when other shards have room, so size it
/// with headroom (expected live values x 2). Free with `countermark_nonce_store_free`.
#[no_mangle]
pub unsafe extern "C" fn countermark_nonce_store_new_memory(
    capacity: usize,
    out: *mut *const countermark_nonce_store,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let capacity = if capacity == 0 {
            COUNTERMARK_MEMORY_NONCE_STORE_DEFAULT_CAPACITY
        } else {
            capacity
        };
        let store: Arc<dyn NonceStore> = Arc::new(MemoryNonceStore::new(capacity));
        // SAFETY: checked above.
        unsafe { write(out, countermark_nonce_store::into_ptr(store)) };
        Ok(())
    })
}

/// Writes to `*out` a store in Redis at `url`: one server (`redis://[user:password@]host:port/db`), a Redis
/// Cluster (`redis+cluster://[user:password@]host:port,host:port,...`) or the master that Sentinels name
/// (`redis+sentinel://[user:password@]host:port,host:port,.../service/db`), using `SET key NX PX ttl` under the
/// key prefix `prefix` (`(NULL, 0)` for `countermark:nonce:`). Threads check in parallel over a small pool of
/// connections; `?connect_timeout_ms=N&response_timeout_ms=N&max_connections=N` on the URL change the timeouts
/// and the pool's size (defaults and rules: the core's `RedisNonceStore`). Nothing is sent until first use; an
/// unreachable, slow or failing server makes the check answer `UNAVAILABLE`, never `OK`. `INVALID_VALUE` for a
/// URL the client cannot read (the URL is never repeated in a message); `UNSUPPORTED_ALGORITHM` when the
/// library was built without the `redis` feature.
#[no_mangle]
pub unsafe extern "C" fn countermark_nonce_store_new_redis(
    url: *const u8,
    url_len: usize,
    prefix: *const u8,
    prefix_len: usize,
    out: *mut *const countermark_nonce_store,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (url, prefix) = unsafe { (text(url, url_len)?, opt_text(prefix, prefix_len)?) };
        let store = redis_store(url, prefix)?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_nonce_store::into_ptr(store)) };
        Ok(())
    })
}

#[cfg(feature = "redis")]
fn redis_store(url: &str, prefix: Option<&str>) -> FfiResult<Arc<dyn NonceStore>> {
    let mut store = core(cm::replay::RedisNonceStore::open(url))?;
    if let Some(prefix) = prefix {
        store = store.with_prefix(prefix);
    }
    Ok(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
fn redis_store(_url: &str, _prefix: Option<&str>) -> FfiResult<Arc<dyn NonceStore>> {
    Err(countermark_result::UnsupportedAlgorithm)
}

/// Records `value` (at most 1024 bytes) as used for `ttl_secs` seconds from the clock's now (`clock` NULL for the
/// system clock) if it is not recorded already: `OK` the first time, `REPLAYED` after, `UNAVAILABLE` when the
/// store cannot answer (full, unreachable), `TOO_LARGE` over 1024 bytes. Atomic across threads and, for Redis,
/// across processes. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_nonce_store_check_and_insert(
    store: *const countermark_nonce_store,
    value: *const u8,
    value_len: usize,
    ttl_secs: u64,
    clock: *const countermark_clock,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (store, value, clock) = unsafe {
            (
                countermark_nonce_store::get(store)?,
                bytes(value, value_len)?,
                clock_or_system(clock)?,
            )
        };
        let now = clock.now();
        core(store.check_and_insert(value, now.saturating_add_secs(ttl_secs), now))
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_nonce_store_free(store: *const countermark_nonce_store) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_nonce_store::free(store) })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_constant_is_the_core_default() {
        assert_eq!(
            super::COUNTERMARK_MEMORY_NONCE_STORE_DEFAULT_CAPACITY,
            cm::MemoryNonceStore::DEFAULT_CAPACITY
        );
    }
}
