"""The glibc floor of a built wheel (`make dist-check`).

    python tests/dist_wheel_check.py WHEEL ARCH [MAX_GLIBC]

Proves, from the wheel itself: its WHEEL file's tags are abi3 manylinux_2_17_ARCH / manylinux2014_ARCH; every
ELF file in it is for ARCH; the highest GLIBC_x.y symbol version any of them needs (readelf's version-needs
section, binutils) is at most MAX_GLIBC (default 2.17); no ELF file has a symbol table or debug sections
(stripped); and `auditwheel show` (run beside this script, from the same venv) finds the wheel consistent with
manylinux_2_17_ARCH. Prints the floor found.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

MACHINES = {"x86_64": "Advanced Micro Devices X86-64", "aarch64": "AArch64"}


def fail(msg: str) -> None:
    print(f"dist wheel check: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def main() -> None:
    if len(sys.argv) not in (3, 4):
        fail("usage: dist_wheel_check.py WHEEL ARCH [MAX_GLIBC]")
    wheel, arch = pathlib.Path(sys.argv[1]), sys.argv[2]
    ceiling = sys.argv[3] if len(sys.argv) == 4 else "2.17"
    if arch not in MACHINES:
        fail(f"unknown arch {arch!r}")
    with zipfile.ZipFile(wheel) as zf, tempfile.TemporaryDirectory() as tmp:
        names = zf.namelist()
        wheel_files = [n for n in names if n.endswith(".dist-info/WHEEL")]
        if len(wheel_files) != 1:
            fail(f"{wheel.name}: {len(wheel_files)} .dist-info/WHEEL files")
        tags = set(re.findall(r"^Tag: (\S+)$", zf.read(wheel_files[0]).decode(), flags=re.M))
        want = {f"cp39-abi3-manylinux_2_17_{arch}", f"cp39-abi3-manylinux2014_{arch}"}
        if tags != want:
            fail(f"{wheel.name}: tags {sorted(tags)}, expected {sorted(want)}")
        elves = []
        for n in names:
            data = zf.read(n)
            if data[:4] == b"\x7fELF":
                path = pathlib.Path(tmp) / n.replace("/", "_")
                path.write_bytes(data)
                elves.append((n, path))
        if not elves:
            fail(f"{wheel.name}: no ELF file (no extension module)")
        floor: tuple[int, ...] = (0,)
        for name, path in elves:
            header = subprocess.run(["readelf", "-h", str(path)], check=True, capture_output=True, text=True).stdout
            machine = re.search(r"Machine:\s+(.+)", header)
            if machine is None or machine.group(1).strip() != MACHINES[arch]:
                fail(f"{name}: machine {machine and machine.group(1).strip()!r}, expected {MACHINES[arch]!r}")
            sections = subprocess.run(
                ["readelf", "-S", "-W", str(path)], check=True, capture_output=True, text=True
            ).stdout
            unstripped = sorted(set(re.findall(r"\s(\.symtab|\.debug_\w+)\s", sections)))
            if unstripped:
                fail(f"{name}: not stripped (sections {', '.join(unstripped)})")
            needs = subprocess.run(
                ["readelf", "--version-info", "-W", str(path)], check=True, capture_output=True, text=True
            ).stdout
            section = needs.split("Version needs section", 1)
            if len(section) != 2:
                fail(f"{name}: no version-needs section (readelf found no versioned glibc symbols)")
            versions = [version_tuple(v) for v in re.findall(r"Name: GLIBC_([0-9.]+)\b", section[1])]
            if not versions:
                fail(f"{name}: no GLIBC_ version needed")
            floor = max(floor, max(versions))
        floor_text = ".".join(map(str, floor))
        if floor > version_tuple(ceiling):
            fail(f"{wheel.name}: needs GLIBC_{floor_text}, above {ceiling}")
    auditwheel = pathlib.Path(sys.executable).parent / "auditwheel"
    shown = subprocess.run([str(auditwheel), "show", str(wheel)], check=True, capture_output=True, text=True).stdout
    if f'"manylinux_2_17_{arch}"' not in " ".join(shown.split()):
        fail(f"auditwheel show {wheel.name} does not find it consistent with manylinux_2_17_{arch}:\n{shown}")
    print(f"dist wheel check: {wheel.name}: {len(elves)} stripped ELF file(s) for {arch}, highest glibc symbol version "
          f"needed GLIBC_{floor_text} (<= {ceiling}); auditwheel agrees: manylinux_2_17_{arch}")


if __name__ == "__main__":
    main()
