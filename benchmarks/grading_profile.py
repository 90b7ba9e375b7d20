"""Where a graded notebook's time goes: ``nncourse grade --jobs 1``, phase by phase.

Run from the repository root::

    .venv/bin/python -m benchmarks.grading_profile [--lessons 02a_activation_functions,05b_backward_pass] [--students 2]

It grades a small class exactly as ``nncourse grade --jobs 1 --no-cache``
does (in this process, through :func:`nncourse.grading.grade.grade_submissions`,
sandbox on), with timestamps added from the outside: the grader's functions
are wrapped and every event of the run's record (:mod:`nncourse.grading._record`)
is stamped when the grader receives it. Nothing inside the sandbox changes.
Each submission is a released copy (``nncourse release``'s student copy)
with the instructor's answers filled in, so every check passes and every cell
runs.

Phases of one run, in order (directly measured unless marked *probe*):

* ``grader prep``: the run's private folder, config files, its cgroup;
* ``start to pytest ready``: launcher, bwrap, interpreter start, pytest,
  nbval and the course plugin imported and configured (split by *probes*:
  the same launcher + bwrap + cgroup running ``/bin/true``, ``python -I -c
  pass``, and the imports pytest needs);
* ``collection + kernel start``: pytest collects the notebook (nbformat
  reads and validates it), nbval starts the kernel (*probe*: the kernel's
  own imports, ``ipykernel.kernelapp``);
* ``first cell (imports)``: the lesson's set-up cell, i.e. numpy,
  matplotlib and nncourse imported in the kernel (*probes*: each import alone);
* ``lesson cells``, ``answer cells``, ``check cells``: the cells' own run
  time as the course plugin measures it;
* ``nbval between cells``: the rest of the cells' wall time (output
  comparison, message handling);
* ``teardown``: last cell to the run's exit (kernel shutdown, pytest exit,
  the launcher reaping the cgroup);
* ``clean-up``: exit to the run's folder and cgroup removed;
* ``rebuild + judging``: the grader's own work before and after the run;
* ``canary``: one run of the instructor notebook per lesson per batch,
  spread over the class (reported per notebook of the class measured here
  and for a class of 30).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .machine import LoadProbe, describe_machine

ROOT = Path(__file__).resolve().parents[1]


def make_submissions(folder: Path, lessons: list[str], students: int) -> None:
    """Released copies with the instructor's answers put back (what a good student hands in)."""
    from nncourse.grading import notebook_format as nf
    from nncourse.grading.release import student_copy

    for stem in lessons:
        instructor = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        answers = {nf.exercise_id_of(c): c["source"] for c in instructor["cells"] if nf.is_answer_cell(c)}
        handout = student_copy(json.loads(json.dumps(instructor)))
        for cell in handout["cells"]:
            if nf.is_answer_cell(cell):
                cell["source"] = answers[nf.exercise_id_of(cell)]
        for s in range(students):
            target = folder / f"student{s:02d}" / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(handout, indent=1), encoding="utf-8")


class _Recorder:
    """Wraps the grader's functions (from outside) and keeps one timeline per run."""

    def __init__(self):
        from nncourse.grading import grade, runner
        from nncourse.grading._record import RecordReader

        self.runs: list[dict] = []
        self._patches = []
        recorder = self

        class StampedReader(RecordReader):
            def _event(self, line: bytes) -> None:
                before = len(self.events)
                super()._event(line)
                if len(self.events) > before:
                    self.events[-1]["_t"] = time.monotonic()
                    recorder.current.setdefault("events", []).append(self.events[-1])

        original_watch, original_run, original_grade = runner._watch, grade.run_notebook, grade.grade_notebook

        def watch(proc, streams, group, run_dir, limits, start, cancel):
            self.current["t_start"] = start
            try:
                return original_watch(proc, streams, group, run_dir, limits, start, cancel)
            finally:
                self.current["t_exit"] = time.monotonic()

        @contextlib.contextmanager
        def run_notebook(nb, **kwargs):
            from nncourse.grading.runner import code_cells

            self.current.update(t_enter=time.monotonic(), cells=code_cells(nb))
            with original_run(nb, **kwargs) as result:
                self.current["t_yield"] = time.monotonic()
                yield result
            self.current["t_done"] = time.monotonic()

        def grade_notebook(instructor, submission, **kwargs):
            self.current = {"kind": "canary" if isinstance(submission, bytes) else "submission",
                            "lesson": Path(kwargs.get("name") or "?").stem, "t_grade": time.monotonic()}
            try:
                return original_grade(instructor, submission, **kwargs)
            finally:
                self.current["t_graded"] = time.monotonic()
                self.runs.append(self.current)

        self._patches = [(runner, "RecordReader", StampedReader), (runner, "_watch", watch),
                         (grade, "run_notebook", run_notebook), (grade, "grade_notebook", grade_notebook)]

    def __enter__(self):
        self._saved = [(mod, name, getattr(mod, name)) for mod, name, _ in self._patches]
        for mod, name, value in self._patches:
            setattr(mod, name, value)
        return self

    def __exit__(self, *exc):
        for mod, name, value in self._saved:
            setattr(mod, name, value)


def phases(run: dict) -> dict:
    """Seconds per phase of one run (see the module docstring)."""
    from nncourse.grading import notebook_format as nf

    events = run.get("events", [])
    t = {e["event"]: e["_t"] for e in reversed(events)}  # first occurrence of each event
    starts = [e for e in events if e["event"] == "start"]
    results = [e for e in events if e["event"] == "result" and e.get("when") == "call"]
    last_result = max((e["_t"] for e in results), default=run["t_exit"])
    cells = run["cells"]
    own = {"first cell (imports)": 0.0, "lesson cells": 0.0, "answer cells": 0.0, "check cells": 0.0}
    for e in results:
        n, seconds = e.get("cell"), float(e.get("seconds") or 0.0)
        cell = cells[n] if isinstance(n, int) and 0 <= n < len(cells) else {}
        key = ("first cell (imports)" if n == 0 else "answer cells" if nf.is_answer_cell(cell)
               else "check cells" if nf.is_check_cell(cell) else "lesson cells")
        own[key] += seconds
    first_start = starts[0]["_t"] if starts else run["t_exit"]
    cells_wall = last_result - first_start
    out = {
        "grader prep": run["t_start"] - run["t_enter"],
        "start to pytest ready": t.get("ready", run["t_exit"]) - run["t_start"],
        "collection + kernel start": first_start - t.get("ready", first_start),
        **own,
        "nbval between cells": cells_wall - sum(own.values()),
        "teardown": run["t_exit"] - last_result,
        "clean-up": run["t_done"] - run["t_exit"],
        "rebuild + judging": (run["t_graded"] - run["t_grade"]) - (run["t_done"] - run["t_enter"]),
    }
    out["total"] = run["t_graded"] - run["t_grade"]
    out["cells"] = len(results)
    return out


PROBES = {
    "launcher + bwrap + cgroup (/bin/true)": ["/bin/true"],
    "python -I -c pass": [sys.executable, "-I", "-c", "pass"],
    "python: import pytest, nbval, course plugin": [
        sys.executable, "-I", "-c",
        "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
        "import pytest, nbval.plugin, nncourse.grading._nbval_plugin"],
    "python: import ipykernel.kernelapp (kernel start)": [sys.executable, "-I", "-c", "import ipykernel.kernelapp"],
    "python: import numpy": [sys.executable, "-I", "-c", "import numpy"],
    "python: import matplotlib.pyplot (inline backend)": [sys.executable, "-I", "-c", "import matplotlib.pyplot"],
    "python: import nncourse (package, checks)": [sys.executable, "-I", "-c", "import nncourse, nncourse.checks"],
}


def run_probes(reps: int = 3) -> dict:
    """Wall time of tiny commands in the grader's own sandbox (same launcher, bwrap arguments, cgroup, env)."""
    from nncourse.grading import cgroups
    from nncourse.grading.sandbox import Limits, RunDir, isolation, matplotlib_cache

    found, limits = isolation(), Limits()
    walls: dict[str, list[float]] = {name: [] for name in PROBES}
    with tempfile.TemporaryDirectory(prefix="nncourse-profile-") as tmp:
        for _ in range(reps):
            for name, argv in PROBES.items():  # interleaved: a burst of load hits every probe alike
                run = RunDir(Path(tmp))
                where = run.inside(True)
                files = {f"{where['home']}/.config/matplotlib/{p.name}": p
                         for p in matplotlib_cache().iterdir() if p.is_file()}
                group = cgroups.RunGroup(found.hierarchy, memory_bytes=limits.run_memory_bytes,
                                         processes=limits.processes)
                try:
                    command = run.command(argv, limits=limits, isolation=found, group=group, notebook_name=None,
                                          files=files)
                    t0 = time.monotonic()
                    proc = subprocess.run(command, env=run.environment(isolated=True), capture_output=True,
                                          stdin=subprocess.DEVNULL, start_new_session=True, cwd=run.root)
                    walls[name].append(time.monotonic() - t0)
                    if proc.returncode != 0:
                        raise RuntimeError(f"probe {name!r} failed: {proc.stderr.decode()[-500:]}")
                finally:
                    group.close()
                    run.remove()
    return {name: statistics.median(w) for name, w in walls.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", default="02a_activation_functions,05b_backward_pass,06a_optimisers")
    parser.add_argument("--students", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "grading_profile.json")
    args = parser.parse_args(argv)
    os.environ.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    from nncourse.grading.grade import grade_submissions

    lessons = [s for s in args.lessons.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="nncourse-profile-class-") as tmp:
        tmp = Path(tmp)
        make_submissions(tmp / "submissions", lessons, args.students)
        with LoadProbe() as probe_load:
            probes = run_probes()
        with _Recorder() as recorder, LoadProbe() as load:
            summary = grade_submissions(tmp / "submissions", tmp / "graded", jobs=1, use_cache=False)
        book = json.loads((tmp / "graded" / "gradebook.json").read_text())
    full = bool(book.get("students")) and all(e.get("total") == e.get("max") for e in book["students"].values())
    runs = [{"kind": r["kind"], "lesson": r["lesson"], **phases(r)} for r in recorder.runs if "t_exit" in r]
    subs = [r for r in runs if r["kind"] == "submission"]
    keys = [k for k in subs[0] if k not in ("kind", "lesson", "cells")] if subs else []
    mean = {k: statistics.fmean(r[k] for r in subs) for k in keys}
    canary_total = sum(r["total"] for r in runs if r["kind"] == "canary")
    result = {"machine": describe_machine(), "lessons": lessons, "students": args.students,
              "all_full_marks": full, "grade_seconds": summary["seconds"], "notebooks": len(subs),
              "runs": runs, "mean_submission": mean, "canary_total_s": canary_total,
              "probes_s": probes, "load": load.result, "probe_load": probe_load.result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    print(table(result))
    return 0 if full else 1


def table(result: dict) -> str:
    mean, probes = result["mean_submission"], result["probes_s"]
    total = mean.get("total", 0.0) or 1.0
    lines = [f"Lessons {', '.join(result['lessons'])}, {result['students']} student(s) each, "
             f"`nncourse grade --jobs 1 --no-cache` in the sandbox: {result['grade_seconds']:.1f} s for "
             f"{result['notebooks']} notebooks + {len(result['lessons'])} canary runs; others kept "
             f"{result['load'].get('others_cores', 0):.2f} cores busy, load average "
             f"{result['load'].get('loadavg_before')} → {result['load'].get('loadavg_after')}.", "",
             "| phase (mean per submission) | seconds | share |", "|---|---:|---:|"]
    for key, value in mean.items():
        if key != "total":
            lines.append(f"| {key} | {value:.2f} | {100 * value / total:.0f} % |")
    lines.append(f"| **total per notebook** | **{total:.2f}** | 100 % |")
    n = result["notebooks"]
    lines.append(f"| canary, spread over this batch ({n} notebooks) | {result['canary_total_s'] / max(n, 1):.2f} | |")
    lines.append(f"| canary, spread over a class of 30 per lesson | "
                 f"{result['canary_total_s'] / max(1, 30 * len(result['lessons'])):.2f} | |")
    lines += ["", "Probes: one command each in the grader's sandbox (same launcher, bwrap arguments, cgroup and "
              "environment), median of 3; an import's own cost is its row minus `python -I -c pass`:", "",
              "| probe | seconds | minus `/bin/true` | minus `python -I -c pass` |", "|---|---:|---:|---:|"]
    base, python = probes[next(iter(probes))], probes["python -I -c pass"]
    for name, value in probes.items():
        python_part = f"{value - python:.2f}" if name.startswith("python: ") else ""
        lines.append(f"| {name} | {value:.2f} | {value - base:.2f} | {python_part} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
