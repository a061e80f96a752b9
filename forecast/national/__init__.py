"""The national run (``kadry national``): every region's annual cycle, then the national roll-up.

:mod:`~forecast.national.run` composes (configs → regions → roll-up → files),
:mod:`~forecast.national.backends` runs the regions (here, or on Dask), and
:mod:`~forecast.national.rollup` adds them up.
"""

from __future__ import annotations

from forecast.national.rollup import national_demand, national_quotas, national_sums
from forecast.national.run import NationalResult, national_command, run_national

__all__ = ["run_national", "national_command", "NationalResult", "national_demand", "national_quotas",
           "national_sums"]
