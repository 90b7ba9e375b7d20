"""Where the course's own files are: the lesson notebooks and the diagrams they show.

There is one copy of them, in the repository's ``notebooks/`` and ``images/``.
A wheel or sdist ships exactly those files as package data
(``pyproject.toml`` maps ``notebooks/`` to ``nncourse/course/notebooks/`` and
``images/`` to ``nncourse/course/images/``; nothing is copied into the
repository), so the two layouts keep the same shape, ``images/`` next to
``notebooks/``, and the lessons' ``../images/`` links resolve in both:

* installed from a wheel (``pip install nncourse``): ``<site-packages>/nncourse/course/``;
* installed from a clone (``pip install -e .``, what ``course.py`` does): the clone itself.

A lesson is a notebook named ``NN_name.ipynb`` or, for a lesson split into parts,
``NNx_name.ipynb`` (``05a_computational_graphs``, ``05b_...``): :func:`lessons` finds
them, in course order, for every tool that walks the course.
"""

from __future__ import annotations

import re
from pathlib import Path

#: A lesson notebook's file name: two digits, an optional part letter, ``_``, a name.
LESSON_FILE = re.compile(r"(?P<number>\d\d)(?P<part>[a-z]?)_\w+\.ipynb")

_PACKAGED = Path(__file__).resolve().parent
_CLONE = _PACKAGED.parents[1]


def is_lesson(name: str) -> bool:
    """True when ``name`` (a file name, not a path) is a lesson notebook's: ``NN_name.ipynb`` or ``NNx_name.ipynb``."""
    return LESSON_FILE.fullmatch(name) is not None


def lesson_key(name: str) -> tuple[int, str, str]:
    """Sort key of a lesson's file name or stem in course order: number, then part letter (``05b`` after ``05a``)."""
    match = LESSON_FILE.fullmatch(name if name.endswith(".ipynb") else f"{name}.ipynb")
    if match is None:
        raise ValueError(f"expected a lesson notebook name such as '05a_computational_graphs', got {name!r}")
    return int(match["number"]), match["part"], name


def lessons(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks in ``folder`` (default: the course's own ``notebooks/``), in course order."""
    folder = notebooks_folder() if folder is None else Path(folder)
    found = [p for p in folder.glob("[0-9][0-9]*_*.ipynb") if is_lesson(p.name)]
    return sorted(found, key=lambda p: lesson_key(p.name))


def parts_of(name: str, stems) -> list[str]:
    """The parts among ``stems`` of the lesson an unsplit name refers to (``05_backprop`` -> 05a, 05b, 05c).

    ``name`` is a file name or stem; [] when it names a part itself or has no lesson number.
    """
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    if not stem[:2].isdigit() or stem[2:3].isalpha():
        return []
    return sorted((s for s in stems if s[:2] == stem[:2] and s[2:3].isalpha()), key=lesson_key)


def root() -> Path:
    """The folder that holds ``notebooks/`` and ``images/``; raise ``FileNotFoundError`` when neither layout has them."""
    for candidate in (_PACKAGED, _CLONE):
        if (candidate / "notebooks").is_dir() and lessons(candidate / "notebooks"):
            return candidate
    raise FileNotFoundError(
        f"the course's lesson notebooks are missing: neither {_PACKAGED / 'notebooks'} (an installed wheel) "
        f"nor {_CLONE / 'notebooks'} (a clone) holds them. Reinstall nncourse (`pip install --force-reinstall "
        "nncourse`), or run from a clone with `python3 course.py lab`")


def notebooks_folder() -> Path:
    """The instructor notebooks (with the answers), ``NN_name.ipynb`` and ``NNx_name.ipynb``."""
    return root() / "notebooks"


def images_folder() -> Path:
    """The diagrams the lessons link to as ``../images/NAME.png``."""
    return root() / "images"


def is_packaged() -> bool:
    """True when the lessons come from an installed package (site-packages), not from a clone one may edit."""
    return root() == _PACKAGED


def packaged_notebooks_folder() -> Path:
    """Where an installed wheel keeps the instructor notebooks (whether or not this installation is one).

    The grader's sandbox hides this folder from submissions: it holds the answers.
    """
    return _PACKAGED / "notebooks"
