"""SurveyData (the result of read_surveys), its console summary and its JSON report."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecast.errors import ConfigError

COUNT_KEYS = ("files", "files_failed", "rows_read", "accepted", "merged", "superseded", "rejected")


@dataclass
class SurveyData:
    """Survey waves read and validated (survey-format.md).

    ``frame``: accepted rows (forecast.columns.SURVEY_FRAME_COLUMNS), one per
    (survey_year, inn, profession_code, education), weighted; ``issues``: ISSUE_COLUMNS;
    ``coverage``: survey_year, okved_section, respondents_headcount, employment, weight,
    coverage; ``skipped``: files not read ({"file", "reason", "reason_ru"}); ``counts``: files,
    files_failed, rows_read, accepted, merged, superseded, rejected; ``messages_ru``: the
    Russian message of each row of ``issues`` (same positions), built from the same facts as
    the English ``message`` (forecast.survey.schema) and kept out of ``issues`` so that the
    contract's columns stay as they are. :meth:`messages` picks the language.
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    coverage: pd.DataFrame
    skipped: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    messages_ru: pd.Series | None = None

    def messages(self, lang: str = "en") -> pd.Series:
        """The issue messages in ``lang`` ("en" or "ru"), indexed like ``issues``.

        Russian falls back to English where no Russian text was built: a SurveyData made by
        hand without ``messages_ru``, or whose ``issues`` were replaced after reading (the
        Russian texts no longer match them row for row).
        """
        if lang not in ("en", "ru"):
            raise ValueError(f"unknown language {lang!r} (expected en or ru)")
        en = self.issues["message"]
        if lang == "en" or self.messages_ru is None or len(self.messages_ru) != len(en):
            return en
        return pd.Series(list(self.messages_ru), index=en.index, dtype=object)

    def skip_reasons(self, lang: str = "en") -> list[str]:
        """The reasons of ``skipped`` in ``lang`` (English where no Russian was given)."""
        key = "reason_ru" if lang == "ru" else "reason"
        return [s.get(key) or s.get("reason") for s in self.skipped]

    def report(self) -> dict:
        """The machine-readable report (survey-format.md), keys in the contract's order."""
        out = {k: int(self.counts.get(k, 0)) for k in COUNT_KEYS}
        out["skipped"] = [{"file": s["file"], "reason": s["reason"]} for s in self.skipped]
        out["issues"] = [{k: _plain(v) for k, v in rec.items()}
                         for rec in self.issues.to_dict(orient="records")]
        return out

    @property
    def ok(self) -> bool:
        """Nothing rejected: no row rejected and no file failed."""
        return self.counts.get("rejected", 0) == 0 and self.counts.get("files_failed", 0) == 0


def _plain(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def summary_text(data: SurveyData, top: int = 12) -> str:
    c = data.counts
    lines = [f"files: {c['files']} read, {c['files_failed']} failed, {len(data.skipped)} skipped",
             f"rows: {c['rows_read']} read = {c['accepted']} accepted + {c['merged']} merged + "
             f"{c['superseded']} superseded + {c['rejected']} rejected"]
    if len(data.issues):
        counts = Counter(zip(data.issues["severity"], data.issues["code"]))
        lines.append("issues:")
        for (sev, code), n in sorted(counts.items(), key=lambda kv: (kv[0][0] != "error", -kv[1], kv[0][1]))[:top]:
            lines.append(f"  {code:<26} {n:>6}  ({sev})")
        if len(counts) > top:
            lines.append(f"  … {len(counts) - top} more code(s) in the JSON report")
    else:
        lines.append("issues: none")
    if data.skipped:
        lines.append("skipped (not read):")
        for sk in data.skipped[:top]:
            lines.append(f"  {sk['file']}: {sk['reason']}")
        if len(data.skipped) > top:
            lines.append(f"  … {len(data.skipped) - top} more in the JSON report")
    return "\n".join(lines)


def write_report(data: SurveyData, path: str | Path) -> None:
    path = Path(path)
    text = json.dumps(data.report(), ensure_ascii=False, indent=1)
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the report {path}: {exc}") from None
