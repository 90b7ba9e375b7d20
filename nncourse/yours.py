"""Your own parts: the functions you wrote in earlier lessons, re-checked, ready to use.

Every exercise of the course is a part of one network: ``relu`` and
``softmax`` (lesson 02), ``dense_forward`` and ``forward_pass`` (03), the
losses (04), the backward pass (05), the optimisers (06), dropout and the
penalties (07). :func:`your_parts` collects *your* versions so that later
lessons can run on them::

    from nncourse.yours import your_parts

    mine = your_parts("05c_gradient_checking", namespace=globals())
    mine                      # a table: every part, yours or the reference, and why
    mine.dense_backward(dZ, cache)

How a part is chosen, for every exercise of the lessons up to ``lesson``:

1. **Read**, never copied: the answer cell is found *by its exercise id* (the
   cell's nbgrader metadata) in your saved notebook of that lesson, in the
   folder of the notebook you are running (``folder``, by default the current
   directory, which is where Jupyter starts a notebook's kernel). Code cells
   you added between an answer cell and its check cell belong to the answer,
   as when grading. For the lesson you are in, pass ``namespace=globals()``
   and the functions defined in your running notebook are used instead of
   the saved file (which may be older than what you just ran).
2. **Run** in a fresh namespace of its own, after the import statements of
   that lesson's set-up cells: nothing else of the notebook runs again.
3. **Re-checked** with the exercise's own check, on fresh cases.
4. **Used** if the check passes; otherwise the package's reference takes its
   place, and the table says why (not attempted, failed and the first line of
   the reason, an error while running the cell, no notebook found).

A notebook opened on its own (no lesson notebooks next to it) gets the
reference for every earlier part, and the table says so. Your code runs only
here, in your own kernel; a grader never runs this (each graded notebook runs
alone, so it sees the reference parts, and the grader judges outside the
kernel anyway).

Not here: parts are looked up by the names the course's stubs give them; a
function you renamed is not found (the table says "not found").
"""

from __future__ import annotations

import ast
import contextlib
import functools
import html
import io
import json
import re
import signal
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = ["your_parts", "Parts", "Part"]

#: A part whose check takes longer than this (seconds) is not used.
CHECK_SECONDS = 30
#: A lesson notebook larger than this is not read (it would be mostly outputs).
MAX_NOTEBOOK_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Part:
    """One exercise's function or class, and where it came from.

    ``source`` is ``"yours"`` or ``"reference"``; ``status`` is ``"passed"``,
    ``"not attempted"``, ``"failed"``, ``"error"``, ``"not found"`` or
    ``"no notebook"``; ``detail`` says more (the first line of a failure).
    """

    exercise_id: str
    lesson: str
    name: str
    obj: object
    source: str
    status: str
    detail: str = ""


class Parts:
    """Your parts, by function name (``mine.relu``), with a table of where each came from."""

    def __init__(self, parts: list[Part], notes: list[str]):
        self._parts = {p.name: p for p in parts}
        self.notes = list(notes)

    def __getattr__(self, name: str):
        parts = self.__dict__.get("_parts", {})
        if name in parts:
            return parts[name].obj
        raise AttributeError(f"no part named {name!r}; the parts are {', '.join(sorted(parts)) or '(none)'}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parts))

    def __contains__(self, name: str) -> bool:
        return name in self._parts

    def part(self, name: str) -> Part:
        """The :class:`Part` behind ``mine.<name>``."""
        if name not in self._parts:
            raise KeyError(f"no part named {name!r}; the parts are {', '.join(sorted(self._parts))}")
        return self._parts[name]

    @property
    def rows(self) -> list[Part]:
        return list(self._parts.values())

    @property
    def yours(self) -> list[str]:
        """Names of the parts that are your own code."""
        return [p.name for p in self._parts.values() if p.source == "yours"]

    def _table(self) -> list[tuple[str, str, str, str, str]]:
        return [(p.lesson.split("_")[0], p.exercise_id, p.name, p.source,
                 p.status + (f": {p.detail}" if p.detail else "")) for p in self._parts.values()]

    def __repr__(self) -> str:
        rows = [("lesson", "exercise", "part", "used", "check")] + self._table()
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(r[:4], widths)) + "  " + r[4] for r in rows]
        lines.append(f"{len(self.yours)} of {len(self._parts)} parts are yours; the others are the reference.")
        return "\n".join(self.notes + lines)

    def _repr_html_(self) -> str:
        e = html.escape
        colour = {"yours": "#0a6b0a", "reference": "#8a5a00"}
        # JupyterLab right-aligns table cells (made for numbers); these are words.
        left = 'style="text-align:left"'
        body = "".join(
            f"<tr><td {left}>{e(lesson)}</td><td {left}><code>{e(ex)}</code></td><td {left}><code>{e(name)}</code></td>"
            f"<td style=\"text-align:left;color:{colour[used]};font-weight:bold\">{e(used)}</td>"
            f"<td {left}>{e(check)}</td></tr>"
            for lesson, ex, name, used, check in self._table())
        notes = "".join(f"<p>{e(n)}</p>" for n in self.notes)
        head = "".join(f"<th {left}>{h}</th>" for h in ("lesson", "exercise", "part", "used", "check"))
        return (f"{notes}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{len(self.yours)} of {len(self._parts)} parts are yours; the others are the reference.</p>")


# --------------------------------------------------------------------------- #
# Reading a lesson notebook
# --------------------------------------------------------------------------- #


def _meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    nbgrader = meta.get("nbgrader")
    return nbgrader if isinstance(nbgrader, dict) else {}


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _read_cells(path: Path) -> list[dict]:
    """The cells of a notebook file; ValueError with the reason when it cannot be read."""
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError(f"{path.name} is not a readable notebook") from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{path.name} has no list of cells")
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]


def _answer_sources(cells: list[dict]) -> dict[str, str]:
    """Exercise id -> the answer cell's source plus code cells added before its check cell."""
    answers: dict[str, str] = {}
    for i, cell in enumerate(cells):
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        if not (meta.get("solution") and not meta.get("grade") and isinstance(grade_id, str)):
            continue
        parts = [_source(cell)]
        for later in cells[i + 1:]:
            later_id = _meta(later).get("grade_id")
            if later_id is not None:
                break
            parts.append(_source(later))
        answers[grade_id] = "\n\n".join(p.rstrip("\n") for p in parts)
    return answers


def _setup_imports(cells: list[dict]) -> str:
    """The import statements of a lesson's code cells that are not exercises (magics skipped)."""
    statements = []
    for cell in cells:
        if _meta(cell).get("grade_id") is not None:
            continue
        text = "\n".join(line for line in _source(cell).splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        statements += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(dict.fromkeys(statements))


_DEFINED = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)


@functools.lru_cache(maxsize=1)
def answer_names() -> dict[str, tuple[str, ...]]:
    """Exercise id -> the names its answer cell defines (``("relu",)``), from the course's notebooks.

    The stubs in your copies keep these names, so they are how a part is found.
    """
    from nncourse.checks import EXERCISES
    from nncourse.grading.release import instructor_notebooks

    names = {}
    try:
        paths = instructor_notebooks()
        for path in paths:
            for exercise_id, source in _answer_sources(_read_cells(path)).items():
                if exercise_id in EXERCISES:
                    names[exercise_id] = tuple(_DEFINED.findall(source)[: EXERCISES[exercise_id].n_objects])
    except (OSError, ValueError):
        # An installation without the course's notebooks (a kernel somewhere else): the names
        # then come from the learner's own cell or the reference (see _names).
        return {}
    return names


def _names(exercise, source: str | None = None) -> tuple:
    """The names an exercise's answer defines: from the course's notebooks, else the cell, else the reference."""
    names = answer_names().get(exercise.id)
    if names:
        return names
    found = tuple(_DEFINED.findall(source or "")[: exercise.n_objects])
    if len(found) == exercise.n_objects:
        return found
    return tuple(getattr(obj, "__name__", exercise.id) for obj in exercise.reference_objects())


def _is_stub(source: str, exercise_id: str) -> bool:
    return f'raise NotImplementedError("{exercise_id}:' in source


# --------------------------------------------------------------------------- #
# Checking a part
# --------------------------------------------------------------------------- #


class _TookTooLong(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception`` (the learner's, or the
    check's own, which records an error per case and carries on) can swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Stop a check that runs too long (only possible in the main thread, where a kernel runs cells)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise _TookTooLong()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _recheck(exercise, objects: tuple) -> tuple[str, str]:
    """``(status, detail)`` of the exercise's own check on fresh cases."""
    from nncourse.checks import run_checks

    sink = io.StringIO()
    try:
        with _time_limit(CHECK_SECONDS), warnings.catch_warnings(), \
                contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            report = run_checks(exercise.id, *objects)
    except _TookTooLong:
        return "failed", f"its check took longer than {CHECK_SECONDS} s"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a learner's object may break the check, or call exit()
        return "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    if report.passed:
        return "passed", ""
    if report.not_attempted:
        return "not attempted", ""
    first = report.message().split(": ", 1)[-1].splitlines()[0]
    return "failed", first[:200]


def _load_from_source(exercise, names: list[str], source: str, namespace: dict, lesson: str):
    """Run an answer cell's source in ``namespace``; return its objects or an error string."""
    try:
        code = compile(source, f"<your answer to {exercise.id} in {lesson}>", "exec")
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), _time_limit(CHECK_SECONDS):
            warnings.simplefilter("ignore")
            exec(code, namespace)  # noqa: S102 - the learner's own code, in the learner's own kernel
    except _TookTooLong:
        return f"running the cell took longer than {CHECK_SECONDS} s"
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit and the like included: report, never stop
        return f"running the cell raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
    missing = [n for n in names if n not in namespace]
    if missing:
        return f"the cell does not define {', '.join(missing)}"
    return tuple(namespace[n] for n in names)


def _lesson_parts(lesson: str, exercises: list, folder: Path | None, namespace: dict | None,
                  earlier: list | None = None) -> tuple[list, list]:
    """The parts of one lesson, and notes for the table.

    A saved lesson's answers run with ``mine`` bound to the parts of the lessons
    before it (``earlier``), as in the lesson's own kernel, where a "your parts"
    cell defines ``mine`` before the answers that use it (lesson 08's).
    """
    parts, notes = [], []
    reference = {e.id: e.reference_objects() for e in exercises}

    def fallback(exercise, names, status, detail=""):
        for name, obj in zip(names, reference[exercise.id]):
            parts.append(Part(exercise.id, lesson, name, obj, "reference", status, detail))

    if namespace is not None:
        for exercise in exercises:
            names = _names(exercise)
            objects = tuple(namespace.get(n) for n in names)
            if any(o is None for o in objects):
                fallback(exercise, names, "not found", f"{', '.join(names)} is not defined in this notebook")
                continue
            status, detail = _recheck(exercise, objects)
            if status == "passed":
                parts += [Part(exercise.id, lesson, n, o, "yours", status) for n, o in zip(names, objects)]
            else:
                fallback(exercise, names, status, detail)
        return parts, notes

    path = (folder or Path.cwd()) / f"{lesson}.ipynb"
    try:
        cells = _read_cells(path)
    except FileNotFoundError:
        for exercise in exercises:
            fallback(exercise, _names(exercise), "no notebook", f"{lesson}.ipynb not found")
        return parts, notes
    except (OSError, ValueError) as exc:
        for exercise in exercises:
            fallback(exercise, _names(exercise), "error", str(exc)[:200])
        return parts, notes

    answers = _answer_sources(cells)
    shared = {"__name__": f"nncourse_yours_{lesson}", "mine": Parts(list(earlier or []), [])}
    imports = _setup_imports(cells)
    if imports:
        with contextlib.suppress(Exception):
            exec(compile(imports, f"<set-up imports of {lesson}>", "exec"), shared)  # noqa: S102
    for exercise in exercises:
        source = answers.get(exercise.id)
        names = _names(exercise, source)
        if source is None:
            fallback(exercise, names, "not found", "no answer cell with this exercise id")
            continue
        if _is_stub(source, exercise.id):
            fallback(exercise, names, "not attempted")
            continue
        loaded = _load_from_source(exercise, names, source, shared, lesson)
        if isinstance(loaded, str):
            fallback(exercise, names, "error", loaded)
            continue
        status, detail = _recheck(exercise, loaded)
        if status == "passed":
            parts += [Part(exercise.id, lesson, n, o, "yours", status) for n, o in zip(names, loaded)]
        else:
            fallback(exercise, names, status, detail)
    return parts, notes


def your_parts(lesson: str, *, namespace: dict | None = None, folder=None) -> Parts:
    """Your parts from every lesson up to and including ``lesson``.

    Parameters
    ----------
    lesson : str
        The lesson you are in, e.g. ``"05c_gradient_checking"``: its parts and those of
        every earlier lesson are collected.
    namespace : dict, optional
        Pass ``globals()`` to take this lesson's parts from the running
        notebook (the functions as you last ran them) instead of its saved file.
    folder : path, optional
        Where your lesson notebooks are (default: the current directory, the
        running notebook's folder in Jupyter).

    Returns
    -------
    Parts
        ``mine.<function name>`` is your function where it passed its check,
        the reference otherwise; displaying ``mine`` shows the table.
    """
    from nncourse import course
    from nncourse.checks import EXERCISES

    if not isinstance(lesson, str):
        raise TypeError(f"lesson must be a lesson name such as '05c_gradient_checking', got {type(lesson).__name__}")
    lessons = sorted({e.lesson for e in EXERCISES.values()}, key=course.lesson_key)
    if lesson not in lessons:
        raise ValueError(f"lesson must be one of {lessons}, got {lesson!r}")
    if namespace is not None and not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict such as globals(), got {type(namespace).__name__}")
    folder = Path(folder) if folder is not None else None
    if folder is not None and not folder.is_dir():
        raise ValueError(f"folder must be an existing folder of lesson notebooks, got {str(folder)!r}")

    parts, notes = [], []
    wanted = lessons[: lessons.index(lesson) + 1]
    here = folder or Path.cwd()
    to_read = [name for name in wanted if name != lesson or namespace is None]
    if to_read and not any((here / f"{name}.ipynb").is_file() for name in to_read):
        notes.append(f"No lesson notebooks found next to this one ({here}): every earlier part is the "
                     "reference. Open this notebook from your workspace to use your own parts.")
    for name in wanted:
        exercises = [e for e in EXERCISES.values() if e.lesson == name]
        found, lesson_notes = _lesson_parts(name, exercises, folder, namespace if name == lesson else None, parts)
        parts += found
        notes += lesson_notes
    return Parts(parts, notes)
