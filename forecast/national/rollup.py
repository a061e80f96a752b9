"""The national roll-up: the regions' tables side by side and their national sums (pure pandas).

:func:`national_demand` stacks the regions' ``demand.csv`` rows (``region_code`` first) and
appends the ``RF`` rows: for each scenario, level, key and year the sum of the regions'
point columns; each side of an interval combines the regions' half-widths on that side as
the root of the sum of squares around the summed point, the lower bound clipped at 0
(regions' errors taken as independent):

    lo_RF = max(0, ΣE − sqrt(Σ (E_r − lo_r)²)),   hi_RF = ΣE + sqrt(Σ (hi_r − E_r)²)

:func:`national_quotas` stacks the regions' ``quotas_programmes.csv`` rows. :func:`national_year`
picks the national survey year. The regions' rows are taken as text, exactly as their files
hold them, so a region's rows in the national file are the bytes of its own file.

Choices (the contract is silent):

* Only regions with status ``ok`` are stacked and summed (a failed region's rows, if its run
  finished, stay in its own folder).
* A scenario enters the ``RF`` rows only when every summed region has it (a national total
  missing a region would not be one); :func:`common_scenarios` names them.
* A key (cell, profession, section) missing in a region adds 0 with a zero half-width.
  A point that is empty in every region stays empty (year T has no demand); a bound empty
  in any region that has the key makes the national bound empty.
* ``RF`` rows are ordered by scenario (``base`` first), level (cell, profession, section,
  total), section, profession code, education, year; the profession's name is the first
  region's (in region order).

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"scenario": ["base"], "level": ["total"], "okved_section": [""],
...                   "profession_code": [""], "profession": [""], "education": [""],
...                   "year": ["2026"], "employment": ["100.0"], "employment_lo_80": ["97.0"],
...                   "employment_hi_80": ["104.0"], "employment_lo_95": [""],
...                   "employment_hi_95": [""], "expansion": ["1.0"], "replacement": ["2.0"],
...                   "vacancies": ["0.0"], "demand": ["3.0"], "demand_lo_80": ["1.0"],
...                   "demand_hi_80": ["5.0"]})
>>> b = a.assign(employment="50.0", employment_lo_80="46.0", employment_hi_80="53.0")
>>> rf = national_demand({"01": a, "02": b})
>>> rf.loc[rf["region_code"] == "RF", ["employment", "employment_lo_80", "employment_hi_80"]].values.tolist()
[['150.0', '145.0', '155.0']]
"""

from __future__ import annotations

import io
import re
from collections import Counter

import numpy as np
import pandas as pd

from forecast.columns import DEMAND_COLUMNS, DEMAND_LEVELS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.params import NATIONAL_CODE
from forecast.report.files import csv_bytes
from forecast.report.tables import scenario_order

#: point columns of demand.csv, summed across regions
POINT_COLUMNS: tuple[str, ...] = ("employment", "expansion", "replacement", "vacancies", "demand")
#: interval columns of demand.csv → (point column, side)
INTERVAL_COLUMNS: dict[str, tuple[str, str]] = {
    c: (m.group(1), m.group(2)) for c in DEMAND_COLUMNS if (m := re.fullmatch(r"(\w+?)_(lo|hi)_\d+", c))
}
#: the keys of a demand row (besides the profession's name)
KEYS: tuple[str, ...] = ("scenario", "level", "okved_section", "profession_code", "education", "year")

NATIONAL_DEMAND_COLUMNS: tuple[str, ...] = ("region_code", *DEMAND_COLUMNS)
NATIONAL_QUOTAS_COLUMNS: tuple[str, ...] = ("region_code", *QUOTAS_PROGRAMMES_COLUMNS)


def read_text_csv(data: bytes | str) -> pd.DataFrame:
    """A CSV of an output folder (path or bytes) with every cell as the text it holds."""
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    return pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _stack(tables: dict[str, pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    parts = [t.loc[:, list(columns)].astype(str).assign(region_code=code) for code, t in tables.items()]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in ("region_code", *columns)})
    return pd.concat(parts, ignore_index=True).loc[:, ["region_code", *columns]]


def common_scenarios(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The scenarios every region's demand table has (``base`` first)."""
    sets = [set(t["scenario"].astype(str)) for t in tables.values()]
    return scenario_order(set.intersection(*sets)) if sets else []


def national_sums(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ``RF`` rows (numbers) of the regions' demand tables (text or numbers); see module doc."""
    scen = common_scenarios(tables)
    if not tables or not scen:
        return pd.DataFrame({c: [] for c in DEMAND_COLUMNS})
    frames = []
    for code, t in tables.items():
        f = t.loc[t["scenario"].astype(str).isin(scen), list(DEMAND_COLUMNS)].copy()
        for c in ("scenario", "level", "okved_section", "profession_code", "profession", "education"):
            f[c] = f[c].astype(str)
        f["year"] = pd.to_numeric(f["year"]).astype(int)
        for c in (*POINT_COLUMNS, *INTERVAL_COLUMNS):
            f[c] = pd.to_numeric(f[c].replace("", np.nan), errors="raise").astype(float)
        frames.append(f)
    d = pd.concat(frames, ignore_index=True)
    keys = list(KEYS)
    for col, (point, side) in INTERVAL_COLUMNS.items():
        half = (d[point] - d[col]) if side == "lo" else (d[col] - d[point])
        d[f"_sq_{col}"] = half ** 2
        d[f"_na_{col}"] = (d[col].isna() & d[point].notna()).astype(int)
    g = d.groupby(keys, sort=False, dropna=False)
    out = g[list(POINT_COLUMNS)].sum(min_count=1)
    out["profession"] = g["profession"].first()
    for col, (point, side) in INTERVAL_COLUMNS.items():
        root = np.sqrt(g[f"_sq_{col}"].sum(min_count=1))
        missing = g[f"_na_{col}"].sum() > 0
        bound = (out[point] - root).clip(lower=0.0) if side == "lo" else out[point] + root
        out[col] = bound.where(~missing & root.notna(), np.nan)
    out = out.reset_index()
    rank_s = {s: i for i, s in enumerate(scen)}
    rank_l = {lv: i for i, lv in enumerate(DEMAND_LEVELS)}
    out["_s"] = out["scenario"].map(rank_s)
    out["_l"] = out["level"].map(rank_l).fillna(len(DEMAND_LEVELS))
    out = out.sort_values(["_s", "_l", "okved_section", "profession_code", "education", "year"], kind="mergesort")
    return out.loc[:, list(DEMAND_COLUMNS)].reset_index(drop=True)


def national_demand(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``demand_national.csv`` as text: every region's rows (in the order given), then ``RF``.

    Parameters
    ----------
    tables : dict
        Region code → that region's ``demand.csv`` read as text (:func:`read_text_csv`).
    """
    regions = _stack(tables, DEMAND_COLUMNS)
    rf = national_sums(tables)
    rf_text = read_text_csv(csv_bytes(rf, DEMAND_COLUMNS)).assign(region_code=NATIONAL_CODE)
    if not len(rf):
        return regions
    return pd.concat([regions, rf_text.loc[:, list(NATIONAL_DEMAND_COLUMNS)]], ignore_index=True)


def national_quotas(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """``quotas_national.csv`` as text: every region's quotas_programmes rows, ``region_code`` first."""
    return _stack(tables, QUOTAS_PROGRAMMES_COLUMNS)


def national_year(years: dict[str, int]) -> int | None:
    """The national survey year: the one most regions have (ties: the latest); None if none.

    >>> national_year({"01": 2025, "02": 2025, "03": 2024})
    2025
    >>> national_year({"01": 2024, "02": 2025})
    2025
    """
    if not years:
        return None
    counts = Counter(int(y) for y in years.values())
    return max(counts, key=lambda y: (counts[y], y))


def numeric(frame: pd.DataFrame, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """A text table with every column but ``text_columns`` as numbers (empty → NaN)."""
    out = frame.copy()
    for c in out.columns:
        if c not in text_columns:
            out[c] = pd.to_numeric(out[c].replace("", np.nan), errors="raise")
    return out


__all__ = ["national_demand", "national_quotas", "national_sums", "national_year", "common_scenarios",
           "read_text_csv", "numeric", "POINT_COLUMNS", "INTERVAL_COLUMNS", "NATIONAL_DEMAND_COLUMNS",
           "NATIONAL_QUOTAS_COLUMNS"]
