"""Exercise checks for lesson 04, in two parts: ``04a_mse_and_cross_entropy.ipynb``
and ``04b_logits_and_likelihood.ipynb``.

Exercises, warm-up first. Part 1: ``mse`` (the course's convention: the mean
over every entry, no ½), ``mse-grad``, ``one-hot`` and ``binary-cross-entropy``
(from probabilities, clipped). Part 2: ``logsumexp`` (one value per row, with the
max shift), ``cross-entropy-logits`` (softmax cross-entropy straight from the
logits) and ``gaussian-nll`` (MSE as maximum likelihood, derived). ``logsumexp``
and ``cross-entropy-logits`` are tested at logits of ±1000 with overflow forbidden.

Every case draws fresh numbers from the ``rng`` it is given, so a hard-coded
answer cannot pass; every ``Mistake`` is a wrong version learners really write,
with the hint it deserves (``tests/test_checks_loss.py`` requires each of them
to fail with its own hint). Cases that a mistake fails *without* overflowing
(logits of -1000 underflow to 0) come before the overflowing ones, so the
learner reads the targeted hint rather than only "it overflowed".
"""

from __future__ import annotations

import numpy as np

from .. import losses
from ._definitions import Case, Exercise, Mistake, register

# The lesson is split into two notebooks; each exercise belongs to the part that asks it.
MSE_AND_CROSS_ENTROPY = "04a_mse_and_cross_entropy"
LOGITS_AND_LIKELIHOOD = "04b_logits_and_likelihood"


# --------------------------------------------------------------------------- #
# mse and mse-grad
# --------------------------------------------------------------------------- #

def _regression_cases(rng: np.random.Generator) -> list:
    n, k = int(rng.integers(4, 9)), int(rng.integers(2, 5))
    m = int(rng.integers(5, 12))

    def pair(*shape):
        y = rng.normal(0.0, 2.0, size=shape)
        return y + rng.normal(0.0, 1.0, size=shape), y

    return [
        Case("the worked example: 3 samples, 2 outputs (MSE 5.25 / 6 = 0.875)",
             (np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]]), np.array([[1.5, 2.0], [0.0, 3.0], [1.0, -1.0]]))),
        Case(f"random (n_samples, n_outputs) = ({n}, {k})", pair(n, k)),
        Case(f"one output per sample, shape ({n}, 1)", pair(n, 1)),
        Case(f"a 1-D vector of {m} predictions", pair(m)),
        Case("one sample, 3 outputs", pair(1, 3)),
        Case("perfect predictions (3, 2): the loss is 0", (np.array([[0.5, -1.0], [2.0, 3.0], [1.0, 1.0]]),) * 2),
        Case("errors of about 1000, shape (5, 3)", pair(5, 3)[:1] + (rng.normal(0.0, 1e3, size=(5, 3)),)),
    ]


register(Exercise(
    id="mse",
    lesson=MSE_AND_CROSS_ENTROPY,
    title="Mean squared error over every entry (no ½)",
    points=1,
    reference=losses.mse,
    make_cases=_regression_cases,
    mistakes=(
        Mistake("summed", lambda p, y: float(np.sum((p - y) ** 2)),
                "the course's MSE is a mean: divide the sum of squares by the number of entries (np.mean), so "
                "the loss does not grow with the batch size."),
        Mistake("with-half", lambda p, y: float(0.5 * np.mean((p - y) ** 2)),
                "the ½ is a textbook convention (it cancels the 2 of the derivative); the course, like PyTorch's "
                "MSELoss, uses the plain mean of (y_pred - y)**2."),
        Mistake("mean-over-samples-only", lambda p, y: float(np.sum((p - y) ** 2) / p.shape[0]),
                "average over every entry (samples and outputs): divide by y_pred.size, not by the number of rows."),
        Mistake("root-mean-square", lambda p, y: float(np.sqrt(np.mean((p - y) ** 2))),
                "that is the RMSE; the MSE is the mean of the squares, without the square root."),
        Mistake("absolute-error", lambda p, y: float(np.mean(np.abs(p - y))),
                "that is the mean absolute error; square the differences: (y_pred - y)**2."),
        Mistake("square-of-the-mean", lambda p, y: float(np.mean(p - y) ** 2),
                "square each difference first, then average: np.mean((y_pred - y)**2), not np.mean(y_pred - y)**2 "
                "(errors of opposite sign would cancel)."),
        Mistake("mean-per-sample", lambda p, y: np.mean((p - y) ** 2, axis=-1),
                "return one number, the mean over *every* entry: np.mean without an axis (a mean along one axis "
                "leaves one value per sample)."),
        Mistake("mean-per-output", lambda p, y: np.mean((p - y) ** 2, axis=0),
                "return one number, the mean over every entry: np.mean without an axis (axis=0 leaves one value "
                "per output)."),
        Mistake("not-squared", lambda p, y: float(np.mean(p - y)),
                "square the differences: errors of opposite signs must not cancel, np.mean((y_pred - y)**2)."),
        Mistake("divided-by-n-minus-1", lambda p, y: float(np.sum((p - y) ** 2) / (p.size - 1)),
                "the mean divides by the number of entries N = y_pred.size, not N - 1 (that is for an unbiased "
                "variance)."),
    ),
))


register(Exercise(
    id="mse-grad",
    lesson=MSE_AND_CROSS_ENTROPY,
    title="The gradient of the MSE, 2 (y_pred - y) / N",
    points=2,
    reference=losses.mse_grad,
    make_cases=_regression_cases,
    mistakes=(
        Mistake("no-factor-2", lambda p, y: (p - y) / p.size,
                "the derivative of (y_pred - y)**2 is 2 (y_pred - y); only the textbook loss with a ½ loses the 2, "
                "and the course's MSE has no ½."),
        Mistake("divided-by-the-samples", lambda p, y: 2.0 * (p - y) / p.shape[0],
                "the mean runs over all N = y_pred.size entries, so divide by N, not by the number of rows."),
        Mistake("not-divided", lambda p, y: 2.0 * (p - y),
                "the loss is a mean over N entries, so each entry's derivative carries 1/N: 2 (y_pred - y) / N."),
        Mistake("y-minus-y-pred", lambda p, y: 2.0 * (y - p) / p.size,
                "differentiate with respect to y_pred: d/dy_pred (y_pred - y)**2 = +2 (y_pred - y)."),
        Mistake("returned-the-loss", lambda p, y: float(np.mean((p - y) ** 2)),
                "return the gradient, an array of y_pred's shape (one partial derivative per entry), not the "
                "loss itself."),
        Mistake("squared-not-derived", lambda p, y: (p - y) ** 2 / p.size,
                "that is each entry's share of the loss; its derivative is 2 (y_pred - y) / N."),
        Mistake("integer-division", lambda p, y: 2 // p.size * (p - y),
                "2 // N is integer division (0 for N > 2): write 2 * (y_pred - y) / N."),
    ),
))


# --------------------------------------------------------------------------- #
# one-hot
# --------------------------------------------------------------------------- #

def _one_hot_cases(rng: np.random.Generator) -> list:
    n, k = int(rng.integers(6, 12)), int(rng.integers(3, 7))
    labels = rng.integers(0, k, size=n)
    labels[rng.integers(0, n)] = 0
    labels[rng.integers(0, n)] = k - 1
    missing_top = rng.integers(0, k - 1, size=n)
    missing_top[0] = 0
    return [
        Case("the worked example: y = [2, 0, 2, 1], 3 classes", (np.array([2, 0, 2, 1]), 3)),
        Case(f"{n} random labels, {k} classes", (labels, k)),
        Case(f"{n} labels, {k} classes, the largest class ({k - 1}) absent from this batch", (missing_top, k)),
        Case("one sample, 10 classes", (np.array([int(rng.integers(0, 10))]), 10)),
        Case("7 samples, two classes", (rng.integers(0, 2, size=7), 2)),
        Case("every one of 5 samples in class 0, 4 classes", (np.zeros(5, dtype=np.int64), 4)),
    ]


def _one_hot_rows_by_label(y, n_classes):
    out = np.zeros((len(y), n_classes))
    out[y] = 1.0
    return out


def _one_hot_columns_by_label(y, n_classes):
    out = np.zeros((len(y), n_classes))
    out[:, y] = 1.0
    return out


register(Exercise(
    id="one-hot",
    lesson=MSE_AND_CROSS_ENTROPY,
    title="One-hot encoding of integer labels",
    points=1,
    reference=losses.one_hot,
    make_cases=_one_hot_cases,
    mistakes=(
        Mistake("classes-from-the-data", lambda y, n_classes: np.eye(int(np.max(y)) + 1)[y],
                "use n_classes for the number of columns: a batch need not contain the largest class, so "
                "y.max() + 1 can be too small."),
        Mistake("transposed", lambda y, n_classes: np.eye(n_classes)[:, y],
                "samples are rows: the result has shape (n, n_classes), one row per label (np.eye(n_classes)[y])."),
        Mistake("labels-counted-from-1", lambda y, n_classes: np.eye(n_classes)[y - 1],
                "labels count from 0: label 0 sets column 0 (no `- 1`)."),
        Mistake("rows-indexed-by-the-label", _one_hot_rows_by_label,
                "out[y] = 1 fills whole rows; set one entry per row with out[np.arange(n), y] = 1."),
        Mistake("columns-indexed-by-the-label", _one_hot_columns_by_label,
                "out[:, y] = 1 fills whole columns; set one entry per row with out[np.arange(n), y] = 1."),
        Mistake("last-sample-skipped", lambda y, n_classes: np.eye(n_classes)[y] * (np.arange(len(y)) < len(y) - 1)[:, None],
                "the loop misses the last sample: range(len(y)) already ends at len(y) - 1."),
        Mistake("one-column-too-many", lambda y, n_classes: np.eye(n_classes + 1)[y],
                "labels run from 0 to n_classes - 1, so there are exactly n_classes columns."),
    ),
))


# --------------------------------------------------------------------------- #
# binary-cross-entropy
# --------------------------------------------------------------------------- #

def _bce_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(5, 10))

    def pair(*shape):
        return rng.uniform(0.02, 0.98, size=shape), rng.integers(0, 2, size=shape).astype(float)

    y_sure = rng.integers(0, 2, size=(6, 1)).astype(float)
    return [
        Case("the worked example: p = [0.9, 0.2, 0.6], y = [1, 0, 1] (loss 0.2798)",
             (np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0]))),
        Case(f"random probabilities, shape ({n}, 1)", pair(n, 1)),
        Case(f"a 1-D vector of {n + 3}", pair(n + 3)),
        Case("several outputs per sample (multi-label), shape (4, 3)", pair(4, 3)),
        Case("soft targets between 0 and 1, shape (5, 1)",
             (rng.uniform(0.05, 0.95, size=(5, 1)), rng.uniform(0.0, 1.0, size=(5, 1)))),
        Case("confident and right: p is exactly 0 or 1", (y_sure.copy(), y_sure), extreme=True),
        Case("confident and wrong: p = [0, 0.3, 1] where y = [1, 0, 0] (costs -log(eps))",
             (np.array([[0.0], [0.3], [1.0]]), np.array([[1.0], [0.0], [0.0]])), extreme=True),
        Case("float32 p = [0, 0.5, 1], y = [1, 1, 0]: eps = np.finfo(np.float32).eps",
             (np.array([0.0, 0.5, 1.0], dtype=np.float32), np.array([1.0, 1.0, 0.0], dtype=np.float32)), extreme=True),
    ]


def _bce_with(*, eps=None, clip=True, terms="both", reduce=np.mean, log=np.log, sign=-1.0):
    """Binary cross-entropy with one thing done wrong (``eps=None``: the dtype's machine epsilon)."""

    def bce(p, y):
        e = np.finfo(p.dtype).eps if eps is None else eps
        q = np.clip(p, e, 1.0 - e) if clip else p
        with np.errstate(divide="ignore", invalid="ignore"):
            if terms == "both":
                inner = y * log(q) + (1.0 - y) * log(1.0 - q)
            elif terms == "positive":
                inner = y * log(q)
            elif terms == "log-p-twice":
                inner = y * log(q) + (1.0 - y) * log(q)
            else:  # hard labels only
                inner = np.where(y == 1, log(q), log(1.0 - q))
            return float(sign * reduce(inner))

    return bce


_EPS_HINT = ("clip with the machine epsilon of p's dtype, eps = np.finfo(p.dtype).eps (2.2e-16 for float64, "
             "1.2e-7 for float32), as the statement says: the cost of a confident mistake, -log(eps), depends on it")

register(Exercise(
    id="binary-cross-entropy",
    lesson=MSE_AND_CROSS_ENTROPY,
    title="Binary cross-entropy from probabilities, clipped to [eps, 1 - eps]",
    points=2,
    reference=losses.binary_cross_entropy,
    make_cases=_bce_cases,
    mistakes=(
        Mistake("not-clipped", _bce_with(clip=False),
                "log(0) is -inf (and 0 * log 0 is NaN): clip p to [eps, 1 - eps] first, with "
                "eps = np.finfo(p.dtype).eps, so a confident wrong answer costs a large finite amount."),
        Mistake("clipped-with-another-epsilon", _bce_with(eps=1e-7), _EPS_HINT + " (you used 1e-7)."),
        Mistake("eps-1e-15", _bce_with(eps=1e-15), _EPS_HINT + " (you used 1e-15)."),
        Mistake("eps-1e-12", _bce_with(eps=1e-12), _EPS_HINT + " (you used 1e-12)."),
        Mistake("float64-eps", _bce_with(eps=np.finfo(np.float64).eps),
                "np.finfo(float).eps is float64's epsilon, 2.2e-16; for float32 probabilities the statement asks "
                "for float32's, 1.2e-7: use the epsilon of p's own dtype, np.finfo(p.dtype).eps."),
        Mistake("y-log-p-only", _bce_with(terms="positive"),
                "the loss has two terms: y log p for the positives and (1 - y) log(1 - p) for the negatives; "
                "without the second, predicting p = 1 everywhere costs nothing."),
        Mistake("log-p-twice", _bce_with(terms="log-p-twice"),
                "the second term uses the probability of class 0, 1 - p: (1 - y) log(1 - p), not (1 - y) log p."),
        Mistake("soft-targets-ignored", _bce_with(terms="hard"),
                "targets between 0 and 1 are allowed (soft labels): compute y log p + (1 - y) log(1 - p) for "
                "every entry rather than choosing one term with np.where(y == 1, ...)."),
        Mistake("summed", _bce_with(reduce=np.sum),
                "the loss is a mean over the entries (np.mean), not a sum."),
        Mistake("log-base-10", _bce_with(log=np.log10),
                "cross-entropy uses the natural logarithm, np.log, not np.log10."),
        Mistake("sign-flipped", _bce_with(sign=1.0),
                "log p is negative for p < 1, so the loss needs a minus in front to be positive: "
                "L = -mean(y log p + (1 - y) log(1 - p))."),
    ),
))


# --------------------------------------------------------------------------- #
# logsumexp
# --------------------------------------------------------------------------- #

def logsumexp_rows(Z):
    """log(sum_j exp(Z[i, j])) for every row i, computed with the row maximum shifted out (eq. 4.8)."""
    return losses.logsumexp(Z, axis=1)


def _far_apart_rows(rng: np.random.Generator) -> np.ndarray:
    top, bottom = rng.uniform(800.0, 1000.0), rng.uniform(800.0, 1000.0)
    return np.array([[top, top - 1.0, top - 3.0], [-bottom, -bottom + 2.0, -bottom + 0.5]])


def _logit_cases(rng: np.random.Generator, with_labels: bool) -> list:
    n, k = int(rng.integers(4, 8)), int(rng.integers(3, 6))
    square = int(rng.integers(3, 6))
    cases = [
        ("the worked example: z = [2, 1, 0.1], label 0 (loss 2.4170 - 2 = 0.4170)" if with_labels
         else "the worked example: z = [2, 1, 0.1] (logsumexp 2.4170)", np.array([[2.0, 1.0, 0.1]]), np.array([0]), False),
        (f"random logits, shape ({n}, {k})", rng.normal(0.0, 2.0, size=(n, k)), rng.integers(0, k, size=n), False),
        (f"square batch, shape ({square}, {square})", rng.normal(0.0, 2.0, size=(square, square)),
         rng.integers(0, square, size=square), False),
        ("two classes, 6 samples", rng.normal(0.0, 3.0, size=(6, 2)), rng.integers(0, 2, size=6), False),
        ("equal logits 1.5 in a (3, 4) batch (a uniform distribution)", np.full((3, 4), 1.5), np.array([0, 3, 1]),
         False),
        ("z = [-1000, -1000, -999] (exp underflows to 0)", np.array([[-1000.0, -1000.0, -999.0]]), np.array([1]), True),
        ("rows far apart (one near +1000, one near -1000)", _far_apart_rows(rng), np.array([2, 0]), True),
        ("z = [1000, 0, -1000], label of the smallest", np.array([[1000.0, 0.0, -1000.0]]), np.array([2]), True),
        ("z = [1000, 1001, 1002] (exp overflows)", np.array([[1000.0, 1001.0, 1002.0]]), np.array([0]), True),
        ("large random logits (5, 4), spread 400", rng.normal(0.0, 400.0, size=(5, 4)), rng.integers(0, 4, size=5),
         True),
    ]
    return [Case(name, (Z, y) if with_labels else (Z,), extreme=extreme) for name, Z, y, extreme in cases]


def _lse_unshifted(Z):
    return np.log(np.sum(np.exp(Z), axis=1))


def _lse_global_max(Z):
    m = np.max(Z)
    return m + np.log(np.sum(np.exp(Z - m), axis=1))


def _lse_shift_not_added_back(Z):
    m = np.max(Z, axis=1, keepdims=True)
    return np.log(np.sum(np.exp(Z - m), axis=1))


def _lse_columns(Z):
    m = np.max(Z, axis=0, keepdims=True)
    return (m + np.log(np.sum(np.exp(Z - m), axis=0, keepdims=True)))[0]


def _lse_mean(Z):
    m = np.max(Z, axis=1, keepdims=True)
    return (m + np.log(np.mean(np.exp(Z - m), axis=1, keepdims=True)))[:, 0]


def _lse_max_only(Z):
    return np.max(Z, axis=1)


def _lse_max_no_keepdims(Z):
    m = np.max(Z, axis=1)
    return m + np.log(np.sum(np.exp(Z - m), axis=1))


def _lse_whole_batch(Z):
    m = np.max(Z)
    return float(m + np.log(np.sum(np.exp(Z - m))))


register(Exercise(
    id="logsumexp",
    lesson=LOGITS_AND_LIKELIHOOD,
    title="Log-sum-exp of every row, with the row maximum shifted out",
    points=2,
    reference=logsumexp_rows,
    make_cases=lambda rng: _logit_cases(rng, with_labels=False),
    forbid_overflow=True,
    mistakes=(
        Mistake("no-shift", _lse_unshifted,
                "np.exp(-1000) underflows to 0 (and np.exp(1000) overflows): subtract each row's maximum m first "
                "and add it back, m + log(sum(exp(z - m))) (eq. 4.8)."),
        Mistake("global-max", _lse_global_max,
                "shift each row by its own maximum, np.max(Z, axis=1, keepdims=True): with one maximum for the "
                "whole batch, a row far below it underflows to exp(...) = 0 and log(0) = -inf."),
        Mistake("shift-not-added-back", _lse_shift_not_added_back,
                "log sum exp(z - m) = logsumexp(z) - m: add the maximum m back to the result."),
        Mistake("over-columns", _lse_columns,
                "each row is one sample: take the max and the sum along axis=1 (the classes), not axis=0."),
        Mistake("log-mean-exp", _lse_mean,
                "sum the exponentials (np.sum), do not average them: log-sum-exp, not log-mean-exp."),
        Mistake("max-only", _lse_max_only,
                "the maximum is only the shift: logsumexp(z) = m + log(sum(exp(z - m))), which is larger than m "
                "by up to log(k)."),
        Mistake("max-without-keepdims", _lse_max_no_keepdims,
                "np.max(Z, axis=1) has shape (n,): Z - m then lines m up with the *columns* of Z (or fails to "
                "broadcast). Keep the axis, m = np.max(Z, axis=1, keepdims=True), and drop it at the end ([:, 0])."),
        Mistake("one-number-for-the-batch", _lse_whole_batch,
                "return one value per row, shape (n,): take the max and the sum along axis=1, not over the whole "
                "matrix."),
    ),
))


# --------------------------------------------------------------------------- #
# cross-entropy-logits
# --------------------------------------------------------------------------- #

def _ce_naive_softmax(Z, y):
    P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


def _ce_stable_softmax_then_log(Z, y):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    P = e / np.sum(e, axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


def _ce_with(reduce=np.mean, sign=1.0, lse=logsumexp_rows, pick=None, scalar=True):
    def ce(Z, y):
        picked = Z[np.arange(len(y)), y] if pick is None else pick(Z, y)
        value = sign * reduce(lse(Z) - picked)
        return float(value) if scalar else value
    return ce


def _ce_clipped_probabilities(Z, y):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    P = e / np.sum(e, axis=1, keepdims=True)
    return float(-np.mean(np.log(np.clip(P[np.arange(len(y)), y], 1e-15, 1.0))))


register(Exercise(
    id="cross-entropy-logits",
    lesson=LOGITS_AND_LIKELIHOOD,
    title="Softmax cross-entropy from the logits with log-sum-exp (integer labels)",
    points=3,
    reference=losses.cross_entropy_with_logits,
    make_cases=lambda rng: _logit_cases(rng, with_labels=True),
    forbid_overflow=True,
    mistakes=(
        Mistake("stable-softmax-then-log", _ce_stable_softmax_then_log,
                "the max shift saves the softmax, but a probability that underflows to 0 still gives log(0) = -inf: "
                "compute the log-probability directly, -log p_y = logsumexp(z) - z_y (eq. 4.9)."),
        Mistake("softmax-without-shift-then-log", _ce_naive_softmax,
                "exp of a large logit overflows and exp(-1000) underflows to 0, giving 0/0: never form the "
                "probabilities; use -log p_y = logsumexp(z) - z_y (eq. 4.9) with the max-shifted log-sum-exp."),
        Mistake("summed", _ce_with(reduce=np.sum),
                "the loss is the mean over the samples (divide by n), not the sum."),
        Mistake("sign-flipped", _ce_with(sign=-1.0),
                "-log p_y = logsumexp(z) - z_y, which is >= 0: the logit of the true class is subtracted."),
        Mistake("columns-picked-by-the-label", _ce_with(pick=lambda Z, y: Z[:, y]),
                "Z[:, y] is an (n, n) matrix (every label for every sample), broadcast into a wrong mean; pick one "
                "logit per row with Z[np.arange(n), y]."),
        Mistake("shift-not-added-back", _ce_with(lse=_lse_shift_not_added_back),
                "log sum exp(z - m) = logsumexp(z) - m: add the row maximum m back before subtracting z_y."),
        Mistake("global-max", _ce_with(lse=_lse_global_max),
                "shift each row by its own maximum, np.max(Z, axis=1, keepdims=True): with one maximum for the "
                "whole batch, a row far below it underflows to log(0) = -inf."),
        Mistake("no-shift", _ce_with(lse=_lse_unshifted),
                "log(sum(exp(Z))) overflows at z = 1000 and gives log(0) = -inf at z = -1000: use the max-shifted "
                "log-sum-exp (nncourse.losses.logsumexp(Z, axis=1))."),
        Mistake("clipped-probabilities", _ce_clipped_probabilities,
                "clipping the probability keeps the log finite but caps the loss (-log(1e-15) = 34.5 instead of "
                "2000 at z = [1000, 0, -1000]): compute -log p_y = logsumexp(z) - z_y without forming p."),
        Mistake("max-logit-not-label", _ce_with(pick=lambda Z, y: np.max(Z, axis=1)),
                "subtract the logit of the *true* class, Z[np.arange(n), y], not the largest logit."),
        Mistake("rows-and-columns-swapped", _ce_with(pick=lambda Z, y: Z[y, np.arange(len(y))]),
                "Z[y, np.arange(n)] indexes rows by the labels; one logit per sample is Z[np.arange(n), y] "
                "(row i, column y[i])."),
        Mistake("per-sample-not-mean", _ce_with(reduce=lambda v: v, scalar=False),
                "return one number, the mean over the samples (np.mean), not the loss of every sample."),
    ),
))


# =========================================================================== #
# Exercises added by issue 13 (derive, then implement). They live in their own
# block at the end of the module, apart from the exercises above.
# =========================================================================== #

# --------------------------------------------------------------------------- #
# gaussian-nll: the Gaussian negative log-likelihood, derived from the density
# --------------------------------------------------------------------------- #

def gaussian_nll(y_pred, y, s):
    """Mean over every entry of :math:`-\\log \\mathcal N(y \\mid \\hat y, s^2)` (eq. 4.11).

    :math:`-\\log\\Bigl(\\frac{1}{\\sqrt{2\\pi s^2}} e^{-(y - \\hat y)^2 / (2s^2)}\\Bigr)
    = \\frac{(\\hat y - y)^2}{2s^2} + \\tfrac12 \\log(2\\pi s^2)`, averaged: ``mse / (2 s^2) + log(2 pi s^2) / 2``.
    The reference of ``gaussian-nll``; ``y_pred`` and ``y`` of the same shape, ``s > 0``.
    """
    return float(np.mean((y_pred - y) ** 2) / (2.0 * s**2) + 0.5 * np.log(2.0 * np.pi * s**2))


def _gaussian_nll_cases(rng: np.random.Generator) -> list:
    n, n_out = int(rng.integers(4, 9)), int(rng.integers(2, 5))

    def pair(*shape):
        y = rng.normal(0.0, 2.0, size=shape)
        return y + rng.normal(0.0, 1.0, size=shape), y

    perfect = rng.normal(size=(3, 2))
    return [
        Case("the worked example of section 2 with s = 1",
             (np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]]), np.array([[1.5, 2.0], [0.0, 3.0], [1.0, -1.0]]), 1.0)),
        Case(f"random ({n}, {n_out}) predictions, a random s", pair(n, n_out) + (float(rng.uniform(0.3, 3.0)),)),
        Case("a 1-D vector of predictions, s = 2", pair(int(rng.integers(5, 12))) + (2.0,)),
        Case("perfect predictions: only the constant is left", (perfect, perfect.copy(), float(rng.uniform(0.5, 2.0)))),
        Case("small noise, s = 0.1 (the loss is large and can be negative)", pair(5, 2) + (0.1,)),
        Case("s = 1 / sqrt(2 pi): the constant is 0", pair(4, 3) + (1.0 / np.sqrt(2.0 * np.pi),)),
    ]


def _mse_of(y_pred, y):
    return np.mean((y_pred - y) ** 2)


register(Exercise(
    id="gaussian-nll",
    lesson=LOGITS_AND_LIKELIHOOD,
    title="Gaussian negative log-likelihood, derived from the density (MSE as maximum likelihood)",
    points=2,
    reference=gaussian_nll,
    make_cases=_gaussian_nll_cases,
    mistakes=(
        Mistake("constant-dropped", lambda p, y, s: float(_mse_of(p, y) / (2 * s**2)),
                "the density's factor 1 / sqrt(2 pi s^2) adds +1/2 log(2 pi s^2) to -log: it does not depend on "
                "the predictions, but it is part of the negative log-likelihood."),
        Mistake("two-dropped", lambda p, y, s: float(_mse_of(p, y) / s**2 + 0.5 * np.log(2 * np.pi * s**2)),
                "-log e^{-u} = u with u = (y - y_hat)^2 / (2 s^2): the 2 in the exponent's denominator stays, so "
                "the MSE is divided by 2 s^2, not s^2."),
        Mistake("s-not-squared", lambda p, y, s: float(_mse_of(p, y) / (2 * s) + 0.5 * np.log(2 * np.pi * s)),
                "s is the standard deviation and s^2 the variance: the density has (y - y_hat)^2 / (2 s^2) and "
                "sqrt(2 pi s^2)."),
        Mistake("constant-not-halved", lambda p, y, s: float(_mse_of(p, y) / (2 * s**2) + np.log(2 * np.pi * s**2)),
                "log(1 / sqrt(a)) = -1/2 log(a): the constant is 1/2 log(2 pi s^2), not log(2 pi s^2)."),
        Mistake("not-negated", lambda p, y, s: -gaussian_nll(p, y, s),
                "the loss is the *negative* log-likelihood: minus the log of the density, so that better predictions "
                "give a smaller number."),
        Mistake("summed", lambda p, y, s: float(np.sum((p - y) ** 2) / (2 * s**2) + p.size * 0.5 * np.log(2 * np.pi * s**2)),
                "average over every entry (np.mean), as the MSE does, instead of summing: the loss should not grow "
                "with the number of samples."),
        Mistake("mse-only", lambda p, y, s: float(_mse_of(p, y)),
                "this is the MSE alone; under the Gaussian model it is divided by 2 s^2 and the constant "
                "1/2 log(2 pi s^2) is added (4.11)."),
        Mistake("fraction-not-squared", lambda p, y, s: float(_mse_of(p, y) / (2 * s) + 0.5 * np.log(2 * np.pi * s**2)),
                "the exponent of the Gaussian is -(y - y_hat)^2 / (2 s^2): divide the MSE by 2 s^2, the variance "
                "twice, not by 2 s."),
    ),
))
