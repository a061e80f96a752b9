"""Methodology §8: last year's forecast judged, worked by hand on a small previous/current pair.

Previous run: survey year T0 = 2025, forecast for 2026 with intervals; current run: survey
year T = 2026, whose year-2026 rows are the weighted survey actuals. Only the ``base``
scenario counts (the ``target`` rows carry other numbers to prove it).

level       key              E[2025]  E[2026] (80%)      (95%)       actual 2026
total                          300     320 [300,330]  [290,340]       330
section     A                  100     110 [100,115]  [95,120]        120
section     C                  200     210 [205,215]  [200,230]       200
section     F (previous only)    5       6 [5,7]      [4,8]            —
section     B (current only)     —       —                             10
profession  p1 СПО-КРС          50      60 [55,65]    [50,70]           0
profession  p2 ВО               40      40 [35,45]    [30,50]          44
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from forecast.cli import main
from forecast.columns import DEMAND_COLUMNS, EVALUATION_COLUMNS, QUOTAS_PROGRAMMES_COLUMNS
from forecast.evaluation import evaluate, evaluate_folders
from forecast.report.files import csv_bytes

T0, T = 2025, 2026

PREV = [  # level, section, profession, education, E[T0], E[T], lo80, hi80, lo95, hi95
    ("total", "", "", "", 300, 320, 300, 330, 290, 340),
    ("section", "A", "", "", 100, 110, 100, 115, 95, 120),
    ("section", "C", "", "", 200, 210, 205, 215, 200, 230),
    ("section", "F", "", "", 5, 6, 5, 7, 4, 8),
    ("profession", "", "p1", "СПО-КРС", 50, 60, 55, 65, 50, 70),
    ("profession", "", "p2", "ВО", 40, 40, 35, 45, 30, 50),
]
ACTUAL = [("total", "", "", "", 330), ("section", "A", "", "", 120),
          ("section", "C", "", "", 200), ("section", "B", "", "", 10),
          ("profession", "", "p1", "СПО-КРС", 0), ("profession", "", "p2", "ВО", 44)]


def _row(sc, level, sec, prof, edu, year, e, lo80=None, hi80=None, lo95=None, hi95=None):
    r = {c: None for c in DEMAND_COLUMNS}
    r.update(scenario=sc, level=level, okved_section=sec, profession_code=prof, profession="",
             education=edu, year=year, employment=float(e), employment_lo_80=lo80,
             employment_hi_80=hi80, employment_lo_95=lo95, employment_hi_95=hi95)
    return r


def previous_demand() -> pd.DataFrame:
    rows = []
    for sc, k in (("base", 1.0), ("target", 2.0)):
        for level, sec, prof, edu, e0, e1, a, b, c, d in PREV:
            rows.append(_row(sc, level, sec, prof, edu, T0, e0 * k))
            rows.append(_row(sc, level, sec, prof, edu, T, e1 * k, a * k, b * k, c * k, d * k))
            rows.append(_row(sc, level, sec, prof, edu, T + 1, e1 * k, a * k, b * k, c * k, d * k))
    return pd.DataFrame(rows, columns=list(DEMAND_COLUMNS))


def current_demand() -> pd.DataFrame:
    rows = []
    for sc in ("base", "target"):
        for level, sec, prof, edu, a in ACTUAL:
            rows.append(_row(sc, level, sec, prof, edu, T, a))
            rows.append(_row(sc, level, sec, prof, edu, T + 1, a * 1.1, a, a * 1.2, a, a * 1.3))
    return pd.DataFrame(rows, columns=list(DEMAND_COLUMNS))


def quotas(rows) -> pd.DataFrame:
    q = pd.DataFrame([{c: 0 for c in QUOTAS_PROGRAMMES_COLUMNS} | r for r in rows])
    return q.reindex(columns=list(QUOTAS_PROGRAMMES_COLUMNS))


PREV_QUOTAS = quotas([dict(scenario="base", programme_code="15.01.05", quota=30, last_quota=20),
                      dict(scenario="base", programme_code="15.02.01", quota=12, last_quota=9),
                      dict(scenario="target", programme_code="15.01.05", quota=99, last_quota=20)])
CUR_QUOTAS = quotas([dict(scenario="base", programme_code="15.01.05", quota=40, last_quota=25),
                     dict(scenario="base", programme_code="09.02.07", quota=7, last_quota=8)])


@pytest.fixture(scope="module")
def ev():
    return evaluate(previous_demand(), current_demand(), T0, T, PREV_QUOTAS, CUR_QUOTAS)


def _summary(ev, level):
    return ev[(ev["kind"] == "summary") & (ev["level"] == level)].iloc[0]


def test_columns_and_order(ev):
    assert tuple(ev.columns) == EVALUATION_COLUMNS
    keys = list(zip(ev["kind"], ev["level"], ev["okved_section"], ev["profession_code"],
                    ev["programme_code"]))
    assert keys == [
        ("detail", "total", "", "", ""),
        ("detail", "section", "A", "", ""), ("detail", "section", "B", "", ""),
        ("detail", "section", "C", "", ""), ("detail", "section", "F", "", ""),
        ("detail", "profession", "", "p1", ""), ("detail", "profession", "", "p2", ""),
        ("summary", "total", "", "", ""), ("summary", "section", "", "", ""),
        ("summary", "profession", "", "", ""), ("summary", "cell", "", "", ""),
        ("quota", "", "", "", "09.02.07"), ("quota", "", "", "", "15.01.05"),
        ("quota", "", "", "", "15.02.01"),
    ]
    assert set(ev.loc[ev["kind"] != "quota", "year"]) == {T}
    assert set(ev.loc[ev["kind"] != "quota", "horizon"]) == {1}


def test_details(ev):
    d = ev[ev["kind"] == "detail"].set_index(["level", "okved_section", "profession_code"])
    tot = d.loc[("total", "", "")]
    assert (tot.forecast, tot.actual, tot.error) == (320, 330, -10)
    assert tot.ape == pytest.approx(10 / 330) and tot.in_80 is True and tot.in_95 is True
    a = d.loc[("section", "A", "")]
    assert (a.error, a.in_80, a.in_95) == (-10, False, True)   # 120 > 115, 120 ≤ 120
    c = d.loc[("section", "C", "")]
    assert (c.error, c.in_80, c.in_95) == (10, False, True)    # 200 < 205, 200 ≥ 200
    # listed, not dropped: a section only one run has
    f = d.loc[("section", "F", "")]
    assert f.forecast == 6 and math.isnan(f.actual) and math.isnan(f.error) and f.in_80 is None
    b = d.loc[("section", "B", "")]
    assert math.isnan(b.forecast) and b.actual == 10 and b.in_95 is None
    p1 = d.loc[("profession", "", "p1")]
    assert p1.error == 60 and math.isnan(p1.ape) and p1.in_80 is False   # actual 0: no APE
    p2 = d.loc[("profession", "", "p2")]
    assert p2.education == "ВО" and p2.error == -4 and p2.ape == pytest.approx(4 / 44)


def test_summaries(ev):
    s = _summary(ev, "total")
    assert s.wmape == pytest.approx(10 / 330) and s.bias == pytest.approx(-10 / 330)
    assert (s.coverage_80, s.coverage_95, s.n) == (1.0, 1.0, 1)
    assert s.wmape_flat == pytest.approx(abs(300 - 330) / 330)
    s = _summary(ev, "section")   # A and C only: F and B are left out
    assert s.n == 2
    assert s.wmape == pytest.approx((10 + 10) / (120 + 200)) and s.bias == pytest.approx(0)
    assert (s.coverage_80, s.coverage_95) == (0.0, 1.0)
    assert s.wmape_flat == pytest.approx((abs(100 - 120) + abs(200 - 200)) / 320)
    s = _summary(ev, "profession")
    assert s.n == 2 and s.wmape == pytest.approx((60 + 4) / 44)
    assert s.bias == pytest.approx((60 - 4) / 44) and s.coverage_80 == 0.5
    assert s.wmape_flat == pytest.approx((abs(50 - 0) + abs(40 - 44)) / 44)
    s = _summary(ev, "cell")      # no cell rows in either run
    assert s.n == 0 and math.isnan(s.wmape) and math.isnan(s.coverage_80)


def test_quota_rows(ev):
    q = ev[ev["kind"] == "quota"].set_index("programme_code")
    assert set(q["year"]) == {T0 + 1}
    assert (q.loc["15.01.05", "forecast"], q.loc["15.01.05", "actual"],
            q.loc["15.01.05", "error"]) == (30, 25, 5)             # base, not target's 99
    assert math.isnan(q.loc["15.02.01", "actual"]) and q.loc["15.02.01", "forecast"] == 12
    assert math.isnan(q.loc["09.02.07", "forecast"]) and q.loc["09.02.07", "actual"] == 8


def test_previous_forecast_must_reach_T():
    from forecast.errors import ConfigError

    short = previous_demand()
    short = short[short["year"] < T]
    with pytest.raises(ConfigError, match="ends in 2025, before the year 2026"):
        evaluate(short, current_demand(), T0, T)


# ---------------------------------------------------------------------------
# kadry evaluate PREVIOUS CURRENT: folders read back; mismatches exit 2 with a message


def write_folder(path, demand, survey_year, quotas=None, language="ru", region=None):
    path.mkdir(parents=True, exist_ok=True)
    files = {"demand.csv": csv_bytes(demand, DEMAND_COLUMNS)}
    if quotas is not None:
        files["quotas_programmes.csv"] = csv_bytes(quotas, QUOTAS_PROGRAMMES_COLUMNS)
    for name, data in files.items():
        (path / name).write_bytes(data)
    config = {"output": {"language": language}}
    if region is not None:
        config["region"] = {"code": region, "name": "x"}
    manifest = {"survey_year": survey_year, "config": config,
                "outputs": {name: "-" for name in files}}
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.fixture
def folders(tmp_path):
    prev = write_folder(tmp_path / "2025", previous_demand(), T0, PREV_QUOTAS, region="72")
    cur = write_folder(tmp_path / "2026", current_demand(), T, CUR_QUOTAS, region="72")
    return prev, cur


def test_cli_writes_evaluation_csv_equal_to_the_frames(folders, ev, capsys):
    prev, cur = folders
    assert main(["evaluate", str(prev), str(cur)]) == 0
    assert (cur / "evaluation.csv").read_bytes() == csv_bytes(ev, EVALUATION_COLUMNS)
    out = capsys.readouterr().out
    assert "section: wMAPE 6.2% (flat 6.2%)" in out and "evaluation.csv" in out
    back = pd.read_csv(cur / "evaluation.csv", dtype={"profession_code": str}, encoding="utf-8-sig")
    assert len(back) == len(ev)
    pd.testing.assert_frame_equal(evaluate_folders(prev, cur), ev)


def test_cli_out_option(folders, tmp_path):
    prev, cur = folders
    assert main(["evaluate", str(prev), str(cur), "--out", str(tmp_path / "e.csv")]) == 0
    assert (tmp_path / "e.csv").is_file() and not (cur / "evaluation.csv").exists()


@pytest.mark.parametrize("change,needle", [
    (dict(region="45"), "region 72, the current run of region 45: not the same region"),
    (dict(language="en"), "language 'ru', the current run in 'en'"),
    (dict(survey_year=T0), "survey year 2025, not earlier than the current survey year 2025"),
])
def test_cli_mismatch_exits_2_naming_it(tmp_path, capsys, change, needle):
    prev = write_folder(tmp_path / "p", previous_demand(), T0, PREV_QUOTAS, region="72")
    args = dict(survey_year=T, quotas=CUR_QUOTAS, language="ru", region="72") | change
    cur = write_folder(tmp_path / "c", current_demand(), **args)
    assert main(["evaluate", str(prev), str(cur)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not (cur / "evaluation.csv").exists()


def test_region_checked_only_where_both_carry_one(tmp_path):
    prev = write_folder(tmp_path / "p", previous_demand(), T0, region="72")
    cur = write_folder(tmp_path / "c", current_demand(), T)
    assert main(["evaluate", str(prev), str(cur)]) == 0


def test_cli_missing_files_exit_2(folders, capsys):
    prev, cur = folders
    (prev / "quotas_programmes.csv").unlink()     # listed in its manifest
    assert main(["evaluate", str(prev), str(cur)]) == 2
    assert "missing quotas_programmes.csv (listed in its manifest.json)" in capsys.readouterr().err
    (cur / "demand.csv").unlink()
    assert main(["evaluate", str(cur.parent / "2025"), str(cur)]) == 2
    (cur / "manifest.json").unlink()
    assert main(["evaluate", str(prev), str(cur)]) == 2
    err = capsys.readouterr().err
    assert f"PREVIOUS {prev}: missing quotas_programmes.csv" in err
    assert main(["evaluate", str(cur), str(prev)]) == 2
    assert f"PREVIOUS {cur}: missing manifest.json, demand.csv" in capsys.readouterr().err
    assert main(["evaluate", str(prev.parent / "nope"), str(cur)]) == 2
    assert "not a folder" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# invariants on random pairs: the summaries are the sums of their detail rows


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.sampled_from(["A", "B", "C", "D", "E"])


@st.composite
def random_pair(draw):
    prev_keys = draw(st.sets(_KEYS, min_size=1))
    cur_keys = draw(st.sets(_KEYS, min_size=1))
    value = st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 2))
    prev, cur = [], []
    for k in sorted(prev_keys):
        e0, e1, w80, w95 = draw(value), draw(value), draw(value), draw(value)
        prev.append(_row("base", "section", k, "", "", T0, e0))
        prev.append(_row("base", "section", k, "", "", T, e1, max(0, e1 - w80), e1 + w80,
                         max(0, e1 - w80 - w95), e1 + w80 + w95))
    for k in sorted(cur_keys):
        cur.append(_row("base", "section", k, "", "", T, draw(value)))
    prev.append(_row("base", "total", "", "", "", T0, 1.0))
    prev.append(_row("base", "total", "", "", "", T, 1.0, 0.5, 1.5, 0.1, 2.0))
    cur.append(_row("base", "total", "", "", "", T, 1.0))
    return (pd.DataFrame(prev, columns=list(DEMAND_COLUMNS)),
            pd.DataFrame(cur, columns=list(DEMAND_COLUMNS)), prev_keys, cur_keys)


@settings(max_examples=60, deadline=None)
@given(random_pair())
def test_summary_is_the_sum_of_its_details(pair):
    prev, cur, prev_keys, cur_keys = pair
    ev = evaluate(prev, cur, T0, T)
    det = ev[(ev["kind"] == "detail") & (ev["level"] == "section")]
    # every key of either run listed once, nothing dropped
    assert sorted(det["okved_section"]) == sorted(prev_keys | cur_keys)
    both = det[det["forecast"].notna() & det["actual"].notna()]
    assert len(both) == len(prev_keys & cur_keys)
    s = ev[(ev["kind"] == "summary") & (ev["level"] == "section")].iloc[0]
    assert s.n == len(both)
    total = both["actual"].sum()
    if total > 0:
        assert s.wmape == pytest.approx((both["forecast"] - both["actual"]).abs().sum() / total)
        assert s.bias == pytest.approx((both["forecast"] - both["actual"]).sum() / total)
        flat = prev[(prev["year"] == T0) & (prev["level"] == "section")].set_index("okved_section")
        want = sum(abs(flat.at[k, "employment"] - a)
                   for k, a in zip(both["okved_section"], both["actual"])) / total
        assert s.wmape_flat == pytest.approx(want)
    else:
        assert math.isnan(s.wmape)
    # a wider interval never covers less: 80% inside implies 95% inside
    for r in both.itertuples():
        assert (not r.in_80) or r.in_95
    if len(both):
        assert s.coverage_80 <= s.coverage_95 <= 1
