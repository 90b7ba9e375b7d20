"""The lesson notebooks as documents: exercise anatomy, metadata, and blank answers.

nbval itself (strict comparison of every cell) runs on notebooks/ through the
pytest configuration; this file checks what nbval cannot:

* every exercise is an answer cell and a check cell with nbgrader metadata,
  found by id (never by position), with the points of ``nncourse.checks.EXERCISES``;
* Run All on a released copy (every answer the students' stub) runs every
  cell: only the check cells raise, each with a "not attempted" panel — a
  check that passes a blank answer is broken, and a later cell that breaks
  because an exercise is unfinished must use the package's version instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from nncourse import course
from nncourse.grading import notebook_format as nf
from nncourse.checks import EXERCISES
from nncourse.grading.release import student_copy_text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = course.lessons(ROOT / "notebooks")
LESSONS = sorted({e.lesson for e in EXERCISES.values()})


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_there_are_lessons():
    assert NOTEBOOKS, "no lesson notebooks found in notebooks/"


def test_every_lesson_with_a_demo_shows_it_in_one_of_its_parts():
    """Lessons 01-07 each have a demo (nncourse.widgets, in lesson order); a lesson in parts shows it once."""
    from nncourse.widgets import _DEMOS

    for number, demo in enumerate(_DEMOS, start=1):
        parts = [p for p in NOTEBOOKS if p.name[:2] == f"{number:02d}"]
        calls = [p.name for p in parts for c in _read(p).cells
                 if c.cell_type == "code" and re.search(rf"^(\w+\s*=\s*)?[\w.]*\b{demo}\(", c.source, re.M)]
        assert len(calls) == 1, f"lesson {number:02d} ({', '.join(p.name for p in parts)}): {demo}() shown in {calls}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercise_anatomy(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernelspec must be python3"
    answers = {nf.exercise_id_of(c): c for c in nb.cells if nf.is_answer_cell(c)}
    check_cells = {nf.exercise_id_of(c): c for c in nb.cells if nf.is_check_cell(c)}
    assert set(answers) == set(check_cells), f"answer and check cells must pair up: {set(answers) ^ set(check_cells)}"
    registered = {e.id for e in EXERCISES.values() if e.lesson == path.stem}
    assert set(answers) == registered, (
        f"notebook exercises {sorted(answers)} differ from those registered for {path.stem}: {sorted(registered)}")
    for exercise_id, cell in answers.items():
        meta = nf.nbgrader_meta(cell)
        assert meta.get("schema_version") == 3 and meta.get("locked") is False
        assert nf.has_solution_region(cell.source), f"{exercise_id}: answer cell needs a solution region"
    for exercise_id, cell in check_cells.items():
        meta = nf.nbgrader_meta(cell)
        assert meta.get("schema_version") == 3 and meta.get("locked") is True
        assert meta.get("points") == EXERCISES[exercise_id].points, f"{exercise_id}: points differ from EXERCISES"
        assert re.search(rf"check\(\s*['\"]{re.escape(exercise_id)}['\"]", cell.source), (
            f"{exercise_id}: the check cell must call check({exercise_id!r}, ...)")
    position = {id(c): i for i, c in enumerate(nb.cells)}
    for exercise_id in answers:
        assert position[id(answers[exercise_id])] < position[id(check_cells[exercise_id])], (
            f"{exercise_id}: the answer cell must come before its check cell")


def test_every_registered_exercise_is_in_its_notebook():
    stems = {p.stem for p in NOTEBOOKS}
    missing = sorted(e.id for e in EXERCISES.values() if e.lesson not in stems)
    assert not missing, f"exercises registered for lessons without a notebook: {missing}"


# nbval's cell tags; the equivalent "# NBVAL_..." comments would be shown to learners and on slides.
NBVAL_TAGS = {"nbval-ignore-output", "nbval-check-output", "nbval-skip", "raises-exception"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbval_markers_are_cell_tags_not_comments(path):
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        assert nf.strip_nbval_markers(cell.source) == cell.source, (
            f"cell {index} ({cell.get('id')}) has a '# NBVAL_...' comment: use the cell tag instead "
            f"(one of {sorted(NBVAL_TAGS)})")
        unknown = [t for t in cell.metadata.get("tags", []) if t.startswith("nbval") and t not in NBVAL_TAGS]
        assert not unknown, f"cell {index} ({cell.get('id')}): unknown nbval tags {unknown}"


def test_grade_ids_are_unique_across_the_course():
    seen = {}
    for path in NOTEBOOKS:
        for cell in _read(path).cells:
            grade_id = nf.nbgrader_meta(cell).get("grade_id")
            if grade_id:
                assert grade_id not in seen, f"grade_id {grade_id!r} in {path.name} and {seen[grade_id]}"
                seen[grade_id] = path.name


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_on_a_released_copy_runs_every_cell(path, tmp_path):
    """Run All on a fresh students' copy, in a workspace where half the other lessons are solved.

    nbclient stops at the first cell that raises unless it carries the
    ``raises-exception`` tag (as JupyterLab's Run All does), so the run
    reaching the end proves that only check cells raise; each of them must
    raise, say "not attempted" (a check that passes a blank answer is broken)
    and show a panel, not the check's traceback.
    """
    from nbclient import NotebookClient

    # Every other lesson solved (the instructor's copy), the rest and this one fresh: the
    # "your parts" cells meet a mix of the learner's parts and the reference.
    for number, lesson in enumerate(NOTEBOOKS):
        solved = lesson != path and number % 2 == 0
        text = lesson.read_text(encoding="utf-8") if solved else student_copy_text(lesson)
        (tmp_path / lesson.name).write_text(text, encoding="utf-8")
    nb = nbformat.read(tmp_path / path.name, as_version=4)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    unrun = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not unrun, f"cells left unrun by Run All: {unrun}"
    errors = {i: [o for o in c.outputs if o.output_type == "error"] for i, c in enumerate(nb.cells)
              if c.cell_type == "code"}
    raised = {i for i, e in errors.items() if e}
    checks = {i for i, c in enumerate(nb.cells) if nf.is_check_cell(c)}
    assert raised == checks, (
        f"cells other than check cells raised: {sorted(raised - checks)}; "
        f"checks that passed a blank answer: {sorted(nf.exercise_id_of(nb.cells[i]) for i in checks - raised)}")
    for index in checks:
        (error,) = errors[index]
        exercise_id = nf.exercise_id_of(nb.cells[index])
        assert error.ename == "CheckFailed" and "not attempted" in error.evalue, error.evalue
        panel = "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", line) for line in error.traceback)
        assert panel.startswith(f"{exercise_id}: not attempted yet"), panel
        assert "nncourse/checks" not in panel and "Traceback" not in panel, panel
