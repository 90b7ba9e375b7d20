"""The mutation suite: every exercise of the course against its reference and its known mistakes.

For each registered exercise (``nncourse.checks.EXERCISES``):

* the reference passes, on fresh random cases and on several seeds, and the
  success output is exactly one line;
* every known wrong version (``Mistake``) fails **and** gets its own hint;
* the students' stub (``raise NotImplementedError``) is "not attempted";
* blank answers (returning ``None``, or zeros of the right shape) fail;
* judging through the grading hand-over (plain data written to disk and read
  back, as ``nncourse grade`` does) gives the same verdict as in the kernel.

Lesson-specific behaviour (hand-worked cases, correct answers written
differently, particular hints) is tested in ``tests/test_checks_<lesson>.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse.checks import EXERCISES, CheckFailed, check, run_checks
from nncourse.checks import _core, _exchange

SEEDS = (0, 1, 2)
IDS = list(EXERCISES)
MISTAKES = [(e.id, m) for e in EXERCISES.values() for m in e.mistakes]
FUNCTIONS = [e.id for e in EXERCISES.values() if e.kind == "function" and e.n_objects == 1]


def _objects(implementation) -> tuple:
    return implementation if isinstance(implementation, tuple) else (implementation,)


def _zeros_like(value):
    """A blank answer with the reference's structure: every number replaced by 0."""
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, tuple):
        return tuple(_zeros_like(v) for v in value)
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, list) or hasattr(value, "__next__"):  # lists, and generators (mini-batches)
        return [_zeros_like(v) for v in value]
    if callable(value):  # a schedule
        return lambda *args, **kwargs: 0.0
    return type(value)(0)


def test_every_lesson_has_at_least_five_exercises():
    per_lesson = {}
    for exercise in EXERCISES.values():
        per_lesson.setdefault(exercise.lesson, []).append(exercise.id)
    short = {lesson: ids for lesson, ids in per_lesson.items()
             if len(ids) < (3 if lesson.startswith("08") else 5) and not lesson.startswith("00")}
    assert not short, f"lessons with too few exercises: {short}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_known_mistakes_with_distinct_hints(exercise_id):
    hints = [m.hint for m in EXERCISES[exercise_id].mistakes]
    assert len(hints) >= 3, f"{exercise_id}: needs at least three known mistakes with hints"
    assert len(set(hints)) == len(hints), f"{exercise_id}: two mistakes share a hint"


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", [None, *SEEDS])
def test_reference_passes(exercise_id, seed):
    exercise = EXERCISES[exercise_id]
    report = run_checks(exercise_id, *exercise.reference_objects(), seed=seed)
    assert report.passed, report.message()


@pytest.mark.parametrize("exercise_id", IDS)
def test_success_prints_exactly_one_line(exercise_id, capsys):
    exercise = EXERCISES[exercise_id]
    check(exercise_id, *exercise.reference_objects())
    n_cases = len(exercise.make_cases(np.random.default_rng(0)))
    assert capsys.readouterr().out == f"{exercise_id}: passed all {n_cases} test cases.\n"


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{i}:{m.name}" for i, m in MISTAKES])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_mistake_fails_with_its_own_hint(exercise_id, mistake, seed):
    report = run_checks(exercise_id, *_objects(mistake.implementation), seed=seed)
    assert not report.passed, f"the mistake {mistake.name!r} passed the check"
    message = report.message()
    assert message.startswith(f"{exercise_id}: case '"), message
    assert mistake.hint in message, message


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_students_stub_is_not_attempted(exercise_id):
    exercise = EXERCISES[exercise_id]

    def stub_function(*args, **kwargs):
        raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    class StubClass:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    stub = stub_function if exercise.kind == "function" else StubClass
    with pytest.raises(CheckFailed) as info:
        check(exercise_id, *([stub] * exercise.n_objects))
    assert info.value.not_attempted and "not attempted yet" in str(info.value)


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_blank_answers_fail(exercise_id):
    reference = EXERCISES[exercise_id].reference

    def returns_none(*args, **kwargs):
        return None

    def returns_zeros(*args, **kwargs):
        return _zeros_like(reference(*args, **kwargs))

    for blank in (returns_none, returns_zeros):
        report = run_checks(exercise_id, blank, seed=0)
        assert not report.passed and not report.not_attempted, f"{blank.__name__} passed {exercise_id}"
    if EXERCISES[exercise_id].run is None:  # a custom run hook may use the result before it is judged
        assert "returned None" in run_checks(exercise_id, returns_none, seed=0).message()


@pytest.mark.parametrize("exercise_id", IDS)
def test_grading_hand_over_gives_the_kernels_verdict(exercise_id, tmp_path, monkeypatch):
    """The grader judges what a grading kernel wrote to disk; it must agree with the kernel."""
    exercise = EXERCISES[exercise_id]
    seed = 4242
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, seed))
    candidates = [exercise.reference_objects()] + [_objects(m.implementation) for m in exercise.mistakes[:2]]
    for objects in candidates:
        in_kernel = run_checks(exercise_id, *objects, seed=seed)
        cases = exercise.make_cases(_core.exercise_rng(exercise_id, seed))
        outcomes = _exchange.load(tmp_path, exercise_id, seed, len(cases))
        in_grader = _core.judge(exercise, cases, outcomes)
        assert (in_grader.passed, in_grader.message()) == (in_kernel.passed, in_kernel.message())
