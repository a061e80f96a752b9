"""Calibrated (split-conformal) prediction intervals from rolling-origin errors.

For each calibration origin (the last k observations held back, k from
:func:`calibration_origins`: H_c and earlier fractions of it) the forecaster is refitted on
the shortened series and its forecasts for horizons 1 … k compared with the held-back
actuals. Errors are divided by each series' scale at that
origin (mean absolute one-step difference, the MASE scale) and **pooled across series**
per horizon. An interval at level L for series i, horizon h is

    ŷ(i, h) + scale(i) · [q_h((1 − L/100)/2), q_h((1 + L/100)/2)]

with q_h the empirical quantiles of the pooled scaled errors (signed, so a systematic
bias widens one side). Quantiles are clipped so that lo ≤ ŷ ≤ hi; nested levels are nested
automatically. Beyond H_c the last horizon's quantiles grow like √(h/H_c). With fewer
than ``MIN_POOL`` errors for a horizon the caller falls back to model-based intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models._frame import SeriesBlock
from forecast.models.base import diff_scale

__all__ = ["Calibration", "holdout_errors", "MIN_POOL", "MIN_TRAIN"]

#: fewest pooled errors per horizon for empirical quantiles
MIN_POOL = 30
#: fewest observations left at a calibration origin for a series to contribute
MIN_TRAIN = 4
#: at most this many errors are kept per horizon (deterministic thinning)
MAX_POOL = 200_000


def calibration_origins(horizon: int, n_windows: int) -> list[int]:
    """Held-back lengths k of the calibration origins: ``horizon·(W − w)/W`` rounded up,
    w = 0 … W−1 (e.g. 7 and 4 for horizon 7, W = 2). Each origin scores the horizons it
    has actuals for (j ≤ k), so short horizons are calibrated on later, longer-trained
    origins — closer to how the final forecast is made — and long ones on the earliest."""
    ks = {max(1, -(-horizon * (n_windows - w) // n_windows)) for w in range(n_windows)}
    return sorted(ks, reverse=True)


def holdout_errors(panel: SeriesBlock, forecast_fn, horizon: int, n_windows: int) -> list[np.ndarray]:
    """Scaled rolling-origin errors per horizon (list of 1-D arrays, horizon 1 first)."""
    per_h = [[] for _ in range(horizon)]
    for k in calibration_origins(horizon, n_windows):
        ok = panel.lengths - k >= MIN_TRAIN
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        sub = panel.take(idx)
        short = sub.truncate(k)
        short = short.take(np.arange(len(short)))
        hk = min(k, horizon)
        fc = forecast_fn(short, hk)
        pos = short.lengths[:, None] + np.arange(hk)[None, :]
        actual = np.take_along_axis(sub.values, pos, axis=1)
        scale = diff_scale(short)
        with np.errstate(invalid="ignore", divide="ignore"):
            err = (actual - fc) / scale[:, None]
        good = np.isfinite(err) & (scale[:, None] > 0)
        for j in range(hk):
            per_h[j].append(err[good[:, j], j])
    return [np.concatenate(x) if x else np.zeros(0) for x in per_h]


@dataclass
class Calibration:
    """Pooled scaled errors per horizon (sorted) and the relative-scale fallback."""

    errors: list
    rel_scale: float

    @classmethod
    def pool(cls, chunks: list[list[np.ndarray]], rel_scales: list[np.ndarray]) -> "Calibration":
        horizon = max((len(c) for c in chunks), default=0)
        errors = []
        for j in range(horizon):
            e = np.sort(np.concatenate([c[j] for c in chunks if len(c) > j]))
            if len(e) > MAX_POOL:
                e = e[np.linspace(0, len(e) - 1, MAX_POOL).round().astype(np.int64)]
            errors.append(e)
        rel = np.concatenate(rel_scales) if rel_scales else np.zeros(0)
        rel = rel[np.isfinite(rel) & (rel > 0)]
        return cls(errors, float(np.median(rel)) if len(rel) else 0.1)

    @property
    def usable(self) -> bool:
        return bool(self.errors) and all(len(e) >= MIN_POOL for e in self.errors)

    def quantiles(self, level: float, h: int) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) scaled-error quantiles for horizons 1..h (lo ≤ 0 ≤ hi), memoised
        (every chunk of a prediction asks for the same ones)."""
        cache = self.__dict__.setdefault("_cache", {})
        key = (float(level), int(h))
        if key not in cache:
            cache[key] = self._quantiles(level, h)
        return cache[key]

    def _quantiles(self, level: float, h: int) -> tuple[np.ndarray, np.ndarray]:
        a = (1 - float(level) / 100) / 2
        hc = len(self.errors)
        lo = np.array([np.quantile(e, a) for e in self.errors])
        hi = np.array([np.quantile(e, 1 - a) for e in self.errors])
        if h > hc:
            grow = np.sqrt(np.arange(hc + 1, h + 1) / hc)
            lo = np.concatenate([lo, lo[-1] * grow])
            hi = np.concatenate([hi, hi[-1] * grow])
        return np.minimum(lo[:h], 0.0), np.maximum(hi[:h], 0.0)
