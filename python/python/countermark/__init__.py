"""countermark: service-to-service API authentication from one audited Rust core.

Tokens (handshake format), signed URLs (ska), request signing (FOST, the ``HMAC-SHA256 key;sig;utc`` header,
RFC 9421 HTTP Message Signatures with RFC 9530 Content-Digest), asymmetric JWTs (asymmetric-jwt-auth) and
replay protection, byte-compatible with the libraries they replace.

>>> from countermark import HmacKey, Tokens
>>> tokens = Tokens(HmacKey(b"0123456789abcdef0123456789abcdef"))
>>> token = tokens.create("alice", "42")
>>> tokens.verify(token, max_age=300).fields
['alice', '42']

Every ``verify`` returns what was verified or raises a subclass of :class:`CountermarkError`
(see :mod:`countermark.exceptions`); none returns a bool.
"""

from __future__ import annotations

from . import exceptions
from ._countermark import (
    ApiSecret,
    Clock,
    Credentials,
    FostPolicy,
    FostSigner,
    FostUrlSigner,
    HmacHeaderPolicy,
    HmacHeaderSigner,
    HmacKey,
    Jwks,
    JwtPolicy,
    KeyRing,
    MessagePolicy,
    MessageSigner,
    MessageVerifyingKey,
    NonceStore,
    Request,
    Response,
    SecretSealer,
    SignedData,
    SignedRequest,
    SigningKey,
    Tokens,
    UrlSigner,
    Verified,
    VerifiedToken,
    VerifyingKey,
    __version__,
    content_digest,
    default_coverage,
    explain_fost,
    explain_fost_url,
    explain_hmac_header,
    explain_jwt,
    explain_message_signature,
    parse_fost,
    parse_fost_url,
    parse_hmac_header,
    parse_jwt,
    parse_jwt_request,
    parse_message_signature,
    parse_response_signature,
    parse_token_authorization,
    policy_defaults,
    sign_jwt,
    split_url,
    token_authorization,
    verify_content_digest,
    verify_fost,
    verify_fost_url,
    verify_hmac_header,
    verify_jwt,
    verify_message_signature,
    verify_response_signature,
)
from .exceptions import (
    BadSignature,
    ConfigurationError,
    CountermarkError,
    Expired,
    InvalidKey,
    InvalidToken,
    InvalidValue,
    Malformed,
    NotYetValid,
    Replayed,
    TooLarge,
    Unavailable,
    UnknownKey,
    UnsupportedAlgorithm,
)

__all__ = [
    "__version__",
    "exceptions",
    "policy_defaults",
    # keys and time
    "HmacKey",
    "KeyRing",
    "SigningKey",
    "VerifyingKey",
    "Jwks",
    "ApiSecret",
    "SecretSealer",
    "Clock",
    "NonceStore",
    # tokens and signed URLs
    "Tokens",
    "VerifiedToken",
    "UrlSigner",
    "SignedData",
    # HTTP messages and results
    "Request",
    "Response",
    "SignedRequest",
    "Credentials",
    "Verified",
    # FOST
    "FostSigner",
    "FostUrlSigner",
    "FostPolicy",
    "parse_fost",
    "verify_fost",
    "parse_fost_url",
    "verify_fost_url",
    "explain_fost",
    "explain_fost_url",
    # HMAC header
    "HmacHeaderSigner",
    "HmacHeaderPolicy",
    "parse_hmac_header",
    "verify_hmac_header",
    "explain_hmac_header",
    # JWT
    "JwtPolicy",
    "sign_jwt",
    "parse_jwt",
    "parse_jwt_request",
    "verify_jwt",
    "explain_jwt",
    # RFC 9421 / RFC 9530
    "MessageSigner",
    "MessageVerifyingKey",
    "MessagePolicy",
    "parse_message_signature",
    "explain_message_signature",
    "verify_message_signature",
    "parse_response_signature",
    "verify_response_signature",
    "content_digest",
    "verify_content_digest",
    "default_coverage",
    # requests and the Token header
    "split_url",
    "token_authorization",
    "parse_token_authorization",
    # exceptions
    "CountermarkError",
    "InvalidToken",
    "Malformed",
    "TooLarge",
    "Expired",
    "NotYetValid",
    "BadSignature",
    "UnknownKey",
    "Replayed",
    "UnsupportedAlgorithm",
    "ConfigurationError",
    "InvalidKey",
    "InvalidValue",
    "Unavailable",
]
