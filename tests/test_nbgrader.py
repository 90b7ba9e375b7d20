"""The nbgrader round trip: ``nncourse nbgrader``, then nbgrader's own generate_assignment and autograde.

On lesson 01 (it shows two diagrams): the handout nbgrader generates keeps the
lesson's figures and its diagrams resolve (the image files sit next to the
notebook, in ``release/`` and in every submission); the answers are gone from
it; and autograding a correct submission and a blank one gives exactly the
points ``nncourse exercises`` lists, and zero.

nbgrader is in the ``test`` extra (``python3 course.py test`` installs it).
Without it the test is skipped with the reason, unless
``NNCOURSE_REQUIRE_NBGRADER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nncourse.checks import EXERCISES
from nncourse.commands.nbgrader import write_course
from nncourse.grading import notebook_format as nf

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LESSON = "01a_vectors_and_matrices"


def _nbgrader_or_skip() -> None:
    if importlib.util.find_spec("nbgrader") is None:
        reason = "nbgrader is not installed (it is in the test extra: pip install -e '.[test]')"
        if os.environ.get("NNCOURSE_REQUIRE_NBGRADER") == "1":
            pytest.fail(f"the nbgrader round trip is required here (NNCOURSE_REQUIRE_NBGRADER=1) but {reason}")
        pytest.skip(reason)


def _nbgrader(course_dir: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs `alembic` (its database migrations) as a command: this environment's bin/ goes first.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--ExecutePreprocessor.timeout=900"],
                            cwd=course_dir, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _diagrams(nb: dict) -> dict[str, bytes]:
    """The notebook's diagrams: every markdown image is a cell attachment, decoded here."""
    found = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for link in re.findall(r"\]\(([^)\s]+\.png)\)", nf.source_text(cell)):
            assert link.startswith("attachment:"), f"{link} needs a file beside the notebook"
            found[link] = base64.b64decode(cell["attachments"][link.removeprefix("attachment:")]["image/png"])
    return found


def test_nbgrader_round_trip_keeps_figures_and_scores_as_nncourse_does(tmp_path):
    _nbgrader_or_skip()
    course_dir = tmp_path / "course"
    messages = write_course(course_dir, [LESSON])
    assert any("nbgrader_config.py" in m for m in messages)
    source = course_dir / "source" / LESSON / f"{LESSON}.ipynb"
    source_nb = json.loads(source.read_text())
    assert "widgets" not in source_nb["metadata"], "stale widget state is not handed out"
    diagrams = _diagrams(source_nb)
    assert diagrams and all(data == (ROOT / "images" / link.removeprefix("attachment:")).read_bytes()
                            for link, data in diagrams.items())

    _nbgrader(course_dir, "generate_assignment", LESSON)
    released = course_dir / "release" / LESSON
    handout = json.loads((released / f"{LESSON}.ipynb").read_text())
    assert _diagrams(handout) == diagrams, "generate_assignment kept the diagrams, inside the notebook"
    assert sorted(p.name for p in released.iterdir()) == [f"{LESSON}.ipynb"], "nothing else to hand out"
    assert sum(1 for c in handout["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})) >= 3, \
        "the handout lost the lesson's figures"
    assert "BEGIN SOLUTION" not in json.dumps(handout)
    for cell in handout["cells"]:
        if nf.is_check_cell(cell):
            assert cell["metadata"]["nbgrader"]["locked"] and not cell["metadata"].get("editable", True)

    # Two students: one hands in the instructor's answers, one hands in the blank handout.
    answers = {nf.exercise_id_of(c): c["source"] for c in json.loads((ROOT / "notebooks" / f"{LESSON}.ipynb")
                                                                     .read_text())["cells"] if nf.is_answer_cell(c)}
    solved = json.loads(json.dumps(handout))
    for cell in solved["cells"]:
        if nf.is_answer_cell(cell):
            cell["source"] = answers[nf.exercise_id_of(cell)]
    for student, nb in (("alice", solved), ("bob", handout)):
        folder = course_dir / "submitted" / student / LESSON
        shutil.copytree(released, folder)
        (folder / f"{LESSON}.ipynb").write_text(json.dumps(nb))
    _nbgrader(course_dir, "autograde", LESSON)

    from nbgrader.api import Gradebook

    expected = sum(e.points for e in EXERCISES.values() if e.lesson == LESSON)
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission(LESSON, s).score for s in ("alice", "bob")}
        assert gradebook.find_assignment(LESSON).max_score == expected
    assert scores == {"alice": expected, "bob": 0}
    for student in ("alice", "bob"):
        autograded = json.loads((course_dir / "autograded" / student / LESSON / f"{LESSON}.ipynb").read_text())
        assert _diagrams(autograded) == diagrams
