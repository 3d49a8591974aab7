"""Helpers of ``ska.helpers`` that do not touch the signature bytes.

``default_value_dumper`` and ``default_quoter`` are what ska uses when none is given; ``javascript_value_dumper``
and ``javascript_quoter`` are what ska's JavaScript port signs with. Passing any of them (ska's or these) selects
the core's byte-for-byte equivalent (:class:`countermark.UrlSigner`'s ``value_dumper`` / ``quoter``: ``"python"``
or ``"javascript"``); any other callable raises :class:`~.exceptions.NotSupportedByCountermark`.
``sorted_urlencode`` (the text that is HMACed) is not provided: the core builds it.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import quote

from .defaults import SIGNATURE_LIFETIME

__all__ = [
    "default_quoter",
    "default_value_dumper",
    "dict_keys",
    "dict_to_ordered_list",
    "extract_signed_data",
    "get_callback_func",
    "javascript_quoter",
    "javascript_value_dumper",
    "make_valid_until",
]

ExtraValue = Union[bytes, str, float, int]


def get_callback_func(func: Union[str, Callable[..., Any]], fail_silently: bool = True) -> Optional[Callable[..., Any]]:
    """``func`` if callable, else the object a dotted path ``"package.module.name"`` names (``None`` when that
    fails and ``fail_silently``)."""
    if callable(func):
        return func
    if isinstance(func, str):
        try:
            module_path, class_name = func.rsplit(".", 1)
        except ValueError as err:
            if not fail_silently:
                raise ImportError(f"{func} doesn't look like a module path") from err
            return None
        module = import_module(module_path)
        try:
            found: Callable[..., Any] = getattr(module, class_name)
            return found
        except AttributeError as err:
            if not fail_silently:
                raise ImportError(f'Module "{module_path}" does not define a "{class_name}" attribute/class') from err
            return None
    return None


def dict_keys(data: Mapping[str, Any], return_string: bool = False) -> Union[str, List[str]]:
    """The sorted keys of ``data``; joined with commas when ``return_string``."""
    keys = sorted(data.keys())
    if return_string:
        return ",".join(keys)
    return keys


def dict_to_ordered_list(data: Mapping[str, Any]) -> List[Tuple[str, Any]]:
    """The items of ``data`` sorted."""
    return sorted(data.items())


def default_value_dumper(value: Any) -> Any:
    """ska's default value dumper: the identity (values are then formatted with ``str()``)."""
    return value


def javascript_value_dumper(value: Any) -> Any:
    """ska's value dumper for the JavaScript port (compact JSON for non-scalar values); passed to a signing or
    validating function, the core signs with its ``"javascript"`` value dumper."""
    if isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, separators=(",", ":"))


def default_quoter(value: str) -> str:
    """ska's default quoter: ``urllib.parse.quote``."""
    return quote(value)


def javascript_quoter(value: str) -> str:
    """ska's quoter for the JavaScript port (``quote(value, safe="~()*!.'")``); passed to a signing or validating
    function, the core quotes with its ``"javascript"`` quoter."""
    return quote(value, safe="~()*!.'")


def extract_signed_data(data: Mapping[str, Any], extra: List[str]) -> Dict[str, Any]:
    """The items of ``data`` whose key is listed in ``extra`` (ska's filter of the signed extra data)."""
    return {key: value for key, value in dict(data).items() if key in extra}


def make_valid_until(lifetime: int = SIGNATURE_LIFETIME) -> float:
    """``now + lifetime`` as ska computes it: whole local seconds, as a float (``1378045287.0``)."""
    from .base import _now

    return time.mktime((datetime.fromtimestamp(_now()) + timedelta(seconds=lifetime)).timetuple())
