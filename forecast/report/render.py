"""Render a run into the files of the output folder, and write them atomically.

The run is duck-typed (the attributes of :class:`forecast.pipeline.RunResult`): config,
survey_year, demand, quotas_programmes, quotas_colleges, accuracy, realisation, survey,
history, programmes, demand_by_year, quota_issues, programme_signals, evaluation (the last
two optional: ``programme_signals.csv`` is always written, empty without signals;
``evaluation.csv`` only when the run has an evaluation).

Plots (``plots/``): ``fan_total.png`` (regional employment), ``fan_01_<code>.png`` …
(the largest profession × education rows by employment in year T, up to
:data:`N_FAN`), ``demand_by_industry.png``, ``quotas_vs_demand.png`` (when quotas were
derived). All for the primary scenario (``base`` when present).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from forecast.columns import (
    demand_columns,
    EVALUATION_COLUMNS,
    PROGRAMME_SIGNALS_COLUMNS,
    QUOTAS_COLLEGES_COLUMNS,
    QUOTAS_PROGRAMMES_COLUMNS,
)
from forecast.report import labels as L
from forecast.report import plots
from forecast.report import tables as tb
from forecast.report.files import (
    csv_bytes,
    json_bytes,
    previous_outputs,
    remove_stale_outputs,
    write_bytes_atomic,
)
from forecast.report.workbook import build_workbook

#: how many profession fan charts
N_FAN = 6

_FAN_COLS = ["year", "employment", "employment_lo_80", "employment_hi_80", "employment_lo_95",
             "employment_hi_95"]


def _primary(run) -> str:
    names = run.demand["scenario"].dropna().unique() if len(run.demand) else []
    order = tb.scenario_order(names)
    return order[0] if order else ""


def plot_images(run) -> dict[str, bytes]:
    """PNG bytes by file name (see module docstring)."""
    lang = run.config.output.language
    T = int(run.survey_year)
    d = run.demand
    if not len(d):
        return {}
    primary = _primary(run)
    d = d.loc[d["scenario"].astype(str) == primary]
    history = getattr(run, "history", None)
    out: dict[str, bytes] = {}
    tot = d.loc[d["level"] == "total", _FAN_COLS]
    hist_tot = None
    if history is not None and len(history):
        hist_tot = history.groupby("year", as_index=False)["employment"].sum()
        hist_tot = hist_tot.loc[hist_tot["year"] <= T]
    out["fan_total.png"] = plots.fan_chart(tot, L.text("fan_title", lang, name=L.text("region", lang)),
                                           hist_tot, lang)
    prof = d.loc[(d["level"] == "profession")]
    base = prof.loc[prof["year"] == T].copy()
    base["_e"] = -base["employment"].astype(float)
    base = base.sort_values(["_e", "profession_code", "education"], kind="mergesort").head(N_FAN)
    for rank, (_, row) in enumerate(base.iterrows(), start=1):
        code, edu = row["profession_code"], row["education"]
        f = prof.loc[(prof["profession_code"] == code) & (prof["education"] == edu), _FAN_COLS]
        h = None
        if history is not None and len(history):
            h = history.loc[(history["profession_code"] == code) & (history["education"] == edu)
                            & (history["year"] <= T)]
            h = h.groupby("year", as_index=False)["employment"].sum()
        name = f"{code} {row['profession']} ({edu})"
        safe = re.sub(r"[^0-9A-Za-z]+", "", str(code)) or "x"
        out[f"fan_{rank:02d}_{safe}.png"] = plots.fan_chart(f, L.text("fan_title", lang, name=name), h, lang)
    sec = d.loc[(d["level"] == "section") & (d["year"] > T), ["okved_section", "year", "demand"]]
    out["demand_by_industry.png"] = plots.demand_by_industry(sec, L.text("industry_title", lang, S=primary), lang)
    qp = run.quotas_programmes
    if len(qp):
        q = qp.loc[qp["scenario"].astype(str) == primary]
        out["quotas_vs_demand.png"] = plots.quotas_vs_demand(q, L.text("quotas_title", lang, S=primary), lang)
    return out


def render(run) -> dict[str, bytes]:
    """Every output file but the manifest: ``{relative path: bytes}``."""
    images = plot_images(run)
    files: dict[str, bytes] = {
        "demand.csv": csv_bytes(run.demand, demand_columns(run.config.forecast.levels)),
        "quotas_programmes.csv": csv_bytes(run.quotas_programmes, QUOTAS_PROGRAMMES_COLUMNS),
        "quotas_colleges.csv": csv_bytes(run.quotas_colleges, QUOTAS_COLLEGES_COLUMNS),
        "survey_report.json": json_bytes(run.survey.report() if run.survey is not None else {}),
    }
    signals = getattr(run, "programme_signals", None)
    if signals is None:
        signals = pd.DataFrame({c: [] for c in PROGRAMME_SIGNALS_COLUMNS})
    files["programme_signals.csv"] = csv_bytes(signals, PROGRAMME_SIGNALS_COLUMNS)
    evaluation = getattr(run, "evaluation", None)
    if evaluation is not None:  # only with [evaluation] previous (interfaces.md)
        files["evaluation.csv"] = csv_bytes(evaluation, EVALUATION_COLUMNS)
    for name, png in sorted(images.items()):
        files[f"plots/{name}"] = png
    files[f"forecast_{int(run.survey_year)}.xlsx"] = build_workbook(run, images)
    return files


def write_outputs(files: dict[str, bytes], out_dir: str | Path) -> list[Path]:
    """Write ``files`` under ``out_dir`` atomically, one by one; remove the previous run's
    files that this run does not write (as listed in its manifest; nothing else is touched).

    The caller holds :func:`~forecast.report.files.output_lock` and writes the manifest last,
    so a manifest always describes complete outputs.
    """
    out = Path(out_dir)
    previous = previous_outputs(out)
    # temporary files left by a run that was killed mid-write
    if out.is_dir():
        for stale in sorted([*out.glob(".*.tmp"), *out.glob("plots/.*.tmp")]):
            stale.unlink(missing_ok=True)
    written = [write_bytes_atomic(out / rel, data) for rel, data in files.items()]
    remove_stale_outputs(out, previous, set(files))
    return written


__all__ = ["render", "write_outputs", "plot_images", "N_FAN"]
