"""Benchmark: generating and writing the synthetic region (forecast.sample).

Times ``generate_region`` (simulation, survey rows, truth, quota tables) and
``write_region`` in both layouts, for the bundled size (400 employers) and the benchmark
size (5,000 employers, 10 waves, ~270,000 survey rows). The requirement is a budget, not a
speed-up: generating 5,000 employers must take well under 30 s; the table reports each
time as a share of that budget. ``mixed`` (workbooks and CSVs with mistakes) is compared
with ``csv`` (one plain CSV per wave) measured in the same run.

Run: ``.venv/bin/python -m benchmarks.bench_sample [--employers N ...]``; prints a table and
writes ``benchmarks/results/sample.json``.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path
from benchmarks._results import save

BUDGET_SECONDS = 30.0


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main(argv: list[str] | None = None) -> dict:
    from forecast.sample import generate_region, write_region

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employers", type=int, nargs="+", default=[400, 5000])
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args(argv)
    rows = []
    for n in args.employers:
        region, t_gen = _timed(generate_region, seed=args.seed, n_employers=n)
        with tempfile.TemporaryDirectory() as tmp:
            _, t_csv = _timed(write_region, region, Path(tmp) / "csv", layout="csv")
            t_mixed = None
            if n <= 1000:   # the mixed layout is for bundled-size regions
                _, t_mixed = _timed(write_region, region, Path(tmp) / "mixed", layout="mixed")
        rows.append({"employers": n, "survey_rows": len(region.survey_rows),
                     "generate_s": t_gen, "write_csv_s": t_csv, "write_mixed_s": t_mixed,
                     "generate_share_of_budget": t_gen / BUDGET_SECONDS,
                     "mixed_over_csv": (t_mixed / t_csv) if t_mixed else None})
    print(f"{'employers':>9} {'rows':>8} {'generate s':>11} {'csv s':>7} {'mixed s':>8} "
          f"{'gen/30s':>8} {'mixed/csv':>9}")
    for r in rows:
        mixed = f"{r['write_mixed_s']:8.2f}" if r["write_mixed_s"] else f"{'-':>8}"
        ratio = f"{r['mixed_over_csv']:9.1f}" if r["mixed_over_csv"] else f"{'-':>9}"
        print(f"{r['employers']:>9} {r['survey_rows']:>8} {r['generate_s']:>11.2f} "
              f"{r['write_csv_s']:>7.2f} {mixed} {r['generate_share_of_budget']:>8.1%} {ratio}")
    result = {"benchmark": "sample", "python": platform.python_version(),
              "machine": platform.machine(), "rows": rows}
    save("sample", result)
    return result


if __name__ == "__main__":
    main()
