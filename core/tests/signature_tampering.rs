//! Every scheme refuses a tampered signature on a credential that is otherwise valid (issue 21): for each one, the
//! genuine credential is accepted, then the same credential with its signature emptied, shortened by one byte, cut
//! by one character of its text form and with any one byte changed is refused with the exact error kind. Only the
//! signature differs, so the kind can only come from the signature check (or, for an empty signature, from the
//! parse rule that documents it).

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::engine::GeneralPurpose;
use base64::Engine as _;
use common::{s, vectors_dir};
use countermark::http::message_signatures::Component;
use countermark::http::{fost, hmac_header, Request};
use countermark::jwt::{Policy as JwtPolicy, Token};
use countermark::signed::{Expiry, Extra, Failure, UrlSigner};
use countermark::{
    Algorithm, ApiSecret, ErrorKind, FixedClock, FostSigner, FostUrlSigner, HmacHeaderSigner,
    HmacKey, HttpSignatureAlgorithm, MessagePolicy, MessageSigner, MessageVerifyingKey, Secret,
    SigningKey, Tokens, UnverifiedJwt, UnverifiedMessageSignature, VerifyingKey,
};
use serde_json::Value as Json;

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"tampering-suite-secret-0123456789";

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_secs(NOW))
}

fn secret() -> Secret {
    Secret::new(SECRET.to_vec()).unwrap()
}

/// How a scheme answered one presented credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    Accepted,
    /// The parser's documented `Ok(None)`: not a credential of this scheme, so nothing is authenticated.
    NotThisScheme,
    Refused(ErrorKind),
}

fn got<T>(r: countermark::Result<Option<T>>) -> Got {
    match r {
        Ok(Some(_)) => Got::Accepted,
        Ok(None) => Got::NotThisScheme,
        Err(e) => Got::Refused(e.kind()),
    }
}

/// The tampered forms of a signature: (what was done, the new text).
struct Variants {
    empty: String,
    /// One byte shorter, re-encoded in the same form.
    short: String,
    /// The text form without its last data character (and without its `=` padding, whose absence alone is no
    /// change to the bytes: RFC 8941 Byte Sequences may leave it out).
    cut: String,
    /// Each byte changed in turn (one bit flipped), re-encoded.
    changed: Vec<String>,
}

impl Variants {
    fn all(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("empty", &self.empty),
            ("short", &self.short),
            ("cut", &self.cut),
        ]
        .into_iter()
        .chain(self.changed.iter().map(|c| ("changed", c)))
    }
}

fn variants(
    text: &str,
    decode: impl Fn(&str) -> Vec<u8>,
    encode: impl Fn(&[u8]) -> String,
) -> Variants {
    let bytes = decode(text);
    assert_eq!(encode(&bytes), text, "the signature's own encoding");
    assert!(bytes.len() >= 16, "{text}");
    let changed = (0..bytes.len())
        .map(|i| {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            encode(&b)
        })
        .collect();
    Variants {
        empty: String::new(),
        short: encode(&bytes[..bytes.len() - 1]),
        cut: {
            let data = text.trim_end_matches('=');
            data[..data.len() - 1].to_string()
        },
        changed,
    }
}

fn b64_variants(text: &str, engine: GeneralPurpose) -> Variants {
    variants(text, |t| engine.decode(t).unwrap(), |b| engine.encode(b))
}

fn hex_variants(text: &str) -> Variants {
    let decode = |t: &str| {
        (0..t.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&t[i..i + 2], 16).unwrap())
            .collect()
    };
    let encode = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    variants(text, decode, encode)
}

/// Runs `check` on the genuine signature (must be accepted) and on every variant (must give `want(variant name)`).
fn assert_tampering(
    scheme: &str,
    genuine: &str,
    variants: &Variants,
    check: impl Fn(&str) -> Got,
    want: impl Fn(&str) -> Got,
) {
    assert_eq!(
        check(genuine),
        Got::Accepted,
        "{scheme}: the genuine credential"
    );
    let mut n = 0;
    for (what, sig) in variants.all() {
        assert_ne!(sig, genuine, "{scheme}: {what}");
        assert_eq!(check(sig), want(what), "{scheme}: {what} signature {sig:?}");
        n += 1;
    }
    assert!(n >= 3 + 16, "{scheme}: {n} variants");
}

#[test]
fn handshake_tokens() {
    for alg in [
        Algorithm::HmacSha1,
        Algorithm::HmacSha256,
        Algorithm::HmacSha512,
    ] {
        let tokens = Tokens::new(HmacKey::new(alg, &secret())).with_clock(clock());
        let token = tokens.create(&["alice", "42"]).unwrap();
        let (message, sig) = token.rsplit_once(':').unwrap();
        let check = |sig: &str| {
            got(tokens
                .verify(&format!("{message}:{sig}"), Some(Duration::from_secs(300)))
                .map(Some))
        };
        assert_tampering(
            &format!("handshake {alg:?}"),
            sig,
            &hex_variants(sig),
            check,
            |_| Got::Refused(ErrorKind::BadSignature),
        );
    }
}

fn ska_signer() -> UrlSigner {
    UrlSigner::new(HmacKey::new(Algorithm::HmacSha256, &secret())).with_clock(clock())
}

/// ska's validation refuses with a list of failures; a wrong signature alone is exactly `[InvalidSignature]`.
fn ska_got(r: Result<countermark::signed::SignedData, countermark::signed::Rejection>) -> Got {
    match r {
        Ok(_) => Got::Accepted,
        Err(rejection) => {
            assert_eq!(rejection.failures(), [Failure::InvalidSignature]);
            Got::Refused(countermark::Error::from(rejection).kind())
        }
    }
}

#[test]
fn ska_signed_data() {
    let signer = ska_signer();
    let extra = Extra::from_pairs([("email", "a@example.com"), ("n", "1")]).unwrap();
    let signature = signer
        .generate("alice", Expiry::Lifetime(Duration::from_secs(600)), &extra)
        .unwrap();
    let dict = signature.to_dict(signer.param_names());
    let genuine = signature.signature().to_string();
    let check = |sig: &str| {
        let params: Vec<(&str, &str)> = dict
            .iter()
            .map(|(k, v)| {
                if *k == "signature" {
                    (k.as_str(), sig)
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        ska_got(signer.validate(&params))
    };
    assert_tampering(
        "ska data",
        &genuine,
        &b64_variants(&genuine, STANDARD),
        check,
        |_| Got::Refused(ErrorKind::BadSignature),
    );
    // No signature parameter at all: the same refusal.
    let without: Vec<(&str, &str)> = dict
        .iter()
        .filter(|(k, _)| k != "signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        ska_got(signer.validate(&without)),
        Got::Refused(ErrorKind::BadSignature)
    );
}

/// `quote_plus` of a base64 signature.
fn quote_b64(sig: &str) -> String {
    sig.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[test]
fn ska_signed_urls() {
    let signer = ska_signer();
    let url = signer
        .sign_url(
            "https://e.com/download",
            "alice",
            Expiry::Lifetime(Duration::from_secs(600)),
            &Extra::from_pairs([("file", "a b.txt")]).unwrap(),
        )
        .unwrap();
    let data = signer.validate_url(&url).unwrap();
    let genuine = signer
        .generate(
            data.auth_user(),
            Expiry::At(countermark::signed::ValidUntil::Text(
                data.valid_until().into(),
            )),
            &Extra::from_pairs([("file", "a b.txt")]).unwrap(),
        )
        .unwrap()
        .signature()
        .to_string();
    let quoted = format!("signature={}&", quote_b64(&genuine));
    assert!(url.contains(&quoted), "{url}");
    let check = |sig: &str| {
        ska_got(
            signer.validate_url(&url.replace(&quoted, &format!("signature={}&", quote_b64(sig)))),
        )
    };
    assert_tampering(
        "ska URL",
        &genuine,
        &b64_variants(&genuine, STANDARD),
        check,
        |_| Got::Refused(ErrorKind::BadSignature),
    );
    // The audit's forgery: `signature=` present and empty, everything else genuine.
    let empty = url.replace(&quoted, "signature=&");
    assert_eq!(
        signer.validate_url(&empty).unwrap_err().failures(),
        [Failure::InvalidSignature]
    );
}

#[test]
fn fost_requests() {
    let key = fost::hmac_key(&secret());
    let req = Request::new("POST", "/api/pay?x=1")
        .unwrap()
        .with_authority("https", "example.com")
        .with_header("X-FOST-User", "alice")
        .unwrap()
        .with_body(b"amount=10");
    let sig = FostSigner::new("k", key.clone())
        .unwrap()
        .with_clock(clock())
        .sign(&req, &["X-FOST-User"])
        .unwrap();
    let policy = fost::Policy::new(clock());
    let genuine = sig.signature().to_string();
    let check = |s: &str| {
        let authorization = format!("FOST k:{s}");
        let mut r = req.clone();
        for (name, value) in sig.headers() {
            let value = if name.eq_ignore_ascii_case("authorization") {
                authorization.as_str()
            } else {
                value
            };
            r = r.with_header(name, value).unwrap();
        }
        got(fost::parse(&r).and_then(|u| u.map(|u| u.verify(&key, &policy)).transpose()))
    };
    assert_tampering(
        "FOST request",
        &genuine,
        &b64_variants(&genuine, STANDARD),
        check,
        // `FOST k:` (nothing after the colon) is not a FOST header (module docs, server rules).
        |what| match what {
            "empty" => Got::NotThisScheme,
            _ => Got::Refused(ErrorKind::BadSignature),
        },
    );
}

#[test]
fn fost_urls() {
    let key = fost::hmac_key(&secret());
    let signed = FostUrlSigner::new("k", key.clone())
        .unwrap()
        .sign("https://example.com/file?a=1", Some(NOW + 60))
        .unwrap();
    let genuine = signed.signature().to_string();
    let quoted = format!("&_s={}", quote_b64(&genuine));
    assert!(signed.url().ends_with(&quoted), "{}", signed.url());
    let policy = fost::Policy::new(clock());
    let check = |s: &str| {
        let url = signed
            .url()
            .replace(&quoted, &format!("&_s={}", quote_b64(s)));
        let r = Request::new("GET", &url).unwrap();
        got(fost::parse_url(&r).and_then(|u| u.map(|u| u.verify(&key, &policy)).transpose()))
    };
    assert_tampering(
        "FOST URL",
        &genuine,
        &b64_variants(&genuine, STANDARD),
        check,
        // An empty `_s` is malformed (parse_url's documented error).
        |what| match what {
            "empty" => Got::Refused(ErrorKind::Malformed),
            _ => Got::Refused(ErrorKind::BadSignature),
        },
    );
}

#[test]
fn hmac_headers() {
    let api = ApiSecret::from_secret(secret());
    let policy = hmac_header::Policy::new(Arc::new(FixedClock::at_secs(NOW + 1)));
    for alg in [
        Algorithm::HmacSha256,
        Algorithm::HmacSha384,
        Algorithm::HmacSha512,
    ] {
        let body = br#"{"amount": 10, "to": "bob"}"#;
        let req = Request::new("POST", "/api/pay")
            .unwrap()
            .with_header("Content-Type", "application/json")
            .unwrap()
            .with_body(body);
        let signed = HmacHeaderSigner::new("k", api.key(alg).unwrap())
            .unwrap()
            .sign_at(
                &hmac_header::Body::from_request(&req).unwrap(),
                "2023-11-14T22:13:20+00:00",
            )
            .unwrap();
        let genuine = signed.signature().to_string();
        let check = |s: &str| {
            let auth = signed
                .authorization()
                .replace(&format!(";{genuine};"), &format!(";{s};"));
            let r = req.clone().with_header("Authorization", &auth).unwrap();
            got(hmac_header::parse(&r).and_then(|u| u.map(|u| u.verify(&api, &policy)).transpose()))
        };
        assert_tampering(
            &format!("HMAC header {alg:?}"),
            &genuine,
            &b64_variants(&genuine, STANDARD),
            check,
            // `HMAC-SHA256 k;;time` has an empty part: not a header of this scheme (parse's documented `Ok(None)`).
            |what| match what {
                "empty" => Got::NotThisScheme,
                _ => Got::Refused(ErrorKind::BadSignature),
            },
        );
    }
}

fn jwt_keys() -> Json {
    let text = std::fs::read_to_string(vectors_dir().join("asym_jwt.json")).unwrap();
    serde_json::from_str::<Json>(&text).unwrap()["keys"].clone()
}

fn key_pair(name: &str) -> (SigningKey, VerifyingKey) {
    let k = &jwt_keys()[name];
    (
        SigningKey::from_pem(s(k, "private_pem")).unwrap(),
        VerifyingKey::from_pem(s(k, "public_pem")).unwrap(),
    )
}

#[test]
fn rfc9421_message_signatures() {
    let hmac_key = HmacKey::new(Algorithm::HmacSha256, &secret())
        .with_key_id(countermark::KeyId::new("k1").unwrap());
    let (ed_sk, ed_pk) = key_pair("ed25519");
    let (rsa_sk, rsa_pk) = key_pair("rsa2048");
    let req = Request::new("POST", "https://example.com/pay?x=1")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap();
    let components = [
        Component::derived("@method").unwrap(),
        Component::derived("@path").unwrap(),
        Component::field("content-type").unwrap(),
    ];
    let cases: Vec<(&str, MessageSigner, MessageVerifyingKey)> = vec![
        (
            "hmac-sha256",
            MessageSigner::hmac(hmac_key.clone()).unwrap(),
            MessageVerifyingKey::hmac(hmac_key.clone()).unwrap(),
        ),
        (
            "ed25519",
            MessageSigner::asymmetric(ed_sk.clone(), HttpSignatureAlgorithm::Ed25519)
                .unwrap()
                .with_key_id("ed")
                .unwrap(),
            MessageVerifyingKey::public(ed_pk, HttpSignatureAlgorithm::Ed25519).unwrap(),
        ),
        (
            "rsa-pss-sha512",
            MessageSigner::asymmetric(rsa_sk.clone(), HttpSignatureAlgorithm::RsaPssSha512)
                .unwrap()
                .with_key_id("rsa")
                .unwrap(),
            MessageVerifyingKey::public(rsa_pk, HttpSignatureAlgorithm::RsaPssSha512).unwrap(),
        ),
    ];
    let policy = MessagePolicy::new().with_clock(clock());
    for (name, signer, vk) in cases {
        let sig = signer
            .with_components(components.clone())
            .unwrap()
            .with_clock(clock())
            .sign(&req)
            .unwrap();
        let genuine = sig
            .signature()
            .strip_prefix("sig1=:")
            .and_then(|s| s.strip_suffix(':'))
            .expect("sig1=:…:")
            .to_string();
        let check = |s: &str| {
            let signature = format!("sig1=:{s}:");
            let r = req
                .clone()
                .with_header("Signature-Input", sig.signature_input())
                .unwrap()
                .with_header("Signature", &signature)
                .unwrap();
            got(UnverifiedMessageSignature::parse_for(&r, &policy)
                .map(|u| u.expect("signature headers"))
                .and_then(|u| u.verify(&vk, &policy))
                .map(Some))
        };
        let variants = b64_variants(&genuine, STANDARD);
        // A cut text of 4n+1 characters is no Byte Sequence at all (malformed); other lengths decode, leniently as
        // RFC 8941 allows, to fewer bytes, which do not verify.
        let cut = if variants.cut.len() % 4 == 1 {
            Got::Refused(ErrorKind::Malformed)
        } else {
            Got::Refused(ErrorKind::BadSignature)
        };
        assert_tampering(
            &format!("RFC 9421 {name}"),
            &genuine,
            &variants,
            check,
            // `sig1=::` carries no signature: malformed.
            |what| match what {
                "empty" => Got::Refused(ErrorKind::Malformed),
                "cut" => cut,
                _ => Got::Refused(ErrorKind::BadSignature),
            },
        );
    }
}

#[test]
fn jwt_tokens() {
    for name in ["ed25519", "rsa2048"] {
        let (sk, pk) = key_pair(name);
        let token = Token::from_parts("alice", NOW, format!("n-{name}"))
            .unwrap()
            .sign(&sk)
            .unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        // A fresh policy per presentation: no nonce store is shared, so only the signature decides.
        let check = |s: &str| {
            got(UnverifiedJwt::parse(&format!("{input}.{s}"))
                .and_then(|u| u.verify(&pk, &JwtPolicy::new().with_clock(clock())))
                .map(Some))
        };
        assert_tampering(
            &format!("JWT {name}"),
            sig,
            &b64_variants(sig, URL_SAFE_NO_PAD),
            check,
            // A cut text is not unpadded base64url: malformed (module docs).
            |what| match what {
                "cut" => Got::Refused(ErrorKind::Malformed),
                _ => Got::Refused(ErrorKind::BadSignature),
            },
        );
    }
}
