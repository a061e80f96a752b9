"""Parameters and their defaults: the one place they live.

Each section of ``kadry.toml`` is a frozen dataclass here; the names are the config keys
(methodology.md, interfaces.md). Stages take these dataclasses (or plain dicts checked by
:func:`from_mapping`) and never restate a default.

Examples
--------
>>> DemandParams().max_exit_rate
0.2
>>> from_mapping(QuotaParams, {"coverage_share": 0.6}).coverage_share
0.6
>>> from_mapping(QuotaParams, {"coverage": 0.6})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: unknown key 'coverage' in [quotas]; known keys: ...
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

# ---------------------------------------------------------------------------
# Survey reading limits (survey-format.md, "File-level failures"). Not configurable:
# they are the contract's safety limits.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_XML_BYTES = 200 * 1024 * 1024
MAX_DATA_ROWS = 1_000_000
#: the last-resort wall-clock net of one file's parsing (the limits above and below are in
#: work, so a file's outcome does not depend on the machine's load)
PARSE_NET_SECONDS = 60.0
#: a zip member inflating past this many times its compressed size, beyond its first
#: ZIP_RATIO_FREE_BYTES, is E_FILE_TOO_LARGE at once (survey-format.md)
ZIP_MAX_RATIO = 100
ZIP_RATIO_FREE_BYTES = 1024 * 1024
HEADER_SCAN_ROWS = 30
HEADER_MIN_MATCH = 6
MAX_NEED_HORIZON = 10
SURVEY_YEAR_RANGE = (2000, 2100)
#: a count cell at or above this is not a number of people (E_NOT_NUMBER); also keeps int64 exact
MAX_CELL_NUMBER = 10**12
#: a worksheet whose used range (counted from A1, the range the reader holds) spans more
#: cells is E_FILE_TOO_LARGE before it is loaded (survey-format.md)
MAX_SHEET_CELLS = 10_000_000
# Plausibility warnings
NEED_IMPLAUSIBLE_FACTOR = 2.0
NEED_IMPLAUSIBLE_OFFSET = 10.0
JUMP_FACTOR = 5.0
#: W_JUMP also needs a change of at least this many persons
JUMP_MIN_CHANGE = 10
#: W_THIN_WAVE: a wave with fewer than this share of the previous wave's respondents
THIN_WAVE_SHARE = 0.2
#: read_surveys reads files in worker processes from this many files on (below it the
#: start-up of the workers costs more than it saves)
PARALLEL_MIN_FILES = 64


def survey_year_problem(value: Any) -> str | None:
    """Why ``value`` cannot be the run's survey year (``[survey] year``), or None.

    The one check of ``[survey] year`` and of ``read_surveys(survey_year=...)``.

    >>> survey_year_problem(2026) is None, survey_year_problem("2026")
    (True, "must be a whole number 2000 … 2100, got '2026'")
    """
    lo, hi = SURVEY_YEAR_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        return f"must be a whole number {lo} … {hi}, got {value!r}"
    return None


@dataclass(frozen=True)
class SurveyParams:
    """``[survey]``: where the survey files and control totals are."""

    paths: tuple[str, ...] = ("surveys/",)
    controls: str | None = None
    #: the survey year T of the run; rows of later years are E_SURVEY_YEAR. None: the
    #: latest year read
    year: int | None = None


@dataclass(frozen=True)
class ForecastParams:
    """``[forecast]`` (methodology.md §2)."""

    horizon: int = 7
    levels: tuple[int, ...] = (80, 95)
    reconcile: str = "mint_shrink"
    scenario: str | None = None


#: reconciliation methods accepted by ``forecast.reconcile``
RECONCILE_METHODS: tuple[str, ...] = ("mint_shrink", "wls_struct", "ols", "bottom_up", "top_down")


def check_reconcile(method) -> str:
    """The reconcile method, or a ValueError naming the known ones (the one check of it:
    the config, :func:`forecast.demand.forecast_demand` and
    :func:`forecast.demand.reconcile.reconcile` all call this, and wrap the message in
    their own error class).

    >>> check_reconcile("ols")
    'ols'
    >>> check_reconcile("typo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: forecast.reconcile must be one of mint_shrink, ..., got 'typo'
    """
    if method not in RECONCILE_METHODS:
        raise ValueError(f"forecast.reconcile must be one of {', '.join(RECONCILE_METHODS)}, "
                         f"got {method!r}")
    return method


#: scenario variants of a socio-economic forecast in their display and output order;
#: other names follow in text order (:func:`scenario_order`)
SCENARIO_ORDER: tuple[str, ...] = ("base", "conservative", "target")


def scenario_order(names) -> list[str]:
    """Distinct scenario names in the one order used everywhere (demand.csv, the workbook,
    RunResult.scenarios): :data:`SCENARIO_ORDER` first, then the others in text order.

    >>> scenario_order(["target", "alpha", "base", "conservative", "base"])
    ['base', 'conservative', 'target', 'alpha']
    """
    names = {str(n) for n in names}
    return [v for v in SCENARIO_ORDER if v in names] + sorted(names - set(SCENARIO_ORDER))


@dataclass(frozen=True)
class DemandParams:
    """``[demand]`` (methodology.md §3)."""

    max_exit_rate: float = 0.2
    retirement_window: float = 7.0
    other_exit_rate: float = 0.01
    default_exit_rate: float = 0.03
    vacancy_fill_share: float = 1.0


@dataclass(frozen=True)
class QuotaParams:
    """``[quotas]`` parameters (methodology.md §4–6), the keys of ``derive_quotas(params=...)``."""

    coverage_share: float = 0.7
    default_employment_rate: float = 0.75
    default_dropout: float = 0.15
    min_group: int = 15
    total_places: int | None = None
    #: §9: a programme's mapped demand changing by more than this share T+1 → T+H is a signal
    signal_change: float = 0.3
    #: §9: weighted headcount in wave T from which a new profession is a signal
    signal_min_headcount: float = 20


@dataclass(frozen=True)
class QuotaTables:
    """``[quotas]`` input tables (paths relative to the config file)."""

    programmes: str | None = None
    mapping: str | None = None
    colleges: str | None = None
    enrolment: str | None = None


@dataclass(frozen=True)
class EvaluationParams:
    """``[evaluation]`` (methodology.md §8): last year's output folder, if any."""

    previous: str | None = None


@dataclass(frozen=True)
class OutputParams:
    """``[output]``."""

    dir: str = "out"
    language: str = "ru"


LANGUAGES: tuple[str, ...] = ("ru", "en")


@dataclass(frozen=True)
class RegionParams:
    """``[region]``: the region's code and name (optional for ``kadry run``, required for
    each region of ``kadry national``; the code is unique within a national run)."""

    code: str | None = None
    name: str | None = None


#: a region code names its folder ``regions/<code>/`` of a national run: letters, digits, ``-``, ``_``
REGION_CODE_PATTERN = r"[0-9A-Za-z_-]{1,32}"
#: the region code of the national sums in ``demand_national.csv`` (reserved)
NATIONAL_CODE = "RF"


@dataclass(frozen=True)
class NationalParams:
    """``[national]`` of ``national.toml``: the country's name and its regions' configs."""

    name: str = ""
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DaskParams:
    """``[dask]`` of ``national.toml``: a running scheduler's address (empty: a local
    cluster) and the local cluster's worker processes (None: the machine's cores; 0: no Dask,
    the regions one after another in this process)."""

    scheduler: str = ""
    workers: int | None = None

T = TypeVar("T")


def from_mapping(cls: type[T], values: dict[str, Any] | None, section: str | None = None) -> T:
    """Build parameter dataclass ``cls`` from a dict; an unknown key is a ValueError naming it.

    Lists become tuples (the dataclasses are frozen and hashable).
    """
    values = dict(values or {})
    names = [f.name for f in dataclasses.fields(cls)]
    section = section or _SECTION_OF.get(cls, cls.__name__)
    for key in values:
        if key not in names:
            raise ValueError(
                f"unknown key {key!r} in [{section}]; known keys: {', '.join(names)}"
            )
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**values)


_SECTION_OF: dict[type, str] = {
    SurveyParams: "survey",
    ForecastParams: "forecast",
    DemandParams: "demand",
    QuotaParams: "quotas",
    QuotaTables: "quotas",
    EvaluationParams: "evaluation",
    OutputParams: "output",
    RegionParams: "region",
    NationalParams: "national",
    DaskParams: "dask",
}


def as_dict(params: Any) -> dict[str, Any]:
    """Plain dict of a parameter dataclass (tuples become lists), e.g. for manifest.json."""
    return {
        k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(params).items()
    }


__all__ = [
    "SurveyParams",
    "ForecastParams",
    "DemandParams",
    "QuotaParams",
    "QuotaTables",
    "EvaluationParams",
    "OutputParams",
    "RegionParams",
    "NationalParams",
    "DaskParams",
    "REGION_CODE_PATTERN",
    "NATIONAL_CODE",
    "RECONCILE_METHODS",
    "check_reconcile",
    "SCENARIO_ORDER",
    "scenario_order",
    "LANGUAGES",
    "from_mapping",
    "as_dict",
]
