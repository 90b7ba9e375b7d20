"""Exercise checks for lesson 03, in two parts: ``03a_forward_pass.ipynb`` and
``03b_initialisation.ipynb``.

Exercises in notebook order. Part 1 (``03a_forward_pass``): ``dense-forward``
(returns ``(Z, cache)``), ``count-params``, ``forward-pass`` (the whole loop,
with its cache). Part 2 (``03b_initialisation``): ``init-xavier`` and
``init-he`` (random weights, judged by their distribution), ``z-variances``
and ``initial-loss``.

Random initialisations cannot be compared number by number with a reference:
a correct answer may draw its numbers in another order (``rng.normal(size=(n_out,
n_in)).T``) or from another distribution with the right spread. So the learner's
function is called with seeded generators and reduced to what a correct answer
always gets right: the shape; the mean and standard deviation in units of the
target standard deviation, rounded to one decimal (the sizes are large enough
that sampling noise moves them by less than 0.01); whether the same seed gives
the same weights and different seeds different ones (the ``rng`` argument is
used, not a global generator).
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import layers
from ._definitions import Case, Exercise, Mistake, register

# Lesson 03 comes in two parts; every exercise names the part (notebook stem) that asks it.
FORWARD = "03a_forward_pass"
INITIALISATION = "03b_initialisation"


# --------------------------------------------------------------------------- #
# dense-forward
# --------------------------------------------------------------------------- #

def _dense_cases(rng: np.random.Generator) -> list:
    def layer(n, n_in, n_out):
        return rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)

    n, n_in, n_out = (int(v) for v in rng.integers(2, 7, size=3))
    return [
        Case("square weights W (3, 3), 4 samples", layer(4, 3, 3)),
        Case("the worked example: 2 samples, 3 inputs, 2 units",
             (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]), np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]]),
              np.array([0.1, -0.2]))),
        Case(f"random layer: X ({n}, {n_in}), W ({n_in}, {n_out})", layer(n, n_in, n_out)),
        Case("one sample", layer(1, 5, 3)),
        Case("one output unit", layer(6, 4, 1)),
        Case("X = 0 (3, 2): every row of Z is the bias b (4,)", (np.zeros((3, 2)),) + layer(3, 2, 4)[1:]),
    ]


register(Exercise(
    id="dense-forward",
    lesson=FORWARD,
    title="A dense layer's forward pass, Z = XW + b, with its cache",
    points=2,
    reference=layers.dense_forward,
    make_cases=_dense_cases,
    output_names=("Z", "cache"),
    mistakes=(
        Mistake("bias-forgotten", lambda X, W, b: (X @ W, (X, W)),
                "add the bias: Z = X @ W + b (b has shape (n_out,) and is broadcast over the rows)."),
        Mistake("cache-holds-z", lambda X, W, b: (X @ W + b, (X @ W + b, W)),
                "the cache keeps the layer's *input* X (the backward pass needs it for dW = X^T dZ), not Z."),
        Mistake("cache-holds-b", lambda X, W, b: (X @ W + b, (X, W, b)),
                "the course's cache is exactly (X, W): b is not needed to compute any gradient (db = sum of dZ)."),
        Mistake("weights-transposed", lambda X, W, b: (X @ W.T + b, (X, W)),
                "W has shape (n_in, n_out) and samples are rows, so Z = X @ W (no transpose)."),
        Mistake("only-z-returned", lambda X, W, b: X @ W + b,
                "return two things: the output and the cache, `return Z, (X, W)`."),
        Mistake("cache-order", lambda X, W, b: (X @ W + b, (W, X)),
                "the cache is (X, W) in that order: the backward pass unpacks `X, W = cache`."),
        Mistake("bias-per-sample", lambda X, W, b: (X @ W + b.reshape(-1, 1), (X, W)),
                "b.reshape(-1, 1) is a column: it adds b[i] to sample i (or fails to broadcast). The bias belongs "
                "to the output units: X @ W + b with b of shape (n_out,)."),
        Mistake("outputs-swapped", lambda X, W, b: ((X, W), X @ W + b),
                "return the output first and the cache second: `return Z, (X, W)`."),
    ),
))


# --------------------------------------------------------------------------- #
# count-params
# --------------------------------------------------------------------------- #

def count_params_from_sizes(layer_sizes) -> int:
    """The number of weights and biases of a dense network with these layer sizes (eq. 3.4)."""
    return layers.count_params(layers.init_params(list(layer_sizes), init="zeros"))


def _count_cases(rng: np.random.Generator) -> list:
    depth = int(rng.integers(3, 7))
    sizes = [int(s) for s in rng.integers(1, 60, size=depth)]
    return [
        Case("the worked example [3, 4, 2] (26 parameters)", ([3, 4, 2],)),
        Case("no hidden layer [5, 1]", ([5, 1],)),
        Case("MNIST-sized [784, 256, 128, 10]", ([784, 256, 128, 10],)),
        Case(f"random sizes {sizes}", (sizes,)),
        Case("the smallest network [1, 1] (2 parameters)", ([1, 1],)),
        Case("a bottleneck [10, 2, 10]", ([10, 2, 10],)),
    ]


def _weights_only(layer_sizes):
    return sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))

register(Exercise(
    id="count-params",
    lesson=FORWARD,
    title="Count a network's parameters from its layer sizes",
    points=1,
    reference=count_params_from_sizes,
    make_cases=_count_cases,
    mistakes=(
        Mistake("weights-only", _weights_only,
                "every layer also has a bias vector b with one entry per unit of that layer: add n_out per layer."),
        Mistake("biases-on-the-input-side", lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:])),
                "a layer's bias has shape (n_out,), one per unit it computes, not one per input."),
        Mistake("bias-for-the-input-layer-too", lambda s: _weights_only(s) + sum(s),
                "the input layer computes nothing and has no bias; only layers 1..L have b (n_1 + ... + n_L)."),
        Mistake("last-layer-missed", lambda s: sum(a * b + b for a, b in zip(s[:-2], s[1:-1])),
                "a list of L + 1 sizes describes L layers: pair every size with the next one, the output layer "
                "included."),
        Mistake("product-of-sizes", lambda s: int(np.prod(s)) + sum(s[1:]),
                "the weights of a network are counted layer by layer, n_{l-1} * n_l for each pair of neighbouring "
                "sizes, not as the product of all the sizes."),
        Mistake("one-bias-per-layer", lambda s: _weights_only(s) + len(s) - 1,
                "each layer has one bias per *unit*, n_l of them (b has shape (n_l,)), not one bias per layer."),
        Mistake("plus-one-both", lambda s: sum((a + 1) * (b + 1) for a, b in zip(s[:-1], s[1:])),
                "(n_in + 1) * n_out counts the weights and the biases (a bias is a weight from a constant input "
                "1); (n_in + 1) * (n_out + 1) adds a unit that does not exist."),
        Mistake("squares-of-sizes", lambda s: sum(a * a + a for a in s[1:]),
                "a layer's weight matrix has shape (n_{l-1}, n_l): multiply each size by the one before it."),
    ),
))


# --------------------------------------------------------------------------- #
# forward-pass: the loop with its cache
# --------------------------------------------------------------------------- #

def forward_pass(params, X):
    """ReLU hidden layers, softmax output; the cache is the package's, one ``LayerCache`` per layer (the reference)."""
    return layers.forward(params, X, activation="relu", output="softmax")


class CacheLayout(TypeError):
    """The learner's cache is not one ``((A_prev, W), (Z, name), None)`` triple per layer."""


def _plain_layer(entry, layer: int, n_layers: int) -> dict:
    """One layer's cache as named arrays, after checking its layout and its activation's name.

    The lesson 05 backward pass unpacks exactly this layout, so a cache that
    differs in form (a pair ``(A_prev, Z)``, a missing ``None``) is an error
    with the layout in its message, not a numbers mismatch.
    """
    where = f"cache[{layer}] (layer {layer + 1})"
    layout = "((A_prev, W), (Z, name), None)"
    if not isinstance(entry, (tuple, list)) or len(entry) != 3:
        got = f"a {type(entry).__name__} of {len(entry)}" if isinstance(entry, (tuple, list)) else type(entry).__name__
        raise CacheLayout(f"{where} must be the triple {layout}, got {got}")
    dense, activation, dropout = entry
    if not isinstance(dense, (tuple, list)) or len(dense) != 2:
        raise CacheLayout(f"{where}[0], the dense step's cache, must be the pair (A_prev, W)")
    if not isinstance(activation, (tuple, list)) or len(activation) != 2 or not isinstance(activation[1], str):
        raise CacheLayout(f"{where}[1], the activation step's cache, must be the pair (Z, name) with name a string")
    if dropout is not None:
        raise CacheLayout(f"{where}[2], the dropout step's cache, must be None (no dropout in this network)")
    expected = "softmax" if layer == n_layers - 1 else "relu"
    if activation[1] != expected:
        raise CacheLayout(f"{where}[1] names the activation {activation[1]!r}; this layer applies {expected!r}")
    return {"A_prev": dense[0], "W": dense[1], "Z": activation[0]}


def _run_forward(objects, case):
    """The learner's ``(P, cache)`` with the cache as named arrays per layer (lists and tuples alike)."""
    result = objects[0](*case.args, **case.kwargs)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], (list, tuple))):
        return result
    P, cache = result
    return P, tuple(_plain_layer(entry, layer, len(cache)) for layer, entry in enumerate(cache))


def _network(rng: np.random.Generator, sizes: list, n: int) -> tuple:
    params = [(W, rng.normal(0.0, 0.5, size=b.shape)) for W, b in layers.init_params(sizes, init="he", seed=rng)]
    return params, rng.normal(size=(n, sizes[0]))


def _forward_cases(rng: np.random.Generator) -> list:
    hand = ([(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.0, 0.5])),
             (np.array([[1.0, 0.0], [-1.0, 2.0]]), np.array([0.0, 0.0]))],
            np.array([[1.0, 1.0]]))
    n = int(rng.integers(3, 8))
    width = int(rng.integers(3, 9))
    large = ([(np.array([[500.0, -500.0, 0.0], [500.0, 0.0, -500.0]]), np.zeros(3))],
             np.array([[1.0, 1.0], [-1.0, 0.5]]))
    return [
        Case("the notebook's worked example: x = (1, 1), 2 -> 2 -> 2, P = (0.9526, 0.0474)", hand),
        Case(f"two layers 3 -> {width} -> 4, {n} samples, non-zero biases", _network(rng, [3, width, 4], n)),
        Case("three layers 2 -> 5 -> 5 -> 3, 6 samples", _network(rng, [2, 5, 5, 3], 6)),
        Case("square layers 4 -> 4 -> 4 -> 4, 4 samples", _network(rng, [4, 4, 4, 4], 4)),
        Case("one layer (softmax regression) 5 -> 3, 4 samples", _network(rng, [5, 3], 4)),
        Case("a single sample, 3 -> 6 -> 2", _network(rng, [3, 6, 2], 1)),
        Case("logits of +-1000 (the softmax must subtract the row maximum)", large, extreme=True),
    ]


def _forward_mistake(hidden, output, cache_of, with_bias=True):
    def fn(params, X):
        A, cache = X, []
        for i, (W, b) in enumerate(params):
            Z = A @ W + b if with_bias else A @ W
            last = i == len(params) - 1
            A_new = output(Z) if last else hidden(Z)
            cache.append(cache_of(A, W, Z, A_new, "softmax" if last else "relu"))
            A = A_new
        return A, cache

    return fn


def _softmax_rows(Z):
    return act.softmax(Z, axis=-1)


def _naive_softmax(Z):
    e = np.exp(Z)
    return e / np.sum(e, axis=1, keepdims=True)


def _layer_cache(A_prev, W, Z, A, name):
    return (A_prev, W), (Z, name), None


def _forward_reversed(params, X):
    P, cache = _forward_mistake(act.relu, _softmax_rows, _layer_cache)(params, X)
    return P, cache[::-1]


register(Exercise(
    id="forward-pass",
    lesson=FORWARD,
    title="The forward loop: ReLU hidden layers, softmax output, and a cache",
    points=3,
    reference=forward_pass,
    make_cases=_forward_cases,
    run=_run_forward,
    output_names=("P", "cache"),
    forbid_overflow=True,
    mistakes=(
        Mistake("relu-on-the-output", _forward_mistake(act.relu, act.relu, _layer_cache),
                "the last layer uses softmax, not ReLU: the outputs must be probabilities (rows summing to 1)."),
        Mistake("relu-before-the-softmax",
                _forward_mistake(act.relu, lambda Z: _softmax_rows(act.relu(Z)), _layer_cache),
                "the output layer applies softmax to its Z directly; a ReLU first would throw away negative logits."),
        Mistake("softmax-everywhere", _forward_mistake(_softmax_rows, _softmax_rows, _layer_cache),
                "hidden layers use ReLU; softmax belongs to the output layer only."),
        Mistake("no-hidden-activation", _forward_mistake(lambda Z: Z, _softmax_rows, _layer_cache),
                "apply ReLU after every hidden layer: without it the layers collapse into one linear map (lesson 02)."),
        Mistake("cache-holds-the-layer-s-output",
                _forward_mistake(act.relu, _softmax_rows, lambda A_prev, W, Z, A, name: ((A, W), (Z, name), None)),
                "the dense step's cache is the layer's *input* A_prev (the A before it is overwritten) and W: "
                "append the cache before A is replaced by the layer's output."),
        Mistake("cache-holds-a-instead-of-z",
                _forward_mistake(act.relu, _softmax_rows, lambda A_prev, W, Z, A, name: ((A_prev, W), (A, name), None)),
                "the activation step's cache holds the pre-activation Z = A_prev @ W + b, before g: its "
                "backward needs g'(Z)."),
        Mistake("bias-forgotten", _forward_mistake(act.relu, _softmax_rows, _layer_cache, with_bias=False),
                "every layer adds its bias: Z = A_prev @ W + b."),
        Mistake("softmax-over-samples", _forward_mistake(act.relu, lambda Z: act.softmax(Z, axis=0), _layer_cache),
                "rows are samples: the softmax normalises each row (axis=1, the package's default axis=-1), "
                "not each column."),
        Mistake("unstable-softmax", _forward_mistake(act.relu, _naive_softmax, _layer_cache),
                "np.exp of a logit near 1000 overflows: use activations.softmax (it subtracts each row's maximum "
                "first) or do the shift yourself."),
        Mistake("cache-reversed", _forward_reversed,
                "cache[l] belongs to layer l + 1, in the order of params (the backward pass walks it backwards "
                "itself): append as you go and do not reverse it."),
        Mistake("sigmoid-hidden", _forward_mistake(act.sigmoid, _softmax_rows, _layer_cache),
                "the hidden layers use ReLU (activations.relu), not the sigmoid."),
        Mistake("cache-holds-z-only", _forward_mistake(act.relu, _softmax_rows, lambda A_prev, W, Z, A, name: Z),
                "each layer's cache is the triple ((A_prev, W), (Z, name), None): the dense step's cache, the "
                "activation step's cache and no dropout (the layout of the package's LayerCache, which your backward "
                "pass in lesson 05 unpacks), not Z alone or the pair (A_prev, Z)."),
    ),
))


# --------------------------------------------------------------------------- #
# init-he and init-xavier: judged by distribution
# --------------------------------------------------------------------------- #

#: (n_in, n_out) of the large cases, chosen so that every known wrong standard
#: deviation rounds to a ratio at least 0.02 away from a rounding boundary.
_LARGE_SIZES = ((400, 100), (1000, 40), (256, 256))
#: The mean and spread are judged on layers of at least this many weights.
_MIN_FOR_STATS = 10_000


def _init_cases(rng: np.random.Generator, rule: str) -> list:
    """One case per property: the shape, the mean, the spread, and that the ``rng`` argument decides W."""
    seeds = [int(s) for s in rng.integers(0, 2**31, size=16)]
    (a_in, a_out), (b_in, b_out), (c_in, c_out) = _LARGE_SIZES
    return [
        Case("a (3, 2) layer: W has shape (n_in, n_out) = (3, 2)", (3, 2, seeds[0], seeds[1]), {"check": "shape"}),
        Case("a (1, 5) layer: W has shape (1, 5)", (1, 5, seeds[2], seeds[3]), {"check": "shape"}),
        Case(f"a ({a_in}, {a_out}) layer: the weights have mean 0", (a_in, a_out, seeds[4], seeds[5]),
             {"check": "mean"}),
        Case(f"a ({a_in}, {a_out}) layer: standard deviation {rule}", (a_in, a_out, seeds[6], seeds[7]),
             {"check": "std"}),
        Case(f"a ({b_in}, {b_out}) layer: standard deviation {rule}", (b_in, b_out, seeds[8], seeds[9]),
             {"check": "std"}),
        Case(f"a ({c_in}, {c_out}) layer: mean 0 and standard deviation {rule}", (c_in, c_out, seeds[10], seeds[11]),
             {"check": "mean std"}),
        Case(f"the same seed ({seeds[12]}) twice gives the same W: the rng argument decides the weights",
             (4, 3, seeds[12], seeds[13]), {"check": "same seed"}),
        Case(f"two different seeds ({seeds[14]}, {seeds[15]}) give different W", (4, 3, seeds[14], seeds[15]),
             {"check": "other seed"}),
    ]


def _summarise_init(target_std):
    """A ``run`` for an init exercise: the learner's weights reduced to the property the case checks."""

    def run(objects, case):
        init = objects[0]
        n_in, n_out, seed, other_seed = case.args
        check = case.kwargs["check"]
        W = init(n_in, n_out, np.random.default_rng(seed))
        if not isinstance(W, np.ndarray) or W.dtype.kind != "f":
            raise TypeError(f"expected a float numpy array of shape ({n_in}, {n_out}), got "
                            f"{type(W).__name__ if not isinstance(W, np.ndarray) else 'dtype ' + str(W.dtype)}")
        summary = {"shape": np.array(W.shape)} if check == "shape" else {}
        std = target_std(n_in, n_out)
        w = np.asarray(W, dtype=np.float64)
        if "mean" in check:
            summary["mean / target std"] = np.round(np.mean(w) / std, 1) + 0.0
        if "std" in check:
            summary["std / target std"] = np.round(np.std(w) / std, 1)
        if check == "same seed":
            again = init(n_in, n_out, np.random.default_rng(seed))
            summary["the same seed gives the same weights"] = np.array(np.array_equal(W, again))
        if check == "other seed":
            other = init(n_in, n_out, np.random.default_rng(other_seed))
            summary["another seed gives other weights"] = np.array(
                np.shape(other) != W.shape or not np.array_equal(W, other))
        return summary

    return run


def he_std(n_in: int, n_out: int) -> float:
    """He's standard deviation, sqrt(2 / n_in) (eq. 3.7)."""
    return float(np.sqrt(2.0 / n_in))


def xavier_std(n_in: int, n_out: int) -> float:
    """Glorot's standard deviation, sqrt(2 / (n_in + n_out)) (eq. 3.6)."""
    return float(np.sqrt(2.0 / (n_in + n_out)))


def init_he(n_in, n_out, rng):
    """He initialisation as the package draws it (the reference of ``init-he``)."""
    return layers.init_weights(n_in, n_out, init="he", rng=rng)


def init_xavier(n_in, n_out, rng):
    """Xavier/Glorot initialisation as the package draws it (the reference of ``init-xavier``)."""
    return layers.init_weights(n_in, n_out, init="xavier", rng=rng)


def _normal(std_of):
    return lambda n_in, n_out, rng: rng.normal(0.0, std_of(n_in, n_out), size=(n_in, n_out))


_GLOBAL_RNG_HINT = ("draw the numbers from the `rng` argument (rng.normal(...) or rng.standard_normal(...)), "
                    "not from np.random or a generator made inside the function: the caller's seed must decide "
                    "the weights.")
_FIXED_SEED_HINT = ("np.random.default_rng(0) inside the function gives the same weights whatever the caller "
                    "asks for: draw from the `rng` argument instead.")


def _init_shared_mistakes(std_of, rule):
    """Wrong versions both init exercises share, for the right standard deviation ``std_of``."""
    return (
        Mistake("fixed-seed", lambda n_in, n_out, rng: np.random.default_rng(0).normal(
            0.0, std_of(n_in, n_out), size=(n_in, n_out)), _FIXED_SEED_HINT),
        Mistake("mean-not-zero", lambda n_in, n_out, rng: rng.normal(1.0, std_of(n_in, n_out), size=(n_in, n_out)),
                "the weights are centred at 0: rng.normal(0.0, std, size), the first argument is the mean."),
        Mistake("uniform-on-0-1", lambda n_in, n_out, rng: rng.random((n_in, n_out)) * std_of(n_in, n_out),
                "rng.random draws uniformly from [0, 1): all weights positive, with the wrong spread. Use a normal "
                f"distribution centred at 0 with standard deviation {rule}: rng.normal(0.0, std, size)."),
    )

register(Exercise(
    id="init-xavier",
    lesson=INITIALISATION,
    title="Xavier/Glorot initialisation, std sqrt(2 / (n_in + n_out))",
    points=2,
    reference=init_xavier,
    make_cases=lambda rng: _init_cases(rng, "sqrt(2 / (n_in + n_out))"),
    # The compared numbers are ratios rounded to 0.1: a correct answer gives exactly the reference's, a
    # wrong one differs by 0.1 or more; 0.05 lets a known mistake match a learner's identical mistake
    # whose sample happened to round the other way.
    rtol=0.05,
    atol=0.05,
    run=_summarise_init(xavier_std),
    value_hints=False,
    mistakes=(
        Mistake("he-std", _normal(he_std),
                "sqrt(2 / n_in) is He (for ReLU); Xavier averages fan-in and fan-out: sqrt(2 / (n_in + n_out))."),
        Mistake("fan-in-only", _normal(lambda n_in, n_out: np.sqrt(1.0 / n_in)),
                "Xavier uses both fan-in and fan-out: variance 2 / (n_in + n_out)."),
        Mistake("factor-2-missing", _normal(lambda n_in, n_out: np.sqrt(1.0 / (n_in + n_out))),
                "the variance is 2 / (n_in + n_out), the harmonic mean of 1/n_in and 1/n_out: keep the 2."),
        Mistake("variance-used-as-std", _normal(lambda n_in, n_out: 2.0 / (n_in + n_out)),
                "2 / (n_in + n_out) is the variance; the standard deviation is its square root."),
        Mistake("uniform-with-the-std-as-limit", lambda n_in, n_out, rng: rng.uniform(
            -xavier_std(n_in, n_out), xavier_std(n_in, n_out), size=(n_in, n_out)),
                "a uniform distribution on [-a, a] has standard deviation a / sqrt(3): draw from a normal "
                "distribution with std sqrt(2 / (n_in + n_out)) (or use the limit a = sqrt(6 / (n_in + n_out)))."),
        Mistake("shape-transposed",
                lambda n_in, n_out, rng: rng.normal(0.0, xavier_std(n_in, n_out), size=(n_out, n_in)),
                "W has shape (n_in, n_out): one row per input, one column per unit."),
        Mistake("fresh-generator", lambda n_in, n_out, rng: np.random.default_rng().normal(
            0.0, xavier_std(n_in, n_out), size=(n_in, n_out)), _GLOBAL_RNG_HINT),
        Mistake("uniform-limit-as-std", _normal(lambda n_in, n_out: np.sqrt(6.0 / (n_in + n_out))),
                "sqrt(6 / (n_in + n_out)) is the *limit* a of Glorot's uniform distribution on [-a, a]; the "
                "normal distribution's standard deviation is sqrt(2 / (n_in + n_out))."),
        Mistake("product-of-fans", _normal(lambda n_in, n_out: np.sqrt(2.0 / (n_in * n_out))),
                "Xavier adds the fans, 2 / (n_in + n_out); it does not multiply them."),
        *_init_shared_mistakes(xavier_std, "sqrt(2 / (n_in + n_out))"),
    ),
))

register(Exercise(
    id="init-he",
    lesson=INITIALISATION,
    title="He initialisation, std sqrt(2 / n_in), with an explicit generator",
    points=2,
    reference=init_he,
    make_cases=lambda rng: _init_cases(rng, "sqrt(2 / n_in)"),
    # The compared numbers are ratios rounded to 0.1: a correct answer gives exactly the reference's, a
    # wrong one differs by 0.1 or more; 0.05 lets a known mistake match a learner's identical mistake
    # whose sample happened to round the other way.
    rtol=0.05,
    atol=0.05,
    run=_summarise_init(he_std),
    value_hints=False,
    mistakes=(
        Mistake("lecun-std", _normal(lambda n_in, n_out: np.sqrt(1.0 / n_in)),
                "He's variance is 2 / n_in (the 2 makes up for ReLU zeroing half the inputs): std = sqrt(2 / n_in)."),
        Mistake("xavier-std", _normal(xavier_std),
                "sqrt(2 / (n_in + n_out)) is Xavier/Glorot (for tanh and sigmoid); He uses sqrt(2 / n_in)."),
        Mistake("fan-out", _normal(lambda n_in, n_out: np.sqrt(2.0 / n_out)),
                "He scales by the number of *inputs* of the layer (fan-in), n_in: std = sqrt(2 / n_in)."),
        Mistake("variance-used-as-std", _normal(lambda n_in, n_out: 2.0 / n_in),
                "2 / n_in is the variance; the standard deviation (the `scale` of rng.normal) is its square root."),
        Mistake("shape-transposed", lambda n_in, n_out, rng: rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)),
                "W has shape (n_in, n_out): one row per input, one column per unit."),
        Mistake("fresh-generator", lambda n_in, n_out, rng: np.random.default_rng().normal(
            0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out)), _GLOBAL_RNG_HINT),
        Mistake("root-misplaced", _normal(lambda n_in, n_out: 2.0 / np.sqrt(n_in)),
                "the square root covers the whole fraction: sqrt(2 / n_in), not 2 / sqrt(n_in)."),
        Mistake("uniform-with-the-std-as-limit", lambda n_in, n_out, rng: rng.uniform(
            -he_std(n_in, n_out), he_std(n_in, n_out), size=(n_in, n_out)),
                "a uniform distribution on [-a, a] has standard deviation a / sqrt(3): draw from a normal "
                "distribution with std sqrt(2 / n_in) (or use the limit a = sqrt(6 / n_in))."),
        *_init_shared_mistakes(he_std, "sqrt(2 / n_in)"),
    ),
))


# --------------------------------------------------------------------------- #
# initial-loss
# --------------------------------------------------------------------------- #

def initial_loss(n_classes):
    """Cross-entropy of a uniform prediction over ``n_classes`` classes: ln K (eq. 3.8)."""
    return float(np.log(n_classes))


def _initial_loss_cases(rng: np.random.Generator) -> list:
    k = int(rng.integers(4, 500))
    return [
        Case("two classes (ln 2 = 0.693)", (2,)),
        Case("three classes", (3,)),
        Case("ten digits (ln 10 = 2.303)", (10,)),
        Case(f"{k} classes", (k,)),
        Case("a thousand classes", (1000,)),
    ]


register(Exercise(
    id="initial-loss",
    lesson=INITIALISATION,
    title="The loss of an untrained classifier, ln(number of classes)",
    points=1,
    reference=initial_loss,
    make_cases=_initial_loss_cases,
    mistakes=(
        Mistake("log-base-10", lambda k: float(np.log10(k)),
                "cross-entropy uses the natural logarithm, np.log (base e), not np.log10."),
        Mistake("log-base-2", lambda k: float(np.log2(k)),
                "cross-entropy uses the natural logarithm, np.log (base e), not np.log2 (that gives bits)."),
        Mistake("probability-instead-of-loss", lambda k: 1.0 / k,
                "1/K is the probability the untrained network gives the right class; the loss is -ln(1/K) = ln K."),
        Mistake("log-of-the-probability", lambda k: float(np.log(1.0 / k)),
                "the loss is *minus* the log-probability: -ln(1/K) = ln K, a positive number."),
        Mistake("k-minus-1", lambda k: float(np.log(k - 1)),
                "every one of the K classes gets probability 1/K, so the loss is -ln(1/K) = ln K, not ln(K - 1)."),
        Mistake("summed-over-classes", lambda k: float(k * np.log(k)),
                "the loss of one sample is -ln of the probability of its *true* class only, -ln(1/K) = ln K; "
                "it is not summed over the K classes."),
        Mistake("rounded", lambda k: round(float(np.log(k))),
                "return the float ln K itself, not a rounded integer."),
        Mistake("averaged-over-classes", lambda k: float(np.log(k) / k),
                "the loss is -ln(1/K) = ln K, the cost of the true class; do not divide it by K."),
    ),
))


# =========================================================================== #
# Added in issue 13, part 2 (lessons-b1): a derive-then-implement exercise.
# =========================================================================== #
# z-variances: the variance of every layer's pre-activation, derived from (3.5)  (3.7c)
# --------------------------------------------------------------------------- #

def z_variances(layer_sizes, weight_stds, slope):
    """``Var(z^(l))`` for ``l = 1 .. D`` of a leaky-ReLU network at initialisation (eq. 3.7c).

    Inputs have mean 0 and variance 1, weights of layer ``l`` mean 0 and
    standard deviation ``weight_stds[l - 1]``, biases are 0, and a leaky ReLU
    with slope ``slope`` (0: ReLU, 1: no activation) follows every layer but
    the last. Layer 1 reads the inputs themselves, so by (3.5)
    ``Var(z^(1)) = n_0 s_1^2``; a later layer reads ``a = leaky_relu(z)``,
    whose ``E[a^2] = (1 + slope^2) / 2 * Var(z)`` for a ``z`` symmetric about 0::

        Var(z^(l)) = n_{l-1} s_l^2 (1 + slope^2) / 2 * Var(z^(l-1))

    Returns an array of shape ``(D,)``. The reference of ``z-variances``.
    """
    sizes = [int(n) for n in layer_sizes]
    stds = np.asarray(weight_stds, dtype=float)
    variances = np.empty(len(sizes) - 1)
    carried = 1.0  # E[a^2] of what layer l reads: the inputs' variance for layer 1
    for l, (n_in, std) in enumerate(zip(sizes[:-1], stds)):
        variances[l] = n_in * std ** 2 * carried
        carried = (1.0 + slope ** 2) / 2.0 * variances[l]
    return variances


def _variances_with(*, first_activated=False, factor=lambda a: (1.0 + a ** 2) / 2.0, square_std=True,
                    fan_out=False, cumulative=True, as_std=False, with_inputs=False):
    """The derivation with one step done wrong (a learner's mistake)."""

    def wrong(layer_sizes, weight_stds, slope):
        sizes = [int(n) for n in layer_sizes]
        out = [1.0] if with_inputs else []
        carried = factor(slope) if first_activated else 1.0
        for l, std in enumerate(weight_stds):
            n = sizes[l + 1] if fan_out else sizes[l]
            v = n * (std ** 2 if square_std else std) * (carried if cumulative else (factor(slope) if l else 1.0))
            out.append(v)
            carried = factor(slope) * v
        out = np.array(out)
        return np.sqrt(out) if as_std else out

    return wrong


def _variance_cases(rng: np.random.Generator) -> list:
    depth = int(rng.integers(3, 6))
    sizes = [int(n) for n in rng.integers(20, 300, size=depth + 1)]
    stds = [float(s) for s in rng.uniform(0.02, 0.2, size=depth)]
    slope = float(rng.uniform(0.05, 0.6))
    wide = int(rng.integers(100, 400))
    return [
        Case("the worked example: sizes [100, 50, 50], both stds 0.1, ReLU (slope 0): [1, 0.25]",
             ([100, 50, 50], [0.1, 0.1], 0.0)),
        Case(f"He weights, std sqrt(2/{wide}), ReLU, 4 layers of width {wide}: the variance stays the same after "
             "layer 1", ([wide] * 5, [float(np.sqrt(2.0 / wide))] * 4, 0.0)),
        Case("slope 1 (no activation): the product of n_{l-1} s_l^2", ([30, 20, 10, 5], [0.3, 0.2, 0.4], 1.0)),
        Case(f"leaky ReLU, slope {slope:.3f}, sizes {sizes}, stds {[round(s, 3) for s in stds]}",
             (sizes, stds, slope)),
        Case("leaky ReLU, slope 0.2, sizes [64, 128, 64, 32, 10], std 0.15 in every layer",
             ([64, 128, 64, 32, 10], [0.15] * 4, 0.2)),
        Case("one layer only, sizes [40, 7], std 0.25, slope 0.3 (no activation is read)", ([40, 7], [0.25], 0.3)),
        Case("slope 0.5, sizes [10, 200, 3], stds [0.5, 0.05]", ([10, 200, 3], [0.5, 0.05], 0.5)),
    ]


register(Exercise(
    id="z-variances",
    lesson=INITIALISATION,
    title="The variance of z through a leaky-ReLU network, derived from (3.5)",
    points=3,
    reference=z_variances,
    make_cases=_variance_cases,
    mistakes=(
        Mistake("first-layer-activated", _variances_with(first_activated=True),
                "layer 1 reads the inputs x themselves, not an activation: E[x^2] = 1, so Var(z^(1)) = n_0 s_1^2 "
                "with no factor (1 + slope^2) / 2; that factor belongs to every later layer."),
        Mistake("slope-not-squared", _variances_with(factor=lambda a: (1.0 + a) / 2.0),
                "on the negative half a = slope * z, so a^2 = slope^2 z^2: E[a^2] = (1 + slope^2) / 2 * Var(z); "
                "the slope is squared."),
        Mistake("half-dropped", _variances_with(factor=lambda a: 1.0 + a ** 2),
                "each half of a symmetric z carries half of E[z^2]: E[a^2] = 1/2 Var(z) + slope^2 * 1/2 Var(z) "
                "= (1 + slope^2) / 2 * Var(z)."),
        Mistake("slope-ignored", _variances_with(factor=lambda a: 0.5),
                "1/2 is ReLU's factor (slope 0); a leaky ReLU keeps slope * z on the negative half, which adds "
                "slope^2 / 2 * Var(z): the factor is (1 + slope^2) / 2."),
        Mistake("mean-slope-squared", _variances_with(factor=lambda a: ((1.0 + a) / 2.0) ** 2),
                "E[a^2] averages the *squared* slope over the two halves, (1 + slope^2) / 2, not the square of the "
                "average slope ((1 + slope) / 2)^2."),
        Mistake("std-not-squared", _variances_with(square_std=False),
                "(3.5) takes the weights' variance, s^2: Var(z) = n_in * s^2 * E[a^2]."),
        Mistake("fan-out", _variances_with(fan_out=True),
                "z_j sums n_in = n_{l-1} terms, one per input of the layer: use the layer's number of inputs, "
                "not its number of units."),
        Mistake("not-carried-through", _variances_with(cumulative=False),
                "E[a^2] of layer l's input depends on Var(z^(l-1)): multiply by the previous layer's variance, "
                "so that the factors of all layers below multiply up."),
        Mistake("standard-deviations", _variances_with(as_std=True),
                "return the variances Var(z^(l)), not their square roots."),
        Mistake("input-variance-included", _variances_with(with_inputs=True),
                "return one variance per layer, D of them (z^(1) ... z^(D)), without the inputs' variance 1."),
        Mistake("activation-ignored", _variances_with(factor=lambda a: 1.0),
                "the activation between the layers changes the second moment: E[a^2] = (1 + slope^2) / 2 * Var(z) "
                "(a ReLU keeps only the positive half), not Var(z) itself."),
    ),
))
