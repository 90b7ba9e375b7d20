"""Lesson-specific tests of the lesson 05 exercise checks (nncourse/checks/backprop.py).

Correct answers written in another way (a loop-free checker, a backward pass
with its own dense and activation code) must pass; hand-worked cases.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import activations, backprop
from nncourse.checks import EXERCISES, run_checks

LESSON = "05_backprop"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]
SEEDS = range(5)


def test_lesson_has_its_exercises():
    assert IDS == ["activation-backward", "dense-backward", "softmax-ce-grad", "backward-pass", "numerical-gradient",
                   "value-class", "softmax-backward", "sigmoid-bce-grad", "bug-two-layer", "bug-linear-mse",
                   "bug-l2-penalty"]
    assert all(len(EXERCISES[i].mistakes) >= 4 for i in IDS)
    assert EXERCISES["softmax-ce-grad"].forbid_overflow


BLANKS = {
    "activation-backward": lambda dA, cache: np.zeros_like(dA),
    "dense-backward": lambda dZ, cache: (np.zeros_like(cache[0]), np.zeros_like(cache[1]), np.zeros(dZ.shape[1])),
    "softmax-ce-grad": lambda Z, y: np.zeros_like(Z),
    "backward-pass": lambda dZ_out, cache: [(np.zeros_like(c.dense[1]), np.zeros(c.dense[1].shape[1])) for c in cache],
    "numerical-gradient": lambda f, x, h=1e-5: np.zeros_like(x),
}


def test_failure_names_the_case_and_shows_expected_and_got():
    wrong = EXERCISES["dense-backward"].mistakes[0].implementation  # dW transposed
    message = run_checks("dense-backward", wrong, seed=0).message()
    assert message.startswith("dense-backward: case 'square weights (3, 3), 4 samples' failed: dW: wrong values")
    assert "expected (shape (3, 3), float64):" in message and "got      (shape (3, 3), float64):" in message


# --- correct answers written differently pass ---

def _activation_backward_by_hand(dA, cache):
    Z, name = cache
    if name == "sigmoid":
        s = activations.sigmoid(Z)
        return dA * s * (1 - s)
    if name == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    return dA * (Z > 0)


def _dense_backward_einsum(dZ, cache):
    X, W = cache
    return np.einsum("ij,kj->ik", dZ, W), np.einsum("ni,nj->ij", X, dZ), np.einsum("nj->j", dZ)


def _backward_by_hand(dZ_out, cache):
    grads = [None] * len(cache)
    dZ = dZ_out
    for layer in reversed(range(len(cache))):
        A_prev, W = cache[layer].dense
        grads[layer] = [A_prev.T @ dZ, dZ.sum(axis=0)]
        if layer:
            Z, name = cache[layer - 1].activation
            dZ = (dZ @ W.T) * activations.get_activation(name).grad(Z)
    return grads


def _softmax_ce_grad_via_one_hot(Z, y):
    P = activations.softmax(Z)
    return (P - np.eye(Z.shape[1])[y]) / len(y)


def _numerical_gradient_flat(f, x, h=1e-5):
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        plus = f(x)
        flat[i] = keep - h
        minus = f(x)
        flat[i] = keep
        gflat[i] = (plus - minus) / (2 * h)
    return grad


@pytest.mark.parametrize("exercise_id, correct", [
    ("activation-backward", _activation_backward_by_hand),
    ("dense-backward", _dense_backward_einsum),
    ("backward-pass", _backward_by_hand),
    ("softmax-ce-grad", _softmax_ce_grad_via_one_hot),
    ("numerical-gradient", _numerical_gradient_flat),
])
def test_correct_answers_written_differently_pass(exercise_id, correct):
    for seed in SEEDS:
        report = run_checks(exercise_id, correct, seed=seed)
        assert report.passed, report.message()


def test_worked_examples_by_hand():
    # sigmoid: z = [-1, 0, 2] -> s = [0.268941, 0.5, 0.880797], s(1 - s) = [0.196612, 0.25, 0.104994];
    # times dA = [0.5, 1, -2] -> [0.098306, 0.25, -0.209987]
    dZ = backprop.activation_backward(np.array([[0.5, 1.0, -2.0]]), (np.array([[-1.0, 0.0, 2.0]]), "sigmoid"))
    np.testing.assert_allclose(dZ, [[0.098306, 0.25, -0.209987]], atol=1e-6)
    # dense: dZ = [[0.1, -0.2], [0.3, 0.4]], X = [[1, 2, 0], [0, -1, 3]], W = [[0.5, -1], [1, 0], [-0.5, 2]]
    # db = [0.1 + 0.3, -0.2 + 0.4] = [0.4, 0.2]; dW[0] = 1 * [0.1, -0.2] + 0 * [0.3, 0.4] = [0.1, -0.2]
    # dX[0] = [0.1 * 0.5 + (-0.2) * (-1), 0.1 * 1 + 0, 0.1 * (-0.5) + (-0.2) * 2] = [0.25, 0.1, -0.45]
    dX, dW, db = backprop.dense_backward(np.array([[0.1, -0.2], [0.3, 0.4]]),
                                         (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]),
                                          np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])))
    np.testing.assert_allclose(db, [0.4, 0.2])
    np.testing.assert_allclose(dW[0], [0.1, -0.2])
    np.testing.assert_allclose(dX[0], [0.25, 0.1, -0.45])


def test_the_forgotten_restore_is_reported_as_a_changed_x():
    wrong = next(m for m in EXERCISES["numerical-gradient"].mistakes if m.name == "x-not-restored")
    message = run_checks("numerical-gradient", wrong.implementation, seed=0).message()
    assert "'x after the call': wrong values" in message
