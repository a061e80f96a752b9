"""Methodology §6 (departments): colleges carry the department that approves their КЦП;
``quotas_colleges.csv`` carries it; the workbook groups colleges by department with
subtotals equal to their college rows, and gives each department a sheet for its order."""

from __future__ import annotations

import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _report_fake import T, fake_run
from forecast.columns import QUOTAS_COLLEGES_COLUMNS
from forecast.errors import InputError
from forecast.quotas import derive_quotas
from forecast.report import labels as L
from forecast.report import render
from forecast.report import tables as tb

DEMAND = pd.DataFrame({"profession_code": "19861", "education": "СПО-КРС",
                       "year": [2027, 2028, 2029], "demand": [80.0, 80.0, 80.0]})
PROGRAMMES = pd.DataFrame({"code": ["15.01.05"], "name": ["Сварщик"], "level": ["СПО-КРС"],
                           "duration_months": [22], "employment_rate": [1.0], "dropout": [0.0]})
MAPPING = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["15.01.05"],
                        "weight": [1.0]})


def colleges(departments):
    return pd.DataFrame({"college_code": ["K1", "K2", "K3"], "college": ["A", "B", "C"],
                         "programme_code": "15.01.05", "capacity": [40, 40, 40],
                         "last_quota": [10, 20, 30], "employment_rate": [None] * 3,
                         "department": departments})


def test_quotas_colleges_carry_the_department():
    _, cols = derive_quotas(DEMAND, 2026, PROGRAMMES, MAPPING,
                            colleges([" здравоохранение", "образование", ""]), None,
                            {"coverage_share": 0.75})
    assert tuple(cols.columns) == QUOTAS_COLLEGES_COLUMNS
    assert cols["department"].tolist() == ["здравоохранение", "образование", ""]
    assert cols["quota"].sum() == 60        # 80 · 0.75: allocation ignores departments
    _, other = derive_quotas(DEMAND, 2026, PROGRAMMES, MAPPING, colleges(["x", "y", "z"]), None,
                             {"coverage_share": 0.75})
    assert other["quota"].tolist() == cols["quota"].tolist()


def test_without_the_column_every_college_has_one_empty_department():
    _, cols = derive_quotas(DEMAND, 2026, PROGRAMMES, MAPPING,
                            colleges(["a", "b", "c"]).drop(columns="department"))
    assert cols["department"].tolist() == ["", "", ""]


def test_a_college_with_two_departments_is_an_error():
    c = pd.concat([colleges(["a", "b", "c"]),
                   pd.DataFrame({"college_code": ["K1"], "college": ["A"],
                                 "programme_code": ["15.01.05"], "capacity": [5],
                                 "last_quota": [0], "employment_rate": [None],
                                 "department": ["z"]})], ignore_index=True)
    # K1 licensed for a second programme, under another department
    progs = pd.concat([PROGRAMMES, PROGRAMMES.assign(code="15.01.06")], ignore_index=True)
    c.loc[3, "programme_code"] = "15.01.06"
    with pytest.raises(InputError, match=r"row 5 \(DataFrame position 3\), column department: "
                                         r"'z' differs from 'a' given for college K1 in row 2"):
        derive_quotas(DEMAND, 2026, progs, MAPPING, c)


def test_subtotals_equal_their_college_rows():
    run = fake_run_frame()
    grouped = tb.quota_colleges_by_department(run, subtotal_label="Σ {D}")
    colleges_rows = grouped[grouped["row_kind"] == "college"]
    subtotals = grouped[grouped["row_kind"] == "subtotal"]
    # every college row once, nothing lost
    assert len(colleges_rows) == len(run)
    assert sorted(colleges_rows["quota"].tolist()) == sorted(run["quota"].tolist())
    # per scenario the departments in text order, colleges without one ('—') last
    assert list(zip(subtotals["scenario"], subtotals["department"])) == [
        ("base", "здравоохранение"), ("base", "образование"), ("base", "—"),
        ("low", "здравоохранение"), ("low", "образование")]
    for r in subtotals.itertuples():
        dept = "" if r.department == "—" else r.department
        mine = run[(run["scenario"] == r.scenario) & (run["department"] == dept)]
        for c in ("capacity", "target", "quota", "last_quota"):
            assert getattr(r, c) == pytest.approx(float(mine[c].sum())), (r.department, c)
        assert r.change == pytest.approx(float((mine["quota"] - mine["last_quota"]).sum()))
        assert r.college == f"Σ {r.department}"
    # each subtotal closes its group: the rows above it up to the previous subtotal
    start = 0
    for i in np.flatnonzero(grouped["row_kind"].to_numpy() == "subtotal"):
        block = grouped.iloc[start:i]
        assert set(block["department"]) == {grouped.iloc[i]["department"]}
        assert grouped.iloc[i]["quota"] == block["quota"].sum()
        start = i + 1
    assert start == len(grouped)


def fake_run_frame():
    return pd.DataFrame({
        "scenario": ["base"] * 5 + ["low"] * 2,
        "programme_code": ["15.01.05", "15.01.05", "34.02.01", "34.02.01", "15.01.05",
                           "15.01.05", "34.02.01"],
        "college_code": ["K1", "K2", "K3", "K1", "K4", "K1", "K3"],
        "college": ["A", "B", "C", "A", "D", "A", "C"],
        "department": ["образование", "образование", "здравоохранение", "образование", "",
                       "образование", "здравоохранение"],
        "capacity": [30, 20, 40, 10, 15, 30, 40], "target": [12.5, 7.5, 20.0, 5.0, 3.0, 9.0, 11.0],
        "quota": [13, 7, 20, 5, 3, 9, 11], "last_quota": [10, 10, 15, 0, 5, 10, 15],
        "deficit": [0] * 7,
    })


def _cells(ws):
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row}


def test_workbook_groups_by_department_and_subtotals_add_up(tmp_path):
    run = fake_run(tmp_path)
    wb = openpyxl.load_workbook(io.BytesIO(render(run)[f"forecast_{T}.xlsx"]))
    ws = wb[L.sheet("quotas_colleges", "ru")]
    header = [c.value for c in ws[1]]
    dcol = header.index("Ведомство") + 1
    qcol = header.index("КЦП предлагаемая") + 1
    letter = openpyxl.utils.get_column_letter(qcol)
    subtotal_rows = [r for r in range(2, ws.max_row + 1)
                     if str(ws.cell(row=r, column=header.index("Организация") + 1).value or "")
                     .startswith("Итого: ")]
    qc = run.quotas_colleges
    assert len(subtotal_rows) == qc.groupby(["scenario", "department"]).ngroups == 4
    start = 2
    for r in subtotal_rows:
        formula = ws.cell(row=r, column=qcol).value
        assert formula == f"=SUBTOTAL(109,{letter}{start}:{letter}{r - 1})"
        block = [ws.cell(row=i, column=qcol).value for i in range(start, r)]
        scen = ws.cell(row=r, column=1).value
        dept = ws.cell(row=r, column=dcol).value
        want = qc[(qc["scenario"] == scen) & (qc["department"] == dept)]["quota"].sum()
        assert sum(block) == want
        assert {ws.cell(row=i, column=dcol).value for i in range(start, r)} == {dept}
        start = r + 1
    # the grand total skips the nested SUBTOTALs: it sums every college row once
    total_row = start
    assert ws.cell(row=total_row, column=1).value == "Итого"
    assert ws.cell(row=total_row, column=qcol).value == f"=SUBTOTAL(109,{letter}2:{letter}{start - 1})"


def test_one_sheet_per_department_for_its_order(tmp_path):
    run = fake_run(tmp_path)
    wb = openpyxl.load_workbook(io.BytesIO(render(run)[f"forecast_{T}.xlsx"]))
    qc = run.quotas_colleges
    for dept in ("образование", "здравоохранение"):
        ws = wb[f"КЦП — {dept}"]
        assert dept in ws["A1"].value and str(T + 1) in ws["A1"].value and "base" in ws["A1"].value
        header = [c.value for c in ws[3]]
        qcol = header.index("КЦП предлагаемая") + 1
        codes = []
        r = 4
        while ws.cell(row=r, column=1).value != "Итого":
            codes.append(ws.cell(row=r, column=1).value)
            r += 1
        mine = qc[(qc["scenario"] == "base") & (qc["department"] == dept)]
        assert len(codes) == len(mine) and set(codes) == set(mine["college_code"])
        assert sum(ws.cell(row=i, column=qcol).value for i in range(4, r)) == mine["quota"].sum()
        assert re.fullmatch(r"=SUBTOTAL\(109,[A-Z]+4:[A-Z]+%d\)" % (r - 1),
                            ws.cell(row=r, column=qcol).value)
        # survey/college text stays text, never a formula
        assert all(c.data_type != "f" for c in ws["B"])


def test_the_sample_region_has_colleges_of_all_three_departments():
    from forecast.pipeline import sample_config_path

    colleges = pd.read_csv(sample_config_path().parent / "colleges.csv", dtype=str,
                           keep_default_na=False)
    assert set(colleges["department"]) == {"образование", "здравоохранение", "культура"}
    # one department per college
    assert (colleges.groupby("college_code")["department"].nunique() == 1).all()


@st.composite
def college_rows(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        q = draw(st.integers(0, 60))
        rows.append(dict(
            scenario=draw(st.sampled_from(["base", "low", "target"])),
            programme_code=draw(st.sampled_from(["15.01.05", "34.02.01", "54.02.01"])),
            college_code=f"K{i}", college=f"C{i}",
            department=draw(st.sampled_from(["образование", "здравоохранение", "культура", ""])),
            capacity=q + draw(st.integers(0, 20)), target=q + draw(st.floats(-1, 1)), quota=q,
            last_quota=draw(st.integers(0, 60)), deficit=0))
    return pd.DataFrame(rows)


@settings(max_examples=80, deadline=None)
@given(college_rows())
def test_grouping_loses_nothing_and_subtotals_add_up(frame):
    g = tb.quota_colleges_by_department(frame, subtotal_label="Σ {D}", no_department="—")
    cols = g[g["row_kind"] == "college"]
    subs = g[g["row_kind"] == "subtotal"]
    assert len(cols) == len(frame)
    assert len(subs) == frame.groupby(["scenario", "department"]).ngroups
    for c in ("capacity", "quota", "last_quota"):
        assert subs[c].sum() == frame[c].sum()
    assert subs["target"].sum() == pytest.approx(frame["target"].sum())
