"""Lesson 04 (``04a_mse_and_cross_entropy.ipynb`` and ``04b_logits_and_likelihood.ipynb``): loss functions
and their gradients.

Every loss is a **mean** (``reduction="mean"``, the course's one convention):

* MSE is the mean of :math:`(\\hat y - y)^2` over *every entry*, without a ½
  (as PyTorch's ``MSELoss``; textbooks that write ½ get a gradient without the 2);
* binary cross-entropy is the mean over every entry (one per sample for a
  single output);
* categorical cross-entropy is the mean over samples.

Gradients are with respect to the loss's first argument and include the
``1/n`` (or ``1/N``) of the mean. Targets must have exactly the prediction's
shape (or, for categorical losses, be integer labels of shape ``(n,)``): a
``(n,)`` target against a ``(n, 1)`` prediction is an error, never an
``(n, n)`` broadcast.

Losses from probabilities clip them to :math:`[\\varepsilon, 1-\\varepsilon]`
(machine epsilon of the dtype) so that a confident wrong answer costs a large
finite amount instead of ``inf``. The ``*_with_logits`` versions take
pre-activations and need no clipping: they use log-sum-exp (4.8) and
``log1p(exp(-|z|))`` and are exact for any finite input. Their gradients are
the fused ones the backward pass uses: :math:`(P - Y)/n` with ``n`` the
number of samples (rows) for softmax, and :math:`(\\sigma(z) - y)/N` with
``N = z.size`` the number of entries for the sigmoid (``N = n`` for a single
output, as the mean of binary cross-entropy is over every entry).

Each loss the network uses is one kernel, ``(Z, y) -> (loss, output, dL/dZ)``
from the logits ``Z``: :func:`mse` (output ``Z`` itself), the sigmoid with
binary cross-entropy and the softmax with cross-entropy (one exponential for
the loss, the probabilities and the fused gradient). The public functions,
:func:`nncourse.loss_and_grads` and :func:`nncourse.train` all call these
kernels. Means are computed so that a sum that overflows does not turn a
representable mean into ``inf`` (``mse_grad`` at ±1e308, for example).

Not here: class weights, label smoothing, hinge or Huber losses.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from . import activations as _act
from ._validation import (as_float_array, as_labels, as_real_array, check_axis, check_bool, check_choice, check_finite_result,
                          check_int, check_probability_rows, check_same_shape, reports_overflow)

__all__ = ["mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
           "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad", "cross_entropy",
           "cross_entropy_grad", "logsumexp", "cross_entropy_with_logits", "softmax_cross_entropy_grad",
           "one_hot", "Loss", "LOSSES", "get_loss"]


# --- kernels without validation ---

def _mean(values: np.ndarray) -> float:
    """The mean of finite ``values``; where their sum overflows, the same mean from ``values / max|values|``."""
    mean = float(np.mean(values))
    if math.isfinite(mean):
        return mean
    scale = float(np.max(np.abs(values)))
    return float(np.mean(values / scale)) * scale


def _mse(Z: np.ndarray, Y: np.ndarray):
    """MSE (4.1), the output (Z itself) and the gradient (4.2), ``2 (Z - Y) / N`` written as ``(Z - Y) / (N / 2)``."""
    n_half = Z.size / 2
    diff = Z - Y
    value = float(np.mean(diff * diff))
    grad = diff / n_half
    if not math.isfinite(value):
        # Z - Y or its square overflowed (both are finite): the same numbers from the halves, which cannot.
        half = Z * 0.5 - Y * 0.5
        scale = float(np.max(np.abs(half)))
        value = float(np.mean(np.square(half / scale))) * (2.0 * scale) * (2.0 * scale)
        grad = half / (n_half / 2)
    return value, Z, grad


def _sigmoid_binary_cross_entropy(Z: np.ndarray, Y: np.ndarray):
    """Binary cross-entropy from the logits (4.6), the probabilities and the fused gradient (4.7)."""
    # max(z, 0) - z y + log(1 + e^{-|z|}) is log(1 + e^z) - z y rearranged so that exp never overflows.
    value = _mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))
    S = _act._sigmoid(Z)
    return value, S, (S - Y) / Z.size


def _softmax_cross_entropy(Z: np.ndarray, y: np.ndarray):
    """Softmax cross-entropy (4.9), the probabilities and the fused gradient (4.10), from one exponential.

    ``y`` is integer labels ``(n,)`` or one-hot rows ``(n, k)``; the labels are
    used directly (no one-hot matrix is built).
    """
    n = Z.shape[0]
    m, e, s = _act._shifted_exp(Z, axis=1)
    lse = m[:, 0] + np.log(s[:, 0])  # log-sum-exp (4.8) of every row
    if y.ndim == 1:
        rows = np.arange(n)
        z_true = Z[rows, y]
    else:
        z_true = np.sum(y * Z, axis=1)
    per_row = lse - z_true
    value = float(per_row.mean())
    if not math.isfinite(value):
        # lse - z_true overflowed (both are finite): the mean of the halves, doubled.
        value = 2.0 * _mean(lse * 0.5 - z_true * 0.5)
    P = e / s
    dZ = P.copy()
    if y.ndim == 1:
        dZ[rows, y] -= 1
    else:
        dZ -= y
    dZ /= n
    return value, P, dZ


def _one_hot(labels: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def _clip(p: np.ndarray) -> np.ndarray:
    # Machine epsilon of p's own dtype: log(eps) is a large finite cost, log(0) would be -inf.
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1.0 - eps)


# --- validation shared by the public functions ---

def _pair(pred, target, pred_name: str, target_name: str):
    pred = as_float_array(pred, pred_name)
    target = as_float_array(target, target_name)
    check_same_shape(pred, target, pred_name, target_name)
    if pred.size == 0:
        raise ValueError(f"{pred_name} is empty; a loss needs at least one sample")
    return pred, target


def _binary_targets(y: np.ndarray, name: str = "y") -> None:
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"{name} must hold targets in [0, 1] (class labels 0/1), got values outside that range")


def _probabilities(p: np.ndarray, name: str) -> None:
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1]; for raw scores use the *_with_logits losses")


def _class_scores(Z, name: str) -> np.ndarray:
    """Scores or probabilities ``(n, k)`` with at least one sample and one class."""
    Z = as_float_array(Z, name, ndim=2)
    if Z.shape[0] == 0:
        raise ValueError(f"{name} is empty; a loss needs at least one sample")
    check_axis(1, Z, name)
    return Z


def _class_targets(y, n: int, k: int, name: str = "y", scores: str = "the scores") -> np.ndarray:
    """Targets for ``n`` samples of ``k`` classes: integer labels ``(n,)`` or one-hot/probability rows ``(n, k)``.

    ``scores`` names the argument that fixed ``n`` and ``k`` (``P``, ``Z``, the network's output).
    """
    y = as_real_array(y, name)
    if y.ndim == 1:
        return as_labels(y, name, n, k, rows_of=scores, classes_of=f"{scores} with {k} columns")
    Y = as_float_array(y, name)
    if Y.ndim != 2 or Y.shape != (n, k):
        raise ValueError(f"{name} must be integer labels of shape ({n},) or one-hot of shape ({n}, {k}) to match "
                         f"{scores}, got shape {Y.shape}")
    check_probability_rows(Y, name)
    return Y


def _targets(y, loss: str, n: int, n_out: int, name: str = "y", inputs: str = "X") -> np.ndarray:
    """The targets of the ``n`` samples of ``inputs`` for ``loss`` on a network with ``n_out`` outputs."""
    scores = f"the network's output for {inputs}"
    if loss == "softmax_cross_entropy":
        return _class_targets(y, n, n_out, name, scores)
    Y = as_float_array(y, name)
    if Y.shape != (n, n_out):
        hint = f" (reshape with {name}.reshape(-1, 1))" if Y.shape == (n,) and n_out == 1 else ""
        raise ValueError(f"{name} must have the shape of {scores}, ({n}, {n_out}) for loss={loss!r}, "
                         f"got {Y.shape}{hint}")
    if loss == "binary_cross_entropy":
        _binary_targets(Y, name)
    return Y


# --- public functions ---

@reports_overflow
def mse(y_pred, y) -> float:
    """Mean squared error over every entry.

    .. math:: L = \\frac{1}{N} \\sum_{i} (\\hat y_i - y_i)^2, \\quad N = \\text{number of entries} \\tag{4.1}

    Parameters
    ----------
    y_pred, y : arrays of the same shape, e.g. (n_samples, n_outputs)
    """
    value = _mse(*_pair(y_pred, y, "y_pred", "y"))[0]
    check_finite_result(value, "the mean squared error", "y_pred and y")
    return value


@reports_overflow
def mse_grad(y_pred, y) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: :math:`2(\\hat y - y)/N` (4.2)."""
    grad = _mse(*_pair(y_pred, y, "y_pred", "y"))[2]
    check_finite_result(grad, "2 (y_pred - y) / N", "y_pred and y")
    return grad


def binary_cross_entropy(p, y) -> float:
    """Binary cross-entropy from probabilities.

    .. math:: L = -\\frac{1}{N} \\sum_i \\big[y_i \\log p_i + (1 - y_i) \\log(1 - p_i)\\big] \\tag{4.4}

    Parameters
    ----------
    p : array, probabilities in [0, 1] (clipped to [ε, 1 − ε])
    y : array, same shape, targets in [0, 1]
    """
    p, y = _pair(p, y, "p", "y")
    _probabilities(p, "p")
    _binary_targets(y)
    p = _clip(p)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def binary_cross_entropy_grad(p, y) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``.

    .. math:: \\frac{\\partial L}{\\partial p_i} = \\frac{1}{N}\\,\\frac{p_i - y_i}{p_i (1 - p_i)} \\tag{4.5}
    """
    p, y = _pair(p, y, "p", "y")
    _probabilities(p, "p")
    _binary_targets(y)
    p = _clip(p)
    return (p - y) / (p * (1.0 - p)) / p.size


@reports_overflow
def binary_cross_entropy_with_logits(z, y) -> float:
    """Binary cross-entropy of :math:`\\sigma(z)`, computed from the logits ``z``.

    .. math:: L = \\frac{1}{N}\\sum_i \\big[\\max(z_i, 0) - z_i y_i + \\log(1 + e^{-|z_i|})\\big] \\tag{4.6}

    Equal to ``binary_cross_entropy(sigmoid(z), y)`` but exact and finite for
    any finite ``z``.
    """
    z, y = _pair(z, y, "z", "y")
    _binary_targets(y)
    value = _sigmoid_binary_cross_entropy(z, y)[0]
    check_finite_result(value, "the binary cross-entropy", "z")
    return value


@reports_overflow
def binary_cross_entropy_with_logits_grad(z, y) -> np.ndarray:
    """The fused sigmoid + binary cross-entropy gradient: :math:`(\\sigma(z) - y)/N` (4.7), ``N = z.size``."""
    z, y = _pair(z, y, "z", "y")
    _binary_targets(y)
    return _sigmoid_binary_cross_entropy(z, y)[2]


def one_hot(y, n_classes: int) -> np.ndarray:
    """One-hot encoding of integer labels.

    Parameters
    ----------
    y : int array, shape (n,), labels in [0, n_classes)
    n_classes : int

    Returns
    -------
    array, shape (n, n_classes), float64, one 1 per row
    """
    n_classes = check_int(n_classes, "n_classes")
    y = as_real_array(y, "y")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of integer labels, got shape {y.shape}")
    return _one_hot(as_labels(y, "y", y.shape[0], n_classes), n_classes)


def _probability_targets(P, y):
    P = _class_scores(P, "P")
    _probabilities(P, "P")
    check_probability_rows(P, "P")
    Y = _class_targets(y, *P.shape, scores="P")
    return P, Y if Y.ndim == 2 else _one_hot(Y, P.shape[1], P.dtype)


def cross_entropy(P, y) -> float:
    """Categorical cross-entropy from probabilities.

    .. math:: L = -\\frac{1}{n}\\sum_{i=1}^{n} \\sum_k Y_{ik} \\log P_{ik}
              = -\\frac{1}{n}\\sum_i \\log P_{i, y_i} \\tag{4.3}

    Parameters
    ----------
    P : array, shape (n, k), rows of class probabilities summing to 1 (clipped to [ε, 1 − ε])
    y : int array (n,) of labels in [0, k), or one-hot array (n, k)
    """
    P, Y = _probability_targets(P, y)
    return float(-np.sum(Y * np.log(_clip(P))) / P.shape[0])


def cross_entropy_grad(P, y) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to ``P``: :math:`-Y / (nP)`."""
    P, Y = _probability_targets(P, y)
    return -Y / _clip(P) / P.shape[0]


@reports_overflow
def logsumexp(Z, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """:math:`\\log \\sum_j e^{z_j}` computed as :math:`m + \\log\\sum_j e^{z_j - m}`, :math:`m = \\max_j z_j` (4.8).

    Finite for any finite input (``logsumexp([1000, 1000]) = 1000 + log 2``).
    Returns an array (0-d when ``Z`` is 1-D and ``keepdims`` is False).
    """
    Z = as_float_array(Z, "Z")
    axis = check_axis(axis, Z, "Z")
    keepdims = check_bool(keepdims, "keepdims")
    m, _, s = _act._shifted_exp(Z, axis)
    out = m + np.log(s)
    return out if keepdims else np.squeeze(out, axis=axis)


@reports_overflow
def cross_entropy_with_logits(Z, y) -> float:
    """Softmax cross-entropy computed from logits with log-sum-exp.

    .. math:: L = \\frac{1}{n} \\sum_i \\Big(\\operatorname{logsumexp}(Z_{i,:}) - \\sum_k Y_{ik} Z_{ik}\\Big) \\tag{4.9}

    Parameters
    ----------
    Z : array, shape (n, k), logits (pre-softmax scores)
    y : int array (n,) of labels, or one-hot (n, k)
    """
    Z = _class_scores(Z, "Z")
    value = _softmax_cross_entropy(Z, _class_targets(y, *Z.shape, scores="Z"))[0]
    check_finite_result(value, "the cross-entropy", "Z")
    return value


@reports_overflow
def softmax_cross_entropy_grad(Z, y) -> np.ndarray:
    """The fused softmax + cross-entropy gradient with respect to the logits: :math:`(P - Y)/n` (4.10)."""
    Z = _class_scores(Z, "Z")
    return _softmax_cross_entropy(Z, _class_targets(y, *Z.shape, scores="Z"))[2]


class Loss(NamedTuple):
    """A loss as the network uses it: the output function and value/gradient from the logits."""

    name: str
    output: str  # the output layer's function
    value: Callable  # value(Z_logits, y) -> float
    grad: Callable  # grad(Z_logits, y) -> dL/dZ, shape of Z


#: Losses for :func:`nncourse.loss_and_grads`, each computed from the output layer's pre-activation.
LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", "linear", mse, mse_grad),
    "binary_cross_entropy": Loss("binary_cross_entropy", "sigmoid", binary_cross_entropy_with_logits,
                                 binary_cross_entropy_with_logits_grad),
    "softmax_cross_entropy": Loss("softmax_cross_entropy", "softmax", cross_entropy_with_logits,
                                  softmax_cross_entropy_grad),
}

#: The same losses as kernels without validation, ``(Z, y) -> (loss, output, dL/dZ)``, for the
#: backward pass and the training loop, which validate their targets once.
_KERNELS: dict[str, Callable] = {
    "mse": _mse,
    "binary_cross_entropy": _sigmoid_binary_cross_entropy,
    "softmax_cross_entropy": _softmax_cross_entropy,
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name: ``"mse"``, ``"binary_cross_entropy"``, ``"softmax_cross_entropy"``."""
    return LOSSES[check_choice(name, "loss", tuple(LOSSES))]
