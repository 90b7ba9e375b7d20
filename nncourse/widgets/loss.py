"""Lesson 04's demo (part 2, ``04b_logits_and_likelihood``): mean squared error versus cross-entropy for a
logistic unit, and a 3-class softmax.

:func:`loss_demo` fits one logistic unit :math:`p = \\sigma(w x + b)` to a small
fixed 1-D dataset and shows

* a 1-D slice: both losses as functions of the weight ``w`` (at the chosen
  ``b``), the current ``w`` marked. Far on the wrong side the MSE flattens
  (the sigmoid saturates and its gradient vanishes) while the cross-entropy
  keeps a steady slope;
* the chosen loss over the (w, b) plane as contours, the current point marked;
* a 3-class softmax: the probabilities of three logits and the cross-entropy
  :math:`-\\log p_y` for each possible true class.

The numbers come from plain functions (:func:`logistic_losses`,
:func:`loss_grid`, :func:`softmax_panel`) built on :mod:`nncourse.losses`,
tested without a browser; :class:`LossDemo` only draws them.

Not here: more than one input, training (lesson 06 does that).
"""

from __future__ import annotations

import numpy as np

from .. import activations, losses
from ._base import OKABE_ITO, SEQUENTIAL_CMAP, Demo, dropdown, float_slider, new_figure

__all__ = ["DATA_X", "DATA_Y", "logistic_losses", "loss_grid", "softmax_panel", "LossDemo", "loss_demo"]

#: The demo's dataset: one feature, labels 0/1, not separable (so the best w is finite).
DATA_X = np.array([-2.0, -1.2, -0.5, 0.3, 0.8, 1.5, 2.4])
DATA_Y = np.array([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0])

_LOSS_NAMES = {"cross-entropy": "cross-entropy", "MSE": "mse"}


def logistic_losses(w: float, b: float, x=DATA_X, y=DATA_Y) -> dict:
    """Both losses of the logistic unit ``sigmoid(w x + b)`` on ``(x, y)``.

    Returns ``{"mse": mean (p - y)^2 (4.1), "cross-entropy": binary cross-entropy from the logits (4.6)}``.
    """
    z = w * np.asarray(x, dtype=float) + b
    p = activations.sigmoid(z)
    return {"mse": losses.mse(p, y), "cross-entropy": losses.binary_cross_entropy_with_logits(z, y)}


def loss_grid(loss: str, w_values, b_values, x=DATA_X, y=DATA_Y) -> np.ndarray:
    """``loss`` ("mse" or "cross-entropy") at every (w, b); shape ``(len(b_values), len(w_values))`` for contours.

    The same formulas as :func:`logistic_losses`, (4.1) and (4.6), evaluated for
    the whole grid at once so that the demo redraws quickly.
    """
    if loss not in ("mse", "cross-entropy"):
        raise ValueError(f"loss must be 'mse' or 'cross-entropy', got {loss!r}")
    w = np.asarray(w_values, dtype=float)[None, :, None]
    b = np.asarray(b_values, dtype=float)[:, None, None]
    z = w * np.asarray(x, dtype=float) + b  # (n_b, n_w, n_samples)
    y = np.asarray(y, dtype=float)
    if loss == "mse":
        return np.mean((activations.sigmoid(z) - y) ** 2, axis=-1)
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))), axis=-1)


def softmax_panel(logits) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities of a ``(K,)`` logit vector and the cross-entropy if class ``k`` were true, per ``k``.

    The losses come from the logits (4.9): :math:`\\operatorname{logsumexp}(z) - z_k`.
    """
    z = np.asarray(logits, dtype=float).reshape(1, -1)
    probs = activations.softmax(z)[0]
    per_class = np.array([losses.cross_entropy_with_logits(z, np.array([c])) for c in range(z.shape[1])])
    return probs, per_class


class LossDemo(Demo):
    """MSE versus cross-entropy for sigmoid(w x + b), and a 3-class softmax."""

    W_RANGE = (-6.0, 6.0)
    B_RANGE = (-4.0, 4.0)

    def __init__(self):
        self._w_grid = np.linspace(*self.W_RANGE, 61)
        self._b_grid = np.linspace(*self.B_RANGE, 41)
        self._grids = {name: loss_grid(name, self._w_grid, self._b_grid) for name in ("mse", "cross-entropy")}
        super().__init__(
            controls={
                "w": float_slider("weight w", "The weight of the logistic unit sigmoid(w x + b)",
                                  value=-3.0, min=self.W_RANGE[0], max=self.W_RANGE[1], step=0.1),
                "b": float_slider("bias b", "The bias of the logistic unit sigmoid(w x + b)",
                                  value=0.0, min=self.B_RANGE[0], max=self.B_RANGE[1], step=0.1),
                "surface": dropdown("contours of", "Which loss the (w, b) contour plot shows", _LOSS_NAMES),
                # Classes are numbered from 0, as integer labels are (y in 0 .. K - 1).
                "z0": float_slider("logit z0", "Class 0's logit in the softmax panel", value=2.0, min=-5.0,
                                   max=5.0, step=0.1),
                "z1": float_slider("logit z1", "Class 1's logit in the softmax panel", value=1.0, min=-5.0,
                                   max=5.0, step=0.1),
                "z2": float_slider("logit z2", "Class 2's logit in the softmax panel", value=0.1, min=-5.0,
                                   max=5.0, step=0.1),
            },
            figsize=(13.0, 4.0),
        )

    def render(self, w, b, surface, z0, z1, z2):
        fig = new_figure(self.figsize)
        ax_slice, ax_contour, ax_soft = fig.subplots(1, 3, width_ratios=[1.1, 1.0, 0.9])
        current = logistic_losses(w, b)

        ws = np.linspace(*self.W_RANGE, 241)
        for (key, name), colour, style in zip((("mse", "MSE"), ("cross-entropy", "cross-entropy")),
                                               (OKABE_ITO[0], OKABE_ITO[3]), ("-", "--")):
            ax_slice.plot(ws, loss_grid(key, ws, [b])[0], style, color=colour, lw=2, label=name)
            ax_slice.plot([w], [current[key]], "o", color=colour, ms=8)
        ax_slice.set(xlabel="weight w", ylabel="loss",
                     title=f"slice at b = {b:.1f}: MSE {current['mse']:.3f}, CE {current['cross-entropy']:.3f}")
        ax_slice.legend(loc="upper right")

        grid = self._grids[surface]
        contours = ax_contour.contourf(self._w_grid, self._b_grid, grid, levels=20, cmap=SEQUENTIAL_CMAP)
        label = "MSE" if surface == "mse" else surface
        fig.colorbar(contours, ax=ax_contour, label=label)
        ax_contour.plot([w], [b], "o", color="white", mec="black", ms=9)
        ax_contour.set(xlabel="weight w", ylabel="bias b", title=f"{label} over (w, b)")

        probs, per_class = softmax_panel([z0, z1, z2])
        positions = np.arange(3)
        bars = ax_soft.bar(positions, probs, color=[OKABE_ITO[1], OKABE_ITO[2], OKABE_ITO[5]])
        for bar, p, loss in zip(bars, probs, per_class):
            ax_soft.text(bar.get_x() + bar.get_width() / 2, p + 0.02, f"p={p:.2f}\n-log p={loss:.2f}",
                         ha="center", va="bottom", fontsize=9)
        ax_soft.set(xticks=positions, xticklabels=["class 0", "class 1", "class 2"], ylim=(0, 1.3),
                    ylabel="softmax probability", title="3-class softmax: p and -log p")
        return fig


def loss_demo() -> LossDemo:
    """Lesson 04's demo: the one call the notebook makes."""
    return LossDemo()
