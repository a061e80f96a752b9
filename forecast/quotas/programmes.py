"""From demand to graduates and quotas per programme (methodology.md §4–5).

Readings of points the methodology leaves open:

* Negative demand (below −1e-9) is an input error naming the row; demand is never below 0
  in methodology §3, so a negative value means the wrong column was passed.
* The demand table needs ``profession_code, education, year, demand``; ``scenario`` and
  ``level`` are optional. Without ``scenario`` the whole table is one scenario named
  ``"base"``. With ``level``, only ``cell`` rows are used (compared after trimming).
* ``education`` is read with the survey's level names and aliases
  (:func:`forecast.classifiers.normalize_education`); a value naming no level is unmapped
  with reason ``unknown_level``.
* Only forecast years T+1 … are used: rows of year T (the survey's actuals, whose demand
  ``demand.csv`` leaves empty) and earlier are skipped before anything is read from them,
  so ``demand.csv`` read back (or ``result.demand``) is accepted as it is. The last forecast
  year of a scenario is the largest year among its rows.
* ``unmapped`` lists, per scenario, profession, education and forecast year, the demand not
  converted (rows with demand 0 are left out): reason ``no_quota_level`` (ВО, ПО, БО),
  ``no_programme`` (СПО demand of a profession with no mapping row at that level) or
  ``unknown_level``.
* Cohorts are scenario-independent; a cohort graduating in T or earlier is already in the
  labour market and is not counted; one graduating after g does not count for this quota.
* The programme rows also carry ``demand_first`` and ``demand_last``: the mapped demand
  (Σ m·D) of T+1 and of the scenario's last forecast year ``last_year`` (methodology §9).
* ``demand_by_year`` has a row per scenario, programme and year T+1 … g with ``demand``
  (mapped, Σ m·D), ``graduates_needed`` (G), ``pipeline`` (P), ``supply_carried`` (S of the
  year before, i.e. what is carried into the year) and ``surplus`` (S of the year =
  max(0, supply_carried + pipeline − graduates_needed)); so for the row of year g,
  P* = supply_carried + pipeline and Gap = max(0, graduates_needed − P*).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecast.classifiers import QUOTA_LEVELS, normalize_education
from forecast.errors import InputError
from forecast.params import QuotaParams
from forecast.quotas.rounding import largest_remainder
from forecast.quotas.tables import Table, TableSource, as_number, as_text, read_table

DEMAND_REQUIRED: tuple[str, ...] = ("profession_code", "education", "year", "demand")
DEFAULT_SCENARIO = "base"
#: demand this far below 0 is float noise and read as 0; anything lower is an input error
NEGATIVE_NOISE = 1e-9

DEMAND_BY_YEAR_COLUMNS: tuple[str, ...] = (
    "scenario", "programme_code", "year", "demand", "graduates_needed", "pipeline",
    "supply_carried", "surplus",
)
UNMAPPED_COLUMNS: tuple[str, ...] = (
    "scenario", "profession_code", "education", "year", "demand", "reason",
)


def graduation_offset(duration_months: int | np.ndarray) -> np.ndarray:
    """ceil(L/12): years from admission to graduation.

    >>> graduation_offset(np.array([22, 34, 46])).tolist()
    [2, 3, 4]
    """
    return -(-np.asarray(duration_months, dtype=np.int64) // 12)


def read_demand(source: TableSource, survey_year: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Demand of forecast years by (scenario, profession_code, education, year), summed.

    Returns the summed frame (education normalised; ``level_ok`` False for unknown levels)
    and the last year of each scenario (over all its cell rows).
    """
    t = read_table(source, "demand", DEMAND_REQUIRED)
    f = t.frame
    keep = np.ones(len(f), dtype=bool)
    if "level" in f.columns:
        keep = (as_text(f["level"]) == "cell").to_numpy()
    year = as_number(t, "year", required=True, integer=True)
    if len(f) and keep.any() and int(np.nanmax(year[keep])) > survey_year:
        last_rows = keep
    else:
        last_rows = np.zeros(len(f), dtype=bool)
    # Rows of year T and earlier (the survey's actuals: demand.csv leaves their demand
    # empty) never feed a quota, so a table written by kadry is taken as it is.
    keep = keep & (year > survey_year)
    scen_all = (as_text(f["scenario"]) if "scenario" in f.columns
                else pd.Series([DEFAULT_SCENARIO] * len(f), dtype=object))
    last = (pd.DataFrame({"scenario": scen_all[last_rows].to_numpy(dtype=object),
                          "year": year[last_rows].astype(np.int64)})
            .groupby("scenario")["year"].max().astype(int).to_dict())
    t = Table(t.name, t.label, f[keep].reset_index(drop=True), t.rows[keep], t.from_frame)
    f = t.frame
    year = year[keep]
    scenario = scen_all[keep].reset_index(drop=True)
    demand = as_number(t, "demand", required=True)
    negative = demand < -NEGATIVE_NOISE
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise t.error(i, "demand", f"{demand[i]!r} is negative (demand is the additional "
                      "need of a year, never below 0; methodology §3)")
    demand = np.maximum(demand, 0.0)
    frame = pd.DataFrame({
        "scenario": scenario.to_numpy(dtype=object),
        "profession_code": as_text(f["profession_code"]).to_numpy(dtype=object),
        "education_raw": as_text(f["education"]).to_numpy(dtype=object),
        "year": year.astype(np.int64),
        "demand": demand,
    })
    if len(frame) == 0:
        where = " with level 'cell'" if "level" in f.columns else ""
        raise InputError(
            f"{t.label}: no rows{where} for a forecast year after the survey year {survey_year}"
        )
    levels = {v: normalize_education(v)[0] for v in pd.unique(frame["education_raw"])}
    frame = frame.assign(education=frame["education_raw"].map(levels))
    unknown = frame["education"].isna()
    frame.loc[unknown, "education"] = frame.loc[unknown, "education_raw"]
    frame = frame.assign(level_ok=~unknown)
    grouped = (frame.groupby(["scenario", "profession_code", "education", "year", "level_ok"],
                             sort=True, as_index=False)["demand"].sum())
    return grouped, {str(k): int(v) for k, v in last.items()}


def programme_table(
    demand: pd.DataFrame,
    last_year: dict[str, int],
    survey_year: int,
    programmes: pd.DataFrame,
    mapping: pd.DataFrame,
    enrolment: pd.DataFrame,
    params: QuotaParams,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """§4–5 for every scenario: programme rows (before allocation), demand by year, unmapped.

    ``demand`` is the output of :func:`read_demand`; the other tables come checked from
    :mod:`forecast.quotas.tables`.
    """
    T = int(survey_year)
    progs = programmes[programmes["quota"]].sort_values("code", kind="stable").reset_index(drop=True)
    codes = progs["code"].tolist()
    n = len(codes)
    e = progs["employment_rate"].fillna(params.default_employment_rate).to_numpy(float)
    d = progs["dropout"].fillna(params.default_dropout).to_numpy(float)
    offset = graduation_offset(progs["duration_months"].to_numpy())
    grad = T + 1 + offset
    scenarios = sorted(set(last_year))
    if not scenarios:
        scenarios = [DEFAULT_SCENARIO]
    # year axis T+1 … max(g, last forecast year): the chain stops at g, the signals of §9
    # compare the mapped demand of T+1 and of the last forecast year
    top = max([int(grad.max()) if n else T + 1, *last_year.values()])
    years = np.arange(T + 1, top + 1)
    ny = len(years)
    pos = {c: i for i, c in enumerate(codes)}

    # pipeline P[s, t]: cohorts admitted y ≤ T graduating in y + ceil(L/12)
    pipe = np.zeros((n, ny))
    if n and len(enrolment):
        en = enrolment[enrolment["programme_code"].isin(pos)]
        si = en["programme_code"].map(pos).to_numpy(dtype=np.int64)
        gy = en["admission_year"].to_numpy(np.int64) + offset[si]
        inside = (gy >= years[0]) & (gy <= years[-1])
        np.add.at(pipe, (si[inside], gy[inside] - years[0]),
                  en["students"].to_numpy(float)[inside] * (1 - d[si[inside]]))

    # mapping restricted to quota programmes
    mp = mapping[mapping["programme_code"].isin(pos)]
    mapped_keys = set(zip(mp["profession_code"], mp["level"]))

    rows: list[dict[str, Any]] = []
    by_year: list[pd.DataFrame] = []
    unmapped: list[pd.DataFrame] = []
    for sc in scenarios:
        last = last_year.get(sc, T)
        for i in range(n):
            if grad[i] > last:
                raise InputError(
                    f"programme {codes[i]}: graduation year {int(grad[i])} (admission {T + 1} "
                    f"+ {int(offset[i])} years for {int(progs['duration_months'].iloc[i])} months) "
                    f"is beyond the last forecast year {last} of scenario {sc!r}; "
                    "the forecast horizon must reach it"
                )
        dem = demand[demand["scenario"] == sc]
        # mapped demand M[s,t] = Σ_p m[p,s]·D[p,l(s),t]
        joined = dem.merge(mp, left_on=["profession_code", "education"],
                           right_on=["profession_code", "level"], how="inner")
        joined = joined[joined["year"] <= years[-1]]
        mapped = np.zeros((n, ny))
        if len(joined):
            np.add.at(mapped, (joined["programme_code"].map(pos).to_numpy(np.int64),
                               joined["year"].to_numpy(np.int64) - years[0]),
                      joined["weight"].to_numpy(float) * joined["demand"].to_numpy(float))
        need = mapped * params.coverage_share / e[:, None]
        # carry-over S: S[T] = 0, S[t] = max(0, S[t−1] + P[t] − G[t]) for t < g
        carried = np.zeros((n, ny))   # S[t−1]
        surplus = np.zeros((n, ny))   # S[t]
        s_prev = np.zeros(n)
        for j in range(ny):
            carried[:, j] = s_prev
            surplus[:, j] = np.maximum(0.0, s_prev + pipe[:, j] - need[:, j])
            s_prev = np.where(years[j] < grad, surplus[:, j], s_prev)
        gj = grad - years[0]
        idx = np.arange(n)
        supply = carried[idx, gj] + pipe[idx, gj]
        gap = np.maximum(0.0, need[idx, gj] - supply)
        raw = gap / (1 - d)
        needed = largest_remainder(raw, codes) if n else np.zeros(0, dtype=np.int64)
        final = needed.copy()
        B = params.total_places
        if B is not None and int(needed.sum()) > B:
            final = largest_remainder(needed * (B / needed.sum()), codes, total=int(B))
            final = np.minimum(final, needed)  # never scaled up (guards float noise)
        for i in range(n):
            rows.append({
                "scenario": sc,
                "programme_code": codes[i],
                "programme": progs["name"].iloc[i],
                "level": progs["level"].iloc[i],
                "admission_year": T + 1,
                "graduation_year": int(grad[i]),
                "demand": float(mapped[i, gj[i]]),
                "graduates_needed": float(need[i, gj[i]]),
                "pipeline": float(supply[i]),
                "gap": float(gap[i]),
                "dropout": float(d[i]),
                "quota_raw": float(raw[i]),
                "quota_needed": int(needed[i]),
                "shortfall": int(needed[i] - final[i]),
                "quota": int(final[i]),
                "employment_rate": float(e[i]),
                "demand_first": float(mapped[i, 0]),
                "demand_last": float(mapped[i, last - years[0]]),
                "last_year": int(last),
            })
        if n:
            yy = np.broadcast_to(years, (n, ny))
            keep = yy <= grad[:, None]
            by_year.append(pd.DataFrame({
                "scenario": sc,
                "programme_code": np.repeat(np.array(codes, dtype=object), ny)[keep.ravel()],
                "year": yy[keep],
                "demand": mapped[keep],
                "graduates_needed": need[keep],
                "pipeline": pipe[keep],
                "supply_carried": carried[keep],
                "surplus": surplus[keep],
            }))
        # unmapped demand of this scenario
        quota_level = dem["education"].isin(QUOTA_LEVELS) & dem["level_ok"]
        has_prog = pd.Series([(p, lv) in mapped_keys for p, lv in
                              zip(dem["profession_code"], dem["education"])],
                             index=dem.index, dtype=bool)
        reason = np.where(~dem["level_ok"], "unknown_level",
                          np.where(~quota_level, "no_quota_level",
                                   np.where(~has_prog, "no_programme", "")))
        um = dem.assign(reason=reason)
        um = um[(um["reason"] != "") & (um["demand"] != 0)]
        unmapped.append(um[list(UNMAPPED_COLUMNS)])

    prog_frame = pd.DataFrame(rows)
    by_year_frame = (pd.concat(by_year, ignore_index=True) if by_year
                     else pd.DataFrame({c: [] for c in DEMAND_BY_YEAR_COLUMNS}))
    unmapped_frame = (pd.concat(unmapped, ignore_index=True) if unmapped
                      else pd.DataFrame({c: [] for c in UNMAPPED_COLUMNS}))
    if len(unmapped_frame):
        unmapped_frame = unmapped_frame.sort_values(
            ["scenario", "profession_code", "education", "year"], kind="stable"
        ).reset_index(drop=True)
    return prog_frame, by_year_frame, unmapped_frame


__all__ = [
    "read_demand",
    "programme_table",
    "graduation_offset",
    "DEMAND_BY_YEAR_COLUMNS",
    "UNMAPPED_COLUMNS",
    "DEFAULT_SCENARIO",
]
