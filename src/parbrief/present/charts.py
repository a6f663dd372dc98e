"""Charts a newspaper can reuse (biểu đồ): one function per chart, each returning a chart block.

Every chart is drawn on its own ``Figure`` (not through pyplot, so nothing is left open in the
kernel and nothing is displayed twice) inside an ``rc_context``, so no setting leaks into the
analyst's session. Each chart carries its title and its "Nguồn:/Source:" line inside the image,
so a copy that travels without its caption still says what it is and where it comes from.

Text stays text in the SVG (``svg.fonttype: none``), in one named font, DejaVu Sans (shipped
with matplotlib; its licence allows embedding): an editor can change a word in the SVG, the
page embeds the same font (``publish.html``), and Typst rasterises the newsroom PNG with it.
Writing text as text is also several times cheaper than outlining every glyph.

Charts read in grayscale: one series or class is told from another by lightness, line style
and marker, and every series is labelled directly (no colour legend to decode). Output is
deterministic: a fixed SVG hash salt, no dates, fixed sizes.
"""

from __future__ import annotations

import io
import math
import re
import textwrap

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from parbrief.core import formatting, i18n

FONT = "DejaVu Sans"
WIDTH = 7.0  # inches
TITLE_IN = 0.62  # inches above the plot for the title (two lines)
SOURCE_IN = 0.34  # inches below everything for the source line
RC = {
    "font.family": [FONT],
    "font.size": 9,
    "svg.hashsalt": "parbrief",
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "figure.dpi": 100,
    "path.simplify": True,
}
INK = "#1b1b1b"
DARK = "#333333"
MUTED = "#5a5a5a"
LIGHT = "#c9ced6"
ACCENT = "#b8860b"  # dark gold: the unit a chart is about; darker than LIGHT in grayscale
BAR = "#8c9bb0"
# Series of the trend chart: the index in ink, the rates in tones that differ in lightness as
# well as hue, each with its own line style and marker.
SERIES_STYLES = (
    {"color": INK, "linestyle": "-", "marker": "o", "linewidth": 2.6, "markersize": 6},
    {"color": "#1f5fa8", "linestyle": (0, (6, 2)), "marker": "s", "linewidth": 1.5,
     "markersize": 4.5},
    {"color": "#e08a00", "linestyle": (0, (1.5, 1.5)), "marker": "^", "linewidth": 1.6,
     "markersize": 5},
    {"color": "#7f7f7f", "linestyle": (0, (6, 2, 1.5, 2)), "marker": "D", "linewidth": 1.5,
     "markersize": 4},
)
# Classes, best first: dark to light (any number of classes keeps the order in grayscale).
CLASS_RAMP = ("#123d6b", "#2f6fae", "#6e9fcf", "#a9c5e3", "#d9e5f2")
RISE = "#2b6e3f"  # dark green
FALL = "#e6a19b"  # light red
# Every colour the charts use (the newsroom PNG's palette is built from these).
PALETTE = (INK, DARK, MUTED, LIGHT, ACCENT, BAR, *(s["color"] for s in SERIES_STYLES),
           *CLASS_RAMP, RISE, FALL, "#b35a52", "#6b7a8f", "#2f4f6f", "#888888", "#444444",
           "#666666", "#eeeeee", "#bbbbbb", "#f0f0f0", "#555555")


def _axis_number(lang: str, decimals: int = 0, suffix: str = "") -> FuncFormatter:
    # a true minus sign, as in the value labels
    return FuncFormatter(
        lambda x, _pos: formatting.number(x, lang, decimals).replace("-", "\u2212") + suffix)


def _signed_points(value: float, lang: str) -> str:
    """"+12,50" / "−0,40": index changes keep the two decimals indices are published with."""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    return sign + formatting.points(abs(value), lang)


# a quarter ("Q3 2026", "Quý III/2026") is never broken across lines
_QUARTER = re.compile(r"\b(Q[1-4]|Quý [IV]+/\d{4}|Quý) (\d{4}|[IV]+/\d{4})")


def _wrap(text: str, width: int = 40) -> str:
    text = _QUARTER.sub(lambda m: f"{m.group(1)}\u00a0{m.group(2)}", text)
    return "\n".join(textwrap.wrap(text, width)) or text


_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
# Coordinates to the hundredth of a point (1/7,000 of the chart's width): matplotlib writes
# six decimals, a third of an SVG's bytes, which every copy (page, PDF, notebook, pack) repeats.
_FINE = re.compile(r"(?<=\d\.\d\d)\d+")
_SPACE = re.compile(r">\s+<")


def _strip_prolog(svg: str) -> str:
    """Inline SVG for HTML: no XML declaration or DOCTYPE (not allowed inside HTML), no RDF
    metadata block (it names no one and only adds bytes), coordinates to 0.01 pt."""
    start = svg.find("<svg")
    svg = _FINE.sub("", _METADATA.sub("", svg[start:] if start >= 0 else svg, count=1))
    # no indentation between elements, path data on one line (text holds no line breaks:
    # a label of two lines is two text elements)
    return _SPACE.sub("><", svg).replace(" \n", " ").replace("\n", " ").strip() + "\n"


def _frame(fig: Figure, title: str, source: str) -> None:
    """The title (top left, bold, up to two lines) and the source line (bottom left)."""
    height = fig.get_figheight()
    fig.text(0.012, 1 - 0.1 / height, _wrap(title, 78), ha="left", va="top", fontsize=10.5,
             fontweight="bold", color=INK, linespacing=1.25)
    if source:
        fig.text(0.012, 0.08 / height, _wrap(source, 120), ha="left", va="bottom", fontsize=7,
                 color=MUTED)


def _block(fig: Figure, name: str, title: str, alt: str) -> dict:
    """Save the figure as SVG text and return the chart block.

    The chart is drawn once, as SVG: the HTML and the PDF embed it, and the newsroom PNG is
    rasterised from the same SVG by the renderer (Typst).
    """
    FigureCanvasAgg(fig)
    svg_buf = io.StringIO()
    fig.savefig(svg_buf, format="svg", metadata={"Date": None})
    fig.clear()
    return {"kind": "chart", "name": name, "title": title, "alt": alt,
            "svg": _strip_prolog(svg_buf.getvalue()), "png": "", "framed": True}


def _render(draw, size: tuple[float, float], name: str, title: str, alt: str,
            source: str) -> dict:
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=size)
        draw(fig)
        _frame(fig, title, source)
        return _block(fig, name, title, alt)


def _margins(fig: Figure, left: float, right: float, top_in: float, bottom_in: float) -> None:
    """Top and bottom margins in inches (title and source line included), so charts of
    different heights look alike."""
    height = fig.get_figheight()
    fig.subplots_adjust(left=left, right=right, top=1 - (top_in + TITLE_IN) / height,
                        bottom=(bottom_in + SOURCE_IN) / height)


def _height(plot_in: float, below_in: float, above_in: float = 0.15) -> float:
    return round(plot_in + below_in + above_in + TITLE_IN + SOURCE_IN, 2)


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
                color=INK if i == highlight else colour,
                fontweight="bold" if i == highlight else "normal")


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``values`` at least ``gap`` apart, kept within [low, high]
    (direct labels at the end of lines that end close together)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed = [0.0] * len(values)
    last = low - gap
    for i in order:
        placed[i] = max(values[i], last + gap)
        last = placed[i]
    overflow = last - high
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
        first = min(placed) if placed else low
        if first < low:  # too many labels for the room: spread them evenly instead
            step = (high - low) / max(len(values) - 1, 1)
            for k, i in enumerate(order):
                placed[i] = low + k * step
    return placed


# ----------------------------------------------------------------------------- briefing charts


def scorecard(areas: list[str], points: list[float], maxima: list[float], lang: str, *,
              title: str, alt: str, source: str = "", name: str = "scorecard") -> dict:
    """Horizontal bars: points achieved per area (dark) over the area's maximum (light),
    each labelled "points/maximum"."""
    n = len(areas)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        ax.barh(y, maxima, color=LIGHT, height=0.62)
        ax.barh(y, [0 if _nan(p) else p for p in points], color="#2f4f6f", height=0.62)
        top = max(maxima) if maxima else 1
        for yi, p, m in zip(y, points, maxima):
            label = f"{formatting.number(p, lang)}/{formatting.number(m, lang)}"
            ax.text(m + top * 0.015, yi, label, va="center", ha="left", fontsize=8.5,
                    color=DARK)
        _row_labels(ax, y, [_wrap(a) for a in areas], pad=3.5)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.2)
        ax.xaxis.set_major_formatter(_axis_number(lang))
        ax.set_xlabel(i18n.t("chart_text.points_of_maximum", lang))
        _margins(fig, 0.40, 0.97, 0.1, 0.45)

    return _render(draw, (WIDTH, _height(0.5 * n, 0.45)), name, title, alt, source)


def trend(periods: list[str], series: list[tuple[str, list[float]]], reconstructed: list[bool],
          lang: str, *, merger_at: int | None, merger_label: str = "", title: str, alt: str,
          source: str = "", name: str = "trend") -> dict:
    """Index and key rates over the quarters, each line labelled at its right end. The index
    is the thick ink line drawn last, so no rate hides it; the rates differ in lightness, line
    style and marker. Quarters reconstructed from pre-merger units sit on a shaded band with
    hollow markers, a dashed vertical line at the merger (``merger_at``: position of the first
    post-merger quarter)."""
    x = list(range(len(periods)))

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        rebuilt = [i for i, r in enumerate(reconstructed) if r]
        if rebuilt:
            ax.axvspan(min(rebuilt) - 0.4, max(rebuilt) + 0.5, color="#f0f0f0", zorder=0,
                       linewidth=0)
            ax.text(min(rebuilt) - 0.3, 3, _wrap(i18n.t("chart.reconstructed", lang), 28),
                    ha="left", va="bottom", fontsize=7.5, color=MUTED)
        if merger_at is not None and 0 < merger_at < len(x):
            xm = merger_at - 0.5
            ax.axvline(xm, color="#666666", linestyle="--", linewidth=1, zorder=1)
            left = merger_at > len(x) / 2
            ax.text(xm + (-0.06 if left else 0.06), 101, merger_label,
                    ha="right" if left else "left", va="bottom", fontsize=7.5, color=MUTED)
        ends: list[tuple[float, str, str, bool]] = []
        # the index last: on top of every rate
        for k in list(range(1, len(series))) + [0]:
            label, values = series[k]
            style = SERIES_STYLES[k % len(SERIES_STYLES)]
            z = 5 if k == 0 else 3
            ys = [math.nan if _nan(v) else v for v in values]
            ax.plot(x, ys, color=style["color"], linestyle=style["linestyle"],
                    linewidth=style["linewidth"], zorder=z, solid_capstyle="round")
            for hollow in (False, True):
                pts = [(x[i], v) for i, v in enumerate(ys)
                       if not _nan(v) and reconstructed[i] == hollow]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=style["marker"],
                            markersize=style["markersize"], markeredgecolor=style["color"],
                            markeredgewidth=1.3,
                            markerfacecolor="white" if hollow else style["color"],
                            linestyle="none", zorder=z + 0.5)
            last = next((v for v in reversed(ys) if not _nan(v)), None)
            if last is not None:
                ends.append((last, label, style["color"], k == 0))
        ax.set_ylim(0, 108)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.yaxis.set_major_formatter(_axis_number(lang))
        ax.set_ylabel(i18n.t("chart.index_or_percent", lang))
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.set_xticks(x, periods)
        ax.set_xlim(-0.4, len(x) - 0.6)
        ax.grid(axis="y", color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
        # direct labels right of the last quarter, moved apart where lines end close together
        spots = _spread([e[0] for e in ends], 9.0, 2.0, 106.0)
        for (value, label, colour, main), spot in zip(ends, spots):
            shown = formatting.points(value, lang) if main else formatting.percent(value, lang)
            text = f"{_wrap(label, 24)} {shown}"
            ax.annotate(text, xy=(len(x) - 1, value), xytext=(len(x) - 0.45, spot),
                        textcoords="data", ha="left", va="center", fontsize=8,
                        color=INK if main else colour,
                        fontweight="bold" if main else "normal", annotation_clip=False,
                        arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "linewidth": 0.6,
                                    "shrinkA": 0, "shrinkB": 3})
        _margins(fig, 0.08, 0.70, 0.15, 0.5)

    return _render(draw, (WIDTH, _height(3.2, 0.5)), name, title, alt, source)


def peers(labels: list[str], values: list[float | None], lang: str, *, highlight: int | None,
          title: str, alt: str, source: str = "", name: str = "peers") -> dict:
    """Ranked horizontal bars of the peers' index; ``None`` values are gap rows ("…"); the
    unit the briefing is about is the dark bar with a bold label."""
    n = len(labels)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        bars = [i for i, v in enumerate(values) if v is not None]
        widths = [0 if _nan(values[i]) else values[i] for i in bars]
        ax.barh(bars, widths, color=[INK if i == highlight else LIGHT for i in bars],
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
        _margins(fig, 0.34, 0.97, 0.1, 0.45)

    return _render(draw, (WIDTH, _height(0.26 * n, 0.45)), name, title, alt, source)


# ----------------------------------------------------------------------------- overview charts


def class_distribution(labels: list[str], counts: list[int], lang: str, *, title: str, alt: str,
                       source: str = "", name: str = "class-distribution") -> dict:
    """Number of localities per class, best class first, dark to light, each bar labelled."""

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        x = list(range(len(labels)))
        step = (len(CLASS_RAMP) - 1) / max(len(x) - 1, 1)
        colours = [CLASS_RAMP[round(i * step)] for i in x]
        ax.bar(x, counts, color=colours, width=0.65, edgecolor="#555555", linewidth=0.6)
        top = max(counts) if counts and max(counts) > 0 else 1
        total = sum(counts) or 1
        for xi, c in zip(x, counts):
            ax.text(xi, c + top * 0.02, f"{formatting.integer(c, lang)} "
                    f"({formatting.percent(c / total * 100, lang, 0)})", ha="center",
                    va="bottom", fontsize=8.5, color=DARK)
        ax.set_xticks(x, labels)
        ax.set_ylim(0, top * 1.18)
        ax.yaxis.set_major_formatter(_axis_number(lang))
        ax.set_ylabel(i18n.t("chart.localities", lang))
        _margins(fig, 0.09, 0.98, 0.1, 0.35)

    return _render(draw, (WIDTH, _height(2.4, 0.35)), name, title, alt, source)


def movers(labels: list[str], changes: list[float], lang: str, *, title: str, alt: str,
           source: str = "", name: str = "movers") -> dict:
    """Largest rises (dark green, right) and falls (light red, left) of the index against the
    previous quarter, each bar labelled with its signed change."""
    n = len(labels)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        ax.barh(y, changes, color=[RISE if c > 0 else FALL for c in changes], height=0.65,
                edgecolor=["none" if c > 0 else "#b35a52" for c in changes], linewidth=0.6)
        span = max([abs(c) for c in changes] + [1.0])
        for yi, c in zip(y, changes):
            ax.text(c + (span * 0.02 if c >= 0 else -span * 0.02), yi,
                    _signed_points(c, lang), va="center", ha="left" if c >= 0 else "right",
                    fontsize=8, color=DARK)
        ax.axvline(0, color="#666666", linewidth=0.8)
        _row_labels(ax, y, labels, pad=3.5)
        ax.invert_yaxis()
        ax.set_xlim(-span * 1.3, span * 1.3)
        ax.xaxis.set_major_formatter(_axis_number(lang, 1))
        ax.set_xlabel(i18n.t("chart.index_change", lang))
        _margins(fig, 0.3, 0.97, 0.1, 0.45)

    return _render(draw, (WIDTH, _height(0.3 * n, 0.45)), name, title, alt, source)


def by_group(groups: list[str], values: list[list[float]], lang: str, *, title: str, alt: str,
             source: str = "", name: str = "by-former-district") -> dict:
    """One row per group (a former district), best median first: a dot for each of its units'
    index and a bar at the median, labelled with the median and the number of units. It
    shows where in the province the high and low scores are, as a map would, with the
    names readers know and no overprinted labels."""
    n = len(groups)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        y = list(range(n))
        lo = min([min(v) for v in values if v] + [100.0])
        for yi, vals in zip(y, values):
            if not vals:
                continue
            ax.plot([min(vals), max(vals)], [yi, yi], color=LIGHT, linewidth=2.2, zorder=1)
            ax.scatter(vals, [yi] * len(vals), s=16, color="#6b7a8f", zorder=2,
                       linewidths=0)
            middle = sorted(vals)[len(vals) // 2] if len(vals) % 2 else \
                (sorted(vals)[len(vals) // 2 - 1] + sorted(vals)[len(vals) // 2]) / 2
            ax.plot([middle, middle], [yi - 0.32, yi + 0.32], color=INK, linewidth=2.4,
                    zorder=3)
            ax.text(101.5, yi, f"{formatting.number(middle, lang, 1)} · "
                    f"{formatting.integer(len(vals), lang)}", va="center", ha="left",
                    fontsize=7.5, color=DARK)
        _row_labels(ax, y, groups, pad=3.5)
        ax.invert_yaxis()
        ax.set_xlim(max(min(lo - 3, 60), 0), 100)
        ax.xaxis.set_major_formatter(_axis_number(lang))
        ax.set_xlabel(i18n.t("chart_text.index_median", lang))
        ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
        _margins(fig, 0.30, 0.86, 0.1, 0.45)

    return _render(draw, (WIDTH, _height(0.27 * n, 0.45)), name, title, alt, source)


__all__ = [
    "FONT",
    "PALETTE",
    "by_group",
    "class_distribution",
    "movers",
    "peers",
    "scorecard",
    "trend",
]
