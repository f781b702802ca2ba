"""The charts of the reports and the pages, one stack: matplotlib draws each chart once, as
a PNG for the DOCX (and the PDF made from it) or as an SVG the web pages show inline.

Two kinds of chart, each a frozen description of what is drawn (names, values, labels,
colours, targets, all read off the evaluation by the caller; nothing is computed here but the
drawing):

- :class:`Bars`, a horizontal bar per row from the top: the report's % of the target of each
  target of a group (:func:`bars_of` a :class:`~tieuchi.reports.document.Chart`, with its
  target line at 100%), the trend page's units below a unit (each bar with its own target
  as a mark, a range target as a band on its row);
- :class:`Line`, one indicator over the years: the figures, the target line (the plan value
  of each year) and the plan band (a range target, "từ 5 đến 6%").

:func:`draw` gives either chart in either format; :func:`svg` gives the SVG as the pages
embed it (no XML prolog, sized by its box, a ``<title>`` and a ``<desc>`` read by screen
readers, the text as text in the page's font). The pages show the figures in a table beside
the chart as well.

matplotlib is imported inside :func:`draw`: it takes a while to import, and only the DOCX, the
PDF and the trend page draw charts. The figure is drawn by a canvas directly, without pyplot:
no display, no global backend or figure registry, so conversions in parallel (web workers) do
not share state.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Literal
from xml.sax.saxutils import escape

from tieuchi.reports.document import Chart
from tieuchi.reports.formatting import number, percent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

__all__ = ["ChartSeries", "Bars", "Line", "series", "bars_of", "chart_png", "draw_png", "draw",
           "svg", "warm", "shorten", "font_file", "WIDTH_CM", "WEB_WIDTH_CM", "DPI", "ACHIEVED",
           "NOT_MET", "NO_DATA", "PLAIN", "TARGET"]

WIDTH_CM = 16.0  # a DOCX image's width on the page (the text is 16.5 cm wide)
WEB_WIDTH_CM = 15.0  # an SVG's natural width (the page scales it down to its box)
DPI = 300
ACHIEVED = "#1e7b3c"  # met or exceeded
NOT_MET = "#b42318"
NO_DATA = "#98a2b3"  # neutral grey: no figure, or an assessment without a colour
PLAIN = "#174ea6"  # a figure with no target to judge it by
TARGET = "#1d2939"  # the target line and marks
BAND = "#f5b94a"  # the plan band of a range target
OTHER = NO_DATA  # any other assessment (none has a % of the target today)
COLOURS = {"exceeded": ACHIEVED, "met": ACHIEVED, "not_met": NOT_MET,  # by status
           "ahead": ACHIEVED, "on_track": ACHIEVED, "behind": NOT_MET}  # by pace (open)
NAME_CHARS = 42  # a longer name is cut at a word and ends with "…"
# The first of these fonts that is installed (and has the Vietnamese letters): Times New Roman
# and Liberation Serif match the document's text; DejaVu Sans ships with matplotlib.
FONTS = ("Times New Roman", "Liberation Serif", "DejaVu Sans")
FONT_PT = 9
BAR_CM = 0.62  # the height of a bar's row
FRAME_CM = 2.1  # above and below the bars: the axis, its ticks and the legend
LINE_CM = 7.0  # the height of a line chart
INK = "#1d2939"
GRID = "#d0d5dd"
INCH = 2.54

Format = Literal["png", "svg"]


@dataclass(frozen=True)
class ChartSeries:
    """What a report's chart plots, bar by bar from the top."""

    names: tuple[str, ...]  # as shown: shortened
    percents: tuple[float, ...]
    labels: tuple[str, ...]  # at the bars' ends: "104,2%"
    colours: tuple[str, ...]


@dataclass(frozen=True)
class Bars:
    """Horizontal bars, the first at the top. ``reference`` is a target line across every
    bar (100 for a % of the target); ``marks`` each bar's own target, ``bands`` each bar's
    range target (low, high). ``axis`` writes the ticks: "percent" or "number"."""

    names: tuple[str, ...]
    values: tuple[float, ...]
    labels: tuple[str, ...]  # at the bars' ends, as the tables write them
    colours: tuple[str, ...]
    legend: tuple[tuple[str, str], ...] = ()  # (colour, text), shown when a bar has it
    reference: float | None = None
    marks: tuple[float | None, ...] = ()
    bands: tuple[tuple[float, float] | None, ...] = ()
    target_name: str = ""  # the legend of the target line and the marks
    band_name: str = ""  # the legend of the bands (default: target_name)
    axis: Literal["percent", "number"] = "number"
    lang: str = "vi"
    title: str = ""  # the SVG's <title> and <desc>
    description: str = ""


@dataclass(frozen=True)
class Line:
    """One indicator over ``categories`` (years): its figures (None: no figure), the target
    of each year (the target line) and the range target of each year (the plan band).
    ``ticks``, when given, are the only values on the axis, with their words (yes/no)."""

    categories: tuple[str, ...]
    values: tuple[float | None, ...]
    labels: tuple[str, ...]  # at the points, as the tables write them
    targets: tuple[float | None, ...] = ()
    bands: tuple[tuple[float, float] | None, ...] = ()
    actual_name: str = ""
    target_name: str = ""
    band_name: str = ""
    measure: str = ""  # the unit of measure, the axis's title
    ticks: tuple[tuple[float, str], ...] = ()
    lang: str = "vi"
    title: str = ""
    description: str = ""


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


def bars_of(chart: Chart, lang: str = "vi") -> Bars:
    """The report's chart as :class:`Bars`: the % of the target of each target, green when
    met or exceeded, red when not, and the target line at 100%."""
    data = series(chart)
    return Bars(names=data.names, values=data.percents, labels=data.labels,
                colours=data.colours,
                legend=((ACHIEVED, chart.achieved), (NOT_MET, chart.not_met)),
                reference=100.0, axis="percent", lang=lang, title=chart.caption)


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


@cache
def warm() -> None:
    """Import matplotlib and find the chart's font now (about 1.5 s of CPU), once: a web
    worker does it when it starts, so its first chart does not wait for it."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    font_file()


@lru_cache(maxsize=32)  # ~250 kB each: a report's DOCX, then its PDF, draws its charts once
def chart_png(chart: Chart, lang: str = "vi") -> bytes:
    """:func:`draw_png`, kept for the next report with the same chart."""
    return draw_png(chart, lang)


def draw_png(chart: Chart, lang: str = "vi") -> bytes:
    """The report's chart as a PNG, :data:`WIDTH_CM` wide at :data:`DPI` (:func:`bars_of`).
    The same chart gives the same bytes."""
    return draw(bars_of(chart, lang), "png")


@lru_cache(maxsize=64)
def svg(chart: Bars | Line) -> str:
    """The chart as an ``<svg>`` element to embed in a page: no prolog, its size given by its
    ``viewBox`` (the page's CSS fits it to its box), ``role="img"`` named by its
    ``<title>`` and described by its ``<desc>``, its text in the page's font."""
    text = draw(chart, "svg").decode()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r"font-family: [^;\"]*", "font-family: inherit", text)
    ident = "chart-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    head = (f'<svg role="img" class="chart-svg" aria-labelledby="{ident}-t {ident}-d" '
            f'focusable="false"')
    text = re.sub(r'<svg [^>]*?(viewBox="[^"]*")[^>]*>',
                  lambda m: f"{head} {m.group(1)} xmlns=\"http://www.w3.org/2000/svg\">"
                  f'<title id="{ident}-t">{escape(chart.title)}</title>'
                  f'<desc id="{ident}-d">{escape(chart.description)}</desc>', text, count=1)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def draw(chart: Bars | Line, fmt: Format) -> bytes:
    """The chart as PNG or SVG bytes; the same chart gives the same bytes."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    # SVG text as text (in the page's font, read by search and copy), ids the same each time
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tieuchi"}):
        figure = _bars(chart, fmt) if isinstance(chart, Bars) else _line(chart, fmt)
        FigureCanvasAgg(figure)
        out = BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        figure.savefig(out, format=fmt, dpi=DPI, metadata=metadata)
    return out.getvalue()


def _font(size: float = FONT_PT) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font_file(), size=size)


def _figure(width_cm: float, height_cm: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_cm / INCH, height_cm / INCH), dpi=DPI, layout="constrained")


def _tick(value: float, axis: str, lang: str) -> str:
    if axis == "percent":
        return percent(value, lang, 0)
    return number(value, lang, 0 if value == int(value) else 2)


def _value_ticks(axes: Axes, low: float, high: float, axis: str, lang: str,
                 x: bool) -> None:
    from matplotlib.ticker import MaxNLocator

    ticks = [v for v in MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
             if low <= v <= high]
    labels = [_tick(v, axis, lang) for v in ticks]
    if x:
        axes.set_xticks(ticks, labels=labels, fontproperties=_font(FONT_PT - 1))
    else:
        axes.set_yticks(ticks, labels=labels, fontproperties=_font(FONT_PT - 1))


def _plain(axes: Axes, grid: str) -> None:
    axes.tick_params(colors=INK, length=0)
    axes.grid(axis=grid, color=GRID, linewidth=0.5, zorder=0)  # type: ignore[arg-type]
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(NO_DATA)


def _legend(figure: Figure, handles: Sequence[object]) -> None:
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles),
                      frameon=False, prop=_font())


def _bars(chart: Bars, fmt: Format) -> Figure:
    """A horizontal bar per row, the label at its end; the target line, marks and bands."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(chart.values)
    width = WIDTH_CM if fmt == "png" else WEB_WIDTH_CM
    figure = _figure(width, n * BAR_CM + FRAME_CM)
    axes = figure.add_subplot()
    positions = list(range(n))
    font = _font()
    marks = [m for m in chart.marks if m is not None]
    bands = [b for b in chart.bands if b is not None]
    edges = [*chart.values, *marks, *(x for b in bands for x in b)]
    if chart.reference is not None:
        edges.append(chart.reference)
    high, low = max([*edges, 0.0]), min([*edges, 0.0])
    span = (high - low) or 1.0
    pad = span * 0.012
    left, right = low - span * 0.1 if low < 0 else 0.0, high + span * 0.13
    for y, band in enumerate(chart.bands):
        if band is not None:
            axes.fill_betweenx([y - 0.42, y + 0.42], band[0], band[1], color=BAND, alpha=0.45,
                               linewidth=0, zorder=1)
    axes.barh(positions, chart.values, height=0.62, color=chart.colours, zorder=2)
    axes.set_xlim(left, right)
    axes.set_ylim(n - 0.5, -0.5)  # the first row at the top, as in the table
    if chart.reference is not None:
        axes.axvline(chart.reference, color=TARGET, linestyle=(0, (4, 3)), linewidth=0.9,
                     zorder=3)
    for y, mark in enumerate(chart.marks):
        if mark is not None:
            axes.plot([mark, mark], [y - 0.42, y + 0.42], color=TARGET, linewidth=1.6,
                      zorder=5)  # above the labels' white boxes
    for y, (value, label) in enumerate(zip(chart.values, chart.labels, strict=True)):
        axes.text(value + pad if value >= 0 else value - pad, y, label,
                  ha="left" if value >= 0 else "right", va="center", fontproperties=font,
                  color=INK, zorder=4, parse_math=False,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5})
    # the ticks fixed here, so that their labels keep the font
    axes.set_yticks(positions, labels=chart.names, fontproperties=font, parse_math=False)
    _value_ticks(axes, left, right, chart.axis, chart.lang, x=True)
    _plain(axes, "x")
    shown: list[object] = [Patch(color=colour, label=text) for colour, text in chart.legend
                           if colour in chart.colours]
    if chart.target_name and (marks or chart.reference is not None):
        shown.append(Line2D([], [], color=TARGET, linewidth=1.6, label=chart.target_name))
    if (chart.band_name or chart.target_name) and bands:
        shown.append(Patch(color=BAND, alpha=0.45,
                           label=chart.band_name or chart.target_name))
    _legend(figure, shown)
    return figure


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _line(chart: Line, fmt: Format) -> Figure:
    """The figures of each year joined by a line, their labels above them; the target of
    each year as a dashed line with diamonds; a range target as a band over its year."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    width = WIDTH_CM if fmt == "png" else WEB_WIDTH_CM
    figure = _figure(width, LINE_CM)
    axes = figure.add_subplot()
    font = _font()
    xs = list(range(len(chart.categories)))
    shown: list[object] = []
    bands = [(x, b) for x, b in zip(xs, chart.bands, strict=False) if b is not None]
    for x, (low, high) in bands:
        axes.fill_between([x - 0.3, x + 0.3], low, high, color=BAND, alpha=0.45, linewidth=0,
                          zorder=1)
    if any(t is not None for t in chart.targets):
        axes.plot(xs[:len(chart.targets)], _nan(chart.targets), color=TARGET,
                  linestyle=(0, (4, 3)), linewidth=1.2, marker="D", markersize=4, zorder=3)
        shown.append(Line2D([], [], color=TARGET, linestyle=(0, (4, 3)), marker="D",
                            markersize=4, label=chart.target_name))
    if bands:
        shown.append(Patch(color=BAND, alpha=0.45, label=chart.band_name))
    axes.plot(xs, _nan(chart.values), color=PLAIN, linewidth=2, marker="o", markersize=5,
              zorder=4)
    shown.insert(0, Line2D([], [], color=PLAIN, linewidth=2, marker="o", markersize=5,
                           label=chart.actual_name))
    for x, (value, label) in enumerate(zip(chart.values, chart.labels, strict=True)):
        if value is not None:
            axes.annotate(label, (x, value), xytext=(0, 7), textcoords="offset points",
                          ha="center", va="bottom", fontproperties=font, color=INK, zorder=5,
                          annotation_clip=False)
    found = [v for v in [*chart.values, *chart.targets, *(x for _, b in bands for x in b)]
             if v is not None]
    high, low = max([*found, 0.0]), min([*found, 0.0])
    span = (high - low) or 1.0
    if chart.ticks:
        values = [v for v, _ in chart.ticks]
        axes.set_ylim(min(values) - 0.2, max(values) + 0.3)
        axes.set_yticks(values, labels=[w for _, w in chart.ticks], fontproperties=font)
    else:
        axes.set_ylim(low - (span * 0.05 if low < 0 else 0), high + span * 0.18)
        _value_ticks(axes, *axes.get_ylim(), "number", chart.lang, x=False)
    axes.set_xlim(-0.5, len(xs) - 0.5)
    axes.set_xticks(xs, labels=list(chart.categories), fontproperties=font)
    if chart.measure:
        axes.set_ylabel(chart.measure, fontproperties=font, color=INK)
    _plain(axes, "y")
    _legend(figure, shown)
    return figure
