"""Lesson 07 (``07_regularization.ipynb``): penalties, dropout, early stopping, data splits.

The regularised loss of the course (``COURSE.md``) is

.. math:: L_{reg} = L_{data} + \\frac{\\lambda_2}{2} \\sum_l \\lVert W^{(l)}\\rVert_F^2
          + \\lambda_1 \\sum_l \\sum_{ij} |W^{(l)}_{ij}| \\tag{7.1}

over **weight matrices only** (biases are not penalised), so that the gradient
of the L2 term is :math:`\\lambda_2 W` (7.2) — "weight decay" — and the L1
subgradient is :math:`\\lambda_1 \\operatorname{sign}(W)` with ``sign(0) = 0`` (7.3).
In code the strengths are called ``l2`` and ``l1``.

Dropout is *inverted* and parameterised by ``drop_prob``, the probability of
dropping a unit: in training, kept units are multiplied by
:math:`1/(1 - p_{drop})` so that the expected activation is unchanged; at
evaluation dropout is the identity. The backward pass reuses the same mask.

Not here: batch normalisation, data augmentation, max-norm constraints.
"""

from __future__ import annotations

import copy

import numpy as np

from ._validation import (as_float_array, as_rng, check_int, check_positive, check_probability)

__all__ = ["l2_penalty", "l2_grad", "l1_penalty", "l1_grad", "dropout_forward", "dropout_backward",
           "EarlyStopping", "train_val_test_split"]


def _weights(params):
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of (W, b) pairs, got {type(params).__name__}")
    out = []
    for i, pair in enumerate(params, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"params[{i - 1}] must be a (W, b) pair, got {type(pair).__name__}")
        out.append(as_float_array(pair[0], f"W{i}", ndim=2))
    return out


def l2_penalty(params, l2: float) -> float:
    """L2 penalty :math:`\\frac{\\lambda_2}{2}\\sum_l \\lVert W^{(l)}\\rVert_F^2` over the weights (7.1).

    Parameters
    ----------
    params : list of (W, b); biases are ignored
    l2 : float >= 0, the strength :math:`\\lambda_2`
    """
    l2 = check_positive(l2, "l2", allow_zero=True)
    return float(0.5 * l2 * sum(np.sum(W * W) for W in _weights(params)))


def l2_grad(W, l2: float) -> np.ndarray:
    """Gradient of the L2 penalty with respect to one weight matrix: :math:`\\lambda_2 W` (7.2)."""
    l2 = check_positive(l2, "l2", allow_zero=True)
    return l2 * as_float_array(W, "W")


def l1_penalty(params, l1: float) -> float:
    """L1 penalty :math:`\\lambda_1\\sum_l\\sum_{ij} |W^{(l)}_{ij}|` over the weights (7.1)."""
    l1 = check_positive(l1, "l1", allow_zero=True)
    return float(l1 * sum(np.sum(np.abs(W)) for W in _weights(params)))


def l1_grad(W, l1: float) -> np.ndarray:
    """Subgradient of the L1 penalty: :math:`\\lambda_1 \\operatorname{sign}(W)`, with sign(0) = 0 (7.3)."""
    l1 = check_positive(l1, "l1", allow_zero=True)
    return l1 * np.sign(as_float_array(W, "W"))


def dropout_forward(A, drop_prob: float, *, rng: np.random.Generator | None = None, training: bool = True):
    """Inverted dropout (7.4).

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
    if not training or drop_prob == 0.0:
        return A.copy(), None
    rng = as_rng(rng)
    mask = (rng.random(A.shape) >= drop_prob).astype(A.dtype) / A.dtype.type(1.0 - drop_prob)
    return A * mask, mask


def dropout_backward(dout, cache) -> np.ndarray:
    """Gradient through dropout: the same mask, :math:`\\partial L/\\partial A = M \\odot \\partial L/\\partial \\tilde A` (7.5)."""
    dout = as_float_array(dout, "dout")
    if cache is None:
        return dout.copy()
    mask = as_float_array(cache, "cache")
    if mask.shape != dout.shape:
        raise ValueError(f"dout has shape {dout.shape} but the dropout mask has shape {mask.shape}")
    return dout * mask


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    Call :meth:`update` once per epoch; it keeps a copy of the parameters of
    the best epoch so far (:attr:`best_params`), which training restores at
    the end (7.6).

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
        self.best_loss = np.inf
        self.best_epoch = -1
        self.best_params = None
        self.bad_epochs = 0

    def update(self, epoch: int, val_loss: float, params) -> bool:
        """Record epoch ``epoch``'s validation loss; return True when training should stop."""
        val_loss = float(val_loss)
        if not np.isfinite(val_loss):
            raise ValueError(f"val_loss must be finite, got {val_loss} (did training diverge? lower the learning rate)")
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, int(epoch), 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def train_val_test_split(X, y, *, val_fraction: float = 0.15, test_fraction: float = 0.15, seed=0,
                         stratify: bool = True):
    """Split data into training, validation and test sets (7.7).

    The test set is touched once, at the very end; the validation set chooses
    hyper-parameters and the early-stopping epoch.

    Parameters
    ----------
    X : array, shape (n_samples, ...)
    y : array, shape (n_samples,) or (n_samples, k)
    val_fraction, test_fraction : float, each in [0, 1), sum < 1
    seed : int or np.random.Generator
    stratify : bool
        Keep class proportions in every part (for integer labels ``y`` of shape (n,)).

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of samples (rows), got {X.shape} and {y.shape}")
    val_fraction = check_probability(val_fraction, "val_fraction")
    test_fraction = check_probability(test_fraction, "test_fraction")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"val_fraction + test_fraction must be < 1, got {val_fraction + test_fraction}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_int(seed, "seed", minimum=0))
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
