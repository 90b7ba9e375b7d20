"""Where a notebook runs: a bubblewrap sandbox in a cgroup of its own, or (asked for) nothing.

**Isolated runs** (``nncourse grade``) start through :mod:`._launch`, which
joins the run's cgroup (:mod:`.cgroups`: memory with shared memory and memfd
counted, and a process limit) and sets resource limits, then becomes
``bwrap`` (bubblewrap, the sandbox Flatpak is built on). Each run gets new
user, pid, IPC, network (loopback only), UTS and mount namespaces, dies with
its parent, and sees an **allow-list** file system:

* read-only: the operating system's programs and libraries (``/usr`` and its
  links), the Python installation, the virtualenv and the folders on its
  ``sys.path``, the ``nncourse`` package, and the run's own configuration
  (the rebuilt notebook, the sanitize file, the start-up hook);
* writable, in memory, size-limited and gone with the run: ``/sandbox``
  (home, working folder, the checks' results), ``/tmp``, ``/var/tmp``,
  ``/dev/shm``; everything written there counts against the run's memory;
* nothing else: no checkout, no instructor notebooks, no submissions, no
  results, no home folders, no ``/run``, no ``/sys``, a fresh ``/proc`` that
  shows only the run's processes.

Nothing the run writes is read by the grader from disk: the nbval plugin
hands events and results over a pipe the grader holds (see :mod:`.runner`).
Afterwards every member of the cgroup is killed and the group removed; the
IPC namespace (SysV and POSIX shared memory, message queues) dies with the
run's last process.

:func:`isolation` checks once per process that all of this works here (a real
probe run) and raises :class:`IsolationUnavailable` with what is missing and
how to get it; ``nncourse grade`` then refuses to grade unless told
``--no-isolation``.

**Unisolated runs** (``nncourse check``, ``nncourse grade --no-isolation``)
get only a fresh folder, resource limits (rlimits), their own session, and a
parent that polls their memory and kills them afterwards by session and by a
marker in their environment.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from . import cgroups

MARKER_ENV = "NNCOURSE_SANDBOX"
LAUNCHER = Path(__file__).with_name("_launch.py")
#: The user the run sees itself as (mapped to the grader's user outside; no capabilities).
SANDBOX_UID = 1000
#: Paths inside the sandbox.
INSIDE = "/sandbox"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: Dynamic-loader configuration (programs in /usr need it to find their libraries).
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")


@dataclass(frozen=True)
class Limits:
    """Resource and time limits of one notebook run.

    ``memory_bytes`` is each process's address space (RLIMIT_AS), so a memory
    bomb gets ``MemoryError`` long before the machine runs short;
    ``run_memory_bytes`` bounds the memory of the whole run — every process,
    shared memory, memfd files and the in-memory ``/tmp`` — through its
    cgroup (without isolation, only the resident memory of its processes,
    polled); ``processes`` bounds the run's processes and threads (the cgroup's
    ``pids.max``; without isolation RLIMIT_NPROC on top of what the user
    already runs); ``file_bytes`` is the largest file the run may write and
    the size of its private ``/tmp``, ``/var/tmp`` and ``/dev/shm``;
    ``output_bytes`` the output one cell may produce; timeouts are wall-clock
    seconds.
    """

    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    memory_bytes: int = 4 * 2**30
    run_memory_bytes: int = 6 * 2**30
    processes: int = 256
    file_bytes: int = 256 * 2**20
    cpu_seconds: int = 1200
    open_files: int = 1024
    output_bytes: int = 4 * 2**20

    def rlimits(self, *, isolated: bool) -> dict:
        limits = {"RLIMIT_AS": self.memory_bytes, "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_CPU": self.cpu_seconds,
                  "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}
        if not isolated:
            # RLIMIT_NPROC counts every task of the user: leave room for what the user already runs.
            # (Isolated runs use the cgroup's pids.max instead, which counts the run's tasks only.)
            limits["RLIMIT_NPROC"] = self.processes + _tasks_of(os.getuid())
        return limits

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- #
# Is full isolation available here?
# --------------------------------------------------------------------------- #


class IsolationUnavailable(RuntimeError):
    """The sandbox cannot be set up here; the message says what is missing and how to get it."""


HOW_TO = {
    "linux": "The sandbox needs Linux (namespaces and cgroups): grade on a Linux machine or in a Linux container.",
    "bwrap": "Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install "
             "bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch).",
    "userns": "bubblewrap needs user namespaces: `sysctl user.max_user_namespaces` must be above 0 (and "
              "`kernel.unprivileged_userns_clone=1` on older Debian kernels, "
              "`kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor profile for bwrap on Ubuntu 24.04+); "
              "in Docker, run the container with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` "
              "(or a seccomp profile that allows creating user namespaces).",
    "cgroup": "Runs need a writable cgroup with the memory and pids controllers: run the grader as root "
              "(cgroup v1 or v2), or as a user inside a delegated cgroup v2 subtree, e.g. "
              "`systemd-run --user --scope -p Delegate=yes nncourse grade ...`; in a container, give it a "
              "writable cgroup (Docker: `--cgroupns=private` with cgroup v2, or `--privileged`).",
}


@dataclass(frozen=True)
class Isolation:
    """What every isolated run needs, checked once: bwrap, the cgroup hierarchy, the allow-list."""

    bwrap: str
    hierarchy: cgroups.Hierarchy
    binds: tuple  # bwrap arguments that build the read-only file system

    def visible(self) -> list[Path]:
        """Every host path a run can read (for the check that no private folder is among them)."""
        shown = []
        for i, arg in enumerate(self.binds):
            if arg in ("--ro-bind", "--ro-bind-try"):
                shown.append(Path(self.binds[i + 1]))
        return shown

    def hidden(self) -> list[Path]:
        """Folders inside what the runs see that are covered by an empty file system (the packaged answers)."""
        return [Path(self.binds[i + 1]) for i, arg in enumerate(self.binds) if arg == "--tmpfs"]

    def describe(self) -> str:
        return f"bubblewrap ({self.bwrap}), {self.hierarchy.describe()}"


_ISOLATION_LOCK = threading.Lock()
_isolation: Isolation | None = None


def isolation() -> Isolation:
    """The isolation this machine offers, checked by a real probe run; raise :class:`IsolationUnavailable`."""
    global _isolation
    with _ISOLATION_LOCK:
        if _isolation is None:
            _isolation = _check_isolation()
        return _isolation


def _check_isolation() -> Isolation:
    if not sys.platform.startswith("linux"):
        raise IsolationUnavailable(f"this is {sys.platform}, not Linux. {HOW_TO['linux']}")
    bwrap = shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap")
                                           if os.access(p, os.X_OK)), None)
    if bwrap is None:
        raise IsolationUnavailable(f"bubblewrap (`bwrap`) is not installed. {HOW_TO['bwrap']}")
    try:
        hierarchy = cgroups.find_hierarchy()
    except cgroups.CgroupUnavailable as exc:
        raise IsolationUnavailable(f"no usable cgroup: {exc}. {HOW_TO['cgroup']}") from None
    found = Isolation(bwrap, hierarchy, tuple(_system_binds() + _python_binds()))
    _probe_run(found)
    return found


def _system_binds() -> list[str]:
    args = []
    for top in SYSTEM_DIRS:
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


_PROBE = r"""
import importlib.util, json, sys
spec = importlib.util.find_spec("nncourse")
print(json.dumps({"executable": sys.executable, "prefix": sys.prefix, "base_prefix": sys.base_prefix,
                  "path": sys.path, "nncourse": list(spec.submodule_search_locations or []) if spec else []}))
"""


def _python_binds() -> list[str]:
    """Read-only binds of everything the run's Python imports from, at the paths it knows them by.

    Asked of a fresh ``python -I`` (exactly how runs start), so the grader's
    own working directory or test paths never end up in the sandbox.
    """
    try:
        out = subprocess.run([sys.executable, "-I", "-c", _PROBE], capture_output=True, text=True, timeout=60,
                             check=True, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}).stdout
        seen = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise IsolationUnavailable(f"cannot ask {sys.executable} where its packages are ({exc})") from None
    if not seen["nncourse"]:
        raise IsolationUnavailable(f"`python -I` ({sys.executable}) cannot import nncourse: install it into that "
                                   "environment (`pip install -e .` in the course folder)")
    wanted = {os.path.dirname(seen["executable"]), os.path.dirname(os.path.realpath(seen["executable"])),
              seen["prefix"], seen["base_prefix"], *seen["path"], *seen["nncourse"]}
    pairs = set()
    for path in wanted:
        if not path or not os.path.exists(path):
            continue  # e.g. python311.zip, which most installations do not have
        real = os.path.realpath(path)
        for dest in {real, os.path.abspath(path)}:
            pairs.add((real, dest))
    covered = [d for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
    args = []
    for real, dest in sorted(pairs, key=lambda p: (len(p[1]), p[1])):
        if dest == "/":
            raise IsolationUnavailable(f"{sys.executable}'s environment puts / itself on its import path; "
                                       "the sandbox cannot show everything")
        if any(dest == c or dest.startswith(c.rstrip("/") + "/") for c in covered):
            continue
        args += ["--ro-bind", real, dest]
        covered.append(dest)
    # An installed wheel keeps the instructor notebooks (the answers) inside the package that every
    # run imports: cover them with an empty folder (after the binds, so that it lies on top).
    for location in seen["nncourse"]:
        answers = os.path.join(location, "course", "notebooks")
        if os.path.isdir(answers):
            for dest in {os.path.realpath(answers), os.path.abspath(answers)}:
                args += ["--tmpfs", dest]
    return args


def _probe_run(found: Isolation) -> None:
    """Start a real run that prints a line: proves namespaces, cgroup, launcher and binds all work."""
    with tempfile.TemporaryDirectory(prefix="nncourse-probe-") as tmp:
        run = RunDir(Path(tmp))
        try:
            group = cgroups.RunGroup(found.hierarchy, memory_bytes=512 * 2**20, processes=64)
        except OSError as exc:
            raise IsolationUnavailable(f"cannot create a cgroup for a run ({exc}). {HOW_TO['cgroup']}") from None
        try:
            argv = run.command([sys.executable, "-I", "-c", "import nncourse.grading; print('nncourse sandbox ok')"],
                               limits=Limits(), isolation=found, group=group, notebook_name=None)
            proc = subprocess.run(argv, env=run.environment(isolated=True), capture_output=True, timeout=120,
                                  stdin=subprocess.DEVNULL, start_new_session=True, cwd=run.root)
        except (OSError, subprocess.SubprocessError) as exc:
            raise IsolationUnavailable(f"bubblewrap could not start ({exc}). {HOW_TO['userns']}") from None
        finally:
            group.close()
        said = (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()
        if proc.returncode != 0 or "nncourse sandbox ok" not in said:
            hint = HOW_TO["userns"] if any(w in said for w in ("namespace", "uid map", "Operation not permitted")) \
                else "The output says what failed inside the sandbox."
            raise IsolationUnavailable(f"a test run in the sandbox failed (exit status {proc.returncode}): "
                                       f"{said[-600:] or 'no output'}. {hint}")


# --------------------------------------------------------------------------- #
# Per-user caches (never a world-shared folder)
# --------------------------------------------------------------------------- #


def user_cache_dir() -> Path:
    """This user's private cache folder for the grader (``~/.cache/nncourse``, mode 700).

    If it cannot be made private (no home, a folder owned by someone else or
    open to others), a private temporary folder for this process is used.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nncourse"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(base)
        if (os.path.islink(base) or info.st_uid != os.geteuid() or info.st_mode & 0o022
                or not os.access(base, os.W_OK)):
            raise PermissionError(f"{base} is not private to this user")
        return base
    except (OSError, RuntimeError):
        return _process_cache_dir()


@functools.lru_cache(maxsize=1)
def _process_cache_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="nncourse-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


_FONT_CACHE_LOCK = threading.Lock()


def matplotlib_cache() -> Path:
    """A matplotlib font cache built once per user and matplotlib version, given to every run."""
    from importlib.metadata import version  # not `import matplotlib`: the grader need not load it

    with _FONT_CACHE_LOCK:
        template = user_cache_dir() / f"matplotlib-{version('matplotlib')}"
        if not template.is_dir():
            building = Path(tempfile.mkdtemp(prefix=".matplotlib-building-", dir=template.parent))
            subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], check=False,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLCONFIGDIR": str(building)},
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                os.rename(building, template)
            except OSError:  # another grader of this user finished first
                shutil.rmtree(building, ignore_errors=True)
        return template


# --------------------------------------------------------------------------- #
# One run's folder and command
# --------------------------------------------------------------------------- #


class RunDir:
    """The grader's private folder for one run (mode 700; removed by :meth:`remove`).

    ``config/`` holds what the run reads (the notebook, ``pytest.ini``, the
    sanitize file, the start-up hook, ``passwd``); ``exchange/`` what the
    grader received from the run over its pipe. An unisolated run also gets
    ``home/``, ``work/``, ``tmp/`` and ``sink/`` here; an isolated one has them
    in memory inside the sandbox, under ``/sandbox``.
    """

    def __init__(self, parent: Path | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="run-" if parent else "nncourse-run-", dir=parent))
        self.config = self.root / "config"
        self.exchange = self.root / "exchange"
        for folder in (self.config, self.exchange):
            folder.mkdir(mode=0o700)
        self.marker = uuid.uuid4().hex

    def inside(self, isolated: bool) -> dict[str, str]:
        """The run's folders as the run sees them."""
        if isolated:
            return {"home": f"{INSIDE}/home", "work": f"{INSIDE}/work", "sink": f"{INSIDE}/exchange",
                    "config": f"{INSIDE}/grader", "tmp": "/tmp"}
        folders = {name: str(self.root / name) for name in ("home", "work", "sink", "tmp")}
        for path in folders.values():
            os.makedirs(path, mode=0o700, exist_ok=True)
        return {**folders, "config": str(self.config)}

    def environment(self, *, isolated: bool) -> dict:
        """A clean environment: nothing of the grader's own, fresh configuration folders."""
        where = self.inside(isolated)
        home = where["home"]
        venv_bin = str(Path(sys.executable).parent)
        env = {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home, "TMPDIR": where["tmp"],
            "USER": "student", "LOGNAME": "student",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC",
            "IPYTHONDIR": f"{home}/.ipython",
            "MPLCONFIGDIR": f"{home}/.config/matplotlib",
            "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
            "JUPYTER_DATA_DIR": f"{home}/.local/share/jupyter",
            "JUPYTER_RUNTIME_DIR": f"{home}/.local/share/jupyter/runtime",
            "JUPYTER_PLATFORM_DIRS": "1",
            "XDG_CACHE_HOME": f"{home}/.cache",
            "XDG_CONFIG_HOME": f"{home}/.config",
            "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            # pytest loads only the plugins the run names (nbval and the course's), not every one installed.
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        }
        if not isolated:
            env[MARKER_ENV] = self.marker
        return env

    def write_config(self, name: str, data: bytes) -> Path:
        path = self.config / name
        path.write_bytes(data)
        return path

    def provide(self, files: dict[str, Path], *, isolated: bool) -> list[str]:
        """Put grader files at paths of the run (``{path the run sees: file}``): binds, or copies without isolation."""
        if isolated:
            args = []
            for dest, source in sorted(files.items()):
                args += ["--ro-bind", str(source), dest]
            return args
        for dest, source in files.items():
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(source, dest)
        return []

    def command(self, argv: list[str], *, limits: Limits, isolation: Isolation | None,
                group: cgroups.RunGroup | None, notebook_name: str | None, files: dict | None = None,
                pass_fds: tuple = ()) -> list[str]:
        """The launcher command line that runs ``argv`` (isolated when ``isolation`` is given)."""
        isolated = isolation is not None
        where = self.inside(isolated)
        files = dict(files or {})
        if notebook_name is not None:
            files[f"{where['work']}/{notebook_name}"] = self.config / "notebook.ipynb"
        spec = {"limits": limits.rlimits(isolated=isolated), "cgroup_procs": group.procs_files if group else [],
                "reap": isolated}
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec)]
        if not isolated:
            self.provide(files, isolated=False)
            return launcher + argv
        sizes = str(limits.file_bytes)
        for name, text in (("passwd", f"student:x:{SANDBOX_UID}:{SANDBOX_UID}:student:{where['home']}:/usr/sbin/nologin\n"),
                           ("group", f"student:x:{SANDBOX_UID}:\n")):
            files[f"/etc/{name}"] = self.write_config(name, text.encode())
        config_files = {f"{where['config']}/{p.name}": p for p in self.config.iterdir()
                        if p.name not in ("notebook.ipynb", "passwd", "group")}
        bwrap = [
            isolation.bwrap,
            "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--disable-userns",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "sandbox",
            "--die-with-parent", "--new-session",
            # The private temporary folders first: a virtualenv or Python kept under /tmp is then
            # bound on top of them (at its own path), not hidden by them.
            "--proc", "/proc", "--dev", "/dev",
            "--perms", "1777", "--size", sizes, "--tmpfs", "/tmp",
            "--perms", "1777", "--size", sizes, "--tmpfs", "/var/tmp",
            "--perms", "1777", "--size", sizes, "--tmpfs", "/dev/shm",
            *isolation.binds,
            # Room for a file of the largest allowed size next to the home folder's contents.
            "--perms", "0755", "--size", str(2 * limits.file_bytes + 64 * 2**20), "--tmpfs", INSIDE,
            "--dir", where["home"], "--dir", where["work"], "--dir", where["sink"],
            *self.provide({**config_files, **files}, isolated=True),
            "--remount-ro", "/",
            "--chdir", where["work"],
            "--", *argv,
        ]
        return launcher + bwrap

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------- #
# Unisolated runs: finding and stopping their processes
# --------------------------------------------------------------------------- #


def _proc_status(pid: str) -> dict:
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                fields[key] = value.split()
    except OSError:
        pass
    return fields


def _proc_sid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            after_name = fh.read().rsplit(")", 1)[1].split()
        return int(after_name[3])
    except (OSError, IndexError, ValueError):
        return None


def _has_marker(pid: str, marker: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return f"{MARKER_ENV}={marker}".encode() in fh.read().split(b"\0")
    except OSError:
        return False


def find_processes(*, sid: int | None = None, marker: str | None = None) -> list[int]:
    """Live (non-zombie) processes in session ``sid`` or with ``marker`` in their environment."""
    found = []
    me = os.getpid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        status = _proc_status(pid)
        if not status or status.get("State", ["?"])[0] in ("Z", "X"):
            continue
        if (sid is not None and _proc_sid(pid) == sid) or (marker is not None and _has_marker(pid, marker)):
            found.append(int(pid))
    return found


def _tasks_of(uid: int) -> int:
    """Processes and threads ``uid`` runs now (what RLIMIT_NPROC counts)."""
    total = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            status = _proc_status(pid)
            if status.get("Uid", [None])[0] == str(uid):
                total += int(status.get("Threads", ["1"])[0])
    return total


def resident_bytes(pids: list[int]) -> int:
    """Resident memory of these processes together (threads share their process's)."""
    total = 0
    for pid in pids:
        rss = _proc_status(str(pid)).get("VmRSS")
        if rss:
            total += int(rss[0]) * 1024
    return total


def inner_to_outer(inner: int, candidates: list[int]) -> int | None:
    """The pid, as the grader sees it, of the process that has pid ``inner`` inside its pid namespace."""
    for pid in candidates:
        ns = _proc_status(str(pid)).get("NSpid")
        if ns and ns[-1] == str(inner):
            return pid
    return None


def kill_tree(*, sid: int | None, marker: str) -> None:
    """Kill everything an unisolated run started that can still be found (session, marker)."""
    for _ in range(20):
        pids = find_processes(sid=sid, marker=marker)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
