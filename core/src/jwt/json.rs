//! The two pieces of JSON handling the JWT format needs: Python's `json.dumps` string escaping (what PyJWT signs)
//! and reading claims out of a parsed object without trusting their types.

use serde_json::Value;

pub(crate) use crate::encoding::push_py_json_str;

/// Python's truthiness of a JSON value: `null`, `false`, `0`, `0.0`, `""`, `[]` and `{}` are false.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A JSON number as Python's `json.loads` reads it: an `int` (here limited to `i64`) or a `float`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    /// The number of a JSON value, `None` for any other type (booleans included).
    pub(crate) fn of(v: &Value) -> Option<Num> {
        let n = v.as_number()?;
        if let Some(i) = n.as_i64() {
            Some(Num::Int(i))
        } else {
            // Integers beyond i64 (serde_json reads them as u64 or f64) and floats.
            n.as_f64().map(Num::Float)
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(x) => x,
        }
    }

    pub(crate) fn is_zero(self) -> bool {
        self.as_f64() == 0.0
    }

    /// `str(n)` in Python: decimal for ints, `repr` for floats (`1700000000.0`).
    pub(crate) fn py_str(self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            Num::Float(x) => crate::encoding::py_float_repr(x),
        }
    }

    /// Rounded towards negative infinity and saturated to `i64`.
    pub(crate) fn floor_i64(self) -> i64 {
        match self {
            Num::Int(i) => i,
            // `as` saturates and maps NaN to 0 (serde_json never yields NaN or infinities).
            Num::Float(x) => x.floor() as i64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dumps(s: &str) -> String {
        let mut out = String::new();
        push_py_json_str(&mut out, s);
        out
    }

    #[test]
    fn matches_python_json_dumps() {
        // python3 -c 'import json; print(json.dumps("J\u00f6rg \"q\" \\ / \x00\x1f\x7f\x08\x0c\n\r\t \u2028 \U0001F600 \uffff ~"))'
        assert_eq!(
            dumps("J\u{f6}rg \"q\" \\ / \u{0}\u{1f}\u{7f}\u{8}\u{c}\n\r\t \u{2028} \u{1F600} \u{ffff} ~"),
            r#""J\u00f6rg \"q\" \\ / \u0000\u001f\u007f\b\f\n\r\t \u2028 \ud83d\ude00 \uffff ~""#
        );
        assert_eq!(dumps(""), r#""""#);
        assert_eq!(dumps("alice"), r#""alice""#);
    }

    #[test]
    fn python_truthiness() {
        for (json, want) in [
            ("null", false),
            ("false", false),
            ("true", true),
            ("0", false),
            ("0.0", false),
            ("-0.0", false),
            ("1", true),
            ("0.5", true),
            ("\"\"", false),
            ("\"a\"", true),
            ("[]", false),
            ("[0]", true),
            ("{}", false),
            ("{\"a\":1}", true),
        ] {
            let v: Value = serde_json::from_str(json).unwrap();
            assert_eq!(truthy(&v), want, "{json}");
        }
    }

    #[test]
    fn numbers_read_like_python() {
        let num = |s: &str| Num::of(&serde_json::from_str(s).unwrap());
        assert_eq!(num("1700000000"), Some(Num::Int(1_700_000_000)));
        assert_eq!(num("1700000000.0"), Some(Num::Float(1_700_000_000.0)));
        assert_eq!(num("1.7e9"), Some(Num::Float(1_700_000_000.0)));
        assert_eq!(num("true"), None);
        assert_eq!(num("\"1\""), None);
        assert_eq!(num("1700000000.5").unwrap().py_str(), "1700000000.5");
        assert_eq!(num("1.7e9").unwrap().py_str(), "1700000000.0");
        assert_eq!(num("-1.5").unwrap().floor_i64(), -2);
        assert!(matches!(num("18446744073709551615"), Some(Num::Float(_))));
    }
}
