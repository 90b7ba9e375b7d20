"""The course's own costs: nbval time per lesson and for the whole course, grading throughput.

Both run pytest/nbval exactly as the test command does (this environment's
kernel, single-threaded BLAS, the project's sanitize file) and compare with a
baseline measured in the same run: nbval on a one-cell notebook, and a plain
serial ``pytest --nbval`` loop over the same submissions.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from .machine import LoadProbe

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "nncourse" / "grading" / "nbval_sanitize.cfg"
TEST_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def lesson_notebooks() -> list[Path]:
    """The instructor notebooks, ``notebooks/NN_name.ipynb`` and ``NNx_name.ipynb``, in course order."""
    from nncourse import course

    return course.lessons(ROOT / "notebooks")


def _env() -> dict:
    return {**os.environ, **TEST_ENV}


def _pytest_nbval(paths, junit: Path | None = None, cwd: Path = ROOT, env: dict | None = None,
                  lax: bool = False) -> tuple[float, int, str]:
    """Run strict nbval on ``paths`` in one pytest process; (wall seconds, exit code, last output line)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
           "--nbval-sanitize-with", str(SANITIZE), "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT),
           *map(str, paths)]
    if junit is not None:
        cmd.append(f"--junitxml={junit}")
    if lax:
        cmd.append("--nbval-lax")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return wall, proc.returncode, lines[-1] if lines else proc.stderr.strip()[-200:]


def one_cell_notebook(folder: Path) -> Path:
    """A notebook with one code cell and its stored output: nbval's fixed cost (start, kernel, teardown)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1 + 1)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "one_cell.ipynb"
    nbformat.write(nb, path)
    return path


def _junit_times(junit: Path) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Per notebook, the sum of its items' times (setup + call + teardown) from a JUnit XML report,
    and the five slowest cells as ``("stem Cell N", seconds)``."""
    totals: dict[str, float] = {}
    cells = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        # classname is the notebook's path with dots: "notebooks.02a_activation_functions.ipynb"
        stem = case.get("classname", "").removesuffix(".ipynb").rsplit(".", 1)[-1]
        seconds = float(case.get("time", 0.0))
        totals[stem] = totals.get(stem, 0.0) + seconds
        cells.append((f"{stem} {case.get('name')}", seconds))
    return totals, sorted(cells, key=lambda c: -c[1])[:5]


def course_nbval() -> dict:
    """Wall time of nbval on the whole course (one pytest run), per lesson from that run, and the one-cell baseline."""
    notebooks = lesson_notebooks()
    if not notebooks:
        return {"skipped": "no lesson notebooks in notebooks/ yet"}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        tmp = Path(tmp)
        baseline = one_cell_notebook(tmp)
        base_walls = []
        with LoadProbe() as base_probe:
            for _ in range(2):
                wall, code, summary = _pytest_nbval([baseline], cwd=tmp)
                if code != 0:
                    return {"skipped": f"nbval failed on the one-cell baseline notebook: {summary}"}
                base_walls.append(wall)
        junit = tmp / "course.xml"
        with LoadProbe() as probe:
            wall, code, summary = _pytest_nbval([p.relative_to(ROOT) for p in notebooks], junit=junit)
        per_item, slowest = _junit_times(junit) if junit.exists() else ({}, [])
    lessons = {p.stem: per_item.get(p.stem) for p in notebooks}
    return {"one_cell_s": min(base_walls), "one_cell_runs_s": base_walls, "course_s": wall,
            "course_exit_code": code, "course_summary": summary, "lessons_s": lessons,
            "slowest_cells_s": slowest, "notebooks": [str(p.relative_to(ROOT)) for p in notebooks],
            "load": probe.result, "baseline_load": base_probe.result}


def grading_throughput(class_size: int, jobs: int, lessons: list[str] | None = None) -> dict:
    """Submissions graded per minute by ``nncourse grade --jobs`` against a serial nbval loop.

    The simulated class: ``class_size`` students, each handing in the given
    lesson notebooks (default: the first two numbered lessons) with the
    instructor's answers, so every check passes and every cell runs to the
    end, the most expensive case for both. The serial loop runs plain strict
    ``pytest --nbval`` once per submitted file; the grader does more per file
    (reads it safely, rebuilds it from the instructor's notebook, runs it in
    its sandbox, judges the answers outside the kernel) and once per lesson
    (the canary: the instructor's own notebook graded first), so the
    comparison is against the cheapest way to run the same notebooks. The
    canary costs one notebook per lesson: about 7 % of a class of 15, which is
    why the simulated class is a class and not three students.
    """
    if importlib.util.find_spec("nncourse.grading.grade") is None:
        return {"skipped": "the grader (nncourse.grading.grade) is not there yet"}
    by_stem = {p.stem: p for p in lesson_notebooks()}
    if lessons is None:
        lessons = [stem for stem in by_stem if not stem.startswith("00_")][:2]
    missing = [stem for stem in lessons if stem not in by_stem]
    if missing or not lessons:
        return {"skipped": f"lesson notebooks {missing or 'none'} are not in notebooks/"}
    with tempfile.TemporaryDirectory(prefix="nncourse-grade-bench-") as tmp:
        tmp = Path(tmp)
        submissions = tmp / "submissions"
        for student in range(class_size):
            folder = submissions / f"student{student:02d}"
            folder.mkdir(parents=True)
            for stem in lessons:
                shutil.copy(by_stem[stem], folder / by_stem[stem].name)
        files = sorted(submissions.rglob("*.ipynb"))

        serial_codes = []
        with LoadProbe() as serial_probe:
            for path in files:
                _, code, _ = _pytest_nbval([path], cwd=path.parent)
                serial_codes.append(code)
        serial_s = serial_probe.result["wall_s"]

        cmd = [sys.executable, "-m", "nncourse", "grade", str(submissions), "--out", str(tmp / "graded"),
               "--jobs", str(jobs), "--no-cache", *(arg for stem in lessons for arg in ("--lesson", stem))]
        with LoadProbe() as grade_probe:
            proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
        grade_s = grade_probe.result["wall_s"]
        gradebook = tmp / "graded" / "gradebook.json"
        scores = _total_points(gradebook) if gradebook.is_file() else None
    n = len(files)
    return {"class_size": class_size, "lessons": lessons, "submissions": n, "jobs": jobs,
            "serial_s": serial_s, "serial_exit_codes": serial_codes, "grade_s": grade_s,
            "serial_per_min": 60.0 * n / serial_s, "grade_per_min": 60.0 * n / grade_s,
            "grade_command": "nncourse grade SUBMISSIONS --out OUT --jobs "
                             f"{jobs} --no-cache " + " ".join(f"--lesson {stem}" for stem in lessons),
            "grade_exit_code": proc.returncode,
            "grade_output": proc.stdout.strip().splitlines()[:1] or proc.stderr.strip().splitlines()[-1:],
            "points": scores, "serial_load": serial_probe.result, "grade_load": grade_probe.result}


def _total_points(gradebook: Path) -> dict:
    """Each student's ``total/max`` from the gradebook: every simulated answer is right, so all must be full."""
    students = json.loads(gradebook.read_text()).get("students", {})
    return {name: f"{entry.get('total')}/{entry.get('max')}" for name, entry in students.items()}


CAPSTONE = "08b_capstone_your_network"  # the part that trains the final model twice (set-up and section 10)
_LIMIT_LINE = "limit_threads()"


def capstone_threads(reps: int = 2) -> dict:
    """The capstone's run time on a busy machine: the course's thread setting against the default.

    Three configurations, measured in turn ``reps`` times (interleaved, so that
    other processes' load hits all of them alike), each a lax nbval run of the
    capstone in a kernel started with **no** thread variables, as a kernel the
    course did not start would be:

    * ``course_busy``: the lesson as shipped (its set-up cell calls
      ``nncourse.threads.limit_threads()``), with a spinning process keeping
      one core busy;
    * ``default_busy``: the same lesson without that call (BLAS uses every
      core), with the same spinning process;
    * ``course_idle``: the lesson as shipped, no spinning process.

    Reported: medians, ``default_busy / course_busy`` (what the setting saves
    on a busy machine) and ``course_busy / course_idle`` (issue 14's target:
    at most 1.5), and other processes' load during each run.
    """
    source = ROOT / "notebooks" / f"{CAPSTONE}.ipynb"
    if not source.is_file():
        return {"skipped": f"{source.name} is missing"}
    text = source.read_text(encoding="utf-8")
    if f'"{_LIMIT_LINE}' not in text and f"\\n{_LIMIT_LINE}" not in text:
        return {"skipped": "the capstone's set-up cell does not call limit_threads()"}
    env = {k: v for k, v in _env().items() if not k.endswith("_NUM_THREADS")}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-threads-") as tmp:
        tmp = Path(tmp)
        shipped = tmp / "course" / f"{CAPSTONE}.ipynb"
        unlimited = tmp / "default" / f"{CAPSTONE}.ipynb"
        shipped.parent.mkdir()
        unlimited.parent.mkdir()
        shipped.write_text(text, encoding="utf-8")
        nb = json.loads(text)
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["source"] = [line for line in cell["source"] if line.strip() != _LIMIT_LINE]
        unlimited.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        configs = {"course_busy": (shipped, True), "default_busy": (unlimited, True), "course_idle": (shipped, False)}
        runs: dict[str, list] = {name: [] for name in configs}
        for _ in range(reps):
            for name, (path, busy) in configs.items():
                spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
                try:
                    with LoadProbe() as probe:
                        wall, code, summary = _pytest_nbval([path.name], cwd=path.parent, env=env, lax=True)
                finally:
                    if spinner is not None:
                        spinner.kill()
                        spinner.wait()
                if code != 0:
                    return {"skipped": f"nbval failed on the capstone ({name}): {summary}"}
                print(f"  capstone {name}: {wall:.1f} s (others {probe.result.get('others_cores')})", flush=True)
                # The spinner is killed after the probe, so "others" counts it (about one core) in busy runs.
                runs[name].append({"wall_s": wall, "others_cores": probe.result.get("others_cores"),
                                   "spinner": busy})
    medians = {name: statistics.median(r["wall_s"] for r in rs) for name, rs in runs.items()}
    return {"reps": reps, "runs": runs, "median_s": medians,
            "default_over_course_busy": medians["default_busy"] / medians["course_busy"],
            "course_busy_over_idle": medians["course_busy"] / medians["course_idle"]}
