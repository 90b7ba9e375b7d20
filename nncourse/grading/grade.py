"""``nncourse grade SUBMISSIONS --out RESULTS``: grade a class, trusting only answers.

SUBMISSIONS holds one folder per student (the folder's name is the student's
id) with that student's notebooks, named as released. For every notebook:

1. **Rebuild** (:mod:`.rebuild`): the answer cells' sources go into a fresh
   copy of the instructor notebook, which supplies everything else.
2. **Run** (:mod:`.runner`): nbval runs it in a fresh, isolated, limited
   process tree with ``NNCOURSE_GRADE_SEED`` and ``NNCOURSE_GRADE_EXCHANGE``
   set, so each check cell writes the learner's results on the seed's cases
   as plain data.
3. **Judge** here, in the grader's own process: the cases are regenerated
   from the seed (``exercise.make_cases(exercise_rng(id, seed))``), the plain
   data is read back with :func:`nncourse.checks._exchange.load` and compared
   with the reference by :func:`nncourse.checks._judging.judge`. A check scores
   only if that judgement passes *and* nbval's run of the check cell passed,
   so anything patched inside the kernel can only lose points.

If an answer kills the kernel or hangs past the limits, that exercise scores 0
with the reason, its answer is replaced by the students' stub, and the
notebook is run again so the later exercises are still graded (at most
:data:`MAX_ATTEMPTS` runs). Later cells use the package's reference
functions, so one wrong answer never costs another exercise.

**Seeds.** Each results folder has a random secret (``.grading-secret``,
created on the first run). A notebook's seed is derived from the secret, the
student's id, the lesson and the submitted file's hash: it cannot be guessed
in advance, and grading the same files into the same folder again gives the
same cases and the same results. Results of unchanged submissions are reused
(``.cache/``); the seed is stored in ``gradebook.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nncourse import notebook_format as nf
from nncourse.checks import EXERCISES, _exchange
from nncourse.checks import exercise_rng, judge

from . import report
from .rebuild import MAX_NOTEBOOK_BYTES, SubmissionError, read_submission, rebuild
from .release import instructor_notebooks, write_atomic
from .runner import code_cells, default_sanitize_file, run_notebook
from .sandbox import Limits, can_isolate

HELP = "grade a folder of students' submissions: gradebook, feedback, JUnit XML"
MAX_ATTEMPTS = 3
SECRET_FILE = ".grading-secret"
CACHE_DIR = ".cache"


# --------------------------------------------------------------------------- #
# One notebook
# --------------------------------------------------------------------------- #


def _check_result(exercise_id: str, outcome: str, reason: str = "", seconds: float = 0.0) -> dict:
    exercise = EXERCISES[exercise_id]
    return {"id": exercise_id, "title": exercise.title, "max_points": exercise.points,
            "points": exercise.points if outcome == "passed" else 0,
            "outcome": outcome, "reason": reason, "seconds": round(seconds, 3)}


def _judge_one(exercise_id: str, cell, exchange: Path, seed: int) -> dict:
    """Decide one exercise from the plain data its check wrote (the grader's own judgement)."""
    exercise = EXERCISES[exercise_id]
    seconds = cell.seconds if cell else 0.0
    cases = exercise.make_cases(exercise_rng(exercise_id, seed))
    try:
        outcomes = _exchange.load(exchange, exercise_id, seed, len(cases))
    except _exchange.ExchangeError as exc:
        if cell is not None and "Timeout" in cell.message:
            return _check_result(exercise_id, "failed", "the check did not finish within the time limit "
                                 "(an endless loop, or a very slow answer)", seconds)
        why = f" The check cell failed with {cell.message[:300]}" if cell is not None and cell.message else ""
        return _check_result(exercise_id, "failed", f"the check produced no results ({exc}).{why}", seconds)
    verdict = judge(exercise, cases, outcomes)
    if verdict.not_attempted:
        return _check_result(exercise_id, "not attempted", "the answer still raises NotImplementedError", seconds)
    if not verdict.passed:
        return _check_result(exercise_id, "failed", verdict.message(), seconds)
    if cell is None or not cell.ok:
        detail = f" ({cell.message[:300]})" if cell is not None and cell.message else ""
        return _check_result(exercise_id, "failed", "the answer's values were right, but the check cell did not "
                             "run cleanly to its success line: something in the notebook changed its output "
                             f"or stopped it{detail}", seconds)
    return _check_result(exercise_id, "passed", "", seconds)


def grade_notebook(instructor: dict, submission: Path, *, seed: int, limits: Limits, isolate: bool = True,
                   sanitize: Path | None = None, name: str | None = None, hide: tuple = ()) -> dict:
    """Grade one submitted notebook against its instructor notebook; return plain data."""
    started = time.monotonic()
    exercise_ids = nf.exercises_in(instructor)
    base = {"file": submission.name, "seed": seed, "notes": [], "other_cells_failed": 0}
    try:
        cells = read_submission(submission)
    except SubmissionError as exc:
        checks = [_check_result(e, "not graded", f"the notebook could not be read: {exc}") for e in exercise_ids]
        return {**base, "status": "unreadable", "reason": str(exc), "checks": checks,
                "seconds": round(time.monotonic() - started, 3)}

    decided: dict[str, dict] = {}
    stubbed: set[str] = set()
    stop_reason = ""
    for _attempt in range(MAX_ATTEMPTS):
        rebuilt = rebuild(instructor, cells, stubbed=stubbed)
        for exercise_id, answer in rebuilt.answers.items():
            if answer.source is None and exercise_id not in decided:
                decided[exercise_id] = _check_result(exercise_id, "missing", answer.note)
            elif answer.note and f"{exercise_id}: {answer.note}" not in base["notes"]:
                base["notes"].append(f"{exercise_id}: {answer.note}")
        code = code_cells(rebuilt.notebook)
        owner = {n: nf.exercise_id_of(c) for n, c in enumerate(code) if nf.exercise_id_of(c)}
        check_cell = {nf.exercise_id_of(c): n for n, c in enumerate(code) if nf.is_check_cell(c)}
        with run_notebook(rebuilt.notebook, name=name or submission.name, limits=limits, seed=seed,
                          isolate=isolate, sanitize=sanitize, hide=hide) as run:
            culprit = owner.get(run.fatal[0]) if run.fatal and run.fatal[0] is not None else None
            base["other_cells_failed"] = sum(1 for n, c in run.cells.items() if not c.ok and n not in owner)
            for exercise_id in exercise_ids:
                if exercise_id in decided or exercise_id in stubbed:
                    continue
                if exercise_id == culprit:
                    where = "answer" if nf.is_answer_cell(code[run.fatal[0]]) else "check"
                    decided[exercise_id] = _check_result(
                        exercise_id, "failed", f"while its {where} cell ran, {run.fatal[1]}",
                        run.cells[run.fatal[0]].seconds if run.fatal[0] in run.cells else 0.0)
                    continue
                n = check_cell.get(exercise_id)
                if n is None or n not in run.cells:
                    continue
                if culprit is not None and n > run.fatal[0]:
                    continue  # ran after the kernel was lost: graded by the next run
                decided[exercise_id] = _judge_one(exercise_id, run.cells[n], run.exchange, seed)
        if run.fatal is None:
            break
        if culprit is None:
            cell_no = run.fatal[0]
            stop_reason = (f"the run stopped at a course cell (code cell {cell_no}): {run.fatal[1]}; something an "
                           "earlier answer started (a thread, a process, a signal) probably caused it"
                           if cell_no is not None else f"the run stopped: {run.fatal[1]}")
            break
        stubbed.add(culprit)
    else:
        stop_reason = f"grading gave up after {MAX_ATTEMPTS} runs that each lost the kernel: {run.fatal[1]}"
    checks = [decided.get(e) or _check_result(e, "not graded", stop_reason or "the check cell never ran")
              for e in exercise_ids]
    return {**base, "status": "graded", "reason": stop_reason, "checks": checks,
            "seconds": round(time.monotonic() - started, 3)}


# --------------------------------------------------------------------------- #
# A class
# --------------------------------------------------------------------------- #


@dataclass
class Job:
    student: str
    lesson: str
    instructor_path: Path
    submission: Path | None
    key: str = ""
    seed: int = 0


def _fingerprint() -> str:
    """Hash of the package's code: a change to a check or a reference re-grades everything."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _secret(out: Path) -> str:
    path = out / SECRET_FILE
    if not path.exists():
        write_atomic(path, secrets.token_hex(32).encode())
        path.chmod(0o600)
    return path.read_text().strip()


def _seed(secret: str, student: str, lesson: str, file_hash: str) -> int:
    digest = hashlib.sha256(f"{secret}\0{student}\0{lesson}\0{file_hash}".encode()).hexdigest()
    return int(digest[:15], 16)


def discover(submissions: Path, lessons: dict[str, Path], only: list[str] | None) -> tuple[list[Job], list[str], list[str]]:
    """Jobs for every (student, lesson) in scope, the lessons graded, and notes for the log."""
    notes = []
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    submitted: dict[str, dict[str, Path]] = {}
    for folder in students:
        files = {}
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            stem = path.stem
            if path.suffix == ".ipynb" and stem in lessons:
                files[stem] = path
            else:
                notes.append(f"{folder.name}: ignored {path.name} (not a lesson notebook named as released)")
        submitted[folder.name] = files
    if only:
        unknown = sorted(set(only) - set(lessons))
        if unknown:
            raise ValueError(f"unknown lesson(s) {unknown}; the lessons are {sorted(lessons)}")
        scope = [s for s in lessons if s in only]
    else:
        scope = [s for s in lessons if any(s in files for files in submitted.values())]
    jobs = [Job(student, lesson, lessons[lesson], files.get(lesson))
            for student, files in submitted.items() for lesson in scope]
    return jobs, scope, notes


class Progress:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled
        self.start = time.monotonic()
        self.lock = threading.Lock()
        self.tty = sys.stderr.isatty()

    def step(self, label: str) -> None:
        with self.lock:
            self.done += 1
            if not self.enabled:
                return
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            line = (f"grading [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                    f"{time.monotonic() - self.start:5.0f} s  {label}")
            if self.tty:
                sys.stderr.write("\r" + line[:120].ljust(120) + ("\n" if self.done == self.total else ""))
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()


def grade_submissions(submissions: Path, out: Path, *, jobs: int | None = None, notebooks: Path | None = None,
                      lessons: list[str] | None = None, limits: Limits | None = None, isolate: bool = True,
                      progress: bool = False, use_cache: bool = True) -> dict:
    """Grade every student's notebooks in ``submissions`` and write the results to ``out``.

    Parameters
    ----------
    submissions : folder with one sub-folder per student (its name is the id)
    out : results folder (created; must not be inside ``submissions``)
    jobs : notebooks graded at once (default: every core)
    notebooks : instructor notebooks (default: the course's ``notebooks/``)
    lessons : lesson stems to grade (default: every lesson anyone handed in)
    limits : :class:`~nncourse.grading.sandbox.Limits` of each run
    isolate : sandbox user, no network, hidden folders (when running as root)
    progress : draw a progress bar on stderr
    use_cache : reuse the results of unchanged submissions

    Returns
    -------
    dict : ``students``, ``notebooks``, ``run`` (notebooks run now), ``reused``
        (unchanged, taken from an earlier run), ``missing``, ``seconds``,
        ``lessons`` and the paths of the outputs.
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise ValueError(f"submissions folder {str(submissions)!r} does not exist")
    if out == submissions or submissions in out.parents or out in submissions.parents:
        raise ValueError("the results folder must be outside the submissions folder (and not contain it): "
                         "submissions are never modified")
    limits = limits or Limits()
    sanitize = default_sanitize_file()
    lesson_paths = {p.stem: p for p in instructor_notebooks(notebooks)}
    job_list, scope, notes = discover(submissions, lesson_paths, lessons)
    out.mkdir(parents=True, exist_ok=True)
    secret = _secret(out)
    fingerprint = _fingerprint()
    instructors = {stem: json.loads(lesson_paths[stem].read_text(encoding="utf-8")) for stem in scope}
    instructor_hash = {stem: hashlib.sha256(lesson_paths[stem].read_bytes()).hexdigest() for stem in scope}
    cache_dir = out / CACHE_DIR
    # What a submission's run must not see: the solutions, everyone's submissions, the results.
    course = Path(__file__).resolve().parents[2]
    hide = tuple(sorted({lesson_paths[s].parent.resolve() for s in scope} | {submissions, out}
                        | {p for p in (course / "notebooks", course / ".git") if p.is_dir()}))
    settings = json.dumps({"limits": limits.as_dict(), "isolate": isolate and can_isolate()}, sort_keys=True)
    for job in job_list:
        if job.submission is None:
            continue
        file_hash = _file_hash(job.submission)
        job.seed = _seed(secret, job.student, job.lesson, file_hash)
        job.key = hashlib.sha256("\0".join([fingerprint, instructor_hash[job.lesson], file_hash, settings,
                                            str(job.seed)]).encode()).hexdigest()

    results: dict[tuple[str, str], dict] = {}
    log: list[str] = [f"grading {submissions} into {out}: {len({j.student for j in job_list})} students, "
                      f"lessons {', '.join(scope) or '(none)'}"] + notes
    counts = {"run": 0, "reused": 0, "missing": 0}
    bar = Progress(len(job_list), progress)
    started = time.monotonic()

    def work(job: Job) -> tuple[Job, dict, str]:
        if job.submission is None:
            return job, _missing(instructors[job.lesson]), "missing"
        cached = cache_dir / f"{_cache_name(job)}.json"
        if use_cache and cached.is_file():
            try:
                previous = json.loads(cached.read_text())
                if previous.get("key") == job.key:
                    return job, previous["result"], "reused"
            except (OSError, ValueError, KeyError):
                pass
        try:
            if job.submission.is_symlink() or not job.submission.is_file():
                raise SubmissionError("it is a link or not a regular file; hand in the notebook file itself")
            result = grade_notebook(instructors[job.lesson], job.submission, seed=job.seed, limits=limits,
                                    isolate=isolate, sanitize=sanitize, name=f"{job.lesson}.ipynb",
                                    hide=hide)
        except SubmissionError as exc:
            result = _unreadable(instructors[job.lesson], job.submission.name, str(exc))
        except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
            result = _unreadable(instructors[job.lesson], job.submission.name,
                                 f"the grader failed on this notebook: {type(exc).__name__}: {exc}", status="error")
        write_atomic(cached, json.dumps({"key": job.key, "result": result}, sort_keys=True).encode())
        return job, result, "run"

    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        futures = [pool.submit(work, job) for job in job_list]
        for future in as_completed(futures):
            job, result, how = future.result()
            results[(job.student, job.lesson)] = result
            counts[how] += 1
            bar.step(f"{job.student}/{job.lesson}")

    for job in sorted(job_list, key=lambda j: (j.student, j.lesson)):
        r = results[(job.student, job.lesson)]
        score = sum(c["points"] for c in r["checks"])
        top = sum(c["max_points"] for c in r["checks"])
        how = "missing" if job.submission is None else f"{r['status']}, {r.get('seconds', 0):.1f} s"
        log.append(f"{job.student} {job.lesson}: {score}/{top} points ({how})"
                   + (f": {r['reason']}" if r.get("reason") else ""))
    seconds = time.monotonic() - started
    log.append(f"done: {counts['run']} notebooks run, {counts['reused']} unchanged and reused, "
               f"{counts['missing']} missing, in {seconds:.1f} s")
    paths = report.write_all(out, scope, results, log, limits)
    return {"students": len({j.student for j in job_list}), "notebooks": len(job_list), **counts,
            "seconds": round(seconds, 3), "lessons": scope, **{k: str(v) for k, v in paths.items()}}


def _file_hash(path: Path) -> str:
    """The file's hash (its size and time when it is too large to be graded anyway)."""
    try:
        info = path.stat()
        if not path.is_file() or info.st_size > MAX_NOTEBOOK_BYTES:
            return f"unhashed:{info.st_size}:{info.st_mtime_ns}"
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _cache_name(job: Job) -> str:
    return hashlib.sha256(f"{job.student}\0{job.lesson}".encode()).hexdigest()[:32]


def _missing(instructor: dict) -> dict:
    checks = [_check_result(e, "missing", "the notebook was not handed in") for e in nf.exercises_in(instructor)]
    return {"file": None, "status": "missing", "reason": "not handed in", "checks": checks, "notes": [],
            "seed": None, "seconds": 0.0, "other_cells_failed": 0}


def _unreadable(instructor: dict, file_name: str, reason: str, status: str = "unreadable") -> dict:
    checks = [_check_result(e, "not graded", reason) for e in nf.exercises_in(instructor)]
    return {"file": file_name, "status": status, "reason": reason, "checks": checks, "notes": [],
            "seed": None, "seconds": 0.0, "other_cells_failed": 0}


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #


def add_arguments(parser) -> None:
    parser.add_argument("submissions", type=Path, help="folder with one sub-folder of notebooks per student")
    parser.add_argument("--out", type=Path, required=True, help="results folder (gradebook, feedback, JUnit XML, log)")
    parser.add_argument("--lesson", action="append", dest="lessons", default=None,
                        help="grade only this lesson (repeatable; default: every lesson anyone handed in)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="instructor notebooks (default: the course's notebooks/)")
    parser.add_argument("--jobs", type=int, default=None, help="notebooks graded at once (default: all cores)")
    parser.add_argument("--cell-timeout", type=float, default=Limits.cell_timeout, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=float, default=Limits.notebook_timeout,
                        help="seconds per notebook run")
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_bytes // 2**20,
                        help="address-space limit per process, MiB")
    parser.add_argument("--run-memory-mb", type=int, default=Limits.run_memory_bytes // 2**20,
                        help="resident memory of all of a notebook run's processes together, MiB")
    parser.add_argument("--no-cache", action="store_true", help="re-grade even unchanged submissions")


def run(args) -> int:
    limits = Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                    memory_bytes=args.memory_mb * 2**20, run_memory_bytes=args.run_memory_mb * 2**20)
    if not can_isolate():
        print("note: not running as root on Linux, so submissions run as your own user and with network "
              "access (see the README's grading section)", file=sys.stderr)
    try:
        summary = grade_submissions(args.submissions, args.out, jobs=args.jobs, notebooks=args.notebooks,
                                    lessons=args.lessons, limits=limits, progress=True,
                                    use_cache=not args.no_cache)
    except ValueError as exc:
        print(f"nncourse grade: {exc}", file=sys.stderr)
        return 2
    print(f"graded {summary['students']} students, {summary['notebooks']} notebooks "
          f"({summary['run']} run, {summary['reused']} unchanged, {summary['missing']} missing) "
          f"in {summary['seconds']:.1f} s")
    for key in ("gradebook_csv", "gradebook_json", "feedback", "junit", "log"):
        print(f"  {key.replace('_', '.'):<15} {args.out / Path(summary[key]).name}")
    return 0
