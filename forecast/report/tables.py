"""The tables shown on the workbook's sheets, built from a run's frames (pure pandas).

Kept apart from the openpyxl formatting so that each table can be tested against the CSV
files it summarises. Scenarios are in the domain's one order
(:func:`forecast.params.scenario_order`: base, conservative, target, then by name); the first
one is the *primary* scenario, shown by default (the other rows are filtered out in the workbook).

Choices (the contract is silent):

* The demand sheets are wide: one row per scenario × entity, with the employment of year T
  (survey) and of the last year (with its 80% interval), demand per forecast year, the
  period's total and its split into expansion, replacement and the vacancy term. The full
  year-by-year detail with intervals is ``demand.csv``.
* Rows are sorted by scenario, then by the period's demand (largest first), then by codes.

Examples
--------
>>> scenario_order(["target", "conservative", "base"])
['base', 'conservative', 'target']
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecast.params import scenario_order
from forecast.report import labels as L

_ID_COLUMNS = {
    "profession": ["profession_code", "profession", "education"],
    "section": ["okved_section"],
    "cell": ["okved_section", "profession_code", "profession", "education"],
}


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str)


def demand_wide(demand: pd.DataFrame, level: str, survey_year: int, lang: str = "ru",
                band: int = 80) -> tuple[pd.DataFrame, list[str]]:
    """The wide demand table of one hierarchy ``level`` (profession, section or cell).

    Returns the frame and the list of its year columns (``demand_<year>``). Columns:
    scenario, the level's ids (+ section_name), employment_T, employment_last,
    employment_lo_<band>, employment_hi_<band> (of the last year), demand_<year>…,
    demand_total, expansion_total, replacement_total, vacancies_total.
    """
    ids = _ID_COLUMNS[level]
    d = demand.loc[demand["level"] == level].copy()
    for c in ["scenario", *ids]:
        d[c] = _text(d[c])
    T = int(survey_year)
    years = sorted(int(y) for y in d["year"].unique() if int(y) > T)
    last = years[-1] if years else T
    keys = ["scenario", *ids]
    base = d.loc[:, keys].drop_duplicates().reset_index(drop=True)

    def at(year, cols):
        part = d.loc[d["year"] == year, keys + cols]
        return base.merge(part, on=keys, how="left")[cols]

    out = base.copy()
    if level in ("section", "cell"):
        out.insert(keys.index("okved_section") + 1, "section_name",
                   [L.section_name(c, lang) for c in out["okved_section"]])
    out["employment_T"] = at(T, ["employment"])["employment"].to_numpy()
    lo, hi = f"employment_lo_{band}", f"employment_hi_{band}"
    lastv = at(last, ["employment", lo, hi])
    out["employment_last"] = lastv["employment"].to_numpy()
    out[lo] = lastv[lo].to_numpy()
    out[hi] = lastv[hi].to_numpy()
    fut = d.loc[d["year"] > T]
    year_cols = []
    if len(years):
        wide = fut.pivot_table(index=keys, columns="year", values="demand", aggfunc="sum", dropna=False)
        wide = base.merge(wide.reset_index(), on=keys, how="left")
        for y in years:
            name = f"demand_{y}"
            out[name] = wide[y].to_numpy(dtype=float)
            year_cols.append(name)
    sums = fut.groupby(keys, sort=False)[["demand", "expansion", "replacement", "vacancies"]].sum()
    sums = base.merge(sums.reset_index(), on=keys, how="left")
    out["demand_total"] = sums["demand"].to_numpy(dtype=float)
    out["expansion_total"] = sums["expansion"].to_numpy(dtype=float)
    out["replacement_total"] = sums["replacement"].to_numpy(dtype=float)
    out["vacancies_total"] = sums["vacancies"].to_numpy(dtype=float)
    rank = {s: i for i, s in enumerate(scenario_order(out["scenario"]))}
    out["_s"] = out["scenario"].map(rank)
    out["_d"] = -out["demand_total"].fillna(0.0)
    out = out.sort_values(["_s", "_d", *ids], kind="mergesort").drop(columns=["_s", "_d"])
    return out.reset_index(drop=True), year_cols


def totals_by_year(demand: pd.DataFrame, band: int = 80) -> pd.DataFrame:
    """Regional totals (level ``total``) per scenario and year, base first; interval
    bounds at level ``band``."""
    cols = ["scenario", "year", "employment", f"employment_lo_{band}", f"employment_hi_{band}",
            "expansion", "replacement", "vacancies", "demand", f"demand_lo_{band}", f"demand_hi_{band}"]
    t = demand.loc[demand["level"] == "total", cols].copy()
    t["scenario"] = _text(t["scenario"])
    rank = {s: i for i, s in enumerate(scenario_order(t["scenario"]))}
    t["_s"] = t["scenario"].map(rank)
    return t.sort_values(["_s", "year"], kind="mergesort").drop(columns="_s").reset_index(drop=True)


def top_professions(demand: pd.DataFrame, survey_year: int, scenario: str, n: int = 20) -> pd.DataFrame:
    """The ``n`` professions (all education levels together) with the largest demand over the horizon."""
    d = demand.loc[(demand["level"] == "profession") & (_text(demand["scenario"]) == scenario)
                   & (demand["year"] > survey_year)].copy()
    d["profession_code"] = _text(d["profession_code"])
    d["profession"] = _text(d["profession"])
    g = d.groupby(["profession_code"], sort=True).agg(
        profession=("profession", "first"), demand=("demand", "sum"),
        expansion=("expansion", "sum"), replacement=("replacement", "sum"),
        vacancies=("vacancies", "sum")).reset_index()
    emp = demand.loc[(demand["level"] == "profession") & (_text(demand["scenario"]) == scenario)
                     & (demand["year"] == survey_year)].copy()
    emp["profession_code"] = _text(emp["profession_code"])
    e = emp.groupby("profession_code")["employment"].sum()
    g.insert(2, "employment_T", g["profession_code"].map(e).to_numpy())
    g = g.sort_values(["demand", "profession_code"], ascending=[False, True], kind="mergesort")
    return g.head(n).reset_index(drop=True)


def issue_counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Counts of data issues by source, severity and code."""
    if issues is None or not len(issues):
        return pd.DataFrame({"source": [], "severity": [], "code": [], "count": []})
    g = issues.assign(**{c: _text(issues[c]) for c in ("source", "severity", "code")})
    g = g.groupby(["source", "severity", "code"], sort=True).size().rename("count").reset_index()
    return g


def all_issues(survey_issues: pd.DataFrame | None, skipped: list[dict] | None,
               quota_issues: pd.DataFrame | None, lang: str = "ru",
               survey_messages: pd.Series | None = None) -> pd.DataFrame:
    """Every data issue in one table: source, file, sheet, row, column, value, severity, code, message.

    Messages and severities are in ``lang``; codes stay as they are. ``survey_messages``: the
    survey issues' messages in ``lang`` (``SurveyData.messages(lang)``; None: the frame's own,
    English); skipped files give ``reason_ru`` and quota issues ``message_ru`` for Russian.
    """
    cols = ["source", "file", "sheet", "row", "column", "value", "severity", "code", "message"]
    parts = []
    if survey_issues is not None and len(survey_issues):
        s = survey_issues.copy()
        if survey_messages is not None:
            s["message"] = list(survey_messages)
        s.insert(0, "source", L.text("survey_src", lang))
        parts.append(s.reindex(columns=cols))
    if skipped:
        reason = "reason_ru" if lang == "ru" else "reason"
        parts.append(pd.DataFrame({
            "source": L.text("survey_src", lang), "file": [x.get("file") for x in skipped],
            "severity": "info", "code": "SKIPPED",
            "message": [x.get(reason) or x.get("reason") for x in skipped]}).reindex(columns=cols))
    if quota_issues is not None and len(quota_issues):
        q = quota_issues.copy()
        if "file" not in q.columns and "table" in q.columns:
            q["file"] = q["table"]
        if "severity" not in q.columns:
            q["severity"] = "warning"
        if lang == "ru" and "message_ru" in q.columns:
            q["message"] = q["message_ru"].where(q["message_ru"].notna(), q["message"])
        q.insert(0, "source", L.text("quotas_src", lang))
        parts.append(q.reindex(columns=cols))
    if not parts:
        return pd.DataFrame({c: [] for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out["severity"] = out["severity"].map(lambda v: L.severity(v, lang))
    return out


def quota_programmes_table(qp: pd.DataFrame, programmes: pd.DataFrame | None,
                           coverage_share: float, default_employment_rate: float) -> pd.DataFrame:
    """``quotas_programmes`` with what a reader needs to recompute: L, c, e, A_raw, change."""
    q = qp.copy()
    q["programme_code"] = _text(q["programme_code"])
    dur = pd.Series(dtype=float)
    rate = pd.Series(dtype=float)
    if programmes is not None and len(programmes):
        p = programmes.copy()
        p["code"] = _text(p["code"]).str.strip()
        dur = pd.Series(pd.to_numeric(p["duration_months"], errors="coerce").to_numpy(), index=p["code"])
        rate = pd.Series(pd.to_numeric(p.get("employment_rate"), errors="coerce").to_numpy(), index=p["code"])
        dur = dur[~dur.index.duplicated()]
        rate = rate[~rate.index.duplicated()]
    q.insert(q.columns.get_loc("admission_year"), "duration_months", q["programme_code"].map(dur).to_numpy())
    pos = q.columns.get_loc("graduates_needed")
    q.insert(pos, "coverage_share", float(coverage_share))
    e = q["programme_code"].map(rate).astype(float).fillna(float(default_employment_rate))
    q.insert(pos + 1, "employment_rate", e.to_numpy())
    d = q["dropout"].astype(float)
    q.insert(q.columns.get_loc("quota_needed"), "quota_raw",
             np.where(d < 1, q["gap"].astype(float) / (1 - d), np.nan))
    q["change"] = q["quota"].astype(float) - q["last_quota"].astype(float)
    return q


def quota_chain(demand_by_year: pd.DataFrame | None, qp: pd.DataFrame, survey_year: int) -> pd.DataFrame:
    """The year-by-year chain per scenario × programme up to the graduation year.

    Columns: scenario, programme_code, year, demand, graduates_needed, pipeline_year (P[s,t]),
    carry (S[s,t] = max(0, S[s,t−1] + P[s,t] − G[s,t]); shown for t < g, as in §4).
    """
    cols = ["scenario", "programme_code", "year", "demand", "graduates_needed", "pipeline_year", "carry"]
    if demand_by_year is None or not len(demand_by_year):
        return pd.DataFrame({c: [] for c in cols})
    c = demand_by_year.copy()
    c["scenario"] = _text(c["scenario"])
    c["programme_code"] = _text(c["programme_code"])
    c = c.rename(columns={"pipeline": "pipeline_year"})
    grad = qp.assign(scenario=_text(qp["scenario"]), programme_code=_text(qp["programme_code"]))
    grad = grad.set_index(["scenario", "programme_code"])["graduation_year"]
    g = pd.Series([grad.get((s, p), np.nan) for s, p in zip(c["scenario"], c["programme_code"])],
                  index=c.index, dtype=float)
    c = c.loc[(c["year"] > survey_year) & (c["year"] <= g)]
    rank = {s: i for i, s in enumerate(scenario_order(c["scenario"]))}
    c = c.assign(_s=c["scenario"].map(rank)).sort_values(["_s", "programme_code", "year"], kind="mergesort")
    carry = np.full(len(c), np.nan)
    s_prev, key_prev = 0.0, None
    gv = np.array([grad.get((s, p), np.nan) for s, p in zip(c["scenario"], c["programme_code"])], dtype=float)
    for i, (key, year, P, G) in enumerate(zip(zip(c["scenario"], c["programme_code"]), c["year"],
                                              c["pipeline_year"].astype(float), c["graduates_needed"].astype(float))):
        if key != key_prev:
            s_prev, key_prev = 0.0, key
        if year < gv[i]:
            s_prev = max(0.0, s_prev + P - G)
            carry[i] = s_prev
    c["carry"] = carry
    return c.drop(columns="_s").reindex(columns=cols).reset_index(drop=True)


def quota_colleges_table(qc: pd.DataFrame) -> pd.DataFrame:
    """``quotas_colleges`` with the change against last year's quota."""
    q = qc.copy()
    q["change"] = q["quota"].astype(float) - q["last_quota"].astype(float)
    return q


#: quotas_colleges columns summed in a department's subtotal (deficit repeats the
#: programme's on each college row, so it is not summed)
DEPARTMENT_SUM_COLUMNS: tuple[str, ...] = ("capacity", "target", "quota", "last_quota", "change")


def quota_colleges_by_department(qc: pd.DataFrame, programme_names: pd.Series | None = None,
                                 subtotal_label: str = "Итого: {D}",
                                 no_department: str = "—") -> pd.DataFrame:
    """``quotas_colleges`` grouped by department: per scenario, each department's college rows
    (by programme_code, college_code) followed by its subtotal row.

    Columns: those of :func:`quota_colleges_table`, ``programme``, ``department`` (the label
    shown; empty department → ``no_department``) and ``row_kind`` (``college`` or
    ``subtotal``). A subtotal row sums :data:`DEPARTMENT_SUM_COLUMNS` over its department's
    college rows and names the department in ``college``. Departments come in text order
    (the empty one last), scenarios in :func:`scenario_order`.
    """
    q = quota_colleges_table(qc)
    q["scenario"] = _text(q["scenario"])
    dept = _text(q["department"]) if "department" in q.columns else pd.Series("", index=q.index)
    q["department"] = dept.str.strip()
    names = programme_names if programme_names is not None else pd.Series(dtype=object)
    q["programme"] = q["programme_code"].map(names)
    rank = {sc: i for i, sc in enumerate(scenario_order(q["scenario"]))}
    q = q.assign(_s=q["scenario"].map(rank), _e=(q["department"] == "").astype(int))
    q = q.sort_values(["_s", "_e", "department", "programme_code", "college_code"],
                      kind="mergesort")
    parts = []
    for (_, _, d), g in q.groupby(["_s", "_e", "department"], sort=True):
        label = d or no_department
        rows = g.drop(columns=["_s", "_e"]).assign(department=label, row_kind="college")
        sub = {c: float(rows[c].astype(float).sum()) for c in DEPARTMENT_SUM_COLUMNS}
        sub.update(scenario=rows["scenario"].iloc[0], department=label, row_kind="subtotal",
                   college=subtotal_label.format(D=label))
        parts += [rows, pd.DataFrame([sub])]
    if not parts:
        return q.drop(columns=["_s", "_e"]).assign(row_kind=pd.Series(dtype=object))
    return pd.concat(parts, ignore_index=True)


def department_table(qc: pd.DataFrame, scenario: str, department: str,
                     programme_names: pd.Series | None = None) -> pd.DataFrame:
    """One department's colleges and quotas of ``scenario`` (the table of its order):
    college_code, college, programme_code, programme, capacity, quota, last_quota, change,
    sorted by college and programme. ``department`` '' selects colleges without one."""
    q = quota_colleges_table(qc)
    dept = (_text(q["department"]).str.strip() if "department" in q.columns
            else pd.Series("", index=q.index))
    q = q[(_text(q["scenario"]) == str(scenario)) & (dept == department)
          & (_text(q["college_code"]) != "")]
    names = programme_names if programme_names is not None else pd.Series(dtype=object)
    q = q.assign(programme=q["programme_code"].map(names))
    return q.sort_values(["college_code", "programme_code"], kind="mergesort").reset_index(drop=True)


def finite_or_none(v):
    """A float for the workbook, None for NaN."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


__all__ = ["scenario_order", "demand_wide", "totals_by_year", "top_professions", "issue_counts",
           "all_issues", "quota_programmes_table", "quota_chain", "quota_colleges_table",
           "quota_colleges_by_department", "department_table", "DEPARTMENT_SUM_COLUMNS"]
