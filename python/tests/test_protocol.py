"""Protocol decisions made once, in the core, and reached from Python: the key each scheme derives from one API
secret, strict reading of a client's secret, the default RFC 9421 coverage and algorithm, decoy keys, the
``Authorization: Token`` header and URL splitting. Every refusal is tested on an input otherwise accepted."""

import base64

import pytest

import countermark
from countermark import ApiSecret, HmacKey, MessageSigner, MessageVerifyingKey, Request, SigningKey, VerifyingKey

TEXT = "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU="
# RFC 9421 Appendix B.1.4 (test-key-ed25519).
ED25519_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
    "-----END PRIVATE KEY-----\n"
)
NOW = 1_700_000_000


def tag(key: HmacKey) -> bytes:
    return countermark.Tokens(key, clock=countermark.Clock.fixed(NOW)).create_with_random(["m"], b"\x01" * 256).encode()


def test_strict_secret_gives_back_its_text():
    assert ApiSecret.from_base64_strict(TEXT).to_base64() == TEXT


@pytest.mark.parametrize(
    "text", [TEXT + "\n", " " + TEXT, TEXT.rstrip("="), TEXT.replace("aU=", "aV="), "c2hvcnQ=", ""]
)
def test_strict_secret_refuses(text):
    if text.strip() == TEXT:
        ApiSecret(text)  # the server's lenient reader takes surrounding whitespace
    with pytest.raises(countermark.InvalidKey):
        ApiSecret.from_base64_strict(text)


def test_each_scheme_derives_its_key():
    secret = ApiSecret.from_base64_strict(TEXT)
    raw = base64.b64decode(TEXT)
    fost = secret.fost_key()
    assert fost.algorithm == "hmac-sha1"
    assert tag(fost) == tag(HmacKey(TEXT, "hmac-sha1"))
    rfc = secret.message_signature_key()
    assert rfc.algorithm == "hmac-sha256"
    assert tag(rfc) == tag(HmacKey(raw, "hmac-sha256"))
    assert tag(rfc) != tag(HmacKey(TEXT, "hmac-sha256"))


def test_default_coverage():
    get = Request.from_url("GET", "https://e.com/a")
    assert countermark.default_coverage(get) == (["@method", "@authority", "@path"], None)
    query = Request.from_url("GET", "https://e.com/a?b=c")
    assert countermark.default_coverage(query) == (["@method", "@authority", "@path", "@query"], None)
    post = Request.from_url("POST", "https://e.com/a?b", body=b'{"id": 42}')
    components, digest = countermark.default_coverage(post)
    assert components == ["@method", "@authority", "@path", "@query", "content-digest"]
    assert digest == countermark.content_digest(b'{"id": 42}')
    # A request that carries a Content-Digest gets the digest of its body all the same, to replace the carried one.
    carried = post.with_headers([("Content-Digest", countermark.content_digest(b"another body"))])
    assert countermark.default_coverage(carried) == (components, digest)
    # An empty body is no body.
    empty = Request.from_url("POST", "https://e.com/a", body=b"")
    assert countermark.default_coverage(empty) == (["@method", "@authority", "@path"], None)


def test_default_algorithm_of_a_public_key():
    sk = SigningKey.from_pem(ED25519_PEM)
    key = MessageVerifyingKey.public(sk.verifying_key)
    assert key.algorithm == "ed25519"
    request = Request.from_url("GET", "https://e.com/a")
    components, _ = countermark.default_coverage(request)
    signer = MessageSigner(sk, algorithm="ed25519", components=components, clock=countermark.Clock.fixed(NOW))
    signed = request.with_headers(signer.sign(request).headers)
    policy = countermark.MessagePolicy(clock=countermark.Clock.fixed(NOW))
    assert countermark.verify_message_signature(signed, key, policy).algorithm == "ed25519"
    assert MessageVerifyingKey.public(VerifyingKey.decoy("ecdsa-p256")).algorithm == "ecdsa-p256-sha256"


def test_decoys():
    a, b = VerifyingKey.decoy("ed25519"), VerifyingKey.decoy("ed25519")
    assert a.key_id != b.key_id
    with pytest.raises(countermark.UnsupportedAlgorithm):
        VerifyingKey.decoy("rsa")
    with pytest.raises(countermark.InvalidValue):
        VerifyingKey.decoy("p256")
    # Nothing a real key signs verifies under a decoy.
    sk = SigningKey.from_pem(ED25519_PEM)
    request = Request.from_url("GET", "https://e.com/a")
    signer = MessageSigner(sk, algorithm="ed25519", components=["@method"], clock=countermark.Clock.fixed(NOW))
    signed = request.with_headers(signer.sign(request).headers)
    policy = countermark.MessagePolicy(clock=countermark.Clock.fixed(NOW))
    with pytest.raises(countermark.BadSignature):
        countermark.verify_message_signature(signed, MessageVerifyingKey.public(a), policy)


def test_token_header():
    value = countermark.token_authorization("alice:1700000000:abc:def")
    assert value == "Token alice:1700000000:abc:def"
    assert countermark.parse_token_authorization(value) == "alice:1700000000:abc:def"
    assert countermark.parse_token_authorization("bearer  a:b ", "Bearer") == "a:b"
    assert countermark.token_authorization("a:b", keyword="Bearer") == "Bearer a:b"
    # Not ours: another keyword, a DRF hex token, no token at all.
    assert countermark.parse_token_authorization("Bearer a:b") is None
    assert countermark.parse_token_authorization("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b") is None
    assert countermark.parse_token_authorization("Token") is None
    for keyword, token in (("To ken", "a:b"), ("", "a:b"), ("Token", "a b:c"), ("Token", "")):
        with pytest.raises(countermark.InvalidValue):
            countermark.token_authorization(token, keyword=keyword)


def test_split_url():
    assert countermark.split_url("https://u:p@Example.com:8443?x=1#f") == ("https", "Example.com:8443", "/?x=1")
    assert countermark.split_url("http://e.com") == ("http", "e.com", "/")
    # Normalised by the core as an HTTP client sends it: lower case, no default port (another port is kept).
    assert countermark.split_url("HTTPS://u@Example.COM:443/a?b", normalized=True) == ("https", "example.com", "/a?b")
    assert countermark.split_url("http://E.com:80", normalized=True) == ("http", "e.com", "/")
    assert countermark.split_url("http://e.com:443", normalized=True) == ("http", "e.com:443", "/")
    assert countermark.split_url("https://[::1]:443/", normalized=True) == ("https", "[::1]", "/")
    r = Request.from_url("GET", "https://u@e.com/a?b#c")
    assert r.target == "/a?b"
    for url in ("/a?b", "e.com/a", "https://e.com/a b"):
        with pytest.raises(countermark.InvalidValue):
            countermark.split_url(url)
        with pytest.raises(countermark.InvalidValue):
            Request.from_url("GET", url)


def test_ska_parameter_names_must_differ():
    key = HmacKey("0123456789abcdef", "hmac-sha1")
    countermark.UrlSigner(key, param_names={"signature": "sig", "auth_user": "user"})
    with pytest.raises(countermark.InvalidValue, match="must differ"):
        countermark.UrlSigner(key, param_names={"signature": "sig", "auth_user": "sig"})
