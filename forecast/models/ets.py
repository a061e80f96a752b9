"""Exponential smoothing for many short series at once: SES, Holt, damped Holt, ETS auto.

Recursions (additive errors, statsmodels' ``Holt`` parametrisation, ``0 ≤ β ≤ 1`` is the
smoothing of the trend *increment*, so β_ETS = α·β):

    ŷ(t) = l(t−1) + φ·b(t−1)            e(t) = y(t) − ŷ(t)
    l(t) = l(t−1) + φ·b(t−1) + α·e(t)   b(t) = φ·b(t−1) + α·β·e(t)
    ŷ(T+h) = l(T) + (φ + … + φ^h)·b(T)

Estimation is vectorised over series *and* over a grid of (α, β, φ): for fixed smoothing
parameters the one-step errors are affine in the initial states, ``e(t) = e₀(t) − r(t)·x₀``
with ``r(t) = w'D^{t−1}`` (the same for every series), so the optimal initial level/trend
of every series and grid point come from a 2×2 least-squares solve — the grid search then
minimises the exact profile SSE. An optional second, finer grid around each series'
best point (``refine=True``) did not improve rolling-origin CV accuracy on the M3 yearly
training parts and costs 2–3× the time, so the coarse grid — which also acts as a mild
regulariser for 8–20 point series — is the default (the CV also preferred it to a denser
grid). ETS auto selection picks ANN/AAN/AAdN per series by AICc
(k = smoothing parameters + initial states + 1 for σ²), as ``forecast::ets`` does.
"""

from __future__ import annotations

import numpy as np

from forecast.models._frame import SeriesBlock
from forecast.models.base import SeriesForecaster

__all__ = ["SES", "Holt", "ETS", "holt_filter", "holt_forecast", "fit_grid"]

ALPHAS = np.array([0.02, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99])
BETAS = np.array([0.03, 0.15, 0.45])
PHIS = np.array([0.82, 0.9, 0.96])
#: the smallest series estimated by ETS; shorter ones get a level-only/fallback fit
MIN_LENGTH = 3


def holt_filter(values, lengths, alpha, beta, phi, level0, trend0):
    """Run the recursion with known parameters and initial states.

    All parameter arrays broadcast to ``(n,)``; ``beta=0, trend0=0`` gives SES.
    Returns ``(fitted, level, trend)``: one-step fitted values (n, T) (NaN past each
    series' end) and the final states (n,).
    """
    n, T = values.shape
    lev = np.broadcast_to(np.asarray(level0, float), (n,)).copy()
    tr = np.broadcast_to(np.asarray(trend0, float), (n,)).copy()
    alpha, beta, phi = (np.broadcast_to(np.asarray(a, float), (n,)) for a in (alpha, beta, phi))
    fitted = np.full((n, T), np.nan)
    for t in range(T):
        m = t < lengths
        yhat = lev + phi * tr
        e = values[:, t] - yhat
        fitted[:, t] = np.where(m, yhat, np.nan)
        lev = np.where(m, yhat + alpha * e, lev)
        tr = np.where(m, phi * tr + alpha * beta * e, tr)
    return fitted, lev, tr


def holt_forecast(level, trend, phi, h: int) -> np.ndarray:
    """``l + (φ + … + φ^j)·b`` for j = 1..h, shape (n, h)."""
    phi = np.asarray(phi, float)[..., None] * np.ones(h)
    cum = np.cumprod(phi, axis=-1).cumsum(axis=-1)
    return np.asarray(level)[..., None] + np.asarray(trend)[..., None] * cum


def _profile(values, lengths, alpha, beta, phi, trend: bool):
    """Profile SSE over the initial states for parameters broadcastable to (n, G).

    Returns ``sse, l0, b0, finish`` — ``sse``, ``l0``, ``b0`` of shape (n, G) and
    ``finish(j)`` → final ``(level, trend)`` (n,) of the optimal initial states at grid
    column ``j[i]`` of each series (the recursion is linear, so final = final₀ +
    (sensitivity)·x₀; computed for the chosen column only). The sensitivities depend on
    the parameters only, so they are computed on the parameter shape (1, G) — or (n, G)
    for per-series parameters — and picked at each series' last step afterwards; only the
    error sums run over all series × grid points, in preallocated buffers (the loop is the
    engine's hot spot: temporaries of this size cost page faults).
    """
    n, T = values.shape
    pshape = np.broadcast_shapes(np.shape(alpha), np.shape(beta), np.shape(phi))
    shape = np.broadcast_shapes((n, 1), pshape)
    alpha, beta, phi = (np.broadcast_to(np.asarray(x, float), pshape) for x in (alpha, beta, phi))
    vals = np.nan_to_num(values)
    lev = np.zeros(shape)
    tr = np.zeros(shape)
    see = np.zeros(shape)
    s1 = np.zeros(shape)
    s2 = np.zeros(shape)
    e = np.empty(shape)
    buf = np.empty(shape)
    yhat = np.empty(shape)
    # r = (r1, r2) = ∂ŷ(t)/∂(l0, b0); L, B = ∂l(t)/∂(l0, b0), ∂b(t)/∂(l0, b0)
    r1 = np.ones(pshape)
    r2 = phi * r1 if trend else np.zeros(pshape)
    L1, L2 = np.ones(pshape), np.zeros(pshape)
    B1, B2 = np.zeros(pshape), np.ones(pshape)
    R = np.zeros((T, 3) + pshape)      # r1², r1·r2, r2² per step
    F = np.zeros((T, 4) + pshape)      # L1, L2, B1, B2 after each step
    ab = alpha * beta
    nmin = int(lengths.min(initial=0))
    for t in range(T):
        # masks only matter once the shortest series has ended (speed: skip them before)
        full = t < nmin
        y = vals[:, t, None]
        if trend:
            np.multiply(phi, tr, out=yhat)
            yhat += lev
        else:
            yhat[...] = lev
        np.subtract(y, yhat, out=e)
        if not full:
            m = (t < lengths)[:, None]
            e *= m
        np.multiply(e, e, out=buf)
        see += buf
        np.multiply(e, r1, out=buf)
        s1 += buf
        R[t, 0] = r1 * r1
        if trend:
            np.multiply(e, r2, out=buf)
            s2 += buf
            R[t, 1] = r1 * r2
            R[t, 2] = r2 * r2
            # advance the zero-initialised states; they freeze after a series' end
            if full:
                np.multiply(alpha, e, out=lev)
                lev += yhat
                tr *= phi
                np.multiply(ab, e, out=buf)
                tr += buf
            else:
                np.multiply(alpha, e, out=buf)
                buf += yhat
                np.copyto(lev, buf, where=m)
                np.multiply(phi, tr, out=yhat)
                np.multiply(ab, e, out=buf)
                buf += yhat
                np.copyto(tr, buf, where=m)
            L1, L2, B1, B2 = (L1 + phi * B1 - alpha * r1, L2 + phi * B2 - alpha * r2,
                              phi * B1 - ab * r1, phi * B2 - ab * r2)
            r1, r2 = L1 + phi * B1, L2 + phi * B2
        else:
            np.multiply(alpha, e, out=buf)  # e = 0 after the end: the level freezes by itself
            lev += buf
            L1 = L1 - alpha * r1
            r1 = L1
        F[t, 0], F[t, 1], F[t, 2], F[t, 3] = L1, L2, B1, B2
    last = np.maximum(lengths - 1, 0)
    cum = np.cumsum(R, axis=0)
    per_series = len(pshape) == 2 and pshape[0] == n and n != 1
    rows = np.arange(n)
    has = lengths > 0

    def at_last(arr, k):  # value at each series' last step → (n, G)
        v = arr[last, k, rows] if per_series else arr[last, k, 0] if len(pshape) == 2 else arr[last, k]
        return np.where(has[:, None], v, 0.0)

    m11, m12, m22 = at_last(cum, 0), at_last(cum, 1), at_last(cum, 2)
    with np.errstate(invalid="ignore", divide="ignore"):  # empty series give NaN, handled later
        if trend:
            ridge = 1e-12 * (m11 + m22) + 1e-300
            a, b, d = m11 + ridge, m12, m22 + ridge
            det = a * d - b * b
            l0 = (d * s1 - b * s2) / det
            b0 = (a * s2 - b * s1) / det
            sse = see - l0 * s1 - b0 * s2
        else:
            l0 = s1 / np.maximum(m11, 1e-300)
            b0 = np.zeros(shape)
            sse = see - l0 * s1

    def finish(j):
        g = F[last][:, :, 0, :] if not per_series else F[last, :, rows, :]  # (n, 4, G)
        fl1, fl2, fb1, fb2 = (np.where(has, g[rows, k, j], 0.0) for k in range(4))
        l0j, b0j = l0[rows, j], b0[rows, j]
        return lev[rows, j] + fl1 * l0j + fl2 * b0j, tr[rows, j] + fb1 * l0j + fb2 * b0j

    return np.maximum(sse, 0.0), l0, b0, finish


def fit_grid(values, lengths, trend: bool, damped: bool, alphas=ALPHAS, betas=BETAS, phis=PHIS,
             refine: bool = False):
    """Least-squares (α, β, φ, l0, b0) per series on a grid (optionally refined locally).

    Returns a dict of (n,) arrays: alpha, beta, phi, level0, trend0, sse, level, trend.
    """
    n = values.shape[0]
    if trend:
        ph = phis if damped else np.array([1.0])
        A, B, P = np.meshgrid(alphas, betas, ph, indexing="ij")
    else:
        A, B, P = alphas, np.zeros_like(alphas), np.ones_like(alphas)
    A, B, P = (np.ravel(x)[None, :] for x in (A, B, P))
    res = _best(values, lengths, A, B, P, trend)
    if refine:
        # local grid: halve the distance to the neighbours in each coordinate
        da = 0.5 * _step(alphas, res["alpha"])
        cand_a = np.clip(res["alpha"][:, None] + da[:, None] * np.array([-1, 0, 1]), 0.01, 1.0)
        if trend:
            db = 0.5 * _step(betas, res["beta"])
            cand_b = np.clip(res["beta"][:, None] + db[:, None] * np.array([-1, 0, 1]), 0.0, 1.0)
            if damped:
                dp = 0.5 * _step(phis, res["phi"])
                cand_p = np.clip(res["phi"][:, None] + dp[:, None] * np.array([-1, 0, 1]), 0.8, 0.98)
            else:
                cand_p = np.ones((n, 1))
            A = np.repeat(cand_a, cand_b.shape[1] * cand_p.shape[1], axis=1)
            B = np.tile(np.repeat(cand_b, cand_p.shape[1], axis=1), (1, 3))
            P = np.tile(cand_p, (1, 3 * cand_b.shape[1]))
        else:
            A, B, P = cand_a, np.zeros_like(cand_a), np.ones_like(cand_a)
        res = _best(values, lengths, A, B, P, trend)
    return res


def _step(grid, value):
    """Distance from ``value`` to its nearest neighbour in ``grid`` (per series)."""
    g = np.asarray(grid, float)
    if len(g) < 2:
        return np.zeros_like(value)
    i = np.clip(np.searchsorted(g, value), 0, len(g) - 1)
    lo = g[np.maximum(i - 1, 0)]
    hi = g[np.minimum(i + 1, len(g) - 1)]
    return np.minimum(np.where(i > 0, value - lo, np.inf), np.where(i < len(g) - 1, hi - value, np.inf))


def _best(values, lengths, A, B, P, trend):
    sse, l0, b0, finish = _profile(values, lengths, A, B, P, trend)
    sse = np.where(np.isfinite(sse), sse, np.inf)
    j = np.argmin(sse, axis=1)  # ties → first grid point: deterministic
    rows = np.arange(values.shape[0])

    def pick(x):
        return np.broadcast_to(x, sse.shape)[rows, j]

    lev, tr = finish(j)
    return {
        "alpha": pick(A), "beta": pick(B), "phi": pick(P), "level0": pick(l0),
        "trend0": pick(b0), "sse": pick(sse), "level": lev, "trend": tr,
    }


def aicc(sse, n, k):
    """AICc of a Gaussian model with ``k`` parameters (σ² included) from its SSE."""
    n = np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = n * np.log(np.maximum(sse, 1e-300) / np.maximum(n, 1))
        out = ll + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    return np.where(n - k - 1 > 0, out, np.inf)


class _ExpSmoothing(SeriesForecaster):
    """Shared predict/sd for the exponential-smoothing family."""

    def _mean(self, h: int) -> np.ndarray:
        return holt_forecast(self.level_, self.trend_, self.phi_, h)

    def _sd(self, h: int) -> np.ndarray:
        # class-1 ETS variance: σ²(1 + Σ_{j<h} (α(1 + β·φ_j))²), φ_j = φ + … + φ^j
        phij = np.cumprod(self.phi_[:, None] * np.ones(max(h - 1, 1)), axis=1).cumsum(axis=1)[:, : h - 1]
        c = self.alpha_[:, None] * (1 + self.beta_[:, None] * phij)
        var = np.concatenate([np.zeros((len(self.alpha_), 1)), np.cumsum(c * c, axis=1)], axis=1)
        return np.sqrt(self.sigma2_[:, None] * (1 + var[:, :h]))

    def _store(self, panel: SeriesBlock, res: dict, k) -> None:
        n = panel.lengths
        self.alpha_, self.beta_, self.phi_ = res["alpha"], res["beta"], res["phi"]
        self.level0_, self.trend0_ = res["level0"], res["trend0"]
        self.level_, self.trend_ = res["level"], res["trend"]
        self.sse_ = res["sse"]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.sigma2_ = np.where(n > 0, self.sse_ / np.maximum(n - k + 1, 1), np.nan)
        self.aicc_ = aicc(self.sse_, n, k)
        empty = n == 0
        if empty.any():
            self.level_ = np.where(empty, np.nan, self.level_)


class SES(_ExpSmoothing):
    """Simple exponential smoothing (ETS(A,N,N)); ``alpha=None`` estimates it per series.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2015, 2020), "y": [3.0, 1, 2, 4, 2]})
    >>> SES(alpha=0.5, level0=3.0).fit(df).predict(1)["yhat"].round(4).tolist()
    [2.5]
    """

    def __init__(self, alpha: float | None = None, level0: float | None = None):
        self.alpha = alpha
        self.level0 = level0

    def _fit_block(self, panel: SeriesBlock) -> None:
        v, n = panel.values, panel.lengths
        if self.alpha is None:
            res = fit_grid(v, n, trend=False, damped=False)
        else:
            a = np.full((1, 1), float(self.alpha))
            res = _best(v, n, a, np.zeros((1, 1)), np.ones((1, 1)), trend=False)
        if self.level0 is not None:
            fitted, lev, _ = holt_filter(v, n, res["alpha"], 0.0, 1.0, self.level0, 0.0)
            e = np.where(np.isnan(fitted), 0.0, v - fitted)
            res.update(level0=np.full(len(n), float(self.level0)), level=lev,
                       trend=np.zeros(len(n)), sse=np.nansum(e * e, axis=1))
        self._store(panel, res, k=3)


class Holt(_ExpSmoothing):
    """Holt's linear trend, optionally damped (ETS(A,A,N) / ETS(A,Ad,N)).

    Parameters left as ``None`` are estimated per series (least squares); give all of
    ``alpha, beta, phi, level0, trend0`` to run with known values (statsmodels parity).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2015, 2021), "y": [1.0, 2, 3, 4, 5, 6]})
    >>> Holt().fit(df).predict(2)["yhat"].round(6).tolist()
    [7.0, 8.0]
    """

    def __init__(self, damped: bool = False, alpha=None, beta=None, phi=None, level0=None, trend0=None):
        self.damped = damped
        self.alpha = alpha
        self.beta = beta
        self.phi = phi
        self.level0 = level0
        self.trend0 = trend0

    def _fit_block(self, panel: SeriesBlock) -> None:
        v, n = panel.values, panel.lengths
        phi = self.phi if self.damped else 1.0
        if self.alpha is None or self.beta is None or (self.damped and phi is None):
            res = fit_grid(v, n, trend=True, damped=self.damped)
        else:
            grid = [np.full((1, 1), float(x)) for x in (self.alpha, self.beta, phi)]
            res = _best(v, n, *grid, trend=True)
        if self.level0 is not None and self.trend0 is not None:
            fitted, lev, tr = holt_filter(v, n, res["alpha"], res["beta"], res["phi"], self.level0, self.trend0)
            e = np.where(np.isnan(fitted), 0.0, v - fitted)
            res.update(level0=np.full(len(n), float(self.level0)), trend0=np.full(len(n), float(self.trend0)),
                       level=lev, trend=tr, sse=np.nansum(e * e, axis=1))
        self._store(panel, res, k=6 if self.damped else 5)


class ETS(_ExpSmoothing):
    """Automatic non-seasonal ETS: ANN, AAN or AAdN per series by the smallest AICc.

    ``models`` restricts the candidates. Series too short for a trend model's AICc fall
    back to ANN (and to the last value when shorter than 3 points).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2010, 2020), "y": [float(x) for x in range(10)]})
    >>> m = ETS().fit(df)
    >>> m.selected_.tolist(), m.predict(1)["yhat"].round(3).tolist()
    (['AAN'], [10.0])
    """

    def __init__(self, models: tuple[str, ...] = ("ANN", "AAN", "AAdN")):
        self.models = models

    def _fit_block(self, panel: SeriesBlock) -> None:
        v, n = panel.values, panel.lengths
        specs = {"ANN": (False, False, 3), "AAN": (True, False, 5), "AAdN": (True, True, 6)}
        unknown = set(self.models) - set(specs)
        if unknown:
            raise ValueError(f"unknown ETS model(s) {sorted(unknown)}; choose from {sorted(specs)}")
        best, best_ic, names = None, None, np.full(len(n), "ANN", dtype=object)
        self.forms_ = {}
        for name in [m for m in specs if m in self.models]:
            trend, damped, k = specs[name]
            res = fit_grid(v, n, trend=trend, damped=damped)
            self.forms_[name] = dict(res)
            ic = aicc(res["sse"], n, k)
            res["k"] = np.full(len(n), k)
            if best is None:
                best, best_ic = res, ic
                names[:] = name
                continue
            better = ic < best_ic
            for key in best:
                best[key] = np.where(better, res[key], best[key])
            best_ic = np.where(better, ic, best_ic)
            names[better] = name
        self.selected_ = names
        k = best.pop("k")  # per series: the selected form's number of parameters
        self._store(panel, best, k=k)
