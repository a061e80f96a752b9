"""Physical forms: the :class:`Grid` of cells every reader produces, the size check, and CSV.

Workbooks are read by :mod:`forecast.survey.workbook` after the safety scan of
:mod:`forecast.survey.zipscan`; nothing here interprets the form
(:mod:`forecast.survey.layout` finds the header).

CSV: UTF-8 (with or without BOM) is tried first, then Windows-1251; a UTF-16/32 BOM or NUL
bytes mean another encoding (E_FILE_UNREADABLE). Each record keeps its physical line number.
Limits are work: the file's size on disk and the number of records.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from forecast.params import HEADER_SCAN_ROWS, MAX_DATA_ROWS, MAX_FILE_BYTES
from forecast.survey.schema import Detail
from forecast.survey.zipscan import FileError, Work

__all__ = ["FileError", "Work", "Grid", "check_size", "decode_csv", "csv_records", "read_csv_text"]


@dataclass
class Grid:
    """Cells of one sheet (or CSV): ``rows[i]`` is physical row ``numbers[i]`` (1-based)."""

    sheet: str | None
    rows: list[list]
    numbers: list[int]
    #: (row number, 0-based column) of formula cells without a cached value
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    #: merged ranges (first row index, first column, last row index, last column), 0-based
    #: indexes into ``rows``; their values are already written into every cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: ranges merged within one row (row index → [(first column, last column)]): not
    #: written into the cells, only into the rows the header search looks at
    row_merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def check_size(path: Path) -> int:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileError("E_FILE_TOO_LARGE", Detail.of("disk_size", mib=size / 2**20, limit=MAX_FILE_BYTES // 2**20))
    return size


# ---------------------------------------------------------------------------
# CSV
def decode_csv(data: bytes) -> str:
    """Text of a CSV in UTF-8 (BOM or not) or Windows-1251; other encodings fail."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff",):
        raise FileError("E_FILE_UNREADABLE", Detail.of("utf16"))
    if b"\x00" in data:
        raise FileError("E_FILE_UNREADABLE", Detail.of("nul_bytes"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise FileError("E_FILE_UNREADABLE", Detail.of("not_text", reason=exc.reason, at=exc.start)) from None


def csv_records(text: str, delimiter: str, work: Work, limit: int | None = None) -> Grid:
    """Parse CSV text; each record keeps the physical line number it starts on."""
    cap = MAX_DATA_ROWS + HEADER_SCAN_ROWS + 1
    if limit is not None:
        lines = text.split("\n", limit)[:limit]
        text = "\n".join(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if '"' not in text:
            # no quoted cells: one record per line, so line numbers are positions (fast path)
            if text.count("\n") > cap + 1 and text.count("\n") - text.count("\n\n") > cap + 1:
                raise FileError("E_FILE_TOO_LARGE", Detail.of("rows_over", limit=MAX_DATA_ROWS))
            rows = list(reader)
            work.check()
            return Grid(None, rows, list(range(1, len(rows) + 1)))
        rows: list[list] = []
        numbers: list[int] = []
        prev = 0
        for rec in reader:
            numbers.append(prev + 1)
            prev = reader.line_num
            rows.append(rec)
            if len(rows) % 20_000 == 0:
                work.check()
                if len(rows) > cap:
                    raise FileError("E_FILE_TOO_LARGE", Detail.of("rows_over", limit=MAX_DATA_ROWS))
    except csv.Error as exc:
        raise FileError("E_FILE_UNREADABLE", Detail.of("csv_line", line=len(rows) + 1, error=str(exc))) from None
    return Grid(None, rows, numbers)


def read_csv_text(path: Path) -> str:
    check_size(path)
    return decode_csv(path.read_bytes())
