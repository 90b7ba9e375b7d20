"""The ``nncourse`` command: ``python -m nncourse --help`` lists the course commands.

Each command lives in its own module, imported only when it runs (so that
``nncourse --help`` stays fast); the module provides ``add_arguments(parser)``
and ``run(args) -> int`` and a one-line ``HELP``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

#: command name -> module implementing it
COMMANDS = {
    "lab": "nncourse.commands.lab",
    "release": "nncourse.grading.release",
    "check": "nncourse.grading.check",
    "grade": "nncourse.grading.grade",
    "exercises": "nncourse.commands.exercises",
    "nbgrader": "nncourse.commands.nbgrader",
}

_HELP = {
    "lab": "open the course in JupyterLab (your own workspace; --instructor for notebooks/)",
    "release": "write the students' copies of the notebooks (answers removed)",
    "check": "run your notebook's exercise checks in a fresh kernel and print a table",
    "grade": "grade a folder of students' submissions: gradebook, feedback, class report, JUnit XML",
    "exercises": "list every exercise of the course (id, lesson, title, points)",
    "nbgrader": "write the lessons as nbgrader source assignments (COURSE_DIR/source/<lesson>/) with their images",
}


def build_parser(load: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nncourse", description="The mathematics behind neural networks: course commands.")
    parser.add_argument("--version", action="version", version=f"nncourse {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in _HELP.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == load:
            importlib.import_module(COMMANDS[name]).add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(load=command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(importlib.import_module(COMMANDS[args.command]).run(args) or 0)
