//! Every size limit of the core, at its edge (issue 21): an input exactly at the limit is accepted (validly signed
//! where the limit guards a credential), and the same input one unit over is refused with the exact kind. The
//! one-over inputs are validly signed too where the format allows it, so only the limit check can refuse them.
//!
//! Limits already tested exactly elsewhere, left there: `http::MAX_HEADERS`, `http::MAX_HEADER_LEN`,
//! `http::MAX_TARGET_LEN` and `Secret::MAX_LEN` (attacks.rs, `oversize_inputs_…`), `hmac_header::json::MAX_DEPTH` and
//! `MAX_INT_DIGITS` (json.rs unit test `limits`), `MAX_SEALED_PLAINTEXT` over the limit (sealed.rs unit tests; the
//! edge is here).

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::{s, vectors_dir};
use countermark::http::hmac_header::{self, json, ApiSecret, HmacHeaderSigner};
use countermark::http::message_signatures::{
    Component, MAX_COMPONENTS, MAX_CONTENT_DIGEST_LEN, MAX_LABELS, MAX_PARAM_LEN,
    MAX_SIGNATURE_BASE_LEN, MAX_SIGNATURE_HEADER_LEN, MAX_SIGNATURE_LEN,
};
use countermark::http::{fost, Request};
use countermark::jwt::{self, Policy as JwtPolicy, Token, MAX_CLOCK_SKEW, MAX_JWT_LEN};
use countermark::key::sealed::{MAX_SEALED_PLAINTEXT, MAX_SEALING_KEYS};
use countermark::key::SecretSealer;
use countermark::replay::MAX_NONCE_LEN;
use countermark::signed::Extra;
use countermark::{
    content_digest, verify_content_digest, Algorithm, DigestAlgorithm, ErrorKind, FixedClock,
    FostSigner, HmacKey, KeyId, MemoryNonceStore, MessagePolicy, MessageSigner,
    MessageVerifyingKey, NonceStore, Secret, SignatureAlgorithm, SigningKey, Tokens, UnixTime,
    UnverifiedJwt, UnverifiedMessageSignature, VerifyingKey, MAX_TOKEN_LEN,
};
use serde_json::Value as Json;

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"limits-suite-secret-0123456789ab";

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_secs(NOW))
}

fn kind<T: std::fmt::Debug>(r: countermark::Result<T>) -> ErrorKind {
    r.unwrap_err().kind()
}

// ---------------------------------------------------------------------------------------------------------------
// handshake tokens

#[test]
fn token_len_at_the_limit_is_accepted_one_over_refused() {
    let key = HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(SECRET.to_vec()).unwrap(),
    );
    let tokens = Tokens::new(key.clone()).with_clock(clock());
    // field ":" 10-digit time ":" 64 hex random ":" 64 hex signature.
    let fixed = 1 + 10 + 1 + 64 + 1 + 64;
    let field = "f".repeat(MAX_TOKEN_LEN - fixed);
    let token = tokens.create(&[field.as_str()]).unwrap();
    assert_eq!(token.len(), MAX_TOKEN_LEN);
    assert_eq!(
        tokens
            .verify(&token, Some(Duration::from_secs(300)))
            .unwrap()
            .fields(),
        [&field]
    );
    // One character more: create refuses to make it, and the same token validly signed by hand is refused unread.
    let longer = format!("{field}f");
    assert_eq!(
        kind(tokens.create(&[longer.as_str()])),
        ErrorKind::InvalidValue
    );
    let (_, rest) = token.split_once(':').unwrap();
    let (time_and_random, _) = rest.rsplit_once(':').unwrap();
    let message = format!("{longer}:{time_and_random}");
    let over = format!("{message}:{}", key.sign(message.as_bytes()).to_hex());
    assert_eq!(over.len(), MAX_TOKEN_LEN + 1);
    assert_eq!(
        kind(tokens.verify(&over, Some(Duration::from_secs(300)))),
        ErrorKind::TooLarge
    );
    // The limit counts characters, as handshake does: a validly signed token of MAX_TOKEN_LEN characters with a
    // two-byte one among them (MAX_TOKEN_LEN + 1 bytes) is read; one character more is refused.
    let signed = |field: &str| {
        let message = format!("{field}:{time_and_random}");
        format!("{message}:{}", key.sign(message.as_bytes()).to_hex())
    };
    let wide = format!("\u{e9}{}", &field[1..]);
    let at_chars = signed(&wide);
    assert_eq!(
        (at_chars.chars().count(), at_chars.len()),
        (MAX_TOKEN_LEN, MAX_TOKEN_LEN + 1)
    );
    assert_eq!(
        tokens
            .verify(&at_chars, Some(Duration::from_secs(300)))
            .unwrap()
            .fields(),
        [&wide]
    );
    let over_chars = signed(&format!("{wide}f"));
    assert_eq!(over_chars.chars().count(), MAX_TOKEN_LEN + 1);
    assert_eq!(
        kind(tokens.verify(&over_chars, Some(Duration::from_secs(300)))),
        ErrorKind::TooLarge
    );
}

#[test]
fn token_random_len_bounds() {
    let key = HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(SECRET.to_vec()).unwrap(),
    );
    for ok in [16, 1024] {
        let tokens = Tokens::new(key.clone()).with_random_len(ok).unwrap();
        assert!(tokens.create(&["u"]).is_ok());
    }
    for bad in [15, 1025] {
        assert_eq!(
            kind(Tokens::new(key.clone()).with_random_len(bad)),
            ErrorKind::InvalidValue
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// keys

#[test]
fn secret_min_and_max_len() {
    assert_eq!(
        Secret::new(vec![7; Secret::MIN_LEN]).unwrap().len(),
        Secret::MIN_LEN
    );
    assert_eq!(
        kind(Secret::new(vec![7; Secret::MIN_LEN - 1])),
        ErrorKind::InvalidKey
    );
    assert_eq!(
        Secret::new(vec![7; Secret::MAX_LEN]).unwrap().len(),
        Secret::MAX_LEN
    );
    assert_eq!(
        kind(Secret::new(vec![7; Secret::MAX_LEN + 1])),
        ErrorKind::InvalidKey
    );
    // The legacy constructor: 1..=MAX_LEN.
    assert!(Secret::legacy(vec![7; 1]).is_ok());
    assert_eq!(kind(Secret::legacy(Vec::new())), ErrorKind::InvalidKey);
    assert!(Secret::legacy(vec![7; Secret::MAX_LEN]).is_ok());
    assert_eq!(
        kind(Secret::legacy(vec![7; Secret::MAX_LEN + 1])),
        ErrorKind::InvalidKey
    );
    // Generated secrets: the same bounds.
    assert_eq!(
        Secret::generate(Secret::MIN_LEN).unwrap().len(),
        Secret::MIN_LEN
    );
    assert_eq!(
        Secret::generate(Secret::MAX_LEN).unwrap().len(),
        Secret::MAX_LEN
    );
    assert_eq!(
        kind(Secret::generate(Secret::MAX_LEN + 1)),
        ErrorKind::InvalidKey
    );
}

#[test]
fn key_id_max_len() {
    assert_eq!(
        KeyId::new("k".repeat(KeyId::MAX_LEN))
            .unwrap()
            .as_str()
            .len(),
        KeyId::MAX_LEN
    );
    assert_eq!(
        kind(KeyId::new("k".repeat(KeyId::MAX_LEN + 1))),
        ErrorKind::InvalidValue
    );
    assert_eq!(kind(KeyId::new("")), ErrorKind::InvalidValue);
}

#[test]
fn sealed_plaintext_and_key_count() {
    let masters: Vec<Vec<u8>> = (0..=MAX_SEALING_KEYS)
        .map(|i| vec![u8::try_from(i).unwrap() + 1; 32])
        .collect();
    let sealer = SecretSealer::new(masters[..MAX_SEALING_KEYS].iter().map(Vec::as_slice)).unwrap();
    assert_eq!(
        kind(SecretSealer::new(masters.iter().map(Vec::as_slice))),
        ErrorKind::InvalidKey
    );
    let at = vec![0x5a; MAX_SEALED_PLAINTEXT];
    let sealed = sealer.seal(&at, b"aad").unwrap();
    assert_eq!(
        sealer.open(&sealed, b"aad").unwrap().as_slice(),
        at.as_slice()
    );
    assert_eq!(
        kind(sealer.seal(&vec![0x5a; MAX_SEALED_PLAINTEXT + 1], b"aad")),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------------------------
// ska extra data

#[test]
fn extra_json_len_at_the_limit_is_accepted_one_over_refused() {
    let wrap = |n: usize| format!("{{\"k\":\"{}\"}}", "v".repeat(n));
    let overhead = wrap(0).len();
    let at = wrap(Extra::MAX_JSON_LEN - overhead);
    assert_eq!(at.len(), Extra::MAX_JSON_LEN);
    let extra = Extra::from_json(&at).unwrap();
    assert_eq!(extra.len(), 1);
    let over = wrap(Extra::MAX_JSON_LEN - overhead + 1);
    assert_eq!(kind(Extra::from_json(&over)), ErrorKind::TooLarge);
}

/// `valid_until` within the years 1..9999 (what Python's `datetime` holds): the last second of 9999 is signed and
/// validates, one second later is refused at signing and, validly signed by hand, at validation.
#[test]
fn ska_valid_until_at_the_last_second_of_9999() {
    const LAST: i64 = 253_402_300_799;
    let key = HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(SECRET.to_vec()).unwrap(),
    );
    let signer = countermark::signed::UrlSigner::new(key.clone()).with_clock(clock());
    let at = countermark::signed::Expiry::At(countermark::signed::ValidUntil::Int(LAST));
    let sig = signer.generate("u", at, &Extra::new()).unwrap();
    let params = sig.to_dict(signer.param_names());
    assert_eq!(
        signer.validate(&params).unwrap().valid_until(),
        LAST.to_string()
    );
    let over = countermark::signed::Expiry::At(countermark::signed::ValidUntil::Int(LAST + 1));
    assert_eq!(
        kind(signer.generate("u", over, &Extra::new())),
        ErrorKind::InvalidValue
    );
    let valid_until = (LAST + 1).to_string();
    let signature = key.sign(format!("{valid_until}_u").as_bytes()).to_base64();
    assert_eq!(
        signer
            .validate(&[
                ("signature", signature.as_str()),
                ("auth_user", "u"),
                ("valid_until", valid_until.as_str()),
            ])
            .unwrap_err()
            .failures(),
        [countermark::signed::Failure::InvalidValidUntil]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// replay stores

#[test]
fn nonce_store_value_len() {
    let store = MemoryNonceStore::default();
    let now = UnixTime::from_secs(NOW);
    let until = now.saturating_add_secs(60);
    store
        .check_and_insert(&vec![b'n'; MAX_NONCE_LEN], until, now)
        .unwrap();
    assert_eq!(
        store
            .check_and_insert(&vec![b'm'; MAX_NONCE_LEN + 1], until, now)
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------------------------
// JWT

fn ed25519() -> (SigningKey, VerifyingKey) {
    let text = std::fs::read_to_string(vectors_dir().join("asym_jwt.json")).unwrap();
    let k = serde_json::from_str::<Json>(&text).unwrap()["keys"]["ed25519"].clone();
    (
        SigningKey::from_pem(s(&k, "private_pem")).unwrap(),
        VerifyingKey::from_pem(s(&k, "public_pem")).unwrap(),
    )
}

/// A JWT validly signed by `sk` over `payload`, whatever its length.
fn jwt_by_hand(sk: &SigningKey, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(jwt::header_json(sk).unwrap()),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = sk
        .sign(SignatureAlgorithm::Ed25519, input.as_bytes())
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[test]
fn jwt_len_at_the_limit_is_accepted_one_over_refused() {
    let (sk, pk) = ed25519();
    let policy = || JwtPolicy::new().with_clock(clock());
    // Unpadded base64 never has a length of 4n+1: find a username and nonce that land exactly on the limit, and
    // one character more.
    let mut found = None;
    'search: for user_len in (MAX_JWT_LEN * 3 / 4 - 400)..(MAX_JWT_LEN * 3 / 4) {
        for nonce_len in 1..4 {
            let username = "u".repeat(user_len);
            let nonce = "n".repeat(nonce_len);
            let token = Token::from_parts(username.as_str(), NOW, nonce.as_str()).unwrap();
            let by_hand = jwt_by_hand(&sk, &token.payload_json());
            if by_hand.len() == MAX_JWT_LEN {
                found = Some((token, by_hand));
                break 'search;
            }
        }
    }
    let (token, at) = found.expect("a token of exactly MAX_JWT_LEN characters");
    assert_eq!(
        token.sign(&sk).unwrap(),
        at,
        "the signer's token is the one built by hand"
    );
    let verified = UnverifiedJwt::parse(&at)
        .unwrap()
        .verify(&pk, &policy())
        .unwrap();
    assert_eq!(verified.username(), token.username());
    // One more character (the payload JSON one space longer, `"username": …` instead of `"username":…`),
    // validly signed: refused before it is decoded.
    let mut found = None;
    for extra_spaces in 1..4 {
        let payload =
            token
                .payload_json()
                .replacen("{", &format!("{{{}", " ".repeat(extra_spaces)), 1);
        let t = jwt_by_hand(&sk, &payload);
        if t.len() == MAX_JWT_LEN + 1 {
            found = Some(t);
            break;
        }
    }
    let over = found.expect("a token of MAX_JWT_LEN + 1 characters");
    assert_eq!(kind(UnverifiedJwt::parse(&over)), ErrorKind::TooLarge);
    // And the signer refuses to make a token over the limit.
    let long = Token::from_parts("u".repeat(MAX_JWT_LEN), NOW, "n").unwrap();
    assert_eq!(kind(long.sign(&sk)), ErrorKind::InvalidValue);
}

#[test]
fn jwt_clock_skew_max() {
    let (sk, pk) = ed25519();
    let policy = JwtPolicy::new()
        .with_clock(clock())
        .with_clock_skew(MAX_CLOCK_SKEW)
        .unwrap();
    let edge = Token::from_parts(
        "alice",
        NOW - i64::try_from(MAX_CLOCK_SKEW.as_secs()).unwrap(),
        "n",
    )
    .unwrap()
    .sign(&sk)
    .unwrap();
    assert!(UnverifiedJwt::parse(&edge)
        .unwrap()
        .verify(&pk, &policy)
        .is_ok());
    assert_eq!(
        kind(JwtPolicy::new().with_clock_skew(MAX_CLOCK_SKEW + Duration::from_secs(1))),
        ErrorKind::InvalidValue
    );
}

// ---------------------------------------------------------------------------------------------------------------
// FOST

#[test]
fn fost_signed_headers_at_the_limit_are_accepted_one_over_refused() {
    let key = fost::hmac_key(&Secret::new(SECRET.to_vec()).unwrap());
    let policy = fost::Policy::new(clock());
    let mut req = Request::new("GET", "/a").unwrap();
    let names: Vec<String> = (0..fost::MAX_SIGNED_HEADERS)
        .map(|i| format!("X-H{i}"))
        .collect();
    let values: Vec<String> = (0..fost::MAX_SIGNED_HEADERS)
        .map(|i| format!("v{i}"))
        .collect();
    for (n, v) in names.iter().zip(&values) {
        req = req.with_header(n, v).unwrap();
    }
    let signer = FostSigner::new("k", key.clone())
        .unwrap()
        .with_clock(clock());
    // X-FOST-Headers names itself first: it plus MAX_SIGNED_HEADERS - 1 others make the limit.
    let at: Vec<&str> = names[..fost::MAX_SIGNED_HEADERS - 1]
        .iter()
        .map(String::as_str)
        .collect();
    let sig = signer.sign(&req, &at).unwrap();
    let mut signed = req.clone();
    for (n, v) in sig.headers() {
        signed = signed.with_header(n, v).unwrap();
    }
    let u = fost::parse(&signed).unwrap().unwrap();
    assert_eq!(u.claimed_signed_headers().len(), fost::MAX_SIGNED_HEADERS);
    u.verify(&key, &policy).unwrap();
    // One more name, validly signed by hand over the document the signer would write.
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    let x_fost_headers = format!("X-FOST-Headers {}", all.join(" "));
    let mut document = format!("GET /a\n{}\n{x_fost_headers}", sig.timestamp());
    for (i, _) in names.iter().enumerate() {
        document.push_str(&format!("\nv{i}"));
    }
    document.push('\n');
    // The hand-built document reproduces the signer's for the names it signed.
    let mut at_document = format!("GET /a\n{}\n{}", sig.timestamp(), sig.x_fost_headers());
    for i in 0..fost::MAX_SIGNED_HEADERS - 1 {
        at_document.push_str(&format!("\nv{i}"));
    }
    at_document.push('\n');
    assert_eq!(at_document.as_bytes(), sig.document());
    let authorization = format!("FOST k:{}", key.sign(document.as_bytes()).to_base64());
    let over = req
        .with_header("Authorization", &authorization)
        .unwrap()
        .with_header("X-FOST-Timestamp", sig.timestamp())
        .unwrap()
        .with_header("X-FOST-Headers", &x_fost_headers)
        .unwrap();
    assert_eq!(kind(fost::parse(&over)), ErrorKind::TooLarge);
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 9421

fn rfc_key() -> HmacKey {
    HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(SECRET.to_vec()).unwrap(),
    )
    .with_key_id(KeyId::new("k1").unwrap())
}

fn rfc_verify(r: &Request<'_>) -> Result<(), ErrorKind> {
    let policy = MessagePolicy::new().with_clock(clock()).with_label("sig1");
    let vk = MessageVerifyingKey::hmac(rfc_key()).unwrap();
    UnverifiedMessageSignature::parse_for(r, &policy)
        .map(|u| u.expect("signature headers"))
        .and_then(|u| u.verify(&vk, &policy))
        .map(|_| ())
        .map_err(|e| e.kind())
}

/// The signature base of header-field components, as RFC 9421 section 2.5 writes it.
fn base_by_hand(fields: &[(String, String)], params: &str) -> String {
    let mut base = String::new();
    for (name, value) in fields {
        base.push_str(&format!("\"{name}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {params}"));
    base
}

/// `sig1=:…:` over `base` with the suite's key.
fn signature_by_hand(base: &str) -> String {
    format!(
        "sig1=:{}:",
        STANDARD.encode(rfc_key().sign(base.as_bytes()).as_bytes())
    )
}

/// A request carrying `fields`, signed over all of them by the core's signer (with `tag` when given).
#[derive(Debug)]
struct Signed {
    fields: Vec<(String, String)>,
    input: String,
    signature: String,
}

fn sign_fields(fields: &[(String, String)], tag: Option<&str>) -> countermark::Result<Signed> {
    let key = rfc_key();
    let mut req = Request::new("GET", "https://example.com/").unwrap();
    for (n, v) in fields {
        req = req.with_header(n, v).unwrap();
    }
    let mut signer = MessageSigner::hmac(key.clone())?
        .with_components(fields.iter().map(|(n, _)| Component::field(n).unwrap()))?
        .with_clock(clock());
    if let Some(tag) = tag {
        signer = signer.with_tag(tag)?;
    }
    let sig = signer.sign(&req)?;
    let params = sig.signature_input().strip_prefix("sig1=").unwrap();
    assert_eq!(sig.signature_base(), base_by_hand(fields, params));
    Ok(Signed {
        fields: fields.to_vec(),
        input: sig.signature_input().to_string(),
        signature: sig.signature().to_string(),
    })
}

fn present(
    fields: &[(String, String)],
    inputs: &[&str],
    signatures: &[&str],
) -> Result<(), ErrorKind> {
    let mut req = Request::new("GET", "https://example.com/").unwrap();
    for (n, v) in fields {
        req = req.with_header(n, v).unwrap();
    }
    for i in inputs {
        req = req.with_header("Signature-Input", i).unwrap();
    }
    for s in signatures {
        req = req.with_header("Signature", s).unwrap();
    }
    rfc_verify(&req)
}

fn fields(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("x-h{i}"), format!("v{i}")))
        .collect()
}

#[test]
fn rfc9421_components_at_the_limit_are_accepted_one_over_refused() {
    let all = fields(MAX_COMPONENTS + 1);
    let at = sign_fields(&all[..MAX_COMPONENTS], None).unwrap();
    assert_eq!(present(&all, &[&at.input], &[&at.signature]), Ok(()));
    assert_eq!(kind(sign_fields(&all, None)), ErrorKind::InvalidValue);
    // One more component, validly signed by hand.
    let last = &all[MAX_COMPONENTS - 1].0;
    let params = at.input.strip_prefix("sig1=").unwrap().replace(
        &format!("\"{last}\")"),
        &format!("\"{last}\" \"x-h{MAX_COMPONENTS}\")"),
    );
    let signature = signature_by_hand(&base_by_hand(&all, &params));
    assert_eq!(
        present(&all, &[&format!("sig1={params}")], &[&signature]),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn rfc9421_labels_at_the_limit_are_accepted_one_over_refused() {
    let f = fields(1);
    let genuine = sign_fields(&f, None).unwrap();
    let with_others = |n: usize, text: &str, member: &dyn Fn(usize) -> String| {
        let mut v = vec![text.to_string()];
        v.extend((1..n).map(member));
        v.join(", ")
    };
    let inputs = |n| with_others(n, &genuine.input, &|i| format!("s{i}=()"));
    let sigs = |n| with_others(n, &genuine.signature, &|i| format!("s{i}=:AAAA:"));
    assert_eq!(
        present(&f, &[&inputs(MAX_LABELS)], &[&sigs(MAX_LABELS)]),
        Ok(())
    );
    for (i, s) in [
        (MAX_LABELS + 1, MAX_LABELS),
        (MAX_LABELS, MAX_LABELS + 1),
        (MAX_LABELS + 1, MAX_LABELS + 1),
    ] {
        assert_eq!(
            present(&f, &[&inputs(i)], &[&sigs(s)]),
            Err(ErrorKind::TooLarge),
            "{i} inputs, {s} signatures"
        );
    }
}

#[test]
fn rfc9421_param_len_at_the_limit_is_accepted_one_over_refused() {
    let f = fields(1);
    let tag = "t".repeat(MAX_PARAM_LEN);
    let at = sign_fields(&f, Some(&tag)).unwrap();
    assert_eq!(present(&f, &[&at.input], &[&at.signature]), Ok(()));
    let longer = format!("{tag}t");
    assert_eq!(
        kind(sign_fields(&f, Some(&longer))),
        ErrorKind::InvalidValue
    );
    let params = at
        .input
        .strip_prefix("sig1=")
        .unwrap()
        .replace(&tag, &longer);
    let signature = signature_by_hand(&base_by_hand(&f, &params));
    assert_eq!(
        present(&f, &[&format!("sig1={params}")], &[&signature]),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn rfc9421_signature_len_at_the_limit_reaches_the_signature_check_one_over_refused() {
    // No supported key makes a 1024-byte signature (RSA-8192 would), so "at the limit" is shown by the refusal
    // coming from the signature check, not the size check.
    let f = fields(1);
    let genuine = sign_fields(&f, None).unwrap();
    let sig = |n: usize| format!("sig1=:{}:", STANDARD.encode(vec![0x42; n]));
    assert_eq!(
        present(&f, &[&genuine.input], &[&sig(MAX_SIGNATURE_LEN)]),
        Err(ErrorKind::BadSignature)
    );
    assert_eq!(
        present(&f, &[&genuine.input], &[&sig(MAX_SIGNATURE_LEN + 1)]),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn rfc9421_header_len_at_the_limit_is_accepted_one_over_refused() {
    let f = fields(1);
    let genuine = sign_fields(&f, None).unwrap();
    // Pad each header with a member of another label, to exactly `len` bytes.
    let padded = |text: &str, len: usize| {
        let head = format!("{text}, pad=\"");
        let n = len - head.len() - 1;
        let out = format!("{head}{}\"", "a".repeat(n));
        assert_eq!(out.len(), len);
        out
    };
    let (at_input, at_sig) = (
        padded(&genuine.input, MAX_SIGNATURE_HEADER_LEN),
        padded(&genuine.signature, MAX_SIGNATURE_HEADER_LEN),
    );
    assert_eq!(present(&f, &[&at_input], &[&at_sig]), Ok(()));
    // One byte more on a single line is already refused by `http::MAX_HEADER_LEN` (the same 16 KiB) when the
    // request is built; lines are combined with ", " before this limit applies, so two lines test it.
    assert_eq!(
        kind(
            Request::new("GET", "/")
                .unwrap()
                .with_header("Signature", &format!("{at_sig}a"))
        ),
        ErrorKind::TooLarge
    );
    // The genuine line plus a padding line of exactly the rest is accepted, one byte more refused, for either
    // header.
    let rest = |extra: usize| {
        format!(
            "pad=\"{}\"",
            "a".repeat(MAX_SIGNATURE_HEADER_LEN - genuine.input.len() - 2 - 6 + extra)
        )
    };
    assert_eq!(
        genuine.input.len() + 2 + rest(0).len(),
        MAX_SIGNATURE_HEADER_LEN
    );
    assert_eq!(
        present(&f, &[&genuine.input, &rest(0)], &[&genuine.signature]),
        Ok(())
    );
    assert_eq!(
        present(&f, &[&genuine.input, &rest(1)], &[&genuine.signature]),
        Err(ErrorKind::TooLarge)
    );
    let rest_sig = |extra: usize| {
        format!(
            "pad=\"{}\"",
            "a".repeat(MAX_SIGNATURE_HEADER_LEN - genuine.signature.len() - 2 - 6 + extra)
        )
    };
    assert_eq!(
        present(&f, &[&genuine.input], &[&genuine.signature, &rest_sig(0)]),
        Ok(())
    );
    assert_eq!(
        present(&f, &[&genuine.input], &[&genuine.signature, &rest_sig(1)]),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn rfc9421_signature_base_at_the_limit_is_accepted_one_over_refused() {
    let with_lens = |last: usize| -> Vec<(String, String)> {
        (0..5)
            .map(|i| {
                let len = if i == 4 { last } else { 16_000 };
                (format!("x-b{i}"), "a".repeat(len))
            })
            .collect()
    };
    let probe = sign_fields(&with_lens(100), None).unwrap();
    let probe_len = base_by_hand(&probe.fields, probe.input.strip_prefix("sig1=").unwrap()).len();
    let last = 100 + MAX_SIGNATURE_BASE_LEN - probe_len;
    let at_fields = with_lens(last);
    let at = sign_fields(&at_fields, None).unwrap();
    let params = at.input.strip_prefix("sig1=").unwrap();
    assert_eq!(
        base_by_hand(&at_fields, params).len(),
        MAX_SIGNATURE_BASE_LEN
    );
    assert_eq!(present(&at_fields, &[&at.input], &[&at.signature]), Ok(()));
    // One byte more in the last covered header: the signer refuses, and the same base signed by hand too.
    let over_fields = with_lens(last + 1);
    assert_eq!(kind(sign_fields(&over_fields, None)), ErrorKind::TooLarge);
    let base = base_by_hand(&over_fields, params);
    assert_eq!(base.len(), MAX_SIGNATURE_BASE_LEN + 1);
    assert_eq!(
        present(&over_fields, &[&at.input], &[&signature_by_hand(&base)]),
        Err(ErrorKind::TooLarge)
    );
}

#[test]
fn content_digest_len_at_the_limit_is_accepted_one_over_refused() {
    let body = b"{\"amount\": 10}";
    let digest = content_digest(body, &[DigestAlgorithm::Sha256]).unwrap();
    let padded = |len: usize| {
        let head = format!("{digest}, pad=\"");
        let out = format!("{head}{}\"", "a".repeat(len - head.len() - 1));
        assert_eq!(out.len(), len);
        out
    };
    assert_eq!(
        verify_content_digest(&padded(MAX_CONTENT_DIGEST_LEN), body).unwrap(),
        [DigestAlgorithm::Sha256]
    );
    assert_eq!(
        kind(verify_content_digest(
            &padded(MAX_CONTENT_DIGEST_LEN + 1),
            body
        )),
        ErrorKind::TooLarge
    );
}

// ---------------------------------------------------------------------------------------------------------------
// HMAC header bodies

#[test]
fn hmac_header_json_len_at_the_limit_is_accepted_one_over_refused() {
    let mut at = vec![b' '; json::MAX_LEN - 1];
    at.push(b'0');
    assert_eq!(json::canonicalize(&at).unwrap(), "0");
    at.insert(0, b' ');
    assert_eq!(at.len(), json::MAX_LEN + 1);
    assert_eq!(kind(json::canonicalize(&at)), ErrorKind::TooLarge);
    let form = |n: usize| {
        (0..n)
            .map(|i| format!("f{i}={i}"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let at_form = json::canonicalize_form(form(json::MAX_FORM_FIELDS).as_bytes()).unwrap();
    assert!(at_form.contains(&format!("\"f{}\":", json::MAX_FORM_FIELDS - 1)));
    assert_eq!(
        kind(json::canonicalize_form(
            form(json::MAX_FORM_FIELDS + 1).as_bytes()
        )),
        ErrorKind::TooLarge
    );
}

#[test]
fn hmac_header_form_fields_at_the_limit_sign_and_verify() {
    let secret = ApiSecret::from_secret(Secret::new(SECRET.to_vec()).unwrap());
    let policy = hmac_header::Policy::new(Arc::new(FixedClock::at_secs(NOW + 1)));
    let body: String = (0..json::MAX_FORM_FIELDS)
        .map(|i| format!("f{i}={i}"))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::new("POST", "/api/")
        .unwrap()
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .unwrap()
        .with_body(body.as_bytes());
    let signed = HmacHeaderSigner::new("k", secret.key(Algorithm::HmacSha256).unwrap())
        .unwrap()
        .sign_at(
            &hmac_header::Body::from_request(&req).unwrap(),
            "2023-11-14T22:13:20+00:00",
        )
        .unwrap();
    let r = req
        .clone()
        .with_header("Authorization", signed.authorization())
        .unwrap();
    hmac_header::parse(&r)
        .unwrap()
        .unwrap()
        .verify(&secret, &policy)
        .unwrap();
    // One field more: the server cannot canonicalise the body (the signer could not sign it either).
    let more = format!("{body}&x=1");
    let r = req
        .with_body(more.as_bytes())
        .with_header("Authorization", signed.authorization())
        .unwrap();
    assert_eq!(
        kind(
            hmac_header::parse(&r)
                .unwrap()
                .unwrap()
                .verify(&secret, &policy)
        ),
        ErrorKind::TooLarge
    );
}
