"""Sampling variance in the demand stage's backtest checks (forecast.demand.history)."""

import numpy as np
import pandas as pd
import pytest

from forecast.demand.history import build_history, check_noise_var
from forecast.panel import build_panel
from forecast.params import DemandParams
from tests.test_panel import _row


def _history(second_wave_inns):
    """Section C of 12 employers; wave 2025 answered by 1–6 (weight 2), wave 2026 by
    ``second_wave_inns`` (weight from the same control total)."""
    size = {str(i): 10.0 + i for i in range(1, 13)}
    control = sum(size.values())
    rows = []
    for year, inns in ((2025, [str(i) for i in range(1, 7)]), (2026, second_wave_inns)):
        w = control / sum(size[i] for i in inns)
        rows += [_row(year, i, "C", "11111", size[i] - 4, w=w) for i in inns]
        rows += [_row(year, i, "C", "22222", 4, w=w) for i in inns]
    return build_history(build_panel(pd.DataFrame(rows)), DemandParams())


def test_same_respondents_make_consecutive_waves_errors_alike():
    h = _history([str(i) for i in range(1, 7)])
    assert h.overlap[1] == pytest.approx(1.0)
    v = check_noise_var(h, 0, 2)["cell"]
    v0, v1 = h.e_var[:, 0], h.e_var[:, 1]
    np.testing.assert_allclose(v[:, 0], (np.sqrt(v0) - np.sqrt(v1)) ** 2, atol=1e-9)
    assert (v[:, 1] == 0).all()                    # no later wave to check against


def test_other_respondents_make_them_independent():
    h = _history([str(i) for i in range(7, 13)])   # the other half of the section
    assert h.overlap[1] == 0.0
    v = check_noise_var(h, 0, 1)["cell"][:, 0]
    np.testing.assert_allclose(v, h.e_var[:, 0] + h.e_var[:, 1])


def test_chance_overlap_is_no_correlation():
    # half of wave 2026's headcount comes from wave 2025's respondents, and wave 2026
    # answered about half the section: the overlap independent samples have by chance
    h = _history(["1", "2", "3", "10", "11", "12"])
    m = (11 + 12 + 13) / (11 + 12 + 13 + 20 + 21 + 22)
    f = (11 + 12 + 13 + 20 + 21 + 22) / sum(10.0 + i for i in range(1, 13))
    assert h.overlap[1] == pytest.approx(max(0.0, (m - f) / (1 - f)))


def test_history_without_overlap_takes_the_waves_as_independent():
    h = _history([str(i) for i in range(1, 7)])
    h.overlap = None                                 # a History built by hand
    v = check_noise_var(h, 0, 1)["cell"][:, 0]
    np.testing.assert_allclose(v, h.e_var[:, 0] + h.e_var[:, 1])
