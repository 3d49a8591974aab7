"""The benchmark tools report what they measured: tests/bench_report.py compares an operation only with a floor
of the same kind (a JWT sign time is never divided by a verify floor), and python/bench/bench.py fails when a
reference library is missing instead of printing a partial comparison and exiting 0."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _bench_report():
    spec = importlib.util.spec_from_file_location("bench_report", REPO / "tests" / "bench_report.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _criterion(root: pathlib.Path, group: str, function: str, ns: float) -> None:
    d = root / group / function.replace(" ", "_").replace(":", "") / "new"
    d.mkdir(parents=True)
    (d / "benchmark.json").write_text(json.dumps({"group_id": group, "function_id": function}))
    (d / "estimates.json").write_text(json.dumps({"median": {"point_estimate": ns}}))


def test_bench_report_compares_like_with_like(tmp_path):
    measured = {
        ("jwt", "floor: bare EdDSA verify"): 40_000.0,
        ("jwt", "floor: bare RS512 verify"): 20_000.0,
        ("jwt", "verify EdDSA"): 44_000.0,
        ("jwt", "verify RS512"): 22_000.0,
        ("jwt", "sign EdDSA"): 20_000.0,
        ("jwt", "sign RS512"): 480_000.0,
        ("fost", "floor: hmac-sha1 of the document"): 100.0,
        ("fost", "sign"): 300.0,
        ("fost", "verify"): 400.0,
        ("nonce_store", "check_and_insert, 1 thread"): 500.0,
    }
    for (group, function), ns in measured.items():
        _criterion(tmp_path, group, function, ns)
    rows = {(r["group"], r["operation"]): r["ratio_to_floor"] for r in _bench_report().rows_of(
        _bench_report().load(tmp_path))}
    assert rows == {
        ("jwt", "floor: bare EdDSA verify"): None,
        ("jwt", "floor: bare RS512 verify"): None,
        ("jwt", "verify EdDSA"): pytest.approx(1.1),
        ("jwt", "verify RS512"): pytest.approx(1.1),
        # No sign floor was measured: a sign time over a verify floor would be meaningless (it was 0.56 and 25.98).
        ("jwt", "sign EdDSA"): None,
        ("jwt", "sign RS512"): None,
        ("fost", "floor: hmac-sha1 of the document"): None,
        ("fost", "sign"): pytest.approx(3.0),
        ("fost", "verify"): pytest.approx(4.0),
        ("nonce_store", "check_and_insert, 1 thread"): None,
    }


def test_bench_py_fails_when_a_reference_library_is_missing(tmp_path):
    # A `handshake` that cannot be imported shadows the installed one.
    (tmp_path / "handshake.py").write_text("raise ImportError('handshake is missing (test)')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(REPO / "python" / "bench" / "bench.py"), "--quick", "--only",
                           "handshake"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert "handshake not installed: handshake is missing (test)" in done.stderr
    assert "incomplete" in done.stderr
