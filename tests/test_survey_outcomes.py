"""Row outcomes (merged, superseded, rejected, accepted), plausibility, weights, and the accounting."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.errors import ConfigError, InputError
from forecast.survey import read_surveys
from _survey_forms import INN_A, INN_B, INN_C, KEYS, assert_accounting, issues_of, row, write_csv, write_xlsx

OFFSET_KEYS = [k for k in KEYS if not k.startswith("need")] + ["need_1", "need_2"]


def test_duplicates_in_one_submission_merge_into_the_first(tmp_path):
    rows = [row(headcount=10, vacancies=1, age_55plus=2, need_1=3, need_2=1),
            row(profession_code="24110"),
            row(headcount=5, vacancies=0, age_55plus=None, need_1=1, need_2=None, education="техник"),
            row(headcount=1, vacancies=2, age_55plus=1, need_1=0, need_2=4, profession="иначе")]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows))
    assert_accounting(d)
    assert d.counts == {"files": 1, "files_failed": 0, "rows_read": 4, "accepted": 2, "merged": 2,
                        "superseded": 0, "rejected": 0}
    first = d.frame.iloc[0]
    assert (first["headcount"], first["vacancies"], first["age_55plus"], first["need_1"], first["need_2"]) == (16, 3, 3, 4, 5)
    assert first["row"] == 2 and first["profession"] == "Бухгалтер"
    merged = [(i["row"], i["message"]) for i in issues_of(d, "W_MERGED")]
    assert [m[0] for m in merged] == [4, 5] and all("row 2" in m[1] for m in merged)


def test_different_education_does_not_merge(tmp_path):
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [row(), row(education="ВО")]))
    assert d.counts["accepted"] == 2 and d.counts["merged"] == 0


def test_later_path_supersedes_when_undated(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", [row(), row(profession_code="24110"), row(inn=INN_B)])
    write_xlsx(tmp_path / "b.xlsx", [row(headcount=99), row(profession_code="bad")])
    d = read_surveys(tmp_path)
    assert_accounting(d)
    assert d.counts == {"files": 2, "files_failed": 0, "rows_read": 5, "accepted": 2, "merged": 0,
                        "superseded": 2, "rejected": 1}
    assert sorted(zip(d.frame["inn"], d.frame["headcount"])) == [(INN_A, 99), (INN_B, 10)]
    (sup,) = issues_of(d, "W_SUPERSEDED")
    assert sup["file"].endswith("a.xlsx") and sup["row"] is None and "b.xlsx" in sup["message"]
    assert INN_A in sup["message"]


def test_dated_submission_beats_undated_and_later_date_wins(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", [row(headcount=1, age_55plus=0, submitted_at=dt.date(2026, 11, 25))])
    write_xlsx(tmp_path / "b.xlsx", [row(headcount=2, age_55plus=0, submitted_at=dt.date(2026, 11, 20))])
    write_xlsx(tmp_path / "c.xlsx", [row(headcount=3, age_55plus=0)])
    d = read_surveys(tmp_path)
    assert d.frame["headcount"].tolist() == [1]
    assert d.counts["superseded"] == 2
    assert sorted(i["file"][-6:] for i in issues_of(d, "W_SUPERSEDED")) == ["b.xlsx", "c.xlsx"]


def test_equal_dates_fall_back_to_path_order(tmp_path):
    write_csv(tmp_path / "b.csv", [row(headcount=2, age_55plus=0, submitted_at="2026-11-20")])
    write_csv(tmp_path / "a.csv", [row(headcount=1, age_55plus=0, submitted_at="20.11.2026")])
    d = read_surveys(tmp_path)
    assert d.frame["headcount"].tolist() == [2] and d.frame["file"].iloc[0].endswith("b.csv")


def test_same_employer_other_year_is_not_superseded(tmp_path):
    keys = OFFSET_KEYS
    write_xlsx(tmp_path / "a.xlsx", [row(survey_year=2025)], keys=keys, english=True)
    write_xlsx(tmp_path / "b.xlsx", [row()], keys=keys, english=True)
    d = read_surveys(tmp_path)
    assert d.counts["accepted"] == 2 and d.counts["superseded"] == 0


def test_plausibility_warnings_do_not_reject(tmp_path):
    rows = [row(headcount=10, need_1=31, vacancies=0), row(profession_code="24110", headcount=10, need_1=30),
            row(profession_code="24111", headcount=3, vacancies=4, age_55plus=0),
            row(profession_code="24112", headcount=3, vacancies=3, age_55plus=0)]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows))
    got = [(i["row"], i["column"], i["code"]) for i in issues_of(d)]
    assert got == [(2, "need_1", "W_NEED_IMPLAUSIBLE"), (4, "vacancies", "W_VACANCIES_GT_HEADCOUNT")]
    assert d.counts["accepted"] == 4


def test_jump_against_previous_loaded_wave(tmp_path):
    keys = OFFSET_KEYS
    write_xlsx(tmp_path / "2024.xlsx", [row(survey_year=2024, headcount=100)], keys=keys, english=True)
    write_xlsx(tmp_path / "2025.xlsx", [row(survey_year=2025, headcount=10, age_55plus=0),
                                        row(survey_year=2025, headcount=2, age_55plus=0, profession_code="24110")],
               keys=keys, english=True)
    write_xlsx(tmp_path / "2026.xlsx", [row(headcount=50, age_55plus=0),
                                        row(headcount=2, age_55plus=0, profession_code="24110")],
               keys=keys, english=True)
    d = read_surveys(tmp_path)
    jumps = [(i["file"][-9:], i["row"], i["column"], i["value"]) for i in issues_of(d, "W_JUMP")]
    # 100 → 10 is under 1/5 (a jump); 10 → 50 is exactly 5× (not over 5×); 2 → 2 is no change
    assert jumps == [("2025.xlsx", 2, "headcount", "10")]
    d1 = read_surveys(tmp_path / "2026.xlsx")
    assert issues_of(d1, "W_JUMP") == []


def test_weights_and_coverage_from_controls(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", [row(headcount=10, age_55plus=0), row(inn=INN_B, headcount=30, age_55plus=0),
                                     row(inn=INN_C, okved="47.11", headcount=5, age_55plus=0)])
    controls = pd.DataFrame({"survey_year": [2026, 2026, 2025], "okved_section": ["K", "C", "K"],
                             "employment": [200, 1000, 7]})
    ctl = tmp_path / "controls.csv"
    controls.to_csv(ctl, index=False)
    for c in (controls, ctl):
        d = read_surveys(tmp_path / "a.xlsx", controls=c)
        assert d.frame["weight"].tolist() == [5.0, 5.0, 1.0]
        cov = d.coverage.set_index("okved_section")
        assert cov.loc["K", "coverage"] == pytest.approx(0.2) and cov.loc["K", "weight"] == 5.0
        assert cov.loc["C", "respondents_headcount"] == 0 and cov.loc["C", "coverage"] == 0
        assert math.isnan(cov.loc["C", "weight"])
        assert cov.loc["G", "weight"] == 1.0 and math.isnan(cov.loc["G", "employment"])
        assert [i["value"] for i in issues_of(d, "W_NO_CONTROL")] == ["G"]
    d = read_surveys(tmp_path / "a.xlsx")
    assert d.frame["weight"].tolist() == [1.0, 1.0, 1.0]
    assert d.coverage["respondents_headcount"].tolist() == [5, 40]


def test_bad_controls_are_clear_errors(tmp_path):
    write_xlsx(tmp_path / "a.xlsx", [row()])
    with pytest.raises(ConfigError, match="not found"):
        read_surveys(tmp_path / "a.xlsx", controls=tmp_path / "none.csv")
    bad = tmp_path / "c.csv"
    bad.write_text("survey_year,okved_section,employment\n2026,K,много\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c.csv row 2, column employment: 'много' is not a number"):
        read_surveys(tmp_path / "a.xlsx", controls=bad)
    bad.write_text("survey_year,section,employment\n", encoding="utf-8")
    with pytest.raises(InputError, match="okved_section"):
        read_surveys(tmp_path / "a.xlsx", controls=bad)


def test_missing_path_is_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        read_surveys(tmp_path / "nope")


# ---------------------------------------------------------------------------
# Accounting property: an independent model of the outcomes against read_surveys.
INNS = [INN_A, INN_B, INN_C]
PROFS = ["24109", "24110"]
KINDS = ["good", "bad_number", "bad_education", "bad_inn"]

row_st = st.tuples(st.sampled_from(INNS), st.sampled_from(PROFS), st.sampled_from(KINDS),
                   st.integers(0, 50))
files_st = st.lists(st.lists(row_st, min_size=0, max_size=6), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=files_st)
def test_accounting_matches_an_independent_model(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("acc")
    expected = {"rejected": 0, "superseded": 0, "merged": 0, "accepted": 0}
    owner: dict[str, int] = {}  # inn → last file holding a submission of it (undated: path order)
    for f, rows in enumerate(files):
        for inn, _, kind, _ in rows:
            if kind != "bad_inn":
                owner[inn] = f
    for f, rows in enumerate(files):
        seen = set()
        out = []
        for inn, prof, kind, n in rows:
            cells = row(inn=inn, profession_code=prof, headcount=n + 1, age_55plus=None, need_1=n % 3)
            if kind == "bad_number":
                cells["headcount"] = "n/a"
            elif kind == "bad_education":
                cells["education"] = "докторантура"
            elif kind == "bad_inn":
                cells["inn"] = inn[:-1]
            out.append(cells)
            if kind != "good":
                expected["rejected"] += 1
            elif owner[inn] != f:
                expected["superseded"] += 1
            elif (inn, prof) in seen:
                expected["merged"] += 1
            else:
                seen.add((inn, prof))
                expected["accepted"] += 1
        write_csv(folder / f"f{f}.csv", out)
    d = read_surveys(folder)
    assert_accounting(d)
    assert {k: d.counts[k] for k in expected} == expected
    assert d.counts["rows_read"] == sum(len(r) for r in files)
    assert not d.frame.duplicated(["survey_year", "inn", "profession_code", "education"]).any()


def test_a_missing_control_row_borrows_the_sections_nearest_weight(tmp_path):
    """Section K has controls in 2024 and 2026 but not 2025: 2025's respondents take the
    weight of the nearest year with one (2024 and 2026 tie → the earlier), not weight 1,
    which would read as the section's employment falling fivefold for a year."""
    for y in (2024, 2025, 2026):
        write_xlsx(tmp_path / f"{y}.xlsx", [row(survey_year=y, headcount=10, age_55plus=0)],
                   keys=OFFSET_KEYS, english=True)
    controls = pd.DataFrame({"survey_year": [2024, 2026], "okved_section": ["K", "K"],
                             "employment": [40, 50]})
    d = read_surveys(tmp_path, controls=controls)
    w = d.frame.set_index("survey_year")["weight"]
    assert w.loc[2024] == 4.0 and w.loc[2026] == 5.0
    assert w.loc[2025] == 4.0                       # borrowed from 2024
    (msg,) = [i["message"] for i in issues_of(d, "W_NO_CONTROL")]
    assert "2025" in msg and "2024" in msg and "4" in msg
