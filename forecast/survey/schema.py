"""The survey form's columns, headers and issue codes: the one place for these rules.

Everything a reader or the template needs to know about the form of survey-format.md
lives here: the column keys with their Russian display headers, which columns are
required, how a header cell is matched to a key, and the issue codes with their
severities and message templates.

Choices where the contract is silent (written down here, as the brief asks):

* A need header may name the offset (``need_3``) or the year (``Потребность 2029``,
  ``Дополнительная потребность в 2029 г., чел.``, ``Потребность в 2029 году``,
  ``need 2029``). A year-form header whose year is not T+1 … T+10 is ignored with
  W_UNKNOWN_COLUMN.
* The value of W_REPEATED_HEADER (the number of rows skipped) is text, like every
  issue value.
* ``W_NO_CONTROL`` (not in the contract): respondents in a section that the control totals
  do not cover keep weight 1; reported once per (survey_year, section).

Messages in two languages (issue 14): every message is built from its facts, never by
translating English text. :data:`MESSAGES` (English) and :data:`MESSAGES_RU` hold one template
per code with the same placeholders; codes whose message is a whole sentence fill
``{detail}`` with a :class:`Detail` (a key of :data:`DETAILS`, English and Russian, plus its
fields: numbers, names, values quoted from the input); skipped files' reasons are keys of
:data:`SKIP_REASONS`. An issue record carries ``message`` (English) and ``message_ru``
(:func:`messages`); the contract's issues frame (``SurveyData.issues``, the JSON report) keeps
the English ``message`` only, and the Russian texts travel beside it in
``SurveyData.messages_ru`` (``SurveyData.messages(lang)``) and in each skipped entry's
``reason_ru``, which the workbook of a Russian run shows. ``survey_report.json`` and the
``kadry validate`` console summary stay English: they are for programs and the JSON contract
(the console lists codes, which are the same in both languages).

Examples
--------
>>> match_header("  ИНН ")
('inn', None)
>>> match_header("Дополнительная потребность в 2027 г., чел.")
('need_year', 2027)
>>> match_header("need_3")
('need_3', None)
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import re
import string

from forecast.classifiers import normalize_label
from forecast.columns import NEED_COLUMNS
from forecast.params import MAX_NEED_HORIZON

#: key → Russian display header (the template's wording); need headers are year-form
HEADERS_RU: dict[str, str] = {
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
    "submitted_at": "Дата заполнения",
}

#: the need header of the template for year ``year`` (survey year T + k)
NEED_HEADER_RU = "Дополнительная потребность в {year} г., чел."

#: every column key in form order (need columns in the middle, as in the template)
FORM_KEYS: tuple[str, ...] = (
    "survey_year", "inn", "employer", "okved", "municipality", "profession_code",
    "profession", "education", "headcount", "vacancies", "age_55plus", *NEED_COLUMNS,
    "submitted_at",
)

#: the 9 required columns that identify a header row
REQUIRED_KEYS: tuple[str, ...] = (
    "survey_year", "inn", "employer", "okved", "profession_code", "profession",
    "education", "headcount", "need_1",
)

TEXT_KEYS: tuple[str, ...] = ("inn", "employer", "okved", "municipality", "profession_code",
                              "profession", "education")
INT_KEYS: tuple[str, ...] = ("survey_year", "headcount", "vacancies", "age_55plus", *NEED_COLUMNS)
#: numbers the totals rows are checked on
TOTAL_KEYS: tuple[str, ...] = ("headcount", "vacancies", *NEED_COLUMNS)
#: numbers summed when rows merge
SUM_KEYS: tuple[str, ...] = ("headcount", "vacancies", "age_55plus", *NEED_COLUMNS)

#: header synonyms of survey-format.md ("Matching headers"), besides the template header and
#: the key; compared after :func:`~forecast.classifiers.normalize_label`
SYNONYMS: dict[str, tuple[str, ...]] = {
    "survey_year": ("год", "отчетный год", "год обследования мониторинга"),
    "inn": ("инн организации", "инн работодателя"),
    "employer": ("наименование организации", "организация", "работодатель",
                 "полное наименование организации"),
    "okved": ("оквэд2", "оквэд", "код оквэд", "код по оквэд2", "вид экономической деятельности код оквэд2"),
    "municipality": ("муниципальный район городской округ", "муниципалитет"),
    "profession_code": ("код окпдтр", "код по окпдтр", "код профессии", "код профессии должности", "код окз"),
    "profession": ("профессия", "профессия должность", "наименование профессии",
                   "наименование профессии специальности должности", "должность"),
    "education": ("уровень образования", "требуемое образование", "образование"),
    "headcount": ("численность работников", "численность работников всего", "численность всего",
                  "фактическая численность", "численность"),
    "vacancies": ("вакансии", "количество вакансий", "число вакантных мест", "вакантные места"),
    "submitted_at": ("дата",),
}
#: a normalised header containing one of these names age_55plus
AGE_55_PARTS: tuple[str, ...] = ("55 лет и старше", "старше 55 лет")

_BY_LABEL: dict[str, str] = {}
for _k, _h in HEADERS_RU.items():
    _BY_LABEL[normalize_label(_h)] = _k
for _k in FORM_KEYS:
    _BY_LABEL[normalize_label(_k)] = _k
for _k, _syn in SYNONYMS.items():
    for _s in _syn:
        _BY_LABEL[normalize_label(_s)] = _k

_YEAR_TOKEN = re.compile(r"(?<!\d)\d{4}(?!\d)")
_NEED_WORD = re.compile(r"потребност|(?:^| )need(?: |$)")


def match_header(cell: object) -> tuple[str | None, int | None]:
    """Key a header cell names: ``(key, None)``, ``("need_year", year)`` or ``(None, None)``.

    A year-form need header holds the stem ``потребност`` (or the word ``need``) and exactly
    one four-digit number; whether that year is T+1 … T+10 is decided once T is known.
    """
    if type(cell) is str:
        return _match_text(cell)  # header texts repeat from file to file: cached
    return _match(cell)


@functools.lru_cache(maxsize=8192)
def _match_text(cell: str) -> tuple[str | None, int | None]:
    return _match(cell)


def _match(cell: object) -> tuple[str | None, int | None]:
    if cell is None or isinstance(cell, bool):
        return None, None
    label = normalize_label(cell)
    if not label:
        return None, None
    key = _BY_LABEL.get(label)
    if key is not None:
        return key, None
    if any(part in label for part in AGE_55_PARTS):
        return "age_55plus", None
    if _NEED_WORD.search(label):
        years = _YEAR_TOKEN.findall(label)
        if len(years) == 1:
            return "need_year", int(years[0])
    return None, None


def need_key(year: int, survey_year: int) -> str | None:
    """``need_k`` for a year-form need header, or None when k is outside 1 … 10."""
    k = year - survey_year
    return f"need_{k}" if 1 <= k <= MAX_NEED_HORIZON else None


TOTAL_PREFIXES: tuple[str, ...] = ("итого", "всего", "total")

# ---------------------------------------------------------------------------
# Issue codes → message template, English (the JSON report's) and Russian (the workbook of a
# Russian run), with the same placeholders. Severity: E_* error, W_* warning.
MESSAGES: dict[str, str] = {
    # file level
    "E_FILE_UNREADABLE": "the file cannot be read: {detail}",
    "E_NO_HEADER": "no header row naming at least 6 of the 9 required columns in the first 30 rows{detail}",
    "E_MISSING_COLUMN": "{detail}",
    "E_MIXED_YEARS": "need columns are headed by years, so every row must have one survey year; found {detail}",
    "E_FILE_TOO_LARGE": "the file is too large to read safely: {detail}",
    "E_ENCRYPTED": "the file is a password-protected workbook; save it without a password",
    "E_UNSAFE_XML": "the workbook part {detail} declares a DOCTYPE or entities (refused: unsafe XML)",
    # row level
    "E_REQUIRED": "a required value is empty",
    "E_NOT_NUMBER": "not a number",
    "E_NOT_INTEGER": "not a whole number",
    "E_NEGATIVE": "negative number",
    "E_SURVEY_YEAR": "{detail}",
    "E_INN_FORMAT": "ИНН must be 10 digits (organisation) or 12 digits (entrepreneur)",
    "E_INN_CHECKSUM": "ИНН check digits do not match",
    "E_OKVED": "not an ОКВЭД2 code (NN, NN.N, NN.NN, NN.NN.N or NN.NN.NN with an existing division)",
    "E_PROFESSION_CODE": "profession code must be 5 digits (ОКПДТР) or 4 digits (ОКЗ group)",
    "E_EDUCATION": "no such education level (СПО-КРС, СПО-ССЗ, ВО, ПО, БО)",
    "E_AGE_GT_HEADCOUNT": "staff aged 55+ exceeds the headcount ({detail})",
    "E_FORMULA": "a formula cell without a cached value (open and save the file in Excel, or type the value)",
    "E_DATE": "unreadable date (use a date cell, YYYY-MM-DD or DD.MM.YYYY)",
    # warnings
    "W_UNKNOWN_COLUMN": "column ignored: {detail}",
    "W_ALIAS": "{detail}",
    "W_MERGED": "same survey_year, ИНН, profession code and education as row {detail}: numbers added into it",
    "W_SUPERSEDED": "{detail}",
    "W_TOTAL_MISMATCH": "{detail}",
    "W_IGNORED_ROWS": "{detail}",
    "W_NEED_IMPLAUSIBLE": "need in the first year ({detail}) exceeds 2 × headcount + 10",
    "W_VACANCIES_GT_HEADCOUNT": "vacancies exceed the headcount ({detail})",
    "W_JUMP": "{detail}",
    "W_REPEATED_HEADER": "{detail}",
    "W_THIN_WAVE": "{detail}",
    "W_NO_CONTROL": "{detail}",
}

MESSAGES_RU: dict[str, str] = {
    "E_FILE_UNREADABLE": "файл не читается: {detail}",
    "E_NO_HEADER": "в первых 30 строках нет строки заголовка, называющей хотя бы 6 из 9 "
                   "обязательных столбцов{detail}",
    "E_MISSING_COLUMN": "{detail}",
    "E_MIXED_YEARS": "столбцы потребности озаглавлены годами, поэтому у всех строк должен быть "
                     "один год обследования; найдены {detail}",
    "E_FILE_TOO_LARGE": "файл слишком велик для безопасного чтения: {detail}",
    "E_ENCRYPTED": "книга защищена паролем; сохраните её без пароля",
    "E_UNSAFE_XML": "часть книги {detail} объявляет DOCTYPE или сущности (отклонено: небезопасный XML)",
    "E_REQUIRED": "не заполнено обязательное значение",
    "E_NOT_NUMBER": "не число",
    "E_NOT_INTEGER": "не целое число",
    "E_NEGATIVE": "отрицательное число",
    "E_SURVEY_YEAR": "{detail}",
    "E_INN_FORMAT": "ИНН должен состоять из 10 цифр (организация) или 12 цифр (предприниматель)",
    "E_INN_CHECKSUM": "не сходятся контрольные цифры ИНН",
    "E_OKVED": "не код ОКВЭД2 (NN, NN.N, NN.NN, NN.NN.N или NN.NN.NN с существующим классом)",
    "E_PROFESSION_CODE": "код профессии — 5 цифр (ОКПДТР) или 4 цифры (группа ОКЗ)",
    "E_EDUCATION": "нет такого уровня образования (СПО-КРС, СПО-ССЗ, ВО, ПО, БО)",
    "E_AGE_GT_HEADCOUNT": "работников 55 лет и старше больше, чем численность ({detail})",
    "E_FORMULA": "ячейка с формулой без сохранённого значения (откройте и сохраните файл в Excel "
                 "или введите значение)",
    "E_DATE": "дата не читается (ячейка-дата, ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)",
    "W_UNKNOWN_COLUMN": "столбец не учтён: {detail}",
    "W_ALIAS": "{detail}",
    "W_MERGED": "тот же год обследования, ИНН, код профессии и уровень образования, что в строке "
                "{detail}: числа прибавлены к ней",
    "W_SUPERSEDED": "{detail}",
    "W_TOTAL_MISMATCH": "{detail}",
    "W_IGNORED_ROWS": "{detail}",
    "W_NEED_IMPLAUSIBLE": "потребность первого года ({detail}) больше 2 × численность + 10",
    "W_VACANCIES_GT_HEADCOUNT": "вакансий больше, чем численность ({detail})",
    "W_JUMP": "{detail}",
    "W_REPEATED_HEADER": "{detail}",
    "W_THIN_WAVE": "{detail}",
    "W_NO_CONTROL": "{detail}",
}

#: the facts a message is built from, by detail key: (English, Russian), same placeholders.
#: A :class:`Detail` names one of them with its fields; it fills the ``{detail}`` of a code.
DETAILS: dict[str, tuple[str, str]] = {
    # E_FILE_UNREADABLE
    "not_ole": ("not an OLE compound file", "не составной файл OLE"),
    "ole_sector_size": ("a corrupt OLE compound file (sector size)",
                        "повреждённый составной файл OLE (размер сектора)"),
    "ole_sector_range": ("a corrupt OLE compound file (sector out of range)",
                         "повреждённый составной файл OLE (сектор за пределами файла)"),
    "ole_directory": ("a corrupt OLE compound file (directory chain)",
                      "повреждённый составной файл OLE (цепочка каталога)"),
    "ole_not_workbook": ("an OLE compound file that is not a workbook (a Word or other Office "
                         "document?); save it as .xlsx",
                         "составной файл OLE, но не книга (документ Word или другой программы "
                         "Office?); сохраните его как .xlsx"),
    "not_workbook": ("not a workbook; save it as .xlsx", "не книга; сохраните её как .xlsx"),
    "html_workbook": ("not a workbook (an HTML page saved as a workbook?); save it as .xlsx",
                      "не книга (веб-страница HTML, сохранённая как книга?); сохраните её как .xlsx"),
    "zip_not_workbook": ("a zip archive that is not a workbook", "zip-архив, но не книга"),
    "utf16": ("UTF-16/UTF-32 encoding; save the CSV as UTF-8 or Windows-1251",
              "кодировка UTF-16/UTF-32; сохраните CSV в UTF-8 или Windows-1251"),
    "nul_bytes": ("NUL bytes: not a UTF-8 or Windows-1251 text file (UTF-16?); save the CSV as "
                  "UTF-8 or Windows-1251",
                  "нулевые байты: не текст в UTF-8 или Windows-1251 (UTF-16?); сохраните CSV "
                  "в UTF-8 или Windows-1251"),
    "not_text": ("neither UTF-8 nor Windows-1251 text ({reason} at byte {at})",
                 "текст не в UTF-8 и не в Windows-1251 ({reason} в байте {at})"),
    "csv_line": ("line {line}: {error}", "строка {line}: {error}"),
    "other_encoding": ("the text is in {encoding}, not UTF-8 or Windows-1251 (save the CSV as "
                       "UTF-8 or Windows-1251)",
                       "текст в кодировке {encoding}, а не UTF-8 или Windows-1251 (сохраните CSV "
                       "в UTF-8 или Windows-1251)"),
    "error": ("{error}", "{error}"),
    "sheet_error": ("sheet {sheet!r}: {error}", "лист {sheet!r}: {error}"),
    "zip_member_corrupt": ("corrupt zip member {member}", "повреждена часть zip-архива {member}"),
    "zip_member_error": ("corrupt zip member {member}: {error}",
                         "повреждена часть zip-архива {member}: {error}"),
    "zip_member_size": ("corrupt zip member {member} ({size} bytes, {declared} declared)",
                        "повреждена часть zip-архива {member} ({size} байт, объявлено {declared})"),
    "zip_member_crc": ("corrupt zip member {member} (bad CRC-32)",
                       "повреждена часть zip-архива {member} (неверная CRC-32)"),
    "zip_compression": ("zip member {member} uses an unsupported compression",
                        "часть zip-архива {member} сжата неподдерживаемым методом"),
    "zip_invalid": ("not a valid workbook (zip): {error}", "неправильная книга (zip): {error}"),
    # E_FILE_TOO_LARGE
    "disk_size": ("{mib:.1f} MiB on disk (the limit is {limit} MiB)",
                  "{mib:.1f} МиБ на диске (предел {limit} МиБ)"),
    "rows_over": ("more than {limit:,} data rows", "больше {limit:,} строк данных"),
    "rows_count": ("{n:,} data rows (the limit is {limit:,})", "{n:,} строк данных (предел {limit:,})"),
    "sheet_rows": ("{n:,} rows in sheet {sheet!r} (the limit is {limit:,} data rows)",
                   "{n:,} строк на листе {sheet!r} (предел {limit:,} строк данных)"),
    "sheet_cells": ("sheet {sheet!r} spans {cells:,} cells from A1 (the limit is {limit:,})",
                    "лист {sheet!r} занимает {cells:,} ячеек от A1 (предел {limit:,})"),
    "sheet_cells_stray": ("sheet {sheet!r} spans {cells:,} cells from A1 (the limit is {limit:,}): "
                          "a stray value far to the right of or below the table?",
                          "лист {sheet!r} занимает {cells:,} ячеек от A1 (предел {limit:,}): "
                          "случайное значение далеко справа или ниже таблицы?"),
    "merged_cells": ("sheet {sheet!r}: merged ranges cover more than {limit:,} cells "
                     "(overlapping merges?)",
                     "лист {sheet!r}: объединённые ячейки покрывают больше {limit:,} ячеек "
                     "(наложенные объединения?)"),
    "out_of_memory": ("out of memory while reading", "не хватило памяти при чтении"),
    "slow_parse": ("parsing took longer than {seconds:g} s (the last-resort safety net)",
                   "разбор длился дольше {seconds:g} с (последняя страховка)"),
    "zip_parts": ("{n} parts in the workbook", "{n} частей в книге"),
    "xml_declared": ("{mib:.0f} MiB of XML declared (the limit is {limit} MiB)",
                     "объявлено {mib:.0f} МиБ XML (предел {limit} МиБ)"),
    "zip_bomb_size": ("zip member {member} inflates past its declared size ({size:,} bytes): "
                      "a zip bomb?",
                      "часть zip-архива {member} распаковывается больше объявленного размера "
                      "({size:,} байт): zip-бомба?"),
    "zip_bomb_ratio": ("zip member {member} inflates past {ratio} times its compressed size: "
                       "a zip bomb?",
                       "часть zip-архива {member} распаковывается больше чем в {ratio} раз: "
                       "zip-бомба?"),
    "xml_inflated": ("more than {limit} MiB of uncompressed XML (a zip bomb?)",
                     "больше {limit} МиБ распакованного XML (zip-бомба?)"),
    # E_NO_HEADER (a suffix of the sentence)
    "of_sheet": (" of sheet {sheet!r}", " на листе {sheet!r}"),
    "of_any_sheet": (" of any visible sheet ({sheets})", " ни на одном видимом листе ({sheets})"),
    "of_no_sheet": (" of any visible sheet (no sheets)", " ни на одном видимом листе (листов нет)"),
    "empty_file": (" (the file is empty)", " (файл пуст)"),
    # E_MISSING_COLUMN
    "named_twice": ("column {column} is named twice (columns {letters}): which one holds it is "
                    "ambiguous",
                    "столбец {column} назван дважды (столбцы {letters}): неясно, какой из них "
                    "верный"),
    "need_named_twice": ("column need for {year} is named twice (columns {letters}): which one "
                         "holds it is ambiguous",
                         "столбец потребности на {year} г. назван дважды (столбцы {letters}): "
                         "неясно, какой из них верный"),
    "key_and_year": ("column {column} is named twice (by its key and by the year {year}): which "
                     "one holds it is ambiguous",
                     "столбец {column} назван дважды (ключом и годом {year}): неясно, какой из "
                     "них верный"),
    "lacks_columns": ("the header lacks required column(s): {columns}",
                      "в заголовке нет обязательных столбцов: {columns}"),
    "lacks_need_1": ("the header lacks required column(s): need_1 (need for {year})",
                     "в заголовке нет обязательных столбцов: need_1 (потребность на {year} г.)"),
    # W_UNKNOWN_COLUMN
    "not_a_column": ("{text!r} is not a column of the form", "{text!r} — не столбец формы"),
    "need_year_out": ("need for {year} is not 1 … 10 years after the survey year {base}",
                      "потребность на {year} г. — не через 1 … 10 лет после года обследования "
                      "{base}"),
    # E_SURVEY_YEAR
    "year_outside": ("survey year outside {lo}–{hi}", "год обследования вне {lo}–{hi}"),
    "year_after": ("survey year after the survey year of this run ({year})",
                   "год обследования позже года обследования этого расчёта ({year})"),
    # W_ALIAS
    "education_alias": ("education {text!r} read as {level}",
                        "уровень образования {text!r} прочитан как {level}"),
    # W_IGNORED_ROWS, W_REPEATED_HEADER
    "ignored_rows": ("{n} row(s) without ИНН, profession code and headcount ignored (first: row "
                     "{first})",
                     "строк без ИНН, кода профессии и численности пропущено: {n} (первая — "
                     "строка {first})"),
    "repeated_header": ("{n} row(s) repeating the header or its column numbers (a page header?) "
                        "skipped, not read as data (first: row {first})",
                        "строк, повторяющих заголовок или номера столбцов (заголовок страницы?), "
                        "пропущено как не данные: {n} (первая — строка {first})"),
    # outcomes of the rows
    "need_vs_headcount": ("{need:.0f} against headcount {headcount:.0f}",
                          "{need:.0f} при численности {headcount:.0f}"),
    "total_mismatch": ("totals row says {value}, the rows above sum to {expect:.0f}",
                       "в строке итогов {value}, а сумма строк выше — {expect:.0f}"),
    "superseded": ("employer ИНН {inn}, survey year {year}: replaced by the later submission {file}",
                   "работодатель ИНН {inn}, год обследования {year}: анкета заменена более "
                   "поздней {file}"),
    "jump": ("headcount of profession {profession} ({education}) went from {prev:.0f} ({prev_year}) "
             "to {now:.0f}: a change of more than {factor:g}× up or down and of at least "
             "{min_change} persons",
             "численность по профессии {profession} ({education}) изменилась с {prev:.0f} "
             "({prev_year} г.) до {now:.0f}: больше чем в {factor:g} раза вверх или вниз и не "
             "меньше чем на {min_change} чел."),
    "thin_wave": ("the {year} wave has {n} respondent(s), fewer than {share:.0%} of the "
                  "{prev_year} wave's {n_prev}: stray rows with a wrong year, or a wave not fully "
                  "loaded? ([survey] year pins the survey year)",
                  "в волне {year} г. респондентов: {n}, меньше {share:.0%} от {n_prev} в волне "
                  "{prev_year} г.: случайные строки с неверным годом или волна загружена не "
                  "полностью? (год обследования задаёт [survey] year)"),
    "no_control": ("no control total for survey year {year}, section {section}: weight 1",
                   "нет контрольной численности за {year} г. по разделу {section}: вес 1"),
    "no_control_borrowed": ("no control total for survey year {year}, section {section}: the "
                            "section's weight of {other} ({weight:.3g}) is used",
                            "нет контрольной численности за {year} г. по разделу {section}: "
                            "взят вес раздела за {other} г. ({weight:.3g})"),
}

#: why a file is listed under ``skipped`` (not read), by reason key: (English, Russian)
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "lock_file": ("an Office lock file, not a form", "файл блокировки Office, а не анкета"),
    "text_document": ("a text document, not a table: save the form as .xlsx",
                      "текстовый документ, а не таблица: сохраните анкету как .xlsx"),
    "pdf": ("a PDF, not a table: ask for the form as .xlsx",
            "PDF, а не таблица: запросите анкету в формате .xlsx"),
    "archive": ("an archive: unpack it first", "архив: сначала распакуйте его"),
    "other": ("not a workbook or CSV (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv)",
              "не книга и не CSV (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv)"),
    "folder_link": ("a symbolic link to a folder (not followed)",
                    "символическая ссылка на папку (не открывается)"),
    "not_regular": ("not a regular file (a broken link, a pipe or a device)",
                    "не обычный файл (битая ссылка, канал или устройство)"),
}

LANGUAGES: tuple[str, ...] = ("en", "ru")


@dataclasses.dataclass(frozen=True)
class Detail:
    """The facts of a message, rendered in either language from :data:`DETAILS`.

    ``key`` names the template, ``fields`` fills it (numbers, names and values quoted from
    the input, never a pre-built sentence). Picklable: it travels back from worker processes
    inside a FileError.

    >>> d = Detail.of("year_outside", lo=2000, hi=2026)
    >>> d.render("en"), d.render("ru")
    ('survey year outside 2000–2026', 'год обследования вне 2000–2026')
    """

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **fields) -> "Detail":
        if key not in DETAILS:
            raise KeyError(f"no message detail {key!r}")
        return cls(key, tuple(sorted(fields.items())))

    def render(self, lang: str = "en") -> str:
        en, ru = DETAILS[self.key]
        if _lang(lang) == "ru":
            return _RU_NUMBERS.format(ru, **dict(self.fields))
        return en.format(**dict(self.fields))

    def __str__(self) -> str:
        return self.render("en")


class _RussianNumbers(string.Formatter):
    """Numbers the Russian way: a space between thousands, a decimal comma (2 500,5)."""

    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text


_RU_NUMBERS = _RussianNumbers()


def _lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    return lang


def render_detail(detail: object, lang: str = "en") -> str:
    """A message's detail in ``lang``: a :class:`Detail`, a list of them (joined by "; ") or a
    plain value (the same in both languages)."""
    if isinstance(detail, Detail):
        return detail.render(lang)
    if isinstance(detail, (list, tuple)):  # several facts of one message (E_MISSING_COLUMN)
        return "; ".join(render_detail(d, lang) for d in detail)
    return str(detail)


FILE_CODES: frozenset[str] = frozenset(
    ("E_FILE_UNREADABLE", "E_NO_HEADER", "E_MISSING_COLUMN", "E_MIXED_YEARS",
     "E_FILE_TOO_LARGE", "E_ENCRYPTED", "E_UNSAFE_XML")
)


def severity(code: str) -> str:
    """``"error"`` for E_* codes, ``"warning"`` for W_* codes.

    >>> severity("E_OKVED"), severity("W_MERGED")
    ('error', 'warning')
    """
    return "error" if code.startswith("E_") else "warning"


def message(code: str, detail: object = "", lang: str = "en") -> str:
    """The message of ``code`` in ``lang`` with ``detail`` filled in.

    ``detail`` is a :class:`Detail` (rendered in ``lang``), a list of them (joined by "; ")
    or a plain value (a number, a name, a value quoted from the input: the same in both).

    >>> message("E_NO_HEADER", Detail.of("empty_file"))
    'no header row naming at least 6 of the 9 required columns in the first 30 rows (the file is empty)'
    >>> message("W_MERGED", 7, "ru")
    'тот же год обследования, ИНН, код профессии и уровень образования, что в строке 7: числа прибавлены к ней'
    """
    template = MESSAGES_RU[code] if _lang(lang) == "ru" else MESSAGES[code]
    return template.format(detail=render_detail(detail, lang))


def messages(code: str, detail: object = "") -> dict[str, str]:
    """``{"message": English, "message_ru": Russian}`` of one issue (both from the same facts)."""
    return {"message": message(code, detail, "en"), "message_ru": message(code, detail, "ru")}


def skip_reason(key: str) -> dict[str, str]:
    """``{"reason": English, "reason_ru": Russian}`` of a skipped file."""
    en, ru = SKIP_REASONS[key]
    return {"reason": en, "reason_ru": ru}
