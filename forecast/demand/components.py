"""Additional demand from an employment path (methodology.md §3), vectorised over cells.

Arrays are cells × years. ``employment`` has the survey year T in column 0 and the forecast
years T+1 … T+H after it; the returned components have H columns (T+1 … T+H).

Examples
--------
>>> import numpy as np
>>> r = exit_rates(np.array([100.0, 0.0]), np.array([35.0, 0.0]), np.array([100.0, 0.0]))
>>> r.round(3).tolist()
[0.06, 0.03]
>>> x, rep, vac, d = demand_components(np.array([[100.0, 110.0, 90.0]]), np.array([0.05]),
...                                    np.array([4.0]))
>>> x.tolist(), rep.tolist(), vac.tolist(), d.tolist()
([[10.0, -20.0]], [[5.0, 5.5]], [[4.0, 0.0]], [[19.0, 0.0]])
"""

from __future__ import annotations

import numpy as np

from forecast.params import DemandParams


def exit_rates(headcount: np.ndarray, age_55plus: np.ndarray,
               headcount_age_reported: np.ndarray,
               params: DemandParams | None = None) -> np.ndarray:
    """Exit rate r per cell: min(max_exit_rate, O/E / retirement_window + other_exit_rate).

    O/E uses only the rows reporting age_55plus (``age_55plus`` over
    ``headcount_age_reported``); where none does, or the cell's headcount E[T] is 0 (or
    missing), r = default_exit_rate.
    """
    p = params or DemandParams()
    head = np.asarray(headcount, float)
    old = np.asarray(age_55plus, float)
    rep = np.asarray(headcount_age_reported, float)
    ok = (rep > 0) & (np.nan_to_num(head) > 0)
    share = np.divide(old, rep, out=np.zeros_like(rep), where=ok)
    r = np.minimum(p.max_exit_rate, share / p.retirement_window + p.other_exit_rate)
    return np.where(ok, r, p.default_exit_rate)


def demand_components(employment: np.ndarray, rate: np.ndarray, vacancies: np.ndarray,
                      params: DemandParams | None = None):
    """Expansion X, replacement R, vacancy term and demand D for years T+1 … T+H.

    Parameters
    ----------
    employment : array (n, H+1)
        E[T] … E[T+H] per cell.
    rate : array (n,)
        Exit rate r per cell.
    vacancies : array (n,)
        V[T] per cell (weighted).

    Returns
    -------
    expansion, replacement, vacancy_term, demand : arrays (n, H)
        X[t] = E[t] − E[t−1]; R[t] = r·E[t−1]; vacancy term V·vacancy_fill_share in T+1
        only; D[t] = max(0, X + R) + vacancy term (the max per cell).
    """
    p = params or DemandParams()
    e = np.asarray(employment, float)
    x = np.diff(e, axis=1)
    rep = np.asarray(rate, float)[:, None] * e[:, :-1]
    vac = np.zeros_like(x)
    if vac.shape[1]:
        vac[:, 0] = np.asarray(vacancies, float) * p.vacancy_fill_share
    d = np.maximum(0.0, x + rep) + vac
    return x, rep, vac, d


__all__ = ["exit_rates", "demand_components"]
