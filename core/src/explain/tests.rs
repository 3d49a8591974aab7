use std::sync::Arc;

use base64::Engine as _;

use super::*;
use crate::clock::FixedClock;
use crate::http::message_signatures::{Component, MessageSigner};
use crate::http::{fost::FostSigner, hmac_header::HmacHeaderSigner, Request};
use crate::jwt::Token;
use crate::key::{Secret, SigningKey};
use crate::replay::NonceStore;
use crate::Algorithm;

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8; 32] = b"0123456789abcdef0123456789ABCDEF";
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n";

fn clock(secs: i64) -> Arc<FixedClock> {
    Arc::new(FixedClock::at_secs(secs))
}

/// The secret in every spelling an explanation could leak it in: none may appear in its Debug, JSON or text.
fn assert_no_key(e: &Explanation, secret: &[u8]) {
    let spellings = [
        String::from_utf8_lossy(secret).into_owned(),
        B64.encode(secret),
        B64URL.encode(secret),
        crate::encoding::hex_lower(secret),
    ];
    for shown in [format!("{e:?}"), e.to_json(), e.to_text()] {
        for spelling in &spellings {
            assert!(
                !shown.contains(spelling.as_str()),
                "the key is shown: {shown}"
            );
        }
    }
}

fn with_headers<'a>(mut r: Request<'a>, lines: &'a [(&'static str, String)]) -> Request<'a> {
    for (name, value) in lines {
        r = r.with_header(name, value).unwrap();
    }
    r
}

/// A store that fails the test when touched: explaining must not read or write the caller's replay store.
struct Untouchable;

impl NonceStore for Untouchable {
    fn check_and_insert(
        &self,
        _value: &[u8],
        _expires_at: crate::UnixTime,
        _now: crate::UnixTime,
    ) -> Result<()> {
        panic!("explain touched the nonce store");
    }
}

#[test]
fn verdict_names_are_the_error_kinds_names() {
    assert_eq!(verdict_name(&Ok::<u8, Error>(1)), "valid");
    for kind in ErrorKind::ALL {
        assert_eq!(
            verdict_name::<()>(&Err(Error::new(kind, "x"))),
            kind.as_str()
        );
    }
}

#[test]
fn fost_tampered_body_is_a_bad_signature_over_the_body_received() {
    let key = fost::hmac_key(&Secret::new(*SECRET).unwrap());
    let signed = FostSigner::new("k1", key.clone())
        .unwrap()
        .with_clock(clock(NOW))
        .sign(
            &Request::new("POST", "/items")
                .unwrap()
                .with_header("Content-Type", "application/json")
                .unwrap()
                .with_body(b"{\"n\": 1}"),
            &["Content-Type"],
        )
        .unwrap();
    let lines: Vec<(&'static str, String)> = signed
        .headers()
        .into_iter()
        .map(|(n, v)| (n, v.to_string()))
        .collect();
    let base = || {
        Request::new("POST", "/items")
            .unwrap()
            .with_header("Content-Type", "application/json")
            .unwrap()
    };
    let policy = fost::Policy::new(clock(NOW)).with_nonce_store(Arc::new(Untouchable));

    let good = with_headers(base().with_body(b"{\"n\": 1}"), &lines);
    let e = fost::parse(&good)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &policy);
    assert_eq!(e.verdict(), "valid");
    assert!(e.is_valid());
    assert_eq!(e.scheme(), "fost");
    assert_eq!(e.time_window(), TimeWindow::Ok);
    assert_eq!(e.signature_matches(), Some(true));
    assert_eq!(e.expected_signature(), Some(signed.signature()));
    assert_eq!(e.received_signature(), signed.signature());
    assert_eq!(
        e.string_to_sign().unwrap().as_bytes(),
        signed.document(),
        "the document the signer signed"
    );
    assert_eq!(e.components(), ["X-FOST-Headers", "Content-Type"]);
    assert_eq!(e.key_id(), Some("k1"));
    assert_eq!(e.algorithm(), Some("hmac-sha1"));
    assert_no_key(&e, SECRET);

    let tampered = with_headers(base().with_body(b"{\"n\": 2}"), &lines);
    let e = fost::parse(&tampered)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &policy);
    assert_eq!(e.verdict(), "bad_signature");
    assert_eq!(e.error().unwrap().kind(), ErrorKind::BadSignature);
    assert!(e.string_to_sign().unwrap().ends_with("\n{\"n\": 2}"));
    assert_eq!(e.signature_matches(), Some(false));
    assert_ne!(e.expected_signature(), Some(e.received_signature()));
    assert_eq!(
        e.expected_signature().unwrap(),
        key.sign(e.string_to_sign().unwrap().as_bytes()).to_base64()
    );
    assert_eq!(e.time_window(), TimeWindow::Ok);
    let json: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(json["verdict"], "bad_signature");
    assert_eq!(json["scheme"], "fost");
    assert_eq!(json["string_to_sign"], e.string_to_sign().unwrap());
    assert_eq!(json["expected_signature"], e.expected_signature().unwrap());
    assert_eq!(json["received_signature"], e.received_signature());
    assert_eq!(json["replay_checked"], false);
    assert_no_key(&e, SECRET);

    // Ten minutes later: expired, and the signature itself still matches.
    let late = fost::Policy::new(clock(NOW + 600));
    let e = fost::parse(&good)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &late);
    assert_eq!(e.verdict(), "expired");
    assert_eq!(e.time_window(), TimeWindow::Expired);
    assert_eq!(e.signature_matches(), Some(true));

    // Without a key: unknown_key, nothing computed.
    let e = fost::parse(&good).unwrap().unwrap().explain(None, &policy);
    assert_eq!(e.verdict(), "unknown_key");
    assert_eq!(e.time_window(), TimeWindow::NotChecked);
    assert_eq!(e.expected_signature(), None);
    assert_eq!(e.signature_matches(), None);
    assert!(e.string_to_sign().is_some());
}

#[test]
fn fost_url_explains_expiry_and_tampering() {
    let key = fost::hmac_key(&Secret::new(*SECRET).unwrap());
    let signed = fost::FostUrlSigner::new("k1", key.clone())
        .unwrap()
        .sign("https://e.com/file?a=1", Some(NOW + 60))
        .unwrap();
    let policy = fost::Policy::new(clock(NOW));
    let request = Request::new("GET", signed.url()).unwrap();
    let e = fost::parse_url(&request)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &policy);
    assert_eq!((e.verdict(), e.scheme()), ("valid", "fost-url"));
    assert_eq!(e.string_to_sign(), Some(signed.document()));
    assert_eq!(e.expires(), Some(NOW + 60));
    assert_no_key(&e, SECRET);

    let tampered_url = signed.url().replace("a=1", "a=2");
    let request = Request::new("GET", &tampered_url).unwrap();
    let e = fost::parse_url(&request)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &policy);
    assert_eq!(e.verdict(), "bad_signature");
    assert!(e.string_to_sign().unwrap().contains("a=2"));
    assert_eq!(e.signature_matches(), Some(false));

    let request = Request::new("GET", signed.url()).unwrap();
    let e = fost::parse_url(&request)
        .unwrap()
        .unwrap()
        .explain(Some(&key), &fost::Policy::new(clock(NOW + 61)));
    assert_eq!(
        (e.verdict(), e.time_window()),
        ("expired", TimeWindow::Expired)
    );
}

#[test]
fn hmac_header_string_to_sign_hashes_the_body_received() {
    let secret = ApiSecret::from_base64(&B64.encode(SECRET)).unwrap();
    let key = secret.key(Algorithm::HmacSha256).unwrap();
    let signer = HmacHeaderSigner::new("api-1", key)
        .unwrap()
        .with_clock(clock(NOW - 1));
    let sent = Request::new("POST", "/items")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_body(b"{\"n\": 1}");
    let signed = signer.sign_request(&sent).unwrap();
    let auth = [("Authorization", signed.authorization().to_string())];
    let policy = hmac_header::Policy::new(clock(NOW)).with_nonce_store(Arc::new(Untouchable));

    let good = with_headers(sent.clone(), &auth);
    let e = hmac_header::parse(&good)
        .unwrap()
        .unwrap()
        .explain(Some(&secret), &policy);
    assert_eq!(e.verdict(), "valid");
    assert_eq!(e.string_to_sign(), Some(signed.string_to_sign()));
    assert_eq!(e.expected_signature(), Some(signed.signature()));
    assert_eq!(e.algorithm(), Some("hmac-sha256"));
    assert_no_key(&e, SECRET);

    let tampered = with_headers(
        Request::new("POST", "/items")
            .unwrap()
            .with_header("Content-Type", "application/json")
            .unwrap()
            .with_body(b"{\"n\": 2}"),
        &auth,
    );
    let e = hmac_header::parse(&tampered)
        .unwrap()
        .unwrap()
        .explain(Some(&secret), &policy);
    assert_eq!(e.verdict(), "bad_signature");
    let hash = {
        use sha2::Digest as _;
        B64.encode(sha2::Sha256::digest(b"{\"n\":2}"))
    };
    assert_eq!(
        e.string_to_sign().unwrap(),
        format!(
            "{hash};{}",
            signed.authorization().rsplit(';').next().unwrap()
        )
    );
    assert_eq!(e.signature_matches(), Some(false));
    assert_no_key(&e, SECRET);

    // A body the scheme cannot read: malformed, no string to sign.
    let text = with_headers(
        Request::new("POST", "/items")
            .unwrap()
            .with_header("Content-Type", "text/plain")
            .unwrap()
            .with_body(b"x"),
        &auth,
    );
    let e = hmac_header::parse(&text)
        .unwrap()
        .unwrap()
        .explain(Some(&secret), &policy);
    assert_eq!((e.verdict(), e.string_to_sign()), ("malformed", None));
    assert_eq!(e.expected_signature(), None);
}

#[test]
fn rfc9421_hmac_and_public_keys_and_the_nonce_store_is_untouched() {
    let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*SECRET).unwrap());
    let request = Request::new("POST", "https://e.com/items")
        .unwrap()
        .with_body(b"{}");
    let signed = MessageSigner::hmac(key.clone())
        .unwrap()
        .with_key_id("k1")
        .unwrap()
        .with_created(NOW)
        .with_nonce("n-1")
        .unwrap()
        .with_components(
            ["@method", "@authority", "@path"]
                .into_iter()
                .map(|c| Component::parse(c).unwrap()),
        )
        .unwrap()
        .sign(&request)
        .unwrap();
    let lines = [
        ("Signature-Input", signed.signature_input().to_string()),
        ("Signature", signed.signature().to_string()),
    ];
    let verifying = MessageVerifyingKey::hmac(key.clone()).unwrap();
    let policy = MessagePolicy::new()
        .with_clock(clock(NOW))
        .with_nonce_store(Arc::new(Untouchable));

    let good = with_headers(request.clone(), &lines);
    let parsed = UnverifiedMessageSignature::parse(&good, None)
        .unwrap()
        .unwrap();
    let e = parsed.explain(Some(&verifying), &policy);
    assert_eq!(e.verdict(), "valid");
    assert_eq!(e.string_to_sign(), Some(signed.signature_base()));
    assert_eq!(
        e.components(),
        [
            "\"@method\"",
            "\"@authority\"",
            "\"@path\"",
            "@signature-params"
        ]
    );
    assert_eq!(
        format!("sig1=:{}:", e.expected_signature().unwrap()),
        signed.signature()
    );
    assert_eq!((e.key_id(), e.created()), (Some("k1"), Some(NOW)));
    assert_no_key(&e, SECRET);
    // Explaining twice gives the same answer: no nonce was consumed.
    assert_eq!(parsed.explain(Some(&verifying), &policy), e);

    let moved = with_headers(
        Request::new("POST", "https://e.com/other")
            .unwrap()
            .with_body(b"{}"),
        &lines,
    );
    let e = UnverifiedMessageSignature::parse(&moved, None)
        .unwrap()
        .unwrap()
        .explain(Some(&verifying), &policy);
    assert_eq!(e.verdict(), "bad_signature");
    assert!(e.string_to_sign().unwrap().contains("\"@path\": /other"));
    assert_eq!(e.signature_matches(), Some(false));

    let late = MessagePolicy::new().with_clock(clock(NOW + 3600));
    let e = parsed.explain(Some(&verifying), &late);
    assert_eq!(
        (e.verdict(), e.time_window()),
        ("expired", TimeWindow::Expired)
    );
    assert_eq!(e.signature_matches(), Some(true));

    // A public key: no expected signature, only whether the received one verifies.
    let private = SigningKey::from_pem(ED25519_PEM).unwrap();
    let signed = MessageSigner::asymmetric(private.clone(), crate::HttpSignatureAlgorithm::Ed25519)
        .unwrap()
        .with_key_id("ed")
        .unwrap()
        .with_created(NOW)
        .sign(&request)
        .unwrap();
    let lines = [
        ("Signature-Input", signed.signature_input().to_string()),
        ("Signature", signed.signature().to_string()),
    ];
    let public = MessageVerifyingKey::public(
        private.verifying_key().clone(),
        crate::HttpSignatureAlgorithm::Ed25519,
    )
    .unwrap();
    let signed_request = with_headers(request.clone(), &lines);
    let e = UnverifiedMessageSignature::parse(&signed_request, None)
        .unwrap()
        .unwrap()
        .explain(Some(&public), &policy);
    assert_eq!((e.verdict(), e.algorithm()), ("valid", Some("ed25519")));
    assert_eq!(e.expected_signature(), None);
    assert_eq!(e.signature_matches(), Some(true));
}

#[test]
fn jwt_explains_without_consuming_the_nonce() {
    let private = SigningKey::from_pem(ED25519_PEM).unwrap();
    let header = Token::from_parts("alice", NOW, "yVJ0MVWhqPQ")
        .unwrap()
        .authorization(&private)
        .unwrap();
    let token = header.strip_prefix("JWT ").unwrap();
    let parsed = UnverifiedJwt::parse(token).unwrap();
    let policy = jwt::Policy::new().with_clock(clock(NOW));
    let public = private.verifying_key();
    for _ in 0..2 {
        let e = parsed.explain(Some(public), &policy);
        assert_eq!((e.verdict(), e.scheme()), ("valid", "jwt"));
        assert_eq!(e.algorithm(), Some("ed25519"));
        assert_eq!(e.expected_signature(), None);
        assert_eq!(e.signature_matches(), Some(true));
        assert_eq!(
            format!("{}.{}", e.string_to_sign().unwrap(), e.received_signature()),
            token
        );
    }
    // The policy's own store still accepts the token once.
    parsed.verify(public, &policy).unwrap();
    assert_eq!(
        parsed.verify(public, &policy).unwrap_err().kind(),
        ErrorKind::Replayed
    );

    let late = jwt::Policy::new().with_clock(clock(NOW + 3600));
    let e = parsed.explain(Some(public), &late);
    assert_eq!(
        (e.verdict(), e.time_window()),
        ("expired", TimeWindow::Expired)
    );

    let mut forged = token.to_string();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'Q' } else { 'A' });
    let e = UnverifiedJwt::parse(&forged)
        .unwrap()
        .explain(Some(public), &policy);
    assert_eq!(e.verdict(), "bad_signature");
    assert_eq!(e.signature_matches(), Some(false));
}

#[test]
fn a_parse_refusal_explains_its_kind() {
    let e = Explanation::refused_at_parse("rfc9421", Error::malformed("no Signature header"));
    assert_eq!(
        (e.verdict(), e.time_window()),
        ("malformed", TimeWindow::NotChecked)
    );
    let json: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(json["message"], "no Signature header");
    assert!(json["string_to_sign"].is_null());
}
