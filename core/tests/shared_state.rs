//! Shared state failing (issue 8): a full MemoryNonceStore and a Redis server stopped mid-run make every verifier
//! that needs a nonce fail closed with `Unavailable`, never accept. The Redis test starts and stops its own
//! `redis-server` (make test installs it) on a free loopback port.

mod common;

use std::sync::Arc;

use common::{s, vectors_dir};
use countermark::jwt::{Policy as JwtPolicy, Token};
use countermark::{
    ErrorKind, FixedClock, MemoryNonceStore, NonceStore, SigningKey, UnverifiedJwt, VerifyingKey,
};
use serde_json::Value as Json;

const NOW: i64 = 1_700_000_000;

fn ed25519() -> (SigningKey, VerifyingKey) {
    let text = std::fs::read_to_string(vectors_dir().join("asym_jwt.json")).unwrap();
    let keys = serde_json::from_str::<Json>(&text).unwrap()["keys"]["ed25519"].clone();
    (
        SigningKey::from_pem(s(&keys, "private_pem")).unwrap(),
        VerifyingKey::from_pem(s(&keys, "public_pem")).unwrap(),
    )
}

fn verify(token: &str, key: &VerifyingKey, policy: &JwtPolicy) -> Result<(), ErrorKind> {
    UnverifiedJwt::parse(token)
        .and_then(|u| u.verify(key, policy))
        .map(|_| ())
        .map_err(|e| e.kind())
}

fn token(key: &SigningKey, nonce: &str) -> String {
    Token::from_parts("alice", NOW, nonce)
        .unwrap()
        .sign(key)
        .unwrap()
}

#[test]
fn a_full_memory_store_refuses_new_nonces_instead_of_forgetting_live_ones() {
    let (sk, vk) = ed25519();
    // 16 shards of one entry each: at most 16 live nonces.
    let store: Arc<dyn NonceStore> = Arc::new(MemoryNonceStore::new(16));
    let policy = JwtPolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_nonce_store(store);
    let mut accepted = Vec::new();
    let mut refused = 0;
    // 2000 fresh nonces spread over 16 shards by a keyed hash: every shard is hit (a shard missed by all of them
    // has probability 16 * (15/16)^2000, about 1e-55), so exactly 16 are accepted.
    for i in 0..2000 {
        let t = token(&sk, &format!("nonce-{i}"));
        match verify(&t, &vk, &policy) {
            Ok(()) => accepted.push(t),
            Err(ErrorKind::Unavailable) => refused += 1,
            Err(other) => panic!("a valid token got {other:?}"),
        }
    }
    // The first value meets an empty store: it is accepted (a store that refuses everything fails here).
    assert_eq!(
        accepted.first(),
        Some(&token(&sk, "nonce-0")),
        "a fresh value in an empty store"
    );
    assert_eq!(accepted.len(), 16, "{} accepted", accepted.len());
    assert_eq!(refused, 2000 - 16);
    // Every accepted token is still remembered: none of them passes twice.
    for t in &accepted {
        assert_eq!(verify(t, &vk, &policy), Err(ErrorKind::Replayed));
    }
}

/// The lower bound beside the upper one: a store with room accepts every fresh value, once, also when 16 threads
/// present different nonces at the same moment (exactly 16 x 32 acceptances, then exactly as many replays).
#[test]
fn a_store_with_room_accepts_every_fresh_nonce_exactly_once_under_concurrency() {
    use std::sync::Barrier;
    let (sk, vk) = ed25519();
    let (sk, vk) = (Arc::new(sk), Arc::new(vk));
    let store: Arc<dyn NonceStore> = Arc::new(MemoryNonceStore::default());
    let policy = Arc::new(
        JwtPolicy::new()
            .with_clock(Arc::new(FixedClock::at_secs(NOW)))
            .with_nonce_store(store),
    );
    let run = |barrier: Arc<Barrier>| {
        let handles: Vec<_> = (0..16)
            .map(|t| {
                let (sk, vk, policy, barrier) =
                    (sk.clone(), vk.clone(), policy.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let tokens: Vec<String> =
                        (0..32).map(|i| token(&sk, &format!("t{t}-n{i}"))).collect();
                    barrier.wait();
                    tokens
                        .iter()
                        .map(|tok| verify(tok, &vk, &policy))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    };
    let first = run(Arc::new(Barrier::new(16)));
    assert_eq!(first.len(), 16 * 32);
    assert!(first.iter().all(|r| r.is_ok()), "{first:?}");
    let second = run(Arc::new(Barrier::new(16)));
    assert!(
        second.iter().all(|r| *r == Err(ErrorKind::Replayed)),
        "{second:?}"
    );
}

#[cfg(feature = "redis")]
mod redis {
    use super::*;
    use countermark::replay::RedisNonceStore;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    struct Server {
        child: Child,
        port: u16,
        dir: std::path::PathBuf,
    }

    impl Server {
        fn start(port: u16, dir: &std::path::Path) -> Server {
            let child = Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no", "--dir"])
                .arg(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server must be installed (make test installs it)");
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "redis-server did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            Server {
                child,
                port,
                dir: dir.to_path_buf(),
            }
        }

        fn stop(mut self) -> (u16, std::path::PathBuf) {
            self.child.kill().unwrap();
            self.child.wait().unwrap();
            (self.port, self.dir.clone())
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    #[test]
    fn redis_stopped_mid_run_fails_closed_then_recovers() {
        let (sk, vk) = ed25519();
        let dir = std::env::temp_dir().join(format!("countermark-redis-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let server = Server::start(free_port(), &dir);
        let store = RedisNonceStore::open(&format!("redis://127.0.0.1:{}/0", server.port))
            .unwrap()
            .with_prefix(&format!("shared-state-{}:", std::process::id()))
            .with_timeout(Duration::from_millis(300));
        let policy = JwtPolicy::new()
            .with_clock(Arc::new(FixedClock::at_secs(NOW)))
            .with_nonce_store(Arc::new(store));

        let first = token(&sk, "before-stop");
        assert_eq!(verify(&first, &vk, &policy), Ok(()));
        assert_eq!(verify(&first, &vk, &policy), Err(ErrorKind::Replayed));

        let (port, dir) = server.stop();
        // Down: a fresh valid token and the already-used one are both refused, with Unavailable.
        let second = token(&sk, "while-down");
        for t in [&second, &first] {
            assert_eq!(verify(t, &vk, &policy), Err(ErrorKind::Unavailable));
        }

        // Back up (empty: it kept nothing): the store reconnects and works again.
        let server = Server::start(port, &dir);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match verify(&second, &vk, &policy) {
                Ok(()) => break,
                Err(ErrorKind::Unavailable) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100))
                }
                other => panic!("after restart: {other:?}"),
            }
        }
        assert_eq!(verify(&second, &vk, &policy), Err(ErrorKind::Replayed));
        server.stop();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
