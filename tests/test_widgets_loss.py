"""Lesson 04's demo: the losses of the logistic unit as plain functions, and the demo redrawing on change."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse.widgets import loss_demo  # noqa: E402
from nncourse.widgets.loss import DATA_X, DATA_Y, LossDemo, logistic_losses, loss_grid, softmax_panel  # noqa: E402


def test_logistic_losses_at_zero_weight():
    # w = b = 0: p = 0.5 for every point, so MSE = 0.25 and cross-entropy = ln 2
    values = logistic_losses(0.0, 0.0)
    assert values["mse"] == pytest.approx(0.25)
    assert values["cross-entropy"] == pytest.approx(np.log(2))


def test_mse_flattens_on_the_wrong_side_while_cross_entropy_keeps_its_slope():
    # At w = -6 the unit is confidently wrong on most points: the MSE's slope nearly vanishes.
    h = 1e-4
    slope = {key: (logistic_losses(-6.0 + h, 0.0)[key] - logistic_losses(-6.0 - h, 0.0)[key]) / (2 * h)
             for key in ("mse", "cross-entropy")}
    assert slope["cross-entropy"] < -1.0
    assert abs(slope["mse"]) < 0.01 * abs(slope["cross-entropy"])


def test_the_dataset_is_not_separable_so_the_best_weight_is_finite():
    w = np.linspace(-20, 20, 401)
    ce = [logistic_losses(v, 0.0)["cross-entropy"] for v in w]
    assert 0 < w[int(np.argmin(ce))] < 10
    assert DATA_X.shape == DATA_Y.shape


def test_loss_grid_shape_and_values():
    w, b = np.array([-1.0, 0.0, 2.0]), np.array([0.5, -0.5])
    grid = loss_grid("mse", w, b)
    assert grid.shape == (2, 3)
    assert grid[1, 2] == pytest.approx(logistic_losses(2.0, -0.5)["mse"])
    with pytest.raises(ValueError, match="loss must be 'mse' or 'cross-entropy'"):
        loss_grid("hinge", w, b)


def test_softmax_panel():
    # z = (2, 1, 0.1): p = (0.659, 0.242, 0.099), -log p = (0.417, 1.417, 2.317)
    probs, per_class = softmax_panel([2.0, 1.0, 0.1])
    assert probs.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(per_class, -np.log(probs))
    assert per_class[0] == pytest.approx(0.41703, abs=1e-5)


def test_demo_redraws_when_a_control_changes():
    demo = loss_demo()
    assert isinstance(demo, LossDemo)
    first = demo.png
    demo.controls["w"].value = 2.0
    assert demo.png != first
    assert demo.figure.axes[0].get_title().startswith("slice at b = 0.0: MSE 0.141")
    demo.controls["surface"].value = "mse"
    assert demo.figure.axes[1].get_title() == "MSE over (w, b)"
    before = demo.png
    demo.controls["z0"].value = -3.0
    assert demo.png != before
    softmax_axes = next(ax for ax in demo.figure.axes if ax.get_title().startswith("3-class softmax"))
    texts = [t.get_text() for t in softmax_axes.texts]
    assert any(text.startswith("p=0.01") for text in texts)


def test_classes_are_numbered_from_zero_like_labels():
    demo = loss_demo()
    assert [name for name in demo.controls if name.startswith("z")] == ["z0", "z1", "z2"]
    softmax_axes = next(ax for ax in demo.figure.axes if ax.get_title().startswith("3-class softmax"))
    assert [t.get_text() for t in softmax_axes.get_xticklabels()] == ["class 0", "class 1", "class 2"]


def test_every_control_explains_itself():
    demo = loss_demo()
    for control in demo.controls.values():
        assert control.description and control.tooltip


@pytest.mark.parametrize("loss", ["mse", "cross-entropy"])
def test_the_vectorised_grid_agrees_with_the_package_losses_everywhere(loss):
    w, b = np.linspace(-6, 6, 13), np.linspace(-4, 4, 9)
    expected = np.array([[logistic_losses(wi, bi)[loss] for wi in w] for bi in b])
    np.testing.assert_allclose(loss_grid(loss, w, b), expected, rtol=1e-12)
