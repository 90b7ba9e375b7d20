"""``nncourse.yours``: the learner's own parts, read from their notebooks by exercise id and re-checked.

Workspaces are built in ``tmp_path`` from the instructor notebooks: a *solved*
lesson is the instructor notebook itself (its answer cells hold the
solutions), a *blank* one is the students' copy that release writes, and a
*wrong* one is a solved lesson with one answer cell replaced.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from nncourse import activations, course, yours
from nncourse.checks import EXERCISES, set_result_sink
from nncourse.grading import notebook_format as nf
from nncourse.grading.release import instructor_notebooks, student_copy_text
from nncourse.yours import Parts, your_parts

LESSONS = sorted({e.lesson for e in EXERCISES.values()}, key=course.lesson_key)
NOTEBOOKS = {p.stem: p for p in instructor_notebooks()}


def _solved(folder: Path, lesson: str) -> dict:
    nb = json.loads(NOTEBOOKS[lesson].read_text(encoding="utf-8"))
    _write(folder, lesson, nb)
    return nb


def _blank(folder: Path, lesson: str) -> None:
    (folder / f"{lesson}.ipynb").write_text(student_copy_text(NOTEBOOKS[lesson]), encoding="utf-8")


def _write(folder: Path, lesson: str, nb: dict) -> None:
    (folder / f"{lesson}.ipynb").write_text(nf.dumps_notebook(nb), encoding="utf-8")


def _answer_cell(nb: dict, exercise_id: str) -> dict:
    return next(c for c in nb["cells"] if nf.is_answer_cell(c) and nf.exercise_id_of(c) == exercise_id)


def _with_answer(folder: Path, lesson: str, exercise_id: str, source: str) -> dict:
    """A solved lesson whose answer to ``exercise_id`` is ``source``."""
    nb = json.loads(NOTEBOOKS[lesson].read_text(encoding="utf-8"))
    nf.set_source(_answer_cell(nb, exercise_id), source)
    _write(folder, lesson, nb)
    return nb


WRONG_RELU = "def relu(z):\n    # max(z, 0) misread as |z|\n    return np.abs(z)\n"


def _lesson_rows(mine: Parts, lesson: str) -> list:
    return [p for p in mine.rows if p.lesson == lesson]


# --------------------------------------------------------------------------- #
# A whole workspace
# --------------------------------------------------------------------------- #


def test_a_solved_workspace_uses_every_part_of_yours(tmp_path):
    for lesson in LESSONS:
        _solved(tmp_path, lesson)
    mine = your_parts(LESSONS[-1], folder=tmp_path)
    assert {p.exercise_id for p in mine.rows} == set(EXERCISES)
    not_yours = [(p.exercise_id, p.status, p.detail) for p in mine.rows if p.source != "yours"]
    assert not not_yours, not_yours
    # The learner's function, run from their notebook, not the package's.
    assert mine.relu is not EXERCISES["relu"].reference
    assert mine.relu.__module__ == "nncourse_yours_02a_activation_functions"
    np.testing.assert_array_equal(mine.relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    assert not mine.notes
    assert repr(mine).splitlines()[-1] == f"{len(EXERCISES)} of {len(EXERCISES)} parts are yours; the others are the reference."


def test_a_part_of_a_split_lesson_reads_the_earlier_parts_from_their_own_notebooks(tmp_path):
    # Lesson 5 comes in three notebooks; part 3 runs alone, so parts 1 and 2 come from their saved files.
    part_3 = "05c_gradient_checking"
    for lesson in LESSONS[:LESSONS.index(part_3)]:
        _solved(tmp_path, lesson)
    mine = your_parts(part_3, folder=tmp_path, namespace={"numerical_gradient": EXERCISES["numerical-gradient"].reference})
    assert [lesson for lesson in LESSONS if lesson.startswith("05")] == [
        "05a_computational_graphs", "05b_backward_pass", part_3]
    for name, lesson in (("dense_backward", "05a_computational_graphs"), ("backward", "05b_backward_pass")):
        assert (mine.part(name).lesson, mine.part(name).source) == (lesson, "yours")
        assert getattr(mine, name).__module__ == f"nncourse_yours_{lesson}"
    assert mine.part("numerical_gradient").source == "yours"
    rows = [line.split()[0] for line in repr(mine).splitlines()[1:-1]]
    assert {"05a", "05b", "05c"} <= set(rows), "the table names the part, not just the lesson's number"


def test_released_copies_use_the_reference_and_say_not_attempted(tmp_path):
    for lesson in LESSONS[:LESSONS.index("03a_forward_pass") + 1]:
        _blank(tmp_path, lesson)
    mine = your_parts("03a_forward_pass", folder=tmp_path)
    assert mine.rows and all(p.source == "reference" and p.status == "not attempted" for p in mine.rows)
    assert mine.relu is activations.relu
    assert mine.yours == []
    assert "0 of" in repr(mine)


def test_a_wrong_part_is_flagged_and_the_reference_takes_its_place(tmp_path):
    _solved(tmp_path, "01a_vectors_and_matrices")
    _solved(tmp_path, "01b_broadcasting_and_gradients")
    _with_answer(tmp_path, "02a_activation_functions", "relu", WRONG_RELU)
    mine = your_parts("02a_activation_functions", folder=tmp_path)
    relu = mine.part("relu")
    assert (relu.source, relu.status) == ("reference", "failed")
    assert relu.detail and "\n" not in relu.detail
    assert mine.relu is EXERCISES["relu"].reference
    # Everything else in the lesson is still the learner's own.
    others = [p for p in _lesson_rows(mine, "02a_activation_functions") if p.name != "relu"]
    assert others and all(p.source == "yours" for p in others)
    # The table shows it, in text and in HTML.
    line = next(line for line in repr(mine).splitlines() if " relu " in f" {line} ")
    assert "reference" in line and "failed: " in line
    html = mine._repr_html_()
    assert "<code>relu</code>" in html and "failed: " in html and "#8a5a00" in html


def test_a_notebook_opened_alone_gets_the_reference_with_a_note(tmp_path):
    _blank(tmp_path, "08b_capstone_your_network")
    mine = your_parts("08b_capstone_your_network", folder=tmp_path, namespace={})
    assert len(mine.notes) == 1 and "No lesson notebooks found" in mine.notes[0]
    earlier = [p for p in mine.rows if p.lesson != "08b_capstone_your_network"]
    assert earlier and all((p.source, p.status) == ("reference", "no notebook") for p in earlier)
    current = _lesson_rows(mine, "08b_capstone_your_network")
    assert current and all(p.status == "not found" for p in current)
    assert repr(mine).startswith("No lesson notebooks found")
    assert "<p>No lesson notebooks found" in mine._repr_html_()


def test_the_first_lesson_alone_has_nothing_earlier_to_miss(tmp_path):
    mine = your_parts(LESSONS[0], folder=tmp_path, namespace={})
    assert mine.notes == []


def test_the_current_directory_is_the_default_folder(tmp_path, monkeypatch):
    _with_answer(tmp_path, "00_start_here", "centre", "def centre(x):\n    return x - x.mean(axis=0)\n")
    monkeypatch.chdir(tmp_path)
    mine = your_parts("00_start_here")
    assert mine.part("centre").source == "yours"


# --------------------------------------------------------------------------- #
# The live namespace of the running lesson
# --------------------------------------------------------------------------- #


def test_the_namespace_overrides_the_saved_file_of_the_current_lesson(tmp_path):
    _solved(tmp_path, "01a_vectors_and_matrices")
    _solved(tmp_path, "01b_broadcasting_and_gradients")
    _solved(tmp_path, "02a_activation_functions")
    _blank(tmp_path, "02b_softmax_and_saturation")          # saved before the learner solved anything
    namespace = {"sigmoid": lambda z: activations.sigmoid(z)}
    exec(WRONG_RELU.replace("def relu", "def softmax"), {"np": np}, namespace)  # noqa: S102 - a wrong softmax
    mine = your_parts("02b_softmax_and_saturation", folder=tmp_path, namespace=namespace)
    assert mine.part("sigmoid").source == "yours" and mine.sigmoid is namespace["sigmoid"]
    assert mine.part("softmax").status == "failed" and mine.softmax is activations.softmax
    assert mine.part("bumps_network").status == "not found"
    assert "bumps_network is not defined in this notebook" in mine.part("bumps_network").detail
    # Earlier lessons, and the lesson's earlier part, still come from their saved notebooks.
    assert mine.part("dot_loop").source == "yours"
    assert mine.part("relu").source == "yours" and mine.part("relu").lesson == "02a_activation_functions"


def test_a_stub_in_the_namespace_is_not_attempted(tmp_path):
    def relu(z):
        raise NotImplementedError("relu: write your answer here")

    mine = your_parts("02a_activation_functions", folder=tmp_path, namespace={"relu": relu})
    assert mine.part("relu").status == "not attempted"


def test_a_non_callable_part_fails_its_check_without_stopping(tmp_path):
    mine = your_parts("02a_activation_functions", folder=tmp_path, namespace={"relu": 3})
    relu = mine.part("relu")
    assert relu.status == "failed" and relu.detail.startswith("CheckFailed: relu: expected your function itself")


# --------------------------------------------------------------------------- #
# What the learner's notebook may hold
# --------------------------------------------------------------------------- #


def test_code_cells_added_after_an_answer_belong_to_it(tmp_path):
    nb = _with_answer(tmp_path, "02a_activation_functions", "relu", "def relu(z):\n    return _positive_part(z)\n")
    index = nb["cells"].index(_answer_cell(nb, "relu"))
    helper = {"cell_type": "code", "execution_count": None, "id": "learner-helper", "metadata": {},
              "outputs": [], "source": "def _positive_part(z):\n    return np.maximum(z, 0.0)\n"}
    nb["cells"].insert(index + 1, helper)
    _write(tmp_path, "02a_activation_functions", nb)
    assert your_parts("02a_activation_functions", folder=tmp_path).part("relu").source == "yours"


@pytest.mark.parametrize("source, status, detail", [
    ("def rectifier(z):\n    return np.maximum(z, 0.0)\n", "error", "the cell does not define relu"),
    ("raise SystemExit(3)\n", "error", "running the cell raised SystemExit: 3"),
    ("def relu(z):\n    return np.maximum(z, 0.0\n", "error", "running the cell raised SyntaxError"),
    ("def relu(z):\n    raise NotImplementedError('relu: write your answer here')\n", "not attempted", ""),
])
def test_an_answer_that_cannot_be_used_says_why(tmp_path, source, status, detail):
    _with_answer(tmp_path, "02a_activation_functions", "relu", source)
    relu = your_parts("02a_activation_functions", folder=tmp_path).part("relu")
    assert (relu.source, relu.status) == ("reference", status)
    assert relu.detail.startswith(detail)


def test_a_part_that_exits_during_its_check_fails_without_stopping(tmp_path):
    _with_answer(tmp_path, "02a_activation_functions", "relu", "import sys\n\ndef relu(z):\n    sys.exit(1)\n")
    relu = your_parts("02a_activation_functions", folder=tmp_path).part("relu")
    assert (relu.source, relu.status, relu.detail) == ("reference", "failed", "SystemExit: 1")


@pytest.mark.parametrize("source", ["raise KeyboardInterrupt\n", "def relu(z):\n    raise KeyboardInterrupt\n"])
def test_an_interrupt_is_not_swallowed(tmp_path, source):
    # The learner pressing the stop button, while their cell or their part's check runs.
    _with_answer(tmp_path, "02a_activation_functions", "relu", source)
    with pytest.raises(KeyboardInterrupt):
        your_parts("02a_activation_functions", folder=tmp_path)


def test_a_missing_answer_cell_is_not_found(tmp_path):
    nb = json.loads(NOTEBOOKS["02a_activation_functions"].read_text(encoding="utf-8"))
    nb["cells"].remove(_answer_cell(nb, "relu"))
    _write(tmp_path, "02a_activation_functions", nb)
    relu = your_parts("02a_activation_functions", folder=tmp_path).part("relu")
    assert (relu.status, relu.detail) == ("not found", "no answer cell with this exercise id")


def test_a_slow_cell_and_a_slow_check_are_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(yours, "CHECK_SECONDS", 0.2)
    _with_answer(tmp_path, "02a_activation_functions", "relu", "import time\ntime.sleep(30)\n")
    relu = your_parts("02a_activation_functions", folder=tmp_path).part("relu")
    assert relu.status == "error" and "took longer than 0.2 s" in relu.detail
    _with_answer(tmp_path, "02a_activation_functions", "relu",
                 "import time\n\ndef relu(z):\n    time.sleep(30)\n    return np.maximum(z, 0.0)\n")
    relu = your_parts("02a_activation_functions", folder=tmp_path).part("relu")
    assert relu.status == "failed" and "took longer than 0.2 s" in relu.detail


def test_parts_are_collected_outside_the_main_thread_too(tmp_path):
    # Only the main thread can set an alarm; elsewhere the checks run without one.
    _solved(tmp_path, "00_start_here")
    found = []
    thread = threading.Thread(target=lambda: found.append(your_parts("00_start_here", folder=tmp_path)))
    thread.start()
    thread.join()
    assert found[0].part("centre").source == "yours"


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "is not a readable notebook"),
    (b"\xff\xfe\x00garbage", "is not a readable notebook"),
    (b'{"cells": 3}', "has no list of cells"),
    (b"[]", "has no list of cells"),
])
def test_an_unreadable_notebook_is_an_error_for_its_parts(tmp_path, content, reason):
    (tmp_path / "02a_activation_functions.ipynb").write_bytes(content)
    mine = your_parts("02a_activation_functions", folder=tmp_path)
    rows = _lesson_rows(mine, "02a_activation_functions")
    assert rows and all(p.status == "error" and reason in p.detail for p in rows)
    for lesson in ("01a_vectors_and_matrices", "01b_broadcasting_and_gradients"):
        rows = _lesson_rows(mine, lesson)
        assert rows and all(p.status == "no notebook" for p in rows)


def test_a_huge_notebook_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(yours, "MAX_NOTEBOOK_BYTES", 1000)
    _solved(tmp_path, "02a_activation_functions")
    rows = _lesson_rows(your_parts("02a_activation_functions", folder=tmp_path), "02a_activation_functions")
    assert all(p.status == "error" and "larger than" in p.detail for p in rows)


def test_set_up_imports_skip_magics_exercises_and_broken_cells():
    cells = [
        {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "import numpy as np\n"]},
        {"cell_type": "code", "metadata": {}, "source": "import numpy as np\nfrom math import pi\nx = 1\n"},
        {"cell_type": "code", "metadata": {}, "source": "def broken(:\n    import os\n"},
        {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "relu", "solution": True}},
         "source": "import sys\n"},
        {"cell_type": "code", "metadata": [], "source": 7},
    ]
    assert yours._setup_imports(cells) == "import numpy as np\nfrom math import pi"


# --------------------------------------------------------------------------- #
# Side effects and bad arguments
# --------------------------------------------------------------------------- #


def test_re_checks_never_feed_a_grading_result_sink(tmp_path):
    saved = LESSONS[:LESSONS.index("02a_activation_functions") + 1]
    for lesson in saved:
        _solved(tmp_path, lesson)
    sink = tmp_path / "sink"
    set_result_sink(sink, 1234)
    try:
        mine = your_parts("02a_activation_functions", folder=tmp_path, namespace={"relu": activations.relu})
    finally:
        set_result_sink(None)
    assert mine.part("relu").source == "yours"
    assert not sink.exists(), f"your_parts wrote {sorted(p.name for p in sink.iterdir())}"
    # Nor anything in the learner's folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.ipynb" for n in saved)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"lesson": 5}, TypeError, "lesson must be a lesson name such as '05c_gradient_checking', got int"),
    ({"lesson": "05c_gradient_checkin"}, ValueError, "lesson must be one of"),
    ({"lesson": "05c_gradient_checking", "namespace": [1]}, TypeError,
     "namespace must be a dict such as globals(), got list"),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        your_parts(**kwargs)


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="folder must be an existing folder of lesson notebooks"):
        your_parts("02a_activation_functions", folder=tmp_path / "nowhere")


def test_parts_behave_like_a_namespace(tmp_path):
    mine = your_parts("02a_activation_functions", folder=tmp_path, namespace={})
    assert "relu" in mine and "gelu" not in mine
    assert "relu" in dir(mine) and "part" in dir(mine)
    with pytest.raises(AttributeError, match="no part named 'gelu'; the parts are"):
        mine.gelu
    with pytest.raises(KeyError, match="no part named 'gelu'"):
        mine.part("gelu")
    empty = Parts([], [])
    with pytest.raises(AttributeError, match=r"\(none\)"):
        empty.relu


def test_without_the_course_notebooks_names_come_from_the_cell_or_the_reference(tmp_path, monkeypatch):
    import nncourse.grading.release as release

    def missing(folder=None):
        raise ValueError("instructor notebooks folder does not exist")

    monkeypatch.setattr(release, "instructor_notebooks", missing)
    yours.answer_names.cache_clear()
    try:
        _solved(tmp_path, "03a_forward_pass")
        mine = your_parts("04b_logits_and_likelihood", folder=tmp_path)
        # Read from the learner's cell: count_params (the reference is count_params_from_sizes).
        assert mine.part("count_params").source == "yours"
        # No notebook for lesson 04: the reference's own name.
        assert mine.part("logsumexp_rows").status == "no notebook"
    finally:
        yours.answer_names.cache_clear()


# --------------------------------------------------------------------------- #
# The capstone trained from the learner's parts, in a kernel, as a learner runs it
# --------------------------------------------------------------------------- #


def _run_capstone(folder: Path) -> dict:
    """Execute lesson 08's part 2 (it runs alone) in ``folder`` (a workspace).

    Returns the text of each of its 'your parts' cells, by cell id.
    """
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(folder / "08b_capstone_your_network.ipynb", as_version=4)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    texts = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("id", "").startswith("yours-08"):
            texts[cell.id] = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("wrong_part", [None, "relu"])
def test_the_capstone_trains_on_the_learners_parts(tmp_path, wrong_part):
    for lesson in LESSONS:
        _solved(tmp_path, lesson)
    if wrong_part == "relu":
        _with_answer(tmp_path, "02a_activation_functions", "relu", WRONG_RELU)
    texts = _run_capstone(tmp_path)
    table, run = texts["yours-08-table"], texts["yours-08-train"]
    total = len(EXERCISES)
    if wrong_part is None:
        assert f"{total} of {total} parts yours" in run, run
    else:
        # The table flags the wrong part, and training runs on the reference in its place.
        line = next(line for line in table.splitlines() if " relu " in f" {line} ")
        assert "reference" in line and "failed" in line, table
        assert f"{total - 1} of {total} parts yours" in run, run
    assert "train_loop: yours | loss_and_grads: yours" in run, run
    accuracies = [float(line.split("test accuracy")[1]) for line in run.splitlines() if "test accuracy" in line]
    assert len(accuracies) == 2 and min(accuracies) >= 0.97 and accuracies[0] == accuracies[1], run
    assert "largest difference between the two sets of weights: below 1e-6" in run, run
