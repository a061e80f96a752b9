"""End to end on the sample region with known truth: surveys → panel → demand.

The naive benchmarks are computed from the survey frame, independently of the model, by
:mod:`forecast.sample.scoring` (checked by hand in tests/test_sample.py): stated needs at
face value (Σ_h w·need_h), and flat employment with 3 % replacement plus the vacancies in
the first year. The truth comes from the region's truth files.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.columns import DEMAND_COLUMNS, DEMAND_LEVELS
from forecast.demand import REALISATION_COLUMNS, forecast_demand
from forecast.panel import build_panel
from forecast.params import DemandParams
from forecast.sample.scoring import demand_scores

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
KEY = ["profession_code", "education"]


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    from forecast.survey import read_surveys
    folder = SAMPLE
    if not (folder / "truth" / "demand.csv").exists():
        from forecast.sample import generate_region, write_region
        folder = tmp_path_factory.mktemp("region")
        write_region(generate_region(), folder)
    survey = read_surveys([folder / "surveys"], controls=folder / "controls.csv")
    scenario = pd.read_csv(folder / "scenario.csv", keep_default_na=False,
                           dtype={"variant": str})
    res = forecast_demand(build_panel(survey.frame), scenario)
    read = dict(dtype={"profession_code": str, "okved_section": str})
    return dict(frame=survey.frame, res=res,
                truth_demand=pd.read_csv(folder / "truth" / "demand.csv", **read),
                truth_emp=pd.read_csv(folder / "truth" / "employment.csv", **read))


def test_beats_both_naive_benchmarks_by_profession(region):
    res = region["res"]
    s = demand_scores(res.demand, region["frame"], region["truth_demand"], res.survey_year)
    m, n1, n2 = s["wmape_model"], s["wmape_needs"], s["wmape_flat"]
    assert m <= 0.9 * n1, (m, n1)
    assert m <= 0.9 * n2, (m, n2)


def test_profession_intervals_cover_truth_at_t_plus_5(region):
    res = region["res"]
    T = res.survey_year
    te = region["truth_emp"]
    true5 = te[te["year"] == T + 5].groupby(KEY)["employment"].sum().rename("true")
    d = res.demand
    p = d[(d["level"] == "profession") & (d["scenario"] == "base") & (d["year"] == T + 5)]
    j = p.set_index(KEY).join(true5, how="inner")
    assert len(j) >= 20
    cover = ((j["true"] >= j["employment_lo_80"]) & (j["true"] <= j["employment_hi_80"])).mean()
    assert 0.65 <= cover <= 0.95, cover
    assert (j["employment_lo_95"] <= j["employment_lo_80"] + 1e-9).all()
    assert (j["employment_hi_95"] >= j["employment_hi_80"] - 1e-9).all()


def test_frame_contract_and_coherence(region):
    res = region["res"]
    d = res.demand
    T = res.survey_year
    assert list(d.columns) == list(DEMAND_COLUMNS)
    assert set(d["level"]) == set(DEMAND_LEVELS)
    assert set(d["scenario"]) == {"base", "conservative", "target"}
    assert sorted(d["year"].unique()) == list(range(T, T + 8))
    cells = d[d["level"] == "cell"]
    for col in ("employment", "expansion", "replacement", "vacancies", "demand"):
        c = cells.groupby(["scenario", "okved_section", "year"])[col].sum()
        s = d[d["level"] == "section"].set_index(["scenario", "okved_section", "year"])[col]
        assert np.nanmax(np.abs(c.reindex(s.index) - s).to_numpy()) <= 0.5
        tot = d[d["level"] == "total"].set_index(["scenario", "year"])[col]
        st = s.groupby(["scenario", "year"]).sum()
        assert np.nanmax(np.abs(st.reindex(tot.index) - tot).to_numpy()) <= 0.5
        pc = cells.groupby(["scenario", *KEY, "year"])[col].sum()
        pr = d[d["level"] == "profession"].set_index(["scenario", *KEY, "year"])[col]
        assert np.nanmax(np.abs(pc.reindex(pr.index) - pr).to_numpy()) <= 0.5
    num = d.select_dtypes("number")
    assert (num.fillna(0) >= 0).drop(columns=["expansion"]).all().all()
    # scenarios differ in the forecast, not in year T
    t = d[(d["level"] == "total")].pivot(index="year", columns="scenario", values="employment")
    assert t.loc[T].nunique() == 1
    assert t.loc[T + 7, "target"] > t.loc[T + 7, "conservative"]
    # sorted deterministically
    key = d[["scenario", "level"]].assign(
        s=d["scenario"].map({"base": 0, "conservative": 1, "target": 2}),
        l=d["level"].map({v: i for i, v in enumerate(DEMAND_LEVELS)}))
    assert key[["s", "l"]].apply(tuple, axis=1).is_monotonic_increasing


def test_section_3_identities(region):
    res = region["res"]
    d = res.demand
    T = res.survey_year
    p = DemandParams()
    cells = d[d["level"] == "cell"].sort_values(["scenario", "okved_section", *KEY, "year"])
    g = cells.groupby(["scenario", "okved_section", *KEY])
    prev = g["employment"].shift(1)
    fut = cells["year"] > T
    np.testing.assert_allclose(cells.loc[fut, "expansion"],
                               (cells["employment"] - prev)[fut], atol=1e-6)
    rate = cells.loc[fut, "replacement"] / prev[fut]
    ok = prev[fut] > 0
    assert (rate[ok] <= p.max_exit_rate + 1e-9).all() and (rate[ok] >= 0.01 - 1e-9).all()
    # one exit rate per cell across years and scenarios
    assert (rate[ok].groupby([cells.loc[fut][ok][c] for c in ("okved_section", *KEY)])
            .agg(lambda s: s.max() - s.min()) < 1e-9).all()
    np.testing.assert_allclose(
        cells.loc[fut, "demand"],
        np.maximum(0, cells.loc[fut, "expansion"] + cells.loc[fut, "replacement"])
        + cells.loc[fut, "vacancies"], atol=1e-9)
    assert (cells.loc[cells["year"] > T + 1, "vacancies"] == 0).all()
    assert cells.loc[~fut, ["expansion", "replacement", "vacancies", "demand"]].isna().all().all()
    frame = region["frame"]
    last = frame[frame["survey_year"] == T]
    v = (last["vacancies"].fillna(0) * last["weight"]).sum()
    first = cells[(cells["year"] == T + 1) & (cells["scenario"] == "base")]
    assert first["vacancies"].sum() == pytest.approx(v * p.vacancy_fill_share)
    e = (last["headcount"] * last["weight"]).sum()
    assert cells[(cells["year"] == T) & (cells["scenario"] == "base")][
        "employment"].sum() == pytest.approx(e)
    assert (d["demand_lo_80"].fillna(0) <= d["demand"].fillna(0) + 1e-9).all()
    assert (d["demand_hi_80"].fillna(0) >= d["demand"].fillna(0) - 1e-9).all()


def test_realisation_and_accuracy_tables(region):
    res = region["res"]
    r = res.realisation
    assert list(r.columns) == list(REALISATION_COLUMNS)
    assert (r["rho"] > 0).all() and r["weight"].between(0, 1).all()
    a = res.accuracy
    assert {"method", "horizon", "wmape", "n"} <= set(a.columns)
    assert set(a["method"]) == {"model", "stated_needs", "flat_3pct",
                                "model_realised_expansion", "model_realised_replacement",
                                "model_realised_employment"}
    # the decomposition: with both components realised the model's demand *is* the
    # realised demand (§3 on the later waves), so no error is left; with one of them
    # realised, less error than the model's own
    emp = a[a["method"] == "model_realised_employment"]
    assert len(emp) and (emp["wmape"] < 1e-9).all()
    for part in ("expansion", "replacement"):
        m = a[(a["method"] == "model") & a["cumulative"]].set_index("horizon")["wmape"]
        p = a[(a["method"] == f"model_realised_{part}") & a["cumulative"]].set_index(
            "horizon")["wmape"]
        assert (p <= m + 1e-9).all() if part == "expansion" else len(p) == len(m)
    cov = a.loc[a["method"] == "model", "coverage_80"].dropna()
    assert len(cov) and cov.between(0, 1).all()
