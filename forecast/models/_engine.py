"""The AutoForecaster's work on one chunk of series, shared by the pandas and Dask paths.

The engine is a map–reduce–map so that it can run on chunks in worker processes
(``n_jobs``) or on Dask partitions and still give the numbers of one in-memory run:

1. map (:func:`fit_chunk`): fit the members on a chunk; collect its scaled rolling-origin
   calibration errors and scale ratios (:func:`calibration_errors`);
2. reduce (:meth:`~forecast.models.intervals.Calibration.pool`): pool the errors of all
   chunks (sorted, so the pooled quantiles do not depend on the order of the chunks);
3. map (:func:`predict_chunk`): combine the members' forecasts and put the pooled
   calibration around them.

A series' members depend on that series alone, so chunking never changes a forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecast.models._frame import SeriesBlock
from forecast.models.base import diff_scale, last_value
from forecast.models.baseline import Drift
from forecast.models.ets import ETS, holt_forecast
from forecast.models.intervals import MIN_TRAIN, Calibration, holdout_errors
from forecast.models.theta import Theta

__all__ = ["MEMBERS", "ChunkFit", "fit_members", "combine_members", "calibration_horizon",
           "calibration_errors", "fit_chunk", "predict_chunk"]

#: members of the default combination (order is irrelevant for the median); the choice
#: and its evidence: :mod:`forecast.models.auto` and benchmarks/select_auto.py
MEMBERS = ("naive", "drift", "holt", "damped", "ets", "dotm")
#: series shorter than this get the naive/drift blend
SHORT = 4
#: interval widening for the naive/drift blend of 2–3 point series
SHORT_WIDEN = 1.5
#: at most about this many series are refitted at the calibration origins: beyond it the
#: pooled quantiles (≥ 2 errors per series and horizon) are as precise as they need to be —
#: 20,000 errors put a 95 % quantile's coverage within ±0.15 points (binomial s.e.) — and the
#: refits, two thirds of the work, stop growing with the collection
MAX_CALIBRATION_SERIES = 10_000


@dataclass
class ChunkFit:
    """What one chunk contributes: its fitted members, calibration errors and scale ratios."""

    block: SeriesBlock
    members: dict | None
    errors: list
    rel: np.ndarray


def fit_members(block: SeriesBlock) -> dict:
    """Fitted member estimators of one block (through their public ``fit``)."""
    return {"ets": ETS().fit(block), "dotm": Theta(theta=None, dynamic=True).fit(block),
            "drift": Drift().fit(block)}


def member_means(fitted: dict, h: int) -> dict:
    """(n, h) point forecasts of each member; Holt and damped Holt are the ETS fit's AAN
    and AAdN forms (the same least-squares fits as ``Holt()``/``Holt(damped=True)``)."""
    forms = fitted["ets"].forms_
    return {"ets": fitted["ets"].predict_mean(h),
            "holt": holt_forecast(forms["AAN"]["level"], forms["AAN"]["trend"], 1.0, h),
            "damped": holt_forecast(forms["AAdN"]["level"], forms["AAdN"]["trend"], forms["AAdN"]["phi"], h),
            "naive": np.repeat(last_value(fitted["drift"].block_)[:, None], h, axis=1),
            "dotm": fitted["dotm"].predict_mean(h),
            "drift": fitted["drift"].predict_mean(h)}


def combine_members(block: SeriesBlock, fitted: dict, h: int, combine: str) -> np.ndarray:
    """The combined point forecast (n, h) with the short/constant-series fallbacks."""
    means = member_means(fitted, h)
    stack = np.stack([means[m] for m in MEMBERS])
    mean = np.median(stack, axis=0) if combine == "median" else stack.mean(axis=0)
    n = block.lengths[:, None]
    last = last_value(block)[:, None]
    blend = 0.5 * (last + means["drift"])
    mean = np.where(n < SHORT, blend, mean)
    const = constant(block)[:, None]
    mean = np.where(const | (n == 1), last, mean)
    return np.where(n == 0, np.nan, mean)


def calibration_horizon(lengths: np.ndarray, most: int) -> int:
    """Horizons to calibrate empirically: at most ``most``, and short enough that the
    longest quarter of the series keep ``MIN_TRAIN`` points at the calibration origin
    (10-point survey series → 6 horizons calibrated, the rest widened like √h)."""
    lengths = lengths[lengths > 0]
    if not len(lengths):
        return 1
    q75 = int(np.quantile(lengths, 0.75, method="lower"))
    return int(np.clip(q75 - MIN_TRAIN, 1, max(int(most), 1)))


def constant(block: SeriesBlock) -> np.ndarray:
    v = block.values
    with np.errstate(invalid="ignore"):
        return (np.nanmax(v, axis=1, initial=-np.inf) == np.nanmin(v, axis=1, initial=np.inf)) & (
            block.lengths > 0)


def mean_abs(block: SeriesBlock) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(np.abs(block.values), axis=1) / np.maximum(block.lengths, 1)


def scale_ratio(block: SeriesBlock) -> np.ndarray:
    """scale / mean |y| per series (pooled median = scale of series without one)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return diff_scale(block) / mean_abs(block)


def calibration_subset(ids: np.ndarray, n_total: int) -> np.ndarray:
    """Series taking part in the calibration: all of a collection of up to
    :data:`MAX_CALIBRATION_SERIES`; else those whose ``unique_id`` hashes to 0 modulo
    ⌈n_total / MAX⌉ — a rule of the id alone, so any chunking or partitioning of the
    collection picks the same series."""
    stride = -(-int(n_total) // MAX_CALIBRATION_SERIES)
    if stride <= 1:
        return np.ones(len(ids), dtype=bool)
    keys = pd.util.hash_array(np.asarray([str(i) for i in ids], dtype=object))
    return keys % np.uint64(stride) == 0


def calibration_errors(block: SeriesBlock, horizon: int, n_windows: int, combine: str,
                       n_total: int | None = None) -> list:
    """Scaled rolling-origin errors of the combination per horizon (the map of step 1);
    ``n_total`` is the size of the whole collection (see :func:`calibration_subset`)."""
    if n_windows <= 0:
        return []
    keep = calibration_subset(block.ids, len(block) if n_total is None else n_total)
    if not keep.all():
        block = block.take(np.flatnonzero(keep))

    def forecast(short: SeriesBlock, h: int) -> np.ndarray:
        return combine_members(short, fit_members(short), h, combine)

    return holdout_errors(block, forecast, horizon, n_windows)


def fit_chunk(block: SeriesBlock, horizon: int, n_windows: int, combine: str, n_total: int,
              keep_members: bool = True) -> ChunkFit:
    """Step 1 on one chunk: members (unless ``keep_members=False``), errors, scale ratios."""
    members = fit_members(block) if keep_members else None
    return ChunkFit(block, members, calibration_errors(block, horizon, n_windows, combine, n_total),
                    scale_ratio(block))


def predict_chunk(block: SeriesBlock, members: dict, calibration: Calibration, h: int, levels,
                  combine: str, nonnegative: bool) -> tuple[np.ndarray, dict]:
    """Step 3 on one chunk: point forecasts (n, h) and level → (lo, hi) bounds."""
    mean = combine_members(block, members, h, combine)
    bounds = {}
    if levels:
        scale = diff_scale(block)
        bad = ~np.isfinite(scale) | (scale <= 0) | constant(block)
        scale = np.where(bad, calibration.rel_scale * mean_abs(block), scale)
        scale = np.where(block.lengths < SHORT, SHORT_WIDEN * scale, scale)[:, None]
        for lv in levels:
            if calibration.usable:
                qlo, qhi = calibration.quantiles(lv, h)
                lo, hi = mean + scale * qlo[None, :], mean + scale * qhi[None, :]
            else:
                z = norm.ppf(0.5 + lv / 200)
                half = z * 1.25 * scale * np.sqrt(np.arange(1, h + 1))[None, :]
                lo, hi = mean - half, mean + half
            bounds[lv] = (lo, hi)
    if nonnegative:
        mean = np.maximum(mean, 0.0)
        bounds = {lv: (np.maximum(lo, 0.0), np.maximum(hi, 0.0)) for lv, (lo, hi) in bounds.items()}
    return mean, bounds
