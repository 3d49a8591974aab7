//! Every case of ../shared/vectors/hmac_header.json (django-hmac-authentication 5.0.3), through the public API,
//! and property tests for the header parser, the JSON canonicaliser and the signatures.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use common::{hex, id, load_cases, s};
use countermark::http::hmac_header::{
    self, decrypt_legacy_secret, encrypt_legacy_secret, json, ApiSecret, Body, HmacHeaderSigner,
    LegacyCipher, Policy,
};
use countermark::http::Request;
use countermark::{Algorithm, ErrorKind, FixedClock};
use proptest::prelude::*;
use serde_json::Value as Json;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Valid,
    NotApplicable,
    Rejected(ErrorKind),
}

/// The expected outcome; `None` for `error` (any clean rejection).
fn expected(expect: &str) -> Option<Outcome> {
    Some(match expect {
        "valid" => Outcome::Valid,
        "not_applicable" => Outcome::NotApplicable,
        "bad_signature" => Outcome::Rejected(ErrorKind::BadSignature),
        "expired" => Outcome::Rejected(ErrorKind::Expired),
        "not_yet_valid" => Outcome::Rejected(ErrorKind::NotYetValid),
        "malformed" => Outcome::Rejected(ErrorKind::Malformed),
        "unsupported_algorithm" => Outcome::Rejected(ErrorKind::UnsupportedAlgorithm),
        // Key-store outcomes: see `KeyStore::lookup`.
        "unknown_key" | "revoked_key" | "expired_key" => Outcome::Rejected(ErrorKind::UnknownKey),
        "error" => return None,
        other => panic!("no hmac_header vector should expect {other}"),
    })
}

/// One row of the reference's `ApiHMACKey` table.
struct Record {
    cipher: LegacyCipher,
    kd_password: String,
    secret_column_b64: String,
    salt_column_b64: String,
    revoked: bool,
    /// Unix seconds.
    expires_at: Option<f64>,
}

/// The caller's key store, as a server would keep it. Countermark leaves key lookup to the caller; this one
/// maps the reference's three lookup failures to `ErrorKind::UnknownKey`: no such key
/// (`KeyDoesNotExistException`), a revoked key (`RevokedKeyException`) and a key past its `expires_at`
/// (`ExpiredKeyException`). All three mean "this key id does not authenticate anything", and the remedy is the
/// same (a new key); `Expired` is kept for the request's own time window, which a fresh signature fixes.
#[derive(Default)]
struct KeyStore {
    records: HashMap<String, Record>,
}

impl KeyStore {
    fn from_case(api_key: &str, server_key: &Json) -> Self {
        let mut store = KeyStore::default();
        if !server_key.is_null() {
            store.records.insert(
                api_key.to_string(),
                Record {
                    cipher: s(server_key, "cipher_algorithm").parse().unwrap(),
                    kd_password: s(server_key, "kd_password").to_string(),
                    secret_column_b64: s(server_key, "secret_column_b64").to_string(),
                    salt_column_b64: s(server_key, "salt_column_b64").to_string(),
                    revoked: server_key["revoked"].as_bool().unwrap(),
                    expires_at: server_key["expires_at"].as_f64(),
                },
            );
        }
        store
    }

    fn lookup(&self, api_key: &str, now: f64) -> Result<ApiSecret, ErrorKind> {
        let record = self.records.get(api_key).ok_or(ErrorKind::UnknownKey)?;
        if record.revoked || record.expires_at.is_some_and(|t| t <= now) {
            return Err(ErrorKind::UnknownKey);
        }
        decrypt_legacy_secret(
            record.cipher,
            record.kd_password.as_bytes(),
            &B64.decode(&record.salt_column_b64).unwrap(),
            &B64.decode(&record.secret_column_b64).unwrap(),
        )
        .map_err(|e| e.kind())
    }
}

/// The request the server receives.
fn server_request<'a>(case: &'a Json, authorization: &'a str) -> Request<'a> {
    let mut request = Request::new(s(case, "http_method"), s(case, "path")).unwrap();
    if let Some(ct) = case["content_type"].as_str() {
        request = request.with_header("Content-Type", ct).unwrap();
    }
    if let Some(body) = case["request_body"].as_str() {
        request = request.with_body(body.as_bytes());
    }
    request.with_header("Authorization", authorization).unwrap()
}

/// The server: parse, check the time window, look the key up, verify — the reference's order. When the key is
/// found, the outcome is `verify()`'s alone (it checks the time window itself; a time failure seen by `check_time`
/// must be the very error `verify` gives), so the time-window vectors prove that `verify` checks time.
fn server(request: &Request<'_>, store: &KeyStore, now: f64, timeout: &Json) -> Outcome {
    let mut policy = Policy::new(Arc::new(FixedClock::at_secs_f64(now)));
    if let Some(t) = timeout.as_f64() {
        policy = policy.with_max_age(Duration::from_secs_f64(t));
    }
    let unverified = match hmac_header::parse(request) {
        Ok(None) => return Outcome::NotApplicable,
        Err(e) => return Outcome::Rejected(e.kind()),
        Ok(Some(u)) => u,
    };
    let time = unverified.check_time(&policy).map_err(|e| e.kind());
    let secret = match store.lookup(unverified.claimed_key_id(), now) {
        Ok(secret) => secret,
        // No key: the reference refuses on the time window first, then on the key.
        Err(kind) => return Outcome::Rejected(time.err().unwrap_or(kind)),
    };
    let got = match unverified.verify(&secret, &policy) {
        Ok(v) => {
            assert_eq!(v.key_id(), unverified.claimed_key_id());
            Outcome::Valid
        }
        Err(e) => Outcome::Rejected(e.kind()),
    };
    if let Err(kind) = time {
        assert_eq!(
            got,
            Outcome::Rejected(kind),
            "verify() must refuse what check_time() refuses"
        );
    }
    got
}

fn assert_outcome(case: &Json, got: Outcome, expect: &str) {
    match expected(expect) {
        Some(want) => assert_eq!(got, want, "{}", id(case)),
        None => assert!(matches!(got, Outcome::Rejected(_)), "{}: {got:?}", id(case)),
    }
}

fn api_secret(case: &Json) -> ApiSecret {
    let secret = ApiSecret::from_base64(s(case, "api_secret_b64")).unwrap();
    assert_eq!(
        secret.secret().expose(),
        hex(s(case, "secret_hex")),
        "{}",
        id(case)
    );
    assert_eq!(
        secret.to_base64().as_str(),
        s(case, "api_secret_b64"),
        "{}",
        id(case)
    );
    secret
}

/// The server's stored secret decrypts to the one the case says the server holds.
fn check_server_key(case: &Json, server_key: &Json) {
    if server_key.is_null() {
        return;
    }
    let store = KeyStore::from_case("k", server_key);
    let stored = store.lookup("k", 0.0).unwrap();
    assert_eq!(
        stored.secret().expose(),
        hex(s(case, "secret_hex")),
        "{}",
        id(case)
    );
}

fn sign(case: &Json) {
    // The vector names the wire method word (`HMAC-SHA256`); its hash is the reference's hashlib name.
    let hash = s(case, "method").strip_prefix("HMAC-").expect("HMAC-…");
    let alg = Algorithm::from_hash_name(&hash.to_ascii_lowercase()).unwrap();
    let secret = api_secret(case);
    let check = &case["server_check"];
    let signer = HmacHeaderSigner::new(s(case, "api_key"), secret.key(alg).unwrap()).unwrap();
    let unsigned = server_request(check, "placeholder");
    let body = Body::from_request(&unsigned).unwrap();
    let signed = signer.sign_at(&body, s(case, "utc_8601")).unwrap();
    assert_eq!(
        signed.canonical_body(),
        case["body_canonical"].as_str(),
        "{}",
        id(case)
    );
    assert_eq!(
        signed.body_hash(),
        case["body_hash_b64"].as_str(),
        "{}",
        id(case)
    );
    assert_eq!(
        signed.string_to_sign(),
        s(case, "string_to_sign"),
        "{}",
        id(case)
    );
    assert_eq!(signed.signature(), s(case, "signature"), "{}", id(case));
    assert_eq!(
        signed.authorization(),
        s(case, "authorization"),
        "{}",
        id(case)
    );
    // The body as a client library would serialise it canonicalises to the same text.
    if !case["body_json"].is_null() {
        let client_body = serde_json::to_string(&case["body_json"]).unwrap();
        let canonical = json::canonicalize(client_body.as_bytes()).unwrap();
        let hashed = (!json::is_falsy(&canonical)).then_some(canonical);
        assert_eq!(
            hashed.as_deref(),
            case["body_canonical"].as_str(),
            "{}",
            id(case)
        );
    }
    check_server_key(case, &check["server_key"]);
    let store = KeyStore::from_case(s(case, "api_key"), &check["server_key"]);
    let request = server_request(check, signed.authorization());
    let got = server(
        &request,
        &store,
        check["now"].as_f64().unwrap(),
        &check["timeout_seconds"],
    );
    assert_outcome(case, got, s(check, "expect"));
}

fn verify(case: &Json) {
    api_secret(case);
    check_server_key(case, &case["server_key"]);
    let store = KeyStore::from_case(s(case, "api_key"), &case["server_key"]);
    let request = server_request(case, s(case, "authorization"));
    let got = server(
        &request,
        &store,
        case["now"].as_f64().unwrap(),
        &case["timeout_seconds"],
    );
    assert_outcome(case, got, s(case, "expect"));
}

fn secret_at_rest(case: &Json) {
    let cipher: LegacyCipher = s(case, "cipher_algorithm").parse().unwrap();
    assert_eq!(cipher.name(), s(case, "cipher_algorithm"));
    assert_eq!(
        (
            s(case, "cipher_mode"),
            s(case, "kdf"),
            case["kdf_iterations"].as_u64()
        ),
        (
            "CBC",
            "PBKDF2-HMAC-SHA256",
            Some(u64::from(hmac_header::LEGACY_KDF_ITERATIONS))
        ),
        "{}",
        id(case)
    );
    let password = hex(s(case, "kd_password_hex"));
    assert_eq!(password, s(case, "kd_password").as_bytes());
    let salt = hex(s(case, "salt_hex"));
    assert_eq!(salt.len(), hmac_header::LEGACY_SALT_LEN);
    assert_eq!(B64.decode(s(case, "salt_b64")).unwrap(), salt);
    assert_eq!(B64.decode(s(case, "salt_column_b64")).unwrap(), salt);
    assert_eq!(
        &salt[8..],
        hex(s(case, "iv_hex")).as_slice(),
        "{}",
        id(case)
    );
    let ciphertext = hex(s(case, "ciphertext_hex"));
    assert_eq!(
        B64.decode(s(case, "secret_column_b64")).unwrap(),
        ciphertext
    );
    let secret = decrypt_legacy_secret(cipher, &password, &salt, &ciphertext).unwrap();
    assert_eq!(
        secret.secret().expose(),
        hex(s(case, "secret_hex")),
        "{}",
        id(case)
    );
    assert_eq!(secret.to_base64().as_str(), s(case, "api_secret_b64"));
    assert_eq!(
        encrypt_legacy_secret(cipher, &password, &salt, &secret).unwrap(),
        ciphertext,
        "{}",
        id(case)
    );
    // A wrong password fails cleanly (padding), or yields other bytes, never the secret.
    match decrypt_legacy_secret(cipher, b"wrong password", &salt, &ciphertext) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidKey),
        Ok(other) => assert_ne!(other.secret().expose(), secret.secret().expose()),
    }
}

#[test]
fn every_hmac_header_vector() {
    let cases = load_cases("hmac_header.json");
    assert_eq!(
        cases.len(),
        28,
        "hmac_header.json changed: every case must run"
    );
    let mut ran = 0;
    for case in &cases {
        match s(case, "op") {
            "sign" => sign(case),
            "verify" => verify(case),
            "secret_at_rest" => secret_at_rest(case),
            other => panic!("{}: unknown op {other}", id(case)),
        }
        ran += 1;
    }
    assert_eq!(ran, 28);
}

#[test]
fn seen_signature_mode_accepts_a_request_once() {
    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    let signer = HmacHeaderSigner::new("k-1", secret.key(Algorithm::HmacSha256).unwrap())
        .unwrap()
        .with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
    let request = Request::new("POST", "/x")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_body(b"{\"a\":1}");
    let signed = signer.sign_request(&request).unwrap();
    let request = request
        .with_header("Authorization", signed.authorization())
        .unwrap();
    let unverified = hmac_header::parse(&request).unwrap().unwrap();
    let clock = Arc::new(FixedClock::at_secs(1_700_000_001));
    // Off by default: the reference accepts a replay inside the window.
    let plain = Policy::new(clock.clone());
    unverified.verify(&secret, &plain).unwrap();
    unverified.verify(&secret, &plain).unwrap();
    let policy =
        Policy::new(clock).with_nonce_store(Arc::new(countermark::MemoryNonceStore::new(100)));
    unverified.verify(&secret, &policy).unwrap();
    assert_eq!(
        unverified.verify(&secret, &policy).unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn key_states_are_refused_by_the_store() {
    let cases = load_cases("hmac_header.json");
    let case = cases
        .iter()
        .find(|c| id(c) == "hh-013-valid-at-5s")
        .unwrap();
    let now = case["now"].as_f64().unwrap();
    let request = server_request(case, s(case, "authorization"));
    for (revoked, expires_at, want) in [
        (false, None, Outcome::Valid),
        (false, Some(now + 1.0), Outcome::Valid),
        (true, None, Outcome::Rejected(ErrorKind::UnknownKey)),
        (false, Some(now), Outcome::Rejected(ErrorKind::UnknownKey)),
    ] {
        let mut store = KeyStore::from_case(s(case, "api_key"), &case["server_key"]);
        for record in store.records.values_mut() {
            record.revoked = revoked;
            record.expires_at = expires_at;
        }
        let got = server(&request, &store, now, &case["timeout_seconds"]);
        assert_eq!(got, want, "revoked={revoked} expires_at={expires_at:?}");
    }
}

#[test]
fn edges() {
    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    for bad in ["", "not base64!", "c2hvcnQ="] {
        assert_eq!(
            ApiSecret::from_base64(bad).unwrap_err().kind(),
            ErrorKind::InvalidKey,
            "{bad:?}"
        );
    }
    let key = secret.key(Algorithm::HmacSha256).unwrap();
    for bad in ["", "a b", "a;b"] {
        assert_eq!(
            HmacHeaderSigner::new(bad, key.clone()).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
    }
    let signer = HmacHeaderSigner::new("k", key).unwrap();
    for bad in [
        "2023-05-07 14:15:37+00:00",
        "2023-05-07T14:15:37",
        "yesterday",
    ] {
        assert_eq!(
            signer.sign_at(&Body::Empty, bad).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{bad}"
        );
    }
    // The clock's time, in the reference client's form.
    let at = |secs: f64| {
        HmacHeaderSigner::new("k", secret.key(Algorithm::HmacSha512).unwrap())
            .unwrap()
            .with_clock(Arc::new(FixedClock::at_secs_f64(secs)))
            .sign(&Body::Empty)
            .unwrap()
    };
    assert!(at(1_704_164_645.0)
        .authorization()
        .ends_with(";2024-01-02T03:04:05+00:00"));
    assert!(at(1_683_468_937.000_001)
        .authorization()
        .starts_with("HMAC-SHA512 k;"));
    assert!(at(1_683_468_937.000_001)
        .authorization()
        .ends_with(";2023-05-07T14:15:37.000001+00:00"));
    // Header shapes and timestamps.
    let policy = Policy::new(Arc::new(FixedClock::at_secs(1_704_164_646)));
    let check = |authorization: &str, ct: Option<&str>, body: &[u8]| -> Outcome {
        let mut request = Request::new("POST", "/")
            .unwrap()
            .with_header("Authorization", authorization)
            .unwrap()
            .with_body(body);
        if let Some(ct) = ct {
            request = request.with_header("Content-Type", ct).unwrap();
        }
        match hmac_header::parse(&request) {
            Ok(None) => Outcome::NotApplicable,
            Err(e) => Outcome::Rejected(e.kind()),
            Ok(Some(u)) => match u.verify(&secret, &policy) {
                Ok(_) => Outcome::Valid,
                Err(e) => Outcome::Rejected(e.kind()),
            },
        }
    };
    let valid = "HMAC-SHA256 aff80c45-ca58-455f-a815-b051d470c7ba;8YZJE+0NQOm5eqCgMC7/Dgkoo0WjO4GD6M004lWtySg=;2024-01-02T03:04:05+00:00";
    assert_eq!(
        check(valid, Some("application/json"), b"{\"a\": 1}"),
        Outcome::Rejected(ErrorKind::BadSignature)
    );
    let sig = |ts: &str| format!("HMAC-SHA256 k;c2ln;{ts}");
    for (auth, want) in [
        (
            sig("2024-01-02T03:04:05"),
            Outcome::Rejected(ErrorKind::Malformed),
        ),
        // Python's fromisoformat reads a 7th fraction digit (and skips it): a bad signature, not malformed.
        (
            sig("2024-01-02T03:04:05.1234567Z"),
            Outcome::Rejected(ErrorKind::BadSignature),
        ),
        (
            sig("2024-01-02T03:04:05.12a+00:00"),
            Outcome::Rejected(ErrorKind::Malformed),
        ),
        (
            sig("2024-01-02T03:04:06Z"),
            Outcome::Rejected(ErrorKind::NotYetValid),
        ),
        (
            sig("2024-01-02T03:04:00.999999Z"),
            Outcome::Rejected(ErrorKind::Expired),
        ),
        (
            sig("2024-01-02T04:04:05+01:00"),
            Outcome::Rejected(ErrorKind::BadSignature),
        ),
        (
            "HMAC-SHA256 k;c2ln;2024-01-02T03:04:05Z;x".to_string(),
            Outcome::NotApplicable,
        ),
        (
            "HMAC-SHA256 k;;2024-01-02T03:04:05Z".to_string(),
            Outcome::NotApplicable,
        ),
        (
            "HMAC-SHA256  k;c2ln;2024-01-02T03:04:05Z extra".to_string(),
            Outcome::NotApplicable,
        ),
        ("Bearer abc".to_string(), Outcome::NotApplicable),
        (
            "hmac-sha256 k;c2ln;2024-01-02T03:04:05Z".to_string(),
            Outcome::Rejected(ErrorKind::UnsupportedAlgorithm),
        ),
    ] {
        assert_eq!(check(&auth, None, b""), want, "{auth}");
    }
    // Body types the reference cannot read are refused; empty bodies need no type.
    let ts = sig("2024-01-02T03:04:05Z");
    assert_eq!(
        check(&ts, Some("text/plain"), b"x"),
        Outcome::Rejected(ErrorKind::Malformed)
    );
    assert_eq!(
        check(&ts, None, b"{}"),
        Outcome::Rejected(ErrorKind::Malformed)
    );
    assert_eq!(
        check(&ts, Some("application/json"), b"{\"a\":"),
        Outcome::Rejected(ErrorKind::Malformed)
    );
}

#[test]
fn form_and_falsy_bodies() {
    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    let signer = HmacHeaderSigner::new("k", secret.key(Algorithm::HmacSha256).unwrap()).unwrap();
    let ts = "2024-01-02T03:04:05+00:00";
    let form = signer.sign_at(&Body::Form(b"a=1&b=2&a=3"), ts).unwrap();
    assert_eq!(form.canonical_body(), Some(r#"{"a":"3","b":"2"}"#));
    let none = signer.sign_at(&Body::Empty, ts).unwrap();
    for falsy in [
        &b"{}"[..],
        b"[]",
        b"0",
        b"0.0",
        b"\"\"",
        b"null",
        b"false",
        b" {\n} ",
    ] {
        let signed = signer.sign_at(&Body::Json(falsy), ts).unwrap();
        assert_eq!(signed.string_to_sign(), none.string_to_sign());
        assert_eq!(signed.signature(), none.signature());
    }
    assert_eq!(
        signer
            .sign_at(&Body::Form(b""), ts)
            .unwrap()
            .string_to_sign(),
        ";2024-01-02T03:04:05+00:00"
    );
    let request = Request::new("POST", "/")
        .unwrap()
        .with_header(
            "content-type",
            "Application/X-WWW-Form-URLEncoded; charset=utf-8",
        )
        .unwrap()
        .with_body(b"a=1");
    assert_eq!(Body::from_request(&request).unwrap(), Body::Form(b"a=1"));
}

// ---------------------------------------------------------------------------------------------------------------
// Properties.

/// JSON values serde_json can write and read back exactly (i64 integers, finite floats).
fn json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Json::from),
        "\\PC{0,12}".prop_map(Json::String),
        any::<String>().prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec(("\\PC{0,6}", inner), 0..6)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

/// JSON values whose Python serialisation equals serde_json's compact one: printable-ASCII strings, integers.
fn ascii_json_value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        "[ -~]{0,12}".prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            prop::collection::vec(("[ -~]{0,6}", inner), 0..6)
                .prop_map(|members| Json::Object(members.into_iter().collect())),
        ]
    })
}

/// Python 3 whitespace that a header value can hold (not CR or LF).
fn is_py3_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c | 0x1c..=0x1f)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonicalize_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), text in "\\PC{0,64}") {
        let _ = json::canonicalize(&bytes);
        let _ = json::canonicalize_form(&bytes);
        let _ = json::canonicalize(text.as_bytes());
        let _ = json::canonicalize_form(text.as_bytes());
    }

    #[test]
    fn canonicalize_json_like_garbage_never_panics(text in "[\\[\\]{}\",:0-9.eE+\\-a-z\\\\ ]{0,40}") {
        if let Ok(canonical) = json::canonicalize(text.as_bytes()) {
            prop_assert_eq!(json::canonicalize(canonical.as_bytes()).unwrap(), canonical);
        }
    }

    #[test]
    fn canonical_output_is_idempotent_and_round_trips(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
        let canonical = json::canonicalize(text.as_bytes()).unwrap();
        prop_assert!(canonical.is_ascii());
        prop_assert_eq!(json::canonicalize(canonical.as_bytes()).unwrap(), canonical.clone());
        let back: Json = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn canonical_ascii_json_equals_compact_serialisation(value in ascii_json_value()) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let compact = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(json::canonicalize(pretty.as_bytes()).unwrap(), compact);
    }

    #[test]
    fn header_parser_never_panics(auth in "\\PC{0,80}", ct in "\\PC{0,30}", body in prop::collection::vec(any::<u8>(), 0..32)) {
        let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
        let policy = Policy::new(Arc::new(FixedClock::at_secs(1_704_164_646)));
        for header in [auth.clone(), format!("HMAC-SHA256 {auth}"), format!("HMAC-SHA384 k;c2ln;{auth}")] {
            let mut request = Request::new("POST", "/").unwrap().with_body(&body);
            if let Ok(r) = request.clone().with_header("Content-Type", &ct) {
                request = r;
            }
            let Ok(request) = request.with_header("Authorization", &header) else { continue };
            if let Ok(Some(u)) = hmac_header::parse(&request) {
                let _ = u.check_time(&policy);
                let _ = u.verify(&secret, &policy);
            }
        }
    }

    #[test]
    fn sign_verify_round_trip(
        alg in prop::sample::select(vec![Algorithm::HmacSha256, Algorithm::HmacSha384, Algorithm::HmacSha512]),
        secret in prop::collection::vec(any::<u8>(), 16..64),
        value in prop::option::of(json_value()),
        signed_at in 0i64..253_402_300_000_000_000,
        age in 1u64..=5_000_000,
    ) {
        let secret = ApiSecret::from_base64(&B64.encode(&secret)).unwrap();
        let at = clock_at_micros;
        let signer = HmacHeaderSigner::new("key-1", secret.key(alg).unwrap()).unwrap().with_clock(Arc::new(at(signed_at)));
        let body = value.map(|v| serde_json::to_string(&v).unwrap()).unwrap_or_default();
        let mut request = Request::new("PUT", "/r").unwrap().with_header("Content-Type", "application/json").unwrap();
        if !body.is_empty() {
            request = request.with_body(body.as_bytes());
        }
        let signed = signer.sign_request(&request).unwrap();
        let request = request.with_header("Authorization", signed.authorization()).unwrap();
        let unverified = hmac_header::parse(&request).unwrap().unwrap();
        let policy = Policy::new(Arc::new(at(signed_at + age as i64)));
        let verified = unverified.verify(&secret, &policy).unwrap();
        prop_assert_eq!(verified.algorithm(), alg);
        prop_assert_eq!(verified.key_id(), "key-1");
        let late = Policy::new(Arc::new(at(signed_at + 5_000_001)));
        prop_assert_eq!(unverified.verify(&secret, &late).unwrap_err().kind(), ErrorKind::Expired);
    }

    #[test]
    fn any_one_byte_change_is_rejected(
        alg in prop::sample::select(vec![Algorithm::HmacSha256, Algorithm::HmacSha384, Algorithm::HmacSha512]),
        value in json_value(),
        in_body in any::<bool>(),
        pos in any::<prop::sample::Index>(),
        byte in 0x09u8..0x7f,
    ) {
        let secret = ApiSecret::from_base64("0og2OaoUVFBKARf+WH8uOCugVdJoSMRuywpynKuBdXA=").unwrap();
        let signer = HmacHeaderSigner::new("key-1", secret.key(alg).unwrap()).unwrap()
            .with_clock(Arc::new(FixedClock::at_secs_f64(1_683_468_937.25)));
        let body = serde_json::to_string_pretty(&value).unwrap();
        let signed = signer.sign(&Body::Json(body.as_bytes())).unwrap();
        let policy = Policy::new(Arc::new(FixedClock::at_secs_f64(1_683_468_938.0)));
        let check = |authorization: &str, body: &str| -> Outcome {
            let Ok(request) = Request::new("POST", "/").unwrap()
                .with_header("Content-Type", "application/json").unwrap()
                .with_body(body.as_bytes())
                .with_header("Authorization", authorization) else {
                return Outcome::Rejected(ErrorKind::Malformed);
            };
            match hmac_header::parse(&request) {
                Ok(None) => Outcome::NotApplicable,
                Err(e) => Outcome::Rejected(e.kind()),
                Ok(Some(u)) if u.claimed_key_id() != "key-1" => Outcome::Rejected(ErrorKind::UnknownKey),
                Ok(Some(u)) => match u.verify(&secret, &policy) {
                    Ok(_) => Outcome::Valid,
                    Err(e) => Outcome::Rejected(e.kind()),
                },
            }
        };
        prop_assert_eq!(check(signed.authorization(), &body), Outcome::Valid);
        let target = if in_body { body.clone() } else { signed.authorization().to_string() };
        let i = pos.index(target.len());
        let mut bytes = target.clone().into_bytes();
        prop_assume!(bytes[i] != byte);
        let old = bytes[i];
        bytes[i] = byte;
        let Ok(changed) = String::from_utf8(bytes) else { return Ok(()) };
        if in_body {
            // The format signs the parsed body, not its bytes: a change is accepted exactly when the
            // canonical form is unchanged (whitespace, `\u` escapes, number spellings).
            let same = json::canonicalize(changed.as_bytes()).ok() == json::canonicalize(body.as_bytes()).ok();
            let got = check(signed.authorization(), &changed);
            prop_assert_eq!(got == Outcome::Valid, same, "{} -> {}", body, changed);
        } else {
            // The whitespace after the method word may be any whitespace (Python's split()).
            let separator = i == signed.authorization().find(' ').unwrap() && is_py3_space(old) && is_py3_space(byte);
            let got = check(&changed, &body);
            prop_assert_eq!(got == Outcome::Valid, separator, "{}", changed);
        }
    }
}

/// A clock at a number of microseconds since the epoch.
fn clock_at_micros(micros: i64) -> FixedClock {
    let t = std::time::UNIX_EPOCH + Duration::from_micros(micros.unsigned_abs());
    FixedClock::new(countermark::UnixTime::from(t))
}
