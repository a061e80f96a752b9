"""The README's Python code runs as written (issue 14): every ```python block, in order, in
one namespace, from a scratch folder that sees the repository's ``data/``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_readme_has_python_blocks():
    assert BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_readme_python_blocks_run(tmp_path, monkeypatch):
    if not (ROOT / "data" / "sample" / "kadry.toml").is_file():
        pytest.skip("the bundled sample region data/sample is missing")
    (tmp_path / "data").symlink_to(ROOT / "data", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    for i, code in enumerate(BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "out" / "2026" / "manifest.json").is_file()
    assert os.listdir(ROOT / "data" / "sample")  # the sample itself is untouched (read only)
