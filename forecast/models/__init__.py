"""Vectorised time-series engine for many short annual series (long frame unique_id, ds, y).

``AutoForecaster`` is the default; the members (``Naive``, ``Drift``, ``SES``, ``Holt``,
``ETS``) follow scikit-learn conventions and work on all series at once with numpy.
"""

from forecast.models.auto import AutoForecaster
from forecast.models.baseline import Drift, Naive
from forecast.models.ets import ETS, SES, Holt

__all__ = ["AutoForecaster", "Naive", "Drift", "SES", "Holt", "ETS"]
