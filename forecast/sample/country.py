"""A deterministic synthetic country for ``kadry national``: regions with known truth.

:func:`generate_country` simulates :data:`REGIONS` (six regions by default) with
:func:`forecast.sample.generate_region`: different sizes (employers in the frame), survey
histories (first wave, the output layout), structures (sections some regions lack, a region
without control totals) and one region broken on purpose (its "survey" files are a summary
report exported instead of the forms, so no row is accepted and its run fails: the national
run must finish the others and report it). :func:`write_country` writes::

    national.toml                  # [national] regions = ["regions/*/kadry.toml"]
    regions/<code>/                # each a region folder of write_region, with [region]
    truth/demand.csv               # the national truth: the sum of the working regions' truth
    truth/README.md

Everything is a function of ``seed`` and ``scale``; no dependence on time or the machine.

Examples
--------
>>> c = generate_country(scale=0.2)
>>> [r.code for r in c.regions]
['11', '24', '38', '52', '66', '79']
>>> [r.code for r in c.regions if r.broken]
['79']
>>> sorted({int(r.region.last_wave) for r in c.regions})
[2025]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from forecast.sample import generate_region, write_region

#: the country's survey year T
COUNTRY_T = 2025


@dataclass(frozen=True)
class RegionSpec:
    """How one region of the sample country is made.

    ``employers`` is the frame's size at ``scale = 1``; ``drop_sections`` are ОКВЭД2
    sections the region has no employers in; ``controls``: write control totals;
    ``layout``: ``csv`` (one plain file per wave) or ``mixed`` (workbooks and CSV files of
    many styles, with mistakes); ``broken``: the survey files are not forms.
    """

    code: str
    name: str
    seed: int
    employers: int
    first_wave: int
    drop_sections: tuple[str, ...] = ()
    controls: bool = True
    layout: str = "csv"
    broken: bool = False


#: the regions of the sample country (fictional codes and names)
REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("11", "Северная область", 1101, 300, 2017),
    RegionSpec("24", "Приречный край", 2402, 160, 2020, drop_sections=("B",)),
    RegionSpec("38", "Озёрная область", 3803, 90, 2022, controls=False),
    RegionSpec("52", "Горная республика", 5204, 120, 2019, drop_sections=("C", "J"), layout="mixed"),
    RegionSpec("66", "Степной край", 6605, 60, 2023),
    RegionSpec("79", "Островная область", 7906, 60, 2021, broken=True),
)


@dataclass
class CountryRegion:
    """A generated region of the country: its spec and :class:`~forecast.sample.Region`."""

    code: str
    name: str
    region: object
    spec: RegionSpec

    @property
    def broken(self) -> bool:
        return self.spec.broken


@dataclass
class Country:
    """The generated country: its regions, name and horizon."""

    name: str
    regions: list[CountryRegion]
    horizon: int
    seed: int


def _drop(region, sections: tuple[str, ...]):
    """The region without employers in ``sections`` (rows, controls and truth alike)."""
    if not sections:
        return region

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        return df.loc[~df["okved_section"].isin(sections)].reset_index(drop=True)

    return replace(region, survey_rows=keep(region.survey_rows), controls=keep(region.controls),
                   truth_employment=keep(region.truth_employment), truth_demand=keep(region.truth_demand))


def generate_country(seed: int = 0, scale: float = 1.0, horizon: int = 6,
                     specs: tuple[RegionSpec, ...] = REGIONS) -> Country:
    """Simulate the country's regions (deterministic in ``seed`` and ``scale``).

    Parameters
    ----------
    seed : int
        Added to each region's own seed (0: the bundled country).
    scale : float
        Multiplies every region's number of employers (at least 20 each).
    horizon : int
        Forecast horizon H of every region (≥ 5: the longest programme takes 4 years).
    specs : tuple of RegionSpec
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    regions = []
    for spec in specs:
        r = generate_region(seed=spec.seed + seed, n_employers=max(20, round(spec.employers * scale)),
                            first_wave=spec.first_wave, last_wave=COUNTRY_T, horizon=horizon,
                            mistakes=spec.layout == "mixed")
        regions.append(CountryRegion(spec.code, spec.name, _drop(r, spec.drop_sections), spec))
    return Country(name="Условная Федерация", regions=regions, horizon=horizon, seed=seed)


_BROKEN_FORM = ("Сводный отчёт,Итого,Примечание\n"
                "Численность работников,12345,выгрузка из отчётности вместо анкет\n")


def write_country(country: Country, out_dir: str | Path) -> Path:
    """Write the country folder (see the module docstring); returns ``national.toml``."""
    out = Path(out_dir)
    for cr in country.regions:
        folder = write_region(cr.region, out / "regions" / cr.code, layout=cr.spec.layout)
        toml = folder / "kadry.toml"
        text = toml.read_text(encoding="utf-8")
        if not cr.spec.controls:
            (folder / "controls.csv").unlink()
            text = text.replace('controls = "controls.csv"\n', "")
        text += f'\n[region]\ncode = "{cr.code}"\nname = "{cr.name}"\n'
        toml.write_text(text, encoding="utf-8")
        if cr.broken:
            surveys = folder / "surveys"
            for f in sorted(p for p in surveys.rglob("*") if p.is_file()):
                f.unlink()
            for year in range(cr.spec.first_wave, COUNTRY_T + 1):
                (surveys / str(year)).mkdir(parents=True, exist_ok=True)
                (surveys / str(year) / f"svod_{year}.csv").write_text(_BROKEN_FORM, encoding="utf-8")
    truth = [cr.region.truth_demand.assign(region_code=cr.code) for cr in country.regions if not cr.broken]
    t = pd.concat(truth, ignore_index=True)
    keys = ["year", "okved_section", "profession_code", "education"]
    t = t.groupby(keys, as_index=False, sort=True)[["expansion", "replacement", "vacancies", "demand"]].sum()
    (out / "truth").mkdir(parents=True, exist_ok=True)
    t.to_csv(out / "truth" / "demand.csv", index=False, encoding="utf-8", lineterminator="\n")
    ok = ", ".join(cr.code for cr in country.regions if not cr.broken)
    (out / "truth" / "README.md").write_text(
        f"# The national truth of the sample country (seed {country.seed})\n\n"
        f"`demand.csv`: the sum over the working regions ({ok}) of their `truth/demand.csv` "
        "(per cell and year T+1 … T+H). The national sum of a cell's demand is the sum of the "
        "regions' demand (each already max(0, expansion + replacement) + vacancies per "
        "region), as `kadry national` sums the regions' rows.\n", encoding="utf-8")
    national = out / "national.toml"
    national.write_text(
        f"# kadry national run of the synthetic sample country (seed {country.seed})\n"
        f"[national]\nname = \"{country.name}\"\nregions = [\"regions/*/kadry.toml\"]\n\n"
        "[dask]\nscheduler = \"\"\n\n"
        "[output]\ndir = \"out/national\"\nlanguage = \"ru\"\n", encoding="utf-8")
    return national


__all__ = ["RegionSpec", "REGIONS", "COUNTRY_T", "Country", "CountryRegion", "generate_country", "write_country"]
