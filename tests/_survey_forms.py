"""Helpers for the survey tests: write forms the way an independent party would.

Expected values in the tests are written by hand; these helpers only lay cells out.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

T = 2026
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
    "need_3": "Дополнительная потребность в 2029 г., чел.",
    "submitted_at": "Дата заполнения",
}
KEYS = list(RU)
# valid ИНН (check digits computed by hand from the published algorithm)
INN_A = "7707083893"
INN_B = "7736050003"
INN_C = "500100732259"


def row(**kw) -> dict:
    """A valid data row; keyword arguments override cells."""
    base = {"survey_year": T, "inn": INN_A, "employer": "ПАО Сбербанк", "okved": "64.19",
            "municipality": "г. Энск", "profession_code": "24109", "profession": "Бухгалтер",
            "education": "СПО-ССЗ", "headcount": 10, "vacancies": 1, "age_55plus": 2,
            "need_1": 3, "need_2": 2, "need_3": 1, "submitted_at": None}
    base.update(kw)
    return base


def header(keys=None, english: bool = False) -> list[str]:
    keys = keys or KEYS
    return [k if english else RU[k] for k in keys]


def write_xlsx(path: Path, rows: list, keys=None, *, english=False, pre=(), post=(),
               sheet="Потребность", extra_sheets=(), header_cells=None) -> Path:
    """Rows are dicts (by key) or lists (raw cells); ``pre`` rows go above the header."""
    keys = keys or KEYS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for name in extra_sheets:
        wb.create_sheet(name, 0)["A1"] = "не данные"
    for r in pre:
        ws.append(list(r))
    ws.append(header_cells or header(keys, english))
    for r in rows:
        ws.append([r.get(k) for k in keys] if isinstance(r, dict) else list(r))
    for r in post:
        ws.append(list(r))
    wb.save(path)
    return Path(path)


def csv_text(rows: list, keys=None, *, english=False, delimiter=",", pre=(), fmt=None) -> str:
    keys = keys or KEYS
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for r in pre:
        w.writerow(r)
    w.writerow(header(keys, english))
    for r in rows:
        cells = [r.get(k) for k in keys] if isinstance(r, dict) else list(r)
        w.writerow(["" if v is None else (fmt(v) if fmt else v) for v in cells])
    return buf.getvalue()


def write_csv(path: Path, rows: list, keys=None, *, encoding="utf-8", **kw) -> Path:
    Path(path).write_bytes(csv_text(rows, keys, **kw).encode(encoding))
    return Path(path)


def issues_of(data, code=None) -> list[dict]:
    recs = data.report()["issues"]
    return [r for r in recs if code is None or r["code"] == code]


def assert_accounting(data) -> None:
    c = data.counts
    assert c["rows_read"] == c["accepted"] + c["merged"] + c["superseded"] + c["rejected"]
    assert len(data.frame) == c["accepted"]
