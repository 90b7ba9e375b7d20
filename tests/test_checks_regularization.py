"""Mutation tests of lesson 07's exercise checks (``nncourse/checks/regularization.py``).

For every exercise: the reference passes; every known mistake fails and gets
its own hint; a ``NotImplementedError`` stub is "not attempted"; blank answers
(None, zeros of the right shape, a class that never stops) fail; a failure
names the case and shows expected versus got.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import regularization as reg
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSON = "07_regularization"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]
FUNCTION_IDS = [i for i in IDS if EXERCISES[i].kind == "function"]
MISTAKES = [(e.id, m) for e in EXERCISES.values() if e.lesson == LESSON for m in e.mistakes]
SEEDS = (0, 1, 2)


def _zeros_like(value):
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, tuple):
        return tuple(_zeros_like(v) for v in value)
    if value is None:
        return None
    return 0.0


def _blank_zeros(exercise_id):
    reference = EXERCISES[exercise_id].reference
    return lambda *args, **kwargs: _zeros_like(reference(*args, **kwargs))


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


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_passes(exercise_id, seed):
    report = run_checks(exercise_id, *EXERCISES[exercise_id].reference_objects(), seed=seed)
    assert report.passed, report.message()
    assert report.n_cases >= 5


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes_with_fresh_random_cases(exercise_id, capsys):
    check(exercise_id, *EXERCISES[exercise_id].reference_objects())
    out = capsys.readouterr().out
    assert out.startswith(f"{exercise_id}: passed all ") and out.endswith(" test cases.\n")
    assert out.count("\n") == 1


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{i}-{m.name}" for i, m in MISTAKES])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_mistake_fails_with_its_own_hint(exercise_id, mistake, seed):
    report = run_checks(exercise_id, mistake.implementation, seed=seed)
    assert not report.passed
    assert mistake.hint in report.message(), report.message()


def test_mistake_hints_are_distinct():
    for exercise_id in IDS:
        hints = [m.hint for m in EXERCISES[exercise_id].mistakes]
        assert len(hints) == len(set(hints)) >= 3


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_not_implemented_stub_is_not_attempted(exercise_id):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    assert run_checks(exercise_id, stub, seed=0).not_attempted
    with pytest.raises(CheckFailed, match="not attempted yet") as info:
        check(exercise_id, stub)
    assert info.value.not_attempted


def test_class_stub_is_not_attempted():
    assert run_checks("early-stopping", _StubEarlyStopping, seed=0).not_attempted


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_blank_answers_fail(exercise_id):
    def returns_none(*args, **kwargs):
        return None

    for blank in (returns_none, _blank_zeros(exercise_id)):
        report = run_checks(exercise_id, blank, seed=0)
        assert not report.passed and not report.not_attempted, exercise_id


def test_blank_class_fails():
    report = run_checks("early-stopping", _BlankEarlyStopping, seed=0)
    assert not report.passed and not report.not_attempted


def test_failure_names_the_case_and_shows_expected_and_got():
    with pytest.raises(CheckFailed) as info:
        check("l2-penalty", lambda params, l2: l2 * sum(np.sum(W**2) for W, _ in params))
    message = str(info.value)
    assert "case 'hand-worked: W=[[1, 2], [3, 0]], b=[5, 5], l2=0.1 (0.05 * 14 = 0.7)' failed" in message
    assert "expected: 0.7" in message and "got:      1.4" in message  # 0.1 * 14 = 1.4


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
