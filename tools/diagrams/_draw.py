"""Drawing helpers shared by the diagram scripts in this folder (not a diagram itself).

Okabe-Ito colours (colour-blind safe, as in ``nncourse.widgets._base``), a
labelled circle for a unit and an arrow that stops short of the nodes it joins.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

BLUE, ORANGE, GREEN, SKY, VERMILION, PURPLE = "#0072B2", "#E69F00", "#009E73", "#56B4E9", "#D55E00", "#CC79A7"
DPI = 150


def node(ax, xy, text, colour, *, r, fontsize, lw):
    """A unit: a circle of radius ``r`` with ``text`` in the middle."""
    ax.add_patch(Circle(xy, r, facecolor=colour, edgecolor="black", lw=lw, alpha=0.9, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def arrow(ax, start, end, *, colour="black", lw, gap_start, gap_end, style="-|>", head):
    """An arrow between two points, stopping ``gap_*`` data units short of each (the nodes' radii)."""
    (x0, y0), (x1, y1) = start, end
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    dx, dy = (x1 - x0) / length, (y1 - y0) / length
    ax.add_patch(FancyArrowPatch((x0 + gap_start * dx, y0 + gap_start * dy), (x1 - gap_end * dx, y1 - gap_end * dy),
                                 arrowstyle=style, mutation_scale=head, color=colour, lw=lw, zorder=2))
