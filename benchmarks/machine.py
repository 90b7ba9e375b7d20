"""What machine a run measured, and how busy it was while it measured.

The benchmarks run on shared 2-core machines, where another process on the
second core slows multi-threaded BLAS several-fold. Every measurement is
therefore wrapped in a :class:`LoadProbe`, which reads ``/proc/stat`` and the
load average before and after and reports how much CPU *other* processes used
in the meantime (all CPU time the kernel counted as busy, minus this process
tree's own). Linux only; elsewhere the probe reports nothing rather than
guessing.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_ticks() -> dict[str, tuple[int, int]] | None:
    """Per-CPU (busy, total) clock ticks since boot from /proc/stat; None where unavailable."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    ticks = {}
    for line in lines:
        if not line.startswith("cpu"):
            continue
        name, *fields = line.split()
        values = [int(v) for v in fields[:8]]
        # user nice system idle iowait irq softirq steal: idle and iowait are the only
        # time nobody ran; steal is time the hypervisor gave to another machine.
        idle = values[3] + values[4]
        ticks[name] = (sum(values) - idle, sum(values))
    return ticks


def _own_cpu_seconds() -> float:
    """CPU seconds used by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def loadavg() -> list[float] | None:
    try:
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


class LoadProbe:
    """Context manager measuring other processes' CPU use during a block.

    After the block, :attr:`result` holds:

    ``wall_s``
        seconds the block took;
    ``others_cores``
        average number of cores kept busy by *other* processes (0 = idle
        machine, 2 = both cores taken by someone else);
    ``cpu_busy``
        busy fraction of each core (ours included), e.g. ``{"cpu0": 0.99, "cpu1": 0.12}``;
    ``other_core_busy``
        when this process is pinned to one core: the busy fraction of the
        core(s) it is not allowed to use, i.e. purely other people's work;
    ``loadavg_before`` / ``loadavg_after``
        the 1, 5 and 15-minute load averages.
    """

    def __enter__(self) -> "LoadProbe":
        self.result: dict = {}
        self._load0 = loadavg()
        self._ticks0 = _cpu_ticks()
        self._own0 = _own_cpu_seconds()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        wall = time.perf_counter() - self._t0
        own = _own_cpu_seconds() - self._own0
        ticks1 = _cpu_ticks()
        result = {"wall_s": wall, "own_cpu_s": own, "loadavg_before": self._load0, "loadavg_after": loadavg()}
        if self._ticks0 and ticks1:
            delta = {k: (ticks1[k][0] - self._ticks0[k][0], ticks1[k][1] - self._ticks0[k][1])
                     for k in ticks1 if k in self._ticks0}
            busy_all = delta["cpu"][0] / _TICKS
            result["others_cores"] = max(0.0, (busy_all - own) / wall) if wall > 0 else None
            per_cpu = {k: (b / t if t else 0.0) for k, (b, t) in delta.items() if k != "cpu"}
            result["cpu_busy"] = per_cpu
            allowed = {f"cpu{i}" for i in os.sched_getaffinity(0)} if hasattr(os, "sched_getaffinity") else set(per_cpu)
            others = [v for k, v in per_cpu.items() if k not in allowed]
            result["other_core_busy"] = max(others) if others else None
        self.result = result


def wait_for_quiet(max_wait_s: float, threshold_cores: float = 0.5, sample_s: float = 0.5) -> dict:
    """Wait (at most ``max_wait_s``) until other processes use less than ``threshold_cores``.

    A shared machine is rarely idle; waiting a few seconds for someone else's
    burst to end makes multi-threaded timings far less noisy. Returns how long
    it waited and the last load seen (the measurement itself is probed again).
    """
    t0 = time.perf_counter()
    while True:
        with LoadProbe() as probe:
            time.sleep(sample_s)
        others = probe.result.get("others_cores")
        waited = time.perf_counter() - t0
        if others is None or others < threshold_cores or waited >= max_wait_s:
            return {"waited_s": round(waited, 1), "others_cores": others}


def describe_machine() -> dict:
    """CPU model, core count, memory, OS, Python and library versions (no host names)."""
    info = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}"}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        flags = next((line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")), "")
        info["simd"] = [f for f in ("avx2", "avx512f", "amx_tile") if f" {f}" in flags]
    except OSError:
        pass
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        info["memory_gb"] = round(mem_kb / 2 ** 20, 1)
    except (OSError, StopIteration):
        pass
    return info
