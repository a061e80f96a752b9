"""The pages of the published site, each a function of a :class:`~forecast.publish.read.RunOutput`.

``index.html`` (summary, totals by year and scenario, charts, the largest professions),
``demand.html`` (by industry and by profession), ``quotas.html`` (by programme, by college
grouped by department, programme-update signals when present), ``methodology.html`` (the
methodology with this run's parameters, the evaluation of last year's forecast when present)
and ``data.html`` (downloads and the open-data sets).

Choices (the contract is silent):

* The *main* scenario is ``base`` when present, else the first by name (as the workbook).
  Its tables come first and open; the other scenarios' tables follow in ``<details>``.
* Numbers are shown rounded (persons and places to units, shares to two decimals); every
  number cell keeps the exact value in ``data-v`` (see :mod:`forecast.publish.html`).
* Every chart is followed by a table of its data; the run's fan chart of regional
  employment (``plots/fan_total.png``) is shown with its numbers from ``demand.csv``.
* Colleges are grouped by ``department`` (sorted by name, colleges without one last), each
  group a table with its subtotal, after a table of the departments' totals; without the
  column, one group of all colleges.

Examples
--------
>>> import pandas as pd
>>> departments(pd.DataFrame({"department": ["культура", "", "здравоохранение", "культура"]}))
['здравоохранение', 'культура', '']
>>> departments(pd.DataFrame({"college": ["K01"]}))
[]
"""

from __future__ import annotations

import pandas as pd

from forecast.publish import charts
from forecast.publish.html import Column, attr, esc, fmt_num, table
from forecast.publish.labels import SITE, t
from forecast.publish.read import RunOutput
from forecast.report import labels as L
from forecast.report import tables as tb

#: how many professions the summary ranks
N_TOP = 20
#: how many programmes the quota chart shows
N_QUOTA_CHART = 15


def primary_scenario(run: RunOutput) -> str:
    order = scenario_list(run)
    return order[0] if order else ""


def scenario_list(run: RunOutput) -> list[str]:
    return tb.scenario_order(run.demand["scenario"].unique()) if len(run.demand) else []


def _years(run: RunOutput) -> list[int]:
    T = run.survey_year
    return sorted(int(y) for y in run.demand["year"].unique() if int(y) > T)


def _period(run: RunOutput) -> tuple[int, int]:
    ys = _years(run)
    return (ys[0], ys[-1]) if ys else (run.survey_year + 1, run.survey_year + run.horizon)


def _details(summary: str, content: str) -> str:
    return f"<details><summary>{esc(summary)}</summary>\n{content}\n</details>"


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">\n{svg}\n<figcaption>{esc(caption)}</figcaption>\n</figure>'


# --------------------------------------------------------------------------- index
def index_body(run: RunOutput) -> str:
    lang, T = run.language, run.survey_year
    S = primary_scenario(run)
    A, B = _period(run)
    parts = [f"<h1>{esc(t('index_title', lang, T=T))}</h1>"]
    name = run.region.get("name")
    if name:
        parts.append(f'<p class="region">{esc(t("region", lang))}: {esc(name)}</p>')
    parts.append(f'<p class="lead">{esc(t("lead", lang, T=T, A=A, B=B, A1=T + 1))}</p>')
    parts.append(_facts(run, S, A, B))
    parts.append(f'<h2 id="totals">{esc(t("totals_title", lang))}</h2>')
    parts.append(_totals(run, S, A, B))
    if "fan_total.png" in run.plots:
        parts.append(_fan(run, S, A, B))
    parts.append(_top(run, S, A, B))
    return "\n".join(parts)


def _facts(run: RunOutput, S: str, A: int, B: int) -> str:
    lang = run.language
    counts = ((run.manifest.get("rows") or {}).get("survey") or {})
    d = run.demand
    tot = d.loc[(d["level"] == "total") & (d["scenario"] == S) & (d["year"] > run.survey_year), "demand"].sum()
    rows = [
        (t("survey_year", lang), str(run.survey_year)),
        (t("period", lang), f"{A}–{B}"),
        (t("scenarios", lang), ", ".join(scenario_list(run))),
        (t("rows_read", lang), fmt_num(counts.get("rows_read"), 0, lang)),
        (t("rows_accepted", lang), fmt_num(counts.get("accepted"), 0, lang)),
        (t("rows_rejected", lang), fmt_num(counts.get("rejected"), 0, lang)),
        (t("files", lang), f"{fmt_num(counts.get('files'), 0, lang)} / {fmt_num(counts.get('files_failed'), 0, lang)}"),
        (t("demand_period", lang, A=A, B=B, S=S), fmt_num(tot, 0, lang)),
    ]
    qp = run.quotas_programmes
    if len(qp):
        rows.append((t("quota_total", lang, A=run.survey_year + 1, S=S),
                     fmt_num(qp.loc[qp["scenario"] == S, "quota"].sum(), 0, lang)))
    body = "".join(f'<tr><th scope="row">{esc(k)}</th><td>{esc(v)}</td></tr>' for k, v in rows)
    return (f'<h2>{esc(t("facts", lang))}</h2>\n<table class="facts"><caption class="sr">{esc(t("facts", lang))}'
            f"</caption><tbody>{body}</tbody></table>")


def _totals(run: RunOutput, S: str, A: int, B: int) -> str:
    lang, T = run.language, run.survey_year
    tot = tb.totals_by_year(run.demand)
    scen = scenario_list(run)
    years = _years(run)
    series = []
    for s in scen:
        part = tot.loc[tot["scenario"] == s].set_index("year")["demand"]
        series.append((s, [float(part.get(y, float("nan"))) for y in years]))
    out = [_figure(charts.grouped_bars(years, series, title=t("totals_chart", lang),
                                       desc=t("totals_chart_desc", lang, A=A, B=B, L=", ".join(scen)),
                                       chart_id="chart-totals", lang=lang),
                   t("totals_chart", lang))]
    # demand by year × scenario (the chart's data)
    wide = pd.DataFrame({"year": years})
    cols = [Column("year", L.col("year", lang))]
    for s in scen:
        part = tot.loc[tot["scenario"] == s].set_index("year")["demand"]
        key = f"d_{s}"
        wide[key] = [float(part.get(y, float("nan"))) for y in years]
        cols.append(Column(key, s, 0, "demand", (("scenario", s),), total=True))
    out.append(table(wide, cols, caption=t("demand_by_scenario", lang), lang=lang, src="demand.csv",
                     table_where={"level": "total"}, row_where=["year"], total_label=L.text("total", lang)))
    for s in scen:
        part = tot.loc[tot["scenario"] == s]
        cols = [Column("year", L.col("year", lang)),
                Column("employment", L.col("employment", lang), 0, "employment"),
                Column("expansion", L.col("expansion", lang), 0, "expansion", total=True),
                Column("replacement", L.col("replacement", lang), 0, "replacement", total=True),
                Column("vacancies", L.col("vacancies", lang), 0, "vacancies", total=True),
                Column("demand", L.col("demand", lang), 0, "demand", total=True),
                Column("demand_lo_80", L.col("demand_lo_80", lang), 0, "demand_lo_80"),
                Column("demand_hi_80", L.col("demand_hi_80", lang), 0, "demand_hi_80")]
        tab = table(part, cols, caption=t("totals_caption", lang, S=s), lang=lang, src="demand.csv",
                    table_where={"level": "total", "scenario": s}, row_where=["year"],
                    total_label=L.text("total", lang) + f" {A}–{B}")
        out.append(tab if s == S else _details(t("totals_caption", lang, S=s), tab))
    return "\n".join(out)


def _fan(run: RunOutput, S: str, A: int, B: int) -> str:
    lang, T = run.language, run.survey_year
    d = run.demand
    part = d.loc[(d["level"] == "total") & (d["scenario"] == S)].sort_values("year")
    cols = [Column("year", L.col("year", lang))]
    for k in ("employment", "employment_lo_80", "employment_hi_80", "employment_lo_95", "employment_hi_95"):
        if k in part.columns:
            cols.append(Column(k, L.col(k, lang), 0, k))
    alt = t("fan_alt", lang, T=T, A=A, B=B, S=S)
    return "\n".join([
        f'<h2 id="fan">{esc(t("fan_title", lang))}</h2>',
        f'<figure class="plot"><img src="plots/fan_total.png" alt="{attr(alt)}" width="900" height="540" '
        f'loading="lazy"><figcaption>{esc(t("fan_caption", lang, S=S))}</figcaption></figure>',
        table(part, cols, caption=t("fan_caption", lang, S=S), lang=lang, src="demand.csv",
              table_where={"level": "total", "scenario": S}, row_where=["year"]),
    ])


def _top(run: RunOutput, S: str, A: int, B: int) -> str:
    lang, T = run.language, run.survey_year
    top = tb.top_professions(run.demand, T, S, n=N_TOP)
    title = t("top_title", lang, n=len(top), A=A, B=B, S=S)
    out = [f'<h2 id="top">{esc(title)}</h2>']
    if len(top):
        items = [(f"{r.profession_code} {r.profession}", float(r.demand)) for r in top.itertuples()]
        desc = t("top_desc", lang, n=len(top), A=A, B=B, first=items[0][0], v=fmt_num(items[0][1], 0, lang))
        out.append(_figure(charts.hbar_chart(items, title=title, desc=desc, chart_id="chart-top", lang=lang), title))
    gt = (("year>", T),)
    cols = [Column("profession_code", L.col("profession_code", lang)),
            Column("profession", L.col("profession", lang)),
            Column("employment_T", L.col("employment_T", lang, T=T), 0, "employment", (("year", T),)),
            Column("demand", L.col("demand_total", lang, A=A, B=B), 0, "demand", gt),
            Column("expansion", L.col("expansion_total", lang), 0, "expansion", gt),
            Column("replacement", L.col("replacement_total", lang), 0, "replacement", gt),
            Column("vacancies", L.col("vacancies_total", lang, Y=A), 0, "vacancies", gt)]
    out.append(table(top, cols, caption=title, lang=lang, src="demand.csv",
                     table_where={"level": "profession", "scenario": S}, row_where=["profession_code"]))
    out.append(f'<p><a href="demand.html#by-profession">{esc(t("more", lang))}: {esc(t("demand_title", lang))}</a></p>')
    return "\n".join(out)


# --------------------------------------------------------------------------- demand
def demand_body(run: RunOutput) -> str:
    lang, T = run.language, run.survey_year
    S = primary_scenario(run)
    A, B = _period(run)
    parts = [f"<h1>{esc(t('demand_title', lang))}</h1>",
             f'<p class="lead">{esc(t("demand_lead", lang, A=A, B=B))} {esc(t("primary_note", lang, S=S))}</p>']
    sec, ycols = tb.demand_wide(run.demand, "section", T, lang)
    prof, _ = tb.demand_wide(run.demand, "profession", T, lang)
    parts.append(f'<h2 id="by-industry">{esc(t("by_industry", lang))}</h2>')
    main = sec.loc[sec["scenario"] == S]
    if len(main):
        items = [(f"{r.okved_section} {r.section_name}", float(r.demand_total)) for r in main.itertuples()]
        title = t("industry_chart", lang, A=A, B=B, S=S)
        desc = t("industry_desc", lang, A=A, B=B, first=items[0][0], v=fmt_num(items[0][1], 0, lang))
        parts.append(_figure(charts.hbar_chart(items, title=title, desc=desc, chart_id="chart-industry",
                                               lang=lang), title))
    for s in scenario_list(run):
        tab = _wide_table(sec.loc[sec["scenario"] == s], ycols, "section", s, T, A, B, lang)
        parts.append(tab if s == S else _details(t("industry_caption", lang, S=s), tab))
    parts.append(f'<h2 id="by-profession">{esc(t("by_profession", lang))}</h2>')
    for s in scenario_list(run):
        tab = _wide_table(prof.loc[prof["scenario"] == s], ycols, "profession", s, T, A, B, lang)
        parts.append(tab if s == S else _details(t("profession_caption", lang, S=s), tab))
    return "\n".join(parts)


def _wide_table(frame, ycols: list[str], level: str, S: str, T: int, A: int, B: int, lang: str) -> str:
    last = int(ycols[-1].split("_")[1]) if ycols else T
    if level == "section":
        ids = [Column("okved_section", L.col("okved_section", lang)), Column("section_name", L.col("section_name", lang))]
        row_where, caption = ["okved_section"], t("industry_caption", lang, S=S)
    else:
        ids = [Column("profession_code", L.col("profession_code", lang)),
               Column("profession", L.col("profession", lang)), Column("education", L.col("education", lang))]
        row_where, caption = ["profession_code", "education"], t("profession_caption", lang, S=S)
    cols = ids + [
        Column("employment_T", L.col("employment_T", lang, T=T), 0, "employment", (("year", T),), total=True),
        Column("employment_last", L.col("employment_last", lang, Y=last), 0, "employment", (("year", last),), total=True),
    ]
    for yc in ycols:
        y = int(yc.split("_")[1])
        cols.append(Column(yc, L.col("demand_year", lang, Y=y), 0, "demand", (("year", y),), total=True))
    cols.append(Column("demand_total", L.col("demand_total", lang, A=A, B=B), 0, "demand", (("year>", T),), total=True))
    return table(frame, cols, caption=caption, lang=lang, src="demand.csv",
                 table_where={"level": level, "scenario": S}, row_where=row_where,
                 total_label=L.text("total", lang))


# --------------------------------------------------------------------------- quotas
def quotas_body(run: RunOutput) -> str:
    lang, T = run.language, run.survey_year
    S = primary_scenario(run)
    A1 = T + 1
    qp, qc = run.quotas_programmes, run.quotas_colleges
    parts = [f"<h1>{esc(t('quotas_title', lang))}</h1>",
             f'<p class="lead">{esc(t("quotas_lead", lang, A=A1))}</p>']
    if not len(qp):
        parts.append(f"<p>{esc(t('no_quotas', lang))}</p>")
        return "\n".join(parts)
    parts.append(f'<p>{esc(t("primary_note", lang, S=S))}</p>')
    scen = tb.scenario_order(qp["scenario"].unique())
    main = qp.loc[qp["scenario"] == S].copy()
    # chart: the largest quotas against last year's
    ch = main.sort_values(["quota", "programme_code"], ascending=[False, True], kind="mergesort").head(N_QUOTA_CHART)
    if len(ch):
        items = [(f"{r.programme_code} {r.programme}", float(r.quota)) for r in ch.itertuples()]
        title = t("quota_chart", lang, A=A1, n=len(ch), S=S)
        desc = t("quota_desc", lang, n=len(ch), first=items[0][0], v=fmt_num(items[0][1], 0, lang))
        parts.append(_figure(charts.hbar_chart(items, title=title, desc=desc, chart_id="chart-quotas", lang=lang,
                                               series=[L.col("quota", lang), L.col("last_quota", lang)],
                                               values2=[float(v) for v in ch["last_quota"]]), title))
    parts.append(f'<h2 id="by-programme">{esc(t("by_programme", lang))}</h2>')
    for s in scen:
        tab = _programme_table(qp.loc[qp["scenario"] == s], s, lang)
        parts.append(tab if s == S else _details(t("programme_caption", lang, S=s), tab))
    if len(scen) > 1:
        parts.append(f'<h2 id="by-scenario">{esc(t("quota_scenarios", lang))}</h2>')
        parts.append(_scenario_table(qp, scen, A1, lang))
    parts.append(f'<h2 id="by-college">{esc(t("by_college", lang))}</h2>')
    for s in scen:
        block = _college_blocks(run, s, lang)
        parts.append(block if s == S else _details(t("scenario_h", lang, S=s), block))
    sig = run.programme_signals
    if sig is not None and len(sig):
        parts.append(f'<h2 id="signals">{esc(t("signals", lang))}</h2>')
        for s in tb.scenario_order(sig["scenario"].unique()) if "scenario" in sig.columns else [S]:
            part = sig.loc[sig["scenario"] == s] if "scenario" in sig.columns else sig
            tab = _generic_table(part, "programme_signals.csv", t("signals_caption", lang, S=s), lang,
                                 skip=("scenario",))
            parts.append(tab if s == S else _details(t("signals_caption", lang, S=s), tab))
    return "\n".join(parts)


def _programme_table(part, S: str, lang: str) -> str:
    cols = [Column("programme_code", L.col("programme_code", lang)),
            Column("programme", L.col("programme", lang)),
            Column("level", L.col("level", lang)),
            Column("graduation_year", L.col("graduation_year", lang), 0, "graduation_year", group=False),
            Column("demand", L.col("demand", lang), 0, "demand", total=True),
            Column("graduates_needed", L.col("graduates_needed", lang), 0, "graduates_needed", total=True),
            Column("pipeline", L.col("pipeline", lang), 0, "pipeline", total=True),
            Column("gap", L.col("gap", lang), 0, "gap", total=True),
            Column("dropout", L.col("dropout", lang), 2, "dropout"),
            Column("quota_needed", L.col("quota_needed", lang), 0, "quota_needed", total=True),
            Column("shortfall", L.col("shortfall", lang), 0, "shortfall", total=True),
            Column("quota", L.col("quota", lang), 0, "quota", total=True),
            Column("deficit", L.col("deficit", lang), 0, "deficit", total=True),
            Column("last_quota", L.col("last_quota", lang), 0, "last_quota", total=True)]
    return table(part, cols, caption=t("programme_caption", lang, S=S), lang=lang, src="quotas_programmes.csv",
                 table_where={"scenario": S}, row_where=["programme_code"], total_label=L.text("total", lang))


def _scenario_table(qp, scen: list[str], A1: int, lang: str) -> str:
    base = qp.loc[:, ["programme_code", "programme"]].drop_duplicates("programme_code")
    base = base.sort_values("programme_code", kind="mergesort").reset_index(drop=True)
    cols = [Column("programme_code", L.col("programme_code", lang)), Column("programme", L.col("programme", lang))]
    for s in scen:
        m = qp.loc[qp["scenario"] == s].set_index("programme_code")["quota"]
        key = f"q_{s}"
        base[key] = [float(m.get(c, float("nan"))) for c in base["programme_code"]]
        cols.append(Column(key, s, 0, "quota", (("scenario", s),), total=True))
    return table(base, cols, caption=t("quota_scen_caption", lang, A=A1), lang=lang, src="quotas_programmes.csv",
                 row_where=["programme_code"], total_label=L.text("total", lang))


def departments(qc) -> list[str]:
    """Department names in order (sorted; the empty name last); ``[]`` when the column is absent."""
    if "department" not in qc.columns:
        return []
    names = sorted({str(d) for d in qc["department"]})
    return [d for d in names if d] + ([""] if "" in names else [])


def _college_blocks(run: RunOutput, S: str, lang: str) -> str:
    qc = run.quotas_colleges
    part = qc.loc[qc["scenario"] == S].copy()
    names = run.quotas_programmes.drop_duplicates("programme_code").set_index("programme_code")["programme"]
    part["programme"] = [names.get(c, "") for c in part["programme_code"]]
    part = part.sort_values(["college_code", "programme_code"], kind="mergesort")
    cols = [Column("college_code", L.col("college_code", lang)),
            Column("college", L.col("college", lang)),
            Column("programme_code", L.col("programme_code", lang)),
            Column("programme", L.col("programme", lang)),
            Column("capacity", L.col("capacity", lang), 0, "capacity", total=True),
            Column("target", L.col("target", lang), 1, "target", total=True),
            Column("quota", L.col("quota", lang), 0, "quota", total=True),
            Column("last_quota", L.col("last_quota", lang), 0, "last_quota", total=True),
            Column("deficit", L.col("deficit", lang), 0, "deficit", total=True)]
    out = []
    depts = departments(qc)
    if not depts:
        label = t("one_department", lang)
        out.append(f"<h3>{esc(label)}</h3>")
        out.append(table(part, cols, caption=t("college_caption", lang, D=label, S=S), lang=lang,
                         src="quotas_colleges.csv", table_where={"scenario": S},
                         row_where=["programme_code", "college_code"], total_label=L.text("total", lang)))
        return "\n".join(out)
    # totals by department first, then one table per department with its subtotal
    sums = []
    for d in depts:
        p = part.loc[part["department"] == d]
        sums.append({"department": d or t("no_department", lang), "_d": d,
                     **{k: p[k].sum() for k in ("capacity", "quota", "last_quota", "deficit")}})
    sums = pd.DataFrame(sums)
    dcols = [Column("department", t("dept_col", lang))]
    dcols += [Column(k, L.col(k, lang), 0, k, total=True) for k in ("capacity", "quota", "last_quota", "deficit")]
    out.append(table(sums, dcols, caption=t("dept_totals", lang, S=S), lang=lang,
                     src="quotas_colleges.csv", table_where={"scenario": S}, row_where=[("department", "_d")],
                     total_label=L.text("total", lang), css="dept-totals"))
    for d in depts:
        label = d or t("no_department", lang)
        out.append(f"<h3>{esc(t('department', lang, D=label))}</h3>")
        out.append(table(part.loc[part["department"] == d], cols,
                         caption=t("college_caption", lang, D=label, S=S), lang=lang,
                         src="quotas_colleges.csv", table_where={"scenario": S, "department": d},
                         row_where=["programme_code", "college_code"], total_label=t("subtotal", lang)))
    return "\n".join(out)


def _generic_table(frame, src: str, caption: str, lang: str, skip: tuple[str, ...] = ()) -> str:
    """Any table of the output folder as it is: text columns as text, numbers with their source."""
    from forecast.publish.read import TEXT_COLUMNS

    frame = frame.copy()
    cols = []
    for c in frame.columns:
        if c in skip:
            continue
        if frame[c].map(lambda v: (isinstance(v, str) and v == "") or bool(pd.isna(v))).all():
            continue  # a column empty in every shown row says nothing
        if pd.api.types.is_bool_dtype(frame[c]):  # flags (in_80): yes/no, empty where unknown
            frame[c] = frame[c].astype(object).where(frame[c].notna(), "")
        if frame[c].dtype == object:
            frame[c] = frame[c].map(lambda v: L.value(v, lang))  # True/False → да/нет
        if c == "level":
            frame[c] = frame[c].map(lambda v: t(f"level_{v}", lang) if f"level_{v}" in SITE else v)
        numeric = c not in TEXT_COLUMNS and pd.api.types.is_float_dtype(frame[c])
        digits = None
        if numeric:
            vals = frame[c].dropna()
            digits = 0 if len(vals) == 0 or (vals == vals.round()).all() else 2
        cols.append(Column(c, L.col(c, lang), digits, c if numeric else None,
                           group=not (c == "year" or c.endswith("_year"))))
    return table(frame, cols, caption=caption, lang=lang, src=src, row_index=True)


# --------------------------------------------------------------------------- methodology
def methodology_body(run: RunOutput, lines: list[tuple[str, str]]) -> str:
    lang = run.language
    parts = []
    for style, text in lines:
        if style == "h1":
            parts.append(f"<h1>{esc(text)}</h1>")
        elif style == "h2":
            parts.append(f"<h2>{esc(text)}</h2>")
        elif style == "f":
            parts.append(f'<p class="formula"><code>{esc(text)}</code></p>')
        else:
            parts.append(f"<p>{esc(text)}</p>")
    ev = run.evaluation
    if ev is not None and len(ev):
        parts.append(f'<h2 id="evaluation">{esc(t("evaluation", lang))}</h2>')
        if "kind" in ev.columns and (ev["kind"] == "summary").any():
            # the summary rows here; the row-by-row detail is evaluation.csv on the Data page
            summary = ev.loc[ev["kind"] == "summary"]
            parts.append(_generic_table(summary, "evaluation.csv", t("evaluation_caption", lang), lang,
                                        skip=("kind",)))
            parts.append(f'<p>{esc(t("evaluation_detail", lang))} <a href="data/evaluation.csv">evaluation.csv</a></p>')
        else:
            parts.append(_generic_table(ev, "evaluation.csv", t("evaluation_caption", lang), lang))
    return "\n".join(parts)


__all__ = ["index_body", "demand_body", "quotas_body", "methodology_body", "primary_scenario",
           "scenario_list", "departments", "N_TOP"]
