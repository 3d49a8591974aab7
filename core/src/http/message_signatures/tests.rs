//! Unit and property tests of the signer, the parser, the verification policy and the limits.

use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::clock::FixedClock;
use crate::http::{Request, Response};
use crate::key::Secret;
use crate::replay::MemoryNonceStore;

const NOW: i64 = 1_700_000_000;

/// RFC 9421 Appendix B.1.4 (test-key-ed25519).
const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
/// RFC 9421 Appendix B.1.3 (test-key-ecc-p256).
const P256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49\nAwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM\n4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n-----END EC PRIVATE KEY-----\n";

fn hmac() -> HmacKey {
    HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(*b"0123456789abcdef0123456789abcdef").unwrap(),
    )
}

fn comps(names: &[&str]) -> Vec<Component> {
    names.iter().map(|n| Component::parse(n).unwrap()).collect()
}

fn policy_at(now: i64) -> MessagePolicy {
    MessagePolicy::new().with_clock(Arc::new(FixedClock::at_secs(now)))
}

const BODY: &[u8] = br#"{"id": 42}"#;
const DIGEST: &str = "sha-256=:I9VHm6G0FBLxymEZQ5AVf5clS5Z6LtrI8PcuUM3KWes=:";

fn base_request() -> Request<'static> {
    Request::new("POST", "https://api.example.com/v1/w?a=1&b%20c=x+y")
        .unwrap()
        .with_header("Host", "api.example.com")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_header("Content-Digest", DIGEST)
        .unwrap()
        .with_header("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
        .unwrap()
        .with_header("X-Dict", "k=1;p, z=(a b)")
        .unwrap()
        .with_header("X-Multi", "one")
        .unwrap()
        .with_header("X-Multi", " two ")
        .unwrap()
        .with_body(BODY)
}

fn signer(key: &HmacKey) -> MessageSigner {
    MessageSigner::hmac(key.clone())
        .unwrap()
        .with_key_id("k1")
        .unwrap()
        .with_created(NOW)
        .with_components(comps(&["@method", "@authority", "@path", "content-digest"]))
        .unwrap()
}

fn signed<'a>(req: &Request<'a>, h: &'a SignatureHeaders) -> Request<'a> {
    req.clone()
        .with_header("Signature-Input", h.signature_input())
        .unwrap()
        .with_header("Signature", h.signature())
        .unwrap()
}

fn verify_req(
    req: &Request<'_>,
    key: &HmacKey,
    policy: &MessagePolicy,
) -> Result<VerifiedMessageSignature> {
    UnverifiedMessageSignature::parse_for(req, policy)?
        .expect("signature headers")
        .verify(&MessageVerifyingKey::hmac(key.clone())?, policy)
}

#[test]
fn digest_constant_is_right() {
    assert_eq!(
        content_digest(BODY, &[DigestAlgorithm::Sha256]).unwrap(),
        DIGEST
    );
}

#[test]
fn algorithm_names() {
    for alg in HttpSignatureAlgorithm::ALL {
        assert_eq!(alg.name().parse::<HttpSignatureAlgorithm>().unwrap(), alg);
        assert_eq!(alg.to_string(), alg.name());
        if let Some(a) = alg.asymmetric() {
            assert_eq!(
                HttpSignatureAlgorithm::from_signature_algorithm(a).unwrap(),
                alg
            );
        }
    }
    for bad in ["", "hs256", "rsa-v1_5-sha512", "none"] {
        assert_eq!(
            bad.parse::<HttpSignatureAlgorithm>().unwrap_err().kind(),
            ErrorKind::UnsupportedAlgorithm
        );
    }
    // One spelling: another spelling of a known algorithm is refused, naming the accepted one.
    for (other, alg) in [
        ("HMAC-SHA256", HttpSignatureAlgorithm::HmacSha256),
        ("Ed25519", HttpSignatureAlgorithm::Ed25519),
        (" rsa-pss-sha512", HttpSignatureAlgorithm::RsaPssSha512),
    ] {
        let err = other.parse::<HttpSignatureAlgorithm>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{other}");
        assert!(err.message().contains(alg.name()), "{err}");
    }
    assert_eq!(
        HttpSignatureAlgorithm::from_signature_algorithm(SignatureAlgorithm::RsaPkcs1Sha512)
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedAlgorithm
    );
}

#[test]
fn keys_are_bound_to_one_algorithm() {
    let sha512 = HmacKey::new(Algorithm::HmacSha512, &Secret::new([7u8; 32]).unwrap());
    assert_eq!(
        MessageVerifyingKey::hmac(sha512.clone())
            .unwrap_err()
            .kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    assert_eq!(
        MessageSigner::hmac(sha512.clone()).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
    let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
    for alg in [
        HttpSignatureAlgorithm::HmacSha256,
        HttpSignatureAlgorithm::RsaPssSha512,
        HttpSignatureAlgorithm::EcdsaP256Sha256,
    ] {
        assert_eq!(
            MessageSigner::asymmetric(ed.clone(), alg)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedAlgorithm
        );
        assert_eq!(
            MessageVerifyingKey::public(ed.verifying_key().clone(), alg)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedAlgorithm
        );
    }
    let key =
        MessageVerifyingKey::hmac(hmac().with_key_id(crate::KeyId::new("k1").unwrap())).unwrap();
    let debug = format!("{key:?}");
    assert_eq!(
        debug,
        r#"MessageVerifyingKey { alg: hmac-sha256, kid: Some("k1") }"#
    );
    assert!(!format!("{:?}", signer(&hmac())).contains("0123456789"));
}

#[test]
fn sign_and_verify_with_every_algorithm_family() {
    let req = base_request();
    let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
    let p256 = SigningKey::from_pem(P256_PEM).unwrap();
    for (key, alg) in [
        (&ed, HttpSignatureAlgorithm::Ed25519),
        (&p256, HttpSignatureAlgorithm::EcdsaP256Sha256),
    ] {
        let h = MessageSigner::asymmetric(key.clone(), alg)
            .unwrap()
            .with_created(NOW)
            .with_alg_param(true)
            .with_components(comps(&["@method", "@target-uri", "content-digest"]))
            .unwrap()
            .sign(&req)
            .unwrap();
        // The default keyid is the key's id (its fingerprint).
        assert!(h
            .signature_input()
            .contains(&format!("keyid=\"{}\"", key.key_id())));
        let r = signed(&req, &h);
        let vk = MessageVerifyingKey::public(key.verifying_key().clone(), alg).unwrap();
        let policy = policy_at(NOW).check_content_digest(true);
        let v = UnverifiedMessageSignature::parse(&r, None)
            .unwrap()
            .expect("signature headers")
            .verify(&vk, &policy)
            .unwrap();
        assert_eq!(v.algorithm(), alg);
        assert_eq!(v.alg_param(), Some(alg.name()));
        assert!(v.body_checked());
        // The other family's key is refused by the alg parameter before any signature check.
        let other = if alg == HttpSignatureAlgorithm::Ed25519 {
            MessageVerifyingKey::public(
                p256.verifying_key().clone(),
                HttpSignatureAlgorithm::EcdsaP256Sha256,
            )
        } else {
            MessageVerifyingKey::public(ed.verifying_key().clone(), HttpSignatureAlgorithm::Ed25519)
        }
        .unwrap();
        assert_eq!(
            UnverifiedMessageSignature::parse(&r, None)
                .unwrap()
                .expect("signature headers")
                .verify(&other, &policy)
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedAlgorithm
        );
    }
}

#[test]
fn signer_refusals() {
    let key = hmac();
    let req = base_request();
    for label in ["", "Sig", "1sig", "a b", &"a".repeat(MAX_PARAM_LEN + 1)] {
        assert_eq!(
            signer(&key).with_label(label).unwrap_err().kind(),
            ErrorKind::InvalidValue,
            "{label:?}"
        );
    }
    for text in ["\u{e9}", "a\tb", &"k".repeat(MAX_PARAM_LEN + 1)] {
        assert_eq!(
            signer(&key).with_key_id(text).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            signer(&key).with_nonce(text).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            signer(&key).with_tag(text).unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
    }
    assert_eq!(
        signer(&key).with_nonce("").unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        signer(&key)
            .with_components(comps(&["@method", "@method"]))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidValue
    );
    let many: Vec<Component> = (0..=MAX_COMPONENTS)
        .map(|i| Component::field(&format!("x-{i}")).unwrap())
        .collect();
    assert_eq!(
        signer(&key).with_components(many).unwrap_err().kind(),
        ErrorKind::InvalidValue
    );
    // A component the message lacks, or that does not apply to it, cannot be signed.
    for missing in [
        "x-absent",
        "@status",
        r#""@query-param";name="zz""#,
        r#""x-dict";key="nope""#,
    ] {
        let err = signer(&key)
            .with_components(comps(&[missing]))
            .unwrap()
            .sign(&req)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{missing}");
    }
    assert_eq!(
        signer(&key)
            .with_created(i64::MAX)
            .sign(&req)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidValue
    );
}

#[test]
fn clock_random_nonces_and_relative_expiry() {
    let key = hmac();
    let req = base_request();
    let s = MessageSigner::hmac(key.clone())
        .unwrap()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_expires_in(Duration::from_secs(60))
        .with_random_nonces();
    let a = s.sign(&req).unwrap();
    let b = s.sign(&req).unwrap();
    assert_ne!(a.signature_input(), b.signature_input());
    assert!(a
        .signature_input()
        .starts_with("sig1=();created=1700000000;expires=1700000060;nonce=\""));
    // No keyid: verifiable only by a policy that does not require one.
    let r = signed(&req, &a);
    assert_eq!(
        verify_req(&r, &key, &policy_at(NOW)).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let v = verify_req(&r, &key, &policy_at(NOW).require_key_id(false)).unwrap();
    assert_eq!(v.key_id(), None);
    assert_eq!(v.nonce().map(str::len), Some(22));
    let no_created = MessageSigner::hmac(key.clone())
        .unwrap()
        .without_created()
        .with_key_id("k")
        .unwrap()
        .sign(&req)
        .unwrap();
    assert_eq!(no_created.signature_input(), r#"sig1=();keyid="k""#);
    let r = signed(&req, &no_created);
    assert_eq!(
        verify_req(&r, &key, &policy_at(NOW)).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    verify_req(&r, &key, &policy_at(NOW).require_created(false)).unwrap();
}

/// Phase one answers "no credentials of this scheme" (`Ok(None)`) when neither header is there, as every scheme
/// does; one header without the other is a broken credential (Malformed), refused even though the present header
/// is one a complete request would be accepted with.
#[test]
fn phase_one_is_none_without_signature_headers_and_malformed_with_one() {
    let key = hmac();
    let req = base_request();
    let h = signer(&key).sign(&req).unwrap();
    let policy = policy_at(NOW);
    for label in [None, Some("sig1")] {
        assert!(UnverifiedMessageSignature::parse(&req, label)
            .unwrap()
            .is_none());
    }
    assert!(UnverifiedMessageSignature::parse_for(&req, &policy)
        .unwrap()
        .is_none());
    // The complete pair parses and verifies...
    let both = signed(&req, &h);
    assert!(verify_req(&both, &key, &policy).is_ok());
    // ...each header alone is malformed.
    let input_only = req
        .clone()
        .with_header("Signature-Input", h.signature_input())
        .unwrap();
    let signature_only = req.clone().with_header("Signature", h.signature()).unwrap();
    for alone in [&input_only, &signature_only] {
        assert_eq!(
            UnverifiedMessageSignature::parse(alone, None)
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
        assert_eq!(
            UnverifiedMessageSignature::parse_for(alone, &policy)
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
    }
}

#[test]
fn time_window_boundaries() {
    let key = hmac();
    let req = base_request();
    let h = signer(&key).with_expires(NOW + 100).sign(&req).unwrap();
    let r = signed(&req, &h);
    let at = |now: i64, age: Option<u64>| {
        verify_req(
            &r,
            &key,
            &policy_at(now).with_max_age(age.map(Duration::from_secs)),
        )
        .map(|_| ())
    };
    assert!(at(NOW - 5, None).is_ok());
    assert_eq!(
        at(NOW - 6, None).unwrap_err().kind(),
        ErrorKind::NotYetValid
    );
    assert!(at(NOW + 105, None).is_ok());
    assert_eq!(at(NOW + 106, None).unwrap_err().kind(), ErrorKind::Expired);
    assert!(at(NOW + 35, Some(30)).is_ok());
    assert_eq!(
        at(NOW + 36, Some(30)).unwrap_err().kind(),
        ErrorKind::Expired
    );
    let strict = verify_req(
        &r,
        &key,
        &policy_at(NOW + 31)
            .with_max_age(Some(Duration::from_secs(30)))
            .with_clock_skew(Duration::from_secs(0)),
    );
    assert_eq!(strict.unwrap_err().kind(), ErrorKind::Expired);
    // The default policy has a 300 s max age.
    assert!(verify_req(&r, &key, &policy_at(NOW + 95)).is_ok());
    let h = signer(&key).sign(&req).unwrap();
    let r = signed(&req, &h);
    assert!(verify_req(&r, &key, &policy_at(NOW + 305)).is_ok());
    assert_eq!(
        verify_req(&r, &key, &policy_at(NOW + 306))
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
}

#[test]
fn policy_checks() {
    let key = hmac();
    let req = base_request();
    let h = signer(&key).with_label("app").unwrap().sign(&req).unwrap();
    let r = signed(&req, &h);
    // Label selection.
    assert_eq!(
        UnverifiedMessageSignature::parse_for(&r, &policy_at(NOW).with_label("sig1"))
            .map(|u| u.expect("signature headers"))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    let u = UnverifiedMessageSignature::parse(&r, None)
        .unwrap()
        .expect("signature headers");
    assert_eq!(u.label(), "app");
    assert_eq!(
        u.verify(
            &MessageVerifyingKey::hmac(key.clone()).unwrap(),
            &policy_at(NOW).with_label("other")
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Malformed
    );
    verify_req(&r, &key, &policy_at(NOW).with_label("app")).unwrap();
    // Required components, in any parameter order.
    let p = policy_at(NOW).with_required_components(comps(&["@method", "content-digest"]));
    verify_req(&r, &key, &p).unwrap();
    let p = policy_at(NOW).with_required_components(comps(&["@query"]));
    assert_eq!(
        verify_req(&r, &key, &p).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let p = policy_at(NOW).require_nonce(true);
    assert_eq!(
        verify_req(&r, &key, &p).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // The wrong key.
    let other = HmacKey::new(Algorithm::HmacSha256, &Secret::new([1u8; 32]).unwrap());
    assert_eq!(
        verify_req(&r, &other, &policy_at(NOW)).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
    // verify_with: unknown keys.
    let u = UnverifiedMessageSignature::parse(&r, None)
        .unwrap()
        .expect("signature headers");
    let known = MessageVerifyingKey::hmac(key.clone()).unwrap();
    assert_eq!(
        u.verify_with(&policy_at(NOW), |_| None::<MessageVerifyingKey>)
            .unwrap_err()
            .kind(),
        ErrorKind::UnknownKey
    );
    let v = u
        .verify_with(&policy_at(NOW), |kid| (kid == "k1").then_some(&known))
        .unwrap();
    assert_eq!(v.label(), "app");
    assert!(v.covers(&Component::derived("@path").unwrap()));
    assert!(!v.body_checked());
}

#[test]
fn unknown_parameters_are_signed_and_refused_unless_allowed() {
    let key = hmac();
    let req = base_request();
    // Parameters are re-serialised canonically: a true boolean is written without `=?1`.
    let params = r#"("@method");created=1700000000;keyid="k1";foo"#;
    let base = format!("\"@method\": POST\n\"@signature-params\": {params}");
    let sig = key.sign(base.as_bytes()).to_base64();
    let input = format!("sig1={params}");
    let sig_header = format!("sig1=:{sig}:");
    let r = req
        .clone()
        .with_header("Signature-Input", &input)
        .unwrap()
        .with_header("Signature", &sig_header)
        .unwrap();
    assert_eq!(
        verify_req(&r, &key, &policy_at(NOW)).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    verify_req(&r, &key, &policy_at(NOW).allow_unknown_params(true)).unwrap();
}

#[test]
fn several_signatures_and_header_lines() {
    let key = hmac();
    let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
    let req = base_request();
    let a = signer(&key).sign(&req).unwrap();
    let b = MessageSigner::asymmetric(ed.clone(), HttpSignatureAlgorithm::Ed25519)
        .unwrap()
        .with_label("proxy")
        .unwrap()
        .with_key_id("ed")
        .unwrap()
        .with_created(NOW)
        .with_components(comps(&["@method", "\"signature\";key=\"sig1\""]))
        .unwrap();
    // The proxy signs over the first signature.
    let r1 = signed(&req, &a);
    let b = b.sign(&r1).unwrap();
    let joined_input = format!("{}, {}", a.signature_input(), b.signature_input());
    let r = req
        .clone()
        .with_header("Signature-Input", &joined_input)
        .unwrap()
        .with_header("Signature", a.signature())
        .unwrap()
        .with_header("Signature", b.signature())
        .unwrap();
    let all = UnverifiedMessageSignature::parse_all(&r).unwrap();
    assert_eq!(
        all.iter().map(|u| u.label()).collect::<Vec<_>>(),
        ["sig1", "proxy"]
    );
    let ed_key =
        MessageVerifyingKey::public(ed.verifying_key().clone(), HttpSignatureAlgorithm::Ed25519)
            .unwrap();
    let hm = MessageVerifyingKey::hmac(key.clone()).unwrap();
    for u in &all {
        let k = if u.claimed_key_id() == Some("ed") {
            &ed_key
        } else {
            &hm
        };
        u.verify(k, &policy_at(NOW)).unwrap();
    }
    let proxy = UnverifiedMessageSignature::parse(&r, Some("proxy"))
        .unwrap()
        .expect("signature headers");
    assert_eq!(proxy.covered_components().len(), 2);
    assert_eq!(proxy.claimed_created(), Some(NOW));
    // An extra label in one header only: parse_all and parse(None) refuse, parse(Some) of a shared label works.
    let r = req
        .clone()
        .with_header("Signature-Input", &joined_input)
        .unwrap()
        .with_header("Signature", a.signature())
        .unwrap();
    assert_eq!(
        UnverifiedMessageSignature::parse_all(&r)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        UnverifiedMessageSignature::parse(&r, None)
            .map(|u| u.expect("signature headers"))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    UnverifiedMessageSignature::parse(&r, Some("sig1"))
        .unwrap()
        .expect("signature headers");
    assert_eq!(
        UnverifiedMessageSignature::parse(&r, Some("proxy"))
            .map(|u| u.expect("signature headers"))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn responses_cover_their_request() {
    let key = hmac();
    let req = base_request();
    let resp = Response::new(201)
        .unwrap()
        .with_header("Content-Type", "text/plain")
        .unwrap()
        .with_body(b"ok")
        .for_request(req.clone());
    let h = signer(&key)
        .with_components(comps(&[
            "@status",
            "content-type",
            r#""@method";req"#,
            r#""@query-param";req;name="b%20c""#,
            r#""content-digest";req"#,
        ]))
        .unwrap()
        .sign(&resp)
        .unwrap();
    assert_eq!(
        h.signature_base().lines().take(4).collect::<Vec<_>>(),
        [
            "\"@status\": 201",
            "\"content-type\": text/plain",
            "\"@method\";req: POST",
            "\"@query-param\";req;name=\"b%20c\": x%20y",
        ]
    );
    let signed = resp
        .clone()
        .with_header("Signature-Input", h.signature_input())
        .unwrap()
        .with_header("Signature", h.signature())
        .unwrap();
    let hm = MessageVerifyingKey::hmac(key.clone()).unwrap();
    UnverifiedMessageSignature::parse(&signed, None)
        .unwrap()
        .expect("signature headers")
        .verify(&hm, &policy_at(NOW))
        .unwrap();
    // The request's content-digest is not the response's: the body check needs a plain content-digest.
    assert_eq!(
        UnverifiedMessageSignature::parse(&signed, None)
            .unwrap()
            .expect("signature headers")
            .verify(&hm, &policy_at(NOW).check_content_digest(true))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    // Without the request attached, the ;req components cannot be rebuilt.
    let orphan = Response::new(201)
        .unwrap()
        .with_header("Content-Type", "text/plain")
        .unwrap()
        .with_header("Signature-Input", h.signature_input())
        .unwrap()
        .with_header("Signature", h.signature())
        .unwrap();
    assert_eq!(
        UnverifiedMessageSignature::parse(&orphan, None)
            .unwrap()
            .expect("signature headers")
            .verify(&hm, &policy_at(NOW))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

/// `(r, s)` -> `(r, n - s)` of a fixed-size P-256 signature: the same signature, other bytes.
fn malleate_p256(sig: &[u8]) -> Vec<u8> {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let mut out = sig.to_vec();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(N[i]) - i16::from(sig[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[32 + i] = u8::try_from(d).unwrap();
    }
    out
}

/// Records every value it is given (and refuses none).
#[derive(Default)]
struct Recording(std::sync::Mutex<Vec<Vec<u8>>>);

impl NonceStore for Recording {
    fn check_and_insert(&self, value: &[u8], _: UnixTime, _: UnixTime) -> Result<()> {
        self.0.lock().unwrap().push(value.to_vec());
        Ok(())
    }
}

#[test]
fn seen_signature_mode_refuses_a_re_encoded_ecdsa_signature() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let req = base_request();
    let key = SigningKey::from_pem(P256_PEM).unwrap();
    let alg = HttpSignatureAlgorithm::EcdsaP256Sha256;
    let h = MessageSigner::asymmetric(key.clone(), alg)
        .unwrap()
        .with_created(NOW)
        .with_components(comps(&["@method", "@authority", "@path", "content-digest"]))
        .unwrap()
        .sign(&req)
        .unwrap();
    let original = signed(&req, &h);
    let sig = b64
        .decode(
            h.signature()
                .strip_prefix("sig1=:")
                .and_then(|s| s.strip_suffix(':'))
                .unwrap(),
        )
        .unwrap();
    let other_sig = format!("sig1=:{}:", b64.encode(malleate_p256(&sig)));
    assert_ne!(other_sig, h.signature());
    let malleated = req
        .clone()
        .with_header("Signature-Input", h.signature_input())
        .unwrap()
        .with_header("Signature", &other_sig)
        .unwrap();
    let vk = MessageVerifyingKey::public(key.verifying_key().clone(), alg).unwrap();
    let verify = |r: &Request<'_>, policy: &MessagePolicy| {
        UnverifiedMessageSignature::parse_for(r, policy)?
            .expect("signature headers")
            .verify(&vk, policy)
    };

    // Both encodings verify on their own...
    let fresh = || policy_at(NOW).remember_signatures(true);
    verify(&original, &fresh()).unwrap();
    verify(&malleated, &fresh()).unwrap();
    // ...but once one was seen, the other is a replay, whichever comes first.
    for (first, second) in [(&original, &malleated), (&malleated, &original)] {
        let policy = fresh();
        verify(first, &policy).unwrap();
        assert_eq!(
            verify(second, &policy).unwrap_err().kind(),
            ErrorKind::Replayed
        );
    }

    // The value remembered does not depend on how the signature is encoded: it is the same for both.
    let (a, b) = (
        Arc::new(Recording::default()),
        Arc::new(Recording::default()),
    );
    verify(&original, &fresh().with_nonce_store(a.clone())).unwrap();
    verify(&malleated, &fresh().with_nonce_store(b.clone())).unwrap();
    let (a, b) = (a.0.lock().unwrap().clone(), b.0.lock().unwrap().clone());
    assert_eq!(a.len(), 1);
    assert_eq!(a, b);
    assert!(a[0].starts_with(b"rfc9421-sig:"));
    // It is bound to the key id: another keyid over the same message is another entry.
    let h2 = MessageSigner::asymmetric(key.clone(), alg)
        .unwrap()
        .with_key_id("other")
        .unwrap()
        .with_created(NOW)
        .with_components(comps(&["@method", "@authority", "@path", "content-digest"]))
        .unwrap()
        .sign(&req)
        .unwrap();
    let c = Arc::new(Recording::default());
    verify(&signed(&req, &h2), &fresh().with_nonce_store(c.clone())).unwrap();
    assert_ne!(c.0.lock().unwrap()[0], a[0]);
}

#[test]
fn nonce_store() {
    let key = hmac();
    let req = base_request();
    let store = Arc::new(MemoryNonceStore::new(64));
    let policy = policy_at(NOW).with_nonce_store(store.clone());
    let h = signer(&key).with_nonce("n-1").unwrap().sign(&req).unwrap();
    let r = signed(&req, &h);
    verify_req(&r, &key, &policy).unwrap();
    assert_eq!(
        verify_req(&r, &key, &policy).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // After the signature's life (created + 300 s max age + 5 s skew) it is refused as expired anyway, and the
    // store may forget the nonce.
    let later = policy_at(NOW + 306).with_nonce_store(store.clone());
    assert_eq!(
        verify_req(&r, &key, &later).unwrap_err().kind(),
        ErrorKind::Expired
    );
    // No bound on the signature's life: the nonce is remembered for UNBOUNDED_REPLAY_RETENTION.
    let unbounded = policy.clone().with_max_age(None);
    let h2 = signer(&key).with_nonce("n-2").unwrap().sign(&req).unwrap();
    let r2 = signed(&req, &h2);
    verify_req(&r2, &key, &unbounded).unwrap();
    assert_eq!(
        verify_req(&r2, &key, &unbounded).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    let h3 = signer(&key)
        .with_nonce("n-3")
        .unwrap()
        .with_expires(NOW + 10)
        .sign(&req)
        .unwrap();
    let r3 = signed(&req, &h3);
    verify_req(&r3, &key, &unbounded).unwrap();
    assert_eq!(
        verify_req(&r3, &key, &unbounded).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // A forged signature never reaches the store.
    let before = store.len();
    let forged = HmacKey::new(Algorithm::HmacSha256, &Secret::new([9u8; 32]).unwrap());
    let h4 = signer(&forged)
        .with_nonce("n-4")
        .unwrap()
        .sign(&req)
        .unwrap();
    let r4 = signed(&req, &h4);
    assert_eq!(
        verify_req(&r4, &key, &policy).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
    assert_eq!(store.len(), before);
}

#[test]
fn parser_limits_and_refusals() {
    let key = hmac();
    let req = base_request();
    let good_sig = "sig1=:AAAA:";
    let cases: Vec<(String, String, ErrorKind)> = vec![
        (
            (0..=MAX_LABELS)
                .map(|i| format!("s{i}=()"))
                .collect::<Vec<_>>()
                .join(", "),
            good_sig.into(),
            ErrorKind::TooLarge,
        ),
        (
            format!(
                "sig1=({})",
                (0..=MAX_COMPONENTS)
                    .map(|i| format!("\"x{i}\""))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            good_sig.into(),
            ErrorKind::TooLarge,
        ),
        (
            format!("sig1=();keyid=\"{}\"", "k".repeat(MAX_PARAM_LEN + 1)),
            good_sig.into(),
            ErrorKind::TooLarge,
        ),
        (
            format!("sig1=(\"{}\")", "k".repeat(MAX_PARAM_LEN + 1)),
            good_sig.into(),
            ErrorKind::TooLarge,
        ),
        (
            format!(
                "sig1=(\"x-dict\";key=\"{}\")",
                "k".repeat(MAX_PARAM_LEN + 1)
            ),
            good_sig.into(),
            ErrorKind::TooLarge,
        ),
        (
            "sig1=()".into(),
            format!("sig1=:{}:", "A".repeat((MAX_SIGNATURE_LEN + 3) / 3 * 4)),
            ErrorKind::TooLarge,
        ),
        ("sig1=(".into(), good_sig.into(), ErrorKind::Malformed),
        (
            "sig1=\"@method\"".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=(@method)".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=(\"@method\" \"@method\")".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=(\"Date\")".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=(\"@foo\")".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=();created=\"now\"".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=();created=1.5".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=();keyid=k1".into(),
            good_sig.into(),
            ErrorKind::Malformed,
        ),
        (
            "sig1=()".into(),
            "sig1=\"AAAA\"".into(),
            ErrorKind::Malformed,
        ),
        ("sig1=()".into(), "sig1=::".into(), ErrorKind::Malformed),
        (
            "sig1=()".into(),
            "sig1=(:AAAA:)".into(),
            ErrorKind::Malformed,
        ),
        ("".into(), "".into(), ErrorKind::Malformed),
    ];
    for (input, sig, kind) in cases {
        let r = req
            .clone()
            .with_header("Signature-Input", &input)
            .unwrap()
            .with_header("Signature", &sig)
            .unwrap();
        let got = UnverifiedMessageSignature::parse(&r, None)
            .map(|u| u.expect("signature headers"))
            .and_then(|u| u.verify(&MessageVerifyingKey::hmac(key.clone())?, &policy_at(NOW)));
        assert_eq!(
            got.unwrap_err().kind(),
            kind,
            "{}",
            crate::encoding::clip(&input, 60)
        );
    }
    assert!(
        UnverifiedMessageSignature::parse(&req, None)
            .unwrap()
            .is_none(),
        "no headers at all: not this scheme"
    );
    // Header lines of one name are combined before the length check.
    let half = format!("sig1=(\"{}\")", "a".repeat(MAX_SIGNATURE_HEADER_LEN / 2));
    let other_half = half.replace("sig1", "sig2");
    let r = req
        .clone()
        .with_header("Signature-Input", &half)
        .unwrap()
        .with_header("Signature-Input", &other_half)
        .unwrap()
        .with_header("Signature", good_sig)
        .unwrap();
    assert_eq!(
        UnverifiedMessageSignature::parse(&r, Some("sig1"))
            .map(|u| u.expect("signature headers"))
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Properties.

/// Components that `base_request` (or `base_response`) carries.
const REQUEST_COMPONENTS: &[&str] = &[
    "@method",
    "@target-uri",
    "@authority",
    "@scheme",
    "@request-target",
    "@path",
    "@query",
    r#""@query-param";name="a""#,
    r#""@query-param";name="b%20c""#,
    "content-type",
    "content-digest",
    "date",
    r#""x-dict";sf"#,
    r#""x-dict";key="k""#,
    r#""x-dict";key="z""#,
    r#""x-multi";bs"#,
    "x-multi",
];

fn component_set() -> impl Strategy<Value = Vec<Component>> {
    prop::sample::subsequence(REQUEST_COMPONENTS.to_vec(), 0..=REQUEST_COMPONENTS.len())
        .prop_shuffle()
        .prop_map(|names| comps(&names))
}

#[derive(Debug, Clone)]
struct Params {
    label: String,
    keyid: String,
    created: i64,
    expires: Option<u32>,
    nonce: Option<String>,
    tag: Option<String>,
    alg: bool,
}

fn params() -> impl Strategy<Value = Params> {
    (
        "[a-z][a-z0-9_.*-]{0,12}",
        "[ -~]{1,40}",
        0i64..4_000_000_000,
        proptest::option::of(0u32..100_000),
        proptest::option::of("[!-~]{1,32}"),
        proptest::option::of("[ -~]{0,32}"),
        any::<bool>(),
    )
        .prop_map(|(label, keyid, created, expires, nonce, tag, alg)| Params {
            label,
            keyid,
            created,
            expires,
            nonce,
            tag,
            alg,
        })
}

fn build_signer(key: &HmacKey, c: &[Component], p: &Params) -> MessageSigner {
    let mut s = MessageSigner::hmac(key.clone())
        .unwrap()
        .with_label(&p.label)
        .unwrap()
        .with_key_id(&p.keyid)
        .unwrap()
        .with_created(p.created)
        .with_components(c.to_vec())
        .unwrap()
        .with_alg_param(p.alg);
    if let Some(e) = p.expires {
        s = s.with_expires(p.created + i64::from(e));
    }
    if let Some(n) = &p.nonce {
        s = s.with_nonce(n).unwrap();
    }
    if let Some(t) = &p.tag {
        s = s.with_tag(t).unwrap();
    }
    s
}

fn verify_policy(p: &Params, c: &[Component]) -> MessagePolicy {
    policy_at(p.created)
        .with_label(p.label.clone())
        .with_required_components(c.to_vec())
        .check_content_digest(c.iter().any(|x| x.name() == "content-digest"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn signature_headers_parser_never_panics(input in ".{0,300}", sig in ".{0,200}") {
        let req = base_request();
        // Header values with CR, LF or NUL are refused by the request view itself.
        let Ok(r) = req.with_header("Signature-Input", &input).and_then(|r| r.with_header("Signature", &sig)) else {
            return Ok(());
        };
        if let Err(e) = UnverifiedMessageSignature::parse_all(&r) {
            prop_assert!(matches!(e.kind(), ErrorKind::Malformed | ErrorKind::TooLarge), "{e}");
        }
        match UnverifiedMessageSignature::parse(&r, None).map(|u| u.expect("signature headers")) {
            Ok(u) => {
                let _ = u.signature_base();
                let got = u.verify(&MessageVerifyingKey::hmac(hmac()).unwrap(), &policy_at(NOW));
                prop_assert!(got.is_err());
            }
            Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Malformed | ErrorKind::TooLarge), "{e}"),
        }
    }

    #[test]
    fn signature_headers_parser_never_panics_on_near_miss_syntax(
        input in r#"sig=\(("(@method|@path|@authority|@query|@target-uri|@status|@query-param|@signature-params|content-type|date|x-dict|x-multi|Date|[a-z@-]{1,6})"(;(sf|bs|req|tr|key="[a-z]{1,3}"|name="[a-z%0-9]{1,4}"|[a-z]{1,3}(=[0-9])?))? ?){0,5}\)(;((created|expires)=-?[0-9]{1,12}|(keyid|alg|nonce|tag)="[ -!#-~]{0,8}"|[a-z]{1,5}=(-?[0-9]{1,16}|\?[01]|:[A-Za-z0-9+/=]{0,8}:|[0-9]{1,3}\.[0-9]))){0,6}"#,
        sig in r#"sig=(:([A-Za-z0-9+/]{4}){0,22}([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?:|[a-z0-9"();]{0,12})"#,
    ) {
        let req = base_request();
        let r = req.with_header("Signature-Input", &input).unwrap().with_header("Signature", &sig).unwrap();
        match UnverifiedMessageSignature::parse(&r, None).map(|u| u.expect("signature headers")) {
            Ok(u) => {
                let _ = u.signature_base();
                let got = u.verify(&MessageVerifyingKey::hmac(hmac()).unwrap(), &policy_at(NOW).require_created(false).require_key_id(false));
                prop_assert!(got.is_err());
            }
            Err(e) => prop_assert!(matches!(e.kind(), ErrorKind::Malformed | ErrorKind::TooLarge), "{e}"),
        }
    }

    #[test]
    fn content_digest_parser_never_panics(value in ".{0,300}", body in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Err(e) = verify_content_digest(&value, &body) {
            prop_assert!(matches!(
                e.kind(),
                ErrorKind::Malformed | ErrorKind::TooLarge | ErrorKind::UnsupportedAlgorithm | ErrorKind::BadSignature
            ), "{e}");
        }
    }

    #[test]
    fn content_digest_parser_never_panics_on_near_miss_syntax(
        value in r#"(sha-(256|512)|md5|[a-z]{1,6})=(:([A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{86}==|[A-Za-z0-9+/=]{0,12}):|[0-9]{1,3}|"[a-z]{0,4}"|\([a-z ]{0,6}\))(, ?(sha-(256|512)|[a-z]{1,4})=:([A-Za-z0-9+/]{43}=|[A-Za-z0-9+/=]{0,12}):){0,3}"#,
    ) {
        if let Err(e) = verify_content_digest(&value, BODY) {
            prop_assert!(matches!(
                e.kind(),
                ErrorKind::Malformed | ErrorKind::UnsupportedAlgorithm | ErrorKind::BadSignature
            ), "{e}");
        }
    }

    #[test]
    fn content_digest_round_trip(body in prop::collection::vec(any::<u8>(), 0..512), which in 0usize..3, flip in any::<prop::sample::Index>()) {
        let algs: &[DigestAlgorithm] = match which {
            0 => &[DigestAlgorithm::Sha256],
            1 => &[DigestAlgorithm::Sha512],
            _ => &[DigestAlgorithm::Sha512, DigestAlgorithm::Sha256],
        };
        let value = content_digest(&body, algs).unwrap();
        prop_assert_eq!(verify_content_digest(&value, &body).unwrap(), algs.to_vec());
        let mut altered = body.clone();
        if altered.is_empty() {
            altered.push(0);
        } else {
            let i = flip.index(altered.len());
            altered[i] ^= 0x01;
        }
        prop_assert_eq!(verify_content_digest(&value, &altered).unwrap_err().kind(), ErrorKind::BadSignature);
    }

    #[test]
    fn sign_verify_round_trip(c in component_set(), p in params(), secret in prop::collection::vec(any::<u8>(), 16..64)) {
        let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(secret).unwrap());
        let req = base_request();
        let h = build_signer(&key, &c, &p).sign(&req).unwrap();
        prop_assert_eq!(h.signature_base().lines().count(), c.len() + 1);
        let r = signed(&req, &h);
        let u = UnverifiedMessageSignature::parse(&r, None).unwrap().expect("signature headers");
        prop_assert_eq!(u.covered_components(), c.as_slice());
        prop_assert_eq!(u.signature_base().unwrap(), h.signature_base());
        prop_assert_eq!(u.claimed_key_id(), Some(p.keyid.as_str()));
        prop_assert_eq!(u.claimed_nonce(), p.nonce.as_deref());
        prop_assert_eq!(u.claimed_tag(), p.tag.as_deref());
        let v = verify_req(&r, &key, &verify_policy(&p, &c)).unwrap();
        prop_assert_eq!(v.label(), p.label.as_str());
        prop_assert_eq!(v.created(), Some(p.created));
        prop_assert_eq!(v.expires(), p.expires.map(|e| p.created + i64::from(e)));
        prop_assert_eq!(v.covered_components(), c.as_slice());
        // The same signature through an Ed25519 key is refused (wrong algorithm or bad signature).
        let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
        let edk = MessageVerifyingKey::public(ed.verifying_key().clone(), HttpSignatureAlgorithm::Ed25519).unwrap();
        prop_assert!(u.verify(&edk, &verify_policy(&p, &c)).is_err());
    }

    #[test]
    fn response_round_trip_with_ed25519(c in component_set(), status in 100u16..1000, p in params()) {
        let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
        let req = base_request();
        let resp = Response::new(status).unwrap().with_header("Content-Type", "text/plain").unwrap().for_request(req);
        let mut all = vec![Component::derived("@status").unwrap(), Component::field("content-type").unwrap()];
        all.extend(c.into_iter().map(|x| x.with_req().unwrap()));
        let h = MessageSigner::asymmetric(ed.clone(), HttpSignatureAlgorithm::Ed25519).unwrap()
            .with_label(&p.label).unwrap()
            .with_key_id(&p.keyid).unwrap()
            .with_created(p.created)
            .with_components(all.clone()).unwrap()
            .sign(&resp).unwrap();
        let signed = resp.clone().with_header("Signature-Input", h.signature_input()).unwrap()
            .with_header("Signature", h.signature()).unwrap();
        let key = MessageVerifyingKey::public(ed.verifying_key().clone(), HttpSignatureAlgorithm::Ed25519).unwrap();
        let policy = policy_at(p.created).with_required_components(all);
        UnverifiedMessageSignature::parse_for(&signed, &policy).unwrap().expect("signature headers").verify(&key, &policy).unwrap();
    }

    #[test]
    fn any_one_byte_change_to_a_covered_field_is_refused(
        c in component_set(),
        p in params(),
        which in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".to_vec()),
    ) {
        // A `;key` component covers one dictionary member only; the others cover the whole field.
        let fields: Vec<&Component> =
            c.iter().filter(|x| !x.is_derived() && x.dictionary_key().is_none()).collect();
        prop_assume!(!fields.is_empty());
        let key = hmac();
        let req = base_request();
        let h = build_signer(&key, &c, &p).sign(&req).unwrap();
        let target = fields[which.index(fields.len())].name().to_string();
        // Rebuild the request with one byte of one line of the covered field changed.
        let lines: Vec<(usize, &str)> = req.headers().lines().iter().enumerate()
            .filter(|(_, (n, _))| n.eq_ignore_ascii_case(&target)).map(|(i, (_, v))| (i, *v)).collect();
        let (line, value) = lines[pos.index(lines.len())];
        let mut bytes = value.as_bytes().to_vec();
        // Change a byte that is not surrounding whitespace (trimmed away), to another letter or digit.
        let inner: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] != b' ').collect();
        let i = inner[pos.index(inner.len())];
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        let mut r = Request::new("POST", "https://api.example.com/v1/w?a=1&b%20c=x+y").unwrap().with_body(BODY);
        for (j, (n, v)) in req.headers().lines().iter().enumerate() {
            r = r.with_header(n, if j == line { &changed } else { v }).unwrap();
        }
        let r = signed(&r, &h);
        let policy = verify_policy(&p, &c).check_content_digest(false);
        let err = verify_req(&r, &key, &policy).unwrap_err();
        // Usually a bad signature; a change that breaks a structured field or removes a dictionary member is
        // malformed.
        prop_assert!(matches!(err.kind(), ErrorKind::BadSignature | ErrorKind::Malformed), "{err}");
    }

    #[test]
    fn any_one_byte_change_to_the_signature_headers_is_refused(
        c in component_set(),
        p in params(),
        in_input in any::<bool>(),
        pos in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        let key = hmac();
        let req = base_request();
        let h = build_signer(&key, &c, &p).sign(&req).unwrap();
        let original = if in_input { h.signature_input() } else { h.signature() };
        let mut bytes = original.as_bytes().to_vec();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        let (input, sig) = if in_input { (changed.as_str(), h.signature()) } else { (h.signature_input(), changed.as_str()) };
        let r = req.clone().with_header("Signature-Input", input).unwrap().with_header("Signature", sig).unwrap();
        let policy = verify_policy(&p, &c);
        let got = verify_req(&r, &key, &policy);
        // A change that only rewrites the encoding of the same value (a base64 pad bit, the `:` of an empty
        // trailing position) can leave the decoded signature as it was; everything else must fail.
        if let Ok(v) = got {
            let reparsed = UnverifiedMessageSignature::parse(&r, None).unwrap().expect("signature headers");
            let orig = signed(&req, &h);
            let orig = UnverifiedMessageSignature::parse(&orig, None).unwrap().expect("signature headers");
            prop_assert_eq!(reparsed.signature_params(), orig.signature_params());
            prop_assert_eq!(&reparsed.signature, &orig.signature, "{:?}", v);
        }
    }
}

#[test]
fn a_body_must_be_covered_and_match_under_require_body_digest() {
    let key = hmac();
    let policy = policy_at(NOW).require_body_digest(true);
    // A POST whose body is covered and matches: accepted, and the body was checked.
    let req = base_request();
    let h = signer(&key).sign(&req).unwrap();
    let v = verify_req(&signed(&req, &h), &key, &policy).unwrap();
    assert!(v.body_checked());
    // The same POST signed without content-digest: refused (it is accepted when the policy does not ask).
    let bare = signer(&key)
        .with_components(comps(&["@method", "@authority", "@path"]))
        .unwrap();
    let h = bare.sign(&req).unwrap();
    let err = verify_req(&signed(&req, &h), &key, &policy).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(
        err.message().contains("content-digest"),
        "{}",
        err.message()
    );
    assert!(!verify_req(&signed(&req, &h), &key, &policy_at(NOW))
        .unwrap()
        .body_checked());
    // Covered, but the body changed after signing: the digest no longer matches.
    let h = signer(&key).sign(&req).unwrap();
    let tampered = signed(&req, &h).with_body(br#"{"id": 43}"#);
    assert_eq!(
        verify_req(&tampered, &key, &policy).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
    // A GET without a body needs no digest.
    let get = Request::new("GET", "https://api.example.com/v1/w")
        .unwrap()
        .with_header("Host", "api.example.com")
        .unwrap();
    let h = bare.sign(&get).unwrap();
    let v = verify_req(&signed(&get, &h), &key, &policy).unwrap();
    assert!(!v.body_checked());
    assert!(policy.describe().contains(" require_body_digest=on "));
    assert!(policy_at(NOW)
        .describe()
        .contains(" require_body_digest=off "));
}

/// The reader before sfv's visitor parser (two owned `sfv::Dictionary` trees, members copied out of them), kept as
/// the oracle of `differential` below: the visitor reader must keep, refuse and serialise exactly as it did.
mod owned_tree_oracle {
    use super::*;
    use sfv::{ListEntry, Parser};

    /// What a read signature is: label, components, serialised parameters, signature bytes, parameters.
    pub(super) type Read = (String, Vec<Component>, String, Vec<u8>, SigParams);

    fn dict(value: &str, name: &str) -> Result<sfv::Dictionary> {
        let dict: sfv::Dictionary = Parser::new(value).parse().map_err(|_| {
            Error::malformed(format!(
                "the {name} header is not a structured field dictionary"
            ))
        })?;
        if dict.len() > MAX_LABELS {
            return Err(Error::too_large("labels", MAX_LABELS));
        }
        Ok(dict)
    }

    fn headers(m: &HttpMessage<'_>) -> Result<(sfv::Dictionary, sfv::Dictionary)> {
        let i = dict(&bounded_header(m, "Signature-Input")?, "Signature-Input")?;
        let s = dict(&bounded_header(m, "Signature")?, "Signature")?;
        Ok((i, s))
    }

    fn same_labels(i: &sfv::Dictionary, s: &sfv::Dictionary) -> Result<()> {
        if i.len() == s.len() && i.keys().all(|k| s.contains_key(k)) {
            Ok(())
        } else {
            Err(Error::malformed("different labels"))
        }
    }

    fn read(i: &sfv::Dictionary, s: &sfv::Dictionary, label: &str) -> Result<Read> {
        let find = |d: &'_ sfv::Dictionary| -> Option<ListEntry> {
            d.iter()
                .find(|(k, _)| k.as_str() == label)
                .map(|(_, v)| v.clone())
        };
        let input = find(i).ok_or_else(|| Error::malformed("no label in Signature-Input"))?;
        let signature = find(s).ok_or_else(|| Error::malformed("no label in Signature"))?;
        let ListEntry::InnerList(list) = &input else {
            return Err(Error::malformed("not an inner list"));
        };
        if list.items.len() > MAX_COMPONENTS {
            return Err(Error::too_large("components", MAX_COMPONENTS));
        }
        let components = list
            .items
            .iter()
            .map(|item| {
                Component::from_sf_item(
                    RefBareItem::from(&item.bare_item),
                    item.params
                        .iter()
                        .map(|(k, v)| (k.as_ref(), RefBareItem::from(v))),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        check_components(&components, ErrorKind::Malformed)?;
        let params = SigParams::from_sf(
            list.params
                .iter()
                .map(|(k, v)| (k.as_ref(), RefBareItem::from(v))),
        )?;
        let mut ser = sfv::ListSerializer::new();
        ser.members(std::iter::once(&input));
        let serialized = ser.finish().unwrap_or_default();
        let bytes = match &signature {
            ListEntry::Item(item) => item.bare_item.as_byte_sequence(),
            ListEntry::InnerList(_) => None,
        }
        .ok_or_else(|| Error::malformed("not a byte sequence"))?;
        if bytes.len() > MAX_SIGNATURE_LEN {
            return Err(Error::too_large("signature", MAX_SIGNATURE_LEN));
        }
        if bytes.is_empty() {
            return Err(Error::malformed("empty"));
        }
        Ok((
            label.to_string(),
            components,
            serialized,
            bytes.to_vec(),
            params,
        ))
    }

    pub(super) fn parse(m: &Request<'_>, label: Option<&str>) -> Result<Read> {
        let m = HttpMessage::from(m);
        let (i, s) = headers(&m)?;
        let label = match label {
            Some(l) => l.to_string(),
            None => {
                same_labels(&i, &s)?;
                i.keys()
                    .next()
                    .map(|k| k.as_str().to_string())
                    .ok_or_else(|| Error::malformed("no signature"))?
            }
        };
        read(&i, &s, &label)
    }

    pub(super) fn parse_all(m: &Request<'_>) -> Result<Vec<Read>> {
        let m = HttpMessage::from(m);
        let (i, s) = headers(&m)?;
        same_labels(&i, &s)?;
        if i.is_empty() {
            return Err(Error::malformed("no signature"));
        }
        i.keys().map(|l| read(&i, &s, l.as_str())).collect()
    }
}

fn as_read(u: &UnverifiedMessageSignature<'_>) -> owned_tree_oracle::Read {
    (
        u.label().to_string(),
        u.covered_components().to_vec(),
        u.signature_params().to_string(),
        u.claimed_signature().to_vec(),
        (*u.params).clone(),
    )
}

fn same_outcome<T: PartialEq + std::fmt::Debug>(
    got: Result<T>,
    want: Result<T>,
) -> std::result::Result<(), TestCaseError> {
    match (got, want) {
        (Ok(g), Ok(w)) => prop_assert_eq!(g, w),
        (Err(g), Err(w)) => prop_assert_eq!(g.kind(), w.kind(), "{} / {}", g, w),
        (g, w) => prop_assert!(false, "visitor reader {g:?}, owned trees {w:?}"),
    }
    Ok(())
}

/// Members that exercise RFC 9651's repeated keys (first position, last value), items where inner lists belong,
/// refused component identifiers and parameters, and every label position.
fn input_member() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec!["a", "b", "sig1"]);
    let valid = prop::sample::select(vec![
        r#""@method""#,
        r#""@path""#,
        r#""@authority""#,
        r#""content-digest""#,
        r#""date""#,
        r#""x-dict";key="k""#,
        r#""x-dict";key="k";key="z""#,
        r#""x-dict";sf;sf=?1"#,
        r#""@query-param";name="a""#,
        r#""@query-param";name="a";name="b%20c""#,
        r#""x-multi";bs"#,
    ]);
    let refused = prop::sample::select(vec![
        r#""@nope""#,
        r#""Date""#,
        r#""x-multi";tr"#,
        r#""date";req=?0;req"#,
        "tok",
        "1",
    ]);
    let item = prop_oneof![12 => valid, 1 => refused];
    let refused_param = prop::sample::select(vec![";created=\"x\"", ";keyid=1"]);
    let param = prop::sample::select(vec![
        ";created=1700000000",
        ";created=1699999999",
        ";keyid=\"k1\"",
        ";keyid=\"k2\"",
        ";alg=\"hmac-sha256\"",
        ";nonce=\"n\"",
        ";tag=\"t\"",
        ";foo=1.5",
        ";bar=:AAAA:",
        ";expires=1700000300",
        ";expires=-0042",
        ";tag=\"a\\\"b\\\\c\"",
        ";tok=a:b/c",
        ";flag=?0",
        ";flag",
        ";when=@1700000000",
        ";ds=%\"caf%c3%a9\"",
        ";big=999999999999999",
    ]);
    let param = prop_oneof![16 => param, 1 => refused_param];
    let value = prop_oneof![
        12 => (prop::collection::vec(item, 0..4), prop::collection::vec(param, 0..5))
            .prop_map(|(items, params)| format!("({}){}", items.join(" "), params.concat())),
        1 => Just(":AAAA:".to_string()),
        1 => Just("1;created=2".to_string()),
    ];
    prop_oneof![
        12 => (label.clone(), value).prop_map(|(l, v)| format!("{l}={v}")),
        1 => label.prop_map(str::to_string),
    ]
}

fn signature_member() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec!["a", "b", "sig1"]);
    let value = prop::sample::select(vec![
        ":AAAA:",
        ":/w==:",
        "::",
        "1",
        "(:AAAA:)",
        ":AAAA:;p=1",
        "\"s\"",
    ]);
    prop_oneof![
        6 => (label.clone(), value).prop_map(|(l, v)| format!("{l}={v}")),
        1 => label.prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The visitor reader keeps, refuses (with the same error kind) and serialises every member exactly as the
    /// owned-tree reader it replaced.
    #[test]
    fn differential_against_the_owned_tree_reader(
        inputs in prop::collection::vec(input_member(), 0..5),
        signatures in prop::collection::vec(signature_member(), 0..5),
        label_choice in 0usize..5,
        bad_syntax in prop::bool::weighted(0.1),
        matching in prop::bool::weighted(0.7),
    ) {
        let label_of = |m: &String| m.split(['=', ';']).next().unwrap_or("a").to_string();
        // None, the first or the last label of Signature-Input, or one that no header has.
        let label = match label_choice {
            0 | 1 => None,
            2 => inputs.first().map(label_of),
            3 => inputs.last().map(label_of),
            _ => Some("zz".to_string()),
        };
        let label = label.as_deref();
        let mut si = inputs.join(", ");
        if bad_syntax {
            si.push_str(", ,");
        }
        // Mostly a Signature with the same labels (each with a byte sequence), so that most reads succeed.
        let sig = if matching {
            inputs
                .iter()
                .map(|m| format!("{}=:AAAA:", label_of(m)))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            signatures.join(", ")
        };
        let req = base_request()
            .with_header("Signature-Input", &si)
            .unwrap()
            .with_header("Signature", &sig)
            .unwrap();
        same_outcome(
            UnverifiedMessageSignature::parse(&req, label)
                .map(|u| as_read(&u.expect("signature headers"))),
            owned_tree_oracle::parse(&req, label),
        )?;
        same_outcome(
            UnverifiedMessageSignature::parse_all(&req).map(|all| all.iter().map(as_read).collect()),
            owned_tree_oracle::parse_all(&req),
        )?;
    }

    /// More labels than MAX_LABELS (some repeated) are too large, unless the header is malformed first.
    #[test]
    fn differential_label_counts(n in 10usize..20, repeat in 0usize..4, bad_syntax in any::<bool>()) {
        let mut labels: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        labels.extend((0..repeat).map(|i| format!("s{i}")));
        let mut si = labels.iter().map(|l| format!("{l}=(\"@method\");created=1")).collect::<Vec<_>>().join(", ");
        if bad_syntax {
            si.push_str(", =");
        }
        let sig = labels.iter().map(|l| format!("{l}=:AAAA:")).collect::<Vec<_>>().join(", ");
        let req = base_request()
            .with_header("Signature-Input", &si)
            .unwrap()
            .with_header("Signature", &sig)
            .unwrap();
        same_outcome(
            UnverifiedMessageSignature::parse(&req, None).map(|u| as_read(&u.expect("signature headers"))),
            owned_tree_oracle::parse(&req, None),
        )?;
        same_outcome(
            UnverifiedMessageSignature::parse_all(&req).map(|all| all.iter().map(as_read).collect()),
            owned_tree_oracle::parse_all(&req),
        )?;
    }

    /// Content-Digest read by the visitor agrees with an owned dictionary: repeated keys, members that are not
    /// byte sequences, unknown members.
    #[test]
    fn differential_content_digest(
        members in prop::collection::vec(prop::sample::select(vec![
            "sha-256=:I9VHm6G0FBLxymEZQ5AVf5clS5Z6LtrI8PcuUM3KWes=:",
            "sha-256=:AAAA:",
            "sha-256=1",
            "sha-256",
            "sha-256=(:AAAA:)",
            "sha-512=:AAAA:",
            "sha-512=\"x\"",
            "md5=:AAAA:",
            "unixsum=(1 2)",
        ]), 0..5),
    ) {
        let value = members.join(", ");
        let oracle = || -> Result<Vec<DigestAlgorithm>> {
            let dict: sfv::Dictionary = sfv::Parser::new(&value)
                .parse()
                .map_err(|_| Error::malformed("not a dictionary"))?;
            let mut checked = Vec::new();
            for (name, entry) in &dict {
                let Ok(alg) = name.as_str().parse::<DigestAlgorithm>() else { continue };
                let received = match entry {
                    sfv::ListEntry::Item(item) => item.bare_item.as_byte_sequence(),
                    sfv::ListEntry::InnerList(_) => None,
                }
                .ok_or_else(|| Error::malformed("not bytes"))?;
                if alg.digest(BODY) != received {
                    return Err(Error::bad_signature());
                }
                checked.push(alg);
            }
            if checked.is_empty() {
                return Err(Error::new(ErrorKind::UnsupportedAlgorithm, "none"));
            }
            Ok(checked)
        };
        same_outcome(verify_content_digest(&value, BODY), oracle())?;
    }
}

/// Every kind of parameter value re-serialises as sfv serialises it (the simple kinds are written by hand, the
/// others by sfv): a non-canonical input (`-0042`, `?1`, `sf=?1`) comes out canonical, and both readers agree.
#[test]
fn signature_params_of_every_kind_serialise_as_sfv_does() {
    for (si, want) in [
        (
            r#"a=("@method" "x-dict";key="k";sf=?1);created=-0042;keyid="a\"b\\c";tok=a:b/c;f=?0;t=?1"#,
            r#"("@method" "x-dict";key="k";sf);created=-42;keyid="a\"b\\c";tok=a:b/c;f=?0;t"#,
        ),
        (
            r#"a=("@path");d=1.50;b=:AAAA:;w=@1700000000;s=%"caf%c3%a9";created=1"#,
            r#"("@path");d=1.5;b=:AAAA:;w=@1700000000;s=%"caf%c3%a9";created=1"#,
        ),
    ] {
        let req = base_request()
            .with_header("Signature-Input", si)
            .unwrap()
            .with_header("Signature", "a=:AAAA:")
            .unwrap();
        let got = UnverifiedMessageSignature::parse(&req, Some("a"))
            .unwrap()
            .unwrap();
        assert_eq!(got.signature_params(), want);
        assert_eq!(
            as_read(&got),
            owned_tree_oracle::parse(&req, Some("a")).unwrap()
        );
    }
}
