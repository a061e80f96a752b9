"""Benchmark: surveys → demand on a large region (5,000 employers, 10 waves).

Generation (not timed): ``forecast.sample.generate_region(n_employers=5000)`` written with
``write_region(..., layout="csv")`` into a temporary folder (~300,000 survey rows). Timed
stages: ``read_surveys`` (with control totals), ``build_panel``, ``forecast_demand`` (all
three scenarios, horizon 7, every backtest origin and the accuracy table).

Speed claim, against a named baseline in the same run: the reconciliation of the final
origin's base forecasts (all cells, sections, total; every year × scenario) in the
projection form with diagonal + low-rank W (:mod:`forecast.demand.reconcile`) against the
textbook dense formula S(SᵀW⁻¹S)⁻¹SᵀW⁻¹ŷ with the same W formed densely, on 2,000 cells
of a synthetic 6,000-cell panel (the dense formula needs n² memory). The synthetic panel
(20 sections × 300 professions, 10 waves) also times ``forecast_demand`` at that scale.

Run: ``.venv/bin/python -m benchmarks.bench_demand [--employers N]``; prints a table and
writes ``benchmarks/results/demand.json``.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from benchmarks._results import save


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def _many_cells_frame(rng_seed: int, sections: int = 20, professions: int = 300,
                      waves: int = 10) -> pd.DataFrame:
    """One aggregate respondent per cell and wave, random-walk headcounts (synthetic)."""
    rng = np.random.default_rng(rng_seed)
    letters = list("ABCDEFGHIJKLMNOPQRSTU")[:sections]
    n = sections * professions
    level = rng.lognormal(3.0, 1.0, n)
    steps = np.exp(np.cumsum(rng.normal(0.0, 0.05, (n, waves)), axis=1))
    head = np.round(level[:, None] * steps)
    frame = pd.DataFrame({
        "survey_year": np.tile(np.arange(2017, 2017 + waves), n),
        "inn": np.repeat(np.arange(n).astype(str), waves),
        "okved_section": np.repeat(np.repeat(letters, professions), waves),
        "profession_code": np.repeat(np.tile([f"{10000 + p}" for p in range(professions)],
                                             sections), waves),
        "profession": "synthetic", "education": "СПО-КРС",
        "headcount": head.ravel(),
        "vacancies": rng.poisson(0.05 * head).ravel(),
        "age_55plus": np.round(0.2 * head).ravel(),
        "weight": 1.0,
    })
    for h in range(1, 8):
        frame[f"need_{h}"] = rng.poisson(0.06 * head).ravel()
    return frame


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employers", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args(argv)

    from forecast.demand import forecast_demand
    from forecast.demand.history import build_history
    from forecast.demand.reconcile import Hierarchy, reconcile, shrink_covariance
    from forecast.panel import build_panel
    from forecast.params import DemandParams
    from forecast.sample import generate_region, write_region
    from forecast.survey import read_surveys

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        region, t_gen = _timed(generate_region, seed=args.seed, n_employers=args.employers)
        _, t_write = _timed(write_region, region, tmp, layout="csv")
        folder = Path(tmp)
        survey, t_read = _timed(read_surveys, [folder / "surveys"],
                                controls=folder / "controls.csv")
        panel, t_panel = _timed(build_panel, survey.frame)
        scenario = pd.read_csv(folder / "scenario.csv", keep_default_na=False,
                               dtype={"variant": str})
        res, t_fc = _timed(forecast_demand, panel, scenario)
    n_rows = len(survey.frame)
    n_cells = int(panel.cells[["okved_section", "profession_code", "education"]]
                  .drop_duplicates().shape[0])
    # many cells: a synthetic panel of 20 sections × 300 professions (6,000 cells)
    big = _many_cells_frame(rng_seed=args.seed)
    big_panel, t_big_panel = _timed(build_panel, big)
    big_res, t_big = _timed(forecast_demand, big_panel, None)
    rows += [("generate + write (not timed in total)", t_gen + t_write),
             ("read_surveys", t_read), ("build_panel", t_panel),
             ("forecast_demand", t_fc)]
    total = t_read + t_panel + t_fc

    # reconciliation: projection form vs dense textbook formula on the same W
    # (on 2,000 cells of the synthetic panel: the dense baseline needs n² memory)
    hist = build_history(big_panel, DemandParams())
    keep = 2000
    hier = Hierarchy(hist.parent[:keep], int(hist.parent[:keep].max()) + 1)
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 100, size=(hier.n_nodes, 21))
    resid = rng.normal(size=(7, hier.n_nodes))
    fast, t_fast = _timed(reconcile, base, hier, "mint_shrink", residuals=resid,
                          nonnegative=False)
    diag, low, _ = shrink_covariance(resid)
    w = np.diag(diag + 1e-9 * max(diag.max(), 1e-12)) + low @ low.T

    def dense():
        s = hier.summing_matrix().toarray()
        wi = np.linalg.inv(w)
        p = np.linalg.solve(s.T @ wi @ s, s.T @ wi)
        return s @ (p @ base)

    ref, t_dense = _timed(dense)
    agree = float(np.abs(ref - fast).max())

    print(f"region: {args.employers} employers, {n_rows} survey rows, {n_cells} cells; "
          f"reconciliation timed on a {hier.n_nodes}-node hierarchy")
    print(f"{'stage':<40}{'seconds':>10}")
    for name, t in rows:
        print(f"{name:<40}{t:>10.2f}")
    print(f"{'surveys → demand total':<40}{total:>10.2f}")
    print(f"{'6,000-cell panel: build_panel':<40}{t_big_panel:>10.2f}")
    print(f"{'6,000-cell panel: forecast_demand':<40}{t_big:>10.2f}")
    print(f"{'reconcile mint_shrink (projection)':<40}{t_fast:>10.4f}")
    print(f"{'reconcile dense S(SᵀW⁻¹S)⁻¹SᵀW⁻¹':<40}{t_dense:>10.4f}")
    print(f"speed-up of projection form: {t_dense / max(t_fast, 1e-9):.0f}×; "
          f"max |difference| {agree:.2e}")
    acc = res.accuracy
    print(acc[acc["cumulative"]].to_string(index=False))
    save("demand", {
        "employers": args.employers, "survey_rows": n_rows, "cells": n_cells,
        "nodes": hier.n_nodes, "stages": dict(rows), "total_seconds": total,
        "many_cells_build_panel_seconds": t_big_panel,
        "many_cells_forecast_demand_seconds": t_big, "many_cells_rows": len(big_res.demand),
        "reconcile_projection_seconds": t_fast, "reconcile_dense_seconds": t_dense,
        "reconcile_max_abs_difference": agree, "python": platform.python_version(),
        "machine": platform.machine()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
