"""The lesson notebooks as documents: exercise anatomy, metadata, and blank answers.

nbval itself (strict comparison of every cell) runs on notebooks/ through the
pytest configuration; this file checks what nbval cannot:

* every exercise is an answer cell and a check cell with nbgrader metadata,
  found by id (never by position), with the points of ``nncourse.checks.EXERCISES``;
* with every answer replaced by the students' stub, a notebook fails at
  exactly its check cells — a check that passes a blank answer is broken, and
  a later cell that breaks because an exercise is unfinished must use the
  package's version instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from nncourse.grading import notebook_format as nf
from nncourse.checks import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = sorted({e.lesson for e in EXERCISES.values()})


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_there_are_lessons():
    assert NOTEBOOKS, "no lesson notebooks found in notebooks/"


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
def test_blank_answers_fail_exactly_at_the_check_cells(path, tmp_path):
    from nbclient import NotebookClient

    nb = _read(path)
    expected = set()
    for index, cell in enumerate(nb.cells):
        if nf.is_answer_cell(cell):
            cell.source = nf.stub_solution(cell.source, nf.exercise_id_of(cell))
        if nf.is_check_cell(cell):
            expected.add(index)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    failed = {}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type == "error":
                failed[index] = f"{output.ename}: {output.evalue}"[:300]
    unexpected = {i: failed[i] for i in failed if i not in expected}
    assert not unexpected, f"cells other than check cells failed on blank answers: {unexpected}"
    passing = sorted(nf.exercise_id_of(nb.cells[i]) for i in expected - set(failed))
    assert not passing, f"these checks passed a blank answer: {passing}"
    for index in expected:
        assert failed[index].startswith("CheckFailed") and "not attempted" in failed[index], failed[index]
