"""Lesson 03's demo: network, trace and unit maps as plain functions, and controls that redraw."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse import activations as act  # noqa: E402
from nncourse.widgets.forward_pass import (  # noqa: E402
    CONSTANT, EXTENT, SIZES, NetworkDemo, make_network, network_demo, trace, unit_maps)


def test_make_network_shapes_and_reproducibility():
    params = make_network(3, "he")
    assert [(W.shape, b.shape) for W, b in params] == [((2, 4), (4,)), ((4, 3), (3,))]
    again = make_network(3, "he")
    other = make_network(4, "he")
    assert all(np.array_equal(W, W2) and np.array_equal(b, b2) for (W, b), (W2, b2) in zip(params, again))
    assert not np.array_equal(params[0][0], other[0][0])
    assert np.all(params[0][1] != 0) and np.all(params[1][1] == 0)  # random hidden biases, output biases 0
    zeros = make_network(3, "zeros")
    assert all(np.all(W == 0) and np.all(b == 0) for W, b in zeros)  # symmetric: the biases too
    constant = make_network(3, "constant")
    assert all(np.all(W == CONSTANT) and np.all(b == 0) for W, b in constant)


def test_trace_matches_the_formulas():
    params = make_network(1, "xavier")
    (W1, b1), (W2, b2) = params
    x = np.array([0.7, -1.2])
    steps = trace(params, x, "tanh")
    assert [s["name"] for s in steps] == ["X", "Z1", "A1", "Z2", "P"]
    assert [s["value"].shape for s in steps] == [(1, 2), (1, 4), (1, 4), (1, 3), (1, 3)]
    Z1 = x @ W1 + b1
    Z2 = np.tanh(Z1) @ W2 + b2
    np.testing.assert_allclose(steps[1]["value"][0], Z1)
    np.testing.assert_allclose(steps[2]["value"][0], np.tanh(Z1))
    np.testing.assert_allclose(steps[3]["value"][0], Z2)
    np.testing.assert_allclose(steps[4]["value"][0], act.softmax(Z2))
    assert steps[4]["formula"] == "softmax(Z2)"


def test_trace_by_hand():
    # z1 = (1, 1) W1 + b1 = (3, 0) -> relu (3, 0) -> z2 = (3, 0) -> softmax (e^3, 1) / (e^3 + 1)
    params = [(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.0, 0.5])),
              (np.array([[1.0, 0.0], [-1.0, 2.0]]), np.array([0.0, 0.0]))]
    steps = trace(params, (1.0, 1.0), "relu")
    np.testing.assert_allclose(steps[4]["value"][0], [np.e ** 3 / (np.e ** 3 + 1), 1 / (np.e ** 3 + 1)])


def test_unit_maps_agree_with_the_trace_at_a_grid_point():
    params = make_network(2, "he")
    maps = unit_maps(params, "relu", n=7)  # grid -3, -2, ..., 3
    assert maps["hidden"].shape == (7, 7, 4) and maps["output"].shape == (7, 7, 3)
    np.testing.assert_allclose(maps["output"].sum(axis=2), 1.0)
    # Row index runs over x2, column index over x1: the point (x1, x2) = (2, -1) is [2, 5].
    steps = trace(params, (2.0, -1.0), "relu")
    np.testing.assert_allclose(maps["hidden"][2, 5], steps[2]["value"][0])
    np.testing.assert_allclose(maps["output"][2, 5], steps[4]["value"][0])
    assert maps["predicted"][2, 5] == np.argmax(steps[4]["value"][0])
    assert maps["x1"][0] == -EXTENT and maps["x1"][-1] == EXTENT


def test_small_weights_predict_nearly_uniform_probabilities():
    for seed in range(5):
        y_hat = trace(make_network(seed, "small"), (2.5, -3.0), "relu")[-1]["value"]
        np.testing.assert_allclose(y_hat, 1 / 3, atol=0.01)


def test_zero_weights_make_every_hidden_unit_constant_and_the_same():
    for activation in ("tanh", "sigmoid", "relu"):
        maps = unit_maps(make_network(0, "zeros"), activation, n=5)
        # With W = 0 and b = 0 every unit outputs g(0) everywhere: no input changes it, and no unit differs
        # from another (lesson 03, section 4.1; random biases used to make them differ).
        assert np.ptp(maps["hidden"], axis=(0, 1)).max() == 0.0
        assert np.ptp(maps["hidden"], axis=2).max() == 0.0
        np.testing.assert_allclose(maps["output"], 1 / 3)


def test_constant_weights_make_every_hidden_unit_the_same_function():
    for seed in (0, 7):
        maps = unit_maps(make_network(seed, "constant"), "relu", n=9)
        assert np.ptp(maps["hidden"], axis=(0, 1)).min() > 0.0  # each unit varies over the square ...
        assert np.ptp(maps["hidden"], axis=2).max() == 0.0  # ... exactly as every other unit does
        np.testing.assert_allclose(maps["output"], 1 / 3)  # equal hidden units, equal logits


def test_demo_draws_network_and_eight_thumbnails():
    demo = network_demo()
    assert isinstance(demo, NetworkDemo)
    assert SIZES == (2, 4, 3)
    assert len(demo.figure.axes) == 9
    titles = [ax.get_title() for ax in demo.figure.axes]
    assert titles[1] == "hidden unit 1: a" and titles[5] == "output 0: P(class 0)"
    assert titles[7] == "output 2: P(class 2)"
    assert titles[8].startswith("predicted class") and "orange 0, sky 1, green 2" in titles[8]


def test_moving_the_controls_redraws_with_the_new_numbers():
    demo = network_demo()
    before = demo.png
    demo.controls["x1"].value = -2.0
    assert demo.png != before
    texts = [t.get_text() for t in demo.figure.axes[0].texts]
    trace_text = next(t for t in texts if t.startswith("X = input"))
    assert "[-2.00, -0.50]" in trace_text
    before = demo.png
    demo.controls["activation"].value = "tanh"
    assert demo.png != before
    assert "hidden tanh" in demo.figure.axes[0].get_title()
    demo.controls["init"].value = "zeros"
    # No weights, output biases 0: the untrained classifier's uniform prediction.
    trace_text = next(t.get_text() for t in demo.figure.axes[0].texts if t.get_text().startswith("X = input"))
    assert "P = softmax(Z2)  (1, 3): [0.33, 0.33, 0.33]" in trace_text
    # ... and every hidden unit computes the same: A1 has four equal entries.
    a1_line = next(line for line in trace_text.splitlines() if line.startswith("A1 ="))
    assert len(set(a1_line.split(": ")[1].strip("[]").split(", "))) == 1
    demo.controls["init"].value = "constant"
    trace_text = next(t.get_text() for t in demo.figure.axes[0].texts if t.get_text().startswith("X = input"))
    a1_line = next(line for line in trace_text.splitlines() if line.startswith("A1 ="))
    assert len(set(a1_line.split(": ")[1].strip("[]").split(", "))) == 1


def test_every_control_explains_itself():
    demo = network_demo()
    for control in demo.controls.values():
        assert control.description and control.tooltip
