"""The set-up files agree with each other: pyproject.toml, environment.yml, the README and CI."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:(>=|==)\s*([0-9][0-9a-zA-Z.]*))?\s*$")


def _parse(spec: str) -> tuple[str, str | None, str | None]:
    match = REQUIREMENT.match(spec)
    assert match, f"cannot parse requirement {spec!r}"
    name, op, version = match.groups()
    return name.lower().replace("_", "-"), op, version


def pyproject_requirements() -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"]
    python = data["project"]["requires-python"]
    out = {name: (op, version) for name, op, version in map(_parse, deps)}
    out["python"] = (">=", python.removeprefix(">="))
    return out


def environment_requirements() -> tuple[dict, list]:
    deps, pip_lines, in_pip = {}, [], False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        item = stripped.strip()
        if item == "- pip:":
            in_pip = True
            continue
        if in_pip and line.startswith("      - "):
            pip_lines.append(item[2:].strip())
            continue
        in_pip = False
        if line.startswith("  - ") and not item.startswith("- conda-forge"):
            name, op, version = _parse(item[2:])
            if name != "pip":
                deps[name] = (op, version)
    return deps, pip_lines


def test_environment_yml_matches_pyproject():
    conda, pip_lines = environment_requirements()
    assert conda == pyproject_requirements(), (
        "environment.yml and pyproject.toml list different dependencies or lower bounds; "
        "update both together")
    assert pip_lines == ["-e ."], "environment.yml must install nncourse itself from the repository with pip"


def test_dependencies_are_lower_bounds_not_pins():
    for name, (op, _) in pyproject_requirements().items():
        assert op in (">=", None), f"{name}: use a lower bound (>=), not an exact pin"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3 course.py test"
    assert command in readme, "the README's quick start must show the test command"
    assert re.search(rf"^{re.escape(command)}\s*$", ci, re.M), ".ci/run must call the README's test command"


def test_readme_quick_start_has_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "python3 course.py lab" in readme and "python3 course.py test" in readme
