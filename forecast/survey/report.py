"""SurveyData (the result of read_surveys), its JSON report, and ``kadry validate``."""

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
    coverage; ``skipped``: files not read ({"file", "reason"}); ``counts``: files,
    files_failed, rows_read, accepted, merged, superseded, rejected.
    """

    frame: pd.DataFrame
    issues: pd.DataFrame
    coverage: pd.DataFrame
    skipped: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

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


def validate_command(paths, json_path=None, controls=None, progress: bool = False) -> int:
    """``kadry validate``: read, print a summary, write the JSON report; exit 0 or 1.

    Exit status 0 when nothing was rejected, 1 when any row or file was. A missing path
    raises :class:`forecast.errors.ConfigError` (exit 2 in the CLI).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text(
    ...     "survey_year;inn;employer;okved;profession_code;profession;education;headcount;need_1\\n"
    ...     "2026;7707083893;ПАО;64.19;24109;Бухгалтер;ВО;12;1\\n"
    ...     "2026;7707083894;ПАО;64.19;24109;Бухгалтер;ВО;12;1\\n", encoding="utf-8")
    >>> validate_command([d], json_path=d / "report.json")  # doctest: +ELLIPSIS
    files: 1 read, 0 failed, 0 skipped
    rows: 2 read = 1 accepted + 0 merged + 0 superseded + 1 rejected
    issues:
      E_INN_CHECKSUM                  1  (error)
    report written to .../report.json
    1
    """
    from forecast.survey.reader import read_surveys

    for p in [paths] if isinstance(paths, (str, Path)) else paths:
        if not Path(p).exists():
            raise ConfigError(f"survey path not found: {p}")
    if controls is not None and not Path(controls).is_file():
        raise ConfigError(f"control totals file not found: {controls}")
    data = read_surveys(paths, controls=controls, progress=progress)
    print(summary_text(data))
    if json_path:
        write_report(data, json_path)
        print(f"report written to {json_path}")
    return 0 if data.ok else 1
