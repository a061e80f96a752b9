"""Scenario variants on a region whose few waves give negative elasticity estimates
(found by benchmarks/bench_demand_independent: an 80-employer, 4-wave region)."""

from __future__ import annotations

import pytest
from benchmarks.independent_world import simulate_region, write_region

from forecast.pipeline import run


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    region = simulate_region(11000, n_employers=80, waves=4, response=0.4, n_sections=6)
    folder = write_region(region, tmp_path_factory.mktemp("r"))
    return run(folder / "kadry.toml")


def test_estimates_below_zero_are_applied_as_zero(result):
    el = result.demand_result.elasticities
    assert (el["beta_own"] < 0).any() or el["beta_pooled"].iloc[0] < 0   # the case at hand
    assert (el["beta"] >= 0).all()


def test_variants_are_never_reversed(result):
    d = result.demand
    tot = d[d["level"] == "total"].pivot_table(index="year", columns="scenario",
                                               values="employment")
    later = tot[tot.index > result.survey_year]
    # the generated scenario's indicator is ordered conservative < base < target
    assert (later["conservative"] <= later["base"] + 1e-9).all()
    assert (later["base"] <= later["target"] + 1e-9).all()


def test_an_indicator_history_too_short_leaves_the_prior(tmp_path):
    """A scenario whose indicator history starts in T − 1 identifies no elasticity: the
    variants apply the prior's pooled β (they still differ, in the indicator's order), and
    the Методика sheet says the data gave no estimate."""
    import pandas as pd

    from forecast.demand import ELASTICITY_PRIOR
    from forecast.report.methodology import methodology_lines

    region = simulate_region(11001, n_employers=80, waves=4, response=0.6, n_sections=6)
    folder = write_region(region, tmp_path)
    sc = pd.read_csv(folder / "scenario.csv", keep_default_na=False)
    sc[sc["year"] >= 2025].to_csv(folder / "scenario.csv", index=False)
    res = run(folder / "kadry.toml")
    el = res.demand_result.elasticities
    assert el["beta_pooled"].iloc[0] == pytest.approx(ELASTICITY_PRIOR[0])
    assert el["beta_pooled_data"].isna().all()
    t = res.demand[(res.demand["level"] == "total") & (res.demand["year"] == res.survey_year + 5)]
    t = t.set_index("scenario")["employment"]
    assert t["conservative"] < t["base"] < t["target"]
    text = " ".join(x for _, x in methodology_lines(res.config, res.survey_year, res.scenarios,
                                                   "en", demand=res.demand_result))
    assert "the data's —" in text and "prior of 0.5 ± 0.25" in text


def test_all_flat_elasticities_are_said_on_the_console():
    from types import SimpleNamespace

    import pandas as pd

    from forecast.pipeline import _flat_variants_note

    el = pd.DataFrame({"okved_section": ["C", "F"], "beta": [0.0, 0.0], "beta_pooled": [-0.2, -0.2]})
    res = SimpleNamespace(demand_result=SimpleNamespace(elasticities=el),
                          scenarios=["base", "conservative", "target"])
    note = _flat_variants_note(res)
    assert "equal the base path" in note and "-0.200" in note
    el.loc[0, "beta"] = 0.3
    assert _flat_variants_note(res) is None
    res.scenarios = ["base"]
    el.loc[0, "beta"] = 0.0
    assert _flat_variants_note(res) is None          # nothing to differ
