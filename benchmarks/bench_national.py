"""Benchmark: `kadry national` wall time for 1, 2 and 4 regions per core, and the per-region cost.

The country is k × cores copies of the bundled sample region (``data/sample``: 400
employers, waves 2017–2026, mixed workbooks and CSV files with mistakes; generated with
:func:`forecast.sample.generate_region` when the folder is missing), each with its own
``[region]`` code. For each k it runs :func:`forecast.national.run_national`

* ``serial``: ``workers = 0``, the regions one after another in this process (the baseline);
* ``dask``: a ``LocalCluster`` of ``cores`` worker processes (cluster start-up included);

and prints the wall times, ``speedup = serial / dask``, the per-region cost (serial time ÷
regions), the central part (roll-up and national files, from the national manifest) and
what crosses the network per region (the pickled task arguments and returned summary: the
tables stay on disk). Results go to ``benchmarks/results/national.json``.

Run: ``.venv/bin/python -m benchmarks.bench_national [--per-core 1 2 4] [--no-serial]``
(needs the ``dask`` extra for the ``dask`` column).
"""

from __future__ import annotations

import argparse
import os
import pickle
import platform
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks._results import save


def _sample_region(tmp: Path) -> Path:
    from forecast.pipeline import sample_config_path

    src = sample_config_path().parent
    if src.is_dir():
        return src
    from forecast.sample import generate_region, write_region

    return write_region(generate_region(), tmp / "sample")


def _country(tmp: Path, n: int, sample: Path) -> Path:
    """``n`` copies of the sample region with codes B01 … and a national.toml."""
    root = tmp / f"country_{n}"
    for i in range(1, n + 1):
        folder = root / "regions" / f"B{i:02d}"
        shutil.copytree(sample, folder, ignore=shutil.ignore_patterns("out", "truth"))
        toml = folder / "kadry.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + f'\n[region]\ncode = "B{i:02d}"\nname = "Copy {i}"\n',
                        encoding="utf-8")
    nat = root / "national.toml"
    nat.write_text('[national]\nname = "bench"\nregions = ["regions/*/kadry.toml"]\n', encoding="utf-8")
    return nat


def _run(nat: Path, out: Path, workers: int) -> tuple[float, dict]:
    from forecast.national import run_national

    t0, c0 = time.perf_counter(), time.process_time()
    result = run_national(nat, out=out, workers=workers)
    result.write()
    wall = time.perf_counter() - t0
    result.timings["bench_cpu"] = time.process_time() - c0  # this process only (serial: everything)
    return wall, result


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-core", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--no-serial", action="store_true", help="skip the in-process baseline")
    args = ap.parse_args(argv)
    cores = os.cpu_count() or 1
    try:
        import distributed  # noqa: F401
        have_dask = True
    except ImportError:
        have_dask = False
        print("bench_national: dask/distributed not installed (pip install 'kadry[dask]'): "
              "only the in-process baseline is measured")
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sample = _sample_region(tmp)
        for k in args.per_core:
            n = k * cores
            nat = _country(tmp, n, sample)
            row = {"per_core": k, "regions": n, "cores": cores}
            if not args.no_serial:
                wall, res = _run(nat, tmp / f"out_serial_{n}", 0)
                row.update(serial_s=wall, per_region_s=res.timings["regions"] / n,
                           per_region_cpu_s=res.timings["bench_cpu"] / n,
                           central_s=res.timings.get("rollup", 0.0) + res.timings.get("national_files", 0.0))
            if not have_dask and args.no_serial:
                continue
            if have_dask:
                wall, res = _run(nat, tmp / f"out_dask_{n}", cores)
                row.update(dask_s=wall, dask_regions_s=res.timings["regions"],
                           central_s=res.timings.get("rollup", 0.0) + res.timings.get("national_files", 0.0))
                if "serial_s" in row:
                    row["speedup"] = row["serial_s"] / wall
            from forecast.national.backends import run_region

            code = res.regions[0]["code"]
            cfg = str(nat.parent / "regions" / code / "kadry.toml")
            out_dir = res.out / "regions" / code
            # what crosses the network: the task (function reference and three strings) and
            # the summary it returns (the region's entry in the national result)
            row["network_bytes_per_region"] = len(pickle.dumps((run_region, cfg, str(out_dir), "ru"))) + \
                len(pickle.dumps(res.regions[0]))
            row["region_output_bytes"] = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
            row["region_input_bytes"] = sum(p.stat().st_size for p in (nat.parent / "regions" / code).rglob("*")
                                            if p.is_file())
            rows.append(row)
            shutil.rmtree(nat.parent)
    load_after = os.getloadavg()
    print(f"load average (1 min) before/after: {load_before[0]:.1f}/{load_after[0]:.1f} on {cores} cores")
    print(f"{'per core':>8} {'regions':>7} {'serial s':>9} {'dask s':>7} {'speedup':>7} "
          f"{'s/region':>8} {'cpu/reg':>7} {'central s':>9} {'net B/reg':>9}")
    for r in rows:
        def f(key, fmt):
            return format(r[key], fmt) if key in r else "-"
        print(f"{r['per_core']:>8} {r['regions']:>7} {f('serial_s', '9.1f'):>9} {f('dask_s', '7.1f'):>7} "
              f"{f('speedup', '7.2f'):>7} {f('per_region_s', '8.2f'):>8} {f('per_region_cpu_s', '7.2f'):>7} "
              f"{f('central_s', '9.2f'):>9} "
              f"{r['network_bytes_per_region']:>9}")
    result = {"benchmark": "national", "python": platform.python_version(), "machine": platform.machine(),
              "cores": cores, "load_average_before_after": [load_before[0], load_after[0]], "rows": rows}
    save("national", result)
    return result


if __name__ == "__main__":
    main()
