//! Every case of ../shared/vectors/fost.json (django-fost-authn 0.3.8), through the public API, and property
//! tests for the FOST parsers and signatures.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{hex, id, load_cases, s};
use countermark::http::fost::{self, FostSigner, FostUrlSigner, Policy};
use countermark::http::Request;
use countermark::{ErrorKind, FixedClock, HmacKey, Result, Secret};
use proptest::prelude::*;
use serde_json::Value as Json;

/// What a server made of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Valid,
    NotApplicable,
    Rejected(ErrorKind),
}

fn outcome<T>(result: Result<Option<T>>) -> Outcome {
    match result {
        Ok(Some(_)) => Outcome::Valid,
        Ok(None) => Outcome::NotApplicable,
        Err(e) => Outcome::Rejected(e.kind()),
    }
}

fn expected(expect: &str) -> Outcome {
    match expect {
        "valid" => Outcome::Valid,
        "not_applicable" => Outcome::NotApplicable,
        "bad_signature" => Outcome::Rejected(ErrorKind::BadSignature),
        "expired" => Outcome::Rejected(ErrorKind::Expired),
        "not_yet_valid" => Outcome::Rejected(ErrorKind::NotYetValid),
        "malformed" => Outcome::Rejected(ErrorKind::Malformed),
        other => panic!("no fost vector should expect {other}"),
    }
}

fn key(case: &Json) -> HmacKey {
    fost::hmac_key(&Secret::legacy(hex(s(case, "secret_hex"))).unwrap())
}

fn policy(now: &Json, clock_skew: &Json) -> Policy {
    let policy = Policy::new(Arc::new(FixedClock::at_secs_f64(
        now.as_f64().expect("now"),
    )));
    match clock_skew.as_u64() {
        Some(skew) => policy.with_clock_skew(Duration::from_secs(skew)),
        None => policy,
    }
}

/// The origin-form target of `path` and `query`.
fn target(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// The server side of a request signature: parse, look the secret up (the only key is the case's), verify.
fn check_request(request: &Request<'_>, key: &HmacKey, policy: &Policy) -> Outcome {
    outcome(fost::parse(request).and_then(|parsed| {
        parsed
            .map(|unverified| unverified.verify(key, policy))
            .transpose()
    }))
}

fn check_url(request: &Request<'_>, key: &HmacKey, policy: &Policy) -> Outcome {
    outcome(fost::parse_url(request).and_then(|parsed| {
        parsed
            .map(|unverified| unverified.verify(key, policy))
            .transpose()
    }))
}

fn request_with<'a>(
    method: &'a str,
    target: &'a str,
    headers: &'a [(String, String)],
    body: &'a str,
) -> Request<'a> {
    let mut request = Request::new(method, target).unwrap();
    for (name, value) in headers {
        request = request.with_header(name, value).unwrap();
    }
    if !body.is_empty() {
        request = request.with_body(body.as_bytes());
    }
    request
}

fn pairs(obj: &Json) -> Vec<(String, String)> {
    obj.as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_string()))
        .collect()
}

fn request_signature(case: &Json) {
    let key = key(case);
    let target = target(s(case, "path"), s(case, "query_string"));
    let signed_headers: Vec<(String, String)> = case["signed_headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let text = |v: &Json| v.as_str().expect("header name or value").to_string();
            (text(&pair[0]), text(&pair[1]))
        })
        .collect();
    let request = request_with(s(case, "method"), &target, &signed_headers, s(case, "body"));
    assert_eq!(request.decoded_path(), s(case, "path"), "{}", id(case));
    let names: Vec<&str> = signed_headers.iter().map(|(n, _)| n.as_str()).collect();
    let signer = FostSigner::new(s(case, "key"), key.clone()).unwrap();
    let signed = signer
        .sign_at(&request, &names, s(case, "timestamp"))
        .unwrap();
    assert_eq!(
        signed.document(),
        s(case, "document").as_bytes(),
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
    assert_eq!(
        signed.x_fost_headers(),
        s(case, "x_fost_headers"),
        "{}",
        id(case)
    );
    let mut sent: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    sent.extend(signed_headers.iter().cloned());
    assert_eq!(sent, pairs(&case["request_headers"]), "{}", id(case));

    let server = &case["server_check"];
    let request = request_with(s(case, "method"), &target, &sent, s(case, "body"));
    let got = check_request(
        &request,
        &key,
        &policy(&server["now"], &server["max_skew_seconds"]),
    );
    assert_eq!(got, expected(s(server, "expect")), "{}", id(case));
}

fn verify_request(case: &Json) {
    let target = target(s(case, "path"), s(case, "query_string"));
    let headers = pairs(&case["request_headers"]);
    let request = request_with(s(case, "method"), &target, &headers, s(case, "body"));
    let got = check_request(
        &request,
        &key(case),
        &policy(&case["now"], &case["max_skew_seconds"]),
    );
    assert_eq!(got, expected(s(case, "expect")), "{}", id(case));
}

fn url_signature(case: &Json) {
    let key = key(case);
    let signed_url = s(case, "signed_url");
    let scheme = signed_url.split("://").next().unwrap();
    let url = format!(
        "{scheme}://{}{}",
        s(case, "host"),
        target(s(case, "path"), s(case, "query_string"))
    );
    let expires = match s(case, "expires") {
        "" => None,
        e => Some(e.parse::<i64>().unwrap()),
    };
    let signed = FostUrlSigner::new(s(case, "key"), key.clone())
        .unwrap()
        .sign(&url, expires)
        .unwrap();
    assert_eq!(signed.document(), s(case, "document"), "{}", id(case));
    assert_eq!(signed.signature(), s(case, "signature"), "{}", id(case));
    assert_eq!(signed.url(), signed_url, "{}", id(case));
    let filtered = s(case, "filtered_query");
    if !filtered.is_empty() {
        assert!(
            signed.document().contains(&format!("?{filtered}\n")),
            "{}",
            id(case)
        );
    }
    let request = Request::new("GET", signed.url()).unwrap();
    assert_eq!(
        request.query(),
        Some(s(case, "signed_query_string")),
        "{}",
        id(case)
    );

    let server = &case["server_check"];
    let got = check_url(&request, &key, &policy(&server["now"], &Json::Null));
    assert_eq!(got, expected(s(server, "expect")), "{}", id(case));
}

fn verify_url(case: &Json) {
    let target = target(s(case, "path"), s(case, "query_string"));
    let request = Request::new("GET", &target)
        .unwrap()
        .with_header("Host", s(case, "host"))
        .unwrap();
    let got = check_url(&request, &key(case), &policy(&case["now"], &Json::Null));
    assert_eq!(got, expected(s(case, "expect")), "{}", id(case));
}

#[test]
fn every_fost_vector() {
    let cases = load_cases("fost.json");
    assert_eq!(cases.len(), 27, "fost.json changed: every case must run");
    let mut ran = 0;
    for case in &cases {
        match s(case, "op") {
            "request_signature" => request_signature(case),
            "verify_request" => verify_request(case),
            "url_signature" => url_signature(case),
            "verify_url" => verify_url(case),
            other => panic!("{}: unknown op {other}", id(case)),
        }
        ran += 1;
    }
    assert_eq!(ran, 27);
}

#[test]
fn api_edges() {
    let key = fost::hmac_key(&Secret::legacy(*b"k").unwrap());
    let sha256 = HmacKey::new(
        countermark::Algorithm::HmacSha256,
        &Secret::new(*b"0123456789abcdef").unwrap(),
    );
    assert_eq!(
        FostSigner::new("k", sha256).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    for bad in ["", "a:b", "a b", "a+b", "é"] {
        assert_eq!(
            FostSigner::new(bad, key.clone()).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{bad:?}"
        );
    }
    let signer = FostSigner::new("k", key.clone()).unwrap();
    let request = Request::new("GET", "/")
        .unwrap()
        .with_header("X-A", "1")
        .unwrap();
    for (names, ts) in [
        (&["X-B"][..], "2013-11-26 10:20:30"),
        (&["Authorization"][..], "2013-11-26 10:20:30"),
        (&["x-fost-timestamp"][..], "2013-11-26 10:20:30"),
        (&["X-A"][..], "2013-11-26 10:20"),
        (&["X-A"][..], "2013-11-26 10:20:30Z"),
    ] {
        assert_eq!(
            signer.sign_at(&request, names, ts).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{names:?} {ts}"
        );
    }
    // A zone other than UTC is refused (the reference ignores zones: it would read 12:20:30 as UTC).
    for ts in ["2013-11-26T12:20:30+02:00", "2013-11-26T08:20:30-02:00"] {
        assert_eq!(
            signer.sign_at(&request, &["X-A"], ts).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{ts}"
        );
    }
    // A UTC zone means what it says: 10:20:30+00:00 is 10:20:30Z.
    let signed = signer
        .sign_at(&request, &["X-A"], "2013-11-26T10:20:30+00:00")
        .unwrap();
    let mut request = request;
    for (n, v) in signed.headers() {
        request = request.with_header(n, v).unwrap();
    }
    let unverified = fost::parse(&request).unwrap().unwrap();
    assert_eq!(unverified.claimed_created().secs(), 1_385_461_230);
    assert_eq!(unverified.claimed_user(), "k");
    let at = |secs| Policy::new(Arc::new(FixedClock::at_secs(secs)));
    assert!(unverified.verify(&key, &at(1_385_461_230)).is_ok());
    let v = unverified.verify(&key, &at(1_385_461_529)).unwrap();
    assert_eq!(v.signed_headers()[1], ("X-A".to_string(), "1".to_string()));
    // URL signer refusals.
    let urls = FostUrlSigner::new("k", key).unwrap();
    for bad in [
        "/relative",
        "http://h/p#f",
        "http://h/p?_sort=1",
        "http://h/p?a=1&_e=5",
        "http://h/p?%5Fk=1",
    ] {
        assert_eq!(
            urls.sign(bad, None).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{bad}"
        );
    }
    assert!(urls
        .sign("http://h/p?", Some(1))
        .unwrap()
        .url()
        .starts_with("http://h/p?_k=k&_e=1&_s="));
}

#[test]
fn url_quirks_and_refusals() {
    let key = fost::hmac_key(&Secret::legacy(*b"secret").unwrap());
    let signed = FostUrlSigner::new("key", key.clone())
        .unwrap()
        .sign("https://h.example/f?x=1", None)
        .unwrap();
    let policy = Policy::new(Arc::new(FixedClock::at_secs(i64::MAX / 2_000_000)));
    let check = |url: &str| {
        let request = Request::new("GET", url).unwrap();
        check_url(&request, &key, &policy)
    };
    // No _e: valid forever. _sort is not signed (the `_s*` filter quirk).
    assert_eq!(check(signed.url()), Outcome::Valid);
    assert_eq!(check(&format!("{}&_sort=z", signed.url())), Outcome::Valid);
    assert_eq!(
        check(&signed.url().replace("x=1", "x=2")),
        Outcome::Rejected(ErrorKind::BadSignature)
    );
    // Percent-encoding of _s is decoded first; an unencoded '+' would be read as a space.
    assert_eq!(check(&signed.url().replace("%3D", "%3d")), Outcome::Valid);
    for (url, want) in [
        (
            format!("{}&_k=again", signed.url()),
            Outcome::Rejected(ErrorKind::Malformed),
        ),
        (
            format!("{}&_e=soon", signed.url()),
            Outcome::Rejected(ErrorKind::Malformed),
        ),
        (
            "https://h.example/f?x=1&_k=key".to_string(),
            Outcome::NotApplicable,
        ),
        (
            "https://h.example/f?x=1&_k=&_s=abc".to_string(),
            Outcome::Rejected(ErrorKind::Malformed),
        ),
    ] {
        assert_eq!(check(&url), want, "{url}");
    }
    let post = Request::new("POST", signed.url()).unwrap();
    assert_eq!(check_url(&post, &key, &policy), Outcome::NotApplicable);
    // A FOST Authorization header takes precedence over URL parameters.
    let with_auth = Request::new("GET", signed.url())
        .unwrap()
        .with_header("Authorization", "FOST key:abc")
        .unwrap();
    assert_eq!(check_url(&with_auth, &key, &policy), Outcome::NotApplicable);
}

#[test]
fn request_refusals() {
    let key = fost::hmac_key(&Secret::legacy(*b"secret").unwrap());
    let policy = Policy::new(Arc::new(FixedClock::at_secs(1_385_461_240)));
    let base = [
        ("Authorization", "FOST key:Zvyk+79cznv2QsFVb8Nqr4TGOpQ="),
        ("X-FOST-Timestamp", "2013-11-26 10:20:30"),
        ("X-FOST-Headers", "X-FOST-Headers X-FOST-User"),
        ("X-FOST-User", "alice"),
    ];
    let run = |replace: (&str, &str)| {
        let mut request = Request::new("GET", "/").unwrap();
        for (n, v) in base {
            let v = if n == replace.0 { replace.1 } else { v };
            request = request.with_header(n, v).unwrap();
        }
        check_request(&request, &key, &policy)
    };
    for (replace, want) in [
        (
            ("X-FOST-Timestamp", "2013-11-26 10:20:30garbage"),
            ErrorKind::Malformed,
        ),
        (
            ("X-FOST-Timestamp", "2013-11-26 10:20:30+00:00"),
            ErrorKind::Malformed,
        ),
        (
            ("X-FOST-Timestamp", "2013-11-26T12:20:30+02:00"),
            ErrorKind::Malformed,
        ),
        (
            ("X-FOST-Headers", "X-FOST-Headers X-Missing"),
            ErrorKind::Malformed,
        ),
        // Not UTF-7 (Python 3 raises; 2.7 would drop the '+'), non-ASCII, a lone surrogate.
        (("X-FOST-User", "a+.b"), ErrorKind::Malformed),
        (("X-FOST-User", "J\u{fc}rgen"), ErrorKind::Malformed),
        (("X-FOST-User", "+2D0-"), ErrorKind::Malformed),
        // UTF-7 that names another user than the signed one: the signature fails.
        (("X-FOST-User", "a+AGE-"), ErrorKind::BadSignature),
        (
            ("Authorization", "FOST k+AGE-:Zvyk+79cznv2QsFVb8Nqr4TGOpQ="),
            ErrorKind::Malformed,
        ),
        (
            ("Authorization", "FOST key:not-base64!"),
            ErrorKind::BadSignature,
        ),
        (
            ("X-FOST-Headers", &"X-FOST-User ".repeat(33)),
            ErrorKind::TooLarge,
        ),
    ] {
        assert_eq!(run(replace), Outcome::Rejected(want), "{replace:?}");
    }
    let sha256 = HmacKey::new(
        countermark::Algorithm::HmacSha256,
        &Secret::new(*b"0123456789abcdef").unwrap(),
    );
    let mut request = Request::new("GET", "/").unwrap();
    for (n, v) in base {
        request = request.with_header(n, v).unwrap();
    }
    assert_eq!(
        check_request(&request, &sha256, &policy),
        Outcome::Rejected(ErrorKind::UnsupportedAlgorithm)
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Properties.

const NOW: i64 = 1_700_000_000;

#[test]
fn seen_signature_mode_accepts_a_request_once() {
    let (signer, key) = signer(b"seen-signature secret");
    let request = request_with("POST", "/api/x", &[], "{}");
    let signed = signer.sign(&request, &[]).unwrap();
    let mut request = request_with("POST", "/api/x", &[], "{}");
    for (n, v) in signed.headers() {
        request = request.with_header(n, v).unwrap();
    }
    let unverified = fost::parse(&request).unwrap().unwrap();
    // Off by default: the reference accepts a replay inside the window.
    unverified.verify(&key, &now_policy()).unwrap();
    unverified.verify(&key, &now_policy()).unwrap();
    let store = Arc::new(countermark::MemoryNonceStore::new(100));
    let policy = now_policy().with_nonce_store(store.clone());
    unverified.verify(&key, &policy).unwrap();
    assert_eq!(
        unverified.verify(&key, &policy).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    assert_eq!(store.len(), 1);
}

fn signer(secret: &[u8]) -> (FostSigner, HmacKey) {
    let key = fost::hmac_key(&Secret::legacy(secret.to_vec()).unwrap());
    let signer = FostSigner::new("key-1", key.clone())
        .unwrap()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)));
    (signer, key)
}

fn now_policy() -> Policy {
    Policy::new(Arc::new(FixedClock::at_secs(NOW)))
}

/// A request as plain strings, so single bytes can be changed.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Wire {
    fn check(&self, key: &HmacKey) -> Outcome {
        let Ok(mut request) = Request::new(&self.method, &self.target) else {
            return Outcome::Rejected(ErrorKind::Malformed);
        };
        for (n, v) in &self.headers {
            match request.with_header(n, v) {
                Ok(r) => request = r,
                Err(e) => return Outcome::Rejected(e.kind()),
            }
        }
        if !self.body.is_empty() {
            request = request.with_body(self.body.as_bytes());
        }
        // The key store knows one key.
        match fost::parse(&request) {
            Ok(Some(u)) if u.claimed_key_id() != "key-1" => {
                Outcome::Rejected(ErrorKind::UnknownKey)
            }
            _ => check_request(&request, key, &now_policy()),
        }
    }
}

fn signed_wire(
    secret: &[u8],
    method: &str,
    path: &str,
    query: &str,
    body: &str,
    user: &str,
) -> Wire {
    let (signer, _) = signer(secret);
    let target = target(path, query);
    let headers = vec![("X-FOST-User".to_string(), user.to_string())];
    let request = request_with(method, &target, &headers, body);
    let signed = signer.sign(&request, &["X-FOST-User"]).unwrap();
    let mut all: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    all.extend(headers);
    Wire {
        method: method.to_string(),
        target,
        headers: all,
        body: body.to_string(),
    }
}

/// Python 2 whitespace that a header value can hold (not CR or LF).
fn is_py2_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0b | 0x0c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn header_parsers_never_panic(
        auth in "\\PC{0,60}",
        ts in "\\PC{0,40}",
        names in "\\PC{0,60}",
        user in "\\PC{0,20}",
    ) {
        let mut request = Request::new("POST", "/x?q=1").unwrap().with_body(b"b");
        for (n, v) in [("Authorization", auth.as_str()), ("X-FOST-Timestamp", &ts), ("X-FOST-Headers", &names), ("X-FOST-User", &user)] {
            if let Ok(r) = request.clone().with_header(n, v) {
                request = r;
            }
        }
        let key = fost::hmac_key(&Secret::legacy(*b"k").unwrap());
        let _ = check_request(&request, &key, &now_policy());
        let authorization = format!("FOST k:{auth}");
        if let Ok(r) = request.with_header("Authorization", &authorization) {
            let _ = check_request(&r, &key, &now_policy());
        }
    }

    #[test]
    fn timestamps_round_trip(micros in -62_135_596_800_000_000i64..253_402_300_799_999_999, garbage in "\\PC{0,32}") {
        let key = fost::hmac_key(&Secret::legacy(*b"k").unwrap());
        let at = countermark::UnixTime::from_secs(micros.div_euclid(1_000_000));
        let clock = FixedClock::new(at);
        let signer = FostSigner::new("k", key.clone()).unwrap().with_clock(Arc::new(clock));
        let request = Request::new("GET", "/").unwrap();
        let signed = signer.sign(&request, &[]).unwrap();
        let mut request = request;
        for (n, v) in signed.headers() {
            request = request.with_header(n, v).unwrap();
        }
        let unverified = fost::parse(&request).unwrap().unwrap();
        prop_assert_eq!(unverified.claimed_created(), at);
        prop_assert!(unverified.verify(&key, &Policy::new(Arc::new(clock))).is_ok());
        // Arbitrary timestamp text never panics.
        if let Ok(r) = Request::new("GET", "/").unwrap()
            .with_header("Authorization", "FOST k:x").unwrap()
            .with_header("X-FOST-Headers", "X-FOST-Headers").unwrap()
            .with_header("X-FOST-Timestamp", &garbage) {
            let _ = check_request(&r, &key, &now_policy());
        }
    }

    #[test]
    fn url_query_parser_never_panics(query in "[!-~&&[^#]]{0,80}", host in "[a-z0-9.:]{0,12}") {
        let key = fost::hmac_key(&Secret::legacy(*b"k").unwrap());
        let target = format!("/p?{query}");
        let request = Request::new("GET", &target).unwrap().with_header("Host", &host).unwrap();
        let _ = check_url(&request, &key, &now_policy());
        let with_sig = format!("/p?{query}&_k=k&_s=AAAA");
        let request = Request::new("HEAD", &with_sig).unwrap().with_header("Host", &host).unwrap();
        let _ = check_url(&request, &key, &now_policy());
    }

    #[test]
    fn request_round_trip(
        secret in prop::collection::vec(any::<u8>(), 1..40),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        path in "/[a-z0-9/._~-]{0,20}",
        query in "[a-z0-9=&]{0,20}",
        body in "[ -~]{0,40}",
        user in "[a-zA-Z0-9@._-]{1,16}",
    ) {
        let wire = signed_wire(&secret, method, &path, &query, &body, &user);
        let (_, key) = signer(&secret);
        prop_assert_eq!(wire.check(&key), Outcome::Valid);
    }

    #[test]
    fn any_one_byte_change_of_a_signed_request_is_rejected(
        secret in prop::collection::vec(any::<u8>(), 1..40),
        path in "/[a-z0-9/._~-]{0,20}",
        query in "[a-z0-9=&]{0,20}",
        body in prop::sample::select(vec!["", "{\"a\": 1}", "x"]),
        user in "[a-zA-Z0-9@._-]{1,16}",
        field in 0usize..8,
        pos in any::<prop::sample::Index>(),
        byte in 0x09u8..0x7f,
    ) {
        let wire = signed_wire(&secret, "POST", &path, &query, body, &user);
        let (_, key) = signer(&secret);
        let mut changed = wire.clone();
        // Fields that are signed. Not mutated: header names (HTTP compares them case-insensitively) and the
        // query when the request has a body (the format does not sign it then).
        let text: &mut String = match field {
            0 => &mut changed.method,
            1 => &mut changed.target,
            2 => &mut changed.body,
            n => &mut changed.headers[(n - 3) % 4].1,
        };
        if text.is_empty() {
            return Ok(());
        }
        let i = pos.index(text.len());
        let mut bytes = text.clone().into_bytes();
        prop_assume!(bytes[i] != byte);
        let old = bytes[i];
        bytes[i] = byte;
        *text = String::from_utf8(bytes).unwrap();
        if field == 1 && !body.is_empty() && wire.target.find('?').is_some_and(|q| i >= q) {
            return Ok(()); // the query (from its `?` on) is not signed when there is a body
        }
        let got = changed.check(&key);
        // The one accepted change: the whitespace between `FOST` and the credentials (Python's split()).
        let separator = field >= 3 && (field - 3) % 4 == 0 && i == 4 && is_py2_space(old) && is_py2_space(byte);
        if separator {
            prop_assert_eq!(got, Outcome::Valid);
        } else {
            prop_assert!(got != Outcome::Valid, "accepted {:?}", changed);
        }
    }

    #[test]
    fn any_one_byte_change_of_a_signed_url_is_rejected(
        secret in prop::collection::vec(any::<u8>(), 1..40),
        host in "[a-z]{1,8}\\.example(:[0-9]{2,4})?",
        path in "/[a-z0-9/._~-]{0,20}",
        query in "([a-z]{1,3}=[a-z0-9]{0,3}&){0,3}",
        expires in prop::option::of(NOW..NOW + 1000),
        pos in any::<prop::sample::Index>(),
        byte in 0x21u8..0x7f,
    ) {
        let key = fost::hmac_key(&Secret::legacy(secret.clone()).unwrap());
        let url = format!("https://{host}{}", target(&path, query.trim_end_matches('&')));
        let signed = FostUrlSigner::new("key-1", key.clone()).unwrap().sign(&url, expires).unwrap();
        let check = |url: &str| -> Outcome {
            let Ok(request) = Request::new("GET", url) else {
                return Outcome::Rejected(ErrorKind::Malformed);
            };
            match fost::parse_url(&request) {
                Ok(Some(u)) if u.claimed_key_id() != "key-1" => Outcome::Rejected(ErrorKind::UnknownKey),
                _ => check_url(&request, &key, &now_policy()),
            }
        };
        prop_assert_eq!(check(signed.url()), Outcome::Valid);
        // Change one byte after the scheme (host, path, query, _k, _e, _s).
        let start = "https://".len();
        let i = start + pos.index(signed.url().len() - start);
        let mut bytes = signed.url().as_bytes().to_vec();
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        let got = check(&changed);
        // The one accepted change: the letter case of a %XX escape in `_s`, which is compared after decoding.
        let s_value = signed.url().rfind("&_s=").unwrap() + 4;
        let old = signed.url().as_bytes()[i];
        let case_only = i >= s_value && old.is_ascii_alphabetic() && old.eq_ignore_ascii_case(&byte)
            && signed.url()[..i].rfind('%').is_some_and(|p| i - p <= 2);
        if case_only {
            prop_assert_eq!(got, Outcome::Valid);
        } else {
            prop_assert!(got != Outcome::Valid, "accepted {}", changed);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 15, item 8: the reference's time arithmetic and UTF-7 user names.

/// A request signed with `timestamp` (any text the signer takes), as sent.
fn stamped(timestamp: &str) -> (Vec<(String, String)>, HmacKey) {
    let key = fost::hmac_key(&Secret::legacy(*b"secret").unwrap());
    let signer = FostSigner::new("key", key.clone()).unwrap();
    let request = Request::new("GET", "/").unwrap();
    let signed = signer.sign_at(&request, &[], timestamp).unwrap();
    let lines = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    (lines, key)
}

/// The outcome of verifying `lines` at `now` = `secs` + `nanos`.
fn at(lines: &[(String, String)], key: &HmacKey, secs: i64, nanos: u32) -> Outcome {
    let mut request = Request::new("GET", "/").unwrap();
    for (n, v) in lines {
        request = request.with_header(n, v).unwrap();
    }
    let clock = FixedClock::new(countermark::UnixTime::from_parts(secs, nanos).unwrap());
    check_request(&request, key, &Policy::new(Arc::new(clock)))
}

#[test]
fn the_signing_time_is_the_whole_second_as_the_reference_reads_it() {
    // 2013-11-26 10:20:30 UTC; the reference: signed = strptime(ts[:19]), accepted iff abs(utcnow - signed) < 300 s.
    const T: i64 = 1_385_461_230;
    let ok = Outcome::Valid;
    let expired = Outcome::Rejected(ErrorKind::Expired);
    let early = Outcome::Rejected(ErrorKind::NotYetValid);
    for ts in [
        "2013-11-26 10:20:30.9",
        "2013-11-26 10:20:30.500000",
        "2013-11-26T10:20:30.999999Z",
        "2013-11-26T10:20:30.999999+00:00",
        "2013-11-26 10:20:30",
    ] {
        let (lines, key) = stamped(ts);
        for (secs, nanos, want) in [
            // +300.5 s after the written second: the reference refuses (countermark read .9 and accepted).
            (T + 300, 500_000_000, &expired),
            // Exactly 300 s either way: refused.
            (T + 300, 0, &expired),
            (T - 300, 0, &early),
            // Just inside, either way.
            (T + 299, 999_999_000, &ok),
            (T - 299, 0, &ok),
            (T - 299, 1_000, &ok),
            // The clock 299.5 s before the written second: the reference accepts (countermark refused .9).
            (T - 300, 500_000_000, &ok),
            (T - 300, 1_000, &ok),
            (T, 0, &ok),
        ] {
            assert_eq!(
                &at(&lines, &key, secs, nanos),
                want,
                "{ts} at {secs}.{nanos:09}"
            );
        }
        let unverified = {
            let mut request = Request::new("GET", "/").unwrap();
            for (n, v) in &lines {
                request = request.with_header(n, v).unwrap();
            }
            fost::parse(&request).unwrap().unwrap().claimed_created()
        };
        assert_eq!(unverified, countermark::UnixTime::from_secs(T), "{ts}");
    }
}

#[test]
fn utf7_user_names_both_ways() {
    let key = fost::hmac_key(&Secret::legacy(*b"secret-value").unwrap());
    let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
    let policy = Policy::new(clock.clone());
    // The reference's own signer (django-fost-authn 0.3.8 fost_authn/signature.py under Python 2.7.18):
    // fost_hmac_request_signature_with_headers('secret-value', 'GET', '/', '2011-04-27 03:26:37',
    //     ['X-FOST-Headers X-FOST-User', 'J+APw-rgen'], '') -> 'OyIkPjA5Lnb9Nmue4snCWhyboxQ='
    let wire = [
        (
            "Authorization",
            "FOST key-value:OyIkPjA5Lnb9Nmue4snCWhyboxQ=",
        ),
        ("X-FOST-Timestamp", "2011-04-27 03:26:37"),
        ("X-FOST-Headers", "X-FOST-Headers X-FOST-User"),
        ("X-FOST-User", "J+APw-rgen"),
    ];
    let mut request = Request::new("GET", "/").unwrap();
    for (n, v) in wire {
        request = request.with_header(n, v).unwrap();
    }
    let unverified = fost::parse(&request).unwrap().unwrap();
    assert_eq!(unverified.claimed_user(), "J\u{fc}rgen");
    let verified = unverified.verify(&key, &policy).unwrap();
    assert_eq!(verified.user(), "J\u{fc}rgen");
    assert_eq!(
        verified.signed_headers()[1],
        ("X-FOST-User".to_string(), "J+APw-rgen".to_string())
    );

    // countermark's signer, given the Unicode name, sends and signs the same bytes.
    let signer = FostSigner::new("key-value", key.clone())
        .unwrap()
        .with_clock(clock);
    let named = Request::new("GET", "/")
        .unwrap()
        .with_header("X-FOST-User", "J\u{fc}rgen")
        .unwrap();
    let signed = signer
        .sign_at(&named, &["X-FOST-User"], "2011-04-27 03:26:37")
        .unwrap();
    assert_eq!(signed.authorization(), wire[0].1);
    assert_eq!(signed.x_fost_user(), Some("J+APw-rgen"));
    let sent: Vec<(&str, &str)> = signed.headers();
    assert_eq!(sent, wire);

    // Reference: ('secret-value', 'POST', '/api/x', '2011-04-27 03:26:37.999999',
    //     ['X-FOST-Headers X-FOST-User', 'a+-b+AH4-'], '{}') -> 'WLDRnR/Q1ohUyQiED71Ehn7bZh0=' ('a+b~').
    let named = Request::new("POST", "/api/x")
        .unwrap()
        .with_header("X-FOST-User", "a+b~")
        .unwrap()
        .with_body(b"{}");
    let signed = signer
        .sign_at(&named, &["X-FOST-User"], "2011-04-27 03:26:37.999999")
        .unwrap();
    assert_eq!(signed.signature(), "WLDRnR/Q1ohUyQiED71Ehn7bZh0=");
    assert_eq!(signed.x_fost_user(), Some("a+-b+AH4-"));
    let mut sent = Request::new("POST", "/api/x").unwrap().with_body(b"{}");
    for (n, v) in signed.headers() {
        sent = sent.with_header(n, v).unwrap();
    }
    let v = fost::parse(&sent)
        .unwrap()
        .unwrap()
        .verify(&key, &policy)
        .unwrap();
    assert_eq!(v.user(), "a+b~");

    // An ASCII name is sent as itself: no replacement line.
    let plain = Request::new("GET", "/")
        .unwrap()
        .with_header("X-FOST-User", "admin")
        .unwrap();
    let signed = signer.sign(&plain, &["X-FOST-User"]).unwrap();
    assert_eq!(signed.x_fost_user(), None);
    assert_eq!(signed.headers().len(), 3);

    // Every name round-trips, non-BMP included.
    for name in [
        "\u{65e5}\u{672c}",
        "\u{1f600}",
        "Fran\u{e7}ois M\u{fc}ller",
        "~\\+",
        "\u{0}x",
    ] {
        let named = Request::new("GET", "/")
            .unwrap()
            .with_header("X-FOST-User", name);
        let Ok(named) = named else {
            continue; // NUL cannot be on a request view.
        };
        let signed = signer.sign(&named, &["X-FOST-User"]).unwrap();
        let mut sent = Request::new("GET", "/").unwrap();
        for (n, v) in signed.headers() {
            sent = sent.with_header(n, v).unwrap();
        }
        let v = fost::parse(&sent)
            .unwrap()
            .unwrap()
            .verify(&key, &policy)
            .unwrap();
        assert_eq!(v.user(), name);
    }
}
