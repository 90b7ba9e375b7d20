"""``nncourse lab``: open the course in JupyterLab.

Learners get their own workspace (``workspace/`` next to ``notebooks/``),
made from the instructor notebooks with the answers removed
(:func:`nncourse.grading.release.make_workspace`): created on first use, and on
later runs new lessons are added while existing work is left untouched.
Instructors open ``notebooks/`` itself with ``--instructor``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HELP = "open the course in JupyterLab (your own workspace; --instructor for notebooks/)"


def repo_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "notebooks").is_dir():
        raise SystemExit("nncourse lab needs the course repository (its notebooks/ folder); "
                         "install nncourse from a clone with `python3 course.py lab`")
    return root


def add_arguments(parser) -> None:
    parser.add_argument("--instructor", action="store_true",
                        help="open notebooks/ (with the answers) instead of your workspace")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="where your copies live (default: workspace/ in the repository)")
    parser.add_argument("--no-browser", action="store_true", help="start JupyterLab without opening a browser")


def run(args) -> int:
    root = repo_root()
    if args.instructor:
        folder = root / "notebooks"
    else:
        from nncourse.grading.release import make_workspace

        folder = args.workspace or root / "workspace"
        for message in make_workspace(folder):
            print(message)
    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}"]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and cloud machines often run everything as root, where
        # JupyterLab refuses to start unless told that this is intended.
        command.append("--allow-root")
    print(f"Opening {folder} in JupyterLab (stop it with Ctrl-C) ...", flush=True)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
