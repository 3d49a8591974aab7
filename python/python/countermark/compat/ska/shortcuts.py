"""The shortcut functions, as ``ska.shortcuts``: ``sign_url``, ``signature_to_dict``,
``validate_signed_request_data`` and ``extract_signed_request_data``."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Type, Union

from .base import (
    AbstractSignature,
    ExtraValue,
    SignatureValidationResult,
    _check_codecs,
    _request_result,
    _resolve_signature_cls,
)
from .defaults import (
    DEFAULT_AUTH_USER_PARAM,
    DEFAULT_EXTRA_PARAM,
    DEFAULT_SIGNATURE_PARAM,
    DEFAULT_URL_SUFFIX,
    DEFAULT_VALID_UNTIL_PARAM,
    SIGNATURE_LIFETIME,
)
from .signatures import Signature
from .utils import RequestHelper

__all__ = [
    "extract_signed_request_data",
    "sign_url",
    "signature_to_dict",
    "validate_signed_request_data",
]


def _check_lifetime(lifetime: Optional[int]) -> int:
    if lifetime is None:
        return SIGNATURE_LIFETIME
    if not isinstance(lifetime, int):
        raise TypeError("The 'lifetime' argument must be an integer")
    return lifetime


def sign_url(
    auth_user: str,
    secret_key: str,
    valid_until: Optional[Union[float, str]] = None,
    lifetime: int = SIGNATURE_LIFETIME,
    url: str = "",
    suffix: str = DEFAULT_URL_SUFFIX,
    signature_param: str = DEFAULT_SIGNATURE_PARAM,
    auth_user_param: str = DEFAULT_AUTH_USER_PARAM,
    valid_until_param: str = DEFAULT_VALID_UNTIL_PARAM,
    extra: Optional[Dict[str, ExtraValue]] = None,
    extra_param: str = DEFAULT_EXTRA_PARAM,
    signature_cls: Type[AbstractSignature] = Signature,
    value_dumper: Optional[Callable[..., Any]] = None,
) -> str:
    """Sign ``url``: ``url + suffix`` followed by the signature parameters, as ska's ``sign_url``.

    >>> sign_url("user", "your-secret-key", valid_until="1378045287.0", url="http://e.com/api/")
    'http://e.com/api/?signature=BW4Smbg6vkteRnzJcCjVz2u8Z8s%3D&auth_user=user&valid_until=1378045287.0&extra='
    """
    lifetime = _check_lifetime(lifetime)
    _check_codecs(value_dumper, None)
    signature_cls = _resolve_signature_cls(signature_cls)
    signature = signature_cls.generate_signature(
        auth_user=auth_user,
        secret_key=secret_key,
        valid_until=valid_until,
        lifetime=lifetime,
        extra=extra or {},
        value_dumper=value_dumper,
    )
    helper = RequestHelper(
        signature_param=signature_param,
        auth_user_param=auth_user_param,
        valid_until_param=valid_until_param,
        extra_param=extra_param,
        signature_cls=signature_cls,
    )
    return helper.signature_to_url(signature=signature, endpoint_url=url, suffix=suffix)


def signature_to_dict(
    auth_user: str,
    secret_key: str,
    valid_until: Optional[Union[float, str]] = None,
    lifetime: int = SIGNATURE_LIFETIME,
    signature_param: str = DEFAULT_SIGNATURE_PARAM,
    auth_user_param: str = DEFAULT_AUTH_USER_PARAM,
    valid_until_param: str = DEFAULT_VALID_UNTIL_PARAM,
    extra: Optional[Dict[str, Union[str, int]]] = None,
    extra_param: str = DEFAULT_EXTRA_PARAM,
    signature_cls: Type[AbstractSignature] = Signature,
    value_dumper: Optional[Callable[..., Any]] = None,
    quoter: Optional[Callable[..., Any]] = None,
) -> Dict[str, Union[bytes, str, float, int]]:
    """The signature parameters as a dict (signature as bytes), as ska's ``signature_to_dict``.

    >>> signature_to_dict("user", "your-secret-key", valid_until="1378045287.0")
    {'signature': b'BW4Smbg6vkteRnzJcCjVz2u8Z8s=', 'auth_user': 'user', 'valid_until': '1378045287.0', 'extra': ''}
    """
    lifetime = _check_lifetime(lifetime)
    _check_codecs(value_dumper, quoter)
    signature_cls = _resolve_signature_cls(signature_cls)
    signature = signature_cls.generate_signature(
        auth_user=auth_user,
        secret_key=secret_key,
        valid_until=valid_until,
        lifetime=lifetime,
        extra=extra or {},
        value_dumper=value_dumper,
        quoter=quoter,
    )
    helper = RequestHelper(
        signature_param=signature_param,
        auth_user_param=auth_user_param,
        valid_until_param=valid_until_param,
        extra_param=extra_param,
        signature_cls=signature_cls,
    )
    return helper.signature_to_dict(signature=signature)


def validate_signed_request_data(
    data: Mapping[str, Any],
    secret_key: str,
    signature_param: str = DEFAULT_SIGNATURE_PARAM,
    auth_user_param: str = DEFAULT_AUTH_USER_PARAM,
    valid_until_param: str = DEFAULT_VALID_UNTIL_PARAM,
    extra_param: str = DEFAULT_EXTRA_PARAM,
    signature_cls: Type[AbstractSignature] = Signature,
    value_dumper: Optional[Callable[..., Any]] = None,
    quoter: Optional[Callable[..., Any]] = None,
) -> SignatureValidationResult:
    """Validate signed request data (e.g. ``request.GET``), as ska's ``validate_signed_request_data``: a
    :class:`~.base.SignatureValidationResult`, true when valid, with ``errors`` / ``message`` / ``reason``."""
    if (
        value_dumper is None
        and quoter is None
        and signature_param == DEFAULT_SIGNATURE_PARAM
        and auth_user_param == DEFAULT_AUTH_USER_PARAM
        and valid_until_param == DEFAULT_VALID_UNTIL_PARAM
        and extra_param == DEFAULT_EXTRA_PARAM
    ):
        # The common case in one core call; anything else takes ska's steps below.
        result = _request_result(signature_cls, data, secret_key)
        if result is not None:
            return result
    helper = RequestHelper(
        signature_param=signature_param,
        auth_user_param=auth_user_param,
        valid_until_param=valid_until_param,
        extra_param=extra_param,
        signature_cls=signature_cls,
    )
    return helper.validate_request_data(data=data, secret_key=secret_key, value_dumper=value_dumper, quoter=quoter)


def extract_signed_request_data(
    data: Mapping[str, Any],
    secret_key: Optional[str] = None,
    signature_param: str = DEFAULT_SIGNATURE_PARAM,
    auth_user_param: str = DEFAULT_AUTH_USER_PARAM,
    valid_until_param: str = DEFAULT_VALID_UNTIL_PARAM,
    extra_param: str = DEFAULT_EXTRA_PARAM,
    validate: bool = False,
    fail_silently: bool = False,
    signature_cls: Type[AbstractSignature] = Signature,
    value_dumper: Optional[Callable[..., Any]] = None,
    quoter: Optional[Callable[..., Any]] = None,
) -> Dict[str, ExtraValue]:
    """The signed extra items of ``data`` (validated first when ``validate``), as ska's
    ``extract_signed_request_data``."""
    helper = RequestHelper(
        signature_param=signature_param,
        auth_user_param=auth_user_param,
        valid_until_param=valid_until_param,
        extra_param=extra_param,
        signature_cls=signature_cls,
    )
    return helper.extract_signed_data(
        data,
        secret_key=secret_key,
        validate=validate,
        fail_silently=fail_silently,
        value_dumper=value_dumper,
        quoter=quoter,
    )
