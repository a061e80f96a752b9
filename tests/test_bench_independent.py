"""The independent-region benchmark end to end on one tiny region: its own simulator, the
files a user writes, the installed ``kadry run`` and the scoring of bench_demand_regions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from benchmarks.bench_demand_independent import evaluate, survey_frame
from benchmarks.independent_world import CELL, T, inn10, simulate_region, write_region


@pytest.fixture(scope="module")
def region():
    return simulate_region(7, n_employers=80, waves=4, response=0.7, n_sections=6,
                           n_professions=20)


def test_inn_check_digit():
    rng = np.random.default_rng(0)
    for _ in range(50):
        inn = inn10(rng)
        d = [int(c) for c in inn]
        assert len(inn) == 10
        assert sum(w * x for w, x in zip((2, 4, 10, 3, 5, 9, 4, 6, 8), d)) % 11 % 10 == d[9]


def test_truth_is_consistent(region):
    """Controls are the population's section totals; demand is §3 with the true exits."""
    te = region.truth_emp
    at_t = te[te["year"] == T].groupby("okved_section")["employment"].sum()
    ctrl = region.controls[region.controls["survey_year"] == T].set_index("okved_section")
    pd.testing.assert_series_equal(at_t.astype(float), ctrl["employment"].astype(float),
                                   check_names=False)
    td = region.truth_demand
    expect = (np.maximum(0, td["expansion"] + td["replacement"]) + td["vacancies"])
    np.testing.assert_allclose(td["demand"], expect)
    assert (td.loc[td["year"] > T + 1, "vacancies"] == 0).all()
    # respondents only ever report what exists, and weights gross up to the controls
    f = survey_frame(region)
    w = (f["headcount"] * f["weight"]).groupby([f["survey_year"], f["okved_section"]]).sum()
    c = region.controls.set_index(["survey_year", "okved_section"])["employment"]
    np.testing.assert_allclose(w.to_numpy(), c.reindex(w.index).to_numpy())
    assert set(te.columns) == {*CELL, "year", "employment"}


def test_files_as_a_user_writes_them(region, tmp_path):
    folder = write_region(region, tmp_path)
    assert (folder / "kadry.toml").exists() and (folder / "scenario.csv").exists()
    forms = sorted(p.name for p in (folder / "surveys").iterdir())
    assert len([p for p in forms if p.endswith(".csv")]) == 4
    sc = pd.read_csv(folder / "scenario.csv", keep_default_na=False)
    assert set(sc.loc[sc["year"] > T, "variant"]) == {"base", "conservative", "target"}
    assert set(sc.loc[sc["year"] <= T, "variant"]) == {""}


def test_one_region_end_to_end(region):
    r = evaluate(region)
    assert r["rc"] == 0, r["stderr"]
    assert r["report"]["rejected"] == 0 and r["report"]["rows_read"] == len(region.rows)
    for key in ("cov80_avg", "cov95_avg", "sec80_avg", "sec95_avg",
                *(f"cov80_{h}" for h in range(1, 6))):
        assert 0.0 <= r[key] <= 1.0, key
    for key in ("wmape_model", "wmape_needs", "wmape_flat"):
        assert math.isfinite(r[key]) and r[key] >= 0, key
    assert r["cov95_avg"] >= r["cov80_avg"]        # a 95 % band contains the 80 % one
