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
        let verified = tokens().verify(&token, Some(0)).unwrap();
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

/// `parse` reports the claimed fields and time before any check. Kills the constant-return mutants of
/// `UnverifiedToken::claimed_fields` and `UnverifiedToken::claimed_timestamp`.
#[test]
fn unverified_token_reports_its_claims() {
    let token = signed_token("tenant-7:user_42", "r");
    let parsed = UnverifiedToken::parse(&token).unwrap();
    assert_eq!(parsed.claimed_fields(), ["tenant-7", "user_42"]);
    assert_eq!(parsed.claimed_timestamp(), NOW);
    // The claims are the ones that verify.
    let verified = tokens().verify(&token, Some(0)).unwrap();
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
