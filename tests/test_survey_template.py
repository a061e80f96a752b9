"""The blank form: layout, input rules, determinism, and the round trip through read_surveys."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile

import openpyxl
import pandas as pd
import pytest

from forecast.classifiers import EDUCATION_LEVELS, OKVED_DIVISIONS, make_inn
from forecast.errors import ConfigError
from forecast.survey import read_surveys
from forecast.survey.template import write_template

EXPECTED = ["Год обследования", "ИНН", "Наименование работодателя", "Код ОКВЭД2",
            "Муниципальное образование", "Код профессии (ОКПДТР)", "Наименование профессии (должности)",
            "Требуемый уровень образования", "Численность работников на дату обследования, чел.",
            "Вакансии на дату обследования, чел.", "Из них в возрасте 55 лет и старше, чел."]


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    p = tmp_path_factory.mktemp("tpl") / "form.xlsx"
    write_template(p, 2026)
    return p


def test_sheets_and_header(form):
    wb = openpyxl.load_workbook(form)
    assert wb.sheetnames == ["Потребность", "Справочники", "Инструкция"]
    assert wb["Справочники"].sheet_state == "hidden"
    ws = wb["Потребность"]
    header = [c.value for c in ws[4]]
    needs = [f"Дополнительная потребность в {y} г., чел." for y in range(2027, 2034)]  # default horizon 7
    assert header == EXPECTED + needs + ["Дата заполнения"]
    assert ws.freeze_panes == "A5"
    assert ws["A1"].value and "2026" in ws["A1"].value
    assert ws.column_dimensions["C"].width >= 20
    assert "Как заполнить" in wb["Инструкция"]["A1"].value


def test_input_rules(form):
    ws = openpyxl.load_workbook(form)["Потребность"]
    rules = {str(dv.sqref)[0]: dv for dv in ws.data_validations.dataValidation if " " not in str(dv.sqref)}
    edu = rules["H"]
    assert edu.type == "list" and edu.formula1.strip('"').split(",") == list(EDUCATION_LEVELS)
    okv = rules["D"]
    assert okv.type == "list" and okv.formula1 == f"'Справочники'!$A$2:$A${len(OKVED_DIVISIONS) + 1}"
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole" and dv.operator == "greaterThanOrEqual"]
    (whole,) = whole
    cols = sorted({r[0] for r in str(whole.sqref).split()})
    assert cols == list("IJKLMNOPQR")  # headcount, vacancies, age 55+, 7 need columns
    assert whole.formula1 == "0"
    lists = openpyxl.load_workbook(form)["Справочники"]
    codes = [lists.cell(r, 1).value for r in range(2, len(OKVED_DIVISIONS) + 2)]
    assert codes == sorted(OKVED_DIVISIONS) and codes[0] == "01"
    # text format by column (ИНН B, ОКВЭД2 D, profession code F): what is typed keeps its zeros
    assert [ws.column_dimensions[c].number_format for c in "BDF"] == ["@", "@", "@"]
    assert ws.column_dimensions["S"].number_format == "DD.MM.YYYY"
    assert ws.column_dimensions["I"].number_format == "General"


def test_deterministic_bytes_and_timestamps(tmp_path, form):
    p = tmp_path / "again.xlsx"
    write_template(p, 2026)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == hashlib.sha256(form.read_bytes()).hexdigest()
    props = openpyxl.load_workbook(p).properties
    assert props.created == dt.datetime(2026, 11, 1) and props.modified == dt.datetime(2026, 11, 1)
    write_template(tmp_path / "other.xlsx", 2025)
    assert (tmp_path / "other.xlsx").read_bytes() != form.read_bytes()


@pytest.mark.parametrize("horizon", [0, 11, -1])
def test_bad_horizon(tmp_path, horizon):
    with pytest.raises(ConfigError, match="horizon"):
        write_template(tmp_path / "x.xlsx", 2026, horizon=horizon)


def test_horizon_ten(tmp_path):
    write_template(tmp_path / "x.xlsx", 2030, horizon=10)
    header = [c.value for c in openpyxl.load_workbook(tmp_path / "x.xlsx")["Потребность"][4]]
    assert header[-2] == "Дополнительная потребность в 2040 г., чел." and len(header) == 11 + 10 + 1


def test_blank_form_reads_as_no_rows(form):
    d = read_surveys(form)
    assert d.counts["rows_read"] == 0 and d.counts["files_failed"] == 0
    assert d.report()["issues"] == []


def test_round_trip_filled_form_reads_back_unchanged(tmp_path, form):
    wb = openpyxl.load_workbook(form)
    ws = wb["Потребность"]
    inn0 = make_inn("027406211")  # leading zero, typed into the text-formatted cell
    entered = [
        [2026, "7707083893", "ПАО «Банк»", "64.19", "г. Энск", "24109", "Бухгалтер", "СПО-ССЗ", 12, 1, 3, 2, 1, 0, 0, 0, 0, 5, dt.date(2026, 11, 20)],
        [2026, inn0, "ООО Ромашка", "47.11", None, "17353", "Продавец", "СПО-КРС", 40, 0, None, 6, 6, 6, 6, 6, 6, 6, None],
        [2026, "500100732259", "ИП Петров", "01.13", "Энский р-н", "7231", "Механик", "ПО", 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, dt.date(2026, 11, 21)],
    ]
    for i, values in enumerate(entered):
        for j, v in enumerate(values, start=1):
            ws.cell(5 + i, j).value = v
    wb.save(tmp_path / "filled.xlsx")
    d = read_surveys(tmp_path / "filled.xlsx")
    assert d.report()["issues"] == []
    f = d.frame
    assert f["inn"].tolist() == ["7707083893", inn0, "500100732259"]
    assert f["okved"].tolist() == ["64.19", "47.11", "01.13"]
    assert f["okved_section"].tolist() == ["K", "G", "A"]
    # an empty optional text cell is missing (None or NaN, by pandas version), not ""
    assert [None if pd.isna(v) else v for v in f["municipality"]] == ["г. Энск", None, "Энский р-н"]
    assert f["profession_code"].tolist() == ["24109", "17353", "7231"]
    assert f["headcount"].tolist() == [12, 40, 3] and f["vacancies"].tolist() == [1, 0, 0]
    assert f["age_55plus"].fillna(-1).tolist() == [3, -1, 0]
    assert f[[f"need_{k}" for k in range(1, 8)]].values.tolist() == [r[11:18] for r in entered]
    assert (f[["need_8", "need_9", "need_10"]] == 0).all().all()
    assert [None if x != x else x.date() for x in f["submitted_at"]] == [dt.date(2026, 11, 20), None, dt.date(2026, 11, 21)]
    assert f["row"].tolist() == [5, 6, 7] and set(f["sheet"]) == {"Потребность"}


def test_ods_template_by_extension(tmp_path):
    import python_calamine as pc

    p = tmp_path / "form.ods"
    write_template(p, 2026, horizon=3)
    meta = {m.name: str(m.visible) for m in pc.CalamineWorkbook.from_path(str(p)).sheets_metadata}
    assert list(meta) == ["Потребность", "Справочники", "Инструкция"]
    assert meta["Справочники"].endswith("Hidden") and meta["Потребность"].endswith("Visible")
    rows = pc.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Потребность").to_python()
    needs = [f"Дополнительная потребность в {y} г., чел." for y in (2027, 2028, 2029)]
    assert rows[3] == EXPECTED + needs + ["Дата заполнения"]
    lists = pc.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Справочники").to_python()
    assert [r[0] for r in lists[1:]] == sorted(OKVED_DIVISIONS)  # text: "01" keeps its zero
    with zipfile.ZipFile(p) as z:
        first = z.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        content = z.read("content.xml")
    assert b"<!DOCTYPE" not in content and b'table:display="false"' in content
    # the blank form reads back: its header is found, nothing is read, nothing is wrong
    d = read_surveys(p)
    assert d.counts["files"] == 1 and d.counts["files_failed"] == 0 and d.counts["rows_read"] == 0
    assert len(d.issues) == 0
    q = tmp_path / "again.ods"
    write_template(q, 2026, horizon=3)
    assert p.read_bytes() == q.read_bytes()


def test_ods_template_escapes_text(tmp_path, monkeypatch):
    # a text with XML metacharacters is escaped, never injected as markup
    from forecast.survey import template

    monkeypatch.setitem(template.HEADERS_RU, "employer", 'Наименование <работодателя> & "Ко"')
    p = tmp_path / "form.ods"
    write_template(p, 2026, horizon=1)
    import python_calamine as pc

    rows = pc.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Потребность").to_python()
    assert rows[3][2] == 'Наименование <работодателя> & "Ко"'


@pytest.mark.parametrize("name", ["form.csv", "form.xls", "form"])
def test_other_extensions_are_a_usage_error(tmp_path, name):
    with pytest.raises(ConfigError, match="xlsx or .ods"):
        write_template(tmp_path / name, 2026)
    assert not (tmp_path / name).exists()
