"""The sample region: determinism, file contracts, truth identities, and the bundled data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast import classifiers as cl
from forecast import columns as cols
from forecast.sample import catalogue as cat
from forecast.sample import (
    SURVEY_ROW_COLUMNS, folder_digest, generate_region, write_region,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
KEY = ["survey_year", "inn", "profession_code", "education"]
CELL = ["okved_section", "profession_code", "education"]


@pytest.fixture(scope="module")
def small():
    return generate_region(seed=7, n_employers=90, first_wave=2021, last_wave=2025, horizon=6)


@pytest.fixture(scope="module")
def bundled():
    return generate_region()


def _read(path: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(path / name, dtype={"profession_code": str, "programme_code": str,
                                           "code": str, "variant": str}, keep_default_na=True)


# --------------------------------------------------------------------------- determinism
def test_generation_is_deterministic(small):
    again = generate_region(seed=7, n_employers=90, first_wave=2021, last_wave=2025, horizon=6)
    for name in ("survey_rows", "controls", "scenario", "programmes", "mapping", "colleges",
                 "enrolment", "truth_employment", "truth_demand"):
        pd.testing.assert_frame_equal(getattr(small, name), getattr(again, name), obj=name)


def test_other_seed_gives_other_region(small):
    other = generate_region(seed=8, n_employers=90, first_wave=2021, last_wave=2025, horizon=6)
    assert not other.truth_employment.equals(small.truth_employment)


def test_written_files_are_byte_identical(small, tmp_path):
    a = write_region(small, tmp_path / "a")
    b = write_region(generate_region(seed=7, n_employers=90, first_wave=2021, last_wave=2025,
                                     horizon=6), tmp_path / "b")
    da, db = folder_digest(a), folder_digest(b)
    assert da == db
    assert any(k.endswith(".xlsx") for k in da) and any(k.endswith(".csv") for k in da)


def test_bundled_sample_is_up_to_date(bundled, tmp_path):
    """data/sample is exactly what `python data/generate.py` writes (run it after a change)."""
    fresh = folder_digest(write_region(bundled, tmp_path / "s"))
    have = {k: v for k, v in folder_digest(SAMPLE).items() if not k.startswith("out/")}
    stale = sorted(k for k in set(fresh) | set(have) if fresh.get(k) != have.get(k))
    assert not stale, f"data/sample is stale, run `python data/generate.py`: {stale[:5]}"


# --------------------------------------------------------------------------- contracts
def _check_survey_rows(rows: pd.DataFrame, horizon: int) -> None:
    assert tuple(rows.columns) == SURVEY_ROW_COLUMNS
    assert rows["inn"].map(cl.inn_is_valid).all()
    assert rows["okved"].map(cl.okved_is_valid).all()
    assert (rows["okved"].map(cl.okved_section) == rows["okved_section"]).all()
    assert rows["profession_code"].map(cl.profession_code_is_valid).all()
    assert rows["education"].isin(list(cl.EDUCATION_LEVELS)).all()
    assert not rows.duplicated(KEY).any()
    num = ["headcount", "vacancies", *cols.NEED_COLUMNS]
    assert (rows[num] >= 0).all().all()
    age = rows["age_55plus"]
    assert ((age <= rows["headcount"]) | age.isna()).all()
    assert (rows[[f"need_{h}" for h in range(horizon + 1, 11)]] == 0).all().all()
    # one employer, one identity
    assert (rows.groupby("inn")[["employer", "okved"]].nunique() == 1).all().all()


def test_survey_rows_follow_the_form(small, bundled):
    _check_survey_rows(small.survey_rows, 6)
    _check_survey_rows(bundled.survey_rows, 7)
    # plans thin out with the horizon: more zeros far ahead
    r = bundled.survey_rows
    assert (r["need_7"] == 0).mean() > (r["need_1"] == 0).mean()
    assert 0.5 < r["age_55plus"].notna().mean() < 0.95        # most, not all, report ages


def test_input_tables_follow_the_contracts(bundled):
    b = bundled
    assert tuple(b.controls.columns) == cols.CONTROLS_COLUMNS
    assert tuple(b.scenario.columns) == cols.SCENARIO_COLUMNS
    assert tuple(b.programmes.columns) == cols.PROGRAMMES_COLUMNS
    assert tuple(b.mapping.columns) == cols.MAPPING_COLUMNS
    assert tuple(b.colleges.columns) == cols.COLLEGES_COLUMNS
    assert tuple(b.enrolment.columns) == cols.ENROLMENT_COLUMNS
    progs = b.programmes.set_index("code")
    assert progs.index.is_unique
    assert all(cl.PROGRAMME_CODE_RE.match(c) for c in progs.index)
    assert progs["level"].isin(cl.QUOTA_LEVELS).all()
    krs = progs[progs["level"] == "СПО-КРС"]["duration_months"]
    ssz = progs[progs["level"] == "СПО-ССЗ"]["duration_months"]
    assert krs.isin([22, 34]).all() and ssz.isin([34, 46]).all()
    assert progs["employment_rate"].isna().any() and progs["dropout"].isna().any()
    assert progs["employment_rate"].dropna().between(0, 1).all()
    # mapping: every programme exists; weights of a profession over its level's programmes sum to 1
    m = b.mapping.join(progs["level"], on="programme_code")
    assert m["level"].notna().all()
    prof_level = {(p.code, p.education) for p in cat.PROFESSIONS}
    assert all((p, lvl) in prof_level for p, lvl in zip(m["profession_code"], m["level"]))
    assert np.allclose(m.groupby(["profession_code", "level"])["weight"].sum(), 1.0, atol=1e-9)
    assert (m.groupby(["profession_code", "level"]).size() > 1).any()      # some split
    rows = b.survey_rows
    spo = rows[rows["education"].isin(cl.QUOTA_LEVELS)][["profession_code", "education"]].drop_duplicates()
    mapped = set(zip(m["profession_code"], m["level"]))
    assert any((p, e) not in mapped for p, e in spo.itertuples(index=False))  # some unmapped SPO demand
    assert rows["education"].isin(["ВО", "ПО", "БО"]).any()
    # colleges: unique pairs, known programmes, one programme without a college
    c = b.colleges
    assert not c.duplicated(["college_code", "programme_code"]).any()
    assert c["programme_code"].isin(progs.index).all()
    assert set(progs.index) - set(c["programme_code"])
    assert (c["capacity"] > 0).all() and (c["last_quota"] >= 0).all()
    assert c["college_code"].nunique() >= 12
    e = b.enrolment
    assert e["programme_code"].isin(progs.index).all()
    assert (e["admission_year"] > b.last_wave).sum() >= 1                  # to be ignored
    assert set(range(b.last_wave - 3, b.last_wave + 1)) <= set(e["admission_year"])
    # scenario: history without a variant, three variants ahead
    s = b.scenario
    hist = s[s["variant"] == ""]
    assert set(hist["year"]) == set(range(b.first_wave, b.last_wave + 1))
    fut = s[s["variant"] != ""]
    assert set(fut["variant"]) == {"base", "conservative", "target"}
    assert set(fut["year"]) == set(range(b.last_wave + 1, b.last_wave + b.horizon + 1))
    assert (s["value"] > 0).all()


def test_written_tables_read_back(bundled):
    progs = _read(SAMPLE, "programmes.csv")
    assert list(progs["code"]) == list(bundled.programmes["code"])
    m = _read(SAMPLE, "mapping.csv")
    assert m["profession_code"].str.fullmatch(r"\d{4,5}").all()
    toml = (SAMPLE / "kadry.toml").read_text(encoding="utf-8")
    import tomllib
    cfg = tomllib.loads(toml)
    assert cfg["forecast"]["horizon"] == 7 and cfg["forecast"]["levels"] == [80, 95]
    for rel in (cfg["survey"]["controls"], cfg["forecast"]["scenario"], cfg["quotas"]["programmes"],
                cfg["quotas"]["mapping"], cfg["quotas"]["colleges"], cfg["quotas"]["enrolment"]):
        assert (SAMPLE / rel).is_file()


# --------------------------------------------------------------------------- truth
def _check_truth(r) -> None:
    te, td = r.truth_employment, r.truth_demand
    T, H = r.last_wave, r.horizon
    assert set(te["year"]) == set(range(r.first_wave, T + H + 1))
    assert set(td["year"]) == set(range(T + 1, T + H + 1))
    assert (te["employment"] >= 0).all()
    assert (td["replacement"] >= 0).all() and (td["vacancies"] >= 0).all()
    assert not te.duplicated(["year", *CELL]).any() and not td.duplicated(["year", *CELL]).any()
    expect = np.maximum(0, td["expansion"] + td["replacement"]) + td["vacancies"] * (td["year"] == T + 1)
    assert (td["demand"] == expect).all()
    assert (td.loc[td["year"] > T + 1, "vacancies"] == 0).all()
    # expansion is the change of truth employment
    wide = te.pivot_table(index=CELL, columns="year", values="employment", fill_value=0)
    for y in range(T + 1, T + H + 1):
        got = td[td["year"] == y].set_index(CELL)["expansion"]
        assert (got == (wide[y] - wide[y - 1]).reindex(got.index)).all()
    # controls are the population's employment of each section
    tot = te.groupby(["year", "okved_section"])["employment"].sum()
    c = r.controls.set_index(["survey_year", "okved_section"])["employment"]
    assert (tot.reindex(c.index).fillna(0).to_numpy() == c.to_numpy()).all()


def test_truth_identities(small, bundled):
    _check_truth(small)
    _check_truth(bundled)


def test_truth_is_plausible(bundled):
    """Exits of a few per cent a year, ageing matters, and plans are biased but informative."""
    te, td = bundled.truth_employment, bundled.truth_demand
    T = bundled.last_wave
    e_prev = te.groupby("year")["employment"].sum()
    rate = td.groupby("year")["replacement"].sum() / e_prev.shift(1).reindex(td["year"].unique())
    assert rate.between(0.03, 0.09).all()
    # stated needs of the last wave overstate next year's demand but are of its order
    rows = bundled.survey_rows[bundled.survey_rows["survey_year"] == T]
    ratio = rows["need_1"].sum() / rows["headcount"].sum()
    true = td[td["year"] == T + 1]["demand"].sum() / te[te["year"] == T]["employment"].sum()
    assert 1.0 < ratio / true < 2.5


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 40), waves=st.integers(1, 4),
       horizon=st.integers(1, 10))
def test_any_region_keeps_the_identities(seed, n, waves, horizon):
    r = generate_region(seed=seed, n_employers=n, first_wave=2020, last_wave=2019 + waves,
                        horizon=horizon)
    _check_survey_rows(r.survey_rows, horizon)
    _check_truth(r)


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError):
        generate_region(n_employers=0)
    with pytest.raises(ValueError):
        generate_region(horizon=11)
    with pytest.raises(ValueError):
        write_region(generate_region(n_employers=5, first_wave=2025, last_wave=2025), "/nonexistent", layout="xls")


# --------------------------------------------------------------------------- read back
survey = pytest.importorskip("forecast.survey")


def test_csv_layout_reads_back_exactly(small, tmp_path):
    out = write_region(small, tmp_path / "csv", layout="csv")
    s = survey.read_surveys(out / "surveys")
    assert s.counts["rejected"] == 0 and s.counts["merged"] == 0 and s.counts["superseded"] == 0
    got = s.frame.sort_values(KEY).reset_index(drop=True)
    want = small.survey_rows.sort_values(KEY).reset_index(drop=True)
    assert len(got) == len(want)
    for c in ["inn", "employer", "okved", "okved_section", "profession_code", "education"]:
        assert (got[c].astype(str) == want[c].astype(str)).all(), c
    for c in ["headcount", "vacancies", *cols.NEED_COLUMNS]:
        assert (got[c].to_numpy(dtype=float) == want[c].to_numpy(dtype=float)).all(), c
    assert got["age_55plus"].isna().equals(want["age_55plus"].isna())


def test_bundled_surveys_account_for_every_row(bundled):
    s = survey.read_surveys(SAMPLE / "surveys", controls=SAMPLE / "controls.csv")
    k = s.counts
    assert k["rows_read"] == k["accepted"] + k["merged"] + k["superseded"] + k["rejected"]
    assert k["merged"] > 0 and k["superseded"] > 0 and k["rejected"] > 0
    assert k["rejected"] / k["rows_read"] < 0.03
    assert k["files_failed"] >= 3 and len(s.skipped) >= 2
    file_codes = set(s.issues.loc[s.issues["row"].isna(), "code"])
    assert {"E_FILE_UNREADABLE", "E_NO_HEADER", "E_MISSING_COLUMN"} <= file_codes
    codes = set(s.issues["code"])
    assert {"E_INN_CHECKSUM", "E_NEGATIVE", "E_NOT_INTEGER", "E_AGE_GT_HEADCOUNT", "E_REQUIRED",
            "E_NOT_NUMBER", "E_OKVED", "E_PROFESSION_CODE", "E_DATE", "E_INN_FORMAT",
            "W_ALIAS", "W_MERGED", "W_SUPERSEDED", "W_UNKNOWN_COLUMN", "W_IGNORED_ROWS",
            "W_TOTAL_MISMATCH"} <= codes
    f = s.frame
    # accepted rows are the employers' clean rows (split departments merge back)
    clean = bundled.survey_rows.set_index(KEY)
    joined = f.merge(clean[["headcount"]].add_suffix("_clean"), left_on=KEY, right_index=True,
                     how="left")
    assert joined["headcount_clean"].notna().all()
    assert (joined["headcount"] == joined["headcount_clean"]).mean() > 0.97
    # weighted respondents' headcounts give the population's section totals
    est = (f["headcount"] * f["weight"]).groupby([f["survey_year"], f["okved_section"]]).sum()
    te = bundled.truth_employment
    truth = te.groupby(["year", "okved_section"])["employment"].sum()
    truth.index.names = est.index.names
    rel = (est / truth.reindex(est.index) - 1).abs()
    assert rel.max() < 0.01
    # … and, per profession, estimates within sampling error of the truth
    T = bundled.last_wave
    ft = f[f["survey_year"] == T]
    by_prof = (ft["headcount"] * ft["weight"]).groupby([ft["profession_code"], ft["education"]]).sum()
    tp = te[te["year"] == T].groupby(["profession_code", "education"])["employment"].sum()
    err = (by_prof.reindex(tp.index).fillna(0) - tp).abs().sum() / tp.sum()
    assert err < 0.15
    assert not math.isnan(err)


def test_mixed_layout_without_mistakes_reads_back_exactly(tmp_path):
    """Every workbook/CSV style (title blocks, number rows, totals, year-form and English
    headers, cp1251 with decimal commas) carries the clean rows unchanged."""
    r = generate_region(seed=11, n_employers=120, first_wave=2024, last_wave=2026, horizon=7,
                        mistakes=False)
    out = write_region(r, tmp_path / "clean")
    s = survey.read_surveys(out / "surveys")
    k = s.counts
    assert k["rejected"] == k["merged"] == k["superseded"] == k["files_failed"] == 0
    assert "W_TOTAL_MISMATCH" not in set(s.issues["code"])
    got = s.frame.sort_values(KEY).reset_index(drop=True)
    want = r.survey_rows.sort_values(KEY).reset_index(drop=True)
    assert len(got) == len(want)
    for c in ["inn", "employer", "okved", "profession_code", "profession", "education"]:
        assert (got[c].astype(str) == want[c].astype(str)).all(), c
    # municipality is an optional column some municipal workbooks leave out
    has = got["municipality"].notna() & (got["municipality"].astype(str) != "")
    assert has.mean() > 0.3 and (got.loc[has, "municipality"] == want.loc[has, "municipality"]).all()
    for c in ["headcount", "vacancies", *cols.NEED_COLUMNS]:
        assert (got[c].to_numpy(dtype=float) == want[c].to_numpy(dtype=float)).all(), c
    assert np.array_equal(got["age_55plus"].to_numpy(dtype=float), want["age_55plus"].to_numpy(dtype=float),
                          equal_nan=True)


def test_scoring_by_hand():
    """The acceptance measure and its naive benchmarks, worked by hand on two rows."""
    from forecast.sample.scoring import demand_scores, naive_benchmarks

    frame = pd.DataFrame({
        "survey_year": [2026, 2026, 2025], "profession_code": ["11111", "22222", "11111"],
        "education": ["СПО-КРС"] * 3, "weight": [2.0, 1.0, 9.0], "headcount": [100, 50, 1],
        "vacancies": [5, 0, 9], **{f"need_{h}": [1, 2, 9] for h in range(1, 6)}})
    needs, flat = naive_benchmarks(frame, 2026)
    # stated: 5 years × need 1 × weight 2 = 10; 5 × 2 × 1 = 10 (the 2025 row is not used)
    assert needs.tolist() == [10.0, 10.0]
    # flat: 0.03·5·100·2 + 5·2 = 40; 0.03·5·50·1 + 0 = 7.5
    assert flat.tolist() == pytest.approx([40.0, 7.5])
    truth = pd.DataFrame({"year": [2027, 2031, 2032, 2027], "profession_code": ["11111"] * 3 + ["22222"],
                          "education": ["СПО-КРС"] * 4, "demand": [20.0, 10.0, 99.0, 10.0]})
    demand = pd.DataFrame({"level": ["profession"] * 3 + ["cell"], "scenario": ["base"] * 4,
                           "year": [2027, 2028, 2027, 2027],
                           "profession_code": ["11111", "11111", "22222", "22222"],
                           "education": ["СПО-КРС"] * 4, "demand": [15.0, 15.0, 12.0, 50.0]})
    s = demand_scores(demand, frame, truth, 2026)
    # actual 30 and 10 (2032 is past T+5); model 30 and 12 → |0| + |2| over 40
    assert s["wmape_model"] == pytest.approx(2 / 40)
    assert s["wmape_needs"] == pytest.approx((20 + 0) / 40)
    assert s["wmape_flat"] == pytest.approx((10 + 2.5) / 40)
