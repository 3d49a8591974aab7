"""The README's Django examples (```python django blocks) run in this configured project, and every dotted
path they name imports."""

import pathlib
import re

from django.utils.module_loading import import_string

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_django_blocks_run() -> None:
    blocks = re.findall(r"```python django\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 2, "the README has Django examples"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    paths = set(re.findall(r'"(countermark\.django\.[\w.]+)"', "".join(blocks)))
    assert len(paths) >= 9
    for path in sorted(paths):
        import_string(path)
