"""``AbstractSignature`` and ``SignatureValidationResult``, as ``ska.base``, over the countermark core.

The text that is signed (``valid_until_user[_quote(sorted extra)]``), the HMAC and its base64 encoding, the
comparison and the expiry check of request data are all done by :class:`countermark.UrlSigner`; this module
only adapts ska's calling conventions (argument names, defaults, return types) to it.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar, Union

import countermark
from countermark.exceptions import InvalidValue

from . import error_codes
from .defaults import (
    DEFAULT_AUTH_USER_PARAM,
    DEFAULT_EXTRA_PARAM,
    DEFAULT_SIGNATURE_PARAM,
    DEFAULT_VALID_UNTIL_PARAM,
    SIGNATURE_LIFETIME,
    TIMESTAMP_FORMAT,
)
from .error_codes import ErrorCode
from .exceptions import NotSupportedByCountermark

__all__ = [
    "AbstractSignature",
    "SignatureValidationResult",
]

ExtraValue = Union[bytes, str, float, int]
_S = TypeVar("_S", bound="AbstractSignature")

#: The clock used for ``valid_until`` defaults and expiry checks; ``None`` is the system clock.
#: Tests pin time by setting it to ``countermark.Clock.fixed(...)``.
_clock: Optional[countermark.Clock] = None

#: Signers by (algorithm, secret type, secret, parameter names, clock): see ``AbstractSignature._signer``.
_signers: Dict[Any, countermark.UrlSigner] = {}
_SIGNER_CACHE_SIZE = 32

_I64_MIN = -(2**63)
_I64_MAX = 2**63 - 1


def _now() -> float:
    """The current Unix time (of :data:`_clock` when set)."""
    return _clock.now() if _clock is not None else time.time()


# ---------------------------------------------------------------------------------------------------------------
# What the core supports
# ---------------------------------------------------------------------------------------------------------------


def _is_ska_helper(func: Optional[Callable[..., Any]], name: str) -> bool:
    """``func`` is ska's (or our copy of ska's) helper called ``name``."""
    return getattr(func, "__name__", None) == name and getattr(func, "__module__", None) in (
        "ska.helpers",
        "countermark.compat.ska.helpers",
    )


#: The core's name of each value dumper and quoter of ska (``None`` is ska's default).
_PYTHON, _JAVASCRIPT = "python", "javascript"
_Codecs = Tuple[str, str]
_DEFAULT_CODECS: _Codecs = (_PYTHON, _PYTHON)


def _codec(func: Optional[Callable[..., Any]], role: str) -> str:
    """The core's name (``"python"`` / ``"javascript"``) of ska's ``default_<role>`` / ``javascript_<role>``;
    anything else would make the core sign other bytes, so it is refused."""
    if func is None or _is_ska_helper(func, f"default_{role}"):
        return _PYTHON
    if _is_ska_helper(func, f"javascript_{role}"):
        return _JAVASCRIPT
    name = getattr(func, "__name__", repr(func))
    raise NotSupportedByCountermark(
        f"{role}={name} is not supported: countermark reproduces ska's default_{role} and javascript_{role} "
        f"only; pass one of them (or None)"
    )


def _codecs(value_dumper: Optional[Callable[..., Any]], quoter: Optional[Callable[..., Any]]) -> _Codecs:
    """(value dumper, quoter) as the core names them; refuses helpers other than ska's own."""
    return _codec(value_dumper, "value_dumper"), _codec(quoter, "quoter")


def _check_codecs(value_dumper: Optional[Callable[..., Any]], quoter: Optional[Callable[..., Any]]) -> None:
    """Refuse a ``value_dumper`` or ``quoter`` other than ska's own: the core would sign other bytes."""
    _codecs(value_dumper, quoter)


def _nested_value(value: Any, path: str) -> Any:
    """A value inside a dict or list of ``extra``, checked to be one the core renders exactly as ska does
    (Python's ``repr``, dict keys sorted)."""
    kind = type(value)
    if value is None or kind is str or kind is bool:
        return value
    if kind is int:
        if _I64_MIN <= value <= _I64_MAX:
            return value
    elif kind is float:
        if math.isfinite(value):
            return value
    elif kind is list:
        return [_nested_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    elif kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                break
            out[k] = _nested_value(v, f"{path}[{k!r}]")
        else:
            return out
        raise NotSupportedByCountermark(
            f"extra value {path} is a dict with a non-str key: countermark renders nested dicts with str keys only"
        )
    raise NotSupportedByCountermark(
        f"extra value {path} ({kind.__name__}: {value!r}) cannot be rendered by countermark inside a dict or "
        "list; nested values must be str, int (64-bit), finite float, bool, None, list or dict"
    )


def _ska_ordered(obj: Any) -> Any:
    """ska's ``dict_to_ordered_dict``: dicts sorted by key, recursively through dicts and lists (a copy)."""
    if isinstance(obj, dict):
        return {k: _ska_ordered(v) for k, v in sorted(obj.items())}
    if isinstance(obj, list):
        return [_ska_ordered(v) for v in obj]
    return obj


def _core_extra(extra: Mapping[str, Any], value_dumper: str = _PYTHON) -> Dict[str, Any]:
    """``extra`` as the core takes it, signing the same text as ska's ``sorted_urlencode`` with ``value_dumper``.

    Top-level str, bool, None, 64-bit int and finite float values, and lists and dicts of those, are handed to the
    core as they are (it renders them as the dumper does). Any other top-level value (bytes, Decimal, UUID,
    datetime, tuple, a big int, ``nan``, a str or int subclass...) is formatted here exactly as ska formats it:
    with the default dumper (the identity, then ``f"{key}={value}"``) as text; with the JavaScript dumper, int,
    float and str instances as text and anything else as ska's compact ``json.dumps`` (which raises ``TypeError``
    for what JSON cannot hold, as in ska). The core signs that text.
    """
    out: Dict[str, Any] = {}
    javascript = value_dumper == _JAVASCRIPT
    for key, value in extra.items():
        if not isinstance(key, str):
            raise TypeError(f"extra keys must be str, got {type(key).__name__}: {key!r}")
        kind = type(value)
        if kind is list or kind is dict:
            if javascript:
                try:
                    out[key] = _nested_value(value, key)
                except NotSupportedByCountermark:
                    out[key] = json.dumps(_ska_ordered(value), separators=(",", ":"))
            else:
                out[key] = _nested_value(value, key)
        elif value is None or kind is str or kind is bool:
            out[key] = value
        elif kind is int and _I64_MIN <= value <= _I64_MAX:
            out[key] = value
        elif kind is float and math.isfinite(value):
            out[key] = value
        elif javascript and not isinstance(value, (int, float, str)):
            out[key] = json.dumps(value, separators=(",", ":"))
        else:
            out[key] = f"{value}"
    return out


_DEFAULT_PARAM_NAMES: Dict[str, str] = {
    "signature": DEFAULT_SIGNATURE_PARAM,
    "auth_user": DEFAULT_AUTH_USER_PARAM,
    "valid_until": DEFAULT_VALID_UNTIL_PARAM,
    "extra": DEFAULT_EXTRA_PARAM,
}
_DEFAULT_PARAM_VALUES = frozenset(_DEFAULT_PARAM_NAMES.values())


def _param_names(extra: Mapping[str, Any]) -> Dict[str, str]:
    """The four parameter names for the core, renamed (by appending ``_``) when an extra key uses one: ska allows
    an extra key ``auth_user`` and signs it like any other. The result is shared: read it, never change it."""
    if _DEFAULT_PARAM_VALUES.isdisjoint(extra):
        return _DEFAULT_PARAM_NAMES
    names = {}
    taken = set(extra)
    for role, name in _DEFAULT_PARAM_NAMES.items():
        while name in taken:
            name += "_"
        taken.add(name)
        names[role] = name
    return names


#: Default-named signers of the classes :func:`_request_result` handles (filled by ``signatures``: one dict per
#: HMACSHA*Signature class, by secret), made with :data:`_request_clock`.
_request_signers: Dict[Any, Dict[Union[str, bytes], countermark.UrlSigner]] = {}
_request_clock: Optional[countermark.Clock] = None


def _request_result(signature_cls: Any, data: Any, secret_key: Any) -> Optional["SignatureValidationResult"]:
    """The validation result of request data in the common case, straight from the core: ``data`` a ``dict`` of
    ``str`` (read with the default parameter names), ``signature_cls`` one of the HMACSHA*Signature classes (not a
    subclass), ``secret_key`` a ``str`` or ``bytes``. ``None`` otherwise, or when the core leaves the data to the
    general path (an empty ``valid_until``, an extra item named ``""`` or like a parameter): the caller then runs
    ska's steps (``RequestHelper.validate_request_data``), which give the same result in the common case."""
    if type(data) is not dict:
        return None
    signer: Optional[countermark.UrlSigner]
    try:
        # Only str and bytes secrets are ever stored; an equal key is the same secret.
        signer = _request_signers[signature_cls][secret_key]
    except (KeyError, TypeError):  # not cached yet, or a class or secret this path does not handle
        signer = _new_request_signer(signature_cls, secret_key)
        if signer is None:
            return None
    if _request_clock is not _clock:
        signer = _new_request_signer(signature_cls, secret_key)
        if signer is None:
            return None
    failures = signer._validate_request(data)
    if failures is None:
        return None
    if not failures:
        return SignatureValidationResult(True)
    return SignatureValidationResult(False, [error_codes._from_core(code, message) for code, message in failures])


def _new_request_signer(signature_cls: Any, secret_key: Any) -> Optional[countermark.UrlSigner]:
    """A default-named signer for :func:`_request_result`, kept in :data:`_request_signers` (emptied when
    :data:`_clock` changes); ``None`` for a class or secret it does not handle."""
    global _request_clock
    kind = type(secret_key)
    if kind is not str and kind is not bytes:
        return None
    try:
        signers = _request_signers.get(signature_cls)
    except TypeError:  # unhashable: the general path refuses it
        return None
    if signers is None:
        return None
    if _request_clock is not _clock:
        for by_secret in _request_signers.values():
            by_secret.clear()
        _request_clock = _clock
    signer = countermark.UrlSigner(signature_cls._key(secret_key), clock=_clock)
    if len(signers) >= _SIGNER_CACHE_SIZE:
        signers.clear()
    signers[secret_key] = signer
    return signer


def _parses_as_timestamp(valid_until: Any) -> bool:
    """ska's own test of a ``valid_until``: ``datetime.fromtimestamp(float(valid_until))`` succeeds."""
    try:
        datetime.fromtimestamp(float(valid_until))
    except Exception:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# Validation result
# ---------------------------------------------------------------------------------------------------------------


class SignatureValidationResult:
    """Signature validation result, as ska's.

    True when valid; ``errors`` lists :class:`~.error_codes.ErrorCode` objects (as in ska, it is an empty *dict*
    when there is none), ``message`` joins their messages with spaces and ``reason`` maps them to ``str``.

    >>> bool(SignatureValidationResult(result=True))
    True
    >>> SignatureValidationResult(False, [error_codes.INVALID_SIGNATURE]).message
    'Invalid signature!'
    """

    def __init__(self, result: bool, errors: Optional[List[Union[ErrorCode, Any]]] = None) -> None:
        self.result = result
        self.errors: Any = errors if errors else {}

    def __str__(self) -> str:
        return str(self.result)

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.result

    __nonzero__ = __bool__

    @property
    def message(self) -> str:
        """The messages of all errors, joined with spaces (``""`` when valid)."""
        return " ".join(map(str, self.errors))

    @property
    def reason(self) -> "map[str]":
        """The messages of all errors (a ``map`` object, as in ska; kept for backwards compatibility)."""
        return map(str, self.errors)


# ---------------------------------------------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------------------------------------------


class AbstractSignature:
    """A ska signature: ``signature`` (base64 bytes), ``auth_user``, ``valid_until`` (as given, or a float Unix
    timestamp when generated) and ``extra`` (the signed extra data).

    Subclasses name a countermark HMAC algorithm in ``algorithm``; the HMAC is computed by the countermark core.
    ``HMACMD5Signature`` (``"md5"``) is legacy: use it to validate links made with it, not for new ones.
    A subclass that overrides ``make_hash`` to bring its own hash is not supported (the core builds and HMACs the
    text itself): :meth:`generate_signature` raises :class:`~.exceptions.NotSupportedByCountermark` when no
    ``algorithm`` is set.

    ``str()`` gives the signature as text and ``bool()`` is True while it has not expired.
    """

    __slots__ = ("signature", "auth_user", "valid_until", "extra")

    #: The countermark algorithm name (``"hmac-sha1"``, ``"hmac-sha256"``...); ``None`` in abstract classes.
    algorithm: Optional[str] = None

    def __init__(
        self,
        signature: bytes,
        auth_user: str,
        valid_until: Union[float, str],
        extra: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.signature = signature
        self.auth_user = auth_user
        self.valid_until = valid_until
        self.extra: Any = extra if extra else {}

    def __str__(self) -> str:
        return self.signature.decode()

    __repr__ = __str__

    def __bool__(self) -> bool:
        return not self.is_expired()

    __nonzero__ = __bool__

    # -- the core ------------------------------------------------------------------------------------------------

    @classmethod
    def _key(cls, secret_key: Union[str, bytes]) -> countermark.HmacKey:
        """The countermark key for ``secret_key`` (legacy: ska secrets may be shorter than 16 bytes)."""
        if cls.algorithm is None:
            raise NotSupportedByCountermark(
                f"{cls.__name__} names no countermark HMAC algorithm: custom ska signature classes that implement "
                "make_hash themselves are not supported; use one of the HMACSHA*Signature classes"
            )
        return countermark.HmacKey(secret_key, cls.algorithm, legacy=True)

    @classmethod
    def _signer(
        cls, secret_key: Union[str, bytes], param_names: Dict[str, str], codecs: _Codecs = _DEFAULT_CODECS
    ) -> countermark.UrlSigner:
        # ska takes the secret on every call; keying HMAC and building a signer each time cost more than the
        # validation itself, so the last few signers are kept (the cache holds the caller's own secret objects,
        # and is emptied when it reaches _SIGNER_CACHE_SIZE entries).
        dumper, quoter = codecs
        if type(secret_key) is not str and type(secret_key) is not bytes:  # unhashable or mutable: no caching
            return countermark.UrlSigner(
                cls._key(secret_key), clock=_clock, param_names=param_names, value_dumper=dumper, quoter=quoter
            )
        cache_key = (cls.algorithm, type(secret_key), secret_key, tuple(param_names.values()), _clock, codecs)
        signer = _signers.get(cache_key)
        if signer is None:
            signer = countermark.UrlSigner(
                cls._key(secret_key), clock=_clock, param_names=param_names, value_dumper=dumper, quoter=quoter
            )
            if len(_signers) >= _SIGNER_CACHE_SIZE:
                _signers.clear()
            _signers[cache_key] = signer
        return signer

    # -- generation ----------------------------------------------------------------------------------------------

    @classmethod
    def generate_signature(
        cls: Type[_S],
        auth_user: str,
        secret_key: str,
        valid_until: Optional[Union[float, str]] = None,
        lifetime: int = SIGNATURE_LIFETIME,
        extra: Optional[Mapping[str, Any]] = None,
        value_dumper: Optional[Callable[..., Any]] = None,
        quoter: Optional[Callable[..., Any]] = None,
    ) -> _S:
        """Generate the signature of ``auth_user`` (and ``extra``) valid until ``valid_until``.

        When ``valid_until`` is not given (or falsy) it is ``now + lifetime`` in whole seconds, as a float
        (``1378045287.0``), as ska computes it. ``valid_until`` is signed as ``str(valid_until)``: the float
        ``1378045287.0`` and the int ``1378045287`` give different signatures, as in ska.

        Unlike ska (which returns an object whose ``is_expired()`` raises ``TypeError``), a ``valid_until`` that
        is not a Unix timestamp raises :class:`countermark.InvalidValue`.

        >>> from countermark.compat.ska import Signature
        >>> sig = Signature.generate_signature("user", "your-secret-key", valid_until="1378045287.0")
        >>> sig.signature
        b'BW4Smbg6vkteRnzJcCjVz2u8Z8s='
        """
        codecs = _codecs(value_dumper, quoter)
        if not extra:
            extra = {}
        if not valid_until:
            valid_until = time.mktime((datetime.fromtimestamp(_now()) + timedelta(seconds=lifetime)).timetuple())
        names = _param_names(extra)
        params = cls._signer(secret_key, names, codecs).sign_params(
            auth_user, valid_until=valid_until, extra=_core_extra(extra, codecs[0])
        )
        return cls(
            signature=params[names["signature"]].encode("ascii"),
            auth_user=auth_user,
            valid_until=valid_until,
            extra=extra,
        )

    @classmethod
    def _generate(
        cls: Type[_S],
        auth_user: str,
        secret_key: str,
        valid_until: Union[float, str],
        extra: Mapping[str, Any],
        codecs: _Codecs,
    ) -> _S:
        """:meth:`generate_signature` with the codecs already resolved (ska's helpers for each core name)."""
        from . import helpers

        dumper = helpers.javascript_value_dumper if codecs[0] == _JAVASCRIPT else None
        quoter = helpers.javascript_quoter if codecs[1] == _JAVASCRIPT else None
        return cls.generate_signature(
            auth_user=auth_user,
            secret_key=secret_key,
            valid_until=valid_until,
            extra=extra,
            value_dumper=dumper,
            quoter=quoter,
        )

    @classmethod
    def make_hash(
        cls,
        auth_user: str,
        secret_key: str,
        valid_until: Optional[Union[str, float]] = None,
        extra: Optional[Mapping[str, Any]] = None,
        value_dumper: Optional[Callable[..., Any]] = None,
        quoter: Optional[Callable[..., Any]] = None,
    ) -> bytes:
        """The raw HMAC (not base64) of the signature data, computed by the countermark core."""
        from base64 import b64decode

        sig = cls.generate_signature(
            auth_user,
            secret_key,
            valid_until=valid_until,
            extra=extra,
            value_dumper=value_dumper,
            quoter=quoter,
        )
        return b64decode(sig.signature)

    @staticmethod
    def make_secret_key(secret_key: str) -> bytes:
        """The secret key as it is used for the HMAC: its UTF-8 bytes."""
        return secret_key.encode()

    # -- validation ----------------------------------------------------------------------------------------------

    @classmethod
    def _errors(
        cls,
        signature: Union[str, bytes],
        auth_user: str,
        secret_key: str,
        valid_until: Union[str, float],
        extra: Mapping[str, Any],
        codecs: _Codecs = _DEFAULT_CODECS,
    ) -> List[ErrorCode]:
        """Every validation error, as ska lists them (``[]`` when valid)."""
        extra = dict(extra)
        core_path = (
            type(auth_user) is str
            and all(type(k) is str and k and "," not in k and type(v) is str for k, v in extra.items())
        )
        sig_text: Optional[str] = None
        if isinstance(signature, (bytes, bytearray)):
            try:
                sig_text = bytes(signature).decode("ascii")
            except UnicodeDecodeError:
                core_path = False
        elif isinstance(signature, str):
            sig_text = signature
        else:
            core_path = False
        if core_path:
            # The request path: the core rebuilds the text, compares in constant time and checks the expiry.
            names = _param_names(extra)
            params: Dict[str, str] = dict(extra)
            params[names["signature"]] = sig_text or ""
            params[names["auth_user"]] = auth_user
            if valid_until:  # ska replaces a missing or empty valid_until by now + lifetime
                params[names["valid_until"]] = valid_until if isinstance(valid_until, str) else str(valid_until)
            params[names["extra"]] = ",".join(extra)
            _, failures = cls._signer(secret_key, names, codecs)._validate_report(params)
            return [error_codes._from_core(code, message) for code, message in failures]

        # Values the request path cannot carry (ints, dicts, lists in extra...): regenerate with the core and
        # compare, as ska does.
        if isinstance(signature, str):
            signature = signature.encode()
        try:
            sig = cls._generate(auth_user, secret_key, valid_until, extra, codecs)
        except InvalidValue:
            # Data the core refuses to sign (a valid_until that is no timestamp, an empty extra key a request
            # can smuggle in as "?=x") cannot carry a valid signature: reject it rather than raise.
            if valid_until and not _parses_as_timestamp(valid_until):
                return [error_codes.INVALID_SIGNATURE, error_codes.INVALID_VALID_UNTIL]
            errors = [error_codes.INVALID_SIGNATURE]
            if valid_until and cls(b"", auth_user, valid_until).is_expired():
                errors.append(error_codes.SIGNATURE_TIMESTAMP_EXPIRED)
            return errors
        errors = []
        if not (isinstance(signature, (bytes, bytearray)) and secrets.compare_digest(sig.signature, bytes(signature))):
            errors.append(error_codes.INVALID_SIGNATURE)
        if sig.is_expired():
            errors.append(error_codes.SIGNATURE_TIMESTAMP_EXPIRED)
        return errors

    @classmethod
    def validate_signature(
        cls,
        signature: Union[str, bytes],
        auth_user: str,
        secret_key: str,
        valid_until: Union[str, float],
        extra: Optional[Mapping[str, Any]] = None,
        return_object: bool = False,
        value_dumper: Optional[Callable[..., Any]] = None,
        quoter: Optional[Callable[..., Any]] = None,
    ) -> Union[SignatureValidationResult, bool]:
        """Validate a signature: True (or a true :class:`SignatureValidationResult` when ``return_object``) when
        it is the signature of this data and ``valid_until`` is in the future.

        The errors are listed as ska lists them: :data:`~.error_codes.INVALID_SIGNATURE` and/or
        :data:`~.error_codes.SIGNATURE_TIMESTAMP_EXPIRED`; a ``valid_until`` that is not a Unix timestamp gives
        :data:`~.error_codes.INVALID_VALID_UNTIL` (ska raises ``TypeError``).

        >>> from countermark.compat.ska import Signature
        >>> Signature.validate_signature("BW4Smbg6vkteRnzJcCjVz2u8Z8s=", "user", "your-secret-key", "1378045287.0")
        False
        """
        codecs = _codecs(value_dumper, quoter)
        errors = cls._errors(signature, auth_user, secret_key, valid_until, extra or {}, codecs)
        result = not errors
        if not return_object:
            return result
        return SignatureValidationResult(result, errors)

    def is_expired(self) -> bool:
        """True unless ``valid_until`` is in the future (strictly), as in ska.

        A ``valid_until`` that is not a Unix timestamp counts as expired (ska raises ``TypeError``).
        """
        try:
            valid_until = float(self.valid_until)
        except (TypeError, ValueError, OverflowError):
            return True
        if not math.isfinite(valid_until) or not _parses_as_timestamp(valid_until):
            return True
        return not valid_until > _now()

    # -- time helpers --------------------------------------------------------------------------------------------

    @staticmethod
    def datetime_to_timestamp(dtv: datetime) -> Optional[str]:
        """``dtv`` formatted with :data:`~.defaults.TIMESTAMP_FORMAT` (``None`` on failure)."""
        try:
            return dtv.strftime(TIMESTAMP_FORMAT)
        except Exception:
            return None

    @staticmethod
    def datetime_to_unix_timestamp(dtv: datetime) -> Optional[float]:
        """The Unix timestamp of a naive local ``datetime`` (``None`` on failure)."""
        try:
            return time.mktime(dtv.timetuple())
        except Exception:
            return None

    @classmethod
    def timestamp_to_date(cls, timestamp: Union[float, str], fail_silently: bool = True) -> Optional[datetime]:
        """Parse a :data:`~.defaults.TIMESTAMP_FORMAT` text (``None`` on failure when ``fail_silently``)."""
        try:
            return datetime.strptime(timestamp, TIMESTAMP_FORMAT)  # type: ignore[arg-type]
        except Exception:
            if fail_silently is not True:
                raise
            return None

    @classmethod
    def unix_timestamp_to_date(cls, timestamp: Union[float, str], fail_silently: bool = True) -> Optional[datetime]:
        """The naive local ``datetime`` of a Unix timestamp (``None`` on failure when ``fail_silently``)."""
        try:
            return datetime.fromtimestamp(float(timestamp))
        except Exception:
            if fail_silently is not True:
                raise
            return None


def _resolve_signature_cls(signature_cls: Any) -> Type[AbstractSignature]:
    """``signature_cls`` as one of our classes; the real ska's classes (``ska.HMACSHA256Signature``...) map to
    their countermark equivalents, so code that still passes them keeps working."""
    if isinstance(signature_cls, type) and issubclass(signature_cls, AbstractSignature):
        return signature_cls
    module = getattr(signature_cls, "__module__", "") or ""
    if isinstance(signature_cls, type) and (module == "ska" or module.startswith("ska.")):
        from . import signatures

        ours = getattr(signatures, signature_cls.__name__, None)
        if isinstance(ours, type) and issubclass(ours, AbstractSignature):
            return ours
    raise NotSupportedByCountermark(
        f"signature_cls={signature_cls!r} is not supported: use one of the HMACSHA*Signature classes of "
        "countermark.compat.ska"
    )

