"""Grading runs only the cells a grade depends on (nncourse/grading/dependencies.py).

The unit tests pin the analysis on small notebooks, one rule each, including the
ways it must stay conservative (a cell it cannot see through keeps everything
before it). The slow test grades a whole class twice, with and without the
selection, and requires the same outcome for every exercise: the selection may
only save time.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from nncourse.checks import EXERCISES
from nncourse.course import lessons
from nncourse.grading import notebook_format as nf
from nncourse.grading import release as rel
from nncourse.grading.dependencies import SKIP_TAG, needed_cells, skip_unneeded, unread_imports
from nncourse.grading.grade import grade_submissions
from nncourse.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = lessons(ROOT / "notebooks")


def needed(*cells: str, required=None) -> set[int]:
    """The needed cells of a notebook made of ``cells``; the last cell is the one a grade reads by default."""
    return needed_cells(list(cells), {len(cells) - 1} if required is None else set(required))


# --------------------------------------------------------------------------- #
# The analysis, rule by rule
# --------------------------------------------------------------------------- #


def test_a_figure_nobody_reads_is_skipped_and_what_the_answer_reads_is_kept():
    assert needed("import numpy as np",
                  "x = np.linspace(0, 1, 5)\nplt.plot(x, x ** 2)",
                  "W = np.ones(3)",
                  "def answer(z):\n    return W @ z") == {0, 2, 3}


def test_names_local_to_a_function_or_comprehension_are_not_reads():
    assert needed("z = 1", "k = 2", "def f(z):\n    return [k * z for k in range(3)]") == {2}
    assert needed("scale = 2", "f = lambda z: z * scale") == {0, 1}
    assert needed("t = 3", "class C:\n    t = 1\n    def m(self):\n        return t") == {0, 1}  # a method reads the global


def test_a_plain_assignment_replaces_what_came_before_and_a_conditional_one_does_not():
    assert needed("x = 1", "x = 2", "y = x") == {1, 2}
    assert needed("x = 1", "if flag:\n    x = 2", "y = x") == {0, 1, 2}
    assert needed("x = 1", "for x in range(3):\n    pass", "y = x") == {0, 1, 2}
    assert needed("x = 1", "x = x + 1", "y = x") == {0, 1, 2}


def test_a_name_bound_earlier_in_the_same_cell_is_not_a_read():
    assert needed("rng = make()", "rng = make()\nX = rng.normal()", "y = X") == {1, 2}
    assert needed("name = 'a'", "for name in names:\n    print(name)", "z = names") == {2}


def test_changing_an_object_keeps_the_cell_that_changes_it():
    assert needed("rng = make()", "a = rng.normal()", "b = rng.normal()") == {0, 1, 2}  # draws move the generator
    assert needed("W = make()", "W[0] = 5", "y = W") == {0, 1, 2}
    assert needed("h = make()", "h.lr = 0.1", "y = h") == {0, 1, 2}
    assert needed("v = make()", "v += 1", "y = v") == {0, 1, 2}
    assert needed("x = make()", "rng2.shuffle(x)", "y = x") == {0, 1, 2}
    assert needed("x = make()", "np.add(1, 2, out=x)", "y = x") == {0, 1, 2}
    assert needed("d = {}", "d.update(a=1)", "y = d") == {0, 1, 2}


def test_a_module_function_changes_the_module_only_where_it_changes_module_state():
    prelude = "import numpy as np"
    assert needed(prelude, "a = np.linspace(0, 1)", "b = np.zeros(3)") == {0, 2}
    assert needed(prelude, "r = np.random.default_rng(0).normal()", "b = np.zeros(3)") == {0, 2}
    assert needed(prelude, "np.random.seed(0)", "b = np.random.rand()") == {0, 1, 2}
    assert needed(prelude, "np.set_printoptions(precision=3)", "print(np.pi)") == {0, 1, 2}
    assert needed("import warnings", "warnings.filterwarnings('ignore')", "warnings.warn('x')") == {0, 1, 2}


def test_what_cannot_be_seen_through_keeps_everything_before_it():
    for opaque in ("exec('y = 1')", "globals()['y'] = 1", "from somewhere import *", "def broken(:",
                   "get_ipython().run_cell('y = 1')", "!ls"):
        assert needed("a = 1", "b = 2", opaque, "y") == {0, 1, 2, 3}, opaque
    # A cell the analysis cannot read *after* every needed cell changes nothing before it.
    assert needed("a = 1", "y = a", "exec('z')", required={1}) == {0, 1}


def test_the_courses_own_your_parts_call_is_seen_through_and_display_magics_are_plain():
    assert needed("a = 1", "mine = your_parts('03_x', namespace=globals())", "y = mine") == {1, 2}
    assert needed("a = 1", "%matplotlib inline\nb = 2", "y = b") == {1, 2}
    assert needed("a = 1", "your_parts('03_x', namespace=globals() | {'a': a})", "y = 1", required={1}) == {0, 1}


def test_the_learners_own_answer_decides_what_it_needs():
    lesson = ["import numpy as np", "X_demo = np.eye(2)", "plt.plot(X_demo)"]
    assert needed(*lesson, "def relu(z):\n    return np.maximum(0, z)") == {0, 3}
    assert needed(*lesson, "def relu(z):\n    return np.maximum(0, z) + X_demo[0, 0]") == {0, 1, 3}


def test_imports_no_needed_cell_reads_are_taken_out_with_the_matplotlib_magic():
    sources = ["%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt\nfrom m import demo",
               "plt.plot([1])\ndemo()", "def relu(z):\n    return np.maximum(0, z)"]
    assert unread_imports(sources, {0, 2}) == {0: [(3, 3), (4, 4), (1, 1)]}
    sources[2] = "def relu(z):\n    plt.plot(z)\n    return np.maximum(0, z)"  # this answer draws: matplotlib stays
    assert unread_imports(sources, {0, 2}) == {0: [(4, 4)]}
    assert unread_imports(["import a; b = a.x", "y = b"], {0, 1}) == {}  # shares its line: left alone
    assert unread_imports(["import a", "exec('a')"], {0, 1}) == {}


# --------------------------------------------------------------------------- #
# On the real lessons
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_answer_and_check_cell_runs_and_what_is_skipped_keeps_no_output(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = copy.deepcopy(nb)
    run, skipped = skip_unneeded(nb)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert run + skipped == len(code) and run >= 1
    for cell, original in zip(code, [c for c in before["cells"] if c["cell_type"] == "code"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if nf.is_answer_cell(cell) or nf.is_check_cell(cell):
            assert SKIP_TAG not in tags
            assert nf.source_text(cell) == nf.source_text(original)
        if SKIP_TAG in tags:
            assert cell["outputs"] == []
        for output in cell.get("outputs", []):
            assert not {"image/png", "image/jpeg"} & set(output.get("data", {}))
    # Markdown is untouched, and so is the notebook the grader was given.
    assert [c for c in nb["cells"] if c["cell_type"] != "code"] == [
        c for c in before["cells"] if c["cell_type"] != "code"]
    assert json.loads(path.read_text(encoding="utf-8")) == before


def test_the_lessons_skip_most_of_their_figures():
    total = skipped = 0
    for path in NOTEBOOKS:
        run, skip = skip_unneeded(json.loads(path.read_text(encoding="utf-8")))
        total, skipped = total + run + skip, skipped + skip
    assert skipped / total > 0.35, (skipped, total)  # about half today; a drop means a dependency got lost


# --------------------------------------------------------------------------- #
# The points do not change
# --------------------------------------------------------------------------- #


def _answer(instructor: dict, exercise_id: str, how: str) -> str:
    source = next(nf.source_text(c) for c in instructor["cells"]
                  if nf.is_answer_cell(c) and nf.exercise_id_of(c) == exercise_id)
    if how == "right":
        return source
    name = nf.defined_names(source)[0]
    return (f"from nncourse.checks import EXERCISES as _EX\n"
            f"{name} = _EX[{exercise_id!r}].mistakes[0].implementation\n")


@pytest.mark.slow
def test_a_class_graded_with_and_without_the_selection_gets_the_same_outcomes(grading_sandbox):
    """Every lesson; each exercise right, wrong (its first known mistake) or left as the stub."""
    folder = Path(tempfile.mkdtemp(prefix="nncourse-dependencies-test-"))
    try:
        subs = folder / "submissions"
        for shift, student in enumerate(("ada", "bo")):
            (subs / student).mkdir(parents=True)
            for path in NOTEBOOKS:
                instructor = json.loads(path.read_text(encoding="utf-8"))
                ids = nf.exercises_in(instructor)
                plan = {e: ("right", "mistake", "stub")[(i + shift) % 3] for i, e in enumerate(ids)}
                copy_ = rel.student_copy(instructor)
                for cell in copy_["cells"]:
                    if nf.is_answer_cell(cell) and plan[nf.exercise_id_of(cell)] != "stub":
                        nf.set_source(cell, _answer(instructor, nf.exercise_id_of(cell), plan[nf.exercise_id_of(cell)]))
                (subs / student / path.name).write_text(nf.dumps_notebook(copy_), encoding="utf-8")
        secret = folder / "secret"
        secret.write_text("s" * 64 + "\n")
        secret.chmod(0o600)
        books = {}
        for every in (False, True):
            out = folder / f"results-{every}"
            summary = grade_submissions(subs, out, jobs=2, every_cell=every, secret_file=secret,
                                        limits=Limits(cell_timeout=300, notebook_timeout=900))
            assert summary["errors"] == 0
            books[every] = json.loads((out / "gradebook.json").read_text())
        for student in ("ada", "bo"):
            for path in NOTEBOOKS:
                selected = books[False]["students"][student]["notebooks"][path.stem]["checks"]
                every = books[True]["students"][student]["notebooks"][path.stem]["checks"]
                assert {e: (c["points"], c["outcome"], c["mistake"]) for e, c in selected.items()} == {
                    e: (c["points"], c["outcome"], c["mistake"]) for e, c in every.items()}, (student, path.stem)
        ada = books[False]["students"]["ada"]["notebooks"]
        assert sum(c["points"] for n in ada.values() for c in n["checks"].values()) == sum(
            EXERCISES[e].points for path in NOTEBOOKS
            for i, e in enumerate(nf.exercises_in(json.loads(path.read_text(encoding="utf-8")))) if i % 3 == 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
