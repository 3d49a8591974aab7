//! Every case of ../shared/vectors/ska.json (ska 1.11.2), through the public API.

mod common;

use std::sync::Arc;

use common::{hex, id, load_cases, s};
use countermark::signed::{Expiry, Extra, ParamNames, UrlSigner, ValidUntil, Value};
use countermark::{Algorithm, FixedClock, HmacKey, Secret};
use serde_json::Value as Json;

/// The failures the core reports for the cases where the reference crashed (`expect: error`).
const ERROR_FAILURES: &[(&str, &[countermark::signed::Failure])] = &[(
    "ska-024-validate-non-numeric-valid-until",
    // The recorded signature does not cover `tomorrow` either.
    &[
        countermark::signed::Failure::InvalidSignature,
        countermark::signed::Failure::InvalidValidUntil,
    ],
)];

fn algorithm(class: &str) -> Algorithm {
    match class {
        "HMACSHA1Signature" | "Signature" => Algorithm::HmacSha1,
        "HMACSHA224Signature" => Algorithm::HmacSha224,
        "HMACSHA256Signature" => Algorithm::HmacSha256,
        "HMACSHA384Signature" => Algorithm::HmacSha384,
        "HMACSHA512Signature" => Algorithm::HmacSha512,
        other => panic!("no vector should need {other}"),
    }
}

fn signer(case: &Json) -> UrlSigner {
    let secret = Secret::legacy(hex(s(case, "secret_key_hex"))).unwrap();
    let mut signer = UrlSigner::new(HmacKey::new(algorithm(s(case, "signature_class")), &secret));
    if let Some(now) = case["now"].as_f64() {
        signer = signer.with_clock(Arc::new(FixedClock::at_secs_f64(now)));
    }
    if case["param_names"].is_object() {
        let p = &case["param_names"];
        signer = signer
            .with_param_names(ParamNames {
                signature: s(p, "signature_param").into(),
                auth_user: s(p, "auth_user_param").into(),
                valid_until: s(p, "valid_until_param").into(),
                extra: s(p, "extra_param").into(),
            })
            .unwrap();
    }
    signer
}

fn value(v: &Json) -> Value {
    match v {
        Json::String(x) => Value::Str(x.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::None,
        Json::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap()),
        Json::Number(n) => Value::Float(n.as_f64().unwrap()),
        Json::Array(items) => Value::List(items.iter().map(value).collect()),
        Json::Object(map) => Value::Dict(map.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
    }
}

fn extra(case: &Json) -> Extra {
    let map = case["extra"].as_object().expect("extra object");
    Extra::from_pairs(map.iter().map(|(k, v)| (k.clone(), value(v)))).unwrap()
}

fn valid_until(case: &Json) -> ValidUntil {
    let v = &case["valid_until"];
    match s(case, "valid_until_type") {
        "str" => ValidUntil::Text(v.as_str().unwrap().into()),
        "float" => ValidUntil::Float(v.as_f64().unwrap()),
        "int" => ValidUntil::Int(v.as_i64().unwrap()),
        other => panic!("valid_until_type {other}"),
    }
}

fn pairs(obj: &Json) -> Vec<(String, String)> {
    obj.as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_string()))
        .collect()
}

#[test]
fn every_ska_vector() {
    let cases = load_cases("ska.json");
    for case in &cases {
        let signer = signer(case);
        match s(case, "op") {
            "generate_signature" | "sign_url" | "signature_to_dict" => {
                let sig = signer
                    .generate(
                        s(case, "auth_user"),
                        Expiry::At(valid_until(case)),
                        &extra(case),
                    )
                    .unwrap_or_else(|e| panic!("{}: {e}", id(case)));
                if let Some(want) = case["signature"].as_str() {
                    assert_eq!(sig.signature(), want, "{}", id(case));
                }
                if case["op"] == "sign_url" {
                    let url = sig.to_url(s(case, "url"), s(case, "suffix"), signer.param_names());
                    assert_eq!(url, s(case, "signed_url"), "{}", id(case));
                    // The native sign_url picks the same separator for these URLs.
                    let native = signer
                        .sign_url(
                            s(case, "url"),
                            s(case, "auth_user"),
                            Expiry::At(valid_until(case)),
                            &extra(case),
                        )
                        .unwrap();
                    assert_eq!(native, s(case, "signed_url"), "{}", id(case));
                }
                if case["op"] == "signature_to_dict" {
                    assert_eq!(
                        sig.to_dict(signer.param_names()),
                        pairs(&case["signature_dict"]),
                        "{}",
                        id(case)
                    );
                }
                // What we generate validates (while it has not expired).
                let before = signer
                    .clone()
                    .with_clock(Arc::new(FixedClock::at_secs(1_000_000_000)));
                let params = sig.to_dict(signer.param_names());
                before
                    .validate(&params)
                    .unwrap_or_else(|r| panic!("{}: {r}", id(case)));
            }
            "validate" => {
                let got = signer.validate(&pairs(&case["data"]));
                match s(case, "expect") {
                    "valid" => {
                        let data = got.unwrap_or_else(|r| panic!("{}: {r}", id(case)));
                        assert_eq!(
                            Some(data.auth_user()),
                            case["data"][signer.param_names().auth_user.as_str()].as_str()
                        );
                    }
                    // The reference crashed; the core's refusal is pinned per case.
                    "error" => {
                        let want = ERROR_FAILURES
                            .iter()
                            .find(|(i, _)| *i == id(case))
                            .map(|(_, f)| *f)
                            .unwrap_or_else(|| panic!("{}: add it to ERROR_FAILURES", id(case)));
                        assert_eq!(got.expect_err(id(case)).failures(), want, "{}", id(case));
                    }
                    _ => {
                        let rejection = got.expect_err(id(case));
                        let codes: Vec<u64> = rejection
                            .failures()
                            .iter()
                            .map(|f| u64::from(f.code()))
                            .collect();
                        let want: Vec<u64> = case["errors"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e["code"].as_u64().unwrap())
                            .collect();
                        assert_eq!(codes, want, "{}", id(case));
                        let messages: Vec<&str> = case["errors"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e["message"].as_str().unwrap())
                            .collect();
                        assert_eq!(rejection.message(), messages.join(" "), "{}", id(case));
                    }
                }
            }
            op => panic!("{}: unknown op {op}", id(case)),
        }
    }
    assert_eq!(cases.len(), 26, "ska.json should hold 26 cases");
}
