#!/usr/bin/env python3
"""make readme-install-test: the README's install commands run as a user types them.

Every ```sh block of the README sections "Install", "C" and "Go" runs in bash (set -euo pipefail), in order, in a
scratch directory (with hello.c as app.c and an empty Go module) and a scratch HOME, with the package managers
pointed at what this clone builds instead of the public registries:
  pip   a fresh venv first on PATH; PIP_NO_INDEX with dist/ (the wheel of `make wheel`) and a wheelhouse of the
        extras' pinned dependencies (target/readme-wheelhouse, downloaded once by .venv's pip) as find-links;
  make  a shim on PATH that runs this clone's Makefile (`make -C REPO`);
  go    GOPROXY=file://... serving the module tree of `make go-module` (tests/go-module-proxy.py), GOSUMDB=off,
        an empty module cache.
A block right after a `<!-- not run by make test: REASON -->` comment is skipped and its reason printed. Other
fenced blocks of those sections (```c, ```go: fragments of a program) are not shell and are listed as such.
Afterwards the installs are checked: the venv imports countermark (this version), Django and DRF; the consumer
program of tests/go-consumer builds against the module `go get` added, with GOPROXY=off, and runs.

Usage: readme_install_test.py GO_MODULE_TREE GO_MODULE_PATH VERSION
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("Install", "C", "Go")
BLOCK = re.compile(
    r"(?:<!-- not run by make test:(?P<why>.*?)-->[ \t]*\n)?^```(?P<info>[^\n]*)\n(?P<code>.*?)^```[ \t]*$",
    re.S | re.M,
)
# The extras' dependencies the Install block pulls in, at the versions the test venv pins.
EXTRA_PINS = ("Django", "djangorestframework")


def sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    for title, body in zip(parts[1::2], parts[2::2]):
        out[title.strip()] = body
    return out


def wheelhouse() -> Path:
    pins = []
    for line in (REPO / "python/requirements-test.txt").read_text().splitlines():
        name = line.split("==")[0].strip()
        if name in EXTRA_PINS:
            pins.append(line.strip())
    assert len(pins) == len(EXTRA_PINS), f"python/requirements-test.txt pins {EXTRA_PINS}: {pins}"
    wh = REPO / "target/readme-wheelhouse"
    marker = wh / "pins.txt"
    if not marker.exists() or marker.read_text() != "\n".join(pins):
        shutil.rmtree(wh, ignore_errors=True)
        wh.mkdir(parents=True)
        subprocess.run([str(REPO / ".venv/bin/pip"), "download", "-q", "-d", str(wh), *pins], check=True)
        marker.write_text("\n".join(pins))
    return wh


def main() -> int:
    tree, module, version = sys.argv[1:]
    readme = sections((REPO / "README.md").read_text())
    missing = [s for s in SECTIONS if s not in readme]
    assert not missing, f"README.md has no section {missing}"

    tmp = Path(tempfile.mkdtemp(prefix="countermark-readme-install."))
    try:
        home, work, shim, venv = tmp / "home", tmp / "work", tmp / "shim", tmp / "venv"
        for d in (home, work, shim):
            d.mkdir()
        shutil.copy(REPO / "examples/c/hello.c", work / "app.c")
        (work / "go.mod").write_text("module example.com/app\n\ngo 1.22\n")
        make = shutil.which("make")
        (shim / "make").write_text(f'#!/bin/sh\nexec "{make}" -s -C "{REPO}" --no-print-directory "$@"\n')
        (shim / "make").chmod(0o755)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        proxy = tmp / "goproxy"
        subprocess.run([sys.executable, str(REPO / "tests/go-module-proxy.py"), tree, module, version, str(proxy)],
                       check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PKG_CONFIG", "GO", "VIRTUAL_ENV", "PYENV_"))}
        real_home = Path.home()
        gocache = subprocess.run(["go", "env", "GOCACHE"], check=True, capture_output=True, text=True).stdout.strip()
        env.update(
            HOME=str(home),
            # The toolchains stay where they are installed (their defaults are under HOME); Go keeps its build cache.
            RUSTUP_HOME=os.environ.get("RUSTUP_HOME", str(real_home / ".rustup")),
            CARGO_HOME=os.environ.get("CARGO_HOME", str(real_home / ".cargo")),
            GOCACHE=gocache,
            GOPATH=str(tmp / "gopath"),
            PATH=f"{shim}:{venv / 'bin'}:{os.environ['PATH']}",
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=f"{REPO / 'dist'} {wheelhouse()}",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            GOPROXY=f"file://{proxy}",
            GOSUMDB="off",
            GOMODCACHE=str(tmp / "modcache"),
            GOTOOLCHAIN="local",
            GOFLAGS="",
        )

        ran = skipped = fragments = 0
        for title in SECTIONS:
            for m in BLOCK.finditer(readme[title]):
                info, code = m["info"].strip(), m["code"]
                first = code.strip().splitlines()[0]
                if m["why"] is not None:
                    why = " ".join(m["why"].split())
                    assert why, f"a 'not run' comment in '{title}' gives no reason"
                    print(f"readme-install-test: [{title}] not run: {first!r}: {why}")
                    skipped += 1
                    continue
                if info != "sh":
                    fragments += 1
                    continue
                print(f"readme-install-test: [{title}] running: {first}", flush=True)
                subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=work, env=env, check=True)
                ran += 1

        # What the blocks installed works.
        py = venv / "bin/python"
        out = subprocess.run(
            [str(py), "-c", "import countermark, django, rest_framework; print(countermark.__version__, countermark.__file__)"],
            cwd=tmp, env=env, check=True, capture_output=True, text=True).stdout.split()
        assert out[0] == version.lstrip("v"), f"the venv has countermark {out[0]}, not {version}"
        assert out[1].startswith(str(venv)), f"countermark imported from {out[1]}, not the fresh venv"
        assert (home / ".local/lib/pkgconfig/countermark.pc").exists(), "make install PREFIX=$HOME/.local left no .pc"
        assert module in (work / "go.mod").read_text(), "go get did not add the module to go.mod"
        # A package of the module (its root holds app.c, which Go would take for cgo source).
        (work / "consumer").mkdir()
        shutil.copy(REPO / "tests/go-consumer/main.go", work / "consumer/main.go")
        subprocess.run(["go", "build", "-o", "consumer.bin", "./consumer"], cwd=work, env={**env, "GOPROXY": "off"},
                       check=True)
        line = subprocess.run([str(work / "consumer.bin")], check=True, capture_output=True, text=True).stdout.strip()
        assert line.startswith(f"countermark {version.lstrip('v')}: token fields [alice 42]"), line
        print(f"readme-install-test: pip: countermark {out[0]} + Django + DRF in a fresh venv; make install: "
              f"$HOME/.local; go get: {line}")
        print(f"readme-install-test: {ran} blocks ran, {skipped} not run (reason printed), "
              f"{fragments} non-shell fragments")
        return 0
    finally:
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                p = os.path.join(root, d)
                os.chmod(p, os.stat(p).st_mode | stat.S_IWUSR)
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
