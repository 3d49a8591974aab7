//! Asymmetric keys: [`SigningKey`] (private) and [`VerifyingKey`] (public), for RFC 9421 signatures and JWTs.
//!
//! Formats read: PEM or DER of PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`, `RSA PUBLIC KEY`), SEC1
//! (`EC PRIVATE KEY`) and SubjectPublicKeyInfo (`PUBLIC KEY`), JWK (`OKP`/Ed25519, `RSA`, `EC`/P-256), JWK sets
//! ([`crate::key::Jwks`]) and OpenSSH public key lines (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`). Encrypted
//! private keys are refused. RSA keys are 2048 to 8192 bits.
//!
//! Keys refused at load ([`ErrorKind::InvalidKey`]), whatever the format, so no binding or store can hold one:
//! * Ed25519 public keys that are not canonically encoded (`y >= 2^255-19`) or that are one of the eight points of
//!   small order (the identity, the point of order 2, those of order 4 and 8, with either sign bit): with such a
//!   key one fixed signature verifies for every message (or about half of them), so anyone could sign as its owner;
//! * RSA public exponents that are even or below 3 (`e = 1` makes every "signature" its own message);
//! * RSA private keys whose two primes differ in length (see [`SigningKey`]).
//!
//! ECDSA P-256 signatures are malleable: for a valid `(r, s)`, `(r, n - s)` verifies too. countermark signs only
//! the low-`s` form (`s <= n/2`) but verifies both, because RFC 9421's own example (B.2.4) and signers such as
//! Python's `cryptography` produce high-`s` signatures; nothing here identifies a message by its signature bytes
//! (RFC 9421's seen-signature mode remembers a hash of the key id and the signature base instead), so the second
//! form gives an attacker nothing.
//!
//! Each key carries the set of [`SignatureAlgorithm`]s it may be used with, by default every algorithm of its
//! family ([`KeyType`]); [`VerifyingKey::with_allowed`] narrows it. Verifying or signing under an algorithm outside
//! the set is [`ErrorKind::UnsupportedAlgorithm`], so a message can never pick a weaker algorithm or another key
//! family for a key.
//!
//! The key id ([`VerifyingKey::key_id`]) defaults to the fingerprint asymmetric-jwt-auth uses: the lower-case hex
//! SHA-256 of the public key's SubjectPublicKeyInfo PEM text (64-character lines, trailing newline).
//!
//! ```
//! use countermark::{SignatureAlgorithm, SigningKey};
//!
//! let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
//! let key = SigningKey::from_pem(pem)?;
//! let sig = key.sign(SignatureAlgorithm::Ed25519, b"message")?;
//! key.verifying_key().verify(SignatureAlgorithm::Ed25519, b"message", &sig)?;
//! assert!(key.verifying_key().verify(SignatureAlgorithm::RsaPkcs1Sha256, b"message", &sig).is_err());
//! # Ok::<(), countermark::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey,
};
use zeroize::Zeroizing;

use super::der::{self, oid, Der};
use crate::alg::{KeyType, SignatureAlgorithm};
use crate::encoding::hex_lower;
use crate::error::{Error, ErrorKind, Result};

fn invalid(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidKey, msg)
}

fn default_allowed(key_type: KeyType) -> Vec<SignatureAlgorithm> {
    SignatureAlgorithm::ALL
        .into_iter()
        .filter(|a| a.key_type() == key_type)
        .collect()
}

/// `p = 2^255 - 19`, little-endian: an Ed25519 point's `y` (the encoding without its top bit) must be below it.
const ED25519_P: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// The `y` coordinates (little-endian, sign bit clear) of the eight Ed25519 points of small order (the curve's
/// torsion subgroup, as libsodium's `ge25519_has_small_order` lists them): `0` (order 4, two points), `1` (the
/// identity), `p - 1` (order 2) and the two `y` of the four points of order 8. Each is refused with either sign
/// bit; their non-canonical encodings (`y + p`) are refused as non-canonical.
const ED25519_SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    {
        let mut p_minus_1 = ED25519_P;
        p_minus_1[0] = 0xec;
        p_minus_1
    },
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

/// Refuses an Ed25519 public key that is not canonically encoded (`y >= p`) or is a point of small order. A
/// small-order key makes one signature (`R` = a small-order point, `S = 0`) verify for every message (or about
/// half of them): anyone could sign as its owner. The key is public, so this need not run in constant time.
fn check_ed25519_public(point: &[u8; 32]) -> Result<()> {
    let mut y = *point;
    y[31] &= 0x7f;
    // Little-endian comparison: the most significant byte is the last.
    if y.iter().rev().cmp(ED25519_P.iter().rev()) != std::cmp::Ordering::Less {
        return Err(invalid(
            "non-canonical Ed25519 public key (its y coordinate is not below 2^255-19)",
        ));
    }
    if ED25519_SMALL_ORDER_Y.contains(&y) {
        return Err(invalid(
            "Ed25519 public key of small order refused (it would let anyone forge signatures)",
        ));
    }
    Ok(())
}

/// The order `n` of the P-256 group, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `floor(n / 2)` of P-256, big-endian: the largest low `s`.
const P256_HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];

/// Whether the `s` half of a fixed-size (`r‖s`, 64-byte) P-256 ECDSA signature is above `n / 2`. For every valid
/// `(r, s)`, `(r, n - s)` verifies too: the pair is the same signature written two ways.
pub(crate) fn p256_is_high_s(sig: &[u8]) -> bool {
    sig.len() == 64 && sig[32..] > P256_HALF_N[..]
}

/// Rewrites a fixed-size P-256 ECDSA signature to its low-`s` form (`s` becomes `n - s` when above `n / 2`);
/// anything else is left alone. Signatures are public, so this need not run in constant time.
pub(crate) fn p256_normalize_s(sig: &mut [u8]) {
    if p256_is_high_s(sig) {
        p256_negate_s(sig);
    }
}

/// `(r, s)` becomes `(r, n - s)` (for `0 < s < n`): the other encoding of the same ECDSA signature.
fn p256_negate_s(sig: &mut [u8]) {
    let s = &mut sig[32..];
    let mut borrow = 0u16;
    for i in (0..32).rev() {
        let d = u16::from(P256_N[i])
            .wrapping_sub(u16::from(s[i]))
            .wrapping_sub(borrow);
        borrow = (d >> 15) & 1;
        s[i] = (d & 0xff) as u8;
    }
}

/// The bit lengths of the two primes of a PKCS#1 `RSAPrivateKey`, when it parses (only to explain a refusal).
fn rsa_prime_bits(pkcs1: &[u8]) -> Option<(usize, usize)> {
    let bits = |v: &[u8]| match v.first() {
        Some(&first) => v.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    };
    let mut seq = Der::new(pkcs1).nested(der::SEQUENCE).ok()?;
    for _ in 0..4 {
        seq.unsigned_integer().ok()?; // version, n, e, d
    }
    let p = seq.unsigned_integer().ok()?;
    let q = seq.unsigned_integer().ok()?;
    Some((bits(p), bits(q)))
}

/// A public key that verifies signatures.
#[derive(Clone)]
pub struct VerifyingKey {
    key_type: KeyType,
    /// Ed25519: the 32-byte key; RSA: PKCS#1 `RSAPublicKey` DER; P-256: the uncompressed point.
    public: Vec<u8>,
    spki: Vec<u8>,
    kid: String,
    allowed: Vec<SignatureAlgorithm>,
}

impl VerifyingKey {
    pub(super) fn build(key_type: KeyType, public: Vec<u8>) -> Result<Self> {
        let spki = match key_type {
            KeyType::Ed25519 => {
                let point: &[u8; 32] = public
                    .as_slice()
                    .try_into()
                    .map_err(|_| invalid("an Ed25519 public key is 32 bytes"))?;
                check_ed25519_public(point)?;
                der::spki(oid::ED25519, &[], &public)
            }
            KeyType::Rsa => {
                let mut seq = Der::new(&public).nested(der::SEQUENCE)?;
                let n = seq.unsigned_integer()?;
                let e = seq.unsigned_integer()?;
                seq.finish()?;
                if !(256..=1024).contains(&n.len()) {
                    return Err(invalid(format!(
                        "RSA keys must be 2048 to 8192 bits, got {} bits",
                        n.len() * 8
                    )));
                }
                if e.len() > 4 {
                    return Err(invalid("RSA public exponent is too large"));
                }
                let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
                if e < 3 || e % 2 == 0 {
                    return Err(invalid(format!(
                        "RSA public exponent {e} is refused: it must be odd and at least 3"
                    )));
                }
                der::spki(oid::RSA_ENCRYPTION, &der::element(der::NULL, &[]), &public)
            }
            KeyType::EcdsaP256 => {
                if public.len() != 65 || public[0] != 4 {
                    return Err(invalid(
                        "a P-256 public key is a 65-byte uncompressed point",
                    ));
                }
                der::spki(
                    oid::EC_PUBLIC_KEY,
                    &der::element(der::OID, oid::P256),
                    &public,
                )
            }
        };
        let pem = der::pem_encode("PUBLIC KEY", &spki);
        let kid = {
            use sha2::Digest as _;
            hex_lower(&sha2::Sha256::digest(pem.as_bytes()))
        };
        Ok(VerifyingKey {
            key_type,
            allowed: default_allowed(key_type),
            public,
            spki,
            kid,
        })
    }

    /// From PEM: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1); or from an OpenSSH public key
    /// line (`ssh-ed25519 AAAA… comment`, `ssh-rsa …`, `ecdsa-sha2-nistp256 …`, see
    /// [`VerifyingKey::from_openssh`]), which asymmetric-jwt-auth accepts wherever it accepts PEM. Text whose
    /// first word starts with `ssh-`, `ecdsa-` or `sk-` is read as OpenSSH.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for another label, a bad encoding or an unsupported key.
    pub fn from_pem(pem: &str) -> Result<Self> {
        if super::openssh::looks_like_openssh(pem) {
            return Self::from_openssh(pem);
        }
        let (label, der) = der::pem_decode(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::build(KeyType::Rsa, der.to_vec()),
            other => Err(invalid(format!(
                "expected a PUBLIC KEY or RSA PUBLIC KEY PEM block, got {other:?}"
            ))),
        }
    }

    /// From SubjectPublicKeyInfo DER (Ed25519, RSA with the rsaEncryption or RSASSA-PSS identifier, P-256).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for a bad encoding or an unsupported key.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self> {
        let mut outer = Der::new(spki);
        let mut seq = outer.nested(der::SEQUENCE)?;
        outer.finish()?;
        let mut alg = seq.nested(der::SEQUENCE)?;
        let alg_oid = alg.read(der::OID)?;
        let bits = seq.bit_string()?;
        seq.finish()?;
        let key_type = match alg_oid {
            oid::ED25519 => KeyType::Ed25519,
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => KeyType::Rsa,
            oid::EC_PUBLIC_KEY => {
                if alg.read(der::OID)? != oid::P256 {
                    return Err(invalid("only the P-256 curve is supported"));
                }
                KeyType::EcdsaP256
            }
            _ => return Err(invalid("unsupported public key algorithm")),
        };
        let mut key = Self::build(key_type, bits.to_vec())?;
        if alg_oid == oid::RSASSA_PSS {
            key.allowed = vec![SignatureAlgorithm::RsaPssSha512];
        }
        Ok(key)
    }

    /// From a JWK (JSON text): `{"kty":"OKP","crv":"Ed25519","x":…}`, `{"kty":"RSA","n":…,"e":…}` or
    /// `{"kty":"EC","crv":"P-256","x":…,"y":…}`. A `kid` member becomes the key id; an `alg` member narrows the
    /// allowed algorithms to that one.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for bad JSON, a private JWK member (`d`), a missing member or an unsupported key.
    pub fn from_jwk(jwk: &str) -> Result<Self> {
        if jwk.len() > der::MAX_PEM_LEN {
            return Err(Error::new(ErrorKind::TooLarge, "JWK text is over 64 KiB"));
        }
        let v: serde_json::Value =
            serde_json::from_str(jwk).map_err(|_| invalid("JWK is not valid JSON"))?;
        Self::from_jwk_value(&v)
    }

    /// [`VerifyingKey::from_jwk`] of a parsed JSON value (a JWK set's member).
    pub(super) fn from_jwk_value(v: &serde_json::Value) -> Result<Self> {
        let member = |name: &str| -> Result<Vec<u8>> {
            let text = v
                .get(name)
                .and_then(|x| x.as_str())
                .ok_or_else(|| invalid(format!("JWK member {name:?} is missing")))?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| invalid(format!("JWK member {name:?} is not base64url")))
        };
        if v.get("d").is_some() {
            return Err(invalid(
                "this JWK holds a private key; pass only the public members",
            ));
        }
        let mut key = match (
            v.get("kty").and_then(|x| x.as_str()),
            v.get("crv").and_then(|x| x.as_str()),
        ) {
            (Some("OKP"), Some("Ed25519")) => Self::build(KeyType::Ed25519, member("x")?)?,
            (Some("EC"), Some("P-256")) => {
                let (x, y) = (member("x")?, member("y")?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(invalid("P-256 coordinates are 32 bytes each"));
                }
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Self::build(KeyType::EcdsaP256, point)?
            }
            (Some("RSA"), _) => {
                let (n, e) = (member("n")?, member("e")?);
                let integer = |b: &[u8]| {
                    let trimmed: &[u8] = &b[b.iter().take_while(|&&x| x == 0).count()..];
                    let mut c = Vec::with_capacity(trimmed.len() + 1);
                    if trimmed.first().is_some_and(|&x| x & 0x80 != 0) {
                        c.push(0);
                    }
                    c.extend_from_slice(trimmed);
                    der::element(der::INTEGER, &c)
                };
                let mut body = integer(&n);
                body.extend_from_slice(&integer(&e));
                Self::build(KeyType::Rsa, der::element(der::SEQUENCE, &body))?
            }
            _ => {
                return Err(invalid(
                    "unsupported JWK: expected kty OKP/Ed25519, RSA or EC/P-256",
                ))
            }
        };
        if let Some(kid) = v.get("kid").and_then(|x| x.as_str()) {
            key.kid = crate::KeyId::new(kid)?.as_str().to_string();
        }
        if let Some(alg) = v.get("alg").and_then(|x| x.as_str()) {
            let alg = SignatureAlgorithm::from_jws_name(alg)
                .or_else(|| alg.parse().ok())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::UnsupportedAlgorithm,
                        "JWK names an unsupported alg",
                    )
                })?;
            key = key.with_allowed(&[alg])?;
        }
        Ok(key)
    }

    /// The public key as JWK text (RFC 7517): `{"kty":"OKP","crv":"Ed25519","x":…}`, `{"kty":"RSA","n":…,"e":…}`
    /// or `{"kty":"EC","crv":"P-256","x":…,"y":…}`, with `"kid"` (the key id), `"use":"sig"`, and `"alg"` when
    /// exactly one algorithm is allowed. [`VerifyingKey::from_jwk`] reads it back as the same key, key id and
    /// allowed algorithms.
    pub fn to_jwk(&self) -> String {
        self.jwk_value().to_string()
    }

    pub(super) fn jwk_value(&self) -> serde_json::Value {
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let mut jwk = serde_json::Map::new();
        match self.key_type {
            KeyType::Ed25519 => {
                jwk.insert("kty".into(), "OKP".into());
                jwk.insert("crv".into(), "Ed25519".into());
                jwk.insert("x".into(), b64(&self.public).into());
            }
            KeyType::EcdsaP256 => {
                jwk.insert("kty".into(), "EC".into());
                jwk.insert("crv".into(), "P-256".into());
                jwk.insert("x".into(), b64(&self.public[1..33]).into());
                jwk.insert("y".into(), b64(&self.public[33..]).into());
            }
            KeyType::Rsa => {
                jwk.insert("kty".into(), "RSA".into());
                // Checked when the key was built: a SEQUENCE of two positive INTEGERs.
                let mut seq = Der::new(&self.public);
                if let Ok(mut seq) = seq.nested(der::SEQUENCE) {
                    if let (Ok(n), Ok(e)) = (seq.unsigned_integer(), seq.unsigned_integer()) {
                        jwk.insert("n".into(), b64(n).into());
                        jwk.insert("e".into(), b64(e).into());
                    }
                }
            }
        }
        if let [alg] = self.allowed.as_slice() {
            jwk.insert("alg".into(), alg.jws_name().into());
        }
        jwk.insert("kid".into(), self.kid.clone().into());
        jwk.insert("use".into(), "sig".into());
        serde_json::Value::Object(jwk)
    }

    /// The same key, allowed only `algs` (each must belong to the key's family).
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `algs` is empty or names an algorithm of another family.
    pub fn with_allowed(mut self, algs: &[SignatureAlgorithm]) -> Result<Self> {
        if algs.is_empty() || algs.iter().any(|a| a.key_type() != self.key_type) {
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!(
                    "a {} key can only be allowed algorithms of its own family",
                    self.key_type
                ),
            ));
        }
        self.allowed = algs.to_vec();
        Ok(self)
    }

    /// The same key under another key id.
    ///
    /// # Errors
    /// As [`crate::KeyId::new`].
    pub fn with_key_id(mut self, kid: &str) -> Result<Self> {
        self.kid = crate::KeyId::new(kid)?.as_str().to_string();
        Ok(self)
    }

    /// The key family.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The algorithms this key may verify.
    pub fn allowed(&self) -> &[SignatureAlgorithm] {
        &self.allowed
    }

    /// Whether `alg` is allowed for this key.
    pub fn allows(&self, alg: SignatureAlgorithm) -> bool {
        self.allowed.contains(&alg)
    }

    /// The key id: by default the SHA-256 fingerprint of the SPKI PEM text (asymmetric-jwt-auth's `kid`).
    pub fn key_id(&self) -> &str {
        &self.kid
    }

    /// SHA-256 of the SPKI PEM text, lower-case hex, whatever the key id was set to.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        hex_lower(&sha2::Sha256::digest(self.to_pem().as_bytes()))
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// SubjectPublicKeyInfo PEM (64-character lines, trailing newline).
    pub fn to_pem(&self) -> String {
        der::pem_encode("PUBLIC KEY", &self.spki)
    }

    /// Verifies `signature` over `msg` under `alg`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `alg` is not allowed for this key; [`ErrorKind::BadSignature`]
    /// when the signature does not verify.
    pub fn verify(&self, alg: SignatureAlgorithm, msg: &[u8], signature: &[u8]) -> Result<()> {
        if !self.allows(alg) {
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("algorithm {alg} is not allowed for this key"),
            ));
        }
        let params: &dyn signature::VerificationAlgorithm = match alg {
            SignatureAlgorithm::Ed25519 => &signature::ED25519,
            SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            SignatureAlgorithm::RsaPkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            SignatureAlgorithm::RsaPkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            SignatureAlgorithm::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
            SignatureAlgorithm::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        UnparsedPublicKey::new(params, &self.public)
            .verify(msg, signature)
            .map_err(|_| Error::bad_signature())
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VerifyingKey {{ type: {}, kid: {:?} }}",
            self.key_type, self.kid
        )
    }
}

enum Private {
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A private key that signs. Its [`VerifyingKey`] is derived from it.
///
/// The key material lives inside `ring`'s key types, which do not wipe themselves on drop; the DER and PEM
/// buffers countermark decodes them from are wiped.
///
/// RSA private keys must have two primes of the same length, each half the modulus (every common generator
/// makes such keys): `ring`, the signing backend, signs with no other, and a key whose primes differ in length
/// (RFC 9421's own `test-key-rsa` has 1088- and 960-bit primes) is refused with [`ErrorKind::InvalidKey`] naming
/// that reason. Its public key still works as a [`VerifyingKey`], so signatures made with it elsewhere verify.
#[derive(Clone)]
pub struct SigningKey {
    /// Shared by clones: cloning a signing key never copies the private key.
    private: Arc<Private>,
    public: VerifyingKey,
    rng: SystemRandom,
}

impl SigningKey {
    /// From PEM: `PRIVATE KEY` (PKCS#8 v1 or v2: Ed25519, RSA, RSASSA-PSS, P-256), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1, P-256, with its public key).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for another label (including encrypted keys), a bad encoding or an unsupported
    /// key. The message never contains key material.
    pub fn from_pem(pem: &str) -> Result<Self> {
        let (label, der) = der::pem_decode(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => Self::rsa_from_pkcs1(&der, None),
            "EC PRIVATE KEY" => Self::ec_from_sec1(&der),
            "ENCRYPTED PRIVATE KEY" => Err(invalid(
                "encrypted private keys are not supported; decrypt it first",
            )),
            other => Err(invalid(format!(
                "expected a PRIVATE KEY PEM block, got {other:?}"
            ))),
        }
    }

    /// From PKCS#8 DER.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for a bad encoding or an unsupported key.
    pub fn from_pkcs8_der(pkcs8: &[u8]) -> Result<Self> {
        let mut outer = Der::new(pkcs8);
        let mut seq = outer.nested(der::SEQUENCE)?;
        outer.finish()?;
        let _version = seq.unsigned_integer()?;
        let mut alg = seq.nested(der::SEQUENCE)?;
        let alg_oid = alg.read(der::OID)?;
        let private = seq.read(der::OCTET_STRING)?;
        let rng = SystemRandom::new();
        match alg_oid {
            oid::ED25519 => {
                let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
                    .map_err(|_| invalid("invalid Ed25519 PKCS#8 key"))?;
                let public =
                    VerifyingKey::build(KeyType::Ed25519, pair.public_key().as_ref().to_vec())?;
                Ok(SigningKey {
                    private: Arc::new(Private::Ed25519(pair)),
                    public,
                    rng,
                })
            }
            oid::RSA_ENCRYPTION => Self::rsa_from_pkcs1(private, None),
            oid::RSASSA_PSS => {
                Self::rsa_from_pkcs1(private, Some(&[SignatureAlgorithm::RsaPssSha512]))
            }
            oid::EC_PUBLIC_KEY => {
                if alg.read(der::OID)? != oid::P256 {
                    return Err(invalid("only the P-256 curve is supported"));
                }
                let pair = EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8,
                    &rng,
                )
                .map_err(|_| {
                    invalid("invalid P-256 PKCS#8 key (it must include its public key)")
                })?;
                let public =
                    VerifyingKey::build(KeyType::EcdsaP256, pair.public_key().as_ref().to_vec())?;
                Ok(SigningKey {
                    private: Arc::new(Private::Ecdsa(pair)),
                    public,
                    rng,
                })
            }
            _ => Err(invalid("unsupported private key algorithm")),
        }
    }

    fn rsa_from_pkcs1(pkcs1: &[u8], allowed: Option<&[SignatureAlgorithm]>) -> Result<Self> {
        let pair = RsaKeyPair::from_der(pkcs1).map_err(|e| {
            if let Some((p_bits, q_bits)) = rsa_prime_bits(pkcs1).filter(|(p, q)| p != q) {
                return invalid(format!(
                    "RSA private key refused: its primes differ in length ({p_bits} and {q_bits} bits), and the \
                     signing backend (ring) signs only with keys whose two primes are each half the modulus \
                     length; its public key still verifies as a VerifyingKey"
                ));
            }
            invalid(format!(
                "RSA private key refused ({e}): keys must be 2048 to 8192 bits, with two primes of half the \
                 modulus length each (a multiple of 512 bits) and consistent CRT components"
            ))
        })?;
        let mut public = VerifyingKey::build(KeyType::Rsa, pair.public().as_ref().to_vec())?;
        if let Some(algs) = allowed {
            public = public.with_allowed(algs)?;
        }
        Ok(SigningKey {
            private: Arc::new(Private::Rsa(pair)),
            public,
            rng: SystemRandom::new(),
        })
    }

    fn ec_from_sec1(sec1: &[u8]) -> Result<Self> {
        let mut outer = Der::new(sec1);
        let mut seq = outer.nested(der::SEQUENCE)?;
        outer.finish()?;
        if seq.unsigned_integer()? != [1] {
            return Err(invalid("unsupported EC private key version"));
        }
        let scalar = Zeroizing::new(seq.read(der::OCTET_STRING)?.to_vec());
        let mut public = None;
        while !seq.is_empty() {
            match seq.peek_tag() {
                Some(0xa0) => {
                    let mut params = seq.nested(0xa0)?;
                    if params.read(der::OID)? != oid::P256 {
                        return Err(invalid("only the P-256 curve is supported"));
                    }
                }
                Some(0xa1) => public = Some(seq.nested(0xa1)?.bit_string()?.to_vec()),
                _ => return Err(invalid("invalid EC private key")),
            }
        }
        let public =
            public.ok_or_else(|| invalid("the EC private key must include its public key"))?;
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &scalar,
            &public,
            &rng,
        )
        .map_err(|_| invalid("invalid P-256 private key"))?;
        Ok(SigningKey {
            private: Arc::new(Private::Ecdsa(pair)),
            public: VerifyingKey::build(KeyType::EcdsaP256, public)?,
            rng,
        })
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The key id (that of the public key).
    pub fn key_id(&self) -> &str {
        self.public.key_id()
    }

    /// The key family.
    pub fn key_type(&self) -> KeyType {
        self.public.key_type
    }

    /// The same key, allowed only `algs` (see [`VerifyingKey::with_allowed`]).
    ///
    /// # Errors
    /// As [`VerifyingKey::with_allowed`].
    pub fn with_allowed(mut self, algs: &[SignatureAlgorithm]) -> Result<Self> {
        self.public = self.public.with_allowed(algs)?;
        Ok(self)
    }

    /// The same key under another key id.
    ///
    /// # Errors
    /// As [`crate::KeyId::new`].
    pub fn with_key_id(mut self, kid: &str) -> Result<Self> {
        self.public = self.public.with_key_id(kid)?;
        Ok(self)
    }

    /// Signs `msg` under `alg`. Ed25519 and RSA PKCS#1 v1.5 are deterministic; RSA-PSS and ECDSA are randomised.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when `alg` is not allowed for this key.
    pub fn sign(&self, alg: SignatureAlgorithm, msg: &[u8]) -> Result<Vec<u8>> {
        if !self.public.allows(alg) {
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!("algorithm {alg} is not allowed for this key"),
            ));
        }
        let failed = || Error::new(ErrorKind::InvalidKey, "signing failed");
        match &*self.private {
            Private::Ed25519(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
            Private::Ecdsa(pair) => {
                let mut sig = pair
                    .sign(&self.rng, msg)
                    .map_err(|_| failed())?
                    .as_ref()
                    .to_vec();
                p256_normalize_s(&mut sig);
                Ok(sig)
            }
            Private::Rsa(pair) => {
                let padding: &dyn signature::RsaEncoding = match alg {
                    SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
                    SignatureAlgorithm::RsaPkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::RsaPkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
                    _ => &signature::RSA_PSS_SHA512,
                };
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &self.rng, msg, &mut sig)
                    .map_err(|_| failed())?;
                Ok(sig)
            }
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SigningKey {{ type: {}, kid: {:?} }}",
            self.public.key_type, self.public.kid
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(file: &str) -> serde_json::Value {
        // As core/tests/common: `../shared/vectors` beside the repository, or `COUNTERMARK_VECTORS` (needed when
        // the tree is copied elsewhere, as cargo-mutants does).
        let dir = std::env::var_os("COUNTERMARK_VECTORS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
            std::path::PathBuf::from,
        );
        let path = dir.join(file);
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).unwrap()
    }

    #[test]
    fn every_vector_key_loads_signs_and_verifies() {
        for (file, keys) in [
            ("rfc9421.json", vectors("rfc9421.json")),
            ("asym_jwt.json", vectors("asym_jwt.json")),
        ] {
            for (name, k) in keys["keys"].as_object().unwrap() {
                let Some(private) = k["private_pem"].as_str() else {
                    continue;
                };
                if name == "test-key-rsa" {
                    // RFC 9421's RSA test key has primes of 1088 and 960 bits, with which ring cannot sign; the
                    // refusal names that reason, and the public key verifies.
                    let err = SigningKey::from_pem(private).unwrap_err();
                    assert_eq!(err.kind(), ErrorKind::InvalidKey);
                    assert_eq!(
                        err.message(),
                        "RSA private key refused: its primes differ in length (1088 and 960 bits), and the \
                         signing backend (ring) signs only with keys whose two primes are each half the modulus \
                         length; its public key still verifies as a VerifyingKey"
                    );
                    VerifyingKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap();
                    continue;
                }
                let sk =
                    SigningKey::from_pem(private).unwrap_or_else(|e| panic!("{file} {name}: {e}"));
                let pk = VerifyingKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap();
                assert_eq!(sk.verifying_key().spki_der(), pk.spki_der(), "{name}");
                if let Some(kid) = k["kid"].as_str() {
                    assert_eq!(pk.key_id(), kid, "{name}");
                }
                if let Some(jwk) = k.get("jwk") {
                    let from_jwk = VerifyingKey::from_jwk(&jwk.to_string()).unwrap();
                    assert_eq!(from_jwk.spki_der(), pk.spki_der());
                    assert_eq!(from_jwk.allowed(), [SignatureAlgorithm::RsaPkcs1Sha512]);
                }
                for &alg in sk.verifying_key().allowed() {
                    let sig = sk.sign(alg, b"hello").unwrap();
                    pk.verify(alg, b"hello", &sig)
                        .unwrap_or_else(|e| panic!("{name} {alg}: {e}"));
                    assert_eq!(
                        pk.verify(alg, b"hellO", &sig).unwrap_err().kind(),
                        ErrorKind::BadSignature
                    );
                }
                for alg in SignatureAlgorithm::ALL
                    .into_iter()
                    .filter(|a| a.key_type() != sk.key_type())
                {
                    assert_eq!(
                        sk.sign(alg, b"x").unwrap_err().kind(),
                        ErrorKind::UnsupportedAlgorithm
                    );
                    assert_eq!(
                        pk.verify(alg, b"x", &[0; 64]).unwrap_err().kind(),
                        ErrorKind::UnsupportedAlgorithm
                    );
                }
                assert!(!format!("{sk:?}").contains("BEGIN"));
            }
        }
    }

    #[test]
    fn refuses_bad_input() {
        for pem in [
            "",
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        ] {
            assert_eq!(
                SigningKey::from_pem(pem).unwrap_err().kind(),
                ErrorKind::InvalidKey,
                "{pem:?}"
            );
        }
        for jwk in [
            "",
            "{}",
            r#"{"kty":"oct","k":"AAAA"}"#,
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#,
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"x"}"#,
        ] {
            assert!(VerifyingKey::from_jwk(jwk).is_err(), "{jwk}");
        }
    }

    /// Every encoding of the eight small-order points (both sign bits; `y + p` where it fits) and other
    /// non-canonical `y`.
    fn small_order_and_non_canonical_ed25519() -> Vec<[u8; 32]> {
        let mut out = Vec::new();
        for y in ED25519_SMALL_ORDER_Y {
            for sign in [0, 0x80] {
                let mut e = y;
                e[31] |= sign;
                out.push(e);
            }
        }
        // y + p for y = 0 (p), 1 (p + 1), and y = 2..=18 (non-canonical, whatever the point), each with both signs.
        for low in 0xedu8..=0xff {
            for sign in [0, 0x80] {
                let mut e = ED25519_P;
                e[0] = low;
                e[31] |= sign;
                out.push(e);
            }
        }
        out
    }

    fn b64url(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn small_order_and_non_canonical_ed25519_public_keys_are_refused_in_every_format() {
        let encodings = small_order_and_non_canonical_ed25519();
        assert_eq!(encodings.len(), 10 + 2 * 19);
        for e in encodings {
            let spki = der::spki(oid::ED25519, &[], &e);
            let pem = der::pem_encode("PUBLIC KEY", &spki);
            let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64url(&e));
            for (format, got) in [
                ("raw", VerifyingKey::build(KeyType::Ed25519, e.to_vec())),
                ("spki", VerifyingKey::from_spki_der(&spki)),
                ("pem", VerifyingKey::from_pem(&pem)),
                ("jwk", VerifyingKey::from_jwk(&jwk)),
            ] {
                let err = got.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidKey, "{format} {e:02x?}");
                assert!(
                    err.message().contains("small order")
                        || err.message().contains("non-canonical"),
                    "{format}: {err}"
                );
            }
        }
        // A key next to the refused ones still loads (y = 2 is canonical; whether it is on the curve is the
        // verifier's business), and so does a real one.
        let mut two = [0u8; 32];
        two[0] = 2;
        VerifyingKey::build(KeyType::Ed25519, two.to_vec()).unwrap();
        let real = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let sk = SigningKey::from_pkcs8_der(real.as_ref()).unwrap();
        let sig = sk.sign(SignatureAlgorithm::Ed25519, b"m").unwrap();
        let pem = sk.verifying_key().to_pem();
        VerifyingKey::from_pem(&pem)
            .unwrap()
            .verify(SignatureAlgorithm::Ed25519, b"m", &sig)
            .unwrap();
    }

    #[test]
    fn the_universal_forgery_key_is_refused_at_load() {
        // With the identity point as public key, R = identity and S = 0 verify for every message.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut forged = [0u8; 64];
        forged[0] = 1;
        for msg in [&b"pay mallory"[..], b"anything at all", b""] {
            UnparsedPublicKey::new(&signature::ED25519, &identity)
                .verify(msg, &forged)
                .expect("the forgery verifies under the bare primitive");
        }
        let jwk = format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            b64url(&identity)
        );
        let pem = der::pem_encode("PUBLIC KEY", &der::spki(oid::ED25519, &[], &identity));
        assert_eq!(
            VerifyingKey::from_jwk(&jwk).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert_eq!(
            VerifyingKey::from_pem(&pem).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
    }

    #[test]
    fn ed25519_signatures_with_a_non_canonical_s_are_refused() {
        // The group order L, little-endian: (R, S + L) is the same equation, and must not verify.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let real = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let sk = SigningKey::from_pkcs8_der(real.as_ref()).unwrap();
        let sig = sk.sign(SignatureAlgorithm::Ed25519, b"m").unwrap();
        sk.verifying_key()
            .verify(SignatureAlgorithm::Ed25519, b"m", &sig)
            .unwrap();
        let mut bumped = sig.clone();
        let mut carry = 0u16;
        for (i, l) in L.iter().enumerate() {
            let t = u16::from(bumped[32 + i]) + u16::from(*l) + carry;
            bumped[32 + i] = (t & 0xff) as u8;
            carry = t >> 8;
        }
        assert_eq!(carry, 0, "S + L fits in 32 bytes");
        assert_ne!(bumped, sig);
        assert_eq!(
            sk.verifying_key()
                .verify(SignatureAlgorithm::Ed25519, b"m", &bumped)
                .unwrap_err()
                .kind(),
            ErrorKind::BadSignature
        );
    }

    #[test]
    fn rsa_public_exponents_must_be_odd_and_at_least_3() {
        let keys = vectors("rfc9421.json");
        let pk = VerifyingKey::from_pem(
            keys["keys"]["test-key-rsa-pss"]["public_pem"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let mut seq = Der::new(&pk.public).nested(der::SEQUENCE).unwrap();
        let n = seq.unsigned_integer().unwrap().to_vec();
        let pkcs1 = |e: &[u8]| {
            let mut n_int = vec![0u8];
            n_int.extend_from_slice(&n);
            let mut body = der::element(der::INTEGER, &n_int);
            body.extend_from_slice(&der::element(der::INTEGER, e));
            der::element(der::SEQUENCE, &body)
        };
        for (e, ok) in [
            (&[0x01][..], false),
            (&[0x02], false),
            (&[0x01, 0x00, 0x00], false),
            (&[0x01, 0x00, 0x01], true),
            (&[0x03], true),
        ] {
            let jwk = format!(
                r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
                b64url(&n),
                b64url(e)
            );
            let pem = der::pem_encode("RSA PUBLIC KEY", &pkcs1(e));
            for (format, got) in [
                ("jwk", VerifyingKey::from_jwk(&jwk)),
                ("pkcs1", VerifyingKey::from_pem(&pem)),
            ] {
                match (got, ok) {
                    (Ok(_), true) => {}
                    (Err(err), false) => {
                        assert_eq!(err.kind(), ErrorKind::InvalidKey, "{format} {e:?}");
                        assert!(
                            err.message().contains("must be odd and at least 3"),
                            "{err}"
                        );
                    }
                    (got, _) => panic!("{format} e={e:?}: {got:?}"),
                }
            }
        }
    }

    #[test]
    fn ecdsa_signatures_are_made_low_s_and_both_forms_are_one_signature() {
        let keys = vectors("rfc9421.json");
        let k = &keys["keys"]["test-key-ecc-p256"];
        let sk = SigningKey::from_pem(k["private_pem"].as_str().unwrap()).unwrap();
        let alg = SignatureAlgorithm::EcdsaP256Sha256;
        for i in 0..64u8 {
            let msg = [i; 3];
            let sig = sk.sign(alg, &msg).unwrap();
            assert!(!p256_is_high_s(&sig), "signature {i} is high-S");
            let mut other = sig.clone();
            p256_negate_s(&mut other);
            assert!(p256_is_high_s(&other));
            // RFC 9421 B.2.4 publishes a high-S signature, so the other form verifies; it normalises back.
            sk.verifying_key().verify(alg, &msg, &other).unwrap();
            p256_normalize_s(&mut other);
            assert_eq!(other, sig);
        }
    }

    // ---- Tests for the mutants of key/ that the suites above left uncaught (MUTANTS.md) ----

    const P256_PKCS8: &str = include_str!("../../tests/data/keys/p256-pkcs8.pem");
    const P256_SPKI: &str = include_str!("../../tests/data/keys/p256-spki.pem");
    const P256_X: &str = "im3NpDCmxnEtVYpYpNLGUchO0HrUo5-h0pgpTmSxL0g";
    const P256_Y: &str = "mMRN5GRnx0OoKgTTiQQ9pk-8NR-Opeqy0C1C1jwa9YY";

    fn ed25519_public_pem() -> String {
        vectors("rfc9421.json")["keys"]["test-key-ed25519"]["public_pem"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn pkcs8_p256_keys_sign_and_other_curves_are_refused() {
        let sk = SigningKey::from_pem(P256_PKCS8).unwrap();
        assert_eq!(sk.key_type(), KeyType::EcdsaP256);
        let public = VerifyingKey::from_pem(P256_SPKI).unwrap();
        assert_eq!(sk.verifying_key().spki_der(), public.spki_der());
        let sig = sk.sign(SignatureAlgorithm::EcdsaP256Sha256, b"m").unwrap();
        public
            .verify(SignatureAlgorithm::EcdsaP256Sha256, b"m", &sig)
            .unwrap();
        let p384 = SigningKey::from_pem(include_str!("../../tests/data/keys/p384-pkcs8.pem"));
        let err = p384.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert_eq!(err.message(), "only the P-256 curve is supported");
    }

    #[test]
    fn ec_jwk_is_the_same_key_and_its_coordinates_are_32_bytes_each() {
        let jwk = |x: &str, y: &str| format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}"}}"#);
        let from_jwk = VerifyingKey::from_jwk(&jwk(P256_X, P256_Y)).unwrap();
        assert_eq!(from_jwk.key_type(), KeyType::EcdsaP256);
        assert_eq!(
            from_jwk.spki_der(),
            VerifyingKey::from_pem(P256_SPKI).unwrap().spki_der()
        );
        // One coordinate of 31 bytes, the other right: refused whichever it is.
        let short = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([7u8; 31]);
        for (x, y) in [(short.as_str(), P256_Y), (P256_X, short.as_str())] {
            let err = VerifyingKey::from_jwk(&jwk(x, y)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey);
            assert_eq!(err.message(), "P-256 coordinates are 32 bytes each");
        }
    }

    #[test]
    fn a_p256_point_must_be_65_bytes_and_uncompressed() {
        let good = VerifyingKey::from_pem(P256_SPKI).unwrap();
        let point = good.public.clone();
        assert_eq!((point.len(), point[0]), (65, 4));
        let spki = |p: &[u8]| der::spki(oid::EC_PUBLIC_KEY, &der::element(der::OID, oid::P256), p);
        VerifyingKey::from_spki_der(&spki(&point)).unwrap();
        let mut compressed_tag = point.clone();
        compressed_tag[0] = 3;
        let mut short = point.clone();
        short.pop();
        for bad in [compressed_tag, short] {
            let err = VerifyingKey::from_spki_der(&spki(&bad)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey);
            assert_eq!(
                err.message(),
                "a P-256 public key is a 65-byte uncompressed point"
            );
        }
    }

    #[test]
    fn spki_der_and_fingerprint_are_the_keys_own() {
        use sha2::Digest as _;
        let pem = ed25519_public_pem();
        let key = VerifyingKey::from_pem(&pem).unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(key.spki_der(), &der[..]);
        assert_eq!(
            key.fingerprint(),
            hex_lower(&sha2::Sha256::digest(key.to_pem().as_bytes()))
        );
        let other = VerifyingKey::from_pem(P256_SPKI).unwrap();
        assert_ne!(key.fingerprint(), other.fingerprint());
        assert_eq!(key.fingerprint().len(), 64);
    }

    #[test]
    fn rsa_exponents_of_four_bytes_load_and_of_five_are_refused() {
        let keys = vectors("asym_jwt.json");
        let jwk: serde_json::Value = keys["keys"]
            .as_object()
            .unwrap()
            .values()
            .find_map(|k| k.get("jwk").filter(|j| j["kty"] == "RSA").cloned())
            .expect("an RSA JWK in the vectors");
        let with_e = |e: &[u8]| {
            let mut j = jwk.clone();
            j["e"] = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(e)
                .into();
            j.as_object_mut().unwrap().remove("alg");
            VerifyingKey::from_jwk(&j.to_string())
        };
        with_e(&[0x01, 0x00, 0x00, 0x01]).unwrap();
        let err = with_e(&[0x01, 0x00, 0x00, 0x00, 0x01]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert_eq!(err.message(), "RSA public exponent is too large");
    }

    #[test]
    fn an_allowed_list_is_not_empty_and_of_the_keys_family() {
        let key = VerifyingKey::from_pem(&ed25519_public_pem()).unwrap();
        for algs in [&[][..], &[SignatureAlgorithm::RsaPkcs1Sha256][..]] {
            assert_eq!(
                key.clone().with_allowed(algs).unwrap_err().kind(),
                ErrorKind::UnsupportedAlgorithm
            );
        }
        let narrowed = key.with_allowed(&[SignatureAlgorithm::Ed25519]).unwrap();
        assert_eq!(narrowed.allowed(), [SignatureAlgorithm::Ed25519]);
    }

    #[test]
    fn jwk_and_pem_texts_of_64_kib_load_and_one_byte_more_is_too_large() {
        let limit = der::MAX_PEM_LEN;
        let jwk = format!(r#"{{"kty":"EC","crv":"P-256","x":"{P256_X}","y":"{P256_Y}"}}"#);
        let padded = |text: &str, len: usize| format!("{text}{}", " ".repeat(len - text.len()));
        VerifyingKey::from_jwk(&padded(&jwk, limit)).unwrap();
        assert_eq!(
            VerifyingKey::from_jwk(&padded(&jwk, limit + 1))
                .unwrap_err()
                .kind(),
            ErrorKind::TooLarge
        );
        let pem = |len: usize| format!("{P256_SPKI}{}", "\n".repeat(len - P256_SPKI.len()));
        VerifyingKey::from_pem(&pem(limit)).unwrap();
        assert_eq!(
            VerifyingKey::from_pem(&pem(limit + 1)).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn unbalanced_rsa_primes_are_counted_in_bits() {
        let pem = include_str!("../../tests/data/keys/rsa-1100-948-pkcs8.pem");
        let err = SigningKey::from_pem(pem).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(
            err.message().contains("(1100 and 948 bits)"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn ecdsa_s_is_at_most_half_the_order_byte_for_byte() {
        // Checked here without `p256_is_high_s`, so a mutant of that function cannot vouch for itself.
        let sk = SigningKey::from_pem(P256_PKCS8).unwrap();
        for i in 0..32u8 {
            let sig = sk.sign(SignatureAlgorithm::EcdsaP256Sha256, &[i]).unwrap();
            assert!(sig[32..] <= P256_HALF_N[..], "signature {i} is high-S");
        }
    }
}
