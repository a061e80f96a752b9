"""The rolling-origin engine behind :func:`forecast.demand.forecast_demand`.

Everything is computed "as if in real time" at a sequence of origins (waves): the last few
past waves (backtest origins) and the survey year T. At each origin o, from the waves ≤ o
only:

1. **Views** of each cell's employment for o+1 … o+H: univariate (AutoForecaster, all
   cells, professions, sections and the total in one vectorised call), top-down (industry
   forecast × projected share) and bottom-up (ρ-corrected needs), see
   :mod:`~forecast.demand.topdown` and :mod:`~forecast.demand.bottomup`. Backtest origins
   use the realised indicator path (key :data:`BACKTEST`); T the reference variant's
   (``base``). The univariate σ_h is handed over explicitly
   (:class:`UnivariateForecast`, :func:`sigma_from_interval`).
2. **Industry model**: the growth regression on the scenario indicator or the univariate
   forecast, whichever had the smaller total absolute error over sections, the total and
   horizons at the earlier origins (univariate until two origins can be compared, and
   always without a scenario file).
3. **Combination**: per horizon h, weights ∝ 1 / MSE of each view over all cells and the
   earlier origins that can be checked at h (Bates–Granger inverse-MSE weights; a horizon
   without checks takes the weights of the longest checked one; equal weights before any
   check). A view missing at a horizon (bottom-up beyond the stated needs) drops out and
   the others' weights are renormalised.
4. **Reconciliation** over total → section → cell with the chosen method; the base
   forecasts are the industry model for the total and sections and the combination for
   cells; ``mint_shrink`` uses the one-step residuals of these base forecasts at the
   earlier origins, its variances shrunk towards the structural scaling
   (:func:`_mint_covariance`).
4b. **Variants** (methodology.md §2): every other variant is the reference's reconciled
   path times (x_v/x_base)^β_i per section i (:func:`_variants`), β_i the section's
   elasticity shrunk to the pooled one, whatever model the base path uses.
5. **Intervals**: employment half-widths z·√(a_h²σ_h² + v_T) per node, σ_h the node's
   univariate forecast standard deviation (profession nodes included: they are calibrated on
   their own errors, not summed from cells) and v_T the sampling variance of the survey
   year's estimate of the node (panel ``headcount_var``; 0 for sections and the total, which
   are control totals). The scale a_h is calibrated per level (cell, profession, section
   and total pooled with sections) and horizon on the reconciled forecasts' errors against
   the later waves at the earlier origins, whose own sampling variance enters the check
   (split-conformal, :mod:`forecast.demand.calibration`; sections — few, with errors
   common within an origin — also get a shrunk per-section factor of σ_h, an all-horizon
   floor, a non-decreasing a_h and a Student-t widening by the number of origins checked;
   past the longest horizon that two or more origins check, the half-width grows at least
   like √h). Why: the truth is the population's
   employment; a later wave's estimate adds its own sampling error to the forecast error,
   and the error at T carries the sampling error of wave T, which varies with how many
   employers answered that year — a multiplier of σ alone, fitted on past waves, made the
   coverage swing with the survey year's response. Demand intervals: σ_1 times the
   empirical quantile of |demand error| / σ_1 per level and horizon (the normal quantile
   until 10 checks exist, see :func:`~forecast.demand.calibration.calibrate_demand`).
   The engine's backtest state is a :class:`BacktestChecks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm

from forecast.demand.calibration import (
    LEVELS, Calibration, calibrate_demand, calibrate_employment, calibrate_sections,
    evidence_horizon, few_origin_widening,
)
from forecast.demand.bottomup import bottom_up_path, realisation_ratios
from forecast.demand.components import demand_components
from forecast.demand.history import (
    History, _actual, check_noise_var, _nodes_sum, build_history, realised_path_demand,
)
from forecast.demand.reconcile import Hierarchy, reconcile, shrink_covariance
from forecast.demand.topdown import (
    ELASTICITY_PRIOR, elasticities, project_shares, regression_forecast, variant_factors,
)
from forecast.params import DemandParams

#: waves of history an origin needs before it is used as a backtest origin
MIN_TRAIN_WAVES = 3
#: backtest origins used (the latest ones before T)
MAX_BACKTEST_ORIGINS = 7
VIEWS = ("univariate", "top_down", "bottom_up")


@dataclass
class OriginResult:
    k: int
    sd: dict            # level → nodes × H univariate σ_h
    views: dict         # "univariate", "bottom_up" → cells × H (top_down: industry × shares)
    shares: np.ndarray  # cells × H projected shares of the top-down view
    industry: dict      # "univariate" → (1+m) × H ; "regression" → {scen: (1+m) × H} or None
    rho: np.ndarray
    rho_table: pd.DataFrame
    needs_available: np.ndarray
    weights: np.ndarray = None
    industry_model: str = "univariate"
    base: dict = field(default_factory=dict)        # scen → nodes × H
    reconciled: dict = field(default_factory=dict)  # scen → nodes × H


#: the interval level asked of the time-series engine to read σ from (see sigma_from_interval)
SIGMA_LEVEL = 80
#: the key of the backtest origins' single "scenario": the realised indicator path
BACKTEST = "realised"


def sigma_from_interval(lo: np.ndarray, hi: np.ndarray, level: float = SIGMA_LEVEL
                        ) -> np.ndarray:
    """The forecast standard deviation σ the engine hands to calibration, read from the
    time-series model's central ``level`` % interval as (hi − lo) / (2·z), z the normal
    quantile: the one place where demand depends on how the models build intervals.

    The public models API returns intervals, not σ; reading σ this way assumes symmetric
    normal intervals. What matters downstream is only σ's shape across nodes and horizons:
    :mod:`forecast.demand.calibration` re-fits every scale on the backtest errors.

    >>> float(sigma_from_interval(np.array([-1.2815515655446004]), np.array([1.2815515655446004]))[0])
    1.0
    """
    z = norm.ppf(0.5 + level / 200.0)
    return (np.asarray(hi, float) - np.asarray(lo, float)) / (2.0 * z)


@dataclass
class UnivariateForecast:
    """The univariate view of every node at one origin: ``mean`` and the forecast standard
    deviation ``sd`` (σ_h, :func:`sigma_from_interval`), each level → nodes × H."""

    mean: dict
    sd: dict


def _univariate(h: History, k: int, horizon: int) -> UnivariateForecast:
    """σ and means for every node from one AutoForecaster call on series up to column k."""
    from forecast.models import AutoForecaster

    tot, sec, prof = _nodes_sum(h, h.e[:, :k + 1])
    blocks = [("total", tot), ("section", sec), ("profession", prof), ("cell", h.e[:, :k + 1])]
    values = np.vstack([b for _, b in blocks])
    n_series, kk = values.shape
    ids = np.repeat(np.arange(n_series), kk)
    ds = np.tile(h.years[:k + 1], n_series)
    y = values.ravel()
    ok = np.isfinite(y)
    df = pd.DataFrame({"unique_id": ids[ok], "ds": ds[ok], "y": y[ok]})
    fc = AutoForecaster(nonnegative=False).fit(df).predict(horizon, level=[SIGMA_LEVEL])
    uid = fc["unique_id"].to_numpy(int)
    step = fc["ds"].to_numpy(int) - h.years[k] - 1
    mean = np.full((n_series, horizon), np.nan)
    sd = np.full((n_series, horizon), np.nan)
    good = (step >= 0) & (step < horizon)
    mean[uid[good], step[good]] = fc["yhat"].to_numpy(float)[good]
    sig = sigma_from_interval(fc[f"yhat_lo_{SIGMA_LEVEL}"].to_numpy(float),
                              fc[f"yhat_hi_{SIGMA_LEVEL}"].to_numpy(float))
    sd[uid[good], step[good]] = sig[good]
    mean = np.maximum(mean, 0.0)
    out_mean, out_sd, start = {}, {}, 0
    for name, b in blocks:
        out_mean[name] = mean[start:start + len(b)]
        out_sd[name] = sd[start:start + len(b)]
        start += len(b)
    return UnivariateForecast(mean=out_mean, sd=out_sd)


def compute_origin(h: History, k: int, horizon: int, log_x: dict | None,
                   dparams: DemandParams) -> OriginResult:
    """All views at origin column k; ``log_x`` scenario → log indicator on years[0]…T+H."""
    uni = _univariate(h, k, horizon)
    mean, sd = uni.mean, uni.sd
    industry_uni = np.vstack([mean["total"], mean["section"]])
    regression = None
    if log_x is not None:
        tot, sec, _ = _nodes_sum(h, h.e[:, :k + 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_e = np.log(np.where(np.vstack([tot, sec]) > 0, np.vstack([tot, sec]), np.nan))
        regression = {}
        for scen, path in log_x.items():
            reg = regression_forecast(log_e, path[:k + 1 + horizon], horizon)
            regression[scen] = np.where(np.isfinite(reg), reg, industry_uni)
    # shares
    _, sec_e, _ = _nodes_sum(h, np.nan_to_num(h.e[:, :k + 1]))
    denom = sec_e[h.parent]
    shares = np.divide(h.e[:, :k + 1], denom, out=np.full_like(denom, np.nan),
                       where=denom > 0)
    # the survey year's shares, held (topdown module docstring: E[T] is the survey's
    # estimate, and a smoothed share would turn its sampling error into expansion)
    shares = project_shares(shares, h.parent, h.m, horizon, smoothing=1.0, damping=0.0)
    # bottom-up
    rho, table = realisation_ratios(h.e_obs[:, :k + 1], h.change[:, :k + 1],
                                    h.rates[:, :k + 1], h.vac[:, :k + 1],
                                    h.needs[:, :k + 1], h.prof_index, h.n_prof,
                                    dparams.vacancy_fill_share, horizon)
    nh = min(horizon, h.needs.shape[2])
    need = np.zeros((h.n, horizon))
    need[:, :nh] = h.needs[:, k, :nh]
    available = need.sum(axis=0) > 0
    e0 = np.nan_to_num(h.e[:, k])
    bu = bottom_up_path(e0, rho[h.prof_index], need, h.rates[:, k], h.vac[:, k],
                        dparams.vacancy_fill_share)
    bu[:, ~available] = np.nan
    bu[np.isnan(h.e[:, k])] = np.nan
    views = {"univariate": mean["cell"], "bottom_up": bu}
    return OriginResult(k=k, sd=sd, views=views, shares=shares,
                        industry={"univariate": industry_uni, "regression": regression},
                        rho=rho, rho_table=table, needs_available=available)


def _industry(o: OriginResult, model: str, scen: str | None):
    if model == "regression" and o.industry["regression"] is not None:
        reg = o.industry["regression"]
        return reg[scen] if scen in reg else next(iter(reg.values()))
    return o.industry["univariate"]


def _cell_views(h: History, o: OriginResult, model: str, scen: str | None):
    ind = _industry(o, model, scen)
    td = ind[1 + h.parent] * o.shares
    return np.stack([o.views["univariate"], td, o.views["bottom_up"]])   # views × n × H


def _weights_from(errors: list[np.ndarray], horizon: int) -> np.ndarray:
    """Inverse-MSE weights (H × views) from squared-error sums/counts of earlier origins."""
    sse = np.zeros((horizon, len(VIEWS)))
    cnt = np.zeros((horizon, len(VIEWS)))
    for s, c in errors:
        sse += s
        cnt += c
    w = np.full((horizon, len(VIEWS)), np.nan)
    checked = (cnt > 0).any(axis=1)
    for t in range(horizon):
        if checked[t]:
            mse = np.divide(sse[t], cnt[t], out=np.full(len(VIEWS), np.nan), where=cnt[t] > 0)
            inv = np.where(np.isfinite(mse), 1.0 / np.maximum(mse, 1e-12), 0.0)
            w[t] = inv / inv.sum() if inv.sum() > 0 else 1.0 / len(VIEWS)
    last = None
    for t in range(horizon):
        if checked[t]:
            last = w[t]
        elif last is not None:
            w[t] = last
    w[np.isnan(w).all(axis=1)] = 1.0 / len(VIEWS)
    return w


def combine(views: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted combination (n × H) of views (V × n × H), renormalising over missing views."""
    w = weights.T[:, None, :]                      # V × 1 × H
    ok = np.isfinite(views)
    num = (np.where(ok, views, 0.0) * w).sum(0)
    den = (ok * w).sum(0)
    return np.divide(num, den, out=np.zeros(views.shape[1:]), where=den > 0)


@dataclass
class EngineResult:
    """Everything :func:`run_engine` found: the history, each origin's forecasts, the
    interval calibration, the industry model of T and the variants' elasticities."""

    history: History
    origins: list[OriginResult]
    scenarios: list[str]
    calibration: Calibration
    levels: tuple
    industry_model: str
    #: β per section (ELASTICITY_COLUMNS), the variants' elasticities (empty without a
    #: scenario indicator)
    elasticities: pd.DataFrame = None


@dataclass
class ViewCheck:
    """One backtest origin's squared errors of each cell view (H × views) and counts."""

    k: int
    sse: np.ndarray
    count: np.ndarray


@dataclass
class IndustryCheck:
    """One origin's absolute error of an industry model over the total and sections."""

    k: int
    model: str
    abs_error: float


@dataclass
class ResidualCheck:
    """One origin's one-step residuals of the base forecasts over all nodes (for MinT)."""

    k: int
    residual: np.ndarray


@dataclass
class BacktestChecks:
    """What the backtest origins tell the later ones and the calibration.

    ``views``, ``industry``, ``residuals``: per origin, used by later origins only
    (:meth:`before`); ``employment``: level → list of (|error|, σ_h, noise variance) arrays
    (nodes × H), ``demand``: level → list of |error| / σ_1 (nodes × H), both
    handed to :mod:`forecast.demand.calibration`.
    """

    views: list = field(default_factory=list)
    industry: list = field(default_factory=list)
    residuals: list = field(default_factory=list)
    employment: dict = field(default_factory=dict)
    demand: dict = field(default_factory=dict)

    @staticmethod
    def before(k: int, items: list) -> list:
        """The checks of origins earlier than k (as if in real time)."""
        return [c for c in items if c.k < k]


def _backtest_origins(h: History) -> list[int]:
    """Backtest origins: real waves (a year without a survey is no origin) with at least
    MIN_TRAIN_WAVES waves up to them, the latest MAX_BACKTEST_ORIGINS, then T."""
    K = len(h.years)
    wave = np.isfinite(h.e_obs).any(axis=0)
    n_before = np.cumsum(wave)
    ks = [k for k in range(K - 1) if wave[k] and n_before[k] >= MIN_TRAIN_WAVES]
    return ks[-MAX_BACKTEST_ORIGINS:] + [K - 1]


def _industry_model(o: OriginResult, checks: BacktestChecks) -> str:
    """The regression if it beat the univariate forecast at two or more earlier origins."""
    if o.industry["regression"] is None:
        return "univariate"
    earlier = checks.before(o.k, checks.industry)
    eu = sum(c.abs_error for c in earlier if c.model == "univariate")
    reg = [c.abs_error for c in earlier if c.model == "regression"]
    return "regression" if len(reg) >= 2 and sum(reg) < eu else "univariate"


def run_engine(h: History, horizon: int, levels, method: str, log_x: dict | None,
               realised_x: np.ndarray | None, scenarios: list[str],
               dparams: DemandParams, progress: bool = False, *,
               reference: str = "base") -> EngineResult:
    """Run every origin (module docstring) and calibrate the intervals."""
    K = len(h.years)
    ks = _backtest_origins(h)
    hier = Hierarchy(h.parent, h.m)
    origins: list[OriginResult] = []
    checks = BacktestChecks()
    iterator = ks
    if progress:
        from tqdm import tqdm
        iterator = tqdm(ks, desc="forecast origins")
    elast = None
    for k in iterator:
        final = k == K - 1
        paths = log_x if final else ({BACKTEST: realised_x} if realised_x is not None else None)
        o = compute_origin(h, k, horizon, paths, dparams)
        o.industry_model = _industry_model(o, checks)
        # combination weights from the earlier origins, checked at horizons ≤ k
        o.weights = _weights_from([(c.sse, c.count) for c in checks.before(k, checks.views)],
                                  horizon)
        # at T only the reference variant is forecast; the others follow from it (§2)
        scen = reference if final else BACKTEST
        res_prev = [c.residual for c in checks.before(k, checks.residuals)]
        base = np.nan_to_num(np.vstack([_industry(o, o.industry_model, scen),
                                        combine(_cell_views(h, o, o.industry_model, scen),
                                                o.weights)]))
        o.base[scen] = base
        o.reconciled[scen] = reconcile(
            base, hier, method, W=_mint_covariance(hier, res_prev, method),
            residuals=np.array(res_prev) if len(res_prev) >= 2 else None)
        origins.append(o)
        if final:
            elast = _variants(h, o, log_x, reference, scenarios)
        else:
            _record_checks(h, o, horizon, dparams, checks)
    return EngineResult(h, origins, scenarios, _calibrate(checks, horizon, levels, h.m),
                        tuple(levels),
                        origins[-1].industry_model, elast)


def _record_checks(h: History, o: OriginResult, horizon: int, dparams: DemandParams,
                   checks: BacktestChecks) -> None:
    """Checks of backtest origin o against the later waves (used by later origins and by
    the calibration)."""
    k = o.k
    act = _actual(h, k, horizon)
    cv = _cell_views(h, o, o.industry_model, BACKTEST)
    err = cv - act["cell"][None]
    ok = np.isfinite(err) & np.isfinite(cv).all(axis=0)[None]
    checks.views.append(ViewCheck(k, np.where(ok, err ** 2, 0.0).sum(axis=1).T,    # H × V
                                  ok.sum(axis=1).T.astype(float)))
    act_ind = np.vstack([act["total"], act["section"]])
    for name in ("univariate", "regression"):
        if name == "regression" and o.industry["regression"] is None:
            continue
        f = _industry(o, name, BACKTEST)
        checks.industry.append(IndustryCheck(k, name, float(np.nansum(np.abs(f - act_ind)))))
    r1 = np.concatenate([act_ind[:, 0], act["cell"][:, 0]]) - o.base[BACKTEST][:, 0]
    if np.isfinite(r1[:1 + h.m]).any():
        checks.residuals.append(ResidualCheck(k, np.nan_to_num(r1)))
    rec = o.reconciled[BACKTEST]
    cells = rec[1 + h.m:]
    fc = {"total": rec[:1], "section": rec[1:1 + h.m], "profession": _nodes_sum(h, cells)[2],
          "cell": cells}
    v_check = check_noise_var(h, k, horizon)
    for level in LEVELS:
        checks.employment.setdefault(level, []).append(
            (np.abs(act[level] - fc[level]), o.sd[level], v_check[level]))
    # demand checks at profession level (and cells), against realised §3 demand
    for level, (d_f, d_a) in _demand_checks(h, k, horizon, cells, act, dparams).items():
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.abs(d_a - d_f) / o.sd[level][:, :1]
        checks.demand.setdefault(level, []).append(z)


def _calibrate(checks: BacktestChecks, horizon: int, levels, n_sections: int) -> Calibration:
    """The interval scales from the backtest checks (:mod:`forecast.demand.calibration`)."""
    cal = Calibration(demand=calibrate_demand(checks.demand, horizon, levels))
    for level in LEVELS:
        emp = checks.employment.get(level, [])
        if level == "total":      # pooled with sections (too few checks alone)
            emp = emp + checks.employment.get("section", [])
        cal.evidence[level] = evidence_horizon(emp, horizon)
        if level == "section":
            cal.employment[level], cal.node_factors[level] = calibrate_sections(
                emp, horizon, levels, n_sections)
        else:
            # checks of one origin share its shocks: a scale fitted on few origins is a
            # few-draw estimate (on independently simulated regions of 4–6 waves the
            # professions' 80 % bands covered 0.72 of the truth without this)
            cal.employment[level] = (calibrate_employment(emp, horizon, levels)
                                     * few_origin_widening(emp, horizon, levels, scale_only=True))
    return cal


#: prior weight, in residual vectors, of the structural scaling in the MinT variances
#: (:func:`_mint_covariance`)
MINT_PRIOR_RESIDUALS = 20.0


def _mint_covariance(hier: Hierarchy, residuals: list, method: str):
    """W for ``mint_shrink`` from the backtest origins' one-step residuals.

    The Schäfer–Strimmer estimate (:func:`~forecast.demand.reconcile.shrink_covariance`)
    with its diagonal shrunk towards the structural scaling of ``wls_struct`` (variance ∝
    the cells under a node, scaled to the residuals' mean variance) by
    MINT_PRIOR_RESIDUALS prior residual vectors, and the low-rank part by the same weight.
    Why: the engine has at most MAX_BACKTEST_ORIGINS one-step residual vectors (one per
    backtest origin, not a long in-sample series as in hierarchicalforecast), so each
    node's own variance rests on two to seven numbers; MinT then moved the cells with a
    noisy residual the most, and the reconciled paths' 5-year profession demand was worse
    than the unreconciled combination on 4 of 5 varied tuning regions of
    ``benchmarks.bench_demand_regions`` (mean wMAPE 0.237 against 0.224 with the prior of
    20; 5 gave 0.226). None for other methods or fewer than two residual vectors
    (``reconcile`` then uses its own rule).
    """
    if method != "mint_shrink" or len(residuals) < 2:
        return None
    r = np.array(residuals)
    k = r.shape[0]
    diag, low, _ = shrink_covariance(r)
    a = hier.aggregation()
    counts = np.concatenate([np.asarray(a.sum(axis=1)).ravel(), np.ones(hier.n_cells)])
    scale = diag.sum() / counts.sum() if counts.sum() > 0 else 1.0
    k0 = MINT_PRIOR_RESIDUALS
    diag = (k * diag + k0 * scale * counts) / (k + k0)
    low = low * np.sqrt(k / (k + k0))
    floor = 1e-9 * max(float(diag.max(initial=0.0)), 1e-12)
    return diag + floor, low


#: columns of EngineResult.elasticities (the Методика sheet's β per industry)
ELASTICITY_COLUMNS = ("okved_section", "beta", "beta_own", "beta_pooled", "beta_pooled_data",
                      "weight")


def _variants(h: History, o: OriginResult, log_x: dict | None, reference: str,
              scenarios: list[str]) -> pd.DataFrame:
    """Fill ``o.reconciled`` of every variant from the reference's path (methodology §2):
    each cell of section i times (x_v[t]/x_ref[t])^β_i, β_i the section's shrunk
    elasticity on the whole history (whatever model the base path uses), never below 0; the
    total and the sections re-aggregated, so each variant is coherent. Returns the
    elasticities (``beta`` as applied; ``beta_own`` and ``beta_pooled`` as estimated)."""
    ref = o.reconciled[reference]
    if log_x is None:
        for scen in scenarios:
            o.reconciled[scen] = ref
        return pd.DataFrame({c: pd.Series(dtype=str if c == "okved_section" else float)
                             for c in ELASTICITY_COLUMNS})
    K = o.k + 1
    _, sec, _ = _nodes_sum(h, h.e[:, :K])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_e = np.log(np.where(sec > 0, sec, np.nan))
    # the pooled slope weighed against ELASTICITY_PRIOR, and never below 0: a stronger
    # economy than base does not lower an industry's employment. A negative slope from a
    # handful of waves is the trend and the noise of the estimate (on independently
    # simulated regions with 4–10 waves, 32 of 185 slopes came out negative although every
    # true one was positive, and variants came out reversed)
    el = elasticities(log_e, log_x[reference][:K], prior=ELASTICITY_PRIOR)
    beta = np.maximum(el.beta, 0.0)
    horizon = ref.shape[1]
    hier = Hierarchy(h.parent, h.m)
    for scen in scenarios:
        if scen == reference:
            continue
        f = variant_factors(beta, log_x[scen][K:K + horizon],
                            log_x[reference][K:K + horizon])
        o.reconciled[scen] = hier.aggregate(ref[1 + h.m:] * f[h.parent])
    return pd.DataFrame({"okved_section": h.sections, "beta": beta,
                         "beta_own": el.beta_own, "beta_pooled": el.beta_pooled,
                         "beta_pooled_data": el.beta_pooled_data, "weight": el.weight})


def _demand_checks(h, k, horizon, cells_fc, act, dparams):
    """Forecast vs realised demand (nodes × H) per level for origin k."""
    e_path = np.hstack([np.nan_to_num(h.e[:, k:k + 1]), cells_fc])
    _, _, _, d_f = demand_components(e_path, h.rates[:, k], h.vac[:, k], dparams)
    d_a = realised_path_demand(h, k, horizon, dparams)
    out = {"cell": (d_f, d_a)}
    tf, sf, pf = _nodes_sum(h, d_f)
    ta, sa, pa = _nodes_sum(h, d_a)
    out["profession"] = (pf, pa)
    out["section"] = (sf, sa)
    out["total"] = (tf, ta)
    return out


__all__ = ["History", "build_history", "run_engine", "EngineResult", "combine",
           "realised_path_demand", "ELASTICITY_COLUMNS"]
