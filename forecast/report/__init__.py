"""Output of a run: the workbook, the CSV tables, the JSON files and the plots.

:func:`render` turns a run into ``{relative path: bytes}`` (nothing touches the disk);
:func:`write_outputs` writes those files atomically (each to a temporary name in its folder,
then ``os.replace``). Modules: :mod:`~forecast.report.files` (atomic, deterministic writing),
:mod:`~forecast.report.labels` (ru/en names), :mod:`~forecast.report.tables` (sheet tables),
:mod:`~forecast.report.sheets` (openpyxl formatting), :mod:`~forecast.report.workbook`,
:mod:`~forecast.report.plots`, :mod:`~forecast.report.methodology`.
"""

from __future__ import annotations

from forecast.report.render import plot_images, render, write_outputs

__all__ = ["render", "write_outputs", "plot_images"]
