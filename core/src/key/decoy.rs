//! Decoy keys: keys no client holds, verified against when a credential names an unknown key id or user, so the
//! refusal costs the same work (and gives the same answer) as a known key with a bad signature.

use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use zeroize::Zeroizing;

use crate::alg::KeyType;
use crate::error::{Error, ErrorKind, Result};

use super::{SigningKey, VerifyingKey};

impl VerifyingKey {
    /// A fresh public key of `key_type` whose private half was thrown away: nothing verifies under it (but for
    /// chance, 2^-128 or less), and checking a signature against it costs what checking one against a real key
    /// of that type costs. Make one per process and key type, and use it for unknown key ids and users.
    ///
    /// The shared-secret schemes' decoy is a fresh [`crate::http::hmac_header::ApiSecret::generate`].
    ///
    /// ```
    /// use countermark::{KeyType, VerifyingKey};
    ///
    /// let decoy = VerifyingKey::decoy(KeyType::Ed25519)?;
    /// assert_eq!(decoy.key_type(), KeyType::Ed25519);
    /// assert_ne!(decoy.key_id(), VerifyingKey::decoy(KeyType::Ed25519)?.key_id());
    /// # Ok::<(), countermark::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] for [`KeyType::Rsa`] (RSA keys are not generated here: the signing
    /// backend cannot make them); [`ErrorKind::InvalidKey`] when the operating system's generator fails.
    pub fn decoy(key_type: KeyType) -> Result<VerifyingKey> {
        let rng = SystemRandom::new();
        let failed = |_| Error::new(ErrorKind::InvalidKey, "could not generate a decoy key");
        let pkcs8 = match key_type {
            KeyType::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng).map_err(failed)?,
            KeyType::EcdsaP256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(failed)?
            }
            KeyType::Rsa => {
                return Err(Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    "decoy keys are Ed25519 or P-256: RSA keys are not generated here",
                ))
            }
        };
        // The private key is wiped as soon as its public half is taken.
        let pkcs8 = Zeroizing::new(pkcs8.as_ref().to_vec());
        let signing = SigningKey::from_pkcs8_der(&pkcs8)?;
        Ok(signing.verifying_key().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::SignatureAlgorithm;

    #[test]
    fn decoys_of_each_generated_type() {
        for (key_type, alg) in [
            (KeyType::Ed25519, SignatureAlgorithm::Ed25519),
            (KeyType::EcdsaP256, SignatureAlgorithm::EcdsaP256Sha256),
        ] {
            let a = VerifyingKey::decoy(key_type).unwrap();
            let b = VerifyingKey::decoy(key_type).unwrap();
            assert_eq!(a.key_type(), key_type);
            assert!(a.allows(alg));
            assert_ne!(a.spki_der(), b.spki_der(), "two decoys must differ");
            // A signature made by some other key of that type is refused as a bad signature.
            let err = a.verify(alg, b"message", &[0u8; 64]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature);
        }
    }

    #[test]
    fn no_rsa_decoy() {
        let err = VerifyingKey::decoy(KeyType::Rsa).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    }
}

#[cfg(test)]
mod key_type_names {
    use crate::alg::KeyType;
    use crate::error::ErrorKind;

    #[test]
    fn names_read_back_exactly() {
        for k in [KeyType::Ed25519, KeyType::Rsa, KeyType::EcdsaP256] {
            assert_eq!(k.name().parse::<KeyType>().unwrap(), k);
        }
        for bad in ["Ed25519", "p256", "", "rsa "] {
            assert_eq!(
                bad.parse::<KeyType>().unwrap_err().kind(),
                ErrorKind::InvalidValue
            );
        }
    }
}
