"""Reading files an untrusted process could have written or replaced (standard library only).

A submission, or a process a submission started, may put a FIFO, a device, a
symbolic link or a huge file where the grader expects a small regular file.
Opening a FIFO for reading blocks until someone writes; following a link reads
someone else's file; reading a huge file fills the grader's memory. So every
such file is opened without following links and without blocking, must be a
regular file, and is read only up to a cap. Imported by the nbval plugin too,
so it loads nothing but the standard library.
"""

from __future__ import annotations

import errno
import os
import stat

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def read_regular_file(path, limit: int, *, dir_fd: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` if it holds at most ``limit`` bytes.

    Raises ``OSError``: ``ELOOP`` for a symbolic link, ``EINVAL`` for anything
    but a regular file (FIFO, socket, device, folder), ``EFBIG`` past the cap,
    and whatever ``open`` says otherwise. Never blocks.
    """
    fd = os.open(path, _FLAGS, dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fsdecode(path))
        if info.st_size > limit:
            raise OSError(errno.EFBIG, f"{info.st_size:,} bytes, more than the {limit:,} allowed", os.fsdecode(path))
        chunks, size = [], 0
        while True:  # the file may still be growing: never read more than one byte past the cap
            chunk = os.read(fd, min(limit + 1 - size, 2**20))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise OSError(errno.EFBIG, f"more than the {limit:,} bytes allowed", os.fsdecode(path))
    finally:
        os.close(fd)


def open_folder(path, *, dir_fd: int | None = None) -> int:
    """A file descriptor of the folder ``path`` (``ELOOP`` if it is a link, ``ENOTDIR`` if not a folder)."""
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
