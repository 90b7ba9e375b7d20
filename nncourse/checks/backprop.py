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
        Case("sigmoid: the worked example z = [-1, 0, 2], dA = [0.5, 1, -2]",
             (np.array([[0.5, 1.0, -2.0]]), (np.array([[-1.0, 0.0, 2.0]]), "sigmoid"))),
        case(f"random ({n}, {units})", "sigmoid", _with_zeros(rng, (n, units))),
        case(f"random ({n}, {units})", "tanh", _with_zeros(rng, (n, units))),
        case(f"random ({n}, {units}) with exact zeros", "relu", _with_zeros(rng, (n, units))),
        case("large inputs (saturated units)", "sigmoid", np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])),
        case("large inputs (saturated units)", "tanh", np.array([[-1000.0, -30.0, 0.0, 30.0, 1000.0]])),
        case("one sample", "relu", rng.normal(size=(1, 4))),
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
        Case("the worked example: 2 samples, 3 inputs, 2 units",
             (np.array([[0.1, -0.2], [0.3, 0.4]]),
              (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]), np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])))),
        Case(f"random layer: X ({n}, {n_in}), W ({n_in}, {n_out})", layer(n, n_in, n_out)),
        Case("one sample", layer(1, 4, 3)),
        Case("one output unit", layer(6, 3, 1)),
        Case("a batch of 50", layer(50, 5, 4)),
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
    ),
))


# --------------------------------------------------------------------------- #
# backward-pass
# --------------------------------------------------------------------------- #

def _run_backward(objects, case):
    """Run forward with the package, then the learner's backward; name each gradient "dW1", "db1", ..."""
    params, X, y, activation = case.args
    _, cache = layers.forward(params, X, activation=activation, output="softmax")
    dZ_out = losses.softmax_cross_entropy_grad(cache[-1].activation[0], y)
    result = objects[0](dZ_out, cache)
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
    hand = ([(np.array([[0.5, -1.0, 0.2], [1.0, 0.5, -0.3]]), np.array([0.1, 0.0, -0.1])),
             (np.array([[1.0, -1.0], [-0.5, 0.5], [0.3, 0.8]]), np.array([0.0, 0.2]))],
            np.array([[1.0, 2.0]]), np.array([1]), "sigmoid")
    n = int(rng.integers(4, 9))
    width = int(rng.integers(3, 7))
    return [
        Case("the worked example: one sample, 2 -> 3 -> 2, sigmoid", hand),
        Case(f"two layers 3 -> {width} -> 4, ReLU, {n} samples", _network(rng, [3, width, 4], n, "relu")),
        Case("three layers 2 -> 5 -> 4 -> 3, tanh", _network(rng, [2, 5, 4, 3], 6, "tanh")),
        Case("four layers 4 -> 6 -> 6 -> 5 -> 3, sigmoid", _network(rng, [4, 6, 6, 5, 3], 5, "sigmoid")),
        Case("one layer (softmax regression) 5 -> 3", _network(rng, [5, 3], 4, "relu")),
        Case("a single sample, 3 -> 6 -> 2, leaky ReLU", _network(rng, [3, 6, 2], 1, "leaky_relu")),
    ]


def _backward_with(*, derivative=True, reverse_output=False, first_layer=True, softmax_again=False):
    """A wrong backward pass built from the package's pieces, with one thing done wrong."""

    def wrong(dZ_out, cache):
        grads = []
        dZ = dZ_out
        if softmax_again:
            dZ = backprop.activation_backward(dZ, cache[-1].activation)
        last_layer = 0 if first_layer else 1
        for layer in range(len(cache) - 1, last_layer - 1, -1):
            dA_prev, dW, db = backprop.dense_backward(dZ, cache[layer].dense)
            grads.append((dW, db))
            if layer > 0:
                dZ = backprop.activation_backward(dA_prev, cache[layer - 1].activation) if derivative else dA_prev
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
        Case("a single entry", (exp_sum, rng.normal(size=1), 1e-3)),
    ]


def _numerical_with(*, centred=True, divisor=2.0, restore=True, one_at_a_time=True):
    """A wrong numerical_gradient with one thing done wrong."""

    def wrong(f, x, h=1e-5):
        grad = np.zeros(x.shape)
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
    ),
))
