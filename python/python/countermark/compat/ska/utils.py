"""``RequestHelper``, as ``ska.utils``: puts signatures into URLs and dicts and validates request data."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Type, Union
from urllib.parse import urlencode

from .base import AbstractSignature, ExtraValue, SignatureValidationResult, _request_result, _resolve_signature_cls
from .defaults import (
    DEFAULT_AUTH_USER_PARAM,
    DEFAULT_EXTRA_PARAM,
    DEFAULT_SIGNATURE_PARAM,
    DEFAULT_URL_SUFFIX,
    DEFAULT_VALID_UNTIL_PARAM,
)
from .exceptions import ImproperlyConfigured, InvalidData
from .helpers import dict_keys, extract_signed_data
from .signatures import Signature

__all__ = ["RequestHelper"]


class RequestHelper:
    """Puts signature parameters into URLs and dicts and validates request data, with configurable parameter
    names, as ska's ``RequestHelper``.

    >>> helper = RequestHelper()
    >>> sig = Signature.generate_signature("user", "your-secret-key", valid_until="1378045287.0")
    >>> helper.signature_to_url(sig, "http://e.com/api/")
    'http://e.com/api/?signature=BW4Smbg6vkteRnzJcCjVz2u8Z8s%3D&auth_user=user&valid_until=1378045287.0&extra='
    """

    def __init__(
        self,
        signature_param: str = DEFAULT_SIGNATURE_PARAM,
        auth_user_param: str = DEFAULT_AUTH_USER_PARAM,
        valid_until_param: str = DEFAULT_VALID_UNTIL_PARAM,
        extra_param: str = DEFAULT_EXTRA_PARAM,
        signature_cls: Type[AbstractSignature] = Signature,
    ) -> None:
        self.signature_param = signature_param
        self.auth_user_param = auth_user_param
        self.valid_until_param = valid_until_param
        self.extra_param = extra_param
        self.signature_cls = _resolve_signature_cls(signature_cls)

    def _params(self, signature: AbstractSignature) -> Dict[str, Any]:
        params: Dict[str, Any] = {
            self.signature_param: signature.signature,
            self.auth_user_param: signature.auth_user,
            self.valid_until_param: signature.valid_until,
            self.extra_param: dict_keys(signature.extra, return_string=True),
        }
        # As in ska, an extra key equal to one of the parameter names overwrites that parameter.
        params.update(signature.extra)
        return params

    def signature_to_url(
        self,
        signature: AbstractSignature,
        endpoint_url: str = "",
        suffix: str = DEFAULT_URL_SUFFIX,
    ) -> str:
        """``endpoint_url + suffix`` followed by the urlencoded signature parameters (signature, auth_user,
        valid_until, the comma-separated sorted extra keys, then the extra items in their order)."""
        return f"{endpoint_url}{suffix}{urlencode(self._params(signature))}"

    def signature_to_dict(self, signature: AbstractSignature) -> Dict[str, Union[bytes, str, float, int]]:
        """The signature parameters as a dict (the signature as bytes, ``valid_until`` and the extra values as
        they were given), e.g. to POST."""
        return self._params(signature)

    def validate_request_data(
        self,
        data: Mapping[str, Any],
        secret_key: str,
        value_dumper: Optional[Callable[..., Any]] = None,
        quoter: Optional[Callable[..., Any]] = None,
    ) -> SignatureValidationResult:
        """Validate request data (e.g. ``request.GET``): the signature, ``auth_user``, ``valid_until`` and the
        extra items named in the extra parameter. Parameters not named there are not signed and are ignored."""
        if (
            value_dumper is None
            and quoter is None
            and self.signature_param == DEFAULT_SIGNATURE_PARAM
            and self.auth_user_param == DEFAULT_AUTH_USER_PARAM
            and self.valid_until_param == DEFAULT_VALID_UNTIL_PARAM
            and self.extra_param == DEFAULT_EXTRA_PARAM
        ):
            # The common case in one core call (same result as the steps below).
            fast = _request_result(self.signature_cls, data, secret_key)
            if fast is not None:
                return fast
        signature = data.get(self.signature_param, "")
        auth_user = data.get(self.auth_user_param, "")
        valid_until = data.get(self.valid_until_param, "")
        extra = extract_signed_data(data=data, extra=data.get(self.extra_param, "").split(","))
        result = self.signature_cls.validate_signature(
            signature=signature,
            auth_user=auth_user,
            secret_key=secret_key,
            valid_until=valid_until,
            return_object=True,
            extra=extra,
            value_dumper=value_dumper,
            quoter=quoter,
        )
        assert isinstance(result, SignatureValidationResult)
        return result

    def extract_signed_data(
        self,
        data: Mapping[str, Any],
        secret_key: Optional[str] = None,
        validate: bool = False,
        fail_silently: bool = False,
        value_dumper: Optional[Callable[..., Any]] = None,
        quoter: Optional[Callable[..., Any]] = None,
    ) -> Dict[str, ExtraValue]:
        """The signed extra items of ``data``; when ``validate``, only after validating it (raising
        :class:`~.exceptions.InvalidData`, or returning ``{}`` when ``fail_silently``)."""
        if validate:
            if not secret_key:
                if fail_silently:
                    return {}
                raise ImproperlyConfigured("You should provide `secret_key` if `validate` is set to True.")
            validation_result = self.validate_request_data(data, secret_key, value_dumper=value_dumper, quoter=quoter)
            if not validation_result.result:
                if fail_silently:
                    return {}
                raise InvalidData(validation_result.message)
        return extract_signed_data(data=data, extra=data.get(self.extra_param, "").split(","))
