"""Measure 13: admission quotas (КЦП) per programme and per college (methodology.md §4–7).

Works on any demand table with the columns of ``demand.csv`` (at least profession_code,
education, year, demand; scenario and level optional), so an analyst can pass one built by
hand; it does not import the forecasting stages.

Modules: :mod:`~forecast.quotas.tables` (reading and checking the input tables),
:mod:`~forecast.quotas.programmes` (§4–5: graduates needed, pipeline, gap, raw quota,
rounding, budget), :mod:`~forecast.quotas.rounding` (largest remainder),
:mod:`~forecast.quotas.allocation` (§6). Each module's docstring states how it reads the
points the methodology leaves open; the main ones:

* a demand table without a ``scenario`` column is one scenario named ``"base"``;
* ``colleges`` and ``enrolment`` may be None (no college licensed; nobody enrolled);
* quotas are computed per scenario independently; an allocation depends only on the
  programme's colleges and its quota;
* ``issues`` rows: ``unknown_programme`` (colleges row ignored), ``future_cohort``
  (enrolment row ignored), ``min_group_relaxed`` and ``allocation_fallback`` (per programme;
  ``row`` is empty there).

>>> import pandas as pd
>>> demand = pd.DataFrame({"profession_code": "19861", "education": "СПО-КРС",
...                        "year": [2027, 2028, 2029], "demand": [40.0, 40.0, 40.0]})
>>> programmes = pd.DataFrame({"code": ["15.01.05"], "name": ["Сварщик"], "level": ["СПО-КРС"],
...                            "duration_months": [22], "employment_rate": [0.7], "dropout": [0.1]})
>>> mapping = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["15.01.05"],
...                         "weight": [1.0]})
>>> colleges = pd.DataFrame({"college_code": ["K1", "K2"], "college": ["A", "B"],
...                          "programme_code": "15.01.05", "capacity": [25, 25],
...                          "last_quota": [20, 20], "employment_rate": [None, None]})
>>> progs, cols = derive_quotas(demand, survey_year=2026, programmes=programmes,
...                             mapping=mapping, colleges=colleges, enrolment=None)
>>> # g = 2027 + 2 = 2029; G = 40·0.7/0.7 = 40; A_raw = 40/0.9 = 44.4 → 44
>>> r = progs.iloc[0]
>>> int(r.graduation_year), float(r.graduates_needed), int(r.quota)
(2029, 40.0, 44)
>>> cols["quota"].tolist()
[22, 22]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.columns import QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.errors import ConfigError
from forecast.params import QuotaParams, from_mapping
from forecast.quotas.allocation import Allocation, allocate
from forecast.quotas.programmes import (
    DEMAND_BY_YEAR_COLUMNS,
    UNMAPPED_COLUMNS,
    programme_table,
    read_demand,
)
from forecast.quotas.tables import QUOTA_ISSUE_COLUMNS, TableSource, issue, read_inputs


@dataclass
class QuotaResult:
    """Everything :func:`derive_quotas_detailed` computed, for the workbook and for checks."""

    programmes: pd.DataFrame      # quotas_programmes.csv (QUOTAS_PROGRAMMES_COLUMNS), §7 order
    colleges: pd.DataFrame        # quotas_colleges.csv (QUOTAS_COLLEGES_COLUMNS), §7 order
    demand_by_year: pd.DataFrame  # DEMAND_BY_YEAR_COLUMNS: the chain year by year
    unmapped: pd.DataFrame        # UNMAPPED_COLUMNS: demand not converted to any quota
    issues: pd.DataFrame          # QUOTA_ISSUE_COLUMNS: reported-and-ignored rows, relaxations
    params: QuotaParams           # the parameters used


def check_params(params: QuotaParams | dict[str, Any] | None) -> QuotaParams:
    """Parameters from a dict (``[quotas]`` keys without prefix) or a QuotaParams.

    An unknown key is a ValueError naming it; a value out of range is a ConfigError.

    >>> check_params({"min_group": 10}).min_group
    10
    """
    if isinstance(params, QuotaParams):
        p = params
    else:
        p = from_mapping(QuotaParams, dict(params or {}), "quotas")

    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"[quotas] {key} = {getattr(p, key)!r}: {why}")

    def number(key: str) -> float:
        v = getattr(p, key)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise bad(key, "must be a number")
        return float(v)

    if not 0 <= number("coverage_share"):
        raise bad("coverage_share", "must be ≥ 0")
    if not 0 < number("default_employment_rate") <= 1:
        raise bad("default_employment_rate", "must lie in (0, 1]")
    if not 0 <= number("default_dropout") < 1:
        raise bad("default_dropout", "must lie in [0, 1)")
    mg = number("min_group")
    if mg < 0 or not mg.is_integer():
        raise bad("min_group", "must be a whole number ≥ 0")
    if p.total_places is not None:
        tp = number("total_places")
        if tp < 0 or not tp.is_integer():
            raise bad("total_places", "must be a whole number ≥ 0 (or absent)")
    return p


def derive_quotas_detailed(
    demand: TableSource,
    survey_year: int,
    programmes: TableSource,
    mapping: TableSource,
    colleges: TableSource = None,
    enrolment: TableSource = None,
    params: QuotaParams | dict[str, Any] | None = None,
    *,
    method: str = "auto",
) -> QuotaResult:
    """Admission quotas per programme and college with the whole chain behind them.

    Parameters
    ----------
    demand : DataFrame or path
        Columns of ``demand.csv``; at least profession_code, education, year, demand.
        Without a ``scenario`` column the table is one scenario, ``"base"``.
    survey_year : int
        T; admission year is T+1.
    programmes, mapping, colleges, enrolment : DataFrame or CSV path
        The ``[quotas]`` tables (interfaces.md). ``colleges`` and ``enrolment`` may be None
        (no college licensed; nobody enrolled).
    params : dict or QuotaParams, optional
        ``coverage_share``, ``default_employment_rate``, ``default_dropout``, ``min_group``,
        ``total_places``; missing keys take the defaults, an unknown key is a ValueError.
    method : {"auto", "dp", "milp"}
        Allocation solver where the minimum-group rule binds (see
        :mod:`forecast.quotas.allocation`); all give the same optimum.

    Returns
    -------
    QuotaResult
    """
    p = check_params(params)
    T = int(survey_year)
    inputs = read_inputs(programmes, mapping, colleges, enrolment, T)
    dem, last_year = read_demand(demand, T)
    prog, by_year, unmapped = programme_table(
        dem, last_year, T, inputs.programmes, inputs.mapping, inputs.enrolment, p
    )
    issues = list(inputs.issues)

    col = inputs.colleges
    quota_codes = set(inputs.programmes.loc[inputs.programmes["quota"], "code"])
    col = col[col["programme_code"].isin(quota_codes)]
    col = col.assign(_key=col["college_code"].astype(str))
    # per programme, its colleges in code order as plain arrays (the loop below is per
    # programme and scenario; building small frames there would dominate the run time)
    groups: dict[str, dict[str, Any]] = {}
    for s, g in col.groupby("programme_code", sort=False):
        g = g.sort_values("_key", kind="stable")
        groups[s] = {
            "code": g["college_code"].to_numpy(dtype=object),
            "name": g["college"].to_numpy(dtype=object),
            "cap": g["capacity"].to_numpy(np.int64),
            "rate": g["employment_rate"].to_numpy(float),
            "last": g["last_quota"].to_numpy(np.int64),
            "keys": g["_key"].tolist(),
        }
    parts: dict[str, list[Any]] = {c: [] for c in QUOTAS_COLLEGES_COLUMNS}
    deficits: list[int] = []
    last_quota: list[int] = []
    memo: dict[tuple[str, int], Allocation] = {}
    for r in prog.itertuples(index=False):
        q = int(r.quota)
        g = groups.get(r.programme_code)
        if g is None:
            deficits.append(q)
            last_quota.append(0)
            if q > 0:
                for c, v in (("college_code", ""), ("college", ""), ("capacity", 0),
                             ("target", float(q)), ("quota", 0), ("last_quota", 0),
                             ("deficit", q)):
                    parts[c].append(np.array([v]))
                parts["scenario"].append(np.array([r.scenario], dtype=object))
                parts["programme_code"].append(np.array([r.programme_code], dtype=object))
            continue
        key = (r.programme_code, q)
        if key not in memo:
            rate = np.where(np.isnan(g["rate"]), r.employment_rate, g["rate"])
            a = allocate(q, g["cap"], g["cap"] * rate, g["keys"], int(p.min_group),
                         method=method)
            memo[key] = a
            if a.relaxed or a.message:
                issues.append(issue(
                    "colleges", "", "programme_code", r.programme_code, "warning",
                    "min_group_relaxed" if a.relaxed else "allocation_fallback",
                    f"programme {r.programme_code}, quota {q}: {a.message}",
                ))
        a = memo[key]
        k = len(g["cap"])
        deficits.append(a.deficit)
        last_quota.append(int(g["last"].sum()))
        parts["scenario"].append(np.full(k, r.scenario, dtype=object))
        parts["programme_code"].append(np.full(k, r.programme_code, dtype=object))
        parts["college_code"].append(g["code"])
        parts["college"].append(g["name"])
        parts["capacity"].append(g["cap"])
        parts["target"].append(a.target)
        parts["quota"].append(a.quota)
        parts["last_quota"].append(g["last"])
        parts["deficit"].append(np.full(k, a.deficit, dtype=np.int64))
    prog = prog.assign(deficit=np.array(deficits, dtype=np.int64),
                       last_quota=np.array(last_quota, dtype=np.int64))
    prog_out = _typed(prog.reindex(columns=list(QUOTAS_PROGRAMMES_COLUMNS)),
                      ints=("admission_year", "graduation_year", "quota_needed", "shortfall",
                            "quota", "deficit", "last_quota"),
                      texts=("scenario", "programme_code", "programme", "level"))
    prog_out = prog_out.sort_values(["scenario", "programme_code"], kind="stable")
    cols_out = pd.DataFrame({c: np.concatenate(v) if v else np.array([])
                             for c, v in parts.items()})
    cols_out = _typed(cols_out.reindex(columns=list(QUOTAS_COLLEGES_COLUMNS)),
                      ints=("capacity", "quota", "last_quota", "deficit"),
                      texts=("scenario", "programme_code", "college_code", "college"))
    cols_out = cols_out.sort_values(["scenario", "programme_code", "college_code"],
                                    kind="stable")
    issues_frame = pd.DataFrame(issues, columns=list(QUOTA_ISSUE_COLUMNS))
    return QuotaResult(
        programmes=prog_out.reset_index(drop=True),
        colleges=cols_out.reset_index(drop=True),
        demand_by_year=by_year.reindex(columns=list(DEMAND_BY_YEAR_COLUMNS)),
        unmapped=unmapped.reindex(columns=list(UNMAPPED_COLUMNS)),
        issues=issues_frame,
        params=p,
    )


def _typed(frame: pd.DataFrame, ints: tuple[str, ...], texts: tuple[str, ...]) -> pd.DataFrame:
    """int64 count columns, object text columns, float64 for the rest."""
    out = frame.copy()
    for c in out.columns:
        if c in ints:
            out[c] = out[c].astype(np.int64)
        elif c in texts:
            out[c] = out[c].astype(object)
        else:
            out[c] = out[c].astype(float)
    return out


def derive_quotas(
    demand: TableSource,
    survey_year: int,
    programmes: TableSource,
    mapping: TableSource,
    colleges: TableSource = None,
    enrolment: TableSource = None,
    params: QuotaParams | dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames of ``quotas_programmes.csv`` and ``quotas_colleges.csv`` (methodology §7).

    Same arguments as :func:`derive_quotas_detailed`, which also returns the year-by-year
    chain, the unmapped demand and the issues.
    """
    res = derive_quotas_detailed(demand, survey_year, programmes, mapping, colleges, enrolment,
                                 params)
    return res.programmes, res.colleges


__all__ = ["derive_quotas", "derive_quotas_detailed", "QuotaResult", "check_params"]
