"""Lesson 02's demo: each activation with its derivative, and one unit g(w x + b).

The left panel draws the chosen activation g(z) and its derivative g'(z) on
the same axes, with the saturated regions (where g'(z) is below 1 % of its
largest value) shaded. The right panel is a single unit with one input,
a = g(w x + b), and the derivative that backpropagation would use for its
input, da/dx = w g'(w x + b): moving w and b shows the steep part sliding
(z = 0 sits at x = -b / w) and getting narrower and taller as |w| grows.

The numbers come from :mod:`nncourse.activations`; :func:`activation_curves`
and :func:`unit_response` are the demo's arithmetic as plain functions.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from ._base import OKABE_ITO, Demo, dropdown, float_slider, new_figure

__all__ = ["activation_demo", "ActivationDemo", "activation_curves", "unit_response", "saturated",
           "SATURATION_FRACTION"]

#: A derivative below this fraction of its largest value counts as saturated.
SATURATION_FRACTION = 0.01

_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU (slope 0.01)"}
_Z = np.linspace(-8.0, 8.0, 801)


def saturated(derivative: np.ndarray, peak: float) -> np.ndarray:
    """Where ``derivative`` is below ``SATURATION_FRACTION`` of ``peak`` (the derivative's largest value)."""
    return np.asarray(derivative) < SATURATION_FRACTION * peak


def _peak(name: str) -> float:
    # The largest value of each derivative: 1/4 at z = 0 for the sigmoid, 1 elsewhere.
    return 0.25 if name == "sigmoid" else 1.0


def activation_curves(name: str, z: np.ndarray = _Z) -> dict:
    """g(z), g'(z) and the saturation mask of activation ``name`` on the grid ``z``."""
    activation = act.get_activation(name)
    derivative = activation.grad(z)
    return {"z": z, "g": activation.fn(z), "dg": derivative, "saturated": saturated(derivative, _peak(name))}


def unit_response(name: str, w: float, b: float, x: np.ndarray = _Z) -> dict:
    """One unit a = g(w x + b) on the inputs ``x``.

    Returns a dict with ``z = w x + b``, ``a = g(z)``, ``da_dx = w g'(z)``,
    ``saturated`` (g'(z) below 1 % of its peak) and ``centre``, the input where
    z = 0 (``None`` when w = 0: then z = b for every x).
    """
    activation = act.get_activation(name)
    z = w * x + b
    derivative = activation.grad(z)
    # Adding 0.0 turns the -0.0 of b = 0 into 0.0, so the label never reads "x = -0.00".
    return {"x": x, "z": z, "a": activation.fn(z), "da_dx": w * derivative,
            "saturated": saturated(derivative, _peak(name)), "centre": None if w == 0 else -b / w + 0.0}


def _shade(ax, x, mask, label):
    ax.fill_between(x, 0, 1, where=mask, transform=ax.get_xaxis_transform(), color="0.85", label=label)


class ActivationDemo(Demo):
    """Controls: the activation, and the weight and bias of one unit g(w x + b)."""

    def __init__(self):
        super().__init__(
            controls={
                "name": dropdown("activation", "The function g applied to z (both panels)",
                                 {label: name for name, label in _LABELS.items()}, value="sigmoid"),
                "w": float_slider("weight w", "The weight multiplying the input x in z = w x + b (right panel)",
                                  value=1.0, min=-5.0, max=5.0, step=0.1),
                "b": float_slider("bias b", "The bias added in z = w x + b (right panel)",
                                  value=0.0, min=-5.0, max=5.0, step=0.1),
            },
            figsize=(10.0, 3.8),
        )

    def render(self, name, w, b):
        curves, unit = activation_curves(name), unit_response(name, w, b)
        fig = new_figure(self.figsize)
        left, right = fig.subplots(1, 2)
        blue, orange = OKABE_ITO[3], OKABE_ITO[0]

        _shade(left, curves["z"], curves["saturated"], "g'(z) < 1% of its max")
        left.plot(curves["z"], curves["g"], color=blue, lw=2, label="g(z)")
        left.plot(curves["z"], curves["dg"], color=orange, lw=2, ls="--", label="g'(z)")
        left.axhline(0, color="black", lw=0.5)
        left.set(xlabel="z", ylabel="value", title=f"{_LABELS[name]} and its derivative")
        left.legend(loc="upper left", fontsize=8)

        _shade(right, unit["x"], unit["saturated"], "saturated")
        right.plot(unit["x"], unit["a"], color=blue, lw=2, label="a = g(w x + b)")
        right.plot(unit["x"], unit["da_dx"], color=orange, lw=2, ls="--", label="da/dx = w g'(w x + b)")
        if unit["centre"] is not None and abs(unit["centre"]) <= _Z[-1]:
            right.axvline(unit["centre"], color="black", lw=1, ls=":", label=f"z = 0 at x = {unit['centre']:.2f}")
        right.axhline(0, color="black", lw=0.5)
        steepest = float(np.max(np.abs(unit["da_dx"])))
        right.set(xlabel="input x", ylabel="value",
                  title=f"one unit: w = {w:.1f}, b = {b:.1f}; steepest |da/dx| = {steepest:.3f}")
        right.legend(loc="upper left", fontsize=8)
        return fig


def activation_demo() -> ActivationDemo:
    """Lesson 02's interactive demo (display the returned object in a notebook)."""
    return ActivationDemo()
