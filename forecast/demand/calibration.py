"""Calibration of the demand engine's intervals (split out of :mod:`forecast.demand.engine`).

The engine hands over, per backtest origin and level (cell, profession, section, total),
the checks of its reconciled forecasts against the later waves: |error|, the node's
forecast σ_h (:class:`~forecast.demand.engine.UnivariateForecast`) and the sampling
variance of the two waves' estimates; and, for demand, |error| / σ_1. From them this module
fits the interval scales:

* employment: half-width z·√(a_h²σ_h² + v_T) per node, a_h split-conformal per level and
  horizon (:func:`calibrate_employment`) widened like Student-t by the number of backtest
  origins behind it (:func:`few_origin_widening`); sections also get per-section factors,
  a floor and a non-decreasing a_h (:func:`calibrate_sections`);
* demand: σ_1 times the empirical quantile of |demand error| / σ_1 (:func:`calibrate_demand`).

:func:`employment_halfwidth` applies them at an origin. Only σ's *shape* across nodes and
horizons matters: every scale is re-fitted on the errors, so a change in how the time-series
engine builds its intervals moves a_h, not the calibrated width.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> err = np.abs(rng.normal(0, 2.0, (400, 1)))
>>> a = calibrate_employment([(err, np.ones((400, 1)), np.zeros((400, 1)))], 1, (80,))
>>> bool(1.6 < a[0, 0] < 2.4)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from forecast.demand.history import _noise_var

#: levels of the hierarchy the engine calibrates
LEVELS = ("cell", "profession", "section", "total")
#: checks needed before the empirical interval quantile replaces the normal one
MIN_CALIBRATION = 10
#: employment interval scales pool the checks of horizons h − 1 … h + 1
CALIBRATION_WINDOW = 1
#: prior weight, in checks, of the common scale in a section's own error scale
#: (:func:`calibrate_sections`; about one origin's horizons)
SECTION_SHRINK_CHECKS = 7
#: fewest degrees of freedom of the section scales' Student-t widening
SECTION_MIN_DF = 2
#: backtest origins a horizon's checks must come from to count as evidence of its own
#: (:func:`evidence_horizon`)
MIN_EVIDENCE_ORIGINS = 2


def calibrate_demand(calib: dict, horizon: int, levels) -> dict:
    """Demand half-width multipliers q[level] (H × len(levels)) of σ_1, from
    ``calib[level]``: the checks' |demand error| / σ_1 (nodes × H each)."""
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    out = {}
    for level in LEVELS:
        zs = list(calib.get(level, []))
        if level == "total":      # pooled with sections (too few checks alone)
            zs = zs + list(calib.get("section", []))
        q = np.tile(zq, (horizon, 1))
        last = None
        for t in range(horizon):
            vals = np.concatenate([z[:, t] for z in zs]) if zs else np.array([])
            vals = vals[np.isfinite(vals)]
            if len(vals) >= MIN_CALIBRATION:
                ratio = np.quantile(vals, np.asarray(levels) / 100.0) / zq
                # an empirical quantile needs enough checks beyond it (≥ 2 outside);
                # a level without them takes the ratio of the lowest level
                enough = len(vals) * (1 - np.asarray(levels) / 100.0) >= 2
                ratio = np.where(enough, ratio, ratio[0])
                q[t] = ratio * zq
                last = ratio
            elif last is not None:
                q[t] = last * zq
        out[level] = q
    return out


def _coverage(a, err, sd, var, z):
    """Share of checks with |error| ≤ z·√(a²σ² + noise variance), for each scale a."""
    half = z * np.sqrt(np.multiply.outer(a ** 2, sd ** 2) + var)
    return (err <= half).mean(axis=-1)


def calibrate_employment(checks, horizon, levels, window: int = CALIBRATION_WINDOW):
    """Scales a (H × len(levels)) of the univariate σ_h in the employment half-width
    z·√(a²σ_h² + v), v the sampling variance of the origin wave's estimate.

    The backtest compares a forecast from wave o with the estimate of wave o+h, whose error
    is the forecast error plus the sampling error of wave o+h; the checks are therefore
    scored against z·√(a²σ² + v_o + v_(o+h)), and a is the smallest scale at which the
    share covered reaches the level (split-conformal, found by bisection: the share grows
    with a). The interval for the truth at T drops the later wave's term: z·√(a²σ² + v_T),
    so a survey year answered by fewer employers (larger v_T) gets wider intervals. The
    checks of horizon h are pooled with those of h ± CALIBRATION_WINDOW (long horizons have
    one or two origins; σ_h carries the growth with h). The normal σ (a = 1) until
    MIN_CALIBRATION checks exist; a horizon without them takes the longest calibrated
    horizon's a, a level with fewer than two checks beyond its quantile the lowest level's a.
    """
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    out = np.ones((horizon, len(levels)))
    last = None
    for t in range(horizon):
        # the checks of horizons t−1 … t+1: long horizons have few origins (one or two),
        # and σ_h already carries the growth with the horizon
        ts = range(max(0, t - window), min(horizon, t + window + 1))
        parts = [np.column_stack([e[:, tt], s[:, tt], v[:, tt]]) for e, s, v in checks
                 for tt in ts]
        vals = np.vstack(parts) if parts else np.empty((0, 3))
        vals = vals[np.isfinite(vals).all(axis=1) & (vals[:, 1] > 0)]
        if len(vals) < MIN_CALIBRATION:
            if last is not None:
                out[t] = last
            continue
        err, sd, var = vals.T
        a = np.empty(len(levels))
        for j, (lv, z) in enumerate(zip(levels, zq)):
            target = lv / 100.0
            lo, hi = 0.0, 1.0
            while _coverage(np.array([hi]), err, sd, var, z)[0] < target and hi < 1e4:
                hi *= 2.0
            for _ in range(40):
                mid = (lo + hi) / 2.0
                if _coverage(np.array([mid]), err, sd, var, z)[0] >= target:
                    hi = mid
                else:
                    lo = mid
            a[j] = hi
        enough = len(vals) * (1 - np.asarray(levels) / 100.0) >= 2
        a = np.where(enough, a, a[0])
        out[t] = a
        last = a
    return out


def _node_factors(checks, n0: float, n_nodes: int) -> np.ndarray:
    """Each node's error scale relative to the level's (nodes), from the checks of every
    horizon and origin: f² = (Σ r² / r̄² + n0) / (n + n0), r = √max(e² − v, 0) / σ_h over
    the node's n checks and r̄² the mean r² of all nodes; shrunk to 1 by n0 prior checks.
    """
    num, cnt, tot, n_all = 0.0, 0.0, 0.0, 0
    for e, s, v in checks:
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.maximum(e ** 2 - v, 0.0) / s ** 2
        r2 = np.where(np.isfinite(r2) & (s > 0), r2, np.nan)
        num = num + np.nansum(r2, axis=1)
        cnt = cnt + np.isfinite(r2).sum(axis=1)
        tot += float(np.nansum(r2))
        n_all += int(np.isfinite(r2).sum())
    if n_all == 0 or tot <= 0:
        return np.ones(n_nodes)
    return np.sqrt((num / (tot / n_all) + n0) / (cnt + n0))


def calibrate_sections(checks, horizon, levels, n_nodes: int):
    """Section scales a (H × len(levels)) and per-section factors f (sections) for the
    half-width z·√(a²(f σ_h)²) (sections are control totals: v = 0).

    Sections are few (~12) and their backtest errors are common within an origin (one
    region-wide path), so the checks of a horizon are worth about as many independent
    draws as origins — one or two at long horizons — and the split-conformal scale of
    :func:`calibrate_employment` alone came out too narrow (the reporting regions' 80 %
    coverage 0.56 in the worst region, 0.46 among the tuning regions). Hence:

    1. f: a section whose σ_h is misspecified misses at every origin and horizon (its
       backtest ratio |e|/σ ranks with its error after T), so each section's own error
       scale, shrunk to the common one by SECTION_SHRINK_CHECKS prior checks, rescales σ_h;
    2. a on the rescaled checks per horizon (h ± 1), at least the scale of all horizons
       pooled (many origins), and non-decreasing in h (the fewer origins of a long
       horizon are no evidence that its errors shrink relative to σ_h);
    3. widened by t_ν(q)/z(q), ν the number of origins checked in the window (at least
       SECTION_MIN_DF): a scale estimated from ν independent draws gives Student-t, not
       normal, quantiles — intervals from few errors err wide. Without any backtest
       origin (a region with MIN_TRAIN_WAVES waves or fewer) a = 1, f = 1 and the same
       widening with ν = SECTION_MIN_DF: σ_h then comes from two or three points, and the
       unwidened normal σ covered the truth of sections 0.60/0.70 (80/95 %, 2 waves) and
       0.76/0.90 (3 waves) on four generated regions, 0.69/0.82 and 0.89/0.99 widened.
    """
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    f = _node_factors(checks, SECTION_SHRINK_CHECKS, n_nodes)
    scaled = [(e, s * f[:, None], v) for e, s, v in checks]
    a = np.maximum(calibrate_employment(scaled, horizon, levels),
                   calibrate_employment(scaled, horizon, levels, window=horizon))
    a = np.maximum.accumulate(a, axis=0)
    return a * few_origin_widening(checks, horizon, levels), f


def few_origin_widening(checks, horizon: int, levels, scale_only: bool = False) -> np.ndarray:
    """t_ν(q)/z(q) (H × len(levels)), ν the number of backtest origins whose checks fall in
    the horizon's calibration window (h ± CALIBRATION_WINDOW), at least SECTION_MIN_DF;
    with ``scale_only`` the 80 % point's factor t_ν(0.9)/z(0.9) for every level.

    Checks of one origin share its region-wide shocks, so a scale fitted on them is worth
    about as many independent draws as origins: from ν draws the quantiles are Student-t,
    not normal, and intervals from few origins must err wide. Without any origin (a region
    with MIN_TRAIN_WAVES waves or fewer) σ_h comes from two or three points, itself a
    few-draw estimate, so the widening of the fewest origins applies.

    Sections (about 12 nodes, errors nearly common within an origin) take the full t
    shape. Professions and cells have many nodes per origin whose empirical quantiles
    already carry the tails' shape; what few origins leave uncertain is the common scale,
    hence ``scale_only``. On independently simulated regions
    (``benchmarks/bench_demand_independent``, seeds 11 and 12 used for the choice) the
    regions inside [0.72, 0.88] at 80 % went from 13 to 16 of 20 (seed 11), the mean 80 % /
    95 % coverage from 0.77 / 0.90 to 0.79 / 0.92 (seed 12; the t shape pushed some regions'
    95 % past 0.98); on the held-out seed 13 the mean is 0.79 / 0.93. On the generated
    tuning regions the means are 0.82 / 0.94 and 0.79 / 0.93.
    """
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    df = np.maximum(_window_origins(checks, horizon), SECTION_MIN_DF)
    if scale_only:
        f = student_t.ppf(0.9, df) / norm.ppf(0.9)
        return np.repeat(f[:, None], len(levels), axis=1)
    return student_t.ppf(0.5 + np.asarray(levels)[None, :] / 200.0, df[:, None]) / zq


@dataclass
class Calibration:
    """The fitted interval scales of one engine run, per level of the hierarchy.

    Attributes
    ----------
    demand : dict
        level → H × len(levels) multipliers of σ_1 for the demand half-width.
    employment : dict
        level → H × len(levels) scales a_h of σ_h (:func:`employment_halfwidth`).
    node_factors : dict
        level → per-node factors f of σ_h (sections only, :func:`calibrate_sections`).
    evidence : dict
        level → the longest horizon index checked by ≥ MIN_EVIDENCE_ORIGINS origins
        (:func:`evidence_horizon`).
    """

    demand: dict = field(default_factory=dict)
    employment: dict = field(default_factory=dict)
    node_factors: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)


def employment_halfwidth(res, o, level: str) -> np.ndarray:
    """Half-widths (nodes × H × len(levels)) of the employment intervals at origin o:
    z·√(a²(fσ_h)² + v_o), non-decreasing in the level (see :func:`calibrate_employment`;
    f the per-node factors of :func:`calibrate_sections`, 1 elsewhere)."""
    cal = res.calibration
    a = cal.employment[level]                                   # H × L
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in res.levels])
    sd = np.nan_to_num(o.sd[level])                             # nodes × H
    f = cal.node_factors.get(level)
    if f is not None:
        sd = sd * f[:, None]
    v = _noise_var(res.history, o.k)[level]                     # nodes
    half = zq * np.sqrt(a[None] ** 2 * sd[:, :, None] ** 2 + v[:, None, None])
    t_c = cal.evidence.get(level)
    if t_c is not None and 0 <= t_c < half.shape[1] - 1:
        # horizons past the evidence: at least the √h growth of a random walk from the
        # longest horizon the backtests checked (σ_h of a short series often stops growing)
        grow = np.sqrt(np.arange(1, half.shape[1] + 1) / (t_c + 1.0))
        floor = half[:, t_c:t_c + 1, :] * grow[None, :, None]
        later = np.arange(half.shape[1]) > t_c
        half[:, later] = np.maximum(half[:, later], floor[:, later])
    return np.maximum.accumulate(half, axis=2)


def evidence_horizon(checks, horizon: int, min_origins: int = MIN_EVIDENCE_ORIGINS) -> int:
    """The longest horizon (index) whose calibration window (h ± CALIBRATION_WINDOW) holds
    checks from at least ``min_origins`` backtest origins; −1 if none.

    Checks of one origin share its region-wide shocks, so a scale calibrated on a single
    origin is no evidence of how errors grow; :func:`employment_halfwidth` lets the
    half-width of longer horizons grow at least like √h from this one.

    >>> e = np.array([[1.0, 1.0, np.nan]])
    >>> evidence_horizon([(e, e, e), (e[:, [0, 2, 2]], e, e)], 3)
    1
    """
    enough = np.flatnonzero(_window_origins(checks, horizon) >= min_origins)
    return int(enough[-1]) if len(enough) else -1


def _window_origins(checks, horizon: int) -> np.ndarray:
    """Per horizon index, the number of backtest origins with a finite check in its
    calibration window (h ± CALIBRATION_WINDOW)."""
    n = np.zeros(horizon)
    for t in range(horizon):
        ts = slice(max(0, t - CALIBRATION_WINDOW), min(horizon, t + CALIBRATION_WINDOW + 1))
        n[t] = sum(bool(np.isfinite(e[:, ts]).any()) for e, _, _ in checks)
    return n


__all__ = ["Calibration", "LEVELS", "few_origin_widening", "calibrate_demand", "calibrate_employment", "calibrate_sections",
           "employment_halfwidth", "evidence_horizon", "MIN_EVIDENCE_ORIGINS", "MIN_CALIBRATION", "CALIBRATION_WINDOW",
           "SECTION_SHRINK_CHECKS", "SECTION_MIN_DF"]
