"""Lesson 05, part 3 (``05c_gradient_checking.ipynb``): checking gradients with finite differences.

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
from ._validation import as_float_array, check_finite_result, check_positive, check_same_shape, reports_overflow

__all__ = ["numerical_gradient", "relative_error", "gradient_check", "GradientCheckReport"]


@reports_overflow
def numerical_gradient(f, x, h: float = 1e-5, *, dout=None) -> np.ndarray:
    """Centred-difference gradient of ``f`` at ``x`` (5.8).

    Parameters
    ----------
    f : callable
        ``f(x)``; returns a scalar, or an array when ``dout`` is given.
    x : float64 ndarray, any shape
        Perturbed **in place** one entry at a time and restored afterwards (also
        when ``f`` raises), so ``f`` may read it through a closure. float64 only:
        with ``h = 1e-5`` a float32 ``x`` carries the step with 2 significant
        digits (relative errors near 1e-3) and float16 cannot represent it at all.
    h : float > 0
    dout : array, optional
        Upstream gradient shaped like ``f(x)``: the result is then the
        gradient of :math:`\\sum f(x) \\odot dout`, i.e. the vector-Jacobian
        product a layer's backward pass computes.

    Returns
    -------
    float64 array, same shape as ``x``
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"x must be a float64 numpy array (it is perturbed in place and restored, and centred "
                        f"differences need float64's precision); got {got}: pass x.astype(np.float64)")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place and restored")
    if not np.isfinite(x).all():
        raise ValueError("x contains NaN or infinite values")
    h = check_positive(h, "h")
    if dout is not None:
        dout = as_float_array(dout, "dout")

    def value(fx, where: str) -> float:
        try:
            fx = np.asarray(fx, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"f must return a number{' or an array' if dout is not None else ''}, "
                            f"got {type(fx).__name__}") from None
        if dout is None:
            if fx.size != 1:
                raise ValueError(f"f must return a scalar when dout is not given, got shape {fx.shape}")
            out = float(fx.reshape(()))
        else:
            if fx.shape != dout.shape:
                raise ValueError(f"dout has shape {dout.shape} but f(x) has shape {fx.shape}")
            out = float(np.sum(fx * dout))
        if not np.isfinite(out):
            raise ValueError(f"f returned a non-finite value ({out}) at {where}: the gradient is not defined there")
        return out

    # f at x itself, once: a function that cannot be evaluated there is reported before x is touched.
    value(f(x), "x")
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        original = x[i]
        try:
            x[i] = original + h
            plus = value(f(x), f"x{list(i)} + h")
            x[i] = original - h
            minus = value(f(x), f"x{list(i)} - h")
        finally:
            x[i] = original
        grad[i] = (plus - minus) / (2.0 * h)
    check_finite_result(grad, "the centred difference", "f's values")
    return grad


def relative_error(a, b) -> float:
    """Largest element-wise relative error between two gradients (5.9).

    ``|a - b| / max(|a| + |b|, tiny)``, with ``tiny`` the smallest positive
    float64, so two exact zeros give 0, not NaN. Both are compared in float64.
    """
    a = as_float_array(a, "a").astype(np.float64, copy=False)
    b = as_float_array(b, "b").astype(np.float64, copy=False)
    check_same_shape(a, b, "a", "b")
    return _relative_error(a, b)


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), np.finfo(np.float64).tiny)
    huge = ~np.isfinite(ratio)
    if huge.any():
        # |a - b| or |a| + |b| overflowed (entries near 1e308): the same ratio from the halves, exact there.
        a_half, b_half = a[huge] * 0.5, b[huge] * 0.5
        ratio[huge] = np.abs(a_half - b_half) / (np.abs(a_half) + np.abs(b_half))
    return float(np.max(ratio))


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


@reports_overflow
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
        (e.g. your own backward pass), shaped like ``params``.

    Returns
    -------
    GradientCheckReport
    """
    params, X, y, l2, l1 = _backprop._network_inputs(params, X, y, activation, loss, l2, l1)
    params64 = [(np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)) for W, b in params]
    X64 = X.astype(np.float64)
    h = check_positive(h, "h")
    value, own_grads, _, cache = _backprop._loss_and_grads(params64, X64, y, activation, loss, l2, l1, 0.0, None)
    _layers._check_pre_activations(cache)
    check_finite_result(value, "the loss", "X, y and params")
    grads = own_grads if grads is None else _checked_grads(grads, params64)

    def f(_):
        return _backprop._loss_and_grads(params64, X64, y, activation, loss, l2, l1, 0.0, None)[0]

    errors = {}
    for i, ((W, b), (dW, db)) in enumerate(zip(params64, grads), start=1):
        errors[f"W{i}"] = _relative_error(dW, numerical_gradient(f, W, h))
        errors[f"b{i}"] = _relative_error(db, numerical_gradient(f, b, h))
    return GradientCheckReport(errors)


def _checked_grads(grads, params) -> list:
    """A learner's gradients as float64 pairs shaped like ``params``; the errors name ``grads``."""
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        got = f"{len(grads)} layers" if isinstance(grads, (list, tuple)) else type(grads).__name__
        raise ValueError(f"grads must be a list of (dW, db) pairs, one per layer of params ({len(params)}), got {got}")
    out = []
    for i, (pair, (W, b)) in enumerate(zip(grads, params), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"grads[{i - 1}] must be a (dW, db) pair, got {type(pair).__name__}")
        dW = as_float_array(pair[0], f"grads[{i - 1}][0] (dW{i})").astype(np.float64, copy=False)
        db = as_float_array(pair[1], f"grads[{i - 1}][1] (db{i})").astype(np.float64, copy=False)
        check_same_shape(dW, W, f"grads[{i - 1}][0] (dW{i})", f"W{i}")
        check_same_shape(db, b, f"grads[{i - 1}][1] (db{i})", f"b{i}")
        out.append((dW, db))
    return out
