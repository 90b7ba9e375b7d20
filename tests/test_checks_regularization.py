"""Lesson-specific tests of lesson 07's exercise checks (``nncourse/checks/regularization.py``).

Failure messages name the case; a blank early-stopping class that never stops
fails; the split is judged by its properties.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import regularization as reg
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSON = "07_regularization"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]
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
                        "train-val-split"}
    assert EXERCISES["early-stopping"].kind == "class"


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
