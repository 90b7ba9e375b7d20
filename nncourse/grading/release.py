"""``nncourse release``: the students' copies of the instructor notebooks.

A student's copy is the instructor notebook with

* every solution region of an answer cell replaced by a stub that raises
  ``NotImplementedError`` naming the exercise
  (:func:`.notebook_format.stub_solution`),
* every hidden-test region of a check cell removed,
* the outputs and execution counts of answer and check cells cleared,
* check cells locked (``editable`` and ``deletable`` false, as nbgrader does),
* the diagrams the lessons link as ``../images/NAME.png`` made cell attachments
  (:func:`.notebook_format.attach_images`): a copy shows them wherever it is
  opened (alone, in JupyterLab, in an nbgrader handout, through nbconvert), with
  no ``images/`` folder beside it,
* check cells tagged ``raises-exception``, so that Run All (JupyterLab, nbclient)
  carries on past an unsolved or failing exercise: the check still raises and
  shows its verdict, and the rest of the lesson runs (grading is unaffected:
  the grader rebuilds every notebook from the instructor's cells and judges
  outside the kernel),
* saved widget views removed (the notebook's ``widgets`` metadata and every
  output that is a widget view): a copy opened before its cells run would show
  each demo as text such as ``VBox(children=(...``; demos appear when their
  cell runs,

and nothing else changed: text, static figures, demos and cell ids are kept. The copy
is built on the file's own JSON and written as ``nbformat`` writes it, so the
same instructor notebook always gives the same bytes.

Release never overwrites a student's work. It records the hash of every file
it writes in ``.nncourse-release.json`` in the output folder; on a later run a
file is replaced only if it is still exactly what release wrote (the course
changed, the student did not touch it). A file that differs from both is kept
and reported. :func:`make_workspace` is the same for the learner's own
``workspace/`` folder, used by ``nncourse lab``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tempfile
from pathlib import Path

from nncourse import course

from . import notebook_format as nf

HELP = "write the students' copies of the notebooks (answers removed)"
MANIFEST = ".nncourse-release.json"
# mkstemp makes private files; copies are ordinary files, so honour the umask.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def instructor_notebooks(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks of ``folder`` (default: the course's own), in course order (:func:`course.lessons`)."""
    folder = Path(folder) if folder is not None else course.notebooks_folder()
    if not folder.is_dir():
        raise ValueError(f"instructor notebooks folder {str(folder)!r} does not exist; "
                         "pass the course's notebooks/ folder")
    return course.lessons(folder)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
RUN_ALL_CONTINUES = "raises-exception"


def _without_widget_views(outputs: list) -> list:
    return [o for o in outputs if not (isinstance(o, dict) and isinstance(o.get("data"), dict)
                                       and WIDGET_VIEW in o["data"])]


def student_copy(nb: dict, notebook_folder: Path | None = None) -> dict:
    """The student's version of an instructor notebook (JSON in, JSON out).

    ``notebook_folder`` is where the instructor notebook lives, which its
    ``../images/`` links are relative to (default: the course's ``notebooks/``).
    """
    nb = copy.deepcopy(nb)
    if isinstance(nb.get("metadata"), dict):
        nb["metadata"].pop("widgets", None)
    for cell in nb.get("cells", []):
        if nf.is_answer_cell(cell):
            nf.set_source(cell, nf.stub_solution(nf.source_text(cell), nf.exercise_id_of(cell) or "exercise"))
            nf.clear_outputs(cell)
        elif nf.is_check_cell(cell):
            nf.set_source(cell, nf.remove_hidden_tests(nf.source_text(cell)))
            nf.clear_outputs(cell)
            metadata = cell.setdefault("metadata", {})
            tags = metadata.setdefault("tags", [])
            if RUN_ALL_CONTINUES not in tags:
                tags.append(RUN_ALL_CONTINUES)
            # Locked as nbgrader locks them in its handouts: JupyterLab then neither edits nor deletes them.
            metadata.update(editable=False, deletable=False)
        elif cell.get("cell_type") == "code" and isinstance(cell.get("outputs"), list):
            cell["outputs"] = _without_widget_views(cell["outputs"])
    return nf.attach_images(nb, course.notebooks_folder() if notebook_folder is None else notebook_folder)


def student_copy_text(path: Path) -> str:
    """The bytes (as text) release writes for the instructor notebook at ``path``."""
    path = Path(path)
    return nf.dumps_notebook(student_copy(json.loads(path.read_text(encoding="utf-8")), path.parent))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_manifest(out: Path) -> dict:
    try:
        files = json.loads((out / MANIFEST).read_text()).get("files", {})
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def release(out: Path, notebooks: list[Path] | None = None) -> list[str]:
    """Write students' copies of ``notebooks`` (default: every lesson) into ``out``.

    Returns one message per file that was added, updated or deliberately
    left alone; unchanged files are summarised in one line.
    """
    out = Path(out)
    notebooks = instructor_notebooks() if notebooks is None else [Path(p) for p in notebooks]
    if not notebooks:
        raise ValueError("no instructor notebooks to release (expected files named like 01a_vectors_and_matrices.ipynb)")
    out.mkdir(parents=True, exist_ok=True)
    recorded = _read_manifest(out)
    messages, unchanged = [], 0

    wanted: dict[str, bytes] = {}
    for source in notebooks:
        wanted[source.name] = student_copy_text(source).encode("utf-8")

    for name, data in wanted.items():
        target = out / name
        new_hash = _sha256(data)
        if not target.exists():
            write_atomic(target, data)
            recorded[name] = new_hash
            messages.append(f"added    {name}")
            continue
        current_hash = _sha256(target.read_bytes())
        if current_hash == new_hash:
            recorded[name] = new_hash
            unchanged += 1
        elif recorded.get(name) == current_hash:
            write_atomic(target, data)
            recorded[name] = new_hash
            messages.append(f"updated  {name} (the course changed; you had not edited it)")
        elif recorded.get(name) == new_hash:
            continue  # edited, and the course's version is still the one written: nothing new to say
        else:
            messages.append(f"kept     {name}: it has your own changes, so the new version was not written "
                            "(rename your file and run this again to get the new version next to it)")
    if unchanged:
        messages.append(f"unchanged: {unchanged} file{'s' if unchanged != 1 else ''} already up to date")
    manifest = {"files": dict(sorted(recorded.items()))}
    write_atomic(out / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return messages


def make_workspace(dest: Path) -> list[str]:
    """Create or update the learner's workspace ``dest`` from the course's notebooks.

    Called by ``nncourse lab``: the first run creates the folder; later runs
    add new lessons and leave existing work untouched, and the messages say so.
    """
    dest = Path(dest)
    first = not dest.exists()
    messages = release(dest)
    if first:
        lessons = sum(1 for m in messages if m.startswith("added") and m.endswith(".ipynb"))
        messages.insert(0, f"created your workspace {dest} with {lessons} lesson{'s' if lessons != 1 else ''} "
                           "(your copies: answers removed; instructors: nncourse lab --instructor)")
    return messages


def add_arguments(parser) -> None:
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="instructor notebooks to release (default: every lesson in notebooks/)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the students' copies")
    parser.add_argument("--source", type=Path, default=None,
                        help="folder of instructor notebooks (default: the course's notebooks/)")


def run(args) -> int:
    try:
        notebooks = args.notebooks or instructor_notebooks(args.source)
        messages = release(args.out, notebooks)
    except (ValueError, OSError) as exc:
        print(f"nncourse release: {exc}")
        return 2
    for message in messages:
        print(message)
    print(f"students' copies are in {args.out}")
    return 0
