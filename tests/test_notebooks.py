"""The tutorial notebooks are committed executed, and their outputs are current: each is run
afresh (nbclient, the venv's python3 kernel) and every text output must equal the committed
one (``notebooks/build_notebooks.py`` rebuilds them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra installs nbformat")
pytest.importorskip("nbclient", reason="the dev extra installs nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "notebooks"))
import build_notebooks  # noqa: E402  (the notebooks' source, next to them)


def _text_outputs(nb) -> list[list[str]]:
    """Per code cell, its outputs as text: streams, text/plain and text/html reprs, errors;
    images count by their kind only (pixels may differ between font builds)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outs = []
        for o in cell.get("outputs", []):
            kind = o.get("output_type")
            if kind == "stream":
                outs.append(f"{o.get('name')}: {o.get('text')}")
            elif kind in ("execute_result", "display_data"):
                data = o.get("data", {})
                for mime in sorted(data):
                    outs.append(f"{mime}: {data[mime]}" if mime.startswith("text/") else f"{mime}: <image>")
            elif kind == "error":
                outs.append(f"error: {o.get('ename')}: {o.get('evalue')}")
        cells.append(outs)
    return cells


def test_there_are_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01_surveys.ipynb", "02_forecast.ipynb", "03_quotas.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_built_from_its_source(path):
    """The committed cells are the cells of build_notebooks.py (nobody edited one side only)."""
    committed = nbformat.read(path, as_version=4)
    source = build_notebooks.build(build_notebooks.NOTEBOOKS[path.stem])
    assert [c.source for c in committed.cells] == [c.source for c in source.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), "run notebooks/build_notebooks.py"
    assert sum(bool(c.get("outputs")) for c in code) >= len(code) // 2


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_outputs_are_current(path, tmp_path):
    if not (ROOT / "data" / "sample" / "kadry.toml").is_file():
        pytest.skip("the bundled sample region data/sample is missing")
    committed = nbformat.read(path, as_version=4)
    fresh = build_notebooks.execute(nbformat.read(path, as_version=4), tmp_path)
    new = _text_outputs(fresh)
    assert not [o for outs in new for o in outs if o.startswith("error:")]
    old = _text_outputs(committed)
    for i, (a, b) in enumerate(zip(old, new)):
        assert a == b, f"{path.name}, code cell {i}: output differs from the committed one " \
                       "(rebuild with notebooks/build_notebooks.py)"
