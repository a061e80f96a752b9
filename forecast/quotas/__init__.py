"""Measure 13: admission quotas (КЦП) per programme and per college (methodology.md §4–7).

Works on any demand table with the columns of ``demand.csv`` (at least profession_code,
education, year, demand; scenario and level optional), so an analyst can pass one built by
hand; it does not import the forecasting stages.

Modules: :mod:`~forecast.quotas.tables` (reading and checking the input tables),
:mod:`~forecast.quotas.checks` (the rules of the parameters; the tables and the horizon
checked before the long work), :mod:`~forecast.quotas.derive` (the stage itself),
:mod:`~forecast.quotas.signals` (requirements for updating programmes, §9),
:mod:`~forecast.quotas.programmes` (§4–5: graduates needed, pipeline, gap, raw quota,
rounding, budget), :mod:`~forecast.quotas.rounding` (largest remainder),
:mod:`~forecast.quotas.allocation` (§6). Each module's docstring states how it reads the
points the methodology leaves open; the main ones:

* a demand table without a ``scenario`` column is one scenario named ``"base"``;
* ``colleges`` and ``enrolment`` may be None (no college licensed; nobody enrolled);
* quotas are computed per scenario independently; an allocation depends only on the
  programme's colleges and its quota;
* ``issues`` rows: ``unknown_programme`` (colleges row ignored), ``future_cohort``
  (enrolment row ignored), ``min_group_relaxed`` and ``allocation_fallback`` (per programme;
  ``row`` is empty there);
* ``quotas_colleges`` carries each college's ``department`` (empty when the colleges table
  has none); allocation ignores it.

>>> import pandas as pd
>>> demand = pd.DataFrame({"profession_code": "19861", "education": "СПО-КРС",
...                        "year": [2027, 2028, 2029], "demand": [40.0, 40.0, 40.0]})
>>> programmes = pd.DataFrame({"code": ["15.01.05"], "name": ["Сварщик"], "level": ["СПО-КРС"],
...                            "duration_months": [22], "employment_rate": [0.7], "dropout": [0.1]})
>>> mapping = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["15.01.05"],
...                         "weight": [1.0]})
>>> colleges = pd.DataFrame({"college_code": ["K1", "K2"], "college": ["A", "B"],
...                          "programme_code": "15.01.05", "capacity": [25, 25],
...                          "last_quota": [20, 20], "employment_rate": [None, None]})
>>> progs, cols = derive_quotas(demand, survey_year=2026, programmes=programmes,
...                             mapping=mapping, colleges=colleges, enrolment=None)
>>> # g = 2027 + 2 = 2029; G = 40·0.7/0.7 = 40; A_raw = 40/0.9 = 44.4 → 44
>>> r = progs.iloc[0]
>>> int(r.graduation_year), float(r.graduates_needed), int(r.quota)
(2029, 40.0, 44)
>>> cols["quota"].tolist()
[22, 22]
"""

from forecast.quotas.checks import check_params, check_tables, required_horizon
from forecast.quotas.derive import (
    TREND_COLUMNS,
    QuotaResult,
    derive_quotas,
    derive_quotas_detailed,
    quotas_from_inputs,
)
from forecast.quotas.signals import programme_signals
from forecast.quotas.tables import QuotaInputs

__all__ = [
    "derive_quotas",
    "derive_quotas_detailed",
    "quotas_from_inputs",
    "QuotaResult",
    "QuotaInputs",
    "TREND_COLUMNS",
    "check_params",
    "check_tables",
    "required_horizon",
    "programme_signals",
]
