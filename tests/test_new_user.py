"""What a new user stumbles on (issue 14): one test per class of mistake.

Each class — a config value used or refused, fail fast before the long work, environment
conditions as messages, one run per output folder, Windows habits (cp1251 tables,
backslash paths), reading outputs back, help texts — is checked through the CLI or the
public API, as a user meets it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import forecast as fc
from forecast.cli import main
from forecast.config import config_from_mapping, load_config
from forecast.errors import ConfigError, InputError
from forecast.report import files as report_files
from forecast.report.files import LOCK_NAME, output_lock, write_bytes_atomic
from forecast.report.render import write_outputs
from forecast.tabular import read_text_table

T = 2026


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    from forecast.sample import generate_region, write_region

    folder = tmp_path_factory.mktemp("region")
    write_region(generate_region(seed=11, n_employers=50, first_wave=2021, last_wave=T, horizon=7), folder)
    return folder


@pytest.fixture(scope="module")
def output(region, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "run"
    assert main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out)]) in (0, 1)
    return out


def _set(config: Path, pattern: str, line: str) -> None:
    text = config.read_text(encoding="utf-8")
    new, n = re.subn(pattern, line, text, flags=re.M)
    assert n == 1, pattern
    config.write_text(new, encoding="utf-8")


def _copy_region(region: Path, tmp_path: Path) -> Path:
    import shutil

    dst = tmp_path / "region"
    shutil.copytree(region, dst)
    return dst


# --- every config value is used or refused, with its key named --------------------------
def test_levels_as_a_number_is_one_level():
    cfg = config_from_mapping({"survey": {"paths": ["."]}, "forecast": {"levels": 90}}, base_dir=".")
    assert cfg.forecast.levels == (90,)


def test_levels_are_used_in_demand_csv_and_workbook(region, tmp_path):
    """`levels = [90]`: demand.csv gains the 90 % bounds, the workbook shows them."""
    import openpyxl

    d = _copy_region(region, tmp_path)
    _set(d / "kadry.toml", r"^levels\s*=.*$", "levels = [90]")
    out = tmp_path / "o"
    assert main(["--quiet", "run", "--config", str(d / "kadry.toml"), "--out", str(out)]) in (0, 1)
    demand = fc.read_outputs(out).demand
    for c in ("employment_lo_90", "employment_hi_90", "demand_lo_90", "demand_hi_90"):
        assert c in demand.columns
    fut = demand[demand["year"] > T]
    # nested bands: 80 % ⊂ 90 % ⊂ 95 %
    assert (fut["employment_lo_95"] <= fut["employment_lo_90"] + 1e-9).all()
    assert (fut["employment_lo_90"] <= fut["employment_lo_80"] + 1e-9).all()
    assert (fut["employment_hi_80"] <= fut["employment_hi_90"] + 1e-9).all()
    assert (fut["demand_hi_80"] <= fut["demand_hi_90"] + 1e-9).all()
    wb = openpyxl.load_workbook(out / f"forecast_{T}.xlsx", read_only=True)
    header = [c.value for c in next(wb["Потребность по профессиям"].iter_rows(max_row=1))]
    assert "Численность, нижн. 90%" in header and "Численность, нижн. 80%" not in header


@pytest.mark.parametrize("value, pattern", [
    ("[80, 80]", "forecast.levels lists a level twice"),
    ('"80"', "forecast.levels must be a list of whole percentages"),
    ("[0.8]", "forecast.levels must be a list of whole percentages"),
    ("[100]", "forecast.levels must be a list of whole percentages"),
])
def test_bad_levels_are_refused_naming_the_key(tmp_path, value, pattern):
    toml = tmp_path / "kadry.toml"
    toml.write_text(f'[survey]\npaths = ["."]\n[forecast]\nlevels = {value}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(pattern)):
        load_config(toml)


# --- a scenario that does not reach T + H ------------------------------------------------
def test_scenario_shorter_than_horizon_is_an_error_naming_its_last_year(region, tmp_path, capsys):
    d = _copy_region(region, tmp_path)
    scen = pd.read_csv(d / "scenario.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    last = scen["year"].astype(int).max()
    _set(d / "kadry.toml", r"^horizon\s*=.*$", "horizon = 12")
    code = main(["--quiet", "run", "--config", str(d / "kadry.toml"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"ends in {last}, but the forecast runs to {T + 12}" in err
    assert not (tmp_path / "o" / "demand.csv").exists()


# --- one message style for every input table, checked before the long work -------------
STYLE = re.compile(r"(\S+\.csv) row (\d+), column (\w+): '([^']*)' ")


@pytest.mark.parametrize("table, column, value", [
    ("scenario.csv", "value", "abc"),
    ("controls.csv", "employment", "много"),
    ("colleges.csv", "capacity", "-5"),
    ("programmes.csv", "duration_months", "сорок"),
    ("enrolment.csv", "students", "x"),
])
def test_bad_input_tables_fail_fast_in_one_style(region, tmp_path, capsys, monkeypatch, table, column, value):
    import forecast.survey as survey

    d = _copy_region(region, tmp_path)
    frame = pd.read_csv(d / table, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.loc[2, column] = value
    frame.to_csv(d / table, index=False, encoding="utf-8-sig")
    if table != "controls.csv":  # control totals are read with the surveys (they weigh them)
        monkeypatch.setattr(survey, "read_surveys", lambda *a, **k: pytest.fail("read_surveys was called"))
    code = main(["--quiet", "run", "--config", str(d / "kadry.toml"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    m = STYLE.search(err)
    assert m, err
    assert m.groups() == (table, "4", column, value)
    assert "internal error" not in err


# --- fail fast: the output folder before the long work ----------------------------------
def test_out_naming_a_file_fails_before_reading_surveys(region, tmp_path, capsys, monkeypatch):
    import forecast.survey as survey

    def boom(*a, **k):  # the long work must not start
        raise AssertionError("read_surveys was called")

    monkeypatch.setattr(survey, "read_surveys", boom)
    target = tmp_path / "out.txt"
    target.write_text("a file", encoding="utf-8")
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert "is a file, not a folder" in err and "internal error" not in err
    assert target.read_text(encoding="utf-8") == "a file"


def test_out_inside_the_survey_folder_is_refused(region, tmp_path, capsys):
    """Next year's run would read this year's tables as employers' forms."""
    out = region / "surveys" / "out"
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out)])
    assert code == 2
    assert "is inside the survey folder" in capsys.readouterr().err
    assert not out.exists()


def test_out_below_a_file_fails_too(region, tmp_path, capsys):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(tmp_path / "f" / "sub")])
    assert code == 2
    assert "is a file, not a folder" in capsys.readouterr().err


# --- environment conditions are messages -------------------------------------------------
def test_full_disk_is_a_message_exit_3(region, tmp_path, capsys, monkeypatch):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(report_files, "write_bytes_atomic", full)
    # the module, not the function `forecast.report.render` that the package re-exports
    monkeypatch.setattr(sys.modules["forecast.report.render"], "write_bytes_atomic", full)
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 3
    assert "No space left on device" in err and "internal error" not in err and "Traceback" not in err


def test_closed_stdout_is_a_message_not_a_traceback(region):
    proc = subprocess.Popen([sys.executable, "-m", "forecast", "validate", str(region / "surveys")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # a reader that exits at once (`| head -0`)
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=120)
    assert "Traceback" not in err and "internal error" not in err
    assert proc.returncode == 3 and "standard output was closed" in err


# --- one run per output folder; stale files removed, others never touched ---------------
def test_second_run_into_a_locked_folder_exits_2_naming_the_holder(region, tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from forecast.report.files import output_lock
            with output_lock({str(out)!r}):
                print("locked", flush=True)
                sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2
        assert f"in use by another kadry run (pid {holder.pid}" in err
        assert not (out / "demand.csv").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    with output_lock(out):  # released with its process
        pass


def test_lock_is_reentrant_within_a_process(tmp_path):
    (tmp_path / "o").mkdir()
    with output_lock(tmp_path / "o") as a:
        with output_lock(tmp_path / "o") as b:
            assert a == b
            assert (tmp_path / "o" / LOCK_NAME).read_text(encoding="utf-8").startswith(f"pid {os.getpid()} ")
        assert (tmp_path / "o" / LOCK_NAME).exists()  # still held by the outer block
    assert not (tmp_path / "o" / LOCK_NAME).exists()  # released: the folder is left clean


def test_a_run_that_fails_early_leaves_no_new_folder(region, tmp_path, capsys):
    out = tmp_path / "new" / "o"
    code = main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out),
                 "--scenario", "nosuch"])
    assert code == 2 and "nosuch" in capsys.readouterr().err
    assert not out.exists()


def test_files_of_the_previous_run_are_removed_and_others_kept(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "forecast_2031.xlsx").write_bytes(b"old workbook")
    (out / "plots").mkdir()
    (out / "plots" / "old.png").write_bytes(b"old plot")
    (out / "notes.txt").write_text("the analyst's notes", encoding="utf-8")
    (out / "plots" / "mine.png").write_bytes(b"a plot kadry did not write")
    (out / "manifest.json").write_text(json.dumps({"outputs": {
        "forecast_2031.xlsx": "x", "plots/old.png": "y", "demand.csv": "z", "../outside.txt": "w"}}),
        encoding="utf-8")
    (tmp_path / "outside.txt").write_text("never touched", encoding="utf-8")
    write_outputs({"demand.csv": b"new", "forecast_2032.xlsx": b"new workbook"}, out)
    assert not (out / "forecast_2031.xlsx").exists() and not (out / "plots" / "old.png").exists()
    assert (out / "notes.txt").exists() and (out / "plots" / "mine.png").exists()
    assert (tmp_path / "outside.txt").exists()
    assert (out / "demand.csv").read_bytes() == b"new"


def test_rerun_removes_a_workbook_of_another_survey_year(output, region, tmp_path):
    import shutil

    out = tmp_path / "o"
    shutil.copytree(output, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "forecast_2031.xlsx").write_bytes(b"stale")
    manifest["outputs"]["forecast_2031.xlsx"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "README.txt").write_text("mine", encoding="utf-8")
    assert main(["--quiet", "run", "--config", str(region / "kadry.toml"), "--out", str(out)]) in (0, 1)
    assert not (out / "forecast_2031.xlsx").exists()
    assert (out / "README.txt").read_text(encoding="utf-8") == "mine"
    assert (out / f"forecast_{T}.xlsx").exists()


# --- users' conventions -----------------------------------------------------------------
def test_windows_1251_input_tables_are_read(tmp_path):
    text = "code;name;level;duration_months\n15.01.05;Сварщик (ручной и частично механизированной сварки);СПО-КРС;34\n"
    (tmp_path / "p.csv").write_bytes(text.encode("cp1251"))
    t = read_text_table(tmp_path / "p.csv")
    assert t.loc[0, "name"].startswith("Сварщик") and t.loc[0, "duration_months"] == "34"


def test_windows_1251_tables_run_end_to_end(region, tmp_path):
    d = _copy_region(region, tmp_path)
    for name in ("programmes.csv", "mapping.csv", "colleges.csv", "scenario.csv", "controls.csv"):
        p = d / name
        if p.exists():
            p.write_bytes(p.read_text(encoding="utf-8-sig").encode("cp1251"))
    res = fc.run(d / "kadry.toml")
    ref = fc.run(region / "kadry.toml")
    pd.testing.assert_frame_equal(res.quotas_colleges, ref.quotas_colleges)


def test_config_saved_in_windows_1251_is_read(tmp_path):
    (tmp_path / "kadry.toml").write_bytes(
        '[survey]\npaths = ["."]\n[region]\ncode = "72"\nname = "Тюменская область"\n'.encode("cp1251"))
    assert load_config(tmp_path / "kadry.toml").region.name == "Тюменская область"
    (tmp_path / "kadry.toml").write_bytes("[survey]\npaths = ['.']\n".encode("utf-16"))
    with pytest.raises(ConfigError, match="UTF-16"):
        load_config(tmp_path / "kadry.toml")


def test_utf16_table_is_a_clear_error(tmp_path):
    (tmp_path / "p.csv").write_bytes("code,name\n1,a\n".encode("utf-16"))
    with pytest.raises(ValueError, match="UTF-16"):
        read_text_table(tmp_path / "p.csv")


@pytest.mark.parametrize("path", ['"C:\\\\data\\\\x"'.replace("\\\\", "\\"), '"D:\\Users\\kadry"'])
def test_windows_path_in_double_quotes_says_what_to_do(tmp_path, path):
    toml = tmp_path / "kadry.toml"
    toml.write_text(f"[survey]\npaths = [{path}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="single quotes"):
        load_config(toml)


def test_read_outputs_gives_codes_as_text(output):
    out = fc.read_outputs(output)
    raw = pd.read_csv(output / "demand.csv", encoding="utf-8-sig")
    assert out.demand.shape == raw.shape
    assert out.demand["profession_code"].map(type).eq(str).all()
    assert str(out.demand["year"].dtype) == "Int64" and str(out.demand["demand"].dtype) == "float64"
    codes = out.demand["profession_code"]
    assert codes[codes != ""].str.fullmatch(r"\d{4,5}").all()  # never '11442.0'
    # empty text is "" as in the run's own frames (a profession row has no section)
    assert (out.demand.loc[out.demand["level"] == "profession", "okved_section"] == "").all()
    assert out.quotas_colleges["programme_code"].map(type).eq(str).all()
    assert out.quotas_programmes["programme_code"].str.fullmatch(r"\d\d\.\d\d\.\d\d").all()
    assert out.survey_year == T
    assert out.manifest["survey_year"] == T


def test_read_outputs_names_a_bad_cell(tmp_path):
    from forecast.columns import DEMAND_COLUMNS

    row = {c: "1" for c in DEMAND_COLUMNS} | {"scenario": "base", "level": "total", "year": "2027",
                                              "demand": "lots"}
    pd.DataFrame([row]).to_csv(tmp_path / "demand.csv", index=False, encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"row 2, column demand: 'lots' is not a number"):
        fc.read_outputs(tmp_path)
    pd.DataFrame([row]).drop(columns=["employment"]).to_csv(tmp_path / "demand.csv", index=False)
    with pytest.raises(InputError, match=r"lacks column\(s\) employment"):
        fc.read_outputs(tmp_path)
    with pytest.raises(InputError, match="not a kadry output folder"):
        fc.read_outputs(tmp_path / "nope")


def test_a_demand_table_read_back_feeds_the_quotas(output, region):
    """A demand table written by kadry is accepted as it is (its year-T rows included)."""
    from forecast.quotas import derive_quotas

    ref = pd.read_csv(output / "quotas_programmes.csv", encoding="utf-8-sig", dtype={"programme_code": str})
    progs, _ = derive_quotas(fc.read_outputs(output).demand, survey_year=T,
                             programmes=region / "programmes.csv", mapping=region / "mapping.csv",
                             colleges=region / "colleges.csv", enrolment=region / "enrolment.csv",
                             params={"coverage_share": 0.7})
    assert progs["quota"].astype(int).tolist() == ref["quota"].astype(int).tolist()


# --- help texts -------------------------------------------------------------------------
def test_help_lists_exit_codes_and_describes_every_option(capsys):
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    for line in ("0  success", "1  the run finished", "2  usage or configuration error", "3  the run could not finish"):
        assert line in top
    from forecast.cli import _COMMANDS

    for command in sorted(_COMMANDS):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        usage, _, rest = text.partition("\n\n")
        assert rest.split("\n", 1)[0].strip(), f"kadry {command} --help: no description"
        options = text.split("options:", 1)[1].split("exit status:", 1)[0]
        # every option line (two-space indent, starting with -) is followed by a description
        entries = re.split(r"\n  (?=-)", "\n" + options.strip("\n"))
        for entry in filter(None, (e.strip() for e in entries)):
            head, _, rest = entry.partition("  ")
            assert rest.strip() or "\n" in entry, f"kadry {command}: undescribed option {entry!r}"
        assert "3  the run could not finish" in text
