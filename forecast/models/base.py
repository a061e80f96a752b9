"""Common estimator machinery: long frame in, long frame out, numpy in between.

A model implements ``_fit_panel(panel)`` (store fitted state in attributes ending ``_``),
``_mean(h)`` → (n, h) point forecasts and ``_sd(h)`` → (n, h) forecast standard deviations
for model-based normal intervals. ``fit``/``predict`` wrap these over the long frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.base import BaseEstimator

from forecast.models._frame import Panel, forecast_frame, interval_columns, to_panel

__all__ = ["PanelForecaster", "normal_bounds"]


def normal_bounds(mean: np.ndarray, sd: np.ndarray, levels) -> dict:
    """Symmetric normal intervals ``mean ± z·sd`` for each level (percent)."""
    out = {}
    for lv in levels:
        z = norm.ppf(0.5 + float(lv) / 200.0)
        out[lv] = (mean - z * sd, mean + z * sd)
    return out


class PanelForecaster(BaseEstimator):
    """Base class: scikit-learn conventions over the long frame ``unique_id, ds, y``."""

    def fit(self, df: pd.DataFrame):
        """Fit every series of ``df`` at once; returns ``self``."""
        self.panel_ = to_panel(df)
        self._fit_panel(self.panel_)
        return self

    def predict(self, h: int, level=None) -> pd.DataFrame:
        """Forecast ``h`` years ahead: ``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L]``."""
        h = _check_h(h)
        levels = interval_columns(level)
        mean = self._mean(h)
        bounds = normal_bounds(mean, self._sd(h), levels) if levels else None
        return forecast_frame(self.panel_, mean, bounds)

    def fit_predict_panel(self, panel: Panel, h: int) -> np.ndarray:
        """Point forecasts (n, h) of a fresh copy of this model fitted on ``panel``."""
        model = self.__class__(**self.get_params())
        model.panel_ = panel
        model._fit_panel(panel)
        return model._mean(h)

    # --- to implement -------------------------------------------------------------
    def _fit_panel(self, panel: Panel) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _mean(self, h: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sd(self, h: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


def _check_h(h) -> int:
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise ValueError(f"h must be a positive integer, got {h!r}")
    return int(h)


def last_value(panel: Panel) -> np.ndarray:
    """Last observation of each series (NaN for empty series)."""
    n = len(panel)
    idx = np.maximum(panel.lengths - 1, 0)
    out = panel.values[np.arange(n), idx] if n else np.zeros(0)
    return np.where(panel.lengths > 0, out, np.nan)


def first_value(panel: Panel) -> np.ndarray:
    return np.where(panel.lengths > 0, panel.values[:, 0], np.nan)


def diff_scale(panel: Panel) -> np.ndarray:
    """In-sample mean absolute one-step difference (the MASE scale); NaN if < 2 points."""
    v = panel.values
    d = np.abs(np.diff(v, axis=1))
    cnt = np.maximum(panel.lengths - 1, 0)
    s = np.nansum(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
