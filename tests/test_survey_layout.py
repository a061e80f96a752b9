"""Layout rules: header detection, sheets, columns, year-form needs, CSV encodings, totals, ignored rows."""

from __future__ import annotations

import openpyxl
import pytest

from forecast.survey import read_surveys
from _survey_forms import INN_A, INN_B, KEYS, RU, T, assert_accounting, csv_text, issues_of, row, write_csv, write_xlsx

REQ9 = ["survey_year", "inn", "employer", "okved", "profession_code", "profession", "education", "headcount", "need_1"]


def file_codes(data):
    return [(i["code"], i["row"]) for i in issues_of(data) if i["code"] in (
        "E_NO_HEADER", "E_MISSING_COLUMN", "E_MIXED_YEARS", "E_FILE_UNREADABLE", "E_FILE_TOO_LARGE")]


def test_title_block_and_column_number_row(tmp_path):
    pre = [["Анкета работодателя"], ["ИНН: 7707083893", None, "Организация: ПАО"], []]
    numbers = list(range(1, len(KEYS) + 1))
    p = write_xlsx(tmp_path / "a.xlsx", [numbers, row()], pre=pre)
    data = read_surveys(p)
    assert_accounting(data)
    assert data.counts["rows_read"] == 1 and issues_of(data) == []
    assert data.frame["row"].tolist() == [6]


def test_header_on_row_30_found_row_31_not(tmp_path):
    p30 = write_xlsx(tmp_path / "a.xlsx", [row()], pre=[["x"]] * 29)
    p31 = write_xlsx(tmp_path / "b.xlsx", [row()], pre=[["x"]] * 30)
    d = read_surveys([p30, p31])
    assert d.counts["accepted"] == 1 and d.counts["files_failed"] == 1
    assert [(i["file"].endswith("b.xlsx"), i["code"]) for i in issues_of(d)] == [(True, "E_NO_HEADER")]


def test_six_of_nine_is_a_header_five_is_not(tmp_path):
    six = REQ9[:6]
    d6 = read_surveys(write_xlsx(tmp_path / "six.xlsx", [row()], keys=six))
    assert [i["code"] for i in issues_of(d6)] == ["E_MISSING_COLUMN"]
    msg = issues_of(d6)[0]["message"]
    for k in REQ9[6:]:
        assert k in msg
    d5 = read_surveys(write_xlsx(tmp_path / "five.xlsx", [row()], keys=REQ9[:5]))
    assert [i["code"] for i in issues_of(d5)] == ["E_NO_HEADER"]
    for d in (d5, d6):
        assert d.counts["rows_read"] == 0 and d.counts["files_failed"] == 1


def test_missing_required_column_named(tmp_path):
    keys = [k for k in KEYS if k != "okved"]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [row()], keys=keys))
    (iss,) = issues_of(d)
    assert iss["code"] == "E_MISSING_COLUMN" and "okved" in iss["message"] and "Код ОКВЭД2" in iss["message"]
    assert iss["row"] is None and iss["severity"] == "error"


def test_english_keys_case_and_spaces(tmp_path):
    hdr = [f"  {k.upper()} " if i % 2 else k for i, k in enumerate(KEYS)]
    hdr[KEYS.index("inn")] = "  иНн  "
    hdr[KEYS.index("headcount")] = "Численность   работников на дату\nобследования, чел."
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [row()], header_cells=hdr))
    assert issues_of(d) == [] and d.counts["accepted"] == 1


def test_unknown_columns_warn_once_each(tmp_path):
    keys = KEYS + ["x1", "x2"]
    hdr = [RU.get(k, k) for k in KEYS] + ["Примечание", "Телефон"]
    rows = [list(row().values()) + ["a", "b"], list(row(profession_code="24110").values()) + ["c", "d"]]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows, keys=keys, header_cells=hdr))
    unk = issues_of(d, "W_UNKNOWN_COLUMN")
    assert [u["value"] for u in unk] == ["Примечание", "Телефон"]
    assert d.counts["accepted"] == 2 and d.counts["rejected"] == 0


def test_sheet_named_potrebnost_wins_else_first_with_header(tmp_path):
    p = write_xlsx(tmp_path / "a.xlsx", [row()], extra_sheets=["Титул"])
    d = read_surveys(p)
    assert d.frame["sheet"].tolist() == ["Потребность"]
    p2 = write_xlsx(tmp_path / "b.xlsx", [row()], sheet="Лист2", extra_sheets=["Лист1"])
    d2 = read_surveys(p2)
    assert d2.frame["sheet"].tolist() == ["Лист2"]
    wb = openpyxl.load_workbook(p2)
    wb.create_sheet("Потребность")["A1"] = "пусто"
    wb.save(tmp_path / "c.xlsx")
    d3 = read_surveys(tmp_path / "c.xlsx")
    assert [i["code"] for i in issues_of(d3)] == ["E_NO_HEADER"]


def test_year_form_need_headers(tmp_path):
    keys = REQ9[:-1] + ["need_1", "need_2"]
    hdr = [RU[k] for k in REQ9[:-1]] + ["Потребность 2028", "Дополнительная потребность в 2027 г., чел."]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [[T, INN_A, "ПАО", "64.19", "24109", "Бухгалтер", "ВО", 10, 5, 7]],
                                keys=keys, header_cells=hdr))
    assert issues_of(d) == []
    r = d.frame.iloc[0]
    assert (r["need_1"], r["need_2"]) == (7, 5)


def test_year_form_beyond_horizon_warns(tmp_path):
    hdr = [RU[k] for k in REQ9[:-1]] + ["Потребность 2027", "Потребность 2040"]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [[T, INN_A, "ПАО", "64.19", "24109", "Бухгалтер", "ВО", 10, 5, 7]],
                                keys=list(range(10)), header_cells=hdr))
    assert [(i["code"], i["value"]) for i in issues_of(d)] == [("W_UNKNOWN_COLUMN", "Потребность 2040")]
    assert d.frame["need_1"].tolist() == [5]


def test_mixed_years_with_year_headers_fail_but_not_with_offsets(tmp_path):
    rows = [row(), row(survey_year=2025, inn=INN_B)]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows))
    assert file_codes(d) == [("E_MIXED_YEARS", None)] and d.counts["rows_read"] == 0
    assert "2025, 2026" in issues_of(d)[0]["message"]
    keys = [k for k in KEYS if not k.startswith("need")] + ["need_1"]
    d2 = read_surveys(write_xlsx(tmp_path / "b.xlsx", rows, keys=keys, english=True))
    assert issues_of(d2) == [] and sorted(d2.frame["survey_year"]) == [2025, 2026]


def test_totals_row_checked(tmp_path):
    rows = [row(headcount=10, vacancies=1, need_1=3), row(profession_code="24110", headcount=5, vacancies=0, need_1=2),
            {"employer": "Итого", "headcount": 15, "vacancies": 2, "need_1": 5},
            row(profession_code="24111", headcount=4, need_1=1, age_55plus=0),
            row(profession_code="24112", headcount="x"),
            {"profession": "  всего по организации", "headcount": 4, "need_1": 1}]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows))
    assert_accounting(d)
    assert d.counts["rows_read"] == 4  # totals rows are not data rows
    mism = [(i["row"], i["column"], i["value"]) for i in issues_of(d, "W_TOTAL_MISMATCH")]
    assert mism == [(4, "vacancies", "2")]


def test_ignored_rows_once_per_sheet(tmp_path):
    rows = [row(), {"employer": "Руководитель ______ Иванов И.И."}, {"profession": "М.П."}, [None] * 5]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", rows))
    ign = issues_of(d, "W_IGNORED_ROWS")
    assert len(ign) == 1 and ign[0]["row"] == 3 and "2 row(s)" in ign[0]["message"]
    assert d.counts["rows_read"] == 1


def test_csv_line_numbers_blank_lines_and_multiline_cells(tmp_path):
    text = csv_text([row(), row(profession_code="24110", profession="Бухгалтер\nстарший"),
                     row(profession_code="bad")])
    lines = text.split("\n")
    text = "\n".join(lines[:2] + [""] + lines[2:])  # a blank line after the first data row
    p = tmp_path / "a.csv"
    p.write_text(text, encoding="utf-8")
    d = read_surveys(p)
    assert d.frame["row"].tolist() == [2, 4]
    assert [(i["row"], i["code"]) for i in issues_of(d)] == [(6, "E_PROFESSION_CODE")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    p = write_csv(tmp_path / "a.csv", [row(employer="ООО «Ёлка»")], encoding=encoding, delimiter=delimiter)
    d = read_surveys(p)
    assert issues_of(d) == [] and d.frame["employer"].tolist() == ["ООО «Ёлка»"]
    assert d.frame["sheet"].tolist() == [None]


def test_messy_cp1251_semicolon_csv_from_a_spreadsheet_export(tmp_path):
    # as a regional office would export it: title line, semicolons, decimal commas,
    # NBSP thousands, numbers as text, a column-number row
    text = ("Сведения о потребности в кадрах;;;;;;;;;\n"
            "Год обследования;ИНН;Наименование работодателя;Код ОКВЭД2;Код профессии (ОКПДТР);"
            "Наименование профессии (должности);Требуемый уровень образования;"
            "Численность работников на дату обследования, чел.;Потребность 2027;Потребность 2028\n"
            "1;2;3;4;5;6;7;8;9;10\n"
            f"2026;{INN_A};ПАО «Банк»;64.19;24109;Бухгалтер;СПО ППССЗ;1\u00a0250,0;12,0;\"3\"\n"
            f"2026;{INN_A};ПАО «Банк»;64.19;24110;Кассир;ПО;1 000;2;\n")
    p = tmp_path / "export.csv"
    p.write_bytes(text.encode("cp1251"))
    d = read_surveys(p)
    assert d.frame[["headcount", "need_1", "need_2"]].values.tolist() == [[1250, 12, 3], [1000, 2, 0]]
    assert d.frame["row"].tolist() == [4, 5]
    assert [i["code"] for i in issues_of(d)] == ["W_ALIAS"]


def test_empty_csv_and_header_only(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    write_csv(tmp_path / "h.csv", [])
    d = read_surveys(tmp_path)
    assert [(i["file"][-5:], i["code"]) for i in issues_of(d)] == [("e.csv", "E_NO_HEADER")]
    assert d.counts["files"] == 2 and d.counts["files_failed"] == 1 and d.counts["rows_read"] == 0


def test_folder_walk_order_and_skipped(tmp_path):
    (tmp_path / "2026").mkdir()
    (tmp_path / "2025").mkdir()
    write_xlsx(tmp_path / "2026" / "b.xlsx", [row()])
    write_csv(tmp_path / "2026" / "A.csv", [row(inn=INN_B)])
    write_xlsx(tmp_path / "2025" / "z.XLSX", [row(survey_year=2025)], keys=REQ9, english=True)
    (tmp_path / "2026" / "~$b.xlsx").write_bytes(b"lock")
    (tmp_path / "notes.txt").write_text("x")
    d = read_surveys(tmp_path)
    files = [f.replace(tmp_path.as_posix(), "") for f in d.frame["file"]]
    assert files == ["/2025/z.XLSX", "/2026/A.csv", "/2026/b.xlsx"]
    assert [(s["file"].replace(tmp_path.as_posix(), ""), "lock" in s["reason"]) for s in d.skipped] == [
        ("/2026/~$b.xlsx", True), ("/notes.txt", False)]
    assert d.counts["files"] == 3


def test_numbers_row_with_a_gap_is_data_not_skipped(tmp_path):
    gap = [1, 2, None, 3] + [None] * (len(KEYS) - 4)
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [gap, row()]))
    assert_accounting(d)
    assert d.counts["rows_read"] == 2 and d.counts["rejected"] == 1
    assert (2, "profession_code", "E_REQUIRED") in [(i["row"], i["column"], i["code"]) for i in issues_of(d)]


def test_second_column_for_a_key_is_ambiguous(tmp_path):
    # version 2: a column named twice in one header fails the file with E_MISSING_COLUMN
    keys = KEYS + ["dup"]
    hdr = [RU[k] for k in KEYS] + ["ИНН"]
    d = read_surveys(write_xlsx(tmp_path / "a.xlsx", [list(row().values()) + ["garbage"]], keys=keys, header_cells=hdr))
    (iss,) = issues_of(d)
    assert (iss["code"], iss["row"]) == ("E_MISSING_COLUMN", None)
    assert "inn" in iss["message"] and "twice" in iss["message"] and "ambiguous" in iss["message"]
