"""How the AutoForecaster's combination was chosen (issue 9, item 1) — training data only.

Protocol (also in :mod:`forecast.models.auto`):

* development collections: the *training parts* of M3 yearly (645 series) and of
  ``world_annual_train.csv`` (1,064 World Bank series); their test years are not read here;
* rolling origin inside each training part: 3 origins holding back the last 6, 7 and 8
  years, h = 6, a series taking part when ≥ 5 points remain (backtest(h=6, n_windows=3,
  min_train=5)); scores as in shared/bench/README.md (sMAPE, MASE with the scale at the
  origin);
* candidates: mean and median of every subset of up to 7 of naive, drift, SES, Holt,
  damped Holt, ETS (AICc), Theta (STM), OTM and DOTM;
* rule: keep the candidates at least as good as the incumbent (median of ETS, damped Holt,
  DOTM, drift) on all four CV figures (sMAPE and MASE on both collections) — an
  improvement that is not bought on one collection at the price of the other — then the
  best mean ratio to the incumbent; ties (ratios equal to 3 decimals) go to the set with
  more model families.

Run ``python -m benchmarks.select_auto`` (about a minute); results in
``benchmarks/results/select_auto.json``.
"""

from __future__ import annotations

import itertools
import sys
import time

import numpy as np
import pandas as pd

from benchmarks import m3
from benchmarks._results import save
from forecast.models import ETS, SES, Drift, Holt, Naive, Theta, backtest

CANDIDATES = {"naive": Naive(), "drift": Drift(), "ses": SES(), "holt": Holt(), "damped": Holt(damped=True),
              "ets": ETS(), "theta": Theta(), "otm": Theta(theta=None), "dotm": Theta(theta=None, dynamic=True)}
INCUMBENT = ("median", ("drift", "damped", "ets", "dotm"))
FIGURES = ["m3_smape", "m3_mase", "world_smape", "world_mase"]


def world_train() -> pd.DataFrame:
    return pd.read_csv(m3.data_dir() / "world_annual_train.csv")


def cv_forecasts(train: pd.DataFrame) -> pd.DataFrame:
    """Rolling-origin forecasts of every candidate member (one column each)."""
    out = None
    for name, model in CANDIDATES.items():
        bt = backtest(train, h=6, n_windows=3, model=model, level=None, min_train=5)
        bt = bt[["unique_id", "cutoff", "ds", "h", "y", "scale", "yhat"]].rename(columns={"yhat": name})
        out = bt if out is None else out.merge(bt, on=["unique_id", "cutoff", "ds", "h", "y", "scale"])
    return out


def _score(d: pd.DataFrame, f: np.ndarray) -> tuple[float, float]:
    y, s = d["y"].to_numpy(), d["scale"].to_numpy()
    return (float(np.mean(200 * np.abs(f - y) / (np.abs(f) + np.abs(y)))),
            float(np.mean(np.abs(f - y) / s)))


def evaluate(cv: dict, max_members: int = 7) -> pd.DataFrame:
    rows = []
    names = list(CANDIDATES)
    for k in range(1, max_members + 1):
        for sub in itertools.combinations(names, k):
            for how in ("mean", "median") if k >= 3 else ("mean",):
                r = {"how": how, "members": "+".join(sub), "k": k}
                for cname, d in cv.items():
                    X = np.stack([d[m].to_numpy() for m in sub])
                    f = X.mean(axis=0) if how == "mean" else np.median(X, axis=0)
                    r[f"{cname}_smape"], r[f"{cname}_mase"] = _score(d, f)
                rows.append(r)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> dict:
    t0 = time.perf_counter()
    train, _, _ = m3.load(entrants=False)
    cv = {"m3": cv_forecasts(train), "world": cv_forecasts(world_train())}
    table = evaluate(cv)
    how, members = INCUMBENT
    inc = table[(table.how == how) & (table.members.map(lambda s: set(s.split("+")) == set(members)))].iloc[0]
    ok = table[(table[FIGURES] <= inc[FIGURES].to_numpy(dtype=float)).all(axis=1)].copy()
    ok["ratio"] = sum(ok[c] / inc[c] for c in FIGURES) / len(FIGURES)
    ok = ok.assign(r3=ok["ratio"].round(3)).sort_values(["r3", "k"], ascending=[True, False])
    pd.set_option("display.width", 200)
    print("rolling origin on the training parts (3 origins, h = 6): candidates at least as good as "
          "the incumbent on all four figures")
    print(ok.drop(columns="r3").to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    best = ok.iloc[0]
    print(f"chosen: {best['how']} of {best['members']}  ({time.perf_counter() - t0:.0f} s)")
    result = {"incumbent": inc.to_dict(), "dominating": ok.drop(columns="r3").to_dict(orient="records"),
              "chosen": best.drop(labels="r3").to_dict(),
              "best_by_mean_ratio_overall": table.assign(
                  ratio=sum(table[c] / inc[c] for c in FIGURES) / 4).sort_values("ratio").head(10).to_dict(
                  orient="records")}
    save("select_auto", result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
