"""The sample region's education side: programmes, mapping, colleges and enrolment.

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


def colleges_table(rng: np.random.Generator, programmes: pd.DataFrame) -> pd.DataFrame:
    """colleges.csv: college_code, college, programme_code, capacity, last_quota, employment_rate."""
    rows = []
    lic = dict(_LICENCES)
    for code, emp in zip(programmes["code"], programmes["employment_rate"]):
        for k in lic.get(code[:5], ()):
            cap = int(rng.choice([25, 25, 50, 50, 75, 100]))
            last = int(5 * np.rint(cap * rng.uniform(0.4, 1.0) / 5))
            er = np.nan if (rng.random() < 0.25 or np.isnan(emp)) else float(
                np.clip(np.round(emp + rng.normal(0, 0.05), 2), 0.3, 0.95))
            rows.append((f"K{k + 1:02d}", COLLEGE_NAMES[k], code, cap, last, er))
    df = pd.DataFrame(rows, columns=["college_code", "college", "programme_code", "capacity",
                                     "last_quota", "employment_rate"])
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
