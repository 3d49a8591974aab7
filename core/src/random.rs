//! Randomness.
//!
//! Credentials that carry a random part take a [`RandomSource`]. [`OsRandom`] (the operating system's generator)
//! is the default; tests inject a fixed source to reproduce recorded vectors.

use crate::error::{Error, ErrorKind, Result};

/// Fills buffers with random bytes.
pub trait RandomSource {
    /// Fills `buf` completely.
    ///
    /// # Errors
    /// When no random bytes can be had (an [`ErrorKind::InvalidValue`] error from [`OsRandom`]).
    fn fill(&mut self, buf: &mut [u8]) -> Result<()>;
}

/// The operating system's cryptographically secure generator (`getrandom(2)` on Linux).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        fill_os(buf).map_err(|_| {
            Error::new(
                ErrorKind::InvalidValue,
                "the operating system's random number generator failed",
            )
        })
    }
}

pub(crate) fn fill_os(buf: &mut [u8]) -> std::result::Result<(), getrandom::Error> {
    getrandom::fill(buf)
}

/// Replays fixed bytes: for tests and for reproducing recorded vectors. Never use it to create real credentials.
#[derive(Debug, Clone)]
pub struct FixedRandom {
    bytes: Vec<u8>,
    pos: usize,
}

impl FixedRandom {
    /// A source that hands out `bytes` in order and then fails.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FixedRandom {
            bytes: bytes.into(),
            pos: 0,
        }
    }
}

impl RandomSource for FixedRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        let end = self.pos + buf.len();
        if end > self.bytes.len() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!(
                    "fixed random source exhausted: {} bytes requested, {} left",
                    buf.len(),
                    self.bytes.len() - self.pos
                ),
            ));
        }
        buf.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(())
    }
}
