//! How many heap allocations each verify path makes (issue 7), counted by a global allocator wrapper on this
//! thread only. The counts are printed (`cargo test --test allocations -- --nocapture`) and bounded, so a change
//! that adds allocations to a hot path fails here and is a deliberate decision.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use countermark::http::{fost, hmac_header};
use countermark::jwt::{Policy as JwtPolicy, Token};
use countermark::signed::{Expiry, Extra, UrlSigner};
use countermark::{
    Algorithm, ApiSecret, FixedClock, HmacHeaderSigner, HmacKey, MessagePolicy, MessageSigner,
    MessageVerifyingKey, NonceStore, Request, Secret, SigningKey, Tokens, UnixTime, UnverifiedJwt,
    UnverifiedMessageSignature, VerifyingKey,
};

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations made by `f` on this thread (run twice; the second count, so one-time lazy setup is excluded).
fn allocations<T>(mut f: impl FnMut() -> T) -> usize {
    drop(f());
    let before = COUNT.with(Cell::get);
    let out = f();
    let n = COUNT.with(Cell::get) - before;
    drop(out);
    n
}

const NOW: i64 = 1_700_000_000;

fn key(alg: Algorithm) -> HmacKey {
    HmacKey::new(
        alg,
        &Secret::new(b"allocation-count secret 32 bytes".to_vec()).unwrap(),
    )
    .with_key_id(countermark::KeyId::new("k1").unwrap())
}

struct AcceptAll;
impl NonceStore for AcceptAll {
    fn check_and_insert(&self, _: &[u8], _: UnixTime, _: UnixTime) -> countermark::Result<()> {
        Ok(())
    }
}

fn report(name: &str, n: usize, bound: usize) {
    println!("allocations: {name:<28} {n:>3} (bound {bound})");
    assert!(
        n <= bound,
        "{name}: {n} allocations, more than the {bound} recorded in this test"
    );
}

#[test]
fn verify_paths() {
    let clock = Arc::new(FixedClock::at_secs(NOW));

    let tokens = Tokens::new(key(Algorithm::HmacSha256)).with_clock(clock.clone());
    let token = tokens.create(&["alice", "42"]).unwrap();
    report(
        "token verify",
        allocations(|| {
            tokens
                .verify(&token, Some(Duration::from_secs(60)))
                .unwrap()
        }),
        0,
    );

    let urls = UrlSigner::new(key(Algorithm::HmacSha1)).with_clock(clock.clone());
    let mut extra = Extra::new();
    extra.insert("email", "john.doe@mail.example.com").unwrap();
    let url = urls
        .sign_url(
            "https://example.com/api/",
            "user",
            Expiry::Lifetime(Duration::from_secs(600)),
            &extra,
        )
        .unwrap();
    report(
        "signed-URL validate",
        allocations(|| urls.validate_url(&url).unwrap()),
        9,
    );

    let body = br#"{"item": "book", "qty": 2}"#;
    let k1 = key(Algorithm::HmacSha1);
    let req = Request::new("POST", "/api/orders/")
        .unwrap()
        .with_body(body);
    let signed = fost::FostSigner::new("api-key-1", k1.clone())
        .unwrap()
        .with_clock(clock.clone())
        .sign(&req, &[])
        .unwrap();
    let hs: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let mut sreq = Request::new("POST", "/api/orders/")
        .unwrap()
        .with_body(body);
    for (n, v) in &hs {
        sreq = sreq.with_header(n, v).unwrap();
    }
    let policy = fost::Policy::new(clock.clone());
    report(
        "FOST verify",
        allocations(|| {
            fost::parse(&sreq)
                .unwrap()
                .unwrap()
                .verify(&k1, &policy)
                .unwrap()
        }),
        10,
    );

    let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").unwrap();
    let hreq = Request::new("POST", "/api/v1/resource/")
        .unwrap()
        .with_header("Content-Type", "application/json")
        .unwrap()
        .with_body(body);
    let hsigner = HmacHeaderSigner::new("aff80c45", secret.key(Algorithm::HmacSha256).unwrap())
        .unwrap()
        .with_clock(clock.clone());
    let auth = hsigner
        .sign_request(&hreq)
        .unwrap()
        .authorization()
        .to_string();
    let hreq2 = hreq.clone().with_header("Authorization", &auth).unwrap();
    let hpolicy = hmac_header::Policy::new(Arc::new(FixedClock::at_secs(NOW + 1)));
    report(
        "HMAC-header verify",
        allocations(|| {
            hmac_header::parse(&hreq2)
                .unwrap()
                .unwrap()
                .verify(&secret, &hpolicy)
                .unwrap()
        }),
        11,
    );

    let k = key(Algorithm::HmacSha256);
    let digest =
        countermark::content_digest(body, &[countermark::DigestAlgorithm::Sha256]).unwrap();
    let mreq = Request::new("POST", "/foo?param=Value")
        .unwrap()
        .with_authority("https", "example.com")
        .with_header("Content-Digest", &digest)
        .unwrap()
        .with_body(body);
    let sig = MessageSigner::hmac(k.clone())
        .unwrap()
        .with_components(
            ["@method", "@authority", "@path", "content-digest"]
                .iter()
                .map(|c| countermark::http::message_signatures::Component::parse(c).unwrap()),
        )
        .unwrap()
        .with_clock(clock.clone())
        .sign(&mreq)
        .unwrap();
    let mreq2 = mreq
        .clone()
        .with_header("Signature-Input", sig.signature_input())
        .unwrap()
        .with_header("Signature", sig.signature())
        .unwrap();
    let mkey = MessageVerifyingKey::hmac(k.clone()).unwrap();
    let mpolicy = MessagePolicy::new()
        .with_clock(clock.clone())
        .check_content_digest(true);
    report(
        "RFC 9421 verify (hmac)",
        allocations(|| {
            UnverifiedMessageSignature::parse_for(&mreq2, &mpolicy)
                .unwrap()
                .expect("signature headers")
                .verify(&mkey, &mpolicy)
                .unwrap()
        }),
        10,
    );

    let dir = std::env::var_os("COUNTERMARK_VECTORS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
        });
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("asym_jwt.json")).unwrap()).unwrap();
    let sk =
        SigningKey::from_pem(keys["keys"]["ed25519"]["private_pem"].as_str().unwrap()).unwrap();
    let vk =
        VerifyingKey::from_pem(keys["keys"]["ed25519"]["public_pem"].as_str().unwrap()).unwrap();
    let jwt = Token::from_parts("alice", NOW, "n0nce")
        .unwrap()
        .sign(&sk)
        .unwrap();
    let jpolicy = JwtPolicy::new()
        .with_clock(clock)
        .with_nonce_store(Arc::new(AcceptAll));
    report(
        "JWT verify (EdDSA)",
        allocations(|| {
            UnverifiedJwt::parse(&jwt)
                .unwrap()
                .verify(&vk, &jpolicy)
                .unwrap()
        }),
        28,
    );
}
