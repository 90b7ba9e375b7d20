"""A deterministic fuzz of every public maths function of nncourse (issue 16).

Every function is called with valid arguments, then once per argument with each kind of bad or
unusual input a learner can pass: wrong shapes, ``(n,)`` against ``(n, 1)``, empty and 0-d arrays,
int/bool/float16/float32/object/string arrays, lists, None, NaN, inf, ±1e308, read-only and
non-contiguous arrays, bad rates, counts, flags and names. Each call must end in one of two ways:

* it **succeeds**, and then every argument had a meaning the function documents (a list or a
  read-only array of the right numbers is fine, a NaN or a wrong shape is not), the result holds no
  NaN or inf, and it equals an **oracle**: the formula written again here, independently, in
  ``np.longdouble`` where a float64 computation could overflow (so ±1e308 inputs have an exact
  reference), or an invariant where no formula fits (a shuffle is a permutation);
* it raises a **ValueError or TypeError whose message names the argument** that was changed (its
  user-facing name or an alias such as ``W1`` for ``params``).

Any other exception, a warning, an input that was modified (other than the parameters an
optimiser step updates on success), an accepted bad input or a wrong result is a failure. The
test prints the number of calls and the outcome of each kind of input.

Run it alone with ``python3 course.py test tests/test_fuzz_api.py -s``.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest

import nncourse
from nncourse import activations as act
from nncourse import backprop, datasets, gradient_check, layers, linalg, losses, metrics, optim, regularization
from nncourse import training

L = np.longdouble
INVALID = object()  # "this input has no documented meaning": a call that accepts it is a failure
BIG = 1e308


class Undefined(Exception):
    """The oracle's maths is not defined for these (valid-looking) arguments."""


# --------------------------------------------------------------------------- #
# Arguments: how to make a valid one, how to spoil it, and what a value means
# --------------------------------------------------------------------------- #

@dataclass
class Arg:
    name: str
    make: Callable[[np.random.Generator], Any]
    mutate: Callable[[Any], list]  # value -> [(kind, new value), ...]
    meaning: Callable[[Any], Any]  # value -> what the maths sees (or INVALID)
    aliases: tuple = ()
    low_precision: Callable[[Any], bool] = lambda value: False


def _float_view(value):
    """The numbers a value stands for, as float64 (or INVALID for strings, objects, None, ragged lists)."""
    if value is None or isinstance(value, (str, bytes, dict, set)):
        return INVALID
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return INVALID
    if arr.dtype.kind not in "biuf":
        return INVALID
    return arr


def _is_low_precision(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.dtype.itemsize < 8


def array(name, shape, *, lo=-3.0, hi=3.0, integral=False, any_shape=False, shape_ok=None, domain=None,
          allow_bool=True, allow_big=True, aliases=()):
    """A float array of a fixed shape (or any shape, or one ``shape_ok`` accepts) whose values satisfy ``domain``."""

    def make(rng):
        if integral:
            return rng.integers(int(lo), int(hi) + 1, size=shape).astype(np.float64)
        return rng.uniform(lo, hi, size=shape)

    def meaning(value):
        arr = _float_view(value)
        if arr is INVALID or (arr.dtype.kind == "b" and not allow_bool):
            return INVALID
        arr = arr.astype(np.float64)
        if shape_ok is not None:
            if not shape_ok(arr.shape):
                return INVALID
        elif not any_shape and arr.shape != tuple(shape):
            return INVALID
        if not np.all(np.isfinite(arr)):
            return INVALID
        if domain is not None and not domain(arr):
            return INVALID
        return arr

    def mutate(x):
        out = _array_mutations(np.asarray(x))
        return out if allow_big else [(k, v) for k, v in out if "1e308" not in k]

    return Arg(name, make, mutate, meaning, aliases or (name,), _is_low_precision)


def _array_mutations(x: np.ndarray) -> list:
    out = [("list", x.tolist()), ("read-only", _read_only(x)), ("float32", x.astype(np.float32)),
           ("float16", x.astype(np.float16)), ("int", np.round(x).astype(np.int64)), ("bool", x > 0),
           ("object", x.astype(object)), ("str", x.astype(str)), ("None", None)]
    if x.ndim:
        out += [("non-contiguous", _non_contiguous(x)), ("0-d", np.array(x.flat[0])),
                ("empty", np.zeros((0,) + x.shape[1:])), ("extra axis", x[..., None]),
                ("ragged list", [list(x.ravel()[:2]), [1.0]])]
        if x.size:
            for kind, value in (("NaN", np.nan), ("inf", np.inf), ("-inf", -np.inf), ("+1e308 entry", BIG),
                                ("-1e308 entry", -BIG)):
                y = x.astype(np.float64).copy()
                y.flat[0] = value
                out.append((kind, y))
            out.append(("all ±1e308", np.where(x >= 0, BIG, -BIG)))
        if x.ndim == 1:
            out.append(("(n,) -> (n, 1)", x.reshape(-1, 1)))
        if x.ndim == 2:
            out.append(("(n, k) -> (n*k,)", x.ravel()))
            if x.shape[0] != x.shape[1]:
                out.append(("transposed", x.T.copy()))
        if x.shape[0] > 1:
            out.append(("one row less", x[:-1]))
    return out


def _read_only(x):
    y = np.array(x)
    y.flags.writeable = False
    return y


def _non_contiguous(x):
    wide = np.repeat(np.asarray(x)[..., None], 2, axis=-1)
    return wide[..., 0]


def labels(name, n, k, *, any_length=False, any_label=False, aliases=()):
    """Integer labels: ``n`` of them (any number with ``any_length``) in 0..k-1 (any >= 0 with ``any_label``)."""

    def meaning(value):
        arr = _float_view(value)
        if arr is INVALID or arr.dtype.kind == "b" or arr.ndim != 1 or not np.all(np.isfinite(arr)):
            return INVALID
        if not any_length and arr.shape != (n,):
            return INVALID
        if not np.all(arr == np.round(arr)) or (arr.size and (arr.min() < 0 or (arr.max() >= k and not any_label))):
            return INVALID
        return arr.astype(np.int64)

    def mutate(y):
        y = np.asarray(y)
        return [("list", y.tolist()), ("read-only", _read_only(y)), ("float labels", y.astype(np.float64)),
                ("fractional labels", y + 0.5), ("bool", y > 0), ("str", y.astype(str)), ("None", None),
                ("object", y.astype(object)), ("(n,) -> (n, 1)", y.reshape(-1, 1)), ("one label less", y[:-1]),
                ("label = n_classes", np.where(np.arange(n) == 0, k, y)), ("negative label", y - 1),
                ("empty", np.zeros(0, dtype=int)), ("0-d", np.array(0)), ("NaN", np.where(np.arange(n) == 0, np.nan, y)),
                ("non-contiguous", _non_contiguous(y))]

    return Arg(name, lambda rng: rng.integers(0, k, size=n), mutate, meaning, aliases or (name,))


def real(name, value, domain, aliases=()):
    """A Python number in ``domain``."""

    def meaning(v):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            return INVALID
        return float(v) if domain(float(v)) else INVALID

    def mutate(v):
        return [(k, m) for k, m in [("0", 0.0), ("-1", -1.0), ("NaN", math.nan), ("inf", math.inf), ("1e308", BIG),
                                    ("str", str(v)), ("None", None), ("True", True), ("list", [v]),
                                    ("np.float32", np.float32(v)), ("int 1", 1), ("0-d array", np.array(v))]]

    return Arg(name, lambda rng: value, mutate, meaning, aliases or (name,))


def integer(name, value, minimum, maximum=None, aliases=()):
    def meaning(v):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
            return INVALID
        return int(v) if v >= minimum and (maximum is None or v <= maximum) else INVALID

    def mutate(v):
        return [("minimum - 1", minimum - 1), ("-1", -1), ("0", 0), ("float", float(v)), ("fraction", v + 0.5),
                ("True", True), ("str", str(v)), ("None", None), ("np.int64", np.int64(v)), ("list", [v]),
                ("+1", v + 1)]

    return Arg(name, lambda rng: value, mutate, meaning, aliases or (name,))


def choice(name, value, choices, aliases=()):
    def meaning(v):
        return v if isinstance(v, str) and v in choices else INVALID

    def mutate(v):
        others = [c for c in choices if c != v][:2]
        return [("unknown name", "no_such_" + v), ("upper case", v.upper()), ("list", [v]), ("None", None),
                ("int", 3), ("empty string", ""), ("bytes", v.encode())] + [(f"other: {o}", o) for o in others]

    return Arg(name, lambda rng: value, mutate, meaning, aliases or (name,))


def flag(name, value, aliases=()):
    def meaning(v):
        return bool(v) if isinstance(v, (bool, np.bool_)) else INVALID

    def mutate(v):
        return [("'no'", "no"), ("'yes'", "yes"), ("1", 1), ("0", 0), ("None", None), ("np.bool_", np.bool_(v)),
                ("not", not v)]

    return Arg(name, lambda rng: value, mutate, meaning, aliases or (name,))


def generator(name, seed=123, optional=False, aliases=()):
    """An explicit np.random.Generator (or None when ``optional``); the meaning is a copy taken before the
    call, which makes the same draws."""

    def meaning(v):
        if v is None and optional:
            return None
        return copy.deepcopy(v) if isinstance(v, np.random.Generator) else INVALID

    def mutate(v):
        return [("int seed", 0), ("None", None), ("str", "rng"), ("RandomState", np.random.RandomState(0))]

    return Arg(name, lambda rng: np.random.default_rng(seed), mutate, meaning, aliases or (name,))


def seed_arg(name="seed", value=0, aliases=()):
    """An integer seed >= 0 or a Generator; the meaning is the Generator the function should draw from."""

    def meaning(v):
        if isinstance(v, np.random.Generator):
            return copy.deepcopy(v)
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < 0:
            return INVALID
        return np.random.default_rng(int(v))

    def mutate(v):
        return [("-1", -1), ("float", 1.5), ("str", "0"), ("None", None), ("True", True),
                ("Generator", np.random.default_rng(7)), ("np.int64", np.int64(3))]

    return Arg(name, lambda rng: value, mutate, meaning, aliases or (name,))


def fixed(name, value_fn, mutations, meaning, aliases=()):
    """An argument with hand-written mutations (caches, params, callables)."""
    return Arg(name, value_fn, mutations, meaning, aliases or (name,), _is_low_precision)


def params_arg(name, sizes, aliases=("params", "W1", "W2", "b1", "b2", "W3", "b3")):
    """A network's parameters [(W, b), ...] for the given layer sizes."""

    def make(rng):
        return [(rng.normal(size=(a, b)), rng.normal(size=b) * 0.1) for a, b in zip(sizes[:-1], sizes[1:])]

    def meaning(value):
        """Any chain of (W, b) pairs with finite numbers (a function that also takes X checks the fit)."""
        if not isinstance(value, (list, tuple)) or not value:
            return INVALID
        out = []
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                return INVALID
            W, bias = _float_view(pair[0]), _float_view(pair[1])
            if W is INVALID or bias is INVALID or W.ndim != 2 or W.size == 0 or bias.shape != (W.shape[1],):
                return INVALID
            if out and out[-1][0].shape[1] != W.shape[0]:
                return INVALID
            W, bias = W.astype(np.float64), bias.astype(np.float64)
            if not (np.all(np.isfinite(W)) and np.all(np.isfinite(bias))):
                return INVALID
            out.append((W, bias))
        return out

    def mutate(value):
        (W, b) = value[0]
        out = [("None", None), ("dict", {"W": W}), ("empty list", []), ("bare arrays", [W, b]),
               ("triple", [(W, b, b)] + value[1:]), ("list pairs", [list(p) for p in value]),
               ("tuple", tuple(value))]
        for kind, bad in _array_mutations(W):
            out.append((f"W1 {kind}", [(bad, b)] + value[1:]))
        for kind, bad in _array_mutations(b):
            out.append((f"b1 {kind}", [(W, bad)] + value[1:]))
        if len(value) > 1:
            W2, b2 = value[1]
            out.append(("broken chain", [(W, b), (W2[:-1], b2)] + value[2:]))
            out.append(("layer dropped", value[1:]))
        return out

    def low(value):
        return any(_is_low_precision(a) for pair in value if isinstance(pair, (list, tuple)) for a in pair)

    return Arg(name, make, mutate, meaning, aliases, low)


def _rows_sum_to_one(arr, axis=-1, tol=1e-6):
    return arr.ndim >= 1 and arr.shape[axis] > 0 and np.all((arr >= 0) & (arr <= 1)) and \
        np.all(np.abs(arr.sum(axis=axis) - 1) <= tol)


def _rounding_of(value) -> float:
    """How far from 1 a row of probabilities may sum after rounding to ``value``'s dtype."""
    dtype = np.asarray(value).dtype
    return max(1e-6, float(np.sqrt(np.finfo(dtype).eps))) if dtype.kind == "f" else 1e-6


def _probability_rows(rng, n, k):
    P = rng.uniform(0.05, 1.0, size=(n, k))
    return P / P.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- #
# Oracles: the formulas again, independently, in long double
# --------------------------------------------------------------------------- #

def ld(x):
    return np.asarray(x, dtype=L)


def o_sigmoid(z):
    z = ld(z)
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def o_softmax(z, axis=-1):
    z = ld(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def o_lse(z, axis=-1):
    z = ld(z)
    m = z.max(axis=axis, keepdims=True)
    return m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


ACT = {
    "sigmoid": (o_sigmoid, lambda z: o_sigmoid(z) * (1 - o_sigmoid(z))),
    "tanh": (lambda z: np.tanh(ld(z)), lambda z: 1 - np.tanh(ld(z)) ** 2),
    "relu": (lambda z: np.maximum(ld(z), 0), lambda z: (ld(z) > 0).astype(L)),
    "leaky_relu": (lambda z: np.where(ld(z) > 0, ld(z), L(0.01) * ld(z)), lambda z: np.where(ld(z) > 0, 1, L(0.01))),
    "linear": (lambda z: ld(z), lambda z: np.ones_like(ld(z))),
}


def o_forward(params, X, activation="relu", output="softmax"):
    A = ld(X)
    for i, (W, b) in enumerate(params):
        Z = A @ ld(W) + ld(b)
        last = i == len(params) - 1
        if not last:
            A = ACT[activation][0](Z)
        elif output == "softmax":
            A = o_softmax(Z)
        else:
            A = ACT[output][0](Z)
    return A


def o_loss(params, X, y, activation, loss, l2=0.0, l1=0.0):
    """The regularised loss from the logits, in long double."""
    Z = o_forward(params, X, activation, "linear")
    if loss == "mse":
        value = np.mean((Z - ld(y)) ** 2)
    elif loss == "binary_cross_entropy":
        y = ld(y)
        value = np.mean(np.maximum(Z, 0) - Z * y + np.log1p(np.exp(-np.abs(Z))))
    else:
        Y = ld(np.eye(Z.shape[1])[y]) if np.ndim(y) == 1 else ld(y)
        value = np.mean(o_lse(Z, 1)[:, 0] - (Y * Z).sum(axis=1))
    W_all = [ld(W) for W, _ in params]
    return value + L(l2) / 2 * sum((W * W).sum() for W in W_all) + L(l1) * sum(np.abs(W).sum() for W in W_all)


def o_grads(params, X, y, activation, loss, l2=0.0, l1=0.0, h=1e-6):
    """Centred differences of the long-double loss: an oracle independent of any backward pass."""
    grads = []
    for i, (W, b) in enumerate(params):
        pair = []
        for j, arr in enumerate((W, b)):
            g = np.zeros(arr.shape)
            for idx in np.ndindex(arr.shape):
                vals = []
                for sign in (1, -1):
                    p = [(np.array(a, dtype=L), np.array(c, dtype=L)) for a, c in params]
                    p[i][j][idx] += sign * L(h)
                    vals.append(o_loss(p, X, y, activation, loss, l2, l1))
                g[idx] = float((vals[0] - vals[1]) / (2 * L(h)))
            pair.append(g)
        grads.append(tuple(pair))
    return grads


# --------------------------------------------------------------------------- #
# The specifications: one per public function (or method, or returned closure)
# --------------------------------------------------------------------------- #

@dataclass
class Spec:
    name: str
    call: Callable
    args: list
    oracle: Callable | None = None  # oracle(**meanings) -> expected result (or raises Undefined)
    check: Callable | None = None  # check(result, **meanings): an invariant, raises AssertionError
    tolerance: float = 1e-9  # relative, for float64 inputs
    modifies: tuple = ()  # arguments the function changes in place when it succeeds
    nan_ok: bool = False  # documented NaN entries in the result (per_class_accuracy)
    grad_tolerance: bool = False  # the oracle is a finite difference
    keywords: tuple = ()  # arguments passed by keyword
    mutated: tuple | None = None  # the arguments to mutate (default: all)
    extra: dict = field(default_factory=dict)


def _cache_arg(name, make, meaning, aliases):
    def mutate(v):
        return [("None", None), ("list", list(v) if isinstance(v, tuple) else [v]), ("str", "cache"),
                ("empty tuple", ()), ("one too many", tuple(v) + (1,) if isinstance(v, tuple) else None)]
    return fixed(name, make, mutate, meaning, aliases)


def specs() -> list:
    S = []
    shape = (3, 4)
    pos = lambda v: v > 0  # noqa: E731
    nonneg = lambda v: v >= 0  # noqa: E731
    prob = lambda v: 0 <= v < 1  # noqa: E731

    # --- linalg ---
    for name, fn in (("dot", linalg.dot), ("dot_loop", linalg.dot_loop)):
        S.append(Spec(name, fn, [array("a", (5,)), array("b", (5,))],
                      oracle=lambda a, b: (ld(a) * ld(b)).sum()))
    rows_of = lambda cols: (lambda s: len(s) == 2 and s[1] == cols)  # noqa: E731 - any number of rows
    S.append(Spec("matvec", linalg.matvec, [array("A", (4, 3), shape_ok=rows_of(3)), array("x", (3,))],
                  oracle=lambda A, x: ld(A) @ ld(x)))
    for name, fn in (("matmul", linalg.matmul), ("matmul_loop", linalg.matmul_loop)):
        S.append(Spec(name, fn, [array("A", (4, 3), shape_ok=rows_of(3)),
                                 array("B", (3, 2), shape_ok=lambda s: len(s) == 2 and s[0] == 3)],
                      oracle=lambda A, B: ld(A) @ ld(B)))
    S.append(Spec("affine", linalg.affine, [array("X", (4, 3), shape_ok=rows_of(3)), array("W", (3, 2)), array("b", (2,))],
                  oracle=lambda X, W, b: ld(X) @ ld(W) + ld(b)))
    S.append(Spec("norm", linalg.norm, [array("x", (5,), shape_ok=lambda s: len(s) == 1),
                                        choice("kind", "l2", ("l1", "l2"))],
                  oracle=lambda x, kind: np.abs(ld(x)).sum() if kind == "l1" else np.sqrt((ld(x) ** 2).sum())))
    S.append(Spec("norm fro", lambda x, kind: linalg.norm(x, kind), [array("x", (3, 4), shape_ok=lambda s: len(s) == 2),
                                                                     choice("kind", "fro", ("fro",))],
                  oracle=lambda x, kind: np.sqrt((ld(x) ** 2).sum())))

    # --- activations ---
    for name in ACT:
        fn, grad = ACT[name]
        S.append(Spec(name, getattr(act, name), [array("z", shape, any_shape=True)], oracle=lambda z, fn=fn: fn(z)))
        S.append(Spec(name + "_grad", getattr(act, name + "_grad"), [array("z", shape, any_shape=True)],
                      oracle=lambda z, grad=grad: grad(z)))
    for name, fn, o in (("leaky_relu slope", act.leaky_relu, lambda z, s: np.where(ld(z) > 0, ld(z), L(s) * ld(z))),
                        ("leaky_relu_grad slope", act.leaky_relu_grad, lambda z, s: np.where(ld(z) > 0, 1, L(s)))):
        S.append(Spec(name, lambda z, slope, fn=fn: fn(z, slope=slope),
                      [array("z", shape, any_shape=True), real("slope", 0.2, pos)], oracle=lambda z, slope, o=o: o(z, slope)))
    S.append(Spec("softmax", lambda z, axis: act.softmax(z, axis=axis),
                  [array("z", shape, any_shape=True, domain=lambda a: a.ndim >= 1), integer("axis", -1, -10 ** 9)],
                  oracle=lambda z, axis: _softmax_oracle(z, axis)))
    S.append(Spec("softmax_jacobian", act.softmax_jacobian, [array("z", (4,), shape_ok=lambda s: len(s) == 1 and s[0] > 0)],
                  oracle=lambda z: np.diag(o_softmax(z)) - np.outer(o_softmax(z), o_softmax(z))))
    S.append(Spec("softmax_backward", act.softmax_backward,
                  [array("dA", shape), fixed("A", lambda rng: _probability_rows(rng, *shape), _array_mutations,
                                             _prob_rows_meaning(shape))],
                  oracle=lambda dA, A: ld(A) * (ld(dA) - (ld(dA) * ld(A)).sum(axis=-1, keepdims=True))))
    S.append(Spec("get_activation", lambda name: act.get_activation(name).name,
                  [choice("name", "tanh", tuple(act.ACTIVATIONS), aliases=("activation",))],
                  oracle=lambda name: name))

    # --- layers ---
    S.append(Spec("init_weights", lambda n_in, n_out, init, rng, dtype: layers.init_weights(n_in, n_out, init=init, rng=rng,
                                                                                             dtype=dtype),
                  [integer("n_in", 3, 1, 50), integer("n_out", 2, 1, 50), choice("init", "he", layers.INITS),
                   generator("rng"), _dtype_arg()],
                  oracle=_init_weights_oracle, tolerance=1e-6))
    S.append(Spec("init_params", lambda layer_sizes, init, seed, dtype: layers.init_params(layer_sizes, init=init, seed=seed,
                                                                                            dtype=dtype),
                  [_sizes_arg(), choice("init", "xavier", layers.INITS), seed_arg(), _dtype_arg()],
                  oracle=_init_params_oracle, tolerance=1e-6))
    net = (3, 4, 2)
    S.append(Spec("validate_params", layers.validate_params, [params_arg("params", net)],
                  oracle=lambda params: params))
    S.append(Spec("count_params", layers.count_params, [params_arg("params", net)],
                  oracle=lambda params: sum(W.size + b.size for W, b in params)))
    S.append(Spec("dense_forward", lambda X, W, b: layers.dense_forward(X, W, b)[0],
                  [array("X", (5, 3), shape_ok=rows_of(3)), array("W", (3, 2)), array("b", (2,))],
                  oracle=lambda X, W, b: ld(X) @ ld(W) + ld(b)))
    S.append(Spec("activation_forward", lambda Z, activation: layers.activation_forward(Z, activation)[0],
                  [array("Z", shape, any_shape=True, domain=lambda a: a.ndim >= 1 and a.shape[-1] > 0),
                   choice("activation", "softmax", layers.ACTIVATION_NAMES)],
                  oracle=lambda Z, activation: o_softmax(Z) if activation == "softmax" else ACT[activation][0](Z)))
    S.append(Spec("forward", lambda params, X, activation, output, drop_prob, rng, training: layers.forward(
                      params, X, activation=activation, output=output, drop_prob=drop_prob, rng=rng, training=training)[0],
                  [params_arg("params", net), array("X", (5, 3), shape_ok=rows_of(3)),
                   choice("activation", "tanh", layers.HIDDEN), choice("output", "softmax", layers.OUTPUTS),
                   real("drop_prob", 0.3, prob), generator("rng", optional=True), flag("training", False)],
                  oracle=_forward_oracle))

    # --- losses ---
    y_shape = (4, 3)
    S.append(Spec("mse", losses.mse, [array("y_pred", y_shape), array("y", y_shape)],
                  oracle=lambda y_pred, y: np.mean((ld(y_pred) - ld(y)) ** 2)))
    S.append(Spec("mse_grad", losses.mse_grad, [array("y_pred", y_shape), array("y", y_shape)],
                  oracle=lambda y_pred, y: 2 * (ld(y_pred) - ld(y)) / ld(y_pred).size))
    unit = lambda a: np.all((a >= 0) & (a <= 1))  # noqa: E731
    eps = np.finfo(np.float64).eps
    clip = lambda p: np.clip(ld(p), eps, 1 - eps)  # noqa: E731
    S.append(Spec("binary_cross_entropy", losses.binary_cross_entropy,
                  [array("p", y_shape, lo=0, hi=1, domain=unit), array("y", y_shape, lo=0, hi=1, integral=True, domain=unit)],
                  oracle=lambda p, y: -np.mean(ld(y) * np.log(clip(p)) + (1 - ld(y)) * np.log(1 - clip(p)))))
    S.append(Spec("binary_cross_entropy_grad", losses.binary_cross_entropy_grad,
                  [array("p", y_shape, lo=0.01, hi=0.99, domain=unit),
                   array("y", y_shape, lo=0, hi=1, integral=True, domain=unit)],
                  oracle=lambda p, y: (clip(p) - ld(y)) / (clip(p) * (1 - clip(p))) / ld(p).size, tolerance=1e-6))
    S.append(Spec("binary_cross_entropy_with_logits", losses.binary_cross_entropy_with_logits,
                  [array("z", y_shape), array("y", y_shape, lo=0, hi=1, domain=unit)],
                  oracle=lambda z, y: np.mean(np.maximum(ld(z), 0) - ld(z) * ld(y) + np.log1p(np.exp(-np.abs(ld(z)))))))
    S.append(Spec("binary_cross_entropy_with_logits_grad", losses.binary_cross_entropy_with_logits_grad,
                  [array("z", y_shape), array("y", y_shape, lo=0, hi=1, domain=unit)],
                  oracle=lambda z, y: (o_sigmoid(z) - ld(y)) / ld(z).size))
    n, k = 4, 3
    P_arg = lambda: fixed("P", lambda rng: _probability_rows(rng, n, k), _array_mutations,  # noqa: E731
                          _prob_rows_meaning((n, k)))
    S.append(Spec("cross_entropy", losses.cross_entropy, [P_arg(), labels("y", n, k)],
                  oracle=lambda P, y: -np.mean(np.log(clip(P))[np.arange(n), y])))
    S.append(Spec("cross_entropy one-hot", losses.cross_entropy,
                  [P_arg(), fixed("y", lambda rng: np.eye(k)[rng.integers(0, k, n)], _array_mutations,
                                  _prob_rows_meaning((n, k)))],
                  oracle=lambda P, y: -np.sum(ld(y) * np.log(clip(P))) / n))
    S.append(Spec("cross_entropy_grad", losses.cross_entropy_grad, [P_arg(), labels("y", n, k)],
                  oracle=lambda P, y: -ld(np.eye(k)[y]) / clip(P) / n))
    S.append(Spec("logsumexp", lambda Z, axis, keepdims: losses.logsumexp(Z, axis=axis, keepdims=keepdims),
                  [array("Z", y_shape, any_shape=True, domain=lambda a: a.ndim >= 1), integer("axis", 1, -10 ** 9),
                   flag("keepdims", False)],
                  oracle=_lse_oracle))
    S.append(Spec("cross_entropy_with_logits", losses.cross_entropy_with_logits, [array("Z", (n, k)), labels("y", n, k)],
                  oracle=lambda Z, y: np.mean(o_lse(Z, 1)[:, 0] - ld(Z)[np.arange(n), y])))
    S.append(Spec("softmax_cross_entropy_grad", losses.softmax_cross_entropy_grad, [array("Z", (n, k)), labels("y", n, k)],
                  oracle=lambda Z, y: (o_softmax(Z, 1) - np.eye(k)[y]) / n))
    S.append(Spec("one_hot", losses.one_hot, [labels("y", n, k, any_length=True, any_label=True),
                                              integer("n_classes", k, 1)],
                  oracle=lambda y, n_classes: _one_hot_oracle(y, n_classes)))
    S.append(Spec("get_loss", lambda name: losses.get_loss(name).output, [choice("name", "mse", tuple(losses.LOSSES),
                                                                                  aliases=("loss",))],
                  oracle=lambda name: {"mse": "linear", "binary_cross_entropy": "sigmoid",
                                       "softmax_cross_entropy": "softmax"}[name]))

    # --- backprop ---
    S.append(Spec("dense_backward", backprop.dense_backward,
                  [array("dZ", (5, 2)), _cache_arg("cache", lambda rng: (rng.normal(size=(5, 3)), rng.normal(size=(3, 2))),
                                                   _dense_cache_meaning, ("cache",))],
                  oracle=lambda dZ, cache: (ld(dZ) @ ld(cache[1]).T, ld(cache[0]).T @ ld(dZ), ld(dZ).sum(axis=0))))
    S.append(Spec("activation_backward", backprop.activation_backward,
                  [array("dA", shape), _cache_arg("cache", lambda rng: (rng.normal(size=shape), "sigmoid"),
                                                  _activation_cache_meaning(shape), ("cache", "activation"))],
                  oracle=lambda dA, cache: ld(dA) * ACT[cache[1]][1](cache[0])))
    S.append(Spec("backward", backprop.backward,
                  [array("dZ_out", (5, 2)), _cache_arg("cache", _forward_cache, _forward_cache_meaning, ("cache",))],
                  oracle=_backward_oracle))
    for loss, y_arg in (("softmax_cross_entropy", labels("y", 5, 2)),
                        ("mse", array("y", (5, 2))),
                        ("binary_cross_entropy", array("y", (5, 2), lo=0, hi=1, integral=True, domain=unit))):
        S.append(Spec(f"loss_and_grads {loss}",
                      lambda params, X, y, activation, loss, l2, l1, drop_prob, rng: backprop.loss_and_grads(
                          params, X, y, activation=activation, loss=loss, l2=l2, l1=l1, drop_prob=drop_prob, rng=rng),
                      [params_arg("params", net), array("X", (5, 3)), y_arg, choice("activation", "tanh", layers.HIDDEN),
                       choice("loss", loss, (loss,)), real("l2", 0.1, nonneg), real("l1", 0.05, nonneg),
                       real("drop_prob", 0.0, prob), generator("rng", optional=True)],
                      oracle=_loss_and_grads_oracle, grad_tolerance=True))

    # --- gradient_check ---
    S.append(Spec("numerical_gradient", lambda f, x, h: gradient_check.numerical_gradient(f, x, h),
                  [fixed("f", lambda rng: _f_sin, _callable_mutations, _callable_meaning),
                   array("x", (2, 3), any_shape=True, allow_big=False), real("h", 1e-5, pos)],
                  oracle=_numerical_gradient_oracle, grad_tolerance=True))
    S.append(Spec("numerical_gradient dout", lambda x, dout: gradient_check.numerical_gradient(lambda v: v * 2.0, x,
                                                                                                 dout=dout),
                  [array("x", (2, 3), allow_big=False), array("dout", (2, 3), allow_big=False)],
                  oracle=lambda x, dout: 2 * ld(dout), grad_tolerance=True))
    S.append(Spec("relative_error", gradient_check.relative_error, [array("a", (5,)), array("b", (5,))],
                  oracle=_relative_error_oracle))
    S.append(Spec("gradient_check", lambda params, X, y, activation, l2, h: gradient_check.gradient_check(
                      params, X, y, activation=activation, l2=l2, h=h).max_error,
                  [params_arg("params", net), array("X", (5, 3), allow_big=False), labels("y", 5, 2),
                   choice("activation", "tanh", ("tanh", "sigmoid")), real("l2", 0.1, lambda v: 0 <= v < 1e10),
                   real("h", 1e-5, pos)],
                  check=lambda result, h, **m: _assert(result < 1e-5 or not 1e-7 <= h <= 1e-4,
                                                       f"a correct backprop failed its check: {result}")))

    # --- optim: update functions, classes, schedules, mini-batches ---
    vec = (3, 2)
    S.append(Spec("gd_update", optim.gd_update, [array("theta", vec), array("grad", vec), real("lr", 0.1, pos)],
                  oracle=lambda theta, grad, lr: ld(theta) - L(lr) * ld(grad)))
    S.append(Spec("momentum_update", optim.momentum_update,
                  [array("theta", vec), array("grad", vec), array("velocity", vec), real("lr", 0.1, pos),
                   real("beta", 0.9, prob)],
                  oracle=lambda theta, grad, velocity, lr, beta: (
                      ld(theta) - L(lr) * (L(beta) * ld(velocity) + ld(grad)), L(beta) * ld(velocity) + ld(grad))))
    S.append(Spec("rmsprop_update", optim.rmsprop_update,
                  [array("theta", vec), array("grad", vec), array("sq_avg", vec, lo=0, hi=2, domain=lambda a: np.all(a >= 0)),
                   real("lr", 0.1, pos), real("rho", 0.9, prob), real("eps", 1e-8, pos)],
                  oracle=_rmsprop_oracle, tolerance=1e-7))
    S.append(Spec("adam_update", optim.adam_update,
                  [array("theta", vec), array("grad", vec), array("m", vec), array("v", vec, lo=0, hi=2,
                                                                                   domain=lambda a: np.all(a >= 0)),
                   integer("t", 3, 0), real("lr", 0.1, pos), real("beta1", 0.9, prob), real("beta2", 0.999, prob),
                   real("eps", 1e-8, pos)],
                  oracle=_adam_oracle, tolerance=1e-7))
    for name in optim.OPTIMIZERS:
        S.append(Spec(f"{name} step", lambda params, grads, lr, name=name: _step(name, params, grads, lr),
                      [params_arg("params", net), _grads_arg(net), real("lr", 0.1, pos)],
                      oracle=lambda params, grads, lr, name=name: _first_step_oracle(name, params, grads, lr),
                      modifies=("params",), tolerance=1e-7))
    S.append(Spec("Momentum(...)", lambda lr, beta, nesterov: optim.Momentum(lr=lr, beta=beta, nesterov=nesterov).nesterov,
                  [real("lr", 0.1, pos), real("beta", 0.9, prob), flag("nesterov", True)],
                  oracle=lambda lr, beta, nesterov: nesterov))
    S.append(Spec("Adam(...)", lambda lr, beta1, beta2, eps: optim.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps).t,
                  [real("lr", 0.1, pos), real("beta1", 0.9, prob), real("beta2", 0.999, prob), real("eps", 1e-8, pos)],
                  oracle=lambda **m: 0))
    S.append(Spec("get_optimizer", lambda name, lr: type(optim.get_optimizer(name, lr=lr)).__name__,
                  [choice("name", "rmsprop", tuple(optim.OPTIMIZERS), aliases=("optimizer",)), real("lr", 0.1, pos)],
                  oracle=lambda name, lr: {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSProp", "adam": "Adam"}[name]))
    S.append(Spec("constant", lambda lr, epoch: optim.constant(lr)(epoch), [real("lr", 0.1, pos), integer("epoch", 3, 0)],
                  oracle=lambda lr, epoch: lr))
    S.append(Spec("step_decay", lambda lr, factor, every, epoch: optim.step_decay(lr, factor, every)(epoch),
                  [real("lr", 0.1, pos), real("factor", 0.5, lambda v: 0 < v <= 1), integer("every", 2, 1),
                   integer("epoch", 5, 0)],
                  oracle=lambda lr, factor, every, epoch: L(lr) * L(factor) ** (epoch // every)))
    S.append(Spec("exponential_decay", lambda lr, rate, epoch: optim.exponential_decay(lr, rate)(epoch),
                  [real("lr", 0.1, pos), real("rate", 0.9, lambda v: 0 < v <= 1), integer("epoch", 4, 0)],
                  oracle=lambda lr, rate, epoch: L(lr) * L(rate) ** epoch))
    S.append(Spec("cosine_decay", lambda lr, total_epochs, lr_min, epoch: optim.cosine_decay(lr, total_epochs, lr_min)(epoch),
                  [real("lr", 0.1, pos), integer("total_epochs", 8, 1), real("lr_min", 0.01, lambda v: 0 <= v <= 0.1),
                   integer("epoch", 3, 0)],
                  oracle=lambda lr, total_epochs, lr_min, epoch: lr_min + (lr - lr_min) / 2 * (
                      1 + math.cos(math.pi * min(epoch, total_epochs) / total_epochs))))
    S.append(Spec("minibatches", lambda n_samples, batch_size, rng, shuffle: list(optim.minibatches(
                      n_samples, batch_size, rng=rng, shuffle=shuffle)),
                  [integer("n_samples", 10, 1, 1000), integer("batch_size", 3, 1), generator("rng", optional=True),
                   flag("shuffle", True)],
                  check=_check_minibatches))

    # --- training ---
    S.append(Spec("train", _train, [params_arg("params", net), array("X", (6, 3), allow_big=False), labels("y", 6, 2),
                                    choice("loss", "softmax_cross_entropy", ("softmax_cross_entropy",)),
                                    choice("activation", "relu", layers.HIDDEN),
                                    choice("optimizer", "adam", tuple(optim.OPTIMIZERS)), real("lr", 0.01, pos),
                                    integer("epochs", 2, 1, 5), integer("batch_size", 4, 1), seed_arg(),
                                    array("X_val", (3, 3), allow_big=False), labels("y_val", 3, 2),
                                    real("l2", 0.01, nonneg), real("l1", 0.0, nonneg),
                                    real("drop_prob", 0.1, prob),
                                    fixed("schedule", lambda rng: None, _schedule_mutations, _schedule_meaning),
                                    fixed("early_stopping", lambda rng: 3, _early_stopping_mutations, _early_stopping_meaning),
                                    fixed("progress", lambda rng: False, _progress_mutations, _progress_meaning)],
                  check=_check_train))
    S.append(Spec("predict", lambda params, X, activation, loss: training.predict(params, X, activation=activation, loss=loss),
                  [params_arg("params", net), array("X", (5, 3), shape_ok=rows_of(3)),
                   choice("activation", "relu", layers.HIDDEN), choice("loss", "softmax_cross_entropy", tuple(losses.LOSSES))],
                  oracle=lambda params, X, activation, loss: o_forward(
                      params, X, activation, {"mse": "linear", "binary_cross_entropy": "sigmoid"}.get(loss, "softmax"))))
    S.append(Spec("predict_classes", lambda params, X: training.predict_classes(params, X),
                  [params_arg("params", (3, 4, 3)), array("X", (5, 3), shape_ok=rows_of(3))],
                  oracle=lambda params, X: np.argmax(o_forward(params, X), axis=1)))
    S.append(Spec("predict_classes sigmoid", lambda params, X: training.predict_classes(params, X, loss="binary_cross_entropy"),
                  [params_arg("params", (3, 4, 1)), array("X", (5, 3), shape_ok=rows_of(3))],
                  oracle=lambda params, X: (o_forward(params, X, "relu", "sigmoid")[:, 0] >= 0.5).astype(int)))
    S.append(Spec("accuracy", training.accuracy, [labels("y_true", 6, 3, any_label=True),
                                                  labels("y_pred", 6, 3, any_label=True)],
                  oracle=lambda y_true, y_pred: np.mean(y_true == y_pred)))
    S.append(Spec("accuracy scores", training.accuracy,
                  [labels("y_true", 6, 3), array("y_pred", (6, 3))],
                  oracle=lambda y_true, y_pred: np.mean(y_true == np.argmax(y_pred, axis=1))))
    S.append(Spec("evaluate", lambda params, X, y, l2: training.evaluate(params, X, y, l2=l2),
                  [params_arg("params", net), array("X", (5, 3)), labels("y", 5, 2), real("l2", 0.1, nonneg)],
                  oracle=lambda params, X, y, l2: (o_loss(params, X, y, "relu", "softmax_cross_entropy", l2),
                                                   np.mean(np.argmax(o_forward(params, X), axis=1) == y))))

    # --- regularization ---
    S.append(Spec("l2_penalty", regularization.l2_penalty, [params_arg("params", net), real("l2", 0.1, nonneg)],
                  oracle=lambda params, l2: L(l2) / 2 * sum((ld(W) ** 2).sum() for W, _ in params)))
    S.append(Spec("l1_penalty", regularization.l1_penalty, [params_arg("params", net), real("l1", 0.1, nonneg)],
                  oracle=lambda params, l1: L(l1) * sum(np.abs(ld(W)).sum() for W, _ in params)))
    S.append(Spec("l2_grad", regularization.l2_grad, [array("W", (3, 2), any_shape=True), real("l2", 0.1, nonneg)],
                  oracle=lambda W, l2: L(l2) * ld(W)))
    S.append(Spec("l1_grad", regularization.l1_grad, [array("W", (3, 2), any_shape=True), real("l1", 0.1, nonneg)],
                  oracle=lambda W, l1: L(l1) * np.sign(ld(W))))
    S.append(Spec("dropout_forward", lambda A, drop_prob, rng, training: regularization.dropout_forward(
                      A, drop_prob, rng=rng, training=training)[0],
                  [array("A", shape, any_shape=True), real("drop_prob", 0.4, prob), generator("rng", optional=True),
                   flag("training", True)],
                  oracle=_dropout_oracle))
    S.append(Spec("dropout_backward", regularization.dropout_backward,
                  [array("dout", shape), _mask_arg(shape)],
                  oracle=lambda dout, cache: ld(dout) if cache is None else ld(dout) * ld(cache)))
    S.append(Spec("EarlyStopping", _early_stopping_run,
                  [integer("patience", 2, 1), real("min_delta", 0.0, nonneg), integer("epoch", 0, 0),
                   real("val_loss", 1.0, lambda v: True), params_arg("params", net)],
                  check=lambda result, patience, **m: _assert(result[0] == (patience + 1 if patience <= 3 else None),
                                                              f"stopped at {result}")))
    S.append(Spec("train_val_test_split", lambda X, y, val_fraction, test_fraction, seed, stratify:
                  regularization.train_val_test_split(X, y, val_fraction=val_fraction, test_fraction=test_fraction,
                                                      seed=seed, stratify=stratify),
                  [array("X", (20, 2), shape_ok=lambda s: len(s) >= 1 and s[0] == 20),
                   array("y", (20,), lo=0, hi=1, integral=True, shape_ok=lambda s: len(s) >= 1 and s[0] == 20),
                   real("val_fraction", 0.2, prob),
                   real("test_fraction", 0.2, prob), seed_arg(), flag("stratify", True)],
                  check=_check_split))

    # --- metrics ---
    S.append(Spec("confusion_matrix", metrics.confusion_matrix,
                  [labels("y_true", 8, 3), labels("y_pred", 8, 3), integer("n_classes", 3, 3)],
                  oracle=lambda y_true, y_pred, n_classes: _confusion_oracle(y_true, y_pred, n_classes)))
    S.append(Spec("per_class_accuracy", metrics.per_class_accuracy,
                  [array("C", (3, 3), lo=0, hi=5, integral=True, allow_bool=False,
                         domain=lambda a: np.all(a >= 0) and np.all(a == np.round(a)))],
                  oracle=lambda C: np.where(ld(C).sum(axis=1) > 0, ld(np.diag(C)) / np.maximum(ld(C).sum(axis=1), 1), np.nan),
                  nan_ok=True))

    # --- datasets ---
    for name, minimum, noise_ok in (("make_xor", 4, nonneg), ("make_moons", 2, nonneg), ("make_circles", 2, nonneg),
                                    ("make_spirals", 3, nonneg), ("make_blobs", 3, lambda v: 0 <= v < 1.73)):
        S.append(Spec(name, lambda n_samples, noise, seed, name=name: getattr(datasets, name)(n_samples, noise=noise,
                                                                                             seed=seed),
                      [integer("n_samples", 12, minimum, 500), real("noise", 0.1, noise_ok), seed_arg()],
                      check=_check_dataset))
    S.append(Spec("make_regression_curve", lambda n_samples, noise, seed: datasets.make_regression_curve(
                      n_samples, noise=noise, seed=seed),
                  [integer("n_samples", 12, 1, 500), real("noise", 0.1, nonneg), seed_arg()],
                  check=lambda result, n_samples, **m: _assert(result[0].shape == (n_samples, 1) and
                                                               result[1].shape == (n_samples, 1), "shapes")))
    S.append(Spec("regression_curve", datasets.regression_curve, [array("x", (5,), any_shape=True)],
                  oracle=lambda x: np.sin(3 * ld(x)) + L(0.3) * ld(x), tolerance=1e-7))
    S.append(Spec("load_digits", lambda scale: datasets.load_digits(scale=scale)[0].max(), [flag("scale", True)],
                  oracle=lambda scale: 1.0 if scale else 16.0))
    S.append(Spec("standardise", lambda X_train, X_test: datasets.standardise(X_train, X_test),
                  [array("X_train", (6, 3), shape_ok=lambda s: len(s) == 2 and s[0] >= 1 and s[1] == 3),
                   array("X_test", (4, 3), shape_ok=rows_of(3), aliases=("others[0]",))],
                  oracle=_standardise_oracle, tolerance=1e-7))
    S.append(Spec("shift_images", datasets.shift_images,
                  [array("images", (2, 4, 4), lo=0, hi=16, integral=True, shape_ok=lambda s: len(s) == 3 and s[1:] == (4, 4)),
                   integer("dy", 1, -3, 3),
                   integer("dx", -2, -3, 3)],
                  oracle=_shift_oracle))
    return S


def _assert(condition, message):
    if not condition:
        raise AssertionError(message)


def _prob_rows_meaning(shape):
    def meaning(value):
        arr = _float_view(value)
        if arr is INVALID or arr.shape != tuple(shape):
            return INVALID
        tolerance = _rounding_of(value)
        arr = arr.astype(np.float64)
        return arr if np.all(np.isfinite(arr)) and _rows_sum_to_one(arr, tol=tolerance) else INVALID
    return meaning


def _softmax_oracle(z, axis):
    if not -z.ndim <= axis < z.ndim or z.shape[axis] == 0:
        raise Undefined
    return o_softmax(z, axis)


def _lse_oracle(Z, axis, keepdims):
    if not -Z.ndim <= axis < Z.ndim or Z.shape[axis] == 0:
        raise Undefined
    out = o_lse(Z, axis)
    return out if keepdims else np.squeeze(out, axis=axis)


def _one_hot_oracle(y, n_classes):
    if y.size and y.max() >= n_classes:
        raise Undefined
    out = np.zeros((y.size, n_classes))
    out[np.arange(y.size), y] = 1
    return out


def _dtype_arg():
    def meaning(v):
        try:
            dt = np.dtype(v)
        except (TypeError, ValueError):
            return INVALID
        return dt if dt in (np.dtype(np.float32), np.dtype(np.float64)) else INVALID

    def mutate(v):
        return [("int", np.int64), ("bool", bool), ("object", object), ("float16", np.float16), ("str name", "float32"),
                ("nonsense", "floaty"), ("None", None), ("complex", np.complex128)]

    return Arg("dtype", lambda rng: np.float64, mutate, meaning, ("dtype",))


def _sizes_arg():
    def meaning(v):
        if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "iu":
            v = v.tolist()
        if not isinstance(v, (list, tuple)) or len(v) < 2:
            return INVALID
        if any(isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 1 or n > 100 for n in v):
            return INVALID
        return [int(n) for n in v]

    def mutate(v):
        return [("one size", [3]), ("zero", [3, 0, 2]), ("float", [3, 2.0]), ("str", "32"), ("None", None),
                ("negative", [3, -1]), ("bool", [3, True]), ("tuple", tuple(v)), ("array", np.array(v)),
                ("nested", [[3, 2]])]

    return Arg("layer_sizes", lambda rng: [3, 4, 2], mutate, meaning, ("layer_sizes",))


def _init_weights_oracle(n_in, n_out, init, rng, dtype):
    std = {"zeros": 0.0, "small": 0.01, "xavier": math.sqrt(2 / (n_in + n_out)), "he": math.sqrt(2 / n_in)}[init]
    if init == "zeros":
        return np.zeros((n_in, n_out))
    return rng.standard_normal((n_in, n_out)) * std


def _init_params_oracle(layer_sizes, init, seed, dtype):
    out = []
    for a, b in zip(layer_sizes[:-1], layer_sizes[1:]):
        out.append((_init_weights_oracle(a, b, init, seed, dtype), np.zeros(b)))
    return out


def _forward_oracle(params, X, activation, output, drop_prob, rng, training):
    if not (training and drop_prob > 0):
        return o_forward(params, X, activation, output)
    A = ld(X)
    for i, (W, b) in enumerate(params):
        Z = A @ ld(W) + ld(b)
        if i == len(params) - 1:
            return o_softmax(Z) if output == "softmax" else ACT[output][0](Z)
        A = ACT[activation][0](Z)
        A = A * ((rng.random(A.shape) >= drop_prob) / L(1 - drop_prob))


def _dense_cache_meaning(value):
    if not isinstance(value, tuple) or len(value) != 2:
        return INVALID
    X, W = _float_view(value[0]), _float_view(value[1])
    if X is INVALID or W is INVALID or X.shape != (5, 3) or W.shape != (3, 2):
        return INVALID
    return (X.astype(np.float64), W.astype(np.float64))


def _activation_cache_meaning(shape):
    def meaning(value):
        if not isinstance(value, tuple) or len(value) != 2 or not isinstance(value[1], str) or value[1] not in ACT:
            return INVALID
        Z = _float_view(value[0])
        return INVALID if Z is INVALID or Z.shape != shape else (Z.astype(np.float64), value[1])
    return meaning


def _forward_cache(rng):
    params = [(rng.normal(size=(3, 4)), rng.normal(size=4)), (rng.normal(size=(4, 2)), rng.normal(size=2))]
    X = rng.normal(size=(5, 3))
    return layers.forward(params, X, activation="tanh", output="softmax")[1]


def _forward_cache_meaning(value):
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(c, layers.LayerCache) for c in value):
        return INVALID
    return value


def _backward_oracle(dZ_out, cache):
    grads = [None, None]
    dZ = ld(dZ_out)
    for layer in (1, 0):
        A_prev, W = cache[layer].dense
        grads[layer] = (ld(A_prev).T @ dZ, dZ.sum(axis=0))
        if layer:
            Z = cache[0].activation[0]
            dZ = (dZ @ ld(W).T) * ACT["tanh"][1](Z)
    return grads


def _loss_and_grads_oracle(params, X, y, activation, loss, l2, l1, drop_prob, rng):
    if drop_prob > 0:
        raise Undefined  # the dropout masks are drawn inside: compared elsewhere (tests/test_backprop.py)
    return o_loss(params, X, y, activation, loss, l2, l1), o_grads(params, X, y, activation, loss, l2, l1)


def _f_sin(v):
    return float(np.sum(np.sin(v)))


def _f_big(v):
    return float(np.sum(v)) * 1e300


def _callable_mutations(f):
    return [("None", None), ("str", "f"), ("returns a string", lambda v: "x"), ("returns an array", lambda v: v),
            ("returns NaN", lambda v: float("nan")), ("returns inf", lambda v: float("inf")),
            ("returns 1e300 * sum(x)", _f_big)]


def _callable_meaning(f):
    return f if f in (_f_sin, _f_big) else INVALID


def _numerical_gradient_oracle(f, x, h):
    """The centred difference itself, at the float64 points x_i +- h, evaluated in long double."""
    plus, minus = np.float64(1) * x + h, np.float64(1) * x - h
    if f is _f_sin:
        return (np.sin(ld(plus)) - np.sin(ld(minus))) / (2 * L(h))
    return (ld(plus) - ld(minus)) * L(1e300) / (2 * L(h))


def _mask_arg(shape):
    def meaning(value):
        if value is None:
            return None
        arr = _float_view(value)
        if arr is INVALID or arr.shape != shape:
            return INVALID
        arr = arr.astype(np.float64)
        return arr if np.all(np.isfinite(arr)) and np.all(arr >= 0) else INVALID

    return Arg("cache", lambda rng: rng.integers(0, 2, size=shape) * 2.0, _array_mutations, meaning, ("cache",),
               _is_low_precision)


def _relative_error_oracle(a, b):
    a, b = ld(a), ld(b)
    if a.size == 0:
        return 0.0
    return np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), L(np.finfo(np.float64).tiny)))


def _rmsprop_oracle(theta, grad, sq_avg, lr, rho, eps):
    s = L(rho) * ld(sq_avg) + (1 - L(rho)) * ld(grad) ** 2
    return ld(theta) - L(lr) * ld(grad) / (np.sqrt(s) + L(eps)), s


def _adam_oracle(theta, grad, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = L(beta1) * ld(m) + (1 - L(beta1)) * ld(grad)
    v = L(beta2) * ld(v) + (1 - L(beta2)) * ld(grad) ** 2
    m_hat, v_hat = m / (1 - L(beta1) ** t), v / (1 - L(beta2) ** t)
    return ld(theta) - L(lr) * m_hat / (np.sqrt(v_hat) + L(eps)), m, v, t


def _grads_arg(net):
    arg = params_arg("grads", net, aliases=("grads",))
    return arg


def _step(name, params, grads, lr):
    optim.get_optimizer(name, lr=lr).step(params, grads)
    return [tuple(p) for p in params]


def _first_step_oracle(name, params, grads, lr):
    out = []
    for (W, b), (dW, db) in zip(params, grads):
        pair = []
        for theta, g in ((W, dW), (b, db)):
            theta, g = ld(theta), ld(g)
            if name in ("sgd", "momentum"):
                pair.append(theta - L(lr) * g)  # the first velocity is g itself
            elif name == "rmsprop":
                pair.append(theta - L(lr) * g / (np.sqrt(L(0.1) * g ** 2) + L(1e-8)))
            else:  # Adam's bias-corrected first step: m_hat = g, v_hat = g^2
                pair.append(theta - L(lr) * g / (np.abs(g) + L(1e-8)))
        out.append(tuple(pair))
    return out


def _check_minibatches(result, n_samples, batch_size, rng, shuffle):
    _assert(not shuffle or rng is not None, "shuffled without a Generator")
    _assert(all(len(b) <= batch_size for b in result), "a batch is too large")
    order = np.concatenate(result)
    _assert(np.array_equal(np.sort(order), np.arange(n_samples)), "the batches are not a permutation")
    if not shuffle:
        _assert(np.array_equal(order, np.arange(n_samples)), "unshuffled batches out of order")


def _schedule_mutations(v):
    return [("str", "cosine"), ("number", 0.1), ("returns 0", lambda e: 0.0), ("returns NaN", lambda e: float("nan")),
            ("returns a string", lambda e: "0.1"), ("returns inf", lambda e: float("inf")),
            ("a schedule", optim.step_decay(0.01, 0.5, 1))]


def _schedule_meaning(v):
    return v if v is None or (callable(v) and v.__name__ == "<lambda>" and v.__qualname__.startswith("step_decay")) \
        else INVALID


def _early_stopping_mutations(v):
    return [("0", 0), ("-1", -1), ("str", "3"), ("float", 2.5), ("True", True), ("instance", regularization.EarlyStopping(2)),
            ("list", [3])]


def _early_stopping_meaning(v):
    if isinstance(v, regularization.EarlyStopping):
        return v
    return v if v is None or (isinstance(v, int) and not isinstance(v, bool) and v >= 1) else INVALID


def _progress_mutations(v):
    return [("0", 0), ("-1", -1), ("str", "yes"), ("None", None), ("float", 1.5), ("True", True), ("2", 2)]


def _progress_meaning(v):
    if isinstance(v, bool) or (isinstance(v, int) and v >= 1):
        return v
    return INVALID


def _train(params, X, y, loss, activation, optimizer, lr, epochs, batch_size, seed, X_val, y_val, l2, l1, drop_prob,
           schedule, early_stopping, progress):
    import io

    return training.train(params, X, y, loss=loss, activation=activation, optimizer=optimizer, lr=lr, epochs=epochs,
                          batch_size=batch_size, seed=seed, X_val=X_val, y_val=y_val, l2=l2, l1=l1, drop_prob=drop_prob,
                          schedule=schedule, early_stopping=early_stopping, progress=progress, out=io.StringIO())


def _check_train(history, params, epochs, **m):
    _assert(isinstance(history, training.History), "not a History")
    _assert(1 <= len(history.train_loss) <= epochs, "wrong number of epochs")
    _assert(all(math.isfinite(v) for v in history.train_loss + history.val_loss), "non-finite loss")
    _assert(all(0 <= a <= 1 for a in history.train_acc + history.val_acc), "accuracy outside [0, 1]")
    for (W, b), (W1, b1) in zip(params, history.params):
        _assert(W.shape == W1.shape and b.shape == b1.shape and np.all(np.isfinite(W1)), "bad trained parameters")


def _early_stopping_run(patience, min_delta, epoch, val_loss, params):
    """A fresh EarlyStopping fed (epoch, val_loss) then three worse epochs; returns (stop epoch, best epoch)."""
    stopper = regularization.EarlyStopping(patience=patience, min_delta=min_delta)
    stopper.update(epoch, val_loss, params)
    for k in range(1, 4):
        if stopper.update(epoch + k, float(val_loss) + k, params):
            return (k + 1, stopper.best_epoch)
    return (None, stopper.best_epoch)


def _check_split(result, X, y, val_fraction, test_fraction, seed, stratify):
    _assert(val_fraction + test_fraction < 1, "accepted fractions summing to >= 1")

    def pairs(X_part, y_part):
        X_part, y_part = np.asarray(X_part, float), np.asarray(y_part, float)
        rows = np.column_stack([X_part.reshape(X_part.shape[0], int(np.prod(X_part.shape[1:]))),
                                y_part.reshape(y_part.shape[0], int(np.prod(y_part.shape[1:])))])
        return rows[np.lexsort(rows.T[::-1])] if len(rows) else rows

    together = np.concatenate([pairs(*part) for part in result])
    _assert(np.array_equal(pairs(together[:, :-1], together[:, -1:]), pairs(X, y)),
            "the parts are not the samples, each with its own target")


def _confusion_oracle(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        if t >= n_classes or p >= n_classes:
            raise Undefined
        C[t, p] += 1
    return C


def _check_dataset(result, n_samples, **m):
    X, y = result
    _assert(X.shape == (n_samples, 2) and y.shape == (n_samples,), "shapes")
    _assert(X.dtype == np.float64 and y.dtype == np.int64 and np.all(np.isfinite(X)), "dtypes or values")


def _standardise_oracle(X_train, X_test):
    Xt = ld(X_train)
    mean = Xt.mean(axis=0)
    std = np.sqrt(((Xt - mean) ** 2).mean(axis=0))
    constant = np.all(X_train == X_train[:1], axis=0)
    std = np.where(constant, 1, std)
    return (Xt - mean) / std, (ld(X_test) - mean) / std


def _shift_oracle(images, dy, dx):
    out = np.zeros_like(images)
    n, h, w = images.shape
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[:, r, c] = images[:, r - dy, c - dx]
    return out


def _dropout_oracle(A, drop_prob, rng, training):
    if not training or drop_prob == 0:
        return ld(A)
    return ld(A) * ((rng.random(A.shape) >= drop_prob) / L(1 - drop_prob))


# --------------------------------------------------------------------------- #
# The harness
# --------------------------------------------------------------------------- #

def _snapshot(value):
    """A deep copy to compare with after the call: arrays, lists, tuples, numbers and strings.

    Generators are consumed on purpose, and other objects (callables, EarlyStopping, a
    RandomState) are not compared.
    """
    if isinstance(value, np.ndarray):
        return (value.copy(), value.flags.writeable)
    if isinstance(value, (list, tuple)):
        return type(value), [_snapshot(v) for v in value]
    if value is None or isinstance(value, (numbers.Number, str, bytes, np.generic)):
        return ("value", copy.deepcopy(value))
    return None


def _unchanged(value, snap) -> bool:
    if snap is None:
        return True
    if isinstance(value, np.ndarray):
        before, writeable = snap
        return (value.dtype == before.dtype and value.shape == before.shape and value.flags.writeable == writeable
                and np.array_equal(value, before, equal_nan=value.dtype.kind in "fc"))
    if isinstance(value, (list, tuple)):
        kind, items = snap
        return type(value) is kind and len(value) == len(items) and all(map(_unchanged, value, items))
    before = snap[1]
    if isinstance(value, float) and isinstance(before, float) and math.isnan(value) and math.isnan(before):
        return True
    return type(value) is type(before) and bool(value == before)


def _numbers(result):
    """Every number in a result, as float64 arrays (booleans and ints included), or None for other objects."""
    if isinstance(result, (list, tuple)):
        return [x for item in result for x in (_numbers(item) or [])]
    if isinstance(result, (numbers.Number, np.ndarray, np.generic)):
        arr = np.asarray(result)
        if arr.dtype.kind in "biuf":
            return [arr.astype(np.float64)]
    return []


def _close(result, expected, tolerance) -> str | None:
    """None when the result equals the oracle's; else what differs."""
    if isinstance(expected, (list, tuple)):
        if not isinstance(result, (list, tuple)) or len(result) != len(expected):
            return f"expected {len(expected)} items, got {type(result).__name__}"
        for r, e in zip(result, expected):
            why = _close(r, e, tolerance)
            if why:
                return why
        return None
    if isinstance(expected, str):
        return None if result == expected else f"expected {expected!r}, got {result!r}"
    exp = np.asarray(expected, dtype=L)
    try:
        res = np.asarray(result)
    except Exception:  # noqa: BLE001
        return f"result {type(result).__name__} is not numeric"
    if res.dtype.kind not in "biuf":
        return f"result has dtype {res.dtype}"
    if res.shape != exp.shape:
        return f"shape {res.shape}, expected {exp.shape}"
    if not np.all(np.isfinite(exp[~np.isnan(exp)])):
        return "the exact result overflows float64, but no error was raised"
    if np.any(np.abs(exp[~np.isnan(exp)]) > np.finfo(np.float64).max):
        return "the exact result overflows float64, but no error was raised"
    res = res.astype(L)
    scale = np.max(np.abs(exp[~np.isnan(exp)])) if np.any(~np.isnan(exp)) else L(1)
    ok = np.isclose(res, exp, rtol=tolerance, atol=tolerance * max(scale, L(1e-300)), equal_nan=True)
    if not np.all(ok):
        i = np.unravel_index(int(np.argmin(ok)), ok.shape) if ok.ndim else ()
        return f"wrong value at {i}: {float(res[i])!r}, expected {float(exp[i])!r}"
    return None


@dataclass
class Outcome:
    calls: int = 0
    kinds: Counter = field(default_factory=Counter)
    results: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)


def _message_names(message: str, arg: Arg) -> bool:
    names = (arg.name, *arg.aliases)
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message) for n in names)


def run_call(spec: Spec, values: dict, mutated: Arg | None, kind: str, outcome: Outcome) -> None:
    where = f"{spec.name}({mutated.name if mutated else ''}: {kind})"
    outcome.calls += 1
    outcome.kinds[kind] += 1
    meanings = {}
    valid = True
    for arg in spec.args:
        m = arg.meaning(values[arg.name])
        if m is INVALID:
            valid = False
        meanings[arg.name] = m
    snaps = {name: _snapshot(v) for name, v in values.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = spec.call(**values)
        except (ValueError, TypeError) as exc:
            outcome.results["clear error"] += 1
            message = str(exc)
            if mutated is None:
                outcome.failures.append(f"{where}: valid call raised {type(exc).__name__}: {message}")
            elif not _message_names(message, mutated):
                outcome.failures.append(f"{where}: {type(exc).__name__} does not name "
                                        f"{mutated.name!r}: {message}")
            for name, value in values.items():
                if not _unchanged(value, snaps[name]):
                    outcome.failures.append(f"{where}: a failed call modified {name}")
            return
        except Exception as exc:  # noqa: BLE001 - every other exception is a finding
            outcome.results["other exception"] += 1
            outcome.failures.append(f"{where}: {type(exc).__name__}: {exc}")
            return
    outcome.results["success"] += 1
    for name, value in values.items():
        if name not in spec.modifies and not _unchanged(value, snaps[name]):
            outcome.failures.append(f"{where}: modified its argument {name}")
    if not valid:
        outcome.failures.append(f"{where}: accepted an input without a documented meaning (result {_short(result)})")
        return
    if not spec.nan_ok and not all(np.all(np.isfinite(a)) for a in _numbers(result)):
        outcome.failures.append(f"{where}: silent NaN/inf in the result {_short(result)}")
        return
    low = any(arg.low_precision(values[arg.name]) for arg in spec.args)
    tolerance = 2e-3 if low else spec.tolerance
    if spec.grad_tolerance:
        tolerance = max(tolerance, 1e-5)
    try:
        if spec.oracle is not None:
            with np.errstate(all="ignore"):
                try:
                    expected = spec.oracle(**meanings)
                except (ValueError, IndexError, TypeError, KeyError) as exc:  # the maths does not fit these inputs
                    raise Undefined from exc
            why = _close(result, expected, tolerance)
            if why:
                outcome.failures.append(f"{where}: {why}")
        if spec.check is not None:
            spec.check(result, **meanings)
    except Undefined:
        outcome.failures.append(f"{where}: succeeded where the maths is undefined (result {_short(result)})")
    except AssertionError as exc:
        outcome.failures.append(f"{where}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a result the check cannot even read is wrong
        outcome.failures.append(f"{where}: unreadable result ({type(exc).__name__}: {exc})")


def _short(result) -> str:
    text = repr(result).replace("\n", " ")
    return text[:120] + ("..." if len(text) > 120 else "")


def fuzz(seeds=(0, 1)) -> Outcome:
    outcome = Outcome()
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for spec in specs():
            base = {arg.name: arg.make(rng) for arg in spec.args}
            run_call(spec, {name: copy.deepcopy(v) for name, v in base.items()}, None, "valid", outcome)
            for arg in spec.args:
                for kind, bad in arg.mutate(base[arg.name]):
                    # Generators are consumed and stepped parameters change: each call gets its own copies.
                    values = {name: copy.deepcopy(v) if isinstance(v, np.random.Generator) or name in spec.modifies
                              else v for name, v in base.items()}
                    values[arg.name] = bad
                    run_call(spec, values, arg, kind, outcome)
    return outcome


def test_every_public_maths_function_refuses_bad_input_clearly_or_gets_it_right(capsys):
    outcome = fuzz()
    with capsys.disabled():
        print(f"\nfuzz: {outcome.calls} calls over {len({s.name for s in specs()})} public functions, "
              f"{len(outcome.kinds)} kinds of input; outcomes {dict(outcome.results)}; "
              f"{len(outcome.failures)} failures")
    assert outcome.calls >= 3000
    assert not outcome.failures, f"{len(outcome.failures)} bad outcomes:\n" + "\n".join(outcome.failures[:80])


def test_every_public_function_of_the_maths_modules_is_fuzzed():
    fuzzed = {s.name.split()[0].split("(")[0] for s in specs()}
    modules = (linalg, act, layers, losses, backprop, gradient_check, optim, training, regularization, metrics, datasets)
    public = {name for module in modules for name in module.__all__
              if callable(getattr(module, name)) and not isinstance(getattr(module, name), type)
              and name not in ("GradientCheckReport",)}
    classes = {"Momentum", "Adam", "EarlyStopping"}
    steps = {f"{name} step" for name in optim.OPTIMIZERS}
    assert public - fuzzed == set(), "public functions without a fuzz spec"
    assert classes <= fuzzed and steps <= {s.name for s in specs()}
    assert nncourse.__all__  # the top-level names are the same functions as the modules'


def test_the_harness_catches_what_it_is_meant_to_catch():
    """Negative controls: a silent wrong result, a silent inf, an obscure error, a modified input."""
    outcome = Outcome()
    arg = array("x", (3,))

    def wrong(x):
        return np.asarray(x, dtype=float) + 1e-3

    def silent_inf(x):
        return np.asarray(x, dtype=float) * np.inf

    def obscure(x):
        return np.asarray(x, dtype=float).reshape(7)

    def modifies(x):
        before = np.array(x, dtype=float)
        x *= 2
        return before

    x = np.array([1.0, 2.0, 3.0])
    for fn in (wrong, silent_inf, obscure, modifies):
        run_call(Spec(fn.__name__, fn, [arg], oracle=lambda x: ld(x)), {"x": x.copy()}, arg, "control", outcome)
    run_call(Spec("accepts NaN", lambda x: np.asarray(x, float), [arg], oracle=lambda x: ld(x)),
             {"x": np.array([np.nan, 1.0, 2.0])}, arg, "NaN", outcome)
    assert len(outcome.failures) == 5, outcome.failures
    assert any("wrong value" in f for f in outcome.failures)
    assert any("silent NaN/inf" in f for f in outcome.failures)
    assert any("does not name" in f for f in outcome.failures)
    assert any("modified its argument" in f for f in outcome.failures)
    assert any("accepted an input without a documented meaning" in f for f in outcome.failures)


if __name__ == "__main__":  # pragma: no cover - for a quick look outside pytest
    result = fuzz()
    print(result.calls, dict(result.results), len(result.failures))
    print("\n".join(result.failures[:200]))
