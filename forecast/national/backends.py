"""Where the regions run: one after another in this process, or as Dask tasks.

:func:`run_region` is the task: one region's ``kadry run`` — :func:`forecast.pipeline.run`
then :meth:`~forecast.pipeline.RunResult.write`, the very calls of ``kadry run --config
CONFIG --out OUT`` — returning a small summary (a dict of plain values). Only paths go to the
workers and only summaries come back: each worker reads its region's inputs from disk and
writes its output folder there (atomically, manifest last, as ``kadry run`` does), so the
scheduler never carries a table. The workers must see the same file system (paths) as the
client.

:func:`run_in_process` runs the tasks in this process without importing Dask;
:func:`run_on_dask` submits them to a :class:`distributed.LocalCluster` of worker
processes (one thread each: a region's run is single-threaded Python and numpy) or to the
scheduler at an address. A worker that dies is replaced and its region is run again by
Dask (up to ``distributed.scheduler.allowed-failures`` times, default 3); past that the
region fails with a message, the others go on.

Choices (the contract is silent):

* A region's failure is its task's return value, not an exception: a
  :class:`~forecast.errors.KadryError` (bad config, no accepted rows, an input error) gives
  its message; any other exception is reported with its type and message (a bug in one
  region's run must not stop the country's), and ``kadry national --debug`` does not
  change that (run the region alone with ``kadry run --debug`` for the traceback).
* Dask is imported only by :func:`run_on_dask`.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any, Callable

from forecast.errors import ConfigError, KadryError

#: the message when Dask is not installed
NO_DASK = ("kadry national runs the regions on Dask, which is not installed: "
           "pip install 'kadry[dask]' (dask and distributed); or use --workers 0 "
           "(the regions one after another in this process, no Dask)")


def _summary(result, language: str) -> dict[str, Any]:
    """The plain-value facts of a finished region the national files need."""
    from forecast.report import tables as tb

    T = int(result.survey_year)
    frame = result.survey.frame
    counts = dict(getattr(result.survey, "counts", {}) or {})
    d = result.demand
    scen = result.scenarios
    primary = scen[0] if scen else ""
    tot = d.loc[(d["level"] == "total") & (d["scenario"].astype(str) == primary)]
    qp = result.quotas_programmes
    issues = tb.issue_counts(tb.all_issues(getattr(result.survey, "issues", None),
                                           getattr(result.survey, "skipped", None),
                                           result.quota_issues, language))
    return {
        "survey_year": T,
        "waves": sorted(int(y) for y in frame["survey_year"].unique()),
        "respondents": int(frame.loc[frame["survey_year"] == T, "inn"].nunique()),
        "rows_accepted": int(counts.get("accepted", len(frame))),
        "rows_rejected": int(counts.get("rejected", 0)),
        "files_failed": int(counts.get("files_failed", 0)),
        "rejected": bool(result.rejected),
        "scenarios": list(scen),
        "horizon": int(result.config.forecast.horizon),
        "employment_T": float(tot.loc[tot["year"] == T, "employment"].sum()),
        "demand_total": float(tot.loc[tot["year"] > T, "demand"].sum()),
        "quota_total": float(qp.loc[qp["scenario"].astype(str) == primary, "quota"].sum()) if len(qp) else None,
        "issues": [{k: (int(v) if k == "count" else str(v)) for k, v in row.items()}
                   for row in issues.to_dict("records")],
    }


def run_region(config_path: str, out_dir: str, language: str = "ru") -> dict[str, Any]:
    """One region's annual cycle into ``out_dir``, exactly as ``kadry run``; its summary.

    ``language`` is the national workbook's (for the issue sources in the summary); the
    region's own outputs are in its config's language.

    Returns ``{"status": "ok", "message": "", **facts}`` or ``{"status": "failed",
    "message": ...}``; never raises for a region's own failure (see the module docstring).

    Examples
    --------
    >>> run_region("/nonexistent/kadry.toml", "/tmp/x")["message"]
    'config file not found: /nonexistent/kadry.toml'
    """
    from forecast.pipeline import run

    try:
        result = run(config_path, out=out_dir)
        result.write()
        return {"status": "ok", "message": "", **_summary(result, language)}
    except KadryError as exc:
        return {"status": "failed", "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one region's bug is reported, the country goes on
        return {"status": "failed", "message": f"internal error: {type(exc).__name__}: {exc}"}


def _bar(total: int, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="kadry: regions", unit="region", file=sys.stderr,
                disable=not progress, leave=True)


def run_in_process(tasks: dict[str, tuple[str, str, str]], progress: bool = False,
                   task: Callable[..., dict] = run_region) -> dict[str, dict]:
    """Run ``tasks`` (code → arguments of :func:`run_region`) one after another, here."""
    results: dict[str, dict] = {}
    with _bar(len(tasks), progress) as bar:
        for code, args in tasks.items():
            results[code] = task(*args)
            bar.update(1)
    return results


def run_on_dask(tasks: dict[str, tuple[str, str, str]], scheduler: str = "", workers: int | None = None,
                progress: bool = False, task: Callable[..., dict] = run_region
                ) -> tuple[dict[str, dict], dict[str, Any]]:
    """Run ``tasks`` on Dask; returns the results and the record of the cluster used.

    ``scheduler``: the address of a running scheduler (its workers run the regions); empty:
    a local cluster of ``workers`` processes (None: the machine's cores).
    Raises ConfigError (exit 2) when Dask is missing or the scheduler cannot be reached.
    """
    import os

    try:
        from distributed import Client, KilledWorker, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(NO_DASK) from None

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        record = {"kind": "scheduler", "address": scheduler,
                  "workers": len(client.scheduler_info().get("workers", {}))}
        if not record["workers"]:  # tasks wait for workers to join: say so rather than hang silently
            print(f"kadry: the Dask scheduler at {scheduler} has no workers yet; the regions wait "
                  "for workers to join", file=sys.stderr, flush=True)
    else:
        n = workers if workers is not None else (os.cpu_count() or 1)
        import logging

        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
        record = {"kind": "local_cluster", "workers": n}
    results: dict[str, dict] = {}
    run_id = uuid.uuid4().hex[:8]  # task keys only; never in an output
    try:
        futures = {client.submit(task, *args, key=f"kadry-region-{code}-{run_id}", pure=False): code
                   for code, args in tasks.items()}
        with _bar(len(futures), progress) as bar:
            for fut in as_completed(futures):
                code = futures[fut]
                try:
                    results[code] = fut.result()
                except KilledWorker as exc:
                    results[code] = {"status": "failed", "message": (
                        f"the Dask workers running this region died repeatedly (out of memory or "
                        f"killed); Dask gave up: {exc}")}
                bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results, record


def region_out(out: Path, code: str) -> Path:
    """The folder of region ``code`` in the national output folder."""
    return out / "regions" / code


__all__ = ["run_region", "run_in_process", "run_on_dask", "region_out", "NO_DASK"]
