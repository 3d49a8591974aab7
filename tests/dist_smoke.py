"""Import-and-vectors smoke test of an installed countermark (`make dist-check` runs it in fresh venvs).

    python tests/dist_smoke.py VECTORS_DIR VERSION

Run from outside the repository, so `import countermark` finds the installed package, never the source tree.
Checks the installed version, every handshake create+verify case of VECTORS_DIR/handshake.json and the
deterministic RFC 9421 sign cases of VECTORS_DIR/rfc9421.json (HMAC, and Ed25519/RSA through ring's assembly),
byte for byte, each then verified; and the package's metadata: its long description is python/README.md, whose
Python examples run, and its licence expression and extras are there.
"""

from __future__ import annotations

import importlib.metadata
import json
import pathlib
import re
import sys

import countermark
from countermark import Clock, HmacKey, MessagePolicy, MessageSigner, MessageVerifyingKey, Request, SigningKey, Tokens


def fail(msg: str) -> None:
    print(f"dist smoke: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond: bool, msg: str) -> None:
    if not cond:
        fail(msg)


def handshake(vectors: pathlib.Path) -> int:
    cases = [c for c in json.loads((vectors / "handshake.json").read_text())["cases"] if c["op"] == "create+verify"]
    check(bool(cases), "handshake.json has no create+verify case")
    for c in cases:
        secret = c["secret"] if c["secret_type"] == "str" else bytes.fromhex(c["secret_hex"])
        key = HmacKey(secret, "hmac-" + c["hashfunc"])
        kwargs = {} if c.get("random_len") is None else {"random_len": c["random_len"]}
        token = Tokens(key, clock=Clock.fixed(float(c["now"])), **kwargs).create_with_random(
            c["metadata"], bytes.fromhex(c["urandom_hex"])
        )
        check(token == c["token"], f"{c['id']}: token {token!r} != {c['token']!r}")
        v = c["verify"]
        if v["expect"] == "valid":
            t = Tokens(key, clock=Clock.fixed(float(v["now"])))
            fields = t.verify(token, v["time_range"] or None).fields
            check(fields == list(v["result"]), f"{c['id']}: verify gave {fields!r}")
    return len(cases)


def rfc9421(vectors: pathlib.Path) -> int:
    doc = json.loads((vectors / "rfc9421.json").read_text())
    cases = [c for c in doc["cases"] if c["op"] == "sign" and c["deterministic"] and c["message"]["type"] == "request"]
    check({c["algorithm"] for c in cases} >= {"hmac-sha256", "ed25519"}, "rfc9421.json lacks HMAC/Ed25519 cases")
    for c in cases:
        entry = doc["keys"][c["key_id"]]
        alg = c["algorithm"]
        if alg == "hmac-sha256":
            key = HmacKey(bytes.fromhex(entry["secret_hex"]), alg)
            vkey = MessageVerifyingKey.hmac(key)
        else:
            key = SigningKey.from_pem(entry["private_pem"])
            vkey = MessageVerifyingKey.public(key.verifying_key, alg)
        p = c["params"]
        signer = MessageSigner(
            key, algorithm=alg, label=c["label"], components=c["covered_components"], created=p["created"],
            expires=p.get("expires"), key_id=c["key_id"], nonce=p.get("nonce"), tag=p.get("tag"),
            include_alg="alg" in p,
        )
        m = c["message"]
        req = Request(m["method"], m["url"], headers=[tuple(h) for h in m["headers"]], body=m["body"].encode())
        signed = signer.sign(req)
        check(signed.signed_string == c["signature_base"], f"{c['id']}: signature base differs")
        got = [tuple(h) for h in signed.headers]
        want = [("Signature-Input", c["signature_input"]), ("Signature", c["signature_header"])]
        check(got == want, f"{c['id']}: {got!r} != {want!r}")
        signed_req = Request(
            m["method"], m["url"], headers=[tuple(h) for h in m["headers"]] + want, body=m["body"].encode()
        )
        v = c["verifier"]
        policy = MessagePolicy(
            clock=Clock.fixed(float(v["now"])), clock_skew=v["max_clock_skew_seconds"], max_age=v["max_age_seconds"],
            label=c["label"],
        )
        verified = countermark.verify_message_signature(signed_req, vkey, policy)
        check(verified.key_id == c["key_id"], f"{c['id']}: verified key id {verified.key_id!r}")
    return len(cases)


def metadata() -> int:
    meta = importlib.metadata.metadata("countermark")
    licence = meta.get_all("License-Expression")
    check(licence == ["MIT OR Apache-2.0"], f"License-Expression {licence!r}")
    extras = set(meta.get_all("Provides-Extra") or [])
    check(extras == {"django", "requests", "httpx"}, f"extras {sorted(extras)}")
    description = meta.get_payload()  # type: ignore[attr-defined]
    check(description.startswith("# countermark (Python)"), "the long description is not python/README.md")
    blocks = re.findall(r"```python\n(.*?)```", description, flags=re.S)
    check(bool(blocks), "python/README.md has no Python example")
    for block in blocks:
        exec(compile(block, "python/README.md", "exec"), {})
    return len(blocks)


def main() -> None:
    if len(sys.argv) != 3:
        fail("usage: dist_smoke.py VECTORS_DIR VERSION")
    vectors, version = pathlib.Path(sys.argv[1]), sys.argv[2]
    check(countermark.__version__ == version, f"installed version {countermark.__version__} != {version}")
    check("site-packages" in countermark.__file__, f"imported from {countermark.__file__}, not an installation")
    n_hs, n_rfc, n_readme = handshake(vectors), rfc9421(vectors), metadata()
    print(f"dist smoke: countermark {countermark.__version__} from {pathlib.Path(countermark.__file__).parent}: "
          f"{n_hs} handshake tokens and {n_rfc} RFC 9421 signatures byte for byte; metadata and "
          f"{n_readme} README example(s) ok")


if __name__ == "__main__":
    main()
