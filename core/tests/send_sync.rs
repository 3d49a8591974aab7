//! Every signer, key, verifier key and policy is `Send + Sync + 'static`: built once, kept (in a static, an
//! `Arc`, a binding's handle) and shared by every thread. A type that stops being so fails to compile here.

use countermark::http::{fost, hmac_header, TimePolicy};
use countermark::signed::UrlSigner;
use countermark::{
    jwt, ApiSecret, FostSigner, FostUrlSigner, HmacHeaderSigner, HmacKey, KeyRing,
    MemoryNonceStore, MessagePolicy, MessageSigner, MessageVerifyingKey, Secret, SigningKey,
    Tokens, VerifyingKey,
};

fn shareable<T: Send + Sync + 'static>() {}

#[test]
fn signers_keys_and_policies_are_send_sync_static() {
    // Signers.
    shareable::<Tokens>();
    shareable::<UrlSigner>();
    shareable::<FostSigner>();
    shareable::<FostUrlSigner>();
    shareable::<HmacHeaderSigner>();
    shareable::<MessageSigner>();
    shareable::<jwt::Token>();
    // Keys (signing and verifying).
    shareable::<Secret>();
    shareable::<HmacKey>();
    shareable::<KeyRing>();
    shareable::<ApiSecret>();
    shareable::<SigningKey>();
    shareable::<VerifyingKey>();
    shareable::<MessageVerifyingKey>();
    // Policies and the replay memory they share.
    shareable::<fost::Policy>();
    shareable::<hmac_header::Policy>();
    shareable::<TimePolicy<countermark::http::FostWindow>>();
    shareable::<MessagePolicy>();
    shareable::<jwt::Policy>();
    shareable::<MemoryNonceStore>();
}

/// A signer owns its key: it outlives the key value it was built from and moves to another thread.
#[test]
fn a_message_signer_outlives_its_key_and_crosses_threads() {
    let signer = {
        let key = HmacKey::new(
            countermark::Algorithm::HmacSha256,
            &Secret::new(*b"a secret of 16+ bytes").unwrap(),
        );
        MessageSigner::hmac(key)
            .unwrap()
            .with_key_id("k1")
            .unwrap()
            .with_created(1_700_000_000)
    };
    let request = countermark::Request::new("GET", "https://example.com/a").unwrap();
    let here = signer.sign(&request).unwrap();
    let there = std::thread::spawn(move || {
        let request = countermark::Request::new("GET", "https://example.com/a").unwrap();
        signer.sign(&request).unwrap()
    })
    .join()
    .unwrap();
    assert_eq!(here.signature(), there.signature());
}
