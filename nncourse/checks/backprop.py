"""Exercise checks for lesson 05 (``05_backprop.ipynb``).

Exercises, warm-up first: ``activation-backward`` (dZ = dA * g'(Z)),
``dense-backward`` (dX, dW, db of Z = XW + b), ``softmax-ce-grad`` (the fused
gradient (P - Y)/n, tested at logits of ±1000 with overflow forbidden),
``backward-pass`` (the whole network, layer by layer in reverse) and
``numerical-gradient`` (the centred-difference checker itself).

Two exercises are called through a ``run`` function:

* ``backward-pass`` receives what the package's forward pass produced: the
  case holds a network, a batch and labels, and ``run`` computes the cache and
  the gradient at the logits with :mod:`nncourse` before calling the learner's
  ``backward(dZ_out, cache)``. So the learner's code is judged on exactly the
  cache layout it will meet (a list of ``LayerCache``). The returned list of
  ``(dW, db)`` pairs is compared by name (``"dW1"``, ``"db1"``, ...), so a
  message says which layer's gradient is wrong.
* ``numerical-gradient`` must perturb ``x`` in place *and restore it*. ``run``
  hands the learner a copy of ``x`` and reports both the gradient and that copy
  afterwards, so forgetting to restore ``x`` shows up as a wrong value with its
  own hint rather than as a generic "modified its input".
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import backprop, layers, losses
from ..gradient_check import numerical_gradient
from ._definitions import Case, Exercise, Mistake, register
from ._running import ArgumentModified
from .activations import _with_zeros
from .loss import _logit_cases

LESSON = "05_backprop"


# --------------------------------------------------------------------------- #
# activation-backward
# --------------------------------------------------------------------------- #

def _activation_cases(rng: np.random.Generator) -> list:
    n, units = int(rng.integers(3, 7)), int(rng.integers(2, 6))

    def case(name, activation, Z):
        return Case(f"{activation}: {name}", (rng.normal(size=Z.shape), (Z, activation)))

    return [
        Case("sigmoid: the worked example z = [-1, 0, 2], dA = [0.5, 1, -2] (dZ = [0.0983, 0.25, -0.2100])",
             (np.array([[0.5, 1.0, -2.0]]), (np.array([[-1.0, 0.0, 2.0]]), "sigmoid"))),
        case(f"random ({n}, {units})", "sigmoid", _with_zeros(rng, (n, units))),
        case(f"random ({n}, {units})", "tanh", _with_zeros(rng, (n, units))),
        case(f"random ({n}, {units}) with exact zeros", "relu", _with_zeros(rng, (n, units))),
        Case("sigmoid: saturated units, Z = [-1000, -30, 0, 30, 1000]",
             (rng.normal(size=(1, 5)), (np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]]), "sigmoid")), extreme=True),
        Case("tanh: saturated units, Z = [-1000, -30, 0, 30, 1000]",
             (rng.normal(size=(1, 5)), (np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]]), "tanh")), extreme=True),
        case("one sample (1, 4)", "relu", rng.normal(size=(1, 4))),
    ]


def _activation_mistake(kernels: dict):
    """A wrong activation_backward: ``kernels[name](dA, Z)`` replaces the right rule for that name."""

    def wrong(dA, cache):
        Z, name = cache
        return kernels[name](dA, Z) if name in kernels else backprop.activation_backward(dA, cache)

    return wrong


_G = {"sigmoid": act.sigmoid, "tanh": act.tanh, "relu": act.relu}
_G_PRIME = {"sigmoid": act.sigmoid_grad, "tanh": act.tanh_grad, "relu": act.relu_grad}

register(Exercise(
    id="activation-backward",
    lesson=LESSON,
    title="Backward through an activation: dZ = dA * g'(Z)",
    points=2,
    reference=backprop.activation_backward,
    make_cases=_activation_cases,
    forbid_overflow=True,
    mistakes=(
        Mistake("g-instead-of-g", _activation_mistake({k: (lambda g: lambda dA, Z: dA * g(Z))(g)
                                                          for k, g in _G.items()}),
                "multiply the upstream gradient by the *derivative* g'(Z) (e.g. activations.sigmoid_grad), "
                "not by the activation g(Z) itself."),
        Mistake("upstream-gradient-forgotten", _activation_mistake({k: (lambda d: lambda dA, Z: d(Z))(d)
                                                                      for k, d in _G_PRIME.items()}),
                "the chain rule multiplies local by upstream: dZ = dA * g'(Z). Returning g'(Z) alone drops dA."),
        Mistake("output-formula-applied-to-z", _activation_mistake({
            "sigmoid": lambda dA, Z: dA * Z * (1.0 - Z), "tanh": lambda dA, Z: dA * (1.0 - Z * Z)}),
                "s * (1 - s) and 1 - t**2 take the *outputs* s = sigmoid(Z), t = tanh(Z); the cache holds Z, "
                "so compute the output first (or call activations.sigmoid_grad(Z) / tanh_grad(Z))."),
        Mistake("relu-0-1", _activation_mistake({"relu": lambda dA, Z: dA * (Z >= 0)}),
                "the course takes ReLU'(0) = 0: the derivative is 1 only where Z > 0 (strictly)."),
        Mistake("divided-by-n", _activation_mistake({k: (lambda d: lambda dA, Z: dA * d(Z) / Z.shape[0])(d)
                                                     for k, d in _G_PRIME.items()}),
                "the 1/n of the mean is already inside dA (it came from the loss); do not divide again."),
        Mistake("naive-sigmoid", _activation_mistake({"sigmoid": lambda dA, Z: dA * (1 / (1 + np.exp(-Z)))
                                                      * (1 - 1 / (1 + np.exp(-Z)))}),
                "1 / (1 + np.exp(-Z)) overflows at Z = -1000: use activations.sigmoid_grad(Z) (or the stable "
                "activations.sigmoid for s), then dA * s * (1 - s)."),
        Mistake("matrix-product", _activation_mistake({k: (lambda d: lambda dA, Z: dA @ d(Z).T)(d)
                                                       for k, d in _G_PRIME.items()}),
                "the activation acts entry by entry, so its backward multiplies entry by entry: dA * g'(Z), not "
                "a matrix product."),
        Mistake("added-not-multiplied", _activation_mistake({k: (lambda d: lambda dA, Z: dA + d(Z))(d)
                                                             for k, d in _G_PRIME.items()}),
                "the chain rule multiplies: dZ = dA * g'(Z), not dA + g'(Z)."),
        Mistake("tanh-square-missing", _activation_mistake({"tanh": lambda dA, Z: dA * (1.0 - np.tanh(Z))}),
                "tanh'(Z) = 1 - tanh(Z)**2: the tanh is squared (or call activations.tanh_grad(Z))."),
        Mistake("relu-for-relu-grad", _activation_mistake({"relu": lambda dA, Z: dA * np.maximum(Z, 0.0)}),
                "ReLU's derivative is 1 where Z > 0 and 0 elsewhere (activations.relu_grad), not ReLU itself."),
    ),
))


# --------------------------------------------------------------------------- #
# dense-backward
# --------------------------------------------------------------------------- #

def _dense_cases(rng: np.random.Generator) -> list:
    def layer(n, n_in, n_out):
        return rng.normal(size=(n, n_out)), (rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)))

    n, n_in, n_out = int(rng.integers(5, 9)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    return [
        Case("square weights (3, 3), 4 samples", layer(4, 3, 3)),
        Case("the worked example: 2 samples, 3 inputs, 2 units (db = [0.4, 0.2])",
             (np.array([[0.1, -0.2], [0.3, 0.4]]),
              (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]), np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])))),
        Case(f"random layer: X ({n}, {n_in}), W ({n_in}, {n_out})", layer(n, n_in, n_out)),
        Case("one sample, 4 inputs, 3 units", layer(1, 4, 3)),
        Case("6 samples, 3 inputs, one output unit", layer(6, 3, 1)),
        Case("a batch of 50, 5 inputs, 4 units", layer(50, 5, 4)),
    ]


def _dense_with(dX=None, dW=None, db=None):
    def wrong(dZ, cache):
        X, W = cache
        return ((dZ @ W.T) if dX is None else dX(dZ, X, W),
                (X.T @ dZ) if dW is None else dW(dZ, X, W),
                dZ.sum(axis=0) if db is None else db(dZ, X, W))
    return wrong


register(Exercise(
    id="dense-backward",
    lesson=LESSON,
    title="Backward through a dense layer: dX = dZ W^T, dW = X^T dZ, db = sum of dZ",
    points=3,
    reference=backprop.dense_backward,
    make_cases=_dense_cases,
    output_names=("dX", "dW", "db"),
    mistakes=(
        Mistake("dw-transposed", _dense_with(dW=lambda dZ, X, W: dZ.T @ X),
                "dW must have W's shape (n_in, n_out): dW = X.T @ dZ. dZ.T @ X is its transpose (n_out, n_in)."),
        Mistake("dx-without-the-transpose", _dense_with(dX=lambda dZ, X, W: dZ @ W),
                "dX = dZ @ W.T: dZ is (n, n_out) and W is (n_in, n_out), so W must be transposed to bring "
                "n_out next to n_out; dX then has X's shape (n, n_in)."),
        Mistake("db-not-summed", _dense_with(db=lambda dZ, X, W: dZ.copy()),
                "b was broadcast to every row in the forward pass, so its gradient sums the rows: "
                "db = dZ.sum(axis=0), shape (n_out,)."),
        Mistake("db-averaged", _dense_with(db=lambda dZ, X, W: dZ.mean(axis=0)),
                "sum dZ over the samples, do not average: the 1/n of the mean loss is already inside dZ."),
        Mistake("db-summed-over-the-units", _dense_with(db=lambda dZ, X, W: dZ.sum(axis=1)),
                "sum over the samples (axis=0), leaving one entry per unit: db has b's shape (n_out,)."),
        Mistake("db-with-keepdims", _dense_with(db=lambda dZ, X, W: dZ.sum(axis=0, keepdims=True)),
                "db must have b's shape (n_out,), not (1, n_out): drop keepdims=True."),
        Mistake("dw-averaged", _dense_with(dW=lambda dZ, X, W: X.T @ dZ / X.shape[0]),
                "do not divide dW by n: the 1/n of the mean loss is already inside dZ (it came from the loss)."),
        Mistake("gradients-out-of-order", lambda dZ, cache: (lambda g: (g[1], g[0], g[2]))(
            backprop.dense_backward(dZ, cache)),
                "return the gradients in input order, dX, dW, db (the order of X, W, b)."),
        Mistake("db-summed-over-everything", _dense_with(db=lambda dZ, X, W: dZ.sum()),
                "sum over the samples only (axis=0), leaving one entry per unit: db has b's shape (n_out,)."),
        Mistake("dw-from-x-only", _dense_with(dW=lambda dZ, X, W: X.T @ np.ones_like(dZ)),
                "dW = X^T dZ multiplies by the upstream gradient dZ, not by ones."),
    ),
))


# --------------------------------------------------------------------------- #
# softmax-ce-grad
# --------------------------------------------------------------------------- #

def _stable_softmax(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def _one_hot(Z, y):
    Y = np.zeros_like(Z)
    Y[np.arange(len(y)), y] = 1.0
    return Y


def _softmax_unshifted(Z):
    return np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)


def _subtract_columns(Z, y):
    P = _stable_softmax(Z)
    P[:, y] -= 1.0
    return P / Z.shape[0]


register(Exercise(
    id="softmax-ce-grad",
    lesson=LESSON,
    title="The fused softmax + cross-entropy gradient (P - Y) / n",
    points=2,
    reference=losses.softmax_cross_entropy_grad,
    make_cases=lambda rng: _logit_cases(rng, with_labels=True),
    forbid_overflow=True,
    mistakes=(
        Mistake("not-divided-by-n", lambda Z, y: _stable_softmax(Z) - _one_hot(Z, y),
                "the loss is a mean over the n samples, so its gradient carries 1/n: (P - Y) / n."),
        Mistake("y-minus-p", lambda Z, y: (_one_hot(Z, y) - _stable_softmax(Z)) / Z.shape[0],
                "the gradient is prediction minus target, (P - Y) / n: raising the true class's logit must "
                "lower the loss, so that entry of the gradient is negative."),
        Mistake("softmax-without-the-shift", lambda Z, y: (_softmax_unshifted(Z) - _one_hot(Z, y)) / Z.shape[0],
                "compute P with the max shift (or activations.softmax): exp(-1000) underflows to 0 and gives "
                "0/0, exp(1000) overflows."),
        Mistake("y-not-subtracted", lambda Z, y: _stable_softmax(Z) / Z.shape[0],
                "subtract the one-hot targets: (P - Y) / n, i.e. subtract 1 at each row's true class."),
        Mistake("logits-instead-of-probabilities", lambda Z, y: (Z - _one_hot(Z, y)) / Z.shape[0],
                "P is softmax(Z), the probabilities, not the logits Z themselves."),
        Mistake("divided-by-every-entry", lambda Z, y: (_stable_softmax(Z) - _one_hot(Z, y)) / Z.size,
                "divide by the number of samples n = Z.shape[0] (the cross-entropy is a mean over samples), "
                "not by Z.size."),
        Mistake("columns-picked-by-the-label", _subtract_columns,
                "P[:, y] -= 1 subtracts 1 in whole columns; subtract once per row: P[np.arange(n), y] -= 1."),
        Mistake("softmax-over-columns", lambda Z, y: (_stable_softmax(Z.T).T - _one_hot(Z, y)) / Z.shape[0],
                "each row is one sample: the softmax normalises along axis=1 (activations.softmax(Z))."),
        Mistake("cross-entropy-gradient-only", lambda Z, y: -_one_hot(Z, y) / np.maximum(_stable_softmax(Z), 1e-300)
                / Z.shape[0],
                "-Y / (n P) is the gradient with respect to the probabilities P; through the softmax it becomes "
                "the fused (P - Y) / n with respect to the logits (5.5)."),
    ),
))


# --------------------------------------------------------------------------- #
# backward-pass
# --------------------------------------------------------------------------- #

def _run_backward(objects, case):
    """Run forward with the package, then the learner's backward; name each gradient "dW1", "db1", ...

    The learner's code receives ``dZ_out`` and the cache that ``run`` made, so ``run``
    itself checks that it left them as they were.
    """
    params, X, y, activation = case.args
    _, cache = layers.forward(params, X, activation=activation, output="softmax")
    dZ_out = losses.softmax_cross_entropy_grad(cache[-1].activation[0], y)
    before = [dZ_out.copy()] + [a.copy() for c in cache for a in (c.dense[0], c.dense[1], c.activation[0])]
    result = objects[0](dZ_out, cache)
    after = [dZ_out] + [a for c in cache for a in (c.dense[0], c.dense[1], c.activation[0])]
    if not np.array_equal(before[0], after[0]):
        raise ArgumentModified("dZ_out")
    if not all(b.shape == a.shape and np.array_equal(b, a) for b, a in zip(before[1:], after[1:])):
        raise ArgumentModified("cache")
    if not isinstance(result, (list, tuple)) or not all(isinstance(g, (list, tuple)) and len(g) == 2 for g in result):
        raise TypeError(f"backward must return a list of (dW, db) pairs, one per layer, layer 1 first; "
                        f"got {type(result).__name__}")
    named = {}
    for layer, (dW, db) in enumerate(result, start=1):
        named[f"dW{layer}"], named[f"db{layer}"] = dW, db
    return named


def _network(rng: np.random.Generator, sizes: list, n: int, activation: str) -> tuple:
    params = [(W, rng.normal(0.0, 0.5, size=b.shape))
              for W, b in layers.init_params(sizes, init="xavier" if activation != "relu" else "he", seed=rng)]
    return params, rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n), activation


def _backward_cases(rng: np.random.Generator) -> list:
    # The network of the notebook's section 4: init_params([2, 3, 2], init="xavier", seed=0), tanh.
    notebook = (layers.init_params([2, 3, 2], init="xavier", seed=0), np.array([[1.0, 2.0], [0.5, -1.0]]),
                np.array([1, 0]), "tanh")
    n = int(rng.integers(4, 9))
    width = int(rng.integers(3, 7))
    return [
        Case("the notebook's network: init_params([2, 3, 2], init='xavier', seed=0), X = [[1, 2], [0.5, -1]], "
             "y = [1, 0], tanh", notebook),
        Case(f"two layers 3 -> {width} -> 4, ReLU, {n} samples", _network(rng, [3, width, 4], n, "relu")),
        Case("three layers 2 -> 5 -> 4 -> 3, tanh", _network(rng, [2, 5, 4, 3], 6, "tanh")),
        Case("four layers 4 -> 6 -> 6 -> 5 -> 3, sigmoid", _network(rng, [4, 6, 6, 5, 3], 5, "sigmoid")),
        Case("one layer (softmax regression) 5 -> 3", _network(rng, [5, 3], 4, "relu")),
        Case("a single sample, 3 -> 6 -> 2, leaky ReLU", _network(rng, [3, 6, 2], 1, "leaky_relu")),
    ]


def _backward_with(*, derivative=True, reverse_output=False, first_layer=True, softmax_again=False,
                   same_layer=False, db_keepdims=False, g_not_g_prime=False):
    """A wrong backward pass built from the package's pieces, with one thing done wrong."""

    def wrong(dZ_out, cache):
        grads = []
        dZ = dZ_out
        if softmax_again:
            dZ = backprop.activation_backward(dZ, cache[-1].activation)
        last_layer = 0 if first_layer else 1
        for layer in range(len(cache) - 1, last_layer - 1, -1):
            dA_prev, dW, db = backprop.dense_backward(dZ, cache[layer].dense)
            grads.append((dW, db[None, :] if db_keepdims else db))
            if layer > 0:
                Z, name = cache[layer if same_layer else layer - 1].activation
                if g_not_g_prime:
                    dZ = dA_prev * act.get_activation(name).fn(Z)
                elif derivative and Z.shape == dA_prev.shape:
                    dZ = backprop.activation_backward(dA_prev, (Z, name))
                else:
                    dZ = dA_prev
        return grads if reverse_output else grads[::-1]

    return wrong


register(Exercise(
    id="backward-pass",
    lesson=LESSON,
    title="The backward pass of a whole network, from dZ at the logits to every (dW, db)",
    points=4,
    reference=backprop.backward,
    make_cases=_backward_cases,
    run=_run_backward,
    mistakes=(
        Mistake("gradients-in-backward-order", _backward_with(reverse_output=True),
                "the loop runs from the last layer to the first, but grads must mirror params: grads[0] is "
                "(dW1, db1). Fill a list by index, or reverse it at the end."),
        Mistake("activation-derivative-skipped", _backward_with(derivative=False),
                "between two dense layers sits the hidden activation: after dA = dZ @ W.T, multiply by "
                "g'(Z) of the layer below (activation_backward(dA, cache[l - 1].activation))."),
        Mistake("softmax-derivative-applied-again", _backward_with(softmax_again=True),
                "dZ_out is already the gradient at the logits: the fused (P - Y)/n includes the softmax. "
                "Start the loop with dZ = dZ_out."),
        Mistake("first-layer-missed", _backward_with(first_layer=False),
                "the loop must reach layer 0 too (range(L - 1, -1, -1)); only the dA of the input X is not needed."),
        Mistake("activation-of-the-wrong-layer", _backward_with(same_layer=True),
                "after dA = dZ @ W.T of layer l, multiply by g'(Z) of the layer *below*, cache[l - 1].activation: "
                "dA is the gradient at that layer's output."),
        Mistake("db-with-keepdims", _backward_with(db_keepdims=True),
                "each db has its bias's shape (n_out,): sum dZ over axis 0 without keepdims."),
        Mistake("g-instead-of-g", _backward_with(g_not_g_prime=True),
                "multiply dA by the *derivative* g'(Z) of the activation (activation_backward), not by g(Z)."),
    ),
))


# --------------------------------------------------------------------------- #
# numerical-gradient
# --------------------------------------------------------------------------- #

def _run_numerical(objects, case):
    f, x, h = case.args
    x_given = x.copy()
    gradient = objects[0](f, x_given, h)
    return {"gradient": gradient, "x after the call": x_given}


def _numerical_cases(rng: np.random.Generator) -> list:
    X = rng.normal(size=(5, 3))
    y = rng.integers(0, 4, size=5)
    A = rng.normal(size=(4, 4))
    C = rng.normal(size=(3, 4))

    def cubes(x):
        return float(np.sum(x ** 3))

    def quadratic_form(x):
        return float(x @ A @ x)

    def cross_entropy_of_W(W):
        return losses.cross_entropy_with_logits(X @ W, y)

    def exp_sum(x):
        return float(np.sum(np.exp(x)))

    def weighted_sines(x):
        return float(np.sum(np.sin(x) * C))

    return [
        Case("f(x) = sum(x**3) at x = [1, -2, 0.5] (gradient 3 x**2 = [3, 12, 0.75])",
             (cubes, np.array([1.0, -2.0, 0.5]), 1e-5)),
        Case("a quadratic form x^T A x, x of shape (4,)", (quadratic_form, rng.normal(size=4), 1e-5)),
        Case("cross-entropy of a weight matrix W (3, 4)", (cross_entropy_of_W, rng.normal(size=(3, 4)), 1e-5)),
        Case("f(x) = sum(exp(x)) with h = 1e-3", (exp_sum, rng.normal(size=5), 1e-3)),
        Case("weighted sines of a matrix (3, 4), h = 1e-4", (weighted_sines, rng.normal(size=(3, 4)), 1e-4)),
        Case("a single entry, h = 1e-3", (exp_sum, rng.normal(size=1), 1e-3)),
        Case("a large h = 0.1 on f(x) = sum(x**3): the estimate is 3 x**2 + h**2, so h must be used",
             (cubes, rng.normal(size=4), 0.1)),
    ]


def _numerical_with(*, centred=True, divisor=2.0, restore=True, one_at_a_time=True, use_h=True, dtype=float):
    """A wrong numerical_gradient with one thing done wrong."""

    def wrong(f, x, h=1e-5):
        h = h if use_h else 1e-5
        grad = np.zeros(x.shape, dtype=dtype)
        if not one_at_a_time:
            return grad + (f(x + h) - f(x - h)) / (2.0 * h)
        for i in np.ndindex(x.shape):
            original = x[i]
            x[i] = original + h
            plus = f(x)
            x[i] = original - h if centred else original
            minus = f(x)
            if restore:
                x[i] = original
            grad[i] = (plus - minus) / (divisor * h if centred else h)
        return grad

    return wrong


def _numerical_one_axis(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        original = x[i].copy()
        x[i] = original + h
        plus = f(x)
        x[i] = original - h
        minus = f(x)
        x[i] = original
        grad[i] = (plus - minus) / (2.0 * h)
    return grad


register(Exercise(
    id="numerical-gradient",
    lesson=LESSON,
    title="A centred-difference gradient checker",
    points=3,
    reference=numerical_gradient,
    make_cases=_numerical_cases,
    run=_run_numerical,
    mistakes=(
        Mistake("forward-difference", _numerical_with(centred=False),
                "(f(x + h) - f(x)) / h has an error of order h; the centred difference "
                "(f(x + h) - f(x - h)) / (2h) is accurate to order h**2 (eq. 5.8)."),
        Mistake("x-not-restored", _numerical_with(restore=False),
                "after the two evaluations put the entry back (x[i] = original); otherwise every later entry "
                "is differentiated at a shifted point and the caller's x comes back changed."),
        Mistake("divided-by-h", _numerical_with(divisor=1.0),
                "the two points x + h and x - h are 2h apart: divide by 2 * h."),
        Mistake("every-entry-moved-at-once", _numerical_with(one_at_a_time=False),
                "perturb one entry at a time (x[i] += h for a single index i), so that each difference "
                "measures the slope along that entry alone."),
        Mistake("h-ignored", _numerical_with(use_h=False),
                "use the step h you are given (its default is 1e-5, but the caller may pass another)."),
        Mistake("divided-by-4h", _numerical_with(divisor=4.0),
                "the centred difference divides by the distance between x + h and x - h, which is 2h, not 4h."),
        Mistake("one-axis-only", _numerical_one_axis,
                "range(len(x)) walks the first axis only (x[i] is a whole row of a matrix): walk every index "
                "with np.ndindex(x.shape)."),
    ),
))
