"""Methodology §9: requirements for updating programmes, each signal worked by hand.

A region with T = 2026 and forecast years 2027–2030 (H = 4); every programme lasts 22 months
(g = 2029), c = e = 1 and d = 0, so quota = G[2029] − pipeline = the mapped demand of 2029.

profession → programme     D 2027  2028  2029  2030   what §9 says
100 КРС → 15.01.05            50    50    50    80    (80−50)/50 = +0.6 > 0.3: GROWING;
                                                      quota 50 > capacity 30: CAPACITY_DEFICIT 20
200 КРС → 15.01.06            40    10    10    20    (20−40)/40 = −0.5: DECLINING;
                                                      quota_needed 10 < 15: BELOW_MIN_GROUP
300 ССЗ → 15.02.01             0     0    30     5    D[T+1] = 0 < D[T+H]: GROWING, value empty
400 ССЗ → 15.02.02            20    20    20    25    +0.25 within ±0.3: nothing
500 КРС (no programme)         3     4     5     6    NO_PROGRAMME, 3+4+5+6 = 18
500 ВО                         9     9     9     9    ВО gets no quota: not a signal
600 КРС (no programme)         0     0     0     0    no positive demand: nothing

Survey (weighted headcount = headcount · weight): 700 first seen in 2025 = T−1, 10 · 2.5 = 25
in 2026 ≥ 20: NEW_PROFESSION 25; 800 new in 2026 with 19 < 20: nothing; 900 seen since 2024
with 40 in 2026: not new.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forecast.columns import PROGRAMME_SIGNALS_COLUMNS
from forecast.params import QuotaParams
from forecast.quotas import derive_quotas_detailed, programme_signals

T = 2026
DEMAND = {
    ("100", "СПО-КРС"): [50, 50, 50, 80],
    ("200", "СПО-КРС"): [40, 10, 10, 20],
    ("300", "СПО-ССЗ"): [0, 0, 30, 5],
    ("400", "СПО-ССЗ"): [20, 20, 20, 25],
    ("500", "СПО-КРС"): [3, 4, 5, 6],
    ("500", "ВО"): [9, 9, 9, 9],
    ("600", "СПО-КРС"): [0, 0, 0, 0],
}
NAMES = {"100": "Сварщик", "200": "Токарь", "300": "Фельдшер", "400": "Медсестра",
         "500": "Оператор машинного доения", "600": "Пастух"}


def demand(scenarios=("base", "low")) -> pd.DataFrame:
    rows = []
    for sc in scenarios:
        for (p, lvl), values in DEMAND.items():
            # year T: the survey's actuals, demand left empty as in demand.csv
            rows.append(dict(scenario=sc, level="cell", okved_section="C", profession_code=p,
                             profession=NAMES[p], education=lvl, year=T, demand=None))
            for y, v in zip(range(T + 1, T + 5), values):
                rows.append(dict(scenario=sc, level="cell", okved_section="C", profession_code=p,
                                 profession=NAMES[p], education=lvl, year=y, demand=float(v)))
    return pd.DataFrame(rows)


PROGRAMMES = pd.DataFrame({
    "code": ["15.01.05", "15.01.06", "15.02.01", "15.02.02"],
    "name": ["Сварщик", "Токарь-универсал", "Лечебное дело", "Сестринское дело"],
    "level": ["СПО-КРС", "СПО-КРС", "СПО-ССЗ", "СПО-ССЗ"],
    "duration_months": [22, 22, 22, 22], "employment_rate": [1.0] * 4, "dropout": [0.0] * 4,
})
MAPPING = pd.DataFrame({"profession_code": ["100", "200", "300", "400"],
                        "programme_code": ["15.01.05", "15.01.06", "15.02.01", "15.02.02"],
                        "weight": [1.0] * 4})
COLLEGES = pd.DataFrame({
    "college_code": ["K1", "K1", "K2", "K2"], "college": ["A", "A", "B", "B"],
    "programme_code": ["15.01.05", "15.01.06", "15.02.01", "15.02.02"],
    "capacity": [30, 30, 40, 40], "last_quota": [0] * 4, "employment_rate": [None] * 4,
})
SURVEY = pd.DataFrame({
    "survey_year": [2020, 2026, 2025, 2026, 2026, 2024, 2026],
    "profession_code": ["100", "100", "700", "700", "800", "900", "900"],
    "profession": ["Сварщик", "Сварщик", "Оператор БПЛА", "Оператор БПЛА", "Новая", "Старая",
                   "Старая"],
    "headcount": [30, 30, 4, 10, 19, 40, 40],
    "weight": [1.0, 1.0, 2.5, 2.5, 1.0, 1.0, 1.0],
})
PARAMS = {"coverage_share": 1.0}


@pytest.fixture(scope="module")
def quotas():
    return derive_quotas_detailed(demand(), T, PROGRAMMES, MAPPING, COLLEGES, None, PARAMS)


@pytest.fixture(scope="module")
def signals(quotas):
    return programme_signals(quotas, SURVEY, T, quotas.params, demand=demand())


def _one(signals, scenario, signal, **keys):
    s = signals[(signals["scenario"] == scenario) & (signals["signal"] == signal)]
    for k, v in keys.items():
        s = s[s[k] == v]
    assert len(s) == 1, (signal, keys, signals)
    return s.iloc[0]


def test_quota_chain_is_as_worked_out(quotas):
    p = quotas.programmes[quotas.programmes["scenario"] == "base"].set_index("programme_code")
    assert p["quota_needed"].to_dict() == {"15.01.05": 50, "15.01.06": 10, "15.02.01": 30,
                                           "15.02.02": 20}
    assert p.loc["15.01.05", "deficit"] == 20


def test_rows_order_and_columns(signals):
    assert tuple(signals.columns) == PROGRAMME_SIGNALS_COLUMNS
    base = signals[signals["scenario"] == "base"]
    got = list(zip(base["signal"], base["programme_code"], base["profession_code"]))
    assert got == [("NO_PROGRAMME", "", "500"), ("CAPACITY_DEFICIT", "15.01.05", ""),
                   ("BELOW_MIN_GROUP", "15.01.06", ""), ("GROWING", "15.01.05", ""),
                   ("GROWING", "15.02.01", ""), ("DECLINING", "15.01.06", ""),
                   ("NEW_PROFESSION", "", "700")]
    # every scenario gets its own rows; NEW_PROFESSION repeats under each
    low = signals[signals["scenario"] == "low"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(low, base.drop(columns="scenario").reset_index(drop=True))


def test_no_programme(signals):
    r = _one(signals, "base", "NO_PROGRAMME")
    assert (r.profession_code, r.profession, r.education) == ("500", "Оператор машинного доения",
                                                              "СПО-КРС")
    assert r.value == 3 + 4 + 5 + 6 and math.isnan(r.threshold)
    assert "18" in r.message and "2027–2030" in r.message and "СПО-КРС" in r.message


def test_capacity_deficit(signals):
    r = _one(signals, "base", "CAPACITY_DEFICIT")
    assert (r.programme_code, r.value, r.threshold) == ("15.01.05", 50 - 30, 30)
    assert "50" in r.message and "30" in r.message and "20" in r.message


def test_below_min_group(signals):
    r = _one(signals, "base", "BELOW_MIN_GROUP")
    assert (r.programme_code, r.value, r.threshold) == ("15.01.06", 10, 15)
    assert "10" in r.message and "15" in r.message


def test_growing_and_declining(signals):
    g = _one(signals, "base", "GROWING", programme_code="15.01.05")
    assert g.value == pytest.approx((80 - 50) / 50) and g.threshold == 0.3
    assert "50" in g.message and "80" in g.message and "+60%" in g.message
    d = _one(signals, "base", "DECLINING", programme_code="15.01.06")
    assert d.value == pytest.approx((20 - 40) / 40) and d.threshold == 0.3
    assert "40" in d.message and "20" in d.message and "-50%" in d.message
    # D[T+1] = 0 and D[T+H] = 5 > 0: GROWING with an empty value
    z = _one(signals, "base", "GROWING", programme_code="15.02.01")
    assert math.isnan(z.value) and z.threshold == 0.3 and "5" in z.message
    # +0.25 is within the threshold
    assert "15.02.02" not in set(signals["programme_code"])


def test_signal_change_is_the_threshold(quotas):
    s = programme_signals(quotas, SURVEY, T, QuotaParams(signal_change=0.55))
    base = s[s["scenario"] == "base"]
    assert set(base.loc[base["signal"] == "GROWING", "programme_code"]) == {"15.01.05", "15.02.01"}
    s = programme_signals(quotas, SURVEY, T, QuotaParams(signal_change=0.6))
    base = s[s["scenario"] == "base"]
    # +0.6 is not "more than" 0.6; −0.5 is not below −0.6
    assert set(base.loc[base["signal"] == "GROWING", "programme_code"]) == {"15.02.01"}
    assert "DECLINING" not in set(base["signal"])


def test_new_profession(signals):
    r = _one(signals, "base", "NEW_PROFESSION")
    assert (r.profession_code, r.profession, r.value, r.threshold) == ("700", "Оператор БПЛА",
                                                                       25.0, 20.0)
    assert r.programme_code == "" and r.education == ""
    assert "2025" in r.message and "25" in r.message
    # a lower threshold admits 800 (new in T, 19 people); 900 (seen since 2024) never
    s = programme_signals(None, SURVEY, T, QuotaParams(signal_min_headcount=19))
    assert s["profession_code"].tolist() == ["700", "800"]


def test_english_messages(quotas):
    s = programme_signals(quotas, SURVEY, T, quotas.params, demand=demand(), language="en")
    r = s[(s["scenario"] == "base") & (s["signal"] == "CAPACITY_DEFICIT")].iloc[0]
    assert r.message.startswith("Programme 15.01.05") and "20 places short" in r.message


def test_signal_params_are_checked_by_the_one_rule():
    from forecast.errors import ConfigError
    from forecast.quotas import check_params

    with pytest.raises(ConfigError, match=r"quotas.signal_change must be a number ≥ 0, got -0.1"):
        check_params({"signal_change": -0.1})
