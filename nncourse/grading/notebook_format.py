"""How the course's notebooks mark exercises, and the edits made to them.

An exercise is a pair of code cells carrying nbgrader metadata (schema 3):

* the **answer cell** (``solution: true``, ``grade_id`` = the exercise id) holds
  the function with its body between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``;
* the **check cell** (``grade: true``, ``locked: true``, ``points``,
  ``grade_id`` = ``<exercise id>-check``) calls ``nncourse.checks.check``, and
  may hold ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` regions that
  the students' copies do not show.

Everything here works on ``nbformat`` notebook nodes and plain strings, and is
shared by ``nncourse release``, ``nncourse check``, ``nncourse grade`` and the
tests, so that they all agree on what an exercise is. Cells are always found
by their metadata, never by their position.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CHECK_SUFFIX = "-check"

_SOLUTION_RE = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*$", re.M | re.S)
_HIDDEN_RE = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*(\n|\Z)",
                        re.M | re.S)


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata ({} when missing or not a mapping, as in a damaged file)."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def is_answer_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_check_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def exercise_id_of(cell) -> str | None:
    """The exercise a cell belongs to (answer or check), or None."""
    grade_id = nbgrader_meta(cell).get("grade_id")
    if not isinstance(grade_id, str):
        return None
    if is_check_cell(cell) and grade_id.endswith(CHECK_SUFFIX):
        return grade_id[: -len(CHECK_SUFFIX)]
    if is_answer_cell(cell):
        return grade_id
    return None


def exercises_in(nb) -> list[str]:
    """Exercise ids in notebook order (by their answer cells)."""
    return [exercise_id_of(c) for c in nb["cells"] if is_answer_cell(c) and exercise_id_of(c)]


def stub_solution(source: str, exercise_id: str) -> str:
    """Replace every solution region with a stub that raises NotImplementedError."""

    def stub(match: re.Match) -> str:
        indent = match.group("indent")
        return (f"{indent}# YOUR CODE HERE\n"
                f"{indent}raise NotImplementedError(\"{exercise_id}: replace this line with your code\")")

    return _SOLUTION_RE.sub(stub, source)


def remove_hidden_tests(source: str) -> str:
    """Drop hidden-test regions (marker lines included)."""
    return _HIDDEN_RE.sub("", source)


def has_solution_region(source: str) -> bool:
    return bool(_SOLUTION_RE.search(source))


# --------------------------------------------------------------------------- #
# Raw notebook JSON (release and grading work on the file's own JSON, so that a
# student's copy is byte-for-byte reproducible and a student's file is never
# trusted to be a valid notebook)
# --------------------------------------------------------------------------- #

_NBVAL_MARKER_RE = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*\n?", re.M)
_DEFINED_RE = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)


def source_text(cell) -> str:
    """A cell's source as one string (the file may store a list of lines)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def set_source(cell, text: str) -> None:
    """Store ``text`` as nbformat writes it: a list of lines."""
    cell["source"] = text.splitlines(keepends=True)


def clear_outputs(cell) -> None:
    """No outputs and no execution count: nbval then compares nothing for it."""
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None


def strip_nbval_markers(source: str) -> str:
    """Remove ``# NBVAL_...`` marker lines (a student's must not steer the grader)."""
    return _NBVAL_MARKER_RE.sub("", source)


def defined_names(source: str) -> list[str]:
    """Top-level functions and classes a cell defines, in order."""
    return _DEFINED_RE.findall(source)


# A diagram as the instructor notebooks link it: ``![alt text](../images/NAME.png)``.
_COURSE_IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\.\./images/(?P<name>[A-Za-z0-9_.-]+)\)")
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
                ".svg": "image/svg+xml"}


def attach_images(nb: dict, notebook_folder: Path) -> dict:
    """Make every markdown cell's ``![alt](../images/NAME)`` a cell attachment (in place; returns ``nb``).

    The link becomes ``![alt](attachment:NAME)`` and the file's bytes, base64, go in
    the cell's ``attachments`` (nbformat 4's own mechanism), so the diagram travels
    with the notebook: a copy opened alone, in JupyterLab, in an nbgrader handout or
    exported with nbconvert shows it with no folder beside it. The same files
    always give the same attachments. ``notebook_folder`` is the folder the links
    are relative to (the instructor notebook's). A missing file, or a link to
    ``../images/`` in any other form, raises ``ValueError`` rather than leave a
    broken figure behind.
    """
    images = Path(notebook_folder) / ".." / "images"
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = source_text(cell)
        if "../images/" not in text:
            continue
        names: list[str] = []

        def to_attachment(match: re.Match) -> str:
            names.append(match["name"])
            return f"![{match['alt']}](attachment:{match['name']})"

        text = _COURSE_IMAGE_RE.sub(to_attachment, text)
        if "../images/" in text:
            line = next(line for line in text.splitlines() if "../images/" in line)
            raise ValueError(f"a markdown cell links to ../images/ in a form that cannot be made an attachment "
                             f"(expected ![alt text](../images/NAME.png)): {line.strip()[:200]}")
        attachments = cell.get("attachments") if isinstance(cell.get("attachments"), dict) else {}
        for name in sorted(set(names)):
            path = images / name
            mime = _IMAGE_TYPES.get(path.suffix.lower())
            if mime is None:
                raise ValueError(f"../images/{name}: expected an image file ({', '.join(_IMAGE_TYPES)}), got {name!r}")
            if not path.is_file():
                raise ValueError(f"../images/{name}: the diagram is not at {path.resolve()}")
            attachments[name] = {mime: base64.b64encode(path.read_bytes()).decode("ascii")}
        cell["attachments"] = attachments
        set_source(cell, text)
    return nb


def dumps_notebook(nb: dict) -> str:
    """Serialise notebook JSON exactly as ``nbformat.write`` does (stable bytes)."""
    import json

    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
