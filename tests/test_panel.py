"""forecast.panel.build_panel: weighted cells per wave (methodology.md §1)."""

import numpy as np
import pandas as pd
import pytest

from forecast.columns import NEED_COLUMNS
from forecast.panel import PANEL_COLUMNS, build_panel, small_sample_factor


def _row(year, inn, section, code, head, *, name="Name", edu="СПО-КРС", vac=0, age=np.nan,
         w=1.0, **needs):
    r = dict(survey_year=year, inn=inn, okved_section=section, profession_code=code,
             profession=name, education=edu, headcount=head, vacancies=vac, age_55plus=age,
             weight=w)
    r.update({c: 0 for c in NEED_COLUMNS})
    r.update(needs)
    return r


def test_weighted_sums_and_age_subset():
    f = pd.DataFrame([
        _row(2026, "1", "C", "11111", 10, vac=2, age=3.0, w=2.0, need_1=4, need_2=1),
        _row(2026, "2", "C", "11111", 20, vac=1, age=np.nan, w=1.5, need_1=2),
    ])
    c = build_panel(f).cells.iloc[0]
    assert c["headcount"] == pytest.approx(2 * 10 + 1.5 * 20)
    assert c["vacancies"] == pytest.approx(2 * 2 + 1.5 * 1)
    assert c["age_55plus"] == pytest.approx(6.0)             # only the reporting row
    assert c["headcount_age_reported"] == pytest.approx(20.0)
    assert c["need_1"] == pytest.approx(2 * 4 + 1.5 * 2)
    assert c["need_2"] == pytest.approx(2.0)
    assert c["respondents"] == 2


def test_absent_cell_is_zero_when_section_surveyed_and_missing_otherwise():
    f = pd.DataFrame([
        _row(2025, "1", "C", "11111", 10), _row(2025, "1", "C", "22222", 5),
        _row(2025, "9", "F", "33333", 7),
        _row(2026, "1", "C", "11111", 12),          # 22222 vanished, F not surveyed
    ])
    p = build_panel(f)
    cells = p.cells.set_index(["survey_year", "okved_section", "profession_code"])
    assert cells.loc[(2026, "C", "22222"), "headcount"] == 0
    assert cells.loc[(2026, "C", "22222"), "respondents"] == 0
    assert (2026, "F", "33333") not in cells.index
    assert p.waves == [2025, 2026] and p.survey_year == 2026
    assert list(p.cells.columns) == list(PANEL_COLUMNS)


def test_renamed_profession_takes_latest_name_everywhere():
    f = pd.DataFrame([
        _row(2025, "1", "C", "11111", 10, name="Old"),
        _row(2026, "1", "C", "11111", 10, name="New"),
        _row(2026, "2", "C", "11111", 10, name="New"),
        _row(2026, "3", "C", "11111", 10, name="Other"),
    ])
    p = build_panel(f)
    assert set(p.cells["profession"]) == {"New"}
    assert p.professions == {"11111": "New"}


def test_every_row_accounted_for():
    rng = np.random.default_rng(1)
    rows = [_row(2020 + int(rng.integers(0, 3)), str(rng.integers(0, 30)), "CFG"[i % 3],
                 f"{10000 + i % 7}", int(rng.integers(0, 50)), w=float(rng.uniform(1, 3)),
                 vac=int(rng.integers(0, 4)), need_1=int(rng.integers(0, 5)))
            for i in range(300)]
    f = pd.DataFrame(rows).drop_duplicates(
        ["survey_year", "inn", "okved_section", "profession_code", "education"])
    p = build_panel(f)
    for col in ("headcount", "vacancies", "need_1"):
        assert p.cells[col].sum() == pytest.approx((f[col] * f["weight"]).sum())
    assert p.sections["headcount"].sum() == pytest.approx((f["headcount"] * f["weight"]).sum())


def test_optional_columns_default():
    f = pd.DataFrame({"survey_year": [2026], "okved_section": ["C"],
                      "profession_code": ["11111"], "education": ["ВО"], "headcount": [5]})
    c = build_panel(f).cells.iloc[0]
    assert c["headcount"] == 5 and c["vacancies"] == 0 and c["need_1"] == 0
    assert c["headcount_age_reported"] == 0


def test_missing_required_column_is_input_error():
    from forecast.errors import InputError
    with pytest.raises(InputError, match="headcount"):
        build_panel(pd.DataFrame({"survey_year": [2026], "okved_section": ["C"],
                                  "profession_code": ["1"], "education": ["ВО"]}))


def test_matched_employers_change():
    f = pd.DataFrame([
        _row(2025, "1", "C", "11111", 10, w=2.0),
        _row(2025, "2", "C", "11111", 30, w=2.0),      # does not answer in 2026
        _row(2025, "1", "C", "22222", 4, w=2.0),       # cell left by employer 1 in 2026
        _row(2026, "1", "C", "11111", 13, w=3.0),
        _row(2026, "3", "C", "11111", 50, w=3.0),      # new respondent
    ])
    c = build_panel(f).cells.set_index(["survey_year", "profession_code"])
    assert c.loc[(2026, "11111"), "headcount_matched"] == pytest.approx(3.0 * 13)
    assert c.loc[(2026, "11111"), "headcount_matched_prev"] == pytest.approx(3.0 * 10)
    assert c.loc[(2026, "22222"), "headcount_matched"] == 0
    assert c.loc[(2026, "22222"), "headcount_matched_prev"] == pytest.approx(3.0 * 4)
    assert (c.loc[2025, "headcount_matched"] == 0).all()
    assert (c.loc[2025, "headcount_matched_prev"] == 0).all()


def test_headcount_var_is_the_ratio_estimator_variance():
    # section C, wave 2026: three respondents, weight 2 (half the section's headcount
    # answered); profession 11111 at two of them, 22222 at the third
    f = pd.DataFrame([
        _row(2026, "1", "C", "11111", 10, w=2.0), _row(2026, "1", "C", "22222", 0, w=2.0),
        _row(2026, "2", "C", "11111", 4, w=2.0), _row(2026, "2", "C", "22222", 6, w=2.0),
        _row(2026, "3", "C", "22222", 20, w=2.0),
    ])
    p = build_panel(f).cells.set_index("profession_code")
    x = np.array([10.0, 10.0, 20.0])                 # respondents' headcount in C
    y = np.array([10.0, 4.0, 0.0])                   # their headcount of 11111
    d = y - y.sum() / x.sum() * x
    # the linearised formula, times the small-sample factor of a cell two employers answered
    expected = 2.0 ** 2 * (1 - 1 / 2.0) * 3 / 2 * (d ** 2).sum() * small_sample_factor(2)
    assert p.loc["11111", "headcount_var"] == pytest.approx(expected)
    # the two professions exhaust the section: their errors cancel, equal linearised
    # variances; 22222 was answered by three employers (one with 0), hence its factor
    assert p.loc["22222", "headcount_var"] == pytest.approx(
        expected / small_sample_factor(2) * small_sample_factor(3))
    # unweighted (no control totals): the respondents are the population
    assert (build_panel(f.drop(columns="weight")).cells["headcount_var"] == 0).all()


def test_headcount_var_with_weights_varying_within_a_section():
    f = pd.DataFrame([
        _row(2026, "1", "C", "11111", 10, w=1.5), _row(2026, "2", "C", "11111", 4, w=3.0),
        _row(2026, "2", "C", "22222", 6, w=3.0), _row(2026, "3", "C", "22222", 20, w=2.0),
    ])
    got = build_panel(f).cells.set_index("profession_code").loc["11111", "headcount_var"]
    w = np.array([1.5, 3.0, 2.0])
    x = np.array([10.0, 10.0, 20.0])
    y = np.array([10.0, 4.0, 0.0])
    r = (w * y).sum() / (w * x).sum()
    expected = 3 / 2 * sum(wi * (wi - 1) * (yi - r * xi) ** 2 for wi, xi, yi in zip(w, x, y))
    expected *= small_sample_factor(2)
    assert got == pytest.approx(expected)


def test_headcount_var_covers_the_truth_in_repeated_random_samples():
    """Monte Carlo: a section of 40 employers of skewed sizes, a common profession and a rare
    one (six small holders); each "wave" answers a random 60 % of employers (weights from the
    control total). The truth must lie within ±1.28√v of the estimate in about 80 % of the
    samples: the linearised variance alone falls short (0.69–0.78 in trials), the
    small-sample factor widens most where few employers hold the profession."""
    rng = np.random.default_rng(8)
    n = 40
    size = np.round(rng.lognormal(3.0, 1.0, n)) + 1
    rare = np.zeros(n)
    holders = rng.choice(n, 6, replace=False)
    rare[holders] = rng.integers(1, 4, 6)
    common = size - rare
    rows = []
    for wave in range(1000, 1200):            # 200 independent samples, one a "wave"
        idx = np.flatnonzero(rng.random(n) < 0.6)
        w = size.sum() / size[idx].sum()
        rows += [_row(wave, str(i), "C", code, y, w=w)
                 for i in idx for code, y in (("R", rare[i]), ("K", common[i])) if y > 0]
    cells = build_panel(pd.DataFrame(rows)).cells
    cells = cells[cells["headcount_var"] > 0]
    truth = cells["profession_code"].map({"R": rare.sum(), "K": common.sum()})
    z = (cells["headcount"] - truth).abs() / np.sqrt(cells["headcount_var"])
    covered = (z < 1.2816).groupby(cells["profession_code"]).mean()
    linearised = ((z * np.sqrt(small_sample_factor(cells["respondents"]))) < 1.2816).groupby(
        cells["profession_code"]).mean()
    assert 0.74 <= covered["K"] <= 0.88
    assert covered["R"] >= 0.8                    # wider, never narrower, where evidence is thin
    assert (linearised < covered).all()


def test_small_sample_factor_falls_with_respondents():
    f = small_sample_factor(np.arange(0, 50))
    assert f[0] == 1.0                             # a cell nobody answered has no variance to scale
    assert (np.diff(f[1:]) < 0).all() and f[-1] > 1.0


def test_a_cell_nobody_reported_this_wave_keeps_the_doubt_of_its_earlier_level():
    f = pd.DataFrame([
        _row(2025, "1", "C", "11111", 10, w=2.0), _row(2025, "2", "C", "22222", 30, w=2.0),
        _row(2026, "2", "C", "22222", 30, w=4.0),        # employer 1 did not answer
        _row(2026, "2", "C", "55555", 3, w=4.0),          # a profession new in 2026
        _row(2026, "3", "D", "33333", 5, w=1.0),          # a section answered in full
        _row(2025, "3", "D", "33333", 5, w=1.0), _row(2025, "3", "D", "44444", 2, w=1.0),
    ])
    p = build_panel(f).cells.set_index(["survey_year", "profession_code"])
    gone = p.loc[(2026, "11111")]
    assert gone["headcount"] == 0 and gone["respondents"] == 0
    # E_last = 2·10 = 20; a quarter of section C's headcount answered in 2026 (w = 4)
    assert gone["headcount_var"] == pytest.approx((1 - 1 / 4) * 20.0 ** 2)
    # everyone in D answered: 44444 is truly gone, no doubt left
    assert p.loc[(2026, "44444"), "headcount_var"] == 0.0
    # a cell not seen before has nothing to doubt either
    assert p.loc[(2025, "55555"), "headcount"] == 0
    assert p.loc[(2025, "55555"), "headcount_var"] == 0.0
