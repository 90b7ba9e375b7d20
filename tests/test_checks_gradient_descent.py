"""Mutation tests of lesson 06's exercise checks (``nncourse/checks/gradient_descent.py``).

For every exercise: the reference passes; every known mistake fails and gets
its own hint; a ``NotImplementedError`` stub is "not attempted"; blank answers
(None, zeros of the right shape) fail; a failure names the case and shows
expected versus got.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import optim
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSON = "06_gradient_descent"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]
MISTAKES = [(e.id, m) for e in EXERCISES.values() if e.lesson == LESSON for m in e.mistakes]
SEEDS = (0, 1, 2)


def _zeros_like(value):
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, tuple):
        return tuple(_zeros_like(v) for v in value)
    if isinstance(value, list):
        return [_zeros_like(v) for v in value]
    if callable(value):
        return lambda *args, **kwargs: 0.0
    if isinstance(value, int):
        return 0
    return 0.0


def _blank_zeros(exercise_id):
    reference = EXERCISES[exercise_id].reference

    def blank(*args, **kwargs):
        result = reference(*args, **kwargs)
        if exercise_id == "minibatches":
            result = list(result)
        return _zeros_like(result)

    return blank


def test_lesson_has_at_least_five_exercises():
    assert len(IDS) >= 5
    assert set(IDS) == {"gd-step", "minibatches", "momentum-step", "rmsprop-step", "adam-step", "lr-schedule"}


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


@pytest.mark.parametrize("exercise_id", IDS)
def test_not_implemented_stub_is_not_attempted(exercise_id):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    report = run_checks(exercise_id, stub, seed=0)
    assert report.not_attempted
    with pytest.raises(CheckFailed, match="not attempted yet") as info:
        check(exercise_id, stub)
    assert info.value.not_attempted


@pytest.mark.parametrize("exercise_id", IDS)
def test_blank_answers_fail(exercise_id):
    def returns_none(*args, **kwargs):
        return None

    for blank in (returns_none, _blank_zeros(exercise_id)):
        report = run_checks(exercise_id, blank, seed=0)
        assert not report.passed and not report.not_attempted, exercise_id


def test_failure_names_the_case_and_shows_expected_and_got():
    with pytest.raises(CheckFailed) as info:
        check("gd-step", lambda theta, grad, lr: theta + lr * grad)
    message = str(info.value)
    assert "case 'hand-worked: theta=[1, -2], grad=[0.5, 0.5], lr=0.1' failed" in message
    assert "expected" in message and "got" in message
    assert "0.95" in message and "1.05" in message  # expected 1 - 0.05, got 1 + 0.05


def test_in_place_update_is_diagnosed():
    def in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    report = run_checks("gd-step", in_place, seed=0)
    assert "modified its input array in place" in report.message()


def test_minibatches_accepts_a_generator_or_a_list():
    def as_list(n_samples, batch_size, *, rng, shuffle=True):
        return list(optim.minibatches(n_samples, batch_size, rng=rng, shuffle=shuffle))

    assert run_checks("minibatches", as_list, seed=3).passed


def test_adam_counter_after_use_reports_the_nan_of_the_first_step():
    mistake = next(m for m in EXERCISES["adam-step"].mistakes if m.name == "counter incremented after use")
    message = run_checks("adam-step", mistake.implementation, seed=0).message()
    assert "inf or NaN" in message and mistake.hint in message


def test_cases_differ_between_runs():
    exercise = EXERCISES["momentum-step"]
    a = exercise.make_cases(np.random.default_rng(1))
    b = exercise.make_cases(np.random.default_rng(2))
    assert not np.array_equal(a[2].args[0], b[2].args[0])
