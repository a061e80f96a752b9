"""Write the survey rows as the files employers and municipalities send back.

Layout ``"mixed"`` (the bundled sample): per wave folder ``surveys/<year>/``

* ``mo<NN>_<municipality>.xlsx``: one workbook per municipality collecting many employers;
  a title block above the header, sheet ``Потребность``, sometimes a row of column numbers,
  per-employer ``Итого`` rows or one at the end, notes and a signature under the table,
  sometimes an unknown column (``Примечание``);
* ``employers/<ИНН>.xlsx``: single-employer workbooks (some with an instructions sheet
  first); an employer that corrected its form also sent ``<ИНН>_corrected.xlsx`` with a later
  date, the first one with different numbers (superseded);
* ``csv/export_<k>.csv``: UTF-8 with Russian headers; Windows-1251 with ``;`` and decimal
  commas; UTF-8 with BOM and English keys. Thousands separators in large numbers.
* Some need headers name the year (``Дополнительная потребность в 2027 г., чел.``,
  ``Потребность 2027``), others the offset (``need_1``).
* A few non-survey files (a ``readme.txt``, an Office lock file) and one UTF-16 copy of a CSV
  (unreadable by contract) in some waves.

Mistakes at realistic low rates (``mistakes=True``): a wrong ИНН check digit, ИНН or
profession code typed as a number, education aliases (``ППССЗ``, ``рабочий``, ``высшее``),
a profession split over two department rows (merged on reading), negative or fractional
numbers, age_55plus above the headcount, an empty need_1, numbers typed as text, a dash for
zero, an ОКВЭД2 code without dots, a six-digit profession code, a truncated ИНН, an
unreadable date in a few single-employer workbooks; ИНН of branches registered in other
regions start with 0 (leading zeros must survive). Decimal-comma CSVs sometimes write every
number as ``12,0``.

Layout ``"csv"``: one plain UTF-8 CSV per wave with English keys, no mistakes (benchmarks).

Determinism: workbooks have fixed document timestamps, and their zip entries are rewritten
with a fixed date, so the same region gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from forecast.sample import catalogue as cat
from forecast.survey.schema import HEADERS_RU, NEED_HEADER_RU

MUNI_SLUGS: tuple[str, ...] = (
    "severogorsk", "zarechny", "kamensk", "severogorsky_rn", "ozersky_rn", "lesnoy_mo",
    "klyuchevskoy_rn", "novouralsk",
)

ALIASES: dict[str, tuple[str, ...]] = {
    "СПО-КРС": ("ПКРС", "рабочий", "СПО ПКРС", "СПО"),
    "СПО-ССЗ": ("ППССЗ", "техник", "СПО ППССЗ"),
    "ВО": ("высшее", "бакалавр"),
}

#: rate per row of each mistake (mistakes=True)
RATES: dict[str, float] = {
    "alias": 0.03, "split": 0.015, "inn_checksum": 0.003, "negative": 0.002,
    "fraction": 0.002, "age_gt": 0.003, "empty_need1": 0.003, "text_number": 0.01,
    "dash": 0.002, "okved_digits": 0.0015, "profession_code": 0.0015, "inn_short": 0.001,
}
#: share of single-employer workbooks whose date is unreadable text (E_DATE on every row)
BAD_DATE_SHARE = 0.03
RESUBMIT_SHARE = 0.02


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a zip archive with a fixed timestamp on every entry (byte-identical output)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as "modified": pin it
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp + rb"\g<2>", body)
            dst.writestr(zi, body)
    return out.getvalue()


def _save_workbook(wb: Workbook, path: Path, year: int) -> None:
    when = dt.datetime(year, 12, 1, 9, 0, 0)
    wb.properties.creator = "kadry sample"
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.lastModifiedBy = "kadry sample"
    buf = io.BytesIO()
    wb.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buf.getvalue(), when))


def _columns(horizon: int, with_muni: bool, with_date: bool, extra: bool) -> list[str]:
    keys = ["survey_year", "inn", "employer", "okved"]
    if with_muni:
        keys.append("municipality")
    keys += ["profession_code", "profession", "education", "headcount", "vacancies",
             "age_55plus", *[f"need_{h}" for h in range(1, horizon + 1)]]
    if with_date:
        keys.append("submitted_at")
    if extra:
        keys.append("note")
    return keys


def _header(keys: list[str], style: str, year: int) -> list[str]:
    """Header cells: ``ru`` (template, year-form needs), ``ru_short`` or ``en``."""
    out = []
    for k in keys:
        if k == "note":
            out.append("Примечание" if style != "en" else "comment")
        elif style == "en":
            out.append(k)
        elif k.startswith("need_"):
            y = year + int(k[5:])
            out.append(NEED_HEADER_RU.format(year=y) if style == "ru" else f"Потребность {y}")
        else:
            out.append(HEADERS_RU[k])
    return out


class _Mistakes:
    """Draws which rows get which mistake, deterministically from one generator."""

    def __init__(self, rng: np.random.Generator, enabled: bool):
        self.rng = rng
        self.enabled = enabled

    def apply(self, rec: dict, xlsx: bool) -> list[dict]:
        """Return the row(s) to write for one clean record (a split gives two)."""
        if not self.enabled:
            return [rec]
        u = self.rng.random(len(RATES))
        r = dict(rec)
        hit = {name: u[i] < rate for i, (name, rate) in enumerate(RATES.items())}
        if hit["alias"] and r["education"] in ALIASES:
            opts = ALIASES[r["education"]]
            r["education"] = opts[int(self.rng.integers(len(opts)))]
        if hit["split"] and r["headcount"] >= 2:
            # department rows carry no other mistake (their sum must stay the record's)
            return self._split(r)
        if hit["inn_checksum"]:
            r["inn"] = r["inn"][:-1] + str((int(r["inn"][-1]) + 1) % 10)
        elif hit["inn_short"]:
            r["inn"] = r["inn"][:-1]
        if hit["negative"]:
            r["vacancies"] = -(int(r["vacancies"]) + 1)
        elif hit["fraction"]:
            r["headcount"] = float(r["headcount"]) + 0.5
        elif hit["age_gt"] and r["age_55plus"] is not None:
            r["age_55plus"] = int(r["headcount"]) + 1 + int(self.rng.integers(3))
        elif hit["empty_need1"]:
            r["need_1"] = None
        elif hit["dash"]:
            r["vacancies"] = "-"            # "none" written as a dash: not a number
        elif hit["okved_digits"]:
            r["okved"] = r["okved"].replace(".", "")[:4].ljust(4, "0")
        elif hit["profession_code"]:
            r["profession_code"] = r["profession_code"] + "0"
        if xlsx and hit["text_number"] and isinstance(r["headcount"], int):
            r["headcount"] = str(r["headcount"])
        return [r]

    def _split(self, r: dict) -> list[dict]:
        """Two department rows of one profession whose numbers add up to the record's."""
        a, b = dict(r), dict(r)
        for k, v in r.items():
            if (k in ("headcount", "vacancies", "age_55plus") or k.startswith("need_")) and isinstance(v, int) and v >= 0:
                part = int(self.rng.integers(0, v + 1)) if k != "headcount" else int(self.rng.integers(1, v))
                a[k], b[k] = part, v - part
        # the age split must stay within each department's headcount
        if isinstance(r.get("age_55plus"), int) and isinstance(a["headcount"], int):
            a["age_55plus"] = min(r["age_55plus"], a["headcount"])
            b["age_55plus"] = r["age_55plus"] - a["age_55plus"]
            if b["age_55plus"] > b["headcount"]:
                return [r]
        return [a, b]


def _records(df: pd.DataFrame, horizon: int) -> list[dict]:
    """Clean rows as plain Python values (None for empty)."""
    recs = []
    cols = ["survey_year", "inn", "employer", "okved", "municipality", "profession_code",
            "profession", "education", "headcount", "vacancies", "age_55plus",
            *[f"need_{h}" for h in range(1, horizon + 1)], "submitted_at"]
    data = {c: df[c].tolist() for c in cols}
    for i in range(len(df)):
        r = {c: data[c][i] for c in cols}
        for c in ("survey_year", "headcount", "vacancies", *[f"need_{h}" for h in range(1, horizon + 1)]):
            r[c] = int(r[c])
        age = r["age_55plus"]
        r["age_55plus"] = None if age is None or age != age else int(age)
        sub = r["submitted_at"]
        r["submitted_at"] = None if sub is None or pd.isna(sub) else pd.Timestamp(sub).date()
        recs.append(r)
    return recs


def _as_count(v) -> int:
    """A cell's whole non-negative number as a reader would accept it, else 0."""
    if isinstance(v, str) and v.isdigit():
        return int(v)
    if isinstance(v, int) and v >= 0:
        return v
    return 0


def _xlsx_value(k: str, v, typed_inn: bool, typed_prof: bool):
    if v is None:
        return None
    if k == "inn" and typed_inn and isinstance(v, str) and v.isdigit() and v[0] != "0":
        return int(v)
    if k == "profession_code" and typed_prof and isinstance(v, str) and v.isdigit() and v[0] != "0":
        return int(v)
    return v


def _write_xlsx(path: Path, year: int, blocks: list[list[dict]], keys: list[str], style: str,
                title: list[str], *, numbers_row: bool, totals: str, notes: list[str],
                typed_inn: bool, typed_prof: bool, instructions: bool) -> None:
    wb = Workbook()
    ws = wb.active
    if instructions:
        ws.title = "Инструкция"
        ws.append(["Заполните лист «Потребность»: одна строка на профессию и уровень образования."])
        ws.append(["Сведения представляются до 1 декабря."])
        ws = wb.create_sheet("Потребность")
    else:
        ws.title = "Потребность"
    for line in title:
        ws.append([line])
    ws.append([])
    ws.append(_header(keys, style, year))
    if numbers_row:
        ws.append(list(range(1, len(keys) + 1)))
    sum_keys = [k for k in keys if k in ("headcount", "vacancies") or k.startswith("need_")]

    def total_row(rows, label):
        out = []
        for k in keys:
            if k == "employer":
                out.append(label)
            elif k in sum_keys:
                out.append(sum(_as_count(r.get(k)) for r in rows))
            else:
                out.append(None)
        return out

    every = []
    for rows in blocks:
        for r in rows:
            ws.append([_xlsx_value(k, r.get(k), typed_inn, typed_prof) for k in keys])
            every.append(r)
        if totals == "employer" and rows:
            ws.append(total_row(rows, "Итого по организации"))
    if totals == "end" and every:
        ws.append(total_row(every, "Итого"))
    for col in range(1, len(keys) + 1):
        if keys[col - 1] == "submitted_at":
            for row in ws.iter_rows(min_col=col, max_col=col):
                for c in row:
                    if isinstance(c.value, dt.date):
                        c.number_format = "DD.MM.YYYY"
    if notes:
        ws.append([])
        for n in notes:
            ws.append([n])
    _save_workbook(wb, path, year)


#: numbers that may be written with a thousands separator (never codes or years)
_THOUSANDS_KEYS = frozenset(("headcount", "vacancies", "age_55plus", *(f"need_{h}" for h in range(1, 11))))


def _fmt_csv(v, decimal_comma: bool, thousands: bool, as_float: bool = False) -> str:
    if v is None:
        return ""
    if as_float and isinstance(v, int) and not isinstance(v, bool):
        v = float(v)                      # an export that writes every number as "12,0"
    if isinstance(v, dt.date):
        return v.strftime("%d.%m.%Y") if decimal_comma else v.isoformat()
    if isinstance(v, float):
        s = repr(v)
        return s.replace(".", ",") if decimal_comma else s
    if isinstance(v, int) and not isinstance(v, bool):
        s = str(v)
        if thousands and abs(v) >= 1000:
            s = f"{v:,}".replace(",", "\u00a0" if decimal_comma else " ")
        return s
    return str(v)


def _write_csv(path: Path, year: int, rows: list[dict], keys: list[str], style: str, *,
               encoding: str, delimiter: str, decimal_comma: bool, title: str | None,
               float_numbers: bool = False) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if title:
        w.writerow([title])
    w.writerow(_header(keys, style, year))
    for r in rows:
        w.writerow([_fmt_csv(r.get(k), decimal_comma, thousands=k in _THOUSANDS_KEYS,
                             as_float=float_numbers and k in _THOUSANDS_KEYS) for k in keys])
    data = buf.getvalue().encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def write_wave_mixed(df: pd.DataFrame, year_dir: Path, year: int, horizon: int,
                     rng: np.random.Generator, mistakes: bool) -> list[Path]:
    """Write one wave's rows as a mix of workbooks and CSV files; returns the paths written."""
    recs = _records(df, horizon)
    mk = _Mistakes(rng, mistakes)
    by_emp: dict[str, list[dict]] = {}
    for r in recs:
        by_emp.setdefault(r["inn"], []).append(r)
    inns = list(by_emp)                        # order of the clean rows (employer id)
    u = rng.random(len(inns))
    resub = rng.random(len(inns)) < (RESUBMIT_SHARE if mistakes else 0.0)
    written: list[Path] = []
    muni_blocks: dict[int, list[str]] = {}
    csv_inns: list[str] = []
    for i, inn in enumerate(inns):
        first = by_emp[inn][0]
        if resub[i] or u[i] < 0.06:
            # single-employer workbook(s)
            rows = by_emp[inn]
            keys = _columns(horizon, with_muni=True, with_date=True, extra=False)
            typed_inn = mistakes and rng.random() < 0.2
            if resub[i]:
                d_new = dt.date(year, 11, 25)
                draft = []
                for r in rows:
                    d = dict(r)
                    d["headcount"] = int(round(r["headcount"] * rng.uniform(0.8, 1.2)))
                    d["age_55plus"] = None if r["age_55plus"] is None else min(r["age_55plus"], d["headcount"])
                    d["submitted_at"] = dt.date(year, 11, 1)
                    draft.append(d)
                p = year_dir / "employers" / f"{inn}.xlsx"
                _write_xlsx(p, year, [draft], keys, "ru", ["Сведения о потребности в кадрах",
                            f"Работодатель: {first['employer']}"], numbers_row=False, totals="none",
                            notes=[], typed_inn=False, typed_prof=False, instructions=False)
                written.append(p)
                fixed = [dict(r, submitted_at=d_new) for r in rows]
                out = [x for r in fixed for x in mk.apply(r, True)]
                p = year_dir / "employers" / f"{inn}_corrected.xlsx"
                _write_xlsx(p, year, [out], keys, "ru", ["Сведения о потребности в кадрах (исправленные)",
                            f"Работодатель: {first['employer']}"], numbers_row=False, totals="none",
                            notes=[], typed_inn=typed_inn, typed_prof=False, instructions=False)
                written.append(p)
            else:
                out = [x for r in rows for x in mk.apply(r, True)]
                v = rng.random()
                if mistakes and v < BAD_DATE_SHARE:
                    out = [dict(r, submitted_at=f"ноябрь {year}") for r in out]
                elif v < 0.3:
                    out = [dict(r, submitted_at=r["submitted_at"].strftime("%d.%m.%Y"))
                           if isinstance(r["submitted_at"], dt.date) else r for r in out]
                p = year_dir / "employers" / f"{inn}.xlsx"
                _write_xlsx(p, year, [out], keys, "ru" if rng.random() < 0.7 else "en",
                            ["Сведения о потребности в кадрах", f"Работодатель: {first['employer']}",
                             f"ИНН: {inn}"], numbers_row=rng.random() < 0.3, totals="end" if rng.random() < 0.3 else "none",
                            notes=["Руководитель ____________"] if rng.random() < 0.5 else [],
                            typed_inn=typed_inn, typed_prof=mistakes and rng.random() < 0.2,
                            instructions=rng.random() < 0.3)
                written.append(p)
        elif u[i] < 0.24:
            csv_inns.append(inn)
        else:
            m = cat.MUNICIPALITIES.index(first["municipality"])
            muni_blocks.setdefault(m, []).append(inn)

    for m in sorted(muni_blocks):
        v = rng.random(6)
        keys = _columns(horizon, with_muni=v[0] < 0.5, with_date=v[1] < 0.75, extra=mistakes and v[2] < 0.2)
        blocks = []
        for inn in muni_blocks[m]:
            rows = [x for r in by_emp[inn] for x in mk.apply(r, True)]
            if "note" in keys:
                for r in rows:
                    r["note"] = "уточнить" if rng.random() < 0.05 else None
            blocks.append(rows)
        p = year_dir / f"mo{m + 1:02d}_{MUNI_SLUGS[m]}.xlsx"
        totals = ("none", "employer", "end")[int(v[3] * 3)]
        _write_xlsx(p, year, blocks, keys, "ru" if v[4] < 0.8 else "ru_short",
                    ["Сведения о потребности работодателей в кадрах",
                     f"{cat.MUNICIPALITIES[m]}, по состоянию на 1 ноября {year} г."],
                    numbers_row=v[5] < 0.4, totals=totals,
                    notes=["Примечание: сведения представлены по данным кадровых служб работодателей.",
                           "Глава муниципального образования ____________ / подпись /"] if mistakes else [],
                    typed_inn=mistakes and v[2] > 0.8, typed_prof=mistakes and v[1] > 0.9,
                    instructions=False)
        written.append(p)

    # CSV exports of about a dozen employers each, in three styles
    n_files = max(1, len(csv_inns) // 12) if csv_inns else 0
    for k in range(n_files):
        group = csv_inns[k::n_files]
        style = int(rng.integers(3))
        keys = _columns(horizon, with_muni=True, with_date=style != 2, extra=False)
        rows = [x for inn in group for r in by_emp[inn] for x in mk.apply(r, False)]
        p = year_dir / "csv" / f"export_{k + 1:02d}.csv"
        if style == 0:
            _write_csv(p, year, rows, keys, "ru", encoding="utf-8", delimiter=",", decimal_comma=False,
                       title=None)
        elif style == 1:
            _write_csv(p, year, rows, keys, "ru_short", encoding="cp1251", delimiter=";",
                       decimal_comma=True, title=f"Выгрузка из АИС «Кадры», {year} г.",
                       float_numbers=rng.random() < 0.5)
        else:
            _write_csv(p, year, rows, keys, "en", encoding="utf-8-sig", delimiter=",",
                       decimal_comma=False, title=None)
        written.append(p)
    return written


def write_extras(surveys_dir: Path, years: list[int], rows: pd.DataFrame | None = None,
                 horizon: int = 7) -> list[Path]:
    """Files a real collection folder also holds, none of which adds data.

    Skipped (not forms): a ``readme.txt``, an Office lock file. Failing by contract: a UTF-16
    copy of a CSV export (E_FILE_UNREADABLE), a covering letter saved as a workbook
    (E_NO_HEADER), an employer's draft CSV without the education column (E_MISSING_COLUMN;
    its data also came in a proper form).
    """
    out = []
    if len(years) >= 7 and rows is not None:
        y = years[6]
        p = surveys_dir / str(y) / "letter.xlsx"
        wb = Workbook()
        ws = wb.active
        ws.title = "Письмо"
        for line in ("Начальнику управления занятости населения", "",
                     f"Направляем сведения о потребности в кадрах на {y + 1}–{y + horizon} гг.",
                     "Приложение: формы работодателей муниципального образования.", "",
                     "Глава администрации ____________"):
            ws.append([line])
        _save_workbook(wb, p, y)
        out.append(p)
        wave = rows[rows["survey_year"] == y]
        if len(wave):
            inn = wave["inn"].iloc[0]
            recs = _records(wave[wave["inn"] == inn], horizon)
            keys = [k for k in _columns(horizon, True, True, False) if k != "education"]
            p = surveys_dir / str(y) / "employers" / f"{inn}_draft.csv"
            _write_csv(p, y, recs, keys, "ru", encoding="utf-8", delimiter=",", decimal_comma=False,
                       title=None)
            out.append(p)
    if len(years) >= 3:
        p = surveys_dir / str(years[2]) / "readme.txt"
        p.write_text("Формы приняты от муниципальных образований. Исправленные формы в папке employers.\n",
                     encoding="utf-8")
        out.append(p)
        lock = sorted((surveys_dir / str(years[-1])).glob("mo*.xlsx"))
        if lock:
            p = lock[0].with_name("~$" + lock[0].name)
            p.write_bytes(b"\x0ckadry sample\x00" + b" " * 40)
            out.append(p)
    if len(years) >= 5:
        src = sorted((surveys_dir / str(years[4]) / "csv").glob("export_*.csv"))
        if src:
            text = src[0].read_bytes()
            try:
                decoded = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                decoded = text.decode("cp1251")
            p = src[0].with_name("export_utf16_copy.csv")
            p.write_bytes(decoded.encode("utf-16"))
            out.append(p)
    return out


def write_wave_csv(df: pd.DataFrame, path: Path, horizon: int) -> Path:
    """One plain UTF-8 CSV of a wave with English keys (fast path for large regions)."""
    cols = ["survey_year", "inn", "employer", "okved", "municipality", "profession_code",
            "profession", "education", "headcount", "vacancies", "age_55plus",
            *[f"need_{h}" for h in range(1, horizon + 1)], "submitted_at"]
    out = df[cols].copy()
    out["age_55plus"] = out["age_55plus"].astype("Int64")
    out["submitted_at"] = out["submitted_at"].dt.strftime("%Y-%m-%d")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
