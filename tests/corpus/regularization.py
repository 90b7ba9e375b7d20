"""Answers to lesson 07's exercises (train-val-split ... early-stopping)."""

import copy

import numpy as np

from nncourse import regularization as reg

from . import correct, wrong

MUTATED = "generic:input-mutated"


def _l2_in_place(params, l2):
    total = 0.0
    for W, _ in params:
        W **= 2
        total += W.sum()
    return 0.5 * l2 * total


def _l2_pop(params, l2):
    total = 0.0
    while params:
        W, _ = params.pop()
        total += np.sum(W ** 2)
    return 0.5 * l2 * total


def _l1_in_place(W, l1):
    np.sign(W, out=W)
    W *= l1
    return W


def _dropout(keep="ge", scale="inverted", eval_mode="copy", draw="random", mask_kind="scaled", rng_kind="given"):
    def dropout_forward(A, drop_prob, *, rng, training=True):
        if not training:
            if eval_mode == "copy":
                return A.copy(), None
            if eval_mode == "same":
                return A, None
            if eval_mode == "scaled":
                return A * (1 - drop_prob), None
        gen = np.random.default_rng(0) if rng_kind == "own" else rng
        u = gen.random(A.shape) if draw == "random" else gen.uniform(size=A.shape[::-1]).T
        kept = u >= drop_prob if keep == "ge" else (u < drop_prob if keep == "lt" else u > drop_prob)
        factor = {"inverted": 1 / (1 - drop_prob), "none": 1.0, "times-keep": 1 - drop_prob, "by-drop": 1 / drop_prob}[scale]
        mask = kept * factor
        out = A * mask
        if mask_kind == "binary":
            return out, kept
        if mask_kind == "bool-float":
            return out, kept.astype(float)
        return out, mask
    return dropout_forward


def _dropout_in_place(A, drop_prob, *, rng, training=True):
    if not training:
        return A.copy(), None
    mask = (rng.random(A.shape) >= drop_prob) / (1 - drop_prob)
    A *= mask
    return A, mask


def _db(rule):
    def dropout_backward(dout, cache):
        return rule(dout, cache)
    return dropout_backward


def _db_in_place(dout, cache):
    if cache is None:
        return dout
    dout *= cache
    return dout


class _ES:
    """A learner's EarlyStopping with one rule changed by the subclasses."""

    def __init__(self, patience=10, min_delta=0.0):
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = np.inf
        self.best_epoch = -1
        self.best_params = None
        self.bad_epochs = 0

    def improved(self, val_loss):
        return val_loss < self.best_loss - self.min_delta

    def keep(self, params):
        return copy.deepcopy(params)

    def update(self, epoch, val_loss, params):
        if self.improved(val_loss):
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = self.keep(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESNoCopy(_ES):
    def keep(self, params):
        return params


class _ESShallowCopy(_ES):
    def keep(self, params):
        return list(params)


class _ESEveryEpoch(_ES):
    def update(self, epoch, val_loss, params):
        self.best_params = copy.deepcopy(params)
        return super().update(epoch, val_loss, params)


class _ESPrevious(_ES):
    previous = np.inf

    def update(self, epoch, val_loss, params):
        better = val_loss < self.previous - self.min_delta
        self.previous = val_loss
        if better:
            if val_loss < self.best_loss:
                self.best_loss, self.best_epoch = val_loss, epoch
                self.best_params = copy.deepcopy(params)
            self.bad_epochs = 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESGreater(_ES):
    def update(self, epoch, val_loss, params):
        if self.improved(val_loss):
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs > self.patience


class _ESNoReset(_ES):
    def update(self, epoch, val_loss, params):
        if self.improved(val_loss):
            self.best_loss, self.best_epoch = val_loss, epoch
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _ESTies(_ES):
    def improved(self, val_loss):
        return val_loss <= self.best_loss - self.min_delta


class _ESNoDelta(_ES):
    def improved(self, val_loss):
        return val_loss < self.best_loss


class _ESDeltaWrongSide(_ES):
    def improved(self, val_loss):
        return val_loss < self.best_loss + self.min_delta


class _ESEpochCount(_ES):
    def update(self, epoch, val_loss, params):
        if self.improved(val_loss):
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            self.best_params = copy.deepcopy(params)
            return False
        self.bad_epochs += 1
        return epoch - self.best_epoch >= self.patience + 1


def _split(*, stratify_ignored=False, always_stratify=False, rounding=round, pair_broken=False, overlap=False,
           final_shuffle=True, own_rng=False, swapped=False, global_rng=False):
    def train_val_test_split(X, y, *, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True):
        if swapped:
            val_fraction, test_fraction = test_fraction, val_fraction
        rng = np.random.default_rng() if own_rng else np.random.default_rng(seed)
        strat = True if always_stratify else (False if stratify_ignored else stratify)
        groups = [np.flatnonzero(y == c) for c in np.unique(y)] if strat else [np.arange(len(y))]
        test, val, train = [], [], []
        for idx in groups:
            idx = np.random.permutation(idx) if global_rng else rng.permutation(idx)
            n_test, n_val = int(rounding(test_fraction * idx.size)), int(rounding(val_fraction * idx.size))
            if overlap:
                test.append(idx[:n_test])
                val.append(idx[:n_val])
            else:
                test.append(idx[:n_test])
                val.append(idx[n_test:n_test + n_val])
            train.append(idx[n_test + n_val:])
        parts = [np.concatenate(c) for c in (train, val, test)]
        if final_shuffle:
            parts = [rng.permutation(p) for p in parts]
        return tuple((X[p], y[rng.permutation(p)] if pair_broken else y[p]) for p in parts)
    return train_val_test_split


def _split_mutates(X, y, *, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X[:] = X[order]
    y[:] = y[order]
    return _split()(X, y, val_fraction=val_fraction, test_fraction=test_fraction, seed=seed, stratify=stratify)


WRONG = [
    # ------------------------------------------------------------ l2-penalty
    wrong("l2-penalty", "biases too", "biases-penalised", lambda params, l2: 0.5 * l2 * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)),
    wrong("l2-penalty", "no 1/2", {"no-1-2", "generic:factor-2"}, lambda params, l2: l2 * sum(np.sum(W ** 2) for W, _ in params)),
    wrong("l2-penalty", "norm not squared", "norm-not-squared", lambda params, l2: 0.5 * l2 * sum(np.linalg.norm(W) for W, _ in params)),
    wrong("l2-penalty", "first layer", "first-layer-only", lambda params, l2: 0.5 * l2 * np.sum(params[0][0] ** 2)),
    wrong("l2-penalty", "mean", "mean-instead-of-sum", lambda params, l2: 0.5 * l2 * sum(np.mean(W ** 2) for W, _ in params)),
    wrong("l2-penalty", "W **= 2 in place", MUTATED, _l2_in_place),
    wrong("l2-penalty", "pops the list", MUTATED, _l2_pop),
    wrong("l2-penalty", "last layer", "last-layer-only", lambda params, l2: 0.5 * l2 * np.sum(params[-1][0] ** 2)),
    wrong("l2-penalty", "abs", "l1-instead-of-l2", lambda params, l2: 0.5 * l2 * sum(np.sum(np.abs(W)) for W, _ in params)),
    wrong("l2-penalty", "per layer list", "list-per-layer", lambda params, l2: [0.5 * l2 * np.sum(W ** 2) for W, _ in params]),
    wrong("l2-penalty", "l2 squared", "l2-squared", lambda params, l2: 0.5 * l2 ** 2 * sum(np.sum(W ** 2) for W, _ in params)),
    # ------------------------------------------------------------ l2-grad
    wrong("l2-grad", "2 l2 W", {"factor-2", "generic:factor-2"}, lambda W, l2: 2 * l2 * W),
    wrong("l2-grad", "l2 W / 2", {"factor-1-2", "generic:factor-half"}, lambda W, l2: 0.5 * l2 * W),
    wrong("l2-grad", "the update", "applied-the-update", lambda W, l2: W - l2 * W),
    wrong("l2-grad", "the penalty", "penalty-not-gradient", lambda W, l2: 0.5 * l2 * W ** 2),
    wrong("l2-grad", "sign", {"sign-flipped", "generic:sign"}, lambda W, l2: -l2 * W),
    wrong("l2-grad", "in place", MUTATED, lambda W, l2: np.multiply(W, l2, out=W)),
    wrong("l2-grad", "l2 sign(W)", "l1-gradient", lambda W, l2: l2 * np.sign(W)),
    wrong("l2-grad", "returns W itself when l2 = 1", "generic:aliasing", lambda W, l2: W if l2 == 1 else l2 * W),
    wrong("l2-grad", "scalar", "summed-to-a-number", lambda W, l2: l2 * np.sum(W)),
    wrong("l2-grad", "l2 W squared", "w-squared", lambda W, l2: l2 * W ** 2),
    # ------------------------------------------------------------ l1-grad
    wrong("l1-grad", "sign(0) = 1", "sign-0-1", lambda W, l1: l1 * np.where(W >= 0, 1.0, -1.0)),
    wrong("l1-grad", "where(W > 0, 1, -1)", "sign-0-minus-1", lambda W, l1: l1 * np.where(W > 0, 1.0, -1.0)),
    wrong("l1-grad", "W / |W|", {"w-w", "generic:nonfinite"}, lambda W, l1: l1 * W / np.abs(W)),
    wrong("l1-grad", "L2 gradient", "l2-gradient", lambda W, l1: l1 * W),
    wrong("l1-grad", "penalty", "penalty-not-gradient", lambda W, l1: l1 * np.abs(W)),
    wrong("l1-grad", "sign flipped", {"sign-flipped", "generic:sign"}, lambda W, l1: -l1 * np.sign(W)),
    wrong("l1-grad", "in place", MUTATED, _l1_in_place),
    wrong("l1-grad", "sign(W) only", "strength-ignored", lambda W, l1: np.sign(W)),
    wrong("l1-grad", "nan_to_num of W/|W| with nan=1 (sign(0) = 1)", {"w-w-patched", "sign-0-1"}, lambda W, l1: l1 * np.nan_to_num(W / np.where(W == 0, np.nan, np.abs(W)), nan=1.0)),
    wrong("l1-grad", "booleans", "generic:dtype", lambda W, l1: np.sign(W).astype(int) * int(l1 > 0)),
    # ------------------------------------------------------------ dropout-forward
    wrong("dropout-forward", "not rescaled", "not-rescaled", _dropout(scale="none")),
    wrong("dropout-forward", "keep below", "keep-and-drop-confused", _dropout(keep="lt")),
    wrong("dropout-forward", "active at evaluation", "active-at-evaluation", _dropout(eval_mode="active")),
    wrong("dropout-forward", "times keep prob", "multiplied-by-keep-probability", _dropout(scale="times-keep")),
    wrong("dropout-forward", "1 / drop_prob", "scaled-by-drop-prob", _dropout(scale="by-drop")),
    wrong("dropout-forward", "binary mask cached", "unscaled-mask-cached", _dropout(mask_kind="binary")),
    wrong("dropout-forward", "float binary mask cached", {"unscaled-mask-cached", "unscaled-float-mask-cached"}, _dropout(mask_kind="bool-float")),
    wrong("dropout-forward", "returns A itself at evaluation", "generic:aliasing", _dropout(eval_mode="same")),
    wrong("dropout-forward", "scaled at evaluation", "scaled-at-evaluation", _dropout(eval_mode="scaled")),
    wrong("dropout-forward", "own generator", "own-generator", _dropout(rng_kind="own")),
    wrong("dropout-forward", "in place", MUTATED, _dropout_in_place),
    wrong("dropout-forward", "draws in another order", "another-draw", _dropout(draw="transposed")),
    # ------------------------------------------------------------ dropout-backward
    wrong("dropout-backward", "mask ignored", "mask-ignored", _db(lambda d, c: d.copy())),
    wrong("dropout-backward", "binary mask", "scale-lost", _db(lambda d, c: d.copy() if c is None else d * (c > 0))),
    wrong("dropout-backward", "rescaled twice", "rescaled-twice", _db(lambda d, c: d.copy() if c is None else d * c * c.max())),
    wrong("dropout-backward", "divided by the mask", "divided-by-the-mask", _db(lambda d, c: d.copy() if c is None else np.divide(d, c, out=np.zeros_like(d), where=c != 0))),
    wrong("dropout-backward", "None not handled", "none-not-handled", _db(lambda d, c: d * c)),
    wrong("dropout-backward", "in place", MUTATED, _db_in_place),
    wrong("dropout-backward", "new mask", "another-mask", _db(lambda d, c: d.copy() if c is None else d * np.random.default_rng(0).permutation(c.ravel()).reshape(c.shape))),
    wrong("dropout-backward", "zeros for None", "none-gives-zeros", _db(lambda d, c: np.zeros_like(d) if c is None else d * c)),
    wrong("dropout-backward", "mask transposed", "mask-transposed", _db(lambda d, c: d.copy() if c is None else (d * c.T if c.shape == c.T.shape else d * c.ravel()[::-1].reshape(c.shape)))),
    wrong("dropout-backward", "dout + mask", "added-not-multiplied", _db(lambda d, c: d.copy() if c is None else d + c)),
    # ------------------------------------------------------------ early-stopping
    wrong("early-stopping", "no copy", "no-copy", _ESNoCopy),
    wrong("early-stopping", "shallow copy", {"no-copy", "shallow-copy"}, _ESShallowCopy),
    wrong("early-stopping", "copies every epoch", "copies-every-epoch", _ESEveryEpoch),
    wrong("early-stopping", "compares with the previous epoch", "compared-with-previous-epoch", _ESPrevious),
    wrong("early-stopping", "patience + 1", "patience-off-by-one", _ESGreater),
    wrong("early-stopping", "counter not reset", "counter-not-reset", _ESNoReset),
    wrong("early-stopping", "ties improve", "ties-improve", _ESTies),
    wrong("early-stopping", "min_delta ignored", "min-delta-ignored", _ESNoDelta),
    wrong("early-stopping", "min_delta added", "min-delta-wrong-side", _ESDeltaWrongSide),
    wrong("early-stopping", "epochs since best", "patience-off-by-one", _ESEpochCount),
    # ------------------------------------------------------------ train-val-split
    wrong("train-val-split", "not stratified", "not-stratified", _split(stratify_ignored=True)),
    wrong("train-val-split", "always stratified", "stratify-false-ignored", _split(always_stratify=True)),
    wrong("train-val-split", "int instead of round", "int-not-round", _split(rounding=int)),
    wrong("train-val-split", "pairs broken", "rows-and-labels-shuffled-apart", _split(pair_broken=True)),
    wrong("train-val-split", "parts overlap", "parts-overlap", _split(overlap=True)),
    wrong("train-val-split", "parts not shuffled", "parts-not-shuffled", _split(final_shuffle=False)),
    wrong("train-val-split", "seed ignored", "seed-ignored", _split(own_rng=True)),
    wrong("train-val-split", "fractions swapped", "fractions-swapped", _split(swapped=True)),
    wrong("train-val-split", "global random", {"seed-ignored", "global-random"}, _split(global_rng=True)),
    wrong("train-val-split", "ceil", "ceil-not-round", _split(rounding=np.ceil)),
    wrong("train-val-split", "shuffles the inputs in place", MUTATED, _split_mutates),
]


class _ESCopyArrays(_ES):
    def keep(self, params):
        return [(W.copy(), b.copy()) for W, b in params]


class _ESTracksInDict(_ES):
    def update(self, epoch, val_loss, params):
        stop = super().update(epoch, val_loss, params)
        return bool(stop)


class _ESOwn:
    def __init__(self, patience=10, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_epoch, self.best_params, self.bad_epochs = float("inf"), -1, None, 0

    def update(self, epoch, val_loss, params):
        if self.best_loss - val_loss > self.min_delta:
            self.best_loss = val_loss
            self.best_epoch = epoch
            self.best_params = [tuple(np.array(a) for a in layer) for layer in params]
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def _split_loop(X, y, *, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True):
    rng = np.random.default_rng(seed)
    parts = {"train": [], "val": [], "test": []}
    classes = np.unique(y) if stratify else [None]
    for c in classes:
        idx = np.arange(len(y)) if c is None else np.where(y == c)[0]
        idx = rng.permutation(idx)
        n_test = round(test_fraction * len(idx))
        n_val = round(val_fraction * len(idx))
        parts["test"].extend(idx[:n_test])
        parts["val"].extend(idx[n_test:n_test + n_val])
        parts["train"].extend(idx[n_test + n_val:])
    out = []
    for name in ("train", "val", "test"):
        idx = rng.permutation(np.array(parts[name], dtype=int))
        out.append((X[idx], y[idx]))
    return tuple(out)


def _dropout_binomial(A, drop_prob, *, rng, training=True):
    if not training:
        return np.array(A, copy=True), None
    keep = rng.random(A.shape) >= drop_prob
    mask = np.where(keep, 1.0 / (1.0 - drop_prob), 0.0)
    return A * mask, mask


def _dropout_keep_prob(A, drop_prob, *, rng, training=True):
    if not training:
        return A.copy(), None
    keep_prob = 1.0 - drop_prob
    mask = (rng.random(A.shape) >= drop_prob).astype(A.dtype) / keep_prob
    return A * mask, mask


CORRECT = [
    correct("l2-penalty", "loop", lambda params, l2: l2 / 2 * sum(float((W * W).sum()) for W, _ in params)),
    correct("l2-penalty", "norm squared", lambda params, l2: 0.5 * l2 * sum(np.linalg.norm(W) ** 2 for W, _ in params)),
    correct("l2-penalty", "einsum", lambda params, l2: 0.5 * l2 * sum(np.einsum("ij,ij->", W, W) for W, _ in params)),
    correct("l2-grad", "multiply", lambda W, l2: np.multiply(l2, W)),
    correct("l2-grad", "derivative written out", lambda W, l2: l2 / 2 * 2 * W),
    correct("l2-grad", "copy", lambda W, l2: W.copy() * l2),
    correct("l1-grad", "where", lambda W, l1: l1 * np.where(W > 0, 1.0, np.where(W < 0, -1.0, 0.0))),
    correct("l1-grad", "comparisons", lambda W, l1: l1 * ((W > 0).astype(float) - (W < 0).astype(float))),
    correct("l1-grad", "sign", lambda W, l1: np.sign(W) * l1),
    correct("dropout-forward", "where", _dropout_binomial),
    correct("dropout-forward", "bool mask scaled", lambda A, drop_prob, *, rng, training=True: (A.copy(), None) if not training else (lambda m: (A * m, m))((rng.random(A.shape) >= drop_prob) / (1 - drop_prob))),
    correct("dropout-forward", "keep prob", _dropout_keep_prob),
    correct("dropout-backward", "where", _db(lambda d, c: d.copy() if c is None else np.where(c != 0, d * c, 0.0))),
    correct("dropout-backward", "multiply", _db(lambda d, c: np.array(d) if c is None else np.multiply(d, c))),
    correct("dropout-backward", "ones for None", _db(lambda d, c: d * (np.ones_like(d) if c is None else c))),
    correct("early-stopping", "array copies", _ESCopyArrays),
    correct("early-stopping", "subclass", _ESTracksInDict),
    correct("early-stopping", "own class", _ESOwn),
    correct("train-val-split", "loop", _split_loop),
    correct("train-val-split", "package", lambda X, y, **kw: reg.train_val_test_split(X, y, **kw)),
]


# ------------------------------------------------------------ ridge-weights (added with the exercise)
def _ridge(c_of, solver="solve"):
    def ridge_weights(X, y, l2):
        n, n_in = X.shape
        M = X.T @ X + c_of(n, l2) * np.eye(n_in)
        return np.linalg.solve(M, X.T @ y) if solver == "solve" else np.linalg.inv(M) @ X.T @ y
    return ridge_weights


def _ridge_no_eye(X, y, l2):
    return np.linalg.solve(X.T @ X + len(X) * l2 / 2, X.T @ y)


def _ridge_separately(X, y, l2):
    w = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        w[j] = X[:, j] @ y / (X[:, j] @ X[:, j] + len(X) * l2 / 2)
    return w


def _ridge_gd(X, y, l2):
    # Gradient descent for a fixed number of steps: close to the minimum, not at it.
    w = np.zeros(X.shape[1])
    for _ in range(200):
        w -= 0.01 * (2 / len(X) * X.T @ (X @ w - y) + l2 * w)
    return w


def _ridge_lstsq_aug(X, y, l2):
    n, n_in = X.shape
    A = np.vstack([X, np.sqrt(n * l2 / 2) * np.eye(n_in)])
    return np.linalg.lstsq(A, np.concatenate([y, np.zeros(n_in)]), rcond=None)[0]


def _ridge_mean_scale(X, y, l2):
    n = X.shape[0]
    return np.linalg.solve(2 / n * X.T @ X + l2 * np.eye(X.shape[1]), 2 / n * X.T @ y)


WRONG += [
    wrong("ridge-weights", "l2 on the diagonal (the textbook's sum)", "penalty-not-scaled-by-n", _ridge(lambda n, l2: l2)),
    wrong("ridge-weights", "n * l2 on the diagonal", "factor-two-lost", _ridge(lambda n, l2: n * l2)),
    wrong("ridge-weights", "l2 / 2 on the diagonal", "n-forgotten", _ridge(lambda n, l2: l2 / 2, "inv")),
    wrong("ridge-weights", "2 l2 / n on the diagonal", "scaled-by-two-over-n", _ridge(lambda n, l2: 2 * l2 / n)),
    wrong("ridge-weights", "plain least squares", "no-penalty", lambda X, y, l2: np.linalg.solve(X.T @ X, X.T @ y)),
    wrong("ridge-weights", "minus the penalty", "penalty-subtracted", _ridge(lambda n, l2: -n * l2 / 2)),
    wrong("ridge-weights", "scalar added without np.eye", "added-to-every-entry", _ridge_no_eye),
    wrong("ridge-weights", "one weight at a time", "each-weight-alone", _ridge_separately),
    wrong("ridge-weights", "200 steps of gradient descent", None, _ridge_gd),
    wrong("ridge-weights", "X X^T instead of X^T X", None,
          lambda X, y, l2: np.linalg.solve(X @ X.T + len(X) * l2 / 2 * np.eye(len(X)), y)[: X.shape[1]]),
    wrong("ridge-weights", "returned a column", "generic:keepdims",
          lambda X, y, l2: np.linalg.solve(X.T @ X + len(X) * l2 / 2 * np.eye(X.shape[1]), X.T @ y).reshape(-1, 1)),
]
CORRECT += [
    correct("ridge-weights", "inverse", _ridge(lambda n, l2: n * l2 / 2, "inv")),
    correct("ridge-weights", "augmented least squares", _ridge_lstsq_aug),
    correct("ridge-weights", "kept in the mean's scale", _ridge_mean_scale),
]
