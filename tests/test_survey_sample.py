"""The bundled sample region's forms (written by forecast.sample, an independent writer) read cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from forecast.survey import read_surveys

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FILE_CODES = {"E_FILE_UNREADABLE", "E_NO_HEADER", "E_MISSING_COLUMN", "E_MIXED_YEARS",
              "E_FILE_TOO_LARGE", "E_ENCRYPTED", "E_UNSAFE_XML"}

pytestmark = pytest.mark.skipif(not (SAMPLE / "surveys").is_dir(), reason="sample region not generated")


@pytest.fixture(scope="module")
def sample():
    return read_surveys(SAMPLE / "surveys", controls=SAMPLE / "controls.csv")


def test_accounting_and_failures(sample):
    c = sample.counts
    assert c["rows_read"] == c["accepted"] + c["merged"] + c["superseded"] + c["rejected"]
    assert c["rows_read"] > 1000 and c["accepted"] > 0.9 * c["rows_read"]
    failed = sample.issues[sample.issues["code"].isin(FILE_CODES)]
    assert len(failed) == c["files_failed"]
    # the generator writes a few broken files on purpose (a UTF-16 CSV, a letter, a draft):
    # each is one file-level issue without a row, and the batch went on
    assert failed["row"].isna().all() and not failed.duplicated("file").any()
    assert c["files_failed"] < 0.05 * c["files"]
    assert any("utf16" in f for f in failed["file"])
    reasons = {Path(s["file"]).name: s["reason"] for s in sample.skipped}
    assert any(n.startswith("~$") for n in reasons) and any(n.endswith(".txt") for n in reasons)


def test_frame_is_one_row_per_key_in_its_wave_folder(sample):
    f = sample.frame
    assert not f.duplicated(["survey_year", "inn", "profession_code", "education"]).any()
    folder_year = f["file"].map(lambda p: int(re.search(r"/surveys/(\d{4})/", p).group(1)))
    assert (folder_year == f["survey_year"]).all()
    assert (f["weight"] > 0).all() and np.isfinite(f["weight"]).all()
    assert f["okved_section"].notna().all() and f["education"].notna().all()


def test_report_rows_are_ints_or_null(sample):
    rows = [i["row"] for i in sample.report()["issues"]]
    assert {type(r) for r in rows} <= {int, type(None)}
