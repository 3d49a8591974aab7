//! Every case of ../shared/vectors/handshake.json (handshake 0.2.1), through the public API.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{hex, id, load_cases, s};
use countermark::{Algorithm, ErrorKind, FixedClock, FixedRandom, HmacKey, Secret, Tokens};
use serde_json::Value as Json;

fn tokens(case: &Json, now: &Json) -> Tokens {
    let alg = Algorithm::from_hash_name(s(case, "hashfunc")).unwrap();
    let secret = Secret::new(hex(s(case, "secret_hex"))).unwrap();
    let now = now.as_f64().expect("now");
    let mut t =
        Tokens::new(HmacKey::new(alg, &secret)).with_clock(Arc::new(FixedClock::at_secs_f64(now)));
    if let Some(n) = case["random_len"].as_u64() {
        t = t.with_random_len(n as usize).unwrap();
    }
    t
}

fn expected_kind(expect: &str) -> ErrorKind {
    match expect {
        "bad_signature" => ErrorKind::BadSignature,
        "expired" => ErrorKind::Expired,
        "not_yet_valid" => ErrorKind::NotYetValid,
        "malformed" => ErrorKind::Malformed,
        "too_long" => ErrorKind::TooLarge,
        "invalid_value" => ErrorKind::InvalidValue,
        "config_error" => ErrorKind::InvalidKey,
        other => panic!("unexpected expect value {other}"),
    }
}

/// `time_range` as handshake takes it: 0 disables the check.
fn window(time_range: &Json) -> Option<Duration> {
    match time_range.as_u64().expect("time_range") {
        0 => None,
        n => Some(Duration::from_secs(n)),
    }
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

fn check_verify(
    case: &Json,
    t: &Tokens,
    token: &str,
    time_range: &Json,
    expect: &str,
    result: &Json,
) {
    let got = t.verify(token, window(time_range));
    match expect {
        "valid" => {
            let verified = got.unwrap_or_else(|e| panic!("{}: {e}", id(case)));
            assert_eq!(
                verified.fields(),
                strings(result).as_slice(),
                "{}",
                id(case)
            );
        }
        other => {
            let err = got.expect_err(id(case));
            assert_eq!(err.kind(), expected_kind(other), "{}: {err}", id(case));
        }
    }
}

#[test]
fn every_handshake_vector() {
    let cases = load_cases("handshake.json");
    let mut ran = 0;
    for case in &cases {
        match s(case, "op") {
            "create+verify" => {
                let t = tokens(case, &case["now"]);
                let mut random = FixedRandom::new(hex(s(case, "urandom_hex")));
                let fields = strings(&case["metadata"]);
                let token = t.create_with_random(&fields, &mut random).unwrap();
                assert_eq!(token, s(case, "token"), "{}", id(case));
                assert_eq!(token.len() as u64, case["token_length"].as_u64().unwrap());
                let v = &case["verify"];
                let t = tokens(case, &v["now"]);
                check_verify(
                    case,
                    &t,
                    &token,
                    &v["time_range"],
                    s(v, "expect"),
                    &v["result"],
                );
            }
            "verify" => {
                let t = tokens(case, &case["now"]);
                check_verify(
                    case,
                    &t,
                    s(case, "token"),
                    &case["time_range"],
                    s(case, "expect"),
                    &case["result"],
                );
            }
            "create" => {
                let t = tokens(case, &case["now"]);
                let err = t.create(&strings(&case["metadata"])).unwrap_err();
                assert_eq!(err.kind(), expected_kind(s(case, "expect")), "{}", id(case));
            }
            "config" => {
                let err = Secret::new(hex(s(case, "secret_hex"))).unwrap_err();
                assert_eq!(err.kind(), expected_kind(s(case, "expect")), "{}", id(case));
            }
            op => panic!("{}: unknown op {op}", id(case)),
        }
        ran += 1;
    }
    assert_eq!(ran, cases.len());
    assert_eq!(ran, 24, "handshake.json should hold 24 cases");
}

/// The core's own output, part by part, against the vectors' `random`, `message` and `signature` fields, so a
/// failure points at the part that differs: the random part the core hashes from the recorded OS bytes, the message
/// it signs (everything before the last `:`), and the HMAC the key computes over the vector's message.
#[test]
fn handshake_message_parts() {
    let mut checked = 0;
    for case in load_cases("handshake.json")
        .iter()
        .filter(|c| c["op"] == "create+verify")
    {
        let t = tokens(case, &case["now"]);
        let mut random = FixedRandom::new(hex(s(case, "urandom_hex")));
        let token = t
            .create_with_random(&strings(&case["metadata"]), &mut random)
            .unwrap();
        let (message, signature) = token.rsplit_once(':').expect("a signature part");
        assert_eq!(message, s(case, "message"), "{}: message", id(case));
        assert_eq!(signature, s(case, "signature"), "{}: signature", id(case));
        let (_, random_part) = message.rsplit_once(':').expect("a random part");
        assert_eq!(random_part, s(case, "random"), "{}: random", id(case));
        // The key alone, over the vector's message: the signature is the HMAC of exactly that text.
        let alg = Algorithm::from_hash_name(s(case, "hashfunc")).unwrap();
        let key = HmacKey::new(alg, &Secret::new(hex(s(case, "secret_hex"))).unwrap());
        assert_eq!(
            key.sign(s(case, "message").as_bytes()).to_hex(),
            s(case, "signature"),
            "{}: HMAC of the message",
            id(case)
        );
        checked += 1;
    }
    assert_eq!(
        checked, 8,
        "handshake.json should hold 8 create+verify cases"
    );
}
