"""Vectorised time-series engine for many short annual series (long frame unique_id, ds, y).

``AutoForecaster`` is the default (median of naive, drift, Holt, damped Holt, ETS and DOTM
with calibrated intervals; pandas or Dask DataFrames); the members (``Naive``, ``Drift``, ``SES``, ``Holt``, ``ETS``,
``Theta``, ``ARIMA110`` — ARIMA(1,1,0) with drift by conditional least squares —, ``LogModel`` — any
member on log y; ``ARIMA`` is an optional slow statsmodels member) follow scikit-learn conventions
and work on all series at once with numpy.
``backtest`` runs rolling-origin evaluations; ``metrics`` holds sMAPE, MASE, coverage,
Winkler score and ``accuracy_table``.
"""

from forecast.models import metrics
from forecast.models.arima import ARIMA
from forecast.models.auto import AutoForecaster
from forecast.models.backtest import backtest
from forecast.models.baseline import Drift, Naive
from forecast.models.ets import ETS, SES, Holt
from forecast.models.growth import ARIMA110, LogModel
from forecast.models.metrics import accuracy_table
from forecast.models.theta import Theta

__all__ = ["AutoForecaster", "ARIMA", "ARIMA110", "LogModel", "Naive", "Drift", "SES", "Holt", "ETS", "Theta",
           "backtest", "metrics", "accuracy_table"]
