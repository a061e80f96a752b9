"""Measure 13: checks of the quota input tables — each error names table, row and value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.quotas import derive_quotas, derive_quotas_detailed

T = 2026

PROGRAMMES = ("code,name,level,duration_months,employment_rate,dropout\n"
              "15.01.05,Сварщик,СПО-КРС,22,0.8,0.1\n"
              "15.02.01,Монтаж,СПО-ССЗ,46,,\n")
MAPPING = ("profession_code,programme_code,weight\n"
           "19861,15.01.05,0.6\n"
           "19861,15.02.01,1\n"
           "18590,15.01.05,0.4\n"
           "19861,15.01.06,0.4\n")
COLLEGES = ("college_code,college,programme_code,capacity,last_quota,employment_rate\n"
            "K1,Первый,15.01.05,50,25,\n"
            "K2,Второй,15.01.05,25,,0.9\n")
ENROLMENT = "programme_code,admission_year,students\n15.01.05,2025,30\n"


def demand():
    years = range(2026, 2034)
    return pd.DataFrame({"profession_code": "19861", "education": "СПО-КРС",
                         "year": list(years), "demand": 10.0})


def write(tmp_path, name, text, bom=False):
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    return path


def run(tmp_path, programmes=PROGRAMMES, mapping=MAPPING, colleges=COLLEGES,
        enrolment=ENROLMENT):
    return derive_quotas_detailed(
        demand(), T, write(tmp_path, "programmes", programmes, bom=True),
        write(tmp_path, "mapping", mapping), write(tmp_path, "colleges", colleges),
        write(tmp_path, "enrolment", enrolment))


def fixed_mapping():
    # 15.01.06 is unknown, so the base case drops that line and rebalances 19861 at КРС
    return MAPPING.replace("19861,15.01.06,0.4\n", "").replace("19861,15.01.05,0.6", "19861,15.01.05,1")\
        .replace("18590,15.01.05,0.4", "18590,15.01.05,1")


def test_valid_tables_from_csv(tmp_path):
    res = run(tmp_path, mapping=fixed_mapping())
    assert res.programmes["programme_code"].tolist() == ["15.01.05", "15.02.01"]
    assert res.issues.empty


def test_mapping_unknown_programme(tmp_path):
    with pytest.raises(InputError) as err:
        run(tmp_path)
    msg = str(err.value)
    assert "mapping" in msg and "row 5" in msg and "15.01.06" in msg


def test_weights_not_summing_to_one_name_the_profession(tmp_path):
    bad = "profession_code,programme_code,weight\n19861,15.01.05,0.6\n19861,15.02.01,1\n"
    with pytest.raises(InputError) as err:
        run(tmp_path, mapping=bad)
    msg = str(err.value)
    assert "19861" in msg and "СПО-КРС" in msg and "0.6" in msg and "row" in msg
    # within 1e-6 is fine
    ok = ("profession_code,programme_code,weight\n19861,15.01.05,0.9999995\n"
          "19861,15.02.01,1\n")
    exact = "profession_code,programme_code,weight\n19861,15.01.05,1\n19861,15.02.01,1\n"
    near, one = run(tmp_path, mapping=ok).programmes, run(tmp_path, mapping=exact).programmes
    assert near["quota"].tolist() == one["quota"].tolist()
    np.testing.assert_allclose(near["graduates_needed"], one["graduates_needed"], rtol=1e-6)


@pytest.mark.parametrize("duration", ["24", "0", "12.5"])
def test_bad_duration(tmp_path, duration):
    progs = PROGRAMMES.replace("СПО-КРС,22,", f"СПО-КРС,{duration},")
    with pytest.raises(InputError) as err:
        run(tmp_path, programmes=progs, mapping=fixed_mapping())
    msg = str(err.value)
    assert "programmes" in msg and "row 2" in msg and "duration_months" in msg and duration in msg


def test_vo_programme_duration_is_not_checked_and_gets_no_quota(tmp_path):
    progs = PROGRAMMES + "13.03.02,Электроэнергетика,ВО,48,,\n"
    res = run(tmp_path, programmes=progs, mapping=fixed_mapping())
    assert "13.03.02" not in res.programmes["programme_code"].tolist()


def test_negative_capacity(tmp_path):
    cols = COLLEGES.replace("K2,Второй,15.01.05,25", "K2,Второй,15.01.05,-5")
    with pytest.raises(InputError) as err:
        run(tmp_path, colleges=cols, mapping=fixed_mapping())
    msg = str(err.value)
    assert "colleges" in msg and "row 3" in msg and "capacity" in msg and "-5" in msg
    assert "negative" in msg


def test_duplicate_college_programme(tmp_path):
    cols = COLLEGES + "K1,Первый снова,15.01.05,10,,\n"
    with pytest.raises(InputError) as err:
        run(tmp_path, colleges=cols, mapping=fixed_mapping())
    msg = str(err.value)
    assert "colleges" in msg and "row 4" in msg and "K1" in msg and "row 2" in msg


@pytest.mark.parametrize("table,text,needle", [
    ("colleges", COLLEGES.replace(",50,25,", ",пятьдесят,25,"), "пятьдесят"),
    ("programmes", PROGRAMMES.replace(",0.8,0.1", ",высокая,0.1"), "высокая"),
    ("enrolment", ENROLMENT.replace(",30", ",30 чел"), "30 чел"),
    ("mapping", fixed_mapping().replace("18590,15.01.05,1", "18590,15.01.05,один"), "один"),
])
def test_non_numeric_values(tmp_path, table, text, needle):
    kwargs = {"mapping": fixed_mapping(), table: text}
    with pytest.raises(InputError) as err:
        run(tmp_path, **kwargs)
    msg = str(err.value)
    assert table in msg and "row" in msg and needle in msg and "not a number" in msg


def test_enrolment_unknown_programme_is_error(tmp_path):
    with pytest.raises(InputError) as err:
        run(tmp_path, mapping=fixed_mapping(), enrolment=ENROLMENT + "99.99.99,2025,5\n")
    msg = str(err.value)
    assert "enrolment" in msg and "row 3" in msg and "99.99.99" in msg


def test_reported_and_ignored_rows(tmp_path):
    cols = COLLEGES + "K3,Третий,99.99.99,20,,\n"
    enrol = ENROLMENT + "15.01.05,2027,12\n"
    res = run(tmp_path, mapping=fixed_mapping(), colleges=cols, enrolment=enrol)
    got = res.issues[["table", "row", "column", "value", "code"]].values.tolist()
    assert got == [["colleges", 4, "programme_code", "99.99.99", "unknown_programme"],
                   ["enrolment", 3, "admission_year", 2027, "future_cohort"]]
    assert "K3" not in res.colleges["college_code"].tolist()


def test_missing_column_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="mapping.*missing column.*weight"):
        run(tmp_path, mapping="profession_code,programme_code\n19861,15.01.05\n")
    with pytest.raises(InputError, match="file not found"):
        derive_quotas(demand(), T, tmp_path / "nope.csv", tmp_path / "nope2.csv")


def test_dataframe_rows_are_named_by_csv_row_and_position():
    progs = pd.DataFrame({"code": ["15.01.05"], "name": ["x"], "level": ["СПО-КРС"],
                          "duration_months": [22], "employment_rate": [1.5], "dropout": [0.1]})
    mapping = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["15.01.05"],
                            "weight": [1.0]})
    with pytest.raises(InputError) as err:
        derive_quotas(demand(), T, progs, mapping)
    msg = str(err.value)
    assert "row 2 (DataFrame position 0)" in msg and "employment_rate" in msg and "1.5" in msg


def test_demand_checks():
    progs = pd.DataFrame({"code": ["15.01.05"], "name": ["x"], "level": ["СПО-КРС"],
                          "duration_months": [22], "employment_rate": [None], "dropout": [None]})
    mapping = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["15.01.05"],
                            "weight": [1.0]})
    bad = demand().astype({"demand": object})
    bad.loc[3, "demand"] = "много"
    with pytest.raises(InputError, match=r"demand.*row 5.*много"):
        derive_quotas(bad, T, progs, mapping)
    with pytest.raises(InputError, match="demand.*missing column.*education"):
        derive_quotas(demand().drop(columns="education"), T, progs, mapping)


def test_negative_demand_and_odd_programme_code():
    progs = pd.DataFrame({"code": ["P-1"], "name": ["x"], "level": ["СПО-КРС"],
                          "duration_months": [22], "employment_rate": [None], "dropout": [None]})
    mapping = pd.DataFrame({"profession_code": ["19861"], "programme_code": ["P-1"],
                            "weight": [1.0]})
    res = derive_quotas_detailed(demand(), T, progs, mapping)
    assert res.issues["code"].tolist() == ["programme_code_format"]
    assert res.issues["value"].tolist() == ["P-1"] and res.issues["row"].tolist() == [2]
    bad = demand()
    bad.loc[2, "demand"] = -4.0
    with pytest.raises(InputError, match=r"demand.*row 4.*-4.0.*negative"):
        derive_quotas(bad, T, progs, mapping)
