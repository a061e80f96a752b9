"""Classifiers: ОКВЭД2 divisions and sections, education levels, ИНН, profession codes.

This module is the one place where these facts live; every stage imports them from here.

Users may extend the built-in lists with fuller official ones from CSV files
(UTF-8, with or without BOM, comma-separated, one header row):

* professions: ``code,name`` — ОКПДТР (5 digits) or ОКЗ (4 digits) codes with names;
  see :func:`load_professions`.
* ОКВЭД2 divisions: ``division,section[,name]`` — two-digit division, section letter A–U;
  see :func:`load_okved_divisions`.

Examples
--------
>>> okved_section("47.11")
'G'
>>> normalize_education("ппссз")
('СПО-ССЗ', True)
>>> inn_is_valid("7707083893")
True
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

# ---------------------------------------------------------------------------
# ОКВЭД2 (ОК 029-2014): every division and the section it belongs to.
# Divisions that do not exist (04, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89) are absent.
_SECTION_RANGES: dict[str, tuple[int, ...]] = {
    "A": (1, 2, 3),
    "B": (5, 6, 7, 8, 9),
    "C": tuple(range(10, 34)),
    "D": (35,),
    "E": (36, 37, 38, 39),
    "F": (41, 42, 43),
    "G": (45, 46, 47),
    "H": (49, 50, 51, 52, 53),
    "I": (55, 56),
    "J": (58, 59, 60, 61, 62, 63),
    "K": (64, 65, 66),
    "L": (68,),
    "M": (69, 70, 71, 72, 73, 74, 75),
    "N": (77, 78, 79, 80, 81, 82),
    "O": (84,),
    "P": (85,),
    "Q": (86, 87, 88),
    "R": (90, 91, 92, 93),
    "S": (94, 95, 96),
    "T": (97, 98),
    "U": (99,),
}

#: division code ("01" … "99") → section letter ("A" … "U")
OKVED_DIVISIONS: dict[str, str] = {
    f"{d:02d}": section for section, divisions in _SECTION_RANGES.items() for d in divisions
}

#: section letter → Russian name (short form used in reports)
OKVED_SECTIONS: dict[str, str] = {
    "A": "Сельское, лесное хозяйство, охота, рыболовство и рыбоводство",
    "B": "Добыча полезных ископаемых",
    "C": "Обрабатывающие производства",
    "D": "Обеспечение электрической энергией, газом и паром",
    "E": "Водоснабжение, водоотведение, утилизация отходов",
    "F": "Строительство",
    "G": "Торговля оптовая и розничная; ремонт автотранспортных средств",
    "H": "Транспортировка и хранение",
    "I": "Деятельность гостиниц и предприятий общественного питания",
    "J": "Деятельность в области информации и связи",
    "K": "Деятельность финансовая и страховая",
    "L": "Деятельность по операциям с недвижимым имуществом",
    "M": "Деятельность профессиональная, научная и техническая",
    "N": "Деятельность административная и сопутствующие услуги",
    "O": "Государственное управление и обеспечение военной безопасности",
    "P": "Образование",
    "Q": "Деятельность в области здравоохранения и социальных услуг",
    "R": "Деятельность в области культуры, спорта, досуга и развлечений",
    "S": "Предоставление прочих видов услуг",
    "T": "Деятельность домашних хозяйств",
    "U": "Деятельность экстерриториальных организаций",
}

#: English section names (workbook with language = "en")
OKVED_SECTIONS_EN: dict[str, str] = {
    "A": "Agriculture, forestry and fishing",
    "B": "Mining and quarrying",
    "C": "Manufacturing",
    "D": "Electricity, gas and steam supply",
    "E": "Water supply, sewerage, waste management",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles",
    "H": "Transportation and storage",
    "I": "Accommodation and food service",
    "J": "Information and communication",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support service activities",
    "O": "Public administration and defence",
    "P": "Education",
    "Q": "Human health and social work",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers",
    "U": "Activities of extraterritorial organisations",
}

# Accepted forms: NN, NN.N, NN.NN, NN.NN.N, NN.NN.NN (survey-format.md).
_OKVED_FORMS = re.compile(r"^(\d{2})(?:\.(\d)(\d)?(?:\.(\d)(\d)?)?)?$")


def okved_is_valid(code: str) -> bool:
    """Whether ``code`` has an accepted ОКВЭД2 form and an existing division.

    >>> okved_is_valid("41.20"), okved_is_valid("04.1"), okved_is_valid("4120")
    (True, False, False)
    """
    m = _OKVED_FORMS.match(str(code).strip())
    if not m:
        return False
    # NN.N.N is not a form (the group needs both digits before a subgroup)
    if m.group(4) is not None and m.group(3) is None:
        return False
    return m.group(1) in OKVED_DIVISIONS


def okved_section(code: str) -> str | None:
    """Section letter (A–U) of an ОКВЭД2 code, or None when the code is invalid.

    >>> okved_section("01.11"), okved_section("99")
    ('A', 'U')
    """
    if not okved_is_valid(code):
        return None
    return OKVED_DIVISIONS[str(code).strip()[:2]]


# ---------------------------------------------------------------------------
# Education levels (survey-format.md, column `education`).
EDUCATION_LEVELS: dict[str, str] = {
    "СПО-КРС": "СПО: программа подготовки квалифицированных рабочих, служащих",
    "СПО-ССЗ": "СПО: программа подготовки специалистов среднего звена",
    "ВО": "Высшее образование",
    "ПО": "Профессиональное обучение",
    "БО": "Без требований к образованию",
}

#: levels that training programmes (and so quotas) exist for
QUOTA_LEVELS: tuple[str, ...] = ("СПО-КРС", "СПО-ССЗ")

#: aliases → level; keys are in normalised form (see :func:`normalize_label`)
EDUCATION_ALIASES: dict[str, str] = {
    "спо пкрс": "СПО-КРС",
    "пкрс": "СПО-КРС",
    "рабочий": "СПО-КРС",
    "спо": "СПО-КРС",
    "спо ппссз": "СПО-ССЗ",
    "ппссз": "СПО-ССЗ",
    "техник": "СПО-ССЗ",
    "высшее": "ВО",
    "бакалавр": "ВО",
    "специалитет": "ВО",
    "магистр": "ВО",
}

_NOT_ALNUM_RUN = re.compile(r"[\W_]+")
_TRAILING_PERSONS = re.compile(r"(?:^| )чел$")


def normalize_label(text: object) -> str:
    """Normalise a header or an enumerated value for matching (survey-format.md, "Matching
    headers"): lower case, ``ё`` → ``е``, every character that is not a letter or digit
    becomes a space, runs of spaces collapse, trimmed, and a trailing ``чел`` is dropped.

    >>> normalize_label("  СПО – КРС "), normalize_label("Численность работников, чел.")
    ('спо крс', 'численность работников')
    >>> normalize_label("Код профессии (ОКПДТР)"), normalize_label("need_1")
    ('код профессии окпдтр', 'need 1')
    """
    s = _NOT_ALNUM_RUN.sub(" ", str(text).lower().replace("ё", "е")).strip()
    return _TRAILING_PERSONS.sub("", s).strip()


_LEVEL_BY_NORMAL = {normalize_label(k): k for k in EDUCATION_LEVELS}
_ALIAS_BY_NORMAL = {normalize_label(k): v for k, v in EDUCATION_ALIASES.items()}


def normalize_education(value: object) -> tuple[str | None, bool]:
    """Map an education value to its level.

    Returns ``(level, is_alias)``; ``level`` is None when the value names no level.

    >>> normalize_education("СПО-КРС"), normalize_education("магистр"), normalize_education("x")
    (('СПО-КРС', False), ('ВО', True), (None, False))
    """
    key = normalize_label(value)
    if key in _LEVEL_BY_NORMAL:
        return _LEVEL_BY_NORMAL[key], False
    if key in _ALIAS_BY_NORMAL:
        return _ALIAS_BY_NORMAL[key], True
    return None, False


# ---------------------------------------------------------------------------
# ИНН (taxpayer number) check digits.
_INN10_W = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_W = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_W = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10


def inn_format_ok(inn: str) -> bool:
    """Whether ``inn`` is 10 or 12 digits (format only)."""
    s = str(inn)
    return s.isascii() and s.isdigit() and len(s) in (10, 12)


def inn_is_valid(inn: str) -> bool:
    """Whether ``inn`` is a 10- or 12-digit ИНН with valid check digits.

    >>> inn_is_valid("7707083893"), inn_is_valid("7707083894"), inn_is_valid("500100732259")
    (True, False, True)
    """
    s = str(inn)
    if not inn_format_ok(s):
        return False
    if len(s) == 10:
        return _check_digit(s[:9], _INN10_W) == int(s[9])
    return _check_digit(s[:10], _INN11_W) == int(s[10]) and _check_digit(
        s[:11], _INN12_W
    ) == int(s[11])


def make_inn(body: str) -> str:
    """Complete a 9-digit (organisation) or 10-digit (entrepreneur) body with check digits.

    >>> make_inn("770708389")
    '7707083893'
    """
    if len(body) == 9:
        return body + str(_check_digit(body, _INN10_W))
    if len(body) == 10:
        b11 = body + str(_check_digit(body, _INN11_W))
        return b11 + str(_check_digit(b11, _INN12_W))
    raise ValueError("an ИНН body has 9 or 10 digits")


# ---------------------------------------------------------------------------
# Profession codes: ОКПДТР (5 digits) or ОКЗ group (4 digits).
PROFESSION_CODE_RE = re.compile(r"^\d{4,5}$")


def profession_code_is_valid(code: str) -> bool:
    """Whether ``code`` is a 5-digit ОКПДТР code or a 4-digit ОКЗ group.

    >>> profession_code_is_valid("19861"), profession_code_is_valid("7231"), profession_code_is_valid("123")
    (True, True, False)
    """
    return bool(PROFESSION_CODE_RE.match(str(code)))


# Training programme codes of СПО: NN.NN.NN (e.g. 15.01.05).
PROGRAMME_CODE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
#: programme durations allowed, months (methodology.md §5)
PROGRAMME_DURATIONS: tuple[int, ...] = (22, 34, 46)


# ---------------------------------------------------------------------------
# Extending the built-ins from users' CSV files.
#: profession code → name, filled by :func:`load_professions`
PROFESSIONS: dict[str, str] = {}


def _read_csv_text(path: str | Path) -> pd.DataFrame:
    from forecast.tabular import read_text_table

    return read_text_table(path)


def load_professions(path: str | Path) -> dict[str, str]:
    """Load a profession list (CSV columns ``code,name``) and add it to :data:`PROFESSIONS`.

    Codes are kept as text (leading zeros stay). Returns the mapping read.
    Raises ValueError naming the row of a code that is neither 4 nor 5 digits.
    """
    df = _read_csv_text(path)
    missing = {"code", "name"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected code,name")
    out: dict[str, str] = {}
    for i, (code, name) in enumerate(zip(df["code"].str.strip(), df["name"].str.strip()), start=2):
        if not profession_code_is_valid(code):
            raise ValueError(f"{path}: row {i}: profession code {code!r} is not 4 or 5 digits")
        out[code] = name
    PROFESSIONS.update(out)
    return out


def load_okved_divisions(path: str | Path) -> dict[str, str]:
    """Load ОКВЭД2 divisions (CSV columns ``division,section[,name]``) into :data:`OKVED_DIVISIONS`.

    Returns the mapping read. Raises ValueError naming the row of a malformed entry.
    """
    df = _read_csv_text(path)
    missing = {"division", "section"} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected division,section")
    out: dict[str, str] = {}
    for i, (div, sec) in enumerate(zip(df["division"].str.strip(), df["section"].str.strip()), start=2):
        if not re.fullmatch(r"\d{2}", div) or sec not in OKVED_SECTIONS:
            raise ValueError(f"{path}: row {i}: bad division {div!r} or section {sec!r}")
        out[div] = sec
    OKVED_DIVISIONS.update(out)
    return out
