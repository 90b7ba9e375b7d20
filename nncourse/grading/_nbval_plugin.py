"""A pytest plugin loaded next to nbval when the course runs a notebook.

nbval executes the cells and compares their outputs; this plugin only
*reports* what happened, on the pipe whose file descriptor the grader passed
(``--nncourse-record-fd``), in the format of :mod:`._record`:

* ``{"event": "ready"}`` once pytest is configured (a run that never says it
  did not start: a harness error, not a student's zero);
* ``{"event": "kernel", "pid": ...}`` once the kernel is up (the pid as the
  run sees it), so that the grader can notice within a second that the kernel
  died (nbval itself would wait for the whole cell timeout);
* ``{"event": "start", "cell": n}`` before a cell runs, so that a cell that
  never finishes can be named;
* ``{"event": "result", "cell": n, "when": ..., "ok": ..., "message": ...,
  "seconds": ...}`` after it ran (``n`` counts code cells from 0, as nbval
  does; the grader wrote the notebook, so it maps ``n`` back to the cell's
  exercise metadata);
* after a check cell, the results its check wrote into the run's result
  folder (``--nncourse-exchange``), read without following links or blocking
  and under size caps, then removed.

It also caps the output a cell may produce (``--nncourse-max-output`` bytes):
past the cap the cell fails and the rest of its output is skipped, so an
output flood cannot fill the grader's memory. And it makes the pytest process
non-dumpable, so the kernel (a child running the submission) cannot open this
process's pipe through ``/proc`` or trace it.

The grader trusts none of this to award points (the results are the
submission's own data, judged again in the grader); events are used only to
take points away and to explain why.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time

# nbval imports nbformat, whose schema validator imports jsonschema, which builds
# the grammar of an optional IRI format checker (rfc3987_syntax) on import: about
# 2 s of every run (FACTS.md), for a format no notebook uses. Declaring the module
# absent makes jsonschema skip that one checker; validation is otherwise unchanged.
sys.modules.setdefault("rfc3987_syntax", None)

import pytest  # noqa: E402

from nncourse.grading import _record  # noqa: E402
from nncourse.grading import notebook_format as nf  # noqa: E402
from nncourse.grading._files import read_regular_file  # noqa: E402

_state = {"record": None, "exchange": None, "max_output": 0, "output": {}, "current": None, "kernel_written": False}

PR_SET_DUMPABLE = 4


class OutputLimitExceeded(Exception):
    """The cell printed or displayed more than the grader allows."""


def pytest_addoption(parser):
    group = parser.getgroup("nncourse")
    group.addoption("--nncourse-record-fd", type=int, default=None, help="pipe to write the run's record to")
    group.addoption("--nncourse-exchange", default=None, help="folder the checks write their results to")
    group.addoption("--nncourse-max-output", type=int, default=0, help="bytes of output allowed per cell")


def pytest_configure(config):
    fd = config.getoption("--nncourse-record-fd")
    if fd is None:
        return
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _state["record"] = os.fdopen(fd, "wb")
    _state["exchange"] = config.getoption("--nncourse-exchange")
    _state["max_output"] = config.getoption("--nncourse-max-output")
    if _state["max_output"]:
        _cap_outputs()
    _send(_record.event_line({"event": "ready"}))


def _send(data: bytes) -> None:
    fh = _state["record"]
    if fh is not None:
        fh.write(data)
        fh.flush()


def _write(event: dict) -> None:
    _send(_record.event_line(event))


def _relay(exercise_id: str) -> None:
    """Hand the results of one check to the grader, then remove them from the run's folder."""
    folder = _state["exchange"]
    if not folder or not _record.EXERCISE_ID.fullmatch(exercise_id):
        return
    paths = [os.path.join(folder, f"{exercise_id}.{suffix}") for suffix in ("json", "npz")]
    try:
        json_data = read_regular_file(paths[0], _record.MAX_JSON_BYTES)
        npz_data = read_regular_file(paths[1], _record.MAX_NPZ_BYTES)
    except OSError as exc:
        _write({"event": "exchange", "exercise": exercise_id, "error": exc.strerror or str(exc)})
        return
    finally:
        for path in paths:
            try:
                os.unlink(path)
            except OSError:
                pass
    _send(_record.exchange_frame(exercise_id, json_data, npz_data))


def _output_size(msg) -> int:
    content = msg.get("content", {}) if isinstance(msg, dict) else {}
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    size += sum(len(line) for line in content.get("traceback", []) or [])
    return size


def _cap_outputs() -> None:
    """Fail a cell whose output passes the cap (nbval reads a cell's output after it finished).

    Only messages of the running cell count; the rest of a flood is left for
    nbval to skip, as it skips every message that belongs to another cell.
    """
    from nbval.kernel import RunningKernel
    from nbval.plugin import IPyNbFile

    original_execute = RunningKernel.execute_cell_input
    original_get = IPyNbFile.get_kernel_message

    def execute_cell_input(self, cell_input, allow_stdin=None):
        msg_id = original_execute(self, cell_input, allow_stdin=allow_stdin)
        _state["current"], _state["output"] = msg_id, {}
        return msg_id

    def get_kernel_message(self, timeout=None, stream="iopub"):
        msg = original_get(self, timeout=timeout, stream=stream)
        parent = (msg.get("parent_header") or {}).get("msg_id")
        if parent == _state["current"] and msg.get("msg_type") in (
                "stream", "display_data", "execute_result", "error", "update_display_data"):
            _state["output"][parent] = _state["output"].get(parent, 0) + _output_size(msg)
            if _state["output"][parent] > _state["max_output"]:
                _state["current"] = None
                raise OutputLimitExceeded(
                    f"the cell produced more than {_state['max_output']:,} bytes of output (an output flood)")
        return msg

    RunningKernel.execute_cell_input = execute_cell_input
    IPyNbFile.get_kernel_message = get_kernel_message


def _kernel(item):
    return getattr(getattr(item, "parent", None), "kernel", None)


def _kernel_alive(item) -> bool:
    kernel = _kernel(item)
    try:
        return bool(kernel is not None and kernel.is_alive())
    except Exception:  # noqa: BLE001 - a half-stopped kernel counts as dead
        return False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    cell = getattr(item, "cell_num", None)
    kernel = _kernel(item)
    if kernel is not None and not _state["kernel_written"]:
        pid = getattr(getattr(getattr(kernel, "km", None), "provisioner", None), "pid", None)
        if pid:
            _write({"event": "kernel", "pid": pid})
            _state["kernel_written"] = True
    item._nncourse_started = time.monotonic()
    _write({"event": "start", "cell": cell})
    yield


def _message(item, excinfo) -> str:
    if excinfo is None:
        return ""
    if "Timeout" in str(excinfo.value):  # nbval's own words: the cell ran past --nbval-cell-timeout
        return str(excinfo.value)[:4000]
    for out in getattr(item, "test_outputs", None) or []:
        if out.get("output_type") == "error":
            return f"{out.get('ename', '')}: {out.get('evalue', '')}"[:4000]
    return f"{excinfo.value}"[:4000] if str(excinfo.value) else excinfo.typename


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    yield
    cell = getattr(item, "cell_num", None)
    if cell is None or call.when not in ("setup", "call"):
        return
    if call.when == "setup" and call.excinfo is None:
        return
    if call.when == "call":
        notebook_cell = getattr(item, "cell", None)
        if isinstance(notebook_cell, dict) and nf.is_check_cell(notebook_cell) and nf.exercise_id_of(notebook_cell):
            _relay(nf.exercise_id_of(notebook_cell))
    skipped = call.excinfo is not None and call.excinfo.errisinstance(pytest.skip.Exception)
    started = getattr(item, "_nncourse_started", None)
    _write({
        "event": "result", "cell": cell, "when": call.when,
        "ok": call.excinfo is None or skipped, "skipped": skipped,
        "message": "" if skipped else _message(item, call.excinfo),
        "differs": call.excinfo is not None and "Cell outputs differ" in str(call.excinfo.value),
        "seconds": round(time.monotonic() - started, 3) if started else 0.0,
        "kernel_alive": _kernel_alive(item),
    })
