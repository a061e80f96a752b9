"""Naive (random walk) and Drift (random walk with drift), vectorised.

Naive: ``ŷ(T+h) = y(T)``; Drift: ``ŷ(T+h) = y(T) + h·(y(T) − y(1))/(T − 1)`` (Hyndman &
Athanasopoulos, FPP3 §5.2). Model-based standard deviations: ``σ√h`` for naive and
``σ√(h(1 + h/(T−1)))`` for drift, ``σ`` from the one-step residuals (NaN when too short).
"""

from __future__ import annotations

import numpy as np

from forecast.models._frame import SeriesBlock
from forecast.models.base import SeriesForecaster, first_value, last_value

__all__ = ["Naive", "Drift"]


def _residual_sd(panel: SeriesBlock, drift: bool) -> np.ndarray:
    d = np.diff(panel.values, axis=1)
    cnt = np.maximum(panel.lengths - 1, 0)
    if drift:
        mu = np.nansum(d, axis=1) / np.maximum(cnt, 1)
        d = d - mu[:, None]
        dof = cnt - 1
    else:
        dof = cnt
    ss = np.nansum(d * d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(dof > 0, np.sqrt(ss / np.maximum(dof, 1)), np.nan)


class Naive(SeriesForecaster):
    """Last value carried forward.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": [2020, 2021, 2022], "y": [1.0, 3.0, 2.0]})
    >>> Naive().fit(df).predict(2)["yhat"].tolist()
    [2.0, 2.0]
    """

    def _fit_block(self, panel: SeriesBlock) -> None:
        self.last_ = last_value(panel)
        self.sigma_ = _residual_sd(panel, drift=False)

    def _mean(self, h: int) -> np.ndarray:
        return np.repeat(self.last_[:, None], h, axis=1)

    def _sd(self, h: int) -> np.ndarray:
        return self.sigma_[:, None] * np.sqrt(np.arange(1, h + 1))[None, :]


class Drift(SeriesForecaster):
    """Random walk with drift: the line through the first and last observations.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": [2020, 2021, 2022], "y": [1.0, 3.0, 5.0]})
    >>> Drift().fit(df).predict(2)["yhat"].tolist()
    [7.0, 9.0]
    """

    def _fit_block(self, panel: SeriesBlock) -> None:
        self.last_ = last_value(panel)
        n = panel.lengths
        with np.errstate(invalid="ignore", divide="ignore"):
            slope = (self.last_ - first_value(panel)) / (n - 1)
        self.slope_ = np.where(n > 1, slope, 0.0)
        self.n_ = n
        self.sigma_ = _residual_sd(panel, drift=True)

    def _mean(self, h: int) -> np.ndarray:
        return self.last_[:, None] + self.slope_[:, None] * np.arange(1, h + 1)[None, :]

    def _sd(self, h: int) -> np.ndarray:
        hh = np.arange(1, h + 1)[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sigma_[:, None] * np.sqrt(hh * (1 + hh / (self.n_[:, None] - 1)))
