"""The sample region's education side: programmes, mapping, colleges and enrolment.

Colleges' past quotas are sized from the region's *historical* demand (survey years, not
the future), converted to an intake with the library's default coverage, employment and
dropout rates, times a lognormal factor per programme; enrolment of the cohorts T−3 … T
is 80–105 % of the past quota.

Choices: KRS programmes last 22 or 34 months, SSZ programmes 34 or 46 (catalogue);
about one programme in seven has an empty employment_rate or dropout (the defaults apply);
one programme has no licensed college; two programmes carry an enrolment row for
admission year T+1, which the quota stage must report and ignore.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.sample import catalogue as cat

COLLEGE_NAMES: tuple[str, ...] = (
    "ГБПОУ «Северогорский политехнический колледж»",
    "ГБПОУ «Северогорский медицинский колледж»",
    "ГБПОУ «Заречный индустриальный техникум»",
    "ГБПОУ «Каменский горно-металлургический колледж»",
    "ГБПОУ «Северогорский педагогический колледж»",
    "ГБПОУ «Озерский аграрный техникум»",
    "ГБПОУ «Колледж строительства и городского хозяйства»",
    "ГБПОУ «Северогорский торгово-экономический колледж»",
    "ГБПОУ «Новоуральский техникум транспорта и сервиса»",
    "ГБПОУ «Колледж информационных технологий»",
    "ГБПОУ «Ключевской сельскохозяйственный техникум»",
    "ГБПОУ «Северогорский энергетический колледж»",
    "ГБПОУ «Лесной многопрофильный техникум»",
    "ГБПОУ «Колледж индустрии питания и гостеприимства»",
    "ГБПОУ «Заречный медицинский колледж»",
)

#: founding department of each college (by index; the rest: education). The sample region
#: has the three departments of measure 13: the medical colleges belong to health, the
#: college of catering and hospitality (tourism) to the department of culture and tourism.
DEPARTMENTS: dict[int, str] = {1: "здравоохранение", 14: "здравоохранение", 13: "культура"}
DEFAULT_DEPARTMENT = "образование"

#: which colleges (by index) hold a licence for programmes whose code starts with a prefix
_LICENCES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("08.01", (2, 6, 12)), ("08.02", (6, 0)), ("09.01", (9, 7)), ("09.02", (9, 0)),
    ("13.01", (11, 2, 0, 12)), ("13.02", (11, 0)), ("15.01", (0, 2, 3)), ("15.02", (0, 2)),
    ("18.01", (3,)), ("20.02", (6,)), ("21.01", (3,)), ("21.02", ()), ("23.01", (8, 2, 10)),
    ("23.02", (8,)), ("31.02", (1, 14)), ("33.02", (1,)), ("34.02", (1, 14)),
    ("35.01", (5, 10)), ("35.02", (5, 10)), ("36.02", (10,)), ("38.01", (7, 12)),
    ("38.02", (7, 0)), ("43.01", (13, 7, 12)), ("43.02", (13,)), ("44.02", (4,)),
)


def programmes_table(rng: np.random.Generator) -> pd.DataFrame:
    """programmes.csv: code, name, level, duration_months, employment_rate, dropout."""
    n = len(cat.PROGRAMMES)
    emp_rate = np.round(rng.uniform(0.55, 0.88, n), 2)
    dropout = np.round(rng.uniform(0.07, 0.25, n), 2)
    emp_rate = np.where(rng.random(n) < 0.15, np.nan, emp_rate)
    dropout = np.where(rng.random(n) < 0.15, np.nan, dropout)
    return pd.DataFrame({
        "code": [p.code for p in cat.PROGRAMMES],
        "name": [p.name for p in cat.PROGRAMMES],
        "level": [p.level for p in cat.PROGRAMMES],
        "duration_months": [p.duration_months for p in cat.PROGRAMMES],
        "employment_rate": emp_rate,
        "dropout": dropout,
    })


def mapping_table() -> pd.DataFrame:
    """mapping.csv: profession_code, programme_code, weight (from the catalogue)."""
    rows = [(p.code, code, w) for p in cat.PROFESSIONS for code, w in p.programmes]
    return pd.DataFrame(rows, columns=["profession_code", "programme_code", "weight"])


def programme_intake(programmes: pd.DataFrame, mapping: pd.DataFrame,
                     demand: pd.DataFrame) -> pd.Series:
    """Yearly intake that would meet a programme's share of ``demand`` (profession_code,
    education, demand per year): Σ_p m·D · 0.7 / employment_rate / (1 − dropout), with the
    library's defaults for empty rates. The colleges' past quotas scatter around it."""
    from forecast.params import QuotaParams

    q = QuotaParams()
    prog = programmes.set_index("code")
    m = mapping.join(prog["level"], on="programme_code")
    d = demand.set_index(["profession_code", "education"])["demand"]
    m["demand"] = [float(d.get((p, lvl), 0.0)) * w for p, lvl, w in
                   zip(m["profession_code"], m["level"], m["weight"])]
    by_prog = m.groupby("programme_code")["demand"].sum().reindex(prog.index, fill_value=0.0)
    e = prog["employment_rate"].fillna(q.default_employment_rate)
    drop = prog["dropout"].fillna(q.default_dropout)
    return by_prog * q.coverage_share / e / (1.0 - drop)


def colleges_table(rng: np.random.Generator, programmes: pd.DataFrame,
                   intake: pd.Series | None = None) -> pd.DataFrame:
    """colleges.csv: college_code, college, programme_code, capacity, last_quota, employment_rate,
    department (:data:`DEPARTMENTS`).

    A programme's past quota is its ``intake`` (see :func:`programme_intake`, from the
    region's history) times a lognormal factor (median 1, sd 0.35 in logs: some programmes
    over-, some under-supplied),
    split among its licensed colleges; capacity is 0–60 % above the last quota.
    """
    rows = []
    lic = dict(_LICENCES)
    for code, emp in zip(programmes["code"], programmes["employment_rate"]):
        colleges = lic.get(code[:5], ())
        if not colleges:
            continue
        base = float(intake.get(code, 50.0)) if intake is not None else 50.0 * len(colleges)
        total = base * float(np.exp(rng.normal(0.0, 0.35)))
        split = rng.dirichlet(np.full(len(colleges), 3.0))
        for k, share in zip(colleges, split):
            last = int(max(10, 5 * np.rint(total * share / 5)))
            cap = int(max(25, 5 * np.ceil(last * rng.uniform(1.0, 1.6) / 5)))
            er = np.nan if (rng.random() < 0.25 or np.isnan(emp)) else float(
                np.clip(np.round(emp + rng.normal(0, 0.05), 2), 0.3, 0.95))
            rows.append((f"K{k + 1:02d}", COLLEGE_NAMES[k], code, cap, last, er,
                         DEPARTMENTS.get(k, DEFAULT_DEPARTMENT)))
    df = pd.DataFrame(rows, columns=["college_code", "college", "programme_code", "capacity",
                                     "last_quota", "employment_rate", "department"])
    return df.sort_values(["college_code", "programme_code"], kind="stable").reset_index(drop=True)


def enrolment_table(rng: np.random.Generator, colleges: pd.DataFrame, last_wave: int) -> pd.DataFrame:
    """enrolment.csv: programme_code, admission_year, students for cohorts T−3 … T (+ two T+1 rows)."""
    quota = colleges.groupby("programme_code", sort=True)["last_quota"].sum()
    rows = []
    for code, q in quota.items():
        for y in range(last_wave - 3, last_wave + 1):
            rows.append((code, y, int(np.rint(q * rng.uniform(0.8, 1.05)))))
    # applications already counted for next year's intake: not part of the pipeline
    for code in list(quota.index)[:2]:
        rows.append((code, last_wave + 1, int(quota[code])))
    return pd.DataFrame(rows, columns=["programme_code", "admission_year", "students"])
