//! HMAC keys, key rings, and asymmetric signing and verifying keys.

use std::sync::Arc;

use countermark::{Algorithm, HmacKey, KeyId, KeyRing, Secret, SigningKey, VerifyingKey};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::convert::{bytes, shared_copy, Opts};
use crate::{type_error, IntoJs};

pub(crate) fn hmac_algorithm(name: &str) -> Result<Algorithm, JsValue> {
    name.parse().js()
}

/// An HMAC key bound to one algorithm. Immutable; the secret is wiped from WebAssembly memory when the key is
/// freed (`free()`, or when it is garbage-collected).
///
/// `new HmacKey(secret, algorithm, {keyId, legacy})`: `secret` a string (its UTF-8 bytes) or a `Uint8Array`,
/// 16 to 1024 bytes; `legacy: true` also accepts the 1 to 15 byte secrets of existing ska, FOST and handshake
/// deployments. `algorithm` in its one spelling: `hmac-sha256`, `hmac-sha1`, `hmac-sha224`, `hmac-sha384`,
/// `hmac-sha512`, `hmac-blake2s`, `hmac-blake2b`, or `hmac-md5` (legacy, ska links only).
#[wasm_bindgen(js_name = HmacKey)]
#[derive(Clone)]
pub struct JsHmacKey {
    pub(crate) inner: HmacKey,
}

fn with_key_id(key: HmacKey, key_id: Option<String>) -> Result<HmacKey, JsValue> {
    Ok(match key_id {
        Some(id) => key.with_key_id(KeyId::new(id).js()?),
        None => key,
    })
}

#[wasm_bindgen(js_class = HmacKey)]
impl JsHmacKey {
    #[wasm_bindgen(constructor)]
    pub fn new(secret: &JsValue, algorithm: &str, options: &JsValue) -> Result<JsHmacKey, JsValue> {
        let o = Opts::new(options, "HmacKey", &["keyId", "legacy"])?;
        let alg = hmac_algorithm(algorithm)?;
        let raw = zeroize::Zeroizing::new(bytes(secret, "secret")?);
        let secret = if o.bool("legacy")?.unwrap_or(false) {
            Secret::legacy(raw.to_vec())
        } else {
            Secret::new(raw.to_vec())
        }
        .js()?;
        let key = with_key_id(HmacKey::new(alg, &secret), o.string("keyId")?)?;
        Ok(JsHmacKey { inner: key })
    }

    /// A key with a fresh random secret of `length` bytes (WebCrypto's `getRandomValues`).
    pub fn generate(
        algorithm: &str,
        length: usize,
        options: &JsValue,
    ) -> Result<JsHmacKey, JsValue> {
        let o = Opts::new(options, "HmacKey.generate", &["keyId"])?;
        let alg = hmac_algorithm(algorithm)?;
        let secret = Secret::generate(length).js()?;
        let key = with_key_id(HmacKey::new(alg, &secret), o.string("keyId")?)?;
        Ok(JsHmacKey { inner: key })
    }

    /// The algorithm's one spelling, e.g. `hmac-sha256`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().name().to_string()
    }

    /// The key id, or `null`.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.inner.key_id().map(|k| k.as_str().to_string())
    }

    /// The MAC of `message` (a string or a `Uint8Array`).
    pub fn sign(&self, message: &JsValue) -> Result<Uint8Array, JsValue> {
        let m = bytes(message, "message")?;
        Ok(Uint8Array::from(self.inner.sign(&m).as_bytes()))
    }

    /// Checks in constant time that `tag` is the MAC of `message`; throws `BadSignature` otherwise.
    pub fn verify(&self, message: &JsValue, tag: &JsValue) -> Result<(), JsValue> {
        let m = bytes(message, "message")?;
        let t = bytes(tag, "tag")?;
        self.inner.verify(&m, &t).js()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        match self.inner.key_id() {
            Some(kid) => format!(
                "HmacKey(algorithm={:?}, keyId={:?})",
                self.inner.algorithm().name(),
                kid.as_str()
            ),
            None => format!("HmacKey(algorithm={:?})", self.inner.algorithm().name()),
        }
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsHmacKey {
        self.clone()
    }
}

/// Keys for rotation: one primary key that signs, others that still verify. Objects built from a ring
/// (`Tokens`, `UrlSigner`) take a copy of it when they are built; rotate, then build them again.
#[wasm_bindgen(js_name = KeyRing)]
#[derive(Clone)]
pub struct JsKeyRing {
    pub(crate) inner: KeyRing,
}

#[wasm_bindgen(js_class = KeyRing)]
impl JsKeyRing {
    /// `new KeyRing(primary, {verifyOnly: [keys]})`.
    #[wasm_bindgen(constructor)]
    pub fn new(primary: &JsHmacKey, options: &JsValue) -> Result<JsKeyRing, JsValue> {
        let o = Opts::new(options, "KeyRing", &["verifyOnly"])?;
        let mut ring = KeyRing::new(primary.inner.clone());
        if let Some(list) = o.get("verifyOnly") {
            if !js_sys::Array::is_array(&list) {
                return Err(type_error("verifyOnly must be an array of HmacKey"));
            }
            for k in js_sys::Array::from(&list).iter() {
                let k: JsHmacKey = crate::convert::shared(&k, "verifyOnly", "an array of HmacKey")?;
                ring.add_verify_only(k.inner).js()?;
            }
        }
        Ok(JsKeyRing { inner: ring })
    }

    /// Makes `key` the primary; the previous primary keeps verifying.
    pub fn rotate(&mut self, key: &JsHmacKey) -> Result<(), JsValue> {
        self.inner.rotate(key.inner.clone()).js()
    }

    /// Adds a key that verifies but never signs.
    #[wasm_bindgen(js_name = addVerifyOnly)]
    pub fn add_verify_only(&mut self, key: &JsHmacKey) -> Result<(), JsValue> {
        self.inner.add_verify_only(key.inner.clone()).js()
    }

    /// Removes the verify-only key `keyId` (the primary cannot be retired).
    pub fn retire(&mut self, key_id: &str) -> Result<(), JsValue> {
        self.inner.retire(key_id).js()
    }

    /// The key with id `keyId`, or `undefined`.
    pub fn get(&self, key_id: &str) -> Option<JsHmacKey> {
        self.inner
            .get(key_id)
            .map(|k| JsHmacKey { inner: k.clone() })
    }

    /// The key that signs.
    #[wasm_bindgen(getter)]
    pub fn primary(&self) -> JsHmacKey {
        JsHmacKey {
            inner: self.inner.primary().clone(),
        }
    }

    /// How many keys the ring holds.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.keys().count()
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsKeyRing {
        self.clone()
    }
}

/// A key ring from either an `HmacKey` (a ring of one) or a `KeyRing`.
pub(crate) fn key_ring(value: &JsValue, what: &str) -> Result<KeyRing, JsValue> {
    use wasm_bindgen::convert::TryFromJsValue;
    let bad = || type_error(&format!("{what} must be an HmacKey or a KeyRing"));
    let copy = shared_copy(value).ok_or_else(bad)?;
    if let Some(k) = JsHmacKey::try_from_js_value_ref(&copy) {
        return Ok(KeyRing::from(k.inner));
    }
    if let Some(r) = JsKeyRing::try_from_js_value_ref(&copy) {
        return Ok(r.inner);
    }
    Err(bad())
}

/// A private key (Ed25519, RSA or ECDSA P-256) that signs. Its bytes never appear in messages.
#[wasm_bindgen(js_name = SigningKey)]
#[derive(Clone)]
pub struct JsSigningKey {
    pub(crate) inner: Arc<SigningKey>,
}

#[wasm_bindgen(js_class = SigningKey)]
impl JsSigningKey {
    /// A key from PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`, or PKCS#1 `RSA PRIVATE KEY`).
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &str) -> Result<JsSigningKey, JsValue> {
        Ok(JsSigningKey {
            inner: Arc::new(SigningKey::from_pem(pem).js()?),
        })
    }

    /// A key from PKCS#8 DER bytes.
    #[wasm_bindgen(js_name = fromDer)]
    pub fn from_der(der: &[u8]) -> Result<JsSigningKey, JsValue> {
        Ok(JsSigningKey {
            inner: Arc::new(SigningKey::from_pkcs8_der(der).js()?),
        })
    }

    /// The matching public key.
    #[wasm_bindgen(getter, js_name = verifyingKey)]
    pub fn verifying_key(&self) -> JsVerifyingKey {
        JsVerifyingKey {
            inner: self.inner.verifying_key().clone(),
        }
    }

    /// The key id (asymmetric-jwt-auth's fingerprint of the public key unless set otherwise).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }

    /// The signature of `message` under `algorithm` (`ed25519`, `rsa-v1_5-sha256`, `rsa-pss-sha512`,
    /// `ecdsa-p256-sha256`, ...: one the key allows, else `UnsupportedAlgorithm`).
    pub fn sign(&self, algorithm: &str, message: &JsValue) -> Result<Uint8Array, JsValue> {
        let alg: countermark::SignatureAlgorithm = algorithm.parse().js()?;
        let m = bytes(message, "message")?;
        Ok(Uint8Array::from(self.inner.sign(alg, &m).js()?.as_slice()))
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("SigningKey(keyId={:?})", self.inner.key_id())
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsSigningKey {
        self.clone()
    }
}

/// A public key that verifies, with the algorithms allowed for it and its key id.
#[wasm_bindgen(js_name = VerifyingKey)]
#[derive(Clone)]
pub struct JsVerifyingKey {
    pub(crate) inner: VerifyingKey,
}

#[wasm_bindgen(js_class = VerifyingKey)]
impl JsVerifyingKey {
    /// A key from SPKI PEM text (`-----BEGIN PUBLIC KEY-----`), or an OpenSSH `ssh-ed25519`/`ssh-rsa` line.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &str) -> Result<JsVerifyingKey, JsValue> {
        Ok(JsVerifyingKey {
            inner: VerifyingKey::from_pem(pem).js()?,
        })
    }

    /// A key from SPKI DER bytes.
    #[wasm_bindgen(js_name = fromDer)]
    pub fn from_der(der: &[u8]) -> Result<JsVerifyingKey, JsValue> {
        Ok(JsVerifyingKey {
            inner: VerifyingKey::from_spki_der(der).js()?,
        })
    }

    /// A key from a JWK (JSON text).
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(jwk: &str) -> Result<JsVerifyingKey, JsValue> {
        Ok(JsVerifyingKey {
            inner: VerifyingKey::from_jwk(jwk).js()?,
        })
    }

    /// A fresh public key of `keyType` (`ed25519` or `ecdsa-p256`) whose private half was thrown away: verify
    /// against it when a credential names an unknown key id, so the refusal costs what a known key's does.
    pub fn decoy(key_type: &str) -> Result<JsVerifyingKey, JsValue> {
        let key_type: countermark::KeyType = key_type.parse().js()?;
        Ok(JsVerifyingKey {
            inner: VerifyingKey::decoy(key_type).js()?,
        })
    }

    /// A copy with another key id.
    #[wasm_bindgen(js_name = withKeyId)]
    pub fn with_key_id(&self, key_id: &str) -> Result<JsVerifyingKey, JsValue> {
        Ok(JsVerifyingKey {
            inner: self.inner.clone().with_key_id(key_id).js()?,
        })
    }

    /// The key id (asymmetric-jwt-auth's fingerprint unless set otherwise).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_string()
    }

    /// asymmetric-jwt-auth's fingerprint: hex SHA-256 of the PEM text.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint()
    }

    /// Checks `signature` of `message` under `algorithm` (one the key allows, else `UnsupportedAlgorithm`);
    /// throws `BadSignature` when it does not verify.
    pub fn verify(
        &self,
        algorithm: &str,
        message: &JsValue,
        signature: &JsValue,
    ) -> Result<(), JsValue> {
        let alg: countermark::SignatureAlgorithm = algorithm.parse().js()?;
        let m = bytes(message, "message")?;
        let sig = bytes(signature, "signature")?;
        self.inner.verify(alg, &m, &sig).js()
    }

    /// The SPKI PEM text.
    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("VerifyingKey(keyId={:?})", self.inner.key_id())
    }

    #[wasm_bindgen(js_name = "__share")]
    pub fn share(&self) -> JsVerifyingKey {
        self.clone()
    }
}
