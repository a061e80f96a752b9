"""Requirements for updating programmes (methodology.md §9): ``programme_signals.csv``.

From the quota stage's result and the survey rows, per scenario, the signals

* ``NO_PROGRAMME`` — a profession × СПО level with positive demand over T+1 … T+H and no
  programme of that level in the mapping (the quota stage's unmapped demand of reason
  ``no_programme``; value: that demand summed over T+1 … T+H; threshold empty);
* ``CAPACITY_DEFICIT`` — a programme whose quota exceeds its colleges' total capacity (value:
  the deficit of §6; threshold: the total capacity, 0 for a programme without a college);
* ``BELOW_MIN_GROUP`` — 0 < quota_needed < ``quotas.min_group`` (value: quota_needed;
  threshold: min_group);
* ``GROWING`` / ``DECLINING`` — the mapped demand of the programme (§7's ``demand``) changes
  from T+1 to T+H by more than ``quotas.signal_change``: value (D[T+H] − D[T+1]) / D[T+1];
  D[T+1] = 0 < D[T+H] is GROWING with an empty value;
* ``NEW_PROFESSION`` — a profession code (all levels together) whose first accepted survey
  row is in wave T or T−1 and whose weighted headcount in wave T (Σ headcount·weight, as the
  panel weighs) is at least ``quotas.signal_min_headcount``; repeated under every scenario.

Choices where the contract is silent: T+H is the scenario's last forecast year; rows are
sorted by scenario (text order, as the quota tables), then signal in the order above, then
programme_code, profession_code, education. ``message`` is in the run's language (ru or en)
and gives the numbers (places and people rounded to whole numbers, changes in per cent).
A region whose survey has only waves T and T−1 has every profession "new": the rule is
applied as written, and the message says since which wave the profession is seen.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"survey_year": [2024, 2026, 2026, 2025, 2026],
...                      "profession_code": ["1", "1", "2", "3", "3"],
...                      "profession": ["A", "A", "B", "C", "C"], "headcount": [5, 30, 25, 9, 9],
...                      "weight": [1.0, 1.0, 1.0, 2.0, 2.0]})
>>> # 1 is seen since 2024; 2 is new in T; 3 is new in T−1 but 18 < 20
>>> new_professions(rows, 2026, min_headcount=20)[["profession_code", "first_year", "headcount"]].values.tolist()
[['2', 2026, 25.0]]
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from forecast.columns import PROGRAMME_SIGNALS_COLUMNS
from forecast.params import QuotaParams

#: signal codes in the order of methodology.md §9 (and of the rows)
SIGNALS: tuple[str, ...] = (
    "NO_PROGRAMME", "CAPACITY_DEFICIT", "BELOW_MIN_GROUP", "GROWING", "DECLINING",
    "NEW_PROFESSION",
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "NO_PROGRAMME": (
        "Потребность {A}–{B} в профессии {p} ({l}) — {v} чел., но в перечне соответствия "
        "нет программы уровня {l}: открыть программу или добавить её в перечень",
        "Demand {A}–{B} for profession {p} ({l}) is {v} people, but the mapping has no "
        "programme of level {l}: open one or add it to the mapping",
    ),
    "CAPACITY_DEFICIT": (
        "КЦП программы {s} — {q} мест, а мощность организаций — {t} мест: не хватает {v} "
        "мест (расширить мощность или лицензировать другие организации)",
        "Programme {s}: the quota is {q} places but the colleges' capacity is {t}: {v} "
        "places short (widen capacity or license other colleges)",
    ),
    "BELOW_MIN_GROUP": (
        "Расчётная КЦП программы {s} — {v} мест, меньше минимальной группы {t}: объединить "
        "группы, вести программу совместно с другой организацией или не набирать",
        "Programme {s}: the quota needed is {v} places, below the minimum group of {t}: "
        "merge groups, share with another college, or drop the intake",
    ),
    "GROWING": (
        "Потребность по программе {s} растёт: {a} чел. в {A} → {b} чел. в {B} ({v}, порог "
        "±{t}): расширить набор, обновить программу",
        "Demand for programme {s} grows: {a} in {A} → {b} in {B} ({v}, threshold ±{t}): "
        "widen the intake, update the programme",
    ),
    "DECLINING": (
        "Потребность по программе {s} снижается: {a} чел. в {A} → {b} чел. в {B} ({v}, порог "
        "±{t}): сократить набор или перепрофилировать программу",
        "Demand for programme {s} declines: {a} in {A} → {b} in {B} ({v}, threshold ±{t}): "
        "narrow the intake or re-profile the programme",
    ),
    "NEW_PROFESSION": (
        "Профессия {p} впервые встречается в обследовании {y} года, в {T} году — {v} чел. "
        "(порог {t}): программам, возможно, нужно ей учить",
        "Profession {p} first appears in the {y} survey and counts {v} people in {T} "
        "(threshold {t}): programmes may need to teach it",
    ),
}
_GROWING_FROM_ZERO: tuple[str, str] = (
    "Потребность по программе {s} появляется: 0 чел. в {A} → {b} чел. в {B}: открыть или "
    "расширить набор",
    "Demand for programme {s} appears: 0 in {A} → {b} in {B}: open or widen the intake",
)


def _n(v: float) -> str:
    """A count for a message: whole number, thin grouping."""
    return f"{v:,.0f}".replace(",", " ")


def _pct(v: float) -> str:
    return f"{v * 100:+.0f}%"


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def new_professions(survey_rows: pd.DataFrame | None, survey_year: int,
                    min_headcount: float) -> pd.DataFrame:
    """Professions first seen in wave T or T−1 with weighted headcount ≥ min in wave T.

    Columns: profession_code, profession, first_year, headcount (sorted by code).
    """
    cols = ["profession_code", "profession", "first_year", "headcount"]
    if survey_rows is None or not len(survey_rows):
        return pd.DataFrame({c: [] for c in cols})
    f = survey_rows
    code = f["profession_code"].astype(str).str.strip()
    year = pd.to_numeric(f["survey_year"], errors="coerce").astype("Int64")
    w = (pd.to_numeric(f["weight"], errors="coerce").fillna(1.0) if "weight" in f.columns
         else pd.Series(1.0, index=f.index))
    head = pd.to_numeric(f["headcount"], errors="coerce").fillna(0.0) * w
    name = (f["profession"].astype(object).where(f["profession"].notna(), "").astype(str)
            if "profession" in f.columns else pd.Series("", index=f.index))
    t = pd.DataFrame({"code": code, "year": year, "head": head, "name": name})
    first = t.groupby("code")["year"].min()
    now = t[t["year"] == survey_year]
    head_T = now.groupby("code")["head"].sum()
    # the name as written in wave T: the most frequent spelling, then text order
    names = (now[now["name"].str.strip() != ""].groupby(["code", "name"]).size()
             .reset_index(name="k").sort_values(["code", "k", "name"], ascending=[True, False, True])
             .drop_duplicates("code").set_index("code")["name"])
    out = pd.DataFrame({"profession_code": head_T.index.astype(str),
                        "headcount": head_T.to_numpy(float)})
    out["first_year"] = out["profession_code"].map(first).astype(int)
    out["profession"] = out["profession_code"].map(names).fillna("")
    keep = (out["first_year"] >= survey_year - 1) & (out["headcount"] >= min_headcount)
    return out.loc[keep, cols].sort_values("profession_code").reset_index(drop=True)


def programme_signals(
    quotas: Any,
    survey_rows: pd.DataFrame | None,
    survey_year: int,
    params: QuotaParams | None = None,
    *,
    demand: pd.DataFrame | None = None,
    language: str = "ru",
) -> pd.DataFrame:
    """The rows of ``programme_signals.csv`` (PROGRAMME_SIGNALS_COLUMNS).

    Parameters
    ----------
    quotas : QuotaResult or None
        :func:`forecast.quotas.derive_quotas_detailed`'s result (None: no quota tables, only
        NEW_PROFESSION can be found).
    survey_rows : DataFrame or None
        The accepted survey rows (survey_year, profession_code, headcount, weight,
        profession).
    survey_year : int
        T.
    params : QuotaParams, optional
        ``min_group``, ``signal_change``, ``signal_min_headcount`` (defaults when None).
    demand : DataFrame, optional
        A demand table, for the profession names of NO_PROGRAMME rows and the scenarios
        when there are no quotas.
    language : {"ru", "en"}
        Of ``message``.
    """
    p = params if params is not None else (getattr(quotas, "params", None) or QuotaParams())
    T = int(survey_year)
    rows: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    if demand is not None and len(demand) and "profession" in demand.columns:
        d = demand[["profession_code", "profession"]].dropna()
        d = d[d["profession"].astype(str).str.strip() != ""]
        names = dict(zip(d["profession_code"].astype(str), d["profession"].astype(str)))
    if quotas is not None and len(quotas.programmes):
        scenarios = sorted(quotas.programmes["scenario"].astype(str).unique())
    elif demand is not None and len(demand) and "scenario" in demand.columns:
        scenarios = sorted(demand["scenario"].dropna().astype(str).unique())
    else:
        scenarios = ["base"]

    def add(sc: str, signal: str, value: float, threshold: float, message: str,
            programme_code: str = "", programme: str = "", profession_code: str = "",
            profession: str = "", education: str = "") -> None:
        rows.append({"scenario": sc, "signal": signal, "programme_code": programme_code,
                     "programme": programme, "profession_code": profession_code,
                     "profession": profession, "education": education, "value": value,
                     "threshold": threshold, "message": message})

    news = new_professions(survey_rows, T, float(p.signal_min_headcount))
    for sc in scenarios:
        if quotas is not None:
            _quota_signals(quotas, sc, T, p, names, language, add)
        for r in news.itertuples(index=False):
            label = f"{r.profession_code} {r.profession}".strip()
            add(sc, "NEW_PROFESSION", float(r.headcount), float(p.signal_min_headcount),
                _pick(_MESSAGES["NEW_PROFESSION"], language).format(
                    p=label, y=int(r.first_year), T=T, v=_n(r.headcount),
                    t=_n(p.signal_min_headcount)),
                profession_code=r.profession_code, profession=r.profession)
    out = pd.DataFrame(rows, columns=list(PROGRAMME_SIGNALS_COLUMNS))
    if len(out):
        rank = {s: i for i, s in enumerate(SIGNALS)}
        out = (out.assign(_r=out["signal"].map(rank))
               .sort_values(["scenario", "_r", "programme_code", "profession_code", "education"],
                            kind="stable")
               .drop(columns="_r").reset_index(drop=True))
    out["value"] = out["value"].astype(float)
    out["threshold"] = out["threshold"].astype(float)
    return out


def _quota_signals(quotas: Any, sc: str, T: int, p: QuotaParams, names: dict[str, str],
                   language: str, add) -> None:
    prog = quotas.programmes[quotas.programmes["scenario"].astype(str) == sc]
    # NO_PROGRAMME: unmapped СПО demand of (profession, level) over T+1 … T+H
    um = quotas.unmapped
    if um is not None and len(um):
        u = um[(um["scenario"].astype(str) == sc) & (um["reason"] == "no_programme")]
        last = int(u["year"].max()) if len(u) else T
        u = u.groupby(["profession_code", "education"], as_index=False)["demand"].sum()
        for r in u[u["demand"] > 0].itertuples(index=False):
            name = names.get(str(r.profession_code), "")
            label = f"{r.profession_code} {name}".strip()
            trend = quotas.trend
            B = (int(trend.loc[trend["scenario"].astype(str) == sc, "last_year"].max())
                 if trend is not None and len(trend) else last)
            add(sc, "NO_PROGRAMME", float(r.demand), math.nan,
                _pick(_MESSAGES["NO_PROGRAMME"], language).format(
                    A=T + 1, B=B, p=label, l=r.education, v=_n(r.demand)),
                profession_code=str(r.profession_code), profession=name,
                education=str(r.education))
    # CAPACITY_DEFICIT: quota above the colleges' total capacity
    col = quotas.colleges
    cap = (col[col["scenario"].astype(str) == sc].groupby("programme_code")["capacity"].sum()
           if len(col) else pd.Series(dtype=float))
    for r in prog.itertuples(index=False):
        total = float(cap.get(r.programme_code, 0.0))
        label = f"{r.programme_code} {r.programme}".strip()
        if int(r.quota) > total:
            add(sc, "CAPACITY_DEFICIT", float(r.deficit), total,
                _pick(_MESSAGES["CAPACITY_DEFICIT"], language).format(
                    s=label, q=_n(r.quota), t=_n(total), v=_n(r.deficit)),
                programme_code=r.programme_code, programme=r.programme, education=r.level)
        if 0 < int(r.quota_needed) < int(p.min_group):
            add(sc, "BELOW_MIN_GROUP", float(r.quota_needed), float(p.min_group),
                _pick(_MESSAGES["BELOW_MIN_GROUP"], language).format(
                    s=label, v=_n(r.quota_needed), t=_n(p.min_group)),
                programme_code=r.programme_code, programme=r.programme, education=r.level)
    # GROWING / DECLINING: mapped demand of T+1 against the last forecast year
    trend = quotas.trend
    if trend is None or not len(trend):
        return
    tr = trend[trend["scenario"].astype(str) == sc].set_index("programme_code")
    for r in prog.itertuples(index=False):
        if r.programme_code not in tr.index:
            continue
        a = float(tr.at[r.programme_code, "demand_first"])
        b = float(tr.at[r.programme_code, "demand_last"])
        B = int(tr.at[r.programme_code, "last_year"])
        label = f"{r.programme_code} {r.programme}".strip()
        th = float(p.signal_change)
        if a <= 0:
            if b > 0:
                add(sc, "GROWING", math.nan, th,
                    _pick(_GROWING_FROM_ZERO, language).format(s=label, A=T + 1, b=_n(b), B=B),
                    programme_code=r.programme_code, programme=r.programme, education=r.level)
            continue
        v = (b - a) / a
        if v > th or v < -th:
            signal = "GROWING" if v > th else "DECLINING"
            add(sc, signal, v, th,
                _pick(_MESSAGES[signal], language).format(
                    s=label, a=_n(a), A=T + 1, b=_n(b), B=B, v=_pct(v), t=f"{th * 100:.0f}%"),
                programme_code=r.programme_code, programme=r.programme, education=r.level)


__all__ = ["programme_signals", "new_professions", "SIGNALS"]
