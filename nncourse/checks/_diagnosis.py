"""Naming the mistake behind a failure: known mistakes first, then generic slips that are true of it.

Every diagnosis has an id: the :class:`~._definitions.Mistake`'s name when a
known wrong version of the exercise reproduces the learner's output on *every*
failing case (:func:`match_mistake`), otherwise one of the generic ids below,
or None when nothing can be said for sure. A generic hint is given only when
it is true of the learner's result:

==========================  ==================================================================
``generic:sign``            every entry is minus the answer (several non-zero entries)
``generic:factor-2``        every entry, zeros included, is twice the answer; ``factor-half``,
``generic:factor-n``        ``factor-1/n``: n or 1/n with n the samples (rows) or entries of an
                            input; ``generic:factor``: another constant. Several non-zero
                            entries, counted over every failing case, and the same factor on each
``generic:factor-argument`` every entry is a number-valued argument (lr, l2, ...) times the answer,
                            or the answer divided by it (the same argument on every failing case)
``generic:squared``         every entry is the square of the answer; ``generic:square-root``: its
                            square root (several entries other than 0 and 1)
``generic:offset``          every entry is the answer plus one number (the same number on every
                            failing case when the result is one number)
``generic:truncated``       the answer with its fractions cut off (integer division, int())
``generic:first-only``      only the first (``generic:last-only``: the last) slice along one axis is
                            wrong, on every failing case (an off-by-one loop or slice)
``generic:row-broadcast``   a square result whose entry [i, j] used row j's statistic instead of
                            row i's: a per-row (n,) array broadcast along the columns (keepdims)
``generic:order``           the parts of a tuple or dict are all right but in another order
``generic:negative-branch`` wrong exactly where an input is negative (``positive-branch``: positive)
``generic:swapped-arguments`` the reference's result with two arguments of one shape swapped
``generic:other-axis``      the reference's result for a 2-D argument transposed (the other axis)
``generic:other-exercise``  what another exercise's reference computes from the same arguments
``generic:argument-ignored`` the reference with a number-valued argument at its default, 1 or 0
``generic:returned-input``  an argument returned unchanged; ``generic:input-negated``: the answer
                            for minus an argument; ``generic:wrong-argument``: one array argument used
                            where another (of its shape) belongs; ``generic:applied-twice``: the
                            reference applied to its own output
``generic:one-short``       one entry (row) fewer or more than the answer, the rest right
``generic:other-axis``      (also) a 1-D result with one entry per row of an input where one per
                            column is asked for, or the reverse
``generic:transpose``       a square result that is the answer transposed
``generic:shape-transposed`` a non-square result of the transposed shape
``generic:outer-broadcast`` an (n,) and an (n, 1) array broadcast into (n, n): its diagonal is
                            the answer
``generic:keepdims``        the right numbers with an axis of length 1 too many or too few
``generic:0d-shape``        shape (1,) for a 0-d input; ``generic:scalar-as-array``: one number
                            returned inside an array
``generic:at-zero``         wrong exactly where an input is 0 (the value chosen at a kink)
``generic:structure``       another number of parts, or a dict with other keys (the text says which)
``generic:reduced-all``     one number that is the sum or mean of the answer's entries
``generic:dtype``           the right shape in the wrong dtype (float32 in, float64 out; booleans)
``generic:nonfinite``       inf or NaN where the answer is finite; ``generic:overflow`` on an
                            extreme case, or an overflow warning where overflow is forbidden
``generic:no-return``       None returned
``generic:input-mutated``   an argument changed during the call (arrays inside lists included)
``generic:aliasing``        the result is an argument, where a new array is asked for
``generic:global-variable`` the same result for every case although the answers differ
``generic:not-attempted``   the students' stub still raises NotImplementedError
``generic:name-error``      a name that does not exist; ``generic:shape-error``: numpy refused
                            to combine two shapes; ``generic:index-error``; ``generic:signature``
==========================  ==================================================================
"""

from __future__ import annotations

import contextlib
import inspect
import io
import warnings
from dataclasses import dataclass

import numpy as np

from ._comparing import Mismatch, close
from ._definitions import Case, Exercise, Mistake
from ._running import NOTE, Outcome, Raised, Unsupported, labelled_data, run_student


#: Every generic diagnosis id the checks can give (the table above; a test keeps it equal to the ids
#: written in ``nncourse/checks``). The grader's class report accepts exactly these and the exercises'
#: own mistake names.
GENERIC_IDS = frozenset("generic:" + name for name in (
    "sign", "factor-2", "factor-half", "factor-n", "factor-1/n", "factor", "factor-argument", "squared",
    "square-root", "offset", "truncated", "first-only", "last-only", "row-broadcast", "order",
    "negative-branch", "positive-branch", "swapped-arguments", "other-axis", "other-exercise",
    "argument-ignored", "returned-input", "input-negated", "wrong-argument", "applied-twice", "one-short",
    "transpose", "shape-transposed", "outer-broadcast", "keepdims", "0d-shape", "scalar-as-array", "at-zero",
    "structure", "reduced-all", "dtype", "nonfinite", "overflow", "no-return", "input-mutated", "aliasing",
    "global-variable", "not-attempted", "name-error", "shape-error", "index-error", "signature"))


@dataclass(frozen=True)
class Diagnosis:
    """What a failure is put down to: an id (mistake name or ``generic:...``) and its hint."""

    id: str | None
    hint: str | None = None


NONE = Diagnosis(None, None)


# --------------------------------------------------------------------------- #
# Known mistakes
# --------------------------------------------------------------------------- #


def _same_result(exercise: Exercise, a, b) -> bool:
    # Errors are the same when their types are: the learner's message is their own.
    if isinstance(a, Raised) or isinstance(b, Raised):
        return isinstance(a, Raised) and isinstance(b, Raised) and a.type_name == b.type_name
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same_result(exercise, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(_same_result(exercise, a[k], b[k]) for k in a)
    if a is None or b is None or isinstance(a, Unsupported) or isinstance(b, Unsupported):
        return a is b or (isinstance(a, Unsupported) and a == b)
    if not isinstance(a, np.ndarray) or not isinstance(b, np.ndarray) or a.shape != b.shape:
        return False
    if a.dtype.kind != b.dtype.kind and not (a.dtype.kind in "iu" and b.dtype.kind in "iu"):
        return False
    return bool(np.all(close(exercise, a, b)))


def _same_outcome(exercise: Exercise, mine: Outcome, theirs: Outcome) -> bool:
    if not _same_result(exercise, mine.result, theirs.result):
        return False
    if len(mine.inputs_after) != len(theirs.inputs_after):
        return False
    return all(a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
               for a, b in zip(mine.inputs_after, theirs.inputs_after))


def match_mistake(exercise: Exercise, cases: list, outcomes: list, failing: list, fails) -> Mistake | None:
    """The known mistake that reproduces the learner's outcome on every failing case, or None.

    Different mistakes often give the same numbers on a small case (the worked
    example), so one case is never enough; and the mistake must fail each of
    those cases itself (right values with an overflow warning are not the same
    failure as a formula that never overflows). ``fails(case_index, outcome)``
    is the judgement of one case. When several mistakes reproduce every failing
    case, the one that also reproduces more of the passing cases wins.
    """
    best, best_score = None, -1
    passing = [i for i in range(len(cases)) if i not in failing]
    for mistake in exercise.mistakes:
        impl = mistake.implementation
        objects = impl if isinstance(impl, tuple) else (impl,)
        reproduced = True
        for i in failing:
            mine = run_student(exercise, objects, cases[i])
            if not (_same_outcome(exercise, mine, outcomes[i]) and fails(i, mine)):
                reproduced = False
                break
        if not reproduced:
            continue
        # A mistake that fails a case the learner passes is another mistake that happens to agree here.
        theirs = [run_student(exercise, objects, cases[i]) for i in passing]
        if any(fails(i, mine) for i, mine in zip(passing, theirs)):
            continue
        score = sum(_same_outcome(exercise, mine, outcomes[i]) for i, mine in zip(passing, theirs))
        if score > best_score:
            best, best_score = mistake, score
    return best


# --------------------------------------------------------------------------- #
# Parts in another order
# --------------------------------------------------------------------------- #


def _parts(value) -> tuple | None:
    """The parts of a tuple, or of a dict in key order, with their names; None for anything else."""
    if isinstance(value, tuple):
        return tuple((str(i), v) for i, v in enumerate(value))
    if isinstance(value, dict):
        return tuple((str(k), value[k]) for k in sorted(value, key=str))
    return None


def reordered(exercise: Exercise, expected, got) -> str | None:
    """How ``got`` holds the right parts in another order (at any depth), or None when it does not.

    Every part that differs must be explained: either it is another part of
    the same container, exactly, or its own parts are reordered.
    """
    e_parts, g_parts = _parts(expected), _parts(got)
    if e_parts is None or g_parts is None or len(e_parts) != len(g_parts) or len(e_parts) < 2:
        return None
    if isinstance(expected, dict) and (not isinstance(got, dict) or set(expected) != set(got)):
        return None
    differing = [k for k, ((_, e), (_, g)) in enumerate(zip(e_parts, g_parts)) if not _same_result(exercise, e, g)]
    if not differing:
        return None
    # Does a permutation of the differing parts explain them all?
    taken, moved = set(), []
    for k in differing:
        j = next((j for j in differing if j not in taken and j != k
                  and _same_result(exercise, e_parts[j][1], g_parts[k][1])), None)
        if j is None:
            break
        taken.add(j)
        moved.append((k, j))
    else:
        names = exercise.output_names if isinstance(expected, tuple) and exercise.output_names else None
        label = (lambda k: names[k]) if names and len(names) == len(e_parts) else (lambda k: e_parts[k][0])
        where = ", ".join(f"your {label(k)} is the answer's {label(j)}" for k, j in moved)
        return f"the parts are right but in another order ({where})"
    inner = [reordered(exercise, e_parts[k][1], g_parts[k][1]) for k in differing]
    if all(inner):
        return inner[0]
    return None


ORDER_HINT = ("return the parts in the order the statement gives (the order of the docstring's Returns, or the "
              "order of the inputs for gradients)")


# --------------------------------------------------------------------------- #
# Generic slips, from one case
# --------------------------------------------------------------------------- #


def _sizes(case: Case) -> list:
    """(n, label) candidates for a factor n: the rows and the entries of each array input."""
    found = []
    for _, a in labelled_data(case):
        if a.dtype.kind != "f" or a.ndim == 0:
            continue
        if a.ndim == 1 and a.size >= 2:
            found.append((a.size, f"{a.size}, the length of an input vector"))
        elif a.ndim >= 2:
            if a.shape[0] >= 2:
                found.append((a.shape[0], f"{a.shape[0]}, the number of rows (samples) of an input"))
            if a.size > 2 and a.size != a.shape[0]:
                found.append((a.size, f"{a.size}, the number of entries of an input"))
    return found


@dataclass(frozen=True)
class ValueFact:
    """A generic fact about one failing case's values: its id, hint, weight (non-zero entries) and factor."""

    id: str
    hint: str
    weight: int
    factor: float = 1.0
    about: str = ""  # the argument a factor is, when it is one: the same on every failing case


def _scalar_arguments(case: Case, names: list) -> list:
    """(name, value) of the case's number-valued arguments other than 0 and 1."""
    found = [(names[k] if k < len(names) else f"argument {k + 1}", v) for k, v in enumerate(case.args)]
    found += list(case.kwargs.items())
    return [(name, float(v)) for name, v in found
            if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) and v not in (0, 1)]


def value_facts(case: Case, expected: np.ndarray, got: np.ndarray, names: list = ()) -> list:
    """Every generic fact (sign, factor, transpose) true of ``got`` against ``expected`` on this case.

    A ratio test looks at every entry, zeros included: ``got`` must be ``r``
    times ``expected`` everywhere (an answer wrong only where the answer is 0
    is not "off by a factor"). How many non-zero entries back it up is kept as
    the weight; :func:`consistent_fact` asks for several over all failing cases.
    """
    if (not isinstance(expected, np.ndarray) or not isinstance(got, np.ndarray) or expected.shape != got.shape
            or expected.dtype.kind != "f" or got.dtype.kind != "f"):
        return []
    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return []
    e, g = expected.astype(np.float64), got.astype(np.float64)
    nonzero = np.abs(e) > 1e-12 * max(1.0, float(np.max(np.abs(e), initial=0.0)))
    weight = int(np.count_nonzero(nonzero))
    facts = []
    if weight:
        r = float(np.median(g[nonzero] / e[nonzero]))

        def is_factor(value):
            return np.isclose(r, value, rtol=1e-6) and np.allclose(g, value * e, rtol=1e-6, atol=1e-12)

        if is_factor(-1.0):
            facts.append(ValueFact("generic:sign", "the sign is flipped: check every minus sign (and whether you "
                                   "add or subtract)", weight, -1.0))
        elif is_factor(r) and not np.isclose(r, 1.0, rtol=1e-6) and r != 0.0:
            named = False
            for value, fid, hint in ((2.0, "generic:factor-2", "off by a factor of 2: look for a stray or missing "
                                      "factor 2"),
                                     (0.5, "generic:factor-half", "off by a factor of 1/2: look for a stray 1/2 "
                                      "(or a missing factor 2)")):
                if np.isclose(r, value, rtol=1e-6):
                    facts.append(ValueFact(fid, hint, weight, value))
                    named = True
            for name, v in _scalar_arguments(case, list(names)):
                if np.isclose(r, v, rtol=1e-6):
                    facts.append(ValueFact("generic:factor-argument", f"every entry is `{name}` ({v:.4g}) times the "
                                           f"answer: `{name}` is applied once too often", weight, v, name))
                    named = True
                elif np.isclose(r, 1.0 / v, rtol=1e-6):
                    facts.append(ValueFact("generic:factor-argument", f"every entry is the answer divided by `{name}` "
                                           f"({v:.4g}): `{name}` is missing from your formula (or you divided by "
                                           "it)", weight, 1.0 / v, name))
                    named = True
            for n, label in _sizes(case):
                if np.isclose(r, n, rtol=1e-6):
                    facts.append(ValueFact("generic:factor-n", f"every entry is {label} times the answer: a sum "
                                           "where the course takes the mean (reduction='mean'), or a division by "
                                           "that number missing", weight, float(n)))
                    named = True
                elif np.isclose(r, 1.0 / n, rtol=1e-6):
                    facts.append(ValueFact("generic:factor-1/n", f"every entry is the answer divided by {label}: "
                                           "a division too many (the 1/n of a mean belongs in one place only: "
                                           "not again where the upstream gradient already carries it)", weight,
                                           1.0 / n))
                    named = True
            if not named:
                facts.append(ValueFact("generic:factor", f"every entry is {r:.4g} times the answer: a scale "
                                       "factor is missing or extra", weight, r))
    if not facts:
        for _, a in labelled_data(case):
            if a.shape == e.shape and a.dtype.kind == "f" and np.any(a == 0) and np.any(a != 0):
                wrong = ~np.isclose(g, e, rtol=1e-6, atol=1e-12)
                if np.any(wrong) and np.array_equal(wrong, a == 0):
                    facts.append(ValueFact("generic:at-zero", "only the entries where the input is exactly 0 are "
                                           "wrong: check the value your code gives at 0 (a kink: >, >= or a "
                                           "division by |x|)", int(np.count_nonzero(wrong))))
                    break
    if not facts:
        facts += _branch_facts(case, e, g)
    transposed = (e.ndim == 2 and e.shape[0] == e.shape[1] and e.shape[0] > 1 and not np.allclose(e, e.T, rtol=1e-6)
                  and np.allclose(g, e.T, rtol=1e-6, atol=1e-12))
    if transposed:
        facts.append(ValueFact("generic:transpose", "the result is the transpose of the answer: check the order "
                               "of the matrix product (and which axis holds the samples)", e.size))
    # consistent_fact takes the first fact that holds on every failing case: a single number always has
    # a "factor" and an "offset" of its own, so these are offered too and the other cases decide.
    facts += _power_facts(e, g) + _offset_facts(e, g) + _truncation_facts(e, g) + _slice_facts(e, g)
    if not transposed:
        facts += _row_broadcast_facts(e, g)
    return facts


def _branch_facts(case: Case, e: np.ndarray, g: np.ndarray) -> list:
    """Wrong exactly on one side of 0 of an input of the result's shape: one branch of a piecewise formula."""
    wrong = ~np.isclose(g, e, rtol=1e-6, atol=1e-12)
    if not np.any(wrong) or np.all(wrong):
        return []
    for _, a in labelled_data(case):
        if a.shape != e.shape or a.dtype.kind != "f" or not (np.any(a < 0) and np.any(a > 0)):
            continue
        for side, fid, word in ((a < 0, "generic:negative-branch", "negative"),
                                (a > 0, "generic:positive-branch", "positive")):
            # Entries exactly at 0 may belong to either branch.
            if np.all(wrong[side]) and not np.any(wrong & ~side & (a != 0)):
                ge, gg = e[side], g[side]
                if np.allclose(gg, -ge, rtol=1e-6, atol=1e-12):
                    how = "there your result has the opposite sign (an absolute value, or a minus sign missing)"
                elif np.all(gg == 0):
                    how = "there your result is 0"
                elif np.all(np.abs(ge) > 1e-12) and np.allclose(gg / ge, np.median(gg / ge), rtol=1e-6):
                    how = f"there your result is {float(np.median(gg / ge)):.4g} times the answer (a slope or factor)"
                else:
                    how = "check the value or slope your formula uses there"
                return [ValueFact(fid, f"only the entries where the input is {word} are wrong (the others are "
                                  f"right): {how}", int(np.count_nonzero(wrong)))]
    return []


def _power_facts(e: np.ndarray, g: np.ndarray) -> list:
    """The square of the answer, or its square root, backed by entries other than 0 and 1."""
    informative = int(np.count_nonzero(~np.isclose(np.abs(e), 0.0, atol=1e-9) & ~np.isclose(np.abs(e), 1.0)))
    if not informative:
        return []
    if np.allclose(g, e * e, rtol=1e-6, atol=1e-12):
        return [ValueFact("generic:squared", "every entry is the square of the answer: a square root is missing "
                          "(or a square is extra): a length is sqrt(x . x), a standard deviation sqrt(variance)",
                          informative)]
    if np.all(e >= 0) and np.allclose(g, np.sqrt(e), rtol=1e-6, atol=1e-12):
        return [ValueFact("generic:square-root", "every entry is the square root of the answer: a square root is "
                          "extra (or a square is missing): the mean of the squares, the squared norm and the "
                          "variance have no square root", informative)]
    return []


def _offset_facts(e: np.ndarray, g: np.ndarray) -> list:
    """The answer plus one constant: a term that does not depend on the data is missing or extra."""
    d = g - e
    c = float(np.median(d))
    scale = max(1.0, float(np.max(np.abs(e), initial=0.0)))
    if abs(c) <= 1e-6 * scale or not np.allclose(d, c, rtol=1e-6, atol=1e-9 * scale):
        return []
    # A single number always differs from the answer by a constant: consistent_fact then asks for the same
    # constant on every failing case (the factor field carries it).
    return [ValueFact("generic:offset", f"every entry is the answer plus the same number ({c:.4g}): what your code "
                      "adds to (or subtracts from) every entry is off: a constant, a bias, a mean or a log term "
                      "missing, extra or computed from the wrong numbers", e.size, c)]


def _truncation_facts(e: np.ndarray, g: np.ndarray) -> list:
    """The answer with its fractions cut off, as integer division or int() does."""
    fractional = int(np.count_nonzero(~np.isclose(e, np.round(e), rtol=0, atol=1e-9)))
    # An all-zero result is "nothing computed", not a truncation (trunc of numbers in (-1, 1) is 0).
    if fractional and np.any(g != 0) and (np.array_equal(g, np.floor(e)) or np.array_equal(g, np.trunc(e))):
        return [ValueFact("generic:truncated", "the fractions are cut off (1.7 became 1): integer division `//`, "
                          "int() or an integer array where a float division is needed", fractional)]
    return []


def _slice_facts(e: np.ndarray, g: np.ndarray) -> list:
    """Only the first, or only the last, slice along one axis is wrong (a loop or slice one off)."""
    wrong = ~np.isclose(g, e, rtol=1e-6, atol=1e-12)
    if not np.any(wrong) or np.all(wrong):
        return []
    facts = []
    for axis in range(e.ndim):
        n = e.shape[axis]
        if n < 3:
            continue
        where = np.moveaxis(wrong, axis, 0)
        what = "entry" if e.ndim == 1 else "row" if axis == 0 else "column" if axis == 1 else f"slice along axis {axis}"
        for index, fid, word in ((n - 1, "generic:last-only", "last"), (0, "generic:first-only", "first")):
            others = np.delete(where, index, axis=0)
            if np.any(where[index]) and not np.any(others):
                facts.append(ValueFact(fid, f"only the {word} {what} (index {index} along axis {axis}) is wrong: check "
                                       "the bounds of the loop or slice that fills it (range(n) visits 0 .. n-1; "
                                       "a[:n-1] and a[1:] leave one out)", int(np.count_nonzero(where[index]))))
    return facts


def _row_broadcast_facts(e: np.ndarray, g: np.ndarray) -> list:
    """A square result in which entry [i, j] used row j's statistic where row i's was meant.

    An (n,) array of per-row statistics (a norm, a sum, a maximum) meets an
    (n, n) array and numpy lines it up with the columns: dividing by it gives
    ``got[i, j] = expected[i, j] * q[i] / q[j]`` (subtracting it, ``+ q[i] - q[j]``):
    the diagonal is right and the error has that outer structure.
    """
    n = e.shape[0] if e.ndim == 2 else 0
    if n < 3 or e.shape != (n, n):
        return []
    hint = ("entry [i, j] used row j's value of a per-row statistic instead of row i's: an (n,) array of row "
            "statistics was broadcast along the columns (on a square case numpy raises no error); keep the "
            "reduced axis with keepdims=True (shape (n, 1))")
    d = g - e
    scale = max(1.0, float(np.max(np.abs(e))))
    if (np.allclose(np.diag(d), 0.0, atol=1e-9 * scale) and not np.allclose(d, 0.0, atol=1e-6 * scale)
            and np.allclose(d, d[:, :1] - d[:, :1].T, rtol=1e-6, atol=1e-9 * scale)):
        return [ValueFact("generic:row-broadcast", hint, e.size)]
    if np.all(np.abs(e) > 1e-12 * scale):
        r = g / e
        if (np.allclose(np.diag(r), 1.0, rtol=1e-6) and not np.allclose(r, 1.0, rtol=1e-4)
                and np.allclose(r, r[:, :1] / r[:, :1].T, rtol=1e-6)):
            return [ValueFact("generic:row-broadcast", hint, e.size)]
    return []


def _needs_same_factor(fact: ValueFact, other: ValueFact) -> bool:
    """A plain factor, and an offset of a single number, must be the same on every failing case to count."""
    return fact.id == "generic:factor" or (fact.id == "generic:offset" and min(fact.weight, other.weight) < 2)


def consistent_fact(per_case: list) -> ValueFact | None:
    """A fact true of every failing case (the same factor on each), backed by several non-zero entries."""
    if not per_case or any(not facts for facts in per_case):
        return None
    for fact in per_case[0]:
        same = [next((f for f in facts if f.id == fact.id and f.about == fact.about
                      and (not _needs_same_factor(fact, f) or np.isclose(f.factor, fact.factor, rtol=1e-6))),
                     None) for facts in per_case]
        if all(same) and sum(f.weight for f in same) >= 3:
            return fact
    return None


def _one_short(expected: np.ndarray, got: np.ndarray) -> Diagnosis:
    """One entry (row) fewer or more along the first axis, the rest right: a loop or slice one off."""
    if (expected.ndim == 0 or got.ndim != expected.ndim or got.shape[1:] != expected.shape[1:]
            or abs(got.shape[0] - expected.shape[0]) != 1 or min(got.shape[0], expected.shape[0]) < 2
            or got.dtype.kind not in "biuf" or expected.dtype.kind not in "biuf"):
        return NONE
    short, long_ = (got, expected) if got.shape[0] < expected.shape[0] else (expected, got)
    what = "entry" if expected.ndim == 1 else "row"
    for part, word in ((long_[:-1], "last"), (long_[1:], "first")):
        if np.allclose(short.astype(float), part.astype(float), rtol=1e-6, atol=1e-9, equal_nan=True):
            if short is got:
                return Diagnosis("generic:one-short", f"your result is the answer without its {word} {what} "
                                 f"({got.shape[0]} instead of {expected.shape[0]}): the loop or slice that builds "
                                 f"it leaves the {word} one out (range(n) visits 0 .. n-1; a[:-1] drops the last)")
            return Diagnosis("generic:one-short", f"your result is the answer with one {what} too many, at the "
                             f"{'end' if word == 'last' else 'start'} ({got.shape[0]} instead of "
                             f"{expected.shape[0]}): the loop or slice that builds it runs one step too far")
    return NONE


def _reduced_along_the_other_axis(expected: np.ndarray, got: np.ndarray, case: Case | None) -> Diagnosis:
    """A 1-D result with one entry per row of a 2-D input where one per column is asked for (or the reverse)."""
    if case is None or expected.ndim != 1 or got.ndim != 1 or got.size == expected.size or min(got.size,
                                                                                                expected.size) < 2:
        return NONE
    m, k = expected.size, got.size
    names = {0: "row (sample)", 1: "column"}
    for _, a in labelled_data(case):
        if a.ndim == 2 and a.shape[0] != a.shape[1]:
            for axis in (0, 1):
                if a.shape[axis] == k and a.shape[1 - axis] == m:
                    return Diagnosis("generic:other-axis", f"your result has one entry per {names[axis]} of a "
                                     f"{a.shape} input ({k}), the answer one per {names[1 - axis]} ({m}): a sum, "
                                     f"mean or maximum along axis={1 - axis} where the answer takes axis={axis}?")
    return NONE


def shape_diagnosis(expected: np.ndarray, got: np.ndarray, zero_d_input: bool = False,
                    case: Case | None = None) -> Diagnosis:
    """A generic reason for a shape mismatch, only when the numbers show it."""
    e_shape, g_shape = expected.shape, got.shape
    numbers_match = (got.size == expected.size and got.dtype.kind in "biuf"
                     and np.allclose(got.astype(float).ravel(), expected.astype(float).ravel(),
                                     rtol=1e-6, atol=1e-9, equal_nan=True))
    if e_shape == () and got.ndim >= 1 and zero_d_input and numbers_match:
        return Diagnosis("generic:0d-shape", f"for a 0-d input (a single number) return a 0-d result, not shape "
                         f"{g_shape}: avoid np.atleast_1d, np.array([...]) and reshape(-1) (np.asarray keeps the "
                         "shape)")
    if e_shape == () and got.ndim >= 1 and numbers_match:
        return Diagnosis("generic:scalar-as-array", f"return one number (e.g. `float(total)`), not an array of "
                         f"shape {g_shape} holding it")
    if numbers_match and tuple(s for s in e_shape if s != 1) == tuple(s for s in g_shape if s != 1):
        return Diagnosis("generic:keepdims", f"the numbers are right but the shape is {g_shape}, not {e_shape}: an "
                         "axis of length 1 is extra or missing (keepdims=True, [:, None], or [:, 0] / .ravel())")
    if expected.ndim == 2 and e_shape[0] != e_shape[1] and g_shape == e_shape[::-1]:
        return Diagnosis("generic:shape-transposed", "the result looks transposed: samples are rows; check the "
                         "order of the matrix product (and which axis you reduced)")
    n = expected.size
    if (n > 1 and g_shape == (n, n) and expected.ndim in (1, 2) and max(e_shape) == n
            and got.dtype.kind == "f" and np.allclose(np.diag(got), expected.ravel(), rtol=1e-6, atol=1e-9)):
        return Diagnosis("generic:outer-broadcast", f"an ({n},) array met an ({n}, 1) array and numpy broadcast "
                         f"them into an ({n}, {n}) matrix (its diagonal holds the answer): give both the same shape")
    if expected.ndim >= 1 and got.ndim == 0 and expected.dtype.kind == "f" and np.all(np.isfinite(expected)):
        if any(np.isclose(float(got), v, rtol=1e-6, atol=1e-9) for v in (expected.sum(), expected.mean())):
            return Diagnosis("generic:reduced-all", "you reduced over every axis (one number for the whole "
                             "array); reduce along one `axis` only, or not at all")
    short = _one_short(expected, got)
    if short.id is not None:
        return short
    return _reduced_along_the_other_axis(expected, got, case)


def dtype_diagnosis(expected: np.ndarray, got: np.ndarray, input_dtypes: set) -> Diagnosis:
    """Why a result's dtype is wrong, described from the actual inputs."""
    e, g = expected.dtype, got.dtype
    if e.kind == "f" and g.kind == "b":
        hint = ("a comparison gives booleans (True/False); return numbers: convert with `.astype(...)` to the "
                "float dtype (or multiply by 1.0)")
    elif e.kind == "f" and g.kind in "iu":
        if not input_dtypes:
            hint = (f"the inputs are integers, but the result must be {e} numbers: build it as a float array "
                    "(np.zeros(shape) is float64; np.zeros_like of an integer array is not) or use .astype(float)")
        else:
            hint = ("integer arithmetic drops fractions: start from a float array (np.zeros(shape) is float64) "
                    "or convert with .astype(float)")
    elif e.kind == "f" and g.kind == "f" and e in input_dtypes and e != np.float64:
        hint = (f"keep the input's dtype, {e}: a float64 array or constant in the formula (np.zeros(z.shape), "
                "np.array([...]), np.float64(...)) promotes the result; use np.zeros_like(z), plain Python numbers, "
                "or convert at the end with .astype(z.dtype)")
    elif e.kind == "f" and g.kind == "f":
        hint = f"the result should be {e}: some step converted it to {g}"
    elif e.kind in "iu" and g.kind == "f":
        hint = ("counts and class indices are integers: np.argmax returns integers; create a counter with "
                "dtype=int (np.zeros(shape, dtype=int))")
    elif e.kind == "b":
        hint = "return True/False values (a comparison), not numbers"
    else:
        hint = None
    return Diagnosis("generic:dtype", hint)


def nonfinite_diagnosis(exercise: Exercise, case: Case) -> Diagnosis:
    if case.extreme or exercise.forbid_overflow:
        return Diagnosis("generic:overflow", "an exponential of a large number overflowed (or 0/0 followed): "
                         "rewrite it in the numerically stable form (never exponentiate a large positive number)")
    return Diagnosis("generic:nonfinite", "a division by zero or an overflow produced inf or NaN")


def mismatch_diagnosis(exercise: Exercise, case: Case, found: Mismatch, input_dtypes: set) -> Diagnosis:
    """The generic diagnosis of one mismatch other than wrong values (those need every failing case)."""
    if found.kind == "none":
        return Diagnosis("generic:no-return", "did you forget the `return` statement?")
    if found.kind == "structure":
        return Diagnosis("generic:structure")
    if found.kind == "shape":
        zero_d = any(a.ndim == 0 and a.dtype.kind == "f" for _, a in labelled_data(case))
        return shape_diagnosis(found.expected, found.got, zero_d, case)
    if found.kind == "dtype":
        return dtype_diagnosis(found.expected, found.got, input_dtypes)
    if found.kind == "nonfinite":
        return nonfinite_diagnosis(exercise, case)
    return NONE


def raised_diagnosis(raised: Raised) -> Diagnosis:
    """What an error raised by the learner's code says for sure."""
    message = raised.message
    if raised.type_name == "NameError":
        return Diagnosis("generic:name-error", "a name is not defined: run the cells above first, and use only "
                         "the function's arguments")
    if raised.type_name == "ValueError" and any(w in message for w in ("broadcast", "matmul", "aligned",
                                                                        "shapes", "dimension")):
        return Diagnosis("generic:shape-error", "numpy could not combine two arrays of these shapes: print the "
                         "shapes of what your code combines")
    if raised.type_name == "IndexError":
        return Diagnosis("generic:index-error", "an index went past the end of an array (or used the wrong axis): "
                         "check the loop bounds and which axis each index runs along")
    if raised.type_name == "TypeError" and ("argument" in message and ("unexpected" in message
                                                                       or "positional" in message)):
        return Diagnosis("generic:signature", "keep the signature of the answer cell (the names and order of "
                         "the parameters): the check calls it that way")
    if raised.type_name == "ZeroDivisionError":
        return Diagnosis("generic:nonfinite", "a division by zero: guard the denominator")
    return NONE


# --------------------------------------------------------------------------- #
# The right formula on other inputs: swapped, transposed, another exercise's
# --------------------------------------------------------------------------- #


def _quiet_reference(objects: tuple, case: Case):
    """A reference's plain result on ``case``, or None when it refuses those inputs."""
    from ._running import copy_case, to_plain

    case = copy_case(case)
    try:
        # Quiet: a reference that warns or prints on these inputs must not reach the learner's cell.
        with np.errstate(all="ignore"), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            return to_plain(objects[0](*case.args, **case.kwargs))
    except Exception:  # noqa: BLE001 - a reference that refuses these inputs is simply not the answer given
        return None


def _variants(exercise: Exercise, case: Case) -> list:
    """(id, hint, objects, transform, transpose_back) candidates: the reference on changed inputs."""
    names = argument_names(exercise)
    args = case.args
    own = exercise.reference_objects()
    # A number left out is the most specific of these: tried first.
    found = _argument_variants(exercise, case, names, own)
    arrays = [k for k, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size > 1]
    for x, k in enumerate(arrays):
        for j in arrays[x + 1:]:
            if args[k].shape == args[j].shape and not np.array_equal(args[k], args[j]):
                def swap(c, k=k, j=j):
                    new = list(c.args)
                    new[k], new[j] = new[j], new[k]
                    return Case(c.name, tuple(new), c.kwargs)
                label_k = names[k] if k < len(names) else f"argument {k + 1}"
                label_j = names[j] if j < len(names) else f"argument {j + 1}"
                found.append(("generic:swapped-arguments", f"your result is the answer with `{label_k}` and "
                              f"`{label_j}` swapped: check which argument goes where in the formula (for "
                              "example prediction minus target, not the reverse)", own, swap, False))
    for k in arrays:
        label = names[k] if k < len(names) else f"argument {k + 1}"
        found.append(("generic:returned-input", f"your result is the argument `{label}` unchanged: the computation "
                      "is missing, or its result is not what you return", (lambda *a, k=k, **kw: a[k],),
                      lambda c: c, False))

        def negate(c, k=k):
            new = list(c.args)
            new[k] = -new[k]
            return Case(c.name, tuple(new), c.kwargs)
        found.append(("generic:input-negated", f"your result is the answer for `-{label}`: a sign inside the formula "
                      "is flipped (e^{z} where e^{-z} belongs, or the reverse)", own, negate, False))
        for j in arrays:
            if j != k and args[j].shape == args[k].shape and not np.array_equal(args[j], args[k]):
                def replace(c, k=k, j=j):
                    new = list(c.args)
                    new[k] = new[j]
                    return Case(c.name, tuple(new), c.kwargs)
                other = names[j] if j < len(names) else f"argument {j + 1}"
                found.append(("generic:wrong-argument", f"your result is the answer with `{other}` used where "
                              f"`{label}` belongs: check which argument each term of the formula reads", own,
                              replace, False))
    if len(args) == 1 and not case.kwargs and arrays == [0]:
        def twice(c):
            once = _quiet_reference(own, c)
            return Case(c.name, (once,), {}) if isinstance(once, np.ndarray) and once.shape == c.args[0].shape else c
        found.append(("generic:applied-twice", "your result is the answer applied twice (to its own output): the "
                      "function is applied once more than it should be, or to an output where the input belongs",
                      own, twice, False))
    for k in arrays:
        if args[k].ndim == 2 and args[k].shape[0] > 1 and args[k].shape[1] > 1:
            def transpose(c, k=k):
                new = list(c.args)
                new[k] = new[k].T
                return Case(c.name, tuple(new), c.kwargs)
            label = names[k] if k < len(names) else f"argument {k + 1}"
            for back in (False, True):
                found.append(("generic:other-axis", f"your result is the answer for `{label}` transposed: you "
                              "worked along the other axis (rows are samples: a per-sample statistic runs along "
                              "axis=1, a per-feature one along axis=0)", own, transpose, back))
    from ._definitions import EXERCISES

    for other in EXERCISES.values():
        if (other.id == exercise.id or other.run is not None or other.kind != "function"
                or other.reference_objects()[0] is own[0]):
            continue
        try:
            parameters = list(inspect.signature(other.reference_objects()[0]).parameters.values())
        except (TypeError, ValueError):
            continue
        required = [p for p in parameters if p.default is inspect.Parameter.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(required) != len(args) or case.kwargs or len(parameters) < len(args):
            continue
        found.append(("generic:other-exercise", f"your function returns what exercise `{other.id}` computes "
                      f"({other.title}): re-read this exercise's statement", other.reference_objects(),
                      lambda c: c, False))
    return found


def _argument_variants(exercise: Exercise, case: Case, names: list, own: tuple) -> list:
    """The reference with one number-valued argument left out: at its default, at 1 (a factor), at 0 (a term)."""
    try:
        parameters = inspect.signature(own[0]).parameters
    except (TypeError, ValueError):
        return []
    found = []
    slots = [(k, names[k]) for k, a in enumerate(case.args) if k < len(names)] + [(key, key) for key in case.kwargs]
    for slot, name in slots:
        value = case.args[slot] if isinstance(slot, int) else case.kwargs[slot]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            continue
        default = parameters[name].default if name in parameters else inspect.Parameter.empty
        tries = [(default, f"its default, {default}")] if isinstance(default, (int, float)) and not isinstance(
            default, bool) else []
        tries += [(1.0, "1: the factor is missing"), (0.0, "0: the term is missing")]
        for replacement, why in tries:
            def put(c, slot=slot, replacement=replacement):
                if isinstance(slot, int):
                    new = list(c.args)
                    new[slot] = type(c.args[slot])(replacement) if isinstance(c.args[slot], (int, float)) else replacement
                    return Case(c.name, tuple(new), c.kwargs)
                return Case(c.name, c.args, {**c.kwargs, slot: replacement})
            found.append(("generic:argument-ignored", f"your result is the answer with `{name}` = {why}: your "
                          f"formula does not use the `{name}` it is given", own, put, False))
    return found


def variant_diagnosis(exercise: Exercise, cases: list, outcomes: list, failing: list) -> Diagnosis:
    """The reference on changed inputs that gives the learner's result on every failing case, if one does."""
    if exercise.run is not None or exercise.kind != "function" or not failing:
        return NONE
    results = [outcomes[i].result for i in failing]
    if any(isinstance(r, (Raised, Unsupported)) or r is None for r in results):
        return NONE
    first = cases[failing[0]]
    for fid, hint, objects, transform, back in _variants(exercise, first):
        ok = True
        for i, got in zip(failing, results):
            try:
                changed = transform(cases[i])
            except (IndexError, TypeError):
                ok = False
                break
            if changed.args is cases[i].args and changed.kwargs is cases[i].kwargs and objects is exercise.reference_objects():
                ok = False
                break
            theirs = _quiet_reference(objects, changed)
            if back and isinstance(theirs, np.ndarray) and theirs.ndim == 2:
                theirs = theirs.T
            if theirs is None or not _same_result(exercise, theirs, got):
                ok = False
                break
        if ok:
            return Diagnosis(fid, hint)
    return NONE


# --------------------------------------------------------------------------- #
# Inputs changed, aliasing, overflow
# --------------------------------------------------------------------------- #


def argument_names(exercise: Exercise) -> list:
    """The reference's parameter names (what the statement calls the arguments), when it has a plain call."""
    if exercise.run is not None or exercise.kind != "function":
        return []
    try:
        return list(inspect.signature(exercise.reference_objects()[0]).parameters)
    except (TypeError, ValueError):
        return []


def modified_argument(exercise: Exercise, case: Case, outcome: Outcome) -> str | None:
    """The name of the first argument whose data changed during the call, or None."""
    before = labelled_data(case)
    after = outcome.inputs_after
    names = argument_names(exercise)
    for i, (origin, a) in enumerate(before):
        if i >= len(after) or a.shape != after[i].shape or not np.array_equal(a, after[i], equal_nan=True):
            return names[int(origin)] if origin.isdigit() and int(origin) < len(names) else (
                f"argument {int(origin) + 1}" if origin.isdigit() else origin)
    if len(after) != len(before):
        return "an argument"
    return None


def mutation_diagnosis(name: str) -> tuple:
    reason = f"modified its argument `{name}` in place: the caller's data changed"
    if name == "an argument":
        reason = "modified an argument in place: the caller's data changed"
    hint = ("work on a copy or build a new array: `x -= ...`, `x[...] = ...`, `x **= 2`, `out=` and list methods "
            "such as .pop() or .append() change the caller's object")
    return reason, Diagnosis("generic:input-mutated", hint)


def alias_notes(outcome: Outcome) -> list:
    return [w[len(NOTE):] for w in outcome.warnings if w.startswith(NOTE) and "is one of the arguments" in w]


def overflow_warnings(outcome: Outcome) -> list:
    return [w for w in outcome.warnings if not w.startswith(NOTE) and "overflow" in w]


def constant_output(outcomes: list, expecteds: list) -> bool:
    """The same array for every case although the answers differ: the function ignores its input."""
    pairs = [(o.result, e) for o, e in zip(outcomes, expecteds)
             if isinstance(o.result, np.ndarray) and isinstance(e, np.ndarray)]
    if len(pairs) < 3 or len(pairs) < len(outcomes):
        return False
    first = pairs[0][0]
    if first.size < 2 or not all(g.shape == first.shape and np.array_equal(g, first, equal_nan=True) for g, _ in pairs):
        return False
    answers = [e for _, e in pairs]
    return any(e.shape != answers[0].shape or not np.allclose(e, answers[0], equal_nan=True) for e in answers[1:])


GLOBAL_VARIABLE = Diagnosis("generic:global-variable", "it returns the same result for every input; does the "
                            "function use a global variable instead of its argument?")
