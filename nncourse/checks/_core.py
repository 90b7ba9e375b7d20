"""The machinery behind every exercise check: cases, running, comparing, hints.

An exercise is checked in three steps that are kept apart on purpose:

1. ``make_cases(rng)`` builds the inputs (ordinary values, edge cases, extreme
   inputs, several shapes; fresh random numbers on every run, so a hard-coded
   answer cannot pass).
2. :func:`run_student` calls the learner's object(s) on each case and turns
   whatever came back into *plain data* (:func:`to_plain`): numeric numpy
   arrays in tuples and dicts, the error it raised, the warnings it emitted and
   the case's array inputs as they were afterwards. Nothing of the learner's
   objects survives this step.
3. :func:`evaluate` compares that plain data with the reference on the same
   case and, on a mismatch, looks for the most likely mistake: a known wrong
   version of this exercise that gives the same numbers, or a generic slip
   (wrong sign, off by a factor, transposed, ``(n,)`` versus ``(n, 1)``,
   overflow, input modified, a global used instead of the argument).

In a notebook all three happen in the learner's kernel. When grading, step 2
happens in the kernel and the plain data is written to disk
(:mod:`nncourse.checks._exchange`); steps 1 and 3 are repeated by the grader in
its own process, so patching anything inside the kernel cannot make a wrong
answer pass.

This module holds no exercise; the lesson modules next to it define them.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

#: Largest number of array elements a learner's result may have.
MAX_RESULT_ELEMENTS = 2_000_000


class CheckFailed(AssertionError):
    """An exercise check failed; the message says which case, what and why.

    ``not_attempted`` is true when the answer still raises
    ``NotImplementedError`` (the stub the students' copies start with).
    """

    def __init__(self, message: str, *, exercise_id: str = "", not_attempted: bool = False):
        super().__init__(message)
        self.exercise_id = exercise_id
        self.not_attempted = not_attempted


# --------------------------------------------------------------------------- #
# Definitions
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Case:
    """One set of inputs for an exercise.

    ``name`` is shown to the learner ("large negative inputs"); ``args`` and
    ``kwargs`` are passed to the function under test (or to the exercise's
    ``run``); ``extreme`` marks inputs where overflow is the thing tested.
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    extreme: bool = False


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of an exercise and the hint it deserves.

    ``implementation`` has the learner's signature (or is a tuple of objects
    when the exercise takes several). If a learner's result matches what this
    implementation returns on a failing case, the learner gets ``hint``. The
    mutation tests also require every mistake to fail its exercise's check.
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
        Notebook stem, e.g. ``"02_activations"``.
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
        Tolerance of the comparison with the reference.
    forbid_overflow : bool
        Fail when the learner's code emits an overflow warning on a case
        marked ``extreme`` (the stable-sigmoid and softmax exercises).
    extra : callable, optional
        ``extra(case, result) -> str | None``: a further check on plain data
        (for example a numerical gradient check); returns a failure message.
    n_objects : int
        How many objects the check call takes after the exercise id.
    kind : str
        ``"function"`` or ``"class"``: what the learner passes.
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
    extra: Callable | None = None
    n_objects: int = 1
    kind: str = "function"

    def reference_objects(self) -> tuple:
        return self.reference if isinstance(self.reference, tuple) else (self.reference,)


#: Every exercise of the course, by id, in lesson order.
EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to :data:`EXERCISES`; ids must be unique."""
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise id {exercise.id!r} is already registered")
    if exercise.points <= 0:
        raise ValueError(f"exercise {exercise.id!r}: points must be positive, got {exercise.points}")
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


# --------------------------------------------------------------------------- #
# Plain data
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Unsupported:
    """A result that is not plain numeric data (a generator, a string, ...)."""

    description: str


@dataclass(frozen=True)
class Raised:
    """The learner's code raised an exception."""

    type_name: str
    message: str


@dataclass(frozen=True)
class Outcome:
    """Everything the checker keeps of one call of the learner's code."""

    result: Any  # plain data, Raised or Unsupported
    inputs_after: tuple  # the case's array arguments after the call
    warnings: tuple = ()  # "RuntimeWarning: overflow encountered in exp", ...


def _count_elements(value) -> int:
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, tuple):
        return sum(_count_elements(v) for v in value)
    if isinstance(value, dict):
        return sum(_count_elements(v) for v in value.values())
    return 0


def to_plain(value, _depth: int = 0):
    """Turn a learner's result into plain data: numeric arrays in tuples/dicts.

    Scalars become 0-d arrays; lists become arrays when they are numeric,
    tuples otherwise; ``None`` stays ``None``. Anything else (strings,
    generators, objects with odd ``__eq__``) becomes :class:`Unsupported`, so
    that nothing the learner defined takes part in the comparison.
    """
    if _depth > 3:
        return Unsupported("a result nested more than three levels deep")
    if value is None:
        return None
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return Unsupported(f"an array of dtype {value.dtype} (expected numbers)")
        if value.size > MAX_RESULT_ELEMENTS:
            return Unsupported(f"an array with {value.size:,} elements (far more than expected)")
        # A plain copy: subclasses and views of the learner's buffers stay behind.
        return np.array(value, copy=True, subok=False)
    if isinstance(value, list):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.dtype.kind in "biuf":
            return to_plain(arr, _depth + 1)
        value = tuple(value)
    if isinstance(value, tuple):
        if len(value) > 64:
            return Unsupported(f"a tuple of {len(value)} items")
        parts = tuple(to_plain(v, _depth + 1) for v in value)
        bad = [p for p in parts if isinstance(p, Unsupported)]
        if bad:
            return bad[0]
        if _count_elements(parts) > MAX_RESULT_ELEMENTS:
            return Unsupported("a result with far more numbers than expected")
        return parts
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or len(value) > 64:
            return Unsupported("a dict whose keys are not a few strings")
        parts = {k: to_plain(v, _depth + 1) for k, v in value.items()}
        bad = [p for p in parts.values() if isinstance(p, Unsupported)]
        return bad[0] if bad else parts
    return Unsupported(f"a {type(value).__module__}.{type(value).__qualname__} object"
                       if type(value).__module__ != "builtins" else f"a {type(value).__name__}")


def _copy_case(case: Case) -> Case:
    """A deep-enough copy so that a learner who modifies inputs spoils nothing."""

    def cp(v):
        if isinstance(v, np.ndarray):
            return v.copy()
        if isinstance(v, (list, tuple)):
            return type(v)(cp(x) for x in v)
        if isinstance(v, dict):
            return {k: cp(x) for k, x in v.items()}
        return v

    return Case(case.name, cp(case.args), cp(case.kwargs), case.extreme)


def _array_inputs(case: Case) -> tuple:
    return tuple(a for a in list(case.args) + list(case.kwargs.values()) if isinstance(a, np.ndarray))


def _default_run(objects, case):
    return objects[0](*case.args, **case.kwargs)


def run_student(exercise: Exercise, objects: tuple, case: Case) -> Outcome:
    """Call the learner's object(s) on a copy of ``case``; keep only plain data.

    Printing is swallowed (a debugging ``print`` must not change a check
    cell's output) and warnings are recorded rather than shown.
    """
    case = _copy_case(case)
    run = exercise.run or _default_run
    sink = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                value = run(objects, case)
            result = to_plain(value)
        except Exception as exc:  # noqa: BLE001 - any error of the learner's is reported
            result = Raised(type(exc).__name__, str(exc)[:500])
    seen = tuple(f"{w.category.__name__}: {w.message}" for w in caught)
    inputs_after = tuple(np.array(a, copy=True) for a in _array_inputs(case))
    return Outcome(result, inputs_after, seen)


def reference_result(exercise: Exercise, case: Case):
    """The reference's plain result on ``case`` (computed on a copy)."""
    run = exercise.run or _default_run
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return to_plain(run(exercise.reference_objects(), _copy_case(case)))


# --------------------------------------------------------------------------- #
# Comparison and diagnosis
# --------------------------------------------------------------------------- #


def _describe(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return value.description
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}: (" + ", ".join(_describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return "a dict with keys " + ", ".join(sorted(value))
    if value.ndim == 0:
        return f"{value.item()!r} ({value.dtype})"
    flat = value.ravel()
    shown = np.array2string(flat[:6], precision=5, separator=", ")
    more = ", ..." if flat.size > 6 else ""
    return f"array of shape {value.shape}, {value.dtype}: {shown[:-1]}{more}]"


def _compare_arrays(exp: np.ndarray, got, rtol: float, atol: float) -> str | None:
    """Return a short reason why ``got`` is not ``exp``, or None when it is."""
    if got is None:
        return "returned None: did you forget the `return` statement?"
    if isinstance(got, Unsupported):
        return f"returned {got.description}; expected {_describe(exp)}"
    if isinstance(got, (tuple, dict)):
        return f"returned {_describe(got)}; expected a single array"
    if got.shape != exp.shape:
        return _shape_reason(exp, got)
    if got.dtype.kind != exp.dtype.kind and not (exp.dtype.kind == "f" and got.dtype.kind in "iub" and
                                                  np.array_equal(got, exp)):
        if exp.dtype.kind == "f":
            return (f"returned dtype {got.dtype}, expected {exp.dtype}: integer arithmetic drops "
                    "fractions; start from a float array (e.g. `np.zeros(shape, dtype=float)`)")
        return f"returned dtype {got.dtype}, expected {exp.dtype}"
    if exp.dtype.kind == "f" and got.dtype != exp.dtype:
        return (f"returned dtype {got.dtype} but the inputs were {exp.dtype}: keep the input's dtype "
                "(e.g. `np.zeros_like(z)` rather than `np.zeros(z.shape)`)")
    if exp.dtype.kind == "f":
        got_finite, exp_finite = np.isfinite(got), np.isfinite(exp)
        if np.any(exp_finite & ~got_finite):
            return ("returned inf or NaN where the answer is finite: an overflow (e.g. `np.exp` of a large "
                    "number) or a division by zero; rewrite it in a numerically stable form")
        if np.allclose(got, exp, rtol=rtol, atol=atol, equal_nan=True):
            return None
    elif np.array_equal(got, exp):
        return None
    return "wrong values"


def _shape_reason(exp: np.ndarray, got: np.ndarray) -> str:
    msg = f"returned shape {got.shape}, expected {exp.shape}"
    if exp.ndim == 2 and got.shape == exp.shape[::-1]:
        return msg + ": the result looks transposed; check which axis holds samples (rows) and the order of the product"
    if exp.ndim == 0 and got.size == 1:
        return msg + ": return a scalar (e.g. `float(x)` or `.item()`, or reduce with `np.sum`/`np.mean`)"
    if got.ndim == exp.ndim + 1 and got.shape[-1] == 1 and got.shape[:-1] == exp.shape:
        return msg + ": a trailing axis of length 1 slipped in; `(n,)` and `(n, 1)` are different shapes"
    if exp.ndim == got.ndim + 1 and exp.shape[-1] == 1 and exp.shape[:-1] == got.shape:
        return msg + ": the trailing axis of length 1 was lost; keep it with `keepdims=True` or `[:, None]`"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and exp.ndim <= 2 and exp.size == got.shape[0]:
        return (msg + ": an `(n,)` array was broadcast against an `(n, 1)` array into an `(n, n)` matrix; "
                "make both shapes equal before subtracting")
    if exp.ndim == 1 and got.ndim == 0:
        return msg + ": you reduced over every axis; sum or average along one `axis` only"
    return msg


def _generic_hint(exp: np.ndarray, got: np.ndarray, n_samples: int | None) -> str | None:
    """Recognise the slips that are not specific to one exercise."""
    if exp.shape != got.shape or exp.dtype.kind != "f" or got.dtype.kind != "f":
        return None
    if not np.all(np.isfinite(got)) or not np.any(np.abs(exp) > 1e-12):
        return None
    tol = dict(rtol=1e-6, atol=1e-12)
    if np.allclose(got, -exp, **tol):
        return "the sign is flipped: check every minus sign (and whether you add or subtract)"
    mask = np.abs(exp) > 1e-12
    ratio = got[mask] / exp[mask]
    if np.allclose(ratio, ratio.flat[0], rtol=1e-6):
        r = float(ratio.flat[0])
        factors = [(2.0, "2"), (0.5, "1/2")]
        if n_samples and n_samples > 2:
            factors += [(float(n_samples), f"n = {n_samples} (the number of samples)"),
                        (1.0 / n_samples, f"1/n, n = {n_samples} (the number of samples)")]
        for value, label in factors:
            if np.isclose(r, value, rtol=1e-6):
                if label.startswith("n ="):
                    return (f"off by a factor of {label}: you summed over the samples where the "
                            "course takes the mean (reduction='mean')")
                if label.startswith("1/n"):
                    return (f"off by a factor of {label}: divide by n once only (or not at all where the "
                            "upstream gradient already carries the 1/n)")
                return f"off by a factor of {label}: look for a stray or missing factor 2 (or 1/2)"
        return f"off by a constant factor ({r:.4g}): a scale factor is missing or extra"
    if exp.ndim == 2 and exp.shape[0] == exp.shape[1] and np.allclose(got, exp.T, **tol):
        return "the result is the transpose of the answer: check the order of the matrix product"
    return None


def _input_mutated(case: Case, outcome: Outcome) -> bool:
    before = _array_inputs(case)
    if len(before) != len(outcome.inputs_after):
        return True
    for a, b in zip(before, outcome.inputs_after):
        if a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
            return True
    return False


def _matches(exp, got, rtol, atol) -> bool:
    if isinstance(exp, tuple):
        return (isinstance(got, tuple) and len(got) == len(exp)
                and all(_matches(e, g, rtol, atol) for e, g in zip(exp, got)))
    if isinstance(exp, dict):
        return (isinstance(got, dict) and set(got) == set(exp)
                and all(_matches(exp[k], got[k], rtol, atol) for k in exp))
    if exp is None:
        return got is None
    if isinstance(exp, (Unsupported, Raised)) or not isinstance(got, np.ndarray):
        return False
    return _compare_arrays(exp, got, rtol, atol) is None


def _n_samples(case: Case) -> int | None:
    for a in _array_inputs(case):
        if a.ndim >= 1 and a.shape[0] > 2:
            return a.shape[0]
    return None


def _mistake_hint(exercise: Exercise, case: Case, got) -> str | None:
    for mistake in exercise.mistakes:
        impl = mistake.implementation
        objects = impl if isinstance(impl, tuple) else (impl,)
        outcome = run_student(exercise, objects, case)
        if isinstance(outcome.result, (Raised, Unsupported)):
            continue
        if _matches(outcome.result, got, 1e-9, 1e-12):
            return mistake.hint
    return None


def _part_name(exercise: Exercise, index) -> str:
    if isinstance(index, int) and exercise.output_names and index < len(exercise.output_names):
        return exercise.output_names[index]
    return f"part {index!r}"


def evaluate(exercise: Exercise, case: Case, expected, outcome: Outcome) -> str | None:
    """Why ``outcome`` fails ``case``, or None when it passes.

    Runs in the learner's kernel (notebook) or in the grader's own process;
    it only ever sees plain data and the package's own code.
    """
    result = outcome.result
    if isinstance(result, Raised):
        if result.type_name == "NotImplementedError":
            return "NOT_ATTEMPTED"
        hint = {
            "NameError": "a name is not defined: run the cells above first, and use only the function's arguments",
            "ValueError": "check the shapes your code combines (print them)",
            "TypeError": "check the number and kind of arguments, and what you return",
        }.get(result.type_name, "")
        return f"raised {result.type_name}: {result.message}" + (f"\n  hint: {hint}" if hint else "")
    if exercise.forbid_overflow and case.extreme:
        overflow = [w for w in outcome.warnings if "overflow" in w]
        if overflow:
            return (f"emitted '{overflow[0]}' on extreme inputs: the result may look right but the "
                    "computation overflowed; rewrite it in the numerically stable form "
                    "(never exponentiate a large positive number)")
    if _input_mutated(case, outcome):
        return ("modified its input array in place (e.g. `z[z < 0] = 0`, `x -= ...` or `out=`): "
                "the caller's data changed; work on a copy or build a new array")

    reason = _structure_reason(exercise, expected, result)
    if reason is None and exercise.extra is not None:
        reason = exercise.extra(case, result)
    if reason is None:
        return None

    hint = _mistake_hint(exercise, case, result)
    if hint is None and isinstance(expected, np.ndarray) and isinstance(result, np.ndarray):
        hint = _generic_hint(expected, result, _n_samples(case))
    elif hint is None and isinstance(expected, tuple) and isinstance(result, tuple) and len(result) == len(expected):
        for i, (e, g) in enumerate(zip(expected, result)):
            if isinstance(e, np.ndarray) and isinstance(g, np.ndarray) and not _matches(e, g, exercise.rtol, exercise.atol):
                generic = _generic_hint(e, g, _n_samples(case))
                if generic:
                    hint = f"{_part_name(exercise, i)}: {generic}"
                break
    return reason + (f"\n  hint: {hint}" if hint else "")


def _structure_reason(exercise: Exercise, expected, got, path: str = "") -> str | None:
    where = f"{path}: " if path else ""
    if got is None and expected is not None:
        return f"{where}returned None: did you forget the `return` statement?"
    if isinstance(expected, tuple):
        if not isinstance(got, tuple):
            return f"{where}returned {_describe(got)}; expected {_describe(expected)}"
        if len(got) != len(expected):
            names = f" ({', '.join(exercise.output_names)})" if exercise.output_names and not path else ""
            return f"{where}returned {len(got)} values, expected {len(expected)}{names}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = _structure_reason(exercise, e, g, _part_name(exercise, i) if not path else f"{path}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"{where}returned {_describe(got)}; expected {_describe(expected)}"
        for k in expected:
            reason = _structure_reason(exercise, expected[k], got[k], f"{path}[{k!r}]" if path else repr(k))
            if reason:
                return reason
        return None
    if expected is None:
        return None if got is None else f"{where}returned {_describe(got)}; expected None"
    reason = _compare_arrays(expected, got, exercise.rtol, exercise.atol)
    if reason is None:
        return None
    if reason == "wrong values":
        diff = np.abs(np.asarray(got, float) - np.asarray(expected, float))
        worst = np.unravel_index(int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape) if diff.ndim else ()
        at = f" at index {tuple(int(i) for i in worst)}" if diff.ndim else ""
        reason = (f"wrong values{at}: expected {float(expected[worst]):.6g}, got {float(got[worst]):.6g}\n"
                  f"  expected: {_describe(expected)}\n  got:      {_describe(got)}")
    return where + reason


def _constant_output(cases, outcomes, expecteds, exercise) -> bool:
    """Same result for different inputs whose answers differ: a global is used."""
    seen = []
    for case, out, exp in zip(cases, outcomes, expecteds):
        if isinstance(out.result, np.ndarray) and isinstance(exp, np.ndarray):
            seen.append((out.result, exp))
    for i in range(len(seen)):
        for j in range(i + 1, len(seen)):
            (g1, e1), (g2, e2) = seen[i], seen[j]
            answers_differ = e1.shape != e2.shape or not np.allclose(e1, e2)
            if g1.shape == g2.shape and g1.size > 1 and np.array_equal(g1, g2) and answers_differ:
                return True
    return False


@dataclass(frozen=True)
class Report:
    """The verdict of one exercise check, as plain data."""

    exercise_id: str
    n_cases: int
    failures: tuple  # ((case name, reason), ...)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def not_attempted(self) -> bool:
        return bool(self.failures) and all(r == "NOT_ATTEMPTED" for _, r in self.failures)

    def message(self) -> str:
        if self.passed:
            return f"{self.exercise_id}: passed all {self.n_cases} test cases."
        if self.not_attempted:
            return (f"{self.exercise_id}: not attempted yet. Replace the `raise NotImplementedError` "
                    "line in the answer cell with your code, run that cell, then this one.")
        name, reason = next((n, r) for n, r in self.failures if r != "NOT_ATTEMPTED")
        others = len(self.failures) - 1
        tail = f"\n({others} other case{'s' if others != 1 else ''} also failed.)" if others else ""
        return f"{self.exercise_id}: case '{name}' failed: {reason}{tail}"


def judge(exercise: Exercise, cases: list, outcomes: list) -> Report:
    """Compare every outcome with the reference; return a :class:`Report`."""
    expecteds = [reference_result(exercise, c) for c in cases]
    failures = []
    for case, outcome, expected in zip(cases, outcomes, expecteds):
        reason = evaluate(exercise, case, expected, outcome)
        if reason is not None:
            failures.append((case.name, reason))
    if not failures and _constant_output(cases, outcomes, expecteds, exercise):
        failures.append(("different inputs", "returned the same result for different inputs\n  hint: does "
                         "the function use a global variable instead of its argument?"))
    elif failures and _constant_output(cases, outcomes, expecteds, exercise):
        name, reason = failures[0]
        if "hint:" not in reason:
            failures[0] = (name, reason + "\n  hint: it returns the same result for different inputs; "
                           "does it use a global variable instead of its argument?")
    return Report(exercise.id, len(cases), tuple(failures))


def exercise_rng(exercise_id: str, seed: int | None) -> np.random.Generator:
    """Fresh entropy in a notebook; a reproducible stream per exercise when grading."""
    if seed is None:
        return np.random.default_rng()
    key = [int(seed)] + [ord(c) for c in exercise_id]
    return np.random.default_rng(key)
