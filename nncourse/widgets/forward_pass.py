"""Lesson 03's demo: a small network, one input traced through it, and what every unit computes.

The network has layer sizes 2 -> 4 -> 3: two inputs, four hidden units with a
chosen activation, three classes 0, 1, 2 with softmax. Its weights come from
:func:`nncourse.layers.init_params` with the chosen initialisation and seed
(or are all 0.5 for "constant"). For the random initialisations the hidden
biases are drawn from N(0, 0.5^2) with the same seed, because the package's
zero biases would put every hidden unit's boundary through the origin and
make the pictures dull. The two symmetric initialisations, "zeros" and
"constant", keep every bias at 0: random biases would make the hidden units
differ and hide the symmetry they are there to show (lesson 03, section 4.1).
The output biases are always 0, so that tiny weights ("small", "zeros") give
the uniform prediction of an untrained classifier, 1/3 per class (section 5).

* Left: the network. An edge's width is proportional to ``|W_ij|`` and its
  colour gives the sign (diverging map, 0 in the middle); each unit shows its
  ``z`` and ``a`` for the chosen input; the forward pass is written out with
  the actual numbers and shapes.
* Right: one thumbnail per unit, the unit's output over the input square
  ``[-3, 3]^2`` with the chosen input marked: the four hidden units, the three
  output probabilities P(class k), and the predicted class (arg max) per region.

:func:`make_network`, :func:`trace` and :func:`unit_maps` are the demo's
arithmetic as plain functions; everything is computed with :mod:`nncourse.layers`.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap

from .. import layers
from ._base import (DIVERGING_CMAP, OKABE_ITO, SEQUENTIAL_CMAP, Demo, centred_norm, dropdown, float_slider,
                    new_figure, slider)

__all__ = ["network_demo", "NetworkDemo", "make_network", "trace", "unit_maps", "SIZES", "EXTENT", "SYMMETRIC",
           "CONSTANT"]

#: Layer sizes of the demo network: 2 inputs, 4 hidden units, 3 classes.
SIZES = (2, 4, 3)
#: The input square the thumbnails cover, [-EXTENT, EXTENT]^2.
EXTENT = 3.0
#: Initialisations that give every unit of a layer the same weights; they keep the biases equal (0) too.
SYMMETRIC = ("zeros", "constant")
#: The weight of every edge under the "constant" initialisation.
CONSTANT = 0.5
_GRID = 61


def make_network(seed: int, init: str = "he", sizes=SIZES) -> list:
    """Parameters ``[(W1, b1), ..., (WD, bD)]`` drawn from ``seed``.

    Weights by ``init`` (one of :data:`nncourse.layers.INITS`, or "constant":
    every weight :data:`CONSTANT`). Hidden biases from N(0, 0.5^2), except for
    the :data:`SYMMETRIC` initialisations, whose biases are all 0 like their
    weights are all equal; output biases 0.
    """
    rng = np.random.default_rng(seed)
    if init == "constant":
        params = [(np.full_like(W, CONSTANT), b) for W, b in layers.init_params(list(sizes), init="zeros", seed=rng)]
    else:
        params = layers.init_params(list(sizes), init=init, seed=rng)
    if init in SYMMETRIC:
        return params
    last = len(params) - 1
    return [(W, b if l == last else rng.normal(0.0, 0.5, size=b.shape)) for l, (W, b) in enumerate(params)]


def trace(params, x, activation: str = "relu") -> list:
    """The forward pass of one input ``x`` (shape (2,)) as a list of steps.

    Each step is a dict with ``name`` ("Z1", "A1", ..., and "P" for the
    softmax output), ``formula`` and ``value`` (an array of shape (1, n_units):
    the input is a batch of one).
    """
    X = np.asarray(x, dtype=float).reshape(1, -1)
    _, cache = layers.forward(params, X, activation=activation, output="softmax")
    steps = [{"name": "X", "formula": "input", "value": X}]
    for layer, entry in enumerate(cache, start=1):
        Z, name = entry.activation
        last = layer == len(cache)
        steps.append({"name": f"Z{layer}", "formula": f"A{layer - 1} @ W{layer} + b{layer}", "value": Z})
        output = layers.activation_forward(Z, name)[0]
        steps.append({"name": "P" if last else f"A{layer}", "formula": f"{name}(Z{layer})", "value": output})
    return steps


def unit_maps(params, activation: str = "relu", n: int = _GRID) -> dict:
    """Every unit's output over the square [-EXTENT, EXTENT]^2 on an ``n`` x ``n`` grid.

    Returns ``x1``, ``x2`` (the grid axes, shape (n,)), ``hidden`` (n, n,
    n_hidden), ``output`` (n, n, K: the softmax probabilities P) and
    ``predicted`` (n, n: the arg max class, 0 .. K - 1).
    """
    axis = np.linspace(-EXTENT, EXTENT, n)
    g1, g2 = np.meshgrid(axis, axis)  # g1 varies along columns: x1 to the right, x2 upwards
    X = np.column_stack([g1.ravel(), g2.ravel()])
    P, cache = layers.forward(params, X, activation=activation, output="softmax")
    hidden = cache[1].dense[0] if len(cache) > 1 else X
    return {"x1": axis, "x2": axis, "hidden": hidden.reshape(n, n, -1), "output": P.reshape(n, n, -1),
            "predicted": np.argmax(P, axis=1).reshape(n, n)}


def _positions(sizes):
    xs = np.linspace(0.0, 1.0, len(sizes))
    return [[(x, 0.5 + (n - 1) / 2 * 0.22 - i * 0.22) for i in range(n)] for x, n in zip(xs, sizes)]


def _format(row: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in row.ravel()) + "]"


class NetworkDemo(Demo):
    """Controls: the input point, the hidden activation, the initialisation and the seed."""

    def __init__(self):
        super().__init__(
            controls={
                "x1": float_slider("input x1", "First coordinate of the input point traced through the network",
                                   value=1.0, min=-EXTENT, max=EXTENT, step=0.1),
                "x2": float_slider("input x2", "Second coordinate of the input point traced through the network",
                                   value=-0.5, min=-EXTENT, max=EXTENT, step=0.1),
                "activation": dropdown("hidden activation", "The function g of the four hidden units",
                                       {"ReLU": "relu", "tanh": "tanh", "sigmoid": "sigmoid",
                                        "leaky ReLU": "leaky_relu"}),
                "init": dropdown("initialisation", "How the weights are drawn (lesson 03, section 4)",
                                 {"He": "he", "Xavier": "xavier", "small (std 0.01)": "small",
                                  "zeros (biases 0 too)": "zeros", f"constant {CONSTANT} (biases 0)": "constant"}),
                "seed": slider("seed", "Seed of the random weights and biases: a different network",
                               value=0, min=0, max=20),
            },
            figsize=(12.0, 5.2),
        )

    def render(self, x1, x2, activation, init, seed):
        params = make_network(seed, init)
        steps = trace(params, (x1, x2), activation)
        maps = unit_maps(params, activation)
        fig = new_figure(self.figsize)
        grid = fig.add_gridspec(2, 6, width_ratios=[1.6, 1.6, 1, 1, 1, 1])
        net = fig.add_subplot(grid[:, :2])
        self._draw_network(net, params, steps, activation)
        thumbs = [fig.add_subplot(grid[r, 2 + c]) for r in range(2) for c in range(4)]
        for j, ax in enumerate(thumbs[:4]):
            self._thumbnail(ax, maps["hidden"][:, :, j], f"hidden unit {j + 1}: a", (x1, x2),
                            SEQUENTIAL_CMAP, None)
        for k, ax in enumerate(thumbs[4:7]):
            self._thumbnail(ax, maps["output"][:, :, k], f"output {k}: P(class {k})", (x1, x2),
                            SEQUENTIAL_CMAP, (0.0, 1.0))
        self._regions(thumbs[7], maps, (x1, x2))
        return fig

    @staticmethod
    def _draw_network(ax, params, steps, activation):
        positions = _positions(SIZES)
        weights = [W for W, _ in params]
        norm = centred_norm(np.concatenate([W.ravel() for W in weights]))
        cmap = matplotlib.colormaps[DIVERGING_CMAP]
        largest = max(float(np.max(np.abs(W))) for W in weights) or 1.0
        for layer, W in enumerate(weights):
            for i, start in enumerate(positions[layer]):
                for j, end in enumerate(positions[layer + 1]):
                    ax.plot([start[0], end[0]], [start[1], end[1]], color=cmap(norm(W[i, j])),
                            lw=0.3 + 5.0 * abs(W[i, j]) / largest, zorder=1, solid_capstyle="round")
        values = [steps[0]["value"]] + [s["value"] for s in steps[2::2]]
        pre = [None] + [s["value"] for s in steps[1::2]]
        for layer, column in enumerate(positions):
            for i, (x, y) in enumerate(column):
                ax.scatter([x], [y], s=1300, color="white", edgecolor="black", zorder=2)
                a = values[layer][0, i]
                text = f"{a:.2f}" if pre[layer] is None else f"z {pre[layer][0, i]:.2f}\na {a:.2f}"
                ax.text(x, y, text, ha="center", va="center", fontsize=7, zorder=3)
        for (x, _), label in zip((column[0] for column in positions), ("input x (2,)", "hidden (4,)", "output (3,)")):
            ax.text(x, 0.93, label, ha="center", fontsize=8)
        lines = [f"{s['name']} = {s['formula']}  {s['value'].shape}: {_format(s['value'])}" for s in steps]
        ax.text(-0.05, 0.02, "\n".join(lines), transform=ax.transAxes, fontsize=7.5, va="top", family="monospace")
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.12, 1.0)
        ax.axis("off")
        ax.set_title(f"2 -> 4 -> 3 network, hidden {activation}, softmax output\n"
                     "edge width = |weight|, colour = sign (purple > 0, orange < 0)", fontsize=9)

    @staticmethod
    def _thumbnail(ax, image, title, point, cmap, limits):
        vmin, vmax = limits if limits else (float(image.min()), float(image.max()) + 1e-12)
        ax.imshow(image, origin="lower", extent=(-EXTENT, EXTENT, -EXTENT, EXTENT), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.scatter([point[0]], [point[1]], marker="x", color="white", s=40, linewidths=2)
        ax.scatter([point[0]], [point[1]], marker="x", color="black", s=20, linewidths=1)
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])

    @staticmethod
    def _regions(ax, maps, point):
        ax.imshow(maps["predicted"], origin="lower", extent=(-EXTENT, EXTENT, -EXTENT, EXTENT),
                  cmap=ListedColormap(OKABE_ITO[:3]), vmin=-0.5, vmax=2.5)
        ax.scatter([point[0]], [point[1]], marker="x", color="black", s=40, linewidths=2)
        ax.set_title("predicted class (arg max)\norange 0, sky 1, green 2", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])


def network_demo() -> NetworkDemo:
    """Lesson 03's interactive demo (display the returned object in a notebook)."""
    return NetworkDemo()
