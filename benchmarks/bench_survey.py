"""Benchmark: reading 2,000 employer workbooks with ``read_surveys`` vs ``pandas.read_excel``.

Generation (not timed): the blank form of ``kadry template`` filled with openpyxl, 10–20
rows per employer, one employer per file, into a temporary folder. Then, in the same run:

* ``read_surveys(folder)`` — calamine + safety scan + every validation rule, vectorised
  over the whole batch;
* the baseline: a plain loop of ``pandas.read_excel(path, engine="openpyxl")`` over the
  same files (reading only, no validation).

Run: ``.venv/bin/python -m benchmarks.bench_survey [--files N]``; prints a table and
writes ``benchmarks/results/survey.json``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from forecast.classifiers import EDUCATION_LEVELS, OKVED_DIVISIONS, make_inn
from forecast.survey.template import HEADER_ROW, template_columns, write_template
from benchmarks._results import save

YEAR = 2026
HORIZON = 7


def _fill(args) -> None:
    import openpyxl

    template, out_dir, start, stop, seed = args
    wb = openpyxl.load_workbook(template)
    ws = wb["Потребность"]
    rng = np.random.default_rng(seed + start)
    divisions = sorted(OKVED_DIVISIONS)
    levels = list(EDUCATION_LEVELS)
    ncols = len(template_columns(YEAR, HORIZON))
    prev = 0
    for i in range(start, stop):
        inn = make_inn(f"{770000000 + i:09d}")
        okved = f"{divisions[rng.integers(len(divisions))]}.{rng.integers(10, 99)}"
        n = int(rng.integers(10, 21))
        for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + max(n, prev)):
            for c in range(1, ncols + 1):
                ws.cell(r, c).value = None
        for k in range(n):
            head = int(rng.integers(1, 200))
            row = [YEAR, inn, f"ООО Предприятие {i}", okved, "г. Энск", f"{10000 + 37 * k + i % 7:05d}",
                   f"Профессия {k}", levels[k % len(levels)], head, int(rng.integers(0, 5)),
                   int(rng.integers(0, head + 1)), *[int(rng.integers(0, 10)) for _ in range(HORIZON)],
                   None]
            for c, v in enumerate(row, start=1):
                ws.cell(HEADER_ROW + 1 + k, c).value = v
        prev = n
        wb.save(Path(out_dir) / f"employer_{i:05d}.xlsx")


def generate(folder: Path, n_files: int, seed: int = 20261126, workers: int = 2) -> None:
    template = folder.parent / "template.xlsx"
    write_template(template, YEAR, HORIZON)
    step = -(-n_files // workers)
    jobs = [(str(template), str(folder), s, min(s + step, n_files), seed) for s in range(0, n_files, step)]
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(_fill, jobs)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--out", default="benchmarks/results/survey.json")
    args = ap.parse_args(argv)

    import pandas as pd

    from forecast.survey import read_surveys

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "forms"
        folder.mkdir()
        t0 = time.perf_counter()
        generate(folder, args.files)
        gen_s = time.perf_counter() - t0
        files = sorted(folder.glob("*.xlsx"))

        t0 = time.perf_counter()
        data = read_surveys(folder)
        ours = time.perf_counter() - t0

        t0 = time.perf_counter()
        base_rows = 0
        for p in files:
            base_rows += len(pd.read_excel(p, engine="openpyxl"))
        base = time.perf_counter() - t0

    result = {
        "files": len(files), "rows_read": data.counts["rows_read"], "accepted": data.counts["accepted"],
        "rejected": data.counts["rejected"], "generation_s": round(gen_s, 2),
        "read_surveys_s": round(ours, 3), "pandas_read_excel_openpyxl_s": round(base, 3),
        "speedup": round(base / ours, 2), "machine": f"{platform.machine()}, {mp.cpu_count()} cores",
        "python": platform.python_version(),
    }
    print(f"{'method':<42}{'seconds':>10}{'files/s':>10}")
    print(f"{'read_surveys (calamine + all rules)':<42}{ours:>10.2f}{len(files) / ours:>10.0f}")
    print(f"{'pandas.read_excel(engine=openpyxl) loop':<42}{base:>10.2f}{len(files) / base:>10.0f}")
    print(f"speed-up: {base / ours:.1f}×  (rows read {data.counts['rows_read']}, accepted "
          f"{data.counts['accepted']}, rejected {data.counts['rejected']})")
    save("survey", result, args.out)
    return result


if __name__ == "__main__":
    main()
