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


# ------------------------------------------------------------ value-class (added with the exercise)
class _V:
    """A learner's Value: __add__ as the notebook gives it, the rest written from the statement."""

    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(children)
        self._backward = lambda: None

    def _wrap(self, other):
        return other if isinstance(other, _V) else type(self)(other)

    def __add__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def _unary(self, value, local):
        out = type(self)(value, (self,))

        def _backward():
            self.grad += local() * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = np.tanh(self.data)
        return self._unary(t, lambda: 1 - t ** 2)

    def relu(self):
        return self._unary(max(0.0, self.data), lambda: float(self.data > 0))

    def _order(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:                                   # an iterative depth-first walk
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._children)
        return order

    def backward(self):
        self.grad = 1.0
        for node in reversed(self._order()):
            node._backward()


class _VAssigned(_V):
    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out

    def _unary(self, value, local):
        out = type(self)(value, (self,))

        def _backward():
            self.grad = local() * out.grad
        out._backward = _backward
        return out


class _VAssignedRecursiveWalk(_VAssigned):
    """= instead of +=, with the recursive depth-first walk the statement describes."""

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class _VRecursive(_V):
    def backward(self):
        self.grad = 1.0

        def go(node):
            node._backward()
            for child in node._children:
                go(child)
        go(self)


class _VForwardOrder(_V):
    def backward(self):
        self.grad = 1.0
        for node in self._order():
            node._backward()


class _VNoSeen(_V):
    def backward(self):
        order = []

        def visit(node):
            for child in node._children:
                visit(child)
            order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class _VOwnFactor(_V):
    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class _VTanhOfInput(_V):
    def tanh(self):
        return self._unary(np.tanh(self.data), lambda: 1 - self.data ** 2)


class _VReluAtZero(_V):
    def relu(self):
        return self._unary(max(0.0, self.data), lambda: float(self.data >= 0))


class _VNoSeed(_V):
    def backward(self):
        for node in reversed(self._order()):
            node._backward()


class _VNoUpstream(_V):
    def __mul__(self, other):
        other = self._wrap(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data
            other.grad += self.data
        out._backward = _backward
        return out

    def _unary(self, value, local):
        out = type(self)(value, (self,))

        def _backward():
            self.grad += local()
        out._backward = _backward
        return out


class _VMulUnwrapped(_V):
    def __mul__(self, other):
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out


class _VTanhOneMinus(_V):
    def tanh(self):
        t = np.tanh(self.data)
        return self._unary(t, lambda: 1 - t)


class _VEveryGradOne(_V):
    def backward(self):
        order = self._order()
        for node in order:
            node.grad = 1.0
        for node in reversed(order):
            node._backward()


class _VReluByOutput(_V):
    def relu(self):
        out_value = max(0.0, self.data)
        return self._unary(out_value, lambda: 1.0 if out_value > 0 else 0.0)


class _VZeroFirst(_V):
    def backward(self):
        order = self._order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


# ------------------------------------------------------------ softmax-backward (added with the exercise)
def _first_row_jacobian(dP, P):
    J = np.diag(P[0]) - np.outer(P[0], P[0])
    return dP @ J


def _jacobian_plus(dP, P):
    return np.array([d @ (np.diag(p) + np.outer(p, p)) for d, p in zip(dP, P)])


def _jacobian_dot(dP, P):
    return np.array([d @ (np.diag(p) - p @ p) for d, p in zip(dP, P)])


def _jacobian_loop(dP, P):
    dZ = np.zeros_like(P)
    for i in range(P.shape[0]):
        for k in range(P.shape[1]):
            for j in range(P.shape[1]):
                dZ[i, k] += dP[i, j] * P[i, j] * ((j == k) - P[i, k])
    return dZ


# ------------------------------------------------------------ sigmoid-bce-grad (added with the exercise)
def _sbce(rule):
    def sigmoid_bce_grad(z, y):
        p = activations.sigmoid(z)
        return rule(z, y, p)
    return sigmoid_bce_grad


def _sbce_naive(z, y):
    p = 1 / (1 + np.exp(-z))
    return (p - y) / z.size


# ------------------------------------------------------------ the bug hunt (added with the exercise)
def _two_layer(dA1_rule=lambda dZ2, W2: dZ2 @ W2.T, mask=lambda dA1, Z1, A1: dA1 * (Z1 > 0), order=1,
               db1_rule=lambda dZ1: dZ1.sum(axis=0)):
    from nncourse import losses

    def two_layer_grads(params, X, y):
        (W1, b1), (W2, b2) = params
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2 + b2
        dZ2 = losses.softmax_cross_entropy_grad(Z2, y)
        dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
        dZ1 = mask(dA1_rule(dZ2, W2), Z1, A1)
        grads = [(X.T @ dZ1, db1_rule(dZ1)), (dW2, db2)]
        return grads[::order]
    return two_layer_grads


def _two_layer_einsum(params, X, y):
    from nncourse import losses

    (W1, b1), (W2, b2) = params
    Z1 = np.einsum("ni,ih->nh", X, W1) + b1
    A1 = np.where(Z1 > 0, Z1, 0.0)
    dZ2 = losses.softmax_cross_entropy_grad(A1 @ W2 + b2, y)
    dZ1 = np.einsum("nk,hk->nh", dZ2, W2) * (Z1 > 0)
    return [(np.einsum("ni,nh->ih", X, dZ1), dZ1.sum(0)), (np.einsum("nh,nk->hk", A1, dZ2), dZ2.sum(0))]


def _linear(dz=lambda y_hat, y: 2.0 * (y_hat - y) / y_hat.size, db=lambda dZ: dZ.sum(axis=0),
            dw=lambda X, dZ: X.T @ dZ):
    def linear_mse_grads(params, X, y):
        [(W, b)] = params
        dZ = dz(X @ W + b, y)
        return [(dw(X, dZ), db(dZ))]
    return linear_mse_grads


def _penalised(share=lambda dW, W, l2: dW + l2 * W, bias=lambda db, b, l2: db):
    from nncourse import layers, losses

    def penalised_grads(params, X, y, l2):
        _, cache = layers.forward(params, X, activation="tanh")
        dZ_out = losses.softmax_cross_entropy_grad(cache[-1].activation[0], y)
        return [(share(dW, W, l2), bias(db, b, l2))
                for (W, b), (dW, db) in zip(params, backprop.backward(dZ_out, cache))]
    return penalised_grads


def _penalised_by_hand(params, X, y, l2):
    from nncourse import losses

    As, A = [X], X
    for W, b in params[:-1]:
        A = np.tanh(A @ W + b)
        As.append(A)
    dZ = losses.softmax_cross_entropy_grad(A @ params[-1][0] + params[-1][1], y)
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        W = params[layer][0]
        grads.insert(0, (As[layer].T @ dZ + l2 * W, dZ.sum(axis=0)))
        if layer:
            dZ = dZ @ W.T * (1 - As[layer] ** 2)
    return grads


WRONG += [
    wrong("value-class", "= instead of += in *, tanh and relu", "grad-assigned-not-added", _VAssignedRecursiveWalk),
    # With another walk, = gives other wrong numbers (which share survives depends on the order): generic.
    wrong("value-class", "= instead of +=, an iterative walk", "grad-assigned-not-added", _VAssigned),
    wrong("value-class", "backward recurses into the children", "no-topological-order", _VRecursive),
    wrong("value-class", "topological order walked forwards", "order-not-reversed", _VForwardOrder),
    wrong("value-class", "no visited set", "node-visited-twice", _VNoSeen),
    wrong("value-class", "* multiplies by its own value", "mul-own-value", _VOwnFactor),
    wrong("value-class", "tanh' as 1 - x**2 of the input", "tanh-derivative-of-input", _VTanhOfInput),
    wrong("value-class", "relu' = 1 at 0", "relu-derivative-1-at-0", _VReluAtZero),
    wrong("value-class", "L.grad never set to 1", "output-gradient-not-set", _VNoSeed),
    wrong("value-class", "local gradient without out.grad", "upstream-gradient-forgotten", _VNoUpstream),
    wrong("value-class", "* does not wrap numbers", "number-not-wrapped", _VMulUnwrapped),
    wrong("value-class", "tanh' = 1 - t", None, _VTanhOneMinus),
    wrong("value-class", "every grad set to 1 first", None, _VEveryGradOne),
    wrong("softmax-backward", "P (1 - P) only", "diagonal-only", lambda dP, P: dP * P * (1 - P)),
    wrong("softmax-backward", "unweighted sum", "weights-missing-in-the-sum",
          lambda dP, P: P * (dP - dP.sum(axis=1, keepdims=True))),
    wrong("softmax-backward", "no outer P", "outer-p-missing", lambda dP, P: dP - (dP * P).sum(axis=1, keepdims=True)),
    wrong("softmax-backward", "sum minus dP", "sign-flipped", lambda dP, P: P * ((P * dP).sum(1, keepdims=True) - dP)),
    wrong("softmax-backward", "np.sum over everything", "summed-over-every-row", lambda dP, P: P * (dP - np.sum(dP * P))),
    wrong("softmax-backward", "axis=0", "summed-over-the-samples",
          lambda dP, P: P * (dP - np.sum(dP * P, axis=0, keepdims=True))),
    wrong("softmax-backward", "no keepdims", "keepdims-missing", lambda dP, P: P * (dP - np.sum(dP * P, axis=1))),
    wrong("softmax-backward", "Jacobian of the first row", "first-row-jacobian", _first_row_jacobian),
    wrong("softmax-backward", "p @ p for the outer product", "outer-product-as-dot", _jacobian_dot),
    wrong("softmax-backward", "diag(p) + p p^T", None, _jacobian_plus),
    wrong("sigmoid-bce-grad", "divided by len(z)", "divided-by-the-rows", _sbce(lambda z, y, p: (p - y) / len(z))),
    wrong("sigmoid-bce-grad", "no 1/N", "not-divided", _sbce(lambda z, y, p: p - y)),
    wrong("sigmoid-bce-grad", "y - p", "y-minus-p", _sbce(lambda z, y, p: (y - p) / z.size)),
    wrong("sigmoid-bce-grad", "1 / (1 + exp(-z))", ("naive-sigmoid", OVERFLOW), _sbce_naive),
    wrong("sigmoid-bce-grad", "(p - y) p (1 - p) / N", "denominator-dropped",
          _sbce(lambda z, y, p: (p - y) * p * (1 - p) / z.size)),
    wrong("sigmoid-bce-grad", "dL/dp only", "gradient-with-respect-to-p",
          _sbce(lambda z, y, p: (p - y) / (p * (1 - p)) / z.size)),
    wrong("sigmoid-bce-grad", "z - y", "logits-instead-of-probabilities", _sbce(lambda z, y, p: (z - y) / z.size)),
    wrong("sigmoid-bce-grad", "sigma' as exp(-z) / (1 + exp(-z))**2", (OVERFLOW, "naive-sigmoid"),
          _sbce(lambda z, y, p: (p - y) / (p * (1 - p)) * np.exp(-z) / (1 + np.exp(-z)) ** 2 / z.size)),
    wrong("sigmoid-bce-grad", "p clipped to [1e-7, 1 - 1e-7]",
          None, _sbce(lambda z, y, p: (np.clip(p, 1e-7, 1 - 1e-7) - y) / z.size)),
    wrong("bug-two-layer", "handed in unchanged", "transpose-still-missing", _two_layer(dA1_rule=lambda dZ2, W2: dZ2 @ W2)),
    wrong("bug-two-layer", "the ReLU mask lost in the fix", "relu-derivative-dropped",
          _two_layer(mask=lambda dA1, Z1, A1: dA1)),
    wrong("bug-two-layer", "times A1", "relu-instead-of-its-derivative", _two_layer(mask=lambda dA1, Z1, A1: dA1 * A1)),
    wrong("bug-two-layer", "layer 2 first", "layers-in-reverse-order", _two_layer(order=-1)),
    wrong("bug-two-layer", "W2 @ dZ2.T", None, _two_layer(dA1_rule=lambda dZ2, W2: W2 @ dZ2.T)),
    wrong("bug-two-layer", "db1 averaged", "generic:factor-1/n", _two_layer(db1_rule=lambda dZ1: dZ1.mean(axis=0))),
    wrong("bug-two-layer", "mask from Z1 >= 1", None, _two_layer(mask=lambda dA1, Z1, A1: dA1 * (Z1 >= 1))),
    wrong("bug-two-layer", "fixed with W2.T but the mask on A1 > 1", None,
          _two_layer(mask=lambda dA1, Z1, A1: dA1 * (A1 > 1))),
    wrong("bug-linear-mse", "handed in unchanged", "db-still-averaged", _linear(db=lambda dZ: dZ.mean(axis=0))),
    wrong("bug-linear-mse", "db = dZ", "db-not-summed", _linear(db=lambda dZ: dZ)),
    wrong("bug-linear-mse", "db = dZ.sum()", "db-summed-over-everything", _linear(db=lambda dZ: dZ.sum())),
    wrong("bug-linear-mse", "keepdims", "db-with-keepdims", _linear(db=lambda dZ: dZ.sum(axis=0, keepdims=True))),
    wrong("bug-linear-mse", "dW averaged too", "dw-divided-by-n-too",
          _linear(dw=lambda X, dZ: X.T @ dZ / X.shape[0])),
    wrong("bug-linear-mse", "no 2", "factor-two-dropped", _linear(dz=lambda y_hat, y: (y_hat - y) / y_hat.size)),
    wrong("bug-linear-mse", "divided by the rows", "divided-by-the-rows",
          _linear(dz=lambda y_hat, y: 2 * (y_hat - y) / len(y))),
    wrong("bug-linear-mse", "summed over the outputs", "generic:other-axis", _linear(db=lambda dZ: dZ.sum(axis=1))),
    wrong("bug-l2-penalty", "handed in unchanged", "penalty-overwrites-gradient", _penalised(share=lambda dW, W, l2: l2 * W)),
    wrong("bug-l2-penalty", "penalty line deleted", "penalty-left-out", _penalised(share=lambda dW, W, l2: dW)),
    wrong("bug-l2-penalty", "biases penalised too", "penalty-on-the-biases",
          _penalised(bias=lambda db, b, l2: db + l2 * b)),
    wrong("bug-l2-penalty", "2 l2 W", "penalty-share-doubled", _penalised(share=lambda dW, W, l2: dW + 2 * l2 * W)),
    wrong("bug-l2-penalty", "l2 / 2 W", "penalty-share-halved", _penalised(share=lambda dW, W, l2: dW + l2 / 2 * W)),
    wrong("bug-l2-penalty", "minus l2 W", "penalty-share-subtracted", _penalised(share=lambda dW, W, l2: dW - l2 * W)),
    wrong("bug-l2-penalty", "l2 sign(W)", None, _penalised(share=lambda dW, W, l2: dW + l2 * np.sign(W))),
    wrong("bug-l2-penalty", "l2 W squared", None, _penalised(share=lambda dW, W, l2: dW + l2 * W ** 2)),
]
CORRECT += [
    correct("value-class", "iterative walk", _V),
    correct("value-class", "relu' from the output", _VReluByOutput),
    correct("value-class", "grads zeroed first", _VZeroFirst),
    correct("softmax-backward", "the Jacobian, row by row", lambda dP, P: np.array(
        [d @ (np.diag(p) - np.outer(p, p)) for d, p in zip(dP, P)])),
    correct("softmax-backward", "loops", _jacobian_loop),
    correct("softmax-backward", "expanded", lambda dP, P: P * dP - P * (P * dP).sum(axis=-1, keepdims=True)),
    correct("sigmoid-bce-grad", "tanh form", lambda z, y: ((1 + np.tanh(z / 2)) / 2 - y) / np.size(z)),
    correct("sigmoid-bce-grad", "sigmoid and mean size", _sbce(lambda z, y, p: (p - y) / p.size)),
    correct("bug-two-layer", "fixed", _two_layer()),
    correct("bug-two-layer", "einsum", _two_layer_einsum),
    correct("bug-linear-mse", "fixed", _linear()),
    correct("bug-linear-mse", "ones @ dZ", _linear(db=lambda dZ: np.ones(dZ.shape[0]) @ dZ)),
    correct("bug-l2-penalty", "fixed", _penalised()),
    correct("bug-l2-penalty", "by hand", _penalised_by_hand),
]
