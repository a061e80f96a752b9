"""read_surveys reads many files in worker processes; the result must be the one process's."""

from __future__ import annotations

import pandas as pd

from forecast.survey import reader
from forecast.survey import read_surveys
from _survey_forms import INN_A, INN_B, row, write_csv, write_xlsx


def _forms(folder):
    # 80 files: two employers submitting again and again (supersession across files decided
    # by path order), bad rows, CSV and xlsx mixed, a hostile file in the middle
    for i in range(80):
        inn = INN_A if i % 2 else INN_B
        rows = [row(inn=inn, headcount=10 + i), row(inn=inn, profession_code="24110", need_1=i % 3)]
        if i % 7 == 0:
            rows.append(row(inn=inn, profession_code="1"))  # E_PROFESSION_CODE
        if i % 3 == 0:
            write_csv(folder / f"f{i:03d}.csv", rows, delimiter=";")
        else:
            write_xlsx(folder / f"f{i:03d}.xlsx", rows)
    (folder / "f040b.xlsx").write_bytes(b"PK\x03\x04 not a zip")


def test_parallel_read_is_identical_to_one_process(tmp_path, monkeypatch):
    _forms(tmp_path)
    monkeypatch.setattr(reader, "PARALLEL_MIN_FILES", 10**9)
    assert reader._workers(81) == 0
    one = read_surveys(tmp_path)
    monkeypatch.setattr(reader, "PARALLEL_MIN_FILES", 8)
    assert reader._workers(81) >= (2 if reader._workers(10**6) >= 2 else 0)
    many = read_surveys(tmp_path)
    assert many.report() == one.report()
    # the row rules also run chunk by chunk while files arrive: any chunk size, same result
    monkeypatch.setattr(reader._RowChunks, "FILES", 3)
    chunked = read_surveys(tmp_path)
    assert chunked.report() == one.report()
    pd.testing.assert_frame_equal(chunked.frame, one.frame)
    pd.testing.assert_frame_equal(many.frame, one.frame)
    pd.testing.assert_frame_equal(many.issues, one.issues)
    c = one.counts
    assert c["files"] == 81 and c["files_failed"] == 1
    assert c["rows_read"] == c["accepted"] + c["merged"] + c["superseded"] + c["rejected"]
    # the latest path of each employer wins: f079 (INN_A, xlsx) and f078 (INN_B, 78 = 3·26: CSV)
    assert sorted(one.frame["file"].str.rsplit("/", n=1).str[-1].unique()) == ["f078.csv", "f079.xlsx"]
