"""Lesson 03 (``03_forward_pass.ipynb``): parameters, initialisation and the forward pass.

A network with layer sizes ``[n_0, n_1, ..., n_L]`` has parameters
``params = [(W1, b1), ..., (WL, bL)]`` with ``Wl`` of shape ``(n_{l-1}, n_l)``
and ``bl`` of shape ``(n_l,)``. With samples in rows the forward pass is

.. math::
    A^{(0)} = X, \\qquad Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}, \\qquad
    A^{(l)} = g(Z^{(l)}) \\;(l < L), \\qquad \\hat Y = g_{out}(Z^{(L)}) \\tag{3.3}

Every step returns ``(output, cache)``: the cache holds what the backward pass
(lesson 05, :mod:`nncourse.backprop`) needs, so nothing is recomputed.

* :func:`dense_forward` → cache ``(X, W)`` (``b`` is not needed for gradients);
* :func:`activation_forward` → cache ``(Z, name)``;
* :func:`forward` → cache: a list with one :class:`LayerCache` per layer.

Hidden layers may apply inverted dropout (lesson 07) while training; the
output layer never does.

Not here: convolutional or recurrent layers, batch normalisation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import activations as _act
from ._validation import as_float_array, as_rng, check_choice, check_int, check_probability

__all__ = ["INITS", "OUTPUTS", "init_weights", "init_params", "dense_forward", "activation_forward",
           "forward", "count_params", "validate_params", "LayerCache"]

#: Weight initialisations and the standard deviation each uses (normal distribution).
INITS = ("zeros", "small", "xavier", "he")
#: Output-layer functions accepted by :func:`forward`.
OUTPUTS = ("linear", "sigmoid", "softmax")
#: Hidden-layer activations accepted by :func:`forward`.
HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu")


def init_weights(n_in: int, n_out: int, *, init: str = "he", rng: np.random.Generator,
                 dtype=np.float64) -> np.ndarray:
    """Initial weights for one dense layer, shape ``(n_in, n_out)``.

    ====== =========================================== ===========================
    init   distribution                                use
    ====== =========================================== ===========================
    zeros  all 0 (every unit identical: symmetry!)     biases; a cautionary tale
    small  :math:`\\mathcal N(0, 0.01^2)`               historical default
    xavier :math:`\\mathcal N(0, 2/(n_{in}+n_{out}))`  tanh, sigmoid (Glorot, 3.6)
    he     :math:`\\mathcal N(0, 2/n_{in})`            ReLU family (He, 3.7)
    ====== =========================================== ===========================

    Parameters
    ----------
    n_in, n_out : int >= 1
    init : {"zeros", "small", "xavier", "he"}
    rng : np.random.Generator
        Passed explicitly: no global random state.
    dtype : float dtype of the result
    """
    n_in, n_out = check_int(n_in, "n_in"), check_int(n_out, "n_out")
    check_choice(init, "init", INITS)
    if init == "zeros":
        return np.zeros((n_in, n_out), dtype=dtype)
    std = {"small": 0.01, "xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}[init]
    return (as_rng(rng).standard_normal((n_in, n_out)) * std).astype(dtype)


def init_params(layer_sizes, *, init: str = "he", seed=0, dtype=np.float64) -> list:
    """Parameters of a fully connected network.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. ``[2, 16, 3]`` (inputs, hidden..., outputs)
    init : {"zeros", "small", "xavier", "he"}
        Weight initialisation (see :func:`init_weights`); biases start at 0.
    seed : int or np.random.Generator
    dtype : float dtype (float64 by default; float32 where speed matters)

    Returns
    -------
    list of (W, b)
        ``W`` shaped ``(n_in, n_out)``, ``b`` shaped ``(n_out,)``.
    """
    sizes = list(layer_sizes) if not isinstance(layer_sizes, (str, bytes)) else None
    if sizes is None or len(sizes) < 2:
        raise ValueError(f"layer_sizes must list at least an input and an output size, got {layer_sizes!r}")
    sizes = [check_int(n, f"layer_sizes[{i}]") for i, n in enumerate(sizes)]
    if np.dtype(dtype).kind != "f":
        raise ValueError(f"dtype must be a float dtype such as np.float64, got {np.dtype(dtype)}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_int(seed, "seed", minimum=0))
    return [(init_weights(n_in, n_out, init=init, rng=rng, dtype=dtype), np.zeros(n_out, dtype=dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def validate_params(params) -> list:
    """Check that ``params`` is a list of ``(W, b)`` with chained shapes; return it as a list."""
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of (W, b) pairs, got {type(params).__name__}")
    out = []
    for i, pair in enumerate(params, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"params[{i - 1}] must be a (W, b) pair, got {type(pair).__name__}")
        W = as_float_array(pair[0], f"W{i}", ndim=2)
        b = as_float_array(pair[1], f"b{i}", ndim=1)
        if b.shape != (W.shape[1],):
            raise ValueError(f"b{i} must have shape ({W.shape[1]},) to match W{i} {W.shape}, got {b.shape}")
        if out and out[-1][0].shape[1] != W.shape[0]:
            raise ValueError(f"W{i} has {W.shape[0]} rows but layer {i - 1} has {out[-1][0].shape[1]} outputs "
                             f"(W{i - 1} {out[-1][0].shape}, W{i} {W.shape})")
        out.append((W, b))
    return out


def count_params(params) -> int:
    """Number of trainable numbers: :math:`\\sum_l n_{l-1} n_l + n_l` (3.4)."""
    return int(sum(W.size + b.size for W, b in validate_params(params)))


def dense_forward(X, W, b):
    """Forward pass of a dense layer, :math:`Z = XW + b` (3.1).

    Parameters
    ----------
    X : array, shape (n_samples, n_in)
    W : array, shape (n_in, n_out)
    b : array, shape (n_out,)

    Returns
    -------
    Z : array, shape (n_samples, n_out)
    cache : tuple (X, W)
        What :func:`nncourse.backprop.dense_backward` needs.
    """
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features but W has {W.shape[0]} rows (X {X.shape}, W {W.shape})")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W {W.shape}, got {b.shape}")
    return X @ W + b, (X, W)


def _apply(name: str, Z: np.ndarray) -> np.ndarray:
    if name == "softmax":
        return _act._softmax(Z, axis=-1)
    return _act._KERNELS[name][0](Z)


def activation_forward(Z, activation: str):
    """Apply an activation by name: :math:`A = g(Z)` (3.2).

    Parameters
    ----------
    Z : array, shape (n_samples, n_units)
    activation : {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"}
        Softmax acts along the last axis (one row per sample).

    Returns
    -------
    A : array, same shape as ``Z``
    cache : tuple (Z, activation)
    """
    Z = as_float_array(Z, "Z")
    check_choice(activation, "activation", tuple(_act.ACTIVATIONS) + ("softmax",))
    if activation == "softmax" and Z.ndim == 0:
        raise ValueError("softmax needs at least one axis, got a scalar Z")
    return _apply(activation, Z), (Z, activation)


class LayerCache(NamedTuple):
    """What one layer of :func:`forward` remembers for the backward pass."""

    dense: tuple  # (A_prev, W) from dense_forward
    activation: tuple  # (Z, name) from activation_forward
    dropout: np.ndarray | None  # the scaled keep-mask, or None when dropout was off


def forward(params, X, *, activation: str = "relu", output: str = "softmax", drop_prob: float = 0.0,
            rng: np.random.Generator | None = None, training: bool = False):
    """The forward pass of a fully connected network (3.3).

    Parameters
    ----------
    params : list of (W, b), as from :func:`init_params`
    X : array, shape (n_samples, n_0)
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
        Used in every hidden layer.
    output : {"linear", "sigmoid", "softmax"}
        The output layer's function.
    drop_prob : float in [0, 1)
        Inverted dropout on hidden activations, applied only when ``training``
        (lesson 07); needs ``rng``.
    rng : np.random.Generator, optional
    training : bool

    Returns
    -------
    output : array, shape (n_samples, n_L)
    cache : list of LayerCache, one per layer; ``cache[-1].activation[0]`` is
        the output layer's pre-activation (the logits).
    """
    params = validate_params(params)
    X = as_float_array(X, "X", ndim=2)
    check_choice(activation, "activation", HIDDEN)
    check_choice(output, "output", OUTPUTS)
    drop_prob = check_probability(drop_prob, "drop_prob")
    dropping = training and drop_prob > 0.0
    if dropping:
        as_rng(rng)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per sample but the network expects "
                         f"{params[0][0].shape[0]} (X {X.shape}, W1 {params[0][0].shape})")
    return _forward(params, X, activation, output, drop_prob if dropping else 0.0, rng)


def _forward(params, X, activation, output, drop_prob, rng):
    """:func:`forward` without validation (the training loop validates once)."""
    cache = []
    A = X
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        Z = A @ W
        Z += b
        name = output if layer == last else activation
        A_prev = A
        A = _apply(name, Z)
        mask = None
        if drop_prob > 0.0 and layer != last:
            mask = (rng.random(A.shape) >= drop_prob).astype(A.dtype) / A.dtype.type(1.0 - drop_prob)
            A = A * mask
        cache.append(LayerCache((A_prev, W), (Z, name), mask))
    return A, cache
