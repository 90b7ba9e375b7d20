"""A measuring process: ``python -m benchmarks.worker '{"threads": 1, "kind": "...", ...}'``.

The runner starts one worker per (library, thread count) with
``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS``/``MKL_NUM_THREADS`` already set,
because BLAS libraries read them once, when they load. Workers are not
pinned to a core: on a shared machine the scheduler's freedom to move a
one-thread worker away from someone else's busy core matters more.

A worker sets up once (imports, data, model, warm-up) and then answers
commands on stdin, one JSON line each, with one JSON line on stdout:
``{"cmd": "measure"}`` runs one timed measurement, ``{"cmd": "quit"}`` ends.
The runner keeps the workers of all libraries alive and asks them in turn,
so that the repetitions of different libraries are interleaved and a burst
of load from another process hits all of them alike.

Kinds:

``peak``
    best time of a few float32 2048x2048 products (numpy's matmul ceiling);
``epoch``
    one training epoch of ``library`` on ``dataset`` (continuing training);
``run``
    a whole training run of ``epochs`` epochs from the same initial weights,
    one ``fit`` call, then test accuracy.
"""

from __future__ import annotations

import json
import sys
import time

from .machine import LoadProbe


def _set_up_threads(threads: int, library: str | None) -> None:
    if library == "pytorch":
        import torch

        torch.set_num_threads(threads)


def _dataset(name: str):
    from . import data

    if name == "mnist":
        X, y = data.synthetic_mnist()
        return data.MNIST_SIZES, X, y, None, None, "synthetic: 10 Gaussian clusters, seed 0"
    X, y, X_test, y_test = data.digits()
    return data.DIGITS_SIZES, X, y, X_test, y_test, "nncourse.load_digits(), 75 % train / 25 % test (seed 0)"


class PeakSession:
    """numpy's float32 matmul rate on square matrices: the ceiling for the training benchmarks."""

    def __init__(self, size: int = 2048, repeats: int = 3):
        import numpy as np

        rng = np.random.default_rng(0)
        self.np = np
        self.A = rng.standard_normal((size, size), dtype=np.float32)
        self.B = rng.standard_normal((size, size), dtype=np.float32)
        self.out = np.empty_like(self.A)
        self.size, self.repeats = size, repeats
        np.matmul(self.A, self.B, out=self.out)
        self.info = {"size": size}

    def measure(self) -> dict:
        times = []
        for _ in range(self.repeats):
            t0 = time.perf_counter()
            self.np.matmul(self.A, self.B, out=self.out)
            times.append(time.perf_counter() - t0)
        return {"seconds": min(times), "gflops": 2.0 * self.size ** 3 / min(times) / 1e9}


class EpochSession:
    """One epoch per measurement, training continuing from the previous one (after ``warmup`` epochs)."""

    def __init__(self, library: str, dataset: str, warmup: int = 1):
        from .trainers import TRAINERS, flops_per_epoch

        sizes, X, y, _, _, source = _dataset(dataset)
        self.trainer = TRAINERS[library](sizes, X, y)
        for _ in range(warmup):
            self.trainer.epoch()
        self.info = {"data_source": source, "sizes": list(sizes), "n_train": int(X.shape[0]),
                     "warmup_epochs": warmup, "gflop_per_epoch": flops_per_epoch(sizes, X.shape[0]) / 1e9}

    def measure(self) -> dict:
        t0 = time.perf_counter()
        loss = self.trainer.epoch()
        return {"seconds": time.perf_counter() - t0, "loss": loss}


class RunSession:
    """A whole training run (one ``fit(epochs)`` call from the shared initial weights) per measurement."""

    def __init__(self, library: str, dataset: str, epochs: int):
        from .trainers import TRAINERS

        self.make = TRAINERS[library]
        self.sizes, self.X, self.y, self.X_test, self.y_test, source = _dataset(dataset)
        self.epochs = epochs
        self.info = {"data_source": source, "sizes": list(self.sizes), "n_train": int(self.X.shape[0]),
                     "n_test": int(self.X_test.shape[0]), "epochs": epochs}

    def measure(self) -> dict:
        trainer = self.make(self.sizes, self.X, self.y)
        t0 = time.perf_counter()
        losses = trainer.fit(self.epochs)
        seconds = time.perf_counter() - t0
        return {"seconds": seconds, "epoch_seconds": seconds / self.epochs, "final_loss": losses[-1],
                "test_accuracy": trainer.accuracy(self.X_test, self.y_test)}


def make_session(kind: str, **kwargs):
    return {"peak": PeakSession, "epoch": EpochSession, "run": RunSession}[kind](**kwargs)


def main(argv: list[str]) -> int:
    config = json.loads(argv[0])
    threads = config.pop("threads")
    kind = config.pop("kind")
    _set_up_threads(threads, config.get("library"))
    session = make_session(kind, **config)
    print(json.dumps({"ready": True, **session.info}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        with LoadProbe() as probe:
            result = session.measure()
        print(json.dumps({**result, "load": probe.result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
