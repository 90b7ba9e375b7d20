"""One BLAS/OpenMP thread for the course's kernels (every lesson's set-up cell calls :func:`limit_threads`).

The course's matrices are small (a few hundred rows at most), so a second
thread buys almost nothing on an idle machine, and on a shared one it costs a
lot: threaded BLAS waits for the slowest core, and with the second core busy
the capstone took 169 s with the default threads against 31 s with one
(README, "Benchmarks"). ``nncourse lab`` and the grader already start their
kernels with ``OMP_NUM_THREADS=1``; this call covers kernels the course did not
start (classic Jupyter, a JupyterHub, an IDE), after numpy has loaded, through
threadpoolctl, which knows each BLAS and OpenMP runtime's own switch.

This is course tooling, not mathematics: nothing in the rest of the package
calls it, and it changes no result beyond the last bits of multi-threaded sums.
"""

from __future__ import annotations


def limit_threads(threads: int = 1) -> None:
    """Limit every BLAS and OpenMP thread pool loaded in this process to ``threads`` threads.

    Parameters
    ----------
    threads : int, default 1
        The number of threads each pool may use (a positive integer).
    """
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads: expected a positive int, got {type(threads).__name__} {threads!r}")
    if threads < 1:
        raise ValueError(f"threads: expected a positive int, got {threads}")
    import numpy  # noqa: F401 - its BLAS must be loaded for threadpoolctl to find it
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
