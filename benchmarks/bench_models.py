"""Forecasting engine benchmark (issues 3 and 9).

(a) accuracy, h = 6, on M3 yearly (645 series) and on world_annual (1,064 World Bank
    series; ``world_annual_{train,test}.csv``): sMAPE and MASE (scoring of
    shared/bench/README.md) and 80/95 % interval coverage of the AutoForecaster and its
    members against statsforecast AutoETS, AutoTheta, AutoARIMA and RWD fitted in the same
    run (and, on M3, the 22 original entrants); the bars of issue 9 are printed with a
    pass/fail mark;
(b) speed: 20,000 synthetic series of length 15, h = 6, AutoForecaster fit+predict (80/95
    intervals, ``n_jobs=1``) against statsforecast AutoETS (``n_jobs=1``), same data, BLAS
    limited to one thread for both (threadpoolctl); the
    numba JIT of statsforecast is warmed up on 50 series before timing. Both wall-clock and
    CPU seconds are reported: the machine is shared, and wall-clock ratios swing with the
    load of other processes while CPU seconds do not;
(c) scale: 1,000,000 such series with ``n_jobs=2`` in a fresh process: wall and CPU
    seconds (parent + workers), peak RSS of the parent and of each worker process.

Run ``python -m benchmarks.bench_models [--quick]``; results go to
``benchmarks/results/models.json``. ``--quick`` skips (c) and AutoARIMA.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import m3
from benchmarks._results import save
from forecast.models import ARIMA110, ETS, AutoForecaster, Drift, Holt, LogModel, Naive, Theta
from forecast.models._frame import to_block
from forecast.models.base import diff_scale

LEVELS = [80, 95]
H = 6
#: issue 9's bars: below the best statsforecast single model (M3) / the mean of ETS, ARIMA and
#: Theta (world_annual, the lower of the two), coverage within 5 points of nominal
TARGETS = {"m3_yearly": {"smape": 15.74, "mase": 2.598}, "world_annual": {"smape": 10.12, "mase": 2.556}}
SF_MODELS = ("AutoETS", "AutoTheta", "AutoARIMA", "RWD")


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


def world_annual() -> tuple[pd.DataFrame, pd.DataFrame]:
    d = m3.data_dir()
    return pd.read_csv(d / "world_annual_train.csv"), pd.read_csv(d / "world_annual_test.csv")


def collection_table(train: pd.DataFrame, test: pd.DataFrame, quick: bool, entrants=None) -> pd.DataFrame:
    rows = []
    t0 = time.perf_counter()
    fc = AutoForecaster(n_jobs=1).fit(train).predict(H, level=LEVELS)
    rows.append({"method": "AutoForecaster (kadry)", **score(train, test, fc, LEVELS),
                 "seconds": time.perf_counter() - t0})
    members = {"ETS auto (kadry)": ETS(), "Holt (kadry)": Holt(), "Damped Holt (kadry)": Holt(damped=True),
               "DOTM (kadry)": Theta(theta=None, dynamic=True), "Drift (kadry)": Drift(),
               "Naive (kadry)": Naive(), "ARIMA(1,1,0) CLS (kadry)": ARIMA110(),
               "ARIMA(1,1,0) mean drift (kadry)": ARIMA110(drift="mean"), "Log drift (kadry)": LogModel()}
    for name, model in members.items():
        t0 = time.perf_counter()
        f = model.fit(train).predict(H, level=LEVELS)
        rows.append({"method": name, **score(train, test, f, LEVELS), "seconds": time.perf_counter() - t0})
    try:
        from statsforecast import models as sfm

        names = [m for m in SF_MODELS if not (quick and m == "AutoARIMA")]
        ctor = {"AutoETS": sfm.AutoETS, "AutoTheta": sfm.AutoTheta, "AutoARIMA": sfm.AutoARIMA,
                "RWD": sfm.RandomWalkWithDrift}
        sf_fc = {}
        for name in names:
            t0 = time.perf_counter()
            out = _sf_forecast([ctor[name]()], train, H, level=LEVELS)
            out = out.rename(columns={name: "yhat", **{f"{name}-lo-{lv}": f"yhat_lo_{lv}" for lv in LEVELS},
                                      **{f"{name}-hi-{lv}": f"yhat_hi_{lv}" for lv in LEVELS}})
            sf_fc[name] = out
            rows.append({"method": f"statsforecast {name}", **score(train, test, out, LEVELS),
                         "seconds": time.perf_counter() - t0})
        trio = [m for m in ("AutoETS", "AutoARIMA", "AutoTheta") if m in sf_fc]
        if len(trio) == 3:
            mean = sf_fc[trio[0]][["unique_id", "ds"]].copy()
            mean["yhat"] = np.mean([sf_fc[m]["yhat"].to_numpy() for m in trio], axis=0)
            rows.append({"method": "statsforecast mean(ETS, ARIMA, Theta)", **score(train, test, mean)})
    except ImportError:
        print("statsforecast not installed: install the 'bench' extra for its baselines")
    for method, g in (entrants.groupby("method", sort=False) if entrants is not None else []):
        rows.append({"method": f"M3 {method}", **score(train, test, g[["unique_id", "ds", "yhat"]])})
    return pd.DataFrame(rows).sort_values("mase").reset_index(drop=True)


def verdict(name: str, table: pd.DataFrame) -> dict:
    auto = table[table.method == "AutoForecaster (kadry)"].iloc[0]
    t = TARGETS[name]
    checks = {"smape": bool(auto["smape"] < t["smape"]), "mase": bool(auto["mase"] < t["mase"]),
              "coverage_80": bool(abs(auto["coverage_80"] - 80) <= 5),
              "coverage_95": bool(abs(auto["coverage_95"] - 95) <= 5)}
    sf = table[table.method.str.match(r"statsforecast (AutoETS|AutoTheta|AutoARIMA|RWD)$")]
    best = {m: float(sf[m].min()) if len(sf) else None for m in ("smape", "mase")}
    print(f"{name}: AutoForecaster sMAPE {auto['smape']:.2f} (bar < {t['smape']}), MASE {auto['mase']:.3f} "
          f"(bar < {t['mase']}), coverage 80% {auto['coverage_80']:.1f}, 95% {auto['coverage_95']:.1f}; "
          f"best statsforecast single model in this run: sMAPE {best['smape']}, MASE {best['mase']}; "
          + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in checks.items()))
    return {"auto": auto.to_dict(), "targets": t, "checks": checks, "best_statsforecast_single": best}


def accuracy(quick: bool) -> dict:
    pd.set_option("display.width", 180)
    out = {}
    train, test, fts = m3.load()
    collections = {"m3_yearly": (train, test, fts), "world_annual": (*world_annual(), None)}
    for name, (tr, te, ent) in collections.items():
        table = collection_table(tr, te, quick, ent)
        print(f"{name}, h = {H} ({tr['unique_id'].nunique()} series; sMAPE/MASE as in shared/bench/README.md)")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        out[name] = {"table": table.to_dict(orient="records"), **verdict(name, table)}
    return out


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


def _timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def speed(n: int = 20_000) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one core each: no BLAS threads for either side
        return _speed(n)


def _speed(n: int) -> dict:
    df = synthetic(n)
    wall, cpu = _timed(lambda: AutoForecaster(nonnegative=True, n_jobs=1).fit(df).predict(H, level=LEVELS))
    out = {"series": n, "length": 15, "h": H, "kadry_seconds": wall, "kadry_cpu_seconds": cpu}
    try:
        from statsforecast.models import AutoETS

        _sf_forecast([AutoETS()], df[df.unique_id < 50], H)  # numba JIT warm-up, not timed
        wall, cpu = _timed(lambda: _sf_forecast([AutoETS()], df, H))
        out.update(statsforecast_autoets_seconds=wall, statsforecast_autoets_cpu_seconds=cpu,
                   speedup_wall=wall / out["kadry_seconds"], speedup_cpu=cpu / out["kadry_cpu_seconds"])
    except ImportError:
        pass
    return out


def _proc_children(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(d.name))
    return kids


def _proc_usage(pid: int) -> tuple[float, float]:
    """(CPU seconds, peak RSS MiB) of a live process from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmHWM"))
    return cpu, hwm / 1024


def _scale_child(n: int, n_jobs: int) -> None:
    df = synthetic(n)
    w0, c0 = time.perf_counter(), time.process_time()
    fc = AutoForecaster(nonnegative=True, n_jobs=n_jobs).fit(df).predict(H, level=LEVELS)
    secs, cpu = time.perf_counter() - w0, time.process_time() - c0
    workers = [_proc_usage(p) for p in _proc_children(os.getpid())]  # loky workers still alive
    workers = [w for w in workers if w[0] > 1.0]  # the resource tracker idles
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    print(json.dumps({"series": n, "n_jobs": n_jobs, "rows_out": len(fc), "seconds": secs,
                      "cpu_seconds_parent": cpu, "cpu_seconds_workers": [w[0] for w in workers],
                      "peak_rss_mib_parent": rss, "peak_rss_mib_workers": [w[1] for w in workers]}))


def scale(n: int = 1_000_000, n_jobs: int = 2) -> dict:
    cmd = [sys.executable, "-c",
           f"from benchmarks.bench_models import _scale_child; _scale_child({n}, {n_jobs})"]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if res.returncode:
        return {"series": n, "error": res.stderr[-2000:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    quick = "--quick" in argv
    results = {}
    if m3.available():
        results.update(accuracy(quick))
    else:
        print(f"M3 data not found in {m3.data_dir()} (set KADRY_BENCH_DATA); skipping accuracy")
    sp = speed()
    print("speed (one core each):", json.dumps(sp))
    results["speed"] = sp
    if not quick:
        sc = scale()
        print("scale (n_jobs=2):", json.dumps(sc))
        results["scale"] = sc
    save("models", results)
    return results


if __name__ == "__main__":
    main()
