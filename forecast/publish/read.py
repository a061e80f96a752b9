"""Reading a kadry output folder back for publication (interfaces.md, "Output folder").

:func:`read_output` checks that the folder holds what ``kadry run`` writes and returns a
:class:`RunOutput`: the tables with codes and names as text and numbers as floats, the
manifest and the survey report as dicts, and the PNG plots by name.

Choices (the contract is silent):

* Required: ``manifest.json``, ``demand.csv``, ``quotas_programmes.csv``,
  ``quotas_colleges.csv``, ``survey_report.json``. ``plots/``, ``programme_signals.csv`` and
  ``evaluation.csv`` are optional. A missing or unreadable file, or a table without its
  contract columns, is an :class:`~forecast.errors.InputError` (exit 2) naming file and
  columns.
* ``quotas_colleges.csv`` may carry ``department`` (after ``college``); without it every
  college belongs to one department (``RunOutput.has_departments`` is False).
* The raw bytes of every CSV are kept (``csv_bytes``) so that the site offers byte-identical
  copies for download.

Examples
--------
>>> sorted(TEXT_COLUMNS)[:3]
['college', 'college_code', 'department']
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.columns import DEMAND_COLUMNS, QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.errors import InputError

#: columns read as text wherever they occur (codes keep leading zeros, names stay as written)
TEXT_COLUMNS: frozenset[str] = frozenset({
    "scenario", "level", "okved_section", "profession_code", "profession", "education",
    "programme_code", "programme", "college_code", "college", "department", "signal",
    "message", "key", "model", "method",
})

#: required tables and their contract columns
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    "demand.csv": DEMAND_COLUMNS,
    "quotas_programmes.csv": QUOTAS_PROGRAMMES_COLUMNS,
    # department is optional: folders written before it existed are published as one department
    "quotas_colleges.csv": tuple(c for c in QUOTAS_COLLEGES_COLUMNS if c != "department"),
}

#: optional tables (written by newer runs or with [evaluation] previous)
OPTIONAL_TABLES: tuple[str, ...] = ("programme_signals.csv", "evaluation.csv")


@dataclass
class RunOutput:
    """A kadry output folder, read back.

    Attributes
    ----------
    folder : Path
    manifest, survey_report : dict
    demand, quotas_programmes, quotas_colleges : DataFrame
    programme_signals, evaluation : DataFrame or None
        Only when the folder holds the file.
    csv_bytes : dict
        File name → the CSV's bytes as written by the run.
    plots : dict
        PNG file name (in ``plots/``) → bytes.
    """

    folder: Path
    manifest: dict[str, Any]
    survey_report: dict[str, Any]
    demand: pd.DataFrame
    quotas_programmes: pd.DataFrame
    quotas_colleges: pd.DataFrame
    programme_signals: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None
    csv_bytes: dict[str, bytes] = field(default_factory=dict)
    plots: dict[str, bytes] = field(default_factory=dict)

    @property
    def survey_year(self) -> int:
        return int(self.manifest["survey_year"])

    @property
    def language(self) -> str:
        lang = ((self.manifest.get("config") or {}).get("output") or {}).get("language", "ru")
        return "en" if lang == "en" else "ru"

    @property
    def horizon(self) -> int:
        return int(((self.manifest.get("config") or {}).get("forecast") or {}).get("horizon", 0))

    @property
    def region(self) -> dict[str, str]:
        """``[region]`` of the config as recorded (empty when the run had none)."""
        return dict((self.manifest.get("config") or {}).get("region") or {})

    @property
    def has_departments(self) -> bool:
        return "department" in self.quotas_colleges.columns


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found (is this a kadry output folder?)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def read_table(data: bytes, name: str, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV of the output folder as a frame: TEXT_COLUMNS as text ('' for empty), the rest numeric."""
    try:
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name}: cannot read CSV: {exc}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: lacks column(s) {', '.join(missing)}")
    for c in frame.columns:
        if c in TEXT_COLUMNS:
            frame[c] = frame[c].astype(object)
            continue
        num = pd.to_numeric(frame[c].replace("", None), errors="coerce")
        bad = frame[c].ne("") & num.isna()
        if bad.any() and c in columns:
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
            raise InputError(f"{name}: row {row}, column {c}: not a number: {frame[c][bad].iloc[0]!r}")
        if not bad.any():
            frame[c] = num.astype(float)
        else:  # a text column this version does not know: keep it as text
            frame[c] = frame[c].astype(object)
    return frame


def read_output(folder: str | Path) -> RunOutput:
    """Read and check the output folder ``folder`` of ``kadry run`` / ``kadry demo``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder (expected the output folder of kadry run)")
    manifest = _read_json(folder / "manifest.json")
    if "survey_year" not in manifest:
        raise InputError(f"{folder / 'manifest.json'}: no survey_year (not a kadry manifest)")
    report = _read_json(folder / "survey_report.json")
    raw: dict[str, bytes] = {}
    tables: dict[str, pd.DataFrame] = {}
    for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        path = folder / name
        if not path.is_file():
            if name in REQUIRED_TABLES:
                raise InputError(f"{path}: file not found (is this a kadry output folder?)")
            continue
        raw[name] = path.read_bytes()
        tables[name] = read_table(raw[name], str(path), REQUIRED_TABLES.get(name, ()))
    plots = {}
    if (folder / "plots").is_dir():
        plots = {p.name: p.read_bytes() for p in sorted((folder / "plots").glob("*.png")) if p.is_file()}
    return RunOutput(
        folder=folder, manifest=manifest, survey_report=report,
        demand=tables["demand.csv"], quotas_programmes=tables["quotas_programmes.csv"],
        quotas_colleges=tables["quotas_colleges.csv"],
        programme_signals=tables.get("programme_signals.csv"), evaluation=tables.get("evaluation.csv"),
        csv_bytes=raw, plots=plots,
    )


__all__ = ["RunOutput", "read_output", "read_table", "TEXT_COLUMNS", "REQUIRED_TABLES", "OPTIONAL_TABLES"]
