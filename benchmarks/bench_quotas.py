"""Benchmark: quotas for 200 programmes × 40 colleges (methodology.md §4–7).

Generation (not timed, seeded): 200 СПО programmes, each licensed at 5–40 of 40 colleges
(capacity 15–100, employment rates 0.6–0.95), one profession per programme with demand such
that quotas range from a handful to a few hundred places, three scenarios, enrolment of the
last four cohorts. Then, in the same run:

* ``derive_quotas`` end to end (reading the tables, §4–5 chain, rounding, allocation),
  default solver choice (greedy → DP → MILP);
* the allocation alone with the default choice;
* the baseline: on the first ``--baseline`` (60) problems where the minimum-group rule binds,
  ``method="milp"`` (HiGHS, three stages) against the default (dynamic programme), checking
  that both give the same places.

Run: ``.venv/bin/python -m benchmarks.bench_quotas [--programmes N --colleges K]``; prints a
table and writes ``benchmarks/results/quotas.json``. Target: derive_quotas < 2 s.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections import Counter

import numpy as np
import pandas as pd

from forecast.quotas import derive_quotas_detailed
from forecast.quotas.allocation import allocate
from benchmarks._results import save

T = 2026
SEED = 20261126


def make_inputs(n_programmes: int = 200, n_colleges: int = 40, seed: int = SEED) -> dict:
    """Synthetic tables for the benchmark (deterministic)."""
    rng = np.random.default_rng(seed)
    codes = [f"{15 + i // 90:02d}.0{1 + (i // 30) % 3}.{i % 30 + 1:02d}" for i in range(n_programmes)]
    level = np.where(rng.random(n_programmes) < 0.5, "СПО-КРС", "СПО-ССЗ")
    duration = rng.choice([22, 34, 46], n_programmes)
    programmes = pd.DataFrame({
        "code": codes, "name": [f"Программа {i}" for i in range(n_programmes)], "level": level,
        "duration_months": duration, "employment_rate": rng.uniform(0.6, 0.95, n_programmes).round(2),
        "dropout": rng.uniform(0.05, 0.25, n_programmes).round(2),
    })
    profs = [f"{10000 + i}" for i in range(n_programmes)]
    mapping = pd.DataFrame({"profession_code": profs, "programme_code": codes, "weight": 1.0})
    years = np.arange(T, T + 8)
    base = rng.lognormal(3.5, 0.9, n_programmes)   # median ≈ 33 a year, tail to hundreds
    rows = []
    for sc, factor in (("base", 1.0), ("conservative", 0.8), ("target", 1.25)):
        for i in range(n_programmes):
            rows.append(pd.DataFrame({
                "scenario": sc, "level": "cell", "okved_section": "C",
                "profession_code": profs[i], "education": level[i], "year": years,
                "demand": base[i] * factor * (1 + 0.03 * (years - T)),
            }))
    demand = pd.concat(rows, ignore_index=True)
    col_rows = []
    for i in range(n_programmes):
        k = int(rng.integers(5, n_colleges + 1))
        for c in sorted(rng.choice(n_colleges, k, replace=False)):
            col_rows.append({
                "college_code": f"K{c + 1}", "college": f"Колледж {c + 1}",
                "programme_code": codes[i], "capacity": int(rng.integers(15, 101)),
                "last_quota": int(rng.integers(0, 30)),
                "employment_rate": round(float(rng.uniform(0.6, 0.95)), 2)
                if rng.random() < 0.7 else None,
            })
    colleges = pd.DataFrame(col_rows)
    enrolment = pd.DataFrame([
        {"programme_code": codes[i], "admission_year": y,
         "students": int(rng.integers(0, int(base[i]) + 5))}
        for i in range(n_programmes) for y in range(T - 3, T + 1)
    ])
    return {"demand": demand, "programmes": programmes, "mapping": mapping,
            "colleges": colleges, "enrolment": enrolment}


def _allocation_problems(res, inputs) -> list[tuple]:
    cols = inputs["colleges"]
    progs = inputs["programmes"].set_index("code")
    out = []
    for r in res.programmes.itertuples(index=False):
        g = cols[cols["programme_code"] == r.programme_code].sort_values("college_code")
        if len(g) == 0:
            continue
        cap = g["capacity"].to_numpy(np.int64)
        rate = g["employment_rate"].fillna(progs.loc[r.programme_code, "employment_rate"])
        out.append((int(r.quota), cap, cap * rate.to_numpy(float), g["college_code"].tolist()))
    return out


def _time(fn, repeat: int = 3) -> tuple[float, object]:
    best, value = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programmes", type=int, default=200)
    ap.add_argument("--colleges", type=int, default=40)
    ap.add_argument("--baseline", type=int, default=60,
                    help="binding problems solved by the MILP baseline")
    ap.add_argument("--out", default="benchmarks/results/quotas.json")
    args = ap.parse_args(argv)
    inputs = make_inputs(args.programmes, args.colleges)

    def run():
        return derive_quotas_detailed(inputs["demand"], T, inputs["programmes"],
                                      inputs["mapping"], inputs["colleges"],
                                      inputs["enrolment"])

    t_derive, res = _time(run)
    problems = _allocation_problems(res, inputs)

    def alloc(method, probs):
        return [allocate(q, c, w, k, 15, method=method) for q, c, w, k in probs]

    t_auto, auto = _time(lambda: alloc("auto", problems))
    methods = Counter(a.method for a in auto)
    # baseline on the problems where the minimum-group rule binds (the solver's work), a
    # subset so that the run stays short: HiGHS takes tens of ms per problem
    binding = [p for p, a in zip(problems, auto) if a.method == "dp"][: args.baseline]
    t_sub, sub = _time(lambda: alloc("auto", binding))
    t_milp, milp = _time(lambda: alloc("milp", binding), repeat=1)
    same = all(a.quota.tolist() == b.quota.tolist() for a, b in zip(sub, milp))
    quotas = res.programmes["quota"]
    result = {
        "programmes": args.programmes, "colleges": args.colleges,
        "scenarios": int(res.programmes["scenario"].nunique()),
        "college_rows": int(len(inputs["colleges"])),
        "allocation_problems": len(problems),
        "quota_median": float(quotas.median()), "quota_max": int(quotas.max()),
        "derive_quotas_s": round(t_derive, 4),
        "allocation_auto_s": round(t_auto, 4),
        "baseline_problems": len(binding),
        "baseline_default_s": round(t_sub, 4),
        "baseline_milp_s": round(t_milp, 4),
        "speedup_default_vs_milp": round(t_milp / t_sub, 1) if t_sub > 0 else None,
        "default_equals_milp": bool(same),
        "methods_auto": dict(sorted(methods.items())),
        "target_s": 2.0, "meets_target": bool(t_derive < 2.0),
        "python": platform.python_version(), "machine": platform.machine(), "seed": SEED,
    }
    print(f"{'what':<44}{'seconds':>10}")
    print(f"{'derive_quotas (3 scenarios, end to end)':<44}{t_derive:>10.3f}")
    print(f"{'allocation, default (greedy/DP/MILP)':<44}{t_auto:>10.3f}")
    print(f"{f'binding subset ({len(binding)}), default (DP)':<44}{t_sub:>10.3f}")
    print(f"{f'binding subset ({len(binding)}), baseline MILP':<44}{t_milp:>10.3f}")
    print(f"speed-up of the default over the MILP baseline: "
          f"{result['speedup_default_vs_milp']}×; same allocation: {same}; "
          f"paths used: {result['methods_auto']}")
    print(f"target derive_quotas < 2 s: {'met' if result['meets_target'] else 'MISSED'}")
    save("quotas", result, args.out)
    return result


if __name__ == "__main__":
    main()
