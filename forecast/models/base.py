"""Common estimator machinery: long frame in, long frame out, numpy in between.

Every model is a scikit-learn ``BaseEstimator``: parameters are set in ``__init__`` only
(``get_params``/``set_params``/``repr``/``clone`` come from scikit-learn), ``fit`` returns
``self`` and stores the fitted state in attributes ending in ``_``; ``predict`` before ``fit``
raises :class:`sklearn.exceptions.NotFittedError`.

A model implements ``_fit_block(block)`` (fitted state in ``*_`` attributes), ``_mean(h)`` →
(n, h) point forecasts and ``_sd(h)`` → (n, h) forecast standard deviations for
model-based normal intervals. ``fit`` takes the long frame (``unique_id, ds, y``) or an
already packed :class:`~forecast.models._frame.SeriesBlock` (what the AutoForecaster
hands its members, so a 10⁶-series frame is packed once).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from forecast.models._frame import SeriesBlock, forecast_frame, interval_columns, to_block

__all__ = ["SeriesForecaster", "normal_bounds", "as_block", "check_h"]


def normal_bounds(mean: np.ndarray, sd: np.ndarray, levels) -> dict:
    """Symmetric normal intervals ``mean ± z·sd`` for each level (percent)."""
    out = {}
    for lv in levels:
        z = norm.ppf(0.5 + float(lv) / 200.0)
        out[lv] = (mean - z * sd, mean + z * sd)
    return out


def as_block(X) -> SeriesBlock:
    """A :class:`SeriesBlock` from a long frame (validated) or a block (as is)."""
    return X if isinstance(X, SeriesBlock) else to_block(X)


class SeriesForecaster(BaseEstimator):
    """Base class: scikit-learn conventions over the long frame ``unique_id, ds, y``."""

    def fit(self, X, y=None):
        """Fit every series of ``X`` (long frame or :class:`SeriesBlock`) at once.

        ``y`` is unused (the target is the frame's ``y`` column); returns ``self``.
        """
        block = as_block(X)
        self._fit_block(block)
        self.block_ = block
        return self

    def predict(self, h: int, level=None) -> pd.DataFrame:
        """Forecast ``h`` years ahead: ``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L]``."""
        check_is_fitted(self, "block_")
        h = check_h(h)
        levels = interval_columns(level)
        mean = self._mean(h)
        bounds = normal_bounds(mean, self._sd(h), levels) if levels else None
        return forecast_frame(self.block_, mean, bounds)

    def predict_mean(self, h: int) -> np.ndarray:
        """Point forecasts as an (n_series, h) array, rows in the order of the fitted block."""
        check_is_fitted(self, "block_")
        return self._mean(check_h(h))

    # --- to implement -------------------------------------------------------------
    def _fit_block(self, block: SeriesBlock) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _mean(self, h: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sd(self, h: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


def check_h(h) -> int:
    """``h`` as a positive int, else ``ValueError``."""
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise ValueError(f"h must be a positive integer, got {h!r}")
    return int(h)


def last_value(block: SeriesBlock) -> np.ndarray:
    """Last observation of each series (NaN for empty series)."""
    n = len(block)
    idx = np.maximum(block.lengths - 1, 0)
    out = block.values[np.arange(n), idx] if n else np.zeros(0)
    return np.where(block.lengths > 0, out, np.nan)


def first_value(block: SeriesBlock) -> np.ndarray:
    return np.where(block.lengths > 0, block.values[:, 0], np.nan)


def diff_scale(block: SeriesBlock) -> np.ndarray:
    """In-sample mean absolute one-step difference (the MASE scale); NaN if < 2 points."""
    v = block.values
    d = np.abs(np.diff(v, axis=1))
    cnt = np.maximum(block.lengths - 1, 0)
    s = np.nansum(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
