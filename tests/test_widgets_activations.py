"""Lesson 02's demo: the arithmetic as plain functions, and controls that redraw the figure."""

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse import activations as act  # noqa: E402
from nncourse.widgets.activations import (  # noqa: E402
    SATURATION_FRACTION, ActivationDemo, activation_curves, activation_demo, saturated, unit_response)


def test_saturated_is_below_one_percent_of_the_peak():
    # peak 0.25: the threshold is 0.0025
    np.testing.assert_array_equal(saturated(np.array([0.25, 0.003, 0.0025, 0.002, 0.0]), 0.25),
                                  [False, False, False, True, True])
    assert SATURATION_FRACTION == 0.01


@pytest.mark.parametrize("name, edge", [("sigmoid", 5.99), ("tanh", 2.99)])
def test_saturation_regions_of_sigmoid_and_tanh(name, edge):
    # sigma'(z) < 0.0025 for |z| > 5.99 (sigma'(6) = 0.00247); tanh'(z) < 0.01 for |z| > 2.99 (tanh'(3) = 0.00987)
    curves = activation_curves(name, np.array([-8.0, -edge - 0.02, -edge + 0.2, 0.0, edge - 0.2, edge + 0.02, 8.0]))
    np.testing.assert_array_equal(curves["saturated"], [True, True, False, False, False, True, True])


def test_relu_is_saturated_on_its_negative_side_only_and_leaky_relu_nowhere():
    z = np.array([-3.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(activation_curves("relu", z)["saturated"], [True, True, True, False, False])
    assert not activation_curves("leaky_relu", z)["saturated"].any()


def test_curves_are_the_package_functions():
    z = np.linspace(-8, 8, 17)
    for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
        curves = activation_curves(name, z)
        np.testing.assert_array_equal(curves["g"], act.ACTIVATIONS[name].fn(z))
        np.testing.assert_array_equal(curves["dg"], act.ACTIVATIONS[name].grad(z))


def test_unit_response_by_hand():
    # w = 2, b = -1: z = 2x - 1 is 0 at x = 0.5; there sigma = 0.5 and da/dx = w * sigma'(0) = 2 * 0.25 = 0.5
    unit = unit_response("sigmoid", 2.0, -1.0, np.array([0.5, 3.0]))
    np.testing.assert_allclose(unit["z"], [0.0, 5.0])
    np.testing.assert_allclose(unit["a"], [0.5, 1.0 / (1.0 + np.exp(-5.0))])
    np.testing.assert_allclose(unit["da_dx"][0], 0.5)
    assert unit["centre"] == 0.5


def test_unit_response_derivative_matches_a_centred_difference():
    x, h = np.linspace(-4, 4, 81), 1e-5
    for name in ("sigmoid", "tanh", "leaky_relu"):
        unit = unit_response(name, -1.7, 0.3, x)
        centred = (unit_response(name, -1.7, 0.3, x + h)["a"] - unit_response(name, -1.7, 0.3, x - h)["a"]) / (2 * h)
        np.testing.assert_allclose(unit["da_dx"], centred, rtol=1e-6, atol=1e-9)


def test_centre_of_a_zero_bias_is_plain_zero():
    assert f"{unit_response('sigmoid', 1.1, 0.0)['centre']:.2f}" == "0.00"


def test_zero_weight_has_no_centre():
    unit = unit_response("tanh", 0.0, 1.0, np.array([-1.0, 1.0]))
    assert unit["centre"] is None
    np.testing.assert_allclose(unit["a"], np.tanh(1.0))
    np.testing.assert_array_equal(unit["da_dx"], 0.0)


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        activation_curves("swish")


def _line(demo, axis, label):
    ax = demo.figure.axes[axis]
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_demo_starts_with_sigmoid_and_draws_both_panels():
    demo = activation_demo()
    assert isinstance(demo, ActivationDemo)
    assert demo.values() == {"name": "sigmoid", "w": 1.0, "b": 0.0}
    assert len(demo.figure.axes) == 2 and demo.png.startswith(b"\x89PNG")
    np.testing.assert_allclose(_line(demo, 0, "g'(z)").get_ydata().max(), 0.25, rtol=1e-4)


def test_moving_the_controls_redraws():
    demo = activation_demo()
    before = demo.png
    demo.controls["w"].value = 3.0
    demo.controls["b"].value = -2.0
    assert demo.png != before
    # The unit's steepest slope is w * max(sigma') = 3 * 0.25, at x = -b / w = 2/3.
    assert "steepest |da/dx| = 0.750" in demo.figure.axes[1].get_title()
    assert any(line.get_label() == "z = 0 at x = 0.67" for line in demo.figure.axes[1].get_lines())
    demo.controls["name"].value = "relu"
    np.testing.assert_allclose(_line(demo, 0, "g'(z)").get_ydata().max(), 1.0)
    assert demo.figure.axes[0].get_title() == "ReLU and its derivative"


def test_every_control_explains_itself():
    demo = activation_demo()
    for control in demo.controls.values():
        assert control.description and control.tooltip
