//! Every case of ../shared/vectors/rfc9421.json (RFC 9421 Appendix B examples and cases generated with
//! http-message-signatures 3.0.0), through the public API.
//!
//! `expect` strings without an `ErrorKind` of their own map to the closest kind: `missing_component` (a required
//! component is not covered) is `Malformed`, like a missing header or claim; `bad_digest` (the body does not match
//! the signed `Content-Digest`) is `BadSignature`, an integrity failure like a bad MAC.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{hex, id, load_cases, s};
use countermark::http::message_signatures::{
    content_digest, verify_content_digest, Component, DigestAlgorithm, HttpMessage,
    HttpSignatureAlgorithm, MessagePolicy, MessageSigner, MessageVerifyingKey, SignatureHeaders,
    UnverifiedMessageSignature,
};
use countermark::http::{Request, Response};
use countermark::replay::MemoryNonceStore;
use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Secret, SigningKey, VerifyingKey};
use serde_json::Value as Json;

/// The number of cases in rfc9421.json: a case that is skipped or added without a test fails the run.
const CASES: usize = 27;

fn doc_keys() -> Json {
    let path = common::vectors_dir().join("rfc9421.json");
    let doc: Json =
        serde_json::from_str(&std::fs::read_to_string(path).expect("rfc9421.json")).expect("json");
    doc["keys"].clone()
}

fn expected_kind(expect: &str) -> ErrorKind {
    match expect {
        "bad_signature" => ErrorKind::BadSignature,
        "expired" => ErrorKind::Expired,
        "not_yet_valid" => ErrorKind::NotYetValid,
        "malformed" => ErrorKind::Malformed,
        "unsupported_algorithm" => ErrorKind::UnsupportedAlgorithm,
        "unknown_key" => ErrorKind::UnknownKey,
        "missing_component" => ErrorKind::Malformed,
        "bad_digest" => ErrorKind::BadSignature,
        other => panic!("unexpected expect value {other}"),
    }
}

/// A request or response built from a case's `message`, optionally with extra header lines appended.
enum Msg<'a> {
    Request(Request<'a>),
    Response(Response<'a>),
}

impl Msg<'_> {
    fn message(&self) -> HttpMessage<'_> {
        match self {
            Msg::Request(r) => HttpMessage::from(r),
            Msg::Response(r) => HttpMessage::from(r),
        }
    }
}

fn request<'a>(m: &'a Json, extra: &[(&'a str, &'a str)]) -> Request<'a> {
    let mut r = Request::new(
        m["method"].as_str().expect("method"),
        m["url"].as_str().expect("url"),
    )
    .expect("request");
    for h in m["headers"].as_array().expect("headers") {
        r = r
            .with_header(h[0].as_str().unwrap(), h[1].as_str().unwrap())
            .expect("header");
    }
    for (n, v) in extra {
        r = r.with_header(n, v).expect("extra header");
    }
    r.with_body(m["body"].as_str().expect("body").as_bytes())
}

fn message<'a>(m: &'a Json, extra: &[(&'a str, &'a str)]) -> Msg<'a> {
    match m["type"].as_str().expect("type") {
        "request" => Msg::Request(request(m, extra)),
        "response" => {
            let mut r = Response::new(m["status"].as_u64().expect("status") as u16).unwrap();
            for h in m["headers"].as_array().expect("headers") {
                r = r
                    .with_header(h[0].as_str().unwrap(), h[1].as_str().unwrap())
                    .unwrap();
            }
            for (n, v) in extra {
                r = r.with_header(n, v).unwrap();
            }
            Msg::Response(
                r.with_body(m["body"].as_str().expect("body").as_bytes())
                    .for_request(request(&m["request"], &[])),
            )
        }
        other => panic!("unknown message type {other}"),
    }
}

fn hmac_key(entry: &Json) -> HmacKey {
    HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(hex(s(entry, "secret_hex"))).unwrap(),
    )
}

/// The verifier's key for `keyid`, bound to the verifier's algorithm: the case's key when its algorithm is the
/// verifier's, else (a verifier configured for another algorithm) a key of the verifier's algorithm; `None` for a
/// keyid the verifier does not know.
fn verifying_key(
    keys: &Json,
    keyid: &str,
    alg: HttpSignatureAlgorithm,
) -> Option<MessageVerifyingKey> {
    let entry = keys.get(keyid)?;
    let entry = if entry["algorithm"] == alg.name() {
        entry
    } else {
        keys.as_object()
            .unwrap()
            .values()
            .find(|k| k["algorithm"] == alg.name() && k.get("public_pem").is_some())
            .expect("a key of the verifier's algorithm")
    };
    Some(match alg {
        HttpSignatureAlgorithm::HmacSha256 => MessageVerifyingKey::hmac(hmac_key(entry)).unwrap(),
        _ => MessageVerifyingKey::public(
            VerifyingKey::from_pem(s(entry, "public_pem")).unwrap(),
            alg,
        )
        .unwrap(),
    })
}

fn policy(case: &Json) -> MessagePolicy {
    let v = &case["verifier"];
    MessagePolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(
            v["now"].as_i64().expect("now"),
        )))
        .with_clock_skew(Duration::from_secs(
            v["max_clock_skew_seconds"].as_u64().expect("skew"),
        ))
        .with_max_age(v["max_age_seconds"].as_u64().map(Duration::from_secs))
        .with_label(s(case, "label"))
        .check_content_digest(case["body_check"].as_bool().unwrap_or(false))
}

fn verifier_alg(case: &Json) -> HttpSignatureAlgorithm {
    s(&case["verifier"], "algorithm").parse().unwrap()
}

/// Parses and verifies the message's signature labelled as the case says, looking the key up by keyid.
fn verify_message(
    case: &Json,
    keys: &Json,
    msg: &Msg<'_>,
) -> countermark::Result<countermark::http::message_signatures::VerifiedMessageSignature> {
    let policy = policy(case);
    let alg = verifier_alg(case);
    UnverifiedMessageSignature::parse_for(msg.message(), &policy)?
        .expect("signature headers")
        .verify_with(&policy, |keyid| verifying_key(keys, keyid, alg))
}

fn components(case: &Json) -> Vec<Component> {
    case["covered_components"]
        .as_array()
        .expect("covered_components")
        .iter()
        .map(|c| {
            Component::parse(c.as_str().unwrap()).unwrap_or_else(|e| panic!("{}: {e}", id(case)))
        })
        .collect()
}

/// Signs the case's message with the case's key, components and parameters.
fn sign(case: &Json, keys: &Json) -> SignatureHeaders {
    let key_id = s(case, "key_id");
    let entry = &keys[key_id];
    let alg: HttpSignatureAlgorithm = s(case, "algorithm").parse().unwrap();
    let hmac;
    let private;
    let mut signer = match alg {
        HttpSignatureAlgorithm::HmacSha256 => {
            hmac = hmac_key(entry);
            MessageSigner::hmac(hmac.clone()).unwrap()
        }
        _ => {
            private = SigningKey::from_pem(s(entry, "private_pem")).unwrap();
            MessageSigner::asymmetric(private.clone(), alg).unwrap()
        }
    };
    let params = &case["params"];
    signer = signer
        .with_label(s(case, "label"))
        .unwrap()
        .with_key_id(key_id)
        .unwrap()
        .with_components(components(case))
        .unwrap()
        .with_created(params["created"].as_i64().expect("created"));
    if let Some(t) = params["expires"].as_i64() {
        signer = signer.with_expires(t);
    }
    if let Some(n) = params["nonce"].as_str() {
        signer = signer.with_nonce(n).unwrap();
    }
    if let Some(t) = params["tag"].as_str() {
        signer = signer.with_tag(t).unwrap();
    }
    if let Some(a) = params["alg"].as_str() {
        assert_eq!(a, alg.name(), "{}", id(case));
        signer = signer.with_alg_param(true);
    }
    let msg = message(&case["message"], &[]);
    let headers = signer
        .sign(msg.message())
        .unwrap_or_else(|e| panic!("{}: {e}", id(case)));
    assert_eq!(
        headers.signature_base(),
        s(case, "signature_base"),
        "{}",
        id(case)
    );
    assert_eq!(
        headers.signature_params(),
        s(case, "signature_params"),
        "{}",
        id(case)
    );
    assert_eq!(
        headers.signature_input(),
        s(case, "signature_input"),
        "{}",
        id(case)
    );
    assert_eq!(headers.label(), s(case, "label"));
    if alg.is_deterministic() {
        assert_eq!(case["deterministic"], true, "{}", id(case));
        assert_eq!(
            headers.signature(),
            s(case, "signature_header"),
            "{}",
            id(case)
        );
    } else {
        assert_eq!(case["deterministic"], false, "{}", id(case));
        assert_ne!(
            headers.signature(),
            s(case, "signature_header"),
            "{}",
            id(case)
        );
    }
    headers
}

/// A copy of `header` (`label=:base64:`) with one bit of the decoded signature flipped.
fn flip_signature_bit(header: &str) -> String {
    use base64::Engine as _;
    let (label, rest) = header.split_once('=').unwrap();
    let b64 = rest.trim_matches(':');
    let mut sig = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    sig[0] ^= 1;
    format!(
        "{label}=:{}:",
        base64::engine::general_purpose::STANDARD.encode(sig)
    )
}

fn check_sign(case: &Json, keys: &Json) {
    let headers = sign(case, keys);
    // Our own signature verifies, and so does the published one.
    for sig in [headers.signature(), s(case, "signature_header")] {
        let msg = message(
            &case["message"],
            &[
                ("Signature-Input", headers.signature_input()),
                ("Signature", sig),
            ],
        );
        let verified =
            verify_message(case, keys, &msg).unwrap_or_else(|e| panic!("{}: {e}", id(case)));
        assert_eq!(verified.label(), s(case, "label"));
        assert_eq!(verified.key_id(), Some(s(case, "key_id")));
        assert_eq!(verified.algorithm(), verifier_alg(case));
        assert_eq!(verified.covered_components(), components(case).as_slice());
        assert_eq!(verified.created(), case["params"]["created"].as_i64());
        assert_eq!(verified.expires(), case["params"]["expires"].as_i64());
        assert_eq!(verified.nonce(), case["params"]["nonce"].as_str());
        assert_eq!(verified.tag(), case["params"]["tag"].as_str());
        assert_eq!(verified.alg_param(), case["params"]["alg"].as_str());
    }
}

fn check_verify(case: &Json, keys: &Json) {
    if case.get("covered_components").is_some() {
        // The published examples: reproduce the base and Signature-Input, and check a fresh signature verifies.
        let headers = sign(case, keys);
        let msg = message(
            &case["message"],
            &[
                ("Signature-Input", headers.signature_input()),
                ("Signature", headers.signature()),
            ],
        );
        verify_message(case, keys, &msg).unwrap_or_else(|e| panic!("{}: {e}", id(case)));
    }
    let input = s(case, "signature_input");
    let signature = s(case, "signature_header");
    let msg = message(
        &case["message"],
        &[("Signature-Input", input), ("Signature", signature)],
    );
    if let Some(base) = case["signature_base"].as_str() {
        let unverified = UnverifiedMessageSignature::parse(msg.message(), Some(s(case, "label")))
            .unwrap()
            .expect("signature headers");
        assert_eq!(unverified.signature_base().unwrap(), base, "{}", id(case));
        assert_eq!(unverified.signature_params(), s(case, "signature_params"));
    }
    let got = verify_message(case, keys, &msg);
    match s(case, "expect") {
        "valid" => {
            got.unwrap_or_else(|e| panic!("{}: {e}", id(case)));
            // Its negative twin: one flipped bit of the signature is refused.
            let flipped = flip_signature_bit(signature);
            let msg = message(
                &case["message"],
                &[("Signature-Input", input), ("Signature", &flipped)],
            );
            assert_eq!(
                verify_message(case, keys, &msg).unwrap_err().kind(),
                ErrorKind::BadSignature,
                "{}",
                id(case)
            );
        }
        expect => {
            let err = got.expect_err(id(case));
            assert_eq!(err.kind(), expected_kind(expect), "{}: {err}", id(case));
            if expect == "bad_digest" {
                // The headers themselves verify: only the body check fails.
                let policy = policy(case).check_content_digest(false);
                let verified = UnverifiedMessageSignature::parse_for(msg.message(), &policy)
                    .unwrap()
                    .expect("signature headers")
                    .verify_with(&policy, |k| verifying_key(keys, k, verifier_alg(case)))
                    .unwrap();
                assert!(!verified.body_checked());
            }
        }
    }
}

fn check_content_digest(case: &Json) {
    let alg: DigestAlgorithm = s(case, "algorithm").parse().unwrap();
    let body = s(case, "body").as_bytes();
    assert_eq!(body.len() as u64, case["body_length"].as_u64().unwrap());
    let value = content_digest(body, &[alg]).unwrap();
    assert_eq!(value, s(case, "content_digest"), "{}", id(case));
    assert_eq!(verify_content_digest(&value, body).unwrap(), [alg]);
    let mut altered = body.to_vec();
    altered.push(b' ');
    assert_eq!(
        verify_content_digest(&value, &altered).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
}

#[test]
fn every_rfc9421_vector() {
    let cases = load_cases("rfc9421.json");
    assert_eq!(cases.len(), CASES, "rfc9421.json case count");
    let keys = doc_keys();
    let mut ran = 0;
    for case in &cases {
        match s(case, "op") {
            "sign" => check_sign(case, &keys),
            "verify" => check_verify(case, &keys),
            "content_digest" => check_content_digest(case),
            other => panic!("{}: unknown op {other}", id(case)),
        }
        ran += 1;
    }
    assert_eq!(ran, CASES);
}

#[test]
fn a_nonce_is_accepted_once() {
    let cases = load_cases("rfc9421.json");
    let case = cases
        .iter()
        .find(|c| id(c) == "rfc-013-gen-hmac-created-expires-nonce")
        .expect("rfc-013");
    let keys = doc_keys();
    let msg = message(
        &case["message"],
        &[
            ("Signature-Input", s(case, "signature_input")),
            ("Signature", s(case, "signature_header")),
        ],
    );
    let store = Arc::new(MemoryNonceStore::new(64));
    let policy = policy(case).with_nonce_store(store.clone());
    let key = verifying_key(&keys, "vector-hmac-1", HttpSignatureAlgorithm::HmacSha256).unwrap();
    let unverified = UnverifiedMessageSignature::parse_for(msg.message(), &policy)
        .unwrap()
        .expect("signature headers");
    assert_eq!(
        unverified.claimed_nonce(),
        Some("5f0b4f1e-9c1d-4c1e-8f5a-2c3d4e5f6a7b")
    );
    unverified.verify(&key, &policy).unwrap();
    assert_eq!(
        unverified.verify(&key, &policy).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    assert_eq!(store.len(), 1);
    // A signature without a nonce: accepted any number of times by default, refused when nonces are required,
    // and accepted once in seen-signature mode.
    let b25 = cases.iter().find(|c| id(c) == "rfc-005-b25-hmac").unwrap();
    let msg = message(
        &b25["message"],
        &[
            ("Signature-Input", s(b25, "signature_input")),
            ("Signature", s(b25, "signature_header")),
        ],
    );
    let lookup = |k: &str| verifying_key(&keys, k, HttpSignatureAlgorithm::HmacSha256);
    let verify = |p: &MessagePolicy| {
        UnverifiedMessageSignature::parse_for(msg.message(), p)
            .unwrap()
            .expect("signature headers")
            .verify_with(p, lookup)
    };
    let b25_policy = self::policy(b25).with_nonce_store(store);
    verify(&b25_policy).unwrap();
    verify(&b25_policy).unwrap();
    let strict = b25_policy.clone().require_nonce(true);
    assert_eq!(verify(&strict).unwrap_err().kind(), ErrorKind::Malformed);
    let seen = b25_policy.remember_signatures(true);
    verify(&seen).unwrap();
    assert_eq!(verify(&seen).unwrap_err().kind(), ErrorKind::Replayed);
}

#[test]
fn a_required_component_that_is_not_covered_is_refused() {
    let cases = load_cases("rfc9421.json");
    let case = cases.iter().find(|c| id(c) == "rfc-005-b25-hmac").unwrap();
    let keys = doc_keys();
    let msg = message(
        &case["message"],
        &[
            ("Signature-Input", s(case, "signature_input")),
            ("Signature", s(case, "signature_header")),
        ],
    );
    // B.2.5 covers date, @authority and content-type, not @method: "missing_component" is Malformed.
    for (required, ok) in [
        ("@method", false),
        ("content-digest", false),
        ("@authority", true),
    ] {
        let policy = policy(case).with_required_components([Component::parse(required).unwrap()]);
        let got = UnverifiedMessageSignature::parse_for(msg.message(), &policy)
            .unwrap()
            .expect("signature headers")
            .verify_with(&policy, |k| {
                verifying_key(&keys, k, HttpSignatureAlgorithm::HmacSha256)
            });
        match ok {
            true => {
                got.unwrap();
            }
            false => assert_eq!(got.unwrap_err().kind(), expected_kind("missing_component")),
        }
    }
}
