"""Lesson-specific tests of the lesson 01 exercise checks (and lesson 00's warm-up).

Correct answers written another way pass, and ``affine`` must refuse the shapes
numpy would broadcast silently.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSONS = ("00_start_here", "01a_vectors_and_matrices", "01b_broadcasting_and_gradients")
IDS = [e.id for e in EXERCISES.values() if e.lesson in LESSONS]


def test_lessons_have_their_exercises():
    assert IDS == ["centre", "dot-loop", "matmul-loop", "affine", "norms", "row-normalise", "grad-quadratic",
                   "grad-least-squares", "grad-norm"]
    assert EXERCISES["centre"].lesson == "00_start_here"
    # Lesson 01 comes in two parts; each exercise belongs to the part that asks it.
    assert {i: EXERCISES[i].lesson for i in IDS[1:]} == {
        **dict.fromkeys(["dot-loop", "matmul-loop", "affine", "norms"], "01a_vectors_and_matrices"),
        **dict.fromkeys(["row-normalise", "grad-quadratic", "grad-least-squares", "grad-norm"],
                        "01b_broadcasting_and_gradients")}
    assert all(len(EXERCISES[i].mistakes) >= 3 for i in IDS)
    assert {i: EXERCISES[i].points for i in IDS} == {
        "centre": 1, "dot-loop": 1, "matmul-loop": 2, "affine": 2, "norms": 2, "row-normalise": 2,
        "grad-quadratic": 3, "grad-least-squares": 3, "grad-norm": 2}


def test_failure_names_the_case_and_shows_expected_and_got():
    message = run_checks("grad-quadratic", lambda A, x: 2.0 * A @ x, seed=0).message()
    assert message.startswith("grad-quadratic: case 'the worked example A = [[1, 2], [0, 3]], x = [1, 1]' failed: "
                              "wrong values at index (0,), the first of 2 wrong entries (of 2): expected 4, got 6")
    # (A + A^T) x = [[2, 2], [2, 6]] @ [1, 1] = [4, 8]; 2Ax = 2 [3, 3] = [6, 6]
    assert "expected (shape (2,), float64): [4., 8.]" in message
    assert "got      (shape (2,), float64): [6., 6.]" in message


def test_passing_the_result_instead_of_the_function_is_explained():
    with pytest.raises(CheckFailed, match="pass the function without calling it"):
        check("dot-loop", 32.0)


# --- correct answers written another way pass ---

def _dot_while(a, b):
    total, i = 0.0, 0
    while i < len(a):
        total = total + a[i] * b[i]
        i += 1
    return total


def _matmul_rows_times_columns(A, B):
    out = np.empty((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for k in range(B.shape[1]):
            out[i, k] = sum(A[i, j] * B[j, k] for j in range(A.shape[1]))
    return out


def _affine_own_messages(X, W, b):
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got {X.shape}")
    if W.ndim != 2 or W.shape[0] != X.shape[1]:
        raise ValueError(f"W must be ({X.shape[1]}, n_out), got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must be ({W.shape[1]},), got {b.shape}")
    return np.einsum("ni,io->no", X, W) + b


def _norm_numpy(x, kind="l2"):
    order = {"l1": 1, "l2": 2, "fro": "fro"}[kind]
    return np.linalg.norm(x, order)


@pytest.mark.parametrize("exercise_id, correct", [
    ("centre", lambda x: x - x.sum() / x.size),
    ("dot-loop", _dot_while),
    ("dot-loop", lambda a, b: np.sum(a * b)),
    ("matmul-loop", _matmul_rows_times_columns),
    ("affine", _affine_own_messages),
    ("norms", _norm_numpy),
    ("row-normalise", lambda X: X / np.linalg.norm(X, axis=1, keepdims=True)),
    ("row-normalise", lambda X: X / np.sqrt((X ** 2).sum(axis=1))[:, None]),
    ("grad-quadratic", lambda A, x: A @ x + A.T @ x),
    ("grad-least-squares", lambda w, X, y: 2.0 * np.mean(X * (X @ w - y)[:, None], axis=0)),
])
def test_correct_answers_written_differently_pass(exercise_id, correct):
    for seed in range(10):
        report = run_checks(exercise_id, correct, seed=seed)
        assert report.passed, report.message()


# --- affine: shape validation is part of the exercise ---

def test_affine_that_raises_the_wrong_error_type_is_told_so():
    def affine_type_error(X, W, b):
        if np.ndim(X) != 2 or np.shape(X)[1] != np.shape(W)[0] or np.shape(b) != (np.shape(W)[1],):
            raise TypeError("bad shapes")
        return X @ W + b

    report = run_checks("affine", affine_type_error, seed=0)
    assert "must raise ValueError naming X' failed: 'raises ValueError': wrong value: expected True, got False" \
        in report.message()
    assert report.diagnoses[0] == "wrong-exception-type"


def test_affine_silent_broadcast_of_a_column_bias_is_caught():
    def affine_checks_x(X, W, b):
        if np.ndim(X) != 2 or X.shape[1] != W.shape[0]:
            raise ValueError("X does not fit W")
        return X @ W + b

    # (3, 3) + (3, 1) broadcasts to a wrong (3, 3) without any error from numpy.
    message = run_checks("affine", affine_checks_x, seed=0).message()
    assert message.startswith("affine: case 'b of shape (3, 1) instead of (3,) must raise ValueError naming b' failed")
    assert "b.shape == (W.shape[1],)" in message


def test_the_bad_shape_cases_really_broadcast_without_validation():
    # If numpy ever refused these, the validation cases would test nothing.
    cases = [c for c in EXERCISES["affine"].make_cases(np.random.default_rng(0)) if c.kwargs.get("culprit")]
    silent = 0
    for case in cases:
        X, W, b = case.args
        try:
            X @ W + b
            silent += 1
        except ValueError:
            pass
    assert silent == 3 and len(cases) == 4


def test_row_normalise_results_have_unit_rows():
    from nncourse.checks.linear_algebra import normalise_rows

    X = np.array([[3.0, 4.0], [1.0, 0.0]])
    # rows divided by 5 and 1: [[0.6, 0.8], [1, 0]]
    np.testing.assert_allclose(normalise_rows(X), [[0.6, 0.8], [1.0, 0.0]])
    X = np.random.default_rng(1).normal(size=(6, 3))
    np.testing.assert_allclose(np.linalg.norm(normalise_rows(X), axis=1), np.ones(6))


def test_gradient_references_agree_with_centred_differences():
    from nncourse.checks.linear_algebra import grad_least_squares, grad_quadratic

    rng = np.random.default_rng(2)
    A, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    X, y, w = rng.normal(size=(9, 4)), rng.normal(size=9), rng.normal(size=4)

    def numeric(f, v, h=1e-5):
        g = np.zeros_like(v)
        for i in range(v.size):
            e = np.zeros_like(v)
            e[i] = h
            g[i] = (f(v + e) - f(v - e)) / (2 * h)
        return g

    def rel(a, n):
        return np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-300))

    assert rel(grad_quadratic(A, x), numeric(lambda v: v @ A @ v, x)) < 1e-7
    assert rel(grad_least_squares(w, X, y), numeric(lambda v: np.mean((X @ v - y) ** 2), w)) < 1e-7
    # negative control: the symmetric-only formula 2Ax is visibly wrong for this A
    assert rel(2 * A @ x, numeric(lambda v: v @ A @ v, x)) > 1e-4


# --- grad-norm (issue 13: derive, then implement) ---

@pytest.mark.parametrize("correct", [
    lambda x: x / np.linalg.norm(x),
    lambda x: x / np.sqrt(np.sum(x ** 2)),
    lambda x: 0.5 / np.sqrt(x @ x) * 2.0 * x,          # the chain rule written out, factor by factor
])
def test_grad_norm_correct_answers_written_differently_pass(correct):
    for seed in range(10):
        report = run_checks("grad-norm", correct, seed=seed)
        assert report.passed, report.message()


def test_grad_norm_reference_is_the_worked_example_and_agrees_with_centred_differences():
    from nncourse.checks.linear_algebra import grad_norm

    # ||(3, -4)|| = 5, so the gradient is (3, -4) / 5 = (0.6, -0.8), a unit vector.
    np.testing.assert_allclose(grad_norm(np.array([3.0, -4.0])), [0.6, -0.8])
    x = np.random.default_rng(3).normal(size=6)
    h = 1e-5
    numeric = np.array([(np.linalg.norm(x + h * e) - np.linalg.norm(x - h * e)) / (2 * h) for e in np.eye(6)])
    assert np.max(np.abs(grad_norm(x) - numeric)) < 1e-9
    assert np.max(np.abs(2 * x - numeric)) > 1e-2   # negative control: the squared length's gradient is wrong


def test_grad_norm_squared_length_mistake_gets_the_chain_rule_hint():
    message = run_checks("grad-norm", lambda x: 2.0 * x, seed=0).message()
    assert message.startswith("grad-norm: case 'the worked example x = [3, -4]' failed: "
                              "wrong values at index (0,), the first of 2 wrong entries (of 2): expected 0.6, got 6")
    assert "gradient of the *squared* length" in message
