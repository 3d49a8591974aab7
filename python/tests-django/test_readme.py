"""The README's Django examples (```python django blocks) run in this configured project, and every dotted
path they name imports."""

import pathlib
import re
from typing import Any

from django.utils.module_loading import import_string

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_django_blocks_run(monkeypatch: Any) -> None:
    # The migration guides' settings blocks read their secrets from the environment, as a pasted settings.py should.
    monkeypatch.setenv("HANDSHAKE_SECRET", "the service's handshake secret")
    monkeypatch.setenv("SKA_SECRET_KEY", "the service's ska secret key")
    blocks = re.findall(r"```python django\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README has Django examples"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    paths = set(re.findall(r'"(countermark\.django\.[\w.]+)"', "".join(blocks)))
    assert len(paths) >= 9
    for path in sorted(paths):
        import_string(path)
