"""Lesson-specific tests of lesson 07's exercise checks (``nncourse/checks/regularization.py``).

Failure messages name the case; a blank early-stopping class that never stops
fails; the split is judged by its properties.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nncourse import regularization as reg
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

# Lesson 7's two parts and the exercises each one holds.
PARTS = {"07a_overfitting_and_l2": {"train-val-split", "l2-penalty", "l2-grad", "ridge-weights"},
         "07b_l1_dropout_early_stopping": {"l1-grad", "dropout-forward", "dropout-backward", "early-stopping"}}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FUNCTION_IDS = [i for i in IDS if EXERCISES[i].kind == "function"]


class _BlankEarlyStopping:
    """Has the interface, does nothing."""

    def __init__(self, patience=10, min_delta=0.0):
        self.best_loss, self.best_epoch, self.best_params = 0.0, 0, None

    def update(self, epoch, val_loss, params):
        return False


class _StubEarlyStopping:
    def __init__(self, patience=10, min_delta=0.0):
        raise NotImplementedError("early-stopping: replace this line with your code")


def test_lesson_has_at_least_five_exercises():
    assert set(IDS) == {"l2-penalty", "l2-grad", "l1-grad", "dropout-forward", "dropout-backward", "early-stopping",
                        "train-val-split", "ridge-weights"}
    assert EXERCISES["early-stopping"].kind == "class"
    assert {part: {e.id for e in EXERCISES.values() if e.lesson == part} for part in PARTS} == PARTS


@pytest.mark.parametrize("part", sorted(PARTS))
def test_each_part_holds_the_answer_and_check_cells_of_its_exercises(part):
    notebook = json.loads((NOTEBOOKS / f"{part}.ipynb").read_text())
    grade_ids = {c["metadata"].get("nbgrader", {}).get("grade_id") for c in notebook["cells"]}
    assert {i for i in IDS if i in grade_ids} == PARTS[part]
    assert {f"{i}-check" for i in IDS if f"{i}-check" in grade_ids} == {f"{i}-check" for i in PARTS[part]}


def test_class_stub_is_not_attempted():
    assert run_checks("early-stopping", _StubEarlyStopping, seed=0).not_attempted


def test_blank_class_fails():
    report = run_checks("early-stopping", _BlankEarlyStopping, seed=0)
    assert not report.passed and not report.not_attempted


def test_failure_names_the_case_and_shows_expected_and_got():
    with pytest.raises(CheckFailed) as info:
        check("l2-penalty", lambda params, l2: l2 * sum(np.sum(W**2) for W, _ in params))
    message = str(info.value)
    assert "case 'hand-worked: W=[[1, 2], [3, 0]], b=[5, 5], l2=0.1 (0.05 * 14 = 0.7)' failed" in message
    assert "wrong value: expected 0.7, got 1.4" in message  # 0.1 * 14 = 1.4


def test_dropout_check_passes_a_bool_mask_scaled_as_float():
    def dropout_forward(A, drop_prob, *, rng, training=True):
        if not training:
            return A.copy(), None
        mask = (rng.random(A.shape) >= drop_prob) / (1 - drop_prob)
        return A * mask, mask

    assert run_checks("dropout-forward", dropout_forward, seed=4).passed


def test_early_stopping_with_array_copies_passes():
    class EarlyStopping(reg.EarlyStopping):
        def update(self, epoch, val_loss, params):
            if val_loss < self.best_loss - self.min_delta:
                self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
                self.best_params = [(W.copy(), b.copy()) for W, b in params]
                return False
            self.bad_epochs += 1
            return self.bad_epochs >= self.patience

    assert run_checks("early-stopping", EarlyStopping, seed=0).passed


def test_check_rejects_a_called_class():
    with pytest.raises(CheckFailed, match="without calling it"):
        check("early-stopping", reg.EarlyStopping())


# --- ridge-weights (issue 13: derive the L2-penalised least-squares weights, then implement them) ---

def test_ridge_reference_zeroes_the_gradient_of_the_penalised_loss():
    from nncourse.checks.regularization import ridge_weights

    rng = np.random.default_rng(11)
    for n, n_in, l2 in ((20, 3, 0.1), (4, 6, 0.5), (50, 5, 2.0)):
        X, y = rng.standard_normal((n, n_in)), rng.standard_normal(n)
        w = ridge_weights(X, y, l2)
        gradient = 2.0 / n * X.T @ (X @ w - y) + reg.l2_grad(w, l2=l2)   # (1.18) + (7.3)
        np.testing.assert_allclose(gradient, 0.0, atol=1e-10)
        loss = np.mean((X @ w - y) ** 2) + 0.5 * l2 * np.sum(w**2)
        for _ in range(5):  # and it is a minimum: any nudge raises the loss
            v = w + 1e-3 * rng.standard_normal(n_in)
            assert np.mean((X @ v - y) ** 2) + 0.5 * l2 * np.sum(v**2) > loss
    # The hand check of the statement: the mean 2 of y = [1, 2, 3, 2], shrunk to 8 / 6.
    np.testing.assert_allclose(ridge_weights(np.ones((4, 1)), np.array([1.0, 2.0, 3.0, 2.0]), 1.0), [4 / 3])


def _ridge_inverse_of_the_mean_form(X, y, l2):
    # The zero-gradient equation kept in the mean's scale: ((2/n) X^T X + l2 I) w = (2/n) X^T y, inverted.
    n, n_in = X.shape
    return np.linalg.inv(2.0 / n * X.T @ X + l2 * np.eye(n_in)) @ (2.0 / n * X.T @ y)


def _ridge_augmented(X, y, l2):
    # Least squares on X stacked over sqrt(c) I, y over zeros: ||Xw - y||^2 + c ||w||^2.
    n, n_in = X.shape
    if l2 == 0:
        return np.linalg.lstsq(X, y, rcond=None)[0]
    X_aug = np.vstack([X, np.sqrt(0.5 * n * l2) * np.eye(n_in)])
    return np.linalg.lstsq(X_aug, np.concatenate([y, np.zeros(n_in)]), rcond=None)[0]


@pytest.mark.parametrize("correct", [_ridge_inverse_of_the_mean_form, _ridge_augmented],
                         ids=["inverse-in-the-mean-scale", "augmented-least-squares"])
def test_ridge_correct_answers_written_differently_pass(correct):
    for seed in range(3):
        report = run_checks("ridge-weights", correct, seed=seed)
        assert report.passed, report.message()


def test_ridge_the_statistics_convention_gets_the_hint_about_n():
    message = run_checks("ridge-weights", lambda X, y, l2: np.linalg.solve(X.T @ X + l2 * np.eye(X.shape[1]), X.T @ y),
                         seed=0).message()
    assert "expected 1.33333, got 1.6" in message and "n * l2 / 2 on the diagonal" in message
