"""Benchmark: demand forecast accuracy and interval calibration across simulated regions.

The bundled sample is one region; the acceptance team scores the model on another. This
benchmark generates regions of different seeds and structures with
:func:`forecast.sample.generate_region` (150 / 400 / 1,000 employers; 7–10 waves; forms with
and without mistakes), runs ``read_surveys`` (with control totals) → ``build_panel`` →
``forecast_demand`` (scenario file, defaults) on each, and scores the ``base`` scenario
against the region's truth with the definitions of ``tests/test_demand_sample.py``:

* ``cov80_h`` / ``cov95_h``: share of professions (profession_code × education rows of
  level ``profession``) whose true employment (``truth/employment.csv`` summed over
  sections) at T+h lies inside the 80 % / 95 % interval, h = 1 … H;
* ``sec80_h`` / ``sec95_h``: the same for the sections (rows of level ``section``)
  against ``truth/employment.csv`` summed by okved_section; printed per region with the
  mean over T+1 … T+7 and the worst region;
* ``wmape``: Σ|F − A| / ΣA over professions of the demand summed over T+1 … T+5 (truth:
  ``truth/demand.csv``), for the model and the two naive benchmarks computed from the
  survey frame (stated needs at face value; flat employment × 3 % a year + vacancies);
  ``gain_*`` = 1 − model / benchmark (the test requires ≥ 10 % against both).

Run: ``.venv/bin/python -m benchmarks.bench_demand_regions [--cache DIR] [--only NAME ...]
[--tuning]``; prints a table and writes ``benchmarks/results/demand_regions.json``
(``--tuning``: a disjoint set of regions for choosing settings, written to
``demand_regions_tuning.json``). ``--cache`` keeps the read survey frames (pickles) so
that reruns skip writing and reading the forms.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from benchmarks._results import save
from forecast.sample.scoring import demand_scores

KEY = ["profession_code", "education"]

#: (name, seed, n_employers, first_wave, mistakes); T = 2026 throughout
REGIONS: tuple[tuple[str, int, int, int, bool], ...] = (
    ("sample", 20261126, 400, 2017, True),     # the bundled region
    ("s1-150", 1, 150, 2017, True),
    ("s2-1000", 2, 1000, 2017, False),
    ("s3-400-8w", 3, 400, 2019, False),
    ("s4-150-7w", 4, 150, 2020, True),
    ("s5-1000", 5, 1000, 2017, True),
    ("s6-400", 6, 400, 2017, False),
    ("s7-150-9w", 7, 150, 2018, False),
    ("s8-1000-8w", 8, 1000, 2019, True),
    ("s9-400", 9, 400, 2017, True),
)

#: a second, disjoint set for choosing settings (``--tuning``), so that REGIONS stays an
#: honest check of what was chosen
TUNING_REGIONS: tuple[tuple[str, int, int, int, bool], ...] = tuple(
    (f"t{seed}-{n}-{2027 - first}w", seed, n, first, seed % 2 == 0)
    for seed, n, first in ((101, 150, 2017), (102, 400, 2018), (103, 1000, 2017),
                           (104, 150, 2019), (105, 400, 2017), (106, 1000, 2020),
                           (107, 150, 2017), (108, 400, 2019), (109, 1000, 2018),
                           (110, 400, 2017), (111, 150, 2018), (112, 1000, 2017)))


def _frame(spec, cache: Path | None):
    """Survey frame, scenario and truth of one region (generated, written, read)."""
    from forecast.sample import generate_region, write_region
    from forecast.survey import read_surveys

    name, seed, n_emp, first, mistakes = spec
    if cache is not None and (cache / f"{name}.pkl").exists():
        return pd.read_pickle(cache / f"{name}.pkl")
    region = generate_region(seed=seed, n_employers=n_emp, first_wave=first, mistakes=mistakes)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_region(region, tmp, layout="mixed" if mistakes else "csv")
        survey = read_surveys([folder / "surveys"], controls=folder / "controls.csv")
    out = {"frame": survey.frame, "scenario": region.scenario,
           "truth_emp": region.truth_employment, "truth_demand": region.truth_demand}
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        pd.to_pickle(out, cache / f"{name}.pkl")
    return out


def score(data: dict, res) -> dict:
    """Coverage by horizon and 5-year demand wMAPE (model and benchmarks) of one region."""
    T = res.survey_year
    d = res.demand
    base = d[(d["level"] == "profession") & (d["scenario"] == "base")]
    sec = d[(d["level"] == "section") & (d["scenario"] == "base")]
    te = data["truth_emp"]
    out = {}
    H = int(d["year"].max()) - T
    for h in range(1, H + 1):
        true = te[te["year"] == T + h].groupby(KEY)["employment"].sum().rename("true")
        j = base[base["year"] == T + h].set_index(KEY).join(true, how="inner")
        for lv in (80, 95):
            inside = ((j["true"] >= j[f"employment_lo_{lv}"])
                      & (j["true"] <= j[f"employment_hi_{lv}"]))
            out[f"cov{lv}_{h}"] = float(inside.mean())
        # interval width relative to the forecast (sharpness), pooled over professions
        out[f"width80_{h}"] = float((j["employment_hi_80"] - j["employment_lo_80"]).sum()
                                    / j["employment"].sum())
        # sections (level ``section``) against the truth summed over professions
        true_s = (te[te["year"] == T + h].groupby("okved_section")["employment"].sum()
                  .rename("true"))
        js = sec[sec["year"] == T + h].set_index("okved_section").join(true_s, how="inner")
        for lv in (80, 95):
            inside = ((js["true"] >= js[f"employment_lo_{lv}"])
                      & (js["true"] <= js[f"employment_hi_{lv}"]))
            out[f"sec{lv}_{h}"] = float(inside.mean())
    sc = demand_scores(d, data["frame"], data["truth_demand"], T)
    m, n1, n2 = sc["wmape_model"], sc["wmape_needs"], sc["wmape_flat"]
    out.update(wmape_model=m, wmape_needs=n1, wmape_flat=n2, gain_needs=1 - m / n1,
               gain_flat=1 - m / n2, n_prof=int(len(base["profession_code"].unique())))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder keeping the read survey frames between runs")
    ap.add_argument("--only", nargs="*", default=None, help="region names to run")
    ap.add_argument("--tuning", action="store_true",
                    help="run the tuning regions instead of the reporting ones")
    args = ap.parse_args(argv)

    from forecast.demand import forecast_demand
    from forecast.panel import build_panel

    specs = [s for s in (TUNING_REGIONS if args.tuning else REGIONS)
             if not args.only or s[0] in args.only]
    rows = []
    for spec in specs:
        data = _frame(spec, args.cache)
        t = time.perf_counter()
        res = forecast_demand(build_panel(data["frame"]), data["scenario"])
        sec = time.perf_counter() - t
        r = {"region": spec[0], "seed": spec[1], "employers": spec[2],
             "waves": 2026 - spec[3] + 1, "mistakes": spec[4], "seconds": sec}
        r.update(score(data, res))
        rows.append(r)
        print(f"  {spec[0]}: cov80@T+5 {r['cov80_5']:.2f}", flush=True)
    df = pd.DataFrame(rows)
    cols = ["region", "employers", "waves", "n_prof", "cov80_1", "cov80_3", "cov80_5",
            "cov80_7", "cov95_5", "width80_5", "wmape_model", "wmape_needs", "wmape_flat",
            "gain_needs", "gain_flat"]
    with pd.option_context("display.width", 200, "display.max_columns", 30,
                           "display.float_format", "{:.3f}".format):
        print(df[cols].to_string(index=False))
    summ = {c: float(df[c].median()) for c in ("cov80_5", "cov95_5", "gain_needs", "gain_flat")}
    print("median: " + ", ".join(f"{k} {v:.3f}" for k, v in summ.items())
          + f"; cov80@T+5 range {df['cov80_5'].min():.3f}–{df['cov80_5'].max():.3f}"
          + f"; mean |cov80@T+5 − 0.80| {np.abs(df['cov80_5'] - 0.8).mean():.3f}")
    sec_cols = [f"sec{lv}_{h}" for lv in (80, 95) for h in range(1, 8) if f"sec{lv}_{h}" in df]
    with pd.option_context("display.width", 200, "display.max_columns", 30,
                           "display.float_format", "{:.2f}".format):
        print(df[["region"] + sec_cols].to_string(index=False))
    s80 = df[[c for c in sec_cols if c.startswith("sec80_")]]
    s95 = df[[c for c in sec_cols if c.startswith("sec95_")]]
    print(f"sections: cov80 T+1…T+7 mean {s80.to_numpy().mean():.3f} (by horizon "
          + " ".join(f"{v:.2f}" for v in s80.mean()) + "), worst region mean "
          + f"{s80.mean(axis=1).min():.3f}, worst region×horizon {s80.to_numpy().min():.2f}; "
          + f"cov95 mean {s95.to_numpy().mean():.3f}, worst region mean "
          + f"{s95.mean(axis=1).min():.3f}")
    summ.update(sec80_mean=float(s80.to_numpy().mean()),
                sec80_worst_region=float(s80.mean(axis=1).min()),
                sec95_mean=float(s95.to_numpy().mean()),
                sec95_worst_region=float(s95.mean(axis=1).min()))
    save("demand_regions_tuning" if args.tuning else "demand_regions",
         {"python": platform.python_version(), "machine": platform.machine(),
          "regions": rows, "median": summ})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
