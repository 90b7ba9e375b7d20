"""Running the learner's code on a case and keeping only plain data.

:func:`run_student` calls the learner's object(s) on a *copy* of a case and
turns whatever came back into plain data (:func:`to_plain`): numeric numpy
arrays in tuples and dicts, or the error raised. Next to it the
:class:`Outcome` keeps the warnings emitted, a few notes the checker made
while the learner's objects were still at hand (a result that *is* one of the
arguments), and every piece of the case's data as it was after the call,
lists and arrays inside lists included (:func:`data_snapshot`), so that an
argument modified in place shows. Nothing of the learner's objects survives
this step: the judgement (:mod:`._judging`) only ever sees plain data, in the
kernel or in the grader's own process.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import sysconfig
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._definitions import Case, Exercise

#: Largest number of array elements a learner's result may have.
MAX_RESULT_ELEMENTS = 2_000_000

#: Notes the checker adds to an outcome's warnings start with this.
NOTE = "nncourse-note: "
ALIAS_NOTE = NOTE + "the result{where} is one of the arguments (or a view of it)"


@dataclass(frozen=True)
class Unsupported:
    """A result that is not plain numeric data (a generator, a string, ...)."""

    description: str


@dataclass(frozen=True)
class Raised:
    """The learner's code raised an exception.

    ``where`` is the learner's own lines the error came through (:func:`learner_lines`),
    shown under the message; two errors that differ only there are the same error.
    """

    type_name: str
    message: str
    where: str = field(default="", compare=False)

    def text(self) -> str:
        """``raised TYPE: message``, then the learner's lines it came through."""
        return f"raised {self.type_name}: {self.message}" + (f"\n{self.where}" if self.where else "")


# --------------------------------------------------------------------------- #
# What a learner is shown of an error: their own code, not ours
# --------------------------------------------------------------------------- #

def _library_roots() -> tuple[str, ...]:
    """Folders of code that is not the learner's: nncourse's checkout or install, the standard library,
    site-packages, the interpreter's prefixes (longest first, so the most specific one names a path)."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    paths = sysconfig.get_paths()
    roots = {here, sys.prefix, sys.base_prefix, sys.exec_prefix,
             *(paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib"))}
    return tuple(sorted({os.path.realpath(r) for r in roots if r} | {r for r in roots if r}, key=len, reverse=True))


_LIBRARY_ROOTS = _library_roots()
_ABSOLUTE_PATH = re.compile(r"/[^\s'\"()<>,:;]+")
MAX_LEARNER_FRAMES = 3


def _library_root_of(path: str) -> str | None:
    return next((root for root in _LIBRARY_ROOTS if path == root or path.startswith(root.rstrip("/") + "/")), None)


def learner_facing(text: str) -> str:
    """``text`` with every path into the course's or Python's own files cut to its part below that folder.

    ``cannot import name 'x' from 'nncourse.linalg' (/home/grader/.venv/.../nncourse/linalg.py)``
    becomes ``... (nncourse/linalg.py)``: the learner sees which module, not where the grader keeps it.
    Paths the learner's own code named (``/data/x.txt``) are theirs and stay.
    """
    def cut(match: re.Match) -> str:
        path = match.group(0)
        root = _library_root_of(path)
        return path if root is None else (os.path.relpath(path, root) if path != root else "...")

    return _ABSOLUTE_PATH.sub(cut, text)


def learner_lines(exc: BaseException) -> str:
    """The lines of the learner's own code an error came through, innermost last (at most a few).

    Frames in nncourse, numpy, the standard library or anything else installed are left
    out (their file paths too): what remains are the learner's cells, each shown as
    ``  in NAME, line N of its cell: SOURCE``, a frame that repeats (a recursion) once with
    its count.
    """
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if _library_root_of(os.path.abspath(f.filename)) is None and not f.filename.startswith("<frozen ")]
    shown: list[list] = []
    for frame in frames:
        key = (frame.filename, frame.lineno, frame.name)
        if shown and shown[-1][0] == key:
            shown[-1][2] += 1
        else:
            shown.append([key, frame, 1])
    lines = []
    for _key, frame, count in shown[-MAX_LEARNER_FRAMES:]:
        source = (frame.line or "").strip()
        lines.append(f"  in {frame.name}, line {frame.lineno} of its cell" + (f": {source[:200]}" if source else "")
                     + (f"  (repeated {count} times)" if count > 1 else ""))
    return "\n".join(lines)


@dataclass(frozen=True)
class Outcome:
    """Everything the checker keeps of one call of the learner's code."""

    result: object  # plain data, Raised or Unsupported
    inputs_after: tuple  # data_snapshot of the case's arguments after the call
    warnings: tuple = ()  # "RuntimeWarning: overflow encountered in exp", notes (NOTE ...)


class ArgumentModified(Exception):
    """Raised by an exercise's ``run`` when the learner changed an argument that ``run`` made."""


def _count_elements(value) -> int:
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, tuple):
        return sum(_count_elements(v) for v in value)
    if isinstance(value, dict):
        return sum(_count_elements(v) for v in value.values())
    return 0


def _type_name(value) -> str:
    kind = type(value)
    return f"a {kind.__name__}" if kind.__module__ == "builtins" else f"a {kind.__module__}.{kind.__qualname__} object"


def to_plain(value, _depth: int = 0):
    """Turn a learner's result into plain data: numeric arrays in tuples/dicts.

    Scalars become 0-d arrays; lists become arrays when they are numeric,
    tuples otherwise; ``None`` stays ``None``. Anything else (strings,
    generators, objects with odd ``__eq__``) becomes :class:`Unsupported`, so
    that nothing the learner defined takes part in the comparison. A tuple or
    dict with one unsupported item is described as such ("a tuple of 2 whose
    item 1 is a str"), not as that item.
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
        bad = [(i, p) for i, p in enumerate(parts) if isinstance(p, Unsupported)]
        if bad:
            i, p = bad[0]
            return Unsupported(f"a tuple of {len(parts)} whose item {i} is {p.description}")
        if _count_elements(parts) > MAX_RESULT_ELEMENTS:
            return Unsupported("a result with far more numbers than expected")
        return parts
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or len(value) > 64:
            return Unsupported("a dict whose keys are not a few strings")
        parts = {k: to_plain(v, _depth + 1) for k, v in value.items()}
        bad = [(k, p) for k, p in parts.items() if isinstance(p, Unsupported)]
        if bad:
            k, p = bad[0]
            return Unsupported(f"a dict whose item {k!r} is {p.description}")
        return parts
    return Unsupported(_type_name(value))


def copy_case(case: Case) -> Case:
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


def _is_number(v) -> bool:
    return isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating))


def _walk_data(value, origin: str, out: list) -> None:
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            out.append((origin, np.array(value, copy=True)))
    elif isinstance(value, (list, tuple)):
        if value and all(_is_number(v) for v in value):
            out.append((origin, np.array(value)))
            return
        if isinstance(value, list):  # a list can change its length in place
            out.append((origin, np.array(len(value))))
        for item in value:
            _walk_data(item, origin, out)
    elif isinstance(value, dict):
        for key in sorted(value, key=str):
            _walk_data(value[key], origin, out)


def labelled_data(case: Case) -> list:
    """``(argument position or keyword, array)`` for every piece of data in ``case``, in a fixed order.

    Arrays anywhere in the arguments (inside lists, tuples and dicts too),
    numeric lists as arrays, and the length of every other list: enough to see
    any change a learner makes in place (``W **= 2`` on a weight inside
    ``params``, ``layer_sizes.pop()``).
    """
    out: list = []
    for i, arg in enumerate(case.args):
        _walk_data(arg, str(i), out)
    for key, arg in case.kwargs.items():
        _walk_data(arg, key, out)
    return out


def data_snapshot(case: Case) -> tuple:
    """The arrays of :func:`labelled_data`, without their labels (what an :class:`Outcome` keeps)."""
    return tuple(a for _, a in labelled_data(case))


def _arrays_in(value, path: str = ""):
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _arrays_in(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield from _arrays_in(v, f"{path}[{k!r}]")


def _alias_notes(value, case: Case) -> tuple:
    inputs = [a for _, a in _arrays_in((case.args, case.kwargs))]
    notes = []
    for where, arr in _arrays_in(value):
        if any(np.may_share_memory(arr, a) for a in inputs):
            notes.append(ALIAS_NOTE.format(where=where))
    return tuple(notes[:5])


@contextlib.contextmanager
def _overflow_always_reported():
    """Keep numpy reporting overflow even if the learner's code asks it not to.

    The stable exercises promise code that never overflows; a learner's own
    ``with np.errstate(over="ignore")`` (or ``np.seterr``) would hide the
    overflow of a textbook formula whose values happen to come out right. For
    the duration of the call both become no-ops (the checker's own setting,
    "warn", stays in force); they are restored afterwards.
    """
    real_errstate, real_seterr = np.errstate, np.seterr

    class errstate(real_errstate):  # noqa: N801 - it stands in for np.errstate
        def __init__(self, **kwargs):
            super().__init__(**{k: v for k, v in kwargs.items() if k == "call"})

    def seterr(**kwargs):
        return real_seterr()

    np.errstate, np.seterr = errstate, seterr
    try:
        yield
    finally:
        np.errstate, np.seterr = real_errstate, real_seterr


def _default_run(objects, case):
    return objects[0](*case.args, **case.kwargs)


def run_student(exercise: Exercise, objects: tuple, case: Case) -> Outcome:
    """Call the learner's object(s) on a copy of ``case``; keep only plain data.

    Printing is swallowed (a debugging ``print`` must not change a check
    cell's output) and warnings are recorded rather than shown.
    """
    case = copy_case(case)
    run = exercise.run or _default_run
    sink = io.StringIO()
    notes: tuple = ()
    unsilenced = _overflow_always_reported() if exercise.forbid_overflow else contextlib.nullcontext()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), unsilenced:
                value = run(objects, case)
            notes = _alias_notes(value, case)
            result = to_plain(value)
        except Exception as exc:  # noqa: BLE001 - any error of the learner's is reported
            result = Raised(type(exc).__name__, learner_facing(str(exc))[:500], learner_lines(exc)[:1000])
    seen = tuple(f"{w.category.__name__}: {w.message}" for w in caught)
    return Outcome(result, data_snapshot(case), seen + notes)


def reference_result(exercise: Exercise, case: Case):
    """The reference's plain result on ``case`` (computed on a copy; any warning is a bug)."""
    run = exercise.run or _default_run
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return to_plain(run(exercise.reference_objects(), copy_case(case)))


def exercise_rng(exercise_id: str, seed: int | None) -> np.random.Generator:
    """Fresh entropy in a notebook; a reproducible stream per exercise when grading."""
    if seed is None:
        return np.random.default_rng()
    key = [int(seed)] + [ord(c) for c in exercise_id]
    return np.random.default_rng(key)
