"""Top-down view (methodology.md §2): industry employment and profession shares.

* **Scenario paths.** ``scenario.csv`` (year, indicator, value, variant) gives regional
  indicators; history rows carry an empty variant or repeat under every variant. The
  regression uses one indicator: the first whose name mentions gross regional product
  (``grp``, ``врп``, ``gdp``, ``gross``), else the first indicator in text order with
  positive values throughout (numbers may use a decimal comma, as in the other input
  tables). A variant's path is its own rows, completed by the history
  rows for years it lacks; years missing inside are log-linearly interpolated and years past
  its last value keep its last growth rate. Backtests use the *realised* path (history rows,
  continued by the ``base`` variant, else the first variant, where history ends).
* **Industry regression.** Growth form Δlog E[i,t] = α_i + β_i·Δlog X_t: the within-section
  slope β pooled over sections, each section's own slope shrunk towards it with a prior
  weight equal to the median section's Σ(x−x̄)² (so a typical section's data and the pooled
  slope count equally), α_i = ȳ_i − β_i·x̄_i (the section's trend beyond the indicator).
  Forecast: log E[i,T+h] = log E[i,T] + Σ_{j≤h} (α_i + β_i·Δlog X_{T+j}). An indicator
  whose growth never varied in the training years identifies no slope: β = 0 (drift only). Whether this or
  the section's univariate forecast is used for the *base* path is chosen by rolling-origin
  backtest (``forecast.demand.engine``).
* **Variants** (methodology.md §2): every variant other than the reference (``base``, else
  the first variant in :func:`forecast.params.scenario_order`) is the reference's final path
  times (x_v[t]/x_base[t])^β_i (:func:`variant_factors`), β_i the section's shrunk elasticity
  above, estimated on the whole history whichever model the backtest chose for the base path;
  every cell of section i takes the section's factor, so the variant stays coherent.
* **Shares** s[i,p,l] = E[i,p,l]/E[i]: :func:`project_shares` projects them as a level
  (exponentially weighted mean of the shares, ``smoothing``, so recent waves count most) plus
  the share's linear trend over the last five waves, damped (``damping`` φ a year, so the
  trend adds at most φ/(1−φ) years' worth), clipped at 0 and renormalised to sum to 1 in
  each section. The engine holds the survey year's shares (``smoothing=1``, ``damping=0``),
  so that E_td[T+h] = E[i,T+h] · E[i,p,l,T] / E[i,T] starts from the survey's estimate of
  the cell: demand (§3) takes E[T] as that estimate, and a smoothed share would make the
  first year's expansion absorb the gap between the smoothed and the survey year's share —
  the survey year's sampling error, not a flow. On the 12 tuning regions of
  ``benchmarks.bench_demand_regions`` this cut the profession-level error of the 5-year
  expansion (median 0.21 → 0.19 of demand) and of the top-down view's demand.

Examples
--------
>>> import numpy as np
>>> s = project_shares(np.array([[0.5, 0.6], [0.5, 0.4]]), np.array([0, 0]), 1, 2)
>>> bool(np.allclose(s.sum(axis=0), 1.0)), bool((s >= 0).all())
(True, True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.errors import ConfigError, InputError, cell_error
from forecast.params import scenario_order
from forecast.tabular import decimal_numbers

SHARE_SMOOTHING = 0.5
SHARE_TREND_WAVES = 5
SHARE_DAMPING = 0.7
#: prior of the pooled elasticity the scenario variants apply (mean, s.d.): employment
#: grows by about half the indicator's relative deviation, anywhere between 0 and 1 —
#: weakly informative, so that a few waves whose slope is the trend's noise (or an indicator
#: history too short to give one) do not decide the variants alone (:func:`elasticities`)
ELASTICITY_PRIOR = (0.5, 0.25)
_GRP_RE = re.compile(r"grp|врп|gdp|gross|валов", re.IGNORECASE)


def _clean_scenario(scenario: pd.DataFrame) -> pd.DataFrame:
    # messages name the file when the reader recorded it (``attrs["table"]``)
    table = str(scenario.attrs.get("table", "scenario table"))
    cols = {"year", "indicator", "value"}
    missing = cols - set(scenario.columns)
    if missing:
        raise cell_error(table, None, None, f"lacks column(s) {', '.join(sorted(missing))}; "
                         "need year, indicator, value, variant")
    df = pd.DataFrame({
        "year": decimal_numbers(scenario["year"]),
        "indicator": scenario["indicator"].astype(str).str.strip(),
        "value": decimal_numbers(scenario["value"]),
        "variant": (scenario["variant"].fillna("").astype(str).str.strip()
                    if "variant" in scenario.columns else ""),
    })
    for col in ("year", "value"):
        bad = df[col].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise cell_error(table, row + 2, col, f"{scenario[col].iloc[row]!r} is not a number")
    df["variant"] = df["variant"].replace({"nan": "", "None": ""})
    df["year"] = df["year"].astype("int64")
    return df


def check_scenario_coverage(table: pd.DataFrame | None, survey_year: int, horizon: int) -> None:
    """Every scenario variant must reach the last forecast year T + H (ConfigError, exit 2).

    Choice (issue 14): a scenario that stops short is an error naming its last year, not
    silently extended — an extension rule would be a forecast of the indicators that the
    region's socio-economic forecast did not make. History rows (empty variant) count for
    every variant.
    """
    if table is None or not len(table):
        return
    df = _clean_scenario(table)
    years, variant = df["year"], df["variant"]
    common = years[variant == ""]
    last_needed = survey_year + horizon
    for v in sorted(set(variant) - {""}) or [""]:
        covered = pd.concat([common, years[variant == v]]).max()
        if not covered >= last_needed:
            last = "no year" if pd.isna(covered) else str(int(covered))
            name = f" variant {v!r}" if v else ""
            raise ConfigError(
                f"forecast.scenario: {table.attrs.get('table', 'the scenario table')}{name} ends in "
                f"{last}, but the forecast runs to {last_needed} (survey year {survey_year} + forecast.horizon "
                f"{horizon}); extend the scenario to {last_needed} or shorten forecast.horizon")


def scenario_variants(scenario: pd.DataFrame | None) -> list[str]:
    """Variants of a scenario table in :func:`forecast.params.scenario_order`."""
    if scenario is None or len(scenario) == 0:
        return ["base"]
    df = _clean_scenario(scenario)
    names = {v for v in df["variant"] if v}
    if not names:
        return ["base"]
    return scenario_order(names)


def choose_indicator(scenario: pd.DataFrame) -> str | None:
    """The indicator the regression uses (see module docstring), or None."""
    df = _clean_scenario(scenario)
    names = sorted(df["indicator"].unique())
    pos = [n for n in names if (df.loc[df["indicator"] == n, "value"] > 0).all()]
    grp = [n for n in pos if _GRP_RE.search(n)]
    return (grp or pos or [None])[0]


def _fill_path(values: pd.Series, years: np.ndarray) -> np.ndarray:
    """log path on ``years`` from a year-indexed series of positive values."""
    s = np.log(values.groupby(level=0).mean().sort_index())
    known = s.index.to_numpy()
    out = np.interp(years, known, s.to_numpy())
    if len(known) >= 2:
        g = s.iloc[-1] - s.iloc[-2]
        after = years > known[-1]
        out[after] = s.iloc[-1] + g * (years[after] - known[-1])
        g0 = s.iloc[1] - s.iloc[0]
        before = years < known[0]
        out[before] = s.iloc[0] + g0 * (years[before] - known[0])
    return out


def reference_variant(variants: list[str]) -> str:
    """The variant the others deviate from: ``base``, else the first in scenario order."""
    return "base" if "base" in variants else scenario_order(variants)[0]


def scenario_paths(scenario: pd.DataFrame | None, years: np.ndarray,
                   variants: list[str]) -> tuple[str | None, dict[str, np.ndarray] | None,
                                                 np.ndarray | None]:
    """log indicator paths on ``years`` per variant, and the realised path for backtests."""
    if scenario is None or len(scenario) == 0:
        return None, None, None
    df = _clean_scenario(scenario)
    ind = choose_indicator(scenario)
    if ind is None:
        return None, None, None
    d = df[df["indicator"] == ind]
    hist = d[d["variant"] == ""]
    names = sorted({v for v in d["variant"] if v})
    paths = {}
    for v in variants:
        own = d[d["variant"] == v]
        if own.empty and names:
            raise InputError(f"scenario table: variant {v!r} has no rows for indicator {ind!r}")
        rows = pd.concat([hist[~hist["year"].isin(own["year"])], own])
        paths[v] = _fill_path(rows.set_index("year")["value"], years)
    if hist.empty:
        # history repeated under every variant: the years all variants agree on
        piv = d.pivot_table(index="year", columns="variant", values="value", aggfunc="mean")
        same = piv.nunique(axis=1) == 1
        hist_rows = piv[same].iloc[:, 0]
    else:
        hist_rows = hist.set_index("year")["value"]
    ref = reference_variant(names) if names else ""
    cont = d[d["variant"] == ref].set_index("year")["value"]
    cont = cont[~cont.index.isin(hist_rows.index)]
    realised = _fill_path(pd.concat([hist_rows, cont]), years)
    return ind, paths, realised


@dataclass(frozen=True)
class Elasticities:
    """The growth regression Δlog E[i,t] = α_i + β_i·Δlog X_t fitted on m series.

    ``beta`` is each series' elasticity as used (its own slope shrunk towards the pooled
    one), ``beta_own`` its own least-squares slope (NaN where its indicator growth never
    varied), ``beta_pooled`` the within-series slope pooled over all series, ``weight`` the
    own slope's weight in ``beta`` (Σ(x−x̄)² / (Σ(x−x̄)² + κ), κ the median series'
    Σ(x−x̄)²), ``alpha`` the series' trend beyond the indicator. With a ``prior`` (mean,
    s.d.) the pooled slope is the precision-weighted mean of the data's (its variance the
    residual variance over Σ(x−x̄)²) and the prior's; ``beta_pooled_data`` is the data's.
    """

    alpha: np.ndarray
    beta: np.ndarray
    beta_own: np.ndarray
    beta_pooled: float
    weight: np.ndarray
    beta_pooled_data: float = float("nan")


def elasticities(log_e: np.ndarray, log_x: np.ndarray,
                 prior: tuple[float, float] | None = None) -> Elasticities:
    """Fit the growth regression of the module docstring.

    Parameters
    ----------
    log_e : array (m, k)
        log employment of m series over k training years (NaN where unknown).
    log_x : array (k,)
        log indicator over the same years.
    prior : (mean, s.d.) of the pooled slope, or None (the data's slope alone)

    Examples
    --------
    >>> x = np.log([100, 103, 104, 109, 110])
    >>> el = elasticities(np.vstack([0.5 * x, 0.5 * x + 1.0]), x)
    >>> el.beta.round(6).tolist(), round(el.beta_pooled, 6)
    ([0.5, 0.5], 0.5)
    >>> flat = elasticities(np.vstack([0.0 * x, 0.0 * x]), np.log([100.0] * 5), prior=(0.5, 0.25))
    >>> flat.beta_pooled, flat.beta.tolist()      # nothing identified: the prior
    (0.5, [0.5, 0.5])
    """
    m, k = log_e.shape
    dy = np.diff(log_e, axis=1)
    dx = np.diff(np.asarray(log_x, float)[:k])
    ok = np.isfinite(dy)
    cnt = ok.sum(axis=1)
    xb = np.where(ok, dx[None, :], 0.0)
    yb = np.where(ok, dy, 0.0)
    xm = np.divide(xb.sum(1), cnt, out=np.zeros(m), where=cnt > 0)
    ym = np.divide(yb.sum(1), cnt, out=np.zeros(m), where=cnt > 0)
    xc = np.where(ok, dx[None, :] - xm[:, None], 0.0)
    yc = np.where(ok, dy - ym[:, None], 0.0)
    sxx = (xc * xc).sum(1)
    sxy = (xc * yc).sum(1)
    # an indicator growing at a constant rate identifies no elasticity (drift only)
    flat = sxx < 1e-10 * np.maximum(cnt, 1)
    sxx = np.where(flat, 0.0, sxx)
    sxy = np.where(flat, 0.0, sxy)
    beta0 = float(sxy.sum() / sxx.sum()) if sxx.sum() > 0 else 0.0
    data0 = beta0 if sxx.sum() > 0 else float("nan")
    if prior is not None:
        mu, tau = prior
        # residual variance of the within regression: n points, m intercepts, one slope
        n_obs, n_par = int(cnt.sum()), int((cnt > 0).sum()) + 1
        resid = np.where(ok, yc - beta0 * xc, 0.0)
        s2 = float((resid ** 2).sum() / (n_obs - n_par)) if n_obs > n_par else np.inf
        prec = sxx.sum() / s2 if sxx.sum() > 0 and np.isfinite(s2) and s2 > 0 else 0.0
        beta0 = float((prec * beta0 + mu / tau ** 2) / (prec + 1.0 / tau ** 2))
    kappa = float(np.median(sxx[cnt > 0])) if (cnt > 0).any() else 0.0
    beta = (sxy + kappa * beta0) / np.where(sxx + kappa > 0, sxx + kappa, 1.0)
    beta = np.where(sxx + kappa > 0, beta, beta0)
    own = np.divide(sxy, sxx, out=np.full(m, np.nan), where=sxx > 0)
    weight = np.divide(sxx, sxx + kappa, out=np.zeros(m), where=sxx + kappa > 0)
    return Elasticities(alpha=ym - beta * xm, beta=beta, beta_own=own, beta_pooled=beta0,
                        weight=weight, beta_pooled_data=data0)


def regression_forecast(log_e: np.ndarray, log_x: np.ndarray, h: int) -> np.ndarray:
    """Industry employment by the growth regression (module docstring).

    Parameters
    ----------
    log_e : array (m, k)
        log employment of m series over the k training years (NaN where unknown).
    log_x : array (k + h,)
        log indicator over the training years and the h forecast years.

    Returns
    -------
    array (m, h): forecast employment (not logged); NaN where the series has no last value.
    """
    k = log_e.shape[1]
    el = elasticities(log_e, log_x[:k])
    fx = np.diff(log_x[k - 1:k + h])
    steps = el.alpha[:, None] + el.beta[:, None] * fx[None, :]
    last = _last_finite(log_e)
    return np.exp(last[:, None] + np.cumsum(steps, axis=1))


def variant_factors(beta: np.ndarray, log_x_variant: np.ndarray,
                    log_x_base: np.ndarray) -> np.ndarray:
    """(x_v[t] / x_base[t])^β per series and forecast year (m × h), methodology.md §2:
    E_v[i,t] = E_base[i,t] · (x_v[t] / x_base[t])^β[i].

    >>> variant_factors(np.array([0.5]), np.log([110.0, 121.0]), np.log([100.0, 100.0])
    ...                 ).round(4).tolist()
    [[1.0488, 1.1]]
    """
    gap = np.asarray(log_x_variant, float) - np.asarray(log_x_base, float)
    return np.exp(np.asarray(beta, float)[:, None] * gap[None, :])


def _last_finite(a: np.ndarray) -> np.ndarray:
    ok = np.isfinite(a)
    idx = np.where(ok, np.arange(a.shape[1])[None, :], -1).max(axis=1)
    out = np.full(a.shape[0], np.nan)
    has = idx >= 0
    out[has] = a[np.flatnonzero(has), idx[has]]
    return out


def project_shares(shares: np.ndarray, parent: np.ndarray, n_sections: int,
                   h: int, smoothing: float = SHARE_SMOOTHING,
                   damping: float = SHARE_DAMPING) -> np.ndarray:
    """Projected shares (cells × h), ≥ 0 and summing to 1 within each section.

    ``shares`` is cells × waves up to the origin (NaN where the section was not surveyed).
    ``smoothing`` 1 and ``damping`` 0 hold the last wave's shares (a cell missing in it
    gets 0).
    """
    n, k = shares.shape
    s = shares.copy()
    ok = np.isfinite(s)
    # exponentially weighted level, newest weight 1
    wts = (1 - smoothing) ** np.arange(k - 1, -1, -1, dtype=float)
    w = np.where(ok, wts[None, :], 0.0)
    level = np.divide((w * np.nan_to_num(s)).sum(1), w.sum(1), out=np.zeros(n),
                      where=w.sum(1) > 0)
    # linear trend over the last waves
    j = max(0, k - SHARE_TREND_WAVES)
    t = np.arange(k - j, dtype=float)
    sub = s[:, j:]
    okk = np.isfinite(sub)
    cnt = okk.sum(1)
    tm = np.divide((okk * t).sum(1), cnt, out=np.zeros(n), where=cnt > 0)
    sm = np.divide(np.nan_to_num(sub).sum(1), cnt, out=np.zeros(n), where=cnt > 0)
    tc = np.where(okk, t[None, :] - tm[:, None], 0.0)
    stt = (tc * tc).sum(1)
    slope = np.divide((tc * np.where(okk, sub - sm[:, None], 0.0)).sum(1), stt,
                      out=np.zeros(n), where=stt > 0)
    # the level lags the trend by the smoothing's mean age; the damped trend runs from there
    damp = np.cumsum(damping ** np.arange(1, h + 1))
    proj = np.maximum(level[:, None] + slope[:, None] * damp[None, :], 0.0)
    parent = np.asarray(parent, int)
    tot = np.zeros((n_sections, h))
    np.add.at(tot, parent, proj)
    denom = tot[parent]
    return np.divide(proj, denom, out=np.zeros_like(proj), where=denom > 0)


__all__ = ["ELASTICITY_PRIOR", "check_scenario_coverage", "scenario_variants", "scenario_paths", "choose_indicator", "regression_forecast",
           "project_shares", "Elasticities", "elasticities", "variant_factors",
           "reference_variant"]
