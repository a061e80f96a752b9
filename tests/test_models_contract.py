"""The scikit-learn estimator contract on every model (issue 15, item 2).

scikit-learn's own checks that apply to a forecaster whose ``fit`` takes a long frame and
whose ``predict`` takes a horizon (the X/y-array checks do not apply): clone, repr,
get/set_params round trip, default-constructible parameters, nothing set or validated in
``__init__``/``set_params``, ``NotFittedError`` before fit, tags. Then the parts of the
contract those checks test only with X/y arrays, on a long frame: ``fit`` returns self,
leaves the parameters alone and adds only ``*_`` attributes; pickle round trip.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as ec

from forecast.models import (ARIMA, ARIMA110, ETS, SES, AutoForecaster, Drift, Holt, LogModel, Naive,
                              Theta)

MODELS = [Naive(), Drift(), SES(), SES(alpha=0.3), Holt(), Holt(damped=True), ETS(), ETS(models=("AAN",)),
          Theta(), Theta(theta=None, dynamic=True), ARIMA(), ARIMA110(), ARIMA110(drift="mean"),
          LogModel(), LogModel(Holt(damped=True)), AutoForecaster(),
          AutoForecaster(combine="mean", n_jobs=1)]
IDS = [repr(m) for m in MODELS]

SKLEARN_CHECKS = [
    ec.check_estimator_cloneable,
    ec.check_estimator_repr,
    ec.check_get_params_invariance,
    ec.check_set_params,
    ec.check_parameters_default_constructible,
    ec.check_no_attributes_set_in_init,
    ec.check_do_not_raise_errors_in_init_or_set_params,
    ec.check_estimators_unfitted,
    ec.check_mixin_order,
    ec.check_estimator_tags_renamed,
    ec.check_valid_tag_types,
]


def _frame(n=6, T=12, seed=0):
    rng = np.random.default_rng(seed)
    y = 50 + np.cumsum(rng.normal(1, 3, (n, T)), axis=1)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n)], T),
                         "ds": np.tile(np.arange(2000, 2000 + T), n), "y": y.ravel()})


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_sklearn_estimator_checks(model, check):
    if check is ec.check_valid_tag_types:
        check(type(model).__name__, model)
    else:
        check(type(model).__name__, clone(model))


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_fit_returns_self_keeps_params_and_sets_only_trailing_underscore(model):
    if isinstance(model, ARIMA):
        pytest.importorskip("statsmodels")
    m = clone(model)
    before = m.get_params()
    public_before = {k for k in vars(m) if not k.endswith("_")}
    assert m.fit(_frame()) is m
    assert m.get_params() == before
    assert {k for k in vars(m) if not k.endswith("_")} == public_before
    assert any(k.endswith("_") and not k.startswith("_") for k in vars(m))
    fc = m.predict(3, level=[80])
    again = pickle.loads(pickle.dumps(m)).predict(3, level=[80])
    pd.testing.assert_frame_equal(fc, again)
    # a clone is unfitted again
    with pytest.raises(NotFittedError):
        clone(m).predict(3)


def test_not_fitted_error_names_the_estimator():
    with pytest.raises(NotFittedError, match="AutoForecaster"):
        AutoForecaster().predict(3)
    with pytest.raises(NotFittedError, match="ETS"):
        ETS().predict_mean(3)


def test_unknown_options_are_errors():
    df = _frame()
    with pytest.raises(ValueError, match="combine"):
        AutoForecaster(combine="trimmed").fit(df)
    with pytest.raises(ValueError, match="n_jobs"):
        AutoForecaster(n_jobs=0).fit(df)
    with pytest.raises(ValueError, match="unknown ETS model"):
        ETS(models=("MAM",)).fit(df)
    with pytest.raises(ValueError, match="unknown parameter|Invalid parameter"):
        AutoForecaster().set_params(levels=3)


def test_ets_reports_the_selected_forms_information_criterion():
    """sigma2_/aicc_ belong to the form each series selected (set once, in fit)."""
    from forecast.models.ets import aicc

    df = _frame(n=10, T=15, seed=4)
    m = ETS().fit(df)
    k = np.array([{"ANN": 3, "AAN": 5, "AAdN": 6}[s] for s in m.selected_])
    n = m.block_.lengths
    np.testing.assert_allclose(m.aicc_, aicc(m.sse_, n, k))
    np.testing.assert_allclose(m.sigma2_, m.sse_ / (n - k + 1))
    for form in ("ANN", "AAN", "AAdN"):
        sel = m.selected_ == form
        np.testing.assert_allclose(m.sse_[sel], m.forms_[form]["sse"][sel])
