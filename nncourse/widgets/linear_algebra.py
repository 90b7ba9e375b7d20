"""Lesson 01's demo: a 2x2 matrix and a bias acting on the plane, Z = X W + b.

The left panel shows the plane before the map: a square grid, the unit circle,
the unit square spanned by e1 = (1, 0) and e2 = (0, 1), and a small dataset
of two classes. The right panel shows every one of those points after the map,
one point per row as everywhere in the course:

    Z = X @ W + b        X (n, 2), W (2, 2), b (2,)

so e1 lands on W's *first row* and e2 on its *second row* (a textbook that
writes ``A x`` for a column vector x has A = W^T, and finds the images in A's
columns). Grid lines stay straight and parallel, the circle becomes an
ellipse, and the unit square becomes a parallelogram whose area is
``|det W|`` (negative: the plane is flipped; zero: it is squashed onto a line).
An optional non-linearity A = g(Z) afterwards bends the straight lines; that
is what a layer adds to a linear map, and the reason for lesson 02.

The arithmetic is in plain functions (:func:`transform`, :func:`grid_lines`,
:func:`unit_circle`, :func:`unit_square`, :func:`demo_dataset`,
:data:`PRESETS`), tested without a browser.
"""

from __future__ import annotations

import numpy as np

from .. import linalg
from ._base import OKABE_ITO, Demo, dropdown, float_slider, new_figure

__all__ = ["linear_map_demo", "LinearMapDemo", "transform", "grid_lines", "unit_circle", "unit_square",
           "demo_dataset", "NONLINEARITIES", "PRESETS"]

#: g applied after the affine map, by the name shown in the dropdown.
NONLINEARITIES = {
    "none (linear)": lambda z: z,
    "ReLU": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
}

#: Matrices worth trying, as (W, b): W's rows are the images of e1 and e2.
PRESETS = {
    "identity": ([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    "rotation by 30 degrees": ([[0.87, 0.5], [-0.5, 0.87]], [0.0, 0.0]),
    "shear": ([[1.0, 0.0], [1.0, 1.0]], [0.0, 0.0]),
    "stretch x, squash y": ([[1.5, 0.0], [0.0, 0.5]], [0.0, 0.0]),
    "reflection (det < 0)": ([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0]),
    "squash onto a line (det = 0)": ([[1.0, 0.5], [2.0, 1.0]], [0.0, 0.0]),
    "shift by b = (1, -0.5)": ([[1.0, 0.0], [0.0, 1.0]], [1.0, -0.5]),
}

_LIMIT = 1.5  # the "before" grid covers [-1.5, 1.5]^2


def transform(points, W, b, nonlinearity: str = "none (linear)") -> np.ndarray:
    """``g(points @ W + b)`` for points in rows (shape (n, 2)); ``g`` is a name from :data:`NONLINEARITIES`."""
    if nonlinearity not in NONLINEARITIES:
        choices = ", ".join(map(repr, NONLINEARITIES))
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}; expected one of {choices}")
    return NONLINEARITIES[nonlinearity](linalg.affine(points, W, b))


def grid_lines(limit: float = _LIMIT, n_lines: int = 7, n_points: int = 61) -> list:
    """Straight lines of a square grid on [-limit, limit]^2, each as an array of points (n_points, 2)."""
    ticks = np.linspace(-limit, limit, n_lines)
    t = np.linspace(-limit, limit, n_points)
    vertical = [np.column_stack([np.full_like(t, c), t]) for c in ticks]
    horizontal = [np.column_stack([t, np.full_like(t, c)]) for c in ticks]
    return vertical + horizontal


def unit_circle(n_points: int = 121) -> np.ndarray:
    """Points on the circle of radius 1, shape (n_points, 2) (first and last coincide)."""
    angle = np.linspace(0.0, 2.0 * np.pi, n_points)
    return np.column_stack([np.cos(angle), np.sin(angle)])


def unit_square(n_per_side: int = 25) -> np.ndarray:
    """The outline of the unit square spanned by e1 and e2, densely sampled so a non-linearity can bend it."""
    s = np.linspace(0.0, 1.0, n_per_side)
    zero, one = np.zeros_like(s), np.ones_like(s)
    return np.vstack([np.column_stack([s, zero]), np.column_stack([one, s]),
                      np.column_stack([s[::-1], one]), np.column_stack([zero, s[::-1]])])


def demo_dataset(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two small Gaussian clusters: points (2 n_per_class, 2) and labels (2 n_per_class,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-0.6, -0.4], [0.6, 0.5]])
    X = np.vstack([rng.normal(c, 0.22, size=(n_per_class, 2)) for c in centres])
    y = np.repeat([0, 1], n_per_class)
    return X, y


def _draw(ax, W, b, nonlinearity, title):
    grey, blue, orange, green = "0.7", OKABE_ITO[3], OKABE_ITO[0], OKABE_ITO[2]
    for line in grid_lines():
        p = transform(line, W, b, nonlinearity)
        ax.plot(p[:, 0], p[:, 1], color=grey, lw=0.8)
    square = transform(unit_square(), W, b, nonlinearity)
    ax.fill(square[:, 0], square[:, 1], color=green, alpha=0.3, label="unit square")
    circle = transform(unit_circle(), W, b, nonlinearity)
    ax.plot(circle[:, 0], circle[:, 1], color="black", lw=1.8, label="unit circle")
    X, y = demo_dataset()
    P = transform(X, W, b, nonlinearity)
    for label, colour, marker in ((0, blue, "o"), (1, orange, "^")):
        ax.scatter(P[y == label, 0], P[y == label, 1], s=22, color=colour, marker=marker, zorder=3,
                   label=f"class {label}")
    origin = transform(np.zeros((1, 2)), W, b, nonlinearity)[0]
    for k, name in enumerate(("e1", "e2")):
        tip = transform(np.eye(2)[k:k + 1], W, b, nonlinearity)[0]
        ax.annotate("", xy=tip, xytext=origin, arrowprops=dict(arrowstyle="-|>", color=OKABE_ITO[4], lw=2),
                    zorder=4)
        ax.text(*tip, f" {name}", color=OKABE_ITO[4], fontsize=10, fontweight="bold")
    ax.set_aspect("equal")
    ax.set(xlim=(-3.2, 3.2), ylim=(-3.2, 3.2), xlabel="first coordinate", ylabel="second coordinate",
           title=title)
    ax.axhline(0, color="black", lw=0.5)
    ax.axvline(0, color="black", lw=0.5)


class LinearMapDemo(Demo):
    """Controls: the four entries of W, the two of b, a non-linearity, and a preset."""

    def __init__(self):
        self._applying_preset = False

        def entry(name, tip, value):
            return float_slider(name, tip, value=value, min=-2.0, max=2.0, step=0.05)

        controls = {
            "w11": entry("W11", "Row 1, column 1 of W: the first coordinate of the image of e1", 1.0),
            "w12": entry("W12", "Row 1, column 2 of W: the second coordinate of the image of e1", 0.5),
            "w21": entry("W21", "Row 2, column 1 of W: the first coordinate of the image of e2", -0.3),
            "w22": entry("W22", "Row 2, column 2 of W: the second coordinate of the image of e2", 1.0),
            "b1": entry("b1", "Bias added to the first coordinate of every point", 0.0),
            "b2": entry("b2", "Bias added to the second coordinate of every point", 0.0),
            "nonlinearity": dropdown("then apply", "A non-linearity g applied after the map: A = g(XW + b)",
                                     list(NONLINEARITIES)),
            "preset": dropdown("preset", "Set W and b to a typical map (the sliders can then be moved)",
                               ["(sliders)", *PRESETS]),
        }
        super().__init__(controls=controls, figsize=(10.0, 5.0))
        self.controls["preset"].observe(self._apply_preset, names="value")

    def _apply_preset(self, change) -> None:
        if change["new"] not in PRESETS:
            return
        W, b = PRESETS[change["new"]]
        # Move all six sliders, then draw once, rather than once per slider.
        self._applying_preset = True
        try:
            for name, value in zip(("w11", "w12", "w21", "w22", "b1", "b2"), [*np.ravel(W), *b]):
                self.controls[name].value = float(value)
        finally:
            self._applying_preset = False
        self.update()

    def update(self, change=None) -> None:
        if not self._applying_preset:
            super().update(change)

    def render(self, w11, w12, w21, w22, b1, b2, nonlinearity, preset):
        W = np.array([[w11, w12], [w21, w22]])
        b = np.array([b1, b2])
        det = float(np.linalg.det(W))
        if abs(det) < 1e-9:
            meaning = "XW squashes the plane onto a line (or a point): every area becomes 0"
        elif det < 0:
            meaning = f"XW scales every area by |det W| = {abs(det):.2f} and flips the plane over (det < 0)"
        else:
            meaning = f"XW scales every area by det W = {det:.2f}"
        if nonlinearity != "none (linear)":
            # Only the linear part has one area factor; g stretches some regions and flattens others.
            meaning += f"\n{nonlinearity} then bends the plane, so areas no longer scale by one number"
        fig = new_figure(self.figsize)
        before, after = fig.subplots(1, 2)
        _draw(before, np.eye(2), np.zeros(2), "none (linear)", "before: points X (one per row)")
        g = "" if nonlinearity == "none (linear)" else f"{nonlinearity}"
        after_title = f"after: {g + '(' if g else ''}X W + b{')' if g else ''}"
        _draw(after, W, b, nonlinearity, after_title)
        before.legend(loc="lower right", fontsize=8)
        fig.suptitle(f"W = [[{w11:.2f}, {w12:.2f}], [{w21:.2f}, {w22:.2f}]], b = ({b1:.2f}, {b2:.2f}), "
                     f"det W = {det:.2f}\n{meaning}", fontsize=11)
        return fig


def linear_map_demo() -> LinearMapDemo:
    """Lesson 01's interactive demo (display the returned object in a notebook)."""
    return LinearMapDemo()
