"""Writing output files: atomic replacement, deterministic CSV, JSON, hashes.

Every file is written to a temporary name in its own folder and moved into place with
``os.replace``, so a run killed at any moment leaves each previous output file whole
(either the old or the new version, never a torn one).

CSV files (interfaces.md): UTF-8 with BOM, comma-separated, one header row, no index,
``\\n`` line ends, floats in Python's shortest round-trip repr (stable across runs), empty
cells for missing values. Text is written as is (no formula escaping: the CSV is a data
file; the workbook is where survey text is protected).

Examples
--------
>>> import pandas as pd
>>> csv_bytes(pd.DataFrame({"a": [1, 2], "b": [0.1, None]}))
b'\\xef\\xbb\\xbfa,b\\n1,0.1\\n2,\\n'
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

#: test hook: seconds to sleep after each file is written (lets a test kill a run mid-write)
_DELAY_ENV = "KADRY_WRITE_DELAY"


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    delay = os.environ.get(_DELAY_ENV)
    if delay:
        time.sleep(float(delay))
    return path


def csv_bytes(frame: pd.DataFrame, columns: tuple[str, ...] | list[str] | None = None) -> bytes:
    """The bytes of a deterministic CSV of ``frame`` (optionally exactly ``columns``, in order)."""
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"table lacks columns {missing}")
        frame = frame.loc[:, list(columns)]
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def write_csv(path: str | Path, frame: pd.DataFrame, columns=None) -> Path:
    """Write ``frame`` as a deterministic UTF-8-BOM CSV, atomically."""
    return write_bytes_atomic(path, csv_bytes(frame, columns))


def json_bytes(obj: Any) -> bytes:
    """Pretty, UTF-8 (not ASCII-escaped) JSON; NaN becomes null."""
    return (json.dumps(_clean(obj), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as JSON, atomically."""
    return write_bytes_atomic(path, json_bytes(obj))


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _clean(obj: Any) -> Any:
    """Make numpy/pandas scalars and NaN JSON-friendly."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(obj, float) and obj != obj:
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


__all__ = ["write_bytes_atomic", "csv_bytes", "write_csv", "json_bytes", "write_json", "sha256_file"]
