"""Every row rule of survey-format.md: a good and a bad case each (hand-written expectations)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from forecast.survey import read_surveys
from _survey_forms import INN_A, INN_C, KEYS, RU, assert_accounting, issues_of, row, write_csv, write_xlsx


def read_rows(tmp_path, rows, fmt="xlsx", **kw):
    path = tmp_path / f"form.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_csv)(path, rows, **kw)
    data = read_surveys(path)
    assert_accounting(data)
    return data


def codes(data, column=None):
    return [(i["row"], i["column"], i["value"], i["code"]) for i in issues_of(data)
            if column is None or i["column"] == column]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_good_row_is_accepted_with_types(tmp_path, fmt):
    data = read_rows(tmp_path, [row()], fmt)
    assert data.counts == {"files": 1, "files_failed": 0, "rows_read": 1, "accepted": 1,
                           "merged": 0, "superseded": 0, "rejected": 0}
    assert issues_of(data) == []
    r = data.frame.iloc[0]
    assert (r["survey_year"], r["inn"], r["okved_section"], r["education"]) == (2026, INN_A, "K", "СПО-ССЗ")
    assert (r["headcount"], r["vacancies"], r["age_55plus"], r["need_1"], r["need_2"], r["need_3"], r["need_4"]) == (10, 1, 2, 3, 2, 1, 0)
    assert r["row"] == 2 and r["weight"] == 1.0


@pytest.mark.parametrize("key", ["survey_year", "inn", "employer", "okved", "profession_code",
                                 "profession", "education", "headcount", "need_1"])
def test_required_empty_rejects(tmp_path, key):
    data = read_rows(tmp_path, [row(**{key: None})])
    assert codes(data) == [(2, key, None, "E_REQUIRED")]
    assert data.counts["rejected"] == 1


def test_optional_empty_defaults(tmp_path):
    data = read_rows(tmp_path, [row(vacancies=None, age_55plus=None, need_2=None, municipality=None)])
    r = data.frame.iloc[0]
    assert r["vacancies"] == 0 and r["need_2"] == 0 and math.isnan(r["age_55plus"])
    assert r["municipality"] is None
    assert issues_of(data) == []


@pytest.mark.parametrize("value,code", [("много", "E_NOT_NUMBER"), (True, "E_NOT_NUMBER"),
                                        ("-", "E_NOT_NUMBER"), (1e15, "E_NOT_NUMBER"), ("inf", "E_NOT_NUMBER"),
                                        ("12,5", "E_NOT_INTEGER"), (12.5, "E_NOT_INTEGER"),
                                        (-1, "E_NEGATIVE"), ("-3", "E_NEGATIVE")])
def test_bad_numbers(tmp_path, value, code):
    data = read_rows(tmp_path, [row(vacancies=value)])
    assert [c[3] for c in codes(data)] == [code]
    assert codes(data)[0][1] == "vacancies"


@pytest.mark.parametrize("value,expected", [("15", 15), ("12,0", 12), (" 1 200 ", 1200),
                                            ("1\u00a0200", 1200), (12.0, 12), ("7.0", 7)])
def test_numbers_as_text_are_numbers(tmp_path, value, expected):
    data = read_rows(tmp_path, [row(headcount=value, age_55plus=None, need_1=0)])
    assert issues_of(data) == []
    assert data.frame["headcount"].iloc[0] == expected


@pytest.mark.parametrize("year,ok", [(1999, False), (2000, True), (2100, True), (2101, False), (-2026, False)])
def test_survey_year_range(tmp_path, year, ok):
    keys = [k for k in KEYS if not k.startswith("need_")] + ["need_1"]
    hdr = [RU[k] if k != "need_1" else "need_1" for k in keys]
    data = read_rows(tmp_path, [row(survey_year=year)], keys=keys, header_cells=hdr)
    assert codes(data) == ([] if ok else [(2, "survey_year", str(year), "E_SURVEY_YEAR")])


@pytest.mark.parametrize("inn,code", [("12345", "E_INN_FORMAT"), ("77070838931", "E_INN_FORMAT"),
                                      ("77070838ab", "E_INN_FORMAT"), ("7707083894", "E_INN_CHECKSUM"),
                                      ("500100732258", "E_INN_CHECKSUM")])
def test_bad_inn(tmp_path, inn, code):
    data = read_rows(tmp_path, [row(inn=inn)])
    assert codes(data) == [(2, "inn", inn, code)]


def test_inn_good_forms(tmp_path):
    data = read_rows(tmp_path, [row(inn=INN_C), row(inn=7707083893, profession_code="24110")])
    assert issues_of(data) == []
    assert data.frame["inn"].tolist() == [INN_C, INN_A]


def test_inn_with_leading_zero_kept_as_text_and_lost_as_number(tmp_path):
    from forecast.classifiers import make_inn

    inn = make_inn("027406211")
    assert inn.startswith("0")
    data = read_rows(tmp_path, [row(inn=inn), row(inn=int(inn), profession_code="24110")])
    assert data.frame["inn"].tolist() == [inn]
    assert codes(data) == [(3, "inn", inn[1:], "E_INN_FORMAT")]


@pytest.mark.parametrize("okved", ["04.1", "4711", "47.1.1", "47.11.111", "AB", "47,11"])
def test_bad_okved(tmp_path, okved):
    data = read_rows(tmp_path, [row(okved=okved)])
    assert codes(data) == [(2, "okved", okved, "E_OKVED")]


@pytest.mark.parametrize("okved,section", [("01", "A"), ("47.1", "G"), ("47.11", "G"), ("47.11.1", "G"),
                                           ("47.11.11", "G"), (85.41, "P"), (35, "D")])
def test_good_okved(tmp_path, okved, section):
    data = read_rows(tmp_path, [row(okved=okved)])
    assert issues_of(data) == []
    assert data.frame["okved_section"].iloc[0] == section


@pytest.mark.parametrize("code,ok", [("123", False), ("123456", False), ("1234a", False),
                                     ("7231", True), (24109, True), ("01234", True)])
def test_profession_code(tmp_path, code, ok):
    data = read_rows(tmp_path, [row(profession_code=code)])
    if ok:
        assert issues_of(data) == [] and data.frame["profession_code"].iloc[0] == str(code)
    else:
        assert codes(data) == [(2, "profession_code", str(code), "E_PROFESSION_CODE")]


def test_education_levels_aliases_and_errors(tmp_path):
    rows = [row(education="СПО-КРС", profession_code="11111"),
            row(education="  спо – крс ", profession_code="11112"),
            row(education="ППССЗ", profession_code="11113"),
            row(education="магистр", profession_code="11114"),
            row(education="магистр", profession_code="11115"),
            row(education="аспирантура", profession_code="11116")]
    data = read_rows(tmp_path, rows)
    assert data.frame["education"].tolist() == ["СПО-КРС", "СПО-КРС", "СПО-ССЗ", "ВО", "ВО"]
    got = codes(data)
    assert got == [(4, "education", "ППССЗ", "W_ALIAS"), (5, "education", "магистр", "W_ALIAS"),
                   (6, "education", "магистр", "W_ALIAS"), (7, "education", "аспирантура", "E_EDUCATION")]
    alias = issues_of(data, "W_ALIAS")
    assert "СПО-ССЗ" in alias[0]["message"] and "ВО" in alias[2]["message"]


def test_age_above_headcount(tmp_path):
    data = read_rows(tmp_path, [row(age_55plus=11, headcount=10), row(age_55plus=10, headcount=10, profession_code="24110")])
    assert codes(data) == [(2, "age_55plus", "11", "E_AGE_GT_HEADCOUNT")]
    assert data.counts["accepted"] == 1


@pytest.mark.parametrize("value,expected", [(dt.date(2026, 11, 20), "2026-11-20"), ("2026-11-20", "2026-11-20"),
                                            ("20.11.2026", "2026-11-20"), (dt.datetime(2026, 11, 20, 9, 30), "2026-11-20")])
def test_good_dates(tmp_path, value, expected):
    data = read_rows(tmp_path, [row(submitted_at=value)])
    assert issues_of(data) == []
    assert str(data.frame["submitted_at"].iloc[0].date()) == expected


@pytest.mark.parametrize("value", ["32.13.2026", "вчера", "2026-02-30", "20/11/2026"])
def test_bad_dates(tmp_path, value):
    data = read_rows(tmp_path, [row(submitted_at=value)])
    assert codes(data) == [(2, "submitted_at", value, "E_DATE")]


def test_formula_without_cached_value_is_e_formula_alone(tmp_path):
    # openpyxl writes formulas without cached values, as a script would
    data = read_rows(tmp_path, [row(headcount="=5+5", age_55plus=None), row(profession_code="24110")])
    assert codes(data) == [(2, "headcount", None, "E_FORMULA")]
    assert data.counts["accepted"] == 1


def test_formula_with_cached_value_is_read(tmp_path):
    import re
    import zipfile

    src = write_xlsx(tmp_path / "f.xlsx", [row(headcount="=5+5")])
    out = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb"<f>5\+5</f><v\s*/>|<f>5\+5</f><v></v>|<f>5\+5</f>", b"<f>5+5</f><v>10</v>", data)
                assert n == 1
            zout.writestr(info, data)
    data = read_surveys(out)
    assert issues_of(data) == []
    assert data.frame["headcount"].iloc[0] == 10


def test_totals_row_of_sum_formulas_without_values_is_not_data(tmp_path):
    # a script (openpyxl) writes =SUM(...) without cached values: the totals row is still a
    # totals row (its formulas are not checked), not a rejected data row
    rows = [row(), row(profession_code="24110"),
            {"employer": "Итого", "headcount": "=SUM(I2:I3)", "need_1": "=SUM(L2:L3)"}]
    data = read_rows(tmp_path, rows)
    assert data.counts["rows_read"] == 2 and data.counts["accepted"] == 2
    assert issues_of(data) == []


def test_formula_only_in_an_unknown_column_does_not_make_a_row(tmp_path):
    from _survey_forms import RU

    keys = KEYS + ["note"]
    hdr = [RU[k] for k in KEYS] + ["Примечание"]
    rows = [list(row().values()) + [None], [None] * len(KEYS) + ["=1+1"]]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows, keys=keys, header_cells=hdr))
    assert d.counts["rows_read"] == 1 and d.counts["rejected"] == 0
