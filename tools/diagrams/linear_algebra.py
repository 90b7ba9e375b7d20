"""Lesson 01's diagrams: one neuron, and one layer for a batch, with every shape written on them.

``main(images_dir)`` writes

* ``linear_algebra_neuron.png``: inputs x_1..x_3, weights on the edges, the sum
  z = w . x + b and the activation a = g(z);
* ``linear_algebra_layer.png``: the same picture for a layer of 2 units (edge
  i -> j carries W[i, j]) next to the matrix product Z = X W + b drawn as blocks
  of the right proportions, one row of X, one column of W and the entry of Z
  they make highlighted.

Drawn with matplotlib only, no randomness, fixed sizes: the files are the same
on every run.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Rectangle

from _draw import BLUE, DPI, GREEN, ORANGE, SKY, VERMILION, arrow, node


def _node(ax, xy, text, colour, r=0.32, fontsize=13):
    node(ax, xy, text, colour, r=r, fontsize=fontsize, lw=1.2)


def _arrow(ax, start, end, colour="black", lw=1.3, gap_start=0.36, gap_end=0.36):
    arrow(ax, start, end, colour=colour, lw=lw, gap_start=gap_start, gap_end=gap_end, head=14)


def draw_neuron(path: Path) -> None:
    """One neuron: z = w . x + b = sum_i w_i x_i + b, then a = g(z)."""
    fig, ax = plt.subplots(figsize=(8.0, 4.2))
    inputs = [(0.8, 3.2), (0.8, 2.0), (0.8, 0.8)]
    body, out = (4.2, 2.0), (7.0, 2.0)
    radius = 0.85
    for i, xy in enumerate(inputs, start=1):
        _node(ax, xy, f"$x_{i}$", SKY)
        _arrow(ax, xy, body, gap_end=radius + 0.05)
        mid = ((xy[0] + body[0]) / 2 - 0.1, (xy[1] + body[1]) / 2 + 0.18)
        ax.text(*mid, f"$w_{i}$", fontsize=13, color=BLUE, ha="center")
    ax.add_patch(Circle(body, radius, facecolor=ORANGE, edgecolor="black", lw=1.2, alpha=0.9, zorder=3))
    ax.text(body[0], body[1] + 0.2, r"$z = w \cdot x + b$", ha="center", va="center", fontsize=12, zorder=4)
    ax.text(body[0], body[1] - 0.25, r"$a = g(z)$", ha="center", va="center", fontsize=12, zorder=4)
    _arrow(ax, body, out, gap_start=radius + 0.05, gap_end=0.1)
    ax.text(out[0] + 0.05, out[1], r"$a$", fontsize=15, va="center")
    ax.annotate("bias $b$", xy=(body[0], body[1] + radius + 0.05), xytext=(body[0], body[1] + 1.6), ha="center",
                fontsize=12, arrowprops=dict(arrowstyle="-|>", color="black"))
    ax.text(0.2, -0.15, r"shapes:  $x$ (3,)   $w$ (3,)   $b$ a number   $z = \sum_i w_i x_i + b$ a number",
            fontsize=11)
    ax.set_xlim(0, 8)
    ax.set_ylim(-0.4, 4.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("One neuron: a weighted sum of its inputs plus a bias, then an activation", fontsize=12)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def _block(ax, x, y, w, h, label, colour, shape):
    ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, edgecolor="black", lw=1.2, alpha=0.35))
    ax.text(x + w / 2, y + h + 0.12, f"{label}\n{shape}", ha="center", va="bottom", fontsize=11,
            linespacing=1.3)


def draw_layer(path: Path) -> None:
    """A layer of 2 units on 3 inputs, and Z = X W + b for a batch of 4 samples as blocks."""
    fig, (net, mat) = plt.subplots(1, 2, figsize=(12.0, 4.6), gridspec_kw={"width_ratios": [1, 1.6]})

    inputs = [(0.6, 3.0), (0.6, 1.8), (0.6, 0.6)]
    units = [(3.4, 2.4), (3.4, 1.2)]
    for i, xy in enumerate(inputs, start=1):
        _node(net, xy, f"$x_{i}$", SKY)
    for j, xy in enumerate(units, start=1):
        _node(net, xy, f"$z_{j}$", ORANGE)
        net.text(xy[0] + 0.45, xy[1], f"$+\\,b_{j}$", fontsize=12, va="center")
    for i, a in enumerate(inputs, start=1):
        for j, c in enumerate(units, start=1):
            colour = VERMILION if (i, j) == (2, 1) else "0.35"
            _arrow(net, a, c, colour=colour, lw=2.2 if (i, j) == (2, 1) else 1.0)
    net.text(1.55, 2.55, "$W_{21}$", color=VERMILION, fontsize=12)
    net.text(0.0, -0.35, "edge $i \\to j$ carries $W_{ij}$:  $W$ has shape\n"
             "(n_in, n_out) = (3, 2), one column per unit",
             fontsize=10.5)
    net.set_xlim(-0.1, 4.6)
    net.set_ylim(-0.7, 3.6)
    net.set_aspect("equal")
    net.axis("off")
    net.set_title("A layer of 2 units on 3 inputs", fontsize=12)

    u = 0.55  # the side of one matrix entry
    n, n_in, n_out = 4, 3, 2
    x0, y0 = 0.0, 0.3
    _block(mat, x0, y0, n_in * u, n * u, "$X$", SKY, "(n, n_in) = (4, 3)")
    mat.add_patch(Rectangle((x0, y0 + 2 * u), n_in * u, u, facecolor="none", edgecolor=VERMILION, lw=2.5))
    mat.text(x0 - 0.15, y0 + 2.5 * u, "sample $i$", ha="right", va="center", fontsize=10, color=VERMILION)
    mat.text(x0 + n_in * u + 0.35, y0 + n * u / 2, "@", fontsize=18, ha="center", va="center")
    wx = x0 + n_in * u + 0.7
    wy = y0 + (n - n_in) * u / 2
    _block(mat, wx, wy, n_out * u, n_in * u, "$W$", BLUE, "(3, 2)")
    mat.add_patch(Rectangle((wx, wy), u, n_in * u, facecolor="none", edgecolor=VERMILION, lw=2.5))
    mat.text(wx + u / 2, wy - 0.2, "unit $j$", ha="center", va="top", fontsize=10, color=VERMILION)
    mat.text(wx + n_out * u + 0.35, y0 + n * u / 2, "+", fontsize=18, ha="center", va="center")
    bx = wx + n_out * u + 0.7
    by = y0 + (n - 1) * u / 2
    _block(mat, bx, by, n_out * u, u, "$b$", GREEN, "(2,)")
    mat.text(bx + n_out * u / 2, by - 0.15, "added to\nevery row", ha="center", va="top", fontsize=9.5)
    mat.text(bx + n_out * u + 0.35, y0 + n * u / 2, "=", fontsize=18, ha="center", va="center")
    zx = bx + n_out * u + 0.7
    _block(mat, zx, y0, n_out * u, n * u, "$Z$", ORANGE, "(4, 2)")
    mat.add_patch(Rectangle((zx, y0 + 2 * u), u, u, facecolor=VERMILION, edgecolor="black", lw=1.2, alpha=0.8))
    mat.text(zx + n_out * u + 0.15, y0 + 2.5 * u, "$Z_{ij} = X_{i,:} \\cdot W_{:,j} + b_j$", va="center",
             fontsize=11)
    mat.text(-1.0, -0.75, "inner sizes must match: (4, 3) @ (3, 2) -> (4, 2);\none row of Z per sample, "
             "one column per unit", fontsize=10.5)
    mat.set_xlim(-1.2, zx + 3.0)
    mat.set_ylim(-1.0, 3.7)
    mat.set_aspect("equal")
    mat.axis("off")
    mat.set_title("The same layer for a batch: $Z = XW + b$", fontsize=12)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def main(images_dir: Path) -> None:
    images_dir = Path(images_dir)
    images_dir.mkdir(parents=True, exist_ok=True)
    draw_neuron(images_dir / "linear_algebra_neuron.png")
    draw_layer(images_dir / "linear_algebra_layer.png")


if __name__ == "__main__":
    main(Path(__file__).resolve().parents[2] / "images")
