"""Bottom-up view (methodology.md §2): realisation ratio ρ of stated needs, employer path.

* **Realised demand** of a cell for an origin wave o and horizon h is the §3 demand computed
  from the headcounts of the following waves, with the exit rate r and vacancies of wave o:
  max(0, X[o+h] + r·E[o+h−1]) + [h = 1]·V[o]·vacancy_fill_share (NaN where either wave is
  missing for the cell's section). The realised expansion X[t] is measured on the employers
  that answered both t−1 and t (``headcount_matched − headcount_matched_prev`` of the panel,
  grossed up to the section by E_section[t] / Σ_section headcount_matched), not as the
  difference of the two waves' estimates: respondents change between waves, and that
  sampling noise, pushed through max(0, ·) cell by cell, would inflate realised demand
  (on the sample region by a factor of about two). Where no employer answered both years
  in the section, the plain difference E[t] − E[t−1] is used.
* **Realisation ratio** of a profession (profession_code × education) at horizon h:
  ρ_(p,h) = ρ_(0,h) · f_p. The pooled ratio ρ_(0,h) = Σ realised ÷ Σ stated need N_h[o]
  over all cells and origins with both known carries the horizon profile (plans for the
  near years are inflated, those for later years thinned out by employers who plan only a
  year or two ahead). The profession's factor f_p — how much its employers over- or
  under-state, whatever the horizon — is learned from all its horizons together: its raw
  value f̂_p = Σ_(h,o) realised ÷ Σ_(h,o) ρ_(0,h)·N_h[p,o] (relative to the same ratio pooled
  over professions, f_0), shrunk towards f_0 by empirical Bayes: an observation (p, h, o)
  has variance φ·ρ_(0,h)·N (quasi-Poisson; φ estimated from the within-profession scatter),
  so f̂_p has sampling variance φ/Σρ_0·N; the between-profession variance τ² is the
  DerSimonian–Laird moment estimate; the weight of f̂_p is w = τ²/(τ² + φ/Σρ_0·N) and
  f_p = (w·f̂_p + (1−w)·f_0)/f_0. Why pooled over horizons: estimated per horizon (the
  earlier version), each horizon has a few noisy origins and the DerSimonian–Laird τ² came
  out 0 (every profession the pooled ratio) at the longer horizons; an employer's bias is
  largely the same whatever the horizon, and learning it once from all horizons lowered the
  median 5-year demand wMAPE on the tuning regions of ``benchmarks.bench_demand_regions``
  (with the held shares of :mod:`~forecast.demand.topdown`, 0.219 → 0.204). With a single
  horizon this is the per-horizon estimate. Horizons no past wave can check yet take the
  ratio of the longest horizon that can be checked; with a single wave (nothing to learn
  from) ρ = 1 (needs at face value).
* **Employer path.** E_bu[t] = E_bu[t−1] + ρ_h·N[t] − R[t], R[t] = r·E_bu[t−1], from
  E_bu[T] = E[T], clipped at 0. In the first year the vacancy term V·vacancy_fill_share is
  taken off ρ_1·N_1 first (not below 0): ρ_1·N_1 estimates the first-year demand, which
  includes filling today's vacancies, and those hires fill existing posts rather than add
  employment. Horizons whose stated needs are all 0 in the wave (the form did not ask that
  far) have no bottom-up view (NaN).

Examples
--------
>>> import numpy as np
>>> path = bottom_up_path(np.array([100.0]), np.array([[0.5, 0.5]]), np.array([[20.0, 10.0]]),
...                       np.array([0.05]), np.array([4.0]))
>>> path.round(2).tolist()
[[101.0, 100.95]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: ρ when nothing can be learned (a single wave): needs at face value
RHO_DEFAULT = 1.0


def realised_demand(e_obs: np.ndarray, change: np.ndarray, rates: np.ndarray,
                    vacancies: np.ndarray, h: int, fill: float) -> np.ndarray:
    """Realised demand (cells × origins) at horizon h for origins 0 … K−1−h.

    ``e_obs`` cells × K observed headcounts (NaN missing); ``change`` cells × K the realised
    expansion X[t] into each wave (column 0 unused); ``rates`` and ``vacancies`` cells × K
    (the origin's r and V).
    """
    k = e_obs.shape[1]
    if h >= k:
        return np.empty((e_obs.shape[0], 0))
    prev = e_obs[:, h - 1:k - 1]
    d = np.maximum(0.0, change[:, h:] + rates[:, :k - h] * prev)
    if h == 1:
        d = d + vacancies[:, :k - h] * fill
    return d


def realisation_ratios(e_obs, change, rates, vacancies, needs, prof_index, n_prof, fill,
                       max_h: int):
    """ρ per profession and horizon from the waves 0 … K−1 (module docstring).

    Parameters
    ----------
    e_obs, change, rates, vacancies : arrays cells × K (see :func:`realised_demand`)
    needs : array cells × K × 10 (N_h of each wave)
    prof_index : array (cells,) profession of each cell, 0 … n_prof−1
    max_h : int
        Horizons 1 … max_h are returned.

    Returns
    -------
    rho : array (n_prof, max_h)
    table : DataFrame prof, horizon, rho, rho_pooled, n_obs, weight, rho_raw
        ``weight`` is the empirical-Bayes weight of the profession's own factor (the same at
        every horizon), ``rho_raw`` the profession's unshrunk ratio at that horizon alone.
    """
    k = e_obs.shape[1]
    prof_index = np.asarray(prof_index, int)
    rho = np.full((n_prof, max_h), np.nan)
    learned = []                   # (h, realised sums, need sums, has, pooled), per horizon
    for h in range(1, max_h + 1):
        if h >= k or h > needs.shape[2]:
            break
        real = realised_demand(e_obs, change, rates, vacancies, h, fill)        # cells × (k−h)
        need = needs[:, :k - h, h - 1]
        ok = np.isfinite(real) & np.isfinite(need)
        r_sum = np.zeros((n_prof, k - h))
        n_sum = np.zeros((n_prof, k - h))
        np.add.at(r_sum, prof_index, np.where(ok, real, 0.0))
        np.add.at(n_sum, prof_index, np.where(ok, need, 0.0))
        has = n_sum > 0
        if not has.any():
            break
        learned.append((h, r_sum, n_sum, has, r_sum.sum() / n_sum.sum()))
    if not learned:
        rho[:] = RHO_DEFAULT
        table = pd.DataFrame({"prof": pd.Series(dtype=int), "horizon": pd.Series(dtype=int),
                              "rho": pd.Series(dtype=float),
                              "rho_pooled": pd.Series(dtype=float),
                              "n_obs": pd.Series(dtype=int), "weight": pd.Series(dtype=float),
                              "rho_raw": pd.Series(dtype=float)})
        return rho, table
    # the profession factor from all horizons: observations (p, h, o) against ρ_(0,h)·N
    r_all = np.hstack([r for _, r, _, _, _ in learned])
    e_all = np.hstack([n * pooled for _, _, n, _, pooled in learned])
    has_all = np.hstack([hs for _, _, _, hs, _ in learned]) & (e_all > 0)
    factor, weight = _shrunk_ratio(r_all, e_all, has_all)
    rows = []
    for h, r_sum, n_sum, has, pooled in learned:
        rho[:, h - 1] = pooled * factor
        np_ = n_sum.sum(1)
        raw = np.divide(r_sum.sum(1), np_, out=np.full(n_prof, np.nan), where=np_ > 0)
        rows.append(pd.DataFrame({"prof": np.arange(n_prof), "horizon": h,
                                  "rho": rho[:, h - 1], "rho_pooled": pooled,
                                  "n_obs": has.sum(1), "weight": weight, "rho_raw": raw}))
    last = learned[-1][0]
    rho[:, last:] = rho[:, [last - 1]]
    return rho, pd.concat(rows, ignore_index=True)


def _shrunk_ratio(r_sum: np.ndarray, e_sum: np.ndarray, has: np.ndarray):
    """Empirical-Bayes ratio Σr/Σe per row (observations in columns), as a factor of the
    pooled ratio, and the weight of each row's own ratio (module docstring).

    Rows without observations get the pooled ratio (factor 1, weight 0); no scatter at all
    trusts each row (weight 1).
    """
    n_rows = r_sum.shape[0]
    r_sum = np.where(has, r_sum, 0.0)
    e_sum = np.where(has, e_sum, 0.0)
    rp = r_sum.sum(1)
    ep = e_sum.sum(1)
    if ep.sum() <= 0 or rp.sum() <= 0:
        return np.ones(n_rows), np.zeros(n_rows)
    pooled = rp.sum() / ep.sum()
    raw = np.divide(rp, ep, out=np.full(n_rows, np.nan), where=ep > 0)
    # quasi-Poisson dispersion from the within-row scatter
    resid = np.where(has, (r_sum - np.nan_to_num(raw)[:, None] * e_sum) ** 2
                     / np.where(has, e_sum, 1.0), 0.0)
    used = ep > 0
    p_used = int(used.sum())
    dof = int(has.sum()) - p_used
    phi = resid.sum() / dof if dof > 0 else np.nan
    if np.isfinite(phi) and phi > 0 and p_used > 1:
        wts = ep[used] / phi
        q = (wts * (raw[used] - pooled) ** 2).sum()
        c = wts.sum() - (wts ** 2).sum() / wts.sum()
        tau2 = max(0.0, (q - (p_used - 1)) / c) if c > 0 else 0.0
        weight = np.where(used, tau2 / (tau2 + phi / np.where(used, ep, 1.0)), 0.0)
    elif np.isfinite(phi) and phi == 0:
        weight = used.astype(float)      # no scatter at all: trust each row
    else:
        weight = np.zeros(n_rows)
    est = weight * np.nan_to_num(raw) + (1 - weight) * pooled
    return est / pooled, weight


def bottom_up_path(e0: np.ndarray, rho: np.ndarray, needs: np.ndarray, rate: np.ndarray,
                   vacancies: np.ndarray, fill: float = 1.0) -> np.ndarray:
    """Employment path implied by bias-corrected needs (cells × H), see module docstring.

    ``rho`` and ``needs`` are cells × H (ρ_h and N_h of each cell).
    """
    n, h = needs.shape
    out = np.empty((n, h))
    prev = np.asarray(e0, float)
    hires = rho * needs
    for t in range(h):             # a recursion over the (few) years, vectorised over cells
        add = hires[:, t]
        if t == 0:
            add = np.maximum(0.0, add - vacancies * fill)
        prev = np.maximum(0.0, prev + add - rate * prev)
        out[:, t] = prev
    return out


__all__ = ["realised_demand", "realisation_ratios", "bottom_up_path", "RHO_DEFAULT"]
