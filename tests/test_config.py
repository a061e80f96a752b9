"""forecast.config: unknown keys named, missing files named, paths resolved, horizon check."""

from pathlib import Path

import pytest

from forecast.config import load_config
from forecast.errors import ConfigError
from forecast.params import DemandParams, QuotaParams


def _write(tmp_path: Path, text: str, programmes: str | None = None) -> Path:
    (tmp_path / "surveys").mkdir(exist_ok=True)
    (tmp_path / "surveys" / "a.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "mapping.csv").write_text("profession_code,programme_code,weight\n", encoding="utf-8")
    if programmes is not None:
        (tmp_path / "programmes.csv").write_text(programmes, encoding="utf-8-sig")
    cfg = tmp_path / "kadry.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


PROGRAMMES = (
    "code,name,level,duration_months,employment_rate,dropout\n"
    "15.01.05,Сварщик,СПО-КРС,34,,\n"
    "08.02.01,Строительство,СПО-ССЗ,46,0.8,0.1\n"
)


def test_minimal_config_takes_defaults_and_resolves_paths(tmp_path):
    cfg = load_config(_write(tmp_path, '[survey]\npaths = ["surveys/"]\n'))
    assert cfg.survey.paths == (str((tmp_path / "surveys").resolve()),)
    assert cfg.demand == DemandParams()
    assert cfg.quotas == QuotaParams()
    assert cfg.forecast.horizon == 7
    assert cfg.output.dir == str((tmp_path / "out").resolve())
    assert cfg.as_dict()["forecast"]["levels"] == [80, 95]


def test_quotas_section_is_split_into_params_and_tables(tmp_path):
    text = ('[survey]\npaths = "surveys"\n[quotas]\ncoverage_share = 0.6\nmin_group = 10\n'
            'programmes = "programmes.csv"\nmapping = "mapping.csv"\n')
    cfg = load_config(_write(tmp_path, text, PROGRAMMES))
    assert cfg.quotas.coverage_share == 0.6 and cfg.quotas.min_group == 10
    assert cfg.tables.programmes == str((tmp_path / "programmes.csv").resolve())
    assert cfg.tables.colleges is None
    files = cfg.input_files()
    assert "quotas.programmes" in files and "survey/surveys/a.csv" in files and "config" in files


@pytest.mark.parametrize(
    "text,needle",
    [
        ('[survey]\npaths = ["surveys/"]\n[forecast]\nhorizont = 7\n', "'horizont'"),
        ('[survey]\npaths = ["surveys/"]\n[quotas]\ncoverage = 0.5\n', "'coverage'"),
        ('[survey]\npaths = ["surveys/"]\n[demand]\nexit_rate = 0.1\n', "'exit_rate'"),
        ('[survey]\npaths = ["surveys/"]\n[outputs]\ndir = "x"\n', "[outputs]"),
    ],
)
def test_unknown_key_or_section_is_named(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    assert needle in str(err.value)


@pytest.mark.parametrize(
    "text,key,name",
    [
        ('[survey]\npaths = ["nowhere/"]\n', "survey.paths", "nowhere"),
        ('[survey]\npaths = ["surveys/"]\ncontrols = "ctl.csv"\n', "survey.controls", "ctl.csv"),
        ('[survey]\npaths = ["surveys/"]\n[forecast]\nscenario = "sc.csv"\n', "forecast.scenario", "sc.csv"),
        ('[survey]\npaths = ["surveys/"]\n[quotas]\nprogrammes = "p.csv"\nmapping = "mapping.csv"\n',
         "quotas.programmes", "p.csv"),
    ],
)
def test_missing_file_names_key_and_path(tmp_path, text, key, name):
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    msg = str(err.value)
    assert key in msg and str(tmp_path.resolve() / name) in msg


@pytest.mark.parametrize(
    "text,needle",
    [
        ('[forecast]\nreconcile = "mint"\n', "forecast.reconcile"),
        ('[output]\nlanguage = "de"\n', "output.language"),
        ('[forecast]\nhorizon = "7"\n', "forecast.horizon"),
        ('[forecast]\nhorizon = 0\n', "forecast.horizon"),
        ('[quotas]\ncoverage_share = 1.5\n', "quotas.coverage_share"),
        ('[quotas]\nmin_group = 2.5\n', "quotas.min_group"),
        ('[demand]\nmax_exit_rate = -1\n', "demand.max_exit_rate"),
        ('[survey]\npaths = []\n', "survey.paths"),
    ],
)
def test_bad_values_are_named(tmp_path, text, needle):
    if not text.startswith("[survey]"):
        text = '[survey]\npaths = ["surveys/"]\n' + text
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    assert needle in str(err.value)


def test_horizon_must_reach_past_longest_programme(tmp_path):
    base = ('[survey]\npaths = ["surveys/"]\n[quotas]\nprogrammes = "programmes.csv"\n'
            'mapping = "mapping.csv"\n[forecast]\nhorizon = {}\n')
    # 46 months → 4 years → graduates in T+5: horizon 5 is enough, 4 is not
    assert load_config(_write(tmp_path, base.format(5), PROGRAMMES)).forecast.horizon == 5
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, base.format(4), PROGRAMMES))
    assert "08.02.01" in str(err.value) and "at least 5" in str(err.value)


def test_bad_toml_and_missing_config_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[survey\npaths = 1\n"))


def test_survey_year_is_checked():
    import pytest as _pytest

    from forecast.config import config_from_mapping
    from forecast.errors import ConfigError

    cfg = config_from_mapping({"survey": {"paths": ["."], "year": 2026}}, base_dir="/tmp")
    assert cfg.survey.year == 2026
    for bad in ("2026", 1999, 2026.5, True):
        with _pytest.raises(ConfigError, match="survey.year must be a whole number 2000"):
            config_from_mapping({"survey": {"paths": ["."], "year": bad}}, base_dir="/tmp")
