"""Reading and checking the quota input tables (interfaces.md ``[quotas]``, methodology.md §4–6).

Each table comes as a CSV path (UTF-8 with or without BOM; every cell read as text, so codes
keep their leading zeros) or as a DataFrame. Checks raise :class:`forecast.errors.InputError`
naming the table, the row and the value; rows the methodology says to report and ignore
become entries of the issues list instead.

Row numbers are those of the CSV file: the header is line 1, so the first data row is row 2.
For a DataFrame the row is its position + 2 (as if it were written to CSV), and messages add
the DataFrame position.

Choices where the contract is silent (written down here so users can rely on them):

* Column names are matched after trimming and lower-casing; extra columns are ignored.
  The delimiter is `,` or `;` (whichever the header line has more of), as for survey CSVs.
* ``programmes.level`` accepts the level names and their aliases (``forecast.classifiers``);
  only ``СПО-КРС``/``СПО-ССЗ`` programmes get quotas, and only their ``duration_months`` must be
  22, 34 or 46 (a ВО programme of 48 months may stay in the table). A duplicate programme code
  is an error. A СПО code not of the form NN.NN.NN is reported (``programme_code_format``)
  and used as given.
* ``employment_rate`` must lie in (0, 1] and ``dropout`` in [0, 1) where given.
* ``mapping``: a duplicate (profession, programme) pair is an error; weights lie in [0, 1].
* Every message names table, row, column and value in one style (:meth:`Table.at`):
  ``programmes.csv row 3, column duration_months: '-5' is not a positive number of months``.
* ``colleges``: ``capacity`` is a non-negative whole number (required); an empty
  ``last_quota`` is 0; an empty ``college`` name is allowed. The optional ``department``
  (the body that founds the college and approves its КЦП) is text, empty for one unnamed
  department; a college given two different departments is an error. Rows naming an unknown programme
  are reported (``unknown_programme``) and ignored, as the methodology says; rows of a known
  programme that gets no quota (ВО, ПО, БО) are left out of the output without a report.
* ``enrolment``: ``students`` is a non-negative number; several rows of the same programme and
  admission year are added up (the table has no college column, so a region may list the
  intake of each college separately). Rows of programmes without quotas are ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.classifiers import (
    PROGRAMME_CODE_RE,
    PROGRAMME_DURATIONS,
    QUOTA_LEVELS,
    normalize_education,
)
from forecast.columns import (
    COLLEGES_COLUMNS,
    ENROLMENT_COLUMNS,
    MAPPING_COLUMNS,
    PROGRAMMES_COLUMNS,
)
from forecast.errors import InputError, cell_error, cell_location
from forecast.tabular import read_text_table

#: tolerance of "weights sum to 1" (methodology.md §4)
WEIGHT_TOLERANCE = 1e-6

#: columns of the issues frame (ISSUE_COLUMNS with ``table`` in place of file and sheet, and
#: ``message_ru``: the same message in Russian, for the workbook of a Russian run)
QUOTA_ISSUE_COLUMNS: tuple[str, ...] = (
    "table", "row", "column", "value", "severity", "code", "message", "message_ru",
)

#: issue code → message template (English, Russian), same placeholders; ``{at}`` is where the
#: cell is (:meth:`Table.at` / :meth:`Table.at_ru`)
QUOTA_MESSAGES: dict[str, tuple[str, str]] = {
    "programme_code_format": (
        "{at}: programme code {programme!r} is not of the form NN.NN.NN (ФГОС СПО); used as given",
        "{at}: код программы {programme!r} не вида NN.NN.NN (ФГОС СПО); взят как есть"),
    "unknown_programme": (
        "{at}: programme {programme!r} of college {college} is not in the programmes table; "
        "row ignored",
        "{at}: программы {programme!r} организации {college} нет в таблице программ; "
        "строка не учтена"),
    "future_cohort": (
        "{at}: admission year {year} is after the survey year {survey_year}; row ignored (only "
        "students already enrolled count)",
        "{at}: год приёма {year} позже года обследования {survey_year}; строка не учтена "
        "(учитываются только уже зачисленные)"),
    "min_group_relaxed": (
        "programme {programme}, quota {quota}: minimum group {min_group} cannot be met by any "
        "set of colleges within their capacities; allocated without the rule",
        "программа {programme}, КЦП {quota}: минимальную группу {min_group} нельзя соблюсти ни "
        "при каком наборе организаций в пределах их мощностей; распределено без этого правила"),
    "allocation_fallback": (
        "programme {programme}, quota {quota}: MILP solver failed ({error}); allocated by the "
        "dynamic programme instead (exact: the same optimum)",
        "программа {programme}, КЦП {quota}: решатель MILP не справился ({error}); "
        "распределено динамическим программированием (точно: тот же оптимум)"),
}

TableSource = str | Path | pd.DataFrame | None


@dataclass
class Table:
    """A table read as text, with where each row came from."""

    name: str             # programmes, mapping, colleges, enrolment, demand
    label: str            # for messages: "colleges table" or the file path
    frame: pd.DataFrame   # text columns (DataFrame input keeps numeric columns as they are)
    rows: np.ndarray      # CSV row number of each frame row
    from_frame: bool

    def row(self, i: int) -> str:
        """'5' (CSV line) or '5 (DataFrame position 3)'."""
        row = int(self.rows[i])
        return f"{row}" + (f" (DataFrame position {row - 2})" if self.from_frame else "")

    def where(self, i: int) -> str:
        """'row 5' (CSV) or 'row 5 (DataFrame position 3)'."""
        return f"row {self.row(i)}"

    def at(self, i: int, column: str | None = None) -> str:
        """Where a cell is, the one style of every message about a quota input table:
        ``programmes.csv row 3, column duration_months``.

        >>> t = read_table(pd.DataFrame({"code": ["01"]}), "programmes", ("code",))
        >>> t.at(0, "code")
        'programmes table row 2 (DataFrame position 0), column code'
        """
        return cell_location(self.label, self.row(i), column)

    def at_ru(self, i: int, column: str | None = None) -> str:
        """:meth:`at` in Russian: ``colleges.csv, строка 3, столбец capacity``."""
        where = self.label if not self.from_frame else f"таблица {self.name}"
        where += f", строка {int(self.rows[i])}"
        if self.from_frame:
            where += f" (позиция {int(self.rows[i]) - 2})"
        return where + (f", столбец {column}" if column else "")

    def error(self, i: int, column: str | None, what: str) -> InputError:
        """InputError ``<table> row <r>, column <c>: <what>`` (what names the value)."""
        return cell_error(self.label, self.row(i), column, what)


def read_table(
    source: TableSource,
    name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    allow_missing_table: bool = False,
) -> Table:
    """Read ``source`` as a text table and check it has the ``required`` columns.

    >>> t = read_table(pd.DataFrame({"Code ": ["01"]}), "x", ("code",))
    >>> t.frame["code"].tolist(), t.rows.tolist()
    (['01'], [2])
    """
    if source is None:
        if allow_missing_table:
            source = pd.DataFrame({c: pd.Series([], dtype=object) for c in required + optional})
        else:
            raise InputError(f"no {name} table given (expected columns {', '.join(required)})")
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        label, from_frame = f"{name} table", True
    else:
        path = Path(source)
        # the file name (programmes.csv): the config key or the caller names the folder
        label, from_frame = path.name, False
        if not path.is_file():
            raise InputError(f"{name} table {path}: file not found")
        try:
            frame = read_text_table(path, skipinitialspace=False)
        except UnicodeDecodeError as err:
            raise InputError(f"{label}: not UTF-8 text ({err.reason} at byte {err.start})") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
            raise InputError(f"{label}: cannot read as CSV: {err}") from None
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    if frame.columns.duplicated().any():
        dup = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError(f"{label}: duplicate column(s) {', '.join(dup)}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{label}: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(required + optional)}"
        )
    for c in optional:
        if c not in frame.columns:
            frame[c] = ""
    frame = frame[list(required + optional) + [c for c in frame.columns
                                               if c not in required + optional]]
    rows = np.arange(len(frame), dtype=np.int64) + 2
    return Table(name, label, frame, rows, from_frame)


def as_text(values: pd.Series) -> pd.Series:
    """Codes and names as trimmed text (object dtype); NaN/None become ''; whole floats lose '.0'.

    >>> as_text(pd.Series([" 19861", 7231, 15.0, None])).tolist()
    ['19861', '7231', '15', '']
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype(str).astype(object)

    def one(v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).replace("\ufeff", "").strip()

    uniq = pd.unique(values.to_numpy(dtype=object))
    if len(uniq) * 4 < len(values):
        table = {v: one(v) for v in uniq if not (isinstance(v, float) and math.isnan(v))}
        return pd.Series([table[v] if v in table else "" for v in values.to_numpy(dtype=object)],
                         index=values.index, dtype=object)
    return pd.Series([one(v) for v in values.to_numpy(dtype=object)], index=values.index,
                     dtype=object)


def as_number(
    table: Table,
    column: str,
    *,
    required: bool,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """Parse ``column`` as numbers (float array, NaN where empty and not required).

    Raises InputError naming table, row, column and value for a non-number, an empty
    required cell, a fractional value where ``integer`` and a value outside [low, high]
    (the first offending row). A decimal comma (``0,75``) is accepted.

    >>> t = read_table(pd.DataFrame({"n": ["1", " 2,5", ""]}), "x", ("n",))
    >>> as_number(t, "n", required=False).tolist()
    [1.0, 2.5, nan]
    """
    raw = table.frame[column]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        x = raw.to_numpy(dtype=float, na_value=np.nan)
        text = raw.astype(str)
        empty = np.isnan(x)
    else:
        s = raw.astype("string").str.strip()
        empty = (s.isna() | (s == "")).to_numpy(dtype=bool)
        cleaned = s.str.replace(",", ".", regex=False).str.replace("\u00a0", "", regex=False)
        cleaned = cleaned.str.replace(" ", "", regex=False)
        x = pd.to_numeric(cleaned.astype(object).where(~empty, None), errors="coerce")
        x = np.asarray(x, dtype=float)
        text = s.fillna("")
        bad = ~empty & np.isnan(x)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise table.error(i, column, f"{text.iloc[i]!r} is not a number")

    def fail(mask: np.ndarray, what: str) -> None:
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            value = "" if empty[i] else f"{text.iloc[i]!r} "
            raise table.error(i, column, f"{value}{what}")

    if required:
        fail(empty, "empty (a number is required)")
    ok = ~empty
    fail(ok & np.isinf(np.where(ok, x, 0.0)), "is not finite")
    xv = np.where(ok, x, 0.0)
    if integer:
        fail(ok & (xv != np.floor(xv)), "is not a whole number")
    if low is not None:
        below = (xv <= low) if low_open else (xv < low)
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        rng = f"{lo}{low}, {'inf' if high is None else high}{hi}"
        fail(ok & below & (xv < 0) & (low == 0), "is negative")
        fail(ok & below, f"is outside {rng}")
    if high is not None:
        above = (xv >= high) if high_open else (xv > high)
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        rng = f"{lo}{'-inf' if low is None else low}, {high}{hi}"
        fail(ok & above, f"is outside {rng}")
    return np.where(ok, x, np.nan)


def issue(table: str, row: Any, column: str, value: Any, severity: str, code: str,
          **fields: Any) -> dict[str, Any]:
    """One entry of the issues list: ``fields`` fill the code's :data:`QUOTA_MESSAGES`
    templates (``at_ru`` fills the Russian ``{at}``), so both languages say the same facts."""
    en, ru = QUOTA_MESSAGES[code]
    at_ru = fields.pop("at_ru", None)
    fields_ru = fields if at_ru is None else {**fields, "at": at_ru}
    return {"table": table, "row": row, "column": column, "value": value,
            "severity": severity, "code": code, "message": en.format(**fields),
            "message_ru": ru.format(**fields_ru)}


@dataclass
class QuotaInputs:
    """The four checked input tables (one row per input row kept)."""

    #: code, name, level, duration_months (int), employment_rate, dropout (float, NaN = empty),
    #: quota (bool: level is СПО), row
    programmes: pd.DataFrame
    #: profession_code, programme_code, weight, level (of the programme), row
    mapping: pd.DataFrame
    #: college_code, college, programme_code, capacity (int), last_quota (int),
    #: employment_rate (float, NaN = empty), row — unknown programmes already dropped
    colleges: pd.DataFrame
    #: programme_code, admission_year (int), students (float), row, at and at_ru (where, for messages);
    #: every row (:func:`current_cohorts` keeps those admitted in T or earlier)
    enrolment: pd.DataFrame
    issues: list[dict[str, Any]] = field(default_factory=list)


def _duplicates(table: Table, keys: pd.DataFrame, what: str) -> None:
    dup = keys.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((keys == keys.iloc[i]).all(axis=1).to_numpy())[0])
        value = ", ".join(str(v) for v in keys.iloc[i].tolist())
        raise table.error(i, None, f"duplicate {what} ({value}); first given in {table.where(first)}")


def read_programmes(source: TableSource,
                    issues: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """Check the programmes table (code, name, level, duration_months, employment_rate, dropout)."""
    req = ("code", "level", "duration_months")
    t = read_table(source, "programmes", req, tuple(c for c in PROGRAMMES_COLUMNS if c not in req))
    f = t.frame
    code = as_text(f["code"])
    for i, c in enumerate(code):
        if c == "":
            raise t.error(i, "code", "empty programme code")
    _duplicates(t, pd.DataFrame({"code": code}), "programme code")
    levels = []
    for i, v in enumerate(as_text(f["level"])):
        level, _ = normalize_education(v)
        if level is None:
            raise t.error(i, "level", f"{v!r} is not an education level "
                          f"(expected one of {', '.join(QUOTA_LEVELS)}, ВО, ПО, БО)")
        levels.append(level)
    quota = np.array([lv in QUOTA_LEVELS for lv in levels], dtype=bool)
    if issues is not None:
        for i in np.flatnonzero(quota):
            if not PROGRAMME_CODE_RE.match(code.iloc[i]):
                issues.append(issue(
                    "programmes", int(t.rows[i]), "code", code.iloc[i], "warning",
                    "programme_code_format", at=t.at(i, "code"), at_ru=t.at_ru(i, "code"),
                    programme=code.iloc[i],
                ))
    duration = duration_months(t)
    for i in np.flatnonzero(quota):
        if int(duration[i]) not in PROGRAMME_DURATIONS:
            raise t.error(i, "duration_months",
                          f"{_cell(f['duration_months'].iloc[i])!r} is not one of "
                          f"{', '.join(map(str, PROGRAMME_DURATIONS))} months "
                          f"(programme {code.iloc[i]})")
    rate = as_number(t, "employment_rate", required=False, low=0, low_open=True, high=1)
    dropout = as_number(t, "dropout", required=False, low=0, high=1, high_open=True)
    return pd.DataFrame({
        "code": code.to_numpy(dtype=object),
        "name": as_text(f["name"]).to_numpy(dtype=object),
        "level": np.array(levels, dtype=object),
        "duration_months": duration.astype(np.int64),
        "employment_rate": rate,
        "dropout": dropout,
        "quota": quota,
        "row": t.rows,
    })


def read_mapping(source: TableSource, programmes: pd.DataFrame) -> pd.DataFrame:
    """Check the mapping table against the programmes; weights per (profession, level) sum to 1."""
    t = read_table(source, "mapping", MAPPING_COLUMNS)
    f = t.frame
    prof = as_text(f["profession_code"])
    prog = as_text(f["programme_code"])
    level_of = dict(zip(programmes["code"], programmes["level"]))
    for i, (p, s) in enumerate(zip(prof, prog)):
        if p == "":
            raise t.error(i, "profession_code", "empty code")
        if s not in level_of:
            raise t.error(i, "programme_code", f"{s!r} is not in the programmes table")
    _duplicates(t, pd.DataFrame({"p": prof, "s": prog}), "(profession_code, programme_code) pair")
    weight = as_number(t, "weight", required=True, low=0, high=1)
    out = pd.DataFrame({
        "profession_code": prof.to_numpy(dtype=object),
        "programme_code": prog.to_numpy(dtype=object),
        "weight": weight,
        "level": np.array([level_of[s] for s in prog], dtype=object),
        "row": t.rows,
    })
    sums = out.groupby(["profession_code", "level"], sort=True)["weight"].sum()
    bad = sums[(sums - 1.0).abs() > WEIGHT_TOLERANCE]
    if len(bad):
        (p, lv), total = bad.index[0], float(bad.iloc[0])
        rows = out.loc[(out["profession_code"] == p) & (out["level"] == lv), "row"].tolist()
        first = int(np.flatnonzero(t.rows == rows[0])[0])
        raise t.error(first, "weight",
                      f"weights of profession {p} at level {lv} sum to {total:.9g}, not 1 "
                      f"({'row' if len(rows) == 1 else 'rows'} {', '.join(map(str, rows))})")
    return out


def read_colleges(source: TableSource, programmes: pd.DataFrame,
                  issues: list[dict[str, Any]]) -> pd.DataFrame:
    """Check the colleges table; rows naming an unknown programme are reported and dropped."""
    req = ("college_code", "programme_code", "capacity")
    t = read_table(source, "colleges", req, tuple(c for c in COLLEGES_COLUMNS if c not in req),
                   allow_missing_table=True)
    f = t.frame
    kcode = as_text(f["college_code"])
    prog = as_text(f["programme_code"])
    for i, k in enumerate(kcode):
        if k == "":
            raise t.error(i, "college_code", "empty code")
    _duplicates(t, pd.DataFrame({"k": kcode, "s": prog}), "(college_code, programme_code) pair")
    capacity = as_number(t, "capacity", required=True, integer=True, low=0)
    last = as_number(t, "last_quota", required=False, integer=True, low=0)
    rate = as_number(t, "employment_rate", required=False, low=0, low_open=True, high=1)
    dept = as_text(f["department"])
    seen: dict[str, int] = {}
    for i, (k, dp) in enumerate(zip(kcode, dept)):
        j = seen.setdefault(k, i)
        if dept.iloc[j] != dp:
            raise t.error(i, "department",
                          f"{dp!r} differs from {dept.iloc[j]!r} given for college {k} in "
                          f"{t.where(j)} (a college has one founding department)")
    known = set(programmes["code"])
    keep = np.array([s in known for s in prog], dtype=bool)
    for i in np.flatnonzero(~keep):
        issues.append(issue(
            "colleges", int(t.rows[i]), "programme_code", prog.iloc[i], "warning",
            "unknown_programme", at=t.at(i, "programme_code"), at_ru=t.at_ru(i, "programme_code"),
            programme=prog.iloc[i], college=kcode.iloc[i],
        ))
    out = pd.DataFrame({
        "college_code": kcode.to_numpy(dtype=object),
        "college": as_text(f["college"]).to_numpy(dtype=object),
        "department": as_text(f["department"]).to_numpy(dtype=object),
        "programme_code": prog.to_numpy(dtype=object),
        "capacity": capacity.astype(np.int64),
        "last_quota": np.nan_to_num(last, nan=0.0).astype(np.int64),
        "employment_rate": rate,
        "row": t.rows,
    })
    return out[keep].reset_index(drop=True)


def read_enrolment(source: TableSource, programmes: pd.DataFrame) -> pd.DataFrame:
    """Check the enrolment table (every row kept; :func:`current_cohorts` applies T)."""
    t = read_table(source, "enrolment", ENROLMENT_COLUMNS, allow_missing_table=True)
    f = t.frame
    prog = as_text(f["programme_code"])
    known = set(programmes["code"])
    for i, s in enumerate(prog):
        if s not in known:
            raise t.error(i, "programme_code", f"{s!r} is not in the programmes table")
    year = as_number(t, "admission_year", required=True, integer=True)
    students = as_number(t, "students", required=True, low=0)
    return pd.DataFrame({
        "programme_code": prog.to_numpy(dtype=object),
        "admission_year": year.astype(np.int64),
        "students": students,
        "row": t.rows,
        "at": [t.at(i, "admission_year") for i in range(len(f))],
        "at_ru": [t.at_ru(i, "admission_year") for i in range(len(f))],
    })


def current_cohorts(enrolment: pd.DataFrame,
                    survey_year: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Cohorts admitted in T or earlier; later ones reported (``future_cohort``) and dropped."""
    late = enrolment["admission_year"].to_numpy() > survey_year
    issues = [issue(
        "enrolment", int(r.row), "admission_year", int(r.admission_year), "warning",
        "future_cohort", at=r.at, at_ru=r.at_ru, year=int(r.admission_year),
        survey_year=survey_year,
    ) for r in enrolment[late].itertuples(index=False)]
    return enrolment[~late].reset_index(drop=True), issues


def read_inputs(programmes: TableSource, mapping: TableSource, colleges: TableSource = None,
                enrolment: TableSource = None) -> QuotaInputs:
    """Read and check all four tables; every check that needs no demand and no survey year.

    The run calls it once, at configuration time (:func:`check_tables`), so that a bad table
    stops the run before the long work; :func:`forecast.quotas.derive_quotas_detailed` calls
    it on the tables it is given.
    """
    issues: list[dict[str, Any]] = []
    progs = read_programmes(programmes, issues)
    mapp = read_mapping(mapping, progs)
    cols = read_colleges(colleges, progs, issues)
    enrol = read_enrolment(enrolment, progs)
    return QuotaInputs(progs, mapp, cols, enrol, issues)


def duration_months(table: Table) -> np.ndarray:
    """The ``duration_months`` column: whole, positive numbers of months (the one reader of
    it; :func:`forecast.quotas.programmes.graduation_offset` turns months into years)."""
    x = as_number(table, "duration_months", required=True, integer=True)
    bad = np.flatnonzero(~(x > 0))
    if len(bad):
        i = int(bad[0])
        raise table.error(i, "duration_months",
                          f"{_cell(table.frame['duration_months'].iloc[i])!r} is not a positive "
                          "number of months")
    return x


def _cell(v: Any) -> str:
    """A cell as the user typed it (numbers of a DataFrame without a trailing '.0')."""
    return as_text(pd.Series([v], dtype=object)).iloc[0]


__all__ = [
    "QUOTA_ISSUE_COLUMNS",
    "QuotaInputs",
    "Table",
    "as_number",
    "as_text",
    "issue",
    "current_cohorts",
    "duration_months",
    "read_colleges",
    "read_enrolment",
    "read_inputs",
    "read_mapping",
    "read_programmes",
    "read_table",
    "WEIGHT_TOLERANCE",
]
