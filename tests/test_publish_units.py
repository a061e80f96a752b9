"""Unit and property tests of the publication's building blocks (escaping, numbers, CSV, charts)."""

from __future__ import annotations

import csv
import html
import io
import math
from urllib.parse import unquote

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecast.errors import InputError
from forecast.publish.charts import grouped_bars, hbar_chart
from forecast.publish.html import Column, esc, fmt_num, num_repr, table, where
from forecast.publish.opendata import csv_text, field_format, version_dates
from forecast.publish.read import read_output, read_table


@given(st.text())
def test_esc_leaves_no_markup_and_reads_back(s):
    out = esc(s)
    assert "<" not in out and ">" not in out and '"' not in out
    back = html.unescape(out)
    if s[:1] in ("=", "+", "-", "@", "\t", "\r"):
        assert back == "'" + s
    else:
        assert back == s


@pytest.mark.parametrize("value, digits, lang, shown", [
    (1234567.4, 0, "ru", "1\u00a0234\u00a0567"),
    (1234567.4, 0, "en", "1,234,567"),
    (0.155, 2, "ru", "0,15"),  # float 0.155 is 0.15499…
    (-0.4, 0, "ru", "0"),
    (-1500, 0, "en", "-1,500"),
    (None, 0, "ru", "—"),
    (float("nan"), 1, "en", "—"),
])
def test_fmt_num(value, digits, lang, shown):
    assert fmt_num(value, digits, lang) == shown


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_num_repr_round_trips(x):
    assert float(num_repr(x)) == x


@given(st.dictionaries(st.sampled_from(["scenario", "department", "college_code", "year>"]), st.text(), min_size=1))
def test_where_round_trips_any_text(conds):
    raw = html.unescape(where(conds))
    parsed = {}
    for part in raw.split("&"):
        for op in ("=", ">"):
            key, sep, val = part.partition(op)
            if sep and key.isidentifier():
                parsed[key + (">" if op == ">" else "")] = unquote(val)
                break
    assert parsed == conds


@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
                         min_size=2, max_size=2), min_size=1, max_size=6))
def test_csv_text_is_rfc4180_and_reads_back(rows):
    text = csv_text(rows)
    back = list(csv.reader(io.StringIO(text, newline="")))
    # a row of one empty field is written as an empty line, which a reader drops; two fields never are
    assert back == rows


def test_version_dates_come_from_the_survey_year():
    assert version_dates(2025) == ("20251201", "20261201")


def test_field_format():
    assert field_format("year", pd.Series([2026.0, 2027.0])) == "integer"
    assert field_format("quota", pd.Series([3.0, float("nan")])) == "integer"
    assert field_format("quota", pd.Series([3.5])) == "float"  # not whole: not declared integer
    assert field_format("demand", pd.Series([3.0])) == "float"
    assert field_format("profession_code", pd.Series(["11442"], dtype=object)) == "string"


def test_table_totals_and_sources():
    frame = pd.DataFrame({"code": ["A", "B"], "v": [1.25, 2.5]})
    out = table(frame, [Column("code", "Code"), Column("v", "V", 1, "demand", (("year", 2027),), total=True)],
                caption="c <x>", lang="en", src="demand.csv", table_where={"level": "section"},
                row_where=["code"], total_label="Total")
    assert "c &lt;x&gt;" in out and 'data-src="demand.csv"' in out
    assert 'data-where="code=A"' in out and 'data-v="3.75" data-col="demand"' in out and 'data-agg="sum"' in out
    assert ">3.8<" in out or ">3.7<" in out


def test_charts_escape_labels_and_handle_empty_and_nan():
    svg = hbar_chart([("<b>", float("nan")), ("x", 0.0)], title="t", desc="d", chart_id="c", lang="ru")
    assert "&lt;b&gt;" in svg and "<b>" not in svg and 'width="0.0"' in svg
    svg = grouped_bars([], [], title="t", desc="d", chart_id="g", lang="en")
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_read_errors_name_the_file_and_column(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        read_output(tmp_path / "none")
    with pytest.raises(InputError, match="manifest.json"):
        read_output(tmp_path)
    with pytest.raises(InputError, match="lacks column"):
        read_table(b"\xef\xbb\xbfscenario,quota\nbase,1\n", "quotas_programmes.csv", ("scenario", "programme_code"))
    with pytest.raises(InputError, match="row 3, column quota"):
        read_table(b"scenario,quota\nbase,1\nbase,many\n", "q.csv", ("scenario", "quota"))
    t = read_table(b"scenario,programme_code,quota\nbase,08.01.07,1\nbase,09.02.01,\n", "q.csv", ("quota",))
    assert t["programme_code"].tolist() == ["08.01.07", "09.02.01"]
    assert t["quota"].iloc[0] == 1.0 and math.isnan(t["quota"].iloc[1])
