"""The annual run end to end on a small generated region: CLI, exit codes, output folder,
determinism, crash safety (a killed run leaves the previous outputs whole)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.cli import main
from forecast.columns import DEMAND_COLUMNS, QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.pipeline import run

T = 2026
OUTPUTS = ["demand.csv", "quotas_programmes.csv", "quotas_colleges.csv", "survey_report.json",
           f"forecast_{T}.xlsx", "manifest.json"]


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    from forecast.sample import generate_region, write_region

    folder = tmp_path_factory.mktemp("region")
    write_region(generate_region(seed=7, n_employers=60, first_wave=2020, last_wave=T, horizon=7), folder)
    return folder


@pytest.fixture(scope="module")
def first(region, tmp_path_factory) -> Path:
    """One CLI run into a fresh folder."""
    out = tmp_path_factory.mktemp("out") / "run1"
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out)])
    report = json.loads((out / "survey_report.json").read_text(encoding="utf-8"))
    assert code == (1 if report["rejected"] or report["files_failed"] else 0)
    return out


@pytest.fixture(scope="module")
def result(region):
    """The same run in-process (a RunResult)."""
    return run(region / "kadry.toml")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_output_folder_is_complete(first):
    for name in OUTPUTS:
        assert (first / name).is_file(), name
    assert (first / "plots" / "fan_total.png").is_file()
    assert (first / "plots" / "demand_by_industry.png").is_file()
    assert (first / "plots" / "quotas_vs_demand.png").is_file()
    assert tuple(_read(first / "demand.csv").columns) == DEMAND_COLUMNS
    assert tuple(_read(first / "quotas_programmes.csv").columns) == QUOTAS_PROGRAMMES_COLUMNS
    assert tuple(_read(first / "quotas_colleges.csv").columns) == QUOTAS_COLLEGES_COLUMNS
    assert (first / "demand.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list(first.rglob("*.tmp"))


def test_manifest_hashes_inputs_and_outputs(first, region):
    m = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert {"kadry_version", "config", "inputs", "rows", "timings_seconds", "outputs"} <= set(m)
    assert "seeds" not in m  # nothing in a run is random: no empty promise
    assert m["survey_year"] == T
    inputs = m["inputs"]
    for key in ("config", "survey.controls", "forecast.scenario", "quotas.programmes", "quotas.mapping",
                "quotas.colleges", "quotas.enrolment"):
        assert key in inputs, key
    prog = region / "programmes.csv"
    assert inputs["quotas.programmes"]["sha256"] == hashlib.sha256(prog.read_bytes()).hexdigest()
    n_survey = sum(1 for k in inputs if k.startswith("survey/"))
    assert n_survey == sum(1 for p in (region / "surveys").rglob("*") if p.is_file())
    for rel, digest in m["outputs"].items():
        assert hashlib.sha256((first / rel).read_bytes()).hexdigest() == digest, rel
    demand = _read(first / "demand.csv")
    assert m["rows"]["demand"] == len(demand)
    assert m["config"]["quotas"]["coverage_share"] == 0.7


def test_workbook_totals_match_csv(first):
    wb = openpyxl.load_workbook(first / f"forecast_{T}.xlsx")
    from forecast.report.labels import SHEETS

    # the contract's sheets in order, and one sheet per department of colleges.csv
    departments = sorted(set(_read(first / "quotas_colleges.csv")["department"]) - {""})
    assert [n for n in wb.sheetnames if not n.startswith("КЦП — ")] == [ru for ru, _ in SHEETS.values()]
    assert [n for n in wb.sheetnames if n.startswith("КЦП — ")] == [f"КЦП — {d}" for d in departments]
    assert wb.sheetnames[0] == "Сводка" and len(departments) == 3
    ws = wb["КЦП по программам"]
    header = [c.value for c in ws[1]]
    qcol = header.index("КЦП предлагаемая") + 1
    total_row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Итого")
    visible = [r for r in range(2, total_row)
               if not ws.row_dimensions[r].hidden and ws.cell(row=r, column=1).value == "base"]
    assert {ws.cell(row=r, column=1).value for r in range(2, total_row) if not ws.row_dimensions[r].hidden} == {"base"}
    q = pd.read_csv(first / "quotas_programmes.csv", encoding="utf-8-sig")
    # the only formulas are the totals rows' SUBTOTALs: no survey text became a formula
    formulas = {c.value.split("(")[0] for s in wb.worksheets for row in s.iter_rows() for c in row
                if c.data_type == "f"}
    assert formulas == {"=SUBTOTAL"}
    assert sum(ws.cell(row=r, column=qcol).value for r in visible) == q.loc[q["scenario"] == "base", "quota"].sum()


def test_same_inputs_same_bytes(result, first, tmp_path):
    out = result.write(tmp_path / "again")
    for name in OUTPUTS[:-1]:  # the manifest holds timings
        assert (out / name).read_bytes() == (first / name).read_bytes(), name
    for png in (first / "plots").glob("*.png"):
        assert (out / "plots" / png.name).read_bytes() == png.read_bytes(), png.name


def test_killed_run_leaves_previous_outputs_whole(region, result, first, tmp_path):
    """Kill a run while it writes (slowed down by the test hook): every file is old or new."""
    # previous outputs: the same run in English, so that the workbook and plots differ
    en = dataclasses.replace(result, config=result.config.replace(
        output=dataclasses.replace(result.config.output, language="en")))
    out = en.write(tmp_path / "out")
    old = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    new = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    assert old[Path(f"forecast_{T}.xlsx")] != new[Path(f"forecast_{T}.xlsx")]

    env = dict(os.environ, KADRY_WRITE_DELAY="0.25")
    proc = subprocess.Popen([sys.executable, "-m", "forecast", "--quiet", "run", "--config",
                             str(region / "kadry.toml"), "--out", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:  # wait until the first new file is in place
            if (out / "plots" / "fan_total.png").read_bytes() != old[Path("plots/fan_total.png")]:
                break
            assert proc.poll() is None, "the run ended before it was killed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    changed = 0
    for rel, data in old.items():
        now = (out / rel).read_bytes()
        if rel.name == "manifest.json":
            assert now == data, "the manifest is written last: it must still be the old one"
            continue
        _assert_whole(rel, now)
        changed += now != data
    assert 0 < changed < len(old) - 1, "the kill should land between the first and the last file"
    # the workbook is whole: byte for byte the old run's or the new run's, never a mixture
    wb_now = (out / f"forecast_{T}.xlsx").read_bytes()
    assert wb_now in (old[Path(f"forecast_{T}.xlsx")], new[Path(f"forecast_{T}.xlsx")])
    # a later run completes and clears temporary files a killed run may leave
    (out / ".demand.csv.999.tmp").write_bytes(b"torn")
    result.write(out)
    assert not list(out.rglob("*.tmp"))
    assert (out / f"forecast_{T}.xlsx").read_bytes() == new[Path(f"forecast_{T}.xlsx")]


def _assert_whole(rel: Path, data: bytes) -> None:
    """The file is complete: it parses (the bytes may come from the old or the new run;
    timing limits of the survey reader can make a run under heavy load differ)."""
    if rel.suffix == ".csv":
        assert data.endswith(b"\n")
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        assert len(frame.columns) in (len(DEMAND_COLUMNS), len(QUOTAS_PROGRAMMES_COLUMNS),
                                      len(QUOTAS_COLLEGES_COLUMNS))
    elif rel.suffix == ".json":
        json.loads(data)
    elif rel.suffix == ".png":
        assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")
    elif rel.suffix == ".xlsx":
        openpyxl.load_workbook(io.BytesIO(data))


def test_config_errors_exit_2(region, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((region / "kadry.toml").read_text(encoding="utf-8") + "\n[extra]\nx = 1\n", encoding="utf-8")
    assert main(["run", "--config", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "[extra]" in capsys.readouterr().err
    assert main(["run", "--config", str(tmp_path / "none.toml")]) == 2
    short = region / "short.toml"  # next to the inputs, so that relative paths hold
    short.write_text((region / "kadry.toml").read_text(encoding="utf-8").replace("horizon = 7", "horizon = 3"),
                     encoding="utf-8")
    assert main(["run", "--config", str(short), "--out", str(tmp_path / "o")]) == 2
    assert "forecast.horizon" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_unknown_scenario_exits_2(region, tmp_path, capsys):
    code = main(["run", "--config", str(region / "kadry.toml"), "--out", str(tmp_path / "o"),
                 "--scenario", "nosuch"])
    assert code == 2
    assert "nosuch" in capsys.readouterr().err


def test_one_scenario(region, tmp_path):
    result = run(region / "kadry.toml", scenario="target")
    assert set(result.demand["scenario"]) == {"target"}
    assert set(result.quotas_programmes["scenario"]) == {"target"}


def test_backend_option_is_gone(region, capsys):
    # `--backend dask` used to run the local computation: a switch that did nothing.
    # Parallel runs are `kadry national`; `kadry run` has no backend to choose.
    assert main(["run", "--config", str(region / "kadry.toml"), "--backend", "dask"]) == 2
    assert "--backend" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_on_the_bundled_sample(tmp_path):
    from forecast.pipeline import sample_config_path

    if not sample_config_path().is_file():
        pytest.skip("data/sample is missing")
    out = tmp_path / "demo"
    assert main(["--quiet", "demo", "--out", str(out)]) == 0  # the sample's mistakes are expected
    assert (out / f"forecast_{T}.xlsx").is_file() and (out / "manifest.json").is_file()
    assert not (out / "input").exists()  # the bundled region is used, not regenerated


def test_demo_generates_the_region_when_absent(tmp_path, monkeypatch):
    import forecast.pipeline as pl
    import forecast.sample as smp

    monkeypatch.setattr(pl, "sample_config_path", lambda: tmp_path / "nowhere" / "kadry.toml")
    small = smp.generate_region
    monkeypatch.setattr(smp, "generate_region",
                        lambda: small(seed=3, n_employers=40, first_wave=2021, last_wave=T, horizon=7))
    out = tmp_path / "demo"
    assert pl.demo_command(out) == 0
    assert (out / "input" / "kadry.toml").is_file()
    assert (out / f"forecast_{T}.xlsx").is_file()


def test_engine_accuracy_against_naive(result):
    acc = result.engine_accuracy
    assert set(acc["model"]) == {"AutoForecaster", "Naive"}
    assert {"smape", "mase", "coverage_80", "coverage_95"} <= set(acc.columns)
    assert (acc["n"] > 0).all()
