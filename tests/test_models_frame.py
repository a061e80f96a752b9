"""The long frame: ds as integer years, datetimes or periods; bad frames; n_jobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.models import ETS, AutoForecaster, Drift, backtest
from forecast.models._frame import to_block

LEVELS = [80, 95]


def _frame(n=40, T=14, seed=1):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, T + 1, n)
    rows = []
    for i in range(n):
        y = 100 + np.cumsum(rng.normal(rng.normal(0, 2), 4, lengths[i]))
        rows += [(f"u{i:02d}", 2000 + T - lengths[i] + t, y[t]) for t in range(lengths[i])]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


@pytest.mark.parametrize("convert, check", [
    (lambda ds: pd.to_datetime(ds.astype(str) + "-01-01"), lambda d: (d.dt.month == 1) & (d.dt.day == 1)),
    (lambda ds: pd.to_datetime(ds.astype(str) + "-12-31"), lambda d: (d.dt.month == 12) & (d.dt.day == 31)),
    (lambda ds: pd.to_datetime(ds.astype(str) + "-12-31").dt.tz_localize("Europe/Moscow"),
     lambda d: d.dt.day == 31),
    (lambda ds: pd.PeriodIndex([pd.Period(year=int(y), freq="Y") for y in ds]),
     lambda d: pd.Series(True, index=d.index)),
    (lambda ds: ds.astype("int32"), lambda d: pd.Series(True, index=d.index)),
    (lambda ds: ds.astype(float), lambda d: pd.Series(True, index=d.index)),
])
def test_datetime_period_and_integer_ds_give_the_same_forecasts(convert, check):
    df = _frame()
    ref = AutoForecaster(n_jobs=1).fit(df).predict(6, level=LEVELS)
    other = df.assign(ds=convert(df["ds"]).to_numpy() if not isinstance(convert(df["ds"]), pd.Series)
                      else convert(df["ds"]))
    fc = AutoForecaster(n_jobs=1).fit(other).predict(6, level=LEVELS)
    pd.testing.assert_frame_equal(fc.drop(columns="ds"), ref.drop(columns="ds"))
    # ds comes back in the input's dtype, one year per step, on the input's anchor
    if other["ds"].dtype.kind in "iuf":
        assert fc["ds"].dtype == np.int64 and (fc["ds"] == ref["ds"]).all()
    else:
        assert fc["ds"].dtype == other["ds"].dtype
        assert (fc["ds"].dt.year == ref["ds"]).all()
        assert check(fc["ds"]).all()


def test_datetime_ds_in_backtest_and_members():
    df = _frame(n=12)
    dt = df.assign(ds=pd.to_datetime(df["ds"].astype(str) + "-01-01"))
    a = Drift().fit(df).predict(3)
    b = Drift().fit(dt).predict(3)
    np.testing.assert_array_equal(a["yhat"], b["yhat"])
    bt_i = backtest(df, h=2, n_windows=2, model=ETS(), level=None)
    bt_d = backtest(dt, h=2, n_windows=2, model=ETS(), level=None)
    np.testing.assert_allclose(bt_i["yhat"], bt_d["yhat"])
    assert (bt_d["ds"].dt.year == bt_i["ds"]).all()


def test_sub_annual_datetimes_and_frequencies_are_refused():
    df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=5, freq="MS"),
                       "y": np.arange(5.0)})
    with pytest.raises(ValueError, match="'ds'.*yearly anchor"):
        to_block(df)
    q = df.assign(ds=pd.period_range("2020Q1", periods=5, freq="Q"))
    with pytest.raises(ValueError, match="'ds'.*annual"):
        to_block(q)


@pytest.mark.parametrize("frame, column, sample", [
    (pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": [2000, 2000, 2000], "y": [1.0, 2.0, 3.0]}),
     "ds", "'unique_id': 'a', 'ds': 2000"),
    (pd.DataFrame({"unique_id": ["a", "a", "a"], "ds": [2000, 2001, 2002], "y": [1.0, "x1", 3.0]}),
     "y", "'y': 'x1'"),
    (pd.DataFrame({"unique_id": ["a", "b", "b"], "ds": [2000, 2000, 2001], "y": [1.0, 2.0, np.inf]}),
     "y", "'unique_id': 'b', 'ds': 2001, 'y': inf"),
    (pd.DataFrame({"unique_id": ["a", "a"], "ds": [2000, 2000.5], "y": [1.0, 2.0]}), "ds", "'ds': 2000.5"),
    (pd.DataFrame({"unique_id": ["a", None], "ds": [2000, 2001], "y": [1.0, 2.0]}), "unique_id", "row 1"),
    (pd.DataFrame({"unique_id": ["a", "a"], "ds": [2000, None], "y": [1.0, 2.0]}), "ds", "row 1"),
    (pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2000", "year"], "y": [1.0, 2.0]}), "ds", "'ds': 'year'"),
])
def test_bad_frames_name_the_column_and_a_sample_row(frame, column, sample):
    for fit in (to_block, lambda f: AutoForecaster().fit(f), lambda f: Drift().fit(f)):
        with pytest.raises(ValueError, match=f"column '{column}'") as err:
            fit(frame)
        assert isinstance(err.value, InputError)
        assert sample in str(err.value), str(err.value)


def test_missing_columns_and_not_a_frame():
    with pytest.raises(ValueError, match=r"missing column\(s\) \['ds'\]"):
        AutoForecaster().fit(pd.DataFrame({"unique_id": ["a"], "y": [1.0]}))
    with pytest.raises(TypeError, match="DataFrame"):
        AutoForecaster().fit(np.zeros((3, 3)))


def test_missing_y_is_a_gap_not_an_error():
    df = pd.DataFrame({"unique_id": "a", "ds": [2000, 2001, 2002, 2003], "y": [1.0, None, 3.0, 4.0]})
    assert to_block(df).values.tolist() == [[1.0, 2.0, 3.0, 4.0]]


def test_n_jobs_1_and_2_identical(monkeypatch):
    from forecast.models import auto

    calls = []

    class Spy(auto.Parallel):
        def __call__(self, iterable):
            calls.append(self.n_jobs)
            return super().__call__(iterable)

    monkeypatch.setattr(auto, "Parallel", Spy)
    monkeypatch.setattr(auto, "PARALLEL_MIN_SERIES", 10)  # small frame, real worker processes
    df = _frame(n=90, seed=7)
    a = AutoForecaster(n_jobs=1, chunk_size=25).fit(df).predict(6, level=LEVELS)
    assert calls == []
    m = AutoForecaster(n_jobs=2, chunk_size=25).fit(df)
    assert calls == [2]
    assert len(m.chunks_) == 4
    b = m.predict(6, level=LEVELS)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = AutoForecaster(n_jobs=1, chunk_size=1000).fit(df).predict(6, level=LEVELS)
    pd.testing.assert_frame_equal(a, c, check_exact=True)
