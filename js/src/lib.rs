//! `countermark-js`: the JavaScript bindings of the countermark core, compiled to WebAssembly with
//! wasm-bindgen (the npm package `countermark`, built by `make js`).
//!
//! The binding is thin: each class converts JavaScript values to the core's types and back, and every error to
//! one of the JavaScript error classes of `js/lib/errors.js` (made by a factory the package's entry point
//! installs, so `instanceof` works). Options are plain objects with the Concepts table's names in JavaScript
//! casing (`clockSkew`, `maxAge`, `nonceStore`, `keyId`); an option left out reaches the core as "not given",
//! so every default stays the core's. Durations are numbers of seconds.

#![forbid(unsafe_code)]

mod asym;
mod convert;
mod http;
mod keys;
mod nonce;
mod schemes;
mod signed;
mod tokens;

use std::cell::RefCell;
use std::sync::Arc;

use countermark::{Clock, FixedClock, UnixTime};
use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

thread_local! {
    /// `(reason, message) => Error`: the package's error classes (set once by its entry point).
    static ERROR_FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Installs the function that turns `(reason, message)` into the package's error objects. Called once by the
/// package's entry point; not part of the public API.
#[wasm_bindgen(js_name = "__setErrorFactory")]
pub fn set_error_factory(factory: Function) {
    ERROR_FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// The JavaScript error for a core error: the class of its kind (`BadSignature`, `Expired`, ...) with the
/// core's message (which never holds a secret).
pub(crate) fn core_error(e: countermark::Error) -> JsValue {
    error_of(e.kind().as_str(), e.message())
}

fn error_of(reason: &str, message: &str) -> JsValue {
    let made = ERROR_FACTORY.with(|f| {
        f.borrow().as_ref().and_then(|f| {
            f.call2(
                &JsValue::NULL,
                &JsValue::from_str(reason),
                &JsValue::from_str(message),
            )
            .ok()
        })
    });
    made.unwrap_or_else(|| js_sys::Error::new(&format!("{reason}: {message}")).into())
}

/// A `TypeError` (a value of the wrong JavaScript type: the caller's mistake, not a refused credential).
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// `?` on a core result: `.js()?`.
pub(crate) trait IntoJs<T> {
    fn js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for countermark::Result<T> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(core_error)
    }
}

/// The version of the core this package was built from.
#[wasm_bindgen]
pub fn version() -> String {
    countermark::VERSION.to_string()
}

/// The core's default policy of every request scheme, one `describe()` line each: a policy built here with no
/// options describes itself as exactly one of these lines.
#[wasm_bindgen(js_name = "policyDefaults")]
pub fn policy_defaults() -> Array {
    countermark::policy_defaults()
        .into_iter()
        .map(|s| JsValue::from_str(&s))
        .collect()
}

/// The error kinds the core has, by reason (`bad_signature`, ...): the core's own list, so the test that every
/// kind has a JavaScript class compares the core with `errors.js`, not a copy with a copy.
#[wasm_bindgen(js_name = "__errorKinds")]
pub fn error_kinds() -> Array {
    countermark::ErrorKind::ALL
        .iter()
        .map(|k| JsValue::from_str(k.as_str()))
        .collect()
}

/// Throws the error class of `reason` (for the test that checks the mapping of every kind).
#[wasm_bindgen(js_name = "__raiseKind")]
pub fn raise_kind(reason: &str) -> Result<(), JsValue> {
    let kind = countermark::ErrorKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == reason)
        .ok_or_else(|| type_error(&format!("no error kind {reason:?}")))?;
    Err(core_error(countermark::Error::new(
        kind,
        format!("test error of kind {reason}"),
    )))
}

/// The system clock of the host: `Date.now()` (`std::time::SystemTime` does not exist on wasm32).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct HostClock;

impl Clock for HostClock {
    fn now(&self) -> UnixTime {
        #[cfg(target_arch = "wasm32")]
        {
            UnixTime::from_secs_f64(js_sys::Date::now() / 1000.0)
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            countermark::SystemClock.now()
        }
    }
}

/// A clock for the core: the host's clock (`Date.now()`), or a fixed instant (Unix seconds) for tests and
/// recorded traffic.
#[wasm_bindgen(js_name = Clock)]
#[derive(Clone)]
pub struct JsClock {
    inner: Arc<dyn Clock>,
    fixed: Option<f64>,
}

#[wasm_bindgen(js_class = Clock)]
impl JsClock {
    /// The host's clock (what leaving `clock` out means everywhere).
    pub fn system() -> JsClock {
        JsClock {
            inner: Arc::new(HostClock),
            fixed: None,
        }
    }

    /// A clock stopped at `secs` seconds after the Unix epoch (fractions allowed).
    pub fn fixed(secs: f64) -> Result<JsClock, JsValue> {
        if !secs.is_finite() {
            return Err(error_of("invalid_value", "a clock needs a finite time"));
        }
        Ok(JsClock {
            inner: Arc::new(FixedClock::new(UnixTime::from_secs_f64(secs))),
            fixed: Some(secs),
        })
    }

    /// The current time in Unix seconds.
    pub fn now(&self) -> f64 {
        self.inner.now().as_secs_f64()
    }

    /// `Clock.fixed(t)` or `Clock.system()`.
    #[wasm_bindgen(js_name = "toString")]
    pub fn to_string_js(&self) -> String {
        match self.fixed {
            Some(t) => format!("Clock.fixed({t})"),
            None => "Clock.system()".to_string(),
        }
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsClock {
        self.clone()
    }
}

impl JsClock {
    pub(crate) fn arc(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner)
    }
}

/// The clock of an `options.clock` (a `Clock`), or the host's clock when it is left out.
pub(crate) fn clock_or_host(clock: Option<JsClock>) -> Arc<dyn Clock> {
    clock.map_or_else(|| Arc::new(HostClock) as Arc<dyn Clock>, |c| c.arc())
}
