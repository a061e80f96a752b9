"""The workbook and output files, on a small hand-made run (no stages needed)."""

from __future__ import annotations

import io
import math
import zipfile

import openpyxl
import pandas as pd
import pytest

from _report_fake import SURVEY_TEXT, T, fake_run
from forecast.columns import DEMAND_COLUMNS, QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.report import labels as L
from forecast.report import render, write_outputs
from forecast.report.files import csv_bytes
from forecast.report.sheets import wrapped_lines


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return fake_run(tmp_path_factory.mktemp("fake"))


@pytest.fixture(scope="module")
def files(run):
    return render(run)


@pytest.fixture(scope="module")
def wb(files):
    return openpyxl.load_workbook(io.BytesIO(files[f"forecast_{T}.xlsx"]))


def _header(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def _visible_rows(ws, first=2):
    """Data rows (excluding the totals row) not hidden by the pre-set filter."""
    rows = []
    for r in range(first, ws.max_row + 1):
        if ws.cell(row=r, column=1).value in (L.text("total", "ru"), L.text("total", "en")):
            break
        if ws.cell(row=r, column=1).value is None:
            break
        if not ws.row_dimensions[r].hidden:
            rows.append(r)
    return rows


def test_output_files_and_csv_columns(files):
    assert {"demand.csv", "quotas_programmes.csv", "quotas_colleges.csv", "survey_report.json",
            f"forecast_{T}.xlsx", "plots/fan_total.png", "plots/demand_by_industry.png",
            "plots/quotas_vs_demand.png"} <= set(files)
    for name, cols in (("demand.csv", DEMAND_COLUMNS), ("quotas_programmes.csv", QUOTAS_PROGRAMMES_COLUMNS),
                       ("quotas_colleges.csv", QUOTAS_COLLEGES_COLUMNS)):
        data = files[name]
        assert data.startswith(b"\xef\xbb\xbf")
        assert b"\r\n" not in data
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype={"profession_code": str, "programme_code": str})
        assert tuple(frame.columns) == cols


# pandas 3 parses floats exactly by default and deprecates the option pandas 2 needs for it
_ROUND_TRIP = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def test_csv_round_trips_floats_exactly(run):
    back = pd.read_csv(io.BytesIO(csv_bytes(run.demand, DEMAND_COLUMNS)), encoding="utf-8-sig",
                       dtype={"profession_code": str}, **_ROUND_TRIP)
    assert (back["demand"].to_numpy() == run.demand["demand"].to_numpy()).all()


def test_sheet_names_and_order(wb):
    # the contract's sheets, with one sheet per department (text order) after `КЦП по организациям`
    names = [L.sheet(k, "ru") for k in L.SHEETS]
    at = names.index("КЦП по организациям") + 1
    assert wb.sheetnames == names[:at] + ["КЦП — здравоохранение", "КЦП — образование"] + names[at:]
    assert wb.sheetnames[0] == "Сводка" and wb.sheetnames[-1] == "Методика"


def test_english_workbook(tmp_path):
    files = render(fake_run(tmp_path, language="en"))
    wb = openpyxl.load_workbook(io.BytesIO(files[f"forecast_{T}.xlsx"]))
    assert wb.sheetnames == ["Summary", "Demand by profession", "Demand by industry",
                             "Profession × industry", "Quotas by programme", "Quotas by college",
                             "Quotas — здравоохранение", "Quotas — образование",
                             "Programme updates", "Forecast accuracy",
                             "Evaluation of last forecast", "Data issues", "Methodology"]
    assert _header(wb["Demand by profession"])[:3] == ["Scenario", "Profession code", "Profession"]


@pytest.mark.parametrize("key", ["by_profession", "by_industry", "cells", "quotas_programmes",
                                 "quotas_colleges", "accuracy", "issues"])
def test_table_sheets_have_bold_frozen_filtered_header(wb, key):
    ws = wb[L.sheet(key, "ru")]
    assert ws["A1"].font.b
    assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2")
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert all(ws.column_dimensions[c].width for c in "AB")


def test_demand_by_profession_totals_match_csv(wb, run):
    ws = wb[L.sheet("by_profession", "ru")]
    header = _header(ws)
    col = header.index(L.col("demand_total", "ru", A=T + 1, B=T + 7)) + 1
    rows = _visible_rows(ws)
    # the filter shows the primary scenario only
    assert {ws.cell(row=r, column=1).value for r in rows} == {"base"}
    d = run.demand
    want = d.loc[(d["level"] == "profession") & (d["scenario"] == "base") & (d["year"] > T), "demand"].sum()
    got = sum(ws.cell(row=r, column=col).value for r in rows)
    assert math.isclose(got, want, rel_tol=1e-12)
    total_row = max(rows + [r for r in range(2, ws.max_row + 1) if ws.row_dimensions[r].hidden]) + 1
    assert ws.cell(row=total_row, column=1).value == "Итого"
    letter = openpyxl.utils.get_column_letter(col)
    assert ws.cell(row=total_row, column=col).value == f"=SUBTOTAL(109,{letter}2:{letter}{total_row - 1})"
    # every scenario's rows are in the sheet (hidden, not dropped)
    n_rows = len(d.loc[(d["level"] == "profession") & (d["year"] == T)])
    assert total_row - 2 == n_rows


def test_year_columns_sum_to_regional_total(wb, run):
    ws = wb[L.sheet("by_industry", "ru")]
    header = _header(ws)
    rows = _visible_rows(ws)
    d = run.demand
    for year in range(T + 1, T + 8):
        col = header.index(L.col("demand_year", "ru", Y=year)) + 1
        got = sum(ws.cell(row=r, column=col).value for r in rows)
        want = d.loc[(d["level"] == "total") & (d["scenario"] == "base") & (d["year"] == year), "demand"].item()
        assert math.isclose(got, want, rel_tol=1e-12)


def test_quota_sheet_recomputes_by_hand(wb, run):
    ws = wb[L.sheet("quotas_programmes", "ru")]
    header = _header(ws)
    idx = {k: header.index(L.col(k, "ru")) + 1 for k in
           ("coverage_share", "employment_rate", "graduates_needed", "pipeline", "gap", "dropout",
            "quota_raw", "quota", "last_quota", "change")}
    idx["demand"] = header.index(L.col("demand", "ru") + " (g)") + 1
    for r in _visible_rows(ws):
        v = {k: ws.cell(row=r, column=c).value for k, c in idx.items()}
        assert math.isclose(v["demand"] * v["coverage_share"] / v["employment_rate"], v["graduates_needed"], rel_tol=1e-9)
        assert math.isclose(max(0.0, v["graduates_needed"] - v["pipeline"]), v["gap"], rel_tol=1e-9)
        assert math.isclose(v["gap"] / (1 - v["dropout"]), v["quota_raw"], rel_tol=1e-9)
        assert v["change"] == v["quota"] - v["last_quota"]
    text = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert L.text("chain", "ru") in text and L.text("params", "ru") in text


def test_survey_text_never_becomes_a_formula(files):
    data = files[f"forecast_{T}.xlsx"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[L.sheet("issues", "ru")]
    values = [c.value for row in ws.iter_rows() for c in row]
    for text in SURVEY_TEXT:
        assert text in values
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", (c.coordinate, c.value)
    # the raw XML holds no <f> element on the issues sheet nor the colleges sheet
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
    idx = wb.sheetnames.index(L.sheet("issues", "ru")) + 1
    assert b"<f>" not in names[f"xl/worksheets/sheet{idx}.xml"]
    cws = wb[L.sheet("quotas_colleges", "ru")]
    college = [c.value for c in cws["F"]]
    assert "=cmd|' /C calc'!A0" in college
    assert all(c.data_type != "f" for c in cws["F"])


def test_summary_has_facts_tables_and_images(wb):
    ws = wb["Сводка"]
    col_a = [c.value for c in ws["A"]]
    assert L.text("survey_year", "ru") in col_a and L.text("totals_by_year", "ru") in col_a
    assert any(str(v).startswith("20 профессий") for v in col_a if v)
    assert len(ws._images) == 2


def test_methodology_restates_parameters(wb):
    ws = wb["Методика"]
    text = "\n".join(str(c.value) for c in ws["A"] if c.value)
    assert "r = min(0.2; O[T]/E[T] / 7 + 0.01)" in text
    assert "c = 0.7" in text and "mint_shrink" in text and "T = 2026" in text


def test_render_is_deterministic(run, files):
    again = render(run)
    assert again.keys() == files.keys()
    for name in files:
        assert again[name] == files[name], name


def test_write_outputs_replaces_and_prunes_stale_plots(tmp_path, files):
    """A plot the previous run listed in its manifest and this run does not write is
    removed; a picture kadry never wrote stays (issue 14: files kadry did not write)."""
    out = tmp_path / "out"
    (out / "plots").mkdir(parents=True)
    (out / "plots" / "fan_09_old.png").write_bytes(b"old")
    (out / "plots" / "analyst.png").write_bytes(b"mine")
    (out / "manifest.json").write_text('{"outputs": {"plots/fan_09_old.png": "x"}}', encoding="utf-8")
    (out / "demand.csv").write_bytes(b"old")
    write_outputs(files, out)
    assert not (out / "plots" / "fan_09_old.png").exists()
    assert (out / "plots" / "analyst.png").read_bytes() == b"mine"
    assert (out / "demand.csv").read_bytes() == files["demand.csv"]
    assert not list(out.rglob("*.tmp"))


def test_workbook_without_quotas_says_so(tmp_path):
    run = fake_run(tmp_path)
    run.quotas_programmes = run.quotas_programmes.iloc[0:0]
    run.quotas_colleges = run.quotas_colleges.iloc[0:0]
    files = render(run)
    wb = openpyxl.load_workbook(io.BytesIO(files[f"forecast_{T}.xlsx"]))
    assert wb["КЦП по программам"]["A1"].value == L.text("no_quotas", "ru")
    assert "plots/quotas_vs_demand.png" not in files


@pytest.mark.parametrize("text,width,lines", [("abc", 10, 1), ("aaaa bbbb cccc", 10, 2), ("", 5, 1)])
def test_wrapped_lines(text, width, lines):
    assert wrapped_lines(text, width) == lines
