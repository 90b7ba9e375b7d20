"""Answers to lesson 03's exercises (dense-forward ... initial-loss)."""

import numpy as np

from nncourse import activations

from . import correct, wrong

MUTATED = "generic:input-mutated"


def _softmax_rows(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _forward(hidden=activations.relu, output=_softmax_rows,
             cache_of=lambda A_prev, W, Z, A, name: ((A_prev, W), (Z, name), None), bias=True, reverse=False):
    def forward_pass(params, X):
        A, cache = X, []
        for l, (W, b) in enumerate(params):
            Z = A @ W + b if bias else A @ W
            last = l == len(params) - 1
            A_new = output(Z) if last else hidden(Z)
            cache.append(cache_of(A, W, Z, A_new, "softmax" if last else "relu"))
            A = A_new
        return A, cache[::-1] if reverse else cache
    return forward_pass


def _naive_softmax(Z):
    e = np.exp(Z)
    return e / e.sum(axis=1, keepdims=True)


def _dense_reshapes_b(X, W, b):
    b.shape = (1, b.size)
    return X @ W + b, (X, W)


def _count_pop(layer_sizes):
    total = 0
    n_out = layer_sizes.pop()
    while layer_sizes:
        n_in = layer_sizes.pop()
        total += n_in * n_out + n_out
        n_out = n_in
    return total


def _count_loop(layer_sizes):
    total = 0
    for l in range(1, len(layer_sizes)):
        total += layer_sizes[l - 1] * layer_sizes[l] + layer_sizes[l]
    return total


def _normal(std):
    return lambda n_in, n_out, rng: rng.normal(0.0, std(n_in, n_out), size=(n_in, n_out))


def _xavier(n_in, n_out):
    return np.sqrt(2.0 / (n_in + n_out))


def _he(n_in, n_out):
    return np.sqrt(2.0 / n_in)


def _global_normal(std):
    return lambda n_in, n_out, rng: np.random.normal(0.0, std(n_in, n_out), size=(n_in, n_out))


def _seeded(std):
    return lambda n_in, n_out, rng: np.random.default_rng(0).normal(0.0, std(n_in, n_out), size=(n_in, n_out))


def _init_wrong(exercise, std):
    """The wrong answers both init exercises share, for the right standard deviation ``std``."""
    uniform_std = lambda n_in, n_out, rng: rng.uniform(-std(n_in, n_out), std(n_in, n_out), size=(n_in, n_out))  # noqa: E731
    return [
        wrong(exercise, "variance as std", "variance-used-as-std", _normal(lambda a, b: std(a, b) ** 2)),
        wrong(exercise, "uniform with the std as limit", {"uniform-with-the-std-as-limit", "uniform-limit-as-std"}, uniform_std),
        wrong(exercise, "shape transposed", "shape-transposed",
              lambda n_in, n_out, rng: rng.normal(0.0, std(n_in, n_out), size=(n_out, n_in))),
        wrong(exercise, "fresh generator", {"fresh-generator", "global-random"},
              lambda n_in, n_out, rng: np.random.default_rng().normal(0.0, std(n_in, n_out), size=(n_in, n_out))),
        wrong(exercise, "np.random.normal", {"global-random", "fresh-generator"}, _global_normal(std)),
        wrong(exercise, "generator seeded with 0", "fixed-seed", _seeded(std)),
        wrong(exercise, "mean 1", "mean-not-zero", lambda n_in, n_out, rng: rng.normal(1.0, std(n_in, n_out), size=(n_in, n_out))),
        wrong(exercise, "rng.random times std", "uniform-on-0-1", lambda n_in, n_out, rng: rng.random((n_in, n_out)) * std(n_in, n_out)),
        wrong(exercise, "std squared twice", "variance-used-as-std",
              lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * std(n_in, n_out) ** 2),
    ]


WRONG = [
    # ------------------------------------------------------------ dense-forward
    wrong("dense-forward", "bias forgotten", "bias-forgotten", lambda X, W, b: (X @ W, (X, W))),
    wrong("dense-forward", "cache (Z, W)", "cache-holds-z", lambda X, W, b: (X @ W + b, (X @ W + b, W))),
    wrong("dense-forward", "cache (X, W, b)", "cache-holds-b", lambda X, W, b: (X @ W + b, (X, W, b))),
    wrong("dense-forward", "W transposed", "weights-transposed", lambda X, W, b: (X @ W.T + b, (X, W))),
    wrong("dense-forward", "Z only", "only-z-returned", lambda X, W, b: X @ W + b),
    wrong("dense-forward", "cache (W, X)", "cache-order", lambda X, W, b: (X @ W + b, (W, X))),
    wrong("dense-forward", "bias per sample", "bias-per-sample", lambda X, W, b: (X @ W + b.reshape(-1, 1), (X, W))),
    wrong("dense-forward", "W X^T", {"generic:shape-transposed", "generic:transpose", "column-vector-order"},
          lambda X, W, b: (W.T @ X.T + b[:, None], (X, W))),
    wrong("dense-forward", "cache and Z swapped", "outputs-swapped", lambda X, W, b: ((X, W), X @ W + b)),
    wrong("dense-forward", "b reshaped in place", MUTATED, _dense_reshapes_b),
    # ------------------------------------------------------------ count-params
    wrong("count-params", "weights only", "weights-only", lambda s: sum(a * b for a, b in zip(s[:-1], s[1:]))),
    wrong("count-params", "biases on the input side", "biases-on-the-input-side", lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:]))),
    wrong("count-params", "input layer bias", "bias-for-the-input-layer-too", lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s)),
    wrong("count-params", "last layer missed", "last-layer-missed", lambda s: sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 2))),
    wrong("count-params", "pops the list", MUTATED, _count_pop),
    wrong("count-params", "product of sizes", "product-of-sizes", lambda s: int(np.prod(s)) + sum(s[1:])),
    wrong("count-params", "one bias per layer", "one-bias-per-layer", lambda s: sum(a * b + 1 for a, b in zip(s[:-1], s[1:]))),
    wrong("count-params", "returns a float", "generic:dtype", lambda s: float(sum(a * b + b for a, b in zip(s[:-1], s[1:])))),
    wrong("count-params", "(a + 1)(b + 1)", "plus-one-both", lambda s: sum((a + 1) * (b + 1) for a, b in zip(s[:-1], s[1:]))),
    wrong("count-params", "sizes squared", "squares-of-sizes", lambda s: sum(a * a + a for a in s[1:])),
    # ------------------------------------------------------------ forward-pass
    wrong("forward-pass", "ReLU output", "relu-on-the-output", _forward(output=activations.relu)),
    wrong("forward-pass", "softmax everywhere", "softmax-everywhere", _forward(hidden=_softmax_rows)),
    wrong("forward-pass", "no hidden activation", "no-hidden-activation", _forward(hidden=lambda Z: Z)),
    wrong("forward-pass", "cache holds the output", "cache-holds-the-layer-s-output", _forward(cache_of=lambda A_prev, W, Z, A, name: ((A, W), (Z, name), None))),
    wrong("forward-pass", "cache (A_prev, A)", "cache-holds-a-instead-of-z", _forward(cache_of=lambda A_prev, W, Z, A, name: ((A_prev, W), (A, name), None))),
    wrong("forward-pass", "bias forgotten", "bias-forgotten", _forward(bias=False)),
    wrong("forward-pass", "softmax over samples", "softmax-over-samples",
          _forward(output=lambda Z: np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0))),
    wrong("forward-pass", "naive softmax", {"unstable-softmax", "generic:overflow"}, _forward(output=_naive_softmax)),
    wrong("forward-pass", "cache reversed", "cache-reversed", _forward(reverse=True)),
    wrong("forward-pass", "sigmoid hidden", "sigmoid-hidden", _forward(hidden=activations.sigmoid)),
    wrong("forward-pass", "cache of Z only", "cache-holds-z-only", _forward(cache_of=lambda A_prev, W, Z, A, name: Z)),
    wrong("forward-pass", "the old (A_prev, Z) pairs", "cache-holds-z-only",
          _forward(cache_of=lambda A_prev, W, Z, A, name: (A_prev, Z))),
    # ------------------------------------------------------------ init-xavier
    wrong("init-xavier", "He std", "he-std", _normal(_he)),
    wrong("init-xavier", "fan-in only", "fan-in-only", _normal(lambda a, b: np.sqrt(1.0 / a))),
    wrong("init-xavier", "no factor 2", "factor-2-missing", _normal(lambda a, b: np.sqrt(1.0 / (a + b)))),
    wrong("init-xavier", "sqrt(6 / (n_in + n_out)) as std", "uniform-limit-as-std", _normal(lambda a, b: np.sqrt(6.0 / (a + b)))),
    wrong("init-xavier", "product of fans", "product-of-fans", _normal(lambda a, b: np.sqrt(2.0 / (a * b)))),
    *_init_wrong("init-xavier", _xavier),
    # ------------------------------------------------------------ init-he
    wrong("init-he", "LeCun", "lecun-std", _normal(lambda a, b: np.sqrt(1.0 / a))),
    wrong("init-he", "Xavier", "xavier-std", _normal(_xavier)),
    wrong("init-he", "fan-out", "fan-out", _normal(lambda a, b: np.sqrt(2.0 / b))),
    wrong("init-he", "2 / sqrt(n_in)", "root-misplaced", _normal(lambda a, b: 2.0 / np.sqrt(a))),
    *_init_wrong("init-he", _he),
    # ------------------------------------------------------------ initial-loss
    wrong("initial-loss", "log10", "log-base-10", lambda k: float(np.log10(k))),
    wrong("initial-loss", "log2", "log-base-2", lambda k: float(np.log2(k))),
    wrong("initial-loss", "1/K", "probability-instead-of-loss", lambda k: 1.0 / k),
    wrong("initial-loss", "log(1/K)", {"log-of-the-probability", "generic:sign"}, lambda k: float(np.log(1.0 / k))),
    wrong("initial-loss", "-log K", {"log-of-the-probability", "generic:sign"}, lambda k: -float(np.log(k))),
    wrong("initial-loss", "log(K - 1)", "k-minus-1", lambda k: float(np.log(k - 1))),
    wrong("initial-loss", "K ln K", "summed-over-classes", lambda k: float(k * np.log(k))),
    wrong("initial-loss", "rounded", "rounded", lambda k: round(np.log(k))),
    wrong("initial-loss", "ln K / K", "averaged-over-classes", lambda k: float(np.log(k) / k)),
    wrong("initial-loss", "array of one", "generic:scalar-as-array", lambda k: np.log(np.array([k]))),
    wrong("initial-loss", "log(K) with integer division", {"integer-division", "generic:nonfinite"}, lambda k: float(-np.log(1 // k)) if k > 1 else 0.0),
]


def _dense_einsum(X, W, b):
    return np.einsum("ni,io->no", X, W) + b, (X, W)


def _forward_package(params, X):
    from nncourse import layers

    A, cache = X, []
    for l, (W, b) in enumerate(params):
        Z, dense_cache = layers.dense_forward(A, W, b)
        name = "softmax" if l == len(params) - 1 else "relu"
        cache.append(layers.LayerCache(dense_cache, (Z, name), None))
        A = activations.softmax(Z) if name == "softmax" else activations.relu(Z)
    return A, cache


def _forward_lists(params, X):
    A, cache = X, []
    for W, b in params[:-1]:
        Z = X_ = A
        Z = X_ @ W + b
        cache.append([[A, W], [Z, "relu"], None])
        A = np.maximum(Z, 0)
    W, b = params[-1]
    Z = A @ W + b
    cache.append([[A, W], [Z, "softmax"], None])
    return _softmax_rows(Z), cache


CORRECT = [
    correct("dense-forward", "einsum", _dense_einsum),
    correct("dense-forward", "dot", lambda X, W, b: (np.dot(X, W) + b, (X, W))),
    correct("dense-forward", "list cache", lambda X, W, b: (X @ W + b[None, :], (X, W))),
    correct("count-params", "loop", _count_loop),
    correct("count-params", "(a + 1) b", lambda s: sum((a + 1) * b for a, b in zip(s, s[1:]))),
    correct("count-params", "numpy", lambda s: int(np.sum(np.array(s[:-1]) * np.array(s[1:])) + np.sum(s[1:]))),
    correct("forward-pass", "package parts", _forward_package),
    correct("forward-pass", "lists", _forward_lists),
    correct("forward-pass", "logsumexp softmax", _forward(output=lambda Z: np.exp(Z - np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)) - Z.max(axis=1, keepdims=True)))),
    correct("init-xavier", "standard normal scaled", lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * np.sqrt(2 / (n_in + n_out))),
    correct("init-xavier", "glorot uniform", lambda n_in, n_out, rng: rng.uniform(-1, 1, (n_in, n_out)) * np.sqrt(6 / (n_in + n_out))),
    correct("init-xavier", "drawn transposed", lambda n_in, n_out, rng: rng.normal(0, np.sqrt(2 / (n_in + n_out)), (n_out, n_in)).T),
    correct("init-he", "divided", lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) / np.sqrt(n_in / 2)),
    correct("init-he", "he uniform", lambda n_in, n_out, rng: rng.uniform(-np.sqrt(6 / n_in), np.sqrt(6 / n_in), (n_in, n_out))),
    correct("init-he", "keyword scale", lambda n_in, n_out, rng: rng.normal(loc=0.0, scale=(2 / n_in) ** 0.5, size=(n_in, n_out))),
    correct("initial-loss", "-log(1/K)", lambda k: float(-np.log(1 / k))),
    correct("initial-loss", "math.log", lambda k: __import__("math").log(k)),
    correct("initial-loss", "cross-entropy of uniform", lambda k: float(-np.mean(np.log(np.full(k, 1 / k))))),
]


# ------------------------------------------------------------ z-variances (added with the exercise)
def _variances(first=1.0, gain=lambda n, s: n * s ** 2, factor=lambda a: (1 + a ** 2) / 2, carry=True,
               sizes_out=False, finish=np.array):
    def z_variances(layer_sizes, weight_stds, slope):
        out, mean_square = [], first
        for l, s in enumerate(weight_stds):
            n = layer_sizes[l + 1] if sizes_out else layer_sizes[l]
            out.append(gain(n, s) * (mean_square if carry else (factor(slope) if l else 1.0)))
            mean_square = factor(slope) * out[-1]
        return finish(out)
    return z_variances


def _variances_all_activated(layer_sizes, weight_stds, slope):
    v = 1.0
    out = []
    for n, s in zip(layer_sizes, weight_stds):
        v = n * s * s * (1 + slope * slope) / 2 * v
        out.append(v)
    return np.array(out)


def _variances_with_inputs(layer_sizes, weight_stds, slope):
    v = [1.0]
    for l, s in enumerate(weight_stds):
        carried = v[-1] if l == 0 else (1 + slope ** 2) / 2 * v[-1]
        v.append(layer_sizes[l] * s ** 2 * carried)
    return np.array(v)


def _variances_cumprod(layer_sizes, weight_stds, slope):
    gains = np.asarray(layer_sizes[:-1]) * np.asarray(weight_stds) ** 2
    gains[1:] *= (1 + slope ** 2) / 2
    return np.cumprod(gains)


WRONG += [
    wrong("z-variances", "inputs treated as an activation", "first-layer-activated", _variances_all_activated),
    wrong("z-variances", "(1 + slope) / 2", "slope-not-squared", _variances(factor=lambda a: (1 + a) / 2)),
    wrong("z-variances", "1 + slope**2 without the half", "half-dropped", _variances(factor=lambda a: 1 + a ** 2)),
    wrong("z-variances", "ReLU's 1/2 for every slope", "slope-ignored", _variances(factor=lambda a: 0.5)),
    wrong("z-variances", "n * s instead of n * s**2", "std-not-squared", _variances(gain=lambda n, s: n * s)),
    wrong("z-variances", "the layer's own width", "fan-out", _variances(sizes_out=True)),
    wrong("z-variances", "one factor per layer, not carried", "not-carried-through", _variances(carry=False)),
    wrong("z-variances", "standard deviations", "standard-deviations",
          _variances(finish=lambda v: np.sqrt(np.array(v)))),
    wrong("z-variances", "the inputs' variance first", "input-variance-included", _variances_with_inputs),
    wrong("z-variances", "(1 - slope**2) / 2", None, _variances(factor=lambda a: (1 - a ** 2) / 2)),
    wrong("z-variances", "1/2 + slope**2", None, _variances(factor=lambda a: 0.5 + a ** 2)),
]
CORRECT += [
    correct("z-variances", "cumprod", _variances_cumprod),
    correct("z-variances", "a list", _variances(finish=list)),
    correct("z-variances", "divided by two at the end", _variances(factor=lambda a: (a * a + 1) * 0.5)),
]
