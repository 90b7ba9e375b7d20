"""The benchmark data: a synthetic MNIST-sized set and the 8x8 digits, identical for every library."""

from __future__ import annotations

import numpy as np

MNIST_SIZES = (784, 256, 128, 10)
DIGITS_SIZES = (64, 32, 10)


def synthetic_mnist(n_samples: int = 60_000, seed: int = 0):
    """MNIST-shaped classification data: ``X (n, 784)`` float32, ``y (n,)`` int64 in 0..9.

    Ten Gaussian clusters, overlapping enough that an epoch does not solve
    them; the timing does not depend on the values, only on the shapes.
    """
    rng = np.random.default_rng(seed)
    n_in, n_classes = MNIST_SIZES[0], MNIST_SIZES[-1]
    centres = rng.standard_normal((n_classes, n_in), dtype=np.float32) * np.float32(0.05)
    y = rng.integers(0, n_classes, n_samples)
    X = rng.standard_normal((n_samples, n_in), dtype=np.float32)
    X += centres[y]
    return X, y


def digits(seed: int = 0, test_fraction: float = 0.25):
    """``nncourse.load_digits()`` (pixels in [0, 1]) as float32, split train/test with a seeded shuffle.

    Returns
    -------
    X_train, y_train, X_test, y_test
    """
    import nncourse

    X, y = nncourse.load_digits()
    X = X.astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
