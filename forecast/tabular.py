"""Reading the small tables users write by hand: control totals, the scenario, quota tables.

One place for how such a CSV is read — every cell as text, UTF-8 (with or without BOM) or
Windows-1251 (what Excel in a Russian locale saves as "CSV"), ``,`` or ``;`` as the
delimiter (Excel in a Russian locale saves ``;``) — and for how a number typed into it is
read (a decimal comma, grouping spaces). interfaces.md: input tables are read like survey
CSVs; :func:`decode_text` is the one rule for both.

Examples
--------
>>> import pandas as pd
>>> decimal_numbers(pd.Series(["585,4", " 1 234 ", "x", ""])).tolist()
[585.4, 1234.0, nan, nan]
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

#: how a text table may be encoded, tried in this order (survey-format.md, CSV)
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1251")


def decode_text(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (BOM or not) or Windows-1251; ValueError otherwise.

    UTF-8 is tried first: a Windows-1251 file that happens to be valid UTF-8 is vanishingly
    rare for Cyrillic text, while the reverse (UTF-8 read as 1251) always "succeeds".

    >>> decode_text("Код;Имя".encode("cp1251"))
    'Код;Имя'
    >>> decode_text("\ufeffcode".encode("utf-8"))
    'code'
    >>> decode_text("a".encode("utf-16"))
    Traceback (most recent call last):
    ...
    ValueError: UTF-16/UTF-32 encoding; save the CSV as UTF-8 or Windows-1251
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff",):
        raise ValueError("UTF-16/UTF-32 encoding; save the CSV as UTF-8 or Windows-1251")
    if b"\x00" in data:
        raise ValueError("NUL bytes: not a UTF-8 or Windows-1251 text file "
                         "(UTF-16?); save the CSV as UTF-8 or Windows-1251")
    try:
        return data.decode(TEXT_ENCODINGS[0])
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(TEXT_ENCODINGS[1])
    except UnicodeDecodeError as exc:
        raise ValueError(f"neither UTF-8 nor Windows-1251 text ({exc.reason} "
                         f"at byte {exc.start})") from None


def _separator(text: str) -> str:
    lines = [ln for ln in text[:65536].splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    return ";" if first.count(";") > first.count(",") else ","


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
    return _separator(head.decode("utf-8-sig", errors="replace"))


def read_text_table(path: str | Path, **options: Any) -> pd.DataFrame:
    """A CSV input table with every cell as text (empty cells ``""``), encoding (UTF-8 or
    Windows-1251, :func:`decode_text`) and delimiter detected.

    ``options`` go to :func:`pandas.read_csv` and override these defaults. Raises
    ValueError for an encoding other than UTF-8/Windows-1251, OSError when unreadable.
    """
    with open(path, "rb") as fh:
        text = decode_text(fh.read())
    kwargs: dict[str, Any] = dict(dtype=str, keep_default_na=False, sep=_separator(text))
    kwargs.update(options)
    return pd.read_csv(io.StringIO(text), **kwargs)


def decimal_numbers(values: pd.Series) -> pd.Series:
    """Numbers from cells as typed: trimmed, a decimal comma (``585,4``) and grouping spaces
    (``1 234``, also no-break) accepted; NaN where a cell is empty or not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").astype(float)
    text = (values.astype(object).where(values.notna(), "").astype(str).str.strip()
            .str.replace(",", ".", regex=False).str.replace(r"[\s\u00a0]", "", regex=True))
    return pd.to_numeric(text.astype(object), errors="coerce").astype(float)


__all__ = ["TEXT_ENCODINGS", "decode_text", "csv_separator", "read_text_table", "decimal_numbers"]
