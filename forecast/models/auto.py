"""AutoForecaster: the default engine for short annual series.

Preliminary version: damped Holt estimated per series with model-based intervals, and the
short/degenerate-series fallbacks below. (Being replaced by a CV-chosen combination with
calibrated intervals behind the same API.)

Fallbacks (per series, by its number of observations n after gap interpolation):
  * n = 0 → NaN; n = 1 → the value (naive);
  * n = 2–3 → mean of naive and drift forecasts;
  * constant series → the constant (zero series → zero);
  * ``nonnegative=True`` clips forecasts and bounds at 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models._frame import forecast_frame, interval_columns, to_panel
from forecast.models.base import _check_h, normal_bounds
from forecast.models.baseline import Drift, Naive
from forecast.models.ets import Holt

__all__ = ["AutoForecaster"]

SHORT = 4


class AutoForecaster:
    """Forecast many short annual series at once.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2015, 2023),
    ...                    "y": [10.0, 11, 12, 13, 14, 15, 16, 17]})
    >>> fc = AutoForecaster().fit(df).predict(2, level=[80])
    >>> list(fc.columns)
    ['unique_id', 'ds', 'yhat', 'yhat_lo_80', 'yhat_hi_80']
    """

    def __init__(self, nonnegative: bool = False):
        self.nonnegative = nonnegative

    def get_params(self, deep: bool = True) -> dict:
        return {"nonnegative": self.nonnegative}

    def fit(self, df: pd.DataFrame):
        self.panel_ = to_panel(df)
        return self

    def predict(self, h: int, level=None) -> pd.DataFrame:
        h = _check_h(h)
        levels = interval_columns(level)
        p = self.panel_
        holt = Holt(damped=True)
        holt.panel_ = p
        holt._fit_panel(p)
        naive, drift = Naive().fit_predict_panel(p, h), Drift().fit_predict_panel(p, h)
        mean = holt._mean(h)
        sd = holt._sd(h)
        n = p.lengths[:, None]
        mean = np.where(n < SHORT, 0.5 * (naive + drift), mean)
        sd_short = Drift()
        sd_short._fit_panel(p)
        sd = np.where(n < SHORT, 2 * np.nan_to_num(sd_short._sd(h)), sd)
        sd = np.where(n == 1, np.abs(mean) * 0.1 * np.sqrt(np.arange(1, h + 1)), sd)
        const = np.nanmax(p.values, axis=1, initial=-np.inf) == np.nanmin(p.values, axis=1, initial=np.inf)
        mean = np.where(const[:, None], naive, mean)
        sd = np.where(const[:, None], 0.0, sd)
        bounds = normal_bounds(mean, sd, levels) if levels else {}
        if self.nonnegative:
            mean = np.maximum(mean, 0)
            bounds = {k: (np.maximum(lo, 0), np.maximum(hi, 0)) for k, (lo, hi) in bounds.items()}
        return forecast_frame(p, mean, bounds or None)
