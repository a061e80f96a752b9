"""A small hand-made run (the agreed columns) for testing forecast.report without the stages."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from forecast.columns import DEMAND_COLUMNS, ISSUE_COLUMNS
from forecast.config import config_from_mapping

T = 2026
H = 7
CELLS = [  # section, code, profession, education, employment at T
    ("C", "19756", "Электрогазосварщик", "СПО-КРС", 420.0),
    ("F", "19756", "Электрогазосварщик", "СПО-КРС", 180.0),
    ("F", "12680", "Каменщик", "СПО-КРС", 300.0),
    ("C", "22446", "Инженер-технолог", "ВО", 150.0),
    ("Q", "24038", "Медицинская сестра", "СПО-ССЗ", 510.0),
]
SURVEY_TEXT = ['=HYPERLINK("http://x","y")', "+7 495", "@home", "-5"]


def demand_frame(scenarios=("base", "conservative")) -> pd.DataFrame:
    rows = []
    for s_i, s in enumerate(scenarios):
        for sec, code, prof, edu, e0 in CELLS:
            e = e0
            for year in range(T, T + H + 1):
                if year == T:
                    emp, x, r, v = e0, 0.0, 0.0, 0.0
                else:
                    emp = e * (1.02 - 0.015 * s_i)
                    x, r = emp - e, 0.05 * e
                    v = 12.5 if year == T + 1 else 0.0
                    e = emp
                d = max(0.0, x + r) + v
                w = 0.0 if year == T else 0.03 * (year - T) * emp
                rows.append(dict(scenario=s, level="cell", okved_section=sec, profession_code=code,
                                 profession=prof, education=edu, year=year, employment=emp,
                                 expansion=x, replacement=r, vacancies=v, demand=d, _w=w))
    cells = pd.DataFrame(rows)
    point = ["employment", "expansion", "replacement", "vacancies", "demand", "_w"]
    parts = [cells]
    for level, keys in (("profession", ["profession_code", "profession", "education"]),
                        ("section", ["okved_section"]), ("total", [])):
        g = cells.groupby(["scenario", "year", *keys], as_index=False)[point].sum()
        g["level"] = level
        parts.append(g)
    d = pd.concat(parts, ignore_index=True)
    d["_w"] = d["_w"] * 0.7  # aggregate intervals are their own
    for c in ("okved_section", "profession_code", "profession", "education"):
        d[c] = d[c].astype(object).where(d[c].notna(), None)
    d["employment_lo_80"] = d["employment"] - d["_w"]
    d["employment_hi_80"] = d["employment"] + d["_w"]
    d["employment_lo_95"] = d["employment"] - 1.5 * d["_w"]
    d["employment_hi_95"] = d["employment"] + 1.5 * d["_w"]
    d["demand_lo_80"] = (d["demand"] - d["_w"] * 0.2).clip(lower=0)
    d["demand_hi_80"] = d["demand"] + d["_w"] * 0.2
    return d.loc[:, list(DEMAND_COLUMNS)]


def quotas(scenarios=("base", "conservative")):
    qp, qc, chain = [], [], []
    progs = [("15.01.05", "Сварщик (ручной и частично механизированной сварки)", "СПО-КРС", 34, 4),
             ("34.02.01", "Сестринское дело", "СПО-ССЗ", 46, 5),
             ("08.01.07", "Мастер общестроительных работ", "СПО-КРС", 22, 3)]
    for s in scenarios:
        for code, name, lvl, dur, yrs in progs:
            g = T + 1 + int(np.ceil(dur / 12))
            dem = 40.0 + len(code)
            G = dem * 0.7 / (0.8 if code == "34.02.01" else 0.75)
            P = 10.0
            gap = max(0.0, G - P)
            quota = float(np.floor(gap / 0.85 + 0.5))
            qp.append(dict(scenario=s, programme_code=code, programme=name, level=lvl,
                           admission_year=T + 1, graduation_year=g, demand=dem, graduates_needed=G,
                           pipeline=P, gap=gap, dropout=0.15, quota_needed=quota, shortfall=0.0,
                           quota=quota, deficit=0.0, last_quota=25.0))
            for k, (cc, cn, cap, dept) in enumerate([("K1", "ГБПОУ «Колледж №1»", 50, "образование"),
                                                     ("K2", "=cmd|' /C calc'!A0", 30, "здравоохранение")]):
                qc.append(dict(scenario=s, programme_code=code, college_code=cc, college=cn,
                               department=dept,
                               capacity=cap, target=quota * cap / 80, quota=quota if k == 0 else 0.0,
                               last_quota=25.0 if k == 0 else 0.0, deficit=0.0))
            for y in range(T, T + H + 1):
                chain.append(dict(scenario=s, programme_code=code, year=y, demand=dem,
                                  graduates_needed=G, pipeline=P if y == g else 3.0))
    programmes = pd.DataFrame([dict(code=c, name=n, level=l, duration_months=str(d),
                                    employment_rate="" if c != "34.02.01" else "0.8", dropout="")
                               for c, n, l, d, _ in progs])
    return pd.DataFrame(qp), pd.DataFrame(qc), pd.DataFrame(chain), programmes


def survey():
    frame = pd.DataFrame({
        "survey_year": [2025, 2026, 2026, 2026],
        "inn": ["7707083893", "7707083893", "500100732259", "7736050003"],
    })
    issues = pd.DataFrame([
        dict(file="surveys/2026/a.xlsx", sheet="Потребность", row=14 + i, column="profession",
             value=v, severity="error", code="E_PROFESSION_CODE", message=f"bad value {v}")
        for i, v in enumerate(SURVEY_TEXT)
    ]).loc[:, list(ISSUE_COLUMNS)]
    coverage = pd.DataFrame({"survey_year": [2026, 2026], "okved_section": ["C", "F"],
                             "respondents_headcount": [600.0, 480.0], "employment": [2000.0, 1600.0],
                             "weight": [3.33, 3.33], "coverage": [0.3, 0.3]})
    counts = dict(files=3, files_failed=1, rows_read=10, accepted=4, merged=1, superseded=1, rejected=4)
    return SimpleNamespace(frame=frame, issues=issues, coverage=coverage, counts=counts,
                           skipped=[{"file": "surveys/notes.txt", "reason": "not .xlsx or .csv"}],
                           report=lambda: {**counts, "skipped": [], "issues": issues.to_dict("records")})


def fake_run(tmp_path, language="ru", scenarios=("base", "conservative")):
    cfg = config_from_mapping({"survey": {"paths": ["."]}, "output": {"language": language}},
                              base_dir=tmp_path)
    qp, qc, chain, programmes = quotas(scenarios)
    history = pd.DataFrame([dict(year=y, okved_section=s, profession_code=c, education=e,
                                 employment=e0 * (0.9 + 0.02 * (y - 2021)))
                            for y in range(2021, T + 1) for s, c, _, e, e0 in CELLS])
    accuracy = pd.DataFrame({"model": ["combined", "naive", "combined", "naive"], "horizon": [1, 1, 2, 2],
                             "mase": [0.8, 1.0, 0.9, 1.0], "coverage_80": [0.79, 0.7, 0.81, 0.66]})
    realisation = pd.DataFrame({"profession_code": ["19756", "pooled"], "h": [1, 1], "rho": [0.62, 0.7]})
    return SimpleNamespace(
        config=cfg, survey=survey(), survey_year=T, demand=demand_frame(scenarios),
        quotas_programmes=qp, quotas_colleges=qc, accuracy=accuracy, realisation=realisation,
        history=history, programmes=programmes, demand_by_year=chain,
        quota_issues=pd.DataFrame([dict(table="enrolment.csv", row=5, value="2027", code="W_FUTURE_COHORT",
                                        message="admission year after T: ignored")]),
        unmapped=None,
    )
