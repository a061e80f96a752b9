"""Safety scan of a zip-packaged workbook (xlsx, xlsm, xlsb, ods) before any parser sees it.

Every member is inflated by streaming from the raw zip data (never trusting the declared
size, which a zip bomb may lie about), with the limits of survey-format.md measured in work:

* the declared sizes of all members together over params.MAX_XML_BYTES: E_FILE_TOO_LARGE
  before anything is inflated;
* a member whose data inflates past its declared size, or (beyond its first
  params.ZIP_RATIO_FREE_BYTES) past params.ZIP_MAX_RATIO times the compressed bytes it was
  inflated from so far: E_FILE_TOO_LARGE at once, the rest never inflated (the ratio is
  checked as the data stream in, so a bomb stops within a chunk of its first MiB);
* more than params.MAX_XML_BYTES inflated in total: E_FILE_TOO_LARGE;
* a member shorter than declared or with a bad CRC-32: corrupt (E_FILE_UNREADABLE);
* ``<!DOCTYPE`` / ``<!ENTITY`` anywhere (also in UTF-16 parts): E_UNSAFE_XML;
* OpenDocument: an encrypted package (``manifest:encryption-data``) is E_ENCRYPTED.

While streaming, facts the readers need later are noted per member (:class:`ZipFacts`):
which worksheets hold formula elements or error cells, the last row number and the widest
column reference of each xlsx worksheet (its real extent, whatever its ``<dimension>``
says), and whether an ods package is encrypted.

Examples
--------
>>> import io, zipfile, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
>>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData><row r="7"><c r="AB7"/></row></sheetData></worksheet>')
>>> w = Work(); f = scan_zip(p, w)
>>> f.extent["xl/worksheets/sheet1.xml"], w.inflated
((7, 28), 75)
"""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from forecast.params import (MAX_XML_BYTES, PARSE_NET_SECONDS, ZIP_MAX_RATIO,
                             ZIP_RATIO_FREE_BYTES)
from forecast.survey.schema import Detail, render_detail

_CHUNK = 1 << 16
_OUT_CHUNK = 1 << 20
_MAX_MEMBERS = 10_000
_IN_MEMORY = 8 << 20
_UNSAFE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: a formula element of a cell (<f>, <x:f …>); also used by forecast.survey.workbook
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ROW_NUM = re.compile(rb"<row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL_COL = re.compile(rb"<c r=\"([A-Z]{1,3})\d")
# the same with a namespace prefix (<x:row>, <x:c>): rare, and slower to search for
_ROW_NUM_NS = re.compile(rb"<\w+:row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL_COL_NS = re.compile(rb"<\w+:c r=\"([A-Z]{1,3})\d")


class FileError(Exception):
    """A file-level failure: ``code`` is one of schema.FILE_CODES, ``detail`` fills the message
    (a :class:`~forecast.survey.schema.Detail`, rendered in the report's language, or a plain
    value such as a part name)."""

    def __init__(self, code: str, detail: "Detail | list[Detail] | str" = ""):
        self.code = code
        #: the facts, rendered in either language by schema.message
        self.facts = detail
        #: the detail in English (the JSON report's text)
        self.detail = render_detail(detail, "en")
        super().__init__(f"{code}: {self.detail}")

    def __reduce__(self):  # survives the trip back from a worker process
        return (FileError, (self.code, self.facts))


class Work:
    """Work done on one file, checked against the limits; the 60 s wall clock is only a net.

    ``inflated``: bytes inflated from zip members; ``cells``: cells of the sheet ranges
    loaded; ``rows``: rows classified. The counters are what tests assert on.
    """

    def __init__(self, net_seconds: float = PARSE_NET_SECONDS):
        self.inflated = 0
        self.cells = 0
        self.rows = 0
        self.seconds = net_seconds
        self.end = time.perf_counter() + net_seconds

    def check(self) -> None:
        """The last-resort net: a file still being parsed after the net is abandoned."""
        if time.perf_counter() > self.end:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("slow_parse", seconds=self.seconds))


@dataclass
class ZipFacts:
    """What the scan of a zip package learnt (see the module docstring)."""

    names: list[str]
    with_formulas: set[str] = field(default_factory=set)
    #: member → (last row number, widest column number) seen in a worksheet's cell refs
    extent: dict[str, tuple[int, int]] = field(default_factory=dict)
    encrypted: bool = False


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _iter_member(fh, info: zipfile.ZipInfo, work: Work):
    """Yield (decompressed chunk, compressed bytes consumed so far) of ``info``, reading the
    raw zip data; chunks are at most 1 MiB, so a bomb is caught within a chunk of the limit."""
    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        raise FileError("E_FILE_UNREADABLE", Detail.of("zip_member_corrupt", member=info.filename))
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + n_name + n_extra)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk, info.compress_size - left
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise FileError("E_FILE_UNREADABLE", Detail.of("zip_compression", member=info.filename))
    dec = zlib.decompressobj(-15)
    if info.file_size <= _OUT_CHUNK and left <= 4 * _OUT_CHUNK:
        # a small member (most parts of a form): one read, one bounded inflate — at most one
        # byte past the declared size comes out, which the caller refuses
        try:
            raw = fh.read(left)
            out = dec.decompress(raw, info.file_size + 1)
            if not dec.unconsumed_tail and len(out) <= info.file_size:
                out += dec.flush()
        except zlib.error as exc:
            raise FileError("E_FILE_UNREADABLE", Detail.of("zip_member_error", member=info.filename, error=str(exc))) from None
        yield out, len(raw) - len(dec.unconsumed_tail)
        return
    try:
        while left > 0 and not dec.eof:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            buf = chunk
            while buf and not dec.eof:
                out = dec.decompress(buf, _OUT_CHUNK)
                buf = dec.unconsumed_tail
                if out:
                    yield out, info.compress_size - left - len(buf)
        out = dec.flush()
        if out:
            yield out, info.compress_size
    except zlib.error as exc:
        raise FileError("E_FILE_UNREADABLE", Detail.of("zip_member_error", member=info.filename, error=str(exc))) from None


def scan_zip(path: Path, work: Work) -> ZipFacts:
    """Check every member of the zip at ``path``; return what the readers need to know."""
    # a small file (the usual return) is read once and scanned in memory: no seek and
    # read calls per member
    small = path.stat().st_size <= _IN_MEMORY
    with (io.BytesIO(path.read_bytes()) if small else open(path, "rb")) as fh:
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise FileError("E_FILE_UNREADABLE", Detail.of("zip_invalid", error=str(exc))) from None
        if len(infos) > _MAX_MEMBERS:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("zip_parts", n=len(infos)))
        # every part is scanned as XML: a worksheet may be stored under any name (the
        # relationships decide), and media parts are small next to the limit
        parts = [i for i in infos if not i.is_dir()]
        declared = sum(i.file_size for i in parts)
        if declared > MAX_XML_BYTES:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("xml_declared", mib=declared / 2**20, limit=MAX_XML_BYTES // 2**20))
        facts = ZipFacts(names=[i.filename for i in parts])
        for info in parts:
            _scan_member(fh, info, work, facts)
            work.check()
    return facts


def _scan_member(fh, info: zipfile.ZipInfo, work: Work, facts: ZipFacts) -> None:
    name = info.filename
    size = 0
    tail = b""
    first = True
    wide = False
    crc = 0
    sheet_like = name.endswith(".xml") and "sheet" in name.lower() or name.startswith("xl/worksheets/")
    max_row = 0
    max_col = 0
    for out, consumed in _iter_member(fh, info, work):
        crc = zlib.crc32(out, crc)
        if first:
            first = False
            # UTF-16 text (BOM or "<" next to a NUL): scan it with the NULs taken out
            wide = out[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
        size += len(out)
        work.inflated += len(out)
        if size > info.file_size:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("zip_bomb_size", member=name, size=info.file_size))
        # the ratio of what came out to what went in so far: a bomb shows it in its first MiB
        if size > ZIP_RATIO_FREE_BYTES and size > ZIP_MAX_RATIO * consumed:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("zip_bomb_ratio", member=name, ratio=ZIP_MAX_RATIO))
        if work.inflated > MAX_XML_BYTES:
            raise FileError("E_FILE_TOO_LARGE", Detail.of("xml_inflated", limit=MAX_XML_BYTES // 2**20))
        if wide:
            out = out.replace(b"\x00", b"")
        window = tail + out
        if b"<!" in window and _UNSAFE.search(window):
            raise FileError("E_UNSAFE_XML", name)
        if sheet_like:
            # formulas and error cells live in worksheets only
            if name not in facts.with_formulas and (
                    b't="e"' in window
                    or ((b"<f" in window or b":f" in window) and FORMULA_TAG.search(window))):
                facts.with_formulas.add(name)
            ns = b":row" in window
            rows = _ROW_NUM.findall(window) + (_ROW_NUM_NS.findall(window) if ns else [])
            if rows:
                max_row = max(max_row, max(map(int, rows)))
            cols = _CELL_COL.findall(window) + (_CELL_COL_NS.findall(window) if ns or b":c " in window else [])
            if cols:
                widest = max(set(cols), key=lambda c: (len(c), c))
                max_col = max(max_col, _col_number(widest))
        elif name == "META-INF/manifest.xml" and b"encryption-data" in window:
            facts.encrypted = True
        tail = window[-32:]
    if size != info.file_size:
        raise FileError("E_FILE_UNREADABLE", Detail.of("zip_member_size", member=name, size=size, declared=info.file_size))
    if crc != info.CRC:
        raise FileError("E_FILE_UNREADABLE", Detail.of("zip_member_crc", member=name))
    if sheet_like and max_row:
        facts.extent[name] = (max_row, max_col)
