"""Lesson 06's demo (part 2, ``06b_training_loop``): plain gradient descent, momentum, RMSProp and Adam racing on loss surfaces.

:func:`descent_demo` shows one surface's contours with the four paths from the
same start, each method's loss per step (log scale), and a learning-rate axis
on which the stability limit of plain descent, :math:`\\eta < 2/\\lambda_{\\max}`
(6.2), is marked. The update logic is plain functions (:func:`run`,
:func:`stability_limit`) built on :mod:`nncourse.optim`, tested without a
browser; :class:`DescentDemo` only draws what they return.

Not here: stochastic gradients (every step uses the exact gradient), Nesterov
momentum, schedules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets
import numpy as np

from .. import optim
from ._base import OKABE_ITO, SEQUENTIAL_CMAP, Demo, dropdown, float_slider, new_figure, slider

__all__ = ["Surface", "SURFACES", "METHODS", "run", "stability_limit", "DescentDemo", "descent_demo"]

#: A path whose parameters grow beyond this norm has diverged; it is cut there.
DIVERGED = 1e3


@dataclass(frozen=True)
class Surface:
    """A loss surface over two parameters :math:`\\theta = (\\theta_1, \\theta_2)`.

    ``loss(x, y)`` takes the two coordinates and works element-wise on arrays
    (for contours); ``grad(theta)`` takes a ``(2,)`` array and returns its
    ``(2,)`` gradient. ``lam_max`` is the largest eigenvalue of the Hessian at
    the minimum the paths head for (None when there is no minimum), ``minima``
    the points marked with a star.
    """

    label: str
    loss: Callable
    grad: Callable
    lam_max: float | None
    start: tuple
    xlim: tuple
    ylim: tuple
    minima: tuple = ((0.0, 0.0),)


def _quadratic(A: np.ndarray):
    def loss(x, y):
        return 0.5 * (A[0, 0] * x * x + 2 * A[0, 1] * x * y + A[1, 1] * y * y)

    def grad(theta):
        return A @ theta

    return loss, grad


_ANGLE = np.pi / 6
_ROT = np.array([[np.cos(_ANGLE), -np.sin(_ANGLE)], [np.sin(_ANGLE), np.cos(_ANGLE)]])
_BOWL = np.diag([2.0, 2.0])
_VALLEY = np.diag([1.0, 20.0])
_TILTED = _ROT @ _VALLEY @ _ROT.T


def _saddle_loss(x, y):
    return 0.5 * x * x - 0.5 * y * y + 0.25 * y**4


def _saddle_grad(theta):
    x, y = theta
    return np.array([x, -y + y**3])


def _plateau_loss(x, y):
    return 1.0 - np.exp(-0.5 * (x * x + y * y))


def _plateau_grad(theta):
    return theta * np.exp(-0.5 * float(theta @ theta))


#: The surfaces of the demo, by key.
SURFACES = {
    "bowl": Surface("round bowl  θ₁² + θ₂²", *_quadratic(_BOWL), lam_max=2.0, start=(-2.5, 2.0),
                    xlim=(-3.0, 3.0), ylim=(-3.0, 3.0)),
    "valley": Surface("elongated valley  ½(θ₁² + 20 θ₂²)", *_quadratic(_VALLEY), lam_max=20.0, start=(-4.0, 1.0),
                      xlim=(-5.0, 5.0), ylim=(-3.0, 3.0)),
    "tilted": Surface("tilted valley (the valley turned by 30°)", *_quadratic(_TILTED), lam_max=20.0,
                      start=(-4.0, 0.5), xlim=(-5.0, 5.0), ylim=(-3.0, 3.0)),
    "saddle": Surface("saddle  ½θ₁² − ½θ₂² + ¼θ₂⁴", _saddle_loss, _saddle_grad, lam_max=2.0, start=(-3.0, 0.01),
                      xlim=(-3.5, 3.5), ylim=(-2.0, 2.0), minima=((0.0, -1.0), (0.0, 1.0))),
    "plateau": Surface("plateau  1 − exp(−(θ₁² + θ₂²)/2)", _plateau_loss, _plateau_grad, lam_max=1.0,
                       start=(2.8, 2.2), xlim=(-4.0, 4.0), ylim=(-4.0, 4.0)),
}

#: The optimisers that race, with their labels, markers and line styles.
METHODS = {
    "gd": ("plain GD", "o", "-"),
    "momentum": ("momentum", "s", "--"),
    "rmsprop": ("RMSProp", "^", "-."),
    "adam": ("Adam", "D", ":"),
}


def stability_limit(surface: Surface) -> float | None:
    """The largest stable learning rate of plain descent near the minimum, :math:`2/\\lambda_{\\max}` (6.2)."""
    return None if surface.lam_max is None else 2.0 / surface.lam_max


def run(surface: Surface, method: str, lr: float, *, beta: float = 0.9, steps: int = 60) -> np.ndarray:
    """The path of one optimiser: an array of shape ``(k + 1, 2)``, the start first.

    ``k = steps`` unless the path diverges (norm above :data:`DIVERGED`), where it
    is cut after the first point beyond. ``beta`` is momentum's coefficient;
    RMSProp and Adam use their defaults (``rho = 0.9``; ``beta1 = 0.9``,
    ``beta2 = 0.999``).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(map(repr, METHODS))}")
    theta = np.array(surface.start, dtype=float)
    velocity, sq_avg, m, v, t = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 0
    path = [theta]
    for _ in range(steps):
        g = surface.grad(theta)
        if method == "gd":
            theta = optim.gd_update(theta, g, lr)
        elif method == "momentum":
            theta, velocity = optim.momentum_update(theta, g, velocity, lr, beta=beta)
        elif method == "rmsprop":
            theta, sq_avg = optim.rmsprop_update(theta, g, sq_avg, lr)
        else:
            theta, m, v, t = optim.adam_update(theta, g, m, v, t, lr=lr)
        path.append(theta)
        if np.linalg.norm(theta) > DIVERGED:
            break
    return np.array(path)


def _path_losses(surface: Surface, path: np.ndarray) -> np.ndarray:
    return surface.loss(path[:, 0], path[:, 1])


LR_MIN, LR_MAX = 1e-3, 3.0


class DescentDemo(Demo):
    """Four optimisers on one surface; learning-rate, momentum and step-count controls."""

    def __init__(self, surface: str = "valley", lr: float = 0.05, beta: float = 0.9, steps: int = 60):
        if surface not in SURFACES:
            raise ValueError(f"unknown surface {surface!r}; expected one of {', '.join(map(repr, SURFACES))}")
        if not LR_MIN <= lr <= LR_MAX:
            raise ValueError(f"lr must be in [{LR_MIN}, {LR_MAX}], got {lr}")
        lr_slider = widgets.FloatLogSlider(
            value=lr, base=10, min=np.log10(LR_MIN), max=np.log10(LR_MAX), step=0.05,
            description="learning rate η",
            tooltip="The step size shared by all four methods (log scale); the dashed line marks 2/λ_max",
            readout_format=".3g", continuous_update=False, style={"description_width": "initial"})
        super().__init__(
            controls={
                "surface": dropdown("surface", "The loss surface the optimisers descend",
                                    {s.label: key for key, s in SURFACES.items()}, value=surface),
                "lr": lr_slider,
                "beta": float_slider("momentum β", "Momentum's coefficient in v ← βv + g (0 = plain descent)",
                                     value=beta, min=0.0, max=0.99, step=0.01),
                "steps": slider("steps", "How many steps each optimiser takes", value=steps, min=5, max=200, step=5),
            },
            figsize=(11.0, 5.0),
        )

    def render(self, surface, lr, beta, steps):
        surf = SURFACES[surface]
        limit = stability_limit(surf)
        fig = new_figure(self.figsize)
        grid = fig.add_gridspec(2, 2, width_ratios=(1.5, 1.0), height_ratios=(3.0, 1.0))
        ax_map, ax_loss, ax_lr = fig.add_subplot(grid[:, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])

        xs, ys = np.meshgrid(np.linspace(*surf.xlim, 200), np.linspace(*surf.ylim, 160))
        zs = surf.loss(xs, ys)
        ax_map.contour(xs, ys, zs, levels=np.quantile(zs, np.linspace(0.02, 0.98, 14)), cmap=SEQUENTIAL_CMAP,
                       linewidths=0.7)
        for x, y in surf.minima:
            ax_map.plot(x, y, "*", color="black", ms=12)
        ax_map.plot(*surf.start, "o", color="black", mfc="white", ms=8)
        for (method, (label, marker, style)), colour in zip(METHODS.items(), OKABE_ITO[:4]):
            path = run(surf, method, lr, beta=beta, steps=steps)
            diverged = path.shape[0] <= steps
            shown = f"{label} (diverged)" if diverged else label
            ax_map.plot(path[:, 0], path[:, 1], marker=marker, ls=style, color=colour, ms=3, lw=1.2, label=shown)
            losses = _path_losses(surf, path)
            if surface == "saddle":
                losses = losses + 0.25  # the minima of the saddle sit at -1/4; shift so the log axis can show them
            ax_loss.semilogy(np.maximum(losses, 1e-16), marker=marker, markevery=max(1, steps // 10), ls=style,
                             color=colour, label=shown)
        ax_map.set(xlim=surf.xlim, ylim=surf.ylim, xlabel="θ₁", ylabel="θ₂", title=surf.label)
        ax_map.legend(loc="lower right", fontsize=8)
        ax_loss.set(xlabel="step", ylabel="loss" + (" + ¼" if surface == "saddle" else "") + " (log)",
                    title="loss per step")

        ax_lr.set_xscale("log")
        ax_lr.set(xlim=(LR_MIN, LR_MAX), ylim=(0, 1), yticks=[], xlabel="learning rate η")
        if limit is not None:
            ax_lr.axvspan(limit, LR_MAX, color=OKABE_ITO[4], alpha=0.15)
            ax_lr.axvline(limit, color=OKABE_ITO[4], ls="--", lw=1.5)
            # The label goes on whichever side of the line has room.
            right = limit < 0.2
            ax_lr.text(limit * (1.08 if right else 0.93), 0.7, f"2/λ_max = {limit:.3g}:\nplain GD diverges "
                       + ("beyond" if right else "to the right"), fontsize=8, va="center",
                       ha="left" if right else "right")
        ax_lr.plot([lr], [0.3], "v", color="black", ms=9)
        ax_lr.set_title(f"η = {lr:.3g}" + ("" if limit is None else f"  (limit {limit:.3g})"), fontsize=9)
        return fig


def descent_demo(surface: str = "valley", lr: float = 0.05, beta: float = 0.9, steps: int = 60) -> DescentDemo:
    """Lesson 06's demo: plain GD, momentum, RMSProp and Adam racing from the same start.

    Parameters
    ----------
    surface : {"bowl", "valley", "tilted", "saddle", "plateau"}
    lr : float in [0.001, 3], the learning rate shared by the four methods
    beta : float in [0, 0.99], momentum's coefficient
    steps : int in [5, 200]
    """
    return DescentDemo(surface=surface, lr=lr, beta=beta, steps=steps)
