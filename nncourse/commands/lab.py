"""``nncourse lab``: open the course in JupyterLab.

Learners get their own workspace (``./workspace`` in the folder the command
runs in; ``python3 course.py lab`` runs it in the clone), made from the
instructor notebooks with the answers removed
(:func:`nncourse.grading.release.make_workspace`): created on first use, and on
later runs new lessons are added while existing work is left untouched.
Instructors open the notebooks with the answers with ``--instructor``: the
clone's ``notebooks/`` itself, or, when nncourse was installed from a wheel,
a copy of them in ``./instructor/`` (never the installed files).

The JupyterLab it starts is set up for the course, not for whoever used
JupyterLab on the machine before:

* its own settings and saved layouts per mode (``.nncourse/lab/learner`` and
  ``.nncourse/lab/instructor`` next to the workspace), so the two modes never
  restore each other's tabs; the news and update pop-up is off, and instructor
  mode uses the dark theme so that nobody presents the answers by mistake;
* the first launch of a mode opens lesson 00;
* kernels and terminals find this environment's ``nncourse`` and ``jupyter``
  first on ``PATH``, and BLAS/OpenMP run one thread (see :data:`THREAD_LIMITS`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from nncourse import course

HELP = "open the course in JupyterLab (your own workspace; --instructor for notebooks/)"

#: Thread limits for every kernel the lab starts, unless the user set them: the course's matrices
#: are small, and on a shared machine threaded BLAS waits for busy cores (a capstone run took 169 s
#: with default threads on a busy 2-core machine, 31 s with one). Lessons also call
#: :func:`nncourse.threads.limit_threads` for kernels the course did not start.
THREAD_LIMITS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

FIRST_LESSON = "00_start_here.ipynb"

#: Settings written once per mode (a learner's own later changes are kept).
_SETTINGS = {
    # The news and update checks reach the internet and pop up "Jupyter news?" over lesson 00.
    ("@jupyterlab", "apputils-extension", "notification.jupyterlab-settings"):
        {"fetchNews": "false", "checkForUpdates": False},
    # Lesson names are long; a wider file browser shows them whole.
    ("@jupyterlab", "filebrowser-extension", "browser.jupyterlab-settings"):
        {"showFileSizeColumn": False, "showLastModifiedColumn": False},
}
_INSTRUCTOR_SETTINGS = {
    ("@jupyterlab", "apputils-extension", "themes.jupyterlab-settings"): {"theme": "JupyterLab Dark"},
}


def add_arguments(parser) -> None:
    parser.add_argument("--instructor", action="store_true",
                        help="open the notebooks with the answers (dark theme) instead of your workspace")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="where your copies live (default: ./workspace)")
    parser.add_argument("--no-browser", action="store_true", help="start JupyterLab without opening a browser")


def instructor_folder(base: Path) -> tuple[Path, list[str]]:
    """The instructor notebooks to open: the clone's own, or a copy of the installed ones in ``base/instructor``.

    Files already in the copy are never overwritten (an instructor may have edited them).
    """
    if not course.is_packaged():
        return course.notebooks_folder(), []
    messages = []
    copy_root = base / "instructor"
    for kind, source in (("notebooks", course.notebooks_folder()), ("images", course.images_folder())):
        for path in course.lessons(source) if kind == "notebooks" else sorted(source.glob("*.png")):
            target = copy_root / kind / path.name
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            messages.append(f"added    {kind}/{path.name}")
    if messages:
        messages.insert(0, f"copied the instructor notebooks (with the answers) to {copy_root}")
    return copy_root / "notebooks", messages


_NBGRADER_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
                               "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")


def _write_once(path: Path, values: dict) -> None:
    """Write a JSON settings file unless it exists (the user's own later changes are kept)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2) + "\n")


def lab_environment(state: Path, *, instructor: bool) -> dict:
    """The environment of the JupyterLab process (inherited by its kernels and terminals)."""
    settings = state / "settings"
    wanted = {**_SETTINGS, **(_INSTRUCTOR_SETTINGS if instructor else {})}
    for parts, values in wanted.items():
        _write_once(settings.joinpath(*parts), values)
    # nbgrader (in the test extra, so often in the same environment) adds menus, a toolbar button and a
    # sidebar to every notebook, and 6 s to the start: not part of the course's lab.
    config = state / "jupyter-config"
    _write_once(config / "labconfig" / "page_config.json", {"disabledExtensions": {"@jupyter/nbgrader": True}})
    _write_once(config / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions": {name: False for name in _NBGRADER_SERVER_EXTENSIONS}}})
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(config), *filter(None, [env.get("JUPYTER_CONFIG_PATH")])])
    for name, value in THREAD_LIMITS.items():
        env.setdefault(name, value)
    # The virtualenv's bin/ first: `nncourse check ...` and `jupyter ...` work in JupyterLab's
    # terminals even though the environment was never activated.
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, *[p for p in env.get("PATH", "").split(os.pathsep) if p and p != scripts]])
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(state / "workspaces")
    return env


def lab_command(folder: Path, *, open_first_lesson: bool, no_browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={folder}"]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and cloud machines often run everything as root, where
        # JupyterLab refuses to start unless told that this is intended.
        command.append("--allow-root")
    if open_first_lesson and (folder / FIRST_LESSON).is_file():
        command.append(str(folder / FIRST_LESSON))
    return command


def run(args) -> int:
    try:
        if args.instructor:
            base = Path.cwd()
            folder, messages = instructor_folder(base)
        else:
            from nncourse.grading.release import make_workspace

            folder = (args.workspace or Path.cwd() / "workspace").absolute()
            base = folder.parent
            messages = make_workspace(folder)
    except (OSError, ValueError) as exc:
        print(f"nncourse lab: {exc}", file=sys.stderr)
        return 2
    for message in messages:
        print(message)
    mode = "instructor" if args.instructor else "learner"
    state = base / ".nncourse" / "lab" / mode
    first_launch = not (state / "workspaces").is_dir()
    env = lab_environment(state, instructor=args.instructor)
    command = lab_command(folder, open_first_lesson=first_launch, no_browser=args.no_browser)
    if args.instructor:
        print("INSTRUCTOR MODE: these notebooks hold the answers (dark theme). "
              "Learners use `nncourse lab` without --instructor.")
    print(f"Opening {folder} in JupyterLab (stop it with Ctrl-C) ...", flush=True)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0
