"""Plots of a run (matplotlib, Agg backend): fan charts, demand by industry, quotas.

Every function returns PNG bytes; :func:`png_bytes` fixes the metadata (no software
version, no date) so the same figure gives the same bytes. Fonts: DejaVu Sans, which ships
with matplotlib and has Cyrillic.

Examples
--------
>>> import pandas as pd
>>> fc = pd.DataFrame({"year": [2026, 2027], "employment": [10.0, 11.0],
...     "employment_lo_80": [10.0, 9.0], "employment_hi_80": [10.0, 13.0],
...     "employment_lo_95": [10.0, 8.0], "employment_hi_95": [10.0, 14.0]})
>>> fan_chart(fc, title="x")[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from forecast.report import labels as L  # noqa: E402

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "kadry",
    "path.simplify": False,
}
_DPI = 100
_BLUE = "#1f5fa8"
_GREY = "#777777"


def _set_title(ax, title: str, width: int = 72) -> None:
    # Profession names are long: wrap rather than let the title run off the figure.
    ax.set_title("\n".join(textwrap.wrap(title, width)) or title, fontsize=10)


def png_bytes(fig) -> bytes:
    """Render ``fig`` to PNG with fixed metadata, then close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None}, bbox_inches=None)
    plt.close(fig)
    return buf.getvalue()


def fan_chart(forecast: pd.DataFrame, title: str, history: pd.DataFrame | None = None,
              lang: str = "ru") -> bytes:
    """Fan chart: survey history (dots), point forecast (line), 80% and 95% bands.

    Parameters
    ----------
    forecast : DataFrame
        year, employment, employment_lo_80, employment_hi_80, employment_lo_95, employment_hi_95.
    history : DataFrame, optional
        year, employment (weighted survey headcounts of past waves).
    """
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7.0, 3.6))
        f = forecast.sort_values("year")
        x = f["year"].to_numpy()
        for level, alpha in ((95, 0.18), (80, 0.35)):
            lo, hi = f.get(f"employment_lo_{level}"), f.get(f"employment_hi_{level}")
            if lo is not None and hi is not None:
                ax.fill_between(x, lo.to_numpy(float), hi.to_numpy(float), color=_BLUE,
                                alpha=alpha, linewidth=0, label=L.text("band", lang, L=level))
        ax.plot(x, f["employment"].to_numpy(float), color=_BLUE, linewidth=2,
                label=L.text("forecast", lang))
        if history is not None and len(history):
            h = history.sort_values("year")
            ax.plot(h["year"].to_numpy(), h["employment"].to_numpy(float), "o-", color=_GREY,
                    markersize=4, linewidth=1, label=L.text("history", lang))
        _set_title(ax, title)
        ax.set_ylabel(L.text("persons", lang))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        return png_bytes(fig)


def demand_by_industry(frame: pd.DataFrame, title: str, lang: str = "ru", top: int = 8) -> bytes:
    """Stacked bars of demand by year for the largest industries (the rest as 'other').

    ``frame``: okved_section, year, demand (one scenario).
    """
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        if len(frame):
            wide = frame.pivot_table(index="year", columns="okved_section", values="demand",
                                     aggfunc="sum", fill_value=0.0).sort_index()
            order = wide.sum().sort_values(ascending=False, kind="mergesort")
            keep = list(order.index[:top])
            rest = [c for c in wide.columns if c not in keep]
            if rest:
                wide[L.text("other", lang)] = wide[rest].sum(axis=1)
                wide = wide[keep + [L.text("other", lang)]]
            else:
                wide = wide[keep]
            bottom = np.zeros(len(wide))
            colors = plt.get_cmap("tab10").colors
            for i, c in enumerate(wide.columns):
                name = L.section_name(c, lang)
                label = f"{c} {_short(name, 30)}" if name else str(c)
                vals = wide[c].to_numpy(float)
                ax.bar(wide.index.astype(str), vals, bottom=bottom, color=colors[i % 10], label=label)
                bottom += vals
            ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
        _set_title(ax, title)
        ax.set_ylabel(L.text("persons", lang))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        return png_bytes(fig)


def quotas_vs_demand(frame: pd.DataFrame, title: str, lang: str = "ru", top: int = 15) -> bytes:
    """Horizontal bars per programme: proposed quota, last year's quota, demand of the graduation year.

    ``frame``: programme_code, programme, quota, last_quota, demand (one scenario).
    """
    with plt.rc_context(_RC):
        f = frame.sort_values(["quota", "programme_code"], ascending=[False, True], kind="mergesort").head(top)
        f = f.iloc[::-1]
        fig, ax = plt.subplots(figsize=(7.0, max(2.5, 0.32 * len(f) + 1.2)))
        y = np.arange(len(f))
        hgt = 0.27
        ax.barh(y + hgt, f["quota"].to_numpy(float), hgt, color=_BLUE, label=L.col("quota", lang))
        ax.barh(y, f["last_quota"].to_numpy(float), hgt, color="#9bb8dc", label=L.col("last_quota", lang))
        ax.barh(y - hgt, f["demand"].to_numpy(float), hgt, color="#e08a3c", label=L.col("demand", lang))
        names = [f"{c} {_short(n, 32)}" for c, n in zip(f["programme_code"], f["programme"].fillna(""))]
        ax.set_yticks(y, names, fontsize=7)
        _set_title(ax, title)
        ax.set_xlabel(L.text("persons", lang))
        ax.legend(fontsize=7, frameon=False, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        return png_bytes(fig)


def _short(text, n: int) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _thousands(v, _pos=None) -> str:
    return f"{v:,.0f}".replace(",", "\u202f")


__all__ = ["png_bytes", "fan_chart", "demand_by_industry", "quotas_vs_demand"]
