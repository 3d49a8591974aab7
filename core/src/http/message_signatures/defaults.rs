//! The decisions a client or server would otherwise make for itself: what a request is signed over when the
//! caller names no components, and which RFC 9421 algorithm a public key verifies.

use super::{
    content_digest, Component, DigestAlgorithm, HttpSignatureAlgorithm, MessageSigner,
    MessageVerifyingKey, SignatureHeaders,
};
use crate::error::{Error, ErrorKind, Result};
use crate::http::Request;
use crate::key::VerifyingKey;

/// The digest algorithm of the `Content-Digest` a client adds ([`default_coverage`]).
pub const DEFAULT_DIGEST_ALGORITHM: DigestAlgorithm = DigestAlgorithm::Sha256;

/// The algorithms [`HttpSignatureAlgorithm::for_verifying_key`] picks from, in order.
const PUBLIC_KEY_ALGORITHMS: [HttpSignatureAlgorithm; 3] = [
    HttpSignatureAlgorithm::Ed25519,
    HttpSignatureAlgorithm::RsaPssSha512,
    HttpSignatureAlgorithm::EcdsaP256Sha256,
];

impl HttpSignatureAlgorithm {
    /// The RFC 9421 algorithm a public key verifies when the signature names none: `ed25519` for an Ed25519 key,
    /// `rsa-pss-sha512` for an RSA key, `ecdsa-p256-sha256` for a P-256 key (the first of these three that the
    /// key allows, [`VerifyingKey::allows`]).
    ///
    /// An RSA key restricted to PKCS#1 v1.5 gets no default: `rsa-v1_5-sha256` must be named
    /// ([`MessageVerifyingKey::public`]), so a key never silently verifies the weaker padding.
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] when the key allows none of the three.
    pub fn for_verifying_key(key: &VerifyingKey) -> Result<Self> {
        PUBLIC_KEY_ALGORITHMS
            .into_iter()
            .find(|alg| alg.asymmetric().is_some_and(|a| key.allows(a)))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "no default RFC 9421 algorithm for this {} key (name one)",
                        key.key_type()
                    ),
                )
            })
    }
}

impl MessageVerifyingKey {
    /// `key` under [`HttpSignatureAlgorithm::for_verifying_key`].
    ///
    /// # Errors
    /// [`ErrorKind::UnsupportedAlgorithm`] as [`HttpSignatureAlgorithm::for_verifying_key`].
    pub fn for_public_key(key: VerifyingKey) -> Result<Self> {
        let alg = HttpSignatureAlgorithm::for_verifying_key(&key)?;
        Self::public(key, alg)
    }
}

/// What a request is signed over when its signer names no components ([`default_coverage`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultCoverage {
    components: Vec<Component>,
    content_digest: Option<String>,
}

impl DefaultCoverage {
    /// The components to cover, in order.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// Consumes it into the components (for [`super::MessageSigner::with_components`]).
    pub fn into_components(self) -> Vec<Component> {
        self.components
    }

    /// The `Content-Digest` value to set on the request before signing it (and to send), replacing any the
    /// request carries, or `None` when the body is absent or empty (see [`sign_with_content_digest`]).
    pub fn content_digest(&self) -> Option<&str> {
        self.content_digest.as_deref()
    }
}

/// The default coverage of a request that the CLI, the example clients and every binding's request signer use:
/// `@method @authority @path`, then `@query` when the target has a query (a `?`, even a bare one), then
/// `content-digest` when the body is not empty, with the RFC 9530 `Content-Digest` (`sha-256`) of the body to
/// set on the request, replacing any it carries (the rule of [`sign_with_content_digest`]).
///
/// ```
/// use countermark::http::Request;
/// use countermark::http::message_signatures::default_coverage;
///
/// let body = br#"{"id": 42}"#;
/// let request = Request::new("POST", "https://api.example.com/v1/items?page=2")?.with_body(body);
/// let coverage = default_coverage(&request)?;
/// let names: Vec<String> = coverage.components().iter().map(ToString::to_string).collect();
/// assert_eq!(names, [r#""@method""#, r#""@authority""#, r#""@path""#, r#""@query""#, r#""content-digest""#]);
/// assert_eq!(coverage.content_digest(), Some("sha-256=:I9VHm6G0FBLxymEZQ5AVf5clS5Z6LtrI8PcuUM3KWes=:"));
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// Only the digest's own errors (none for the one algorithm used).
pub fn default_coverage(request: &Request<'_>) -> Result<DefaultCoverage> {
    let mut names = vec!["@method", "@authority", "@path"];
    if request.query().is_some() {
        names.push("@query");
    }
    let body = request.body().filter(|b| !b.is_empty());
    let mut digest = None;
    if let Some(body) = body {
        names.push("content-digest");
        digest = Some(content_digest(body, &[DEFAULT_DIGEST_ALGORITHM])?);
    }
    let components = names
        .into_iter()
        .map(Component::parse)
        .collect::<Result<Vec<_>>>()?;
    Ok(DefaultCoverage {
        components,
        content_digest: digest,
    })
}

/// A request signed by [`sign_with_content_digest`] or [`sign_with_default_coverage`]: the `Content-Digest` it
/// was signed with (if any; send the request with it, replacing any line of that name) and the signature
/// headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultSigned {
    content_digest: Option<String>,
    headers: SignatureHeaders,
}

impl DefaultSigned {
    /// The `Content-Digest` value the request must be sent with (replacing any it had), when one was set.
    pub fn content_digest(&self) -> Option<&str> {
        self.content_digest.as_deref()
    }

    /// The `Signature-Input` and `Signature` values.
    pub fn headers(&self) -> &SignatureHeaders {
        &self.headers
    }

    /// Every header line to add to the request, in order: `Content-Digest` (when added), `Signature-Input`,
    /// `Signature`.
    pub fn header_lines(&self) -> Vec<(&'static str, &str)> {
        let mut lines = Vec::with_capacity(3);
        if let Some(d) = &self.content_digest {
            lines.push(("Content-Digest", d.as_str()));
        }
        lines.push(("Signature-Input", self.headers.signature_input()));
        lines.push(("Signature", self.headers.signature()));
        lines
    }
}

/// Signs `request` with `signer` over the request's [`default_coverage`] (whatever components `signer` had are
/// replaced), with the `Content-Digest` of [`sign_with_content_digest`].
///
/// ```
/// use countermark::http::Request;
/// use countermark::http::message_signatures::{sign_with_default_coverage, MessageSigner};
/// use countermark::{Algorithm, HmacKey, Secret};
///
/// let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new([7u8; 32])?);
/// let request = Request::new("POST", "https://e.com/items")?.with_body(b"{}");
/// let signed = sign_with_default_coverage(&MessageSigner::hmac(key)?.with_key_id("k1")?, &request)?;
/// let names: Vec<&str> = signed.header_lines().iter().map(|(n, _)| *n).collect();
/// assert_eq!(names, ["Content-Digest", "Signature-Input", "Signature"]);
/// assert!(signed.headers().signature_input().starts_with(r#"sig1=("@method" "@authority" "@path" "content-digest")"#));
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// As [`MessageSigner::sign`].
pub fn sign_with_default_coverage(
    signer: &MessageSigner,
    request: &Request<'_>,
) -> Result<DefaultSigned> {
    let coverage = default_coverage(request)?;
    let signer = signer.clone().with_components(coverage.into_components())?;
    sign_with_content_digest(&signer, request, &[DEFAULT_DIGEST_ALGORITHM])
}

/// Signs `request` with `signer` (its own components) under the one `Content-Digest` rule of every RFC 9421
/// signer in every binding: when the body is not empty, or the signer covers `content-digest`, the request is
/// signed with the RFC 9530 `Content-Digest` of the body it carries (`algorithms`, in order), **replacing** any
/// `Content-Digest` the caller set. Only a digest computed from the body being signed is sure to describe it: a
/// caller's stale or wrong one would be signed and then refused by every verifier that checks the body. The
/// value is returned ([`DefaultSigned::content_digest`]) to be sent in place of the caller's; `request` itself is
/// not changed. Without a body and without `content-digest` covered, nothing is set and a caller's line is left
/// alone (it is not signed).
///
/// ```
/// use countermark::http::Request;
/// use countermark::http::message_signatures::{
///     content_digest, sign_with_content_digest, Component, DigestAlgorithm, MessageSigner,
/// };
/// use countermark::{Algorithm, HmacKey, Secret};
///
/// let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new([7u8; 32])?);
/// let signer = MessageSigner::hmac(key)?
///     .with_key_id("k1")?
///     .with_components([Component::derived("@method")?, Component::field("content-digest")?])?;
/// let request = Request::new("POST", "https://e.com/items")?
///     .with_header("Content-Digest", "sha-256=:c3RhbGU=:")?
///     .with_body(b"{}");
/// let signed = sign_with_content_digest(&signer, &request, &[DigestAlgorithm::Sha256])?;
/// assert_eq!(signed.content_digest(), Some(content_digest(b"{}", &[DigestAlgorithm::Sha256])?.as_str()));
/// assert!(signed.headers().signature_base().contains(signed.content_digest().unwrap()));
/// # Ok::<(), countermark::Error>(())
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidValue`] for an empty or repeated algorithm list (when a digest is needed); as
/// [`MessageSigner::sign`].
pub fn sign_with_content_digest(
    signer: &MessageSigner,
    request: &Request<'_>,
    algorithms: &[DigestAlgorithm],
) -> Result<DefaultSigned> {
    let body = request.body().unwrap_or_default();
    let covers_digest = signer.components.iter().any(|c| {
        c.name() == "content-digest" && !c.is_from_request() && c.dictionary_key().is_none()
    });
    if body.is_empty() && !covers_digest {
        return Ok(DefaultSigned {
            content_digest: None,
            headers: signer.sign(request)?,
        });
    }
    let digest = content_digest(body, algorithms)?;
    let mut with_digest = request.clone();
    with_digest
        .headers
        .lines
        .retain(|(name, _)| !name.eq_ignore_ascii_case("content-digest"));
    let with_digest = with_digest.with_header("Content-Digest", &digest)?;
    let headers = signer.sign(&with_digest)?;
    Ok(DefaultSigned {
        content_digest: Some(digest),
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::SignatureAlgorithm;
    use crate::key::SigningKey;

    /// RFC 9421 Appendix B.1.4 (test-key-ed25519).
    const ED25519_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n";
    /// RFC 9421 Appendix B.1.3 (test-key-ecc-p256).
    const P256_PEM: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFKbhfNZfpDsW43+0+JjUr9K+bTeuxopu653+hBaXGA7oAoGCCqGSM49\nAwEHoUQDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM\n4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==\n-----END EC PRIVATE KEY-----\n";
    /// RFC 9421 Appendix B.1.1 (test-key-rsa), the public half.
    const RSA_PUBLIC_PEM: &str = "-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEAhAKYdtoeoy8zcAcR874L8cnZxKzAGwd7v36APp7Pv6Q2jdsPBRrw\nWEBnez6d0UDKDwGbc6nxfEXAy5mbhgajzrw3MOEt8uA5txSKobBpKDeBLOsdJKFq\nMGmXCQvEG7YemcxDTRPxAleIAgYYRjTSd/QBwVW9OwNFhekro3RtlinV0a75jfZg\nkne/YiktSvLG34lw2zqXBDTC5NHROUqGTlML4PlNZS5Ri2U4aCNx2rUPRcKIlE0P\nuKxI4T+HIaFpv8+rdV6eUgOrB2xeI1dSFFn/nnv5OoZJEIB+VmuKn3DCUcCZSFlQ\nPSXSfBDiUGhwOw76WuSSsf1D4b/vLoJ10wIDAQAB\n-----END RSA PUBLIC KEY-----\n";

    /// One rule on both paths: the digest of the body signed replaces a Content-Digest the caller set (here a
    /// wrong one that would otherwise be signed), and the request sent with it verifies with the body checked.
    #[test]
    fn a_callers_content_digest_is_replaced_on_both_signing_paths() {
        use super::super::{MessagePolicy, UnverifiedMessageSignature};
        use crate::{clock::FixedClock, Algorithm, HmacKey, Secret};
        let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new([7u8; 32]).unwrap());
        let body = br#"{"id": 42}"#;
        let right = content_digest(body, &[DigestAlgorithm::Sha256]).unwrap();
        let stale = content_digest(b"another body", &[DigestAlgorithm::Sha256]).unwrap();
        let request = Request::new("POST", "https://e.com/items")
            .unwrap()
            .with_header("Content-Digest", &stale)
            .unwrap()
            .with_body(body);
        let signer = MessageSigner::hmac(key.clone())
            .unwrap()
            .with_key_id("k1")
            .unwrap()
            .with_created(1_700_000_000)
            .with_components(
                ["@method", "content-digest"]
                    .map(|c| Component::parse(c).unwrap())
                    .to_vec(),
            )
            .unwrap();
        let coverage = default_coverage(&request).unwrap();
        assert_eq!(coverage.content_digest(), Some(right.as_str()));
        let policy = MessagePolicy::new()
            .with_clock(std::sync::Arc::new(FixedClock::at_secs(1_700_000_000)))
            .check_content_digest(true);
        let verifier = MessageVerifyingKey::hmac(key).unwrap();
        for signed in [
            sign_with_default_coverage(&signer, &request).unwrap(),
            sign_with_content_digest(&signer, &request, &[DigestAlgorithm::Sha256]).unwrap(),
        ] {
            assert_eq!(signed.content_digest(), Some(right.as_str()));
            assert!(signed
                .headers()
                .signature_base()
                .contains(&format!("\"content-digest\": {right}\n")));
            // Sent as the lines say (each replacing the caller's line of the same name), it verifies.
            let sent = Request::new("POST", "https://e.com/items")
                .unwrap()
                .with_body(body);
            let sent = signed
                .header_lines()
                .into_iter()
                .fold(sent, |r, (n, v)| r.with_header(n, v).unwrap());
            let got = UnverifiedMessageSignature::parse(&sent, None)
                .unwrap()
                .unwrap()
                .verify(&verifier, &policy)
                .unwrap();
            assert!(got.body_checked());
            // Sent with the caller's stale line as well, it is refused.
            let both = sent.clone().with_header("Content-Digest", &stale).unwrap();
            let err = UnverifiedMessageSignature::parse(&both, None)
                .unwrap()
                .unwrap()
                .verify(&verifier, &policy)
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadSignature);
        }
        // Without a body and without content-digest covered, nothing is set.
        let get = Request::new("GET", "https://e.com/items").unwrap();
        let plain = signer
            .clone()
            .with_components([Component::parse("@method").unwrap()])
            .unwrap();
        assert_eq!(
            sign_with_content_digest(&plain, &get, &[DigestAlgorithm::Sha256])
                .unwrap()
                .content_digest(),
            None
        );
        // Covered without a body: the digest of the empty body.
        assert_eq!(
            sign_with_content_digest(&signer, &get, &[DigestAlgorithm::Sha256])
                .unwrap()
                .content_digest(),
            Some(
                content_digest(b"", &[DigestAlgorithm::Sha256])
                    .unwrap()
                    .as_str()
            )
        );
    }

    fn names(c: &DefaultCoverage) -> Vec<String> {
        c.components().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn algorithm_of_each_key_type() {
        let ed = SigningKey::from_pem(ED25519_PEM).unwrap();
        let p256 = SigningKey::from_pem(P256_PEM).unwrap();
        let rsa = VerifyingKey::from_pem(RSA_PUBLIC_PEM).unwrap();
        let got = |k: &VerifyingKey| HttpSignatureAlgorithm::for_verifying_key(k).unwrap();
        assert_eq!(got(ed.verifying_key()), HttpSignatureAlgorithm::Ed25519);
        assert_eq!(
            got(p256.verifying_key()),
            HttpSignatureAlgorithm::EcdsaP256Sha256
        );
        assert_eq!(got(&rsa), HttpSignatureAlgorithm::RsaPssSha512);
        let key = MessageVerifyingKey::for_public_key(rsa).unwrap();
        assert_eq!(key.algorithm(), HttpSignatureAlgorithm::RsaPssSha512);
    }

    #[test]
    fn an_rsa_key_without_pss_has_no_default() {
        let rsa = VerifyingKey::from_pem(RSA_PUBLIC_PEM)
            .unwrap()
            .with_allowed(&[SignatureAlgorithm::RsaPkcs1Sha256])
            .unwrap();
        // The same key names its algorithm explicitly and is accepted...
        assert!(
            MessageVerifyingKey::public(rsa.clone(), HttpSignatureAlgorithm::RsaPkcs1Sha256)
                .is_ok()
        );
        // ...but gets no default.
        let err = HttpSignatureAlgorithm::for_verifying_key(&rsa).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
        let err = MessageVerifyingKey::for_public_key(rsa).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedAlgorithm);
    }

    #[test]
    fn coverage_of_a_get_without_query() {
        let request = Request::new("GET", "https://e.com/a").unwrap();
        let c = default_coverage(&request).unwrap();
        assert_eq!(names(&c), [r#""@method""#, r#""@authority""#, r#""@path""#]);
        assert_eq!(c.content_digest(), None);
    }

    #[test]
    fn coverage_adds_query_even_a_bare_one_but_not_a_fragment() {
        for target in ["https://e.com/a?x=1", "https://e.com/a?", "https://e.com?x"] {
            let c = default_coverage(&Request::new("GET", target).unwrap()).unwrap();
            assert_eq!(
                names(&c).last().map(String::as_str),
                Some(r#""@query""#),
                "{target}"
            );
        }
        let c = default_coverage(&Request::new("GET", "https://e.com/a#x?y").unwrap()).unwrap();
        assert_eq!(names(&c).len(), 3);
    }

    #[test]
    fn coverage_of_an_empty_body_has_no_digest() {
        let request = Request::new("POST", "https://e.com/a")
            .unwrap()
            .with_body(b"");
        let c = default_coverage(&request).unwrap();
        assert_eq!(names(&c).len(), 3);
        assert_eq!(c.content_digest(), None);
    }

    #[test]
    fn coverage_replaces_a_digest_the_request_has() {
        let request = Request::new("POST", "https://e.com/a")
            .unwrap()
            .with_header("Content-Digest", "sha-512=:AAAA:")
            .unwrap()
            .with_body(b"x");
        let c = default_coverage(&request).unwrap();
        assert_eq!(
            names(&c).last().map(String::as_str),
            Some(r#""content-digest""#)
        );
        assert_eq!(
            c.content_digest(),
            Some(
                content_digest(b"x", &[DEFAULT_DIGEST_ALGORITHM])
                    .unwrap()
                    .as_str()
            )
        );
    }

    #[test]
    fn default_coverage_signs_and_verifies() {
        use crate::alg::Algorithm;
        use crate::clock::FixedClock;
        use crate::http::message_signatures::{
            MessagePolicy, MessageSigner, UnverifiedMessageSignature,
        };
        use crate::key::{HmacKey, Secret};
        use std::sync::Arc;

        let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new([9u8; 32]).unwrap());
        let body = br#"{"a": 1}"#;
        let request = Request::new("POST", "https://e.com/a?b=c")
            .unwrap()
            .with_body(body);
        let coverage = default_coverage(&request).unwrap();
        let digest = coverage.content_digest().unwrap().to_string();
        let request = request.with_header("Content-Digest", &digest).unwrap();
        let headers = MessageSigner::hmac(key.clone())
            .unwrap()
            .with_key_id("k")
            .unwrap()
            .with_created(1_700_000_000)
            .with_components(coverage.into_components())
            .unwrap()
            .sign(&request)
            .unwrap();
        let signed = request
            .clone()
            .with_header("Signature-Input", headers.signature_input())
            .unwrap()
            .with_header("Signature", headers.signature())
            .unwrap();
        let policy = MessagePolicy::new()
            .with_clock(Arc::new(FixedClock::at_secs(1_700_000_000)))
            .check_content_digest(true);
        let verifying = MessageVerifyingKey::hmac(key.clone()).unwrap();
        UnverifiedMessageSignature::parse(&signed, None)
            .unwrap()
            .unwrap()
            .verify(&verifying, &policy)
            .unwrap();
        // The body the digest was made for, changed: refused.
        let tampered = signed.with_body(br#"{"a": 2}"#);
        let err = UnverifiedMessageSignature::parse(&tampered, None)
            .unwrap()
            .unwrap()
            .verify(&verifying, &policy)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature);
    }

    #[test]
    fn sign_with_default_coverage_adds_the_digest_it_covers() {
        use crate::alg::Algorithm;
        use crate::key::{HmacKey, Secret};

        let key = HmacKey::new(Algorithm::HmacSha256, &Secret::new([9u8; 32]).unwrap());
        let signer = || {
            MessageSigner::hmac(key.clone())
                .unwrap()
                .with_created(1_700_000_000)
        };
        let post = Request::new("POST", "https://e.com/a?b")
            .unwrap()
            .with_body(b"x");
        let signed = sign_with_default_coverage(&signer(), &post).unwrap();
        let digest = content_digest(b"x", &[DigestAlgorithm::Sha256]).unwrap();
        assert_eq!(signed.content_digest(), Some(digest.as_str()));
        assert_eq!(
            signed.header_lines()[0],
            ("Content-Digest", digest.as_str())
        );
        // The same as signing by hand with the digest added and the components named.
        let by_hand = signer()
            .with_components(
                ["@method", "@authority", "@path", "@query", "content-digest"]
                    .into_iter()
                    .map(|c| Component::parse(c).unwrap()),
            )
            .unwrap()
            .sign(&post.clone().with_header("Content-Digest", &digest).unwrap())
            .unwrap();
        assert_eq!(signed.headers(), &by_hand);

        let get = Request::new("GET", "https://e.com/a").unwrap();
        let signed = sign_with_default_coverage(&signer(), &get).unwrap();
        assert_eq!(signed.content_digest(), None);
        assert_eq!(signed.header_lines().len(), 2);
        assert!(signed
            .headers()
            .signature_input()
            .starts_with(r#"sig1=("@method" "@authority" "@path");"#));
    }
}
