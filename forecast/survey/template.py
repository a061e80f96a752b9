"""The blank employer form (``kadry template OUT.xlsx|OUT.ods --year T [--horizon H]``).

Sheet ``Потребность``: a title block (rows 1–3), the header (row 4, Russian display headers of
survey-format.md, need headers in year form ``Дополнительная потребность в {T+k} г., чел.``),
data from row 5 with input rules on the first 1000 rows: drop-downs for education (the 5
levels) and ОКВЭД2 (the divisions, listed on the hidden sheet ``Справочники``; finer codes
such as ``47.11`` may be typed, the rule only informs), whole numbers ≥ 0 in the number
columns, 2000–2100 for the survey year, a date for ``Дата заполнения``; text format for ИНН,
ОКВЭД2 and profession codes so leading zeros stay (as column formats, which Excel and
LibreOffice apply to what is typed into the column); frozen header, readable widths.
Sheet ``Инструкция``: how to fill it in, in Russian.

The file is byte-for-byte deterministic: workbook properties carry fixed timestamps
(1 November of the survey year) and the zip entries a fixed date.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> p = pathlib.Path(tempfile.mkdtemp()) / "form.xlsx"
>>> write_template(p, 2026, horizon=3)
>>> openpyxl.load_workbook(p)["Потребность"].cell(4, 12).value
'Дополнительная потребность в 2027 г., чел.'
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from forecast.classifiers import EDUCATION_LEVELS, OKVED_DIVISIONS, OKVED_SECTIONS
from forecast.errors import ConfigError
from forecast.params import MAX_NEED_HORIZON, SURVEY_YEAR_RANGE, ForecastParams
from forecast.survey.schema import HEADERS_RU, NEED_HEADER_RU
from forecast.survey.template_ods import ods_bytes

DATA_SHEET = "Потребность"
LISTS_SHEET = "Справочники"
HELP_SHEET = "Инструкция"
HEADER_ROW = 4
INPUT_ROWS = 1000

_BEFORE = ("survey_year", "inn", "employer", "okved", "municipality", "profession_code",
           "profession", "education", "headcount", "vacancies", "age_55plus")
_TEXT = ("inn", "okved", "profession_code")
_WIDTH = {"survey_year": 11, "inn": 14, "employer": 34, "okved": 11, "municipality": 24,
          "profession_code": 13, "profession": 34, "education": 16, "headcount": 16,
          "vacancies": 14, "age_55plus": 16, "submitted_at": 14}


def template_columns(year: int, horizon: int) -> list[tuple[str, str]]:
    """(key, header) of each column of the form, in order."""
    cols = [(k, HEADERS_RU[k]) for k in _BEFORE]
    cols += [(f"need_{k}", NEED_HEADER_RU.format(year=year + k)) for k in range(1, horizon + 1)]
    cols.append(("submitted_at", HEADERS_RU["submitted_at"]))
    return cols


def _instructions(year: int, horizon: int) -> list[str]:
    levels = "; ".join(f"{k} — {v}" for k, v in EDUCATION_LEVELS.items())
    return [
        "Как заполнить форму",
        "",
        f"1. Заполните лист «{DATA_SHEET}»: одна строка — одна профессия (должность) и один "
        "требуемый уровень образования.",
        f"2. «Год обследования» — {year} (год, на ноябрь которого даны сведения).",
        "3. ИНН — 10 цифр (организация) или 12 цифр (индивидуальный предприниматель), без пробелов.",
        "4. Код ОКВЭД2 — основной вид деятельности: NN, NN.N, NN.NN, NN.NN.N или NN.NN.NN "
        "(например, 47.11). Список разделов — в выпадающем списке.",
        "5. Код профессии — 5 цифр по ОКПДТР (или 4 цифры группы ОКЗ).",
        f"6. Требуемый уровень образования: {levels}.",
        "7. Численность, вакансии, работники 55 лет и старше и потребность — целые числа ≥ 0. "
        "Пустая ячейка вакансий или потребности на 2-й и последующие годы означает 0; "
        "пустая ячейка «55 лет и старше» — сведения не представлены.",
        f"8. «Дополнительная потребность» — сколько работников понадобится дополнительно в каждом "
        f"из лет {year + 1}–{year + horizon} (сверх имеющихся, с учётом выбытия).",
        "9. «Дата заполнения» — дата (ДД.ММ.ГГГГ). Если форма подаётся повторно, более поздняя "
        "дата заменяет прежние сведения работодателя целиком.",
        "10. Строка «Итого» под таблицей допускается; она сверяется с суммой строк.",
        "Не меняйте заголовки столбцов и не вставляйте формулы без значений.",
    ]


def _build(year: int, horizon: int):
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    cols = template_columns(year, horizon)
    ws.cell(1, 1, f"Сведения о численности работников и дополнительной потребности в кадрах, {year} г.").font = Font(bold=True, size=13)
    ws.cell(2, 1, f"Заполните по состоянию на ноябрь {year} г. Правила — на листе «{HELP_SHEET}».")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for j, (key, header) in enumerate(cols, start=1):
        c = ws.cell(HEADER_ROW, j, header)
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _WIDTH.get(key, 16)
        # formats by column, not on 1,000 empty cells each: the returned form stays small
        # (a few KB of sheet XML instead of 136 KB) and quick to read back
        if key in _TEXT:
            ws.column_dimensions[letter].number_format = "@"
        if key == "submitted_at":
            ws.column_dimensions[letter].number_format = "DD.MM.YYYY"
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)

    lists = wb.create_sheet(LISTS_SHEET)
    lists.append(["Код ОКВЭД2 (раздел)", "Раздел", "Наименование раздела"])
    for div, sec in sorted(OKVED_DIVISIONS.items()):
        lists.append([div, sec, OKVED_SECTIONS[sec]])
    for r in range(2, len(OKVED_DIVISIONS) + 2):
        lists.cell(r, 1).number_format = "@"
    lists.sheet_state = "hidden"

    first, last = HEADER_ROW + 1, HEADER_ROW + INPUT_ROWS
    col_of = {k: get_column_letter(j) for j, (k, _) in enumerate(cols, start=1)}

    def rng(key: str) -> str:
        return f"{col_of[key]}{first}:{col_of[key]}{last}"

    edu = DataValidation(type="list", formula1='"' + ",".join(EDUCATION_LEVELS) + '"', allow_blank=True,
                         showErrorMessage=True, errorTitle="Уровень образования",
                         error="Выберите уровень из списка: " + ", ".join(EDUCATION_LEVELS))
    edu.add(rng("education"))
    okv = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!$A$2:$A${len(OKVED_DIVISIONS) + 1}",
                         allow_blank=True, showErrorMessage=True, errorStyle="information",
                         errorTitle="Код ОКВЭД2", error="Код ОКВЭД2: NN, NN.N, NN.NN, NN.NN.N или NN.NN.NN")
    okv.add(rng("okved"))
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="Целое число", error="Введите целое число ≥ 0")
    for key, _ in cols:
        if key in ("headcount", "vacancies", "age_55plus") or key.startswith("need_"):
            whole.add(rng(key))
    lo, hi = SURVEY_YEAR_RANGE
    yr = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                        allow_blank=True, showErrorMessage=True, errorTitle="Год обследования",
                        error=f"Год от {lo} до {hi}")
    yr.add(rng("survey_year"))
    date = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True,
                          showErrorMessage=True, errorTitle="Дата заполнения", error="Введите дату ДД.ММ.ГГГГ")
    date.add(rng("submitted_at"))
    for dv in (edu, okv, whole, yr, date):
        ws.add_data_validation(dv)

    help_ws = wb.create_sheet(HELP_SHEET)
    for i, line in enumerate(_instructions(year, horizon), start=1):
        help_ws.cell(i, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    help_ws.cell(1, 1).font = Font(bold=True, size=13)
    help_ws.column_dimensions["A"].width = 110

    stamp = dt.datetime(year, 11, 1)
    wb.properties.creator = "kadry"
    wb.properties.title = "Форма обследования работодателей"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.lastModifiedBy = "kadry"
    return wb, stamp


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def write_template(path: str | Path, year: int, horizon: int | None = None) -> None:
    """Write the blank employer form for survey year ``year`` with ``horizon`` need columns.

    ``horizon`` defaults to ``ForecastParams().horizon``; it must be 1 … 10. The kind of
    file follows the name's extension: ``.xlsx`` or ``.ods``
    (:mod:`forecast.survey.template_ods`); any other extension is a ConfigError (a usage
    error), never an .xlsx under another name.
    """
    horizon = ForecastParams().horizon if horizon is None else int(horizon)
    if not 1 <= horizon <= MAX_NEED_HORIZON:
        raise ConfigError(f"--horizon must be 1 … {MAX_NEED_HORIZON}, got {horizon}")
    lo, hi = SURVEY_YEAR_RANGE
    if not lo <= int(year) <= hi:
        raise ConfigError(f"--year must be {lo} … {hi}, got {year}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".ods":
        data = ods_bytes(int(year), template_columns(int(year), horizon), _WIDTH, _TEXT, INPUT_ROWS, HEADER_ROW,
                         _instructions(int(year), horizon), (DATA_SHEET, LISTS_SHEET, HELP_SHEET))
        _write(path, data)
        return
    if suffix != ".xlsx":
        raise ConfigError(f"the form is written as .xlsx or .ods (by the file name's extension), "
                          f"not {path.suffix or 'a name without an extension'}: {path.name}")
    wb, stamp = _build(int(year), horizon)
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl stamps "modified" with the clock and zip entries with the local time:
    # rewrite both so the same arguments give the same bytes.
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (stamp.year, stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"<dcterms:modified\1>" + iso + rb"</dcterms:modified>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, data)
    _write(path, out.getvalue())


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc}") from None
