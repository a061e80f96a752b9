"""From a grid of cells to a table of data rows: header, columns, totals and skipped rows.

One :class:`Table` per data sheet read (or CSV). Row validation happens later, for all files
at once (:mod:`forecast.survey.rows`), so this module does only what needs the layout
(survey-format.md, "The header row" … "Row outcomes"):

* the header: a row, or a pair of rows (r, r+1) with r among the first 30, naming ≥ 6 of
  the 9 required columns (a year-form need header counts as need_1); the pair wins when it
  names more required columns than row r alone. A pair's column names: a merged range
  spanning both rows names its columns alone; else a lower cell that alone names a column;
  else the upper cell's normalised text, a space and the lower cell's. In a CSV a non-empty
  upper cell extends right over empty upper cells while their lower cells are not empty;
* the column map; unknown headers → W_UNKNOWN_COLUMN (one per column); missing required
  columns or a column named twice → E_MISSING_COLUMN; year-form need headers → need_k once
  the file's single survey year is known (:func:`resolve_need_years`, E_MIXED_YEARS);
* a row of column numbers (1, 2, 3 … in consecutive cells, at least 3) under the header is
  skipped; further down, rows that would qualify as the header (alone or as a pair) and
  rows of column numbers are skipped too, with one W_REPEATED_HEADER per sheet (row: the
  first; value: how many rows, as text like every issue value);
* totals rows (empty profession_code, a text cell beginning ``Итого``/``Всего``/``Total``),
  ignored rows (inn, profession_code and headcount all empty; W_IGNORED_ROWS once per sheet
  when any holds something) and entirely empty rows are taken out; each data row gets the
  number of its totals segment.

Choices where the contract is silent:

* the columns of one merged header cell are one column (a name cell merged across C:D
  names employer once, read from C), not a column named twice;
* a pair is a header only when its upper row adds something: it must name more required
  columns than its lower row alone, too. A title or a note right above a one-row header
  (or an empty row) is not half of the header, so the header's row is the one with the
  names, and a header on row 31 under a note on row 30 is not found (as in version 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forecast.classifiers import normalize_label
from forecast.params import HEADER_MIN_MATCH, HEADER_SCAN_ROWS, MAX_DATA_ROWS, SURVEY_YEAR_RANGE
from forecast.survey.physical import FileError, Grid, Work
from forecast.survey.schema import (FORM_KEYS, HEADERS_RU, REQUIRED_KEYS, TOTAL_PREFIXES, Detail, match_header,
                                    need_key)

_REQUIRED = frozenset(REQUIRED_KEYS)


@dataclass
class Table:
    """The data rows of one sheet (or CSV), by column key, as read (cells not yet interpreted)."""

    sheet: str | None
    columns: dict[str, list]
    rows: list[int]                     # physical row numbers of the data rows
    segments: list[int]                 # totals segment of each data row
    totals: list[tuple[int, int, dict]] = field(default_factory=list)  # (row, segment, {key: cell})
    formulas: dict[str, set[int]] = field(default_factory=dict)        # key → row numbers
    warnings: list[tuple] = field(default_factory=list)  # (row, column, value, code, detail)
    #: year-form need headers waiting for the file's survey year: (year, header text, cells)
    need_years: list[tuple[int, str, list]] = field(default_factory=list)
    header_row: int = 0
    #: each column's cells as text (:func:`forecast.survey.cells.column_text`), filled in by
    #: the reader where the file is read (in a worker process when reading in parallel)
    texts: dict[str, list[str]] | None = None


@dataclass
class Header:
    """Where a header is and what each of its columns names."""

    index: int                  # index into Grid.rows of its (upper) row
    height: int                 # 1 or 2 rows
    names: list[tuple[str | None, int | None]]  # per column: match_header result
    texts: list[str]            # per column: the text as shown in messages


_TOTAL_RE = re.compile(r"(?:^|\x00)\s*(?:" + "|".join(TOTAL_PREFIXES) + ")", re.IGNORECASE)


def is_empty(v: object) -> bool:
    return v is None or v == "" or (type(v) is str and not v.strip())


def _text(v: object) -> str:
    if is_empty(v):
        return ""
    if type(v) is float and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _required(names) -> set[str]:
    return {("need_1" if k == "need_year" else k) for k, _ in names if k} & _REQUIRED


def _spanning_cols(merges, r: int) -> set[int]:
    """Columns covered by a merged range spanning rows r and r+1."""
    out: set[int] = set()
    for r0, c0, r1, c1 in merges:
        if r0 <= r and r1 >= r + 1:
            out.update(range(c0, min(c1, c0 + 16384) + 1))
    return out


def _row(rows: list[list], r: int, row_merges) -> list:
    """Row ``r`` with its ranges merged within the row filled (for the header search)."""
    row = rows[r]
    spans = row_merges.get(r) if row_merges else None
    if not spans:
        return row
    row = list(row)
    for c0, c1 in spans:
        hi = min(c1, len(row) - 1)
        if c0 < len(row) and hi > c0:
            row[c0:hi + 1] = [row[c0]] * (hi + 1 - c0)
    return row


def _pair(rows: list[list], r: int, merges, is_csv: bool, row_merges=None) -> tuple[list, list[str]]:
    """Names and texts of the columns of the header pair (r, r+1)."""
    upper, lower = _row(rows, r, row_merges), _row(rows, r + 1, row_merges)
    width = max(len(upper), len(lower))
    up = [_text(upper[j]) if j < len(upper) else "" for j in range(width)]
    lo = [_text(lower[j]) if j < len(lower) else "" for j in range(width)]
    if is_csv:
        carry = ""
        for j in range(width):
            if up[j]:
                carry = up[j]
            elif carry and lo[j]:
                up[j] = carry
            else:
                carry = ""
    span = _spanning_cols(merges, r) if merges else set()
    names, texts = [], []
    for j in range(width):
        if j in span:
            names.append(match_header(up[j]))
            texts.append(up[j])
            continue
        low = match_header(lo[j]) if lo[j] else (None, None)
        if low[0] is not None:
            names.append(low)
            texts.append(lo[j])
            continue
        label = f"{normalize_label(up[j])} {normalize_label(lo[j])}".strip()
        names.append(match_header(label) if label else (None, None))
        texts.append(" ".join(t for t in (up[j], lo[j]) if t))
    return names, texts


def _single(row: list) -> tuple[list, list[str]]:
    return [match_header(c) if not is_empty(c) else (None, None) for c in row], [_text(c) for c in row]


def _nonempty(row: list) -> int:
    return sum(1 for c in row if not is_empty(c))


def header_at(rows: list[list], r: int, merges, is_csv: bool, row_merges=None) -> Header | None:
    """The header starting at row index ``r`` by the contract's rule, or None."""
    n_r = _nonempty(rows[r])
    has_next = r + 1 < len(rows)
    n_next = _nonempty(rows[r + 1]) if has_next else 0
    if n_r + n_next < HEADER_MIN_MATCH and not row_merges:
        return None
    single = _single(_row(rows, r, row_merges)) if n_r else ([], [])
    n_single = len(_required(single[0])) if n_r else 0
    # a pair can only name more than a row that already names all nine
    if has_next and n_next and n_r and n_single < len(_REQUIRED):
        names, texts = _pair(rows, r, merges, is_csv, row_merges)
        n_pair = len(_required(names))
        if n_pair > n_single and n_pair >= HEADER_MIN_MATCH and (
                n_pair > len(_required(_single(_row(rows, r + 1, row_merges))[0]))):
            return Header(r, 2, names, texts)
    if n_single >= HEADER_MIN_MATCH:
        return Header(r, 1, *single)
    return None


def find_header(grid: Grid) -> Header | None:
    """The header of a sheet (within its first 30 rows), or None."""
    rows, merges, is_csv = grid.rows, grid.merges, grid.sheet is None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        h = header_at(rows, r, merges, is_csv, grid.row_merges)
        if h is not None:
            return h
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
    nonempty = [i for i, c in enumerate(row) if not is_empty(c)]
    if len(nonempty) < 3 or nonempty != list(range(nonempty[0], nonempty[-1] + 1)):
        return False
    return [_as_int(row[i]) for i in nonempty] == list(range(1, len(nonempty) + 1))


def _label(key: str) -> str:
    return f"{key} ({HEADERS_RU[key]})" if key in HEADERS_RU else key


def _col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        s = chr(65 + rem) + s
    return s


def _copies(grid: Grid, h: Header) -> set[int]:
    """Columns that only repeat the column to their left through a merged header cell."""
    if not grid.merges:
        return set()
    out = set()
    hrows = range(h.index, h.index + h.height)
    for j in range(1, len(h.names)):
        if h.names[j] != h.names[j - 1] or h.names[j][0] is None:
            continue
        ok = True
        for r in hrows:
            row = _row(grid.rows, r, grid.row_merges)
            a = row[j] if j < len(row) else None
            b = row[j - 1] if j - 1 < len(row) else None
            if is_empty(a) and is_empty(b):
                continue
            if not any(r0 <= r <= r1 and c0 <= j - 1 and j <= c1 for r0, c0, r1, c1 in grid.merges):
                ok = False
                break
        if ok:
            out.add(j)
    return out


def build_table(grid: Grid, h: Header, work: Work) -> Table:
    """Map the columns and classify the rows below the header ``h`` of ``grid``."""
    rows = grid.rows
    hrow = grid.numbers[h.index]
    warnings: list[tuple] = []
    colmap: dict[str, int] = {}
    twice: dict[str, list[int]] = {}
    need_years: dict[int, list[int]] = {}
    copies = _copies(grid, h)
    for j, ((key, year), text) in enumerate(zip(h.names, h.texts)):
        if j in copies:
            continue
        if key is None:
            if text:
                warnings.append((hrow, None, text, "W_UNKNOWN_COLUMN", Detail.of("not_a_column", text=text)))
        elif key == "need_year":
            need_years.setdefault(year, []).append(j)
        elif key in colmap:
            twice.setdefault(key, [colmap[key]]).append(j)
        else:
            colmap[key] = j
    problems = [Detail.of("named_twice", column=_label(k),
                          letters=", ".join(_col_letter(j) for j in cols)) for k, cols in twice.items()]
    problems += [Detail.of("need_named_twice", year=year, letters=", ".join(_col_letter(j) for j in cols))
                 for year, cols in need_years.items() if len(cols) > 1]
    if problems:
        raise FileError("E_MISSING_COLUMN", problems)
    missing = [k for k in REQUIRED_KEYS if k not in colmap and not (k == "need_1" and need_years)]
    if missing:
        raise FileError("E_MISSING_COLUMN", Detail.of("lacks_columns",
                                                      columns=", ".join(_label(k) for k in missing)))

    start = h.index + h.height
    if start < len(rows) and _is_number_row(rows[start]):
        start += 1
    body = rows[start:]
    numbers = grid.numbers[start:]
    # formula cells without a value read as empty: they still count as filled in
    # (E_FORMULA later), except in a totals row, whose formulas are simply not checked
    jc, ji, jh = colmap["profession_code"], colmap["inn"], colmap["headcount"]
    f_cells: dict[int, set[int]] = {}
    for n, j in grid.formula_cells:
        if j in (jc, ji, jh):
            f_cells.setdefault(n, set()).add(j)
    is_csv = grid.sheet is None
    keep: list[int] = []
    totals_at: list[int] = []
    ignored: list[int] = []
    repeated: list[int] = []
    skip_next = False
    n_body = len(body)
    for i, row in enumerate(body):
        if i % 50_000 == 0:
            work.check()
        if skip_next:
            skip_next = False
            continue
        fc = f_cells.get(numbers[i], ()) if f_cells else ()
        lr = len(row)
        v = row[jc] if jc < lr else None
        w = row[ji] if ji < lr else None
        x = row[jh] if jh < lr else None
        # a repeated header or column-number row: text (not digits) in a key column, or all
        # three key columns empty (the upper row of a pair); digits skip this at once
        if _maybe_header(v, w, x):
            rh = header_at(body, i, (), is_csv) if not grid.merges else _header_in_grid(grid, start + i, is_csv)
            if rh is not None:
                repeated.append(i)
                if rh.height == 2:
                    repeated.append(i + 1)
                    skip_next = True
                continue
        if _small_int(v) and _is_number_row(row):
            repeated.append(i)
            continue
        if not (v is None or v == "" or (type(v) is str and not v.strip())) or jc in fc:
            keep.append(i)
            continue
        if (_TOTAL_RE.search("\x00".join(row)) if is_csv else
                any(type(c) is str and _TOTAL_RE.match(c) for c in row)):
            totals_at.append(i)
            continue
        if (w is None or w == "" or (type(w) is str and not w.strip())) and (
                x is None or x == "" or (type(x) is str and not x.strip())) and not fc:
            if any(not is_empty(c) for c in row):
                ignored.append(i)
            continue
        keep.append(i)
    work.rows += n_body
    if len(keep) > MAX_DATA_ROWS:
        raise FileError("E_FILE_TOO_LARGE", Detail.of("rows_count", n=len(keep), limit=MAX_DATA_ROWS))
    if ignored:
        first = ignored[0]
        warnings.append((numbers[first], None, None, "W_IGNORED_ROWS",
                         Detail.of("ignored_rows", n=len(ignored), first=numbers[first])))
    if repeated:
        warnings.append((numbers[repeated[0]], None, str(len(repeated)), "W_REPEATED_HEADER",
                         Detail.of("repeated_header", n=len(repeated), first=numbers[repeated[0]])))

    segs: list[int] = []
    t_iter = iter(totals_at)
    nxt = next(t_iter, None)
    seg = 0
    totals = []

    def cells_of(i: int) -> dict:
        return {k: (body[i][j] if j < len(body[i]) else "") for k, j in colmap.items()}

    for i in keep:
        while nxt is not None and nxt < i:
            totals.append((numbers[nxt], seg, cells_of(nxt)))
            seg += 1
            nxt = next(t_iter, None)
        segs.append(seg)
    while nxt is not None:
        totals.append((numbers[nxt], seg, cells_of(nxt)))
        seg += 1
        nxt = next(t_iter, None)

    rows_kept = [body[i] for i in keep]
    columns = {k: [r[j] if j < len(r) else "" for r in rows_kept] for k, j in colmap.items()}
    pending = [(year, h.texts[cols[0]], [r[cols[0]] if cols[0] < len(r) else "" for r in rows_kept],
                [body[i][cols[0]] if cols[0] < len(body[i]) else "" for i in totals_at])
               for year, cols in sorted(need_years.items())]
    kept_numbers = [numbers[i] for i in keep]
    formulas: dict[str, set[int]] = {}
    if grid.formula_cells:
        col_key = {j: k for k, j in colmap.items()}
        for year, cols in need_years.items():
            col_key[cols[0]] = ("need_year", year)
        for n, j in grid.formula_cells:
            if j in col_key and n > hrow:
                formulas.setdefault(col_key[j], set()).add(n)
    table = Table(grid.sheet, columns, kept_numbers, segs, totals, formulas, warnings, pending, hrow)
    return table


def _header_in_grid(grid: Grid, r: int, is_csv: bool) -> Header | None:
    return header_at(grid.rows, r, grid.merges, is_csv, grid.row_merges)


def _maybe_header(*cells) -> bool:
    empty = 0
    for v in cells:
        if v is None or v == "":
            empty += 1
        elif type(v) is str:
            s = v.strip()
            if not s:
                empty += 1
            elif not s.replace(" ", "").replace("\u00a0", "").isdigit():
                return True
    return empty == len(cells)


def _small_int(v) -> bool:
    if type(v) is float or type(v) is int:
        return 0 < v < 100
    return type(v) is str and v.strip().isdigit() and len(v.strip()) <= 2


def survey_years_of(tables: list[Table]) -> set[int]:
    """The distinct lawful survey years in the data rows of ``tables``."""
    out = set()
    for t in tables:
        for v in t.columns.get("survey_year", ()):
            y = _as_int(v) if not is_empty(v) else None
            if y is not None and SURVEY_YEAR_RANGE[0] <= y <= SURVEY_YEAR_RANGE[1]:
                out.add(y)
    return out


def resolve_need_years(tables: list[Table]) -> None:
    """Map the year-form need headers of one file's tables to need_k (in place).

    The file must have one survey year in all its rows (E_MIXED_YEARS otherwise); a year
    outside T+1 … T+10 is W_UNKNOWN_COLUMN; a need_k named both ways is E_MISSING_COLUMN.
    """
    if not any(t.need_years for t in tables):
        return
    years = survey_years_of(tables)
    if len(years) > 1:
        raise FileError("E_MIXED_YEARS", ", ".join(str(y) for y in sorted(years)))
    for t in tables:
        if not t.need_years:
            continue
        base = years.copy().pop() if years else min(y for y, *_ in t.need_years) - 1
        formulas_by_year = {k[1]: v for k, v in t.formulas.items() if isinstance(k, tuple)}
        for year, text, cells, total_cells in t.need_years:
            key = need_key(year, base)
            if key is None:
                t.warnings.append((t.header_row, None, text, "W_UNKNOWN_COLUMN",
                                   Detail.of("need_year_out", year=year, base=base)))
                continue
            if key in t.columns:
                raise FileError("E_MISSING_COLUMN", Detail.of("key_and_year", column=key, year=year))
            t.columns[key] = cells
            for (_, _, tcells), v in zip(t.totals, total_cells):
                tcells[key] = v
            if year in formulas_by_year:
                t.formulas[key] = formulas_by_year[year]
        t.formulas = {k: v for k, v in t.formulas.items() if not isinstance(k, tuple)}
        if "need_1" not in t.columns:
            raise FileError("E_MISSING_COLUMN", Detail.of("lacks_need_1", year=base + 1))
        t.need_years = []


__all__ = ["Table", "Header", "build_table", "find_header", "header_at", "resolve_need_years",
           "survey_years_of", "is_empty", "FORM_KEYS"]
