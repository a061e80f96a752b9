"""Staffing demand forecast by profession × industry (methodology.md §2–3).

The stage's entry point is :func:`forecast_demand` (:mod:`forecast.demand.run`); the
rolling-origin engine is :mod:`forecast.demand.engine`, the interval calibration
:mod:`forecast.demand.calibration`, the views :mod:`~forecast.demand.topdown` and
:mod:`~forecast.demand.bottomup`, the §3 components :mod:`~forecast.demand.components`,
the output table :mod:`~forecast.demand.assemble` and the backtests
:mod:`~forecast.demand.accuracy`. This package only re-exports.
"""

from forecast.demand.accuracy import (
    ACCURACY_COLUMNS, ENGINE_BT_H, ENGINE_BT_WINDOWS, accuracy_table, engine_accuracy,
)
from forecast.demand.run import REALISATION_COLUMNS, DemandResult, forecast_demand
from forecast.demand.topdown import ELASTICITY_PRIOR, check_scenario_coverage, scenario_variants

__all__ = ["forecast_demand", "DemandResult", "REALISATION_COLUMNS", "accuracy_table",
           "ACCURACY_COLUMNS", "engine_accuracy", "ENGINE_BT_H", "ENGINE_BT_WINDOWS",
           "check_scenario_coverage", "scenario_variants", "ELASTICITY_PRIOR"]
