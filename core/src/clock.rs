//! Time.
//!
//! Every time check in countermark takes a [`Clock`]; nothing reads the system time directly. Production code uses
//! [`SystemClock`]; tests and replays of recorded traffic use [`FixedClock`].

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC). Negative seconds are before 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime {
    secs: i64,
    nanos: u32,
}

impl UnixTime {
    /// The epoch itself.
    pub const EPOCH: UnixTime = UnixTime { secs: 0, nanos: 0 };

    /// Whole seconds since the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        UnixTime { secs, nanos: 0 }
    }

    /// From whole seconds and nanoseconds; `None` when `nanos` is 1e9 or more.
    pub const fn from_parts(secs: i64, nanos: u32) -> Option<Self> {
        if nanos >= 1_000_000_000 {
            None
        } else {
            Some(UnixTime { secs, nanos })
        }
    }

    /// From fractional seconds (`1700000004.75`). Non-finite or out-of-range values saturate.
    pub fn from_secs_f64(secs: f64) -> Self {
        if !secs.is_finite() {
            return if secs > 0.0 {
                UnixTime::from_secs(i64::MAX)
            } else {
                UnixTime::from_secs(i64::MIN)
            };
        }
        let whole = secs.floor();
        if whole >= i64::MAX as f64 {
            return UnixTime::from_secs(i64::MAX);
        }
        if whole <= i64::MIN as f64 {
            return UnixTime::from_secs(i64::MIN);
        }
        let nanos = ((secs - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
        UnixTime {
            secs: whole as i64,
            nanos,
        }
    }

    /// Whole seconds since the epoch, rounded towards negative infinity (Python's `int(time.time())` for times
    /// after 1970).
    pub const fn secs(self) -> i64 {
        self.secs
    }

    /// The sub-second part in nanoseconds.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// Seconds since the epoch as a float (what Python's `time.time()` returns).
    pub fn as_secs_f64(self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// This time plus whole seconds, saturating.
    pub fn saturating_add_secs(self, secs: u64) -> Self {
        UnixTime {
            secs: self
                .secs
                .saturating_add(i64::try_from(secs).unwrap_or(i64::MAX)),
            nanos: self.nanos,
        }
    }
}

impl From<SystemTime> for UnixTime {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => UnixTime {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(before) => {
                let d: Duration = before.duration();
                let mut secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    secs -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                UnixTime { secs, nanos }
            }
        }
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            write!(f, "{}", self.secs)
        } else {
            write!(f, "{}.{:09}", self.secs, self.nanos)
        }
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        UnixTime::from(SystemTime::now())
    }
}

/// A clock stopped at one instant: for tests and for verifying recorded traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(UnixTime);

impl FixedClock {
    /// A clock that always says `t`.
    pub const fn new(t: UnixTime) -> Self {
        FixedClock(t)
    }

    /// A clock that always says `secs` seconds after the epoch.
    pub const fn at_secs(secs: i64) -> Self {
        FixedClock(UnixTime::from_secs(secs))
    }

    /// A clock that always says `secs` (fractional) seconds after the epoch.
    pub fn at_secs_f64(secs: f64) -> Self {
        FixedClock(UnixTime::from_secs_f64(secs))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_seconds_truncate_like_python_int() {
        let t = UnixTime::from_secs_f64(1_700_000_004.75);
        assert_eq!(t.secs(), 1_700_000_004);
        assert_eq!(t.subsec_nanos(), 750_000_000);
        assert_eq!(t.as_secs_f64(), 1_700_000_004.75);
    }

    #[test]
    fn before_the_epoch() {
        let t = UnixTime::from(UNIX_EPOCH - Duration::from_millis(1500));
        assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now().secs() > 1_577_836_800);
    }

    #[test]
    fn non_finite_saturates() {
        assert_eq!(UnixTime::from_secs_f64(f64::NAN).secs(), i64::MIN);
        assert_eq!(UnixTime::from_secs_f64(f64::INFINITY).secs(), i64::MAX);
    }
}
