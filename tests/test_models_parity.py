"""Parity of the vectorised models with statsmodels and hand formulas (fixed parameters)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing, SimpleExpSmoothing

from forecast.models import ETS, SES, Drift, Holt, Naive, Theta
from forecast.models._frame import to_block
from forecast.models.ets import holt_filter
from forecast.models.theta import ols_line


def _frame(series: dict) -> pd.DataFrame:
    rows = [(k, 2000 + i, float(v)) for k, ys in series.items() for i, v in enumerate(ys)]
    return pd.DataFrame(rows, columns=["unique_id", "ds", "y"])


RNG = np.random.default_rng(7)
SERIES = {f"s{i}": 50 + np.cumsum(RNG.normal(0.8, 3, n)) for i, n in enumerate([8, 12, 20, 15, 9])}


@pytest.mark.parametrize("alpha, beta, phi, damped", [(0.4, 0.2, 0.9, True), (0.8, 0.05, 1.0, False),
                                                      (0.2, 0.6, 0.85, True)])
def test_holt_matches_statsmodels(alpha, beta, phi, damped):
    df = _frame(SERIES)
    p = to_block(df)
    l0, b0 = 48.0, 0.5
    m = Holt(damped=damped, alpha=alpha, beta=beta, phi=phi if damped else None, level0=l0, trend0=b0).fit(df)
    fc = m.predict(5)
    fitted, _, _ = holt_filter(p.values, p.lengths, alpha, beta, phi if damped else 1.0, l0, b0)
    for i, (key, y) in enumerate(SERIES.items()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = ExponentialSmoothing(y, trend="add", damped_trend=damped, initialization_method="known",
                                       initial_level=l0, initial_trend=b0).fit(
                smoothing_level=alpha, smoothing_trend=beta, damping_trend=phi if damped else None,
                optimized=False)
        np.testing.assert_allclose(fitted[i, : len(y)], ref.fittedvalues, rtol=1e-8)
        np.testing.assert_allclose(fc.loc[fc.unique_id == key, "yhat"], ref.forecast(5), rtol=1e-8)


def test_ses_matches_statsmodels():
    df = _frame(SERIES)
    fc = SES(alpha=0.35, level0=50.0).fit(df).predict(3)
    for key, y in SERIES.items():
        ref = SimpleExpSmoothing(y, initialization_method="known", initial_level=50.0).fit(
            smoothing_level=0.35, optimized=False)
        np.testing.assert_allclose(fc.loc[fc.unique_id == key, "yhat"], ref.forecast(3), rtol=1e-8)


def test_estimated_initial_states_are_least_squares():
    """The profile solve gives the SSE-optimal initial states for fixed α, β, φ."""
    from scipy.optimize import minimize

    df = _frame(SERIES)
    m = Holt(damped=True, alpha=0.4, beta=0.2, phi=0.9).fit(df)
    for i, y in enumerate(SERIES.values()):
        def sse(x, y=y):
            f, _, _ = holt_filter(y[None], np.array([len(y)]), 0.4, 0.2, 0.9, x[0], x[1])
            return np.sum((y - f[0]) ** 2)

        best = minimize(sse, [y[0], 0.0], method="Nelder-Mead",
                        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
        assert m.sse_[i] <= best.fun * (1 + 1e-7)
        np.testing.assert_allclose([m.level0_[i], m.trend0_[i]], best.x, rtol=1e-4, atol=1e-4)


def test_naive_drift_hand_formulas():
    df = _frame(SERIES)
    nv, dr = Naive().fit(df).predict(4), Drift().fit(df).predict(4)
    for key, y in SERIES.items():
        np.testing.assert_allclose(nv.loc[nv.unique_id == key, "yhat"], [y[-1]] * 4)
        slope = (y[-1] - y[0]) / (len(y) - 1)
        np.testing.assert_allclose(dr.loc[dr.unique_id == key, "yhat"], y[-1] + slope * np.arange(1, 5))


def _theta_plain(y, alpha, theta, level0, h):
    """Per-series Theta (Fiorucci et al. state-space form, static line)."""
    n = len(y)
    t = np.arange(1, n + 1)
    B, A = np.polyfit(t, y, 1)
    w = 1 - 1 / theta
    lev = level0
    for yt in y:
        lev = alpha * yt + (1 - alpha) * lev
    return np.array([lev + w * (A * (1 - alpha) ** n + B * (k - 1 + (1 - (1 - alpha) ** (n + 1)) / alpha))
                     for k in range(1, h + 1)])


def test_theta_matches_plain_implementation():
    df = _frame(SERIES)
    for theta in (2.0, 3.0):
        m = Theta(theta=theta).fit(df)
        fc = m.predict(6)
        A, B = ols_line(to_block(df))
        for i, (key, y) in enumerate(SERIES.items()):
            np.testing.assert_allclose([A[i], B[i]], np.polyfit(np.arange(1, len(y) + 1), y, 1)[::-1],
                                       rtol=1e-9)
            ref = _theta_plain(y, m.alpha_[i], theta, m.level0_[i], 6)
            np.testing.assert_allclose(fc.loc[fc.unique_id == key, "yhat"], ref, rtol=1e-9)


def test_standard_theta_close_to_statsmodels():
    """θ = 2 Theta is SES with half the OLS drift (Hyndman & Billah); statsmodels agrees
    to the order of its own SES/initialisation differences."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y = SERIES["s2"]
    ours = Theta().fit(_frame({"a": y})).predict(6)["yhat"].to_numpy()
    ref = np.asarray(ThetaModel(y, period=1, deseasonalize=False).fit().forecast(6))
    np.testing.assert_allclose(ours, ref, rtol=0.05)


def test_arima_member_matches_statsmodels_and_falls_back():
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    from forecast.models import ARIMA

    y = SERIES["s1"]
    df = _frame({"long": y, "short": [1.0, 2.0, 3.0]})
    m = ARIMA(orders=((0, 1, 1),)).fit(df)
    fc = m.predict(3)
    ref = SMARIMA(y, order=(0, 1, 1), trend="t").fit().forecast(3)
    np.testing.assert_allclose(fc.loc[fc.unique_id == "long", "yhat"], ref, rtol=1e-8)
    np.testing.assert_allclose(fc.loc[fc.unique_id == "short", "yhat"], [4.0, 5.0, 6.0])  # drift


@pytest.mark.parametrize("alpha, beta, phi", [(0.5, 0.3, 0.9), (0.3, 0.1, 1.0)])
def test_holt_matches_statsmodels_ets_model(alpha, beta, phi):
    """The same recursion in statsmodels' state-space ETSModel (β_ETS = α·β)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    df = _frame(SERIES)
    damped = phi < 1
    l0, b0 = 49.0, 0.7
    fc = Holt(damped=damped, alpha=alpha, beta=beta, phi=phi if damped else None, level0=l0,
              trend0=b0).fit(df).predict(6)
    for key, y in SERIES.items():
        params = [alpha, alpha * beta] + ([phi] if damped else []) + [l0, b0]
        model = ETSModel(y, error="add", trend="add", damped_trend=damped, initialization_method="known",
                         initial_level=l0, initial_trend=b0)
        ref = model.smooth(params).forecast(6)
        np.testing.assert_allclose(fc.loc[fc.unique_id == key, "yhat"], ref, rtol=1e-8)


def _dotm_plain(y, alpha, theta, level0, h):
    """Per-series dynamic optimised Theta (Fiorucci et al. 2016): the theta line's
    intercept/slope are the OLS fit of the points seen so far; returns (sse, forecasts)."""
    n = len(y)
    w = 1 - 1 / theta

    def line(k):  # OLS of y[:k] on t = 1..k (slope 0 with one point)
        if k == 1:
            return y[0], 0.0
        B, A = np.polyfit(np.arange(1, k + 1), y[:k], 1)
        return A, B

    lev, sse = level0, 0.0
    for s in range(1, n + 1):
        yhat = lev
        if s > 1:
            A, B = line(s - 1)
            yhat += w * (A * (1 - alpha) ** (s - 1) + B * (1 - (1 - alpha) ** s) / alpha)
        sse += (y[s - 1] - yhat) ** 2
        lev = alpha * y[s - 1] + (1 - alpha) * lev
    A, B = line(n)
    fc = [lev + w * (A * (1 - alpha) ** n + B * (k - 1 + (1 - (1 - alpha) ** (n + 1)) / alpha))
          for k in range(1, h + 1)]
    return sse, np.array(fc)


def test_dotm_matches_plain_implementation():
    df = _frame(SERIES)
    m = Theta(theta=None, dynamic=True).fit(df)
    fc = m.predict(6)
    for i, (key, y) in enumerate(SERIES.items()):
        sse, ref = _dotm_plain(np.asarray(y), m.alpha_[i], m.theta_[i], m.level0_[i], 6)
        np.testing.assert_allclose(fc.loc[fc.unique_id == key, "yhat"], ref, rtol=1e-9)
        np.testing.assert_allclose(m.sigma2_[i] * (len(y) - 3), sse, rtol=1e-8)


def test_ets_forms_match_holt_and_selection_is_smallest_aicc():
    """ETS's AAN/AAdN forms are Holt()/Holt(damped=True) fits, and each series gets the
    form with the smallest AICc of those fits (k = 3, 5, 6)."""
    from forecast.models.ets import aicc

    df = _frame(SERIES)
    m = ETS().fit(df)
    n = m.block_.lengths
    for form, model in (("AAN", Holt()), ("AAdN", Holt(damped=True)), ("ANN", SES())):
        h = model.fit(df)
        np.testing.assert_allclose(m.forms_[form]["sse"], h.sse_, rtol=1e-12)
        np.testing.assert_allclose(m.forms_[form]["level"], h.level_, rtol=1e-12)
    ics = np.stack([aicc(m.forms_[f]["sse"], n, k) for f, k in (("ANN", 3), ("AAN", 5), ("AAdN", 6))])
    assert (np.array(["ANN", "AAN", "AAdN"])[np.argmin(ics, axis=0)] == m.selected_).all()


# --- ARIMA(1,1,0) with drift (conditional least squares) and log-space members ----------------
def test_arima110_cls_is_ols_on_differences_and_forecasts_like_statsmodels():
    """CLS = OLS of d(t) on (1, d(t−1)) (statsmodels AutoReg); with those parameters the
    forecasts and their standard deviations are statsmodels ARIMA(1,1,0)+drift's."""
    from statsmodels.tsa.ar_model import AutoReg
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    from forecast.models import ARIMA110

    m = ARIMA110().fit(_frame(SERIES))
    fc = m.predict_mean(5)
    for i, y in enumerate(SERIES.values()):
        d = np.diff(y)
        X = np.column_stack([np.ones(len(d) - 1), d[:-1]])
        c, phi = np.linalg.lstsq(X, d[1:], rcond=None)[0]
        assert abs(phi) < 0.98  # no clipping in these series: the plain OLS fit
        np.testing.assert_allclose([m.phi_[i], m.mu_[i]], [phi, c / (1 - phi)], rtol=1e-10)
        ar = AutoReg(d, lags=1, trend="c").fit()
        np.testing.assert_allclose(ar.params, [c, phi], rtol=1e-10)
        steps = ar.predict(start=len(d), end=len(d) + 4)
        np.testing.assert_allclose(fc[i], y[-1] + np.cumsum(steps), rtol=1e-10)
        resid = d[1:] - X @ [c, phi]
        np.testing.assert_allclose(m.sigma_[i], np.sqrt(resid @ resid / (len(resid) - 2)), rtol=1e-10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = SMARIMA(y, order=(1, 1, 0), trend="t").smooth([m.mu_[i], m.phi_[i], m.sigma_[i] ** 2])
        f = ref.get_forecast(5)
        np.testing.assert_allclose(fc[i], f.predicted_mean, rtol=1e-10)
        np.testing.assert_allclose(m._sd(5)[i], np.sqrt(f.var_pred_mean), rtol=1e-8)


def test_arima110_mean_drift_is_ols_of_demeaned_differences():
    from forecast.models import ARIMA110, Drift

    m = ARIMA110(drift="mean").fit(_frame(SERIES))
    np.testing.assert_allclose(m.mu_, Drift().fit(_frame(SERIES)).slope_, rtol=1e-10)
    for i, y in enumerate(SERIES.values()):
        d = np.diff(y) - np.mean(np.diff(y))
        phi = np.linalg.lstsq(d[:-1, None], d[1:], rcond=None)[0][0]
        np.testing.assert_allclose(m.phi_[i], phi, rtol=1e-10)


def test_arima110_clipping_and_fallbacks():
    from forecast.models import ARIMA110

    zigzag = [10.0, 12, 13, 15, 16, 18, 19, 21]  # differences 2, 1, 2, … : φ = −1 by OLS
    accel = [1.0, 2, 4, 8, 16, 32, 64]            # d(t) = 2·d(t−1): φ = 2 by OLS
    df = _frame({"zig": zigzag, "accel": accel, "short": [1.0, 2.0, 4.0, 5.0], "one": [3.0], "line": range(8)})
    m = ARIMA110(phi_max=0.9).fit(df)
    np.testing.assert_allclose(m.phi_[:2], [-0.9, 0.9])
    # the intercept is the least-squares one given the clipped φ
    d = np.diff(accel)
    np.testing.assert_allclose(m.mu_[1] * (1 - 0.9), np.mean(d[1:] - 0.9 * d[:-1]))
    fc = m.predict(2).groupby("unique_id", sort=False)["yhat"].apply(list)
    np.testing.assert_allclose(fc["short"], [5.0 + 4 / 3, 5.0 + 8 / 3])  # < 3 pairs → drift
    np.testing.assert_allclose(fc["one"], [3.0, 3.0])                       # one point → naive
    np.testing.assert_allclose(fc["line"], [8.0, 9.0])                      # constant differences → drift
    with pytest.raises(ValueError, match="drift"):
        ARIMA110(drift="ols").fit(df)
    with pytest.raises(ValueError, match="phi_max"):
        ARIMA110(phi_max=1.0).fit(df)


def test_log_model_is_the_member_on_log_y_and_levels_when_not_positive():
    from forecast.models import ARIMA110, LogModel

    pos = {k: v for k, v in SERIES.items()}
    df = _frame({**pos, "neg": [3.0, -1.0, 2.0, 4.0, 5.0, 7.0]})
    fc = LogModel().fit(df).predict(3)
    for k, y in pos.items():  # geometric growth at the mean log rate
        n = len(y)
        ref = y[-1] * (y[-1] / y[0]) ** (np.arange(1, 4) / (n - 1))
        np.testing.assert_allclose(fc.loc[fc.unique_id == k, "yhat"], ref, rtol=1e-10)
    np.testing.assert_allclose(fc.loc[fc.unique_id == "neg", "yhat"], [7.8, 8.6, 9.4])  # drift in levels
    logs = _frame({k: np.log(v) for k, v in pos.items()})
    inner = ARIMA110().fit(logs).predict_mean(4)
    outer = LogModel(ARIMA110()).fit(_frame(pos)).predict_mean(4)
    np.testing.assert_allclose(outer, np.exp(inner), rtol=1e-12)
    with pytest.raises(ValueError, match="model"):
        LogModel(model="drift").fit(df)
