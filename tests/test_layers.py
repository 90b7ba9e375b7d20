"""nncourse.layers (lesson 03): initialisation, parameter counts, dense and activation steps, the forward pass."""

import numpy as np
import pytest

from nncourse import activations as act
from nncourse import layers

# --- init_weights ---

def test_init_weights_zeros():
    W = layers.init_weights(3, 2, init="zeros", rng=np.random.default_rng(0))
    assert W.shape == (3, 2) and W.dtype == np.float64 and not W.any()


@pytest.mark.parametrize("init, std", [("small", lambda n_in, n_out: 0.01),
                                       ("xavier", lambda n_in, n_out: np.sqrt(2 / (n_in + n_out))),
                                       ("he", lambda n_in, n_out: np.sqrt(2 / n_in))])
def test_init_weights_statistics(init, std):
    # 400 * 250 = 100,000 draws: the sample std is within 1 % of the true one (about 4.5 standard errors).
    W = layers.init_weights(400, 250, init=init, rng=np.random.default_rng(1))
    assert W.shape == (400, 250)
    target = std(400, 250)
    assert abs(W.std() / target - 1) < 0.01
    assert abs(W.mean()) / target < 0.02


def test_init_weights_is_standard_normal_times_std_from_the_given_generator():
    W = layers.init_weights(5, 3, init="he", rng=np.random.default_rng(7))
    expected = np.random.default_rng(7).standard_normal((5, 3)) * np.sqrt(2 / 5)
    np.testing.assert_array_equal(W, expected)


def test_init_weights_dtype():
    assert layers.init_weights(4, 4, init="xavier", rng=np.random.default_rng(0), dtype=np.float32).dtype == np.float32
    assert layers.init_weights(4, 4, init="zeros", rng=np.random.default_rng(0), dtype=np.float32).dtype == np.float32


def test_init_weights_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown init 'glorot'; expected one of 'zeros', 'small', 'xavier', 'he'"):
        layers.init_weights(2, 2, init="glorot", rng=rng)
    with pytest.raises(ValueError, match="n_in must be >= 1, got 0"):
        layers.init_weights(0, 2, rng=rng)
    with pytest.raises(TypeError, match="n_out must be an integer, got float"):
        layers.init_weights(2, 2.0, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy Generator such as np.random.default_rng"):
        layers.init_weights(2, 2, init="he", rng=0)


# --- init_params ---

def test_init_params_shapes_and_zero_biases():
    params = layers.init_params([3, 5, 2], init="xavier", seed=0)
    assert [(W.shape, b.shape) for W, b in params] == [((3, 5), (5,)), ((5, 2), (2,))]
    assert all(not b.any() for _, b in params)


def test_init_params_seed_and_generator():
    a = layers.init_params([4, 3, 2], seed=5)
    b = layers.init_params([4, 3, 2], seed=5)
    c = layers.init_params([4, 3, 2], seed=6)
    assert all(np.array_equal(Wa, Wb) for (Wa, _), (Wb, _) in zip(a, b))
    assert not np.array_equal(a[0][0], c[0][0])
    from_generator = layers.init_params([4, 3, 2], seed=np.random.default_rng(5))
    assert all(np.array_equal(Wa, Wg) for (Wa, _), (Wg, _) in zip(a, from_generator))


def test_init_params_float32():
    params = layers.init_params([2, 3], dtype=np.float32)
    assert params[0][0].dtype == np.float32 and params[0][1].dtype == np.float32


@pytest.mark.parametrize("sizes, error, message", [
    ([3], ValueError, "layer_sizes must list at least an input and an output size"),
    ("32", TypeError, r"layer_sizes must be a list of integers such as \[64, 32, 10\], got str"),
    (None, TypeError, "layer_sizes must be a list of integers"),
    (np.array([3, 2]), None, None),
    ([3, 0], ValueError, r"layer_sizes\[1\] must be >= 1, got 0"),
    ([3, 2.5], TypeError, r"layer_sizes\[1\] must be an integer, got float"),
])
def test_init_params_bad_sizes(sizes, error, message):
    if error is None:  # a 1-D array of sizes is as good as a list
        assert [W.shape for W, _ in layers.init_params(sizes)] == [(3, 2)]
        return
    with pytest.raises(error, match=message):
        layers.init_params(sizes)


def test_init_params_bad_dtype_and_seed():
    with pytest.raises(ValueError, match="dtype must be a float dtype such as np.float64, got int64"):
        layers.init_params([2, 2], dtype=np.int64)
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        layers.init_params([2, 2], seed=-1)


# --- count_params and validate_params ---

def test_count_params_by_hand():
    # [2, 4, 3, 3]: (2*4 + 4) + (4*3 + 3) + (3*3 + 3) = 12 + 15 + 12 = 39
    assert layers.count_params(layers.init_params([2, 4, 3, 3])) == 39
    # [784, 256, 128, 10]: 200,960 + 32,896 + 1,290 = 235,146
    assert layers.count_params(layers.init_params([784, 256, 128, 10], init="zeros")) == 235_146
    assert isinstance(layers.count_params(layers.init_params([1, 1])), int)


def test_validate_params_errors():
    W, b = np.zeros((3, 2)), np.zeros(2)
    with pytest.raises(TypeError, match="params must be a non-empty list of \\(W, b\\) pairs, got dict"):
        layers.validate_params({"W": W})
    with pytest.raises(TypeError, match="params must be a non-empty list"):
        layers.validate_params([])
    with pytest.raises(TypeError, match=r"params\[0\] must be a \(W, b\) pair, got ndarray"):
        layers.validate_params([W])
    with pytest.raises(ValueError, match=r"b1 must have shape \(2,\) to match W1 \(3, 2\), got \(3,\)"):
        layers.validate_params([(W, np.zeros(3))])
    with pytest.raises(ValueError, match=r"b1 must be 1-D, got an array of shape \(1, 2\)"):
        layers.validate_params([(W, np.zeros((1, 2)))])
    with pytest.raises(ValueError, match=r"W1 @ W2 needs W1's last size to equal W2's first, got W1 \(3, 2\) and W2 \(4, 1\)"):
        layers.validate_params([(W, b), (np.zeros((4, 1)), np.zeros(1))])
    assert len(layers.validate_params(((W, b), [np.zeros((2, 1)), np.zeros(1)]))) == 2


# --- dense_forward ---

def test_dense_forward_worked_example():
    # Z[0] = (1*0.5 + 2*1 + 0*(-0.5) + 0.1, 1*(-1) + 2*0 + 0*2 - 0.2) = (2.6, -1.2)
    # Z[1] = (0*0.5 - 1*1 + 3*(-0.5) + 0.1, 0 + 0 + 3*2 - 0.2)        = (-2.4, 5.8)
    X = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    W = np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])
    b = np.array([0.1, -0.2])
    Z, (X_cached, W_cached) = layers.dense_forward(X, W, b)
    np.testing.assert_allclose(Z, [[2.6, -1.2], [-2.4, 5.8]], rtol=1e-15)
    assert X_cached is X and W_cached is W


def test_dense_forward_against_a_naive_loop():
    rng = np.random.default_rng(2)
    X, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    expected = np.zeros((5, 3))
    for i in range(5):
        for j in range(3):
            expected[i, j] = sum(X[i, k] * W[k, j] for k in range(4)) + b[j]
    np.testing.assert_allclose(layers.dense_forward(X, W, b)[0], expected, rtol=1e-13)


def test_dense_forward_float32():
    X = np.ones((2, 3), dtype=np.float32)
    Z, _ = layers.dense_forward(X, np.ones((3, 2), dtype=np.float32), np.zeros(2, dtype=np.float32))
    assert Z.dtype == np.float32


def test_dense_forward_shape_errors():
    X, W, b = np.zeros((4, 3)), np.zeros((3, 2)), np.zeros(2)
    with pytest.raises(ValueError, match=r"X @ W needs X's last size to equal W's first, got X \(4, 2\) and W \(3, 2\) \(2 != 3\)"):
        layers.dense_forward(np.zeros((4, 2)), W, b)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) to match W \(3, 2\), got \(3,\)"):
        layers.dense_forward(X, W, np.zeros(3))
    with pytest.raises(ValueError, match=r"X must be 2-D, got an array of shape \(3,\)"):
        layers.dense_forward(np.zeros(3), W, b)
    with pytest.raises(ValueError, match=r"b must be 1-D, got an array of shape \(1, 2\)"):
        layers.dense_forward(X, W, np.zeros((1, 2)))


# --- activation_forward ---

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_activation_forward_uses_the_package_functions(name):
    Z = np.random.default_rng(3).normal(size=(4, 3))
    A, (Z_cached, cached_name) = layers.activation_forward(Z, name)
    np.testing.assert_array_equal(A, act.ACTIVATIONS[name].fn(Z))
    assert Z_cached is Z and cached_name == name


def test_activation_forward_softmax_and_errors():
    Z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    A, _ = layers.activation_forward(Z, "softmax")
    np.testing.assert_allclose(A, act.softmax(Z))
    with pytest.raises(ValueError, match="Z must have at least one axis, got a scalar"):
        layers.activation_forward(1.0, "softmax")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        layers.activation_forward(Z, "gelu")


# --- forward ---

def _naive_forward(params, X, g, g_out):
    A = X
    for l, (W, b) in enumerate(params):
        Z = A @ W + b
        A = g_out(Z) if l == len(params) - 1 else g(Z)
    return A


def test_forward_worked_example():
    # Z1 = (1, 1) W1 + b1 = (3, 0); A1 = (3, 0); Z2 = (3, 0); softmax = (e^3, 1) / (e^3 + 1) = (0.95257, 0.04743)
    params = [(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.0, 0.5])),
              (np.array([[1.0, 0.0], [-1.0, 2.0]]), np.array([0.0, 0.0]))]
    Y_hat, cache = layers.forward(params, np.array([[1.0, 1.0]]))
    np.testing.assert_allclose(Y_hat, [[np.e ** 3 / (np.e ** 3 + 1), 1 / (np.e ** 3 + 1)]], rtol=1e-15)
    assert len(cache) == 2
    np.testing.assert_array_equal(cache[0].activation[0], [[3.0, 0.0]])
    np.testing.assert_array_equal(cache[1].dense[0], [[3.0, 0.0]])
    assert cache[0].activation[1] == "relu" and cache[1].activation[1] == "softmax"
    assert cache[0].dropout is None


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("output", ["linear", "sigmoid", "softmax"])
def test_forward_against_a_naive_loop(activation, output):
    rng = np.random.default_rng(4)
    params = [(W, rng.normal(size=b.shape)) for W, b in layers.init_params([3, 6, 5, 2], init="xavier", seed=rng)]
    X = rng.normal(size=(7, 3))
    g = act.ACTIVATIONS[activation].fn
    g_out = act.softmax if output == "softmax" else act.ACTIVATIONS[output].fn
    Y_hat, cache = layers.forward(params, X, activation=activation, output=output)
    np.testing.assert_allclose(Y_hat, _naive_forward(params, X, g, g_out), rtol=1e-13)
    # The cache chains: each layer's input is the previous layer's activation.
    assert cache[0].dense[0] is X or np.array_equal(cache[0].dense[0], X)
    for previous, current in zip(cache[:-1], cache[1:]):
        np.testing.assert_allclose(current.dense[0], g(previous.activation[0]))
    assert [c.dense[1].shape for c in cache] == [(3, 6), (6, 5), (5, 2)]


def test_forward_with_dropout_only_while_training():
    params = layers.init_params([4, 50, 3], seed=0)
    X = np.random.default_rng(5).normal(size=(6, 4))
    evaluation, _ = layers.forward(params, X, drop_prob=0.5, training=False)
    plain, _ = layers.forward(params, X)
    np.testing.assert_array_equal(evaluation, plain)
    trained, cache = layers.forward(params, X, drop_prob=0.5, rng=np.random.default_rng(0), training=True)
    mask = cache[0].dropout
    assert mask.shape == (6, 50) and set(np.unique(mask)) <= {0.0, 2.0}  # kept units scaled by 1 / (1 - 0.5)
    assert cache[1].dropout is None  # never on the output layer
    A1 = act.relu(X @ params[0][0] + params[0][1]) * mask
    np.testing.assert_allclose(trained, act.softmax(A1 @ params[1][0] + params[1][1]), rtol=1e-13)


def test_forward_float32_stays_float32():
    params = layers.init_params([3, 4, 2], dtype=np.float32)
    Y_hat, _ = layers.forward(params, np.ones((2, 3), dtype=np.float32))
    assert Y_hat.dtype == np.float32


def test_forward_bad_arguments():
    params = layers.init_params([3, 4, 2])
    X = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"X @ W1 needs X's last size to equal W1's first, got X \(5, 2\) and W1 \(3, 4\)"):
        layers.forward(params, np.zeros((5, 2)))
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        layers.forward(params, X, activation="softmax")
    with pytest.raises(ValueError, match="unknown output 'relu'"):
        layers.forward(params, X, output="relu")
    with pytest.raises(ValueError, match=r"drop_prob must be in \[0, 1\), got 1.0"):
        layers.forward(params, X, drop_prob=1.0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        layers.forward(params, X, drop_prob=0.5, training=True)
    with pytest.raises(ValueError, match="X contains NaN or infinite values"):
        layers.forward(params, np.full((1, 3), np.nan))
