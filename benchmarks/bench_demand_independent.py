"""Benchmark: the demand forecast on independently simulated regions, run as a new user would.

Every other demand benchmark draws its regions from :mod:`forecast.sample`, so its calibration
may lean on that generator's quirks. This one has its own small simulator, written from the
description of the world (survey-format.md, methodology.md, interfaces.md) and not from
``forecast/sample``; nothing here imports ``forecast.sample`` except the scoring, which is
shared with :mod:`benchmarks.bench_demand_regions` so that the numbers mean the same.

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
without variant, T+1 … T+7 under base/conservative/target) and ``kadry.toml``. The region is
then run with the installed ``kadry run --config`` and ``demand.csv`` is read back.

Truth: employment per (section, profession, education) and year T … T+7; demand per cell
D = max(0, X + true exits) + [t = T+1]·V[T] (methodology.md §3 with the true exits), summed
by profession over T+1 … T+5. Scored exactly like ``bench_demand_regions``
(:func:`benchmarks.bench_demand_regions.score`).

Besides the columns of ``bench_demand_regions`` the table has ``tot80_avg`` / ``tot95_avg``
(the regional total's true employment inside its interval, T+1 … T+5), ``tot_err_5`` (its
relative error at T+5), ``beta_negative_share`` (the share of the β[i] listed on the
``Методика`` sheet that are negative; every true β is positive) and
``wmape_true_growth_exits`` (:func:`sampling_floor`: true growth and true exit rates, so the
survey year's sampling error alone).

Run: ``.venv/bin/python -m benchmarks.bench_demand_independent [--regions N] [--seed S]
[--drift D] [--keep DIR]``; about 5 s a region on one core. Prints the table, the
distributions and everything kadry said (exit status, survey issue codes, stderr, console
lines other than the usual three), writes ``benchmarks/results/demand_independent.json``
(``_drift<D>`` / ``_seed<S>`` appended when they differ from the defaults 0.06 and 11).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from benchmarks._results import save

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


def kadry_executable() -> list[str]:
    """The installed console script next to this interpreter (``kadry``)."""
    exe = Path(sys.executable).with_name("kadry")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "forecast"]


def run_kadry(folder: Path) -> dict:
    """``kadry run --config kadry.toml`` as a user types it: exit status, console output,
    the β of the ``Методика`` sheet, the report's issue codes and ``demand.csv``."""
    t = time.perf_counter()
    p = subprocess.run([*kadry_executable(), "run", "--config", str(folder / "kadry.toml")],
                       capture_output=True, text=True, cwd=folder,
                       env={**os.environ, "PYTHONWARNINGS": "default"})
    out = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
           "seconds": time.perf_counter() - t}
    dfile = folder / "out" / "demand.csv"
    book = sorted((folder / "out").glob("forecast_*.xlsx"))
    if book:
        out["beta_model"] = methodology_betas(book[0])
    if dfile.exists():
        out["demand"] = pd.read_csv(dfile, encoding="utf-8-sig",
                                    dtype={"okved_section": str, "profession_code": str,
                                           "education": str, "scenario": str, "level": str})
        rep = folder / "out" / "survey_report.json"
        if rep.exists():
            import json
            issues = json.loads(rep.read_text(encoding="utf-8"))
            out["report"] = {k: issues[k] for k in ("files", "files_failed", "rows_read",
                                                     "accepted", "merged", "superseded",
                                                     "rejected") if k in issues}
            codes = pd.Series([i["code"] for i in issues.get("issues", [])], dtype=object)
            out["issue_codes"] = codes.value_counts().to_dict()
    return out


def methodology_betas(path: Path) -> dict:
    """The elasticities β[i] that the workbook's ``Методика`` sheet lists (methodology.md §2),
    as {section: β}; empty when the sheet lists none."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    out = {}
    if "Методика" in wb.sheetnames:
        for row in wb["Методика"].iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    out.update({k: float(v) for k, v in
                                re.findall(r"\b([A-U]): β = (-?\d+(?:\.\d+)?)", cell)})
    wb.close()
    return out


def total_coverage(d: pd.DataFrame, truth_emp: pd.DataFrame, T: int) -> dict:
    """Whether the regional total's true employment lies inside its 80 % / 95 % interval,
    averaged over T+1 … T+5 (base scenario)."""
    tot = d[(d["level"] == "total") & (d["scenario"] == "base")].set_index("year")
    true = truth_emp.groupby("year")["employment"].sum()
    out = {}
    for lv in (80, 95):
        inside = [tot.at[T + h, f"employment_lo_{lv}"] <= true[T + h]
                  <= tot.at[T + h, f"employment_hi_{lv}"] for h in range(1, 6)]
        out[f"tot{lv}_avg"] = float(np.mean(inside))
    out["tot_err_5"] = float(tot.at[T + 5, "employment"] / true[T + 5] - 1)
    return out


def sampling_floor(d: pd.DataFrame, region: Region, T: int) -> float:
    """wMAPE of 5-year profession demand if every cell grew exactly as it truly did from the
    survey year's estimate AND left at its true exit rate (the model's vacancies): what is
    left is the survey year's sampling error alone. Against ``wmape_true_growth`` (the same
    with the §3 exit formula) it splits the floor into exit formula and sampling."""
    years = range(T + 1, T + 6)
    m = d[(d["level"] == "cell") & (d["scenario"] == "base") & d["year"].isin(range(T, T + 6))]
    m = m.set_index(CELL + ["year"])
    e0 = m["employment"].unstack("year")[T]
    vac = m["vacancies"].unstack("year")[T + 1].fillna(0.0)
    te = region.truth_emp.set_index(CELL + ["year"])["employment"].unstack("year")
    tr = region.truth_demand.set_index(CELL + ["year"])["replacement"].unstack("year")
    te, tr = te.reindex(e0.index).fillna(0.0), tr.reindex(e0.index).fillna(0.0)
    growth = te[list(range(T, T + 6))].div(te[T].replace(0, np.nan), axis=0).fillna(1.0)
    rate = {t: (tr[t] / te[t - 1].replace(0, np.nan)).fillna(0.0) for t in years}
    path = growth.mul(e0, axis=0)
    dem = sum(np.maximum(0.0, path[t] - path[t - 1] + rate[t] * path[t - 1])
              + (vac if t == T + 1 else 0.0) for t in years)
    f = dem.groupby(level=KEY).sum()
    td = region.truth_demand
    a = td[td["year"].isin(years)].groupby(KEY)["demand"].sum()
    j = pd.concat({"f": f, "a": a}, axis=1).fillna(0.0)
    return float((j["f"] - j["a"]).abs().sum() / j["a"].sum())


#: bands of evidence: respondents reporting a profession (× education) in the survey year
EVIDENCE_BANDS = {"none": (0, 0), "thin": (1, 3), "mid": (4, 10), "thick": (11, 10 ** 9)}


def coverage_by_evidence(d: pd.DataFrame, region: Region, T: int) -> dict:
    """80 % / 95 % coverage of professions (T+1 … T+5 pooled) by how many respondents report
    them in the survey year (:data:`EVIDENCE_BANDS`; "none": carried from earlier waves), with
    the number of profession-years:
    whether the bands widen where evidence is thin."""
    n_resp = (region.rows[region.rows["survey_year"] == T].groupby(KEY)["inn"].nunique()
              .rename("n_resp"))
    prof = d[(d["level"] == "profession") & (d["scenario"] == "base")
             & d["year"].between(T + 1, T + 5)]
    true = region.truth_emp.groupby(KEY + ["year"])["employment"].sum().rename("true")
    j = prof.set_index(KEY + ["year"]).join(true, how="inner").join(n_resp, on=KEY)
    j["n_resp"] = j["n_resp"].fillna(0)
    out = {}
    for band, (lo, hi) in EVIDENCE_BANDS.items():
        b = j[j["n_resp"].between(lo, hi)]
        out[f"n_{band}"] = int(len(b))
        for lv in (80, 95):
            inside = (b["true"] >= b[f"employment_lo_{lv}"]) & (b["true"] <= b[f"employment_hi_{lv}"])
            out[f"cov{lv}_{band}"] = float(inside.mean()) if len(b) else np.nan
    return out


def survey_frame(region: Region) -> pd.DataFrame:
    """Respondents' rows with post-stratification weights (survey-format.md "Control
    totals"), computed here and not by kadry: the frame the naive benchmarks use."""
    f = region.rows.copy()
    tot = f.groupby(["survey_year", "okved_section"])["headcount"].transform("sum")
    ctrl = f.merge(region.controls, on=["survey_year", "okved_section"], how="left")
    f["weight"] = (ctrl["employment"].to_numpy() / tot.to_numpy())
    for h in range(1, NEED_H + 1):
        f[f"need_{h}"] = pd.to_numeric(f[f"need_{h}"]).fillna(0)
    return f


def evaluate(region: Region, keep: Path | None = None) -> dict:
    """Write, run and score one region; the row of the table (``error`` when kadry failed)."""
    from benchmarks.bench_demand_regions import score

    tmp = Path(tempfile.mkdtemp(prefix=f"kadry_{region.name}_"))
    try:
        write_region(region, tmp)
        run = run_kadry(tmp)
        if keep is not None:
            shutil.copytree(tmp, keep / region.name, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r = {"region": region.name, "seed": region.seed, **region.params,
         "respondents_T": int(region.rows.loc[region.rows["survey_year"] == T, "inn"].nunique()),
         "rc": run["rc"], "seconds": run["seconds"], "stderr": run["stderr"].strip(),
         "issue_codes": run.get("issue_codes", {}), "report": run.get("report", {}),
         "stdout": run["stdout"].strip()}
    if "demand" not in run:
        r["error"] = run["stderr"][-2000:] or run["stdout"][-2000:]
        return r
    d = run["demand"]
    data = {"frame": survey_frame(region), "truth_emp": region.truth_emp,
            "truth_demand": region.truth_demand, "variant_effect": region.variant_effect}
    res = SimpleNamespace(survey_year=int(d["year"].min()), demand=d)
    with np.errstate(invalid="ignore", divide="ignore"):
        r.update(score(data, res))
    r.update(total_coverage(d, region.truth_emp, res.survey_year))
    r["wmape_true_growth_exits"] = sampling_floor(d, region, res.survey_year)
    r.update(coverage_by_evidence(d, region, res.survey_year))
    bm = run.get("beta_model", {})
    r["beta_model"] = bm
    neg = [bm[k] < 0 for k in bm]
    r["beta_negative_share"] = float(np.mean(neg)) if neg else np.nan
    return r


def region_specs(n: int, seed: int) -> list[dict]:
    """``n`` regions of varied structure; the first ones pin the extremes of the ranges."""
    rng = np.random.default_rng(seed)
    fixed = [dict(n_employers=80, waves=4, response=0.4, n_sections=6),
             dict(n_employers=3000, waves=6, response=0.6, n_sections=14, n_professions=40),
             dict(n_employers=300, waves=10, response=0.9, n_sections=8),
             dict(n_employers=150, waves=5, response=0.5, n_sections=12)]
    out = []
    for i in range(n):
        kw = fixed[i] if i < len(fixed) else dict(
            n_employers=int(np.exp(rng.uniform(np.log(80), np.log(1500)))),
            waves=int(rng.integers(4, 11)), response=float(rng.uniform(0.4, 0.9)),
            n_sections=int(rng.integers(6, 15)))
        out.append({"seed": seed * 1000 + i, **kw})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=12, help="number of regions (default 12)")
    ap.add_argument("--seed", type=int, default=11, help="seed of the region set (default 11)")
    ap.add_argument("--drift", type=float, default=0.06,
                    help="yearly s.d. of the profession-logit random walk (default 0.06)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="folder to copy every region's inputs and outputs into")
    args = ap.parse_args(argv)
    rows = []
    for spec in region_specs(args.regions, args.seed):
        s = dict(spec)
        seed = s.pop("seed")
        reg = simulate_region(seed, drift=args.drift, **s)
        reg.name = (f"i{seed}-{reg.params['employers']}e-{reg.params['waves']}w-"
                    f"{reg.params['sections']}s-r{round(100 * reg.params['response'])}")
        r = evaluate(reg, args.keep)
        rows.append(r)
        msg = (f"cov80 {r['cov80_avg']:.2f} cov95 {r['cov95_avg']:.2f} "
               f"wMAPE {r['wmape_model']:.3f}" if "cov80_avg" in r else f"FAILED rc={r['rc']}")
        print(f"  {reg.name}: rc {r['rc']}, {r['seconds']:.1f} s, {msg}", flush=True)
    df = pd.DataFrame(rows)
    ok = df[df["cov80_avg"].notna()] if "cov80_avg" in df else df.iloc[:0]
    cols = ["region", "respondents_T", "cov80_avg", "cov95_avg",
            *[f"cov80_{h}" for h in range(1, 6)], *[f"cov95_{h}" for h in range(1, 6)],
            "sec80_avg", "sec95_avg", "wmape_model", "wmape_needs", "wmape_flat", "gain_needs",
            "gain_flat", "ordered", "effect_ratio_conservative", "effect_ratio_target",
            "beta_negative_share", "tot80_avg", "tot95_avg", "tot_err_5", "wmape_true_growth",
            "wmape_true_growth_exits", "err_expansion", "err_replacement", "err_vacancies"]
    cols = [c for c in cols if c in ok]
    with pd.option_context("display.width", 320, "display.max_columns", 40,
                           "display.float_format", "{:.3f}".format):
        print(ok[cols].to_string(index=False))

    def dist(c):
        q = ok[c].astype(float).quantile([0, 0.25, 0.5, 0.75, 1]).to_numpy()
        return (f"{c}: min {q[0]:.3f} q25 {q[1]:.3f} median {q[2]:.3f} q75 {q[3]:.3f} "
                f"max {q[4]:.3f} mean {ok[c].astype(float).mean():.3f}")

    summ: dict = {"n_regions": len(df), "n_scored": len(ok),
                  "failed": df.loc[~df.index.isin(ok.index), "region"].tolist()}
    if len(ok):
        for c in ("cov80_avg", "cov95_avg", "sec80_avg", "sec95_avg", "tot80_avg",
                  "wmape_model", "gain_needs", "gain_flat", "wmape_true_growth",
                  "wmape_true_growth_exits", "err_expansion", "err_replacement", "err_vacancies"):
            print(dist(c))
        summ.update(
            prof80_in_band=int(ok["cov80_avg"].between(0.72, 0.88).sum()),
            prof95_in_band=int(ok["cov95_avg"].between(0.88, 0.98).sum()),
            sec80_mean=float(ok["sec80_avg"].mean()), sec80_worst=float(ok["sec80_avg"].min()),
            sec95_mean=float(ok["sec95_avg"].mean()), sec95_worst=float(ok["sec95_avg"].min()),
            wmape_mean=float(ok["wmape_model"].mean()),
            gain_needs_min=float(ok["gain_needs"].min()),
            gain_flat_min=float(ok["gain_flat"].min()))
        if "ordered" in ok:
            ratios = ok[["effect_ratio_conservative", "effect_ratio_target"]].to_numpy().ravel()
            ratios = ratios[np.isfinite(ratios.astype(float))]
            summ.update(variants_ordered=int(ok["ordered"].sum()),
                        effect_ratio_within_2=int(((ratios >= 0.5) & (ratios <= 2)).sum()),
                        effect_ratio_n=int(len(ratios)),
                        effect_ratio_median=float(np.median(ratios)) if len(ratios) else None)
    if len(ok) and "n_thin" in ok:
        parts = []
        for band in EVIDENCE_BANDS:
            n = ok[f"n_{band}"].to_numpy(float)
            for lv in (80, 95):
                c = ok[f"cov{lv}_{band}"].to_numpy(float)
                pooled = float(np.nansum(c * n) / n.sum()) if n.sum() else np.nan
                summ[f"cov{lv}_{band}_pooled"] = pooled
            parts.append(f"{band} {EVIDENCE_BANDS[band]} respondents: 80% {summ[f'cov80_{band}_pooled']:.3f},"
                         f" 95% {summ[f'cov95_{band}_pooled']:.3f} (n {int(n.sum())})")
        print("profession coverage by evidence, pooled: " + "; ".join(parts))
    print("summary: " + ", ".join(f"{k} {v}" for k, v in summ.items()))
    print("what kadry said (exit status, survey issue codes, stderr):")
    routine = ("kadry: surveys ", "kadry: scenario ", "kadry: wrote ")
    for r in rows:
        err = re.sub(r"\s+", " ", r["stderr"])[:600]
        other = [ln for ln in r["stdout"].splitlines() if ln and not ln.startswith(routine)]
        print(f"  {r['region']}: rc {r['rc']} issues {r['issue_codes']} "
              f"stderr: {err or '-'} other console lines: {other or '-'}")
    pairs = [(r["beta_true"][k], v) for r in rows for k, v in r.get("beta_model", {}).items()
             if k in r["beta_true"]]
    if pairs:
        bt, bm = np.array(pairs).T
        summ.update(beta_n=len(pairs), beta_true_mean=float(bt.mean()),
                    beta_model_mean=float(bm.mean()), beta_model_negative=int((bm < 0).sum()),
                    beta_corr=float(np.corrcoef(bt, bm)[0, 1]))
        print(f"elasticities: {len(pairs)} sections, true β all in [0.1, 1.2] (mean "
              f"{bt.mean():.2f}); the workbook's β mean {bm.mean():.2f}, negative on "
              f"{int((bm < 0).sum())}, correlation with the truth {summ['beta_corr']:.2f}")
    suffix = ("" if args.drift == 0.06 else f"_drift{args.drift:g}") + (
        "" if args.seed == 11 else f"_seed{args.seed}")
    save(f"demand_independent{suffix}", {"drift": args.drift, "seed": args.seed,"python": platform.python_version(),
                                "machine": platform.machine(), "regions": rows,
                                "summary": summ})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
