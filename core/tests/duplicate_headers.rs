//! A repeated single-valued header makes a request malformed, whatever the scheme (issue 15, item 4).
//!
//! Each test takes a request that is validly signed and accepted with one line of the header, then adds a second
//! line and asserts the exact refusal. Structured dictionaries (`Signature-Input`, `Signature`) keep combining
//! their lines (RFC 8941), which the RFC 9421 test checks too.

use std::sync::Arc;

use countermark::http::fost::{self, FostSigner, FostUrlSigner};
use countermark::http::hmac_header::{self, ApiSecret, HmacHeaderSigner};
use countermark::http::message_signatures::{
    Component, MessagePolicy, MessageSigner, MessageVerifyingKey, UnverifiedMessageSignature,
};
use countermark::http::Request;
use countermark::jwt::{Policy as JwtPolicy, Token, UnverifiedJwt};
use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Result, Secret, SigningKey};

/// A request view of `method target` with `lines` in order and `body`.
fn build<'a>(
    method: &'a str,
    target: &'a str,
    lines: &[(&'a str, &'a str)],
    body: Option<&'a [u8]>,
) -> Result<Request<'a>> {
    let mut r = Request::new(method, target)?;
    for (n, v) in lines {
        r = r.with_header(n, v)?;
    }
    Ok(match body {
        Some(b) => r.with_body(b),
        None => r,
    })
}

fn assert_malformed<T: std::fmt::Debug>(r: Result<T>, what: &str) {
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Malformed, "{what}");
}

#[test]
fn host_twice_is_refused_when_the_view_is_built() {
    for (a, b) in [("Host", "host"), ("HOST", "Host")] {
        assert_malformed(
            build("GET", "/", &[(a, "a.example"), (b, "b.example")], None),
            a,
        );
    }
    // A response has no Host; one Host line is fine.
    let r = build("GET", "/", &[("Host", "a.example")], None).unwrap();
    assert_eq!(r.authority(), "a.example");
}

#[test]
fn rfc9421_authority_with_a_second_host_line() {
    let key = HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(*b"a shared secret of 32 bytes!!!!!").unwrap(),
    );
    let components: Vec<Component> = ["@method", "@authority", "@path"]
        .into_iter()
        .map(Component::parse)
        .collect::<Result<_>>()
        .unwrap();
    let unsigned = build("GET", "/v1/x", &[("Host", "api.example.com")], None).unwrap();
    let sig = MessageSigner::hmac(key.clone())
        .unwrap()
        .with_key_id("k1")
        .unwrap()
        .with_components(components)
        .unwrap()
        .with_created(1_700_000_000)
        .sign(&unsigned)
        .unwrap();
    let policy = MessagePolicy::new().with_clock(Arc::new(FixedClock::at_secs(1_700_000_001)));
    let vkey = MessageVerifyingKey::hmac(key.clone()).unwrap();
    // Signature-Input and Signature split over two lines each are still combined (RFC 8941 dictionaries).
    let (si, s) = (sig.signature_input(), sig.signature());
    let ok = build(
        "GET",
        "/v1/x",
        &[
            ("Host", "api.example.com"),
            ("Signature-Input", "other=();created=1"),
            ("Signature-Input", si),
            ("Signature", s),
            ("Signature", "other=:AAAA:"),
        ],
        None,
    )
    .unwrap();
    UnverifiedMessageSignature::parse(&ok, Some("sig1"))
        .unwrap()
        .expect("signature headers")
        .verify(&vkey, &policy)
        .unwrap();
    // The same request with a second Host line, which a front end may have routed by.
    assert_malformed(
        build(
            "GET",
            "/v1/x",
            &[
                ("Host", "api.example.com"),
                ("Host", "internal.example"),
                ("Signature-Input", si),
                ("Signature", s),
            ],
            None,
        ),
        "second Host",
    );
}

fn fost_key() -> HmacKey {
    fost::hmac_key(&Secret::legacy(*b"secret-value").unwrap())
}

#[test]
fn fost_url_with_a_second_host_line() {
    let key = fost_key();
    let signed = FostUrlSigner::new("k", key.clone())
        .unwrap()
        .sign("http://a.example/p?x=1", Some(2_000_000_000))
        .unwrap();
    let target = &signed.url()["http://a.example".len()..];
    let policy = fost::Policy::new(Arc::new(FixedClock::at_secs(1_700_000_000)));
    let ok = build("GET", target, &[("Host", "a.example")], None).unwrap();
    fost::parse_url(&ok)
        .unwrap()
        .unwrap()
        .verify(&key, &policy)
        .unwrap();
    assert_malformed(
        build(
            "GET",
            target,
            &[("Host", "a.example"), ("Host", "b.example")],
            None,
        ),
        "second Host",
    );
}

#[test]
fn fost_request_with_a_repeated_single_valued_header() {
    let key = fost_key();
    let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
    let lines = [
        ("Host", "a.example"),
        ("X-FOST-User", "admin"),
        ("Content-Type", "text/plain"),
    ];
    let unsigned = build("POST", "/p", &lines, Some(b"body")).unwrap();
    let signed = FostSigner::new("k", key.clone())
        .unwrap()
        .with_clock(clock.clone())
        .sign(&unsigned, &["Host", "X-FOST-User", "Content-Type"])
        .unwrap();
    let mut all: Vec<(&str, &str)> = lines.to_vec();
    all.extend(signed.headers().iter().map(|(n, v)| (*n, &**v)));
    let policy = fost::Policy::new(clock);
    let ok = build("POST", "/p", &all, Some(b"body")).unwrap();
    let verified = fost::parse(&ok)
        .unwrap()
        .unwrap()
        .verify(&key, &policy)
        .unwrap();
    assert_eq!(verified.user(), "admin");
    for (name, second) in [
        ("X-FOST-User", "root"),
        ("x-fost-user", "admin"),
        ("X-FOST-Timestamp", "2011-04-27 03:26:40"),
        ("X-FOST-Headers", "X-FOST-Headers"),
        ("Content-Type", "text/plain"),
        ("Authorization", "Basic YTpi"),
    ] {
        let mut twice = all.clone();
        twice.push((name, second));
        let req = build("POST", "/p", &twice, Some(b"body")).unwrap();
        assert_malformed(fost::parse(&req), name);
    }
    let mut twice = all.clone();
    twice.push(("host", "b.example"));
    assert_malformed(build("POST", "/p", &twice, Some(b"body")), "Host");
}

#[test]
fn hmac_header_with_a_repeated_single_valued_header() {
    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    let signer = HmacHeaderSigner::new("key-1", secret.key(Algorithm::HmacSha256).unwrap())
        .unwrap()
        .with_clock(Arc::new(FixedClock::at_secs(1_683_468_937)));
    let body = br#"{"a": 1}"#;
    let ct = [("Content-Type", "application/json")];
    let unsigned = build("POST", "/api/", &ct, Some(body)).unwrap();
    let signed = signer.sign_request(&unsigned).unwrap();
    let auth = signed.authorization();
    let policy = hmac_header::Policy::new(Arc::new(FixedClock::at_secs(1_683_468_938)));
    let ok = build(
        "POST",
        "/api/",
        &[ct[0], ("Authorization", auth)],
        Some(body),
    )
    .unwrap();
    hmac_header::parse(&ok)
        .unwrap()
        .unwrap()
        .verify(&secret, &policy)
        .unwrap();
    for (name, second) in [
        ("Authorization", "Basic YTpi"),
        ("authorization", auth),
        ("Content-Type", "text/plain"),
        ("content-type", "application/json"),
    ] {
        let req = build(
            "POST",
            "/api/",
            &[ct[0], ("Authorization", auth), (name, second)],
            Some(body),
        )
        .unwrap();
        let refused = hmac_header::parse(&req).and_then(|p| {
            p.expect("an HMAC header")
                .verify(&secret, &policy)
                .map(|_| ())
        });
        assert_malformed(refused, name);
    }
}

#[test]
fn jwt_with_a_second_authorization_line() {
    let key = SigningKey::from_pem(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let header = Token::from_parts("alice", 1_700_000_000, "yVJ0MVWhqPQ")
        .unwrap()
        .authorization(&key)
        .unwrap();
    let policy = JwtPolicy::new().with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)));
    let keys = vec![key.verifying_key().clone()];
    let ok = build("GET", "/", &[("Authorization", &header)], None).unwrap();
    let verified = UnverifiedJwt::from_request(&ok)
        .unwrap()
        .unwrap()
        .verify_any(&keys, &policy)
        .unwrap();
    assert_eq!(verified.username(), "alice");
    for lines in [
        [("Authorization", "Basic YTpi"), ("Authorization", &*header)],
        [("Authorization", &*header), ("authorization", &*header)],
    ] {
        let req = build("GET", "/", &lines, None).unwrap();
        assert_malformed(UnverifiedJwt::from_request(&req), lines[0].1);
    }
}
