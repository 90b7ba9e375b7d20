"""Start a notebook run: join its cgroup, set resource limits, start the command and reap it.

Run as ``python -I -S _launch.py SPEC COMMAND...``: this file imports only the
standard library and is executed as a script, so the process that prepares
the run has a single thread and loads nothing a submission could have
touched. ``SPEC`` is JSON:

* ``cgroup_procs``: files to write this process's pid to (the run's cgroup,
  one file per controller), before anything of the run starts, so every
  process of the run is counted and found;
* ``limits``: ``{"RLIMIT_AS": bytes, ...}`` set as soft and hard limits
  (never above the current hard limit);
* ``reap``: stay the parent of the run (a child subreaper) instead of
  becoming the command.

With ``reap`` (sandboxed runs) it dies with the grader, starts ``COMMAND``
(``bwrap ...``), and when that ends stops every other member of the cgroup
(bwrap's init inside the sandbox is reparented here, with whatever a
submission left running) and reaps them all before it exits with the
command's status. So the whole run stays a descendant of the grader — whose
resource usage then includes it — and nothing outlives it. Without ``reap``
it simply becomes the command.

On failure it prints one line starting with ``nncourse launcher:`` and exits
with status 125, which the grader reports as a harness error.
"""

import ctypes
import json
import os
import resource
import signal
import sys
import time

FAILED = 125
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36


def _limit(name: str, value: int) -> None:
    which = getattr(resource, name)
    _soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def _members(procs_files: list) -> set:
    pids = set()
    for path in procs_files:
        try:
            with open(path) as fh:
                pids.update(int(p) for p in fh.read().split())
        except OSError:
            pass
    return pids - {os.getpid()}


def _reap_all(procs_files: list) -> None:
    """Kill every other member of the run's cgroup and wait for all children of this process."""
    while True:
        for pid in _members(procs_files):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            if not _members(procs_files):
                return
            time.sleep(0.01)  # members that are not (yet) our children: killed, leaving the group


def _supervise(argv: list, procs_files: list) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getppid()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the grader died before the line above
        os._exit(FAILED)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    child = os.fork()
    if child == 0:
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(FAILED)
    _, status = os.waitpid(child, 0)
    _reap_all(procs_files)
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code


def main(argv: list) -> None:
    spec = json.loads(argv[1])
    procs_files = spec.get("cgroup_procs", [])
    try:
        for path in procs_files:
            with open(path, "w") as fh:
                fh.write(str(os.getpid()))
        for name, value in spec.get("limits", {}).items():
            _limit(name, int(value))
        if spec.get("reap"):
            os._exit(_supervise(argv[2:], procs_files))
        os.execv(argv[2], argv[2:])
    except OSError as exc:
        print(f"nncourse launcher: {exc}", file=sys.stderr, flush=True)
        os._exit(FAILED)


if __name__ == "__main__":
    main(sys.argv)
