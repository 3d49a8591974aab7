//! Property tests: what is created verifies, and any one-byte change to it is refused.

use std::sync::Arc;
use std::time::Duration;

use countermark::signed::{Expiry, Extra, UrlSigner};
use countermark::{Algorithm, ErrorKind, FixedClock, HmacKey, Secret, Tokens, MAX_TOKEN_LEN};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;

fn alg() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::HMAC.to_vec())
}

fn secret() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 16..=80)
}

fn tokens(alg: Algorithm, secret: &[u8]) -> Tokens {
    Tokens::new(HmacKey::new(alg, &Secret::new(secret.to_vec()).unwrap()))
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_random_len(16)
        .unwrap()
}

fn signer(alg: Algorithm, secret: &[u8]) -> UrlSigner {
    UrlSigner::new(HmacKey::new(alg, &Secret::new(secret.to_vec()).unwrap()))
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn token_round_trip(alg in alg(), secret in secret(), fields in prop::collection::vec("[A-Za-z0-9_-]{0,24}", 0..8)) {
        let t = tokens(alg, &secret);
        let token = t.create(&fields).unwrap();
        prop_assert!(token.len() <= MAX_TOKEN_LEN);
        let verified = t.verify(&token, Some(Duration::from_secs(0))).unwrap();
        // handshake's rule: a single empty field reads back as no fields.
        let expected: Vec<String> = if fields.len() == 1 && fields[0].is_empty() { vec![] } else { fields };
        prop_assert_eq!(verified.fields(), expected.as_slice());
        prop_assert_eq!(verified.timestamp(), NOW);
    }

    #[test]
    fn token_any_one_byte_change_is_refused(
        alg in alg(),
        secret in secret(),
        fields in prop::collection::vec("[A-Za-z0-9_-]{0,12}", 0..4),
        pos in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        let t = tokens(alg, &secret);
        let token = t.create(&fields).unwrap();
        let mut bytes = token.clone().into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(t.verify(&changed, None).is_err(), "accepted {} (from {})", changed, token);
    }

    #[test]
    fn token_from_another_key_is_refused(alg in alg(), a in secret(), b in secret()) {
        prop_assume!(a != b);
        let token = tokens(alg, &a).create(&["user"]).unwrap();
        prop_assert_eq!(tokens(alg, &b).verify(&token, None).unwrap_err().kind(), ErrorKind::BadSignature);
    }

    #[test]
    fn token_verify_never_panics(input in "\\PC{0,300}") {
        let _ = tokens(Algorithm::HmacSha256, b"0123456789abcdef").verify(&input, Some(Duration::from_secs(10)));
    }

    #[test]
    fn signed_url_round_trip(
        alg in alg(),
        secret in secret(),
        user in "\\PC{0,40}",
        extra in prop::collection::btree_map("[a-z][a-z0-9_]{0,8}", "\\PC{0,30}", 0..5),
        lifetime in 1u64..100_000,
    ) {
        let s = signer(alg, &secret);
        let extra_data = Extra::from_pairs(extra.iter().map(|(k, v)| (k.clone(), v.clone()))).unwrap();
        prop_assume!(!extra.keys().any(|k| ["signature", "auth_user", "valid_until", "extra"].contains(&k.as_str())));
        let url = s.sign_url("https://example.com/path", &user, Expiry::Lifetime(Duration::from_secs(lifetime)), &extra_data).unwrap();
        let data = s.validate_url(&url).unwrap();
        prop_assert_eq!(data.auth_user(), user.as_str());
        let got: Vec<(String, String)> = data.extra().to_vec();
        let want: Vec<(String, String)> = extra.into_iter().collect();
        prop_assert_eq!(got, want);
        // Expired exactly at valid_until.
        let at_expiry = s.clone().with_clock(Arc::new(FixedClock::at_secs(NOW + lifetime as i64)));
        let rejection = at_expiry.validate_url(&url).unwrap_err();
        prop_assert_eq!(rejection.failures(), [countermark::signed::Failure::Expired]);
    }

    #[test]
    fn signed_data_any_one_byte_change_is_refused(
        alg in alg(),
        secret in secret(),
        user in "[ -~]{0,20}",
        extra in prop::collection::btree_map("[a-z]{1,6}", "[ -~]{0,12}", 0..4),
        which in any::<prop::sample::Index>(),
        pos in any::<prop::sample::Index>(),
        byte in 0x20u8..0x7f,
    ) {
        prop_assume!(!extra.keys().any(|k| ["signature", "auth_user", "valid_until", "extra"].contains(&k.as_str())));
        let s = signer(alg, &secret);
        let extra_data = Extra::from_pairs(extra.iter().map(|(k, v)| (k.clone(), v.clone()))).unwrap();
        let sig = s.generate(&user, Expiry::Lifetime(Duration::from_secs(600)), &extra_data).unwrap();
        let mut params = sig.to_dict(s.param_names());
        prop_assert!(s.validate(&params).is_ok());
        // Change one byte of one signed value (signature, user, expiry, the key list or an extra value).
        let w = which.index(params.len());
        let mut value = params[w].1.clone().into_bytes();
        prop_assume!(!value.is_empty());
        let i = pos.index(value.len());
        prop_assume!(value[i] != byte);
        value[i] = byte;
        params[w].1 = String::from_utf8(value).unwrap();
        prop_assert!(s.validate(&params).is_err(), "accepted a change to {}", params[w].0);
    }

    #[test]
    fn validate_url_never_panics(input in "\\PC{0,300}") {
        let _ = signer(Algorithm::HmacSha1, b"0123456789abcdef").validate_url(&input);
    }
}
