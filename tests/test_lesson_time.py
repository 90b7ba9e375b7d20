"""Each lesson's stated time matches its content (the estimate of tools/lesson_time.py).

A lesson states ``**Estimated time:** about N minutes`` in its first cell; the
estimate counts words, equations, code cells, figures, exercise points and
demos (the model and its constants are documented in the tool) and must be
within its tolerance of N. Adding an exercise or a section therefore means
updating the stated time too.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

from nncourse import course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.lessons(ROOT / "notebooks")
# Lessons whose time statement is not checked yet (issue 13's second part brought lessons 03 and 05-08 in
# line, so none is left): a lesson listed here must not state a time in the standard form, and the test
# below says so when it does, so that no lesson silently escapes the check.
PENDING: set[str] = set()


def _load_tool():
    spec = importlib.util.spec_from_file_location("lesson_time", ROOT / "tools" / "lesson_time.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


lesson_time = _load_tool()


@pytest.mark.parametrize("path", [p for p in LESSONS if p.stem not in PENDING], ids=lambda p: p.stem)
def test_the_stated_time_matches_the_content(path):
    notebook = nbformat.read(path, as_version=4)
    stated = lesson_time.stated_minutes(notebook)
    assert stated is not None, f"{path.name}: the first cell must state '**Estimated time:** about N minutes'"
    found = lesson_time.estimate(notebook)
    assert lesson_time.agrees(found.minutes, stated), (
        f"{path.name} states about {stated} minutes, but its content is estimated at {found.minutes:.0f} "
        f"({found.breakdown()}); update the statement (tolerance {lesson_time.TOLERANCE:.0%} or 5 minutes)")


#: A lesson longer than this is split into parts (issue 13): one sitting each.
MAX_MINUTES = 100


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_notebook_is_longer_than_one_sitting(path):
    found = lesson_time.estimate(nbformat.read(path, as_version=4))
    assert found.minutes <= MAX_MINUTES + 0.5, (
        f"{path.name} is estimated at {found.minutes:.0f} minutes ({found.breakdown()}): split it into parts of at "
        f"most {MAX_MINUTES} minutes (NNa_..., NNb_...; README, 'The lessons')")


def test_pending_lessons_are_still_pending():
    for stem in sorted(PENDING):
        notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
        assert lesson_time.stated_minutes(notebook) is None, (
            f"{stem} now states its time in the standard form: remove it from PENDING so that it is checked")


def _notebook(markdown: list[str], code: list[nbformat.NotebookNode] = ()) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(m) for m in markdown] + list(code))


def test_the_estimate_counts_what_it_documents():
    prose = " ".join(["word"] * 240)                           # 240 words: 2 minutes at 120 per minute
    text = prose + " with $x$ and $y$ inline\n\n$$a = b$$\n\n`code here` is two words"
    check = nbformat.v4.new_code_cell("check('x', f)", metadata={"nbgrader": {"grade": True, "points": 3}})
    answer = nbformat.v4.new_code_cell("def f(): pass", metadata={"nbgrader": {"solution": True}})
    plot = nbformat.v4.new_code_cell("plt.plot()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})])
    demo = nbformat.v4.new_code_cell("loss_demo()")
    found = lesson_time.estimate(_notebook([text], [answer, check, plot, demo]))
    # words: 240, then 'with', 'and', 'inline', the code span's two, 'is two words'
    assert (found.words, found.inline_maths, found.display_equations) == (240 + 3 + 2 + 3, 2, 1)
    assert (found.points, found.code_cells, found.figures, found.demos) == (3, 1, 1, 1)
    # 248 words / 120 + one displayed equation + 2 * 5 s + 3 points * 5 + one code cell + a figure + a demo
    assert found.minutes == pytest.approx(248 / 120 + 0.5 + 10 / 60 + 15 + 0.5 + 1 + 5)


def test_a_statement_far_from_the_estimate_is_refused():
    notebook = _notebook(["# A lesson\n\n**Estimated time:** about 60 minutes.", " ".join(["word"] * 1200)])
    assert lesson_time.stated_minutes(notebook) == 60
    assert lesson_time.estimate(notebook).minutes == pytest.approx(10.0 + 7 / 120)
    assert not lesson_time.agrees(lesson_time.estimate(notebook).minutes, 60)
    assert lesson_time.agrees(57.0, 60) and lesson_time.agrees(112.0, 100) and not lesson_time.agrees(116.0, 100)
