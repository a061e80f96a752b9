"""Workbooks of every kind survey-format.md accepts, through python-calamine, after a safety scan.

The kind is decided by the content, never by the file name: a zip holding
``xl/workbook.xml`` is an xlsx/xlsm, ``xl/workbook.bin`` an xlsb, ``content.xml`` an
OpenDocument spreadsheet; an OLE compound file is an ``.xls`` when it has a ``Workbook``
stream, a password-protected workbook (E_ENCRYPTED) when it has an encrypted package, and
anything else (a Word document saved as ``.xls``) is E_FILE_UNREADABLE.

Before calamine sees a zip package, :func:`forecast.survey.zipscan.scan_zip` inflated and
checked every member; an ods content.xml is then walked once more (it is safe XML by then)
for what calamine does not give: merged (spanned) cells, formula cells without a value,
and each table's real extent. Limits are work: cells of the used range (counted from A1)
are checked before a sheet is loaded where the package tells them (xlsx, ods) and after
loading for every kind; rows are checked after loading.

Merged ranges (xlsx, xls from calamine; ods from content.xml): the value of the range's
first cell is written into every cell of the range (survey-format.md, "Merged cells");
:attr:`Grid.merges` keeps the ranges for the two-row header rule. Choice where the contract
is silent: a range within one row is filled only where a header is looked for (see
:meth:`Book._finish`): a signature or an ``Итого`` merged across the table under it stays a
note or a totals row instead of becoming a data row.

Choice where the contract is silent: an ``.xlsb`` has no merged ranges that calamine
reports, so its merged cells are read as Excel stores them (the value in the first cell only).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from forecast.params import HEADER_SCAN_ROWS, MAX_DATA_ROWS, MAX_SHEET_CELLS
from forecast.survey import cfb
from forecast.survey.physical import Grid
from forecast.survey.schema import Detail
from forecast.survey.zipscan import FORMULA_TAG, FileError, Work, ZipFacts, scan_zip

#: file name suffixes calamine opens by name for each kind (others are opened by content)
_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xlsb": (".xlsb",), "ods": (".ods",), "xls": (".xls",)}
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")
_V_ANY = re.compile(rb"<(?:\w+:)?v\s*/?>")
_V_TEXT = re.compile(rb"<(?:\w+:)?v>([^<]*)<")
_T_STR = re.compile(rb'\bt="str"')
_T_ERR = re.compile(rb'\bt="e"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def sniff(path: Path, work: Work) -> tuple[str, ZipFacts | None]:
    """The kind of workbook at ``path`` (xlsx, xlsb, ods, xls) and, for a zip, its scan."""
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic == cfb.MAGIC:
        kind = cfb.classify(cfb.stream_names(path))
        if kind == "encrypted":
            raise FileError("E_ENCRYPTED")
        if kind == "other":
            raise FileError("E_FILE_UNREADABLE", Detail.of("ole_not_workbook"))
        return "xls", None
    if magic[:4] != b"PK\x03\x04":
        head = magic.lstrip().lower()
        html = head.startswith((b"<", b"\xef\xbb\xbf<"))
        raise FileError("E_FILE_UNREADABLE", Detail.of("html_workbook" if html else "not_workbook"))
    facts = scan_zip(path, work)
    names = set(facts.names)
    if "xl/workbook.bin" in names:
        return "xlsb", facts
    if "xl/workbook.xml" in names:
        return "xlsx", facts
    if "content.xml" in names:
        if facts.encrypted:
            raise FileError("E_ENCRYPTED")
        return "ods", facts
    raise FileError("E_FILE_UNREADABLE", Detail.of("zip_not_workbook"))


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part of an xlsx, from workbook.xml and its relationships."""
    from defusedxml import ElementTree as ET

    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    target = {}
    for rel in rels:
        t = rel.get("Target", "")
        t = t.lstrip("/") if t.startswith("/") else "xl/" + t
        target[rel.get("Id")] = t
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet"):
            rid = el.get(f"{{{ns_r}}}id")
            if rid in target:
                out[el.get("name")] = target[rid]
    return out


def _xlsx_formula_cells(data: bytes, work: Work) -> tuple[set[tuple[int, int]], dict[tuple[int, int], str]]:
    """Formula cells without a cached value, and error cells with their text, of sheet XML.

    Both keyed by (row number, 0-based column); calamine reads either kind as empty. A
    formula whose cached value is the empty text (``t="str"`` with an empty ``<v>``, what
    Excel and LibreOffice write for ``=IF(…;"";…)``) has a value, the empty cell.
    """
    cells = set()
    errors: dict[tuple[int, int], str] = {}
    for i, m in enumerate(_CELL.finditer(data)):
        if i % 50_000 == 0:
            work.check()
        body = m.group(3)
        if not body:
            continue
        attrs = m.group(1)
        if _T_ERR.search(attrs):
            v = _V_TEXT.search(body)
            ref = _REF.search(attrs)
            if v and ref and v.group(1).strip():
                errors[(int(ref.group(2)), _col_index(ref.group(1)))] = v.group(1).decode("utf-8", "replace").strip()
            continue
        if not FORMULA_TAG.search(body):
            continue
        if _VALUE.search(body) or (_T_STR.search(attrs) and _V_ANY.search(body)):
            continue
        ref = _REF.search(attrs)
        if ref:
            cells.add((int(ref.group(2)), _col_index(ref.group(1))))
    return cells, errors


_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T = f"{{{_NS_TABLE}}}"
_O = f"{{{_NS_OFFICE}}}"


class OdsTable:
    """What content.xml says of one table: extent, merged ranges, formula cells without a value."""

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0
        self.merges: list[tuple[int, int, int, int]] = []
        self.formula_cells: set[tuple[int, int]] = set()


def ods_tables(path: Path, work: Work) -> dict[str, OdsTable]:
    """Walk an ods content.xml (already checked by the zip scan) table by table."""
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(path) as zf:
        data = zf.read("content.xml")
    out: dict[str, OdsTable] = {}
    cur: OdsTable | None = None
    r = c = 0
    row_rep = 1
    depth = 0  # nesting of tables (sub-tables are read as part of their table)
    for i, (event, el) in enumerate(iterparse(io.BytesIO(data), events=("start", "end"))):
        if i % 100_000 == 0:
            work.check()
        tag = el.tag
        if event == "start":
            if tag == _T + "table":
                depth += 1
                if depth == 1:
                    cur = out.setdefault(el.get(_T + "name", ""), OdsTable())
                    r = 0
            elif tag == _T + "table-row" and cur is not None and depth == 1:
                row_rep = min(int(el.get(_T + "number-rows-repeated", "1") or 1), 1 << 22)
                c = 0
            continue
        if tag == _T + "table":
            depth -= 1
            el.clear()
        elif tag == _T + "table-row" and cur is not None and depth == 1:
            r += row_rep
            el.clear()
        elif tag in (_T + "table-cell", _T + "covered-table-cell") and cur is not None and depth == 1:
            col_rep = min(int(el.get(_T + "number-columns-repeated", "1") or 1), 1 << 16)
            has_value = el.get(_O + "value-type") is not None or len(el) > 0 or bool(el.text)
            if tag == _T + "table-cell":
                rs = int(el.get(_T + "number-rows-spanned", "1") or 1)
                cs = int(el.get(_T + "number-columns-spanned", "1") or 1)
                if rs > 1 or cs > 1:
                    cur.merges.append((r, c, r + rs - 1, c + cs - 1))
                if el.get(_T + "formula") is not None and el.get(_O + "value-type") is None:
                    cur.formula_cells.add((r + 1, c))
            if has_value:
                cur.rows = max(cur.rows, r + row_rep)
                cur.cols = max(cur.cols, c + col_rep)
            c += col_rep
            el.clear()
    return out


class Book:
    """A workbook of any accepted kind, opened with python-calamine after its safety checks."""

    def __init__(self, path: Path, work: Work):
        import python_calamine as pc

        self.path = path
        self.work = work
        self.kind, self.facts = sniff(path, work)
        self.ods: dict[str, OdsTable] | None = ods_tables(path, work) if self.kind == "ods" else None
        if self.ods:
            # calamine loads every table of an ods when it opens it: check them all first
            for name, t in self.ods.items():
                if t.rows * t.cols > MAX_SHEET_CELLS:
                    raise FileError("E_FILE_TOO_LARGE", Detail.of("sheet_cells_stray", sheet=name,
                                                                   cells=t.rows * t.cols,
                                                                   limit=MAX_SHEET_CELLS))
        try:
            name = str(path)
            if (path.suffix.lower() in _SUFFIXES[self.kind]
                    and name.encode("utf-8", "surrogateescape") == name.encode("utf-8", "replace")):
                self.book = pc.CalamineWorkbook.from_path(name)
            else:
                # a name calamine cannot open by (not UTF-8), or content of another kind than
                # the name says (an xlsx named .xls): calamine detects the kind from the bytes
                with open(path, "rb") as fh:
                    self.book = pc.CalamineWorkbook.from_filelike(fh)
            meta = self.book.sheets_metadata
        except pc.PasswordError:
            raise FileError("E_ENCRYPTED") from None
        except Exception as exc:  # calamine's errors: XmlError, ZipError, CalamineError …
            if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
                raise FileError("E_ENCRYPTED") from None
            if "cell limit" in str(exc).lower():
                raise FileError("E_FILE_TOO_LARGE", Detail.of("error", error=f"{type(exc).__name__}: {exc}")) from None
            raise FileError("E_FILE_UNREADABLE", Detail.of("error", error=f"{type(exc).__name__}: {exc}")) from None
        #: every sheet's name, hidden ones included (the data-sheet rule looks at them)
        self.all_names = [m.name for m in meta]
        #: visible worksheets in workbook order (hidden sheets are never read)
        self.sheet_names = [m.name for m in meta if str(m.typ).endswith("WorkSheet")
                            and str(m.visible).endswith(".Visible")]
        self._sheets: dict = {}
        self._parts: dict[str, str] | None = None

    def _part(self, name: str) -> str | None:
        if self._parts is None:
            with zipfile.ZipFile(self.path) as zf:
                self._parts = _sheet_parts(zf)
        return self._parts.get(name)

    def _check_extent(self, name: str) -> None:
        cells = 0
        if self.kind == "xlsx" and self.facts is not None and self.facts.extent:
            if max(r * c for r, c in self.facts.extent.values()) > MAX_SHEET_CELLS:
                r, c = self.facts.extent.get(self._part(name) or "", (0, 0))
                cells = r * c
        elif self.ods is not None and name in self.ods:
            t = self.ods[name]
            cells = t.rows * t.cols
        if cells > MAX_SHEET_CELLS:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("sheet_cells_stray", sheet=name, cells=cells,
                                                               limit=MAX_SHEET_CELLS))

    def _sheet(self, name: str):
        # calamine parses the whole sheet on access: do it once per sheet
        if name not in self._sheets:
            self._check_extent(name)
            try:
                sheet = self.book.get_sheet_by_name(name)
            except Exception as exc:  # calamine's errors
                raise FileError("E_FILE_UNREADABLE", Detail.of("sheet_error", sheet=name, error=f"{type(exc).__name__}: {exc}")) from None
            end = sheet.end
            cells = (end[0] + 1) * (end[1] + 1) if end else 0
            if cells > MAX_SHEET_CELLS:
                raise FileError("E_FILE_TOO_LARGE", Detail.of("sheet_cells", sheet=name, cells=cells,
                                                                   limit=MAX_SHEET_CELLS))
            if end and end[0] + 1 > MAX_DATA_ROWS + HEADER_SCAN_ROWS + 1:
                raise FileError("E_FILE_TOO_LARGE", Detail.of("sheet_rows", n=end[0] + 1, sheet=name,
                                                                   limit=MAX_DATA_ROWS))
            self.work.cells += cells
            self._sheets[name] = sheet
            self.work.check()
        return self._sheets[name]

    def _merges(self, name: str, sheet) -> list[tuple[int, int, int, int]]:
        if self.ods is not None:
            t = self.ods.get(name)
            return list(t.merges) if t else []
        try:
            ranges = sheet.merged_cell_ranges
        except Exception:  # noqa: BLE001 — a kind calamine has no merges for: none
            ranges = None
        return [(a[0], a[1], b[0], b[1]) for a, b in (ranges or [])]

    def head(self, name: str, nrows: int = HEADER_SCAN_ROWS + 1) -> Grid:
        """The first rows of sheet ``name`` with merged ranges filled (for the header search)."""
        sheet = self._sheet(name)
        try:
            rows = sheet.to_python(skip_empty_area=False, nrows=nrows) if sheet.end else []
        except Exception as exc:  # calamine's errors
            raise FileError("E_FILE_UNREADABLE", Detail.of("sheet_error", sheet=name, error=f"{type(exc).__name__}: {exc}")) from None
        merges = [m for m in self._merges(name, sheet) if m[0] < nrows]
        return self._finish(Grid(name, rows, list(range(1, len(rows) + 1)), merges=merges))

    def grid(self, name: str) -> Grid:
        """Every cell of sheet ``name``: merged ranges filled, formula and error cells known."""
        sheet = self._sheet(name)
        try:
            rows = sheet.to_python(skip_empty_area=False) if sheet.end else []
        except Exception as exc:  # calamine's errors
            raise FileError("E_FILE_UNREADABLE", Detail.of("sheet_error", sheet=name, error=f"{type(exc).__name__}: {exc}")) from None
        self.work.check()
        grid = Grid(name, rows, list(range(1, len(rows) + 1)), merges=self._merges(name, sheet))
        if self.kind == "xlsx" and self.facts is not None and self.facts.with_formulas:
            part = self._part(name)
            if part in self.facts.with_formulas:
                with zipfile.ZipFile(self.path) as zf:
                    data = zf.read(part)  # its actual size was verified by the scan
                cells, errors = _xlsx_formula_cells(data, self.work)
                grid.formula_cells = cells
                for (r, c), text in errors.items():
                    if r <= len(rows) and c < len(rows[r - 1]):
                        rows[r - 1][c] = text
        elif self.ods is not None and name in self.ods:
            grid.formula_cells = set(self.ods[name].formula_cells)
        return self._finish(grid)

    def _finish(self, grid: Grid) -> Grid:
        """Write each merged range's value into every cell of the range (within the sheet).

        A range within one row is only noted (:attr:`Grid.row_merges`): the header search
        fills it in the rows it looks at, but below the header a note, a signature or an
        ``Итого`` merged across the table keeps its value in its first cell, or it would
        land in the ИНН or profession-code column and turn into a data row.
        """
        rows = grid.rows
        filled = 0
        for r0, c0, r1, c1 in grid.merges:
            if r0 >= len(rows) or c0 >= len(rows[r0]):
                continue
            if r0 == r1:
                grid.row_merges.setdefault(r0, []).append((c0, c1))
                continue
            v = rows[r0][c0]
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                row = rows[r]
                hi = min(c1, len(row) - 1)
                if hi >= c0:
                    row[c0:hi + 1] = [v] * (hi + 1 - c0)
                    filled += hi + 1 - c0
            if filled > MAX_SHEET_CELLS:
                raise FileError("E_FILE_TOO_LARGE", Detail.of("merged_cells", sheet=grid.sheet,
                                                                   limit=MAX_SHEET_CELLS))
        return grid
