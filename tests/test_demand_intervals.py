"""Employment interval calibration (forecast.demand.calibration.calibrate_employment and,
for sections, _calibrate_sections).

The half-width is z·√(a²σ² + v): a scale of the univariate σ fitted on backtest errors
whose sampling variance v is known. Checked against hand computations: without sampling
noise a is the conformal quantile of |error|/σ over z; with it, a simulated error of known
scale is recovered.
"""

import numpy as np
import pytest
from scipy.stats import norm

from forecast.demand.calibration import calibrate_employment as _calibrate_employment

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


def test_section_factor_is_the_shrunk_relative_error_scale():
    # two sections, one origin, one horizon: ratios |e|/σ of 1 and 3 (r² 1 and 9, mean 5)
    from forecast.demand.calibration import SECTION_SHRINK_CHECKS as n0, _node_factors
    sd = np.array([[2.0], [1.0]])
    err = np.array([[2.0], [3.0]])
    f = _node_factors([(err, sd, np.zeros((2, 1)))], n0, 2)
    assert f == pytest.approx(np.sqrt([(1 / 5 + n0) / (1 + n0), (9 / 5 + n0) / (1 + n0)]))
    # sampling variance is taken out of a check before it counts: e² − v = 0 → r = 0
    f = _node_factors([(err, sd, np.array([[4.0], [0.0]]))], 0, 2)
    assert f == pytest.approx([0.0, np.sqrt(2.0)])       # r² 0 and 9, mean 4.5
    # no usable checks: every factor 1
    assert _node_factors([(np.full((2, 1), np.nan), sd, np.zeros((2, 1)))], n0, 2) == \
        pytest.approx([1.0, 1.0])
    assert _node_factors([], n0, 3) == pytest.approx([1.0, 1.0, 1.0])


def test_section_scales_widen_by_student_t_over_the_origins_and_never_fall_with_h():
    from scipy.stats import t as student_t

    from forecast.demand.calibration import SECTION_MIN_DF
    from forecast.demand.calibration import calibrate_sections as _calibrate_sections

    # 24 sections, all with the same error ratio 2 at every check: factors 1, the
    # conformal scale 2/z at each horizon; origin i is checked at horizons 1 … 4 − i
    sd = np.ones((24, 4))
    checks = []
    for i in range(4):
        err = np.full((24, 4), 2.0)
        err[:, 4 - i:] = np.nan
        checks.append((err, sd, np.zeros((24, 4))))
    a, f = _calibrate_sections(checks, 4, LEVELS, 24)
    assert f == pytest.approx(np.ones(24))
    n_orig = np.array([4, 4, 3, 2])          # origins with a check within h ± 1
    for j, lv in enumerate(LEVELS):
        q = 0.5 + lv / 200
        df = np.maximum(n_orig, SECTION_MIN_DF)
        expected = 2.0 / norm.ppf(q) * student_t.ppf(q, df) / norm.ppf(q)
        assert a[:, j] == pytest.approx(expected, rel=1e-6)
    # errors shrinking with h (few, lucky origins at long horizons): the scale before the
    # widening is at least the all-horizon one and never falls with h
    rng = np.random.default_rng(5)
    checks = [(np.abs(rng.normal(size=(24, 4))) * np.array([3.0, 2.0, 1.0, 0.5]), sd,
               np.zeros((24, 4))) for _ in range(4)]
    a, _ = _calibrate_sections(checks, 4, LEVELS, 24)
    df = np.full(4, 4.0)
    base = a / (student_t.ppf([0.9, 0.975], df[:, None]) / norm.ppf([0.9, 0.975]))
    assert (np.diff(base, axis=0) >= -1e-9).all()
    pooled = _calibrate_employment(checks, 4, LEVELS, window=4)
    assert (base >= pooled - 1e-9).all()
    assert base[3, 0] > _calibrate_employment(checks, 4, LEVELS)[3, 0]
    # no backtest origin at all (≤ 3 waves): the normal σ widened as for the fewest origins
    a, f = _calibrate_sections([], 4, LEVELS, 5)
    assert (f == 1.0).all()
    q = 0.5 + np.asarray(LEVELS) / 200
    assert a == pytest.approx(np.tile(student_t.ppf(q, SECTION_MIN_DF) / norm.ppf(q), (4, 1)))


def test_half_width_grows_like_sqrt_h_past_the_checked_horizons():
    """A horizon checked by fewer than two origins carries no evidence of its own: the
    half-width there is at least that of the longest checked horizon times √(h/h_c), even
    when the model's σ_h stops growing (σ flat here)."""
    from types import SimpleNamespace

    from forecast.demand.calibration import (
        Calibration, employment_halfwidth, evidence_horizon,
    )
    from forecast.demand.history import History

    H = 5
    e = np.full((3, H), np.nan)
    e[:, :2] = 1.0                         # origin 1: checks at h = 1, 2
    e2 = np.full((3, H), np.nan)
    e2[:, :1] = 1.0                        # origin 2: h = 1 only
    checks = [(e, np.ones((3, H)), np.zeros((3, H))), (e2, np.ones((3, H)), np.zeros((3, H)))]
    # window h ± 1: h = 1, 2 (index 0, 1) and index 2 (window 1…3) see both origins
    t_c = evidence_horizon(checks, H)
    assert t_c == 1
    import pandas as pd

    hist = History(keys=pd.DataFrame(index=range(3)), years=np.arange(3), e_obs=None,
                   change=None, e=None, vac=None, rates=None, needs=None,
                   sections=np.array(["C"]), parent=np.zeros(3, int),
                   profs=pd.DataFrame(index=range(1)), prof_index=np.zeros(3, int),
                   e_var=np.zeros((3, 3)))
    cal = Calibration(employment={"cell": np.ones((H, 2))}, evidence={"cell": t_c})
    res = SimpleNamespace(levels=LEVELS, history=hist, calibration=cal)
    o = SimpleNamespace(k=2, sd={"cell": np.full((3, H), 2.0)})
    half = employment_halfwidth(res, o, "cell")
    z80 = norm.ppf(0.9)
    np.testing.assert_allclose(half[:, :2, 0], 2.0 * z80)
    np.testing.assert_allclose(half[:, 4, 0], 2.0 * z80 * np.sqrt(5 / 2))
    # without the evidence marker the flat σ gives flat widths
    del cal.evidence["cell"]
    np.testing.assert_allclose(employment_halfwidth(res, o, "cell")[:, 4, 0], 2.0 * z80)


def test_few_origins_widen_like_student_t():
    from scipy.stats import t as student_t

    from forecast.demand.calibration import SECTION_MIN_DF, few_origin_widening

    e = np.ones((30, 3))

    def origins(n):                                # n origins, each checked at every horizon
        return [(e, e, e) for _ in range(n)]

    w2, w10 = few_origin_widening(origins(2), 3, (80, 95)), few_origin_widening(origins(10), 3, (80, 95))
    assert w2[0, 0] == pytest.approx(student_t.ppf(0.9, 2) / norm.ppf(0.9))
    assert (w2 > w10).all() and (w10 > 1).all()
    assert (w2[:, 1] > w2[:, 0]).all()              # the tails widen more
    # no origin at all: the fewest origins' widening
    none = few_origin_widening([], 3, (80,))
    assert none[0, 0] == pytest.approx(student_t.ppf(0.9, SECTION_MIN_DF) / norm.ppf(0.9))
    # a horizon checked by one origin only (the last one reaches no further)
    short = [(e, e, e), (e[:, :1].repeat(3, 1) * [1, np.nan, np.nan], e, e)]
    w = few_origin_widening(short, 3, (80,))
    assert w[2, 0] == pytest.approx(student_t.ppf(0.9, SECTION_MIN_DF) / norm.ppf(0.9))


def test_scale_only_widening_is_the_80_percent_factor_at_every_level():
    from scipy.stats import t as student_t

    from forecast.demand.calibration import few_origin_widening

    e = np.ones((10, 2))
    w = few_origin_widening([(e, e, e)] * 3, 2, (80, 95), scale_only=True)
    np.testing.assert_allclose(w, student_t.ppf(0.9, 3) / norm.ppf(0.9))
