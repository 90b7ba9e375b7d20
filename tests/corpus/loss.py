"""Answers to lesson 04's exercises (mse ... cross-entropy-logits)."""

import numpy as np

from nncourse import losses

from . import correct, wrong

MUTATED = "generic:input-mutated"
OVERFLOW = "generic:overflow"


def _one_hot_loop(y, n_classes):
    out = np.zeros((len(y), n_classes))
    for i, label in enumerate(y):
        out[i, label] = 1
    return out


def _one_hot_int(y, n_classes):
    out = np.zeros((len(y), n_classes), dtype=int)
    out[np.arange(len(y)), y] = 1
    return out


def _one_hot_zeros_like(y, n_classes):
    out = np.zeros_like(y, shape=(len(y), n_classes))
    out[np.arange(len(y)), y] = 1
    return out


def _one_hot_rows(y, n_classes):
    out = np.zeros((len(y), n_classes))
    out[y] = 1.0
    return out


def _one_hot_cols(y, n_classes):
    out = np.zeros((len(y), n_classes))
    out[:, y] = 1.0
    return out


def _one_hot_loop_last(y, n_classes):
    out = np.zeros((len(y), n_classes))
    for i in range(len(y) - 1):
        out[i, y[i]] = 1.0
    return out


def _bce(eps=None, clip=True, reduce=np.mean, log=np.log, sign=-1.0, terms="both"):
    def bce(p, y):
        e = np.finfo(p.dtype).eps if eps is None else eps
        q = np.clip(p, e, 1 - e) if clip else p
        if terms == "both":
            inner = y * log(q) + (1 - y) * log(1 - q)
        elif terms == "positive":
            inner = y * log(q)
        else:
            inner = y * log(q) + (1 - y) * log(q)
        return float(sign * reduce(inner))
    return bce


def _bce_in_place(p, y):
    eps = np.finfo(p.dtype).eps
    np.clip(p, eps, 1 - eps, out=p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _bce_where(p, y):
    eps = np.finfo(p.dtype).eps
    q = np.clip(p, eps, 1 - eps)
    return float(-np.mean(np.where(y == 1, np.log(q), np.log(1 - q))))


def _lse(shift="row", keepdims_max=True, add_back=True, reduce=np.sum, axis=1):
    def logsumexp(Z):
        if shift == "row":
            m = np.max(Z, axis=axis, keepdims=keepdims_max)
        elif shift == "global":
            m = np.max(Z)
        else:
            m = 0.0
        s = np.log(reduce(np.exp(Z - m), axis=axis, keepdims=True))
        out = s + m if add_back else s
        return out[:, 0] if axis == 1 else out[0]
    return logsumexp


def _lse_no_keepdims(Z):
    m = np.max(Z, axis=1)
    return m + np.log(np.sum(np.exp(Z - m), axis=1))


def _lse_column_shape(Z):
    m = np.max(Z, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))


def _lse_silenced(Z):
    with np.errstate(over="ignore", divide="ignore"):
        return np.log(np.sum(np.exp(Z), axis=1))


def _lse_in_place(Z):
    m = np.max(Z, axis=1, keepdims=True)
    Z -= m
    return (m + np.log(np.sum(np.exp(Z), axis=1, keepdims=True)))[:, 0]


def _ce(lse=losses.logsumexp, pick="rows", reduce=np.mean, sign=1.0):
    def ce(Z, y):
        n = Z.shape[0]
        if pick == "rows":
            zy = Z[np.arange(n), y]
        elif pick == "columns":
            zy = Z[:, y]
        elif pick == "max":
            zy = Z.max(axis=1)
        else:
            zy = Z[y, np.arange(n)]
        return float(sign * reduce(lse(Z, axis=1) - zy))
    return ce


def _ce_softmax_then_log(Z, y):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


def _ce_clipped_softmax(Z, y):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(np.clip(P[np.arange(len(y)), y], 1e-15, 1))))


def _ce_naive(Z, y):
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(P[np.arange(len(y)), y])))


def _ce_unshifted_lse(Z, y):
    return float(np.mean(np.log(np.sum(np.exp(Z), axis=1)) - Z[np.arange(len(y)), y]))


def _ce_no_add_back(Z, y):
    m = Z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(Z - m).sum(axis=1)) - Z[np.arange(len(y)), y]))


WRONG = [
    # ------------------------------------------------------------ mse
    wrong("mse", "sum", {"summed", "generic:factor-n"}, lambda p, y: float(np.sum((p - y) ** 2))),
    wrong("mse", "with 1/2", {"with-half", "generic:factor-half"}, lambda p, y: float(0.5 * np.mean((p - y) ** 2))),
    wrong("mse", "mean over rows", "mean-over-samples-only", lambda p, y: float(np.sum((p - y) ** 2) / len(y))),
    wrong("mse", "RMSE", "root-mean-square", lambda p, y: float(np.sqrt(np.mean((p - y) ** 2)))),
    wrong("mse", "MAE", "absolute-error", lambda p, y: float(np.mean(np.abs(p - y)))),
    wrong("mse", "square of the mean", "square-of-the-mean", lambda p, y: float(np.mean(p - y) ** 2)),
    wrong("mse", "per sample", "mean-per-sample", lambda p, y: np.mean((p - y) ** 2, axis=-1)),
    wrong("mse", "not squared", "not-squared", lambda p, y: float(np.mean(p - y))),
    wrong("mse", "divided by n - 1", "divided-by-n-minus-1", lambda p, y: float(np.sum((p - y) ** 2) / max(p.size - 1, 1))),
    wrong("mse", "in place", MUTATED, lambda p, y: float(np.mean(np.square(np.subtract(p, y, out=p))))),
    wrong("mse", "per output", "mean-per-output", lambda p, y: np.mean((p - y) ** 2, axis=0)),
    # ------------------------------------------------------------ mse-grad
    wrong("mse-grad", "no 2", {"no-factor-2", "generic:factor-half"}, lambda p, y: (p - y) / p.size),
    wrong("mse-grad", "divided by rows", "divided-by-the-samples", lambda p, y: 2 * (p - y) / len(p)),
    wrong("mse-grad", "not divided", {"not-divided", "generic:factor-n"}, lambda p, y: 2 * (p - y)),
    wrong("mse-grad", "y - p", {"y-minus-y-pred", "generic:sign"}, lambda p, y: 2 * (y - p) / p.size),
    wrong("mse-grad", "the loss", "returned-the-loss", lambda p, y: np.mean((p - y) ** 2)),
    wrong("mse-grad", "squared error", "squared-not-derived", lambda p, y: (p - y) ** 2 / p.size),
    wrong("mse-grad", "mean of the gradient", {"averaged-to-a-number", "generic:reduced-all"}, lambda p, y: np.mean(2 * (p - y) / p.size)),
    wrong("mse-grad", "in place", MUTATED, lambda p, y: np.multiply(np.subtract(p, y, out=p), 2 / p.size)),
    wrong("mse-grad", "divided by N twice", {"divided-twice", "generic:factor-1/n"}, lambda p, y: 2 * (p - y) / p.size ** 2),
    wrong("mse-grad", "integer division", "integer-division", lambda p, y: 2 // p.size * (p - y)),
    # ------------------------------------------------------------ one-hot
    wrong("one-hot", "classes from the data", "classes-from-the-data", lambda y, n_classes: np.eye(y.max() + 1)[y]),
    wrong("one-hot", "transposed", "transposed", lambda y, n_classes: np.eye(n_classes)[:, y]),
    wrong("one-hot", "labels from 1", "labels-counted-from-1", lambda y, n_classes: np.eye(n_classes)[y - 1]),
    wrong("one-hot", "out[y] = 1", "rows-indexed-by-the-label", _one_hot_rows),
    wrong("one-hot", "out[:, y] = 1", "columns-indexed-by-the-label", _one_hot_cols),
    wrong("one-hot", "integer array", "generic:dtype", _one_hot_int),
    wrong("one-hot", "zeros_like the labels", "generic:dtype", _one_hot_zeros_like),
    wrong("one-hot", "booleans", "generic:dtype", lambda y, n_classes: np.arange(n_classes) == y[:, None]),
    wrong("one-hot", "last sample skipped", "last-sample-skipped", _one_hot_loop_last),
    wrong("one-hot", "n_classes + 1 columns", "one-column-too-many", lambda y, n_classes: np.eye(n_classes + 1)[y]),
    # ------------------------------------------------------------ binary-cross-entropy
    wrong("binary-cross-entropy", "not clipped", "not-clipped", _bce(clip=False)),
    wrong("binary-cross-entropy", "eps 1e-7", "clipped-with-another-epsilon", _bce(eps=1e-7)),
    wrong("binary-cross-entropy", "eps 1e-15", {"clipped-with-another-epsilon", "eps-1e-15"}, _bce(eps=1e-15)),
    wrong("binary-cross-entropy", "float64 eps for float32", {"float64-eps", "clipped-with-another-epsilon"},
          _bce(eps=np.finfo(np.float64).eps)),
    wrong("binary-cross-entropy", "y log p only", "y-log-p-only", _bce(terms="positive")),
    wrong("binary-cross-entropy", "summed", {"summed", "generic:factor-n"}, _bce(reduce=np.sum)),
    wrong("binary-cross-entropy", "log10", "log-base-10", _bce(log=np.log10)),
    wrong("binary-cross-entropy", "no minus", {"sign-flipped", "generic:sign"}, _bce(sign=1.0)),
    wrong("binary-cross-entropy", "log p in both terms", "log-p-twice", _bce(terms="same")),
    wrong("binary-cross-entropy", "clips in place", MUTATED, _bce_in_place),
    wrong("binary-cross-entropy", "hard labels only", "soft-targets-ignored", _bce_where),
    # ------------------------------------------------------------ logsumexp
    wrong("logsumexp", "no shift", {"no-shift", OVERFLOW}, _lse(shift=None)),
    wrong("logsumexp", "no shift, silenced", {"no-shift", OVERFLOW}, _lse_silenced),
    wrong("logsumexp", "global max", "global-max", _lse(shift="global")),
    wrong("logsumexp", "max not added back", "shift-not-added-back", _lse(add_back=False)),
    wrong("logsumexp", "columns", "over-columns", _lse(axis=0)),
    wrong("logsumexp", "mean", "log-mean-exp", _lse(reduce=np.mean)),
    wrong("logsumexp", "max only", "max-only", lambda Z: np.max(Z, axis=1)),
    wrong("logsumexp", "max without keepdims", "max-without-keepdims", _lse_no_keepdims),
    wrong("logsumexp", "shape (n, 1)", "generic:keepdims", _lse_column_shape),
    wrong("logsumexp", "in place", MUTATED, _lse_in_place),
    wrong("logsumexp", "one number", "one-number-for-the-batch", lambda Z: float(np.max(Z) + np.log(np.sum(np.exp(Z - np.max(Z)))))),
    # ------------------------------------------------------------ cross-entropy-logits
    wrong("cross-entropy-logits", "softmax then log", "stable-softmax-then-log", _ce_softmax_then_log),
    wrong("cross-entropy-logits", "naive softmax then log", {"softmax-without-shift-then-log", OVERFLOW}, _ce_naive),
    wrong("cross-entropy-logits", "sum", {"summed", "generic:factor-n"}, _ce(reduce=np.sum)),
    wrong("cross-entropy-logits", "sign", {"sign-flipped", "generic:sign"}, _ce(sign=-1.0)),
    wrong("cross-entropy-logits", "Z[:, y]", "columns-picked-by-the-label", _ce(pick="columns")),
    wrong("cross-entropy-logits", "shift not added back", "shift-not-added-back", _ce_no_add_back),
    wrong("cross-entropy-logits", "unshifted lse", {"no-shift", OVERFLOW}, _ce_unshifted_lse),
    wrong("cross-entropy-logits", "clipped probabilities", "clipped-probabilities", _ce_clipped_softmax),
    wrong("cross-entropy-logits", "max logit picked", "max-logit-not-label", _ce(pick="max")),
    wrong("cross-entropy-logits", "Z[y, arange]", "rows-and-columns-swapped", _ce(pick="swapped")),
    wrong("cross-entropy-logits", "per-sample losses", "per-sample-not-mean",
          lambda Z, y: losses.logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]),
]


def _one_hot_put(y, n_classes):
    out = np.zeros((y.shape[0], n_classes))
    np.put_along_axis(out, y[:, None], 1.0, axis=1)
    return out


def _lse_logaddexp(Z):
    return np.logaddexp.reduce(Z, axis=1)


def _lse_loop(Z):
    out = np.empty(Z.shape[0])
    for i, row in enumerate(Z):
        m = row.max()
        out[i] = m + np.log(np.exp(row - m).sum())
    return out


def _ce_one_hot(Z, y):
    Y = np.eye(Z.shape[1])[y]
    m = Z.max(axis=1)
    lse = m + np.log(np.exp(Z - m[:, None]).sum(axis=1))
    return float(np.mean(lse - (Y * Z).sum(axis=1)))


def _ce_log_softmax(Z, y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def _bce_logs(p, y):
    eps = np.finfo(p.dtype).eps
    q = np.minimum(np.maximum(p, eps), 1 - eps)
    return float(-(y * np.log(q) + (1 - y) * np.log1p(-q)).mean())


CORRECT = [
    correct("mse", "square", lambda p, y: float(np.mean(np.square(p - y)))),
    correct("mse", "sum over size", lambda p, y: float(((p - y) ** 2).sum() / p.size)),
    correct("mse", "flattened dot", lambda p, y: float((p - y).ravel() @ (p - y).ravel() / p.size)),
    correct("mse-grad", "scaled", lambda p, y: (p - y) * (2.0 / p.size)),
    correct("mse-grad", "size of y", lambda p, y: 2 * (p - y) / np.size(y)),
    correct("mse-grad", "prod of shape", lambda p, y: 2.0 / np.prod(p.shape) * (p - y)),
    correct("one-hot", "eye", lambda y, n_classes: np.eye(n_classes)[y]),
    correct("one-hot", "comparison as float", lambda y, n_classes: (np.arange(n_classes) == y[:, None]).astype(float)),
    correct("one-hot", "loop", _one_hot_loop),
    correct("one-hot", "put_along_axis", _one_hot_put),
    correct("binary-cross-entropy", "log1p", _bce_logs),
    correct("binary-cross-entropy", "where form", lambda p, y: (lambda q: float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q))))(
        np.where(p < np.finfo(p.dtype).eps, np.finfo(p.dtype).eps, np.where(p > 1 - np.finfo(p.dtype).eps, 1 - np.finfo(p.dtype).eps, p)))),
    correct("binary-cross-entropy", "package", lambda p, y: losses.binary_cross_entropy(p, y)),
    correct("logsumexp", "logaddexp", _lse_logaddexp),
    correct("logsumexp", "loop", _lse_loop),
    correct("logsumexp", "ravel", lambda Z: (lambda m: (m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))).ravel())(Z.max(axis=1, keepdims=True))),
    correct("cross-entropy-logits", "one-hot", _ce_one_hot),
    correct("cross-entropy-logits", "log-softmax", _ce_log_softmax),
    correct("cross-entropy-logits", "logaddexp", lambda Z, y: float(np.mean(np.logaddexp.reduce(Z, axis=1) - Z[np.arange(len(y)), y]))),
    correct("cross-entropy-logits", "take_along_axis", lambda Z, y: float(np.mean(losses.logsumexp(Z, axis=1) - np.take_along_axis(Z, y[:, None], axis=1)[:, 0]))),
]


# ------------------------------------------------------------ gaussian-nll (added with the exercise)
def _gnll_loop(y_pred, y, s):
    total = 0.0
    for p, t in zip(np.ravel(y_pred), np.ravel(y)):
        total += (p - t) ** 2 / (2 * s * s) + np.log(np.sqrt(2 * np.pi) * s)
    return float(total / np.size(y))


WRONG += [
    wrong("gaussian-nll", "constant dropped", "constant-dropped", lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s ** 2))),
    wrong("gaussian-nll", "no 2 in the denominator", "two-dropped",
          lambda p, y, s: float(np.mean((p - y) ** 2) / s ** 2 + 0.5 * np.log(2 * np.pi * s ** 2))),
    wrong("gaussian-nll", "s not squared", "s-not-squared",
          lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s) + 0.5 * np.log(2 * np.pi * s))),
    wrong("gaussian-nll", "log not halved", "constant-not-halved",
          lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s ** 2) + np.log(2 * np.pi * s ** 2))),
    wrong("gaussian-nll", "log-likelihood, not negated", "not-negated",
          lambda p, y, s: float(-np.mean((p - y) ** 2) / (2 * s ** 2) - 0.5 * np.log(2 * np.pi * s ** 2))),
    wrong("gaussian-nll", "summed over entries", "summed",
          lambda p, y, s: float(np.sum((p - y) ** 2 / (2 * s ** 2) + 0.5 * np.log(2 * np.pi * s ** 2)))),
    wrong("gaussian-nll", "just the MSE", "mse-only", lambda p, y, s: float(np.mean((p - y) ** 2))),
    wrong("gaussian-nll", "log of s instead of log of s^2", None,
          lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s ** 2) + 0.5 * np.log(2 * np.pi) + 0.5 * np.log(s))),
    wrong("gaussian-nll", "log base 10", None,
          lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s ** 2) + 0.5 * np.log10(2 * np.pi * s ** 2))),
    wrong("gaussian-nll", "absolute error", None,
          lambda p, y, s: float(np.mean(np.abs(p - y)) / (2 * s ** 2) + 0.5 * np.log(2 * np.pi * s ** 2))),
]
CORRECT += [
    correct("gaussian-nll", "log of the density", lambda p, y, s: float(-np.mean(
        np.log(1 / np.sqrt(2 * np.pi * s ** 2)) - (y - p) ** 2 / (2 * s ** 2)))),
    correct("gaussian-nll", "loop", _gnll_loop),
    correct("gaussian-nll", "log s plus half log 2 pi", lambda p, y, s: float(
        np.mean((p - y) ** 2) / (2 * s * s) + np.log(s) + 0.5 * np.log(2 * np.pi))),
]
