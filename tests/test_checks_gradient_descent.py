"""Lesson-specific tests of lesson 06's exercise checks (``nncourse/checks/gradient_descent.py``).

Failure messages name the case and show expected versus got; particular
mistakes (in-place updates, ...) get their diagnosis.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import optim
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSON = "06_gradient_descent"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]


def test_lesson_has_at_least_five_exercises():
    assert len(IDS) >= 5
    assert set(IDS) == {"gd-step", "minibatches", "momentum-step", "rmsprop-step", "adam-step", "lr-schedule"}


def test_failure_names_the_case_and_shows_expected_and_got():
    with pytest.raises(CheckFailed) as info:
        check("gd-step", lambda theta, grad, lr: theta + lr * grad)
    message = str(info.value)
    assert "case 'hand-worked: theta=[1, -2], grad=[0.5, 0.5], lr=0.1 (theta_new = [0.95, -2.05])' failed" in message
    assert "expected" in message and "got" in message
    assert "0.95" in message and "1.05" in message  # expected 1 - 0.05, got 1 + 0.05


def test_in_place_update_is_diagnosed():
    def in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    report = run_checks("gd-step", in_place, seed=0)
    assert "modified its argument" in report.message()


def test_minibatches_accepts_a_generator_or_a_list():
    def as_list(n_samples, batch_size, *, rng, shuffle=True):
        return list(optim.minibatches(n_samples, batch_size, rng=rng, shuffle=shuffle))

    assert run_checks("minibatches", as_list, seed=3).passed


def test_adam_counter_after_use_reports_the_nan_of_the_first_step():
    mistake = next(m for m in EXERCISES["adam-step"].mistakes if m.name == "counter-incremented-after-use")
    message = run_checks("adam-step", mistake.implementation, seed=0).message()
    assert "inf or NaN" in message and mistake.hint in message


def test_cases_differ_between_runs():
    exercise = EXERCISES["momentum-step"]
    a = exercise.make_cases(np.random.default_rng(1))
    b = exercise.make_cases(np.random.default_rng(2))
    assert not np.array_equal(a[2].args[0], b[2].args[0])
