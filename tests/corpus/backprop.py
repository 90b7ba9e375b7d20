"""Answers to lesson 05's exercises (activation-backward ... numerical-gradient)."""

import numpy as np

from nncourse import activations, backprop

from . import correct, wrong

MUTATED = "generic:input-mutated"
OVERFLOW = "generic:overflow"

_G = {"sigmoid": activations.sigmoid, "tanh": np.tanh, "relu": activations.relu}
_D = {"sigmoid": activations.sigmoid_grad, "tanh": activations.tanh_grad, "relu": activations.relu_grad}


def _act(rule):
    def activation_backward(dA, cache):
        Z, name = cache
        return rule(dA, Z, name)
    return activation_backward


def _act_in_place(dA, cache):
    Z, name = cache
    dA *= _D[name](Z)
    return dA


def _act_naive_sigmoid(dA, cache):
    Z, name = cache
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-Z))
        return dA * s * (1 - s)
    return dA * _D[name](Z)


def _act_if_chain(dA, cache):
    Z, name = cache
    if name == "sigmoid":
        s = activations.sigmoid(Z)
        return dA * s * (1 - s)
    elif name == "tanh":
        return dA * (1 - np.tanh(Z) ** 2)
    return dA * (Z > 0)


def _dense(dX=lambda dZ, X, W: dZ @ W.T, dW=lambda dZ, X, W: X.T @ dZ, db=lambda dZ, X, W: dZ.sum(axis=0), order="xwb"):
    def dense_backward(dZ, cache):
        X, W = cache
        grads = {"x": dX(dZ, X, W), "w": dW(dZ, X, W), "b": db(dZ, X, W)}
        return tuple(grads[k] for k in order)
    return dense_backward


def _softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _sce(rule):
    return lambda Z, y: rule(Z, y, np.eye(Z.shape[1])[y], Z.shape[0])


def _sce_in_place(Z, y):
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    Z[np.arange(len(y)), y] -= 1
    Z /= len(y)
    return Z


def _sce_columns(Z, y):
    P = _softmax(Z)
    P[:, y] -= 1
    return P / len(y)


def _sce_silenced(Z, y):
    with np.errstate(over="ignore", invalid="ignore"):
        P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return (P - np.eye(Z.shape[1])[y]) / len(y)


def _backward(*, derivative=True, order="params", first=True, again=False, same_layer=False,
              append_db_keepdims=False, upstream_activation=False):
    def backward(dZ_out, cache):
        grads = []
        dZ = dZ_out
        if again:
            dZ = backprop.activation_backward(dZ, cache[-1].activation)
        stop = 0 if first else 1
        for l in range(len(cache) - 1, stop - 1, -1):
            A_prev, W = cache[l].dense
            dW = A_prev.T @ dZ
            db = dZ.sum(axis=0, keepdims=append_db_keepdims)
            grads.append((dW, db))
            if l > 0:
                dA = dZ @ W.T
                if derivative:
                    act_cache = cache[l].activation if same_layer else cache[l - 1].activation
                    dZ = backprop.activation_backward(dA, act_cache) if act_cache[0].shape == dA.shape else dA
                elif upstream_activation:
                    Z, name = cache[l - 1].activation
                    dZ = dA * activations.get_activation(name).fn(Z)
                else:
                    dZ = dA
        return grads[::-1] if order == "params" else grads
    return backward


def _backward_in_place_dz(dZ_out, cache):
    grads = [None] * len(cache)
    dZ = dZ_out
    for l in range(len(cache) - 1, -1, -1):
        A_prev, W = cache[l].dense
        grads[l] = (A_prev.T @ dZ, dZ.sum(axis=0))
        if l:
            dA = dZ @ W.T
            Z, name = cache[l - 1].activation
            dZ = dA * activations.get_activation(name).grad(Z)
    dZ_out *= 0.0  # "free" the gradient
    return grads


def _numerical(*, centred=True, divisor=2.0, restore=True, all_at_once=False, uses_h=True, out_dtype=None):
    def numerical_gradient(f, x, h=1e-5):
        step = h if uses_h else 1e-5
        grad = np.zeros(x.shape, dtype=out_dtype or float)
        if all_at_once:
            return grad + (f(x + step) - f(x - step)) / (2 * step)
        for i in np.ndindex(x.shape):
            original = x[i]
            x[i] = original + step
            plus = f(x)
            x[i] = original - step if centred else original
            minus = f(x)
            if restore:
                x[i] = original
            grad[i] = (plus - minus) / (divisor * step if centred else step)
        return grad
    return numerical_gradient


def _numerical_copy_perturb(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / (2 * h)
    return grad


def _numerical_flat_range(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def _numerical_restore_wrong(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        minus = f(x)
        x[i] += h
        x[i] = round(float(x[i]), 3)
        grad[i] = (plus - minus) / (2 * h)
    return grad


WRONG = [
    # ------------------------------------------------------------ activation-backward
    wrong("activation-backward", "g instead of g'", "g-instead-of-g", _act(lambda dA, Z, n: dA * _G[n](Z))),
    wrong("activation-backward", "dA forgotten", "upstream-gradient-forgotten", _act(lambda dA, Z, n: _D[n](Z))),
    wrong("activation-backward", "output formula on Z", "output-formula-applied-to-z",
          _act(lambda dA, Z, n: dA * {"sigmoid": Z * (1 - Z), "tanh": 1 - Z ** 2, "relu": (Z > 0) * 1.0}[n])),
    wrong("activation-backward", "ReLU'(0) = 1", "relu-0-1", _act(lambda dA, Z, n: dA * (Z >= 0) if n == "relu" else dA * _D[n](Z))),
    wrong("activation-backward", "divided by n", {"divided-by-n", "generic:factor-1/n"}, _act(lambda dA, Z, n: dA * _D[n](Z) / Z.shape[0])),
    wrong("activation-backward", "in place", MUTATED, _act_in_place),
    wrong("activation-backward", "naive sigmoid", {"naive-sigmoid", OVERFLOW}, _act_naive_sigmoid),
    wrong("activation-backward", "matrix product", "matrix-product", _act(lambda dA, Z, n: dA @ _D[n](Z).T)),
    wrong("activation-backward", "dA + g'", "added-not-multiplied", _act(lambda dA, Z, n: dA + _D[n](Z))),
    wrong("activation-backward", "tanh' as 1 - tanh", "tanh-square-missing",
          _act(lambda dA, Z, n: dA * (1 - np.tanh(Z)) if n == "tanh" else dA * _D[n](Z))),
    wrong("activation-backward", "relu derivative as relu", "relu-for-relu-grad",
          _act(lambda dA, Z, n: dA * np.maximum(Z, 0) if n == "relu" else dA * _D[n](Z))),
    # ------------------------------------------------------------ dense-backward
    wrong("dense-backward", "dW = dZ^T X", "dw-transposed", _dense(dW=lambda dZ, X, W: dZ.T @ X)),
    wrong("dense-backward", "dX = dZ W", "dx-without-the-transpose", _dense(dX=lambda dZ, X, W: dZ @ W)),
    wrong("dense-backward", "db = dZ", "db-not-summed", _dense(db=lambda dZ, X, W: dZ)),
    wrong("dense-backward", "db mean", "db-averaged", _dense(db=lambda dZ, X, W: dZ.mean(axis=0))),
    wrong("dense-backward", "db axis 1", "db-summed-over-the-units", _dense(db=lambda dZ, X, W: dZ.sum(axis=1))),
    wrong("dense-backward", "db keepdims", {"db-with-keepdims", "generic:keepdims"}, _dense(db=lambda dZ, X, W: dZ.sum(axis=0, keepdims=True))),
    wrong("dense-backward", "dW / n", {"dw-averaged", "generic:factor-1/n"}, _dense(dW=lambda dZ, X, W: X.T @ dZ / len(X))),
    wrong("dense-backward", "order dW dX db", "gradients-out-of-order", _dense(order="wxb")),
    wrong("dense-backward", "dX = W dZ^T", {"dx-transposed", "generic:shape-transposed", "generic:transpose"}, _dense(dX=lambda dZ, X, W: W @ dZ.T)),
    wrong("dense-backward", "db total", "db-summed-over-everything", _dense(db=lambda dZ, X, W: dZ.sum())),
    wrong("dense-backward", "dW = X^T dZ^T", "dw-from-x-only", _dense(dW=lambda dZ, X, W: X.T @ np.ones_like(dZ))),
    # ------------------------------------------------------------ softmax-ce-grad
    wrong("softmax-ce-grad", "not divided", {"not-divided-by-n", "generic:factor-n"}, _sce(lambda Z, y, Y, n: _softmax(Z) - Y)),
    wrong("softmax-ce-grad", "Y - P", {"y-minus-p", "generic:sign"}, _sce(lambda Z, y, Y, n: (Y - _softmax(Z)) / n)),
    wrong("softmax-ce-grad", "naive softmax", {"softmax-without-the-shift", OVERFLOW}, _sce(lambda Z, y, Y, n: (np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True) - Y) / n)),
    wrong("softmax-ce-grad", "Y not subtracted", "y-not-subtracted", _sce(lambda Z, y, Y, n: _softmax(Z) / n)),
    wrong("softmax-ce-grad", "logits", "logits-instead-of-probabilities", _sce(lambda Z, y, Y, n: (Z - Y) / n)),
    wrong("softmax-ce-grad", "divided by size", "divided-by-every-entry", _sce(lambda Z, y, Y, n: (_softmax(Z) - Y) / Z.size)),
    wrong("softmax-ce-grad", "P[:, y]", "columns-picked-by-the-label", _sce_columns),
    wrong("softmax-ce-grad", "in place", MUTATED, _sce_in_place),
    wrong("softmax-ce-grad", "naive, silenced", {"softmax-without-the-shift", OVERFLOW}, _sce_silenced),
    wrong("softmax-ce-grad", "softmax over columns", "softmax-over-columns", _sce(lambda Z, y, Y, n: (_softmax(Z.T).T - Y) / n)),
    wrong("softmax-ce-grad", "-Y / P", "cross-entropy-gradient-only", _sce(lambda Z, y, Y, n: -Y / np.maximum(_softmax(Z), 1e-300) / n)),
    # ------------------------------------------------------------ backward-pass
    wrong("backward-pass", "backward order", "gradients-in-backward-order", _backward(order="reversed")),
    wrong("backward-pass", "no activation derivative", "activation-derivative-skipped", _backward(derivative=False)),
    wrong("backward-pass", "softmax again", "softmax-derivative-applied-again", _backward(again=True)),
    wrong("backward-pass", "first layer missed", "first-layer-missed", _backward(first=False)),
    wrong("backward-pass", "same layer's activation", "activation-of-the-wrong-layer", _backward(same_layer=True)),
    wrong("backward-pass", "dZ_out modified", MUTATED, _backward_in_place_dz),
    wrong("backward-pass", "db keepdims", {"db-with-keepdims", "generic:keepdims"}, _backward(append_db_keepdims=True)),
    wrong("backward-pass", "g instead of g'", "g-instead-of-g", _backward(derivative=False, upstream_activation=True)),
    # ------------------------------------------------------------ numerical-gradient
    wrong("numerical-gradient", "forward difference", "forward-difference", _numerical(centred=False)),
    wrong("numerical-gradient", "x not restored", "x-not-restored", _numerical(restore=False)),
    wrong("numerical-gradient", "divided by h", {"divided-by-h", "generic:factor-2"}, _numerical(divisor=1.0)),
    wrong("numerical-gradient", "all at once", "every-entry-moved-at-once", _numerical(all_at_once=True)),
    wrong("numerical-gradient", "h ignored", "h-ignored", _numerical(uses_h=False)),
    wrong("numerical-gradient", "1-D only", {"one-axis-only", "generic:index-error"}, _numerical_flat_range),
    wrong("numerical-gradient", "x rounded back", "x-not-restored", _numerical_restore_wrong),
    wrong("numerical-gradient", "divided by 4h", {"divided-by-4h", "generic:factor-half"}, _numerical(divisor=4.0)),
    wrong("numerical-gradient", "float32 gradient", "generic:dtype", _numerical(out_dtype=np.float32)),
]


def _backward_dict(dZ_out, cache):
    grads = {}
    dZ = dZ_out
    for l in reversed(range(len(cache))):
        dA, dW, db = backprop.dense_backward(dZ, cache[l].dense)
        grads[l] = (dW, db)
        if l:
            dZ = backprop.activation_backward(dA, cache[l - 1].activation)
    return [grads[l] for l in range(len(cache))]


def _backward_insert(dZ_out, cache):
    grads = []
    dZ = dZ_out
    for l in range(len(cache) - 1, -1, -1):
        A_prev, W = cache[l].dense
        grads.insert(0, [A_prev.T @ dZ, np.sum(dZ, axis=0)])
        if l > 0:
            Z, name = cache[l - 1].activation
            dZ = (dZ @ W.T) * activations.get_activation(name).grad(Z)
    return grads


def _numerical_flat(f, x, h=1e-5):
    grad = np.zeros(x.size)
    flat = x.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        plus = f(x)
        flat[i] = keep - h
        minus = f(x)
        flat[i] = keep
        grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)


def _numerical_nditer(f, x, h=1e-5):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        keep = x[i]
        x[i] = keep + h
        plus = f(x)
        x[i] = keep - h
        minus = f(x)
        x[i] = keep
        grad[i] = (plus - minus) / (2 * h)
        it.iternext()
    return grad


CORRECT = [
    correct("activation-backward", "if chain", _act_if_chain),
    correct("activation-backward", "get_activation", _act(lambda dA, Z, n: dA * activations.get_activation(n).grad(Z))),
    correct("activation-backward", "multiply", _act(lambda dA, Z, n: np.multiply(dA, _D[n](Z)))),
    correct("dense-backward", "einsum", _dense(dX=lambda dZ, X, W: np.einsum("ij,kj->ik", dZ, W),
                                               dW=lambda dZ, X, W: np.einsum("ni,nj->ij", X, dZ),
                                               db=lambda dZ, X, W: np.einsum("nj->j", dZ))),
    correct("dense-backward", "dot", _dense(dX=lambda dZ, X, W: np.dot(dZ, W.T), dW=lambda dZ, X, W: np.dot(X.T, dZ),
                                            db=lambda dZ, X, W: np.sum(dZ, axis=0))),
    correct("dense-backward", "ones @ dZ", _dense(db=lambda dZ, X, W: np.ones(dZ.shape[0]) @ dZ)),
    correct("softmax-ce-grad", "one-hot", _sce(lambda Z, y, Y, n: (activations.softmax(Z) - Y) / n)),
    correct("softmax-ce-grad", "copy and subtract", lambda Z, y: (lambda P: (P.__setitem__((np.arange(len(y)), y), P[np.arange(len(y)), y] - 1), P / len(y))[1])(_softmax(Z))),
    correct("softmax-ce-grad", "log-softmax", _sce(lambda Z, y, Y, n: (np.exp(Z - Z.max(axis=1, keepdims=True) - np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))) - Y) / n)),
    correct("backward-pass", "dict", _backward_dict),
    correct("backward-pass", "insert", _backward_insert),
    correct("numerical-gradient", "flat view", _numerical_flat),
    correct("numerical-gradient", "nditer", _numerical_nditer),
    correct("numerical-gradient", "copies", _numerical_copy_perturb),
]
