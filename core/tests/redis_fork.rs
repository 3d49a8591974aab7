//! A process that forks after using a RedisNonceStore (a pre-forking web server that opened the store before
//! forking its workers): the child must open its own connection, never talk over the parent's socket (two
//! processes on one socket could each read the other's reply, and take another check's OK for their own). Alone
//! in its file, so the fork happens in a process running no other test. Needs COUNTERMARK_REDIS_URL (make test).
#![cfg(all(feature = "redis", unix))]

use std::time::{Duration, Instant};

use countermark::replay::{NonceStore, RedisNonceStore};
use countermark::{Clock, ErrorKind, RandomSource as _, SystemClock};

fn check(store: &dyn NonceStore, value: &[u8]) -> countermark::Result<()> {
    let now = SystemClock.now();
    store.check_and_insert(value, now.saturating_add_secs(40), now)
}

fn connected_clients(url: &str) -> usize {
    let mut conn = redis::Client::open(url)
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(1))
        .unwrap();
    let info: String = redis::cmd("INFO").arg("clients").query(&mut conn).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("connected_clients:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_forked_child_opens_its_own_connection() {
    let url = std::env::var("COUNTERMARK_REDIS_URL")
        .expect("COUNTERMARK_REDIS_URL must point at a test redis-server (make test starts one)");
    let mut tag = [0u8; 8];
    countermark::OsRandom.fill(&mut tag).unwrap();
    let value = |n: u32| format!("fork:{tag:02x?}:{n}").into_bytes();
    let store = RedisNonceStore::open(&url).unwrap();
    check(&store, &value(1)).unwrap();
    let before = connected_clients(&url);

    // SAFETY: the child only uses the store (its own code paths and the redis client), then leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let ok = check(&store, &value(2)).is_ok();
        // Keep the child's connection open while the parent counts the server's clients.
        std::thread::sleep(Duration::from_millis(1500));
        // SAFETY: ends the child without running the parent's destructors or test harness.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }

    // The child's own connection shows up beside the parent's (and this test's counting one).
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut during = connected_clients(&url);
    while during <= before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        during = connected_clients(&url);
    }
    let mut status = 0;
    // SAFETY: waits for the child this test forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child's check failed: {status}"
    );
    assert_eq!(
        during,
        before + 1,
        "the child did not open a connection of its own"
    );

    // The parent's connection still works, and sees what the child recorded.
    assert_eq!(
        check(&store, &value(2)).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    check(&store, &value(3)).unwrap();
}
