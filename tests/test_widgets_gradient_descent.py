"""Lesson 06's demo: the optimiser paths as plain functions, and the demo redrawing on change."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse import optim  # noqa: E402
from nncourse.widgets import descent_demo  # noqa: E402
from nncourse.widgets.gradient_descent import METHODS, SURFACES, DescentDemo, run, stability_limit  # noqa: E402


@pytest.mark.parametrize("key", list(SURFACES))
def test_every_surface_gradient_matches_centred_differences(key):
    surface = SURFACES[key]
    theta = np.array([0.7, -0.4])
    h = 1e-6
    numeric = np.array([(surface.loss(*(theta + h * e)) - surface.loss(*(theta - h * e))) / (2 * h)
                        for e in np.eye(2)])
    assert np.allclose(surface.grad(theta), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("key", ["bowl", "valley", "tilted"])
def test_lam_max_of_the_quadratics_is_the_largest_hessian_eigenvalue(key):
    surface = SURFACES[key]
    # For a quadratic the gradient is A theta, so A's columns are the gradients of the unit vectors.
    hessian = np.column_stack([surface.grad(e) for e in np.eye(2)])
    assert np.isclose(np.linalg.eigvalsh(hessian).max(), surface.lam_max)
    assert np.isclose(stability_limit(surface), 2.0 / surface.lam_max)


def test_plain_descent_converges_below_the_limit_and_diverges_above():
    valley = SURFACES["valley"]  # lam_max = 20, limit 0.1
    below = run(valley, "gd", 0.095, steps=200)
    above = run(valley, "gd", 0.105, steps=200)
    assert below.shape == (201, 2) and np.linalg.norm(below[-1]) < 1e-3
    assert above.shape[0] < 201 and np.linalg.norm(above[-1]) > 1e3  # cut where it diverged


def test_gd_path_is_the_update_rule_written_out():
    bowl = SURFACES["bowl"]  # L = x^2 + y^2, gradient 2 theta
    path = run(bowl, "gd", 0.1, steps=2)
    # theta_1 = (1 - 2 * 0.1) theta_0 = 0.8 * (-2.5, 2) = (-2, 1.6); theta_2 = 0.8 * theta_1 = (-1.6, 1.28)
    assert np.allclose(path, [[-2.5, 2.0], [-2.0, 1.6], [-1.6, 1.28]])


def test_momentum_path_follows_optim_and_beta_zero_is_plain_descent():
    valley = SURFACES["valley"]
    assert np.allclose(run(valley, "momentum", 0.05, beta=0.0, steps=30), run(valley, "gd", 0.05, steps=30))
    theta, v = np.array(valley.start), np.zeros(2)
    for _ in range(3):
        theta, v = optim.momentum_update(theta, valley.grad(theta), v, 0.05, beta=0.9)
    assert np.allclose(run(valley, "momentum", 0.05, beta=0.9, steps=3)[-1], theta)


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    path = run(SURFACES["valley"], "adam", 0.1, steps=1)
    assert np.allclose(np.abs(path[1] - path[0]), 0.1, rtol=1e-6)


def test_plateau_adam_escapes_where_plain_descent_crawls():
    plateau = SURFACES["plateau"]
    gd = run(plateau, "gd", 0.3, steps=60)
    adam = run(plateau, "adam", 0.3, steps=60)
    assert np.linalg.norm(gd[-1] - gd[0]) < 0.2  # the gradient there is about 0.006
    assert np.linalg.norm(adam[-1]) < 0.5


def test_saddle_on_the_ridge_stays_there_and_off_it_escapes():
    saddle = SURFACES["saddle"]
    on_ridge = type(saddle)(**{**saddle.__dict__, "start": (-3.0, 0.0)})
    assert np.all(run(on_ridge, "gd", 0.1, steps=100)[:, 1] == 0.0)
    assert abs(run(saddle, "gd", 0.1, steps=200)[-1, 1]) > 0.9  # reaches a minimum at y = +-1


def test_run_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="unknown method 'sgd'"):
        run(SURFACES["bowl"], "sgd", 0.1)


def test_demo_renders_every_method_and_marks_the_limit():
    demo = descent_demo()
    assert isinstance(demo, DescentDemo)
    ax_map, ax_loss, ax_lr = demo.figure.axes
    labels = [line.get_label() for line in ax_map.get_lines() if not line.get_label().startswith("_")]
    assert labels == [label for label, _, _ in METHODS.values()]
    limit_lines = [line for line in ax_lr.get_lines() if line.get_linestyle() == "--"]
    assert len(limit_lines) == 1 and np.allclose(limit_lines[0].get_xdata(), 0.1)
    assert demo.png.startswith(b"\x89PNG")


def test_changing_the_learning_rate_redraws_and_reports_divergence():
    demo = descent_demo()
    before = demo.png
    demo.controls["lr"].value = 0.12
    assert demo.png != before
    ax_map = demo.figure.axes[0]
    assert "plain GD (diverged)" in [line.get_label() for line in ax_map.get_lines()]
    assert "η = 0.12" in demo.figure.axes[2].get_title()


def test_changing_surface_and_beta_redraws():
    demo = descent_demo()
    demo.controls["surface"].value = "saddle"
    assert demo.figure.axes[0].get_title().startswith("saddle")

    def momentum_path():
        return next(line for line in demo.figure.axes[0].get_lines() if line.get_label() == "momentum").get_xydata()

    before = momentum_path().copy()
    demo.controls["beta"].value = 0.5
    assert not np.array_equal(momentum_path(), before)


def test_every_control_explains_itself():
    demo = descent_demo()
    for control in demo.controls.values():
        assert control.description.strip() and control.tooltip.strip()


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="unknown surface"):
        descent_demo(surface="cliff")
    with pytest.raises(ValueError, match="lr must be in"):
        descent_demo(lr=10.0)
