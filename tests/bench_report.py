#!/usr/bin/env python3
"""Turns the criterion estimates of `cargo bench -p countermark --bench verify` into a table: each operation's
time and its ratio to the floor of the same kind measured in the same group and run (the group's "floor: ..."
benchmark). A floor that is itself a verification ("floor: bare EdDSA verify") is the floor of the matching
verify only: a sign operation has no ratio against it (signing and verifying cost different things), so JWT
sign rows show their absolute time alone. An HMAC floor (one MAC over the bytes the scheme MACs) is the floor
of both sign and verify.
Usage: tests/bench_report.py [target/criterion] [--json OUT]"""

import json
import pathlib
import sys


def load(root):
    """{group: [(operation, median ns)]} from criterion's output under root."""
    groups = {}
    for bench in sorted(pathlib.Path(root).glob("*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        groups.setdefault(meta["group_id"], []).append((meta["function_id"], est["median"]["point_estimate"]))
    return groups


def floor_of(name, floors):
    """The floor (name, ns) an operation compares with, or None."""
    if name.startswith("floor"):
        return None
    kind = name.split()[0]  # "sign", "verify", "validate_url", ...
    candidates = []
    for floor in floors:
        words = floor[0].split()
        # A floor of one operation kind ("... verify", "... sign") applies to that kind only.
        if words[-1] in ("verify", "sign") and words[-1] != kind:
            continue
        candidates.append(floor)
    # The one naming the same algorithm (jwt: "verify RS512" -> "floor: bare RS512 verify"), else the only one.
    named = [f for f in candidates if name.split()[-1] in f[0].split()[1:-1]]
    if named:
        return named[0]
    return candidates[0] if len(candidates) == 1 and len(floors) == 1 else None


def rows_of(groups):
    rows = []
    for group, items in groups.items():
        floors = [(name, ns) for name, ns in items if name.startswith("floor")]
        for name, ns in sorted(items, key=lambda x: (not x[0].startswith("floor"), x[0])):
            floor = floor_of(name, floors)
            ratio = ns / floor[1] if floor else None
            rows.append({"group": group, "operation": name, "ns": ns, "floor": floor[0] if floor else None,
                         "ratio_to_floor": ratio})
    return rows


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 and not argv[1].startswith("--") else "target/criterion")
    out_json = argv[argv.index("--json") + 1] if "--json" in argv else None
    groups = load(root)
    if not groups:
        sys.exit(f"no criterion results under {root}: run cargo bench first")
    rows = rows_of(groups)
    print("| group | operation | median | x floor |")
    print("|---|---|---:|---:|")
    for r in rows:
        t = f"{r['ns'] / 1000:.2f} µs" if r["ns"] >= 1000 else f"{r['ns']:.0f} ns"
        ratio = f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] is not None else ""
        print(f"| {r['group']} | {r['operation']} | {t} | {ratio} |")
    if out_json:
        pathlib.Path(out_json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main(sys.argv)
