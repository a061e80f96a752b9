"""Measure 13, methodology §4–5 and §7: hand-worked quotas per programme.

Every expected number below is worked out by hand in the comments (T = 2026, admission in
2027), never produced by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.columns import QUOTAS_COLLEGES_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.errors import InputError
from forecast.quotas import derive_quotas, derive_quotas_detailed

T = 2026
YEARS = range(2026, 2034)   # T … T+7


def demand_rows(profession: str, education: str, values: dict[int, float],
                scenario: str | None = None) -> list[dict]:
    rows = [{"profession_code": profession, "education": education, "year": y,
             "demand": float(values.get(y, 0.0))} for y in YEARS]
    if scenario is not None:
        for r in rows:
            r["scenario"] = scenario
    return rows


def programmes_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "name", "level", "duration_months",
                                       "employment_rate", "dropout"])


def mapping_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["profession_code", "programme_code", "weight"])


def colleges_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["college_code", "college", "programme_code", "capacity",
                                       "last_quota", "employment_rate"])


def row_of(frame: pd.DataFrame, code: str, scenario: str = "base") -> pd.Series:
    sel = frame[(frame["programme_code"] == code) & (frame["scenario"] == scenario)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_two_durations_graduate_in_different_years():
    # 15.01.05 lasts 22 months: g = 2027 + ceil(22/12) = 2029; 15.02.01 lasts 46: g = 2031.
    # Demand grows 10 a year: D(2029) = 30, D(2031) = 50. c = 0.7, e = 0.7 → G = D.
    # d = 0.1 → A_raw = 30/0.9 = 33.33 and 50/0.9 = 55.56; total ⌊88.89 + 0.5⌋ = 89;
    # floors 33 + 55 = 88; the one place left goes to the larger remainder .56 → 56.
    values = {y: 10.0 * (y - 2026) for y in YEARS}
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", values)
                          + demand_rows("22222", "СПО-ССЗ", values))
    progs = programmes_frame([("15.01.05", "Сварщик", "СПО-КРС", 22, 0.7, 0.1),
                              ("15.02.01", "Монтаж", "СПО-ССЗ", 46, 0.7, 0.1)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0), ("22222", "15.02.01", 1.0)])
    res = derive_quotas_detailed(demand, T, progs, mapping, None, None)
    p = res.programmes
    a, b = row_of(p, "15.01.05"), row_of(p, "15.02.01")
    assert (a.admission_year, a.graduation_year) == (2027, 2029)
    assert (b.admission_year, b.graduation_year) == (2027, 2031)
    assert a.demand == pytest.approx(30.0) and b.demand == pytest.approx(50.0)
    assert a.graduates_needed == pytest.approx(30.0) and b.graduates_needed == pytest.approx(50.0)
    assert (a.quota_needed, b.quota_needed) == (33, 56)
    assert (a.quota, b.quota) == (33, 56)
    # no college licensed: one row each with the whole quota as deficit (§6)
    c = res.colleges
    assert c["college_code"].tolist() == ["", ""]
    assert c["deficit"].tolist() == [33, 56] and c["target"].tolist() == [33.0, 56.0]
    assert c["quota"].tolist() == [0, 0] and c["capacity"].tolist() == [0, 0]
    assert a.deficit == 33 and b.deficit == 56
    # the chain by year stops at g: 2027…2029 and 2027…2031
    by = res.demand_by_year
    assert by.loc[by.programme_code == "15.01.05", "year"].tolist() == [2027, 2028, 2029]
    assert by.loc[by.programme_code == "15.02.01", "year"].tolist() == list(range(2027, 2032))


def test_profession_split_between_two_programmes_and_unmapped_demand():
    # 33333 СПО-КРС demand in 2029 = 100, weights 0.6 / 0.4; c = 0.5, e = 1, d = 0:
    # G_A = 0.6·100·0.5/1 = 30, G_B = 0.4·100·0.5 = 20 → quotas 30 and 20.
    demand = pd.DataFrame(
        demand_rows("33333", "СПО-КРС", {2029: 100.0})
        + demand_rows("33333", "ВО", {2028: 77.0, 2029: 5.0})       # no quotas at ВО
        + demand_rows("33333", "СПО-ССЗ", {2029: 12.0})             # no ССЗ programme mapped
        + demand_rows("44444", "БО", {2026: 3.0})                   # year T: never used
    )
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 22, 1.0, 0.0),
                              ("15.01.10", "B", "СПО-КРС", 22, 1.0, 0.0),
                              ("15.03.01", "Инженер", "ВО", 48, None, None)])
    mapping = mapping_frame([("33333", "15.01.05", 0.6), ("33333", "15.01.10", 0.4),
                             ("33333", "15.03.01", 1.0)])
    res = derive_quotas_detailed(demand, T, progs, mapping, params={"coverage_share": 0.5})
    p = res.programmes
    # the ВО programme gets no row
    assert p["programme_code"].tolist() == ["15.01.05", "15.01.10"]
    assert row_of(p, "15.01.05").demand == pytest.approx(60.0)
    assert row_of(p, "15.01.05").graduates_needed == pytest.approx(30.0)
    assert row_of(p, "15.01.10").graduates_needed == pytest.approx(20.0)
    assert p["quota"].tolist() == [30, 20]
    um = res.unmapped
    got = {(r.education, r.year, r.reason): r.demand for r in um.itertuples()}
    assert got == {("ВО", 2028, "no_quota_level"): 77.0, ("ВО", 2029, "no_quota_level"): 5.0,
                   ("СПО-ССЗ", 2029, "no_programme"): 12.0}


def test_pipeline_covers_the_need_with_carry_over():
    # 22 months, d = 0.2, c = 1, e = 1. Cohorts: 2024 → graduates 2026 = T (already out),
    # 2025 → 2027: 50·0.8 = 40; 2026 → 2028: 25·0.8 = 20; 2027 → after T: reported, ignored.
    # G: 2027 10, 2028 15, 2029 30. S2027 = max(0, 0 + 40 − 10) = 30;
    # S2028 = max(0, 30 + 20 − 15) = 35; P* = S2028 + P2029 = 35 + 0 = 35 ≥ 30 → gap 0, quota 0.
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2027: 10, 2028: 15, 2029: 30}))
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 22, 1.0, 0.2)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0)])
    enrol = pd.DataFrame({"programme_code": ["15.01.05"] * 4,
                          "admission_year": [2024, 2025, 2026, 2027],
                          "students": [99, 50, 25, 30]})
    colleges = colleges_frame([("K1", "Колледж", "15.01.05", 25, 20, None)])
    res = derive_quotas_detailed(demand, T, progs, mapping, colleges, enrol,
                                 params={"coverage_share": 1.0})
    r = row_of(res.programmes, "15.01.05")
    assert r.pipeline == pytest.approx(35.0)
    assert (r.gap, r.quota_needed, r.quota, r.deficit) == (0.0, 0, 0, 0)
    assert r.dropout == 0.2 and r.last_quota == 20
    by = res.demand_by_year.set_index("year")
    assert by["pipeline"].tolist() == pytest.approx([40.0, 20.0, 0.0])
    assert by["supply_carried"].tolist() == pytest.approx([0.0, 30.0, 35.0])
    assert by["surplus"].tolist() == pytest.approx([30.0, 35.0, 5.0])
    # the college row is kept with quota 0 and target 0
    c = res.colleges.iloc[0]
    assert (c.college_code, c.quota, c.target, c.last_quota) == ("K1", 0, 0.0, 20)
    issues = res.issues
    assert issues["code"].tolist() == ["future_cohort"]
    assert issues["row"].tolist() == [5] and issues["value"].tolist() == [2027]


def test_gap_after_partial_pipeline_uses_default_dropout_and_rate():
    # Empty rate and dropout take 0.75 and 0.15; c = 0.7. A 34-month programme admitted in
    # 2027 graduates in g = 2027 + 3 = 2030; D2030 = 75 → G = 75·0.7/0.75 = 70.
    # The cohort admitted in 2026 graduates in 2029: 20·0.85 = 17; G2029 = 0 → S2029 = 17;
    # P* = S2029 + P2030 = 17 + 0; gap = 53; A_raw = 53/0.85 = 62.35 → 62.
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2030: 75}))
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 34, None, None)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0)])
    enrol = pd.DataFrame({"programme_code": ["15.01.05"], "admission_year": [2026],
                          "students": [20]})
    r = row_of(derive_quotas(demand, T, progs, mapping, None, enrol)[0], "15.01.05")
    assert r.graduation_year == 2030
    assert r.graduates_needed == pytest.approx(70.0)
    assert r.pipeline == pytest.approx(17.0)
    assert r.gap == pytest.approx(53.0) and r.dropout == 0.15
    assert r.quota_needed == 62


def _budget_case(total_places):
    # c = 1, e = 1, d = 0: quota_needed = demand in 2029: 10, 10, 5 (Σ 25).
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2029: 10})
                          + demand_rows("22222", "СПО-КРС", {2029: 10})
                          + demand_rows("33333", "СПО-КРС", {2029: 5}))
    progs = programmes_frame([("15.01.01", "A", "СПО-КРС", 22, 1.0, 0.0),
                              ("15.01.02", "B", "СПО-КРС", 22, 1.0, 0.0),
                              ("15.01.03", "C", "СПО-КРС", 22, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.01.01", 1.0), ("22222", "15.01.02", 1.0),
                             ("33333", "15.01.03", 1.0)])
    params = {"coverage_share": 1.0, "total_places": total_places}
    return derive_quotas(demand, T, progs, mapping, params=params)[0]


def test_binding_budget_largest_remainder_and_shortfall():
    # B = 12: 10·12/25 = 4.8, 4.8, 2.4 → floors 4, 4, 2 (10); 2 places to remainders .8, .8
    # → 5, 5, 2; shortfall 5, 5, 3.
    p = _budget_case(12)
    assert p["quota_needed"].tolist() == [10, 10, 5]
    assert p["quota"].tolist() == [5, 5, 2] and p["shortfall"].tolist() == [5, 5, 3]
    # B = 11: 4.4, 4.4, 2.2 → 4, 4, 2; one place, remainders .4 = .4 tie → smaller code.
    p = _budget_case(11)
    assert p["quota"].tolist() == [5, 4, 2] and p["shortfall"].tolist() == [5, 6, 3]
    # a budget above the need is never used to scale up
    p = _budget_case(100)
    assert p["quota"].tolist() == [10, 10, 5] and p["shortfall"].tolist() == [0, 0, 0]
    assert _budget_case(0)["quota"].tolist() == [0, 0, 0]


def test_rounding_total_and_code_order_tie():
    # A_raw = 2.5 and 2.5 (c = 1, e = 1, d = 0): total ⌊5 + 0.5⌋ = 5; floors 2 + 2; the
    # remainders tie, so 15.01.01 (smaller code) gets the fifth place.
    demand = pd.DataFrame(demand_rows("22222", "СПО-КРС", {2029: 2.5})
                          + demand_rows("11111", "СПО-КРС", {2029: 2.5}))
    progs = programmes_frame([("15.01.02", "B", "СПО-КРС", 22, 1.0, 0.0),
                              ("15.01.01", "A", "СПО-КРС", 22, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.01.01", 1.0), ("22222", "15.01.02", 1.0)])
    p = derive_quotas(demand, T, progs, mapping, params={"coverage_share": 1.0})[0]
    assert p["programme_code"].tolist() == ["15.01.01", "15.01.02"]
    assert p["quota"].tolist() == [3, 2]


def test_scenarios_independent_and_output_contract(tmp_path):
    # base: D2029 = 20 → quota 20; target: D2029 = 40 → 40 (c = e = 1, d = 0).
    # Colleges K2 (cap 30) and K10 (cap 30), min_group 15:
    # base 20 → targets 10, 10; one college only (20 ≥ 15, two would need 30): tie on both
    # objectives → the smaller code in text order, K10 ("K10" < "K2"), gets 20.
    # target 40 → 20 each.
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2029: 40}, "target")
                          + demand_rows("11111", "СПО-КРС", {2029: 20}, "base"))
    demand["level"] = "cell"
    extra = demand.copy()
    extra["level"] = "profession"       # aggregate rows must not be counted twice
    demand = pd.concat([demand, extra], ignore_index=True)
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 22, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0)])
    colleges = colleges_frame([("K2", "Второй", "15.01.05", 30, 12, None),
                               ("K10", "Десятый", "15.01.05", 30, 13, None)])
    p, c = derive_quotas(demand, T, progs, mapping, colleges, None,
                         params={"coverage_share": 1.0})
    assert list(p.columns) == list(QUOTAS_PROGRAMMES_COLUMNS)
    assert list(c.columns) == list(QUOTAS_COLLEGES_COLUMNS)
    assert p["scenario"].tolist() == ["base", "target"]
    assert p["quota"].tolist() == [20, 40] and p["last_quota"].tolist() == [25, 25]
    assert c["scenario"].tolist() == ["base", "base", "target", "target"]
    assert c["college_code"].tolist() == ["K10", "K2", "K10", "K2"]
    assert c["quota"].tolist() == [20, 0, 20, 20]
    assert c["target"].tolist() == [10.0, 10.0, 20.0, 20.0]
    # same inputs → byte-identical CSV
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    p.to_csv(a, index=False)
    derive_quotas(demand, T, progs, mapping, colleges, None,
                  params={"coverage_share": 1.0})[0].to_csv(b, index=False)
    assert a.read_bytes() == b.read_bytes()


def test_no_scenario_column_is_base_and_csv_paths(tmp_path):
    demand = pd.DataFrame(demand_rows("01234", "СПО-КРС", {2029: 14}))
    demand.to_csv(tmp_path / "demand.csv", index=False, encoding="utf-8-sig")
    (tmp_path / "programmes.csv").write_text(
        "code,name,level,duration_months,employment_rate,dropout\n"
        "08.01.05,Мастер,СПО-КРС,22,,\n", encoding="utf-8-sig")
    (tmp_path / "mapping.csv").write_text(
        "profession_code,programme_code,weight\n01234,08.01.05,1\n", encoding="utf-8")
    (tmp_path / "colleges.csv").write_text(
        "college_code,college,programme_code,capacity,last_quota,employment_rate\n"
        "007,Колледж,08.01.05,50,,\n", encoding="utf-8")
    # D = 14 → G = 14·0.7/0.75 = 13.07; A_raw = 13.07/0.85 = 15.37 → 15. The leading zeros
    # of 01234 and 08.01.05 survive because codes are read as text.
    p, c = derive_quotas(tmp_path / "demand.csv", T, tmp_path / "programmes.csv",
                         str(tmp_path / "mapping.csv"), tmp_path / "colleges.csv", None)
    assert p["scenario"].tolist() == ["base"]
    assert p["programme_code"].tolist() == ["08.01.05"]
    assert p["quota"].tolist() == [15]
    assert c["college_code"].tolist() == ["007"] and c["quota"].tolist() == [15]
    assert c["last_quota"].tolist() == [0]


def test_graduation_beyond_horizon_is_an_error():
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2029: 10}))
    demand = demand[demand["year"] <= 2030]      # last forecast year 2030
    progs = programmes_frame([("15.02.01", "A", "СПО-ССЗ", 46, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.02.01", 1.0)])
    with pytest.raises(InputError, match=r"15\.02\.01.*2031.*2030"):
        derive_quotas(demand, T, progs, mapping)


def test_unknown_param_is_value_error():
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2029: 10}))
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 22, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0)])
    with pytest.raises(ValueError, match="coverage"):
        derive_quotas(demand, T, progs, mapping, params={"coverage": 0.5})
    with pytest.raises(ValueError, match="min_group"):
        derive_quotas(demand, T, progs, mapping, params={"min_group": -1})


def test_min_group_relaxation_is_reported_and_empty_demand_is_an_error():
    # quota 20 (c = e = 1, d = 0), colleges of capacity 14 and 14: nobody can take a group
    # of 15, so the rule is dropped (10 and 10) and the issues list names the programme.
    demand = pd.DataFrame(demand_rows("11111", "СПО-КРС", {2029: 20}))
    progs = programmes_frame([("15.01.05", "A", "СПО-КРС", 22, 1.0, 0.0)])
    mapping = mapping_frame([("11111", "15.01.05", 1.0)])
    colleges = colleges_frame([("K1", "A", "15.01.05", 14, 0, None),
                               ("K2", "B", "15.01.05", 14, 0, None)])
    res = derive_quotas_detailed(demand, T, progs, mapping, colleges,
                                 params={"coverage_share": 1.0})
    assert res.colleges["quota"].tolist() == [10, 10]
    issue = res.issues.iloc[0]
    assert issue.code == "min_group_relaxed" and issue.value == "15.01.05"
    assert "15.01.05" in issue.message
    with pytest.raises(InputError, match="no rows.*forecast year"):
        derive_quotas(demand.iloc[:0], T, progs, mapping)
