"""Synthetic regions with known truth: the bundled sample, test data, benchmark regions.

Modules: :mod:`~forecast.sample.region` (one region: :func:`generate_region`,
:func:`write_region`), :mod:`~forecast.sample.simulate` (the population and its answers),
:mod:`~forecast.sample.forms` (survey files with realistic mistakes),
:mod:`~forecast.sample.catalogue` and :mod:`~forecast.sample.education` (professions,
programmes, colleges), :mod:`~forecast.sample.structure` (regions of varied structure),
:mod:`~forecast.sample.country` (a national sample), :mod:`~forecast.sample.scoring`
(accuracy against the truth).
"""

from __future__ import annotations

from forecast.sample.region import (
    DEFAULT_SEED,
    SURVEY_ROW_COLUMNS,
    Region,
    folder_digest,
    generate_region,
    write_region,
)

__all__ = ["Region", "generate_region", "write_region", "folder_digest", "DEFAULT_SEED",
           "SURVEY_ROW_COLUMNS"]
