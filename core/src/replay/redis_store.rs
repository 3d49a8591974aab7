//! `RedisNonceStore`: replay protection shared by every process of a fleet.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo};

use super::{check_len, replayed, NonceStore};
use crate::clock::UnixTime;
use crate::error::{Error, ErrorKind, Result};

/// A [`NonceStore`] in Redis: one `SET <prefix><value> 1 NX PX <ttl>` per check, atomic on the server.
///
/// # Servers
///
/// [`RedisNonceStore::open`] takes:
///
/// * `redis://[user:password@]host[:port][/db]` (and `redis+unix:///path?db=N`, `unix:///path`): one server.
/// * `redis+cluster://[user:password@]host:port[,host:port...]`: a Redis Cluster reached through any of the listed
///   nodes (the slot map is read from them; the credentials are every node's). A cluster has only database 0.
/// * `redis+sentinel://[user:password@]host:port[,host:port...]/service[/db]`: the master that the listed
///   Sentinels name for `service`. The Sentinels are asked in turn (`SENTINEL get-master-addr-by-name`), the
///   address they give is checked with `ROLE` (a demoted master is not used) and a connection that meets
///   `READONLY` or any other error is replaced through the Sentinels again, so a failover is followed. The
///   credentials are the master's; the Sentinels are queried without (Sentinels that require a password are
///   not supported).
///
/// TLS (`rediss://`) is not built in: put a TLS tunnel or a private network between the fleet and Redis.
///
/// # Connections and timeouts
///
/// Checks from many threads share a small pool of connections (at most
/// [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS), see
/// [`with_max_connections`](Self::with_max_connections)), opened when first needed and kept: a thread that gets a
/// connection sends every check waiting at that moment in one pipeline (one write and one read for all of them,
/// up to 64), so under load the connections are multiplexed without an async runtime or a thread of the store's
/// own. A thread that finds every connection busy and nobody carrying its check waits at most the response
/// timeout. A connection that fails is closed, with the idle ones (they most likely lead to the same failed
/// server), and the next check opens a new one, so the store reconnects by itself once the server is back. When a
/// reused idle connection fails without a timeout (the server restarted since it was last used) the checks are
/// sent once more on a new connection: `SET NX` can be repeated safely, since of all the `SET NX` of one value
/// exactly one answers OK, and only an OK accepts.
///
/// Every network step has a timeout: opening a connection [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT)
/// (1 s), each reply [`DEFAULT_RESPONSE_TIMEOUT`](Self::DEFAULT_RESPONSE_TIMEOUT) (1 s). A check against one server
/// waits at most the response timeout for a connection, then the pipeline carrying it takes at most the connect
/// timeout plus the response timeout (a thread first carries the checks queued ahead of its own, 64 per pipeline,
/// and a failed pipeline ends its round); through Sentinels add a connect and a response timeout per Sentinel
/// asked, and a cluster follows at most [`CLUSTER_RETRIES`](Self::CLUSTER_RETRIES) redirections or retries. The
/// URL can set them too: `?connect_timeout_ms=500&response_timeout_ms=250&max_connections=16` (on any of the forms
/// above), which is how the C, Go and Python constructors that take only a URL reach them.
///
/// # Fails closed
///
/// Any failure (unreachable, timeout, an error reply, every connection busy) refuses the credential with
/// [`ErrorKind::Unavailable`]; only an OK to `SET NX` accepts. A check that timed out may still have been
/// recorded by the server (a slow server runs it later), so the same credential sent again is refused as
/// [`ErrorKind::Replayed`]: a client retries with a fresh nonce. Redis replication is asynchronous: after a
/// failover (Sentinel or Cluster) or a restart without persistence, values recorded just before it may be lost,
/// so a credential used then may be accepted once more within its time window.
///
/// A process that forks (a pre-forking web server) does not reuse connections opened before the fork: the child
/// opens its own.
///
/// ```no_run
/// use countermark::replay::{NonceStore, RedisNonceStore};
/// use countermark::UnixTime;
///
/// let store = RedisNonceStore::open("redis://127.0.0.1:6379/0")?;
/// let now = UnixTime::from_secs(1_700_000_000);
/// store.check_and_insert(b"jwt:alice:1700000000:n0nce", now.saturating_add_secs(40), now)?;
/// # Ok::<(), countermark::Error>(())
/// ```
pub struct RedisNonceStore {
    target: Target,
    pool: Pool,
    prefix: Vec<u8>,
    connect_timeout: Duration,
    response_timeout: Duration,
}

/// Where the connections go.
enum Target {
    Single(redis::Client),
    Cluster(Vec<ConnectionInfo>),
    Sentinel {
        sentinels: Vec<ConnectionInfo>,
        service: String,
        /// Database and credentials of the master; its address comes from the Sentinels.
        master: ConnectionInfo,
    },
}

impl Target {
    fn kind(&self) -> &'static str {
        match self {
            Target::Single(_) => "server",
            Target::Cluster(_) => "cluster",
            Target::Sentinel { .. } => "sentinel",
        }
    }
}

enum Conn {
    Single(redis::Connection),
    Cluster(Box<redis::cluster::ClusterConnection>),
}

impl std::fmt::Debug for RedisNonceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: no address, no credentials.
        f.debug_struct("RedisNonceStore")
            .field("kind", &self.target.kind())
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .field("max_connections", &self.pool.max)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .finish_non_exhaustive()
    }
}

fn unavailable(what: &str) -> Error {
    Error::new(ErrorKind::Unavailable, format!("redis nonce store: {what}"))
}

fn invalid(what: &str) -> Error {
    Error::invalid_value(format!("invalid redis URL: {what}"))
}

/// The URL options this store reads itself (the others are left to the redis client).
#[derive(Default)]
struct Options {
    connect_timeout: Option<Duration>,
    response_timeout: Option<Duration>,
    max_connections: Option<usize>,
}

/// Splits off `connect_timeout_ms`, `response_timeout_ms` and `max_connections`; returns the URL without them.
fn take_options(url: &str) -> Result<(String, Options)> {
    let mut options = Options::default();
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), options));
    };
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let number = || -> Result<u64> {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(&format!("{name} must be a whole number above 0")))
        };
        match name {
            "connect_timeout_ms" => {
                options.connect_timeout = Some(Duration::from_millis(number()?))
            }
            "response_timeout_ms" => {
                options.response_timeout = Some(Duration::from_millis(number()?));
            }
            "max_connections" => {
                options.max_connections =
                    Some(usize::try_from(number()?).map_err(|_| invalid("max_connections"))?);
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, options))
}

/// The parts of `scheme://[userinfo@]host:port,host:port[/path][?query]` after the scheme.
struct MultiHost<'a> {
    userinfo: Option<&'a str>,
    hosts: Vec<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

fn split_multi_host(rest: &str) -> Result<MultiHost<'_>> {
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (userinfo, hosts) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let hosts: Vec<&str> = hosts.split(',').collect();
    if hosts.iter().any(|h| h.is_empty()) {
        return Err(invalid("empty host in the list of nodes"));
    }
    Ok(MultiHost {
        userinfo,
        hosts,
        path,
        query,
    })
}

fn node_info(
    userinfo: Option<&str>,
    host: &str,
    path: &str,
    query: Option<&str>,
) -> Result<ConnectionInfo> {
    let mut url = String::from("redis://");
    if let Some(u) = userinfo {
        url.push_str(u);
        url.push('@');
    }
    url.push_str(host);
    url.push_str(path);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    // The redis client's parse error may quote the URL: replace it.
    url.into_connection_info()
        .map_err(|_| invalid("a node address or its credentials cannot be read"))
}

fn parse_target(url: &str) -> Result<Target> {
    if let Some(rest) = url.strip_prefix("redis+cluster://") {
        let MultiHost {
            userinfo,
            hosts,
            path,
            query,
        } = split_multi_host(rest)?;
        if !matches!(path, "" | "/" | "/0") {
            return Err(invalid("a Redis Cluster has only database 0"));
        }
        let nodes = hosts
            .iter()
            .map(|h| node_info(userinfo, h, "", query))
            .collect::<Result<Vec<_>>>()?;
        // Checks the node list the way the cluster client will read it.
        redis::cluster::ClusterClient::new(nodes.clone())
            .map_err(|_| invalid("the cluster nodes cannot be read"))?;
        return Ok(Target::Cluster(nodes));
    }
    if let Some(rest) = url.strip_prefix("redis+sentinel://") {
        let MultiHost {
            userinfo,
            hosts,
            path,
            query,
        } = split_multi_host(rest)?;
        let mut parts = path.trim_start_matches('/').splitn(2, '/');
        let service = parts.next().unwrap_or("");
        if service.is_empty() {
            return Err(invalid(
                "a Sentinel URL names its service: redis+sentinel://host:port/service[/db]",
            ));
        }
        let db = parts.next().unwrap_or("0");
        if db.parse::<u32>().is_err() {
            return Err(invalid("the database must be a number"));
        }
        let sentinels = hosts
            .iter()
            .map(|h| node_info(None, h, "", None))
            .collect::<Result<Vec<_>>>()?;
        // The master's address is a placeholder until a Sentinel names it.
        let master = node_info(userinfo, "sentinel-master", &format!("/{db}"), query)?;
        return Ok(Target::Sentinel {
            sentinels,
            service: service.to_owned(),
            master,
        });
    }
    // The redis client's parse error may quote the URL: replace it.
    redis::Client::open(url).map(Target::Single).map_err(|_| {
        invalid(
            "expected redis://[user:password@]host:port/db, redis+cluster:// or redis+sentinel://",
        )
    })
}

/// Most checks sent together in one pipeline.
const MAX_BATCH: usize = 64;

/// One check waiting for, or carried by, a pipeline.
struct Job {
    key: Vec<u8>,
    ttl_ms: u64,
    /// Set, under the pool's lock, when a thread took the job into a pipeline.
    taken: AtomicBool,
    /// `Ok(true)`: recorded now; `Ok(false)`: already there; `Err`: no answer.
    outcome: Mutex<Option<Result<bool>>>,
}

impl Job {
    fn outcome(&self) -> Option<Result<bool>> {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn answer(&self, outcome: Result<bool>) {
        let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(outcome);
        }
    }
}

/// The connections (idle ones on a stack, the most recently used first; a count of those open) and the checks
/// waiting for one.
struct Pool {
    state: Mutex<PoolState>,
    /// Signalled when jobs are answered and when a connection is given back.
    changed: Condvar,
    max: usize,
}

struct PoolState {
    idle: Vec<Conn>,
    open: usize,
    pending: VecDeque<Arc<Job>>,
    /// Threads waiting on `changed` (nobody to wake: no wake-up system call).
    waiters: usize,
    /// The process the connections belong to: a forked child must not share its parent's sockets.
    pid: u32,
}

impl Pool {
    fn new(max: usize) -> Self {
        Pool {
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
                pending: VecDeque::new(),
                waiters: 0,
                pid: std::process::id(),
            }),
            changed: Condvar::new(),
            max,
        }
    }

    /// The state stays consistent even if a thread panicked while holding the lock (nothing under it panics).
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the idle connections (after one failed: they most likely lead to the same server).
    fn discard_idle(&self) {
        let mut state = self.lock();
        let idle = std::mem::take(&mut state.idle);
        state.open = state.open.saturating_sub(idle.len());
        let wake = state.waiters > 0;
        drop(state);
        drop(idle);
        if wake {
            self.changed.notify_all();
        }
    }

    /// Wakes the waiting threads, if any (with the state locked, so none starts waiting unseen).
    fn wake(&self, state: &PoolState) {
        if state.waiters > 0 {
            self.changed.notify_all();
        }
    }

    /// Waits for a change, at most until `deadline` if given.
    fn wait<'a>(
        &'a self,
        mut state: MutexGuard<'a, PoolState>,
        deadline: Option<Instant>,
    ) -> MutexGuard<'a, PoolState> {
        state.waiters += 1;
        let mut state = match deadline {
            None => self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        };
        state.waiters -= 1;
        state
    }
}

/// A pipeline under way: should the thread carrying it unwind, every job still gets an answer and the
/// connection's place in the pool is given back.
struct InFlight<'a> {
    pool: &'a Pool,
    batch: Vec<Arc<Job>>,
    /// Set once the batch is answered and the carrying thread deals with the connection itself.
    done: bool,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        for job in &self.batch {
            job.answer(Err(unavailable("the check was interrupted")));
        }
        let mut state = self.pool.lock();
        state.open = state.open.saturating_sub(1);
        drop(state);
        self.pool.changed.notify_all();
    }
}

/// Why one attempt failed: a timeout is not worth repeating at once.
struct Failed {
    timed_out: bool,
    error: Error,
}

impl RedisNonceStore {
    /// Default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "countermark:nonce:";
    /// Default connect and response timeout (what [`with_timeout`](Self::with_timeout) sets both to).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default time to open a connection (TCP connect and the handshake), per server contacted.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default time to wait for each reply (and for a free connection when all are busy).
    pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default number of connections a store keeps at most (a cluster connection holds one per node). Two: since
    /// the checks waiting for a connection share one pipeline, more connections add little throughput and cost
    /// the server one read and one write each; the second one lets a check go out while a pipeline is in flight
    /// (BENCHMARKS.md: with 4 and 16 threads, 1 or 2 connections did better than 4 or 8).
    pub const DEFAULT_MAX_CONNECTIONS: usize = 2;
    /// How many times a cluster connection follows a redirection (`MOVED`, `ASK`) or retries after a node error
    /// within one check.
    pub const CLUSTER_RETRIES: u32 = 2;

    /// A store on the server, cluster or Sentinel-managed master at `url` (the forms are in the type's
    /// documentation). Nothing is sent until first use.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for a URL the client cannot read or an option out of range (the message never
    /// repeats the URL, which may hold a password).
    pub fn open(url: &str) -> Result<Self> {
        let (url, options) = take_options(url)?;
        let target = parse_target(&url)?;
        Ok(RedisNonceStore {
            target,
            pool: Pool::new(
                options
                    .max_connections
                    .unwrap_or(Self::DEFAULT_MAX_CONNECTIONS),
            ),
            prefix: Self::DEFAULT_PREFIX.as_bytes().to_vec(),
            connect_timeout: options
                .connect_timeout
                .unwrap_or(Self::DEFAULT_CONNECT_TIMEOUT),
            response_timeout: options
                .response_timeout
                .unwrap_or(Self::DEFAULT_RESPONSE_TIMEOUT),
        })
    }

    /// Uses another key prefix (to share one Redis between services).
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.as_bytes().to_vec();
        self
    }

    /// Uses `timeout` as both the connect and the response timeout.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        self.with_connect_timeout(timeout)
            .with_response_timeout(timeout)
    }

    /// Time to open a connection (default [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT)); a zero
    /// duration counts as 1 ms.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Time to wait for each reply and for a free connection (default
    /// [`DEFAULT_RESPONSE_TIMEOUT`](Self::DEFAULT_RESPONSE_TIMEOUT)); a zero duration counts as 1 ms.
    pub fn with_response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Keeps at most `max` connections (default [`DEFAULT_MAX_CONNECTIONS`](Self::DEFAULT_MAX_CONNECTIONS); 0
    /// counts as 1). More threads than connections take turns.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.pool = Pool::new(max.max(1));
        self
    }

    /// The connect timeout in use.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The response timeout in use.
    pub fn response_timeout(&self) -> Duration {
        self.response_timeout
    }

    /// The most connections this store keeps.
    pub fn max_connections(&self) -> usize {
        self.pool.max
    }

    fn connect_single(&self, info: ConnectionInfo) -> Result<redis::Connection> {
        let client =
            redis::Client::open(info).map_err(|_| unavailable("cannot read the server address"))?;
        let conn = client
            .get_connection_with_timeout(self.connect_timeout)
            .map_err(|_| unavailable("cannot connect"))?;
        conn.set_read_timeout(Some(self.response_timeout))
            .and_then(|()| conn.set_write_timeout(Some(self.response_timeout)))
            .map_err(|_| unavailable("cannot set timeouts"))?;
        Ok(conn)
    }

    fn connect(&self) -> Result<Conn> {
        match &self.target {
            Target::Single(client) => self
                .connect_single(client.get_connection_info().clone())
                .map(Conn::Single),
            Target::Cluster(nodes) => {
                let client = redis::cluster::ClusterClient::builder(nodes.clone())
                    .connection_timeout(self.connect_timeout)
                    .response_timeout(self.response_timeout)
                    .retries(Self::CLUSTER_RETRIES)
                    .build()
                    .map_err(|_| unavailable("cannot read the cluster nodes"))?;
                let conn = client
                    .get_connection()
                    .map_err(|_| unavailable("cannot connect to the cluster"))?;
                conn.set_read_timeout(Some(self.response_timeout))
                    .and_then(|()| conn.set_write_timeout(Some(self.response_timeout)))
                    .map_err(|_| unavailable("cannot set timeouts"))?;
                Ok(Conn::Cluster(Box::new(conn)))
            }
            Target::Sentinel {
                sentinels,
                service,
                master,
            } => self.connect_via_sentinels(sentinels, service, master),
        }
    }

    /// Redis's documented client protocol for Sentinel, with this store's timeouts on every step (the redis
    /// crate's own synchronous Sentinel client connects to Sentinels without a timeout).
    fn connect_via_sentinels(
        &self,
        sentinels: &[ConnectionInfo],
        service: &str,
        master: &ConnectionInfo,
    ) -> Result<Conn> {
        let mut last = unavailable("no Sentinel answered");
        for sentinel in sentinels {
            let Ok(mut conn) = self.connect_single(sentinel.clone()) else {
                continue;
            };
            let addr: Option<(String, String)> = match redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(service)
                .query(&mut conn)
            {
                Ok(addr) => addr,
                Err(_) => continue,
            };
            let Some((host, port)) = addr else {
                last = unavailable("the Sentinels do not know the service");
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                last = unavailable("a Sentinel gave an unreadable master address");
                continue;
            };
            let info = master.clone().set_addr(ConnectionAddr::Tcp(host, port));
            let mut conn = match self.connect_single(info) {
                Ok(conn) => conn,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            let role: redis::RedisResult<Vec<redis::Value>> = redis::cmd("ROLE").query(&mut conn);
            let is_master = matches!(
                role.as_deref(),
                Ok([redis::Value::BulkString(r), ..]) if r.as_slice() == b"master"
            ) || matches!(
                role.as_deref(),
                Ok([redis::Value::SimpleString(r), ..]) if r == "master"
            );
            if is_master {
                return Ok(Conn::Single(conn));
            }
            last = unavailable("the server a Sentinel named is not a master (failover under way)");
        }
        Err(last)
    }

    /// One pipeline of `SET key 1 NX PX ttl`, one per job, on `conn` (opened first when `None`). On failure the
    /// connection is dropped.
    fn pipeline(
        &self,
        conn: &mut Option<Conn>,
        batch: &[Arc<Job>],
    ) -> std::result::Result<Vec<bool>, Failed> {
        if conn.is_none() {
            *conn = Some(self.connect().map_err(|error| Failed {
                timed_out: false,
                error,
            })?);
        }
        let replies: redis::RedisResult<Vec<Option<String>>> = match conn.as_mut() {
            Some(Conn::Single(c)) => {
                let mut pipe = redis::pipe();
                for job in batch {
                    pipe.cmd("SET")
                        .arg(&job.key)
                        .arg(1)
                        .arg("NX")
                        .arg("PX")
                        .arg(job.ttl_ms);
                }
                pipe.query(c)
            }
            Some(Conn::Cluster(c)) => {
                // Routed command by command to the node owning each key's slot.
                let mut pipe = redis::cluster::cluster_pipe();
                for job in batch {
                    pipe.cmd("SET")
                        .arg(&job.key)
                        .arg(1)
                        .arg("NX")
                        .arg("PX")
                        .arg(job.ttl_ms);
                }
                pipe.query(c.as_mut())
            }
            None => {
                return Err(Failed {
                    timed_out: false,
                    error: unavailable("no connection"),
                })
            }
        };
        match replies {
            Ok(replies) if replies.len() == batch.len() => {
                Ok(replies.iter().map(Option::is_some).collect())
            }
            Ok(_) => {
                *conn = None;
                Err(Failed {
                    timed_out: false,
                    error: unavailable("a reply is missing"),
                })
            }
            Err(e) => {
                *conn = None;
                let timed_out = e.is_timeout();
                Err(Failed {
                    timed_out,
                    error: unavailable(if timed_out {
                        "no reply within the response timeout"
                    } else {
                        "command failed"
                    }),
                })
            }
        }
    }

    /// Sends `batch` on `conn` and answers every job; gives back the connection if it is still good.
    fn send(&self, mut conn: Option<Conn>, batch: &[Arc<Job>]) -> Option<Conn> {
        let reused = conn.is_some();
        let result = match self.pipeline(&mut conn, batch) {
            Err(failed) if reused && !failed.timed_out => {
                self.pool.discard_idle();
                // The idle connection may have outlived its server: once more on a new connection (repeating
                // SET NX never turns a used value into an accepted one).
                self.pipeline(&mut conn, batch)
            }
            Err(failed) => {
                self.pool.discard_idle();
                Err(failed)
            }
            ok => ok,
        };
        match result {
            Ok(fresh) => {
                for (job, fresh) in batch.iter().zip(fresh) {
                    job.answer(Ok(fresh));
                }
            }
            Err(failed) => {
                for job in batch {
                    job.answer(Err(failed.error.clone()));
                }
            }
        }
        conn
    }

    /// Carries the waiting jobs, `MAX_BATCH` at a time, on `conn` until `own` is answered or none wait; then gives
    /// the connection back.
    fn lead<'a>(
        &'a self,
        mut state: MutexGuard<'a, PoolState>,
        mut conn: Option<Conn>,
        own: &Job,
    ) -> MutexGuard<'a, PoolState> {
        loop {
            let n = state.pending.len().min(MAX_BATCH);
            if n == 0 {
                // Nothing left to carry (another thread took it): give the connection or its place back.
                match conn {
                    Some(c) => state.idle.push(c),
                    None => state.open = state.open.saturating_sub(1),
                }
                self.pool.wake(&state);
                return state;
            }
            let batch: Vec<Arc<Job>> = state.pending.drain(..n).collect();
            for job in &batch {
                job.taken.store(true, Ordering::SeqCst);
            }
            drop(state);
            let mut flight = InFlight {
                pool: &self.pool,
                batch,
                done: false,
            };
            conn = self.send(conn, &flight.batch);
            flight.done = true;
            drop(flight);
            state = self.pool.lock();
            let Some(c) = conn.take() else {
                // It failed (every job of the batch has its answer): give its place back.
                state.open = state.open.saturating_sub(1);
                self.pool.wake(&state);
                return state;
            };
            if own.outcome().is_some() || state.pending.is_empty() {
                // (A forked child never gets here with its parent's connection: the thread carrying it is not
                // copied into the child.)
                state.idle.push(c);
                self.pool.wake(&state);
                return state;
            }
            // Others' answers are in: let them go on while this thread carries the next batch.
            self.pool.wake(&state);
            conn = Some(c);
        }
    }
}

impl NonceStore for RedisNonceStore {
    fn check_and_insert(&self, value: &[u8], expires_at: UnixTime, now: UnixTime) -> Result<()> {
        check_len(value)?;
        let ttl_ms: u64 = {
            let secs =
                (i128::from(expires_at.secs()) - i128::from(now.secs())).clamp(1, 366 * 86_400);
            (secs as u64) * 1000
        };
        let mut key = Vec::with_capacity(self.prefix.len() + value.len());
        key.extend_from_slice(&self.prefix);
        key.extend_from_slice(value);
        let job = Arc::new(Job {
            key,
            ttl_ms,
            taken: AtomicBool::new(false),
            outcome: Mutex::new(None),
        });

        // Checks from many threads share connections: a thread that gets a connection sends every check waiting
        // at that moment in one pipeline (one write and one read for all of them), the others wait for their
        // answer. A thread waits for a free connection at most the response timeout.
        let deadline = Instant::now() + self.response_timeout;
        let mut state = self.pool.lock();
        let pid = std::process::id();
        if state.pid != pid {
            // Forked: the parent's connections and waiting checks are not this process's.
            state.idle.clear();
            state.pending.clear();
            state.open = 0;
            state.waiters = 0;
            state.pid = pid;
        }
        state.pending.push_back(job.clone());
        let fresh = loop {
            if let Some(outcome) = job.outcome() {
                break outcome?;
            }
            if job.taken.load(Ordering::SeqCst) {
                // In flight: the carrying thread answers within its timeouts (or its guard does).
                state = self.pool.wait(state, None);
                continue;
            }
            let conn = if let Some(c) = state.idle.pop() {
                Some(Some(c))
            } else if state.open < self.pool.max {
                state.open += 1;
                Some(None)
            } else {
                None
            };
            if let Some(conn) = conn {
                state = self.lead(state, conn, &job);
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                state.pending.retain(|j| !Arc::ptr_eq(j, &job));
                return Err(unavailable(
                    "every connection stayed busy for the response timeout",
                ));
            }
            state = self.pool.wait(state, Some(deadline));
        };
        drop(state);
        if fresh {
            Ok(())
        } else {
            Err(replayed())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_and_removed_from_the_url() {
        let (url, o) = take_options(
            "redis://127.0.0.1:6379/2?connect_timeout_ms=250&protocol=resp3&response_timeout_ms=75&max_connections=3",
        )
        .unwrap();
        assert_eq!(url, "redis://127.0.0.1:6379/2?protocol=resp3");
        assert_eq!(o.connect_timeout, Some(Duration::from_millis(250)));
        assert_eq!(o.response_timeout, Some(Duration::from_millis(75)));
        assert_eq!(o.max_connections, Some(3));
        let store = RedisNonceStore::open(
            "redis://127.0.0.1:6379/2?connect_timeout_ms=250&response_timeout_ms=75&max_connections=3",
        )
        .unwrap();
        assert_eq!(store.connect_timeout(), Duration::from_millis(250));
        assert_eq!(store.response_timeout(), Duration::from_millis(75));
        assert_eq!(store.max_connections(), 3);
    }

    #[test]
    fn defaults_when_the_url_sets_nothing() {
        let store = RedisNonceStore::open("redis://127.0.0.1:6379/0").unwrap();
        assert_eq!(
            store.connect_timeout(),
            RedisNonceStore::DEFAULT_CONNECT_TIMEOUT
        );
        assert_eq!(
            store.response_timeout(),
            RedisNonceStore::DEFAULT_RESPONSE_TIMEOUT
        );
        assert_eq!(
            store.max_connections(),
            RedisNonceStore::DEFAULT_MAX_CONNECTIONS
        );
    }

    #[test]
    fn bad_options_and_urls_are_invalid_values_that_do_not_repeat_the_url() {
        for url in [
            "redis://:hunter2@127.0.0.1:6379/0?connect_timeout_ms=0",
            "redis://:hunter2@127.0.0.1:6379/0?response_timeout_ms=soon",
            "redis://:hunter2@127.0.0.1:6379/0?max_connections=-1",
            "http://:hunter2@127.0.0.1:6379/0",
            "redis+cluster://:hunter2@127.0.0.1:7000,,127.0.0.1:7001",
            "redis+cluster://:hunter2@127.0.0.1:7000/3",
            "redis+sentinel://:hunter2@127.0.0.1:26379",
            "redis+sentinel://:hunter2@127.0.0.1:26379/mymaster/x",
        ] {
            let err = RedisNonceStore::open(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{url}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn cluster_and_sentinel_urls_are_read() {
        let store = RedisNonceStore::open(
            "redis+cluster://u:p%40ss@127.0.0.1:7000,[::1]:7001,localhost:7002",
        )
        .unwrap();
        let Target::Cluster(nodes) = &store.target else {
            panic!("not a cluster: {store:?}");
        };
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[0].redis_settings().password(), Some("p@ss"));
        assert_eq!(nodes[1].addr(), &ConnectionAddr::Tcp("::1".into(), 7001));

        let store =
            RedisNonceStore::open("redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2:26380/mymaster/3")
                .unwrap();
        let Target::Sentinel {
            sentinels,
            service,
            master,
        } = &store.target
        else {
            panic!("not a sentinel store: {store:?}");
        };
        assert_eq!(sentinels.len(), 2);
        assert_eq!(
            sentinels[1].addr(),
            &ConnectionAddr::Tcp("10.0.0.2".into(), 26380)
        );
        assert_eq!(sentinels[0].redis_settings().password(), None);
        assert_eq!(service, "mymaster");
        assert_eq!(master.redis_settings().db(), 3);
        assert_eq!(master.redis_settings().password(), Some("pw"));
        assert!(!format!("{store:?}").contains("pw"));
    }
}
