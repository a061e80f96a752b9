"""Metrics against hand computations; calibration helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models.intervals import Calibration, calibration_origins
from forecast.models.metrics import accuracy_table, coverage, mase, smape, winkler


def test_metrics_by_hand():
    y = np.array([100.0, 50.0, 0.0, 10.0])
    f = np.array([90.0, 60.0, 0.0, 20.0])
    assert smape(y, f) == np.mean([200 * 10 / 190, 200 * 10 / 110, 0.0, 200 * 10 / 30])
    assert mase(y, f, [5.0, 5.0, 0.0, 10.0]) == np.mean([2.0, 2.0, 1.0])  # scale 0 skipped
    assert coverage(y, f - 5, f + 5) == 25.0  # only y = 0 lies in its band
    # width 10 + (2/0.2)·(distance outside = 5, 5, 0, 5)
    assert np.isclose(winkler(y, f - 5, f + 5, 80), np.mean([60.0, 60.0, 10.0, 60.0]))


def test_accuracy_table_groups_by_model_and_horizon():
    bt = pd.DataFrame({"model": ["a", "a", "b", "b"], "h": [1, 2, 1, 2], "y": [10.0, 10, 10, 10],
                       "yhat": [10.0, 12, 8, 10], "scale": [2.0, 2, 2, 2],
                       "yhat_lo_80": [9.0, 9, 9, 9], "yhat_hi_80": [11.0, 11, 11, 11]})
    tab = accuracy_table(bt, (80,)).set_index(["model", "h"])
    assert tab.loc[("a", "2"), "mase"] == 1.0 and tab.loc[("b", "1"), "mase"] == 1.0
    assert tab.loc[("a", "all"), "coverage_80"] == 100.0 and tab.loc[("a", "all"), "n"] == 2


def test_calibration_origins_and_quantiles():
    assert calibration_origins(7, 2) == [7, 4]
    assert calibration_origins(1, 3) == [1]
    cal = Calibration.pool([[np.linspace(-1, 1, 101), np.linspace(-2, 2, 101)]], [np.array([0.1])])
    lo, hi = cal.quantiles(80, 4)
    np.testing.assert_allclose(lo[:2], [-0.8, -1.6])
    np.testing.assert_allclose(hi[2:], 1.6 * np.sqrt([3 / 2, 4 / 2]))  # √h beyond calibration
    one_sided = Calibration.pool([[np.linspace(1, 2, 50)]], [])
    lo, hi = one_sided.quantiles(95, 1)
    assert lo[0] == 0.0 and hi[0] > 1.9  # clipped so that lo ≤ ŷ ≤ hi
