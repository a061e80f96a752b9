"""Rolling-origin backtest over the long frame.

Window ``w`` (w = 0 … n_windows−1, oldest first) holds back the last
``h + (n_windows − 1 − w)·step`` observations of every series, refits a fresh copy of the
model on what is left and forecasts ``h`` years; only full horizons are scored, so the last
window's forecasts end at each series' last observation. A series takes part in a window
when at least ``min_train`` observations remain. Each row also carries ``scale``, the
series' mean absolute one-step difference up to the cutoff (the MASE scale), so that
:func:`forecast.models.metrics.accuracy_table` can be applied directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from forecast.models._frame import block_frame, to_block
from forecast.models.base import check_h, diff_scale

__all__ = ["backtest"]


def backtest(df: pd.DataFrame, h: int, n_windows: int = 1, model=None, step: int = 1,
             level=(80, 95), min_train: int = 4) -> pd.DataFrame:
    """Rolling-origin forecasts of ``model`` (default :class:`AutoForecaster`).

    Returns a long frame ``model, unique_id, cutoff, ds, h, y, yhat, scale`` plus
    ``yhat_lo_L``/``yhat_hi_L`` for each level (when the model gives them).

    Examples
    --------
    >>> from forecast.models import Naive
    >>> df = pd.DataFrame({"unique_id": "a", "ds": range(2010, 2018), "y": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    >>> bt = backtest(df, h=2, n_windows=2, model=Naive(), level=None)
    >>> bt[["cutoff", "ds", "h", "yhat"]].astype(int).values.tolist()
    [[2014, 2015, 1, 5], [2014, 2016, 2, 5], [2015, 2016, 1, 6], [2015, 2017, 2, 6]]
    """
    h = check_h(h)
    if n_windows < 1 or step < 1:
        raise ValueError("n_windows and step must be positive integers")
    if model is None:
        from forecast.models.auto import AutoForecaster

        model = AutoForecaster()
    panel = to_block(df)
    name = type(model).__name__
    frames = []
    for w in range(n_windows):
        k = h + (n_windows - 1 - w) * step
        keep = np.flatnonzero(panel.lengths - k >= min_train)
        if not len(keep):
            continue
        full = panel.take(keep)
        short = full.truncate(k)
        m = clone(model) if hasattr(model, "get_params") else model
        fc = m.fit(block_frame(short)).predict(h, level=level)
        pos = short.lengths[:, None] + np.arange(h)[None, :]
        actual = np.take_along_axis(full.values, pos, axis=1)
        # predict() returns series in first-appearance order = the order of `short`
        fc.insert(0, "model", name)
        fc.insert(2, "cutoff", np.repeat(short.last_ds, h))
        fc.insert(4, "h", np.tile(np.arange(1, h + 1), len(short)))
        fc.insert(5, "y", actual.ravel())
        fc["scale"] = np.repeat(diff_scale(short), h)
        frames.append(fc)
    if not frames:
        cols = ["model", "unique_id", "cutoff", "ds", "h", "y", "yhat", "scale"]
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)
