"""Hostile files: each yields exactly one file-level issue, refused by work limits (bytes
inflated, cells, rows, memory — never by the clock), and the batch goes on.

No test here asserts a wall-clock bound: survey-format.md measures limits in work so that a
file's outcome is the same on any machine under any load (the 60 s net is a last resort).
"""

from __future__ import annotations

import os
import resource
from pathlib import Path
import time
import tracemalloc

import pytest

from forecast.survey import read_surveys
from _survey_forms import assert_accounting, issues_of, row, write_csv, write_xlsx
import hostile

LIMIT_BYTES = 500 * 2**20
MiB = 2**20


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    d = tmp_path_factory.mktemp("good")
    return write_xlsx(d / "good.xlsx", [row(), row(profession_code="24110", employer="ООО «Строка»")])


FIX = Path(__file__).resolve().parent / "fixtures" / "survey"
GOOD_ODS = FIX / "departments.ods"


def _far_cell_xlsx(good, p):
    # a tiny sheet XML whose one stray cell at XFD1048576 makes the used range 17 billion
    # cells: refused before the sheet is loaded
    import zipfile

    with zipfile.ZipFile(good) as zf:
        body = zf.read("xl/worksheets/sheet1.xml")
    body = body.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return hostile._replace_member(good, p, "xl/worksheets/sheet1.xml", body)


def _far_cell_ods(p):
    def far(b):
        return b.replace(b"</table:table>", b'<table:table-row table:number-rows-repeated="20000">'
                         b'<table:table-cell/></table:table-row>'
                         b'<table:table-row><table:table-cell table:number-columns-repeated="1000"/>'
                         b'<table:table-cell office:value-type="float" office:value="1">'
                         b"<text:p>1</text:p></table:table-cell></table:table-row></table:table>", 1)
    return hostile.ods_from(GOOD_ODS, p, "content.xml", far(_member(GOOD_ODS, "content.xml")))


def _member(path, name):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _case(name, tmp, good):
    p = tmp / name
    if name == "bomb.xlsb":
        return hostile.ods_from(FIX / "sheets.xlsb", p, "xl/worksheets/sheet1.bin", bomb_mib=150), "E_FILE_TOO_LARGE"
    if name == "truncated.xlsb":
        data = (FIX / "sheets.xlsb").read_bytes()
        p.write_bytes(data[:len(data) // 2])
        return p, "E_FILE_UNREADABLE"
    if name == "bomb.ods":
        return hostile.ods_from(GOOD_ODS, p, "content.xml", bomb_mib=150), "E_FILE_TOO_LARGE"
    if name == "bomb_lying.ods":
        return hostile.ods_from(GOOD_ODS, p, "content.xml", bomb_mib=260, lie=True), "E_FILE_TOO_LARGE"
    if name == "bomb_styles.ods":
        return hostile.ods_from(GOOD_ODS, p, "styles.xml", bomb_mib=260), "E_FILE_TOO_LARGE"
    if name in ("laughs_content.ods", "laughs_styles.ods"):
        member = "content.xml" if "content" in name else "styles.xml"
        body = _member(GOOD_ODS, member)
        body = hostile.BILLION_LAUGHS + (body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body)
        return hostile.ods_from(GOOD_ODS, p, member, body), "E_UNSAFE_XML"
    if name == "encrypted.ods":
        return hostile.ods_from(GOOD_ODS, p, "content.xml", encrypt=True), "E_ENCRYPTED"
    if name == "password.xls":
        p.write_bytes((FIX / "password.xls").read_bytes())
        return p, "E_ENCRYPTED"
    if name == "password.ods":
        p.write_bytes((FIX / "password.ods").read_bytes())
        return p, "E_ENCRYPTED"
    if name == "truncated.xls":
        data = (FIX / "sheets.xls").read_bytes()
        p.write_bytes(data[:len(data) // 3])
        return p, "E_FILE_UNREADABLE"
    if name == "far_cell.xlsx":
        return _far_cell_xlsx(good, p), "E_FILE_TOO_LARGE"
    if name == "far_cell.ods":
        return _far_cell_ods(p), "E_FILE_TOO_LARGE"
    if name == "zip_not_workbook.xlsx":
        import zipfile

        with zipfile.ZipFile(p, "w") as z:
            z.writestr("readme.txt", "hello")
        return p, "E_FILE_UNREADABLE"
    if name == "html_as.xls":
        p.write_text("<html><body><table><tr><td>ИНН</td></tr></table></body></html>", encoding="utf-8")
        return p, "E_FILE_UNREADABLE"
    if name == "bomb.xlsx":
        return hostile.zip_bomb(good, p), "E_FILE_TOO_LARGE"
    if name == "bomb_lying.xlsx":
        return hostile.zip_bomb(good, p, lie=True), "E_FILE_TOO_LARGE"
    if name == "laughs_sheet.xlsx":
        return hostile.entity_bomb(good, p, "xl/worksheets/sheet1.xml"), "E_UNSAFE_XML"
    if name == "laughs_strings.xlsx":
        return hostile.entity_bomb(good, p, "xl/sharedStrings.xml"), "E_UNSAFE_XML"
    if name == "laughs_workbook.xlsx":
        return hostile.entity_bomb(good, p, "xl/workbook.xml"), "E_UNSAFE_XML"
    if name == "truncated.xlsx":
        return hostile.truncated(good, p), "E_FILE_UNREADABLE"
    if name == "random.xlsx":
        return hostile.random_bytes(p), "E_FILE_UNREADABLE"
    if name == "encrypted.xlsx":
        return hostile.encrypted_ole(p), "E_ENCRYPTED"
    if name == "word_as.xls":
        return hostile.word_ole(p), "E_FILE_UNREADABLE"
    if name == "encrypted_as.xls":
        return hostile.encrypted_ole(p), "E_ENCRYPTED"
    if name == "empty.csv":
        p.write_bytes(b"")
        return p, "E_NO_HEADER"
    if name == "utf16.csv":
        return write_csv(p, [row()], encoding="utf-16"), "E_FILE_UNREADABLE"
    if name == "utf16le_nobom.csv":
        return write_csv(p, [row()], encoding="utf-16-le"), "E_FILE_UNREADABLE"
    if name == "noheader.xlsx":
        return write_xlsx(p, [row()], header_cells=["a", "b", "c"]), "E_NO_HEADER"
    if name == "noheader.csv":
        p.write_text("just,some\ntext,here\n", encoding="utf-8")
        return p, "E_NO_HEADER"
    if name == "huge.csv":
        return hostile.oversized(p), "E_FILE_TOO_LARGE"
    if name == "rows.csv":
        return hostile.many_rows_csv(p, 1_000_001), "E_FILE_TOO_LARGE"
    raise AssertionError(name)


CASES = ["bomb.xlsx", "bomb_lying.xlsx", "laughs_sheet.xlsx", "laughs_strings.xlsx", "laughs_workbook.xlsx",
         "truncated.xlsx",
         "random.xlsx", "encrypted.xlsx", "empty.csv", "utf16.csv", "utf16le_nobom.csv", "noheader.xlsx",
         "noheader.csv", "huge.csv", "rows.csv", "word_as.xls", "encrypted_as.xls",
         # version 2 formats
         "bomb.ods", "bomb_lying.ods", "bomb_styles.ods", "laughs_content.ods", "laughs_styles.ods",
         "encrypted.ods", "password.xls", "password.ods", "truncated.xls", "far_cell.xlsx", "far_cell.ods",
         "zip_not_workbook.xlsx", "html_as.xls", "bomb.xlsb", "truncated.xlsb"]


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def measure(fn):
    """Run ``fn``; return (result, seconds (reported, never asserted), an upper bound of the
    memory it added).

    The bound is the process's peak RSS after the call minus its RSS before (it counts
    native memory too, e.g. calamine's). When an earlier test already pushed the peak past
    the budget, that bound says nothing, and Python allocations are traced instead.
    """
    before = _rss()
    if _maxrss() - before >= LIMIT_BYTES:
        tracemalloc.start()
        try:
            t0 = time.perf_counter()
            out = fn()
            return out, time.perf_counter() - t0, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, _maxrss() - before


@pytest.mark.parametrize("name", CASES)
def test_hostile_file_is_one_issue_and_batch_goes_on(tmp_path, good, name):
    path, code = _case(name, tmp_path, good)
    data, _, peak = measure(lambda: read_surveys([path, good]))
    assert peak < LIMIT_BYTES
    bad = [i for i in issues_of(data) if i["file"] == path.as_posix()]
    assert [(i["code"], i["row"], i["severity"]) for i in bad] == [(code, None, "error")], bad
    assert data.counts["files"] == 2 and data.counts["files_failed"] == 1
    assert data.counts["accepted"] == 2 and data.counts["rows_read"] == 2  # the good file is read
    assert_accounting(data)


def test_row_limit_is_exact(tmp_path):
    # 1,000,000 data rows are allowed, one more is not (the case above)
    from forecast.survey.reader import read_file

    p = hostile.many_rows_csv(tmp_path / "ok.csv", 1_000_000)
    (table,) = read_file(p)
    assert len(table.rows) == 1_000_000


def test_parse_net_is_the_last_resort(tmp_path, good):
    # the wall-clock net exists (here forced to 0 s) but no limit depends on it by default
    from forecast.params import PARSE_NET_SECONDS
    from forecast.survey.physical import FileError, Work
    from forecast.survey.reader import read_file

    assert PARSE_NET_SECONDS == 60
    with pytest.raises(FileError) as exc:
        read_file(good, Work(net_seconds=0.0))
    assert exc.value.code == "E_FILE_TOO_LARGE" and "longer than" in str(exc.value.detail)


@pytest.mark.parametrize("mib, lie, why, most", [
    (260, False, "MiB of XML declared", 0),                  # refused before inflating anything
    (150, False, "times its compressed size", 2 * MiB + 2**16),  # the ratio rule, after the first MiB
    (260, True, "declared size", MiB + 2**16),              # the lie shows after 1,000 bytes
])
def test_zip_bomb_is_refused_by_work(tmp_path, good, mib, lie, why, most):
    # a bomb is refused at once: the work done is at most a couple of MiB inflated (one
    # output chunk is 1 MiB), never the bomb's hundreds
    from forecast.survey.physical import FileError, Work
    from forecast.survey.reader import read_file

    p = hostile.zip_bomb(good, tmp_path / "b.xlsx", mib=mib, lie=lie)
    work = Work()
    with pytest.raises(FileError) as exc:
        read_file(p, work)
    assert exc.value.code == "E_FILE_TOO_LARGE"
    assert why in exc.value.detail
    assert work.inflated <= most, work.inflated


def test_lying_size_within_limits_is_too_large(tmp_path, good):
    # spec v2: a member inflating past its declared size is E_FILE_TOO_LARGE at once
    from forecast.survey.physical import Work
    from forecast.survey.zipscan import FileError, scan_zip

    p = hostile.zip_bomb(good, tmp_path / "small_lie.xlsx", mib=1, lie=True)
    (iss,) = issues_of(read_surveys(p))
    assert iss["code"] == "E_FILE_TOO_LARGE" and "declared" in iss["message"]
    work = Work()
    with pytest.raises(FileError):
        scan_zip(p, work)
    assert work.inflated <= 2 * MiB  # stopped at the first output chunk past 1,000 bytes


def test_shorter_than_declared_is_corrupt(tmp_path, good):
    import struct
    import zipfile

    p = tmp_path / "short.xlsx"
    p.write_bytes(good.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    hostile._lie_about_size(p, info.filename, info.file_size + 10)
    (iss,) = issues_of(read_surveys(p))
    assert iss["code"] == "E_FILE_UNREADABLE" and "declared" in iss["message"]
    del struct


def test_unexpected_exception_becomes_unreadable(tmp_path, good, monkeypatch):
    from forecast.survey import reader

    def boom(*a, **k):
        raise RuntimeError("simulated parser crash")

    monkeypatch.setattr(reader, "build_table", boom)
    data = read_surveys(good)
    (iss,) = issues_of(data)
    assert iss["code"] == "E_FILE_UNREADABLE" and "simulated parser crash" in iss["message"]


def test_utf16_entity_declaration_is_found(tmp_path, good):
    import zipfile

    body = hostile.BILLION_LAUGHS.decode() + "<worksheet/>"
    p = tmp_path / "wide.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = body.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
            zout.writestr(info.filename, data)
    (iss,) = issues_of(read_surveys(p))
    assert iss["code"] == "E_UNSAFE_XML"


def test_binary_parts_with_nul_bytes_are_fine(tmp_path, good):
    import zipfile

    p = tmp_path / "printer.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("xl/printerSettings/printerSettings1.bin", "HP LaserJet".encode("utf-16-le") + bytes(200))
        zout.writestr("xl/media/image1.emf", b"\x01\x00\x00\x00" + bytes(100))
    d = read_surveys(p)
    assert d.counts["accepted"] == 2 and issues_of(d) == []


@pytest.mark.parametrize("member, lie", [("content.xml", False), ("content.xml", True), ("styles.xml", False)])
def test_ods_bomb_is_refused_by_work(tmp_path, member, lie):
    from forecast.survey.physical import FileError, Work
    from forecast.survey.reader import read_file

    p = hostile.ods_from(GOOD_ODS, tmp_path / "b.ods", member, bomb_mib=150, lie=lie)
    work = Work()
    with pytest.raises(FileError) as exc:
        read_file(p, work)
    assert exc.value.code == "E_FILE_TOO_LARGE"
    assert work.inflated <= 2 * MiB + 2**16, work.inflated


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_far_cell_is_refused_before_the_sheet_is_loaded(tmp_path, good, kind):
    from forecast.survey.physical import FileError, Work
    from forecast.survey.reader import read_file

    p = _far_cell_xlsx(good, tmp_path / "f.xlsx") if kind == "xlsx" else _far_cell_ods(tmp_path / "f.ods")
    work = Work()
    with pytest.raises(FileError) as exc:
        read_file(p, work)
    assert exc.value.code == "E_FILE_TOO_LARGE" and "cells" in exc.value.detail
    assert work.cells == 0  # no sheet range was loaded
