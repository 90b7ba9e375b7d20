"""The course from a wheel, without a clone: build it, install it in a fresh virtualenv, run every command.

``python -m build`` (no build isolation: nothing is downloaded) makes the sdist and, from the
unpacked sdist, the wheel, so a file the sdist forgets is missing from the wheel too. Both must
pass ``twine check``. The wheel goes into a new virtualenv in a temporary folder outside the
repository; the new environment finds the dependencies (numpy, JupyterLab, nbval ...) in this test
environment's site-packages through a ``.pth`` line, offline, but not this environment's editable
nncourse (editable installs hook in through ``.pth`` files, which a plain path entry does not run).
Every command then runs from a folder outside the repository with a ``PATH`` that starts at the new
environment's ``bin/``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from nncourse import course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = [p.name for p in course.lessons(ROOT / "notebooks")]
IMAGES = sorted(p.name for p in (ROOT / "images").glob("*.png"))

pytestmark = pytest.mark.slow


def _run(argv, *, cwd, env, timeout=600, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{argv} exited with {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    pytest.importorskip("build", reason="the `build` package (test extra) is needed to build the wheel")
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=ROOT,
         env={**os.environ, "PIP_NO_INDEX": "1"})
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> dict:
    """A fresh virtualenv outside the repository with the wheel installed; returns its bin/ and environment."""
    home = tmp_path_factory.mktemp("fresh")
    assert ROOT not in home.parents
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=home, env=os.environ).stdout.strip())
    (purelib / "dependencies-from-the-test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("nncourse-*.whl"))
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--no-deps", str(wheel)],
         cwd=home, env=os.environ)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(env_dir / "bin"), "/usr/bin", "/bin"])
    # The learner's own Jupyter, IPython and matplotlib folders stay out of the test.
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env[name] = str(home / "config" / name.lower())
    work = home / "work"
    work.mkdir()
    return {"bin": env_dir / "bin", "env": env, "work": work, "purelib": purelib}


def test_sdist_and_wheel_pass_twine_check_and_ship_the_lessons(dist):
    pytest.importorskip("twine", reason="`twine` (test extra) checks the distributions' metadata")
    files = sorted(dist.iterdir())
    assert sorted(f.suffix for f in files) == [".gz", ".whl"], files
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)], cwd=dist, env=os.environ)
    names = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    for lesson in LESSONS:
        assert f"nncourse/course/notebooks/{lesson}" in names
    for image in IMAGES:
        assert f"nncourse/course/images/{image}" in names
    assert "nncourse/grading/nbval_sanitize.cfg" in names and "nncourse/data/digits.npz" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = zipfile.ZipFile(next(dist.glob("*.whl"))).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata
    # Every subpackage of the source tree is listed in pyproject.toml (they are listed, not found).
    for init in (ROOT / "nncourse").rglob("__init__.py"):
        assert str(init.relative_to(ROOT)) in names, f"{init.relative_to(ROOT)} is missing from the wheel"


def test_installed_wheel_is_the_nncourse_that_runs(installed):
    code = "import nncourse, nncourse.course as c; print(nncourse.__file__); print(c.notebooks_folder()); print(c.is_packaged())"
    out = _run([str(installed["bin"] / "python"), "-c", code], cwd=installed["work"], env=installed["env"]).stdout
    package, notebooks, packaged = out.split("\n")[:3]
    assert Path(package).is_relative_to(installed["purelib"]) and packaged == "True"
    assert sorted(p.name for p in Path(notebooks).glob("*.ipynb")) == LESSONS
    version = _run(["nncourse", "--version"], cwd=installed["work"], env=installed["env"]).stdout
    assert version.startswith("nncourse ")


def test_release_from_the_wheel(installed, tmp_path):
    out = tmp_path / "handout"
    result = _run(["nncourse", "release", "--out", str(out)], cwd=installed["work"], env=installed["env"])
    assert "students' copies are in" in result.stdout
    assert sorted(p.name for p in out.glob("*.ipynb")) == LESSONS
    assert not (out / "images").exists(), "the diagrams travel inside the copies"
    attached = {name: base64.b64decode(bundle["image/png"])
                for path in out.glob("*.ipynb") for cell in json.loads(path.read_text())["cells"]
                for name, bundle in (cell.get("attachments") or {}).items()}
    assert attached == {image: (ROOT / "images" / image).read_bytes() for image in IMAGES}
    answer = json.loads((out / "02a_activation_functions.ipynb").read_text())
    assert "replace this line with your code" in json.dumps(answer)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_lab_from_the_wheel_makes_the_workspace_here_and_serves_it(installed):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**installed["env"], "JUPYTER_PORT": str(port), "JUPYTER_TOKEN": token}
    log = installed["work"] / "lab.log"
    with log.open("w") as sink:
        server = subprocess.Popen(["nncourse", "lab", "--no-browser"], cwd=installed["work"], env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        contents = None
        while time.monotonic() < deadline and contents is None:
            if server.poll() is not None:
                pytest.fail(f"nncourse lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=2) as r:
                    contents = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert contents is not None, f"JupyterLab did not answer within 90 s:\n{log.read_text()[-3000:]}"
        served = sorted(item["name"] for item in contents["content"] if item["name"].endswith(".ipynb"))
        assert served == LESSONS
        assert (installed["work"] / "workspace" / "01a_vectors_and_matrices.ipynb").is_file()
        # Terminals and kernels of this lab find the wheel's `nncourse` first.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=5) as r:
            assert json.load(r)["kernelspecs"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert "created your workspace" in log.read_text()


def _instructor_copy(installed, lesson: str) -> Path:
    code = f"import nncourse.course as c; print(c.notebooks_folder() / {lesson!r})"
    return Path(_run([str(installed["bin"] / "python"), "-c", code], cwd=installed["work"],
                     env=installed["env"]).stdout.strip())


def test_check_from_the_wheel(installed, tmp_path):
    solved = tmp_path / "00_start_here.ipynb"
    shutil.copyfile(_instructor_copy(installed, "00_start_here.ipynb"), solved)
    result = _run(["nncourse", "check", str(solved)], cwd=installed["work"], env=installed["env"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout and "total:" in result.stdout


def test_grade_from_the_wheel_hides_the_answers_from_submissions(installed, tmp_path, grading_sandbox):
    submissions = tmp_path / "submissions"
    (submissions / "alice").mkdir(parents=True)
    _run(["nncourse", "release", "--out", str(tmp_path / "handout"), str(_instructor_copy(installed, "00_start_here.ipynb"))],
         cwd=installed["work"], env=installed["env"])
    shutil.copyfile(tmp_path / "handout" / "00_start_here.ipynb", submissions / "alice" / "00_start_here.ipynb")
    result = _run(["nncourse", "grade", str(submissions), "--out", str(tmp_path / "results"), "--jobs", "1"],
                  cwd=installed["work"], env=installed["env"], check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "canary 00_start_here" in result.stdout and "full marks" in result.stdout
    gradebook = (tmp_path / "results" / "gradebook.csv").read_text().splitlines()
    assert gradebook[1].startswith("alice,0,")  # the blank copy: nothing attempted, no points
    # Inside a run, the packaged instructor notebooks are an empty folder (outside, they are all there).
    listing = _run([str(installed["bin"] / "python"), "-c", _LIST_ANSWERS_IN_A_RUN], cwd=installed["work"],
                   env=installed["env"])
    assert listing.stdout.strip().splitlines()[-1] == "[]", listing.stdout + listing.stderr


_LIST_ANSWERS_IN_A_RUN = """
import subprocess, sys, tempfile
from pathlib import Path
from nncourse.grading import cgroups, sandbox
found = sandbox.isolation()
inside = "import os, nncourse.course as c; print(sorted(os.listdir(c.packaged_notebooks_folder())))"
with tempfile.TemporaryDirectory() as tmp:
    run = sandbox.RunDir(Path(tmp))
    group = cgroups.RunGroup(found.hierarchy, memory_bytes=512 * 2**20, processes=64)
    try:
        argv = run.command([sys.executable, "-I", "-c", inside], limits=sandbox.Limits(), isolation=found,
                           group=group, notebook_name=None)
        proc = subprocess.run(argv, env=run.environment(isolated=True), capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, start_new_session=True, cwd=run.root)
    finally:
        group.close()
print(proc.stderr)
print(proc.stdout.strip())
"""


def test_binder_post_build_makes_the_workspace_and_the_lab_settings(installed, tmp_path):
    """``binder/postBuild`` as repo2docker runs it: in the repository's folder, with the environment's python."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _run(["bash", str(ROOT / "binder" / "postBuild")], cwd=repo, env=installed["env"])
    assert sorted(p.name for p in (repo / "workspace").glob("*.ipynb")) == LESSONS
    prefix = installed["bin"].parent
    overrides = json.loads((prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    server = json.loads((prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "nncourse.json").read_text())
    assert server["ServerApp"]["default_url"] == "/lab/tree/workspace/00_start_here.ipynb"
