"""``kadry national``: every region's annual cycle, then the national roll-up.

:func:`run_national` reads ``national.toml``, checks the regions' configs (a duplicate
region code is a configuration error, exit 2), runs each region into
``OUT/regions/<code>/`` through :func:`forecast.national.backends.run_region` — the same
calls as ``kadry run --config <region> --out OUT/regions/<code>``, so that folder is
byte-identical to it (``manifest.json``'s ``timings_seconds`` excepted) — in this process
(``workers = 0``, no Dask) or on Dask, and after every region has ended builds the national
tables from the regions' files. :meth:`NationalResult.write` writes ``demand_national.csv``,
``quotas_national.csv``, ``national_<T>.xlsx`` and, last, ``manifest.json``, each
atomically: national files are never written while a region is still running, and a
manifest always describes a complete set.

Choices (the contract is silent):

* Regions are identified and ordered by their ``[region] code`` (as text). A region
  whose config cannot be read at all is listed by its config path (code empty), after the
  others.
* The national survey year T is the one most finished regions have (ties: the latest); a
  region of another year fails ("a different survey year") but keeps its complete folder.
* A region that failed before writing has no folder: a folder left by an earlier run (or a
  run killed mid-write) is removed, so ``regions/`` holds this run's outputs only.
* ``--scheduler``/``--workers`` override ``[dask] scheduler``/``workers``; a command-line
  option replaces both keys of the file, and a scheduler together with a worker count from
  the same source is a configuration error (the scheduler's own workers run the regions).
* Exit status: 0, or 1 when a region failed or a region's survey rows or files were
  rejected (as ``kadry run``); when no region finished there is nothing to add up: no
  national files, exit 3.
* The national manifest records the backend used (``backend``) and ``timings_seconds``;
  everything else in the output folder is the same whatever the backend, the number of
  workers and the order in which the regions finish.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import forecast
from forecast.config import NationalConfig, load_config, load_national_config
from forecast.errors import ConfigError, KadryError
from forecast.national import rollup
from forecast.national.backends import region_out, run_in_process, run_on_dask
from forecast.params import NATIONAL_CODE, REGION_CODE_PATTERN


@dataclass
class NationalResult:
    """A finished national run; :meth:`write` makes the national files.

    Attributes
    ----------
    config : NationalConfig
        As resolved (``output.dir`` is the output folder).
    survey_year : int
        The national T.
    regions : list of dict
        Per region in order: code, name, config (path), status (``ok``/``failed``), message,
        and for finished regions their facts (survey_year, respondents, totals, issues …).
    demand, quotas : DataFrame
        ``demand_national.csv`` and ``quotas_national.csv`` as text.
    rf_scenarios : list of str
    backend : dict
        The cluster used (kind, workers, address).
    timings : dict
    """

    config: NationalConfig
    survey_year: int
    regions: list[dict[str, Any]]
    demand: pd.DataFrame
    quotas: pd.DataFrame
    rf_scenarios: list[str]
    backend: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return Path(self.config.output.dir)

    @property
    def excluded(self) -> list[dict[str, Any]]:
        """The regions left out of the RF sums."""
        return [r for r in self.regions if r["status"] != "ok"]

    @property
    def demand_numbers(self) -> pd.DataFrame:
        return rollup.numeric(self.demand, ("region_code", "scenario", "level", "okved_section",
                                            "profession_code", "profession", "education"))

    @property
    def quotas_numbers(self) -> pd.DataFrame:
        return rollup.numeric(self.quotas, ("region_code", "scenario", "programme_code", "programme", "level"))

    @property
    def exit_code(self) -> int:
        bad = any(r["status"] != "ok" or r.get("rejected") for r in self.regions)
        return 1 if bad else 0

    def files(self) -> dict[str, bytes]:
        """Every national file but the manifest: ``{name: bytes}``."""
        from forecast.report.files import csv_bytes
        from forecast.report.national import build_national_workbook

        return {
            "demand_national.csv": csv_bytes(self.demand, rollup.NATIONAL_DEMAND_COLUMNS),
            "quotas_national.csv": csv_bytes(self.quotas, rollup.NATIONAL_QUOTAS_COLUMNS),
            f"national_{self.survey_year}.xlsx": build_national_workbook(self),
        }

    def manifest(self, files: dict[str, bytes]) -> dict[str, Any]:
        """The contents of the national manifest.json."""
        cfg = self.config
        regions = [{k: r.get(k) for k in ("code", "name", "status", "message", "config", "survey_year")}
                   for r in self.regions]
        return {
            "kadry_version": forecast.__version__,
            "national": cfg.national.name,
            "survey_year": int(self.survey_year),
            "config_file": str(cfg.path) if cfg.path else None,
            "config": {"national": rollup_config(cfg), "output": dataclasses.asdict(cfg.output)},
            "regions": regions,
            "rf": {"regions": [r["code"] for r in self.regions if r["status"] == "ok"],
                   "excluded": [r["code"] or r["config"] for r in self.excluded],
                   "scenarios": list(self.rf_scenarios)},
            "rows": {"demand_national": int(len(self.demand)), "quotas_national": int(len(self.quotas))},
            "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
            "backend": self.backend,
            "timings_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def write(self) -> Path:
        """Write the national files into :attr:`out`, the manifest last; returns the folder."""
        from forecast.report.files import write_bytes_atomic, write_json

        t0 = time.perf_counter()
        files = self.files()
        for name, data in files.items():
            write_bytes_atomic(self.out / name, data)
        self.timings["national_files"] = time.perf_counter() - t0
        write_json(self.out / "manifest.json", self.manifest(files))
        return self.out


def rollup_config(cfg: NationalConfig) -> dict[str, Any]:
    """``[national]`` as resolved: the name and the regions' config files."""
    return {"name": cfg.national.name, "regions": list(cfg.national.regions)}


def resolve_backend(cfg: NationalConfig, scheduler: str | None, workers: int | None) -> tuple[str, int | None]:
    """The scheduler address and local worker count to use (see the module docstring)."""
    if scheduler is not None or workers is not None:
        source = "--scheduler and --workers"
    else:
        scheduler, workers, source = cfg.dask.scheduler, cfg.dask.workers, "[dask] scheduler and workers"
    scheduler = scheduler or ""
    if workers is not None and workers < 0:
        raise ConfigError(f"--workers must be a whole number ≥ 0, got {workers}")
    if scheduler and workers is not None:
        raise ConfigError(f"{source}: give a scheduler address (its workers run the regions) or a "
                          "number of local worker processes, not both")
    return scheduler, workers


def _peek_region(path: str) -> tuple[str | None, str | None]:
    """The [region] code and name of a config that does not load (for the report), if readable."""
    try:
        region = tomllib.loads(Path(path).read_text(encoding="utf-8-sig")).get("region", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, None
    if not isinstance(region, dict):
        return None, None
    code, name = region.get("code"), region.get("name")
    ok = isinstance(code, str) and re.fullmatch(REGION_CODE_PATTERN, code) and code.upper() != NATIONAL_CODE
    return (code if ok else None), (name if isinstance(name, str) else None)


def _label(cfg: NationalConfig, path: str) -> str:
    try:
        return Path(path).relative_to(cfg.base_dir).as_posix()
    except ValueError:
        return path


def prepare_regions(cfg: NationalConfig) -> list[dict[str, Any]]:
    """Each listed region's code, name and config; configs that do not load are failed.

    Raises ConfigError naming the files when two regions share a code.
    """
    regions = []
    for path in cfg.national.regions:
        entry = {"config": _label(cfg, path), "path": path, "status": "pending", "message": ""}
        try:
            rc = load_config(path)
        except KadryError as exc:
            code, name = _peek_region(path)
            regions.append({**entry, "code": code, "name": name, "status": "failed",
                            "message": f"configuration error: {exc}"})
            continue
        if not rc.region.code:
            regions.append({**entry, "code": None, "name": rc.region.name, "status": "failed",
                            "message": f"configuration error: {path} has no [region] code "
                                       "(required for kadry national)"})
            continue
        regions.append({**entry, "code": rc.region.code, "name": rc.region.name or rc.region.code})
    seen: dict[str, str] = {}
    for r in regions:
        code = r["code"]
        if code is None:
            continue
        if code in seen:
            raise ConfigError(f"region code {code!r} is in two region configs: {seen[code]} and "
                              f"{r['config']}; region codes must be unique within a national run")
        seen[code] = r["config"]
    return sorted(regions, key=lambda r: (r["code"] is None, r["code"] or "", r["config"]))


def settle(regions: list[dict[str, Any]], results: dict[str, dict]) -> int | None:
    """Merge the tasks' ``results`` into ``regions`` and fail those of another survey year.

    Returns the national survey year (None when no region finished). Each region gets
    ``finished``: whether its run wrote its complete folder.

    >>> regions = [{"code": c, "status": "pending"} for c in ("01", "02", "03")]
    >>> results = {"01": {"status": "ok", "survey_year": 2025}, "02": {"status": "ok", "survey_year": 2024},
    ...            "03": {"status": "failed", "message": "no rows"}}
    >>> settle(regions, results), [r["status"] for r in regions], regions[1]["finished"]
    (2025, ['ok', 'failed', 'failed'], True)
    """
    for r in regions:
        if r["status"] == "pending":
            r.update(results[r["code"]])
            r["finished"] = r["status"] == "ok"
    T = rollup.national_year({r["code"]: r["survey_year"] for r in regions if r["status"] == "ok"})
    for r in regions:
        if r["status"] == "ok" and r["survey_year"] != T:
            r.update(status="failed", message=(
                f"survey year {r['survey_year']} differs from the national survey year {T} (that of "
                f"most regions): left out of the national sums; its own folder is complete"))
    return T


def run_national(config: str | Path | NationalConfig, out: str | Path | None = None,
                 scheduler: str | None = None, workers: int | None = None,
                 progress: bool = False) -> NationalResult:
    """Run every region into ``OUT/regions/<code>/`` and roll them up (nothing national written).

    Parameters
    ----------
    config : path of ``national.toml`` or a :class:`~forecast.config.NationalConfig`
    out : the output folder (overrides ``[output] dir``)
    scheduler : address of a running Dask scheduler (overrides ``[dask] scheduler``)
    workers : local cluster worker processes; 0: in this process without Dask
    progress : a progress bar of finished regions on stderr

    Raises
    ------
    ConfigError
        national.toml errors, duplicate region codes, Dask missing or unreachable (exit 2).
    KadryError
        No region finished (exit 3).
    """
    cfg = config if isinstance(config, NationalConfig) else load_national_config(config)
    if out is not None:
        cfg = dataclasses.replace(cfg, output=dataclasses.replace(cfg.output, dir=str(Path(out).resolve())))
    scheduler, workers = resolve_backend(cfg, scheduler, workers)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    regions = prepare_regions(cfg)
    root = Path(cfg.output.dir)
    lang = cfg.output.language
    tasks = {r["code"]: (r["path"], str(region_out(root, r["code"])), lang)
             for r in regions if r["status"] == "pending"}
    if workers == 0:
        results = run_in_process(tasks, progress=progress)
        backend = {"kind": "in_process", "workers": 0}
    else:
        results, backend = run_on_dask(tasks, scheduler=scheduler, workers=workers, progress=progress)
    timings["regions"] = time.perf_counter() - t0
    T = settle(regions, results)
    for r in regions:
        if r["status"] != "ok" and not r.get("finished") and r["code"]:
            stale = region_out(root, r["code"])  # an earlier run's, or a killed write's
            if stale.is_dir():
                shutil.rmtree(stale)
        r.pop("path", None)
        r.pop("finished", None)
    if T is None:
        raise KadryError("no region finished: nothing to add up; "
                         + "; ".join(f"{r['code'] or r['config']}: {r['message']}" for r in regions))
    ok = [r["code"] for r in regions if r["status"] == "ok"]
    t1 = time.perf_counter()
    demand = {c: rollup.read_text_csv(str(region_out(root, c) / "demand.csv")) for c in ok}
    quotas = {c: rollup.read_text_csv(str(region_out(root, c) / "quotas_programmes.csv")) for c in ok}
    result = NationalResult(config=cfg, survey_year=int(T), regions=regions,
                            demand=rollup.national_demand(demand), quotas=rollup.national_quotas(quotas),
                            rf_scenarios=rollup.common_scenarios(demand), backend=backend, timings=timings)
    timings["rollup"] = time.perf_counter() - t1
    return result


def _summary_lines(nat: NationalResult) -> list[str]:
    T = nat.survey_year
    lines = []
    for r in nat.regions:
        who = f"{r['code'] or r['config']} {r.get('name') or ''}".strip()
        if r["status"] == "ok":
            lines.append(f"kadry: region {who}: ok, survey {T}, {r['respondents']} respondents, "
                         f"demand {T + 1}–{T + r['horizon']} = {r['demand_total']:,.0f}"
                         + ("; some survey rows or files rejected" if r.get("rejected") else ""))
        else:
            lines.append(f"kadry: region {who}: FAILED: {r['message']}")
    ok = [r for r in nat.regions if r["status"] == "ok"]
    lines.append(f"kadry: {NATIONAL_CODE} sums of {len(ok)} of {len(nat.regions)} regions"
                 + (f" (left out: {', '.join(r['code'] or r['config'] for r in nat.excluded)})" if nat.excluded else "")
                 + f"; wrote {nat.out}/national_{T}.xlsx, demand_national.csv, quotas_national.csv, "
                   "manifest.json and regions/")
    return lines


def national_command(config: str | Path, out: str | Path | None = None, scheduler: str | None = None,
                     workers: int | None = None, progress: bool = False) -> int:
    """``kadry national``: run, write, print a summary; the exit status."""
    nat = run_national(config, out=out, scheduler=scheduler, workers=workers, progress=progress)
    nat.write()
    for line in _summary_lines(nat):
        print(line, file=sys.stderr if "FAILED" in line else sys.stdout)
    return nat.exit_code


__all__ = ["NationalResult", "run_national", "national_command", "prepare_regions", "resolve_backend"]
