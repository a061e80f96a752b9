"""The demand stage's entry point: :func:`forecast_demand` (methodology.md §2–3).

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

from forecast.demand.accuracy import accuracy_table
from forecast.demand.assemble import assemble_demand
from forecast.demand.components import demand_components
from forecast.demand.engine import run_engine
from forecast.demand.history import build_history
from forecast.demand.topdown import reference_variant, scenario_paths, scenario_variants
from forecast.errors import InputError
from forecast.panel import Panel
from forecast.params import DemandParams, ForecastParams, check_reconcile, scenario_order
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
    info : dict: choices made (industry model, indicator, combination weights, scenarios,
        the reference variant)
    elasticities : DataFrame (forecast.demand.engine.ELASTICITY_COLUMNS)
        β per section, the elasticity every non-reference variant applies (§2; an
        estimate below 0 is applied as 0); empty without a scenario indicator.
    age_effect : DataFrame (AGE_EFFECT_COLUMNS)
        Regional demand with and without the age answers (:func:`age_effect`).
    """

    demand: pd.DataFrame
    realisation: pd.DataFrame
    accuracy: pd.DataFrame
    survey_year: int
    info: dict = field(default_factory=dict)
    elasticities: pd.DataFrame = field(default_factory=pd.DataFrame)
    age_effect: pd.DataFrame = field(default_factory=pd.DataFrame)


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
    try:
        check_reconcile(fp.reconcile)
    except ValueError as err:
        raise InputError(str(err)) from None
    if panel.cells.empty:
        raise InputError("no survey rows to forecast from (the panel is empty)")
    levels = tuple(sorted(int(x) for x in fp.levels)) or (80, 95)
    levels = tuple(sorted(set(levels) | {80, 95}))
    all_variants = scenario_variants(scenario)
    variants = all_variants
    if scenarios:
        unknown = [s for s in scenarios if s not in variants]
        if unknown:
            raise InputError(f"scenario {unknown[0]!r} not in the scenario table; "
                             f"known: {', '.join(variants)}")
        variants = [v for v in variants if v in scenarios]
    # the reference variant's path is needed even when only another variant is asked for
    # (§2: a variant is the base path times its indicators' deviation)
    reference = reference_variant(all_variants)
    hist = build_history(panel, dp)
    years_x = np.arange(hist.years[0], hist.years[-1] + H + 1)
    indicator, log_x, realised = scenario_paths(
        scenario, years_x, scenario_order(set(variants) | {reference}))
    res = run_engine(hist, H, levels, fp.reconcile, log_x, realised, variants, dp, progress,
                     reference=reference)
    demand = assemble_demand(res, H, dp, panel.professions)
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
    age = age_effect(res, dp)
    info = {"industry_model": res.industry_model, "indicator": indicator,
            "scenarios": variants, "reconcile": fp.reconcile,
            "weights": pd.DataFrame(final.weights, columns=["univariate", "top_down",
                                                             "bottom_up"]).assign(
                horizon=np.arange(1, H + 1)),
            "origins": [int(hist.years[o.k]) for o in res.origins],
            "reference_variant": reference, "elasticities": res.elasticities}
    return DemandResult(demand=demand, realisation=real, accuracy=acc,
                        survey_year=int(hist.years[-1]), info=info,
                        elasticities=res.elasticities.reset_index(drop=True), age_effect=age)


#: columns of DemandResult.age_effect
AGE_EFFECT_COLUMNS = ("scenario", "year", "demand", "demand_without_age", "difference")


def age_effect(res, dp: DemandParams) -> pd.DataFrame:
    """Regional demand per scenario and year with the survey's age answers (§3 as run) and
    without them (every cell's exit rate the default ``demand.default_exit_rate``, as if no
    row reported age_55plus), on the same employment path: how much the age column moves
    the result (issue 11 item 5, shown on the Методика sheet). Only the replacement term
    differs; the employment paths are kept (the bottom-up view's own use of r is second
    order and would need a second engine run)."""
    h = res.history
    o = res.origins[-1]
    e0 = np.nan_to_num(h.e[:, o.k])
    T = int(h.years[-1])
    rows = []
    flat = np.full(h.n, dp.default_exit_rate)
    for scen in res.scenarios:
        path = np.hstack([e0[:, None], o.reconciled[scen][1 + h.m:]])
        d_age = demand_components(path, h.rates[:, o.k], h.vac[:, o.k], dp)[3].sum(axis=0)
        d_no = demand_components(path, flat, h.vac[:, o.k], dp)[3].sum(axis=0)
        for t in range(len(d_age)):
            rows.append((scen, T + 1 + t, float(d_age[t]), float(d_no[t]),
                         float(d_age[t] - d_no[t])))
    return pd.DataFrame(rows, columns=list(AGE_EFFECT_COLUMNS))


__all__ = ["forecast_demand", "DemandResult", "REALISATION_COLUMNS", "AGE_EFFECT_COLUMNS",
           "age_effect"]
