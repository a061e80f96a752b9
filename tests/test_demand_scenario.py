"""Scenario handling of the top-down view and the forecast_demand contract around it."""

import numpy as np
import pandas as pd
import pytest

from forecast.demand import forecast_demand
from forecast.demand.topdown import choose_indicator, scenario_paths, scenario_variants
from forecast.errors import InputError
from forecast.panel import build_panel


def _log_growth(y):
    """Cumulative log GRP growth since 2018 with varying yearly growth."""
    return sum(0.02 + 0.03 * np.sin(t) for t in range(2019, y + 1))


def _scenario(repeat_history: bool):
    rows = []
    hist = {y: 100 * np.exp(_log_growth(y)) for y in range(2018, 2027)}
    growth = {"base": 0.02, "conservative": -0.01, "target": 0.05}
    for v, g in growth.items():
        for y in range(2027, 2035):
            rows.append((y, "grp", hist[2026] * (1 + g) ** (y - 2026), v))
        if repeat_history:
            rows += [(y, "grp", val, v) for y, val in hist.items()]
    if not repeat_history:
        rows += [(y, "grp", val, "") for y, val in hist.items()]
    rows += [(y, "population", 1000.0, "") for y in range(2018, 2035)]
    return pd.DataFrame(rows, columns=["year", "indicator", "value", "variant"])


def _frame():
    rng = np.random.default_rng(0)
    rows = []
    for y in range(2018, 2027):
        g = np.exp(_log_growth(y))
        for e in range(8):
            for sec, p in (("C", "11111"), ("C", "22222"), ("F", "33333")):
                rows.append(dict(survey_year=y, inn=str(e), okved_section=sec,
                                 profession_code=p, profession="P", education="ВО",
                                 headcount=round(20 * g * (1 + 0.02 * rng.normal())),
                                 vacancies=1, age_55plus=4.0, need_1=2, need_2=2,
                                 weight=1.0))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("repeat", [False, True])
def test_paths_same_whether_history_repeated_or_blank(repeat):
    years = np.arange(2018, 2034)
    sc = _scenario(repeat)
    assert scenario_variants(sc) == ["base", "conservative", "target"]
    assert choose_indicator(sc) == "grp"
    ind, paths, realised = scenario_paths(sc, years, ["base", "conservative", "target"])
    ref = scenario_paths(_scenario(not repeat), years, ["base", "conservative", "target"])
    for v in paths:
        np.testing.assert_allclose(paths[v], ref[1][v])
    np.testing.assert_allclose(realised, paths["base"])
    assert paths["target"][-1] > paths["base"][-1] > paths["conservative"][-1]


def test_no_scenario_gives_base_only():
    res = forecast_demand(build_panel(_frame()), None, horizon=3)
    assert set(res.demand["scenario"]) == {"base"}
    assert res.info["industry_model"] == "univariate"


def test_scenarios_filter_and_unknown():
    panel = build_panel(_frame())
    res = forecast_demand(panel, _scenario(False), horizon=3, scenarios=["target"])
    assert set(res.demand["scenario"]) == {"target"}
    with pytest.raises(InputError, match="nosuch"):
        forecast_demand(panel, _scenario(False), horizon=3, scenarios=["nosuch"])


def test_bad_scenario_value_names_row():
    sc = _scenario(False).astype({"value": object})
    sc.loc[3, "value"] = "abc"
    with pytest.raises(InputError, match="row 5"):
        scenario_paths(sc, np.arange(2018, 2030), ["base"])


def test_variants_order_their_totals():
    res = forecast_demand(build_panel(_frame()), _scenario(False), horizon=5)
    t = res.demand[res.demand["level"] == "total"].pivot(index="year", columns="scenario",
                                                          values="employment")
    assert t.loc[2026].nunique() == 1
    assert res.info["industry_model"] == "regression"     # employment follows GRP here
    assert t.loc[2031, "target"] > t.loc[2031, "base"] > t.loc[2031, "conservative"]


def test_scenario_from_csv_path(tmp_path):
    path = tmp_path / "scenario.csv"
    _scenario(False).to_csv(path, index=False, encoding="utf-8-sig")
    panel = build_panel(_frame())
    a = forecast_demand(panel, path, horizon=3).demand
    b = forecast_demand(panel, _scenario(False), horizon=3).demand
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(InputError, match="cannot read"):
        forecast_demand(panel, tmp_path / "missing.csv", horizon=3)
