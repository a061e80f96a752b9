"""Theta method (Assimakopoulos & Nikolopoulos 2000) as SES with drift, vectorised.

Implemented in the state-space form of Fiorucci et al. (2016): with A, B the intercept
and slope of the OLS line of y on t = 1 … n, weight w = 1 − 1/θ and SES level l(t),

    ŷ(t) = l(t−1) + w·[A·(1 − α)^{t−1} + B·(1 − (1 − α)^t)/α]
    ŷ(n+h) = l(n) + w·[A·(1 − α)^n + B·(h − 1 + (1 − (1 − α)^{n+1})/α)]

θ = 2 is the standard Theta method (STM; Hyndman & Billah 2003's SES with half the OLS
drift, up to the initial-level convention); ``theta=None`` chooses θ per series (OTM);
``dynamic=True`` recomputes A, B from the data up to t − 1 at every step (DOTM), which
only changes the in-sample fit and hence the estimates. α, θ and l(0) minimise the
in-sample one-step SSE: a grid over (α, θ) for all series at once, l(0) solved exactly
(the errors are affine in it).
"""

from __future__ import annotations

import numpy as np

from forecast.models._frame import SeriesBlock
from forecast.models.base import SeriesForecaster

__all__ = ["Theta", "ols_line"]

THETAS = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
ALPHAS = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99])


def _ols_sums(v, n, upto):
    """Intercept/slope of OLS of y on t = 1..k using the first ``k = min(upto, n)`` points."""
    k = np.minimum(upto, n)
    T = v.shape[1]
    t = np.arange(1, T + 1, dtype=float)[None, :]
    m = t <= k[:, None]
    y = np.where(m, v, 0.0)
    s0 = k.astype(float)
    s1 = np.where(m, t, 0.0).sum(1)
    s2 = np.where(m, t * t, 0.0).sum(1)
    sy = y.sum(1)
    sty = (y * t).sum(1)
    return _line(s0, s1, s2, sy, sty)


def _line(s0, s1, s2, sy, sty):
    with np.errstate(invalid="ignore", divide="ignore"):
        sxx = s2 - s1 * s1 / np.maximum(s0, 1)
        slope = np.where((s0 > 1) & (sxx > 0), (sty - s1 * sy / np.maximum(s0, 1)) / np.where(sxx > 0, sxx, 1), 0.0)
        icpt = np.where(s0 > 0, (sy - slope * s1) / np.maximum(s0, 1), 0.0)
    return icpt, slope


def ols_line(panel: SeriesBlock):
    """Intercept A (at t = 0) and slope B of OLS of y on t = 1..n, per series."""
    return _ols_sums(panel.values, panel.lengths, panel.lengths)


def fit_theta(values, lengths, alphas, thetas, dynamic: bool):
    """Least squares (α, θ, l0) per series over a grid; returns dict of (n,) arrays."""
    n_series, T = values.shape
    A_g, Th_g = np.meshgrid(alphas, thetas, indexing="ij")
    a = A_g.ravel()[None, :]
    w = 1 - 1 / Th_g.ravel()[None, :]
    shape = (n_series, a.shape[1])
    vals = np.nan_to_num(values)
    lev = np.zeros(shape)
    see, s1 = np.zeros(shape), np.zeros(shape)
    e, d, buf = np.empty(shape), np.empty(shape), np.empty(shape)
    sq = np.zeros((T,) + a.shape)  # (1−α)^{2t}: ∂ŷ/∂l0 squared, summed per series below
    nA, nB = ols_line(SeriesBlock(None, values, lengths, None))
    cs = np.zeros((5, n_series))  # running sums for the dynamic line: s0, s1, s2, sy, sty
    nmin = int(lengths.min(initial=0))
    for t in range(T):
        full = t < nmin
        m = (t < lengths)[:, None]
        y = vals[:, t, None]
        decay = (1 - a) ** t
        sq[t] = decay * decay
        np.subtract(y, lev, out=d)  # one-step error of the SES part (buffers: hot loop)
        if t > 0:  # no theta line before the first observation (dynamic) — static: t ≥ 1 too
            A, B = _line(*cs) if dynamic else (nA, nB)
            # the theta line's term A·c₁(g) + B·c₂(g) for all series × grid points: one
            # (n, 2) @ (2, G) product instead of two outer products
            np.matmul(np.stack([A, B], axis=1), np.concatenate([w * decay, w * (1 - (1 - a) ** (t + 1)) / a]),
                      out=buf)
            np.subtract(d, buf, out=e)
        elif not dynamic:
            np.subtract(d, nA[:, None] * w + nB[:, None] * w, out=e)
        else:
            e[...] = d
        if not full:
            e *= m
            d *= m  # the level freezes after a series' end
        np.multiply(e, e, out=buf)
        see += buf
        np.multiply(e, decay, out=buf)
        s1 += buf
        np.multiply(a, d, out=buf)
        lev += buf
        tt = t + 1.0
        yt = np.where(m[:, 0], y[:, 0], 0.0)
        mm = m[:, 0].astype(float)
        cs += np.stack([mm, mm * tt, mm * tt * tt, yt, yt * tt])
    last = np.maximum(lengths - 1, 0)
    m11 = np.where((lengths > 0)[:, None], np.cumsum(sq, axis=0)[last, 0], 0.0)
    fin = (1 - a) ** lengths[:, None]  # sensitivity of l(n) to l0
    l0 = s1 / np.maximum(m11, 1e-300)
    sse = np.maximum(see - l0 * s1, 0.0)
    j = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=1)
    rows = np.arange(n_series)
    alpha = np.broadcast_to(a, shape)[rows, j]
    theta = np.broadcast_to(Th_g.ravel()[None, :], shape)[rows, j]
    level = (lev + fin * l0)[rows, j]
    return {"alpha": alpha, "theta": theta, "level": level, "sse": sse[rows, j],
            "intercept": nA, "slope": nB, "level0": l0[rows, j]}


class Theta(SeriesForecaster):
    """Theta method in Fiorucci et al.'s state-space form, vectorised.

    ``theta=2`` is the standard method (STM); ``theta=None`` optimises θ per series (OTM);
    ``dynamic=True`` updates the theta line's intercept/slope as data arrive (DOTM).
    α, (θ) and the initial level are least-squares estimates over a grid.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2010, 2020), "y": [float(x) for x in range(10)]})
    >>> Theta().fit(df).predict(2)["yhat"].round(2).tolist()
    [9.49, 9.99]
    """

    def __init__(self, theta: float | None = 2.0, dynamic: bool = False):
        self.theta = theta
        self.dynamic = dynamic

    def _fit_block(self, panel: SeriesBlock) -> None:
        v, n = panel.values, panel.lengths
        thetas = THETAS if self.theta is None else np.array([float(self.theta)])
        res = fit_theta(v, n, ALPHAS, thetas, self.dynamic)
        self.alpha_, self.theta_, self.level_ = res["alpha"], res["theta"], res["level"]
        self.level0_ = res["level0"]
        self.intercept_, self.slope_ = res["intercept"], res["slope"]
        k = 3 if self.theta is not None else 4
        with np.errstate(invalid="ignore", divide="ignore"):
            self.sigma2_ = np.where(n > 0, res["sse"] / np.maximum(n - k + 1, 1), np.nan)
        self.n_ = n

    def _mean(self, h: int) -> np.ndarray:
        a, n = self.alpha_[:, None], self.n_[:, None]
        hh = np.arange(1, h + 1)[None, :]
        w = 1 - 1 / self.theta_[:, None]
        drift = w * (self.intercept_[:, None] * (1 - a) ** n
                     + self.slope_[:, None] * (hh - 1 + (1 - (1 - a) ** (n + 1)) / a))
        return self.level_[:, None] + drift

    def _sd(self, h: int) -> np.ndarray:
        hh = np.arange(1, h + 1)[None, :]
        a = self.alpha_[:, None]
        return np.sqrt(self.sigma2_[:, None] * (1 + (hh - 1) * a * a))
