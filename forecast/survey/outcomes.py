"""Row outcomes (accepted / merged / superseded / rejected), totals rows and plausibility.

Works on the parsed frame of :func:`forecast.survey.rows.validate_rows` for the whole batch.
Order of decisions, as survey-format.md reads:

1. plausibility warnings on each non-rejected row as read (W_NEED_IMPLAUSIBLE,
   W_VACANCIES_GT_HEADCOUNT); totals rows checked against the non-rejected rows of their
   segment (W_TOTAL_MISMATCH, one per differing column);
2. supersession: an employer (survey_year, inn) in more than one file — the latest
   submission (greatest submitted_at, dated beats undated, then the later path in
   code-point order, also for paths given one by one) wins; the
   non-rejected rows of the others are superseded (one W_SUPERSEDED per earlier file and
   employer). A submission is the rows of one file with a valid survey year and ИНН,
   rejected ones included;
3. merging within the winning submission: later rows with the same (survey_year, inn,
   profession_code, education) are added into the first (W_MERGED on the later row);
   ``age_55plus`` sums the reported values (NaN only when none is reported);
4. W_JUMP on the merged frame: the headcount of a key (inn, profession_code, education)
   over 5× or under 1/5 of the previous loaded wave's (the greatest loaded survey year
   before it) and at least 10 persons away from it;
5. W_THIN_WAVE: a wave with fewer than a fifth of the previous loaded wave's respondents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.columns import NEED_COLUMNS
from forecast.params import (JUMP_FACTOR, JUMP_MIN_CHANGE, NEED_IMPLAUSIBLE_FACTOR,
                             NEED_IMPLAUSIBLE_OFFSET, THIN_WAVE_SHARE)
from forecast.survey.rows import cell_text, parse_numbers
from forecast.survey.schema import SUM_KEYS, TOTAL_KEYS, Detail, messages

KEY = ["survey_year", "inn", "profession_code", "education"]


def _issue(row: pd.Series | dict, column, value, code: str, detail="", row_no="row") -> dict:
    return {"_file_idx": int(row["file_idx"]), "file": row["file"], "sheet": row["sheet"],
            "row": None if row_no is None else int(row[row_no]), "column": column,
            "value": value, "code": code, **messages(code, detail)}


def plausibility(rows: pd.DataFrame) -> list[dict]:
    ok = rows[~rows["rejected"]]
    out = []
    hc = ok["headcount"]
    imp = ok[ok["need_1"] > NEED_IMPLAUSIBLE_FACTOR * hc + NEED_IMPLAUSIBLE_OFFSET]
    for _, r in imp.iterrows():
        out.append(_issue(r, "need_1", r["text_need_1"], "W_NEED_IMPLAUSIBLE",
                          Detail.of("need_vs_headcount", need=r["need_1"], headcount=r["headcount"])))
    vac = ok[ok["vacancies"] > hc]
    for _, r in vac.iterrows():
        out.append(_issue(r, "vacancies", r["text_vacancies"], "W_VACANCIES_GT_HEADCOUNT",
                          f"{r['vacancies']:.0f} > {r['headcount']:.0f}"))
    return out


def check_totals(rows: pd.DataFrame, totals: list[tuple[int, int, str, str | None, int, int, dict]]) -> list[dict]:
    """``totals``: (part, file_idx, file, sheet, row, segment, {key: cell}) of each totals row."""
    if not totals:
        return []
    ok = rows[~rows["rejected"]]
    sums = ok.groupby(["part", "segment"])[list(TOTAL_KEYS)].sum()
    out = []
    for part, fidx, fname, sheet, rown, seg, cells in totals:
        have = sums.loc[(part, seg)] if (part, seg) in sums.index else None
        keys = [k for k in TOTAL_KEYS if k in cells and cell_text(cells[k]) != ""]
        if not keys:
            continue
        raw = pd.Series([cells[k] for k in keys], index=keys, dtype=object)
        vals = parse_numbers(raw, raw.map(cell_text))
        for k in keys:
            v = vals[k]
            expect = 0.0 if have is None else float(have[k])
            if np.isnan(v) or abs(v - expect) > 1e-6:
                out.append({"_file_idx": fidx, "file": fname, "sheet": sheet, "row": rown,
                            "column": k, "value": cell_text(cells[k]), "code": "W_TOTAL_MISMATCH",
                            **messages("W_TOTAL_MISMATCH",
                                       Detail.of("total_mismatch", value=cell_text(cells[k]),
                                                 expect=expect))})
    return out


def supersede(rows: pd.DataFrame) -> tuple[np.ndarray, list[dict]]:
    """Boolean mask of superseded rows and the W_SUPERSEDED issues."""
    n = len(rows)
    mask = np.zeros(n, dtype=bool)
    valid = rows["survey_year"].notna() & rows["inn"].str.fullmatch(r"\d{10}|\d{12}").fillna(False)
    sub = rows[valid]
    if sub.empty:
        return mask, []
    g = sub.groupby(["survey_year", "inn", "file_idx"], sort=True).agg(
        submitted=("submitted_at", "max"), file=("file", "first"), sheet=("sheet", "first"))
    g = g.reset_index()
    nfiles = g.groupby(["survey_year", "inn"])["file_idx"].transform("size")
    g = g[nfiles > 1]
    if g.empty:
        return mask, []
    g = g.assign(dated=g["submitted"].notna(),
                 sub_key=g["submitted"].fillna(pd.Timestamp(1900, 1, 1)))
    # ties go to the later path in code-point order, whatever order the paths were given in
    # (a shell glob sorts by locale, "a.xlsx" before "B.xlsx"; the contract's order is the
    # reverse); within one folder this is the order of the relative paths
    g = g.sort_values(["survey_year", "inn", "dated", "sub_key", "file", "file_idx"])
    winner = g.groupby(["survey_year", "inn"]).tail(1).set_index(["survey_year", "inn"])
    losers = g.drop(g.groupby(["survey_year", "inn"]).tail(1).index)
    issues = []
    lose_keys = set()
    for _, r in losers.iterrows():
        w = winner.loc[(r["survey_year"], r["inn"])]
        lose_keys.add((r["survey_year"], r["inn"], r["file_idx"]))
        issues.append({"_file_idx": int(r["file_idx"]), "file": r["file"], "sheet": r["sheet"], "row": None,
                       "column": None, "value": None, "code": "W_SUPERSEDED",
                       **messages("W_SUPERSEDED",
                                  Detail.of("superseded", inn=r["inn"], year=int(r["survey_year"]),
                                            file=w["file"]))})
    keys = list(zip(rows["survey_year"], rows["inn"], rows["file_idx"]))
    mask = np.array([k in lose_keys for k in keys], dtype=bool) & ~rows["rejected"].to_numpy()
    return mask, issues


def merge(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, list[dict]]:
    """Merge duplicate keys among ``rows`` (all live); return frame, merged mask, issues."""
    dup = rows.duplicated(KEY, keep="first").to_numpy()
    if not dup.any():
        return rows, dup, []
    first_row = rows.groupby(KEY, sort=False)["row"].transform("first")
    issues = [_issue(r, None, None, "W_MERGED", int(fr))
              for (_, r), fr in zip(rows[dup].iterrows(), first_row[dup])]
    g = rows.groupby(KEY, sort=False)
    firsts = rows[~dup].copy()
    summed = g[[k for k in SUM_KEYS if k != "age_55plus"]].sum()
    age = g["age_55plus"].sum(min_count=1)
    idx = pd.MultiIndex.from_frame(firsts[KEY])
    for k in summed.columns:
        firsts[k] = summed[k].reindex(idx).to_numpy()
    firsts["age_55plus"] = age.reindex(idx).to_numpy()
    return firsts, dup, issues


def jumps(frame: pd.DataFrame) -> list[dict]:
    """W_JUMP: a key (inn, profession_code, education) whose headcount is over 5× (or under
    1/5 of) the previous loaded wave's and differs from it by at least JUMP_MIN_CHANGE."""
    years = sorted(frame["survey_year"].unique())
    if len(years) < 2:
        return []
    prev_of = {y: p for p, y in zip(years[:-1], years[1:])}
    keys = ["inn", "profession_code", "education"]
    g = frame[["survey_year", *keys, "headcount", "file_idx", "file", "sheet", "row"]].copy()
    prev = g[["survey_year", *keys, "headcount"]].rename(
        columns={"headcount": "prev", "survey_year": "prev_year"})
    g["prev_year"] = g["survey_year"].map(prev_of)
    m = g.merge(prev, on=["prev_year", *keys], how="inner")
    big = (m["headcount"] > JUMP_FACTOR * m["prev"]) | (m["headcount"] < m["prev"] / JUMP_FACTOR)
    hit = m[big & ((m["headcount"] - m["prev"]).abs() >= JUMP_MIN_CHANGE)]
    return [_issue(r, "headcount", f"{r['headcount']:.0f}", "W_JUMP",
                   Detail.of("jump", profession=r["profession_code"], education=r["education"],
                             prev=r["prev"], prev_year=int(r["prev_year"]), now=r["headcount"],
                             factor=JUMP_FACTOR, min_change=JUMP_MIN_CHANGE))
            for _, r in hit.iterrows()]


def thin_waves(frame: pd.DataFrame) -> list[dict]:
    """W_THIN_WAVE (file and row null): a wave with fewer than THIN_WAVE_SHARE of the
    previous loaded wave's respondents (employers with accepted rows)."""
    counts = frame.groupby("survey_year")["inn"].nunique().sort_index()
    out = []
    for (p, n_p), (y, n_y) in zip(list(counts.items())[:-1], list(counts.items())[1:]):
        if n_y < THIN_WAVE_SHARE * n_p:
            out.append({"_file_idx": -1, "file": None, "sheet": None, "row": None,
                        "column": "survey_year", "value": str(int(y)), "code": "W_THIN_WAVE",
                        **messages("W_THIN_WAVE",
                                   Detail.of("thin_wave", year=int(y), n=int(n_y), share=THIN_WAVE_SHARE,
                                             prev_year=int(p), n_prev=int(n_p)))})
    return out


__all__ = ["plausibility", "check_totals", "supersede", "merge", "jumps", "thin_waves", "KEY",
           "NEED_COLUMNS"]
