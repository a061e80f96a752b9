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

import functools
import re

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
# Issue codes → message template. Severity: E_* error, W_* warning.
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


def message(code: str, detail: object = "") -> str:
    """The message of ``code`` with ``detail`` filled in.

    >>> message("E_NO_HEADER", " (the file is empty)")
    'no header row naming at least 6 of the 9 required columns in the first 30 rows (the file is empty)'
    """
    return MESSAGES[code].format(detail=detail)
