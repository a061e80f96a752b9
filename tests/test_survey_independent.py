"""Survey forms written independently of the reader, from survey-format.md alone.

Each test lays out a form the way an official might (Excel, LibreOffice, 1C exports, CSV in
either encoding), and states the expected outcome by hand from the contract: counts, values,
issue codes and row numbers. Nothing here is produced by the code under test. The helpers
below lay cells out and nothing more (they do not reuse the reader's schema, so a header
typo in the reader would show).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

import forecast

# --- the form as survey-format.md writes it --------------------------------------------
RU = {
    "survey_year": "Год обследования",
    "inn": "ИНН",
    "employer": "Наименование работодателя",
    "okved": "Код ОКВЭД2",
    "municipality": "Муниципальное образование",
    "profession_code": "Код профессии (ОКПДТР)",
    "profession": "Наименование профессии (должности)",
    "education": "Требуемый уровень образования",
    "headcount": "Численность работников на дату обследования, чел.",
    "vacancies": "Вакансии на дату обследования, чел.",
    "age_55plus": "Из них в возрасте 55 лет и старше, чел.",
    "need_1": "Дополнительная потребность в 2027 г., чел.",
    "need_2": "Дополнительная потребность в 2028 г., чел.",
    "submitted_at": "Дата заполнения",
}
COLS = list(RU)
COUNT_KEYS = ("files", "files_failed", "rows_read", "accepted", "merged", "superseded", "rejected")


def _inn10_ok(s: str) -> bool:
    w = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return len(s) == 10 and int(s[9]) == sum(int(a) * b for a, b in zip(s, w)) % 11 % 10


def _inn12_ok(s: str) -> bool:
    w1 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    w2 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    return (len(s) == 12 and int(s[10]) == sum(int(a) * b for a, b in zip(s, w1)) % 11 % 10
            and int(s[11]) == sum(int(a) * b for a, b in zip(s, w2)) % 11 % 10)


INN_A, INN_B, INN_IP = "7707083893", "7736207543", "500100732259"
INN_ZERO = "0123456788"  # leading zero; check digit by hand: (0·2+1·4+2·10+…+8·8) mod 11 mod 10 = 8
BAD_CHECKSUM = "7707083890"


def test_inn_constants_are_valid_by_hand():
    assert _inn10_ok(INN_A) and _inn10_ok(INN_B) and _inn10_ok(INN_ZERO)
    assert _inn12_ok(INN_IP)
    assert not _inn10_ok(BAD_CHECKSUM)


def rec(**kw) -> dict:
    d = dict(survey_year=2026, inn=INN_A, employer="ООО «Ромашка»", okved="41.20",
             municipality="г. Энск", profession_code="12680", profession="Каменщик",
             education="СПО-КРС", headcount=10, vacancies=1, age_55plus=2, need_1=3, need_2=1,
             submitted_at="2026-11-20")
    d.update(kw)
    return d


def write_xlsx(path: Path, rows, header=None, above=(), sheet="Потребность", cols=COLS,
               before=()) -> Path:
    """rows: dicts (laid out by ``cols``) or raw lists; ``before``: (name, rows) sheets first."""
    wb = openpyxl.Workbook()
    first = wb.active
    for name, content in before:
        ws = wb.create_sheet(name)
        for r in content:
            ws.append(list(r))
    ws = wb.create_sheet(sheet)
    wb.remove(first)
    for r in above:
        ws.append(list(r))
    ws.append(list(header) if header is not None else [RU[c] for c in cols])
    for r in rows:
        ws.append([r.get(c) for c in cols] if isinstance(r, dict) else list(r))
    wb.save(path)
    return path


def csv_lines(rows, sep=";", header=None, cols=COLS) -> list[str]:
    def q(x) -> str:
        x = "" if x is None else str(x)
        return '"' + x.replace('"', '""') + '"' if (sep in x or '"' in x or "\n" in x) else x
    out = [sep.join(q(h) for h in (header if header is not None else [RU[c] for c in cols]))]
    for r in rows:
        out.append(sep.join(q(r.get(c)) for c in cols) if isinstance(r, dict) else r)
    return out


def write_csv(path: Path, lines, encoding="utf-8", newline="\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def read(*paths):
    s = forecast.read_surveys([str(p) for p in paths])
    rep = s.report()
    # nothing is lost, in every case
    assert rep["rows_read"] == rep["accepted"] + rep["merged"] + rep["superseded"] + rep["rejected"]
    assert rep["accepted"] == len(s.frame)
    return s, rep


def counts(rep) -> tuple:
    return tuple(rep[k] for k in COUNT_KEYS)


def codes(rep, severity=None) -> list[tuple]:
    """(file name, row, column, code) of each issue."""
    return [(Path(i["file"]).name, i["row"], i["column"], i["code"]) for i in rep["issues"]
            if severity is None or i["severity"] == severity]


def patch_sheet_xml(path: Path, edits: dict[str, str], part="xl/worksheets/sheet1.xml") -> None:
    """Rewrite cells of a saved workbook's sheet XML (e.g. give a formula a cached value)."""
    with zipfile.ZipFile(path) as zf:
        members = [(i, zf.read(i.filename)) for i in zf.infolist()]
    out = []
    for info, data in members:
        if info.filename == part:
            text = data.decode("utf-8")
            for old, new in edits.items():
                assert old in text, old
                text = text.replace(old, new)
            data = text.encode("utf-8")
        out.append((info.filename, data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in out:
            zf.writestr(name, data)


# --- headers ----------------------------------------------------------------------------
def test_headers_with_line_breaks_nbsp_case_and_english_keys(tmp_path):
    header = ["ГОД  ОБСЛЕДОВАНИЯ", " инн ", "Наименование\nработодателя", "Код\u00a0ОКВЭД2",
              "municipality", "код профессии\n(ОКПДТР)", "Наименование профессии\r\n(должности)",
              "Требуемый уровень\tобразования",
              "Численность работников на дату обследования,\nчел.", "VACANCIES",
              "Из них в возрасте 55 лет и старше, чел.", "Need_1", "need_2", "Submitted_At"]
    s, rep = read(write_xlsx(tmp_path / "f.xlsx", [rec(need_1=4, need_2=2)], header=header))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert rep["issues"] == []
    r = s.frame.iloc[0]
    assert (r["headcount"], r["vacancies"], r["age_55plus"], r["need_1"], r["need_2"]) == (10, 1, 2, 4, 2)
    assert r["municipality"] == "г. Энск"


def test_header_punctuation_is_normalised(tmp_path):
    # spec v2: every character that is not a letter or digit becomes a space, so `ИНН:`
    # names inn (version 1 matched after trimming white space only)
    header = [RU[c] for c in COLS]
    header[1] = "ИНН:"
    s, rep = read(write_xlsx(tmp_path / "f.xlsx", [rec()], header=header))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert rep["issues"] == []


def test_header_in_row_30_found_row_31_not(tmp_path):
    title = [["Сведения о потребности в кадрах"]] * 29
    s, rep = read(write_xlsx(tmp_path / "r30.xlsx", [rec(), rec(profession_code="1")], above=title))
    assert counts(rep) == (1, 0, 2, 1, 0, 0, 1)
    assert s.frame["row"].tolist() == [31]
    assert codes(rep) == [("r30.xlsx", 32, "profession_code", "E_PROFESSION_CODE")]
    # the one-cell note on row 30 adds no column name: (30, 31) is not a header pair
    s, rep = read(write_xlsx(tmp_path / "r31.xlsx", [rec()], above=title + [["ещё строка"]]))
    assert counts(rep) == (1, 1, 0, 0, 0, 0, 0)
    assert codes(rep) == [("r31.xlsx", None, None, "E_NO_HEADER")]


def test_title_block_merged_cells_offset_table_and_numbers_row(tmp_path):
    # a table starting in column C under a merged title, a "№ п/п" column, a row of column
    # numbers, a signature below: rows numbered as Excel shows them
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Лист1"
    ws["B1"] = "Сведения о потребности в кадрах на 2027–2028 гг."
    ws.merge_cells("B1:N1")
    ws["B2"] = "Организация:"
    ws["D2"] = "ООО «Ромашка»"
    ws.merge_cells("D2:H2")
    ws.append([])                                                    # row 3
    ws.append([None, "№ п/п"] + [RU[c] for c in COLS])               # row 4: header
    ws.append([None] + list(range(1, 16)))                           # row 5: column numbers
    ws.append([None, 1] + [rec()[c] for c in COLS])                  # row 6
    ws.append([None, 2] + [rec(profession_code="7123", headcount="abc")[c] for c in COLS])  # row 7
    ws.append([])                                                    # row 8
    ws["C9"] = "Руководитель ____________ И. И. Иванов"              # row 9
    ws.merge_cells("C9:F9")
    wb.save(tmp_path / "f.xlsx")
    s, rep = read(tmp_path / "f.xlsx")
    assert counts(rep) == (1, 0, 2, 1, 0, 0, 1)
    assert s.frame["row"].tolist() == [6]
    assert codes(rep) == [("f.xlsx", 4, None, "W_UNKNOWN_COLUMN"),
                          ("f.xlsx", 7, "headcount", "E_NOT_NUMBER"),
                          ("f.xlsx", 9, None, "W_IGNORED_ROWS")]
    assert rep["issues"][0]["value"] == "№ п/п"
    assert rep["issues"][1]["value"] == "abc"


def test_data_sheet_named_potrebnost_wins_and_instructions_sheet_skipped(tmp_path):
    other = [[RU[c] for c in COLS], [rec(inn=INN_B)[c] for c in COLS]]
    s, rep = read(write_xlsx(tmp_path / "p.xlsx", [rec()], before=[("Свод", other)]))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert s.frame["inn"].tolist() == [INN_A] and s.frame["sheet"].tolist() == ["Потребность"]
    instr = [["Инструкция по заполнению"], ["ИНН — 10 или 12 цифр"], ["Код ОКВЭД2 — NN.NN"]]
    s, rep = read(write_xlsx(tmp_path / "i.xlsx", [rec()], sheet="Данные", before=[("Инструкция", instr)]))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert s.frame["sheet"].tolist() == ["Данные"]


def test_year_form_need_headers(tmp_path):
    header = [RU[c] for c in COLS]
    header[COLS.index("need_1")] = "Потребность 2027"
    header[COLS.index("need_2")] = "Дополнительная потребность в 2028 г., чел."
    s, rep = read(write_xlsx(tmp_path / "y.xlsx", [rec(need_1=5, need_2=7)], header=header))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert (s.frame["need_1"].iloc[0], s.frame["need_2"].iloc[0]) == (5, 7)
    # the grammatical "в … году" is a year standing in a need header too
    header2 = list(header)
    header2[COLS.index("need_1")] = "Потребность в 2027 году"
    header2[COLS.index("need_2")] = "Дополнительная потребность\nв 2028 году, чел."
    s, rep = read(write_xlsx(tmp_path / "y2.xlsx", [rec(need_1=5, need_2=7)], header=header2))
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0) and rep["issues"] == []
    assert (s.frame["need_1"].iloc[0], s.frame["need_2"].iloc[0]) == (5, 7)
    # one file, rows of two survey years, year-form headers: the whole file fails
    s, rep = read(write_xlsx(tmp_path / "m.xlsx", [rec(), rec(survey_year=2025, inn=INN_B)], header=header))
    assert counts(rep) == (1, 1, 0, 0, 0, 0, 0)
    assert codes(rep) == [("m.xlsx", None, None, "E_MIXED_YEARS")]
    # offset-form headers: two survey years in a file are fine
    s, rep = read(write_xlsx(tmp_path / "o.xlsx", [rec(), rec(survey_year=2025, inn=INN_B)],
                             header=list(COLS)))
    assert counts(rep) == (1, 0, 2, 2, 0, 0, 0)


def test_missing_need_1_and_unknown_columns(tmp_path):
    cols = [c for c in COLS if c != "need_1"]
    s, rep = read(write_xlsx(tmp_path / "n.xlsx", [rec()], cols=cols))
    assert codes(rep) == [("n.xlsx", None, None, "E_MISSING_COLUMN")]
    assert "need_1" in rep["issues"][0]["message"]
    cols = COLS + ["note", "note2"]
    header = [RU[c] for c in COLS] + ["Примечание", "Контакт"]
    rows = [rec(note="x", note2="y"), rec(profession_code="7123", note="z")]
    s, rep = read(write_xlsx(tmp_path / "u.xlsx", rows, cols=cols, header=header))
    assert counts(rep) == (1, 0, 2, 2, 0, 0, 0)
    assert [(i["code"], i["value"], i["severity"]) for i in rep["issues"]] == [
        ("W_UNKNOWN_COLUMN", "Примечание", "warning"), ("W_UNKNOWN_COLUMN", "Контакт", "warning")]


# --- CSV --------------------------------------------------------------------------------
def test_csv_utf8_bom_crlf_semicolon(tmp_path):
    p = write_csv(tmp_path / "a.csv", csv_lines([rec()]), encoding="utf-8-sig", newline="\r\n")
    s, rep = read(p)
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0) and rep["issues"] == []
    assert s.frame["survey_year"].tolist() == [2026] and s.frame["row"].tolist() == [2]


def test_csv_cp1251_comma_quoted_fields(tmp_path):
    rows = [rec(employer='ООО "Ромашка, и К"', headcount="12,0", need_1="1 200", need_2="2\u00a0000")]
    p = write_csv(tmp_path / "b.csv", csv_lines(rows, sep=","), encoding="cp1251")
    s, rep = read(p)
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    r = s.frame.iloc[0]
    assert r["employer"] == 'ООО "Ромашка, и К"'
    assert (r["headcount"], r["need_1"], r["need_2"]) == (12, 1200, 2000)
    # need_1 1200 > 2 × 12 + 10: plausibility warning, not a rejection
    assert codes(rep) == [("b.csv", 2, "need_1", "W_NEED_IMPLAUSIBLE")]
    assert rep["issues"][0]["value"] == "1 200"  # the cell as read, not the number


def test_plausibility_warning_values_are_cells_as_read(tmp_path):
    rows = [rec(headcount=10, vacancies="15,0", need_1="31,0"), rec(profession_code="7123", headcount=10,
                                                                   vacancies=11, need_1=30)]
    s, rep = read(write_csv(tmp_path / "p.csv", csv_lines(rows)))
    assert counts(rep) == (1, 0, 2, 2, 0, 0, 0)
    # need_1 > 2 × 10 + 10 = 30 only on line 2; vacancies > headcount on both
    assert [(i["row"], i["column"], i["value"], i["code"]) for i in rep["issues"]] == [
        (2, "vacancies", "15,0", "W_VACANCIES_GT_HEADCOUNT"), (2, "need_1", "31,0", "W_NEED_IMPLAUSIBLE"),
        (3, "vacancies", "11", "W_VACANCIES_GT_HEADCOUNT")]


def test_csv_decimal_comma_and_blank_lines_count(tmp_path):
    lines = csv_lines([rec(headcount="12,0"), rec(profession_code="7123", headcount="12,5"),
                       rec(profession_code="7124", inn=BAD_CHECKSUM)])
    lines = [lines[0], "", lines[1], "", "", lines[2], lines[3]]  # header 1, data 3, 6, 7
    s, rep = read(write_csv(tmp_path / "c.csv", lines))
    assert counts(rep) == (1, 0, 3, 1, 0, 0, 2)
    assert s.frame["row"].tolist() == [3] and s.frame["headcount"].tolist() == [12]
    assert codes(rep) == [("c.csv", 6, "headcount", "E_NOT_INTEGER"), ("c.csv", 7, "inn", "E_INN_CHECKSUM")]
    assert [i["value"] for i in rep["issues"]] == ["12,5", BAD_CHECKSUM]
    assert [i["sheet"] for i in rep["issues"]] == [None, None]


def test_csv_multiline_quoted_header_rows_are_physical_lines(tmp_path):
    header = [RU[c] for c in COLS]
    header[2] = "Наименование\nработодателя"
    header[8] = "Численность работников\nна дату обследования, чел."
    lines = csv_lines([rec(), rec(profession_code="1")], header=header)  # header spans lines 1–3
    s, rep = read(write_csv(tmp_path / "m.csv", lines, newline="\r\n"))
    assert counts(rep) == (1, 0, 2, 1, 0, 0, 1)
    assert s.frame["row"].tolist() == [4]
    assert codes(rep) == [("m.csv", 5, "profession_code", "E_PROFESSION_CODE")]


def test_csv_title_lines_trailing_columns_and_totals(tmp_path):
    lines = (["Форма обследования;;;", "Организация: ООО Ромашка", ""]
             + [x + ";;;" for x in csv_lines([rec(headcount=10), rec(profession_code="7123", headcount=5)])]
             + [";;;;;;;Итого;15;2;;4;2;", "Исполнитель: Петрова П. П.;;;", ";;;;"])
    s, rep = read(write_csv(tmp_path / "t.csv", lines))
    # header on line 4, data 5–6, totals 7 (need_1 says 4, rows sum to 6), note on line 8
    assert counts(rep) == (1, 0, 2, 2, 0, 0, 0)
    assert s.frame["row"].tolist() == [5, 6]
    assert codes(rep) == [("t.csv", 7, "need_1", "W_TOTAL_MISMATCH"), ("t.csv", 8, None, "W_IGNORED_ROWS")]
    assert rep["issues"][0]["value"] == "4"


def test_csv_unreadable_and_empty(tmp_path):
    # spec: "Encodings other than UTF-8 and Windows-1251 (UTF-16, say) are E_FILE_UNREADABLE";
    # Excel's "CSV (MS-DOS)" writes cp866
    write_csv(tmp_path / "u16.csv", csv_lines([rec()]), encoding="utf-16")
    write_csv(tmp_path / "dos.csv", csv_lines([rec(employer="ООО Ромашка")]), encoding="cp866")
    write_csv(tmp_path / "koi.csv", csv_lines([rec(employer="ООО Ромашка")]), encoding="koi8_r")
    (tmp_path / "empty.csv").write_bytes(b"")
    s, rep = read(tmp_path)
    assert counts(rep) == (4, 4, 0, 0, 0, 0, 0)
    assert codes(rep) == [("dos.csv", None, None, "E_FILE_UNREADABLE"),
                          ("empty.csv", None, None, "E_NO_HEADER"),
                          ("koi.csv", None, None, "E_FILE_UNREADABLE"),
                          ("u16.csv", None, None, "E_FILE_UNREADABLE")]


# --- xlsx cell types --------------------------------------------------------------------
def test_xlsx_cell_types(tmp_path):
    rows = [rec(headcount="15", need_1=" 4 ", inn=int(INN_A)),                          # 2
            rec(profession_code=12681, inn=float(INN_A), submitted_at=dt.datetime(2026, 11, 20)),  # 3
            rec(profession_code=7123.0, submitted_at=dt.date(2026, 11, 21), headcount=12.0),  # 4
            rec(profession_code="12682", submitted_at="20.11.2026", inn=INN_ZERO),           # 5
            rec(profession_code="12683", submitted_at="31.02.2026"),                         # 6
            rec(profession_code="12684", headcount=12.5),                                    # 7
            rec(profession_code="12685", vacancies=-1),                                      # 8
            rec(profession_code="12686", age_55plus=11),                                     # 9
            rec(profession_code="12687", need_1=None),                                       # 10
            rec(profession_code="12688", need_2=None, vacancies=None, age_55plus=None),      # 11
            rec(profession_code="12689", survey_year=1999),                                  # 12
            rec(profession_code="12690", inn=int(INN_ZERO)),                                 # 13: zero lost
            rec(profession_code="12691", inn=INN_IP, okved="41")]                            # 14
    s, rep = read(write_xlsx(tmp_path / "t.xlsx", rows))
    assert counts(rep) == (1, 0, 13, 6, 0, 0, 7)
    assert codes(rep) == [("t.xlsx", 6, "submitted_at", "E_DATE"),
                          ("t.xlsx", 7, "headcount", "E_NOT_INTEGER"),
                          ("t.xlsx", 8, "vacancies", "E_NEGATIVE"),
                          ("t.xlsx", 9, "age_55plus", "E_AGE_GT_HEADCOUNT"),
                          ("t.xlsx", 10, "need_1", "E_REQUIRED"),
                          ("t.xlsx", 12, "survey_year", "E_SURVEY_YEAR"),
                          ("t.xlsx", 13, "inn", "E_INN_FORMAT")]
    assert [i["value"] for i in rep["issues"]] == ["31.02.2026", "12.5", "-1", "11", None, "1999", "123456788"]
    f = s.frame.set_index("row")
    assert f.loc[2, ["inn", "headcount", "need_1"]].tolist() == [INN_A, 15, 4]
    assert f.loc[3, ["inn", "profession_code"]].tolist() == [INN_A, "12681"]
    assert f.loc[4, ["profession_code", "headcount"]].tolist() == ["7123", 12]
    assert f.loc[5, "inn"] == INN_ZERO
    assert [str(f.loc[r, "submitted_at"].date()) for r in (2, 3, 4, 5)] == [
        "2026-11-20", "2026-11-20", "2026-11-21", "2026-11-20"]
    assert f.loc[11, ["vacancies", "need_2"]].tolist() == [0, 0]
    assert f.loc[11, "age_55plus"] != f.loc[11, "age_55plus"]  # missing, not 0
    assert f.loc[14, ["inn", "okved_section"]].tolist() == [INN_IP, "F"]


def test_codes_okved_and_education_forms(tmp_path):
    okveds = ["41", "41.2", "41.20", "41.20.1", "41.20.11", "4120", "04.1", "41.20.111"]
    rows = [rec(okved=o, profession_code=str(20000 + i)) for i, o in enumerate(okveds)]
    edus = {"СПО ПКРС": "СПО-КРС", "спо–ппссз": "СПО-ССЗ", "спо - крс": "СПО-КРС", "во": "ВО",
            "СПО": "СПО-КРС", "магистр": "ВО", "спо-ппкрс": None, "бакалавриат": None}
    rows += [rec(education=e, profession_code=str(21000 + i)) for i, e in enumerate(edus)]
    rows += [rec(profession_code=c) for c in ("123", "123456", "12a45")]
    s, rep = read(write_xlsx(tmp_path / "c.xlsx", rows))
    # okved rows 2–9, education rows 10–17, codes 18–20
    errors = codes(rep, "error")
    assert errors == [("c.xlsx", 7, "okved", "E_OKVED"), ("c.xlsx", 8, "okved", "E_OKVED"),
                      ("c.xlsx", 9, "okved", "E_OKVED"),
                      ("c.xlsx", 16, "education", "E_EDUCATION"), ("c.xlsx", 17, "education", "E_EDUCATION"),
                      ("c.xlsx", 18, "profession_code", "E_PROFESSION_CODE"),
                      ("c.xlsx", 19, "profession_code", "E_PROFESSION_CODE"),
                      ("c.xlsx", 20, "profession_code", "E_PROFESSION_CODE")]
    aliases = {i["value"] for i in rep["issues"] if i["code"] == "W_ALIAS"}
    assert aliases == {"СПО ПКРС", "спо–ппссз", "СПО", "магистр"}
    f = s.frame.set_index("profession_code")
    assert [f.loc[str(21000 + i), "education"] for i, e in enumerate(edus) if edus[e]] == [
        v for v in edus.values() if v]
    assert counts(rep) == (1, 0, 19, 11, 0, 0, 8)


# --- rows that are not data rows --------------------------------------------------------
def test_notes_empty_rows_and_totals(tmp_path):
    rows = [rec(headcount=10, vacancies=1, need_1=3, need_2=1),                       # 2
            [],                                                                       # 3
            rec(profession_code="7123", headcount=5, vacancies=0, need_1=2, need_2=0),  # 4
            rec(profession_code="1", headcount=100),                                  # 5 rejected
            {"employer": "Итого", "headcount": 15, "vacancies": 1, "need_1": 5, "need_2": 1},  # 6 ok
            ["Примечание: данные на 1 ноября"],                                       # 7 note
            rec(profession_code="7124", headcount=7, vacancies=0, need_1=1, need_2=0),  # 8
            {"inn": INN_A, "profession": "ВСЕГО по организации", "headcount": 23},    # 9 totals
            rec(profession_code="7125", profession="Итого-мастер"),                  # 10: has a code
            [None, None, "Главный бухгалтер _______"]]                                # 11 note
    s, rep = read(write_xlsx(tmp_path / "t.xlsx", rows))
    assert counts(rep) == (1, 0, 5, 4, 0, 0, 1)
    assert s.frame["row"].tolist() == [2, 4, 8, 10]
    assert codes(rep) == [("t.xlsx", 5, "profession_code", "E_PROFESSION_CODE"),
                          ("t.xlsx", 7, None, "W_IGNORED_ROWS"),
                          ("t.xlsx", 9, "headcount", "W_TOTAL_MISMATCH")]
    assert rep["issues"][2]["value"] == "23"


# --- outcomes ---------------------------------------------------------------------------
def test_duplicates_merge_after_alias_mapping(tmp_path):
    rows = [rec(headcount=10, vacancies=1, age_55plus=2, need_1=3, need_2=1),
            rec(education="ПКРС", headcount=5, vacancies=2, age_55plus=1, need_1=1, need_2=4),
            rec(education="ВО", headcount=4, age_55plus=0)]
    s, rep = read(write_xlsx(tmp_path / "d.xlsx", rows))
    assert counts(rep) == (1, 0, 3, 2, 1, 0, 0)
    assert codes(rep) == [("d.xlsx", 3, None, "W_MERGED"), ("d.xlsx", 3, "education", "W_ALIAS")]
    r = s.frame.set_index("education").loc["СПО-КРС"]
    assert (r["headcount"], r["vacancies"], r["age_55plus"], r["need_1"], r["need_2"], r["row"]) == (
        15, 3, 3, 4, 5, 2)


def _two_files(d: Path, first: tuple[str, dict], second: tuple[str, dict]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for name, kw in (first, second):
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        write_xlsx(d / name, [rec(**kw)])


def _winner(d: Path):
    s, rep = read(d)
    assert counts(rep)[:3] == (2, 0, 2) and (rep["accepted"], rep["superseded"]) == (1, 1)
    sup = [i for i in rep["issues"] if i["code"] == "W_SUPERSEDED"]
    assert len(sup) == 1 and sup[0]["row"] is None and sup[0]["severity"] == "warning"
    winner = Path(s.frame["file"].iloc[0]).relative_to(d).as_posix()
    loser = Path(sup[0]["file"]).relative_to(d).as_posix()
    assert winner in sup[0]["message"]
    return winner, loser


def test_supersede_later_date_wins_whatever_the_path(tmp_path):
    _two_files(tmp_path, ("a.xlsx", {"submitted_at": "25.11.2026", "headcount": 20}),
               ("b.xlsx", {"submitted_at": "2026-11-20"}))
    assert _winner(tmp_path) == ("a.xlsx", "b.xlsx")


def test_supersede_equal_dates_later_path_in_code_point_order(tmp_path):
    # "B" (U+0042) sorts before "a" (U+0061): a.xlsx is the later path
    _two_files(tmp_path, ("a.xlsx", {"headcount": 2, "age_55plus": 0}),
               ("B.xlsx", {"headcount": 1, "age_55plus": 0}))
    assert _winner(tmp_path) == ("a.xlsx", "B.xlsx")


def test_supersede_dated_beats_undated(tmp_path):
    _two_files(tmp_path, ("a.xlsx", {"submitted_at": "01.11.2026"}), ("b.xlsx", {"submitted_at": None}))
    assert _winner(tmp_path) == ("a.xlsx", "b.xlsx")


def test_supersede_relative_path_order_is_string_order(tmp_path):
    # "z.xlsx" < "z/a.xlsx" because "." (U+002E) < "/" (U+002F): z/a.xlsx is later
    _two_files(tmp_path, ("z/a.xlsx", {"submitted_at": None}), ("z.xlsx", {"submitted_at": None}))
    assert _winner(tmp_path) == ("z/a.xlsx", "z.xlsx")


def test_supersede_one_employer_of_a_multi_employer_file(tmp_path):
    write_xlsx(tmp_path / "all.xlsx", [rec(), rec(inn=INN_B), rec(inn=INN_B, profession_code="7123"),
                                       rec(inn=INN_B, profession_code="1")])
    write_xlsx(tmp_path / "upd.xlsx", [rec(inn=INN_B, submitted_at="2026-11-26", headcount=99)])
    s, rep = read(tmp_path)
    # the rejected row of the replaced submission stays rejected
    assert counts(rep) == (2, 0, 5, 2, 0, 2, 1)
    assert sorted(zip(s.frame["inn"], s.frame["headcount"])) == [(INN_A, 10), (INN_B, 99)]
    assert codes(rep) == [("all.xlsx", None, None, "W_SUPERSEDED"),
                          ("all.xlsx", 5, "profession_code", "E_PROFESSION_CODE")]


# --- formulas and error cells -----------------------------------------------------------
def test_formula_cached_values_empty_text_and_error_cells(tmp_path):
    p = tmp_path / "f.xlsx"
    rows = [rec(profession_code="12680", vacancies="=1+1", age_55plus='=IF(1=1,"",1)'),   # 2
            rec(profession_code="12681", vacancies="=1/0"),                              # 3
            rec(profession_code="12682", age_55plus="=NA()"),                            # 4
            rec(profession_code="12683", headcount="=5+5"),                              # 5: no value
            rec(profession_code="12684", okved="#N/A")]                                  # 6
    write_xlsx(p, rows)
    # what Excel/LibreOffice store after calculating: cached values, "" and error results
    patch_sheet_xml(p, {  # columns: I headcount, J vacancies, K age_55plus, D okved
        '<c r="J2"><f>1+1</f><v /></c>': '<c r="J2"><f>1+1</f><v>2</v></c>',
        '<c r="K2"><f>IF(1=1,"",1)</f><v /></c>': '<c r="K2" t="str"><f>IF(1=1,"",1)</f><v></v></c>',
        '<c r="J3"><f>1/0</f><v /></c>': '<c r="J3" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="K4"><f>NA()</f><v /></c>': '<c r="K4" t="e"><f>NA()</f><v>#N/A</v></c>',
        # openpyxl already stores the text "#N/A" as an error constant (no formula)
        '<c r="D6" t="e"><v>#N/A</v></c>': '<c r="D6" t="e"><v>#N/A</v></c>',
    })
    s, rep = read(p)
    assert counts(rep) == (1, 0, 5, 1, 0, 0, 4)
    assert codes(rep) == [("f.xlsx", 3, "vacancies", "E_NOT_NUMBER"),
                          ("f.xlsx", 4, "age_55plus", "E_NOT_NUMBER"),
                          ("f.xlsx", 5, "headcount", "E_FORMULA"),
                          ("f.xlsx", 6, "okved", "E_OKVED")]
    assert [i["value"] for i in rep["issues"]] == ["#DIV/0!", "#N/A", None, "#N/A"]
    r = s.frame.iloc[0]
    assert (r["row"], r["vacancies"]) == (2, 2)
    assert r["age_55plus"] != r["age_55plus"]  # the cached empty text: an empty cell, missing


# --- folders, hostile files and the CLI -------------------------------------------------
def test_folder_skips_and_counts(tmp_path):
    write_xlsx(tmp_path / "ok.xlsx", [rec()])
    (tmp_path / "notes.txt").write_text("не форма")
    (tmp_path / "~$ok.xlsx").write_bytes(b"lock")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "dir.xlsx").mkdir()
    write_xlsx(tmp_path / "dir.xlsx" / "inner.xlsx", [rec(inn=INN_B)])
    s, rep = read(tmp_path)
    # spec v2: .xls is read (four bytes of an OLE header are not a workbook: a failed file)
    assert counts(rep) == (3, 1, 2, 2, 0, 0, 0)
    assert codes(rep) == [("old.xls", None, None, "E_FILE_UNREADABLE")]
    assert sorted(Path(x["file"]).name for x in rep["skipped"]) == ["notes.txt", "~$ok.xlsx"]
    assert all(x["reason"] for x in rep["skipped"])


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")
def test_broken_link_and_linked_folder_are_listed_not_lost(tmp_path):
    # spec: every file below the folder is read or listed under `skipped`
    (tmp_path / "real").mkdir()
    write_xlsx(tmp_path / "real" / "r.xlsx", [rec()])
    os.symlink("nowhere.xlsx", tmp_path / "broken.xlsx")
    os.symlink("..", tmp_path / "real" / "loop")
    s, rep = read(tmp_path)
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert sorted(Path(x["file"]).name for x in rep["skipped"]) == ["broken.xlsx", "loop"]


def test_cli_hostile_folder_json_and_exit_codes(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "zero.xlsx").write_bytes(b"")
    (d / "csv_inside.xlsx").write_text("ИНН;Код ОКВЭД2\n7707083893;41.20\n", encoding="utf-8")
    # spec v2: an OLE file that is neither a workbook nor an encrypted package (here: no
    # directory at all) is E_FILE_UNREADABLE
    (d / "old_or_encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    write_xlsx(d / "good.xlsx", [rec(), rec(profession_code="1")])
    out = tmp_path / "r.json"
    kadry = [sys.executable, "-m", "forecast"]
    p = subprocess.run([*kadry, "validate", str(d), "--json", str(out)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert list(rep) == ["files", "files_failed", "rows_read", "accepted", "merged", "superseded",
                         "rejected", "skipped", "issues"]
    assert counts(rep) == (4, 3, 2, 1, 0, 0, 1)
    for i in rep["issues"]:
        assert list(i) == ["file", "sheet", "row", "column", "value", "severity", "code", "message"]
    assert sorted((Path(i["file"]).name, i["code"]) for i in rep["issues"]) == [
        ("csv_inside.xlsx", "E_FILE_UNREADABLE"), ("good.xlsx", "E_PROFESSION_CODE"),
        ("old_or_encrypted.xlsx", "E_FILE_UNREADABLE"), ("zero.xlsx", "E_FILE_UNREADABLE")]
    # nothing rejected → 0; usage error → 2
    ok = tmp_path / "ok"
    ok.mkdir()
    write_xlsx(ok / "a.xlsx", [rec(need_1=100)])  # a warning only
    p = subprocess.run([*kadry, "validate", str(ok), "--json", str(out)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert [i["code"] for i in json.loads(out.read_text(encoding="utf-8"))["issues"]] == ["W_NEED_IMPLAUSIBLE"]
    p = subprocess.run([*kadry, "validate", str(tmp_path / "missing")], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_file_names_that_are_not_utf8(tmp_path):
    # a zip made on Windows unpacked here: names in Windows-1251 bytes; read, reported, no crash
    base = os.fsencode(tmp_path)
    try:
        write_xlsx(tmp_path / "tmp.xlsx", [rec(), rec(profession_code="1")])
        os.rename(os.fsencode(tmp_path / "tmp.xlsx"), base + b"/\xcf\xee\xf2\xf0\xe5\xe1.xlsx")
        with open(base + b"/\xe7\xe0\xec\xe5\xf2\xea\xe0.txt", "wb") as fh:
            fh.write(b"x")
    except (OSError, UnicodeError):
        pytest.skip("the file system does not take non-UTF-8 names")
    s, rep = read(tmp_path)
    assert counts(rep) == (1, 0, 2, 1, 0, 0, 1)
    assert [(Path(i["file"]).name, i["code"]) for i in rep["issues"]] == [
        ("\\xcf\\xee\\xf2\\xf0\\xe5\\xe1.xlsx", "E_PROFESSION_CODE")]
    assert [Path(x["file"]).name for x in rep["skipped"]] == ["\\xe7\\xe0\\xec\\xe5\\xf2\\xea\\xe0.txt"]
    out = tmp_path / "r.json"
    p = subprocess.run([sys.executable, "-m", "forecast", "validate", str(tmp_path), "--json", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["rejected"] == 1


def test_template_rows_prefilled_with_formulas_are_not_data_rows(tmp_path):
    # a home-made template: code and name columns pre-filled down with formulas; unused rows
    # show "" (=IF(…;"";…)) or #N/A (a lookup of nothing). Their inn, profession_code and
    # headcount are empty, so they are not data rows; the #N/A text makes one W_IGNORED_ROWS.
    p = tmp_path / "t.xlsx"
    rows = [rec(), rec(profession_code='=IF(1=1,"",1)', profession="=NA()", inn=None, employer=None,
                       okved=None, education=None, survey_year=None, headcount=None, vacancies=None,
                       age_55plus=None, need_1=None, need_2=None, submitted_at=None, municipality=None)]
    write_xlsx(p, rows)
    patch_sheet_xml(p, {  # F profession_code, G profession
        '<c r="F3"><f>IF(1=1,"",1)</f><v /></c>': '<c r="F3" t="str"><f>IF(1=1,"",1)</f><v></v></c>',
        '<c r="G3"><f>NA()</f><v /></c>': '<c r="G3" t="e"><f>NA()</f><v>#N/A</v></c>',
    })
    s, rep = read(p)
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
    assert codes(rep) == [("t.xlsx", 3, None, "W_IGNORED_ROWS")]


def test_file_over_50_mib_on_disk(tmp_path):
    # sparse files: 50 MiB + 1 byte on disk each, never read
    for name in ("big.csv", "big.xlsx"):
        with open(tmp_path / name, "wb") as fh:
            fh.truncate(50 * 2**20 + 1)
    write_xlsx(tmp_path / "ok.xlsx", [rec()])
    s, rep = read(tmp_path)
    assert counts(rep) == (3, 2, 1, 1, 0, 0, 0)
    assert codes(rep) == [("big.csv", None, None, "E_FILE_TOO_LARGE"), ("big.xlsx", None, None, "E_FILE_TOO_LARGE")]


def test_supersede_tie_does_not_depend_on_argument_order(tmp_path):
    # `kadry validate d/*.xlsx`: the shell may list a.xlsx before B.xlsx (locale order); the
    # contract's "later path" is code-point order, where B.xlsx < a.xlsx
    write_xlsx(tmp_path / "a.xlsx", [rec(headcount=8)])
    write_xlsx(tmp_path / "B.xlsx", [rec(headcount=9)])
    for order in (["a.xlsx", "B.xlsx"], ["B.xlsx", "a.xlsx"]):
        s, rep = read(*[tmp_path / n for n in order])
        assert counts(rep) == (2, 0, 2, 1, 0, 1, 0)
        assert s.frame["headcount"].tolist() == [8]
        assert [(Path(i["file"]).name, i["code"]) for i in rep["issues"]] == [("B.xlsx", "W_SUPERSEDED")]


def test_stray_cell_far_right_fails_fast_only_on_the_sheet_read(tmp_path):
    # one value in XFD3001 makes the used range 16,384 × 3,001 ≈ 49 million cells: refused
    # before loading (E_FILE_TOO_LARGE naming the span), not read into gigabytes of memory
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Потребность"
    ws.append([RU[c] for c in COLS])
    ws.append([rec()[c] for c in COLS])
    ws.cell(3001, 16384, "x")
    wb.save(tmp_path / "wide.xlsx")
    s, rep = read(tmp_path / "wide.xlsx")
    assert codes(rep) == [("wide.xlsx", None, None, "E_FILE_TOO_LARGE")]
    assert "cells" in rep["issues"][0]["message"]
    # the same stray value on a sheet that is never read does not matter
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Потребность"
    ws.append([RU[c] for c in COLS])
    ws.append([rec()[c] for c in COLS])
    wb.create_sheet("Справочники").cell(3001, 16384, "x")
    wb.save(tmp_path / "other.xlsx")
    s, rep = read(tmp_path / "other.xlsx")
    assert counts(rep) == (1, 0, 1, 1, 0, 0, 0)
