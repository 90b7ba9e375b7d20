"""The package as a whole: version, command line, entry points, import cost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nncourse
from nncourse import cli


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nncourse", *args], capture_output=True, text=True, timeout=60)


def test_version_matches_package():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"nncourse {nncourse.__version__}"


def test_help_lists_every_course_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in cli.COMMANDS:
        assert name in result.stdout


def test_no_command_prints_help():
    result = run_cli()
    assert result.returncode == 0 and "COMMAND" in result.stdout


def test_exercises_command_lists_every_exercise():
    from nncourse.checks import EXERCISES

    result = run_cli("exercises")
    assert result.returncode == 0, result.stderr
    for exercise_id in EXERCISES:
        assert exercise_id in result.stdout
    assert f"{len(EXERCISES)} exercises" in result.stdout


def test_exercises_command_refuses_a_lesson_that_does_not_exist():
    result = run_cli("exercises", "--lesson", "06_gradient_descent")  # a lesson since split into parts
    assert result.returncode == 2 and result.stdout == ""
    assert "lesson 06 comes in parts: 06a_optimisers, 06b_training_loop" in result.stderr
    result = run_cli("exercises", "--lesson", "no_such_lesson")
    assert result.returncode == 2 and "the lessons are 00_start_here," in result.stderr


def test_import_nncourse_imports_numpy_only():
    code = ("import sys, nncourse; heavy = [m for m in ('matplotlib', 'ipywidgets', 'IPython', 'nbformat') "
            "if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_entry_points_exist_with_documented_signatures():
    params = nncourse.init_params([3, 4, 2], init="he", seed=0, dtype=np.float64)
    assert [(W.shape, b.shape) for W, b in params] == [((3, 4), (4,)), ((4, 2), (2,))]
    X = np.ones((5, 3))
    out, cache = nncourse.forward(params, X, activation="relu", output="softmax")
    assert out.shape == (5, 2) and len(cache) == 2
    loss, grads = nncourse.loss_and_grads(params, X, np.array([0, 1, 0, 1, 1]), activation="relu",
                                          loss="softmax_cross_entropy", l2=0.1, l1=0.0)
    assert isinstance(loss, float)
    assert [(dW.shape, db.shape) for dW, db in grads] == [((3, 4), (4,)), ((4, 2), (2,))]
    assert nncourse.relative_error(np.ones(3), np.ones(3)) == 0.0
    g = nncourse.numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0]))
    np.testing.assert_allclose(g, [2.0, -4.0], rtol=1e-8)
    assert callable(nncourse.train) and callable(nncourse.load_digits)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        nncourse.no_such_thing  # noqa: B018


def test_lab_makes_the_workspace_in_the_current_folder_and_starts_jupyterlab_there(tmp_path, monkeypatch, capsys):
    from nncourse import course
    from nncourse.commands import lab

    started = []
    monkeypatch.setattr(lab.subprocess, "call", lambda command, env: started.append((command, env)) or 0)
    monkeypatch.chdir(tmp_path)
    args = cli.build_parser(load="lab").parse_args(["lab", "--no-browser"])
    assert lab.run(args) == 0
    assert (tmp_path / "workspace" / "01a_vectors_and_matrices.ipynb").is_file()
    command, env = started[-1]
    assert f"--notebook-dir={tmp_path / 'workspace'}" in command and "--no-browser" in command
    assert "created your workspace" in capsys.readouterr().out.lower()
    # First launch opens lesson 00; the news pop-up is off; this environment's commands come first on PATH;
    # kernels run single-threaded BLAS.
    assert command[-1] == str(tmp_path / "workspace" / "00_start_here.ipynb")
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    assert json.loads(notification.read_text())["fetchNews"] == "false"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["OMP_NUM_THREADS"] == "1" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert not (settings / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings").exists()

    # Instructor mode: the notebooks with the answers, its own settings and layouts, a dark theme.
    args = cli.build_parser(load="lab").parse_args(["lab", "--instructor", "--no-browser"])
    assert lab.run(args) == 0
    command, instructor_env = started[-1]
    assert f"--notebook-dir={course.notebooks_folder()}" in command
    assert instructor_env["JUPYTERLAB_SETTINGS_DIR"] != env["JUPYTERLAB_SETTINGS_DIR"]
    assert instructor_env["JUPYTERLAB_WORKSPACES_DIR"] != env["JUPYTERLAB_WORKSPACES_DIR"]
    theme = Path(instructor_env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension" / "themes.jupyterlab-settings"
    assert json.loads(theme.read_text())["theme"] == "JupyterLab Dark"
    assert "INSTRUCTOR MODE" in capsys.readouterr().out

    # A later launch (JupyterLab saved a layout) restores it instead of opening lesson 00 again.
    Path(env["JUPYTERLAB_WORKSPACES_DIR"]).mkdir(parents=True)
    assert lab.run(cli.build_parser(load="lab").parse_args(["lab", "--no-browser"])) == 0
    assert not started[-1][0][-1].endswith(".ipynb")


def test_course_py_passes_the_course_commands_on_from_the_callers_folder(monkeypatch, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_script", Path(__file__).resolve().parents[1] / "course.py")
    course_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_script)
    calls = []
    monkeypatch.setattr(course_script, "ensure_environment", lambda extras="": calls.append(("setup", extras)))
    monkeypatch.setattr(course_script.subprocess, "call", lambda argv, **kw: calls.append((argv, kw)) or 0)
    monkeypatch.chdir(tmp_path)
    assert course_script.main(["check", "workspace/01a_vectors_and_matrices.ipynb"]) == 0
    (_, extras), (argv, kw) = calls
    assert argv[1:] == ["-m", "nncourse", "check", "workspace/01a_vectors_and_matrices.ipynb"] and "cwd" not in kw
    assert course_script.main(["no-such-command"]) == 2


def test_exercises_are_listed_in_the_order_the_notebooks_ask_them():
    import json as _json

    from nncourse.grading import notebook_format as nf
    from nncourse.grading.release import instructor_notebooks

    listed = [line.split()[1] for line in run_cli("exercises").stdout.splitlines()[:-1]]
    in_notebooks = [e for path in instructor_notebooks() for e in nf.exercises_in(_json.loads(path.read_text()))]
    assert listed == in_notebooks
    lesson = [line.split()[1] for line in run_cli("exercises", "--lesson", "06a_optimisers").stdout.splitlines()[:-1]]
    assert lesson == [e for e in in_notebooks if e in lesson] and len(lesson) >= 2


def test_nbgrader_command_writes_sources_with_diagrams_inside_and_refuses_unknown_lessons(tmp_path, capsys):
    import base64

    from nncourse import course
    from nncourse.commands.nbgrader import write_course

    assert cli.main(["nbgrader", str(tmp_path / "course"), "--lesson", "01a_vectors_and_matrices"]) == 0
    assert "(2 diagram(s) attached)" in capsys.readouterr().out
    folder = tmp_path / "course" / "source" / "01a_vectors_and_matrices"
    text = (folder / "01a_vectors_and_matrices.ipynb").read_text()
    assert "../images/" not in text and "](attachment:linear_algebra_layer.png)" in text
    cell = next(c for c in json.loads(text)["cells"] if "attachment:linear_algebra_layer.png" in "".join(c["source"]))
    assert base64.b64decode(cell["attachments"]["linear_algebra_layer.png"]["image/png"]) == \
        (course.images_folder() / "linear_algebra_layer.png").read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["01a_vectors_and_matrices.ipynb"], "no images/ folder needed"
    assert "c.ClearOutput.enabled = False" in (tmp_path / "course" / "nbgrader_config.py").read_text()
    assert cli.main(["nbgrader", str(tmp_path / "course"), "--lesson", "99_nothing"]) == 2
    assert "no lesson named 99_nothing" in capsys.readouterr().out
    # An instructor's own config is left alone, with a note when it would blank the figures.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "nbgrader_config.py").write_text("c = get_config()\n")
    messages = write_course(tmp_path / "other", ["00_start_here"])
    assert (tmp_path / "other" / "nbgrader_config.py").read_text() == "c = get_config()\n"
    assert any(m.startswith("note: add `c.ClearOutput.enabled = False`") for m in messages)


# --------------------------------------------------------------------------- #
# Lesson discovery: one function for every tool that walks the course
# --------------------------------------------------------------------------- #


def test_lessons_are_numbered_notebooks_with_an_optional_part_letter_in_course_order(tmp_path):
    from nncourse import course

    names = ["06_gradient_descent.ipynb", "05b_backward_pass.ipynb", "00_start_here.ipynb", "05a_graphs.ipynb",
             "10_later.ipynb", "05c_checking.ipynb", "04_loss.ipynb"]
    not_lessons = ["05_backprop-Copy1.ipynb", "5_short.ipynb", "05AB_two_letters.ipynb", "05A_capital.ipynb",
                   "notes.ipynb", "05a_graphs.py", "05a_.ipynb"]
    for name in names + not_lessons:
        (tmp_path / name).write_text("{}")
    assert [p.name for p in course.lessons(tmp_path)] == [
        "00_start_here.ipynb", "04_loss.ipynb", "05a_graphs.ipynb", "05b_backward_pass.ipynb", "05c_checking.ipynb",
        "06_gradient_descent.ipynb", "10_later.ipynb"]
    assert course.lesson_key("05b_backward_pass") < course.lesson_key("05c_gradient_checking") < course.lesson_key(
        "06_gradient_descent")
    with pytest.raises(ValueError, match="expected a lesson notebook name such as '05a_computational_graphs', got 'x'"):
        course.lesson_key("x")


def test_the_course_lessons_are_found_by_the_one_function():
    from nncourse import course
    from nncourse.grading.release import instructor_notebooks

    stems = [p.stem for p in course.lessons()]
    assert stems[0] == "00_start_here" and stems[-1] == "08b_capstone_your_network"
    assert [s for s in stems if s.startswith("05")] == ["05a_computational_graphs", "05b_backward_pass",
                                                        "05c_gradient_checking"]
    assert instructor_notebooks() == course.lessons()
