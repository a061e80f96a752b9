"""Forecast accuracy measures and the accuracy table of a backtest.

* sMAPE = mean of 200·|F − A| / (|F| + |A|) (M3 convention; 0 when F = A = 0);
* MASE = mean of |F − A| / scale, scale = in-sample mean absolute one-step difference
  of the series up to the forecast origin (non-seasonal; rows with scale 0 are skipped);
* coverage(L) = share of actuals inside the L% interval, in percent;
* Winkler (interval) score at level L (Winkler 1972): width + (2/α)·distance outside,
  α = 1 − L/100; reported scaled by the same MASE scale so series are comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["smape", "mase", "coverage", "winkler", "accuracy_table"]


def smape(y, yhat) -> float:
    """Symmetric MAPE in percent (0–200).

    >>> smape([100, 0], [110, 0])
    4.761904761904762
    """
    y, f = np.asarray(y, float), np.asarray(yhat, float)
    den = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, 200 * np.abs(f - y) / den, 0.0)
    return float(np.nanmean(r))


def mase(y, yhat, scale) -> float:
    """Mean absolute error divided by each row's ``scale`` (rows with scale ≤ 0 skipped).

    >>> mase([3, 5], [4, 5], [2, 2])
    0.25
    """
    y, f, s = (np.asarray(a, float) for a in (y, yhat, scale))
    ok = s > 0
    return float(np.nanmean(np.abs(f - y)[ok] / s[ok])) if ok.any() else float("nan")


def coverage(y, lo, hi) -> float:
    """Percent of ``y`` within ``[lo, hi]``.

    >>> coverage([1, 2, 3, 4], [0, 0, 0, 0], [2, 2, 2, 2])
    50.0
    """
    y, lo, hi = (np.asarray(a, float) for a in (y, lo, hi))
    return float(100 * np.mean((y >= lo) & (y <= hi)))


def winkler(y, lo, hi, level, scale=None) -> float:
    """Mean Winkler interval score (lower is better), optionally divided by ``scale``.

    >>> round(winkler([1.0, 3.0], [0.0, 0.0], [2.0, 2.0], 80), 6)
    7.0
    """
    y, lo, hi = (np.asarray(a, float) for a in (y, lo, hi))
    a = 1 - float(level) / 100
    score = (hi - lo) + (2 / a) * (np.maximum(lo - y, 0) + np.maximum(y - hi, 0))
    if scale is not None:
        s = np.asarray(scale, float)
        ok = s > 0
        return float(np.mean(score[ok] / s[ok])) if ok.any() else float("nan")
    return float(np.mean(score))


def accuracy_table(bt: pd.DataFrame, levels=(80, 95), by=("model", "h")) -> pd.DataFrame:
    """Accuracy per model and horizon (plus an ``h = 'all'`` row per model).

    ``bt`` is a :func:`~forecast.models.backtest.backtest` frame (columns y, yhat, scale
    and ``yhat_lo_L``/``yhat_hi_L``; a ``model`` column is optional). Columns: model, h,
    n, smape, mase, and coverage_L, winkler_L for every level present.

    >>> bt = pd.DataFrame({"h": [1, 1, 2], "y": [1.0, 2, 3], "yhat": [1.0, 2, 4], "scale": [1.0, 1, 1]})
    >>> accuracy_table(bt, levels=())[["model", "h", "n", "mase"]].values.tolist()
    [['all', '1', 2, 0.0], ['all', '2', 1, 1.0], ['all', 'all', 3, 0.3333333333333333]]
    """
    bt = bt.copy()
    if "model" not in bt:
        bt["model"] = "all"
    levels = [lv for lv in levels if f"yhat_lo_{lv}" in bt and f"yhat_hi_{lv}" in bt]
    if "scale" not in bt:
        bt["scale"] = np.nan
    rows = []
    for model, g in bt.groupby("model", sort=False):
        parts = [(str(h), gh) for h, gh in g.groupby("h", sort=True)] + [("all", g)]
        for h, gh in parts:
            row = {"model": model, "h": h, "n": len(gh), "smape": smape(gh["y"], gh["yhat"]),
                   "mase": mase(gh["y"], gh["yhat"], gh["scale"])}
            for lv in levels:
                lo, hi = gh[f"yhat_lo_{lv}"], gh[f"yhat_hi_{lv}"]
                row[f"coverage_{lv}"] = coverage(gh["y"], lo, hi)
                row[f"winkler_{lv}"] = winkler(gh["y"], lo, hi, lv, gh["scale"])
            rows.append(row)
    return pd.DataFrame(rows)
