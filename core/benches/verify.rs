//! Speed of every sign/verify path beside its floor, measured in the same run: one HMAC-SHA256 (or SHA-1) over
//! the same message bytes with a precomputed key, and one bare Ed25519 / RSA verify. `make bench` turns the
//! estimates into ratios (BENCHMARKS.md). Run: `cargo bench -p countermark --bench verify`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use countermark::http::{fost, hmac_header};
use countermark::jwt::{self, Policy as JwtPolicy, Token};
use countermark::signed::{Expiry, Extra, UrlSigner};
use countermark::{
    Algorithm, ApiSecret, Clock, FixedClock, HmacHeaderSigner, HmacKey, MemoryNonceStore,
    MessagePolicy, MessageSigner, MessageVerifyingKey, NonceStore, Request, Secret,
    SignatureAlgorithm, SigningKey, Tokens, UnixTime, UnverifiedJwt, UnverifiedMessageSignature,
    VerifyingKey,
};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};

const NOW: i64 = 1_700_000_000;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at_secs(NOW))
}

fn key(alg: Algorithm) -> HmacKey {
    HmacKey::new(
        alg,
        &Secret::new(b"benchmark secret of 32 bytes....".to_vec()).unwrap(),
    )
    .with_key_id(countermark::KeyId::new("k1").unwrap())
}

/// A nonce store that accepts everything: JWT verification measured without the store, which has its own bench.
struct AcceptAll;
impl NonceStore for AcceptAll {
    fn check_and_insert(&self, _: &[u8], _: UnixTime, _: UnixTime) -> countermark::Result<()> {
        Ok(())
    }
}

fn vectors_keys() -> serde_json::Value {
    let dir = std::env::var_os("COUNTERMARK_VECTORS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
        });
    let text = std::fs::read_to_string(dir.join("asym_jwt.json"))
        .expect("../shared/vectors/asym_jwt.json");
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["keys"].clone()
}

fn pair(keys: &serde_json::Value, name: &str) -> (SigningKey, VerifyingKey) {
    (
        SigningKey::from_pem(keys[name]["private_pem"].as_str().unwrap()).unwrap(),
        VerifyingKey::from_pem(keys[name]["public_pem"].as_str().unwrap()).unwrap(),
    )
}

fn tokens(c: &mut Criterion) {
    let k = key(Algorithm::HmacSha256);
    let t = Tokens::new(k.clone()).with_clock(clock());
    let token = t.create(&["alice", "42"]).unwrap();
    let message = &token.as_bytes()[..token.len() - 65];
    let mut g = c.benchmark_group("token");
    g.bench_function("floor: hmac-sha256 of the token message", |b| {
        b.iter(|| k.sign(black_box(message)))
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            t.verify(black_box(&token), Some(Duration::from_secs(60)))
                .unwrap()
        })
    });
    g.bench_function("create", |b| {
        b.iter(|| t.create(black_box(&["alice", "42"])).unwrap())
    });
    g.finish();
}

fn signed_urls(c: &mut Criterion) {
    let k = key(Algorithm::HmacSha1);
    let s = UrlSigner::new(k.clone()).with_clock(clock());
    let mut extra = Extra::new();
    extra.insert("email", "john.doe@mail.example.com").unwrap();
    let url = s
        .sign_url(
            "https://example.com/api/",
            "user",
            Expiry::Lifetime(Duration::from_secs(600)),
            &extra,
        )
        .unwrap();
    let base = format!("{}_user_email%3Djohn.doe%2540mail.example.com", NOW + 600);
    let mut g = c.benchmark_group("signed_url");
    g.bench_function("floor: hmac-sha1 of the signed string", |b| {
        b.iter(|| k.sign(black_box(base.as_bytes())))
    });
    g.bench_function("validate_url", |b| {
        b.iter(|| s.validate_url(black_box(&url)).unwrap())
    });
    g.bench_function("sign_url", |b| {
        b.iter(|| {
            s.sign_url(
                black_box("https://example.com/api/"),
                "user",
                Expiry::Lifetime(Duration::from_secs(600)),
                &extra,
            )
            .unwrap()
        })
    });
    g.finish();
}

fn request_schemes(c: &mut Criterion) {
    let body = br#"{"item": "book", "qty": 2}"#;
    // FOST
    let k1 = key(Algorithm::HmacSha1);
    let signer = fost::FostSigner::new("api-key-1", k1.clone())
        .unwrap()
        .with_clock(clock());
    let req = Request::new("POST", "/api/orders/")
        .unwrap()
        .with_body(body);
    let signed = signer.sign(&req, &[]).unwrap();
    let headers: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let mut sreq = Request::new("POST", "/api/orders/")
        .unwrap()
        .with_body(body);
    for (n, v) in &headers {
        sreq = sreq.with_header(n, v).unwrap();
    }
    let policy = fost::Policy::new(clock());
    let document = signed.document().to_vec();
    let mut g = c.benchmark_group("fost");
    g.bench_function("floor: hmac-sha1 of the document", |b| {
        b.iter(|| k1.sign(black_box(&document)))
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            fost::parse(black_box(&sreq))
                .unwrap()
                .unwrap()
                .verify(&k1, &policy)
                .unwrap()
        })
    });
    g.bench_function("sign", |b| {
        b.iter(|| signer.sign(black_box(&req), &[]).unwrap())
    });
    g.finish();

    // HMAC header
    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    let hk = secret.key(Algorithm::HmacSha256).unwrap();
    let hsigner = HmacHeaderSigner::new("aff80c45", hk.clone())
        .unwrap()
        .with_clock(clock());
    let hreq = Request::new("POST", "/api/v1/resource/")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_body(body);
    let hsigned = hsigner.sign_request(&hreq).unwrap();
    let auth = hsigned.authorization().to_string();
    let sts = hsigned.string_to_sign().to_string();
    let hreq2 = hreq.clone().with_header("Authorization", &auth).unwrap();
    let hpolicy = hmac_header::Policy::new(Arc::new(FixedClock::new(
        UnixTime::from_secs(NOW).saturating_add_secs(1),
    )));
    let mut g = c.benchmark_group("hmac_header");
    g.bench_function("floor: hmac-sha256 of the string to sign", |b| {
        b.iter(|| hk.sign(black_box(sts.as_bytes())))
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            hmac_header::parse(black_box(&hreq2))
                .unwrap()
                .unwrap()
                .verify(&secret, &hpolicy)
                .unwrap()
        })
    });
    g.bench_function("sign", |b| {
        b.iter(|| hsigner.sign_request(black_box(&hreq)).unwrap())
    });
    g.finish();

    // RFC 9421, hmac-sha256 over @method @authority @path content-digest, digest checked.
    let k = key(Algorithm::HmacSha256);
    let digest =
        countermark::content_digest(body, &[countermark::DigestAlgorithm::Sha256]).unwrap();
    let mreq = Request::new("POST", "/foo?param=Value")
        .unwrap()
        .with_authority("https", "example.com")
        .with_header("Content-Digest", &digest)
        .unwrap()
        .with_body(body);
    let msigner = MessageSigner::hmac(k.clone())
        .unwrap()
        .with_components(
            ["@method", "@authority", "@path", "content-digest"]
                .iter()
                .map(|c| countermark::http::message_signatures::Component::parse(c).unwrap()),
        )
        .unwrap()
        .with_clock(clock());
    let sig = msigner.sign(&mreq).unwrap();
    let (si, s) = (
        sig.signature_input().to_string(),
        sig.signature().to_string(),
    );
    let base = sig.signature_base().to_string();
    let mreq2 = mreq
        .clone()
        .with_header("Signature-Input", &si)
        .unwrap()
        .with_header("Signature", &s)
        .unwrap();
    let mkey = MessageVerifyingKey::hmac(k.clone()).unwrap();
    let mpolicy = MessagePolicy::new()
        .with_clock(clock())
        .check_content_digest(true);
    let mut g = c.benchmark_group("rfc9421");
    // The floor of a verification that checks the digest: the body's SHA-256 and one HMAC of the base.
    g.bench_function(
        "floor: sha-256 of the body + hmac-sha256 of the signature base",
        |b| b.iter(|| (sha256(black_box(body)), k.sign(black_box(base.as_bytes())))),
    );
    g.bench_function("verify hmac-sha256", |b| {
        b.iter(|| {
            UnverifiedMessageSignature::parse_for(black_box(&mreq2), &mpolicy)
                .unwrap()
                .expect("signature headers")
                .verify(&mkey, &mpolicy)
                .unwrap()
        })
    });
    g.bench_function("sign hmac-sha256", |b| {
        b.iter(|| msigner.sign(black_box(&mreq)).unwrap())
    });
    g.finish();
    rfc9421_1kib(c);
}

fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).into()
}

/// A JSON body of exactly 1024 bytes.
fn json_body_1kib() -> Vec<u8> {
    let mut body = String::from(r#"{"items": ["#);
    let mut i = 0;
    while body.len() < 1024 - 64 {
        if i > 0 {
            body.push_str(", ");
        }
        body.push_str(&format!(
            r#"{{"id": {i}, "name": "item {i}", "qty": {}}}"#,
            i % 7
        ));
        i += 1;
    }
    body.push_str(r#"], "note": ""#);
    while body.len() < 1024 - 2 {
        body.push('x');
    }
    body.push_str("\"}");
    assert_eq!(body.len(), 1024);
    body.into_bytes()
}

/// RFC 9421 as issue 16 states its target: a POST with a 1 KiB JSON body, hmac-sha256 over `@method @authority
/// @path content-digest`, digest checked; the floor is the body's SHA-256 plus one HMAC of the signature base.
fn rfc9421_1kib(c: &mut Criterion) {
    let body = json_body_1kib();
    let k = key(Algorithm::HmacSha256);
    let digest =
        countermark::content_digest(&body, &[countermark::DigestAlgorithm::Sha256]).unwrap();
    let req = Request::new("POST", "/api/v1/orders?param=Value")
        .unwrap()
        .with_authority("https", "api.example.com")
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_header("Content-Digest", &digest)
        .unwrap()
        .with_body(&body);
    let sig = MessageSigner::hmac(k.clone())
        .unwrap()
        .with_components(
            ["@method", "@authority", "@path", "content-digest"]
                .iter()
                .map(|c| countermark::http::message_signatures::Component::parse(c).unwrap()),
        )
        .unwrap()
        .with_clock(clock())
        .sign(&req)
        .unwrap();
    let base = sig.signature_base().to_string();
    let signed = req
        .clone()
        .with_header("Signature-Input", sig.signature_input())
        .unwrap()
        .with_header("Signature", sig.signature())
        .unwrap();
    let mkey = MessageVerifyingKey::hmac(k.clone()).unwrap();
    let policy = MessagePolicy::new()
        .with_clock(clock())
        .check_content_digest(true);
    let mut g = c.benchmark_group("rfc9421_1kib");
    g.bench_function(
        "floor: sha-256 of the body + hmac-sha256 of the signature base",
        |b| b.iter(|| (sha256(black_box(&body)), k.sign(black_box(base.as_bytes())))),
    );
    g.bench_function("verify hmac-sha256", |b| {
        b.iter(|| {
            UnverifiedMessageSignature::parse_for(black_box(&signed), &policy)
                .unwrap()
                .expect("signature headers")
                .verify(&mkey, &policy)
                .unwrap()
        })
    });
    g.finish();
}

fn jwts(c: &mut Criterion) {
    let keys = vectors_keys();
    let policy = JwtPolicy::new()
        .with_clock(clock())
        .with_nonce_store(Arc::new(AcceptAll));
    let mut g = c.benchmark_group("jwt");
    for (name, alg) in [
        ("ed25519", SignatureAlgorithm::Ed25519),
        ("rsa2048", SignatureAlgorithm::RsaPkcs1Sha512),
    ] {
        let (sk, vk) = pair(&keys, name);
        let token = Token::from_parts("alice", NOW, "n0nce").unwrap();
        let jwt = token.sign(&sk).unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let label = alg.jws_name();
        g.bench_function(format!("floor: bare {label} verify"), |b| {
            b.iter(|| vk.verify(alg, black_box(input.as_bytes()), &sig).unwrap())
        });
        g.bench_function(format!("verify {label}"), |b| {
            b.iter(|| {
                UnverifiedJwt::parse(black_box(&jwt))
                    .unwrap()
                    .verify(&vk, &policy)
                    .unwrap()
            })
        });
        g.bench_function(format!("sign {label}"), |b| {
            b.iter(|| black_box(&token).sign(&sk).unwrap())
        });
    }
    // RS256: the reference only signs RS512, but verifies what PyJWT clients send; built by hand here.
    let (sk, vk) = pair(&keys, "rsa2048");
    let header = format!(r#"{{"alg":"RS256","kid":"{}","typ":"JWT"}}"#, vk.key_id());
    let payload = Token::from_parts("alice", NOW, "n0nce")
        .unwrap()
        .payload_json();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = sk
        .sign(SignatureAlgorithm::RsaPkcs1Sha256, input.as_bytes())
        .unwrap();
    let jwt = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig));
    let vk256 = vk
        .clone()
        .with_allowed(&[SignatureAlgorithm::RsaPkcs1Sha256])
        .unwrap();
    g.bench_function("floor: bare RS256 verify", |b| {
        b.iter(|| {
            vk256
                .verify(
                    SignatureAlgorithm::RsaPkcs1Sha256,
                    black_box(input.as_bytes()),
                    &sig,
                )
                .unwrap()
        })
    });
    g.bench_function("verify RS256", |b| {
        b.iter(|| {
            UnverifiedJwt::parse(black_box(&jwt))
                .unwrap()
                .verify(&vk256, &policy)
                .unwrap()
        })
    });
    g.finish();
    let _ = jwt::MAX_JWT_LEN;
}

fn nonces(c: &mut Criterion) {
    let mut g = c.benchmark_group("nonce_store");
    let store = Arc::new(MemoryNonceStore::new(10_000_000));
    let now = clock().now();
    let until = now.saturating_add_secs(60);
    g.bench_function("check_and_insert, 1 thread", |b| {
        b.iter_batched(
            rand_value,
            |v| store.check_and_insert(&v, until, now).unwrap(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("check_and_insert, 2 threads (per insert)", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let handles: Vec<_> = (0..2u64)
                .map(|t| {
                    let store = Arc::clone(&store);
                    std::thread::spawn(move || {
                        for i in 0..iters / 2 {
                            let v = format!("t{t}-{i}-{:?}", start);
                            store.check_and_insert(v.as_bytes(), until, now).unwrap();
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            start.elapsed()
        })
    });
    g.finish();
}

fn rand_value() -> [u8; 16] {
    let mut v = [0u8; 16];
    countermark::RandomSource::fill(&mut countermark::OsRandom, &mut v).unwrap();
    v
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! { name = benches; config = config(); targets = tokens, signed_urls, request_schemes, jwts, nonces }
criterion_main!(benches);
