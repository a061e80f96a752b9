"""``kadry publish``: the publication package of a run (interfaces.md, measure 15).

:func:`build_site` turns an output folder into ``{relative path: bytes}`` (nothing touches
the disk); :func:`publish` writes them under the site folder (default ``OUTPUT/site``).

The site: ``index.html``, ``demand.html``, ``quotas.html``, ``methodology.html``,
``data.html``; ``assets/site.css`` and ``assets/sort.js`` (shipped in the package);
``plots/fan_total.png`` when the run drew it; ``data/*.csv``, byte-identical copies of the
run's tables; ``opendata/`` (see :mod:`forecast.publish.opendata`). Nothing is loaded from
another host; the pages read without script (the script only sorts tables).

Choices (the contract is silent):

* Same output folder → byte-identical site: no clock, no absolute paths, sorted everything.
* Writing: each file atomically (:func:`forecast.report.files.write_bytes_atomic`). The list
  of files a publish wrote is kept in ``SITE/.kadry-site``; the next publish into the same
  folder removes the files of that list it no longer writes, except the versioned open-data
  files (earlier versions stay listed in the passports), and never touches anything else.
* The site folder may not be the output folder itself (the site's ``data/`` and pages would
  mix with the run's files): that is a usage error (exit 2).

Examples
--------
>>> sorted(PAGES)
['data.html', 'demand.html', 'index.html', 'methodology.html', 'quotas.html']
"""

from __future__ import annotations

import csv
import dataclasses
import io
from importlib import resources
from pathlib import Path

import pandas as pd

from forecast.config import Config
from forecast.errors import ConfigError, InputError
from forecast.params import DemandParams, ForecastParams, QuotaParams, from_mapping
from forecast.publish import opendata
from forecast.publish import pages as pg
from forecast.publish.html import Column, attr, esc, fmt_num, page, table
from forecast.publish.labels import t
from forecast.publish.read import RunOutput, read_output
from forecast.report.files import write_bytes_atomic
from forecast.report.methodology import methodology_lines

#: page file → navigation label key
PAGES: dict[str, str] = {
    "index.html": "nav_index",
    "demand.html": "nav_demand",
    "quotas.html": "nav_quotas",
    "methodology.html": "nav_method",
    "data.html": "nav_data",
}

#: CSV files of the run offered for download, with their description key
DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("demand.csv", "f_demand"),
    ("quotas_programmes.csv", "f_qp"),
    ("quotas_colleges.csv", "f_qc"),
    ("programme_signals.csv", "f_signals"),
    ("evaluation.csv", "f_evaluation"),
)

#: the record of the files a publish wrote (for removing stale ones next time)
RECORD = ".kadry-site"

ASSETS = ("site.css", "sort.js")


def _params(run: RunOutput):
    """The parameter sections of the run's config, for the methodology text."""
    cfg = run.manifest.get("config") or {}
    quota_keys = {f.name for f in dataclasses.fields(QuotaParams)}
    try:
        return Config(
            path=None, base_dir=Path("."),
            forecast=from_mapping(ForecastParams, cfg.get("forecast"), "forecast"),
            demand=from_mapping(DemandParams, cfg.get("demand"), "demand"),
            quotas=from_mapping(QuotaParams, {k: v for k, v in (cfg.get("quotas") or {}).items()
                                              if k in quota_keys}, "quotas"),
        )
    except (TypeError, ValueError) as exc:
        raise InputError(f"{run.folder / 'manifest.json'}: config not of this kadry version: {exc}") from None


def _asset(name: str) -> bytes:
    return resources.files("forecast.publish").joinpath("static", name).read_bytes()


def build_site(run: RunOutput, history: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, bytes]:
    """Every file of the site: ``{path relative to the site folder: bytes}``.

    ``history``: earlier open-data versions already in the site folder, by set identifier
    (:func:`forecast.publish.opendata.earlier_versions`).
    """
    lang, T = run.language, run.survey_year
    nav = [(name, t(key, lang)) for name, key in PAGES.items()]
    site_title = t("site_title", lang)
    region = run.region.get("name")
    if region:
        site_title = f"{site_title}: {region}"
    footer = f"<p>{esc(t('footer', lang, v=run.manifest.get('kadry_version', ''), T=T))}</p>"
    lines = methodology_lines(_params(run), T, pg.scenario_list(run), lang)
    od = opendata.build_sets(run, history)
    bodies = {
        "index.html": (t("nav_index", lang), pg.index_body(run)),
        "demand.html": (t("demand_title", lang), pg.demand_body(run)),
        "quotas.html": (t("quotas_title", lang), pg.quotas_body(run)),
        "methodology.html": (t("method_title", lang), pg.methodology_body(run, lines)),
        "data.html": (t("data_title", lang), _data_body(run, od)),
    }
    files: dict[str, bytes] = {}
    for name, (title, body) in bodies.items():
        files[name] = page(lang=lang, title=title, site_title=site_title, nav=nav, current=name, body=body,
                           footer=footer, description=t("index_title", lang, T=T)).encode("utf-8")
    for name in ASSETS:
        files[f"assets/{name}"] = _asset(name)
    if "fan_total.png" in run.plots:
        files["plots/fan_total.png"] = run.plots["fan_total.png"]
    for name, _ in DOWNLOADS:
        if name in run.csv_bytes:
            files[f"data/{name}"] = run.csv_bytes[name]
    files.update(od)
    return dict(sorted(files.items()))


def _data_body(run: RunOutput, od: dict[str, bytes]) -> str:
    lang = run.language
    parts = [f"<h1>{esc(t('data_title', lang))}</h1>", f'<p class="lead">{esc(t("data_lead", lang))}</p>',
             f"<h2>{esc(t('downloads', lang))}</h2>", "<ul class=\"files\">"]
    for name, key in DOWNLOADS:
        if name in run.csv_bytes:
            size = fmt_num(len(run.csv_bytes[name]), 0, lang)
            parts.append(f'<li><a href="data/{attr(name)}" download>{esc(name)}</a> — {esc(t(key, lang))} '
                         f'({esc(size)} {esc("байт" if lang != "en" else "bytes")})</li>')
    parts.append("</ul>")
    parts.append(f"<h2>{esc(t('opendata', lang))}</h2>")
    parts.append(f'<p>{esc(t("od_registry", lang, list="")).rstrip()} '
                 f'<a href="opendata/list.csv">opendata/list.csv</a></p>')
    metas = sorted(p for p in od if p.endswith("/meta.csv"))
    for meta_path in metas:
        rows = list(csv.reader(io.StringIO(od[meta_path].decode("utf-8"))))[1:]
        props = dict(rows)
        folder = meta_path.rsplit("/", 1)[0]
        data_file = next(v for k, v in rows if k.startswith("data-"))
        struct_file = next(v for k, v in rows if k.startswith("structure-"))
        parts.append(f"<h3>{esc(t('od_passport', lang, title=props.get('title', '')))}</h3>")
        links = [f'<a href="{attr(folder)}/meta.csv">meta.csv</a>',
                 f'<a href="{attr(folder)}/{attr(data_file)}">{esc(data_file)}</a>',
                 f'<a href="{attr(folder)}/{attr(struct_file)}">{esc(struct_file)}</a>']
        parts.append(f"<p>{t('od_files', lang, meta=links[0], data=links[1], structure=links[2])}</p>")
        frame = pd.DataFrame(rows, columns=["property", "value"])
        frame.insert(1, "name", [opendata.PASSPORT_NAMES.get(k.split("-")[0], "") for k in frame["property"]])
        parts.append(table(frame, [Column("property", t("property", lang)), Column("name", t("passport_name", lang)),
                                   Column("value", t("fact_value", lang))],
                           caption=t("od_passport", lang, title=props.get("title", "")), lang=lang, css="passport"))
    return "\n".join(parts)


def publish(output: str | Path, site: str | Path | None = None) -> Path:
    """Read the output folder ``output``, write its site to ``site`` (default ``output/site``)."""
    out = Path(output)
    target = Path(site) if site is not None else out / "site"
    if target.resolve() == out.resolve():
        raise ConfigError(f"--site {target}: the site folder cannot be the output folder itself")
    run = read_output(out)
    if target.exists() and not target.is_dir():
        raise ConfigError(f"--site {target}: exists and is not a folder")
    version = opendata.version_dates(run.survey_year)[0]
    history = {ident: opendata.earlier_versions(target / "opendata" / ident, version)
               for ident in opendata.identifiers(run)}
    files = build_site(run, history)
    old: list[str] = []
    record = target / RECORD
    if record.is_file():
        old = [line for line in record.read_text(encoding="utf-8").splitlines() if line]
    for rel, data in files.items():
        write_bytes_atomic(target / rel, data)
    for rel in old:
        path = Path(rel)
        if rel in files or ".." in path.parts or path.is_absolute():
            continue
        if path.parts[:1] == ("opendata",) and (opendata.DATA_NAME.fullmatch(path.name)
                                                or opendata.STRUCTURE_NAME.fullmatch(path.name)):
            continue  # earlier versions of an open-data set stay published
        (target / rel).unlink(missing_ok=True)
    write_bytes_atomic(record, ("\n".join(files) + "\n").encode("utf-8"))
    return target


def publish_command(output: str | Path, site: str | Path | None = None) -> int:
    """``kadry publish``: write the site and say where."""
    target = publish(output, site)
    print(f"kadry: wrote the site {target}/index.html and open data {target}/opendata/list.csv")
    return 0


__all__ = ["build_site", "publish", "publish_command", "PAGES", "DOWNLOADS", "RECORD"]
