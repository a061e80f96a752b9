"""Backtest of the demand forecast against naive benchmarks (the workbook's accuracy sheet).

At each past origin o among T−5 … T−2 that the engine ran (as if in real time, see
:mod:`forecast.demand.engine`; interval multipliers are the ones calibrated at T, the only
look-ahead), the forecast demand of every profession (profession_code × education, summed
over industries) at o+h is compared with the realised §3 demand computed from the waves
o+h−1 and o+h (exit rate and vacancies of wave o; expansion measured on the employers that
answered both years, as for ρ — see :mod:`forecast.demand.bottomup`). Benchmarks:

* ``stated_needs``: the employers' stated needs N_h at face value;
* ``flat_3pct``: flat employment with replacement at ``demand.default_exit_rate`` (3%) of
  E[o] a year, plus the vacancies V[o] in the first year (§3 with X = 0).

Error decomposition (issue 11 item 3): the model's demand recomputed with one §3 component
of every cell replaced by its realised value — ``model_realised_expansion`` (the realised
expansion X, measured on matched employers), ``model_realised_replacement`` (R = r·E[t−1]
on the observed E; the exit rate r is §3's and the same in forecast and realisation, so
this is the part of the employment path's level) and ``model_realised_employment`` (both).
The drop from ``model``'s wMAPE is the error that component carries. The vacancy term is
V[o] in both forecast and realisation, so it carries none in a backtest. On the generated
held-out regions of ``benchmarks.bench_demand_regions`` (where the truth is known) the
expansion carries the largest part, the replacement (the §3 exit-rate formula) the next.

Metric: weighted MAPE Σ|F − A| / ΣA over professions and origins, per horizon, and for the
cumulative demand over horizons 1 … h (``cumulative`` rows: sums over the first h years,
origins whose waves reach o+h). ``coverage_80``/``coverage_95``: share of professions whose
observed employment at o+h fell inside the model's interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.demand.components import demand_components
from forecast.demand.calibration import employment_halfwidth
from forecast.demand.engine import BACKTEST, EngineResult
from forecast.demand.history import _actual, _nodes_sum, realised_path_demand
from forecast.params import DemandParams

#: industry engine backtest (:func:`engine_accuracy`): horizons 1 … ENGINE_BT_H from the
#: last ENGINE_BT_WINDOWS origins
ENGINE_BT_H = 3
ENGINE_BT_WINDOWS = 3

#: rows of the accuracy table: the model, the naive benchmarks, then the error
#: decomposition (the model with one component replaced by the realised one)
METHODS = ("model", "stated_needs", "flat_3pct", "model_realised_expansion",
           "model_realised_replacement", "model_realised_employment")

ACCURACY_COLUMNS = ("method", "horizon", "cumulative", "wmape", "n", "coverage_80",
                    "coverage_95")
EVAL_FIRST, EVAL_LAST = 5, 2      # origins T−5 … T−2


def accuracy_table(res: EngineResult, dparams: DemandParams) -> pd.DataFrame:
    h = res.history
    K = len(h.years)
    horizon = res.origins[-1].views["univariate"].shape[1]
    rows = []
    stats = {}    # (method, cumulative, t) → [abs err, actual, n]
    cover = {}    # (t, level) → [inside, n]
    for o in res.origins[:-1]:
        k = o.k
        if not (K - 1 - EVAL_FIRST <= k <= K - 1 - EVAL_LAST):
            continue
        hh = min(horizon, K - 1 - k)
        if hh <= 0:
            continue
        act = _actual(h, k, horizon)
        cells = o.reconciled[BACKTEST][1 + h.m:]
        e0 = np.nan_to_num(h.e[:, k:k + 1])
        _, _, _, d_f = demand_components(np.hstack([e0, cells]), h.rates[:, k], h.vac[:, k],
                                         dparams)
        d_a = realised_path_demand(h, k, horizon, dparams)
        need = np.zeros_like(d_f)
        nh = min(horizon, h.needs.shape[2])
        need[:, :nh] = h.needs[:, k, :nh]
        flat = np.tile(dparams.default_exit_rate * e0, (1, horizon))
        flat[:, 0] += h.vac[:, k] * dparams.vacancy_fill_share
        actual_p = _nodes_sum(h, d_a)[2]
        methods = [("model", d_f), ("stated_needs", need), ("flat_3pct", flat)]
        methods += list(_with_realised(h, k, horizon, cells, e0, dparams).items())
        for method, f in methods:
            fp = _nodes_sum(h, f)[2]
            for t in range(hh):
                for cum in (False, True):
                    a = actual_p[:, :t + 1].sum(1) if cum else actual_p[:, t]
                    ff = fp[:, :t + 1].sum(1) if cum else fp[:, t]
                    ok = np.isfinite(a) & np.isfinite(ff)
                    s = stats.setdefault((method, cum, t + 1), [0.0, 0.0, 0])
                    s[0] += float(np.abs(ff[ok] - a[ok]).sum())
                    s[1] += float(a[ok].sum())
                    s[2] += int(ok.sum())
        prof_fc = _nodes_sum(h, cells)[2]
        half_all = employment_halfwidth(res, o, "profession")
        for t in range(hh):
            a = act["profession"][:, t]
            sd = o.sd["profession"][:, t]
            ok = np.isfinite(a) & np.isfinite(sd)
            for j, lv in enumerate(res.levels):
                half = half_all[:, t, j]
                inside = (a >= prof_fc[:, t] - half) & (a <= prof_fc[:, t] + half)
                c = cover.setdefault((t + 1, lv), [0, 0])
                c[0] += int((inside & ok).sum())
                c[1] += int(ok.sum())
    for (method, cum, t), (ae, aa, n) in sorted(stats.items(), key=lambda x: (
            x[0][1], x[0][2], METHODS.index(x[0][0]))):
        row = {"method": method, "horizon": t, "cumulative": cum,
               "wmape": ae / aa if aa > 0 else np.nan, "n": n,
               "coverage_80": np.nan, "coverage_95": np.nan}
        if method == "model" and not cum:
            for lv in (80, 95):
                c = cover.get((t, lv))
                if c and c[1]:
                    row[f"coverage_{lv}"] = c[0] / c[1]
        rows.append(row)
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ACCURACY_COLUMNS})
    return pd.DataFrame(rows, columns=list(ACCURACY_COLUMNS))


def _with_realised(h, k, horizon, cells, e0, dparams) -> dict:
    """The model's demand with one §3 component replaced by its realised value (cells × H):
    what is left of the error when that component is known — the decomposition rows."""
    e_path = np.hstack([e0, cells])
    x, r, v, _ = demand_components(e_path, h.rates[:, k], h.vac[:, k], dparams)
    K = len(h.years)
    x_a = np.full_like(x, np.nan)
    r_a = np.full_like(r, np.nan)
    for t in range(min(horizon, K - 1 - k)):
        x_a[:, t] = h.change[:, k + t + 1]
        r_a[:, t] = h.rates[:, k] * h.e_obs[:, k + t]
    return {"model_realised_expansion": np.maximum(0.0, x_a + r) + v,
            "model_realised_replacement": np.maximum(0.0, x + r_a) + v,
            "model_realised_employment": np.maximum(0.0, x_a + r_a) + v}


def engine_accuracy(panel, levels=(80, 95)) -> pd.DataFrame:
    """Accuracy of the time-series engine on the weighted employment of each industry.

    Rolling origin (the last :data:`ENGINE_BT_WINDOWS` origins, horizons 1 …
    :data:`ENGINE_BT_H`), :class:`~forecast.models.AutoForecaster` against
    :class:`~forecast.models.Naive`, scored by :func:`forecast.models.accuracy_table`
    (sMAPE, MASE, interval coverage in %, Winkler). Industries with too short a history are
    left out; empty when none qualifies. (Stage logic of the demand stage: the pipeline only
    calls it.)
    """
    from forecast.models import AutoForecaster, Naive, backtest
    from forecast.models import accuracy_table as models_accuracy

    cells = getattr(panel, "cells", None)
    if cells is None or not len(cells):
        return pd.DataFrame()
    df = (cells.groupby(["okved_section", "survey_year"], as_index=False)["headcount"].sum()
          .rename(columns={"okved_section": "unique_id", "survey_year": "ds",
                           "headcount": "y"}))
    df["y"] = df["y"].astype(float)
    levels = tuple(int(x) for x in levels)
    frames = [backtest(df, h=ENGINE_BT_H, n_windows=ENGINE_BT_WINDOWS, model=m, level=levels)
              for m in (AutoForecaster(nonnegative=True), Naive())]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return models_accuracy(pd.concat(frames, ignore_index=True),
                           levels=levels).reset_index(drop=True)


__all__ = ["accuracy_table", "ACCURACY_COLUMNS", "engine_accuracy", "ENGINE_BT_H",
           "ENGINE_BT_WINDOWS"]
