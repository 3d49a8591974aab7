//! The request-signing schemes: FOST (requests and URLs) and the `HMAC-SHA* key;sig;utc` header. Each has a
//! signer, a policy, and two-phase verification: `parse*` reads the claims (look the key up by `keyId`),
//! `verify*` checks the request with that key.

use std::sync::Arc;

use countermark::http::fost::{self, FostSigner, FostUrlSigner};
use countermark::http::hmac_header::{self, ApiSecret, Body, HmacHeaderSigner, LegacyCipher};
use countermark::Claims;
use wasm_bindgen::prelude::*;

use crate::convert::{bytes, opt_class, strings, Opts};
use crate::http::{credentials, signed, verified, JsRequest};
use crate::keys::{hmac_algorithm, JsHmacKey};
use crate::nonce::JsNonceStore;
use crate::{clock_or_host, core_error, IntoJs, JsClock};

/// `Malformed` for a request that carries no credentials of the scheme at all: callers that try several
/// schemes check `parse*` returning `null` instead.
fn none_of(scheme: &str) -> JsValue {
    core_error(countermark::Error::new(
        countermark::ErrorKind::Malformed,
        format!("the request carries no {scheme} credentials"),
    ))
}

// ---------------------------------------------------------------------------------------------------- FOST

/// Signs requests with the FOST scheme (HMAC-SHA1, the format's only algorithm) as key `keyId`.
/// `new FostSigner(keyId, key, {clock})`.
#[wasm_bindgen(js_name = FostSigner)]
pub struct JsFostSigner {
    inner: FostSigner,
}

#[wasm_bindgen(js_class = FostSigner)]
impl JsFostSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(key_id: &str, key: &JsHmacKey, options: &JsValue) -> Result<JsFostSigner, JsValue> {
        let o = Opts::new(options, "FostSigner", &["clock"])?;
        let clock = o.class::<JsClock>("clock", "a Clock")?;
        let inner = FostSigner::new(key_id, key.inner.clone())
            .js()?
            .with_clock(clock_or_host(clock));
        Ok(JsFostSigner { inner })
    }

    /// Signs `request` covering the named `headers` (their values, in order). Options: `timestamp` (the
    /// `X-FOST-Timestamp` text; default now). Returns `{headers, signature, signedString}`.
    pub fn sign(
        &self,
        request: &JsRequest,
        headers: &JsValue,
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let o = Opts::new(options, "FostSigner.sign", &["timestamp"])?;
        let view = request.view()?;
        let names = if headers.is_undefined() || headers.is_null() {
            Vec::new()
        } else {
            strings(headers, "headers")?
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = match o.string("timestamp")? {
            Some(ts) => self.inner.sign_at(&view, &names, &ts),
            None => self.inner.sign(&view, &names),
        }
        .js()?;
        Ok(signed(
            &s.headers(),
            s.signature(),
            &String::from_utf8_lossy(s.document()),
        ))
    }
}

/// How FOST requests and URLs are checked. Options: `clock`, `clockSkew` (seconds a signed time may be ahead
/// of or behind the clock; default: the core's), `nonceStore` (makes each signature single-use).
#[wasm_bindgen(js_name = FostPolicy)]
#[derive(Clone)]
pub struct JsFostPolicy {
    inner: fost::Policy,
}

#[wasm_bindgen(js_class = FostPolicy)]
impl JsFostPolicy {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<JsFostPolicy, JsValue> {
        let o = Opts::new(options, "FostPolicy", &["clock", "clockSkew", "nonceStore"])?;
        let mut p = fost::Policy::new(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        if let Some(skew) = o.seconds("clockSkew")? {
            p = p.with_clock_skew(skew);
        }
        if let Some(s) = o.class::<JsNonceStore>("nonceStore", "a NonceStore")? {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(JsFostPolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> Self {
        self.clone()
    }
}

fn fost_policy(policy: Option<JsFostPolicy>) -> fost::Policy {
    policy.map_or_else(|| fost::Policy::new(clock_or_host(None)), |p| p.inner)
}

/// Phase one: the claims of the request's `Authorization: FOST key:signature` header, or `null` when it has
/// no FOST header. Throws `Malformed` for a broken one.
#[wasm_bindgen(js_name = parseFost)]
pub fn parse_fost(request: &JsRequest) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    Ok(match fost::parse(&view).js()? {
        Some(p) => credentials(&Claims::from(&p)),
        None => JsValue::NULL,
    })
}

/// Phase two: verifies the request's FOST signature with `key` (the secret of the claimed key id) under
/// `policy` (left out: the core's default policy).
#[wasm_bindgen(js_name = verifyFost)]
pub fn verify_fost(
    request: &JsRequest,
    key: &JsHmacKey,
    policy: &JsValue,
) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    let parsed = fost::parse(&view).js()?.ok_or_else(|| none_of("FOST"))?;
    let v = parsed
        .verify(
            &key.inner,
            &fost_policy(opt_class(policy, "policy", "a FostPolicy")?),
        )
        .js()?;
    Ok(verified(&Claims::from(&v)))
}

/// Signs URLs with FOST's `_k`/`_e`/`_s` query parameters. `new FostUrlSigner(keyId, key)`.
#[wasm_bindgen(js_name = FostUrlSigner)]
pub struct JsFostUrlSigner {
    inner: FostUrlSigner,
}

#[wasm_bindgen(js_class = FostUrlSigner)]
impl JsFostUrlSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(key_id: &str, key: &JsHmacKey) -> Result<JsFostUrlSigner, JsValue> {
        Ok(JsFostUrlSigner {
            inner: FostUrlSigner::new(key_id, key.inner.clone()).js()?,
        })
    }

    /// `url` with `_k`, `_e` (when the `expires` option, Unix seconds, is given) and `_s` added.
    pub fn sign(&self, url: &str, options: &JsValue) -> Result<String, JsValue> {
        let o = Opts::new(options, "FostUrlSigner.sign", &["expires"])?;
        Ok(self
            .inner
            .sign(url, o.integer("expires")?)
            .js()?
            .url()
            .to_string())
    }
}

/// Phase one for a FOST-signed URL: the claimed key id (and expiry), or `null` without `_k`/`_s`.
#[wasm_bindgen(js_name = parseFostUrl)]
pub fn parse_fost_url(request: &JsRequest) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    Ok(match fost::parse_url(&view).js()? {
        Some(p) => credentials(&Claims::from(&p)),
        None => JsValue::NULL,
    })
}

/// Phase two for a FOST-signed URL (the request's authority and target are what was signed).
#[wasm_bindgen(js_name = verifyFostUrl)]
pub fn verify_fost_url(
    request: &JsRequest,
    key: &JsHmacKey,
    policy: &JsValue,
) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    let parsed = fost::parse_url(&view)
        .js()?
        .ok_or_else(|| none_of("FOST URL"))?;
    let v = parsed
        .verify(
            &key.inner,
            &fost_policy(opt_class(policy, "policy", "a FostPolicy")?),
        )
        .js()?;
    Ok(verified(&Claims::from(&v)))
}

// ------------------------------------------------------------------------------------------- HMAC header

/// The secret of an HMAC-header API key: random bytes handed to clients as base64. Its value never appears in
/// `toString()` or errors; `toBase64()` is the one way out (to show it once to its owner).
/// `new ApiSecret(base64Text)` (the server's lenient reader, which trims surrounding whitespace).
#[wasm_bindgen(js_name = ApiSecret)]
#[derive(Clone)]
pub struct JsApiSecret {
    pub(crate) inner: ApiSecret,
}

#[wasm_bindgen(js_class = ApiSecret)]
impl JsApiSecret {
    #[wasm_bindgen(constructor)]
    pub fn new(b64: &str) -> Result<JsApiSecret, JsValue> {
        Ok(JsApiSecret {
            inner: ApiSecret::from_base64(b64).js()?,
        })
    }

    /// A client's copy of a secret, read strictly: standard base64, padded, canonical, nothing around it,
    /// 16 to 1024 bytes once decoded; `InvalidKey` otherwise.
    #[wasm_bindgen(js_name = fromBase64Strict)]
    pub fn from_base64_strict(text: &str) -> Result<JsApiSecret, JsValue> {
        Ok(JsApiSecret {
            inner: ApiSecret::from_base64_strict(text).js()?,
        })
    }

    /// A fresh random secret.
    pub fn generate() -> Result<JsApiSecret, JsValue> {
        Ok(JsApiSecret {
            inner: ApiSecret::generate().js()?,
        })
    }

    /// Decrypts a secret stored at rest by django-hmac-authentication (`cipher`: its cipher name, e.g.
    /// `AES-256`; `password` a string or bytes, `salt` and `ciphertext` bytes, as stored).
    #[wasm_bindgen(js_name = decryptLegacy)]
    pub fn decrypt_legacy(
        cipher: &str,
        password: &JsValue,
        salt: &JsValue,
        ciphertext: &JsValue,
    ) -> Result<JsApiSecret, JsValue> {
        let cipher: LegacyCipher = cipher.parse().js()?;
        let password = zeroize::Zeroizing::new(bytes(password, "password")?);
        let salt = bytes(salt, "salt")?;
        let ciphertext = bytes(ciphertext, "ciphertext")?;
        Ok(JsApiSecret {
            inner: hmac_header::decrypt_legacy_secret(cipher, &password, &salt, &ciphertext)
                .js()?,
        })
    }

    /// The secret as base64 text.
    #[wasm_bindgen(js_name = toBase64)]
    pub fn to_base64(&self) -> String {
        self.inner.to_base64().to_string()
    }

    /// The raw secret bytes.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.secret().expose().to_vec()
    }

    /// The HMAC-SHA1 key FOST signs and verifies with for this secret: keyed with its base64 text, as
    /// django-fost-authn deployments store it.
    #[wasm_bindgen(js_name = fostKey)]
    pub fn fost_key(&self) -> Result<JsHmacKey, JsValue> {
        Ok(JsHmacKey {
            inner: self.inner.fost_key().js()?,
        })
    }

    /// The `hmac-sha256` key RFC 9421 message signatures use for this secret: its decoded bytes.
    #[wasm_bindgen(js_name = messageSignatureKey)]
    pub fn message_signature_key(&self) -> JsHmacKey {
        JsHmacKey {
            inner: self.inner.message_signature_key(),
        }
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        "ApiSecret(<hidden>)".to_string()
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsApiSecret {
        self.clone()
    }
}

/// Signs requests with the `HMAC-SHA256 keyId;signature;utc` header as key `keyId` (`algorithm`:
/// `hmac-sha256`, `hmac-sha384` or `hmac-sha512`). `new HmacHeaderSigner(keyId, secret, algorithm, {clock})`.
#[wasm_bindgen(js_name = HmacHeaderSigner)]
pub struct JsHmacHeaderSigner {
    inner: HmacHeaderSigner,
}

#[wasm_bindgen(js_class = HmacHeaderSigner)]
impl JsHmacHeaderSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_id: &str,
        secret: &JsApiSecret,
        algorithm: &str,
        options: &JsValue,
    ) -> Result<JsHmacHeaderSigner, JsValue> {
        let o = Opts::new(options, "HmacHeaderSigner", &["clock"])?;
        let alg = hmac_algorithm(algorithm)?;
        let inner = HmacHeaderSigner::new(key_id, secret.inner.key(alg).js()?)
            .js()?
            .with_clock(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        Ok(JsHmacHeaderSigner { inner })
    }

    /// Signs `request` (its JSON or form body, canonicalised as the Python server reads it). Options:
    /// `timestamp` (ISO 8601 UTC text; default now). Returns `{headers, signature, signedString}`.
    pub fn sign(&self, request: &JsRequest, options: &JsValue) -> Result<JsValue, JsValue> {
        let o = Opts::new(options, "HmacHeaderSigner.sign", &["timestamp"])?;
        let view = request.view()?;
        let body = Body::from_request(&view).js()?;
        let s = match o.string("timestamp")? {
            Some(ts) => self.inner.sign_at(&body, &ts),
            None => self.inner.sign(&body),
        }
        .js()?;
        Ok(signed(
            &[("Authorization", s.authorization())],
            s.signature(),
            s.string_to_sign(),
        ))
    }
}

/// How HMAC-header requests are checked. Options: `clock`, `maxAge` (seconds a signed time may be old;
/// default: the core's), `nonceStore` (makes each signature single-use).
#[wasm_bindgen(js_name = HmacHeaderPolicy)]
#[derive(Clone)]
pub struct JsHmacHeaderPolicy {
    inner: hmac_header::Policy,
}

#[wasm_bindgen(js_class = HmacHeaderPolicy)]
impl JsHmacHeaderPolicy {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<JsHmacHeaderPolicy, JsValue> {
        let o = Opts::new(
            options,
            "HmacHeaderPolicy",
            &["clock", "maxAge", "nonceStore"],
        )?;
        let mut p =
            hmac_header::Policy::new(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        if let Some(age) = o.seconds("maxAge")? {
            p = p.with_max_age(age);
        }
        if let Some(s) = o.class::<JsNonceStore>("nonceStore", "a NonceStore")? {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(JsHmacHeaderPolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> Self {
        self.clone()
    }
}

/// Phase one: the claims of the request's HMAC header (key id, algorithm, timestamp), or `null` without one.
#[wasm_bindgen(js_name = parseHmacHeader)]
pub fn parse_hmac_header(request: &JsRequest) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    Ok(match hmac_header::parse(&view).js()? {
        Some(p) => credentials(&Claims::from(&p)),
        None => JsValue::NULL,
    })
}

/// Phase two: verifies the request's HMAC header with `secret` (the claimed API key's) under `policy` (left
/// out: the core's default policy).
#[wasm_bindgen(js_name = verifyHmacHeader)]
pub fn verify_hmac_header(
    request: &JsRequest,
    secret: &JsApiSecret,
    policy: &JsValue,
) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    let parsed = hmac_header::parse(&view)
        .js()?
        .ok_or_else(|| none_of("HMAC header"))?;
    let policy = opt_class::<JsHmacHeaderPolicy>(policy, "policy", "an HmacHeaderPolicy")?
        .map_or_else(
            || hmac_header::Policy::new(clock_or_host(None)),
            |p| p.inner,
        );
    let v = parsed.verify(&secret.inner, &policy).js()?;
    Ok(verified(&Claims::from(&v)))
}
