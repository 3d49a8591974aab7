"""Generates core/tests/data/fromisoformat.json: what CPython's ``datetime.fromisoformat`` makes of many strings.

The HMAC header scheme (django-hmac-authentication) reads its timestamp with ``datetime.fromisoformat``, and
countermark must accept exactly the texts it reads as an aware date-time, at the same instant. This script
generates candidate texts (the grammar's pieces combined, then mutated), asks every interpreter given on the
command line, checks they agree, and writes a balanced sample as ``[[text, micros_since_epoch_or_null], ...]``
(null: refused, or naive). core/tests/hmac_header_isoformat.rs replays it through ``hmac_header::parse``;
python/tests/test_hmac_header_isoformat.py runs the same generator live against the installed wheel.

    python3 python/tests/gen_fromisoformat_table.py ~/.pyenv/versions/3.1{1,2,3}*/bin/python \\
        > core/tests/data/fromisoformat.json

Not collected by pytest (no ``test_`` prefix); imported by the live test for :func:`candidates`.
"""

import json
import random
import subprocess
import sys

DATES = [
    "2023-05-07", "20230507", "2023-W18", "2023W18", "2023-W18-7", "2023W187", "2024-02-29", "2023-02-29",
    "0001-01-01", "9999-12-31", "2020-W53", "2020W537", "2021-W53", "2023-W00", "2023-W18-8", "2023-W18-0",
    "2023-05-7", "2023-5-07", "202305-07", "2023-0507", "2023W18-7", "2023-W187", "2023-13-01", "2023-00-10",
    "2023-05-00", "0000-01-01", "2023-W1", "2023W1", "2023-W01-1", "0000-W52-7", "9999-W52-6", "0001-W01-1",
]
SEPS = ["T", "t", " ", "x", "_", "\u00e9", "\u65e5", "\U0001f600", "-", ":", "+", "Z", "0", "", "TT"]
TIMES = [
    "14", "1415", "14:15", "141537", "14:15:37", "14:15:37.5", "14:15:37,5", "14:15:37.123456",
    "14:15:37.1234567", "14:15:37.123456789", "141537.5", "1415:37", "14:1537", "14:15:3", "14:15:", "14:", "1",
    "24:00:00", "23:59:59", "23:60:00", "00:00:60", "14:15:37.", "14:15:37.x", "14:15:37.12a", "14:15:37.1234567a",
    "14.5", "14:15.5", "14:15:37:00", "14:15:37:5", "1415375", "14:15:37.1e3", "\uff114:15:37", "14:15:37 ",
]
ZONES = [
    "", "Z", "z", "+00:00", "-00:00", "+0000", "+00", "+05:30", "-05:30", "+0530", "+05", "+05:30:15", "+053015",
    "+05:30:15.5", "+05:30:15.123456", "+053015.25", "+05:30:15.1234567", "+24:00", "+23:59", "+23:59:59.999999",
    "-23:59:59.999999", "+05:99", "+05:60", "+99:00", "+5", "+05:3", "+05:", "+", "-", "Z ", "ZZ", "+00:00Z",
    "Z+00:00", "+05:30:15,5", "+00:00:00.5", "-00:00:00.000001", "+05:30.5", "+0530.5", "+05:3015", "+0530:15",
]
MUTATION_ALPHABET = "0123456789-:T+Z.,W tz\u00e9\u65e5x_"
BASES = [
    "2023-05-07T14:15:37.862560+00:00", "2023-05-07T14:15:37Z", "20230507T141537Z", "2023-W18-7T14:15:37+05:30",
    "2023W187T1415+0530", "2020-W53-5T23:59:59.999999-23:59:59.999999", "0001-01-01T00:00:00+00:00:01",
    "9999-12-31T23:59:59-00:00:01", "2023-W18-14:15Z", "2023W1871415Z",
]


def candidates(seed: int, combos: float, mutations: int) -> list:
    """Deterministic candidate texts: a share ``combos`` of date x sep x time x zone, plus ``mutations`` mutants."""
    rng = random.Random(seed)
    out = set()
    for d in DATES:
        out.add(d)
        for s in SEPS:
            for t in TIMES:
                for z in ZONES:
                    if rng.random() < combos:
                        out.add(d + s + t + z)
    for _ in range(mutations):
        s = list(rng.choice(BASES))
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, len(s))
            op = rng.random()
            if op < 0.3 and s:
                del s[min(i, len(s) - 1)]
            elif op < 0.65:
                s.insert(i, rng.choice(MUTATION_ALPHABET))
            elif s:
                s[min(i, len(s) - 1)] = rng.choice(MUTATION_ALPHABET)
        out.add("".join(s))
    return sorted(out)


def read_all(texts: list) -> list:
    """What this interpreter's ``datetime.fromisoformat`` makes of each text: microseconds since the epoch for an
    aware result, "naive", or None when it raises ValueError."""
    from datetime import datetime, timedelta, timezone

    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    out = []
    for t in texts:
        try:
            dt = datetime.fromisoformat(t)
        except ValueError:
            out.append(None)
            continue
        out.append("naive" if dt.tzinfo is None else (dt - epoch) // timedelta(microseconds=1))
    return out


def main(pythons: list) -> None:
    texts = candidates(seed=15, combos=0.03, mutations=20000)
    # A text holding whitespace or ';' would split the Authorization header; CR, LF and NUL cannot be on a request.
    texts = [t for t in texts if ";" not in t and not any(c.isspace() or c in "\x1c\x1d\x1e\x1f\0" for c in t)]
    results = []
    for python in pythons:
        code = "import json,sys; sys.path.insert(0, sys.argv[1]); import gen_fromisoformat_table as g; " \
               "print(json.dumps(g.read_all(json.load(sys.stdin))))"
        run = subprocess.run([python, "-c", code, sys.path[0]], input=json.dumps(texts), capture_output=True,
                             text=True, check=True)
        results.append(json.loads(run.stdout))
    for python, r in zip(pythons[1:], results[1:]):
        differ = [t for t, a, b in zip(texts, results[0], r) if a != b]
        assert not differ, f"{pythons[0]} and {python} disagree on {differ[:10]!r}"
    rows = [[t, r if isinstance(r, int) else None] for t, r in zip(texts, results[0])]
    rng = random.Random(15)
    accepted = [row for row in rows if row[1] is not None]
    refused = [row for row in rows if row[1] is None]
    sample = rng.sample(accepted, min(2000, len(accepted))) + rng.sample(refused, min(2000, len(refused)))
    versions = []
    for python in pythons:
        versions.append(subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                                       capture_output=True, text=True, check=True).stdout.strip())
    head = {"generated_by": "python/tests/gen_fromisoformat_table.py", "pythons": versions}
    sys.stdout.write(json.dumps(head)[:-1] + ', "cases": [\n')
    sys.stdout.write(",\n".join(json.dumps(row) for row in sorted(sample)))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main(sys.argv[1:] or [sys.executable])
