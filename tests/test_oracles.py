"""The independent oracles run in CI: the ``oracle`` extra, how course.py installs it, and a missing
oracle being a skip locally but a failure when ``NNCOURSE_REQUIRE_ORACLES=1`` (as ``.ci/run`` sets)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from _oracles import import_oracle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def test_a_missing_oracle_skips_its_file_locally(monkeypatch):
    monkeypatch.delenv("NNCOURSE_REQUIRE_ORACLES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="NoSuchLib is not installed.*NNCOURSE_EXTRAS=oracle"):
        import_oracle("nncourse_no_such_module", "NoSuchLib")


def test_a_missing_oracle_fails_when_required(monkeypatch):
    monkeypatch.setenv("NNCOURSE_REQUIRE_ORACLES", "1")
    with pytest.raises(pytest.fail.Exception, match=r"oracle required \(NNCOURSE_REQUIRE_ORACLES=1\) but NoSuchLib"):
        import_oracle("nncourse_no_such_module", "NoSuchLib")


def test_an_installed_oracle_is_imported(monkeypatch):
    monkeypatch.setenv("NNCOURSE_REQUIRE_ORACLES", "1")
    assert import_oracle("json", "the json module").dumps([]) == "[]"


def test_the_oracle_extra_holds_pytorch_and_scikit_learn():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "torch==2.13.0" in extras["oracle"]
    assert any(req.startswith("scikit-learn") for req in extras["oracle"])


def test_ci_installs_and_requires_the_oracles_and_runs_the_readme_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^export NNCOURSE_EXTRAS=oracle$", ci, re.M)
    assert re.search(r"^export NNCOURSE_REQUIRE_ORACLES=1$", ci, re.M)
    assert re.search(r"^python3 course.py test\s*$", ci, re.M)
    for name in ("test_against_torch.py", "test_against_sklearn.py"):
        assert "import_oracle(" in (ROOT / "tests" / name).read_text(), f"{name} must import its oracle via _oracles"


def _course_module():
    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("extras, installed", [(None, "test"), ("oracle", "test,oracle"),
                                               (" oracle , bench ", "test,oracle,bench")])
def test_course_py_test_installs_the_extras_it_is_asked_for(monkeypatch, extras, installed):
    course = _course_module()
    calls = []
    monkeypatch.setattr(course, "ensure_environment", lambda extras="": calls.append(extras))
    monkeypatch.setattr(course.subprocess, "call", lambda *args, **kwargs: 0)
    if extras is None:
        monkeypatch.delenv("NNCOURSE_EXTRAS", raising=False)
    else:
        monkeypatch.setenv("NNCOURSE_EXTRAS", extras)
    assert course.main(["test", "tests/test_oracles.py"]) == 0
    assert calls == [installed]
