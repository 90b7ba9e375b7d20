"""Lesson 05's demo (``05c_gradient_checking``): the computational graph of a tiny network, stepped node by node.

The network has two inputs, one sigmoid hidden unit and one sigmoid output
trained with binary cross-entropy, written as scalar operations so that every
node is one line of arithmetic:

.. math::
    u_1 = w_{11} x_1,\\; u_2 = w_{12} x_2,\\; z_1 = u_1 + u_2 + b_1,\\; a_1 = \\sigma(z_1),\\;
    u_3 = w_2 a_1,\\; z_2 = u_3 + b_2,\\; L = -\\log \\sigma(z_2)\\;(y = 1)

:func:`backprop_demo` steps through it with Next/Previous: first the forward
pass, one node at a time, writing each value on its node; then the backward
pass in reverse order, writing :math:`\\partial L/\\partial v` under each node as
local gradient × upstream gradient, with the centred-difference estimate of the
same number beside it (5.8).

The numbers come from plain functions (:func:`forward_values`,
:func:`backward_gradients`, :func:`numerical_gradients`, :func:`steps`) that
the tests check without a browser; :func:`draw_graph` is shared with the
lesson's static diagram (``tools/diagrams/backprop.py``).

Not here: matrices (the notebook does a layer with matrices), more than one
sample.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import activations, losses
from ._base import OKABE_ITO, Demo, button, new_figure, slider

__all__ = ["GraphNode", "GRAPH", "LEAVES", "evaluate", "forward_values", "backward_gradients", "numerical_gradients",
           "steps", "draw_graph", "BackpropDemo", "backprop_demo"]


class GraphNode(NamedTuple):
    """One node: its name, how it is computed, its inputs, and where it is drawn."""

    name: str
    label: str  # the formula shown on the node
    inputs: tuple  # names of the nodes it reads
    position: tuple  # (x, y) in the drawing


#: The leaves (inputs and parameters) of the worked example, with their values.
LEAVES = {"x1": 1.0, "x2": 2.0, "w11": 0.5, "w12": -0.3, "b1": 0.1, "w2": 2.0, "b2": -0.5}

#: Every node in topological order (leaves first).
GRAPH = (
    GraphNode("w11", "w₁₁", (), (0.0, 7.6)),
    GraphNode("x1", "x₁", (), (0.0, 5.8)),
    GraphNode("x2", "x₂", (), (0.0, 2.6)),
    GraphNode("w12", "w₁₂", (), (0.0, 0.8)),
    GraphNode("b1", "b₁", (), (1.8, 4.2)),
    GraphNode("w2", "w₂", (), (5.4, 6.8)),
    GraphNode("b2", "b₂", (), (7.2, 7.6)),
    GraphNode("u1", "u₁ = w₁₁ x₁", ("w11", "x1"), (1.8, 6.7)),
    GraphNode("u2", "u₂ = w₁₂ x₂", ("w12", "x2"), (1.8, 1.7)),
    GraphNode("z1", "z₁ = u₁ + u₂ + b₁", ("u1", "u2", "b1"), (3.6, 4.2)),
    GraphNode("a1", "a₁ = σ(z₁)", ("z1",), (5.4, 4.2)),
    GraphNode("u3", "u₃ = w₂ a₁", ("w2", "a1"), (7.2, 5.2)),
    GraphNode("z2", "z₂ = u₃ + b₂", ("u3", "b2"), (9.0, 5.2)),
    GraphNode("L", "L = −log σ(z₂)", ("z2",), (10.8, 5.2)),
)

_BY_NAME = {node.name: node for node in GRAPH}
_OPERATIONS = [node for node in GRAPH if node.inputs]


def _compute(name: str, v: dict) -> float:
    if name == "u1":
        return v["w11"] * v["x1"]
    if name == "u2":
        return v["w12"] * v["x2"]
    if name == "z1":
        return v["u1"] + v["u2"] + v["b1"]
    if name == "a1":
        return float(activations.sigmoid(v["z1"]))
    if name == "u3":
        return v["w2"] * v["a1"]
    if name == "z2":
        return v["u3"] + v["b2"]
    # The loss from the logit (4.6) with y = 1: exact for any z2.
    return losses.binary_cross_entropy_with_logits(np.array([v["z2"]]), np.array([1.0]))


def evaluate(leaves: dict = LEAVES, override: dict | None = None) -> dict:
    """Every node's value; a node in ``override`` takes that value instead of being computed."""
    override = override or {}
    values = {}
    for node in GRAPH:
        if node.name in override:
            values[node.name] = float(override[node.name])
        elif not node.inputs:
            values[node.name] = float(leaves[node.name])
        else:
            values[node.name] = float(_compute(node.name, values))
    return values


def forward_values(leaves: dict = LEAVES) -> dict:
    """The forward pass: every node's value, by name."""
    return evaluate(leaves)


def _local_gradients(name: str, v: dict) -> dict:
    """d node / d input for each input of the node ``name`` (the local gradients)."""
    if name == "u1":
        return {"w11": v["x1"], "x1": v["w11"]}
    if name == "u2":
        return {"w12": v["x2"], "x2": v["w12"]}
    if name == "z1":
        return {"u1": 1.0, "u2": 1.0, "b1": 1.0}
    if name == "a1":
        return {"z1": v["a1"] * (1.0 - v["a1"])}
    if name == "u3":
        return {"w2": v["a1"], "a1": v["w2"]}
    if name == "z2":
        return {"u3": 1.0, "b2": 1.0}
    # d/dz (-log sigmoid(z)) = sigmoid(z) - 1 (4.7 with y = 1, n = 1)
    return {"z2": float(activations.sigmoid(v["z2"])) - 1.0}


def backward_gradients(values: dict | None = None) -> dict:
    """dL/dv for every node, in reverse topological order: upstream × local, summed over consumers (5.1, 5.2)."""
    values = forward_values() if values is None else values
    grads = {node.name: 0.0 for node in GRAPH}
    grads["L"] = 1.0
    for node in reversed(_OPERATIONS):
        for name, local in _local_gradients(node.name, values).items():
            grads[name] += local * grads[node.name]  # += : a value read by several nodes collects every share
    return grads


def numerical_gradients(leaves: dict = LEAVES, h: float = 1e-5) -> dict:
    """dL/dv for every node by centred differences (5.8): nudge v alone, recompute what depends on it."""
    values = evaluate(leaves)
    out = {}
    for node in GRAPH:
        plus = evaluate(leaves, {node.name: values[node.name] + h})["L"]
        minus = evaluate(leaves, {node.name: values[node.name] - h})["L"]
        out[node.name] = (plus - minus) / (2.0 * h)
    return out


def steps() -> list:
    """The demo's frames: ("start", None), ("forward", name) per operation, then ("backward", name) per node."""
    frames = [("start", None)]
    frames += [("forward", node.name) for node in _OPERATIONS]
    # Backwards, each operation is followed by the leaves it reads, so a parameter's
    # gradient appears right after the node that hands it down.
    for node in reversed(_OPERATIONS):
        frames.append(("backward", node.name))
        frames += [("backward", name) for name in node.inputs if not _BY_NAME[name].inputs]
    return frames


def _known(step: int) -> tuple[set, set]:
    """Which nodes show a value and which show a gradient after ``step`` frames."""
    frames = steps()
    valued = {node.name for node in GRAPH if not node.inputs}
    graded = set()
    for phase, name in frames[1:step + 1]:
        (valued if phase == "forward" else graded).add(name)
    return valued, graded


def draw_graph(ax, step: int | None = None, leaves: dict = LEAVES) -> None:
    """Draw the graph on ``ax``: values (forward) on the nodes, gradients (backward) beneath them.

    ``step`` is an index into :func:`steps`, and the node of that step is
    outlined; ``None`` shows every value and gradient with a legend as title.
    """
    frames = steps()
    if step is not None and not (isinstance(step, (int, np.integer)) and 0 <= step < len(frames)):
        raise ValueError(f"step must be an integer in [0, {len(frames) - 1}] or None, got {step!r}")
    values = forward_values(leaves)
    grads = backward_gradients(values)
    numeric = numerical_gradients(leaves)
    valued, graded = _known(len(frames) - 1 if step is None else step)
    phase, current = ("all", None) if step is None else frames[step]

    for node in GRAPH:
        for source in node.inputs:
            (x0, y0), (x1, y1) = _BY_NAME[source].position, node.position
            colour = OKABE_ITO[4] if source in graded else "0.55"
            ax.annotate("", xy=(x1 - 0.55, y1), xytext=(x0 + 0.55, y0),
                        arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.4))
    for node in GRAPH:
        x, y = node.position
        is_current = node.name == current
        face = "#DCEBF7" if node.inputs else "#F2F2F2"
        ax.text(x, y + 0.18, node.label, ha="center", va="center", fontsize=9,
                bbox=dict(boxstyle="round,pad=0.35", fc=face, ec="black" if is_current else "0.6",
                          lw=2.2 if is_current else 0.8))
        if node.name in valued:
            ax.text(x, y - 0.22, f"= {values[node.name]:.4f}", ha="center", va="center", fontsize=9,
                    color=OKABE_ITO[3])
        if node.name in graded:
            ax.text(x, y - 0.52, f"∂L/∂{_symbol(node)} = {grads[node.name]:.4f}", ha="center", va="center",
                    fontsize=8.5, color=OKABE_ITO[4], fontweight="bold")
            ax.text(x, y - 0.78, f"num. {numeric[node.name]:.4f}", ha="center", va="center", fontsize=7.5,
                    color="0.35")
    ax.set_xlim(-0.9, 11.8)
    ax.set_ylim(-0.2, 8.3)
    ax.axis("off")
    ax.set_title(_caption(phase, current, values, grads), fontsize=10)


def _symbol(node: GraphNode) -> str:
    return node.label.split(" =")[0]


def _caption(phase: str, name: str | None, values: dict, grads: dict) -> str:
    if phase == "all":
        return "forward values (blue), gradients ∂L/∂v (orange), centred-difference estimates (grey); y = 1"
    if phase == "start":
        return "Leaves: inputs x and parameters w, b (y = 1). Press Next to run the forward pass."
    node = _BY_NAME[name]
    if phase == "forward":
        return f"forward: {node.label} = {values[name]:.4f}"
    consumers = [n for n in GRAPH if name in n.inputs]
    if not consumers:
        return "backward: start at the loss, ∂L/∂L = 1"
    parts = [f"{_local_gradients(c.name, values)[name]:.4f} × {grads[c.name]:.4f}" for c in consumers]
    return (f"backward: ∂L/∂{_symbol(node)} = local × upstream = " + " + ".join(parts)
            + f" = {grads[name]:.4f}")


class BackpropDemo(Demo):
    """The tiny network's graph, stepped with Next/Previous (or the step slider)."""

    def __init__(self):
        n_frames = len(steps())
        self._next = button("Next", "One node further: forward values first, then gradients backwards")
        self._previous = button("Previous", "One node back")
        step = slider("step", "Which step of the forward and backward pass is shown",
                      value=0, min=0, max=n_frames - 1)
        super().__init__(controls={"step": step, "previous": self._previous, "next": self._next},
                         figsize=(12.0, 6.0))
        self._next.on_click(lambda _button: self.move(+1))
        self._previous.on_click(lambda _button: self.move(-1))

    def move(self, delta: int) -> None:
        """Go ``delta`` steps forward (or back), within the range; the figure follows through the slider."""
        slider = self.controls["step"]
        slider.value = int(np.clip(slider.value + delta, slider.min, slider.max))

    def render(self, step):
        fig = new_figure(self.figsize)
        draw_graph(fig.add_subplot(), step)
        return fig


def backprop_demo() -> BackpropDemo:
    """Lesson 05's demo: the one call the notebook makes."""
    return BackpropDemo()
