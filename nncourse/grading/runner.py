"""Run one notebook with nbval in a fresh, isolated, limited process tree.

``pytest --nbval`` runs in a child process (started through the sandbox, see
:mod:`.sandbox`) with the kernel forced to this environment's Python
(``--nbval-current-env``), the course's sanitize file, a per-cell timeout and
:mod:`._nbval_plugin` recording each cell's outcome. The parent watches it:

* the kernel's process: if it dies (``os._exit``, a segfault, the memory
  limit), the run is stopped within about a second instead of nbval waiting
  for the whole cell timeout;
* the clock: past the notebook timeout the run is stopped;
* the memory of all its processes together (each process also has its own
  address-space limit): past ``run_memory_bytes`` the run is stopped;

and afterwards kills everything the run started. The result says, per code
cell, whether it ran cleanly, and which cell (if any) was running when the run
was cut short, so the caller can blame the right exercise.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nncourse import notebook_format as nf
from nncourse.checks import _exchange

from .sandbox import Limits, RunDir, find_processes, kill_tree, resident_bytes, sandbox_uid

POLL = 0.1
MEMORY_POLL = 0.2
DEAD_KERNEL_GRACE = 0.5


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
    died, the notebook timed out, nbval crashed); ``exchange`` is the folder
    the checks wrote their plain-data results to (valid inside the ``with``).
    """

    cells: dict = field(default_factory=dict)
    fatal: tuple | None = None
    exchange: Path | None = None
    seconds: float = 0.0
    log_tail: str = ""


def code_cells(nb: dict) -> list[dict]:
    """The notebook's code cells in nbval's numbering."""
    return [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]


def default_sanitize_file() -> Path:
    """The course's one sanitize file, ``tests/nbval_sanitize.cfg`` in the repository."""
    path = Path(__file__).resolve().parents[2] / "tests" / "nbval_sanitize.cfg"
    if not path.is_file():
        raise ValueError(f"nbval sanitize file {str(path)!r} not found: grading needs the course repository")
    return path


MAX_RECORD_BYTES = 8 * 2**20


def _read_events(path: Path) -> list[dict]:
    """The plugin's events; a run that bloats the file only loses what lies past the cap."""
    events = []
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh.read(MAX_RECORD_BYTES).splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    events.append(event)
    except OSError:
        pass
    return events


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cell_running(record: Path) -> bool:
    cell_events = [e for e in _read_events(record) if e.get("event") in ("start", "result")]
    return bool(cell_events) and cell_events[-1].get("event") == "start"


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


@contextlib.contextmanager
def run_notebook(nb: dict, *, name: str = "notebook.ipynb", limits: Limits = Limits(), seed: int | None = None,
                 lax: bool = False, isolate: bool = True, sanitize: Path | None = None, hide: tuple = ()):
    """Run ``nb`` (notebook JSON) with nbval; yield a :class:`RunResult`.

    ``seed`` switches the checks to grading mode (they write plain-data
    results to ``result.exchange``); ``lax`` compares no outputs (a learner's
    own notebook); ``isolate`` uses a sandbox user and no network when the
    grader runs as root, and then ``hide`` lists folders the run sees empty.
    Everything is removed when the ``with`` ends.
    """
    sanitize = Path(sanitize) if sanitize else default_sanitize_file()
    with sandbox_uid() if isolate else contextlib.nullcontext(None) as uid:
        run_dir = RunDir(uid)
        try:
            yield _run(run_dir, nb, name, limits, seed, lax, isolate, sanitize, hide)
        finally:
            run_dir.remove()


def _run(run_dir: RunDir, nb: dict, name: str, limits: Limits, seed, lax: bool, isolate: bool,
         sanitize: Path, hide: tuple) -> RunResult:
    notebook = run_dir.work / Path(name).name
    notebook.write_text(nf.dumps_notebook(nb), encoding="utf-8")
    run_dir.give(notebook)
    (run_dir.root / "sanitize.cfg").write_bytes(sanitize.read_bytes())
    (run_dir.root / "pytest.ini").write_text("[pytest]\n")
    record = run_dir.record / "events.jsonl"
    record.touch()
    run_dir.give(record)
    log = run_dir.record / "pytest.log"

    extra = {}
    if seed is not None:
        extra = {_exchange.EXCHANGE_DIR_ENV: str(run_dir.exchange), _exchange.SEED_ENV: str(int(seed))}
    argv = [sys.executable, "-I", "-m", "pytest", "-c", str(run_dir.root / "pytest.ini"),
            "--rootdir", str(run_dir.work), "-p", "no:cacheprovider", "-q", "--tb=no", "--no-header",
            "-p", "nncourse.grading._nbval_plugin", "--nncourse-record", str(record),
            "--nncourse-max-output", str(limits.output_bytes),
            "--nbval-lax" if lax else "--nbval", "--nbval-current-env",
            "--nbval-cell-timeout", str(limits.cell_timeout),
            "--nbval-sanitize-with", str(run_dir.root / "sanitize.cfg"), str(notebook)]
    result = RunResult(exchange=run_dir.exchange)
    start = time.monotonic()
    with open(log, "wb") as log_fh:
        proc = run_dir.launch(argv, env=run_dir.environment(extra, isolate=isolate), limits=limits, stdout=log_fh, isolate=isolate,
                               hide=hide)
        kernel_pid, dead_since, last_memory_check = None, None, 0.0
        try:
            while proc.poll() is None:
                time.sleep(POLL)
                if kernel_pid is None:
                    kernel_pid = next((e.get("pid") for e in _read_events(record)
                                       if e.get("event") == "kernel" and isinstance(e.get("pid"), int)), None)
                # A kernel that is gone while a cell runs will never answer; between cells (and
                # after the last one, when nbval shuts it down) nbval notices by itself.
                if kernel_pid is not None and not _alive(kernel_pid) and _cell_running(record):
                    dead_since = dead_since or time.monotonic()
                    if time.monotonic() - dead_since > DEAD_KERNEL_GRACE:
                        result.fatal = (None, "the kernel died (the process exited or crashed: os._exit, "
                                              "a segfault, or the memory limit)")
                        break
                if time.monotonic() - last_memory_check > MEMORY_POLL:
                    last_memory_check = time.monotonic()
                    members = find_processes(uid=run_dir.uid) if isolate and run_dir.uid is not None \
                        else find_processes(sid=proc.pid, marker=run_dir.marker)
                    if resident_bytes(members) > limits.run_memory_bytes:
                        result.fatal = (None, f"its processes used more than {limits.run_memory_bytes / 2**30:.1f} GiB "
                                              "of memory together, so the run was stopped")
                        break
                if time.monotonic() - start > limits.notebook_timeout:
                    result.fatal = (None, f"the notebook did not finish within {limits.notebook_timeout:g} s")
                    break
        finally:
            kill_tree(uid=run_dir.uid if isolate else None, sid=proc.pid, marker=run_dir.marker)
            proc.wait()
    result.seconds = time.monotonic() - start
    result.log_tail = _tail(log)
    _collect(result, _read_events(record), proc.returncode)
    return result


def _collect(result: RunResult, events: list[dict], returncode: int) -> None:
    running, dead_cell = None, None
    for event in events:
        cell = event.get("cell")
        if not isinstance(cell, int):
            continue
        if event.get("event") == "start":
            running = cell
        elif event.get("event") == "result":
            running = None
            result.cells[cell] = CellOutcome(
                ok=bool(event.get("ok")), message=str(event.get("message", ""))[:4000],
                differs=bool(event.get("differs")), seconds=float(event.get("seconds") or 0.0),
                skipped=bool(event.get("skipped")))
            if dead_cell is None and not event.get("kernel_alive", True):
                dead_cell = cell
    if result.fatal is not None:  # the parent cut the run short
        cell = running if running is not None else dead_cell
        reason = result.fatal[1]
        if cell is not None and cell == dead_cell:
            reason = _lost_kernel_reason(result.cells[cell].message)
        result.fatal = (cell, reason)
    elif dead_cell is not None:
        result.fatal = (dead_cell, _lost_kernel_reason(result.cells[dead_cell].message))
    elif running is not None:
        result.fatal = (running, f"the test process ended while this cell ran (exit status {returncode}): "
                                 "it ran out of memory or was killed")
    elif returncode not in (0, 1):
        result.fatal = (None, f"nbval could not run the notebook (pytest exit status {returncode})")


def _lost_kernel_reason(message: str) -> str:
    if "Timeout" in message:
        return ("it ran past the time limit and ignored the interrupt (Ctrl-C), so the kernel was stopped")
    return f"the kernel stopped while this cell ran ({message[:200]})" if message else "the kernel stopped"
