"""Where benchmark results go: ``benchmarks/results/<name>.json`` (gitignored)."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def save(name: str, result: dict, path: str | Path | None = None) -> Path:
    """Write ``result`` as JSON to ``path`` (default ``benchmarks/results/<name>.json``)."""
    path = Path(path) if path else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=float) + "\n",
                    encoding="utf-8")
    return path
