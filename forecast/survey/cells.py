"""A cell as text: the one rule for how a cell read from any form is shown and checked.

>>> cell_text(7707083893.0), cell_text(" 12,5 "), cell_text(12.5), cell_text(None)
('7707083893', '12,5', '12.5', '')
>>> column_text([1.0, " a ", None, float("nan")])
['1', 'a', '', '']
"""

from __future__ import annotations

import datetime as dt

def cell_text(v: object) -> str:
    """A cell as text: '' for empty; a whole number → its digits; a date → ISO."""
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v.strip()
    if t is bool:
        return "TRUE" if v else "FALSE"
    if t is float:
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e18 else repr(v)
    if t is int:
        return str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v).strip()


def column_text(values: list) -> list[str]:
    """:func:`cell_text` of every cell of a column (the common types inline: this loop meets
    every cell of a batch)."""
    out = []
    append = out.append
    for v in values:
        t = type(v)
        if t is str:
            append(v.strip() if v else v)
        elif t is float:
            append("" if v != v else (str(int(v)) if v.is_integer() and abs(v) < 1e18 else repr(v)))
        elif v is None:
            append("")
        else:
            append(cell_text(v))
    return out
