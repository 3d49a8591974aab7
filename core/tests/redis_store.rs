//! RedisNonceStore against real redis-servers. `make test` starts one on a loopback port and sets
//! COUNTERMARK_REDIS_URL; with the `redis` feature on and no URL the test fails rather than skipping. The tests
//! that stop, kill, freeze or cluster servers start their own (`redis-server` from PATH, which tests/with-redis.sh
//! installs), each on a free loopback port, and stop them when done.
#![cfg(all(feature = "redis", unix))]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

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

fn check(store: &dyn NonceStore, value: &[u8]) -> countermark::Result<()> {
    let now = SystemClock.now();
    store.check_and_insert(value, now.saturating_add_secs(40), now)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A redis-server (or Sentinel) this test started; killed and its directory removed on drop.
struct Server {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    extra: Vec<String>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("countermark-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = Server {
            child: None,
            port,
            dir,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        server.restart();
        server
    }

    /// Starts (again) on the same port.
    fn restart(&mut self) {
        assert!(self.child.is_none());
        let mut args: Vec<String> = Vec::new();
        if self.extra.first().map(String::as_str) == Some("--sentinel-of") {
            // Sentinel mode needs a config file it can rewrite.
            let conf = self.dir.join("sentinel.conf");
            std::fs::write(
                &conf,
                format!(
                    "port {}\nbind 127.0.0.1\ndir {}\nsentinel monitor mymaster 127.0.0.1 {} 1\n\
                     sentinel down-after-milliseconds mymaster 300\nsentinel failover-timeout mymaster 3000\n",
                    self.port,
                    self.dir.display(),
                    self.extra[1]
                ),
            )
            .unwrap();
            args.push(conf.display().to_string());
            args.push("--sentinel".into());
        } else {
            for a in [
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                &self.dir.display().to_string(),
            ] {
                args.push(a.to_string());
            }
            args.extend(self.extra.iter().cloned());
        }
        let child = Command::new("redis-server")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (tests/with-redis.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not start",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn answers(&self) -> bool {
        let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)) else {
            return false;
        };
        client
            .get_connection_with_timeout(Duration::from_millis(200))
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.as_ref().unwrap().id()).unwrap();
        // SAFETY: signals the redis-server this test started (still its child, not yet waited for).
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> T {
        let client = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).unwrap();
        let mut conn = client
            .get_connection_with_timeout(Duration::from_secs(1))
            .unwrap();
        cmd.query(&mut conn).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
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
fn sixteen_threads_racing_one_nonce_through_one_store_get_exactly_one_acceptance() {
    // One store, as a server shares it between its threads: its connections run the checks in parallel.
    race(16);
}

#[test]
fn sixteen_threads_racing_one_nonce_over_one_connection_get_exactly_one_acceptance() {
    // One connection: the racing checks travel together in pipelines, the same value several times in one.
    race(1);
}

fn race(connections: usize) {
    let store = Arc::new(
        RedisNonceStore::open(&url())
            .unwrap()
            .with_prefix("countermark-test:")
            .with_max_connections(connections),
    );
    for _ in 0..20 {
        let v = Arc::new(unique("race"));
        let barrier = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (barrier, v, store) = (barrier.clone(), v.clone(), store.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    check(store.as_ref(), &v)
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
fn more_threads_than_connections_take_turns_and_the_store_keeps_its_bound() {
    let server = Server::start(&[]);
    let store = Arc::new(
        RedisNonceStore::open(&server.url())
            .unwrap()
            .with_max_connections(3),
    );
    let handles: Vec<_> = (0..12)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    check(store.as_ref(), format!("turns:{t}:{i}").as_bytes()).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // Every value once: a second round is all replays.
    for t in 0..12 {
        for i in 0..50 {
            let err = check(store.as_ref(), format!("turns:{t}:{i}").as_bytes()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Replayed);
        }
    }
    let clients: String = server.query(redis::cmd("INFO").arg("clients"));
    let connected: usize = clients
        .lines()
        .find_map(|l| l.strip_prefix("connected_clients:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The store's connections and the one asking.
    assert!(connected <= 3 + 1, "{connected} clients: {clients}");
}

#[test]
fn unreachable_server_fails_closed() {
    // Port 1 on loopback: nothing listens there.
    let store = RedisNonceStore::open("redis://127.0.0.1:1/0")
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    let err = check(&store, b"x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(!format!("{store:?}").contains("127.0.0.1"));
}

#[test]
fn a_stopped_server_refuses_and_the_store_reconnects_when_it_is_back() {
    let mut server = Server::start(&[]);
    let store = RedisNonceStore::open(&server.url())
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    server.kill();
    // A value never seen: it would be accepted by a running server, and is refused.
    let err = check(&store, b"stopped:first").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    server.restart();
    check(&store, b"stopped:first").unwrap();
    assert_eq!(
        check(&store, b"stopped:first").unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn a_server_killed_between_two_checks_refuses_the_second_and_the_store_reconnects() {
    let mut server = Server::start(&[]);
    let store = RedisNonceStore::open(&server.url())
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    check(&store, b"killed:1").unwrap();
    server.kill();
    // The store holds an idle connection to the killed server: the check fails on it, retries on a new
    // connection, which cannot connect either, and refuses.
    let err = check(&store, b"killed:2").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(
        check(&store, b"killed:2").unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    server.restart();
    check(&store, b"killed:2").unwrap();
    assert_eq!(
        check(&store, b"killed:2").unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn a_restart_between_two_checks_costs_no_refusal() {
    // The idle connection died with the old server; the check is sent again on a new one.
    let mut server = Server::start(&[]);
    let store = RedisNonceStore::open(&server.url()).unwrap();
    check(&store, b"restart:1").unwrap();
    server.kill();
    server.restart();
    check(&store, b"restart:2").unwrap();
    assert_eq!(
        check(&store, b"restart:2").unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn a_frozen_server_times_out_and_refuses_then_the_store_recovers() {
    let server = Server::start(&[]);
    let store = RedisNonceStore::open(&server.url())
        .unwrap()
        .with_timeout(Duration::from_millis(200));
    check(&store, b"frozen:1").unwrap();
    // SIGSTOP: the kernel still accepts connections and data, nothing answers.
    server.signal(libc::SIGSTOP);
    let err = check(&store, b"frozen:2");
    // Many threads at once over one connection: the pipeline carrying them times out, every one is refused.
    let store = Arc::new(store.with_max_connections(1));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || check(store.as_ref(), format!("frozen:t{t}").as_bytes()))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    server.signal(libc::SIGCONT);
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Unavailable);
    for r in results {
        assert_eq!(r.unwrap_err().kind(), ErrorKind::Unavailable);
    }
    // The server ran the timed-out SET once it woke up: the value counts as used (a refusal, the safe side).
    assert_eq!(
        check(store.as_ref(), b"frozen:2").unwrap_err().kind(),
        ErrorKind::Replayed
    );
    check(store.as_ref(), b"frozen:3").unwrap();
}

#[test]
fn error_replies_refuse() {
    // A server that refuses writes (as a replica or a full server would): an error reply is not an acceptance.
    let server = Server::start(&[]);
    let store = RedisNonceStore::open(&server.url()).unwrap();
    check(&store, b"readonly:1").unwrap();
    let _: String = server.query(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg("1"));
    let err = check(&store, b"readonly:2").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    let _: String = server.query(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg("0"));
    check(&store, b"readonly:2").unwrap();
}

#[test]
fn url_options_reach_the_store() {
    let server = Server::start(&[]);
    let store = RedisNonceStore::open(&format!(
        "{}?max_connections=2&connect_timeout_ms=300&response_timeout_ms=400",
        server.url()
    ))
    .unwrap();
    assert_eq!(store.max_connections(), 2);
    assert_eq!(store.response_timeout(), Duration::from_millis(400));
    check(&store, b"options:1").unwrap();
    assert_eq!(
        check(&store, b"options:1").unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn sentinel_url_finds_the_master() {
    let master = Server::start(&[]);
    let sentinel = Server::start(&["--sentinel-of", &master.port.to_string()]);
    let store = RedisNonceStore::open(&format!(
        "redis+sentinel://127.0.0.1:1,127.0.0.1:{}/mymaster/0",
        sentinel.port
    ))
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    check(&store, b"sentinel:1").unwrap();
    assert_eq!(
        check(&store, b"sentinel:1").unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // The value is on the master.
    let on_master: Option<String> =
        master.query(redis::cmd("GET").arg("countermark:nonce:sentinel:1"));
    assert_eq!(on_master.as_deref(), Some("1"));

    let unknown = RedisNonceStore::open(&format!(
        "redis+sentinel://127.0.0.1:{}/other",
        sentinel.port
    ))
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    assert_eq!(
        check(&unknown, b"sentinel:2").unwrap_err().kind(),
        ErrorKind::Unavailable
    );
}

#[test]
fn sentinel_naming_a_replica_is_refused() {
    // A Sentinel whose master has become a replica (a failover under way): the store does not write there.
    let master = Server::start(&[]);
    let sentinel = Server::start(&["--sentinel-of", &master.port.to_string()]);
    let other = Server::start(&[]);
    let _: String = master.query(
        redis::cmd("REPLICAOF")
            .arg("127.0.0.1")
            .arg(other.port.to_string()),
    );
    let store = RedisNonceStore::open(&format!(
        "redis+sentinel://127.0.0.1:{}/mymaster",
        sentinel.port
    ))
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    let err = check(&store, b"sentinel:replica").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
}

#[test]
fn cluster_of_three_nodes() {
    let nodes: Vec<Server> = (0..3)
        .map(|_| {
            // The bus port defaults to the port + 10000, past 65535 for ports from the top of the ephemeral range.
            let bus = free_port().to_string();
            Server::start(&[
                "--cluster-enabled",
                "yes",
                "--cluster-node-timeout",
                "2000",
                "--cluster-port",
                &bus,
            ])
        })
        .collect();
    let addrs: Vec<String> = nodes
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port))
        .collect();
    let status = Command::new("redis-cli")
        .args(["--cluster", "create"])
        .args(&addrs)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "redis-cli --cluster create failed");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !nodes.iter().all(|n| {
        n.query::<String>(redis::cmd("CLUSTER").arg("INFO"))
            .contains("cluster_state:ok")
    }) {
        assert!(
            Instant::now() < deadline,
            "the cluster did not become ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let store = RedisNonceStore::open(&format!("redis+cluster://{}", addrs.join(",")))
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    // Enough values to land on every node's slots.
    for i in 0..60 {
        check(&store, format!("cluster:{i}").as_bytes()).unwrap();
    }
    for i in 0..60 {
        let err = check(&store, format!("cluster:{i}").as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Replayed);
    }
    let keys: Vec<usize> = nodes
        .iter()
        .map(|n| n.query::<usize>(&redis::cmd("DBSIZE")))
        .collect();
    assert_eq!(keys.iter().sum::<usize>(), 60);
    assert!(keys.iter().all(|k| *k > 0), "{keys:?}");

    // One node down: the values of its slots are refused, not accepted.
    let mut nodes = nodes;
    nodes[2].kill();
    let refused = (60..120)
        .filter_map(|i| check(&store, format!("cluster:{i}").as_bytes()).err())
        .inspect(|e| assert_eq!(e.kind(), ErrorKind::Unavailable))
        .count();
    assert!(refused > 0);
}

#[test]
fn sentinel_failover_is_followed() {
    let mut master = Server::start(&[]);
    let replica = Server::start(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !replica
        .query::<String>(redis::cmd("INFO").arg("replication"))
        .contains("master_link_status:up")
    {
        assert!(Instant::now() < deadline, "the replica did not sync");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sentinel = Server::start(&["--sentinel-of", &master.port.to_string()]);
    let store = RedisNonceStore::open(&format!(
        "redis+sentinel://127.0.0.1:{}/mymaster",
        sentinel.port
    ))
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    check(&store, b"failover:1").unwrap();
    // Wait until the Sentinel knows the replica (it learns it from the master's INFO), then kill the master.
    while !sentinel
        .query::<Vec<Vec<String>>>(redis::cmd("SENTINEL").arg("replicas").arg("mymaster"))
        .iter()
        .any(|r| r.iter().any(|f| f == &replica.port.to_string()))
    {
        assert!(
            Instant::now() < deadline,
            "the Sentinel did not learn of the replica"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Replication is asynchronous: wait until failover:1 reached the replica.
    while replica
        .query::<Option<String>>(redis::cmd("GET").arg("countermark:nonce:failover:1"))
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "failover:1 did not reach the replica"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    master.kill();
    // While the Sentinel still names the dead master: refused.
    assert_eq!(
        check(&store, b"failover:2").unwrap_err().kind(),
        ErrorKind::Unavailable
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let addr: Option<(String, String)> = sentinel.query(
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg("mymaster"),
        );
        if addr.is_some_and(|(_, port)| port == replica.port.to_string())
            && replica
                .query::<String>(redis::cmd("INFO").arg("replication"))
                .contains("role:master")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the Sentinel did not fail over");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The store follows the Sentinel to the promoted replica.
    check(&store, b"failover:2").unwrap();
    let on_new_master: Option<String> =
        replica.query(redis::cmd("GET").arg("countermark:nonce:failover:2"));
    assert_eq!(on_new_master.as_deref(), Some("1"));
    // failover:1 was replicated before the master died: still refused.
    assert_eq!(
        check(&store, b"failover:1").unwrap_err().kind(),
        ErrorKind::Replayed
    );
}
