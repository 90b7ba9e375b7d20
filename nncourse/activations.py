"""Lesson 02 (``02a_activation_functions.ipynb``, ``02b_softmax_and_saturation.ipynb``): activation functions and their derivatives.

Each activation ``g`` acts element by element on the pre-activation ``Z`` of a
layer, ``A = g(Z)``; softmax is the exception and acts along one axis. Every
derivative here is written **in terms of the input** ``z`` and named
``<name>_grad(z)``: ``sigmoid_grad(z)`` is :math:`\\sigma'(z)`, not a function
of the output. (Some libraries pass the output instead; the lesson shows why
that is an easy mistake to make.)

Conventions (the README's "Notation" section): ReLU'(0) = 0, leaky ReLU'(0) =
slope; float32 in, float32 out (float16 is computed in float32).

Numerical stability is handled where it arises: :func:`sigmoid` never
exponentiates a positive number, :func:`softmax` subtracts the row maximum
first (softmax is unchanged by adding a constant to every input, eq. 2.9).

:data:`ACTIVATIONS` maps a name (``"relu"``) to the function and its
derivative, so a network can be described with strings.

Not here: parametric or learned activations (PReLU, GELU, Swish).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validation import (as_float_array, check_axis, check_choice, check_finite_result, check_positive,
                          check_probability_rows, check_same_shape, reports_overflow)

__all__ = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
           "leaky_relu_grad", "linear", "linear_grad", "softmax", "softmax_jacobian", "softmax_backward",
           "Activation", "ACTIVATIONS", "get_activation"]


# --- kernels without validation, used by the forward and backward passes ---

def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Split by sign so that exp only ever sees -|z| <= 0: no overflow at z = -1000.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def _sigmoid_grad(z: np.ndarray) -> np.ndarray:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_grad(z: np.ndarray) -> np.ndarray:
    t = np.tanh(z)
    return 1.0 - t * t


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _relu_grad(z: np.ndarray) -> np.ndarray:
    # The derivative as a 0/1 mask of booleans: multiplying by it is multiplying by 0.0 or 1.0,
    # and the backward pass (dA * mask, in place) needs no float array of ones and zeros.
    return z > 0


def _leaky_relu(z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    return np.where(z > 0, z, slope * z).astype(z.dtype, copy=False)


def _leaky_relu_grad(z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    return np.where(z > 0, 1.0, slope).astype(z.dtype)


def _linear(z: np.ndarray) -> np.ndarray:
    return z.copy()


def _linear_grad(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def _shifted_exp(z: np.ndarray, axis: int):
    """The stable exponentials behind softmax and log-sum-exp: ``m = max z``, ``e = exp(z - m)``, ``s = sum e``.

    Shift invariance (2.9): softmax(z) = softmax(z - m), and the largest exponent
    is then e^0 = 1, so nothing overflows and ``s >= 1``. All three keep ``axis``
    (size 1 for ``m`` and ``s``).
    """
    m = np.max(z, axis=axis, keepdims=True)
    e = np.exp(z - m)
    return m, e, np.sum(e, axis=axis, keepdims=True)


def _softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    _, e, s = _shifted_exp(z, axis)
    return e / s


# --- public functions ---

def sigmoid(z) -> np.ndarray:
    """Logistic sigmoid, computed stably for any finite input.

    .. math:: \\sigma(z) = \\frac{1}{1 + e^{-z}} = \\frac{e^{z}}{1 + e^{z}} \\tag{2.2}

    The first form is used for ``z >= 0`` and the second for ``z < 0``, so the
    exponential never overflows (``sigmoid(-1000.0)`` is 0, without a warning).

    Parameters
    ----------
    z : array of any shape

    Returns
    -------
    array, same shape and float dtype as ``z``, values in [0, 1]
    """
    return _sigmoid(as_float_array(z, "z"))


def sigmoid_grad(z) -> np.ndarray:
    """Derivative of the sigmoid with respect to its input ``z``.

    .. math:: \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z)) \\tag{2.3}

    Takes ``z`` (not ``σ(z)``); at most 0.25, at ``z = 0``.
    """
    return _sigmoid_grad(as_float_array(z, "z"))


def tanh(z) -> np.ndarray:
    """Hyperbolic tangent :math:`\\tanh z = (e^{z} - e^{-z}) / (e^{z} + e^{-z})` (2.4); values in (-1, 1)."""
    return np.tanh(as_float_array(z, "z"))


def tanh_grad(z) -> np.ndarray:
    """Derivative of tanh with respect to ``z``: :math:`1 - \\tanh^2 z` (2.5)."""
    return _tanh_grad(as_float_array(z, "z"))


def relu(z) -> np.ndarray:
    """Rectified linear unit :math:`\\max(0, z)` (2.6). Returns a new array."""
    return _relu(as_float_array(z, "z"))


def relu_grad(z) -> np.ndarray:
    """Derivative of ReLU: 1 where ``z > 0``, else 0 — including ``z == 0`` (the course's choice, 2.7)."""
    z = as_float_array(z, "z")
    return _relu_grad(z).astype(z.dtype)


@reports_overflow
def leaky_relu(z, slope: float = 0.01) -> np.ndarray:
    """Leaky ReLU: ``z`` where ``z > 0``, ``slope * z`` otherwise (2.8).

    Parameters
    ----------
    z : array of any shape
    slope : float > 0
        The gradient for negative inputs, so that no unit is ever completely dead.
    """
    out = _leaky_relu(as_float_array(z, "z"), check_positive(slope, "slope"))
    check_finite_result(out, "slope * z", "z and slope")
    return out


def leaky_relu_grad(z, slope: float = 0.01) -> np.ndarray:
    """Derivative of leaky ReLU: 1 where ``z > 0``, ``slope`` otherwise (also at 0)."""
    return _leaky_relu_grad(as_float_array(z, "z"), check_positive(slope, "slope"))


def linear(z) -> np.ndarray:
    """The identity ``g(z) = z`` (a linear output layer, e.g. for regression). Returns a copy."""
    return _linear(as_float_array(z, "z"))


def linear_grad(z) -> np.ndarray:
    """Derivative of the identity: ones shaped like ``z``."""
    return _linear_grad(as_float_array(z, "z"))


@reports_overflow
def softmax(z, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, computed with the maximum subtracted first.

    .. math:: \\operatorname{softmax}(z)_k = \\frac{e^{z_k - m}}{\\sum_j e^{z_j - m}},
              \\quad m = \\max_j z_j \\tag{2.10}

    Parameters
    ----------
    z : array, e.g. shape (n_samples, n_classes) of logits
    axis : int
        The axis that holds the classes (the last one by default: samples in rows).

    Returns
    -------
    array, same shape as ``z``; entries in [0, 1] summing to 1 along ``axis``
    """
    z = as_float_array(z, "z")
    return _softmax(z, check_axis(axis, z, "z"))


@reports_overflow
def softmax_jacobian(z) -> np.ndarray:
    """The Jacobian of softmax for one vector ``z`` of shape (k,).

    .. math:: \\frac{\\partial p_i}{\\partial z_j} = p_i(\\delta_{ij} - p_j),
              \\quad J = \\operatorname{diag}(p) - p p^\\top \\tag{2.11}

    Returns
    -------
    array, shape (k, k)
    """
    z = as_float_array(z, "z", ndim=1)
    p = _softmax(z, check_axis(0, z, "z"))
    return np.diag(p) - np.outer(p, p)


def _softmax_backward(dA: np.ndarray, A: np.ndarray, axis: int = -1) -> np.ndarray:
    return A * (dA - np.sum(dA * A, axis=axis, keepdims=True))


@reports_overflow
def softmax_backward(dA, A, axis: int = -1) -> np.ndarray:
    """Gradient through softmax: the Jacobian (2.11) applied row by row without forming it.

    .. math:: \\frac{\\partial L}{\\partial z} = p \\odot \\Big(\\frac{\\partial L}{\\partial p}
              - \\sum_j \\frac{\\partial L}{\\partial p_j} p_j\\Big)

    Parameters
    ----------
    dA : array, upstream gradient with respect to the softmax output
    A : array, same shape, the softmax output (probabilities summing to 1 along ``axis``)
    axis : int, the class axis

    Returns
    -------
    dZ : array, same shape as ``A``
    """
    dA = as_float_array(dA, "dA")
    A = as_float_array(A, "A")
    check_same_shape(dA, A, "dA", "A")
    axis = check_axis(axis, A, "A")
    check_probability_rows(A, "A", axis)
    out = _softmax_backward(dA, A, axis)
    check_finite_result(out, "the gradient through softmax", "dA")
    return out


class Activation(NamedTuple):
    """An element-wise activation: its name, the function and its derivative (both of ``z``)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]


#: Element-wise activations by name. Softmax is an output, not listed here.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad),
    "tanh": Activation("tanh", tanh, tanh_grad),
    "relu": Activation("relu", relu, relu_grad),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_grad),
    "linear": Activation("linear", linear, linear_grad),
}

# The same without argument validation, for the forward and backward passes, which
# validate their inputs once at the top. Each derivative is the one of the public function.
_KERNELS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "tanh": (np.tanh, _tanh_grad),
    "relu": (_relu, _relu_grad),
    "leaky_relu": (_leaky_relu, _leaky_relu_grad),
    "linear": (_linear, _linear_grad),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name (``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"linear"``)."""
    return ACTIVATIONS[check_choice(name, "activation", tuple(ACTIVATIONS))]
