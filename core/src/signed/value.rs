//! Extra values and their Python text forms, which ska signs.

use crate::encoding::py_float_repr;
use crate::error::{Error, Result};

/// One value of a signature's `extra` data: the JSON-like values ska takes, rendered the way Python renders them
/// (`str()` at the top level, `repr()` inside containers).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, signed as is.
    Str(String),
    /// An integer, signed in decimal (`5`).
    Int(i64),
    /// A float, signed as Python's `repr` (`0.5`, `1e+16`).
    Float(f64),
    /// A boolean, signed as `True` / `False`.
    Bool(bool),
    /// Python's `None`, signed as `None`.
    None,
    /// A list, signed as Python's `repr` (`['x', 1]`).
    List(Vec<Value>),
    /// A dict, signed as Python's `repr` with its keys sorted, recursively (`{'a': 1, 'b': 2}`).
    Dict(Vec<(String, Value)>),
}

impl Value {
    /// Python's `str(value)` after ska's `dict_to_ordered_dict`: dict keys sorted, recursively.
    pub(crate) fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => {
                let mut out = String::new();
                other.write_repr(&mut out);
                out
            }
        }
    }

    /// Python's `repr(value)`, dict keys sorted.
    fn write_repr(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(&py_repr_str(s)),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&py_float_repr(*f)),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::None => out.push_str("None"),
            Value::List(items) => write_seq(out, ['[', ']'], ", ", items, |out, item| {
                item.write_repr(out)
            }),
            Value::Dict(items) => write_seq(out, ['{', '}'], ", ", sorted(items), |out, (k, v)| {
                out.push_str(&py_repr_str(k));
                out.push_str(": ");
                v.write_repr(out);
            }),
        }
    }
}

impl Value {
    /// ska's `javascript_value_dumper`, then `str()`: str, int, float and bool (a Python `int`) as with
    /// [`Value::py_str`], anything else as compact JSON (`json.dumps(value, separators=(",", ":"))`: ASCII only,
    /// dict keys sorted, recursively), so `None` is `null` and `[1, "x"]` is `[1,"x"]`.
    pub(crate) fn js_str(&self) -> String {
        match self {
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => self.py_str(),
            other => {
                let mut out = String::new();
                other.write_json(&mut out);
                out
            }
        }
    }

    /// Python's `json.dumps(value, separators=(",", ":"))` with the defaults `ensure_ascii=True` and
    /// `allow_nan=True`, dict keys sorted.
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Str(s) => crate::encoding::push_py_json_str(out, s),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) if f.is_nan() => out.push_str("NaN"),
            Value::Float(f) if f.is_infinite() => {
                out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
            }
            Value::Float(f) => out.push_str(&py_float_repr(*f)),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::None => out.push_str("null"),
            Value::List(items) => write_seq(out, ['[', ']'], ",", items, |out, item| {
                item.write_json(out)
            }),
            Value::Dict(items) => write_seq(out, ['{', '}'], ",", sorted(items), |out, (k, v)| {
                crate::encoding::push_py_json_str(out, k);
                out.push(':');
                v.write_json(out);
            }),
        }
    }

    /// The text `dumper` gives this value.
    pub(crate) fn dumped(&self, dumper: ValueDumper) -> String {
        match dumper {
            ValueDumper::Python => self.py_str(),
            ValueDumper::JavaScript => self.js_str(),
        }
    }

    fn from_json(v: serde_json::Value) -> Result<Self> {
        use serde_json::Value as J;
        Ok(match v {
            J::String(s) => Value::Str(s),
            J::Bool(b) => Value::Bool(b),
            J::Null => Value::None,
            J::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(f)) if !(n.is_u64()) => Value::Float(f),
                _ => {
                    return Err(Error::invalid_value(format!(
                        "extra number {n} is out of range"
                    )))
                }
            },
            J::Array(items) => Value::List(
                items
                    .into_iter()
                    .map(Value::from_json)
                    .collect::<Result<_>>()?,
            ),
            J::Object(map) => Value::Dict(
                map.into_iter()
                    .map(|(k, v)| Ok((k, Value::from_json(v)?)))
                    .collect::<Result<_>>()?,
            ),
        })
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Characters Python's `str.isprintable()` rejects, outside ASCII. This covers the separators, format and
/// private-use characters; unassigned code points (which Python also escapes) are not tracked.
fn non_printable(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{a0}' | '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
        | '\u{1680}' | '\u{180e}' | '\u{2000}'..='\u{200f}' | '\u{2028}'..='\u{202f}' | '\u{205f}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{3000}' | '\u{e000}'..='\u{f8ff}' | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}' | '\u{f0000}'..='\u{10ffff}')
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; backslash escapes for the quote,
/// backslash, `\t \n \r`, other control characters and non-printable characters.
pub(crate) fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if non_printable(c) => {
                let n = c as u32;
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The extra data of a signature: ordered (the order is kept in signed URLs), unique keys, signed sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extra(Vec<(String, Value)>);

impl Extra {
    /// No extra data.
    pub fn new() -> Self {
        Extra(Vec::new())
    }

    /// Sets `key` to `value`. Like a Python dict, an existing key keeps its position and takes the new value.
    ///
    /// # Errors
    /// [`crate::ErrorKind::InvalidValue`] for an empty key or one containing `,` (the separator of the signed key
    /// list, so such a key could never validate).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Result<()> {
        let key = key.into();
        if key.is_empty() || key.contains(',') {
            return Err(Error::invalid_value(format!(
                "extra keys must be non-empty and free of ',', got {:?}",
                crate::encoding::clip(&key, 64)
            )));
        }
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
        Ok(())
    }

    /// Builds extra data from pairs, in order.
    ///
    /// # Errors
    /// As [`Extra::insert`].
    pub fn from_pairs<K: Into<String>, V: Into<Value>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self> {
        let mut extra = Extra::new();
        for (k, v) in pairs {
            extra.insert(k, v)?;
        }
        Ok(extra)
    }

    /// The largest JSON text [`Extra::from_json`] reads (64 KiB).
    pub const MAX_JSON_LEN: usize = 64 * 1024;

    /// Builds extra data from a JSON object, keys in the order written: strings, integers, floats, booleans,
    /// `null`, arrays and objects map to the [`Value`] variants (integers beyond `i64` are refused). This is how
    /// the C ABI and Go take extra data. Nesting deeper than 128 levels is refused by the JSON reader.
    ///
    /// ```
    /// # use countermark::signed::{Extra, Value};
    /// let extra = Extra::from_json(r#"{"email": "a@b.c", "n": 5}"#)?;
    /// assert_eq!(extra.get("n"), Some(&Value::Int(5)));
    /// # Ok::<(), countermark::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::ErrorKind::TooLarge`] over [`Extra::MAX_JSON_LEN`]; [`crate::ErrorKind::Malformed`] when the text
    /// is not a JSON object; as [`Extra::insert`] for a bad key.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() > Self::MAX_JSON_LEN {
            return Err(Error::new(
                crate::ErrorKind::TooLarge,
                format!("extra JSON is over {} bytes", Self::MAX_JSON_LEN),
            ));
        }
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::malformed(format!("extra is not valid JSON: {e}")))?;
        let serde_json::Value::Object(map) = json else {
            return Err(Error::malformed("extra must be a JSON object"));
        };
        let mut extra = Extra::new();
        for (k, v) in map {
            extra.insert(k, Value::from_json(v)?)?;
        }
        Ok(extra)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The items in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no extra data.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys, sorted and joined by `,` (the value of the `extra` parameter).
    pub(crate) fn sorted_keys(&self) -> String {
        let mut keys: Vec<&str> = self.0.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.join(",")
    }

    /// ska's `sorted_urlencode` before quoting: `k=str(dumper(v))` sorted by key, joined by `&`.
    pub(crate) fn sorted_urlencoded(&self, dumper: ValueDumper) -> String {
        let mut items: Vec<&(String, Value)> = self.0.iter().collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for (i, (k, v)) in items.into_iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(&v.dumped(dumper));
        }
        out
    }
}

/// How extra values become text before they are signed: ska's `value_dumper`. Only values that are not text
/// differ: a received signed URL carries text, which both dumpers sign as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ValueDumper {
    /// ska's `default_value_dumper`: Python's `str()` (`None`, `True`, `['x', 1]`, `{'a': 1}`). The default.
    #[default]
    Python,
    /// ska's `javascript_value_dumper`, what ska's JavaScript port signs with: text, numbers and booleans as with
    /// [`ValueDumper::Python`], `None`, lists and dicts as compact ASCII JSON (`null`, `["x",1]`, `{"a":1}`).
    JavaScript,
}

/// How the `k=v&…` text of the extra data is quoted into the signed text: ska's `quoter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Quoter {
    /// ska's `default_quoter`: `urllib.parse.quote(text)`, which keeps letters, digits, `_.-~` and `/`. The
    /// default.
    #[default]
    Python,
    /// ska's `javascript_quoter`, what ska's JavaScript port signs with (`encodeURIComponent`'s set):
    /// `quote(text, safe="~()*!.'")`, which keeps letters, digits, `_.-~` and `()*!'` and escapes `/`.
    JavaScript,
}

impl ValueDumper {
    /// The name bindings and the CLI use: `python` or `javascript`.
    pub const fn name(self) -> &'static str {
        match self {
            ValueDumper::Python => "python",
            ValueDumper::JavaScript => "javascript",
        }
    }
}

impl std::str::FromStr for ValueDumper {
    type Err = Error;

    /// `python` (or `default`, ska's `default_value_dumper`) or `javascript`, case-insensitively.
    fn from_str(s: &str) -> Result<Self> {
        match helper_name(s)?.as_str() {
            "python" | "default" => Ok(ValueDumper::Python),
            _ => Ok(ValueDumper::JavaScript),
        }
    }
}

impl Quoter {
    /// The name bindings and the CLI use: `python` or `javascript`.
    pub const fn name(self) -> &'static str {
        match self {
            Quoter::Python => "python",
            Quoter::JavaScript => "javascript",
        }
    }
}

impl std::str::FromStr for Quoter {
    type Err = Error;

    /// `python` (or `default`, ska's `default_quoter`) or `javascript`, case-insensitively.
    fn from_str(s: &str) -> Result<Self> {
        match helper_name(s)?.as_str() {
            "python" | "default" => Ok(Quoter::Python),
            _ => Ok(Quoter::JavaScript),
        }
    }
}

/// `s` lower-cased when it names one of ska's helper families, else [`crate::ErrorKind::InvalidValue`].
fn helper_name(s: &str) -> Result<String> {
    let lower = s.trim().to_ascii_lowercase();
    match lower.as_str() {
        "python" | "default" | "javascript" => Ok(lower),
        _ => Err(Error::invalid_value(format!(
            "unknown ska helper {:?}; expected python (ska's default) or javascript",
            crate::encoding::clip(s, 40)
        ))),
    }
}

impl Quoter {
    /// The bytes kept besides Python's always-safe letters, digits and `_.-~`.
    pub(crate) const fn safe(self) -> &'static [u8] {
        match self {
            Quoter::Python => b"/",
            Quoter::JavaScript => b"()*!'",
        }
    }
}

/// Writes `items` between `brackets`, `sep` between them: the list and dict layout of Python's `repr` (`", "`)
/// and of compact JSON (`","`).
fn write_seq<T>(
    out: &mut String,
    brackets: [char; 2],
    sep: &str,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut String, T),
) {
    out.push(brackets[0]);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write(out, item);
    }
    out.push(brackets[1]);
}

/// A dict's items sorted by key, as ska's dumpers (`sorted(...)`, `sort_keys=True`) write them.
fn sorted(items: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut refs: Vec<&(String, Value)> = items.iter().collect();
    refs.sort_by(|a, b| a.0.cmp(&b.0));
    refs
}

#[cfg(test)]
mod tests {
    #[test]
    fn extra_from_json_keeps_order_and_types() {
        let extra = Extra::from_json(
            r#"{"z": "s", "a": 5, "f": 0.5, "b": true, "n": null, "l": [1, "x"], "d": {"y": 1}}"#,
        )
        .unwrap();
        let keys: Vec<&str> = extra.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["z", "a", "f", "b", "n", "l", "d"]);
        assert_eq!(extra.get("a"), Some(&Value::Int(5)));
        assert_eq!(extra.get("f"), Some(&Value::Float(0.5)));
        assert_eq!(extra.get("n"), Some(&Value::None));
        assert_eq!(extra.get("d").unwrap().py_str(), "{'y': 1}");
        for bad in [
            "[1]",
            "\"x\"",
            "{",
            "{\"a,b\": 1}",
            "{\"\": 1}",
            "{\"a\": 18446744073709551615}",
        ] {
            assert!(Extra::from_json(bad).is_err(), "{bad}");
        }
        let deep = format!("{{\"a\": {}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Extra::from_json(&deep).is_err());
        assert_eq!(
            Extra::from_json(&" ".repeat(Extra::MAX_JSON_LEN + 1))
                .unwrap_err()
                .kind(),
            crate::ErrorKind::TooLarge
        );
    }

    use super::*;

    #[test]
    fn python_renderings() {
        let nested = Value::Dict(vec![
            ("b".into(), Value::Int(2)),
            ("a".into(), Value::Int(1)),
        ]);
        assert_eq!(nested.py_str(), "{'a': 1, 'b': 2}");
        let list = Value::List(vec![
            Value::from("x"),
            Value::from(true),
            Value::None,
            Value::from(0.5),
            Value::Dict(vec![
                ("z".into(), Value::from("it's")),
                ("y".into(), Value::List(vec![])),
            ]),
        ]);
        assert_eq!(
            list.py_str(),
            "['x', True, None, 0.5, {'y': [], 'z': \"it's\"}]"
        );
        assert_eq!(Value::from("top level").py_str(), "top level");
        assert_eq!(
            py_repr_str("a'b\"c\\\n\u{7}é\u{a0}"),
            "'a\\'b\"c\\\\\\n\\x07é\\xa0'"
        );
    }

    #[test]
    fn helper_names_parse() {
        for d in [ValueDumper::Python, ValueDumper::JavaScript] {
            assert_eq!(d.name().parse::<ValueDumper>().unwrap(), d);
        }
        for q in [Quoter::Python, Quoter::JavaScript] {
            assert_eq!(q.name().parse::<Quoter>().unwrap(), q);
        }
        assert_eq!("Default".parse::<Quoter>().unwrap(), Quoter::Python);
        for bad in ["", "js", "node"] {
            assert_eq!(
                bad.parse::<Quoter>().unwrap_err().kind(),
                crate::ErrorKind::InvalidValue
            );
            assert_eq!(
                bad.parse::<ValueDumper>().unwrap_err().kind(),
                crate::ErrorKind::InvalidValue
            );
        }
    }

    #[test]
    fn extra_behaves_like_a_dict() {
        let mut e = Extra::new();
        e.insert("b", 1).unwrap();
        e.insert("a", "x").unwrap();
        e.insert("b", 2).unwrap();
        assert_eq!(e.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(e.get("b"), Some(&Value::Int(2)));
        assert_eq!(e.sorted_keys(), "a,b");
        assert_eq!(e.sorted_urlencoded(ValueDumper::Python), "a=x&b=2");
        assert!(e.insert("a,b", 1).is_err());
        assert!(e.insert("", 1).is_err());
    }
}
