"""§3 identities, exit rates, realisation ratios, bottom-up path and share projection."""

import numpy as np
import pytest

from forecast.demand.bottomup import bottom_up_path, realisation_ratios, realised_demand
from forecast.demand.components import demand_components, exit_rates
from forecast.demand.topdown import project_shares, regression_forecast
from forecast.params import DemandParams


def test_exit_rate_rules():
    p = DemandParams()
    head = np.array([100.0, 100.0, 0.0, 100.0, 100.0])
    old = np.array([35.0, 0.0, 0.0, 0.0, 100.0])
    rep = np.array([70.0, 0.0, 0.0, 50.0, 100.0])
    r = exit_rates(head, old, rep, p)
    assert r[0] == pytest.approx(0.5 / 7 + 0.01)        # O/E on reporting rows only
    assert r[1] == p.default_exit_rate                  # nobody reports age
    assert r[2] == p.default_exit_rate                  # E[T] = 0
    assert r[3] == pytest.approx(0.01)                  # reported, no one 55+
    assert r[4] == pytest.approx(min(0.2, 1 / 7 + 0.01))
    r2 = exit_rates(head, old, rep, DemandParams(max_exit_rate=0.05))
    assert r2[4] == 0.05


def test_demand_identities():
    rng = np.random.default_rng(0)
    e = rng.uniform(0, 100, size=(50, 8))
    r = rng.uniform(0, 0.2, 50)
    v = rng.uniform(0, 10, 50)
    p = DemandParams(vacancy_fill_share=0.8)
    x, rep, vac, d = demand_components(e, r, v, p)
    np.testing.assert_allclose(x, e[:, 1:] - e[:, :-1])
    np.testing.assert_allclose(rep, r[:, None] * e[:, :-1])
    np.testing.assert_allclose(vac[:, 0], 0.8 * v)
    assert (vac[:, 1:] == 0).all()
    np.testing.assert_allclose(d, np.maximum(0, x + rep) + vac)


def test_realised_demand_and_ratio_by_hand():
    # two cells of one profession, three waves
    e = np.array([[100.0, 110.0, 105.0], [50.0, 50.0, 40.0]])
    r = np.full((2, 3), 0.1)
    v = np.array([[5.0, 0, 0], [0.0, 0, 0]])
    x = np.hstack([np.full((2, 1), np.nan), np.diff(e, axis=1)])
    d1 = realised_demand(e, x, r, v, 1, 1.0)
    # origin 0: cell0 max(0, 10 + 10) + 5 = 25; cell1 max(0, 0 + 5) = 5
    # origin 1: cell0 max(0, -5 + 11) = 6;  cell1 max(0, -10 + 5) = 0
    np.testing.assert_allclose(d1, [[25.0, 6.0], [5.0, 0.0]])
    needs = np.zeros((2, 3, 10))
    needs[:, 0, 0] = [20.0, 10.0]
    needs[:, 1, 0] = [4.0, 2.0]
    rho, table = realisation_ratios(e, x, r, v, needs, np.array([0, 0]), 1, 1.0, max_h=3)
    assert rho[0, 0] == pytest.approx((25 + 5 + 6 + 0) / (20 + 10 + 4 + 2))
    assert rho[0, 2] == rho[0, 1]          # longer horizons take the longest checked one


def test_shrinkage_towards_pooled_for_thin_professions():
    rng = np.random.default_rng(2)
    n_prof, k = 40, 8
    e = rng.uniform(50, 500, size=(n_prof, 1)) * np.ones((1, k))
    growth = np.cumsum(rng.normal(0, 2, size=(n_prof, k)), axis=1)
    e = e + growth
    r = np.full((n_prof, k), 0.05)
    v = np.zeros((n_prof, k))
    needs = np.zeros((n_prof, k, 10))
    needs[:, :, 0] = rng.uniform(1, 30, size=(n_prof, k))
    needs[0, :, 0] = 0.05                  # a profession with hardly any stated need
    x = np.hstack([np.full((n_prof, 1), np.nan), np.diff(e, axis=1)])
    rho, table = realisation_ratios(e, x, r, v, needs, np.arange(n_prof), n_prof, 1.0, max_h=1)
    t = table.set_index("prof")
    assert t.loc[0, "weight"] <= t["weight"].median()
    assert ((t["weight"] >= 0) & (t["weight"] <= 1)).all()
    lo = np.minimum(t["rho_raw"], t["rho_pooled"])
    hi = np.maximum(t["rho_raw"], t["rho_pooled"])
    assert ((t["rho"] >= lo - 1e-12) & (t["rho"] <= hi + 1e-12)).all()


def test_bottom_up_path_recursion():
    e0 = np.array([100.0, 10.0])
    rho = np.array([[0.8, 0.8, 0.8], [1.0, 1.0, 1.0]])
    need = np.array([[10.0, 10.0, 10.0], [0.0, 0.0, 0.0]])
    rate = np.array([0.05, 0.5])
    vac = np.array([2.0, 0.0])
    path = bottom_up_path(e0, rho, need, rate, vac)
    e1 = 100 + max(0, 8 - 2) - 5
    e2 = e1 + 8 - 0.05 * e1
    assert path[0, 0] == pytest.approx(e1) and path[0, 1] == pytest.approx(e2)
    assert (path >= 0).all() and path[1, 0] == pytest.approx(5.0)


def test_shares_nonnegative_sum_to_one():
    rng = np.random.default_rng(4)
    parent = rng.integers(0, 5, 60)
    raw = rng.uniform(0, 1, size=(60, 6))
    tot = np.zeros((5, 6))
    np.add.at(tot, parent, raw)
    s = project_shares(raw / tot[parent], parent, 5, 7)
    sums = np.zeros((5, 7))
    np.add.at(sums, parent, s)
    np.testing.assert_allclose(sums, 1.0)
    assert (s >= 0).all()


def test_regression_recovers_elasticity():
    years = 12
    log_x = np.cumsum(np.r_[0, np.random.default_rng(1).normal(0.02, 0.03, years + 3 - 1)])
    log_e = np.vstack([np.log(1000) + 0.5 * log_x[:years] + 0.01 * np.arange(years),
                       np.log(500) + 0.5 * log_x[:years] + 0.01 * np.arange(years)])
    f = regression_forecast(log_e, log_x, 3)
    expect = np.exp(log_e[:, -1:] + 0.5 * (log_x[years:] - log_x[years - 1])
                    + 0.01 * np.arange(1, 4))
    np.testing.assert_allclose(f, expect, rtol=1e-8)


def test_profession_factor_pooled_over_horizons_by_hand():
    # profession 0 realises 1.5× and profession 1 0.5× the horizon's pooled ratio at both
    # horizons, with no scatter: each keeps its own factor (weight 1), the horizon profile
    # comes from the pooled ratios
    from forecast.demand.bottomup import _shrunk_ratio
    e = np.array([[10.0, 20.0, 30.0], [10.0, 20.0, 30.0]])   # ρ_0,h · N per observation
    r = np.vstack([1.5 * e[0], 0.5 * e[1]])
    factor, weight = _shrunk_ratio(r, e, np.ones_like(e, bool))
    np.testing.assert_allclose(weight, [1.0, 1.0])
    np.testing.assert_allclose(factor, [1.5, 0.5])          # pooled Σr/Σe = 1
    # a row without observations takes the pooled ratio
    factor, weight = _shrunk_ratio(np.vstack([r, np.zeros(3)]), np.vstack([e, np.zeros(3)]),
                                   np.vstack([np.ones_like(e, bool), np.zeros(3, bool)]))
    assert factor[2] == 1.0 and weight[2] == 0.0


def test_ratio_is_pooled_horizon_profile_times_profession_factor():
    rng = np.random.default_rng(7)
    n_prof, k = 12, 8
    e = rng.uniform(80, 300, size=(n_prof, 1)) * np.ones((1, k))
    r = np.full((n_prof, k), 0.05)
    v = np.zeros((n_prof, k))
    x = np.hstack([np.full((n_prof, 1), np.nan), rng.uniform(0, 10, size=(n_prof, k - 1))])
    needs = np.zeros((n_prof, k, 10))
    needs[:, :, :3] = rng.uniform(5, 20, size=(n_prof, k, 3))
    rho, table = realisation_ratios(e, x, r, v, needs, np.arange(n_prof), n_prof, 1.0, max_h=5)
    t = table.pivot(index="prof", columns="horizon", values="rho")
    pooled = table.groupby("horizon")["rho_pooled"].first()
    ratio = t / pooled                       # f_p: the same at every horizon
    np.testing.assert_allclose(ratio.to_numpy(), ratio[[1]].to_numpy() * np.ones((1, 3)))
    np.testing.assert_allclose(rho[:, 3:], rho[:, [2, 2]])   # unchecked horizons: the last
    assert table["weight"].between(0, 1).all()


def test_shares_held_at_the_last_wave():
    parent = np.array([0, 0, 1])
    s = np.array([[0.2, 0.3, 0.4], [0.8, 0.7, 0.6], [1.0, 1.0, 1.0]])
    held = project_shares(s, parent, 2, 3, smoothing=1.0, damping=0.0)
    np.testing.assert_allclose(held, np.repeat(s[:, [-1]], 3, axis=1))
