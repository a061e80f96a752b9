"""Column names of the tables that pass between stages and into the output folder.

The one place for these lists (interfaces.md, methodology.md §7); writers and tests import
them from here.
"""

from __future__ import annotations

#: need columns of the survey form, need_1 … need_10
NEED_COLUMNS: tuple[str, ...] = tuple(f"need_{h}" for h in range(1, 11))

#: ``SurveyData.frame``: accepted rows, one per key (survey_year, inn, profession_code,
#: education), with post-stratification weights and where each row came from.
SURVEY_FRAME_COLUMNS: tuple[str, ...] = (
    "survey_year", "inn", "employer", "okved", "okved_section", "municipality",
    "profession_code", "profession", "education", "headcount", "vacancies", "age_55plus",
    *NEED_COLUMNS, "submitted_at", "weight", "file", "sheet", "row",
)

#: ``SurveyData.issues`` and the report's ``issues`` entries
ISSUE_COLUMNS: tuple[str, ...] = (
    "file", "sheet", "row", "column", "value", "severity", "code", "message",
)

#: ``demand.csv`` / ``result.demand``
DEMAND_COLUMNS: tuple[str, ...] = (
    "scenario", "level", "okved_section", "profession_code", "profession", "education",
    "year", "employment", "employment_lo_80", "employment_hi_80", "employment_lo_95",
    "employment_hi_95", "expansion", "replacement", "vacancies", "demand", "demand_lo_80",
    "demand_hi_80",
)

#: interval levels whose columns every demand.csv carries (interfaces.md)
CONTRACT_LEVELS: tuple[int, ...] = (80, 95)


def demand_columns(levels=CONTRACT_LEVELS) -> tuple[str, ...]:
    """``demand.csv``'s columns for the configured ``forecast.levels``: the contract's
    columns, then for each other level (ascending) its employment and demand bounds.

    >>> demand_columns((80, 90))[-4:]
    ('employment_lo_90', 'employment_hi_90', 'demand_lo_90', 'demand_hi_90')
    >>> demand_columns() == DEMAND_COLUMNS
    True
    """
    extra = sorted({int(lv) for lv in levels} - set(CONTRACT_LEVELS))
    return DEMAND_COLUMNS + tuple(f"{k}_{side}_{lv}" for lv in extra
                                  for k in ("employment", "demand") for side in ("lo", "hi"))


#: values of ``demand.level``
DEMAND_LEVELS: tuple[str, ...] = ("cell", "profession", "section", "total")

#: ``quotas_programmes.csv``
QUOTAS_PROGRAMMES_COLUMNS: tuple[str, ...] = (
    "scenario", "programme_code", "programme", "level", "admission_year", "graduation_year",
    "demand", "graduates_needed", "pipeline", "gap", "dropout", "quota_needed", "shortfall",
    "quota", "deficit", "last_quota",
)

#: ``quotas_colleges.csv``
QUOTAS_COLLEGES_COLUMNS: tuple[str, ...] = (
    "scenario", "programme_code", "college_code", "college", "department", "capacity",
    "target", "quota", "last_quota", "deficit",
)

#: ``programme_signals.csv`` (methodology.md §9)
PROGRAMME_SIGNALS_COLUMNS: tuple[str, ...] = (
    "scenario", "signal", "programme_code", "programme", "profession_code", "profession",
    "education", "value", "threshold", "message",
)

#: ``evaluation.csv`` (methodology.md §8)
EVALUATION_COLUMNS: tuple[str, ...] = (
    "kind", "level", "okved_section", "profession_code", "education", "programme_code", "year",
    "horizon", "forecast", "actual", "error", "ape", "in_80", "in_95", "wmape", "bias",
    "coverage_80", "coverage_95", "wmape_flat", "n",
)

#: quota input tables (interfaces.md, config [quotas])
PROGRAMMES_COLUMNS: tuple[str, ...] = (
    "code", "name", "level", "duration_months", "employment_rate", "dropout",
)
MAPPING_COLUMNS: tuple[str, ...] = ("profession_code", "programme_code", "weight")
COLLEGES_COLUMNS: tuple[str, ...] = (
    "college_code", "college", "programme_code", "capacity", "last_quota", "employment_rate",
    "department",
)
ENROLMENT_COLUMNS: tuple[str, ...] = ("programme_code", "admission_year", "students")

#: control totals and scenario files
CONTROLS_COLUMNS: tuple[str, ...] = ("survey_year", "okved_section", "employment")
SCENARIO_COLUMNS: tuple[str, ...] = ("year", "indicator", "value", "variant")

#: the long frame of time series (statsforecast's convention)
SERIES_COLUMNS: tuple[str, ...] = ("unique_id", "ds", "y")
