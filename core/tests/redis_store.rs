//! RedisNonceStore against a real redis-server. `make test` starts one on a loopback port and sets
//! COUNTERMARK_REDIS_URL; with the `redis` feature on and no URL the test fails rather than skipping.
#![cfg(feature = "redis")]

use std::sync::{Arc, Barrier};
use std::time::Duration;

use countermark::replay::{NonceStore, RedisNonceStore};
use countermark::{Clock, ErrorKind, RandomSource as _, SystemClock};

fn url() -> String {
    std::env::var("COUNTERMARK_REDIS_URL")
        .expect("COUNTERMARK_REDIS_URL must point at a test redis-server (make test starts one)")
}

fn unique(tag: &str) -> Vec<u8> {
    let mut v = format!("{tag}:{}:", std::process::id()).into_bytes();
    let mut r = [0u8; 8];
    countermark::OsRandom.fill(&mut r).unwrap();
    v.extend_from_slice(&r);
    v
}

#[test]
fn insert_replay_and_expiry() {
    let store = RedisNonceStore::open(&url())
        .unwrap()
        .with_prefix("countermark-test:");
    let now = SystemClock.now();
    let v = unique("basic");
    store
        .check_and_insert(&v, now.saturating_add_secs(1), now)
        .unwrap();
    assert_eq!(
        store
            .check_and_insert(&v, now.saturating_add_secs(1), now)
            .unwrap_err()
            .kind(),
        ErrorKind::Replayed
    );
    std::thread::sleep(Duration::from_millis(1100));
    let later = SystemClock.now();
    store
        .check_and_insert(&v, later.saturating_add_secs(1), later)
        .unwrap();
}

#[test]
fn sixteen_threads_racing_one_nonce_get_exactly_one_acceptance() {
    for _ in 0..20 {
        let v = Arc::new(unique("race"));
        let barrier = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (barrier, v) = (barrier.clone(), v.clone());
                std::thread::spawn(move || {
                    // A store shares one connection behind a lock, so each thread opens its own to race for real.
                    let own = RedisNonceStore::open(&url())
                        .unwrap()
                        .with_prefix("countermark-test:");
                    barrier.wait();
                    let now = SystemClock.now();
                    own.check_and_insert(&v, now.saturating_add_secs(40), now)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| e.kind() == ErrorKind::Replayed));
    }
}

#[test]
fn unreachable_server_fails_closed() {
    // Port 1 on loopback: nothing listens there.
    let store = RedisNonceStore::open("redis://127.0.0.1:1/0")
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    let now = SystemClock.now();
    let err = store
        .check_and_insert(b"x", now.saturating_add_secs(5), now)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(!format!("{store:?}").contains("127.0.0.1"));
}
