"""Benchmark: the demand forecast on independently simulated regions, run as a new user would.

Every other demand benchmark draws its regions from :mod:`forecast.sample`, so its calibration
may lean on that generator's quirks. This one has its own small simulator, written from the
description of the world (survey-format.md, methodology.md, interfaces.md) and not from
``forecast/sample``; nothing here imports ``forecast.sample`` except the scoring, which is
shared with :mod:`benchmarks.bench_demand_regions` so that the numbers mean the same.

The world and the files: :mod:`benchmarks.independent_world`; each region is run with the
installed ``kadry run --config kadry.toml`` and ``demand.csv`` is read back. Truth:
employment per (section, profession, education) and year T … T+7; demand per cell
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
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from benchmarks._results import save
from benchmarks.independent_world import (CELL, KEY, NEED_H, T, Region, simulate_region,
                                          write_region)

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
