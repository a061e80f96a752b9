"""HTML building blocks of the published site: escaping, numbers, tables, the page frame.

Everything that reaches a page goes through :func:`esc`: HTML-escaped (``<``, ``>``, ``&``
and quotes), and text that a spreadsheet would take for a formula (a value starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, as the
workbook does, so that a table copied from the page into Excel stays text (interfaces.md:
"the published site neutralises text that could become a formula or markup").

Every number cell carries its exact value in ``data-v`` (shortest round-trip repr): the
sorting script sorts on it, and the tests check it against the CSV files. A cell taken from
a CSV also says where from: the table's ``data-src`` (file) and ``data-where``, the row's
``data-where`` and the cell's ``data-col`` / ``data-where`` together select the CSV rows
whose column ``data-col`` sums to ``data-v`` (one row for a plain cell, several for a total).
``data-where`` is ``key=value`` or ``key>value`` conditions joined by ``&``, values
percent-encoded.

Examples
--------
>>> esc('<script>alert(1)</script>')
'&lt;script&gt;alert(1)&lt;/script&gt;'
>>> esc('=HYPERLINK("http://x","y")')
'&#x27;=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)'
>>> fmt_num(1234.5, 0, "ru"), fmt_num(1234.5, 1, "en"), fmt_num(float("nan"), 0, "ru"), fmt_num(-0.001, 2, "en")
('1\\xa0234', '1,234.5', '—', '0.00')
>>> where({"scenario": "base", "year>": 2026})
'scenario=base&amp;year&gt;2026'
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from urllib.parse import quote

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: text columns shown wide (names wrap less)
NAME_COLUMNS = frozenset({"profession", "programme", "college", "section_name", "department", "message", "value"})


def esc(value) -> str:
    """Text for HTML: escaped, formula-like text neutralised with a leading apostrophe."""
    s = "" if value is None else str(value)
    if s.startswith(_FORMULA_START):
        s = "'" + s
    return html.escape(s, quote=True)


def attr(value) -> str:
    """An attribute value (escaped, no formula neutralising: attributes are not copied as cells)."""
    return html.escape("" if value is None else str(value), quote=True)


def is_missing(v) -> bool:
    if v is None:
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def fmt_num(v, digits: int = 0, lang: str = "ru") -> str:
    """A number for reading: grouped thousands, ``digits`` decimals; ``—`` when missing."""
    if is_missing(v):
        return "—"
    x = float(v)
    if digits == 0:
        x = float(round(x))  # banker's rounding is fine for display; data-v keeps the value
        if x == 0:
            x = 0.0  # no "-0"
    s = f"{x:,.{digits}f}"
    if s.startswith("-") and float(s[1:].replace(",", "")) == 0:
        s = s[1:]  # no "-0.00" for a small negative
    if lang == "en":
        return s
    return s.replace(",", "\u00a0").replace(".", ",")


def num_repr(v) -> str:
    """The exact value for ``data-v`` (empty when missing)."""
    if is_missing(v):
        return ""
    x = float(v)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def where(conditions: dict) -> str:
    """``data-where`` text (escaped for an attribute): keys ending in ``>`` mean greater-than."""
    parts = []
    for k, v in conditions.items():
        op = ">" if k.endswith(">") else "="
        key = k.rstrip(">")
        val = num_repr(v) if isinstance(v, float) else str(v)
        parts.append(f"{key}{op}{quote(val, safe='')}")
    return attr("&".join(parts))


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` in the frame, ``header`` shown, ``digits`` for numbers (None: text).

    ``src`` is the CSV column the value comes from (None: not traceable, e.g. a label);
    ``cond`` extra conditions of this cell (e.g. ``{"year": 2027}``); ``total`` sums in the foot;
    ``group`` False shows no thousands separator (years).
    """

    key: str
    header: str
    digits: int | None = None
    src: str | None = None
    cond: tuple[tuple[str, object], ...] = ()
    total: bool = False
    group: bool = True


def table(frame, columns: list[Column], *, caption: str, lang: str, src: str | None = None,
          table_where: dict | None = None, row_where: list | None = None, row_index: bool = False,
          total_label: str | None = None, css: str = "", table_id: str | None = None) -> str:
    """A sortable table of ``frame``'s rows (see the module docstring for the data attributes).

    ``row_where`` names the frame columns whose values identify a row in the CSV ``src``
    (an item ``(csv_column, frame_column)`` when the names differ); with ``row_index`` each
    row says instead its position in the CSV (``data-row``, the frame's index).
    With ``total_label`` a foot row sums the ``total`` columns (and says where from).
    """
    ident = f' id="{attr(table_id)}"' if table_id else ""
    src_attr = f' data-src="{attr(src)}"' if src else ""
    tw = f' data-where="{where(table_where)}"' if table_where else ""
    out = [f'<div class="scroll" tabindex="0" role="region" aria-label="{attr(caption)}">',
           f'<table class="sortable {attr(css)}"{ident}{src_attr}{tw}>',
           f"<caption>{esc(caption)}</caption>", "<thead><tr>"]
    for c in columns:
        cls = ' class="num"' if c.digits is not None else ""
        out.append(f'<th scope="col"{cls}>{esc(c.header)}</th>')
    out.append("</tr></thead><tbody>")
    records = frame.to_dict("records") if len(frame) else []
    for pos, rec in zip(frame.index, records):
        rw = ""
        if row_where:
            pairs = [(k, k) if isinstance(k, str) else k for k in row_where]
            rw = f' data-where="{where({key: rec[col] for key, col in pairs})}"'
        elif row_index:
            rw = f' data-row="{int(pos)}"'
        out.append(f"<tr{rw}>")
        for i, c in enumerate(columns):
            out.append(_cell(rec.get(c.key), c, lang, header=(i == 0)))
        out.append("</tr>")
    out.append("</tbody>")
    if total_label and records:
        out.append("<tfoot><tr>")
        for i, c in enumerate(columns):
            if i == 0:
                out.append(f'<th scope="row">{esc(total_label)}</th>')
            elif c.total and c.digits is not None:
                vals = [float(r[c.key]) for r in records if not is_missing(r.get(c.key))]
                tot = math.fsum(vals) if vals else float("nan")
                out.append(_cell(tot, c, lang, agg=True))
            else:
                out.append("<td></td>")
        out.append("</tr></tfoot>")
    out.append("</table></div>")
    return "\n".join(out)


def _cell(v, c: Column, lang: str, header: bool = False, agg: bool = False) -> str:
    if c.digits is None:
        tag = "th" if header else "td"
        scope = ' scope="row"' if header else ""
        if c.key in NAME_COLUMNS:
            scope += ' class="msg"' if c.key == "message" else ' class="name"'
        if isinstance(v, float) and v.is_integer():
            v = int(v)  # years and codes read as numbers
        return f"<{tag}{scope}>{esc('' if is_missing(v) else v)}</{tag}>"
    attrs = f' data-v="{num_repr(v)}"'
    if c.src:
        attrs += f' data-col="{attr(c.src)}"'
        if c.cond:
            attrs += f' data-where="{where(dict(c.cond))}"'
        if agg:
            attrs += ' data-agg="sum"'
    shown = fmt_num(v, c.digits, lang) if c.group or is_missing(v) else f"{float(v):.{c.digits}f}"
    return f'<td class="num"{attrs}>{shown}</td>'


def page(*, lang: str, title: str, site_title: str, nav: list[tuple[str, str]], current: str,
         body: str, footer: str, description: str = "") -> str:
    """A whole HTML page: local stylesheet and script only, navigation, main content, footer."""
    links = []
    for href, label in nav:
        cur = ' aria-current="page"' if href == current else ""
        links.append(f'<li><a href="{attr(href)}"{cur}>{esc(label)}</a></li>')
    desc = f'<meta name="description" content="{attr(description)}">' if description else ""
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{attr(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)} — {esc(site_title)}</title>",
        desc,
        '<link rel="stylesheet" href="assets/site.css">',
        '<script src="assets/sort.js" defer></script>',
        "</head>",
        "<body>",
        f'<a class="skip" href="#main">{esc(SKIP[lang])}</a>',
        f'<header class="site"><p class="site-title"><a href="index.html">{esc(site_title)}</a></p>',
        f'<nav aria-label="{attr(NAV[lang])}"><ul>{"".join(links)}</ul></nav></header>',
        f'<main id="main">\n{body}\n</main>',
        f'<footer class="site">{footer}</footer>',
        "</body>",
        "</html>",
        "",
    ])


SKIP = {"ru": "Перейти к содержанию", "en": "Skip to content"}
NAV = {"ru": "Разделы", "en": "Sections"}

__all__ = ["esc", "attr", "fmt_num", "num_repr", "where", "Column", "table", "page", "is_missing"]
