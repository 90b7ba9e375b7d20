"""A control group per notebook run: memory and processes counted by the kernel.

Polling each process's resident memory misses what a run can hold outside
its processes' private pages: ``memfd`` files, SysV and POSIX shared memory,
files in its in-memory ``/tmp``. A memory cgroup charges all of those to the
run, and the kernel enforces the limit (its OOM killer stops a process of the
run, and the grader, seeing the kill in the group's counters, stops the run).
The ``pids`` controller bounds the processes and threads of the run however
they were started, and the group's member list is how the grader finds every
process of the run afterwards.

Run groups are created below the grader's own group (never elsewhere in the
machine's hierarchy, so the run stays inside whatever limits the grader
itself lives under):

* **cgroup v2** when the grader's group offers the ``memory`` and ``pids``
  controllers and they can be delegated to children (as root, or as a user in
  a delegated subtree such as ``systemd-run --user --scope -p Delegate=yes``);
  because v2 lets only leaf groups hold processes, the grader first moves
  itself into a leaf ``nncourse-grader-<pid>`` next to the runs;
* otherwise **cgroup v1** with the ``memory`` and ``pids`` controllers
  mounted separately (writable by root).

:func:`find_hierarchy` says which, or raises :class:`CgroupUnavailable`
with the reason. The launcher (:mod:`._launch`) writes its own pid into the
group's ``cgroup.procs`` before it starts the sandbox, so every process of the
run is a member from the start and cannot leave (the sandbox has no ``/sys``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

PREFIX = "nncourse-run-"


class CgroupUnavailable(RuntimeError):
    """No writable cgroup with the memory and pids controllers; the message says why."""


@dataclass(frozen=True)
class Hierarchy:
    """Where run groups are made: ``version`` 1 or 2, and the parent folder per controller.

    For v2 ``parents`` is ``{"": folder}``; for v1 ``{"memory": ..., "pids": ...}``.
    """

    version: int
    parents: dict

    def describe(self) -> str:
        return f"cgroup v{self.version} ({', '.join(str(p) for p in self.parents.values())})"


def _mounts() -> list[tuple[str, str, str, list[str]]]:
    """``(mount point, root, fs type, super options)`` of every cgroup mount, from mountinfo."""
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            dash = fields.index("-")
            fstype, options = fields[dash + 1], fields[dash + 3].split(",")
            if fstype in ("cgroup", "cgroup2"):
                point = fields[4].replace("\\040", " ")
                found.append((point, fields[3], fstype, options))
    return found


def _own_groups() -> dict[str, str]:
    """The grader's group per v1 controller, and ``""`` for the v2 hierarchy."""
    groups = {}
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            number, controllers, path = line.rstrip("\n").split(":", 2)
            if number == "0" and controllers == "":
                groups[""] = path
            for name in controllers.split(","):
                if name:
                    groups[name] = path
    return groups


def _folder(point: str, root: str, own: str) -> Path:
    # Without a cgroup namespace /proc/self/cgroup shows the full path, which
    # starts with the mount's root; inside one it is already relative to it.
    relative = own[len(root):] if root != "/" and (own + "/").startswith(root.rstrip("/") + "/") else own
    return Path(point) / relative.lstrip("/")


def _read(path: Path) -> str:
    with open(path) as fh:
        return fh.read()


def _write(path: Path, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _probe(parents: dict, version: int) -> None:
    """Create and remove a group under each parent (raises OSError if the hierarchy is not ours)."""
    made = []
    try:
        for parent in parents.values():
            probe = parent / f"{PREFIX}{os.getpid()}-probe-{uuid.uuid4().hex[:8]}"
            probe.mkdir()
            made.append(probe)
        if version == 2:
            controllers = _read(made[0] / "cgroup.controllers").split()
            if not {"memory", "pids"} <= set(controllers):
                raise OSError(f"the memory and pids controllers are not delegated to {made[0].parent}")
    finally:
        for probe in made:
            with contextlib.suppress(OSError):
                probe.rmdir()


def _v2(mounts, own) -> Hierarchy:
    point = next(((p, r) for p, r, t, _ in mounts if t == "cgroup2"), None)
    if point is None or "" not in own:
        raise CgroupUnavailable("no cgroup v2 hierarchy is mounted")
    base = _folder(point[0], point[1], own[""])
    available = set(_read(base / "cgroup.controllers").split())
    if not {"memory", "pids"} <= available:
        raise CgroupUnavailable(f"cgroup v2 at {base} does not offer the memory and pids controllers "
                                f"(it offers: {', '.join(sorted(available)) or 'none'})")
    enabled = set(_read(base / "cgroup.subtree_control").split())
    if not {"memory", "pids"} <= enabled:
        try:
            _write(base / "cgroup.subtree_control", "+memory +pids")
        except OSError:
            # Only leaf groups may hold processes: move the grader into a leaf of its own, then delegate.
            leaf = base / f"nncourse-grader-{os.getpid()}"
            try:
                leaf.mkdir(exist_ok=True)
                _write(leaf / "cgroup.procs", str(os.getpid()))
                _write(base / "cgroup.subtree_control", "+memory +pids")
            except OSError as exc:
                with contextlib.suppress(OSError):
                    _write(base / "cgroup.procs", str(os.getpid()))
                    leaf.rmdir()
                raise CgroupUnavailable(f"cannot delegate the memory and pids controllers below {base} "
                                        f"({exc.strerror or exc}); other processes share the grader's group") from None
    parents = {"": base}
    try:
        _probe(parents, 2)
    except OSError as exc:
        raise CgroupUnavailable(f"cannot create groups below {base} ({exc.strerror or exc})") from None
    return Hierarchy(2, parents)


def _v1(mounts, own) -> Hierarchy:
    parents = {}
    for controller in ("memory", "pids"):
        point = next(((p, r) for p, r, t, o in mounts if t == "cgroup" and controller in o), None)
        if point is None or controller not in own:
            raise CgroupUnavailable(f"the cgroup v1 {controller} controller is not mounted")
        parents[controller] = _folder(point[0], point[1], own[controller])
    try:
        _probe(parents, 1)
    except OSError as exc:
        raise CgroupUnavailable(f"cannot create groups below {', '.join(map(str, parents.values()))} "
                                f"({exc.strerror or exc})") from None
    return Hierarchy(1, parents)


def find_hierarchy() -> Hierarchy:
    """The cgroup hierarchy runs can use here (v2 preferred); raise :class:`CgroupUnavailable`."""
    try:
        mounts, own = _mounts(), _own_groups()
    except OSError as exc:
        raise CgroupUnavailable(f"cannot read this process's cgroups ({exc})") from None
    reasons = []
    for attempt in (_v2, _v1):
        try:
            hierarchy = attempt(mounts, own)
        except (CgroupUnavailable, OSError) as exc:
            reasons.append(str(exc))
            continue
        remove_stale(hierarchy)
        return hierarchy
    raise CgroupUnavailable("; ".join(reasons))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(hierarchy: Hierarchy) -> None:
    """Remove empty run groups left by graders that were killed."""
    for parent in hierarchy.parents.values():
        with contextlib.suppress(OSError):
            for entry in os.scandir(parent):
                name = entry.name
                if not (name.startswith(PREFIX) and entry.is_dir(follow_symlinks=False)):
                    continue
                owner = name[len(PREFIX):].split("-", 1)[0]
                if owner.isdigit() and not _pid_alive(int(owner)):
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)


class RunGroup:
    """The group of one run: made with its limits, emptied and removed by :meth:`close`."""

    def __init__(self, hierarchy: Hierarchy, *, memory_bytes: int, processes: int):
        self.hierarchy = hierarchy
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.folders = {key: parent / name for key, parent in hierarchy.parents.items()}
        try:
            for folder in self.folders.values():
                folder.mkdir()
            if hierarchy.version == 2:
                folder = self.folders[""]
                _write(folder / "memory.max", str(memory_bytes))
                with contextlib.suppress(OSError):  # no swap for the run, where the kernel has swap accounting
                    _write(folder / "memory.swap.max", "0")
                _write(folder / "pids.max", str(processes))
            else:
                memory = self.folders["memory"]
                _write(memory / "memory.limit_in_bytes", str(memory_bytes))
                with contextlib.suppress(OSError):
                    _write(memory / "memory.memsw.limit_in_bytes", str(memory_bytes))
                _write(self.folders["pids"] / "pids.max", str(processes))
        except OSError:
            self.close()
            raise

    @property
    def procs_files(self) -> list[str]:
        """The files the launcher writes its pid to (every controller's group)."""
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def pids(self) -> list[int]:
        found = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                found.update(int(p) for p in _read(folder / "cgroup.procs").split())
        return sorted(found)

    def oom_kills(self) -> int:
        """Processes the kernel stopped because the run reached its memory limit."""
        name = "memory.events" if self.hierarchy.version == 2 else "memory.oom_control"
        folder = self.folders["" if self.hierarchy.version == 2 else "memory"]
        try:
            for line in _read(folder / name).splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def peak_bytes(self) -> int | None:
        folder = self.folders["" if self.hierarchy.version == 2 else "memory"]
        name = "memory.peak" if self.hierarchy.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int(_read(folder / name))
        except (OSError, ValueError):
            return None

    def kill(self, timeout: float = 10.0) -> bool:
        """SIGKILL every member until none is left; False if some survived ``timeout`` seconds."""
        kill_file = self.folders.get("", Path("/nonexistent")) / "cgroup.kill"
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            if time.monotonic() > deadline:
                return False
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    _write(kill_file, "1")
            else:
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)

    def close(self) -> bool:
        """Kill what is left and remove the group; False if that failed."""
        emptied = self.kill()
        removed = True
        for folder in self.folders.values():
            for _ in range(100):  # members that were just killed leave the group a moment later
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                removed = False
        return emptied and removed
