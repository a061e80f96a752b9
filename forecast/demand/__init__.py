"""Staffing demand forecast by profession × industry (methodology.md §2–3).

:func:`forecast_demand` turns a survey :class:`~forecast.panel.Panel` (and optionally a
scenario table) into ``demand.csv``: employment paths per cell (section × profession ×
education) from three views (univariate, top-down, bottom-up) combined by backtest weights
and reconciled over cell → section → total (see :mod:`forecast.demand.engine`), then the §3
components per cell, summed for the profession, section and total rows.

Output choices where the contracts are silent:

* Year T rows hold the survey's weighted actuals: ``employment`` = E[T] with both interval
  bounds equal to it; the flow columns (expansion, replacement, vacancies, demand and its
  bounds) are empty (NaN) — there is no flow "into" the survey year.
* ``vacancies`` is the §3 vacancy term V[T]·vacancy_fill_share in T+1 and 0 afterwards.
* Aggregate rows: point columns are sums of their cells; interval bounds are the
  aggregate's own (from its univariate σ_h, calibrated on its own backtest errors, and the
  survey year's sampling variance of its estimate, see :mod:`forecast.demand.engine`),
  never sums; lower bounds are clipped at 0.
* A cell whose section was not surveyed in wave T keeps its last surveyed headcount (and
  exit rate) as E[T], with no vacancies or needs.
* Empty text in aggregate rows is ``""`` (empty in CSV). Rows are sorted by scenario (base,
  conservative, target, then others in text order), level (cell, profession, section,
  total), okved_section, profession_code, education, year.

Examples
--------
>>> import pandas as pd
>>> from forecast.panel import build_panel
>>> rows = [dict(survey_year=y, inn=str(e), okved_section="C", profession_code=p,
...              profession="P" + p, education="СПО-КРС", headcount=10 + e + (y - 2020),
...              vacancies=1, age_55plus=2.0, need_1=2, need_2=2, weight=1.0)
...         for y in range(2020, 2026) for e in range(3) for p in ("11111", "22222")]
>>> res = forecast_demand(build_panel(pd.DataFrame(rows)), None, horizon=3)
>>> res.survey_year, sorted(res.demand["level"].unique())
(2025, ['cell', 'profession', 'section', 'total'])
>>> tot = res.demand[(res.demand["level"] == "total") & (res.demand["year"] == 2026)]
>>> cells = res.demand[(res.demand["level"] == "cell") & (res.demand["year"] == 2026)]
>>> bool(abs(tot["demand"].sum() - cells["demand"].sum()) < 1e-9)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.columns import DEMAND_COLUMNS, DEMAND_LEVELS
from forecast.demand.accuracy import accuracy_table
from forecast.demand.components import demand_components
from forecast.demand.engine import EngineResult, employment_halfwidth, run_engine
from forecast.demand.history import _nodes_sum, build_history
from forecast.demand.topdown import scenario_paths, scenario_variants
from forecast.errors import InputError
from forecast.panel import Panel
from forecast.params import DemandParams, ForecastParams, RECONCILE_METHODS
from forecast.tabular import read_text_table

REALISATION_COLUMNS = ("profession_code", "education", "horizon", "rho", "rho_pooled",
                       "n_obs", "weight")


@dataclass
class DemandResult:
    """Result of :func:`forecast_demand`.

    Attributes
    ----------
    demand : DataFrame (forecast.columns.DEMAND_COLUMNS)
    realisation : DataFrame (REALISATION_COLUMNS)
        Learned ρ per profession (profession_code × education) and horizon: ``rho`` as used
        (shrunk), ``rho_pooled`` the pooled ratio of that horizon, ``n_obs`` the past waves
        with a positive stated need of the profession at that horizon and a known outcome,
        ``weight`` the empirical-Bayes weight of the profession's own factor, learned from all
        horizons together (the same at every horizon; ``rho`` = ``rho_pooled`` × the shrunk
        factor, :mod:`forecast.demand.bottomup`). Horizons no past wave can check yet are not
        listed (they use the longest checked horizon's ρ).
    accuracy : DataFrame (forecast.demand.accuracy.ACCURACY_COLUMNS)
        Backtest wMAPE of the model and the naive benchmarks by horizon, per year and
        cumulative, with the model's employment interval coverage
        (:mod:`forecast.demand.accuracy`).
    survey_year : int
    info : dict: choices made (industry model, indicator, combination weights, scenarios)
    """

    demand: pd.DataFrame
    realisation: pd.DataFrame
    accuracy: pd.DataFrame
    survey_year: int
    info: dict = field(default_factory=dict)


def forecast_demand(panel: Panel, scenario: pd.DataFrame | str | Path | None = None,
                    forecast_params: ForecastParams | None = None,
                    demand_params: DemandParams | None = None, *,
                    scenarios: list[str] | None = None, progress: bool = False,
                    horizon: int | None = None) -> DemandResult:
    """Employment and additional demand per cell and aggregate, every scenario.

    Parameters
    ----------
    panel : Panel
        From :func:`forecast.panel.build_panel`.
    scenario : DataFrame or path of a CSV file, optional
        year, indicator, value, variant (forecast.columns.SCENARIO_COLUMNS). Without it one
        scenario ``base`` from the time series alone.
    forecast_params, demand_params : ForecastParams, DemandParams
        Defaults when None.
    scenarios : list of str, optional
        Only these variants (an unknown name is an InputError).
    horizon : int, optional
        Overrides ``forecast_params.horizon``.

    Returns
    -------
    DemandResult
    """
    if isinstance(scenario, (str, Path)):
        try:
            scenario = read_text_table(scenario)
        except (OSError, ValueError) as err:
            raise InputError(f"scenario table {scenario}: cannot read ({err})") from None
    fp = forecast_params or ForecastParams()
    dp = demand_params or DemandParams()
    H = int(horizon or fp.horizon)
    if H < 1:
        raise InputError(f"forecast.horizon must be ≥ 1, got {H}")
    if fp.reconcile not in RECONCILE_METHODS:
        raise InputError(f"forecast.reconcile: unknown method {fp.reconcile!r}; "
                         f"known: {', '.join(RECONCILE_METHODS)}")
    if panel.cells.empty:
        raise InputError("no survey rows to forecast from (the panel is empty)")
    levels = tuple(sorted(int(x) for x in fp.levels)) or (80, 95)
    levels = tuple(sorted(set(levels) | {80, 95}))
    variants = scenario_variants(scenario)
    if scenarios:
        unknown = [s for s in scenarios if s not in variants]
        if unknown:
            raise InputError(f"scenario {unknown[0]!r} not in the scenario table; "
                             f"known: {', '.join(variants)}")
        variants = [v for v in variants if v in scenarios]
    hist = build_history(panel, dp)
    years_x = np.arange(hist.years[0], hist.years[-1] + H + 1)
    indicator, log_x, realised = scenario_paths(scenario, years_x, variants)
    res = run_engine(hist, H, levels, fp.reconcile, log_x, realised, variants, dp, progress)
    demand = _assemble(res, H, dp, panel.professions)
    final = res.origins[-1]
    real = final.rho_table
    if len(real):
        real = real.merge(hist.profs.reset_index(names="prof"), on="prof")
    else:
        real = real.assign(profession_code=pd.Series(dtype=str),
                           education=pd.Series(dtype=str))
    real = real[list(REALISATION_COLUMNS)].sort_values(
        ["profession_code", "education", "horizon"], kind="mergesort").reset_index(drop=True)
    acc = accuracy_table(res, dp)
    info = {"industry_model": res.industry_model, "indicator": indicator,
            "scenarios": variants, "reconcile": fp.reconcile,
            "weights": pd.DataFrame(final.weights, columns=["univariate", "top_down",
                                                             "bottom_up"]).assign(
                horizon=np.arange(1, H + 1)),
            "origins": [int(hist.years[o.k]) for o in res.origins]}
    return DemandResult(demand=demand, realisation=real, accuracy=acc,
                        survey_year=int(hist.years[-1]), info=info)


def _assemble(res: EngineResult, H: int, dp: DemandParams, names: dict) -> pd.DataFrame:
    h = res.history
    o = res.origins[-1]
    k = o.k
    T = int(h.years[-1])
    e0 = np.nan_to_num(h.e[:, k])
    vac0 = h.vac[:, k]
    years = np.arange(T, T + H + 1)
    frames = []
    q_d = {lv: res.quantiles[("demand", lv)] for lv in ("cell", "profession", "section",
                                                        "total")}
    j80 = res.levels.index(80)
    j95 = res.levels.index(95)
    keys = {
        "cell": h.keys.assign(profession=h.keys["profession_code"].map(names).fillna("")),
        "profession": h.profs.assign(okved_section="",
                                     profession=h.profs["profession_code"].map(names)
                                     .fillna("")),
        "section": pd.DataFrame({"okved_section": h.sections, "profession_code": "",
                                 "education": "", "profession": ""}),
        "total": pd.DataFrame({"okved_section": [""], "profession_code": [""],
                               "education": [""], "profession": [""]}),
    }
    for scen in res.scenarios:
        rec = o.reconciled[scen]
        cells = rec[1 + h.m:]
        path = np.hstack([e0[:, None], cells])
        x, r, v, d = demand_components(path, h.rates[:, k], vac0, dp)
        parts = {"employment": path, "expansion": x, "replacement": r, "vacancies": v,
                 "demand": d}
        agg = {name: dict(zip(("total", "section", "profession"), _nodes_sum(h, a)))
               for name, a in parts.items()}
        for name, a in parts.items():
            agg[name]["cell"] = a
        for level in DEMAND_LEVELS:
            n_nodes = len(keys[level])
            sd = o.sd[level]
            sd1 = np.nan_to_num(sd[:, :1])
            emp = agg["employment"][level]
            block = keys[level].loc[np.repeat(np.arange(n_nodes), H + 1)].reset_index(drop=True)
            block.insert(0, "level", level)
            block.insert(0, "scenario", scen)
            block["year"] = np.tile(years, n_nodes)
            block["employment"] = emp.ravel()
            half_e = employment_halfwidth(res, o, level)            # nodes × H × L
            for lv, j in ((80, j80), (95, j95)):
                half = np.hstack([np.zeros((n_nodes, 1)), half_e[:, :, j]])
                block[f"employment_lo_{lv}"] = np.maximum(emp - half, 0.0).ravel()
                block[f"employment_hi_{lv}"] = (emp + half).ravel()
            for name in ("expansion", "replacement", "vacancies", "demand"):
                a = np.hstack([np.full((n_nodes, 1), np.nan), agg[name][level]])
                block[name] = a.ravel()
            dd = agg["demand"][level]
            half = q_d[level][:, j80][None, :] * sd1
            block["demand_lo_80"] = np.hstack([np.full((n_nodes, 1), np.nan),
                                               np.maximum(dd - half, 0.0)]).ravel()
            block["demand_hi_80"] = np.hstack([np.full((n_nodes, 1), np.nan),
                                               dd + half]).ravel()
            frames.append(block)
    out = pd.concat(frames, ignore_index=True)
    scen_rank = {s: i for i, s in enumerate(res.scenarios)}
    lvl_rank = {s: i for i, s in enumerate(DEMAND_LEVELS)}
    out["_s"] = out["scenario"].map(scen_rank)
    out["_l"] = out["level"].map(lvl_rank)
    out = out.sort_values(["_s", "_l", "okved_section", "profession_code", "education",
                           "year"], kind="mergesort")
    out = out[list(DEMAND_COLUMNS)].reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out


__all__ = ["forecast_demand", "DemandResult", "REALISATION_COLUMNS"]
