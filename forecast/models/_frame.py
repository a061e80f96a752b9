"""Long frame (``unique_id, ds, y``) ↔ left-aligned padded 2-D arrays.

Every model in :mod:`forecast.models` works on a :class:`Panel`: ``values`` holds one
series per row, starting in column 0 and padded on the right with NaN; ``lengths`` says how
many leading cells are real. Recursions then run over the (few) time steps for all series
at once, freezing a series' state once ``t >= lengths[i]``.

Choices where a contract is silent (documented here, tested in tests/test_models_frame.py):

* rows with a missing/non-finite ``y`` are dropped, then the years between a series' first
  and last observed year are filled by **linear interpolation** (so a gap never breaks the
  annual recursion); leading/trailing missing years simply shorten the series;
* a series with no finite value is kept (``lengths == 0``) and forecast as NaN;
* series order is the order of first appearance in the input frame; the output of every
  model follows it, so results do not depend on how the frame was sorted;
* a duplicated ``(unique_id, ds)`` pair is an :class:`~forecast.errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import InputError

__all__ = ["Panel", "to_panel", "forecast_frame", "interval_columns"]


@dataclass
class Panel:
    """Series of one frame as a padded array.

    Attributes
    ----------
    ids : ndarray of object, shape (n,)
        ``unique_id`` of each row.
    values : ndarray of float64, shape (n, T)
        Left-aligned values, NaN after ``lengths[i]``.
    lengths : ndarray of int64, shape (n,)
        Number of (interpolated) observations per series.
    last_ds : ndarray of int64, shape (n,)
        Year of the last observation (forecast year ``h`` is ``last_ds + h``).
    """

    ids: np.ndarray
    values: np.ndarray
    lengths: np.ndarray
    last_ds: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index: np.ndarray) -> "Panel":
        """Rows ``index`` (a slice of series), trimmed to their own longest length."""
        lengths = self.lengths[index]
        width = max(int(lengths.max(initial=0)), 1)
        return Panel(self.ids[index], self.values[index, :width], lengths, self.last_ds[index])

    def truncate(self, k: int) -> "Panel":
        """The same series without their last ``k`` observations (for rolling origins)."""
        lengths = np.maximum(self.lengths - k, 0)
        values = self.values.copy()
        cols = np.arange(values.shape[1])
        values[cols[None, :] >= lengths[:, None]] = np.nan
        return Panel(self.ids, values, lengths, self.last_ds - np.minimum(k, self.lengths))


def to_panel(df: pd.DataFrame) -> Panel:
    """Pack a long frame into a :class:`Panel`.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": ["a", "a", "a", "b"], "ds": [2020, 2022, 2021, 2020],
    ...                    "y": [1.0, 3.0, 2.0, 5.0]})
    >>> p = to_panel(df)
    >>> p.values.tolist(), p.lengths.tolist(), p.last_ds.tolist()
    ([[1.0, 2.0, 3.0], [5.0, nan, nan]], [3, 1], [2022, 2020])
    """
    missing = {"unique_id", "ds", "y"} - set(df.columns)
    if missing:
        raise InputError(f"series frame: missing column(s) {sorted(missing)}; need unique_id, ds, y")
    codes, ids = pd.factorize(df["unique_id"], sort=False)
    ids = np.asarray(ids, dtype=object)
    n = len(ids)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise InputError(f"series frame: row {row}: unique_id is missing")
    try:
        ds_f = pd.to_numeric(df["ds"]).to_numpy(dtype=np.float64)
        y = pd.to_numeric(df["y"]).to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputError(f"series frame: ds must be years and y numbers ({err})") from None
    if np.isnan(ds_f).any() or (ds_f != np.round(ds_f)).any():
        bad = int(np.flatnonzero(np.isnan(ds_f) | (ds_f != np.round(ds_f)))[0])
        raise InputError(f"series frame: row {bad}: ds={df['ds'].iloc[bad]!r} is not a whole year")
    ds = ds_f.astype(np.int64)
    if len(ds):
        # duplicate check in O(rows): count rows per (series, year) cell
        lo = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(lo, codes, ds)
        span = int((ds - lo[codes]).max()) + 1
        flat = codes.astype(np.int64) * span + (ds - lo[codes])
        counts = np.bincount(flat, minlength=n * span)
        if counts.max(initial=0) > 1:
            row = int(np.flatnonzero(counts[flat] > 1)[1])
            raise InputError(
                f"series frame: row {row}: duplicated year ds={ds[row]} for unique_id={ids[codes[row]]!r}"
            )
    ok = np.isfinite(y) & (codes >= 0)
    c, d, v = codes[ok], ds[ok], y[ok]
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, c, d)
    np.maximum.at(last, c, d)
    has = last >= first
    lengths = np.where(has, last - first + 1, 0).astype(np.int64)
    width = max(int(lengths.max(initial=0)), 1)
    values = np.full((n, width), np.nan)
    values[c, d - first[c]] = v
    last_ds = np.where(has, last, 0)
    if n and not has.all():
        # no usable value: take the latest year given, so forecasts still get years
        lastany = np.full(n, np.iinfo(np.int64).min)
        np.maximum.at(lastany, codes[codes >= 0], ds[codes >= 0])
        last_ds = np.where(has, last, lastany)
    values = _interpolate_gaps(values, lengths)
    return Panel(ids, values, lengths, last_ds)


def _interpolate_gaps(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Linear interpolation of interior NaN (both ends are observed by construction)."""
    nan = np.isnan(values)
    inside = np.arange(values.shape[1])[None, :] < lengths[:, None]
    holes = nan & inside
    if not holes.any():
        return values
    cols = np.arange(values.shape[1])
    idx = np.where(~nan, cols[None, :], -1)
    prev = np.maximum.accumulate(idx, axis=1)
    idx_r = np.where(~nan, cols[None, :], values.shape[1])
    nxt = np.minimum.accumulate(idx_r[:, ::-1], axis=1)[:, ::-1]
    r, t = np.nonzero(holes)
    p, q = prev[r, t], nxt[r, t]
    w = (t - p) / (q - p)
    out = values.copy()
    out[r, t] = values[r, p] * (1 - w) + values[r, q] * w
    return out


def interval_columns(level) -> list[int]:
    """Validated, sorted, de-duplicated interval levels (percent, 0 < level < 100)."""
    if level is None:
        return []
    levels = [level] if np.isscalar(level) else list(level)
    out = []
    for lv in levels:
        lv_f = float(lv)
        if not 0 < lv_f < 100:
            raise ValueError(f"interval level must be in (0, 100), got {lv!r}")
        out.append(int(lv_f) if lv_f == int(lv_f) else lv_f)
    return sorted(set(out))


def forecast_frame(panel: Panel, mean: np.ndarray, bounds: dict | None = None) -> pd.DataFrame:
    """Long forecast frame ``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L ...]``.

    ``mean`` has shape (n, h); ``bounds`` maps level → (lo, hi) arrays of the same shape.
    Columns appear as lo/hi pairs in ascending level order (statsforecast's names).
    """
    n, h = mean.shape
    out = {
        "unique_id": np.repeat(panel.ids, h),
        "ds": (panel.last_ds[:, None] + np.arange(1, h + 1)[None, :]).ravel(),
        "yhat": mean.ravel(),
    }
    for lv in sorted(bounds or {}):
        lo, hi = bounds[lv]
        out[f"yhat_lo_{lv}"] = lo.ravel()
        out[f"yhat_hi_{lv}"] = hi.ravel()
    frame = pd.DataFrame(out)
    frame["ds"] = frame["ds"].astype(np.int64)
    return frame
