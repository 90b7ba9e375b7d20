"""Exercise checks for lesson 07, in two parts: ``07a_overfitting_and_l2.ipynb`` (the split, the L2
penalty and its gradient, ridge regression) and ``07b_l1_dropout_early_stopping.ipynb`` (the L1
subgradient, dropout, early stopping).

References are the package's functions in :mod:`nncourse.regularization`.
The conventions checked (``COURSE.md``): penalties on weight matrices only,
:math:`\\frac{\\lambda_2}{2}\\sum\\lVert W\\rVert^2` with gradient :math:`\\lambda_2 W`,
:math:`\\lambda_1\\sum|W|` with subgradient :math:`\\lambda_1\\operatorname{sign}(W)`
and ``sign(0) = 0``; inverted dropout with ``drop_prob``, a unit kept where
``rng.random(A.shape) >= drop_prob``, the cache being the scaled mask.

Randomness: a case holds a seed, never a generator; ``run`` makes a fresh
``np.random.default_rng(seed)`` for each call so the learner's code and the
reference see the same random numbers.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import regularization as reg
from ._definitions import Case, Exercise, Mistake, register
from ._running import ArgumentModified

# Lesson 7 comes in two parts; each exercise names the part it lives in.
OVERFITTING_AND_L2 = "07a_overfitting_and_l2"
L1_DROPOUT_EARLY_STOPPING = "07b_l1_dropout_early_stopping"


def _params(rng, sizes):
    return [(rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


# --------------------------------------------------------------------------- #
# l2-penalty   (7.2)
# --------------------------------------------------------------------------- #


def _l2_penalty_cases(rng):
    return [
        Case("hand-worked: W=[[1, 2], [3, 0]], b=[5, 5], l2=0.1 (0.05 * 14 = 0.7)",
             ([(np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([5.0, 5.0]))], 0.1)),
        Case("one layer 3 -> 4", (_params(rng, [3, 4]), float(rng.uniform(0.001, 1.0)))),
        Case("three layers 2 -> 5 -> 4 -> 3", (_params(rng, [2, 5, 4, 3]), float(rng.uniform(0.001, 1.0)))),
        Case("two layers 6 -> 3 -> 1, l2=0.01", (_params(rng, [6, 3, 1]), 0.01)),
        Case("l2 = 0 (no penalty)", (_params(rng, [2, 3, 2]), 0.0)),
    ]


def _l2p_biases(params, l2):
    return 0.5 * l2 * sum(np.sum(W**2) + np.sum(b**2) for W, b in params)


def _l2p_no_half(params, l2):
    return l2 * sum(np.sum(W**2) for W, _ in params)


def _l2p_norm_not_squared(params, l2):
    return 0.5 * l2 * sum(np.sqrt(np.sum(W**2)) for W, _ in params)


def _l2p_first_layer(params, l2):
    W = params[0][0]
    return 0.5 * l2 * np.sum(W**2)


def _l2p_mean(params, l2):
    return 0.5 * l2 * sum(np.mean(W**2) for W, _ in params)


register(Exercise(
    id="l2-penalty", lesson=OVERFITTING_AND_L2, title="The L2 penalty over every weight matrix", points=1,
    reference=reg.l2_penalty, make_cases=_l2_penalty_cases,
    mistakes=(
        Mistake("biases-penalised", _l2p_biases,
                "only the weight matrices are penalised, not the biases: sum W**2 for each (W, b), ignore b"),
        Mistake("no-1-2", _l2p_no_half,
                "the course's penalty is (l2 / 2) * sum W**2, so that its gradient is exactly l2 * W"),
        Mistake("norm-not-squared", _l2p_norm_not_squared,
                "use the squared Frobenius norm, np.sum(W**2), not its square root"),
        Mistake("first-layer-only", _l2p_first_layer,
                "add the penalty of every layer's weight matrix, not only the first"),
        Mistake("mean-instead-of-sum", _l2p_mean,
                "sum the squares (np.sum), do not average them: larger layers carry more penalty"),
        Mistake("last-layer-only", lambda params, l2: 0.5 * l2 * np.sum(params[-1][0] ** 2),
                "add the penalty of every layer's weight matrix (a loop over params), not only the last"),
        Mistake("l1-instead-of-l2", lambda params, l2: 0.5 * l2 * sum(np.sum(np.abs(W)) for W, _ in params),
                "the L2 penalty squares the weights, sum of W**2; sum of |W| is the L1 penalty"),
        Mistake("list-per-layer", lambda params, l2: [0.5 * l2 * np.sum(W ** 2) for W, _ in params],
                "return one number, the sum over the layers (sum(...) of the per-layer terms), not a list"),
        Mistake("l2-squared", lambda params, l2: 0.5 * l2 ** 2 * sum(np.sum(W ** 2) for W, _ in params),
                "the strength multiplies the penalty once: (l2 / 2) * sum W**2, not l2**2"),
    ),
))


# --------------------------------------------------------------------------- #
# l2-grad   (7.3)
# --------------------------------------------------------------------------- #


def _matrix_cases(rng, with_zeros=False):
    def mat(shape):
        W = rng.standard_normal(shape)
        if with_zeros:
            W[rng.random(shape) < 0.3] = 0.0
            W.flat[0] = 0.0
        return W

    hand = np.array([[0.5, -2.0], [0.0, 3.0]])
    s1, s2 = (float(v) for v in rng.uniform(0.001, 1.0, size=2))
    return [
        Case("hand-worked: W=[[0.5, -2], [0, 3]], strength 0.1", (hand, 0.1)),
        Case(f"random 3 x 4, strength {s1:.3f}", (mat((3, 4)), s1)),
        Case(f"random 5 x 2, strength {s2:.3f}", (mat((5, 2)), s2)),
        Case("a column 4 x 1, strength 0.05", (mat((4, 1)), 0.05)),
        Case("strength 0 (no penalty), 2 x 3", (mat((2, 3)), 0.0)),
        Case("weights of about 1000 (3 x 3), strength 0.01", (mat((3, 3)) * 1e3, 0.01), extreme=True),
    ]


register(Exercise(
    id="l2-grad", lesson=OVERFITTING_AND_L2, title="The gradient of the L2 penalty", points=1,
    reference=reg.l2_grad, make_cases=lambda rng: _matrix_cases(rng) + [
        Case("strength 1 on a (3, 2) matrix: the gradient equals W, but as a new array", (rng.standard_normal((3, 2)), 1.0))],
    fresh_result=True,
    mistakes=(
        Mistake("factor-2", lambda W, l2: 2 * l2 * W,
                "the penalty is (l2 / 2) * sum W**2; the 2 of the derivative cancels the 1/2, so the gradient is l2 * W"),
        Mistake("factor-1-2", lambda W, l2: 0.5 * l2 * W,
                "d/dW of (l2 / 2) W**2 is l2 * W: the 2 from the power cancels the 1/2"),
        Mistake("applied-the-update", lambda W, l2: W - l2 * W,
                "return the gradient l2 * W, not the weights after a decay step"),
        Mistake("penalty-not-gradient", lambda W, l2: 0.5 * l2 * W**2,
                "that is the penalty of each weight; its derivative is l2 * W"),
        Mistake("l1-gradient", lambda W, l2: l2 * np.sign(W),
                "l2 * sign(W) is the L1 penalty's gradient; the L2 penalty's is l2 * W"),
        Mistake("summed-to-a-number", lambda W, l2: float(l2 * np.sum(W)),
                "the gradient has W's shape: one partial derivative per weight, l2 * W, not their sum"),
        Mistake("w-squared", lambda W, l2: l2 * W**2,
                "d/dW of (l2 / 2) W**2 is l2 * W: differentiating lowers the power"),
    ),
))


# --------------------------------------------------------------------------- #
# l1-grad   (7.4)
# --------------------------------------------------------------------------- #


def _l1_cases(rng):
    return _matrix_cases(rng, with_zeros=True) + [Case("all zeros (2, 2), strength 0.3: sign(0) = 0",
                                                       (np.zeros((2, 2)), 0.3))]


def _l1_divide(W, l1):
    with np.errstate(invalid="ignore", divide="ignore"):
        return l1 * W / np.abs(W)


register(Exercise(
    id="l1-grad", lesson=L1_DROPOUT_EARLY_STOPPING, title="The subgradient of the L1 penalty", points=2,
    reference=reg.l1_grad, make_cases=_l1_cases,
    mistakes=(
        Mistake("sign-0-1", lambda W, l1: l1 * np.where(W >= 0, 1.0, -1.0),
                "at W = 0 the course takes sign(0) = 0 (np.sign does): a weight that is exactly zero gets no push"),
        Mistake("w-w", _l1_divide,
                "W / |W| is 0/0 = NaN at W = 0; use np.sign(W), which gives 0 there"),
        Mistake("l2-gradient", lambda W, l1: l1 * W,
                "that is the L2 gradient; |W| has slope +1 or -1: l1 * np.sign(W)"),
        Mistake("penalty-not-gradient", lambda W, l1: l1 * np.abs(W),
                "that is the penalty of each weight; its derivative is l1 * np.sign(W)"),
        Mistake("sign-flipped", lambda W, l1: -l1 * np.sign(W),
                "the gradient of |W| points away from 0 (+1 for positive W); the minus sign belongs to the update step"),
        Mistake("sign-0-minus-1", lambda W, l1: l1 * np.where(W > 0, 1.0, -1.0),
                "np.where(W > 0, 1, -1) gives -1 at W = 0; the course takes sign(0) = 0 (np.sign does): a weight "
                "that is exactly zero gets no push"),
        Mistake("strength-ignored", lambda W, l1: np.sign(W),
                "multiply by the strength: l1 * np.sign(W)"),
    ),
))


# --------------------------------------------------------------------------- #
# dropout-forward   (7.6)
# --------------------------------------------------------------------------- #


def _run_dropout(objects, case):
    A, drop_prob = case.args
    rng = np.random.default_rng(case.kwargs["seed"])
    return objects[0](A, drop_prob, rng=rng, training=case.kwargs["training"])


def _dropout_cases(rng):
    def seed():
        return int(rng.integers(0, 2**31))

    p_random = float(rng.uniform(0.1, 0.9))
    return [
        Case("drop_prob=0.25 on a 4 x 5 batch of ones (kept units become 1/0.75)", (np.ones((4, 5)), 0.25), {"seed": seed(), "training": True}),
        Case("drop_prob=0.2, random 6 x 3", (rng.standard_normal((6, 3)), 0.2), {"seed": seed(), "training": True}),
        Case("drop_prob=0.8, random 10 x 8", (rng.standard_normal((10, 8)), 0.8), {"seed": seed(), "training": True}),
        Case(f"drop_prob={p_random:.3f}, random 3 x 7", (rng.standard_normal((3, 7)), p_random),
             {"seed": seed(), "training": True}),
        Case("evaluation (training=False), drop_prob 0.5: a copy of A, and None", (rng.standard_normal((4, 3)), 0.5),
             {"seed": seed(), "training": False}),
        Case("drop_prob=0.3 on a vector of 12", (rng.standard_normal(12), 0.3), {"seed": seed(), "training": True}),
    ]


def _dropout_factory(*, rescale="divide", keep_if_below=False, always=False, cache="scaled", at_eval="copy",
                     own_rng=False):
    def dropout_forward(A, drop_prob, *, rng, training=True):
        if not training and not always:
            return (A * (1.0 - drop_prob) if at_eval == "scaled" else A.copy()), None
        u = (np.random.default_rng(0) if own_rng else rng).random(A.shape)
        keep = (u < drop_prob) if keep_if_below else (u >= drop_prob)
        scale = {"divide": 1.0 / (1.0 - drop_prob), "none": 1.0, "multiply": 1.0 - drop_prob,
                 "by_drop": 1.0 / drop_prob}[rescale]
        mask = keep * scale
        return A * mask, (mask if cache == "scaled" else keep if cache == "bool" else keep * 1.0)
    return dropout_forward


register(Exercise(
    id="dropout-forward", lesson=L1_DROPOUT_EARLY_STOPPING, title="Inverted dropout, forward", points=2,
    reference=reg.dropout_forward, make_cases=_dropout_cases, run=_run_dropout, output_names=("out", "mask"),
    fresh_result=True,
    mistakes=(
        Mistake("not-rescaled", _dropout_factory(rescale="none"),
                "kept units must be scaled by 1 / (1 - drop_prob) (inverted dropout), so the expected "
                "activation is unchanged and evaluation needs no correction"),
        Mistake("keep-and-drop-confused", _dropout_factory(keep_if_below=True),
                "drop_prob is the probability of DROPPING a unit: keep where rng.random(A.shape) >= drop_prob"),
        Mistake("keep-and-drop-confused-scaled-by-1-p", _dropout_factory(keep_if_below=True, rescale="by_drop"),
                "drop_prob is the probability of DROPPING a unit: keep where rng.random(A.shape) >= drop_prob "
                "and scale the kept units by 1 / (1 - drop_prob)"),
        Mistake("active-at-evaluation", _dropout_factory(always=True),
                "at evaluation (training=False) dropout is the identity: return a copy of A and None"),
        Mistake("multiplied-by-keep-probability", _dropout_factory(rescale="multiply"),
                "divide the kept units by the keep probability (1 - drop_prob); multiplying by it is the old, "
                "non-inverted scaling done at test time"),
        Mistake("scaled-by-drop-prob", _dropout_factory(rescale="by_drop"),
                "scale the kept units by 1 / (1 - drop_prob), the inverse of the probability of *keeping* them, "
                "not by 1 / drop_prob"),
        Mistake("unscaled-mask-cached", _dropout_factory(cache="bool"),
                "cache the *scaled* mask M (0 or 1 / (1 - drop_prob), floats): the backward pass multiplies by it "
                "(7.7), so a True/False mask loses the scale"),
        Mistake("unscaled-float-mask-cached", _dropout_factory(cache="float"),
                "cache the *scaled* mask M = keep / (1 - drop_prob): the backward pass multiplies by exactly the "
                "factors the forward pass used"),
        Mistake("scaled-at-evaluation", _dropout_factory(at_eval="scaled"),
                "inverted dropout does all its scaling in training: at evaluation return a plain copy of A (and None)"),
        Mistake("own-generator", _dropout_factory(own_rng=True),
                "draw u from the `rng` argument (rng.random(A.shape)), not from a generator of your own: the caller's "
                "seed decides the mask"),
    ),
))


# --------------------------------------------------------------------------- #
# dropout-backward   (7.7)
# --------------------------------------------------------------------------- #


def _dropout_backward_cases(rng):
    def mask(shape, drop_prob):
        return (rng.random(shape) >= drop_prob) / (1.0 - drop_prob)

    return [
        Case("hand-worked: dout=[[1, 2], [3, 4]], mask=[[2, 0], [0, 2]] (drop_prob 0.5)",
             (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 0.0], [0.0, 2.0]]))),
        Case("random 5 x 4, drop_prob 0.25", (rng.standard_normal((5, 4)), mask((5, 4), 0.25))),
        Case("random 3 x 6, drop_prob 0.6", (rng.standard_normal((3, 6)), mask((3, 6), 0.6))),
        Case("random 8 x 2, drop_prob 0.1", (rng.standard_normal((8, 2)), mask((8, 2), 0.1))),
        Case("cache None (dropout was off): the gradient passes unchanged", (rng.standard_normal((2, 3)), None)),
    ]


def _db_ignores_mask(dout, cache):
    return dout.copy()


def _db_binary_mask(dout, cache):
    return dout.copy() if cache is None else dout * (cache > 0)


def _db_rescaled_twice(dout, cache):
    if cache is None:
        return dout.copy()
    scale = cache.max()
    return dout * cache * scale


def _db_fresh_mask(dout, cache):
    if cache is None:
        return dout.copy()
    fresh = np.random.default_rng(12345).permutation(cache.ravel()).reshape(cache.shape)
    return dout * fresh


register(Exercise(
    id="dropout-backward", lesson=L1_DROPOUT_EARLY_STOPPING, title="Inverted dropout, backward", points=1,
    reference=reg.dropout_backward, make_cases=_dropout_backward_cases,
    mistakes=(
        Mistake("mask-ignored", _db_ignores_mask,
                "a dropped unit did not affect the loss, so its gradient is 0: multiply dout by the same mask"),
        Mistake("scale-lost", _db_binary_mask,
                "the forward pass multiplied kept units by 1 / (1 - drop_prob); the backward multiplies by the "
                "same scaled mask, dout * mask"),
        Mistake("rescaled-twice", _db_rescaled_twice,
                "the cached mask already holds the 1 / (1 - drop_prob) scale: multiply by it once"),
        Mistake("another-mask", _db_fresh_mask,
                "use the mask from the forward pass (the cache), never a new random one"),
        Mistake("divided-by-the-mask", lambda dout, cache: dout.copy() if cache is None else np.divide(
            dout, cache, out=np.zeros_like(dout), where=cache != 0),
                "the forward pass multiplied by the mask, so the backward pass multiplies by it too: dout * mask"),
        Mistake("none-not-handled", lambda dout, cache: dout * cache,
                "the cache is None when dropout was off (evaluation): then the gradient passes unchanged, "
                "return dout (a copy)"),
        Mistake("none-gives-zeros", lambda dout, cache: np.zeros_like(dout) if cache is None else dout * cache,
                "with cache None dropout was the identity, whose gradient passes dout through unchanged, not zeros"),
        Mistake("added-not-multiplied", lambda dout, cache: dout.copy() if cache is None else dout + cache,
                "the gradient through A * M is dout * M: multiply, do not add"),
    ),
))


# --------------------------------------------------------------------------- #
# early-stopping: a class, driven by `run`   (7.8)
# --------------------------------------------------------------------------- #


def _run_early_stopping(objects, case):
    """Feed the validation losses one epoch at a time while the 'training' changes
    the parameters in place, as a real training loop does."""
    cls = objects[0]
    losses = case.args[0]
    stopper = cls(**case.kwargs)
    W, b = np.zeros((2, 2)), np.zeros(2)
    params = [(W, b)]
    stopped_at = -1
    for epoch, loss in enumerate(losses):
        W[...] = epoch
        b[...] = -epoch
        if stopper.update(epoch, float(loss), params):
            stopped_at = epoch
            break
    # Training goes on changing the arrays in place (the step after the last update, or the caller's
    # next use): the best parameters must not follow.
    W[...] = -1.0
    b[...] = 1.0
    best = stopper.best_params
    best_W, best_b = (np.asarray(best[0][0], dtype=float), np.asarray(best[0][1], dtype=float)) if best else (None, None)
    return {"stopped_at": np.asarray(stopped_at), "best_epoch": np.asarray(int(stopper.best_epoch)),
            "best_loss": np.asarray(float(stopper.best_loss)), "best_W": best_W, "best_b": best_b}


def _early_cases(rng):
    noisy = 1.0 / np.arange(1, 31) + rng.uniform(0.0, 0.02, 30)
    noisy[12:] += np.linspace(0.0, 0.3, 18)
    return [
        Case("losses 1.0, 0.8, 0.9, 0.95, 0.99 with patience 3 (stop at epoch 4, best epoch 1)",
             (np.array([1.0, 0.8, 0.9, 0.95, 0.99, 0.5]),), {"patience": 3}),
        Case("steadily decreasing losses (never stops)", (np.linspace(1.0, 0.1, 12),), {"patience": 2}),
        Case("a noisy U-shaped curve, patience 5", (noisy,), {"patience": 5}),
        Case("a plateau of equal losses counts as no improvement",
             (np.array([0.5, 0.4, 0.4, 0.4, 0.4, 0.45, 0.45, 0.3]),), {"patience": 3}),
        Case("improvements smaller than min_delta do not count",
             (np.array([1.0, 0.95, 0.94, 0.935, 0.93, 0.932, 0.5]),), {"patience": 3, "min_delta": 0.02}),
        Case("losses 1.0, 0.9, 0.91, 0.92, 0.93, 0.94 with min_delta 0.02, patience 3: a small rise is no "
             "improvement (stop at epoch 4, best epoch 1)",
             (np.array([1.0, 0.9, 0.91, 0.92, 0.93, 0.94]),), {"patience": 3, "min_delta": 0.02}),
        Case("patience 1", (np.array([0.9, 0.7, 0.8, 0.6]),), {"patience": 1}),
        Case("an improvement resets the count", (np.array([1.0, 1.1, 1.2, 0.9, 1.0, 1.1, 1.2, 1.3]),), {"patience": 3}),
        Case("a zig-zag curve 1.0, 0.6, 0.8, 0.7, 0.75, 0.72, 0.74, 0.73 with patience 3: compare with the best "
             "(0.6), not with the previous epoch (stop at epoch 4, best epoch 1)",
             (np.array([1.0, 0.6, 0.8, 0.7, 0.75, 0.72, 0.74, 0.73]),), {"patience": 3}),
    ]


class _ESNoCopy(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = params
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESOffByOne(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs > self.patience


class _ESNoReset(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch = val_loss, epoch
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESTiesImprove(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss <= self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESCopiesEveryEpoch(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        self.best_params = copy.deepcopy(params)
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESPreviousEpoch(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        previous = getattr(self, "_previous", np.inf)
        self._previous = val_loss
        if val_loss < previous - self.min_delta:
            if val_loss < self.best_loss:
                self.best_loss, self.best_epoch = val_loss, epoch
                self.best_params = copy.deepcopy(params)
            self.bad_epochs = 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESDeltaWrongSide(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss < self.best_loss + self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESNoMinDelta(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        if val_loss < self.best_loss:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


register(Exercise(
    id="early-stopping", lesson=L1_DROPOUT_EARLY_STOPPING, title="Early stopping that keeps the best weights", points=3,
    reference=reg.EarlyStopping, make_cases=_early_cases, run=_run_early_stopping, kind="class",
    mistakes=(
        Mistake("no-copy", _ESNoCopy,
                "best_params holds the arrays that training keeps changing in place, so it follows every later "
                "change: store a deep copy, copy.deepcopy(params) (list(params) copies only the list, not the "
                "arrays in it)"),
        Mistake("patience-off-by-one", _ESOffByOne,
                "stop as soon as the number of epochs without improvement reaches patience (>=), not after one more"),
        Mistake("counter-not-reset", _ESNoReset,
                "an improvement must reset the count of bad epochs to 0"),
        Mistake("ties-improve", _ESTiesImprove,
                "an equal loss is not an improvement: require val_loss < best_loss - min_delta"),
        Mistake("min-delta-ignored", _ESNoMinDelta,
                "an improvement must beat the best loss by more than min_delta: val_loss < best_loss - min_delta"),
        Mistake("copies-every-epoch", _ESCopiesEveryEpoch,
                "best_params is overwritten with a copy on *every* epoch, so it holds the last weights: copy only "
                "inside the branch where the loss improved"),
        Mistake("compared-with-previous-epoch", _ESPreviousEpoch,
                "an epoch improves when its loss beats the *best* loss so far (minus min_delta), not the previous "
                "epoch's: keep best_loss and compare with it"),
        Mistake("min-delta-wrong-side", _ESDeltaWrongSide,
                "subtract min_delta: an improvement needs val_loss < best_loss - min_delta (adding it counts "
                "small increases as improvements)"),
    ),
))


# --------------------------------------------------------------------------- #
# train-val-split: judged by properties, so any correct way of drawing passes   (7.1)
# --------------------------------------------------------------------------- #


def _split_properties(split, X, y, seed, stratify):
    """What a correct split must satisfy, as plain numbers (the same for every correct implementation)."""
    first = split(X, y, val_fraction=0.2, test_fraction=0.3, seed=seed, stratify=stratify)
    again = split(X, y, val_fraction=0.2, test_fraction=0.3, seed=seed, stratify=stratify)
    other = split(X, y, val_fraction=0.2, test_fraction=0.3, seed=seed + 1, stratify=stratify)
    parts = [(np.asarray(Xp), np.asarray(yp)) for Xp, yp in first]
    rows = np.concatenate([Xp[:, 0] for Xp, _ in parts]).astype(int)  # column 0 holds the row number
    n_classes = int(y.max()) + 1
    return {
        "sizes": np.array([yp.shape[0] for _, yp in parts]),
        "each row exactly once": np.asarray(rows.size == y.size and np.array_equal(np.sort(rows), np.arange(y.size))),
        "rows keep their labels": np.asarray(all(np.array_equal(yp, y[Xp[:, 0].astype(int)]) for Xp, yp in parts)),
        "class counts per part": np.array([np.bincount(yp.astype(int), minlength=n_classes) for _, yp in parts])
        if stratify else np.zeros((3, n_classes), dtype=np.int64),
        "training part mixed": np.asarray(np.any(np.diff(parts[0][1]) > 0) and np.any(np.diff(parts[0][1]) < 0)),
        "same seed, same split": np.asarray(all(np.array_equal(np.asarray(a[0]), np.asarray(b[0]))
                                                for a, b in zip(first, again))),
        "other seed, other split": np.asarray(not np.array_equal(np.asarray(first[0][0]), np.asarray(other[0][0]))),
    }


def _run_split(objects, case):
    counts = case.args[0]
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.column_stack([np.arange(y.size, dtype=float), np.random.default_rng(case.kwargs["seed"]).random(y.size)])
    X_given, y_given = X.copy(), y.copy()
    properties = _split_properties(objects[0], X_given, y_given, case.kwargs["seed"], case.kwargs["stratify"])
    if not np.array_equal(X_given, X):
        raise ArgumentModified("X")
    if not np.array_equal(y_given, y):
        raise ArgumentModified("y")
    return properties


def _split_case(counts, seed, stratify=True):
    if stratify:
        test = " + ".join(str(round(0.3 * c)) for c in counts)
        val = " + ".join(str(round(0.2 * c)) for c in counts)
        name = (f"{len(counts)} classes of {', '.join(map(str, counts))}, val_fraction 0.2, test_fraction 0.3 "
                f"(per class: test {test}, validation {val})")
    else:
        n = sum(counts)
        name = (f"stratify=False: {n} samples ({len(counts)} classes of {counts[0]}) split as one group, "
                f"val_fraction 0.2, test_fraction 0.3 (test {round(0.3 * n)}, validation {round(0.2 * n)})")
    return Case(name, (counts,), {"seed": seed, "stratify": stratify})


def _split_cases(rng):
    def seed():
        return int(rng.integers(0, 2**31))

    return [
        _split_case([20, 30], seed()),
        _split_case([24, 36, 40], seed()),
        _split_case([50, 50], seed()),
        _split_case([10, 20, 30, 40], seed()),
        # 8 classes of 5: split as one group, the parts have other sizes than class by class (test 12, not
        # 8 x 2), and the training part (20 rows) is never sorted by chance.
        _split_case([5] * 8, seed(), stratify=False),
    ]


def _split_factory(*, stratified=True, pair_broken=False, overlap=False, final_shuffle=True, own_rng=False,
                   fractions_swapped=False, always_stratified=False, rounding=round):
    def train_val_test_split(X, y, *, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True):
        if fractions_swapped:
            val_fraction, test_fraction = test_fraction, val_fraction
        rng = np.random.default_rng() if own_rng else np.random.default_rng(seed)
        groups = ([np.flatnonzero(y == c) for c in np.unique(y)] if (stratify or always_stratified) and stratified
                  else [np.arange(y.shape[0])])
        parts = ([], [], [])
        for idx in groups:
            idx = rng.permutation(idx)
            n_test, n_val = int(rounding(test_fraction * idx.size)), int(rounding(val_fraction * idx.size))
            if overlap:
                parts[2].append(rng.permutation(idx)[:n_test])
                parts[1].append(rng.permutation(idx)[:n_val])
                parts[0].append(idx[n_test + n_val:])
            else:
                parts[2].append(idx[:n_test])
                parts[1].append(idx[n_test:n_test + n_val])
                parts[0].append(idx[n_test + n_val:])
        out = []
        for chunks in parts:
            idx = np.concatenate(chunks)
            if final_shuffle:
                idx = rng.permutation(idx)
            out.append((X[idx], y[rng.permutation(idx)] if pair_broken else y[idx]))
        return tuple(out)
    return train_val_test_split


register(Exercise(
    id="train-val-split", lesson=OVERFITTING_AND_L2, title="A seeded, stratified train/validation/test split", points=2,
    reference=reg.train_val_test_split, make_cases=_split_cases, run=_run_split,
    mistakes=(
        Mistake("not-stratified", _split_factory(stratified=False),
                "with stratify=True split each class separately (np.flatnonzero(y == k) for every class k), "
                "so every part keeps the class proportions"),
        Mistake("rows-and-labels-shuffled-apart", _split_factory(pair_broken=True),
                "X and y were reordered by different permutations, so rows lost their labels: index both "
                "with the same index array, X[idx], y[idx]"),
        Mistake("parts-overlap", _split_factory(overlap=True),
                "some samples landed in two parts: shuffle each class once, then cut that one order into "
                "consecutive slices for test, validation and training"),
        Mistake("parts-not-shuffled", _split_factory(final_shuffle=False),
                "each part is sorted by class (all 0s, then all 1s, ...): shuffle each part once more after "
                "putting the classes together, or mini-batches will hold one class each"),
        Mistake("seed-ignored", _split_factory(own_rng=True),
                "the same seed must give the same split: make the generator from the seed, "
                "np.random.default_rng(seed), and draw every permutation from it (not from np.random)"),
        Mistake("stratify-false-ignored", _split_factory(always_stratified=True),
                "with stratify=False split all the rows as one group (np.arange(len(y))), not class by class"),
        Mistake("int-not-round", _split_factory(rounding=int),
                "int() cuts 4.8 down to 4: the statement takes round(test_fraction * n_k) and "
                "round(val_fraction * n_k)"),
        Mistake("ceil-not-round", _split_factory(rounding=np.ceil),
                "np.ceil rounds 7.2 up to 8: the statement takes round(fraction * n_k)"),
        Mistake("fractions-swapped", _split_factory(fractions_swapped=True),
                "the validation part has val_fraction of each class and the test part test_fraction; "
                "yours are the other way round"),
    ),
))


# =========================================================================== #
# Exercises added by issue 13 (derive, then implement). They live in their own
# block at the end of the module, apart from the exercises above.
# =========================================================================== #

# --------------------------------------------------------------------------- #
# ridge-weights: the minimum of the course's L2-penalised MSE for a linear model   (7.5)
# --------------------------------------------------------------------------- #


def ridge_weights(X, y, l2):
    """The minimiser of :math:`L(w) = \\frac1n\\lVert Xw - y\\rVert^2 + \\frac{\\lambda_2}{2}\\lVert w\\rVert^2` (7.5).

    The gradient :math:`\\frac2n X^\\top(Xw - y) + \\lambda_2 w` (lesson 1's (1.18) plus
    (7.3)) is zero where

    .. math:: \\left(X^\\top X + \\tfrac{n\\lambda_2}{2} I\\right) w = X^\\top y,

    ridge regression in the course's conventions (MSE a mean without ½, penalty
    :math:`\\frac{\\lambda_2}{2}\\lVert w\\rVert^2`). ``X``: ``(n, n_in)``; ``y``: ``(n,)``;
    ``l2 >= 0`` (``> 0`` when :math:`X^\\top X` is singular). Returns ``w`` of shape
    ``(n_in,)``. The reference of ``ridge-weights`` (lesson 07, part 1).
    """
    n, n_in = X.shape
    return np.linalg.solve(X.T @ X + 0.5 * n * l2 * np.eye(n_in), X.T @ y)


def _ridge_cases(rng):
    n, n_in = int(rng.integers(15, 30)), 3
    X_corr = rng.standard_normal((40, 4))
    X_corr[:, 1] = X_corr[:, 0] + 0.1 * rng.standard_normal(40)  # nearly a copy of the first input
    return [
        Case("the hand check: X a column of four ones, y = [1, 2, 3, 2], l2 = 1 (w = [4/3])",
             (np.ones((4, 1)), np.array([1.0, 2.0, 3.0, 2.0]), 1.0)),
        Case(f"l2 = 0 (ordinary least squares): X ({n}, {n_in})",
             (rng.standard_normal((n, n_in)), rng.standard_normal(n), 0.0)),
        Case(f"random X ({n}, {n_in}), l2 = 0.1", (rng.standard_normal((n, n_in)), rng.standard_normal(n), 0.1)),
        Case("correlated inputs: X (40, 4), the second column nearly the first, l2 = 0.05",
             (X_corr, X_corr @ rng.standard_normal(4) + 0.3 * rng.standard_normal(40), 0.05)),
        Case("more inputs than samples: X (4, 6), l2 = 0.5 (X^T X alone is singular)",
             (rng.standard_normal((4, 6)), rng.standard_normal(4), 0.5)),
        Case("a strong penalty, l2 = 50: every weight pulled towards 0",
             (rng.standard_normal((12, 2)) * 2.0, rng.standard_normal(12) + 3.0, 50.0)),
    ]


def _ridge_with(c_of):
    """The normal equations with the penalty's constant on the diagonal replaced by ``c_of(n, l2)``."""
    def ridge_weights(X, y, l2):
        n, n_in = X.shape
        return np.linalg.solve(X.T @ X + c_of(n, l2) * np.eye(n_in), X.T @ y)
    return ridge_weights


def _ridge_every_entry(X, y, l2):
    n = X.shape[0]
    return np.linalg.solve(X.T @ X + 0.5 * n * l2, X.T @ y)


def _ridge_each_weight_alone(X, y, l2):
    n = X.shape[0]
    return (X.T @ y) / (np.sum(X * X, axis=0) + 0.5 * n * l2)


register(Exercise(
    id="ridge-weights", lesson=OVERFITTING_AND_L2, title="The weights of ridge regression, derived in the course's conventions",
    points=3, reference=ridge_weights, make_cases=_ridge_cases, rtol=1e-6, atol=1e-9,
    mistakes=(
        Mistake("penalty-not-scaled-by-n", _ridge_with(lambda n, l2: l2),
                "with the MSE a mean, the data term's gradient is (2/n) X^T (X w - y); setting the whole gradient to "
                "zero and multiplying by n/2 puts n * l2 / 2 on the diagonal, not l2 (l2 alone belongs to "
                "||Xw - y||^2 + l2 ||w||^2, a sum without the 1/2)"),
        Mistake("factor-two-lost", _ridge_with(lambda n, l2: n * l2),
                "the gradient of (1/n)||Xw - y||^2 is (2/n) X^T (X w - y), with a 2 (lesson 1, 1.18), and the "
                "penalty's gradient is l2 * w (7.3): the diagonal gets n * l2 / 2"),
        Mistake("n-forgotten", _ridge_with(lambda n, l2: 0.5 * l2),
                "the 1/n of the mean moves to the penalty when you multiply through by n/2: the diagonal gets "
                "n * l2 / 2, which grows with the number of samples"),
        Mistake("scaled-by-two-over-n", _ridge_with(lambda n, l2: 2.0 * l2 / n),
                "multiply the zero-gradient equation by n/2 (not by 2/n): (X^T X + n * l2 / 2 * I) w = X^T y"),
        Mistake("no-penalty", _ridge_with(lambda n, l2: 0.0),
                "the penalty is missing: that is ordinary least squares; the L2 term adds n * l2 / 2 to the diagonal "
                "of X^T X"),
        Mistake("penalty-subtracted", _ridge_with(lambda n, l2: -0.5 * n * l2),
                "the penalty's gradient l2 * w is added to the data gradient, so n * l2 / 2 is *added* to the "
                "diagonal: the weights shrink"),
        Mistake("added-to-every-entry", _ridge_every_entry,
                "X.T @ X + c adds c to every entry of the matrix; the penalty adds it to the diagonal only: "
                "X.T @ X + c * np.eye(n_in)"),
        Mistake("each-weight-alone", _ridge_each_weight_alone,
                "you solved for each weight on its own, as if the inputs were uncorrelated; the inputs interact "
                "through the off-diagonal entries of X^T X: solve the whole system, np.linalg.solve(X.T @ X + c * "
                "np.eye(n_in), X.T @ y)"),
    ),
))
