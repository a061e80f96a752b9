"""Row validation for every file of a batch at once (vectorised with pandas).

:func:`validate_rows` takes the :class:`~forecast.survey.layout.Table` of each file read and
returns the parsed rows (one per data row, in file then row order), the row issues, and a
``rejected`` flag per row. Every rule of survey-format.md's "Columns" section is here;
the issue codes and messages come from :mod:`forecast.survey.schema`.

Choices where the contract is silent:

* a formula cell without a cached value gets E_FORMULA alone: no other check reads it;
* a negative survey year is E_SURVEY_YEAR (outside 2000–2100), not E_NEGATIVE;
* a boolean cell where a number belongs is E_NOT_NUMBER, and so is a number of 10¹² or
  more (params.MAX_CELL_NUMBER: not a count of people, and it keeps int64 exact);
* need columns a file does not have (beyond its horizon) are 0 in the frame;
* ``submitted_at`` accepts a date cell, ``YYYY-MM-DD`` or ``DD.MM.YYYY`` (a time after the
  date is ignored); it is a ``datetime64`` column, NaT when empty;
* W_ALIAS is reported on every row whose education value is an alias (row and value).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from forecast.classifiers import inn_format_ok, inn_is_valid, normalize_education, okved_section
from forecast.columns import NEED_COLUMNS
from forecast.params import MAX_CELL_NUMBER, SURVEY_YEAR_RANGE
from forecast.survey.cells import cell_text, column_text
from forecast.survey.layout import Table
from forecast.survey.schema import FORM_KEYS, INT_KEYS, TEXT_KEYS, Detail, messages

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_RU = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_PROF = re.compile(r"^\d{4,5}$")


_NAN = float("nan")


def parse_numbers(raw: pd.Series, text: pd.Series) -> pd.Series:
    """Numbers of cells (float, NaN where empty or not a number); booleans are not numbers.

    Number cells (float, int) are taken as they are in one pass; only the other cells
    (numbers stored as text, dates …) go through the text rules.
    """
    vals = raw.tolist()
    out = []
    append = out.append
    slow = []
    for i, v in enumerate(vals):
        t = type(v)
        if t is float or t is int:
            append(v)
        else:
            append(_NAN)
            if not (v is None or t is bool or (t is str and not v)):
                slow.append(i)
    arr = np.array(out, dtype=float)
    if slow:
        idx = raw.index[slow]
        arr[slow] = _parse_numbers_slow(raw.loc[idx], text.loc[idx]).to_numpy()
    arr[~np.isfinite(arr) | (np.abs(arr) >= MAX_CELL_NUMBER)] = np.nan
    return pd.Series(arr, index=raw.index)


def _parse_numbers_slow(raw: pd.Series, text: pd.Series) -> pd.Series:
    obj = raw.astype(object)
    is_bool = obj.map(type).eq(bool).to_numpy()
    num = pd.to_numeric(obj.where(~is_bool, None).where(text.ne(""), None), errors="coerce")
    num = num.astype(float)
    todo = num.isna().to_numpy() & text.ne("").to_numpy() & ~is_bool
    if todo.any():
        cleaned = text[todo].str.replace(_SPACES, "", regex=True).str.replace(",", ".", regex=False)
        ok = cleaned.str.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
        vals = pd.to_numeric(cleaned.where(ok, None), errors="coerce").astype(float)
        num[todo] = vals.to_numpy()
    arr = num.to_numpy(dtype=float, copy=True)
    arr[~np.isfinite(arr) | (np.abs(arr) >= MAX_CELL_NUMBER)] = np.nan
    return pd.Series(arr, index=raw.index)


def _date(v: object):
    if isinstance(v, dt.datetime):
        return pd.Timestamp(v.date())
    if isinstance(v, dt.date):
        return pd.Timestamp(v)
    s = str(v).strip()
    try:
        m = _ISO.match(s)
        if m:
            return pd.Timestamp(int(m[1]), int(m[2]), int(m[3]))
        m = _RU.match(s)
        if m:
            return pd.Timestamp(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def concat_tables(tables: list[tuple[int, str, Table]], first_part: int = 0) -> pd.DataFrame:
    """One frame of raw cells for all files; absent columns are empty. Tables are numbered
    (column ``part``) from ``first_part`` on."""
    cols: dict[str, list] = {k: [] for k in FORM_KEYS}
    texts: dict[str, list] = {k: [] for k in FORM_KEYS}
    meta: dict[str, list] = {"file_idx": [], "part": [], "file": [], "sheet": [], "row": [], "segment": []}
    for part, (idx, name, t) in enumerate(tables, start=first_part):
        n = len(t.rows)
        have = t.texts if t.texts is not None else {}
        for k in FORM_KEYS:
            col = t.columns.get(k)
            cols[k].extend(col if col is not None else [""] * n)
            texts[k].extend(have[k] if k in have else (column_text(col) if col is not None else [""] * n))
        meta["file_idx"].extend([idx] * n)
        meta["part"].extend([part] * n)
        meta["file"].extend([name] * n)
        meta["sheet"].extend([t.sheet] * n)
        meta["row"].extend(t.rows)
        meta["segment"].extend(t.segments)
    frame = pd.DataFrame({**{k: pd.Series(v, dtype=object) for k, v in cols.items()},
                          **{f"_text_{k}": pd.Series(v, dtype=object) for k, v in texts.items()}})
    for k, v in meta.items():
        frame[k] = pd.Series(v, dtype=object if k in ("file", "sheet") else "int64") if v else pd.Series([], dtype=object)
    return frame


class _Issues:
    """Collects issues as arrays of row positions, turned into records at the end."""

    def __init__(self, raw: pd.DataFrame, text: dict[str, pd.Series]):
        self.raw, self.text = raw, text
        self.parts: list[tuple[np.ndarray, str | None, str, object]] = []
        self.bad = np.zeros(len(raw), dtype=bool)

    def add(self, mask, key: str | None, code: str, detail=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.parts.append((np.flatnonzero(mask), key, code, detail))
            if code.startswith("E_"):
                self.bad |= mask

    def records(self) -> list[dict]:
        out = []
        raw = self.raw
        for pos, key, code, detail in self.parts:
            for p in pos:
                value = self.text[key].iat[p] if key in self.text else None
                d = detail[p] if isinstance(detail, (np.ndarray, pd.Series, list)) else detail
                out.append({"_file_idx": raw["file_idx"].iat[p], "file": raw["file"].iat[p],
                            "sheet": raw["sheet"].iat[p], "row": int(raw["row"].iat[p]),
                            "column": key, "value": value or None, "code": code,
                            **messages(code, d if d is not None else "")})
        return out


def validate_rows(raw: pd.DataFrame, formulas: dict[tuple[int, str], set[int]],
                  survey_year: int | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Parse and check every row of ``raw`` (from :func:`concat_tables`).

    ``formulas`` maps (part, key) → row numbers of formula cells without a value (a part is
    one table: a sheet of a workbook or a CSV, numbered as in ``concat_tables``).
    ``survey_year``: the run's survey year; a row of a later year is E_SURVEY_YEAR.
    Returns the parsed frame (with a boolean ``rejected`` column) and the issue records.
    """
    n = len(raw)
    text = {k: (raw[f"_text_{k}"] if f"_text_{k}" in raw else
                pd.Series(column_text(raw[k].tolist()), index=raw.index, dtype=object)) for k in FORM_KEYS}
    iss = _Issues(raw, text)
    out = pd.DataFrame(index=raw.index)
    fmask: dict[str, np.ndarray] = {}
    if formulas:
        fidx, rown = raw["part"].to_numpy(), raw["row"].to_numpy()
        for (fi, key), rows in formulas.items():
            m = (fidx == fi) & np.isin(rown, list(rows))
            fmask[key] = fmask.get(key, np.zeros(n, bool)) | m
    none = np.zeros(n, dtype=bool)
    for key, m in fmask.items():
        iss.add(m, key, "E_FORMULA")
    empty = {k: text[k].eq("").to_numpy() & ~fmask.get(k, none) for k in FORM_KEYS}
    live = {k: ~empty[k] & ~fmask.get(k, none) for k in FORM_KEYS}

    # --- numbers
    nums = {}
    for k in INT_KEYS:
        num = parse_numbers(raw[k], text[k]).to_numpy()
        nan = np.isnan(num)
        not_num = live[k] & nan
        iss.add(not_num, k, "E_NOT_NUMBER")
        ok = live[k] & ~nan
        frac = ok & (np.abs(num - np.round(np.where(ok, num, 0))) > 1e-9)
        iss.add(frac, k, "E_NOT_INTEGER")
        good = ok & ~frac
        if k == "survey_year":
            lo, hi = SURVEY_YEAR_RANGE
            iss.add(good & ((num < lo) | (num > hi)), k, "E_SURVEY_YEAR", Detail.of("year_outside", lo=lo, hi=hi))
            if survey_year is not None:
                iss.add(good & (num >= lo) & (num <= hi) & (num > survey_year), k, "E_SURVEY_YEAR",
                        Detail.of("year_after", year=survey_year))
        else:
            iss.add(good & (num < 0), k, "E_NEGATIVE")
        nums[k] = np.where(good, np.round(np.where(good, num, 0)), np.nan)
    required = ("survey_year", "inn", "employer", "okved", "profession_code", "profession",
                "education", "headcount", "need_1")
    for k in required:
        iss.add(empty[k], k, "E_REQUIRED")

    # --- codes and enumerations (checked once per distinct value)
    inn = text["inn"]
    uniq = {v: (inn_format_ok(v), inn_is_valid(v)) for v in pd.unique(inn[live["inn"]])}
    fmt = inn.map(lambda v: uniq.get(v, (True, True))[0]).to_numpy(dtype=bool)
    chk = inn.map(lambda v: uniq.get(v, (True, True))[1]).to_numpy(dtype=bool)
    iss.add(live["inn"] & ~fmt, "inn", "E_INN_FORMAT")
    iss.add(live["inn"] & fmt & ~chk, "inn", "E_INN_CHECKSUM")
    okv = text["okved"]
    sec_of = {v: okved_section(v) for v in pd.unique(okv[live["okved"]])}
    section = okv.map(lambda v: sec_of.get(v))
    iss.add(live["okved"] & section.isna().to_numpy(), "okved", "E_OKVED")
    prof = text["profession_code"]
    iss.add(live["profession_code"] & ~prof.str.fullmatch(_PROF).fillna(False).to_numpy(dtype=bool),
            "profession_code", "E_PROFESSION_CODE")
    edu = text["education"]
    edu_of = {v: normalize_education(v) for v in pd.unique(edu[live["education"]])}
    level = edu.map(lambda v: edu_of.get(v, (None, False))[0])
    alias = edu.map(lambda v: edu_of.get(v, (None, False))[1]).to_numpy(dtype=bool) & live["education"]
    iss.add(live["education"] & level.isna().to_numpy(), "education", "E_EDUCATION")
    if alias.any():
        # one warning per aliased row, on that row: each issue carries a row, and the
        # spec names no grouping for W_ALIAS (it does for W_IGNORED_ROWS and W_SUPERSEDED)
        detail = np.empty(n, dtype=object)
        for p in np.flatnonzero(alias):
            detail[p] = Detail.of("education_alias", text=edu.iat[p], level=level.iat[p])
        iss.add(alias, "education", "W_ALIAS", detail)

    # --- age and date
    age, headcount = nums["age_55plus"], nums["headcount"]
    both = ~np.isnan(age) & ~np.isnan(headcount)
    gt = both & (np.where(both, age, 0) > np.where(both, headcount, 0))
    iss.add(gt, "age_55plus", "E_AGE_GT_HEADCOUNT",
            np.array([f"{a:.0f} > {h:.0f}" if g else None for a, h, g in zip(age, headcount, gt)], dtype=object))
    sub = raw["submitted_at"]
    dates = [(_date(v) if lv else None) for v, lv in zip(sub, live["submitted_at"])]
    bad_date = live["submitted_at"] & np.array([d is None for d in dates], dtype=bool)
    iss.add(bad_date, "submitted_at", "E_DATE")

    # --- the parsed frame
    out["survey_year"] = nums["survey_year"]
    for k in ("inn", "employer", "okved"):
        out[k] = text[k].to_numpy()
    out["okved_section"] = section.to_numpy()
    out["municipality"] = text["municipality"].where(text["municipality"].ne(""), None).to_numpy()
    out["profession_code"] = prof.to_numpy()
    out["profession"] = text["profession"].to_numpy()
    out["education"] = level.to_numpy()
    out["headcount"] = nums["headcount"]
    out["vacancies"] = np.where(empty["vacancies"], 0.0, nums["vacancies"])
    out["age_55plus"] = age
    for k in NEED_COLUMNS:
        out[k] = nums[k] if k == "need_1" else np.where(empty[k], 0.0, nums[k])
    out["submitted_at"] = pd.to_datetime(pd.Series([d if d is not None else pd.NaT for d in dates],
                                                   index=raw.index, dtype=object))
    for k in ("file", "sheet", "row", "file_idx", "part", "segment"):
        out[k] = raw[k].to_numpy()
    # the cells as read, for the plausibility warnings' `value` (survey-format.md: "the cell
    # as read (text)", so "1 200" stays "1 200"); dropped with the other working columns
    for k in ("vacancies", "need_1"):
        out[f"text_{k}"] = text[k].to_numpy()
    out["rejected"] = iss.bad
    return out, iss.records()


__all__ = ["validate_rows", "concat_tables", "cell_text", "parse_numbers", "TEXT_KEYS"]
