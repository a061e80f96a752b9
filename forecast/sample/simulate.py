"""Simulate the sample region: its macro path, employers, staff, exits, vacancies and plans.

Everything is drawn from independent streams of one :class:`numpy.random.SeedSequence`
(macro, employers, staff, survey, quota tables), so that e.g. changing the number of
mistakes written to the forms never changes the population.

How the population evolves, one step a year, values as of November:

* GRP log-growth: a fixed national history plus regional noise up to T; after T the
  realised path is the ``base`` variant plus shocks (sd 1.2 pp a year).
* Section employment: log-growth = trend + elasticity · (GRP growth − 2 %) + noise.
* Employers of a section share its employment by a slowly drifting weight; some enter
  after the first year, some close. An employer's staff is split over its professions by a
  drifting mix (profession-specific trend + employer noise); headcounts are integers
  (stochastic rounding with a fixed offset per cell, so a cell does not flicker).
* Ageing: each year a profession-specific share of the 55+ staff leaves (retirement,
  10–17 %) and a share of younger staff leaves for other reasons (1.5–3.5 %); a share of the
  younger staff turns 55 (keeping each profession's 55+ share near its start, 5–45 %, and
  slowly rising). These natural exits are the *true replacement demand*; a cell shrinking faster than
  its exits lays off the rest (negative expansion, no replacement).
* Vacancies: Poisson around a profession rate, higher in years of fast GRP growth.
* Stated needs need_h of wave w: a blend of the employer's true future hires in w+h (weight
  falling with h) and its naive view (own exits plus an optimistic growth), scaled by a
  profession-specific overstatement (median 1.35) and an employer factor (sd 0.25 in logs),
  with lognormal noise growing with h (sd 0.25 + 0.07·(h−1)), 5 % random zeros, and zero
  beyond the employer's planning horizon (1, 2, 3, 5 or H years with probabilities 10, 10,
  25, 20, 35 %); need_1 also counts half of today's vacancies.
* Respondents: each wave a random subset of the active frame (wave rate 62–85 %, an employer
  propensity persistent across waves: 60–75 % of active employers respond); about 70 % of
  respondents report age_55plus (an employer habit, redrawn each wave).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.classifiers import make_inn
from forecast.sample import catalogue as cat

#: the region's code in ИНН (first two digits); a fictional region
INN_REGION = "59"
#: branches of companies registered elsewhere keep their head office's ИНН: a leading zero
#: (regions 02, 03, 07) must survive reading
INN_OTHER_REGIONS: tuple[str, ...] = ("02", "03", "07", "77")


@dataclass
class Population:
    """Arrays of the simulated population (employers × professions × years)."""

    years: np.ndarray            # (Y,) calendar years first_wave … last_wave + horizon
    employers: pd.DataFrame      # one row per employer (pool), index 0 … n−1
    professions: pd.DataFrame    # one row per catalogue profession (code, name, education)
    employment: np.ndarray       # (n, P, Y) int headcount
    older: np.ndarray            # (n, P, Y) int staff aged 55+
    exits: np.ndarray            # (n, P, Y) int natural exits during year t (0 in the first year)
    vacancies: np.ndarray        # (n, P, Y) int vacancies as of November of year t
    active: np.ndarray           # (n, Y) bool employer exists in year t
    grp_growth: np.ndarray       # (Y,) realised GRP log-growth
    scenario: pd.DataFrame       # scenario.csv


def _streams(seed: int, n: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def _macro(rng: np.random.Generator, years: np.ndarray, last_wave: int):
    """Realised GRP growth per year and the scenario table (history + variants)."""
    hist_table = dict(zip(range(2017, 2017 + len(cat.GRP_GROWTH_HISTORY)), cat.GRP_GROWTH_HISTORY))
    n_y = len(years)
    noise = rng.normal(0.0, 0.006, n_y)
    base_hist = np.array([hist_table.get(int(y), 0.02) for y in years]) + noise
    future = years > last_wave
    n_f = int(future.sum())
    variant_paths = {}
    for name, mean in cat.GRP_VARIANTS:
        # a smooth official path: a little wiggle around the variant's mean
        variant_paths[name] = mean + rng.normal(0.0, 0.003, n_f)
    shocks = rng.normal(0.0, 0.012, n_f)
    growth = base_hist.copy()
    growth[future] = variant_paths["base"] + shocks
    grp0 = float(np.round(rng.uniform(350, 650), 1))   # bn roubles, prices of the first year
    inv_share = rng.uniform(0.17, 0.24)
    inv_noise = rng.normal(0.0, 0.04, n_y)

    rows = []
    level = grp0
    inv = grp0 * inv_share
    hist_years = years[~future]
    for k, y in enumerate(hist_years):
        if k > 0:
            level *= np.exp(growth[k])
            inv *= np.exp(1.8 * growth[k] + inv_noise[k])
        rows.append((int(y), "grp", round(level, 2), ""))
        rows.append((int(y), "investment", round(inv, 2), ""))
    level_T, inv_T = level, inv
    for name, _ in cat.GRP_VARIANTS:
        level, inv = level_T, inv_T
        for j, y in enumerate(years[future]):
            g = variant_paths[name][j]
            level *= np.exp(g)
            inv *= np.exp(1.8 * g)
            rows.append((int(y), "grp", round(level, 2), name))
            rows.append((int(y), "investment", round(inv, 2), name))
    scenario = pd.DataFrame(rows, columns=["year", "indicator", "value", "variant"])
    return growth, scenario


def _professions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "profession_code": [p.code for p in cat.PROFESSIONS],
            "profession": [p.name for p in cat.PROFESSIONS],
            "education": [p.education for p in cat.PROFESSIONS],
        }
    )


def _employers(rng: np.random.Generator, n: int, years: np.ndarray) -> pd.DataFrame:
    secs = cat.SECTIONS
    share = np.array([s.share for s in secs])
    sec_idx = rng.choice(len(secs), size=n, p=share / share.sum())
    # every section gets at least three employers (controls must be estimable)
    for j in range(len(secs)):
        short = 3 - int((sec_idx == j).sum())
        if short > 0 and n >= 3 * len(secs):
            donors = np.flatnonzero(np.bincount(sec_idx, minlength=len(secs))[sec_idx] > 3)
            sec_idx[donors[:short]] = j
    med = np.array([s.size for s in secs])[sec_idx]
    size = np.maximum(3.0, med * np.exp(rng.normal(0.0, 0.9, n)))
    first, last = int(years[0]), int(years[-1])
    enters = np.where(rng.random(n) < 0.12, rng.integers(first + 1, last + 1, n), first)
    closes = np.where(rng.random(n) < 0.08, rng.integers(first + 2, last + 2, n), last + 1)
    closes = np.maximum(closes, enters + 2)
    muni_w = np.array(cat.MUNICIPALITY_WEIGHTS)
    muni = rng.choice(len(cat.MUNICIPALITIES), size=n, p=muni_w / muni_w.sum())

    forms_u = rng.random(n)
    stem_u = rng.random(n)
    okved_digits = rng.integers(1, 10, (n, 3))
    okved_form = rng.random(n)
    office = rng.integers(1, 20, n)
    serial = rng.permutation(90000)[:n] + 10000
    other_region = rng.random(n) < 0.06
    region_pick = rng.integers(0, len(INN_OTHER_REGIONS), n)
    names, okveds, inns, sections = [], [], [], []
    counts: dict[str, int] = {}
    for e in range(n):
        s = secs[sec_idx[e]]
        sections.append(s.code)
        forms = cat.LEGAL_FORMS[s.code]
        # the first legal form is the most common one
        fi = 0 if forms_u[e] < 0.6 else 1 + int((forms_u[e] - 0.6) / 0.4 * (len(forms) - 1))
        form = forms[min(fi, len(forms) - 1)]
        stems = cat.NAME_STEMS[s.code]
        stem, div = stems[int(stem_u[e] * len(stems))]
        counts[stem] = counts.get(stem, 0) + 1
        if stem.endswith("№"):
            base = f"{stem} {counts[stem]}"
        else:
            base = stem if counts[stem] == 1 else f"{stem}-{counts[stem]}"
        names.append(f"{form} «{base}»" if form != "ИП" else f"ИП {base}")
        d = okved_digits[e]
        if okved_form[e] < 0.15:
            code = div
        elif okved_form[e] < 0.75:
            code = f"{div}.{d[0]}{d[1] - 1}"
        else:
            code = f"{div}.{d[0]}{d[1] - 1}.{d[2]}"
        okveds.append(code)
        reg = INN_OTHER_REGIONS[region_pick[e]] if other_region[e] and form != "ИП" else INN_REGION
        body = f"{reg}{office[e]:02d}{serial[e]:05d}"
        inns.append(make_inn(body + f"{d[2]}") if form == "ИП" else make_inn(body))
    return pd.DataFrame(
        {
            "employer_id": np.arange(n),
            "inn": inns,
            "employer": names,
            "okved": okveds,
            "okved_section": sections,
            "section_idx": sec_idx,
            "municipality": [cat.MUNICIPALITIES[m] for m in muni],
            "size": size,
            "enters": enters,
            "closes": closes,
        }
    )


def simulate_population(seed: int, n_employers: int, first_wave: int, last_wave: int,
                        horizon: int) -> Population:
    """Simulate the region's population year by year (see the module docstring)."""
    r_macro, r_emp, r_mix, r_staff, r_vac = _streams(seed, 5)
    years = np.arange(first_wave, last_wave + horizon + 1)
    n_y = len(years)
    growth, scenario = _macro(r_macro, years, last_wave)
    emp = _employers(r_emp, n_employers, years)
    profs = _professions()
    secs = cat.SECTIONS
    n, n_p, n_s = n_employers, len(cat.PROFESSIONS), len(secs)
    sec_idx = emp["section_idx"].to_numpy()

    # prevalence of each profession in each section
    sec_pos = {s.code: j for j, s in enumerate(secs)}
    prev = np.zeros((n_s, n_p))
    for p, prof in enumerate(cat.PROFESSIONS):
        for code, w, _ in prof.sections:
            prev[sec_pos[code], p] = w
    # per employer; a profession restricted to some divisions of a section is absent elsewhere
    prev_e = prev[sec_idx]
    division = emp["okved"].str[:2].to_numpy()
    for p, prof in enumerate(cat.PROFESSIONS):
        for code, _, divs in prof.sections:
            if divs:
                prev_e[(sec_idx == sec_pos[code]) & ~np.isin(division, divs), p] = 0.0
    age55 = np.array([p.age55 for p in cat.PROFESSIONS])
    retire = np.array([p.retire for p in cat.PROFESSIONS])
    other = np.array([p.other for p in cat.PROFESSIONS])
    drift = np.array([p.drift for p in cat.PROFESSIONS])

    # section employment paths
    trend = np.array([s.trend for s in secs]) + r_macro.normal(0.0, 0.004, n_s)
    elast = np.array([s.elasticity for s in secs])
    d_log = trend[:, None] + elast[:, None] * (growth[None, :] - 0.02) + r_macro.normal(0.0, 0.008, (n_s, n_y))
    d_log[:, 0] = 0.0
    active = (years[None, :] >= emp["enters"].to_numpy()[:, None]) & (
        years[None, :] < emp["closes"].to_numpy()[:, None])
    size = emp["size"].to_numpy()
    sec_onehot = np.zeros((n, n_s))
    sec_onehot[np.arange(n), sec_idx] = 1.0
    # starting section totals: the sizes of the employers active in the first year
    sec_total0 = sec_onehot.T @ (size * active[:, 0])
    sec_total0 = np.maximum(sec_total0, sec_onehot.T @ size * 0.5)
    sec_total = sec_total0[:, None] * np.exp(np.cumsum(d_log, axis=1))      # (S, Y)

    # employers' weights within their section drift; entry/exit by the active mask
    w_log = np.log(size)[:, None] + np.cumsum(r_emp.normal(0.0, 0.05, (n, n_y)), axis=1)
    w = np.exp(w_log) * active
    w_sec = sec_onehot.T @ w                                                  # (S, Y)
    head_total = sec_total[sec_idx] * w / np.where(w_sec[sec_idx] > 0, w_sec[sec_idx], 1.0)

    # profession sets and mixes
    k = np.clip(np.rint(2.0 + 1.5 * np.log(size)), 2, None).astype(int)
    logprev = np.log(np.where(prev_e > 0, prev_e, 1e-300))
    score = logprev + r_mix.gumbel(size=(n, n_p))
    rank = np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1, kind="stable")
    has = (rank < k[:, None]) & (prev_e > 0)
    mix0 = prev_e ** 0.8 * r_mix.gamma(1.5, 1.0, (n, n_p))
    sec_trend = r_mix.normal(0.0, 0.012, (n_s, n_p))[sec_idx] + drift[None, :]
    rw = np.cumsum(r_mix.normal(0.0, 0.04, (n, n_p, n_y)), axis=2)
    t_idx = np.arange(n_y)[None, None, :]
    log_mix = np.log(np.where(has, mix0, 1.0))[:, :, None] + sec_trend[:, :, None] * t_idx + rw
    mix = np.where(has[:, :, None], np.exp(log_mix), 0.0)
    mix /= np.maximum(mix.sum(axis=1, keepdims=True), 1e-300)
    target = head_total[:, None, :] * mix
    offset = r_mix.random((n, n_p))[:, :, None]
    employment = np.floor(target + offset).astype(np.int64)

    # ageing and exits
    older = np.zeros_like(employment)
    exits = np.zeros_like(employment)
    e_share = np.clip(age55[None, :] * np.exp(r_staff.normal(0.0, 0.3, (n, n_p))), 0.0, 0.9)
    older[:, :, 0] = r_staff.binomial(employment[:, :, 0], e_share)
    # turning 55: keeps a profession's 55+ share near its starting level, a bit older over time
    ageing = retire * age55 / (1.0 - age55) * 1.08 * (1.0 - other)
    for t in range(1, n_y):
        e_prev, o_prev = employment[:, :, t - 1], older[:, :, t - 1]
        young = e_prev - o_prev
        ret = r_staff.binomial(o_prev, np.broadcast_to(retire, o_prev.shape))
        oth = r_staff.binomial(young, np.broadcast_to(other, young.shape))
        turn = r_staff.binomial(young - oth, np.broadcast_to(np.clip(ageing, 0, 1), young.shape))
        exits[:, :, t] = ret + oth
        stay = e_prev - ret - oth
        o_mid = o_prev - ret + turn
        e_now = employment[:, :, t]
        # lay-offs take older and younger staff alike; hires are younger than 55
        shrink = e_now < stay
        o_now = np.where(shrink, np.rint(o_mid * e_now / np.maximum(stay, 1)).astype(np.int64), o_mid)
        older[:, :, t] = np.minimum(o_now, e_now)

    # vacancies
    vac_rate = r_vac.uniform(0.008, 0.035, n_p) * (1.0 + 4.0 * other)
    cycle = np.exp(4.0 * (growth - 0.02))
    emp_f = np.exp(r_vac.normal(0.0, 0.5, (n, 1, 1)))
    vacancies = r_vac.poisson(vac_rate[None, :, None] * employment * cycle[None, None, :] * emp_f)
    vacancies = np.where(active[:, None, :], vacancies, 0)

    return Population(years=years, employers=emp, professions=profs, employment=employment,
                      older=older, exits=exits, vacancies=vacancies, active=active,
                      grp_growth=growth, scenario=scenario)


def survey_rows(pop: Population, seed: int, first_wave: int, last_wave: int,
                horizon: int) -> pd.DataFrame:
    """The clean survey rows: what respondents report, one row per employer×profession×wave."""
    (r_resp, r_need, r_age, r_date) = _streams(seed + 1, 4)
    n, n_p, n_y = pop.employment.shape
    years = pop.years
    retire = np.array([p.retire for p in cat.PROFESSIONS])
    other = np.array([p.other for p in cat.PROFESSIONS])
    emp = pop.employers
    sec_idx = emp["section_idx"].to_numpy()

    # true hires per year (for the employers' partly informed plans)
    e = pop.employment
    hires = np.zeros_like(e)
    hires[:, :, 1:] = np.maximum(0, e[:, :, 1:] - e[:, :, :-1] + pop.exits[:, :, 1:])

    propensity = r_resp.normal(0.0, 1.5, n)
    age_prop = r_age.normal(1.2, 1.0, n)
    bias_p = np.exp(r_need.normal(np.log(1.35), 0.2, n_p))
    bias_e = np.exp(r_need.normal(0.0, 0.25, n))
    optimism = r_need.normal(0.02, 0.02, n)
    lam = 0.75 * 0.8 ** np.arange(horizon)
    sigma = 0.25 + 0.07 * np.arange(horizon)
    plan_h = np.array([1, 2, 3, 5, horizon])
    plan_p = np.array([0.10, 0.10, 0.25, 0.20, 0.35])

    frames = []
    for w in range(first_wave, last_wave + 1):
        t = int(w - years[0])
        base = r_resp.uniform(0.62, 0.85)
        p_resp = 1.0 / (1.0 + np.exp(-(np.log(base / (1 - base)) + propensity)))
        resp = (r_resp.random(n) < p_resp) & pop.active[:, t]
        # each section keeps at least one respondent (the largest active employer)
        for j in np.unique(sec_idx[pop.active[:, t]]):
            in_j = (sec_idx == j) & pop.active[:, t]
            if not (resp & in_j).any():
                resp[np.flatnonzero(in_j)[np.argmax(e[in_j, :, t].sum(axis=1))]] = True
        e_w, o_w = e[:, :, t], pop.older[:, :, t]
        naive = retire * o_w + other * (e_w - o_w) + np.maximum(0.0, optimism[:, None] * e_w)
        planned = r_need.choice(plan_h, size=n, p=plan_p)
        needs = np.zeros((n, n_p, 10))
        for h in range(1, horizon + 1):
            th = t + h
            true_h = hires[:, :, th] if th < n_y else naive
            x = lam[h - 1] * true_h + (1 - lam[h - 1]) * naive
            if h == 1:
                x = x + 0.5 * pop.vacancies[:, :, t]
            noise = np.exp(r_need.normal(0.0, sigma[h - 1], (n, n_p)) - sigma[h - 1] ** 2 / 2)
            val = x * bias_p[None, :] * bias_e[:, None] * noise
            val = np.where((h <= planned)[:, None] & (r_need.random((n, n_p)) > 0.05), val, 0.0)
            needs[:, :, h - 1] = np.rint(val)
        reports_age = r_age.random(n) < 1.0 / (1.0 + np.exp(-age_prop))
        keep = resp[:, None] & ((e_w > 0) | (needs.sum(axis=2) > 0))
        ei, pi = np.nonzero(keep)
        day = r_date.integers(0, 50, n)
        dated = r_date.random(n) < 0.85
        sub = np.datetime64(f"{w}-10-20") + day.astype("timedelta64[D]")
        df = pd.DataFrame(
            {
                "survey_year": np.full(len(ei), w, dtype=np.int64),
                "inn": emp["inn"].to_numpy()[ei],
                "employer": emp["employer"].to_numpy()[ei],
                "okved": emp["okved"].to_numpy()[ei],
                "okved_section": emp["okved_section"].to_numpy()[ei],
                "municipality": emp["municipality"].to_numpy()[ei],
                "profession_code": pop.professions["profession_code"].to_numpy()[pi],
                "profession": pop.professions["profession"].to_numpy()[pi],
                "education": pop.professions["education"].to_numpy()[pi],
                "headcount": e_w[ei, pi].astype(np.int64),
                "vacancies": pop.vacancies[ei, pi, t].astype(np.int64),
                "age_55plus": np.where(reports_age[ei], o_w[ei, pi], np.nan),
            }
        )
        for h in range(10):
            df[f"need_{h + 1}"] = needs[ei, pi, h].astype(np.int64)
        df["submitted_at"] = pd.Series(np.where(dated[ei], sub[ei], np.datetime64("NaT")),
                                       dtype="datetime64[s]")
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    return out


def truth_tables(pop: Population, last_wave: int, horizon: int):
    """Truth employment (every year) and demand (T+1 … T+H) per section × profession cell."""
    n, n_p, n_y = pop.employment.shape
    n_s = len(cat.SECTIONS)
    sec_idx = pop.employers["section_idx"].to_numpy()
    onehot = np.zeros((n_s, n))
    onehot[sec_idx, np.arange(n)] = 1.0

    def agg(a):  # (n, P, Y) → (S, P, Y)
        return np.einsum("sn,npy->spy", onehot, a.astype(float)).round().astype(np.int64)

    emp_c, exit_c, vac_c = agg(pop.employment), agg(pop.exits), agg(pop.vacancies)
    present = emp_c.sum(axis=2) > 0                                  # (S, P)
    si, pi = np.nonzero(present)
    sec_codes = np.array([s.code for s in cat.SECTIONS])
    codes = pop.professions["profession_code"].to_numpy()
    edus = pop.professions["education"].to_numpy()
    rows = []
    for j, y in enumerate(pop.years):
        rows.append(pd.DataFrame({
            "year": int(y), "okved_section": sec_codes[si], "profession_code": codes[pi],
            "education": edus[pi], "employment": emp_c[si, pi, j]}))
    truth_emp = pd.concat(rows, ignore_index=True)
    t_T = int(last_wave - pop.years[0])
    drows = []
    for h in range(1, horizon + 1):
        j = t_T + h
        x = emp_c[si, pi, j] - emp_c[si, pi, j - 1]
        r = exit_c[si, pi, j]
        v = vac_c[si, pi, t_T] if h == 1 else np.zeros_like(x)
        drows.append(pd.DataFrame({
            "year": int(pop.years[j]), "okved_section": sec_codes[si], "profession_code": codes[pi],
            "education": edus[pi], "expansion": x, "replacement": r, "vacancies": v,
            "demand": np.maximum(0, x + r) + v}))
    truth_dem = pd.concat(drows, ignore_index=True)
    sort = ["year", "okved_section", "profession_code", "education"]
    return (truth_emp.sort_values(sort, kind="stable").reset_index(drop=True),
            truth_dem.sort_values(sort, kind="stable").reset_index(drop=True))


def controls_table(pop: Population, first_wave: int, last_wave: int) -> pd.DataFrame:
    """Employment of the whole frame per section and wave (the control totals)."""
    sec_idx = pop.employers["section_idx"].to_numpy()
    tot = pop.employment.sum(axis=1)                                # (n, Y)
    rows = []
    for w in range(first_wave, last_wave + 1):
        t = int(w - pop.years[0])
        s = np.bincount(sec_idx, weights=tot[:, t] * pop.active[:, t], minlength=len(cat.SECTIONS))
        for j, sec in enumerate(cat.SECTIONS):
            rows.append((w, sec.code, int(round(s[j]))))
    return pd.DataFrame(rows, columns=["survey_year", "okved_section", "employment"])


def historical_demand(pop: Population, first_wave: int, last_wave: int) -> pd.DataFrame:
    """Average yearly §3 demand per profession over the survey years (what planners saw).

    Per section × profession cell and year: max(0, ΔE + exits), summed over sections and
    averaged over first_wave+1 … last_wave. Used to size the colleges' past quotas.
    """
    n_s = len(cat.SECTIONS)
    sec_idx = pop.employers["section_idx"].to_numpy()
    onehot = np.zeros((n_s, len(sec_idx)))
    onehot[sec_idx, np.arange(len(sec_idx))] = 1.0
    t0, t1 = 1, int(last_wave - pop.years[0])
    if t1 < t0:
        d = np.zeros(pop.employment.shape[1])
    else:
        e = np.einsum("sn,npy->spy", onehot, pop.employment[:, :, t0 - 1:t1 + 1].astype(float))
        x = np.einsum("sn,npy->spy", onehot, pop.exits[:, :, t0:t1 + 1].astype(float))
        d = np.maximum(0.0, np.diff(e, axis=2) + x).sum(axis=0).mean(axis=1)
    return pd.DataFrame({"profession_code": pop.professions["profession_code"],
                         "education": pop.professions["education"], "demand": d})
