"""Run nncourse's benchmark suite: ``.venv/bin/python -m benchmarks.run`` (from the repository root).

Measures, in one run and on the same data, network, batch size and thread
count, everything issue 7 asks for, and writes ``benchmarks/results/latest.json``
(every number, every repetition, the machine's load during each measurement)
and ``benchmarks/results/latest.md`` (the short table the README carries):

1. one epoch of 784-256-128-10 on 60,000 synthetic samples with nncourse,
   a tuned numpy epoch (``benchmarks/fast_epoch.py``), PyTorch and
   scikit-learn, next to numpy's float32 matmul peak, with 1 and 2 threads:
   median seconds, ratios, GFLOP/s, fraction of the peak;
2. the same for the 8x8 digits (64-32-10, 50 epochs) with test accuracy;
3. ``import nncourse`` against ``import numpy`` (fresh interpreters, median);
4. nbval on every lesson notebook and the whole course against a one-cell notebook;
5. grading throughput of ``nncourse grade`` against a serial ``pytest --nbval`` loop;
6. the capstone notebook (``course.CAPSTONE``, lesson 8's part 2, which trains the final model twice) with a second
   core kept busy, with the course's thread setting
   (``nncourse.threads.limit_threads()`` in its set-up cell) against the default threads and
   against an idle second core;
7. ``nbgrader autograde`` against ``nncourse grade --jobs 1`` and ``--jobs 2`` on the same
   submissions, per core (``benchmarks/scale.py``);
8. a simulated class graded in 4 shard processes and merged, with the projected wall time of
   10,000 notebooks on 50 two-core nodes (``benchmarks/scale.py``).

Each library trains in its own process, started with the thread count fixed
before numpy/torch load; the processes are measured in turn, interleaved, so
that load from other processes on this shared machine hits all of them alike,
and the load during every measurement is recorded. Options: ``--quick``
(fewer repetitions), ``--only mnist,digits,imports,course,grading,threads,nbgrader,shards``
(a subset), ``--settle``, ``--force``, ``--class-size``, ``--grade-lessons``,
``--jobs``, ``--scale-students``, ``--shard-students``, ``--out``.
The output says for every target whether it was met and by how much it was missed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import course, scale
from .machine import LoadProbe, describe_machine, loadavg, wait_for_quiet

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
THREADS = (1, 2)
SECTIONS = ("mnist", "digits", "imports", "course", "grading", "threads", "nbgrader", "shards")
#: What a plain ``python -m benchmarks.run`` measures; the grading-at-scale sections are asked for by name.
DEFAULT_SECTIONS = SECTIONS[:6]
LIBRARIES = ("nncourse", "numpy-tuned", "pytorch", "scikit-learn")
#: library -> the module it needs (besides numpy and nncourse)
NEEDS = {"pytorch": "torch", "scikit-learn": "sklearn"}
#: Above this many cores kept busy by other processes (median over a measurement's repetitions),
#: a comparison is flagged as unfair in the output.
BUSY_CORES = 0.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Worker:
    """A measuring process (:mod:`benchmarks.worker`) with its thread count fixed before anything loads."""

    def __init__(self, threads: int, kind: str, **config):
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
               "MKL_NUM_THREADS": str(threads), "PYTHONHASHSEED": "0"}
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", json.dumps({"threads": threads, "kind": kind, **config})],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.info = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            self.stderr.seek(0)
            lines = self.stderr.read().strip().splitlines()
            self.stderr.close()
            raise RuntimeError(lines[-1] if lines else f"worker exited with {self.proc.returncode}")
        return json.loads(line)

    def measure(self) -> dict:
        self.proc.stdin.write(json.dumps({"cmd": "measure"}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        if not self.stderr.closed:
            self.stderr.close()


def available(library: str) -> bool:
    return library not in NEEDS or importlib.util.find_spec(NEEDS[library]) is not None


def versions() -> dict:
    out = {}
    for dist in ("numpy", "torch", "scikit-learn", "nbval", "pytest", "nncourse"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def measure_interleaved(label: str, entries: dict, threads: int, reps: int, settle: float,
                        budget_s: float) -> dict:
    """Start a worker per entry, then measure them in turn, ``reps`` rounds (order rotated every round).

    ``entries`` maps a name to the worker's kind and configuration. Before each
    measurement the runner waits up to ``settle`` seconds for other processes
    to leave the CPUs. Returns, per name, the worker's set-up facts and every
    measurement with the load during it. No new round starts after
    ``budget_s`` seconds (a busy machine can make an epoch 50 times slower).
    """
    out, workers = {}, {}
    try:
        for name, (kind, config) in entries.items():
            library = config.get("library")
            if library and not available(library):
                out[name] = {"skipped": f"{NEEDS[library]} is not installed: .venv/bin/pip install -e '.[bench]'"}
                continue
            log(f"{label}: starting {name}, {threads} thread(s)")
            try:
                workers[name] = Worker(threads, kind, **config)
            except RuntimeError as exc:
                out[name] = {"error": str(exc)}
                continue
            out[name] = {"info": workers[name].info, "runs": []}
        names = list(workers)
        log(f"{label}: {reps} interleaved round(s) over {', '.join(names)}")
        started = time.perf_counter()
        for rep in range(reps):
            if rep and time.perf_counter() - started > budget_s:
                log(f"{label}: stopping after {rep} round(s): over the {budget_s:.0f} s budget (machine busy?)")
                break
            shift = rep % len(names) if names else 0
            for name in names[shift:] + names[:shift]:
                if "error" in out[name]:
                    continue
                quiet = wait_for_quiet(settle)
                try:
                    out[name]["runs"].append({**workers[name].measure(), "settle": quiet})
                except RuntimeError as exc:
                    out[name]["error"] = str(exc)
    finally:
        for w in workers.values():
            w.close()
    for name in workers:
        runs = out[name]["runs"]
        if not runs:
            continue
        others = [r["load"].get("others_cores") for r in runs if r["load"].get("others_cores") is not None]
        out[name].update({"median_s": statistics.median(r["seconds"] for r in runs),
                          "min_s": min(r["seconds"] for r in runs),
                          "others_median": statistics.median(others) if others else None,
                          "others_max": max(others) if others else None})
    return out


def measure_training(dataset: str, kind: str, reps: int, settle: float, with_peak: bool, force: bool,
                     budget_s: float, threads_list=THREADS, **config) -> dict:
    """Per thread count, every library (and the matmul peak) interleaved; keys ``"library/threads"``.

    Multi-threaded BLAS with another process on the second core measures that
    process more than the library (epochs 10-100 times slower were seen), so
    the 2-thread group is skipped when other processes keep a core busy,
    unless ``force``.
    """
    out = {}
    for threads in threads_list:
        if threads > 1 and not force:
            quiet = wait_for_quiet(max(settle, 10.0))
            if quiet["others_cores"] is not None and quiet["others_cores"] >= BUSY_CORES:
                reason = (f"skipped: other processes kept {quiet['others_cores']:.1f} core(s) busy after waiting "
                          f"{quiet['waited_s']:.0f} s, so {threads}-thread timings would measure them; rerun on a quiet "
                          "machine or pass --force")
                log(f"{dataset}: {threads} threads {reason}")
                for name in (["peak"] if with_peak else []) + list(LIBRARIES):
                    out[f"{name}/{threads}"] = {"skipped": reason}
                continue
        entries = {"peak": ("peak", {})} if with_peak else {}
        entries.update({lib: (kind, {"library": lib, "dataset": dataset, **config}) for lib in LIBRARIES})
        measured = measure_interleaved(dataset, entries, threads, reps, settle, budget_s)
        for name, result in measured.items():
            runs = result.get("runs")
            if name == "peak" and runs:
                result["gflops_best"] = max(r["gflops"] for r in runs)
            elif kind == "epoch" and runs:
                result["median_epoch_s"] = result["median_s"]
            elif kind == "run" and runs:
                result["median_epoch_s"] = statistics.median(r["epoch_seconds"] for r in runs)
                result["test_accuracy"] = runs[-1]["test_accuracy"]
            out[f"{name}/{threads}"] = result
    return out


_IMPORT_SNIPPET = ("import time; t0 = time.perf_counter(); import {module}; t = time.perf_counter() - t0; "
                   "import json, sys; print(json.dumps({{'seconds': t, 'heavy': sorted(m for m in "
                   "('matplotlib', 'ipywidgets', 'IPython', 'scipy', 'nbformat') if m in sys.modules)}}))")


def measure_imports(repeats: int) -> dict:
    """``import numpy`` and ``import nncourse`` in fresh interpreters, alternating; medians."""
    log(f"imports: numpy vs nncourse, {repeats} fresh interpreters each")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    times = {"numpy": [], "nncourse": []}
    heavy = {}
    with LoadProbe() as probe:
        for _ in range(repeats):
            for module in times:
                proc = subprocess.run([sys.executable, "-c", _IMPORT_SNIPPET.format(module=module)], cwd=ROOT,
                                      env=env, capture_output=True, text=True, check=True)
                result = json.loads(proc.stdout)
                times[module].append(result["seconds"])
                heavy[module] = result["heavy"]
    return {"runs_s": times, "median_s": {m: statistics.median(t) for m, t in times.items()},
            "heavy_modules_loaded": heavy, "load": probe.result}


# --- targets -------------------------------------------------------------------------------------------------

def _ratio(a, b):
    return a / b if a is not None and b else None


def _median(results: dict, key: str):
    r = results.get(key, {})
    return r.get("median_epoch_s")


def evaluate(results: dict) -> list[dict]:
    """Every target of issue 7 with its measured value: met or not, and by how much."""
    targets = []

    def add(name, threads, value, limit, kind, note="", involved=()):
        busy = max((r.get("others_median") or 0.0 for r in involved), default=0.0)
        if busy > BUSY_CORES:
            note = (note + "; " if note else "") + (f"measured while other processes kept {busy:.1f} core(s) busy: "
                                                    "not a fair comparison")
        if value is None:
            targets.append({"target": name, "threads": threads, "value": None, "limit": limit, "kind": kind,
                            "met": None, "note": note or "not measured"})
            return
        met = value <= limit if kind == "max" else value >= limit
        if met:
            miss = ""
        elif kind == "max":
            miss = f"missed by {value / limit:.2f}x ({value:.3g} > {limit:.3g})"
            miss += f"; {note}" if note else ""
        else:
            miss = f"missed: {value:.3g} < {limit:.3g} ({value / limit:.0%} of the target)"
            miss += f"; {note}" if note else ""
        targets.append({"target": name, "threads": threads, "value": value, "limit": limit, "kind": kind,
                        "met": met, "note": miss or note})

    mnist, digits = results.get("mnist", {}), results.get("digits", {})
    for t in THREADS:
        nn = _median(mnist, f"nncourse/{t}")
        r_nn, r_pt, r_sk, r_pk = (mnist.get(f"{k}/{t}", {}) for k in ("nncourse", "pytorch", "scikit-learn", "peak"))
        add("MNIST epoch: nncourse / PyTorch time", t, _ratio(nn, _median(mnist, f"pytorch/{t}")), 0.75, "max",
            involved=(r_nn, r_pt))
        add("MNIST epoch: nncourse / scikit-learn time", t, _ratio(nn, _median(mnist, f"scikit-learn/{t}")), 0.5,
            "max", involved=(r_nn, r_sk))
        gflop = mnist.get(f"nncourse/{t}", {}).get("info", {}).get("gflop_per_epoch")
        peak_t = mnist.get(f"peak/{t}", {}).get("gflops_best")
        add("MNIST epoch: nncourse fraction of matmul peak", t,
            _ratio(gflop / nn if gflop and nn else None, peak_t), 0.5, "min", involved=(r_nn, r_pk))
    for t in THREADS:
        nn = _median(digits, f"nncourse/{t}")
        r_nn, r_pt, r_sk = (digits.get(f"{k}/{t}", {}) for k in ("nncourse", "pytorch", "scikit-learn"))
        add("Digits epoch: nncourse / PyTorch time", t, _ratio(nn, _median(digits, f"pytorch/{t}")), 0.3, "max",
            involved=(r_nn, r_pt))
        add("Digits epoch: nncourse / scikit-learn time", t, _ratio(nn, _median(digits, f"scikit-learn/{t}")), 0.5,
            "max", involved=(r_nn, r_sk))
        acc = {lib: digits.get(f"{lib}/{t}", {}).get("test_accuracy") for lib in ("nncourse", "pytorch",
                                                                                     "scikit-learn")}
        best_other = max((a for lib, a in acc.items() if lib != "nncourse" and a is not None), default=None)
        add("Digits: nncourse test accuracy minus the best reference", t,
            acc["nncourse"] - best_other if acc["nncourse"] is not None and best_other is not None else None,
            0.0, "min")
    imports = results.get("imports", {})
    medians = imports.get("median_s", {})
    add("import nncourse / import numpy", "-", _ratio(medians.get("nncourse"), medians.get("numpy")), 1.3, "max",
        involved=({"others_median": imports.get("load", {}).get("others_cores")},))
    c = results.get("course", {})
    add("Whole course under nbval / one-cell notebook", 1, _ratio(c.get("course_s"), c.get("one_cell_s")), 15.0,
        "max", c.get("skipped", ""), involved=({"others_median": c.get("load", {}).get("others_cores")},))
    g = results.get("grading", {})
    add("Grading throughput: nncourse grade / serial nbval loop", 2,
        _ratio(g.get("grade_per_min"), g.get("serial_per_min")), 1.8, "min", g.get("skipped", ""),
        involved=({"others_median": g.get("grade_load", {}).get("others_cores")},))
    nb = results.get("nbgrader", {})
    nb_runs = nb.get("runs", {})
    add("Grading per core: nncourse grade --jobs 1 / nbgrader autograde (notebooks per minute)", 1,
        nb_runs.get("nncourse grade --jobs 1", {}).get("per_core_vs_nbgrader"), 2.0, "min", nb.get("skipped", ""),
        involved=[{"others_median": r.get("load", {}).get("others_cores")} for r in nb_runs.values()])
    th = results.get("threads", {})
    others = max((r.get("others_cores") or 0.0 for rs in th.get("runs", {}).values() for r in rs), default=None)
    add("Capstone, second core busy / idle, course's thread setting", 1, th.get("course_busy_over_idle"), 1.5,
        "max", th.get("skipped", ""), involved=({"others_median": others},))
    return targets


# --- report --------------------------------------------------------------------------------------------------

def _fmt(x, spec=".3f", none="–"):
    return none if x is None else format(x, spec)


def _load_text(result: dict) -> str:
    """Median (and, if higher, maximum) number of cores other processes kept busy during the measurements."""
    median, most = result.get("others_median"), result.get("others_max")
    if median is None:
        return "–"
    return f"{median:.2f}" + (f" (max {most:.1f})" if most - median >= 0.1 else "")


def _group_skipped(section: dict, threads: int) -> str | None:
    """The common reason when every measurement of a thread count was skipped, else None."""
    reasons = {r.get("skipped") for k, r in section.items() if k.endswith(f"/{threads}")}
    return reasons.pop() if len(reasons) == 1 and None not in reasons else None


def markdown(results: dict, targets: list[dict]) -> str:
    m = results["machine"]
    lines = [f"Measured {results['finished_utc']} on {m.get('cpu')} ({m.get('cores')} cores, "
             f"{', '.join(m.get('simd', []))}; {m.get('memory_gb')} GB), Python {m.get('python')}, "
             + ", ".join(f"{k} {v}" for k, v in results["versions"].items() if v) + ".",
             f"Load average before/after the run: {results['loadavg_before']} / {results['loadavg_after']}. "
             "'Others' = cores kept busy by other processes during that measurement (0 = idle machine, 2 = both cores).",
             ""]
    mnist = results.get("mnist", {})
    if mnist:
        lines += ["**One epoch of 784-256-128-10** (ReLU, softmax cross-entropy, SGD momentum 0.9, batch 128, "
                  "float32, 60,000 synthetic samples; median of the timed epochs):", "",
                  "| | threads | s / epoch | × PyTorch | GFLOP/s | % of matmul peak | others |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for t in THREADS:
            if _group_skipped(mnist, t):
                lines.append(f"| all | {t} | {_group_skipped(mnist, t)} | | | | |")
                continue
            p = mnist.get(f"peak/{t}", {})
            lines.append(f"| numpy matmul peak (2048², float32) | {t} | | | {_fmt(p.get('gflops_best'), '.0f')} | 100 % "
                         f"| {_load_text(p)} |")
            torch_s = _median(mnist, f"pytorch/{t}")
            for lib in LIBRARIES:
                r = mnist.get(f"{lib}/{t}", {})
                s = r.get("median_epoch_s")
                gf = r["info"]["gflop_per_epoch"] / s if s else None
                frac = _ratio(gf, p.get("gflops_best"))
                label = r.get("skipped") or r.get("error")
                lines.append(f"| {lib} | {t} | {_fmt(s)} | {_fmt(_ratio(s, torch_s), '.2f')} | {_fmt(gf, '.0f')} | "
                             f"{_fmt(frac * 100 if frac else None, '.0f')} % | {_load_text(r)} |"
                             if not label else f"| {lib} | {t} | {label} | | | | |")
        lines.append("")
    digits = results.get("digits", {})
    if digits:
        sizes = next((r["info"] for r in digits.values() if "info" in r), {})
        runs = max((len(r.get("runs", [])) for r in digits.values()), default=0)
        lines += [f"**8×8 digits, 64-32-10, 50 epochs** ({sizes.get('n_train')} train / {sizes.get('n_test')} test "
                  "images, batch 128, same initial weights for every library; one 50-epoch `fit` per run, "
                  f"median of {runs} run(s)):", "",
                  "| | threads | ms / epoch | × PyTorch | test accuracy | others |",
                  "|---|---:|---:|---:|---:|---:|"]
        for t in THREADS:
            if _group_skipped(digits, t):
                lines.append(f"| all | {t} | {_group_skipped(digits, t)} | | | |")
                continue
            torch_s = _median(digits, f"pytorch/{t}")
            for lib in LIBRARIES:
                r = digits.get(f"{lib}/{t}", {})
                s = r.get("median_epoch_s")
                label = r.get("skipped") or r.get("error")
                lines.append(f"| {lib} | {t} | {_fmt(s * 1e3 if s else None, '.2f')} | "
                             f"{_fmt(_ratio(s, torch_s), '.2f')} | {_fmt(r.get('test_accuracy'), '.3f')} | "
                             f"{_load_text(r)} |" if not label else f"| {lib} | {t} | {label} | | | |")
        lines.append("")
    imports, c, g = results.get("imports"), results.get("course"), results.get("grading")
    other = []
    if imports:
        med = imports["median_s"]
        other.append(f"| import numpy / import nncourse (median of {len(imports['runs_s']['numpy'])} fresh "
                     f"interpreters; others {_fmt(imports['load'].get('others_cores'), '.2f')}) | "
                     f"{med['numpy']:.3f} s / {med['nncourse']:.3f} s |")
        heavy = imports["heavy_modules_loaded"].get("nncourse") or ["none"]
        other.append(f"| heavy modules loaded by `import nncourse` (matplotlib, ipywidgets, IPython, scipy, nbformat) | "
                     f"{', '.join(heavy)} |")
    if c and "skipped" not in c:
        other.append(f"| nbval: one-cell notebook / whole course ({len(c['notebooks'])} notebooks in one pytest run, "
                     f"{c['course_summary']}; others {_fmt(c['load'].get('others_cores'), '.2f')}) | "
                     f"{c['one_cell_s']:.1f} s / {c['course_s']:.1f} s |")
        per_lesson = ", ".join(f"{stem.split('_')[0]} {_fmt(s, '.1f')}" for stem, s in c["lessons_s"].items())
        other.append(f"| nbval per lesson (its cells' time within that run, s) | {per_lesson} |")
    elif c:
        other.append(f"| nbval course | skipped: {c['skipped']} |")
    if g and "skipped" not in g:
        other.append(f"| grading {g['class_size']} students × {', '.join(g['lessons'])}: serial `pytest --nbval` loop / "
                     f"`nncourse grade --jobs {g['jobs']}` (others {_fmt(g['serial_load'].get('others_cores'), '.2f')} / "
                     f"{_fmt(g['grade_load'].get('others_cores'), '.2f')}) | {g['serial_per_min']:.1f} / "
                     f"{g['grade_per_min']:.1f} submissions per minute |")
    elif g:
        other.append(f"| grading | skipped: {g['skipped']} |")
    th = results.get("threads")
    if th and "skipped" not in th:
        m = th["median_s"]
        others = ", ".join(f"{name} {_fmt(statistics.median(r['others_cores'] or 0 for r in rs), '.2f')}"
                           for name, rs in th["runs"].items())
        other.append(f"| capstone notebook `{course.CAPSTONE}` (lax nbval, kernel started without thread variables; median of {th['reps']}): "
                     f"second core busy, course's setting (`limit_threads()`) / busy, default threads / idle second "
                     f"core, course's setting (others, our spinner included in the busy runs: {others}) | {m['course_busy']:.1f} s / "
                     f"{m['default_busy']:.1f} s / {m['course_idle']:.1f} s: default threads "
                     f"{th['default_over_course_busy']:.2f}× slower; busy / idle {th['course_busy_over_idle']:.2f}× |")
    elif th:
        other.append(f"| capstone threads | skipped: {th['skipped']} |")
    nb = results.get("nbgrader")
    if nb and "skipped" not in nb:
        for name, r in nb["runs"].items():
            other.append(f"| {name}, {nb['students']} students × {', '.join(nb['lessons'])} ({nb['notebooks']} "
                         f"notebooks; others {_fmt(r['load'].get('others_cores'), '.2f')}) | {r['wall_s']:.1f} s, "
                         f"{r['per_min']:.1f} notebooks/min, {r['per_min_per_core']:.1f} per core per min "
                         f"({r['per_core_vs_nbgrader']:.2f}× nbgrader), {r['full_marks']} with full marks |")
    elif nb:
        other.append(f"| nbgrader comparison | skipped: {nb['skipped']} |")
    sh = results.get("shards")
    if sh and "skipped" not in sh:
        p = sh["projection"]
        other.append(f"| {sh['shards']} shard processes at once ({sh['students']} students × "
                     f"{', '.join(sh['lessons'])}: {sh['notebooks']} notebooks + {sh['canary_runs']} canary runs; "
                     f"others {_fmt(sh['load'].get('others_cores'), '.2f')}), then the merge | {sh['wall_s']:.1f} s + "
                     f"merge {sh['merge_s']:.1f} s; {sh['merged_full_marks']}/{sh['merged_notebooks']} full marks "
                     f"after the merge; {sh['core_s_per_run']:.1f} core-seconds per run |")
        other.append(f"| projected: {p['notebooks']:,} notebooks on {p['nodes']} nodes × {p['cores_per_node']} cores "
                     f"| {p['wall_s'] / 60:.0f} min ({p['how']}) |")
    if other:
        lines += ["| measurement | result |", "|---|---|", *other, ""]
    lines += ["**Targets** (issues 7 and 14; ratios within this run):", "", "| target | threads | measured | target | met |",
              "|---|---:|---:|---:|---|"]
    for tg in targets:
        if tg["met"] is None and tg["note"] == "not measured":
            continue
        op = "≤" if tg["kind"] == "max" else "≥"
        met = {True: "yes", False: "**no**", None: "–"}[tg["met"]]
        note = f" — {tg['note']}" if tg["note"] else ""
        lines.append(f"| {tg['target']} | {tg['threads']} | {_fmt(tg['value'])} | {op} {tg['limit']:g} | {met}{note} |")
    return "\n".join(lines) + "\n"


def _lesson_stems(spec: str) -> list[str]:
    """Notebook stems from ``"02,05b_backward_pass"``: a bare number names every part of that lesson."""
    from nncourse.course import lessons

    stems = [p.stem for p in lessons()]
    chosen = []
    for token in (t.strip() for t in spec.split(",") if t.strip()):
        found = [s for s in stems if s == token or (token.isdigit() and s[:2] == token.zfill(2))]
        if not found:
            raise SystemExit(f"--scale-lessons: no lesson notebook {token!r} (lessons: {', '.join(stems)})")
        chosen += [s for s in found if s not in chosen]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test of the suite)")
    parser.add_argument("--only", default=",".join(DEFAULT_SECTIONS),
                        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default: "
                             f"{','.join(DEFAULT_SECTIONS)}; nbgrader and shards take several minutes each)")
    parser.add_argument("--class-size", type=int, default=15,
                        help="simulated students for the grading benchmark (a class: the canary, one run per lesson "
                             "per batch, is part of the cost)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel jobs for nncourse grade")
    parser.add_argument("--grade-lessons", default=None,
                        help="comma-separated lesson notebooks (stems) each student hands in "
                             "(default: the first two numbered lessons)")
    parser.add_argument("--scale-students", type=int, default=3,
                        help="students for the nbgrader comparison (each hands in every --scale-lessons notebook)")
    parser.add_argument("--shard-students", type=int, default=12, help="students of the sharded class")
    parser.add_argument("--scale-lessons", default="02,05,06,08",
                        help="lessons of the nbgrader comparison and the sharded class: notebook stems, or lesson "
                             "numbers for all of a lesson's parts (default %(default)s, issue 15's set)")
    parser.add_argument("--force", action="store_true",
                        help="measure with 2 threads even when other processes keep a core busy")
    parser.add_argument("--threads", default=",".join(map(str, THREADS)),
                        help="comma-separated thread counts for the training sections (default %(default)s)")
    parser.add_argument("--reps", type=int, default=None,
                        help="interleaved rounds of the MNIST-sized epoch (default 5, 2 with --quick)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for latest.json and latest.md")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="before each training/peak measurement, wait up to this many seconds for other "
                             "processes to use < 0.5 core (default %(default)s; 0 = never wait)")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")

    results = {"started_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": describe_machine(), "versions": versions(), "loadavg_before": loadavg(),
               "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])}
    threads = tuple(int(t) for t in args.threads.split(","))
    if not set(threads) <= set(THREADS):
        parser.error(f"--threads takes {' and/or '.join(map(str, THREADS))}, got {args.threads}")
    mnist_reps = args.reps or (2 if args.quick else 5)
    t0 = time.perf_counter()
    if "mnist" in sections:
        results["mnist"] = measure_training("mnist", "epoch", mnist_reps, args.settle, with_peak=True,
                                            force=args.force, budget_s=12.0 * mnist_reps, threads_list=threads,
                                            warmup=1)
    if "digits" in sections:
        results["digits"] = measure_training("digits", "run", 1 if args.quick else 3, args.settle, with_peak=False,
                                            force=args.force, budget_s=30.0, threads_list=threads, epochs=50)
    if "imports" in sections:
        results["imports"] = measure_imports(3 if args.quick else 9)
    if "course" in sections:
        log("course: nbval on a one-cell notebook, then on every lesson notebook")
        results["course"] = course.course_nbval()
    if "grading" in sections:
        log(f"grading: {args.class_size} students, serial nbval loop, then nncourse grade --jobs {args.jobs}")
        lessons = [x.strip() for x in args.grade_lessons.split(",")] if args.grade_lessons else None
        results["grading"] = course.grading_throughput(args.class_size, args.jobs, lessons)
    if "threads" in sections:
        log(f"threads: the capstone ({course.CAPSTONE}) with a busy second core, the course's thread setting against the default")
        results["threads"] = course.capstone_threads(1 if args.quick else 2)
    scale_lessons = _lesson_stems(args.scale_lessons)
    if "nbgrader" in sections:
        log(f"nbgrader: {args.scale_students} students × {scale_lessons}: nbgrader autograde, nncourse grade "
            "--jobs 1, --jobs 2")
        results["nbgrader"] = scale.nbgrader_vs_grade(args.scale_students, scale_lessons)
    if "shards" in sections:
        log(f"shards: {args.shard_students} students × {scale_lessons} in 4 shard processes, then the merge")
        results["shards"] = scale.sharded_class(args.shard_students, scale_lessons)
    results["duration_s"] = time.perf_counter() - t0
    results["loadavg_after"] = loadavg()
    results["finished_utc"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results["targets"] = evaluate(results)

    table = markdown(results, results["targets"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / "latest.md").write_text(table)
    print()
    print(table)
    log(f"suite took {results['duration_s']:.0f} s; results in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}/latest.json and latest.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
