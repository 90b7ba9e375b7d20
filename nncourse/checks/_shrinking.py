"""The smallest input on which a failing answer still fails, found with Hypothesis's shrinker.

A failing case is often a random ``(6, 4)`` matrix; what a learner needs is
the one number that goes wrong: ``relu(array([-1.])) returned array([1.]);
expected array([0.])``. When an answer fails, the kernel (never the grader:
it has no learner code to run) asks Hypothesis for the smallest input cut
from the failing case on which the answer still fails the same judgement
(:func:`nncourse.checks._judging.failed_on`): every axis keeps a subset of its
indices (axes of equal length keep the same subset, so that shapes that fit
keep fitting), and every float entry may be replaced by a simpler number
(0, 1, -1, 2, ... or the original). Hypothesis shrinks towards fewer indices
and simpler numbers; its search is derandomised (the same failure gives the
same example), keeps no database, and is cut short after a fixed budget of
calls. The judgement itself stays on the fixed, seeded cases: this only adds
a line to the message.

Hypothesis is imported here, and this module only when a check fails, so that
``import nncourse`` stays light.
"""

from __future__ import annotations

import tempfile
import time

import numpy as np

from ._comparing import array_text
from ._definitions import Case, Exercise
from ._running import Raised, reference_result, run_student

#: Simpler numbers an entry may be replaced by, simplest first (Hypothesis shrinks towards the front).
SIMPLE = (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 10.0, -10.0, 1000.0, -1000.0)
#: At most this many generated inputs, and this many calls of the learner's code in all (shrinking
#: included), per search. Counted, not timed, so the message a failing check prints is the same on a
#: busy machine as on an idle one (notebooks compare it under nbval, and the grader's canary too).
MAX_EXAMPLES = 150
MAX_CALLS = 400
#: A safety net for a pathologically slow answer only: a search stops after this many seconds. Any
#: answer that gets anywhere near it is far slower than any exercise's reference (milliseconds).
TIME_BUDGET = 60.0


def _array_slots(case: Case) -> list | None:
    """``(path, array)`` for every array in the case's arguments, or None when the case cannot be cut down."""
    slots = _arrays(case)
    return slots if slots and any(a.size > 1 for _, a in slots) else None


def _arrays(case: Case) -> list | None:
    slots = []

    def walk(value, path):
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biuf":
                return False
            slots.append((path, value))
            return True
        if isinstance(value, list):
            return not any(isinstance(v, (np.ndarray, list, tuple)) for v in value)
        if isinstance(value, tuple):
            return all(walk(v, path + (i,)) for i, v in enumerate(value))
        return not callable(value)

    ok = all(walk(a, (i,)) for i, a in enumerate(case.args)) and all(
        not isinstance(v, (np.ndarray, list, tuple)) and not callable(v) for v in case.kwargs.values())
    return slots if ok else None


def _replace(value, path, new):
    if not path:
        return new
    items = list(value)
    items[path[0]] = _replace(items[path[0]], path[1:], new)
    return tuple(items)


def _candidates(case: Case, slots: list):
    from hypothesis import strategies as st

    sizes = sorted({s for _, a in slots for s in a.shape})

    @st.composite
    def cut(draw):
        keep = {s: sorted(draw(st.lists(st.integers(0, s - 1), min_size=1, max_size=s, unique=True)))
                for s in sizes}
        args = case.args
        for path, a in slots:
            part = a[np.ix_(*[keep[s] for s in a.shape])] if a.ndim else a.copy()
            if a.dtype.kind == "f":
                simpler = [draw(st.sampled_from(SIMPLE + (float(v),))) for v in part.ravel()]
                part = np.array(simpler, dtype=a.dtype).reshape(part.shape)
            args = _replace(args, path, part.copy())
        return Case(case.name, args, dict(case.kwargs), case.extreme)

    return cut()


def _fails(exercise: Exercise, objects: tuple, candidate: Case) -> bool:
    from ._judging import failed_on

    try:
        reference_result(exercise, candidate)
    except Exception:  # noqa: BLE001 - an input the reference refuses is not a valid input
        return False
    return failed_on(exercise, candidate, run_student(exercise, objects, candidate))


def _value_text(value) -> str:
    if isinstance(value, Raised):
        return f"raised {value.type_name}: {value.message}"  # where it was raised is shown once, above
    if isinstance(value, tuple):
        return "(" + ", ".join(_value_text(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return array_text(value)
        text = " ".join(array_text(value).split())
        dtype = "" if value.dtype in (np.float64, np.int64, np.bool_) else f", dtype={value.dtype}"
        return f"array({text}{dtype})"
    return repr(value)


def _call_text(name: str, case: Case) -> str:
    def arg(value):
        if isinstance(value, np.ndarray):
            return _value_text(value)
        if isinstance(value, tuple):
            return "(" + ", ".join(arg(v) for v in value) + ("," if len(value) == 1 else "") + ")"
        return repr(value)

    parts = [arg(a) for a in case.args] + [f"{k}={arg(v)}" for k, v in case.kwargs.items()]
    return f"{name}({', '.join(parts)})"


def smallest_failing_input(exercise: Exercise, objects: tuple, case: Case) -> str | None:
    """"f(smallest input) returned X; expected Y", or None when the case cannot be cut down or nothing fails."""
    slots = _array_slots(case) if exercise.run is None and exercise.kind == "function" else None
    if not slots:
        return None
    from hypothesis import HealthCheck, Phase, Verbosity, find, settings
    from hypothesis.errors import NoSuchExample

    from hypothesis import configuration

    started = time.monotonic()
    calls = 0

    def still_fails(candidate):
        nonlocal calls
        calls += 1
        return (calls <= MAX_CALLS and time.monotonic() - started < TIME_BUDGET
                and _fails(exercise, objects, candidate))

    # Hypothesis caches what it learns in a ".hypothesis" folder of the working directory; a failing
    # check must leave nothing in the learner's workspace, so its home is a temporary folder for the
    # duration of the search (and whatever it was before afterwards).
    previous_home = vars(configuration).get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="nncourse-shrink-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            smallest = find(_candidates(case, slots), still_fails, settings=settings(
                max_examples=MAX_EXAMPLES, database=None, derandomize=True, deadline=None,
                verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck),
                phases=(Phase.generate, Phase.shrink)))
        except NoSuchExample:
            return None
        except Exception:  # noqa: BLE001 - a hint must never break a check
            return None
        finally:
            configuration.set_hypothesis_home_dir(previous_home)
    if sum(a.size for _, a in _arrays(smallest)) >= sum(a.size for _, a in slots):
        return None  # nothing smaller than the case itself
    from ._judging import evaluate

    name = getattr(objects[0], "__name__", exercise.id)
    outcome = run_student(exercise, objects, smallest)
    expected = reference_result(exercise, smallest)
    verdict = evaluate(exercise, smallest, expected, outcome)
    if verdict is not None and verdict.mismatch is None and not isinstance(outcome.result, Raised):
        # Not a matter of values (an argument changed, an overflow, a dtype): say what happened.
        return f"{_call_text(name, smallest)}: {verdict.reason.splitlines()[0]}"
    verb = "" if isinstance(outcome.result, Raised) else "returned "
    return f"{_call_text(name, smallest)} {verb}{_value_text(outcome.result)}; expected {_value_text(expected)}"
