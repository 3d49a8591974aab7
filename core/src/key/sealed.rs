//! Secrets at rest: AES-256-GCM under keys derived from a service's master secrets, rotatable.
//!
//! A server that hands out shared secrets (HMAC keys) must keep them, and keep them recoverable: it has to
//! recompute MACs. [`SecretSealer`] encrypts each one with an AEAD before it reaches the database and binds it to
//! its row with associated data (a key id, say), so a ciphertext copied to another row does not open there.
//!
//! * Each master secret (16..=1024 bytes, e.g. Django's `SECRET_KEY`) is stretched with HKDF-SHA256 into an
//!   AES-256-GCM key and an 8-byte key id; the master itself is not kept.
//! * The first key seals; every key opens. Rotation: put the new master first, keep the old ones after it,
//!   re-seal the stored values whose [`SecretSealer::is_current`] is false, then drop the old masters.
//! * The sealed form is text: `cm1$<key id, 16 hex>$<base64url(nonce 12 bytes ‖ ciphertext ‖ tag 16 bytes)>`.
//!   Nonces are random (96 bits), well within AES-GCM's limits for the number of secrets a service stores.
//!
//! ```
//! use countermark::key::SecretSealer;
//!
//! let sealer = SecretSealer::new([b"the service's master secret".as_slice()])?;
//! let sealed = sealer.seal(b"raw api secret bytes", b"api-key:4f1c")?;
//! assert!(sealed.starts_with("cm1$"));
//! assert_eq!(sealer.open(&sealed, b"api-key:4f1c")?.as_slice(), b"raw api secret bytes");
//! // Bound to its row: other associated data does not open it.
//! assert!(sealer.open(&sealed, b"api-key:9999").is_err());
//!
//! // Rotation: the new master seals, the old one still opens.
//! let rotated = SecretSealer::new([b"a brand-new master secret!!".as_slice(), b"the service's master secret"])?;
//! assert!(!rotated.is_current(&sealed));
//! let resealed = rotated.seal(&rotated.open(&sealed, b"api-key:4f1c")?, b"api-key:4f1c")?;
//! assert!(rotated.is_current(&resealed));
//! # Ok::<(), countermark::Error>(())
//! ```

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf;
use zeroize::Zeroizing;

use crate::encoding::{decode_hex_lower, hex_lower};
use crate::error::{Error, ErrorKind, Result};
use crate::key::Secret;
use crate::random::fill_os;

const PREFIX: &str = "cm1$";
const KID_LEN: usize = 8;
const TAG_LEN: usize = 16;
const SALT: &[u8] = b"countermark sealed secrets v1";
/// Longest plaintext [`SecretSealer::seal`] accepts (and so the longest a sealed value can carry), in bytes.
pub const MAX_SEALED_PLAINTEXT: usize = 4096;
/// Most master secrets a [`SecretSealer`] takes (the current one and the old ones still being rotated out).
pub const MAX_SEALING_KEYS: usize = 16;

struct SealingKey {
    id: [u8; KID_LEN],
    aead: LessSafeKey,
}

/// HKDF output length as a `ring::hkdf::KeyType`.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl SealingKey {
    fn derive(master: &[u8]) -> Result<Self> {
        // Same length rules as every other secret (16..=1024 bytes), with the same messages.
        let master = Secret::new(master.to_vec())?;
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(master.expose());
        let okm_err = |_| Error::new(ErrorKind::InvalidKey, "key derivation failed");
        let aead_key = UnboundKey::from(
            prk.expand(&[b"aes-256-gcm key"], &AES_256_GCM)
                .map_err(okm_err)?,
        );
        let mut id = [0u8; KID_LEN];
        prk.expand(&[b"key id"], Len(KID_LEN))
            .and_then(|okm| okm.fill(&mut id))
            .map_err(okm_err)?;
        Ok(SealingKey {
            id,
            aead: LessSafeKey::new(aead_key),
        })
    }
}

/// Encrypts secrets for storage and decrypts them (AES-256-GCM, associated data, rotation). See the
/// [module documentation](self).
pub struct SecretSealer {
    keys: Vec<SealingKey>,
}

impl fmt::Debug for SecretSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<String> = self.keys.iter().map(|k| hex_lower(&k.id)).collect();
        f.debug_struct("SecretSealer")
            .field("key_ids", &ids)
            .finish()
    }
}

impl SecretSealer {
    /// A sealer over master secrets, newest first: the first seals, all of them open.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when there is no master secret, more than [`MAX_SEALING_KEYS`], or one outside
    /// 16..=1024 bytes.
    pub fn new<'a>(masters: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let keys = masters
            .into_iter()
            .map(SealingKey::derive)
            .collect::<Result<Vec<_>>>()?;
        if keys.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                "a secret sealer needs at least one master secret",
            ));
        }
        if keys.len() > MAX_SEALING_KEYS {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!("a secret sealer takes at most {MAX_SEALING_KEYS} master secrets"),
            ));
        }
        Ok(SecretSealer { keys })
    }

    /// The id (16 lower-case hex characters) of the key that seals: what [`SecretSealer::is_current`] looks for.
    pub fn current_key_id(&self) -> String {
        hex_lower(&self.keys[0].id)
    }

    /// Encrypts `plaintext` under the current key, bound to `aad` (which is not stored: give the same bytes to
    /// [`SecretSealer::open`]).
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] for a plaintext over [`MAX_SEALED_PLAINTEXT`] bytes; [`ErrorKind::InvalidValue`]
    /// when the OS random generator fails.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<String> {
        if plaintext.len() > MAX_SEALED_PLAINTEXT {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("sealed secrets are at most {MAX_SEALED_PLAINTEXT} bytes"),
            ));
        }
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        fill_os(&mut nonce).map_err(|_| {
            Error::new(
                ErrorKind::InvalidValue,
                "the operating system's random number generator failed",
            )
        })?;
        let mut body = Zeroizing::new(Vec::with_capacity(plaintext.len() + TAG_LEN));
        body.extend_from_slice(plaintext);
        key.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut *body,
            )
            .map_err(|_| Error::new(ErrorKind::InvalidValue, "encryption failed"))?;
        // `body` is ciphertext now; the plaintext copy it held was encrypted in place.
        let mut buf = Vec::with_capacity(NONCE_LEN + body.len());
        buf.extend_from_slice(&nonce);
        buf.extend_from_slice(&body);
        Ok(format!(
            "{PREFIX}{}${}",
            hex_lower(&key.id),
            URL_SAFE_NO_PAD.encode(&buf)
        ))
    }

    /// Decrypts a value made by [`SecretSealer::seal`] with the same `aad`; the plaintext is wiped on drop.
    ///
    /// # Errors
    /// [`ErrorKind::Malformed`] for text that is not a sealed value; [`ErrorKind::UnknownKey`] when it was sealed
    /// under a key this sealer does not hold (a master secret removed too early); [`ErrorKind::BadSignature`]
    /// when it does not authenticate (altered, or other associated data).
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let (id, data) = parse(sealed)?;
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownKey,
                "the value was sealed under a master secret this sealer does not hold",
            )
        })?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&data[..NONCE_LEN]);
        let mut body = Zeroizing::new(data[NONCE_LEN..].to_vec());
        let plain_len = key
            .aead
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut body)
            .map_err(|_| {
                Error::new(
                    ErrorKind::BadSignature,
                    "the sealed value does not authenticate (altered, or sealed for another record)",
                )
            })?
            .len();
        body.truncate(plain_len);
        Ok(body)
    }

    /// Whether `sealed` was sealed under the current key (false for other keys and for text that is not a sealed
    /// value): the values to re-seal after a rotation.
    pub fn is_current(&self, sealed: &str) -> bool {
        matches!(parse(sealed), Ok((id, _)) if id == self.keys[0].id)
    }
}

fn parse(sealed: &str) -> Result<([u8; KID_LEN], Vec<u8>)> {
    let malformed =
        |what: &str| Error::new(ErrorKind::Malformed, format!("not a sealed value: {what}"));
    let max_encoded =
        PREFIX.len() + 2 * KID_LEN + 1 + (NONCE_LEN + MAX_SEALED_PLAINTEXT + TAG_LEN) * 4 / 3 + 4;
    if sealed.len() > max_encoded {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("sealed values are at most {max_encoded} bytes"),
        ));
    }
    let rest = sealed
        .strip_prefix(PREFIX)
        .ok_or_else(|| malformed("it does not start with cm1$"))?;
    let (id_hex, data_b64) = rest.split_once('$').ok_or_else(|| malformed("no key id"))?;
    let mut id = [0u8; KID_LEN];
    if id_hex.len() != 2 * KID_LEN || decode_hex_lower(id_hex, &mut id) != Some(KID_LEN) {
        return Err(malformed("the key id is not 16 lower-case hex characters"));
    }
    let data = URL_SAFE_NO_PAD
        .decode(data_b64)
        .map_err(|_| malformed("the data is not unpadded base64url"))?;
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(malformed("the data is too short"));
    }
    Ok((id, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(masters: &[&str]) -> SecretSealer {
        SecretSealer::new(masters.iter().map(|m| m.as_bytes())).unwrap()
    }

    #[test]
    fn round_trip_and_binding() {
        let s = sealer(&["master secret number one"]);
        let sealed = s.seal(b"\x00\x01secret", b"row-1").unwrap();
        assert_eq!(
            s.open(&sealed, b"row-1").unwrap().as_slice(),
            b"\x00\x01secret"
        );
        assert_eq!(
            s.open(&sealed, b"row-2").unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // Random nonces: sealing twice gives two texts.
        assert_ne!(sealed, s.seal(b"\x00\x01secret", b"row-1").unwrap());
        assert_eq!(
            s.seal(b"", b"")
                .map(|v| s.open(&v, b"").unwrap().len())
                .unwrap(),
            0
        );
    }

    #[test]
    fn every_altered_byte_is_refused() {
        let s = sealer(&["master secret number one"]);
        let sealed = s.seal(b"secret", b"aad").unwrap();
        for i in 0..sealed.len() {
            let mut bytes = sealed.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes).unwrap();
            if altered == sealed {
                continue;
            }
            let err = s.open(&altered, b"aad").unwrap_err();
            assert!(
                matches!(
                    err.kind(),
                    ErrorKind::Malformed | ErrorKind::BadSignature | ErrorKind::UnknownKey
                ),
                "byte {i}: {err}"
            );
        }
    }

    #[test]
    fn rotation() {
        let old = sealer(&["the old master secret"]);
        let sealed = old.seal(b"secret", b"k").unwrap();
        let both = sealer(&["the new master secret", "the old master secret"]);
        assert!(!both.is_current(&sealed));
        assert_eq!(both.open(&sealed, b"k").unwrap().as_slice(), b"secret");
        let resealed = both.seal(b"secret", b"k").unwrap();
        assert!(both.is_current(&resealed));
        assert_eq!(
            old.open(&resealed, b"k").unwrap_err().kind(),
            ErrorKind::UnknownKey
        );
        assert_eq!(both.current_key_id().len(), 16);
        assert!(resealed.contains(&both.current_key_id()));
    }

    #[test]
    fn bad_configuration_and_input() {
        assert_eq!(
            SecretSealer::new([]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert_eq!(
            SecretSealer::new([b"short".as_slice()]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        let s = sealer(&["master secret number one"]);
        for bad in [
            "",
            "cm1$",
            "cm1$zz$AAAA",
            "cm2$0011223344556677$AAAA",
            "cm1$0011223344556677$A",
        ] {
            assert_eq!(
                s.open(bad, b"").unwrap_err().kind(),
                ErrorKind::Malformed,
                "{bad}"
            );
        }
        let big = vec![0u8; MAX_SEALED_PLAINTEXT + 1];
        assert_eq!(s.seal(&big, b"").unwrap_err().kind(), ErrorKind::TooLarge);
        assert_eq!(
            s.open(&"A".repeat(10_000), b"").unwrap_err().kind(),
            ErrorKind::TooLarge
        );
        // Debug shows key ids only.
        let dbg = format!("{s:?}");
        assert!(dbg.contains(&s.current_key_id()) && !dbg.contains("master"));
    }

    /// The longest sealed text read: `cm1$` + 16 hex + `$` + base64url of a nonce, the largest plaintext and a
    /// tag, counted generously (4 + 16 + 1 + (12 + 4096 + 16) * 4 / 3 + 4 = 5523 characters). One character more
    /// is TooLarge before any parsing; at the limit the text is parsed (and here refused as malformed).
    #[test]
    fn sealed_text_limit_at_5523_characters() {
        let s = sealer(&["a master secret of enough length"]);
        let largest = s.seal(&vec![7u8; MAX_SEALED_PLAINTEXT], b"aad").unwrap();
        assert!(largest.len() <= 5523, "{}", largest.len());
        assert_eq!(
            s.open(&largest, b"aad").unwrap().len(),
            MAX_SEALED_PLAINTEXT
        );
        let at_limit = format!("cm1${}", "x".repeat(5523 - 4));
        assert_eq!(
            s.open(&at_limit, b"aad").unwrap_err().kind(),
            ErrorKind::Malformed
        );
        let over = format!("cm1${}", "x".repeat(5524 - 4));
        assert_eq!(
            s.open(&over, b"aad").unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }
}
