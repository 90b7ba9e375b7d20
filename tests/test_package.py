"""The package as a whole: version, command line, entry points, import cost."""

from __future__ import annotations

import subprocess
import sys

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


def test_lab_makes_the_workspace_and_starts_jupyterlab_there(tmp_path, monkeypatch, capsys):
    from nncourse.commands import lab

    started = []
    monkeypatch.setattr(lab.subprocess, "call", lambda command: started.append(command) or 0)
    args = cli.build_parser(load="lab").parse_args(["lab", "--workspace", str(tmp_path / "ws"), "--no-browser"])
    assert lab.run(args) == 0
    assert (tmp_path / "ws" / "01_linear_algebra.ipynb").is_file()
    assert started and f"--notebook-dir={tmp_path / 'ws'}" in started[0] and "--no-browser" in started[0]
    assert "created your workspace" in capsys.readouterr().out.lower()

    args = cli.build_parser(load="lab").parse_args(["lab", "--instructor"])
    lab.run(args)
    assert any(part.endswith("/notebooks") for part in started[-1])
