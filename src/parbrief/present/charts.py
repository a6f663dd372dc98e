"""Charts a newspaper can reuse (biểu đồ): one function per chart, each returning a chart block.

Every chart is drawn on its own ``Figure`` (not through pyplot, so nothing is left open in the
kernel and nothing is displayed twice) inside an ``rc_context``, so no setting leaks into the
analyst's session. Output is deterministic: DejaVu Sans (ships with matplotlib and covers
Vietnamese), a fixed SVG hash salt, no dates in SVG or PNG metadata, fixed sizes. Text is
drawn as paths in the SVG (it looks the same wherever it is pasted); each text element is also
written as a comment, so names stay searchable.
"""

from __future__ import annotations

import io
import math
import textwrap

import matplotlib
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from parbrief.core import formatting, i18n

PNG_DPI = 150
WIDTH = 7.0  # inches: a newspaper column pair / A4 text width
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "parbrief",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.titlesize": 10,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "figure.dpi": 100,
    "path.simplify": True,
}
BLUE = "#1f5fa8"
ORANGE = "#d9480f"
GREY = "#d5d9de"
DARK = "#333333"
GREEN = "#2b8a3e"
RED = "#c92a2a"
CLASS_RAMP = ("#2b8a3e", "#74b816", "#f59f00", "#f76707", "#c92a2a")
SERIES_COLOURS = ("#1f5fa8", "#2b8a3e", "#e67700", "#7048e8", "#c2255c")


def _axis_number(lang: str, decimals: int = 0, suffix: str = "") -> FuncFormatter:
    # a true minus sign, as in the value labels
    return FuncFormatter(
        lambda x, _pos: formatting.number(x, lang, decimals).replace("-", "\u2212") + suffix)


def _signed_points(value: float, lang: str) -> str:
    """"+12,50" / "−0,40": index changes keep the two decimals indices are published with."""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    return sign + formatting.points(abs(value), lang)


def _wrap(text: str, width: int = 40) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _strip_prolog(svg: str) -> str:
    """Inline SVG for HTML: the XML declaration and DOCTYPE are not allowed inside HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _block(fig: Figure, name: str, title: str, alt: str) -> dict:
    """Save the figure as SVG text and return the chart block.

    The chart is drawn once, as SVG: the HTML and the PDF embed it, and the newsroom PNG is
    rasterised from the same SVG by the renderer (Typst), which costs a tenth of a second
    matplotlib PNG per chart per language.
    """
    FigureCanvasAgg(fig)
    svg_buf = io.StringIO()
    fig.savefig(svg_buf, format="svg", metadata={"Date": None})
    fig.clear()
    return {"kind": "chart", "name": name, "title": title, "alt": alt,
            "svg": _strip_prolog(svg_buf.getvalue()), "png": ""}


def _render(draw, size: tuple[float, float], name: str, title: str, alt: str) -> dict:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size)
        draw(fig)
        return _block(fig, name, title, alt)


def _margins(fig: Figure, left: float, right: float, top_in: float, bottom_in: float) -> None:
    """Top and bottom margins in inches, so charts of different heights look alike."""
    height = fig.get_figheight()
    fig.subplots_adjust(left=left, right=right, top=1 - top_in / height, bottom=bottom_in / height)


def _row_labels(ax, y: list[float], labels: list[str], *, pad: float,
                highlight: int | None = None) -> None:
    """Category labels left of a horizontal bar chart, placed exactly as y tick labels are
    (``pad`` points from the axis), without tick objects: each tick is five artists, and
    for a ranking of twenty rows they were a third of the chart's drawing time."""
    ax.set_yticks([])
    transform, va, ha = ax.get_yaxis_text1_transform(pad)
    size, colour = matplotlib.rcParams["ytick.labelsize"], matplotlib.rcParams["ytick.color"]
    for i, (yi, label) in enumerate(zip(y, labels)):
        ax.text(0, yi, label, transform=transform, va=va, ha=ha, fontsize=size,
                color=ORANGE if i == highlight else colour,
                fontweight="bold" if i == highlight else "normal")


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# ----------------------------------------------------------------------------- briefing charts


def scorecard(areas: list[str], points: list[float], maxima: list[float], lang: str, *,
              title: str, alt: str, name: str = "scorecard") -> dict:
    """Horizontal bars: points achieved per area (blue) against the area's maximum (grey)."""
    n = len(areas)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        ax.barh(y, maxima, color=GREY, height=0.62, label=i18n.t("chart.maximum", lang))
        ax.barh(y, [0 if _nan(p) else p for p in points], color=BLUE, height=0.62,
                label=i18n.t("chart.points", lang))
        top = max(maxima) if maxima else 1
        for yi, p, m in zip(y, points, maxima):
            label = f"{formatting.number(p, lang)}/{formatting.number(m, lang)}"
            ax.text(m + top * 0.015, yi, label,
                    va="center", ha="left", fontsize=8.5, color=DARK)
        ax.set_yticks(y, [_wrap(a) for a in areas])
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.22)
        ax.xaxis.set_major_formatter(_axis_number(lang))
        ax.set_xlabel(i18n.t("chart.points", lang))
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False,
                  fontsize=8)
        _margins(fig, 0.40, 0.97, 0.4, 0.6)

    return _render(draw, (WIDTH, 1.0 + 0.5 * n), name, title, alt)


def trend(periods: list[str], series: list[tuple[str, list[float]]], reconstructed: list[bool],
          lang: str, *, merger_at: int | None, merger_label: str = "", title: str, alt: str,
          name: str = "trend") -> dict:
    """Index and key rates over the quarters: solid lines for reported quarters, hollow
    markers and dashed segments for quarters reconstructed from pre-merger units, a dashed
    vertical line at the merger (``merger_at``: position of the first post-merger quarter)."""
    x = list(range(len(periods)))

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        handles = []
        for k, (label, values) in enumerate(series):
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            width = 2.4 if k == 0 else 1.4
            z = 3 if k == 0 else 2  # the index stays on top of the rates
            # One line per style, broken by NaN between segments: a few artists per series
            # instead of one per segment and marker, which is most of the drawing time.
            solid: tuple[list, list] = ([], [])
            dashed: tuple[list, list] = ([], [])
            for i in range(len(x) - 1):
                a, b = values[i], values[i + 1]
                if _nan(a) or _nan(b):
                    continue
                xs, ys = dashed if reconstructed[i] or reconstructed[i + 1] else solid
                xs += [x[i], x[i + 1], math.nan]
                ys += [a, b, math.nan]
            if solid[0]:
                ax.plot(*solid, color=colour, linewidth=width, linestyle="-",
                        solid_capstyle="round", solid_joinstyle="round", zorder=z)
            if dashed[0]:
                ax.plot(*dashed, color=colour, linewidth=width, linestyle=(0, (4, 3)),
                        zorder=z)
            for hollow in (False, True):
                points = [(x[i], v) for i, v in enumerate(values)
                          if not _nan(v) and reconstructed[i] == hollow]
                if points:
                    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                            markersize=6 if k == 0 else 4.5, markeredgecolor=colour,
                            markeredgewidth=1.4, markerfacecolor="white" if hollow else colour,
                            linestyle="none", zorder=z + 0.5)
            handles.append(Line2D([], [], color=colour, linewidth=width, marker="o",
                                  markersize=5, label=label))
        if any(reconstructed):
            handles.append(Line2D([], [], color="#666666", linewidth=1.2, linestyle=(0, (4, 3)),
                                  marker="o", markerfacecolor="white", markersize=5,
                                  label=i18n.t("chart.reconstructed", lang)))
        if merger_at is not None and 0 < merger_at < len(x):
            xm = merger_at - 0.5
            ax.axvline(xm, color="#666666", linestyle="--", linewidth=1)
            # the label sits on the side with more room, so it is never cut off
            left = merger_at > len(x) / 2
            ax.text(xm + (-0.06 if left else 0.06), 101, merger_label,
                    ha="right" if left else "left", va="bottom", fontsize=8, color="#444444")
        ax.set_ylim(0, 108)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.yaxis.set_major_formatter(_axis_number(lang))
        ax.set_ylabel(i18n.t("chart.index_or_percent", lang))
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.set_xticks(x, periods)
        ax.set_xlim(-0.4, len(x) - 0.6)
        ax.grid(axis="y", color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
        fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=8)
        _margins(fig, 0.09, 0.98, 0.15, 1.25)

    return _render(draw, (WIDTH, 4.2), name, title, alt)


def peers(labels: list[str], values: list[float | None], lang: str, *, highlight: int | None,
          title: str, alt: str, name: str = "peers") -> dict:
    """Ranked horizontal bars of the peers' index; ``None`` values are gap rows ("…")."""
    n = len(labels)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        bars = [i for i, v in enumerate(values) if v is not None]
        widths = [0 if _nan(values[i]) else values[i] for i in bars]
        ax.barh(bars, widths, color=[ORANGE if i == highlight else "#8fb3dc" for i in bars],
                height=0.7)
        for i, w in zip(bars, widths):
            ax.text(w + 1, i, formatting.points(values[i], lang), va="center",
                    ha="left", fontsize=8, color=DARK,
                    fontweight="bold" if i == highlight else "normal")
        _row_labels(ax, y, labels, pad=3.5, highlight=highlight)
        ax.invert_yaxis()
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.xaxis.set_major_formatter(_axis_number(lang))
        ax.set_xlabel(i18n.t("chart.index", lang))
        _margins(fig, 0.34, 0.97, 0.1, 0.55)

    return _render(draw, (WIDTH, 0.9 + 0.26 * n), name, title, alt)


# ----------------------------------------------------------------------------- overview charts


def class_distribution(labels: list[str], counts: list[int], lang: str, *, title: str, alt: str,
                       name: str = "class-distribution") -> dict:
    """Number of localities per class, best class first."""

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        x = list(range(len(labels)))
        # best class green, worst red, whatever the number of classes
        step = (len(CLASS_RAMP) - 1) / max(len(x) - 1, 1)
        colours = [CLASS_RAMP[round(i * step)] for i in x]
        ax.bar(x, counts, color=colours, width=0.65)
        top = max(counts) if counts and max(counts) > 0 else 1
        for xi, c in zip(x, counts):
            ax.text(xi, c + top * 0.02, formatting.integer(c, lang), ha="center", va="bottom",
                    fontsize=9, color=DARK)
        ax.set_xticks(x, labels)
        ax.set_ylim(0, top * 1.15)
        ax.yaxis.set_major_formatter(_axis_number(lang))
        ax.set_ylabel(i18n.t("chart.localities", lang))
        fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.12)

    return _render(draw, (WIDTH, 3.4), name, title, alt)


def dot_map(lons: list[float], lats: list[float], values: list[float], labels: dict[int, str],
            lang: str, *, missing: list[tuple[float, float]] = (), title: str, alt: str,
            name: str = "dot-map") -> dict:
    """Localities at their coordinates, coloured by index; ``labels`` names some dots
    (position in the lists -> name); ``missing`` marks units that did not report. The height
    follows the area's shape (a deterministic function of the coordinates)."""
    all_lons = list(lons) + [p[0] for p in missing]
    all_lats = list(lats) + [p[1] for p in missing]
    mid_lat = (min(all_lats) + max(all_lats)) / 2 if all_lats else 0.0
    mid_lon = (min(all_lons) + max(all_lons)) / 2 if all_lons else 0.0
    stretch = 1 / max(math.cos(math.radians(mid_lat)), 0.1)
    lon_span = (max(all_lons) - min(all_lons)) if all_lons else 1.0
    lat_span = (max(all_lats) - min(all_lats)) if all_lats else 1.0
    plot_width = WIDTH - 1.9  # inches left for the map beside the colour bar and margins
    height = min(max(plot_width * lat_span * stretch / max(lon_span, 1e-6) + 1.0, 3.5), 9.0)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        if missing:
            ax.scatter([p[0] for p in missing], [p[1] for p in missing], marker="x", s=22,
                       color="#999999", linewidths=1, label=i18n.t("chart.not_reported", lang))
            ax.legend(loc="lower left", frameon=False, fontsize=8)
        dots = ax.scatter(lons, lats, c=values, cmap="viridis", s=34, edgecolors="white",
                          linewidths=0.5, vmin=min(values) if values else 0,
                          vmax=max(values) if values else 100)
        named = sorted(labels)
        # a ring shows which dot a label belongs to
        ax.scatter([lons[i] for i in named], [lats[i] for i in named], s=70, facecolors="none",
                   edgecolors=DARK, linewidths=1.1)
        halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        for i, text in sorted(labels.items()):
            right = lons[i] > mid_lon  # labels point inwards so they stay inside the frame
            ax.annotate(text, (lons[i], lats[i]), xytext=(-6 if right else 6, 4),
                        textcoords="offset points", ha="right" if right else "left",
                        fontsize=8, color=DARK, path_effects=halo)
        ax.set_aspect(stretch)
        for axis, suffix in ((ax.xaxis, "°E"), (ax.yaxis, "°N")):
            axis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10]))
            axis.set_major_formatter(_axis_number(lang, 1, suffix))
        ax.tick_params(labelsize=7.5)
        bar = fig.colorbar(dots, ax=ax, shrink=0.8, pad=0.02, fraction=0.04)
        bar.set_label(i18n.t("chart.index", lang))
        bar.ax.yaxis.set_major_formatter(_axis_number(lang))
        _margins(fig, 0.1, 0.88, 0.1, 0.4)

    return _render(draw, (WIDTH, round(height, 2)), name, title, alt)


def movers(labels: list[str], changes: list[float], lang: str, *, title: str, alt: str,
           name: str = "movers") -> dict:
    """Largest rises (green) and falls (red) of the index against the previous quarter."""
    n = len(labels)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        colours = [GREEN if c > 0 else RED for c in changes]
        ax.barh(y, changes, color=colours, height=0.65)
        span = max([abs(c) for c in changes] + [1.0])
        for yi, c in zip(y, changes):
            ax.text(c + (span * 0.02 if c >= 0 else -span * 0.02), yi,
                    _signed_points(c, lang), va="center", ha="left" if c >= 0 else "right",
                    fontsize=8, color=DARK)
        ax.axvline(0, color="#666666", linewidth=0.8)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlim(-span * 1.3, span * 1.3)
        ax.xaxis.set_major_formatter(_axis_number(lang, 1))
        ax.set_xlabel(i18n.t("chart.index_change", lang))
        ax.tick_params(axis="y", length=0)
        _margins(fig, 0.3, 0.97, 0.1, 0.55)

    return _render(draw, (WIDTH, 1.0 + 0.3 * n), name, title, alt)


__all__ = [
    "PNG_DPI",
    "class_distribution",
    "dot_map",
    "movers",
    "peers",
    "scorecard",
    "trend",
]
