#!/usr/bin/env python3
"""Turns the criterion estimates of `cargo bench -p countermark --bench verify` into a table: each operation's
time and its ratio to the floor measured in the same group and run (the group's "floor: ..." benchmark).
Usage: tests/bench_report.py [target/criterion] [--json OUT]"""

import json
import pathlib
import sys


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 and not argv[1].startswith("--") else "target/criterion")
    out_json = argv[argv.index("--json") + 1] if "--json" in argv else None
    groups = {}
    for bench in sorted(root.glob("*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        ns = est["median"]["point_estimate"]
        groups.setdefault(meta["group_id"], []).append((meta["function_id"], ns))
    if not groups:
        sys.exit(f"no criterion results under {root}: run cargo bench first")
    rows = []
    for group, items in groups.items():
        floors = [(name, ns) for name, ns in items if name.startswith("floor")]
        for name, ns in sorted(items, key=lambda x: (not x[0].startswith("floor"), x[0])):
            # The floor of an operation: the one naming the same algorithm (jwt: "verify RS512" -> "floor: bare
            # RS512 verify"), else the group's only floor.
            match = [f for f in floors if name.split()[-1] in f[0].split()] or floors[:1]
            floor = match[0][1] if match else None
            ratio = ns / floor if floor and not name.startswith("floor") else None
            rows.append({"group": group, "operation": name, "ns": ns, "ratio_to_floor": ratio})
    print(f"| group | operation | median | x floor |")
    print(f"|---|---|---:|---:|")
    for r in rows:
        t = f"{r['ns'] / 1000:.2f} µs" if r["ns"] >= 1000 else f"{r['ns']:.0f} ns"
        ratio = f"{r['ratio_to_floor']:.2f}" if r["ratio_to_floor"] else ""
        print(f"| {r['group']} | {r['operation']} | {t} | {ratio} |")
    if out_json:
        pathlib.Path(out_json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main(sys.argv)
