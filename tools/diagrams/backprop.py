"""Lesson 05's diagram: the tiny network's computational graph with every forward value and gradient.

Writes ``images/backprop_graph.png``: the graph of the lesson's worked example
(two inputs, one sigmoid hidden unit, a sigmoid output with binary
cross-entropy), each node with its forward value (blue), its gradient
:math:`\\partial L/\\partial v` (orange) and the centred-difference estimate
of that gradient (grey). The drawing is the last frame of the lesson's demo,
``nncourse.widgets.backprop.draw_graph``, so the picture and the demo cannot
disagree.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from nncourse.widgets.backprop import draw_graph


def main(images_dir: Path) -> None:
    images_dir.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(12.0, 6.0), dpi=100, layout="constrained")
    draw_graph(fig.add_subplot())
    # Without the "Software" entry the PNG bytes do not depend on the matplotlib version.
    fig.savefig(images_dir / "backprop_graph.png", dpi=100, metadata={"Software": None})


if __name__ == "__main__":
    main(Path(__file__).resolve().parents[2] / "images")
