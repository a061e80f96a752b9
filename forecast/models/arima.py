"""ARIMA via statsmodels — an optional, slow member (a Python loop over series).

Not part of the default :class:`~forecast.models.AutoForecaster`: it is ~1000× slower
than the vectorised members and did not improve the combination in the M3 benchmark.
Each series gets the order with the smallest AICc among ``orders`` (all with a drift term
when d = 1), fitted by statsmodels' ``ARIMA`` (state-space MLE); series shorter than
``min_length`` or whose fits all fail fall back to the random walk with drift.
"""

from __future__ import annotations

import warnings

import numpy as np

from forecast.models._frame import SeriesBlock
from forecast.models.base import SeriesForecaster
from forecast.models.baseline import Drift

__all__ = ["ARIMA"]

ORDERS = ((0, 1, 0), (0, 1, 1), (1, 1, 0), (1, 1, 1))


class ARIMA(SeriesForecaster):
    """Per-series ARIMA(p, d, q) with drift, order chosen by AICc.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2000, 2012),
    ...                    "y": [1.0, 2.1, 2.9, 4.2, 5.0, 5.8, 7.1, 8.0, 9.2, 9.9, 11.1, 12.0]})
    >>> fc = ARIMA().fit(df).predict(2)
    >>> bool((fc["yhat"].diff().dropna() > 0).all())
    True
    """

    def __init__(self, orders: tuple = ORDERS, min_length: int = 6):
        self.orders = orders
        self.min_length = min_length

    def _fit_block(self, panel: SeriesBlock) -> None:
        from statsmodels.tsa.arima.model import ARIMA as SMARIMA

        self.results_ = [None] * len(panel)
        self.order_ = np.full(len(panel), None, dtype=object)
        self.fallback_ = Drift().fit(panel)
        for i in range(len(panel)):  # slow member by design: one statsmodels fit per series
            n = int(panel.lengths[i])
            if n < self.min_length:
                continue
            y = panel.values[i, :n]
            best, best_ic = None, np.inf
            for order in self.orders:
                trend = "t" if order[1] == 1 else "c"
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        res = SMARIMA(y, order=order, trend=trend).fit()
                except Exception:  # a failed fit just drops this candidate order
                    continue
                ic = res.aicc if np.isfinite(res.aicc) else np.inf
                if ic < best_ic:
                    best, best_ic = res, ic
            if best is not None:
                self.results_[i] = best
                self.order_[i] = best.model.order

    def _mean(self, h: int) -> np.ndarray:
        out = self.fallback_._mean(h)
        for i, res in enumerate(self.results_):
            if res is not None:
                out[i] = res.forecast(h)
        return out

    def _sd(self, h: int) -> np.ndarray:
        out = self.fallback_._sd(h)
        for i, res in enumerate(self.results_):
            if res is not None:
                out[i] = np.sqrt(np.maximum(res.get_forecast(h).var_pred_mean, 0))
        return out
