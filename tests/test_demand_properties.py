"""Hypothesis properties of forecast_demand on small random panels."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.demand import forecast_demand
from forecast.panel import build_panel
from forecast.params import ForecastParams


@st.composite
def frames(draw):
    waves = draw(st.integers(1, 6))
    n_emp = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    rows = []
    for y in range(2020, 2020 + waves):
        for e in range(n_emp):
            if rng.random() < 0.2:
                continue            # employer did not answer this wave
            sec = "CF"[e % 2]
            for p in ("11111", "22222", "33333"):
                if rng.random() < 0.3:
                    continue
                head = int(rng.integers(0, 60))
                rows.append(dict(
                    survey_year=y, inn=str(e), okved_section=sec, profession_code=p,
                    profession="P", education="СПО-КРС", headcount=head,
                    vacancies=int(rng.integers(0, 5)),
                    age_55plus=float(rng.integers(0, head + 1)) if rng.random() < 0.7 else np.nan,
                    need_1=int(rng.integers(0, 8)), need_2=int(rng.integers(0, 8)),
                    weight=float(rng.uniform(1, 3))))
    if not rows:
        rows.append(dict(survey_year=2020, inn="0", okved_section="C", profession_code="11111",
                         profession="P", education="ВО", headcount=5, vacancies=0,
                         age_55plus=np.nan, need_1=1, need_2=0, weight=1.0))
    return pd.DataFrame(rows)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), method=st.sampled_from(["mint_shrink", "wls_struct", "ols",
                                                "bottom_up", "top_down"]))
def test_nonnegative_coherent_deterministic(frame, method):
    fp = ForecastParams(horizon=3, reconcile=method)
    res = forecast_demand(build_panel(frame), None, fp)
    again = forecast_demand(build_panel(frame.copy()), None, fp)
    pd.testing.assert_frame_equal(res.demand, again.demand)
    d = res.demand
    # point employment comes out of the reconciliation, which can go negative on its own
    assert (d["employment"] >= 0).all()
    # §3 per cell, an identity the assembly could break (not a clip it applies last):
    # D = max(0, X + R) + vacancy term, with X = E[t] − E[t−1] and R ≥ 0
    cells_f = d[(d["level"] == "cell") & d["demand"].notna()]
    expect = np.maximum(cells_f["expansion"] + cells_f["replacement"], 0) + cells_f["vacancies"]
    np.testing.assert_allclose(cells_f["demand"], expect, rtol=1e-9, atol=1e-9)
    assert (cells_f["replacement"] >= 0).all() and (cells_f["vacancies"] >= 0).all()
    prev = d[d["level"] == "cell"].sort_values(["okved_section", "profession_code", "education", "year"])
    step = prev.groupby(["okved_section", "profession_code", "education"])["employment"].diff()
    np.testing.assert_allclose(prev["expansion"].dropna(), step[prev["expansion"].notna()], atol=1e-9)
    assert (d["employment_lo_95"] <= d["employment_lo_80"] + 1e-9).all()
    assert (d["employment_lo_80"] <= d["employment"] + 1e-9).all()
    assert (d["employment_hi_80"] >= d["employment"] - 1e-9).all()
    cells = d[d["level"] == "cell"]
    tot = d[d["level"] == "total"].set_index("year")
    for col in ("employment", "demand"):
        s = cells.groupby("year")[col].sum(min_count=1)
        assert np.nanmax(np.abs((s - tot[col]).to_numpy(float))) <= 1e-6 * max(1, s.max())


def test_waves_with_a_gap_year():
    rng = np.random.default_rng(3)
    rows = [dict(survey_year=y, inn=str(e), okved_section="C", profession_code=p,
                 profession="P", education="ВО", headcount=int(rng.integers(5, 40)),
                 vacancies=1, age_55plus=2.0, need_1=3, need_2=2, weight=1.0)
            for y in (2016, 2017, 2018, 2020, 2021, 2022) for e in range(5)
            for p in ("11111", "22222")]
    res = forecast_demand(build_panel(pd.DataFrame(rows)), None, ForecastParams(horizon=3))
    assert 2019 not in res.info["origins"]
    assert sorted(res.demand["year"].unique()) == [2022, 2023, 2024, 2025]
    assert res.demand["employment"].notna().all()
