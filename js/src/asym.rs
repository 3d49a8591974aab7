//! asymmetric-jwt-auth JWTs, and RFC 9421 HTTP Message Signatures with RFC 9530 digests.

use std::sync::Arc;

use countermark::http::message_signatures::{sign_with_default_coverage, Component, HttpMessage};
use countermark::jwt::{self, Token};
use countermark::{
    content_digest as core_content_digest, verify_content_digest as core_verify_content_digest,
    Claims, DigestAlgorithm, HttpSignatureAlgorithm, MessagePolicy, MessageSigner,
    MessageVerifyingKey, SigningKey, UnverifiedJwt, UnverifiedMessageSignature, VerifyingKey,
};
use js_sys::Array;
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;

use crate::convert::{bytes, shared, shared_copy, string_array, Opts};
use crate::http::{credentials, signed, verified, JsRequest, JsResponse};
use crate::keys::{JsHmacKey, JsSigningKey, JsVerifyingKey};
use crate::nonce::JsNonceStore;
use crate::{clock_or_host, core_error, type_error, IntoJs, JsClock};

fn kind_error(kind: countermark::ErrorKind, message: String) -> JsValue {
    core_error(countermark::Error::new(kind, message))
}

// ------------------------------------------------------------------------------------------------------ JWT

/// A JWT for `Authorization: JWT <token>` signed by `key` (EdDSA for Ed25519, RS512 for RSA), claiming
/// `username`, the time and a random nonce. Options: `clock`; `time` and `nonce` together for a reproducible
/// token (tests only).
#[wasm_bindgen(js_name = signJwt)]
pub fn sign_jwt(key: &JsSigningKey, username: &str, options: &JsValue) -> Result<String, JsValue> {
    let o = Opts::new(options, "signJwt", &["clock", "time", "nonce"])?;
    let token = match (o.integer("time")?, o.string("nonce")?) {
        (Some(t), Some(n)) => Token::from_parts(username, t, &n).js()?,
        (None, None) => {
            let clock = clock_or_host(o.class::<JsClock>("clock", "a Clock")?);
            Token::new(username, clock.as_ref()).js()?
        }
        _ => return Err(type_error("give both time and nonce, or neither")),
    };
    token.sign(&key.inner).js()
}

/// How JWTs are checked. Options: `clock`, `clockSkew` (seconds the token's time may be ahead of or behind the
/// clock; default: the core's), `nonceStore` (the store of used nonces; default: a memory store of the
/// policy's own). Build one per service and share it: its nonce store is what refuses replays.
#[wasm_bindgen(js_name = JwtPolicy)]
#[derive(Clone)]
pub struct JsJwtPolicy {
    inner: jwt::Policy,
}

#[wasm_bindgen(js_class = JwtPolicy)]
impl JsJwtPolicy {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<JsJwtPolicy, JsValue> {
        let o = Opts::new(options, "JwtPolicy", &["clock", "clockSkew", "nonceStore"])?;
        let mut p =
            jwt::Policy::new().with_clock(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        if let Some(skew) = o.seconds("clockSkew")? {
            p = p.with_clock_skew(skew).js()?;
        }
        if let Some(s) = o.class::<JsNonceStore>("nonceStore", "a NonceStore")? {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(JsJwtPolicy { inner: p })
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

fn check_jwt_len(token: &str) -> Result<(), JsValue> {
    if token.len() > jwt::MAX_JWT_LEN {
        return Err(kind_error(
            countermark::ErrorKind::TooLarge,
            format!("a JWT is at most {} bytes", jwt::MAX_JWT_LEN),
        ));
    }
    Ok(())
}

fn jwt_credentials(p: &UnverifiedJwt) -> JsValue {
    credentials(&Claims::from(p))
}

/// Phase one: the claims of a compact JWT (`username`, `time`, `nonce`, `kid`, `alg`) without trusting them.
/// Throws `Malformed`, `TooLarge` or `UnsupportedAlgorithm` (`none`, HS*, ...).
#[wasm_bindgen(js_name = parseJwt)]
pub fn parse_jwt(token: &str) -> Result<JsValue, JsValue> {
    check_jwt_len(token)?;
    Ok(jwt_credentials(&UnverifiedJwt::parse(token).js()?))
}

/// The JWT of a request's `Authorization: JWT <token>` header and its claims, `{token, credentials}`, or
/// `null` without one.
#[wasm_bindgen(js_name = parseJwtRequest)]
pub fn parse_jwt_request(request: &JsRequest) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    let Some(value) = view.headers().get("authorization") else {
        return Ok(JsValue::NULL);
    };
    let Some(token) = jwt::token_from_authorization(&value) else {
        return Ok(JsValue::NULL);
    };
    check_jwt_len(token)?;
    let parsed = UnverifiedJwt::parse(token).js()?;
    Ok(crate::convert::ObjectBuilder::new()
        .set("token", token)
        .set("credentials", jwt_credentials(&parsed))
        .build())
}

/// Phase two: verifies `token` with the first of `keys` (an array of `VerifyingKey`) that works (the one whose
/// kid matches the header's is tried first) under `policy`, and records its nonce.
#[wasm_bindgen(js_name = verifyJwt)]
pub fn verify_jwt(token: &str, keys: &JsValue, policy: &JsJwtPolicy) -> Result<JsValue, JsValue> {
    check_jwt_len(token)?;
    if !Array::is_array(keys) {
        return Err(type_error("keys must be an array of VerifyingKey"));
    }
    let keys: Vec<VerifyingKey> = Array::from(keys)
        .iter()
        .map(|k| shared::<JsVerifyingKey>(&k, "keys", "an array of VerifyingKey").map(|k| k.inner))
        .collect::<Result<_, _>>()?;
    let parsed = UnverifiedJwt::parse(token).js()?;
    let v = parsed.verify_any(&keys, &policy.inner).js()?;
    Ok(verified(&Claims::from(&v)))
}

// -------------------------------------------------------------------------------------------------- RFC 9421

fn parse_components(items: &[String]) -> Result<Vec<Component>, JsValue> {
    items.iter().map(|c| Component::parse(c).js()).collect()
}

/// Signs HTTP messages with RFC 9421. `new MessageSigner(key, options)`: `key` an `HmacKey` (hmac-sha256) or a
/// `SigningKey` with `algorithm` (`ed25519`, `rsa-v1_5-sha256`, `rsa-pss-sha512`, `ecdsa-p256-sha256`).
/// Options: `algorithm`, `label`, `components` (e.g. `["@method", "@authority", "@path", "content-digest"]`),
/// `created` (Unix seconds; default now; `false` to omit), `expires` (Unix seconds) or `expiresIn` (seconds),
/// `keyId` (default the key's; `false` to omit), `nonce` (fixed) or `randomNonces: true`, `tag`, `includeAlg`,
/// `clock`. Every option left out keeps the core's default.
#[wasm_bindgen(js_name = MessageSigner)]
pub struct JsMessageSigner {
    inner: MessageSigner,
}

impl JsMessageSigner {
    fn sign_message(&self, message: HttpMessage<'_>) -> Result<JsValue, JsValue> {
        let h = self.inner.sign(message).js()?;
        Ok(signed(
            &[
                ("Signature-Input", h.signature_input()),
                ("Signature", h.signature()),
            ],
            h.signature(),
            h.signature_base(),
        ))
    }
}

#[wasm_bindgen(js_class = MessageSigner)]
impl JsMessageSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(key: &JsValue, options: &JsValue) -> Result<JsMessageSigner, JsValue> {
        let o = Opts::new(
            options,
            "MessageSigner",
            &[
                "algorithm",
                "label",
                "components",
                "created",
                "expires",
                "expiresIn",
                "keyId",
                "nonce",
                "randomNonces",
                "tag",
                "includeAlg",
                "clock",
            ],
        )?;
        let algorithm = o.string("algorithm")?;
        let bad_key = || type_error("key must be an HmacKey or a SigningKey");
        let copy = shared_copy(key).ok_or_else(bad_key)?;
        let mut s = if let Some(k) = JsHmacKey::try_from_js_value_ref(&copy) {
            if let Some(a) = &algorithm {
                let alg: HttpSignatureAlgorithm = a.parse().js()?;
                if alg != HttpSignatureAlgorithm::HmacSha256 {
                    return Err(kind_error(
                        countermark::ErrorKind::UnsupportedAlgorithm,
                        format!("an HmacKey signs with hmac-sha256, not {a}"),
                    ));
                }
            }
            MessageSigner::hmac(k.inner).js()?
        } else if let Some(k) = JsSigningKey::try_from_js_value_ref(&copy) {
            let a = algorithm.ok_or_else(|| {
                type_error("a SigningKey needs the algorithm option (e.g. 'ed25519')")
            })?;
            MessageSigner::asymmetric(SigningKey::clone(&k.inner), a.parse().js()?).js()?
        } else {
            return Err(bad_key());
        };
        if let Some(l) = o.string("label")? {
            s = s.with_label(&l).js()?;
        }
        if let Some(c) = o.strings("components")? {
            s = s.with_components(parse_components(&c)?).js()?;
        }
        match o.get("created") {
            Some(v) if v.as_bool() == Some(false) => s = s.without_created(),
            Some(_) => {
                if let Some(t) = o.integer("created")? {
                    s = s.with_created(t);
                }
            }
            None => {}
        }
        if let Some(t) = o.integer("expires")? {
            s = s.with_expires(t);
        }
        if let Some(d) = o.seconds("expiresIn")? {
            s = s.with_expires_in(d);
        }
        match o.get("keyId") {
            Some(v) if v.as_bool() == Some(false) => s = s.without_key_id(),
            Some(_) => {
                if let Some(k) = o.string("keyId")? {
                    s = s.with_key_id(&k).js()?;
                }
            }
            None => {}
        }
        if let Some(n) = o.string("nonce")? {
            s = s.with_nonce(&n).js()?;
        }
        if o.bool("randomNonces")? == Some(true) {
            s = s.with_random_nonces();
        }
        if let Some(t) = o.string("tag")? {
            s = s.with_tag(&t).js()?;
        }
        if let Some(a) = o.bool("includeAlg")? {
            s = s.with_alg_param(a);
        }
        s = s.with_clock(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        Ok(JsMessageSigner { inner: s })
    }

    /// Signs `request`; returns `{headers, signature, signedString}` with the `Signature-Input` and
    /// `Signature` lines to add.
    pub fn sign(&self, request: &JsRequest) -> Result<JsValue, JsValue> {
        let view = request.view()?;
        self.sign_message(HttpMessage::from(&view))
    }

    /// Signs `request` over the core's default coverage (`defaultCoverage`), whatever components the signer
    /// was built with. The lines to add come back in order: the RFC 9530 `Content-Digest` (sha-256) when the
    /// request has a body and no digest of its own, then `Signature-Input` and `Signature`.
    #[wasm_bindgen(js_name = signWithDefaultCoverage)]
    pub fn sign_with_default_coverage(&self, request: &JsRequest) -> Result<JsValue, JsValue> {
        let view = request.view()?;
        let s = sign_with_default_coverage(&self.inner, &view).js()?;
        let lines = s.header_lines();
        let headers = s.headers();
        Ok(signed(
            &lines,
            headers.signature(),
            headers.signature_base(),
        ))
    }

    /// Signs `response` (components with `;req` read its request).
    #[wasm_bindgen(js_name = signResponse)]
    pub fn sign_response(&self, response: &JsResponse) -> Result<JsValue, JsValue> {
        response.with_view(|r| self.sign_message(HttpMessage::from(r)))
    }
}

/// A key that verifies RFC 9421 signatures: `MessageVerifyingKey.hmac(key)` or
/// `MessageVerifyingKey.public(key, algorithm)`.
#[wasm_bindgen(js_name = MessageVerifyingKey)]
pub struct JsMessageVerifyingKey {
    inner: MessageVerifyingKey,
}

#[wasm_bindgen(js_class = MessageVerifyingKey)]
impl JsMessageVerifyingKey {
    pub fn hmac(key: &JsHmacKey) -> Result<JsMessageVerifyingKey, JsValue> {
        Ok(JsMessageVerifyingKey {
            inner: MessageVerifyingKey::hmac(key.inner.clone()).js()?,
        })
    }

    /// `key` under `algorithm`; left out, under the key's default RFC 9421 algorithm (the core's: the first
    /// the key allows).
    pub fn public(
        key: &JsVerifyingKey,
        algorithm: Option<String>,
    ) -> Result<JsMessageVerifyingKey, JsValue> {
        let inner = match algorithm {
            Some(a) => {
                let alg: HttpSignatureAlgorithm = a.parse().js()?;
                MessageVerifyingKey::public(key.inner.clone(), alg)
            }
            None => MessageVerifyingKey::for_public_key(key.inner.clone()),
        }
        .js()?;
        Ok(JsMessageVerifyingKey { inner })
    }

    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().name().to_string()
    }
}

/// How RFC 9421 signatures are checked. Every option left out keeps the core's default; `describe()` shows
/// them. Options: `clock`, `clockSkew`, `maxAge` (seconds; `null` for no age limit), `requireCreated`,
/// `requireKeyId`, `requireNonce`, `requiredComponents`, `allowUnknownParams`, `label`, `checkContentDigest`,
/// `requireBodyDigest`, `nonceStore`, `rememberSignatures`.
#[wasm_bindgen(js_name = MessagePolicy)]
pub struct JsMessagePolicy {
    inner: MessagePolicy,
}

#[wasm_bindgen(js_class = MessagePolicy)]
impl JsMessagePolicy {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<JsMessagePolicy, JsValue> {
        let o = Opts::new(
            options,
            "MessagePolicy",
            &[
                "clock",
                "clockSkew",
                "maxAge",
                "requireCreated",
                "requireKeyId",
                "requireNonce",
                "requiredComponents",
                "allowUnknownParams",
                "label",
                "checkContentDigest",
                "requireBodyDigest",
                "nonceStore",
                "rememberSignatures",
            ],
        )?;
        // Only what the caller gave reaches the core: every default is the core's.
        let mut p =
            MessagePolicy::new().with_clock(clock_or_host(o.class::<JsClock>("clock", "a Clock")?));
        if let Some(c) = o.strings("requiredComponents")? {
            p = p.with_required_components(parse_components(&c)?);
        }
        let max_age = o.raw("maxAge");
        if max_age.is_null() {
            p = p.with_max_age(None);
        } else if !max_age.is_undefined() {
            p = p.with_max_age(o.seconds("maxAge")?);
        }
        if let Some(skew) = o.seconds("clockSkew")? {
            p = p.with_clock_skew(skew);
        }
        type Setter = fn(MessagePolicy, bool) -> MessagePolicy;
        let flags: [(&str, Setter); 7] = [
            ("requireCreated", MessagePolicy::require_created),
            ("requireKeyId", MessagePolicy::require_key_id),
            ("requireNonce", MessagePolicy::require_nonce),
            ("allowUnknownParams", MessagePolicy::allow_unknown_params),
            ("checkContentDigest", MessagePolicy::check_content_digest),
            ("requireBodyDigest", MessagePolicy::require_body_digest),
            ("rememberSignatures", MessagePolicy::remember_signatures),
        ];
        for (name, set) in flags {
            if let Some(v) = o.bool(name)? {
                p = set(p, v);
            }
        }
        if let Some(l) = o.string("label")? {
            p = p.with_label(l);
        }
        if let Some(s) = o.class::<JsNonceStore>("nonceStore", "a NonceStore")? {
            p = p.with_nonce_store(Arc::clone(&s.inner));
        }
        Ok(JsMessagePolicy { inner: p })
    }

    /// The settings as one line of text (the core's `describe`).
    pub fn describe(&self) -> String {
        self.inner.describe()
    }
}

fn parse_message(message: HttpMessage<'_>, label: Option<String>) -> Result<JsValue, JsValue> {
    Ok(
        match UnverifiedMessageSignature::parse(message, label.as_deref()).js()? {
            Some(u) => credentials(&Claims::from(&u)),
            None => JsValue::NULL,
        },
    )
}

fn verify_message(
    message: HttpMessage<'_>,
    key: &JsMessageVerifyingKey,
    policy: &JsMessagePolicy,
) -> Result<JsValue, JsValue> {
    let parsed = UnverifiedMessageSignature::parse_for(message, &policy.inner)
        .js()?
        .ok_or_else(|| {
            kind_error(
                countermark::ErrorKind::Malformed,
                "the message has no Signature-Input or Signature header".to_string(),
            )
        })?;
    let v = parsed.verify(&key.inner, &policy.inner).js()?;
    Ok(verified(&Claims::from(&v)))
}

/// Phase one: the parameters of the request's signature `label` (left out: the first), or `null` when it has
/// no `Signature-Input`/`Signature`. Throws `Malformed` for broken ones.
#[wasm_bindgen(js_name = parseMessageSignature)]
pub fn parse_message_signature(
    request: &JsRequest,
    label: Option<String>,
) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    parse_message(HttpMessage::from(&view), label)
}

/// Phase two: verifies the request's signature with `key` under `policy`, then records its nonce.
#[wasm_bindgen(js_name = verifyMessageSignature)]
pub fn verify_message_signature(
    request: &JsRequest,
    key: &JsMessageVerifyingKey,
    policy: &JsMessagePolicy,
) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    verify_message(HttpMessage::from(&view), key, policy)
}

/// As `parseMessageSignature`, for a response.
#[wasm_bindgen(js_name = parseResponseSignature)]
pub fn parse_response_signature(
    response: &JsResponse,
    label: Option<String>,
) -> Result<JsValue, JsValue> {
    response.with_view(|r| parse_message(HttpMessage::from(r), label))
}

/// As `verifyMessageSignature`, for a response.
#[wasm_bindgen(js_name = verifyResponseSignature)]
pub fn verify_response_signature(
    response: &JsResponse,
    key: &JsMessageVerifyingKey,
    policy: &JsMessagePolicy,
) -> Result<JsValue, JsValue> {
    response.with_view(|r| verify_message(HttpMessage::from(r), key, policy))
}

/// The RFC 9530 `Content-Digest` value of `body` (a string or a `Uint8Array`); `algorithms`: an array of
/// `sha-256` and/or `sha-512`.
#[wasm_bindgen(js_name = contentDigest)]
pub fn content_digest(body: &JsValue, algorithms: &JsValue) -> Result<String, JsValue> {
    let body = bytes(body, "body")?;
    let algs: Vec<DigestAlgorithm> = crate::convert::strings(algorithms, "algorithms")?
        .iter()
        .map(|a| a.parse().js())
        .collect::<Result<_, _>>()?;
    core_content_digest(&body, &algs).js()
}

/// Checks a `Content-Digest` value against `body`; throws `BadSignature` on a mismatch, `Malformed` for a bad
/// value or one with no supported algorithm.
#[wasm_bindgen(js_name = verifyContentDigest)]
pub fn verify_content_digest(value: &str, body: &JsValue) -> Result<(), JsValue> {
    let body = bytes(body, "body")?;
    core_verify_content_digest(value, &body).js().map(|_| ())
}

/// The default RFC 9421 coverage of `request`: `{components, contentDigest}`: the components as in
/// `Signature-Input` (`@method @authority @path`, `@query` when the target has a `?`, `content-digest` for a
/// non-empty body) and the `Content-Digest` value to add (`null` when there is no body or it has one already).
#[wasm_bindgen(js_name = defaultCoverage)]
pub fn default_coverage(request: &JsRequest) -> Result<JsValue, JsValue> {
    let view = request.view()?;
    let c = countermark::http::message_signatures::default_coverage(&view).js()?;
    let names: Vec<String> = c
        .components()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    Ok(crate::convert::ObjectBuilder::new()
        .set("components", string_array(&names))
        .opt_str("contentDigest", c.content_digest())
        .build())
}
