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


def cfb_file(dst: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding ``streams``.

    Written from the published format ([MS-CFB]): header, one FAT sector, one directory
    sector, then each stream in regular sectors (streams under 4096 bytes belong in the
    mini stream by the format; readers that only list the directory do not care, and
    the hostile cases only need the directory).
    """
    names = list(streams)
    assert len(names) <= 3
    sect = 512
    data_sectors = []
    for n in names:
        body = streams[n]
        k = max(1, -(-len(body) // sect))
        data_sectors.append((n, body, k))
    n_data = sum(k for _, _, k in data_sectors)
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: the FAT itself; sector 1: the directory
    starts = {}
    nxt = 2
    for n, body, k in data_sectors:
        starts[n] = nxt
        fat += [nxt + i + 1 for i in range(k - 1)] + [0xFFFFFFFE]
        nxt += k
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE)
    struct.pack_into("<II", header, 68, 0xFFFFFFFE, 0)
    difat = [0] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)

    def entry(name: str, kind: int, start: int, size: int, child=0xFFFFFFFF, right=0xFFFFFFFF) -> bytes:
        e = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e[:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    dirs = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1 if names else 0xFFFFFFFF)]
    for i, n in enumerate(names):
        dirs.append(entry(n, 2, starts[n], len(streams[n]), right=i + 2 if i + 1 < len(names) else 0xFFFFFFFF))
    directory = b"".join(dirs).ljust(sect, b"\x00")
    body = b"".join(b.ljust(k * sect, b"\x00") for _, b, k in data_sectors)
    dst.write_bytes(bytes(header) + struct.pack("<128I", *fat) + directory + body)
    assert n_data == len(body) // sect
    return dst


def encrypted_ole(dst: Path) -> Path:
    """What Excel writes for a password-protected xlsx: a CFB with an encrypted package."""
    return cfb_file(dst, {"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(60),
                          "EncryptedPackage": bytes(600)})


def word_ole(dst: Path) -> Path:
    """A Word 97–2003 document (a CFB with a WordDocument stream), e.g. saved as .xls."""
    return cfb_file(dst, {"WordDocument": b"\xec\xa5" + bytes(600), "1Table": bytes(100)})


def ods_from(good_ods: Path, dst: Path, member: str, data: bytes | None = None, *,
             bomb_mib: int = 0, lie: bool = False, encrypt: bool = False) -> Path:
    """An ods derived from ``good_ods``: ``member`` replaced by ``data``, or inflating to
    ``bomb_mib`` MiB of blanks (declared 1,000 bytes with ``lie``), or marked encrypted in
    its manifest (what LibreOffice writes for a password-protected file)."""
    with zipfile.ZipFile(good_ods) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "mimetype":
                zi = zipfile.ZipInfo("mimetype")
                zi.compress_type = zipfile.ZIP_STORED
                zout.writestr(zi, body)
                continue
            if encrypt and info.filename == "META-INF/manifest.xml":
                body = body.replace(b'manifest:full-path="content.xml"',
                                    b'manifest:full-path="content.xml" manifest:size="1000"', 1)
                body = body.replace(b"</manifest:manifest>", b'<manifest:file-entry manifest:full-path="x.xml" '
                                    b'manifest:media-type="text/xml"><manifest:encryption-data '
                                    b'manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
                                    b'<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
                                    b'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>'
                                    b'</manifest:file-entry></manifest:manifest>')
            if info.filename == member and bomb_mib:
                zi = zipfile.ZipInfo(member)
                zi.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(zi, "w") as fh:
                    fh.write(b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                             b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">')
                    blank = b" " * MiB
                    for _ in range(bomb_mib):
                        fh.write(blank)
                    fh.write(b"</office:document-content>")
                continue
            if info.filename == member and data is not None:
                body = data
            zout.writestr(info.filename, body)
    if lie:
        _lie_about_size(dst, member, 1000)
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
