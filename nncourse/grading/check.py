"""``nncourse check NOTEBOOK``: run your notebook's checks in a fresh kernel, print a table.

Your notebook runs from top to bottom with nbval in a new kernel (a copy of it,
in a fresh folder: your file is not changed), exactly as a grader would start
it. Outputs are not compared (``--nbval-lax``): what counts is whether each
check passes. The checks run in grading mode, so the verdict in the table is
the same judgement the grader makes, in this process, on your results:

    exercise        result          points
    relu            passed           2 / 2
    softmax         failed           0 / 3
        case 'large inputs' failed: returned inf or NaN where the answer is finite ...
        hint: ...
    ...
    total: 2 / 12 points (1 passed, 1 failed, 3 not attempted)

The exit status is 0 when every exercise passed, 1 otherwise.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from . import notebook_format as nf
from nncourse.checks import EXERCISES

from .rebuild import SubmissionError, read_submission
from .runner import code_cells, run_notebook
from .sandbox import Limits

HELP = "run your notebook's exercise checks in a fresh kernel and print a table"


def _runnable_copy(cells: list[dict]) -> dict:
    """The learner's cells with no stored outputs (nothing to compare, nothing stale).

    The ``raises-exception`` tag that release puts on check cells (so that Run
    All goes on in JupyterLab) is dropped: a check cell must run cleanly here,
    as when grading, where cells come from the instructor's notebook.
    """
    clean = []
    for cell in cells:
        kind = cell.get("cell_type")
        if kind not in ("code", "markdown", "raw"):
            continue
        metadata = dict(cell.get("metadata")) if isinstance(cell.get("metadata"), dict) else {}
        if isinstance(metadata.get("tags"), list):
            metadata["tags"] = [t for t in metadata["tags"] if t != "raises-exception"]
        copy = {"cell_type": kind, "metadata": metadata, "source": nf.source_text(cell)}
        if kind == "code":
            copy.update(outputs=[], execution_count=None)
        clean.append(copy)
    return {"cells": clean, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                          "language": "python"}},
            "nbformat": 4, "nbformat_minor": 4}


def check_notebook(path: Path, *, limits: Limits | None = None, isolate: bool = False) -> dict:
    """Run a learner's notebook and judge each exercise; return plain data.

    ``{"exercises": [{"id", "title", "outcome", "points", "max_points", "reason"}], "errors": [...],
    "fatal": str}``; ``errors`` lists other cells that raised.
    """
    from .grade import _check_result, _judge_one

    path = Path(path)
    cells = read_submission(path)
    nb = _runnable_copy(cells)
    code = code_cells(nb)
    answers = [nf.exercise_id_of(c) for c in code if nf.is_answer_cell(c) and nf.exercise_id_of(c) in EXERCISES]
    ids = answers or [e.id for e in EXERCISES.values() if e.lesson == path.stem]
    check_cell = {nf.exercise_id_of(c): n for n, c in enumerate(code) if nf.is_check_cell(c)}
    owner = {n: nf.exercise_id_of(c) for n, c in enumerate(code) if nf.exercise_id_of(c)}
    seed = secrets.randbits(62)
    limits = limits or Limits(cell_timeout=300, notebook_timeout=1800)
    rows, errors = [], []
    with run_notebook(nb, name=path.name, limits=limits, seed=seed, lax=True, isolate=isolate) as run:
        fatal_cell = run.fatal[0] if run.fatal else None
        for exercise_id in ids:
            n = check_cell.get(exercise_id)
            if n is None:
                rows.append(_check_result(exercise_id, "missing", "the check cell is missing: copy it back from a "
                                          "fresh copy of the lesson (nncourse release --out DIR)"))
            elif fatal_cell is not None and owner.get(fatal_cell) == exercise_id:
                rows.append(_check_result(exercise_id, "failed", run.fatal[1]))
            elif n not in run.cells:
                reason = f"not run: {run.fatal[1]}" if run.fatal else "the check cell did not run"
                rows.append(_check_result(exercise_id, "not graded", reason))
            else:
                rows.append(_judge_one(exercise_id, run.cells[n], run.exchange, seed))
        for n, outcome in sorted(run.cells.items()):
            if not outcome.ok and n not in owner:
                lines = code[n]["source"].strip().splitlines() or [""]
                message = outcome.message.splitlines()[0][:200] if outcome.message else "failed"
                errors.append(f"code cell {n} ({lines[0][:50]!r}): {message}")
    return {"exercises": rows, "errors": errors, "fatal": run.fatal[1] if run.fatal else ""}


def format_table(result: dict) -> str:
    rows = result["exercises"]
    width = max([len("exercise")] + [len(r["id"]) for r in rows])
    lines = [f"{'exercise':<{width}}  {'result':<14}  points"]
    for r in rows:
        lines.append(f"{r['id']:<{width}}  {r['outcome']:<14}  {r['points']:>2} / {r['max_points']}")
        if r["outcome"] in ("failed", "missing", "not graded") and r["reason"]:
            lines += ["    " + line for line in r["reason"].splitlines()]
    counts = {k: sum(1 for r in rows if r["outcome"] == k) for k in ("passed", "failed", "not attempted")}
    total, top = sum(r["points"] for r in rows), sum(r["max_points"] for r in rows)
    lines.append(f"total: {total} / {top} points ({counts['passed']} passed, {counts['failed']} failed, "
                 f"{counts['not attempted']} not attempted)")
    if result["errors"]:
        lines.append("other cells that raised an error (not graded, but later cells may depend on them):")
        lines += ["    " + e for e in result["errors"]]
    if result["fatal"]:
        lines.append(f"the run stopped early: {result['fatal']}")
    return "\n".join(lines)


def add_arguments(parser) -> None:
    parser.add_argument("notebook", type=Path, help="your notebook, e.g. workspace/02a_activation_functions.ipynb")
    parser.add_argument("--cell-timeout", type=float, default=300.0, help="seconds a cell may run (default 300)")


def run(args) -> int:
    if not args.notebook.is_file():
        print(f"nncourse check: {args.notebook} is not a file", file=sys.stderr)
        return 2
    print(f"running {args.notebook} in a fresh kernel ...", flush=True)
    try:
        result = check_notebook(args.notebook, limits=Limits(cell_timeout=args.cell_timeout, notebook_timeout=3600))
    except SubmissionError as exc:
        print(f"nncourse check: {args.notebook}: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    return 0 if all(r["outcome"] == "passed" for r in result["exercises"]) and result["exercises"] else 1
