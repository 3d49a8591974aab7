//! OpenSSH public keys: the one-line form of `~/.ssh/id_*.pub` and `authorized_keys`
//! (`ssh-ed25519 AAAAC3Nza… comment`), which asymmetric-jwt-auth accepts wherever it accepts a PEM public key.
//!
//! The line is `<type> <base64 blob> [comment]`; the blob is the SSH wire encoding (RFC 4253 §6.6, RFC 5656 §3.1,
//! RFC 8709 §4): a `string` naming the type again, then
//! * `ssh-ed25519`: `string` of the 32-byte key;
//! * `ssh-rsa`: `mpint e`, `mpint n`;
//! * `ecdsa-sha2-nistp256`: `string "nistp256"`, `string` of the 65-byte uncompressed point.
//!
//! The key then goes through the same checks as a PEM or JWK key ([`VerifyingKey`]'s module documentation):
//! small-order and non-canonical Ed25519 keys, RSA exponents that are even or below 3, RSA moduli outside 2048 to
//! 8192 bits are all refused with [`ErrorKind::InvalidKey`]. The comment is not kept; the key id is the
//! fingerprint of the key, as for every other format. `authorized_keys` options before the type (`from="…"`,
//! `command="…"`), certificates (`*-cert-v01@openssh.com`), security-key types (`sk-*`), `ssh-dss` and the other
//! curves are refused.

use base64::Engine as _;

use super::der;
use super::VerifyingKey;
use crate::alg::KeyType;
use crate::error::{Error, ErrorKind, Result};

fn invalid(msg: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidKey, msg)
}

/// The key types read here, as OpenSSH names them.
pub(crate) const TYPES: [&str; 3] = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"];

/// Whether `text` (leading whitespace ignored) looks like an OpenSSH public key line rather than PEM or JWK: it
/// starts with `ssh-`, `ecdsa-` or `sk-`. Used to route [`VerifyingKey::from_pem`].
pub(crate) fn looks_like_openssh(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-")
}

/// A cursor over the SSH wire encoding.
struct Wire<'a> {
    rest: &'a [u8],
}

impl<'a> Wire<'a> {
    fn string(&mut self) -> Result<&'a [u8]> {
        if self.rest.len() < 4 {
            return Err(invalid("OpenSSH key blob is truncated"));
        }
        let (len, rest) = self.rest.split_at(4);
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        if rest.len() < len {
            return Err(invalid("OpenSSH key blob is truncated"));
        }
        let (value, after) = rest.split_at(len);
        self.rest = after;
        Ok(value)
    }

    /// A positive `mpint` in its minimal form: its bytes are then exactly a DER INTEGER's contents.
    fn positive_mpint(&mut self) -> Result<&'a [u8]> {
        let v = self.string()?;
        match v {
            [] => Err(invalid("OpenSSH key holds a zero RSA number")),
            [first, ..] if first & 0x80 != 0 => {
                Err(invalid("OpenSSH key holds a negative RSA number"))
            }
            [0, next, ..] if next & 0x80 == 0 => Err(invalid(
                "OpenSSH key holds an RSA number with a needless leading zero",
            )),
            [0] => Err(invalid("OpenSSH key holds a zero RSA number")),
            _ => Ok(v),
        }
    }

    fn finish(&self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(invalid("OpenSSH key blob has trailing data"))
        }
    }
}

impl VerifyingKey {
    /// From an OpenSSH public key line: `ssh-ed25519 AAAA… [comment]`, `ssh-rsa AAAA… [comment]` or
    /// `ecdsa-sha2-nistp256 AAAA… [comment]` (leading and trailing whitespace ignored; one line only).
    ///
    /// ```
    /// use countermark::VerifyingKey;
    ///
    /// let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8zE35ly55c3ZGEFKDW7M3yCQx421CF+7tpPhOeMY9b alice@laptop";
    /// let key = VerifyingKey::from_openssh(line)?;
    /// // The same key as its PEM form, under the same fingerprint key id:
    /// assert_eq!(VerifyingKey::from_pem(&key.to_pem())?.key_id(), key.key_id());
    /// // from_pem reads OpenSSH lines too:
    /// assert_eq!(VerifyingKey::from_pem(line)?.key_id(), key.key_id());
    /// # Ok::<(), countermark::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] for text over 64 KiB; [`ErrorKind::InvalidKey`] for another type, options before
    /// the type, a blob that is not base64 or whose type differs from the line's, truncated or trailing data, and
    /// every weak key [`VerifyingKey::from_pem`] refuses.
    pub fn from_openssh(line: &str) -> Result<Self> {
        if line.len() > der::MAX_PEM_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "OpenSSH key text is over 64 KiB",
            ));
        }
        let line = line.trim();
        if line.contains(['\n', '\r']) {
            return Err(invalid("expected one OpenSSH public key line, got several"));
        }
        let mut parts = line.split_ascii_whitespace();
        let kind = parts.next().unwrap_or_default();
        if !TYPES.contains(&kind) {
            return Err(invalid(if kind.contains('=') || kind.contains('"') {
                "authorized_keys options are not accepted: pass the key alone".to_string()
            } else {
                format!(
                    "unsupported OpenSSH key type (expected {})",
                    TYPES.join(", ")
                )
            }));
        }
        let blob = base64::engine::general_purpose::STANDARD
            .decode(parts.next().unwrap_or_default())
            .map_err(|_| invalid("OpenSSH key blob is not base64"))?;
        let mut wire = Wire { rest: &blob };
        if wire.string()? != kind.as_bytes() {
            return Err(invalid("OpenSSH key blob names another type than its line"));
        }
        let key = match kind {
            "ssh-ed25519" => {
                let point = wire.string()?;
                wire.finish()?;
                Self::build(KeyType::Ed25519, point.to_vec())?
            }
            "ssh-rsa" => {
                let e = wire.positive_mpint()?;
                let n = wire.positive_mpint()?;
                wire.finish()?;
                let mut body = der::element(der::INTEGER, n);
                body.extend_from_slice(&der::element(der::INTEGER, e));
                Self::build(KeyType::Rsa, der::element(der::SEQUENCE, &body))?
            }
            _ => {
                if wire.string()? != b"nistp256" {
                    return Err(invalid("OpenSSH ECDSA key is not on nistp256"));
                }
                let point = wire.string()?;
                wire.finish()?;
                Self::build(KeyType::EcdsaP256, point.to_vec())?
            }
        };
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn string(v: &[u8]) -> Vec<u8> {
        let mut out = (v.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(v);
        out
    }

    fn line(kind: &str, fields: &[&[u8]]) -> String {
        let mut blob = string(kind.as_bytes());
        for f in fields {
            blob.extend_from_slice(&string(f));
        }
        format!("{kind} {} test@host", b64(&blob))
    }

    /// RFC 8032 test 1's public key.
    const RFC8032_PUBLIC: [u8; 32] = [
        0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07,
        0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07,
        0x51, 0x1a,
    ];

    fn kind(text: &str) -> ErrorKind {
        VerifyingKey::from_openssh(text).unwrap_err().kind()
    }

    #[test]
    fn ed25519_line_is_the_same_key_as_its_spki() {
        let text = line("ssh-ed25519", &[&RFC8032_PUBLIC]);
        let key = VerifyingKey::from_openssh(&text).unwrap();
        assert_eq!(key.key_type(), KeyType::Ed25519);
        let spki = der::spki(der::oid::ED25519, &[], &RFC8032_PUBLIC);
        let from_spki = VerifyingKey::from_spki_der(&spki).unwrap();
        assert_eq!(key.key_id(), from_spki.key_id());
        assert_eq!(key.spki_der(), spki.as_slice());
        // Without a comment, with surrounding whitespace, and through from_pem.
        let bare = text.rsplit_once(' ').unwrap().0;
        assert_eq!(
            VerifyingKey::from_openssh(&format!("  {bare}\n"))
                .unwrap()
                .key_id(),
            key.key_id()
        );
        assert_eq!(
            VerifyingKey::from_pem(&text).unwrap().key_id(),
            key.key_id()
        );
    }

    /// The public keys of `asym_jwt.json`'s `ed25519` and `rsa2048` as OpenSSH writes them (`ssh-keygen -i -m
    /// PKCS8` for RSA; Python `cryptography`'s `PublicFormat.OpenSSH` for both, byte-identical for RSA), with the
    /// kid asymmetric-jwt-auth gives each key.
    const VECTOR_LINES: [(&str, &str); 2] = [
        (
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF8zE35ly55c3ZGEFKDW7M3yCQx421CF+7tpPhOeMY9b alice@laptop",
            "92685be48873dc1daf91a8cef085dcc41d31c5928f1562e57b4553984cb09f6a",
        ),
        (
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCbcQrY3FuaEex7kczuKaKNEa2986dPdzV3pMt3Q/kIp9FwygViz6geoszYmOWS5kqkXn9wsLj7e5Bqzs2G9N9aJsKNwnp0Zd542w9F4yj42Cba+WX7seMA0im5/bN65zVbeBLjFynGuJ+GtKI3k+5jdsS7sUyJcOrlzyMybYmDdjo9T9Khq4nzDULluarr3vZ1V0e/CZpSRqmTw0JJXJwKLuDFVSRjmn8ysbZqMnv+Zq0wy0RcyUkMZQOifYw/KdiwhzCKB/WE+0G1BwaH+zs6GJGI+mfNOj+NIAUJv51QHryMCrFBb/CmNySUJBa0wvx1+nzrEpWEz+l8DM7r4RVJ",
            "c473541c70f6c3843424399a2c46fac8a4c9476648ade4b4fa78c702f5c606b5",
        ),
    ];

    #[test]
    fn openssh_lines_of_the_vector_keys_have_the_reference_kids() {
        for (text, kid) in VECTOR_LINES {
            let key = VerifyingKey::from_openssh(text).unwrap();
            assert_eq!(key.key_id(), kid);
            assert_eq!(VerifyingKey::from_pem(text).unwrap().key_id(), kid);
        }
    }

    #[test]
    fn p256_lines_are_read_and_other_curves_refused() {
        let p256 = crate::VerifyingKey::decoy(KeyType::EcdsaP256).unwrap();
        let point = &p256.spki_der()[p256.spki_der().len() - 65..];
        let key = VerifyingKey::from_openssh(&line("ecdsa-sha2-nistp256", &[b"nistp256", point]))
            .unwrap();
        assert_eq!(key.key_id(), p256.key_id());
        let err = VerifyingKey::from_openssh(&line("ecdsa-sha2-nistp256", &[b"nistp384", point]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.to_string().contains("nistp256"), "{err}");
    }

    fn rsa_modulus(bytes: usize) -> Vec<u8> {
        // Only its size matters to the refusals under test: 0x00 then an odd number with the top bit set.
        let mut n = vec![0u8];
        n.push(0xc1);
        n.resize(bytes + 1, 0x5b);
        n
    }

    #[test]
    fn weak_rsa_keys_are_refused() {
        let good = line("ssh-rsa", &[&[1, 0, 1], &rsa_modulus(256)]);
        assert!(VerifyingKey::from_openssh(&good).is_ok());
        // 1024-bit modulus.
        let short = VerifyingKey::from_openssh(&line("ssh-rsa", &[&[1, 0, 1], &rsa_modulus(128)]))
            .unwrap_err();
        assert_eq!(short.kind(), ErrorKind::InvalidKey);
        assert!(short.to_string().contains("2048 to 8192"), "{short}");
        // Tiny and even exponents.
        for e in [&[1u8][..], &[2], &[1, 0, 0]] {
            let err =
                VerifyingKey::from_openssh(&line("ssh-rsa", &[e, &rsa_modulus(256)])).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey);
            assert!(err.to_string().contains("exponent"), "{err}");
        }
        // Negative, zero and non-minimal numbers.
        for e in [&[0x81u8][..], &[], &[0], &[0, 3]] {
            assert_eq!(
                kind(&line("ssh-rsa", &[e, &rsa_modulus(256)])),
                ErrorKind::InvalidKey
            );
        }
    }

    #[test]
    fn small_order_ed25519_keys_are_refused() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let err = VerifyingKey::from_openssh(&line("ssh-ed25519", &[&identity])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.to_string().contains("small order"), "{err}");
        assert_eq!(
            kind(&line("ssh-ed25519", &[&RFC8032_PUBLIC[..31]])),
            ErrorKind::InvalidKey
        );
    }

    #[test]
    fn malformed_lines_are_refused() {
        let good = line("ssh-ed25519", &[&RFC8032_PUBLIC]);
        let blob = good.split(' ').nth(1).unwrap();
        for bad in [
            format!("ssh-rsa {blob}"),                          // type mismatch
            format!("ssh-dss {blob}"),                          // unsupported type
            format!("sk-ssh-ed25519@openssh.com {blob}"),       // security key
            format!("from=\"10.0.0.1\" ssh-ed25519 {blob}"),    // options
            format!("ssh-ed25519 {}", &blob[..blob.len() - 8]), // truncated
            "ssh-ed25519 not*base64".to_string(),
            "ssh-ed25519".to_string(),
            format!("{good}\n{good}"),
        ] {
            assert_eq!(kind(&bad), ErrorKind::InvalidKey, "{bad}");
        }
        // Trailing data inside the blob.
        let mut blob = string(b"ssh-ed25519");
        blob.extend_from_slice(&string(&RFC8032_PUBLIC));
        blob.push(0);
        assert_eq!(
            kind(&format!("ssh-ed25519 {}", b64(&blob))),
            ErrorKind::InvalidKey
        );
        // Over 64 KiB.
        let long = format!("{good} {}", "x".repeat(der::MAX_PEM_LEN));
        assert_eq!(kind(&long), ErrorKind::TooLarge);
    }
}
