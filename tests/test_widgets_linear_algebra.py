"""Lesson 01's demo (nncourse/widgets/linear_algebra.py), tested without a browser.

The arithmetic is checked as plain functions (points in rows, e1 and e2 landing
on W's rows, the unit square's area scaled by |det W|, non-linearities bending
straight lines); the widget is checked by setting control values in the
kernel, which must redraw the figure with the new numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse.widgets import linear_algebra as la  # noqa: E402
from nncourse.widgets import linear_map_demo  # noqa: E402


def _polygon_area(points: np.ndarray) -> float:
    # Shoelace formula, signed (counter-clockwise positive).
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def test_transform_is_points_times_w_plus_b():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([0.5, -1.0])
    P = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # e1 -> row 0 of W + b = [1.5, 1]; e2 -> row 1 + b = [3.5, 3]; e1 + e2 -> [4.5, 5]
    np.testing.assert_allclose(la.transform(P, W, b), [[1.5, 1.0], [3.5, 3.0], [4.5, 5.0]])


def test_nonlinearities_are_applied_after_the_map():
    W, b = np.eye(2), np.array([-1.0, 0.0])
    P = np.array([[0.5, -2.0], [3.0, 1.0]])
    np.testing.assert_allclose(la.transform(P, W, b, "ReLU"), [[0.0, 0.0], [2.0, 1.0]])
    np.testing.assert_allclose(la.transform(P, W, b, "tanh"), np.tanh(P + b))
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        la.transform(P, W, b, "sigmoid")


def test_transform_refuses_a_column_bias():
    with pytest.raises(ValueError, match="b must have shape"):
        la.transform(np.zeros((3, 2)), np.eye(2), np.zeros((2, 1)))


def test_unit_square_area_scales_by_the_determinant():
    square = la.unit_square()
    assert _polygon_area(square) == pytest.approx(1.0)
    for W in (np.array([[1.0, 0.5], [-0.3, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]),
              np.array([[1.0, 0.5], [2.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 3.0]])):
        moved = la.transform(square, W, np.array([0.7, -0.2]))
        assert _polygon_area(moved) == pytest.approx(np.linalg.det(W), abs=1e-12)


def test_geometry_helpers():
    circle = la.unit_circle(60)
    assert circle.shape == (60, 2)
    np.testing.assert_allclose(np.linalg.norm(circle, axis=1), 1.0)
    lines = la.grid_lines(limit=1.0, n_lines=3, n_points=5)
    assert len(lines) == 6 and all(line.shape == (5, 2) for line in lines)
    # a vertical line keeps its first coordinate, a horizontal one its second
    np.testing.assert_allclose(lines[0][:, 0], -1.0)
    np.testing.assert_allclose(lines[3][:, 1], -1.0)


def test_linear_maps_keep_lines_straight_and_relu_bends_them():
    line = np.column_stack([np.linspace(-1, 1, 21), np.linspace(-1, 1, 21) * 0.5 + 0.2])
    W, b = np.array([[1.0, -0.8], [0.6, 1.2]]), np.array([0.1, 0.0])

    def max_distance_from_chord(p):
        d = p[-1] - p[0]
        normal = np.array([-d[1], d[0]]) / np.linalg.norm(d)
        return float(np.max(np.abs((p - p[0]) @ normal)))

    assert max_distance_from_chord(la.transform(line, W, b)) < 1e-12
    assert max_distance_from_chord(la.transform(line, W, b, "ReLU")) > 0.05


def test_dataset_is_deterministic_and_labelled():
    X1, y1 = la.demo_dataset()
    X2, y2 = la.demo_dataset()
    np.testing.assert_array_equal(X1, X2)
    assert X1.shape == (40, 2) and y1.tolist() == [0] * 20 + [1] * 20
    assert X1[y1 == 0].mean(axis=0)[0] < 0 < X1[y1 == 1].mean(axis=0)[0]


def test_every_preset_is_a_valid_map():
    for name, (W, b) in la.PRESETS.items():
        W, b = np.asarray(W), np.asarray(b)
        assert W.shape == (2, 2) and b.shape == (2,), name
        assert np.all(np.abs(W) <= 2.0) and np.all(np.abs(b) <= 2.0), f"{name} is outside the sliders' range"
    assert np.linalg.det(la.PRESETS["reflection (det < 0)"][0]) < 0
    assert np.linalg.det(la.PRESETS["squash onto a line (det = 0)"][0]) == pytest.approx(0.0)


def test_every_control_explains_itself():
    demo = linear_map_demo()
    assert set(demo.controls) == {"w11", "w12", "w21", "w22", "b1", "b2", "nonlinearity", "preset"}
    for control in demo.controls.values():
        assert control.description.strip() and control.tooltip.strip()


def test_render_shows_the_determinant():
    demo = linear_map_demo()
    fig = demo.render(w11=2.0, w12=0.0, w21=0.0, w22=0.5, b1=0.0, b2=0.0, nonlinearity="none (linear)",
                      preset="(sliders)")
    assert fig.get_suptitle().endswith("det W = 1.00\nXW scales every area by det W = 1.00")
    # A reflection: the area factor is |det W| and the sign is the orientation.
    fig = demo.render(w11=0.0, w12=1.5, w21=1.0, w22=0.0, b1=0.0, b2=0.0, nonlinearity="none (linear)",
                      preset="(sliders)")
    assert "det W = -1.50" in fig.get_suptitle()
    assert "scales every area by |det W| = 1.50 and flips the plane over" in fig.get_suptitle()
    fig = demo.render(w11=1.0, w12=0.5, w21=2.0, w22=1.0, b1=0.0, b2=0.0, nonlinearity="ReLU", preset="(sliders)")
    assert "squashes the plane onto a line" in fig.get_suptitle()
    assert "\nReLU then bends the plane, so areas no longer scale by one number" in fig.get_suptitle()
    assert [ax.get_title() for ax in fig.axes] == ["before: points X (one per row)", "after: ReLU(X W + b)"]


def test_with_a_non_linearity_the_title_no_longer_claims_one_area_factor():
    demo = linear_map_demo()
    linear = demo.render(w11=1.0, w12=0.5, w21=-0.3, w22=1.0, b1=0.0, b2=0.0, nonlinearity="none (linear)",
                         preset="(sliders)").get_suptitle()
    bent = demo.render(w11=1.0, w12=0.5, w21=-0.3, w22=1.0, b1=0.0, b2=0.0, nonlinearity="tanh",
                       preset="(sliders)").get_suptitle()
    assert "no longer scale" not in linear and "tanh then bends the plane" in bent
    # what the title says is true: ReLU maps the unit square onto a region whose area is not det W
    square = la.transform(la.unit_square(), np.array([[1.0, 0.5], [-0.3, 1.0]]), np.zeros(2), "ReLU")
    assert abs(_polygon_area(square)) != pytest.approx(1.15, abs=1e-3)


def test_moving_a_slider_redraws_the_figure():
    demo = linear_map_demo()
    before = demo.png
    demo.controls["w12"].value = -1.5
    assert demo.png != before
    assert "W = [[1.00, -1.50], [-0.30, 1.00]]" in demo.figure.get_suptitle()
    demo.controls["nonlinearity"].value = "tanh"
    assert demo.figure.axes[1].get_title() == "after: tanh(X W + b)"


def test_a_preset_sets_the_sliders_and_draws_once(monkeypatch):
    demo = linear_map_demo()
    renders = []
    original = demo.render
    monkeypatch.setattr(demo, "render", lambda **values: renders.append(values) or original(**values))
    demo.controls["preset"].value = "shear"
    assert [demo.controls[k].value for k in ("w11", "w12", "w21", "w22", "b1", "b2")] == [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    # one render for the preset change itself, one after all six sliders moved
    assert len(renders) == 2 and renders[-1]["w21"] == 1.0
    demo.controls["preset"].value = "(sliders)"
    assert demo.controls["w21"].value == 1.0
