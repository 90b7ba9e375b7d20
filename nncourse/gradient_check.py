"""Lesson 05 (``05_backprop.ipynb``): checking gradients with finite differences.

A gradient computed by backprop is checked against the centred difference

.. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h} \\tag{5.8}

whose error is :math:`O(h^2)` (the one-sided difference has :math:`O(h)`), with
``h = 1e-5`` in float64, and compared with the relative error

.. math:: \\text{rel}(a, n) = \\max_i \\frac{|a_i - n_i|}{\\max(|a_i| + |n_i|, \\text{tiny})} \\tag{5.9}

Below 1e-7 the gradient is right; above 1e-4 it is wrong — unless an input sits
within ``h`` of a kink (ReLU at 0, L1 at 0), where the difference quotient
straddles two slopes. Dropout must be off (or its mask fixed) during a check.

Not here: complex-step or automatic differentiation.
"""

from __future__ import annotations

import numpy as np

from . import backprop as _backprop
from . import layers as _layers
from ._validation import as_float_array, check_positive

__all__ = ["numerical_gradient", "relative_error", "gradient_check", "GradientCheckReport"]


def numerical_gradient(f, x, h: float = 1e-5, *, dout=None) -> np.ndarray:
    """Centred-difference gradient of ``f`` at ``x`` (5.8).

    Parameters
    ----------
    f : callable
        ``f(x)``; returns a scalar, or an array when ``dout`` is given.
    x : float ndarray, any shape
        Perturbed **in place** one entry at a time and restored afterwards (also
        when ``f`` raises), so ``f`` may read it through a closure.
    h : float > 0
    dout : array, optional
        Upstream gradient shaped like ``f(x)``: the result is then the
        gradient of :math:`\\sum f(x) \\odot dout`, i.e. the vector-Jacobian
        product a layer's backward pass computes.

    Returns
    -------
    array, same shape as ``x``
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("x must be a float numpy array (it is perturbed in place and restored); "
                        f"got {type(x).__name__}{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place and restored")
    h = check_positive(h, "h")
    if dout is not None:
        dout = as_float_array(dout, "dout")

    def value(fx):
        fx = np.asarray(fx, dtype=np.float64)
        if dout is None:
            if fx.size != 1:
                raise ValueError(f"f must return a scalar when dout is not given, got shape {fx.shape}")
            return float(fx.reshape(()))
        if fx.shape != dout.shape:
            raise ValueError(f"dout has shape {dout.shape} but f(x) has shape {fx.shape}")
        return float(np.sum(fx * dout))

    grad = np.zeros(x.shape, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        original = x[i].copy()
        try:
            x[i] = original + h
            plus = value(f(x))
            x[i] = original - h
            minus = value(f(x))
        finally:
            x[i] = original
        grad[i] = (plus - minus) / (2.0 * h)
    return grad


def relative_error(a, b) -> float:
    """Largest element-wise relative error between two gradients (5.9).

    ``|a - b| / max(|a| + |b|, tiny)``, with ``tiny`` the smallest positive
    float64, so two exact zeros give 0, not NaN.
    """
    a = as_float_array(a, "a", finite=False)
    b = as_float_array(b, "b", finite=False)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    a, b = a.astype(np.float64), b.astype(np.float64)
    den = np.maximum(np.abs(a) + np.abs(b), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b) / den))


class GradientCheckReport:
    """Per-parameter relative errors from :func:`gradient_check`.

    ``errors`` maps ``"W1"``, ``"b1"``, ... to the relative error (5.9).
    """

    def __init__(self, errors: dict[str, float]):
        self.errors = dict(errors)

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    def passed(self, threshold: float = 1e-7) -> bool:
        return self.max_error < threshold

    def __str__(self) -> str:
        lines = [f"{'parameter':<10} {'relative error':>15}  verdict"]
        for name, err in self.errors.items():
            verdict = "ok" if err < 1e-7 else ("suspicious" if err < 1e-4 else "WRONG")
            lines.append(f"{name:<10} {err:>15.2e}  {verdict}")
        return "\n".join(lines)

    __repr__ = __str__


def gradient_check(params, X, y, *, activation: str = "relu", loss: str = "softmax_cross_entropy",
                   l2: float = 0.0, l1: float = 0.0, h: float = 1e-5, grads=None) -> GradientCheckReport:
    """Compare backprop's gradients with centred differences, parameter by parameter.

    Runs in float64 on copies of ``params`` (the originals are untouched).
    Dropout is off, as it must be during a check.

    Parameters
    ----------
    params, X, y, activation, loss, l2, l1 : as for :func:`nncourse.loss_and_grads`
    h : float, the finite-difference step
    grads : list of (dW, db), optional
        Gradients to check instead of those from :func:`nncourse.loss_and_grads`
        (e.g. your own backward pass).

    Returns
    -------
    GradientCheckReport
    """
    params64 = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64))
                for W, b in _layers.validate_params(params)]
    X64 = as_float_array(X, "X", ndim=2).astype(np.float64)
    kwargs = dict(activation=activation, loss=loss, l2=l2, l1=l1)
    if grads is None:
        _, grads = _backprop.loss_and_grads(params64, X64, y, **kwargs)
    if len(grads) != len(params64):
        raise ValueError(f"grads has {len(grads)} layers but params has {len(params64)}")

    def f(_):
        return _backprop.loss_and_grads(params64, X64, y, **kwargs)[0]

    errors = {}
    for i, ((W, b), (dW, db)) in enumerate(zip(params64, grads), start=1):
        errors[f"W{i}"] = relative_error(dW, numerical_gradient(f, W, h))
        errors[f"b{i}"] = relative_error(db, numerical_gradient(f, b, h))
    return GradientCheckReport(errors)
