"""Shared fixtures for the wire-compatibility vector tests (test_vectors_*.py).

The vectors directory is ``$COUNTERMARK_VECTORS`` when set, else ``<repo>/../shared/vectors``.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def vectors_dir() -> Path:
    env = os.environ.get("COUNTERMARK_VECTORS")
    return Path(env) if env else REPO.parent / "shared" / "vectors"


@lru_cache(maxsize=None)
def load_vectors(name: str) -> dict:
    """The parsed JSON of the vector file ``name`` (e.g. ``"handshake.json"``)."""
    path = vectors_dir() / name
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def vector_cases(name: str) -> list:
    """The ``cases`` of a vector file, for ``pytest.mark.parametrize`` (ids = case ids).

    Loading happens at collection time; a missing file makes collection fail loudly rather than silently
    parametrizing over nothing.
    """
    return [pytest.param(case, id=case["id"]) for case in load_vectors(name)["cases"]]


@pytest.fixture(scope="session")
def vectors_path() -> Path:
    return vectors_dir()


@pytest.fixture(scope="session")
def load_vector_file():
    """A loader: ``load_vector_file("ska.json")`` returns the parsed JSON."""
    return load_vectors


# --- expectation helpers (used by every test_vectors_*.py) -------------------------------------------------

from countermark import exceptions as _exc  # noqa: E402

#: ``expect`` word -> the exact exception class the binding must raise.
EXACT_ERRORS = {
    "bad_signature": _exc.BadSignature,
    "expired": _exc.Expired,
    "not_yet_valid": _exc.NotYetValid,
    "malformed": _exc.Malformed,
    "too_long": _exc.TooLarge,
    "unknown_key": _exc.UnknownKey,
    "replayed": _exc.Replayed,
    "unsupported_algorithm": _exc.UnsupportedAlgorithm,
    "invalid_value": _exc.InvalidValue,
}

#: ``expect`` word -> a base class any subclass of which is acceptable.
LOOSE_ERRORS = {
    "config_error": (_exc.ConfigurationError,),
    "rejected": (_exc.InvalidToken,),
    "error": (_exc.CountermarkError, ValueError, TypeError),
}


def assert_raises_expect(case_id: str, expect: str, fn, *args, **kwargs):
    """Calls ``fn`` and checks it raises what the vectors' ``expect`` word means; returns the exception."""
    if expect in EXACT_ERRORS:
        wanted = EXACT_ERRORS[expect]
        exact = True
    elif expect in LOOSE_ERRORS:
        wanted = LOOSE_ERRORS[expect]
        exact = False
    else:
        pytest.fail(f"{case_id}: no exception mapping for expect={expect!r}")
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:  # noqa: BLE001 - checked below
        if exact:
            assert type(e) is wanted, (
                f"{case_id}: expected {wanted.__name__} for expect={expect!r}, got {type(e).__name__}: {e}"
            )
            assert e.reason == expect or expect == "too_long", f"{case_id}: reason {e.reason!r} != {expect!r}"
        else:
            assert isinstance(e, wanted), (
                f"{case_id}: expected one of {[w.__name__ for w in wanted]} for expect={expect!r}, "
                f"got {type(e).__name__}: {e}"
            )
        return e
    pytest.fail(f"{case_id}: expected {expect!r} but the call returned {result!r}")


def assert_all_cases_ran(request, name: str, test_name: str, ran: set, expected_count: int) -> None:
    """The file holds ``expected_count`` cases, the parametrized test covers each once, and every one ran.

    ``ran`` is the set of case ids the parametrized test drove to completion (filled by that test, which is
    defined earlier in the same module and so runs first). When the parametrized test was deselected
    (``-k``), only the counts are checked.
    """
    cases = load_vectors(name)["cases"]
    ids = [c["id"] for c in cases]
    assert len(cases) == expected_count, f"{name}: {len(cases)} cases, expected {expected_count}"
    assert len(set(ids)) == len(ids), f"{name}: duplicate case ids"
    collected = [
        item for item in request.session.items
        if getattr(item, "originalname", None) == test_name and item.module is request.module
    ]
    if len(collected) == len(ids):
        missing = [i for i in ids if i not in ran]
        assert not missing, f"{name}: {len(ran)} of {len(ids)} cases ran; not run to completion: {missing}"
        assert len(ran) == expected_count


NOT_APPLICABLE = object()


def check_server(case_id: str, expect: str, parse, verify):
    """A server's verdict, as the Rust vector tests compute it: ``parse()`` returning None means the request is
    not of this scheme (``not_applicable``); otherwise ``verify(credentials)`` decides. An error raised by
    either phase is the rejection. Returns ``(credentials, verified)`` for ``valid``, else None.
    """

    def server():
        creds = parse()
        if creds is None:
            return NOT_APPLICABLE
        return creds, verify(creds)

    if expect == "valid":
        got = server()
        assert got is not NOT_APPLICABLE, f"{case_id}: parse returned None (not applicable) for a valid request"
        return got
    if expect == "not_applicable":
        got = server()
        assert got is NOT_APPLICABLE, f"{case_id}: expected not_applicable, got {got!r}"
        return None
    assert_raises_expect(case_id, expect, server)
    return None
