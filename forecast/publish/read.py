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

The tables are read by :mod:`forecast.outputs`, the one reader of output folders.

Examples
--------
>>> sorted(TEXT_COLUMNS)[:3]
['college', 'college_code', 'department']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast.errors import InputError
from forecast.outputs import TABLE_COLUMNS, TEXT_COLUMNS, Outputs, read_json, read_output_table

#: required tables and their contract columns
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    name: TABLE_COLUMNS[name] for name in ("demand.csv", "quotas_programmes.csv", "quotas_colleges.csv")
}

#: optional tables (written by newer runs or with [evaluation] previous)
OPTIONAL_TABLES: tuple[str, ...] = ("programme_signals.csv", "evaluation.csv")


@dataclass
class RunOutput(Outputs):
    """A kadry output folder read back for publication: :class:`forecast.outputs.Outputs`
    (the tables, manifest, survey report; ``language``, ``horizon``, ``region``) with the
    raw CSV bytes and the plots.

    Attributes
    ----------
    csv_bytes : dict
        File name → the CSV's bytes as written by the run.
    plots : dict
        PNG file name (in ``plots/``) → bytes.
    """

    csv_bytes: dict[str, bytes] = field(default_factory=dict)
    plots: dict[str, bytes] = field(default_factory=dict)

    @property
    def survey_year(self) -> int:
        return int(self.manifest["survey_year"])

    @property
    def has_departments(self) -> bool:
        return "department" in self.quotas_colleges.columns


def read_table(data: bytes, name: str, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV of the output folder as a frame (:func:`forecast.outputs.read_output_table`:
    codes and names as text, '' for empty; years Int64; the rest float)."""
    return read_output_table(data, name, columns)


def read_output(folder: str | Path) -> RunOutput:
    """Read and check the output folder ``folder`` of ``kadry run`` / ``kadry demo``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder (expected the output folder of kadry run)")
    manifest = read_json(folder / "manifest.json", required=True)
    if "survey_year" not in manifest:
        raise InputError(f"{folder / 'manifest.json'}: no survey_year (not a kadry manifest)")
    report = read_json(folder / "survey_report.json", required=True)
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
