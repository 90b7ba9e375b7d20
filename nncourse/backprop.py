"""Lesson 05 (``05_backprop.ipynb``): the backward pass.

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

Not here: automatic differentiation of arbitrary graphs (see micrograd).
"""

from __future__ import annotations

import numpy as np

from . import activations as _act
from . import layers as _layers
from . import losses as _losses
from . import regularization as _reg
from ._validation import as_float_array, as_rng, check_choice, check_positive, check_probability

__all__ = ["dense_backward", "activation_backward", "backward", "loss_and_grads"]


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
    X, W = _dense_cache(cache)
    dZ = as_float_array(dZ, "dZ", ndim=2)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(f"dZ must have shape {(X.shape[0], W.shape[1])} (n_samples, n_out), got {dZ.shape}")
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def _dense_cache(cache):
    if not isinstance(cache, tuple) or len(cache) != 2:
        raise TypeError("cache must be the (X, W) tuple returned by dense_forward")
    return as_float_array(cache[0], "cache X", ndim=2), as_float_array(cache[1], "cache W", ndim=2)


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
    Z, name = as_float_array(cache[0], "cache Z"), cache[1]
    check_choice(name, "activation", tuple(_act.ACTIVATIONS) + ("softmax",))
    dA = as_float_array(dA, "dA")
    if dA.shape != Z.shape:
        raise ValueError(f"dA must have the shape of Z {Z.shape}, got {dA.shape}")
    return _activation_backward(dA, Z, name)


def _activation_backward(dA, Z, name):
    if name == "softmax":
        return _act._softmax_backward(dA, _act._softmax(Z))
    return dA * _act._KERNELS[name][1](Z)


def backward(dZ_out, cache) -> list:
    """Backward pass of the whole network, from the gradient with respect to the logits (5.6).

    Parameters
    ----------
    dZ_out : array, shape (n_samples, n_L)
        :math:`\\partial L / \\partial Z^{(L)}`, e.g. from
        :func:`nncourse.losses.softmax_cross_entropy_grad`.
    cache : list of LayerCache, from :func:`nncourse.layers.forward`

    Returns
    -------
    grads : list of (dW, db), mirroring ``params``
    """
    if not isinstance(cache, list) or not cache or not all(isinstance(c, _layers.LayerCache) for c in cache):
        raise TypeError("cache must be the list returned by nncourse.forward")
    dZ_out = as_float_array(dZ_out, "dZ_out", ndim=2)
    Z_out = cache[-1].activation[0]
    if dZ_out.shape != Z_out.shape:
        raise ValueError(f"dZ_out must have the shape of the logits {Z_out.shape}, got {dZ_out.shape}")
    return _backward(dZ_out, cache)


def _backward(dZ, cache):
    grads = [None] * len(cache)
    for layer in range(len(cache) - 1, -1, -1):
        A_prev, W = cache[layer].dense
        grads[layer] = (A_prev.T @ dZ, dZ.sum(axis=0))
        if layer == 0:
            break
        dA = dZ @ W.T
        below = cache[layer - 1]
        if below.dropout is not None:
            dA *= below.dropout
        dZ = _activation_backward(dA, below.activation[0], below.activation[1])
    return grads


def loss_and_grads(params, X, y, *, activation: str = "relu", loss: str = "softmax_cross_entropy",
                   l2: float = 0.0, l1: float = 0.0, drop_prob: float = 0.0,
                   rng: np.random.Generator | None = None):
    """Loss and gradients of a fully connected network on one batch.

    .. math:: L = L_{data}(g_{out}(Z^{(L)}), y) + \\frac{\\lambda_2}{2}\\sum_l \\lVert W^{(l)} \\rVert^2
              + \\lambda_1 \\sum_l \\lVert W^{(l)} \\rVert_1 \\tag{5.7}

    Parameters
    ----------
    params : list of (W, b)
    X : array, shape (n_samples, n_0)
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
    spec = _losses.get_loss(loss)
    l2 = check_positive(l2, "l2", allow_zero=True)
    l1 = check_positive(l1, "l1", allow_zero=True)
    drop_prob = check_probability(drop_prob, "drop_prob")
    if drop_prob > 0:
        as_rng(rng)
    out, cache = _layers.forward(params, X, activation=activation, output=spec.output, drop_prob=drop_prob,
                                 rng=rng, training=drop_prob > 0)
    logits = cache[-1].activation[0]
    value = spec.value(logits, y)
    grads = _backward(spec.grad(logits, y), cache)
    params = _layers.validate_params(params)
    if l2 or l1:
        value += _reg.l2_penalty(params, l2) + _reg.l1_penalty(params, l1)
        grads = [(dW + l2 * W + l1 * np.sign(W), db) for (W, _), (dW, db) in zip(params, grads)]
    return float(value), grads
