//! handshake-format tokens: `field:…:timestamp:random:hmac`.

use countermark::{FixedRandom, Tokens};
use wasm_bindgen::prelude::*;

use crate::convert::{bytes, seconds, string_array, strings, ObjectBuilder, Opts};
use crate::keys::key_ring;
use crate::{clock_or_host, IntoJs, JsClock};

/// Creates and verifies handshake tokens with the primary key of `keys` (an `HmacKey` or a `KeyRing`; any key
/// of the ring verifies). Options: `clock`, `randomLen` (the random bytes hashed into each token; default: the
/// core's, handshake's).
#[wasm_bindgen(js_name = Tokens)]
pub struct JsTokens {
    inner: Tokens,
}

#[wasm_bindgen(js_class = Tokens)]
impl JsTokens {
    #[wasm_bindgen(constructor)]
    pub fn new(keys: &JsValue, options: &JsValue) -> Result<JsTokens, JsValue> {
        let o = Opts::new(options, "Tokens", &["clock", "randomLen"])?;
        let clock = o.class::<JsClock>("clock", "a Clock")?;
        let mut tokens = Tokens::new(key_ring(keys, "keys")?).with_clock(clock_or_host(clock));
        if let Some(len) = o.integer("randomLen")? {
            let len = usize::try_from(len)
                .map_err(|_| crate::type_error("randomLen must not be negative"))?;
            tokens = tokens.with_random_len(len).js()?;
        }
        Ok(JsTokens { inner: tokens })
    }

    /// A token carrying `fields` (an array; each of `a-z A-Z 0-9 _ -`).
    pub fn create(&self, fields: &JsValue) -> Result<String, JsValue> {
        self.inner.create(&strings(fields, "fields")?).js()
    }

    /// As `create`, with the random bytes given: for reproducing recorded tokens only.
    #[wasm_bindgen(js_name = createWithRandom)]
    pub fn create_with_random(
        &self,
        fields: &JsValue,
        random: &JsValue,
    ) -> Result<String, JsValue> {
        let random = bytes(random, "random")?;
        self.inner
            .create_with_random(&strings(fields, "fields")?, &mut FixedRandom::new(random))
            .js()
    }

    /// Verifies `token` and returns `{fields, timestamp}`, or throws `Malformed`, `TooLarge`, `BadSignature`,
    /// `Expired` or `NotYetValid`. `maxAge` (seconds) accepts only tokens created within that many seconds of
    /// now, either side (handshake's `time_range`); left out, any age.
    pub fn verify(&self, token: &str, max_age: &JsValue) -> Result<JsValue, JsValue> {
        let max_age = if max_age.is_undefined() || max_age.is_null() {
            None
        } else {
            Some(seconds("maxAge", max_age)?)
        };
        let v = self.inner.verify(token, max_age).js()?;
        Ok(ObjectBuilder::new()
            .set("fields", string_array(&v.fields()))
            .set("timestamp", v.timestamp() as f64)
            .build())
    }
}
