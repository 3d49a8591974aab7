//! Shared helpers for the vector tests: where the vectors live and how to read them.

#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value as Json;

/// `../shared/vectors` beside the repository (override with `COUNTERMARK_VECTORS`). A missing directory fails the
/// test run: the vectors are the wire contract and are never skipped.
pub fn vectors_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("COUNTERMARK_VECTORS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

/// The `cases` of one vector file.
pub fn load_cases(file: &str) -> Vec<Json> {
    let path = vectors_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (the vectors are required)",
            path.display()
        )
    });
    let doc: Json =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases = doc["cases"].as_array().expect("a `cases` array").clone();
    assert!(!cases.is_empty(), "{file} has no cases");
    cases
}

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn s<'a>(case: &'a Json, field: &str) -> &'a str {
    case[field]
        .as_str()
        .unwrap_or_else(|| panic!("{}: field {field} is not a string", case["id"]))
}

pub fn id(case: &Json) -> &str {
    case["id"].as_str().unwrap_or("?")
}
