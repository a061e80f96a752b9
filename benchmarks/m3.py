"""M3 yearly loader (645 series; test = the 6 years after each series' forecast origin).

Data folder: ``$KADRY_BENCH_DATA`` or ``<repo>/../shared/bench`` (``../../shared/bench`` from a worktree) (see /work/shared/bench/README.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

H = 6


def data_dir() -> Path:
    env = os.environ.get("KADRY_BENCH_DATA")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[1]
    # the main repo sits next to shared/; a worktree one level deeper (wt/<name>)
    for base in (root.parent, root.parent.parent):
        if (base / "shared" / "bench").is_dir():
            return base / "shared" / "bench"
    return root.parent / "shared" / "bench"


def available() -> bool:
    d = data_dir()
    return (d / "M3_yearly_TSTS.csv").is_file() and (d / "M3_yearly_FTS.csv").is_file()


def load(entrants: bool = True):
    """Return ``train, test, fts``: long frames (unique_id, ds, y) and the entrants' forecasts
    (unique_id, method, h, ds, yhat); ``fts`` is None when ``entrants=False``."""
    d = data_dir()
    ts = pd.read_csv(d / "M3_yearly_TSTS.csv")
    ts = ts.rename(columns={"series_id": "unique_id", "value": "y", "timestamp": "ds"})
    ts["ds"] = ts["ds"].astype(np.int64)
    ts["unique_id"] = ts["unique_id"].astype(str)
    fts_raw = pd.read_csv(d / "M3_yearly_FTS.csv")
    origin = fts_raw.groupby("series_id")["origin_timestamp"].first().astype(np.int64)
    ts["origin"] = ts["unique_id"].map(origin)
    train = ts.loc[ts["ds"] <= ts["origin"], ["unique_id", "ds", "y"]].reset_index(drop=True)
    test = ts.loc[(ts["ds"] > ts["origin"]) & (ts["ds"] <= ts["origin"] + H), ["unique_id", "ds", "y"]]
    test = test.reset_index(drop=True)
    fts = None
    if entrants:
        fts = fts_raw.rename(columns={"series_id": "unique_id", "method_id": "method", "horizon": "h",
                                      "timestamp": "ds", "forecast": "yhat"})
        fts = fts[["unique_id", "method", "h", "ds", "yhat"]]
        fts = fts[fts["h"] <= H].reset_index(drop=True)
    return train, test, fts
