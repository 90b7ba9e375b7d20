"""The isolated process a notebook runs in, and how it is cleaned up afterwards.

Every run gets a fresh temporary folder holding its home, IPython, matplotlib
and Jupyter directories, its working directory (the notebook and nothing
else) and the exchange folder for check results. The process tree is started
through :mod:`._launch` in a new session, with resource limits
(:class:`Limits`), and, when the grader runs as root, in a network namespace
with only loopback and as a user of its own taken from a pool of otherwise
unused uids (locked, so parallel runs and parallel graders never share one).
Afterwards every process of that user is killed (``kill(-1)`` as the user: a
``setsid``/double-forked child cannot escape it), as is every process still
in the session or carrying the run's marker in its environment, and files the
user left in the shared temporary folders are deleted.

Without root, runs still get the fresh folders, limits, session and marker
kill, but share the grader's uid and network: see the README's grading
section for what that leaves open.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
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

MARKER_ENV = "NNCOURSE_SANDBOX"
UID_POOL = range(61000, 61500)
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
LAUNCHER = Path(__file__).with_name("_launch.py")
#: Lock files of the leased uids, and each uid's run folders (cleared when leased again).
LEASES = Path(tempfile.gettempdir()) / "nncourse-sandbox-uids"


@dataclass(frozen=True)
class Limits:
    """Resource and time limits of one notebook run.

    ``memory_bytes`` is each process's address space (RLIMIT_AS), so a memory
    bomb gets ``MemoryError`` long before the machine runs short;
    ``run_memory_bytes`` bounds the resident memory of all the run's
    processes together (watched by the parent: many processes, each under
    its own limit, must not add up to the machine's memory);
    ``processes`` bounds the processes and threads of the run's own user
    (RLIMIT_NPROC; without a sandbox user, on top of what the user already
    runs, since the limit counts all of the user's tasks);
    ``file_bytes`` is the largest file the run may write, and the size of its
    private ``/tmp`` (and ``/var/tmp``, ``/dev/shm``) as root; ``output_bytes``
    the output one cell may produce; timeouts are wall-clock seconds.
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

    def rlimits(self) -> dict:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_NPROC": self.processes,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}

    def as_dict(self) -> dict:
        return asdict(self)


def can_isolate() -> bool:
    """True when runs can get their own user and network namespace (root on Linux)."""
    return sys.platform.startswith("linux") and os.geteuid() == 0


def _used_uids() -> set[int]:
    return {entry.pw_uid for entry in pwd.getpwall()}


@contextlib.contextmanager
def sandbox_uid():
    """Lease an unused uid for one run (a lock file per uid); None without root."""
    if not can_isolate():
        yield None
        return
    lock_dir = LEASES
    lock_dir.mkdir(exist_ok=True)
    lock_dir.chmod(0o711)  # run folders live below it; their names stay unlistable
    taken = _used_uids()
    for uid in UID_POOL:
        if uid in taken:
            continue
        fh = open(lock_dir / f"{uid}.lock", "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            continue
        try:
            # Leftovers of a grader that was killed while it held this uid.
            kill_user(uid)
            remove_user_files(uid)
            shutil.rmtree(lock_dir / str(uid), ignore_errors=True)
            (lock_dir / str(uid)).mkdir(mode=0o711)
            yield uid
        finally:
            fh.close()
        return
    raise RuntimeError(f"all {len(UID_POOL)} sandbox uids are in use")


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


def find_processes(*, uid: int | None = None, sid: int | None = None, marker: str | None = None) -> list[int]:
    """Live (non-zombie) processes owned by ``uid``, in session ``sid`` or with ``marker``."""
    found = []
    me = os.getpid()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == me:
            continue
        status = _proc_status(pid)
        if not status or status.get("State", ["?"])[0] in ("Z", "X"):
            continue
        if ((uid is not None and str(uid) in status.get("Uid", []))
                or (sid is not None and _proc_sid(pid) == sid)
                or (marker is not None and _has_marker(pid, marker))):
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


def kill_user(uid: int) -> None:
    """SIGKILL every process of ``uid`` (as that user: ``kill(-1)``), until none is left."""
    for _ in range(20):
        subprocess.run([sys.executable, "-I", "-S", str(LAUNCHER), "kill", str(uid)],
                       check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not find_processes(uid=uid):
            return
        time.sleep(0.05)


def kill_tree(*, uid: int | None, sid: int | None, marker: str) -> None:
    """Kill everything a run started, however it tried to hide."""
    if uid is not None:
        kill_user(uid)
    for _ in range(20):
        pids = find_processes(sid=sid, marker=marker)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def remove_user_files(uid: int) -> None:
    """Delete what ``uid`` left in the machine's shared temporary folders."""
    for top in SHARED_TMP:
        for root, dirs, files in os.walk(top):
            for name in list(dirs) + files:
                path = os.path.join(root, name)
                try:
                    if os.lstat(path).st_uid != uid:
                        continue
                except OSError:
                    continue
                if name in dirs:
                    dirs.remove(name)
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
            if root.count(os.sep) - top.count(os.sep) >= 2:
                dirs.clear()


_FONT_CACHE_LOCK = threading.Lock()


def _matplotlib_cache_template() -> Path:
    """A matplotlib font cache built once per matplotlib version, copied into every run (~0.5 s each)."""
    import matplotlib

    with _FONT_CACHE_LOCK:
        template = Path(tempfile.gettempdir()) / f"nncourse-mplcache-{matplotlib.__version__}"
        if not template.is_dir():
            building = Path(tempfile.mkdtemp(prefix="nncourse-mplcache-building-"))
            subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                           env={**os.environ, "MPLCONFIGDIR": str(building)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                os.rename(building, template)
            except OSError:  # another grader finished first
                shutil.rmtree(building, ignore_errors=True)
        return template


def needed_paths() -> set[Path]:
    """What a run must be able to read: the Python installation, the virtualenv, the course's code."""
    return {Path(os.path.realpath(sys.executable)), Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
            Path(__file__).resolve().parents[2]}


def kept_under_private_tmp(folders, run_root: Path) -> list[str]:
    """The run's folder, plus any needed path that lives under a folder the run gets a private copy of.

    A checkout (and its ``.venv``) under ``/tmp`` would otherwise vanish behind
    the run's private ``/tmp``; the launcher binds these back at the same path.
    """
    kept = [str(run_root)]
    for path in sorted(needed_paths()):
        path = path if path.is_dir() else path.parent
        if any(path.is_relative_to(folder) and path != Path(folder) for folder in folders):
            kept.append(str(path))
    return kept


def closed_parents() -> list[tuple[str, str]]:
    """``(parent, child)`` pairs where a folder the run needs sits in a folder closed to others.

    Typically ``/root`` (mode 700) holding a pyenv Python that the virtualenv
    points into: the launcher re-exposes just that child to the sandbox user.
    """
    pairs = set()
    for target in needed_paths():
        for parent in reversed(target.parents):
            if parent == target or not (parent.stat().st_mode & 0o001):
                if parent != target:
                    child = target.parts[: len(parent.parts) + 1]
                    pairs.add((str(parent), str(Path(*child))))
                break
    return sorted(pairs)


class RunDir:
    """The fresh folder tree of one run (removed by :meth:`remove`)."""

    def __init__(self, uid: int | None):
        self.uid = uid
        self.root = Path(tempfile.mkdtemp(prefix="nncourse-run-", dir=LEASES / str(uid) if uid is not None else None))
        self.root.chmod(0o755)
        self.home = self.root / "home"
        self.work = self.root / "work"
        self.exchange = self.root / "exchange"
        self.record = self.root / "record"
        self.tmp = self.root / "tmp"
        for folder in (self.home, self.work, self.exchange, self.record, self.tmp):
            folder.mkdir(mode=0o700)
        shutil.copytree(_matplotlib_cache_template(), self.home / ".matplotlib")
        if uid is not None:
            for folder in (self.home, self.work, self.exchange, self.record, self.tmp):
                for path in [folder, *folder.rglob("*")]:
                    os.lchown(path, uid, uid)
        self.marker = uuid.uuid4().hex

    def give(self, path: Path) -> None:
        """Make a file the grader wrote readable and writable by the run's user."""
        if self.uid is not None:
            os.lchown(path, self.uid, self.uid)

    def environment(self, extra: dict, *, isolate: bool) -> dict:
        """A clean environment: nothing of the grader's own, fresh configuration dirs.

        Sandboxed runs keep temporary files in their private ``/tmp`` (see
        :mod:`._launch`); others in a folder of the run.
        """
        venv_bin = str(Path(sys.executable).parent)
        env = {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "TMPDIR": "/tmp" if isolate and self.uid is not None else str(self.tmp),
            "USER": "student", "LOGNAME": "student",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "IPYTHONDIR": str(self.home / ".ipython"),
            "MPLCONFIGDIR": str(self.home / ".matplotlib"),
            "JUPYTER_CONFIG_DIR": str(self.home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(self.home / ".local/share/jupyter"),
            "JUPYTER_RUNTIME_DIR": str(self.home / ".local/share/jupyter/runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            MARKER_ENV: self.marker,
        }
        env.update(extra)
        return env

    def launch(self, argv: list[str], *, env: dict, limits: Limits, stdout, isolate: bool,
               hide: tuple = ()) -> subprocess.Popen:
        """Start ``argv`` in a new session through the launcher (limits, namespace, user)."""
        sandboxed = isolate and self.uid is not None
        rlimits = limits.rlimits()
        if not sandboxed:
            # RLIMIT_NPROC counts every task of the user: leave room for what the user already runs.
            rlimits["RLIMIT_NPROC"] += _tasks_of(os.getuid())
        spec = {"limits": rlimits, "cwd": str(self.work), "uid": self.uid if sandboxed else None,
                "network": False if sandboxed else None,
                "expose": closed_parents() if sandboxed else [], "stage": str(self.root / "stage"),
                "hide": [str(p) for p in hide] if sandboxed else [],
                "private_tmp": {"folders": list(SHARED_TMP[:3]), "size": limits.file_bytes,
                                "keep": kept_under_private_tmp(SHARED_TMP[:3], self.root)}
                if sandboxed else None}
        if sandboxed:
            (self.root / "stage").mkdir(mode=0o700, exist_ok=True)
        command = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec), *argv]
        return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        if self.uid is not None:
            remove_user_files(self.uid)
