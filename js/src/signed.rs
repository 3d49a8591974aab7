//! ska signatures and signed URLs.

use std::time::Duration;

use countermark::signed::{
    Expiry, Extra, ParamNames, Quoter, Rejection, SignedData, UrlSigner, ValidUntil, ValueDumper,
};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::convert::{integer, ObjectBuilder, Opts};
use crate::keys::key_ring;
use crate::{clock_or_host, core_error, type_error, IntoJs, JsClock};

/// Signs and validates ska signatures (URLs and parameter objects) with the primary key of `keys` (an
/// `HmacKey` or a `KeyRing`). Options: `clock`; `paramNames` (`{signature, authUser, validUntil, extra}`:
/// other names for the four parameters); `valueDumper` and `quoter`, ska's helpers: `"python"` (ska's
/// defaults) or `"javascript"` (what ska's JavaScript port signs with); left out, the core's default.
#[wasm_bindgen(js_name = UrlSigner)]
pub struct JsUrlSigner {
    inner: UrlSigner,
}

fn signed_data(data: &SignedData) -> JsValue {
    let extra = Object::new();
    for (k, v) in data.extra() {
        let _ = Reflect::set(&extra, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    ObjectBuilder::new()
        .set("authUser", data.auth_user())
        .set("validUntil", data.valid_until())
        .set("extra", extra)
        .build()
}

fn rejection_error(r: Rejection) -> JsValue {
    core_error(r.into())
}

/// `{signature, authUser, validUntil, extra}` as the core's `ParamNames` (names left out keep ska's).
fn param_names(value: &JsValue) -> Result<ParamNames, JsValue> {
    let o = Opts::new(
        value,
        "paramNames",
        &["signature", "authUser", "validUntil", "extra"],
    )?;
    let mut names = ParamNames::default();
    if let Some(v) = o.string("signature")? {
        names.signature = v;
    }
    if let Some(v) = o.string("authUser")? {
        names.auth_user = v;
    }
    if let Some(v) = o.string("validUntil")? {
        names.valid_until = v;
    }
    if let Some(v) = o.string("extra")? {
        names.extra = v;
    }
    Ok(names)
}

/// Parameters as `(name, value)` pairs: an object of strings, an array of `[name, value]` pairs (as a query
/// string has them), or a `URLSearchParams`/`Map` (anything with `entries()`).
fn param_pairs(params: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if !params.is_object() {
        return Err(type_error(
            "params must be an object, an array of [name, value] pairs or a URLSearchParams",
        ));
    }
    crate::convert::header_lines(params)
        .map_err(|_| type_error("params must hold string names and string values"))
}

impl JsUrlSigner {
    fn expiry_extra(&self, o: &Opts) -> Result<(Expiry, Extra), JsValue> {
        // Only what the caller gave reaches the core: no lifetime means the core's default expiry.
        let expiry = match (o.get("validUntil"), o.seconds("lifetime")?) {
            (Some(v), _) => Expiry::At(if let Some(s) = v.as_string() {
                ValidUntil::Text(s)
            } else if let Some(n) = v.as_f64() {
                if n.fract() == 0.0 {
                    ValidUntil::Int(integer(n, "validUntil")?)
                } else {
                    ValidUntil::Float(n)
                }
            } else {
                return Err(type_error(
                    "validUntil must be Unix seconds, as a number or a string",
                ));
            }),
            // ska's lifetime counts whole seconds: a fraction is dropped, so a window is never wider.
            (None, Some(d)) => Expiry::Lifetime(Duration::from_secs(d.as_secs())),
            (None, None) => Expiry::default(),
        };
        let extra = match o.get("extra") {
            None => Extra::new(),
            Some(v) => {
                if !v.is_object() || Array::is_array(&v) {
                    return Err(type_error("extra must be an object"));
                }
                let json = js_sys::JSON::stringify(&v)?
                    .as_string()
                    .ok_or_else(|| type_error("extra must be JSON-serialisable"))?;
                Extra::from_json(&json).js()?
            }
        };
        Ok((expiry, extra))
    }
}

const SIGN_OPTIONS: [&str; 3] = ["lifetime", "validUntil", "extra"];

#[wasm_bindgen(js_class = UrlSigner)]
impl JsUrlSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(keys: &JsValue, options: &JsValue) -> Result<JsUrlSigner, JsValue> {
        let o = Opts::new(
            options,
            "UrlSigner",
            &["clock", "paramNames", "valueDumper", "quoter"],
        )?;
        let clock = o.class::<JsClock>("clock", "a Clock")?;
        let mut signer = UrlSigner::new(key_ring(keys, "keys")?).with_clock(clock_or_host(clock));
        if let Some(d) = o.string("valueDumper")? {
            signer = signer.with_value_dumper(d.parse::<ValueDumper>().js()?);
        }
        if let Some(q) = o.string("quoter")? {
            signer = signer.with_quoter(q.parse::<Quoter>().js()?);
        }
        if let Some(names) = o.get("paramNames") {
            signer = signer.with_param_names(param_names(&names)?).js()?;
        }
        Ok(JsUrlSigner { inner: signer })
    }

    /// `url` with the signature parameters added. Options: `lifetime` (seconds; default: the core's, ska's) or
    /// `validUntil` (Unix seconds, a number or the exact text to sign); `extra` (an object of strings, numbers,
    /// booleans, null, arrays or objects) is signed and sent along; `suffix` puts the parameters after that
    /// text instead of the `?` or `&` the URL needs.
    #[wasm_bindgen(js_name = signUrl)]
    pub fn sign_url(&self, url: &str, user: &str, options: &JsValue) -> Result<String, JsValue> {
        let o = Opts::new(
            options,
            "UrlSigner.signUrl",
            &["lifetime", "validUntil", "extra", "suffix"],
        )?;
        let (expiry, extra) = self.expiry_extra(&o)?;
        match o.string("suffix")? {
            Some(suffix) => {
                let sig = self.inner.generate(user, expiry, &extra).js()?;
                Ok(sig.to_url(url, &suffix, self.inner.param_names()))
            }
            None => self.inner.sign_url(url, user, expiry, &extra).js(),
        }
    }

    /// The signature parameters as an object (to send as query parameters or form fields), in ska's order.
    /// Options as `signUrl` (without `suffix`).
    #[wasm_bindgen(js_name = signParams)]
    pub fn sign_params(&self, user: &str, options: &JsValue) -> Result<JsValue, JsValue> {
        let o = Opts::new(options, "UrlSigner.signParams", &SIGN_OPTIONS)?;
        let (expiry, extra) = self.expiry_extra(&o)?;
        let sig = self.inner.generate(user, expiry, &extra).js()?;
        let mut out = ObjectBuilder::new();
        for (k, v) in sig.to_dict(self.inner.param_names()) {
            out = out.set_named(&k, v.as_str());
        }
        Ok(out.build())
    }

    /// The value dumper in use: `"python"` or `"javascript"`.
    #[wasm_bindgen(getter, js_name = valueDumper)]
    pub fn value_dumper(&self) -> String {
        self.inner.value_dumper().name().to_string()
    }

    /// The quoter in use: `"python"` or `"javascript"`.
    #[wasm_bindgen(getter)]
    pub fn quoter(&self) -> String {
        self.inner.quoter().name().to_string()
    }

    /// The four parameter names: `{signature, authUser, validUntil, extra}`.
    #[wasm_bindgen(getter, js_name = paramNames)]
    pub fn param_names(&self) -> JsValue {
        let n = self.inner.param_names();
        ObjectBuilder::new()
            .set("signature", n.signature.as_str())
            .set("authUser", n.auth_user.as_str())
            .set("validUntil", n.valid_until.as_str())
            .set("extra", n.extra.as_str())
            .build()
    }

    /// Validates a signed URL and returns what it carried (`{authUser, validUntil, extra}`), or throws
    /// (`BadSignature`, `Expired`, ...).
    #[wasm_bindgen(js_name = validateUrl)]
    pub fn validate_url(&self, url: &str) -> Result<JsValue, JsValue> {
        let data = self.inner.validate_url(url).map_err(rejection_error)?;
        Ok(signed_data(&data))
    }

    /// Validates signature parameters (an object of strings, `[name, value]` pairs or a `URLSearchParams`).
    pub fn validate(&self, params: &JsValue) -> Result<JsValue, JsValue> {
        let pairs = param_pairs(params)?;
        let data = self.inner.validate(&pairs).map_err(rejection_error)?;
        Ok(signed_data(&data))
    }

    /// Every failure instead of one error, as ska's `SignatureValidationResult` reports them:
    /// `{data, failures: [{code, message}]}` (`data` null when there is a failure; ska's codes 1 and 2).
    #[wasm_bindgen(js_name = validationReport)]
    pub fn validation_report(&self, params: &JsValue) -> Result<JsValue, JsValue> {
        let pairs = param_pairs(params)?;
        Ok(match self.inner.validate(&pairs) {
            Ok(data) => ObjectBuilder::new()
                .set("data", signed_data(&data))
                .set("failures", Array::new())
                .build(),
            Err(r) => {
                let failures: Array = r
                    .failures()
                    .iter()
                    .map(|f| {
                        ObjectBuilder::new()
                            .set("code", f64::from(f.code()))
                            .set("message", f.message())
                            .build()
                    })
                    .collect();
                ObjectBuilder::new()
                    .set("data", JsValue::NULL)
                    .set("failures", failures)
                    .build()
            }
        })
    }
}
