"""Survey panel (methodology.md §1): weighted cells per wave, the history of every cell.

A *cell* is (okved_section, profession_code, education); a *wave* is one survey_year. For
each wave and cell the panel holds the weighted sums of the survey frame
(``SurveyData.frame``, one row per employer × profession × education):

* ``headcount`` E = Σ w·headcount, ``vacancies`` V = Σ w·vacancies,
  ``need_1`` … ``need_10`` N_h = Σ w·need_h (an empty need is 0, as in the form);
* ``age_55plus`` O = Σ w·age_55plus over the rows that report it, and
  ``headcount_age_reported`` = Σ w·headcount over the same rows, so that the exit rate of
  §3 uses O/E on exactly the rows that report age (NaN-free: 0 where no row reports);
* ``respondents``: number of distinct employers (inn) reporting the cell;
* ``headcount_matched`` / ``headcount_matched_prev``: for the employers that answered both
  this wave and the previous year's (matched by inn), Σ w·headcount of the cell now and
  Σ w·headcount of the cell a year earlier, both with this wave's weight w. Their difference
  is the change of the cell within the same employers — far less noisy than the difference
  of two waves' estimates, whose respondents differ — and is what the demand stage uses to
  measure realised demand (:mod:`forecast.demand.bottomup`). 0 in the first wave.
* ``headcount_var``: the estimated sampling variance of ``headcount`` (the wave's estimate
  of the population's headcount in the cell). Within a section the post-stratified
  estimate is the ratio estimator Ê = C·Σy/Σx (y an employer's headcount in the cell, x its
  headcount in the section, C the control total); linearised, for respondents drawn at
  random from the section's employers, Var ≈ w²·(1 − f)·n/(n − 1)·Σ_i (y_i − R̂·x_i)² over
  the section's n respondents (those without the profession included, y = 0), with
  R̂ = Σy/Σx, w = C/Σx the section's weight and the sampling fraction f taken as the
  headcount coverage 1/w (the frame's employer count is unknown; weights varying within a
  section enter per respondent as w_i(w_i − 1), see ``_design_variance``), times a
  small-sample factor that grows as fewer respondents hold the cell
  (:func:`small_sample_factor`: the linearised formula alone understates it). Without control
  totals (w = 1) the respondents are taken as the population and the variance is 0. Sections are
  sampled independently, so a profession's variance is the sum of its cells'. The demand
  stage widens employment intervals by the survey year's sampling variance
  (:mod:`forecast.demand.engine`).

Choices where the methodology is silent:

* **Cells appearing or vanishing.** A cell absent from a wave is 0 in that wave when its
  section was surveyed that wave (some respondent of the section answered), because the
  survey of a section lists all its professions; it is *missing* (no row) when nobody in the
  section answered that wave. Zero rows have ``respondents`` = 0. Such a 0 is only what the
  respondents hold: where an earlier wave saw the cell, its ``headcount_var`` is
  (1 − f)·E_last² (E_last the latest estimate from a wave where someone reported the cell,
  f the share of the section's headcount that answered), since its holders may be among
  the employers who did not answer — a profession absent from wave T is forecast at 0 with
  an interval reaching back towards its earlier level, not a certain-looking [0, 0].
* **Professions renamed between waves.** The code is the identity; the name shown is the one
  of the latest wave the code appears in (the most frequent name there, ties broken by text
  order), for every wave.
* **Employers entering or leaving.** Nothing is matched by employer: each wave is its own
  weighted estimate of the population (post-stratification weights of survey-format.md
  gross respondents up to section totals), so entries and exits of respondents are handled
  by the weights rather than by chaining employers.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "survey_year": [2025, 2025, 2026], "inn": ["1", "2", "1"],
...     "okved_section": ["C", "C", "C"], "profession_code": ["11111"] * 3,
...     "profession": ["Welder", "Welder", "Welder (gas)"], "education": ["СПО-КРС"] * 3,
...     "headcount": [10, 5, 12], "vacancies": [1, 0, 2], "age_55plus": [2.0, None, 3.0],
...     "need_1": [2, 1, 3], "weight": [2.0, 2.0, 1.0]})
>>> p = build_panel(frame)
>>> p.cells[["survey_year", "profession", "headcount", "age_55plus",
...          "headcount_age_reported", "respondents"]].values.tolist()
[[2025, 'Welder (gas)', 30.0, 4.0, 20.0, 2], [2026, 'Welder (gas)', 12.0, 3.0, 12.0, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.columns import NEED_COLUMNS
from forecast.errors import InputError

#: key of a cell (i, p, l)
CELL_KEYS: tuple[str, ...] = ("okved_section", "profession_code", "education")

#: columns of :attr:`Panel.cells`
PANEL_COLUMNS: tuple[str, ...] = (
    "survey_year", "okved_section", "profession_code", "profession", "education",
    "headcount", "vacancies", "age_55plus", "headcount_age_reported", *NEED_COLUMNS,
    "respondents", "headcount_matched", "headcount_matched_prev", "headcount_var",
)

_VALUE_COLUMNS = ("headcount", "vacancies", "age_55plus", "headcount_age_reported",
                  *NEED_COLUMNS)


@dataclass
class Panel:
    """Weighted survey cells by wave.

    Attributes
    ----------
    cells : DataFrame
        :data:`PANEL_COLUMNS`, sorted by survey_year and the cell key; zero rows for cells
        absent from a surveyed section (see module docstring).
    sections : DataFrame
        survey_year, okved_section, headcount, respondents, headcount_answered: the
        sections surveyed each wave; ``headcount_answered`` is the respondents' unweighted
        headcount, so ``headcount_answered / headcount`` is the sampling fraction (1/w).
    professions : dict
        profession_code → name (latest wave).
    """

    cells: pd.DataFrame
    sections: pd.DataFrame
    professions: dict[str, str] = field(default_factory=dict)

    @property
    def waves(self) -> list[int]:
        """Survey years present, ascending."""
        return sorted(int(y) for y in self.sections["survey_year"].unique())

    @property
    def survey_year(self) -> int:
        """T: the latest wave."""
        return self.waves[-1]

    def upto(self, year: int) -> "Panel":
        """The panel as it was known at wave ``year`` (waves ≤ year), for backtests."""
        cells = self.cells[self.cells["survey_year"] <= year].reset_index(drop=True)
        sections = self.sections[self.sections["survey_year"] <= year].reset_index(drop=True)
        return Panel(cells=cells, sections=sections, professions=self.professions)


def _clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    required = ["survey_year", *CELL_KEYS, "headcount"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"survey frame: missing column(s) {', '.join(missing)}")
    n = len(frame)
    df = pd.DataFrame({
        "survey_year": pd.to_numeric(frame["survey_year"], errors="raise").astype("int64"),
        **{k: frame[k].astype(str).str.strip() for k in CELL_KEYS},
    })
    df["inn"] = frame["inn"].astype(str) if "inn" in frame.columns else pd.Series(
        np.arange(n).astype(str), index=frame.index)
    df["profession"] = (frame["profession"].astype(str).str.strip()
                        if "profession" in frame.columns else "")
    w = (pd.to_numeric(frame["weight"], errors="coerce").fillna(1.0).to_numpy(float)
         if "weight" in frame.columns else np.ones(n))
    head = pd.to_numeric(frame["headcount"], errors="coerce").fillna(0.0).to_numpy(float)
    df["headcount"] = w * head
    df["w"] = w
    df["head_raw"] = head
    df["vacancies"] = w * (pd.to_numeric(frame["vacancies"], errors="coerce").fillna(0.0)
                           .to_numpy(float) if "vacancies" in frame.columns else 0.0)
    age = (pd.to_numeric(frame["age_55plus"], errors="coerce").to_numpy(float)
           if "age_55plus" in frame.columns else np.full(n, np.nan))
    reported = ~np.isnan(age)
    df["age_55plus"] = np.where(reported, w * np.nan_to_num(age), 0.0)
    df["headcount_age_reported"] = np.where(reported, w * head, 0.0)
    for col in NEED_COLUMNS:
        vals = (pd.to_numeric(frame[col], errors="coerce").fillna(0.0).to_numpy(float)
                if col in frame.columns else np.zeros(n))
        df[col] = w * vals
    return df


def _latest_names(df: pd.DataFrame) -> dict[str, str]:
    """profession_code → most frequent name in the latest wave the code appears in."""
    if df.empty:
        return {}
    last = df.groupby("profession_code")["survey_year"].transform("max")
    sub = df.loc[df["survey_year"] == last, ["profession_code", "profession"]]
    counts = sub.value_counts().reset_index(name="n")
    counts = counts.sort_values(["profession_code", "n", "profession"],
                                ascending=[True, False, True], kind="mergesort")
    first = counts.drop_duplicates("profession_code")
    return dict(zip(first["profession_code"], first["profession"]))


def _matched(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """headcount_matched / headcount_matched_prev per (wave, cell), see module docstring."""
    emp = df.groupby(["survey_year", "inn"], sort=True)["w"].first()
    answered_before = pd.MultiIndex.from_arrays([emp.index.get_level_values(0) + 1,
                                                 emp.index.get_level_values(1)])
    now = pd.MultiIndex.from_arrays([df["survey_year"], df["inn"]])
    cur = df.loc[now.isin(answered_before)].groupby(keys)["headcount"].sum()
    nxt = pd.MultiIndex.from_arrays([df["survey_year"] + 1, df["inn"]])
    w_next = emp.reindex(nxt).to_numpy(float)
    ok = ~np.isnan(w_next)
    prev = pd.DataFrame({"survey_year": df["survey_year"].to_numpy() + 1,
                         **{k: df[k].to_numpy() for k in CELL_KEYS},
                         "v": w_next * df["head_raw"].to_numpy(float)})[ok]
    prev = prev.groupby(keys)["v"].sum()
    out = pd.concat({"headcount_matched": cur, "headcount_matched_prev": prev}, axis=1)
    return out.reset_index()


#: small-sample correction of the linearised variance (:func:`small_sample_factor`)
VAR_FACTOR_LARGE = 1.2
VAR_FACTOR_SMALL = 7.0


def small_sample_factor(respondents: np.ndarray) -> np.ndarray:
    """Factor on the linearised variance of a cell answered by ``respondents`` employers:
    VAR_FACTOR_LARGE + VAR_FACTOR_SMALL / n^1.5 (n ≥ 1; 1 when nobody answered).

    The linearised variance of a ratio estimator is known to understate the sampling error
    in small samples of skewed data, and most when few respondents hold the profession: the
    estimate and its variance estimate then err together (the holders that did not answer
    are missing from both). Measured on the 20 generated tuning regions (seeds 101–112,
    301–308; none of the reporting regions), the survey year's cell estimates against the
    population's truth: the squared scale needed for 80 % of |estimate − truth| / √v to fall
    within 1.28 was 8.2 for cells answered by one employer, 5.2 by two, 1.9 by 3–4, 1.5 by
    5–8, 1.4 by 9–16 and 1.3 by more (every region 0.9–4.9); with this factor 1.0, 1.4,
    0.9, 0.9, 1.0, 1.0. The tails stay heavier than normal where one or two employers
    answered (95 % needs more), which the demand stage's backtest calibration sees.

    >>> small_sample_factor(np.array([0, 1, 4, 100])).round(2).tolist()
    [1.0, 8.2, 2.08, 1.21]
    """
    n = np.asarray(respondents, dtype=float)
    return np.where(n > 0, VAR_FACTOR_LARGE + VAR_FACTOR_SMALL / np.maximum(n, 1.0) ** 1.5, 1.0)


def _absent_cell_variance(cells: pd.DataFrame, sections: pd.DataFrame) -> np.ndarray:
    """Sampling variance of the zero rows of cells that earlier waves saw: (1 − f)·E_last²,
    E_last the cell's latest estimate from a wave where some respondent reported it, f the
    share of the section's headcount that answered (module docstring); 0 elsewhere.
    ``cells`` sorted by cell and wave."""
    seen = cells["headcount"].where(cells["respondents"] > 0)
    last = seen.groupby([cells[k] for k in CELL_KEYS], sort=False).ffill()
    f = cells[["survey_year", "okved_section"]].merge(
        sections, on=["survey_year", "okved_section"], how="left")
    share = np.divide(f["headcount_answered"].to_numpy(float), f["headcount"].to_numpy(float),
                      out=np.ones(len(f)), where=f["headcount"].to_numpy(float) > 0)
    absent = (cells["respondents"] == 0).to_numpy() & last.notna().to_numpy()
    v = (1.0 - np.clip(share, 0.0, 1.0)) * np.nan_to_num(last.to_numpy(float)) ** 2
    return np.where(absent, v, 0.0)


def _design_variance(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """headcount_var per (wave, cell): linearised variance of the ratio estimator.

    Per respondent i of the section: weight w_i, headcount x_i in the section, y_i in the
    cell; d_i = y_i − R̂·x_i with R̂ = Σw·y / Σw·x; Var = n/(n − 1)·Σ_i w_i(w_i − 1)·d_i²
    (w_i² times the finite-population correction 1 − 1/w_i), which is the module
    docstring's formula when the weight is the section's, and still sensible when weights
    vary within a section.
    """
    sec_keys = ["survey_year", "okved_section"]
    ey = df.groupby([*keys, "inn"], sort=False)["head_raw"].sum().rename("y").reset_index()
    ex = df.groupby([*sec_keys, "inn"], sort=False).agg(x=("head_raw", "sum"),
                                                        w=("w", "mean")).reset_index()
    ex["c"] = np.maximum(ex["w"] * (ex["w"] - 1.0), 0.0)
    ex["wx"] = ex["w"] * ex["x"]
    ex["cxx"] = ex["c"] * ex["x"] ** 2
    sec = ex.groupby(sec_keys, sort=False).agg(WX=("wx", "sum"), CXX=("cxx", "sum"),
                                               n=("inn", "size"))
    ey = ey.merge(ex[[*sec_keys, "inn", "x", "w", "c"]], on=[*sec_keys, "inn"])
    ey["wy"] = ey["w"] * ey["y"]
    ey["cyy"] = ey["c"] * ey["y"] ** 2
    ey["cyx"] = ey["c"] * ey["y"] * ey["x"]
    g = ey.groupby(keys, sort=False)[["wy", "cyy", "cyx"]].sum().reset_index()
    g = g.merge(sec.reset_index(), on=sec_keys)
    r = np.divide(g["wy"], g["WX"], out=np.zeros(len(g)), where=g["WX"].to_numpy() > 0)
    ss = np.maximum(g["cyy"] - 2 * r * g["cyx"] + r ** 2 * g["CXX"], 0.0)
    n = g["n"].to_numpy(float)
    g["headcount_var"] = n / np.maximum(n - 1.0, 1.0) * ss
    return g[[*keys, "headcount_var"]]


def build_panel(frame: pd.DataFrame) -> Panel:
    """Weighted cells per wave from the accepted survey rows (methodology.md §1).

    Parameters
    ----------
    frame : DataFrame
        ``SurveyData.frame`` (forecast.columns.SURVEY_FRAME_COLUMNS); at least survey_year,
        okved_section, profession_code, education, headcount. Missing optional columns are
        taken as 0 (vacancies, needs), not reported (age_55plus) or 1 (weight).

    Returns
    -------
    Panel
    """
    df = _clean_frame(frame)
    professions = _latest_names(df)
    keys = ["survey_year", *CELL_KEYS]
    if df.empty:
        cells = pd.DataFrame({c: pd.Series(dtype=float) for c in PANEL_COLUMNS})
        sections = pd.DataFrame({"survey_year": pd.Series(dtype="int64"),
                                 "okved_section": pd.Series(dtype=str),
                                 "headcount": pd.Series(dtype=float),
                                 "respondents": pd.Series(dtype="int64"),
                                 "headcount_answered": pd.Series(dtype=float)})
        return Panel(cells=cells, sections=sections, professions=professions)
    g = df.groupby(keys, sort=True)
    sums = g[list(_VALUE_COLUMNS)].sum()
    sums["respondents"] = g["inn"].nunique()
    sums = sums.reset_index()

    matched = _matched(df, keys)
    sums = sums.merge(matched, on=keys, how="outer")
    sums = sums.merge(_design_variance(df, keys), on=keys, how="left")

    # sections surveyed per wave, and the complete grid of (wave, cell) within them
    sg = df.groupby(["survey_year", "okved_section"], sort=True)
    sections = sg["headcount"].sum().to_frame()
    sections["respondents"] = sg["inn"].nunique()
    sections["headcount_answered"] = sg["head_raw"].sum().to_numpy()
    sections = sections.reset_index()
    cell_ids = sums.loc[sums["respondents"].notna(), list(CELL_KEYS)].drop_duplicates()
    grid = sections[["survey_year", "okved_section"]].merge(cell_ids, on="okved_section")
    cells = grid.merge(sums, on=keys, how="left")
    filled = [*_VALUE_COLUMNS, "headcount_matched", "headcount_matched_prev", "headcount_var"]
    cells[filled] = cells[filled].fillna(0.0)
    cells["respondents"] = cells["respondents"].fillna(0).astype("int64")
    cells["profession"] = cells["profession_code"].map(professions).fillna("")
    cells["headcount_var"] *= small_sample_factor(cells["respondents"].to_numpy())
    cells = cells.sort_values(keys, kind="mergesort").reset_index(drop=True)
    cells["headcount_var"] += _absent_cell_variance(cells, sections)
    return Panel(cells=cells[list(PANEL_COLUMNS)], sections=sections,
                 professions=professions)


__all__ = ["Panel", "build_panel", "small_sample_factor", "CELL_KEYS", "PANEL_COLUMNS",
           "VAR_FACTOR_LARGE", "VAR_FACTOR_SMALL"]
