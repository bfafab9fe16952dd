"""Saving a figure as every lup_opt chart is saved: a matplotlib ``Figure`` (drawn on the Agg
canvas, never a window), laid out tight once, written as a PNG."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import TightLayoutEngine

WHOLE_FIGURE = (0, 0, 1, 1)


def save_tight(figure: Figure, path: Path, dpi: float, rect: tuple[float, float, float, float] = WHOLE_FIGURE) -> Path:
    """Lay ``figure`` out tight (within ``rect``, in figure fractions) and write it to ``path``."""
    # Applied once, not kept as the figure's layout engine: Figure.tight_layout leaves a
    # placeholder engine behind, for which savefig lays the figure out again in a draw of its own
    # before the one it saves (about a tenth of a chart's time, for the same pixels).
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    # For a rect, tight layout runs a second pass that fits the first one's margins into it; for
    # the whole figure that pass changes nothing (the same pixels on every chart of the default's
    # report) and costs a twelfth of the charts' time, so it is asked for only when rect is smaller.
    TightLayoutEngine(rect=None if tuple(rect) == WHOLE_FIGURE else rect).execute(figure)
    figure.savefig(path, dpi=dpi)
    return path
