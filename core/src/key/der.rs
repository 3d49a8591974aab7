//! The little DER and PEM that key loading needs: a strict reader (definite lengths, minimal length encoding,
//! bounded nesting by construction) and a writer for SubjectPublicKeyInfo.

use base64::Engine as _;

use crate::error::{Error, Result};

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;

/// Object identifiers, DER-encoded contents (without tag and length).
pub(crate) mod oid {
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    pub(crate) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.3.101.112 id-Ed25519
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7 prime256v1 (P-256)
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
}

fn bad(what: &str) -> Error {
    Error::new(
        crate::ErrorKind::InvalidKey,
        format!("invalid key encoding: {what}"),
    )
}

/// A cursor over DER bytes.
#[derive(Clone, Copy)]
pub(crate) struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Der { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element's tag, without consuming it.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one element with `tag` and returns its contents.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8]> {
        let (&t, rest) = self.rest.split_first().ok_or_else(|| bad("truncated"))?;
        if t != tag {
            return Err(bad("unexpected element"));
        }
        let (&first, mut rest) = rest.split_first().ok_or_else(|| bad("truncated length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return Err(bad("unsupported length"));
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | usize::from(b);
            }
            if len < 0x80 || (n > 1 && rest[0] == 0) {
                return Err(bad("non-minimal length"));
            }
            rest = &rest[n..];
            len
        };
        if rest.len() < len {
            return Err(bad("truncated contents"));
        }
        let (contents, after) = rest.split_at(len);
        self.rest = after;
        Ok(contents)
    }

    /// Reads an element with `tag` and returns a cursor over its contents.
    pub(crate) fn nested(&mut self, tag: u8) -> Result<Der<'a>> {
        Ok(Der::new(self.read(tag)?))
    }

    /// Reads a positive INTEGER and returns its big-endian magnitude without leading zeros.
    pub(crate) fn unsigned_integer(&mut self) -> Result<&'a [u8]> {
        let v = self.read(INTEGER)?;
        match v {
            [] => Err(bad("empty integer")),
            [first, ..] if first & 0x80 != 0 => Err(bad("negative integer")),
            [0] => Ok(v),
            [0, next, ..] if next & 0x80 == 0 => Err(bad("non-minimal integer")),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(v),
        }
    }

    /// Reads a BIT STRING without unused bits.
    pub(crate) fn bit_string(&mut self) -> Result<&'a [u8]> {
        match self.read(BIT_STRING)? {
            [0, bits @ ..] => Ok(bits),
            _ => Err(bad("bit string with unused bits")),
        }
    }

    pub(crate) fn finish(&self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(bad("trailing data"))
        }
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one element.
pub(crate) fn element(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    out.push(tag);
    push_len(&mut out, contents.len());
    out.extend_from_slice(contents);
    out
}

/// SubjectPublicKeyInfo DER for an algorithm OID, its parameters (already encoded, or empty) and the key bits.
pub(crate) fn spki(alg_oid: &[u8], params: &[u8], key: &[u8]) -> Vec<u8> {
    let mut alg = element(OID, alg_oid);
    alg.extend_from_slice(params);
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = element(SEQUENCE, &alg);
    body.extend_from_slice(&element(BIT_STRING, &bits));
    element(SEQUENCE, &body)
}

/// Longest PEM text accepted.
pub(crate) const MAX_PEM_LEN: usize = 64 * 1024;

/// Decodes the first PEM block: its label and DER bytes.
pub(crate) fn pem_decode(text: &str) -> Result<(String, zeroize::Zeroizing<Vec<u8>>)> {
    if text.len() > MAX_PEM_LEN {
        return Err(Error::new(
            crate::ErrorKind::TooLarge,
            "PEM text is over 64 KiB",
        ));
    }
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| bad("no PEM BEGIN line"))?;
    let after = &text[start + 11..];
    let label_end = after
        .find("-----")
        .ok_or_else(|| bad("unterminated PEM BEGIN line"))?;
    let label = &after[..label_end];
    let body_and_rest = &after[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_and_rest
        .find(&end_marker)
        .ok_or_else(|| bad("no matching PEM END line"))?;
    let body: zeroize::Zeroizing<String> = zeroize::Zeroizing::new(
        body_and_rest[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect(),
    );
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| bad("PEM body is not base64"))?;
    Ok((label.to_string(), zeroize::Zeroizing::new(der)))
}

/// PEM with 64-character lines and a trailing newline (what Python's `cryptography` writes).
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let e = element(OCTET_STRING, &vec![7u8; len]);
            let mut d = Der::new(&e);
            assert_eq!(d.read(OCTET_STRING).unwrap().len(), len);
            d.finish().unwrap();
        }
    }

    #[test]
    fn strictness() {
        // non-minimal long form, indefinite length, truncated, wrong tag
        for bad in [
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5][..],
            &[0x04, 0x80],
            &[0x04, 0x05, 1],
            &[0x05, 0x00],
            &[],
        ] {
            assert!(Der::new(bad).read(OCTET_STRING).is_err());
        }
        assert!(Der::new(&[0x02, 0x01, 0x80]).unsigned_integer().is_err());
        assert!(Der::new(&[0x02, 0x02, 0x00, 0x01])
            .unsigned_integer()
            .is_err());
        assert_eq!(
            Der::new(&[0x02, 0x02, 0x00, 0x80])
                .unsigned_integer()
                .unwrap(),
            &[0x80]
        );
    }

    /// The reason of a refusal, for the tests that must tell one refusal from another.
    fn refusal(bytes: &[u8]) -> String {
        Der::new(bytes).read(OCTET_STRING).unwrap_err().to_string()
    }

    /// Each length rule refuses for its own reason (mutants of one condition are otherwise hidden behind another
    /// refusal of the same input).
    #[test]
    fn each_length_rule_refuses_for_its_own_reason() {
        let with = |head: &[u8], contents: usize| {
            let mut v = head.to_vec();
            v.resize(head.len() + contents, 7);
            v
        };
        // 0x80 is the indefinite form, not a short length of 128 (`first < 0x80` -> `<=`).
        assert!(refusal(&with(&[0x04, 0x80], 128)).contains("unsupported length"));
        // More than four length bytes (`n > 4` -> `==`): refused before the contents are looked at.
        assert!(refusal(&with(&[0x04, 0x85, 0x01, 0, 0, 0, 0], 8)).contains("unsupported length"));
        // Fewer length bytes than announced: refused, never sliced past the end (`rest.len() < n` -> `==`).
        assert!(refusal(&[0x04, 0x82, 0x01]).contains("unsupported length"));
        // Exactly the announced length bytes and no contents: a truncated element (`<` -> `<=`).
        assert!(refusal(&[0x04, 0x81, 0x80]).contains("truncated contents"));
        // A two-byte length with a leading zero is non-minimal (`n > 1` -> `==` / `<`).
        assert!(refusal(&with(&[0x04, 0x82, 0x00, 0x90], 0x90)).contains("non-minimal length"));
        // A long form for a length under 128 is non-minimal.
        assert!(refusal(&with(&[0x04, 0x81, 0x05], 5)).contains("non-minimal length"));
    }

    /// The longest length form accepted: four minimal bytes (16 MiB of contents; `n > 4` -> `>=`).
    #[test]
    fn a_four_byte_length_is_read() {
        let len = 1usize << 24;
        let mut v = vec![0x04, 0x84, 0x01, 0x00, 0x00, 0x00];
        v.resize(v.len() + len, 0);
        let mut d = Der::new(&v);
        assert_eq!(d.read(OCTET_STRING).unwrap().len(), len);
        d.finish().unwrap();
    }

    #[test]
    fn integers_zero_and_empty() {
        assert_eq!(
            Der::new(&[0x02, 0x01, 0x00]).unsigned_integer().unwrap(),
            &[0]
        );
        let empty = Der::new(&[0x02, 0x00]).unsigned_integer().unwrap_err();
        assert!(empty.to_string().contains("empty integer"), "{empty}");
    }

    #[test]
    fn trailing_data_is_refused() {
        let mut d = Der::new(&[0x04, 0x01, 0x07, 0x00]);
        assert_eq!(d.read(OCTET_STRING).unwrap(), &[7]);
        let err = d.finish().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidKey);
        assert!(err.to_string().contains("trailing data"), "{err}");
        let mut whole = Der::new(&[0x04, 0x01, 0x07]);
        whole.read(OCTET_STRING).unwrap();
        whole.finish().unwrap();
    }

    #[test]
    fn pem() {
        let text = pem_encode("PUBLIC KEY", &[1, 2, 3]);
        assert_eq!(
            text,
            "-----BEGIN PUBLIC KEY-----\nAQID\n-----END PUBLIC KEY-----\n"
        );
        let (label, der) = pem_decode(&text).unwrap();
        assert_eq!((label.as_str(), &der[..]), ("PUBLIC KEY", &[1u8, 2, 3][..]));
        assert!(pem_decode("-----BEGIN X-----\nAQID\n-----END Y-----\n").is_err());
        assert!(pem_decode("no pem here").is_err());
    }
}
