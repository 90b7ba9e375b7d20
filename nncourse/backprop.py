"""Lesson 05, parts 1 and 2 (``05a_computational_graphs.ipynb``, ``05b_backward_pass.ipynb``): the backward pass.

Each backward function is the chain rule for one step of the forward pass:
it takes the upstream gradient (the gradient of the loss with respect to the
step's output) and that step's cache, and returns the gradient with respect to
each input, in input order. A gradient always has its parameter's shape.

For a dense layer :math:`Z = XW + b` with upstream :math:`dZ = \\partial L/\\partial Z`:

.. math::
    dX = dZ\\,W^\\top, \\qquad dW = X^\\top dZ, \\qquad db = \\sum_{i} dZ_{i,:} \\tag{5.4}

``db`` is a sum over samples because ``b`` was broadcast to every row in the
forward pass: the backward of a broadcast is a sum.

The backward pass of the whole network starts from the gradient with respect
to the **logits** (the output layer's pre-activation), because the fused
gradients of lesson 04 — :math:`(P - Y)/n` for softmax with cross-entropy,
:math:`(\\sigma(z) - y)/n` for sigmoid with binary cross-entropy — are both
simpler and more accurate than going through the output function.

:func:`loss_and_grads` puts everything together, including the L1/L2
penalties of lesson 07 (weights only).

The backward functions follow the forward/backward contract written down in
:mod:`nncourse.layers` (``grads = <step>_backward(dout, cache)``, the
gradients in the forward's input order). :func:`backward` is the chain of the
layers' steps in reverse: for every layer the dense backward, then the
dropout and activation backward of the layer below, each the same kernel the
public function calls.

Not here: automatic differentiation of arbitrary graphs (see micrograd).
"""

from __future__ import annotations

import numpy as np

from . import activations as _act
from . import layers as _layers
from . import losses as _losses
from . import regularization as _reg
from ._validation import (as_float_array, as_generator, as_params, check_choice, check_finite_result,
                          check_positive, check_probability, check_product, reports_overflow)

__all__ = ["dense_backward", "activation_backward", "backward", "loss_and_grads"]


# --- kernels without validation ---

def _dense_backward(dZ: np.ndarray, cache, *, input_grad: bool = True):
    """(5.4); ``input_grad=False`` skips ``dX`` (None), which nobody needs for the network's input."""
    X, W = cache
    dX = dZ @ W.T if input_grad else None
    return dX, X.T @ dZ, dZ.sum(axis=0)


def _activation_backward(dA: np.ndarray, cache, *, out: np.ndarray | None = None) -> np.ndarray:
    """(5.3): ``dA * g'(Z)``; softmax through its Jacobian (2.11). ``out`` may be ``dA`` itself (in place)."""
    Z, name = cache
    if name == "softmax":
        return _act._softmax_backward(dA, _act._softmax(Z))
    return np.multiply(dA, _act._KERNELS[name][1](Z), out=out)


def _backward(dZ: np.ndarray, cache) -> list:
    """:func:`backward` without validation: the layers' backward steps chained from the top."""
    grads = [None] * len(cache)
    for layer in range(len(cache) - 1, -1, -1):
        dA, dW, db = _dense_backward(dZ, cache[layer].dense, input_grad=layer > 0)
        grads[layer] = (dW, db)
        if layer == 0:
            break
        below = cache[layer - 1]
        # dA is a fresh array: the dropout and activation backward steps can work in place on it.
        dA = _reg._dropout_backward(dA, below.dropout, out=dA)
        dZ = _activation_backward(dA, below.activation, out=dA)
    return grads


# --- public functions ---

@reports_overflow
def dense_backward(dZ, cache):
    """Backward pass of a dense layer (5.4).

    Parameters
    ----------
    dZ : array, shape (n_samples, n_out), upstream gradient :math:`\\partial L/\\partial Z`
    cache : tuple (X, W) from :func:`nncourse.layers.dense_forward`

    Returns
    -------
    dX : array, shape (n_samples, n_in)
    dW : array, shape (n_in, n_out)
    db : array, shape (n_out,)
    """
    if not isinstance(cache, tuple) or len(cache) != 2:
        raise TypeError("cache must be the (X, W) tuple returned by dense_forward")
    X, W = as_float_array(cache[0], "cache X", ndim=2), as_float_array(cache[1], "cache W", ndim=2)
    check_product(X, W, "cache X", "cache W")
    dZ = as_float_array(dZ, "dZ", ndim=2)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"dZ must have shape {(X.shape[0], W.shape[1])} (n_samples, n_out), got {dZ.shape}")
    grads = _dense_backward(dZ, (X, W))
    for name, grad in zip(("dX", "dW", "db"), grads):
        check_finite_result(grad, name, "dZ and the cached X, W")
    return grads


@reports_overflow
def activation_backward(dA, cache) -> np.ndarray:
    """Backward pass of an activation: :math:`dZ = dA \\odot g'(Z)` (5.3).

    For softmax (not element-wise) the Jacobian-vector product (2.11) is used.

    Parameters
    ----------
    dA : array, upstream gradient, same shape as ``Z``
    cache : tuple (Z, name) from :func:`nncourse.layers.activation_forward`

    Returns
    -------
    dZ : array, same shape as ``dA``
    """
    if not isinstance(cache, tuple) or len(cache) != 2:
        raise TypeError("cache must be the (Z, name) tuple returned by activation_forward")
    Z = as_float_array(cache[0], "cache Z")
    name = check_choice(cache[1], "activation", _layers.ACTIVATION_NAMES)
    dA = as_float_array(dA, "dA")
    if dA.shape != Z.shape:
        raise ValueError(f"dA must have the shape of Z {Z.shape}, got {dA.shape}")
    if name == "softmax" and Z.ndim == 0:
        raise ValueError("the cached Z of a softmax must have at least one axis, got a scalar")
    dZ = _activation_backward(dA, (Z, name))
    check_finite_result(dZ, "dZ", "dA")
    return dZ


@reports_overflow
def backward(dZ_out, cache) -> list:
    """Backward pass of the whole network, from the gradient with respect to the logits (5.6).

    Parameters
    ----------
    dZ_out : array, shape (n_samples, n_L)
        :math:`\\partial L / \\partial Z^{(L)}`, e.g. from
        :func:`nncourse.losses.softmax_cross_entropy_grad`.
    cache : list of LayerCache, from :func:`nncourse.layers.forward`
        or any list of per-layer triples ``((A_prev, W), (Z, name), dropout_cache)``
        in that layout (lesson 03's ``forward_pass`` returns plain tuples).

    Returns
    -------
    grads : list of (dW, db), mirroring ``params``
    """
    if not isinstance(cache, list) or not cache or not all(isinstance(c, tuple) and len(c) == 3 for c in cache):
        raise TypeError("cache must be the list returned by nncourse.forward: one LayerCache (or plain triple "
                        "((A_prev, W), (Z, name), dropout_cache)) per layer")
    cache = [c if isinstance(c, _layers.LayerCache) else _layers.LayerCache(*c) for c in cache]
    dZ_out = as_float_array(dZ_out, "dZ_out", ndim=2)
    Z_out = cache[-1].activation[0]
    if dZ_out.shape != Z_out.shape:
        raise ValueError(f"dZ_out must have the shape of the logits {Z_out.shape}, got {dZ_out.shape}")
    grads = _backward(dZ_out, cache)
    _check_grads(grads, "dZ_out")
    return grads


def _check_grads(grads, inputs: str) -> None:
    for layer, (dW, db) in enumerate(grads, start=1):
        check_finite_result(dW, f"dW{layer}", inputs)
        check_finite_result(db, f"db{layer}", inputs)


def _network_inputs(params, X, y, activation: str, loss: str, l2, l1, *, y_name: str = "y"):
    """Validate what every whole-network computation takes; returns params, X, y, l2, l1 ready for the kernels."""
    params = as_params(params)
    X = as_float_array(X, "X", ndim=2)
    check_choice(activation, "activation", _layers.HIDDEN)
    check_choice(loss, "loss", tuple(_losses.LOSSES))
    l2 = check_positive(l2, "l2", allow_zero=True)
    l1 = check_positive(l1, "l1", allow_zero=True)
    check_product(X, params[0][0], "X", "W1")
    if X.shape[0] == 0:
        raise ValueError(f"X has no samples (shape {X.shape}); a loss needs at least one")
    y = _losses._targets(y, loss, X.shape[0], params[-1][0].shape[1], y_name, inputs="X")
    if not np.isfinite(_reg._penalty(params, l2, l1)):
        raise ValueError(f"the penalty (l2 / 2) sum ||W||^2 + l1 sum |W| overflows for l2 = {l2:g}, l1 = {l1:g} and "
                         "these params: use smaller l2 and l1")
    return params, X, y, l2, l1


@reports_overflow
def loss_and_grads(params, X, y, *, activation: str = "relu", loss: str = "softmax_cross_entropy",
                   l2: float = 0.0, l1: float = 0.0, drop_prob: float = 0.0,
                   rng: np.random.Generator | None = None):
    """Loss and gradients of a fully connected network on one batch.

    .. math:: L = L_{data}(g_{out}(Z^{(L)}), y) + \\frac{\\lambda_2}{2}\\sum_l \\lVert W^{(l)} \\rVert^2
              + \\lambda_1 \\sum_l \\lVert W^{(l)} \\rVert_1 \\tag{5.7}

    Parameters
    ----------
    params : list of (W, b)
    X : array, shape (n_samples, n_0), at least one sample
    y : targets: for ``"mse"`` and ``"binary_cross_entropy"`` an array shaped
        exactly like the output (n_samples, n_L); for ``"softmax_cross_entropy"``
        integer labels (n_samples,) or one-hot (n_samples, n_L)
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, hidden layers
    loss : {"mse", "binary_cross_entropy", "softmax_cross_entropy"}
        Decides the output function (linear, sigmoid, softmax); the loss is
        computed from the logits.
    l2, l1 : float >= 0, penalty strengths on weights (not biases)
    drop_prob : float in [0, 1), inverted dropout on hidden layers (needs ``rng``)
    rng : np.random.Generator, for dropout

    Returns
    -------
    loss : float, including the penalties
    grads : list of (dW, db), mirroring ``params``
    """
    params, X, y, l2, l1 = _network_inputs(params, X, y, activation, loss, l2, l1)
    drop_prob = check_probability(drop_prob, "drop_prob")
    if drop_prob > 0 or rng is not None:
        as_generator(rng)
    value, grads, _, cache = _loss_and_grads(params, X, y, activation, loss, l2, l1, drop_prob, rng)
    _layers._check_pre_activations(cache)
    check_finite_result(value, "the loss", "X, y and params")
    _check_grads(grads, "X, y and params")
    return value, grads


def _loss_and_grads(params, X, y, activation, loss, l2, l1, drop_prob, rng):
    """:func:`loss_and_grads` without validation; also the training loop's step before the update.

    Returns the loss, the gradients, the network's output (probabilities for
    the classification losses, which :func:`nncourse.train` counts correct
    predictions from) and the forward pass's cache.
    """
    logits, cache = _layers._forward(params, X, activation, "linear", drop_prob, rng)
    value, output, dZ = _losses._KERNELS[loss](logits, y)
    grads = _backward(dZ, cache)
    if l2 or l1:
        value += _reg._penalty(params, l2, l1)
        _reg._add_penalty_grads(params, grads, l2, l1)
    return value, grads, output, cache
