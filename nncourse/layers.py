"""Lesson 03 (``03a_forward_pass.ipynb``, ``03b_initialisation.ipynb``): parameters, initialisation and the
forward pass.

A network with layer sizes ``[n_0, n_1, ..., n_L]`` has parameters
``params = [(W1, b1), ..., (WL, bL)]`` with ``Wl`` of shape ``(n_{l-1}, n_l)``
and ``bl`` of shape ``(n_l,)``. With samples in rows the forward pass is

.. math::
    A^{(0)} = X, \\qquad Z^{(l)} = A^{(l-1)} W^{(l)} + b^{(l)}, \\qquad
    A^{(l)} = g(Z^{(l)}) \\;(l < L), \\qquad \\hat Y = g_{out}(Z^{(L)}) \\tag{3.3}

The forward/backward contract (the one every layer of the course follows)
-------------------------------------------------------------------------
Every step of a network is a pair of plain functions, as in CS231n's ``layers.py``::

    out, cache = <step>_forward(inputs...)       # this module and nncourse.regularization
    grads = <step>_backward(dout, cache)         # nncourse.backprop and nncourse.regularization

``dout`` is the gradient of the loss with respect to ``out`` (same shape); the
backward returns the gradient with respect to each input of the forward, **in
the forward's input order** (a single array when there is one input). The
cache holds exactly what the backward needs, so nothing is recomputed:

* ``dense_forward(X, W, b) -> (Z, cache)`` with cache ``(X, W)`` (``b`` is
  not needed); ``backprop.dense_backward(dZ, cache) -> (dX, dW, db)``.
* ``activation_forward(Z, name) -> (A, cache)`` with cache ``(Z, name)``;
  ``backprop.activation_backward(dA, cache) -> dZ``.
* ``regularization.dropout_forward(A, drop_prob, rng=, training=) -> (out, cache)``
  with cache the scaled mask ``M`` (``None`` when nothing was dropped);
  ``regularization.dropout_backward(dout, cache) -> dA``.
* ``forward(params, X, ...) -> (output, cache)`` with cache a list of
  :class:`LayerCache` ``(dense, activation, dropout)``, one per layer, holding
  the three caches above; ``backprop.backward(dZ_out, cache) -> [(dW1, db1), ...]``
  from the gradient with respect to the logits.

A layer of :func:`forward` is the chain dense → activation → dropout (hidden
layers only), and its backward is the reverse chain; the network is the chain
of its layers. The public functions validate their arguments and call
unvalidated kernels (``_dense_forward``, ``_activation_forward``, ...); the
composites :func:`forward`, :func:`nncourse.backprop.backward`,
:func:`nncourse.loss_and_grads` and :func:`nncourse.train` call the same
kernels, so each formula is written once.

Hidden layers may apply inverted dropout (lesson 07) while training; the
output layer never does.

Not here: convolutional or recurrent layers, batch normalisation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import activations as _act
from . import linalg as _linalg
from . import regularization as _reg
from ._validation import (as_float_array, as_generator, as_params, check_axis, check_bias, check_bool, check_choice,
                          check_finite_result, check_float_dtype, check_int, check_probability, check_product,
                          reports_overflow, rng_from_seed)

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
    dtype : np.float64 (default) or np.float32
    """
    n_in, n_out = check_int(n_in, "n_in"), check_int(n_out, "n_out")
    check_choice(init, "init", INITS)
    dtype = check_float_dtype(dtype)
    rng = as_generator(rng)
    if init == "zeros":
        return np.zeros((n_in, n_out), dtype=dtype)
    std = {"small": 0.01, "xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}[init]
    return (rng.standard_normal((n_in, n_out)) * std).astype(dtype)


def init_params(layer_sizes, *, init: str = "he", seed=0, dtype=np.float64) -> list:
    """Parameters of a fully connected network.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. ``[2, 16, 3]`` (inputs, hidden..., outputs)
    init : {"zeros", "small", "xavier", "he"}
        Weight initialisation (see :func:`init_weights`); biases start at 0.
    seed : int >= 0 or np.random.Generator
    dtype : np.float64 (default) or np.float32 (where speed matters)

    Returns
    -------
    list of (W, b)
        ``W`` shaped ``(n_in, n_out)``, ``b`` shaped ``(n_out,)``.
    """
    if isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 1:
        layer_sizes = layer_sizes.tolist()
    if not isinstance(layer_sizes, (list, tuple)):
        raise TypeError(f"layer_sizes must be a list of integers such as [64, 32, 10], got {type(layer_sizes).__name__}")
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes must list at least an input and an output size, got {layer_sizes!r}")
    sizes = [check_int(n, f"layer_sizes[{i}]") for i, n in enumerate(sizes)]
    check_choice(init, "init", INITS)
    dtype = check_float_dtype(dtype)
    rng = rng_from_seed(seed)
    return [(init_weights(n_in, n_out, init=init, rng=rng, dtype=dtype), np.zeros(n_out, dtype=dtype))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def validate_params(params) -> list:
    """Check that ``params`` is a list of ``(W, b)`` with chained shapes; return it as a list of float arrays."""
    return as_params(params)


def count_params(params) -> int:
    """Number of trainable numbers: :math:`\\sum_l n_{l-1} n_l + n_l` (3.4)."""
    return int(sum(W.size + b.size for W, b in as_params(params)))


def _dense_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray):
    return _linalg._affine(X, W, b), (X, W)


@reports_overflow
def dense_forward(X, W, b):
    """Forward pass of a dense layer, :math:`Z = XW + b` (3.1).

    The affine map of lesson 01 (:func:`nncourse.linalg.affine`, the same kernel), with its cache.

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
    check_product(X, W, "X", "W")
    check_bias(b, W, "b", "W")
    Z, cache = _dense_forward(X, W, b)
    check_finite_result(Z, "X @ W + b", "X, W and b")
    return Z, cache


#: What :func:`activation_forward` accepts: the element-wise activations and softmax.
ACTIVATION_NAMES = tuple(_act.ACTIVATIONS) + ("softmax",)


def _activation_forward(Z: np.ndarray, name: str):
    A = _act._softmax(Z, axis=-1) if name == "softmax" else _act._KERNELS[name][0](Z)
    return A, (Z, name)


@reports_overflow
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
    check_choice(activation, "activation", ACTIVATION_NAMES)
    if activation == "softmax":
        check_axis(-1, Z, "Z")
    return _activation_forward(Z, activation)


class LayerCache(NamedTuple):
    """What one layer of :func:`forward` remembers for the backward pass: the caches of its three steps."""

    dense: tuple  # (A_prev, W) from dense_forward
    activation: tuple  # (Z, name) from activation_forward
    dropout: np.ndarray | None  # the scaled keep-mask from dropout_forward, or None when dropout was off


@reports_overflow
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
    params = as_params(params)
    X = as_float_array(X, "X", ndim=2)
    check_choice(activation, "activation", HIDDEN)
    check_choice(output, "output", OUTPUTS)
    drop_prob = check_probability(drop_prob, "drop_prob")
    dropping = check_bool(training, "training") and drop_prob > 0.0
    if dropping or rng is not None:
        as_generator(rng)
    check_product(X, params[0][0], "X", "W1")
    out, cache = _forward(params, X, activation, output, drop_prob if dropping else 0.0, rng)
    _check_pre_activations(cache)
    return out, cache


def _check_pre_activations(cache) -> None:
    """Every layer's Z must be finite: an overflow in a hidden layer can hide behind a saturated tanh."""
    for layer, entry in enumerate(cache, start=1):
        check_finite_result(entry.activation[0], f"Z{layer}, the pre-activation of layer {layer},", "X and params")


def _forward(params, X, activation, output, drop_prob, rng):
    """:func:`forward` without validation: each layer chains dense → activation → dropout (hidden layers)."""
    cache = []
    A = X
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        Z, dense_cache = _dense_forward(A, W, b)
        A, activation_cache = _activation_forward(Z, output if layer == last else activation)
        mask = None
        if drop_prob > 0.0 and layer != last:
            A, mask = _reg._dropout_forward(A, drop_prob, rng)
        cache.append(LayerCache(dense_cache, activation_cache, mask))
    return A, cache
