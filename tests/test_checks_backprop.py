"""Lesson-specific tests of the lesson 05 exercise checks (nncourse/checks/backprop.py).

Correct answers written in another way (a loop-free checker, a backward pass
with its own dense and activation code) must pass; hand-worked cases.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nncourse import activations, backprop
from nncourse.checks import EXERCISES, run_checks

# Lesson 05 comes in three parts, one notebook each; every exercise belongs to the part that asks it.
PARTS = {"05a_computational_graphs": ["activation-backward", "dense-backward", "value-class"],
         "05b_backward_pass": ["softmax-ce-grad", "backward-pass", "softmax-backward", "sigmoid-bce-grad"],
         "05c_gradient_checking": ["numerical-gradient", "bug-two-layer", "bug-linear-mse", "bug-l2-penalty"]}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]
SEEDS = range(5)
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_lesson_has_its_exercises():
    assert IDS == ["activation-backward", "dense-backward", "softmax-ce-grad", "backward-pass", "numerical-gradient",
                   "value-class", "softmax-backward", "sigmoid-bce-grad", "bug-two-layer", "bug-linear-mse",
                   "bug-l2-penalty"]
    assert {part: [e.id for e in EXERCISES.values() if e.lesson == part] for part in PARTS} == PARTS
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


# --- exercises added in issue 13, part 2: value-class, softmax-backward, sigmoid-bce-grad, the bug hunt ---

from nncourse import gradient_check, layers, losses  # noqa: E402


def _notebook_cell(marker: str) -> str:
    """The source of the one code cell of lesson 05's parts that contains ``marker``."""
    notebooks = [json.loads((NOTEBOOKS / f"{part}.ipynb").read_text()) for part in PARTS]
    cells = ["".join(c["source"]) for nb in notebooks for c in nb["cells"] if c["cell_type"] == "code"]
    found = [c for c in cells if marker in c]
    assert len(found) == 1, f"{len(found)} code cells contain {marker!r}"
    return found[0]


class _ValueWithClosuresOnAList:
    """A Value written differently: local gradients stored per child, one generic backward step, an explicit stack."""

    def __init__(self, data, children=(), locals_=()):
        self.data, self.grad = float(data), 0.0
        self._children, self._locals = tuple(children), tuple(locals_)

    def _lift(self, other):
        return other if isinstance(other, _ValueWithClosuresOnAList) else _ValueWithClosuresOnAList(other)

    def __add__(self, other):
        other = self._lift(other)
        return _ValueWithClosuresOnAList(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = self._lift(other)
        return _ValueWithClosuresOnAList(self.data * other.data, (self, other), (other.data, self.data))

    def tanh(self):
        t = np.tanh(self.data)
        return _ValueWithClosuresOnAList(t, (self,), (1 - t * t,))

    def relu(self):
        return _ValueWithClosuresOnAList(max(self.data, 0.0), (self,), (float(self.data > 0),))

    def backward(self):
        # Kahn's algorithm on the reversed graph: a node is processed once every node reading it is done.
        readers, stack, seen = {}, [self], {id(self)}
        while stack:
            node = stack.pop()
            for child in node._children:
                readers[id(child)] = readers.get(id(child), 0) + 1
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        self.grad, ready = 1.0, [self]
        while ready:
            node = ready.pop()
            for child, local in zip(node._children, node._locals):
                child.grad += local * node.grad
                readers[id(child)] -= 1
                if readers[id(child)] == 0:
                    ready.append(child)


def _value_from_the_notebook():
    namespace = {"np": np}
    source = _notebook_cell('def backward(self):')
    exec(compile(source, "notebook answer", "exec"), namespace)
    return namespace["Value"]


def test_value_class_written_differently_and_the_notebooks_answer_pass():
    for cls in (_ValueWithClosuresOnAList, _value_from_the_notebook()):
        for seed in SEEDS:
            report = run_checks("value-class", cls, seed=seed)
            assert report.passed, report.message()


def test_value_reference_agrees_with_centred_differences_on_random_expressions():
    """An independent oracle for the reference: differentiate every case's expression numerically."""
    exercise = EXERCISES["value-class"]
    from nncourse.checks.backprop import _run_value

    for seed in range(3):
        for case in exercise.make_cases(np.random.default_rng(seed)):
            leaves, program = case.args
            if any(op == "relu" for op, *_ in program):
                continue  # kinks: centred differences are unreliable there (section 5)
            grads = _run_value((exercise.reference,), case)["grad"][: len(leaves)]

            def output(x, program=program):
                return float(_run_value((exercise.reference,), type(case)(case.name, (x, program)))["data"][-1])

            numeric = gradient_check.numerical_gradient(output, np.array(leaves, dtype=float))
            np.testing.assert_allclose(grads, numeric, rtol=1e-6, atol=1e-8, err_msg=case.name)


def test_value_worked_examples_by_hand():
    V = EXERCISES["value-class"].reference
    # L = x * x + 3x at x = 2: dL/dx = 2x + 3 = 7 (x is read three times)
    x = V(2.0)
    L = x * x + x * 3.0
    L.backward()
    assert (L.data, x.grad) == (10.0, 7.0)
    # relu at exactly 0 passes nothing (ReLU'(0) = 0); tanh'(0) = 1
    a = V(0.7)
    r = (a + a * -1.0).relu()
    r.backward()
    assert a.grad == 0.0
    w = V(0.5)
    t = (w * 2.0 + -1.0).tanh()
    t.backward()
    assert w.grad == 2.0


def _softmax_backward_by_jacobian(dP, P):
    return np.stack([dp @ (np.diag(p) - np.outer(p, p)) for dp, p in zip(dP, P)])


def _softmax_backward_einsum(dP, P):
    return P * dP - P * np.einsum("ij,ij->i", dP, P)[:, None]


def _sigmoid_bce_grad_by_tanh(z, y):
    # sigma(z) = (1 + tanh(z / 2)) / 2: no exponential, so nothing can overflow
    return ((1.0 + np.tanh(z / 2.0)) / 2.0 - y) / np.prod(z.shape)


def _two_layer_with_the_package(params, X, y):
    _, cache = layers.forward(params, X, activation="relu")
    return backprop.backward(losses.softmax_cross_entropy_grad(cache[-1].activation[0], y), cache)


def _linear_mse_by_loops(params, X, y):
    [(W, b)] = params
    dZ = 2.0 * (X @ W + b - y) / y.size
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for i in range(X.shape[0]):
        dW += np.outer(X[i], dZ[i])
        db += dZ[i]
    return [(dW, db)]


def _penalised_with_l2_grad(params, X, y, l2):
    from nncourse import regularization

    _, grads = backprop.loss_and_grads(params, X, y, activation="tanh")
    return [(dW + (regularization.l2_grad(W, l2) if l2 else 0.0), db) for (W, _), (dW, db) in zip(params, grads)]


@pytest.mark.parametrize("exercise_id, correct", [
    ("softmax-backward", _softmax_backward_by_jacobian),
    ("softmax-backward", _softmax_backward_einsum),
    ("sigmoid-bce-grad", _sigmoid_bce_grad_by_tanh),
    ("bug-two-layer", _two_layer_with_the_package),
    ("bug-linear-mse", _linear_mse_by_loops),
    ("bug-l2-penalty", _penalised_with_l2_grad),
])
def test_new_exercises_correct_answers_written_differently_pass(exercise_id, correct):
    for seed in SEEDS:
        report = run_checks(exercise_id, correct, seed=seed)
        assert report.passed, report.message()


@pytest.mark.parametrize("exercise_id, buggy, mistake", [
    ("bug-two-layer", "two_layer_grads_buggy", "transpose-still-missing"),
    ("bug-linear-mse", "linear_mse_grads_buggy", "db-still-averaged"),
    ("bug-l2-penalty", "penalised_grads_buggy", "penalty-overwrites-gradient"),
])
def test_the_notebooks_buggy_functions_are_the_unfixed_mistakes(exercise_id, buggy, mistake):
    """Handing in a buggy function unchanged gets the hint written for it (the notebook and the check agree)."""
    namespace = {"np": np, "losses": losses, "layers": layers, "backprop": backprop}
    exec(compile(_notebook_cell("def two_layer_grads_buggy"), "notebook", "exec"), namespace)
    for seed in SEEDS:
        report = run_checks(exercise_id, namespace[buggy], seed=seed)
        assert not report.passed and report.failures[0].diagnosis == mistake, report.message()


def test_softmax_backward_and_fused_gradients_by_hand():
    # P = softmax(2, 1, 0.1) = (0.6590, 0.2424, 0.0986); dP = (-1/0.6590, 0, 0): the sum of dP * P is -1, so
    # dZ = P * (dP + 1) = (0.6590 - 1, 0.2424, 0.0986) = (P - Y) / 1, the fused gradient (5.5)
    P = activations.softmax(np.array([[2.0, 1.0, 0.1]]))
    dZ = EXERCISES["softmax-backward"].reference(np.array([[-1.0 / P[0, 0], 0.0, 0.0]]), P)
    np.testing.assert_allclose(dZ, [[-0.340999, 0.242433, 0.098566]], atol=1e-6)
    # sigma(0.5) - 1 = 0.622459 - 1 = -0.377541 (the walkthrough's dL/dz2)
    np.testing.assert_allclose(EXERCISES["sigmoid-bce-grad"].reference(np.array([0.5]), np.array([1.0])),
                               [-0.377541], atol=1e-6)


def test_figure_1_the_clip_collapses_at_18_and_the_unclipped_route_turns_nan_at_354_9():
    """What lesson 05's Figure 1 and its text state, computed again from the package."""
    def routes(s):
        Z, y = np.array([[s, 0.0, -s]]), np.array([2])
        P = activations.softmax(Z)
        clipped = activations.softmax_backward(losses.cross_entropy_grad(P, y), P)[0, 2]
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            dP = -np.eye(3)[y] / P
            unclipped = (P * (dP - np.sum(dP * P, axis=1, keepdims=True)))[0, 2]
        return P[0, 2], clipped, unclipped

    eps = np.finfo(float).eps
    assert np.log(1 / eps) / 2 == pytest.approx(18.02, abs=0.01)
    p2, clipped, unclipped = routes(18.0)
    assert p2 > eps and clipped == pytest.approx(-1.0) and unclipped == pytest.approx(-1.0)
    p2, clipped, unclipped = routes(19.0)
    assert p2 < eps and abs(clipped) == pytest.approx(0.1414, abs=1e-4) and unclipped == pytest.approx(-1.0)
    assert abs(routes(40.0)[1]) < 1e-19
    # subnormal from s = 354.2 (P_2 below the smallest normal float) yet still right at 354.8 ...
    assert routes(354.1)[0] > np.finfo(float).tiny > routes(354.3)[0]
    assert routes(354.8)[2] == -1.0
    # ... and NaN from 354.9, where 1 / P_2 overflows
    assert routes(354.9)[0] < 1 / np.finfo(float).max and np.isnan(routes(354.9)[2])
    assert losses.softmax_cross_entropy_grad(np.array([[360.0, 0.0, -360.0]]), np.array([2]))[0, 2] == -1.0
