"""Ex-post evaluation (methodology.md §8, measures 29–30): last year's forecast judged.

Each year's survey measures what last year's forecast predicted. :func:`evaluate` compares
the previous run's employment forecast E for year T (its ``demand.csv``) with the current
run's weighted survey employment of year T (the year-T rows of its ``demand.csv``), at
every level of the hierarchy, and the previous run's proposed quotas with what was approved
(``last_quota`` of the current tables). :func:`read_run` reads an output folder back and
:func:`check_pair` refuses a pair that does not match; :func:`evaluate_folders` is
``kadry evaluate PREVIOUS CURRENT``.

Readings of points the methodology leaves open:

* Keys: ``total`` (none), ``section`` (okved_section), ``profession`` (profession_code,
  education — demand.csv's profession rows are profession × education), ``cell`` (all
  three). Codes are compared as text after trimming.
* The scenario: ``base``; a run without it uses its only scenario, or the first in text
  order. The actuals of year T are the same in every scenario of the current run.
* The flat benchmark of a key is the previous run's E[T0] of that key (its year-T0 rows);
  a key the previous run forecast without a year-T0 row counts as 0.
* ``in_80``/``in_95`` are ``True``/``False`` where the previous run has the interval and
  the key has an actual, else empty; coverage is the share of True among those.
* wMAPE, bias and the flat wMAPE are empty where Σ actual = 0; a key with forecast or actual
  missing is listed (the other side empty) and left out of the summaries and of ``n``.
* Quota rows: one per programme in either run's ``quotas_programmes.csv`` (scenario as
  above); ``forecast`` is the previous ``quota``, ``actual`` the current ``last_quota``,
  ``error`` = forecast − actual; ``horizon`` is 1 (admission year T0+1).
* The folders: each needs ``manifest.json`` and ``demand.csv``, and every file its manifest
  lists must exist; the two must be of the same ``[region] code`` (where both manifests carry
  one) and ``[output] language``, and PREVIOUS of an earlier survey year. Otherwise a
  :class:`~forecast.errors.ConfigError` (exit 2) names what does not match. The previous
  forecast must reach year T.

Examples
--------
>>> import pandas as pd
>>> prev = pd.DataFrame({"scenario": "base", "level": "total", "okved_section": "",
...     "profession_code": "", "education": "", "year": [2025, 2026],
...     "employment": [100.0, 110.0], "employment_lo_80": [None, 100.0],
...     "employment_hi_80": [None, 120.0], "employment_lo_95": [None, 95.0],
...     "employment_hi_95": [None, 125.0]})
>>> cur = prev.assign(year=[2026, 2027], employment=[105.0, 108.0])
>>> ev = evaluate(prev, cur, 2025, 2026)
>>> s = ev[ev["kind"] == "summary"].iloc[0]
>>> round(float(s.wmape), 4), round(float(s.bias), 4), float(s.coverage_80), round(float(s.wmape_flat), 4)
(0.0476, 0.0476, 1.0, 0.0476)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.columns import EVALUATION_COLUMNS
from forecast.errors import ConfigError
from forecast.outputs import read_output_table

#: levels of the hierarchy in the order of evaluation.csv, with their keys
LEVEL_KEYS: dict[str, tuple[str, ...]] = {
    "total": (),
    "section": ("okved_section",),
    "profession": ("profession_code", "education"),
    "cell": ("okved_section", "profession_code", "education"),
}
KINDS: tuple[str, ...] = ("detail", "summary", "quota")
_KEYS = ("okved_section", "profession_code", "education")
_TEXT = ("scenario", "level", "okved_section", "profession_code", "profession", "education",
         "programme_code", "programme")
#: files every output folder must hold to be evaluated
REQUIRED_FILES: tuple[str, ...] = ("manifest.json", "demand.csv")


@dataclass
class RunFolder:
    """An output folder read back: what the evaluation needs."""

    path: Path
    survey_year: int
    language: str | None
    region_code: str | None
    demand: pd.DataFrame
    quotas_programmes: pd.DataFrame | None


def _read_csv(path: Path) -> pd.DataFrame:
    """An output CSV (:func:`forecast.outputs.read_output_table`), text trimmed."""
    frame = read_output_table(path)
    for c in frame.columns:
        if c in _TEXT:
            frame[c] = frame[c].str.strip()
    return frame


def read_run(folder: str | Path, role: str = "folder") -> RunFolder:
    """Read the output folder ``folder`` (manifest.json, demand.csv, quotas_programmes.csv).

    ConfigError naming the folder and the file when a required or listed file is missing or
    unreadable; ``role`` (PREVIOUS, CURRENT) prefixes the message.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ConfigError(f"{role} {path}: not a folder (expected the output folder of a run)")
    missing = [n for n in REQUIRED_FILES if not (path / n).is_file()]
    if missing:
        raise ConfigError(f"{role} {path}: missing {', '.join(missing)} (not a complete "
                          "output folder of kadry run)")
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{role} {path}: cannot read manifest.json: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("survey_year"), int):
        raise ConfigError(f"{role} {path}: manifest.json has no survey_year")
    listed = sorted(str(k) for k in (manifest.get("outputs") or {}))
    gone = [n for n in listed if not (path / n).is_file()]
    if gone:
        raise ConfigError(f"{role} {path}: missing {', '.join(gone[:5])}"
                          f"{' …' if len(gone) > 5 else ''} (listed in its manifest.json)")
    config = manifest.get("config") or {}
    language = (config.get("output") or {}).get("language")
    region = (config.get("region") or {}).get("code")
    try:
        demand = _read_csv(path / "demand.csv")
        qp = (_read_csv(path / "quotas_programmes.csv")
              if (path / "quotas_programmes.csv").is_file() else None)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ConfigError(f"{role} {path}: cannot read its tables: {exc}") from None
    need = {"scenario", "level", "year", "employment", *_KEYS}
    if not need <= set(demand.columns):
        raise ConfigError(f"{role} {path}: demand.csv lacks column(s) "
                          f"{', '.join(sorted(need - set(demand.columns)))}")
    return RunFolder(path, int(manifest["survey_year"]), language,
                     None if region in (None, "") else str(region), demand, qp)


def check_pair(previous: RunFolder, current: RunFolder | None = None, *,
               survey_year: int | None = None, language: str | None = None,
               region_code: str | None = None) -> None:
    """ConfigError naming what does not match between PREVIOUS and CURRENT.

    ``current`` is a folder read back, or (for a run in progress) given by its
    ``survey_year``, ``language`` and ``region_code`` (None: not known yet / not set).
    """
    if current is not None:
        survey_year, language, region_code = (current.survey_year, current.language,
                                              current.region_code)
    where = f"PREVIOUS {previous.path}"
    if (previous.region_code is not None and region_code is not None
            and previous.region_code != region_code):
        raise ConfigError(f"{where} is of region {previous.region_code}, the current run of "
                          f"region {region_code}: not the same region")
    if previous.language is not None and language is not None and previous.language != language:
        raise ConfigError(f"{where} was written in language {previous.language!r}, the current "
                          f"run in {language!r}: set the same [output] language")
    if survey_year is not None and previous.survey_year >= survey_year:
        raise ConfigError(f"{where} has survey year {previous.survey_year}, not earlier than the "
                          f"current survey year {survey_year}")


def _scenario(frame: pd.DataFrame | None) -> str | None:
    if frame is None or not len(frame):
        return None
    names = sorted(set(frame["scenario"].astype(str)))
    return "base" if "base" in names else names[0]


def _level_rows(demand: pd.DataFrame, scenario: str | None, year: int) -> pd.DataFrame:
    d = demand
    if scenario is not None and scenario in set(d["scenario"].astype(str)):
        d = d[d["scenario"].astype(str) == scenario]
    else:
        d = d[d["scenario"].astype(str) == _scenario(d)]
    d = d[pd.to_numeric(d["year"], errors="coerce") == year].copy()
    for c in _KEYS:
        d[c] = d[c].astype(object).where(d[c].notna(), "").astype(str).str.strip()
    d["level"] = d["level"].astype(str).str.strip()
    return d


def evaluate(previous_demand: pd.DataFrame, current_demand: pd.DataFrame, previous_year: int,
             current_year: int, previous_quotas: pd.DataFrame | None = None,
             current_quotas: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``evaluation.csv`` (EVALUATION_COLUMNS, methodology.md §8).

    Parameters
    ----------
    previous_demand, current_demand : DataFrame
        The two runs' ``demand.csv`` tables (codes as text).
    previous_year, current_year : int
        T0 and T (T0 < T).
    previous_quotas, current_quotas : DataFrame, optional
        The two runs' ``quotas_programmes.csv``; without either, no quota rows.
    """
    T0, T = int(previous_year), int(current_year)
    if T0 >= T:
        raise ConfigError(f"previous survey year {T0} is not earlier than {T}")
    h = T - T0
    sc = _scenario(previous_demand)
    fc = _level_rows(previous_demand, sc, T)
    if not len(fc):
        last = int(pd.to_numeric(previous_demand["year"], errors="coerce").max())
        raise ConfigError(f"the previous forecast (survey year {T0}) ends in {last}, before "
                          f"the year {T} to evaluate")
    flat = _level_rows(previous_demand, sc, T0)
    act = _level_rows(current_demand, sc, T)
    details, summaries = [], []
    for level, keys in LEVEL_KEYS.items():
        key = list(keys) or ["level"]
        f = fc[fc["level"] == level]
        a = act[act["level"] == level]
        b = flat[flat["level"] == level]
        m = f[key + [c for c in ("employment", "employment_lo_80", "employment_hi_80",
                                  "employment_lo_95", "employment_hi_95") if c in f.columns]
              ].rename(columns={"employment": "forecast"})
        m = m.merge(a[key + ["employment"]].rename(columns={"employment": "actual"}),
                    on=key, how="outer")
        m = m.merge(b[key + ["employment"]].rename(columns={"employment": "flat"}),
                    on=key, how="left")
        m = m.sort_values(key, kind="stable").reset_index(drop=True)
        for c in _KEYS:
            m[c] = m[c] if c in keys else ""
        m["level"] = level
        fcst = m["forecast"].astype(float)
        actual = m["actual"].astype(float)
        err = fcst - actual
        both = fcst.notna() & actual.notna()
        m["error"] = err
        m["ape"] = np.where(both & (actual != 0), err.abs() / actual.where(actual != 0), np.nan)
        for lv in (80, 95):
            lo, hi = f"employment_lo_{lv}", f"employment_hi_{lv}"
            if lo in m.columns and hi in m.columns:
                known = both & m[lo].notna() & m[hi].notna()
                inside = (m[lo] <= actual) & (actual <= m[hi])
                m[f"in_{lv}"] = [bool(x) if k else None for x, k in zip(inside, known)]
            else:
                m[f"in_{lv}"] = None
        m["year"] = T
        m["horizon"] = h
        m["kind"] = "detail"
        details.append(m)
        s = m[both]
        total = float(s["actual"].sum())
        flat_err = float((s["flat"].fillna(0.0) - s["actual"]).abs().sum())

        def share(col: str) -> float:
            known = s[col].dropna()
            return float(np.mean([bool(x) for x in known])) if len(known) else math.nan

        summaries.append({
            "kind": "summary", "level": level, "year": T, "horizon": h,
            "wmape": float(s["error"].abs().sum()) / total if total > 0 else math.nan,
            "bias": float(s["error"].sum()) / total if total > 0 else math.nan,
            "coverage_80": share("in_80"), "coverage_95": share("in_95"),
            "wmape_flat": flat_err / total if total > 0 else math.nan,
            "n": int(len(s)),
        })
    parts = [pd.concat(details, ignore_index=True), pd.DataFrame(summaries)]
    quota = quota_rows(previous_quotas, current_quotas, T0, sc)
    if quota is not None:
        parts.append(quota)
    out = pd.concat([p.reindex(columns=list(EVALUATION_COLUMNS)) for p in parts],
                    ignore_index=True)
    for c in ("level", "okved_section", "profession_code", "education", "programme_code"):
        out[c] = out[c].astype(object).where(out[c].notna(), "")
    out["year"] = out["year"].astype("Int64")
    out["horizon"] = out["horizon"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    return out


def quota_rows(previous: pd.DataFrame | None, current: pd.DataFrame | None, previous_year: int,
               scenario: str | None = None) -> pd.DataFrame | None:
    """Quota rows: the previous run's proposed quota (admission year T0+1) per programme
    against the approved ``last_quota`` of the current tables; None without both tables."""
    if previous is None or current is None:
        return None
    p = previous[previous["scenario"].astype(str) == (scenario or _scenario(previous))]
    c = current[current["scenario"].astype(str) == (scenario if scenario in set(
        current["scenario"].astype(str)) else _scenario(current))]
    m = (p[["programme_code", "quota"]].rename(columns={"quota": "forecast"})
         .merge(c[["programme_code", "last_quota"]].rename(columns={"last_quota": "actual"}),
                on="programme_code", how="outer"))
    m["programme_code"] = m["programme_code"].astype(str).str.strip()
    m = m.sort_values("programme_code", kind="stable").reset_index(drop=True)
    m["error"] = m["forecast"].astype(float) - m["actual"].astype(float)
    m["kind"] = "quota"
    m["year"] = int(previous_year) + 1
    m["horizon"] = 1
    return m


def evaluate_folders(previous: str | Path, current: str | Path) -> pd.DataFrame:
    """``kadry evaluate PREVIOUS CURRENT``: both folders read back and checked, then
    :func:`evaluate`."""
    prev = read_run(previous, "PREVIOUS")
    cur = read_run(current, "CURRENT")
    check_pair(prev, cur)
    return evaluate(prev.demand, cur.demand, prev.survey_year, cur.survey_year,
                    prev.quotas_programmes, cur.quotas_programmes)


def evaluation_summary(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The summary rows (one per level), for the workbook and the console."""
    return evaluation[evaluation["kind"] == "summary"].reset_index(drop=True)


__all__ = ["evaluate", "evaluate_folders", "read_run", "check_pair", "quota_rows",
           "evaluation_summary", "RunFolder", "LEVEL_KEYS", "KINDS"]
