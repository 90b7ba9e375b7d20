"""Comparing a learner's plain result with the reference's, and showing the difference.

:func:`compare` walks both results (arrays in tuples and dicts) and returns
the first :class:`Mismatch`: where it is (``"dW"``, ``"'best_W'"``), what kind
it is (``"shape"``, ``"dtype"``, ``"values"``, ...), the two leaves, and a
sentence a learner can read: the first wrong index and how many entries are
wrong, numbers printed with as many digits as it takes to tell them apart,
booleans as True/False, matrices as matrices (capped).

Tolerances follow the result's dtype (:func:`tolerance`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._definitions import Case, Exercise
from ._running import Unsupported, labelled_data

EPS32 = float(np.finfo(np.float32).eps)


def tolerance(exercise: Exercise, dtype, scale: float = 1.0) -> tuple[float, float]:
    """``(rtol, atol)`` for comparing results of ``dtype`` whose entries are about ``scale`` in size.

    float64: the exercise's ``rtol`` (1e-6 by default) is far above rounding
    (a few 1e-16 times the condition of the formula, so any correct way of
    writing it passes) and far below any real mistake (the known ones change
    values by 1e-3 or more); ``atol`` (1e-9) covers entries that are 0 in exact
    arithmetic and come out as 1e-17 (perpendicular vectors, ``1 + tanh`` at
    ``z = -40``).

    float32: each float32 operation rounds by up to half an ulp (eps32 / 2 ~
    6e-8); a learner's formula and the reference differ by a few operations,
    and a cancellation such as ``1 + tanh(z / 2)`` for very negative ``z`` turns
    the error of an intermediate of size ~1 into an *absolute* error of ~eps32
    on a tiny result. So float32 is compared with ``rtol = 32 eps32`` (3.8e-6)
    and ``atol = 32 eps32`` times the size of the values (at least 1), both
    above what float32 arithmetic produces and below every known mistake.
    """
    dtype = np.dtype(dtype)
    if dtype == np.float32 or dtype == np.float16:
        eps = float(np.finfo(dtype).eps)
        return max(exercise.rtol, 32 * eps), max(exercise.atol, 32 * eps * max(1.0, scale))
    return exercise.rtol, exercise.atol


def close(exercise: Exercise, expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Entry-wise: is ``got`` equal to ``expected`` within the tolerance of its dtype? (NaN equals NaN.)"""
    if expected.dtype.kind != "f" and got.dtype.kind != "f":
        return np.asarray(expected == got)
    finite = np.abs(expected[np.isfinite(expected)]) if expected.size else np.zeros(0)
    scale = float(finite.max()) if finite.size else 1.0
    dtype = got.dtype if got.dtype.kind == "f" else expected.dtype
    rtol, atol = tolerance(exercise, dtype, scale)
    e, g = expected.astype(np.float64), got.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)


# --------------------------------------------------------------------------- #
# Showing values
# --------------------------------------------------------------------------- #


def _digits_to_tell_apart(a, b) -> int:
    """The fewest significant digits (6 at least) at which ``a`` and ``b`` print differently."""
    for digits in range(6, 18):
        if f"{a:.{digits}g}" != f"{b:.{digits}g}":
            return digits
    return 17


def scalar_text(value, digits: int = 6) -> str:
    """One number as a learner reads it: True/False, an integer, or a float with ``digits`` digits."""
    value = np.asarray(value)
    if value.dtype.kind == "b":
        return str(bool(value))
    if value.dtype.kind in "iu":
        return str(int(value))
    return f"{float(value):.{digits}g}"


def array_text(value: np.ndarray, digits: int = 6, indent: str = "    ") -> str:
    """An array printed as numpy prints it: matrices as matrices, long ones cut with '...'."""
    if value.ndim == 0:
        return scalar_text(value, digits)
    with np.printoptions(precision=digits, floatmode="maxprec", threshold=48, edgeitems=3, linewidth=92,
                         suppress=False):
        text = np.array2string(value, separator=", ")
    if "\n" in text:
        return "\n" + "\n".join(indent + line for line in text.splitlines())
    return text


def describe(value) -> str:
    """What a result is, in a few words ("a tuple of 2: (array of shape (3,), None)")."""
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return value.description
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}: (" + ", ".join(describe(v) for v in value) + ")"
    if isinstance(value, dict):
        return "a dict with keys " + ", ".join(sorted(value))
    if value.ndim == 0:
        return f"{scalar_text(value)} ({value.dtype})"
    return f"an array of shape {value.shape} ({value.dtype})"


def _kind_words(dtype: np.dtype) -> str:
    return {"b": "booleans (True/False)", "i": "integers", "u": "integers", "f": "floats"}.get(dtype.kind,
                                                                                                 str(dtype))


# --------------------------------------------------------------------------- #
# Comparing
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Mismatch:
    """The first place where a learner's result differs from the reference.

    ``kind`` is one of ``"none"``, ``"unsupported"``, ``"structure"``,
    ``"shape"``, ``"dtype"``, ``"nonfinite"``, ``"values"``; ``where`` names the
    part (``""`` for the whole result); ``text`` is the sentence shown.
    """

    kind: str
    where: str
    expected: object
    got: object
    text: str


def input_float_dtypes(case: Case) -> set:
    return {a.dtype for _, a in labelled_data(case) if a.dtype.kind == "f"}


def _part_name(exercise: Exercise, index, path: str) -> str:
    if path:
        return f"{path}[{index!r}]"
    if isinstance(index, int) and exercise.output_names and index < len(exercise.output_names):
        return exercise.output_names[index]
    return f"part {index!r}" if isinstance(index, int) else repr(index)


def compare(exercise: Exercise, case: Case, expected, got, where: str = "") -> Mismatch | None:
    """The first :class:`Mismatch` between ``expected`` and ``got``, or None when they agree."""
    prefix = f"{where}: " if where else ""

    def mismatch(kind, text):
        return Mismatch(kind, where, expected, got, prefix + text)

    if got is None and expected is not None:
        return mismatch("none", "returned None: did you forget the `return` statement?")
    if isinstance(got, Unsupported):
        return mismatch("unsupported", f"returned {got.description}; expected {describe(expected)}")
    if isinstance(expected, tuple):
        if not isinstance(got, tuple):
            return mismatch("structure", f"returned {describe(got)}; expected {describe(expected)}")
        if len(got) != len(expected):
            names = f" ({', '.join(exercise.output_names)})" if exercise.output_names and not where else ""
            return mismatch("structure", f"returned {len(got)} values, expected {len(expected)}{names}")
        for i, (e, g) in enumerate(zip(expected, got)):
            found = compare(exercise, case, e, g, _part_name(exercise, i, where))
            if found:
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return mismatch("structure", f"returned {describe(got)}; expected {describe(expected)}")
        for key in expected:
            found = compare(exercise, case, expected[key], got[key], _part_name(exercise, key, where))
            if found:
                return found
        return None
    if expected is None:
        return None if got is None else mismatch("structure", f"returned {describe(got)}; expected None")
    if not isinstance(got, np.ndarray):
        return mismatch("structure", f"returned {describe(got)}; expected {describe(expected)}")
    if got.shape != expected.shape:
        return mismatch("shape", f"returned shape {got.shape}, expected {expected.shape}")
    if got.dtype != expected.dtype and (got.dtype.kind != expected.dtype.kind or expected.dtype.kind == "f"):
        return mismatch("dtype", _dtype_text(expected, got, input_float_dtypes(case)))
    if expected.dtype.kind == "f":
        expected_finite = np.isfinite(expected)
        if np.any(expected_finite & ~np.isfinite(got)):
            return mismatch("nonfinite", "returned inf or NaN where the answer is finite"
                            + _values_text(exercise, expected, got))
    ok = close(exercise, expected, got)
    if np.all(ok):
        return None
    return mismatch("values", "wrong " + ("value" if expected.ndim == 0 else "values")
                    + _values_text(exercise, expected, got, ok))


def _dtype_text(expected: np.ndarray, got: np.ndarray, inputs: set) -> str:
    text = f"returned {_kind_words(got.dtype)} of dtype {got.dtype}, expected {expected.dtype}"
    if expected.dtype.kind == "f" and got.dtype.kind == "f" and expected.dtype in inputs:
        text += f" (the input is {expected.dtype})"
    return text


def _values_text(exercise: Exercise, expected: np.ndarray, got: np.ndarray, ok: np.ndarray | None = None) -> str:
    if ok is None:
        ok = np.isfinite(got) | ~np.isfinite(expected)
    wrong = np.flatnonzero(~np.asarray(ok).ravel())
    first = np.unravel_index(int(wrong[0]), expected.shape) if expected.ndim and wrong.size else ()
    e, g = expected[first], got[first]
    digits = _digits_to_tell_apart(float(e), float(g)) if expected.dtype.kind == "f" and got.dtype.kind == "f" else 6
    if expected.ndim == 0:
        return f": expected {scalar_text(e, digits)}, got {scalar_text(g, digits)}"
    index = tuple(int(i) for i in first)
    count = (f"the only wrong entry of {expected.size}" if wrong.size == 1
             else f"the first of {wrong.size} wrong entries (of {expected.size})")
    shown = min(digits, 10)

    def block(label, value):
        text = array_text(value, shown)
        return f"  {label} (shape {value.shape}, {value.dtype}):{'' if text.startswith(chr(10)) else ' '}{text}"

    return (f" at index {index}, {count}: expected {scalar_text(e, digits)}, got {scalar_text(g, digits)}\n"
            + block("expected", expected) + "\n" + block("got     ", got))
