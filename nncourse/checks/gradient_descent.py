"""Exercise checks for lesson 06, in two parts: ``06a_optimisers.ipynb`` (gd-step, quadratic-rates,
momentum-step, rmsprop-step, adam-step) and ``06b_training_loop.ipynb`` (lr-schedule, minibatches).

Every exercise's reference is the package's function in :mod:`nncourse.optim`
with the learner's signature. The optimiser steps are checked on one array at
a time, as written in the lesson's equations (6.1), (6.3)-(6.5); each known
wrong version (sign of the step, the exponential-average form of momentum,
epsilon inside the square root, Adam without bias correction or with its step
counter incremented after use, ...) has a hint aimed at it.

Randomness: a case never holds a generator (the learner's code and the
reference would share and consume it); it holds a seed, and the exercise's
``run`` makes a fresh ``np.random.default_rng(seed)`` for each call.
"""

from __future__ import annotations

import numpy as np

from .. import optim
from ._definitions import Case, Exercise, Mistake, register

#: The lesson's two parts, the ids of their notebooks (each exercise names the part it lives in).
OPTIMISERS = "06a_optimisers"
TRAINING_LOOP = "06b_training_loop"
SHAPES = ((3,), (4, 3), (2, 3, 2))


def _normal(rng, shape, scale=1.0):
    return rng.standard_normal(shape) * scale


# --------------------------------------------------------------------------- #
# gd-step: theta <- theta - lr * grad   (6.1)
# --------------------------------------------------------------------------- #


def _gd_cases(rng):
    cases = [Case("hand-worked: theta=[1, -2], grad=[0.5, 0.5], lr=0.1 (theta_new = [0.95, -2.05])",
                  (np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1))]
    for shape in SHAPES:
        cases.append(Case(f"random theta and grad of shape {shape}",
                          (_normal(rng, shape), _normal(rng, shape), float(rng.uniform(0.01, 0.5)))))
    cases.append(Case("zero gradient (a stationary point): the values stay, in a new array",
                      (_normal(rng, (4,)), np.zeros(4), 0.3)))
    cases.append(Case("large learning rate lr=3", (_normal(rng, (5,)), _normal(rng, (5,)), 3.0)))
    return cases


register(Exercise(
    id="gd-step", lesson=OPTIMISERS, title="One gradient-descent step", points=1,
    reference=optim.gd_update, make_cases=_gd_cases, fresh_result=True,
    mistakes=(
        Mistake("ascent", lambda theta, grad, lr: theta + lr * grad,
                "you stepped uphill: the gradient points where the loss grows, so subtract lr * grad"),
        Mistake("no-learning-rate", lambda theta, grad, lr: theta - grad,
                "the learning rate is missing: the step is lr * grad, not grad"),
        Mistake("returns-the-step", lambda theta, grad, lr: -lr * grad,
                "you returned the step -lr * grad; return the new parameters theta - lr * grad"),
        Mistake("divides-by-lr", lambda theta, grad, lr: theta - grad / lr,
                "the gradient is multiplied by the learning rate, not divided by it"),
        Mistake("lr-squared", lambda theta, grad, lr: theta - lr * lr * grad,
                "the step is lr * grad: the learning rate appears once"),
        Mistake("times-theta", lambda theta, grad, lr: theta - lr * grad * theta,
                "the step does not depend on theta itself: theta - lr * grad"),
        Mistake("weight-decay-instead", lambda theta, grad, lr: theta - lr * theta,
                "step along the gradient, theta - lr * grad; theta - lr * theta only shrinks the weights"),
    ),
))


# --------------------------------------------------------------------------- #
# minibatches: a seeded shuffle, then consecutive slices   (6.7)
# --------------------------------------------------------------------------- #


def _batches(fn, n_samples, batch_size, seed, shuffle):
    batches = fn(n_samples, batch_size, rng=np.random.default_rng(seed), shuffle=shuffle)
    return tuple(np.asarray(b) for b in batches)


def _run_minibatches(objects, case):
    """The batches, and what any correct answer has: reproducible from the seed, every index once."""
    n_samples, batch_size = case.args
    seed, shuffle = case.kwargs["seed"], case.kwargs["shuffle"]
    first = _batches(objects[0], n_samples, batch_size, seed, shuffle)
    again = _batches(objects[0], n_samples, batch_size, seed, shuffle)
    same = len(first) == len(again) and all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, again))
    flat = np.concatenate([b.ravel() for b in first]) if first else np.zeros(0, dtype=int)
    return {"the same seed gives the same batches": same,
            "every index 0 .. n_samples - 1 exactly once": bool(flat.size == n_samples and np.array_equal(
                np.sort(flat), np.arange(n_samples))),
            "batch sizes": np.array([b.size for b in first]),
            # A generator the seed does not decide gives other batches on every run: only their properties count.
            "the batches (rng.permutation(n_samples), then consecutive slices)": first if same else ()}


def _minibatches_cases(rng):
    def seed():
        return int(rng.integers(0, 2**31))

    return [
        Case("10 samples in batches of 4 (the last batch holds 2)", (10, 4), {"seed": seed(), "shuffle": True}),
        Case("12 samples in batches of 4 (no partial batch)", (12, 4), {"seed": seed(), "shuffle": True}),
        Case("shuffle=False: 7 samples in batches of 3, in order", (7, 3), {"seed": seed(), "shuffle": False}),
        # Every shuffled case has at least 8! orders, so an answer drawing from a generator the seed does not
        # decide (np.random's) cannot repeat its batches by chance and look reproducible.
        Case("batch_size 1 (stochastic gradient descent)", (8, 1), {"seed": seed(), "shuffle": True}),
        Case("batch_size = n_samples (batch gradient descent)", (9, 9), {"seed": seed(), "shuffle": True}),
        Case("batch_size larger than n_samples", (9, 16), {"seed": seed(), "shuffle": True}),
        Case("30 to 60 samples in batches of 7", (int(rng.integers(30, 60)), 7), {"seed": seed(), "shuffle": True}),
    ]


def _mb_drop_last(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples - batch_size + 1, batch_size)]


def _mb_no_shuffle(n_samples, batch_size, *, rng, shuffle=True):
    order = np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def _mb_shuffle_ignored_flag(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def _mb_reshuffle_each_batch(n_samples, batch_size, *, rng, shuffle=True):
    batches = []
    for s in range(0, n_samples, batch_size):
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        batches.append(order[s:s + batch_size])
    return batches


def _mb_global(n_samples, batch_size, *, rng, shuffle=True):
    order = np.random.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def _mb_choice(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.choice(n_samples, n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def _mb_array_split(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return np.array_split(order, max(1, n_samples // batch_size))


def _mb_one_short(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size - 1] for s in range(0, n_samples, batch_size)]


def _mb_overlapping(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, max(1, batch_size - 1))]


def _mb_fixed_seed(n_samples, batch_size, *, rng, shuffle=True):
    order = np.random.default_rng(0).permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


register(Exercise(
    id="minibatches", lesson=TRAINING_LOOP, title="Mini-batches after a seeded shuffle", points=2,
    reference=optim.minibatches, make_cases=_minibatches_cases, run=_run_minibatches,
    mistakes=(
        Mistake("last-partial-batch-dropped", _mb_drop_last,
                "the last, smaller batch is missing: when batch_size does not divide n_samples the remaining "
                "samples still form one batch (every sample is used once per epoch); loop with "
                "range(0, n_samples, batch_size)"),
        Mistake("never-shuffled", _mb_no_shuffle,
                "the batches come in the original order: shuffle once per epoch with order = "
                "rng.permutation(n_samples) and slice that order"),
        Mistake("shuffle-flag-ignored", _mb_shuffle_ignored_flag,
                "with shuffle=False the indices must stay in order 0, 1, 2, ...; shuffle only when asked"),
        Mistake("reshuffled-for-every-batch", _mb_reshuffle_each_batch,
                "you drew a new permutation for every batch, so some samples appear twice and others never; "
                "shuffle once per epoch, then slice that one order"),
        Mistake("own-generator", _mb_fixed_seed,
                "you made your own generator instead of using the `rng` argument: use rng.permutation(n_samples), "
                "so the caller's seed decides the order"),
        Mistake("global-random", _mb_global,
                "np.random.permutation (or np.random.shuffle) draws from numpy's global generator, which the "
                "caller's seed does not decide: use the `rng` argument, rng.permutation(n_samples)"),
        Mistake("choice-with-replacement", _mb_choice,
                "rng.choice(n, n) draws with replacement, so some samples repeat and others are missing: "
                "rng.permutation(n_samples) is a shuffle that holds every index once"),
        Mistake("array-split", _mb_array_split,
                "np.array_split(order, n // batch_size) makes batches of other sizes: cut consecutive slices "
                "order[start:start + batch_size] for start in range(0, n_samples, batch_size)"),
        Mistake("batch-one-short", _mb_one_short,
                "order[start:start + batch_size] already holds batch_size indices (the end is excluded); "
                "- 1 drops one per batch"),
        Mistake("overlapping-batches", _mb_overlapping,
                "step the start by batch_size, range(0, n_samples, batch_size), so that batches do not overlap"),
    ),
))


# --------------------------------------------------------------------------- #
# momentum-step: v <- beta v + g, theta <- theta - lr v   (6.3)
# --------------------------------------------------------------------------- #


def _momentum_cases(rng):
    cases = [Case("hand-worked: theta=[1, 1], grad=[1, -2], v=[0.5, 0.5], lr=0.2, beta=0.9 "
                  "(v_new = [1.45, -1.55], theta_new = [0.71, 1.31])",
                  (np.array([1.0, 1.0]), np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.2, 0.9)),
             Case("first step (velocity starts at zero)", (_normal(rng, (4,)), _normal(rng, (4,)), np.zeros(4), 0.05, 0.9))]
    for shape in SHAPES:
        cases.append(Case(f"random arrays of shape {shape}",
                          (_normal(rng, shape), _normal(rng, shape), _normal(rng, shape),
                           float(rng.uniform(0.01, 0.3)), float(rng.uniform(0.5, 0.99)))))
    cases.append(Case("beta = 0 (plain gradient descent)", (_normal(rng, (3,)), _normal(rng, (3,)), _normal(rng, (3,)), 0.1, 0.0)))
    return cases


def _mom_sign(theta, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    return theta + lr * v, v


def _mom_ema(theta, grad, velocity, lr, beta=0.9):
    v = beta * velocity + (1 - beta) * grad
    return theta - lr * v, v


def _mom_old_velocity(theta, grad, velocity, lr, beta=0.9):
    return theta - lr * velocity, beta * velocity + grad


def _mom_cs231n(theta, grad, velocity, lr, beta=0.9):
    v = beta * velocity - lr * grad
    return theta + v, v


def _mom_lr_in_velocity(theta, grad, velocity, lr, beta=0.9):
    v = beta * velocity + lr * grad
    return theta - lr * v, v


register(Exercise(
    id="momentum-step", lesson=OPTIMISERS, title="One momentum step", points=2,
    reference=optim.momentum_update, make_cases=_momentum_cases, output_names=("theta_new", "velocity_new"),
    fresh_result=True,
    mistakes=(
        Mistake("sign", _mom_sign,
                "theta moved uphill: the velocity accumulates gradients, so the step is theta - lr * v"),
        Mistake("exponential-average", _mom_ema,
                "you averaged, v = beta v + (1 - beta) g; the course (and PyTorch) accumulates v = beta v + g "
                "(equation 6.3). Both work, but the learning rate means different things"),
        Mistake("old-velocity", _mom_old_velocity,
                "you stepped with the old velocity: update v first, v = beta v + g, then theta - lr * v"),
        Mistake("cs231n-form", _mom_cs231n,
                "that is the other common form (v = beta v - lr g, theta + v); this lesson stores v as a sum of "
                "gradients, v = beta v + g, and steps theta - lr * v"),
        Mistake("lr-twice", _mom_lr_in_velocity,
                "the learning rate appears twice: v = beta v + g holds no lr; lr multiplies v in the step"),
        Mistake("beta-on-the-gradient", lambda theta, grad, velocity, lr, beta=0.9: (
            theta - lr * (velocity + beta * grad), velocity + beta * grad),
                "beta multiplies the old velocity, not the gradient: v = beta v + g"),
        Mistake("step-with-the-gradient", lambda theta, grad, velocity, lr, beta=0.9: (
            theta - lr * grad, beta * velocity + grad),
                "step with the new velocity, theta - lr * v: stepping with the gradient alone is plain gradient "
                "descent, and the velocity does nothing"),
        Mistake("outputs-swapped", lambda theta, grad, velocity, lr, beta=0.9: (
            beta * velocity + grad, theta - lr * (beta * velocity + grad)),
                "return the new parameters first and the new velocity second: (theta_new, velocity_new)"),
    ),
))


# --------------------------------------------------------------------------- #
# rmsprop-step: s <- rho s + (1 - rho) g^2, theta <- theta - lr g / (sqrt(s) + eps)   (6.4)
# --------------------------------------------------------------------------- #


def _rmsprop_cases(rng):
    cases = [Case("hand-worked: theta=[1], grad=[2], s=[0], lr=0.1, rho=0.9, eps=1e-8",
                  (np.array([1.0]), np.array([2.0]), np.array([0.0]), 0.1, 0.9, 1e-8))]
    for shape in SHAPES:
        cases.append(Case(f"random arrays of shape {shape}",
                          (_normal(rng, shape), _normal(rng, shape), rng.uniform(0.0, 2.0, shape),
                           float(rng.uniform(0.001, 0.1)), float(rng.uniform(0.8, 0.99)), 1e-8)))
    cases.append(Case("tiny gradients (where eps matters)",
                      (_normal(rng, (4,)), _normal(rng, (4,), 1e-6), np.zeros(4), 0.01, 0.9, 1e-6)))
    cases.append(Case("large eps = 0.1", (_normal(rng, (3,)), _normal(rng, (3,)), rng.uniform(0.0, 1.0, 3), 0.01, 0.9, 0.1)))
    return cases


def _rms_step(theta, grad, sq_avg, lr, rho, eps):
    s = rho * sq_avg + (1 - rho) * grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def _rms_no_one_minus_rho(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = rho * sq_avg + grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def _rms_multiplied(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = rho * sq_avg + (1 - rho) * grad**2
    return theta - lr * grad * (np.sqrt(s) + eps), s


def _rms_eps_inside(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = rho * sq_avg + (1 - rho) * grad**2
    return theta - lr * grad / np.sqrt(s + eps), s


def _rms_no_square(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = rho * sq_avg + (1 - rho) * grad
    return theta - lr * grad / (np.sqrt(np.abs(s)) + eps), s


def _rms_no_sqrt(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = rho * sq_avg + (1 - rho) * grad**2
    return theta - lr * grad / (s + eps), s


def _rms_old_average(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    return theta - lr * grad / (np.sqrt(sq_avg) + eps), rho * sq_avg + (1 - rho) * grad**2


def _rms_rho_swapped(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    s = (1 - rho) * sq_avg + rho * grad**2
    return theta - lr * grad / (np.sqrt(s) + eps), s


register(Exercise(
    id="rmsprop-step", lesson=OPTIMISERS, title="One RMSProp step", points=2,
    reference=optim.rmsprop_update, make_cases=_rmsprop_cases, output_names=("theta_new", "sq_avg_new"),
    fresh_result=True,
    mistakes=(
        Mistake("eps-inside-sqrt", _rms_eps_inside,
                "eps goes outside the square root: grad / (np.sqrt(s) + eps) (equation 6.4)"),
        Mistake("gradient-not-squared", _rms_no_square,
                "the running average is of the squared gradient: s = rho s + (1 - rho) grad**2"),
        Mistake("no-square-root", _rms_no_sqrt,
                "divide by the root mean square, np.sqrt(s) + eps, not by s itself"),
        Mistake("old-average", _rms_old_average,
                "update s with this step's gradient first, then divide by np.sqrt(s_new) + eps"),
        Mistake("rho-swapped", _rms_rho_swapped,
                "rho weights the old average and (1 - rho) the new squared gradient: s = rho s + (1 - rho) g**2"),
        Mistake("eps-ignored", lambda theta, grad, sq_avg, lr, rho=0.9, eps=1e-8: _rms_step(theta, grad, sq_avg, lr, rho, 1e-8),
                "use the eps argument (1e-8 is only its default): grad / (np.sqrt(s) + eps)"),
        Mistake("no-one-minus-rho", _rms_no_one_minus_rho,
                "the new squared gradient enters with weight (1 - rho): s = rho s + (1 - rho) grad**2"),
        Mistake("ascent", lambda theta, grad, sq_avg, lr, rho=0.9, eps=1e-8: (
            2 * theta - _rms_step(theta, grad, sq_avg, lr, rho, eps)[0], _rms_step(theta, grad, sq_avg, lr, rho, eps)[1]),
                "theta moved uphill: subtract the step, theta - lr * grad / (np.sqrt(s) + eps)"),
        Mistake("multiplied-not-divided", _rms_multiplied,
                "divide the gradient by the root mean square, grad / (np.sqrt(s) + eps), do not multiply"),
    ),
))


# --------------------------------------------------------------------------- #
# adam-step   (6.5)
# --------------------------------------------------------------------------- #


def _adam_cases(rng):
    def arrays(shape):
        return (_normal(rng, shape), _normal(rng, shape), _normal(rng, shape, 0.1), rng.uniform(0.0, 0.5, shape))

    cases = [Case("hand-worked first step: theta=[1], grad=[0.5], m=v=[0], t=0, lr=0.1 (theta_new = [0.9])",
                  (np.array([1.0]), np.array([0.5]), np.array([0.0]), np.array([0.0]), 0, 0.1)),
             Case("first step, t=0 (bias correction matters most)",
                  (_normal(rng, (4,)), _normal(rng, (4,)), np.zeros(4), np.zeros(4), 0, 0.01))]
    for shape, t in zip(SHAPES, (1, 5, 40)):
        theta, grad, m, v = arrays(shape)
        cases.append(Case(f"random arrays of shape {shape}, t={t}",
                          (theta, grad, m, v, t, float(rng.uniform(0.001, 0.05)))))
    cases.append(Case("other betas (0.8, 0.99), t=3",
                      (*arrays((3,)), 3), {"lr": 0.02, "beta1": 0.8, "beta2": 0.99}))
    cases.append(Case("tiny gradients and eps=1e-4 (where eps matters), t=2",
                      (_normal(rng, (4,)), _normal(rng, (4,), 1e-6), np.zeros(4), np.zeros(4), 2),
                      {"lr": 0.01, "eps": 1e-4}))
    return cases


def _adam_factory(*, correct=True, eps_inside=False, t_after=False, sign=-1.0, beta1_for_both=False,
                  return_hats=False, t_out=1, m_of_squares=False, no_sqrt=False):
    def adam(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        t_used = t if t_after else t + 1
        m = beta1 * m + (1 - beta1) * (grad**2 if m_of_squares else grad)
        v = beta2 * v + (1 - beta2) * grad**2
        with np.errstate(divide="ignore", invalid="ignore"):
            if correct:
                m_hat = m / (1 - beta1**t_used)
                v_hat = v / (1 - (beta1 if beta1_for_both else beta2) ** t_used)
            else:
                m_hat, v_hat = m, v
            if no_sqrt:
                denom = v_hat + eps
            else:
                denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
            theta_new = theta + sign * lr * m_hat / denom
        if return_hats:
            return theta_new, m_hat, v_hat, t + t_out
        return theta_new, m, v, t + t_out
    return adam


register(Exercise(
    id="adam-step", lesson=OPTIMISERS, title="One Adam step with bias correction", points=3,
    reference=optim.adam_update, make_cases=_adam_cases, output_names=("theta_new", "m_new", "v_new", "t_new"),
    mistakes=(
        Mistake("no-bias-correction", _adam_factory(correct=False),
                "the bias correction is missing: m and v start at zero and are too small early on; divide by "
                "(1 - beta1**t) and (1 - beta2**t) before the step"),
        Mistake("eps-inside-sqrt", _adam_factory(eps_inside=True),
                "eps goes outside the square root: m_hat / (np.sqrt(v_hat) + eps)"),
        Mistake("counter-incremented-after-use", _adam_factory(t_after=True),
                "increment the step counter before using it: t = t + 1 first, then 1 - beta**t (on the first "
                "step t is 1, so 1 - beta**0 = 0 never appears)"),
        Mistake("sign", _adam_factory(sign=1.0),
                "theta moved uphill: the step is theta - lr * m_hat / (sqrt(v_hat) + eps)"),
        Mistake("beta1-in-both-corrections", _adam_factory(beta1_for_both=True),
                "v's bias correction uses beta2: v_hat = v / (1 - beta2**t)"),
        Mistake("returned-corrected-moments", _adam_factory(return_hats=True),
                "return the running averages m and v themselves; the corrected m_hat and v_hat are only for "
                "this step (correcting them again next step would be wrong)"),
        Mistake("t-not-returned-incremented", _adam_factory(t_out=0),
                "return the counter incremented, t + 1: it counts the steps taken, this one included"),
        Mistake("m-of-squared-gradient", _adam_factory(m_of_squares=True),
                "m averages the gradient itself, m = beta1 m + (1 - beta1) grad; only v averages grad**2"),
        Mistake("no-square-root", _adam_factory(no_sqrt=True),
                "divide by the square root of v_hat: m_hat / (np.sqrt(v_hat) + eps)"),
    ),
))


# --------------------------------------------------------------------------- #
# lr-schedule: step decay   (6.6)
# --------------------------------------------------------------------------- #


EPOCHS = tuple(range(0, 41))
#: The same epochs again in a fixed scrambled order: a schedule is a function of the epoch, whatever was asked before.
OUT_OF_ORDER = tuple(np.random.default_rng(6).permutation(EPOCHS).tolist())


def _run_schedule(objects, case):
    schedule = objects[0](*case.args, **case.kwargs)
    in_order = np.array([float(schedule(epoch)) for epoch in EPOCHS])
    scrambled = {epoch: float(schedule(epoch)) for epoch in OUT_OF_ORDER}
    again = np.array([scrambled[epoch] for epoch in EPOCHS])
    return {"schedule(epoch) for epochs 0 .. 40": in_order,
            "the same values when called again, out of order": bool(np.allclose(again, in_order, rtol=1e-12))}


def _schedule_cases(rng):
    lr0, lr1, lr2 = (float(v) for v in rng.uniform(0.01, 1.0, size=3))
    f2, k2 = float(rng.uniform(0.2, 0.9)), int(rng.integers(3, 8))
    return [
        Case("lr=0.1, factor=0.5, every=10 (0.1 for epochs 0-9, 0.05 for 10-19, ...)", (0.1,), {"factor": 0.5, "every": 10}),
        Case(f"the defaults: step_decay({lr0:.3f}) (factor 0.5, every 10)", (lr0,)),
        Case(f"every=1: lr={lr1:.3f}, factor=0.9, decay every epoch", (lr1,), {"factor": 0.9, "every": 1}),
        Case(f"lr={lr2:.3f}, factor={f2:.3f}, every={k2}", (lr2,), {"factor": f2, "every": k2}),
        Case("factor=1 (a constant learning rate)", (0.3,), {"factor": 1.0, "every": 5}),
    ]


def _sched(rule):
    def step_decay(lr, factor=0.5, every=10):
        return lambda epoch: rule(lr, factor, every, epoch)
    return step_decay


def _sched_default(every):
    def step_decay(lr, factor=0.5, every=every):
        return lambda epoch: lr * factor ** (epoch // every)
    return step_decay


def _sched_stateful(lr, factor=0.5, every=10):
    state = {"lr": lr}

    def schedule(epoch):
        if epoch > 0 and epoch % every == 0:
            state["lr"] *= factor
        return state["lr"]

    return schedule


def _sched_continuous(lr, factor=0.5, every=10):
    return lambda epoch: lr * factor ** (epoch / every)


def _sched_off_by_one(lr, factor=0.5, every=10):
    return lambda epoch: lr * factor ** ((epoch + 1) // every)


def _sched_every_ignored(lr, factor=0.5, every=10):
    return lambda epoch: lr * factor ** epoch


def _sched_multiplied(lr, factor=0.5, every=10):
    return lambda epoch: lr * factor * (epoch // every) if epoch >= every else lr


register(Exercise(
    id="lr-schedule", lesson=TRAINING_LOOP, title="A step-decay learning-rate schedule", points=2,
    reference=optim.step_decay, make_cases=_schedule_cases, run=_run_schedule,
    mistakes=(
        Mistake("continuous-exponent", _sched_continuous,
                "the learning rate must stay constant within each block of `every` epochs: use integer "
                "division, factor ** (epoch // every), not epoch / every"),
        Mistake("off-by-one", _sched_off_by_one,
                "epochs count from 0: epochs 0 .. every-1 use the initial lr, so the exponent is epoch // every"),
        Mistake("every-ignored", _sched_every_ignored,
                "you decayed every epoch; the exponent is the number of completed blocks, epoch // every"),
        Mistake("multiplied-instead-of-powered", _sched_multiplied,
                "the decays compound: after k blocks the rate is lr * factor**k, a power, not lr * factor * k"),
        Mistake("state-between-calls", _sched_stateful,
                "the schedule keeps state between calls (it multiplies a stored rate, or counts its calls), so "
                "its answer depends on what was asked before: compute it from the epoch alone, "
                "lr * factor ** (epoch // every)"),
        Mistake("returned-a-number", lambda lr, factor=0.5, every=10: lr,
                "step_decay returns a *function*: define schedule(epoch) inside it and `return schedule`"),
        Mistake("divided-by-factor", _sched(lambda lr, f, k, e: lr / f ** (e // k)),
                "the rate shrinks: multiply by factor ** (epoch // every), do not divide"),
        Mistake("wrong-default", _sched_default(every=5),
                "keep the signature's defaults, factor=0.5 and every=10"),
        Mistake("modulo-not-division", _sched(lambda lr, f, k, e: lr * f ** (e % k)),
                "epoch % every is the position inside a block; the number of completed blocks is epoch // every"),
        Mistake("linear-decay", _sched(lambda lr, f, k, e: lr * (1 - (1 - f) * (e // k))),
                "step decay multiplies by the factor once per block, lr * factor ** (epoch // every); it does not "
                "subtract a fixed amount"),
    ),
))


# =========================================================================== #
# Exercises added by issue 13 (derive, then implement). They live in their own
# block at the end of the module, apart from the exercises above.
# =========================================================================== #

# --------------------------------------------------------------------------- #
# quadratic-rates: the stability limit, the fastest constant learning rate and
# its contraction factor on L(theta) = 1/2 theta^T A theta   (6.2) and below it
# --------------------------------------------------------------------------- #


def quadratic_rates(A):
    """``(limit, best_lr, best_factor)`` of plain gradient descent on :math:`\\tfrac12\\theta^\\top A\\theta`.

    Each eigen-coordinate is multiplied by :math:`1 - \\eta\\lambda_i` per step, so
    the distance to the minimum shrinks, in the worst direction, by
    :math:`r(\\eta) = \\max_i |1 - \\eta\\lambda_i| = \\max(|1 - \\eta\\lambda_{\\min}|, |1 - \\eta\\lambda_{\\max}|)`.
    It stays below 1 for :math:`\\eta < 2/\\lambda_{\\max}` (6.2) and is smallest where
    the two ends balance, :math:`1 - \\eta\\lambda_{\\min} = -(1 - \\eta\\lambda_{\\max})`:

    .. math:: \\eta^\\ast = \\frac{2}{\\lambda_{\\min} + \\lambda_{\\max}}, \\qquad
              r^\\ast = \\frac{\\lambda_{\\max} - \\lambda_{\\min}}{\\lambda_{\\max} + \\lambda_{\\min}}
              = \\frac{\\kappa - 1}{\\kappa + 1}.

    ``A``: a symmetric positive definite ``(d, d)`` array (the Hessian). Returns three
    floats. The reference of ``quadratic-rates`` (lesson 06).
    """
    lam = np.linalg.eigvalsh(A)  # ascending, real: A is symmetric
    lam_min, lam_max = float(lam[0]), float(lam[-1])
    return 2.0 / lam_max, 2.0 / (lam_min + lam_max), (lam_max - lam_min) / (lam_max + lam_min)


def _rotation(rng, d):
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def _spd(rng, eigenvalues):
    """A symmetric positive definite matrix with these eigenvalues (in no particular order) and random axes."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    Q = _rotation(rng, eigenvalues.size)
    A = Q @ np.diag(eigenvalues) @ Q.T
    return 0.5 * (A + A.T)


def _quadratic_rates_cases(rng):
    turn = np.pi / 6
    R = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    d = int(rng.integers(3, 6))
    spread = rng.uniform(0.5, 50.0, size=d)
    return [
        Case("section 3's valley: A = diag(1, 20) (stability limit 0.1)", (np.diag([1.0, 20.0]),)),
        Case("the hand check: A = diag(1, 3) (best lr 0.5, factor 0.5)", (np.diag([1.0, 3.0]),)),
        Case("one parameter: L = 5 theta^2, A = [[10]] (question 1)", (np.array([[10.0]]),)),
        Case("a round bowl: A = 2 I, 3 x 3 (every direction alike)", (2.0 * np.eye(3),)),
        Case("the steep direction first: A = diag(20, 1)", (np.diag([20.0, 1.0]),)),
        Case("the valley turned by 30 degrees: A = R diag(1, 20) R^T (not diagonal)", (R @ np.diag([1.0, 20.0]) @ R.T,)),
        Case(f"random axes, {d} x {d}, eigenvalues between 0.5 and 50", (_spd(rng, spread),)),
        Case("ill-conditioned: 5 x 5, random axes, kappa = 1000", (_spd(rng, rng.permutation([0.01, 0.3, 1.0, 4.0, 10.0])),)),
    ]


def _rates_from(lam_min, lam_max, *, limit=None, best=None, factor=None):
    """The reference's three numbers from two eigenvalues, with one of them replaced by a learner's formula."""
    right = (2.0 / lam_max, 2.0 / (lam_min + lam_max), (lam_max - lam_min) / (lam_max + lam_min))
    return tuple(float(mine(lam_min, lam_max)) if mine is not None else value
                 for mine, value in zip((limit, best, factor), right))


def _rates_with(**formulas):
    def quadratic_rates(A):
        lam = np.linalg.eigvalsh(A)
        return _rates_from(lam[0], lam[-1], **formulas)
    return quadratic_rates


def _rates_from_diagonal(A):
    lam = np.sort(np.diag(A))
    return _rates_from(lam[0], lam[-1])


def _rates_unsorted_eigvals(A):
    lam = np.real(np.linalg.eigvals(A))  # in no particular order
    return _rates_from(lam[0], lam[-1])


register(Exercise(
    id="quadratic-rates", lesson=OPTIMISERS, title="The fastest constant learning rate on a quadratic (derived)",
    points=3, reference=quadratic_rates, make_cases=_quadratic_rates_cases,
    output_names=("limit", "best_lr", "best_factor"),
    mistakes=(
        Mistake("diagonal-not-eigenvalues", _rates_from_diagonal,
                "the diagonal entries of A are its eigenvalues only when A is diagonal; a turned valley mixes "
                "the directions: take lam = np.linalg.eigvalsh(A)"),
        Mistake("eigenvalues-unsorted", _rates_unsorted_eigvals,
                "np.linalg.eigvals returns the eigenvalues in no particular order, so lam[0] need not be the "
                "smallest: use lam.min() and lam.max(), or np.linalg.eigvalsh(A), which sorts them (ascending)"),
        Mistake("limit-one-over-lambda", _rates_with(limit=lambda lo, hi: 1.0 / hi),
                "|1 - lr * lam| < 1 allows lr * lam up to 2, not 1: the stability limit is 2 / lam_max (6.2); "
                "1 / lam_max is where the steep direction lands on the minimum in one step"),
        Mistake("limit-from-lambda-min", _rates_with(limit=lambda lo, hi: 2.0 / lo),
                "the steepest direction, the largest eigenvalue, sets the limit: 2 / lam_max; with 2 / lam_min "
                "the steep direction grows every step"),
        Mistake("best-one-over-lambda-max", _rates_with(best=lambda lo, hi: 1.0 / hi),
                "lr = 1 / lam_max settles the steep direction in one step but leaves the flat one shrinking by "
                "only 1 - lam_min / lam_max; the best lr balances both ends: 1 - lr lam_min = -(1 - lr lam_max)"),
        Mistake("best-sum-not-halved", _rates_with(best=lambda lo, hi: 1.0 / (lo + hi)),
                "solve 1 - lr lam_min = -(1 - lr lam_max) again: it gives lr (lam_min + lam_max) = 2"),
        Mistake("best-mean-of-step-rates", _rates_with(best=lambda lo, hi: 0.5 * (1.0 / lo + 1.0 / hi)),
                "the mean of 1 / lam_min and 1 / lam_max is beyond the stability limit when lam_max > 3 lam_min; "
                "the best lr makes the two factors equal in size: 1 - lr lam_min = -(1 - lr lam_max)"),
        Mistake("factor-one-minus-inverse-kappa", _rates_with(factor=lambda lo, hi: 1.0 - lo / hi),
                "1 - lam_min / lam_max is the factor at lr = 1 / lam_max; at the best lr the flat direction's "
                "factor is 1 - lr* lam_min = (lam_max - lam_min) / (lam_max + lam_min)"),
        Mistake("factor-without-absolute-value", _rates_with(factor=lambda lo, hi: (lo - hi) / (lo + hi)),
                "a factor is a size, |1 - lr lam|: at the best lr, 1 - lr lam_max is negative (the steep "
                "direction flips sign every step), and the distance shrinks by its absolute value"),
    ),
))
