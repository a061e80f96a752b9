"""What an OLE compound file (CFB, magic ``D0 CF 11 E0``) holds: the names of its streams.

Excel 97–2003 workbooks (``.xls``: a ``Workbook`` or ``Book`` stream), password-protected
Office Open XML workbooks (``EncryptionInfo`` + ``EncryptedPackage``) and Word or other
Office documents all share this container; survey-format.md reads the first, refuses the
second as E_ENCRYPTED and the rest as E_FILE_UNREADABLE. Only the directory is read: the
header, the sector allocation table (through the DIFAT) and the directory chain, every loop
bounded by the file's sector count.

Examples
--------
>>> classify({"Root Entry", "Workbook", "\\x05SummaryInformation"})
'xls'
>>> classify({"Root Entry", "EncryptionInfo", "EncryptedPackage"})
'encrypted'
>>> classify({"Root Entry", "WordDocument"})
'other'
"""

from __future__ import annotations

import struct
from pathlib import Path

from forecast.survey.schema import Detail
from forecast.survey.zipscan import FileError

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


def stream_names(path: Path) -> set[str]:
    """Names of the directory entries of the compound file at ``path``."""
    data = path.read_bytes()
    if len(data) < 512 or data[:8] != MAGIC:
        raise FileError("E_FILE_UNREADABLE", Detail.of("not_ole"))
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12):
        raise FileError("E_FILE_UNREADABLE", Detail.of("ole_sector_size"))
    size = 1 << shift
    n_sectors = (len(data) - 512 + size - 1) // size
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    first_difat, n_difat = struct.unpack_from("<II", data, 68)

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise FileError("E_FILE_UNREADABLE", Detail.of("ole_sector_range"))
        off = 512 + i * size
        return data[off:off + size]

    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s != _FREE]
    nxt, seen = first_difat, 0
    while nxt not in (_END, _FREE) and seen < min(n_difat, n_sectors):
        block = sector(nxt)
        vals = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += [s for s in vals[:-1] if s != _FREE]
        nxt, seen = vals[-1], seen + 1
    fat_sectors = fat_sectors[:n_fat]
    fat: list[int] = []
    for s in fat_sectors:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    names: set[str] = set()
    cur, steps = first_dir, 0
    while cur not in (_END, _FREE):
        if steps > n_sectors or cur >= len(fat):
            raise FileError("E_FILE_UNREADABLE", Detail.of("ole_directory"))
        block = sector(cur)
        for off in range(0, size, 128):
            entry = block[off:off + 128]
            n = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind in (1, 2, 5) and 2 <= n <= 64:
                names.add(entry[:n - 2].decode("utf-16-le", "replace"))
        cur, steps = fat[cur], steps + 1
    return names


def classify(names: set[str]) -> str:
    """``"xls"``, ``"encrypted"`` or ``"other"`` for the stream names of a compound file."""
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        return "encrypted"
    if "Workbook" in names or "Book" in names:
        return "xls"
    return "other"
