#!/usr/bin/env python3
"""Checks include/countermark.h: every item is documented, every symbol is prefixed, and the version macros equal
the workspace version in Cargo.toml. (Staleness is checked by `make header-check`, which regenerates it.)

Usage: tests/check_header.py include/countermark.h Cargo.toml
"""
import re
import sys


def main(header_path: str, cargo_path: str) -> int:
    lines = open(header_path, encoding="utf-8").read().splitlines()
    errors = []

    def documented(i: int) -> bool:
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        return j >= 0 and lines[j].lstrip().startswith(("//", "/*", "*"))

    items = 0
    in_body = False  # inside a struct or enum body
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith(("typedef struct {", "enum countermark_", "typedef enum")):
            in_body = s.endswith("{") or "{" in s
        kind = None
        if re.match(r"#define COUNTERMARK_\w+ ", s) or re.match(r"#define \w+ ", s) and not s.startswith("#define COUNTERMARK_H"):
            kind = "macro"
        elif re.match(r"typedef struct \w+ \w+;", s):
            kind = "opaque type"
        elif s.startswith("typedef struct {") or re.match(r"enum countermark_\w+$", s):
            kind = "type"
        elif re.match(r"^[a-z][\w\s\*]*\b\w+\(", line) and not line.startswith((" ", "#")):
            kind = "function"
        elif in_body and re.match(r"^(COUNTERMARK_\w+ = \d+,?|[\w\s\*]+ \w+(\[\d*\])?;)$", s):
            kind = "member"
        if s.startswith("}"):
            in_body = False
        if kind is None:
            continue
        items += 1
        name = re.findall(r"\b(countermark_\w+|COUNTERMARK_\w+|\w+)\b(?=\s*[\(;=,]|\s+\S*$)", s)
        label = name[0] if name else s
        if not documented(i):
            errors.append(f"{header_path}:{i + 1}: undocumented {kind}: {s}")
        if kind == "function" and not re.search(r"\bcountermark_\w+\(", s):
            errors.append(f"{header_path}:{i + 1}: function without the countermark_ prefix: {s}")
        elif kind in ("macro", "opaque type") and not re.search(r"\b(countermark_|COUNTERMARK_)", s):
            errors.append(f"{header_path}:{i + 1}: {kind} without the countermark_ prefix: {label}")

    cargo = open(cargo_path, encoding="utf-8").read()
    m = re.search(r'\[workspace\.package\][^\[]*?\bversion\s*=\s*"(\d+)\.(\d+)\.(\d+)"', cargo, re.S)
    if not m:
        errors.append(f"{cargo_path}: no [workspace.package] version")
    else:
        text = "\n".join(lines)
        for part, value in zip(("MAJOR", "MINOR", "PATCH"), m.groups()):
            found = re.search(rf"#define COUNTERMARK_VERSION_{part} (\d+)", text)
            if not found or found.group(1) != value:
                errors.append(
                    f"{header_path}: COUNTERMARK_VERSION_{part} is {found.group(1) if found else 'missing'}, "
                    f"Cargo.toml says {value}"
                )
        abi = f"countermark_abi_{m.group(1)}_{m.group(2)}("
        if abi not in text:
            errors.append(f"{header_path}: the ABI symbol {abi[:-1]} is missing (the version changed?)")

    for e in errors:
        print(e, file=sys.stderr)
    print(f"check_header: {items} items, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
