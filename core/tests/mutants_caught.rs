//! Tests written for mutants that cargo-mutants left uncaught (`make mutants`, MUTANTS.md): each pins a rule that
//! the other suites did not, on a validly signed input, with the exact outcome. A test here names the mutant it
//! kills, so a later refactor knows why it exists.

use std::sync::Arc;

use countermark::{
    Algorithm, ErrorKind, FixedClock, HmacKey, Secret, Tokens, UnverifiedToken, MAX_TOKEN_LEN,
};

// ---------------------------------------------------------------------------------------------------------------
// token.rs
// ---------------------------------------------------------------------------------------------------------------

const NOW: i64 = 1_700_000_000;

fn token_key() -> HmacKey {
    HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(*b"0123456789abcdef").unwrap(),
    )
}

fn tokens() -> Tokens {
    Tokens::new(token_key()).with_clock(Arc::new(FixedClock::at_secs(NOW)))
}

/// A token signed as handshake signs one, with any `random` part (`create` only makes hex ones, but `verify`
/// takes whatever text is there).
fn signed_token(fields: &str, random: &str) -> String {
    let msg = format!("{fields}:{NOW}:{random}");
    format!("{msg}:{}", token_key().sign(msg.as_bytes()).to_hex())
}

/// `u:1700000000:` + random + `:` + 64 hex digits: the random part that makes a token of `chars` characters.
fn random_for(chars: usize, unit: char) -> String {
    std::iter::repeat_n(unit, chars - "u:1700000000:".len() - 1 - 64).collect()
}

/// The limit counts characters, as handshake does, not bytes: a validly signed token of exactly MAX_TOKEN_LEN
/// characters verifies even when it is several times longer in bytes. Kills, in `UnverifiedToken::parse`:
/// `&&` -> `||` (every token over 2048 bytes refused), `chars().count() > MAX` -> `>=` / `<`, and
/// `len() > 4 * MAX` -> `len() > 4 + MAX` / `len() > 4 / MAX` (multi-byte tokens refused).
#[test]
fn token_of_max_len_characters_in_multibyte_text_verifies() {
    for unit in ['é', '€', '😀'] {
        let token = signed_token("u", &random_for(MAX_TOKEN_LEN, unit));
        assert_eq!(token.chars().count(), MAX_TOKEN_LEN);
        assert!(token.len() > MAX_TOKEN_LEN);
        let verified = tokens()
            .verify(&token, Some(Duration::from_secs(0)))
            .unwrap();
        assert_eq!(verified.fields(), ["u"]);
    }
}

/// One character over the limit is TooLarge whether the text is ASCII (bytes == characters, under the 4x byte
/// bound) or multi-byte. Kills `||` -> `&&` and `chars().count() > MAX` -> `==` in `UnverifiedToken::parse`.
#[test]
fn token_one_character_over_max_len_is_too_large() {
    for unit in ['a', 'é', '😀'] {
        let token = signed_token("u", &random_for(MAX_TOKEN_LEN + 1, unit));
        assert_eq!(token.chars().count(), MAX_TOKEN_LEN + 1);
        assert!(token.len() < 4 * MAX_TOKEN_LEN);
        assert_eq!(
            tokens().verify(&token, None).unwrap_err().kind(),
            ErrorKind::TooLarge,
            "{unit}"
        );
    }
    // The same characters one fewer verify: the refusal above is the length and nothing else.
    let token = signed_token("u", &random_for(MAX_TOKEN_LEN, 'a'));
    assert!(tokens().verify(&token, None).is_ok());
}

/// The 4x byte bound is only a shortcut: a text of exactly MAX_TOKEN_LEN four-byte characters (4 * MAX_TOKEN_LEN
/// bytes) is not too large, it is malformed (no `:`); one character more is too large. Kills `len() > 4 * MAX` ->
/// `>=` / `==` in `UnverifiedToken::parse`.
#[test]
fn four_byte_text_at_the_byte_bound_is_malformed_not_too_large() {
    let at_limit = "😀".repeat(MAX_TOKEN_LEN);
    assert_eq!(at_limit.len(), 4 * MAX_TOKEN_LEN);
    assert_eq!(
        UnverifiedToken::parse(&at_limit).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let over = "😀".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(
        UnverifiedToken::parse(&over).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

/// `parse` reports the claimed fields and time before any check. Kills the constant-return mutants of
/// `UnverifiedToken::claimed_fields` and `UnverifiedToken::claimed_timestamp`.
#[test]
fn unverified_token_reports_its_claims() {
    let token = signed_token("tenant-7:user_42", "r");
    let parsed = UnverifiedToken::parse(&token).unwrap();
    assert_eq!(parsed.claimed_fields(), ["tenant-7", "user_42"]);
    assert_eq!(parsed.claimed_timestamp(), NOW);
    // The claims are the ones that verify.
    let verified = tokens()
        .verify(&token, Some(Duration::from_secs(0)))
        .unwrap();
    assert_eq!(verified.fields(), parsed.claimed_fields());
    assert_eq!(verified.timestamp(), parsed.claimed_timestamp());

    let none = signed_token("", "r");
    let parsed = UnverifiedToken::parse(&none).unwrap();
    assert!(parsed.claimed_fields().is_empty());
    assert_eq!(parsed.claimed_timestamp(), NOW);
    let before_epoch = tokens()
        .create(&["x"])
        .unwrap()
        .replacen(&NOW.to_string(), "-5", 1);
    assert_eq!(
        UnverifiedToken::parse(&before_epoch)
            .unwrap()
            .claimed_timestamp(),
        -5
    );
}

// ---------------------------------------------------------------------------------------------------------------
// replay.rs
// ---------------------------------------------------------------------------------------------------------------

use countermark::replay::MAX_NONCE_LEN;
use countermark::{MemoryNonceStore, NonceStore, UnixTime};

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn at(secs: u64) -> UnixTime {
    T0.saturating_add_secs(secs)
}

/// A value of exactly MAX_NONCE_LEN bytes is stored, one byte more is TooLarge. Kills `>` -> `>=` / `==` in
/// `check_len`.
#[test]
fn nonce_of_max_len_is_stored_and_one_more_byte_is_too_large() {
    let store = MemoryNonceStore::new(100);
    store
        .check_and_insert(&[7u8; MAX_NONCE_LEN], at(40), T0)
        .unwrap();
    assert_eq!(
        store
            .check_and_insert(&[7u8; MAX_NONCE_LEN], at(40), T0)
            .unwrap_err()
            .kind(),
        ErrorKind::Replayed
    );
    assert_eq!(
        store
            .check_and_insert(&[8u8; MAX_NONCE_LEN + 1], at(40), T0)
            .unwrap_err()
            .kind(),
        ErrorKind::TooLarge
    );
}

/// Capacity is rounded up to whole shards of 16, and `len`/`is_empty` count the entries. Kills the constant and
/// arithmetic mutants of `MemoryNonceStore::capacity`, `len` and `is_empty`.
#[test]
fn memory_store_reports_capacity_and_size() {
    assert_eq!(MemoryNonceStore::new(100).capacity(), 112);
    assert_eq!(MemoryNonceStore::new(0).capacity(), 16);
    assert_eq!(MemoryNonceStore::new(64).capacity(), 64);
    assert_eq!(
        MemoryNonceStore::default().capacity(),
        MemoryNonceStore::DEFAULT_CAPACITY
    );
    let store = MemoryNonceStore::new(1000);
    assert!(store.is_empty());
    assert_eq!(store.len(), 0);
    for i in 0..5u8 {
        store.check_and_insert(&[i], at(40), T0).unwrap();
    }
    assert!(!store.is_empty());
    assert_eq!(store.len(), 5);
}

/// An entry is kept at least one second, even when its expiry is already past: the same value twice within one
/// second is a replay. Kills `now_s + 1` -> `now_s - 1` / `now_s * 1` in `check_and_insert`.
#[test]
fn nonce_expiring_now_is_still_a_replay_within_the_second() {
    let store = MemoryNonceStore::new(100);
    store.check_and_insert(b"n", T0, T0).unwrap();
    assert_eq!(
        store.check_and_insert(b"n", T0, T0).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    // One second later it has expired.
    store.check_and_insert(b"n", at(1), at(1)).unwrap();
}

/// A full store evicts the entries whose expiry is exactly now (they are no longer live: `until > now` keeps an
/// entry). Kills `*until > now_s` -> `>=` / `==` in the eviction of `check_and_insert`.
#[test]
fn full_store_evicts_entries_expiring_exactly_now() {
    // 16 shards of one entry each (the shard is a keyed hash of the value): insert until every shard is full.
    let store = MemoryNonceStore::new(16);
    let mut i = 0u32;
    while store.len() < 16 && i < 100_000 {
        if let Err(e) = store.check_and_insert(&i.to_be_bytes(), at(10), T0) {
            assert_eq!(e.kind(), ErrorKind::Unavailable);
        }
        i += 1;
    }
    assert_eq!(store.len(), 16);
    // Still live one second before: a new value is refused. At the expiry itself every entry is evicted.
    assert_eq!(
        store
            .check_and_insert(b"fresh", at(20), at(9))
            .unwrap_err()
            .kind(),
        ErrorKind::Unavailable
    );
    // `len() == 16` with one entry per shard: every shard is full, whichever one "fresh" lands in.
    store.check_and_insert(b"fresh", at(20), at(10)).unwrap();
}

// ---------------------------------------------------------------------------------------------------------------
// signed/ (ska)
// ---------------------------------------------------------------------------------------------------------------

use countermark::signed::{
    Expiry, Extra, Failure, ParamNames, Quoter, UrlSigner, ValidUntil, ValueDumper,
};
use countermark::{KeyId, KeyRing};

fn ska_key(secret: &[u8; 16]) -> HmacKey {
    HmacKey::new(Algorithm::HmacSha1, &Secret::new(*secret).unwrap())
}

fn ska_signer(keys: impl Into<KeyRing>) -> UrlSigner {
    UrlSigner::new(keys).with_clock(Arc::new(FixedClock::at_secs(NOW)))
}

/// Every one of the four parameter names, default or custom, is refused as an extra key; any other key is signed.
/// Kills the `||` -> `&&` and `==` -> `!=` mutants of `ParamNames::is_reserved` (the unit test tries `signature`
/// only).
#[test]
fn every_parameter_name_is_refused_as_an_extra_key() {
    let custom = ParamNames {
        signature: "s".into(),
        auth_user: "u".into(),
        valid_until: "v".into(),
        extra: "x".into(),
    };
    for (signer, names) in [
        (
            ska_signer(ska_key(b"0123456789abcdef")),
            ParamNames::default(),
        ),
        (
            ska_signer(ska_key(b"0123456789abcdef"))
                .with_param_names(custom.clone())
                .unwrap(),
            custom,
        ),
    ] {
        for reserved in [
            &names.signature,
            &names.auth_user,
            &names.valid_until,
            &names.extra,
        ] {
            let extra = Extra::from_pairs([(reserved.as_str(), "1")]).unwrap();
            assert_eq!(
                signer
                    .generate("user", Expiry::Lifetime(Duration::from_secs(60)), &extra)
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidValue,
                "{reserved}"
            );
        }
        let extra = Extra::from_pairs([("email", "a@example.com")]).unwrap();
        let sig = signer
            .generate("user", Expiry::Lifetime(Duration::from_secs(60)), &extra)
            .unwrap();
        let data = signer.validate(&sig.to_dict(signer.param_names())).unwrap();
        assert_eq!(
            data.extra(),
            [("email".to_string(), "a@example.com".to_string())]
        );
    }
}

/// A ring that holds the same secret twice (rotated to a new key id without a new secret) still validates what
/// that secret signed: a match under any key is a match. Kills `found | ct_eq(..)` -> `found ^ ct_eq(..)` in
/// `UrlSigner::validate` (two matches would cancel out).
#[test]
fn ska_ring_with_the_same_secret_twice_validates() {
    let secret = b"0123456789abcdef";
    let mut ring = KeyRing::new(ska_key(secret).with_key_id(KeyId::new("old").unwrap()));
    ring.rotate(ska_key(secret).with_key_id(KeyId::new("new").unwrap()))
        .unwrap();
    let signer = ska_signer(ring);
    let url = signer
        .sign_url(
            "https://e.com/x",
            "user",
            Expiry::Lifetime(Duration::from_secs(60)),
            &Extra::new(),
        )
        .unwrap();
    assert_eq!(signer.validate_url(&url).unwrap().auth_user(), "user");
    // ... and a signature of neither is still refused.
    let other = ska_signer(ska_key(b"fedcba9876543210"))
        .sign_url(
            "https://e.com/x",
            "user",
            Expiry::Lifetime(Duration::from_secs(60)),
            &Extra::new(),
        )
        .unwrap();
    assert_eq!(
        signer.validate_url(&other).unwrap_err().failures(),
        [Failure::InvalidSignature]
    );
}

/// A rejection prints as ska's message, and each failure has ska's code, message and kind. Kills the constant
/// mutants of `Failure::code`/`message`, `Rejection::message` and `Display for Rejection`.
#[test]
fn ska_rejections_print_as_ska_words_them() {
    let signer = ska_signer(ska_key(b"0123456789abcdef"));
    let sig = signer
        .generate("user", Expiry::At(ValidUntil::Int(NOW)), &Extra::new())
        .unwrap();
    let mut dict = sig.to_dict(signer.param_names());
    dict[0].1 = "AAAA".into();
    let rejection = signer.validate(&dict).unwrap_err();
    assert_eq!(
        rejection.failures(),
        [Failure::InvalidSignature, Failure::Expired]
    );
    assert_eq!(
        rejection.to_string(),
        "Invalid signature! Signature timestamp expired!"
    );
    assert_eq!(rejection.message(), rejection.to_string());
    let table = [
        (
            Failure::InvalidSignature,
            1,
            "Invalid signature!",
            ErrorKind::BadSignature,
        ),
        (
            Failure::Expired,
            2,
            "Signature timestamp expired!",
            ErrorKind::Expired,
        ),
        (
            Failure::InvalidValidUntil,
            3,
            "Invalid valid_until!",
            ErrorKind::Malformed,
        ),
    ];
    for (failure, code, message, kind) in table {
        assert_eq!(failure.code(), code);
        assert_eq!(failure.message(), message);
        assert_eq!(failure.kind(), kind);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Policies: `describe` is the contract the bindings' tests compare their default policies with
// (`countermark::policy_defaults`), so its text is pinned here.
// ---------------------------------------------------------------------------------------------------------------

use countermark::http::{fost, hmac_header, Request};
use countermark::{jwt, ApiSecret, HmacHeaderSigner};
use std::time::Duration;

/// Kills the constant mutants of `describe` and of the `max_age`/`clock_skew` getters.
#[test]
fn policies_describe_their_settings() {
    let clock = Arc::new(FixedClock::at_secs(NOW));
    let store = Arc::new(MemoryNonceStore::default());

    let hmac = hmac_header::Policy::new(clock.clone());
    assert_eq!(hmac.max_age(), Duration::from_secs(5));
    assert_eq!(hmac.describe(), "hmac_header max_age=5s nonce_store=off");
    let hmac = hmac
        .with_max_age(Duration::from_secs(30))
        .with_nonce_store(store.clone());
    assert_eq!(hmac.max_age(), Duration::from_secs(30));
    assert_eq!(hmac.describe(), "hmac_header max_age=30s nonce_store=on");

    let f = fost::Policy::new(clock.clone());
    assert_eq!(f.clock_skew(), Duration::from_secs(300));
    assert_eq!(f.describe(), "fost clock_skew=300s nonce_store=off");
    let f = f
        .with_clock_skew(Duration::from_secs(7))
        .with_nonce_store(store);
    assert_eq!(f.clock_skew(), Duration::from_secs(7));
    assert_eq!(f.describe(), "fost clock_skew=7s nonce_store=on");

    let j = jwt::Policy::new();
    assert_eq!(j.clock_skew(), Duration::from_secs(20));
    assert_eq!(j.describe(), "jwt clock_skew=20s nonce_store=on");
    let j = j.with_clock_skew(Duration::from_secs(3)).unwrap();
    assert_eq!(j.clock_skew(), Duration::from_secs(3));
    assert_eq!(j.describe(), "jwt clock_skew=3s nonce_store=on");

    assert_eq!(
        countermark::policy_defaults()[..2],
        [
            fost::Policy::default().describe(),
            hmac_header::Policy::default().describe()
        ]
    );
}

/// The FOST/HMAC-header policy (`http::TimePolicy`, 0.2) takes its clock from `with_clock` and reports its nonce
/// store. Kills `TimePolicy::with_clock -> Default::default()` (the system clock, for which the request of 2023 is
/// long expired) and `TimePolicy::nonce_store -> None`.
#[test]
fn time_policy_uses_the_clock_it_is_given_and_reports_its_store() {
    let api = ApiSecret::from_secret(Secret::new(b"hmac-header-secret-0123".to_vec()).unwrap());
    let signed = HmacHeaderSigner::new("k", api.key(Algorithm::HmacSha256).unwrap())
        .unwrap()
        .sign_at(&hmac_header::Body::Empty, "2023-11-14T22:13:19+00:00")
        .unwrap();
    let request = Request::new("GET", "/api/")
        .unwrap()
        .with_header("Authorization", signed.authorization())
        .unwrap();
    let parsed = hmac_header::parse(&request).unwrap().unwrap();
    let system = hmac_header::Policy::new(Arc::new(countermark::SystemClock));
    assert_eq!(
        parsed.verify(&api, &system).unwrap_err().kind(),
        ErrorKind::Expired
    );
    let fixed = system.with_clock(Arc::new(FixedClock::at_secs(NOW)));
    parsed.verify(&api, &fixed).unwrap();

    assert!(fixed.nonce_store().is_none());
    let store: Arc<dyn countermark::NonceStore> = Arc::new(MemoryNonceStore::default());
    let with_store = fixed.with_nonce_store(store.clone());
    assert!(Arc::ptr_eq(with_store.nonce_store().unwrap(), &store));
    let f = fost::Policy::new(Arc::new(FixedClock::at_secs(NOW))).with_nonce_store(store.clone());
    assert!(Arc::ptr_eq(f.nonce_store().unwrap(), &store));
}

// ---------------------------------------------------------------------------------------------------------------
// http/hmac_header
// ---------------------------------------------------------------------------------------------------------------

/// The parsed header names the algorithm of its method word (the secret is looked up per algorithm). Kills
/// `UnverifiedHmacHeader::claimed_algorithm` -> `Default::default()`.
#[test]
fn hmac_header_claims_the_algorithm_of_its_method_word() {
    let api = ApiSecret::from_secret(Secret::new(b"hmac-header-secret-0123".to_vec()).unwrap());
    let policy = hmac_header::Policy::new(Arc::new(FixedClock::at_secs(NOW)));
    for alg in [
        Algorithm::HmacSha256,
        Algorithm::HmacSha384,
        Algorithm::HmacSha512,
    ] {
        let signed = HmacHeaderSigner::new("k", api.key(alg).unwrap())
            .unwrap()
            .sign_at(&hmac_header::Body::Empty, "2023-11-14T22:13:19+00:00")
            .unwrap();
        let request = Request::new("GET", "/api/")
            .unwrap()
            .with_header("Authorization", signed.authorization())
            .unwrap();
        let parsed = hmac_header::parse(&request).unwrap().unwrap();
        assert_eq!(parsed.claimed_algorithm(), alg);
        assert_eq!(parsed.claimed_key_id(), "k");
        let verified = parsed.verify(&api, &policy).unwrap();
        assert_eq!(verified.algorithm(), alg);
    }
}

/// A generated signature reports what it signed. Kills the constant mutants of `Signature::auth_user`,
/// `Signature::valid_until` and `Signature::extra`.
#[test]
fn ska_signature_reports_what_it_signed() {
    let signer = ska_signer(ska_key(b"0123456789abcdef"));
    let extra = Extra::from_pairs([("b", "2"), ("a", "1")]).unwrap();
    let sig = signer
        .generate("alice", Expiry::At(ValidUntil::Int(NOW + 60)), &extra)
        .unwrap();
    assert_eq!(sig.auth_user(), "alice");
    assert_eq!(sig.valid_until(), (NOW + 60).to_string());
    assert_eq!(sig.extra(), &extra);
    assert_eq!(sig.extra().len(), 2);
    let data = signer.validate(&sig.to_dict(signer.param_names())).unwrap();
    assert_eq!(data.auth_user(), sig.auth_user());
    assert_eq!(data.valid_until(), sig.valid_until());
}

/// Extra data as JSON: exactly 64 KiB (the documented MAX_JSON_LEN) is read, one byte more is TooLarge. Kills
/// `>` -> `>=` in `Extra::from_json` and `64 * 1024` -> `64 + 1024` in the constant.
#[test]
fn extra_json_of_max_len_is_read_and_one_more_byte_is_too_large() {
    const DOCUMENTED_LIMIT: usize = 65_536;
    let value_len = DOCUMENTED_LIMIT - r#"{"k":""}"#.len();
    let at_limit = format!(r#"{{"k":"{}"}}"#, "a".repeat(value_len));
    assert_eq!(at_limit.len(), DOCUMENTED_LIMIT);
    let extra = Extra::from_json(&at_limit).unwrap();
    assert_eq!(extra.len(), 1);
    // It signs and validates.
    let signer = ska_signer(ska_key(b"0123456789abcdef"));
    let sig = signer
        .generate("u", Expiry::Lifetime(Duration::from_secs(60)), &extra)
        .unwrap();
    let data = signer.validate(&sig.to_dict(signer.param_names())).unwrap();
    assert_eq!(data.extra()[0].1.len(), value_len);

    let over = format!(r#"{{"k":"{}"}}"#, "a".repeat(value_len + 1));
    assert_eq!(
        Extra::from_json(&over).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
}

/// Expired entries are evicted only when a shard fills up (an insert does not sweep its shard each time, which
/// would make every insert cost a pass over the shard): below capacity, `len` still counts them. Kills
/// `map.len() >= per_shard && !contains` -> `||` in `MemoryNonceStore::check_and_insert`.
#[test]
fn memory_store_evicts_only_when_a_shard_is_full() {
    // 16 shards of 1000: 1000 values never fill one (an even spread is ~63 a shard).
    let store = MemoryNonceStore::new(16_000);
    for i in 0..1000u32 {
        store.check_and_insert(&i.to_be_bytes(), at(1), T0).unwrap();
    }
    // All expired at T0 + 5; a new value lands in a shard that holds some of them (odds of an empty shard:
    // (15/16)^1000), and they stay until that shard is full.
    store.check_and_insert(b"new", at(60), at(5)).unwrap();
    assert_eq!(store.len(), 1001);
    // An expired value is accepted again, in place.
    store
        .check_and_insert(&7u32.to_be_bytes(), at(60), at(5))
        .unwrap();
    assert_eq!(store.len(), 1001);
}

/// The signer reports the helpers it was given (the bindings read them back). Kills `UrlSigner::value_dumper`
/// and `UrlSigner::quoter` -> `Default::default()` (the defaults are the Python helpers).
#[test]
fn ska_signer_reports_its_helpers() {
    let signer = ska_signer(ska_key(b"0123456789abcdef"));
    assert_eq!(signer.value_dumper(), ValueDumper::Python);
    assert_eq!(signer.quoter(), Quoter::Python);
    let js = signer
        .with_value_dumper(ValueDumper::JavaScript)
        .with_quoter(Quoter::JavaScript);
    assert_eq!(js.value_dumper(), ValueDumper::JavaScript);
    assert_eq!(js.quoter(), Quoter::JavaScript);
}

/// ska's JavaScript value dumper writes non-finite floats as Python's `json.dumps` does (`NaN`, `Infinity`,
/// `-Infinity`), not as Python's `repr` (`nan`, `inf`). Kills the `is_nan()` / `is_infinite()` guards ->
/// `false` in `Value::write_json`.
#[test]
fn javascript_dumper_writes_non_finite_floats_as_json_dumps() {
    let extra = Extra::from_pairs([(
        "v",
        countermark::signed::Value::List(vec![
            countermark::signed::Value::Float(f64::NAN),
            countermark::signed::Value::Float(f64::INFINITY),
            countermark::signed::Value::Float(f64::NEG_INFINITY),
            countermark::signed::Value::Float(1.5),
        ]),
    )])
    .unwrap();
    let js = ska_signer(ska_key(b"0123456789abcdef")).with_value_dumper(ValueDumper::JavaScript);
    let sig = js
        .generate("u", Expiry::Lifetime(Duration::from_secs(60)), &extra)
        .unwrap();
    let dict = sig.to_dict(js.param_names());
    assert_eq!(
        dict.last().unwrap(),
        &("v".to_string(), "[NaN,Infinity,-Infinity,1.5]".to_string())
    );
    assert!(js.validate(&dict).is_ok());
}

// ---------------------------------------------------------------------------------------------------------------
// http/fost
// ---------------------------------------------------------------------------------------------------------------

/// FOST signs the body, or the query string when the body is empty: an explicitly empty body counts as none.
/// Kills the `!body.is_empty()` guard -> `true` in `body_or_query` (signer and verifier share it, so only the
/// signed document shows the difference), and the constant mutants of `FostSignature::timestamp`.
#[test]
fn fost_signs_the_query_when_the_body_is_empty() {
    let key = fost::hmac_key(&Secret::new(b"fost-secret-0123".to_vec()).unwrap());
    let signer = countermark::FostSigner::new("k", key).unwrap();
    for request in [
        Request::new("GET", "/a/?x=1&y=2").unwrap(),
        Request::new("GET", "/a/?x=1&y=2").unwrap().with_body(b""),
    ] {
        let signed = signer
            .sign_at(&request, &[], "2013-11-26T10:20:30Z")
            .unwrap();
        assert_eq!(signed.timestamp(), "2013-11-26T10:20:30Z");
        assert!(signed
            .headers()
            .contains(&("X-FOST-Timestamp", "2013-11-26T10:20:30Z")));
        assert!(
            signed.document().ends_with(b"\nx=1&y=2"),
            "{:?}",
            String::from_utf8_lossy(signed.document())
        );
    }
    let with_body = Request::new("POST", "/a/?x=1").unwrap().with_body(b"{}");
    let signed = signer
        .sign_at(&with_body, &[], "2013-11-26T10:20:30Z")
        .unwrap();
    assert!(signed.document().ends_with(b"\n{}"));
}

/// The FOST signer refuses to sign its own headers, even when the request carries them, and names that are not
/// header tokens, saying so (not that the header is missing). Kills the `||` / `&&` swaps in the name check of
/// `FostSigner::sign_at`.
#[test]
fn fost_signer_refuses_reserved_and_malformed_header_names() {
    let key = fost::hmac_key(&Secret::new(b"fost-secret-0123".to_vec()).unwrap());
    let signer = countermark::FostSigner::new("k", key).unwrap();
    let request = Request::new("GET", "/a/")
        .unwrap()
        .with_header("Authorization", "FOST k:x")
        .unwrap()
        .with_header("X-FOST-Headers", "X-FOST-Headers")
        .unwrap()
        .with_header("X-FOST-Timestamp", "2013-11-26 10:20:30")
        .unwrap()
        .with_header("X-A", "1")
        .unwrap();
    // The request as it is signs fine with an ordinary header.
    signer
        .sign_at(&request, &["X-A"], "2013-11-26T10:20:30Z")
        .unwrap();
    for name in [
        "Authorization",
        "authorization",
        "X-FOST-Headers",
        "x-fost-timestamp",
        "",
        "X A",
        "X:A",
        "X-\u{e9}",
    ] {
        let err = signer
            .sign_at(&request, &["X-A", name], "2013-11-26T10:20:30Z")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{name:?}");
        assert!(
            err.message().contains("cannot be a signed header name"),
            "{name:?}: {}",
            err.message()
        );
    }
}

/// The parsed FOST request reports its claims, the verified one its key. Kills the constant mutants of
/// `UnverifiedFost::claimed_timestamp`, `UnverifiedFost::claimed_signed_headers` and `VerifiedFost::key`.
#[test]
fn fost_request_reports_its_claims() {
    let secret = Secret::new(b"fost-secret-0123".to_vec()).unwrap();
    let signer = countermark::FostSigner::new("key-1", fost::hmac_key(&secret)).unwrap();
    let request = Request::new("GET", "/a/")
        .unwrap()
        .with_header("X-A", "1")
        .unwrap()
        .with_header("X-B", "two")
        .unwrap();
    let signed = signer
        .sign_at(&request, &["X-A", "X-B"], "2013-11-26 10:20:30")
        .unwrap();
    let mut request = request;
    for (n, v) in signed.headers() {
        request = request.with_header(n, v).unwrap();
    }
    let parsed = fost::parse(&request).unwrap().unwrap();
    assert_eq!(parsed.claimed_key_id(), "key-1");
    assert_eq!(parsed.claimed_timestamp(), "2013-11-26 10:20:30");
    // X-FOST-Headers names itself first, as FOST signs it.
    assert_eq!(
        parsed.claimed_signed_headers(),
        [
            ("X-FOST-Headers", "X-FOST-Headers X-A X-B"),
            ("X-A", "1"),
            ("X-B", "two")
        ]
    );
    let policy = fost::Policy::new(Arc::new(FixedClock::at_secs(1_385_461_230)));
    let verified = parsed.verify(&fost::hmac_key(&secret), &policy).unwrap();
    assert_eq!(verified.key_id(), "key-1");
    assert_eq!(verified.user(), "key-1");

    // With no skew allowed every request is refused; one stamped this very second is not in the past, so it is
    // NotYetValid, not Expired. Kills `signed < now` -> `<=` in `UnverifiedFost::verify`.
    let zero = fost::Policy::new(Arc::new(FixedClock::at_secs(1_385_461_230)))
        .with_clock_skew(Duration::ZERO);
    assert_eq!(
        parsed
            .verify(&fost::hmac_key(&secret), &zero)
            .unwrap_err()
            .kind(),
        ErrorKind::NotYetValid
    );
}

/// Kills the constant mutants of `Extra::len` and `Extra::is_empty`.
#[test]
fn extra_counts_its_items() {
    let mut extra = Extra::new();
    assert!(extra.is_empty());
    assert_eq!(extra.len(), 0);
    extra.insert("a", "1").unwrap();
    extra.insert("b", "2").unwrap();
    extra.insert("a", "3").unwrap();
    assert!(!extra.is_empty());
    assert_eq!(extra.len(), 2);
}

/// The FOST URL signer refuses a URL with a fragment (it would never reach the server) and one that is not
/// absolute, with the reason. Kills `scheme().is_empty() || authority().is_empty()` -> `&&` in `FostUrlSigner::sign`.
#[test]
fn fost_url_signer_refuses_fragments_and_relative_urls() {
    let key = fost::hmac_key(&Secret::new(b"fost-secret-0123".to_vec()).unwrap());
    let signer = countermark::FostUrlSigner::new("k", key).unwrap();
    assert!(signer.sign("https://e.com/a?x=1", Some(NOW)).is_ok());
    // `https:///a` has a scheme but no host (so `scheme.is_empty() && authority.is_empty()` would let it through).
    for url in [
        "https://e.com/a#frag",
        "https://e.com/a?x=1#f",
        "/a?x=1",
        "https:///a?x=1",
    ] {
        let err = signer.sign(url, Some(NOW)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{url}");
        assert!(
            err.message().contains("absolute"),
            "{url}: {}",
            err.message()
        );
    }
}

/// `_e` is `-?[0-9]{1,19}`: 19 digits (leading zeros included) are read, 20 are Malformed even when the number
/// would fit. Kills the first `||` -> `&&` of `parse_expiry` (which drops the length rule with the emptiness one).
#[test]
fn fost_url_expiry_has_at_most_19_digits() {
    let nineteen =
        Request::new("GET", "https://e.com/a?_k=k&_e=0000000000000000060&_s=AAAA").unwrap();
    let parsed = fost::parse_url(&nineteen).unwrap().unwrap();
    assert_eq!(parsed.claimed_expires(), Some(60));
    assert_eq!(parsed.claimed_key_id(), "k");
    for e in [
        "00000000000000000060",
        "-00000000000000000060",
        "",
        "-",
        "6O",
    ] {
        let target = format!("https://e.com/a?_k=k&_e={e}&_s=AAAA");
        let request = Request::new("GET", &target).unwrap();
        assert_eq!(
            fost::parse_url(&request).unwrap_err().kind(),
            ErrorKind::Malformed,
            "{e:?}"
        );
    }
}

/// A verified FOST URL reports its key and expiry. Kills the constant mutants of `VerifiedFostUrl::key` and
/// `VerifiedFostUrl::expires`.
#[test]
fn verified_fost_url_reports_key_and_expiry() {
    let secret = Secret::new(b"fost-secret-0123".to_vec()).unwrap();
    let signer = countermark::FostUrlSigner::new("key-1", fost::hmac_key(&secret)).unwrap();
    let policy = fost::Policy::new(Arc::new(FixedClock::at_secs(NOW)));
    for expires in [Some(NOW + 60), None] {
        let signed = signer.sign("https://e.com/a?x=1", expires).unwrap();
        let request = Request::new("GET", signed.url()).unwrap();
        let parsed = fost::parse_url(&request).unwrap().unwrap();
        assert_eq!(parsed.claimed_expires(), expires);
        let verified = parsed.verify(&fost::hmac_key(&secret), &policy).unwrap();
        assert_eq!(verified.key_id(), "key-1");
        assert_eq!(verified.expires(), expires);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// jwt
// ---------------------------------------------------------------------------------------------------------------

/// Kills `Token::username` -> `""`.
#[test]
fn jwt_token_reports_its_user() {
    let token = jwt::Token::new("alice", &FixedClock::at_secs(NOW)).unwrap();
    assert_eq!(token.username(), "alice");
    assert_eq!(token.time(), NOW);
    assert!(token.payload_json().contains("\"username\":\"alice\""));
}

mod common;

use countermark::jwt::MAX_JWT_LEN;
use countermark::{SigningKey, UnverifiedJwt, VerifyingKey};

/// A key pair of `asym_jwt.json` (`ed25519` or `rsa2048`).
fn jwt_keys(name: &str) -> (SigningKey, VerifyingKey) {
    let text = std::fs::read_to_string(common::vectors_dir().join("asym_jwt.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let k = &doc["keys"][name];
    (
        SigningKey::from_pem(k["private_pem"].as_str().unwrap()).unwrap(),
        VerifyingKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap(),
    )
}

/// Characters of `n` bytes in unpadded base64.
fn b64_len(n: usize) -> usize {
    (4 * n).div_ceil(3)
}

/// A token (username, nonce) whose signed JWT under `sk` is exactly `len` characters long, with a signature of
/// `sig_chars` characters (86 for Ed25519, 342 for RSA-2048).
fn jwt_token_of_len(sk: &SigningKey, sig_chars: usize, len: usize) -> jwt::Token {
    let header = jwt::header_json(sk).unwrap();
    for user_len in (len * 3 / 4 - 600)..(len * 3 / 4) {
        for nonce_len in 1..4 {
            let token =
                jwt::Token::from_parts("u".repeat(user_len), NOW, "n".repeat(nonce_len)).unwrap();
            let total =
                b64_len(header.len()) + 1 + b64_len(token.payload_json().len()) + 1 + sig_chars;
            if total == len {
                return token;
            }
        }
    }
    panic!("no token of {len} characters");
}

/// The signer's length limit with the shortest (Ed25519) and a long (RSA-2048) signature: a token of exactly
/// MAX_JWT_LEN (8192, the documented size) characters is made and verifies, one character more is refused with
/// InvalidValue and the length it would have. For Ed25519 the pre-check (before signing) refuses it, for RSA the
/// check after signing. Kills, in `Token::sign`: the pre-check's message length `token.len() + 1 + 86` with either
/// `+` -> `-` / `*` (line 328), and the post-check `token.len() > MAX_JWT_LEN` -> `==` / `>=` (line 333: RSA at the
/// limit, and one over, which only the post-check sees). The pre-check's own `>` -> `>=` / `==` is killed by the
/// at-the-limit Ed25519 token (also in `limits.rs`).
#[test]
fn jwt_signer_limit_at_the_limit_and_one_over_with_ed25519_and_rsa() {
    assert_eq!(MAX_JWT_LEN, 8192);
    let policy = || jwt::Policy::new().with_clock(Arc::new(FixedClock::at_secs(NOW)));
    for (name, sig_chars) in [("ed25519", 86), ("rsa2048", 342)] {
        let (sk, pk) = jwt_keys(name);
        let at = jwt_token_of_len(&sk, sig_chars, 8192);
        let signed = at.sign(&sk).unwrap();
        assert_eq!(signed.len(), 8192, "{name}");
        let verified = UnverifiedJwt::parse(&signed)
            .unwrap()
            .verify(&pk, &policy())
            .unwrap();
        assert_eq!(verified.username(), at.username(), "{name}");

        let over = jwt_token_of_len(&sk, sig_chars, 8193);
        let err = over.sign(&sk).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{name}");
        assert!(
            err.to_string()
                .contains("the token would be 8193 bytes long, over the limit of 8192"),
            "{name}: {err}"
        );
    }
}

/// A JWT whose `nbf` is exactly now (an integer second) is valid: PyJWT refuses only `nbf > now`. Kills
/// `nbf.trunc() > now` -> `>=` in `UnverifiedJwt::check_time`.
#[test]
fn jwt_with_nbf_exactly_now_verifies() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let (sk, pk) = jwt_keys("ed25519");
    let policy = jwt::Policy::new().with_clock(Arc::new(FixedClock::at_secs(NOW)));
    let by_hand = |nbf: i64| {
        let payload =
            format!(r#"{{"username":"alice","time":{NOW},"nonce":"n{nbf}","nbf":{nbf}}}"#);
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(jwt::header_json(&sk).unwrap()),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let sig = sk
            .sign(countermark::SignatureAlgorithm::Ed25519, input.as_bytes())
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    };
    let verify = |t: &str| UnverifiedJwt::parse(t).unwrap().verify(&pk, &policy);
    assert_eq!(verify(&by_hand(NOW)).unwrap().username(), "alice");
    assert_eq!(
        verify(&by_hand(NOW + 1)).unwrap_err().kind(),
        ErrorKind::NotYetValid
    );
}

/// The replay key escapes `%` as well as `:` in the username, so `a:` (escaped `a%3A`) and a user literally named
/// `a%3A` (escaped `a%253A`) with the same time and nonce are different tokens: both verify under one policy.
/// Kills deleting the `'%'` arm of `UnverifiedJwt::replay_key`.
#[test]
fn jwt_replay_key_escapes_percent_so_users_do_not_collide() {
    let (sk, pk) = jwt_keys("ed25519");
    let policy = jwt::Policy::new().with_clock(Arc::new(FixedClock::at_secs(NOW)));
    let verify = |user: &str| {
        let t = jwt::Token::from_parts(user, NOW, "n")
            .unwrap()
            .sign(&sk)
            .unwrap();
        UnverifiedJwt::parse(&t)
            .unwrap()
            .verify(&pk, &policy)
            .map(|v| v.username().to_string())
    };
    assert_eq!(verify("a:").unwrap(), "a:");
    assert_eq!(verify("a%3A").unwrap(), "a%3A");
    // The store is on: the same token again is a replay.
    assert_eq!(verify("a%3A").unwrap_err().kind(), ErrorKind::Replayed);
}

/// `verify_any` reports which key verified: index 0 as well as 1. Kills `VerifiedJwt::key_index` -> `1` (and
/// `0`).
#[test]
fn jwt_verify_any_reports_the_index_of_the_key() {
    let (sk, pk) = jwt_keys("ed25519");
    let (_, other) = jwt_keys("ed25519-other");
    let policy = jwt::Policy::new().with_clock(Arc::new(FixedClock::at_secs(NOW)));
    for (nonce, keys, index) in [
        ("n0", [pk.clone(), other.clone()], 0),
        ("n1", [other, pk], 1),
    ] {
        let t = jwt::Token::from_parts("alice", NOW, nonce)
            .unwrap()
            .sign(&sk)
            .unwrap();
        let verified = UnverifiedJwt::parse(&t)
            .unwrap()
            .verify_any(&keys, &policy)
            .unwrap();
        assert_eq!(verified.key_index(), index);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// http/message_signatures
// ---------------------------------------------------------------------------------------------------------------

use countermark::http::message_signatures::{Component, SignatureHeaders};
use countermark::{MessagePolicy, MessageSigner, MessageVerifyingKey, UnverifiedMessageSignature};

fn rfc_key() -> HmacKey {
    HmacKey::new(
        Algorithm::HmacSha256,
        &Secret::new(*b"rfc9421-mutants-secret-012345678").unwrap(),
    )
    .with_key_id(KeyId::new("k1").unwrap())
}

/// Verifies a request carrying `fields` and the given `Signature-Input` and `Signature` lines.
fn rfc_present(
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
    let policy = MessagePolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_label("sig1");
    let vk = MessageVerifyingKey::hmac(rfc_key()).unwrap();
    UnverifiedMessageSignature::parse_for(&req, &policy)
        .map(|u| u.expect("signature headers"))
        .and_then(|u| u.verify(&vk, &policy))
        .map(|_| ())
        .map_err(|e| e.kind())
}

/// Signs a request carrying `fields` over all of them.
fn rfc_sign(fields: &[(String, String)]) -> countermark::Result<SignatureHeaders> {
    let mut req = Request::new("GET", "https://example.com/").unwrap();
    for (n, v) in fields {
        req = req.with_header(n, v).unwrap();
    }
    let key = rfc_key();
    MessageSigner::hmac(key.clone())?
        .with_components(fields.iter().map(|(n, _)| Component::field(n).unwrap()))?
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .sign(&req)
}

/// The combined `Signature-Input` (and `Signature`) value may be 16 KiB, the documented size written out: a genuine
/// signature with a second line that brings the combined value to exactly 16384 bytes verifies, one byte more is
/// TooLarge. Kills `MAX_SIGNATURE_HEADER_LEN = 16 * 1024` -> `16 + 1024`. (The tests of `limits.rs` use the
/// constant; they kill that mutant too, but only because some of their inputs are larger than 1040 bytes. This
/// test pins the documented size itself.)
#[test]
fn rfc9421_signature_headers_of_16_kib_are_parsed() {
    let fields = vec![("x-a".to_string(), "v".to_string())];
    let genuine = rfc_sign(&fields).unwrap();
    let (input, signature) = (genuine.signature_input(), genuine.signature());
    // Lines are combined with ", "; `pad="…"` is 6 bytes around its text.
    let pad =
        |total: usize, line: &str| format!("pad=\"{}\"", "a".repeat(total - line.len() - 2 - 6));
    let (input_at, signature_at) = (pad(16_384, input), pad(16_384, signature));
    let (input_over, signature_over) = (pad(16_385, input), pad(16_385, signature));
    assert_eq!(input.len() + 2 + input_at.len(), 16_384);
    assert_eq!(
        rfc_present(&fields, &[input, &input_at], &[signature, &signature_at]),
        Ok(())
    );
    assert_eq!(
        rfc_present(&fields, &[input, &input_over], &[signature]),
        Err(ErrorKind::TooLarge)
    );
    assert_eq!(
        rfc_present(&fields, &[input], &[signature, &signature_over]),
        Err(ErrorKind::TooLarge)
    );
}

/// The signature base may be 64 KiB, the documented size written out: a request whose base is exactly 65536 bytes
/// is signed and verifies, one byte more in a covered header and the signer refuses with TooLarge. Kills
/// `MAX_SIGNATURE_BASE_LEN = 64 * 1024` -> `64 + 1024` (as above, `limits.rs` kills it too, through inputs larger
/// than the mutated limit).
#[test]
fn rfc9421_signature_base_of_64_kib_is_signed_and_verified() {
    let with_last = |last: usize| -> Vec<(String, String)> {
        (0..5)
            .map(|i| {
                (
                    format!("x-b{i}"),
                    "a".repeat(if i == 4 { last } else { 16_000 }),
                )
            })
            .collect()
    };
    let probe_len = rfc_sign(&with_last(100)).unwrap().signature_base().len();
    let at = with_last(100 + 65_536 - probe_len);
    let signed = rfc_sign(&at).unwrap();
    assert_eq!(signed.signature_base().len(), 65_536);
    assert_eq!(
        rfc_present(&at, &[signed.signature_input()], &[signed.signature()]),
        Ok(())
    );
    let over = with_last(100 + 65_536 - probe_len + 1);
    assert_eq!(rfc_sign(&over).unwrap_err().kind(), ErrorKind::TooLarge);
}

/// A signer's label of exactly MAX_PARAM_LEN (256) bytes is used, and the signature verifies under it; one byte
/// more is refused with InvalidValue. Kills `label.len() > MAX_PARAM_LEN` -> `>=` in `MessageSigner::with_label`.
#[test]
fn rfc9421_signer_label_of_max_len_is_used_one_more_byte_refused() {
    use countermark::http::message_signatures::MAX_PARAM_LEN;
    let req = Request::new("GET", "https://example.com/")
        .unwrap()
        .with_header("x-a", "v")
        .unwrap();
    let key = rfc_key();
    let signer = || {
        MessageSigner::hmac(key.clone())
            .unwrap()
            .with_components([Component::field("x-a").unwrap()])
            .unwrap()
            .with_clock(Arc::new(FixedClock::at_secs(NOW)))
    };
    let label = format!("l{}", "a".repeat(MAX_PARAM_LEN - 1));
    assert_eq!(label.len(), 256);
    let signed = signer().with_label(&label).unwrap().sign(&req).unwrap();
    assert!(signed.signature_input().starts_with(&format!("{label}=(")));
    let req = req
        .with_header("Signature-Input", signed.signature_input())
        .unwrap()
        .with_header("Signature", signed.signature())
        .unwrap();
    let policy = MessagePolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_label(&label);
    let vk = MessageVerifyingKey::hmac(rfc_key()).unwrap();
    let verified = UnverifiedMessageSignature::parse_for(&req, &policy)
        .map(|u| u.expect("signature headers"))
        .and_then(|u| u.verify(&vk, &policy));
    assert!(verified.is_ok(), "{verified:?}");
    assert_eq!(
        signer()
            .with_label(&format!("{label}a"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidValue
    );
}

/// The policy reports its settings, and `describe` prints them. Kills the constant-return mutants of
/// `MessagePolicy::max_age`, `clock_skew`, `required_components` and `describe`, and `without_nonce_store` ->
/// `Default::default()` (which would also reset the other settings).
#[test]
fn rfc9421_policy_reports_its_settings() {
    let field = Component::field("x-a").unwrap();
    let policy = MessagePolicy::new()
        .with_clock_skew(Duration::from_secs(7))
        .with_max_age(Some(Duration::from_secs(60)))
        .with_required_components([field.clone()])
        .with_label("sig1")
        .without_nonce_store();
    assert_eq!(policy.clock_skew(), Duration::from_secs(7));
    assert_eq!(policy.max_age(), Some(Duration::from_secs(60)));
    assert_eq!(policy.required_components().len(), 1);
    assert_eq!(
        policy.required_components()[0].to_string(),
        field.to_string()
    );
    let text = policy.describe();
    assert!(
        text.starts_with("rfc9421 clock_skew=7s max_age=60s require_created="),
        "{text}"
    );
    assert!(
        text.contains(&format!(" required_components=({field}) ")),
        "{text}"
    );
    assert!(text.contains(" label=sig1 "), "{text}");
    assert!(text.contains(" nonce_store=off "), "{text}");
    let text = MessagePolicy::new().with_max_age(None).describe();
    assert!(text.contains(" max_age=none "), "{text}");
    assert!(text.contains(" nonce_store=on "), "{text}");
}

/// Without a label to look for, `parse` (and `parse_all`) require the two headers to have the same labels: a
/// `Signature` header with a label that `Signature-Input` lacks is Malformed, even when every input label has its
/// (genuine) signature. Kills `&&` -> `||` in `UnverifiedMessageSignature::same_labels`.
#[test]
fn rfc9421_signature_with_an_extra_label_is_malformed() {
    let fields = vec![("x-a".to_string(), "v".to_string())];
    let genuine = rfc_sign(&fields).unwrap();
    fn request<'a>(input: &'a str, signatures: &[&'a str]) -> Request<'a> {
        let mut req = Request::new("GET", "https://example.com/")
            .unwrap()
            .with_header("x-a", "v")
            .unwrap()
            .with_header("Signature-Input", input)
            .unwrap();
        for s in signatures {
            req = req.with_header("Signature", s).unwrap();
        }
        req
    }
    let same = request(genuine.signature_input(), &[genuine.signature()]);
    assert!(UnverifiedMessageSignature::parse(&same, None)
        .map(|u| u.expect("signature headers"))
        .is_ok());
    assert_eq!(
        UnverifiedMessageSignature::parse_all(&same).unwrap().len(),
        1
    );
    let extra = request(
        genuine.signature_input(),
        &[genuine.signature(), "other=:AAAA:"],
    );
    assert_eq!(
        UnverifiedMessageSignature::parse(&extra, None)
            .map(|u| u.expect("signature headers"))
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
    assert_eq!(
        UnverifiedMessageSignature::parse_all(&extra)
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

/// A parsed signature reports the parameters it claims. Kills the constant-return mutants of
/// `UnverifiedMessageSignature::claimed_algorithm` and `claimed_expires` (and pins `claimed_key_id`, `claimed_created`,
/// `claimed_nonce`).
#[test]
fn rfc9421_signature_reports_its_claimed_algorithm() {
    let key = rfc_key();
    let req = Request::new("GET", "https://example.com/").unwrap();
    let policy = MessagePolicy::new().with_clock(Arc::new(FixedClock::at_secs(NOW)));
    for (include, alg) in [(true, Some("hmac-sha256")), (false, None)] {
        let mut signer = MessageSigner::hmac(key.clone())
            .unwrap()
            .with_alg_param(include)
            .with_clock(Arc::new(FixedClock::at_secs(NOW)));
        if include {
            signer = signer.with_expires(NOW + 60).with_nonce("n-1").unwrap();
        }
        let signed = signer.sign(&req).unwrap();
        let req = req
            .clone()
            .with_header("Signature-Input", signed.signature_input())
            .unwrap()
            .with_header("Signature", signed.signature())
            .unwrap();
        let parsed = UnverifiedMessageSignature::parse_for(&req, &policy)
            .unwrap()
            .expect("signature headers");
        assert_eq!(parsed.claimed_algorithm(), alg);
        assert_eq!(parsed.claimed_key_id(), Some("k1"));
        assert_eq!(parsed.claimed_created(), Some(NOW));
        if include {
            assert_eq!(parsed.claimed_expires(), Some(NOW + 60));
            assert_eq!(parsed.claimed_nonce(), Some("n-1"));
        } else {
            assert_eq!(parsed.claimed_expires(), None);
        }
    }
}

/// A policy that checks `Content-Digest` refuses (Malformed) a genuine signature that does not cover
/// `content-digest`, even when the message carries a correct `Content-Digest`; the same message signed over it
/// verifies. Kills both `&&` -> `||` in the search for the digest component in `UnverifiedMessageSignature::verify`
/// (either makes any plain component count as the digest).
#[test]
fn rfc9421_content_digest_check_needs_the_digest_covered() {
    let body = b"{\"hello\": \"world\"}";
    let digest =
        countermark::content_digest(body, &[countermark::DigestAlgorithm::Sha256]).unwrap();
    let base = Request::new("POST", "https://example.com/")
        .unwrap()
        .with_body(body)
        .with_header("x-a", "v")
        .unwrap()
        .with_header("content-digest", &digest)
        .unwrap();
    let key = rfc_key();
    let policy = MessagePolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_label("sig1")
        .check_content_digest(true);
    let vk = MessageVerifyingKey::hmac(rfc_key()).unwrap();
    let verify = |covered: &[&str]| {
        let signed = MessageSigner::hmac(key.clone())
            .unwrap()
            .with_components(covered.iter().map(|n| Component::field(n).unwrap()))
            .unwrap()
            .with_clock(Arc::new(FixedClock::at_secs(NOW)))
            .sign(&base)
            .unwrap();
        let req = base
            .clone()
            .with_header("Signature-Input", signed.signature_input())
            .unwrap()
            .with_header("Signature", signed.signature())
            .unwrap();
        UnverifiedMessageSignature::parse_for(&req, &policy)
            .map(|u| u.expect("signature headers"))
            .and_then(|u| u.verify(&vk, &policy))
            .map(|_| ())
            .map_err(|e| e.kind())
    };
    assert_eq!(verify(&["x-a", "content-digest"]), Ok(()));
    assert_eq!(verify(&["x-a"]), Err(ErrorKind::Malformed));
}

/// A verified signature tells which components it covers, and which it does not. Kills
/// `VerifiedMessageSignature::covers` -> `true`.
#[test]
fn rfc9421_verified_signature_reports_what_it_covers() {
    let fields = vec![("x-a".to_string(), "v".to_string())];
    let genuine = rfc_sign(&fields).unwrap();
    let req = Request::new("GET", "https://example.com/")
        .unwrap()
        .with_header("x-a", "v")
        .unwrap()
        .with_header("Signature-Input", genuine.signature_input())
        .unwrap()
        .with_header("Signature", genuine.signature())
        .unwrap();
    let policy = MessagePolicy::new()
        .with_clock(Arc::new(FixedClock::at_secs(NOW)))
        .with_label("sig1");
    let vk = MessageVerifyingKey::hmac(rfc_key()).unwrap();
    let verified = UnverifiedMessageSignature::parse_for(&req, &policy)
        .map(|u| u.expect("signature headers"))
        .and_then(|u| u.verify(&vk, &policy))
        .unwrap();
    assert!(verified.covers(&Component::field("x-a").unwrap()));
    assert!(!verified.covers(&Component::field("x-b").unwrap()));
}
