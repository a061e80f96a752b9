"""Random cells in every column: never an exception, the accounting always holds."""

from __future__ import annotations

import datetime as dt
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.survey import read_surveys
from _survey_forms import KEYS, assert_accounting, row, write_csv, write_xlsx

text = st.text(alphabet=string.ascii_letters + string.digits + " ,.-–;\"'ИтогоВсегоёЁ\u00a0", max_size=12)
cell = st.one_of(st.none(), text, st.integers(-10**13, 10**13), st.booleans(),
                 st.floats(-1e13, 1e13, allow_nan=False, allow_infinity=False),
                 st.dates(dt.date(1990, 1, 1), dt.date(2110, 1, 1)))
mutation = st.dictionaries(st.sampled_from(KEYS), cell, max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(mutation, min_size=1, max_size=8), as_csv=st.booleans())
def test_random_cells_never_crash(tmp_path_factory, mutations, as_csv):
    folder = tmp_path_factory.mktemp("fuzz")
    rows = [row(**m) for m in mutations]
    if as_csv:
        write_csv(folder / "f.csv", rows, delimiter=";")
    else:
        write_xlsx(folder / "f.xlsx", rows)
    d = read_surveys(folder)
    assert_accounting(d)
    failed = [i["code"] for i in d.report()["issues"] if i["row"] is None and i["severity"] == "error"]
    # the form's need headers are years (2027 …): a row with another survey year makes them
    # other offsets (no need_1) or mixes years in the file — file-level failures by contract
    assert failed in ([], ["E_MISSING_COLUMN"], ["E_MIXED_YEARS"])
    assert not failed or any("survey_year" in m for m in mutations)
    rep = d.report()
    assert rep["rows_read"] <= len(rows)
    for i in rep["issues"]:
        assert i["severity"] in ("error", "warning") and i["code"][:2] in ("E_", "W_")
    # every rejected row has at least one error issue on it
    err_rows = {i["row"] for i in rep["issues"] if i["severity"] == "error" and i["row"] is not None}
    assert len(err_rows) == d.counts["rejected"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6))
def test_corrupted_workbook_bytes_never_crash(tmp_path_factory, flips):
    folder = tmp_path_factory.mktemp("bytes")
    good = write_xlsx(folder / "a_good.xlsx", [row(), row(profession_code="24110")])
    data = bytearray(good.read_bytes())
    for where, value in flips:
        data[int(where * len(data))] = value
    (folder / "b_bad.xlsx").write_bytes(bytes(data))
    d = read_surveys(folder)
    assert_accounting(d)
    assert d.counts["files"] == 2 and d.counts["accepted"] >= 2  # the good file is always read
    bad = [i for i in d.report()["issues"] if i["file"].endswith("b_bad.xlsx") and i["row"] is None]
    assert len(bad) <= 1
