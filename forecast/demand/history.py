"""The survey panel as cells × years arrays, and the "actuals" backtests compare with.

:class:`History` holds, for the consecutive years from the first wave to T, each cell's
observed weighted headcount (NaN where its section was not surveyed), the same with gaps
filled (interior gaps linearly, trailing gaps carried forward), the realised expansion
measured on matched employers (:mod:`forecast.demand.bottomup`), vacancies, exit rates per
wave (§3, from each wave's O/E), and stated needs; plus the section and profession of each
cell. The functions below aggregate cells to professions, sections and the total
(NaN-propagating) and give the observed and realised-demand actuals after an
origin, and the sampling variance of each wave's estimate per level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.columns import NEED_COLUMNS
from forecast.demand.components import exit_rates
from forecast.panel import CELL_KEYS, Panel
from forecast.params import DemandParams


@dataclass
class History:
    """Cells × years arrays of the panel (years consecutive from the first wave to T)."""

    keys: pd.DataFrame
    years: np.ndarray
    e_obs: np.ndarray
    change: np.ndarray
    e: np.ndarray
    vac: np.ndarray
    rates: np.ndarray
    needs: np.ndarray
    sections: np.ndarray
    parent: np.ndarray
    profs: pd.DataFrame
    prof_index: np.ndarray
    #: sampling variance of e_obs (panel ``headcount_var``; 0 where unknown or unsurveyed)
    e_var: np.ndarray | None = None
    #: per wave, the correlation of its sampling errors with the wave before's, from the
    #: respondents both answered (:func:`_wave_overlap`; used by :func:`check_noise_var`)
    overlap: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.keys)

    @property
    def m(self) -> int:
        return len(self.sections)

    @property
    def n_prof(self) -> int:
        return len(self.profs)


def build_history(panel: Panel, dparams: DemandParams) -> History:
    cells = panel.cells
    keys = cells[list(CELL_KEYS)].drop_duplicates().sort_values(list(CELL_KEYS),
                                                                kind="mergesort")
    keys = keys.reset_index(drop=True)
    years = np.arange(min(panel.waves), max(panel.waves) + 1)
    idx = pd.MultiIndex.from_frame(keys)
    row = idx.get_indexer(pd.MultiIndex.from_frame(cells[list(CELL_KEYS)]))
    col = cells["survey_year"].to_numpy(int) - years[0]
    n, k = len(keys), len(years)

    def grid(name, fill=np.nan):
        a = np.full((n, k), fill)
        a[row, col] = cells[name].to_numpy(float)
        return a

    e_obs = grid("headcount")
    e_var = (np.nan_to_num(grid("headcount_var")) if "headcount_var" in cells.columns
             else np.zeros((n, k)))
    e = _fill_rows(e_obs)
    matched = grid("headcount_matched")
    change = _realised_change(e_obs, matched, grid("headcount_matched_prev"),
                              keys["okved_section"].to_numpy(str))
    overlap = _wave_overlap(panel, e_obs, matched, years)
    vac = np.nan_to_num(grid("vacancies"))
    old = _ffill(grid("age_55plus"))
    rep = _ffill(grid("headcount_age_reported"))
    rates = exit_rates(e, np.nan_to_num(old), np.nan_to_num(rep), dparams)
    needs = np.zeros((n, k, len(NEED_COLUMNS)))
    for j, c in enumerate(NEED_COLUMNS):
        needs[row, col, j] = cells[c].to_numpy(float)
    sections, parent = np.unique(keys["okved_section"].to_numpy(str), return_inverse=True)
    pk = keys[["profession_code", "education"]]
    profs = pk.drop_duplicates().sort_values(["profession_code", "education"],
                                             kind="mergesort").reset_index(drop=True)
    prof_index = pd.MultiIndex.from_frame(profs).get_indexer(pd.MultiIndex.from_frame(pk))
    return History(keys, years, e_obs, change, e, vac, rates, needs, sections, parent, profs,
                   prof_index, e_var, overlap)


def _wave_overlap(panel: Panel, e_obs, matched, years) -> np.ndarray:
    """Correlation of consecutive waves' sampling errors, per wave (0 in the first).

    Two samples of fraction f of one population sharing a share m of their members have
    sampling errors correlated by (m − f)/(1 − f) (without-replacement sampling: samples
    drawn independently already share f by chance, and that overlap is what the finite-
    population correction of the design variance accounts for). m is the share of the
    wave's weighted headcount answered by employers of the wave before (``headcount_matched``
    ÷ ``headcount``), f the wave's sampling fraction (``headcount_answered`` ÷ ``headcount``
    of the sections). A Panel without ``headcount_answered`` (built by hand) gets 0.
    """
    k = len(years)
    if "headcount_answered" not in panel.sections.columns:    # a Panel built by hand
        return np.zeros(k)
    tot = np.nansum(e_obs, axis=0)
    m = np.divide(np.nansum(matched, axis=0), tot, out=np.zeros(k), where=tot > 0)
    sec = panel.sections.groupby("survey_year")[["headcount", "headcount_answered"]].sum()
    sec = sec.reindex(years)
    f = np.divide(sec["headcount_answered"].to_numpy(float), sec["headcount"].to_numpy(float),
                  out=np.zeros(k), where=sec["headcount"].to_numpy(float) > 0)
    f = np.nan_to_num(np.clip(f, 0.0, 1.0))
    rho = np.divide(m - f, 1.0 - f, out=np.zeros(k), where=f < 1.0)
    rho[0] = 0.0
    return np.clip(rho, 0.0, 1.0)


def _realised_change(e_obs, cur, prev, section):
    """X[t] per cell from the employers answering t−1 and t (bottomup module docstring)."""
    n, k = e_obs.shape
    plain = np.full((n, k), np.nan)
    plain[:, 1:] = e_obs[:, 1:] - e_obs[:, :-1]
    cur = np.nan_to_num(cur)
    prev = np.nan_to_num(prev)
    _, sec = np.unique(section, return_inverse=True)
    m = sec.max(initial=-1) + 1
    e_sec = np.zeros((m, k))
    np.add.at(e_sec, sec, np.nan_to_num(e_obs))
    m_sec = np.zeros((m, k))
    np.add.at(m_sec, sec, cur)
    factor = np.divide(e_sec, m_sec, out=np.zeros_like(e_sec), where=m_sec > 0)[sec]
    matched = factor * (cur - prev)
    has = (m_sec > 0)[sec] & np.isfinite(plain)
    out = np.where(has, matched, plain)
    out[:, 0] = np.nan
    return out


def _ffill(a):
    return pd.DataFrame(a.T).ffill().to_numpy().T


def _fill_rows(a):
    """Interior gaps interpolated linearly, trailing gaps carried forward, leading kept NaN."""
    df = pd.DataFrame(a.T)
    return df.interpolate(limit_area="inside").ffill().to_numpy().T


def _group_sum(values, index, size):
    """Sum rows of ``values`` into ``size`` groups; NaN if any member is NaN."""
    out = np.zeros((size,) + values.shape[1:])
    np.add.at(out, index, np.nan_to_num(values))
    bad = np.zeros((size,) + values.shape[1:])
    np.add.at(bad, index, np.isnan(values).astype(float))
    out[bad > 0] = np.nan
    return out


def _nodes_sum(h: History, cells):
    """(total, sections, professions) aggregates of a cells × … array (NaN-propagating)."""
    sec = _group_sum(cells, h.parent, h.m)
    tot = _group_sum(sec, np.zeros(h.m, int), 1)
    prof = _group_sum(cells, h.prof_index, h.n_prof)
    return tot, sec, prof


def _actual(h: History, k: int, horizon: int):
    """Observed nodes at k+1 … k+horizon (NaN beyond T or where not surveyed)."""
    K = len(h.years)
    cells = np.full((h.n, horizon), np.nan)
    j = min(horizon, K - 1 - k)
    if j > 0:
        cells[:, :j] = h.e_obs[:, k + 1:k + 1 + j]
    tot, sec, prof = _nodes_sum(h, cells)
    return {"total": tot, "section": sec, "profession": prof, "cell": cells}


def realised_path_demand(h: History, k: int, horizon: int, dparams: DemandParams):
    """Realised §3 demand (cells × horizon) after origin k, NaN beyond T (bottomup docs)."""
    K = len(h.years)
    out = np.full((h.n, horizon), np.nan)
    for t in range(min(horizon, K - 1 - k)):
        prev = h.e_obs[:, k + t]
        d = np.maximum(0.0, h.change[:, k + t + 1] + h.rates[:, k] * prev)
        if t == 0:
            d = d + h.vac[:, k] * dparams.vacancy_fill_share
        out[:, t] = d
    return out


def _noise_var(h: History, k: int):
    """Sampling variance of wave k's estimate per level: cells, professions as the sum of
    their cells (sections are sampled independently); sections and the total are the
    control totals, without sampling error."""
    v = np.zeros(h.n) if h.e_var is None else h.e_var[:, k]
    prof = np.zeros(h.n_prof)
    np.add.at(prof, h.prof_index, v)
    return {"total": np.zeros(1), "section": np.zeros(h.m), "profession": prof, "cell": v}


def check_noise_var(h: History, k: int, horizon: int) -> dict:
    """Sampling variance of a backtest check, per level (nodes × horizon): the error of a
    forecast from wave k against the estimate of wave k+1+t carries both waves' sampling
    errors, v_k + v_(k+1+t) − 2ρ√(v_k·v_(k+1+t)). Respondents answering both waves make
    the two errors alike: ρ is the product of the consecutive waves' correlations in between
    (:attr:`History.overlap`; none known: 0), so a panel answered by the same employers every
    year is not credited with noise its checks do not carry. 0 past the last wave.
    """
    v0 = _noise_var(h, k)
    K = len(h.years)
    ov = np.zeros(K) if h.overlap is None else h.overlap
    out = {level: np.zeros((len(v), horizon)) for level, v in v0.items()}
    for t in range(min(horizon, K - 1 - k)):
        rho = float(np.prod(ov[k + 1:k + 2 + t]))
        for level, v in _noise_var(h, k + 1 + t).items():
            out[level][:, t] = v0[level] + v - 2.0 * rho * np.sqrt(v0[level] * v)
    return out


__all__ = ["History", "check_noise_var", "build_history", "realised_path_demand"]
