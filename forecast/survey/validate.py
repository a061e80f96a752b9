"""``kadry validate``: read survey files, print the summary, write the JSON report."""

from __future__ import annotations

from pathlib import Path

from forecast.errors import ConfigError
from forecast.survey.reader import read_surveys
from forecast.survey.report import summary_text, write_report


def validate_command(paths, json_path=None, controls=None, progress: bool = False,
                     survey_year: int | None = None) -> int:
    """``kadry validate``: read, print a summary, write the JSON report; exit 0 or 1.

    Exit status 0 when nothing was rejected, 1 when any row or file was. A missing path, or
    paths holding no file of a readable kind (every file skipped: the message names them and
    why), raise :class:`forecast.errors.ConfigError` (exit 2 in the CLI); the summary and the
    JSON report are written first.

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
    for p in [paths] if isinstance(paths, (str, Path)) else paths:
        if not Path(p).exists():
            raise ConfigError(f"survey path not found: {p}")
    if controls is not None and not Path(controls).is_file():
        raise ConfigError(f"control totals file not found: {controls}")
    data = read_surveys(paths, controls=controls, progress=progress, survey_year=survey_year)
    print(summary_text(data))
    if json_path:
        write_report(data, json_path)
        print(f"report written to {json_path}")
    if data.counts.get("files", 0) == 0:
        what = "; ".join(f"{s['file']} ({s['reason']})" for s in data.skipped[:5])
        more = f"; … {len(data.skipped) - 5} more" if len(data.skipped) > 5 else ""
        raise ConfigError("nothing was read: no workbook or CSV (.xlsx, .xlsm, .xls, .xlsb, .ods, "
                          f".csv) in the paths given" + (f"; skipped: {what}{more}" if what else ""))
    return 0 if data.ok else 1
