"""kadry: regional workforce planning (measures 11–13).

Stages, one module each: ``forecast.survey`` (read employer forms) → ``forecast.panel``
(weighted cells per wave) → ``forecast.models`` (time-series engine) → ``forecast.demand``
(employment and additional demand) → ``forecast.quotas`` (admission quotas) →
``forecast.report`` (workbook, tables, plots). ``forecast.run`` composes them.
"""

from __future__ import annotations

from forecast._version import __version__

__all__ = ["__version__", "read_surveys", "SurveyData", "run", "RunResult", "read_outputs", "Outputs"]


def __getattr__(name: str):
    # Lazy: `import forecast` stays fast and a stage's heavy imports load only when used.
    if name in ("read_surveys", "SurveyData"):
        from forecast import survey

        return getattr(survey, name)
    if name in ("run", "RunResult"):
        from forecast import pipeline

        return getattr(pipeline, name)
    if name in ("read_outputs", "Outputs"):
        from forecast import outputs

        return getattr(outputs, name)
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")
