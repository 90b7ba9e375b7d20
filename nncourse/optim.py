"""Lesson 06 (``06a_optimisers.ipynb``, ``06b_training_loop.ipynb``): gradient descent and its refinements.

Two forms of every method, on purpose:

* **update functions** on one array, pure (they return new arrays), written
  exactly as the lesson's equations: :func:`gd_update`, :func:`momentum_update`,
  :func:`rmsprop_update`, :func:`adam_update`;
* **optimiser classes** (:class:`SGD`, :class:`Momentum`, :class:`RMSProp`,
  :class:`Adam`) sharing one interface, ``opt.step(params, grads)``, that keep
  their state (velocities, moments, step count) explicitly and update the
  parameter arrays **in place** — the parameters are the optimiser's to
  change, and in-place updates avoid a copy of every weight per step.

Each method is one in-place kernel (``_momentum_step`` ...); the update
function runs it on copies, the class on the parameters themselves, so the
two forms give the same numbers to the last bit. An optimiser's state belongs
to the parameter arrays of its first step: it refuses other arrays (even of
the same shapes) until :meth:`Optimizer.reset`, which :func:`nncourse.train`
calls at the start of every run.

The equations (the README's "Notation" section): momentum in PyTorch's form
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

import copy
import math

import numpy as np

from ._validation import (as_float_array, as_generator, check_bool, check_choice, check_finite_result, check_int,
                          check_positive, check_probability, reports_overflow)

__all__ = ["gd_update", "momentum_update", "rmsprop_update", "adam_update", "Optimizer", "SGD", "Momentum",
           "RMSProp", "Adam", "OPTIMIZERS", "get_optimizer", "constant", "step_decay", "exponential_decay",
           "cosine_decay", "minibatches"]


# --- kernels: one in-place step of each method, without validation ---
# ``scratch`` (optional, shaped like theta) receives the temporaries, so that a step
# allocates nothing; the order of the operations is the equations' own.

def _gd_step(theta, grad, lr, scratch=None) -> None:
    theta -= np.multiply(grad, lr, out=scratch)


def _momentum_step(theta, grad, velocity, lr, beta, nesterov=False, scratch=None) -> None:
    velocity *= beta
    velocity += grad
    if nesterov:
        step = np.multiply(velocity, beta, out=scratch)
        step += grad
        step *= lr
    else:
        step = np.multiply(velocity, lr, out=scratch)
    theta -= step


def _rmsprop_step(theta, grad, sq_avg, lr, rho, eps, scratch=None, scratch2=None) -> None:
    sq_avg *= rho
    g2 = np.multiply(grad, 1.0 - rho, out=scratch)
    g2 *= grad
    sq_avg += g2
    denominator = np.sqrt(sq_avg, out=scratch)
    denominator += eps
    step = np.multiply(grad, lr, out=scratch2)
    step /= denominator
    theta -= step


def _adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps, scratch=None, scratch2=None) -> None:
    """``t`` is the step number, already incremented (1 for the first step)."""
    m *= beta1
    m += np.multiply(grad, 1.0 - beta1, out=scratch)
    v *= beta2
    g2 = np.multiply(grad, 1.0 - beta2, out=scratch)
    g2 *= grad
    v += g2
    # Bias correction folded into the step size; eps stays outside the square root of v-hat.
    denominator = np.multiply(v, 1.0 / (1.0 - beta2 ** t), out=scratch)
    np.sqrt(denominator, out=denominator)
    denominator += eps
    step = np.multiply(m, 1.0 / (1.0 - beta1 ** t), out=scratch2)
    step *= lr
    step /= denominator
    theta -= step


# --- update functions: the kernels on copies, for one array ---

def _pair(theta, grad):
    theta = as_float_array(theta, "theta")
    grad = as_float_array(grad, "grad")
    if theta.shape != grad.shape:
        raise ValueError(f"grad must have the shape of theta {theta.shape}, got {grad.shape}")
    return theta.copy(), grad


def _state(array, name: str, theta: np.ndarray, *, second_moment: bool = False) -> np.ndarray:
    array = as_float_array(array, name)
    if array.shape != theta.shape:
        raise ValueError(f"{name} must have the shape of theta {theta.shape}, got {array.shape}")
    if second_moment and np.any(array < 0):
        raise ValueError(f"{name} is a running mean of squared gradients and cannot be negative; "
                         "start it at zeros and pass back what the previous step returned")
    return array.copy()


def _result(inputs: str, theta: np.ndarray, *state):
    for array in (theta, *state):
        check_finite_result(array, "the update", inputs)
    return (theta, *state) if state else theta


@reports_overflow
def gd_update(theta, grad, lr: float) -> np.ndarray:
    """One gradient-descent step: :math:`\\theta \\leftarrow \\theta - \\eta\\, \\nabla L(\\theta)` (6.1)."""
    theta, grad = _pair(theta, grad)
    _gd_step(theta, grad, check_positive(lr, "lr"))
    return _result("theta, grad and lr", theta)


@reports_overflow
def momentum_update(theta, grad, velocity, lr: float, beta: float = 0.9):
    """One momentum step (6.3): :math:`v \\leftarrow \\beta v + g`, :math:`\\theta \\leftarrow \\theta - \\eta v`.

    Returns
    -------
    theta_new, velocity_new
    """
    theta, grad = _pair(theta, grad)
    velocity = _state(velocity, "velocity", theta)
    _momentum_step(theta, grad, velocity, check_positive(lr, "lr"), check_probability(beta, "beta"))
    return _result("theta, grad, velocity and lr", theta, velocity)


@reports_overflow
def rmsprop_update(theta, grad, sq_avg, lr: float, rho: float = 0.9, eps: float = 1e-8):
    """One RMSProp step (6.4): :math:`s \\leftarrow \\rho s + (1-\\rho) g^2`, :math:`\\theta \\leftarrow \\theta - \\eta g/(\\sqrt{s}+\\varepsilon)`.

    Returns
    -------
    theta_new, sq_avg_new
    """
    theta, grad = _pair(theta, grad)
    sq_avg = _state(sq_avg, "sq_avg", theta, second_moment=True)
    lr, rho, eps = check_positive(lr, "lr"), check_probability(rho, "rho"), check_positive(eps, "eps")
    _rmsprop_step(theta, grad, sq_avg, lr, rho, eps)
    return _result("theta, grad, sq_avg and lr", theta, sq_avg)


@reports_overflow
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
    theta, grad, m, v : arrays of one shape (``m``, ``v`` start at zeros; ``v`` >= 0)
    t : int >= 0, the number of steps taken so far (0 before the first)

    Returns
    -------
    theta_new, m_new, v_new, t_new (= t + 1)
    """
    theta, grad = _pair(theta, grad)
    m = _state(m, "m", theta)
    v = _state(v, "v", theta, second_moment=True)
    t = check_int(t, "t", minimum=0) + 1
    lr, eps = check_positive(lr, "lr"), check_positive(eps, "eps")
    beta1, beta2 = check_probability(beta1, "beta1"), check_probability(beta2, "beta2")
    _adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return _result("theta, grad, m, v and lr", theta, m, v, t)


# --- optimiser classes: the kernels in place on the parameters ---

def _flatten(params, name: str) -> list:
    """``[(W1, b1), ...]``, ``[W, b, ...]`` or one array -> ``[(name, array), ...]`` (the same objects)."""
    if isinstance(params, np.ndarray):
        return [(name, params)]
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"{name} must be a non-empty list of (W, b) pairs or of arrays, got {type(params).__name__}")
    flat = []
    for i, p in enumerate(params):
        if isinstance(p, (list, tuple)):
            flat.extend((f"{name}[{i}][{j}]", q) for j, q in enumerate(p))
        else:
            flat.append((f"{name}[{i}]", p))
    return flat


class Optimizer:
    """Base class: ``step(params, grads)`` updates every parameter array in place.

    ``params`` and ``grads`` are lists of ``(W, b)`` pairs (or flat lists of
    arrays, or one array) with matching shapes. The optimiser's state is
    created on the first step and belongs to those very arrays: a step with
    other arrays is refused until :meth:`reset`. ``lr`` may be changed between
    steps (learning-rate schedules do). A step that would overflow the
    parameters is refused and changes nothing.
    """

    def __init__(self, lr: float):
        self.lr = lr
        self.reset()

    @property
    def lr(self) -> float:
        """The learning rate, a finite number > 0."""
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = check_positive(value, "lr")

    def reset(self) -> None:
        """Forget the state (velocities, moments, step count) and the arrays it belonged to."""
        self.state: list | None = None
        self._params: list | None = None
        self._scratch: list | None = None

    @reports_overflow
    def step(self, params, grads) -> None:
        """Validate, then update ``params`` in place (all or nothing)."""
        ps, gs = self._checked(params, grads)
        before = [p.copy() for p in ps]
        # The state (velocities, moments, step count) is copied; the arrays it refers to are not.
        saved = {k: v if k in ("_params", "_scratch") else copy.deepcopy(v) for k, v in vars(self).items()}
        self._step(ps, gs)
        state = [a for s in self.state for a in (s if isinstance(s, tuple) else (s,)) if a is not None]
        if not all(np.isfinite(a).all() for a in ps + state):
            for p, old in zip(ps, before):
                p[...] = old
            vars(self).update(saved)
            raise ValueError("this step would overflow the params or the optimiser's state to inf/NaN: the grads "
                             f"or lr (lr={self.lr}) are too large; nothing was changed")

    def _checked(self, params, grads):
        ps, gs = _flatten(params, "params"), _flatten(grads, "grads")
        if len(ps) != len(gs):
            raise ValueError(f"params has {len(ps)} arrays but grads has {len(gs)}")
        arrays, grad_arrays = [], []
        for (p_name, p), (g_name, g) in zip(ps, gs):
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                got = f"an array of dtype {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
                raise TypeError(f"{p_name} must be a float numpy array (it is updated in place), got {got}")
            if not p.flags.writeable:
                raise ValueError(f"{p_name} is read-only, but the optimiser updates parameters in place")
            if not np.isfinite(p).all():
                raise ValueError(f"{p_name} contains NaN or infinite values")
            g = as_float_array(g, g_name)
            if g.shape != p.shape:
                raise ValueError(f"{g_name} has shape {g.shape} but its parameter {p_name} has shape {p.shape}")
            arrays.append(p)
            grad_arrays.append(g)
        if self._params is not None and (len(arrays) != len(self._params)
                                         or any(a is not b for a, b in zip(arrays, self._params))):
            raise ValueError("this optimiser was created for a different set of parameters (its state belongs to "
                             "the arrays of its first step): call opt.reset() first, or make a new optimiser")
        return arrays, grad_arrays

    def _step(self, params: list, grads: list) -> None:
        """One step without validation (the training loop's), on flat lists of arrays."""
        if self.state is None:
            self.state = [self._init_state(p) for p in params]
            self._params = list(params)
            self._scratch = [(np.empty_like(p), np.empty_like(p)) for p in params]
        self._before_step()
        lr = self._lr
        for p, g, state, scratch in zip(params, grads, self.state, self._scratch):
            self._update(p, g, state, lr, scratch)

    def _init_state(self, p):
        # One buffer shaped like the parameter (a velocity, a running mean); SGD keeps none.
        return np.zeros_like(p)

    def _before_step(self) -> None:
        pass

    def _update(self, p, g, state, lr, scratch) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent (6.1): :math:`\\theta \\leftarrow \\theta - \\eta g`."""

    def _init_state(self, p):
        return None

    def _update(self, p, g, state, lr, scratch):
        _gd_step(p, g, lr, scratch[0])


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
        self.nesterov = check_bool(nesterov, "nesterov")

    def _update(self, p, g, velocity, lr, scratch):
        _momentum_step(p, g, velocity, lr, self.beta, self.nesterov, scratch[0])


class RMSProp(Optimizer):
    """RMSProp (6.4): per-parameter step sizes from a running mean of squared gradients."""

    def __init__(self, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8):
        super().__init__(lr)
        self.rho = check_probability(rho, "rho")
        self.eps = check_positive(eps, "eps")

    def _update(self, p, g, sq_avg, lr, scratch):
        _rmsprop_step(p, g, sq_avg, lr, self.rho, self.eps, *scratch)


class Adam(Optimizer):
    """Adam with bias correction (6.5); ``t`` counts steps and is incremented before use."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = check_probability(beta1, "beta1")
        self.beta2 = check_probability(beta2, "beta2")
        self.eps = check_positive(eps, "eps")

    def reset(self) -> None:
        super().reset()
        self.t = 0

    def _init_state(self, p):
        return (np.zeros_like(p), np.zeros_like(p))

    def _before_step(self):
        self.t += 1

    def _update(self, p, g, state, lr, scratch):
        _adam_step(p, g, *state, self.t, lr, self.beta1, self.beta2, self.eps, *scratch)


#: Optimisers by name.
OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """Make an optimiser by name (``"sgd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``)."""
    return OPTIMIZERS[check_choice(name, "optimizer", tuple(OPTIMIZERS))](**kwargs)


# --- learning-rate schedules: each returns lr(epoch), epochs counted from 0 ---

def _epoch(epoch) -> int:
    return check_int(epoch, "epoch", minimum=0)


def constant(lr: float):
    """:math:`\\eta_e = \\eta_0` for every epoch :math:`e`."""
    lr = check_positive(lr, "lr")

    def schedule(epoch: int) -> float:
        _epoch(epoch)
        return lr

    return schedule


def step_decay(lr: float, factor: float = 0.5, every: int = 10):
    """:math:`\\eta_e = \\eta_0 \\cdot \\text{factor}^{\\lfloor e / \\text{every} \\rfloor}` for epoch :math:`e` (6.6).

    ``factor`` is in (0, 1]: 1 keeps the rate constant, 0 would stop training after ``every`` epochs.
    """
    lr, every = check_positive(lr, "lr"), check_int(every, "every")
    factor = check_probability(factor, "factor", allow_zero=False, allow_one=True)
    return lambda epoch: lr * factor ** (_epoch(epoch) // every)


def exponential_decay(lr: float, rate: float = 0.95):
    """:math:`\\eta_e = \\eta_0 \\cdot \\text{rate}^{e}` for epoch :math:`e`, rate in (0, 1]."""
    lr = check_positive(lr, "lr")
    rate = check_probability(rate, "rate", allow_zero=False, allow_one=True)
    return lambda epoch: lr * rate ** _epoch(epoch)


def cosine_decay(lr: float, total_epochs: int, lr_min: float = 0.0):
    """:math:`\\eta_e = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi e / E))` for epochs :math:`e \\le E`, then :math:`\\eta_{min}`."""
    lr, total = check_positive(lr, "lr"), check_int(total_epochs, "total_epochs")
    lr_min = check_positive(lr_min, "lr_min", allow_zero=True)
    if lr_min > lr:
        raise ValueError(f"lr_min must be <= lr (the schedule decays from lr to lr_min), got {lr_min} > {lr}")
    return lambda epoch: lr_min + 0.5 * (lr - lr_min) * (1.0 + math.cos(math.pi * min(_epoch(epoch), total) / total))


def minibatches(n_samples: int, batch_size: int, *, rng: np.random.Generator | None = None, shuffle: bool = True):
    """Yield index arrays covering ``range(n_samples)`` once, in batches (6.7).

    The order is shuffled with ``rng`` (required when ``shuffle``); the last
    batch is smaller when ``batch_size`` does not divide ``n_samples``.
    ``batch_size = n_samples`` is batch gradient descent, ``1`` is stochastic.
    """
    n_samples, batch_size = check_int(n_samples, "n_samples"), check_int(batch_size, "batch_size")
    shuffle = check_bool(shuffle, "shuffle")
    if shuffle or rng is not None:
        as_generator(rng)
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return _batches(order, batch_size)


def _batches(order: np.ndarray, batch_size: int):
    for start in range(0, order.shape[0], batch_size):
        yield order[start:start + batch_size]
