"""Lesson 03's diagrams: a small network with every shape on it, and the forward loop with its cache.

``main(images_dir)`` writes

* ``forward_pass_network.png``: a 2 -> 4 -> 3 -> 3 network (two ReLU hidden
  layers, a softmax output P over classes 0, 1, 2), with the parameter shapes
  between the layers, the shapes of Z and A for a batch of n samples, and the
  parameter count;
* ``forward_pass_loop.png``: the forward pass as a chain of steps (dense,
  activation, dense, ...) and, under each step, what it puts in the cache for
  the backward pass: ``(A_prev, W)`` for a dense step, ``(Z, name)`` for an
  activation.

Drawn with matplotlib only, no randomness, fixed sizes: the files are the same
on every run.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from _draw import BLUE, DPI, GREEN, ORANGE, SKY, VERMILION, arrow, node

SIZES = (2, 4, 3, 3)


def _node(ax, xy, text, colour, r=0.28, fontsize=11):
    node(ax, xy, text, colour, r=r, fontsize=fontsize, lw=1.1)


def _arrow(ax, start, end, colour="black", lw=1.2, gap_start=0.0, gap_end=0.0, style="-|>"):
    arrow(ax, start, end, colour=colour, lw=lw, gap_start=gap_start, gap_end=gap_end, style=style, head=12)


def _column(x, n, spacing=0.85, centre=2.0):
    top = centre + (n - 1) * spacing / 2
    return [(x, top - i * spacing) for i in range(n)]


def draw_network(path: Path) -> None:
    """The 2 -> 4 -> 3 -> 3 network with parameter and activation shapes."""
    fig, ax = plt.subplots(figsize=(13.0, 5.6))
    xs = (0.8, 4.6, 8.4, 12.2)
    columns = [_column(x, n) for x, n in zip(xs, SIZES)]
    colours = (SKY, ORANGE, ORANGE, GREEN)
    labels = ("x", "a^{(1)}", "a^{(2)}", "p")
    for column, colour, label in zip(columns, colours, labels):
        # Inputs and units are numbered from 1; classes from 0, like the labels y (the course's notation).
        first = 0 if label == "p" else 1
        for i, xy in enumerate(column, start=first):
            _node(ax, xy, f"${label}_{i}$", colour, fontsize=10)
    for left, right in zip(columns[:-1], columns[1:]):
        for a in left:
            for c in right:
                _arrow(ax, a, c, colour="0.45", lw=0.8, gap_start=0.3, gap_end=0.3)

    header_y = 4.05
    ax.text(xs[0], header_y, "input\n$A^{(0)} = X$\n(n, 2)", ha="center", va="bottom", fontsize=10.5)
    ax.text(xs[1], header_y, "hidden layer 1, ReLU\n$A^{(1)} = \\mathrm{ReLU}(Z^{(1)})$\n(n, 4)", ha="center",
            va="bottom", fontsize=10.5)
    ax.text(xs[2], header_y, "hidden layer 2, ReLU\n$A^{(2)} = \\mathrm{ReLU}(Z^{(2)})$\n(n, 3)", ha="center",
            va="bottom", fontsize=10.5)
    ax.text(xs[3], header_y, "output, softmax\n$P = \\mathrm{softmax}(Z^{(3)})$\n(n, 3)", ha="center",
            va="bottom", fontsize=10.5)

    counts = []
    for layer, (x_left, x_right, n_in, n_out) in enumerate(zip(xs[:-1], xs[1:], SIZES[:-1], SIZES[1:]), start=1):
        mid = (x_left + x_right) / 2
        count = n_in * n_out + n_out
        counts.append(count)
        ax.text(mid, 0.05, f"$W^{{({layer})}}$ ({n_in}, {n_out})\n$b^{{({layer})}}$ ({n_out},)\n"
                f"$Z^{{({layer})}} = A^{{({layer - 1})}} W^{{({layer})}} + b^{{({layer})}}$\n"
                f"{n_in}$\\cdot${n_out} + {n_out} = {count} parameters",
                ha="center", va="top", fontsize=10, color=BLUE, linespacing=1.35)
    ax.text(xs[0] - 0.6, -1.75, f"layer sizes [2, 4, 3, 3]:  {' + '.join(map(str, counts))} = {sum(counts)} "
            "parameters;  n = number of samples in the batch (rows)", fontsize=10.5)
    ax.set_xlim(-0.2, 13.4)
    ax.set_ylim(-2.0, 5.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("A network of three layers: every edge is one weight, every layer adds a bias", fontsize=12)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def _box(ax, x, y, w, h, text, colour, fontsize=13):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", facecolor=colour, edgecolor="black",
                                lw=1.1, alpha=0.45))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=fontsize)


def draw_loop(path: Path) -> None:
    """The forward loop as a chain of steps, each leaving its cache entry below."""
    fig, ax = plt.subplots(figsize=(11.0, 4.6))
    steps = [
        ("dense\n$W^{(1)}, b^{(1)}$", BLUE, "$(X, W^{(1)})$"),
        ("ReLU", ORANGE, "$(Z^{(1)}, $'relu'$)$"),
        ("dense\n$W^{(2)}, b^{(2)}$", BLUE, "$(A^{(1)}, W^{(2)})$"),
        ("ReLU", ORANGE, "$(Z^{(2)}, $'relu'$)$"),
        ("dense\n$W^{(3)}, b^{(3)}$", BLUE, "$(A^{(2)}, W^{(3)})$"),
        ("softmax", GREEN, "$(Z^{(3)}, $'softmax'$)$"),
    ]
    values = ["$X$\n(n, 2)", "$Z^{(1)}$\n(n, 4)", "$A^{(1)}$\n(n, 4)", "$Z^{(2)}$\n(n, 3)", "$A^{(2)}$\n(n, 3)",
              "$Z^{(3)}$\n(n, 3)", "$P$\n(n, 3)"]
    box_w, box_h, gap = 1.25, 0.9, 0.75
    y = 2.0
    x = 0.9
    value_x = [0.3]
    for text, colour, cached in steps:
        _arrow(ax, (x - gap + 0.15, y + box_h / 2), (x, y + box_h / 2))
        _box(ax, x, y, box_w, box_h, text, colour)
        _arrow(ax, (x + box_w / 2, y), (x + box_w / 2, 0.95), colour=VERMILION, lw=1.2, style="-|>")
        ax.text(x + box_w / 2, 0.8, cached, ha="center", va="top", fontsize=12, color=VERMILION)
        x += box_w + gap
        value_x.append(x - gap / 2 + 0.05)
    _arrow(ax, (x - gap + 0.15, y + box_h / 2), (x + 0.1, y + box_h / 2))
    for vx, label in zip(value_x, values):
        ax.text(vx, y + box_h + 0.15, label, ha="center", va="bottom", fontsize=12.5)
    ax.text(0.3, 0.05, "cache: one entry per step, kept for the backward pass (lesson 5);\n"
            "a dense step keeps its input and weights, an activation keeps its Z", fontsize=12.5, color=VERMILION,
            va="top")
    ax.text(0.3, 3.95, "forward: each step's output is the next step's input", fontsize=12.5, va="bottom")
    ax.set_xlim(0.0, x + 0.6)
    ax.set_ylim(-0.9, 4.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("The forward loop and its cache (layer sizes [2, 4, 3, 3])", fontsize=14)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def main(images_dir: Path) -> None:
    images_dir = Path(images_dir)
    images_dir.mkdir(parents=True, exist_ok=True)
    draw_network(images_dir / "forward_pass_network.png")
    draw_loop(images_dir / "forward_pass_loop.png")


if __name__ == "__main__":
    main(Path(__file__).resolve().parents[2] / "images")
