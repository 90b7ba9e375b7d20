"""nncourse.backprop: the backward pass against a naive-loop oracle and centred differences.

Every hidden activation x every loss, with L1 and L2 on, is checked through
``nncourse.loss_and_grads`` against centred differences in float64 (relative
error < 1e-7), with inputs kept away from the kinks of ReLU and of |w|; a
backward pass that forgets the activation derivative must fail the same check
(the negative control). The differences are written here, independent of
nncourse.gradient_check.
"""

from __future__ import annotations

import numpy as np
import pytest

import nncourse
from nncourse import activations, backprop, layers, losses

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]
LOSS_NAMES = ["mse", "binary_cross_entropy", "softmax_cross_entropy"]


def centred(f, x, h=1e-5):
    """Centred differences of a scalar function of an array that ``f`` reads in place."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        keep = x[i]
        x[i] = keep + h
        plus = f()
        x[i] = keep - h
        minus = f()
        x[i] = keep
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)))


# --- dense_backward: the naive loop oracle ---

def _dense_backward_loops(dZ, X, W):
    n, n_in = X.shape
    n_out = W.shape[1]
    dX, dW, db = np.zeros((n, n_in)), np.zeros((n_in, n_out)), np.zeros(n_out)
    for i in range(n):
        for j in range(n_out):
            db[j] += dZ[i, j]
            for m in range(n_in):
                dW[m, j] += X[i, m] * dZ[i, j]
                dX[i, m] += dZ[i, j] * W[m, j]
    return dX, dW, db


@pytest.mark.parametrize("n, n_in, n_out", [(1, 1, 1), (4, 3, 3), (7, 2, 5), (3, 6, 1)])
def test_dense_backward_matches_the_loop_oracle(n, n_in, n_out):
    rng = np.random.default_rng(n * 100 + n_in * 10 + n_out)
    X, W, dZ = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=(n, n_out))
    for got, want in zip(backprop.dense_backward(dZ, (X, W)), _dense_backward_loops(dZ, X, W)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_dense_backward_worked_example():
    # db = [0.1 + 0.3, -0.2 + 0.4]; dW row 2 = 2 [0.1, -0.2] - [0.3, 0.4] = [-0.1, -0.8];
    # dX[1] = [0.3 * 0.5 + 0.4 * (-1), 0.3, 0.3 * (-0.5) + 0.4 * 2] = [-0.25, 0.3, 0.65]
    X = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    W = np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])
    dX, dW, db = backprop.dense_backward(np.array([[0.1, -0.2], [0.3, 0.4]]), (X, W))
    np.testing.assert_allclose(db, [0.4, 0.2])
    np.testing.assert_allclose(dW, [[0.1, -0.2], [-0.1, -0.8], [0.9, 1.2]])
    np.testing.assert_allclose(dX, [[0.25, 0.1, -0.45], [-0.25, 0.3, 0.65]])


def test_dense_backward_bad_input():
    X, W = np.zeros((2, 3)), np.zeros((3, 4))
    with pytest.raises(TypeError, match=r"cache must be the \(X, W\) tuple"):
        backprop.dense_backward(np.zeros((2, 4)), [X, W])
    with pytest.raises(ValueError, match=r"dZ must have shape \(2, 4\)"):
        backprop.dense_backward(np.zeros((4, 2)), (X, W))
    with pytest.raises(ValueError, match="cache W must be 2-D"):
        backprop.dense_backward(np.zeros((2, 4)), (X, np.zeros(3)))


# --- activation_backward ---

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_activation_backward_matches_centred_differences(name):
    rng = np.random.default_rng(len(name))
    Z = rng.normal(0.0, 2.0, size=(4, 3))
    Z[np.abs(Z) < 1e-3] = 0.5  # away from the kinks of ReLU and leaky ReLU
    dA = rng.normal(size=Z.shape)
    dZ = backprop.activation_backward(dA, (Z, name))
    assert dZ.shape == Z.shape

    def f():
        return float(np.sum(layers.activation_forward(Z, name)[0] * dA))

    assert rel_error(dZ, centred(f, Z)) < 1e-7


def test_activation_backward_relu_at_zero_is_zero():
    dZ = backprop.activation_backward(np.ones((1, 3)), (np.array([[-1.0, 0.0, 2.0]]), "relu"))
    np.testing.assert_array_equal(dZ, [[0.0, 0.0, 1.0]])


def test_activation_backward_bad_input():
    with pytest.raises(TypeError, match=r"\(Z, name\) tuple"):
        backprop.activation_backward(np.zeros((1, 2)), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        backprop.activation_backward(np.zeros((1, 2)), (np.zeros((1, 2)), "swish"))
    with pytest.raises(ValueError, match=r"dA must have the shape of Z \(1, 2\)"):
        backprop.activation_backward(np.zeros((2, 1)), (np.zeros((1, 2)), "tanh"))


# --- backward and loss_and_grads ---

def _away_from_kinks(params, X, activation):
    """True when no hidden pre-activation and no weight lies within 1e-3 of 0 (ReLU and |w| kinks)."""
    _, cache = layers.forward(params, X, activation=activation, output="linear")
    near_relu = any(np.any(np.abs(c.activation[0]) < 1e-3) for c in cache[:-1])
    near_l1 = any(np.any(np.abs(W) < 1e-3) for W, _ in params)
    return not (near_relu or near_l1)


def _problem(activation, loss, seed):
    rng = np.random.default_rng(seed)
    while True:
        params = [(W, rng.normal(0.0, 0.3, size=b.shape)) for W, b in
                  layers.init_params([3, 5, 4, 2], init="xavier", seed=rng)]
        X = rng.normal(size=(6, 3))
        if _away_from_kinks(params, X, activation):
            break
    y = {"mse": rng.normal(size=(6, 2)), "binary_cross_entropy": rng.integers(0, 2, size=(6, 2)).astype(float),
         "softmax_cross_entropy": rng.integers(0, 2, size=6)}[loss]
    return params, X, y


def _numerical_grads(params, X, y, **kwargs):
    def f():
        return nncourse.loss_and_grads(params, X, y, **kwargs)[0]

    return [(centred(f, W), centred(f, b)) for W, b in params]


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_loss_and_grads_match_centred_differences_with_l1_and_l2(activation, loss):
    params, X, y = _problem(activation, loss, seed=ACTIVATIONS.index(activation) * 10 + LOSS_NAMES.index(loss))
    kwargs = dict(activation=activation, loss=loss, l2=0.1, l1=0.01)
    _, grads = nncourse.loss_and_grads(params, X, y, **kwargs)
    for (dW, db), (nW, nb), (W, b) in zip(grads, _numerical_grads(params, X, y, **kwargs), params):
        assert dW.shape == W.shape and db.shape == b.shape
        assert rel_error(dW, nW) < 1e-7
        assert rel_error(db, nb) < 1e-7


def _backward_without_the_derivative(dZ_out, cache):
    grads, dZ = [None] * len(cache), dZ_out
    for layer in range(len(cache) - 1, -1, -1):
        dA_prev, dW, db = backprop.dense_backward(dZ, cache[layer].dense)
        grads[layer] = (dW, db)
        dZ = dA_prev
    return grads


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_negative_control_a_backward_pass_without_the_derivative_fails(activation):
    params, X, y = _problem(activation, "softmax_cross_entropy", seed=99)
    _, cache = layers.forward(params, X, activation=activation, output="softmax")
    wrong = _backward_without_the_derivative(losses.softmax_cross_entropy_grad(cache[-1].activation[0], y), cache)
    numerical = _numerical_grads(params, X, y, activation=activation)
    assert rel_error(wrong[0][0], numerical[0][0]) > 1e-4
    assert rel_error(wrong[-1][0], numerical[-1][0]) < 1e-7  # the output layer does not need the derivative


def test_backward_equals_loss_and_grads_without_penalties():
    params, X, y = _problem("tanh", "softmax_cross_entropy", seed=3)
    _, cache = layers.forward(params, X, activation="tanh", output="softmax")
    grads = backprop.backward(losses.softmax_cross_entropy_grad(cache[-1].activation[0], y), cache)
    _, expected = nncourse.loss_and_grads(params, X, y, activation="tanh")
    assert isinstance(grads, list) and len(grads) == len(params)
    for (dW, db), (eW, eb) in zip(grads, expected):
        np.testing.assert_allclose(dW, eW)
        np.testing.assert_allclose(db, eb)


def test_the_loss_includes_the_penalties():
    params, X, y = _problem("relu", "mse", seed=4)
    plain, _ = nncourse.loss_and_grads(params, X, y, activation="relu", loss="mse")
    penalised, _ = nncourse.loss_and_grads(params, X, y, activation="relu", loss="mse", l2=0.5, l1=0.25)
    squares = sum(float(np.sum(W ** 2)) for W, _ in params)
    absolutes = sum(float(np.sum(np.abs(W))) for W, _ in params)
    assert penalised == pytest.approx(plain + 0.5 / 2 * squares + 0.25 * absolutes)


def test_dropout_gradient_matches_centred_differences_with_the_mask_fixed():
    params, X, y = _problem("tanh", "softmax_cross_entropy", seed=5)

    def loss_with_mask():
        # The same seed every call: the same dropout mask in every evaluation.
        return nncourse.loss_and_grads(params, X, y, activation="tanh", drop_prob=0.3,
                                       rng=np.random.default_rng(11))

    _, grads = loss_with_mask()
    for (dW, db), (W, b) in zip(grads, params):
        assert rel_error(dW, centred(lambda: loss_with_mask()[0], W)) < 1e-7
        assert rel_error(db, centred(lambda: loss_with_mask()[0], b)) < 1e-7


def test_backward_takes_plain_triples_like_layer_caches():
    # Lesson 03's forward_pass returns plain ((A_prev, W), (Z, name), None) triples: the same cache.
    params, X, y = _problem("tanh", "softmax_cross_entropy", seed=6)
    _, cache = layers.forward(params, X, activation="tanh", output="softmax")
    dZ_out = np.random.default_rng(0).normal(size=cache[-1].activation[0].shape)
    named = backprop.backward(dZ_out, cache)
    plain = backprop.backward(dZ_out, [tuple(c) for c in cache])
    for (dW, db), (dW_plain, db_plain) in zip(named, plain):
        np.testing.assert_array_equal(dW, dW_plain)
        np.testing.assert_array_equal(db, db_plain)


def test_backward_and_loss_and_grads_bad_input():
    params, X, y = _problem("tanh", "softmax_cross_entropy", seed=6)
    _, cache = layers.forward(params, X, activation="tanh", output="softmax")
    with pytest.raises(TypeError, match="cache must be the list returned by nncourse.forward"):
        backprop.backward(np.zeros((6, 2)), [])
    with pytest.raises(TypeError, match="cache must be the list returned by nncourse.forward"):
        backprop.backward(np.zeros((6, 2)), [(c.dense, c.activation) for c in cache])
    with pytest.raises(ValueError, match=r"dZ_out must have the shape of the logits \(6, 2\)"):
        backprop.backward(np.zeros((6, 3)), cache)
    with pytest.raises(ValueError, match="unknown loss"):
        nncourse.loss_and_grads(params, X, y, loss="hinge")
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        nncourse.loss_and_grads(params, X, y, l2=-1.0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        nncourse.loss_and_grads(params, X, y, drop_prob=0.5)


def test_gradients_have_their_parameters_shapes_and_dtype():
    params = layers.init_params([4, 7, 3], seed=0)
    X, y = np.random.default_rng(0).normal(size=(5, 4)), np.array([0, 1, 2, 0, 1])
    _, grads = nncourse.loss_and_grads(params, X, y)
    assert [(dW.shape, db.shape) for dW, db in grads] == [((4, 7), (7,)), ((7, 3), (3,))]
    assert all(dW.dtype == np.float64 and db.dtype == np.float64 for dW, db in grads)


def test_deep_sigmoid_gradients_vanish_and_relu_he_gradients_do_not():
    # The lesson's Figure 2 in numbers: |dW| of layer 1 relative to the last layer.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 16)), rng.integers(0, 4, size=200)
    sizes = [16] + [32] * 10 + [4]
    ratios = {}
    for activation, init in (("sigmoid", "xavier"), ("relu", "he")):
        _, grads = nncourse.loss_and_grads(layers.init_params(sizes, init=init, seed=1), X, y, activation=activation)
        ratios[activation] = np.linalg.norm(grads[0][0]) / np.linalg.norm(grads[-1][0])
    assert ratios["sigmoid"] < 1e-4
    assert 0.1 < ratios["relu"] < 10
    assert activations.sigmoid_grad(np.array(0.0)) == 0.25  # the per-layer factor's upper bound
