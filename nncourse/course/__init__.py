"""Where the course's own files are: the lesson notebooks and the diagrams they show.

There is one copy of them, in the repository's ``notebooks/`` and ``images/``.
A wheel or sdist ships exactly those files as package data
(``pyproject.toml`` maps ``notebooks/`` to ``nncourse/course/notebooks/`` and
``images/`` to ``nncourse/course/images/``; nothing is copied into the
repository), so the two layouts keep the same shape, ``images/`` next to
``notebooks/``, and the lessons' ``../images/`` links resolve in both:

* installed from a wheel (``pip install nncourse``): ``<site-packages>/nncourse/course/``;
* installed from a clone (``pip install -e .``, what ``course.py`` does): the clone itself.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent
_CLONE = _PACKAGED.parents[1]


def root() -> Path:
    """The folder that holds ``notebooks/`` and ``images/``; raise ``FileNotFoundError`` when neither layout has them."""
    for candidate in (_PACKAGED, _CLONE):
        if (candidate / "notebooks").is_dir() and any((candidate / "notebooks").glob("[0-9][0-9]_*.ipynb")):
            return candidate
    raise FileNotFoundError(
        f"the course's lesson notebooks are missing: neither {_PACKAGED / 'notebooks'} (an installed wheel) "
        f"nor {_CLONE / 'notebooks'} (a clone) holds them. Reinstall nncourse (`pip install --force-reinstall "
        "nncourse`), or run from a clone with `python3 course.py lab`")


def notebooks_folder() -> Path:
    """The instructor notebooks (with the answers), ``NN_name.ipynb``."""
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
