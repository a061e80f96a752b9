"""kadry national without running regions: the roll-up rule, national.toml, [region], the
backend choice, failure handling and the Dask-missing message (fast unit tests)."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.cli import main
from forecast.columns import DEMAND_COLUMNS
from forecast.config import config_from_mapping, load_national_config
from forecast.errors import ConfigError
from forecast.national import backends
from forecast.national.rollup import (
    INTERVAL_COLUMNS,
    national_demand,
    national_quotas,
    national_sums,
    national_year,
    read_text_csv,
)
from forecast.national.run import prepare_regions, resolve_backend, settle
from forecast.report.files import csv_bytes


# --------------------------------------------------------------------------- roll-up
def _row(scenario="base", level="total", section="", code="", edu="", year=2026, **v):
    row = {"scenario": scenario, "level": level, "okved_section": section, "profession_code": code,
           "profession": f"name {code}" if code else "", "education": edu, "year": year}
    for c in DEMAND_COLUMNS[7:]:
        row[c] = v.get(c, np.nan)
    return row


def _region(rows) -> pd.DataFrame:
    """A demand table as the national run reads it: the text of its CSV."""
    return read_text_csv(csv_bytes(pd.DataFrame(rows), DEMAND_COLUMNS))


def test_intervals_combine_half_widths_per_side_as_root_of_squares():
    a = _region([_row(employment=100.0, employment_lo_80=90.0, employment_hi_80=103.0,
                      demand=10.0, demand_lo_80=7.0, demand_hi_80=14.0)])
    b = _region([_row(employment=40.0, employment_lo_80=32.0, employment_hi_80=44.0,
                      demand=5.0, demand_lo_80=1.0, demand_hi_80=5.5)])
    rf = national_sums({"01": a, "02": b}).iloc[0]
    assert rf["employment"] == 140.0
    assert rf["employment_lo_80"] == pytest.approx(140 - math.hypot(10, 8))
    assert rf["employment_hi_80"] == pytest.approx(140 + math.hypot(3, 4))
    assert rf["demand_lo_80"] == pytest.approx(15 - 5.0)  # hypot(3, 4)
    assert rf["demand_hi_80"] == pytest.approx(15 + math.hypot(4, 0.5))
    assert math.isnan(rf["employment_lo_95"])  # empty in every region: stays empty


def test_lower_bound_clipped_at_zero_and_missing_keys_add_zero():
    a = _region([_row(level="cell", section="A", code="1", edu="ВО", demand=1.0, demand_lo_80=0.0,
                      demand_hi_80=3.0, employment=2.0)])
    b = _region([_row(level="cell", section="A", code="1", edu="ВО", demand=1.0, demand_lo_80=0.0,
                      demand_hi_80=3.0, employment=2.0),
                 _row(level="cell", section="B", code="2", edu="ПО", demand=4.0, demand_lo_80=2.0,
                      demand_hi_80=6.0, employment=9.0)])
    rf = national_sums({"01": a, "02": b}).set_index("okved_section")
    assert rf.loc["A", "demand_lo_80"] == pytest.approx(max(0.0, 2 - math.sqrt(2)))
    assert rf.loc["B", "demand"] == 4.0 and rf.loc["B", "demand_hi_80"] == 6.0  # only region 02 has it
    big = _region([_row(demand=1.0, demand_lo_80=0.0, demand_hi_80=2.0)])
    rf2 = national_sums({"01": big, "02": big, "03": big}).iloc[0]
    assert rf2["demand_lo_80"] == pytest.approx(3 - math.sqrt(3))
    skew = _region([_row(demand=1.0, demand_lo_80=-5.0, demand_hi_80=2.0)])
    assert national_sums({"01": skew}).iloc[0]["demand_lo_80"] == 0.0


def test_only_scenarios_of_every_region_are_summed():
    a = _region([_row(scenario="base", demand=1.0), _row(scenario="target", demand=2.0)])
    b = _region([_row(scenario="base", demand=3.0)])
    rf = national_sums({"01": a, "02": b})
    assert rf["scenario"].tolist() == ["base"] and rf["demand"].tolist() == [4.0]


def test_national_demand_keeps_region_rows_as_written():
    a = _region([_row(demand=0.1 + 0.2, employment=1 / 3)])
    table = national_demand({"77": a, "78": a})
    assert table.columns[0] == "region_code"
    assert table["region_code"].tolist() == ["77", "78", "RF"]
    assert table.iloc[0, 1:].tolist() == a.iloc[0].tolist()  # the region's text, unchanged
    assert float(table.iloc[2]["demand"]) == (0.1 + 0.2) * 2


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e4), st.floats(0, 1e4)), min_size=1, max_size=6))
def test_property_points_add_up_and_intervals_follow_the_rule(regions):
    tables = {f"{i:02d}": _region([_row(employment=e, employment_lo_80=e - lo, employment_hi_80=e + hi)])
              for i, (e, lo, hi) in enumerate(regions)}
    # the national run sums what the regions' files say: parse them back
    parsed = [(float(t["employment"][0]), float(t["employment_lo_80"][0]), float(t["employment_hi_80"][0]))
              for t in tables.values()]
    rf = national_sums(tables).iloc[0]
    s = math.fsum(p[0] for p in parsed)
    assert rf["employment"] == pytest.approx(s, rel=1e-12, abs=1e-9)
    lo = max(0.0, s - math.sqrt(math.fsum((p[0] - p[1]) ** 2 for p in parsed)))
    hi = s + math.sqrt(math.fsum((p[2] - p[0]) ** 2 for p in parsed))
    assert rf["employment_lo_80"] == pytest.approx(lo, rel=1e-9, abs=1e-6)
    assert rf["employment_hi_80"] == pytest.approx(hi, rel=1e-9, abs=1e-6)
    assert rf["employment_lo_80"] <= rf["employment"] <= rf["employment_hi_80"]


def test_interval_columns_pair_with_their_point():
    assert INTERVAL_COLUMNS["employment_lo_95"] == ("employment", "lo")
    assert INTERVAL_COLUMNS["demand_hi_80"] == ("demand", "hi")
    assert len(INTERVAL_COLUMNS) == 6


def test_quotas_stacked_with_region_code_first():
    q = pd.DataFrame({"scenario": ["base"], "programme_code": ["08.01.01"], "programme": ["x"],
                      "level": ["СПО-КРС"], "admission_year": [2026], "graduation_year": [2029],
                      **{c: [1.5] for c in ("demand", "graduates_needed", "pipeline", "gap", "dropout",
                                             "quota_needed", "shortfall", "quota", "deficit", "last_quota")}})
    t = national_quotas({"05": read_text_csv(csv_bytes(q)), "06": read_text_csv(csv_bytes(q))})
    assert t.columns[0] == "region_code" and t["region_code"].tolist() == ["05", "06"]
    assert t["programme_code"].tolist() == ["08.01.01"] * 2


def test_national_year_is_the_most_common_then_latest():
    assert national_year({"a": 2025, "b": 2024, "c": 2025}) == 2025
    assert national_year({"a": 2024, "b": 2024, "c": 2025}) == 2024
    assert national_year({"a": 2024, "b": 2025}) == 2025
    assert national_year({}) is None


def test_settle_fails_a_region_of_another_survey_year():
    regions = [{"code": c, "status": "pending"} for c in ("01", "02", "03", "04")]
    results = {"01": {"status": "ok", "survey_year": 2025}, "02": {"status": "ok", "survey_year": 2025},
               "03": {"status": "ok", "survey_year": 2024}, "04": {"status": "failed", "message": "x"}}
    assert settle(regions, results) == 2025
    by = {r["code"]: r for r in regions}
    assert by["03"]["status"] == "failed" and "2024" in by["03"]["message"] and by["03"]["finished"]
    assert by["04"]["status"] == "failed" and not by["04"]["finished"]
    assert by["01"]["status"] == by["02"]["status"] == "ok"


# --------------------------------------------------------------------------- configs
def test_region_section(tmp_path):
    cfg = config_from_mapping({"survey": {"paths": ["."]}, "region": {"code": "72", "name": "Тюменская область"}},
                              base_dir=tmp_path)
    assert (cfg.region.code, cfg.region.name) == ("72", "Тюменская область")
    assert cfg.as_dict()["region"] == {"code": "72", "name": "Тюменская область"}
    assert "region" not in config_from_mapping({"survey": {"paths": ["."]}}, base_dir=tmp_path).as_dict()
    for bad, word in [({"code": 72}, "region.code"), ({"code": "7/2"}, "region.code"),
                      ({"code": "RF"}, "reserved"), ({"code": "72", "okato": "1"}, "okato"),
                      ({"name": ""}, "region.name")]:
        with pytest.raises(ConfigError, match=word):
            config_from_mapping({"survey": {"paths": ["."]}, "region": bad}, base_dir=tmp_path)


def _national(tmp_path, text: str):
    p = tmp_path / "national.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_national_toml_is_checked(tmp_path):
    (tmp_path / "r").mkdir()
    for name in ("b", "a"):
        (tmp_path / "r" / f"{name}.toml").write_text("", encoding="utf-8")
    cfg = load_national_config(_national(tmp_path, '[national]\nname = "X"\nregions = ["r/*.toml", "r/a.toml"]\n'
                                                    '[dask]\nworkers = 3\n'))
    assert [p.split("/")[-1] for p in cfg.national.regions] == ["a.toml", "b.toml"]  # sorted, each once
    assert cfg.dask.workers == 3 and cfg.output.dir == str((tmp_path / "out" / "national").resolve())
    cases = [('[national]\nregions = ["r/*.toml"]\n[dask]\nworkerz = 2\n', "workerz"),
             ('[national]\nregions = ["r/*.toml"]\n[cluster]\n', r"\[cluster\]"),
             ('[national]\nregions = ["none/*.toml"]\n', "no file matches"),
             ('[national]\nregions = ["r/c.toml"]\n', "not found"),
             ('[national]\nregions = []\n', "non-empty"),
             ('[national]\nregions = ["r/*.toml"]\n[dask]\nworkers = -1\n', "dask.workers"),
             ('[national]\nregions = ["r/*.toml"]\n[output]\nlanguage = "de"\n', "language"),
             ('[national]\nregions = ["r/*.toml"]\nregion = 1\n', "'region'")]
    for text, word in cases:
        with pytest.raises(ConfigError, match=word):
            load_national_config(_national(tmp_path, text))


def test_backend_choice():
    from forecast.config import national_config_from_mapping

    def nat(dask):
        return national_config_from_mapping({"national": {"regions": [__file__]}, "dask": dask})

    assert resolve_backend(nat({}), None, None) == ("", None)
    assert resolve_backend(nat({"workers": 2}), None, None) == ("", 2)
    assert resolve_backend(nat({"scheduler": "tcp://h:1"}), None, 0) == ("", 0)  # the command line wins
    assert resolve_backend(nat({"workers": 2}), "tcp://h:1", None) == ("tcp://h:1", None)
    with pytest.raises(ConfigError, match="not both"):
        resolve_backend(nat({"scheduler": "tcp://h:1", "workers": 2}), None, None)
    with pytest.raises(ConfigError, match="not both"):
        resolve_backend(nat({}), "tcp://h:1", 2)


def _region_toml(folder, code, extra=""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "surveys").mkdir(exist_ok=True)
    region = f'[region]\ncode = "{code}"\n' if code else ""
    (folder / "kadry.toml").write_text(f'[survey]\npaths = ["surveys/"]\n{extra}{region}', encoding="utf-8")


def test_prepare_regions_reports_bad_configs_and_refuses_duplicate_codes(tmp_path):
    from forecast.config import national_config_from_mapping

    _region_toml(tmp_path / "a", "10")
    _region_toml(tmp_path / "b", "02", extra="[forecast]\nhorizn = 3\n")
    _region_toml(tmp_path / "c", None)
    cfg = national_config_from_mapping({"national": {"regions": ["*/kadry.toml"]}}, base_dir=tmp_path)
    regions = prepare_regions(cfg)
    assert [(r["code"], r["status"]) for r in regions] == [("02", "failed"), ("10", "pending"), (None, "failed")]
    assert "horizn" in regions[0]["message"] and "[region] code" in regions[2]["message"]
    _region_toml(tmp_path / "d", "10")
    cfg = national_config_from_mapping({"national": {"regions": ["*/kadry.toml"]}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="'10' is in two region configs"):
        prepare_regions(cfg)
    assert main(["national", "--config", str(_national(tmp_path, '[national]\nregions = ["*/kadry.toml"]\n')),
                 "--workers", "0"]) == 2


# --------------------------------------------------------------------------- failures
def test_a_region_exception_is_its_failure_not_the_countrys(monkeypatch, tmp_path):
    import forecast.pipeline

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(forecast.pipeline, "run", boom)
    r = backends.run_region(str(tmp_path / "kadry.toml"), str(tmp_path / "out"))
    assert r == {"status": "failed", "message": "internal error: RuntimeError: disk on fire"}


def test_missing_dask_is_a_clear_configuration_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    _region_toml(tmp_path / "a", "10")
    nat = _national(tmp_path, '[national]\nregions = ["a/kadry.toml"]\n[dask]\nworkers = 2\n')
    assert main(["national", "--config", str(nat)]) == 2
    err = capsys.readouterr().err
    assert "pip install 'kadry[dask]'" in err and "--workers 0" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # nothing was run or written


def test_no_region_finished_is_exit_3_without_national_files(tmp_path, capsys):
    _region_toml(tmp_path / "a", "10")  # an empty survey folder: no accepted rows
    nat = _national(tmp_path, '[national]\nregions = ["a/kadry.toml"]\n')
    stale = tmp_path / "out" / "national" / "regions" / "10"  # an earlier run's outputs
    stale.mkdir(parents=True)
    (stale / "demand.csv").write_text("old\n", encoding="utf-8")
    assert main(["--quiet", "national", "--config", str(nat), "--workers", "0"]) == 3
    assert "no region finished" in capsys.readouterr().err
    out = tmp_path / "out" / "national"
    assert sorted(p.name for p in out.iterdir()) == ["regions"]  # no national file
    assert not stale.exists()  # the failed region's old folder is not passed off as this run's


def test_run_has_no_backend_option(capsys):
    assert main(["run", "--help"]) == 0
    assert "--backend" not in capsys.readouterr().out


# --------------------------------------------------------------------------- national workbook
def _nat_result(tmp_path, language, tables):
    from forecast.config import national_config_from_mapping
    from forecast.national.run import NationalResult

    cfg = national_config_from_mapping({"national": {"name": "Test", "regions": [__file__]},
                                        "output": {"language": language, "dir": str(tmp_path)}})
    regions = [{"code": c, "name": f"Region {c}", "status": "ok", "message": "", "config": f"{c}.toml",
                "survey_year": 2025, "waves": [2024, 2025], "respondents": 3, "rows_accepted": 10,
                "rows_rejected": 0, "horizon": 1, "employment_T": 1.0, "demand_total": 2.0, "quota_total": None,
                "issues": [{"source": "survey", "severity": "warning", "code": "W_X", "count": 2}]}
               for c in tables]
    regions.append({"code": "09", "name": "Broken", "status": "failed", "message": "no rows", "config": "09.toml"})
    empty_q = read_text_csv(csv_bytes(pd.DataFrame({c: [] for c in national_quotas({}).columns[1:]})))
    return NationalResult(config=cfg, survey_year=2025, regions=regions, demand=national_demand(tables),
                          quotas=national_quotas({c: empty_q for c in tables}),
                          rf_scenarios=sorted({"base"} & set.intersection(*[set(t["scenario"]) for t in tables.values()])),
                          backend={"kind": "in_process", "workers": 0})


@pytest.mark.parametrize("language", ["ru", "en"])
def test_national_workbook_and_manifest(tmp_path, language):
    import json
    from openpyxl import load_workbook

    rows = [_row(year=2025, employment=5.0, employment_lo_80=5.0, employment_hi_80=5.0),
            _row(year=2026, employment=6.0, employment_lo_80=4.0, employment_hi_80=8.0, demand=1.0,
                 demand_lo_80=0.0, demand_hi_80=2.0, expansion=1.0, replacement=0.0, vacancies=0.0),
            _row(level="profession", code="1", edu="ВО", year=2026, employment=6.0, demand=1.0)]
    nat = _nat_result(tmp_path, language, {"01": _region(rows), "02": _region(rows)})
    out = nat.write()
    files = sorted(p.name for p in out.iterdir())
    assert files == ["demand_national.csv", "manifest.json", "national_2025.xlsx", "quotas_national.csv"]
    wb = load_workbook(out / "national_2025.xlsx")
    from forecast.report.labels import NATIONAL_SHEETS

    assert wb.sheetnames == [pair[1 if language == "en" else 0] for pair in NATIONAL_SHEETS.values()]
    values = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "Broken" in values and "no rows" in values and "REGION_FAILED" in values
    assert any(isinstance(v, str) and "09" in v and ("Left out" if language == "en" else "не включены") in v
               for v in values)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in m["regions"]] == ["ok", "ok", "failed"]
    assert m["rf"] == {"regions": ["01", "02"], "excluded": ["09"], "scenarios": ["base"]}
    assert set(m["outputs"]) == {"demand_national.csv", "quotas_national.csv", "national_2025.xlsx"}
    assert nat.exit_code == 1
    again = _nat_result(tmp_path / "b", language, {"01": _region(rows), "02": _region(rows)})
    assert again.files()["national_2025.xlsx"] == nat.files()["national_2025.xlsx"]  # deterministic bytes


def test_no_common_scenario_still_writes_the_workbook(tmp_path):
    a = _region([_row(scenario="base", year=2026, employment=1.0, demand=1.0)])
    b = _region([_row(scenario="target", year=2026, employment=1.0, demand=1.0)])
    nat = _nat_result(tmp_path, "ru", {"01": a, "02": b})
    assert nat.rf_scenarios == [] and "RF" not in set(nat.demand["region_code"])
    assert nat.files()["national_2025.xlsx"][:2] == b"PK"
