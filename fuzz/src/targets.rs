//! The fuzz targets' bodies: one function per parser or verifier entry point, each taking arbitrary bytes. They
//! must never panic, hang or allocate without bound; every outcome is a value or a typed error.
//!
//! Shared by the cargo-fuzz binaries (`fuzz/fuzz_targets/*.rs`) and by `core/tests/fuzz_corpus.rs`, which replays
//! every file of `fuzz/corpus/<target>/` on the stable toolchain in `make test`, so a crash once found stays fixed.
//!
//! HTTP messages are encoded as text: `METHOD TARGET\n`, then `Name: value` lines, an empty line, and the body
//! (`fuzz/seeds.py` writes the vectors' messages this way).

use std::sync::Arc;
use std::time::Duration;

use countermark::http::message_signatures::UnverifiedMessageSignature;
use countermark::http::{fost, hmac_header, Request, Response};
use countermark::jwt::{self, Policy as JwtPolicy};
use countermark::signed::{Extra, UrlSigner};
use countermark::{
    content_digest, verify_content_digest, Algorithm, ApiSecret, DigestAlgorithm, FixedClock,
    HmacKey, MessagePolicy, MessageVerifyingKey, Secret, SigningKey, Tokens, UnverifiedJwt,
    VerifyingKey,
};

/// The instant every target's verifier lives at (inside the vectors' windows).
pub const NOW: i64 = 1_700_000_000;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_secs(NOW))
}

fn key(alg: Algorithm) -> HmacKey {
    HmacKey::new(
        alg,
        &Secret::legacy(b"fuzzing secret".to_vec()).expect("a valid secret"),
    )
}

/// Owned parts of a message decoded from fuzz bytes.
pub struct Parts<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: Option<&'a [u8]>,
}

/// Decodes the text encoding above; `None` for bytes that are not such a message.
pub fn parts(data: &[u8]) -> Option<Parts<'_>> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], Some(&data[i + 2..])),
        None => (data, None),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let (method, target) = lines.next()?.split_once(' ')?;
    let headers = lines.filter_map(|l| l.split_once(": ")).collect();
    Some(Parts {
        method,
        target,
        headers,
        body: body.filter(|b| !b.is_empty()),
    })
}

/// A core request from the parts; `None` when the core refuses it (that refusal is itself exercised).
pub fn request<'a>(p: &Parts<'a>) -> Option<Request<'a>> {
    let mut r = Request::new(p.method, p.target).ok()?;
    if r.authority().is_empty() {
        r = r.with_authority("https", "example.com");
    }
    for (n, v) in &p.headers {
        r = r.with_header(n, v).ok()?;
    }
    if let Some(b) = p.body {
        r = r.with_body(b);
    }
    Some(r)
}

/// handshake tokens: parse, then verify with and without a window.
pub fn token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tokens = Tokens::new(key(Algorithm::HmacSha256)).with_clock(clock());
    let _ = tokens.verify(text, Some(Duration::from_secs(300)));
    let _ = tokens.verify(text, None);
    if let Ok(u) = countermark::UnverifiedToken::parse(text) {
        let _ = (u.claimed_fields(), u.claimed_timestamp());
    }
}

/// ska: signed URLs, parameter lists and extra data given as JSON.
pub fn ska(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let signer = UrlSigner::new(key(Algorithm::HmacSha1)).with_clock(clock());
    let _ = signer.validate_url(text);
    if let Ok(extra) = Extra::from_json(text) {
        let _ = signer.sign_url(
            "https://example.com/a",
            "user",
            countermark::signed::Expiry::Lifetime(Duration::from_secs(60)),
            &extra,
        );
    }
}

/// FOST: request signatures and URL signatures.
pub fn fost(data: &[u8]) {
    let Some(p) = parts(data) else { return };
    let Some(r) = request(&p) else { return };
    let policy = fost::Policy::new(clock());
    let k = key(Algorithm::HmacSha1);
    if let Ok(Some(u)) = fost::parse(&r) {
        let _ = (
            u.claimed_key_id(),
            u.claimed_user(),
            u.claimed_signed_headers(),
        );
        let _ = u.verify(&k, &policy);
    }
    if let Ok(Some(u)) = fost::parse_url(&r) {
        let _ = u.verify(&k, &policy);
    }
}

/// The HMAC header scheme, and its JSON and form canonicalisers on the body.
pub fn hmac_header(data: &[u8]) {
    let Some(p) = parts(data) else { return };
    if let Some(body) = p.body {
        let _ = hmac_header::json::canonicalize(body);
        let _ = hmac_header::json::canonicalize_form(body);
    }
    let Some(r) = request(&p) else { return };
    let policy = hmac_header::Policy::new(clock());
    let secret =
        ApiSecret::from_secret(Secret::new(b"fuzzing api secret".to_vec()).expect("valid"));
    if let Ok(Some(u)) = hmac_header::parse(&r) {
        let _ = u.check_time(&policy);
        let _ = u.verify(&secret, &policy);
    }
}

/// RFC 9421: Signature-Input / Signature parsing, signature bases, verification; Content-Digest.
pub fn message_signatures(data: &[u8]) {
    let Some(p) = parts(data) else { return };
    if let Some((_, v)) = p
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-digest"))
    {
        let _ = verify_content_digest(v, p.body.unwrap_or_default());
    }
    let _ = content_digest(
        p.body.unwrap_or_default(),
        &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512],
    );
    let policy = MessagePolicy::new()
        .with_clock(clock())
        .check_content_digest(true);
    let vk = MessageVerifyingKey::hmac(key(Algorithm::HmacSha256)).expect("hmac-sha256 key");
    if let Some(r) = request(&p) {
        if let Ok(all) = UnverifiedMessageSignature::parse_all(&r) {
            for u in &all {
                let _ = u.signature_base();
                let _ = u.verify(&vk, &policy);
            }
        }
    }
    // The same bytes as a response: `METHOD` is read as the status code.
    if let Ok(status) = p.method.parse::<u16>() {
        if let Ok(mut resp) = Response::new(status) {
            for (n, v) in &p.headers {
                match resp.with_header(n, v) {
                    Ok(next) => resp = next,
                    Err(_) => return,
                }
            }
            if let Ok(all) = UnverifiedMessageSignature::parse_all(&resp) {
                for u in &all {
                    let _ = u.signature_base();
                }
            }
        }
    }
}

/// Asymmetric JWTs: parse, then verify against an Ed25519 key.
pub fn jwt(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jwt::token_from_authorization(text);
    if let Ok(u) = UnverifiedJwt::parse(text) {
        let _ = (
            u.claimed_username(),
            u.claimed_time(),
            u.claimed_key_id(),
            u.claimed_algorithm(),
        );
        let policy = JwtPolicy::new().with_clock(clock());
        let _ = u.verify(signing_key().verifying_key(), &policy);
    }
}

fn signing_key() -> &'static SigningKey {
    static KEY: std::sync::OnceLock<SigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        // A fixed Ed25519 PKCS#8 key (RFC 8410 example), so runs are repeatable.
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        SigningKey::from_pem(pem).expect("the fixed Ed25519 key")
    })
}

/// Key loading: PEM (private and public), DER (SPKI and PKCS#8), JWK.
pub fn keys(data: &[u8]) {
    let _ = VerifyingKey::from_spki_der(data);
    let _ = SigningKey::from_pkcs8_der(data);
    if let Ok(set) = countermark::key::Jwks::parse(data) {
        // What is published reads back.
        let _ = countermark::key::Jwks::parse(set.to_json().as_bytes())
            .expect("published JWKS reads back");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = VerifyingKey::from_pem(text);
        let _ = VerifyingKey::from_openssh(text);
        let _ = VerifyingKey::from_jwk(text);
        let _ = SigningKey::from_pem(text);
        let _ = ApiSecret::from_base64(text);
    }
}

/// A target body.
pub type Target = fn(&[u8]);

/// Every target by name, for the corpus replay.
pub const ALL: [(&str, Target); 7] = [
    ("token", token),
    ("ska", ska),
    ("fost", fost),
    ("hmac_header", hmac_header),
    ("message_signatures", message_signatures),
    ("jwt", jwt),
    ("keys", keys),
];
