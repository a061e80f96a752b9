"""Long frame (``unique_id, ds, y``) ↔ left-aligned padded 2-D arrays.

Every model in :mod:`forecast.models` works on a :class:`SeriesBlock` (not to be confused
with the survey :class:`forecast.panel.SeriesBlock`): ``values`` holds one series per row,
starting in column 0 and padded on the right with NaN; ``lengths`` says how many leading
cells are real. Recursions then run over the (few) time steps for all series at once,
freezing a series' state once ``t >= lengths[i]``.

``ds`` follows the statsforecast convention for annual data — a frame that works in
statsforecast works here:

* integer years (any integer dtype, or floats/objects holding whole numbers): forecasts
  come back as integer years;
* datetimes (``datetime64``, tz-aware included) on one yearly anchor — every ``ds`` of the
  frame on the same month, day and time of day (``'YS'`` 1 January, ``'YE'`` 31 December,
  or any other): the year is the time index and forecasts come back as datetimes of the
  same dtype on that anchor (year ``h`` after each series' last ``ds``);
* annual periods (``period[Y-DEC]`` or another yearly ``Period`` frequency): forecasts come
  back as periods of the same frequency.

Datetimes on several anchors (sub-annual data) are refused: this engine is annual.

Choices where a contract is silent (tested in tests/test_models_frame.py):

* rows with a missing ``y`` (NaN/None) are dropped, then the years between a series' first
  and last observed year are filled by **linear interpolation** (so a gap never breaks the
  annual recursion); leading/trailing missing years simply shorten the series;
* a series with no finite value is kept (``lengths == 0``) and forecast as NaN;
* series order is the order of first appearance in the input frame; the output of every
  model follows it, so results do not depend on how the frame was sorted;
* a bad frame — a missing column, a missing ``unique_id`` or ``ds``, a non-numeric or
  infinite ``y``, a ``ds`` that is not a year, a duplicated ``(unique_id, ds)`` pair — is
  an :class:`~forecast.errors.InputError` (a ``ValueError``) naming the column and a sample
  row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import InputError

__all__ = ["SeriesBlock", "Calendar", "to_block", "forecast_frame", "interval_columns", "block_frame"]

COLUMNS = ("unique_id", "ds", "y")


@dataclass(frozen=True)
class Calendar:
    """How integer years map back to the input's ``ds`` dtype.

    ``kind`` is ``"int"``, ``"datetime"`` or ``"period"``; ``dtype`` the input dtype;
    ``anchor`` the offset of every datetime from 1 January of its year as
    ``(month, day, nanoseconds into the day)``.
    """

    kind: str = "int"
    dtype: object = None
    anchor: tuple = (1, 1, 0)

    def to_ds(self, years: np.ndarray):
        """Integer years → values of the input's ``ds`` dtype."""
        years = np.asarray(years, dtype=np.int64)
        if self.kind == "int":
            return years
        if self.kind == "period":
            return pd.PeriodIndex.from_ordinals(years - 1970, freq=self.dtype.freq)
        month, day, ns = self.anchor
        months = (years - 1970) * 12 + (month - 1)
        stamps = (months.astype("datetime64[M]").astype("datetime64[D]") + np.timedelta64(day - 1, "D"))
        stamps = stamps.astype("datetime64[ns]") + np.timedelta64(int(ns), "ns")
        out = pd.DatetimeIndex(stamps)
        tz = getattr(self.dtype, "tz", None)
        if tz is not None:
            out = out.tz_localize(tz)
        return out.astype(self.dtype)


def _ordinal_is_year(dtype) -> bool:
    # yearly periods count years since 1970 whatever their anchor month
    return isinstance(dtype, pd.PeriodDtype) and dtype.freq.freqstr.startswith(("Y", "A"))


@dataclass
class SeriesBlock:
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
    calendar : Calendar
        How years map back to the input's ``ds`` dtype.
    """

    ids: np.ndarray
    values: np.ndarray
    lengths: np.ndarray
    last_ds: np.ndarray
    calendar: Calendar = Calendar()

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, index) -> "SeriesBlock":
        """Rows ``index`` (a slice of series), trimmed to their own longest length."""
        lengths = self.lengths[index]
        width = max(int(lengths.max(initial=0)), 1)
        return SeriesBlock(self.ids[index], self.values[index, :width], lengths, self.last_ds[index],
                           self.calendar)

    def truncate(self, k: int) -> "SeriesBlock":
        """The same series without their last ``k`` observations (for rolling origins)."""
        lengths = np.maximum(self.lengths - k, 0)
        values = self.values.copy()
        cols = np.arange(values.shape[1])
        values[cols[None, :] >= lengths[:, None]] = np.nan
        return SeriesBlock(self.ids, values, lengths, self.last_ds - np.minimum(k, self.lengths),
                           self.calendar)


def _bad(column: str, df: pd.DataFrame, mask: np.ndarray, what: str) -> InputError:
    row = int(np.flatnonzero(mask)[0])
    sample = {c: _plain(df[c].iloc[row]) for c in COLUMNS if c in df.columns}
    return InputError(f"series frame: column {column!r} {what} ({int(mask.sum())} row(s)); "
                      f"first at row {row}: {sample}")


def _plain(x):
    return x.item() if isinstance(x, np.generic) else x


def _years(df: pd.DataFrame) -> tuple[np.ndarray, Calendar]:
    """``ds`` → integer years and the calendar to map them back."""
    ds = df["ds"]
    missing = ds.isna().to_numpy()
    if missing.any():
        raise _bad("ds", df, missing, "is missing")
    dtype = ds.dtype
    if isinstance(dtype, pd.PeriodDtype):
        if not _ordinal_is_year(dtype):
            raise InputError(f"series frame: column 'ds' holds {dtype} periods; the engine is annual "
                             f"(yearly periods, datetimes one per year, or integer years)")
        return ds.dt.year.to_numpy(np.int64), Calendar("period", dtype)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        month, day = ds.dt.month.to_numpy(), ds.dt.day.to_numpy()
        ns = (ds - ds.dt.normalize()).to_numpy().astype("timedelta64[ns]").astype(np.int64)
        key = (month.astype(np.int64) * 32 + day) * 86_400_000_000_000 + ns
        if len(key) and (key != key[0]).any():
            raise _bad("ds", df, key != key[0],
                       f"mixes dates within the year ({ds.iloc[0]} and others): the engine is annual and "
                       f"needs every datetime on one yearly anchor (e.g. freq 'YS' or 'YE')")
        anchor = (int(month[0]), int(day[0]), int(ns[0])) if len(key) else (1, 1, 0)
        return ds.dt.year.to_numpy(np.int64), Calendar("datetime", dtype, anchor)
    if pd.api.types.is_bool_dtype(dtype):
        raise InputError("series frame: column 'ds' is boolean; need integer years, yearly datetimes or periods")
    num = pd.to_numeric(ds, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(num) | (num != np.round(num))
    if bad.any():
        raise _bad("ds", df, bad, "is not a whole year (need integer years, yearly datetimes or periods)")
    return num.astype(np.int64), Calendar("int", np.dtype(np.int64))


def _values(df: pd.DataFrame) -> np.ndarray:
    y = df["y"]
    if pd.api.types.is_bool_dtype(y.dtype):
        raise InputError("series frame: column 'y' is boolean; need numbers")
    num = pd.to_numeric(y, errors="coerce")
    nonnum = (num.isna() & y.notna()).to_numpy()
    if nonnum.any():
        raise _bad("y", df, nonnum, "is not numeric")
    v = num.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(v)
    if inf.any():
        raise _bad("y", df, inf, "is infinite")
    return v


def to_block(df: pd.DataFrame) -> SeriesBlock:
    """Pack a long frame into a :class:`SeriesBlock`.

    Examples
    --------
    >>> df = pd.DataFrame({"unique_id": ["a", "a", "a", "b"], "ds": [2020, 2022, 2021, 2020],
    ...                    "y": [1.0, 3.0, 2.0, 5.0]})
    >>> p = to_block(df)
    >>> p.values.tolist(), p.lengths.tolist(), p.last_ds.tolist()
    ([[1.0, 2.0, 3.0], [5.0, nan, nan]], [3, 1], [2022, 2020])
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame (unique_id, ds, y), got {type(df).__name__}")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"series frame: missing column(s) {missing}; need unique_id, ds, y "
                         f"(columns given: {list(df.columns)[:10]})")
    codes, ids = pd.factorize(df["unique_id"], sort=False)
    ids = np.asarray(ids, dtype=object)
    n = len(ids)
    if (codes < 0).any():
        raise _bad("unique_id", df, codes < 0, "is missing")
    ds, calendar = _years(df)
    y = _values(df)
    if len(ds):
        # duplicate check in O(rows): count rows per (series, year) cell
        lo = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(lo, codes, ds)
        off = ds - lo[codes]
        span = int(off.max()) + 1
        if n * span > 50 * len(ds) + 1_000_000:  # sparse years (e.g. 1 and 2000): sort instead
            order = np.lexsort((ds, codes))
            same = (np.diff(codes[order]) == 0) & (np.diff(ds[order]) == 0)
            dup = np.zeros(len(ds), dtype=bool)
            dup[order[1:][same]] = True
        else:
            flat = codes.astype(np.int64) * span + off
            dup = np.bincount(flat, minlength=n * span)[flat] > 1
        if dup.any():
            raise _bad("ds", df, dup, "is duplicated: more than one row for the same (unique_id, ds)")
    ok = np.isfinite(y)
    c, d, v = codes[ok], ds[ok], y[ok]
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, c, d)
    np.maximum.at(last, c, d)
    has = last >= first
    lengths = np.where(has, last - first + 1, 0).astype(np.int64)
    width = max(int(lengths.max(initial=0)), 1)
    if n * width > 50 * len(ds) + 10_000_000:
        raise InputError(f"series frame: column 'ds' spans {width} years for one series with few rows "
                         f"(sample id {ids[int(np.argmax(lengths))]!r}); interior missing years are "
                         f"interpolated, so ds must be consecutive years with occasional gaps")
    values = np.full((n, width), np.nan)
    values[c, d - first[c]] = v
    last_ds = np.where(has, last, 0)
    if n and not has.all():
        # no usable value: take the latest year given, so forecasts still get years
        lastany = np.full(n, np.iinfo(np.int64).min)
        np.maximum.at(lastany, codes, ds)
        last_ds = np.where(has, last, lastany)
    values = _interpolate_gaps(values, lengths)
    return SeriesBlock(ids, values, lengths, last_ds, calendar)


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


def forecast_frame(block: SeriesBlock, mean: np.ndarray, bounds: dict | None = None) -> pd.DataFrame:
    """Long forecast frame ``unique_id, ds, yhat[, yhat_lo_L, yhat_hi_L ...]``.

    ``mean`` has shape (n, h); ``bounds`` maps level → (lo, hi) arrays of the same shape.
    Columns appear as lo/hi pairs in ascending level order (statsforecast's names); ``ds``
    has the dtype of the input's ``ds`` (see :class:`Calendar`).
    """
    n, h = mean.shape
    years = (block.last_ds[:, None] + np.arange(1, h + 1)[None, :]).ravel()
    out = {
        "unique_id": np.repeat(block.ids, h),
        "ds": block.calendar.to_ds(years),
        "yhat": mean.ravel(),
    }
    for lv in sorted(bounds or {}):
        lo, hi = bounds[lv]
        out[f"yhat_lo_{lv}"] = lo.ravel()
        out[f"yhat_hi_{lv}"] = hi.ravel()
    return pd.DataFrame(out)


def block_frame(block: SeriesBlock) -> pd.DataFrame:
    """The long frame (``unique_id, ds, y``) of a block's observed/interpolated values."""
    n, width = block.values.shape
    t = np.arange(width)[None, :]
    m = t < block.lengths[:, None]
    first = block.last_ds - block.lengths + 1
    rows, cols = np.nonzero(m)
    return pd.DataFrame({"unique_id": block.ids[rows], "ds": block.calendar.to_ds(first[rows] + cols),
                         "y": block.values[rows, cols]})
