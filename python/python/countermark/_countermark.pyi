# Type stubs of the native module countermark._countermark (checked by `python -m mypy.stubtest`).
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Optional, Union, final

__all__ = [
    "ApiSecret",
    "Clock",
    "Credentials",
    "FostPolicy",
    "FostSigner",
    "FostUrlSigner",
    "HmacHeaderPolicy",
    "HmacHeaderSigner",
    "HmacKey",
    "JwtPolicy",
    "KeyRing",
    "MessagePolicy",
    "MessageSigner",
    "MessageVerifyingKey",
    "NonceStore",
    "Request",
    "Response",
    "SecretSealer",
    "SignedData",
    "SignedRequest",
    "SigningKey",
    "Tokens",
    "UrlSigner",
    "Verified",
    "VerifiedToken",
    "VerifyingKey",
    "__version__",
    "MEMORY_NONCE_STORE_DEFAULT_CAPACITY",
    "policy_defaults",
    "_error_kinds",
    "_raise_kind",
    "content_digest",
    "explain_fost",
    "explain_fost_url",
    "explain_hmac_header",
    "explain_jwt",
    "explain_message_signature",
    "parse_fost",
    "parse_fost_url",
    "parse_hmac_header",
    "parse_jwt",
    "parse_jwt_request",
    "parse_message_signature",
    "parse_response_signature",
    "sign_jwt",
    "verify_content_digest",
    "verify_fost",
    "verify_fost_url",
    "verify_hmac_header",
    "verify_jwt",
    "verify_message_signature",
    "verify_response_signature",
]

__version__: str
MEMORY_NONCE_STORE_DEFAULT_CAPACITY: int

def policy_defaults() -> list[str]: ...

_Secret = Union[str, bytes, bytearray]
_Seconds = Union[int, float]
_Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]

@final
class Clock:
    @staticmethod
    def system() -> Clock: ...
    @staticmethod
    def fixed(secs: float) -> Clock: ...
    def now(self) -> float: ...

@final
class HmacKey:
    def __new__(
        cls, secret: _Secret, algorithm: str = "hmac-sha256", *, key_id: Optional[str] = None, legacy: bool = False
    ) -> HmacKey: ...
    @staticmethod
    def generate(algorithm: str = "hmac-sha256", *, length: int = 32, key_id: Optional[str] = None) -> HmacKey: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def key_id(self) -> Optional[str]: ...
    def sign(self, message: bytes) -> bytes: ...
    def verify(self, message: bytes, tag: bytes) -> None: ...

@final
class KeyRing:
    def __new__(cls, primary: HmacKey, *, verify_only: Sequence[HmacKey] = ...) -> KeyRing: ...
    def rotate(self, key: HmacKey) -> None: ...
    def add_verify_only(self, key: HmacKey) -> None: ...
    def retire(self, key_id: str) -> None: ...
    def get(self, key_id: str) -> Optional[HmacKey]: ...
    @property
    def primary(self) -> HmacKey: ...
    def __len__(self) -> int: ...

_Keys = Union[HmacKey, KeyRing]

@final
class VerifiedToken:
    @property
    def fields(self) -> list[str]: ...
    @property
    def timestamp(self) -> int: ...

@final
class Tokens:
    def __new__(cls, keys: _Keys, *, clock: Optional[Clock] = None, random_len: Optional[int] = None) -> Tokens: ...
    def create(self, *fields: str) -> str: ...
    def create_with_random(self, fields: Sequence[str], random: bytes) -> str: ...
    def verify(self, token: str, max_age: Optional[_Seconds] = None) -> VerifiedToken: ...
    def _verify_fields(self, token: str, max_age: Optional[int]) -> tuple[str, ...]: ...
    def _verify_handshake(self, token: object, time_range: object, max_len: int) -> Optional[tuple[str, ...]]: ...

_ExtraValue = Union[str, int, float, bool, None]

@final
class SignedData:
    @property
    def auth_user(self) -> str: ...
    @property
    def valid_until(self) -> str: ...
    @property
    def extra(self) -> dict[str, str]: ...

@final
class UrlSigner:
    def __new__(
        cls,
        keys: _Keys,
        *,
        clock: Optional[Clock] = None,
        param_names: Optional[Mapping[str, str]] = None,
        value_dumper: Optional[str] = None,
        quoter: Optional[str] = None,
    ) -> UrlSigner: ...
    @property
    def value_dumper(self) -> str: ...
    @property
    def quoter(self) -> str: ...
    def sign_url(
        self,
        url: str,
        user: str,
        *,
        lifetime: Optional[_Seconds] = None,
        valid_until: Optional[Union[str, float]] = None,
        extra: Optional[Mapping[str, _ExtraValue]] = None,
        suffix: Optional[str] = None,
    ) -> str: ...
    def sign_params(
        self,
        user: str,
        *,
        lifetime: Optional[_Seconds] = None,
        valid_until: Optional[Union[str, float]] = None,
        extra: Optional[Mapping[str, _ExtraValue]] = None,
    ) -> dict[str, str]: ...
    def validate_url(self, url: str) -> SignedData: ...
    def validate(self, params: Union[Mapping[str, str], Sequence[tuple[str, str]]]) -> SignedData: ...
    def _validate_report(
        self, params: Union[Mapping[str, str], Sequence[tuple[str, str]]]
    ) -> tuple[Optional[SignedData], list[tuple[int, str]]]: ...
    def _validate_request(self, data: dict[str, str]) -> Optional[list[tuple[int, str]]]: ...

@final
class NonceStore:
    @staticmethod
    def memory(capacity: Optional[int] = None) -> NonceStore: ...
    @staticmethod
    def redis(url: str, *, prefix: Optional[str] = None) -> NonceStore: ...
    @staticmethod
    def from_callable(add: Callable[[str, int], bool], *, prefix: str = "countermark:nonce:") -> NonceStore: ...
    def check_and_insert(self, value: bytes, ttl: _Seconds, *, clock: Optional[Clock] = None) -> None: ...
    @property
    def capacity(self) -> Optional[int]: ...

@final
class Request:
    def __new__(
        cls,
        method: str,
        target: str,
        *,
        headers: Optional[_Headers] = None,
        body: Optional[bytes] = None,
        scheme: Optional[str] = None,
        authority: Optional[str] = None,
    ) -> Request: ...
    @staticmethod
    def from_url(
        method: str, url: str, *, headers: Optional[_Headers] = None, body: Optional[bytes] = None
    ) -> Request: ...
    def with_headers(self, headers: _Headers) -> Request: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> Optional[bytes]: ...

@final
class Response:
    def __new__(
        cls,
        status: int,
        *,
        headers: Optional[_Headers] = None,
        body: Optional[bytes] = None,
        request: Optional[Request] = None,
    ) -> Response: ...
    def with_headers(self, headers: _Headers) -> Response: ...
    @property
    def status(self) -> int: ...

@final
class SignedRequest:
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def signature(self) -> str: ...
    @property
    def signed_string(self) -> str: ...

_Scheme = Literal["fost", "fost-url", "hmac-header", "rfc9421", "jwt"]

@final
class Credentials:
    @property
    def scheme(self) -> _Scheme: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def user(self) -> Optional[str]: ...
    @property
    def created(self) -> Optional[float]: ...
    @property
    def algorithm(self) -> Optional[str]: ...
    @property
    def details(self) -> list[tuple[str, str]]: ...

@final
class Verified:
    @property
    def scheme(self) -> _Scheme: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def user(self) -> Optional[str]: ...
    @property
    def created(self) -> Optional[float]: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def covered(self) -> list[str]: ...
    @property
    def details(self) -> list[tuple[str, str]]: ...

@final
class FostSigner:
    def __new__(cls, key_id: str, key: HmacKey, *, clock: Optional[Clock] = None) -> FostSigner: ...
    def sign(self, request: Request, headers: Sequence[str] = ..., *, timestamp: Optional[str] = None) -> SignedRequest: ...

@final
class FostPolicy:
    def __new__(
        cls, *, clock: Optional[Clock] = None, clock_skew: Optional[_Seconds] = None, nonce_store: Optional[NonceStore] = None
    ) -> FostPolicy: ...
    def describe(self) -> str: ...

@final
class FostUrlSigner:
    def __new__(cls, key_id: str, key: HmacKey) -> FostUrlSigner: ...
    def sign(self, url: str, *, expires: Optional[int] = None) -> str: ...

def parse_fost(request: Request) -> Optional[Credentials]: ...
def verify_fost(request: Request, key: HmacKey, policy: Optional[FostPolicy] = None) -> Verified: ...
def parse_fost_url(request: Request) -> Optional[Credentials]: ...
def verify_fost_url(request: Request, key: HmacKey, policy: Optional[FostPolicy] = None) -> Verified: ...

@final
class ApiSecret:
    def __new__(cls, b64: _Secret) -> ApiSecret: ...
    @staticmethod
    def generate() -> ApiSecret: ...
    @staticmethod
    def decrypt_legacy(cipher: str, password: _Secret, salt: bytes, ciphertext: bytes) -> ApiSecret: ...
    def to_base64(self) -> str: ...
    def __bytes__(self) -> bytes: ...

@final
class SecretSealer:
    def __new__(cls, masters: Sequence[_Secret]) -> SecretSealer: ...
    def seal(self, plaintext: bytes, aad: bytes) -> str: ...
    def open(self, sealed: str, aad: bytes) -> bytes: ...
    def is_current(self, sealed: str) -> bool: ...
    @property
    def current_key_id(self) -> str: ...

@final
class HmacHeaderSigner:
    def __new__(
        cls, key_id: str, secret: ApiSecret, algorithm: str = "hmac-sha256", *, clock: Optional[Clock] = None
    ) -> HmacHeaderSigner: ...
    def sign(self, request: Request, *, timestamp: Optional[str] = None) -> SignedRequest: ...

@final
class HmacHeaderPolicy:
    def __new__(
        cls, *, clock: Optional[Clock] = None, max_age: Optional[_Seconds] = None, nonce_store: Optional[NonceStore] = None
    ) -> HmacHeaderPolicy: ...
    def describe(self) -> str: ...

def parse_hmac_header(request: Request) -> Optional[Credentials]: ...
def verify_hmac_header(request: Request, secret: ApiSecret, policy: Optional[HmacHeaderPolicy] = None) -> Verified: ...

# Explanations: the core's `Explanation` as a dict (keys `scheme`, `verdict`, `message`, `algorithm`, `key_id`,
# `string_to_sign`, `components`, `time_window`, `created`, `expires`, `received_signature`,
# `expected_signature`, `signature_matches`, `replay_checked`). Never raise for the request's own faults; never
# touch a nonce store.
def explain_fost(
    request: Request, key: Optional[HmacKey] = None, policy: Optional[FostPolicy] = None
) -> dict[str, Any]: ...
def explain_fost_url(
    request: Request, key: Optional[HmacKey] = None, policy: Optional[FostPolicy] = None
) -> dict[str, Any]: ...
def explain_hmac_header(
    request: Request, secret: Optional[ApiSecret] = None, policy: Optional[HmacHeaderPolicy] = None
) -> dict[str, Any]: ...

@final
class SigningKey:
    @staticmethod
    def from_pem(pem: str) -> SigningKey: ...
    @staticmethod
    def from_der(der: bytes) -> SigningKey: ...
    @property
    def verifying_key(self) -> VerifyingKey: ...
    @property
    def key_id(self) -> str: ...

@final
class VerifyingKey:
    @staticmethod
    def from_pem(pem: str) -> VerifyingKey: ...
    @staticmethod
    def from_der(der: bytes) -> VerifyingKey: ...
    @staticmethod
    def from_jwk(jwk: str) -> VerifyingKey: ...
    def with_key_id(self, key_id: str) -> VerifyingKey: ...
    @property
    def key_id(self) -> str: ...
    @property
    def fingerprint(self) -> str: ...
    def to_pem(self) -> str: ...

def sign_jwt(
    key: SigningKey,
    username: str,
    *,
    clock: Optional[Clock] = None,
    time: Optional[int] = None,
    nonce: Optional[str] = None,
) -> str: ...

@final
class JwtPolicy:
    def __new__(
        cls, *, clock: Optional[Clock] = None, clock_skew: Optional[_Seconds] = None, nonce_store: Optional[NonceStore] = None
    ) -> JwtPolicy: ...
    def describe(self) -> str: ...

def parse_jwt(token: str) -> Credentials: ...
def parse_jwt_request(request: Request) -> Optional[tuple[str, Credentials]]: ...
def verify_jwt(token: str, keys: Sequence[VerifyingKey], policy: JwtPolicy) -> Verified: ...
def explain_jwt(
    token: str, key: Optional[VerifyingKey] = None, policy: Optional[JwtPolicy] = None
) -> dict[str, Any]: ...

@final
class MessageSigner:
    def __new__(
        cls,
        key: Union[HmacKey, SigningKey],
        *,
        algorithm: Optional[str] = None,
        label: Optional[str] = None,
        components: Sequence[str] = ...,
        created: Union[int, Literal[False], None] = None,
        expires: Optional[int] = None,
        expires_in: Optional[_Seconds] = None,
        key_id: Union[str, Literal[False], None] = None,
        nonce: Optional[str] = None,
        random_nonces: bool = False,
        tag: Optional[str] = None,
        include_alg: bool = False,
        clock: Optional[Clock] = None,
    ) -> MessageSigner: ...
    def sign(self, request: Request) -> SignedRequest: ...
    def sign_response(self, response: Response) -> SignedRequest: ...

@final
class MessageVerifyingKey:
    @staticmethod
    def hmac(key: HmacKey) -> MessageVerifyingKey: ...
    @staticmethod
    def public(key: VerifyingKey, algorithm: str) -> MessageVerifyingKey: ...
    @property
    def algorithm(self) -> str: ...

@final
class MessagePolicy:
    def __new__(
        cls,
        *,
        clock: Optional[Clock] = None,
        clock_skew: Optional[_Seconds] = None,
        max_age: Optional[_Seconds] = ...,
        require_created: Optional[bool] = None,
        require_key_id: Optional[bool] = None,
        require_nonce: Optional[bool] = None,
        required_components: Sequence[str] = ...,
        allow_unknown_params: Optional[bool] = None,
        label: Optional[str] = None,
        check_content_digest: Optional[bool] = None,
        nonce_store: Optional[NonceStore] = None,
        remember_signatures: Optional[bool] = None,
    ) -> MessagePolicy: ...
    def describe(self) -> str: ...

def parse_message_signature(request: Request, label: Optional[str] = None) -> Optional[Credentials]: ...
def verify_message_signature(request: Request, key: MessageVerifyingKey, policy: MessagePolicy) -> Verified: ...
def parse_response_signature(response: Response, label: Optional[str] = None) -> Optional[Credentials]: ...
def verify_response_signature(response: Response, key: MessageVerifyingKey, policy: MessagePolicy) -> Verified: ...
def content_digest(body: bytes, algorithms: Sequence[str] = ...) -> str: ...
def verify_content_digest(value: str, body: bytes) -> None: ...
def explain_message_signature(
    request: Request, key: Optional[MessageVerifyingKey] = None, policy: Optional[MessagePolicy] = None
) -> dict[str, Any]: ...
def _raise_kind(kind: str) -> None: ...
def _error_kinds() -> list[str]: ...
