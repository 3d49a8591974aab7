//! RFC 9421 verification (HMAC-SHA256, a nonce in every signature) with its nonce store in memory and in Redis,
//! from 1, 4 and 16 threads sharing one policy: verifications per second and the latency of one verification
//! (p50, p99). Redis is measured twice: through `RedisNonceStore` (a pool of connections) and through the store
//! of 0.2 (one connection behind a mutex), rebuilt here with the same command, so both run against the same server
//! in the same run.
//!
//! Needs a redis-server at COUNTERMARK_REDIS_URL: `make bench` runs it under tests/with-redis.sh, or
//! `tests/with-redis.sh cargo bench -p countermark --features redis --bench redis_fleet`. Options after `--`:
//! `--ops N` verifications per run (default 48000, spread over the threads), `--repeats N` runs of every row,
//! interleaved (default 3; the table gives medians), `--json FILE`.

use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use countermark::http::message_signatures::Component;
use countermark::replay::{MemoryNonceStore, NonceStore, RedisNonceStore};
use countermark::{
    Algorithm, Error, ErrorKind, HmacKey, MessagePolicy, MessageSigner, MessageVerifyingKey,
    Request, Secret, UnixTime, UnverifiedMessageSignature,
};

/// The Redis store of 0.2: one connection, opened lazily, behind one mutex; the same `SET key 1 NX PX ttl`.
struct SingleConnection {
    client: redis::Client,
    conn: Mutex<Option<redis::Connection>>,
}

impl NonceStore for SingleConnection {
    fn check_and_insert(
        &self,
        value: &[u8],
        expires_at: UnixTime,
        now: UnixTime,
    ) -> countermark::Result<()> {
        let unavailable = || Error::new(ErrorKind::Unavailable, "redis: unavailable");
        let ttl_ms = ((expires_at.secs() - now.secs()).max(1) as u64) * 1000;
        let mut key = b"countermark:nonce:".to_vec();
        key.extend_from_slice(value);
        let mut guard = self.conn.lock().map_err(|_| unavailable())?;
        if guard.is_none() {
            let conn = self
                .client
                .get_connection_with_timeout(Duration::from_secs(1))
                .map_err(|_| unavailable())?;
            conn.set_read_timeout(Some(Duration::from_secs(1)))
                .and_then(|()| conn.set_write_timeout(Some(Duration::from_secs(1))))
                .map_err(|_| unavailable())?;
            *guard = Some(conn);
        }
        let conn = guard.as_mut().ok_or_else(unavailable)?;
        let reply: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query(conn);
        match reply {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(Error::new(ErrorKind::Replayed, "replayed")),
            Err(_) => {
                *guard = None;
                Err(unavailable())
            }
        }
    }
}

const BODY: &[u8] = br#"{"item": "book", "qty": 2}"#;

fn request() -> Request<'static> {
    Request::new("POST", "/api/orders/")
        .unwrap()
        .with_authority("https", "example.com")
        .with_body(BODY)
}

/// `n` signatures of the request, each with its own nonce: (Signature-Input, Signature).
fn signatures(signer: &MessageSigner, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|_| {
            let sig = signer.sign(&request()).unwrap();
            (
                sig.signature_input().to_string(),
                sig.signature().to_string(),
            )
        })
        .collect()
}

fn with_signature<'a>(headers: &'a (String, String)) -> Request<'a> {
    request()
        .with_header("Signature-Input", &headers.0)
        .unwrap()
        .with_header("Signature", &headers.1)
        .unwrap()
}

struct Row {
    store: String,
    threads: usize,
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

fn run(
    store_name: String,
    store: Arc<dyn NonceStore>,
    threads: usize,
    ops: usize,
    signer: &MessageSigner,
    key: &MessageVerifyingKey,
) -> Row {
    let policy = Arc::new(
        MessagePolicy::new()
            .require_nonce(true)
            .with_nonce_store(store),
    );
    let per_thread = ops / threads;
    // Warm-up (connections opened, caches filled) with requests of their own, then the measured run.
    let batches: Vec<_> = (0..threads)
        .map(|_| (signatures(signer, 50), signatures(signer, per_thread)))
        .collect();
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = batches
        .into_iter()
        .map(|(warm, measured)| {
            let (policy, key, barrier) = (policy.clone(), key.clone(), barrier.clone());
            std::thread::spawn(move || {
                let verify = |req: &Request| {
                    UnverifiedMessageSignature::parse_for(req, &policy)
                        .unwrap()
                        .expect("signature headers")
                        .verify(&key, &policy)
                        .expect("a fresh signature verifies");
                };
                let warm: Vec<Request> = warm.iter().map(with_signature).collect();
                let measured: Vec<Request> = measured.iter().map(with_signature).collect();
                warm.iter().for_each(verify);
                barrier.wait();
                let mut lat = Vec::with_capacity(measured.len());
                for req in &measured {
                    let t = Instant::now();
                    verify(req);
                    lat.push(t.elapsed());
                }
                barrier.wait();
                lat
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    barrier.wait();
    let wall = start.elapsed();
    let mut lat: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    Row {
        store: store_name,
        threads,
        per_sec: lat.len() as f64 / wall.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let ops: usize = arg("--ops").map_or(48_000, |n| n.parse().expect("--ops N"));
    let repeats: usize = arg("--repeats")
        .map_or(3, |n| n.parse().expect("--repeats N"))
        .max(1);
    let url = std::env::var("COUNTERMARK_REDIS_URL")
        .expect("COUNTERMARK_REDIS_URL: run under tests/with-redis.sh (make bench does)");

    let key = HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(b"benchmark secret of 32 bytes....".to_vec()).unwrap(),
    )
    .with_key_id(countermark::KeyId::new("k1").unwrap());
    let signer = MessageSigner::hmac(key.clone())
        .unwrap()
        .with_components(
            ["@method", "@authority", "@path"]
                .iter()
                .map(|c| Component::parse(c).unwrap()),
        )
        .unwrap()
        .with_random_nonces();
    let vkey = MessageVerifyingKey::hmac(key).unwrap();

    let mut rows = Vec::new();
    for threads in [1, 4, 16] {
        let mut stores: Vec<(String, Arc<dyn NonceStore>)> = vec![
            (
                "memory".into(),
                Arc::new(MemoryNonceStore::new(4 * ops * repeats)),
            ),
            (
                "redis: one connection behind a mutex (0.2)".into(),
                Arc::new(SingleConnection {
                    client: redis::Client::open(url.as_str()).unwrap(),
                    conn: Mutex::new(None),
                }),
            ),
        ];
        for n in [1, 2, 4, 8] {
            let store = RedisNonceStore::open(&url).unwrap().with_max_connections(n);
            let default = if n == RedisNonceStore::DEFAULT_MAX_CONNECTIONS {
                " (default)"
            } else {
                ""
            };
            stores.push((
                format!("redis: RedisNonceStore, at most {n} connection(s){default}"),
                Arc::new(store),
            ));
        }
        // Repeats interleaved (every store once, then again), so a change in the machine's load hits them alike.
        let mut samples: Vec<Vec<Row>> = stores.iter().map(|_| Vec::new()).collect();
        for _ in 0..repeats {
            for ((name, store), samples) in stores.iter().zip(&mut samples) {
                let row = run(name.clone(), store.clone(), threads, ops, &signer, &vkey);
                eprintln!(
                    "{:<60} {:>2} threads: {:>9.0} verifications/s, p50 {}, p99 {}",
                    row.store,
                    row.threads,
                    row.per_sec,
                    fmt(row.p50),
                    fmt(row.p99)
                );
                samples.push(row);
            }
        }
        for samples in samples {
            rows.push(Summary::of(samples));
        }
    }

    println!(
        "\n| nonce store | threads | verifications/s, median (min-max) of {repeats} | p50 | p99 |\n|---|---:|---:|---:|---:|"
    );
    for r in &rows {
        println!(
            "| {} | {} | {:.0} ({:.0}-{:.0}) | {} | {} |",
            r.store,
            r.threads,
            r.per_sec,
            r.per_sec_min,
            r.per_sec_max,
            fmt(r.p50),
            fmt(r.p99)
        );
    }
    if let Some(path) = arg("--json") {
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "store": r.store, "threads": r.threads, "repeats": repeats,
                    "per_sec": r.per_sec, "per_sec_min": r.per_sec_min, "per_sec_max": r.per_sec_max,
                    "p50_ns": r.p50.as_nanos() as u64, "p99_ns": r.p99.as_nanos() as u64,
                })
            })
            .collect();
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}

/// The medians of the repeats of one row (throughput, p50 and p99 each taken separately), and the throughput's
/// range.
struct Summary {
    store: String,
    threads: usize,
    per_sec: f64,
    per_sec_min: f64,
    per_sec_max: f64,
    p50: Duration,
    p99: Duration,
}

impl Summary {
    fn of(rows: Vec<Row>) -> Summary {
        let mut per_sec: Vec<f64> = rows.iter().map(|r| r.per_sec).collect();
        per_sec.sort_by(f64::total_cmp);
        let mut p50: Vec<Duration> = rows.iter().map(|r| r.p50).collect();
        p50.sort_unstable();
        let mut p99: Vec<Duration> = rows.iter().map(|r| r.p99).collect();
        p99.sort_unstable();
        let mid = rows.len() / 2;
        Summary {
            store: rows[0].store.clone(),
            threads: rows[0].threads,
            per_sec: per_sec[mid],
            per_sec_min: per_sec[0],
            per_sec_max: per_sec[per_sec.len() - 1],
            p50: p50[mid],
            p99: p99[mid],
        }
    }
}
