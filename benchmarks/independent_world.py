"""An independent simulated region for the demand benchmark, and its files as a user
writes them.

Written from the description of the world (survey-format.md, methodology.md,
interfaces.md), not from ``forecast/sample``, and importing nothing from ``forecast``: see
:mod:`benchmarks.bench_demand_independent`.

The world (:func:`simulate_region`)
------------------------------------
* A region of 6–14 ОКВЭД2 sections, 20–60 professions (made-up 5-digit ОКПДТР-like codes),
  each with one main education level and, for some, a second one; 80–3,000 employers with
  lognormal sizes, 4–10 annual waves ending in T = 2026, the truth simulated to T+7.
* Macro: log GRP grows by a drifting rate with noise; each section's log employment grows by
  its own trend plus elasticity β_i × Δlog GRP plus an AR(1) shock. The future follows the
  ``base`` variant; ``conservative`` / ``target`` shift GRP growth down / up, and their true
  effect on employment at T+5 is Σ_i E_i · ((x_v/x_base)^β_i − 1).
* Employers grow with their section plus an idiosyncratic shock (lay-offs when it is
  negative); their profession mix is a softmax of section logits + employer logits, both
  drifting as random walks.
* Exits: profession p has a share of workers aged 55+ a_p and leaves the labour force at
  a_p / window_p + other_p, window_p in 4–12 years and other_p in 0–3 % (the §3 formula uses 7
  and 1 %), realised as binomial draws per cell; quits between employers (0–6 %) are hires
  to the employer but not demand for the region.
* Vacancies: Poisson(v_p · headcount · (1 + growth)), v_p in 1–5 %.
* Stated needs: each employer plans hires over a horizon of 1–5 years (later years blank):
  expected growth + (exits + quits) × headcount, times a profession-specific over-statement
  factor (lognormal around 1.3) and employer noise.
* Respondents: a Markov chain per employer (persistence 0.5) around a region response rate of
  40–90 %, larger employers a little likelier to answer; 5–20 % of employers never answer;
  30 % of respondents leave the age column blank.

The files (:func:`write_region`): one CSV per wave (template headers, ``;`` delimiter in some
regions) and, for every third wave, a share of employers in an ``.xlsx`` with a two-row
header; ``controls.csv`` (true section employment per wave), ``scenario.csv`` (GRP history
without variant, T+1 … T+7 under base/conservative/target) and ``kadry.toml``.

>>> r = simulate_region(1, n_employers=80, waves=4, n_sections=6, n_professions=20)
>>> int(r.rows["survey_year"].max()), len(r.truth_emp["year"].unique())
(2026, 8)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

T = 2026
EDUCATION = ("СПО-КРС", "СПО-ССЗ", "ВО", "ПО", "БО")
#: ОКВЭД2 divisions of each section (public classifier; one division drawn per employer)
DIVISIONS = {
    "A": (1, 2, 3), "B": (5, 6, 7, 8, 9), "C": tuple(range(10, 34)), "D": (35,),
    "E": (36, 37, 38, 39), "F": (41, 42, 43), "G": (45, 46, 47), "H": (49, 50, 51, 52, 53),
    "I": (55, 56), "J": (58, 59, 60, 61, 62, 63), "K": (64, 65, 66), "L": (68,),
    "M": (69, 70, 71, 72, 73, 74, 75), "N": (77, 78, 79, 80, 81, 82), "O": (84,), "P": (85,),
    "Q": (86, 87, 88), "R": (90, 91, 92, 93), "S": (94, 95, 96), "T": (97, 98), "U": (99,),
}
#: template headers (survey-format.md "Columns")
HEAD = {
    "survey_year": "Год обследования", "inn": "ИНН", "employer": "Наименование работодателя",
    "okved": "Код ОКВЭД2", "profession_code": "Код профессии (ОКПДТР)",
    "profession": "Наименование профессии (должности)",
    "education": "Требуемый уровень образования",
    "headcount": "Численность работников на дату обследования, чел.",
    "vacancies": "Вакансии на дату обследования, чел.",
    "age_55plus": "Из них в возрасте 55 лет и старше, чел.",
}
NEED_H = 5
CELL = ["okved_section", "profession_code", "education"]
KEY = ["profession_code", "education"]


def inn10(rng: np.random.Generator) -> str:
    """A random 10-digit organisation ИНН with a valid check digit."""
    d = list(rng.integers(0, 10, 9))
    d[0] = int(rng.integers(1, 10))
    c = sum(w * x for w, x in zip((2, 4, 10, 3, 5, 9, 4, 6, 8), d)) % 11 % 10
    return "".join(map(str, d + [c]))


@dataclass
class Region:
    """A simulated region: what employers report, the truth, the scenario."""

    name: str
    seed: int
    first_wave: int
    employers: pd.DataFrame            # inn, employer, section, okved, never
    rows: pd.DataFrame                 # respondents' form rows, every wave
    controls: pd.DataFrame             # survey_year, okved_section, employment
    scenario: pd.DataFrame             # year, indicator, value, variant
    truth_emp: pd.DataFrame            # CELL + year + employment
    truth_demand: pd.DataFrame         # CELL + year + expansion, replacement, vacancies, demand
    variant_effect: dict
    params: dict = field(default_factory=dict)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _round(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stochastic rounding (unbiased, error below one person)."""
    return np.floor(x + rng.random(x.shape)).astype(np.int64)


def simulate_region(seed: int, n_employers: int | None = None, waves: int | None = None,
                    response: float | None = None, n_sections: int | None = None,
                    n_professions: int | None = None, name: str | None = None,
                    drift: float = 0.06) -> Region:
    """Simulate one region (parameters drawn from ``seed`` where not given).

    ``drift`` is the yearly s.d. of the random walk of a section's profession logits (each
    employer's own logits drift at half of it): the unforecastable part of the profession mix.

    >>> r = simulate_region(1, n_employers=80, waves=4, n_sections=6, n_professions=20)
    >>> int(r.rows["survey_year"].max())
    2026
    """
    rng = np.random.default_rng(seed)
    n_employers = n_employers or int(np.exp(rng.uniform(np.log(80), np.log(3000))))
    waves = waves or int(rng.integers(4, 11))
    response = response if response is not None else float(rng.uniform(0.4, 0.9))
    n_sections = n_sections or int(rng.integers(6, 15))
    n_prof = n_professions or int(rng.integers(20, 61))
    first = T - waves + 1
    years = np.arange(first, T + 8)          # truth to T+7 (the default horizon)
    ny = len(years)
    iT = T - first

    sections = sorted(rng.choice(sorted(DIVISIONS), n_sections, replace=False))
    S = len(sections)
    # professions: code, name, 1–2 education levels
    codes = sorted(set(int(c) for c in rng.integers(10000, 28000, n_prof * 2)))[:n_prof]
    rng.shuffle(codes)
    cells_p, cells_l = [], []
    for c in codes:
        levels = rng.choice(len(EDUCATION), 2, replace=False, p=[0.35, 0.25, 0.25, 0.1, 0.05])
        cells_p.append(c)
        cells_l.append(EDUCATION[levels[0]])
        if rng.random() < 0.3:
            cells_p.append(c)
            cells_l.append(EDUCATION[levels[1]])
    P = len(cells_p)                         # profession × education "jobs"
    # profession traits (per job)
    age55 = rng.uniform(0.05, 0.40, P)
    window = rng.uniform(4.0, 12.0, P)
    other = rng.uniform(0.0, 0.03, P)
    exit_rate = np.minimum(0.25, age55 / window + other)
    quit_rate = rng.uniform(0.0, 0.06, P)
    vac_rate = rng.uniform(0.01, 0.05, P)
    overstate = np.exp(rng.normal(np.log(1.3), 0.3, P))

    # macro: GRP and section employment indices
    g = np.empty(ny)
    g_rate = rng.uniform(0.005, 0.03)
    for k in range(ny):
        g_rate = 0.8 * g_rate + 0.2 * 0.02 + rng.normal(0, 0.003)
        g[k] = g_rate + rng.normal(0, 0.015 if years[k] <= T else 0.0)
    # the future follows the base variant (deterministic path) and shocks the truth
    beta = rng.uniform(0.1, 1.2, S)
    trend = rng.normal(-0.005, 0.01, S)
    sig = rng.uniform(0.008, 0.03, S)
    phi = rng.uniform(0.2, 0.7, S)
    u = np.zeros(S)
    dlogE = np.zeros((ny, S))
    for k in range(1, ny):
        u = phi * u + rng.normal(0, sig)
        dlogE[k] = trend + beta * g[k] + u
    log_grp = np.log(500.0) + np.cumsum(g)
    spread = rng.uniform(0.008, 0.02)        # yearly GRP growth gap of the variants
    fut = np.clip(years - T, 0, None)
    grp = {"base": np.exp(log_grp), "conservative": np.exp(log_grp - spread * fut),
           "target": np.exp(log_grp + spread * fut)}

    # section logits over jobs (each section employs a subset)
    sec_logit = np.full((S, P), -np.inf)
    for s in range(S):
        k = int(rng.integers(min(6, P), min(P, 25) + 1))
        jobs = rng.choice(P, k, replace=False)
        sec_logit[s, jobs] = rng.normal(0, 1.0, k)
    # employers
    sec_w = rng.dirichlet(np.full(S, 1.5))
    e_sec = rng.choice(S, n_employers, p=sec_w)
    size0 = np.maximum(3.0, np.exp(rng.normal(3.3, 1.1, n_employers)))
    e_logit = sec_logit[e_sec] + rng.normal(0, 0.8, (n_employers, P))
    # each employer keeps only some of its section's jobs (more when larger)
    keep_n = np.clip((2 + np.log(size0) * 1.5).astype(int), 2, 20)
    for e in range(n_employers):
        ok = np.flatnonzero(np.isfinite(e_logit[e]))
        if len(ok) > keep_n[e]:
            drop = rng.choice(ok, len(ok) - keep_n[e], replace=False)
            e_logit[e, drop] = -np.inf

    size = np.empty((ny, n_employers))
    head = np.zeros((ny, n_employers, P), dtype=np.int64)
    e_growth = np.zeros((ny, n_employers))
    sec_drift = np.zeros((S, P))
    emp_drift = np.zeros((n_employers, P))
    size[0] = size0
    for k in range(ny):
        if k:
            shock = rng.normal(-0.5 * 0.06 ** 2, 0.06, n_employers)
            e_growth[k] = dlogE[k, e_sec] + shock
            size[k] = size[k - 1] * np.exp(e_growth[k])
            sec_drift += rng.normal(0, drift, (S, P))
            emp_drift += rng.normal(0, drift / 2, (n_employers, P))
        share = _softmax(e_logit + sec_drift[e_sec] + emp_drift)
        head[k] = _round(size[k][:, None] * share, rng)

    # truth at the population level
    cell_emp = np.zeros((ny, S, P))
    for s in range(S):
        cell_emp[:, s] = head[:, e_sec == s].sum(axis=1)
    exits = rng.binomial(cell_emp[:-1].astype(np.int64), exit_rate[None, None, :])
    # employer-level vacancies (each wave) and 55+ counts
    grow_pos = np.clip(e_growth, 0, None)[:, :, None]
    vac = rng.poisson(vac_rate[None, None, :] * head * (1 + 3 * grow_pos))
    a_jit = np.clip(age55[None, :] * np.exp(rng.normal(0, 0.3, (n_employers, P))), 0, 0.95)
    old = rng.binomial(head, a_jit[None, :, :])
    cell_vac = np.zeros((ny, S, P))
    for s in range(S):
        cell_vac[:, s] = vac[:, e_sec == s].sum(axis=1)

    recs_e, recs_d = [], []
    for s in range(S):
        for j in range(P):
            if cell_emp[:, s, j].sum() == 0:
                continue
            for k in range(iT, ny):
                recs_e.append((sections[s], f"{cells_p[j]:05d}", cells_l[j], int(years[k]),
                               float(cell_emp[k, s, j])))
                if k > iT:
                    x = cell_emp[k, s, j] - cell_emp[k - 1, s, j]
                    r = float(exits[k - 1, s, j])
                    v = float(cell_vac[iT, s, j]) if k == iT + 1 else 0.0
                    recs_d.append((sections[s], f"{cells_p[j]:05d}", cells_l[j],
                                   int(years[k]), x, r, v, max(0.0, x + r) + v))
    truth_emp = pd.DataFrame(recs_e, columns=CELL + ["year", "employment"])
    truth_demand = pd.DataFrame(recs_d, columns=CELL + ["year", "expansion", "replacement",
                                                        "vacancies", "demand"])
    iT5 = iT + 5
    sec_T5 = cell_emp[iT5].sum(axis=1)
    variant_effect = {
        v: float(np.sum(sec_T5 * ((grp[v][iT5] / grp["base"][iT5]) ** beta - 1)))
        for v in ("conservative", "target")}

    # respondents
    never = rng.random(n_employers) < rng.uniform(0.05, 0.2)
    tilt = 0.3 * (np.log(size0) - np.log(size0).mean())
    resp = np.zeros((ny, n_employers), dtype=bool)
    rho = 0.5
    for k in range(iT + 1):
        p_e = 1 / (1 + np.exp(-(np.log(response / (1 - response)) + tilt)))
        if k == 0:
            p = p_e
        else:
            p = np.where(resp[k - 1], p_e + (1 - p_e) * rho, p_e * (1 - rho))
        resp[k] = (rng.random(n_employers) < p) & ~never
    no_age = rng.random(n_employers) < 0.3

    employers = pd.DataFrame({
        "inn": [inn10(rng) for _ in range(n_employers)],
        "employer": [f"ООО «Предприятие {e + 1}»" for e in range(n_employers)],
        "section": [sections[s] for s in e_sec],
    })
    employers["okved"] = [f"{int(rng.choice(DIVISIONS[s])):02d}.{int(rng.integers(1, 10))}"
                          for s in employers["section"]]
    employers["never"] = never
    # stated needs: planning horizon per employer, expected growth of the employer
    horizon = rng.integers(1, NEED_H + 1, n_employers)
    optimism = rng.normal(0.01, 0.03, n_employers)
    rows = []
    for k in range(iT + 1):
        for e in np.flatnonzero(resp[k]):
            exp_g = float(trend[e_sec[e]] + beta[e_sec[e]] * g[min(k + 1, ny - 1)]) + optimism[e]
            for j in np.flatnonzero(head[k, e] > 0):
                h0 = head[k, e, j]
                needs = []
                for h in range(1, NEED_H + 1):
                    if h > horizon[e]:
                        needs.append(None)
                        continue
                    base_h = h0 * (np.exp(exp_g * h) - np.exp(exp_g * (h - 1)))
                    hires = max(0.0, base_h) + (exit_rate[j] + quit_rate[j]) * h0
                    val = hires * overstate[j] * np.exp(rng.normal(0, 0.4))
                    needs.append(int(rng.poisson(val)))
                rows.append({
                    "survey_year": int(years[k]), "inn": employers.at[e, "inn"],
                    "employer": employers.at[e, "employer"], "okved": employers.at[e, "okved"],
                    "profession_code": f"{cells_p[j]:05d}",
                    "profession": f"Профессия {cells_p[j]:05d}", "education": cells_l[j],
                    "headcount": int(h0), "vacancies": int(vac[k, e, j]),
                    "age_55plus": None if no_age[e] else int(old[k, e, j]),
                    **{f"need_{h}": needs[h - 1] for h in range(1, NEED_H + 1)},
                    "okved_section": employers.at[e, "section"],
                })
    rows = pd.DataFrame(rows)
    controls = pd.DataFrame([
        (int(years[k]), sections[s], int(cell_emp[k, s].sum()))
        for k in range(iT + 1) for s in range(S)],
        columns=["survey_year", "okved_section", "employment"])
    scen = [(int(years[k]), "grp", round(float(grp["base"][k]), 3), "")
            for k in range(iT + 1)]
    scen += [(int(years[k]), "grp", round(float(grp[v][k]), 3), v)
             for k in range(iT + 1, ny) for v in ("base", "conservative", "target")]
    scenario = pd.DataFrame(scen, columns=["year", "indicator", "value", "variant"])
    params = {"drift": drift, "beta_true": dict(zip(sections, np.round(beta, 3).tolist())),
              "employers": n_employers, "waves": waves, "response": round(response, 3),
              "sections": S, "professions": len(codes), "jobs": P,
              "mean_exit_rate": float(np.average(exit_rate, weights=cell_emp[iT].sum(0) + 1e-9)),
              "mean_overstate": float(np.average(overstate, weights=cell_emp[iT].sum(0) + 1e-9))}
    return Region(name or f"ind{seed}", seed, first, employers, rows, controls, scenario,
                  truth_emp, truth_demand, variant_effect, params)


def write_region(region: Region, folder: Path) -> Path:
    """Write the region as a user would: forms, controls, scenario and ``kadry.toml``."""
    folder = Path(folder)
    surveys = folder / "surveys"
    surveys.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(region.seed + 7)
    semicolon = region.seed % 2 == 0
    encoding = "cp1251" if region.seed % 3 == 0 else "utf-8-sig"   # both are allowed
    for year, wave in region.rows.groupby("survey_year"):
        need_heads = {f"need_{h}": f"Дополнительная потребность в {year + h} г., чел."
                      for h in range(1, NEED_H + 1)}
        out = wave[list(HEAD) + list(need_heads)].rename(columns={**HEAD, **need_heads})
        to_xlsx = np.zeros(len(wave), dtype=bool)
        if (year - region.first_wave) % 3 == 2:
            inns = wave["inn"].unique()
            chosen = set(rng.choice(inns, max(1, len(inns) // 5), replace=False))
            to_xlsx = wave["inn"].isin(chosen).to_numpy()
        out[~to_xlsx].to_csv(surveys / f"wave_{year}.csv", index=False,
                             sep=";" if semicolon else ",", encoding=encoding)
        if to_xlsx.any():
            _write_xlsx(out[to_xlsx], year, surveys / f"wave_{year}_extra.xlsx")
    region.controls.to_csv(folder / "controls.csv", index=False)
    region.scenario.to_csv(folder / "scenario.csv", index=False)
    (folder / "kadry.toml").write_text(
        '[survey]\npaths = ["surveys/"]\ncontrols = "controls.csv"\n'
        '[forecast]\nscenario = "scenario.csv"\n'
        '[output]\ndir = "out"\n', encoding="utf-8")
    return folder


def _write_xlsx(frame: pd.DataFrame, year: int, path: Path) -> None:
    """A workbook with a title row and a two-row header (group cell over the need years)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Потребность"
    ws.append([f"Мониторинг потребности в кадрах, {year} год"])
    cols = list(frame.columns)
    n_fixed = len(HEAD)
    ws.append(cols[:n_fixed] + ["Дополнительная потребность, чел."] + [None] * (NEED_H - 1))
    ws.append([None] * n_fixed + [str(year + h) for h in range(1, NEED_H + 1)])
    for c in range(1, n_fixed + 1):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=n_fixed + 1, end_row=2,
                   end_column=n_fixed + NEED_H)
    for rec in frame.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in rec])
    wb.save(path)
