"""Open-data sets of a run, after the Russian open-data publication guidelines, version 3.0.

Followed: "Методические рекомендации по публикации открытых данных государственными органами
и органами местного самоуправления, а также технические требования к публикации открытых
данных (версия 3.0)", the technical requirements for CSV (passport, data and structure files):

* Each set lives in its own folder ``opendata/<identifier>/`` with three files:
  ``meta.csv`` (the passport), ``data-<set version>-structure-<structure version>.csv`` (the
  data) and ``structure-<structure version>.csv`` (the structure); versions are dates in
  ISO 8601 with day precision, written ``YYYYMMDD``.
* Every file: CSV after RFC 4180 (comma separator, fields with a comma, quote or line break
  in double quotes, CRLF line ends), UTF-8 (without BOM), a header row.
* ``meta.csv``: the header ``property,value`` and the passport's rows: ``standardversion``
  (``http://opendata.gosmonitor.ru/standard/3.0``), ``identifier``, ``title``,
  ``description``, ``creator``, ``created``, ``modified``, ``subject``, ``format``,
  ``provenance``, ``valid``, ``publishername``, ``publisherphone``, ``publishermbox``, then one
  row per data version (property ``data-<ver>-structure-<ver>``, value its file) and one per
  structure version (``structure-<ver>``). Dates as ``YYYYMMDD``.
* ``structure-*.csv``: header ``field name,english description,russian description,format``,
  one row per field of the data file in its order; format ``string``, ``integer`` or ``float``.
* ``opendata/list.csv``: the registry of the sets, header ``property,title,value,format``, a
  first row ``standardversion`` and one row per set (identifier, title, its ``meta.csv``, csv).

Where the guidelines are ambiguous or ask for what a run does not know (written down here):

* **Identifier.** The guidelines build it as ``<owner's ИНН>-<name>``; a run knows no ИНН, so
  kadry uses ``[region] code`` from the manifest in its place (``region`` when the run had
  none): ``72-kadry-demand``, ``72-kadry-quotas-programmes``, ``72-kadry-quotas-colleges``.
* **Dates.** They must not come from the clock (the site is byte-identical for the same
  output folder). The survey describes November of the survey year T, so the set's
  version, ``created`` and ``modified`` are 1 December of T (``T1201``), and ``valid``
  (relevance date) is 1 December of T+1, when the next annual cycle replaces the set. The
  structure version is the data version (the structure can change with kadry's version).
* **Versions.** Publishing into a site folder that already holds earlier versions of a set
  (an earlier survey year) keeps their data and structure files and lists them in the
  passport after the current version, newest first (the guidelines' "links to the versions
  of the open data / of the structure"); ``created`` is then the oldest version's date.
  Versioned files are never deleted by a later publish. Into a fresh folder the passport
  lists the current version only, so the same output folder gives the same files.
* **Links.** The passport's data and structure values are the files' names, relative to the
  passport (the portal's address is not known when publishing); the registry likewise.
* **Owner and contact.** ``creator`` is ``[region] name`` when the manifest has it, else a
  generic name; ``publishername``, ``publisherphone`` and ``publishermbox`` are written empty
  for the portal's operator to fill in: a run does not know who answers for the set.
* **Language.** Passports are in Russian whatever the run's language (a Russian standard);
  the structure carries both languages as the guidelines ask.
* **Numbers.** Decimal point, no grouping; a field is ``integer`` when the contract's column
  holds whole numbers (years, places) and every value in this set is whole, else ``float``;
  missing values are empty fields. Text is written as read (a data file is for programs).

Examples
--------
>>> version_dates(2026)
('20261201', '20271201')
>>> csv_text([["a", "b,c"], ["1", 'x"y']])
'a,"b,c"\\r\\n1,"x""y"\\r\\n'
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast.columns import DEMAND_COLUMNS, QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.publish.read import TEXT_COLUMNS, RunOutput

STANDARD_VERSION = "http://opendata.gosmonitor.ru/standard/3.0"
STRUCTURE_HEADER = ("field name", "english description", "russian description", "format")
META_HEADER = ("property", "value")
LIST_HEADER = ("property", "title", "value", "format")

#: fields of the published tables: name → (english description, russian description)
FIELDS: dict[str, tuple[str, str]] = {
    "scenario": ("Scenario of the forecast", "Сценарий прогноза"),
    "level": ("Level of the hierarchy: cell, profession, section or total",
              "Уровень иерархии: cell (ячейка), profession (профессия), section (отрасль), total (регион)"),
    "okved_section": ("Industry: OKVED2 section letter (empty above the section level)",
                      "Отрасль: раздел ОКВЭД2 (пусто для уровней выше отрасли)"),
    "profession_code": ("Profession code, OKPDTR/OKZ", "Код профессии по ОКПДТР/ОКЗ"),
    "profession": ("Profession", "Наименование профессии"),
    "education": ("Education level", "Уровень образования"),
    "year": ("Year (the survey year holds the survey's weighted actuals)",
             "Год (год обследования — взвешенные данные обследования)"),
    "employment": ("Employment, persons", "Численность занятых, человек"),
    "employment_lo_80": ("Employment, lower bound of the 80% interval, persons",
                         "Численность, нижняя граница интервала 80%, человек"),
    "employment_hi_80": ("Employment, upper bound of the 80% interval, persons",
                         "Численность, верхняя граница интервала 80%, человек"),
    "employment_lo_95": ("Employment, lower bound of the 95% interval, persons",
                         "Численность, нижняя граница интервала 95%, человек"),
    "employment_hi_95": ("Employment, upper bound of the 95% interval, persons",
                         "Численность, верхняя граница интервала 95%, человек"),
    "expansion": ("Expansion demand (change of employment), persons", "Расширение (изменение численности), человек"),
    "replacement": ("Replacement demand (leavers), persons", "Замещение выбытия, человек"),
    "vacancies": ("Vacancies filled in the first forecast year, persons", "Вакансии (первый прогнозный год), человек"),
    "demand": ("Additional staffing demand, persons", "Дополнительная потребность в кадрах, человек"),
    "demand_lo_80": ("Demand, lower bound of the 80% interval, persons", "Потребность, нижняя граница интервала 80%, человек"),
    "demand_hi_80": ("Demand, upper bound of the 80% interval, persons", "Потребность, верхняя граница интервала 80%, человек"),
    "programme_code": ("Vocational programme code", "Код образовательной программы СПО"),
    "programme": ("Vocational programme", "Наименование образовательной программы"),
    "admission_year": ("Admission year", "Год приёма"),
    "graduation_year": ("Graduation year", "Год выпуска"),
    "graduates_needed": ("Graduates needed in the graduation year, persons", "Нужно выпускников в год выпуска, человек"),
    "pipeline": ("Graduates expected from students already enrolled, persons",
                 "Ожидаемый выпуск из обучающихся контингентов, человек"),
    "gap": ("Gap between graduates needed and expected, persons", "Разрыв между нужным и ожидаемым выпуском, человек"),
    "dropout": ("Dropout share", "Доля отсева"),
    "quota_needed": ("Quota needed, places", "КЦП расчётная, мест"),
    "shortfall": ("Cut by the budget of places, places", "Сокращение по бюджету мест, мест"),
    "quota": ("Proposed admission quota, places", "КЦП предлагаемая, мест"),
    "deficit": ("Places lacking in the colleges' capacity", "Дефицит мощности организаций, мест"),
    "last_quota": ("Last year's admission quota, places", "КЦП прошлого года, мест"),
    "college_code": ("College code", "Код образовательной организации"),
    "college": ("College", "Наименование образовательной организации"),
    "department": ("Department approving the college's quota", "Ведомство, утверждающее КЦП организации"),
    "capacity": ("College's capacity for the programme, places", "Мощность организации по программе, мест"),
    "target": ("Target share of the programme's quota, places", "Целевое значение распределения, мест"),
}

#: the passport's properties as the guidelines name them (for the site's passport tables)
PASSPORT_NAMES: dict[str, str] = {
    "standardversion": "Версия методических рекомендаций",
    "identifier": "Идентификационный номер (код) набора данных",
    "title": "Наименование набора данных",
    "description": "Описание набора данных",
    "creator": "Владелец набора данных",
    "created": "Дата первой публикации набора данных",
    "modified": "Дата последнего внесения изменений",
    "subject": "Ключевые слова, соответствующие содержанию набора данных",
    "format": "Формат набора данных",
    "provenance": "Содержание последнего изменения",
    "valid": "Дата актуальности набора данных",
    "publishername": "Ответственное лицо",
    "publisherphone": "Телефон ответственного лица",
    "publishermbox": "Адрес электронной почты ответственного лица",
    "data": "Гиперссылка (URL) на набор",
    "structure": "Описание структуры набора данных",
}

#: contract columns that hold whole numbers
INTEGER_FIELDS = frozenset({"year", "admission_year", "graduation_year", "capacity", "quota", "quota_needed",
                            "shortfall", "last_quota", "deficit"})


@dataclass(frozen=True)
class SetSpec:
    """One open-data set: the output table it publishes and its passport texts."""

    name: str
    source: str
    columns: tuple[str, ...]
    title: str
    description: str
    subject: str


SETS: tuple[SetSpec, ...] = (
    SetSpec("demand", "demand.csv", DEMAND_COLUMNS,
            "Прогноз потребности в кадрах, обследование {T} г.",
            "Прогноз численности занятых и дополнительной потребности в кадрах по профессиям, уровням "
            "образования и отраслям (разделам ОКВЭД2) на {A}–{B} годы по сценариям, с интервалами "
            "прогноза; год {T} — взвешенные данные обследования работодателей.",
            "кадры, потребность в кадрах, прогноз, занятость, профессии, отрасли, рынок труда"),
    SetSpec("quotas-programmes", "quotas_programmes.csv", QUOTAS_PROGRAMMES_COLUMNS,
            "Контрольные цифры приёма по программам СПО на {A1} год",
            "Предлагаемые контрольные цифры приёма {A1} года по образовательным программам среднего "
            "профессионального образования с расчётными величинами (потребность года выпуска, нужный и "
            "ожидаемый выпуск, разрыв, отсев) по сценариям прогноза обследования работодателей {T} г.",
            "контрольные цифры приёма, КЦП, среднее профессиональное образование, СПО, приём, кадры"),
    SetSpec("quotas-colleges", "quotas_colleges.csv", QUOTAS_COLLEGES_COLUMNS,
            "Контрольные цифры приёма по образовательным организациям на {A1} год",
            "Распределение предлагаемых контрольных цифр приёма {A1} года между образовательными "
            "организациями по программам СПО, с мощностью организаций и КЦП прошлого года, по сценариям "
            "прогноза обследования работодателей {T} г.",
            "контрольные цифры приёма, КЦП, колледжи, техникумы, образовательные организации, СПО"),
)


def version_dates(survey_year: int) -> tuple[str, str]:
    """(set version, relevance date) as ``YYYYMMDD``: 1 December of T and of T+1."""
    return f"{int(survey_year)}1201", f"{int(survey_year) + 1}1201"


def csv_text(rows) -> str:
    """RFC 4180 text of ``rows`` (CRLF line ends, minimal quoting)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _prefix(run: RunOutput) -> str:
    code = str(run.region.get("code") or "").strip()
    safe = "".join(ch for ch in code if ch.isalnum() or ch in "-_")
    return safe or "region"


def field_format(name: str, values: pd.Series) -> str:
    """``string``, ``integer`` or ``float`` of a field (see the module docstring)."""
    if name in TEXT_COLUMNS or not pd.api.types.is_numeric_dtype(values):
        return "string"
    v = values.dropna().astype(float)
    if name in INTEGER_FIELDS and bool(((v == v.round()) & v.abs().lt(2 ** 53)).all()):
        return "integer"
    return "float"


def _cell(v, fmt: str) -> str:
    if fmt == "string":
        return "" if v is None else str(v)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    x = float(v)
    if fmt == "integer":
        return str(int(x))
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


#: a data file's name: data-<set version>-structure-<structure version>.csv
DATA_NAME = re.compile(r"data-(\d{8})-structure-(\d{8})\.csv")
#: a structure file's name
STRUCTURE_NAME = re.compile(r"structure-(\d{8})\.csv")


def identifiers(run: RunOutput) -> list[str]:
    """The identifiers of the run's sets (the folder names under ``opendata/``)."""
    return [f"{_prefix(run)}-kadry-{spec.name}" for spec in SETS]


def earlier_versions(folder: Path, version: str) -> list[tuple[str, str]]:
    """(data version, structure version) of the data files in ``folder`` older than ``version``.

    Only versions whose structure file is there too; newest first.
    """
    found = []
    if folder.is_dir():
        for p in folder.iterdir():
            m = DATA_NAME.fullmatch(p.name)
            if m and m.group(1) < version and (folder / f"structure-{m.group(2)}.csv").is_file():
                found.append((m.group(1), m.group(2)))
    return sorted(set(found), reverse=True)


def build_sets(run: RunOutput, history: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, bytes]:
    """The files of ``opendata/``: ``{path relative to the site: bytes}``.

    ``history`` maps a set's identifier to its earlier (data version, structure version)
    pairs already published (see :func:`earlier_versions`): the passport lists them after the
    current version and ``created`` is the oldest; their files are not rewritten here.
    """
    history = history or {}
    T = run.survey_year
    ver, valid = version_dates(T)
    A, B = T + 1, T + run.horizon
    creator = str(run.region.get("name") or "").strip() or "Орган исполнительной власти субъекта Российской Федерации"
    version = run.manifest.get("kadry_version", "")
    files: dict[str, bytes] = {}
    registry = [LIST_HEADER, ("standardversion", "Версия методических рекомендаций", STANDARD_VERSION, "")]
    frames = {"demand.csv": run.demand, "quotas_programmes.csv": run.quotas_programmes,
              "quotas_colleges.csv": run.quotas_colleges}
    for spec in SETS:
        frame = frames[spec.source]
        # the contract's columns in order, then any the run added (e.g. department)
        cols = [c for c in spec.columns if c in frame.columns]
        extra = [c for c in frame.columns if c not in cols]
        if spec.source == "quotas_colleges.csv" and "department" in extra:
            cols.insert(cols.index("college") + 1, "department")  # where the contract puts it
            extra.remove("department")
        cols += extra
        formats = {c: field_format(c, frame[c]) for c in cols}
        identifier = f"{_prefix(run)}-kadry-{spec.name}"
        data_name = f"data-{ver}-structure-{ver}.csv"
        struct_name = f"structure-{ver}.csv"
        rows = [cols] + [[_cell(v, formats[c]) for c, v in zip(cols, rec)]
                         for rec in frame.loc[:, cols].itertuples(index=False, name=None)]
        struct = [STRUCTURE_HEADER] + [(c, *FIELDS.get(c, (c, c)), formats[c]) for c in cols]
        title = spec.title.format(T=T, A=A, B=B, A1=T + 1)
        meta = [
            META_HEADER,
            ("standardversion", STANDARD_VERSION),
            ("identifier", identifier),
            ("title", title),
            ("description", spec.description.format(T=T, A=A, B=B, A1=T + 1)),
            ("creator", creator),
            ("created", min([ver, *(d for d, _ in history.get(identifier, []))])),
            ("modified", ver),
            ("subject", spec.subject),
            ("format", "csv"),
            ("provenance", f"Расчёт программой kadry {version} по обследованию работодателей {T} г."),
            ("valid", valid),
            ("publishername", ""),
            ("publisherphone", ""),
            ("publishermbox", ""),
            (f"data-{ver}-structure-{ver}", data_name),
            *[(f"data-{d}-structure-{st}", f"data-{d}-structure-{st}.csv") for d, st in history.get(identifier, [])],
            (f"structure-{ver}", struct_name),
            *[(f"structure-{st}", f"structure-{st}.csv")
              for st in sorted({st for _, st in history.get(identifier, []) if st != ver}, reverse=True)],
        ]
        base = f"opendata/{identifier}"
        files[f"{base}/meta.csv"] = csv_text(meta).encode("utf-8")
        files[f"{base}/{data_name}"] = csv_text(rows).encode("utf-8")
        files[f"{base}/{struct_name}"] = csv_text(struct).encode("utf-8")
        registry.append((identifier, title, f"{identifier}/meta.csv", "csv"))
    files["opendata/list.csv"] = csv_text(registry).encode("utf-8")
    return files


__all__ = ["build_sets", "earlier_versions", "identifiers", "DATA_NAME", "STRUCTURE_NAME", "PASSPORT_NAMES", "version_dates", "csv_text", "field_format", "SETS", "FIELDS", "STANDARD_VERSION",
           "STRUCTURE_HEADER", "META_HEADER", "LIST_HEADER", "INTEGER_FIELDS"]
