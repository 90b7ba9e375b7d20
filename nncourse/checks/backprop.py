"""Exercise checks for lesson 05, in three parts: ``05a_computational_graphs.ipynb``,
``05b_backward_pass.ipynb`` and ``05c_gradient_checking.ipynb``.

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

# The lesson is split into three notebooks; each exercise belongs to the part that asks it.
GRAPHS = "05a_computational_graphs"
BACKWARD_PASS = "05b_backward_pass"
CHECKING = "05c_gradient_checking"


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
    lesson=GRAPHS,
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
    lesson=GRAPHS,
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
    lesson=BACKWARD_PASS,
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
        Case("a single sample, 3 -> 6 -> 2, ReLU", _network(rng, [3, 6, 2], 1, "relu")),
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


def _backward_own_activation(dZ_out, cache):
    grads, dZ = [None] * len(cache), dZ_out
    for layer in range(len(cache) - 1, -1, -1):
        dA_prev, dW, db = backprop.dense_backward(dZ, cache[layer].dense)
        grads[layer] = (dW, db)
        if layer > 0:
            dZ = backprop.activation_backward(dA_prev, cache[layer].activation)
    return grads


register(Exercise(
    id="backward-pass",
    lesson=BACKWARD_PASS,
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
        Mistake("own-layer-activation-refused", _backward_own_activation,
                "after dA = dZ @ W.T of layer l, multiply by g'(Z) of the layer *below*, cache[l - 1].activation "
                "(dA is the gradient at that layer's output, and has its shape): cache[l].activation has layer l's "
                "shape, which activation_backward refuses."),
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
    lesson=CHECKING,
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


# =========================================================================== #
# Added in issue 13, part 2 (lessons-b1): a scalar autograd engine, two
# derive-then-implement exercises (the softmax's backward, the sigmoid + binary
# cross-entropy fused gradient) and a bug hunt in three backward passes.
# =========================================================================== #
# value-class: a micrograd-style scalar node with +, *, tanh, relu and backward()
# --------------------------------------------------------------------------- #

class Value:
    """A number that remembers how it was computed, so that ``backward()`` can fill in every gradient.

    ``v.data`` is the value and ``v.grad`` is :math:`\\partial L/\\partial v` once
    ``L.backward()`` has run (0.0 before). ``a + b`` and ``a * b`` (``b`` a
    Value or a number), ``a.tanh()`` and ``a.relu()`` make new nodes; each
    node's ``_backward`` hands its gradient to its inputs as local × upstream,
    *adding* (``+=``) so that a value read twice collects both shares (5.2).
    ``backward()`` runs them in reverse topological order: a node hands its
    gradient down only after every node that reads it has handed in its own.
    The reference of ``value-class`` (after micrograd's ``engine.py``).
    """

    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(children)
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = float(np.tanh(self.data))
        out = Value(t, (self,))

        def _backward():
            self.grad += (1.0 - t * t) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0.0), (self,))

        def _backward():
            self.grad += (self.data > 0) * out.grad  # ReLU'(0) = 0, as everywhere in the course

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)  # after all its inputs: a topological order

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _value_class(*, accumulate=True, order="topological", mul_local="other", tanh_local="output",
                 relu_at_zero=0.0, seed=True, upstream=True, wrap_numbers=True):
    """A Value class with one thing done wrong (the learner's mistakes), else as the reference.

    ``__add__`` is always right: the notebook gives it as the model for the other operations.
    """

    def share(node, amount):
        node.grad = node.grad + amount if accumulate else amount

    class WrongValue:
        def __init__(self, data, children=()):
            self.data = float(data)
            self.grad = 0.0
            self._children = tuple(children)
            self._backward = lambda: None

        def __add__(self, other):  # given in the notebook: always right
            other = other if isinstance(other, WrongValue) else WrongValue(other)
            out = WrongValue(self.data + other.data, (self, other))

            def _backward():
                self.grad += out.grad
                other.grad += out.grad

            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if (isinstance(other, WrongValue) or not wrap_numbers) else WrongValue(other)
            out = WrongValue(self.data * other.data, (self, other))

            def _backward():
                mine, theirs = (other.data, self.data) if mul_local == "other" else (self.data, other.data)
                share(self, mine * (out.grad if upstream else 1.0))
                share(other, theirs * (out.grad if upstream else 1.0))

            out._backward = _backward
            return out

        def tanh(self):
            t = float(np.tanh(self.data))
            out = WrongValue(t, (self,))

            def _backward():
                local = 1.0 - t * t if tanh_local == "output" else 1.0 - self.data ** 2
                share(self, local * (out.grad if upstream else 1.0))

            out._backward = _backward
            return out

        def relu(self):
            out = WrongValue(max(self.data, 0.0), (self,))

            def _backward():
                local = 1.0 if self.data > 0 else (relu_at_zero if self.data == 0 else 0.0)
                share(self, local * (out.grad if upstream else 1.0))

            out._backward = _backward
            return out

        def backward(self):
            if seed:
                self.grad = 1.0
            if order == "recursive":  # each node hands down as soon as it is reached from any consumer
                def walk(node):
                    node._backward()
                    for child in node._children:
                        walk(child)
                walk(self)
                return
            nodes, seen = [], set()

            def visit(node):
                if order == "no-seen-set" or id(node) not in seen:
                    seen.add(id(node))
                    for child in node._children:
                        visit(child)
                    nodes.append(node)

            visit(self)
            for node in (nodes if order == "not-reversed" else reversed(nodes)):
                node._backward()

    return WrongValue


def _run_value(objects, case):
    """Build the case's expression graph from the learner's class, run backward(), report every node.

    Node ``i`` is numbered as in the case's name: the leaves first (x0, x1, ...), then one node
    per operation (v3, v4, ...); the last node is the output L.
    """
    cls = objects[0]
    leaves, program = case.args
    nodes = [cls(float(x)) for x in leaves]
    for op, i, operand in program:
        if op == "add":
            nodes.append(nodes[i] + nodes[operand])
        elif op == "mul":
            nodes.append(nodes[i] * nodes[operand])
        elif op == "add-number":
            nodes.append(nodes[i] + operand)
        elif op == "mul-number":
            nodes.append(nodes[i] * operand)
        elif op == "tanh":
            nodes.append(nodes[i].tanh())
        else:
            nodes.append(nodes[i].relu())
    nodes[-1].backward()
    return {"data": np.array([float(v.data) for v in nodes]), "grad": np.array([float(v.grad) for v in nodes])}


_SYMBOL = {"add": "{} + {}", "mul": "{} * {}", "add-number": "{} + {}", "mul-number": "{} * {}",
           "tanh": "tanh({})", "relu": "relu({})"}


def _graph_case(title: str, leaves, program) -> Case:
    """A case whose name lists the whole graph, numbered as :func:`_run_value` reports it."""
    names = [f"x{i}" for i in range(len(leaves))] + [f"v{len(leaves) + k}" for k in range(len(program))]
    steps = []
    for k, (op, i, operand) in enumerate(program):
        other = names[operand] if op in ("add", "mul") else (f"{operand:g}" if operand is not None else "")
        steps.append(f"{names[len(leaves) + k]} = " + _SYMBOL[op].format(names[i], other))
    inputs = ", ".join(f"{n} = {x:g}" for n, x in zip(names, leaves))
    return Case(f"{title}: {inputs}; " + "; ".join(steps) + f" (L = {names[-1]})",
                (np.asarray(leaves, dtype=float), tuple(program)))


def _random_program(rng: np.random.Generator, n_leaves: int, n_ops: int, ops=("add", "mul", "add-number",
                                                                            "mul-number", "tanh", "relu")) -> list:
    program = []
    for k in range(n_ops):
        available = n_leaves + k
        op = str(rng.choice(ops))
        # The newest node is read again and again, older ones now and then: plenty of fan-out.
        i = available - 1 if rng.random() < 0.5 else int(rng.integers(0, available))
        if op in ("add", "mul"):
            operand = int(rng.integers(0, available))
        elif op == "add-number":
            operand = round(float(rng.uniform(-1.0, 1.0)), 2)
        elif op == "mul-number":
            operand = round(float(rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 1.5)), 2)
        else:
            operand = None
        program.append((op, i, operand))
    # Finish with a tanh of the sum of the last two nodes, so the output depends on most of the graph.
    last = n_leaves + n_ops
    program += [("add", last - 1, last - 2), ("tanh", last, None)]
    return program


def _value_cases(rng: np.random.Generator) -> list:
    def leaves(k):
        return [round(float(v), 2) for v in rng.uniform(-1.5, 1.5, size=k)]

    chain = [("tanh", 0, None)] + [("tanh", k, None) for k in range(2, 26)]
    return [
        # the walkthrough's hidden unit with tanh: z = 0.5 - 0.6 + 0.1 = 0, tanh'(0) = 1, so dL/dw = x
        _graph_case("the worked example: L = tanh(w1 x1 + w2 x2 + b) (dL/dw1 = 1, dL/dw2 = 2, dL/db = 1)",
                    [1.0, 2.0, 0.5, -0.3, 0.1],
                    [("mul", 2, 0), ("mul", 3, 1), ("add", 5, 6), ("add", 7, 4), ("tanh", 8, None)]),
        _graph_case("x read three times: L = x * x + x * 3 at x = 2 (dL/dx = 2x + 3 = 7)", [2.0],
                    [("mul", 0, 0), ("mul-number", 0, 3.0), ("add", 1, 2)]),
        _graph_case("a diamond: v2 is read by two nodes that meet again", leaves(2),
                    [("mul", 0, 1), ("mul-number", 2, 2.0), ("add-number", 2, 1.0), ("mul", 3, 4),
                     ("tanh", 5, None)]),
        _graph_case("relu at exactly 0 (ReLU'(0) = 0) and of a negative number", [0.7, -0.4],
                    [("mul-number", 0, -1.0), ("add", 0, 2), ("relu", 3, None), ("relu", 1, None),
                     ("add", 4, 5), ("add", 6, 0)]),
        _graph_case("a chain of 25 tanh", [round(float(rng.uniform(0.5, 1.5)), 2), 0.0], chain),
        _graph_case("a random graph with fan-out", leaves(3), _random_program(rng, 3, 8)),
        _graph_case("a random graph with fan-out", leaves(4), _random_program(rng, 4, 12)),
        _graph_case("a random graph of sums and products only", leaves(3),
                    _random_program(rng, 3, 7, ops=("add", "mul", "mul-number"))),
    ]


register(Exercise(
    id="value-class",
    lesson=GRAPHS,
    title="A scalar autograd engine: Value with +, *, tanh, relu and backward()",
    points=4,
    reference=Value,
    make_cases=_value_cases,
    run=_run_value,
    kind="class",
    mistakes=(
        Mistake("grad-assigned-not-added", _value_class(accumulate=False),
                "a value read by several nodes (x * x, or x in two places) must collect every share (5.2): "
                "write self.grad += ..., never self.grad = ..., in each _backward."),
        Mistake("no-topological-order", _value_class(order="recursive"),
                "a node may hand its gradient down only once every node that reads it has added its share: "
                "build a topological order (each node after its inputs, visiting each node once) and call "
                "_backward in reverse of that order, not recursively as soon as a node is reached."),
        Mistake("order-not-reversed", _value_class(order="not-reversed"),
                "walk the topological order backwards, from L to the leaves (reversed(order)): the leaves come "
                "first in it, and their inputs' gradients are still 0 when they run."),
        Mistake("node-visited-twice", _value_class(order="no-seen-set"),
                "remember the nodes already visited when building the order: a node reached along two paths "
                "must appear once, or its _backward runs twice and hands its share down twice."),
        Mistake("mul-own-value", _value_class(mul_local="own"),
                "the local gradient of a * b with respect to a is b: each factor gets the upstream gradient "
                "times the *other* factor (self.grad += other.data * out.grad)."),
        Mistake("tanh-derivative-of-input", _value_class(tanh_local="input"),
                "tanh'(x) = 1 - tanh(x)**2: square the *output* t = tanh(x), not the input x."),
        Mistake("relu-derivative-1-at-0", _value_class(relu_at_zero=1.0),
                "the course takes ReLU'(0) = 0: the gradient passes only where the input is > 0 (strictly)."),
        Mistake("output-gradient-not-set", _value_class(seed=False),
                "start the backward pass with dL/dL = 1: set self.grad = 1.0 in backward() before the walk; "
                "otherwise every share is a multiple of 0."),
        Mistake("upstream-gradient-forgotten", _value_class(upstream=False),
                "each share is local gradient x upstream gradient (5.1): multiply by out.grad in every _backward."),
        Mistake("number-not-wrapped", _value_class(wrap_numbers=False),
                "a * 3.0 meets a plain number: wrap it first, as __add__ does: other = other if "
                "isinstance(other, Value) else Value(other)."),
    ),
))


# --------------------------------------------------------------------------- #
# softmax-backward: the vector-Jacobian product of softmax, derived from (2.11)   (5.4a)
# --------------------------------------------------------------------------- #

def _softmax_rows(Z: np.ndarray) -> np.ndarray:
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_backward(dP, P):
    """``dZ = P * (dP - sum_j dP_j P_j)`` row by row (eq. 5.4a), without forming any Jacobian.

    The reference of ``softmax-backward``: the package's
    :func:`nncourse.activations.softmax_backward` with the learner's signature.
    """
    return act.softmax_backward(dP, P)


def _softmax_backward_cases(rng: np.random.Generator) -> list:
    def rows(n, k, scale=2.0):
        return _softmax_rows(rng.normal(0.0, scale, size=(n, k)))

    P_worked = _softmax_rows(np.array([[2.0, 1.0, 0.1]]))
    n, k = int(rng.integers(3, 7)), int(rng.integers(3, 6))
    square = rows(4, 4)
    return [
        Case("the worked example: P = softmax(2, 1, 0.1), dP = -Y / (n P) for label 0 "
             "(dZ = (P - Y) / n = [-0.3410, 0.2424, 0.0986])", (np.array([[-1.0 / P_worked[0, 0], 0.0, 0.0]]), P_worked)),
        Case(f"random P ({n}, {k}) and dP", (rng.normal(size=(n, k)), rows(n, k))),
        Case("n = K = 4: a sum over the wrong axis raises no shape error", (rng.normal(size=(4, 4)), square)),
        Case("a constant upstream gradient dP = 3 gives dZ = 0 (softmax ignores a common shift)",
             (np.full((3, 5), 3.0), rows(3, 5))),
        Case("nearly one-hot rows, logits of spread 8", (rng.normal(size=(3, 4)), rows(3, 4, scale=8.0))),
        Case("two classes", (rng.normal(size=(5, 2)), rows(5, 2))),
        Case("one sample, 6 classes", (rng.normal(size=(1, 6)), rows(1, 6))),
    ]


def _first_row_jacobian(dP, P):
    p = P[0]
    return dP @ (np.diag(p) - np.outer(p, p))


register(Exercise(
    id="softmax-backward",
    lesson=BACKWARD_PASS,
    title="The softmax's backward pass, dZ = P * (dP - sum(dP * P)), derived from its Jacobian",
    points=3,
    reference=softmax_backward,
    make_cases=_softmax_backward_cases,
    mistakes=(
        Mistake("diagonal-only", lambda dP, P: dP * P * (1.0 - P),
                "P * (1 - P) is only the diagonal of the Jacobian, p_i (1 - p_i); every p_j also depends on "
                "every z_k (-p_j p_k off the diagonal), which subtracts P * sum_j dP_j P_j."),
        Mistake("weights-missing-in-the-sum", lambda dP, P: P * (dP - dP.sum(axis=1, keepdims=True)),
                "the off-diagonal terms weight each dP_j by p_j: subtract sum_j dP_j P_j, not sum_j dP_j."),
        Mistake("outer-p-missing", lambda dP, P: dP - (dP * P).sum(axis=1, keepdims=True),
                "every entry of the Jacobian's column k carries the factor p_k: dZ_k = p_k (dP_k - sum_j dP_j "
                "P_j), so multiply by P."),
        Mistake("sign-flipped", lambda dP, P: P * ((dP * P).sum(axis=1, keepdims=True) - dP),
                "dZ_k = p_k (dP_k - sum_j dP_j P_j): the own term dP_k is added, the weighted sum subtracted."),
        Mistake("summed-over-every-row", lambda dP, P: P * (dP - (dP * P).sum()),
                "each sample has its own softmax: sum over the classes of each row (axis=1, keepdims=True), "
                "not over the whole batch."),
        Mistake("summed-over-the-samples", lambda dP, P: P * (dP - (dP * P).sum(axis=0, keepdims=True)),
                "the sum runs over the classes j of one row (axis=1), not over the samples (axis=0)."),
        Mistake("keepdims-missing", lambda dP, P: P * (dP - (dP * P).sum(axis=1)),
                "(dP * P).sum(axis=1) has shape (n,), which numpy lines up with the *columns*: keep the axis, "
                "sum(axis=1, keepdims=True), so that row i's sum is subtracted in row i."),
        Mistake("first-row-jacobian", _first_row_jacobian,
                "each row has its own Jacobian diag(p) - p p^T built from that row's p: the first row's "
                "Jacobian is wrong for every other sample (loop over the rows, or use the row-wise formula)."),
        Mistake("outer-product-as-dot", lambda dP, P: np.array([d @ (np.diag(p) - p @ p) for d, p in zip(dP, P)]),
                "p p^T is the K x K outer product, np.outer(p, p); p @ p is a single number."),
        Mistake("entrywise-rule", lambda dP, P: P * dP,
                "P * dP applies the entry-by-entry rule (5.3) as if p_k depended on z_k alone; every p_j depends "
                "on every z_k, which subtracts each row's weighted sum: dZ = P * (dP - sum(dP * P, axis=1, "
                "keepdims=True))."),
    ),
))


# --------------------------------------------------------------------------- #
# sigmoid-bce-grad: the fused gradient (p - y)/N by the chain rule through two nodes   (5.5b)
# --------------------------------------------------------------------------- #

def _naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_bce_cases(rng: np.random.Generator) -> list:
    n, n_out = int(rng.integers(4, 9)), int(rng.integers(2, 5))

    def labels(shape):
        return rng.integers(0, 2, size=shape).astype(float)

    return [
        Case("the walkthrough's output unit: z = [0.5], y = [1] (dL/dz = sigma(0.5) - 1 = -0.3775)",
             (np.array([0.5]), np.array([1.0]))),
        Case(f"{n} samples, one output: z ({n},)", (rng.normal(0.0, 2.0, size=n), labels(n))),
        Case(f"{n} samples, {n_out} outputs: N = {n * n_out} entries, not {n} rows",
             (rng.normal(0.0, 2.0, size=(n, n_out)), labels((n, n_out)))),
        Case("confidently right and wrong logits z = [-1000, -30, 30, 1000]: nothing may overflow",
             (np.array([-1000.0, -30.0, 30.0, 1000.0]), np.array([1.0, 0.0, 1.0, 0.0])), extreme=True),
        Case("soft targets y in [0, 1]", (rng.normal(size=(3, 2)), rng.uniform(0.0, 1.0, size=(3, 2)))),
        Case("a column of 6 samples, shape (6, 1)", (rng.normal(size=(6, 1)), labels((6, 1)))),
    ]


def _sigmoid_bce(rule):
    def sigmoid_bce_grad(z, y):
        p = act.sigmoid(z)
        return rule(z, y, p, z.size)
    return sigmoid_bce_grad


register(Exercise(
    id="sigmoid-bce-grad",
    lesson=BACKWARD_PASS,
    title="The fused sigmoid + binary cross-entropy gradient (p - y) / N, by the chain rule",
    points=2,
    reference=losses.binary_cross_entropy_with_logits_grad,
    make_cases=_sigmoid_bce_cases,
    forbid_overflow=True,
    mistakes=(
        Mistake("divided-by-the-rows", _sigmoid_bce(lambda z, y, p, N: (p - y) / z.shape[0]),
                "binary cross-entropy averages over every entry (4.4), N = z.size: with several outputs per "
                "sample that is n * n_out, not the n rows."),
        Mistake("not-divided", _sigmoid_bce(lambda z, y, p, N: p - y),
                "the loss is a mean over the N entries, so each entry's gradient carries 1/N: (p - y) / N."),
        Mistake("y-minus-p", _sigmoid_bce(lambda z, y, p, N: (y - p) / N),
                "prediction minus target, (p - y) / N: raising z raises p, which lowers the loss when y = 1, so "
                "that entry's gradient is negative."),
        Mistake("naive-sigmoid", lambda z, y: (_naive_sigmoid(z) - y) / z.size,
                "1 / (1 + np.exp(-z)) overflows at z = -1000: use the stable activations.sigmoid(z)."),
        Mistake("denominator-dropped", _sigmoid_bce(lambda z, y, p, N: (p - y) * p * (1.0 - p) / N),
                "dL/dp (4.5) is (p - y) / (N p (1 - p)); times sigma'(z) = p (1 - p) the p (1 - p) cancels. "
                "Without the denominator it is multiplied in instead of cancelled."),
        Mistake("gradient-with-respect-to-p", _sigmoid_bce(lambda z, y, p, N: (p - y) / (N * p * (1.0 - p))),
                "(p - y) / (N p (1 - p)) is dL/dp (4.5); the chain rule multiplies it by the sigmoid's local "
                "gradient sigma'(z) = p (1 - p) to reach dL/dz."),
        Mistake("logits-instead-of-probabilities", _sigmoid_bce(lambda z, y, p, N: (z - y) / N),
                "the prediction is p = sigmoid(z), a probability: (p - y) / N, not (z - y) / N."),
    ),
))


# --------------------------------------------------------------------------- #
# Find the bug: three broken backward passes, each to be fixed
# (bug-two-layer: a missing transpose; bug-linear-mse: db as a mean;
#  bug-l2-penalty: '=' where W's gradient has two shares)
# --------------------------------------------------------------------------- #

def _named_grads(result) -> dict:
    """``[(dW1, db1), ...]`` as ``{"dW1": ..., "db1": ...}``, so that a message names the wrong gradient."""
    if not isinstance(result, (list, tuple)) or not all(isinstance(g, (list, tuple)) and len(g) == 2 for g in result):
        raise TypeError(f"return a list of (dW, db) pairs, one per layer, layer 1 first; got {type(result).__name__}")
    named = {}
    for layer, (dW, db) in enumerate(result, start=1):
        named[f"dW{layer}"], named[f"db{layer}"] = dW, db
    return named


def _run_grads(objects, case):
    return _named_grads(objects[0](*case.args))


def _bug_network(rng: np.random.Generator, sizes, n, *, activation="relu", regression=False):
    params = [(W, rng.normal(0.0, 0.5, size=b.shape))
              for W, b in layers.init_params(sizes, init="he" if activation == "relu" else "xavier", seed=rng)]
    X = rng.normal(size=(n, sizes[0]))
    y = rng.normal(size=(n, sizes[-1])) if regression else rng.integers(0, sizes[-1], size=n)
    return params, X, y


# ---- bug-two-layer ----

def two_layer_grads(params, X, y):
    """The mean cross-entropy's gradients of a ReLU network with a softmax output (the reference of ``bug-two-layer``)."""
    return backprop.loss_and_grads(params, X, y, activation="relu")[1]


def _two_layer_with(*, transpose=True, mask="relu'", reverse=False):
    """The notebook's ``two_layer_grads_buggy`` with the bug fixed (or not) and perhaps another slip."""

    def grads(params, X, y):
        (W1, b1), (W2, b2) = params
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0.0)
        Z2 = A1 @ W2 + b2
        dZ2 = losses.softmax_cross_entropy_grad(Z2, y)
        dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
        dA1 = dZ2 @ W2.T if transpose else dZ2 @ W2
        dZ1 = {"relu'": dA1 * (Z1 > 0), "none": dA1, "relu": dA1 * A1}[mask]
        dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
        return [(dW2, db2), (dW1, db1)] if reverse else [(dW1, db1), (dW2, db2)]

    return grads


def _two_layer_cases(rng: np.random.Generator) -> list:
    k = int(rng.integers(3, 6))
    return [
        Case("a network like the notebook's, 3 -> 4 -> 4 (square W2), 6 samples", _bug_network(rng, [3, 4, 4], 6)),
        Case(f"square W2: 5 -> {k} -> {k}, 8 samples", _bug_network(rng, [5, k, k], 8)),
        Case("W2 (6, 3) is not square: 4 -> 6 -> 3, 5 samples", _bug_network(rng, [4, 6, 3], 5)),
        Case("two classes, 2 -> 5 -> 2, 7 samples", _bug_network(rng, [2, 5, 2], 7)),
        Case("one sample, 3 -> 3 -> 3", _bug_network(rng, [3, 3, 3], 1)),
    ]


register(Exercise(
    id="bug-two-layer",
    lesson=CHECKING,
    title="Find and fix the bug: a two-layer network's backward pass",
    points=1,
    reference=two_layer_grads,
    make_cases=_two_layer_cases,
    run=_run_grads,
    mistakes=(
        Mistake("transpose-still-missing", _two_layer_with(transpose=False),
                "dW2 and db2 are right, dW1 and db1 wrong: the slip is on the way down between the layers. "
                "dA1 must have A1's shape (n, n_hidden); from dZ2 (n, K) and W2 (n_hidden, K) only "
                "dZ2 @ W2.T has it (5.4). On a square W2, dZ2 @ W2 runs and is wrong."),
        Mistake("relu-derivative-dropped", _two_layer_with(mask="none"),
                "between the layers sits the ReLU: dZ1 = dA1 * (Z1 > 0) (5.3); keep that line as it was."),
        Mistake("relu-instead-of-its-derivative", _two_layer_with(mask="relu"),
                "multiply dA1 by ReLU's *derivative*, (Z1 > 0), not by the activation A1 = ReLU(Z1)."),
        Mistake("layers-in-reverse-order", _two_layer_with(reverse=True),
                "return the gradients in the order of params, layer 1 first: [(dW1, db1), (dW2, db2)]."),
    ),
))


# ---- bug-linear-mse ----

def linear_mse_grads(params, X, y):
    """The MSE's gradients (4.1) of a linear model ``X W + b`` (the reference of ``bug-linear-mse``)."""
    return backprop.loss_and_grads(params, X, y, loss="mse")[1]


def _linear_mse_with(*, db="sum", factor=2.0, divide_by="entries", dw_divided=False):
    def grads(params, X, y):
        [(W, b)] = params
        y_hat = X @ W + b
        dZ = factor * (y_hat - y) / (y_hat.size if divide_by == "entries" else y_hat.shape[0])
        dW = X.T @ dZ / (X.shape[0] if dw_divided else 1)
        db_value = {"sum": lambda: dZ.sum(axis=0), "mean": lambda: dZ.mean(axis=0), "none": lambda: dZ,
                    "all": lambda: dZ.sum(), "keepdims": lambda: dZ.sum(axis=0, keepdims=True)}[db]()
        return [(dW, db_value)]

    return grads


def _linear_cases(rng: np.random.Generator) -> list:
    n, n_in, n_out = int(rng.integers(5, 10)), int(rng.integers(2, 5)), int(rng.integers(2, 4))
    return [
        Case("a model like the notebook's: 3 inputs, 2 outputs, 6 samples", _bug_network(rng, [3, 2], 6, regression=True)),
        Case(f"{n_in} inputs, {n_out} outputs, {n} samples", _bug_network(rng, [n_in, n_out], n, regression=True)),
        Case("one output, 8 samples", _bug_network(rng, [4, 1], 8, regression=True)),
        Case("a batch of 40, 5 inputs, 3 outputs", _bug_network(rng, [5, 3], 40, regression=True)),
        Case("one sample, 2 inputs, 2 outputs", _bug_network(rng, [2, 2], 1, regression=True)),
    ]


register(Exercise(
    id="bug-linear-mse",
    lesson=CHECKING,
    title="Find and fix the bug: the gradients of a linear model's mean squared error",
    points=1,
    reference=linear_mse_grads,
    make_cases=_linear_cases,
    run=_run_grads,
    mistakes=(
        Mistake("db-still-averaged", _linear_mse_with(db="mean"),
                "db is wrong by a factor 1/n and dW is right: b was broadcast to every row, so its gradient is "
                "the *sum* of dZ over the rows (5.4); the 1/N of the mean loss is already inside dZ."),
        Mistake("db-not-summed", _linear_mse_with(db="none"),
                "db has b's shape (n_out,): sum dZ over the samples, dZ.sum(axis=0)."),
        Mistake("db-summed-over-everything", _linear_mse_with(db="all"),
                "sum over the samples only (axis=0), one entry per output: db has b's shape (n_out,)."),
        Mistake("db-with-keepdims", _linear_mse_with(db="keepdims"),
                "db must have b's shape (n_out,), not (1, n_out): drop keepdims=True."),
        Mistake("dw-divided-by-n-too", _linear_mse_with(dw_divided=True),
                "dW = X^T dZ was right: the 1/N of the mean is already in dZ, so do not divide dW by n as well."),
        Mistake("factor-two-dropped", _linear_mse_with(factor=1.0),
                "the derivative of (y_hat - y)^2 is 2 (y_hat - y) (4.2): keep the 2 in dZ."),
        Mistake("divided-by-the-rows", _linear_mse_with(divide_by="rows"),
                "the MSE averages over every entry, N = y_hat.size (4.1), not over the n rows."),
    ),
))


# ---- bug-l2-penalty ----

def penalised_grads(params, X, y, l2):
    """Gradients of the mean cross-entropy plus (l2/2) sum ||W||^2 of a tanh network (the reference of ``bug-l2-penalty``)."""
    return backprop.loss_and_grads(params, X, y, activation="tanh", l2=l2)[1]


def _penalised_with(*, weight_share="add", bias_share=False):
    def grads(params, X, y, l2):
        _, cache = layers.forward(params, X, activation="tanh")
        dZ_out = losses.softmax_cross_entropy_grad(cache[-1].activation[0], y)
        out = []
        for (W, b), (dW, db) in zip(params, backprop.backward(dZ_out, cache)):
            dW = {"add": lambda: dW + l2 * W, "assign": lambda: l2 * W, "none": lambda: dW,
                  "double": lambda: dW + 2.0 * l2 * W, "half": lambda: dW + 0.5 * l2 * W,
                  "subtract": lambda: dW - l2 * W}[weight_share]()
            out.append((dW, db + l2 * b if bias_share else db))
        return out

    return grads


def _penalty_cases(rng: np.random.Generator) -> list:
    def case(sizes, n, l2):
        return _bug_network(rng, sizes, n, activation="tanh") + (l2,)

    l2 = round(float(rng.uniform(0.05, 0.5)), 3)
    return [
        Case("a network like the notebook's, 4 -> 5 -> 3, 6 samples, l2 = 0.1", case([4, 5, 3], 6, 0.1)),
        Case(f"three layers 3 -> 6 -> 4 -> 2, l2 = {l2}", case([3, 6, 4, 2], 8, l2)),
        Case("l2 = 0: only the data's share", case([3, 4, 3], 5, 0.0)),
        Case("a strong penalty, l2 = 2", case([2, 3, 2], 4, 2.0)),
        Case("one layer (softmax regression) 5 -> 3, l2 = 0.3", case([5, 3], 7, 0.3)),
    ]


register(Exercise(
    id="bug-l2-penalty",
    lesson=CHECKING,
    title="Find and fix the bug: gradients of a loss with an L2 penalty",
    points=1,
    reference=penalised_grads,
    make_cases=_penalty_cases,
    run=_run_grads,
    mistakes=(
        Mistake("penalty-overwrites-gradient", _penalised_with(weight_share="assign"),
                "W is read twice, by its layer and by the penalty (5.7), so its gradient has two shares that "
                "add (5.2): dW = dW + l2 * W. Assigning l2 * W throws away the data's share."),
        Mistake("penalty-left-out", _penalised_with(weight_share="none"),
                "the penalty (l2 / 2) sum ||W||^2 is part of the loss: its share l2 * W must be added to dW."),
        Mistake("penalty-on-the-biases", _penalised_with(bias_share=True),
                "the penalty (5.7) covers the weight matrices only, not the biases: leave db as it is."),
        Mistake("penalty-share-doubled", _penalised_with(weight_share="double"),
                "the derivative of (l2 / 2) ||W||^2 is l2 * W: the 1/2 cancels the 2 of the square."),
        Mistake("penalty-share-halved", _penalised_with(weight_share="half"),
                "the derivative of (l2 / 2) ||W||^2 is l2 * W, not (l2 / 2) * W: the square contributes a 2."),
        Mistake("penalty-share-subtracted", _penalised_with(weight_share="subtract"),
                "the penalty grows with ||W||, so its gradient points along W: add l2 * W, do not subtract it."),
    ),
))
