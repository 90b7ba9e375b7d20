"""Binder / repo2docker: the configuration in binder/ is the one repo2docker picks, and its steps work.

``repo2docker --no-build --debug`` prints the Dockerfile it would build, offline and without Docker:
Python pinned to 3.11 (``binder/runtime.txt``), nncourse installed from the repository
(``binder/requirements.txt``, after the repository is copied in), ``binder/postBuild`` run (the
learner's workspace, no news pop-up, lesson 00 as the landing page) and ``binder/start`` as the
entry point (one BLAS thread). ``tests/test_wheel.py`` runs ``postBuild`` itself in a fresh
environment. repo2docker is in the ``test`` extra; without it this test is skipped with the reason,
unless ``NNCOURSE_REQUIRE_REPO2DOCKER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_repo2docker_picks_up_the_binder_configuration(tmp_path):
    repo2docker = shutil.which("repo2docker", path=str(Path(sys.executable).parent))
    if repo2docker is None:
        reason = "repo2docker is not installed (jupyter-repo2docker is in the test extra)"
        if os.environ.get("NNCOURSE_REQUIRE_REPO2DOCKER") == "1":
            pytest.fail(f"NNCOURSE_REQUIRE_REPO2DOCKER=1 but {reason}")
        pytest.skip(reason)
    # A clean copy of what git tracks (no .venv, no workspace) is what Binder clones.
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        target = tmp_path / "repo" / name.decode()
        if (ROOT / name.decode()).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name.decode(), target)
    result = subprocess.run([repo2docker, "--no-build", "--debug", str(tmp_path / "repo")], capture_output=True,
                            text=True, timeout=300)
    dockerfile = result.stdout + result.stderr
    assert result.returncode == 0, dockerfile[-3000:]
    assert "python=3.11" in dockerfile, "Python is not pinned to 3.11"
    copy_repo = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install = dockerfile.index('pip install --no-cache-dir -r "binder/requirements.txt"')
    assert copy_repo < install, "nncourse must be installed after the repository is copied in"
    assert "RUN ./binder/postBuild" in dockerfile
    assert 'R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile
    assert "environment.yml" not in dockerfile, "the root environment.yml must not be the one Binder uses"
