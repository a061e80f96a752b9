"""The annual cycle: surveys → panel → demand forecast → quotas → output folder.

This module only composes the stages (:func:`forecast.survey.read_surveys`,
:func:`forecast.panel.build_panel`, :func:`forecast.demand.forecast_demand`,
:func:`forecast.quotas.derive_quotas_detailed`) and hands the result to
:mod:`forecast.report`. It holds no stage logic.

Choices (the contract is silent):

* The survey year T is ``[survey] year`` where set (rows of later years are rejected,
  E_SURVEY_YEAR), else the latest ``survey_year`` among the accepted rows.
* Without ``[quotas] programmes``/``mapping`` the run stops after the demand forecast and
  the quota tables are empty (the workbook says so); missing ``colleges``/``enrolment``
  mean no colleges / no students enrolled.
* ``--scenario NAME`` keeps one variant of the scenario file; a name the file lacks is a
  configuration error (exit 2).
* A region is one process's work (the stages are vectorised); many regions run in
  parallel with ``kadry national`` (:mod:`forecast.national`), which calls :func:`run`
  and :meth:`RunResult.write` for each, exactly as ``kadry run`` does.
* ``manifest.json`` carries ``region`` ({code, name}) when the config has a ``[region]``
  section.
* Exit status of ``kadry run``: 0, or 1 when survey rows or files were rejected (the
  outputs are still written); errors exit 2 or 3 via :mod:`forecast.cli`. ``kadry demo``
  exits 0 when the run completes: the sample's forms carry deliberate mistakes.
* Nothing in a run is random (every estimator is deterministic; the sample generator's
  seed is in its own kadry.toml), so the manifest records no seeds rather than an
  always-empty ``seeds`` field.
* Output files are written one by one, each atomically; ``manifest.json`` is written last,
  so a manifest always describes a complete set.
* The quota tables are read and checked once, at configuration time
  (``Config.quota_inputs``); the programme signals (§9) follow the quotas; with
  ``[evaluation] previous`` that folder is read and matched (language, region) before the
  surveys, its survey year checked against T right after them, and the evaluation (§8)
  computed after the quotas.
* ``kadry demo`` first runs the sample region as it was a year earlier (its survey folders
  ``surveys/<year>/`` up to T−1, into ``DIR/previous``) and evaluates that run in this
  year's, so the evaluation sheet of the demo is never empty.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from forecast._version import __version__
from forecast.columns import (
    QUOTAS_COLLEGES_COLUMNS,
    QUOTAS_PROGRAMMES_COLUMNS,
    SCENARIO_COLUMNS,
)
from forecast.config import Config, check_output_dir, load_config
from forecast.demand import check_scenario_coverage, scenario_variants
from forecast.errors import ConfigError, InputError, KadryError
from forecast.params import EvaluationParams, as_dict, scenario_order


@dataclass
class RunResult:
    """Everything a run produced; :meth:`write` makes the output folder.

    Attributes
    ----------
    config : Config
    survey : SurveyData
    survey_year : int
    demand, quotas_programmes, quotas_colleges, accuracy, realisation : DataFrame
        The tables of interfaces.md (``demand``: DEMAND_COLUMNS, every level and scenario).
    history : DataFrame
        year, okved_section, profession_code, education, employment: weighted survey
        headcounts of every wave (for the fan charts).
    programmes, demand_by_year, quota_issues, unmapped : DataFrame or None
        The programmes table as read and the quota stage's detail (for the workbook).
    programme_signals : DataFrame or None
        Requirements for updating programmes (methodology.md §9, PROGRAMME_SIGNALS_COLUMNS).
    evaluation : DataFrame or None
        Last year's forecast judged (methodology.md §8, EVALUATION_COLUMNS); only with
        ``[evaluation] previous``.
    engine_accuracy : DataFrame or None
        Rolling-origin accuracy of the time-series engine on industry employment
        (:func:`forecast.demand.engine_accuracy`), next to the naive benchmark.
    timings : dict
        Seconds per stage.
    """

    config: Config
    survey: Any
    survey_year: int
    demand: pd.DataFrame
    quotas_programmes: pd.DataFrame
    quotas_colleges: pd.DataFrame
    accuracy: pd.DataFrame
    realisation: pd.DataFrame
    history: pd.DataFrame | None = None
    engine_accuracy: pd.DataFrame | None = None
    programmes: pd.DataFrame | None = None
    demand_by_year: pd.DataFrame | None = None
    quota_issues: pd.DataFrame | None = None
    unmapped: pd.DataFrame | None = None
    demand_result: Any = None
    quota_result: Any = None
    programme_signals: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        return scenario_order(self.demand["scenario"].dropna().unique()) if len(self.demand) else []

    @property
    def rejected(self) -> bool:
        """True when survey rows or files were rejected (exit status 1)."""
        counts = getattr(self.survey, "counts", {}) or {}
        return bool(counts.get("rejected", 0) or counts.get("files_failed", 0))

    def write(self, out_dir: str | Path | None = None, progress: bool = False) -> Path:
        """Write the output folder (interfaces.md) to ``out_dir`` (default ``[output] dir``)."""
        from forecast.report import render, write_outputs
        from forecast.report.files import output_lock, sha256_file, write_json

        out = Path(out_dir if out_dir is not None else self.config.output.dir)
        with output_lock(out):
            with _timed(self.timings, "render", progress):
                files = render(self)
            with _timed(self.timings, "write", progress):
                write_outputs(files, out)
                write_json(out / "manifest.json", self.manifest(files, sha256_file))
        return out

    def manifest(self, files: dict[str, bytes] | None = None, sha=None) -> dict[str, Any]:
        """The contents of manifest.json."""
        import hashlib

        cfg = self.config
        inputs = {}
        for label, path in cfg.input_files().items():
            p = Path(path)
            if p.is_file():
                inputs[label] = {"path": str(p), "bytes": p.stat().st_size,
                                 "sha256": sha(p) if sha else None}
        counts = dict(getattr(self.survey, "counts", {}) or {})
        region = {"region": as_dict(cfg.region)} if cfg.region.code or cfg.region.name else {}
        return {
            "kadry_version": __version__,
            **region,
            "survey_year": int(self.survey_year),
            "scenarios": self.scenarios,
            "config": cfg.as_dict(),
            "config_file": str(cfg.path) if cfg.path else None,
            "inputs": inputs,
            "rows": {
                "survey": counts,
                "survey_issues": _len(getattr(self.survey, "issues", None)),
                "demand": int(len(self.demand)),
                "quotas_programmes": int(len(self.quotas_programmes)),
                "quotas_colleges": int(len(self.quotas_colleges)),
                "quota_issues": _len(self.quota_issues),
                "programme_signals": _len(self.programme_signals),
                "evaluation": _len(self.evaluation),
            },
            "outputs": {rel: hashlib.sha256(data).hexdigest() for rel, data in (files or {}).items()},
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }


def _len(frame) -> int:
    return 0 if frame is None else int(len(frame))


@contextmanager
def _timed(timings: dict[str, float], name: str, progress: bool):
    t0 = time.perf_counter()
    if progress:
        print(f"kadry: {name} …", file=sys.stderr, flush=True)
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    if progress:
        print(f"kadry: {name} done in {timings[name]:.1f} s", file=sys.stderr, flush=True)


def _read_table(path: str | None, key: str, columns: tuple[str, ...]) -> pd.DataFrame | None:
    if not path:
        return None
    try:
        from forecast.tabular import read_text_table

        t = read_text_table(path, na_values=[""])
    except Exception as exc:  # noqa: BLE001 - any unreadable table is the user's to fix
        raise InputError(f"{key}: cannot read {path}: {exc}") from None
    t.columns = [str(c).strip() for c in t.columns]
    missing = [c for c in columns if c not in t.columns]
    if missing:
        raise InputError(f"{key}: {path} lacks column(s) {', '.join(missing)}")
    return t


def _scenario_table(cfg: Config, scenario: str | None) -> pd.DataFrame | None:
    table = _read_table(cfg.forecast.scenario, "forecast.scenario", SCENARIO_COLUMNS)
    if table is None:
        if scenario is not None and scenario != "base":
            raise ConfigError(f"--scenario {scenario!r}: without forecast.scenario the only "
                              "scenario is 'base'")
        return None
    table.attrs["table"] = Path(cfg.forecast.scenario).name  # messages name the file
    scenario_variants(table)  # every row checked now, before the long work
    variants = sorted({str(v).strip() for v in table["variant"].dropna() if str(v).strip()})
    if scenario is not None and variants and scenario not in variants:
        raise ConfigError(f"--scenario {scenario!r}: the scenario file {cfg.forecast.scenario} "
                          f"has variants {', '.join(variants)}")
    return table


def run(config: str | Path | Config, out: str | Path | None = None, scenario: str | None = None,
        progress: bool = False) -> RunResult:
    """Run the annual cycle and return its :class:`RunResult` (nothing is written).

    Parameters
    ----------
    config : path of ``kadry.toml`` or a :class:`~forecast.config.Config`
    out : output folder for :meth:`RunResult.write` (overrides ``[output] dir``)
    scenario : keep only this scenario variant
    progress : stage timings (and the stages' progress bars) to stderr
    """
    from forecast.demand import engine_accuracy, forecast_demand
    from forecast.panel import build_panel
    from forecast.survey import read_surveys

    cfg = config if isinstance(config, Config) else load_config(config)
    if out is not None:
        cfg = cfg.replace(output=dataclasses.replace(cfg.output, dir=str(Path(out).resolve())))
    check_output_dir(cfg)
    timings: dict[str, float] = {}
    scen_table = _scenario_table(cfg, scenario)  # before the long work: a bad name fails fast
    if cfg.survey.year is not None:  # T is known: the scenario's reach is checked now too
        check_scenario_coverage(scen_table, int(cfg.survey.year), cfg.forecast.horizon)
    previous = None
    if cfg.evaluation.previous:  # a folder that does not match fails before the long work
        from forecast.evaluation import check_pair, read_run

        previous = read_run(cfg.evaluation.previous, "evaluation.previous")
        check_pair(previous, language=cfg.output.language, region_code=_region_code(cfg))

    with _timed(timings, "survey", progress):
        survey = read_surveys(list(cfg.survey.paths), controls=cfg.survey.controls, progress=progress,
                              survey_year=cfg.survey.year)
    frame = survey.frame
    if not len(frame):
        raise KadryError("no survey rows were accepted: nothing to forecast "
                         f"(files: {', '.join(cfg.survey.paths)}); see `kadry validate`")
    # the survey year T: [survey] year where pinned (later rows were rejected), else the latest
    T = int(cfg.survey.year) if cfg.survey.year is not None else int(pd.to_numeric(frame["survey_year"]).max())
    if not (frame["survey_year"] == T).any():
        raise KadryError(f"no survey rows of the survey year {T} ([survey] year) were accepted: "
                         "nothing to forecast from; see `kadry validate`")
    try:
        check_scenario_coverage(scen_table, T, cfg.forecast.horizon)
    except ConfigError as err:
        # a T taken from a handful of stray rows makes "extend the scenario" the wrong advice
        stray = _thin_survey_year(survey.issues, T) if cfg.survey.year is None else None
        if stray is None:
            raise
        before = pd.to_numeric(frame["survey_year"])
        before = int(before[before < T].max()) if (before < T).any() else None
        pin = f"`[survey] year = {before}`" if before is not None else "`[survey] year`"
        raise ConfigError(f"{err}. But the survey year {T} was taken as the latest year with "
                          f"accepted rows, and that wave is thin (W_THIN_WAVE: {stray}); if "
                          f"those rows are stray, correct them or pin the survey year with "
                          f"{pin} in the config") from None
    if previous is not None:
        from forecast.evaluation import check_pair

        check_pair(previous, survey_year=T)
    with _timed(timings, "panel", progress):
        panel = build_panel(frame)
    with _timed(timings, "engine_backtest", progress):
        engine_acc = engine_accuracy(panel, cfg.forecast.levels)
    with _timed(timings, "demand", progress):
        dres = forecast_demand(panel, scen_table, cfg.forecast, cfg.demand,
                               scenarios=[scenario] if scenario else None, progress=progress)
    demand = dres.demand.reset_index(drop=True)
    if scenario is not None:
        got = set(demand["scenario"].astype(str).unique())
        if scenario not in got:
            raise ConfigError(f"--scenario {scenario!r}: the forecast has scenarios {', '.join(sorted(got))}")

    qp = pd.DataFrame({c: [] for c in QUOTAS_PROGRAMMES_COLUMNS})
    qc = pd.DataFrame({c: [] for c in QUOTAS_COLLEGES_COLUMNS})
    qres = programmes = None
    if cfg.tables.programmes:
        from forecast.config import check_horizon
        from forecast.quotas import quotas_from_inputs

        # the tables as read and checked at configuration time (once a run)
        inputs = cfg.quota_inputs if cfg.quota_inputs is not None else check_horizon(cfg)
        programmes = inputs.programmes
        with _timed(timings, "quotas", progress):
            # the stage skips year T (the survey's actuals, no demand) itself
            qres = quotas_from_inputs(demand, T, inputs, params=as_dict(cfg.quotas))
        qp, qc = qres.programmes, qres.colleges
    from forecast.quotas import programme_signals

    signals = programme_signals(qres, frame, T, cfg.quotas, demand=demand,
                                language=cfg.output.language)
    evaluation = None
    if previous is not None:
        from forecast.evaluation import evaluate

        with _timed(timings, "evaluation", progress):
            evaluation = evaluate(previous.demand, demand, previous.survey_year, T,
                                  previous.quotas_programmes, qp if len(qp) else None)

    history = None
    cells = getattr(panel, "cells", None)
    if cells is not None and len(cells):
        history = cells.loc[:, ["survey_year", "okved_section", "profession_code", "education", "headcount"]]
        history = history.rename(columns={"survey_year": "year", "headcount": "employment"})
    return RunResult(
        config=cfg, survey=survey, survey_year=T, demand=demand,
        quotas_programmes=qp.reset_index(drop=True), quotas_colleges=qc.reset_index(drop=True),
        accuracy=_frame_or_empty(getattr(dres, "accuracy", None)),
        realisation=_frame_or_empty(getattr(dres, "realisation", None)),
        history=history, engine_accuracy=engine_acc, programmes=programmes,
        demand_by_year=getattr(qres, "demand_by_year", None),
        quota_issues=getattr(qres, "issues", None), unmapped=getattr(qres, "unmapped", None),
        demand_result=dres, quota_result=qres, programme_signals=signals,
        evaluation=evaluation, timings=timings,
    )


def _region_code(cfg: Config) -> str | None:
    """``[region] code`` where the config has that section (None otherwise)."""
    code = getattr(getattr(cfg, "region", None), "code", None)
    return None if code in (None, "") else str(code)


def _frame_or_empty(x) -> pd.DataFrame:
    return x.reset_index(drop=True) if isinstance(x, pd.DataFrame) else pd.DataFrame()


def _summary_lines(result: RunResult, out: Path) -> list[str]:
    T = result.survey_year
    counts = getattr(result.survey, "counts", {}) or {}
    waves = sorted(pd.unique(result.survey.frame["survey_year"]))
    span = f"{waves[0]}–{waves[-1]}" if len(waves) > 1 else f"{T}"  # one wave, or none accepted
    lines = [f"kadry: surveys {span} ({len(waves)} waves, survey year T = {T}): "
             f"{counts.get('rows_read', 0)} rows read, "
             f"{counts.get('accepted', len(result.survey.frame))} accepted, "
             f"{counts.get('merged', 0)} merged, {counts.get('superseded', 0)} superseded, "
             f"{counts.get('rejected', 0)} rejected; {counts.get('files_failed', 0)} files failed"]
    d = result.demand
    for s in result.scenarios:
        t = d.loc[(d["level"] == "total") & (d["scenario"].astype(str) == s) & (d["year"] > T), "demand"]
        line = f"kadry: scenario {s}: demand {T + 1}–{T + result.config.forecast.horizon} = {t.sum():,.0f}"
        q = result.quotas_programmes
        if len(q):
            line += f"; quotas {T + 1} = {q.loc[q['scenario'].astype(str) == s, 'quota'].sum():,.0f}"
        lines.append(line)
    sig = result.programme_signals
    if sig is not None and len(sig):
        first = sig[sig["scenario"] == sig["scenario"].iloc[0]]
        kinds = first["signal"].value_counts()
        lines.append(f"kadry: programme signals ({first['scenario'].iloc[0]}): "
                     + ", ".join(f"{k} {int(kinds[k])}" for k in sorted(kinds.index))
                     + " (programme_signals.csv)")
    ev = result.evaluation
    if ev is not None and len(ev):
        summ = ev[ev["kind"] == "summary"]
        parts = [f"{r.level} {r.wmape:.1%} (flat {r.wmape_flat:.1%})" for r in summ.itertuples()
                 if pd.notna(r.wmape)]
        h = int(summ["horizon"].iloc[0]) if len(summ) else 0
        lines.append(f"kadry: last forecast judged at horizon {h}: wMAPE " + ", ".join(parts)
                     + " (evaluation.csv)")
    lines.append(f"kadry: wrote {out}/forecast_{T}.xlsx and the tables, plots and manifest.json")
    return lines


#: survey warnings that change what the whole run means, so they are also printed on the
#: console (the others are in survey_report.json and the data issues sheet)
CONSOLE_WARNINGS = ("W_THIN_WAVE", "W_NO_CONTROL")


def _flat_variants_note(result: RunResult) -> str | None:
    """A line for the console when the scenario has variants but every applied β is 0, so
    the variants equal the base path (methodology §2; too short an indicator history, or
    no industry whose employment followed the indicator)."""
    el = getattr(result.demand_result, "elasticities", None)
    if el is None or not len(el) or len(result.scenarios) < 2 or (el["beta"] > 0).any():
        return None
    return (f"the scenario variants ({', '.join(result.scenarios)}) equal the base path: no "
            f"industry shows a positive elasticity to the scenario's indicator over the "
            f"survey's history (pooled β = {float(el['beta_pooled'].iloc[0]):.3f}); give the "
            f"indicator's history for the survey years, or see the Методика sheet")


def _thin_survey_year(issues: pd.DataFrame, year: int) -> str | None:
    """The W_THIN_WAVE message of ``year``, if the survey flagged that wave as thin."""
    if not len(issues) or "code" not in issues.columns:
        return None
    hit = issues[(issues["code"] == "W_THIN_WAVE") & (issues["value"].astype(str) == str(year))]
    return str(hit["message"].iloc[0]) if len(hit) else None


def run_command(config: str | Path, out: str | Path | None = None, scenario: str | None = None,
                progress: bool = False) -> int:
    """``kadry run``: run, write the output folder, print a summary; the exit status.

    The output folder is checked and locked before the long work (a second run into the
    same folder, or an ``--out`` naming a file, fails at once with exit 2).
    """
    from forecast.report.files import output_lock

    cfg = config if isinstance(config, Config) else load_config(config)
    if out is not None:
        cfg = cfg.replace(output=dataclasses.replace(cfg.output, dir=str(Path(out).resolve())))
    check_output_dir(cfg)
    target = Path(cfg.output.dir)
    with output_lock(target):
        result = run(cfg, scenario=scenario, progress=progress)
        target = result.write(progress=progress)
    for line in _summary_lines(result, target):
        print(line)
    iss = result.survey.issues
    for code, msg in (iss.loc[iss["code"].isin(CONSOLE_WARNINGS), ["code", "message"]].itertuples(
            index=False) if len(iss) else ()):
        print(f"kadry: warning: {code}: {msg}", file=sys.stderr)
    flat = _flat_variants_note(result)
    if flat:
        print(f"kadry: warning: {flat}", file=sys.stderr)
    if result.rejected:
        print("kadry: some survey rows or files were rejected: see survey_report.json and the "
              "data issues sheet", file=sys.stderr)
        return 1
    return 0


def _previous_year_config(cfg: Config) -> Config | None:
    """The sample region as it was a year ago: its survey folders ``surveys/<year>/`` up to
    the last year but one (None when the layout is not one folder per wave).

    The demo's own pinning of the survey year T−1 (the sample keeps each wave in a folder
    named by its year); files of later waves are simply not read.
    """
    folders = []
    for p in cfg.survey.paths:
        path = Path(p)
        if not path.is_dir():
            return None
        folders += [q for q in sorted(path.iterdir()) if q.is_dir() and q.name.isdigit()]
    years = sorted({int(q.name) for q in folders})
    if len(years) < 3:
        return None
    keep = tuple(str(q) for q in folders if int(q.name) < years[-1])
    return cfg.replace(survey=dataclasses.replace(cfg.survey, paths=keep))


def sample_config_path() -> Path:
    """``data/sample/kadry.toml`` of the source tree (may not exist in an installed package)."""
    return Path(__file__).resolve().parents[1] / "data" / "sample" / "kadry.toml"


def demo_command(out: str | Path = "out/demo", progress: bool = False) -> int:
    """``kadry demo``: the whole cycle on the bundled sample region (generated when absent)."""
    out = Path(out)
    cfg_path = sample_config_path()
    if not cfg_path.is_file():
        from forecast.sample import generate_region, write_region

        if progress:
            print("kadry: generating the sample region …", file=sys.stderr, flush=True)
        folder = write_region(generate_region(), out / "input")
        cfg_path = Path(folder) / "kadry.toml"
    cfg = load_config(cfg_path)
    # last year's run (survey waves up to T−1) first, so that the evaluation sheet of this
    # year's run is never empty in the demo (methodology §8)
    prev_cfg = _previous_year_config(cfg)
    if prev_cfg is not None:
        prev_out = (out / "previous").resolve()
        if progress:
            print(f"kadry: last year's run into {prev_out} …", file=sys.stderr, flush=True)
        run(prev_cfg, out=prev_out, progress=progress).write(progress=progress)
        cfg = cfg.replace(evaluation=EvaluationParams(previous=str(prev_out)))
    code = run_command(cfg, out=out, progress=progress)
    # the sample's forms carry deliberate mistakes: rejected rows are the point of the demo,
    # not a failure (`make demo` must succeed)
    return 0 if code == 1 else code


__all__ = ["run", "RunResult", "run_command", "demo_command", "sample_config_path"]
