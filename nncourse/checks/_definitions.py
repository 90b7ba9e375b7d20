"""What an exercise is: its cases, its known mistakes, and the registry of all of them.

An exercise is checked in three steps, each in its own module:

1. ``make_cases(rng)`` (this module's :class:`Exercise`) builds the inputs:
   one case per property the statement promises (the worked example, float32
   in and out, a 0-d input, extreme rows such as ``[-1000, 0, 1000]``, ...),
   with fresh random numbers on every run so that a hard-coded answer cannot
   pass.
2. :mod:`._running` calls the learner's object(s) on each case and keeps only
   *plain data*: numeric arrays in tuples and dicts, the error raised, the
   warnings emitted and the case's data as it was afterwards.
3. :mod:`._judging` compares that plain data with the reference and, on a
   mismatch, names the most likely mistake (:mod:`._diagnosis`): a known wrong
   version of this exercise (a :class:`Mistake`) that reproduces the learner's
   output on every failing case, or a generic slip that is true of it (a sign,
   a factor, a transpose, a dtype, an input modified in place, ...).

In a notebook all three happen in the learner's kernel. When grading, step 2
happens in the kernel and the plain data is handed over
(:mod:`nncourse.checks._exchange`); steps 1 and 3 are repeated by the grader in
its own process, so patching anything inside the kernel cannot make a wrong
answer pass.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

#: Mistake ids are short kebab-case words: stable keys for reports and gradebooks.
MISTAKE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CheckFailed(AssertionError):
    """An exercise check failed; the message says which case, what and why.

    ``not_attempted`` is true when the answer still raises
    ``NotImplementedError`` (the stub the students' copies start with).
    """

    def __init__(self, message: str, *, exercise_id: str = "", not_attempted: bool = False):
        super().__init__(message)
        self.exercise_id = exercise_id
        self.not_attempted = not_attempted

    def _render_traceback_(self) -> list[str]:
        """The verdict as a panel, shown by IPython (JupyterLab, nbclient) in place of a traceback.

        The frames would all be the check's own (``nncourse/checks/...``), never
        the learner's, and would push expected / got / hint below the fold.
        """
        text = str(self)
        prefix = f"{self.exercise_id}: "
        if self.exercise_id and text.startswith(prefix):
            text = text[len(prefix):]
        name = self.exercise_id or "check"
        if self.not_attempted:
            title = f"\x1b[1;33m{name}: not attempted yet\x1b[0m"
            text = text.removeprefix("not attempted yet. ")
            footer = ("The rest of the lesson still runs: later cells that need this part use the course's "
                      "version of it.")
        else:
            title = f"\x1b[1;31m{name}: failed\x1b[0m"
            footer = "Change your answer cell, run it, then run this check again."
        body = []
        for line in text.splitlines():
            stripped = line.lstrip()
            if stripped.startswith("hint:"):
                line = line.replace("hint:", "\x1b[1mhint:\x1b[0m", 1)
            body.append("  " + line if not line.startswith("  ") else line)
        return [title, *body, "", footer]


@dataclass(frozen=True)
class Case:
    """One set of inputs for an exercise, named after the property it tests.

    ``name`` is shown to the learner and states the case's parameters
    ("float32 input: the result stays float32", "10 samples in batches of 4");
    ``args`` and ``kwargs`` are passed to the function under test (or to the
    exercise's ``run``); ``extreme`` marks inputs where overflow is the thing
    tested.
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    extreme: bool = False


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of an exercise and the hint it deserves.

    ``name`` is the mistake's id: short, kebab-case, unique within its
    exercise (``"sum-not-mean"``); reports and the class report key on it.
    ``implementation`` has the learner's signature (or is a tuple of objects
    when the exercise takes several). A learner gets ``hint`` only when this
    implementation reproduces the learner's output on *every* failing case.
    The mutation tests also require every mistake to fail its exercise's check.
    """

    name: str
    implementation: Any
    hint: str


@dataclass(frozen=True)
class Exercise:
    """An exercise: what the learner writes and how it is checked.

    Parameters
    ----------
    id : str
        Short, stable, unique across the course (``"relu"``, ``"dense-backward"``).
    lesson : str
        Notebook stem, e.g. ``"02a_activation_functions"``.
    title : str
        Shown in tables and reports.
    points : int
        Points in the gradebook (the notebook's check-cell metadata must agree).
    reference : callable or tuple of callables
        The package's version, with the learner's signature.
    make_cases : callable
        ``make_cases(rng) -> list[Case]``.
    mistakes : tuple of Mistake
        Known wrong versions with targeted hints (also the mutation suite).
    run : callable, optional
        ``run(objects, case) -> result``; how to use the learner's object(s)
        on a case. Default: ``objects[0](*case.args, **case.kwargs)``. Needed
        for classes (construct, step several times, return the states).
    output_names : tuple of str, optional
        Names of the parts of a tuple result (``("dX", "dW", "db")``).
    rtol, atol : float
        Tolerance of the comparison with the reference for float64 results;
        float32 results are compared at float32 precision
        (:func:`nncourse.checks._comparing.tolerance`).
    forbid_overflow : bool
        Fail when the learner's code overflows on a case marked ``extreme``,
        seen from a warning (which the learner's own ``np.errstate`` cannot
        silence during a check) or from an inf/NaN where the answer is finite.
    fresh_result : bool
        The statement asks for a *new* array: a result that is one of the
        arguments (or a view of one) fails.
    extra : callable, optional
        ``extra(case, result) -> str | None``: a further check on plain data
        (for example a numerical gradient check); returns a failure message.
    n_objects : int
        How many objects the check call takes after the exercise id.
    kind : str
        ``"function"`` or ``"class"``: what the learner passes.
    shrink : bool
        When an answer fails, look for the smallest input on which it differs
        (in the learner's kernel only; :mod:`._shrinking`). Exercises with a
        ``run`` hook are never cut down.
    value_hints : bool
        Allow the generic value hints (sign, factor, transpose). Off where the
        compared numbers are summaries (rounded ratios of a distribution), whose
        ratios mean nothing.
    """

    id: str
    lesson: str
    title: str
    points: int
    reference: Any
    make_cases: Callable[[np.random.Generator], list]
    mistakes: tuple = ()
    run: Callable | None = None
    output_names: tuple | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    forbid_overflow: bool = False
    fresh_result: bool = False
    extra: Callable | None = None
    n_objects: int = 1
    kind: str = "function"
    shrink: bool = True
    value_hints: bool = True

    def reference_objects(self) -> tuple:
        return self.reference if isinstance(self.reference, tuple) else (self.reference,)

    def mistake(self, name: str) -> Mistake:
        """The known mistake with this id."""
        for mistake in self.mistakes:
            if mistake.name == name:
                return mistake
        raise KeyError(f"exercise {self.id!r} has no mistake {name!r}")


#: Every exercise of the course, by id, in lesson order.
EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to :data:`EXERCISES`; ids must be unique, mistake ids too."""
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is already registered")
    if exercise.points <= 0:
        raise ValueError(f"exercise {exercise.id!r}: points must be positive, got {exercise.points}")
    names = [m.name for m in exercise.mistakes]
    bad = [n for n in names if not MISTAKE_ID.match(n)]
    if bad:
        raise ValueError(f"exercise {exercise.id!r}: mistake ids must be kebab-case, got {bad}")
    if len(set(names)) != len(names):
        raise ValueError(f"exercise {exercise.id!r}: two mistakes share an id")
    EXERCISES[exercise.id] = exercise
    return exercise


def get_exercise(exercise_id: str) -> Exercise:
    """Look up an exercise; an unknown id gets a suggestion."""
    if not isinstance(exercise_id, str):
        raise TypeError(f"exercise_id must be a string such as 'relu', got {type(exercise_id).__name__}")
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        close = difflib.get_close_matches(exercise_id, EXERCISES, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"unknown exercise_id {exercise_id!r}.{hint}") from None
