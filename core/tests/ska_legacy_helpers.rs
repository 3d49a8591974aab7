//! ska's legacy helpers: `HMACMD5Signature` and the `javascript_value_dumper` / `javascript_quoter` pair that
//! ska's JavaScript port signs with, against the expected values in `data/ska_legacy_helpers.json`. That table
//! was computed by the real ska 1.11.2 (`data/gen_ska_legacy_helpers.py` tells how): the signed text (`base`),
//! the signature and the values ska writes into a URL, for MD5, SHA-1 and SHA-256 and every combination of the
//! two value dumpers and the two quoters.

use std::sync::Arc;

use countermark::signed::{
    Expiry, Extra, Failure, Quoter, UrlSigner, ValidUntil, Value, ValueDumper,
};
use countermark::{Algorithm, FixedClock, HmacKey, Secret};
use serde_json::Value as Json;

const TABLE: &str = include_str!("data/ska_legacy_helpers.json");
/// Before every `valid_until` of the table.
const NOW: i64 = 1_378_000_000;

fn cases() -> Vec<Json> {
    let table: Json = serde_json::from_str(TABLE).unwrap();
    let cases = table["cases"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 140);
    cases
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

fn signer(case: &Json) -> UrlSigner {
    let alg = Algorithm::from_hash_name(case["algorithm"].as_str().unwrap()).unwrap();
    let secret = Secret::legacy(case["secret"].as_str().unwrap().as_bytes()).unwrap();
    let dumper = match case["value_dumper"].as_str().unwrap() {
        "python" => ValueDumper::Python,
        "javascript" => ValueDumper::JavaScript,
        other => panic!("{other}"),
    };
    let quoter = match case["quoter"].as_str().unwrap() {
        "python" => Quoter::Python,
        "javascript" => Quoter::JavaScript,
        other => panic!("{other}"),
    };
    UrlSigner::new(HmacKey::new(alg, &secret))
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_value_dumper(dumper)
        .with_quoter(quoter)
}

fn extra(case: &Json) -> Extra {
    let map = case["extra"].as_object().unwrap();
    Extra::from_pairs(map.iter().map(|(k, v)| (k.clone(), value(v)))).unwrap()
}

fn label(case: &Json) -> String {
    format!(
        "{} {} {} {}",
        case["algorithm"], case["value_dumper"], case["quoter"], case["extra"]
    )
}

#[test]
fn signs_what_ska_signs() {
    for case in cases() {
        let sig = signer(&case)
            .generate(
                "user",
                Expiry::At(ValidUntil::Text(
                    case["valid_until"].as_str().unwrap().into(),
                )),
                &extra(&case),
            )
            .unwrap();
        assert_eq!(
            sig.signature(),
            case["signature"].as_str().unwrap(),
            "{}",
            label(&case)
        );
    }
}

#[test]
fn validates_what_ska_signed_and_writes_values_that_validate() {
    for case in cases() {
        let s = signer(&case);
        let sig = s
            .generate(
                "user",
                Expiry::At(ValidUntil::Text(
                    case["valid_until"].as_str().unwrap().into(),
                )),
                &extra(&case),
            )
            .unwrap();
        let params = sig.to_dict(s.param_names());
        // Text, numbers and booleans go into the URL as ska writes them.
        for (k, v) in case["extra"].as_object().unwrap() {
            if v.is_string() || v.is_number() || v.is_boolean() {
                let sent = params.iter().find(|(n, _)| n == k).unwrap();
                assert_eq!(sent.1, case["ska_url_values"][k].as_str().unwrap());
            }
        }
        let data = s
            .validate(&params)
            .unwrap_or_else(|r| panic!("{} {r}", label(&case)));
        assert_eq!(data.auth_user(), "user");
        // The signed text is exactly ska's: the signature of `base` under the key.
        let alg = Algorithm::from_hash_name(case["algorithm"].as_str().unwrap()).unwrap();
        let key = HmacKey::new(alg, &Secret::legacy(*b"your-secret-key").unwrap());
        assert_eq!(
            key.sign(case["base"].as_str().unwrap().as_bytes())
                .to_base64(),
            case["signature"].as_str().unwrap(),
            "{}",
            label(&case)
        );
    }
}

#[test]
fn the_default_helpers_refuse_a_link_signed_with_the_javascript_quoter() {
    // A link ska's JavaScript helpers signed (ska's own signature), with an extra value the two quoters write
    // differently: validly signed, so only a signer with the JavaScript quoter takes it.
    let case = cases()
        .into_iter()
        .find(|c| {
            c["algorithm"] == "sha1"
                && c["value_dumper"] == "javascript"
                && c["quoter"] == "javascript"
                && c["extra"].get("punct").is_some()
        })
        .unwrap();
    let mut params: Vec<(String, String)> = vec![
        (
            "signature".into(),
            case["signature"].as_str().unwrap().into(),
        ),
        ("auth_user".into(), "user".into()),
        (
            "valid_until".into(),
            case["valid_until"].as_str().unwrap().into(),
        ),
        ("extra".into(), "more,punct".into()),
    ];
    for (k, v) in case["ska_url_values"].as_object().unwrap() {
        params.push((k.clone(), v.as_str().unwrap().into()));
    }
    assert!(signer(&case).validate(&params).is_ok());
    let default = UrlSigner::new(HmacKey::new(
        Algorithm::HmacSha1,
        &Secret::legacy(*b"your-secret-key").unwrap(),
    ))
    .with_clock(Arc::new(FixedClock::at_secs(NOW)));
    assert_eq!(
        default.validate(&params).unwrap_err().failures(),
        [Failure::InvalidSignature]
    );
}

#[test]
fn md5_is_legacy_and_never_a_default() {
    assert!(Algorithm::HmacMd5.is_legacy());
    assert_eq!("hmac-md5".parse::<Algorithm>().unwrap(), Algorithm::HmacMd5);
    assert_eq!(
        Algorithm::from_hash_name("md5").unwrap(),
        Algorithm::HmacMd5
    );
    assert_ne!(Algorithm::default(), Algorithm::HmacMd5);
    assert_eq!(ValueDumper::default(), ValueDumper::Python);
    assert_eq!(Quoter::default(), Quoter::Python);
    // An MD5 link is refused by a signer of any other algorithm over the same secret.
    let secret = Secret::legacy(*b"your-secret-key").unwrap();
    let md5 = UrlSigner::new(HmacKey::new(Algorithm::HmacMd5, &secret))
        .with_clock(Arc::new(FixedClock::at_secs(NOW)));
    let url = md5
        .sign_url("https://e.com/", "user", Expiry::default(), &Extra::new())
        .unwrap();
    assert!(md5.validate_url(&url).is_ok());
    let sha1 = UrlSigner::new(HmacKey::new(Algorithm::HmacSha1, &secret))
        .with_clock(Arc::new(FixedClock::at_secs(NOW)));
    assert_eq!(
        sha1.validate_url(&url).unwrap_err().failures(),
        [Failure::InvalidSignature]
    );
}
