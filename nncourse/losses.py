"""Lesson 04 (``04_loss.ipynb``): loss functions and their gradients.

Every loss is a **mean** (``reduction="mean"``, the course's one convention):

* MSE is the mean of :math:`(\\hat y - y)^2` over *every entry*, without a ½
  (as PyTorch's ``MSELoss``; textbooks that write ½ get a gradient without the 2);
* binary cross-entropy is the mean over every entry (one per sample for a
  single output);
* categorical cross-entropy is the mean over samples.

Gradients are with respect to the loss's first argument and include the
``1/n`` of the mean. Targets must have exactly the prediction's shape (or, for
categorical losses, be integer labels of shape ``(n,)``): a ``(n,)`` target
against a ``(n, 1)`` prediction is an error, never an ``(n, n)`` broadcast.

Losses from probabilities clip them to :math:`[\\varepsilon, 1-\\varepsilon]`
(machine epsilon of the dtype) so that a confident wrong answer costs a large
finite amount instead of ``inf``. The ``*_with_logits`` versions take
pre-activations and need no clipping: they use log-sum-exp (4.8) and
``log1p(exp(-|z|))`` and are exact for any finite input. Their gradients are
the fused ones the backward pass uses: :math:`(P - Y)/n` and
:math:`(\\sigma(z) - y)/n`.

Not here: class weights, label smoothing, hinge or Huber losses.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import activations as _act
from ._validation import as_float_array, as_labels, check_int, check_same_shape

__all__ = ["mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
           "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad", "cross_entropy",
           "cross_entropy_grad", "logsumexp", "cross_entropy_with_logits", "softmax_cross_entropy_grad",
           "one_hot", "Loss", "LOSSES", "get_loss"]


def _pair(pred, target, pred_name: str, target_name: str):
    pred = as_float_array(pred, pred_name)
    target = as_float_array(target, target_name)
    check_same_shape(pred, target, pred_name, target_name)
    if pred.size == 0:
        raise ValueError(f"{pred_name} is empty; a loss needs at least one sample")
    return pred, target


def mse(y_pred, y) -> float:
    """Mean squared error over every entry.

    .. math:: L = \\frac{1}{N} \\sum_{i} (\\hat y_i - y_i)^2, \\quad N = \\text{number of entries} \\tag{4.1}

    Parameters
    ----------
    y_pred, y : arrays of the same shape, e.g. (n_samples, n_outputs)
    """
    y_pred, y = _pair(y_pred, y, "y_pred", "y")
    diff = y_pred - y
    return float(np.mean(diff * diff))


def mse_grad(y_pred, y) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``y_pred``: :math:`2(\\hat y - y)/N` (4.2)."""
    y_pred, y = _pair(y_pred, y, "y_pred", "y")
    return 2.0 * (y_pred - y) / y_pred.size


def _check_binary_targets(y: np.ndarray) -> None:
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold targets in [0, 1] (class labels 0/1), got values outside that range")


def _clip(p: np.ndarray) -> np.ndarray:
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1.0 - eps)


def binary_cross_entropy(p, y) -> float:
    """Binary cross-entropy from probabilities.

    .. math:: L = -\\frac{1}{N} \\sum_i \\big[y_i \\log p_i + (1 - y_i) \\log(1 - p_i)\\big] \\tag{4.4}

    Parameters
    ----------
    p : array, probabilities in [0, 1] (clipped to [ε, 1 − ε])
    y : array, same shape, targets in [0, 1]
    """
    p, y = _pair(p, y, "p", "y")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]; for raw scores use binary_cross_entropy_with_logits")
    _check_binary_targets(y)
    p = _clip(p)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def binary_cross_entropy_grad(p, y) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``.

    .. math:: \\frac{\\partial L}{\\partial p_i} = \\frac{1}{N}\\,\\frac{p_i - y_i}{p_i (1 - p_i)} \\tag{4.5}
    """
    p, y = _pair(p, y, "p", "y")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p must hold probabilities in [0, 1]")
    _check_binary_targets(y)
    p = _clip(p)
    return (p - y) / (p * (1.0 - p)) / p.size


def binary_cross_entropy_with_logits(z, y) -> float:
    """Binary cross-entropy of :math:`\\sigma(z)`, computed from the logits ``z``.

    .. math:: L = \\frac{1}{N}\\sum_i \\big[\\max(z_i, 0) - z_i y_i + \\log(1 + e^{-|z_i|})\\big] \\tag{4.6}

    Equal to ``binary_cross_entropy(sigmoid(z), y)`` but exact and finite for
    any finite ``z``.
    """
    z, y = _pair(z, y, "z", "y")
    _check_binary_targets(y)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_with_logits_grad(z, y) -> np.ndarray:
    """The fused sigmoid + binary cross-entropy gradient: :math:`(\\sigma(z) - y)/N` (4.7)."""
    z, y = _pair(z, y, "z", "y")
    _check_binary_targets(y)
    return (_act._sigmoid(z) - y) / z.size


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
    if np.ndim(y) != 1:
        raise ValueError(f"y must be a 1-D array of integer labels, got shape {np.shape(y)}")
    labels = as_labels(y, "y", np.shape(y)[0], n_classes)
    out = np.zeros((labels.shape[0], n_classes))
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def _class_targets(y, n: int, k: int, dtype) -> np.ndarray:
    """Targets as an (n, k) matrix from integer labels (n,) or one-hot/probabilities (n, k)."""
    y_arr = np.asarray(y)
    if y_arr.ndim == 1:
        labels = as_labels(y_arr, "y", n, k)
        Y = np.zeros((n, k), dtype=dtype)
        Y[np.arange(n), labels] = 1
        return Y
    if y_arr.ndim == 2:
        Y = as_float_array(y_arr, "y")
        if Y.shape != (n, k):
            raise ValueError(f"one-hot y must have shape ({n}, {k}) like the predictions, got {Y.shape}")
        if np.any((Y < 0) | (Y > 1)) or not np.allclose(Y.sum(axis=1), 1.0):
            raise ValueError("one-hot y must have entries in [0, 1] and rows that sum to 1")
        return Y
    raise ValueError(f"y must be integer labels of shape ({n},) or one-hot of shape ({n}, {k}), got shape {y_arr.shape}")


def _class_scores(P, name: str) -> np.ndarray:
    P = as_float_array(P, name, ndim=2)
    if P.shape[0] == 0:
        raise ValueError(f"{name} is empty; a loss needs at least one sample")
    return P


def cross_entropy(P, y) -> float:
    """Categorical cross-entropy from probabilities.

    .. math:: L = -\\frac{1}{n}\\sum_{i=1}^{n} \\sum_k Y_{ik} \\log P_{ik}
              = -\\frac{1}{n}\\sum_i \\log P_{i, y_i} \\tag{4.3}

    Parameters
    ----------
    P : array, shape (n, k), rows of class probabilities (clipped to [ε, 1 − ε])
    y : int array (n,) of labels in [0, k), or one-hot array (n, k)
    """
    P = _class_scores(P, "P")
    if np.any((P < 0) | (P > 1)):
        raise ValueError("P must hold probabilities in [0, 1]; for raw scores use cross_entropy_with_logits")
    Y = _class_targets(y, *P.shape, P.dtype)
    return float(-np.sum(Y * np.log(_clip(P))) / P.shape[0])


def cross_entropy_grad(P, y) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to ``P``: :math:`-Y / (nP)`."""
    P = _class_scores(P, "P")
    if np.any((P < 0) | (P > 1)):
        raise ValueError("P must hold probabilities in [0, 1]")
    Y = _class_targets(y, *P.shape, P.dtype)
    return -Y / _clip(P) / P.shape[0]


def logsumexp(Z, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """:math:`\\log \\sum_j e^{z_j}` computed as :math:`m + \\log\\sum_j e^{z_j - m}`, :math:`m = \\max_j z_j` (4.8).

    Finite for any finite input (``logsumexp([1000, 1000]) = 1000 + log 2``).
    Returns an array (0-d when ``Z`` is 1-D and ``keepdims`` is False).
    """
    Z = as_float_array(Z, "Z")
    if Z.ndim == 0:
        raise ValueError("Z must have at least one axis, got a scalar")
    if not -Z.ndim <= axis < Z.ndim:
        raise ValueError(f"axis {axis} is out of range for Z of shape {Z.shape}")
    m = np.max(Z, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(Z - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def cross_entropy_with_logits(Z, y) -> float:
    """Softmax cross-entropy computed from logits with log-sum-exp.

    .. math:: L = \\frac{1}{n} \\sum_i \\Big(\\operatorname{logsumexp}(Z_{i,:}) - \\sum_k Y_{ik} Z_{ik}\\Big) \\tag{4.9}

    Parameters
    ----------
    Z : array, shape (n, k), logits (pre-softmax scores)
    y : int array (n,) of labels, or one-hot (n, k)
    """
    Z = _class_scores(Z, "Z")
    Y = _class_targets(y, *Z.shape, Z.dtype)
    m = np.max(Z, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(Z - m), axis=1))
    return float(np.mean(lse - np.sum(Y * Z, axis=1)))


def softmax_cross_entropy_grad(Z, y) -> np.ndarray:
    """The fused softmax + cross-entropy gradient with respect to the logits: :math:`(P - Y)/n` (4.10)."""
    Z = _class_scores(Z, "Z")
    Y = _class_targets(y, *Z.shape, Z.dtype)
    return (_act._softmax(Z) - Y) / Z.shape[0]


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


def get_loss(name: str) -> Loss:
    """Look up a loss by name: ``"mse"``, ``"binary_cross_entropy"``, ``"softmax_cross_entropy"``."""
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(map(repr, LOSSES))}")
    return LOSSES[name]
