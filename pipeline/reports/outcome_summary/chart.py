"""The outcome summary's chart: first and latest score per outcome area, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state, no
display), so it is safe in the watcher's process and in parallel tests.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pipeline.reports.outcome_summary.data import AreaScore

ACCENT = "#1F4E5F"  # the forms' heading colour: the latest score
FIRST = "#A9BEC6"  # a pale tint of it: where the person started
TEXT = "#404040"
# The forms' Arial where installed, else its metric twin, else matplotlib's own font.
FONTS = ("Arial", "Liberation Sans", "DejaVu Sans")
WIDTH_INCHES = 6.3  # the text width of an A4 page with 2 cm margins


def _font() -> str:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in FONTS if name in installed), "DejaVu Sans")


def scale_top(scores: Sequence[AreaScore]) -> int:
    """The axis maximum: 10 for the usual 1-10 scales, else the next multiple of 5."""
    highest = max((max(s.first, s.latest) for s in scores), default=0)
    return 10 if highest <= 10 else 5 * math.ceil(highest / 5)


def _number(value: float) -> str:
    return f"{value:g}"


def scores_chart(scores: Sequence[AreaScore]) -> bytes:
    """A horizontal bar chart of ``scores`` (first above latest, per area) as PNG bytes.

    Raises ``ValueError`` when there are no scores: callers leave the chart out then.
    """
    if not scores:
        raise ValueError("no scores to chart")
    family = _font()
    rows = len(scores)
    figure = Figure(figsize=(WIDTH_INCHES, 0.9 + 0.52 * rows), dpi=200)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.36
    positions = list(range(rows))
    firsts = [s.first for s in scores]
    latests = [s.latest for s in scores]
    axes.barh([p - height / 2 for p in positions], firsts, height, color=FIRST,
              label="First score")
    axes.barh([p + height / 2 for p in positions], latests, height, color=ACCENT,
              label="Latest score")
    top = scale_top(scores)
    for position, first, latest in zip(positions, firsts, latests, strict=True):
        for offset, value in ((-height / 2, first), (height / 2, latest)):
            axes.text(value + top * 0.01, position + offset, _number(value), va="center",
                      fontsize=7.5, color=TEXT, family=family)
    axes.set_yticks(positions, [s.area for s in scores], fontsize=8.5, family=family,
                    color=TEXT)
    axes.invert_yaxis()  # the first area at the top, as in the table above
    axes.set_xlim(0, top * 1.06)
    axes.set_xticks(range(0, top + 1, 1 if top <= 10 else 5))
    axes.tick_params(axis="x", labelsize=7.5, colors=TEXT)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#E0E0E0", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color("#A6A6A6")
    legend = axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2,
                         frameon=False, prop={"family": family, "size": 8})
    for text in legend.get_texts():
        text.set_color(TEXT)
    figure.tight_layout()
    buffer = io.BytesIO()
    # The canvas's own PNG writer draws once; savefig would draw a second time first, to
    # lay out again what tight_layout has already laid out.
    canvas.print_png(buffer, metadata={"Software": None})  # type: ignore[no-untyped-call]
    return buffer.getvalue()
