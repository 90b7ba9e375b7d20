"""``nncourse nbgrader COURSE_DIR``: the lessons as nbgrader source assignments.

For every lesson, ``COURSE_DIR/source/<lesson>/<lesson>.ipynb`` is the
instructor notebook (answers and their ``### BEGIN SOLUTION`` markers in place:
nbgrader's ``generate_assignment`` removes them) with

* the outputs of answer and check cells cleared (they would show the answers),
* the saved widget state removed (a stale copy of the instructor's demos),
* the diagrams the lessons link as ``../images/NAME.png`` made cell attachments
  (:func:`nncourse.grading.notebook_format.attach_images`): nbgrader copies only
  the assignment's own folder into ``release/`` and ``submitted/``, and a
  notebook a student downloads alone from JupyterHub has no folder at all; an
  attachment travels inside the notebook, and ``generate_assignment`` keeps it.

Every other output (the lessons' figures and worked examples) stays, and
``COURSE_DIR/nbgrader_config.py`` (written when missing) turns off nbgrader's
``ClearOutput`` step, which would otherwise blank every figure of the handout.
Running it again rewrites the lesson files: they are generated (edit the course's
notebooks instead), and nbgrader's own folders (``release/``, ``submitted/`` ...)
are never touched.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from nncourse import course

HELP = "write the lessons as nbgrader source assignments (COURSE_DIR/source/<lesson>/), diagrams inside"

CONFIG = '''# Written by `nncourse nbgrader`: the lessons' figures and worked examples are part of the handout.
# nbgrader's ClearOutput step would blank them; the answer and check cells' outputs are already empty.
c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.ClearOutput.enabled = False
'''

def add_arguments(parser) -> None:
    parser.add_argument("course_dir", type=Path, help="the nbgrader course folder (created if missing)")
    parser.add_argument("--lesson", action="append", default=None,
                        help="only this lesson, e.g. 02a_activation_functions (repeatable; default: every lesson)")


def source_notebook(nb: dict, notebook_folder: Path | None = None) -> dict:
    """The nbgrader source version of an instructor notebook (JSON in, JSON out).

    ``notebook_folder``: where the instructor notebook lives (its ``../images/``
    links are relative to it; default: the course's ``notebooks/``).
    """
    from nncourse.grading import notebook_format as nf

    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if nf.is_answer_cell(cell) or nf.is_check_cell(cell):
            nf.clear_outputs(cell)
    return nf.attach_images(nb, course.notebooks_folder() if notebook_folder is None else notebook_folder)


def write_course(course_dir: Path, lessons: list[str] | None = None) -> list[str]:
    """Write ``source/<lesson>/`` for each lesson (and the config when missing); return what was written."""
    from nncourse.grading import notebook_format as nf
    from nncourse.grading.release import instructor_notebooks, write_atomic

    course_dir = Path(course_dir).absolute()
    paths = {p.stem: p for p in instructor_notebooks()}
    unknown = sorted(set(lessons or []) - set(paths))
    if unknown:
        raise ValueError(f"--lesson: no lesson named {', '.join(unknown)}; the lessons are {', '.join(paths)}")
    messages = []
    for stem, path in paths.items():
        if lessons and stem not in lessons:
            continue
        folder = course_dir / "source" / stem
        nb = source_notebook(json.loads(path.read_text(encoding="utf-8")), path.parent)
        write_atomic(folder / path.name, nf.dumps_notebook(nb).encode("utf-8"))
        diagrams = sum(len(c.get("attachments") or {}) for c in nb["cells"])
        messages.append(f"source/{stem}/{path.name}" + (f" ({diagrams} diagram(s) attached)" if diagrams else ""))
    config = course_dir / "nbgrader_config.py"
    if not config.exists():
        write_atomic(config, CONFIG.format(root=str(course_dir)).encode())
        messages.append("nbgrader_config.py (ClearOutput off, so that the handouts keep their figures)")
    elif "ClearOutput.enabled = False" not in config.read_text():
        messages.append(f"note: add `c.ClearOutput.enabled = False` to {config}, or nbgrader's handouts lose "
                        "every figure")
    return messages


def run(args) -> int:
    try:
        messages = write_course(args.course_dir, args.lesson)
    except (OSError, ValueError) as exc:
        print(f"nncourse nbgrader: {exc}")
        return 2
    for message in messages:
        print(f"wrote    {message}" if not message.startswith("note:") else message)
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment <lesson>  (the README has the whole recipe)")
    return 0
