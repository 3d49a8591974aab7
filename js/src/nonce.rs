//! Nonce stores: where single-use values are remembered until they expire.

use std::sync::Arc;

use countermark::{MemoryNonceStore, NonceStore};
use wasm_bindgen::prelude::*;

use crate::convert::{bytes, seconds, Opts};
use crate::{clock_or_host, IntoJs, JsClock};

/// A store of used nonces (and remembered signatures), shared by policies. `NonceStore.memory(capacity)` keeps
/// them in this JavaScript realm (full: new values are refused, fail closed).
#[wasm_bindgen(js_name = NonceStore)]
#[derive(Clone)]
pub struct JsNonceStore {
    pub(crate) inner: Arc<dyn NonceStore>,
    capacity: usize,
}

#[wasm_bindgen(js_class = NonceStore)]
impl JsNonceStore {
    /// An in-memory store of at most `capacity` live values (left out: the core's
    /// `MemoryNonceStore::DEFAULT_CAPACITY`, also `NonceStore.DEFAULT_CAPACITY` here).
    pub fn memory(capacity: Option<usize>) -> JsNonceStore {
        let store = match capacity {
            Some(n) => MemoryNonceStore::new(n),
            None => MemoryNonceStore::default(),
        };
        JsNonceStore {
            capacity: store.capacity(),
            inner: Arc::new(store),
        }
    }

    /// The core's default capacity of a memory store.
    #[wasm_bindgen(getter = DEFAULT_CAPACITY)]
    pub fn default_capacity() -> usize {
        MemoryNonceStore::DEFAULT_CAPACITY
    }

    /// Records `value` (a string or a `Uint8Array`) as used for `ttl` seconds; throws `Replayed` if it already
    /// is. Options: `clock`.
    #[wasm_bindgen(js_name = checkAndInsert)]
    pub fn check_and_insert(
        &self,
        value: &JsValue,
        ttl: &JsValue,
        options: &JsValue,
    ) -> Result<(), JsValue> {
        let o = Opts::new(options, "NonceStore.checkAndInsert", &["clock"])?;
        let value = bytes(value, "value")?;
        let ttl = seconds("ttl", ttl)?.as_secs();
        let now = clock_or_host(o.class::<JsClock>("clock", "a Clock")?).now();
        self.inner
            .check_and_insert(&value, now.saturating_add_secs(ttl), now)
            .js()
    }

    /// How many live values the store holds at most.
    #[wasm_bindgen(getter)]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsNonceStore {
        self.clone()
    }
}
