"""Writing output files: atomic replacement, deterministic CSV, JSON, hashes.

Every file is written to a temporary name in its own folder and moved into place with
``os.replace``, so a run killed at any moment leaves each previous output file whole
(either the old or the new version, never a torn one).

An output folder belongs to one run at a time: :func:`output_lock` takes an advisory lock
on ``<folder>/.kadry.lock`` (``fcntl.flock``; ``msvcrt.locking`` on Windows), released (and
the file removed) when the run ends, or by the system when its process dies, so a second ``kadry run`` into the same folder stops at
once with exit 2 naming the process that holds it (the first run is never overwritten by a
slower second one). Files that the previous run listed in its ``manifest.json`` and this run
does not write (an old ``forecast_2031.xlsx``) are removed by :func:`remove_stale_outputs`;
files kadry did not write are never touched.

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
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from forecast.errors import ConfigError

#: the lock file inside an output folder
LOCK_NAME = ".kadry.lock"
#: output folders locked by this process (a run that writes holds the lock it took first)
_HELD: dict[Path, int] = {}

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


def check_output_dir(out_dir: str | Path) -> Path:
    """Make sure ``out_dir`` is (or can become) a writable folder; ConfigError (exit 2) if not.

    Run before the long work, so that a typo in ``--out`` costs a second, not a whole run.
    """
    out = Path(out_dir)
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"output folder {out}: {parent} is a file, not a folder "
                                  "(choose another --out or [output] dir)")
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".kadry-write-test.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"output folder {out} is not writable: {exc.strerror or exc}") from None
    return out


def _try_lock(fh) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def output_lock(out_dir: str | Path) -> Iterator[Path]:
    """Hold the output folder's lock for the ``with`` block (reentrant within a process).

    Raises
    ------
    ConfigError
        Another process holds the lock (exit 2; the message names its pid, host and start).
    """
    created = not Path(out_dir).exists()
    out = check_output_dir(out_dir).resolve()
    if out in _HELD:
        _HELD[out] += 1
        try:
            yield out
        finally:
            _HELD[out] -= 1
        return
    path = out / LOCK_NAME
    fh = open(path, "a+", encoding="utf-8")
    try:
        if not _try_lock(fh):
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise ConfigError(f"output folder {out} is in use by another kadry run ({holder}); "
                              "wait for it to finish or choose another --out")
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}, started "
                 f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        fh.flush()
        _HELD[out] = 1
        try:
            yield out
        finally:
            del _HELD[out]
            # removed while still held, so the folder is left as the run wrote it; a run
            # that opened the old file in that instant finds it unlocked and proceeds
            # alone, as the previous one has ended
            path.unlink(missing_ok=True)
    finally:
        fh.close()  # closing releases the lock
        if created and out not in _HELD and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a run that failed before writing anything leaves no empty folder


def previous_outputs(out_dir: str | Path) -> set[str]:
    """Relative paths the last complete run listed in ``<out_dir>/manifest.json``."""
    path = Path(out_dir) / "manifest.json"
    try:
        listed = json.loads(path.read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError, AttributeError):
        return set()
    return {str(rel) for rel in listed} if isinstance(listed, dict) else set()


def remove_stale_outputs(out_dir: str | Path, previous: set[str], written: set[str]) -> list[str]:
    """Remove files of the previous run (``previous``) that this run did not write.

    Only paths inside ``out_dir`` are touched; anything kadry did not list stays.
    """
    out = Path(out_dir).resolve()
    removed = []
    for rel in sorted(previous - written - {"manifest.json"}):
        path = (out / rel).resolve()
        if out not in path.parents or not path.is_file():
            continue  # a manifest edited by hand must not make us delete outside the folder
        path.unlink()
        removed.append(rel)
    return removed


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


__all__ = ["write_bytes_atomic", "csv_bytes", "write_csv", "json_bytes", "write_json", "sha256_file",
           "check_output_dir", "output_lock", "previous_outputs", "remove_stale_outputs", "LOCK_NAME"]
