"""The officials' workbook ``forecast_<T>.xlsx`` (interfaces.md, "Workbook sheets").

:func:`build_workbook` takes a run (duck-typed: the attributes of
:class:`forecast.pipeline.RunResult`) and the PNG images, and returns the bytes of the
xlsx. The nine sheets come in the contract's order, named in the config's language.

Determinism: the document properties carry a fixed date (1 December of the survey year)
and every zip entry a fixed timestamp, so the same run gives the same bytes.

Choices (the contract is silent):

* Table sheets show every scenario, with the auto-filter pre-set to the primary scenario
  (``base`` when present) and the other rows hidden; the totals row uses
  ``SUBTOTAL(109, …)``, which sums only the visible rows, so it always matches the filter.
* The quota sheets add the duration, c, e and the raw quota to each programme row, and the
  year-by-year chain (demand, G, P, S) below the table.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from forecast.report import labels as L
from forecast.report import tables as tb
from forecast.report.methodology import methodology_lines
from forecast.report.sheets import Col, heading, page_setup, set_text, set_value, wrapped_lines, write_table

_NUM = "num"
_INT = "int"


def build_workbook(run, images: dict[str, bytes] | None = None) -> bytes:
    """The xlsx bytes of ``run`` (see module docstring); ``images``: name → PNG bytes."""
    lang = run.config.output.language
    T = int(run.survey_year)
    scen = tb.scenario_order(run.demand["scenario"].dropna().unique()) if len(run.demand) else []
    primary = scen[0] if scen else ""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {key: wb.create_sheet(L.sheet(key, lang)) for key in L.SHEETS}
    _summary(sheets["summary"], run, images or {}, lang, T, scen, primary)
    _demand_sheet(sheets["by_profession"], run.demand, "profession", T, lang, primary,
                  band=display_level(run))
    _demand_sheet(sheets["by_industry"], run.demand, "section", T, lang, primary,
                  band=display_level(run))
    _demand_sheet(sheets["cells"], run.demand, "cell", T, lang, primary,
                  band=display_level(run))
    _quota_programmes(sheets["quotas_programmes"], run, lang, T, primary)
    _quota_colleges(sheets["quotas_colleges"], run, lang, primary)
    _department_sheets(wb, sheets["quotas_colleges"], run, lang, T, primary)
    _signals(sheets["signals"], run, lang, primary)
    _accuracy(sheets["accuracy"], run, lang)
    _evaluation(sheets["evaluation"], run, lang)
    _issues(sheets["issues"], run, lang)
    _methodology(sheets["methodology"], run, lang, T, scen)
    for ws in wb.worksheets:
        page_setup(ws, title_rows="1:1" if ws.title not in (L.sheet("summary", lang), L.sheet("methodology", lang)) else None,
                   landscape=True)
    return _deterministic_bytes(wb, T)


# ---------------------------------------------------------------------------
def _deterministic_bytes(wb: Workbook, year: int) -> bytes:
    stamp = dt.datetime(year, 12, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "kadry"
    wb.properties.lastModifiedBy = "kadry"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # save_workbook() would stamp "modified" with now
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(max(year, 1980), 12, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _image(png: bytes, scale: float = 0.75) -> XLImage:
    img = XLImage(io.BytesIO(png))
    img.width, img.height = int(img.width * scale), int(img.height * scale)
    return img


def _facts(run, lang: str, T: int, scen: list[str], primary: str) -> list[tuple[str, object, str]]:
    survey = run.survey
    facts: list[tuple[str, object, str]] = [(L.text("survey_year", lang), T, "year")]
    if survey is not None:
        frame = survey.frame
        years = sorted(int(y) for y in frame["survey_year"].dropna().unique()) if len(frame) else []
        waves = f"{years[0]}–{years[-1]} ({len(years)})" if years else "—"
        facts.append((L.text("waves", lang), waves, "text"))
        facts.append((L.text("respondents", lang),
                      int(frame.loc[frame["survey_year"] == T, "inn"].nunique()) if len(frame) else 0, "int"))
        counts = dict(getattr(survey, "counts", {}) or {})
        facts.append((L.text("rows", lang), counts.get("accepted", len(frame)), "int"))
        facts.append((L.text("rejected", lang), counts.get("rejected", 0), "int"))
        facts.append((L.text("files", lang), f"{counts.get('files', '—')} / {counts.get('files_failed', 0)}", "text"))
        cov = getattr(survey, "coverage", None)
        if cov is not None and len(cov) and {"respondents_headcount", "employment"} <= set(cov.columns):
            c = cov.loc[cov["survey_year"] == T]
            emp = pd.to_numeric(c["employment"], errors="coerce").sum()
            if emp > 0:
                facts.append((L.text("coverage", lang),
                              float(pd.to_numeric(c["respondents_headcount"], errors="coerce").sum() / emp), "pct"))
    facts.append((L.text("horizon", lang), f"{T + 1}–{T + run.config.forecast.horizon}", "text"))
    facts.append((L.text("scenarios", lang), ", ".join(scen), "text"))
    facts.append((L.text("shown_scenario", lang), primary, "text"))
    qp = run.quotas_programmes
    if len(qp):
        p = qp.loc[qp["scenario"].astype(str) == primary]
        facts.append((L.text("quota_total", lang), float(p["quota"].sum()), "int"))
        facts.append((L.text("last_quota_total", lang), float(p["last_quota"].sum()), "int"))
    return facts


def _summary(ws, run, images, lang, T, scen, primary) -> None:
    heading(ws, 1, L.text("title", lang, T=T), size=14)
    heading(ws, 3, L.text("facts", lang))
    r = 4
    for label, value, fmt in _facts(run, lang, T, scen, primary):
        set_text(ws.cell(row=r, column=1), label)
        cell = ws.cell(row=r, column=2)
        set_value(cell, value, fmt)
        cell.alignment = Alignment(horizontal="left")
        r += 1
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 22
    # images stacked at D3 downwards; rows are 20 px high by default
    row = 3
    for name in ("fan_total.png", "quotas_vs_demand.png"):
        if name in images:
            img = _image(images[name])
            ws.add_image(img, f"D{row}")
            row += -(-img.height // 20) + 1
    r = max(r, row) + 1
    band = display_level(run)
    totals = tb.totals_by_year(run.demand, band)
    heading(ws, r, L.text("totals_by_year", lang))
    cols = [Col("scenario", L.col("scenario", lang)), Col("year", L.col("year", lang), "year")]
    cols += [Col("employment", L.col("employment", lang), _INT),
             Col(f"employment_lo_{band}", L.band_col("employment_lo", band, lang), _INT),
             Col(f"employment_hi_{band}", L.band_col("employment_hi", band, lang), _INT)]
    cols += [Col(k, L.col(k, lang), _INT) for k in ("expansion", "replacement", "vacancies", "demand")]
    cols += [Col(f"demand_lo_{band}", L.band_col("demand_lo", band, lang), _INT),
             Col(f"demand_hi_{band}", L.band_col("demand_hi", band, lang), _INT)]
    write_table(ws, totals, cols, start_row=r + 1, freeze=False, autofilter=False)
    r += len(totals) + 3
    top = tb.top_professions(run.demand, T, primary)
    heading(ws, r, L.text("top", lang, A=T + 1, B=T + run.config.forecast.horizon, S=primary))
    cols = [Col("profession_code", L.col("profession_code", lang), "code"),
            Col("profession", L.col("profession", lang)),
            Col("employment_T", L.col("employment_T", lang, T=T), _INT),
            Col("demand", L.col("demand", lang), _INT),
            Col("expansion", L.col("expansion", lang), _INT),
            Col("replacement", L.col("replacement", lang), _INT),
            Col("vacancies", L.col("vacancies", lang), _INT)]
    write_table(ws, top, cols, start_row=r + 1, freeze=False, autofilter=False)
    r += len(top) + 3
    counts = tb.issue_counts(_issue_table(run, lang))
    heading(ws, r, L.text("issues_by_code", lang))
    cols = [Col("source", L.col("source", lang)), Col("severity", L.col("severity", lang)),
            Col("code", L.col("code", lang)), Col("count", L.col("count", lang), _INT)]
    write_table(ws, counts, cols, start_row=r + 1, freeze=False, autofilter=False)


#: how each column of the quota chain (methodology §4–7) is shown: header key, number
#: format, summed in the totals row, width; the regional and the national workbooks share it
_QUOTA_CHAIN: dict[str, tuple[str, str, bool, float | None]] = {
    "scenario": ("scenario", "text", False, None),
    "programme_code": ("programme_code", "code", False, None),
    "programme": ("programme", "text", False, 36),
    "level": ("education", "text", False, None),
    "duration_months": ("duration_months", _INT, False, None),
    "admission_year": ("admission_year", "year", False, None),
    "graduation_year": ("graduation_year", "year", False, None),
    "demand": ("demand", _NUM, True, None),
    "coverage_share": ("coverage_share", "num2", False, None),
    "employment_rate": ("employment_rate", "num2", False, None),
    "graduates_needed": ("graduates_needed", _NUM, True, None),
    "pipeline": ("pipeline", _NUM, True, None),
    "gap": ("gap", _NUM, True, None),
    "dropout": ("dropout", "num2", False, None),
    "quota_raw": ("quota_raw", _NUM, True, None),
    "quota_needed": ("quota_needed", _INT, True, None),
    "shortfall": ("shortfall", _INT, True, None),
    "quota": ("quota", _INT, True, None),
    "last_quota": ("last_quota", _INT, True, None),
    "change": ("change", _INT, True, None),
    "deficit": ("deficit", _INT, True, None),
}


def quota_chain_cols(keys, lang: str) -> list[Col]:
    """The columns ``keys`` of a quota-chain table (``demand`` is the graduation year's: (g))."""
    cols = []
    for key in keys:
        label, fmt, total, width = _QUOTA_CHAIN[key]
        header = L.col(label, lang) + (" (g)" if key == "demand" else "")
        cols.append(Col(key, header, fmt, total, width))
    return cols


def display_level(run) -> int:
    """The interval level the workbook's tables show: the smallest of ``forecast.levels``
    (80 by default; demand.csv carries every configured level)."""
    return int(min(run.config.forecast.levels))


def _demand_sheet(ws, demand, level, T, lang, primary, band: int = 80) -> None:
    wide, year_cols = tb.demand_wide(demand, level, T, lang, band=band)
    H_last = int(year_cols[-1].split("_")[1]) if year_cols else T
    ids = {"profession": [Col("profession_code", L.col("profession_code", lang), "code"),
                          Col("profession", L.col("profession", lang)),
                          Col("education", L.col("education", lang))],
           "section": [Col("okved_section", L.col("okved_section", lang), "code", width=10),
                       Col("section_name", L.col("section_name", lang), width=45)],
           "cell": [Col("okved_section", L.col("okved_section", lang), "code", width=10),
                    Col("section_name", L.col("section_name", lang), width=30),
                    Col("profession_code", L.col("profession_code", lang), "code"),
                    Col("profession", L.col("profession", lang)),
                    Col("education", L.col("education", lang))]}[level]
    cols = [Col("scenario", L.col("scenario", lang)), *ids,
            Col("employment_T", L.col("employment_T", lang, T=T), _INT, True),
            Col("employment_last", L.col("employment_last", lang, Y=H_last), _INT, True),
            Col(f"employment_lo_{band}", L.band_col("employment_lo", band, lang), _INT),
            Col(f"employment_hi_{band}", L.band_col("employment_hi", band, lang), _INT)]
    cols += [Col(c, L.col("demand_year", lang, Y=c.split("_")[1]), _INT, True) for c in year_cols]
    cols += [Col("demand_total", L.col("demand_total", lang, A=T + 1, B=H_last), _INT, True),
             Col("expansion_total", L.col("expansion_total", lang), _INT, True),
             Col("replacement_total", L.col("replacement_total", lang), _INT, True),
             Col("vacancies_total", L.col("vacancies_total", lang, Y=T + 1), _INT, True)]
    write_table(ws, wide, cols, total_label=L.text("total", lang),
                filter_values={"scenario": [primary]} if primary else None)
    ws.freeze_panes = ws.cell(row=2, column=len(ids) + 2)
    _note_below(ws, len(wide) + 3, L.text("filter_note", lang, S=primary))


def _note_below(ws, row: int, text: str, span: int = 8) -> None:
    """An italic note over ``span`` merged columns, wrapped, with its row height set."""
    from openpyxl.utils import get_column_letter

    cell = ws.cell(row=row, column=1)
    set_text(cell, text)
    cell.font = Font(italic=True, color="595959")
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    width = sum((ws.column_dimensions[get_column_letter(j)].width or 9) for j in range(1, span + 1))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    ws.row_dimensions[row].height = 14 * wrapped_lines(text, width) + 4


def _quota_programmes(ws, run, lang, T, primary) -> None:
    qp = run.quotas_programmes
    if not len(qp):
        set_text(ws.cell(row=1, column=1), L.text("no_quotas", lang))
        return
    q = run.config.quotas
    table = tb.quota_programmes_table(qp, getattr(run, "programmes", None), q.coverage_share,
                                      q.default_employment_rate)
    cols = quota_chain_cols(("scenario", "programme_code", "programme", "level", "duration_months",
                             "admission_year", "graduation_year", "demand", "coverage_share",
                             "employment_rate", "graduates_needed", "pipeline", "gap", "dropout",
                             "quota_raw", "quota_needed", "shortfall", "quota", "last_quota",
                             "change", "deficit"), lang)
    write_table(ws, table, cols, total_label=L.text("total", lang),
                filter_values={"scenario": [primary]} if primary else None)
    ws.freeze_panes = ws.cell(row=2, column=4)
    quota_col = [c.key for c in cols].index("quota") + 1
    for r in range(2, len(table) + 2):
        ws.cell(row=r, column=quota_col).font = Font(bold=True)
    r = len(table) + 3
    _note_below(ws, r, L.text("filter_note", lang, S=primary))
    r += 2
    heading(ws, r, L.text("params", lang))
    params = [("T", T, "year"), ("c = quotas.coverage_share", q.coverage_share, "num2"),
              ("quotas.default_employment_rate", q.default_employment_rate, "num2"),
              ("quotas.default_dropout", q.default_dropout, "num2"),
              ("quotas.min_group", q.min_group, "int"),
              ("quotas.total_places", q.total_places if q.total_places is not None else "—",
               "int" if q.total_places is not None else "text")]
    for i, (k, v, fmt) in enumerate(params, start=r + 1):
        set_text(ws.cell(row=i, column=1), k)  # overflows into the empty cells to its right
        cell = ws.cell(row=i, column=4)
        set_value(cell, v, fmt)
        cell.alignment = Alignment(horizontal="right")
    r += len(params) + 2
    chain = tb.quota_chain(getattr(run, "demand_by_year", None), qp, T)
    heading(ws, r, L.text("chain", lang))
    cols = [Col("scenario", L.col("scenario", lang)),
            Col("programme_code", L.col("programme_code", lang), "code"),
            Col("year", L.col("year", lang), "year"),
            Col("demand", L.col("demand", lang), _NUM),
            Col("graduates_needed", L.col("graduates_needed", lang).replace(" G", " G[t]"), _NUM),
            Col("pipeline_year", L.col("pipeline_year", lang), _NUM),
            Col("carry", L.col("carry", lang), _NUM)]
    write_table(ws, chain, cols, start_row=r + 1, freeze=False, autofilter=False)
    r += len(chain) + 3
    unmapped = getattr(run, "unmapped", None)
    if unmapped is not None and len(unmapped):
        u = unmapped.loc[unmapped["year"] > T].copy()
        u["reason"] = [L.value(v, lang) for v in u["reason"].tolist()]
        u = u.groupby(["scenario", "education", "reason"], as_index=False)["demand"].sum()
        rank = {s: i for i, s in enumerate(tb.scenario_order(u["scenario"]))}
        u = u.assign(_s=u["scenario"].map(rank)).sort_values(["_s", "education"], kind="mergesort")
        heading(ws, r, L.text("unmapped", lang, A=T + 1, B=T + run.config.forecast.horizon))
        cols = [Col("scenario", L.col("scenario", lang)), Col("education", L.col("education", lang)),
                Col("reason", L.col("reason", lang)), Col("demand", L.col("demand", lang), _NUM)]
        write_table(ws, u, cols, start_row=r + 1, freeze=False, autofilter=False)


def _programme_names(run) -> pd.Series:
    qp = run.quotas_programmes
    return qp.drop_duplicates("programme_code").set_index("programme_code")["programme"]


def _quota_colleges(ws, run, lang, primary) -> None:
    """College rows grouped by department, each group closed by its subtotal row (a
    SUBTOTAL(109, …) of the group, so that the filter and the grand total, which skips
    nested SUBTOTALs, stay right)."""
    from openpyxl.utils import get_column_letter

    qc = run.quotas_colleges
    if not len(qc):
        set_text(ws.cell(row=1, column=1), L.text("no_quotas", lang))
        return
    table = tb.quota_colleges_by_department(qc, _programme_names(run),
                                            subtotal_label=L.text("subtotal", lang),
                                            no_department=L.text("no_department", lang))
    cols = [Col("scenario", L.col("scenario", lang)),
            Col("department", L.col("department", lang), width=24),
            Col("programme_code", L.col("programme_code", lang), "code"),
            Col("programme", L.col("programme", lang), width=30),
            Col("college_code", L.col("college_code", lang), "code"),
            Col("college", L.col("college", lang), width=40),
            Col("capacity", L.col("capacity", lang), _INT, True),
            Col("target", L.col("target", lang), _NUM, True),
            Col("quota", L.col("quota", lang), _INT, True),
            Col("last_quota", L.col("last_quota", lang), _INT, True),
            Col("change", L.col("change", lang), _INT, True),
            Col("deficit", L.col("deficit", lang), _INT)]
    first, _ = write_table(ws, table, cols, total_label=L.text("total", lang),
                           filter_values={"scenario": [primary]} if primary else None)
    kinds = table["row_kind"].tolist()
    start = first
    for i, kind in enumerate(kinds):
        r = first + i
        if kind != "subtotal":
            continue
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(row=r, column=j)
            cell.font = Font(bold=True)
            if c.total:
                letter = get_column_letter(j)
                cell.value = f"=SUBTOTAL(109,{letter}{start}:{letter}{r - 1})"
        start = r + 1
    ws.freeze_panes = ws.cell(row=2, column=7)
    _note_below(ws, len(table) + 3, L.text("filter_note", lang, S=primary))


def _sheet_title(name: str, taken: list[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    clean = "".join(" " if ch in '[]:*?/\\' else ch for ch in name).strip()[:31].strip()
    title, k = clean or "—", 2
    while title.lower() in (t.lower() for t in taken):
        suffix = f" ({k})"
        title, k = clean[:31 - len(suffix)] + suffix, k + 1
    return title


def _department_sheets(wb, after, run, lang, T, primary) -> None:
    """One sheet per department (primary scenario) to attach to its order; none when the
    colleges table names no department (the sheet `КЦП по организациям` is then the one)."""
    qc = run.quotas_colleges
    if not len(qc) or "department" not in qc.columns:
        return
    dept = qc["department"].astype(object).where(qc["department"].notna(), "").astype(str).str.strip()
    names = sorted(set(dept[qc["college_code"].astype(str) != ""]))
    if not any(names):
        return
    names = [d for d in names if d] + [d for d in names if not d]
    pos = wb.sheetnames.index(after.title)
    for i, d in enumerate(names, start=1):
        label = d or L.text("no_department", lang)
        ws = wb.create_sheet(_sheet_title(L.text("department_sheet", lang, D=label), wb.sheetnames),
                             index=pos + i)
        table = tb.department_table(qc, primary, d, _programme_names(run))
        heading(ws, 1, L.text("department_title", lang, A=T + 1, D=label, S=primary), size=12)
        cols = [Col("college_code", L.col("college_code", lang), "code"),
                Col("college", L.col("college", lang), width=44),
                Col("programme_code", L.col("programme_code", lang), "code"),
                Col("programme", L.col("programme", lang), width=40),
                Col("capacity", L.col("capacity", lang), _INT, True),
                Col("quota", L.col("quota", lang), _INT, True),
                Col("last_quota", L.col("last_quota", lang), _INT, True),
                Col("change", L.col("change", lang), _INT, True)]
        write_table(ws, table, cols, start_row=3, total_label=L.text("total", lang),
                    freeze=False)
        ws.freeze_panes = ws.cell(row=4, column=1)
        quota_col = [c.key for c in cols].index("quota") + 1
        for r in range(4, len(table) + 4):
            ws.cell(row=r, column=quota_col).font = Font(bold=True)
        _note_below(ws, len(table) + 6, L.text("department_note", lang))


def _signals(ws, run, lang, primary) -> None:
    sig = getattr(run, "programme_signals", None)
    cols = [Col("scenario", L.col("scenario", lang)),
            Col("signal", L.col("signal", lang), width=24),
            Col("programme_code", L.col("programme_code", lang), "code"),
            Col("programme", L.col("programme", lang), width=30),
            Col("profession_code", L.col("profession_code", lang), "code"),
            Col("profession", L.col("profession", lang), width=28),
            Col("education", L.col("education", lang)),
            Col("value", L.col("value", lang), "num2"),
            Col("threshold", L.col("threshold", lang), "num2"),
            Col("message", L.col("message", lang), width=90)]
    shown = (sig.copy() if sig is not None else
             pd.DataFrame({c.key: [] for c in cols}))
    shown["signal"] = [L.value(v, lang) for v in shown["signal"].tolist()]
    write_table(ws, shown, cols, filter_values={"scenario": [primary]} if primary and len(shown) else None)
    if not len(shown):
        set_text(ws.cell(row=2, column=1), L.text("no_rows", lang))
        return
    for r in range(2, len(shown) + 2):
        ws.cell(row=r, column=len(cols)).alignment = Alignment(wrap_text=True, vertical="top")
    _note_below(ws, len(shown) + 3, L.text("signals_note", lang, S=primary))


def _evaluation(ws, run, lang) -> None:
    """Summary (one row per level) on top, then the quota rows, then the details."""
    ev = getattr(run, "evaluation", None)
    if ev is None or not len(ev):
        set_text(ws.cell(row=1, column=1), L.text("no_evaluation", lang))
        return
    summ = ev[ev["kind"] == "summary"].copy()
    T = int(summ["year"].iloc[0])
    H = int(summ["horizon"].iloc[0])
    summ["level"] = [L.level(v, lang) for v in summ["level"].tolist()]
    cols = [Col("level", L.col("level", lang), width=22),
            Col("year", L.col("year", lang), "year"),
            Col("horizon", L.col("horizon", lang), _INT),
            Col("wmape", L.col("wmape", lang), "pct"),
            Col("bias", L.col("bias", lang), "pct"),
            Col("coverage_80", L.col("coverage_80", lang), "pct"),
            Col("coverage_95", L.col("coverage_95", lang), "pct"),
            Col("wmape_flat", L.col("wmape_flat", lang), "pct"),
            Col("n", L.col("n_keys", lang), _INT)]
    write_table(ws, summ, cols, start_row=1)
    r = len(summ) + 2
    _note_below(ws, r, L.text("evaluation_summary", lang, T0=T - H, T=T, H=H), span=9)
    r += 2
    quota = ev[ev["kind"] == "quota"]
    if len(quota):
        heading(ws, r, L.text("evaluation_quotas", lang, T0=T - H, A=T - H + 1))
        qcols = [Col("programme_code", L.col("programme_code", lang), "code"),
                 Col("year", L.col("admission_year", lang), "year"),
                 Col("forecast", L.col("quota", lang), _INT, True),
                 Col("actual", L.col("last_quota", lang), _INT, True),
                 Col("error", L.col("change", lang), _INT, True)]
        write_table(ws, quota, qcols, start_row=r + 1, freeze=False, autofilter=False,
                    total_label=L.text("total", lang))
        r += len(quota) + 4
    det = ev[ev["kind"] == "detail"].copy()
    det["level"] = [L.level(v, lang) for v in det["level"].tolist()]
    for c in ("in_80", "in_95"):
        det[c] = [L.value(str(v), lang) if v is not None and v == v else None for v in det[c]]
    heading(ws, r, L.text("evaluation_details", lang))
    dcols = [Col("level", L.col("level", lang), width=22),
             Col("okved_section", L.col("okved_section", lang), "code"),
             Col("profession_code", L.col("profession_code", lang), "code"),
             Col("education", L.col("education", lang)),
             Col("year", L.col("year", lang), "year"),
             Col("forecast", L.col("forecast", lang), _NUM),
             Col("actual", L.col("actual", lang), _NUM),
             Col("error", L.col("error", lang), _NUM),
             Col("ape", L.col("ape", lang), "pct"),
             Col("in_80", L.col("in_80", lang)),
             Col("in_95", L.col("in_95", lang))]
    write_table(ws, det, dcols, start_row=r + 1, freeze=False, autofilter=False)


def _generic_cols(frame: pd.DataFrame, lang: str) -> list[Col]:
    cols = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            cols.append(Col(c, L.col(c, lang)))
        elif c in ("year", "ds", "cutoff", "survey_year"):
            cols.append(Col(c, L.col(c, lang), "year"))
        elif pd.api.types.is_integer_dtype(s):
            cols.append(Col(c, L.col(c, lang), _INT))
        else:
            cols.append(Col(c, L.col(c, lang), "ratio"))
    return cols


def _accuracy(ws, run, lang) -> None:
    acc = run.accuracy if run.accuracy is not None else pd.DataFrame()
    if len(acc.columns):
        cols = _generic_cols(acc, lang)
        shown = acc.copy()
        for c in cols:
            if c.fmt == "text":
                shown[c.key] = [L.value(v, lang) for v in shown[c.key].tolist()]
        write_table(ws, shown, cols)
        r = len(acc) + 3
        _note_below(ws, r - 1, L.text("accuracy_note", lang))
        r += 1
    else:
        set_text(ws.cell(row=1, column=1), L.text("no_rows", lang))
        r = 3
    eng = getattr(run, "engine_accuracy", None)
    if eng is not None and len(eng.columns):
        from forecast.demand import ENGINE_BT_H

        heading(ws, r, L.text("engine", lang, H=ENGINE_BT_H))
        cols = _generic_cols(eng, lang)
        cols = [Col(c.key, c.header, "num") if c.key.startswith("coverage_") else c for c in cols]
        shown = eng.copy()
        for c in cols:
            if c.fmt == "text":
                shown[c.key] = [L.value(v, lang) for v in shown[c.key].tolist()]
        write_table(ws, shown, cols, start_row=r + 1, freeze=False, autofilter=False)
        r += len(eng) + 3
    rl = getattr(run, "realisation", None)
    if rl is not None and len(rl.columns):
        heading(ws, r, L.text("realisation", lang))
        write_table(ws, rl, _generic_cols(rl, lang), start_row=r + 1, freeze=False, autofilter=False)


def _issue_table(run, lang) -> pd.DataFrame:
    survey = run.survey
    messages = survey.messages(lang) if hasattr(survey, "messages") else None
    return tb.all_issues(getattr(survey, "issues", None), getattr(survey, "skipped", None),
                         getattr(run, "quota_issues", None), lang, survey_messages=messages)


def _issues(ws, run, lang) -> None:
    issues = _issue_table(run, lang)
    cols = [Col("source", L.col("source", lang)), Col("file", L.col("file", lang), width=40),
            Col("sheet", L.col("sheet", lang)), Col("row", L.col("row", lang), _INT),
            Col("column", L.col("column", lang)), Col("value", L.col("value", lang), width=24),
            Col("severity", L.col("severity", lang)), Col("code", L.col("code", lang)),
            Col("message", L.col("message", lang), width=80)]
    write_table(ws, issues, cols)
    if not len(issues):
        set_text(ws.cell(row=2, column=1), L.text("no_rows", lang))


def _methodology(ws, run, lang, T, scen) -> None:
    write_text_lines(ws, methodology_lines(run.config, T, scen, lang,
                                           getattr(run, "demand_result", None)))


def write_text_lines(ws, lines, width: float = 95) -> None:
    """A sheet of styled text lines (``(style, text)``: ``h1``, ``h2``, ``f`` formula, plain)
    in column A, wrapped, with row heights set for the wrapped text (LibreOffice does not
    grow rows on load); the regional and the national ``Методика`` sheets."""
    ws.column_dimensions["A"].width = width
    for r, (style, line) in enumerate(lines, start=1):
        cell = ws.cell(row=r, column=1)
        set_text(cell, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        per_line = {"h1": 18, "h2": 16, "f": 14}.get(style, 14)
        chars = width * (0.85 if style == "f" else 1.0)
        ws.row_dimensions[r].height = per_line * wrapped_lines(line, chars) + (6 if style.startswith("h") else 2)
        if style == "h1":
            cell.font = Font(bold=True, size=13)
        elif style == "h2":
            cell.font = Font(bold=True, size=11)
        elif style == "f":
            cell.font = Font(name="Consolas", size=10)
            cell.alignment = Alignment(wrap_text=True, vertical="top", indent=2)


__all__ = ["build_workbook"]
