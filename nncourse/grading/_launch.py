"""Start a notebook run: join its cgroup, set resource limits, become the command.

Run as ``python -I -S _launch.py SPEC COMMAND...``: this file imports only the
standard library and is executed as a script, so the process that prepares
the run has a single thread and loads nothing a submission could have
touched. ``SPEC`` is JSON:

* ``cgroup_procs``: files to write this process's pid to (the run's cgroup,
  one file per controller), before anything of the run starts, so every
  process of the run is counted and found;
* ``limits``: ``{"RLIMIT_AS": bytes, ...}`` set as soft and hard limits
  (never above the current hard limit);

then it replaces itself with ``COMMAND`` (``bwrap ...`` for a sandboxed run).
On failure it prints one line starting with ``nncourse launcher:`` and exits
with status 125, which the grader reports as a harness error.
"""

import json
import os
import resource
import sys

FAILED = 125


def _limit(name: str, value: int) -> None:
    which = getattr(resource, name)
    _soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def main(argv: list) -> None:
    spec = json.loads(argv[1])
    try:
        for path in spec.get("cgroup_procs", []):
            with open(path, "w") as fh:
                fh.write(str(os.getpid()))
        for name, value in spec.get("limits", {}).items():
            _limit(name, int(value))
        os.execv(argv[2], argv[2:])
    except OSError as exc:
        print(f"nncourse launcher: {exc}", file=sys.stderr, flush=True)
        os._exit(FAILED)


if __name__ == "__main__":
    main(sys.argv)
