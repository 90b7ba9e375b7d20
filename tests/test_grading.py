"""Students' copies, ``nncourse check`` and ``nncourse grade``, end to end.

Every submission here is generated from the *real* lesson notebooks in
``notebooks/`` (discovered, never listed by hand) and their released
students' copies, so the tests stay valid as the lessons change:

* release: stubs, hidden tests, cleared outputs, byte-identical output, never
  overwriting a student's edits, new lessons added on re-release;
* rebuild: every bad file in the issue's list gives a clear reason;
* a simulated class on every lesson with known scores: the gradebook must
  match exactly, a re-run reuses every result and changes nothing, and the
  submissions are byte-for-byte untouched;
* a hostile class: one student per attack from the issue, graded in one
  batch that must complete, each graded correctly with a clear reason.

The hostile class runs on a *trimmed* copy of one real lesson (its set-up
cell and its exercises, the real answer and check cells) so that each of the
~50 runs takes seconds. Bombs and floods run under limits set first
(address space 1.5 GiB, 64 processes, 16 MiB per file, 1 MiB of output per
cell, 1 GiB for all of a run's processes together) and stay small relative to them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import asdict
from pathlib import Path

import pytest

from nncourse import course
from nncourse.checks import EXERCISES
from nncourse.grading import check as check_cmd
from nncourse.grading import notebook_format as nf
from nncourse.grading import release as rel
from nncourse.grading.grade import display_name, grade_submissions
from nncourse.grading.rebuild import SubmissionError, read_submission, rebuild
from nncourse.grading.report import feedback_folder
from nncourse.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [p for p in course.lessons(ROOT / "notebooks")
             if any(e.lesson == p.stem for e in EXERCISES.values())]

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no lesson notebook with registered exercises yet")


# --------------------------------------------------------------------------- #
# Helpers: notebooks and submissions made from the real lessons
# --------------------------------------------------------------------------- #


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def exercise_ids(nb: dict) -> list[str]:
    return nf.exercises_in(nb)


def answer_sources(nb: dict) -> dict:
    return {nf.exercise_id_of(c): nf.source_text(c) for c in nb["cells"] if nf.is_answer_cell(c)}


def mistake_source(instructor: dict, exercise_id: str) -> str:
    """A wrong answer: the exercise's first known mistake, under the answer's own name."""
    names = nf.defined_names(answer_sources(instructor)[exercise_id])
    return (f"from nncourse.checks import EXERCISES as _EX\n"
            f"{names[0]} = _EX[{exercise_id!r}].mistakes[0].implementation\n")


def function_name(instructor: dict, exercise_id: str) -> str:
    return nf.defined_names(answer_sources(instructor)[exercise_id])[0]


def success_line(instructor: dict, exercise_id: str) -> str:
    cell = next(c for c in instructor["cells"] if nf.is_check_cell(c) and nf.exercise_id_of(c) == exercise_id)
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])).splitlines()[0]


def filled(student_copy: dict, sources: dict) -> dict:
    """The student's copy with the given answer cells' sources."""
    nb = copy.deepcopy(student_copy)
    for cell in nb["cells"]:
        if nf.is_answer_cell(cell) and nf.exercise_id_of(cell) in sources:
            nf.set_source(cell, sources[nf.exercise_id_of(cell)])
    return nb


def dump(nb: dict) -> bytes:
    return nf.dumps_notebook(nb).encode("utf-8")


def trimmed(instructor: dict) -> dict:
    """A real lesson reduced to its set-up cells and its exercises (fast to run)."""
    nb = copy.deepcopy(instructor)
    first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"] = [c for i, c in enumerate(nb["cells"])
                   if i == first_code or nf.is_answer_cell(c) or nf.is_check_cell(c)
                   or c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "skip" and c["cell_type"] == "code"]
    return nb


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
        digest.update(oct(path.lstat().st_mode).encode())
    return digest.hexdigest()


def points(nb: dict) -> dict:
    return {e: EXERCISES[e].points for e in exercise_ids(nb)}


@pytest.fixture
def private_tmp():
    """A temporary folder of the test's own.

    The slow tests run for minutes; pytest's numbered ``tmp_path`` folders can
    be removed meanwhile by other pytest sessions on a shared machine (it keeps
    the three newest), so these tests make and remove their own.
    """
    folder = Path(tempfile.mkdtemp(prefix="nncourse-grading-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- #
# Release
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_copy_stubs_answers_drops_hidden_tests_and_keeps_the_rest(path):
    instructor = load(path)
    student = rel.student_copy(instructor)
    assert len(student["cells"]) == len(instructor["cells"])
    assert "widgets" not in student["metadata"], "saved widget state would show demos as text on opening"
    assert {k: v for k, v in instructor["metadata"].items() if k != "widgets"} == student["metadata"]
    for before, after in zip(instructor["cells"], student["cells"]):
        assert before.get("id") == after.get("id")
        if nf.is_check_cell(before):
            # Run All carries on past a check that raises (the verdict still shows).
            tags = after["metadata"].pop("tags")
            assert tags.count("raises-exception") == 1 and tags[:-1] == before["metadata"].get("tags", [])
            after["metadata"] = dict(after["metadata"], **({"tags": tags[:-1]} if tags[:-1] else {}))
            # Locked as nbgrader locks them.
            assert after["metadata"] == {**before["metadata"], "editable": False, "deletable": False}, "locked"
        else:
            assert before["metadata"] == after["metadata"]
        if before["cell_type"] == "code" and not (nf.is_answer_cell(before) or nf.is_check_cell(before)):
            # Static figures and printed output stay; widget views go.
            kept = [o for o in before["outputs"] if rel.WIDGET_VIEW not in o.get("data", {})]
            assert after["outputs"] == kept
            after = dict(after, outputs=before["outputs"])
        if nf.is_answer_cell(before):
            exercise_id = nf.exercise_id_of(before)
            text = nf.source_text(after)
            assert f'raise NotImplementedError("{exercise_id}: ' in text
            assert nf.BEGIN_SOLUTION not in text and nf.END_SOLUTION not in text
            assert nf.defined_names(text) == nf.defined_names(nf.source_text(before)), "signature kept"
            assert after["outputs"] == [] and after["execution_count"] is None
        elif nf.is_check_cell(before):
            text = nf.source_text(after)
            assert nf.BEGIN_HIDDEN not in text and nf.END_HIDDEN not in text
            assert f"check(\"{nf.exercise_id_of(before)}\"" in text.replace("'", '"')
            assert after["outputs"] == [] and after["execution_count"] is None
        elif before["cell_type"] == "code":
            assert after == before, "cells other than exercises are kept as they are"
        else:
            assert nf.source_text(after) == nf.source_text(before).replace("](../images/", "](attachment:")


DIAGRAMS = sorted(p.name for p in (ROOT / "images").glob("*.png"))


def _attached(nb: dict) -> dict[str, bytes]:
    """Every attachment of the notebook's markdown cells, decoded: {name: PNG bytes}."""
    found = {}
    for cell in nb["cells"]:
        for name, bundle in (cell.get("attachments") or {}).items():
            assert list(bundle) == ["image/png"], f"{name}: one PNG, base64"
            assert f"](attachment:{name})" in nf.source_text(cell), f"{name} is attached where it is shown"
            found[name] = base64.b64decode(bundle["image/png"], validate=True)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_released_diagrams_are_attachments_of_the_repositorys_pngs(path):
    linked = sorted({line.split("../images/")[1].split(")")[0]
                     for line in path.read_text(encoding="utf-8").split("\\n") if "](../images/" in line})
    text = rel.student_copy_text(path)
    assert "../images/" not in text and "](images/" not in text, "no link left to a folder beside the copy"
    attached = _attached(json.loads(text))
    assert sorted(attached) == linked
    for name, data in attached.items():
        assert data == (ROOT / "images" / name).read_bytes(), name
    assert rel.student_copy_text(path) == text, "same instructor notebook, same bytes"


def test_every_diagram_is_attached_somewhere():
    attached = set()
    for path in NOTEBOOKS:
        attached |= set(_attached(json.loads(rel.student_copy_text(path))))
    assert sorted(attached) == DIAGRAMS, "a diagram in images/ that no released lesson shows, or the reverse"


def test_a_released_copy_moved_alone_still_has_its_diagrams(tmp_path):
    lessons = [p for p in NOTEBOOKS if "](../images/" in p.read_text(encoding="utf-8")]
    assert lessons, "the course has lessons with diagrams"
    rel.release(tmp_path / "out", lessons)
    assert not (tmp_path / "out" / "images").exists(), "nothing needs an images/ folder beside the copies"
    for lesson in lessons:
        alone = tmp_path / "alone" / lesson.stem / lesson.name
        alone.parent.mkdir(parents=True)
        shutil.copyfile(tmp_path / "out" / lesson.name, alone)
        attached = _attached(load(alone))
        assert attached and all(data == (ROOT / "images" / name).read_bytes() for name, data in attached.items())


def test_nbconvert_renders_a_released_diagram_inline():
    nbformat = pytest.importorskip("nbformat")
    from nbconvert import HTMLExporter, SlidesExporter

    lesson = next(p for p in NOTEBOOKS if p.stem.startswith("01a_"))
    nb = nbformat.reads(rel.student_copy_text(lesson), as_version=4)
    nbformat.validate(nb)
    neuron = base64.b64encode((ROOT / "images" / "linear_algebra_neuron.png").read_bytes()).decode()
    for exporter in (HTMLExporter(), SlidesExporter()):
        body, _ = exporter.from_notebook_node(nb)
        assert f'src="data:image/png;base64,{neuron}"' in body, type(exporter).__name__
        assert "attachment:" not in body and "../images/" not in body


def test_attach_images_refuses_what_it_cannot_attach(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"\x89PNG fake")

    def cell(text):
        return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}]}

    nb = nf.attach_images(cell("See ![the a diagram](../images/a.png).\n"), tmp_path / "notebooks")
    assert nb["cells"][0]["source"] == ["See ![the a diagram](attachment:a.png).\n"]
    assert nb["cells"][0]["attachments"] == {"a.png": {"image/png": base64.b64encode(b"\x89PNG fake").decode()}}
    with pytest.raises(ValueError, match=r"../images/b.png: the diagram is not at .*images/b.png"):
        nf.attach_images(cell("![b](../images/b.png)"), tmp_path / "notebooks")
    with pytest.raises(ValueError, match="cannot be made an attachment"):
        nf.attach_images(cell('<img src="../images/a.png">'), tmp_path / "notebooks")
    with pytest.raises(ValueError, match="expected an image file"):
        nf.attach_images(cell("![notes](../images/notes.txt)"), tmp_path / "notebooks")


def test_release_says_which_diagram_is_missing(tmp_path, capsys):
    lesson = next(p for p in NOTEBOOKS if "](../images/" in p.read_text(encoding="utf-8"))
    (tmp_path / "notebooks").mkdir()
    shutil.copyfile(lesson, tmp_path / "notebooks" / lesson.name)
    args = type("Args", (), {"notebooks": [], "source": tmp_path / "notebooks", "out": tmp_path / "out"})()
    assert rel.run(args) == 2
    assert "the diagram is not at" in capsys.readouterr().out
    assert not (tmp_path / "out" / lesson.name).exists(), "no copy with a broken figure"


def test_hidden_tests_are_removed_and_solutions_stubbed():
    cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "relu-check", "solution": False,
                                                            "locked": True, "points": 2, "schema_version": 3}},
            "source": 'check("relu", relu)\n### BEGIN HIDDEN TESTS\ncheck("relu", relu)  # secret\n### END HIDDEN TESTS\n',
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "relu: passed\n"}], "execution_count": 3}
    answer = {"cell_type": "code", "metadata": {"nbgrader": {"grade": False, "grade_id": "relu", "solution": True,
                                                              "locked": False, "schema_version": 3}},
              "source": "def relu(z):\n    ### BEGIN SOLUTION\n    return np.maximum(z, 0)\n    ### END SOLUTION\n",
              "outputs": [], "execution_count": 2}
    student = rel.student_copy({"cells": [answer, cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    assert nf.source_text(student["cells"][1]) == 'check("relu", relu)\n'
    assert "secret" not in json.dumps(student)
    assert "np.maximum" not in json.dumps(student)
    assert nf.source_text(student["cells"][0]).startswith("def relu(z):\n    # YOUR CODE HERE\n    raise NotImplementedError")


def test_release_is_byte_identical_and_never_overwrites_edits(tmp_path):
    source = tmp_path / "course" / "notebooks"
    source.mkdir(parents=True)
    shutil.copytree(ROOT / "images", tmp_path / "course" / "images")  # the course's shape: ../images/ beside
    first, *rest = NOTEBOOKS
    (source / first.name).write_bytes(first.read_bytes())
    a, b = tmp_path / "a", tmp_path / "b"
    messages = rel.release(a, rel.instructor_notebooks(source))
    rel.release(b, rel.instructor_notebooks(source))
    assert messages == [f"added    {first.name}"]
    assert (a / first.name).read_bytes() == (b / first.name).read_bytes()
    assert (a / first.name).read_bytes() == rel.student_copy_text(first).encode()

    assert rel.release(a, rel.instructor_notebooks(source)) == ["unchanged: 1 file already up to date"]

    # The course changes: an untouched copy is updated, an edited one is kept and reported.
    edited = a / first.name
    nb = load(edited)
    nb["cells"][0]["source"] = "my own notes\n"
    edited.write_text(json.dumps(nb))
    mine = edited.read_bytes()
    course = load(source / first.name)
    course["cells"][-1]["source"] = course["cells"][-1].get("source", "") + ["\nA new sentence.\n"] \
        if isinstance(course["cells"][-1].get("source"), list) else "A new sentence."
    (source / first.name).write_text(nf.dumps_notebook(course))
    messages = rel.release(a, rel.instructor_notebooks(source))
    assert edited.read_bytes() == mine
    assert messages[0].startswith(f"kept     {first.name}: it has your own changes")
    messages = rel.release(b, rel.instructor_notebooks(source))
    assert messages == [f"updated  {first.name} (the course changed; you had not edited it)"]
    assert (b / first.name).read_bytes() == rel.student_copy_text(source / first.name).encode()

    # A new lesson is added next to existing work.
    if rest:
        (source / rest[0].name).write_bytes(rest[0].read_bytes())
        messages = rel.release(a, rel.instructor_notebooks(source))
        assert f"added    {rest[0].name}" in messages and edited.read_bytes() == mine


def test_make_workspace_creates_then_adds_and_keeps(tmp_path):
    workspace = tmp_path / "workspace"
    messages = rel.make_workspace(workspace)
    assert messages[0].startswith(f"created your workspace {workspace} with {len(rel.instructor_notebooks())} lesson")
    assert sorted(p.name for p in workspace.glob("*.ipynb")) == [p.name for p in rel.instructor_notebooks()]
    mine = workspace / NOTEBOOKS[0].name
    mine.write_text(mine.read_text().replace("NotImplementedError", "NotImplementedError ", 1))
    (workspace / NOTEBOOKS[-1].name).unlink()
    messages = rel.make_workspace(workspace)
    assert f"added    {NOTEBOOKS[-1].name}" in messages
    # The learner's edits are kept; while the course's version of that lesson did not change, nothing is said.
    assert not any(NOTEBOOKS[0].name in m for m in messages), messages
    assert "NotImplementedError " in mine.read_text()
    again = rel.make_workspace(workspace)
    assert len(again) == 1 and again[0].startswith("unchanged: "), again


def test_release_command_line(tmp_path, capsys):
    from nncourse.cli import main

    assert main(["release", "--out", str(tmp_path / "out"), str(NOTEBOOKS[0])]) == 0
    assert f"added    {NOTEBOOKS[0].name}" in capsys.readouterr().out
    assert (tmp_path / "out" / NOTEBOOKS[0].name).is_file()


# --------------------------------------------------------------------------- #
# Reading and rebuilding submissions (no kernel)
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def lesson():
    """The real lesson the rebuild tests and the hostile class use, trimmed."""
    candidates = [p for p in NOTEBOOKS if len(exercise_ids(load(p))) >= 3] or NOTEBOOKS
    path = candidates[0]
    instructor = trimmed(load(path))
    return {"name": path.name, "stem": path.stem, "instructor": instructor,
            "student": rel.student_copy(instructor), "ids": exercise_ids(instructor)}


BAD_FILES = {
    "empty": (b"", "empty"),
    "truncated": (None, "not valid notebook JSON"),
    "json-list": (b"[1, 2, 3]", "JSON list, not a notebook"),
    "non-utf8": (b'{"cells": "\xff\xfe\xfa"}', "not UTF-8"),
    "nbformat-2": (b'{"nbformat": 2, "worksheets": []}', "nbformat 2 is not supported"),
    "no-cells": (b'{"nbformat": 4, "cells": 7}', "no list of cells"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_give_a_clear_reason(case, tmp_path, lesson):
    data, reason = BAD_FILES[case]
    if data is None:
        whole = dump(lesson["student"])
        data = whole[: len(whole) // 2]
    path = tmp_path / lesson["name"]
    path.write_bytes(data)
    with pytest.raises(SubmissionError, match=reason):
        read_submission(path)


def test_a_100_mb_notebook_is_refused_without_reading_it(tmp_path, lesson):
    path = tmp_path / lesson["name"]
    with open(path, "wb") as fh:
        fh.truncate(100 * 2**20)  # sparse: no disk used
    with pytest.raises(SubmissionError, match="100 MB, more than the 20 MB limit"):
        read_submission(path)


def test_bom_nbformat3_and_duplicate_ids_are_read(tmp_path, lesson):
    import nbformat

    nb = filled(lesson["student"], answer_sources(lesson["instructor"]))
    for cell in nb["cells"]:
        cell["id"] = "same"
    path = tmp_path / "a.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + dump(nb))
    cells = read_submission(path)
    assert all(a.source == answer_sources(lesson["instructor"])[e] for e, a in rebuild(lesson["instructor"], cells).answers.items())

    v3 = nbformat.convert(nbformat.reads(json.dumps(filled(lesson["student"], answer_sources(lesson["instructor"]))),
                                         as_version=4), 3)
    path.write_text(nbformat.writes(v3, version=3))
    rebuilt = rebuild(lesson["instructor"], read_submission(path))
    assert all(a.source and a.source.strip() == answer_sources(lesson["instructor"])[e].strip()
               for e, a in rebuilt.answers.items())


def test_rebuild_takes_only_answer_sources_matched_by_id(lesson):
    first, second = lesson["ids"][:2]
    nb = filled(lesson["student"], {first: "# NBVAL_SKIP\n# NBVAL_IGNORE_OUTPUT\ndef mine(): pass\n"})
    cells = list(reversed(nb["cells"]))  # reordered: matched by id all the same
    for cell in cells:
        cell["metadata"].setdefault("tags", []).append("nbval-skip")
        if nf.is_check_cell(cell):
            nf.set_source(cell, "print('all passed')")
            cell["metadata"]["nbgrader"]["points"] = 100
    rebuilt = rebuild(lesson["instructor"], cells)
    assert rebuilt.answers[first].source == "def mine(): pass"
    assert rebuilt.notebook["cells"][0] == lesson["instructor"]["cells"][0]
    for before, after in zip(lesson["instructor"]["cells"], rebuilt.notebook["cells"]):
        assert before["metadata"] == after["metadata"], "metadata and tags come from the instructor"
        if not nf.is_answer_cell(before):
            assert before == after
    assert "NBVAL" not in json.dumps([nf.source_text(c) for c in rebuilt.notebook["cells"] if nf.is_answer_cell(c)])
    stub = next(c for c in rebuilt.notebook["cells"] if nf.exercise_id_of(c) == second and nf.is_answer_cell(c))
    assert "raise NotImplementedError" in nf.source_text(stub)


def test_extra_cells_count_only_inside_the_exercise_region(lesson):
    first = lesson["ids"][0]
    nb = filled(lesson["student"], {first: f"def {function_name(lesson['instructor'], first)}(*a):\n    return helper(*a)\n"})
    at = next(i for i, c in enumerate(nb["cells"]) if nf.is_answer_cell(c) and nf.exercise_id_of(c) == first)
    nb["cells"].insert(at + 1, {"cell_type": "code", "metadata": {}, "source": "def helper(*a):\n    return 1\n",
                                "outputs": [], "execution_count": None})
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "source": "import os; os._exit(0)\n",
                           "outputs": [], "execution_count": None})
    answer = rebuild(lesson["instructor"], nb["cells"]).answers[first].source
    assert "return helper(*a)" in answer and "def helper" in answer and "os._exit" not in answer


def test_stripped_metadata_falls_back_to_the_function_name_and_deleted_answers_are_missing(lesson):
    sources = answer_sources(lesson["instructor"])
    nb = filled(lesson["student"], sources)
    for cell in nb["cells"]:
        cell["metadata"] = {}
    rebuilt = rebuild(lesson["instructor"], nb["cells"])
    assert all(a.source == sources[e] and "metadata was missing" in a.note for e, a in rebuilt.answers.items())
    first = lesson["ids"][0]
    nb = filled(lesson["student"], sources)
    nb["cells"] = [c for c in nb["cells"] if not (nf.is_answer_cell(c) and nf.exercise_id_of(c) == first)]
    missing = rebuild(lesson["instructor"], nb["cells"]).answers[first]
    assert missing.source is None and "missing" in missing.note


# --------------------------------------------------------------------------- #
# The simulated class on every lesson: known scores, exact gradebook
# --------------------------------------------------------------------------- #


def _answer(instructor: dict, exercise_id: str, how: str) -> str | None:
    """The source a simulated student writes: right, the first known mistake, or nothing (the stub)."""
    if how == "right":
        return answer_sources(instructor)[exercise_id]
    return mistake_source(instructor, exercise_id) if how == "mistake" else None


@pytest.mark.slow
def test_simulated_class_gradebook_matches_exactly_and_reruns_change_nothing(private_tmp, grading_sandbox):
    """A class with known scores on every lesson.

    ``ada`` hands in every lesson; her k-th exercise of each lesson is right,
    the exercise's first known mistake, or left as the stub, cycling in that
    order. ``bea`` hands in the first lesson only, cycling from "mistake".
    ``cy`` hands in a truncated first lesson. Later exercises use the
    package's versions, so each exercise is graded on its own.
    """
    cycle = ("right", "mistake", "stub")
    subs, out = private_tmp / "submissions", private_tmp / "results"
    snapshot = private_tmp / "notebooks"  # the lessons as they are now (they may be edited meanwhile)
    snapshot.mkdir()
    for path in NOTEBOOKS:
        shutil.copy(path, snapshot / path.name)
    plans = {"ada": (NOTEBOOKS, 0), "bea": (NOTEBOOKS[:1], 1)}
    expected = {"ada": {}, "bea": {}, "cy": {}}
    for name, (paths, shift) in plans.items():
        (subs / name).mkdir(parents=True)
        for path in paths:
            instructor = load(snapshot / path.name)
            ids = exercise_ids(instructor)
            plan = {e: cycle[(i + shift) % 3] for i, e in enumerate(ids)}
            sources = {e: _answer(instructor, e, how) for e, how in plan.items() if how != "stub"}
            (subs / name / path.name).write_bytes(dump(filled(rel.student_copy(instructor), sources)))
            expected[name].update({e: EXERCISES[e].points if how == "right" else 0 for e, how in plan.items()})
    (subs / "cy").mkdir()
    (subs / "cy" / NOTEBOOKS[0].name).write_bytes(dump(rel.student_copy(load(snapshot / NOTEBOOKS[0].name)))[:1000])
    columns = [e.id for e in EXERCISES.values() if e.lesson in {p.stem for p in NOTEBOOKS}]
    for name in expected:
        expected[name] = {c: expected[name].get(c, 0) for c in columns}
    before = tree_hash(subs)

    summary = grade_submissions(subs, out, jobs=2, notebooks=snapshot,
                                limits=Limits(cell_timeout=300, notebook_timeout=900))
    assert (summary["run"], summary["missing"]) == (len(NOTEBOOKS) + 2, 2 * len(NOTEBOOKS) - 2)

    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0] == ",".join(["student", *columns, "total", "max", "status"])
    maximum = sum(EXERCISES[c].points for c in columns)
    got = {}
    for row in rows[1:]:
        fields = row.split(",", len(columns) + 3)
        got[fields[0]] = {c: int(x) for c, x in zip(columns, fields[1:])}
        assert int(fields[len(columns) + 1]) == sum(expected[fields[0]].values())
        assert int(fields[len(columns) + 2]) == maximum
    assert got == expected
    status = {r.split(",")[0]: r.split(",", len(columns) + 3)[-1] for r in rows[1:]}
    assert status["ada"] == "ok"
    assert "missing" in status["bea"] and "unreadable" in status["cy"]

    book = json.loads((out / "gradebook.json").read_text())
    outcomes = {"right": "passed", "mistake": "failed", "stub": "not attempted"}
    for path in NOTEBOOKS:
        checks = book["students"]["ada"]["notebooks"][path.stem]["checks"]
        ids = exercise_ids(load(snapshot / path.name))
        assert {e: checks[e]["outcome"] for e in ids} == {e: outcomes[cycle[i % 3]] for i, e in enumerate(ids)}
        assert all("case" in checks[e]["reason"] for i, e in enumerate(ids) if cycle[i % 3] == "mistake")
    assert book["students"]["ada"]["notebooks"][NOTEBOOKS[0].stem]["seed"] is not None
    for path in NOTEBOOKS:  # each wrong answer is an exercise's first known mistake, recorded by its id
        checks = book["students"]["ada"]["notebooks"][path.stem]["checks"]
        for i, e in enumerate(exercise_ids(load(snapshot / path.name))):
            assert checks[e]["mistake"] == (EXERCISES[e].mistakes[0].name if cycle[i % 3] == "mistake" else None)

    # The class report agrees with the gradebook, exercise by exercise, on the whole course.
    summary_doc = json.loads((out / "report.json").read_text())
    assert summary_doc["lessons"] == [p.stem for p in NOTEBOOKS] and summary_doc["students"] == 3
    for row in summary_doc["exercises"]:
        checks = [s["notebooks"][row["lesson"]]["checks"][row["id"]] for s in book["students"].values()]
        assert (row["passed"], row["failed"]) == (sum(c["outcome"] == "passed" for c in checks),
                                                  sum(c["outcome"] == "failed" for c in checks)), row
        assert sorted(m["id"] for m in row["mistakes"] for _ in range(m["count"])) == sorted(
            c["mistake"] for c in checks if c["outcome"] == "failed" and c["mistake"] in
            {m.name for m in EXERCISES[row["id"]].mistakes})
    problems = {(a["student"], a["lesson"], a["problem"]) for a in summary_doc["attention"]}
    assert problems == {("bea", p.stem, "not handed in") for p in NOTEBOOKS[1:]} | {
        ("cy", p.stem, "not handed in") for p in NOTEBOOKS[1:]} | {("cy", NOTEBOOKS[0].stem, "unreadable")}

    first = NOTEBOOKS[0].stem
    feedback = (out / "feedback" / feedback_folder("ada") / f"{first}.md").read_text()
    assert f"| {exercise_ids(load(snapshot / NOTEBOOKS[0].name))[0]} (" in feedback
    assert "<table>" in (out / "feedback" / feedback_folder("ada") / f"{first}.html").read_text()
    import xml.etree.ElementTree as ET

    suites = ET.parse(out / "junit.xml").getroot()
    assert len(suites.findall("testsuite")) == 3 * len(NOTEBOOKS)
    assert "done:" in (out / "grade.log").read_text()

    # Same input, same folder: everything reused, the same files.
    outputs = {p: p.read_bytes() for p in (out / "gradebook.csv", out / "gradebook.json", out / "junit.xml",
                                           out / "report.json", out / "report.html")}
    again = grade_submissions(subs, out, jobs=2, notebooks=snapshot,
                              limits=Limits(cell_timeout=300, notebook_timeout=900))
    assert (again["run"], again["reused"]) == (0, len(NOTEBOOKS) + 2)
    for path, data in outputs.items():
        assert path.read_bytes() == data, f"{path.name} changed on a re-run"
    assert tree_hash(subs) == before, "submissions must never be modified"


# --------------------------------------------------------------------------- #
# The hostile class
# --------------------------------------------------------------------------- #

HOSTILE_LIMITS = Limits(cell_timeout=120, notebook_timeout=300, memory_bytes=int(1.5 * 2**30), run_memory_bytes=2**30,
                        processes=64, file_bytes=16 * 2**20, output_bytes=2**20)
TIMEOUT_LIMITS = Limits(cell_timeout=8, notebook_timeout=120, memory_bytes=int(1.5 * 2**30), processes=64,
                        file_bytes=16 * 2**20, output_bytes=2**20)
# The sleep time of background processes a submission leaves behind, unique to this test session
# (so a grader running next to it cannot be mistaken for a survivor); found by scanning /proc.
MARK = f"7777.{os.getpid()}1"
# SysV shared-memory keys: one the test creates on the host (a run must not see it), one a run leaves behind
# (the host must never see it); and a token on a host process's command line (a run must not read it).
HOST_SHM_KEY, LEAKED_SHM_KEY = 0x4E4E0000 + os.getpid() % 0xFFFF, 0x4E4F0000 + os.getpid() % 0xFFFF
HOST_TOKEN = f"nncourse-secret-token-{os.getpid()}"


def npz_bomb() -> bytes:
    """A small .npz whose bzip2-compressed member declares a 1 GiB array (numpy would allocate it)."""
    import io
    import zipfile

    import numpy as np

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**27,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as zf:
        zf.writestr("a0.npy", header.getvalue() + bytes(2**20))
    return buffer.getvalue()


def npz_header_lie() -> bytes:
    """A stored (uncompressed) .npz member whose header claims 2**27 float64 but holds 16 bytes."""
    import io
    import zipfile

    import numpy as np

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**27,)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("a0.npy", header.getvalue() + bytes(16))
    return buffer.getvalue()


class Attacks:
    """Answer sources and notebook edits for the hostile class, built from one real lesson.

    An attack aimed at exercise ``e`` returns ``(source of e's answer cell, edit or None)``.
    """

    def __init__(self, lesson, results: Path):
        self.lesson, self.results = lesson, results
        self.inst, self.stu = lesson["instructor"], lesson["student"]
        self.right = answer_sources(self.inst)

    def name(self, e):
        return function_name(self.inst, e)

    def wrong(self, e, code=""):
        return code + "\n" + mistake_source(self.inst, e)

    def body(self, e, text):
        return f"def {self.name(e)}(*args, **kwargs):\n" + "".join(f"    {line}\n" for line in text.splitlines())

    def cell(self, notebook, e, check=False):
        return next(c for c in notebook["cells"] if nf.exercise_id_of(c) == e
                    and (nf.is_check_cell(c) if check else nf.is_answer_cell(c)))

    def notebook(self, sources: dict, edits=()) -> dict:
        nb = filled(self.stu, {**self.right, **sources})
        for edit in edits:
            edit(nb)
        return nb

    # Attacks on one exercise that can share a notebook with others: (kind, needle, build(e) -> (source, edit)).
    def per_exercise(self) -> dict:
        def check_to(kind):
            def build(e):
                def edit(nb):
                    cell = self.cell(nb, e, check=True)
                    cell["cell_type"] = kind
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
                return self.wrong(e), edit
            return build

        def edited_check(e):
            return self.wrong(e), lambda nb: nf.set_source(self.cell(nb, e, True), f"print({success_line(self.inst, e)!r})")

        def points_changed(e):
            return self.wrong(e), lambda nb: self.cell(nb, e, True)["metadata"]["nbgrader"].__setitem__("points", 100)

        def markers(e):
            def edit(nb):
                for c in (self.cell(nb, e), self.cell(nb, e, True)):
                    c["metadata"]["tags"] = ["nbval-skip", "raises-exception"]
            return self.wrong(e, "# NBVAL_SKIP\n# NBVAL_RAISES_EXCEPTION"), edit

        def forged(e):
            def edit(nb):
                cell = self.cell(nb, e, True)
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": success_line(self.inst, e) + "\n"}]
                cell["execution_count"] = 1
            return self.wrong(e), edit

        def bodied(text):
            return lambda e: (self.body(e, text.replace("__EXERCISE__", repr(e))), None)

        site = sysconfig.get_paths()["purelib"]
        leave_behind = ("import os, pathlib\n"
                        "for _p, _t in [(pathlib.Path.home() / '.ipython/profile_default/startup/00-evil.py', 'raise SystemExit'),\n"
                        "               (pathlib.Path('/root/.ipython/profile_default/startup/00-nncourse-evil.py'), 'raise SystemExit'),\n"
                        f"               (pathlib.Path({site!r}) / 'nncourse-evil.pth', 'import os; os._exit(3)'),\n"
                        "               (pathlib.Path('/tmp/nncourse-evil-left-behind.py'), 'x')]:\n"
                        "    try:\n        _p.parent.mkdir(parents=True, exist_ok=True); _p.write_text(_t)\n"
                        "    except OSError:\n        pass\n")
        writes = ("import pathlib\nfor _name in ('gradebook.csv', 'evil.txt'):\n    try:\n"
                  f"        (pathlib.Path({str(self.results)!r}) / _name).write_text('pwned,100')\n"
                  "    except OSError:\n        pass")
        fork = ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                f"        os.execv('/bin/sleep', ['sleep', '{MARK}'])\n    os._exit(0)\n")
        sources_dir = [str(ROOT / "notebooks" / "*.ipynb"), str(self.results.parent / "hostile-notebooks" / "*.ipynb")]
        reads = lambda e: self.body(e, (  # noqa: E731
            "import json, glob\n"
            f"for p in glob.glob({sources_dir[0]!r}) + glob.glob({sources_dir[1]!r}):\n"
            "    for c in json.load(open(p))['cells']:\n"
            f"        if c.get('metadata', {{}}).get('nbgrader', {{}}).get('grade_id') == {e!r}:\n"
            "            ns = {}\n            exec(''.join(c['source']), globals(), ns)\n"
            f"            return ns[{self.name(e)!r}](*args, **kwargs)\n"
            "return None"))
        network = lambda e: self.body(e, (  # noqa: E731
            "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=3).close()\n"
            "except OSError:\n    return None\n"
            f"from nncourse.checks import EXERCISES\nreturn EXERCISES[{e!r}].reference(*args, **kwargs)"))
        return {
            # structure of the notebook
            "check-cell-edited": ("zero", "", edited_check),
            "check-cell-raw": ("zero", "", check_to("raw")),
            "points-changed": ("zero", "", points_changed),
            "nbval-markers": ("zero", "", markers),
            "forged-outputs": ("zero", "", forged),
            "check-cell-deleted": ("right", "", lambda e: (self.right[e], lambda nb: nb["cells"].remove(self.cell(nb, e, True)))),
            "check-cell-markdown": ("right", "", lambda e: (self.right[e], check_to("markdown")(e)[1])),
            "answer-cell-deleted": ("zero", "missing", lambda e: (self.right[e], lambda nb: nb["cells"].remove(self.cell(nb, e)))),
            # reaching outside the kernel
            "writes-results": ("zero", "", lambda e: (self.wrong(e, writes), None)),
            "forked-background": ("zero", "", lambda e: (self.wrong(e, fork), None)),
            "startup-file-and-pth": ("right", "", lambda e: (leave_behind + "\n" + self.right[e], None)),
            "reads-reference": ("zero", "", lambda e: (reads(e), None)),
            "network": ("zero", "", lambda e: (network(e), None)),
            # resources
            "memory-bomb": ("zero", "MemoryError", bodied("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))")),
            "disk-fill": ("zero", "File too large", bodied("with open('big.bin', 'wb') as fh:\n    for _ in range(64):\n        fh.write(b'0' * 2**20)\nreturn None")),
            "tmp-fill": ("zero", "No space left", bodied("for i in range(100):\n"
                                                          "    with open(f'/tmp/fill-{i}', 'wb') as fh:\n"
                                                          "        fh.write(b'0' * 2**21)\nreturn None")),
            "output-flood": ("right", "", lambda e: (self.right[e] + "\nfor _i in range(40000):\n    print('x' * 100)\n", None)),
            "sys-exit": ("zero", "", bodied("import sys\nsys.exit(3)")),
            "input": ("zero", "", bodied("return input('answer? ')")),
            # right answers with side effects that fooled other graders (nbgrader scored a warning 0)
            "right-but-warns": ("right", "", bodied("import warnings\nwarnings.warn('noisy', RuntimeWarning)\n"
                                                    "from nncourse.checks import EXERCISES\n"
                                                    "return EXERCISES[__EXERCISE__].reference(*args, **kwargs)")),
            "right-but-prints": ("right", "", bodied("print('debugging', args)\n"
                                                     "from nncourse.checks import EXERCISES\n"
                                                     "return EXERCISES[__EXERCISE__].reference(*args, **kwargs)")),
            # hostile return values
            "misnamed-function": ("zero", "NameError", lambda e: (self.right[e].replace(f"def {self.name(e)}(", f"def {self.name(e)}_v2(", 1), None)),
            # the reason names the answer cell's own error, not the NameError its check then raises
            "syntax-error": ("zero", "the answer cell did not run: SyntaxError", lambda e: (
                self.right[e].replace(f"def {self.name(e)}(", f"def {self.name(e)}((", 1), None)),
            "eq-always-true": ("zero", "", bodied("class _Yes:\n    def __eq__(self, other):\n        return True\nreturn _Yes()")),
            "nan": ("zero", "", bodied("return float('nan')")),
            "wrong-shape": ("zero", "shape", bodied("import numpy as np\nreturn np.zeros((3, 1, 7))")),
            "huge-array": ("zero", "elements", bodied("import numpy as np\nreturn np.broadcast_to(0.0, (10**7,))")),
            "generator": ("zero", "generator", bodied("yield 1.0")),
            # results forged after a right answer's check wrote them: refused, never blocking or bloating the grader
            "results-fifo": ("zero", "no results", self.forged(
                "for _s in ('json', 'npz'):\n    _p = _os.path.join(_d, f'{_e}.{_s}')\n"
                "    _os.unlink(_p)\n    _os.mkfifo(_p)")),
            "results-symlink": ("zero", "no results", self.forged(
                "_p = _os.path.join(_d, f'{_e}.json')\n_os.unlink(_p)\n_os.symlink('/etc/passwd', _p)")),
            "results-huge": ("zero", "no results", self.forged(
                "with open(_os.path.join(_d, f'{_e}.json'), 'r+b') as _f:\n    _f.truncate(15 * 2**20)")),
            "npz-bomb": ("zero", "compressed", self.forged(
                f"open(_os.path.join(_d, f'{{_e}}.npz'), 'wb').write(__import__('base64').b64decode({base64.b64encode(npz_bomb()).decode()!r}))")),
            "npz-header-lie": ("zero", "claims more data", self.forged(
                f"open(_os.path.join(_d, f'{{_e}}.npz'), 'wb').write(__import__('base64').b64decode({base64.b64encode(npz_header_lie()).decode()!r}))")),
            "results-nan": ("zero", "non-finite", self.forged(
                "import json as _j\n_p = _os.path.join(_d, f'{_e}.json')\n_doc = _j.load(open(_p))\n"
                "_doc['cases'][0]['warnings'] = [float('nan')]\nopen(_p, 'w').write(_j.dumps(_doc))")),
            "results-deep-json": ("zero", "nested too deeply", self.forged(
                "open(_os.path.join(_d, f'{_e}.json'), 'w').write('[' * 100000 + ']' * 100000)")),
            "results-wrong-types": ("zero", "malformed", self.forged(
                "import json as _j\n_p = _os.path.join(_d, f'{_e}.json')\n_doc = _j.load(open(_p))\n"
                "_doc['cases'] = [['x']] * len(_doc['cases'])\nopen(_p, 'w').write(_j.dumps(_doc))")),
        }

    def forged(self, body: str):
        """An attack: the right answer, and a patched ``_exchange.dump`` that then rewrites its own results."""
        def build(e):
            patch = ("import os as _os, nncourse.checks._exchange as _x\n"
                     f"def _forger_{e.replace('-', '_')}(real):\n"
                     "    def forging_dump(directory, exercise_id, seed, outcomes):\n"
                     "        real(directory, exercise_id, seed, outcomes)\n"
                     f"        if exercise_id != {e!r}:\n            return\n"
                     "        _d, _e = str(directory), exercise_id\n"
                     + "".join(f"        {line}\n" for line in body.splitlines())
                     + "    return forging_dump\n"
                     f"_x.dump = _forger_{e.replace('-', '_')}(_x.dump)\n")
            return patch + "\n" + self.right[e], None
        return build

    def probing(self, e: str, probe: str) -> str:
        """The right answer, wrapped so that ``probe`` (code that raises on a leak) runs on every call."""
        name = self.name(e)
        return (f"def _probe_{name}():\n" + "".join(f"    {line}\n" for line in probe.splitlines())
                + "\n" + self.right[e] + f"\n_right_{name} = {name}\n\n"
                f"def {name}(*args, **kwargs):\n    _probe_{name}()\n    return _right_{name}(*args, **kwargs)\n")

    def shared_memory(self) -> str:
        """Leave SysV and POSIX shared memory behind, and look for the host's: raise if it is visible."""
        return ("import ctypes, os\n_libc = ctypes.CDLL(None, use_errno=True)\n"
                "_libc.shmat.restype = ctypes.c_void_p\n"
                f"if _libc.shmget({HOST_SHM_KEY}, 0, 0) >= 0:\n"
                "    raise RuntimeError('the host\\'s SysV shared memory is visible inside the run')\n"
                f"_id = _libc.shmget({LEAKED_SHM_KEY}, 2**20, 0o1600)\n"
                "if _id < 0:\n    raise RuntimeError(f'shmget failed: {ctypes.get_errno()}')\n"
                "ctypes.memset(_libc.shmat(_id, None, 0), 1, 2**20)\n"
                f"open('/dev/shm/nncourse-evil-{MARK}', 'wb').write(b'1' * 2**20)\n")

    def reads_host(self) -> str:
        """Try to read what a run must never see (the checkout, another batch, home folders, host processes)."""
        older = self.results.parent / "results-of-an-older-batch" / "gradebook.csv"
        clone = Path.home() / f".nncourse-stray-clone-{os.getpid()}" / "notebooks" / "01_x.ipynb"
        paths = [ROOT / "README.md", ROOT / "notebooks", ROOT / ".git", older, clone, self.results, Path("/run"),
                 Path.home() / ".bashrc", Path.home() / ".cache"]
        return ("import os, glob\n_seen = []\n"
                f"for _p in {[str(p) for p in paths]!r}:\n"
                "    if os.path.exists(_p):\n        _seen.append(_p)\n"
                "for _p in glob.glob('/proc/[0-9]*/cmdline'):\n"
                "    try:\n"
                f"        if {HOST_TOKEN!r}.encode() in open(_p, 'rb').read():\n"
                "            _seen.append('a host command line')\n"
                "    except OSError:\n        pass\n"
                "for _p in ('/run/lock/evil', '/tmp/../run/lock/evil', '/sandbox/../run/evil'):\n"
                "    try:\n        open(_p, 'w').write('x')\n        _seen.append(_p + ' (written)')\n"
                "    except OSError:\n        pass\n"
                "if _seen:\n    raise RuntimeError(f'a run could reach: {_seen}')\n")

    # Attacks that change the whole kernel or the whole file: one notebook each; aimed at the first exercise.
    def whole(self) -> dict:
        first = self.lesson["ids"][0]
        ok = success_line(self.inst, first)
        w = lambda code: self.notebook({first: self.wrong(first, code)})  # noqa: E731
        body = lambda text: self.notebook({first: self.body(first, text)})  # noqa: E731
        return {
            "patched-judge": ("zero", "", w("import nncourse.checks._judging as _c\n_c.evaluate = lambda *a, **k: None\n"
                                            "_c._constant_output = lambda *a, **k: False")),
            "patched-numpy": ("zero", "", w("import numpy as _np\n_np.allclose = lambda *a, **k: True\n"
                                            "_np.array_equal = lambda *a, **k: True\n"
                                            "_np.isclose = lambda a, b, **k: _np.ones(_np.broadcast(a, b).shape, bool)")),
            "patched-check": ("no-gain", "", w(f"import nncourse.checks as _c\n_c.check = lambda *a: print({ok!r})\n"
                                               "check = _c.check")),
            "patched-builtins": ("no-gain", "", w("import builtins, nncourse.checks as _c\n_p = builtins.print\n"
                                                  f"builtins.print = lambda *a, **k: _p({ok!r})\n_orig = _c.check\n"
                                                  "def _quiet(*a):\n    try:\n        _orig(*a)\n"
                                                  "    except BaseException:\n        builtins.print()\n"
                                                  "builtins.check = _quiet\ncheck = _quiet")),
            "input-transformer": ("no-gain", "", w("def _t(lines):\n"
                                                   f"    return [{ok!r}.join(['print(\"', '\")']) + '\\n' if 'check(' in l else l for l in lines]\n"
                                                   "get_ipython().input_transformers_cleanup.append(_t)")),
            "display-hook": ("zero", "", w("import sys\nfrom IPython.core.interactiveshell import InteractiveShell\n"
                                           f"InteractiveShell.showtraceback = lambda *a, **k: print({ok!r})\n"
                                           "sys.displayhook = lambda *a: None")),
            "thread-prints-success": ("no-gain", "", w("import threading, time\ndef _spam():\n    while True:\n"
                                                       f"        print({ok!r}); time.sleep(0.01)\n"
                                                       "threading.Thread(target=_spam, daemon=True).start()")),
            "global-state": ("full", "", self.notebook({first: "import numpy as np, warnings, matplotlib.pyplot as plt\n"
                                                               "np.set_printoptions(precision=1)\nwarnings.simplefilter('error')\n"
                                                               "plt.rcParams['figure.figsize'] = (1, 1)\nnp.seterr(all='raise')\n"
                                                               + self.right[first]})),
            "os-exit": ("zero", "kernel died", body("import os\nos._exit(1)")),
            "segfault": ("zero", "kernel died", body("import ctypes\nctypes.string_at(0)")),
            "memory-in-many-processes": ("zero", "memory together", body(
                "import os, time\nif not globals().get('_spread'):\n    globals()['_spread'] = True\n"
                "    for _ in range(5):\n        if os.fork() == 0:\n            data = b'1' * (300 * 2**20)\n"
                "            time.sleep(60)\n            os._exit(0)\ntime.sleep(5)\nreturn None")),
            "process-bomb": ("zero", "", body("import os\nfor _ in range(200):\n    try:\n        if os.fork() == 0:\n"
                                              f"            os.execv('/bin/sleep', ['sleep', '{MARK}'])\n"
                                              "    except OSError:\n        break\nreturn None")),
            # Files in memory: each memfd stays under the 16 MiB file-size limit, together 1.5 GiB.
            "memfd-flood": ("zero", "memory together", body(
                "import os\nfiles = []\nfor _ in range(100):\n    fd = os.memfd_create('flood')\n"
                "    for _ in range(15):\n        os.write(fd, b'1' * 2**20)\n    files.append(fd)\nreturn None")),
            "shared-memory": ("right", "", self.notebook({first: self.probing(first, self.shared_memory())})),
            "reads-host": ("right", "", self.notebook({first: self.probing(first, self.reads_host())})),
            "cells-reordered": ("full", "", self.notebook({}, [lambda nb: nb["cells"].reverse()])),
            "metadata-stripped": ("full", "", self.notebook({}, [lambda nb: [c.__setitem__("metadata", {}) for c in nb["cells"]]])),
        }


def hostile_students(lesson, results: Path) -> dict:
    """student -> {"files": {name: bytes or None (a sparse 100 MB file)}, "cases": {case: (exercise or None, kind, needle)}}."""
    attacks = Attacks(lesson, results)
    name, ids = lesson["name"], lesson["ids"]
    whole = dump(attacks.notebook({}))
    students = {
        "corrupt-json": {"files": {name: whole[: len(whole) // 2]}, "cases": {"corrupt-json": (None, "unreadable", "not valid notebook JSON")}},
        "empty-file": {"files": {name: b""}, "cases": {"empty-file": (None, "unreadable", "empty")}},
        "json-list": {"files": {name: b"[]"}, "cases": {"json-list": (None, "unreadable", "JSON list")}},
        "huge-100mb": {"files": {name: None}, "cases": {"huge-100mb": (None, "unreadable", "more than the 20 MB limit")}},
        "non-utf8": {"files": {name: b"\x80\x81{" * 10}, "cases": {"non-utf8": (None, "unreadable", "not UTF-8")}},
    }
    import nbformat

    v3 = nbformat.writes(nbformat.convert(nbformat.reads(whole.decode(), as_version=4), 3), version=3).encode()
    students["nbformat-3"] = {"files": {name: v3}, "cases": {"nbformat-3": (None, "full", "")}}
    odd = attacks.notebook({})
    for cell in odd["cells"]:
        cell["id"] = "same"
    odd["metadata"]["kernelspec"] = {"name": "evil", "display_name": "evil", "language": "python"}
    students["odd-files"] = {
        "files": {name: b"\xef\xbb\xbf" + dump(odd), f"{lesson['stem']}-Copy1.ipynb": dump(attacks.notebook({ids[0]: "x = 1"})),
                  "notes.txt": b"hello", "numpy.py": b"raise ImportError('shadowed numpy')\n"},
        "cases": {c: (None, "full", "") for c in ("utf8-bom", "duplicate-cell-ids", "kernelspec-switched",
                                                   "several-notebooks", "numpy-shadow")}}
    for case, (kind, needle, nb) in attacks.whole().items():
        students[case] = {"files": {name: dump(nb)}, "cases": {case: (ids[0] if kind != "full" else None, kind, needle)}}
    # Names: each student hands in the right answers; the id is what the gradebook shows.
    honest = {name: whole}
    students["honest"] = {"files": honest, "cases": {"honest": (None, "full", "")}}
    weird = b"eve\n<b>bold\xff"
    students[display_name(os.fsdecode(weird))] = {"folder": weird, "files": honest,
                                                 "cases": {"name-newline-html-non-utf8": (None, "full", "")}}
    long_id = "x" * 120 + " " + "y" * 120
    students[long_id] = {"files": honest, "cases": {"name-250-bytes-with-a-space": (None, "full", "")}}
    students["a b"] = {"files": honest, "cases": {"name-with-a-space": (None, "full", "")}}
    students["a_b_" + hashlib.sha256(b"a b").hexdigest()[:8]] = {
        "files": honest, "cases": {"name-like-a-sanitised-one": (None, "full", "")}}
    for raw, case in ((b"zed\xff", "name-collides-after-escaping-1"), (b"zed\\xff", "name-collides-after-escaping-2")):
        shown = f"zed\\xff [{hashlib.sha256(raw).hexdigest()[:12]}]"
        students[shown] = {"folder": raw, "files": honest, "cases": {case: (None, "refused", "look the same")}}
    students["linked"] = {"link": "honest", "files": {}, "cases": {"folder-is-a-symlink": (None, "refused", "symbolic link")}}
    # Attacks on single exercises share notebooks, one exercise each, the last exercise left right.
    per = sorted(attacks.per_exercise().items())
    size = max(1, len(ids) - 1)
    for k in range(0, len(per), size):
        chunk = per[k:k + size]
        sources, edits, cases = {}, [], {}
        for e, (case, (kind, needle, build)) in zip(ids, chunk):
            source, edit = build(e)
            sources[e] = source
            if edit:
                edits.append(edit)
            cases[case] = (e, kind, needle)
        students[f"mixed-{k // size + 1}"] = {"files": {name: dump(attacks.notebook(sources, edits))}, "cases": cases}
    return students



TIMEOUT_CASES = {
    "infinite-loop": ("while True:\n    pass", "time limit"),
    "sleep-forever": ("import time\ntime.sleep(10**6)", "time limit"),
    "slow-correct": (None, "time limit"),
    "ignores-sigint": ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
                       "ignored the interrupt"),
}


def _lingering(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def hostile(lesson, grading_sandbox):
    base = Path(tempfile.mkdtemp(prefix="nncourse-grading-test-"))
    yield from _hostile(lesson, base)
    shutil.rmtree(base, ignore_errors=True)


GRADER_IN_A_PROCESS = """
import json, sys
from pathlib import Path
from nncourse.grading.grade import grade_submissions
from nncourse.grading.sandbox import Limits
subs, out, notebooks, limits = sys.argv[1:5]
summary = grade_submissions(Path(subs), Path(out), jobs=2, notebooks=Path(notebooks), limits=Limits(**json.loads(limits)))
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(json.dumps({"summary": summary, "peak_bytes": int(peak) * 1024, "pid": __import__("os").getpid()}))
"""


def _sysv_keys() -> set[int]:
    """Keys of the host's SysV shared-memory segments."""
    with open("/proc/sysvipc/shm") as fh:
        return {int(line.split()[0]) for line in fh.readlines()[1:]}


def _hostile(lesson, base: Path):
    import ctypes

    notebooks = base / "hostile-notebooks"
    notebooks.mkdir()
    (notebooks / lesson["name"]).write_text(nf.dumps_notebook(lesson["instructor"]))
    subs, out = base / "submissions", base / "results"
    students = hostile_students(lesson, out)
    links = {}
    for student, spec in students.items():
        if "link" in spec:
            links[student] = spec["link"]
            continue
        folder = subs / os.fsdecode(spec.get("folder", student))
        folder.mkdir(parents=True)
        for file_name, data in spec["files"].items():
            if data is None:
                with open(folder / file_name, "wb") as fh:
                    fh.truncate(100 * 2**20)  # sparse: 100 MB that take no disk
            else:
                (folder / file_name).write_bytes(data)
    for student, target in links.items():
        (subs / student).symlink_to(subs / target, target_is_directory=True)
    # What a run must not reach: another batch's results, a stray clone in a home folder,
    # the host's shared memory and a token on a host process's command line.
    older = base / "results-of-an-older-batch"
    older.mkdir()
    (older / "gradebook.csv").write_text("student,total\nsomeone,100\n")
    clone = Path.home() / f".nncourse-stray-clone-{os.getpid()}" / "notebooks"
    clone.mkdir(parents=True)
    (clone / "01_x.ipynb").write_text("{}")
    libc = ctypes.CDLL(None, use_errno=True)
    host_shm = libc.shmget(HOST_SHM_KEY, 4096, 0o1600)
    token = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", HOST_TOKEN])
    before = tree_hash(subs)
    try:
        proc = subprocess.run([sys.executable, "-c", GRADER_IN_A_PROCESS, str(subs), str(out), str(notebooks),
                               json.dumps(asdict(HOSTILE_LIMITS))], capture_output=True, text=True)
    finally:
        token.kill()
        libc.shmctl(host_shm, 0, None)  # IPC_RMID
        shutil.rmtree(clone.parent, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ran = json.loads(proc.stdout.strip().splitlines()[-1])
    book = json.loads((out / "gradebook.json").read_text(), parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    cases = {case: (student, *spec) for student, s in students.items() for case, spec in s["cases"].items()}
    yield {"students": students, "cases": cases, "book": book, "summary": ran["summary"], "out": out, "subs": subs,
           "before": before, "lesson": lesson, "peak_bytes": ran["peak_bytes"], "grader_pid": ran["pid"]}


def _case_names() -> list[str]:
    if not NOTEBOOKS:
        return []
    candidates = [p for p in NOTEBOOKS if len(exercise_ids(load(p))) >= 3] or NOTEBOOKS
    instructor = trimmed(load(candidates[0]))
    fake = {"instructor": instructor, "student": rel.student_copy(instructor), "ids": exercise_ids(instructor),
            "name": candidates[0].name, "stem": candidates[0].stem}
    return sorted(case for s in hostile_students(fake, Path("/nonexistent")).values() for case in s["cases"])


@pytest.mark.slow
@pytest.mark.parametrize("case", _case_names())
def test_hostile_submission_is_graded_correctly(case, hostile):
    student_id, target, kind, needle = hostile["cases"][case]
    lesson = hostile["lesson"]
    student = hostile["book"]["students"][student_id]
    notebook = student["notebooks"][lesson["stem"]]
    checks = notebook["checks"]
    full = points(lesson["instructor"])
    attacked = {e for e, _, _ in hostile["students"][student_id]["cases"].values() if e is not None}
    untouched = {e: full[e] for e in full if e not in attacked}
    got = {e: c["points"] for e, c in checks.items()}
    if kind == "unreadable":
        assert notebook["status"] == "unreadable" and student["total"] == 0
        assert needle in notebook["reason"] and needle in student["status"]
        assert all(c["outcome"] == "not graded" for c in checks.values())
        return
    if kind == "full":
        assert got == full, checks
        return
    if kind == "refused":
        assert notebook["status"] == "refused" and needle in notebook["reason"], notebook
        assert student["total"] == 0 and all(c["outcome"] == "not graded" for c in checks.values())
        return
    if kind == "right":
        assert got[target] == full[target], checks[target]
    elif kind in ("zero", "no-gain"):
        assert got[target] == 0 and checks[target]["outcome"] != "passed", checks[target]
        assert checks[target]["reason"], "a failed exercise always says why"
        assert needle in checks[target]["reason"], checks[target]
        if needle == "memory together":  # the class report lists who hit the memory limit
            assert checks[target]["limit"] == "memory", checks[target]
    if kind == "no-gain":  # the attack broke the kernel's checking for every later cell: nothing gained
        assert all(got[e] <= full[e] for e in full)
    else:  # the attack cost only its own exercise
        assert {e: got[e] for e in untouched} == untouched, checks


@pytest.mark.slow
def test_hostile_batch_completes_and_leaves_nothing_behind(hostile):
    book, out, stem = hostile["book"], hostile["out"], hostile["lesson"]["stem"]
    assert set(book["students"]) == set(hostile["students"])
    assert tree_hash(hostile["subs"]) == hostile["before"], "submissions must never be modified"
    assert not (out / "evil.txt").exists()
    assert "pwned" not in (out / "gradebook.csv").read_text()
    assert not list(Path(sysconfig.get_paths()["purelib"]).glob("nncourse-evil*.pth"))
    assert not Path("/root/.ipython/profile_default/startup/00-nncourse-evil.py").exists()
    assert not Path("/tmp/nncourse-evil-left-behind.py").exists() and not list(Path("/tmp").glob("fill-*"))
    assert not _lingering(MARK), "a process a submission started survived the grading run"
    log = (out / "grade.log").read_text()
    assert "odd-files: ignored numpy.py" in log and f"odd-files: ignored {stem}-Copy1.ipynb" in log
    # Nothing of any run is left: processes, shared memory, files, cgroups, run folders.
    assert LEAKED_SHM_KEY not in _sysv_keys(), "a run's SysV shared memory outlived it"
    assert not Path(f"/dev/shm/nncourse-evil-{MARK}").exists()
    assert not (out / ".runs").exists()
    from nncourse.grading import cgroups

    for parent in cgroups.find_hierarchy().parents.values():
        assert not list(parent.glob(f"{cgroups.PREFIX}{hostile['grader_pid']}-*")), "a run's cgroup was left behind"
    # The grader itself stayed small whatever the runs did (npz bomb, floods, huge files).
    print(f"the grader's peak memory on the hostile class: {hostile['peak_bytes'] / 2**20:.0f} MiB "
          f"({hostile['summary']['notebooks']} notebooks in {hostile['summary']['seconds']:.0f} s)")
    assert hostile["peak_bytes"] < 300 * 2**20, f"the grader's peak memory was {hostile['peak_bytes'] / 2**20:.0f} MiB"
    # Names: one line per notebook in the log, a page of its own per student, nothing injected.
    assert not any(line.startswith("<b>") for line in log.splitlines())
    weird = display_name(os.fsdecode(b"eve\n<b>bold\xff"))
    assert sum(1 for line in log.splitlines() if line.startswith(weird + " ")) == 1
    pages = list((out / "feedback").iterdir())
    assert len(pages) == len(book["students"]) and len({p.name for p in pages}) == len(pages)
    page = (out / "feedback" / feedback_folder(weird) / f"{stem}.md").read_text()
    assert "<b>bold" in page and not any(line.startswith("<b>") for line in page.splitlines())
    html_page = (out / "feedback" / feedback_folder(weird) / f"{stem}.html").read_text()
    assert "&lt;b&gt;bold" in html_page and "<b>bold" not in html_page
    # The class report: every student counted, names only in the attention list, escaped.
    summary = json.loads((out / "report.json").read_text())
    assert summary["students"] == len(book["students"]) and summary["notebooks"]["total"] == len(book["students"])
    class_page = (out / "report.html").read_text()
    assert "<b>bold" not in class_page and "<script" not in class_page
    # A dead kernel is noticed within seconds, not after nbval's cell timeout.
    for case in ("os-exit", "segfault"):
        assert book["students"][case]["notebooks"][stem]["seconds"] < HOSTILE_LIMITS.cell_timeout


@pytest.mark.slow
def test_timeouts_cost_only_their_own_exercise(lesson, private_tmp, grading_sandbox):
    """Endless loops, sleeps and a far too slow answer: interrupted at the cell timeout;
    a loop that ignores Ctrl-C: the kernel is stopped and the notebook run again without it."""
    notebooks = private_tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / lesson["name"]).write_text(nf.dumps_notebook(lesson["instructor"]))
    subs = private_tmp / "submissions"
    attacks = Attacks(lesson, private_tmp / "out")
    ids = lesson["ids"]
    slow = (f"import time\ntime.sleep({TIMEOUT_LIMITS.cell_timeout / 4})\n"
            f"from nncourse.checks import EXERCISES\nreturn EXERCISES[{ids[0]!r}].reference(*args, **kwargs)")
    interruptible = [c for c in TIMEOUT_CASES if c != "ignores-sigint"]
    targets = {case: ids[i % max(1, len(ids) - 1)] for i, case in enumerate(interruptible)}
    targets["ignores-sigint"] = ids[0]
    groups = {"interruptible": interruptible, "ignores-sigint": ["ignores-sigint"]}
    for student, cases in groups.items():
        sources = {targets[c]: attacks.body(targets[c], TIMEOUT_CASES[c][0] or slow.replace(repr(ids[0]), repr(targets[c])))
                   for c in cases}
        (subs / student).mkdir(parents=True)
        (subs / student / lesson["name"]).write_bytes(dump(attacks.notebook(sources)))
    grade_submissions(subs, private_tmp / "out", jobs=2, notebooks=notebooks, limits=TIMEOUT_LIMITS)
    book = json.loads((private_tmp / "out" / "gradebook.json").read_text())
    full = points(lesson["instructor"])
    for student, cases in groups.items():
        checks = book["students"][student]["notebooks"][lesson["stem"]]["checks"]
        for case in cases:
            target = targets[case]
            assert checks[target]["points"] == 0 and TIMEOUT_CASES[case][1] in checks[target]["reason"], (case, checks[target])
            assert checks[target]["limit"] == "time", (case, checks[target])
        hit = {targets[c] for c in cases}
        assert {e: checks[e]["points"] for e in full if e not in hit} == {e: full[e] for e in full if e not in hit}, checks
    # The class report lists who hit which limit, in which exercise.
    attention = json.loads((private_tmp / "out" / "report.json").read_text())["attention"]
    assert {(a["student"], a["exercise"], a["problem"]) for a in attention} == {
        (student, targets[c], "time limit") for student, cases in groups.items() for c in cases}


@pytest.mark.slow
def test_a_submission_swapped_while_it_is_graded_is_graded_as_read(lesson, private_tmp, grading_sandbox, monkeypatch):
    """Each file is read once: the bytes hashed (seed, cache key) are the bytes graded.

    The file is replaced by another version right after the grader read it; the
    grade, the seed and the cache belong to what was read, and grading again
    sees the new file as new.
    """
    from nncourse.grading import grade as grading

    notebooks = private_tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / lesson["name"]).write_text(nf.dumps_notebook(lesson["instructor"]))
    path = private_tmp / "subs" / "ada" / lesson["name"]
    path.parent.mkdir(parents=True)
    right, stubs = dump(filled(lesson["student"], answer_sources(lesson["instructor"]))), dump(lesson["student"])
    path.write_bytes(right)
    real_read = grading.read_submission_bytes

    def read_then_swap(*args, **kwargs):
        data = real_read(*args, **kwargs)
        path.write_bytes(stubs)  # a second writer, just after the read
        return data

    monkeypatch.setattr(grading, "read_submission_bytes", read_then_swap)
    out = private_tmp / "out"
    grade_submissions(path.parent.parent, out, jobs=1, notebooks=notebooks, limits=HOSTILE_LIMITS)
    entry = json.loads((out / "gradebook.json").read_text())["students"]["ada"]
    secret = (out / grading.SECRET_FILE).read_text().strip()
    assert entry["total"] == sum(points(lesson["instructor"]).values()), "the bytes read were the ones graded"
    assert entry["notebooks"][lesson["stem"]]["seed"] == grading._seed(secret, "ada", lesson["stem"],
                                                                        hashlib.sha256(right).hexdigest())
    monkeypatch.undo()
    again = grade_submissions(path.parent.parent, out, jobs=1, notebooks=notebooks, limits=HOSTILE_LIMITS)
    assert (again["run"], again["reused"]) == (1, 0), "the swapped file is new, never taken for the old one"
    assert json.loads((out / "gradebook.json").read_text())["students"]["ada"]["total"] == 0


# --------------------------------------------------------------------------- #
# Feedback shows the learner's code, not the grader's files
# --------------------------------------------------------------------------- #


def _kernel_cell(source: str, name: str):
    """``name`` defined by ``source`` as an IPython kernel defines a cell's code (its own file, in linecache)."""
    import linecache

    filename = f"/tmp/ipykernel_{os.getpid()}/{hashlib.sha256(source.encode()).hexdigest()[:10]}.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the test's own learner code
    return namespace[name]


GRADER_PLACES = (str(ROOT), sys.prefix, sys.base_prefix, "site-packages", "/tmp/ipykernel_")


def test_an_error_inside_a_package_shows_the_learners_line_and_no_grader_path():
    from nncourse.checks import exercise_rng, judge
    from nncourse.checks._running import run_student

    exercise = EXERCISES["dot-loop"]
    case = exercise.make_cases(exercise_rng("dot-loop", 0))[0]
    wrong_import = _kernel_cell("def dot_loop(a, b):\n    from nncourse.linalg import no_such_function\n", "dot_loop")
    in_numpy = _kernel_cell("import numpy as np\n\ndef dot_loop(a, b):\n    return float(np.reshape(a, (99, 7)).sum())\n",
                            "dot_loop")
    recursion = _kernel_cell("def dot_loop(a, b):\n    return dot_loop(a, b)\n", "dot_loop")

    raised = run_student(exercise, (wrong_import,), case).result
    assert raised.type_name == "ImportError"
    assert raised.message == "cannot import name 'no_such_function' from 'nncourse.linalg' (nncourse/linalg.py)"
    assert raised.where == "  in dot_loop, line 2 of its cell: from nncourse.linalg import no_such_function"
    raised = run_student(exercise, (in_numpy,), case).result
    assert raised.type_name == "ValueError" and raised.message.startswith("cannot reshape array of size")
    assert raised.where == "  in dot_loop, line 4 of its cell: return float(np.reshape(a, (99, 7)).sum())", \
        "numpy's and the checker's own frames are left out"
    raised = run_student(exercise, (recursion,), case).result
    assert raised.where.startswith("  in dot_loop, line 2 of its cell: return dot_loop(a, b)  (repeated ")
    assert raised.where.count("\n") == 0

    verdict = judge(exercise, exercise.make_cases(exercise_rng("dot-loop", 0)),
                              [run_student(exercise, (in_numpy,), c) for c in exercise.make_cases(exercise_rng("dot-loop", 0))])
    text = verdict.message()
    assert "raised ValueError: cannot reshape" in text and "in dot_loop, line 4 of its cell: return float(np.reshape" in text
    assert not any(place in text for place in GRADER_PLACES), text


def test_the_exchange_keeps_the_learners_lines_and_cuts_grader_paths(tmp_path):
    from nncourse.checks import _exchange
    from nncourse.checks._running import Outcome, Raised

    forged = Raised("ImportError", f"cannot import name 'x' from 'nncourse.linalg' ({ROOT}/nncourse/linalg.py)",
                    f"  in f, line 2 of its cell: open('{sys.prefix}/lib/secret.txt')")
    _exchange.dump(tmp_path, "x", 3, [Outcome(forged, (), ())])
    loaded = _exchange.load(tmp_path, "x", 3, 1)[0].result
    assert loaded.message == "cannot import name 'x' from 'nncourse.linalg' (nncourse/linalg.py)"
    assert loaded.where == "  in f, line 2 of its cell: open('lib/secret.txt')"


def test_feedback_pages_cut_the_graders_paths():
    from nncourse.grading import report

    result = {"status": "graded", "reason": f"the run stopped: {ROOT}/nncourse/grading/runner.py said so",
              "notes": [f"x: {sys.prefix}/lib/python3.11/site-packages/numpy/core.py"],
              "checks": [{"id": "dot-loop", "title": "t", "outcome": "failed", "points": 0, "max_points": 1,
                          "reason": f"raised ImportError: from 'nncourse.linalg' ({ROOT}/nncourse/linalg.py), "
                                    "reading /home/me/data.txt", "mistake": None}]}
    for page in (report.feedback_markdown("ada", "01_x", result), report.feedback_html("ada", "01_x", result)):
        assert "(nncourse/linalg.py)" in page and "nncourse/grading/runner.py" in page and "numpy/core.py" in page
        assert str(ROOT) not in page and sys.prefix not in page
        assert "/home/me/data.txt" in page, "a path the learner's code named is theirs"


@pytest.mark.slow
def test_graded_feedback_shows_the_learners_code_when_a_package_function_raises(lesson, private_tmp, grading_sandbox):
    notebooks = private_tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / lesson["name"]).write_text(nf.dumps_notebook(lesson["instructor"]))
    first, second = lesson["ids"][:2]
    one, two = function_name(lesson["instructor"], first), function_name(lesson["instructor"], second)
    sources = {first: f"def {one}(*args, **kwargs):\n    from nncourse.linalg import no_such_function\n",
               second: f"import numpy as np\n\ndef {two}(*args, **kwargs):\n    return np.reshape(np.ones(3), (4, 7))\n"}
    (private_tmp / "subs" / "ada").mkdir(parents=True)
    (private_tmp / "subs" / "ada" / lesson["name"]).write_bytes(dump(filled(lesson["student"], sources)))
    out = private_tmp / "out"
    grade_submissions(private_tmp / "subs", out, jobs=1, notebooks=notebooks, limits=HOSTILE_LIMITS)
    folder = out / "feedback" / feedback_folder("ada")
    for page in ((folder / f"{lesson['stem']}.md").read_text(), (folder / f"{lesson['stem']}.html").read_text()):
        assert "raised ImportError: cannot import name" in page and "(nncourse/linalg.py)" in page
        assert f"in {one}, line 2 of its cell: from nncourse.linalg import no_such_function" in page
        assert "raised ValueError: cannot reshape array of size 3 into shape (4,7)" in page
        assert f"in {two}, line 4 of its cell: return np.reshape(np.ones(3), (4, 7))" in page
        assert not any(place in page for place in GRADER_PLACES), page


# --------------------------------------------------------------------------- #
# nncourse check (for learners)
# --------------------------------------------------------------------------- #


@pytest.mark.slow
def test_check_prints_passed_failed_and_not_attempted(lesson, private_tmp, capsys, monkeypatch):
    """A learner's own notebook: no sandbox needed (it is theirs), the grader's own judgement."""
    from nncourse.grading import runner, sandbox

    def unavailable():
        raise sandbox.IsolationUnavailable("not on a learner's laptop")

    monkeypatch.setattr(runner, "isolation", unavailable)
    first, second = lesson["ids"][:2]
    right = answer_sources(lesson["instructor"])
    path = private_tmp / lesson["name"]
    path.write_bytes(dump(filled(lesson["student"], {first: right[first],
                                                     second: mistake_source(lesson["instructor"], second)})))
    result = check_cmd.check_notebook(path)
    outcome = {r["id"]: r["outcome"] for r in result["exercises"]}
    assert outcome[first] == "passed" and outcome[second] == "failed"
    assert all(outcome[e] == "not attempted" for e in lesson["ids"][2:])
    failed = next(r for r in result["exercises"] if r["id"] == second)
    assert "case" in failed["reason"]
    table = check_cmd.format_table(result)
    assert f"total: {EXERCISES[first].points} / {sum(points(lesson['instructor']).values())} points " \
           f"(1 passed, 1 failed, {len(lesson['ids']) - 2} not attempted)" in table
    assert check_cmd.run(type("Args", (), {"notebook": path, "cell_timeout": 300.0})()) == 1
    assert "passed" in capsys.readouterr().out


# --------------------------------------------------------------------------- #
# Reports, command line, and the fallback without root (cheap)
# --------------------------------------------------------------------------- #


def _result(reason: str) -> dict:
    exercise = next(iter(EXERCISES.values()))
    check = {"id": exercise.id, "title": exercise.title, "max_points": exercise.points, "points": 0,
             "outcome": "failed", "reason": reason, "seconds": 0.5}
    return {"file": "x.ipynb", "status": "graded", "reason": "", "checks": [check], "notes": ["note `x`"],
            "seed": 1, "seconds": 1.0, "other_cells_failed": 0}


def test_feedback_and_junit_escape_what_students_wrote():
    from nncourse.grading import report

    hostile_text = "raised ValueError: <script>alert(1)</script> ``` & \x00\x1b"
    page = report.feedback_html("<b>eve</b>", "01_x", _result(hostile_text))
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>eve</b>" not in page
    markdown = report.feedback_markdown("eve`", "01_x", _result(hostile_text))
    assert "````text\n" + hostile_text + "\n````" in markdown, "the fence is longer than any run of backticks inside"
    import xml.etree.ElementTree as ET

    root = ET.fromstring(report.junit_xml(["01_x"], {("eve", "01_x"): _result(hostile_text)}).split("\n", 1)[1])
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "<script>" in failure.text and "\x00" not in failure.text
    csv_text = report.gradebook_csv(["01_x"], report._student_rows(["01_x"], {("=cmd()", "01_x"): _result("r")}))
    assert "\n'=cmd()," in csv_text, "a formula-like student id is quoted for spreadsheets"


def test_grade_command_line_refuses_results_inside_submissions_and_grades_one_lesson(tmp_path, capsys,
                                                                                   grading_sandbox):
    from nncourse.cli import main

    subs = tmp_path / "subs"
    (subs / "dan").mkdir(parents=True)
    (subs / "dan" / NOTEBOOKS[0].name).write_bytes(b"{")
    assert main(["grade", str(subs), "--out", str(subs / "results")]) == 2
    assert "outside the submissions folder" in capsys.readouterr().err
    assert main(["grade", str(subs), "--out", str(tmp_path / "out"), "--lesson", NOTEBOOKS[0].stem]) == 0
    assert "graded 1 students, 1 notebooks" in capsys.readouterr().out
    row = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1]
    assert row.startswith("dan,") and "unreadable" in row
    assert main(["grade", str(subs), "--out", str(tmp_path / "out"), "--lesson", "99_nothing"]) == 2


@pytest.mark.slow
def test_without_isolation_leftover_processes_are_still_killed(lesson, private_tmp):
    """--no-isolation (and nncourse check): processes are still found by session and environment marker."""
    from nncourse.grading.grade import grade_notebook

    attacks = Attacks(lesson, private_tmp / "out")
    first = lesson["ids"][0]
    marker = f"7778.{os.getpid()}1"
    fork = ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv('/bin/sleep', ['sleep', '{marker}'])\n    os._exit(0)\n")
    path = private_tmp / lesson["name"]
    path.write_bytes(dump(attacks.notebook({first: fork + attacks.right[first]})))
    result = grade_notebook(lesson["instructor"], path, seed=5, limits=HOSTILE_LIMITS, isolate=False)
    assert {c["id"]: c["points"] for c in result["checks"]} == points(lesson["instructor"])
    assert not _lingering(marker)


def test_check_runs_a_released_copy_without_its_run_all_tags():
    from nncourse.grading.check import _runnable_copy

    released = rel.student_copy(load(NOTEBOOKS[2]))
    checks = [c for c in released["cells"] if nf.is_check_cell(c)]
    assert checks and all("raises-exception" in c["metadata"]["tags"] for c in checks)
    runnable = _runnable_copy(released["cells"])
    assert not any("raises-exception" in c["metadata"].get("tags", []) for c in runnable["cells"])
    assert all("raises-exception" in c["metadata"]["tags"] for c in checks), "the learner's cells are not changed"


def test_a_notebook_of_a_lesson_since_split_into_parts_is_named_in_the_log():
    from nncourse.grading.grade import _why_not_a_lesson

    parts = ["05a_computational_graphs", "05b_backward_pass", "05c_gradient_checking", "04_loss"]
    assert _why_not_a_lesson("05_backprop.ipynb", parts) == (
        "lesson 05 now comes in parts, each handed in as its own notebook: 05a_computational_graphs.ipynb, "
        "05b_backward_pass.ipynb, 05c_gradient_checking.ipynb")
    for other in ("04_old_name.ipynb", "notes.txt", "05d_extra.ipynb", "xx_backprop.ipynb"):
        assert _why_not_a_lesson(other, parts) == "not a lesson notebook named as released"
