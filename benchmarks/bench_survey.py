"""Benchmark: ``kadry validate`` on 10,000 single-employer returns vs a ``pandas.read_excel`` loop.

The usual return is small: the blank form of ``kadry template`` with 5–25 rows filled in,
one employer per file. Generation (not timed): the template is written once by
``write_template``; each return is that workbook with its data sheet's rows 5… filled in
(the sheet XML is written directly — cells as Excel writes them, numbers as numbers, text
as inline strings — because filling 10,000 workbooks through openpyxl would take minutes).

Timed, in the same run:

* ``kadry validate FOLDER --json …`` as a new process (Python start-up and imports
  included), reading every file with every rule, in parallel across the machine's cores;
* the baseline: a plain loop of ``pandas.read_excel(path, engine="openpyxl")`` over a
  sample of the same files (reading only, no validation) in this process, with
  ``read_surveys`` over the same sample in one process for a like-for-like ratio.

Run: ``.venv/bin/python -m benchmarks.bench_survey [--files N] [--sample N]``; prints a
table and writes ``benchmarks/results/survey.json``. The target (issue 10): 10,000 files in
under 15 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from benchmarks._results import save
from forecast.classifiers import EDUCATION_LEVELS, OKVED_DIVISIONS, make_inn
from forecast.survey.template import HEADER_ROW, template_columns, write_template

YEAR = 2026
HORIZON = 7
SHEET = "xl/worksheets/sheet1.xml"


def _col(j: int) -> str:
    s = ""
    while j:
        j, rem = divmod(j - 1, 26)
        s = chr(65 + rem) + s
    return s


def _cell(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, (int, np.integer)):
        return f'<c r="{ref}"><v>{int(v)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'


def _fill(args) -> None:
    template, out_dir, start, stop, seed = args
    with zipfile.ZipFile(template) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = parts[SHEET].decode("utf-8")
    first = HEADER_ROW + 1
    rng = np.random.default_rng(seed + start)
    divisions = sorted(OKVED_DIVISIONS)
    levels = list(EDUCATION_LEVELS)
    ncols = len(template_columns(YEAR, HORIZON))
    for i in range(start, stop):
        inn = make_inn(f"{770000000 + i:09d}")
        okved = f"{divisions[rng.integers(len(divisions))]}.{rng.integers(10, 99)}"
        n = int(rng.integers(5, 26))
        rows = []
        for k in range(n):
            head = int(rng.integers(1, 200))
            values = [YEAR, inn, f"ООО Предприятие {i}", okved, "г. Энск", f"{10000 + 37 * k + i % 7:05d}",
                      f"Профессия {k}", levels[k % len(levels)], head, int(rng.integers(0, 5)),
                      int(rng.integers(0, head + 1)), *[int(rng.integers(0, 10)) for _ in range(HORIZON)], None]
            assert len(values) == ncols
            r = first + k
            rows.append(f'<row r="{r}">' + "".join(_cell(f"{_col(j)}{r}", v) for j, v in enumerate(values, 1))
                        + "</row>")
        # the template's own (empty, styled) rows first..first+n-1 give way to the filled ones
        body = re.sub(rf'<row r="(?:{"|".join(str(first + k) for k in range(n))})"[^>]*?(?:/>|>.*?</row>)',
                      "", sheet, flags=re.DOTALL)
        anchor = body.index(f'<row r="{first + n}"') if f'<row r="{first + n}"' in body else body.index("</sheetData>")
        body = body[:anchor] + "".join(rows) + body[anchor:]
        with zipfile.ZipFile(Path(out_dir) / f"employer_{i:05d}.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in parts.items():
                zout.writestr(name, body.encode("utf-8") if name == SHEET else data)


def generate(folder: Path, n_files: int, seed: int = 20261126, workers: int = 2) -> None:
    template = folder.parent / "template.xlsx"
    write_template(template, YEAR, HORIZON)
    step = -(-n_files // workers)
    jobs = [(str(template), str(folder), s, min(s + step, n_files), seed) for s in range(0, n_files, step)]
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(_fill, jobs)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=300, help="files for the pandas baseline")
    ap.add_argument("--out", default=None)
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
        report = Path(tmp) / "report.json"

        # kadry validate as a user runs it: a new process, start-up and imports included;
        # its CPU time (the process and its worker processes) is measured too, because on a
        # shared machine the wall clock says more about the neighbours than about kadry
        import resource

        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "forecast", "validate", str(folder), "--json", str(report),
                               "--quiet"], capture_output=True, text=True,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
        cli_s = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        load = os.getloadavg()[0]
        if proc.returncode != 0:
            raise RuntimeError(f"kadry validate exited {proc.returncode}: {proc.stderr[-2000:]}")
        rep = json.loads(report.read_text(encoding="utf-8"))

        sample = files[:: max(1, len(files) // args.sample)][: args.sample]
        t0 = time.perf_counter()
        base_rows = 0
        for p in sample:
            base_rows += len(pd.read_excel(p, engine="openpyxl", header=HEADER_ROW - 1))
        base_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        ours = read_surveys(sample)
        ours_s = time.perf_counter() - t0

    cli_rate = len(files) / cli_s
    base_rate = len(sample) / base_s
    ours_rate = len(sample) / ours_s
    result = {
        "files": len(files), "rows_read": rep["rows_read"], "accepted": rep["accepted"],
        "rejected": rep["rejected"], "files_failed": rep["files_failed"], "generation_s": round(gen_s, 2),
        "kadry_validate_s": round(cli_s, 2), "kadry_validate_files_per_s": round(cli_rate, 1),
        "kadry_validate_cpu_s": round(cli_cpu, 2), "cpu_ms_per_file": round(1000 * cli_cpu / len(files), 3),
        "load_average_1min_after": round(load, 2),
        "sample_files": len(sample), "sample_rows_pandas": int(base_rows),
        "pandas_read_excel_openpyxl_s": round(base_s, 3), "pandas_files_per_s": round(base_rate, 1),
        "read_surveys_sample_s": round(ours_s, 3), "read_surveys_sample_files_per_s": round(ours_rate, 1),
        "speedup_validate_vs_pandas": round(cli_rate / base_rate, 2),
        "target_s": 15.0, "target_met": cli_s < 15.0,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores", "python": platform.python_version(),
    }
    print(f"{'method':<58}{'files':>7}{'seconds':>9}{'files/s':>9}")
    print(f"{'kadry validate (new process, all rules, parallel)':<58}{len(files):>7}{cli_s:>9.2f}{cli_rate:>9.0f}")
    print(f"{'read_surveys on the sample (library call)':<58}{len(sample):>7}{ours_s:>9.2f}{ours_rate:>9.0f}")
    print(f"{'pandas.read_excel(engine=openpyxl) loop on the sample':<58}{len(sample):>7}{base_s:>9.2f}{base_rate:>9.0f}")
    print(f"kadry validate CPU time (process + workers): {cli_cpu:.1f} s = {1000 * cli_cpu / len(files):.2f} ms "
          f"a file; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"kadry validate vs pandas loop: {cli_rate / base_rate:.1f}× the rate; target < 15 s: "
          f"{'met' if cli_s < 15 else 'NOT met'} ({cli_s:.1f} s); rows read {rep['rows_read']}, "
          f"rejected {rep['rejected']}, files failed {rep['files_failed']}")
    save("survey", result, args.out)
    return result


if __name__ == "__main__":
    main()
