"""``kadry publish``: the static site and the open-data sets of a real run (interfaces.md).

One small generated region is run once through ``forecast.run`` (module fixture); its output
folder is published as is, and a copy with hostile survey text (``<script>``, ``=HYPERLINK``)
and a ``department`` column is published too. Every page is parsed by html5lib in strict
mode, every local link and asset followed, no URL may point to another host, and every
number cell of every table is checked against the CSV files it came from.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import html5lib
import numpy as np
import pandas as pd
import pytest

from forecast.cli import main
from forecast.publish import publish
from forecast.publish.opendata import STANDARD_VERSION, STRUCTURE_HEADER
from forecast.publish.read import TEXT_COLUMNS

T = 2026
PAGES = ["index.html", "demand.html", "quotas.html", "methodology.html", "data.html"]
NS = "{http://www.w3.org/1999/xhtml}"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
DEPARTMENTS = ["образование", "здравоохранение", "<b>культура</b>"]


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    import forecast as fc
    from forecast.sample import generate_region, write_region

    region = tmp_path_factory.mktemp("publish_region")
    write_region(generate_region(seed=21, n_employers=60, first_wave=2022, last_wave=T), region, layout="csv")
    out = tmp_path_factory.mktemp("publish_out") / "out"
    fc.run(region / "kadry.toml", out=out).write(out)
    return out


def _read(p: Path) -> pd.DataFrame:
    return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(df: pd.DataFrame, p: Path) -> None:
    df.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")


@pytest.fixture(scope="module")
def hostile(output, tmp_path_factory) -> Path:
    """A copy of the output folder with hostile names and a department per college."""
    out = tmp_path_factory.mktemp("publish_hostile") / "out"
    shutil.copytree(output, out)
    d = _read(out / "demand.csv")
    codes = sorted(c for c in d["profession_code"].unique() if c)
    d.loc[d["profession_code"] == codes[0], "profession"] = SCRIPT
    d.loc[d["profession_code"] == codes[1], "profession"] = FORMULA
    _write(d, out / "demand.csv")
    qc = _read(out / "quotas_colleges.csv")
    colleges = sorted(qc["college_code"].unique())
    assert len(colleges) >= 3
    dept = {c: DEPARTMENTS[i % len(DEPARTMENTS)] for i, c in enumerate(colleges)}
    if "department" in qc.columns:  # runs that write the column: replace it by these names
        qc["department"] = qc["college_code"].map(dept)
    else:
        qc.insert(qc.columns.get_loc("college") + 1, "department", qc["college_code"].map(dept))
    qc.loc[qc["college_code"] == colleges[0], "college"] = SCRIPT
    _write(qc, out / "quotas_colleges.csv")
    qp = _read(out / "quotas_programmes.csv")
    qp.loc[qp["programme_code"] == sorted(qp["programme_code"])[0], "programme"] = FORMULA
    _write(qp, out / "quotas_programmes.csv")
    # the tables of methodology.md §8–9 (written by newer runs): shown as they are
    first = qp.iloc[0]
    _write(pd.DataFrame({
        "scenario": ["base", "base", "target"], "signal": ["growth", "new_profession", "growth"],
        "programme_code": [first["programme_code"]] * 3, "programme": [FORMULA] * 3,
        "profession_code": [codes[0], codes[1], codes[0]], "profession": [SCRIPT, "x", SCRIPT],
        "education": ["СПО-КРС"] * 3, "value": ["0.4", "12", "0.5"], "threshold": ["0.25", "10", "0.25"],
        "message": [SCRIPT + " растёт на 40%", "новая профессия", "рост 50%"]}), out / "programme_signals.csv")
    _write(pd.DataFrame({"level": ["total", "section"], "key": ["", "C"], "year": ["2025", "2025"],
                         "forecast": ["100.5", "40"], "actual": ["98", ""], "error": ["2.5", ""]}),
           out / "evaluation.csv")
    return out


@pytest.fixture(scope="module")
def site(output) -> Path:
    return publish(output)


@pytest.fixture(scope="module")
def hsite(hostile) -> Path:
    return publish(hostile)


def _parse(path: Path):
    return _parse_bytes(path.read_bytes())


@functools.lru_cache(maxsize=64)
def _parse_bytes(data: bytes):
    # strict: any HTML parse error (unclosed element, stray tag, bad nesting) fails the test
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(data, transport_encoding="utf-8")


def _tag(el) -> str:
    return el.tag.split("}")[-1]


def _text(el) -> str:
    return "".join(el.itertext())


# --------------------------------------------------------------------------- pages and links
@pytest.mark.parametrize("which", ["site", "hsite"])
def test_every_page_parses_and_every_local_link_and_asset_exists(which, request):
    root = request.getfixturevalue(which)
    checked = 0
    ids = {p: {el.get("id") for el in _parse(root / p).iter() if el.get("id")} for p in PAGES}
    for name in PAGES:
        doc = _parse(root / name)
        html_el = doc if _tag(doc) == "html" else doc.find(f"{NS}html")
        assert html_el.get("lang") in ("ru", "en")
        for el in doc.iter():
            for a in ("href", "src", "srcset", "action", "data", "poster", "{http://www.w3.org/1999/xlink}href"):
                url = el.get(a)
                if url is None:
                    continue
                u = urlparse(url)
                assert not u.scheme and not u.netloc, f"{name}: <{_tag(el)} {a}={url!r}> leaves the site"
                target = name if not u.path else unquote(u.path)
                assert (root / target).is_file(), f"{name}: {url} does not exist"
                if u.fragment:
                    assert u.fragment in ids[target], f"{name}: {url}: no such anchor"
                checked += 1
        # every <script> and stylesheet is local; nothing embeds another document
        assert not list(doc.iter(f"{NS}iframe")) and not list(doc.iter(f"{NS}object"))
        assert not list(doc.iter(f"{NS}embed"))
        for s in doc.iter(f"{NS}script"):
            assert s.get("src") == "assets/sort.js" and not _text(s).strip()
        for el in doc.iter():
            assert "url(" not in (el.get("style") or "")
        assert not list(doc.iter(f"{NS}style"))
    assert checked >= 5 * 8
    css = (root / "assets" / "site.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    js = (root / "assets" / "sort.js").read_text(encoding="utf-8")
    assert not re.search(r"https?:|fetch\(|XMLHttpRequest|import\(|\.src\s*=", js)
    # the site offers the run's CSV files byte for byte
    out = root.parent
    for f in ("demand.csv", "quotas_programmes.csv", "quotas_colleges.csv"):
        assert (root / "data" / f).read_bytes() == (out / f).read_bytes()


def test_charts_have_text_alternatives_and_their_data(site):
    n_svg = n_img = 0
    for name in PAGES:
        doc = _parse(site / name)
        for svg in doc.iter("{http://www.w3.org/2000/svg}svg"):
            n_svg += 1
            assert svg.get("role") == "img"
            title = svg.find("{http://www.w3.org/2000/svg}title")
            desc = svg.find("{http://www.w3.org/2000/svg}desc")
            assert title is not None and len(_text(title)) > 10 and desc is not None and len(_text(desc)) > 40
            assert set(svg.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
        for img in doc.iter(f"{NS}img"):
            n_img += 1
            assert len(img.get("alt", "")) > 40
        # a chart's numbers are in a table of the page: one table per figure at least
        figures = list(doc.iter(f"{NS}figure"))
        assert len(list(doc.iter(f"{NS}table"))) >= len(figures)
    assert n_svg >= 4 and n_img == 1


# --------------------------------------------------------------------------- numbers
def _conditions(text: str | None) -> list[tuple[str, str, str]]:
    out = []
    for part in (text or "").split("&"):
        if not part:
            continue
        m = re.fullmatch(r"([a-z_0-9]+)([=>])(.*)", part)
        assert m, part
        out.append((m.group(1), m.group(2), unquote(m.group(3))))
    return out


class Indexed:
    """A CSV with cached condition masks (thousands of cells ask the same few conditions)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.num = {c: pd.to_numeric(frame[c].replace("", None), errors="coerce").to_numpy(dtype=float)
                    for c in frame.columns if c not in TEXT_COLUMNS}
        self.text = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
        self.masks: dict = {}

    def mask(self, conds) -> np.ndarray:
        m = np.ones(len(self.frame), dtype=bool)
        for cond in conds:
            if cond not in self.masks:
                key, op, val = cond
                if op == ">":
                    self.masks[cond] = self.num[key] > float(val)
                elif key in TEXT_COLUMNS:
                    self.masks[cond] = self.text[key] == val
                else:
                    self.masks[cond] = self.num[key] == float(val)
            m &= self.masks[cond]
        return m


def _shown(text: str, lang: str) -> float | None:
    t = text.replace("\u00a0", "").replace(" ", "")
    if t in ("—", ""):
        return None
    return float(t.replace(",", "")) if lang == "en" else float(t.replace(",", "."))


def check_tables(root: Path, out: Path) -> int:
    """Every number cell of every table equals (the sum of) the CSV cells it names; returns the count."""
    csvs = {f: Indexed(_read(out / f)) for f in ("demand.csv", "quotas_programmes.csv", "quotas_colleges.csv",
                                                 "programme_signals.csv", "evaluation.csv") if (out / f).is_file()}
    checked = 0
    for name in PAGES:
        doc = _parse(root / name)
        lang = doc.get("lang")
        for tab in doc.iter(f"{NS}table"):
            src = tab.get("data-src")
            cells = [td for td in tab.iter(f"{NS}td") if "num" in (td.get("class") or "")]
            if src is None:
                assert not cells, f"{name}: a table of numbers without data-src"
                continue
            ix = csvs[src]
            tconds = _conditions(tab.get("data-where"))
            for tr in tab.iter(f"{NS}tr"):
                rconds = _conditions(tr.get("data-where"))
                row = tr.get("data-row")
                for td in tr.iter(f"{NS}td"):
                    if "num" not in (td.get("class") or ""):
                        continue
                    col = td.get("data-col")
                    assert col, f"{name}: number cell without its source column"
                    v = td.get("data-v")
                    if row is not None:
                        x = ix.num[col][int(row)]
                        expect = None if math.isnan(x) else float(x)
                    else:
                        agg = td.get("data-agg") is not None
                        conds = tconds + ([] if agg else rconds) + _conditions(td.get("data-where"))
                        m = ix.mask(tuple(conds))
                        assert m.any(), f"{name}: {src} has no rows for {conds}"
                        vals = ix.num[col][m]
                        vals = vals[~np.isnan(vals)]
                        expect = math.fsum(vals) if len(vals) else None
                    if expect is None:
                        assert v == "" and _text(td) == "—"
                    else:
                        assert math.isclose(float(v), expect, rel_tol=1e-9, abs_tol=1e-9), (name, col, v, expect)
                        shown = _shown(_text(td), lang)
                        assert shown is not None and abs(shown - float(v)) <= 0.5 + 1e-9, (name, _text(td), v)
                    checked += 1
    return checked


def test_every_table_number_equals_the_csv_outputs(site, output):
    assert check_tables(site, output) > 2000


def test_every_table_number_equals_the_csv_outputs_with_departments(hsite, hostile):
    assert check_tables(hsite, hostile) > 2000


def test_the_check_fails_on_a_wrong_number_or_a_wrong_source(site, output, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(site, bad)
    page = bad / "quotas.html"
    text = page.read_text(encoding="utf-8")
    m = re.search(r'<td class="num" data-v="(\d+)" data-col="quota">(\d+)</td>', text)
    assert m
    v = int(m.group(1)) + 1
    page.write_text(text[:m.start()] + f'<td class="num" data-v="{v}" data-col="quota">{v}</td>' + text[m.end():],
                    encoding="utf-8")
    with pytest.raises(AssertionError):
        check_tables(bad, output)
    page.write_text(text.replace('data-col="last_quota"', 'data-col="quota"', 1), encoding="utf-8")
    with pytest.raises(AssertionError):
        check_tables(bad, output)


def test_plain_cells_name_exactly_one_csv_row(site, output):
    """A cell outside the foot and without year-range conditions is one CSV row, not a sum."""
    d = Indexed(_read(output / "demand.csv"))
    doc = _parse(site / "demand.html")
    n = 0
    for tab in doc.iter(f"{NS}table"):
        if tab.get("data-src") != "demand.csv":
            continue
        for tr in tab.find(f"{NS}tbody").iter(f"{NS}tr"):
            for td in tr.iter(f"{NS}td"):
                w = td.get("data-where") or ""
                if td.get("data-col") and ">" not in unquote(w):
                    conds = _conditions(tab.get("data-where")) + _conditions(tr.get("data-where")) + _conditions(w)
                    assert d.mask(tuple(conds)).sum() == 1, conds
                    n += 1
    assert n > 100


# --------------------------------------------------------------------------- escaping
def test_survey_text_is_escaped(hsite):
    seen_script = seen_formula = False
    for name in PAGES:
        raw = (hsite / name).read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "<b>культура" not in raw
        doc = _parse(hsite / name)
        scripts = list(doc.iter(f"{NS}script"))
        assert len(scripts) == 1 and scripts[0].get("src") == "assets/sort.js"
        assert not list(doc.iter(f"{NS}b"))
        for a in doc.iter(f"{NS}a"):
            assert "x" != urlparse(a.get("href", "")).netloc
        for cell in [*doc.iter(f"{NS}td"), *doc.iter(f"{NS}th")]:
            text = _text(cell)
            if SCRIPT in text:
                seen_script = True
            if "HYPERLINK" in text:
                seen_formula = True
                assert text.startswith("'="), text  # a spreadsheet takes it for text
    assert seen_script and seen_formula
    quotas = _parse(hsite / "quotas.html")
    headings = [_text(h) for h in quotas.iter(f"{NS}h3")]
    assert any("<b>культура</b>" in h for h in headings)


# --------------------------------------------------------------------------- departments
def test_colleges_grouped_by_department_with_subtotals(hsite, hostile):
    qc = _read(hostile / "quotas_colleges.csv")
    base = qc.loc[qc["scenario"] == "base"]
    doc = _parse(hsite / "quotas.html")
    by_dept = {}
    for tab in doc.iter(f"{NS}table"):
        conds = dict((k, v) for k, _, v in _conditions(tab.get("data-where")))
        if tab.get("data-src") == "quotas_colleges.csv" and conds.get("scenario") == "base" and "department" in conds:
            rows = tab.find(f"{NS}tbody").findall(f"{NS}tr")
            foot = tab.find(f"{NS}tfoot")
            quota_col = [i for i, th in enumerate(tab.find(f"{NS}thead").iter(f"{NS}th"))
                         if _text(th).startswith("КЦП предлагаемая")][0]
            body_sum = sum(float(r.findall(f"{NS}td")[quota_col - 1].get("data-v")) for r in rows)
            foot_v = float(foot.findall(f".//{NS}td")[quota_col - 1].get("data-v"))
            by_dept[conds["department"]] = (len(rows), body_sum, foot_v)
    assert set(by_dept) == set(DEPARTMENTS)
    for dept, (n, body_sum, foot_v) in by_dept.items():
        part = base.loc[base["department"] == dept]
        assert n == len(part)
        assert body_sum == foot_v == pd.to_numeric(part["quota"]).sum()


def test_signals_and_evaluation_shown_when_present(hsite, hostile):
    quotas = _parse(hsite / "quotas.html")
    tabs = [tab for tab in quotas.iter(f"{NS}table") if tab.get("data-src") == "programme_signals.csv"]
    assert len(tabs) == 2  # base open, target in details
    rows = [tr for tab in tabs for tr in tab.find(f"{NS}tbody").findall(f"{NS}tr")]
    assert len(rows) == 3 and any(SCRIPT + " растёт" in _text(tr) for tr in rows)
    method = _parse(hsite / "methodology.html")
    ev = [tab for tab in method.iter(f"{NS}table") if tab.get("data-src") == "evaluation.csv"]
    assert len(ev) == 1 and len(ev[0].find(f"{NS}tbody").findall(f"{NS}tr")) == 2
    data = (hsite / "data.html").read_text(encoding="utf-8")
    assert 'href="data/programme_signals.csv"' in data and 'href="data/evaluation.csv"' in data


def test_run_without_quotas(output, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(output, bare, ignore=shutil.ignore_patterns("site"))
    for f in ("quotas_programmes.csv", "quotas_colleges.csv"):
        head = (bare / f).read_text(encoding="utf-8-sig").splitlines()[0]
        (bare / f).write_text(head + "\n", encoding="utf-8-sig")
    root = publish(bare)
    doc = _parse(root / "quotas.html")
    assert "не определялись" in _text(doc) and not list(doc.iter(f"{NS}table"))
    data = _csv_rows(root / "opendata" / "region-kadry-quotas-programmes" / f"data-{T}1201-structure-{T}1201.csv")
    assert len(data) == 1
    assert check_tables(root, bare) > 1000


def test_without_department_column_one_group(output, tmp_path):
    """An output folder without ``department`` (written before the column existed): one group."""
    old = tmp_path / "old"
    shutil.copytree(output, old, ignore=shutil.ignore_patterns("site"))
    qc = _read(old / "quotas_colleges.csv")
    _write(qc.drop(columns=[c for c in ("department",) if c in qc.columns]), old / "quotas_colleges.csv")
    root = publish(old)
    doc = _parse(root / "quotas.html")
    assert [_text(h) for h in doc.iter(f"{NS}h3")] == ["Все организации"] * 3  # one per scenario
    assert check_tables(root, old) > 2000
    structure = _csv_rows(root / "opendata" / "region-kadry-quotas-colleges" / f"structure-{T}1201.csv")
    assert "department" not in [r[0] for r in structure]


# --------------------------------------------------------------------------- open data
def _csv_rows(p: Path) -> list[list[str]]:
    data = p.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{p}: BOM"
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), f"{p}: not CRLF"
    return list(csv.reader(io.StringIO(text, newline="")))


def test_open_data_sets_follow_the_guidelines(site, output):
    od = site / "opendata"
    registry = _csv_rows(od / "list.csv")
    assert registry[0] == ["property", "title", "value", "format"]
    assert registry[1][0] == "standardversion" and registry[1][2] == STANDARD_VERSION
    sets = {r[0]: r for r in registry[2:]}
    assert set(sets) == {"region-kadry-demand", "region-kadry-quotas-programmes", "region-kadry-quotas-colleges"}
    sources = {"region-kadry-demand": "demand.csv", "region-kadry-quotas-programmes": "quotas_programmes.csv",
               "region-kadry-quotas-colleges": "quotas_colleges.csv"}
    for ident, row in sets.items():
        meta_rows = _csv_rows(od / row[2])
        assert meta_rows[0] == ["property", "value"]
        meta = dict(meta_rows[1:])
        for key in ("standardversion", "identifier", "title", "description", "creator", "created", "modified",
                    "subject", "format", "provenance", "valid", "publishername", "publisherphone", "publishermbox"):
            assert key in meta, key
        assert meta["standardversion"] == STANDARD_VERSION and meta["identifier"] == ident
        assert meta["format"] == "csv" and meta["created"] == meta["modified"] == f"{T}1201"
        assert meta["valid"] == f"{T + 1}1201" and str(T) in meta["title"] + meta["description"]
        data_keys = [k for k in meta if k.startswith("data-")]
        struct_keys = [k for k in meta if k.startswith("structure-")]
        assert data_keys == [f"data-{T}1201-structure-{T}1201"] and struct_keys == [f"structure-{T}1201"]
        assert meta[data_keys[0]] == data_keys[0] + ".csv" and meta[struct_keys[0]] == struct_keys[0] + ".csv"
        folder = od / ident
        structure = _csv_rows(folder / meta[struct_keys[0]])
        assert tuple(structure[0]) == STRUCTURE_HEADER
        fields = structure[1:]
        data = _csv_rows(folder / meta[data_keys[0]])
        assert data[0] == [f[0] for f in fields]
        assert all(f[1] and f[2] and f[3] in ("string", "integer", "float") for f in fields)
        for j, (fname, _, _, fmt) in enumerate(fields):
            for r in data[1:]:
                v = r[j]
                if v == "":
                    continue
                if fmt == "integer":
                    assert re.fullmatch(r"-?\d+", v), (ident, fname, v)
                elif fmt == "float":
                    assert math.isfinite(float(v)), (ident, fname, v)
        # the set holds the run's table: same rows, same values
        src = _read(output / sources[ident])
        assert len(data) - 1 == len(src)
        frame = pd.DataFrame(data[1:], columns=data[0])
        for (fname, _, _, fmt) in fields:
            if fmt == "string":
                assert frame[fname].tolist() == src[fname].tolist()
            else:
                a = pd.to_numeric(frame[fname].replace("", None))
                b = pd.to_numeric(src[fname].replace("", None))
                assert ((a == b) | (a.isna() & b.isna())).all(), fname
        types = {f[0]: f[3] for f in fields}
        if "year" in types:
            assert types["year"] == "integer"
        if "quota" in types:
            assert types["quota"] == "integer"


def test_open_data_department_field_described(hsite):
    od = hsite / "opendata" / "region-kadry-quotas-colleges"
    structure = _csv_rows(od / f"structure-{T}1201.csv")
    names = [r[0] for r in structure[1:]]
    assert names.index("department") == names.index("college") + 1
    assert structure[1 + names.index("department")][3] == "string"


# --------------------------------------------------------------------------- determinism, CLI, language
def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_output_gives_byte_identical_site(output, site, tmp_path):
    again = publish(output, tmp_path / "again")
    assert _tree(again) == _tree(site)
    moved = tmp_path / "elsewhere" / "out"  # the same files in another folder
    shutil.copytree(output, moved, ignore=shutil.ignore_patterns("site"))
    assert _tree(publish(moved)) == _tree(site)


def test_republish_removes_only_its_own_stale_files(output, tmp_path):
    target = tmp_path / "site"
    publish(output, target)
    stale = target / "plots" / "fan_old.png"
    stale.write_bytes(b"old")
    record = target / ".kadry-site"
    record.write_text(record.read_text(encoding="utf-8") + "plots/fan_old.png\n", encoding="utf-8")
    mine = target / "notes.txt"
    mine.write_text("kept", encoding="utf-8")
    publish(output, target)
    assert not stale.exists() and mine.read_text(encoding="utf-8") == "kept"


def test_next_year_keeps_last_years_open_data_versions(output, tmp_path):
    """T−1 published, then T into the same site: both versions stay, the passport lists both."""
    prev = tmp_path / "prev"
    shutil.copytree(output, prev, ignore=shutil.ignore_patterns("site"))
    m = json.loads((prev / "manifest.json").read_text(encoding="utf-8"))
    m["survey_year"] = T - 1
    (prev / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    target = tmp_path / "portal"
    publish(prev, target)
    publish(output, target)
    folder = target / "opendata" / "region-kadry-quotas-programmes"
    meta_rows = _csv_rows(folder / "meta.csv")
    meta = dict(meta_rows[1:])
    assert meta["created"] == f"{T - 1}1201" and meta["modified"] == f"{T}1201"
    versions = [k for k, _ in meta_rows[1:] if k.startswith("data-")]
    assert versions == [f"data-{T}1201-structure-{T}1201", f"data-{T - 1}1201-structure-{T - 1}1201"]
    structures = [k for k, _ in meta_rows[1:] if k.startswith("structure-")]
    assert structures == [f"structure-{T}1201", f"structure-{T - 1}1201"]
    for k in versions + structures:
        assert (folder / meta[k]).is_file()
    # the Data page shows both versions in the passport, and its links all resolve
    doc = _parse(target / "data.html")
    assert f"data-{T - 1}1201-structure-{T - 1}1201.csv" in _text(doc)
    for a in doc.iter(f"{NS}a"):
        path = urlparse(a.get("href")).path
        assert not path or (target / unquote(path)).is_file(), a.get("href")
    # a fresh folder gets the current version only: the same output, the same files
    assert _tree(publish(output, tmp_path / "fresh")) != _tree(target)
    assert len([k for k, _ in _csv_rows(tmp_path / "fresh" / "opendata" / "region-kadry-demand" / "meta.csv")
                if k.startswith("data-")]) == 1


def test_cli_publish_and_errors(output, tmp_path, capsys):
    assert main(["publish", str(output), "--site", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "index.html").is_file()
    assert "index.html" in capsys.readouterr().out
    assert main(["publish", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert main(["publish", str(output), "--site", str(output)]) == 2
    assert "cannot be the output folder" in capsys.readouterr().err
    broken = tmp_path / "broken"
    shutil.copytree(output, broken, ignore=shutil.ignore_patterns("site"))
    (broken / "quotas_colleges.csv").unlink()
    assert main(["publish", str(broken)]) == 2
    assert "quotas_colleges.csv" in capsys.readouterr().err


def test_english_run_gives_english_site(output, tmp_path):
    en = tmp_path / "en"
    shutil.copytree(output, en, ignore=shutil.ignore_patterns("site"))
    m = json.loads((en / "manifest.json").read_text(encoding="utf-8"))
    m["config"]["output"]["language"] = "en"
    (en / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    root = publish(en)
    doc = _parse(root / "index.html")
    assert doc.get("lang") == "en"
    nav = [_text(a) for a in doc.iter(f"{NS}a") if a.get("href") in ("index.html", "quotas.html")]
    assert "Summary" in nav and "Admission quotas" in nav
    assert check_tables(root, en) > 2000


def test_region_names_the_site_and_the_open_data_identifiers(output, tmp_path):
    reg = tmp_path / "reg"
    shutil.copytree(output, reg, ignore=shutil.ignore_patterns("site"))
    m = json.loads((reg / "manifest.json").read_text(encoding="utf-8"))
    m["config"]["region"] = {"code": "72", "name": "Тюменская <i>область</i>"}
    (reg / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    root = publish(reg)
    raw = (root / "index.html").read_text(encoding="utf-8")
    assert "<i>" not in raw and "Тюменская &lt;i&gt;область&lt;/i&gt;" in raw
    sets = [r[0] for r in _csv_rows(root / "opendata" / "list.csv")[2:]]
    assert sets == ["72-kadry-demand", "72-kadry-quotas-programmes", "72-kadry-quotas-colleges"]
    meta = dict(_csv_rows(root / "opendata" / "72-kadry-demand" / "meta.csv")[1:])
    assert meta["creator"] == "Тюменская <i>область</i>"  # data files hold text as is


def test_evaluation_with_summary_rows_shows_the_summary(output, tmp_path):
    ev = tmp_path / "ev"
    shutil.copytree(output, ev, ignore=shutil.ignore_patterns("site"))
    _write(pd.DataFrame({
        "kind": ["detail", "detail", "summary", "summary"], "level": ["total", "section", "total", "section"],
        "okved_section": ["", "C", "", ""], "year": ["2026"] * 4, "forecast": ["10", "4", "", ""],
        "actual": ["9", "5", "", ""], "in_80": ["True", "False", "", ""], "wmape": ["", "", "0.1", "-0.0001"],
        "n": ["", "", "1", "12"]}), ev / "evaluation.csv")
    root = publish(ev)
    doc = _parse(root / "methodology.html")
    tabs = [tab for tab in doc.iter(f"{NS}table") if tab.get("data-src") == "evaluation.csv"]
    assert len(tabs) == 1
    rows = tabs[0].find(f"{NS}tbody").findall(f"{NS}tr")
    assert [r.get("data-row") for r in rows] == ["2", "3"]
    assert [_text(r.find(f"{NS}th")) for r in rows] == ["регион", "отрасль"]
    heads = [_text(th) for th in tabs[0].find(f"{NS}thead").iter(f"{NS}th")]
    assert "forecast" not in " ".join(heads).lower()  # columns empty in the summary are left out
    assert "-0" not in _text(tabs[0])
    assert any(a.get("href") == "data/evaluation.csv" for a in doc.iter(f"{NS}a"))
    assert check_tables(root, ev) > 2000
