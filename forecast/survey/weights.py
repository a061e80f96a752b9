"""Post-stratification weights from control totals (survey-format.md, "Control totals").

``w = employment_section / Σ headcount of respondents in that section`` per
(survey_year, okved_section); coverage = 1 / w. Without controls every weight is 1.

Choices where the contract is silent: respondents in a (survey_year, section) the controls
do not cover get one W_NO_CONTROL warning and the weight of the same section in the nearest
survey year that has a control total (the earlier one on a tie) — one missing row must not
make the section's employment drop to its respondents' headcount for a year, which the
forecast would read as a real fall — or weight 1 where no year of the section has one (a
section outside the controls); a section with control
employment but no respondent headcount shows coverage 0 and weight NaN in the coverage
table (it has no rows to weight).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecast.classifiers import OKVED_SECTIONS
from forecast.columns import CONTROLS_COLUMNS
from forecast.errors import ConfigError, InputError, cell_error
from forecast.survey.schema import Detail, messages
from forecast.tabular import decimal_numbers, read_text_table

COVERAGE_COLUMNS = ("survey_year", "okved_section", "respondents_headcount", "employment", "weight", "coverage")


def load_controls(controls: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Read and check control totals; InputError names the row and value at fault."""
    if isinstance(controls, pd.DataFrame):
        df, name, label = controls.copy(), "controls", "controls"
    else:
        path = Path(controls)
        if not path.is_file():
            raise ConfigError(f"control totals file not found: {path}")
        name, label = str(path), path.name
        try:
            df = read_text_table(path)
        except Exception as exc:
            raise InputError(f"{name}: cannot read the control totals: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in CONTROLS_COLUMNS if c not in df.columns]
    if missing:
        raise cell_error(label, None, None, f"lacks column(s) {', '.join(missing)}; "
                         f"expected {','.join(CONTROLS_COLUMNS)}")
    df = df[list(CONTROLS_COLUMNS)].astype(str)
    year = pd.to_numeric(df["survey_year"].str.strip(), errors="coerce")
    emp = decimal_numbers(df["employment"])
    sec = df["okved_section"].str.strip().str.upper()
    for i in range(len(df)):
        if np.isnan(year.iat[i]) or not float(year.iat[i]).is_integer():
            raise cell_error(label, i + 2, "survey_year", f"{df['survey_year'].iat[i]!r} is not a year")
        if sec.iat[i] not in OKVED_SECTIONS:
            raise cell_error(label, i + 2, "okved_section",
                             f"{df['okved_section'].iat[i]!r} is not an ОКВЭД2 section A–U")
        if np.isnan(emp.iat[i]) or emp.iat[i] < 0:
            raise cell_error(label, i + 2, "employment", f"{df['employment'].iat[i]!r} is not a number ≥ 0")
    out = pd.DataFrame({"survey_year": year.astype("int64"), "okved_section": sec, "employment": emp.astype(float)})
    dup = out.duplicated(["survey_year", "okved_section"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise cell_error(label, i + 2, "okved_section", f"{out['okved_section'].iat[i]!r}: a second row "
                         f"for survey year {out['survey_year'].iat[i]}")
    return out


def _borrowed_weights(cov: pd.DataFrame, no_ctl: pd.Series) -> pd.DataFrame:
    """For the rows of ``cov`` without a control total, the weight of the same section in the
    nearest year that has one (earlier on a tie): columns weight, other (that year)."""
    have = cov[cov["employment"].notna() & np.isfinite(cov["weight"]) & ~no_ctl]
    rows = []
    for i, r in cov[no_ctl].iterrows():
        same = have[have["okved_section"] == r["okved_section"]]
        if not len(same):
            continue
        dist = (same["survey_year"] - r["survey_year"]).abs()
        best = same.assign(d=dist).sort_values(["d", "survey_year"], kind="mergesort").iloc[0]
        rows.append({"i": i, "weight": float(best["weight"]), "other": int(best["survey_year"])})
    return (pd.DataFrame(rows).set_index("i") if rows
            else pd.DataFrame({"weight": pd.Series(dtype=float), "other": pd.Series(dtype="int64")}))


def apply_weights(frame: pd.DataFrame, controls: pd.DataFrame | None, source: str = "controls"
                  ) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Weights on ``frame`` (accepted rows) and the coverage table."""
    resp = (frame.groupby(["survey_year", "okved_section"])["headcount"].sum()
            .rename("respondents_headcount").reset_index())
    resp["survey_year"] = resp["survey_year"].astype("int64")
    issues: list[dict] = []
    if controls is None:
        cov = resp.assign(employment=np.nan, weight=1.0, coverage=np.nan)
        frame = frame.assign(weight=1.0)
        return frame, cov[list(COVERAGE_COLUMNS)].reset_index(drop=True), issues
    years = set(resp["survey_year"])
    ctl = controls[controls["survey_year"].isin(years)]
    cov = resp.merge(ctl, on=["survey_year", "okved_section"], how="outer")
    cov["respondents_headcount"] = cov["respondents_headcount"].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = cov["employment"] / cov["respondents_headcount"]
    w = w.where(cov["respondents_headcount"] > 0)
    no_ctl = cov["employment"].isna() & (cov["respondents_headcount"] > 0)
    cov["weight"] = w.where(~no_ctl, 1.0)
    borrowed = _borrowed_weights(cov, no_ctl)
    cov.loc[borrowed.index, "weight"] = borrowed["weight"]
    cov["coverage"] = np.where(cov["employment"] > 0,
                               cov["respondents_headcount"] / cov["employment"].where(cov["employment"] > 0),
                               np.nan)
    for i, r in cov[no_ctl].iterrows():
        year, section = int(r["survey_year"]), r["okved_section"]
        detail = (Detail.of("no_control_borrowed", year=year, section=section,
                            other=int(borrowed.at[i, "other"]), weight=float(borrowed.at[i, "weight"]))
                  if i in borrowed.index else Detail.of("no_control", year=year, section=section))
        issues.append({"_file_idx": -1, "file": source, "sheet": None, "row": None, "column": "okved_section",
                       "value": section, "code": "W_NO_CONTROL", **messages("W_NO_CONTROL", detail)})
    cov = cov.sort_values(["survey_year", "okved_section"]).reset_index(drop=True)
    wmap = cov.set_index(["survey_year", "okved_section"])["weight"]
    idx = pd.MultiIndex.from_arrays([frame["survey_year"].astype("int64"), frame["okved_section"]])
    frame = frame.assign(weight=wmap.reindex(idx).to_numpy(dtype=float))
    return frame, cov[list(COVERAGE_COLUMNS)], issues
