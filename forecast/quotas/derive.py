"""Quotas per programme and per college with the chain behind them (methodology.md §4–7).

:func:`derive_quotas_detailed` reads and checks the tables
(:mod:`~forecast.quotas.tables`), then :func:`quotas_from_inputs` computes §4–5 per
programme (:mod:`~forecast.quotas.programmes`) and splits each quota among the colleges
(:mod:`~forecast.quotas.allocation`). Readings of the open points are in the package
docstring (:mod:`forecast.quotas`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.columns import QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.params import QuotaParams
from forecast.quotas.allocation import METHODS, Allocation, allocate
from forecast.quotas.checks import check_params
from forecast.quotas.programmes import (
    DEMAND_BY_YEAR_COLUMNS,
    UNMAPPED_COLUMNS,
    programme_table,
    read_demand,
)
from forecast.quotas.tables import (
    QUOTA_ISSUE_COLUMNS,
    QuotaInputs,
    TableSource,
    current_cohorts,
    issue,
    read_inputs,
)

#: ``QuotaResult.trend``: mapped demand of T+1 and of the last forecast year (§9)
TREND_COLUMNS: tuple[str, ...] = (
    "scenario", "programme_code", "demand_first", "demand_last", "last_year",
)


@dataclass
class QuotaResult:
    """Everything :func:`derive_quotas_detailed` computed, for the workbook and for checks."""

    programmes: pd.DataFrame      # quotas_programmes.csv (QUOTAS_PROGRAMMES_COLUMNS), §7 order
    colleges: pd.DataFrame        # quotas_colleges.csv (QUOTAS_COLLEGES_COLUMNS), §7 order
    demand_by_year: pd.DataFrame  # DEMAND_BY_YEAR_COLUMNS: the chain year by year
    unmapped: pd.DataFrame        # UNMAPPED_COLUMNS: demand not converted to any quota
    issues: pd.DataFrame          # QUOTA_ISSUE_COLUMNS: reported-and-ignored rows, relaxations
    params: QuotaParams           # the parameters used
    trend: pd.DataFrame | None = None        # TREND_COLUMNS (for the signals of §9)
    inputs: QuotaInputs | None = None        # the checked input tables


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
    if method not in METHODS:  # before reading anything
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    p = check_params(params)
    inputs = read_inputs(programmes, mapping, colleges, enrolment)
    return quotas_from_inputs(demand, survey_year, inputs, p, method=method)


def quotas_from_inputs(
    demand: TableSource,
    survey_year: int,
    inputs: QuotaInputs,
    params: QuotaParams | dict[str, Any] | None = None,
    *,
    method: str = "auto",
) -> QuotaResult:
    """:func:`derive_quotas_detailed` on tables already checked by
    :func:`forecast.quotas.check_tables` (the run reads them once, at configuration time).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    p = check_params(params)
    T = int(survey_year)
    dem, last_year = read_demand(demand, T)
    enrolment, late = current_cohorts(inputs.enrolment, T)
    prog, by_year, unmapped = programme_table(
        dem, last_year, T, inputs.programmes, inputs.mapping, enrolment, p
    )
    issues = list(inputs.issues) + late

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
            "department": g["department"].to_numpy(dtype=object),
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
                for c, v in (("college_code", ""), ("college", ""), ("department", ""),
                             ("capacity", 0),
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
                    programme=r.programme_code, quota=q,
                    # the rule's group as allocate applies it (never above the quota)
                    min_group=int(min(max(int(p.min_group), 0), q)), error=a.solver_error,
                ))
        a = memo[key]
        k = len(g["cap"])
        deficits.append(a.deficit)
        last_quota.append(int(g["last"].sum()))
        parts["scenario"].append(np.full(k, r.scenario, dtype=object))
        parts["programme_code"].append(np.full(k, r.programme_code, dtype=object))
        parts["college_code"].append(g["code"])
        parts["college"].append(g["name"])
        parts["department"].append(g["department"])
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
                      texts=("scenario", "programme_code", "college_code", "college",
                             "department"))
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
        trend=prog.reindex(columns=list(TREND_COLUMNS)).reset_index(drop=True),
        inputs=inputs,
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


__all__ = ["derive_quotas", "derive_quotas_detailed", "quotas_from_inputs", "QuotaResult",
           "TREND_COLUMNS"]
