"""Lesson-specific tests of the lesson 02 exercise checks (nncourse/checks/activations.py).

What the stable exercises exist for: the textbook sigmoid and softmax are
rejected at +-1000 for overflowing, and stable alternatives pass.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import activations as act
from nncourse.checks import EXERCISES, exercise_rng, run_checks

PARTS = {"02a_activation_functions": ["collapse-linear", "relu", "relu-grad", "leaky-relu", "tanh-grad", "sigmoid-grad"],
         "02b_softmax_and_saturation": ["sigmoid", "softmax", "relu-bumps"]}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]
SEEDS = range(5)


def test_lesson_has_its_exercises():
    assert IDS == ["collapse-linear", "relu", "relu-grad", "leaky-relu", "tanh-grad", "sigmoid-grad", "sigmoid",
                   "softmax", "relu-bumps"]
    assert {part: [e.id for e in EXERCISES.values() if e.lesson == part] for part in PARTS} == PARTS
    assert all(EXERCISES[i].mistakes for i in IDS)


def test_failure_names_the_case_and_shows_expected_and_got():
    message = run_checks("sigmoid-grad", lambda z: z * (1.0 - z), seed=1).message()
    # z = [-2, 0, 1, 3]: sigma' = [0.104994, 0.25, 0.196612, 0.0451767]; z (1 - z) = [-6, 0, 0, -6]
    assert message.startswith("sigmoid-grad: case 'a small vector worked by hand, z = [-2, 0, 1, 3]' failed: "
                              "wrong values at index (0,), the first of 4 wrong entries (of 4): expected 0.104994, "
                              "got -6")
    assert "expected (shape (4,), float64): [0.104994, 0.25    , 0.196612, 0.045177]" in message
    assert "got      (shape (4,), float64): [-6.,  0.,  0., -6.]" in message
    assert "hint: z * (1 - z) is the formula for the *output*" in message


# --- the numerically stable exercises: overflow is what they test ---

def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _both_branches_sigmoid(z):
    # Looks stable, but np.where evaluates both branches on every element.
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))


def _naive_softmax(z):
    e = np.exp(z)
    return e / np.sum(e, axis=1, keepdims=True)


def _min_shift_softmax(z):
    e = np.exp(z - np.min(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


@pytest.mark.parametrize("exercise_id, naive", [("sigmoid", _naive_sigmoid), ("sigmoid", _both_branches_sigmoid),
                                                ("softmax", _naive_softmax), ("softmax", _min_shift_softmax)])
def test_overflowing_versions_fail_only_at_the_extremes(exercise_id, naive):
    report = run_checks(exercise_id, naive, seed=3)
    assert not report.passed
    assert "overflow" in report.message()
    # On ordinary inputs the textbook formula is right: only the extreme cases fail.
    extreme = {c.name for c in EXERCISES[exercise_id].make_cases(exercise_rng(exercise_id, 3)) if c.extreme}
    assert extreme and {f.case for f in report.failures} <= extreme


def test_stable_alternatives_pass():
    def sigmoid_tanh(z):
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    def sigmoid_split(z):
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[~pos])
        out[~pos] = e / (1.0 + e)
        return out

    def softmax_loop(z):
        out = np.empty_like(z)
        for i, row in enumerate(z):
            e = np.exp(row - row.max())
            out[i] = e / e.sum()
        return out

    for seed in SEEDS:
        for fn in (sigmoid_tanh, sigmoid_split):
            assert run_checks("sigmoid", fn, seed=seed).passed
        assert run_checks("softmax", softmax_loop, seed=seed).passed
        assert run_checks("softmax", lambda z: act.softmax(z, axis=1), seed=seed).passed


def test_in_place_relu_is_caught():
    def relu_in_place(z):
        z[z < 0] = 0.0
        return z

    message = run_checks("relu", relu_in_place, seed=0).message()
    assert "modified its argument" in message


def test_boolean_relu_grad_is_told_about_the_dtype():
    message = run_checks("relu-grad", lambda z: z > 0, seed=0).message()
    assert "returned booleans (True/False) of dtype bool, expected float64" in message
    assert run_checks("relu-grad", lambda z: z > 0, seed=0).diagnoses[0] == "generic:dtype"


def test_relu_grad_cases_contain_exact_zeros():
    cases = EXERCISES["relu-grad"].make_cases(np.random.default_rng(0))
    assert sum(int(np.any(c.args[0] == 0.0)) for c in cases) >= 3


def test_cases_are_fresh_on_every_run():
    a = EXERCISES["softmax"].make_cases(np.random.default_rng(1))
    b = EXERCISES["softmax"].make_cases(np.random.default_rng(2))
    assert not np.array_equal(a[2].args[0], b[2].args[0]) or a[2].args[0].shape != b[2].args[0].shape


def test_collapse_linear_matches_the_stacked_layers():
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)
    X = rng.normal(size=(5, 3))
    W, b = EXERCISES["collapse-linear"].reference(W1, b1, W2, b2)
    np.testing.assert_allclose(X @ W + b, (X @ W1 + b1) @ W2 + b2, rtol=1e-12)




# --- relu-bumps (issue 13: why one hidden layer suffices) ---

def _bumps_units_reversed(centres, heights, width):
    from nncourse.checks.activations import bumps_network

    W1, b1, W2, b2 = bumps_network(centres, heights, width)
    return W1[:, ::-1], b1[::-1], W2[::-1], b2


def _bumps_mirrored(centres, heights, width):
    """The same hats from the other side: relu(c + w - x) - 2 relu(c - x) + relu(c - w - x), times h / w."""
    centres, heights = np.asarray(centres, dtype=float), np.asarray(heights, dtype=float)
    kinks = np.concatenate([centres + width, centres, centres - width])
    W2 = np.concatenate([heights, -2 * heights, heights]) / width
    return -np.ones((1, kinks.size)), kinks, W2[:, None], np.zeros(1)


def _bumps_one_at_a_time(centres, heights, width):
    W1, b1, W2 = [], [], []
    for c, h in zip(centres, heights):
        for kink, change in ((c - width, h / width), (c, -2 * h / width), (c + width, h / width)):
            W1.append(1.0)
            b1.append(-kink)
            W2.append(change)
    return np.array([W1]), np.array(b1), np.array(W2).reshape(-1, 1), np.array([0.0])


@pytest.mark.parametrize("correct", [_bumps_units_reversed, _bumps_mirrored, _bumps_one_at_a_time])
def test_relu_bumps_any_network_with_the_right_outputs_passes(correct):
    for seed in SEEDS:
        report = run_checks("relu-bumps", correct, seed=seed)
        assert report.passed, report.message()


def test_relu_bumps_reference_draws_the_worked_example_and_joins_the_dots():
    from nncourse.checks.activations import bumps_network, network_output

    # one hat of height 1 at 0, half-width 1: 0 at -1, 0.5 at -0.5, 1 at 0, 0.5 at 0.5, 0 from 1 on
    params = bumps_network([0.0], [1.0], 1.0)
    np.testing.assert_allclose(network_output(params, np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])),
                               [0.0, 0.0, 0.5, 1.0, 0.5, 0.0, 0.0], atol=1e-12)
    # bumps of heights f(c) at spacing w interpolate f linearly between the centres
    centres = np.linspace(-3.0, 3.0, 13)
    x = np.linspace(-3.0, 3.0, 601)
    drawn = network_output(bumps_network(centres, np.sin(2 * centres), 0.5), x)
    np.testing.assert_allclose(drawn, np.interp(x, centres, np.sin(2 * centres)), atol=1e-12)


def test_relu_bumps_wrong_shapes_are_explained():
    def flat_weights(centres, heights, width):
        from nncourse.checks.activations import bumps_network

        W1, b1, W2, b2 = bumps_network(centres, heights, width)
        return W1.ravel(), b1, W2, b2

    message = run_checks("relu-bumps", flat_weights, seed=0).message()
    assert "raised ValueError: expected W1 (1, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1), b2 (1,); " \
           "got shapes (3,), (3,), (3, 1), (1,)" in message
    assert "return the four arrays" in run_checks("relu-bumps", lambda c, h, w: (1.0, 2.0), seed=0).message()
