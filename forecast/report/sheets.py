"""openpyxl helpers: typed cells (survey text always text), formatted tables, page setup.

A table is written from a frame and a list of :class:`Col` (key, header, format). Text
cells are forced to the string type, so a value such as ``=HYPERLINK(...)``, ``+7 495`` or
``@home`` from a survey is shown as typed and never evaluated. Tables get a bold, wrapped,
frozen header row, an auto-filter, number formats, widths from their content, and optionally
a totals row of ``SUBTOTAL(109, …)`` formulas, which sum the rows left visible by the filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMATS = {
    "text": "@",
    "int": "#,##0",
    "num": "#,##0.0",
    "num2": "#,##0.00",
    "ratio": "0.000",
    "pct": "0.0%",
    "year": "0",
    "code": "@",
}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="A6A6A6")


@dataclass(frozen=True)
class Col:
    """A column of a table: frame ``key``, ``header`` text, ``fmt`` (a key of FORMATS),
    ``total`` (sum it in the totals row), ``width`` (None: from content)."""

    key: str
    header: str
    fmt: str = "text"
    total: bool = False
    width: float | None = None


def set_text(cell, value) -> None:
    """Write ``value`` as a string cell, whatever it starts with."""
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"


def set_value(cell, value, fmt: str = "text") -> None:
    """Write a typed value: text formats as strings, numbers as numbers, NaN as empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        cell.value = None
        return
    if fmt in ("text", "code"):
        set_text(cell, value)
        return
    try:
        v = float(value)
    except (TypeError, ValueError):
        set_text(cell, value)
        return
    if not math.isfinite(v):
        cell.value = None
        return
    cell.value = int(v) if fmt in ("int", "year") and v.is_integer() else v
    cell.number_format = FORMATS.get(fmt, "General")


def write_table(ws: Worksheet, frame: pd.DataFrame, cols: list[Col], *, start_row: int = 1,
                total_label: str | None = None, filter_values: dict[str, list[str]] | None = None,
                freeze: bool = True, autofilter: bool = True) -> tuple[int, int]:
    """Write ``frame`` at ``start_row``; returns (first data row, last data row).

    ``filter_values`` pre-applies the auto-filter: {column key: values to show}; rows with
    other values are hidden (as Excel and LibreOffice do when the filter is applied).
    ``total_label`` adds a totals row below the data with SUBTOTAL(109, …) of ``total`` columns.
    """
    hr = start_row
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=hr, column=j)
        set_text(cell, c.header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = Border(bottom=THIN)
    first = hr + 1
    n = len(frame)
    last = hr + n
    keys = [c.key for c in cols]
    data = frame.reindex(columns=keys)
    columns = [data[k].tolist() for k in keys]
    hide = None
    if filter_values:
        hide = pd.Series(False, index=range(n))
        for key, allowed in filter_values.items():
            hide |= ~data[key].astype(str).isin([str(a) for a in allowed]).reset_index(drop=True)
    for j, (c, values) in enumerate(zip(cols, columns), start=1):
        for i, v in enumerate(values):
            set_value(ws.cell(row=first + i, column=j), v, c.fmt)
    if hide is not None:
        for i in range(n):
            if hide.iloc[i]:
                ws.row_dimensions[first + i].hidden = True
    last_col = get_column_letter(len(cols))
    if autofilter and n:
        ws.auto_filter.ref = f"A{hr}:{last_col}{last}"
        for key, allowed in (filter_values or {}).items():
            ws.auto_filter.add_filter_column(keys.index(key), [str(a) for a in allowed])
    if freeze and hr == 1:
        ws.freeze_panes = ws.cell(row=2, column=1)
    if total_label is not None and n:
        tr = last + 1
        cell = ws.cell(row=tr, column=1)
        set_text(cell, total_label)
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(row=tr, column=j)
            if c.total:
                letter = get_column_letter(j)
                cell.value = f"=SUBTOTAL(109,{letter}{first}:{letter}{last})"
                cell.number_format = FORMATS.get(c.fmt, "General")
            cell.font = BOLD
            cell.fill = TOTAL_FILL
            cell.border = Border(top=THIN)
    _widths(ws, cols, columns)
    # LibreOffice does not grow a row for wrapped text on load: set the header's height
    lines = 1
    for j, c in enumerate(cols, start=1):
        width = ws.column_dimensions[get_column_letter(j)].width or 8
        lines = max(lines, wrapped_lines(c.header, width))
    ws.row_dimensions[hr].height = 13 * lines + 4
    return first, last


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide (word wrap)."""
    room = max(int(width) - 1, 1)
    lines, used = 1, 0
    for word in str(text).split():
        n = len(word)
        if used and used + 1 + n > room:
            lines += 1
            used = n
        else:
            used += n + (1 if used else 0)
    return lines


def _widths(ws: Worksheet, cols: list[Col], columns: list[list]) -> None:
    for j, (c, values) in enumerate(zip(cols, columns), start=1):
        letter = get_column_letter(j)
        if c.width is not None:
            width = c.width
        else:
            sample = values[:300]
            if c.fmt in ("text", "code"):
                longest = max((len(str(v)) for v in sample if v is not None and v == v), default=4)
            else:
                longest = max((len(f"{float(v):,.1f}") for v in sample
                               if isinstance(v, (int, float)) and math.isfinite(float(v))), default=4)
            header_words = max((len(w) for w in c.header.split()), default=4)
            width = min(max(longest + 2, header_words + 2, 8), 50 if c.fmt == "text" else 18)
        current = ws.column_dimensions[letter].width
        if not current or current < width:
            ws.column_dimensions[letter].width = width


def page_setup(ws: Worksheet, title_rows: str | None = "1:1", landscape: bool = True) -> None:
    """Print as a reader expects: landscape, fit to page width, header repeated on each page."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def heading(ws: Worksheet, row: int, text: str, size: int = 11, column: int = 1) -> None:
    """A bold caption line."""
    cell = ws.cell(row=row, column=column)
    set_text(cell, text)
    cell.font = Font(bold=True, size=size)


__all__ = ["Col", "FORMATS", "set_text", "set_value", "write_table", "wrapped_lines", "page_setup", "heading"]
