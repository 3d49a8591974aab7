//! JWK sets (RFC 7517 §5): the `{"keys":[…]}` documents that asymmetric-jwt-auth publishes and reads from the JWKS
//! URLs its users trust. This module only parses, checks and writes documents; fetching them is the host's job
//! (countermark's Django app fetches with asymmetric-jwt-auth's limits).
//!
//! Rules of [`Jwks::parse`]:
//! * the document is at most [`Jwks::MAX_LEN`] bytes (asymmetric-jwt-auth's `JWKS_MAX_RESPONSE_BYTES`) and a JSON
//!   object whose `keys` member is an array of at most [`Jwks::MAX_KEYS`] objects ([`ErrorKind::TooLarge`],
//!   [`ErrorKind::Malformed`]);
//! * a key is *skipped*, not an error, when it is not for signatures (`use` other than `"sig"`, `key_ops` without
//!   `"verify"`), has no `kid` (keys are chosen by a token's `kid`, and asymmetric-jwt-auth never uses one without
//!   it), is of a family countermark does not verify (`oct`, `OKP` other than `Ed25519`, `EC` other than `P-256`) or
//!   names an `alg` countermark does not verify (`HS256`, `none`, `ES384`, …): key sets routinely hold such keys
//!   for other consumers; [`Jwks::skipped`] counts them;
//! * the whole document is refused when one of its keys would be unsafe or ambiguous to use: a key holding
//!   private members (`d`, `p`, `q`, …), a weak key (small-order Ed25519, RSA exponent below 3 or even, modulus
//!   outside 2048..=8192 bits: [`ErrorKind::InvalidKey`], as [`VerifyingKey::from_jwk`] refuses them), an `alg`
//!   of another key family ([`ErrorKind::UnsupportedAlgorithm`]), a member of the wrong JSON type
//!   ([`ErrorKind::Malformed`]), or two usable keys with the same `kid` ([`ErrorKind::Malformed`]). A key set
//!   that serves a weak key has gone wrong, and accepting the rest would hide it.
//!
//! Each key keeps its `kid` as its key id and, with an `alg`, is allowed only that algorithm.
//!
//! ```
//! use countermark::key::Jwks;
//!
//! let doc = r#"{"keys":[
//!   {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1","use":"sig"},
//!   {"kty":"RSA","use":"enc","kid":"k2","n":"AQAB","e":"AQAB"}
//! ]}"#;
//! let set = Jwks::parse(doc.as_bytes())?;
//! assert_eq!(set.keys().len(), 1);
//! assert_eq!(set.skipped(), 1);
//! assert!(set.get("k1").is_some() && set.get("k2").is_none());
//! // And back: the document countermark publishes for these keys.
//! assert_eq!(Jwks::parse(set.to_json().as_bytes())?.get("k1").unwrap().key_id(), "k1");
//! # Ok::<(), countermark::Error>(())
//! ```

use serde_json::Value;

use super::VerifyingKey;
use crate::alg::SignatureAlgorithm;
use crate::error::{Error, ErrorKind, Result};

/// A checked JWK set: the usable signature keys of a `{"keys":[…]}` document, each under its `kid`.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    keys: Vec<VerifyingKey>,
    skipped: usize,
}

/// Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn optional_str<'a>(entry: &'a Value, name: &str, index: usize) -> Result<Option<&'a str>> {
    match entry.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::malformed(format!(
            "JWKS key {index}: member {name:?} is not a string"
        ))),
    }
}

impl Jwks {
    /// Largest document accepted, in bytes: 1 MiB, asymmetric-jwt-auth's `JWKS_MAX_RESPONSE_BYTES`.
    pub const MAX_LEN: usize = 1024 * 1024;
    /// Most entries in `keys` (usable or skipped).
    pub const MAX_KEYS: usize = 100;

    /// Parses and checks a JWKS document (see the [module documentation](self) for the rules).
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] over [`Jwks::MAX_LEN`] bytes or [`Jwks::MAX_KEYS`] keys; [`ErrorKind::Malformed`]
    /// for text that is not such a JSON document, a member of the wrong type or a repeated `kid`;
    /// [`ErrorKind::InvalidKey`] for a weak key or private members; [`ErrorKind::UnsupportedAlgorithm`] for an
    /// `alg` of another key family. Messages name the key's position, never key material.
    pub fn parse(document: &[u8]) -> Result<Self> {
        if document.len() > Self::MAX_LEN {
            return Err(Error::too_large("JWKS document", Self::MAX_LEN));
        }
        let doc: Value = serde_json::from_slice(document)
            .map_err(|_| Error::malformed("JWKS document is not valid JSON"))?;
        let entries = doc
            .as_object()
            .and_then(|o| o.get("keys"))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Error::malformed("JWKS document is not an object with a \"keys\" array")
            })?;
        if entries.len() > Self::MAX_KEYS {
            return Err(Error::too_large("number of JWKS keys", Self::MAX_KEYS));
        }
        let mut set = Jwks::default();
        for (index, entry) in entries.iter().enumerate() {
            match Self::entry(entry, index)? {
                Some(key) => set.push(key)?,
                None => set.skipped += 1,
            }
        }
        Ok(set)
    }

    /// One entry: `Some(key)` when usable, `None` when skipped.
    fn entry(entry: &Value, index: usize) -> Result<Option<VerifyingKey>> {
        if !entry.is_object() {
            return Err(Error::malformed(format!(
                "JWKS key {index} is not a JSON object"
            )));
        }
        if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| entry.get(**m).is_some()) {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!("JWKS key {index} holds a private key (member {member:?})"),
            ));
        }
        if optional_str(entry, "use", index)?.is_some_and(|u| u != "sig") {
            return Ok(None);
        }
        if let Some(ops) = entry.get("key_ops") {
            let ops = ops.as_array().ok_or_else(|| {
                Error::malformed(format!("JWKS key {index}: key_ops is not an array"))
            })?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return Ok(None);
            }
        }
        let Some(kid) = optional_str(entry, "kid", index)? else {
            return Ok(None);
        };
        let kty = optional_str(entry, "kty", index)?;
        let crv = optional_str(entry, "crv", index)?;
        if !matches!(
            (kty, crv),
            (Some("OKP"), Some("Ed25519")) | (Some("EC"), Some("P-256")) | (Some("RSA"), _)
        ) {
            return Ok(None);
        }
        if let Some(alg) = optional_str(entry, "alg", index)? {
            if SignatureAlgorithm::from_jws_name(alg).is_none() {
                return Ok(None);
            }
        }
        let key = VerifyingKey::from_jwk_value(entry).map_err(|e| {
            Error::new(
                e.kind(),
                format!("JWKS key {index} (kid {kid:?}): {}", e.message()),
            )
        })?;
        Ok(Some(key))
    }

    fn push(&mut self, key: VerifyingKey) -> Result<()> {
        if self.keys.iter().any(|k| k.key_id() == key.key_id()) {
            return Err(Error::malformed(format!(
                "JWKS holds two keys with kid {:?}",
                key.key_id()
            )));
        }
        self.keys.push(key);
        Ok(())
    }

    /// A set of `keys` to publish (each under its key id: by default its fingerprint).
    ///
    /// # Errors
    /// [`ErrorKind::TooLarge`] for more than [`Jwks::MAX_KEYS`] keys; [`ErrorKind::Malformed`] when two share a
    /// key id.
    pub fn from_keys(keys: impl IntoIterator<Item = VerifyingKey>) -> Result<Self> {
        let mut set = Jwks::default();
        for key in keys {
            if set.keys.len() == Self::MAX_KEYS {
                return Err(Error::too_large("number of JWKS keys", Self::MAX_KEYS));
            }
            set.push(key)?;
        }
        Ok(set)
    }

    /// The usable keys, in document order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// The key whose `kid` is `kid`.
    pub fn get(&self, kid: &str) -> Option<&VerifyingKey> {
        self.keys.iter().find(|k| k.key_id() == kid)
    }

    /// How many entries of the parsed document were skipped (not for signatures, no `kid`, another family or
    /// algorithm).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The document: `{"keys":[…]}` with each key as [`VerifyingKey::to_jwk`] writes it.
    pub fn to_json(&self) -> String {
        let keys: Vec<Value> = self.keys.iter().map(VerifyingKey::jwk_value).collect();
        serde_json::json!({ "keys": keys }).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyType;

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn vectors() -> serde_json::Value {
        let dir = std::env::var_os("COUNTERMARK_VECTORS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
            std::path::PathBuf::from,
        );
        serde_json::from_str(&std::fs::read_to_string(dir.join("asym_jwt.json")).unwrap()).unwrap()
    }

    fn ed(kid: &str) -> Value {
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": kid})
    }

    fn doc(keys: &[Value]) -> Vec<u8> {
        serde_json::json!({ "keys": keys }).to_string().into_bytes()
    }

    fn refusal(keys: &[Value]) -> Error {
        Jwks::parse(&doc(keys)).unwrap_err()
    }

    #[test]
    fn the_reference_rsa_jwk_and_a_published_set_round_trip() {
        let v = vectors();
        let rsa = &v["keys"]["rsa2048"];
        let mut jwk = rsa["jwk"].clone();
        jwk["kid"] = rsa["kid"].clone();
        let set = Jwks::parse(&doc(&[jwk, ed("e1")])).unwrap();
        assert_eq!(set.keys().len(), 2);
        let key = set.get(rsa["kid"].as_str().unwrap()).unwrap();
        assert_eq!(
            key.to_pem(),
            VerifyingKey::from_pem(rsa["public_pem"].as_str().unwrap())
                .unwrap()
                .to_pem()
        );
        // What countermark publishes reads back as the same keys, ids and algorithms.
        let again = Jwks::parse(set.to_json().as_bytes()).unwrap();
        for (a, b) in set.keys().iter().zip(again.keys()) {
            assert_eq!(
                (a.key_id(), a.to_pem(), a.allowed()),
                (b.key_id(), b.to_pem(), b.allowed())
            );
        }
        // A published key without a chosen id goes out under its fingerprint.
        let pem =
            VerifyingKey::from_pem(v["keys"]["ed25519"]["public_pem"].as_str().unwrap()).unwrap();
        let published = Jwks::from_keys([pem.clone()]).unwrap().to_json();
        assert!(published.contains(&format!("\"kid\":\"{}\"", pem.fingerprint())));
        assert!(published.contains("\"use\":\"sig\""));
    }

    #[test]
    fn keys_for_other_uses_families_and_algorithms_are_skipped() {
        let mut enc = ed("enc");
        enc["use"] = "enc".into();
        let mut ops = ed("ops");
        ops["key_ops"] = serde_json::json!(["encrypt"]);
        let mut verify = ed("verify");
        verify["key_ops"] = serde_json::json!(["verify"]);
        let mut no_kid = ed("x");
        no_kid.as_object_mut().unwrap().remove("kid");
        let mut hs = ed("hs");
        hs["alg"] = "HS256".into();
        let oct = serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": "oct"});
        let x25519 = serde_json::json!({"kty": "OKP", "crv": "X25519", "x": ED_X, "kid": "x"});
        let p384 =
            serde_json::json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "kid": "p"});
        let set = Jwks::parse(&doc(&[enc, ops, verify, no_kid, hs, oct, x25519, p384])).unwrap();
        assert_eq!(set.keys().len(), 1);
        assert_eq!(set.keys()[0].key_id(), "verify");
        assert_eq!(set.skipped(), 7);
    }

    #[test]
    fn alg_narrows_the_key_and_another_familys_alg_refuses_the_set() {
        let mut eddsa = ed("a");
        eddsa["alg"] = "EdDSA".into();
        let set = Jwks::parse(&doc(&[eddsa])).unwrap();
        assert_eq!(set.keys()[0].allowed(), &[SignatureAlgorithm::Ed25519]);
        let mut rs = ed("a");
        rs["alg"] = "RS256".into();
        assert_eq!(refusal(&[rs]).kind(), ErrorKind::UnsupportedAlgorithm);
    }

    #[test]
    fn weak_private_and_duplicate_keys_refuse_the_whole_set() {
        // The identity point: small order.
        let mut small = ed("weak");
        small["x"] = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into();
        let err = refusal(&[ed("good"), small]);
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.message().contains("JWKS key 1 (kid \"weak\")"), "{err}");
        assert!(err.message().contains("small order"), "{err}");
        // RSA with e = 1 and with a 1024-bit modulus.
        let rsa = vectors()["keys"]["rsa2048"]["jwk"].clone();
        let mut e1 = rsa.clone();
        e1["kid"] = "e1".into();
        e1["e"] = "AQ".into();
        assert_eq!(refusal(&[e1]).kind(), ErrorKind::InvalidKey);
        let mut short = rsa.clone();
        short["kid"] = "short".into();
        let n = short["n"].as_str().unwrap().to_string();
        short["n"] = n[..n.len() / 2].into();
        assert_eq!(refusal(&[short]).kind(), ErrorKind::InvalidKey);
        // Private members, even on a key that would otherwise be skipped.
        let mut private = ed("p");
        private["d"] = ED_X.into();
        private["use"] = "enc".into();
        let err = refusal(&[private]);
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.message().contains("private"), "{err}");
        // Two usable keys under one kid.
        let err = refusal(&[ed("same"), ed("same")]);
        assert_eq!(err.kind(), ErrorKind::Malformed);
        assert!(err.message().contains("two keys"), "{err}");
        // A skipped key may share a usable key's kid.
        let mut enc = ed("same");
        enc["use"] = "enc".into();
        assert_eq!(
            Jwks::parse(&doc(&[ed("same"), enc])).unwrap().keys().len(),
            1
        );
    }

    #[test]
    fn document_shape_and_limits() {
        for bad in [
            &b"not json"[..],
            b"[]",
            b"{}",
            b"{\"keys\":{}}",
            b"{\"keys\":[1]}",
            b"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\",\"kid\":7}]}",
            b"{\"keys\":[{\"kty\":\"OKP\",\"use\":1,\"kid\":\"a\"}]}",
            b"{\"keys\":[{\"kty\":\"OKP\",\"key_ops\":\"verify\",\"kid\":\"a\"}]}",
        ] {
            assert_eq!(
                Jwks::parse(bad).unwrap_err().kind(),
                ErrorKind::Malformed,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(Jwks::parse(b"{\"keys\":[]}").unwrap().keys().is_empty());
        // MAX_KEYS entries are read, one more is too many.
        let many: Vec<Value> = (0..Jwks::MAX_KEYS).map(|i| ed(&format!("k{i}"))).collect();
        // Distinct kids but one key: allowed (a set may publish one key under several ids).
        assert_eq!(
            Jwks::parse(&doc(&many)).unwrap().keys().len(),
            Jwks::MAX_KEYS
        );
        let mut too_many = many.clone();
        too_many.push(ed("last"));
        assert_eq!(refusal(&too_many).kind(), ErrorKind::TooLarge);
        // MAX_LEN bytes are read (padding with spaces), one more is too large.
        let mut text = doc(&[ed("a")]);
        text.resize(Jwks::MAX_LEN, b' ');
        assert_eq!(Jwks::parse(&text).unwrap().keys().len(), 1);
        text.push(b' ');
        assert_eq!(Jwks::parse(&text).unwrap_err().kind(), ErrorKind::TooLarge);
        // from_keys: the same limits.
        let key = VerifyingKey::decoy(KeyType::Ed25519).unwrap();
        assert_eq!(
            Jwks::from_keys([key.clone(), key.clone()])
                .unwrap_err()
                .kind(),
            ErrorKind::Malformed
        );
        let keys = (0..=Jwks::MAX_KEYS).map(|i| key.clone().with_key_id(&format!("k{i}")).unwrap());
        assert_eq!(
            Jwks::from_keys(keys).unwrap_err().kind(),
            ErrorKind::TooLarge
        );
    }

    #[test]
    fn to_jwk_reads_back_for_every_family() {
        for key_type in [KeyType::Ed25519, KeyType::EcdsaP256] {
            let key = VerifyingKey::decoy(key_type).unwrap();
            let back = VerifyingKey::from_jwk(&key.to_jwk()).unwrap();
            assert_eq!((back.key_id(), back.to_pem()), (key.key_id(), key.to_pem()));
            assert_eq!(back.allowed(), key.allowed());
        }
        let rsa =
            VerifyingKey::from_pem(vectors()["keys"]["rsa2048"]["public_pem"].as_str().unwrap())
                .unwrap()
                .with_allowed(&[SignatureAlgorithm::RsaPkcs1Sha512])
                .unwrap();
        let jwk = rsa.to_jwk();
        assert!(
            jwk.contains("\"alg\":\"RS512\"") && jwk.contains("\"e\":\"AQAB\""),
            "{jwk}"
        );
        let back = VerifyingKey::from_jwk(&jwk).unwrap();
        assert_eq!((back.key_id(), back.to_pem()), (rsa.key_id(), rsa.to_pem()));
        assert_eq!(back.allowed(), &[SignatureAlgorithm::RsaPkcs1Sha512]);
    }
}
