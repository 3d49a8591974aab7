//! Asymmetric keys: [`SigningKey`] (private) and [`VerifyingKey`] (public), for RFC 9421 signatures and JWTs.
//!
//! Formats read: PEM or DER of PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`, `RSA PUBLIC KEY`), SEC1
//! (`EC PRIVATE KEY`) and SubjectPublicKeyInfo (`PUBLIC KEY`), and JWK (`OKP`/Ed25519, `RSA`, `EC`/P-256). Encrypted
//! private keys are refused. RSA keys are 2048 to 8192 bits.
//!
//! Each key carries the set of [`SignatureAlgorithm`]s it may be used with, by default every algorithm of its
//! family ([`KeyType`]); [`VerifyingKey::with_allowed`] narrows it. Verifying or signing under an algorithm outside
//! the set is [`ErrorKind::UnsupportedAlgorithm`], so a message can never pick a weaker algorithm or another key
//! family for a key.
//!
//! The key id ([`VerifyingKey::kid`]) defaults to the fingerprint asymmetric-jwt-auth uses: the lower-case hex
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
    fn build(key_type: KeyType, public: Vec<u8>) -> Result<Self> {
        let spki = match key_type {
            KeyType::Ed25519 => {
                if public.len() != 32 {
                    return Err(invalid("an Ed25519 public key is 32 bytes"));
                }
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

    /// From PEM: `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] for another label, a bad encoding or an unsupported key.
    pub fn from_pem(pem: &str) -> Result<Self> {
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
    pub fn with_kid(mut self, kid: &str) -> Result<Self> {
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
    pub fn kid(&self) -> &str {
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
/// buffers countermark decodes them from are wiped. `ring` refuses RSA private keys whose first prime is smaller
/// than the second (RFC 9421's own `test-key-rsa` is one); such keys still work as [`VerifyingKey`]s.
pub struct SigningKey {
    private: Private,
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
                    private: Private::Ed25519(pair),
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
                    private: Private::Ecdsa(pair),
                    public,
                    rng,
                })
            }
            _ => Err(invalid("unsupported private key algorithm")),
        }
    }

    fn rsa_from_pkcs1(pkcs1: &[u8], allowed: Option<&[SignatureAlgorithm]>) -> Result<Self> {
        let pair = RsaKeyPair::from_der(pkcs1).map_err(|e| {
            invalid(format!(
                "RSA private key refused ({}): keys must be 2048 to 8192 bits with consistent CRT components and \
                 the first prime larger than the second",
                e
            ))
        })?;
        let mut public = VerifyingKey::build(KeyType::Rsa, pair.public().as_ref().to_vec())?;
        if let Some(algs) = allowed {
            public = public.with_allowed(algs)?;
        }
        Ok(SigningKey {
            private: Private::Rsa(pair),
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
            private: Private::Ecdsa(pair),
            public: VerifyingKey::build(KeyType::EcdsaP256, public)?,
            rng,
        })
    }

    /// The matching public key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The key id (that of the public key).
    pub fn kid(&self) -> &str {
        self.public.kid()
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
    pub fn with_kid(mut self, kid: &str) -> Result<Self> {
        self.public = self.public.with_kid(kid)?;
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
        match &self.private {
            Private::Ed25519(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
            Private::Ecdsa(pair) => Ok(pair
                .sign(&self.rng, msg)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
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
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/vectors")
            .join(file);
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
                    // RFC 9421's RSA test key has p < q, which ring refuses; no vector signs with it.
                    let err = SigningKey::from_pem(private).unwrap_err();
                    assert!(err.message().contains("InconsistentComponents"), "{err}");
                    VerifyingKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap();
                    continue;
                }
                let sk =
                    SigningKey::from_pem(private).unwrap_or_else(|e| panic!("{file} {name}: {e}"));
                let pk = VerifyingKey::from_pem(k["public_pem"].as_str().unwrap()).unwrap();
                assert_eq!(sk.verifying_key().spki_der(), pk.spki_der(), "{name}");
                if let Some(kid) = k["kid"].as_str() {
                    assert_eq!(pk.kid(), kid, "{name}");
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
}
