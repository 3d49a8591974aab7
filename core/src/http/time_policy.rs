//! The policy shared by the two legacy request schemes that carry one signed time and no nonce
//! ([`super::fost`] and [`super::hmac_header`]): a clock, one time window, and an optional nonce store that
//! remembers accepted signatures while they are inside that window.
//!
//! The window means one thing per scheme, so each scheme has its own knob on the one type:
//! [`super::fost::Policy`] is a symmetric [`clock_skew`](TimePolicy::clock_skew) (a timestamp must be strictly
//! closer than it to the clock, either way), [`super::hmac_header::Policy`] a past-only
//! [`max_age`](TimePolicy::max_age) (stamped at or after now is not yet valid, older than it expired).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::replay::NonceStore;

mod sealed {
    pub trait Sealed {}
}

/// The scheme a [`TimePolicy`] belongs to: its name, the name of its time window and that window's default.
/// Implemented by [`FostWindow`] and [`HmacHeaderWindow`] only.
pub trait TimeWindow: sealed::Sealed {
    /// The scheme's name in [`TimePolicy::describe`].
    const SCHEME: &'static str;
    /// The window knob's name (`clock_skew` or `max_age`).
    const KNOB: &'static str;
    /// The window's default.
    const DEFAULT: Duration;
}

/// FOST's window: a symmetric clock skew ([`super::fost::DEFAULT_CLOCK_SKEW`]).
#[derive(Debug)]
pub enum FostWindow {}

/// The HMAC header scheme's window: a past-only maximum age ([`super::hmac_header::DEFAULT_MAX_AGE`]).
#[derive(Debug)]
pub enum HmacHeaderWindow {}

impl sealed::Sealed for FostWindow {}
impl sealed::Sealed for HmacHeaderWindow {}

impl TimeWindow for FostWindow {
    const SCHEME: &'static str = "fost";
    const KNOB: &'static str = "clock_skew";
    const DEFAULT: Duration = super::fost::DEFAULT_CLOCK_SKEW;
}

impl TimeWindow for HmacHeaderWindow {
    const SCHEME: &'static str = "hmac_header";
    const KNOB: &'static str = "max_age";
    const DEFAULT: Duration = super::hmac_header::DEFAULT_MAX_AGE;
}

/// What the server accepts: the clock, the scheme's time window and, optionally, a nonce store that remembers
/// accepted signatures. Use it as [`super::fost::Policy`] (the window is a symmetric
/// [`clock_skew`](TimePolicy::clock_skew)) or [`super::hmac_header::Policy`] (a past-only
/// [`max_age`](TimePolicy::max_age)).
pub struct TimePolicy<W: TimeWindow> {
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) window: Duration,
    pub(crate) nonce_store: Option<Arc<dyn NonceStore>>,
    scheme: PhantomData<fn() -> W>,
}

impl<W: TimeWindow> Clone for TimePolicy<W> {
    fn clone(&self) -> Self {
        TimePolicy {
            clock: Arc::clone(&self.clock),
            window: self.window,
            nonce_store: self.nonce_store.clone(),
            scheme: PhantomData,
        }
    }
}

impl<W: TimeWindow> TimePolicy<W> {
    /// The reference's defaults (the scheme's window default, no nonce store) with `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        TimePolicy {
            clock,
            window: W::DEFAULT,
            nonce_store: None,
            scheme: PhantomData,
        }
    }

    /// Uses `clock` for every time check.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Seen-signature mode (off by default, as in the references): every accepted signature is recorded in
    /// `store` until its time leaves the window, and a second presentation is
    /// [`crate::ErrorKind::Replayed`]. Neither format has a nonce, so this is the only replay protection they
    /// allow; a client that legitimately repeats a request must sign it again with a new timestamp.
    pub fn with_nonce_store(mut self, store: Arc<dyn NonceStore>) -> Self {
        self.nonce_store = Some(store);
        self
    }

    /// The nonce store of seen-signature mode, when set.
    pub fn nonce_store(&self) -> Option<&Arc<dyn NonceStore>> {
        self.nonce_store.as_ref()
    }

    /// Its settings as one line of text, e.g. `fost clock_skew=300s nonce_store=off` or
    /// `hmac_header max_age=5s nonce_store=off`: for logs, and for the tests that prove a binding's default
    /// policy is the core's ([`crate::policy_defaults`]).
    pub fn describe(&self) -> String {
        format!(
            "{} {}={}s nonce_store={}",
            W::SCHEME,
            W::KNOB,
            self.window.as_secs(),
            crate::on_off(self.nonce_store.is_some())
        )
    }
}

impl TimePolicy<FostWindow> {
    /// Accepts timestamps strictly less than `clock_skew` away from the clock, either way
    /// (`FOST_AUTHN_MAXIMUM_CLOCK_SKEW`).
    pub fn with_clock_skew(mut self, clock_skew: Duration) -> Self {
        self.window = clock_skew;
        self
    }

    /// The maximum clock skew (exclusive).
    pub fn clock_skew(&self) -> Duration {
        self.window
    }
}

impl TimePolicy<HmacHeaderWindow> {
    /// Accepts requests up to `max_age` old (`HMAC_AUTH_REQUEST_TIMEOUT`).
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.window = max_age;
        self
    }

    /// The maximum age of a request.
    pub fn max_age(&self) -> Duration {
        self.window
    }
}

impl<W: TimeWindow> Default for TimePolicy<W> {
    /// The system clock and the scheme's defaults.
    fn default() -> Self {
        TimePolicy::new(Arc::new(SystemClock))
    }
}

impl<W: TimeWindow> fmt::Debug for TimePolicy<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("scheme", &W::SCHEME)
            .field(W::KNOB, &self.window)
            .field("nonce_store", &self.nonce_store.is_some())
            .finish_non_exhaustive()
    }
}
