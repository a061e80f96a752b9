"""The national workbook ``national_<T>.xlsx`` of ``kadry national`` (interfaces.md).

:func:`build_national_workbook` takes the national run (duck-typed: the attributes of
:class:`forecast.national.NationalResult`) and returns the xlsx bytes. Sheets, in the
contract's order: ``Сводка`` (each region's status, survey year, respondents and totals,
and the RF row), ``Потребность по регионам`` (the regions' and RF totals by scenario and
year, with intervals), ``Потребность по профессиям (РФ)`` (the RF profession rows, wide, as
the regional workbook shows them), ``КЦП по регионам`` (quotas_national),
``Проверка данных`` (failed regions, then each region's issue counts) and ``Методика`` (how
the national sums and intervals are made, and which regions they leave out).

The same formatting helpers and deterministic zip writing as the regional workbook
(:mod:`forecast.report.sheets`, :func:`forecast.report.workbook._deterministic_bytes`).
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from forecast.params import NATIONAL_CODE
from forecast.report import labels as L
from forecast.report import tables as tb
from forecast.report.sheets import Col, heading, page_setup, set_text, set_value, write_table
from forecast.report.workbook import (
    _deterministic_bytes,
    _demand_sheet,
    _note_below,
    quota_chain_cols,
    write_text_lines,
)

_INT = "int"
_NUM = "num"


def _name(r: dict) -> str:
    return r.get("name") or r.get("code") or r.get("config") or ""


def build_national_workbook(nat) -> bytes:
    """The xlsx bytes of the national run ``nat`` (see the module docstring)."""
    lang = nat.config.output.language
    T = int(nat.survey_year)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {key: wb.create_sheet(L.national_sheet(key, lang)) for key in L.NATIONAL_SHEETS}
    scen = list(nat.rf_scenarios)
    primary = scen[0] if scen else ""
    demand = nat.demand_numbers
    _summary(sheets["summary"], nat, lang, T, primary)
    _by_region(sheets["by_region"], nat, demand, lang, primary)
    rf = demand.loc[demand["region_code"] == NATIONAL_CODE].drop(columns="region_code")
    _demand_sheet(sheets["by_profession"], rf, "profession", T, lang, primary)
    _quotas(sheets["quotas"], nat, lang, primary)
    _issues(sheets["issues"], nat, lang)
    _methodology(sheets["methodology"], nat, lang, T)
    for ws in wb.worksheets:
        plain = (L.national_sheet("summary", lang), L.national_sheet("methodology", lang))
        page_setup(ws, title_rows=None if ws.title in plain else "1:1", landscape=True)
    return _deterministic_bytes(wb, T)


def _summary(ws, nat, lang, T, primary) -> None:
    heading(ws, 1, L.text("nat_title", lang, N=nat.config.national.name or NATIONAL_CODE, T=T), size=14)
    ok = [r for r in nat.regions if r["status"] == "ok"]
    facts = [(L.text("survey_year", lang), T, "year"),
             (L.text("nat_ok", lang), f"{len(ok)} / {len(nat.regions)}", "text"),
             (L.text("nat_scenarios", lang), ", ".join(nat.rf_scenarios) or "—", "text")]
    for i, (label, value, fmt) in enumerate(facts, start=3):
        set_text(ws.cell(row=i, column=1), label)
        cell = ws.cell(row=i, column=3)
        set_value(cell, value, fmt)
        cell.alignment = Alignment(horizontal="left")
    r = 3 + len(facts) + 1
    H = max((int(x.get("horizon", 0)) for x in ok), default=0)
    rows = []
    for x in nat.regions:
        waves = x.get("waves") or []
        rows.append({"region_code": x.get("code") or "", "region_name": _name(x),
                     "status": L.value(x["status"], lang), "message": x.get("message", ""),
                     "survey_year": x.get("survey_year"),
                     "waves": f"{waves[0]}–{waves[-1]} ({len(waves)})" if waves else "",
                     "respondents": x.get("respondents"), "rows_accepted": x.get("rows_accepted"),
                     "rows_rejected": x.get("rows_rejected"), "employment_T": x.get("employment_T"),
                     "demand_total": x.get("demand_total"), "quota_total": x.get("quota_total")})
    table = pd.DataFrame(rows)
    if len(ok):
        def total(key):
            values = [x.get(key) for x in ok if x.get(key) is not None]
            return float(sum(values)) if values else None

        table = pd.concat([table, pd.DataFrame([{
            "region_code": NATIONAL_CODE, "region_name": L.text("nat_rf", lang), "status": "",
            "message": "", "survey_year": T, "waves": "",
            **{k: total(k) for k in ("respondents", "rows_accepted", "rows_rejected", "employment_T",
                                     "demand_total", "quota_total")}}])], ignore_index=True)
    heading(ws, r, L.text("nat_regions", lang))
    cols = [Col("region_code", L.col("region_code", lang), "code"),
            Col("region_name", L.col("region_name", lang), width=30),
            Col("status", L.col("status", lang)),
            Col("message", L.col("message", lang), width=50),
            Col("survey_year", L.col("survey_year", lang), "year"),
            Col("waves", L.col("waves", lang)),
            Col("respondents", L.col("respondents", lang), _INT),
            Col("rows_accepted", L.col("rows_accepted", lang), _INT),
            Col("rows_rejected", L.col("rows_rejected", lang), _INT),
            Col("employment_T", L.col("employment_T_total", lang, T=T), _INT),
            Col("demand_total", L.col("region_demand_total", lang, A=T + 1, B=T + H), _INT),
            Col("quota_total", L.col("quota_total", lang, Y=T + 1), _INT)]
    write_table(ws, table, cols, start_row=r + 1, freeze=False, autofilter=False)
    if len(ok):
        last = r + 1 + len(table)
        for j in range(1, len(cols) + 1):
            ws.cell(row=last, column=j).font = Font(bold=True)
    r += len(table) + 3
    for text in (_excluded_text(nat, lang), L.text("nat_totals_note", lang, A=T + 1, B=T + H, Y=T + 1, S=primary)):
        _note_below(ws, r, text, span=6)
        r += 1


def _excluded_text(nat, lang) -> str:
    if not nat.excluded:
        return L.text("nat_all_in", lang)
    names = "; ".join(f"{x.get('code') or x.get('config')} {x.get('name') or ''}".strip() for x in nat.excluded)
    return L.text("nat_excluded", lang, R=names)


def _by_region(ws, nat, demand, lang, primary) -> None:
    cols_num = ["employment", "employment_lo_80", "employment_hi_80", "expansion", "replacement",
                "vacancies", "demand", "demand_lo_80", "demand_hi_80"]
    t = demand.loc[demand["level"] == "total", ["region_code", "scenario", "year", *cols_num]].copy()
    names = {x["code"]: _name(x) for x in nat.regions if x.get("code")}
    names[NATIONAL_CODE] = L.text("nat_rf", lang)
    t.insert(1, "region_name", t["region_code"].map(names))
    cols = [Col("region_code", L.col("region_code", lang), "code"),
            Col("region_name", L.col("region_name", lang), width=30),
            Col("scenario", L.col("scenario", lang)),
            Col("year", L.col("year", lang), "year")]
    cols += [Col(k, L.col(k, lang), _INT) for k in cols_num]
    write_table(ws, t, cols, filter_values={"scenario": [primary]} if primary else None)
    ws.freeze_panes = ws.cell(row=2, column=3)
    _note_below(ws, len(t) + 3, L.text("nat_by_region_note", lang, RF=NATIONAL_CODE))


def _quotas(ws, nat, lang, primary) -> None:
    q = nat.quotas_numbers
    if not len(q):
        set_text(ws.cell(row=1, column=1), L.text("no_quotas", lang))
        return
    q = q.copy()
    names = {x["code"]: _name(x) for x in nat.regions if x.get("code")}
    q.insert(1, "region_name", q["region_code"].map(names))
    cols = [Col("region_code", L.col("region_code", lang), "code"),
            Col("region_name", L.col("region_name", lang), width=24),
            *quota_chain_cols(("scenario", "programme_code", "programme", "level", "admission_year",
                               "graduation_year", "demand", "graduates_needed", "pipeline", "gap",
                               "quota_needed", "shortfall", "quota", "last_quota", "deficit"), lang)]
    write_table(ws, q, cols, total_label=L.text("total", lang),
                filter_values={"scenario": [primary]} if primary else None)
    ws.freeze_panes = ws.cell(row=2, column=4)
    _note_below(ws, len(q) + 3, L.text("filter_note", lang, S=primary))


def _issues(ws, nat, lang) -> None:
    rows = []
    for x in nat.regions:
        if x["status"] != "ok":
            rows.append({"region_code": x.get("code") or "", "region_name": _name(x),
                         "source": L.text("nat_source_region", lang), "severity": L.severity("error", lang),
                         "code": "REGION_FAILED", "count": 1, "message": x.get("message", "")})
    for x in nat.regions:
        for i in x.get("issues") or []:
            rows.append({"region_code": x.get("code") or "", "region_name": _name(x), **i, "message": ""})
    cols = [Col("region_code", L.col("region_code", lang), "code"),
            Col("region_name", L.col("region_name", lang), width=24),
            Col("source", L.col("source", lang)), Col("severity", L.col("severity", lang)),
            Col("code", L.col("code", lang)), Col("count", L.col("count", lang), _INT),
            Col("message", L.col("message", lang), width=80)]
    table = pd.DataFrame(rows, columns=[c.key for c in cols])
    write_table(ws, table, cols)
    if not len(table):
        set_text(ws.cell(row=2, column=1), L.text("no_rows", lang))


def national_methodology_lines(nat, lang: str = "ru") -> list[tuple[str, str]]:
    """Lines (style, text) of the national ``Методика`` sheet (styles as :mod:`~forecast.report.methodology`)."""
    ok = [x for x in nat.regions if x["status"] == "ok"]
    v = dict(RF=NATIONAL_CODE, n=len(ok), N=len(nat.regions), T=int(nat.survey_year),
             ok=", ".join(x["code"] for x in ok) or "—",
             scen=", ".join(nat.rf_scenarios) or "—", excl=_excluded_text(nat, lang))
    text = _EN if lang == "en" else _RU
    return [(style, line.format(**v)) for style, line in text]


def _methodology(ws, nat, lang, T) -> None:
    write_text_lines(ws, national_methodology_lines(nat, lang))


_RU: list[tuple[str, str]] = [
    ("h1", "Методика национального свода"),
    ("p", "Каждый регион рассчитан отдельно по единой методике (годовой цикл kadry: обследование "
          "→ прогноз численности → дополнительная потребность → КЦП); его полный результат — в папке "
          "regions/<код>/ и в его собственной книге forecast_{T}.xlsx (там же методика расчёта региона)."),
    ("h2", "1. Какие регионы входят в суммы {RF}"),
    ("p", "В суммы {RF} входят регионы со статусом ok ({n} из {N}: {ok}). Регион получает статус "
          "«ошибка», если его конфигурация неверна, ни одна строка анкет не принята, расчёт "
          "прервался, или год обследования отличается от года большинства регионов (T = {T})."),
    ("p", "{excl}"),
    ("p", "Суммы {RF} строятся только по сценариям, которые есть во всех суммируемых регионах: {scen}."),
    ("h2", "2. Точечные значения"),
    ("f", "X[{RF}] = Σ_r X[r]  для численности, расширения, замещения, вакансий и потребности,"),
    ("p", "для каждого уровня (ячейка, профессия, отрасль, итог), сценария и года. Ключ, которого "
          "нет в регионе, входит в сумму нулём."),
    ("h2", "3. Интервалы"),
    ("p", "Ошибки прогнозов регионов считаются независимыми. Каждая сторона интервала {RF} "
          "объединяет полуширины регионов на этой стороне как корень из суммы квадратов вокруг "
          "суммы точечных значений; нижняя граница не меньше нуля:"),
    ("f", "низ[{RF}] = max(0; ΣX − √Σ (X[r] − низ[r])²);   верх[{RF}] = ΣX + √Σ (верх[r] − X[r])²"),
    ("p", "Если ошибки регионов связаны (общий экономический шок), истинный интервал суммы шире: "
          "при полной положительной связи полуширины складываются. Границы агрегатов внутри "
          "региона — собственные (не складываются), как в книге региона."),
    ("h2", "4. КЦП"),
    ("p", "КЦП рассчитываются и утверждаются в каждом регионе; лист «КЦП по регионам» собирает "
          "строки quotas_programmes.csv регионов со статусом ok без пересчёта."),
]

_EN: list[tuple[str, str]] = [
    ("h1", "National roll-up methodology"),
    ("p", "Each region is run on its own with the same methodology (the kadry annual cycle: survey "
          "→ employment forecast → additional demand → quotas); its complete output is in "
          "regions/<code>/, with its own workbook forecast_{T}.xlsx and its methodology."),
    ("h2", "1. Which regions the {RF} sums hold"),
    ("p", "The {RF} sums hold the regions with status ok ({n} of {N}: {ok}). A region fails when "
          "its configuration is wrong, no survey row is accepted, its run stops, or its survey "
          "year differs from most regions' (T = {T})."),
    ("p", "{excl}"),
    ("p", "The {RF} sums cover the scenarios every summed region has: {scen}."),
    ("h2", "2. Point values"),
    ("f", "X[{RF}] = Σ_r X[r]  for employment, expansion, replacement, vacancies and demand,"),
    ("p", "for every level (cell, profession, industry, total), scenario and year. A key missing "
          "in a region adds zero."),
    ("h2", "3. Intervals"),
    ("p", "The regions' forecast errors are taken as independent. Each side of an {RF} interval "
          "combines the regions' half-widths on that side as the root of the sum of squares "
          "around the summed point; the lower bound is at least zero:"),
    ("f", "lo[{RF}] = max(0; ΣX − √Σ (X[r] − lo[r])²);   hi[{RF}] = ΣX + √Σ (hi[r] − X[r])²"),
    ("p", "If the regions' errors are related (a common economic shock) the true interval of the "
          "sum is wider: with perfect positive correlation the half-widths add up. Bounds of "
          "aggregates within a region are their own (they do not add up), as in a region's workbook."),
    ("h2", "4. Quotas"),
    ("p", "Quotas are derived and approved in each region; the sheet 'Quotas by region' gathers "
          "the quotas_programmes.csv rows of the regions with status ok, unchanged."),
]

__all__ = ["build_national_workbook", "national_methodology_lines"]
