"""Employment interval calibration (forecast.demand.engine._calibrate_employment).

The half-width is z·√(a²σ² + v): a scale of the univariate σ fitted on backtest errors
whose sampling variance v is known. Checked against hand computations: without sampling
noise a is the conformal quantile of |error|/σ over z; with it, a simulated error of known
scale is recovered.
"""

import numpy as np
import pytest
from scipy.stats import norm

from forecast.demand.engine import _calibrate_employment

LEVELS = (80, 95)


def test_without_sampling_noise_the_scale_is_the_conformal_quantile():
    rng = np.random.default_rng(3)
    err = np.abs(rng.standard_t(4, size=(400, 1)))
    sd = rng.uniform(0.5, 2.0, size=(400, 1))
    a = _calibrate_employment([(err * sd, sd, np.zeros((400, 1)))], 1, LEVELS)
    ratio = np.sort((err * sd / sd)[:, 0])
    for j, lv in enumerate(LEVELS):
        # the smallest scale covering lv % of the checks: the ⌈lv·n⌉-th smallest ratio
        expected = ratio[int(np.ceil(lv / 100 * 400)) - 1] / norm.ppf(0.5 + lv / 200)
        assert a[0, j] == pytest.approx(expected, rel=1e-6)


def test_recovers_the_forecast_error_scale_beside_known_sampling_noise():
    rng = np.random.default_rng(4)
    n, a_true = 20000, 0.7
    sd = rng.uniform(1.0, 3.0, size=(n, 2))
    v = rng.uniform(0.0, 4.0, size=(n, 2))         # both waves' sampling variance
    err = np.abs(rng.normal(size=(n, 2)) * np.sqrt(a_true ** 2 * sd ** 2 + v))
    a = _calibrate_employment([(err, sd, v)], 2, LEVELS)
    assert a == pytest.approx(np.full((2, 2), a_true), rel=0.05)
    # ignoring the noise would inflate the scale
    a_naive = _calibrate_employment([(err, sd, np.zeros_like(v))], 2, LEVELS)
    assert (a_naive > 1.2 * a).all()


def test_too_few_checks_give_the_normal_scale_and_later_horizons_carry_the_last():
    sd = np.ones((4, 3))
    err = np.full((4, 3), 3.0)
    err[:, 2] = np.nan
    a = _calibrate_employment([(err, sd, np.zeros((4, 3)))], 3, LEVELS)
    assert (a == 1.0).all()             # 4 checks (8 pooled over h1–h2) < MIN_CALIBRATION
    sd = np.ones((30, 4))
    err = np.full((30, 4), 2.0)
    err[:, 2:] = np.nan                  # horizons 3 and 4 never checked
    a = _calibrate_employment([(err, sd, np.zeros((30, 4)))], 4, LEVELS)
    assert a[3] == pytest.approx(a[2])      # h4 (nothing within h3–h4) carries h3's
    assert a[0, 0] == pytest.approx(2.0 / norm.ppf(0.9), rel=1e-6)
