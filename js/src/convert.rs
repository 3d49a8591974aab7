//! Conversions from JavaScript values: option objects, seconds, bytes, header lines, and the package's own
//! class instances given inside option objects.

use std::cell::RefCell;
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::{error_of, type_error};

/// A copy of an instance of one of this package's classes given as a plain JavaScript value (in an option
/// object, or a parameter that takes one of two classes). wasm-bindgen moves a Rust value out of the
/// JavaScript object it converts, so the value's own `__share()` (a cheap clone) is converted instead and the
/// caller's object stays usable. `None` when `value` is not an instance of one of the package's classes.
pub(crate) fn shared_copy(value: &JsValue) -> Option<JsValue> {
    if !value.is_object() {
        return None;
    }
    let share = Reflect::get(value, &JsValue::from_str("__share"))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    share.call0(value).ok()
}

/// `shared_copy` converted to `T`; a `TypeError` naming `what` and `expected` otherwise.
pub(crate) fn shared<T: TryFromJsValue>(
    value: &JsValue,
    what: &str,
    expected: &str,
) -> Result<T, JsValue> {
    shared_copy(value)
        .and_then(|copy| T::try_from_js_value(copy).ok())
        .ok_or_else(|| type_error(&format!("{what} must be {expected}")))
}

/// An optional parameter that takes an instance of one of this package's classes (`undefined`/`null`: left
/// out).
pub(crate) fn opt_class<T: TryFromJsValue>(
    value: &JsValue,
    what: &str,
    expected: &str,
) -> Result<Option<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    shared(value, what, expected).map(Some)
}

/// Calls `f` with the JavaScript string of a property name of the package's own (an option, a field of a result
/// object), made once per name and kept: decoding the name out of WebAssembly memory on every call (a
/// `TextDecoder` call each) cost more than the rest of building a small result object.
fn with_key<T>(name: &'static str, f: impl FnOnce(&JsValue) -> T) -> T {
    thread_local! {
        static KEYS: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
    }
    KEYS.with(|keys| {
        if let Some((_, key)) = keys.borrow().iter().find(|(n, _)| *n == name) {
            return f(key);
        }
        let key = JsValue::from_str(name);
        let out = f(&key);
        keys.borrow_mut().push((name, key));
        out
    })
}

/// The options object of a constructor or function: every name is checked against the ones it takes, so a
/// misspelt option (`clock_skew`, `maxage`) is a `TypeError` instead of a silently kept default. `undefined`
/// and `null` values count as left out, except where `raw` is read.
pub(crate) struct Opts {
    obj: Option<JsValue>,
    what: &'static str,
}

impl Opts {
    pub(crate) fn new(
        value: &JsValue,
        what: &'static str,
        allowed: &[&str],
    ) -> Result<Opts, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(Opts { obj: None, what });
        }
        if !value.is_object() || Array::is_array(value) {
            return Err(type_error(&format!(
                "the options of {what} must be an object"
            )));
        }
        let obj: &Object = value.unchecked_ref();
        for key in Object::keys(obj).iter() {
            let key = key.as_string().unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(type_error(&format!(
                    "{what} has no option {key:?}; its options are: {}",
                    allowed.join(", ")
                )));
            }
        }
        Ok(Opts {
            obj: Some(value.clone()),
            what,
        })
    }

    /// The value as given (`undefined` when left out; `null` kept).
    pub(crate) fn raw(&self, name: &'static str) -> JsValue {
        self.obj
            .as_ref()
            .and_then(|o| with_key(name, |key| Reflect::get(o, key)).ok())
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// The value, or `None` when left out (`undefined` or `null`).
    pub(crate) fn get(&self, name: &'static str) -> Option<JsValue> {
        let v = self.raw(name);
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    pub(crate) fn string(&self, name: &'static str) -> Result<Option<String>, JsValue> {
        self.get(name)
            .map(|v| {
                v.as_string().ok_or_else(|| {
                    type_error(&format!("{}: option {name} must be a string", self.what))
                })
            })
            .transpose()
    }

    pub(crate) fn number(&self, name: &'static str) -> Result<Option<f64>, JsValue> {
        self.get(name)
            .map(|v| {
                v.as_f64().ok_or_else(|| {
                    type_error(&format!("{}: option {name} must be a number", self.what))
                })
            })
            .transpose()
    }

    /// A whole number (Unix seconds, a count): a fraction or a number beyond 2^53 is refused.
    pub(crate) fn integer(&self, name: &'static str) -> Result<Option<i64>, JsValue> {
        self.number(name)?
            .map(|n| integer(n, &format!("{}: option {name}", self.what)))
            .transpose()
    }

    pub(crate) fn bool(&self, name: &'static str) -> Result<Option<bool>, JsValue> {
        self.get(name)
            .map(|v| {
                v.as_bool().ok_or_else(|| {
                    type_error(&format!("{}: option {name} must be a boolean", self.what))
                })
            })
            .transpose()
    }

    /// A duration in seconds (finite, not negative).
    pub(crate) fn seconds(&self, name: &'static str) -> Result<Option<Duration>, JsValue> {
        self.get(name).map(|v| seconds(name, &v)).transpose()
    }

    pub(crate) fn strings(&self, name: &'static str) -> Result<Option<Vec<String>>, JsValue> {
        self.get(name).map(|v| strings(&v, name)).transpose()
    }

    /// An instance of one of this package's classes (see [`shared`]).
    pub(crate) fn class<T: TryFromJsValue>(
        &self,
        name: &'static str,
        expected: &str,
    ) -> Result<Option<T>, JsValue> {
        self.get(name)
            .map(|v| shared::<T>(&v, &format!("{}: option {name}", self.what), expected))
            .transpose()
    }
}

/// A whole number of a JavaScript number.
pub(crate) fn integer(n: f64, what: &str) -> Result<i64, JsValue> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > MAX_SAFE {
        return Err(type_error(&format!("{what} must be a whole number")));
    }
    // A safe integer: exact as i64.
    Ok(n as i64)
}

/// A duration given in seconds (a number): finite and not negative, else `InvalidValue`.
pub(crate) fn seconds(name: &str, value: &JsValue) -> Result<Duration, JsValue> {
    let secs = value
        .as_f64()
        .ok_or_else(|| type_error(&format!("{name} is a number of seconds")))?;
    Duration::try_from_secs_f64(secs).map_err(|_| {
        error_of(
            "invalid_value",
            &format!("{name} must be a finite, non-negative number of seconds, not {secs}"),
        )
    })
}

/// An array of strings.
pub(crate) fn strings(value: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    if !Array::is_array(value) {
        return Err(type_error(&format!("{name} must be an array of strings")));
    }
    Array::from(value)
        .iter()
        .map(|v| {
            v.as_string()
                .ok_or_else(|| type_error(&format!("{name} must be an array of strings")))
        })
        .collect()
}

/// Bytes of a `Uint8Array` (or any typed-array view, an `ArrayBuffer`) or of a string (its UTF-8 bytes).
pub(crate) fn bytes(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    // A Uint8Array first: the common case, and asking it for a string first costs a call into JavaScript.
    if let Some(a) = value.dyn_ref::<Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(b) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    if ArrayBufferViewish::is(value) {
        let buffer = Reflect::get(value, &"buffer".into())?;
        let offset = Reflect::get(value, &"byteOffset".into())?
            .as_f64()
            .unwrap_or(0.0);
        let len = Reflect::get(value, &"byteLength".into())?
            .as_f64()
            .unwrap_or(0.0);
        let view = Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, len as u32);
        return Ok(view.to_vec());
    }
    Err(type_error(&format!(
        "{what} must be a string or a Uint8Array"
    )))
}

/// Typed arrays and `DataView`s other than `Uint8Array` (a Node `Buffer` is a `Uint8Array` already).
struct ArrayBufferViewish;

impl ArrayBufferViewish {
    fn is(value: &JsValue) -> bool {
        value.is_object() && js_sys::ArrayBuffer::is_view(value)
    }
}

/// Header lines from an array of `[name, value]` pairs (repeated names kept), an object with an `entries()`
/// method (a fetch `Headers`, a `Map`), or a plain object (`{name: value}`).
pub(crate) fn header_lines(value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let bad =
        || type_error("headers are [name, value] pairs of strings, a Headers, a Map or an object");
    // A true array (`Array.isArray`) is read in place, each pair too: `Array.from` copied every one of them.
    let pairs: Vec<JsValue> = if Array::is_array(value) {
        value.unchecked_ref::<Array>().iter().collect()
    } else if !value.is_object() {
        return Err(bad());
    } else if let Ok(entries) =
        with_key("entries", |key| Reflect::get(value, key)).and_then(|f| f.dyn_into::<Function>())
    {
        let iter = entries.call0(value)?;
        js_sys::try_iter(&iter)?
            .ok_or_else(bad)?
            .collect::<Result<Vec<_>, _>>()?
    } else {
        // A plain object: its own enumerable string keys in order (what `Object.entries` gives), each value read
        // by key, without making an array per pair.
        let object: &Object = value.unchecked_ref();
        return Object::keys(object)
            .iter()
            .map(|name| {
                let line = Reflect::get(value, &name)?;
                match (name.as_string(), line.as_string()) {
                    (Some(n), Some(v)) => Ok((n, v)),
                    _ => Err(bad()),
                }
            })
            .collect::<Result<Vec<_>, JsValue>>();
    };
    pairs
        .into_iter()
        .map(|kv| {
            if !Array::is_array(&kv) {
                return Err(bad());
            }
            let kv: &Array = kv.unchecked_ref();
            if kv.length() != 2 {
                return Err(bad());
            }
            match (kv.get(0).as_string(), kv.get(1).as_string()) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => Err(bad()),
            }
        })
        .collect()
}

/// A plain object built field by field.
pub(crate) struct ObjectBuilder(Object);

impl ObjectBuilder {
    pub(crate) fn new() -> Self {
        ObjectBuilder(Object::new())
    }

    pub(crate) fn set(self, name: &'static str, value: impl Into<JsValue>) -> Self {
        // Setting a property of a fresh plain object cannot fail.
        let value = value.into();
        let _ = with_key(name, |key| Reflect::set(&self.0, key, &value));
        self
    }

    /// `set` for a name that is not one of the package's own (a caller's parameter name).
    pub(crate) fn set_named(self, name: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), &value.into());
        self
    }

    pub(crate) fn opt_str(self, name: &'static str, value: Option<&str>) -> Self {
        let v = value.map_or(JsValue::NULL, JsValue::from_str);
        self.set(name, v)
    }

    pub(crate) fn opt_f64(self, name: &'static str, value: Option<f64>) -> Self {
        let v = value.map_or(JsValue::NULL, JsValue::from_f64);
        self.set(name, v)
    }

    pub(crate) fn build(self) -> JsValue {
        self.0.into()
    }
}

/// `[[name, value], ...]` as a JavaScript array of two-string arrays.
pub(crate) fn pairs_array<N: AsRef<str>, V: AsRef<str>>(pairs: &[(N, V)]) -> Array {
    pairs
        .iter()
        .map(|(n, v)| -> JsValue {
            Array::of2(
                &JsValue::from_str(n.as_ref()),
                &JsValue::from_str(v.as_ref()),
            )
            .into()
        })
        .collect()
}

/// An array of strings.
pub(crate) fn string_array<S: AsRef<str>>(items: &[S]) -> Array {
    items
        .iter()
        .map(|s| JsValue::from_str(s.as_ref()))
        .collect()
}

/// A plain object written as JSON text and made by one `JSON.parse`: one call into JavaScript and one string
/// for the whole object, where [`ObjectBuilder`] takes a call per field and one more per string. For the
/// objects every request scheme returns. `build` gives `None` for what JSON cannot hold (a non-finite number),
/// and the caller then builds the object field by field.
pub(crate) struct JsonObject(String);

impl JsonObject {
    pub(crate) fn new() -> Self {
        JsonObject(String::from("{"))
    }

    fn key(&mut self, name: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_json_str(&mut self.0, name);
        self.0.push(':');
    }

    pub(crate) fn str(mut self, name: &str, value: &str) -> Self {
        self.key(name);
        push_json_str(&mut self.0, value);
        self
    }

    pub(crate) fn opt_str(mut self, name: &str, value: Option<&str>) -> Self {
        self.key(name);
        match value {
            Some(v) => push_json_str(&mut self.0, v),
            None => self.0.push_str("null"),
        }
        self
    }

    /// A number (`null` when `None`). A non-finite one is written as Rust prints it, which `JSON.parse` refuses:
    /// `build` then gives `None`.
    pub(crate) fn opt_f64(mut self, name: &str, value: Option<f64>) -> Self {
        self.key(name);
        match value {
            Some(v) => self.0.push_str(&v.to_string()),
            None => self.0.push_str("null"),
        }
        self
    }

    /// `[[name, value], ...]`.
    pub(crate) fn pairs<N: AsRef<str>, V: AsRef<str>>(
        mut self,
        name: &str,
        pairs: &[(N, V)],
    ) -> Self {
        self.key(name);
        self.0.push('[');
        for (i, (n, v)) in pairs.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.0.push('[');
            push_json_str(&mut self.0, n.as_ref());
            self.0.push(',');
            push_json_str(&mut self.0, v.as_ref());
            self.0.push(']');
        }
        self.0.push(']');
        self
    }

    pub(crate) fn strings<S: AsRef<str>>(mut self, name: &str, items: &[S]) -> Self {
        self.key(name);
        self.0.push('[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            push_json_str(&mut self.0, s.as_ref());
        }
        self.0.push(']');
        self
    }

    pub(crate) fn build(mut self) -> Option<JsValue> {
        self.0.push('}');
        js_sys::JSON::parse(&self.0).ok()
    }
}

/// `s` as a JSON string: `"` and `\` escaped, control characters as `\u00XX`, everything else as is.
fn push_json_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut rest = s;
    while let Some(i) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)
    {
        let (run, tail) = rest.split_at(i);
        out.push_str(run);
        match tail.as_bytes().first() {
            Some(b'"') => out.push_str("\\\""),
            Some(b'\\') => out.push_str("\\\\"),
            Some(&b) => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
            None => {}
        }
        rest = tail.get(1..).unwrap_or("");
    }
    out.push_str(rest);
    out.push('"');
}
