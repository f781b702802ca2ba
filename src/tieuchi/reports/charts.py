"""The report's charts as PNG images: the % of the target of each target of a group.

A chart is drawn from a :class:`~tieuchi.reports.document.Chart` of the report model: the
names, the percentages, their labels ("104,2%") and the statuses all come from the
evaluation through the model; nothing is computed here but the drawing. :func:`series` gives
what is plotted (names as shown, values, colours), :func:`chart_png` the image.

matplotlib is imported inside :func:`chart_png`: it takes a while to import, and only the
DOCX (and the PDF made from it) draws charts. The figure is drawn by the Agg canvas directly
(``FigureCanvasAgg``), without pyplot: no display, no global backend or figure registry, so
conversions in parallel (web workers) do not share state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO

from tieuchi.reports.document import Chart
from tieuchi.reports.formatting import percent

__all__ = ["ChartSeries", "series", "chart_png", "draw_png", "shorten", "font_file",
           "WIDTH_CM", "DPI", "ACHIEVED", "NOT_MET"]

WIDTH_CM = 16.0  # the image's width on the page (the text is 16.5 cm wide)
DPI = 300
ACHIEVED = "#1e7b3c"  # met or exceeded
NOT_MET = "#b42318"
OTHER = "#98a2b3"  # any other assessment (none has a % of the target today)
COLOURS = {"exceeded": ACHIEVED, "met": ACHIEVED, "not_met": NOT_MET,  # by status
           "ahead": ACHIEVED, "on_track": ACHIEVED, "behind": NOT_MET}  # by pace (open)
NAME_CHARS = 42  # a longer name is cut at a word and ends with "…"
# The first of these fonts that is installed (and has the Vietnamese letters): Times New Roman
# and Liberation Serif match the document's text; DejaVu Sans ships with matplotlib.
FONTS = ("Times New Roman", "Liberation Serif", "DejaVu Sans")
FONT_PT = 9
BAR_CM = 0.62  # the height of a bar's row
FRAME_CM = 2.1  # above and below the bars: the axis, its ticks and the legend
INK = "#1d2939"


@dataclass(frozen=True)
class ChartSeries:
    """What a chart plots, bar by bar from the top."""

    names: tuple[str, ...]  # as shown: shortened
    percents: tuple[float, ...]
    labels: tuple[str, ...]  # at the bars' ends: "104,2%"
    colours: tuple[str, ...]


def shorten(name: str, limit: int = NAME_CHARS) -> str:
    """``name`` in at most ``limit`` characters: cut at a word, then "…"."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    cut = name[:limit - 1]
    if " " in cut and name[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


def series(chart: Chart) -> ChartSeries:
    bars = chart.bars
    return ChartSeries(names=tuple(shorten(b.name) for b in bars),
                       percents=tuple(b.percent for b in bars),
                       labels=tuple(b.label for b in bars),
                       colours=tuple(COLOURS.get(b.status, OTHER) for b in bars))


# Letters a font must have to write the chart: the Vietnamese vowels with their marks (the
# first Liberation Serif, still installed beside Liberation 2, lacks "ướ", "ề", "ấ" …).
LETTERS = ("ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
           "ẰẲẴẮẶẦẨẪẤẬỀỂỄẾỆỒỔỖỐỘỜỞỠỚỢỪỬỮỨỰ…–%")


@cache
def font_file() -> str:
    """The file of the chart's font: the first of :data:`FONTS` installed in a version that
    has every letter of :data:`LETTERS`, regular; matplotlib's own DejaVu Sans otherwise."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    entries = sorted((FONTS.index(f.name), f.fname) for f in font_manager.fontManager.ttflist
                     if f.name in FONTS and f.style == "normal" and f.stretch == "normal"
                     and str(f.weight) in ("400", "normal", "regular", "book"))
    for _, path in entries:
        try:
            charmap = FT2Font(path).get_charmap()
        except (OSError, RuntimeError):  # a font file unreadable
            continue
        if all(ord(letter) in charmap for letter in LETTERS):
            return path
    return str(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))


@lru_cache(maxsize=32)  # ~250 kB each: a report's DOCX, then its PDF, draws its charts once
def chart_png(chart: Chart, lang: str = "vi") -> bytes:
    """:func:`draw_png`, kept for the next report with the same chart."""
    return draw_png(chart, lang)


def draw_png(chart: Chart, lang: str = "vi") -> bytes:
    """The chart as a PNG, :data:`WIDTH_CM` wide at :data:`DPI`: a horizontal bar per
    target, green when met or exceeded and red when not, a dashed line at 100% and the
    percentage at the end of each bar. The same chart gives the same bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    data = series(chart)
    font = FontProperties(fname=font_file(), size=FONT_PT)
    n = len(data.percents)
    inch = 2.54
    figure = Figure(figsize=(WIDTH_CM / inch, (n * BAR_CM + FRAME_CM) / inch), dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(n))
    axes.barh(positions, data.percents, height=0.62, color=data.colours, zorder=2)
    high = max(max(data.percents), 100.0)
    low = min(min(data.percents), 0.0)
    pad = (high - low) * 0.012
    left, right = low * 1.1, high * 1.13  # room for the labels at the bars' ends
    axes.set_xlim(left, right)
    axes.set_ylim(n - 0.5, -0.5)  # the first target at the top, as in the table
    axes.axvline(100, color=INK, linestyle=(0, (4, 3)), linewidth=0.9, zorder=3)
    for y, (value, label) in enumerate(zip(data.percents, data.labels, strict=True)):
        axes.text(value + pad if value >= 0 else value - pad, y, label,
                  ha="left" if value >= 0 else "right", va="center", fontproperties=font,
                  color=INK, zorder=4, parse_math=False,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    # the ticks fixed here, so that their labels keep the font
    axes.set_yticks(positions, labels=data.names, fontproperties=font, parse_math=False)
    ticks = [x for x in MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]).tick_values(left, right)
             if left <= x <= right]
    small = FontProperties(fname=font_file(), size=FONT_PT - 1)
    axes.set_xticks(ticks, labels=[percent(x, lang, 0) for x in ticks], fontproperties=small)
    axes.tick_params(colors=INK, length=0)
    axes.grid(axis="x", color="#d0d5dd", linewidth=0.5, zorder=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#98a2b3")
    legend = [(ACHIEVED, chart.achieved), (NOT_MET, chart.not_met)]
    shown = [Patch(color=colour, label=text) for colour, text in legend
             if colour in data.colours]
    figure.legend(handles=shown, loc="outside lower center", ncols=len(shown),
                  frameon=False, prop=font)
    out = BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
