"""Lesson 06 (``06_gradient_descent.ipynb``): gradient descent and its refinements.

Two forms of every method, on purpose:

* **update functions** on one array, pure (they return new arrays), written
  exactly as the lesson's equations: :func:`gd_update`, :func:`momentum_update`,
  :func:`rmsprop_update`, :func:`adam_update`;
* **optimiser classes** (:class:`SGD`, :class:`Momentum`, :class:`RMSProp`,
  :class:`Adam`) sharing one interface, ``opt.step(params, grads)``, that keep
  their state (velocities, moments, step count) explicitly and update the
  parameter arrays **in place** — the parameters are the optimiser's to
  change, and in-place updates avoid a copy of every weight per step. The
  tests check that both forms agree.

The equations (``COURSE.md``): momentum in PyTorch's form
:math:`v \\leftarrow \\beta v + g,\\ \\theta \\leftarrow \\theta - \\eta v` (6.3);
RMSProp :math:`s \\leftarrow \\rho s + (1-\\rho) g^2,\\
\\theta \\leftarrow \\theta - \\eta g / (\\sqrt{s} + \\varepsilon)` (6.4); Adam with
bias correction, the step counter incremented before use and ε outside the
square root (6.5).

Learning-rate schedules are functions of the epoch; :func:`minibatches`
yields index arrays after a seeded shuffle.

Not here: second-order methods, AdamW, gradient clipping.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_float_array, as_rng, check_int, check_positive, check_probability

__all__ = ["gd_update", "momentum_update", "rmsprop_update", "adam_update", "Optimizer", "SGD", "Momentum",
           "RMSProp", "Adam", "OPTIMIZERS", "get_optimizer", "constant", "step_decay", "exponential_decay",
           "cosine_decay", "minibatches"]


def _pair(theta, grad):
    theta = as_float_array(theta, "theta")
    grad = as_float_array(grad, "grad")
    if theta.shape != grad.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {grad.shape}")
    return theta, grad


def gd_update(theta, grad, lr: float) -> np.ndarray:
    """One gradient-descent step: :math:`\\theta \\leftarrow \\theta - \\eta\\, \\nabla L(\\theta)` (6.1)."""
    theta, grad = _pair(theta, grad)
    return theta - check_positive(lr, "lr") * grad


def momentum_update(theta, grad, velocity, lr: float, beta: float = 0.9):
    """One momentum step (6.3): :math:`v \\leftarrow \\beta v + g`, :math:`\\theta \\leftarrow \\theta - \\eta v`.

    Returns
    -------
    theta_new, velocity_new
    """
    theta, grad = _pair(theta, grad)
    velocity = as_float_array(velocity, "velocity")
    if velocity.shape != theta.shape:
        raise ValueError(f"velocity must have the shape of theta {theta.shape}, got {velocity.shape}")
    lr, beta = check_positive(lr, "lr"), check_probability(beta, "beta")
    v = beta * velocity + grad
    return theta - lr * v, v


def rmsprop_update(theta, grad, sq_avg, lr: float, rho: float = 0.9, eps: float = 1e-8):
    """One RMSProp step (6.4): :math:`s \\leftarrow \\rho s + (1-\\rho) g^2`, :math:`\\theta \\leftarrow \\theta - \\eta g/(\\sqrt{s}+\\varepsilon)`.

    Returns
    -------
    theta_new, sq_avg_new
    """
    theta, grad = _pair(theta, grad)
    sq_avg = as_float_array(sq_avg, "sq_avg")
    if sq_avg.shape != theta.shape:
        raise ValueError(f"sq_avg must have the shape of theta {theta.shape}, got {sq_avg.shape}")
    lr, rho, eps = check_positive(lr, "lr"), check_probability(rho, "rho"), check_positive(eps, "eps")
    s = rho * sq_avg + (1.0 - rho) * grad * grad
    return theta - lr * grad / (np.sqrt(s) + eps), s


def adam_update(theta, grad, m, v, t: int, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                eps: float = 1e-8):
    """One Adam step with bias correction (6.5).

    .. math::
        t \\leftarrow t + 1,\\quad m \\leftarrow \\beta_1 m + (1-\\beta_1) g,\\quad
        v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2,\\quad
        \\hat m = \\frac{m}{1-\\beta_1^t},\\quad \\hat v = \\frac{v}{1-\\beta_2^t},\\quad
        \\theta \\leftarrow \\theta - \\eta \\frac{\\hat m}{\\sqrt{\\hat v} + \\varepsilon}

    Parameters
    ----------
    theta, grad, m, v : arrays of one shape (``m``, ``v`` start at zeros)
    t : int >= 0, the number of steps taken so far (0 before the first)

    Returns
    -------
    theta_new, m_new, v_new, t_new (= t + 1)
    """
    theta, grad = _pair(theta, grad)
    m, v = as_float_array(m, "m"), as_float_array(v, "v")
    if m.shape != theta.shape or v.shape != theta.shape:
        raise ValueError(f"m and v must have the shape of theta {theta.shape}, got {m.shape} and {v.shape}")
    t = check_int(t, "t", minimum=0) + 1
    lr, eps = check_positive(lr, "lr"), check_positive(eps, "eps")
    beta1, beta2 = check_probability(beta1, "beta1"), check_probability(beta2, "beta2")
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * grad * grad
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def _flatten(params) -> list:
    """[(W1, b1), (W2, b2)] or [W, b, ...] -> [W1, b1, W2, b2] (the same array objects)."""
    if isinstance(params, np.ndarray):
        return [params]
    flat = []
    for p in params:
        if isinstance(p, (list, tuple)):
            flat.extend(p)
        else:
            flat.append(p)
    return flat


class Optimizer:
    """Base class: ``step(params, grads)`` updates every parameter array in place.

    ``params`` and ``grads`` are lists of ``(W, b)`` pairs (or flat lists of
    arrays) with matching shapes; the optimiser's state is created on the first
    step and is tied to that parameter list. ``lr`` may be changed between steps
    (learning-rate schedules do).
    """

    def __init__(self, lr: float):
        self.lr = check_positive(lr, "lr")
        self.state: list | None = None

    def step(self, params, grads) -> None:
        ps, gs = _flatten(params), _flatten(grads)
        if len(ps) != len(gs):
            raise ValueError(f"params has {len(ps)} arrays but grads has {len(gs)}")
        for i, (p, g) in enumerate(zip(ps, gs)):
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(f"parameter {i} must be a float numpy array (updated in place), got {type(p).__name__}")
            if np.shape(g) != p.shape:
                raise ValueError(f"gradient {i} has shape {np.shape(g)} but its parameter has shape {p.shape}")
        if self.state is None:
            self.state = [self._init_state(p) for p in ps]
        elif len(self.state) != len(ps):
            raise ValueError("this optimiser was created for a different set of parameters; make a new one")
        self._before_step()
        lr = self.lr
        for p, g, s in zip(ps, gs, self.state):
            self._update(p, g, s, lr)

    def _init_state(self, p):
        return None

    def _before_step(self) -> None:
        pass

    def _update(self, p, g, state, lr) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent (6.1): :math:`\\theta \\leftarrow \\theta - \\eta g`."""

    def _update(self, p, g, state, lr):
        p -= lr * g


class Momentum(Optimizer):
    """Gradient descent with momentum (6.3), optionally Nesterov's variant.

    Parameters
    ----------
    lr : float > 0
    beta : float in [0, 1), the momentum coefficient
    nesterov : bool
        Step with :math:`g + \\beta v` (PyTorch's Nesterov form) instead of :math:`v`.
    """

    def __init__(self, lr: float = 0.01, beta: float = 0.9, nesterov: bool = False):
        super().__init__(lr)
        self.beta = check_probability(beta, "beta")
        self.nesterov = bool(nesterov)

    def _init_state(self, p):
        return np.zeros_like(p)

    def _update(self, p, g, v, lr):
        v *= self.beta
        v += g
        if self.nesterov:
            p -= lr * (g + self.beta * v)
        else:
            p -= lr * v


class RMSProp(Optimizer):
    """RMSProp (6.4): per-parameter step sizes from a running mean of squared gradients."""

    def __init__(self, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8):
        super().__init__(lr)
        self.rho = check_probability(rho, "rho")
        self.eps = check_positive(eps, "eps")

    def _init_state(self, p):
        return np.zeros_like(p)

    def _update(self, p, g, s, lr):
        s *= self.rho
        s += (1.0 - self.rho) * g * g
        p -= lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    """Adam with bias correction (6.5); ``t`` counts steps and is incremented before use."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = check_probability(beta1, "beta1")
        self.beta2 = check_probability(beta2, "beta2")
        self.eps = check_positive(eps, "eps")
        self.t = 0

    def _init_state(self, p):
        return (np.zeros_like(p), np.zeros_like(p))

    def _before_step(self):
        self.t += 1

    def _update(self, p, g, state, lr):
        m, v = state
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        # Bias correction folded into the step size; eps stays outside the square root of v-hat.
        m_hat_scale = 1.0 / (1.0 - self.beta1 ** self.t)
        v_hat_scale = 1.0 / (1.0 - self.beta2 ** self.t)
        p -= lr * (m * m_hat_scale) / (np.sqrt(v * v_hat_scale) + self.eps)


#: Optimisers by name.
OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """Make an optimiser by name (``"sgd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(map(repr, OPTIMIZERS))}")
    return OPTIMIZERS[name](**kwargs)


# --- learning-rate schedules: each returns lr(epoch), epochs counted from 0 ---

def constant(lr: float):
    """:math:`\\eta_t = \\eta_0`."""
    lr = check_positive(lr, "lr")
    return lambda epoch: lr


def step_decay(lr: float, factor: float = 0.5, every: int = 10):
    """:math:`\\eta_t = \\eta_0 \\cdot \\text{factor}^{\\lfloor t / \\text{every} \\rfloor}` (6.6)."""
    lr, every = check_positive(lr, "lr"), check_int(every, "every")
    factor = check_probability(factor, "factor", allow_one=True)
    return lambda epoch: lr * factor ** (int(epoch) // every)


def exponential_decay(lr: float, rate: float = 0.95):
    """:math:`\\eta_t = \\eta_0 \\cdot \\text{rate}^{t}`."""
    lr, rate = check_positive(lr, "lr"), check_probability(rate, "rate", allow_one=True)
    return lambda epoch: lr * rate ** int(epoch)


def cosine_decay(lr: float, total_epochs: int, lr_min: float = 0.0):
    """:math:`\\eta_t = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi t / T))` for :math:`t \\le T`."""
    lr, total = check_positive(lr, "lr"), check_int(total_epochs, "total_epochs")
    lr_min = check_positive(lr_min, "lr_min", allow_zero=True)
    return lambda epoch: lr_min + 0.5 * (lr - lr_min) * (1.0 + math.cos(math.pi * min(int(epoch), total) / total))


def minibatches(n_samples: int, batch_size: int, *, rng: np.random.Generator | None = None, shuffle: bool = True):
    """Yield index arrays covering ``range(n_samples)`` once, in batches (6.7).

    The order is shuffled with ``rng`` (required when ``shuffle``); the last
    batch is smaller when ``batch_size`` does not divide ``n_samples``.
    ``batch_size = n_samples`` is batch gradient descent, ``1`` is stochastic.
    """
    n_samples, batch_size = check_int(n_samples, "n_samples"), check_int(batch_size, "batch_size")
    order = as_rng(rng).permutation(n_samples) if shuffle else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start:start + batch_size]
