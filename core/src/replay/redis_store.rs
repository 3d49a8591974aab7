//! `RedisNonceStore`: replay protection shared by every process of a fleet.

use std::sync::Mutex;
use std::time::Duration;

use super::{check_len, replayed, NonceStore};
use crate::clock::UnixTime;
use crate::error::{Error, ErrorKind, Result};

/// A [`NonceStore`] in Redis: one `SET <prefix><value> 1 NX PX <ttl>` per check, atomic on the server.
///
/// The connection is opened lazily, kept, and reopened after an error. Every network step has a timeout
/// (default 1 s), so a stopped or unreachable server makes verification fail closed quickly with
/// [`ErrorKind::Unavailable`] instead of hanging or accepting.
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
    client: redis::Client,
    conn: Mutex<Option<redis::Connection>>,
    prefix: Vec<u8>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisNonceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: show only the prefix.
        f.debug_struct("RedisNonceStore")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .finish_non_exhaustive()
    }
}

fn unavailable(what: &str) -> Error {
    Error::new(ErrorKind::Unavailable, format!("redis nonce store: {what}"))
}

impl RedisNonceStore {
    /// Default key prefix.
    pub const DEFAULT_PREFIX: &'static str = "countermark:nonce:";
    /// Default connect, read and write timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A store on the server at `url` (`redis://[user:password@]host:port/db`). Nothing is sent until first use.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for a URL the client cannot read (the message does not repeat the URL).
    pub fn open(url: &str) -> Result<Self> {
        let client =
            redis::Client::open(url).map_err(|_| Error::invalid_value("invalid redis URL"))?;
        Ok(RedisNonceStore {
            client,
            conn: Mutex::new(None),
            prefix: Self::DEFAULT_PREFIX.as_bytes().to_vec(),
            timeout: Self::DEFAULT_TIMEOUT,
        })
    }

    /// Uses another key prefix (to share one Redis between services).
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.as_bytes().to_vec();
        self
    }

    /// Uses another network timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn connect(&self) -> Result<redis::Connection> {
        let conn = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|_| unavailable("cannot connect"))?;
        conn.set_read_timeout(Some(self.timeout))
            .and_then(|()| conn.set_write_timeout(Some(self.timeout)))
            .map_err(|_| unavailable("cannot set timeouts"))?;
        Ok(conn)
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

        let mut guard = self.conn.lock().map_err(|_| unavailable("lock poisoned"))?;
        if guard.is_none() {
            *guard = Some(self.connect()?);
        }
        let Some(conn) = guard.as_mut() else {
            return Err(unavailable("no connection"));
        };
        let reply: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(ttl_ms)
            .query(conn);
        match reply {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(replayed()),
            Err(_) => {
                *guard = None;
                Err(unavailable("command failed"))
            }
        }
    }
}
