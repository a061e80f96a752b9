"""Forecasting engine benchmark (issue 3).

(a) M3 yearly, h = 6: sMAPE and MASE (scoring of /work/shared/bench/README.md) of
    AutoForecaster and its members against the 22 original M3 entrants and statsforecast's
    AutoETS / AutoTheta / AutoARIMA fitted in the same run, plus 80/95% interval coverage;
(b) speed: 20,000 synthetic series of length 15, h = 6, AutoForecaster fit+predict (with
    80/95 intervals) against statsforecast AutoETS on one core (n_jobs=1), same data; the
    numba JIT of statsforecast is warmed up on 50 series before timing;
(c) scale: 1,000,000 such series in one fresh process, peak RSS (ru_maxrss).

Run ``python -m benchmarks.bench_models [--quick]``; results go to
``benchmarks/results/models.json``. ``--quick`` skips (c) and AutoARIMA.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import m3
from forecast.models import ARIMA, ETS, AutoForecaster, Drift, Holt, Naive, Theta, accuracy_table, backtest
from forecast.models._frame import to_block
from forecast.models.base import diff_scale
from benchmarks._results import save

LEVELS = [80, 95]


def score(train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, levels=()) -> dict:
    """sMAPE / MASE (README scoring) and coverage of a forecast frame against the test part."""
    p = to_block(train)
    scale = pd.Series(diff_scale(p), index=p.ids, name="scale")
    d = test.merge(fc, on=["unique_id", "ds"], how="left").join(scale, on="unique_id")
    if d["yhat"].isna().any():
        raise ValueError("forecast misses test rows")
    y, f = d["y"].to_numpy(), d["yhat"].to_numpy()
    out = {"smape": float(np.mean(200 * np.abs(f - y) / (np.abs(f) + np.abs(y)))),
           "mase": float(np.mean(np.abs(f - y) / d["scale"].to_numpy()))}
    for lv in levels:
        lo, hi = d[f"yhat_lo_{lv}"].to_numpy(), d[f"yhat_hi_{lv}"].to_numpy()
        out[f"coverage_{lv}"] = float(100 * np.mean((y >= lo) & (y <= hi)))
    return out


def _sf_forecast(models, df: pd.DataFrame, h: int, level=None) -> pd.DataFrame:
    from statsforecast import StatsForecast

    sf = StatsForecast(models=models, freq=1, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = sf.forecast(df=df, h=h, level=level) if level else sf.forecast(df=df, h=h)
    return out.reset_index(drop=("unique_id" in out.columns))


def accuracy(quick: bool) -> tuple[pd.DataFrame, dict]:
    train, test, fts = m3.load()
    rows = []
    t0 = time.perf_counter()
    fc = AutoForecaster().fit(train).predict(6, level=LEVELS)
    secs = time.perf_counter() - t0
    rows.append({"method": "AutoForecaster (kadry)", **score(train, test, fc, LEVELS), "seconds": secs})
    members = {"ETS auto (kadry)": ETS(), "Damped Holt (kadry)": Holt(damped=True),
               "DOTM (kadry)": Theta(theta=None, dynamic=True), "Theta (kadry)": Theta(),
               "Drift (kadry)": Drift(), "Naive (kadry)": Naive()}
    if not quick:
        members["ARIMA (kadry, statsmodels loop)"] = ARIMA()
    for name, model in members.items():
        t0 = time.perf_counter()
        f = model.fit(train).predict(6, level=LEVELS)
        rows.append({"method": name, **score(train, test, f, LEVELS), "seconds": time.perf_counter() - t0})
    try:
        from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

        sf_models = {"AutoETS": AutoETS(), "AutoTheta": AutoTheta()}
        if not quick:
            sf_models["AutoARIMA"] = AutoARIMA()
        for name, model in sf_models.items():
            t0 = time.perf_counter()
            out = _sf_forecast([model], train, 6, level=LEVELS)
            out = out.rename(columns={name: "yhat", **{f"{name}-lo-{lv}": f"yhat_lo_{lv}" for lv in LEVELS},
                                      **{f"{name}-hi-{lv}": f"yhat_hi_{lv}" for lv in LEVELS}})
            rows.append({"method": f"statsforecast {name}", **score(train, test, out, LEVELS),
                         "seconds": time.perf_counter() - t0})
    except ImportError:
        print("statsforecast not installed: install the 'bench' extra for its baselines")
    for method, g in fts.groupby("method", sort=False):
        rows.append({"method": f"M3 {method}", **score(train, test, g[["unique_id", "ds", "yhat"]])})
    table = pd.DataFrame(rows).sort_values("smape").reset_index(drop=True)
    # calibration check that never looks at the test years: rolling origin inside the
    # training parts (last two origins with a full 6-year horizon)
    bt = backtest(train, h=6, n_windows=2, model=AutoForecaster(), level=LEVELS)
    cv = accuracy_table(bt, LEVELS)
    cv_all = cv[cv["h"] == "all"].iloc[0].to_dict()
    auto = table[table.method == "AutoForecaster (kadry)"].iloc[0]
    best_m3 = table[table.method.str.startswith("M3 ")].iloc[0]
    summary = {"auto": auto.to_dict(), "best_m3_entrant": best_m3.to_dict(),
               "train_rolling_origin": cv_all,
               "targets": {"smape_lt": 15.74, "mase_lt": 2.598, "coverage_within": 5}}
    return table, summary


def synthetic(n: int, T: int = 15, seed: int = 2026) -> pd.DataFrame:
    """Staffing-like annual series: level × (1 + trend·t) + noise, some damped, non-negative."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(3, 1.2, n)[:, None]
    trend = rng.normal(0, 0.04, n)[:, None]
    t = np.arange(T)[None, :]
    noise = np.cumsum(rng.normal(0, 0.05, (n, T)), axis=1) + rng.normal(0, 0.05, (n, T))
    y = np.maximum(level * (1 + trend * t + noise), 0).round(1)
    return pd.DataFrame({"unique_id": np.repeat(np.arange(n), T), "ds": np.tile(np.arange(2011, 2011 + T), n),
                         "y": y.ravel()})


def speed(n: int = 20_000) -> dict:
    df = synthetic(n)
    t0 = time.perf_counter()
    AutoForecaster(nonnegative=True).fit(df).predict(6, level=LEVELS)
    ours = time.perf_counter() - t0
    out = {"series": n, "length": 15, "h": 6, "kadry_seconds": ours}
    try:
        from statsforecast.models import AutoETS

        _sf_forecast([AutoETS()], df[df.unique_id < 50], 6)  # numba JIT warm-up, not timed
        t0 = time.perf_counter()
        _sf_forecast([AutoETS()], df, 6)
        out["statsforecast_autoets_seconds"] = time.perf_counter() - t0
        out["speedup"] = out["statsforecast_autoets_seconds"] / ours
    except ImportError:
        pass
    return out


def _scale_child(n: int) -> None:
    df = synthetic(n)
    t0 = time.perf_counter()
    fc = AutoForecaster(nonnegative=True).fit(df).predict(6, level=LEVELS)
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    print(json.dumps({"series": n, "rows_out": len(fc), "seconds": secs, "peak_rss_mib": rss}))


def scale(n: int = 1_000_000) -> dict:
    cmd = [sys.executable, "-c", f"from benchmarks.bench_models import _scale_child; _scale_child({n})"]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if res.returncode:
        return {"series": n, "error": res.stderr[-2000:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--quick" in argv
    results = {}
    if m3.available():
        table, summary = accuracy(quick)
        pd.set_option("display.width", 160)
        print("M3 yearly, h = 6 (645 series; sMAPE/MASE as in shared/bench/README.md)")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        cv = summary["train_rolling_origin"]
        print(f"AutoForecaster rolling origin on the training parts (2 origins, h = 6): sMAPE "
              f"{cv['smape']:.3f}, MASE {cv['mase']:.3f}, coverage 80% {cv['coverage_80']:.1f}, "
              f"95% {cv['coverage_95']:.1f}")
        results["m3_yearly"] = {"table": table.to_dict(orient="records"), **summary}
    else:
        print(f"M3 data not found in {m3.data_dir()} (set KADRY_BENCH_DATA); skipping accuracy")
    sp = speed()
    print("speed:", json.dumps(sp))
    results["speed"] = sp
    if not quick:
        sc = scale()
        print("scale:", json.dumps(sc))
        results["scale"] = sc
    save("models", results)
    return results


if __name__ == "__main__":
    main()
