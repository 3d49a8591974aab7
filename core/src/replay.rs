//! Replay protection: stores of single-use values (nonces, signatures) with expiry.
//!
//! A [`NonceStore`] answers one question atomically: *was this value seen before? If not, remember it until
//! `expires_at`.* Verifiers call it only after a credential's signature and time window have checked out, with a
//! value scoped by the scheme (`jwt:<user>:<time>:<nonce>`, `rfc9421:<keyid>:<nonce>`), and keep it until the
//! credential could no longer pass the time check anyway, so memory stays bounded by the traffic of one window.
//!
//! * [`MemoryNonceStore`]: the default; one process. Bounded (a fixed number of entries), sharded (16 locks),
//!   expired entries are evicted when a shard fills up, and when a shard is still full it **refuses**
//!   ([`ErrorKind::Unavailable`]) rather than forgetting live entries: a full store fails closed.
//! * `RedisNonceStore` (cargo feature `redis`): a fleet of processes, `SET key 1 NX PX ttl` on one server, a Redis
//!   Cluster or the master Sentinels name; threads share a small pool of connections and the checks waiting for
//!   one travel together in one pipeline; connect and response timeouts of 1 s by default.
//!
//! Any error other than [`ErrorKind::Replayed`] means the store could not answer; verifiers pass it on, so the
//! credential is refused (fail closed).
//!
//! ```
//! use countermark::replay::{MemoryNonceStore, NonceStore};
//! use countermark::{ErrorKind, UnixTime};
//!
//! let store = MemoryNonceStore::new(10_000);
//! let now = UnixTime::from_secs(1_700_000_000);
//! let until = UnixTime::from_secs(1_700_000_040);
//! store.check_and_insert(b"jwt:alice:1700000000:n0nce", until, now)?;
//! let again = store.check_and_insert(b"jwt:alice:1700000000:n0nce", until, now).unwrap_err();
//! assert_eq!(again.kind(), ErrorKind::Replayed);
//! # Ok::<(), countermark::Error>(())
//! ```

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use crate::clock::UnixTime;
use crate::error::{Error, ErrorKind, Result};

/// Longest value a store accepts, in bytes (callers hash longer values first).
pub const MAX_NONCE_LEN: usize = 1024;

/// An atomic check-and-insert store of single-use values.
pub trait NonceStore: Send + Sync {
    /// Records `value` as used until `expires_at` if it is not already recorded (and unexpired at `now`).
    ///
    /// # Errors
    /// [`ErrorKind::Replayed`] when `value` is already recorded; [`ErrorKind::Unavailable`] when the store cannot
    /// answer (full, unreachable); [`ErrorKind::TooLarge`] for a value over [`MAX_NONCE_LEN`] bytes. Every error
    /// means: do not accept the credential.
    fn check_and_insert(&self, value: &[u8], expires_at: UnixTime, now: UnixTime) -> Result<()>;
}

fn replayed() -> Error {
    Error::new(
        ErrorKind::Replayed,
        "this single-use value was already used",
    )
}

pub(crate) fn check_len(value: &[u8]) -> Result<()> {
    if value.len() > MAX_NONCE_LEN {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("nonce store values are at most {MAX_NONCE_LEN} bytes"),
        ));
    }
    Ok(())
}

/// Seen-signature mode of the nonce-less schemes: records `signature` of `scheme` under `key_id` until `until`, so
/// the same signed request is accepted once. The key id is length-prefixed, so no two (key id, signature) pairs
/// share a value.
pub(crate) fn remember_signature(
    store: &dyn NonceStore,
    scheme: &str,
    key_id: &str,
    signature: &str,
    until: UnixTime,
    now: UnixTime,
) -> Result<()> {
    let value = format!("{scheme}:{}:{key_id}:{signature}", key_id.len());
    store.check_and_insert(value.as_bytes(), until, now)
}

const SHARDS: usize = 16;

/// One shard: value -> expiry (Unix seconds).
type Shard = Mutex<HashMap<Box<[u8]>, i64, RandomState>>;

/// The in-process store: bounded, sharded, evicts expired entries, fails closed when full.
#[derive(Debug)]
pub struct MemoryNonceStore {
    shards: Vec<Shard>,
    per_shard: usize,
    router: RandomState,
}

impl MemoryNonceStore {
    /// Default capacity: entries across all shards.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding at most `capacity` live entries (rounded up to a multiple of 16, at least 16), in 16 shards
    /// of `capacity / 16` each chosen by a keyed hash: a shard whose share is full refuses new values (fail closed)
    /// even when others have room, so size it with headroom (about twice the expected live values).
    pub fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        MemoryNonceStore {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
            per_shard,
            router: RandomState::new(),
        }
    }

    /// The maximum number of live entries.
    pub fn capacity(&self) -> usize {
        self.per_shard * SHARDS
    }

    /// Live and expired-but-not-yet-evicted entries.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().map_or(0, |m| m.len()))
            .sum()
    }

    /// Whether the store holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryNonceStore {
    fn default() -> Self {
        MemoryNonceStore::new(Self::DEFAULT_CAPACITY)
    }
}

impl NonceStore for MemoryNonceStore {
    fn check_and_insert(&self, value: &[u8], expires_at: UnixTime, now: UnixTime) -> Result<()> {
        check_len(value)?;
        let shard = (self.router.hash_one(value) as usize) % SHARDS;
        let mut map = self.shards[shard]
            .lock()
            .map_err(|_| Error::new(ErrorKind::Unavailable, "nonce store lock poisoned"))?;
        let now_s = now.secs();
        if let Some(&until) = map.get(value) {
            if until > now_s {
                return Err(replayed());
            }
        }
        if map.len() >= self.per_shard && !map.contains_key(value) {
            map.retain(|_, until| *until > now_s);
            if map.len() >= self.per_shard {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "nonce store is full; refusing rather than forgetting a live entry",
                ));
            }
        }
        // An entry lives at least one second, so a value is never accepted twice within the same second.
        map.insert(value.into(), expires_at.secs().max(now_s + 1));
        Ok(())
    }
}

#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "redis")]
pub use redis_store::RedisNonceStore;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

    #[test]
    fn insert_replay_expire() {
        let s = MemoryNonceStore::new(100);
        let until = T0.saturating_add_secs(40);
        s.check_and_insert(b"a", until, T0).unwrap();
        assert_eq!(
            s.check_and_insert(b"a", until, T0).unwrap_err().kind(),
            ErrorKind::Replayed
        );
        assert_eq!(
            s.check_and_insert(b"a", until, T0.saturating_add_secs(39))
                .unwrap_err()
                .kind(),
            ErrorKind::Replayed
        );
        // After expiry the value may be recorded again (its credential can no longer pass the time check).
        s.check_and_insert(
            b"a",
            T0.saturating_add_secs(100),
            T0.saturating_add_secs(40),
        )
        .unwrap();
        s.check_and_insert(b"b", until, T0).unwrap();
        assert_eq!(
            s.check_and_insert(&[0u8; MAX_NONCE_LEN + 1], until, T0)
                .unwrap_err()
                .kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn full_store_fails_closed_then_recovers_after_expiry() {
        let s = MemoryNonceStore::new(16);
        let until = T0.saturating_add_secs(10);
        let mut refused = 0;
        for i in 0..200u32 {
            match s.check_and_insert(&i.to_be_bytes(), until, T0) {
                Ok(()) => {}
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Unavailable);
                    refused += 1;
                }
            }
        }
        assert!(refused > 0 && s.len() <= s.capacity());
        // Once the entries have expired, a full shard evicts them and accepts again.
        let later = T0.saturating_add_secs(11);
        s.check_and_insert(b"fresh", later.saturating_add_secs(10), later)
            .unwrap();
        assert!(s.len() <= s.capacity());
    }

    #[test]
    fn sixteen_threads_racing_one_nonce_get_exactly_one_acceptance() {
        for round in 0..50u32 {
            let store = Arc::new(MemoryNonceStore::default());
            let barrier = Arc::new(Barrier::new(16));
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    let (store, barrier) = (store.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        store.check_and_insert(&round.to_be_bytes(), T0.saturating_add_secs(40), T0)
                    })
                })
                .collect();
            let results: Vec<Result<()>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
            assert!(results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .all(|e| e.kind() == ErrorKind::Replayed));
        }
    }
}
