//! Keys: secrets, prepared HMAC keys and key rings.
//!
//! * [`Secret`] holds raw key bytes in a buffer that is wiped on drop and never printed.
//! * [`HmacKey`] is a secret bound to one HMAC [`Algorithm`], with the keyed hash state computed once so each
//!   message costs only the message's own compression rounds. It signs and verifies (in constant time).
//! * [`KeyRing`] holds one primary key that signs and older keys that still verify, each under a [`KeyId`].
//! * [`SecretSealer`] encrypts shared secrets for storage (AES-256-GCM, rotatable master secrets).
//!
//! ```
//! use countermark::{Algorithm, HmacKey, Secret};
//!
//! let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"0123456789abcdef")?);
//! let tag = key.sign(b"message");
//! assert!(key.verify(b"message", tag.as_bytes()).is_ok());
//! assert!(key.verify(b"massage", tag.as_bytes()).is_err());
//! // Debug never shows the secret:
//! assert_eq!(format!("{key:?}"), "HmacKey { alg: hmac-sha256, kid: None }");
//! # Ok::<(), countermark::Error>(())
//! ```

use std::fmt;

mod asym;
mod decoy;
mod der;
pub mod jwks;
mod openssh;
pub mod sealed;

pub use asym::{SigningKey, VerifyingKey};
pub use jwks::Jwks;
pub use sealed::SecretSealer;

use hmac::{Hmac, KeyInit, Mac};
use zeroize::Zeroizing;

use crate::alg::Algorithm;
use crate::error::{Error, ErrorKind, Result};

/// Raw secret key bytes: wiped from memory on drop, never shown by `Debug`, no `==`.
///
/// [`Secret::new`] accepts 16 to 1024 bytes ([`Secret::MIN_LEN`]..=[`Secret::MAX_LEN`]), the rule handshake
/// applies and a sane floor for a MAC key. [`Secret::legacy`] accepts 1 to 1024 bytes for existing deployments
/// whose keys are shorter (ska has no minimum; its documentation's own key, `your-secret-key`, is 15 bytes).
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Shortest secret [`Secret::new`] accepts, in bytes.
    pub const MIN_LEN: usize = 16;
    /// Longest secret any constructor accepts, in bytes.
    pub const MAX_LEN: usize = 1024;

    /// A secret of 16..=1024 bytes. A `String` or `Vec<u8>` passed in is moved, not copied, and wiped on drop.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when the length is outside 16..=1024 (the message gives the length).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        Self::with_min_len(bytes.into(), Self::MIN_LEN)
    }

    /// A secret of 1..=1024 bytes, for keys of legacy deployments that are shorter than 16 bytes. Prefer
    /// [`Secret::new`] (or [`Secret::generate`]) for anything new.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when the secret is empty or longer than 1024 bytes.
    pub fn legacy(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        Self::with_min_len(bytes.into(), 1)
    }

    fn with_min_len(bytes: Vec<u8>, min: usize) -> Result<Self> {
        let bytes = Zeroizing::new(bytes);
        let len = bytes.len();
        if len < min || len > Self::MAX_LEN {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!(
                    "secret must be between {min} and {} bytes long, got {len}",
                    Self::MAX_LEN
                ),
            ));
        }
        Ok(Secret(bytes))
    }

    /// A fresh secret of `len` bytes (16..=1024) from the operating system's random number generator.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for a length outside 16..=1024 or when the OS generator fails.
    pub fn generate(len: usize) -> Result<Self> {
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!(
                    "generated secrets must be between {} and {} bytes long, got {len}",
                    Self::MIN_LEN,
                    Self::MAX_LEN
                ),
            ));
        }
        let mut bytes = Zeroizing::new(vec![0u8; len]);
        crate::random::fill_os(&mut bytes).map_err(|_| {
            Error::new(
                ErrorKind::InvalidKey,
                "the OS random number generator failed",
            )
        })?;
        Ok(Secret(bytes))
    }

    /// The secret bytes. The name makes every use visible in review.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a `Secret` is never empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A key identifier: 1..=256 bytes of UTF-8 without control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Longest key id accepted, in bytes.
    pub const MAX_LEN: usize = 256;

    /// Validates and wraps a key id.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when empty, longer than 256 bytes or holding control characters.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN {
            return Err(Error::invalid_value(format!(
                "key id must be 1 to {} bytes long, got {}",
                Self::MAX_LEN,
                id.len()
            )));
        }
        if id.chars().any(char::is_control) {
            return Err(Error::invalid_value(
                "key id must not contain control characters",
            ));
        }
        Ok(KeyId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A MAC tag: up to 64 bytes held inline. It has no `==` on purpose; check tags with [`HmacKey::verify`].
#[derive(Clone)]
pub struct Tag {
    buf: [u8; Tag::MAX_LEN],
    len: usize,
}

impl Tag {
    /// The largest tag (HMAC-SHA512, HMAC-BLAKE2b).
    pub const MAX_LEN: usize = 64;

    fn from_slice(bytes: &[u8]) -> Self {
        let mut buf = [0u8; Self::MAX_LEN];
        buf[..bytes.len()].copy_from_slice(bytes);
        Tag {
            buf,
            len: bytes.len(),
        }
    }

    /// The tag bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Lower-case hexadecimal.
    pub fn to_hex(&self) -> String {
        crate::encoding::hex_lower(self.as_bytes())
    }

    /// Standard base64 with padding.
    pub fn to_base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(self.as_bytes())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({} bytes)", self.len)
    }
}

/// HMAC over a hash that has no eager block API (BLAKE2): both padded-key states are precomputed, and both are
/// hash states that wipe themselves on drop.
#[derive(Clone)]
struct PrecomputedHmac<D: blake2::Digest + blake2::digest::common::BlockSizeUser + Clone> {
    inner: D,
    outer: D,
}

impl<D: blake2::Digest + blake2::digest::common::BlockSizeUser + Clone> PrecomputedHmac<D> {
    fn new(key: &[u8]) -> Self {
        let block = <D as blake2::digest::common::BlockSizeUser>::block_size();
        let mut padded = Zeroizing::new(vec![0u8; block]);
        if key.len() > block {
            let digest = D::digest(key);
            padded[..digest.len()].copy_from_slice(&digest);
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let mut ipad = Zeroizing::new(padded.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
        let mut inner = D::new();
        inner.update(&ipad[..]);
        ipad.iter_mut()
            .zip(padded.iter())
            .for_each(|(o, k)| *o = k ^ 0x5c);
        let mut outer = D::new();
        outer.update(&ipad[..]);
        PrecomputedHmac { inner, outer }
    }

    fn mac(&self, parts: &[&[u8]]) -> Tag {
        let mut inner = self.inner.clone();
        for p in parts {
            inner.update(p);
        }
        let mut outer = self.outer.clone();
        outer.update(inner.finalize());
        Tag::from_slice(&outer.finalize())
    }
}

#[derive(Clone)]
enum Keyed {
    Md5(Hmac<md5::Md5>),
    Sha1(Hmac<sha1::Sha1>),
    Sha224(Hmac<sha2::Sha224>),
    Sha256(Hmac<sha2::Sha256>),
    Sha384(Hmac<sha2::Sha384>),
    Sha512(Hmac<sha2::Sha512>),
    Blake2s(PrecomputedHmac<blake2::Blake2s256>),
    Blake2b(PrecomputedHmac<blake2::Blake2b512>),
}

fn eager<M: Mac + KeyInit>(secret: &[u8]) -> M {
    // HMAC accepts keys of any length, so this cannot fail; a failure would be a bug in the hmac crate.
    <M as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

fn eager_mac<M: Mac + Clone>(m: &M, parts: &[&[u8]]) -> Tag {
    let mut m = m.clone();
    for p in parts {
        m.update(p);
    }
    Tag::from_slice(&m.finalize().into_bytes())
}

/// Constant-time check of `tag` (of the right length) against the MAC of `parts`, on a copy of the keyed state.
fn eager_verify<M: Mac + Clone>(m: &M, parts: &[&[u8]], tag: &[u8]) -> bool {
    let mut m = m.clone();
    for p in parts {
        m.update(p);
    }
    m.verify_slice(tag).is_ok()
}

/// A secret bound to one HMAC algorithm, with its keyed state precomputed.
///
/// Cheap to share (`&HmacKey` is `Send + Sync`); cloning copies the precomputed state. `Debug` shows the algorithm
/// and key id only.
#[derive(Clone)]
pub struct HmacKey {
    alg: Algorithm,
    kid: Option<KeyId>,
    keyed: Keyed,
}

impl HmacKey {
    /// Prepares `secret` for `alg`.
    pub fn new(alg: Algorithm, secret: &Secret) -> Self {
        let s = secret.expose();
        let keyed = match alg {
            Algorithm::HmacMd5 => Keyed::Md5(eager(s)),
            Algorithm::HmacSha1 => Keyed::Sha1(eager(s)),
            Algorithm::HmacSha224 => Keyed::Sha224(eager(s)),
            Algorithm::HmacSha256 => Keyed::Sha256(eager(s)),
            Algorithm::HmacSha384 => Keyed::Sha384(eager(s)),
            Algorithm::HmacSha512 => Keyed::Sha512(eager(s)),
            Algorithm::HmacBlake2s => Keyed::Blake2s(PrecomputedHmac::new(s)),
            Algorithm::HmacBlake2b => Keyed::Blake2b(PrecomputedHmac::new(s)),
        };
        HmacKey {
            alg,
            kid: None,
            keyed,
        }
    }

    /// The same key, labelled with a key id.
    pub fn with_key_id(mut self, kid: KeyId) -> Self {
        self.kid = Some(kid);
        self
    }

    /// The algorithm this key is bound to.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The key id, if one was set.
    pub fn key_id(&self) -> Option<&KeyId> {
        self.kid.as_ref()
    }

    /// The MAC of `msg`.
    pub fn sign(&self, msg: &[u8]) -> Tag {
        self.sign_parts(&[msg])
    }

    /// The MAC of the concatenation of `parts`, without building the concatenation.
    pub fn sign_parts(&self, parts: &[&[u8]]) -> Tag {
        match &self.keyed {
            Keyed::Md5(m) => eager_mac(m, parts),
            Keyed::Sha1(m) => eager_mac(m, parts),
            Keyed::Sha224(m) => eager_mac(m, parts),
            Keyed::Sha256(m) => eager_mac(m, parts),
            Keyed::Sha384(m) => eager_mac(m, parts),
            Keyed::Sha512(m) => eager_mac(m, parts),
            Keyed::Blake2s(m) => m.mac(parts),
            Keyed::Blake2b(m) => m.mac(parts),
        }
    }

    /// Checks `tag` against the MAC of `msg` in constant time.
    ///
    /// # Errors
    /// [`ErrorKind::BadSignature`] when the tag has the wrong length or does not match. The error says nothing
    /// about where it differs.
    pub fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<()> {
        self.verify_parts(&[msg], tag)
    }

    /// [`HmacKey::verify`] over the concatenation of `parts`.
    ///
    /// # Errors
    /// [`ErrorKind::BadSignature`] when the tag has the wrong length or does not match.
    pub fn verify_parts(&self, parts: &[&[u8]], tag: &[u8]) -> Result<()> {
        if tag.len() != self.alg.output_len() {
            return Err(Error::bad_signature());
        }
        let ok = match &self.keyed {
            Keyed::Md5(m) => eager_verify(m, parts, tag),
            Keyed::Sha1(m) => eager_verify(m, parts, tag),
            Keyed::Sha224(m) => eager_verify(m, parts, tag),
            Keyed::Sha256(m) => eager_verify(m, parts, tag),
            Keyed::Sha384(m) => eager_verify(m, parts, tag),
            Keyed::Sha512(m) => eager_verify(m, parts, tag),
            Keyed::Blake2s(m) => crate::encoding::ct_eq(m.mac(parts).as_bytes(), tag),
            Keyed::Blake2b(m) => crate::encoding::ct_eq(m.mac(parts).as_bytes(), tag),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::bad_signature())
        }
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HmacKey {{ alg: {}, kid: {} }}",
            self.alg,
            match &self.kid {
                Some(k) => format!("{:?}", k.as_str()),
                None => "None".to_string(),
            }
        )
    }
}

/// One primary key that signs and older keys that still verify.
///
/// Rotation: [`KeyRing::rotate`] makes a new key primary and keeps the old primary for verification until
/// [`KeyRing::retire`] drops it. Formats that carry a key id look keys up with [`KeyRing::get`]; formats that do
/// not (handshake tokens, ska signatures) try the primary first, then the older keys, newest first.
///
/// ```
/// use countermark::{Algorithm, HmacKey, KeyId, KeyRing, Secret};
///
/// let k1 = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"first secret 16b")?).with_key_id(KeyId::new("k1")?);
/// let k2 = HmacKey::new(Algorithm::HmacSha256, &Secret::new(*b"second secret 16")?).with_key_id(KeyId::new("k2")?);
/// let mut ring = KeyRing::new(k1);
/// ring.rotate(k2)?;
/// assert_eq!(ring.primary().key_id().unwrap().as_str(), "k2");
/// assert!(ring.get("k1").is_some());
/// ring.retire("k1")?;
/// assert!(ring.get("k1").is_none());
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct KeyRing {
    /// `keys[0]` is the primary; the rest are older keys, newest first.
    keys: Vec<HmacKey>,
}

impl KeyRing {
    /// A ring with one (primary) key.
    pub fn new(primary: HmacKey) -> Self {
        KeyRing {
            keys: vec![primary],
        }
    }

    /// The key that signs.
    pub fn primary(&self) -> &HmacKey {
        &self.keys[0]
    }

    /// Every key, primary first, then older keys newest first: the order verification tries them in.
    pub fn keys(&self) -> impl Iterator<Item = &HmacKey> {
        self.keys.iter()
    }

    /// The key with this id.
    pub fn get(&self, kid: &str) -> Option<&HmacKey> {
        self.keys
            .iter()
            .find(|k| k.key_id().is_some_and(|id| id.as_str() == kid))
    }

    /// Adds an older key that verifies but does not sign.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when a key with the same id is already in the ring.
    pub fn add_verify_only(&mut self, key: HmacKey) -> Result<()> {
        self.check_unique(&key)?;
        self.keys.push(key);
        Ok(())
    }

    /// Makes `key` the primary; the previous primary keeps verifying.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when a key with the same id is already in the ring.
    pub fn rotate(&mut self, key: HmacKey) -> Result<()> {
        self.check_unique(&key)?;
        self.keys.insert(0, key);
        Ok(())
    }

    /// Removes an older key.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownKey`] when no key has this id; [`ErrorKind::InvalidValue`] when it is the primary
    /// (rotate first).
    pub fn retire(&mut self, kid: &str) -> Result<()> {
        let pos = self
            .keys
            .iter()
            .position(|k| k.key_id().is_some_and(|id| id.as_str() == kid))
            .ok_or_else(|| Error::new(ErrorKind::UnknownKey, "no key with this id in the ring"))?;
        if pos == 0 {
            return Err(Error::invalid_value(
                "the primary key cannot be retired; rotate to a new key first",
            ));
        }
        self.keys.remove(pos);
        Ok(())
    }

    fn check_unique(&self, key: &HmacKey) -> Result<()> {
        if let Some(kid) = key.key_id() {
            if self.get(kid.as_str()).is_some() {
                return Err(Error::invalid_value(
                    "a key with this id is already in the ring",
                ));
            }
        }
        Ok(())
    }
}

impl From<HmacKey> for KeyRing {
    fn from(key: HmacKey) -> Self {
        KeyRing::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn secret_length_rules() {
        assert_eq!(
            Secret::new(vec![0u8; 15]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert!(Secret::new(vec![0u8; 16]).is_ok());
        assert!(Secret::new(vec![0u8; 1024]).is_ok());
        assert_eq!(
            Secret::new(vec![0u8; 1025]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert!(Secret::legacy(b"your-secret-key".to_vec()).is_ok());
        assert_eq!(
            Secret::legacy(Vec::new()).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        let msg = Secret::new(*b"short").unwrap_err().to_string();
        assert_eq!(
            msg,
            "invalid_key: secret must be between 16 and 1024 bytes long, got 5"
        );
    }

    #[test]
    fn secrets_are_never_printed() {
        let s = Secret::new(*b"super-secret-value-1234").unwrap();
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        let k = HmacKey::new(Algorithm::HmacSha256, &s).with_key_id(KeyId::new("kid-1").unwrap());
        let shown = format!("{k:?} {:?}", KeyRing::new(k.clone()));
        assert!(!shown.contains("super"), "{shown}");
        assert!(shown.contains("kid-1"));
    }

    #[test]
    fn generate_gives_distinct_secrets() {
        let a = Secret::generate(32).unwrap();
        let b = Secret::generate(32).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(
            Secret::generate(8).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
    }

    // RFC 4231 test case 2 ("Jefe") for the SHA-2 family, and Python's hmac module for SHA-1 and BLAKE2.
    #[test]
    fn known_answers() {
        let jefe = Secret::legacy(*b"Jefe").unwrap();
        let msg = b"what do ya want for nothing?";
        let cases = [
            (Algorithm::HmacSha1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (Algorithm::HmacSha224, "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"),
            (Algorithm::HmacSha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (Algorithm::HmacSha384, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"),
            (Algorithm::HmacSha512, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
        ];
        for (alg, want) in cases {
            let key = HmacKey::new(alg, &jefe);
            assert_eq!(key.sign(msg).to_hex(), want, "{alg}");
            assert!(key.verify(msg, &hex(want)).is_ok());
            assert!(key
                .verify_parts(&[b"what do ya ", b"want for nothing?"], &hex(want))
                .is_ok());
        }
        // python3 -c "import hmac,hashlib; print(hmac.new(b'0123456789abcdef', b'hello', hashlib.blake2s).hexdigest())"
        let k = Secret::new(*b"0123456789abcdef").unwrap();
        assert_eq!(
            HmacKey::new(Algorithm::HmacBlake2s, &k)
                .sign(b"hello")
                .to_hex(),
            "a272c2a1576d399f72a2d043889e5de841b30ea2872f631428150f8e2fbfbb06"
        );
        assert_eq!(
            HmacKey::new(Algorithm::HmacBlake2b, &k).sign(b"hello").to_hex(),
            "0a4ce5b1158dbdcd46ef4a4f2bfffa65d0baaf3d58515102ec418d070a0137e0649d415fec18d9fe40c52910f5afe0ee7b1b380e92fdb9ef5816354bbf3c3a5c"
        );
    }

    #[test]
    fn long_blake2_keys_are_hashed_first() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'k'*200, b'm', hashlib.blake2s).hexdigest())"
        let k = Secret::new(vec![b'k'; 200]).unwrap();
        let tag = HmacKey::new(Algorithm::HmacBlake2s, &k).sign(b"m");
        assert_eq!(tag.as_bytes().len(), 32);
        assert_eq!(
            tag.to_hex(),
            "af3ff61e72b208db23c803e02c9fc576bb5a01c5557b82fb5bba13f11bcb99e9"
        );
    }

    #[test]
    fn verify_rejects_wrong_length_and_any_flipped_bit() {
        let key = HmacKey::new(
            Algorithm::HmacSha256,
            &Secret::new(*b"0123456789abcdef").unwrap(),
        );
        let tag = key.sign(b"m");
        assert_eq!(
            key.verify(b"m", &tag.as_bytes()[..31]).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        assert_eq!(
            key.verify(b"m", &[]).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        for i in 0..32 {
            for bit in 0..8 {
                let mut t = tag.as_bytes().to_vec();
                t[i] ^= 1 << bit;
                assert!(key.verify(b"m", &t).is_err());
            }
        }
    }

    #[test]
    fn key_ring_rotation() {
        let mk = |kid: &str, s: &[u8; 16]| {
            HmacKey::new(Algorithm::HmacSha256, &Secret::new(*s).unwrap())
                .with_key_id(KeyId::new(kid).unwrap())
        };
        let mut ring = KeyRing::new(mk("a", b"aaaaaaaaaaaaaaaa"));
        ring.rotate(mk("b", b"bbbbbbbbbbbbbbbb")).unwrap();
        ring.add_verify_only(mk("c", b"cccccccccccccccc")).unwrap();
        let order: Vec<_> = ring
            .keys()
            .map(|k| k.key_id().unwrap().as_str().to_string())
            .collect();
        assert_eq!(order, ["b", "a", "c"]);
        assert_eq!(
            ring.rotate(mk("a", b"dddddddddddddddd"))
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            ring.retire("b").unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(ring.retire("zz").unwrap_err().kind(), ErrorKind::UnknownKey);
        ring.retire("a").unwrap();
        assert!(ring.get("a").is_none());
    }

    #[test]
    fn key_ids() {
        assert!(KeyId::new("").is_err());
        assert!(KeyId::new("a\nb").is_err());
        assert!(KeyId::new("x".repeat(257)).is_err());
        assert_eq!(
            KeyId::new("test-key-rsa-pss").unwrap().as_str(),
            "test-key-rsa-pss"
        );
    }

    #[test]
    fn a_secret_is_never_empty_and_a_key_id_prints_as_itself() {
        assert!(!Secret::legacy([1u8]).unwrap().is_empty());
        assert!(!Secret::new([1u8; 16]).unwrap().is_empty());
        assert_eq!(
            Secret::legacy([]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert_eq!(KeyId::new("key-1").unwrap().to_string(), "key-1");
        assert_eq!(format!("[{}]", KeyId::new("k").unwrap()), "[k]");
    }
}
