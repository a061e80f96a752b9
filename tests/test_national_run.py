"""`kadry national` end to end on the generated sample country (small regions).

One country (two working regions of the sample, its broken region and a region with a
configuration error) is run into the same output path by every backend in turn: in this
process without Dask (`--workers 0`), on a 2-worker LocalCluster, and on a scheduler and
two workers started here as `dask scheduler` / `dask worker` subprocesses, one of which is
killed mid-run. The output folders must be byte-identical (manifests' timings and backend
record excepted), the RF rows the sums of the regions' rows, and no national file may be
written before every region has ended.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed")

from forecast.cli import main  # noqa: E402
from forecast.columns import DEMAND_COLUMNS  # noqa: E402
from forecast.sample.country import REGIONS, generate_country, write_country  # noqa: E402

pytestmark = pytest.mark.slow

WORKING = ("38", "66")
BROKEN = "79"
BAD_CONFIG = "90"
T = 2025


def make_country(folder: Path) -> Path:
    specs = tuple(s for s in REGIONS if s.code in (*WORKING, BROKEN))
    nat = write_country(generate_country(scale=0.2, horizon=5, specs=specs), folder)
    bad = folder / "regions" / BAD_CONFIG
    bad.mkdir()
    (bad / "kadry.toml").write_text('[survey]\npaths = ["."]\n[forecast]\nhorizn = 5\n'
                                    f'[region]\ncode = "{BAD_CONFIG}"\nname = "Опечатка"\n', encoding="utf-8")
    return nat


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _comparable(files: dict[str, bytes]) -> dict[str, object]:
    """Files as bytes; manifests without their timings and backend record."""
    out: dict[str, object] = {}
    for rel, data in files.items():
        if rel.endswith("manifest.json"):
            m = json.loads(data)
            m.pop("timings_seconds", None)
            m.pop("backend", None)
            out[rel] = m
        else:
            out[rel] = data
    return out


def _assert_same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    ca, cb = _comparable(a), _comparable(b)
    assert sorted(ca) == sorted(cb)
    differ = [rel for rel in ca if ca[rel] != cb[rel]]
    assert not differ, f"files differ: {differ}"


def in_process(country: Path, out: Path) -> dict:
    """`--workers 0` in a fresh interpreter: its exit status, the Dask modules it loaded, the files."""
    code = ("import json, sys\nfrom forecast.cli import main\n"
            f"rc = main(['--quiet', 'national', '--config', {str(country)!r}, '--workers', '0', '--out', {str(out)!r}])\n"
            "print(json.dumps({'rc': rc, 'dask': sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('dask', 'distributed'))}))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    files = _snapshot(out)
    shutil.rmtree(out)
    return {**info, "files": files, "stderr": proc.stderr}


def _demand(files: dict[str, bytes], rel: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[rel]), dtype={"region_code": str, "profession_code": str},
                       keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def check_in_process_run(baseline):
    assert baseline["dask"] == []
    assert baseline["rc"] == 1  # a region failed
    files = baseline["files"]
    m = json.loads(files["manifest.json"])
    status = {r["code"]: (r["status"], r["message"]) for r in m["regions"]}
    assert {c for c, (s, _) in status.items() if s == "ok"} == set(WORKING)
    assert status[BROKEN][0] == "failed" and "no survey rows were accepted" in status[BROKEN][1]
    assert status[BAD_CONFIG][0] == "failed" and "horizn" in status[BAD_CONFIG][1]
    assert m["rf"]["regions"] == sorted(WORKING) and m["rf"]["excluded"] == sorted([BROKEN, BAD_CONFIG])
    # the broken regions have no folder; the others are complete, manifest included
    assert {rel.split("/")[1] for rel in files if rel.startswith("regions/")} == set(WORKING)
    for code in WORKING:
        assert f"regions/{code}/forecast_{T}.xlsx" in files and f"regions/{code}/manifest.json" in files
        assert json.loads(files[f"regions/{code}/manifest.json"])["region"]["code"] == code
    assert {"demand_national.csv", "quotas_national.csv", f"national_{T}.xlsx"} <= set(files)
    assert m["outputs"].keys() == {"demand_national.csv", "quotas_national.csv", f"national_{T}.xlsx"}


def check_rf_rows_are_the_sums_of_the_regions_rows(baseline):
    files = baseline["files"]
    nat = _demand(files, "demand_national.csv")
    assert list(nat.columns) == ["region_code", *DEMAND_COLUMNS]
    regions = {c: _demand(files, f"regions/{c}/demand.csv") for c in WORKING}
    # every region's rows, as its own file has them, then RF
    for c, d in regions.items():
        mine = nat.loc[nat["region_code"] == c].drop(columns="region_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, d, check_dtype=False)
    assert nat["region_code"].tolist()[-1] == "RF"
    rf = nat.loc[nat["region_code"] == "RF"]
    keys = ["scenario", "level", "okved_section", "profession_code", "education", "year"]
    allr = pd.concat(regions.values(), ignore_index=True)
    for c in keys:
        allr[c] = allr[c].fillna("").astype(str)
        rf = rf.assign(**{c: rf[c].fillna("").astype(str)})
    g = allr.groupby(keys)
    points = ["employment", "expansion", "replacement", "vacancies", "demand"]
    want = g[points].sum(min_count=1)
    for point, lo, hi in (("employment", "employment_lo_80", "employment_hi_80"),
                          ("employment", "employment_lo_95", "employment_hi_95"),
                          ("demand", "demand_lo_80", "demand_hi_80")):
        sq_lo = ((allr[point] - allr[lo]) ** 2).groupby([allr[k] for k in keys]).sum(min_count=1)
        sq_hi = ((allr[hi] - allr[point]) ** 2).groupby([allr[k] for k in keys]).sum(min_count=1)
        want[lo] = np.maximum(0.0, want[point] - np.sqrt(sq_lo))
        want[hi] = want[point] + np.sqrt(sq_hi)
    assert len(rf) == len(want)  # every key of every region, once (both regions have every scenario)
    got = rf.set_index(keys).loc[want.index]
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-9, atol=1e-9,
                                   equal_nan=True, err_msg=col)
    assert want["employment_lo_80"].notna().sum() > 1000  # the intervals were compared
    q = pd.read_csv(io.BytesIO(files["quotas_national.csv"]), dtype=str, encoding="utf-8-sig")
    assert sorted(q["region_code"].unique()) == sorted(WORKING)


def check_national_workbook(baseline):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(baseline["files"][f"national_{T}.xlsx"]))
    assert wb.sheetnames == ["Сводка", "Потребность по регионам", "Потребность по профессиям (РФ)",
                             "КЦП по регионам", "Проверка данных", "Методика"]
    summary = [[c for c in row if c is not None] for row in wb["Сводка"].iter_rows(values_only=True)]
    by_code = {r[0]: r for r in summary if r and r[0] in (*WORKING, BROKEN, BAD_CONFIG, "RF")}
    assert by_code[BROKEN][2] == "ошибка" and by_code["38"][2] == "ok" and T in by_code["38"]
    assert any("79" in str(c) and "не включены" in str(c) for r in summary for c in r)
    method = " ".join(str(r[0]) for r in wb["Методика"].iter_rows(values_only=True) if r[0])
    assert "независимыми" in method and "√Σ" in method
    issues = [r for r in wb["Проверка данных"].iter_rows(values_only=True)]
    assert any(r[0] == BROKEN and r[4] == "REGION_FAILED" for r in issues)


def check_local_cluster(baseline, country, out):
    assert main(["--quiet", "national", "--config", str(country), "--workers", "2", "--out", str(out)]) == 1
    files = _snapshot(out)
    shutil.rmtree(out)
    assert json.loads(files["manifest.json"])["backend"] == {"kind": "local_cluster", "workers": 2}
    _assert_same(baseline["files"], files)


def _dask_cli() -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dask"]


def check_scheduler_with_a_worker_killed(baseline, country, out, tmp_path):
    from distributed import Client

    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "KADRY_WRITE_DELAY": "0.15"}  # the workers write slowly: a window to kill one
    procs = [subprocess.Popen([*_dask_cli(), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    run = None
    try:
        deadline = time.time() + 60
        while not sched_file.exists() and time.time() < deadline:
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for i in range(2):
            procs.append(subprocess.Popen([*_dask_cli(), "worker", address, "--nthreads", "1", "--no-nanny",
                                           "--no-dashboard", "--name", f"w{i}"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
            pids = client.run(os.getpid)  # worker address → pid
            run = subprocess.Popen([sys.executable, "-m", "forecast", "--quiet", "national", "--config",
                                    str(country), "--scheduler", address, "--out", str(out)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            killed = None
            deadline = time.time() + 300
            while killed is None and run.poll() is None and time.time() < deadline:
                for folder in sorted((out / "regions").glob("*")) if (out / "regions").is_dir() else []:
                    if any(folder.iterdir()) and not (folder / "manifest.json").exists():
                        busy = [w for w, keys in client.processing().items()
                                if any(f"kadry-region-{folder.name}-" in str(k) for k in keys)]
                        if busy and not (folder / "manifest.json").exists():
                            os.kill(pids[busy[0]], signal.SIGKILL)
                            killed = folder.name
                            assert not [p for p in out.glob("*national*")], "national files before the end"
                            break
                time.sleep(0.05)
            assert killed is not None, "no region was caught mid-write"
            stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 1, stderr
        files = _snapshot(out)
        m = json.loads(files["manifest.json"])
        assert m["backend"]["kind"] == "scheduler"
        # Dask ran the killed worker's region again on the other worker: complete and identical
        assert {r["code"]: r["status"] for r in m["regions"]}[killed] == "ok"
        _assert_same(baseline["files"], files)
    finally:
        if run is not None and run.poll() is None:
            run.kill()
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        if out.exists():
            shutil.rmtree(out)


def check_region_folder_equals_kadry_run_alone(baseline, country, out):
    code = "66"
    target = out / "regions" / code
    assert main(["--quiet", "run", "--config", str(country.parent / "regions" / code / "kadry.toml"),
                 "--out", str(target)]) in (0, 1)
    alone = {f"regions/{code}/{k}": v for k, v in _snapshot(target).items()}
    shutil.rmtree(out)
    mine = {k: v for k, v in baseline["files"].items() if k.startswith(f"regions/{code}/")}
    _assert_same(mine, alone)


def test_national_run_on_every_backend(tmp_path):
    """One test (the runs are the cost; xdist must not repeat them): see the module docstring."""
    country = make_country(tmp_path / "country")
    out = tmp_path / "out"  # the one output path of every run: manifests hold absolute paths
    baseline = in_process(country, out)
    check_in_process_run(baseline)
    check_rf_rows_are_the_sums_of_the_regions_rows(baseline)
    check_national_workbook(baseline)
    check_region_folder_equals_kadry_run_alone(baseline, country, out)
    check_local_cluster(baseline, country, out)
    check_scheduler_with_a_worker_killed(baseline, country, out, tmp_path)
