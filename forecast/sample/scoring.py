"""Scoring a demand forecast against a simulated region's truth.

The acceptance measure of measure 12 on a region whose future is known: demand by
profession (profession × education) summed over the first five forecast years, as a
weighted MAPE Σ|F − A| / ΣA, for the model and for the two naive benchmarks computed from
the survey frame alone:

* stated needs at face value: Σ_h w·need_h over the survey year's rows;
* flat employment with 3 % replacement a year, plus today's vacancies: 0.03·n·w·headcount
  + w·vacancies.

Examples
--------
>>> import pandas as pd
>>> wmape(pd.Series([12.0, 8.0]), pd.Series([10.0, 10.0]))
0.2
"""

from __future__ import annotations

import pandas as pd

#: the key of a profession row (demand.csv level "profession")
PROFESSION_KEY = ["profession_code", "education"]
#: replacement rate of the flat benchmark
FLAT_REPLACEMENT_RATE = 0.03


def wmape(forecast: pd.Series, actual: pd.Series) -> float:
    """Weighted MAPE Σ|F − A| / ΣA over the union of both indexes (a missing value is 0)."""
    j = pd.concat({"f": forecast, "a": actual}, axis=1).fillna(0.0)
    return float((j["f"] - j["a"]).abs().sum() / j["a"].sum())


def naive_benchmarks(frame: pd.DataFrame, survey_year: int, n_years: int = 5
                     ) -> tuple[pd.Series, pd.Series]:
    """The two naive forecasts of demand over ``n_years`` by profession, from the survey frame.

    Returns ``(stated_needs, flat)``, each a Series indexed by :data:`PROFESSION_KEY`.
    """
    last = frame[frame["survey_year"] == survey_year]
    w = last["weight"]
    stated = sum(last[f"need_{h}"].fillna(0) * w for h in range(1, n_years + 1))
    flat = (FLAT_REPLACEMENT_RATE * n_years * last["headcount"] * w
            + last["vacancies"].fillna(0) * w)
    return (last.assign(x=stated).groupby(PROFESSION_KEY)["x"].sum(),
            last.assign(x=flat).groupby(PROFESSION_KEY)["x"].sum())


def demand_scores(demand: pd.DataFrame, frame: pd.DataFrame, truth_demand: pd.DataFrame,
                  survey_year: int, scenario: str = "base", n_years: int = 5) -> dict[str, float]:
    """wMAPE of the model's profession demand over T+1 … T+n_years and of both benchmarks.

    ``demand`` has the columns of demand.csv; ``truth_demand`` those of ``truth/demand.csv``.
    """
    years = range(survey_year + 1, survey_year + n_years + 1)
    actual = (truth_demand[truth_demand["year"].isin(years)]
              .groupby(PROFESSION_KEY)["demand"].sum())
    rows = demand[(demand["level"] == "profession") & (demand["scenario"] == scenario)
                  & demand["year"].isin(years)]
    model = rows.groupby(PROFESSION_KEY)["demand"].sum()
    needs, flat = naive_benchmarks(frame, survey_year, n_years)
    return {"wmape_model": wmape(model, actual), "wmape_needs": wmape(needs, actual),
            "wmape_flat": wmape(flat, actual)}


__all__ = ["wmape", "naive_benchmarks", "demand_scores", "PROFESSION_KEY"]
