"""Reading the small tables users write by hand: control totals, the scenario, quota tables.

One place for how such a CSV is read — every cell as text, UTF-8 with or without BOM,
``,`` or ``;`` as the delimiter (Excel in a Russian locale saves ``;``) — and for how a
number typed into it is read (a decimal comma, grouping spaces). Survey forms have a reader
of their own (:mod:`forecast.survey`), which also detects encodings.

Examples
--------
>>> import pandas as pd
>>> decimal_numbers(pd.Series(["585,4", " 1 234 ", "x", ""])).tolist()
[585.4, 1234.0, nan, nan]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def csv_separator(path: str | Path) -> str:
    """The delimiter of a CSV input table: ``;`` when its header line has more semicolons
    than commas (Excel's CSV in a Russian locale), else ``,`` — as survey CSVs are read.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
    ...     _ = f.write("code;name;level")
    >>> csv_separator(f.name); os.unlink(f.name)
    ';'
    """
    with open(path, "rb") as fh:
        head = fh.read(65536)
    lines = [ln for ln in head.decode("utf-8-sig", errors="replace").splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    return ";" if first.count(";") > first.count(",") else ","


def read_text_table(path: str | Path, **options: Any) -> pd.DataFrame:
    """A CSV input table with every cell as text (empty cells ``""``), delimiter detected.

    ``options`` go to :func:`pandas.read_csv` and override these defaults.
    """
    kwargs: dict[str, Any] = dict(dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                  sep=csv_separator(path))
    kwargs.update(options)
    return pd.read_csv(path, **kwargs)


def decimal_numbers(values: pd.Series) -> pd.Series:
    """Numbers from cells as typed: trimmed, a decimal comma (``585,4``) and grouping spaces
    (``1 234``, also no-break) accepted; NaN where a cell is empty or not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").astype(float)
    text = (values.astype(object).where(values.notna(), "").astype(str).str.strip()
            .str.replace(",", ".", regex=False).str.replace(r"[\s\u00a0]", "", regex=True))
    return pd.to_numeric(text.astype(object), errors="coerce").astype(float)


__all__ = ["csv_separator", "read_text_table", "decimal_numbers"]
