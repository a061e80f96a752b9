"""Generators of hostile survey files, written into a temporary folder at test time.

Nothing binary is committed: each function writes one file and returns its path.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

MiB = 1 << 20


def _replace_member(src: Path, dst: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == name else zin.read(info.filename))
    return dst


def zip_bomb(good_xlsx: Path, dst: Path, mib: int = 260, lie: bool = False) -> Path:
    """An xlsx whose sheet XML inflates to ``mib`` MiB of blanks (compressed ~1000:1).

    With ``lie``, the member's declared uncompressed size (local header and central
    directory) says 1,000 bytes.
    """
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(good_xlsx) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != name:
                zout.writestr(info.filename, zin.read(info.filename))
                continue
            zi = zipfile.ZipInfo(name)
            zi.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(zi, "w") as fh:
                fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                         b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                blank = b" " * MiB
                for _ in range(mib):
                    fh.write(blank)
                fh.write(b"</sheetData></worksheet>")
    if lie:
        _lie_about_size(dst, name, 1000)
    return dst


def _lie_about_size(path: Path, name: str, size: int) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    lh = info.header_offset
    assert data[lh:lh + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, lh + 22, size)
    cd = data.find(b"PK\x01\x02")
    enc = name.encode()
    while cd != -1:
        n = struct.unpack_from("<H", data, cd + 28)[0]
        if bytes(data[cd + 46:cd + 46 + n]) == enc:
            struct.pack_into("<I", data, cd + 24, size)
            break
        cd = data.find(b"PK\x01\x02", cd + 4)
    else:
        raise AssertionError("central directory entry not found")
    path.write_bytes(bytes(data))


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>\n")


def entity_bomb(good_xlsx: Path, dst: Path, member: str) -> Path:
    """``member`` (a sheet or sharedStrings.xml) prefixed with a billion-laughs DOCTYPE."""
    with zipfile.ZipFile(good_xlsx) as zf:
        names = zf.namelist()
        body = zf.read(member) if member in names else (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
            b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    if member not in names:  # openpyxl writes inline strings: add a shared-strings part
        with zipfile.ZipFile(good_xlsx) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename))
            zout.writestr(member, BILLION_LAUGHS + body)
        return dst
    body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
    body = body.replace(b"</sheetData>", b"<row r=\"99\"><c r=\"A99\" t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData>", 1)
    return _replace_member(good_xlsx, dst, member, BILLION_LAUGHS + body)


def truncated(good_xlsx: Path, dst: Path) -> Path:
    data = good_xlsx.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


def random_bytes(dst: Path, n: int = 20_000, seed: int = 7) -> Path:
    import random

    dst.write_bytes(random.Random(seed).randbytes(n))
    return dst


def encrypted_ole(dst: Path) -> Path:
    """The CFB header Excel writes around an encrypted workbook, then filler sectors."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE)
    dst.write_bytes(header.ljust(512, b"\x00") + "EncryptionInfo".encode("utf-16-le").ljust(4096, b"\xff"))
    return dst


def oversized(dst: Path, mib: int = 51) -> Path:
    """A sparse file just over the 50 MiB limit (takes no disk space)."""
    with open(dst, "wb") as fh:
        fh.truncate(mib * MiB)
    return dst


def many_rows_csv(dst: Path, n: int) -> Path:
    """A CSV with ``n`` data rows; the headcount column first keeps each line short."""
    head = "headcount,survey_year,inn,employer,okved,profession_code,profession,education,need_1\n"
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write(head)
        line = "1\n" * 100_000
        for _ in range(n // 100_000):
            fh.write(line)
        fh.write("1\n" * (n % 100_000))
    return dst


__all__ = [name for name in dir() if not name.startswith("_") and name not in ("os", "struct", "zipfile", "Path")]
