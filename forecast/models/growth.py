"""Growth models for many short series at once: ARIMA(1,1,0) with drift, and log-space fits.

:class:`ARIMA110` — the first differences ``d(t) = y(t) − y(t−1)`` follow an AR(1) around
a mean growth μ, ``d(t) − μ = φ·(d(t−1) − μ) + e(t)``: growth that persists and reverts to
its mean (the ARIMA family statsforecast's AutoARIMA mostly picks on annual data). It is
estimated by conditional least squares — the OLS regression of ``d(t)`` on
``(1, d(t−1))``, t = 3 … n — in closed form from five sums per series (no loop over
series), so it costs about what :class:`~forecast.models.Drift` costs. ``drift="mean"``
fixes μ at the mean difference (the random walk with drift's slope) and estimates φ by
OLS of the demeaned differences (through the origin): the long-run growth is then the
drift member's and φ only shapes the path towards it. φ is clipped to
``[−phi_max, phi_max]`` (an AR coefficient near 1 in the differences is a second unit root:
its forecasts grow quadratically), the intercept re-estimated given the clipped φ.
Forecast: ``ŷ(n+h) = y(n) + Σ_{k=1..h} [μ + φ^k·(d(n) − μ)]``; forecast variance
``σ²·Σ_{j<h} ψ_j²`` with ``ψ_j = 1 + φ + … + φ^j`` (Box & Jenkins), σ² = SSE/(pairs − 2).
Series with fewer than 5 points (3 pairs) or constant differences get the random walk with
drift (φ = 0, μ = mean difference).

:class:`LogModel` — any member fitted to ``log y`` and back-transformed with ``exp`` (the
forecast *median* of a log-normal model, which is what sMAPE/MASE reward), for series
whose observations are all > 0; series with a value ≤ 0 are fitted in levels (the
wrapped model as is). Standard deviations are the delta method ``ŷ·sd_log``. Growth
compounds: a series that jumps from near 0 gets a huge log growth rate and forecasts that
can overflow to ``inf`` — one reason these members are not in the default combination.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from forecast.models._frame import SeriesBlock
from forecast.models.base import SeriesForecaster, last_value
from forecast.models.baseline import Drift

__all__ = ["ARIMA110", "LogModel", "ar1_diff_sums"]

DRIFTS = ("cls", "mean")
#: fewer (d(t−1), d(t)) pairs than this → random walk with drift
MIN_PAIRS = 3


def ar1_diff_sums(block: SeriesBlock):
    """Per-series sums of the lag pairs of first differences: ``m, Σx, Σz, Σxx, Σxz, Σzz``
    with ``x = d(t−1)``, ``z = d(t)`` over the pairs inside each series (NaN-padded
    block, so the padding drops out of every sum)."""
    d = np.diff(block.values, axis=1)
    x, z = d[:, :-1], d[:, 1:]
    ok = ~(np.isnan(x) | np.isnan(z))
    x, z = np.where(ok, x, 0.0), np.where(ok, z, 0.0)
    m = ok.sum(axis=1).astype(float)
    return m, x.sum(axis=1), z.sum(axis=1), (x * x).sum(axis=1), (x * z).sum(axis=1), (z * z).sum(axis=1)


class ARIMA110(SeriesForecaster):
    """ARIMA(1,1,0) with drift by conditional least squares, all series at once.

    Parameters
    ----------
    drift : {"cls", "mean"}
        ``"cls"``: intercept and AR coefficient by OLS of ``d(t)`` on ``(1, d(t−1))``;
        ``"mean"``: mean growth = mean difference, AR coefficient by OLS of the demeaned
        differences.
    phi_max : float
        Bound on ``|φ|`` (in [0, 1)).

    Attributes
    ----------
    phi_, mu_ : ndarray (n,)
        AR coefficient of the differences and their long-run mean (the drift).
    last_diff_, last_ : ndarray (n,)
        Last difference and last value (the forecast origin).
    sigma_ : ndarray (n,)
        Residual standard deviation (NaN when too short).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2010, 2018),
    ...                    "y": [10.0, 12, 13, 15, 17, 18, 20, 21]})
    >>> m = ARIMA110().fit(df)
    >>> round(float(m.phi_[0]), 3), m.predict(2)["yhat"].round(2).tolist()
    (-0.75, [23.0, 24.25])
    """

    def __init__(self, drift: str = "cls", phi_max: float = 0.98):
        self.drift = drift
        self.phi_max = phi_max

    def _fit_block(self, panel: SeriesBlock) -> None:
        if self.drift not in DRIFTS:
            raise ValueError(f"drift must be one of {DRIFTS}, got {self.drift!r}")
        if not 0.0 <= float(self.phi_max) < 1.0:
            raise ValueError(f"phi_max must be in [0, 1), got {self.phi_max!r}")
        m, sx, sz, sxx, sxz, szz = ar1_diff_sums(panel)
        n = panel.lengths
        d = np.diff(panel.values, axis=1)
        cnt = np.maximum(n - 1, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            dmean = np.where(cnt > 0, np.nansum(d, axis=1) / np.maximum(cnt, 1), 0.0)
            if self.drift == "cls":
                den = m * sxx - sx * sx
                phi = (m * sxz - sx * sz) / den
            else:
                # Σ(x−μ)(z−μ) / Σ(x−μ)² with μ the mean of all differences
                den = sxx - 2 * dmean * sx + m * dmean ** 2
                phi = (sxz - dmean * (sx + sz) + m * dmean ** 2) / den
            tiny = 1e-12 * (sxx + 1e-300)
            fit = (m >= MIN_PAIRS) & (den > tiny)
            phi = np.clip(np.where(fit, phi, 0.0), -float(self.phi_max), float(self.phi_max))
            c = np.where(fit, (sz - phi * sx) / np.maximum(m, 1), dmean) if self.drift == "cls" \
                else dmean * (1 - phi)
            mu = c / (1 - phi)
            # SSE of z − c − φx from the sums (no second pass over the data)
            sse = szz + m * c * c + phi * phi * sxx - 2 * c * sz - 2 * phi * sxz + 2 * c * phi * sx
            self.sigma_ = np.where(fit & (m > 2), np.sqrt(np.maximum(sse, 0.0) / np.maximum(m - 2, 1)),
                                   _drift_sd(d, cnt, dmean))
        last_idx = np.maximum(n - 1, 0)
        rows = np.arange(len(n))
        ld = d[rows, np.maximum(last_idx - 1, 0)] if d.shape[1] else np.zeros(len(n))
        self.last_diff_ = np.where(n > 1, ld, 0.0)
        self.phi_, self.mu_ = phi, np.where(n > 1, mu, 0.0)
        self.last_ = last_value(panel)

    def _mean(self, h: int) -> np.ndarray:
        pw = self.phi_[:, None] ** np.arange(1, h + 1)[None, :]
        steps = self.mu_[:, None] + pw * (self.last_diff_ - self.mu_)[:, None]
        return self.last_[:, None] + np.cumsum(steps, axis=1)

    def _sd(self, h: int) -> np.ndarray:
        psi = np.cumsum(self.phi_[:, None] ** np.arange(h)[None, :], axis=1)
        return self.sigma_[:, None] * np.sqrt(np.cumsum(psi * psi, axis=1))


def _drift_sd(d, cnt, dmean):
    ss = np.nansum((d - dmean[:, None]) ** 2, axis=1)
    return np.where(cnt > 1, np.sqrt(ss / np.maximum(cnt - 1, 1)), np.nan)


class LogModel(SeriesForecaster):
    """``model`` fitted to ``log y`` for strictly positive series, in levels otherwise.

    Parameters
    ----------
    model : SeriesForecaster or None
        The wrapped member (cloned at fit); ``None`` = :class:`~forecast.models.Drift`,
        i.e. growth at the mean log rate ``ŷ(n+h) = y(n)·(y(n)/y(1))^{h/(n−1)}``.

    Attributes
    ----------
    model_ : SeriesForecaster
        The fitted clone (on the transformed block).
    positive_ : ndarray of bool (n,)
        Series fitted in logs.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2020, 2023), "y": [100.0, 110, 121]})
    >>> LogModel().fit(df).predict(2)["yhat"].round(2).tolist()
    [133.1, 146.41]
    """

    def __init__(self, model=None):
        self.model = model

    def _fit_block(self, panel: SeriesBlock) -> None:
        model = Drift() if self.model is None else self.model
        if not isinstance(model, SeriesForecaster):
            raise ValueError(f"model must be a forecast.models estimator or None, got {self.model!r}")
        v = panel.values
        with np.errstate(invalid="ignore"):
            pos = ~np.any(v <= 0, axis=1) & (panel.lengths > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            logv = np.where(pos[:, None], np.log(v), v)
        inner = SeriesBlock(panel.ids, logv, panel.lengths, panel.last_ds, panel.calendar)
        self.model_ = clone(model).fit(inner)
        self.positive_ = pos

    def _mean(self, h: int) -> np.ndarray:
        m = self.model_._mean(h)
        with np.errstate(over="ignore"):
            return np.where(self.positive_[:, None], np.exp(m), m)

    def _sd(self, h: int) -> np.ndarray:
        sd = self.model_._sd(h)
        return np.where(self.positive_[:, None], self._mean(h) * sd, sd)
