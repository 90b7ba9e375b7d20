"""Run one notebook with nbval in a fresh process tree, sandboxed unless told otherwise.

``pytest --nbval`` runs in a child process (started through :mod:`.sandbox`)
with the kernel forced to this environment's Python
(``--nbval-current-env``), the course's sanitize file, a per-cell timeout and
:mod:`._nbval_plugin` reporting each cell's outcome and handing over the
checks' results on a pipe (:mod:`._record`). In grading mode (``seed``
given) an IPython start-up file installs the checks' result sink in the
kernel before the first cell (:func:`nncourse.checks.set_result_sink`).

The parent watches the run without ever blocking (``poll`` on the two pipes
it holds, the record and the run's own output, with a short timeout):

* the kernel's process: if it dies (``os._exit``, a segfault, the memory
  limit), the run is stopped within about a second instead of nbval waiting
  for the whole cell timeout;
* the clock: past the notebook timeout the run is stopped;
* memory: in a sandbox, the kernel enforces the run's limit through its
  cgroup, and an OOM kill stops the run; without one, the resident memory of
  its processes together is polled;

and afterwards kills everything the run started. The result says, per code
cell, whether it ran cleanly, which cell (if any) was running when the run
was cut short, so the caller can blame the right exercise, and — kept apart —
whether the harness itself failed (:attr:`RunResult.harness_error`): a run
that never reached its first cell, or whose record broke the protocol, says
nothing about the submission.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cgroups
from . import notebook_format as nf
from ._record import RecordError, RecordReader, finite_number
from .sandbox import (Isolation, Limits, RunDir, find_processes, inner_to_outer, isolation, kill_tree,
                      matplotlib_cache, resident_bytes)

POLL = 0.1
MEMORY_POLL = 0.2
DEAD_KERNEL_GRACE = 0.5
LOG_TAIL_BYTES = 16 * 2**10
READ_CHUNK = 64 * 2**10
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")
STARTUP_HOOK = "00-nncourse-grading.py"
KERNEL_CONFIG = "ipython_kernel_config.py"
# nbval never compares images (``image/png`` is in its skip list), so a grading kernel draws no figure:
# the inline backend then displays only the figure's text (``<Figure size ...>``), which nbval compares.
GRADING_KERNEL_CONFIG = (b"# Written by the nncourse grader: figures are not drawn (nbval does not compare images).\n"
                         b"c.InlineBackend.figure_formats = set()\n")


@dataclass
class CellOutcome:
    ok: bool
    message: str = ""
    differs: bool = False
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class RunResult:
    """What happened to one notebook run.

    ``cells`` maps nbval's code-cell number to its outcome; ``fatal`` is
    ``(cell number or None, reason)`` when the run was cut short (the kernel
    died, the notebook timed out, the run ran out of memory); ``exchange`` is
    the grader's folder holding the results the checks handed over (valid
    inside the ``with``); ``harness_error`` says why the grader could not run
    the notebook at all (then nothing else means anything). ``limit`` names
    the limit that cut the run short (``"time"`` or ``"memory"``), when it is
    known to be one: the class report lists who hit which.
    """

    cells: dict = field(default_factory=dict)
    fatal: tuple | None = None
    exchange: Path | None = None
    seconds: float = 0.0
    log_tail: str = ""
    harness_error: str | None = None
    cancelled: bool = False
    limit: str | None = None


class Cancelled(Exception):
    """The batch was aborted while this run went on."""


def code_cells(nb: dict) -> list[dict]:
    """The notebook's code cells in nbval's numbering."""
    return [c for c in nb.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == "code"]


def default_sanitize_file() -> Path:
    """The course's one nbval sanitize file (package data, also used by the test suite)."""
    return SANITIZE_FILE


@contextlib.contextmanager
def run_notebook(nb: dict, *, name: str = "notebook.ipynb", limits: Limits = Limits(), seed: int | None = None,
                 lax: bool = False, isolate: bool = True, sanitize: Path | None = None,
                 workspace: Path | None = None, cancel: threading.Event | None = None):
    """Run ``nb`` (notebook JSON) with nbval; yield a :class:`RunResult`.

    ``seed`` switches the checks to grading mode (their results are handed to
    the grader, in ``result.exchange``); ``lax`` compares no outputs (a
    learner's own notebook); ``isolate`` runs in the sandbox (raises
    :class:`~nncourse.grading.sandbox.IsolationUnavailable` where there is
    none); ``workspace`` is where the grader keeps the run's private folder
    (default: the temporary folder); ``cancel`` stops the run early when set.
    Everything is removed when the ``with`` ends.
    """
    found = isolation() if isolate else None
    _compile_package()
    sanitize = Path(sanitize) if sanitize else default_sanitize_file()
    run_dir = RunDir(workspace)
    try:
        yield _run(run_dir, nb, Path(name).name, limits, seed, lax, found, sanitize, cancel)
    finally:
        run_dir.remove()


@functools.lru_cache(maxsize=1)
def _compile_package() -> None:
    """Write the bytecode of the nncourse package next to its sources, where it is missing or stale.

    Every run imports nncourse twice (the test process and the kernel) in a
    sandbox whose file system is read-only; without bytecode on disk each
    import compiles the package again (a checkout whose environment sets
    PYTHONDONTWRITEBYTECODE never writes it). Only speed depends on this: a
    folder the grader cannot write to is left as it is.
    """
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[1]), quiet=2)


def _startup_hook(sink: str, seed: int) -> bytes:
    return (f"# Written by the nncourse grader: this kernel runs in grading mode.\n"
            f"import nncourse.checks as _nncourse_checks\n"
            f"_nncourse_checks.set_result_sink({sink!r}, {int(seed)})\n"
            f"del _nncourse_checks\n").encode()


def _run(run_dir: RunDir, nb: dict, name: str, limits: Limits, seed, lax: bool, found: Isolation | None,
         sanitize: Path, cancel) -> RunResult:
    isolated = found is not None
    where = run_dir.inside(isolated)
    run_dir.write_config("notebook.ipynb", nf.dumps_notebook(nb).encode("utf-8"))
    run_dir.write_config("sanitize.cfg", sanitize.read_bytes())
    run_dir.write_config("pytest.ini", b"[pytest]\n")
    files = {f"{where['home']}/.config/matplotlib/{p.name}": p for p in matplotlib_cache().iterdir() if p.is_file()}
    if seed is not None:
        hook = run_dir.write_config(STARTUP_HOOK, _startup_hook(where["sink"], seed))
        files[f"{where['home']}/.ipython/profile_default/startup/{STARTUP_HOOK}"] = hook
        kernel_config = run_dir.write_config(KERNEL_CONFIG, GRADING_KERNEL_CONFIG)
        files[f"{where['home']}/.ipython/profile_default/{KERNEL_CONFIG}"] = kernel_config
    result = RunResult(exchange=run_dir.exchange)
    group = None
    if isolated:
        try:
            group = cgroups.RunGroup(found.hierarchy, memory_bytes=limits.run_memory_bytes,
                                     processes=limits.processes)
        except OSError as exc:
            result.harness_error = f"the run's cgroup could not be created ({exc})"
            return result
    record_r, record_w = os.pipe()
    log_r, log_w = os.pipe()
    config = where["config"]
    # Plugins are named, not discovered (PYTEST_DISABLE_PLUGIN_AUTOLOAD in the run's environment): the
    # course's first, so that its import-time set-up precedes nbval's imports.
    argv = [sys.executable, "-I", "-m", "pytest", "-c", f"{config}/pytest.ini", "--rootdir", where["work"],
            "-p", "no:cacheprovider", "-q", "--tb=no", "--no-header",
            "-p", "nncourse.grading._nbval_plugin", "-p", "nbval", "--nncourse-record-fd", str(record_w),
            "--nncourse-exchange", where["sink"], "--nncourse-max-output", str(limits.output_bytes),
            "--nbval-lax" if lax else "--nbval", "--nbval-current-env",
            "--nbval-cell-timeout", str(limits.cell_timeout),
            "--nbval-sanitize-with", f"{config}/sanitize.cfg", f"{where['work']}/{name}"]
    reader = RecordReader(run_dir.exchange)
    streams = _Streams(record_r, log_r, reader, result)
    start = time.monotonic()
    proc = None
    try:
        command = run_dir.command(argv, limits=limits, isolation=found, group=group, notebook_name=name,
                                  files=files)
        proc = subprocess.Popen(command, env=run_dir.environment(isolated=isolated), stdin=subprocess.DEVNULL,
                                stdout=log_w, stderr=log_w, pass_fds=(record_w,), start_new_session=True,
                                cwd=run_dir.root)
    except OSError as exc:
        result.harness_error = f"the run could not be started ({exc})"
    finally:
        os.close(record_w)
        os.close(log_w)
    try:
        if proc is not None:
            _watch(proc, streams, group, run_dir, limits, start, cancel)
    finally:
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.kill()
            proc.wait()
        if group is not None:
            if not group.close():
                result.harness_error = result.harness_error or "some processes of the run could not be stopped"
        elif proc is not None:
            kill_tree(sid=proc.pid, marker=run_dir.marker)
        for fd in (record_r, log_r):  # what was written before the end (every writer is gone now)
            streams.drain(fd, chunks=None)
            os.close(fd)
        reader.close()
    result.seconds = time.monotonic() - start
    result.log_tail = bytes(streams.log[-4000:]).decode("utf-8", "replace")
    if proc is not None:
        _collect(result, reader.events, proc.returncode)
    return result


class _Streams:
    """The two pipes the grader holds: the record (parsed as it comes) and the run's output (its tail kept)."""

    def __init__(self, record_fd: int, log_fd: int, reader: RecordReader, result: RunResult):
        self.record_fd, self.log_fd, self.reader, self.result = record_fd, log_fd, reader, result
        self.log = bytearray()
        for fd in (record_fd, log_fd):
            os.set_blocking(fd, False)

    def drain(self, fd: int, chunks: int | None = 16) -> bool:
        """Take what ``fd`` holds now, never blocking (at most ``chunks`` reads); False at end of file."""
        reads = 0
        while chunks is None or reads < chunks:
            try:
                data = os.read(fd, READ_CHUNK)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            reads += 1
            if fd == self.log_fd:
                self.log += data
                del self.log[:-LOG_TAIL_BYTES]
            elif self.result.harness_error is None:
                try:
                    self.reader.feed(data)
                except RecordError as exc:
                    self.result.harness_error = f"the run's record could not be read ({exc})"
        return True


def _watch(proc, streams: _Streams, group: cgroups.RunGroup | None, run_dir: RunDir, limits: Limits,
           start: float, cancel) -> None:
    result, events = streams.result, streams.reader.events
    poller = select.poll()
    open_fds = {streams.record_fd, streams.log_fd}
    for fd in open_fds:
        poller.register(fd, select.POLLIN)
    kernel_pid, dead_since, last_memory_check = None, None, 0.0
    while proc.poll() is None:
        for fd, _ in poller.poll(POLL * 1000):
            if fd in open_fds and not streams.drain(fd):
                poller.unregister(fd)
                open_fds.discard(fd)
        if not open_fds:
            time.sleep(POLL)
        if result.harness_error is not None:
            return
        if kernel_pid is None:
            inner = next((e.get("pid") for e in events if e.get("event") == "kernel"
                          and isinstance(e.get("pid"), int) and not isinstance(e.get("pid"), bool)), None)
            if inner is not None:
                kernel_pid = inner_to_outer(inner, group.pids()) if group is not None else inner
        # A kernel that is gone while a cell runs will never answer; between cells (and
        # after the last one, when nbval shuts it down) nbval notices by itself.
        if kernel_pid is not None and not _alive(kernel_pid) and _cell_running(events):
            dead_since = dead_since or time.monotonic()
            if time.monotonic() - dead_since > DEAD_KERNEL_GRACE:
                result.fatal = (None, "the kernel died (the process exited or crashed: os._exit, "
                                      "a segfault, or the memory limit)")
                return
        if group is not None and group.oom_kills():
            result.limit = "memory"
            result.fatal = (None, f"its processes used more than {limits.run_memory_bytes / 2**30:.1f} GiB of memory "
                                  "together (counting shared memory and files in /tmp), so the run was stopped")
            return
        if group is None and time.monotonic() - last_memory_check > MEMORY_POLL:
            last_memory_check = time.monotonic()
            if resident_bytes(find_processes(sid=proc.pid, marker=run_dir.marker)) > limits.run_memory_bytes:
                result.limit = "memory"
                result.fatal = (None, f"its processes used more than {limits.run_memory_bytes / 2**30:.1f} GiB "
                                      "of memory together, so the run was stopped")
                return
        if time.monotonic() - start > limits.notebook_timeout:
            result.limit = "time"
            result.fatal = (None, f"the notebook did not finish within {limits.notebook_timeout:g} s")
            return
        if cancel is not None and cancel.is_set():
            result.cancelled = True
            return


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cell_running(events: list[dict]) -> bool:
    cell_events = [e for e in events if e.get("event") in ("start", "result")]
    return bool(cell_events) and cell_events[-1].get("event") == "start"


def _cell_number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _collect(result: RunResult, events: list[dict], returncode: int) -> None:
    if result.harness_error is not None or result.cancelled:
        return
    names = [e.get("event") for e in events]
    if "ready" not in names:
        tail = result.log_tail.strip().splitlines()[-3:]
        result.harness_error = (f"the test process did not start (exit status {returncode})"
                                + (f": {' / '.join(tail)}" if tail else ""))
        return
    if "start" not in names:
        setup = next((e for e in events if e.get("event") == "result" and e.get("when") == "setup"), None)
        if setup is not None:
            result.harness_error = f"the kernel did not start: {str(setup.get('message', ''))[:300]}"
        else:
            why = result.fatal[1] if result.fatal else f"exit status {returncode}"
            result.harness_error = f"the test process ended before the first cell ran ({why})"
        return
    running, dead_cell = None, None
    for event in events:
        cell = _cell_number(event.get("cell"))
        if cell is None:
            continue
        if event.get("event") == "start":
            running = cell
        elif event.get("event") == "result":
            running = None
            message = event.get("message")
            result.cells[cell] = CellOutcome(
                ok=event.get("ok") is True, message=message[:4000] if isinstance(message, str) else "",
                differs=event.get("differs") is True, seconds=finite_number(event.get("seconds")),
                skipped=event.get("skipped") is True)
            if dead_cell is None and event.get("kernel_alive") is False:
                dead_cell = cell
    if result.fatal is not None:  # the parent cut the run short
        cell = running if running is not None else dead_cell
        reason = result.fatal[1]
        if cell is not None and cell == dead_cell:
            reason = _lost_kernel_reason(result.cells[cell].message)
            result.limit = _limit_of_lost_kernel(result.cells[cell].message) or result.limit
        result.fatal = (cell, reason)
    elif dead_cell is not None:
        result.fatal = (dead_cell, _lost_kernel_reason(result.cells[dead_cell].message))
        result.limit = _limit_of_lost_kernel(result.cells[dead_cell].message)
    elif running is not None:
        result.fatal = (running, f"the test process ended while this cell ran (exit status {returncode}): "
                                 "it ran out of memory or was killed")
    elif returncode not in (0, 1):
        result.fatal = (None, f"the test process stopped after the cells it reported (exit status {returncode})")


def _limit_of_lost_kernel(message: str) -> str | None:
    """nbval reports a cell that ran past ``--nbval-cell-timeout`` with a ``Timeout`` error."""
    return "time" if "Timeout" in message else None


def _lost_kernel_reason(message: str) -> str:
    if _limit_of_lost_kernel(message) == "time":
        return ("it ran past the time limit and ignored the interrupt (Ctrl-C), so the kernel was stopped")
    return f"the kernel stopped while this cell ran ({message[:200]})" if message else "the kernel stopped"
