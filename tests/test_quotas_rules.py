"""One place per rule (issue 15, item 1) and fail fast on the quota tables (issue 14, items 1, 4).

* Each ``[quotas]`` parameter rule lives in :mod:`forecast.quotas.checks`; the config path
  (``kadry.toml``) and the API path (``derive_quotas(params=...)``) reject the same bad value
  with the same message.
* ``duration_months`` is read by one parser: the configuration-time check and the API give
  the same message, in the one style ``<table> row <r>, column <c>: <value> …``.
* The quota tables are read once a run, at configuration time, and every table check
  (duplicated codes, negative capacity, mapping weights, enrolment) fails there, before any
  survey is read (exit 2).
* A demand table written by kadry (year-T rows with empty demand) is accepted as it is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from forecast.cli import main
from forecast.config import config_from_mapping, load_config
from forecast.errors import ConfigError, InputError
from forecast.quotas import check_params, derive_quotas, quotas_from_inputs
from forecast.quotas import tables as quota_tables

T = 2026
PROGRAMMES = ("code,name,level,duration_months,employment_rate,dropout\n"
              "15.01.05,Сварщик,СПО-КРС,34,0.8,0.1\n"
              "15.02.01,Технолог,СПО-ССЗ,46,,\n")
MAPPING = "profession_code,programme_code,weight\n19861,15.01.05,1\n18590,15.02.01,1\n"
COLLEGES = ("college_code,college,programme_code,capacity,last_quota,employment_rate,department\n"
            "K1,Первый,15.01.05,50,25,,образование\n"
            "K2,Второй,15.02.01,30,10,0.7,здравоохранение\n")
ENROLMENT = "programme_code,admission_year,students\n15.01.05,2025,30\n15.02.01,2024,20\n"


def demand_rows(with_year_T: bool = True) -> pd.DataFrame:
    rows = []
    for p, edu in (("19861", "СПО-КРС"), ("18590", "СПО-ССЗ")):
        if with_year_T:   # the survey's actuals: demand.csv leaves demand empty
            rows.append(dict(scenario="base", level="cell", okved_section="C", profession_code=p,
                             education=edu, year=T, employment=100.0, demand=None))
        for y in range(T + 1, T + 8):
            rows.append(dict(scenario="base", level="cell", okved_section="C", profession_code=p,
                             education=edu, year=y, employment=100.0, demand=20.0 + y - T))
    return pd.DataFrame(rows)


def region(tmp_path: Path, programmes=PROGRAMMES, mapping=MAPPING, colleges=COLLEGES,
           enrolment=ENROLMENT, quotas: str = "", horizon: int = 7) -> Path:
    (tmp_path / "surveys").mkdir(exist_ok=True)
    for name, text in (("programmes", programmes), ("mapping", mapping),
                       ("colleges", colleges), ("enrolment", enrolment)):
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    (tmp_path / "kadry.toml").write_text(
        f'[survey]\npaths = ["surveys/"]\n[forecast]\nhorizon = {horizon}\n'
        '[quotas]\nprogrammes = "programmes.csv"\nmapping = "mapping.csv"\n'
        f'colleges = "colleges.csv"\nenrolment = "enrolment.csv"\n{quotas}', encoding="utf-8")
    return tmp_path / "kadry.toml"


def api(tmp_path: Path, params=None):
    return derive_quotas(demand_rows(), T, tmp_path / "programmes.csv", tmp_path / "mapping.csv",
                         tmp_path / "colleges.csv", tmp_path / "enrolment.csv", params)


# -- parameters: one rule each, the same message on both paths ----------------------------
@pytest.mark.parametrize("key,value,message", [
    ("coverage_share", 5, "quotas.coverage_share must be a number in (0, 1], got 5"),
    ("coverage_share", 0, "quotas.coverage_share must be a number in (0, 1], got 0"),
    ("default_employment_rate", 1.5,
     "quotas.default_employment_rate must be a number in (0, 1], got 1.5"),
    ("default_dropout", 1, "quotas.default_dropout must be a number in [0, 1), got 1"),
    ("min_group", -1, "quotas.min_group must be a whole number ≥ 0, got -1"),
    ("min_group", 2.5, "quotas.min_group must be a whole number ≥ 0, got 2.5"),
    ("total_places", -3, "quotas.total_places must be a whole number ≥ 0 (or absent), got -3"),
    ("signal_change", -0.5, "quotas.signal_change must be a number ≥ 0, got -0.5"),
    ("signal_min_headcount", "20", "quotas.signal_min_headcount must be a number ≥ 0, got '20'"),
])
def test_config_and_api_reject_a_parameter_with_the_same_message(tmp_path, key, value, message):
    with pytest.raises(ConfigError) as via_config:
        config_from_mapping({"survey": {"paths": ["."]}, "quotas": {key: value}}, base_dir=tmp_path)
    region(tmp_path)
    with pytest.raises(ConfigError) as via_api:
        api(tmp_path, {key: value})
    with pytest.raises(ConfigError) as via_check:
        check_params({key: value})
    assert str(via_config.value) == str(via_api.value) == str(via_check.value) == message


def test_quota_parameter_rules_are_written_once():
    import forecast

    where = [p.relative_to(Path(forecast.__file__).parent).as_posix()
             for p in sorted(Path(forecast.__file__).parent.rglob("*.py"))
             if any(f"quotas.{{key}} must be" in line or "quotas.coverage_share must" in line
                    or "coverage_share <=" in line or "< coverage_share" in line
                    for line in p.read_text(encoding="utf-8").splitlines())]
    assert where == ["quotas/checks.py"]
    assert "coverage_share" not in (Path(forecast.__file__).parent / "config.py").read_text(
        encoding="utf-8")   # config.py applies forecast.quotas.checks.check_params


# -- the tables: one parser, one message style, checked at configuration time --------------
@pytest.mark.parametrize("table,text,message", [
    ("programmes", PROGRAMMES.replace(",46,", ",-5,"),
     "programmes.csv row 3, column duration_months: '-5' is not a positive number of months"),
    ("programmes", PROGRAMMES.replace(",46,", ",0,"),
     "programmes.csv row 3, column duration_months: '0' is not a positive number of months"),
    ("programmes", PROGRAMMES.replace(",46,", ",40,"),
     "programmes.csv row 3, column duration_months: '40' is not one of 22, 34, 46 months "
     "(programme 15.02.01)"),
    ("programmes", PROGRAMMES + "15.01.05,Снова,СПО-КРС,34,,\n",
     "programmes.csv row 4: duplicate programme code (15.01.05); first given in row 2"),
    ("colleges", COLLEGES.replace(",30,10,", ",-5,10,"),
     "colleges.csv row 3, column capacity: '-5' is negative"),
    ("colleges", COLLEGES + "K1,Первый,15.02.01,20,0,,культура\n",
     "colleges.csv row 4, column department: 'культура' differs from 'образование' given for "
     "college K1 in row 2 (a college has one founding department)"),
    ("mapping", MAPPING + "19861,15.02.01,0.5\n".replace("15.02.01", "15.01.05"),
     "mapping.csv row 4: duplicate (profession_code, programme_code) pair (19861, 15.01.05); "
     "first given in row 2"),
    ("mapping", MAPPING.replace("18590,15.02.01,1", "18590,15.02.01,0.6"),
     "mapping.csv row 3, column weight: weights of profession 18590 at level СПО-ССЗ sum to "
     "0.6, not 1 (row 3)"),
    ("enrolment", ENROLMENT.replace(",30", ",-30"),
     "enrolment.csv row 2, column students: '-30' is negative"),
    ("enrolment", ENROLMENT.replace("2024", "двадцать"),
     "enrolment.csv row 3, column admission_year: 'двадцать' is not a number"),
])
def test_table_errors_same_on_config_and_api_paths(tmp_path, table, text, message):
    cfg = region(tmp_path, **{table: text})
    with pytest.raises(InputError) as via_config:
        load_config(cfg)
    with pytest.raises(InputError) as via_api:
        api(tmp_path)
    assert str(via_config.value) == str(via_api.value) == message


def test_kadry_run_stops_on_a_bad_table_before_reading_any_survey(tmp_path, capsys, monkeypatch):
    import forecast.survey

    def never(*args, **kwargs):
        raise AssertionError("the surveys were read before the tables were checked")

    monkeypatch.setattr(forecast.survey, "read_surveys", never)
    cfg = region(tmp_path, colleges=COLLEGES.replace(",30,10,", ",-5,10,"))
    assert main(["--quiet", "run", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "colleges.csv row 3, column capacity: '-5' is negative" in err


def test_horizon_check_uses_the_same_months(tmp_path):
    with pytest.raises(ConfigError, match="programme 15.02.01 takes 4 years.*at least 5"):
        load_config(region(tmp_path, horizon=4))
    assert load_config(region(tmp_path, horizon=5)).forecast.horizon == 5


def test_tables_are_read_once_a_run(tmp_path, monkeypatch):
    reads = []
    real = quota_tables.read_table

    def counting(source, name, *args, **kwargs):
        reads.append(name)
        return real(source, name, *args, **kwargs)

    monkeypatch.setattr(quota_tables, "read_table", counting)
    cfg = load_config(region(tmp_path))
    got = quotas_from_inputs(demand_rows(), T, cfg.quota_inputs, {})
    # each table once, at configuration time; the quota stage reads none again
    assert sorted(reads) == ["colleges", "enrolment", "mapping", "programmes"]
    assert got.programmes["quota"].sum() > 0


# -- a demand table written by kadry is taken as it is ------------------------------------
def test_demand_csv_with_year_T_rows_is_accepted(tmp_path):
    region(tmp_path)
    path = tmp_path / "demand.csv"
    demand_rows().to_csv(path, index=False, encoding="utf-8-sig")
    assert pd.read_csv(path)["demand"].isna().sum() == 2       # the two year-T rows
    from_csv = derive_quotas(path, T, tmp_path / "programmes.csv", tmp_path / "mapping.csv",
                             tmp_path / "colleges.csv", tmp_path / "enrolment.csv")
    without_T = derive_quotas(demand_rows(with_year_T=False), T, tmp_path / "programmes.csv",
                              tmp_path / "mapping.csv", tmp_path / "colleges.csv",
                              tmp_path / "enrolment.csv")
    pd.testing.assert_frame_equal(from_csv[0], without_T[0])
    pd.testing.assert_frame_equal(from_csv[1], without_T[1])
    assert from_csv[0]["quota"].sum() > 0


def test_empty_demand_in_a_forecast_year_is_still_an_error(tmp_path):
    region(tmp_path)
    bad = demand_rows()
    bad.loc[3, "demand"] = None                 # a forecast-year row (CSV row 5)
    with pytest.raises(InputError, match=r"demand table row 5 \(DataFrame position 3\), column "
                                         r"demand: empty \(a number is required\)"):
        derive_quotas(bad, T, tmp_path / "programmes.csv", tmp_path / "mapping.csv")
