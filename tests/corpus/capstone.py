"""Answers to lesson 08's exercises (standardise ... per-class-accuracy)."""

import numpy as np

import nncourse
from nncourse import layers

from . import correct, wrong

MUTATED = "generic:input-mutated"


def _std(stats="train", guard="where", ddof=0, axis=0, centre=True, scale=True):
    def standardise(X_train, X_other):
        source = np.vstack([X_train, X_other]) if stats == "both" else X_train
        mean = source.mean(axis=axis, keepdims=axis == 1)
        std = source.std(axis=axis, ddof=ddof, keepdims=axis == 1) if source.shape[0] > ddof else source.std(axis=axis, keepdims=axis == 1)
        if guard == "where":
            std = np.where(std > 0, std, 1.0)
        elif guard == "eps":
            std = std + 1e-8
        elif guard == "zero":
            std = np.where(std > 0, std, 0.0)
        if stats == "own":
            m2, s2 = X_other.mean(axis=0), X_other.std(axis=0)
            return (X_train - mean) / std, (X_other - m2) / np.where(s2 > 0, s2, 1.0)
        if axis == 1:
            m2, s2 = X_other.mean(axis=1, keepdims=True), X_other.std(axis=1, keepdims=True)
            return (X_train - mean) / std, (X_other - m2) / np.where(s2 > 0, s2, 1.0)
        t = (X_train - mean) if centre else X_train
        o = (X_other - mean) if centre else X_other
        return (t / std, o / std) if scale else (t, o)
    return standardise


def _std_in_place(X_train, X_other):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1
    X_train -= mean
    X_train /= std
    return X_train, (X_other - mean) / std


def _std_nan_to_num(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num((X_train - mean) / std), np.nan_to_num((X_other - mean) / std)


def _shift(fill="zero", direction=1, swap=False):
    def shift_images(images, dy, dx):
        if swap:
            dy, dx = dx, dy
        dy, dx = direction * dy, direction * dx
        if fill == "roll":
            return np.roll(images, (dy, dx), axis=(1, 2))
        out = np.zeros_like(images)
        h, w = images.shape[1:]
        out[:, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
            images[:, max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
        return out
    return shift_images


def _shift_negative_slices(images, dy, dx):
    out = np.zeros_like(images)
    src = images
    if dy > 0:
        out[:, dy:, :] = src[:, :-dy, :]
    elif dy < 0:
        out[:, :dy, :] = src[:, -dy:, :]
    else:
        out = src.copy()
    tmp = out
    out = np.zeros_like(images)
    if dx > 0:
        out[:, :, dx:] = tmp[:, :, :-dx]
    elif dx < 0:
        out[:, :, :dx] = tmp[:, :, -dx:]
    else:
        out = tmp
    return out


def _shift_naive_dy0(images, dy, dx):
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    rows_out = slice(dy, h) if dy >= 0 else slice(0, h + dy)
    rows_in = slice(0, -dy) if dy >= 0 else slice(-dy, h)
    cols_out = slice(dx, w) if dx >= 0 else slice(0, w + dx)
    cols_in = slice(0, -dx) if dx >= 0 else slice(-dx, w)
    out[:, rows_out, cols_out] = images[:, rows_in, cols_in]
    return out


def _shift_loop(images, dy, dx):
    out = np.zeros_like(images)
    n, h, w = images.shape
    for r in range(h):
        for c in range(w):
            if 0 <= r - dy < h and 0 <= c - dx < w:
                out[:, r, c] = images[:, r - dy, c - dx]
    return out


def _shift_in_place(images, dy, dx):
    shifted = _shift()(images, dy, dx)
    images[...] = shifted
    return images


def _shift_pad(images, dy, dx):
    h, w = images.shape[1:]
    padded = np.pad(images, ((0, 0), (h, h), (w, w)))
    return padded[:, h - dy:2 * h - dy, w - dx:2 * w - dx].copy()


def _predict(rule):
    return lambda params, X: rule(nncourse.forward(params, X)[0], params, X)


def _confusion(kind="loop", dtype=np.int64, transpose=False, size="given"):
    def confusion_matrix(y_true, y_pred, n_classes):
        k = int(max(y_true.max(), y_pred.max())) + 1 if size == "data" else n_classes
        C = np.zeros((k, k), dtype=dtype)
        if kind == "loop":
            for t, p in zip(y_true, y_pred):
                C[t, p] += 1
        elif kind == "fancy":
            C[y_true, y_pred] += 1
        elif kind == "skip-last":
            for i in range(len(y_true) - 1):
                C[y_true[i], y_pred[i]] += 1
        elif kind == "set":
            for t, p in zip(y_true, y_pred):
                C[t, p] = 1
        return C.T if transpose else C
    return confusion_matrix


def _per_class(rule):
    return lambda C: rule(np.asarray(C))


def _pca_loop_zero(C):
    out = np.zeros(C.shape[0])
    for i in range(C.shape[0]):
        total = C[i].sum()
        out[i] = C[i, i] / total if total else 0.0
    return out



# --------------------------------------------------------------- loss-and-grads and train-loop


def _lag(*, l2_on="weights", penalty_factor=0.5, mask="same", drop_where="hidden", mean=True, fresh_rng=False,
         transpose_dW=False, forget_relu_grad=False):
    """loss_and_grads written out with the package's public parts, with one variation."""
    from nncourse import backprop, losses, regularization as reg

    def loss_and_grads(params, X, y, *, drop_prob=0.0, l2=0.0, rng=None):
        if fresh_rng:
            rng = np.random.default_rng()
        A, caches, last = X, [], len(params) - 1
        for l, (W, b) in enumerate(params):
            Z, dense_cache = layers.dense_forward(A, W, b)
            m = None
            if l == last:
                A, act = Z, None
                if drop_where == "everywhere" and drop_prob > 0:
                    A, m = reg.dropout_forward(A, drop_prob, rng=rng)
            else:
                A, act = layers.activation_forward(Z, "relu")
                if drop_prob > 0 and drop_where != "nowhere":
                    A, m = reg.dropout_forward(A, drop_prob, rng=rng)
            caches.append((dense_cache, act, m))
        loss = losses.cross_entropy_with_logits(A, y) * (1 if mean else y.shape[0])
        dout = losses.softmax_cross_entropy_grad(A, y) * (1 if mean else y.shape[0])
        grads = [None] * len(params)
        for l in range(last, -1, -1):
            dense_cache, act, m = caches[l]
            if mask == "same" and m is not None:
                dout = reg.dropout_backward(dout, m)
            dZ = dout if (l == last or forget_relu_grad) else backprop.activation_backward(dout, act)
            dout, dW, db = backprop.dense_backward(dZ, dense_cache)
            grads[l] = (dW.T if transpose_dW and dW.shape[0] == dW.shape[1] else dW, db)
        if l2:
            loss += penalty_factor * l2 * sum(np.sum(W * W) for W, _ in params)
            grads = [(dW + l2 * W if l2_on in ("weights", "both") else dW, db + l2 * b if l2_on == "both" else db)
                     for (W, b), (dW, db) in zip(params, grads)]
        return loss, grads
    return loss_and_grads


def _loop_answer(*, t_step="batch", schedule="cosine", shuffle="rng", copy=True, moments="once"):
    """train_loop written out with the package's parts, with one variation."""
    from nncourse import optim

    def train_loop(params, X, y, *, epochs, batch_size, lr, drop_prob=0.0, l2=0.0, seed=0):
        rng = np.random.default_rng(seed)
        params = [(W.copy(), b.copy()) for W, b in params] if copy else params
        state, t = None, 0
        for epoch in range(epochs):
            if state is None or moments == "epoch":
                state = [[(np.zeros_like(a), np.zeros_like(a)) for a in pair] for pair in params]
                t = 0 if moments == "epoch" else t
            eta = {"cosine": optim.cosine_decay(lr, epochs)(epoch), "none": lr,
                   "step": optim.step_decay(lr)(epoch), "off-by-one": optim.cosine_decay(lr, epochs)(epoch + 1)}[schedule]
            if shuffle == "rng":
                batches = optim.minibatches(X.shape[0], batch_size, rng=rng)
            elif shuffle == "global":
                batches = optim.minibatches(X.shape[0], batch_size, rng=np.random.default_rng(epoch))
            else:
                batches = optim.minibatches(X.shape[0], batch_size, rng=rng, shuffle=False)
            for idx in batches:
                _, grads = nncourse.loss_and_grads(params, X[idx], y[idx], activation="relu", l2=l2,
                                                   drop_prob=drop_prob, rng=rng)
                for l, (pair, grad_pair) in enumerate(zip(params, grads)):
                    new = []
                    for k, (theta, g) in enumerate(zip(pair, grad_pair)):
                        m, v = state[l][k]
                        theta, m, v, t_next = optim.adam_update(theta, g, m, v, t, lr=eta)
                        state[l][k] = (m, v)
                        if t_step == "array":
                            t = t_next
                        new.append(theta)
                    if copy:
                        params[l] = tuple(new)
                    else:
                        params[l][0][...] = new[0]
                        params[l][1][...] = new[1]
                if t_step == "batch":
                    t += 1
        return params
    return train_loop


def _loop_plain(params, X, y, *, epochs, batch_size, lr, drop_prob=0.0, l2=0.0, seed=0):
    """The statement's loop written without the package's helpers: permutation, slices, Adam by hand."""
    rng = np.random.default_rng(seed)
    arrays = [a.copy() for pair in params for a in pair]
    m = [np.zeros_like(a) for a in arrays]
    v = [np.zeros_like(a) for a in arrays]
    t = 0
    for epoch in range(epochs):
        eta = 0.5 * lr * (1 + np.cos(np.pi * epoch / epochs))
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch_size):
            idx = order[start:start + batch_size]
            pairs = [(arrays[2 * i], arrays[2 * i + 1]) for i in range(len(arrays) // 2)]
            _, grads = nncourse.loss_and_grads(pairs, X[idx], y[idx], l2=l2, drop_prob=drop_prob, rng=rng)
            t += 1
            for i, g in enumerate(g for pair in grads for g in pair):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                arrays[i] = arrays[i] - eta * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    return [(arrays[2 * i], arrays[2 * i + 1]) for i in range(len(arrays) // 2)]

WRONG = [
    # ------------------------------------------------------------ standardise
    wrong("standardise", "whole data", "whole-data", _std(stats="both")),
    wrong("standardise", "own statistics", "own-statistics", _std(stats="own")),
    wrong("standardise", "no guard", {"no-zero-guard", "generic:nonfinite"}, _std(guard="none")),
    wrong("standardise", "per sample", "per-sample", _std(axis=1)),
    wrong("standardise", "one mean", "all-entries", lambda X_train, X_other: ((X_train - X_train.mean()) / X_train.std(), (X_other - X_train.mean()) / X_train.std())),
    wrong("standardise", "ddof 1", "sample-std", _std(ddof=1)),
    wrong("standardise", "not centred", "not-centred", _std(centre=False)),
    wrong("standardise", "not scaled", "not-scaled", _std(scale=False)),
    wrong("standardise", "in place", MUTATED, _std_in_place),
    wrong("standardise", "nan_to_num", "nan-to-num", _std_nan_to_num),
    wrong("standardise", "std + 1e-8 for constants", "epsilon-guard", lambda X_train, X_other: (lambda m, s: ((X_train - m) / (s + 1e-8), (X_other - m) / (s + 1e-8)))(X_train.mean(axis=0), X_train.std(axis=0))),
    # ------------------------------------------------------------ shift-images
    wrong("shift-images", "np.roll", "roll", _shift(fill="roll")),
    wrong("shift-images", "reversed", "reversed", _shift(direction=-1)),
    wrong("shift-images", "swapped", "swapped", _shift(swap=True)),
    wrong("shift-images", "edge fill", "edge-fill", lambda images, dy, dx: np.pad(images, ((0, 0), (abs(dy), abs(dy)), (abs(dx), abs(dx))), mode="edge")[:, abs(dy) - dy:abs(dy) - dy + images.shape[1], abs(dx) - dx:abs(dx) - dx + images.shape[2]]),
    wrong("shift-images", "[:-dy] with dy = 0", "minus-zero-slice", _shift_naive_dy0),
    wrong("shift-images", "in place", MUTATED, _shift_in_place),
    wrong("shift-images", "padded the wrong way", {"reversed"}, lambda images, dy, dx: _shift_pad(images, -dy, -dx)),
    wrong("shift-images", "only dy", "dx-ignored", lambda images, dy, dx: _shift()(images, dy, 0)),
    wrong("shift-images", "returns images when no shift", "generic:aliasing", lambda images, dy, dx: images if dy == dx == 0 else _shift()(images, dy, dx)),
    wrong("shift-images", "float32 result", "generic:dtype", lambda images, dy, dx: _shift()(images, dy, dx).astype(np.float32)),
    # ------------------------------------------------------------ predict-classes
    wrong("predict-classes", "probabilities", "probabilities", _predict(lambda P, params, X: P)),
    wrong("predict-classes", "axis 0", "argmax-axis-0", _predict(lambda P, params, X: np.argmax(P, axis=0))),
    wrong("predict-classes", "max probability", "max-probability", _predict(lambda P, params, X: np.max(P, axis=1))),
    wrong("predict-classes", "argmin", "argmin", _predict(lambda P, params, X: np.argmin(P, axis=1))),
    wrong("predict-classes", "tanh", "tanh-hidden", lambda params, X: np.argmax(nncourse.forward(params, X, activation="tanh")[0], axis=1)),
    wrong("predict-classes", "argmax + 1", "argmax-plus-one", _predict(lambda P, params, X: np.argmax(P, axis=1) + 1)),
    wrong("predict-classes", "no biases", "biases-ignored", lambda params, X: np.argmax(nncourse.forward([(W, np.zeros_like(b)) for W, b in params], X)[0], axis=1)),
    wrong("predict-classes", "argmax of the whole array", "argmax-flattened", _predict(lambda P, params, X: np.argmax(P))),
    wrong("predict-classes", "float classes", "generic:dtype", _predict(lambda P, params, X: np.argmax(P, axis=1).astype(float))),
    wrong("predict-classes", "first layer only", "first-layer-only", lambda params, X: np.argmax(X @ params[0][0] + params[0][1], axis=1)),
    wrong("predict-classes", "rounded probabilities", "rounded-probabilities", _predict(lambda P, params, X: np.round(P).astype(int))),
    # ------------------------------------------------------------ confusion-matrix
    wrong("confusion-matrix", "transposed", "transposed", _confusion(transpose=True)),
    wrong("confusion-matrix", "fancy index", "fancy-index", _confusion(kind="fancy")),
    wrong("confusion-matrix", "size from data", "size-from-data", _confusion(size="data")),
    wrong("confusion-matrix", "fractions", "row-fractions", lambda t, p, k: (lambda C: C / np.maximum(C.sum(axis=1, keepdims=True), 1))(_confusion()(t, p, k))),
    wrong("confusion-matrix", "float", "float-counts", _confusion(dtype=float)),
    wrong("confusion-matrix", "last sample skipped", "last-sample-skipped", _confusion(kind="skip-last")),
    wrong("confusion-matrix", "set not add", {"set-not-add", "fancy-index"}, _confusion(kind="set")),
    wrong("confusion-matrix", "bincount with the indices swapped", "transposed", lambda t, p, k: np.bincount(t + k * p, minlength=k * k).reshape(k, k)),
    wrong("confusion-matrix", "diagonal only", "diagonal-only", lambda t, p, k: np.diag(np.bincount(t[t == p], minlength=k))),
    wrong("confusion-matrix", "histogram2d", {"float-counts", "generic:dtype"}, lambda t, p, k: np.histogram2d(t, p, bins=k, range=[[0, k], [0, k]])[0]),
    # ------------------------------------------------------------ per-class-accuracy
    wrong("per-class-accuracy", "column sums", "column-sums", _per_class(lambda C: np.diag(C) / C.sum(axis=0))),
    wrong("per-class-accuracy", "total", "over-total", _per_class(lambda C: np.diag(C) / C.sum())),
    wrong("per-class-accuracy", "floor division", "floor-division", _per_class(lambda C: (np.diag(C) // np.maximum(C.sum(axis=1), 1)).astype(float))),
    wrong("per-class-accuracy", "empty as 0", "empty-as-zero", _pca_loop_zero),
    wrong("per-class-accuracy", "percent", "percent", _per_class(lambda C: 100 * np.diag(C) / C.sum(axis=1))),
    wrong("per-class-accuracy", "empty as 1", "empty-as-one", _per_class(lambda C: np.diag(C) / np.maximum(C.sum(axis=1), 1) + (C.sum(axis=1) == 0))),
    wrong("per-class-accuracy", "overall accuracy", "overall-accuracy", _per_class(lambda C: np.full(C.shape[0], np.trace(C) / C.sum()))),
    wrong("per-class-accuracy", "diagonal counts", "counts-not-fractions", _per_class(lambda C: np.diag(C).astype(float))),
    wrong("per-class-accuracy", "errors", "error-rate", _per_class(lambda C: 1 - np.diag(C) / C.sum(axis=1))),
    wrong("per-class-accuracy", "row max", "row-max", _per_class(lambda C: np.max(C, axis=1) / C.sum(axis=1))),
    # ------------------------------------------------------------ loss-and-grads
    wrong("loss-and-grads", "penalty left out of the loss", "penalty-missing-from-loss", _lag(penalty_factor=0.0)),
    wrong("loss-and-grads", "l2 * sum W^2 without the 1/2", None, _lag(penalty_factor=1.0)),
    wrong("loss-and-grads", "no penalty gradient", "penalty-gradient-missing", _lag(l2_on="none")),
    wrong("loss-and-grads", "biases penalised too", "biases-penalised", _lag(l2_on="both")),
    wrong("loss-and-grads", "dropout on the logits too", "dropout-on-the-logits", _lag(drop_where="everywhere")),
    wrong("loss-and-grads", "mask forgotten in the backward pass", "mask-not-used-in-backward", _lag(mask="none")),
    wrong("loss-and-grads", "a generator of its own", None, _lag(fresh_rng=True)),
    wrong("loss-and-grads", "dropout ignored", None, _lag(drop_where="nowhere")),
    wrong("loss-and-grads", "sum over samples, not mean", None, _lag(mean=False)),
    wrong("loss-and-grads", "ReLU's derivative skipped", None, _lag(forget_relu_grad=True)),
    # ------------------------------------------------------------ train-loop
    wrong("train-loop", "t per array", "step-counter-per-array", _loop_answer(t_step="array")),
    wrong("train-loop", "t never incremented", None, _loop_answer(t_step="never")),
    wrong("train-loop", "constant learning rate", "no-schedule", _loop_answer(schedule="none")),
    wrong("train-loop", "step decay instead of cosine", None, _loop_answer(schedule="step")),
    wrong("train-loop", "schedule one epoch ahead", None, _loop_answer(schedule="off-by-one")),
    wrong("train-loop", "a generator per epoch for the shuffle", None, _loop_answer(shuffle="global")),
    wrong("train-loop", "no shuffle", "no-shuffle", _loop_answer(shuffle="none")),
    wrong("train-loop", "Adam restarted every epoch", "adam-moments-reset-each-epoch", _loop_answer(moments="epoch")),
    wrong("train-loop", "trains the caller's params in place", MUTATED, _loop_answer(copy=False)),
]


def _std_loop(X_train, X_other):
    mean = np.mean(X_train, axis=0)
    std = np.sqrt(np.mean((X_train - mean) ** 2, axis=0))
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_other - mean) / std


def _confusion_add_at(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(C, (y_true, y_pred), 1)
    return C


CORRECT = [
    correct("standardise", "loop-free by hand", _std_loop),
    correct("standardise", "keepdims", lambda X_train, X_other: (lambda m, s: ((X_train - m) / s, (X_other - m) / s))(X_train.mean(axis=0, keepdims=True), np.where(X_train.std(axis=0, keepdims=True) == 0, 1, X_train.std(axis=0, keepdims=True)))),
    correct("standardise", "package", lambda X_train, X_other: nncourse.datasets.standardise(X_train, X_other)),
    correct("shift-images", "loop", _shift_loop),
    correct("shift-images", "pad and crop", _shift_pad),
    correct("shift-images", "two steps", _shift_negative_slices),
    correct("predict-classes", "argmax of the logits", lambda params, X: np.argmax(_forward_logits(params, X), axis=1)),
    correct("predict-classes", "argmax via loop", lambda params, X: np.array([int(np.argmax(row)) for row in nncourse.forward(params, X)[0]], dtype=np.int64)),
    correct("predict-classes", "layers.forward", lambda params, X: layers.forward(params, X)[0].argmax(axis=1)),
    correct("confusion-matrix", "add.at", _confusion_add_at),
    correct("confusion-matrix", "bincount", lambda t, p, k: np.bincount(t * k + p, minlength=k * k).reshape(k, k)),
    correct("confusion-matrix", "loop", _confusion()),
    correct("per-class-accuracy", "plain division", lambda C: np.diag(C) / C.sum(axis=1)),
    correct("per-class-accuracy", "divide where", lambda C: np.divide(np.diag(C), C.sum(axis=1), out=np.full(len(C), np.nan), where=C.sum(axis=1) > 0)),
    correct("per-class-accuracy", "loop", lambda C: np.array([C[i, i] / C[i].sum() if C[i].sum() else np.nan for i in range(len(C))])),
    correct("loss-and-grads", "written out from the parts", _lag()),
    correct("loss-and-grads", "the package's loss_and_grads", lambda params, X, y, *, drop_prob=0.0, l2=0.0, rng=None:
            nncourse.loss_and_grads(params, X, y, l2=l2, drop_prob=drop_prob, rng=rng)),
    correct("train-loop", "written out from the parts", _loop_answer()),
    correct("train-loop", "permutation, slices and Adam by hand", _loop_plain),
]


def _forward_logits(params, X):
    A = X
    for W, b in params[:-1]:
        A = np.maximum(A @ W + b, 0)
    W, b = params[-1]
    return A @ W + b
