"""From a grid of cells to a table of data rows: header, columns, totals and ignored rows.

One :class:`Table` per file read. Row validation happens later, for all files at once
(:mod:`forecast.survey.rows`), so this module does only what needs the file's layout:

* the header row: the first of the first 30 rows naming ≥ 6 of the 9 required columns
  (a year-form need header counts as need_1);
* the column map; unknown headers → W_UNKNOWN_COLUMN (one per column); missing required
  columns → E_MISSING_COLUMN; year-form need headers → need_k once the file's single
  survey year is known (E_MIXED_YEARS when its rows name more than one);
* a row of column numbers (1, 2, 3 … in consecutive cells, at least 3) under the header
  is skipped;
* totals rows (empty profession_code, a text cell beginning ``Итого``/``Всего``/``Total``),
  ignored rows (inn, profession_code and headcount all empty; W_IGNORED_ROWS once per sheet
  when any holds something) and entirely empty rows are taken out; each data row gets the
  number of its totals segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forecast.params import HEADER_MIN_MATCH, HEADER_SCAN_ROWS, MAX_DATA_ROWS, SURVEY_YEAR_RANGE
from forecast.survey.physical import Deadline, FileError, Grid
from forecast.survey.schema import FORM_KEYS, HEADERS_RU, REQUIRED_KEYS, TOTAL_PREFIXES, match_header, need_key


@dataclass
class Table:
    """The data rows of one file, by column key, as read (cells not yet interpreted)."""

    sheet: str | None
    columns: dict[str, list]
    rows: list[int]                     # physical row numbers of the data rows
    segments: list[int]                 # totals segment of each data row
    totals: list[tuple[int, int, dict]] = field(default_factory=list)  # (row, segment, {key: cell})
    formulas: dict[str, set[int]] = field(default_factory=dict)        # key → row numbers
    warnings: list[tuple] = field(default_factory=list)  # (row, column, value, code, detail)


_TOTAL_RE = re.compile(r"(?:^|\x00)\s*(?:" + "|".join(TOTAL_PREFIXES) + ")", re.IGNORECASE)


def is_empty(v: object) -> bool:
    return v is None or v == "" or (type(v) is str and not v.strip())


def _header_keys(row: list) -> tuple[set[str], list[tuple[str | None, int | None]]]:
    matched = [match_header(c) for c in row]
    keys = {k if k != "need_year" else "need_1" for k, _ in matched if k}
    return keys & set(REQUIRED_KEYS), matched


def find_header(head: list[list]) -> int | None:
    """Index of the header row among the first rows of a sheet, or None."""
    for i, row in enumerate(head[:HEADER_SCAN_ROWS]):
        if sum(1 for c in row if not is_empty(c)) < HEADER_MIN_MATCH:
            continue
        if len(_header_keys(row)[0]) >= HEADER_MIN_MATCH:
            return i
    return None


def _as_int(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v) if float(v).is_integer() else None
    s = str(v).strip().replace(" ", "").replace("\u00a0", "")
    if s.endswith((",0", ".0")):
        s = s[:-2]
    return int(s) if s.isdigit() else None


def _is_number_row(row: list) -> bool:
    vals = [(_as_int(c) if not is_empty(c) else None) for c in row]
    nonempty = [i for i, c in enumerate(row) if not is_empty(c)]
    if len(nonempty) < 3 or nonempty != list(range(nonempty[0], nonempty[-1] + 1)):
        return False
    return [vals[i] for i in nonempty] == list(range(1, len(nonempty) + 1))


def _label(key: str) -> str:
    return f"{key} ({HEADERS_RU[key]})" if key in HEADERS_RU else key


def build_table(grid: Grid, header_idx: int, deadline: Deadline) -> Table:
    """Map the columns and classify the rows below the header of ``grid``."""
    header = grid.rows[header_idx]
    _, matched = _header_keys(header)
    hrow = grid.numbers[header_idx]
    warnings: list[tuple] = []
    colmap: dict[str, int] = {}
    need_years: list[tuple[int, int]] = []  # (year, column)
    for j, ((key, year), cell) in enumerate(zip(matched, header)):
        if key is None:
            if not is_empty(cell):
                warnings.append((hrow, None, str(cell).strip(), "W_UNKNOWN_COLUMN",
                                 f"{str(cell).strip()!r} is not a column of the form"))
        elif key == "need_year":
            need_years.append((year, j))
        elif key in colmap:
            warnings.append((hrow, key, str(cell).strip(), "W_UNKNOWN_COLUMN",
                             f"a second column {str(cell).strip()!r} for {key}"))
        else:
            colmap[key] = j
    missing = [k for k in REQUIRED_KEYS if k not in colmap and not (k == "need_1" and need_years)]
    if missing:
        raise FileError("E_MISSING_COLUMN", ", ".join(_label(k) for k in missing))

    start = header_idx + 1
    if start < len(grid.rows) and _is_number_row(grid.rows[start]):
        start += 1
    body = grid.rows[start:]
    numbers = grid.numbers[start:]
    # formula cells without a value read as empty: they still count as filled in
    # (E_FORMULA later), except in a totals row, whose formulas are simply not checked
    jc, ji, jh = colmap["profession_code"], colmap["inn"], colmap["headcount"]
    f_cells: dict[int, set[int]] = {}
    for n, j in grid.formula_cells:
        if j in (jc, ji, jh):
            f_cells.setdefault(n, set()).add(j)
    # classify rows: data / totals / ignored / empty (inlined tests: this loop meets every row)
    all_text = grid.sheet is None  # a CSV: every cell is text, test a row in one search
    keep: list[int] = []
    totals_at: list[int] = []
    ignored: list[int] = []
    for i, row in enumerate(body):
        if i % 50_000 == 0:
            deadline.check()
        fc = f_cells.get(numbers[i], ()) if f_cells else ()
        v = row[jc] if jc < len(row) else None
        if not (v is None or v == "" or (type(v) is str and not v.strip())) or jc in fc:
            keep.append(i)
            continue
        if (_TOTAL_RE.search("\x00".join(row)) if all_text else
                any(type(c) is str and _TOTAL_RE.match(c) for c in row)):
            totals_at.append(i)
            continue
        v = row[ji] if ji < len(row) else None
        w = row[jh] if jh < len(row) else None
        if (v is None or v == "" or (type(v) is str and not v.strip())) and (
                w is None or w == "" or (type(w) is str and not w.strip())) and not fc:
            if any(not is_empty(c) for c in row):
                ignored.append(i)
            continue
        keep.append(i)
    if len(keep) > MAX_DATA_ROWS:
        raise FileError("E_FILE_TOO_LARGE", f"{len(keep):,} data rows (the limit is {MAX_DATA_ROWS:,})")
    if ignored:
        first = ignored[0]
        warnings.append((numbers[first], None, None, "W_IGNORED_ROWS",
                         f"{len(ignored)} row(s) without ИНН, profession code and headcount "
                         f"ignored (first: row {numbers[first]})"))

    # year-form need headers need the file's single survey year
    if need_years:
        years = {y for y in (_as_int(v) for v in (body[i][colmap["survey_year"]]
                 if colmap["survey_year"] < len(body[i]) else "" for i in keep))
                 if y is not None and SURVEY_YEAR_RANGE[0] <= y <= SURVEY_YEAR_RANGE[1]}
        if len(years) > 1:
            raise FileError("E_MIXED_YEARS", ", ".join(str(y) for y in sorted(years)))
        t = years.pop() if years else min(y for y, _ in need_years) - 1
        for year, j in need_years:
            key = need_key(year, t)
            if key is None or key in colmap:
                warnings.append((hrow, None, str(header[j]).strip(), "W_UNKNOWN_COLUMN",
                                 f"need for {year} is not 1 … 10 years after the survey year {t}"
                                 if key is None else f"a second column for {key}"))
            else:
                colmap[key] = j
        if "need_1" not in colmap:
            raise FileError("E_MISSING_COLUMN", f"need_1 (need for {t + 1})")

    segs: list[int] = []
    t_iter = iter(totals_at)
    nxt = next(t_iter, None)
    seg = 0
    totals = []
    for i in keep:
        while nxt is not None and nxt < i:
            totals.append((numbers[nxt], seg, {k: (body[nxt][j] if j < len(body[nxt]) else "")
                                               for k, j in colmap.items()}))
            seg += 1
            nxt = next(t_iter, None)
        segs.append(seg)
    while nxt is not None:
        totals.append((numbers[nxt], seg, {k: (body[nxt][j] if j < len(body[nxt]) else "")
                                           for k, j in colmap.items()}))
        seg += 1
        nxt = next(t_iter, None)

    rows_kept = [body[i] for i in keep]
    columns = {k: [r[j] if j < len(r) else "" for r in rows_kept] for k, j in colmap.items()}
    kept_numbers = [numbers[i] for i in keep]
    formulas: dict[str, set[int]] = {}
    if grid.formula_cells:
        col_key = {j: k for k, j in colmap.items()}
        for n, j in grid.formula_cells:
            if j in col_key and n > hrow:
                formulas.setdefault(col_key[j], set()).add(n)
    return Table(grid.sheet, columns, kept_numbers, segs, totals, formulas, warnings)


__all__ = ["Table", "build_table", "find_header", "is_empty", "FORM_KEYS"]
