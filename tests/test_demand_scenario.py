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


def _frame_flat_sections():
    """Employment that ignores GRP (flat with noise): the backtest prefers the time series."""
    rng = np.random.default_rng(1)
    rows = []
    for y in range(2018, 2027):
        for e in range(8):
            for sec, p in (("C", "11111"), ("C", "22222"), ("F", "33333")):
                rows.append(dict(survey_year=y, inn=str(e), okved_section=sec,
                                 profession_code=p, profession="P", education="ВО",
                                 headcount=round(20 * (1 + 0.05 * rng.normal())),
                                 vacancies=1, age_55plus=4.0, need_1=2, need_2=2,
                                 weight=1.0))
    return pd.DataFrame(rows)


@pytest.mark.parametrize("frame", [_frame, _frame_flat_sections])
def test_variant_is_base_times_indicator_ratio_to_the_beta(frame):
    """§2: E_v[i,t] = E_base[i,t]·(x_v[t]/x_base[t])^β[i] for every section and year, with
    β[i] the listed elasticity, whichever model the backtest chose for the base path;
    cells scale with their section, so the variant stays coherent."""
    sc = _scenario(False)
    res = forecast_demand(build_panel(frame()), sc, horizon=5)
    d = res.demand
    beta = res.elasticities.set_index("okved_section")["beta"]
    assert list(beta.index) == ["C", "F"] and np.isfinite(beta).all()
    # β is the own slope shrunk towards the pooled one: between them
    el = res.elasticities.set_index("okved_section")
    lo = np.minimum(el["beta_own"], el["beta_pooled"]) - 1e-12
    hi = np.maximum(el["beta_own"], el["beta_pooled"]) + 1e-12
    assert ((beta >= lo) & (beta <= hi)).all()
    grp = sc[sc["indicator"] == "grp"].pivot_table(index="year", columns="variant",
                                                    values="value")
    sec = d[d["level"] == "section"].pivot_table(index=["okved_section", "year"],
                                                  columns="scenario", values="employment")
    for (s, y), row in sec.iterrows():
        if y <= 2026:
            continue
        for v in ("conservative", "target"):
            expected = row["base"] * (grp.loc[y, v] / grp.loc[y, "base"]) ** beta[s]
            assert row[v] == pytest.approx(expected, rel=1e-9)
    if frame is _frame_flat_sections:
        assert res.info["industry_model"] == "univariate"
        # variants still differ: the elasticity is never dropped
        t = d[(d["level"] == "total") & (d["year"] == 2031)].set_index("scenario")["employment"]
        assert t.nunique() == 3
    # coherence of a variant: cells sum to sections, sections to the total
    tv = d[(d["scenario"] == "target") & (d["year"] == 2030)]
    cells = tv[tv["level"] == "cell"].groupby("okved_section")["employment"].sum()
    secs = tv[tv["level"] == "section"].set_index("okved_section")["employment"]
    assert cells.to_numpy() == pytest.approx(secs.loc[cells.index].to_numpy(), rel=1e-12)
    assert tv.loc[tv["level"] == "total", "employment"].iloc[0] == pytest.approx(secs.sum())


def test_only_one_variant_asked_still_uses_the_base_path():
    panel = build_panel(_frame())
    both = forecast_demand(panel, _scenario(False), horizon=3)
    only = forecast_demand(panel, _scenario(False), horizon=3, scenarios=["target"])
    a = both.demand[both.demand["scenario"] == "target"].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, only.demand.reset_index(drop=True))


def test_age_effect_is_the_replacement_at_the_default_rate():
    """Demand with and without the age answers, recomputed by hand on the same path: the
    cells' exit rate from O/E against demand.default_exit_rate everywhere."""
    from forecast.params import DemandParams

    res = forecast_demand(build_panel(_frame()), None, horizon=3)
    d = res.demand
    age = res.age_effect.set_index("year")
    cells = d[(d["level"] == "cell")].sort_values(["okved_section", "profession_code", "year"])
    dp = DemandParams()
    for y in (2027, 2028, 2029):
        cur = cells[cells["year"] == y].set_index(["okved_section", "profession_code"])
        prev = cells[cells["year"] == y - 1].set_index(["okved_section", "profession_code"])
        x = cur["employment"] - prev["employment"]
        vac = cur["vacancies"]
        without = (np.maximum(0.0, x + dp.default_exit_rate * prev["employment"]) + vac).sum()
        assert age.loc[y, "demand"] == pytest.approx(cur["demand"].sum(), rel=1e-9)
        assert age.loc[y, "demand_without_age"] == pytest.approx(without, rel=1e-9)
    # here 55+ is 4 of ~20 staff: r = 0.2/7 + 0.01 ≈ 0.039 > 0.03, so the age answers add demand
    assert (age["difference"] > 0).all()


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_methodology_sheet_lists_beta_per_industry_and_the_age_effect(lang, tmp_path):
    from forecast.config import config_from_mapping
    from forecast.report.methodology import methodology_lines

    res = forecast_demand(build_panel(_frame()), _scenario(False), horizon=3)
    cfg = config_from_mapping({"survey": {"paths": ["."]}}, base_dir=tmp_path)
    lines = [t for _, t in methodology_lines(cfg, 2026, ["base"], lang, res)]
    text = "\n".join(lines)
    for r in res.elasticities.itertuples():
        assert f"{r.okved_section}: β = {r.beta:.3f}" in text
    base = res.age_effect[res.age_effect["scenario"] == "base"]
    total = f"{base['demand'].sum():,.0f}".replace(",", " " if lang == "ru" else ",")
    assert total in text and ("55+" in text)
    # without a demand result the sheet is the plain methodology
    assert not any("β = " in t for t in methodology_lines(cfg, 2026, ["base"], lang))


def test_one_scenario_order_for_demand_report_and_run_result():
    """The scenario order is defined once (forecast.params.scenario_order) and used by the
    demand stage, the workbook tables and RunResult.scenarios (issue 15 item 1)."""
    from forecast import params
    from forecast.pipeline import RunResult
    from forecast.report import tables

    names = ["target", "alpha", "base", "conservative", "zeta"]
    sc = pd.DataFrame({"year": 2030, "indicator": "grp", "value": 1.0, "variant": names})
    expected = ["base", "conservative", "target", "alpha", "zeta"]
    assert scenario_variants(sc) == expected
    assert params.scenario_order(names) == expected
    assert tables.scenario_order is params.scenario_order
    rr = RunResult.__new__(RunResult)
    rr.demand = pd.DataFrame({"scenario": names})
    assert rr.scenarios == expected
