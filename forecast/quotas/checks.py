"""Everything about the quota stage that can be checked before the long work.

The one place for the rules of the ``[quotas]`` parameters (:func:`check_params`, used by
:mod:`forecast.config` and by :func:`forecast.quotas.derive_quotas` alike, so both reject a bad
value with the same message) and for the configuration-time check of the tables
(:func:`check_tables`: the four tables read and checked once a run, and the horizon of
methodology.md §5).

Examples
--------
>>> check_params({"min_group": 10}).min_group
10
>>> check_params({"coverage_share": 5})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
forecast.errors.ConfigError: quotas.coverage_share must be a number in (0, 1], got 5
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from forecast.errors import ConfigError
from forecast.params import QuotaParams, from_mapping
from forecast.quotas.programmes import graduation_offset
from forecast.quotas.tables import QuotaInputs, TableSource, read_inputs


def _number(v: Any) -> bool:
    return (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            and math.isfinite(float(v)))


def _whole(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


#: key → (test, what the value must be); the messages read ``quotas.<key> must be <what>``
RULES: dict[str, tuple[Any, str]] = {
    "coverage_share": (lambda v: _number(v) and 0 < v <= 1, "a number in (0, 1]"),
    "default_employment_rate": (lambda v: _number(v) and 0 < v <= 1, "a number in (0, 1]"),
    "default_dropout": (lambda v: _number(v) and 0 <= v < 1, "a number in [0, 1)"),
    "min_group": (lambda v: _whole(v) and v >= 0, "a whole number ≥ 0"),
    "total_places": (lambda v: v is None or (_whole(v) and v >= 0),
                     "a whole number ≥ 0 (or absent)"),
    "signal_change": (lambda v: _number(v) and v >= 0, "a number ≥ 0"),
    "signal_min_headcount": (lambda v: _number(v) and v >= 0, "a number ≥ 0"),
}


def check_params(params: QuotaParams | dict[str, Any] | None) -> QuotaParams:
    """Parameters from a dict (``[quotas]`` keys without prefix) or a QuotaParams, checked.

    An unknown key is a ValueError naming it; a value out of range is a
    :class:`~forecast.errors.ConfigError` ``quotas.<key> must be <rule>, got <value>``.

    >>> check_params(None).coverage_share
    0.7
    """
    if isinstance(params, QuotaParams):
        p = params
    else:
        p = from_mapping(QuotaParams, dict(params or {}), "quotas")
    for key, (ok, what) in RULES.items():
        v = getattr(p, key)
        if not ok(v):
            raise ConfigError(f"quotas.{key} must be {what}, got {v!r}")
    return p


def required_horizon(inputs: QuotaInputs) -> tuple[int, str | None]:
    """1 + the longest ``ceil(duration_months / 12)`` of the quota programmes, and that
    programme (the smaller code among equals); (0, None) without quota programmes."""
    p = inputs.programmes[inputs.programmes["quota"]].sort_values("code", kind="stable")
    if not len(p):
        return 0, None
    years = graduation_offset(p["duration_months"].to_numpy())
    i = int(np.argmax(years))
    return 1 + int(years[i]), str(p["code"].iloc[i])


def check_tables(
    programmes: TableSource,
    mapping: TableSource,
    colleges: TableSource = None,
    enrolment: TableSource = None,
    horizon: int | None = None,
) -> QuotaInputs:
    """Read and check the quota tables once, before the long work; the horizon too.

    Raises :class:`~forecast.errors.InputError` naming table, row, column and value
    (duplicated codes, negative capacity, mapping weights, enrolment …), and a
    :class:`~forecast.errors.ConfigError` when ``horizon`` does not reach the graduation year
    of the longest programme (methodology.md §5). The result goes to
    :func:`forecast.quotas.quotas_from_inputs`.
    """
    inputs = read_inputs(programmes, mapping, colleges, enrolment)
    if horizon is not None:
        need, code = required_horizon(inputs)
        if horizon < need:
            raise ConfigError(
                f"forecast.horizon = {horizon} is too short: programme {code} takes "
                f"{need - 1} years, so students admitted in T+1 graduate in T+{need}; "
                f"set forecast.horizon to at least {need}"
            )
    return inputs


__all__ = ["check_params", "check_tables", "required_horizon", "RULES"]
