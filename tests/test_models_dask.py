"""The engine on Dask DataFrames equals the pandas path (issue 13, item 4)."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.models import AutoForecaster
from forecast.models import _dask

LEVELS = [80, 95]
ROOT = Path(__file__).resolve().parents[1]


def _m3_train():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import m3

    if not m3.available():
        pytest.skip(f"M3 data not found in {m3.data_dir()} (set KADRY_BENCH_DATA)")
    train, _, _ = m3.load(entrants=False)
    return train


def _synthetic(n=300, seed=2):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        T = int(rng.integers(2, 16))
        y = 100 + np.cumsum(rng.normal(rng.normal(0, 2), 4, T))
        rows += [(f"s{i}", 2000 + t, y[t]) for t in range(T)]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


def _compare(pandas_fc: pd.DataFrame, dask_fc: pd.DataFrame):
    key = ["unique_id", "ds"]
    a = pandas_fc.sort_values(key).reset_index(drop=True)
    b = dask_fc.sort_values(key).reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a[key], b[key])
    np.testing.assert_allclose(b.drop(columns=key).to_numpy(), a.drop(columns=key).to_numpy(),
                               rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("split", ["by_series", "by_rows"])
def test_dask_path_equals_pandas_path_on_m3_yearly(split):
    dd = pytest.importorskip("dask.dataframe")
    train = _m3_train()
    ref = AutoForecaster(n_jobs=1).fit(train).predict(6, level=LEVELS)
    if split == "by_series":  # each partition holds whole series
        ids = pd.unique(train["unique_id"])
        parts = [train[train["unique_id"].isin(chunk)] for chunk in np.array_split(ids, 5)]
        ddf = dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])
    else:  # row blocks cut series in two: the engine must shuffle them together first
        ddf = dd.from_pandas(train, npartitions=7, sort=False)
    assert ddf.npartitions >= 5
    model = AutoForecaster(chunk_size=100).fit(ddf)
    fc = model.predict(6, level=LEVELS)
    assert isinstance(fc, dd.DataFrame)
    out = fc.compute()
    assert len(out) == len(ref)
    _compare(ref, out)
    assert model.calibration_horizon_ == AutoForecaster(n_jobs=1).fit(train).calibration_horizon_


def test_dask_path_keeps_datetime_ds_and_short_series():
    dd = pytest.importorskip("dask.dataframe")
    df = _synthetic()
    df["ds"] = pd.to_datetime(df["ds"].astype(str) + "-12-31")
    ref = AutoForecaster(nonnegative=True, n_jobs=1).fit(df).predict(4, level=[90])
    out = AutoForecaster(nonnegative=True).fit(dd.from_pandas(df, npartitions=3, sort=False)).predict(
        4, level=[90]).compute()
    assert out["ds"].dtype == df["ds"].dtype
    _compare(ref, out)


def test_missing_dask_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "dask" or name.startswith("dask."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ImportError, match=r"pip install kadry\[dask\]"):
        _dask.require_dask()
