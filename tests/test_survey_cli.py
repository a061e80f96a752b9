"""``kadry template`` and ``kadry validate`` end to end: summary, JSON report, exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from forecast.cli import main
from _survey_forms import INN_B, row, write_csv, write_xlsx

KADRY = Path(sys.executable).with_name("kadry")


@pytest.fixture()
def good(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", [row(), row(profession_code="24110")])


@pytest.fixture()
def bad(tmp_path):
    return write_csv(tmp_path / "bad.csv", [row(inn=INN_B), row(inn="7707083894")])


def test_template_command(tmp_path, capsys):
    out = tmp_path / "form.xlsx"
    assert main(["template", str(out), "--year", "2026", "--horizon", "3"]) == 0
    assert out.is_file() and "form.xlsx" in capsys.readouterr().out
    assert main(["template", str(out), "--year", "2026", "--horizon", "12"]) == 2
    assert "horizon" in capsys.readouterr().err


def test_validate_good_exit_0_and_json(tmp_path, good, capsys):
    j = tmp_path / "r" / "report.json"
    assert main(["validate", str(good), "--json", str(j)]) == 0
    out = capsys.readouterr().out
    assert "2 accepted" in out
    text = j.read_text(encoding="utf-8")
    rep = json.loads(text)
    assert list(rep) == ["files", "files_failed", "rows_read", "accepted", "merged", "superseded",
                         "rejected", "skipped", "issues"]
    assert (rep["files"], rep["rows_read"], rep["accepted"], rep["issues"]) == (1, 2, 2, [])


def test_validate_rejected_exit_1_report_names_the_cell(tmp_path, good, bad, capsys):
    (tmp_path / "notes.txt").write_text("заметки", encoding="utf-8")
    j = tmp_path / "report.json"
    assert main(["validate", str(tmp_path), "--json", str(j)]) == 1
    out = capsys.readouterr().out
    assert "E_INN_CHECKSUM" in out and "1 rejected" in out
    text = j.read_text(encoding="utf-8")
    assert "ИНН" in text  # UTF-8, not \u escapes
    rep = json.loads(text)
    assert rep["skipped"] == [{"file": (tmp_path / "notes.txt").as_posix(), "reason": "a text document, not a table: save the form as .xlsx"}]
    (iss,) = rep["issues"]
    assert iss == {"file": bad.as_posix(), "sheet": None, "row": 3, "column": "inn", "value": "7707083894",
                   "severity": "error", "code": "E_INN_CHECKSUM", "message": iss["message"]}
    assert rep["rows_read"] == rep["accepted"] + rep["merged"] + rep["superseded"] + rep["rejected"]


def test_validate_failed_file_exit_1(tmp_path, good):
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    assert main(["validate", str(good), str(tmp_path / "x.xlsx")]) == 1


def test_validate_missing_path_exit_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err


def test_validate_with_controls(tmp_path, good, capsys):
    ctl = tmp_path / "controls.csv"
    ctl.write_text("survey_year,okved_section,employment\n2026,K,100\n", encoding="utf-8")
    assert main(["validate", str(good), "--controls", str(ctl)]) == 0
    assert main(["validate", str(good), "--controls", str(tmp_path / "none.csv")]) == 2


def test_report_is_deterministic(tmp_path, tmp_path_factory, good, bad):
    out = tmp_path_factory.mktemp("reports")
    a, b = out / "a.json", out / "b.json"
    assert main(["validate", str(tmp_path), "--json", str(a)]) == 1
    assert main(["validate", str(tmp_path), "--json", str(b)]) == 1
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.skipif(not KADRY.exists(), reason="console script not installed")
def test_console_script_exit_codes(tmp_path, good, bad):
    j = tmp_path / "out.json"
    run = lambda *a: subprocess.run([str(KADRY), *a], capture_output=True, text=True, timeout=120)
    r0 = run("validate", str(good), "--json", str(j))
    assert r0.returncode == 0 and json.loads(j.read_text(encoding="utf-8"))["accepted"] == 2
    r1 = run("validate", str(good), str(bad), "--json", str(j))
    assert r1.returncode == 1 and json.loads(j.read_text(encoding="utf-8"))["rejected"] == 1
    r2 = run("validate", str(tmp_path / "missing.xlsx"))
    assert r2.returncode == 2 and "Traceback" not in r2.stderr and "not found" in r2.stderr


def test_validate_command_with_progress(tmp_path, good, capsys):
    from forecast.survey import validate_command

    assert validate_command([str(good)], progress=True) == 0
    captured = capsys.readouterr()
    assert "survey files" in captured.err and "2 accepted" in captured.out
    assert validate_command([str(good)], progress=False) == 0
    assert "survey files" not in capsys.readouterr().err


def test_unwritable_report_is_usage_error(tmp_path, good, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["validate", str(good), "--json", str(blocker / "sub" / "r.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_template_command_ods_and_bad_extension(tmp_path, capsys):
    out = tmp_path / "form.ods"
    assert main(["template", str(out), "--year", "2026", "--horizon", "2"]) == 0
    assert out.read_bytes()[30:38] == b"mimetype"
    assert main(["template", str(tmp_path / "form.csv"), "--year", "2026"]) == 2
    assert "xlsx or .ods" in capsys.readouterr().err
    assert not (tmp_path / "form.csv").exists()
