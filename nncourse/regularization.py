"""Lesson 07 (``07a_overfitting_and_l2.ipynb``: data splits, the L2 penalty;
``07b_l1_dropout_early_stopping.ipynb``: the L1 penalty, dropout, early stopping).

The regularised loss of the course (the README's "Notation" section) is

.. math:: L_{reg} = L_{data} + \\frac{\\lambda_2}{2} \\sum_l \\lVert W^{(l)}\\rVert_F^2
          + \\lambda_1 \\sum_l \\sum_{ij} |W^{(l)}_{ij}| \\tag{7.2}

over **weight matrices only** (biases are not penalised), so that the gradient
of the L2 term is :math:`\\lambda_2 W` (7.3) — "weight decay" — and the L1
subgradient is :math:`\\lambda_1 \\operatorname{sign}(W)` with ``sign(0) = 0`` (7.4).
In code the strengths are called ``l2`` and ``l1``.

Dropout is *inverted* and parameterised by ``drop_prob``, the probability of
dropping a unit: in training, kept units are multiplied by
:math:`1/(1 - p_{drop})` so that the expected activation is unchanged; at
evaluation dropout is the identity. The backward pass reuses the same mask.
:func:`dropout_forward`/:func:`dropout_backward` follow the forward/backward
contract of :mod:`nncourse.layers` (the cache is the scaled mask), and
:func:`nncourse.layers.forward` calls the same kernel for its hidden layers.

The penalties and their gradients are written once here, as kernels that
:func:`nncourse.loss_and_grads`, :func:`nncourse.train` and the public
functions below all call.

Not here: batch normalisation, data augmentation, max-norm constraints.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np

from ._validation import (as_float_array, as_generator, as_params, as_real_array, check_bool, check_finite_result,
                          check_int, check_positive, check_probability, reports_overflow, rng_from_seed)

__all__ = ["l2_penalty", "l2_grad", "l1_penalty", "l1_grad", "dropout_forward", "dropout_backward",
           "EarlyStopping", "train_val_test_split"]


# --- kernels without validation: the penalty (7.2), its gradients (7.3)-(7.4), the dropout mask (7.6) ---

def _l2_penalty(params, l2: float) -> float:
    return float(0.5 * l2 * sum(np.sum(W * W) for W, _ in params))


def _l1_penalty(params, l1: float) -> float:
    return float(l1 * sum(np.sum(np.abs(W)) for W, _ in params))


def _penalty(params, l2: float, l1: float) -> float:
    """The whole penalty of (7.2); 0.0 without computing anything when both strengths are 0."""
    value = 0.0
    if l2:
        value += _l2_penalty(params, l2)
    if l1:
        value += _l1_penalty(params, l1)
    return value


def _l2_grad(W: np.ndarray, l2: float) -> np.ndarray:
    return l2 * W


def _l1_grad(W: np.ndarray, l1: float) -> np.ndarray:
    return l1 * np.sign(W)


def _add_penalty_grads(params, grads, l2: float, l1: float) -> None:
    """Add (7.3) and (7.4) to each ``dW`` in place (biases are not penalised)."""
    for (W, _), (dW, _) in zip(params, grads):
        if l2:
            dW += _l2_grad(W, l2)
        if l1:
            dW += _l1_grad(W, l1)


def _dropout_forward(A: np.ndarray, drop_prob: float, rng: np.random.Generator):
    # A unit is kept where the uniform draw u >= drop_prob (probability 1 - drop_prob); kept
    # units are scaled by 1 / (1 - drop_prob) in the mask itself, so the backward reuses it as is.
    mask = (rng.random(A.shape) >= drop_prob).astype(A.dtype) / A.dtype.type(1.0 - drop_prob)
    return A * mask, mask


def _dropout_backward(dout: np.ndarray, mask: np.ndarray | None, *, out: np.ndarray | None = None) -> np.ndarray:
    """(7.7): the same mask; ``out`` may be ``dout`` itself (in place)."""
    if mask is None:
        return dout.copy() if out is None else dout
    return np.multiply(dout, mask, out=out)


# --- public functions ---

@reports_overflow
def l2_penalty(params, l2: float) -> float:
    """L2 penalty :math:`\\frac{\\lambda_2}{2}\\sum_l \\lVert W^{(l)}\\rVert_F^2` over the weights (7.2).

    Parameters
    ----------
    params : list of (W, b); biases are ignored (but must fit their weights)
    l2 : float >= 0, the strength :math:`\\lambda_2`
    """
    params, l2 = as_params(params), check_positive(l2, "l2", allow_zero=True)
    value = _l2_penalty(params, l2)
    check_finite_result(value, "the L2 penalty", "params and l2")
    return value


@reports_overflow
def l2_grad(W, l2: float) -> np.ndarray:
    """Gradient of the L2 penalty with respect to one weight matrix: :math:`\\lambda_2 W` (7.3)."""
    out = _l2_grad(as_float_array(W, "W"), check_positive(l2, "l2", allow_zero=True))
    check_finite_result(out, "l2 * W", "W and l2")
    return out


@reports_overflow
def l1_penalty(params, l1: float) -> float:
    """L1 penalty :math:`\\lambda_1\\sum_l\\sum_{ij} |W^{(l)}_{ij}|` over the weights (7.2)."""
    params, l1 = as_params(params), check_positive(l1, "l1", allow_zero=True)
    value = _l1_penalty(params, l1)
    check_finite_result(value, "the L1 penalty", "params and l1")
    return value


def l1_grad(W, l1: float) -> np.ndarray:
    """Subgradient of the L1 penalty: :math:`\\lambda_1 \\operatorname{sign}(W)`, with sign(0) = 0 (7.4)."""
    return _l1_grad(as_float_array(W, "W"), check_positive(l1, "l1", allow_zero=True))


@reports_overflow
def dropout_forward(A, drop_prob: float, *, rng: np.random.Generator | None = None, training: bool = True):
    """Inverted dropout (7.6).

    .. math:: \\tilde A = A \\odot M, \\quad
              M_{ij} = \\begin{cases} 1/(1 - p_{drop}) & \\text{with probability } 1 - p_{drop}\\\\
                                       0 & \\text{otherwise}\\end{cases}

    Parameters
    ----------
    A : array of activations, any shape
    drop_prob : float in [0, 1), probability of dropping each unit
    rng : np.random.Generator, required when training with ``drop_prob > 0``
    training : bool; at evaluation (False) the output is ``A`` unchanged

    Returns
    -------
    out : array, same shape as ``A`` (a new array)
    cache : the scaled mask ``M`` (None when nothing was dropped)
    """
    A = as_float_array(A, "A")
    drop_prob = check_probability(drop_prob, "drop_prob")
    training = check_bool(training, "training")
    if rng is not None or (training and drop_prob > 0.0):
        as_generator(rng)
    if not training or drop_prob == 0.0:
        return A.copy(), None
    out, mask = _dropout_forward(A, drop_prob, rng)
    check_finite_result(out, "A / (1 - drop_prob)", "A")
    return out, mask


@reports_overflow
def dropout_backward(dout, cache) -> np.ndarray:
    """Gradient through dropout: the same mask, :math:`\\partial L/\\partial A = M \\odot \\partial L/\\partial \\tilde A` (7.7).

    Parameters
    ----------
    dout : array, the upstream gradient, shaped like ``A``
    cache : the mask from :func:`dropout_forward` (``None`` when nothing was dropped)

    Returns
    -------
    dA : array, same shape as ``dout`` (a new array)
    """
    dout = as_float_array(dout, "dout")
    if cache is not None:
        cache = as_float_array(cache, "cache")
        if cache.shape != dout.shape:
            raise ValueError(f"dout has shape {dout.shape} but the dropout mask (cache) has shape {cache.shape}")
        if np.any(cache < 0):
            raise ValueError("cache must be the dropout mask from dropout_forward (0 or 1 / (1 - drop_prob)), "
                             "got negative entries")
    out = _dropout_backward(dout, cache)
    check_finite_result(out, "dout * mask", "dout and cache")
    return out


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    Call :meth:`update` once per epoch; it keeps a copy of the parameters of
    the best epoch so far (:attr:`best_params`), which training restores at
    the end (7.8).

    One object watches one training run: it remembers the parameter arrays it
    was first given and refuses others (a second network would otherwise get
    the first one's best parameters back). :meth:`reset` starts afresh;
    :func:`nncourse.train` calls it at the start of every run.

    Parameters
    ----------
    patience : int >= 1
        Epochs without improvement tolerated before stopping.
    min_delta : float >= 0
        An improvement must lower the best loss by more than this.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0):
        self.patience = check_int(patience, "patience")
        self.min_delta = check_positive(min_delta, "min_delta", allow_zero=True)
        self.reset()

    def reset(self) -> None:
        """Forget the run so far: no best loss, no saved parameters, no arrays watched."""
        self.best_loss = np.inf
        self.best_epoch = -1
        self.best_params = None
        self.bad_epochs = 0
        self._watched: list | None = None

    def update(self, epoch: int, val_loss: float, params) -> bool:
        """Record epoch ``epoch``'s validation loss; return True when training should stop.

        Parameters
        ----------
        epoch : int >= 0
        val_loss : float, finite
        params : list of (W, b), the arrays being trained (the same arrays every epoch)
        """
        epoch = check_int(epoch, "epoch", minimum=0)
        if isinstance(val_loss, (bool, np.bool_)) or not isinstance(val_loss, numbers.Real):
            raise TypeError(f"val_loss must be a real number, got {type(val_loss).__name__}")
        val_loss = float(val_loss)
        if not np.isfinite(val_loss):
            raise ValueError(f"val_loss must be finite, got {val_loss} (did training diverge? lower the learning rate)")
        as_params(params)
        arrays = [array for pair in params for array in pair]
        if self._watched is None:
            self._watched = arrays
        elif len(arrays) != len(self._watched) or any(a is not b for a, b in zip(arrays, self._watched)):
            raise ValueError("params are not the arrays this EarlyStopping has been watching (a different network "
                             "or a copy): call .reset() before a new training run, or make a new EarlyStopping")
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def train_val_test_split(X, y, *, val_fraction: float = 0.15, test_fraction: float = 0.15, seed=0,
                         stratify: bool = True):
    """Split data into training, validation and test sets (7.1).

    The test set is touched once, at the very end; the validation set chooses
    hyper-parameters and the early-stopping epoch.

    Parameters
    ----------
    X : array, shape (n_samples, ...)
    y : array, shape (n_samples,) or (n_samples, k)
    val_fraction, test_fraction : float, each in [0, 1), sum < 1
    seed : int >= 0 or np.random.Generator
    stratify : bool
        Keep class proportions in every part (for integer labels ``y`` of shape (n,)).

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
    """
    X = as_real_array(X, "X")
    y = as_real_array(y, "y")
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples (rows), got {X.shape} and {y.shape}")
    val_fraction = check_probability(val_fraction, "val_fraction")
    test_fraction = check_probability(test_fraction, "test_fraction")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"val_fraction + test_fraction must be < 1, got {val_fraction + test_fraction}")
    stratify = check_bool(stratify, "stratify")
    rng = rng_from_seed(seed)
    n = X.shape[0]
    if stratify and y.ndim == 1 and y.dtype.kind in "iu":
        groups = [np.flatnonzero(y == c) for c in np.unique(y)]
    else:
        groups = [np.arange(n)]
    parts = ([], [], [])
    for idx in groups:
        idx = rng.permutation(idx)
        n_test = int(round(test_fraction * idx.size))
        n_val = int(round(val_fraction * idx.size))
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test:n_test + n_val])
        parts[0].append(idx[n_test + n_val:])
    out = []
    for chunks in parts:
        idx = rng.permutation(np.concatenate(chunks))
        out.append((X[idx], y[idx]))
    if out[0][0].shape[0] == 0:
        raise ValueError(f"the training set would be empty with {n} samples; use smaller fractions")
    return tuple(out)
