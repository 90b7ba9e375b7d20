"""The grader's own defences: the sandbox, refusing instead of degrading, the canary, hostile data.

The attacks a *submission* makes from inside a run (results replaced by FIFOs
or bombs, shared memory, reading the host, odd names) are graded in the
hostile class of ``tests/test_grading.py``. Here:

* what the grader reads is read safely: FIFOs, links, devices and huge files
  never block or bloat it; ``.npz`` bombs, NaN, deep and mistyped JSON are
  refused with a reason; notebooks over the caps are refused before parsing;
* the record protocol between the run and the grader;
* names: every folder name is shown on one printable line, collisions and
  links are refused for that student only;
* per-user caches, and a learner's ``check()`` with no environment-driven
  side effect;
* the sandbox: refused with a clear message and no gradebook where it cannot
  be had (no bubblewrap, no cgroup, not Linux), ``--no-isolation`` grades
  anyway; a harness failure is an error, never a zero; the canary aborts a
  batch on a broken environment; and the two set-ups that used to give a
  class of silent zeros (no CAP_SYS_ADMIN, a virtualenv under a private home)
  now grade correctly or refuse.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nncourse import course
from nncourse.checks import EXERCISES, _exchange, check, run_checks
from nncourse.checks._running import exercise_rng
from nncourse.grading import _record, cgroups, sandbox
from nncourse.grading import grade as grading
from nncourse.grading import notebook_format as nf
from nncourse.grading import release as rel
from nncourse.grading._files import read_regular_file
from nncourse.grading.rebuild import SubmissionError, parse_submission, rebuild

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [p for p in course.lessons(ROOT / "notebooks")
             if any(e.lesson == p.stem for e in EXERCISES.values())]
EXERCISE = "relu" if "relu" in EXERCISES else next(iter(EXERCISES))


def finishes(fn, *args, timeout: float = 30.0):
    """Call ``fn`` in a thread; fail (instead of hanging the suite) if it blocks."""
    box = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"{fn.__name__} blocked"
    if "error" in box:
        raise box["error"]
    return box["value"]


# --------------------------------------------------------------------------- #
# Reading what a run could have written
# --------------------------------------------------------------------------- #


def test_files_are_read_without_blocking_following_links_or_reading_past_the_cap(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it for reading would block until someone writes
    with pytest.raises(OSError) as info:
        finishes(read_regular_file, fifo, 100)
    assert info.value.errno == errno.EINVAL
    (tmp_path / "target").write_text("someone else's file")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(OSError) as info:
        read_regular_file(tmp_path / "link", 100)
    assert info.value.errno == errno.ELOOP
    with pytest.raises(OSError) as info:
        read_regular_file("/dev/zero", 100)  # endless: a device, not a file
    assert info.value.errno == errno.EINVAL
    big = tmp_path / "big"
    with open(big, "wb") as fh:
        fh.truncate(10**9)  # sparse
    with pytest.raises(OSError) as info:
        read_regular_file(big, 1000)
    assert info.value.errno == errno.EFBIG
    assert read_regular_file(tmp_path / "target", 100) == b"someone else's file"


@pytest.fixture
def results(tmp_path, monkeypatch):
    """Real results of EXERCISE's reference, as a grading kernel hands them over; -> (folder, seed, n_cases)."""
    seed = 2024
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, seed))
    exercise = EXERCISES[EXERCISE]
    run_checks(EXERCISE, *exercise.reference_objects(), seed=seed)
    n_cases = len(exercise.make_cases(exercise_rng(EXERCISE, seed)))
    assert len(_exchange.load(tmp_path, EXERCISE, seed, n_cases)) == n_cases
    return tmp_path, seed, n_cases


def _bomb(compression: int, claimed: tuple = (2**27,), data: bytes = bytes(2**20)) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": claimed})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        zf.writestr("a0.npy", header.getvalue() + data)
    return buffer.getvalue()


@pytest.mark.parametrize("attack, needle", [
    ("fifo", "no results"), ("symlink", "no results"), ("huge", "too large"),
    ("npz-bzip2-bomb", "compressed"), ("npz-header-lie", "claims more data"), ("npz-pickle", "dtype object"),
    ("nan", "non-finite"), ("infinity", "non-finite"), ("deep", "nested too deeply"),
    ("cases-mistyped", "malformed"), ("warnings-mistyped", "malformed"), ("seed-forged", "not produced by this"),
])
def test_forged_results_are_refused_with_a_reason_and_little_memory(results, attack, needle):
    folder, seed, n_cases = results
    json_path, npz_path = folder / f"{EXERCISE}.json", folder / f"{EXERCISE}.npz"
    doc = json.loads(json_path.read_text())
    if attack == "fifo":
        json_path.unlink()
        os.mkfifo(json_path)
    elif attack == "symlink":
        npz_path.unlink()
        npz_path.symlink_to("/etc/passwd")
    elif attack == "huge":
        with open(npz_path, "r+b") as fh:
            fh.truncate(2**30)
    elif attack == "npz-bzip2-bomb":
        npz_path.write_bytes(_bomb(zipfile.ZIP_BZIP2))
    elif attack == "npz-header-lie":
        npz_path.write_bytes(_bomb(zipfile.ZIP_STORED, data=bytes(16)))
    elif attack == "npz-pickle":
        with open(npz_path, "wb") as fh:
            np.savez(fh, a0=np.array([object()], dtype=object))
    elif attack in ("nan", "infinity"):
        doc["cases"][0]["warnings"] = [float("nan") if attack == "nan" else float("inf")]
        json_path.write_text(json.dumps(doc))
    elif attack == "deep":
        json_path.write_text("[" * 100_000 + "]" * 100_000)
    elif attack == "cases-mistyped":
        doc["cases"] = [["x"]] * n_cases
        json_path.write_text(json.dumps(doc))
    elif attack == "warnings-mistyped":
        doc["cases"][0]["warnings"] = [{"a": 1}]
        json_path.write_text(json.dumps(doc))
    elif attack == "seed-forged":
        doc["seed"] = seed + 1
        json_path.write_text(json.dumps(doc))
    tracemalloc.start()
    try:
        with pytest.raises(_exchange.ExchangeError, match=needle):
            finishes(_exchange.load, folder, EXERCISE, seed, n_cases)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20, f"reading forged results took {peak / 2**20:.0f} MiB"


def test_exchange_files_are_stored_uncompressed_and_nan_free(results):
    folder, _, _ = results
    with zipfile.ZipFile(folder / f"{EXERCISE}.npz") as zf:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in zf.infolist())
    json.loads((folder / f"{EXERCISE}.json").read_text(), parse_constant=lambda name: pytest.fail(name))


def test_checks_have_no_side_effect_driven_by_the_environment(tmp_path, monkeypatch, capsys):
    """A learner's check() never writes anywhere, whatever the environment says; only a sink does."""
    monkeypatch.setenv("NNCOURSE_GRADE_EXCHANGE", str(tmp_path))
    monkeypatch.setenv("NNCOURSE_GRADE_SEED", "1")
    assert _exchange.current_sink() is None
    check(EXERCISE, *EXERCISES[EXERCISE].reference_objects())
    assert list(tmp_path.iterdir()) == []
    from nncourse.checks import set_result_sink

    set_result_sink(tmp_path, 7)
    try:
        check(EXERCISE, *EXERCISES[EXERCISE].reference_objects())
    finally:
        set_result_sink(None)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{EXERCISE}.json", f"{EXERCISE}.npz"]
    with pytest.raises(TypeError, match="seed must be an int"):
        set_result_sink(tmp_path, "7")


# --------------------------------------------------------------------------- #
# The record: the only channel from a run to the grader
# --------------------------------------------------------------------------- #


def test_record_is_parsed_in_any_chunking_and_results_go_to_files(tmp_path):
    stream = (_record.event_line({"event": "ready"}) + _record.exchange_frame("relu", b'{"a": 1}', b"NPZ" * 1000)
              + _record.exchange_frame("empty", b"", b"") + _record.event_line({"event": "start", "cell": 3}))
    for size in (1, 7, 4096, len(stream)):
        out = tmp_path / str(size)
        out.mkdir()
        reader = _record.RecordReader(out)
        for i in range(0, len(stream), size):
            reader.feed(stream[i:i + size])
        assert [e["event"] for e in reader.events] == ["ready", "exchange", "exchange", "start"]
        assert (out / "relu.json").read_bytes() == b'{"a": 1}' and (out / "relu.npz").read_bytes() == b"NPZ" * 1000
        assert (out / "empty.json").read_bytes() == b"" and not reader.in_progress


@pytest.mark.parametrize("stream, needle", [
    (b'{"event": "result", "seconds": NaN}\n', "non-finite"),
    (b"x" * (_record.MAX_LINE + 10), "longer than"),
    (b"[1, 2]\n", "not a JSON object"),
    (b'{"event": "exchange", "exercise": "../../etc/passwd", "sizes": [1, 1]}\n', "malformed result header"),
    (b'{"event": "exchange", "exercise": "relu", "sizes": [1, 999999999]}\n', "malformed result header"),
])
def test_a_broken_record_is_a_protocol_error(tmp_path, stream, needle):
    with pytest.raises(_record.RecordError, match=needle):
        _record.RecordReader(tmp_path).feed(stream)


# --------------------------------------------------------------------------- #
# Submissions over the caps, damaged metadata
# --------------------------------------------------------------------------- #


def _empty_cells(n: int, key: str = "cell_type") -> bytes:
    cell = '{"%s": "code", "metadata": {}, "source": "", "outputs": [], "execution_count": null}' % key
    return ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [' + ",".join([cell] * n) + "]}").encode()


@pytest.mark.parametrize("key, needle", [("cell_type", "cells, more than"), ("cell\\u005ftype", "JSON values")])
def test_a_notebook_of_many_empty_cells_is_refused_before_it_is_parsed(key, needle):
    data = _empty_cells(200_000, key)  # ~16 MB; parsed it would take well over a GB
    tracemalloc.start()
    try:
        with pytest.raises(SubmissionError, match=needle):
            parse_submission(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_a_50_mb_notebook_of_empty_cells_is_refused_without_being_read(tmp_path):
    from nncourse.grading.rebuild import read_submission

    path = tmp_path / "01_x.ipynb"
    data = _empty_cells(640_000)
    assert len(data) > 50 * 10**6
    path.write_bytes(data)
    del data
    tracemalloc.start()
    try:
        with pytest.raises(SubmissionError, match="more than the 20 MB limit"):
            read_submission(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, "the size is checked before anything is read"


def test_mistyped_metadata_is_graded_as_missing_metadata():
    instructor = json.loads(NOTEBOOKS[0].read_text())
    nb = rel.student_copy(instructor)
    for cell in nb["cells"]:
        if nf.is_answer_cell(cell):
            cell["metadata"]["nbgrader"] = ["not", "a", "dict"]
        elif nf.is_check_cell(cell):
            cell["metadata"] = ["not a dict"]
    cells = parse_submission(nf.dumps_notebook(nb).encode())
    assert all(isinstance(c["metadata"], dict) and isinstance(c["source"], str) for c in cells)
    rebuilt = rebuild(instructor, cells)  # falls back to the function's name, as for stripped metadata
    assert set(rebuilt.answers) == set(nf.exercises_in(instructor))


# --------------------------------------------------------------------------- #
# Names
# --------------------------------------------------------------------------- #


def test_names_are_shown_on_one_printable_line():
    assert grading.display_name("ada") == "ada"
    assert grading.display_name(os.fsdecode(b"eve\xff")) == "eve\\xff"
    assert grading.display_name("a\nb\tc\u2028d\u202ee") == "a\\u000ab\\u0009c\\u2028d\\u202ee"
    assert grading.one_line("line one\nline two\x1b[31m") == "line one\\nline two\\u001b[31m"


def test_discovery_refuses_links_and_colliding_names_for_those_students_only(tmp_path):
    subs = tmp_path / "subs"
    names = [b"ada", b"zed\xff", b"zed\\xff", b"new\nline", b"<b>bold</b>", b"x" * 250]
    for name in names:
        (subs / os.fsdecode(name)).mkdir(parents=True)
        (subs / os.fsdecode(name) / "01_x.ipynb").write_bytes(b"{}")
    (subs / "linked").symlink_to(subs / "ada")
    (subs / "not-a-folder.txt").write_text("x")
    fd = os.open(subs, os.O_RDONLY | os.O_DIRECTORY)
    try:
        jobs, scope, notes = grading.discover(fd, {"01_x": Path("01_x.ipynb")}, None)
    finally:
        os.close(fd)
    assert scope == ["01_x"]
    by_id = {job.student.id: job.student for job in jobs}
    assert len(by_id) == len(names) + 1, "one row per folder, none merged"
    assert all(grading.display_name(i) == i and "\n" not in i for i in by_id)
    refused = {i: s.refused for i, s in by_id.items() if s.refused}
    assert set(refused) == {"linked", *(f"zed\\xff [{grading._raw_hash(os.fsdecode(n))}]" for n in names[1:3])}
    assert "symbolic link" in refused["linked"] and all("look the same" in r for i, r in refused.items() if i != "linked")
    assert by_id["new\\u000aline"].folder == "new\nline" and not by_id["new\\u000aline"].refused
    assert any("not-a-folder.txt" in n for n in notes)


def test_feedback_of_ids_that_sanitise_alike_never_share_a_folder():
    from nncourse.grading import report

    ids = ["a b", "a_b", "a_b_" + __import__("hashlib").sha256(b"a b").hexdigest()[:8], "x" * 250 + " y", "."]
    folders = [report.feedback_folder(i) for i in ids]
    assert len(set(folders)) == len(ids)
    assert all(len(f.encode()) < 100 and "/" not in f and f not in (".", "..") for f in folders)


def test_gradebook_json_is_never_invalid():
    from nncourse.grading import report
    from nncourse.grading.sandbox import Limits

    check = {"id": EXERCISE, "title": "t", "max_points": 1, "points": 0, "outcome": "failed", "reason": "r",
             "seconds": float("nan")}
    result = {"file": "x", "status": "graded", "reason": "", "checks": [check], "notes": [], "seed": 1,
              "seconds": 1.0, "other_cells_failed": 0}
    rows = report._student_rows([EXERCISES[EXERCISE].lesson], {("s", EXERCISES[EXERCISE].lesson): result})
    with pytest.raises(ValueError):  # refuses to write NaN rather than write invalid JSON
        report.gradebook_json([EXERCISES[EXERCISE].lesson], rows, Limits())


# --------------------------------------------------------------------------- #
# Per-user caches
# --------------------------------------------------------------------------- #


def test_caches_are_private_to_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "mine"))
    cache = sandbox.user_cache_dir()
    assert cache == tmp_path / "mine" / "nncourse" and (cache.stat().st_mode & 0o777) == 0o700
    open_to_all = tmp_path / "shared"
    (open_to_all / "nncourse").mkdir(parents=True)
    (open_to_all / "nncourse").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(open_to_all))
    private = sandbox.user_cache_dir()
    assert private != open_to_all / "nncourse" and (private.stat().st_mode & 0o077) == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "mine"))
    assert sandbox.matplotlib_cache().parent == cache


# --------------------------------------------------------------------------- #
# Refusing instead of degrading
# --------------------------------------------------------------------------- #


@pytest.fixture
def unreadable_class(tmp_path):
    """One student with an unreadable notebook: grading it runs no kernel."""
    subs = tmp_path / "subs"
    (subs / "dan").mkdir(parents=True)
    (subs / "dan" / NOTEBOOKS[0].name).write_bytes(b"{")
    return subs


@pytest.mark.parametrize("broken, needle", [
    ("no-bwrap", "sudo apt-get install bubblewrap"),
    ("no-cgroup", "writable cgroup"),
    ("not-linux", "not Linux"),
    ("no-user-namespaces", "user namespaces"),
])
def test_grading_refuses_without_the_sandbox_and_writes_nothing(broken, needle, unreadable_class, tmp_path,
                                                                 monkeypatch, capsys):
    from nncourse.cli import main

    monkeypatch.setattr(sandbox, "_isolation", None)
    if broken == "no-bwrap":
        monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
        monkeypatch.setattr(os, "access", lambda *a, **k: False)
    elif broken == "no-cgroup":
        def no_cgroup():
            raise cgroups.CgroupUnavailable("cannot create groups below /sys/fs/cgroup/memory (Read-only file system)")
        monkeypatch.setattr(cgroups, "find_hierarchy", no_cgroup)
    elif broken == "not-linux":
        monkeypatch.setattr(sys, "platform", "darwin")
    else:  # bwrap runs but cannot create namespaces (as in a container without the right to)
        fake = tmp_path / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the "
                        "kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n")
        fake.chmod(0o755)
        monkeypatch.setattr(shutil, "which", lambda name, *a, **k: str(fake) if name == "bwrap" else None)
    out = tmp_path / "out"
    assert main(["grade", str(unreadable_class), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "refusing to grade" in err and needle in err and "--no-isolation" in err
    assert not (out / "gradebook.csv").exists() and not (out / "gradebook.json").exists()
    # --no-isolation grades anyway, and says so.
    assert main(["grade", str(unreadable_class), "--out", str(out), "--no-isolation"]) == 0
    captured = capsys.readouterr()
    assert "WITHOUT isolation" in captured.err and (out / "gradebook.csv").exists()
    assert "WITHOUT isolation" in (out / "grade.log").read_text()


def test_no_isolation_help_says_what_is_given_up(capsys):
    from nncourse.cli import main

    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for given_up in ("your own user", "network", "read every file you can", "leave processes behind",
                     "shared memory"):
        assert given_up in text


def test_a_harness_failure_is_an_error_never_a_zero(tmp_path, monkeypatch):
    """The run cannot even start (a broken launcher): status error, no points (None), the reason."""
    instructor = json.loads(NOTEBOOKS[0].read_text())
    monkeypatch.setattr(sandbox, "LAUNCHER", tmp_path / "missing-launcher.py")
    result = grading.grade_notebook(instructor, NOTEBOOKS[0].read_bytes(), seed=1, limits=sandbox.Limits(),
                                    isolate=False, workspace=tmp_path)
    assert result["status"] == "error" and "could not run this notebook" in result["reason"]
    assert "did not start" in result["reason"]
    assert all(c["outcome"] == "error" and c["points"] is None for c in result["checks"])
    from nncourse.grading import report

    lesson = NOTEBOOKS[0].stem
    rows = report._student_rows([lesson], {("dan", lesson): result})
    line = report.gradebook_csv([lesson], rows).splitlines()[1]
    assert line.startswith("dan," + "," * len(result["checks"]) + ",") and "error" in line
    assert json.loads(report.gradebook_json([lesson], rows, sandbox.Limits()))["students"]["dan"]["total"] is None


# --------------------------------------------------------------------------- #
# End to end (kernels): the canary, harness errors, the silent-zero set-ups
# --------------------------------------------------------------------------- #


def _make_class(lesson: Path) -> tuple[Path, Path, int]:
    """One student, ``ada``, handing in the instructor's answers of ``lesson``; -> (folder, lesson, full marks)."""
    folder = Path(tempfile.mkdtemp(prefix="nncourse-sandbox-test-"))
    (folder / "subs" / "ada").mkdir(parents=True)
    shutil.copy(lesson, folder / "subs" / "ada" / lesson.name)
    return folder, lesson, sum(EXERCISES[e].points for e in nf.exercises_in(json.loads(lesson.read_text())))


@pytest.fixture
def honest_class():
    """A class of one honest student on the smallest lesson with exercises."""
    made = _make_class(min(NOTEBOOKS, key=lambda p: p.stat().st_size))
    yield made
    shutil.rmtree(made[0], ignore_errors=True)


def _grade_cli(python: str, folder: Path, env: dict | None = None, wrapper: tuple = (),
               options: list = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*wrapper, python, "-m", "nncourse", "grade", str(folder / "subs"), "--out",
                           str(folder / "out"), "--jobs", "2", *options], capture_output=True, text=True,
                          cwd=folder, env={**os.environ, **(env or {})}, timeout=1800)


def _full_marks_or_a_refusal(proc, folder: Path, full: int) -> None:
    """Never a class of zeros with exit status 0."""
    book = folder / "out" / "gradebook.json"
    if proc.returncode == 0:
        students = json.loads(book.read_text())["students"]
        assert students["ada"]["total"] == full, (students, proc.stderr[-2000:])
    else:
        assert proc.returncode == 2 and "refusing to grade" in proc.stderr, proc.stderr[-2000:]
        assert not book.exists()


@pytest.mark.slow
@pytest.mark.parametrize("broken", ["damaged-font-cache", "address-space-too-small"])
def test_the_canary_aborts_a_batch_on_a_broken_environment(grading_sandbox, broken, tmp_path):
    """Nothing published, exit status 2, and the reason: where the old grader gave every student zeros.

    A damaged matplotlib font cache makes the set-up cell of a lesson that plots warn (with every
    cell run: the default selection leaves matplotlib out of lesson 02's grading run, where nothing
    the checks read needs it); an address space too small for numpy stops the test process before
    the first cell.
    """
    from importlib.metadata import version

    by_stem = {p.stem: p for p in NOTEBOOKS}
    lesson = by_stem.get("02a_activation_functions") or NOTEBOOKS[-1]
    env, options = {}, []
    if broken == "damaged-font-cache":
        cache = tmp_path / "cache" / "nncourse" / f"matplotlib-{version('matplotlib')}"
        cache.mkdir(parents=True)
        (cache.parent).chmod(0o700)
        from matplotlib import font_manager

        (cache / f"fontlist-v{font_manager.FontManager.__version__}.json").write_text("{damaged")
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
        options = ["--run-every-cell"]
    else:
        options = ["--memory-mb", "150"]
    folder, lesson, _full = _make_class(lesson)
    try:
        proc = _grade_cli(sys.executable, folder, env=env, options=options)
        assert proc.returncode == 2, proc.stdout + proc.stderr[-2000:]
        assert "the canary failed" in proc.stderr and lesson.stem in proc.stderr
        assert not (folder / "out" / "gradebook.csv").exists() and not (folder / "out" / "gradebook.json").exists()
        log = (folder / "out" / "grade.log").read_text()
        assert f"canary {lesson.stem}: " in log and "ABORTED" in log
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_harness_errors_are_counted_and_make_the_exit_status_non_zero(grading_sandbox, honest_class, monkeypatch,
                                                                      capsys):
    """The canary passes, then every student's run fails to start: 'error', empty cells, exit status 1."""
    folder, lesson, _full = honest_class
    real, calls = grading.grade_notebook, []

    def broken_after_the_canary(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            return real(*args, **kwargs)
        with monkeypatch.context() as m:
            m.setattr(sandbox, "LAUNCHER", folder / "missing-launcher.py")
            return real(*args, **kwargs)

    monkeypatch.setattr(grading, "grade_notebook", broken_after_the_canary)
    from nncourse.cli import main

    assert main(["grade", str(folder / "subs"), "--out", str(folder / "out"), "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert "1 grader errors" in captured.out and "could not run 1 notebook" in captured.err
    row = (folder / "out" / "gradebook.csv").read_text().splitlines()[1]
    assert row.startswith("ada,,") and "error" in row
    book = json.loads((folder / "out" / "gradebook.json").read_text())
    assert book["students"]["ada"]["total"] is None
    assert "1 grader errors" in (folder / "out" / "grade.log").read_text()


@pytest.mark.slow
def test_grading_as_root_without_cap_sys_admin_gives_full_marks_or_a_refusal(grading_sandbox, honest_class):
    """Docker and most CI runners drop CAP_SYS_ADMIN; the old sandbox then gave everyone 0 with exit status 0."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv (util-linux) to drop the capability")
    folder, _lesson, full = honest_class
    proc = _grade_cli(sys.executable, folder,
                      wrapper=("setpriv", "--bounding-set", "-sys_admin,-net_admin", "--inh-caps", "-all"))
    _full_marks_or_a_refusal(proc, folder, full)


@pytest.mark.slow
def test_grading_from_a_virtualenv_under_a_private_home_gives_full_marks_or_a_refusal(grading_sandbox, honest_class):
    """A virtualenv in ~/.cache of a 0700 home (built here without network, on top of this environment)."""
    folder, _lesson, full = honest_class
    home = folder / "home"
    home.mkdir(mode=0o700)
    venv = home / ".cache" / "grader-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (next((venv / "lib").glob("python*/site-packages")) / "use-the-course-environment.pth").write_text(
        f"import site; site.addsitedir({site_packages!r})\n")
    assert (home.stat().st_mode & 0o777) == 0o700
    proc = _grade_cli(str(venv / "bin" / "python"), folder, env={"HOME": str(home), "XDG_CACHE_HOME": ""})
    _full_marks_or_a_refusal(proc, folder, full)
    # The sandbox works for this environment, so it must for a virtualenv built on it: no refusal here.
    assert proc.returncode == 0, proc.stderr[-2000:]
