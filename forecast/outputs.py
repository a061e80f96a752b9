"""Reading an output folder back: the tables of interfaces.md with documented dtypes.

``pandas.read_csv("demand.csv")`` guesses types: a profession code ``11442`` becomes the
float ``11442.0`` and an ОКВЭД2 section or programme code may lose its leading zero. Codes
are identifiers, not numbers, so :func:`read_outputs` reads every output table with

* text columns (:data:`TEXT_COLUMNS`: codes, names, scenario, level, signal, messages) as
  text (``object`` of ``str``), an empty cell being ``""`` as in the frames of
  :class:`forecast.pipeline.RunResult` (a profession row's empty ``okved_section``);
* whole-number columns (:data:`INTEGER_COLUMNS`: years, horizon, counts) as ``Int64``;
* flags (:data:`BOOLEAN_COLUMNS`: ``in_80``, ``in_95``) as ``boolean``;
* every other column as ``float64`` (empty cells NaN); a column this version does not know
  whose cells are not all numbers stays text (a newer kadry's output stays readable).

This module is the one reader of output folders: ``kadry evaluate`` (previous and current
run), ``kadry publish`` and analysts (:func:`read_outputs`) all go through
:func:`read_output_table`.

Tables that a run did not write (``evaluation.csv`` without ``[evaluation] previous``,
``programme_signals.csv`` of an older version) are ``None``.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "demand.csv").write_text(
...     "scenario,level,profession_code,year,demand\\nbase,profession,01234,2027,1.5\\n",
...     encoding="utf-8-sig")
>>> out = Outputs(d, demand=read_output_table(d / "demand.csv"))
>>> out.demand["profession_code"].tolist(), str(out.demand["year"].dtype)
(['01234'], 'Int64')
>>> str(out.demand["demand"].dtype)
'float64'
>>> out.quotas_programmes is None
True
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast.columns import (
    DEMAND_COLUMNS,
    EVALUATION_COLUMNS,
    PROGRAMME_SIGNALS_COLUMNS,
    QUOTAS_COLLEGES_COLUMNS,
    QUOTAS_PROGRAMMES_COLUMNS,
)
from forecast.errors import InputError

#: columns of output tables that hold text (codes are identifiers, never numbers)
TEXT_COLUMNS: frozenset[str] = frozenset((
    "region_code", "scenario", "level", "okved_section", "profession_code", "profession",
    "education", "programme_code", "programme", "college_code", "college", "department",
    "signal", "message", "kind", "method", "key", "model",
))
#: columns of output tables that hold whole numbers
INTEGER_COLUMNS: frozenset[str] = frozenset((
    "year", "admission_year", "graduation_year", "horizon", "n", "survey_year",
))
#: columns of output tables that hold yes/no flags
BOOLEAN_COLUMNS: frozenset[str] = frozenset(("in_80", "in_95", "cumulative"))

#: attribute name → file name of the tables :func:`read_outputs` reads
TABLE_FILES: dict[str, str] = {
    "demand": "demand.csv",
    "quotas_programmes": "quotas_programmes.csv",
    "quotas_colleges": "quotas_colleges.csv",
    "programme_signals": "programme_signals.csv",
    "evaluation": "evaluation.csv",
}


#: file name → the columns it must have (``department`` of quotas_colleges.csv is optional:
#: folders of kadry 0.1 lack it; every college is then of one department)
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "demand.csv": DEMAND_COLUMNS,
    "quotas_programmes.csv": QUOTAS_PROGRAMMES_COLUMNS,
    "quotas_colleges.csv": tuple(c for c in QUOTAS_COLLEGES_COLUMNS if c != "department"),
    "programme_signals.csv": PROGRAMME_SIGNALS_COLUMNS,
    "evaluation.csv": EVALUATION_COLUMNS,
}


@dataclass
class Outputs:
    """The tables of one output folder (None where the run wrote no such file).

    Attributes
    ----------
    folder : Path
    demand, quotas_programmes, quotas_colleges, programme_signals, evaluation : DataFrame or None
        The CSV files of interfaces.md with the dtypes of :mod:`forecast.outputs`.
    manifest, survey_report : dict
        ``manifest.json`` and ``survey_report.json`` (empty when absent).
    """

    folder: Path
    demand: pd.DataFrame | None = None
    quotas_programmes: pd.DataFrame | None = None
    quotas_colleges: pd.DataFrame | None = None
    programme_signals: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    survey_report: dict[str, Any] = field(default_factory=dict)

    @property
    def survey_year(self) -> int | None:
        """The survey year T of the run (from the manifest), or None."""
        year = self.manifest.get("survey_year")
        return int(year) if year is not None else None

    @property
    def config(self) -> dict[str, Any]:
        """The run's configuration as resolved (``manifest.json`` ``config``)."""
        return dict(self.manifest.get("config") or {})

    @property
    def language(self) -> str:
        """``[output] language`` of the run (``ru`` unless it was ``en``)."""
        return "en" if (self.config.get("output") or {}).get("language") == "en" else "ru"

    @property
    def horizon(self) -> int:
        """``[forecast] horizon`` of the run (0 when the manifest lacks it)."""
        return int((self.config.get("forecast") or {}).get("horizon", 0))

    @property
    def region(self) -> dict[str, str]:
        """``[region]`` of the config as recorded (empty when the run had none)."""
        return dict(self.config.get("region") or {})


def read_output_table(source: str | Path | bytes, name: str | None = None,
                      columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """One output CSV with the documented dtypes (see the module docstring).

    Parameters
    ----------
    source : path of the CSV, or its bytes
    name : how messages name the table (default: the path)
    columns : columns the table must have; a cell of one of them that should be a number
        and is not is an error

    Raises
    ------
    InputError
        The file cannot be read, lacks a required column, or a required number column holds
        text (naming the table, row, column and value).
    """
    if name is None:
        name = str(source) if not isinstance(source, bytes) else "table"
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
        table = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name}: cannot read the table: {exc}") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{name}: lacks column(s) {', '.join(missing)}")
    for col in table.columns:
        text = table[col].astype(str)
        empty = text.str.strip() == ""
        if col in TEXT_COLUMNS:
            table[col] = text.astype(object)
            continue
        if col in BOOLEAN_COLUMNS:
            low = text.str.strip().str.lower()
            table[col] = low.map({"true": True, "false": False, "1": True, "0": False}).astype("boolean")
            continue
        numbers = pd.to_numeric(text.where(~empty, None), errors="coerce")
        bad = numbers.isna() & ~empty
        if bad.any():
            if col in columns or col in INTEGER_COLUMNS:
                i = int(bad.to_numpy().argmax())
                raise InputError(f"{name} row {i + 2}, column {col}: {text.iloc[i]!r} is not a number")
            table[col] = text.astype(object)  # a text column this version does not know
            continue
        table[col] = numbers.round().astype("Int64") if col in INTEGER_COLUMNS else numbers.astype(float)
    return table


def read_json(path: Path, required: bool = False) -> dict[str, Any]:
    """A JSON object file of the output folder ({} when absent and not ``required``)."""
    if not path.is_file():
        if required:
            raise InputError(f"{path}: file not found (is this a kadry output folder?)")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable JSON file: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def read_outputs(folder: str | Path) -> Outputs:
    """The output folder of ``kadry run`` (or ``forecast.run(...).write``) back as frames.

    Parameters
    ----------
    folder : str or Path
        An output folder; it must hold at least ``demand.csv``.

    Returns
    -------
    Outputs
        Codes as text, years as ``Int64``, numbers as ``float64``.

    Raises
    ------
    InputError
        No such folder, no ``demand.csv`` in it, or an unreadable table.
    """
    folder = Path(folder)
    if not (folder / TABLE_FILES["demand"]).is_file():
        raise InputError(f"{folder}: not a kadry output folder (no {TABLE_FILES['demand']})")
    tables = {name: read_output_table(folder / file, columns=TABLE_COLUMNS[file])
              if (folder / file).is_file() else None for name, file in TABLE_FILES.items()}
    return Outputs(folder=folder, manifest=read_json(folder / "manifest.json"),
                   survey_report=read_json(folder / "survey_report.json"), **tables)


__all__ = ["Outputs", "read_outputs", "read_output_table", "read_json", "TEXT_COLUMNS",
           "INTEGER_COLUMNS", "BOOLEAN_COLUMNS", "TABLE_FILES", "TABLE_COLUMNS"]
