"""Regions of varied structure for benchmarks, and the simulated truth of a scenario variant.

:func:`forecast.sample.generate_region` draws every region from the same catalogue (all
sections, a response rate of 62–85 % a wave). A method tuned on such regions can lean on
that sameness, so benchmarks reshape a generated region before it is written and read
(:func:`vary_structure`), never changing the generator itself:

* ``sections``: keep only some sections (their survey rows, control totals and truth);
* ``response``: keep each wave's respondents with this probability (an employer either
  answers a wave or not, so the survey's design variance and the weights change);
* ``thin_waves``: waves (years) whose respondents are further cut to a fifth;
* ``first_wave``: drop the waves before it (fewer waves of history).

The truth of the future (``truth_employment``, ``truth_demand``) is unchanged for the kept
sections: what the region will do does not depend on who answers the survey.

:func:`variant_effect` gives the simulated effect of a scenario variant on total employment:
the generator moves a section's log employment by elasticity_i × (GRP log-growth − 2 %) each
year, so under variant v instead of ``base`` the section's employment in year t is that of
``base`` times exp(elasticity_i · (log X_v[t] − log X_base[t])), X the scenario's GRP path.

Examples
--------
>>> from forecast.sample import generate_region
>>> r = generate_region(seed=5, n_employers=60, first_wave=2022, horizon=3)
>>> v = vary_structure(r, seed=1, sections=("C", "F", "G"), response=0.7)
>>> sorted(v.survey_rows["okved_section"].unique())
['C', 'F', 'G']
>>> len(v.survey_rows) < len(r.survey_rows)
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from forecast.sample import Region
from forecast.sample import catalogue as cat


def vary_structure(region: Region, seed: int, sections: tuple[str, ...] | None = None,
                   response: float = 1.0, thin_waves: tuple[int, ...] = (),
                   first_wave: int | None = None) -> Region:
    """A copy of ``region`` with fewer sections, respondents or waves (module docstring)."""
    rows = region.survey_rows
    controls = region.controls
    te, td = region.truth_employment, region.truth_demand
    if sections is not None:
        keep = set(sections)
        rows = rows[rows["okved_section"].isin(keep)]
        controls = controls[controls["okved_section"].isin(keep)]
        te = te[te["okved_section"].isin(keep)]
        td = td[td["okved_section"].isin(keep)]
    first = region.first_wave if first_wave is None else max(first_wave, region.first_wave)
    rows = rows[rows["survey_year"] >= first]
    controls = controls[controls["survey_year"] >= first]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 77]))
    pairs = rows[["survey_year", "inn"]].drop_duplicates().sort_values(["survey_year", "inn"])
    u = rng.random(len(pairs))
    p = np.where(pairs["survey_year"].isin(thin_waves).to_numpy(), response * 0.2, response)
    # every section keeps at least two respondents a wave (the weights need one)
    kept = pairs[u < p]
    sec = rows.drop_duplicates(["survey_year", "inn"]).set_index(["survey_year", "inn"])
    sec = sec["okved_section"]
    kept_idx = set(map(tuple, kept.to_numpy()))
    for (year, section), grp in sec.reset_index().groupby(["survey_year", "okved_section"]):
        have = [t for t in map(tuple, grp[["survey_year", "inn"]].to_numpy()) if t in kept_idx]
        if len(have) < 2:
            kept_idx |= set(map(tuple, grp[["survey_year", "inn"]].to_numpy()[:2]))
    key = list(zip(rows["survey_year"], rows["inn"]))
    rows = rows[[k in kept_idx for k in key]]
    return dataclasses.replace(region, survey_rows=rows.reset_index(drop=True),
                               controls=controls.reset_index(drop=True),
                               truth_employment=te.reset_index(drop=True),
                               truth_demand=td.reset_index(drop=True), first_wave=first)


def variant_effect(region: Region, variant: str, year: int) -> float:
    """Simulated change of total employment in ``year`` under ``variant`` instead of
    ``base`` (persons; module docstring), over the region's (kept) sections."""
    sc = region.scenario
    grp = sc[sc["indicator"] == "grp"]

    def log_x(v):
        s = grp[grp["variant"] == v].set_index("year")["value"]
        return float(np.log(s.loc[year]))

    gap = log_x(variant) - log_x("base")
    el = {s.code: s.elasticity for s in cat.SECTIONS}
    te = region.truth_employment
    sec = te[te["year"] == year].groupby("okved_section")["employment"].sum()
    factor = np.exp(pd.Series({s: el[s] for s in sec.index}) * gap)
    return float((sec * (factor - 1.0)).sum())


__all__ = ["vary_structure", "variant_effect"]
