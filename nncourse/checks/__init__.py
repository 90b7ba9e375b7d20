"""Exercise checks: ``check(exercise_id, *objects)`` is what every check cell calls.

>>> from nncourse.checks import check
>>> check("relu", relu)          # doctest: +SKIP
relu: passed all 8 test cases.

On success one deterministic line is printed; on failure :class:`CheckFailed`
(an ``AssertionError``) says which case failed, expected versus got, and a hint
aimed at the mistake made. :data:`EXERCISES` lists every exercise of the course.
How a check works, and why grading repeats the judgement outside the learner's
kernel, is explained in :mod:`nncourse.checks._definitions`.
"""

from __future__ import annotations

from . import _exchange
from ._definitions import EXERCISES, Case, CheckFailed, Exercise, Mistake, get_exercise, register
from ._judging import Failure, Report, judge
from ._running import exercise_rng, run_student

# Each lesson's module registers its exercises on import, in course order.
from . import linear_algebra, activations, forward_pass, loss, backprop, gradient_descent, regularization, capstone  # noqa: E402,F401,I001

__all__ = ["check", "run_checks", "CheckFailed", "EXERCISES", "Exercise", "Case", "Mistake", "Report", "Failure",
           "get_exercise", "register", "judge", "exercise_rng", "set_result_sink"]

#: Grading only: ``set_result_sink(directory, seed)`` makes every check write its plain-data
#: outcomes to ``directory`` (see :mod:`nncourse.checks._exchange`); ``set_result_sink(None)`` stops.
#: The grader calls it in the kernel before the first cell; a notebook never does.
set_result_sink = _exchange.set_sink


def _validate_objects(exercise: Exercise, objects: tuple) -> None:
    if len(objects) != exercise.n_objects:
        what = "your function" if exercise.kind == "function" else "your class"
        raise TypeError(f"check({exercise.id!r}, ...) takes {exercise.n_objects} object(s) after the id "
                        f"({what}), got {len(objects)}")
    for obj in objects:
        if not callable(obj):
            raise CheckFailed(
                f"{exercise.id}: expected your {exercise.kind} itself, got {type(obj).__name__}.\n"
                f"  hint: pass the {exercise.kind} without calling it: check({exercise.id!r}, name), "
                "not check(..., name(...))", exercise_id=exercise.id)


def run_checks(exercise_id: str, *objects, seed: int | None = None) -> Report:
    """Run one exercise's cases on the learner's object(s); return the Report.

    ``seed=None`` draws fresh random inputs (a notebook); a seed makes the
    cases reproducible (the grader uses that to judge in its own process).
    When the grader has installed a result sink (:func:`set_result_sink`) for
    this seed, the plain-data outcomes also go there.
    """
    exercise = get_exercise(exercise_id)
    _validate_objects(exercise, objects)
    cases = exercise.make_cases(exercise_rng(exercise.id, seed))
    outcomes = [run_student(exercise, objects, case) for case in cases]
    sink = _exchange.current_sink()
    if sink is not None and seed == sink.seed:
        _exchange.dump(sink.directory, exercise.id, sink.seed, outcomes)
    return judge(exercise, cases, outcomes, objects=objects)


def check(exercise_id: str, *objects) -> None:
    """Check an exercise: print one line on success, raise CheckFailed otherwise.

    Parameters
    ----------
    exercise_id : str
        The exercise's id, as written in the check cell (``"relu"``).
    *objects
        The learner's function(s) or class, passed without calling them.
    """
    sink = _exchange.current_sink()
    report = run_checks(exercise_id, *objects, seed=sink.seed if sink is not None else None)
    if not report.passed:
        raise CheckFailed(report.message(), exercise_id=report.exercise_id, not_attempted=report.not_attempted)
    print(report.message())
