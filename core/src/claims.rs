//! One plain-data view of what a request scheme reports: the claims of a parsed (not yet verified) credential,
//! or the facts of a verified one. The bindings (Python `Credentials`/`Verified`, the JS objects) convert a
//! [`Claims`] into their own types, so what each scheme reports, and under which names, is decided here once.

#![forbid(unsafe_code)]

use crate::http::fost::{UnverifiedFost, UnverifiedFostUrl, VerifiedFost, VerifiedFostUrl};
use crate::http::hmac_header::{UnverifiedHmacHeader, VerifiedHmacHeader};
use crate::http::message_signatures::{
    Component, UnverifiedMessageSignature, VerifiedMessageSignature,
};
use crate::jwt::{UnverifiedJwt, VerifiedJwt};

/// What a credential claims (from `Unverified…`, nothing trusted yet) or what a verification established (from
/// `Verified…`), in one shape for every scheme. All text; times in Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// `fost`, `fost-url`, `hmac-header`, `rfc9421` or `jwt`.
    pub scheme: &'static str,
    /// The algorithm name (`hmac-sha1`, `hmac-sha256`, `ed25519`, ...). Always set for a verified result; for
    /// claims, None when the credential names none (an RFC 9421 signature without `alg`).
    pub algorithm: Option<String>,
    /// The key id (FOST key, HMAC-header API key, RFC 9421 `keyid`, JWT `kid`), or None.
    pub key_id: Option<String>,
    /// The user (FOST `X-FOST-User`, JWT `username`), or None.
    pub user: Option<String>,
    /// The signing time (Unix seconds), or None.
    pub created: Option<f64>,
    /// Of a verified result: the covered header names (FOST) or RFC 9421 components, in signing order, as users
    /// write them (`@method`, `content-digest`, `@query-param;name="id"`). Empty for claims (RFC 9421 claims
    /// list their components as `component` details).
    pub covered: Vec<String>,
    /// Everything else, by name, in a fixed order: `timestamp` (FOST, HMAC header claims), `expires` (FOST URL,
    /// RFC 9421), `header.<name>` (FOST verified, each signed header's value), `nonce`, `key_index` (JWT),
    /// `label`, `body_checked`, `nonce`, `tag`, `component` (RFC 9421).
    pub details: Vec<(String, String)>,
}

impl Claims {
    fn new(scheme: &'static str, algorithm: Option<String>) -> Self {
        Claims {
            scheme,
            algorithm,
            key_id: None,
            user: None,
            created: None,
            covered: Vec::new(),
            details: Vec::new(),
        }
    }

    fn detail(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.details.push((name.into(), value.into()));
        self
    }

    /// Adds each `(name, Some(value))`, in order; skips the None ones.
    fn optional_details<const N: usize>(mut self, details: [(&str, Option<String>); N]) -> Self {
        for (name, value) in details {
            if let Some(v) = value {
                self = self.detail(name, v);
            }
        }
        self
    }
}

/// A covered component as users write it: `@method`, `content-digest`, `@query-param;name="id"` (the
/// structured-field quotes around the name dropped).
fn component_name(component: &Component) -> String {
    let serialized = component.to_string();
    match serialized
        .strip_prefix('"')
        .and_then(|rest| rest.split_once('"'))
    {
        Some((name, params)) => format!("{name}{params}"),
        None => serialized,
    }
}

const FOST_ALGORITHM: &str = "hmac-sha1";

impl From<&UnverifiedFost<'_>> for Claims {
    fn from(p: &UnverifiedFost<'_>) -> Self {
        let mut c = Claims::new("fost", Some(FOST_ALGORITHM.to_string()));
        c.key_id = Some(p.claimed_key_id().to_string());
        c.user = Some(p.claimed_user().into_owned());
        c.created = Some(p.claimed_created().as_secs_f64());
        c.detail("timestamp", p.claimed_timestamp())
    }
}

impl From<&VerifiedFost> for Claims {
    fn from(v: &VerifiedFost) -> Self {
        let mut c = Claims::new("fost", Some(FOST_ALGORITHM.to_string()));
        c.key_id = Some(v.key_id().to_string());
        c.user = Some(v.user().to_string());
        c.created = Some(v.created().as_secs_f64());
        c.covered = v.signed_headers().iter().map(|(n, _)| n.clone()).collect();
        for (name, value) in v.signed_headers() {
            c = c.detail(format!("header.{name}"), value.as_str());
        }
        c
    }
}

impl From<&UnverifiedFostUrl> for Claims {
    fn from(p: &UnverifiedFostUrl) -> Self {
        let mut c = Claims::new("fost-url", Some(FOST_ALGORITHM.to_string()));
        c.key_id = Some(p.claimed_key_id().to_string());
        c.optional_details([("expires", p.claimed_expires().map(|e| e.to_string()))])
    }
}

impl From<&VerifiedFostUrl> for Claims {
    fn from(v: &VerifiedFostUrl) -> Self {
        let mut c = Claims::new("fost-url", Some(FOST_ALGORITHM.to_string()));
        c.key_id = Some(v.key_id().to_string());
        c.optional_details([("expires", v.expires().map(|e| e.to_string()))])
    }
}

impl From<&UnverifiedHmacHeader<'_>> for Claims {
    fn from(p: &UnverifiedHmacHeader<'_>) -> Self {
        let mut c = Claims::new(
            "hmac-header",
            Some(p.claimed_algorithm().name().to_string()),
        );
        c.key_id = Some(p.claimed_key_id().to_string());
        c.created = Some(p.claimed_created().as_secs_f64());
        c.detail("timestamp", p.claimed_timestamp())
    }
}

impl From<&VerifiedHmacHeader> for Claims {
    fn from(v: &VerifiedHmacHeader) -> Self {
        let mut c = Claims::new("hmac-header", Some(v.algorithm().name().to_string()));
        c.key_id = Some(v.key_id().to_string());
        c.created = Some(v.created().as_secs_f64());
        c
    }
}

impl From<&UnverifiedJwt> for Claims {
    fn from(p: &UnverifiedJwt) -> Self {
        let mut c = Claims::new("jwt", Some(p.claimed_algorithm().name().to_string()));
        c.key_id = p.claimed_key_id().map(str::to_string);
        c.user = Some(p.claimed_username().to_string());
        c.created = Some(p.claimed_time());
        c.detail("nonce", p.claimed_nonce())
    }
}

impl From<&VerifiedJwt> for Claims {
    fn from(v: &VerifiedJwt) -> Self {
        let mut c = Claims::new("jwt", Some(v.algorithm().name().to_string()));
        c.key_id = Some(v.key_id().to_string());
        c.user = Some(v.username().to_string());
        c.created = Some(v.time());
        c.detail("nonce", v.nonce())
            .detail("key_index", v.key_index().to_string())
    }
}

impl From<&UnverifiedMessageSignature<'_>> for Claims {
    fn from(u: &UnverifiedMessageSignature<'_>) -> Self {
        let mut c = Claims::new("rfc9421", u.claimed_algorithm().map(str::to_string));
        c.key_id = u.claimed_key_id().map(str::to_string);
        c.created = u.claimed_created().map(|t| t as f64);
        c = c.detail("label", u.label()).optional_details([
            ("expires", u.claimed_expires().map(|t| t.to_string())),
            ("nonce", u.claimed_nonce().map(str::to_string)),
            ("tag", u.claimed_tag().map(str::to_string)),
        ]);
        for component in u.covered_components() {
            c = c.detail("component", component_name(component));
        }
        c
    }
}

impl From<&VerifiedMessageSignature> for Claims {
    fn from(v: &VerifiedMessageSignature) -> Self {
        let mut c = Claims::new("rfc9421", Some(v.algorithm().name().to_string()));
        c.key_id = v.key_id().map(str::to_string);
        c.created = v.created().map(|t| t as f64);
        c.covered = v.covered_components().iter().map(component_name).collect();
        c.detail("label", v.label())
            .detail(
                "body_checked",
                if v.body_checked() { "true" } else { "false" },
            )
            .optional_details([
                ("expires", v.expires().map(|t| t.to_string())),
                ("nonce", v.nonce().map(str::to_string)),
                ("tag", v.tag().map(str::to_string)),
            ])
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::http::message_signatures::{MessagePolicy, MessageSigner, MessageVerifyingKey};
    use crate::http::{fost, hmac_header, Request};
    use crate::jwt::{Policy as JwtPolicy, Token};
    use crate::{Algorithm, FixedClock, FostSigner, FostUrlSigner, HmacKey, Secret, SigningKey};

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fost_claims_and_verified() {
        let key = fost::hmac_key(&Secret::legacy(*b"secret-value").unwrap());
        let clock = Arc::new(FixedClock::at_secs(1_303_874_807));
        let request = Request::new("GET", "/")
            .unwrap()
            .with_header("X-FOST-User", "admin")
            .unwrap();
        let signed = FostSigner::new("key-value", key.clone())
            .unwrap()
            .with_clock(clock.clone())
            .sign_at(&request, &["X-FOST-User"], "2011-04-27 03:26:37.625618")
            .unwrap();
        let mut request = request;
        for (name, value) in signed.headers() {
            request = request.with_header(name, value).unwrap();
        }
        let parsed = fost::parse(&request).unwrap().unwrap();
        assert_eq!(
            Claims::from(&parsed),
            Claims {
                scheme: "fost",
                algorithm: Some("hmac-sha1".into()),
                key_id: Some("key-value".into()),
                user: Some("admin".into()),
                created: Some(1_303_874_797.0),
                covered: vec![],
                details: pairs(&[("timestamp", "2011-04-27 03:26:37.625618")]),
            }
        );
        let verified = parsed.verify(&key, &fost::Policy::new(clock)).unwrap();
        assert_eq!(
            Claims::from(&verified),
            Claims {
                scheme: "fost",
                algorithm: Some("hmac-sha1".into()),
                key_id: Some("key-value".into()),
                user: Some("admin".into()),
                created: Some(1_303_874_797.0),
                covered: vec!["X-FOST-Headers".into(), "X-FOST-User".into()],
                details: pairs(&[
                    ("header.X-FOST-Headers", "X-FOST-Headers X-FOST-User"),
                    ("header.X-FOST-User", "admin"),
                ]),
            }
        );
    }

    #[test]
    fn fost_url_claims_and_verified() {
        let key = fost::hmac_key(&Secret::legacy(*b"secret-value").unwrap());
        let signed = FostUrlSigner::new("key-value", key.clone())
            .unwrap()
            .sign("http://example.com/p?a=1", Some(1_385_460_030))
            .unwrap();
        let url = signed.url().to_string();
        let target = url.strip_prefix("http://example.com").unwrap();
        let request = Request::new("GET", target)
            .unwrap()
            .with_authority("http", "example.com");
        let parsed = fost::parse_url(&request).unwrap().unwrap();
        let want = Claims {
            scheme: "fost-url",
            algorithm: Some("hmac-sha1".into()),
            key_id: Some("key-value".into()),
            user: None,
            created: None,
            covered: vec![],
            details: pairs(&[("expires", "1385460030")]),
        };
        assert_eq!(Claims::from(&parsed), want);
        let policy = fost::Policy::new(Arc::new(FixedClock::at_secs(1_385_460_000)));
        let verified = parsed.verify(&key, &policy).unwrap();
        assert_eq!(Claims::from(&verified), want);
    }

    #[test]
    fn hmac_header_claims_and_verified() {
        let secret =
            hmac_header::ApiSecret::from_base64("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=")
                .unwrap();
        let key = secret.key(Algorithm::HmacSha256).unwrap();
        let signer = crate::HmacHeaderSigner::new("aff80c45-ca58-455f-a815-b051d470c7ba", key)
            .unwrap()
            .with_clock(Arc::new(FixedClock::at_secs_f64(1_683_468_937.862_56)));
        let request = Request::new("POST", "/api/v1/resource/")
            .unwrap()
            .with_header("Content-Type", "application/json")
            .unwrap()
            .with_body(br#"{"a": 1, "b": 2}"#);
        let signed = signer.sign_request(&request).unwrap();
        let request = request
            .with_header("Authorization", signed.authorization())
            .unwrap();
        let parsed = hmac_header::parse(&request).unwrap().unwrap();
        let claims = Claims::from(&parsed);
        assert_eq!(
            claims,
            Claims {
                scheme: "hmac-header",
                algorithm: Some("hmac-sha256".into()),
                key_id: Some("aff80c45-ca58-455f-a815-b051d470c7ba".into()),
                user: None,
                created: Some(1_683_468_937.862_56),
                covered: vec![],
                details: pairs(&[("timestamp", "2023-05-07T14:15:37.862560+00:00")]),
            }
        );
        let policy =
            hmac_header::Policy::new(Arc::new(FixedClock::at_secs_f64(1_683_468_938.862_56)));
        let verified = parsed.verify(&secret, &policy).unwrap();
        assert_eq!(
            Claims::from(&verified),
            Claims {
                details: vec![],
                ..claims
            }
        );
    }

    #[test]
    fn jwt_claims_and_verified() {
        let key = SigningKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let clock = Arc::new(FixedClock::at_secs(1_700_000_000));
        let header = Token::new("alice", clock.as_ref())
            .unwrap()
            .authorization(&key)
            .unwrap();
        let parsed = UnverifiedJwt::from_authorization(&header).unwrap().unwrap();
        let nonce = parsed.claimed_nonce().to_string();
        let kid = key.verifying_key().key_id().to_string();
        assert_eq!(
            Claims::from(&parsed),
            Claims {
                scheme: "jwt",
                algorithm: Some("ed25519".into()),
                key_id: Some(kid.clone()),
                user: Some("alice".into()),
                created: Some(1_700_000_000.0),
                covered: vec![],
                details: vec![("nonce".into(), nonce.clone())],
            }
        );
        let policy = JwtPolicy::new().with_clock(clock);
        let verified = parsed
            .verify_any(&[key.verifying_key().clone()], &policy)
            .unwrap();
        assert_eq!(
            Claims::from(&verified),
            Claims {
                scheme: "jwt",
                algorithm: Some("ed25519".into()),
                key_id: Some(kid),
                user: Some("alice".into()),
                created: Some(1_700_000_000.0),
                covered: vec![],
                details: vec![("nonce".into(), nonce), ("key_index".into(), "0".into())],
            }
        );
    }

    #[test]
    fn message_signature_claims_and_verified() {
        let key = HmacKey::new(
            Algorithm::HmacSha256,
            &Secret::new(*b"a shared secret of 32 bytes!!!!!").unwrap(),
        );
        let request = Request::new("POST", "https://api.example.com/v1/widgets?id=7").unwrap();
        let components = ["@method", "@authority", r#""@query-param";name="id""#]
            .map(|c| Component::parse(c).unwrap())
            .to_vec();
        let headers = MessageSigner::hmac(key.clone())
            .unwrap()
            .with_label("sig1")
            .unwrap()
            .with_key_id("client-1")
            .unwrap()
            .with_components(components)
            .unwrap()
            .with_created(1_700_000_000)
            .with_expires(1_700_000_300)
            .with_nonce("n-1")
            .unwrap()
            .with_tag("app")
            .unwrap()
            .sign(&request)
            .unwrap();
        let signed = request
            .with_header("Signature-Input", headers.signature_input())
            .unwrap()
            .with_header("Signature", headers.signature())
            .unwrap();
        let parsed = UnverifiedMessageSignature::parse(&signed, Some("sig1"))
            .unwrap()
            .unwrap();
        assert_eq!(
            Claims::from(&parsed),
            Claims {
                scheme: "rfc9421",
                algorithm: None,
                key_id: Some("client-1".into()),
                user: None,
                created: Some(1_700_000_000.0),
                covered: vec![],
                details: pairs(&[
                    ("label", "sig1"),
                    ("expires", "1700000300"),
                    ("nonce", "n-1"),
                    ("tag", "app"),
                    ("component", "@method"),
                    ("component", "@authority"),
                    ("component", "@query-param;name=\"id\""),
                ]),
            }
        );
        let policy = MessagePolicy::new().with_clock(Arc::new(FixedClock::at_secs(1_700_000_010)));
        let verified = parsed
            .verify(&MessageVerifyingKey::hmac(key).unwrap(), &policy)
            .unwrap();
        assert_eq!(
            Claims::from(&verified),
            Claims {
                scheme: "rfc9421",
                algorithm: Some("hmac-sha256".into()),
                key_id: Some("client-1".into()),
                user: None,
                created: Some(1_700_000_000.0),
                covered: vec![
                    "@method".into(),
                    "@authority".into(),
                    "@query-param;name=\"id\"".into()
                ],
                details: pairs(&[
                    ("label", "sig1"),
                    ("body_checked", "false"),
                    ("expires", "1700000300"),
                    ("nonce", "n-1"),
                    ("tag", "app"),
                ]),
            }
        );
    }
}
