"""Safe physical readers: a file on disk → a grid of cell values (or a file-level failure).

Nothing here interprets the form; :mod:`forecast.survey.layout` finds the header.
Safety comes first, before any parser sees the bytes (survey-format.md, "File-level
failures"):

* a file over 50 MiB is refused (E_FILE_TOO_LARGE);
* an OLE compound file (magic ``D0 CF 11 E0``) is what Excel writes for a password-protected
  workbook (and for the old binary .xls): E_ENCRYPTED;
* every part of an xlsx (any part may hold XML, whatever its name) is decompressed by streaming from the raw zip data (not through
  the member's declared size, which a zip bomb may lie about) with a running cap of 200 MiB
  in total: E_FILE_TOO_LARGE as soon as the cap is passed, so a bomb is never unpacked
  fully; a member whose actual size or CRC-32 differs from the declared one is corrupt
  (E_FILE_UNREADABLE);
* while streaming, each XML part is scanned for ``<!DOCTYPE`` / ``<!ENTITY``
  (E_UNSAFE_XML) and each worksheet for formula elements; only a worksheet that has
  formulas is parsed again (with a bounded regular expression) to find formula cells
  without a cached value, which calamine reads as empty (E_FORMULA on those cells); a
  formula whose cached value is the empty text (``t="str"`` with an empty ``<v>``, what
  Excel and LibreOffice write for ``=IF(…;"";…)``) has a value, the empty cell;
* error cells (``t="e"``: ``#DIV/0!``, ``#N/A`` …), which calamine reads as empty, are read
  as their error text, so an error never passes for an empty cell (a number column then
  gets E_NOT_NUMBER with the error as its value);
* a worksheet whose ``<dimension>`` spans more than params.MAX_SHEET_CELLS cells from A1 is
  E_FILE_TOO_LARGE when it is about to be loaded (the sheet reader holds the whole range in
  memory); sheets never looked at do not count;
* a cooperative deadline of 5 s per file is checked in every loop (E_FILE_TOO_LARGE).

CSV: UTF-8 (with or without BOM) is tried first, then Windows-1251; a UTF-16/32 BOM or NUL
bytes mean another encoding (E_FILE_UNREADABLE). Each record keeps its physical line number.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from forecast.params import (HEADER_SCAN_ROWS, MAX_DATA_ROWS, MAX_FILE_BYTES, MAX_SHEET_CELLS,
                             MAX_XML_BYTES, PARSE_SECONDS)

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 20
_UNSAFE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")
_V_ANY = re.compile(rb"<(?:\w+:)?v\s*/?>")
_V_TEXT = re.compile(rb"<(?:\w+:)?v>([^<]*)<")
_T_STR = re.compile(rb'\bt="str"')
_T_ERR = re.compile(rb'\bt="e"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{1,3}\d+:([A-Z]{1,3})(\d+)"')
_MAX_MEMBERS = 10_000


class FileError(Exception):
    """A file-level failure: ``code`` is one of schema.FILE_CODES, ``detail`` fills the message."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class Deadline:
    """Cooperative time limit of one file's parsing."""

    def __init__(self, seconds: float = PARSE_SECONDS):
        self.seconds = seconds
        self.end = time.perf_counter() + seconds

    def check(self) -> None:
        if time.perf_counter() > self.end:
            raise FileError("E_FILE_TOO_LARGE", f"parsing took longer than {self.seconds:g} s")


@dataclass
class Grid:
    """Cells of one sheet (or CSV): ``rows[i]`` is physical row ``numbers[i]`` (1-based)."""

    sheet: str | None
    rows: list[list]
    numbers: list[int]
    #: (row number, 0-based column) of formula cells without a cached value
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def check_size(path: Path) -> int:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileError("E_FILE_TOO_LARGE", f"{size / 2**20:.1f} MiB on disk (the limit is {MAX_FILE_BYTES // 2**20} MiB)")
    return size


# ---------------------------------------------------------------------------
# XLSX
def _iter_member(fh, info: zipfile.ZipInfo, deadline: Deadline):
    """Yield the decompressed bytes of ``info`` in chunks, reading the raw zip data."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        raise FileError("E_FILE_UNREADABLE", f"corrupt zip member {info.filename}")
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + n_name + n_extra)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise FileError("E_FILE_UNREADABLE", f"zip member {info.filename} uses an unsupported compression")
    dec = zlib.decompressobj(-15)
    try:
        while left > 0 and not dec.eof:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            buf = chunk
            while buf and not dec.eof:
                out = dec.decompress(buf, _OUT_CHUNK)
                if out:
                    yield out
                buf = dec.unconsumed_tail
                deadline.check()
        out = dec.flush()
        if out:
            yield out
    except zlib.error as exc:
        raise FileError("E_FILE_UNREADABLE", f"corrupt zip member {info.filename}: {exc}") from None


def scan_xlsx(path: Path, deadline: Deadline, dims: dict[str, int] | None = None) -> set[str]:
    """Check an xlsx before parsing; return the parts that hold formula elements or error cells.

    ``dims``, when given, receives part → cells its ``<dimension>`` spans from A1.
    """
    with open(path, "rb") as fh:
        magic = fh.read(8)
        if magic == CFB_MAGIC or magic[:4] == CFB_MAGIC[:4]:
            raise FileError("E_ENCRYPTED")
        if magic[:4] != b"PK\x03\x04":
            raise FileError("E_FILE_UNREADABLE", "not an xlsx workbook (no zip signature)")
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise FileError("E_FILE_UNREADABLE", f"not a valid xlsx (zip): {exc}") from None
        if len(infos) > _MAX_MEMBERS:
            raise FileError("E_FILE_TOO_LARGE", f"{len(infos)} parts in the workbook")
        # every part is treated as XML: a worksheet may be stored under any name (the
        # relationships decide), and media parts are small next to the limit
        xml = [i for i in infos if not i.is_dir()]
        declared = sum(i.file_size for i in xml)
        if declared > MAX_XML_BYTES:
            raise FileError("E_FILE_TOO_LARGE", f"{declared / 2**20:.0f} MiB of XML declared "
                            f"(the limit is {MAX_XML_BYTES // 2**20} MiB)")
        total = 0
        with_formulas: set[str] = set()
        for info in xml:
            size = 0
            tail = b""
            first = True
            wide = False
            crc = 0
            for out in _iter_member(fh, info, deadline):
                crc = zlib.crc32(out, crc)
                if first:
                    first = False
                    # UTF-16 text (BOM or "<" next to a NUL): scan it with the NULs taken out
                    wide = out[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
                size += len(out)
                total += len(out)
                if wide:
                    out = out.replace(b"\x00", b"")
                if total > MAX_XML_BYTES:
                    raise FileError("E_FILE_TOO_LARGE", f"more than {MAX_XML_BYTES // 2**20} MiB of "
                                    "uncompressed XML (a zip bomb?)")
                window = tail + out
                if _UNSAFE.search(window):
                    raise FileError("E_UNSAFE_XML", info.filename)
                if dims is not None and size <= _OUT_CHUNK and info.filename not in dims:
                    # the dimension element opens a worksheet
                    m = _DIMENSION.search(window)
                    if m:
                        dims[info.filename] = (_col_index(m.group(1)) + 1) * int(m.group(2))
                if info.filename not in with_formulas and (_FORMULA_TAG.search(window)
                                                            or _T_ERR.search(window)):
                    with_formulas.add(info.filename)
                tail = window[-24:]
            if size != info.file_size:
                raise FileError("E_FILE_UNREADABLE", f"corrupt zip member {info.filename} "
                                f"({size} bytes, {info.file_size} declared)")
            if crc != info.CRC:
                raise FileError("E_FILE_UNREADABLE", f"corrupt zip member {info.filename} (bad CRC-32)")
    return with_formulas


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part, from workbook.xml and its relationships."""
    from defusedxml import ElementTree as ET

    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
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


def formula_cells(path: Path, sheet: str, parts_with_formulas: set[str],
                  deadline: Deadline) -> tuple[set[tuple[int, int]], dict[tuple[int, int], str]]:
    """Formula cells of ``sheet`` without a cached value, and error cells with their text.

    Both keyed by (row, 0-based column); calamine reads either kind as an empty cell.
    """
    if not parts_with_formulas:
        return set(), {}
    with zipfile.ZipFile(path) as zf:
        try:
            part = _sheet_parts(zf).get(sheet)
        except Exception:  # an odd workbook.xml: fall back to no detection
            return set(), {}
        if part is None or part not in parts_with_formulas:
            return set(), {}
        data = zf.read(part)  # its actual size was verified by scan_xlsx
    cells = set()
    errors: dict[tuple[int, int], str] = {}
    for i, m in enumerate(_CELL.finditer(data)):
        if i % 50_000 == 0:
            deadline.check()
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
        if not _FORMULA_TAG.search(body):
            continue
        if _VALUE.search(body) or (_T_STR.search(attrs) and _V_ANY.search(body)):
            continue
        ref = _REF.search(attrs)
        if ref:
            cells.add((int(ref.group(2)), _col_index(ref.group(1))))
    return cells, errors


class XlsxBook:
    """An xlsx opened with python-calamine after :func:`scan_xlsx` passed."""

    def __init__(self, path: Path, deadline: Deadline):
        import python_calamine as pc

        self.path = path
        self.deadline = deadline
        self.dims: dict[str, int] = {}
        self.parts_with_formulas = scan_xlsx(path, deadline, self.dims)
        try:
            name = str(path)
            if name.encode("utf-8", "surrogateescape") != name.encode("utf-8", "replace"):
                # a file name that is not UTF-8: calamine cannot open it by name
                with open(path, "rb") as fh:
                    self.book = pc.CalamineWorkbook.from_filelike(fh)
            else:
                self.book = pc.CalamineWorkbook.from_path(name)
            meta = self.book.sheets_metadata
        except pc.PasswordError:
            raise FileError("E_ENCRYPTED") from None
        except Exception as exc:  # calamine's errors: XmlError, ZipError, CalamineError …
            raise FileError("E_FILE_UNREADABLE", f"{type(exc).__name__}: {exc}") from None
        self.sheet_names = [m.name for m in meta if str(m.typ).endswith("WorkSheet")]
        self._sheets: dict = {}

    def _sheet(self, name: str):
        # calamine parses the whole sheet on access: do it once per sheet
        if name not in self._sheets:
            if self.dims and max(self.dims.values()) > MAX_SHEET_CELLS:
                with zipfile.ZipFile(self.path) as zf:
                    try:
                        part = _sheet_parts(zf).get(name)
                    except Exception:  # an odd workbook.xml: no part known
                        part = None
                cells = self.dims.get(part, 0)
                if cells > MAX_SHEET_CELLS:
                    raise FileError("E_FILE_TOO_LARGE", f"sheet {name!r} spans {cells:,} cells from A1 "
                                    f"(the limit is {MAX_SHEET_CELLS:,}): a stray value far to the "
                                    "right of or below the table?")
            self._sheets[name] = self.book.get_sheet_by_name(name)
            self.deadline.check()
        return self._sheets[name]

    def head(self, name: str, nrows: int = HEADER_SCAN_ROWS) -> list[list]:
        try:
            return self._sheet(name).to_python(skip_empty_area=False, nrows=nrows)
        except FileError:
            raise
        except Exception as exc:
            raise FileError("E_FILE_UNREADABLE", f"sheet {name!r}: {type(exc).__name__}: {exc}") from None

    def grid(self, name: str) -> Grid:
        try:
            sheet = self._sheet(name)
            if sheet.height > MAX_DATA_ROWS + HEADER_SCAN_ROWS + 1:
                raise FileError("E_FILE_TOO_LARGE", f"{sheet.height} rows in sheet {name!r} "
                                f"(the limit is {MAX_DATA_ROWS:,} data rows)")
            rows = sheet.to_python(skip_empty_area=False)
        except FileError:
            raise
        except Exception as exc:
            raise FileError("E_FILE_UNREADABLE", f"sheet {name!r}: {type(exc).__name__}: {exc}") from None
        self.deadline.check()
        cells, errors = formula_cells(self.path, name, self.parts_with_formulas, self.deadline)
        for (r, c), text in errors.items():
            if r <= len(rows) and c < len(rows[r - 1]):
                rows[r - 1][c] = text
        return Grid(name, rows, list(range(1, len(rows) + 1)), cells)


# ---------------------------------------------------------------------------
# CSV
def decode_csv(data: bytes) -> str:
    """Text of a CSV in UTF-8 (BOM or not) or Windows-1251; other encodings fail."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff",):
        raise FileError("E_FILE_UNREADABLE", "UTF-16/UTF-32 encoding; save the CSV as UTF-8 or Windows-1251")
    if b"\x00" in data:
        raise FileError("E_FILE_UNREADABLE", "NUL bytes: not a UTF-8 or Windows-1251 text file "
                        "(UTF-16?); save the CSV as UTF-8 or Windows-1251")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise FileError("E_FILE_UNREADABLE", f"neither UTF-8 nor Windows-1251 text ({exc.reason} "
                        f"at byte {exc.start})") from None


def csv_records(text: str, delimiter: str, deadline: Deadline, limit: int | None = None) -> Grid:
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
                raise FileError("E_FILE_TOO_LARGE", f"more than {MAX_DATA_ROWS:,} data rows")
            rows = list(reader)
            deadline.check()
            return Grid(None, rows, list(range(1, len(rows) + 1)))
        rows: list[list] = []
        numbers: list[int] = []
        prev = 0
        for rec in reader:
            numbers.append(prev + 1)
            prev = reader.line_num
            rows.append(rec)
            if len(rows) % 20_000 == 0:
                deadline.check()
                if len(rows) > cap:
                    raise FileError("E_FILE_TOO_LARGE", f"more than {MAX_DATA_ROWS:,} data rows")
    except csv.Error as exc:
        raise FileError("E_FILE_UNREADABLE", f"line {len(rows) + 1}: {exc}") from None
    return Grid(None, rows, numbers)


def read_csv_text(path: Path) -> str:
    check_size(path)
    return decode_csv(path.read_bytes())
