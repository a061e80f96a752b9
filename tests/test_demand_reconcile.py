"""Reconciliation: parity with the closed-form MinT formulas, and its invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.demand.reconcile import Hierarchy, reconcile, shrink_covariance

PARENT = np.array([0, 0, 0, 1, 1, 2])
H = Hierarchy(PARENT, 3)


def _s_matrix():
    n, m = len(PARENT), 3
    s = np.zeros((1 + m + n, n))
    s[0] = 1
    for j, p in enumerate(PARENT):
        s[1 + p, j] = 1
    s[1 + m:] = np.eye(n)
    return s


def _mint_reference(base, w):
    s = _s_matrix()
    wi = np.linalg.inv(w)
    p = np.linalg.solve(s.T @ wi @ s, s.T @ wi)
    return s @ p @ base


@pytest.fixture
def base():
    rng = np.random.default_rng(7)
    return rng.uniform(5, 50, size=(10, 4))


def test_ols_matches_closed_form(base):
    np.testing.assert_allclose(reconcile(base, H, "ols", nonnegative=False),
                               _mint_reference(base, np.eye(10)), atol=1e-8)


def test_wls_struct_matches_closed_form(base):
    w = np.diag(_s_matrix().sum(axis=1))
    np.testing.assert_allclose(reconcile(base, H, "wls_struct", nonnegative=False),
                               _mint_reference(base, w), atol=1e-8)


def test_mint_given_dense_w_matches_closed_form(base):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(10, 10))
    w = a @ a.T + 0.5 * np.eye(10)
    np.testing.assert_allclose(reconcile(base, H, "mint_shrink", W=w, nonnegative=False),
                               _mint_reference(base, w), atol=1e-8)


def test_mint_shrink_from_residuals_matches_closed_form(base):
    rng = np.random.default_rng(5)
    res = rng.normal(size=(6, 10)) * np.linspace(1, 4, 10)
    # Schäfer–Strimmer shrinkage written out (hts::shrink.estim)
    k = res.shape[0]
    covm = res.T @ res / k
    sd = np.sqrt(np.diag(covm))
    xs = res / sd
    v = (1 / (k * (k - 1))) * ((xs ** 2).T @ (xs ** 2) - (xs.T @ xs) ** 2 / k)
    np.fill_diagonal(v, 0)
    corm = covm / np.outer(sd, sd)
    d = (corm - np.eye(10)) ** 2
    lam = min(1.0, max(0.0, v.sum() / d.sum()))
    w = lam * np.diag(np.diag(covm)) + (1 - lam) * covm
    diag, low, lam_got = shrink_covariance(res)
    assert lam_got == pytest.approx(lam, abs=1e-12)
    np.testing.assert_allclose(np.diag(diag) + low @ low.T, w, atol=1e-10)
    got = reconcile(base, H, "mint_shrink", residuals=res, nonnegative=False)
    np.testing.assert_allclose(got, _mint_reference(base, w), atol=1e-6)


def test_shrinkage_intensity_strictly_inside_when_correlated():
    rng = np.random.default_rng(11)
    f = rng.normal(size=(30, 1))
    res = f @ np.ones((1, 10)) + 0.3 * rng.normal(size=(30, 10))
    _, _, lam = shrink_covariance(res)
    assert 0 < lam < 1


def test_bottom_up_and_top_down(base):
    bu = reconcile(base, H, "bottom_up")
    np.testing.assert_allclose(bu[4:], base[4:])
    td = reconcile(base, H, "top_down")
    np.testing.assert_allclose(td[0], base[0])
    # section split in proportion to the sections' base forecasts
    np.testing.assert_allclose(td[1:4] / td[0], base[1:4] / base[1:4].sum(0))


def test_unknown_method():
    with pytest.raises(ValueError, match="forecast.reconcile must be one of .*got 'magic'"):
        reconcile(np.ones(10), H, "magic")


def test_unknown_method_same_message_config_api_and_reconcile(tmp_path):
    """One check of the reconcile method: the config, forecast_demand and reconcile() refuse
    the same bad value with the same message (issue 15 item 1)."""
    import pandas as pd

    from forecast.config import config_from_mapping
    from forecast.demand import forecast_demand
    from forecast.errors import ConfigError, InputError
    from forecast.panel import build_panel
    from forecast.params import ForecastParams

    msgs = []
    with pytest.raises(ConfigError) as e1:
        config_from_mapping({"survey": {"paths": ["."]}, "forecast": {"reconcile": "magic"}},
                            base_dir=tmp_path)
    msgs.append(str(e1.value))
    rows = [dict(survey_year=y, inn="1", okved_section="C", profession_code="11111",
                 profession="P", education="ВО", headcount=10, vacancies=0, age_55plus=1,
                 need_1=1, weight=1.0) for y in (2025, 2026)]
    with pytest.raises(InputError) as e2:
        forecast_demand(build_panel(pd.DataFrame(rows)), None,
                        ForecastParams(reconcile="magic"))
    msgs.append(str(e2.value))
    with pytest.raises(ValueError) as e3:
        reconcile(np.ones(10), H, "magic")
    msgs.append(str(e3.value))
    assert len(set(msgs)) == 1, msgs
    assert "mint_shrink" in msgs[0] and "'magic'" in msgs[0]


def _coherent(y, h):
    a = h.aggregation().toarray()
    return np.abs(a @ y[1 + h.n_sections:] - y[:1 + h.n_sections]).max()


hier = st.lists(st.integers(0, 3), min_size=1, max_size=12).map(
    lambda ps: Hierarchy(np.unique(ps, return_inverse=True)[1], len(set(ps))))


@settings(max_examples=60, deadline=None)
@given(h=hier, data=st.data(),
       method=st.sampled_from(["mint_shrink", "wls_struct", "ols", "bottom_up", "top_down"]))
def test_properties_nonnegative_coherent_deterministic(h, data, method):
    n = h.n_nodes
    vals = data.draw(st.lists(st.floats(-50, 500, allow_nan=False), min_size=n, max_size=n))
    base = np.array(vals)[:, None]
    res = np.array(data.draw(st.lists(st.lists(st.floats(-20, 20, allow_nan=False),
                                               min_size=n, max_size=n),
                                      min_size=3, max_size=5)))
    out = reconcile(base, h, method, residuals=res)
    again = reconcile(base.copy(), h, method, residuals=res.copy())
    assert np.array_equal(out, again)
    assert (out >= 0).all()
    assert _coherent(out, h) <= 1e-6 * max(1.0, np.abs(out).max())


def test_large_hierarchy_is_sparse_and_fast():
    rng = np.random.default_rng(0)
    n, m = 6000, 20
    h = Hierarchy(rng.integers(0, m, n), m)
    base = rng.uniform(0, 100, size=(h.n_nodes, 24))
    res = rng.normal(size=(6, h.n_nodes))
    out = reconcile(base, h, "mint_shrink", residuals=res)
    assert _coherent(out, h) < 1e-6 * out.max()
