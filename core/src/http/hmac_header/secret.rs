//! API secrets of the HMAC header scheme, and the way django-hmac-authentication stores them.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use base64::Engine as _;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use zeroize::Zeroizing;

use crate::alg::Algorithm;
use crate::error::{Error, ErrorKind, Result};
use crate::key::{HmacKey, Secret};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn invalid_key(message: &'static str) -> Error {
    Error::new(ErrorKind::InvalidKey, message)
}

/// The HMAC algorithm of an `Authorization` scheme word (`HMAC-SHA256`, `HMAC-SHA384`, `HMAC-SHA512`).
pub(crate) fn algorithm_of(word: &str) -> Option<Algorithm> {
    match word {
        "HMAC-SHA256" => Some(Algorithm::HmacSha256),
        "HMAC-SHA384" => Some(Algorithm::HmacSha384),
        "HMAC-SHA512" => Some(Algorithm::HmacSha512),
        _ => None,
    }
}

/// The scheme word of an algorithm, if the format has one.
pub(crate) fn word_of(alg: Algorithm) -> Option<&'static str> {
    match alg {
        Algorithm::HmacSha256 => Some("HMAC-SHA256"),
        Algorithm::HmacSha384 => Some("HMAC-SHA384"),
        Algorithm::HmacSha512 => Some("HMAC-SHA512"),
        _ => None,
    }
}

pub(crate) fn unsupported(alg: Algorithm) -> Error {
    Error::new(
        ErrorKind::UnsupportedAlgorithm,
        format!("the HMAC header scheme signs with HMAC-SHA256, -SHA384 or -SHA512, not {alg}"),
    )
}

/// The API secret of one key: the raw bytes the HMAC is keyed with (not their base64 text).
///
/// The server hands clients `base64(secret)`; [`ApiSecret::from_base64`] reads that text back. The client picks
/// the hash per request (the scheme word), so one secret serves all three algorithms ([`ApiSecret::key`]).
/// `Debug` never shows the bytes.
///
/// ```
/// use countermark::Algorithm;
/// use countermark::http::hmac_header::ApiSecret;
///
/// let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=")?;
/// assert_eq!(secret.secret().len(), 32);
/// assert_eq!(secret.key(Algorithm::HmacSha384)?.algorithm(), Algorithm::HmacSha384);
/// assert!(secret.key(Algorithm::HmacSha1).is_err());
/// assert_eq!(format!("{secret:?}"), "ApiSecret(<redacted>)");
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Clone)]
pub struct ApiSecret(Secret, KeyCache);

/// The keyed HMAC states of an [`ApiSecret`] (SHA-256, -384, -512), made on first use: a server verifies many
/// requests with one secret.
#[derive(Clone, Default)]
struct KeyCache([OnceLock<HmacKey>; 3]);

impl ApiSecret {
    /// Length of the secrets the reference server generates, in bytes.
    pub const LEN: usize = 32;

    /// A fresh 32-byte secret from the operating system, as the reference server makes them.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when the OS generator fails.
    pub fn generate() -> Result<Self> {
        Secret::generate(Self::LEN).map(Self::from_secret)
    }

    /// Reads the base64 text handed to clients (standard alphabet, with padding).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when the text is not base64 or decodes to fewer than 16 or more than 1024 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| invalid_key("the API secret is not valid base64"))?;
        // `Secret::new` takes the buffer over (no copy) and wipes it on drop.
        Secret::new(bytes).map(Self::from_secret)
    }

    /// Reads the base64 text of a secret strictly, as a client reads the secret it was handed (the CLI's
    /// `COUNTERMARK_SECRET`, the C and Go example signers): standard alphabet, padded, canonical (the unused
    /// bits of the last character are zero), nothing around it (no whitespace, no line breaks).
    ///
    /// [`ApiSecret::from_base64`] is the server's lenient reader (it trims surrounding whitespace). For a text
    /// this accepts, [`ApiSecret::to_base64`] gives the same text back, so [`ApiSecret::fost_key`] keys FOST with
    /// exactly the text the client was given.
    ///
    /// ```
    /// use countermark::http::hmac_header::ApiSecret;
    ///
    /// assert!(ApiSecret::from_base64_strict("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=").is_ok());
    /// assert!(ApiSecret::from_base64_strict("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=\n").is_err());
    /// assert!(ApiSecret::from_base64_strict("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU").is_err());
    /// # Ok::<(), countermark::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] when the text is empty, is not strict base64, or decodes to fewer than
    /// [`Secret::MIN_LEN`] or more than [`Secret::MAX_LEN`] bytes.
    pub fn from_base64_strict(text: &str) -> Result<Self> {
        // The engine refuses whitespace, missing padding and non-zero trailing bits.
        let bytes = Zeroizing::new(B64.decode(text.as_bytes()).map_err(|_| {
            invalid_key(
                "the API secret is not strict base64 (standard alphabet, padded, no whitespace)",
            )
        })?);
        if bytes.len() < Secret::MIN_LEN || bytes.len() > Secret::MAX_LEN {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!(
                    "the API secret must be {} to {} bytes, not {}",
                    Secret::MIN_LEN,
                    Secret::MAX_LEN,
                    bytes.len()
                ),
            ));
        }
        Secret::new(bytes.as_slice()).map(Self::from_secret)
    }

    /// The HMAC-SHA1 key FOST signs and verifies with for this secret: keyed with the UTF-8 bytes of its
    /// base64 text ([`ApiSecret::to_base64`]), as django-fost-authn deployments store a secret as a string.
    ///
    /// One API secret, three keys: FOST uses this, the HMAC header uses [`ApiSecret::key`] (the decoded bytes
    /// under the hash the request names), RFC 9421 uses [`ApiSecret::message_signature_key`] (the decoded bytes,
    /// `hmac-sha256`).
    ///
    /// ```
    /// use countermark::{Algorithm, HmacKey, Secret};
    /// use countermark::http::hmac_header::ApiSecret;
    ///
    /// let text = "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=";
    /// let secret = ApiSecret::from_base64_strict(text)?;
    /// let fost = secret.fost_key()?;
    /// assert_eq!(fost.algorithm(), Algorithm::HmacSha1);
    /// let by_hand = HmacKey::new(Algorithm::HmacSha1, &Secret::new(text.as_bytes())?);
    /// assert_eq!(fost.sign(b"m").as_bytes(), by_hand.sign(b"m").as_bytes());
    /// # Ok::<(), countermark::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::InvalidKey`] only if the base64 text were outside the secret length limits (it never is for
    /// a secret of at most 768 bytes).
    pub fn fost_key(&self) -> Result<HmacKey> {
        let text = self.to_base64();
        let secret = Secret::new(text.as_bytes())?;
        Ok(HmacKey::new(Algorithm::HmacSha1, &secret))
    }

    /// The `hmac-sha256` key RFC 9421 message signatures sign and verify with for this secret: the decoded bytes
    /// (as the HMAC header uses them), under HMAC-SHA256.
    pub fn message_signature_key(&self) -> HmacKey {
        HmacKey::new(Algorithm::HmacSha256, &self.0)
    }

    /// Wraps secret bytes.
    pub fn from_secret(secret: Secret) -> Self {
        ApiSecret(secret, KeyCache::default())
    }

    /// The base64 text handed to clients, in a buffer wiped on drop.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(B64.encode(self.0.expose()))
    }

    /// The raw secret.
    pub fn secret(&self) -> &Secret {
        &self.0
    }

    /// The HMAC key for `alg`.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] unless `alg` is HMAC-SHA256, -SHA384 or -SHA512.
    pub fn key(&self, alg: Algorithm) -> Result<HmacKey> {
        self.key_ref(alg).cloned()
    }

    /// The HMAC key for `alg`, keyed once per secret and algorithm.
    pub(crate) fn key_ref(&self, alg: Algorithm) -> Result<&HmacKey> {
        let slot = match alg {
            Algorithm::HmacSha256 => &self.1 .0[0],
            Algorithm::HmacSha384 => &self.1 .0[1],
            Algorithm::HmacSha512 => &self.1 .0[2],
            _ => return Err(unsupported(alg)),
        };
        Ok(slot.get_or_init(|| HmacKey::new(alg, &self.0)))
    }
}

impl fmt::Debug for ApiSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiSecret(<redacted>)")
    }
}

/// The cipher a stored secret was encrypted with (the `cipher_algorithm` column of `ApiHMACKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyCipher {
    /// AES-256 in CBC mode (`"AES-256"`).
    Aes256Cbc,
    /// Camellia-256 in CBC mode (`"CAMELLIA-256"`).
    Camellia256Cbc,
}

impl LegacyCipher {
    /// The column value (`"AES-256"`, `"CAMELLIA-256"`).
    pub const fn name(self) -> &'static str {
        match self {
            LegacyCipher::Aes256Cbc => "AES-256",
            LegacyCipher::Camellia256Cbc => "CAMELLIA-256",
        }
    }
}

impl FromStr for LegacyCipher {
    type Err = Error;

    /// Reads the column value exactly (`"AES-256"` or `"CAMELLIA-256"`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "AES-256" => Ok(LegacyCipher::Aes256Cbc),
            "CAMELLIA-256" => Ok(LegacyCipher::Camellia256Cbc),
            _ => Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                format!(
                    "unknown cipher {:?}; expected AES-256 or CAMELLIA-256",
                    crate::encoding::clip(s, 32)
                ),
            )),
        }
    }
}

/// Length of the salt the reference stores beside each secret, in bytes.
pub const LEGACY_SALT_LEN: usize = 24;
/// PBKDF2 iterations the reference uses.
pub const LEGACY_KDF_ITERATIONS: u32 = 1000;

/// The derived cipher key and the IV (the last 16 bytes of the salt).
fn derive(kd_password: &[u8], salt: &[u8]) -> Option<(Zeroizing<[u8; 32]>, [u8; 16])> {
    if salt.len() != LEGACY_SALT_LEN {
        return None;
    }
    let iv: [u8; 16] = salt.get(LEGACY_SALT_LEN - 16..)?.try_into().ok()?;
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(kd_password, salt, LEGACY_KDF_ITERATIONS, &mut key[..]);
    Some((key, iv))
}

/// Decrypts an API secret stored by django-hmac-authentication (vevde-security-utils `crypt.hmac`).
///
/// The cipher key is PBKDF2-HMAC-SHA256(`kd_password`, `salt`, 1000 iterations, 32 bytes), where `kd_password`
/// is the server's `HMAC_KD_PASSWORD` setting (by default Django's `SECRET_KEY`) as UTF-8; the IV is the last 16
/// bytes of the 24-byte salt; the cipher is AES-256 or Camellia-256 in CBC mode with PKCS#7 padding. The table
/// holds `base64(ciphertext)` and `base64(salt)`; pass the decoded bytes.
///
/// ```
/// use countermark::http::hmac_header::{decrypt_legacy_secret, encrypt_legacy_secret, ApiSecret, LegacyCipher};
///
/// let secret = ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=")?;
/// let salt = [7u8; 24];
/// let stored = encrypt_legacy_secret(LegacyCipher::Aes256Cbc, b"django SECRET_KEY", &salt, &secret)?;
/// assert_eq!(stored.len(), 48);
/// let back = decrypt_legacy_secret(LegacyCipher::Aes256Cbc, b"django SECRET_KEY", &salt, &stored)?;
/// assert_eq!(back.secret().expose(), secret.secret().expose());
/// assert!(decrypt_legacy_secret(LegacyCipher::Aes256Cbc, b"another password", &salt, &stored).is_err());
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Weaknesses of this storage format
/// 1000 PBKDF2 iterations are far below current advice, the key is derived from one server-wide password, and
/// CBC without a MAC is malleable. It keeps secrets out of plain database dumps, no more. Padding errors are
/// reported like every other failure, but this function is meant for reading a key store, never for data an
/// attacker can submit repeatedly.
///
/// # Errors
/// [`ErrorKind::InvalidKey`] when the salt is not 24 bytes, the ciphertext is empty, longer than 1040 bytes or
/// not whole blocks, the padding is wrong (wrong password, salt or cipher) or the secret is not 16..=1024 bytes.
pub fn decrypt_legacy_secret(
    cipher: LegacyCipher,
    kd_password: &[u8],
    salt: &[u8],
    ciphertext: &[u8],
) -> Result<ApiSecret> {
    let (key, iv) =
        derive(kd_password, salt).ok_or_else(|| invalid_key("the salt must be 24 bytes"))?;
    if ciphertext.is_empty()
        || ciphertext.len() % 16 != 0
        || ciphertext.len() > Secret::MAX_LEN + 16
    {
        return Err(invalid_key(
            "the stored secret must be 1 to 65 whole 16-byte blocks",
        ));
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let plain_len = match cipher {
        LegacyCipher::Aes256Cbc => cbc::Decryptor::<aes::Aes256>::new(&(*key).into(), &iv.into())
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        LegacyCipher::Camellia256Cbc => {
            cbc::Decryptor::<camellia::Camellia256>::new(&(*key).into(), &iv.into())
                .decrypt_padded::<Pkcs7>(&mut buf)
                .map(<[u8]>::len)
        }
    }
    .map_err(|_| {
        invalid_key("the stored secret cannot be decrypted (wrong password, salt or cipher)")
    })?;
    buf.truncate(plain_len);
    Secret::new(std::mem::take(&mut *buf)).map(ApiSecret::from_secret)
}

/// Encrypts `secret` the way the reference stores it (see [`decrypt_legacy_secret`]), for migrations and tests.
/// `salt` must be 24 fresh random bytes per secret.
///
/// # Errors
/// [`ErrorKind::InvalidValue`] when the salt is not 24 bytes.
pub fn encrypt_legacy_secret(
    cipher: LegacyCipher,
    kd_password: &[u8],
    salt: &[u8],
    secret: &ApiSecret,
) -> Result<Vec<u8>> {
    let (key, iv) = derive(kd_password, salt)
        .ok_or_else(|| Error::invalid_value("the salt must be 24 bytes"))?;
    let plain = secret.secret().expose();
    let mut buf = Zeroizing::new(vec![0u8; (plain.len() / 16 + 1) * 16]);
    buf.get_mut(..plain.len())
        .ok_or_else(|| Error::invalid_value("secret too long"))?
        .copy_from_slice(plain);
    let out = match cipher {
        LegacyCipher::Aes256Cbc => cbc::Encryptor::<aes::Aes256>::new(&(*key).into(), &iv.into())
            .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
            .map(<[u8]>::to_vec),
        LegacyCipher::Camellia256Cbc => {
            cbc::Encryptor::<camellia::Camellia256>::new(&(*key).into(), &iv.into())
                .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
                .map(<[u8]>::to_vec)
        }
    };
    // The buffer always has room for the padding, so this error cannot happen.
    out.map_err(|_| Error::invalid_value("padding failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=";

    #[test]
    fn strict_base64_accepts_the_text_it_gives_back() {
        let secret = ApiSecret::from_base64_strict(TEXT).unwrap();
        assert_eq!(secret.to_base64().as_str(), TEXT);
        assert_eq!(secret.secret().len(), 32);
    }

    #[test]
    fn strict_base64_refuses_what_the_lenient_reader_accepts() {
        // Each of these is accepted by `from_base64` (surrounding whitespace is trimmed)...
        for text in [
            format!("{TEXT}\n"),
            format!(" {TEXT}"),
            format!("{TEXT}\r\n"),
        ] {
            assert!(ApiSecret::from_base64(&text).is_ok(), "{text:?}");
            let err = ApiSecret::from_base64_strict(&text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey, "{text:?}");
        }
    }

    #[test]
    fn strict_base64_refuses_unpadded_noncanonical_empty_and_bad_lengths() {
        let unpadded = TEXT.trim_end_matches('=');
        // `U=` ends in bits that are not zero: `V=` decodes to the same bytes but is not the canonical spelling.
        let noncanonical = TEXT.replace("aU=", "aV=");
        let short = B64.encode([7u8; 15]);
        let long = B64.encode(vec![7u8; 1025]);
        for text in [
            unpadded,
            noncanonical.as_str(),
            "",
            "not base64!",
            &short,
            &long,
        ] {
            let err = ApiSecret::from_base64_strict(text).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey, "{text:?}");
        }
        assert!(ApiSecret::from_base64_strict(&B64.encode([7u8; 16])).is_ok());
        assert!(ApiSecret::from_base64_strict(&B64.encode(vec![7u8; 768])).is_ok());
    }

    #[test]
    fn each_scheme_derives_its_own_key() {
        let secret = ApiSecret::from_base64_strict(TEXT).unwrap();
        let raw = secret.secret().clone();
        let fost = secret.fost_key().unwrap();
        assert_eq!(fost.algorithm(), Algorithm::HmacSha1);
        let text_key = HmacKey::new(Algorithm::HmacSha1, &Secret::new(TEXT.as_bytes()).unwrap());
        assert_eq!(
            fost.sign(b"msg").as_bytes(),
            text_key.sign(b"msg").as_bytes()
        );
        // Not the decoded bytes: that is what the other two schemes key with.
        let raw_sha1 = HmacKey::new(Algorithm::HmacSha1, &raw);
        assert_ne!(
            fost.sign(b"msg").as_bytes(),
            raw_sha1.sign(b"msg").as_bytes()
        );

        let rfc = secret.message_signature_key();
        assert_eq!(rfc.algorithm(), Algorithm::HmacSha256);
        let raw_sha256 = HmacKey::new(Algorithm::HmacSha256, &raw);
        assert_eq!(
            rfc.sign(b"msg").as_bytes(),
            raw_sha256.sign(b"msg").as_bytes()
        );
        assert_eq!(
            secret
                .key(Algorithm::HmacSha256)
                .unwrap()
                .sign(b"msg")
                .as_bytes(),
            rfc.sign(b"msg").as_bytes()
        );
    }

    #[test]
    fn fost_key_refuses_a_secret_whose_text_is_over_the_limit() {
        // 769 bytes give 1028 characters of base64: over Secret::MAX_LEN.
        let secret = ApiSecret::from_secret(Secret::new(vec![1u8; 769]).unwrap());
        assert_eq!(secret.fost_key().unwrap_err().kind(), ErrorKind::InvalidKey);
    }
}
