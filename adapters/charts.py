"""Spending charts drawn to PNG with matplotlib's Agg canvas, off the event loop (a domain ChartRenderer)."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from domain.charts import MAX_BARS, CategoryChart, Chart, MonthlyChart, largest_with_rest

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

WIDTH_PX = 1080
"""A phone screen's width in pixels: the picture is shown at about its own size, so type stays large."""
DPI = 150
"""With WIDTH_PX, a 7.2-inch figure: at this density a 15 pt label is about 31 px tall."""
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
"""Okabe and Ito's palette, told apart with every common colour-vision deficiency (grey for the last bar)."""
BAR_COLOUR = OKABE_ITO[0]
OVER_COLOUR = OKABE_ITO[5]
"""Vermillion: a month above the budget, and the budget line itself."""
TEXT_COLOUR = "#222222"
BUDGET_DASH = (0, (6, 4))
TITLE_PT, SUBTITLE_PT, LABEL_PT, VALUE_PT = 20, 15, 15, 14


@cache
def _fonts() -> tuple[FontProperties, FontProperties]:
    """DejaVu Sans regular and bold from matplotlib's own files: the picture never depends on the machine's
    fonts (and DejaVu has the accents of all three languages)."""
    import matplotlib
    from matplotlib.font_manager import FontProperties

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return FontProperties(fname=ttf / "DejaVuSans.ttf"), FontProperties(fname=ttf / "DejaVuSans-Bold.ttf")


def _figure(height_px: int) -> Figure:
    # The object-oriented API only: pyplot keeps global state and is not safe in a worker thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _titles(fig: Figure, title: str, subtitle: str) -> None:
    regular, bold = _fonts()
    height = fig.get_figheight() * DPI
    fig.text(
        0.04, 1 - 28 / height, title, fontproperties=bold, fontsize=TITLE_PT, color=TEXT_COLOUR, va="top"
    )
    fig.text(0.04, 1 - 84 / height, subtitle, fontproperties=regular, fontsize=SUBTITLE_PT, color="#555555",
             va="top")  # fmt: skip


def _plain(ax: Axes) -> None:
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    # No software stamp: the same chart gives the same bytes on any matplotlib patch release.
    fig.savefig(out, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return out.getvalue()


def draw_categories(chart: CategoryChart) -> bytes:
    """Horizontal bars, largest on top, each labelled with its category and its formatted amount."""
    regular, bold = _fonts()
    rows = sorted(
        zip(chart.labels, chart.values, chart.value_labels, strict=True), key=lambda r: -float(r[1])
    )
    top_px, bar_px, bottom_px = 150, 96, 30
    fig = _figure(top_px + bar_px * len(rows) + bottom_px)
    height = fig.get_figheight() * DPI
    ax = fig.add_axes((0.04, bottom_px / height, 0.92, 1 - (top_px + bottom_px) / height))
    _titles(fig, chart.title, chart.subtitle)
    lengths = [max(float(value), 0.0) for _, value, _ in rows]
    longest = max(lengths) or 1.0
    positions = list(range(len(rows)))
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in positions]
    # Each category's name sits above its bar and the amount after its end: long names never squeeze the
    # bars, and the axis leaves room (1 / 0.68) for the longest amount past the longest bar.
    ax.barh(positions, lengths, height=0.42, color=colours)
    for y, (label, _, shown), length in zip(positions, rows, lengths, strict=True):
        ax.text(0, y - 0.3, label, fontproperties=regular, fontsize=LABEL_PT, color=TEXT_COLOUR, va="bottom")
        ax.text(length + longest * 0.02, y, shown, fontproperties=bold, fontsize=VALUE_PT, color=TEXT_COLOUR,
                va="center")  # fmt: skip
    ax.set_xlim(0, longest / 0.68)
    ax.set_ylim(len(rows) - 0.5, -0.75)
    ax.set_xticks([])
    ax.set_yticks([])
    _plain(ax)
    return _png(fig)


def draw_months(chart: MonthlyChart) -> bytes:
    """Vertical bars per month, oldest on the left; a dashed budget line, and the months above it marked."""
    regular, bold = _fonts()
    top_px, plot_px, bottom_px = 200, 600, 70
    fig = _figure(top_px + plot_px + bottom_px)
    height = fig.get_figheight() * DPI
    ax = fig.add_axes((0.04, bottom_px / height, 0.92, plot_px / height))
    _titles(fig, chart.title, chart.subtitle)
    lengths = [max(float(value), 0.0) for value in chart.values]
    budget = None if chart.budget is None else float(chart.budget)
    highest = max([*lengths, budget or 0.0]) or 1.0
    positions = list(range(len(lengths)))
    colours = [OVER_COLOUR if budget is not None and v > budget else BAR_COLOUR for v in lengths]
    ax.bar(positions, lengths, width=0.66, color=colours)
    # Many months leave a bar too narrow for its amount written across: then it is written upwards.
    upright = len(lengths) > 6
    size = VALUE_PT - (1 if upright else 2)
    for x, (length, shown) in enumerate(zip(lengths, chart.value_labels, strict=True)):
        ax.text(x, length + highest * 0.02, shown, fontproperties=bold, fontsize=size, color=TEXT_COLOUR,
                ha="center", va="bottom", rotation=90 if upright else 0)  # fmt: skip
    if budget is not None:
        from matplotlib.lines import Line2D

        ax.axhline(budget, color=OVER_COLOUR, linestyle=BUDGET_DASH, linewidth=2.5)
        # Named in a key above the plot, where no bar or amount can cover it.
        key = Line2D([], [], color=OVER_COLOUR, linestyle=BUDGET_DASH, linewidth=2.5)
        sized = bold.copy()
        sized.set_size(LABEL_PT)
        ax.legend([key], [chart.budget_label], loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
                  prop=sized, labelcolor=TEXT_COLOUR, handlelength=3.2, borderaxespad=0.3)  # fmt: skip
    ax.set_xticks(positions, chart.months)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(regular)
        tick.set_fontsize(LABEL_PT)
        tick.set_color(TEXT_COLOUR)
    ax.set_yticks([])
    ax.set_xlim(-0.6, len(lengths) - 0.4)
    ax.set_ylim(0, highest * (1.45 if upright else 1.22))
    _plain(ax)
    ax.spines["bottom"].set_visible(True)
    ax.spines["bottom"].set_color("#999999")
    return _png(fig)


def draw(chart: Chart) -> bytes:
    """The chart as a PNG about WIDTH_PX wide. Synchronous and CPU-bound: call it through ChartRenderer."""
    if isinstance(chart, CategoryChart):
        return draw_categories(chart)
    return draw_months(chart)


class ChartRenderer:
    """Draws charts in one dedicated worker thread, so the event loop never waits on matplotlib; the thread
    starts with the first chart. One thread: matplotlib's font caches are then only ever used by it."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None

    async def render(self, chart: Chart) -> bytes:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
        return await asyncio.get_running_loop().run_in_executor(self._executor, draw, chart)

    def close(self) -> None:
        """Stop the thread once the chart it draws (if any) is done; a later render starts a new one."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


__all__ = ["MAX_BARS", "CategoryChart", "ChartRenderer", "MonthlyChart", "draw", "largest_with_rest"]
