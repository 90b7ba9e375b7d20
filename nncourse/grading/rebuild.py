"""Rebuild, don't trust: a submission's answers in a fresh instructor notebook.

From a student's file only the *source of the answer cells* is taken, found by
exercise id in the cell metadata (never by position). Everything else comes
from the instructor notebook: every other cell, all metadata, the hidden
tests and the reference outputs nbval compares against. ``# NBVAL_...``
marker lines the student added are removed, and tags are never copied (the
instructor's cell metadata is used). Code cells the student added between an
answer cell and its check cell belong to that exercise and are appended to
its answer; cells added anywhere else are ignored.

A student file is read once (never through a link, never blocking on a FIFO),
checked for size, cell count and number of values *before* it is parsed, and
parsed as plain JSON with every type checked, so a corrupt, truncated, huge or
strange file gives a clear reason instead of an exception or a memory blow-up.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import notebook_format as nf
from ._files import read_regular_file

MAX_NOTEBOOK_BYTES = 20 * 2**20
#: Upper bounds checked on the raw bytes before parsing (a lesson has about 70 cells and
#: 5,000 JSON values): a small file of very many tiny values costs far more memory parsed.
MAX_CELLS = 2_000
MAX_JSON_VALUES = 200_000
MAX_ANSWER_CHARS = 200_000
# One submission is parsed at a time, so the grader's memory holds at most one parse.
_PARSE_LOCK = threading.Lock()


class SubmissionError(ValueError):
    """A submitted file cannot be read as a notebook; the message says why."""


@dataclass
class Answer:
    source: str | None  # None: nothing usable was found, the stub is graded
    note: str = ""


@dataclass
class Rebuilt:
    notebook: dict
    answers: dict = field(default_factory=dict)  # exercise id -> Answer


def read_submission_bytes(name, *, dir_fd: int | None = None, max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a submitted file, read once, never following a link or blocking on a FIFO."""
    try:
        return read_regular_file(name, max_bytes, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SubmissionError("it is a symbolic link; hand in the notebook file itself") from None
        if exc.errno == errno.EINVAL:
            raise SubmissionError("it is not a regular file (a FIFO, a device or a folder); hand in the "
                                  "notebook file itself") from None
        if exc.errno == errno.EFBIG:
            try:
                size = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_size
            except OSError:
                size = max_bytes + 1
            raise SubmissionError(_too_large(size, max_bytes)) from None
        raise SubmissionError(f"cannot read the file: {exc.strerror or exc}") from None


def _too_large(size: int, max_bytes: int) -> str:
    return (f"the file is {size / 2**20:.0f} MB, more than the {max_bytes / 2**20:.0f} MB limit: clear the "
            "outputs (Edit > Clear Outputs of All Cells) and save again")


def read_submission(path: Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> list[dict]:
    """The cells of the submitted notebook at ``path`` (see :func:`parse_submission`)."""
    return parse_submission(read_submission_bytes(os.fspath(path), max_bytes=max_bytes), max_bytes)


def parse_submission(data: bytes, max_bytes: int = MAX_NOTEBOOK_BYTES) -> list[dict]:
    """The code and text cells of a submitted notebook's bytes, as plain dicts.

    Every cell comes back as ``{"cell_type", "source", "metadata"}`` with
    checked types (a source is one string; metadata a dict). Accepts nbformat
    4 and 3 (and a UTF-8 byte-order mark); raises :class:`SubmissionError`
    with a reason a student can act on otherwise. Size, cell count and the
    number of JSON values are checked on the bytes, before parsing.
    """
    if len(data) > max_bytes:
        raise SubmissionError(_too_large(len(data), max_bytes))
    if not data:
        raise SubmissionError("the file is empty (0 bytes): it was not saved before it was handed in")
    cells = data.count(b'"cell_type"')
    if cells > MAX_CELLS:
        raise SubmissionError(f"the notebook has {cells:,} cells, more than the {MAX_CELLS:,} a lesson could "
                              "have: hand in the lesson's notebook")
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > MAX_JSON_VALUES:
        raise SubmissionError(f"the notebook holds about {values:,} JSON values, more than the "
                              f"{MAX_JSON_VALUES:,} allowed: clear the outputs and save again")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    with _PARSE_LOCK:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SubmissionError(f"the file is not UTF-8 text (byte {exc.start}): it is not a notebook, or it "
                                  "was damaged") from None
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
            raise SubmissionError(f"the file is not valid notebook JSON{where}: it is truncated or corrupt") from None
        del text
        return _cells_of(doc)


def _cells_of(doc) -> list[dict]:
    if not isinstance(doc, dict):
        raise SubmissionError(f"the file holds a JSON {type(doc).__name__}, not a notebook (a JSON object)")
    major = doc.get("nbformat")
    if major == 4:
        cells = doc.get("cells")
    elif major == 3:
        worksheets = doc.get("worksheets")
        cells = None
        if isinstance(worksheets, list):
            cells = [c for ws in worksheets if isinstance(ws, dict) and isinstance(ws.get("cells"), list)
                     for c in ws["cells"] if isinstance(c, dict)]
            for cell in cells:
                if cell.get("cell_type") == "code" and "source" not in cell:
                    cell["source"] = cell.get("input", "")
    else:
        shown = major if isinstance(major, int) and not isinstance(major, bool) else repr(major)[:20]
        raise SubmissionError(f"nbformat {shown} is not supported (expected a Jupyter notebook, nbformat 4)")
    if not isinstance(cells, list):
        raise SubmissionError("the notebook has no list of cells")
    return [{"cell_type": c.get("cell_type") if isinstance(c.get("cell_type"), str) else "",
             "source": nf.source_text(c),
             "metadata": c.get("metadata") if isinstance(c.get("metadata"), dict) else {}}
            for c in cells if isinstance(c, dict)]


def _grade_id(cell) -> str | None:
    grade_id = nf.nbgrader_meta(cell).get("grade_id")
    return grade_id if isinstance(grade_id, str) else None


def _find_answer(cells: list[dict], exercise_id: str, names: list[str]) -> Answer:
    code = [i for i, c in enumerate(cells) if c.get("cell_type") == "code"]
    by_id = [i for i in code if _grade_id(cells[i]) == exercise_id]
    note = ""
    if len(by_id) > 1:
        note = f"{len(by_id)} answer cells carry this exercise's id; the last one was graded"
    if by_id:
        start = by_id[-1]
        parts = [nf.source_text(cells[start])]
        check_at = [i for i in code if _grade_id(cells[i]) == exercise_id + nf.CHECK_SUFFIX and i > start]
        if check_at:
            parts += [nf.source_text(cells[i]) for i in code if start < i < check_at[0] and _grade_id(cells[i]) is None]
        source = "\n\n".join(p.rstrip("\n") for p in parts)
    else:
        by_name = [i for i in code if names and names[0] in nf.defined_names(nf.source_text(cells[i]))
                   and not str(_grade_id(cells[i]) or "").endswith(nf.CHECK_SUFFIX)]
        if not by_name:
            return Answer(None, "the answer cell is missing (deleted, or its exercise metadata removed and "
                                f"no cell defines {names[0] if names else 'the function'})")
        source = nf.source_text(cells[by_name[-1]])
        note = (f"the answer cell's exercise metadata was missing; the cell defining {names[0]} was graded")
    source = nf.strip_nbval_markers(source)
    if len(source) > MAX_ANSWER_CHARS:
        return Answer(None, f"the answer is {len(source):,} characters long (limit {MAX_ANSWER_CHARS:,})")
    return Answer(source, note)


def rebuild(instructor: dict, cells: list[dict], *, stubbed: set = frozenset()) -> Rebuilt:
    """The instructor notebook with the student's answer sources put in.

    ``stubbed`` exercises get the students' stub instead (used to grade the
    rest of a notebook after an answer killed the kernel).
    """
    nb = copy.deepcopy(instructor)
    result = Rebuilt(nb)
    for cell in nb.get("cells", []):
        if not nf.is_answer_cell(cell):
            continue
        exercise_id = nf.exercise_id_of(cell)
        instructor_source = nf.source_text(cell)
        answer = _find_answer(cells, exercise_id, nf.defined_names(instructor_source))
        result.answers[exercise_id] = answer
        if answer.source is None or exercise_id in stubbed:
            nf.set_source(cell, nf.stub_solution(instructor_source, exercise_id))
        else:
            nf.set_source(cell, answer.source)
    return result
