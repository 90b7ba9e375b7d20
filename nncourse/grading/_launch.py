"""Start a command inside the grading sandbox (run as ``python -I -S _launch.py``).

This file imports only the standard library and is executed as a script, so
the process that sets up the sandbox has a single thread and loads nothing a
submission could have touched. It reads a JSON spec from ``argv[1]`` and then

1. (as root, when ``network`` is false) moves into a new network namespace
   that holds only a loopback interface, which it brings up: the kernel and
   nbval talk over 127.0.0.1, and nothing else is reachable;
2. (as root) in a private mount namespace, re-exposes the Python installation
   if it sits in a folder closed to other users (``/root``), gives the run
   its own size-limited ``/tmp``, ``/var/tmp`` and ``/dev/shm``, and covers
   the folders named in ``hide`` (instructor notebooks, submissions, results)
   with empty ones;
3. sets resource limits (address space, processes, file size, CPU time, open
   files, no core dumps);
4. (as root, when ``uid`` is given) drops to that otherwise unused user, so
   the submission cannot write to the course, the virtualenv or the results
   folder, and every process it starts can be found and killed by its uid;
5. replaces itself with the command (``argv[2:]``).

``kill`` mode (``argv[1] == "kill"``, ``argv[2]`` a uid) becomes that user and
sends SIGKILL to every process the user owns (``kill(-1)``), which also reaches
children that left the session with ``setsid``.
"""

import ctypes
import fcntl
import json
import os
import resource
import signal
import socket
import struct
import sys

CLONE_NEWNET, CLONE_NEWNS = 0x40000000, 0x00020000
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _no_network() -> None:
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    _loopback_up()


def _mount(source, target, fstype, flags, data) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {source} on {target}")


def _expose(pairs: list, stage: str) -> None:
    """Make folders the sandbox user needs reachable through a closed parent.

    For each ``(parent, child)`` (e.g. ``/root`` closed to others, holding the
    Python installation in ``/root/.pyenv``), in a private mount namespace the
    child is set aside, an empty tmpfs (mode 711) covers the parent, and the
    child is put back: the user reaches the child and nothing else of the
    parent, and nothing changes outside this process tree.
    """
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount("none", "/", None, MS_REC | MS_PRIVATE, None)
    for index, (parent, child) in enumerate(pairs):
        held = os.path.join(stage, str(index))
        os.mkdir(held, 0o700)
        _mount(child, held, None, MS_BIND | MS_REC, None)
        _mount("tmpfs", parent, "tmpfs", 0, "mode=0711,size=1m")
        os.makedirs(child, mode=0o755, exist_ok=True)
        _mount(held, child, None, MS_BIND | MS_REC, None)


def _private_tmp(folders: list, size: int, keep: list) -> None:
    """Give the run its own, size-limited ``/tmp`` (and ``/var/tmp``, ``/dev/shm``).

    Whatever it writes there is bounded and disappears with the run. The
    folders in ``keep`` that live under them (the run's own folder; a checkout
    and its virtualenv if they are in ``/tmp``) are put back at the same paths
    through handles opened before they were covered.
    """
    keep = [keep] if isinstance(keep, str) else list(keep)
    handles = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep]
    for folder in folders:
        if os.path.isdir(folder) and not os.path.islink(folder):
            _mount("tmpfs", folder, "tmpfs", 0, f"mode=1777,size={int(size)}")
    for path, handle in handles:
        if not os.path.isdir(path):
            os.makedirs(path, mode=0o755)
            _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC, None)
        os.close(handle)


def _hide(paths: list, cwd: str) -> None:
    """Cover folders the run must not see (solutions, other submissions, results) with empty ones."""
    for path in paths:
        inside = os.path.commonpath([os.path.realpath(path), os.path.realpath(cwd)]) == os.path.realpath(path)
        if os.path.isdir(path) and not inside:
            _mount("tmpfs", path, "tmpfs", 0, "mode=0755,size=64k")


def _limit(name: str, value: int) -> None:
    which = getattr(resource, name)
    soft, hard = resource.getrlimit(which)
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(which, (value, value))


def _become(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def main(argv: list[str]) -> None:
    if argv[1] == "kill":
        _become(int(argv[2]))
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os._exit(0)
    spec = json.loads(argv[1])
    if spec.get("network") is False:
        _no_network()
    if spec.get("expose") or spec.get("hide") or spec.get("private_tmp"):
        _expose(spec.get("expose", []), spec["stage"])
        if spec.get("private_tmp"):
            _private_tmp(spec["private_tmp"]["folders"], spec["private_tmp"]["size"], spec["private_tmp"]["keep"])
        _hide(spec.get("hide", []), spec["cwd"])
    for name, value in spec.get("limits", {}).items():
        _limit(name, int(value))
    if spec.get("uid") is not None:
        _become(int(spec["uid"]))
    os.chdir(spec["cwd"])
    os.execv(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv)
