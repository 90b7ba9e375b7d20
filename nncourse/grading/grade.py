"""``nncourse grade SUBMISSIONS --out RESULTS``: grade a class, trusting only answers.

SUBMISSIONS holds one folder per student (the folder's name is the student's
id) with that student's notebooks, named as released. For every notebook:

1. **Read once** (:mod:`.rebuild`): the file's bytes are read without following
   links or blocking, under size caps; the same bytes are hashed (for the seed
   and the cache) and parsed.
2. **Rebuild**: the answer cells' sources go into a fresh copy of the
   instructor notebook, which supplies everything else.
3. **Run** (:mod:`.runner`): nbval runs it in a sandbox (:mod:`.sandbox`); a
   start-up hook puts the checks in grading mode with the notebook's seed, so
   each check cell hands the learner's results on the seed's cases to the
   grader as plain data. Only the answer and check cells and the cells they
   depend on run (:mod:`.dependencies`; ``--run-every-cell`` runs them all),
   and figures are not drawn (nbval never compares images).
4. **Judge** here, in the grader's own process: the cases are regenerated
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

**Never a silent zero.** Without a working sandbox the batch is refused
before anything runs (unless ``--no-isolation``). Before the students, a
*canary* grades the instructor's own notebook of every lesson to be run,
through exactly the same pipeline, concurrently with the first students; if
it gets anything short of full marks, nothing is published (no gradebook;
``grade.log`` and the error say why). A notebook the grader could not run (the
sandbox or the test process failed before the first cell, an unreadable
record) gets the status ``error``, no points (empty in the gradebook, never
0), and makes the exit status non-zero: "the grader could not run it" is kept
apart from "the student's code did X" (0 points and the reason).

**Seeds.** Each results folder has a random secret (``.grading-secret``,
created on the first run). A notebook's seed is derived from the secret, the
student's id, the lesson and the submitted file's hash: it cannot be guessed
in advance, and grading the same files into the same folder again gives the
same cases and the same results. Results of unchanged submissions are reused
(``.cache/``); the seed is stored in ``gradebook.json``. ``--secret-file`` gives
the secret instead, so that the shards of one class (``--shard K/N``) draw the
same cases; :func:`merge` combines them (:mod:`.shards`).

**Outputs** (:mod:`.report`): gradebook (CSV, JSON, with each failure's
diagnosis id), feedback, the class report (:mod:`.classreport`), JUnit XML, log.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nncourse import course
from nncourse.checks import EXERCISES, _exchange
from nncourse.checks import exercise_rng, judge

from . import notebook_format as nf
from . import report, shards
from .classreport import diagnosis_of
from .dependencies import skip_unneeded
from ._files import open_folder
from .rebuild import SubmissionError, parse_submission, read_submission_bytes, rebuild
from .release import instructor_notebooks, write_atomic
from .runner import Cancelled, code_cells, default_sanitize_file, run_notebook
from .sandbox import IsolationUnavailable, Limits, isolation

HELP = "grade a folder of students' submissions: gradebook, feedback, class report, JUnit XML"
MAX_ATTEMPTS = 3
SECRET_FILE = ".grading-secret"
CACHE_DIR = ".cache"
RUNS_DIR = ".runs"
LOCK_FILE = ".lock"
NO_ISOLATION_HELP = (
    "run submissions WITHOUT the sandbox (only for submissions you trust, or where no sandbox can be had): "
    "they then run as your own user with your network, can read every file you can (the instructor "
    "notebooks and solutions, other students' submissions and results, your home folder), can change files "
    "you own, and can leave processes behind that escape both their session and the clean-up; memory limits "
    "no longer count shared memory, memfd files or /tmp, and the process limit counts all of your processes")


class CanaryFailed(RuntimeError):
    """The instructor's own notebook did not get full marks: the environment cannot be trusted."""


# --------------------------------------------------------------------------- #
# One notebook
# --------------------------------------------------------------------------- #


def _check_result(exercise_id: str, outcome: str, reason: str = "", seconds: float = 0.0, *,
                  mistake: str | None = None, hint: str | None = None, limit: str | None = None) -> dict:
    """One exercise's result. ``mistake`` is the diagnosis id of the failure whose hint the reason shows
    (a known mistake's name or a ``generic:...`` id; :func:`.classreport.diagnosis_of`), ``hint`` that
    hint, ``limit`` the limit the answer ran into (``"time"``, ``"memory"``), for the class report."""
    exercise = EXERCISES[exercise_id]
    points = exercise.points if outcome == "passed" else None if outcome == "error" else 0
    return {"id": exercise_id, "title": exercise.title, "max_points": exercise.points, "points": points,
            "outcome": outcome, "reason": reason, "seconds": round(seconds, 3), "mistake": mistake, "hint": hint,
            "limit": limit}


def _judge_one(exercise_id: str, cell, exchange: Path, seed: int, answer=None) -> dict:
    """Decide one exercise from the plain data its check handed over (the grader's own judgement).

    ``cell`` is how its check cell ran, ``answer`` how its answer cell ran.
    """
    exercise = EXERCISES[exercise_id]
    seconds = cell.seconds if cell else 0.0
    cases = exercise.make_cases(exercise_rng(exercise_id, seed))
    try:
        outcomes = _exchange.load(exchange, exercise_id, seed, len(cases))
    except _exchange.ExchangeError as exc:
        if cell is not None and "Timeout" in cell.message:
            return _check_result(exercise_id, "failed", "the check did not finish within the time limit "
                                 "(an endless loop, or a very slow answer)", seconds, limit="time")
        if answer is not None and not answer.ok and answer.message:
            # A syntax error or an exception in the answer cell: the check then only says the
            # function is not defined; the answer cell's own error is what the student must fix.
            return _check_result(exercise_id, "failed", f"the answer cell did not run: {answer.message[:300]}",
                                 seconds)
        why = f" The check cell failed with {cell.message[:300]}" if cell is not None and cell.message else ""
        return _check_result(exercise_id, "failed", f"the check produced no results ({exc}).{why}", seconds)
    verdict = judge(exercise, cases, outcomes)
    if verdict.not_attempted:
        return _check_result(exercise_id, "not attempted", "the answer still raises NotImplementedError", seconds)
    if not verdict.passed:
        mistake, hint = diagnosis_of(exercise, verdict)
        return _check_result(exercise_id, "failed", verdict.message(), seconds, mistake=mistake, hint=hint)
    if cell is None or not cell.ok:
        detail = f" ({cell.message[:300]})" if cell is not None and cell.message else ""
        return _check_result(exercise_id, "failed", "the answer's values were right, but the check cell did not "
                             "run cleanly to its success line: something in the notebook changed its output "
                             f"or stopped it{detail}", seconds)
    return _check_result(exercise_id, "passed", "", seconds)


def grade_notebook(instructor: dict, submission: bytes | Path | list, *, seed: int, limits: Limits, isolate: bool = True,
                   sanitize: Path | None = None, name: str | None = None, workspace: Path | None = None,
                   cancel: threading.Event | None = None, every_cell: bool = False) -> dict:
    """Grade one submitted notebook against its instructor notebook; return plain data.

    ``submission`` is the file's bytes, its path, or its cells already parsed
    (:func:`~nncourse.grading.rebuild.parse_submission`). Only the cells the
    answer and check cells depend on run (:mod:`.dependencies`), unless
    ``every_cell``.

    ``status`` is ``graded``, ``unreadable`` (the file is not a notebook: the
    student's doing) or ``error`` (the grader could not run it; no points).
    Raises :class:`~nncourse.grading.runner.Cancelled` if ``cancel`` was set.
    """
    started = time.monotonic()
    exercise_ids = nf.exercises_in(instructor)
    file_name = name or (submission.name if isinstance(submission, Path) else "notebook.ipynb")
    base = {"file": file_name, "seed": seed, "notes": [], "other_cells_failed": 0, "log_tail": ""}
    try:
        if isinstance(submission, list):
            cells = submission
        else:
            cells = parse_submission(submission if isinstance(submission, bytes)
                                     else read_submission_bytes(os.fspath(submission)))
    except SubmissionError as exc:
        checks = [_check_result(e, "not graded", f"the notebook could not be read: {exc}") for e in exercise_ids]
        return {**base, "status": "unreadable", "reason": str(exc), "checks": checks,
                "seconds": round(time.monotonic() - started, 3)}

    decided: dict[str, dict] = {}
    stubbed: set[str] = set()
    stop_reason, stop_limit = "", None
    for _attempt in range(MAX_ATTEMPTS):
        rebuilt = rebuild(instructor, cells, stubbed=stubbed)
        if not every_cell:
            skip_unneeded(rebuilt.notebook)
        for exercise_id, answer in rebuilt.answers.items():
            if answer.source is None and exercise_id not in decided:
                decided[exercise_id] = _check_result(exercise_id, "missing", answer.note)
            elif answer.note and f"{exercise_id}: {answer.note}" not in base["notes"]:
                base["notes"].append(f"{exercise_id}: {answer.note}")
        code = code_cells(rebuilt.notebook)
        owner = {n: nf.exercise_id_of(c) for n, c in enumerate(code) if nf.exercise_id_of(c)}
        check_cell = {nf.exercise_id_of(c): n for n, c in enumerate(code) if nf.is_check_cell(c)}
        answer_cell = {nf.exercise_id_of(c): n for n, c in enumerate(code) if nf.is_answer_cell(c)}
        with run_notebook(rebuilt.notebook, name=file_name, limits=limits, seed=seed, isolate=isolate,
                          sanitize=sanitize, workspace=workspace, cancel=cancel) as run:
            base["log_tail"] = run.log_tail
            if run.cancelled:
                raise Cancelled()
            if run.harness_error is not None:
                reason = f"the grader could not run this notebook: {run.harness_error}"
                return {**base, "status": "error", "reason": reason,
                        "checks": [_check_result(e, "error", reason) for e in exercise_ids],
                        "seconds": round(time.monotonic() - started, 3)}
            culprit = owner.get(run.fatal[0]) if run.fatal and run.fatal[0] is not None else None
            base["other_cells_failed"] = sum(1 for n, c in run.cells.items() if not c.ok and n not in owner)
            for exercise_id in exercise_ids:
                if exercise_id in decided or exercise_id in stubbed:
                    continue
                if exercise_id == culprit:
                    where = "answer" if nf.is_answer_cell(code[run.fatal[0]]) else "check"
                    decided[exercise_id] = _check_result(
                        exercise_id, "failed", f"while its {where} cell ran, {run.fatal[1]}",
                        run.cells[run.fatal[0]].seconds if run.fatal[0] in run.cells else 0.0, limit=run.limit)
                    continue
                n = check_cell.get(exercise_id)
                if n is None or n not in run.cells:
                    continue
                if culprit is not None and n > run.fatal[0]:
                    continue  # ran after the kernel was lost: graded by the next run
                decided[exercise_id] = _judge_one(exercise_id, run.cells[n], run.exchange, seed,
                                                  answer=run.cells.get(answer_cell.get(exercise_id)))
        if run.fatal is None:
            break
        if culprit is None:
            cell_no, stop_limit = run.fatal[0], run.limit
            stop_reason = (f"the run stopped at a course cell (code cell {cell_no}): {run.fatal[1]}; something an "
                           "earlier answer started (a thread, a process, a signal) probably caused it"
                           if cell_no is not None else f"the run stopped: {run.fatal[1]}")
            break
        stubbed.add(culprit)
    else:
        stop_reason = f"grading gave up after {MAX_ATTEMPTS} runs that each lost the kernel: {run.fatal[1]}"
    checks = [decided.get(e) or _check_result(e, "not graded", stop_reason or "the check cell never ran")
              for e in exercise_ids]
    return {**base, "status": "graded", "reason": stop_reason, "limit": stop_limit, "checks": checks,
            "seconds": round(time.monotonic() - started, 3)}


# --------------------------------------------------------------------------- #
# Names: what a folder is called, and how the gradebook shows it
# --------------------------------------------------------------------------- #


def display_name(name: str) -> str:
    """A file or folder name as one printable line: undecodable bytes and control characters escaped.

    ``os.listdir`` gives names with undecodable bytes as surrogates; they are
    shown as ``\\xNN``, and newlines, tabs, other control and invisible
    format characters as ``\\uNNNN``, so a name can be logged, put in a CSV
    cell or a page without breaking it. Two different names can only show
    alike if one of them contains a literal backslash escape.
    """
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def one_line(text: str, limit: int = 2000) -> str:
    """Text for a single log line: control characters escaped, cut at ``limit`` characters."""
    shown = "".join(c if c.isprintable() else ("\\n" if c == "\n" else f"\\u{ord(c):04x}") for c in text)
    return shown if len(shown) <= limit else shown[:limit] + "..."


@dataclass
class Student:
    id: str  # as the gradebook shows it (unique, printable)
    folder: str  # the folder's name as the file system has it
    refused: str = ""  # why this folder is not graded at all


@dataclass
class Job:
    student: Student
    lesson: str
    file: str | None  # the file's name in the student's folder; None: not handed in
    key: str = ""
    seed: int | None = None
    notes: list = field(default_factory=list)


def _raw_hash(name: str, length: int = 12) -> str:
    return hashlib.sha256(os.fsencode(name)).hexdigest()[:length]


def discover(submissions_fd: int, lessons: dict[str, Path], only: list[str] | None
             ) -> tuple[list[Job], list[str], list[str]]:
    """Jobs for every (student, lesson) in scope, the lessons graded, and notes for the log.

    Every entry is dealt with by name through ``submissions_fd``: a student
    folder that is a link is refused (it could point at another student's);
    a name that is not valid UTF-8 or holds control characters is graded
    under its escaped form; names that look the same once escaped are each
    refused with the reason, so that no two students share a row or a
    feedback page.
    """
    notes: list[str] = []
    students: list[Student] = []
    submitted: dict[int, dict[str, str]] = {}
    for name in sorted(os.listdir(submissions_fd)):
        if name.startswith("."):
            continue
        shown = display_name(name)
        try:
            info = os.stat(name, dir_fd=submissions_fd, follow_symlinks=False)
        except OSError as exc:
            notes.append(f"ignored {shown}: {exc.strerror}")
            continue
        student = Student(shown, name)
        if stat.S_ISLNK(info.st_mode):
            student.refused = ("the student's folder is a symbolic link (it could point at another student's "
                               "folder): hand in a folder of your own")
        elif not stat.S_ISDIR(info.st_mode):
            notes.append(f"ignored {shown} (not a folder: each student hands in a folder of notebooks)")
            continue
        files: dict[str, str] = {}
        if not student.refused:
            try:
                fd = open_folder(name, dir_fd=submissions_fd)
                try:
                    entries = sorted(os.listdir(fd))
                finally:
                    os.close(fd)
            except OSError as exc:
                student.refused = f"the student's folder cannot be read ({exc.strerror})"
                entries = []
            for entry in entries:
                if entry.startswith("."):
                    continue
                if entry.endswith(".ipynb") and entry[:-len(".ipynb")] in lessons:
                    files[entry[:-len(".ipynb")]] = entry
                else:
                    notes.append(f"{shown}: ignored {display_name(entry)} ({_why_not_a_lesson(entry, lessons)})")
        if shown != name:
            notes.append(f"{shown}: the folder's name has bytes that are not UTF-8 text or control characters; "
                         "shown escaped")
        students.append(student)
        submitted[id(student)] = files
    _make_ids_unique(students)
    if only:
        unknown = sorted(set(only) - set(lessons))
        if unknown:
            raise ValueError(f"unknown lesson(s) {unknown}; the lessons are {sorted(lessons)}")
        scope = [s for s in lessons if s in only]
    else:
        scope = [s for s in lessons if any(s in files for files in submitted.values())]
    jobs = [Job(student, lesson, submitted[id(student)].get(lesson)) for student in students for lesson in scope]
    return jobs, scope, notes


def _why_not_a_lesson(entry: str, lessons) -> str:
    """Why a file is not graded; a lesson since split into parts is named (``05_backprop.ipynb``: 05a, 05b, 05c)."""
    parts = course.parts_of(entry, lessons)
    if entry.endswith(".ipynb") and parts:
        return (f"lesson {entry[:2]} now comes in parts, each handed in as its own notebook: "
                f"{', '.join(p + '.ipynb' for p in parts)}")
    return "not a lesson notebook named as released"


def _make_ids_unique(students: list[Student]) -> None:
    by_id: dict[str, list[Student]] = {}
    for student in students:
        by_id.setdefault(student.id, []).append(student)
    taken = {shown for shown, group in by_id.items() if len(group) == 1}
    for shown, group in by_id.items():
        if len(group) == 1:
            continue
        for student in group:
            student.refused = (f"{len(group)} submission folders have names that look the same ({shown}) once "
                               "unprintable characters are escaped: rename them so that each is unique")
            student.id = f"{shown} [{_raw_hash(student.folder)}]"
            if student.id in taken:  # a folder named to collide with this disambiguation
                student.id = f"{shown} [{_raw_hash(student.folder, 64)}]"
            taken.add(student.id)


# --------------------------------------------------------------------------- #
# A class
# --------------------------------------------------------------------------- #


def _fingerprint() -> str:
    """Hash of the package's files: a change to a check, a reference or the grader re-grades everything."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _secret(out: Path, secret_file: Path | None = None) -> str:
    if secret_file is not None:
        return shards.read_secret_file(secret_file)
    path = out / SECRET_FILE
    if not path.exists():
        write_atomic(path, secrets.token_hex(32).encode())
        path.chmod(0o600)
    return path.read_text().strip()


def _seed(secret: str, student: str, lesson: str, file_hash: str) -> int:
    digest = hashlib.sha256(f"{secret}\0{student}\0{lesson}\0{file_hash}".encode("utf-8", "surrogateescape")).hexdigest()
    return int(digest[:15], 16)


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
                    f"{time.monotonic() - self.start:5.0f} s  {one_line(label, 60)}")
            if self.tty:
                sys.stderr.write("\r" + line[:120].ljust(120) + ("\n" if self.done == self.total else ""))
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()


@contextlib.contextmanager
def _results_lock(out: Path):
    """One grader at a time per results folder (they would share run folders, caches and outputs)."""
    fh = open(out / LOCK_FILE, "a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise ValueError(f"another nncourse grade is writing to {str(out)!r}; wait for it to finish") from None
    try:
        yield
    finally:
        fh.close()


def _check_private(found, folders: dict[str, Path]) -> None:
    """Refuse when a folder runs must not see lies inside what the sandbox shows them."""
    hidden = found.hidden()
    for what, folder in folders.items():
        if any(folder == h or h in folder.parents for h in hidden):
            continue  # an installed wheel's own instructor notebooks: covered inside every run
        for shown in found.visible():
            if folder == shown or shown in folder.parents:
                raise IsolationUnavailable(f"the {what} at {folder} would be visible inside the sandbox: "
                                           f"{shown} is shown to every run; move them out of it")


def grade_submissions(submissions: Path, out: Path, *, jobs: int | None = None, notebooks: Path | None = None,
                      lessons: list[str] | None = None, limits: Limits | None = None, isolate: bool = True,
                      progress: bool = False, use_cache: bool = True, shard: tuple[int, int] | None = None,
                      secret_file: Path | None = None, every_cell: bool = False) -> dict:
    """Grade every student's notebooks in ``submissions`` and write the results to ``out``.

    Parameters
    ----------
    submissions : folder with one sub-folder per student (its name is the id)
    out : results folder (created; must not be inside ``submissions``)
    jobs : notebooks graded at once (default: every core)
    notebooks : instructor notebooks (default: the course's ``notebooks/``)
    lessons : lesson stems to grade (default: every lesson anyone handed in)
    limits : :class:`~nncourse.grading.sandbox.Limits` of each run
    isolate : run in the sandbox (raises :class:`IsolationUnavailable`, before
        anything is graded or written, where it cannot be had)
    progress : draw a progress bar on stderr
    use_cache : reuse the results of unchanged submissions
    shard : ``(K, N)``: grade only the students of shard K of N and leave a
        part for :func:`merge` (:mod:`.shards`)
    secret_file : the grading secret to use instead of the results folder's
        own (every shard of a class must share one)
    every_cell : run every cell of each notebook, not only those the answer
        and check cells depend on (:mod:`.dependencies`; the points are the same)

    Returns
    -------
    dict : ``students``, ``notebooks``, ``run`` (notebooks run now), ``reused``
        (unchanged, taken from an earlier run), ``missing``, ``errors``
        (notebooks the grader could not run), ``seconds``, ``lessons``,
        ``canary`` and the paths of the outputs.

    Raises :class:`CanaryFailed` (after writing ``grade.log``, with no
    gradebook) when an instructor notebook does not get full marks.
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise ValueError(f"submissions folder {str(submissions)!r} does not exist")
    if out == submissions or submissions in out.parents or out in submissions.parents:
        raise ValueError("the results folder must be outside the submissions folder (and not contain it): "
                         "submissions are never modified")
    limits = limits or Limits()
    if secret_file is not None:
        shards.read_secret_file(secret_file)  # a bad secret file is refused before anything runs
    sanitize = default_sanitize_file()
    lesson_paths = {p.stem: p for p in instructor_notebooks(notebooks)}
    if isolate:
        private = {"submissions": submissions, "results": out}
        private.update({f"instructor notebooks ({p.name})": p.resolve() for p in lesson_paths.values()})
        _check_private(isolation(), private)
    subs_fd = open_folder(submissions)
    try:
        job_list, scope, notes = discover(subs_fd, lesson_paths, lessons)
        everyone = sorted({j.student.id for j in job_list})
        if shard is not None:
            job_list = [j for j in job_list if shards.shard_of(j.student.folder, shard[1]) == shard[0]]
        out.mkdir(parents=True, exist_ok=True)
        with _results_lock(out):
            return _grade(subs_fd, submissions, out, job_list, scope, notes, lesson_paths, jobs=jobs, limits=limits,
                          isolate=isolate, sanitize=sanitize, progress=progress, use_cache=use_cache, shard=shard,
                          secret_file=secret_file, everyone=everyone, every_cell=every_cell)
    finally:
        os.close(subs_fd)


class _Batch:
    """What the workers of one batch share: the secret, the instructor notebooks, the cache, the canaries."""

    def __init__(self, subs_fd: int, out: Path, scope: list[str], lesson_paths: dict, *, limits: Limits,
                 isolate: bool, sanitize: Path, use_cache: bool, bar: Progress, secret_file: Path | None = None,
                 every_cell: bool = False):
        self.subs_fd, self.out, self.use_cache, self.bar = subs_fd, out, use_cache, bar
        self.workspace = out / RUNS_DIR
        shutil.rmtree(self.workspace, ignore_errors=True)  # left by a grader that was killed (the lock says none runs)
        self.workspace.mkdir(mode=0o700)
        self.secret = _secret(out, secret_file)
        self.fingerprint = _fingerprint()
        self.instructor_bytes = {stem: lesson_paths[stem].read_bytes() for stem in scope}
        self.instructors = {stem: json.loads(data.decode("utf-8")) for stem, data in self.instructor_bytes.items()}
        self.instructor_hash = {stem: hashlib.sha256(data).hexdigest() for stem, data in self.instructor_bytes.items()}
        self.cache_dir = out / CACHE_DIR
        self.settings = json.dumps({"limits": limits.as_dict(), "isolate": isolate, "every_cell": every_cell},
                                   sort_keys=True)
        self.abort = threading.Event()
        self.run_options = {"limits": limits, "isolate": isolate, "sanitize": sanitize, "workspace": self.workspace,
                            "cancel": self.abort, "every_cell": every_cell}
        self.canaries: dict[str, dict] = {}
        self.failure: list[str] = []
        self.lock = threading.Lock()

    def work(self, job: Job) -> tuple[Job, dict | None, str]:
        """Grade one (student, lesson); ``how`` is run, reused, missing, refused or cancelled."""
        if self.abort.is_set():
            return job, None, "cancelled"
        cells, known, how = self.prepare(job)
        if known is not None:
            return job, known, how
        self.canary(job.lesson)
        if self.abort.is_set():
            return job, None, "cancelled"
        instructor = self.instructors[job.lesson]
        try:
            result = grade_notebook(instructor, cells, seed=job.seed, name=f"{job.lesson}.ipynb", **self.run_options)
        except Cancelled:
            return job, None, "cancelled"
        except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
            result = _unreadable(instructor, job.file, f"the grader failed on this notebook: {type(exc).__name__}: "
                                 f"{exc}", status="error")
        result.pop("log_tail", None)
        result["file"] = display_name(job.file)
        if result["status"] != "error":  # an error is retried next time, never reused
            self.remember(job, result)
        return job, result, how

    def prepare(self, job: Job) -> tuple[list | None, dict | None, str]:
        """The submission's cells (its bytes read once, hashed, parsed), or a result known without running it."""
        instructor = self.instructors[job.lesson]
        if job.student.refused:
            return None, _unreadable(instructor, job.file, job.student.refused, status="refused"), "refused"
        if job.file is None:
            return None, _missing(instructor), "missing"
        try:
            folder_fd = open_folder(job.student.folder, dir_fd=self.subs_fd)
        except OSError as exc:
            return None, _unreadable(instructor, job.file, f"the student's folder cannot be opened any more "
                                     f"({exc.strerror}): it was replaced or removed during grading",
                                     status="refused"), "refused"
        try:
            data = read_submission_bytes(job.file, dir_fd=folder_fd)
        except SubmissionError as exc:
            return None, _unreadable(instructor, job.file, str(exc)), "run"
        finally:
            os.close(folder_fd)
        file_hash = hashlib.sha256(data).hexdigest()
        job.seed = _seed(self.secret, job.student.id, job.lesson, file_hash)
        job.key = hashlib.sha256("\0".join([self.fingerprint, self.instructor_hash[job.lesson], file_hash,
                                            self.settings, str(job.seed)]).encode()).hexdigest()
        cached = self.cache_dir / f"{_cache_name(job)}.json"
        if self.use_cache and cached.is_file():
            try:
                previous = json.loads(cached.read_text())
                if previous.get("key") == job.key:
                    return None, previous["result"], "reused"
            except (OSError, ValueError, KeyError, AttributeError):
                pass
        try:
            return parse_submission(data), None, "run"
        except SubmissionError as exc:
            result = _unreadable(instructor, job.file, str(exc))
            self.remember(job, result)
            return None, result, "run"

    def remember(self, job: Job, result: dict) -> None:
        write_atomic(self.cache_dir / f"{_cache_name(job)}.json",
                     json.dumps({"key": job.key, "result": result}, sort_keys=True, allow_nan=False).encode())

    def canary(self, lesson: str) -> None:
        """Grade the instructor's own notebook of ``lesson`` once, before the first submission of it runs.

        It runs in the worker that needs it first, while the other workers go
        on with their submissions; a result short of full marks aborts the batch.
        """
        with self.lock:
            if lesson in self.canaries:
                return
            self.canaries[lesson] = {}
            self.bar.total += 1
        seed = _seed(self.secret, "\0canary", lesson, self.instructor_hash[lesson])
        try:
            result = grade_notebook(self.instructors[lesson], self.instructor_bytes[lesson], seed=seed,
                                    name=f"{lesson}.ipynb", **self.run_options)
        except Cancelled:
            return
        except Exception as exc:  # noqa: BLE001 - reported as the canary's failure
            result = {"status": "error", "reason": f"the grader failed: {type(exc).__name__}: {exc}",
                      "checks": [], "notes": [], "other_cells_failed": 0, "log_tail": "", "seconds": 0.0}
        self.canaries[lesson] = result
        self.bar.step(f"canary/{lesson}")
        problem = _canary_problem(result)
        if problem:
            with self.lock:
                self.failure.append(f"{lesson}: {problem}")
            self.abort.set()

    def canary_log(self, scope: list[str]) -> list[str]:
        done = {lesson: r for lesson, r in self.canaries.items() if r}
        if not done:
            return ["canary: not needed (no notebook had to run)"]
        return [f"canary {lesson}: " + _canary_line(done[lesson]) for lesson in scope if lesson in done]

    def abort_if_the_canary_failed(self, log: list[str]) -> None:
        """Write ``grade.log`` and raise :class:`CanaryFailed` if an instructor notebook was short of full marks."""
        if not self.failure:
            return
        tail = next((r.get("log_tail", "") for r in self.canaries.values() if r and _canary_problem(r)), "")
        log.append(f"ABORTED: the canary failed ({one_line(self.failure[0])}); no gradebook was written")
        if tail.strip():
            log.append("the canary run's last output: " + one_line(tail[-1500:]))
        write_atomic(self.out / "grade.log", ("\n".join(log) + "\n").encode("utf-8"))
        raise CanaryFailed(f"the canary failed: grading the instructor's own notebook {self.failure[0]}. The "
                           "grading environment cannot be trusted, so nothing was graded and no gradebook was "
                           f"written (see {self.out / 'grade.log'})."
                           + (f"\nThe run's last output:\n{tail[-1500:].rstrip()}" if tail.strip() else ""))


def _grade(subs_fd: int, submissions: Path, out: Path, job_list: list[Job], scope: list[str], notes: list[str],
           lesson_paths: dict, *, jobs, limits: Limits, isolate: bool, sanitize: Path, progress: bool,
           use_cache: bool, shard: tuple[int, int] | None = None, secret_file: Path | None = None,
           everyone: list | None = None, every_cell: bool = False) -> dict:
    started = time.monotonic()
    bar = Progress(len(job_list), progress)
    batch = _Batch(subs_fd, out, scope, lesson_paths, limits=limits, isolate=isolate, sanitize=sanitize,
                   use_cache=use_cache, bar=bar, secret_file=secret_file, every_cell=every_cell)
    log = [f"grading {one_line(str(submissions))} into {one_line(str(out))}"
           + (f" (shard {shard[0]}/{shard[1]})" if shard else "") + ": "
           f"{len({j.student.id for j in job_list})} students, lessons {', '.join(scope) or '(none)'}, "
           + ("in the sandbox: " + isolation().describe() if isolate else "WITHOUT isolation (--no-isolation)")
           + ("; every cell run" if every_cell else "; only the cells the checks depend on run")]
    notes = [one_line(n) for n in notes]
    log += notes
    results: dict[tuple[str, str], dict] = {}
    counts = {"run": 0, "reused": 0, "missing": 0, "refused": 0}
    with ThreadPoolExecutor(max_workers=max(1, jobs or os.cpu_count() or 1)) as pool:
        for future in as_completed([pool.submit(batch.work, job) for job in job_list]):
            job, result, how = future.result()
            if how == "cancelled":
                continue
            results[(job.student.id, job.lesson)] = result
            counts[how] += 1
            bar.step(f"{job.student.id}/{job.lesson}")
    shutil.rmtree(batch.workspace, ignore_errors=True)
    log += batch.canary_log(scope)
    batch.abort_if_the_canary_failed(log)

    log += notebook_log(results)
    errors = sum(r["status"] == "error" for r in results.values())
    seconds = time.monotonic() - started
    log.append(f"done: {counts['run']} notebooks run, {counts['reused']} unchanged and reused, "
               f"{counts['missing']} missing, {counts['refused']} refused, {errors} grader errors, in {seconds:.1f} s")
    paths = report.write_all(out, scope, results, log, limits)
    if shard is not None:
        paths["part"] = shards.write_part(out, shards.part_document(
            shard=shard, secret=batch.secret, scope=scope, limits=limits, settings=batch.settings,
            fingerprint=batch.fingerprint, notes=notes, everyone=everyone or [],
            students=list({j.student.id for j in job_list}),
            results=results, counts=counts | {"grader errors": errors}))
    return {"students": len({j.student.id for j in job_list}), "notebooks": len(job_list), **counts,
            "errors": errors, "seconds": round(seconds, 3), "lessons": scope,
            "canary": {lesson: _canary_line(r) for lesson, r in batch.canaries.items() if r},
            **{k: str(v) for k, v in paths.items()}}


def notebook_log(results: dict) -> list[str]:
    """One line per notebook graded, in the order of (student, lesson)."""
    lines = []
    for (student, lesson), r in sorted(results.items()):
        points = [c["points"] for c in r["checks"]]
        score = "?" if None in points else sum(points)
        top = sum(c["max_points"] for c in r["checks"])
        how = "missing" if r["status"] == "missing" else f"{r['status']}, {r.get('seconds', 0):.1f} s"
        lines.append(f"{student} {lesson}: {score}/{top} points ({how})"
                     + (f": {one_line(r['reason'])}" if r.get("reason") else ""))
    return lines


def merge(parts: list, out: Path) -> dict:
    """Merge the parts graded with ``--shard`` into ``out``: the outputs one run would have written.

    Raises ValueError (nothing written) when a shard is missing or given
    twice, or the parts were not graded alike (:func:`.shards.merge_parts`).
    """
    out = Path(out).resolve()
    scope, results, limits, log = shards.merge_parts(parts, out)
    out.mkdir(parents=True, exist_ok=True)
    with _results_lock(out):
        log += notebook_log(results)
        errors = sum(r["status"] == "error" for r in results.values())
        log.append(f"done: merged {len(results)} notebooks of {len({s for s, _ in results})} students, "
                   f"{errors} grader errors")
        paths = report.write_all(out, scope, results, log, Limits(**limits))
    return {"students": len({s for s, _ in results}), "notebooks": len(results), "errors": errors,
            "lessons": scope, **{k: str(v) for k, v in paths.items()}}


def _canary_problem(result: dict) -> str:
    """Why a canary's result is short of full marks ('' when it is perfect)."""
    if result["status"] != "graded":
        return f"{result['status']}: {result['reason']}"
    for check in result["checks"]:
        if check["outcome"] != "passed":
            return f"exercise {check['id']} {check['outcome']}: {check['reason']}"
    if result.get("reason"):
        return result["reason"]
    if result.get("other_cells_failed"):
        return (f"{result['other_cells_failed']} cell(s) outside the exercises did not reproduce the instructor "
                "notebook's stored outputs")
    return ""


def _canary_line(result: dict) -> str:
    problem = _canary_problem(result)
    points = sum(c["points"] or 0 for c in result["checks"])
    top = sum(c["max_points"] for c in result["checks"])
    verdict = f"FAILED: {one_line(problem, 600)}" if problem else "full marks, every cell reproduced"
    return f"{points}/{top} points, {verdict} (the instructor's own notebook, {result.get('seconds', 0):.1f} s)"


def _cache_name(job: Job) -> str:
    return hashlib.sha256(f"{job.student.id}\0{job.lesson}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _missing(instructor: dict) -> dict:
    checks = [_check_result(e, "missing", "the notebook was not handed in") for e in nf.exercises_in(instructor)]
    return {"file": None, "status": "missing", "reason": "not handed in", "checks": checks, "notes": [],
            "seed": None, "seconds": 0.0, "other_cells_failed": 0}


def _unreadable(instructor: dict, file_name: str | None, reason: str, status: str = "unreadable") -> dict:
    outcome = "error" if status == "error" else "not graded"
    checks = [_check_result(e, outcome, reason) for e in nf.exercises_in(instructor)]
    return {"file": display_name(file_name) if file_name else None, "status": status, "reason": reason,
            "checks": checks, "notes": [], "seed": None, "seconds": 0.0, "other_cells_failed": 0}


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #


def add_arguments(parser) -> None:
    parser.add_argument("submissions", type=Path, nargs="?",
                        help="folder with one sub-folder of notebooks per student (not with --merge)")
    parser.add_argument("--out", type=Path, required=True,
                        help="results folder (gradebook, feedback, class report, JUnit XML, log)")
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
                        help="memory of a whole notebook run (its processes, shared memory, /tmp), MiB")
    parser.add_argument("--no-cache", action="store_true", help="re-grade even unchanged submissions")
    parser.add_argument("--run-every-cell", action="store_true",
                        help="run every cell of each notebook, figures and demos included (slower; the points are "
                             "the same: by default only the cells the answer and check cells depend on run)")
    parser.add_argument("--no-isolation", action="store_true", help=NO_ISOLATION_HELP)
    parser.add_argument("--shard", type=shards.parse_shard, default=None, metavar="K/N",
                        help="grade only shard K of N (1 <= K <= N) of the students, chosen by a hash of each "
                             "folder's name; the results folder then also holds the part for --merge")
    parser.add_argument("--secret-file", type=Path, default=None,
                        help="the grading secret (one line, >= 32 characters) instead of the results folder's own; "
                             "every shard of a class must be given the same one")
    parser.add_argument("--merge", type=Path, nargs="+", default=None, metavar="PART",
                        help="merge the results folders of shards 1..N into --out (no SUBMISSIONS): the outputs "
                             "one run would have written; refused if a shard is missing, duplicated or graded "
                             "differently")


def run(args) -> int:
    """Exit status: 0 all graded; 1 graded, but the grader could not run some notebooks; 2 nothing graded."""
    if args.merge is not None:
        return _run_merge(args)
    if args.submissions is None:
        print("nncourse grade: name the SUBMISSIONS folder (or merge shards with --merge PART...)", file=sys.stderr)
        return 2
    limits = Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                    memory_bytes=args.memory_mb * 2**20, run_memory_bytes=args.run_memory_mb * 2**20)
    try:
        summary = grade_submissions(args.submissions, args.out, jobs=args.jobs, notebooks=args.notebooks,
                                    lessons=args.lessons, limits=limits, progress=True,
                                    use_cache=not args.no_cache, isolate=not args.no_isolation, shard=args.shard,
                                    secret_file=args.secret_file, every_cell=args.run_every_cell)
    except IsolationUnavailable as exc:
        print(f"nncourse grade: refusing to grade: the sandbox is not available here: {exc}\n"
              "Nothing was graded. To grade anyway without the sandbox (trusted submissions only), pass "
              "--no-isolation; see `nncourse grade --help` for what that gives up.", file=sys.stderr)
        return 2
    except CanaryFailed as exc:
        print(f"nncourse grade: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"nncourse grade: {exc}", file=sys.stderr)
        return 2
    if args.no_isolation:
        print("warning: graded WITHOUT isolation (--no-isolation): submissions ran as your own user, with "
              "network, and could read your files", file=sys.stderr)
    print(f"graded {summary['students']} students, {summary['notebooks']} notebooks "
          f"({summary['run']} run, {summary['reused']} unchanged, {summary['missing']} missing, "
          f"{summary['refused']} refused, {summary['errors']} grader errors) in {summary['seconds']:.1f} s")
    for lesson, line in summary["canary"].items():
        print(f"  canary {lesson}: {line}")
    return _print_outputs(args, summary)


def _print_outputs(args, summary: dict) -> int:
    for key in ("gradebook_csv", "gradebook_json", "report_html", "report_json", "feedback", "junit", "log", "part"):
        if key in summary:
            print(f"  {key.replace('_', '.'):<15} {args.out / Path(summary[key]).name}")
    if summary["errors"]:
        print(f"nncourse grade: the grader could not run {summary['errors']} notebook(s); they are marked "
              "'error' in the gradebook (no points given, not zeros): see grade.log", file=sys.stderr)
        return 1
    return 0


def _run_merge(args) -> int:
    if args.submissions is not None or args.shard is not None:
        print("nncourse grade: --merge takes the shards' results folders, not SUBMISSIONS or --shard", file=sys.stderr)
        return 2
    try:
        summary = merge(args.merge, args.out)
    except ValueError as exc:
        print(f"nncourse grade: {exc}", file=sys.stderr)
        return 2
    print(f"merged {len(args.merge)} shards: {summary['students']} students, {summary['notebooks']} notebooks, "
          f"{summary['errors']} grader errors")
    return _print_outputs(args, summary)
