"""Exercise checks for lesson 02, in two parts.

Exercises in notebook order. Part 1 (``02a_activation_functions.ipynb``):
``collapse-linear`` (two stacked linear layers are one linear layer), the
warm-ups ``relu``, ``relu-grad``, ``leaky-relu``, ``tanh-grad``, then
``sigmoid-grad``. Part 2 (``02b_softmax_and_saturation.ipynb``): the
numerically stable ``sigmoid`` and ``softmax`` (both tested at +-1000 with
overflow forbidden) and ``relu-bumps`` (a sum of ReLU bumps set by hand).

Every case draws fresh numbers from the ``rng`` it is given, so a hard-coded
answer cannot pass; every ``Mistake`` is a wrong version learners really write,
with the hint it deserves (the mutation suite, ``tests/test_checks_activations.py``,
requires each of them to fail with its own hint).
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from ._definitions import Case, Exercise, Mistake, register

#: Lesson 2 comes in two parts; each exercise names the part it lives in.
FUNCTIONS = "02a_activation_functions"
STABILITY = "02b_softmax_and_saturation"


def _with_zeros(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Random values with some exact zeros (where the kinked derivatives are decided)."""
    z = rng.normal(0.0, 2.0, size=shape)
    z.flat[rng.choice(z.size, size=max(1, z.size // 4), replace=False)] = 0.0
    return z


def _elementwise_cases(rng: np.random.Generator, *, hand: np.ndarray, extreme: bool = True,
                       float32: bool = True) -> list:
    n = int(rng.integers(6, 12))
    rows, cols = int(rng.integers(3, 6)), int(rng.integers(2, 5))
    single = np.array(rng.normal(0.0, 3.0))
    hand_text = ", ".join(f"{v:g}" for v in hand)
    cases = [
        Case(f"a small vector worked by hand, z = [{hand_text}]", (hand.copy(),)),
        Case(f"random vector of {n} with exact zeros", (_with_zeros(rng, (n,)),)),
        Case(f"random ({rows}, {cols}) matrix (samples x units) with exact zeros", (_with_zeros(rng, (rows, cols)),)),
        Case(f"a 0-d input z = {float(single):.4g}: the result is 0-d too", (single,)),
        Case("magnitudes from 0.01 to 30 in a (4, 3) matrix",
             (rng.normal(0.0, 1.0, size=(4, 3)) * np.array([0.01, 1.0, 30.0]),)),
    ]
    if float32:
        cases.append(Case("float32 input of shape (3, 4): the result stays float32",
                          (rng.normal(0.0, 2.0, size=(3, 4)).astype(np.float32),)))
    if extreme:
        big = rng.uniform(500.0, 1000.0, size=3)
        cases.append(Case(f"extreme inputs z = [-1000, {-big[0]:.0f}, {-big[1]:.0f}, 0, {big[2]:.0f}, 1000]",
                          (np.array([-1000.0, -big[0], -big[1], 0.0, big[2], 1000.0]),), extreme=True))
    return cases


# --------------------------------------------------------------------------- #
# collapse-linear: a stack of linear layers is one linear layer
# --------------------------------------------------------------------------- #

def collapse_linear(W1, b1, W2, b2):
    """The single layer ``(W, b)`` equal to ``(X @ W1 + b1) @ W2 + b2`` (eq. 2.1).

    ``W = W1 @ W2`` (shape ``(n_in, n_out)``), ``b = b1 @ W2 + b2`` (shape ``(n_out,)``).
    """
    return W1 @ W2, b1 @ W2 + b2


def _collapse_cases(rng: np.random.Generator) -> list:
    def layers(n_in, n_hidden, n_out):
        return (rng.normal(size=(n_in, n_hidden)), rng.normal(size=n_hidden),
                rng.normal(size=(n_hidden, n_out)), rng.normal(size=n_out))

    hand = (np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([1.0, -1.0]),
            np.array([[2.0], [3.0]]), np.array([0.5]))
    sizes = [int(s) for s in rng.integers(2, 6, size=3)]
    return [
        Case("the worked example (2 -> 2 -> 1)", hand),
        Case(f"random layers {sizes[0]} -> {sizes[1]} -> {sizes[2]}", layers(*sizes)),
        Case("square layers 3 -> 3 -> 3", layers(3, 3, 3)),
        Case("a wide hidden layer 2 -> 7 -> 3", layers(2, 7, 3)),
        Case("a narrow hidden layer 4 -> 1 -> 4", layers(4, 1, 4)),
        Case("zero biases", (rng.normal(size=(3, 4)), np.zeros(4), rng.normal(size=(4, 2)), np.zeros(2))),
    ]


register(Exercise(
    id="collapse-linear",
    lesson=FUNCTIONS,
    title="Two stacked linear layers are one linear layer",
    points=2,
    reference=collapse_linear,
    make_cases=_collapse_cases,
    output_names=("W", "b"),
    mistakes=(
        Mistake("biases-added", lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2),
                "b1 goes through the second layer too: (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2)."),
        Mistake("first-bias-dropped", lambda W1, b1, W2, b2: (W1 @ W2, b2),
                "the first layer's bias is multiplied by W2 and stays: b = b1 @ W2 + b2."),
        Mistake("second-bias-dropped", lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2),
                "the second layer adds b2 after multiplying: b = b1 @ W2 + b2."),
        Mistake("element-wise-weights", lambda W1, b1, W2, b2: (W1 * W2, b1 @ W2 + b2),
                "W1 * W2 multiplies entry by entry; composing two layers multiplies the matrices: W = W1 @ W2."),
        Mistake("bias-column-order", lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2),
                "with samples in rows the bias b1 (a row) goes through W2 from the left: b1 @ W2, not W2 @ b1."),
        Mistake("product-order", lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2),
                "with samples in rows the input meets W1 first, x @ W1 @ W2: W = W1 @ W2, not W2 @ W1."),
        Mistake("column-vector-order", lambda W1, b1, W2, b2: (W2.T @ W1.T, b1 @ W2 + b2),
                "W2.T @ W1.T is the answer for column vectors (z = W^T x); with samples in rows the input meets "
                "W1 first, x W1 W2, so W = W1 @ W2 with shape (n_in, n_out)."),
    ),
))


# --------------------------------------------------------------------------- #
# relu
# --------------------------------------------------------------------------- #

def _relu_python_max(z):
    return np.array([max(v, 0.0) for v in np.atleast_1d(z)])


register(Exercise(
    id="relu",
    lesson=FUNCTIONS,
    title="ReLU, max(0, z), element by element",
    points=1,
    reference=act.relu,
    make_cases=lambda rng: _elementwise_cases(rng, hand=np.array([-2.0, -0.5, 0.0, 0.5, 3.0])) + [
        Case("all 5 entries positive: still a new array, not z itself", (rng.uniform(0.5, 3.0, size=5),))],
    fresh_result=True,
    mistakes=(
        Mistake("abs", lambda z: np.abs(z),
                "ReLU sets negative inputs to 0; it does not flip their sign (that is |z|)."),
        Mistake("returned-the-derivative", lambda z: (z > 0).astype(z.dtype),
                "this is ReLU's derivative (0 or 1); ReLU itself passes positive z through unchanged: max(0, z)."),
        Mistake("clipped-at-1", lambda z: np.clip(z, 0.0, 1.0),
                "ReLU has no upper limit: positive inputs pass through unchanged (np.clip(z, 0, 1) caps them at 1)."),
        Mistake("kept-the-negatives", lambda z: np.minimum(z, 0.0),
                "np.minimum keeps the negative part; ReLU keeps the positive part: np.maximum(z, 0)."),
        Mistake("python-max-on-rows", _relu_python_max,
                "Python's max(v, 0) compares two numbers: on a row of a matrix it raises, and rebuilding the "
                "array changes the shape of a 0-d input. np.maximum(z, 0) works element by element for any shape."),
        Mistake("max-not-maximum", lambda z: np.max(z, 0),
                "np.max(z, 0) is the largest entry along axis 0 (a reduction); the element-wise maximum of z and "
                "0 is np.maximum(z, 0)."),
    ),
))


# --------------------------------------------------------------------------- #
# relu-grad
# --------------------------------------------------------------------------- #

register(Exercise(
    id="relu-grad",
    lesson=FUNCTIONS,
    title="ReLU's derivative, with ReLU'(0) = 0",
    points=1,
    reference=act.relu_grad,
    make_cases=lambda rng: _elementwise_cases(rng, hand=np.array([-2.0, -0.5, 0.0, 0.5, 3.0])),
    mistakes=(
        Mistake("one-at-zero", lambda z: (z >= 0).astype(z.dtype),
                "at z = 0 the course (like PyTorch and TensorFlow) takes ReLU'(0) = 0: use z > 0, not z >= 0."),
        Mistake("returned-relu", lambda z: np.maximum(z, 0.0),
                "this is ReLU itself; its derivative is 1 where z > 0 and 0 elsewhere."),
        Mistake("sign", lambda z: np.sign(z),
                "np.sign gives -1 for negative inputs, but ReLU is flat there: its slope is 0, not -1."),
        Mistake("swapped", lambda z: (z < 0).astype(z.dtype),
                "the slope is 1 on the positive side (where ReLU is the line z) and 0 on the negative side."),
        Mistake("half-at-zero", lambda z: np.heaviside(z, 0.5).astype(z.dtype),
                "np.heaviside(z, 0.5) gives 0.5 at z = 0; the course takes ReLU'(0) = 0: np.heaviside(z, 0) "
                "or (z > 0).astype(z.dtype)."),
        Mistake("all-ones", lambda z: np.ones_like(z),
                "the slope is 1 only where z > 0; where z <= 0 ReLU is flat and its slope is 0."),
    ),
))


# --------------------------------------------------------------------------- #
# leaky-relu
# --------------------------------------------------------------------------- #

def _leaky_cases(rng: np.random.Generator) -> list:
    slopes = rng.uniform(0.05, 0.5, size=4)
    z = _with_zeros(rng, (4, 5))
    return [
        Case("a small vector worked by hand, z = [-3, -1, 0, 2], slope 0.1", (np.array([-3.0, -1.0, 0.0, 2.0]),),
             {"slope": 0.1}),
        Case("the default slope (0.01): leaky_relu(z) of a random vector of 8", (_with_zeros(rng, (8,)),)),
        Case(f"a (4, 5) matrix, slope {slopes[0]:.3f}", (z,), {"slope": float(slopes[0])}),
        Case(f"a vector of 10, slope {slopes[1]:.3f}", (_with_zeros(rng, (10,)),), {"slope": float(slopes[1])}),
        Case(f"a 0-d input, slope {slopes[3]:.3f}: the result is 0-d too", (np.array(-abs(rng.normal(0.0, 3.0))),),
             {"slope": float(slopes[3])}),
        Case("float32 input of shape (3, 4), slope 0.2: the result stays float32",
             (rng.normal(0.0, 2.0, size=(3, 4)).astype(np.float32),), {"slope": 0.2}),
        Case(f"z = [-1000, -1, 0, 1, 1000], slope {slopes[2]:.3f}", (np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]),),
             {"slope": float(slopes[2])}, extreme=True),
    ]


register(Exercise(
    id="leaky-relu",
    lesson=FUNCTIONS,
    title="Leaky ReLU with a slope for negative inputs",
    points=1,
    reference=act.leaky_relu,
    make_cases=_leaky_cases,
    mistakes=(
        Mistake("slope-ignored", lambda z, slope=0.01: np.where(z > 0, z, 0.01 * z),
                "use the `slope` argument; 0.01 is only its default value."),
        Mistake("constant-instead-of-slope-z", lambda z, slope=0.01: np.where(z > 0, z, slope),
                "for z <= 0 leaky ReLU is the line slope * z (through the origin), not the constant slope."),
        Mistake("sides-swapped", lambda z, slope=0.01: np.where(z > 0, slope * z, z),
                "positive inputs pass through unchanged; the small slope applies to negative inputs."),
        Mistake("plain-relu", lambda z, slope=0.01: np.maximum(z, 0.0),
                "negative inputs should become slope * z, not 0: that small slope is what keeps the unit alive."),
        Mistake("slope-times-abs", lambda z, slope=0.01: np.where(z > 0, z, slope * np.abs(z)),
                "for z <= 0 the output is slope * z, which is negative: not slope * |z|."),
        Mistake("wrong-default-slope", lambda z, slope=0.1: np.where(z > 0, z, slope * z),
                "keep the signature's default, slope=0.01."),
        Mistake("one-minus-slope", lambda z, slope=0.01: np.where(z > 0, z, (1.0 - slope) * z),
                "the negative side is multiplied by slope itself, not by 1 - slope."),
        Mistake("divided-by-slope", lambda z, slope=0.01: np.where(z > 0, z, z / slope),
                "multiply the negative inputs by the slope (slope * z); dividing makes them larger."),
    ),
))


# --------------------------------------------------------------------------- #
# tanh-grad
# --------------------------------------------------------------------------- #

register(Exercise(
    id="tanh-grad",
    lesson=FUNCTIONS,
    title="Derivative of tanh, from z",
    points=1,
    reference=act.tanh_grad,
    make_cases=lambda rng: _elementwise_cases(rng, hand=np.array([-1.0, 0.0, 0.5, 2.0])),
    forbid_overflow=True,
    mistakes=(
        Mistake("from-z-instead-of-tanh-z", lambda z: 1.0 - z ** 2,
                "1 - z**2 is the formula written in terms of the *output* a = tanh(z); this function receives "
                "z, so compute t = np.tanh(z) first and return 1 - t**2."),
        Mistake("square-missing", lambda z: 1.0 - np.tanh(z),
                "the derivative is 1 - tanh(z)**2: the tanh is squared."),
        Mistake("tanh-squared", lambda z: np.tanh(z) ** 2,
                "tanh'(z) = 1 - tanh(z)**2 (largest, 1, at z = 0), not tanh(z)**2."),
        Mistake("sech-not-squared", lambda z: 1.0 / np.cosh(z),
                "tanh'(z) = sech(z)**2 = 1 / cosh(z)**2: the square is missing (and 1 - np.tanh(z)**2 "
                "avoids cosh, which overflows for |z| > 710)."),
        Mistake("sech-squared-overflows", lambda z: 1.0 / np.cosh(z) ** 2,
                "1 / cosh(z)**2 is the right formula, but np.cosh overflows for |z| > 710: use 1 - np.tanh(z)**2, "
                "which never overflows."),
        Mistake("plus-sign", lambda z: 1.0 + np.tanh(z) ** 2,
                "tanh'(z) = 1 - tanh(z)**2: a minus (the slope is at most 1, at z = 0)."),
        Mistake("sigmoid-style", lambda z: np.tanh(z) * (1.0 - np.tanh(z)),
                "t * (1 - t) is the sigmoid's pattern; tanh'(z) = 1 - t**2 with t = tanh(z)."),
        Mistake("returned-tanh", lambda z: np.tanh(z),
                "this is tanh itself; its derivative is 1 - tanh(z)**2."),
    ),
))


# --------------------------------------------------------------------------- #
# sigmoid-grad
# --------------------------------------------------------------------------- #

def _sigmoid_grad_cases(rng: np.random.Generator) -> list:
    cases = _elementwise_cases(rng, hand=np.array([-2.0, 0.0, 1.0, 3.0]))
    # Values of z in (0, 1) are where z*(1-z) looks plausible: keep some.
    cases.insert(2, Case("6 values of z between 0 and 1", (rng.uniform(0.05, 0.95, size=6),)))
    return cases


register(Exercise(
    id="sigmoid-grad",
    lesson=FUNCTIONS,
    title="Derivative of the sigmoid, from z",
    points=2,
    reference=act.sigmoid_grad,
    make_cases=_sigmoid_grad_cases,
    forbid_overflow=True,
    mistakes=(
        Mistake("from-z-instead-of-sigma-z", lambda z: z * (1.0 - z),
                "z * (1 - z) is the formula for the *output* s = sigmoid(z); this function receives z, so "
                "compute s = activations.sigmoid(z) first and return s * (1 - s)."),
        Mistake("half-from-z", lambda z: act.sigmoid(z) * (1.0 - z),
                "both factors use s = sigmoid(z): s * (1 - s), not s * (1 - z)."),
        Mistake("returned-sigmoid", lambda z: act.sigmoid(z),
                "this is sigmoid itself; its derivative is s * (1 - s) with s = sigmoid(z)."),
        Mistake("plus-sign", lambda z: act.sigmoid(z) * (1.0 + act.sigmoid(z)),
                "sigma'(z) = s * (1 - s): a minus inside the bracket (it is at most 0.25, at z = 0)."),
        Mistake("exp-without-the-square", lambda z: np.exp(-z) / (1.0 + np.exp(-z)),
                "e^{-z} / (1 + e^{-z}) is 1 - sigma(z); the derivative is e^{-z} / (1 + e^{-z})**2 = s * (1 - s)."),
        Mistake("naive-sigmoid", lambda z: (1.0 / (1.0 + np.exp(-z))) * (1.0 - 1.0 / (1.0 + np.exp(-z))),
                "1 / (1 + np.exp(-z)) overflows at z = -1000: use the package's stable activations.sigmoid(z) "
                "for s, then s * (1 - s)."),
        Mistake("s-squared", lambda z: act.sigmoid(z) ** 2,
                "sigma'(z) = s * (1 - s): the second factor is 1 - s, not s."),
        Mistake("tanh-style", lambda z: 1.0 - act.sigmoid(z) ** 2,
                "1 - s**2 is the tanh pattern; the sigmoid's derivative is s * (1 - s)."),
    ),
))


# --------------------------------------------------------------------------- #
# sigmoid (numerically stable)
# --------------------------------------------------------------------------- #

def _sigmoid_cases(rng: np.random.Generator) -> list:
    cases = _elementwise_cases(rng, hand=np.array([-2.0, 0.0, 1.0, 3.0]), extreme=False)
    big = np.sort(rng.uniform(40.0, 999.0, size=4))
    text = ", ".join(f"{v:.0f}" for v in big)
    cases += [
        Case("z = -1000 and z = 1000", (np.array([-1000.0, 1000.0]),), extreme=True),
        Case(f"large negative inputs z = -[{text}] (sigmoid about e^z, tiny but not 0)", (-big,), extreme=True),
        Case(f"large positive inputs z = [{text}]", (big.copy(),), extreme=True),
        Case("large inputs of both signs in a matrix [[-1000, -750, 0], [40, 750, 1000]]",
             (np.array([[-1000.0, -750.0, 0.0], [40.0, 750.0, 1000.0]]),), extreme=True),
    ]
    return cases


def _sigmoid_abs_positive(z):
    e = np.exp(-np.abs(z))
    return 1.0 / (1.0 + e)


def _sigmoid_abs_negative(z):
    e = np.exp(-np.abs(z))
    return e / (1.0 + e)


register(Exercise(
    id="sigmoid",
    lesson=STABILITY,
    title="Numerically stable sigmoid (sign split)",
    points=2,
    reference=act.sigmoid,
    make_cases=_sigmoid_cases,
    forbid_overflow=True,
    # sigma(z) for z = -40 .. -700 is tiny but not 0 (e^z): an absolute tolerance of 1e-15 still lets
    # 0.5 * (1 + tanh(z / 2)) pass (its error is at most ~1e-16) but not an input clipped at +-30.
    atol=1e-15,
    mistakes=(
        Mistake("sign-flipped", lambda z: act.sigmoid(-z),
                "sigma(z) = 1 / (1 + e^{-z}): large positive z should give values near 1 (check the sign "
                "in the exponent)."),
        Mistake("one-branch-for-all-z-positive-form", _sigmoid_abs_positive,
                "1 / (1 + e^{-|z|}) is right only for z >= 0; for z < 0 use the other form, e^{z} / (1 + e^{z}) "
                "(pick per element, e.g. with np.where(z >= 0, ..., ...))."),
        Mistake("one-branch-for-all-z-negative-form", _sigmoid_abs_negative,
                "e^{-|z|} / (1 + e^{-|z|}) is right only for z < 0; for z >= 0 use 1 / (1 + e^{-z}) "
                "(pick per element, e.g. with np.where(z >= 0, ..., ...))."),
        Mistake("tanh-form-without-the-factor", lambda z: 0.5 * (1.0 + np.tanh(z)),
                "sigma(z) = (1 + tanh(z / 2)) / 2: the tanh takes z / 2, not z."),
        Mistake("naive", lambda z: 1.0 / (1.0 + np.exp(-z)),
                "1 / (1 + np.exp(-z)) computes e^{1000} for z = -1000, which overflows: split by sign so that "
                "np.exp only ever sees -|z| (e^{-|z|} / (1 + e^{-|z|}) for z < 0). np.where(cond, a, b) computes "
                "both a and b everywhere, so a where of two textbook formulas overflows too: compute "
                "e = np.exp(-np.abs(z)) once, then choose."),
        Mistake("clipped", lambda z: 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))),
                "clipping z changes the answer for |z| > 30 (sigma(-40) = 4e-18, not sigma(-30) = 9e-14): keep "
                "every z and split by sign instead."),
    ),
))


# --------------------------------------------------------------------------- #
# softmax (max shift)
# --------------------------------------------------------------------------- #

def _softmax_cases(rng: np.random.Generator) -> list:
    n, k = int(rng.integers(4, 7)), int(rng.integers(3, 6))
    square = int(rng.integers(3, 5))
    offsets = rng.uniform(800.0, 1000.0, size=2)
    return [
        Case("one sample worked by hand, z = [1, 2, 3]", (np.array([[1.0, 2.0, 3.0]]),)),
        Case(f"square batch, shape ({square}, {square})", (rng.normal(0.0, 2.0, size=(square, square)),)),
        Case(f"random logits, shape ({n}, {k})", (rng.normal(0.0, 2.0, size=(n, k)),)),
        Case("equal logits [0, 0, 0, 0] and [5, 5, 5, 5] (uniform rows)",
             (np.array([[0.0, 0.0, 0.0, 0.0], [5.0, 5.0, 5.0, 5.0]]),)),
        Case("two classes, 5 samples", (rng.normal(0.0, 3.0, size=(5, 2)),)),
        Case("z = [1000, 1001, 1002] (exp overflows)", (np.array([[1000.0, 1001.0, 1002.0]]),), extreme=True),
        Case("z = [-1000, -1000, -999] (exp underflows to 0)", (np.array([[-1000.0, -1000.0, -999.0]]),), extreme=True),
        Case("z = [-1000, 0, 1000] (the row's mean is 0, its maximum 1000)", (np.array([[-1000.0, 0.0, 1000.0]]),),
             extreme=True),
        Case("rows far apart (one near +1000, one near -1000)",
             (np.array([[offsets[0], offsets[0] + 1.0, offsets[0] - 2.0],
                        [-offsets[1], -offsets[1] + 3.0, -offsets[1] + 1.0]]),), extreme=True),
        Case("large random logits (4, 5), spread 400", (rng.normal(0.0, 400.0, size=(4, 5)),), extreme=True),
    ]


def _softmax_no_keepdims_sum(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1)


def _softmax_columns(z):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def _softmax_total_sum(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e)


def _softmax_global_max(z):
    with np.errstate(invalid="ignore"):
        e = np.exp(z - np.max(z))
        return e / np.sum(e, axis=1, keepdims=True)


def _softmax_unnormalised(z):
    return np.exp(z - np.max(z, axis=1, keepdims=True))


def _softmax_shifted(shift):
    def softmax(z):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z - shift(z))
            return e / np.sum(e, axis=1, keepdims=True)
    return softmax


def _softmax_max_no_keepdims(z):
    e = np.exp(z - np.max(z, axis=1))
    return e / np.sum(e, axis=1, keepdims=True)


register(Exercise(
    id="softmax",
    lesson=STABILITY,
    title="Numerically stable softmax (max shift), one row per sample",
    points=3,
    reference=act.softmax,
    make_cases=_softmax_cases,
    forbid_overflow=True,
    mistakes=(
        Mistake("global-max", _softmax_global_max,
                "subtract each row's own maximum (np.max(z, axis=1, keepdims=True)); with one global maximum a "
                "row far below it has every e^{z - m} underflow to 0, and 0 / 0 is NaN."),
        Mistake("normalised-over-columns", _softmax_columns,
                "each row is one sample: take the max and the sum along axis=1 (the classes), not axis=0."),
        Mistake("summed-over-the-whole-batch", _softmax_total_sum,
                "each row must sum to 1 on its own: sum along axis=1 with keepdims=True, not over every entry."),
        Mistake("sum-without-keepdims", _softmax_no_keepdims_sum,
                "np.sum(e, axis=1) has shape (n,) and is broadcast along the wrong axis (it divides column j by "
                "row j's sum); keep the axis: np.sum(e, axis=1, keepdims=True)."),
        Mistake("max-without-keepdims", _softmax_max_no_keepdims,
                "np.max(z, axis=1) has shape (n,) and is subtracted along the wrong axis; keep the axis: "
                "np.max(z, axis=1, keepdims=True)."),
        Mistake("not-normalised", _softmax_unnormalised,
                "after the exponential, divide by the row sum so that each row adds up to 1."),
        Mistake("no-shift", lambda z: np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True),
                "np.exp(1000) overflows to inf (and inf / inf is NaN): subtract each row's maximum first, "
                "np.max(z, axis=1, keepdims=True); softmax does not change when a row is shifted."),
        Mistake("mean-shift", _softmax_shifted(lambda z: np.mean(z, axis=1, keepdims=True)),
                "shift by the row's *maximum*, not its mean: after subtracting the mean, a row such as "
                "[-1000, 0, 1000] still holds 1000 and np.exp overflows."),
        Mistake("max-over-columns", _softmax_shifted(lambda z: np.max(z, axis=0, keepdims=True)),
                "np.max(z, axis=0) is the maximum of each *column*: subtracting it shifts the entries of a row by "
                "different amounts, which changes the softmax. Use each row's maximum, axis=1."),
        Mistake("exp2", lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp2(z - z.max(axis=1, keepdims=True))),
                "softmax uses e^z (np.exp), not 2^z (np.exp2)."),
        Mistake("no-keepdims", lambda z: (lambda e: e / e.sum(axis=1))(np.exp(z - z.max(axis=1))),
                "np.max(z, axis=1) and np.sum(e, axis=1) have shape (n,), and numpy lines them up with the columns "
                "(column j gets row j's maximum and sum; other shapes raise an error): keep the axis in both, "
                "keepdims=True."),
    ),
))


# =========================================================================== #
# Exercises added by issue 13 (why one non-linearity suffices, after Nielsen,
# "Neural Networks and Deep Learning", chapter 4). They live in their own
# block at the end of the module, apart from the exercises above.
# =========================================================================== #

# --------------------------------------------------------------------------- #
# relu-bumps: a network of hand-set ReLU units whose output is a sum of bumps
# --------------------------------------------------------------------------- #

def bumps_network(centres, heights, width):
    """Weights ``(W1, b1, W2, b2)`` of a 1-input ReLU network whose output is a sum of bumps.

    A bump ("hat") of height ``h`` centred at ``c`` with half-width ``w`` is 0
    outside ``[c - w, c + w]`` and rises linearly to ``h`` at ``c``. As three
    ReLU units: kinks at ``c - w``, ``c``, ``c + w`` (hidden weight 1, bias
    ``-kink``) whose slope changes ``h/w, -2h/w, h/w`` are the output weights::

        hat(x) = (h / w) * (relu(x - c + w) - 2 relu(x - c) + relu(x - c - w))

    ``centres``, ``heights``: shape ``(m,)``; ``width``: the half-width ``w > 0``.
    Returns ``W1 (1, 3m)``, ``b1 (3m,)``, ``W2 (3m, 1)``, ``b2 (1,)`` for
    :math:`\\hat y = \\max(0, xW_1 + b_1)W_2 + b_2`. The reference of ``relu-bumps``.
    """
    centres = np.asarray(centres, dtype=float)
    heights = np.asarray(heights, dtype=float)
    kinks = np.concatenate([centres - width, centres, centres + width])
    slope_changes = np.concatenate([heights, -2.0 * heights, heights]) / width
    return np.ones((1, kinks.size)), -kinks, slope_changes.reshape(-1, 1), np.zeros(1)


def network_output(params, x) -> np.ndarray:
    """``max(0, x W1 + b1) W2 + b2`` for inputs ``x`` of shape ``(n,)``; shape ``(n,)``.

    Refuses parameters of the wrong number or shape with a ValueError that says
    which shapes were expected, so the learner reads that rather than numpy's
    broadcasting message.
    """
    if not isinstance(params, (tuple, list)) or len(params) != 4:
        raise ValueError(f"return the four arrays (W1, b1, W2, b2), got {type(params).__name__}"
                         + (f" of length {len(params)}" if isinstance(params, (tuple, list)) else ""))
    W1, b1, W2, b2 = (np.asarray(p, dtype=float) for p in params)
    hidden = W1.shape[1] if W1.ndim == 2 else -1
    if W1.shape != (1, hidden) or b1.shape != (hidden,) or W2.shape != (hidden, 1) or b2.shape != (1,):
        raise ValueError(f"expected W1 (1, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1), b2 (1,); got shapes "
                         f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}")
    return (np.maximum(x[:, None] @ W1 + b1, 0.0) @ W2 + b2)[:, 0]


def _run_bumps(objects, case):
    """The learner's network on the case's inputs, one array per region, so a failure says where it goes wrong.

    Any network giving the same outputs passes: the units may come in any order.
    """
    params = objects[0](*case.args)
    return {region: network_output(params, x) for region, x in case.kwargs["regions"].items()}


def _bumps_case(name: str, centres, heights, width: float) -> Case:
    centres, heights = np.asarray(centres, dtype=float), np.asarray(heights, dtype=float)
    kinks = np.unique(np.concatenate([centres - width, centres, centres + width]))
    low, high = kinks[0], kinks[-1]
    grid = np.linspace(low, high, 241)[1:-1]
    regions = {
        "at the kinks (x = c - w, c, c + w of every bump)": kinks,
        "between the kinks": grid[~np.isin(grid, kinks)],
        "left of every bump (x < c - w)": np.linspace(low - 3.0 * width, low, 30, endpoint=False),
        "right of every bump (x > c + w)": np.linspace(high + 3.0 * width, high, 30, endpoint=False)[::-1],
    }
    return Case(name, (centres, heights, float(width)), {"regions": regions})


def _bumps_cases(rng: np.random.Generator) -> list:
    m = int(rng.integers(3, 7))
    spread = np.sort(rng.uniform(-4.0, 4.0, size=m))
    grid = np.linspace(-3.0, 3.0, 13)
    return [
        _bumps_case("the worked example: one bump of height 1 at c = 0, half-width 1", [0.0], [1.0], 1.0),
        _bumps_case("one bump of height 2.5 at c = 1.5, half-width 0.5", [1.5], [2.5], 0.5),
        _bumps_case("one dip: a bump of negative height", [float(rng.uniform(-1, 1))], [-float(rng.uniform(0.5, 2))],
                    float(rng.uniform(0.3, 1.5))),
        _bumps_case(f"{m} overlapping bumps, random centres and heights (some negative)", spread,
                    rng.normal(0.0, 1.5, size=m), float(rng.uniform(0.5, 2.0))),
        _bumps_case("13 bumps of heights sin(2c), spacing = half-width = 0.5: sin 2x, dot to dot", grid,
                    np.sin(2.0 * grid), 0.5),
        _bumps_case("one narrow bump far from the origin", [float(rng.uniform(30, 50))], [float(rng.uniform(1, 3))],
                    0.1),
    ]


def _bumps_with(kink_offsets=(-1.0, 0.0, 1.0), slope_changes=(1.0, -2.0, 1.0), *, bias_sign=-1.0,
                divide_by_width=True, use_heights=True, heights_in_first_layer=False):
    """The reference construction with one ingredient changed (a learner's mistake)."""

    def network(centres, heights, width):
        centres, heights = np.asarray(centres, dtype=float), np.asarray(heights, dtype=float)
        h = heights if use_heights else np.ones_like(heights)
        kinks = np.concatenate([centres + o * width for o in kink_offsets])
        scale = np.concatenate([np.full_like(centres, s) for s in slope_changes])
        out_scale = np.tile(np.ones_like(h) if heights_in_first_layer else h, len(kink_offsets))
        in_scale = np.tile(h if heights_in_first_layer else np.ones_like(h), len(kink_offsets))
        W2 = scale * out_scale / (width if divide_by_width else 1.0)
        return in_scale.reshape(1, -1), bias_sign * kinks * in_scale, W2.reshape(-1, 1), np.zeros(1)

    return network


register(Exercise(
    id="relu-bumps",
    lesson=STABILITY,
    title="A sum of bumps from hand-set ReLU units (one hidden layer draws a curve)",
    points=3,
    reference=bumps_network,
    make_cases=_bumps_cases,
    run=_run_bumps,
    mistakes=(
        Mistake("middle-change-minus-one", _bumps_with(slope_changes=(1.0, -1.0, 1.0)),
                "at the centre the slope goes from +h/w to -h/w, a change of -2h/w: the middle unit's output "
                "weight is -2h/w. With -h/w the output stays at h after the centre instead of coming back down, "
                "and rises again after c + w."),
        Mistake("third-unit-missing", _bumps_with(kink_offsets=(-1.0, 0.0), slope_changes=(1.0, -2.0)),
                "after the bump the slope must be 0 again: the changes must add up to 0 (h/w - 2h/w + h/w), so a "
                "third unit with its kink at c + w and output weight +h/w is needed; without it the output falls "
                "for ever."),
        Mistake("bias-sign", _bumps_with(bias_sign=1.0),
                "max(0, x W1 + b1) has its kink where x W1 + b1 = 0, i.e. at x = -b1 / W1: a kink at a needs "
                "weight 1 and bias -a, not +a (that puts the bump at -c)."),
        Mistake("not-divided-by-width", _bumps_with(divide_by_width=False),
                "the hat climbs from 0 to its height h over a distance w, so the slope is h / w: divide the output "
                "weights by the half-width (without it the bump's height is h * w)."),
        Mistake("heights-ignored", _bumps_with(use_heights=False),
                "each bump has its own height: multiply that bump's three output weights by heights[i]."),
        Mistake("heights-in-first-layer", _bumps_with(heights_in_first_layer=True),
                "put the height in the output weights W2, not in W1 and b1: relu(h (x - a)) equals h relu(x - a) "
                "only for h > 0; a negative height flips which side of the kink is active."),
        Mistake("width-as-full-width", _bumps_with(kink_offsets=(-0.5, 0.0, 0.5), slope_changes=(2.0, -4.0, 2.0)),
                "width is the half-width: the bump is non-zero from c - width to c + width, with kinks at c - width, "
                "c and c + width."),
    ),
))
