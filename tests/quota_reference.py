"""Independent reference implementation of methodology.md §4–§7 (measure 13), for tests.

Written from the spec alone, without reading ``forecast.quotas``: plain Python loops over
lists of dicts, no pandas arithmetic, and the allocation of §6 by brute-force enumeration of
every integer allocation, applying the three-level lexicographic rule literally. It is slow
by design and only meant for small instances (a few colleges, quotas of a few dozen).

Readings of the spec taken here (where the text leaves room):

* Scenarios are the distinct ``scenario`` values of the demand table, in text order.
* The last forecast year (§5 error) is the largest ``year`` of the demand table.
* Codes (profession, programme, college) are trimmed everywhere; ``education`` too.
* Largest remainder with "remainders within 1e-9 are equal": places are handed out one at a
  time; each goes to the smallest programme_code among those whose remainder is within 1e-9
  of the largest remainder still waiting.
* Budget rounding distributes exactly B (the §5 total ⌊Σ + 0.5⌋ of numbers summing to B).
* An allocation tie (§6, third level) is broken by comparing allocation vectors ordered by
  college_code text: the lexicographically largest vector wins.
* College rows of a programme that gets no quota rows (unknown or non-СПО programme) are
  not in ``quotas_colleges``; empty ``last_quota`` counts as 0.
* target is 0 when Σ cap·e = 0 (every licensed college has capacity 0): the formula is 0/0.
* Names (programme, college) are trimmed like codes.
* The no-college row has empty text (``""``) for college_code, college and department.
* ``department`` (optional column) is carried as trimmed text, empty when absent.
* ``education`` must equal the programme's level exactly (§4 "equals"); forecast.quotas also
  accepts the survey's aliases (``спо`` → СПО-КРС), so the random cases use canonical names.

Where forecast.quotas reads the spec differently, on inputs the tests here avoid:

* it takes scenarios, and each scenario's last forecast year, from the ``cell`` rows only;
* its greedy and DP treat objective differences below 1e-9 (not 1e-6) as ties, so targets
  that differ by ~1e-8 (rates such as 0.7 and 0.7000001) can break a §6 tie the other way;
* its largest remainder cuts near-equal remainders into runs anchored at the run's largest
  value (differs from the one-at-a-time reading above only for chains of remainders each
  within 1e-9 of the next, but not of the first).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

SPO_LEVELS = ("СПО-КРС", "СПО-ССЗ")
DEFAULTS = {
    "coverage_share": 0.7,
    "default_employment_rate": 0.75,
    "default_dropout": 0.15,
    "min_group": 15,
    "total_places": None,
}
EPS_ROUND = 1e-9
EPS_OBJ = 1e-6


# ---------------------------------------------------------------------------
# Reading: every table becomes a list of dicts of text.
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd  # only to recognise pandas' missing markers

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def rows_of(table) -> list[dict[str, str]]:
    """A DataFrame or a CSV path (UTF-8 with or without BOM) as a list of text dicts."""
    if isinstance(table, (str, Path)):
        with open(table, encoding="utf-8-sig", newline="") as fh:
            return [dict(r) for r in csv.DictReader(fh)]
    cols = list(table.columns)
    out = []
    for rec in table.itertuples(index=False, name=None):
        out.append({c: _text(v) for c, v in zip(cols, rec)})
    return out


def _num(text: str) -> float | None:
    text = text.strip()
    return None if text == "" else float(text)


# ---------------------------------------------------------------------------
# §5 rounding
def largest_remainder(values: dict[str, float], total: int) -> dict[str, int]:
    """Round ``values`` (keyed by programme_code) to integers summing to ``total``."""
    base = {k: math.floor(v + EPS_ROUND) for k, v in values.items()}
    rem = {k: values[k] - base[k] for k in values}
    left = total - sum(base.values())
    waiting = set(values)
    while left > 0:
        top = max(rem[k] for k in waiting)
        pick = min(k for k in waiting if rem[k] >= top - EPS_ROUND)
        base[pick] += 1
        waiting.discard(pick)
        left -= 1
    return base


# ---------------------------------------------------------------------------
# §6 allocation by enumeration
def allocate(quota: int, caps: list[int], targets: list[float], codes: list[str],
             min_group: int) -> tuple[list[int], bool]:
    """Brute-force §6 allocation; returns (allocation, min_group_dropped).

    Caller handles the capacity-deficit case (Σcap ≤ quota).
    """
    order = sorted(range(len(codes)), key=lambda j: codes[j])
    low = min(min_group, quota)

    def candidates(with_min: bool):
        # every integer vector with 0 ≤ a_j ≤ cap_j summing to quota
        def rec(j, left):
            if j == len(caps) - 1:
                if left <= caps[j] and (not with_min or left == 0 or left >= low):
                    yield (left,)
                return
            for a in range(min(caps[j], left) + 1):
                if with_min and 0 < a < low:
                    continue
                for rest in rec(j + 1, left - a):
                    yield (a, *rest)

        yield from rec(0, quota)

    dropped = False
    cands = list(candidates(True))
    if not cands:
        dropped = True
        cands = list(candidates(False))
    l1 = [sum(abs(a - t) for a, t in zip(c, targets)) for c in cands]
    best1 = min(l1)
    cands = [c for c, v in zip(cands, l1) if v <= best1 + EPS_OBJ]
    l2 = [sum((a - t) ** 2 for a, t in zip(c, targets)) for c in cands]
    best2 = min(l2)
    cands = [c for c, v in zip(cands, l2) if v <= best2 + EPS_OBJ]
    best = max(cands, key=lambda c: tuple(c[j] for j in order))
    return list(best), dropped


# ---------------------------------------------------------------------------
def reference_quotas(demand, survey_year: int, programmes, mapping, colleges, enrolment,
                     params: dict | None = None):
    """Return (programme rows, college rows, issues) as lists of dicts (§7 columns)."""
    p = dict(DEFAULTS)
    p.update(params or {})
    T = int(survey_year)
    c = float(p["coverage_share"])
    min_group = int(p["min_group"])
    budget = p["total_places"]

    # -- demand: cell rows only, summed per (scenario, profession, education, year)
    drows = rows_of(demand)
    scenarios = sorted({r["scenario"] for r in drows})
    last_year = max(int(float(r["year"])) for r in drows)
    has_level = bool(drows) and "level" in drows[0]
    D: dict[tuple[str, str, str, int], float] = {}
    for r in drows:
        if has_level and r["level"].strip() != "cell":
            continue
        key = (r["scenario"], r["profession_code"].strip(), r["education"].strip(),
               int(float(r["year"])))
        D[key] = D.get(key, 0.0) + float(r["demand"])

    # -- programmes
    progs = {}
    for r in rows_of(programmes):
        code = r["code"].strip()
        e = _num(r["employment_rate"])
        d = _num(r["dropout"])
        progs[code] = {
            "name": r["name"].strip(), "level": r["level"].strip(),
            "L": int(float(r["duration_months"])),
            "e": p["default_employment_rate"] if e is None else e,
            "d": p["default_dropout"] if d is None else d,
        }
    spo = sorted(k for k, v in progs.items() if v["level"] in SPO_LEVELS)

    # -- mapping m[p, s]
    m: dict[str, list[tuple[str, float]]] = {}
    for r in rows_of(mapping):
        s = r["programme_code"].strip()
        m.setdefault(s, []).append((r["profession_code"].strip(), float(r["weight"])))

    # -- enrolment pipeline P[s, t]
    P: dict[tuple[str, int], float] = {}
    for r in rows_of(enrolment):
        s = r["programme_code"].strip()
        y = int(float(r["admission_year"]))
        if s not in progs or y > T:
            continue
        g = y + math.ceil(progs[s]["L"] / 12)
        P[(s, g)] = P.get((s, g), 0.0) + float(r["students"]) * (1 - progs[s]["d"])

    # -- colleges per programme
    cols: dict[str, list[dict]] = {}
    for r in rows_of(colleges):
        s = r["programme_code"].strip()
        if s not in spo:
            continue
        e = _num(r.get("employment_rate", ""))
        lq = _num(r.get("last_quota", ""))
        cols.setdefault(s, []).append({
            "college_code": r["college_code"].strip(), "college": r["college"].strip(),
            "department": (r.get("department") or "").strip(),
            "capacity": int(float(r["capacity"])),
            "last_quota": 0 if lq is None else int(lq),
            "e": progs[s]["e"] if e is None else e,
        })
    for ks in cols.values():
        ks.sort(key=lambda k: k["college_code"])

    prog_rows, coll_rows, issues = [], [], []
    for sc in scenarios:
        info = {}
        for s in spo:
            pr = progs[s]
            g = T + 1 + math.ceil(pr["L"] / 12)
            if g > last_year:
                raise ValueError(f"programme {s}: graduation {g} beyond {last_year}")

            def mapped(t, sc=sc, s=s, pr=pr):
                # Σ_p m[p,s]·D[p,l(s),t]
                return sum(w * D.get((sc, prof, pr["level"], t), 0.0)
                           for prof, w in m.get(s, []))

            def G(t, pr=pr):
                return mapped(t) * c / pr["e"]

            S = 0.0
            for t in range(T + 1, g):
                S = max(0.0, S + P.get((s, t), 0.0) - G(t))
            pstar = S + P.get((s, g), 0.0)
            gap = max(0.0, G(g) - pstar)
            info[s] = {
                "g": g,
                "demand": mapped(g),
                "G": G(g), "pstar": pstar, "gap": gap, "raw": gap / (1 - pr["d"]),
            }
        raw = {s: info[s]["raw"] for s in spo}
        A = largest_remainder(raw, math.floor(sum(raw.values()) + 0.5)) if spo else {}
        total = sum(A.values())
        if budget is not None and total > budget:
            A2 = largest_remainder({s: A[s] * budget / total for s in spo}, int(budget))
        else:
            A2 = dict(A)

        for s in spo:
            q = A2[s]
            ks = cols.get(s, [])
            if not ks:
                deficit = q
                if q > 0:
                    coll_rows.append({
                        "scenario": sc, "programme_code": s, "college_code": "",
                        "college": "", "department": "", "capacity": 0,
                        "target": float(q), "quota": 0,
                        "last_quota": 0, "deficit": q,
                    })
            else:
                caps = [k["capacity"] for k in ks]
                we = sum(k["capacity"] * k["e"] for k in ks)
                targets = [0.0 if q == 0 or we == 0 else q * k["capacity"] * k["e"] / we for k in ks]
                if sum(caps) <= q:
                    alloc, deficit = caps, q - sum(caps)
                else:
                    alloc, dropped = allocate(q, caps, targets,
                                              [k["college_code"] for k in ks], min_group)
                    deficit = 0
                    if dropped:
                        issues.append((sc, s))
                for k, a, t in zip(ks, alloc, targets):
                    coll_rows.append({
                        "scenario": sc, "programme_code": s,
                        "college_code": k["college_code"], "college": k["college"],
                        "department": k["department"], "capacity": k["capacity"], "target": t, "quota": a,
                        "last_quota": k["last_quota"], "deficit": deficit,
                    })
            pr, it = progs[s], info[s]
            prog_rows.append({
                "scenario": sc, "programme_code": s, "programme": pr["name"],
                "level": pr["level"], "admission_year": T + 1, "graduation_year": it["g"],
                "demand": it["demand"], "graduates_needed": it["G"],
                "pipeline": it["pstar"], "gap": it["gap"], "dropout": pr["d"],
                "quota_needed": A[s], "shortfall": A[s] - q, "quota": q,
                "deficit": deficit,
                "last_quota": sum(k["last_quota"] for k in ks),
            })
    return prog_rows, coll_rows, issues
