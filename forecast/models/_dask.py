"""The AutoForecaster on a Dask DataFrame (extra ``kadry[dask]``).

``AutoForecaster().fit(ddf).predict(h, level)`` runs the engine's map–reduce–map
(:mod:`forecast.models._engine`) over the partitions of the long frame, so the numbers are
those of the in-memory path (to rounding of the pooled quantiles: the pooled errors are
the same multiset, sorted):

* series must not span partitions: a first pass reads each partition's ``unique_id`` values
  and series lengths; when an id occurs in two partitions the frame is shuffled on
  ``unique_id`` (``DataFrame.shuffle``) — then every series lies in one partition;
* fit — map: each partition's calibration errors and scale ratios (members are refitted at
  the calibration origins only); reduce: :meth:`Calibration.pool` on the client. Only the
  errors (at most ~2 per calibrated series and horizon) travel to the client;
* predict — map: each partition fits its members and forecasts with the pooled
  calibration; the result is a lazy Dask DataFrame ``unique_id, ds, yhat, yhat_lo_L,
  yhat_hi_L …`` with one partition per input partition.

Dask is imported here only; the pandas path never needs it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models._engine import calibration_horizon, fit_chunk, fit_members, predict_chunk
from forecast.models._frame import COLUMNS, forecast_frame, to_block
from forecast.models.intervals import Calibration

__all__ = ["fit_dask", "predict_dask", "require_dask"]

MISSING = ("the AutoForecaster on a Dask DataFrame needs dask and distributed: "
           "pip install kadry[dask]")


def require_dask():
    """``dask`` and ``dask.dataframe``, or an ImportError that says how to install them."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as err:
        raise ImportError(MISSING) from err
    return dask, dd


def _partition_stats(part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    block = to_block(part)
    return block.ids, block.lengths


def _partition_errors(part: pd.DataFrame, horizon: int, n_windows: int, combine: str,
                      n_total: int, chunk_size: int):
    block = to_block(part)
    errs, rels = [], []
    for s in range(0, len(block), chunk_size):
        c = fit_chunk(block.take(slice(s, s + chunk_size)), horizon, n_windows, combine, n_total,
                      keep_members=False)
        errs.append(c.errors)
        rels.append(c.rel)
    return errs, rels


def _partition_forecast(part: pd.DataFrame, h: int, levels: list, calibration: Calibration,
                        combine: str, nonnegative: bool, chunk_size: int) -> pd.DataFrame:
    block = to_block(part)
    means, bounds = [np.zeros((0, h))], {lv: ([np.zeros((0, h))], [np.zeros((0, h))]) for lv in levels}
    for s in range(0, len(block), chunk_size):
        chunk = block.take(slice(s, s + chunk_size))
        mean, b = predict_chunk(chunk, fit_members(chunk), calibration, h, levels, combine, nonnegative)
        means.append(mean)
        for lv, (lo, hi) in b.items():
            bounds[lv][0].append(lo)
            bounds[lv][1].append(hi)
    out = {lv: (np.concatenate(lo), np.concatenate(hi)) for lv, (lo, hi) in bounds.items()}
    return forecast_frame(block, np.concatenate(means), out or None)


def fit_dask(est, ddf):
    """Steps 1–2 of the engine on a Dask DataFrame: ``(ddf, calibration, horizon)``."""
    dask, _ = require_dask()
    missing = [c for c in COLUMNS if c not in ddf.columns]
    if missing:
        raise ValueError(f"series frame: missing column(s) {missing}; need unique_id, ds, y")
    ddf = ddf[list(COLUMNS)]
    stats = dask.compute(*[dask.delayed(_partition_stats)(p) for p in ddf.to_delayed()])
    ids = [s[0] for s in stats]
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=object)
    if len(pd.unique(all_ids)) < len(all_ids):  # a series spans partitions
        ddf = ddf.shuffle(on="unique_id")
        stats = dask.compute(*[dask.delayed(_partition_stats)(p) for p in ddf.to_delayed()])
    lengths = np.concatenate([s[1] for s in stats]) if stats else np.zeros(0, dtype=np.int64)
    horizon = calibration_horizon(lengths, est.calibration_horizon)
    size = int(est.chunk_size)
    parts = [dask.delayed(_partition_errors)(p, horizon, int(est.n_windows), est.combine, len(lengths), size)
             for p in ddf.to_delayed()]
    results = dask.compute(*parts)
    errors = [e for errs, _ in results for e in errs]
    rels = [r for _, rs in results for r in rs]
    return ddf, Calibration.pool(errors, rels), horizon


def predict_dask(est, h: int, levels: list):
    """Step 3 on every partition: a lazy Dask DataFrame of forecasts."""
    require_dask()
    ddf = est.dask_
    meta_block = to_block(ddf._meta)
    empty = np.zeros((0, h))
    meta = forecast_frame(meta_block, empty, {lv: (empty, empty) for lv in levels} or None)
    return ddf.map_partitions(_partition_forecast, h, list(levels), est.calibration_, est.combine,
                              bool(est.nonnegative), int(est.chunk_size), meta=meta,
                              align_dataframes=False)
