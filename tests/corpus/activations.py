"""Answers to lesson 02's exercises (collapse-linear ... softmax)."""

import numpy as np

from nncourse import activations

from . import correct, wrong

MUTATED = "generic:input-mutated"
DTYPE = "generic:dtype"
OVERFLOW = "generic:overflow"


def _relu_in_place(z):
    z[z < 0] = 0
    return z



def _relu_loop(z):
    out = z.copy()
    for i in np.ndindex(z.shape):
        if out[i] < 0:
            out[i] = 0.0
    return out


def _relu_1d(z):
    return np.array([max(v, 0.0) for v in np.atleast_1d(z)])


def _sigmoid_naive(z):
    return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_naive_silenced(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _sigmoid_where_both(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def _sigmoid_clip(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _sigmoid_split_float64(z):
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def _sigmoid_split_swapped(z):
    out = np.empty_like(z)
    pos = z >= 0
    e = np.exp(-np.abs(z))
    out[pos] = e[pos] / (1 + e[pos])
    out[~pos] = 1 / (1 + e[~pos])
    return out


def _sigmoid_1d(z):
    z = np.atleast_1d(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid_minus_in_split(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), 1 / (1 - e + 2 * e))  # 1 / (1 + e) on both sides


def _sigmoid_in_place(z):
    pos = z >= 0
    z[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    z[~pos] = e / (1 + e)
    return z


def _softmax(shift="row-max", norm_axis=1, keepdims=True, exp=np.exp):
    def softmax(z):
        if shift == "row-max":
            z = z - np.max(z, axis=1, keepdims=True)
        elif shift == "global-max":
            z = z - np.max(z)
        elif shift == "row-mean":
            z = z - np.mean(z, axis=1, keepdims=True)
        elif shift == "col-max":
            z = z - np.max(z, axis=0, keepdims=True)
        e = exp(z)
        if norm_axis is None:
            return e / np.sum(e)
        return e / np.sum(e, axis=norm_axis, keepdims=keepdims)
    return softmax


def _softmax_max_no_keepdims(z):
    e = np.exp(z - np.max(z, axis=1))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_in_place(z):
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def _softmax_silenced(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _softmax_loop(z):
    out = np.zeros(z.shape)
    for i in range(z.shape[0]):
        e = np.exp(z[i] - z[i].max())
        out[i] = e / e.sum()
    return out


def _softmax_logsumexp(z):
    m = z.max(axis=1, keepdims=True)
    return np.exp(z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)))


def _collapse_loop(W1, b1, W2, b2):
    W = np.zeros((W1.shape[0], W2.shape[1]))
    for i in range(W1.shape[0]):
        for k in range(W2.shape[1]):
            W[i, k] = np.sum(W1[i, :] * W2[:, k])
    return W, b1 @ W2 + b2


WRONG = [
    # ------------------------------------------------------------ collapse-linear
    wrong("collapse-linear", "biases added", "biases-added", lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2)),
    wrong("collapse-linear", "b1 dropped", "first-bias-dropped", lambda W1, b1, W2, b2: (W1 @ W2, b2)),
    wrong("collapse-linear", "b2 dropped", "second-bias-dropped", lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2)),
    wrong("collapse-linear", "W2.T W1.T", "column-vector-order", lambda W1, b1, W2, b2: (W2.T @ W1.T, b1 @ W2 + b2)),
    wrong("collapse-linear", "element-wise W", "element-wise-weights", lambda W1, b1, W2, b2: (W1 * W2, b1 @ W2 + b2)),
    wrong("collapse-linear", "W2 b1", "bias-column-order", lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2)),
    wrong("collapse-linear", "returns three things", "generic:structure", lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2, b2)),
    wrong("collapse-linear", "b as a column", "generic:keepdims", lambda W1, b1, W2, b2: (W1 @ W2, (b1 @ W2 + b2)[:, None])),
    wrong("collapse-linear", "W2 W1", "product-order", lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2)),
    wrong("collapse-linear", "W transposed", {"generic:shape-transposed", "generic:transpose", "column-vector-order"},
          lambda W1, b1, W2, b2: ((W1 @ W2).T, b1 @ W2 + b2)),
    # ------------------------------------------------------------ relu
    wrong("relu", "abs", "abs", lambda z: np.abs(z)),
    wrong("relu", "derivative", "returned-the-derivative", lambda z: (z > 0).astype(z.dtype)),
    wrong("relu", "np.max not np.maximum", "max-not-maximum", lambda z: np.max(z, 0)),
    wrong("relu", "in place", MUTATED, _relu_in_place),
    wrong("relu", "minimum", "kept-the-negatives", lambda z: np.minimum(z, 0)),
    wrong("relu", "clip to 1", "clipped-at-1", lambda z: np.clip(z, 0, 1)),
    wrong("relu", "float64 for float32", DTYPE, lambda z: np.maximum(z, np.zeros(z.shape))),
    wrong("relu", "python max over the first axis", {"python-max-on-rows", "generic:0d-shape"}, _relu_1d),
    wrong("relu", "z * (z > 0) with int mask", DTYPE, lambda z: z * (z > 0).astype(np.int64)),
    wrong("relu", "returns z itself when all positive", "generic:aliasing", lambda z: z if np.all(z >= 0) else np.maximum(z, 0)),
    wrong("relu", "sign trick (z * sign(z) is |z|)", {"abs", "relu-via-sign"}, lambda z: z * np.sign(z)),
    # ------------------------------------------------------------ relu-grad
    wrong("relu-grad", "z >= 0", "one-at-zero", lambda z: (z >= 0).astype(z.dtype)),
    wrong("relu-grad", "booleans", DTYPE, lambda z: z > 0),
    wrong("relu-grad", "heaviside 0.5", "half-at-zero", lambda z: np.heaviside(z, 0.5)),
    wrong("relu-grad", "returns relu", "returned-relu", lambda z: np.maximum(z, 0)),
    wrong("relu-grad", "sign", "sign", lambda z: np.sign(z)),
    wrong("relu-grad", "float64 for float32", DTYPE, lambda z: (z > 0).astype(float)),
    wrong("relu-grad", "swapped", "swapped", lambda z: (z < 0).astype(z.dtype)),
    wrong("relu-grad", "int dtype", DTYPE, lambda z: (z > 0).astype(int)),
    wrong("relu-grad", "z / |z| (the sign)", {"z-over-abs-z", "sign"}, lambda z: np.nan_to_num(z / np.abs(z))),
    wrong("relu-grad", "ones like z", "all-ones", lambda z: np.ones_like(z)),
    # ------------------------------------------------------------ leaky-relu
    wrong("leaky-relu", "fixed 0.01", "slope-ignored", lambda z, slope=0.01: np.where(z > 0, z, 0.01 * z)),
    wrong("leaky-relu", "constant slope", "constant-instead-of-slope-z", lambda z, slope=0.01: np.where(z > 0, z, slope)),
    wrong("leaky-relu", "sides swapped", "sides-swapped", lambda z, slope=0.01: np.where(z > 0, slope * z, z)),
    wrong("leaky-relu", "plain relu", "plain-relu", lambda z, slope=0.01: np.maximum(z, 0)),
    wrong("leaky-relu", "max(slope*z, z) with float64", DTYPE, lambda z, slope=0.01: np.maximum(np.float64(slope) * z.astype(float), z)),
    wrong("leaky-relu", "slope * |z|", "slope-times-abs", lambda z, slope=0.01: np.where(z > 0, z, slope * np.abs(z))),
    wrong("leaky-relu", "default 0.1", "wrong-default-slope", lambda z, slope=0.1: np.where(z > 0, z, slope * z)),
    wrong("leaky-relu", "in place", MUTATED, lambda z, slope=0.01: (np.multiply(z, slope, out=z, where=z < 0), z)[1]),
    wrong("leaky-relu", "z - slope*z", "one-minus-slope", lambda z, slope=0.01: np.where(z > 0, z, (1 - slope) * z)),
    wrong("leaky-relu", "slope/z", "divided-by-slope", lambda z, slope=0.01: np.where(z > 0, z, z / slope)),
    # ------------------------------------------------------------ tanh-grad
    wrong("tanh-grad", "1 - z**2", "from-z-instead-of-tanh-z", lambda z: 1 - z ** 2),
    wrong("tanh-grad", "square missing", "square-missing", lambda z: 1 - np.tanh(z)),
    wrong("tanh-grad", "tanh squared", "tanh-squared", lambda z: np.tanh(z) ** 2),
    wrong("tanh-grad", "1 / cosh", "sech-not-squared", lambda z: 1 / np.cosh(z)),
    wrong("tanh-grad", "cosh overflow", {OVERFLOW, "sech-squared-overflows"}, lambda z: 1 / np.cosh(z) ** 2),
    wrong("tanh-grad", "float64 out", DTYPE, lambda z: 1 - np.tanh(z.astype(float)) ** 2),
    wrong("tanh-grad", "1 + tanh^2", "plus-sign", lambda z: 1 + np.tanh(z) ** 2),
    wrong("tanh-grad", "2(1 - tanh^2)", {"generic:factor-2", "doubled"}, lambda z: 2 * (1 - np.tanh(z) ** 2)),
    wrong("tanh-grad", "tanh(z)(1 - tanh(z))", "sigmoid-style", lambda z: np.tanh(z) * (1 - np.tanh(z))),
    wrong("tanh-grad", "returns tanh", "returned-tanh", lambda z: np.tanh(z)),
    # ------------------------------------------------------------ sigmoid-grad
    wrong("sigmoid-grad", "z(1 - z)", "from-z-instead-of-sigma-z", lambda z: z * (1 - z)),
    wrong("sigmoid-grad", "s(1 - z)", "half-from-z", lambda z: activations.sigmoid(z) * (1 - z)),
    wrong("sigmoid-grad", "returns sigmoid", "returned-sigmoid", lambda z: activations.sigmoid(z)),
    wrong("sigmoid-grad", "s(1 + s)", "plus-sign", lambda z: activations.sigmoid(z) * (1 + activations.sigmoid(z))),
    wrong("sigmoid-grad", "naive sigmoid overflows", {OVERFLOW, "naive-sigmoid"}, lambda z: (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z)))),
    wrong("sigmoid-grad", "float64 for float32", DTYPE, lambda z: activations.sigmoid(z.astype(float)) * (1 - activations.sigmoid(z.astype(float)))),
    wrong("sigmoid-grad", "s squared", "s-squared", lambda z: activations.sigmoid(z) ** 2),
    wrong("sigmoid-grad", "e^-z/(1+e^-z)", "exp-without-the-square", lambda z: np.exp(-z) / (1 + np.exp(-z))),
    wrong("sigmoid-grad", "1 - s^2", "tanh-style", lambda z: 1 - activations.sigmoid(z) ** 2),
    wrong("sigmoid-grad", "s (1 - s(-z)), which is s squared", {"sign-flipped-input", "s-squared"}, lambda z: activations.sigmoid(z) * (1 - activations.sigmoid(-z))),
    # ------------------------------------------------------------ sigmoid
    wrong("sigmoid", "naive", {"naive", OVERFLOW}, _sigmoid_naive),
    wrong("sigmoid", "naive, overflow silenced", {"naive", OVERFLOW}, _sigmoid_naive_silenced),
    wrong("sigmoid", "np.where evaluates both", {"naive", OVERFLOW}, _sigmoid_where_both),
    wrong("sigmoid", "e^z instead of e^-z", {"sign-flipped", OVERFLOW}, lambda z: 1 / (1 + np.exp(z))),
    wrong("sigmoid", "clipped input", "clipped", _sigmoid_clip),
    wrong("sigmoid", "float64 for float32", DTYPE, _sigmoid_split_float64),
    wrong("sigmoid", "branches swapped", {"branches-swapped", "sign-flipped"}, _sigmoid_split_swapped),
    wrong("sigmoid", "0-d becomes 1-d", "generic:0d-shape", _sigmoid_1d),
    wrong("sigmoid", "one formula for both sides", "one-branch-for-all-z-positive-form", _sigmoid_minus_in_split),
    wrong("sigmoid", "tanh without the half", "tanh-form-without-the-factor", lambda z: 0.5 * (1 + np.tanh(z))),
    wrong("sigmoid", "in place", MUTATED, _sigmoid_in_place),
    # ------------------------------------------------------------ softmax
    wrong("softmax", "no shift", {"no-shift", OVERFLOW}, _softmax(shift=None)),
    wrong("softmax", "global max", "global-max", _softmax(shift="global-max")),
    wrong("softmax", "row mean shift", "mean-shift", _softmax(shift="row-mean")),
    wrong("softmax", "columns", "normalised-over-columns", _softmax(shift="col-max", norm_axis=0)),
    wrong("softmax", "sum without keepdims", "sum-without-keepdims", _softmax(keepdims=False)),
    wrong("softmax", "max without keepdims", "max-without-keepdims", _softmax_max_no_keepdims),
    wrong("softmax", "whole-batch sum", "summed-over-the-whole-batch", _softmax(norm_axis=None)),
    wrong("softmax", "not normalised", "not-normalised", lambda z: np.exp(z - z.max(axis=1, keepdims=True))),
    wrong("softmax", "in place", MUTATED, _softmax_in_place),
    wrong("softmax", "overflow silenced", {"no-shift", OVERFLOW}, _softmax_silenced),
    wrong("softmax", "exp2", "exp2", _softmax(exp=np.exp2)),
    wrong("softmax", "row max over columns axis 0 only", "max-over-columns", lambda z: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(z - z.max(axis=0, keepdims=True)))),
]


CORRECT = [
    correct("collapse-linear", "loop", _collapse_loop),
    correct("collapse-linear", "einsum", lambda W1, b1, W2, b2: (np.einsum("ij,jk->ik", W1, W2), np.einsum("j,jk->k", b1, W2) + b2)),
    correct("collapse-linear", "dot", lambda W1, b1, W2, b2: (np.dot(W1, W2), np.dot(b1, W2) + b2)),
    correct("relu", "where", lambda z: np.where(z > 0, z, 0)),
    correct("relu", "times mask", lambda z: z * (z > 0)),
    correct("relu", "loop", _relu_loop),
    correct("relu", "clip", lambda z: np.clip(z, 0, None)),
    correct("relu", "abs trick", lambda z: (z + np.abs(z)) / 2),
    correct("relu-grad", "where", lambda z: np.where(z > 0, 1, 0).astype(z.dtype)),
    correct("relu-grad", "heaviside 0", lambda z: np.heaviside(z, 0).astype(z.dtype)),
    correct("relu-grad", "greater", lambda z: np.greater(z, 0).astype(z.dtype)),
    correct("leaky-relu", "maximum", lambda z, slope=0.01: np.maximum(z, slope * z)),
    correct("leaky-relu", "mask arithmetic", lambda z, slope=0.01: z * (z > 0) + slope * z * (z <= 0)),
    correct("leaky-relu", "copy and assign", lambda z, slope=0.01: (lambda out: (np.multiply(out, slope, out=out, where=out <= 0), out)[1])(z.copy())),
    correct("tanh-grad", "power", lambda z: 1 - np.power(np.tanh(z), 2)),
    correct("tanh-grad", "t * t", lambda z: (lambda t: 1 - t * t)(np.tanh(z))),
    correct("tanh-grad", "via sigmoid", lambda z: (lambda s: 4 * s * (1 - s))(activations.sigmoid(2 * z))),
    correct("sigmoid-grad", "two calls", lambda z: activations.sigmoid(z) * activations.sigmoid(-z)),
    correct("sigmoid-grad", "s - s^2", lambda z: (lambda s: s - s * s)(activations.sigmoid(z))),
    correct("sigmoid-grad", "tanh form", lambda z: (lambda t: (1 - t * t) / 4)(np.tanh(z / 2))),
    correct("sigmoid", "tanh form", lambda z: 0.5 * (1 + np.tanh(z / 2))),
    correct("sigmoid", "abs split", lambda z: (lambda e: np.where(z >= 0, 1 / (1 + e), e / (1 + e)))(np.exp(-np.abs(z)))),
    correct("sigmoid", "logaddexp", lambda z: np.exp(-np.logaddexp(0, -z)).astype(np.result_type(z, np.float32))),
    correct("sigmoid", "masked", lambda z: (lambda out, pos: (out.__setitem__(pos, 1 / (1 + np.exp(-z[pos]))),
                                                              out.__setitem__(~pos, np.exp(z[~pos]) / (1 + np.exp(z[~pos]))),
                                                              out)[2])(np.empty_like(z), z >= 0)),
    correct("softmax", "loop", _softmax_loop),
    correct("softmax", "log-sum-exp", _softmax_logsumexp),
    correct("softmax", "package with axis", lambda z: activations.softmax(z, axis=1)),
    correct("softmax", "transpose twice", lambda z: (lambda e: (e.T / e.sum(axis=1)).T)(np.exp(z - z.max(axis=1, keepdims=True)))),
]


# ------------------------------------------------------------ relu-bumps (added with the exercise)
def _bumps(kinks, slopes, out_bias=0.0):
    return np.ones((1, kinks.size)), -kinks, slopes.reshape(-1, 1), np.full(1, out_bias)


def _bumps_loop(centres, heights, width):
    W1, b1, W2 = [], [], []
    for c, h in zip(centres, heights):
        for kink, change in ((c - width, h / width), (c, -2 * h / width), (c + width, h / width)):
            W1.append(1.0)
            b1.append(-kink)
            W2.append(change)
    return np.array([W1]), np.array(b1), np.array(W2).reshape(-1, 1), np.zeros(1)


def _bumps_scaled_units(centres, heights, width):
    # Each unit computes relu((x - kink) / width); the output weights are then h, -2h, h.
    kinks = np.concatenate([centres - width, centres, centres + width])
    return (np.full((1, kinks.size), 1.0 / width), -kinks / width,
            np.concatenate([heights, -2 * heights, heights]).reshape(-1, 1), np.zeros(1))


WRONG += [
    wrong("relu-bumps", "-1 in the middle", "middle-change-minus-one",
          lambda c, h, w: _bumps(np.concatenate([c - w, c, c + w]), np.concatenate([h, -h, h]) / w)),
    wrong("relu-bumps", "two units per bump", "third-unit-missing",
          lambda c, h, w: _bumps(np.concatenate([c - w, c]), np.concatenate([h, -2 * h]) / w)),
    wrong("relu-bumps", "bias +kink", "bias-sign",
          lambda c, h, w: (np.ones((1, 3 * len(c))), np.concatenate([c - w, c, c + w]),
                           (np.concatenate([h, -2 * h, h]) / w).reshape(-1, 1), np.zeros(1))),
    wrong("relu-bumps", "slopes not divided by w", "not-divided-by-width",
          lambda c, h, w: _bumps(np.concatenate([c - w, c, c + w]), np.concatenate([h, -2 * h, h]))),
    wrong("relu-bumps", "height 1 always", "heights-ignored",
          lambda c, h, w: _bumps(np.concatenate([c - w, c, c + w]), np.concatenate([np.ones_like(h), -2 * np.ones_like(h),
                                                                                      np.ones_like(h)]) / w)),
    wrong("relu-bumps", "width as the full width", "width-as-full-width",
          lambda c, h, w: _bumps(np.concatenate([c - w / 2, c, c + w / 2]), np.concatenate([h, -2 * h, h]) / (w / 2))),
    wrong("relu-bumps", "output bias of 1", "generic:offset",
          lambda c, h, w: _bumps(np.concatenate([c - w, c, c + w]), np.concatenate([h, -2 * h, h]) / w, 1.0)),
    wrong("relu-bumps", "W2 as a row", None,
          lambda c, h, w: (np.ones((1, 3 * len(c))), -np.concatenate([c - w, c, c + w]),
                           (np.concatenate([h, -2 * h, h]) / w).reshape(1, -1), np.zeros(1))),
    wrong("relu-bumps", "kinks at c, c + w, c + 2w", None,
          lambda c, h, w: _bumps(np.concatenate([c, c + w, c + 2 * w]), np.concatenate([h, -2 * h, h]) / w)),
    wrong("relu-bumps", "middle change 2h/w", None,
          lambda c, h, w: _bumps(np.concatenate([c - w, c, c + w]), np.concatenate([h, 2 * h, h]) / w)),
]
CORRECT += [
    correct("relu-bumps", "loop over bumps", _bumps_loop),
    correct("relu-bumps", "units scaled by 1/w", _bumps_scaled_units),
    correct("relu-bumps", "kinks interleaved per bump", lambda c, h, w: _bumps(
        np.stack([c - w, c, c + w], axis=1).ravel(), (np.stack([h, -2 * h, h], axis=1) / w).ravel())),
]
