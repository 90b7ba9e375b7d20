#!/usr/bin/env python3
"""Set up and run the course with one command each (needs only Python >= 3.10).

    python3 course.py lab     # open the course in JupyterLab (your own workspace)
    python3 course.py test    # run every test: unit tests, notebooks under nbval, grading

The other course commands work the same way from a plain shell, without
activating anything (they are ``nncourse COMMAND``, which JupyterLab's terminals
also find): ``python3 course.py check workspace/01a_vectors_and_matrices.ipynb``,
``python3 course.py exercises``, ``python3 course.py release --out DIR``,
``python3 course.py grade SUBMISSIONS --out RESULTS``.

Each command creates (or reuses) a virtual environment in ``.venv/`` inside
the repository and installs ``nncourse`` into it (editable) with its
dependencies. The installation is redone only when ``pyproject.toml`` changes,
so running either command again starts at once. Arguments after the command
are passed on: ``python3 course.py test tests/test_losses.py -x``,
``python3 course.py lab --instructor``.

``NNCOURSE_EXTRAS=oracle python3 course.py test`` also installs the named extras
of ``pyproject.toml`` (comma-separated) before testing: ``oracle`` brings the
independent reference libraries (PyTorch, scikit-learn) that
``tests/test_against_*.py`` compare nncourse with; CI sets it.

A Python script rather than a Makefile, so that the same two commands work on
any machine that has Python, with or without ``make``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# Single-threaded BLAS for tests: multi-threaded sums change in the last bits,
# and on a 2-core machine with a busy second core threaded BLAS is slower.
TEST_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def _fingerprint(extras: str) -> str:
    text = (ROOT / "pyproject.toml").read_bytes() + extras.encode() + sys.version.encode()
    return hashlib.sha256(text).hexdigest()


def ensure_environment(extras: str = "") -> None:
    """Create .venv and install nncourse[extras] unless already done for this pyproject.toml."""
    if sys.version_info < (3, 10):
        sys.exit(f"nncourse needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    stamp = VENV / f".nncourse-installed{('-' + extras) if extras else ''}"
    if stamp.is_file() and stamp.read_text() == _fingerprint(extras) and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating a virtual environment in {VENV.relative_to(ROOT)}/ ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extras}]" if extras else "."
    print(f"Installing nncourse{('[' + extras + ']') if extras else ''} and its dependencies (once) ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(_fingerprint(extras))


# Commands of the nncourse package that course.py passes on (after setting up .venv).
NNCOURSE_COMMANDS = ("check", "exercises", "release", "grade")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("lab", "test", *NNCOURSE_COMMANDS):
        print(__doc__)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    command, rest = argv[0], argv[1:]
    if command == "lab":
        ensure_environment()
        return subprocess.call([str(PYTHON), "-m", "nncourse", "lab", *rest], cwd=ROOT)
    if command in NNCOURSE_COMMANDS:
        # From the caller's folder, so that relative paths mean what they say.
        ensure_environment()
        return subprocess.call([str(PYTHON), "-m", "nncourse", command, *rest])
    extras = [e.strip() for e in os.environ.get("NNCOURSE_EXTRAS", "").split(",") if e.strip()]
    ensure_environment(",".join(["test", *extras]))
    env = {**os.environ, **TEST_ENV}
    # The whole suite also enforces line coverage of the mathematics modules;
    # a run of selected tests (arguments given) does not.
    coverage = [] if rest else ["--cov=nncourse", "--cov-report=term", "--cov-fail-under=95"]
    return subprocess.call([str(PYTHON), "-m", "pytest", *coverage, *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
