"""Lesson 05's demo: the walkthrough graph's numbers as plain functions, the stepping, and the diagram."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse.widgets import backprop_demo  # noqa: E402
from nncourse.widgets.backprop import (GRAPH, LEAVES, BackpropDemo, backward_gradients, draw_graph,  # noqa: E402
                                       forward_values, numerical_gradients, steps)

ROOT = Path(__file__).resolve().parents[1]


def test_forward_values_of_the_worked_example():
    # z1 = 0.5 * 1 - 0.3 * 2 + 0.1 = 0; a1 = sigma(0) = 0.5; z2 = 2 * 0.5 - 0.5 = 0.5; L = ln(1 + e^-0.5) = 0.474077
    v = forward_values()
    assert v["z1"] == pytest.approx(0.0, abs=1e-15)
    assert v["a1"] == pytest.approx(0.5)
    assert v["z2"] == pytest.approx(0.5)
    assert v["L"] == pytest.approx(np.log1p(np.exp(-0.5)))


def test_backward_gradients_of_the_worked_example():
    # dz2 = sigma(0.5) - 1 = -0.377541; da1 = 2 dz2; dz1 = 0.25 da1; dw12 = x2 dz1 = 2 dz1
    g = backward_gradients()
    dz2 = 1 / (1 + np.exp(-0.5)) - 1
    assert g["L"] == 1.0
    assert g["z2"] == pytest.approx(dz2)
    assert g["a1"] == pytest.approx(2 * dz2)
    assert g["z1"] == pytest.approx(0.5 * dz2)
    assert g["w12"] == pytest.approx(dz2)
    assert g["x2"] == pytest.approx(-0.3 * 0.5 * dz2)


def test_every_gradient_agrees_with_its_numerical_check():
    grads, numeric = backward_gradients(), numerical_gradients()
    for node in GRAPH:
        assert grads[node.name] == pytest.approx(numeric[node.name], rel=1e-7, abs=1e-10), node.name


def test_other_leaf_values_change_the_numbers():
    leaves = dict(LEAVES, w2=4.0)
    assert forward_values(leaves)["z2"] == pytest.approx(1.5)
    assert numerical_gradients(leaves)["w11"] == pytest.approx(backward_gradients(forward_values(leaves))["w11"],
                                                                rel=1e-7)


def test_steps_run_forward_then_backward_from_the_loss():
    frames = steps()
    operations = [n.name for n in GRAPH if n.inputs]
    assert frames[0] == ("start", None)
    assert [name for phase, name in frames if phase == "forward"] == operations
    backward = [name for phase, name in frames if phase == "backward"]
    assert backward[0] == "L" and sorted(backward) == sorted(n.name for n in GRAPH)
    # a node's gradient is shown only after every node it feeds
    for node in GRAPH:
        for source in node.inputs:
            assert backward.index(node.name) < backward.index(source)


def test_next_and_previous_step_the_frame_within_range():
    demo = backprop_demo()
    assert isinstance(demo, BackpropDemo)
    first = demo.png
    demo.controls["next"].click()
    assert demo.controls["step"].value == 1 and demo.png != first
    assert demo.figure.axes[0].get_title() == "forward: u₁ = w₁₁ x₁ = 0.5000"
    demo.controls["previous"].click()
    demo.controls["previous"].click()
    assert demo.controls["step"].value == 0
    demo.controls["step"].value = demo.controls["step"].max
    demo.controls["next"].click()
    assert demo.controls["step"].value == len(steps()) - 1
    assert demo.figure.axes[0].get_title().startswith("backward: ∂L/∂")


def test_backward_caption_shows_local_times_upstream():
    demo = backprop_demo()
    demo.controls["step"].value = [i for i, f in enumerate(steps()) if f == ("backward", "z1")][0]
    assert demo.figure.axes[0].get_title() == "backward: ∂L/∂z₁ = local × upstream = 0.2500 × -0.7551 = -0.1888"


def test_draw_graph_rejects_a_step_out_of_range():
    from matplotlib.figure import Figure

    with pytest.raises(ValueError, match="step must be an integer"):
        draw_graph(Figure().add_subplot(), len(steps()))


def test_the_diagram_script_writes_its_png(tmp_path):
    spec = importlib.util.spec_from_file_location("diagram_backprop", ROOT / "tools" / "diagrams" / "backprop.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    png = (tmp_path / "backprop_graph.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    module.main(tmp_path)
    assert (tmp_path / "backprop_graph.png").read_bytes() == png  # deterministic
