"""Inline SVG charts of the site (no script, no file, no font from anywhere).

Each chart is an ``<svg role="img">`` with ``<title>`` and ``<desc>`` (its text alternative,
also referenced by ``aria-labelledby``); the page puts the chart's data next to it as a
table. Sizes are in a ``viewBox`` so the chart scales to the width of a phone. Colours come
from a fixed palette that stays distinguishable in greyscale print (bars also differ in
pattern order and are labelled with their values).

Examples
--------
>>> svg = hbar_chart([("A", 3.0), ("B <x>", 1.0)], title="T", desc="D", chart_id="c1", lang="en")
>>> svg.startswith('<svg') and "B &lt;x&gt;" in svg and "<title id=\\"c1-t\\">T</title>" in svg
True
"""

from __future__ import annotations

import math

from forecast.publish.html import attr, esc, fmt_num

#: bar colours (Okabe–Ito, colour-blind safe)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _nice_max(v: float) -> float:
    if not v or v <= 0 or not math.isfinite(v):
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="chart" id="{attr(chart_id)}" role="img" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'aria-labelledby="{attr(chart_id)}-t {attr(chart_id)}-d">',
        f'<title id="{attr(chart_id)}-t">{esc(title)}</title>',
        f'<desc id="{attr(chart_id)}-d">{esc(desc)}</desc>',
    ]


def _short(label: str, n: int = 64) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def hbar_chart(items: list[tuple[str, float]], *, title: str, desc: str, chart_id: str, lang: str,
               series: list[str] | None = None, values2: list[float] | None = None) -> str:
    """Horizontal bars, one per item (in the order given), each under its label (reads on a phone).

    With ``values2`` a second bar per item (series names in the legend ``series``).
    """
    width, left, value_w, top = 520, 4, 56, 4
    bar_w = width - left - value_w
    n_bars = 1 if values2 is None else 2
    bar_h, label_h, gap = 14, 17, 9
    row_h = label_h + n_bars * (bar_h + 2) + gap
    legend_h = 24 if series else 0
    height = top + legend_h + row_h * len(items)
    # no axis: the longest bar takes the whole width (its value is written next to it)
    vmax = max([v for _, v in items if math.isfinite(v)]
               + [v for v in (values2 or []) if math.isfinite(v)] + [0.0]) or 1.0
    out = _open(chart_id, width, height, title, desc)
    out[0] = out[0].replace('class="chart"', 'class="chart hbar"', 1)
    y0 = top
    if series:
        x = left
        for i, name in enumerate(series):
            out.append(f'<rect x="{x}" y="{y0}" width="14" height="14" fill="{PALETTE[i]}"/>')
            out.append(f'<text x="{x + 20}" y="{y0 + 12}" class="lg">{esc(name)}</text>')
            x += 34 + 8 * len(name)
        y0 += legend_h
    for i, (label, v) in enumerate(items):
        y = y0 + i * row_h
        out.append(f'<text x="{left}" y="{y + 13}" class="lb">{esc(_short(label))}</text>')
        bars = [(v, PALETTE[0])] + ([(values2[i], PALETTE[1])] if values2 is not None else [])
        for j, (val, colour) in enumerate(bars):
            w = 0.0 if not math.isfinite(val) else max(0.0, val) / vmax * bar_w
            yy = y + label_h + j * (bar_h + 2)
            out.append(f'<rect x="{left}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{yy + bar_h - 2}" class="vl">{esc(fmt_num(val, 0, lang))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def grouped_bars(years: list[int], series: list[tuple[str, list[float]]], *, title: str, desc: str,
                 chart_id: str, lang: str) -> str:
    """Vertical bars grouped by year, one bar per series (scenario), with a legend and y grid."""
    left, right, top, bottom, plot_h = 52, 6, 34, 24, 200
    group_w = max(40, 14 * len(series) + 12)
    width = left + right + group_w * max(1, len(years))
    height = top + plot_h + bottom
    vmax = _nice_max(max([v for _, vals in series for v in vals if math.isfinite(v)] + [0.0]))
    out = _open(chart_id, width, height, title, desc)
    x = left
    for i, (name, _) in enumerate(series):
        out.append(f'<rect x="{x}" y="6" width="14" height="14" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 20}" y="18" class="lg">{esc(name)}</text>')
        x += 30 + 8 * len(name)
    for k in range(5):
        val = vmax * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="ax">{esc(fmt_num(val, 0, lang))}</text>')
    bw = (group_w - 10) / max(1, len(series))
    for gi, year in enumerate(years):
        gx = left + gi * group_w + 5
        for si, (_, vals) in enumerate(series):
            v = vals[gi]
            h = 0.0 if not math.isfinite(v) else max(0.0, v) / vmax * plot_h
            out.append(f'<rect x="{gx + si * bw:.1f}" y="{top + plot_h - h:.1f}" width="{bw - 2:.1f}" '
                       f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}"/>')
        out.append(f'<text x="{gx + (group_w - 10) / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                   f'class="ax">{year}</text>')
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["hbar_chart", "grouped_bars", "PALETTE"]
