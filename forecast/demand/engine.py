"""The rolling-origin engine behind :func:`forecast.demand.forecast_demand`.

Everything is computed "as if in real time" at a sequence of origins (waves): the last few
past waves (backtest origins) and the survey year T. At each origin o, from the waves ≤ o
only:

1. **Views** of each cell's employment for o+1 … o+H: univariate (AutoForecaster, all
   cells, professions, sections and the total in one vectorised call), top-down (industry
   forecast × projected share) and bottom-up (ρ-corrected needs), see
   :mod:`~forecast.demand.topdown` and :mod:`~forecast.demand.bottomup`. Backtest origins
   use the realised indicator path; T uses each scenario variant.
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
   earlier origins.
5. **Intervals**: employment half-widths z·√(a_h²σ_h² + v_T) per node, σ_h the node's
   univariate forecast standard deviation (profession nodes included: they are calibrated on
   their own errors, not summed from cells) and v_T the sampling variance of the survey
   year's estimate of the node (panel ``headcount_var``; 0 for sections and the total, which
   are control totals). The scale a_h is calibrated per level (cell, profession, section
   and total pooled with sections) and horizon on the reconciled forecasts' errors against
   the later waves at the earlier origins, whose own sampling variance enters the check
   (split-conformal, :func:`_calibrate_employment`; sections — few, with errors common
   within an origin — also get a shrunk per-section factor of σ_h, an all-horizon floor,
   a non-decreasing a_h and a Student-t widening by the number of origins checked, see
   :func:`_calibrate_sections`). Why: the truth is the population's
   employment; a later wave's estimate adds its own sampling error to the forecast error,
   and the error at T carries the sampling error of wave T, which varies with how many
   employers answered that year — a multiplier of σ alone, fitted on past waves, made the
   coverage swing with the survey year's response. Demand intervals: σ_1 times the
   empirical quantile of |demand error| / σ_1 per level and horizon (the normal quantile
   until 10 checks exist, see :func:`_calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as student_t

from forecast.demand.bottomup import bottom_up_path, realisation_ratios
from forecast.demand.components import demand_components
from forecast.demand.history import (
    History, _actual, _noise_var, _nodes_sum, build_history, realised_path_demand,
)
from forecast.demand.reconcile import Hierarchy, reconcile
from forecast.demand.topdown import (
    elasticities, project_shares, regression_forecast, variant_factors,
)
from forecast.params import DemandParams

#: waves of history an origin needs before it is used as a backtest origin
MIN_TRAIN_WAVES = 3
#: backtest origins used (the latest ones before T)
MAX_BACKTEST_ORIGINS = 7
#: checks needed before the empirical interval quantile replaces the normal one
MIN_CALIBRATION = 10
#: employment interval scales pool the checks of horizons h − 1 … h + 1
CALIBRATION_WINDOW = 1
#: prior weight, in checks, of the common scale in a section's own error scale
#: (:func:`_calibrate_sections`; about one origin's horizons)
SECTION_SHRINK_CHECKS = 7
#: fewest degrees of freedom of the section scales' Student-t widening
SECTION_MIN_DF = 2
VIEWS = ("univariate", "top_down", "bottom_up")
LEVELS = ("cell", "profession", "section", "total")


@dataclass
class OriginResult:
    k: int
    sd: dict            # level → nodes × H univariate σ_h
    views: dict         # view → cells × H (top_down per scenario: dict)
    industry: dict      # "univariate" → (1+m) × H ; "regression" → {scen: (1+m) × H} or None
    rho: np.ndarray
    rho_table: pd.DataFrame
    needs_available: np.ndarray
    weights: np.ndarray = None
    industry_model: str = "univariate"
    base: dict = field(default_factory=dict)        # scen → nodes × H
    reconciled: dict = field(default_factory=dict)  # scen → nodes × H


def _univariate(h: History, k: int, horizon: int):
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
    fc = AutoForecaster(nonnegative=False).fit(df).predict(horizon, level=[80])
    uid = fc["unique_id"].to_numpy(int)
    step = fc["ds"].to_numpy(int) - h.years[k] - 1
    mean = np.full((n_series, horizon), np.nan)
    sd = np.full((n_series, horizon), np.nan)
    good = (step >= 0) & (step < horizon)
    mean[uid[good], step[good]] = fc["yhat"].to_numpy(float)[good]
    z = norm.ppf(0.9)
    width = fc["yhat_hi_80"].to_numpy(float) - fc["yhat_lo_80"].to_numpy(float)
    sd[uid[good], step[good]] = (width / (2 * z))[good]
    mean = np.maximum(mean, 0.0)
    out_mean, out_sd, start = {}, {}, 0
    for name, b in blocks:
        out_mean[name] = mean[start:start + len(b)]
        out_sd[name] = sd[start:start + len(b)]
        start += len(b)
    return out_mean, out_sd


def compute_origin(h: History, k: int, horizon: int, log_x: dict | None,
                   dparams: DemandParams) -> OriginResult:
    """All views at origin column k; ``log_x`` scenario → log indicator on years[0]…T+H."""
    mean, sd = _univariate(h, k, horizon)
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
    views = {"univariate": mean["cell"], "shares": shares, "bottom_up": bu}
    return OriginResult(k=k, sd=sd, views=views,
                        industry={"univariate": industry_uni, "regression": regression},
                        rho=rho, rho_table=table, needs_available=available)


def _industry(o: OriginResult, model: str, scen: str | None):
    if model == "regression" and o.industry["regression"] is not None:
        reg = o.industry["regression"]
        return reg[scen] if scen in reg else next(iter(reg.values()))
    return o.industry["univariate"]


def _cell_views(h: History, o: OriginResult, model: str, scen: str | None):
    ind = _industry(o, model, scen)
    td = ind[1 + h.parent] * o.views["shares"]
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
    history: History
    origins: list[OriginResult]
    scenarios: list[str]
    quantiles: dict            # ("demand", level) → H × L multipliers of σ_1;
                               # ("employment", level) → H × L scales a_h (employment_halfwidth);
                               # ("employment_node", "section") → per-section factors of σ_h
    levels: tuple
    industry_model: str
    #: β per section (ELASTICITY_COLUMNS), the variants' elasticities (empty without a
    #: scenario indicator)
    elasticities: pd.DataFrame = None


def run_engine(h: History, horizon: int, levels, method: str, log_x: dict | None,
               realised_x: np.ndarray | None, scenarios: list[str],
               dparams: DemandParams, progress: bool = False, *,
               reference: str = "base") -> EngineResult:
    K = len(h.years)
    # backtest origins: real waves (a year without a survey is no origin) with enough
    # waves before them, the latest MAX_BACKTEST_ORIGINS of them
    wave = np.isfinite(h.e_obs).any(axis=0)
    n_before = np.cumsum(wave)
    ks = [k for k in range(K - 1) if wave[k] and n_before[k] >= MIN_TRAIN_WAVES]
    ks = ks[-MAX_BACKTEST_ORIGINS:] + [K - 1]
    hier = Hierarchy(h.parent, h.m)
    origins: list[OriginResult] = []
    view_err: list = []        # (k, sse H×V, cnt H×V)
    ind_err = {"univariate": [], "regression": []}   # (k, abs error sums per horizon)
    resid: list = []           # (k, one-step residual vector over nodes)
    calib = {}                 # ("demand", level) → list of |z| (nodes × H)
    emp_checks = {}            # level → list of (|error|, σ, noise variance), nodes × H
    iterator = ks
    if progress:
        from tqdm import tqdm
        iterator = tqdm(ks, desc="forecast origins")
    for k in iterator:
        final = k == K - 1
        paths = log_x if final else ({"realised": realised_x} if realised_x is not None else None)
        o = compute_origin(h, k, horizon, paths, dparams)
        # industry model from earlier origins
        model = "univariate"
        if o.industry["regression"] is not None:
            eu = sum(e for kk, e in ind_err["univariate"] if kk < k)
            er = sum(e for kk, e in ind_err["regression"] if kk < k)
            n_cmp = sum(1 for kk, _ in ind_err["regression"] if kk < k)
            if n_cmp >= 2 and er < eu:
                model = "regression"
        o.industry_model = model
        # combination weights from the earlier origins, checked at horizons ≤ k
        earlier = [(s, c) for kk, s, c in view_err if kk < k]
        o.weights = _weights_from(earlier, horizon)
        # at T only the reference variant is forecast; the others follow from it (§2)
        scen_list = [reference] if final else [None]
        res_prev = [r for kk, r in resid if kk < k]
        for scen in scen_list:
            cv = _cell_views(h, o, model, scen)
            cells = combine(cv, o.weights)
            ind = _industry(o, model, scen)
            base = np.vstack([ind, cells])
            base = np.nan_to_num(base)
            o.base[scen] = base
            o.reconciled[scen] = reconcile(
                base, hier, method,
                residuals=np.array(res_prev) if len(res_prev) >= 2 else None)
        origins.append(o)
        if final:
            elast = _variants(h, o, log_x, reference, scenarios)
            break
        # --- checks of this origin against the later waves (used by later origins) ---
        act = _actual(h, k, horizon)
        cv = _cell_views(h, o, model, None)
        err = cv - act["cell"][None]
        ok = np.isfinite(err) & np.isfinite(cv).all(axis=0)[None]
        sse = np.where(ok, err ** 2, 0.0).sum(axis=1).T          # H × V
        cnt = ok.sum(axis=1).T.astype(float)
        view_err.append((k, sse, cnt))
        act_ind = np.vstack([act["total"], act["section"]])
        for name in ("univariate", "regression"):
            if name == "regression" and o.industry["regression"] is None:
                continue
            f = _industry(o, name, "realised")
            e = np.abs(f - act_ind)
            ind_err[name].append((k, float(np.nansum(e))))
        base = o.base[None]
        r1 = np.concatenate([act_ind[:, 0], act["cell"][:, 0]]) - base[:, 0]
        if np.isfinite(r1[:1 + h.m]).any():
            resid.append((k, np.nan_to_num(r1)))
        rec = o.reconciled[None]
        tot, sec, prof = rec[:1], rec[1:1 + h.m], None
        cells = rec[1 + h.m:]
        _, _, prof = _nodes_sum(h, cells)
        fc = {"total": tot, "section": sec, "profession": prof, "cell": cells}
        v0 = _noise_var(h, k)
        v_after = {level: np.full((len(v0[level]), horizon), 0.0) for level in LEVELS}
        for t in range(min(horizon, K - 1 - k)):
            for level, v in _noise_var(h, k + 1 + t).items():
                v_after[level][:, t] = v
        for level in LEVELS:
            emp_checks.setdefault(level, []).append(
                (np.abs(act[level] - fc[level]), o.sd[level],
                 v0[level][:, None] + v_after[level]))
        # demand checks at profession level (and cells), against realised §3 demand
        for level, (d_f, d_a) in _demand_checks(h, k, horizon, cells, act, dparams).items():
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.abs(d_a - d_f) / o.sd[level][:, :1]
            calib.setdefault(("demand", level), []).append(z)
    quantiles = _calibrate(calib, horizon, levels)
    for level in LEVELS:
        checks = emp_checks.get(level, [])
        if level == "total":      # pooled with sections (too few checks alone)
            checks = checks + emp_checks.get("section", [])
        if level == "section":
            a, f = _calibrate_sections(checks, horizon, levels, h.m)
            quantiles[("employment", level)] = a
            quantiles[("employment_node", level)] = f
        else:
            quantiles[("employment", level)] = _calibrate_employment(checks, horizon, levels)
    return EngineResult(h, origins, scenarios, quantiles, tuple(levels),
                        origins[-1].industry_model, elast)


#: columns of EngineResult.elasticities (the Методика sheet's β per industry)
ELASTICITY_COLUMNS = ("okved_section", "beta", "beta_own", "beta_pooled", "weight")


def _variants(h: History, o: OriginResult, log_x: dict | None, reference: str,
              scenarios: list[str]) -> pd.DataFrame:
    """Fill ``o.reconciled`` of every variant from the reference's path (methodology §2):
    each cell of section i times (x_v[t]/x_ref[t])^β_i, β_i the section's shrunk
    elasticity on the whole history (whatever model the base path uses); the total and the
    sections re-aggregated, so each variant is coherent. Returns the elasticities."""
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
    el = elasticities(log_e, log_x[reference][:K])
    horizon = ref.shape[1]
    hier = Hierarchy(h.parent, h.m)
    for scen in scenarios:
        if scen == reference:
            continue
        f = variant_factors(el.beta, log_x[scen][K:K + horizon],
                            log_x[reference][K:K + horizon])
        o.reconciled[scen] = hier.aggregate(ref[1 + h.m:] * f[h.parent])
    return pd.DataFrame({"okved_section": h.sections, "beta": el.beta,
                         "beta_own": el.beta_own, "beta_pooled": el.beta_pooled,
                         "weight": el.weight})


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


def _calibrate(calib, horizon, levels):
    """Demand half-width multipliers q[("demand", level)] (H × len(levels)) of σ_1."""
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    out = {}
    for kind in ("demand",):
        for level in LEVELS:
            zs = list(calib.get((kind, level), []))
            if level == "total":      # pooled with sections (too few checks alone)
                zs = zs + list(calib.get((kind, "section"), []))
            q = np.tile(zq, (horizon, 1))
            last = None
            for t in range(horizon):
                vals = np.concatenate([z[:, t] for z in zs]) if zs else np.array([])
                vals = vals[np.isfinite(vals)]
                if len(vals) >= MIN_CALIBRATION:
                    ratio = np.quantile(vals, np.asarray(levels) / 100.0) / zq
                    # an empirical quantile needs enough checks beyond it (≥ 2 outside);
                    # a level without them takes the ratio of the lowest level
                    enough = len(vals) * (1 - np.asarray(levels) / 100.0) >= 2
                    ratio = np.where(enough, ratio, ratio[0])
                    q[t] = ratio * zq
                    last = ratio
                elif last is not None:
                    q[t] = last * zq
            out[(kind, level)] = q
    return out


def _coverage(a, err, sd, var, z):
    """Share of checks with |error| ≤ z·√(a²σ² + noise variance), for each scale a."""
    half = z * np.sqrt(np.multiply.outer(a ** 2, sd ** 2) + var)
    return (err <= half).mean(axis=-1)


def _calibrate_employment(checks, horizon, levels, window: int = CALIBRATION_WINDOW):
    """Scales a (H × len(levels)) of the univariate σ_h in the employment half-width
    z·√(a²σ_h² + v), v the sampling variance of the origin wave's estimate.

    The backtest compares a forecast from wave o with the estimate of wave o+h, whose error
    is the forecast error plus the sampling error of wave o+h; the checks are therefore
    scored against z·√(a²σ² + v_o + v_(o+h)), and a is the smallest scale at which the
    share covered reaches the level (split-conformal, found by bisection: the share grows
    with a). The interval for the truth at T drops the later wave's term: z·√(a²σ² + v_T),
    so a survey year answered by fewer employers (larger v_T) gets wider intervals. The
    checks of horizon h are pooled with those of h ± CALIBRATION_WINDOW (long horizons have
    one or two origins; σ_h carries the growth with h). The normal σ (a = 1) until
    MIN_CALIBRATION checks exist; a horizon without them takes the longest calibrated
    horizon's a, a level with fewer than two checks beyond its quantile the lowest level's a.
    """
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    out = np.ones((horizon, len(levels)))
    last = None
    for t in range(horizon):
        # the checks of horizons t−1 … t+1: long horizons have few origins (one or two),
        # and σ_h already carries the growth with the horizon
        ts = range(max(0, t - window), min(horizon, t + window + 1))
        parts = [np.column_stack([e[:, tt], s[:, tt], v[:, tt]]) for e, s, v in checks
                 for tt in ts]
        vals = np.vstack(parts) if parts else np.empty((0, 3))
        vals = vals[np.isfinite(vals).all(axis=1) & (vals[:, 1] > 0)]
        if len(vals) < MIN_CALIBRATION:
            if last is not None:
                out[t] = last
            continue
        err, sd, var = vals.T
        a = np.empty(len(levels))
        for j, (lv, z) in enumerate(zip(levels, zq)):
            target = lv / 100.0
            lo, hi = 0.0, 1.0
            while _coverage(np.array([hi]), err, sd, var, z)[0] < target and hi < 1e4:
                hi *= 2.0
            for _ in range(40):
                mid = (lo + hi) / 2.0
                if _coverage(np.array([mid]), err, sd, var, z)[0] >= target:
                    hi = mid
                else:
                    lo = mid
            a[j] = hi
        enough = len(vals) * (1 - np.asarray(levels) / 100.0) >= 2
        a = np.where(enough, a, a[0])
        out[t] = a
        last = a
    return out


def _node_factors(checks, n0: float, n_nodes: int) -> np.ndarray:
    """Each node's error scale relative to the level's (nodes), from the checks of every
    horizon and origin: f² = (Σ r² / r̄² + n0) / (n + n0), r = √max(e² − v, 0) / σ_h over
    the node's n checks and r̄² the mean r² of all nodes; shrunk to 1 by n0 prior checks.
    """
    num, cnt, tot, n_all = 0.0, 0.0, 0.0, 0
    for e, s, v in checks:
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.maximum(e ** 2 - v, 0.0) / s ** 2
        r2 = np.where(np.isfinite(r2) & (s > 0), r2, np.nan)
        num = num + np.nansum(r2, axis=1)
        cnt = cnt + np.isfinite(r2).sum(axis=1)
        tot += float(np.nansum(r2))
        n_all += int(np.isfinite(r2).sum())
    if n_all == 0 or tot <= 0:
        return np.ones(n_nodes)
    return np.sqrt((num / (tot / n_all) + n0) / (cnt + n0))


def _calibrate_sections(checks, horizon, levels, n_nodes: int):
    """Section scales a (H × len(levels)) and per-section factors f (sections) for the
    half-width z·√(a²(f σ_h)²) (sections are control totals: v = 0).

    Sections are few (~12) and their backtest errors are common within an origin (one
    region-wide path), so the checks of a horizon are worth about as many independent
    draws as origins — one or two at long horizons — and the split-conformal scale of
    :func:`_calibrate_employment` alone came out too narrow (the reporting regions' 80 %
    coverage 0.56 in the worst region, 0.46 among the tuning regions). Hence:

    1. f: a section whose σ_h is misspecified misses at every origin and horizon (its
       backtest ratio |e|/σ ranks with its error after T), so each section's own error
       scale, shrunk to the common one by SECTION_SHRINK_CHECKS prior checks, rescales σ_h;
    2. a on the rescaled checks per horizon (h ± 1), at least the scale of all horizons
       pooled (many origins), and non-decreasing in h (the fewer origins of a long
       horizon are no evidence that its errors shrink relative to σ_h);
    3. widened by t_ν(q)/z(q), ν the number of origins checked in the window (at least
       SECTION_MIN_DF): a scale estimated from ν independent draws gives Student-t, not
       normal, quantiles — intervals from few errors err wide. Without any backtest
       origin (a region with MIN_TRAIN_WAVES waves or fewer) a = 1, f = 1 and the same
       widening with ν = SECTION_MIN_DF: σ_h then comes from two or three points, and the
       unwidened normal σ covered the truth of sections 0.60/0.70 (80/95 %, 2 waves) and
       0.76/0.90 (3 waves) on four generated regions, 0.69/0.82 and 0.89/0.99 widened.
    """
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in levels])
    f = _node_factors(checks, SECTION_SHRINK_CHECKS, n_nodes)
    scaled = [(e, s * f[:, None], v) for e, s, v in checks]
    a = np.maximum(_calibrate_employment(scaled, horizon, levels),
                   _calibrate_employment(scaled, horizon, levels, window=horizon))
    a = np.maximum.accumulate(a, axis=0)
    n_orig = np.zeros(horizon)
    for t in range(horizon):
        ts = slice(max(0, t - CALIBRATION_WINDOW), min(horizon, t + CALIBRATION_WINDOW + 1))
        n_orig[t] = sum(bool(np.isfinite(e[:, ts]).any()) for e, _, _ in checks)
    # no origin at all (fewer than MIN_TRAIN_WAVES + 1 waves): σ_h from two or three points
    # is itself a few-draw estimate, so the widening of the fewest origins applies
    df = np.maximum(n_orig, SECTION_MIN_DF)
    widen = student_t.ppf(0.5 + np.asarray(levels)[None, :] / 200.0, df[:, None]) / zq
    return a * widen, f


def employment_halfwidth(res: "EngineResult", o: OriginResult, level: str) -> np.ndarray:
    """Half-widths (nodes × H × len(levels)) of the employment intervals at origin o:
    z·√(a²(fσ_h)² + v_o), non-decreasing in the level (see :func:`_calibrate_employment`;
    f the per-node factors of :func:`_calibrate_sections`, 1 elsewhere)."""
    a = res.quantiles[("employment", level)]                    # H × L
    zq = np.array([norm.ppf(0.5 + lv / 200.0) for lv in res.levels])
    sd = np.nan_to_num(o.sd[level])                             # nodes × H
    f = res.quantiles.get(("employment_node", level))
    if f is not None:
        sd = sd * f[:, None]
    v = _noise_var(res.history, o.k)[level]                     # nodes
    half = zq * np.sqrt(a[None] ** 2 * sd[:, :, None] ** 2 + v[:, None, None])
    return np.maximum.accumulate(half, axis=2)


__all__ = ["History", "build_history", "run_engine", "EngineResult", "combine",
           "employment_halfwidth", "realised_path_demand"]
