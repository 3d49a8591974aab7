"""Generates ska_legacy_helpers.json: expected values of ska 1.11.2 for HMAC-MD5 and its JavaScript helpers.

Run with the real library:  python3 -m venv /tmp/v && /tmp/v/bin/pip install ska==1.11.2 &&
    /tmp/v/bin/python core/tests/data/gen_ska_legacy_helpers.py > core/tests/data/ska_legacy_helpers.json
Every expected value below is computed by ska itself (``get_base`` for the signed text, ``generate_signature`` for
the signature, ``signature_to_dict`` for what ska puts into a URL); nothing is written by hand.
"""
import json

import ska
from ska import helpers
from ska.signatures import (HMACMD5Signature, HMACSHA1Signature, HMACSHA256Signature)

CLASSES = {"md5": HMACMD5Signature, "sha1": HMACSHA1Signature, "sha256": HMACSHA256Signature}
DUMPERS = {"python": helpers.default_value_dumper, "javascript": helpers.javascript_value_dumper}
QUOTERS = {"python": helpers.default_quoter, "javascript": helpers.javascript_quoter}
SECRET = "your-secret-key"  # ska's documentation key: 15 bytes
VALID_UNTIL = "1378045287.0"

EXTRAS = [
    {},
    {"email": "john.doe@example.com"},
    {"q": "two words", "path": "/a/b"},
    {"punct": "~!*'()._-", "more": "a+b=c&d;e,f:g@h$i#j?k[l]m{n}o|p^q`r\"s<t>u\\v%w"},
    {"uni": "Jürgen ünïcödé ✓ 😀"},
    {"n": 5, "neg": -12, "f": 0.5, "big": 1e16, "small": 1e-7, "whole": 3.0},
    {"t": True, "f": False},
    {"none": None},
    {"list": [1, "x", True, None, 0.25, "Jürgen", "it's \"q\""]},
    {"dict": {"b": 2, "a": [1, {"d": None, "c": "é"}]}},
    {"empty_list": [], "empty_dict": {}},
    {"ctl": "tab\there\nnl\x7f"},
    {"nested_ctl": ["tab\there", "\x01\x1f\x7f", "\u2028"]},
    {"z": "last", "a": "first", "m": "mid"},
]


def main() -> None:
    cases = []
    for alg, cls in CLASSES.items():
        for dumper_name, dumper in DUMPERS.items():
            for quoter_name, quoter in QUOTERS.items():
                for extra in EXTRAS:
                    if alg != "md5" and dumper_name == quoter_name == "python":
                        continue  # covered by ../shared/vectors/ska.json
                    base = cls.get_base("user", VALID_UNTIL, extra=json.loads(json.dumps(extra)),
                                        value_dumper=dumper, quoter=quoter)
                    sig = cls.generate_signature(auth_user="user", secret_key=SECRET, valid_until=VALID_UNTIL,
                                                 extra=json.loads(json.dumps(extra)), value_dumper=dumper,
                                                 quoter=quoter)
                    # What ska puts into a URL (the raw values; str() of them in the query string).
                    url_values = {k: str(v) for k, v in sig.extra.items()}
                    cases.append({
                        "algorithm": alg,
                        "value_dumper": dumper_name,
                        "quoter": quoter_name,
                        "secret": SECRET,
                        "auth_user": "user",
                        "valid_until": VALID_UNTIL,
                        "extra": extra,
                        "base": base.decode(),
                        "signature": sig.signature.decode(),
                        "ska_url_values": url_values,
                    })
    print(json.dumps({"generator": "ska 1.11.2 (core/tests/data/gen_ska_legacy_helpers.py)",
                      "cases": cases}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
